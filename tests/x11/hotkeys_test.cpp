// Global hotkeys: key spec parsing, and grabs on a real X server driven by xdotool.
// GoogleTest and liseur headers before Xlib, which #defines None, Bool and Status.
#include <gtest/gtest.h>

#include "capture/capture.h"
#include "core/event_loop.h"
#include "input/hotkeys.h"
#include "input/pointer.h"
#include "x11/xvfb_server.h"

#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <poll.h>
#include <sys/epoll.h>
#include <cstdio>
#include <cstdlib>

namespace liseur {
namespace {

using test::ChildProcess;
using test::XvfbServer;

TEST(KeySpecParse, AcceptsModifiersAndKeyNames) {
  struct Case {
    const char* spec;
    unsigned mods;
    unsigned long keysym;
    const char* canonical;
  };
  for (const Case& c : {
           Case{"Super+Shift+R", kModSuper | kModShift, XK_r, "Shift+Super+r"},
           Case{"Control+Alt+KP_5", kModControl | kModAlt, XK_KP_5, "Control+Alt+KP_5"},
           Case{"ctrl+alt+f5", kModControl | kModAlt, XK_F5, "Control+Alt+F5"},
           Case{" Super + space ", kModSuper, XK_space, "Super+space"},
           Case{"Win+Enter", kModSuper, XK_Return, "Super+Return"},
           Case{"Hyper+Left", kModHyper, XK_Left, "Hyper+Left"},
           Case{"Control+plus", kModControl, XK_plus, "Control+plus"},
           Case{"Escape", 0, XK_Escape, "Escape"},
           // Keys by number or code point keep the spelling written (found by fuzz_specs).
           Case{"Super+U20AC", kModSuper, 0x10020ac, "Super+U20AC"},
           Case{"Control+0x1008ff11", kModControl, 0x1008ff11, "Control+0x1008ff11"},
       }) {
    auto k = parseKeySpec(c.spec);
    ASSERT_TRUE(k.ok()) << c.spec << ": " << k.error().message;
    EXPECT_EQ(k->modifiers, c.mods) << c.spec;
    EXPECT_EQ(k->keysym, c.keysym) << c.spec;
    EXPECT_EQ(k->canonical, c.canonical) << c.spec;
  }
}

TEST(KeySpecParse, ErrorsNameTheSpecAndThePart) {
  struct Case {
    const char* spec;
    const char* expected;
  };
  for (const Case& c : {
           Case{"Shfit+R", "hotkey 'Shfit+R': unknown key name 'Shfit' (did you mean 'Shift'?)"},
           Case{"Super+Shift+Foo", "unknown key name 'Foo'"},
           Case{"Super+Shift", "'Shift' is a modifier; the last part must be a key"},
           Case{"Control+", "empty part"},
           Case{"R+Shift", "'R' is a key, not a modifier"},
           Case{"", "empty key spec"},
           Case{"Super+\tr", "a control character is not part of a key name"},
       }) {
    auto k = parseKeySpec(c.spec);
    ASSERT_FALSE(k.ok()) << "'" << c.spec << "' was accepted";
    EXPECT_EQ(k.error().code, ErrorCode::kInvalidArgument) << c.spec;
    EXPECT_NE(k.error().message.find(c.expected), std::string::npos)
        << "spec '" << c.spec << "': " << k.error().message;
  }
}

class HotkeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    auto h = Hotkeys::open(server_.display());
    ASSERT_TRUE(h.ok()) << h.error().message;
    keys_ = std::move(h.value());
    keys_->setCallback([this](const std::string& action, bool repeat) {
      fired_.push_back(action + (repeat ? " (repeat)" : ""));
    });
  }

  // Runs `xdotool key ARGS...` and dispatches until `count` callbacks fired (or 10 s).
  void press(const std::vector<std::string>& keys, std::size_t count) {
    if (!keys.empty()) {
      std::vector<std::string> argv{"xdotool", "key"};
      argv.insert(argv.end(), keys.begin(), keys.end());
      ASSERT_EQ(test::runCommand(argv, server_.display()).exit_code, 0);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (fired_.size() < count && std::chrono::steady_clock::now() < deadline) {
      pollfd p{keys_->fd(), POLLIN, 0};
      poll(&p, 1, 50);
      keys_->dispatch();
    }
    // A little more, so an extra, unwanted callback would be seen.
    for (int i = 0; i < 5; ++i) {
      pollfd p{keys_->fd(), POLLIN, 0};
      poll(&p, 1, 20);
      keys_->dispatch();
    }
  }

  unsigned lockedMods() {
    Display* d = XOpenDisplay(server_.display().c_str());
    XkbStateRec st{};
    XkbGetState(d, XkbUseCoreKbd, &st);
    XCloseDisplay(d);
    return st.locked_mods;
  }

  std::string firedText() const {
    std::string s;
    for (const auto& f : fired_) s += "[" + f + "] ";
    return s;
  }

  XvfbServer server_;
  std::unique_ptr<Hotkeys> keys_;
  std::vector<std::string> fired_;
};

TEST_F(HotkeysTest, BoundKeyFiresItsActionOthersDoNot) {
  auto errors = keys_->bindAll({{"Super+Shift+R", "read-window"},
                                {"Control+Alt+KP_5", "mark-corner"},
                                {"Super+Shift+P", "read-pointer"}});
  ASSERT_TRUE(errors.empty()) << errors[0].message;
  keys_->dispatch();

  // An unbound key, then a bound one: only the bound one fires (order is kept by the server,
  // so no waiting for something not to happen).
  press({"super+shift+t", "super+shift+r"}, 1);
  ASSERT_EQ(fired_.size(), 1u) << firedText();
  EXPECT_EQ(fired_[0], "read-window");
  // Shift missing: not the Super+Shift+R binding.
  press({"super+r", "super+shift+p"}, 2);
  ASSERT_EQ(fired_.size(), 2u) << firedText();
  EXPECT_EQ(fired_[1], "read-pointer");
}

TEST_F(HotkeysTest, LocksDoNotMatter) {
  ASSERT_TRUE(keys_->bind({"Super+Shift+R", "read-window"}).ok());
  keys_->dispatch();

  press({"Num_Lock"}, 0);
  ASSERT_TRUE(test::waitUntil([&] { return (lockedMods() & Mod2Mask) != 0; }))
      << "NumLock did not lock, locked mods " << lockedMods();
  press({"super+shift+r"}, 1);
  ASSERT_EQ(fired_.size(), 1u) << "with NumLock on: " << firedText();
  EXPECT_EQ(fired_[0], "read-window");

  press({"Caps_Lock"}, 1);
  ASSERT_TRUE(test::waitUntil([&] { return (lockedMods() & LockMask) != 0; }))
      << "CapsLock did not lock, locked mods " << lockedMods();
  press({"super+shift+r"}, 2);
  ASSERT_EQ(fired_.size(), 2u) << "with NumLock and CapsLock on: " << firedText();
  EXPECT_EQ(fired_[1], "read-window");
}

// Holding the key: the first press is an action, the server's auto-repeat is flagged as repeat;
// after the release the next press is a new action again.
TEST_F(HotkeysTest, HeldKeyRepeatsAreFlagged) {
  ASSERT_TRUE(keys_->bind({"Super+Shift+R", "read-window"}).ok());
  keys_->dispatch();
  ASSERT_EQ(test::runCommand({"xdotool", "keydown", "super+shift+r"}, server_.display()).exit_code,
            0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{keys_->fd(), POLLIN, 0};
    poll(&p, 1, 50);
    keys_->dispatch();
  }
  ASSERT_EQ(test::runCommand({"xdotool", "keyup", "super+shift+r"}, server_.display()).exit_code,
            0);
  press({}, 0);  // repeats sent before the release
  ASSERT_GE(fired_.size(), 1u);
  EXPECT_EQ(fired_[0], "read-window") << firedText();
  for (std::size_t i = 1; i < fired_.size(); ++i) {
    EXPECT_EQ(fired_[i], "read-window (repeat)") << "callback " << i << ": " << firedText();
  }
  const std::size_t before = fired_.size();
  press({"super+shift+r"}, before + 1);
  ASSERT_EQ(fired_.size(), before + 1) << firedText();
  EXPECT_EQ(fired_.back(), "read-window") << firedText();
  std::printf("held for 1.5 s: %zu callbacks (%zu repeats)\n", before, before - 1);
}

TEST_F(HotkeysTest, KeyGrabbedByAnotherProgramIsReportedByName) {
  // Another client holds Super+Shift+R.
  Display* other = XOpenDisplay(server_.display().c_str());
  ASSERT_NE(other, nullptr);
  XGrabKey(other, XKeysymToKeycode(other, XK_r), ShiftMask | Mod4Mask, DefaultRootWindow(other),
           False, GrabModeAsync, GrabModeAsync);
  XSync(other, False);

  auto errors = keys_->bindAll({{"Super+Shift+R", "read-window"}, {"Super+Shift+S", "stop"}});
  ASSERT_EQ(errors.size(), 1u) << "the conflict must be reported";
  EXPECT_EQ(errors[0].code, ErrorCode::kHotkeyTaken);
  EXPECT_NE(errors[0].message.find("'Super+Shift+R'"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("'read-window'"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("already grabbed by another program"), std::string::npos)
      << errors[0].message;
  keys_->dispatch();

  // The other binding still works.
  press({"super+shift+s"}, 1);
  ASSERT_EQ(fired_.size(), 1u) << firedText();
  EXPECT_EQ(fired_[0], "stop");
  XCloseDisplay(other);
}

TEST_F(HotkeysTest, SameKeyTwiceIsRefusedAndGrabsAreReleased) {
  ASSERT_TRUE(keys_->bind({"Super+Shift+R", "read-window"}).ok());
  auto twice = keys_->bind({"shift+super+r", "stop"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("already bound to action 'read-window'"), std::string::npos)
      << twice.error().message;

  keys_.reset();  // releases every grab
  Display* other = XOpenDisplay(server_.display().c_str());
  ASSERT_NE(other, nullptr);
  int err = 0;
  {
    // BadAccess here would mean our grab survived.
    X11ErrorTrap trap(other);
    XGrabKey(other, XKeysymToKeycode(other, XK_r), ShiftMask | Mod4Mask, DefaultRootWindow(other),
             False, GrabModeAsync, GrabModeAsync);
    err = trap.sync();
  }
  EXPECT_EQ(err, 0) << "Super+Shift+R still grabbed after Hotkeys was destroyed";
  XCloseDisplay(other);
}

TEST_F(HotkeysTest, UnknownKeyIsNotGrabbed) {
  auto s = keys_->bind({"Super+Shfit+R", "read-window"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unknown key name 'Shfit'"), std::string::npos)
      << s.error().message;
}

// The way the daemon uses it: the connection's fd in the event loop, dispatch() on input.
TEST_F(HotkeysTest, DrivenByTheDaemonEventLoop) {
  ASSERT_TRUE(keys_->bind({"Control+Alt+space", "stop"}).ok());
  EventLoop loop;
  keys_->setCallback([&](const std::string& action, bool) {
    fired_.push_back(action);
    loop.stop();
  });
  loop.addFd(keys_->fd(), EPOLLIN, [&](uint32_t) { keys_->dispatch(); });
  keys_->dispatch();  // events queued while binding
  // The key is sent first (xdotool may take long to start on a loaded machine); its events wait
  // in the socket until the loop polls it.
  ASSERT_EQ(test::runCommand({"xdotool", "key", "ctrl+alt+space"}, server_.display()).exit_code, 0);
  const auto guard = loop.addTimer(std::chrono::seconds(30), [&] { loop.stop(); });
  (void)guard;
  loop.run();
  ASSERT_EQ(fired_.size(), 1u) << "no callback within 30 s: " << firedText();
  EXPECT_EQ(fired_[0], "stop");
}

TEST(HotkeysOpen, WaylandOnlySessionSaysSoClearly) {
  const char* old_display = std::getenv("DISPLAY");
  const std::string saved = old_display ? old_display : "";
  unsetenv("DISPLAY");
  setenv("WAYLAND_DISPLAY", "wayland-1", 1);
  auto h = Hotkeys::open();
  unsetenv("WAYLAND_DISPLAY");
  if (old_display) setenv("DISPLAY", saved.c_str(), 1);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("Wayland"), std::string::npos) << h.error().message;
  EXPECT_NE(h.error().message.find("shortcut settings"), std::string::npos) << h.error().message;
}

// The X server goes away under a running daemon (logout, Xvfb killed): Xlib would exit the
// process; instead every object reports it by name and the process goes on.
TEST(ServerGone, EveryObjectFailsCleanlyAndTheProcessLives) {
  XvfbServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  auto cap = ScreenCapture::open(server.display());
  auto keys = Hotkeys::open(server.display());
  auto ptr = Pointer::open(server.display());
  ASSERT_TRUE(cap.ok() && keys.ok() && ptr.ok());
  ASSERT_TRUE((*keys)->bind({"Super+Shift+R", "read-window"}).ok());
  ASSERT_TRUE((*cap)->captureScreen().ok());

  server.stop();

  auto img = (*cap)->captureScreen();
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message.find("has gone away"), std::string::npos) << img.error().message;
  EXPECT_TRUE((*cap)->lost());
  auto png = (*cap)->clipboardPng();
  EXPECT_FALSE(png.ok());

  // The hotkeys fd reports the hang-up; dispatch notices.
  pollfd p{(*keys)->fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 10000), 1) << "no hang-up on the hotkeys fd";
  (*keys)->dispatch();
  EXPECT_TRUE((*keys)->lost());
  auto s = (*keys)->bind({"Super+Shift+P", "read-pointer"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("has gone away"), std::string::npos) << s.error().message;

  auto moved = (*ptr)->moveTo({10, 10});
  ASSERT_FALSE(moved.ok());
  EXPECT_TRUE((*ptr)->lost());
  EXPECT_NE(moved.error().message.find(server.display()), std::string::npos)
      << moved.error().message;
  // Destroying them must not touch the dead connection either.
  cap.value().reset();
  keys.value().reset();
  ptr.value().reset();
}

}  // namespace
}  // namespace liseur
