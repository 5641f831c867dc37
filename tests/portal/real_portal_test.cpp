// The real thing: PortalScreenshot and PortalShortcuts against the installed xdg-desktop-portal
// (1.16) with xdg-desktop-portal-wlr (which takes the picture with grim) on a real headless sway
// (tests/wayland/sway_server.h), all on a private D-Bus bus that starts them on demand as a
// desktop session's bus would.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "capture/portal_screenshot.h"
#include "input/portal_shortcuts.h"
#include "portal_mock.h"
#include "support/test_env.h"
#include "wayland/sway_server.h"

namespace liseur {
namespace {

namespace fs = std::filesystem;

std::uint32_t bigEndian32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

class RealPortalTest : public ::testing::Test {
 protected:
  // Starts sway, PipeWire and a bus on which xdg-desktop-portal sees only the backends named
  // (files of /usr/share/xdg-desktop-portal/portals, e.g. "wlr.portal"), through
  // XDG_DESKTOP_PORTAL_DIR: the test does not depend on which other backends are installed.
  void start(const std::vector<std::string>& backends) {
    sway_ = std::make_unique<test::SwayServer>(800, 600, "204060");
    ASSERT_TRUE(sway_->ok()) << "headless sway did not start: " << sway_->error();
    // xdg-desktop-portal-wlr 0.7 exits at start without a PipeWire daemon (for its ScreenCast
    // half), so one runs in sway's runtime directory, where -wlr looks for it.
    GSubprocessLauncher* launcher = g_subprocess_launcher_new(static_cast<GSubprocessFlags>(
        G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE));
    g_subprocess_launcher_set_child_setup(
        launcher, [](gpointer) { ::prctl(PR_SET_PDEATHSIG, SIGKILL); }, nullptr, nullptr);
    g_subprocess_launcher_setenv(launcher, "XDG_RUNTIME_DIR", sway_->runtimeDir().c_str(), TRUE);
    g_subprocess_launcher_unsetenv(launcher, "DBUS_SESSION_BUS_ADDRESS");
    const char* argv[] = {"pipewire", nullptr};
    pipewire_ = g_subprocess_launcher_spawnv(launcher, argv, nullptr);
    g_object_unref(launcher);
    ASSERT_NE(pipewire_, nullptr) << "cannot start pipewire";
    // Ready when it answers a client, not merely when its socket exists.
    const std::string probe =
        "XDG_RUNTIME_DIR=" + sway_->runtimeDir() + " pw-cli info 0 >/dev/null 2>&1";
    ASSERT_TRUE(
        test::waitFor([&] { return std::system(probe.c_str()) == 0; }, std::chrono::seconds(15)))
        << "pipewire does not answer in " << sway_->runtimeDir();

    const std::string portals = xdg_.path("portals");
    fs::create_directories(portals);
    for (const std::string& b : backends) {
      fs::copy_file("/usr/share/xdg-desktop-portal/portals/" + b, portals + "/" + b);
    }
    fs::create_directories(xdg_.path("bus"));
    // What a sway session's bus passes to the services it starts: the portal picks its backend
    // from XDG_CURRENT_DESKTOP and the .portal files' UseIn; the backends and grim need the
    // compositor's socket.
    std::vector<std::string> env = sway_->clientEnv();
    env.push_back("XDG_CURRENT_DESKTOP=sway");
    env.push_back("XDG_SESSION_TYPE=wayland");
    env.push_back("XDG_DESKTOP_PORTAL_DIR=" + portals);
    env.push_back("GDK_BACKEND=wayland");
    test::PortalMockBus::Options options;
    // LISEUR_PORTAL_DEBUG=all: the portals' debug output on stderr.
    if (const char* d = std::getenv("LISEUR_PORTAL_DEBUG")) {
      env.push_back(std::string("G_MESSAGES_DEBUG=") + d);
      options.service_dir = xdg_.path("services");
      fs::create_directories(options.service_dir);
      test::writeFile(options.service_dir + "/org.freedesktop.portal.Desktop.service",
                      "[D-BUS Service]\nName=org.freedesktop.portal.Desktop\n"
                      "Exec=/usr/libexec/xdg-desktop-portal --verbose\n");
      test::writeFile(options.service_dir + "/org.freedesktop.impl.portal.desktop.wlr.service",
                      "[D-BUS Service]\nName=org.freedesktop.impl.portal.desktop.wlr\n"
                      "Exec=/usr/libexec/xdg-desktop-portal-wlr --loglevel=DEBUG\n");
    }
    options.real_services = true;
    options.env = env;
    bus_ = std::make_unique<test::PortalMockBus>(xdg_.path("bus"), options);
    ASSERT_TRUE(bus_->ok()) << bus_->error();
    // Start the backend, then the portal, before the code under test asks. xdg-desktop-portal-wlr
    // 0.7 sometimes leaves the first D-Bus call it gets unanswered until another message wakes
    // it; xdg-desktop-portal 1.16 makes that call (for ScreenCast) while starting, waits 25 s,
    // and misses the bus's activation limit. A few pings wake -wlr first. (liseur reports a
    // portal that does not start in time as kTimeout, see PortalStart tests.)
    std::string why = bus_->startService("org.freedesktop.impl.portal.desktop.wlr", 30000);
    ASSERT_EQ(why, "") << "xdg-desktop-portal-wlr did not start";
    bool awake = false;
    for (int i = 0; i < 20 && !awake; ++i) {
      awake = bus_->ping("org.freedesktop.impl.portal.desktop.wlr", 500);
    }
    ASSERT_TRUE(awake) << "xdg-desktop-portal-wlr does not answer";
    why = bus_->startService("org.freedesktop.portal.Desktop", 30000);
    if (!why.empty()) why = bus_->startService("org.freedesktop.portal.Desktop", 30000);
    ASSERT_EQ(why, "") << "xdg-desktop-portal did not start";
  }
  void TearDown() override {
    // The bus first: the portals started on it exit when it goes; then the compositor.
    bus_.reset();
    if (pipewire_ != nullptr) {
      g_subprocess_send_signal(pipewire_, SIGTERM);
      g_subprocess_wait(pipewire_, nullptr, nullptr);
      g_object_unref(pipewire_);
    }
    sway_.reset();
  }

  test::TempXdg xdg_;
  std::unique_ptr<test::SwayServer> sway_;
  std::unique_ptr<test::PortalMockBus> bus_;
  GSubprocess* pipewire_ = nullptr;
};

// xdg-desktop-portal 1.16 exports Screenshot only when a backend also implements Access (the
// permission dialog), which -wlr does not: a sway session with -wlr alone (Debian 12's sway
// recommends only it) has no Screenshot portal, and no GlobalShortcuts. liseur must say so, not
// hang; there the wlr-screencopy backend is the way.
TEST_F(RealPortalTest, WlrAloneOffersNeitherScreenshotNorShortcuts) {
  ASSERT_NO_FATAL_FAILURE(start({"wlr.portal"}));
  auto grabber = PortalScreenshot::open(bus_->address());
  ASSERT_FALSE(grabber.ok());
  EXPECT_EQ(grabber.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(grabber.error().message.find("no org.freedesktop.portal.Screenshot interface"),
            std::string::npos)
      << grabber.error().message;

  auto shortcuts = PortalShortcuts::open([](const std::string&, std::uint64_t) {}, bus_->address());
  ASSERT_FALSE(shortcuts.ok());
  EXPECT_EQ(shortcuts.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(shortcuts.error().message.find("no org.freedesktop.portal.GlobalShortcuts interface"),
            std::string::npos)
      << shortcuts.error().message;
}

// With -gtk for Access (as most sway desktops have), -wlr takes the picture with grim.
TEST_F(RealPortalTest, WlrWithGtkTakesTheScreenOfHeadlessSway) {
  ASSERT_NO_FATAL_FAILURE(start({"wlr.portal", "gtk.portal"}));
  auto opened = PortalScreenshot::open(bus_->address());
  ASSERT_TRUE(opened.ok()) << opened.error().name() << ": " << opened.error().message;
  std::unique_ptr<PortalScreenshot> grabber = std::move(opened.value());
  EXPECT_GE(grabber->portalVersion(), 1u);
  grabber->setTimeout(std::chrono::seconds(30));

  auto image = grabber->captureScreen();
  ASSERT_TRUE(image.ok()) << image.error().name() << ": " << image.error().message;
  EXPECT_EQ(image->encoded, "png");
  const std::string& png = image->encoded_bytes;
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  // The headless output's size.
  EXPECT_EQ(bigEndian32(png, 16), 800u);
  EXPECT_EQ(bigEndian32(png, 20), 600u);
  // xdg-desktop-portal-wlr 0.7 has grim write /tmp/out.png: liseur deleted it.
  EXPECT_FALSE(fs::exists("/tmp/out.png")) << "the portal's screenshot file was left on disk";

  // The region path gives the same capture with a crop.
  auto region = grabber->captureRegion(Box{100, 50, 200, 100});
  ASSERT_TRUE(region.ok()) << region.error().name() << ": " << region.error().message;
  EXPECT_EQ(region->crop, (Box{100, 50, 200, 100}));
  EXPECT_EQ(bigEndian32(region->encoded_bytes, 16), 800u);
  EXPECT_FALSE(fs::exists("/tmp/out.png"));
}

}  // namespace
}  // namespace liseur
