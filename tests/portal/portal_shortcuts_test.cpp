// PortalShortcuts against a python3-dbusmock fake of xdg-desktop-portal on a private bus, and
// the key spec translation.
#include "input/portal_shortcuts.h"

#include <gio/gio.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "portal_mock.h"
#include "support/test_env.h"

namespace liseur {
namespace {

namespace fs = std::filesystem;
using test::MockCall;
using test::PortalMockBus;

TEST(PortalTrigger, TranslatesLiseurKeySpecs) {
  const std::pair<const char*, const char*> cases[] = {
      {"ctrl+alt+r", "CTRL+ALT+r"},      {"Control+Alt+R", "CTRL+ALT+r"},
      {"Super+Shift+R", "SHIFT+LOGO+r"}, {"Win+F5", "LOGO+F5"},
      {"Control+KP_5", "CTRL+KP_5"},     {"alt+Enter", "ALT+Return"},
      {"Control+plus", "CTRL+plus"},     {"Escape", "Escape"},
  };
  for (const auto& [spec, want] : cases) {
    auto got = portalTrigger(spec);
    ASSERT_TRUE(got.ok()) << spec << ": " << got.error().message;
    EXPECT_EQ(*got, want) << "spec " << spec;
  }
}

TEST(PortalTrigger, RejectsWhatThePortalCannotExpress) {
  auto hyper = portalTrigger("Hyper+r");
  ASSERT_FALSE(hyper.ok());
  EXPECT_EQ(hyper.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(hyper.error().message.find("Hyper"), std::string::npos) << hyper.error().message;
  auto typo = portalTrigger("Shfit+R");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(typo.error().message.find("'Shfit+R'"), std::string::npos) << typo.error().message;
}

// Collects activations from the object's thread.
struct Activations {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::uint64_t>> seen;
  std::thread::id thread;

  PortalShortcuts::Callback callback() {
    return [this](const std::string& id, std::uint64_t ts) {
      std::lock_guard lock(mu);
      seen.emplace_back(id, ts);
      thread = std::this_thread::get_id();
      cv.notify_all();
    };
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return seen.size() >= n; });
  }
};

class PortalShortcutsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(xdg_.path("bus"));
    bus_ = std::make_unique<PortalMockBus>(xdg_.path("bus"));
    ASSERT_TRUE(bus_->ok()) << bus_->error();
  }
  void startPortal(const std::string& params) {
    ASSERT_TRUE(bus_->startPortal(params)) << bus_->error() << " params " << params;
  }
  const MockCall* findCall(const std::vector<MockCall>& calls, const std::string& method) {
    for (const auto& c : calls) {
      if (c.method == method) return &c;
    }
    return nullptr;
  }

  test::TempXdg xdg_;
  std::unique_ptr<PortalMockBus> bus_;
};

TEST_F(PortalShortcutsTest, CreatesASessionBindsAndDeliversActivations) {
  startPortal("{}");
  Activations activations;
  auto opened =
      PortalShortcuts::open(activations.callback(), bus_->address(), std::chrono::seconds(10));
  ASSERT_TRUE(opened.ok()) << opened.error().name() << ": " << opened.error().message;
  std::unique_ptr<PortalShortcuts> shortcuts = std::move(opened.value());
  const std::string session = shortcuts->sessionHandle();
  EXPECT_EQ(session.rfind("/org/freedesktop/portal/desktop/session/", 0), 0u) << session;
  EXPECT_EQ(shortcuts->portalVersion(), 1u);
  EXPECT_FALSE(shortcuts->lost());

  std::vector<MockCall> calls = bus_->calls();
  const MockCall* create = findCall(calls, "CreateSession");
  ASSERT_NE(create, nullptr);
  ASSERT_EQ(create->options.count("session_handle_token"), 1u);
  const std::string session_token = create->options.at("session_handle_token");
  // The session handle ends with the token liseur chose ('...' printed with quotes).
  EXPECT_EQ(session.substr(session.rfind('/') + 1),
            session_token.substr(1, session_token.size() - 2));
  EXPECT_EQ(create->options.at("handle_token").rfind("'liseur_", 0), 0u);

  auto bound = shortcuts->bind({
      {"read-screen", "Read the screen", "ctrl+alt+r"},
      {"stop", "Stop reading", "Super+Shift+Escape"},
      {"read-clipboard", "Read the clipboard's image", ""},
  });
  ASSERT_TRUE(bound.ok()) << bound.error().name() << ": " << bound.error().message;
  ASSERT_EQ(bound->size(), 3u);
  EXPECT_EQ((*bound)[0].id, "read-screen");
  EXPECT_EQ((*bound)[0].description, "Read the screen");
  EXPECT_EQ((*bound)[0].trigger_description, "Press CTRL+ALT+r");
  EXPECT_EQ((*bound)[1].trigger_description, "Press SHIFT+LOGO+Escape");
  EXPECT_EQ((*bound)[2].trigger_description, "");

  calls = bus_->calls();
  const MockCall* bind = findCall(calls, "BindShortcuts");
  ASSERT_NE(bind, nullptr);
  ASSERT_EQ(bind->args.size(), 4u);
  EXPECT_EQ(bind->args[0], "'" + session + "'");  // the mock logs paths as strings
  EXPECT_NE(bind->args[1].find("('read-screen', {'description': <'Read the screen'>, "
                               "'preferred_trigger': <'CTRL+ALT+r'>})"),
            std::string::npos)
      << bind->args[1];
  EXPECT_NE(bind->args[1].find("'preferred_trigger': <'SHIFT+LOGO+Escape'>"), std::string::npos)
      << bind->args[1];
  // No preferred trigger for the third: the desktop chooses.
  EXPECT_NE(bind->args[1].find("('read-clipboard', {'description': <\"Read the clipboard's "
                               "image\">})"),
            std::string::npos)
      << bind->args[1];
  EXPECT_EQ(bind->args[2], "''") << "parent_window";
  EXPECT_EQ(bind->options.count("handle_token"), 1u);

  // An activation for another session is not ours; ours reaches the callback on the object's
  // own thread.
  auto activated = [](const std::string& s, const char* id, guint64 ts) {
    GVariantBuilder av;
    g_variant_builder_init(&av, G_VARIANT_TYPE("av"));
    g_variant_builder_add(&av, "v", g_variant_new_object_path(s.c_str()));
    g_variant_builder_add(&av, "v", g_variant_new_string(id));
    g_variant_builder_add(&av, "v", g_variant_new_uint64(ts));
    g_variant_builder_add(&av, "v", g_variant_new("a{sv}", nullptr));
    return g_variant_builder_end(&av);
  };
  ASSERT_TRUE(
      bus_->emitSignal("org.freedesktop.portal.GlobalShortcuts", "Activated", "osta{sv}",
                       activated("/org/freedesktop/portal/desktop/session/1_99/other", "stop", 1)));
  ASSERT_TRUE(bus_->emitSignal("org.freedesktop.portal.GlobalShortcuts", "Activated", "osta{sv}",
                               activated(session, "read-screen", 123456)));
  ASSERT_TRUE(activations.waitFor(1, std::chrono::seconds(5))) << "no activation arrived";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    std::lock_guard lock(activations.mu);
    ASSERT_EQ(activations.seen.size(), 1u);
    EXPECT_EQ(activations.seen[0].first, "read-screen");
    EXPECT_EQ(activations.seen[0].second, 123456u);
    EXPECT_NE(activations.thread, std::this_thread::get_id());
  }

  // Destroying the object closes the portal session.
  shortcuts.reset();
  bool closed = false;
  for (const auto& c : bus_->calls(session)) closed = closed || c.method == "Close";
  EXPECT_TRUE(closed) << "no Session.Close on " << session;
}

TEST_F(PortalShortcutsTest, RefusedBindingIsReported) {
  startPortal(R"({"shortcuts": "cancel"})");
  Activations activations;
  auto shortcuts = PortalShortcuts::open(activations.callback(), bus_->address());
  ASSERT_TRUE(shortcuts.ok()) << shortcuts.error().message;
  auto bound = (*shortcuts)->bind({{"read-screen", "Read the screen", "ctrl+alt+r"}});
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, ErrorCode::kCaptureRefused);
  EXPECT_NE(bound.error().message.find("global shortcuts"), std::string::npos);
  EXPECT_NE(bound.error().message.find("response 1"), std::string::npos) << bound.error().message;
}

TEST_F(PortalShortcutsTest, RefusedSessionIsReported) {
  startPortal(R"({"session": "refuse"})");
  Activations activations;
  auto shortcuts = PortalShortcuts::open(activations.callback(), bus_->address());
  ASSERT_FALSE(shortcuts.ok());
  EXPECT_EQ(shortcuts.error().code, ErrorCode::kCaptureRefused);
  EXPECT_NE(shortcuts.error().message.find("session"), std::string::npos);
  EXPECT_NE(shortcuts.error().message.find("response 2"), std::string::npos)
      << shortcuts.error().message;
}

TEST_F(PortalShortcutsTest, BadTriggerFailsBeforeAskingThePortal) {
  startPortal("{}");
  Activations activations;
  auto shortcuts = PortalShortcuts::open(activations.callback(), bus_->address());
  ASSERT_TRUE(shortcuts.ok()) << shortcuts.error().message;
  auto bound = (*shortcuts)->bind({{"read-screen", "Read the screen", "Hyper+r"}});
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bound.error().message.find("shortcut 'read-screen'"), std::string::npos)
      << bound.error().message;
  EXPECT_EQ(findCall(bus_->calls(), "BindShortcuts"), nullptr);
}

TEST_F(PortalShortcutsTest, PortalWithoutGlobalShortcutsIsDisplayUnavailable) {
  startPortal(R"({"interfaces": ["Screenshot"]})");
  auto shortcuts = PortalShortcuts::open([](const std::string&, std::uint64_t) {}, bus_->address());
  ASSERT_FALSE(shortcuts.ok());
  EXPECT_EQ(shortcuts.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(shortcuts.error().message.find("no org.freedesktop.portal.GlobalShortcuts interface"),
            std::string::npos)
      << shortcuts.error().message;
}

TEST_F(PortalShortcutsTest, NoPortalIsDisplayUnavailable) {
  auto shortcuts = PortalShortcuts::open([](const std::string&, std::uint64_t) {}, bus_->address());
  ASSERT_FALSE(shortcuts.ok());
  EXPECT_EQ(shortcuts.error().code, ErrorCode::kDisplayUnavailable);
  EXPECT_NE(shortcuts.error().message.find("no xdg-desktop-portal"), std::string::npos)
      << shortcuts.error().message;
}

}  // namespace
}  // namespace liseur
