// WlrScreencopy and SwayIpc against a real headless sway: sizes, pixels, regions, two outputs,
// the active window, the pointer, a compositor that stops answering or dies, no compositor.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "capture/capture.h"
#include "capture/sway_ipc.h"
#include "capture/wlr_screencopy.h"
#include "support/test_env.h"
#include "wayland/sway_server.h"

namespace liseur {
namespace {

using namespace std::chrono_literals;
using test::SwayServer;
using test::TextWindow;

constexpr uint32_t kDesk = 0x204060;   // swaybg's colour on HEADLESS-1
constexpr uint32_t kDesk2 = 0x802020;  // on HEADLESS-2
constexpr uint32_t kWhite = 0xffffff;

// 0xRRGGBB at (x, y) of a B,G,R,A image (image coordinates).
uint32_t rgb(const CapturedImage& img, int x, int y) {
  const auto* p = reinterpret_cast<const unsigned char*>(img.bgra.data()) + y * img.stride + x * 4;
  return (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

std::string hex(uint32_t c) {
  return fmt::format("{:06x}", c);
}

std::string boxStr(const Box& b) {
  return fmt::format("{},{} {}x{}", b.x, b.y, b.w, b.h);
}

// Every pixel of `area` (image coordinates) is `colour`; the first that is not, otherwise "".
std::string firstOther(const CapturedImage& img, const Box& area, uint32_t colour) {
  for (int y = area.y; y < area.y + area.h; ++y) {
    for (int x = area.x; x < area.x + area.w; ++x) {
      if (rgb(img, x, y) != colour) {
        return fmt::format("pixel {},{} is {} instead of {}", x, y, hex(rgb(img, x, y)),
                           hex(colour));
      }
    }
  }
  return "";
}

int countDark(const CapturedImage& img, const Box& area) {
  int n = 0;
  for (int y = area.y; y < area.y + area.h; ++y) {
    for (int x = area.x; x < area.x + area.w; ++x) n += (rgb(img, x, y) & 0xff) < 0x60 ? 1 : 0;
  }
  return n;
}

class WaylandCapture : public ::testing::Test {
 protected:
  void startSway(int w = 1024, int h = 768) {
    sway_ = std::make_unique<SwayServer>(w, h, hex(kDesk));
    ASSERT_TRUE(sway_->ok()) << sway_->error();
    sway_->exportEnv();
    unsetenv("XDG_CURRENT_DESKTOP");
  }
  std::unique_ptr<WlrScreencopy> openGrabber() {
    auto g = WlrScreencopy::open();
    EXPECT_TRUE(g.ok()) << g.error().message;
    return g.ok() ? std::move(g).value() : nullptr;
  }
  // Captures the screen until `pred` holds on it (swaybg and foot draw a moment after they
  // start), up to 10 s; returns the last capture.
  CapturedImage screenWhen(WlrScreencopy& g,
                           const std::function<bool(const CapturedImage&)>& pred) {
    CapturedImage last;
    test::waitFor(
        [&] {
          auto img = g.captureScreen();
          if (!img.ok()) return false;
          last = std::move(img).value();
          return pred(last);
        },
        10s);
    return last;
  }

  std::unique_ptr<SwayServer> sway_;
};

TEST_F(WaylandCapture, ScreenHasTheOutputSizeAndTheBackground) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->backend(), "wlr-screencopy");
  EXPECT_EQ(g->describe(), "sway (" + sway_->waylandDisplay() + ")");
  EXPECT_FALSE(g->lost());
  auto outputs = g->outputs();
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ((*outputs)[0].name, "HEADLESS-1");
  EXPECT_EQ((*outputs)[0].logical, (Box{0, 0, 1024, 768}));
  EXPECT_EQ((*outputs)[0].device, (Box{0, 0, 1024, 768}));
  EXPECT_DOUBLE_EQ((*outputs)[0].scale, 1.0);
  auto desk = g->desktopBox();
  ASSERT_TRUE(desk.ok()) << desk.error().message;
  EXPECT_EQ(*desk, (Box{0, 0, 1024, 768}));

  CapturedImage img = screenWhen(
      *g, [](const CapturedImage& i) { return i.width == 1024 && rgb(i, 512, 384) == kDesk; });
  ASSERT_EQ(img.width, 1024);
  ASSERT_EQ(img.height, 768);
  EXPECT_EQ(img.stride, 1024 * 4);
  EXPECT_EQ(img.bgra.size(), 1024u * 768 * 4);
  EXPECT_EQ(img.origin, (Box{0, 0, 1024, 768}));
  // The whole desktop is swaybg's colour (the cursor is not composited: overlay_cursor = 0),
  // opaque.
  EXPECT_EQ(firstOther(img, Box{0, 0, 1024, 768}, kDesk), "");
  EXPECT_EQ(static_cast<unsigned char>(img.bgra[3]), 0xff);
  EXPECT_EQ(img.description.rfind("screen", 0), 0u) << img.description;
}

TEST_F(WaylandCapture, OpensTheDisplayByNameOrPath) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  unsetenv("WAYLAND_DISPLAY");
  // A name under XDG_RUNTIME_DIR, as wl_display_connect takes it, and an absolute path.
  for (const std::string& name :
       {sway_->waylandDisplay(), sway_->runtimeDir() + "/" + sway_->waylandDisplay()}) {
    auto g = WlrScreencopy::open(name);
    ASSERT_TRUE(g.ok()) << name << ": " << g.error().message;
    EXPECT_EQ((*g)->describe(), "sway (" + name + ")");
    auto img = (*g)->captureRegion(Box{0, 0, 8, 8});
    EXPECT_TRUE(img.ok()) << name << ": " << img.error().message;
  }
}

TEST_F(WaylandCapture, FootWindowIsWhereSwayPutsItWithItsText) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  TextWindow w;
  w.floating = Box{100, 80, 480, 200};
  auto rect = sway_->showText("Bonjour, élève ! Ça va très bien.", w);
  ASSERT_TRUE(rect) << sway_->error();
  EXPECT_EQ(*rect, (Box{100, 80, 480, 200}));
  auto g = openGrabber();
  ASSERT_TRUE(g);
  // The first line of text: 24 px cells, DejaVu Sans Mono 20 px, no padding.
  const Box text_line{100, 80, 480, 24};
  CapturedImage img = screenWhen(*g, [&](const CapturedImage& i) {
    return rgb(i, 300, 250) == kWhite && countDark(i, text_line) > 300;
  });
  EXPECT_GT(countDark(img, text_line), 300) << "no black text on the first line";
  // Below the text the window is white, exactly to its edges; the desktop around it.
  EXPECT_EQ(firstOther(img, Box{100, 110, 480, 170}, kWhite), "");
  EXPECT_EQ(firstOther(img, Box{99, 80, 1, 200}, kDesk), "");
  EXPECT_EQ(firstOther(img, Box{580, 80, 1, 200}, kDesk), "");
  EXPECT_EQ(firstOther(img, Box{100, 79, 480, 1}, kDesk), "");
  EXPECT_EQ(firstOther(img, Box{100, 280, 480, 1}, kDesk), "");
}

TEST_F(WaylandCapture, RegionIsTheSameAreaOfTheScreenAndIsClipped) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  TextWindow w;
  w.floating = Box{100, 80, 480, 200};
  ASSERT_TRUE(sway_->showText("Région: été, Noël, œuvre.", w)) << sway_->error();
  auto g = openGrabber();
  ASSERT_TRUE(g);
  CapturedImage screen = screenWhen(*g, [](const CapturedImage& i) {
    return rgb(i, 300, 250) == kWhite && countDark(i, Box{100, 80, 480, 24}) > 300;
  });

  // Across the window's top-left corner and its text: pixel for pixel the screen's.
  const Box area{70, 60, 250, 90};
  auto region = g->captureRegion(area);
  ASSERT_TRUE(region.ok()) << region.error().message;
  ASSERT_EQ(region->origin, area);
  ASSERT_EQ(region->width, 250);
  ASSERT_EQ(region->height, 90);
  EXPECT_EQ(region->stride, 250 * 4);
  int differ = 0;
  for (int y = 0; y < area.h; ++y) {
    for (int x = 0; x < area.w; ++x) {
      differ += rgb(*region, x, y) != rgb(screen, area.x + x, area.y + y) ? 1 : 0;
    }
  }
  EXPECT_EQ(differ, 0) << "region " << boxStr(area) << " differs from the screen";
  EXPECT_EQ(rgb(*region, 29, 19), kDesk);   // 99,79: just outside the window
  EXPECT_EQ(rgb(*region, 30, 85), kWhite);  // 100,145: inside, below the text

  // Over the bottom-right edge: clipped to the desktop.
  auto clipped = g->captureRegion(Box{1000, 700, 100, 100});
  ASSERT_TRUE(clipped.ok()) << clipped.error().message;
  EXPECT_EQ(clipped->origin, (Box{1000, 700, 24, 68}));
  EXPECT_EQ(clipped->width, 24);
  EXPECT_EQ(clipped->height, 68);
  EXPECT_EQ(firstOther(*clipped, Box{0, 0, 24, 68}, kDesk), "");

  // Errors name the region.
  auto empty = g->captureRegion(Box{10, 10, 0, 5});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.error().message.find("10,10 0x5"), std::string::npos) << empty.error().message;
  auto outside = g->captureRegion(Box{2000, 2000, 50, 50});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(outside.error().message.find("2000,2000 50x50"), std::string::npos)
      << outside.error().message;
  EXPECT_NE(outside.error().message.find("0,0 1024x768"), std::string::npos)
      << outside.error().message;
  EXPECT_FALSE(g->lost());
}

TEST_F(WaylandCapture, TwoOutputsMakeOneDesktop) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  // Opened before the second output exists: it is picked up when it appears (hot-plug).
  auto g = openGrabber();
  ASSERT_TRUE(g);
  auto created = sway_->swaymsg({"create_output"});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  auto placed = sway_->swaymsg(
      {"output HEADLESS-2 resolution 640x480 position 1024 0 bg #" + hex(kDesk2) + " solid_color"});
  ASSERT_EQ(placed.exit_code, 0) << placed.out << placed.err;
  ASSERT_TRUE(test::waitFor(
      [&] {
        auto d = g->desktopBox();
        return d.ok() && *d == Box{0, 0, 1664, 768};
      },
      10s))
      << "desktop " << (g->desktopBox().ok() ? boxStr(*g->desktopBox()) : "error");
  auto outputs = g->outputs();
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 2u);
  EXPECT_EQ((*outputs)[1].name, "HEADLESS-2");
  EXPECT_EQ((*outputs)[1].device, (Box{1024, 0, 640, 480}));

  CapturedImage img = screenWhen(*g, [](const CapturedImage& i) {
    return i.width == 1664 && rgb(i, 10, 10) == kDesk && rgb(i, 1100, 100) == kDesk2;
  });
  ASSERT_EQ(img.width, 1664);
  ASSERT_EQ(img.height, 768);
  EXPECT_EQ(firstOther(img, Box{0, 0, 1024, 768}, kDesk), "");
  EXPECT_EQ(firstOther(img, Box{1024, 0, 640, 480}, kDesk2), "");
  // Below the smaller output there is no screen: opaque black.
  EXPECT_EQ(firstOther(img, Box{1024, 480, 640, 288}, 0x000000), "");

  // A region across both outputs takes each part from its output.
  auto across = g->captureRegion(Box{1000, 100, 60, 20});
  ASSERT_TRUE(across.ok()) << across.error().message;
  EXPECT_EQ(firstOther(*across, Box{0, 0, 24, 20}, kDesk), "");
  EXPECT_EQ(firstOther(*across, Box{24, 0, 36, 20}, kDesk2), "");
  // Only on the second output.
  auto second = g->captureRegion(Box{1200, 200, 30, 30});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(firstOther(*second, Box{0, 0, 30, 30}, kDesk2), "");

  EXPECT_FALSE(g->lost());
}

TEST_F(WaylandCapture, ActiveWindowIsTheFocusedWindowOnSway) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  // Nothing open: the focus is on the workspace.
  auto none = g->captureActiveWindow();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument) << none.error().message;
  EXPECT_NE(none.error().message.find("no window is focused"), std::string::npos)
      << none.error().message;

  TextWindow w;
  w.floating = Box{200, 150, 360, 120};
  auto rect = sway_->showText("Fenêtre active", w);
  ASSERT_TRUE(rect) << sway_->error();
  CapturedImage img;
  ASSERT_TRUE(test::waitFor(
      [&] {
        auto r = g->captureActiveWindow();
        if (!r.ok()) return false;
        img = std::move(r).value();
        return img.origin == *rect && rgb(img, 300, 100) == kWhite;
      },
      10s))
      << "active window at " << boxStr(img.origin) << ", foot at " << boxStr(*rect);
  EXPECT_EQ(img.width, 360);
  EXPECT_EQ(img.height, 120);
  EXPECT_EQ(firstOther(img, Box{0, 30, 360, 90}, kWhite), "");
  EXPECT_GT(countDark(img, Box{0, 0, 360, 24}), 100);
  EXPECT_EQ(img.description.rfind("active window", 0), 0u) << img.description;

  // The same through SwayIpc directly.
  auto ipc = SwayIpc::connect();
  ASSERT_TRUE(ipc.ok()) << ipc.error().message;
  auto focused = ipc->focusedWindowRect();
  ASSERT_TRUE(focused.ok()) << focused.error().message;
  EXPECT_EQ(*focused, *rect);
}

TEST_F(WaylandCapture, ActiveWindowElsewhereThanSwayIsUnsupported) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  // As on labwc: no SWAYSOCK, the desktop named by XDG_CURRENT_DESKTOP.
  unsetenv("SWAYSOCK");
  setenv("XDG_CURRENT_DESKTOP", "labwc", 1);
  auto g = openGrabber();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->describe(), "labwc (" + sway_->waylandDisplay() + ")");
  auto r = g->captureActiveWindow();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(r.error().message.find("labwc"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("liseur read region X,Y,W,H"), std::string::npos)
      << r.error().message;
  unsetenv("XDG_CURRENT_DESKTOP");
}

TEST_F(WaylandCapture, ClipboardImageIsReadThroughDataControl) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  auto empty = g->clipboardPng(2s, 1 << 20);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kClipboardNoImage) << empty.error().message;
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;

  // Text only: the error lists what is offered.
  sway_->copyToClipboard("Bonjour", "text/plain;charset=utf-8");
  Result<std::string> text = Error{};
  ASSERT_TRUE(test::waitFor(
      [&] {
        text = g->clipboardPng(2s, 1 << 20);
        return !text.ok() && text.error().message.find("text/plain") != std::string::npos;
      },
      10s))
      << (text.ok() ? "got bytes" : text.error().message);
  EXPECT_EQ(text.error().code, ErrorCode::kClipboardNoImage);

  const std::string png = test::readFile(test::dataPath("ocr/dialog-en.png"));
  ASSERT_GT(png.size(), 1000u);
  const pid_t owner = sway_->copyToClipboard(png, "image/png");
  Result<std::string> got = Error{};
  ASSERT_TRUE(test::waitFor(
      [&] {
        got = g->clipboardPng(2s, 64u << 20);
        return got.ok();
      },
      10s))
      << got.error().message;
  EXPECT_EQ(got->size(), png.size());
  EXPECT_TRUE(*got == png) << "the bytes differ from the copied file";

  auto small = g->clipboardPng(2s, 100);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, ErrorCode::kImageTooLarge) << small.error().message;
  EXPECT_NE(small.error().message.find("100 byte"), std::string::npos) << small.error().message;

  // An owner that does not answer: a timeout, not a hang.
  ASSERT_EQ(kill(owner, SIGSTOP), 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto stalled = g->clipboardPng(500ms, 64u << 20);
  const auto took = std::chrono::steady_clock::now() - t0;
  kill(owner, SIGCONT);
  ASSERT_FALSE(stalled.ok());
  EXPECT_EQ(stalled.error().code, ErrorCode::kTimeout) << stalled.error().message;
  EXPECT_LT(took, 2s);
  EXPECT_FALSE(g->lost());
}

TEST_F(WaylandCapture, StoppedCompositorTimesOutInsteadOfBlocking) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  g->setFrameTimeout(500ms);
  ASSERT_TRUE(g->captureScreen().ok());
  ASSERT_EQ(kill(sway_->pid(), SIGSTOP), 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = g->captureScreen();
  const auto took = std::chrono::steady_clock::now() - t0;
  kill(sway_->pid(), SIGCONT);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().message;
  EXPECT_NE(r.error().message.find("500 ms"), std::string::npos) << r.error().message;
  EXPECT_LT(took, 2s);
  EXPECT_FALSE(g->lost());
  // Once the compositor runs again, the same connection captures again (late replies to the
  // abandoned requests are ignored).
  EXPECT_TRUE(test::waitFor([&] { return g->captureScreen().ok(); }, 5s));
}

TEST_F(WaylandCapture, KilledCompositorMarksTheGrabberLost) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  ASSERT_TRUE(g->captureScreen().ok());
  sway_->killCompositor();
  auto r = g->captureScreen();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDisplayUnavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("sway (" + sway_->waylandDisplay() + ")"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("open the capture again"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(g->lost());
  // Every later call fails the same way, at once.
  auto again = g->captureRegion(Box{0, 0, 10, 10});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_FALSE(g->desktopBox().ok());
}

TEST_F(WaylandCapture, ScaledOutputIsCapturedInDevicePixels) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto scaled = sway_->swaymsg({"output", "HEADLESS-1", "scale", "2"});
  ASSERT_EQ(scaled.exit_code, 0) << scaled.out << scaled.err;
  TextWindow w;
  w.floating = Box{100, 80, 200, 100};  // logical pixels
  auto rect = sway_->showText("Échelle deux", w);
  ASSERT_TRUE(rect) << sway_->error();
  auto g = openGrabber();
  ASSERT_TRUE(g);
  auto outputs = g->outputs();
  ASSERT_TRUE(outputs.ok());
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ((*outputs)[0].logical, (Box{0, 0, 512, 384}));
  EXPECT_EQ((*outputs)[0].device, (Box{0, 0, 1024, 768}));
  EXPECT_DOUBLE_EQ((*outputs)[0].scale, 2.0);
  CapturedImage img = screenWhen(*g, [](const CapturedImage& i) {
    return i.width == 1024 && rgb(i, 300, 330) == kWhite && rgb(i, 10, 10) == kDesk;
  });
  ASSERT_EQ(img.width, 1024);
  ASSERT_EQ(img.height, 768);
  // The window is at 200,160 400x200 in device pixels.
  EXPECT_EQ(firstOther(img, Box{200, 240, 400, 120}, kWhite), "");
  EXPECT_EQ(firstOther(img, Box{199, 160, 1, 200}, kDesk), "");
  EXPECT_EQ(firstOther(img, Box{600, 160, 1, 200}, kDesk), "");
  // A region at an odd device position (half a logical pixel) is still exact.
  auto region = g->captureRegion(Box{195, 201, 11, 7});
  ASSERT_TRUE(region.ok()) << region.error().message;
  EXPECT_EQ(region->origin, (Box{195, 201, 11, 7}));
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 11; ++x) {
      ASSERT_EQ(rgb(*region, x, y), rgb(img, 195 + x, 201 + y)) << x << "," << y;
    }
  }
  // The active window, from sway's logical rect.
  auto active = g->captureActiveWindow();
  ASSERT_TRUE(active.ok()) << active.error().message;
  EXPECT_EQ(active->origin, (Box{200, 160, 400, 200}));
}

TEST_F(WaylandCapture, RotatedOutputIsTurnedUpright) {
  ASSERT_NO_FATAL_FAILURE(startSway());
  for (const char* transform :
       {"90", "180", "270", "flipped", "flipped-90", "flipped-180", "flipped-270"}) {
    SCOPED_TRACE(std::string("transform ") + transform);
    auto turned = sway_->swaymsg({"output", "HEADLESS-1", "transform", transform});
    ASSERT_EQ(turned.exit_code, 0) << turned.out << turned.err;
    const bool sideways = std::string(transform).find("90") != std::string::npos ||
                          std::string(transform).find("270") != std::string::npos;
    const int w = sideways ? 768 : 1024, h = sideways ? 1024 : 768;
    TextWindow tw;
    tw.floating = Box{60, 40, 300, 120};
    auto rect = sway_->showText("Haut gauche", tw);
    ASSERT_TRUE(rect) << sway_->error();
    EXPECT_EQ(*rect, (Box{60, 40, 300, 120}));
    auto g = openGrabber();
    ASSERT_TRUE(g);
    CapturedImage img = screenWhen(*g, [&](const CapturedImage& i) {
      return i.width == w && i.height == h && rgb(i, 200, 140) == kWhite &&
             countDark(i, Box{60, 40, 150, 24}) > 100;
    });
    ASSERT_EQ(img.width, w);
    ASSERT_EQ(img.height, h);
    // The window where sway put it, its text on its first line at its left.
    EXPECT_EQ(firstOther(img, Box{60, 70, 300, 90}, kWhite), "");
    EXPECT_EQ(firstOther(img, Box{59, 40, 1, 120}, kDesk), "");
    EXPECT_EQ(firstOther(img, Box{360, 40, 1, 120}, kDesk), "");
    EXPECT_GT(countDark(img, Box{60, 40, 150, 24}), 100);
    EXPECT_EQ(countDark(img, Box{60, 64, 300, 96}), 0);
    // Each window was opened for one transform: close it before the next.
    sway_->swaymsg({"[app_id=\"liseur-test-.*\"]", "kill"});
    ASSERT_TRUE(test::waitFor(
        [&] {
          return sway_->swaymsg({"-t", "get_tree"}).out.find("liseur-test") == std::string::npos;
        },
        10s));
  }
}

TEST_F(WaylandCapture, PointerWithoutAVisibleCursorIsAClearError) {
  // wlroots' headless backend has no pointer device here (WLR_LIBINPUT_NO_DEVICES), so sway
  // shows no cursor: the pointer cannot be found, and the error says what to do instead.
  ASSERT_NO_FATAL_FAILURE(startSway());
  auto g = openGrabber();
  ASSERT_TRUE(g);
  auto set = sway_->swaymsg({"seat", "seat0", "cursor", "set", "300", "200"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  auto r = g->captureAroundPointer(200, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(r.error().message.find("cannot find the pointer on sway"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("liseur read region X,Y,W,H"), std::string::npos)
      << r.error().message;
  auto bad = g->captureAroundPointer(0, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(g->lost());
}

TEST(WaylandCaptureNoCompositor, NoDisplayIsDisplayUnavailable) {
  test::TempXdg xdg;  // an empty XDG_RUNTIME_DIR: no compositor there
  unsetenv("WAYLAND_DISPLAY");
  unsetenv("SWAYSOCK");
  auto unset = WlrScreencopy::open();
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(unset.error().message.find("WAYLAND_DISPLAY is not set"), std::string::npos)
      << unset.error().message;

  auto missing = WlrScreencopy::open("wayland-liseur-none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(missing.error().message.find("wayland-liseur-none"), std::string::npos)
      << missing.error().message;

  auto ipc = SwayIpc::connect(xdg.path("no-such-sway.sock"));
  ASSERT_FALSE(ipc.ok());
  EXPECT_EQ(ipc.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(ipc.error().message.find("no-such-sway.sock"), std::string::npos)
      << ipc.error().message;
}

CapturedImage solid(int w, int h, uint32_t colour) {
  CapturedImage img;
  img.width = w;
  img.height = h;
  img.stride = w * 4;
  for (int i = 0; i < w * h; ++i) {
    img.bgra += static_cast<char>(colour & 0xff);
    img.bgra += static_cast<char>((colour >> 8) & 0xff);
    img.bgra += static_cast<char>((colour >> 16) & 0xff);
    img.bgra += static_cast<char>(0xff);
  }
  return img;
}

void paint(CapturedImage& img, const Box& b, uint32_t colour) {
  for (int y = b.y; y < b.y + b.h; ++y) {
    for (int x = b.x; x < b.x + b.w; ++x) {
      char* p = img.bgra.data() + y * img.stride + x * 4;
      p[0] = static_cast<char>(colour & 0xff);
      p[1] = static_cast<char>((colour >> 8) & 0xff);
      p[2] = static_cast<char>((colour >> 16) & 0xff);
    }
  }
}

// The pointer search on real hardware (a cursor plane that screencopy composites only when
// asked), with frames made here since the headless backend shows no cursor.
TEST(LocateCursor, FindsTheCursorAndIgnoresWhatChangedMeanwhile) {
  CapturedImage before = solid(400, 300, kDesk), after = before, with = before;
  paint(with, Box{120, 80, 12, 20}, 0x000000);  // the arrow
  paint(with, Box{125, 85, 4, 8}, 0xffffff);
  // A clock ticking between the captures: in `with` and `after`, not the cursor.
  paint(with, Box{350, 10, 30, 12}, 0x00ff00);
  paint(after, Box{350, 10, 30, 12}, 0x00ff00);
  auto box = locateCursor(before, with, after);
  ASSERT_TRUE(box.ok()) << box.error().message;
  EXPECT_EQ(*box, (Box{120, 80, 12, 20}));

  auto none = locateCursor(before, before, before);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Box{});

  CapturedImage changed = before;
  paint(changed, Box{0, 0, 400, 300}, 0x123456);  // a whole new page, not a cursor
  auto big = locateCursor(before, changed, before);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(big.error().message.find("0,0 400x300"), std::string::npos) << big.error().message;

  auto sizes = locateCursor(before, solid(10, 10, kDesk), before);
  ASSERT_FALSE(sizes.ok());
  EXPECT_EQ(sizes.error().code, ErrorCode::kInternal);
}

TEST(SwayTree, FocusedWindowRectAndErrors) {
  const std::string tree = R"({"type":"root","rect":{"x":0,"y":0,"width":800,"height":600},
    "nodes":[{"type":"output","nodes":[{"type":"workspace","nodes":[
      {"type":"con","focused":false,"rect":{"x":0,"y":0,"width":400,"height":600}}],
     "floating_nodes":[{"type":"floating_con","focused":true,
      "rect":{"x":50,"y":60,"width":300,"height":200}}]}]}]})";
  auto r = focusedWindowRectInTree(tree);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (Box{50, 60, 300, 200}));

  auto ws = focusedWindowRectInTree(
      R"({"type":"root","nodes":[{"type":"workspace","focused":true,"nodes":[]}]})");
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(ws.error().message.find("workspace"), std::string::npos) << ws.error().message;

  for (const char* bad : {"", "[1,2]", "{\"type\":\"con\"}", "{\"type\":\"root\",\"nodes\":[{"}) {
    auto b = focusedWindowRectInTree(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().code, ErrorCode::kInternal) << bad;
  }
  auto off = inactiveOutputsIn(
      R"([{"name":"eDP-1","active":false},{"name":"HDMI-A-1","active":true},{"name":"DP-2"}])");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_EQ(*off, std::vector<std::string>{"eDP-1"});
  EXPECT_FALSE(inactiveOutputsIn("{}").ok());

  auto wrong_type = focusedWindowRectInTree(
      R"({"type":"root","nodes":[{"type":"con","focused":true,"rect":{"x":"a"}}]})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace liseur
