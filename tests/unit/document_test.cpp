#include "document/document.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace liseur {
namespace {

Block sampleBlock() {
  Block b;
  b.index = 2;
  b.lang = "fr";
  b.box = {10, 20, 300, 40};
  Line l1;
  l1.words = {{"Le", {10, 20, 20, 12}, 95, "fr"},
              {"chat", {35, 20, 40, 12}, 91, "fr"},
              {"dort.", {80, 20, 45, 12}, 88, "fr"}};
  Line l2;
  l2.words = {{"Il", {10, 40, 15, 12}, 90, "fr"}, {"rêve", {30, 40, 40, 12}, 70, "fr"}};
  b.lines = {l1, l2};
  return b;
}

TEST(Document, TextJoinsWordsLinesAndBlocks) {
  Document d;
  d.blocks = {sampleBlock(), sampleBlock()};
  EXPECT_EQ(d.blocks[0].text(), "Le chat dort.\nIl rêve");
  EXPECT_EQ(d.text(), "Le chat dort.\nIl rêve\n\nLe chat dort.\nIl rêve");
}

TEST(Document, JsonRoundTrip) {
  Document d;
  d.width = 640;
  d.height = 480;
  d.source = "x.png";
  d.lang = "fr";
  d.page = "read-3";
  d.blocks = {sampleBlock()};
  auto j = toJson(d);
  EXPECT_EQ(j["format"], kDocumentFormat);
  EXPECT_EQ(j["page"], "read-3");
  EXPECT_FALSE(toJson(Document{}).contains("page")) << "written only when set";
  auto back = documentFromJson(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(toJson(*back), j);
}

TEST(Document, JsonErrorsNameThePath) {
  Document d;
  d.blocks = {sampleBlock()};
  auto j = toJson(d);
  j["blocks"][0]["lines"][1]["words"][0]["text"] = 42;
  auto r = documentFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("$.blocks[0].lines[1].words[0].text"), std::string::npos)
      << r.error().message;
  auto wrong = toJson(Document{});
  wrong["format"] = "other/9";
  auto r2 = documentFromJson(wrong);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("other/9"), std::string::npos) << r2.error().message;
}

// A confidence beyond a float's range would become infinity, which JSON writes back as null: the
// document would not survive the next plugin. Refused with the path, like an integer out of range
// (found by fuzz_document_json).
TEST(Document, ConfidenceOutOfFloatRangeIsRefused) {
  Document d;
  d.blocks = {sampleBlock()};
  for (double bad : {1e39, -1e39}) {
    auto j = toJson(d);
    j["blocks"][0]["lines"][0]["words"][1]["conf"] = bad;
    auto r = documentFromJson(j);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("$.blocks[0].lines[0].words[1].conf"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("in range"), std::string::npos) << r.error().message;
    j = toJson(d);
    j["blocks"][0]["conf"] = bad;
    EXPECT_FALSE(documentFromJson(j).ok()) << bad;
  }
  auto j = toJson(d);
  j["blocks"][0]["conf"] = 3e38;  // within range: kept
  EXPECT_TRUE(documentFromJson(j).ok());
}

TEST(Document, DefaultUtterancesCutAtSentencesWithWordRefs) {
  auto utts = defaultUtterances(sampleBlock());
  ASSERT_EQ(utts.size(), 2u);
  EXPECT_EQ(utts[0].text, "Le chat dort.");
  EXPECT_EQ(utts[1].text, "Il rêve");
  EXPECT_EQ(utts[0].lang, "fr");
  ASSERT_EQ(utts[1].words.size(), 2u);
  const WordRef& w = utts[1].words[1];
  EXPECT_EQ(utts[1].text.substr(w.offset, w.length), "rêve");
  EXPECT_EQ(w.line, 1);
  EXPECT_EQ(w.word, 1);
}

TEST(Document, DefaultUtterancesRespectSizeLimit) {
  Block b;
  Line l;
  for (int i = 0; i < 200; ++i) l.words.push_back({"mot", {}, 90, "fr"});
  b.lines = {l};
  auto utts = defaultUtterances(b, 50);
  ASSERT_GT(utts.size(), 1u);
  for (const auto& u : utts) EXPECT_LE(u.text.size(), 50u) << u.text;
}

}  // namespace
}  // namespace liseur
