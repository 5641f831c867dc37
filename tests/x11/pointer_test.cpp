// Pointer moves and clicks (XTest) observed by a separate X client.
// GoogleTest and liseur headers before Xlib, which #defines None, Bool and Status.
#include <gtest/gtest.h>

#include "input/pointer.h"
#include "x11/xvfb_server.h"

#include <X11/Xlib.h>
#include <thread>

namespace liseur {
namespace {

using test::XvfbServer;

class PointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    auto p = Pointer::open(server_.display());
    ASSERT_TRUE(p.ok()) << p.error().message;
    ptr_ = std::move(p.value());
    obs_ = XOpenDisplay(server_.display().c_str());
    ASSERT_NE(obs_, nullptr);
  }
  void TearDown() override {
    if (obs_ != nullptr) XCloseDisplay(obs_);
  }
  Point observed() {
    Window root = 0, child = 0;
    int x = 0, y = 0, wx = 0, wy = 0;
    unsigned mask = 0;
    XQueryPointer(obs_, DefaultRootWindow(obs_), &root, &child, &x, &y, &wx, &wy, &mask);
    return Point{x, y};
  }

  XvfbServer server_;
  std::unique_ptr<Pointer> ptr_;
  Display* obs_ = nullptr;
};

TEST_F(PointerTest, MoveLandsWhereAskedAndNudgesStopAtEdges) {
  ASSERT_TRUE(ptr_->hasXTest());
  ASSERT_TRUE(ptr_->moveTo({321, 234}).ok());
  Point p = observed();
  EXPECT_EQ(p, (Point{321, 234})) << "pointer at " << p.x << "," << p.y;
  auto pos = ptr_->position();
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, (Point{321, 234}));

  auto nudged = ptr_->moveBy(-21, -34);
  ASSERT_TRUE(nudged.ok()) << nudged.error().message;
  EXPECT_EQ(*nudged, (Point{300, 200}));
  p = observed();
  EXPECT_EQ(p, (Point{300, 200})) << "after moveBy(-21,-34): " << p.x << "," << p.y;

  auto edge = ptr_->moveBy(-5000, 5000);
  ASSERT_TRUE(edge.ok());
  EXPECT_EQ(*edge, (Point{0, 799})) << edge->x << "," << edge->y;
  p = observed();
  EXPECT_EQ(p, (Point{0, 799})) << p.x << "," << p.y;

  auto outside = ptr_->moveTo({-1, 5});
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("-1,5"), std::string::npos) << outside.error().message;
}

TEST_F(PointerTest, ClickIsReceivedByTheWindowUnderThePoint) {
  test::TestWindow win(server_.display(), 400, 300, 200, 100, 0xeeeeee,
                       ButtonPressMask | ButtonReleaseMask);
  ASSERT_TRUE(win.ok());
  for (int button : {1, 3}) {
    ASSERT_TRUE(ptr_->clickAt({450, 340}, button).ok()) << "button " << button;
    XEvent press{}, release{};
    bool got_press = false, got_release = false;
    test::waitUntil([&] {
      while (XPending(win.dpy()) > 0) {
        XEvent ev;
        XNextEvent(win.dpy(), &ev);
        if (ev.type == ButtonPress) press = ev, got_press = true;
        if (ev.type == ButtonRelease) release = ev, got_release = true;
      }
      return got_press && got_release;
    });
    ASSERT_TRUE(got_press) << "no ButtonPress for button " << button << " at 450,340";
    EXPECT_TRUE(got_release) << "button " << button;
    EXPECT_EQ(press.xbutton.button, static_cast<unsigned>(button));
    EXPECT_EQ(press.xbutton.x, 50) << "window-relative x, button " << button;
    EXPECT_EQ(press.xbutton.y, 40) << "window-relative y, button " << button;
    EXPECT_EQ(press.xbutton.window, win.id());
  }
}

TEST_F(PointerTest, BadClickArgumentsAreRefused) {
  auto s = ptr_->click(0, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("button 0"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace liseur
