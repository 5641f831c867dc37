// Pixel hashing for watched regions, and the cost of one watch tick (capture + hash) under Xvfb.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <cstdio>

#include "capture/change_detector.h"
#include "x11/xvfb_server.h"

namespace liseur {
namespace {

CapturedImage solid(int w, int h, int stride, char fill) {
  CapturedImage img;
  img.width = w;
  img.height = h;
  img.stride = stride;
  img.bgra.assign(static_cast<std::size_t>(stride) * h, fill);
  return img;
}

// Reference values of the xxHash specification's XXH64.
TEST(PixelHash, Xxh64MatchesReferenceValues) {
  EXPECT_EQ(xxh64("", 0, 0), 0xEF46DB3751D8E999ull) << "XXH64 of empty input";
  EXPECT_EQ(xxh64("a", 1, 0), 0xD24EC4F1A98C6E5Bull) << "XXH64 of 'a'";
  EXPECT_EQ(xxh64("abc", 3, 0), 0x44BC2CF5AD770999ull) << "XXH64 of 'abc'";
}

TEST(PixelHash, LongInputsDependOnEveryByte) {
  std::string data(1000, 'x');
  const uint64_t base = xxh64(data.data(), data.size());
  for (std::size_t i : {0u, 31u, 32u, 500u, 995u, 999u}) {
    std::string changed = data;
    changed[i] = 'y';
    EXPECT_NE(xxh64(changed.data(), changed.size()), base) << "byte " << i;
  }
}

TEST(PixelHash, SamePixelsSameHashOnePixelChangesIt) {
  CapturedImage a = solid(600, 200, 2400, 'a');
  CapturedImage b = a;
  EXPECT_EQ(hashPixels(a), hashPixels(b));
  b.bgra[2400 * 199 + 4 * 599 + 1] ^= 1;  // last pixel's green
  EXPECT_NE(hashPixels(a), hashPixels(b));
}

TEST(PixelHash, RowPaddingIgnoredGeometryCounts) {
  CapturedImage packed = solid(10, 3, 40, 'p');
  CapturedImage padded = solid(10, 3, 48, 'p');
  for (int y = 0; y < 3; ++y) padded.bgra[y * 48 + 44] = 'Z';  // padding only
  EXPECT_EQ(hashPixels(packed), hashPixels(padded));
  CapturedImage other_shape = solid(5, 6, 20, 'p');  // same bytes, other geometry
  EXPECT_NE(hashPixels(packed), hashPixels(other_shape));
}

TEST(ChangeDetectorTest, FirstCallThenOnlyOnChange) {
  ChangeDetector det;
  CapturedImage img = solid(8, 8, 32, 'q');
  EXPECT_TRUE(det.changed(img)) << "first capture";
  EXPECT_FALSE(det.changed(img)) << "same pixels";
  img.bgra[5] = 'r';
  EXPECT_TRUE(det.changed(img)) << "one byte changed";
  EXPECT_FALSE(det.changed(img));
  det.reset();
  EXPECT_TRUE(det.changed(img)) << "after reset";
}

double processCpuMs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

// One tick of a watched 600x200 region that has not changed: capture + hash, measured as CPU
// time of this process and of the X server. Prints the figures; the bound is generous (the
// issue's target is 5 ms; a loaded CI machine must not fail it).
TEST(WatchTick, UnchangedRegionCostAndChangeDetected) {
  test::XvfbServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  auto xterm = test::startXterm(server.display(), "liseur-watch", "60x8+20+20",
                                "Sous-titre : bonjour.\\nSubtitle: hello.\\n");
  ASSERT_NE(test::findWindowByTitle(server.display(), "liseur-watch"), 0u);
  auto cap = ScreenCapture::open(server.display());
  ASSERT_TRUE(cap.ok()) << cap.error().message;
  const Box region{20, 20, 600, 200};
  // Let the xterm finish drawing (fonts load, the text arrives later than the window): the
  // region must stay the same for a full second before ticks are counted.
  ChangeDetector det;
  auto stable_since = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::waitUntil(
      [&] {
        auto img = (*cap)->captureRegion(region);
        if (!img.ok() || det.changed(*img)) stable_since = std::chrono::steady_clock::now();
        return std::chrono::steady_clock::now() - stable_since > std::chrono::seconds(1);
      },
      std::chrono::seconds(30)));

  for (CaptureMethod m : {CaptureMethod::kShm, CaptureMethod::kGetImage}) {
    (*cap)->setMethod(m);
    constexpr int kTicks = 200;
    int changes = 0;
    const double cpu0 = processCpuMs(), server0 = server.cpuMs();
    const auto wall0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kTicks; ++i) {
      auto img = (*cap)->captureRegion(region);
      ASSERT_TRUE(img.ok()) << img.error().message;
      changes += det.changed(*img) ? 1 : 0;
    }
    const double ours = (processCpuMs() - cpu0) / kTicks;
    const double xserver = (server.cpuMs() - server0) / kTicks;
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0)
            .count() /
        kTicks;
    std::printf(
        "watch tick 600x200 (%s): %.3f ms CPU in liseur + %.3f ms CPU in Xvfb, %.3f ms "
        "wall\n",
        m == CaptureMethod::kShm ? "XShm" : "XGetImage", ours, xserver, wall);
    RecordProperty(m == CaptureMethod::kShm ? "tick_cpu_ms_shm" : "tick_cpu_ms_getimage",
                   std::to_string(ours));
    EXPECT_EQ(changes, 0) << "an unchanged region was reported changed";
    EXPECT_LT(ours, 50.0) << "capture + hash of 600x200";
  }

  // Something appears in the region: the next tick sees it.
  test::TestWindow popup(server.display(), 300, 100, 50, 20, 0xff0000);
  ASSERT_TRUE(popup.ok());
  auto img = (*cap)->captureRegion(region);
  ASSERT_TRUE(img.ok());
  EXPECT_TRUE(det.changed(*img)) << "a window appeared in region 20,20 600x200";
}

}  // namespace
}  // namespace liseur
