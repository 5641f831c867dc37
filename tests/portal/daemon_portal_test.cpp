// The whole daemon capturing through the Screenshot portal (capture.backend = "portal", as on
// GNOME or KDE Plasma under Wayland), against the python3-dbusmock portal on a private bus: the
// screenshot taken off the daemon's loop, its PNG decoded and cropped by the OCR worker, the
// scopes the portal cannot give refused by name, the user's refusal reported, and `stop`
// answering a read whose screenshot has not come.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "integration/daemon_harness.h"
#include "portal/portal_mock.h"
#include "support/test_env.h"
#include "support/text_metrics.h"

namespace liseur::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

class DaemonPortal : public ::testing::Test {
 protected:
  // The portal answers `screenshot` ("ok", "cancel", "refuse", "silent") with the 1200x900 page
  // of tests/data/ocr/multiblock-en.png as the screen.
  void start(const std::string& screenshot) {
    dir_ = fs::temp_directory_path() / ("liseur-portal-daemon-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    bus_ = std::make_unique<PortalMockBus>(dir_.string());
    ASSERT_TRUE(bus_->ok()) << bus_->error();
    json params{{"screenshot", screenshot},
                {"png", dataPath("ocr/multiblock-en.png")},
                {"out_dir", dir_.string()},
                {"delay_ms", 200}};
    ASSERT_TRUE(bus_->startPortal(params.dump())) << bus_->error();
    ::setenv("DBUS_SESSION_BUS_ADDRESS", bus_->address().c_str(), 1);
    ::setenv("WAYLAND_DISPLAY", "wayland-liseur-gnome", 1);  // a Wayland session...
    ::setenv("XDG_CURRENT_DESKTOP", "GNOME", 1);             // ...of a desktop with a portal
    ::unsetenv("DISPLAY");
    d_ = std::make_unique<DaemonHarness>(
        std::vector<std::string>{"--audio", "null"}, [](const TempXdg& xdg) {
          fs::create_directories(xdg.path("config/liseur"));
          writeFile(xdg.path("config/liseur/liseur.toml"), "[capture]\nbackend = \"portal\"\n");
        });
    ASSERT_TRUE(d_->started()) << d_->startProblem();
  }
  void TearDown() override {
    d_.reset();
    bus_.reset();
    for (const char* v : {"DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP"})
      ::unsetenv(v);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // PNG files the fake desktop wrote and liseur did not delete.
  int screenshotsLeft() const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ".png") ++n;
    return n;
  }

  fs::path dir_;
  std::unique_ptr<PortalMockBus> bus_;
  std::unique_ptr<DaemonHarness> d_;
};

TEST_F(DaemonPortal, ReadsTheScreenAndACroppedRegionThroughThePortal) {
  start("ok");
  const std::string expected = readFile(dataPath("ocr/multiblock-en.txt"));
  json screen = d_->request("ocr", {{"source", "screen"}});
  ASSERT_TRUE(screen["ok"]) << screen.dump() << d_->log();
  EXPECT_LE(characterErrorRate(expected, screen["text"]), 0.05) << screen["text"];
  EXPECT_EQ(screenshotsLeft(), 0) << "the portal's screenshot file must not stay on disk";

  // The top third: the title and the first paragraph only, cut by the OCR worker.
  json region = d_->request("ocr", {{"source", "region"}, {"region", "0,0,1200,300"}});
  ASSERT_TRUE(region["ok"]) << region.dump() << d_->log();
  std::string text = region["text"];
  EXPECT_NE(text.find("school library"), std::string::npos) << text;
  EXPECT_EQ(text.find("Quiet reading"), std::string::npos) << "only the region: " << text;
  EXPECT_EQ(screenshotsLeft(), 0);

  // The pointer to the reviewed word: on GNOME only the RemoteDesktop portal could move it, and
  // it asks the user each session; said by name, never faked through Xwayland.
  json word = d_->request("review", {{"action", "first"}});
  ASSERT_TRUE(word.contains("box")) << word.dump();
  json move = d_->request("pointer", {{"action", "move"}});
  EXPECT_EQ(move["error"]["code"], "capture-unsupported") << move.dump();
  EXPECT_NE(move["error"]["message"].get<std::string>().find("RemoteDesktop"), std::string::npos)
      << move.dump();
  EXPECT_NE(move["error"]["message"].get<std::string>().find("GNOME"), std::string::npos)
      << move.dump();

  json outside = d_->request("ocr", {{"source", "region"}, {"region", "5000,5000,10,10"}});
  EXPECT_EQ(outside["error"]["code"], "invalid-argument") << outside.dump();
  EXPECT_NE(outside["error"]["message"].get<std::string>().find("1200x900"), std::string::npos)
      << outside.dump();

  // What the portal cannot give without asking is refused by name, never a whole screen.
  for (const char* src : {"window", "pointer"}) {
    json r = d_->request("ocr", {{"source", src}});
    EXPECT_EQ(r["error"]["code"], "capture-unsupported") << src << " " << r.dump();
  }
  json watch = d_->request("watch", {{"source", "screen"}});
  EXPECT_EQ(watch["error"]["code"], "capture-unsupported") << watch.dump();

  json st = d_->request("status");
  EXPECT_EQ(st["display"]["backend"], "portal") << st.dump();
  EXPECT_EQ(st["display"]["desktop"], "GNOME") << st.dump();
}

TEST_F(DaemonPortal, TheUsersRefusalIsReportedAndStopAnswersAPendingRead) {
  start("cancel");
  json r = d_->request("ocr", {{"source", "screen"}});
  EXPECT_EQ(r["error"]["code"], "capture-refused") << r.dump();
  d_.reset();
  bus_.reset();

  start("silent");  // the desktop's dialog stays open
  IpcClientOptions o;
  o.autospawn = false;
  auto c = IpcClient::connect(o);  // a second client, whose read waits for the screenshot
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE((*c)->sendRaw(R"({"id":77,"cmd":"read","args":{"source":"screen","wait":true}})"
                            "\n"));
  // A second screenshot while one is pending is refused at once; `stop` answers both ends.
  json busy = d_->request("ocr", {{"source", "screen"}}, milliseconds(10000));
  EXPECT_EQ(busy["error"]["code"], "busy") << busy.dump();
  json stop = d_->request("stop", json::object(), milliseconds(10000));
  EXPECT_TRUE(stop["ok"]) << stop.dump();
  auto line = (*c)->readLine(milliseconds(10000));
  ASSERT_TRUE(line) << line.error().message;
  json reply = json::parse(*line);
  EXPECT_EQ(reply["id"], 77) << reply.dump();
  EXPECT_EQ(reply["ok"], true) << reply.dump();
  EXPECT_EQ(reply["stopped"], true) << reply.dump();
}

// On Wayland the hotkeys go through the desktop's GlobalShortcuts portal (KDE Plasma, GNOME 48):
// liseur's actions with their preferred keys, and an activation runs the action.
TEST_F(DaemonPortal, HotkeysComeThroughTheGlobalShortcutsPortal) {
  start("ok");
  ASSERT_TRUE(waitFor([&] { return d_->request("status")["display"]["hotkeys"] == "portal"; },
                      milliseconds(15000)))
      << d_->request("status").dump() << d_->log();
  json st = d_->request("status");
  EXPECT_EQ(st["hotkeys"], true);
  EXPECT_TRUE(st["hotkey_problems"].empty()) << st.dump();

  std::string session, bound;
  for (const MockCall& c : bus_->calls()) {
    if (c.method != "BindShortcuts" || c.args.size() < 2) continue;
    session = c.args[0].substr(1, c.args[0].size() - 2);  // logged as a quoted string
    bound = c.args[1];
  }
  ASSERT_FALSE(session.empty()) << "no BindShortcuts call";
  EXPECT_NE(bound.find("('read_window', {'description': <"), std::string::npos) << bound;
  EXPECT_NE(bound.find("'preferred_trigger': <'CTRL+ALT+SHIFT+w'>"), std::string::npos) << bound;
  EXPECT_EQ(bound.find("nudge_left"), std::string::npos) << "no pointer nudging on Wayland";

  GVariantBuilder av;
  g_variant_builder_init(&av, G_VARIANT_TYPE("av"));
  g_variant_builder_add(&av, "v", g_variant_new_object_path(session.c_str()));
  g_variant_builder_add(&av, "v", g_variant_new_string("stop"));
  g_variant_builder_add(&av, "v", g_variant_new_uint64(42));
  g_variant_builder_add(&av, "v", g_variant_new("a{sv}", nullptr));
  ASSERT_TRUE(bus_->emitSignal("org.freedesktop.portal.GlobalShortcuts", "Activated", "osta{sv}",
                               g_variant_builder_end(&av)));
  json hk = d_->waitEvent("hotkey", nullptr, milliseconds(10000));
  EXPECT_EQ(hk["action"], "stop") << d_->log();
}

}  // namespace
}  // namespace liseur::test
