// ScreenCapture against a real X server (Xvfb) and real clients (xterm, openbox, test windows).
// GoogleTest and liseur headers before Xlib, which #defines None, Bool and Status.
#include <gtest/gtest.h>

#include "capture/capture.h"
#include "x11/xvfb_server.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>
#include <fmt/format.h>
#include <cstdlib>
#include <cstring>

namespace liseur {
namespace {

using test::ChildProcess;
using test::TestWindow;
using test::XvfbServer;

// Two lines of French and one of English; no single quotes (the text goes through sh -c '...').
constexpr const char* kText =
    "Le cœur a ses raisons.\\nÉlève : ça va très bien !\\nThe quick brown fox jumps.\\n";

std::string describe(const Box& b) {
  return fmt::format("{},{} {}x{}", b.x, b.y, b.w, b.h);
}

struct PixelStats {
  long dark = 0, light = 0, other = 0;
};

PixelStats stats(const CapturedImage& img) {
  PixelStats s;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const auto* p =
          reinterpret_cast<const unsigned char*>(img.bgra.data()) + y * img.stride + x * 4;
      const int lum = (p[0] + p[1] + p[2]) / 3;
      if (lum < 80) {
        ++s.dark;
      } else if (lum > 200) {
        ++s.light;
      } else {
        ++s.other;
      }
    }
  }
  return s;
}

uint32_t pixelAt(const CapturedImage& img, int x, int y) {
  uint32_t v = 0;
  std::memcpy(&v, img.bgra.data() + y * img.stride + x * 4, 4);
  return v;  // little-endian: 0xAARRGGBB
}

Box windowBox(Display* d, unsigned long win) {
  XWindowAttributes a{};
  XGetWindowAttributes(d, win, &a);
  int x = 0, y = 0;
  Window child = 0;
  XTranslateCoordinates(d, win, DefaultRootWindow(d), 0, 0, &x, &y, &child);
  return Box{x, y, a.width, a.height};
}

class CaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    auto cap = ScreenCapture::open(server_.display());
    ASSERT_TRUE(cap.ok()) << server_.display() << ": " << cap.error().message;
    cap_ = std::move(cap.value());
    obs_ = XOpenDisplay(server_.display().c_str());
    ASSERT_NE(obs_, nullptr) << server_.display();
  }
  void TearDown() override {
    if (obs_ != nullptr) XCloseDisplay(obs_);
  }

  // Starts an xterm showing kText and waits until its text is drawn; returns its window.
  unsigned long startTextXterm(const std::string& title, const std::string& geometry) {
    xterm_ = test::startXterm(server_.display(), title, geometry, kText);
    const unsigned long id = test::findWindowByTitle(server_.display(), title);
    if (id == 0) return 0;
    // The text is drawn some time after the window maps: wait for dark glyph pixels.
    test::waitUntil([&] {
      auto img = cap_->captureWindow(id);
      return img.ok() && stats(*img).dark > 500;
    });
    return id;
  }

  XvfbServer server_;
  std::unique_ptr<ScreenCapture> cap_;
  Display* obs_ = nullptr;
  ChildProcess xterm_;
};

TEST_F(CaptureTest, SolidWindowPixelsAreExactWithBothMethods) {
  TestWindow win(server_.display(), 100, 120, 200, 80, 0x336699);
  ASSERT_TRUE(win.ok());
  for (CaptureMethod m : {CaptureMethod::kShm, CaptureMethod::kGetImage}) {
    cap_->setMethod(m);
    const Box region{90, 110, 220, 100};
    auto img = cap_->captureRegion(region);
    ASSERT_TRUE(img.ok()) << describe(region) << ": " << img.error().message;
    ASSERT_EQ(img->width, 220);
    ASSERT_EQ(img->height, 100);
    ASSERT_EQ(img->stride, 220 * 4);
    ASSERT_EQ(img->bgra.size(), 220u * 4 * 100);
    EXPECT_EQ(img->origin, region) << describe(img->origin);
    long inside_ok = 0, outside_colour = 0;
    for (int y = 0; y < img->height; ++y) {
      for (int x = 0; x < img->width; ++x) {
        const bool inside = x >= 10 && x < 210 && y >= 10 && y < 90;
        const uint32_t p = pixelAt(*img, x, y);
        if (inside && p == 0xff336699u) ++inside_ok;
        if (!inside && p == 0xff336699u) ++outside_colour;
      }
    }
    EXPECT_EQ(inside_ok, 200 * 80) << "method " << static_cast<int>(m)
                                   << ", pixel (10,10) = " << std::hex << pixelAt(*img, 10, 10);
    EXPECT_EQ(outside_colour, 0) << "method " << static_cast<int>(m);
  }
}

TEST_F(CaptureTest, XtermWindowByIdMatchesGeometryAndRegion) {
  const unsigned long id = startTextXterm("liseur-capture-window", "50x4+40+60");
  ASSERT_NE(id, 0u) << "xterm window not found";
  auto img = cap_->captureWindow(id);
  ASSERT_TRUE(img.ok()) << img.error().message;
  const Box expected = windowBox(obs_, id);
  EXPECT_EQ(img->origin, expected)
      << "captured " << describe(img->origin) << ", window " << describe(expected);
  EXPECT_EQ(img->width, expected.w);
  EXPECT_EQ(img->height, expected.h);
  const PixelStats s = stats(*img);
  // Black text on white: mostly background, with a fair amount of glyph ink.
  EXPECT_GT(s.light, s.dark) << "dark " << s.dark << " light " << s.light;
  EXPECT_GT(s.dark, 500) << "dark " << s.dark << " light " << s.light;

  // The same rectangle as a region gives the same pixels.
  auto region = cap_->captureRegion(expected);
  ASSERT_TRUE(region.ok()) << describe(expected) << ": " << region.error().message;
  EXPECT_TRUE(region->bgra == img->bgra) << "region " << describe(expected);
}

TEST_F(CaptureTest, ShmAndGetImageGiveIdenticalPixels) {
  ASSERT_TRUE(cap_->shmAvailable()) << "Xvfb offers MIT-SHM to local clients";
  const unsigned long id = startTextXterm("liseur-capture-shm", "60x5+0+0");
  ASSERT_NE(id, 0u);
  for (const Box& region : {Box{0, 0, 1280, 800}, Box{3, 7, 601, 199}, Box{1279, 799, 1, 1}}) {
    cap_->setMethod(CaptureMethod::kShm);
    auto a = cap_->captureRegion(region);
    cap_->setMethod(CaptureMethod::kGetImage);
    auto b = cap_->captureRegion(region);
    ASSERT_TRUE(a.ok() && b.ok()) << describe(region);
    EXPECT_EQ(a->width, region.w) << describe(region);
    EXPECT_TRUE(a->bgra == b->bgra) << "XShm and XGetImage differ for " << describe(region);
  }
}

TEST_F(CaptureTest, RegionIsClippedAndBadRegionsAreNamed) {
  auto clipped = cap_->captureRegion(Box{1200, 700, 200, 200});
  ASSERT_TRUE(clipped.ok()) << clipped.error().message;
  EXPECT_EQ(clipped->origin, (Box{1200, 700, 80, 100})) << describe(clipped->origin);
  EXPECT_EQ(clipped->width, 80);
  EXPECT_EQ(clipped->height, 100);

  auto negative = cap_->captureRegion(Box{-50, -50, 100, 100});
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(negative->origin, (Box{0, 0, 50, 50})) << describe(negative->origin);

  auto outside = cap_->captureRegion(Box{2000, 2000, 10, 10});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(outside.error().message.find("2000,2000,10,10"), std::string::npos)
      << outside.error().message;
  EXPECT_NE(outside.error().message.find("outside"), std::string::npos) << outside.error().message;

  auto empty = cap_->captureRegion(Box{10, 10, 0, 5});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("10,10,0,5"), std::string::npos) << empty.error().message;
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;

  auto huge = cap_->captureRegion(Box{2147483000, 0, 2147483000, 10});
  EXPECT_FALSE(huge.ok()) << "region near INT_MAX must not wrap around";
}

TEST_F(CaptureTest, WholeScreenAndMonitors) {
  auto img = cap_->captureScreen();
  ASSERT_TRUE(img.ok()) << img.error().message;
  EXPECT_EQ(img->width, 1280);
  EXPECT_EQ(img->height, 800);
  EXPECT_EQ(img->bgra.size(), 1280u * 800 * 4);
  EXPECT_EQ(cap_->screenBox(), (Box{0, 0, 1280, 800}));
  auto mons = cap_->monitors();
  ASSERT_FALSE(mons.empty());
  EXPECT_EQ(mons[0].geometry, (Box{0, 0, 1280, 800})) << mons[0].name;
}

// Two virtual monitors side by side (RandR 1.5 monitors, as `xrandr --setmonitor` makes): they
// are listed, and the area around the pointer stays on the pointer's monitor.
TEST_F(CaptureTest, MultiMonitorListAndPointerAreaStaysOnItsMonitor) {
  int ev = 0, err = 0, major = 0, minor = 0;
  ASSERT_TRUE(XRRQueryExtension(obs_, &ev, &err) && XRRQueryVersion(obs_, &major, &minor));
  ASSERT_TRUE(major > 1 || minor >= 5) << "RandR " << major << "." << minor;
  const Window root = DefaultRootWindow(obs_);
  struct Virtual {
    const char* name;
    Box box;
  };
  for (const Virtual& v :
       {Virtual{"LEFT", {0, 0, 640, 800}}, Virtual{"RIGHT", {640, 0, 640, 800}}}) {
    XRRMonitorInfo* m = XRRAllocateMonitor(obs_, 0);
    m->name = XInternAtom(obs_, v.name, False);
    m->x = v.box.x;
    m->y = v.box.y;
    m->width = v.box.w;
    m->height = v.box.h;
    m->mwidth = 169;  // 96 dpi
    m->mheight = 211;
    XRRSetMonitor(obs_, root, m);
    XFree(m);
  }
  XSync(obs_, False);
  std::vector<Monitor> mons;
  ASSERT_TRUE(test::waitUntil([&] {
    mons = cap_->monitors();
    return mons.size() >= 2;
  })) << "monitors listed: "
      << mons.size();
  bool left = false, right = false;
  for (const Monitor& m : mons) {
    if (m.name == "LEFT" && m.geometry == Box{0, 0, 640, 800}) left = true;
    if (m.name == "RIGHT" && m.geometry == Box{640, 0, 640, 800}) right = true;
    if (m.name == "RIGHT") {
      EXPECT_NEAR(m.dpi(), 96.2, 1.0) << m.name;
    }
  }
  EXPECT_TRUE(left && right) << "first monitor: " << mons[0].name << " "
                             << describe(mons[0].geometry);

  XWarpPointer(obs_, None, root, 0, 0, 0, 0, 630, 400);
  XSync(obs_, False);
  auto img = cap_->captureAroundPointer(200, 100);
  ASSERT_TRUE(img.ok()) << img.error().message;
  // Centred would be 530..730; it is moved left to stay on LEFT (0..640).
  EXPECT_EQ(img->origin, (Box{440, 350, 200, 100})) << describe(img->origin);
}

TEST_F(CaptureTest, AroundPointerIsCentredAndKeptOnScreen) {
  const Window root = DefaultRootWindow(obs_);
  XWarpPointer(obs_, None, root, 0, 0, 0, 0, 640, 400);
  XSync(obs_, False);
  auto centred = cap_->captureAroundPointer(300, 100);
  ASSERT_TRUE(centred.ok()) << centred.error().message;
  EXPECT_EQ(centred->origin, (Box{490, 350, 300, 100})) << describe(centred->origin);
  EXPECT_EQ(centred->width, 300);
  EXPECT_EQ(centred->pointer_x, 150);
  EXPECT_EQ(centred->pointer_y, 50);

  XWarpPointer(obs_, None, root, 0, 0, 0, 0, 5, 795);
  XSync(obs_, False);
  auto corner = cap_->captureAroundPointer(300, 100);
  ASSERT_TRUE(corner.ok()) << corner.error().message;
  EXPECT_EQ(corner->origin, (Box{0, 700, 300, 100})) << describe(corner->origin);
  EXPECT_EQ(corner->pointer_x, 5);
  EXPECT_EQ(corner->pointer_y, 95);

  auto bad = cap_->captureAroundPointer(0, 100);
  EXPECT_FALSE(bad.ok());
}

// A line of real text (xterm) wider than the area asked for: the area grows to hold the line
// whole, so no word is cut at its edges (capture/pointer_area.h).
TEST_F(CaptureTest, AroundPointerHoldsTheLineUnderThePointerWhole) {
  const unsigned long id = startTextXterm("liseur-capture-pointer", "50x4+40+60");
  ASSERT_NE(id, 0u) << "xterm window not found";
  auto win = cap_->captureWindow(id);
  ASSERT_TRUE(win.ok()) << win.error().message;
  auto dark = [&](int x, int y) {
    const auto* p =
        reinterpret_cast<const unsigned char*>(win->bgra.data()) + y * win->stride + x * 4;
    return (p[0] + p[1] + p[2]) / 3 < 80;
  };
  // The third line of text ("The quick brown fox jumps."): its rows and the columns of its
  // ink, in the window's pixels.
  int top = -1, bottom = -1, left = win->width, right = -1, line = 0;
  for (int y = 0; y < win->height && bottom < 0; ++y) {
    bool ink = false;
    for (int x = 0; x < win->width; ++x) ink = ink || dark(x, y);
    if (ink && top < 0) top = y;
    if (!ink && top >= 0 && ++line < 3)
      top = -1;
    else if (!ink && top >= 0)
      bottom = y;
  }
  for (int y = std::max(top, 0); y < bottom; ++y)
    for (int x = 0; x < win->width; ++x)
      if (dark(x, y)) left = std::min(left, x), right = std::max(right, x);
  ASSERT_GE(top, 0) << "no text in the xterm";
  ASSERT_GT(right - left, 120) << "the line is wider than the area asked for: " << top << ".."
                               << bottom;
  const int sx = win->origin.x, sy = win->origin.y;
  XWarpPointer(obs_, None, DefaultRootWindow(obs_), 0, 0, 0, 0, sx + (left + right) / 2,
               sy + (top + bottom) / 2);
  XSync(obs_, False);
  auto area = cap_->captureAroundPointer(100, 40);
  ASSERT_TRUE(area.ok()) << area.error().message;
  EXPECT_LE(area->origin.x, sx + left) << describe(area->origin);
  EXPECT_GE(area->origin.x + area->origin.w, sx + right + 1) << describe(area->origin);
  EXPECT_LE(area->origin.y, sy + top) << describe(area->origin);
  EXPECT_GE(area->origin.y + area->origin.h, sy + bottom) << describe(area->origin);
  EXPECT_EQ(area->width, area->origin.w);
  EXPECT_EQ(area->pointer_x, sx + (left + right) / 2 - area->origin.x);
}

TEST_F(CaptureTest, ActiveWindowWithoutWindowManagerIsAClearError) {
  auto img = cap_->captureActiveWindow();
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message.find("_NET_ACTIVE_WINDOW"), std::string::npos)
      << img.error().message;
}

TEST_F(CaptureTest, ActiveWindowUnderOpenboxExcludesTheFrame) {
  ChildProcess wm({"openbox", "--sm-disable"}, server_.display());
  const Atom supporting = XInternAtom(obs_, "_NET_SUPPORTING_WM_CHECK", False);
  ASSERT_TRUE(test::waitUntil([&] {
    Atom type = None;
    int format = 0;
    unsigned long n = 0, after = 0;
    unsigned char* data = nullptr;
    XGetWindowProperty(obs_, DefaultRootWindow(obs_), supporting, 0, 1, False, AnyPropertyType,
                       &type, &format, &n, &after, &data);
    if (data != nullptr) XFree(data);
    return n == 1;
  })) << "openbox did not start";
  const unsigned long id = startTextXterm("liseur-capture-active", "50x4+200+200");
  ASSERT_NE(id, 0u);
  ASSERT_EQ(test::runCommand({"xdotool", "windowactivate", "--sync", std::to_string(id)},
                             server_.display())
                .exit_code,
            0);
  ASSERT_TRUE(test::waitUntil([&] {
    auto a = cap_->activeWindow();
    return a.ok() && *a == id;
  })) << "_NET_ACTIVE_WINDOW never became 0x"
      << std::hex << id;

  auto img = cap_->captureActiveWindow();
  ASSERT_TRUE(img.ok()) << img.error().message;
  const Box client = windowBox(obs_, id);
  EXPECT_EQ(img->origin, client) << "captured " << describe(img->origin) << ", client "
                                 << describe(client);
  // openbox reparented the xterm into a frame with a title bar above it: the frame is bigger and
  // starts higher; only the client area was captured.
  Window root = 0, parent = 0, *children = nullptr;
  unsigned n = 0;
  XQueryTree(obs_, id, &root, &parent, &children, &n);
  if (children != nullptr) XFree(children);
  Window frame = parent;
  for (;;) {  // climb to the top-level frame (the root's child)
    Window r = 0, p = 0, *c = nullptr;
    unsigned k = 0;
    XQueryTree(obs_, frame, &r, &p, &c, &k);
    if (c != nullptr) XFree(c);
    if (p == r) break;
    frame = p;
  }
  ASSERT_NE(frame, root) << "xterm was not reparented by openbox";
  const Box frame_box = windowBox(obs_, frame);
  EXPECT_LT(frame_box.y, img->origin.y) << "frame " << describe(frame_box);
  EXPECT_GT(frame_box.h, img->origin.h) << "frame " << describe(frame_box);
  EXPECT_GT(stats(*img).dark, 500);
}

TEST_F(CaptureTest, VanishedWindowIsNamed) {
  auto img = cap_->captureWindow(0x7fff123);
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message.find("0x7fff123"), std::string::npos) << img.error().message;
}

TEST_F(CaptureTest, ClientSideDecorationShadowIsRemoved) {
  TestWindow win(server_.display(), 300, 200, 240, 160, 0x123456);
  ASSERT_TRUE(win.ok());
  // A GTK client-side-decorated window: 10 px of shadow left and right, 5 above, 15 below.
  const long extents[4] = {10, 10, 5, 15};
  XChangeProperty(win.dpy(), win.id(), XInternAtom(win.dpy(), "_GTK_FRAME_EXTENTS", False),
                  XA_CARDINAL, 32, PropModeReplace, reinterpret_cast<const unsigned char*>(extents),
                  4);
  XSync(win.dpy(), False);
  auto img = cap_->captureWindow(win.id());
  ASSERT_TRUE(img.ok()) << img.error().message;
  EXPECT_EQ(img->origin, (Box{310, 205, 220, 140})) << describe(img->origin);
}

// A server without MIT-SHM (as over ssh -X): automatic capture uses XGetImage, forcing XShm is a
// clear error.
TEST(CaptureNoShm, FallsBackToGetImage) {
  XvfbServer server("640x480x24", {"-extension", "MIT-SHM"});
  ASSERT_TRUE(server.ok()) << server.error();
  auto cap = ScreenCapture::open(server.display());
  ASSERT_TRUE(cap.ok()) << cap.error().message;
  EXPECT_FALSE((*cap)->shmAvailable());
  TestWindow win(server.display(), 20, 20, 40, 40, 0x00ff00);
  ASSERT_TRUE(win.ok());
  auto img = (*cap)->captureRegion(Box{20, 20, 40, 40});
  ASSERT_TRUE(img.ok()) << img.error().message;
  EXPECT_EQ(pixelAt(*img, 5, 5), 0xff00ff00u) << std::hex << pixelAt(*img, 5, 5);
  (*cap)->setMethod(CaptureMethod::kShm);
  auto forced = (*cap)->captureRegion(Box{20, 20, 40, 40});
  ASSERT_FALSE(forced.ok());
  EXPECT_NE(forced.error().message.find("MIT-SHM"), std::string::npos) << forced.error().message;
}

TEST(CaptureDepth16, SixteenBitServerIsConverted) {
  XvfbServer server("640x480x16");
  ASSERT_TRUE(server.ok()) << server.error();
  auto cap = ScreenCapture::open(server.display());
  ASSERT_TRUE(cap.ok()) << cap.error().message;
  // 0xf800 is pure red and 0x001f pure blue in RGB565.
  TestWindow red(server.display(), 10, 10, 50, 50, 0xf800);
  TestWindow blue(server.display(), 100, 10, 50, 50, 0x001f);
  ASSERT_TRUE(red.ok() && blue.ok());
  for (CaptureMethod m : {CaptureMethod::kAuto, CaptureMethod::kGetImage}) {
    (*cap)->setMethod(m);
    auto img = (*cap)->captureRegion(Box{0, 0, 200, 100});
    ASSERT_TRUE(img.ok()) << img.error().message;
    EXPECT_EQ(pixelAt(*img, 30, 30), 0xffff0000u) << std::hex << pixelAt(*img, 30, 30);
    EXPECT_EQ(pixelAt(*img, 120, 30), 0xff0000ffu) << std::hex << pixelAt(*img, 120, 30);
  }
}

// Restores an environment variable on scope exit.
class EnvGuard {
 public:
  explicit EnvGuard(const char* name) : name_(name) {
    if (const char* v = std::getenv(name)) old_ = v, had_ = true;
  }
  ~EnvGuard() { had_ ? setenv(name_, old_.c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(ParseRegion, AcceptsXYWHAndNamesWhatIsWrong) {
  struct Good {
    const char* text;
    Box box;
  };
  for (const Good& g :
       {Good{"10,20,600,200", {10, 20, 600, 200}}, Good{" 0 , 0 , 1 , 1 ", {0, 0, 1, 1}},
        Good{"-5,+7,30,40", {-5, 7, 30, 40}}}) {
    auto b = parseRegion(g.text);
    ASSERT_TRUE(b.ok()) << "'" << g.text << "': " << b.error().message;
    EXPECT_EQ(*b, g.box) << g.text;
  }
  struct Bad {
    const char* text;
    const char* why;
  };
  for (const Bad& b : {Bad{"10,20,600", "expected X,Y,W,H"}, Bad{"a,b,c,d", "expected X,Y,W,H"},
                       Bad{"1,2,3,4,5", "unexpected text"}, Bad{"1,2,0,4", "greater than 0"},
                       Bad{"1,2,-3,4", "greater than 0"}, Bad{"", "expected X,Y,W,H"},
                       Bad{"1,2,99999999999,4", "too large"}, Bad{"1,2,3000000000,4", "too large"},
                       Bad{"1,,3,4", "expected"}}) {
    auto r = parseRegion(b.text);
    ASSERT_FALSE(r.ok()) << "'" << b.text << "' accepted";
    EXPECT_NE(r.error().message.find(std::string("region '") + b.text + "'"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(b.why), std::string::npos)
        << "'" << b.text << "': " << r.error().message;
  }
}

TEST(CaptureOpen, WaylandOnlySessionSaysSoClearly) {
  EnvGuard d("DISPLAY"), w("WAYLAND_DISPLAY");
  unsetenv("DISPLAY");
  setenv("WAYLAND_DISPLAY", "wayland-0", 1);
  auto cap = ScreenCapture::open();
  ASSERT_FALSE(cap.ok());
  EXPECT_EQ(cap.error().code, ErrorCode::kDisplayUnavailable);
  const std::string& msg = cap.error().message;
  EXPECT_NE(msg.find("Wayland"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unavailable"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shortcut settings"), std::string::npos) << msg;
  EXPECT_NE(msg.find("liseur"), std::string::npos) << msg;
}

TEST(CaptureOpen, NoDisplayAndBadDisplayAreNamed) {
  EnvGuard d("DISPLAY"), w("WAYLAND_DISPLAY");
  unsetenv("DISPLAY");
  unsetenv("WAYLAND_DISPLAY");
  auto none = ScreenCapture::open();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(none.error().message.find("DISPLAY"), std::string::npos) << none.error().message;

  auto bad = ScreenCapture::open(":987");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("':987'"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace liseur
