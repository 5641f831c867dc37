// OcrCache: keyed by the captured image's content, bounded, most recently used kept.
#include "control/ocr_cache.h"

#include <gtest/gtest.h>

#include "control/session.h"

namespace liseur {
namespace {

JobRequest capture(std::string pixels, int w = 2, int h = 1) {
  JobRequest r;
  r.image_bytes = std::move(pixels);
  r.width = w;
  r.height = h;
  r.stride = w * 4;
  return r;
}

OcrResult oneBlock(const std::string& word) {
  OcrResult r;
  r.width = 2;
  r.height = 1;
  Block b;
  Line l;
  l.words.push_back(Word{word, {0, 0, 2, 1}, 90, "fr"});
  b.lines.push_back(l);
  r.blocks.push_back(b);
  return r;
}

TEST(OcrCache, TheKeyFollowsTheContentAndWhatChangesTheRecognition) {
  const std::string px(8, '\x7f');
  auto a = OcrCache::keyFor(capture(px), "eng+fra");
  ASSERT_TRUE(a);
  EXPECT_EQ(a, OcrCache::keyFor(capture(px), "eng+fra")) << "same pixels, same key";
  std::string other = px;
  other[5] = 0;
  EXPECT_NE(a, OcrCache::keyFor(capture(other), "eng+fra")) << "one byte changed";
  EXPECT_NE(a, OcrCache::keyFor(capture(px, 1, 2), "eng+fra")) << "same bytes, another shape";
  EXPECT_NE(a, OcrCache::keyFor(capture(px), "fra")) << "another model";
  JobRequest cropped = capture(px);
  cropped.encoded = "png";
  EXPECT_NE(a, OcrCache::keyFor(cropped, "eng+fra"));
  JobRequest file;
  file.path = "/tmp/page.png";
  EXPECT_FALSE(OcrCache::keyFor(file, "eng+fra")) << "files are not cached";
}

TEST(OcrCache, KeepsTheMostRecentlyUsedWithinItsCapacity) {
  OcrCache cache(2);
  cache.put(1, oneBlock("un"));
  cache.put(2, oneBlock("deux"));
  ASSERT_NE(cache.find(1), nullptr);  // 1 is now the most recent
  cache.put(3, oneBlock("trois"));    // 2 goes
  EXPECT_EQ(cache.find(2), nullptr);
  ASSERT_NE(cache.find(1), nullptr);
  EXPECT_EQ(cache.find(1)->blocks[0].text(), "un");
  EXPECT_EQ(cache.find(3)->blocks[0].text(), "trois");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.hits(), 4u);
  EXPECT_EQ(cache.misses(), 1u);
  cache.put(3, oneBlock("encore"));  // replaced, not doubled
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(3)->blocks[0].text(), "encore");
  cache.clear();
  EXPECT_EQ(cache.find(1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace liseur
