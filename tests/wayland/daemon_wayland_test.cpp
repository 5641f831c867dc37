// The whole daemon reading a real Wayland desktop (issue 13): a headless sway with foot showing
// a known French text, read by `ocr screen`, `region` and `window` through the wlroots screencopy
// protocol; the daemon following the session when the compositor goes away and a new one comes.
// What was recognised is compared with the known text by CER.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "integration/daemon_harness.h"
#include "support/text_metrics.h"
#include "wayland/sway_server.h"

namespace liseur::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kShown = "Le cœur a ses raisons.\nÉlève : ça va très bien !\n";
constexpr const char* kExpected = "Le cœur a ses raisons. Élève : ça va très bien !";

// Polls `cond` every 100 ms until it holds or `timeout` passes.
bool waitUntil(const std::function<bool()>& cond, milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

std::string regionOf(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) + "," +
         std::to_string(b.h);
}

// The daemon's environment as a Wayland session gives it: the compositor's socket by absolute
// path (the harness gives the daemon a private XDG_RUNTIME_DIR of its own), SWAYSOCK, no DISPLAY.
void exportSession(const SwayServer& sway) {
  sway.exportEnv();
  ::setenv("WAYLAND_DISPLAY", (sway.runtimeDir() + "/" + sway.waylandDisplay()).c_str(), 1);
  ::unsetenv("DISPLAY");
}

struct EnvGuard {
  ~EnvGuard() {
    for (const char* v : {"WAYLAND_DISPLAY", "SWAYSOCK", "DISPLAY"}) ::unsetenv(v);
  }
};

// OCR of a source, retried while foot may not have drawn its text yet.
json ocrUntilRead(DaemonHarness& d, const json& args) {
  json r;
  waitUntil(
      [&] {
        r = d.request("ocr", args);
        return r["ok"] == true && characterErrorRate(kExpected, r["text"]) <= 0.15;
      },
      milliseconds(15000));
  return r;
}

class DaemonWayland : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sway_.ok()) << sway_.error();
    exportSession(sway_);
    TextWindow w;
    w.floating = Box{60, 80, 640, 160};
    auto rect = sway_.showText(kShown, w);
    ASSERT_TRUE(rect) << sway_.error();
    rect_ = *rect;
    d_ = std::make_unique<DaemonHarness>(std::vector<std::string>{"--audio", "null"});
    ASSERT_TRUE(d_->started()) << d_->startProblem();
  }

  EnvGuard guard_;
  SwayServer sway_{1024, 600};
  Box rect_;
  std::unique_ptr<DaemonHarness> d_;
};

TEST_F(DaemonWayland, ReadsTheScreenARegionAndTheFocusedWindowThroughScreencopy) {
  json region = ocrUntilRead(*d_, {{"source", "region"}, {"region", regionOf(rect_)}});
  ASSERT_TRUE(region["ok"]) << region.dump() << d_->log();
  EXPECT_LE(characterErrorRate(kExpected, region["text"]), 0.15) << region["text"];

  json screen = d_->request("ocr", {{"source", "screen"}});
  ASSERT_TRUE(screen["ok"]) << screen.dump();
  EXPECT_LE(characterErrorRate(kExpected, screen["text"]), 0.15) << screen["text"];

  // The focused window, from sway's IPC: foot, not the whole screen.
  json window = d_->request("ocr", {{"source", "window"}});
  ASSERT_TRUE(window["ok"]) << window.dump() << d_->log();
  EXPECT_LE(characterErrorRate(kExpected, window["text"]), 0.15) << window["text"];
  EXPECT_EQ(window["document"]["source"], "window");

  // Hotkeys: the GlobalShortcuts portal is asked first (off the loop); sway has none here.
  json st;
  waitUntil(
      [&] {
        st = d_->request("status");
        return st["hotkey_problems"].empty() || st["hotkey_problems"][0]["code"] != "timeout";
      },
      milliseconds(40000));
  EXPECT_EQ(st["display"]["backend"], "wlr-screencopy") << st.dump();
  EXPECT_EQ(st["display"]["wayland"], true) << st.dump();
  EXPECT_EQ(st["display"]["desktop"], "sway") << st.dump();
  // Hotkeys on Wayland are the desktop's: said, not faked through Xwayland.
  EXPECT_EQ(st["hotkeys"], false) << st.dump();
  ASSERT_EQ(st["hotkey_problems"].size(), 1u) << st.dump();
  EXPECT_EQ(st["hotkey_problems"][0]["code"], "capture-unsupported") << st.dump();

  // The pointer moves to the reviewed word through sway's virtual pointer (not an X11 move on
  // Xwayland): another window takes the focus, and moving over the word gives it back to foot.
  json rd =
      d_->request("read", {{"source", "region"}, {"region", regionOf(rect_)}, {"wait", true}});
  ASSERT_TRUE(rd["ok"]) << rd.dump();
  ASSERT_EQ(sway_.swaymsg({"focus_follows_mouse", "always"}).exit_code, 0);
  TextWindow other;
  other.app_id = "liseur-other";
  other.floating = Box{720, 300, 260, 120};
  auto other_rect = sway_.showText("autre", other);
  ASSERT_TRUE(other_rect) << sway_.error();
  auto focused = [&] {
    auto t = sway_.swaymsg({"-t", "get_tree"});
    // The focused node's app_id, from the tree's JSON.
    std::function<std::string(const json&)> find = [&](const json& n) -> std::string {
      if (n.value("focused", false)) return n.value("app_id", std::string());
      for (const char* k : {"nodes", "floating_nodes"})
        for (const auto& c : n.value(k, json::array()))
          if (auto a = find(c); !a.empty()) return a;
      return "";
    };
    return find(json::parse(t.out, nullptr, false));
  };
  ASSERT_TRUE(
      waitUntil([&] { return focused().rfind("liseur-other-", 0) == 0; }, milliseconds(5000)));
  json w = d_->request("review", {{"action", "first"}});
  ASSERT_TRUE(w.contains("box")) << w.dump();
  json move = d_->request("pointer", {{"action", "move"}});
  ASSERT_TRUE(move["ok"]) << move.dump() << d_->log();
  EXPECT_TRUE(
      waitUntil([&] { return focused().rfind("liseur-test-", 0) == 0; }, milliseconds(5000)))
      << "focused: " << focused() << "; the word at " << move["box"].dump();
}

TEST_F(DaemonWayland, TheReadFollowsANewCompositorAfterTheOldOneDied) {
  ASSERT_TRUE(ocrUntilRead(*d_, {{"source", "region"}, {"region", regionOf(rect_)}})["ok"]);
  sway_.killCompositor();
  json gone = d_->request("ocr", {{"source", "screen"}});
  ASSERT_FALSE(gone["ok"]) << gone.dump();
  EXPECT_EQ(gone["error"]["code"], "display-unavailable") << gone.dump();

  // The user logs in again: a new compositor on a new socket. The daemon's own session is gone,
  // so the first `liseur` command from the new session brings its display.
  SwayServer again(1024, 600);
  ASSERT_TRUE(again.ok()) << again.error();
  const std::string runtime = std::getenv("XDG_RUNTIME_DIR");  // the harness's: its socket
  exportSession(again);
  ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
  TextWindow w;
  w.floating = Box{40, 40, 640, 160};
  auto rect = again.showText(kShown, w);
  ASSERT_TRUE(rect) << again.error();
  std::string out;
  waitUntil(
      [&] {
        out.clear();
        return runCli({"ocr", "region", regionOf(*rect)}, &out) == 0 &&
               characterErrorRate(kExpected, out) <= 0.15;
      },
      milliseconds(15000));
  EXPECT_LE(characterErrorRate(kExpected, out), 0.15) << out << d_->log();
  json st = d_->request("status");
  EXPECT_EQ(st["display"]["session"], "client") << st.dump();
  EXPECT_EQ(st["display"]["backend"], "wlr-screencopy") << st.dump();
}

}  // namespace
}  // namespace liseur::test
