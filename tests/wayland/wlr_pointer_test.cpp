// WlrVirtualPointer against a real headless sway (issue 13): moves and clicks reach the window
// under the point, as sway's focus shows (focus follows the mouse, or a click focuses); a point
// on no output and a scroll "button" are refused; and the layout arithmetic on its own.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "capture/sway_ipc.h"
#include "capture/wlr_screencopy.h"
#include "input/wlr_pointer.h"
#include "support/test_env.h"
#include "wayland/sway_server.h"

namespace liseur {
namespace {

using namespace std::chrono_literals;
using test::SwayServer;
using test::TextWindow;

std::string boxStr(const Box& b) {
  return fmt::format("{},{} {}x{}", b.x, b.y, b.w, b.h);
}

Point centre(const Box& b) {
  return {b.x + b.w / 2, b.y + b.h / 2};
}

TEST(WaylandLayout, APointIsTurnedIntoTheLogicalLayoutThroughItsOutput) {
  // A 2x output (2560x1440 device, 1280x720 logical) at 0,0 and a 1x one to its right.
  WaylandOutput hidpi{"eDP-1", Box{0, 0, 1280, 720}, Box{0, 0, 2560, 1440}, 2.0, 0};
  WaylandOutput side{"HDMI-A-1", Box{1280, 0, 1920, 1080}, Box{2560, 0, 1920, 1080}, 1.0, 0};
  auto a = toLogical({hidpi, side}, Point{1000, 500});
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_DOUBLE_EQ(a->x, 500);
  EXPECT_DOUBLE_EQ(a->y, 250);
  EXPECT_EQ(a->layout, (Box{0, 0, 3200, 1080}));
  auto b = toLogical({hidpi, side}, Point{2600, 1000});
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_DOUBLE_EQ(b->x, 1320);
  EXPECT_DOUBLE_EQ(b->y, 1000);
  // Below the 2x output: no output holds it.
  auto gap = toLogical({hidpi, side}, Point{100, 1440});
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(gap.error().message.find("100,1440"), std::string::npos) << gap.error().message;
  EXPECT_EQ(toLogical({}, Point{0, 0}).error().code, ErrorCode::kDisplayUnavailable);
}

TEST(WaylandLayout, X11ButtonsBecomeEvdevButtonsAndScrollIsNone) {
  EXPECT_EQ(evdevButton(1), 0x110u);  // BTN_LEFT
  EXPECT_EQ(evdevButton(3), 0x111u);  // BTN_RIGHT
  EXPECT_EQ(evdevButton(2), 0x112u);  // BTN_MIDDLE
  for (int scroll : {4, 5, 6, 7, 0, 10}) EXPECT_EQ(evdevButton(scroll), 0u) << scroll;
}

class WaylandPointer : public ::testing::Test {
 protected:
  void SetUp() override {
    sway_ = std::make_unique<SwayServer>(1024, 600, "204060");
    ASSERT_TRUE(sway_->ok()) << sway_->error();
    sway_->exportEnv();
    unsetenv("XDG_CURRENT_DESKTOP");
    TextWindow left, right;
    left.app_id = "liseur-left";
    left.floating = Box{40, 60, 360, 160};
    right.app_id = "liseur-right";
    right.floating = Box{560, 60, 360, 160};
    auto l = sway_->showText("gauche", left);
    ASSERT_TRUE(l) << sway_->error();
    auto r = sway_->showText("droite", right);
    ASSERT_TRUE(r) << sway_->error();
    left_ = *l;
    right_ = *r;
    auto g = WlrScreencopy::open();
    ASSERT_TRUE(g.ok()) << g.error().message;
    grabber_ = std::move(g).value();
    auto p = WlrVirtualPointer::open(
        "", [this] { return grabber_->outputs(); },
        [this]() -> Result<Point> {
          auto at = grabber_->pointerPosition();
          if (!at) return at.error();
          return Point{at->first, at->second};
        });
    ASSERT_TRUE(p.ok()) << p.error().message;
    pointer_ = std::move(p).value();
  }

  // The focused window's rect in sway's tree.
  std::optional<Box> focused() {
    auto ipc = SwayIpc::connect();
    if (!ipc.ok()) return std::nullopt;
    auto f = ipc->focusedWindowRect();
    if (!f.ok()) return std::nullopt;
    return *f;
  }
  bool focusBecomes(const Box& b) {
    return test::waitFor([&] { return focused() == b; }, 5s);
  }

  std::unique_ptr<SwayServer> sway_;
  std::unique_ptr<WlrScreencopy> grabber_;
  std::unique_ptr<WlrVirtualPointer> pointer_;
  Box left_, right_;
};

TEST_F(WaylandPointer, MovingOverAWindowFocusesItWhenFocusFollowsTheMouse) {
  // `always`: sway focuses the window under the pointer after every move.
  auto r = sway_->swaymsg({"focus_follows_mouse", "always"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The window shown last has the focus.
  ASSERT_TRUE(focusBecomes(right_)) << boxStr(focused().value_or(Box{}));
  ASSERT_TRUE(pointer_->moveTo(centre(left_)).ok());
  EXPECT_TRUE(focusBecomes(left_))
      << "focus on " << boxStr(focused().value_or(Box{})) << ", left window at " << boxStr(left_);
  ASSERT_TRUE(pointer_->moveTo(centre(right_)).ok());
  EXPECT_TRUE(focusBecomes(right_)) << boxStr(focused().value_or(Box{}));
}

TEST_F(WaylandPointer, AClickFocusesTheWindowUnderThePointer) {
  auto r = sway_->swaymsg({"focus_follows_mouse", "no"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(focusBecomes(right_));
  ASSERT_TRUE(pointer_->moveTo(centre(left_)).ok());
  // A move alone does not take the focus now...
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(focused(), right_);
  // ...a click does: it reached the left window.
  Status c = pointer_->click(1, 1);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(focusBecomes(left_)) << "focus on " << boxStr(focused().value_or(Box{}));
  // clickAt moves and clicks in one.
  ASSERT_TRUE(pointer_->clickAt(centre(right_)).ok());
  EXPECT_TRUE(focusBecomes(right_)) << boxStr(focused().value_or(Box{}));
}

TEST_F(WaylandPointer, APointOnNoOutputAndAScrollButtonAreRefused) {
  Status off = pointer_->moveTo(Point{1500, 100});
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(off.error().message.find("1500,100"), std::string::npos) << off.error().message;
  Status scroll = pointer_->click(4, 1);
  ASSERT_FALSE(scroll.ok());
  EXPECT_EQ(scroll.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(scroll.error().message.find("scroll"), std::string::npos) << scroll.error().message;
  EXPECT_FALSE(pointer_->lost());
}

TEST_F(WaylandPointer, ACompositorThatDiedMakesThePointerLost) {
  sway_->killCompositor();
  Status s = pointer_->moveTo(centre(left_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kDisplayUnavailable) << s.error().message;
  EXPECT_TRUE(pointer_->lost());
}

}  // namespace
}  // namespace liseur
