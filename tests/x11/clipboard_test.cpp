// ScreenCapture::clipboardPng against real clipboard owners (xclip) and a silent one.
// GoogleTest and liseur headers before Xlib, which #defines None, Bool and Status.
#include <gtest/gtest.h>

#include "capture/capture.h"
#include "support/test_env.h"
#include "x11/xvfb_server.h"

#include <X11/Xlib.h>

namespace liseur {
namespace {

using test::ChildProcess;
using test::XvfbServer;

// Writes a valid RGB PNG of random pixels (incompressible, so its size is about w*h*3) with
// Python's zlib; returns its bytes.
std::string makePng(const std::string& path, int w, int h) {
  const std::string script =
      "import sys, zlib, struct, random\n"
      "w, h, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]\n"
      "rnd = random.Random(7)\n"
      "raw = b''.join(b'\\x00' + rnd.randbytes(w * 3) for _ in range(h))\n"
      "def chunk(t, d): return struct.pack('>I', len(d)) + t + d + "
      "struct.pack('>I', zlib.crc32(t + d))\n"
      "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, "
      "0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')\n"
      "open(path, 'wb').write(png)\n";
  const auto r =
      test::runCommand({"python3", "-c", script, std::to_string(w), std::to_string(h), path}, "");
  if (r.exit_code != 0) return {};
  return test::readFile(path);
}

class ClipboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    auto cap = ScreenCapture::open(server_.display());
    ASSERT_TRUE(cap.ok()) << cap.error().message;
    cap_ = std::move(cap.value());
    obs_ = XOpenDisplay(server_.display().c_str());
    ASSERT_NE(obs_, nullptr);
  }
  void TearDown() override {
    if (obs_ != nullptr) XCloseDisplay(obs_);
  }
  bool waitForOwner() {
    const Atom clipboard = XInternAtom(obs_, "CLIPBOARD", False);
    return test::waitUntil([&] { return XGetSelectionOwner(obs_, clipboard) != None; });
  }
  // xclip in the foreground (-quiet), serving `file` as `type` until stopped.
  ChildProcess offer(const std::string& file, const std::string& type) {
    return ChildProcess({"xclip", "-quiet", "-selection", "clipboard", "-t", type, "-i", file},
                        server_.display());
  }

  XvfbServer server_;
  test::TempXdg tmp_;
  std::unique_ptr<ScreenCapture> cap_;
  Display* obs_ = nullptr;
};

TEST_F(ClipboardTest, NoOwnerIsAClearError) {
  auto png = cap_->clipboardPng();
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().code, ErrorCode::kClipboardNoImage);
  EXPECT_NE(png.error().message.find("clipboard is empty"), std::string::npos)
      << png.error().message;
}

TEST_F(ClipboardTest, SmallPngIsFetchedByteForByte) {
  const std::string file = tmp_.path("small.png");
  const std::string bytes = makePng(file, 40, 20);
  ASSERT_GT(bytes.size(), 100u) << file;
  ChildProcess xclip = offer(file, "image/png");
  ASSERT_TRUE(waitForOwner()) << "xclip did not take the clipboard";
  auto png = cap_->clipboardPng();
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->size(), bytes.size());
  EXPECT_TRUE(*png == bytes) << "clipboard bytes differ from " << file;

  // Asked again (a second hotkey press), the same answer.
  auto again = cap_->clipboardPng();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(*again == bytes);
}

// Over about 1 MB xclip sends in INCR chunks.
TEST_F(ClipboardTest, LargePngArrivesInIncrementsIntact) {
  const std::string file = tmp_.path("large.png");
  const std::string bytes = makePng(file, 800, 700);
  ASSERT_GT(bytes.size(), 1500000u) << file;
  ChildProcess xclip = offer(file, "image/png");
  ASSERT_TRUE(waitForOwner());
  auto png = cap_->clipboardPng(std::chrono::seconds(20));
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->size(), bytes.size());
  EXPECT_TRUE(*png == bytes);
}

TEST_F(ClipboardTest, OversizedImageIsRefused) {
  const std::string file = tmp_.path("small.png");
  const std::string bytes = makePng(file, 40, 20);
  ChildProcess xclip = offer(file, "image/png");
  ASSERT_TRUE(waitForOwner());
  auto png = cap_->clipboardPng(std::chrono::seconds(5), 100);
  ASSERT_FALSE(png.ok()) << bytes.size() << " bytes accepted with a 100-byte limit";
  EXPECT_EQ(png.error().code, ErrorCode::kImageTooLarge) << png.error().message;
}

TEST_F(ClipboardTest, TextClipboardSaysWhatItOffers) {
  const std::string file = tmp_.path("text.txt");
  test::writeFile(file, "bonjour");
  ChildProcess xclip = offer(file, "UTF8_STRING");
  ASSERT_TRUE(waitForOwner());
  auto png = cap_->clipboardPng();
  ASSERT_FALSE(png.ok());
  EXPECT_NE(png.error().message.find("no PNG image"), std::string::npos) << png.error().message;
  EXPECT_NE(png.error().message.find("UTF8_STRING"), std::string::npos) << png.error().message;
  EXPECT_EQ(png.error().message.find("bonjour"), std::string::npos)
      << "clipboard content must not appear in messages: " << png.error().message;
}

TEST_F(ClipboardTest, SilentOwnerTimesOut) {
  // An owner that never answers (this connection reads no events).
  const Window w = XCreateSimpleWindow(obs_, DefaultRootWindow(obs_), 0, 0, 1, 1, 0, 0, 0);
  XSetSelectionOwner(obs_, XInternAtom(obs_, "CLIPBOARD", False), w, CurrentTime);
  XSync(obs_, False);
  const auto start = std::chrono::steady_clock::now();
  auto png = cap_->clipboardPng(std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.error().code, ErrorCode::kTimeout) << png.error().message;
  EXPECT_NE(png.error().message.find("300 ms"), std::string::npos) << png.error().message;
  EXPECT_LT(took, std::chrono::seconds(10));
}

}  // namespace
}  // namespace liseur
