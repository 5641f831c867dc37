// PortalScreenshot against a python3-dbusmock fake of xdg-desktop-portal on a private bus.
#include "capture/portal_screenshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "portal_mock.h"
#include "support/test_env.h"

namespace liseur {
namespace {

namespace fs = std::filesystem;
using test::MockCall;
using test::PortalMockBus;

std::vector<std::string> filesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

class PortalScreenshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(xdg_.path("bus"));
    fs::create_directories(out_dir_);
    // A real PNG (a screenshot of English UI text), as the desktop would write one.
    png_ = xdg_.path("source.png");
    fs::copy_file(std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ui-en.png", png_);
    bus_ = std::make_unique<PortalMockBus>(xdg_.path("bus"));
    ASSERT_TRUE(bus_->ok()) << bus_->error();
  }

  // Starts the fake portal; `extra` adds JSON members, e.g. R"("screenshot": "cancel")".
  void startPortal(const std::string& extra = "") {
    std::string params = "{\"png\": \"" + png_ + "\", \"out_dir\": \"" + out_dir_ + "\"";
    if (!extra.empty()) params += ", " + extra;
    params += "}";
    ASSERT_TRUE(bus_->startPortal(params)) << bus_->error() << " params " << params;
  }

  std::unique_ptr<PortalScreenshot> openGrabber() {
    auto grabber = PortalScreenshot::open(bus_->address());
    EXPECT_TRUE(grabber.ok()) << grabber.error().name() << ": " << grabber.error().message;
    return grabber.ok() ? std::move(grabber.value()) : nullptr;
  }

  test::TempXdg xdg_;
  std::string out_dir_ = xdg_.path("Pictures");
  std::string png_;
  std::unique_ptr<PortalMockBus> bus_;
};

TEST_F(PortalScreenshotTest, ScreenReturnsThePngBytesAndDeletesTheFile) {
  startPortal();
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  EXPECT_EQ(grabber->backend(), "portal");
  EXPECT_EQ(grabber->portalVersion(), 2u);
  EXPECT_NE(grabber->describe().find("Screenshot v2"), std::string::npos) << grabber->describe();
  EXPECT_FALSE(grabber->lost());

  auto image = grabber->captureScreen();
  ASSERT_TRUE(image.ok()) << image.error().name() << ": " << image.error().message;
  EXPECT_EQ(image->encoded, "png");
  EXPECT_EQ(image->encoded_bytes, test::readFile(png_)) << "bytes differ from " << png_;
  EXPECT_EQ(image->width, 0);
  EXPECT_EQ(image->height, 0);
  EXPECT_TRUE(image->bgra.empty());
  EXPECT_EQ(image->crop, Box{});
  // The fake desktop wrote Screenshot-1.png there; liseur deleted it after reading.
  EXPECT_TRUE(filesIn(out_dir_).empty()) << "left behind: " << filesIn(out_dir_).front();

  // What the portal was asked: no dialog, our handle token.
  std::vector<MockCall> calls = bus_->calls();
  const MockCall* shot = nullptr;
  for (const auto& c : calls) {
    if (c.method == "Screenshot") shot = &c;
  }
  ASSERT_NE(shot, nullptr) << "the mock logged no Screenshot call";
  ASSERT_EQ(shot->args.size(), 2u);
  EXPECT_EQ(shot->args[0], "''") << "parent_window";
  EXPECT_EQ(shot->options.at("interactive"), "false");
  ASSERT_EQ(shot->options.count("handle_token"), 1u);
  EXPECT_EQ(shot->options.at("handle_token").rfind("'liseur_", 0), 0u)
      << shot->options.at("handle_token");

  // A second capture works on the same connection.
  auto again = grabber->captureScreen();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->encoded_bytes.size(), image->encoded_bytes.size());
  EXPECT_TRUE(filesIn(out_dir_).empty());
}

// The answer can arrive before the method's reply: liseur subscribes to the predicted Request
// path first, so it is not lost.
TEST_F(PortalScreenshotTest, AnswerBeforeTheReplyIsNotLost) {
  startPortal(R"("delay_ms": -1)");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  grabber->setTimeout(std::chrono::seconds(5));
  auto image = grabber->captureScreen();
  ASSERT_TRUE(image.ok()) << image.error().name() << ": " << image.error().message;
  EXPECT_EQ(image->encoded_bytes, test::readFile(png_));
  // The request path the portal used ends with liseur's token.
  const std::vector<std::string> requests = bus_->requestPaths();
  ASSERT_EQ(requests.size(), 1u);
  std::string token;
  for (const auto& c : bus_->calls()) {
    if (c.method == "Screenshot") token = c.options.at("handle_token");
  }
  ASSERT_GT(token.size(), 2u);
  EXPECT_EQ(requests[0].substr(requests[0].rfind('/') + 1), token.substr(1, token.size() - 2));
  EXPECT_EQ(requests[0].rfind("/org/freedesktop/portal/desktop/request/1_", 0), 0u) << requests[0];
}

TEST_F(PortalScreenshotTest, RegionCapturesTheScreenAndSetsTheCrop) {
  startPortal();
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  const Box region{10, 20, 300, 40};
  auto image = grabber->captureRegion(region);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->crop, region);
  EXPECT_EQ(image->encoded, "png");
  EXPECT_FALSE(image->encoded_bytes.empty());
  EXPECT_NE(image->description.find("10,20 300x40"), std::string::npos) << image->description;

  auto empty = grabber->captureRegion(Box{5, 5, 0, 10});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument) << empty.error().message;
  EXPECT_NE(empty.error().message.find("5,5 0x10"), std::string::npos) << empty.error().message;
  // Only the first region asked the portal.
  int shots = 0;
  for (const auto& c : bus_->calls()) shots += c.method == "Screenshot";
  EXPECT_EQ(shots, 1);
}

TEST_F(PortalScreenshotTest, CancelledDialogIsCaptureRefused) {
  startPortal(R"("screenshot": "cancel")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  auto image = grabber->captureScreen();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kCaptureRefused);
  EXPECT_EQ(image.error().name(), "capture-refused");
  EXPECT_NE(image.error().message.find("cancelled"), std::string::npos) << image.error().message;
  EXPECT_NE(image.error().message.find("response 1"), std::string::npos) << image.error().message;
}

TEST_F(PortalScreenshotTest, RefusalIsCaptureRefused) {
  startPortal(R"("screenshot": "refuse")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  auto image = grabber->captureScreen();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kCaptureRefused);
  EXPECT_NE(image.error().message.find("refused"), std::string::npos) << image.error().message;
  EXPECT_NE(image.error().message.find("response 2"), std::string::npos) << image.error().message;
}

TEST_F(PortalScreenshotTest, NoAnswerTimesOutAndClosesTheRequest) {
  startPortal(R"("screenshot": "silent")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  grabber->setTimeout(std::chrono::milliseconds(600));
  const auto t0 = std::chrono::steady_clock::now();
  auto image = grabber->captureScreen();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kTimeout) << image.error().message;
  EXPECT_NE(image.error().message.find("did not answer within 0.6 s"), std::string::npos)
      << image.error().message;
  EXPECT_GE(ms, 550);
  EXPECT_LT(ms, 5000);

  // The request object the portal created was told to Close.
  const std::vector<std::string> requests = bus_->requestPaths();
  ASSERT_EQ(requests.size(), 1u);
  bool closed = false;
  for (const auto& c : bus_->calls(requests[0])) closed = closed || c.method == "Close";
  EXPECT_TRUE(closed) << "no Request.Close on " << requests[0];
}

TEST_F(PortalScreenshotTest, CancelFromAnotherThreadEndsTheWait) {
  startPortal(R"("screenshot": "silent")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  grabber->setTimeout(std::chrono::seconds(20));
  EXPECT_TRUE(grabber->slow());
  grabber->cancel();  // no capture running: does nothing
  // Through the ScreenGrabber interface, as the daemon calls it.
  ScreenGrabber* as_grabber = grabber.get();
  std::thread canceller([as_grabber] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    as_grabber->cancel();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto image = grabber->captureScreen();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  canceller.join();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kCancelled) << image.error().message;
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 5000);
  const std::vector<std::string> requests = bus_->requestPaths();
  ASSERT_EQ(requests.size(), 1u);
  bool closed = false;
  for (const auto& c : bus_->calls(requests[0])) closed = closed || c.method == "Close";
  EXPECT_TRUE(closed) << "no Request.Close on " << requests[0];
}

TEST_F(PortalScreenshotTest, ScopesThePortalCannotGiveAreCaptureUnsupported) {
  startPortal();
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  auto window = grabber->captureActiveWindow();
  ASSERT_FALSE(window.ok());
  EXPECT_EQ(window.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(window.error().message.find("active window"), std::string::npos);
  EXPECT_NE(window.error().message.find("liseur read screen"), std::string::npos);
  auto pointer = grabber->captureAroundPointer(400, 200);
  ASSERT_FALSE(pointer.ok());
  EXPECT_EQ(pointer.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(pointer.error().message.find("pointer"), std::string::npos);
  EXPECT_NE(pointer.error().message.find("liseur read region"), std::string::npos);
  auto clip = grabber->clipboardPng(std::chrono::seconds(1), 1 << 20);
  ASSERT_FALSE(clip.ok());
  EXPECT_EQ(clip.error().code, ErrorCode::kCaptureUnsupported);
  auto box = grabber->desktopBox();
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.error().code, ErrorCode::kCaptureUnsupported);
  // None of these asked the portal anything.
  for (const auto& c : bus_->calls()) EXPECT_NE(c.method, "Screenshot");
}

TEST_F(PortalScreenshotTest, TooLargeFileIsDeletedUnread) {
  startPortal();
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  grabber->setMaxFileBytes(100);
  auto image = grabber->captureScreen();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kImageTooLarge) << image.error().message;
  EXPECT_NE(image.error().message.find("100 byte limit"), std::string::npos)
      << image.error().message;
  EXPECT_TRUE(filesIn(out_dir_).empty());
}

TEST_F(PortalScreenshotTest, SymlinkIsNeitherFollowedNorDeleted) {
  startPortal(R"("screenshot": "symlink")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  auto image = grabber->captureScreen();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kNotRegularFile) << image.error().message;
  EXPECT_NE(image.error().message.find("symbolic link"), std::string::npos);
  EXPECT_EQ(filesIn(out_dir_).size(), 2u);  // the file and the link, untouched
}

TEST_F(PortalScreenshotTest, NonFileUriIsRefused) {
  startPortal(R"("screenshot": "http")");
  auto grabber = openGrabber();
  ASSERT_TRUE(grabber);
  auto image = grabber->captureScreen();
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kFileUnreadable);
  EXPECT_NE(image.error().message.find("'http' URI"), std::string::npos) << image.error().message;
}

TEST_F(PortalScreenshotTest, NoPortalOnTheBusIsCaptureUnsupported) {
  // The private bus has no service files: nothing answers org.freedesktop.portal.Desktop.
  auto grabber = PortalScreenshot::open(bus_->address());
  ASSERT_FALSE(grabber.ok());
  EXPECT_EQ(grabber.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(grabber.error().message.find("no xdg-desktop-portal"), std::string::npos)
      << grabber.error().message;
  EXPECT_NE(grabber.error().message.find("xdg-desktop-portal-gnome"), std::string::npos)
      << grabber.error().message;
}

TEST_F(PortalScreenshotTest, PortalWithoutScreenshotIsCaptureUnsupported) {
  startPortal(R"("interfaces": ["GlobalShortcuts"])");
  auto grabber = PortalScreenshot::open(bus_->address());
  ASSERT_FALSE(grabber.ok());
  EXPECT_EQ(grabber.error().code, ErrorCode::kCaptureUnsupported);
  EXPECT_NE(grabber.error().message.find("no org.freedesktop.portal.Screenshot interface"),
            std::string::npos)
      << grabber.error().message;
}

// A portal the bus starts but that never takes its name (as xdg-desktop-portal sometimes does on
// its first start): a timeout that says so, not "no Screenshot interface".
TEST(PortalStart, PortalThatDoesNotStartInTimeIsTimeout) {
  test::TempXdg xdg;
  fs::create_directories(xdg.path("bus"));
  fs::create_directories(xdg.path("services"));
  test::writeFile(xdg.path("services/org.freedesktop.portal.Desktop.service"),
                  "[D-BUS Service]\nName=org.freedesktop.portal.Desktop\nExec=/bin/sleep 5\n");
  PortalMockBus::Options options;
  options.service_dir = xdg.path("services");
  options.service_start_timeout_ms = 1000;
  PortalMockBus bus(xdg.path("bus"), options);
  ASSERT_TRUE(bus.ok()) << bus.error();
  auto grabber = PortalScreenshot::open(bus.address());
  ASSERT_FALSE(grabber.ok());
  EXPECT_EQ(grabber.error().code, ErrorCode::kTimeout) << grabber.error().message;
  EXPECT_NE(grabber.error().message.find("did not start or answer in time"), std::string::npos)
      << grabber.error().message;
}

// A portal whose program fails at once is "no portal", with the reason.
TEST(PortalStart, PortalThatFailsToStartIsCaptureUnsupported) {
  test::TempXdg xdg;
  fs::create_directories(xdg.path("bus"));
  fs::create_directories(xdg.path("services"));
  test::writeFile(xdg.path("services/org.freedesktop.portal.Desktop.service"),
                  "[D-BUS Service]\nName=org.freedesktop.portal.Desktop\nExec=/bin/false\n");
  PortalMockBus::Options options;
  options.service_dir = xdg.path("services");
  PortalMockBus bus(xdg.path("bus"), options);
  ASSERT_TRUE(bus.ok()) << bus.error();
  auto grabber = PortalScreenshot::open(bus.address());
  ASSERT_FALSE(grabber.ok());
  EXPECT_EQ(grabber.error().code, ErrorCode::kCaptureUnsupported) << grabber.error().message;
  EXPECT_NE(grabber.error().message.find("cannot be started"), std::string::npos)
      << grabber.error().message;
}

TEST_F(PortalScreenshotTest, NoBusIsDisplayUnavailable) {
  auto bad = PortalScreenshot::open("unix:path=" + xdg_.path("no-such-socket"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(bad.error().message.find("cannot connect"), std::string::npos) << bad.error().message;

  const char* saved = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  const std::string saved_value = saved ? saved : "";
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  auto unset = PortalScreenshot::open();
  if (saved) ::setenv("DBUS_SESSION_BUS_ADDRESS", saved_value.c_str(), 1);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(unset.error().message.find("DBUS_SESSION_BUS_ADDRESS"), std::string::npos);
}

TEST_F(PortalScreenshotTest, EmptyAddressUsesTheSessionBusVariable) {
  startPortal();
  const char* saved = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  const std::string saved_value = saved ? saved : "";
  ::setenv("DBUS_SESSION_BUS_ADDRESS", bus_->address().c_str(), 1);
  auto grabber = PortalScreenshot::open();
  if (saved) {
    ::setenv("DBUS_SESSION_BUS_ADDRESS", saved_value.c_str(), 1);
  } else {
    ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  }
  ASSERT_TRUE(grabber.ok()) << grabber.error().message;
  EXPECT_NE((*grabber)->describe().find("session bus"), std::string::npos);
  auto image = (*grabber)->captureScreen();
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->encoded_bytes, test::readFile(png_));
}

}  // namespace
}  // namespace liseur
