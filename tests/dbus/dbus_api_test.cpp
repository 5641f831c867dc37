// org.liseur.Reader1 on a private session bus (dbus-daemon started by the test), served by the
// real liseurd: every method called through GDBus and through the `gdbus` tool, the Event signal
// received, errors as D-Bus errors named with the socket's stable codes, and the daemon working
// without a bus, with a dead one, and after its bus went away. Orca's remote controller is a
// python3-dbusmock fake (orca_template.py): a notice reaches PresentMessage; with no Orca, or an
// Orca that refuses it, liseur's own voice says it. Notices are the answers to hotkeys, so the
// hotkey comes through the fake GlobalShortcuts portal of tests/portal/ (a Wayland session).
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/daemon_harness.h"
#include "portal/portal_mock.h"
#include "support/test_env.h"
#ifdef LISEUR_DBUS_TEST_XVFB
#include "x11/xvfb_server.h"
#endif

namespace liseur::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr const char* kName = "org.liseur.Reader1";
constexpr const char* kPath = "/org/liseur/Reader1";
constexpr const char* kIface = "org.liseur.Reader1";

// The test's own connection to the bus: calls, and the Event signals gathered on a private
// main context that waiting iterates.
class BusClient {
 public:
  struct Reply {
    bool ok = false;
    GVariant* value = nullptr;  // owned
    std::string error_name, message;
    ~Reply() {
      if (value) g_variant_unref(value);
    }
    std::string str() const {  // the one string of a (s) reply
      const char* s = nullptr;
      g_variant_get(value, "(&s)", &s);
      return s;
    }
    guint64 job() const {
      guint64 j = 0;
      g_variant_get(value, "(t)", &j);
      return j;
    }
    std::string describe() const { return ok ? "ok" : error_name + ": " + message; }
  };

  explicit BusClient(const std::string& address) {
    ctx_ = g_main_context_new();
    g_main_context_push_thread_default(ctx_);
    GError* err = nullptr;
    conn_ = g_dbus_connection_new_for_address_sync(
        address.c_str(),
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, nullptr, &err);
    if (conn_) {
      sub_ = g_dbus_connection_signal_subscribe(conn_, nullptr, kIface, "Event", kPath, nullptr,
                                                G_DBUS_SIGNAL_FLAGS_NONE, onSignal, this, nullptr);
    } else {
      problem_ = err->message;
      g_error_free(err);
    }
    g_main_context_pop_thread_default(ctx_);
  }
  ~BusClient() {
    if (conn_) {
      g_dbus_connection_signal_unsubscribe(conn_, sub_);
      g_dbus_connection_close_sync(conn_, nullptr, nullptr);
      g_object_unref(conn_);
    }
    while (g_main_context_iteration(ctx_, FALSE)) {
    }
    g_main_context_unref(ctx_);
  }
  bool ok() const { return conn_ != nullptr; }
  const std::string& problem() const { return problem_; }

  std::unique_ptr<Reply> call(const char* method, GVariant* params = nullptr,
                              const char* replyType = nullptr, int timeoutMs = 120000,
                              const char* iface = kIface) {
    auto r = std::make_unique<Reply>();
    GError* err = nullptr;
    r->value = g_dbus_connection_call_sync(
        conn_, kName, kPath, iface, method, params, replyType ? G_VARIANT_TYPE(replyType) : nullptr,
        G_DBUS_CALL_FLAGS_NO_AUTO_START, timeoutMs, nullptr, &err);
    r->ok = r->value != nullptr;
    if (err) {
      gchar* remote = g_dbus_error_get_remote_error(err);
      r->error_name = remote ? remote : "(not a remote error)";
      g_free(remote);
      g_dbus_error_strip_remote_error(err);
      r->message = err->message;
      g_error_free(err);
    }
    return r;
  }

  // Events received so far ({"event":name, ...body}), iterating for up to `timeout` until `pred`
  // holds for one of them; returns it (null when none came).
  json waitEvent(const std::function<bool(const json&)>& pred, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      while (g_main_context_iteration(ctx_, FALSE)) {
      }
      for (const json& e : events_)
        if (pred(e)) return e;
      if (std::chrono::steady_clock::now() >= deadline) return json();
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  json waitEvent(const std::string& name, uint64_t job,
                 milliseconds timeout = milliseconds(60000)) {
    return waitEvent(
        [&](const json& e) { return e["event"] == name && e.value("job", uint64_t(0)) == job; },
        timeout);
  }
  std::vector<json> eventsOf(uint64_t job) const {
    std::vector<json> out;
    for (const json& e : events_)
      if (e.value("job", uint64_t(0)) == job) out.push_back(e);
    return out;
  }
  std::string dump() const {
    std::string s;
    for (const json& e : events_) s += e.dump() + "\n";
    return s;
  }

 private:
  static void onSignal(GDBusConnection*, const gchar*, const gchar*, const gchar*, const gchar*,
                       GVariant* params, gpointer self) {
    const char *name = nullptr, *body = nullptr;
    g_variant_get(params, "(&s&s)", &name, &body);
    json e = json::parse(body, nullptr, false);
    if (!e.is_object()) e = json{{"unparsed", body}};
    e["event"] = name;
    static_cast<BusClient*>(self)->events_.push_back(std::move(e));
  }

  GMainContext* ctx_ = nullptr;
  GDBusConnection* conn_ = nullptr;
  guint sub_ = 0;
  std::string problem_;
  std::vector<json> events_;
};

// Runs a shell command line; returns its exit status, stdout and stderr in `out`.
int run(const std::string& command, std::string* out) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  std::size_t n;
  out->clear();
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string gdbusCall(const std::string& method, const std::string& args) {
  return "gdbus call --session --dest org.liseur.Reader1 --object-path /org/liseur/Reader1 "
         "--method org.liseur.Reader1." +
         method + " " + args;
}

// The D-Bus error name of a socket reply's error: its stable code, '-' written '_'.
std::string dbusErrorOf(const json& socketReply) {
  std::string code = socketReply["error"]["code"];
  std::replace(code.begin(), code.end(), '-', '_');
  return "org.liseur.Reader1.Error." + code;
}

class DbusApi : public ::testing::Test {
 protected:
  void startBus() {
    dir_ = fs::temp_directory_path() /
           ("liseur-dbus-" + std::to_string(::getpid()) + "-" + std::to_string(++runs_));
    fs::create_directories(dir_);
    bus_ = std::make_unique<PortalMockBus>(dir_.string());
    ASSERT_TRUE(bus_->ok()) << bus_->error();
    ::setenv("DBUS_SESSION_BUS_ADDRESS", bus_->address().c_str(), 1);
  }
  void startDaemon(const std::vector<std::string>& args = {"--audio", "null"}) {
    d_ = std::make_unique<DaemonHarness>(args);
    ASSERT_TRUE(d_->started()) << d_->startProblem();
  }
  json dbusStatus() { return d_->request("status")["dbus"]; }
  bool waitAvailable() {
    return waitFor([&] { return dbusStatus()["available"] == true; }, milliseconds(15000));
  }
  void TearDown() override {
    client_.reset();
    d_.reset();
    bus_.reset();
    ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  int runs_ = 0;
  fs::path dir_;
  std::unique_ptr<PortalMockBus> bus_;
  std::unique_ptr<DaemonHarness> d_;
  std::unique_ptr<BusClient> client_;
};

TEST_F(DbusApi, EveryMethodRunsTheSocketCommandAndEventsComeAsSignals) {
  startBus();
  startDaemon({"--audio", "paced-null"});
  ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
  client_ = std::make_unique<BusClient>(bus_->address());
  ASSERT_TRUE(client_->ok()) << client_->problem();
  BusClient& c = *client_;

  // The object serves the interface of the installed XML, method for method.
  auto intro = c.call("Introspect", nullptr, "(s)", 5000, "org.freedesktop.DBus.Introspectable");
  ASSERT_TRUE(intro->ok) << intro->describe();
  const std::string xml =
      readFile(std::string(LISEUR_SOURCE_DIR) + "/packaging/dbus/org.liseur.Reader1.xml");
  for (const char* m : {"Read", "Say", "Ocr", "Watch", "Unwatch", "Stop", "Pause", "Resume",
                        "Review", "Set", "Pointer", "Reload", "Status"}) {
    const std::string tag = std::string("<method name=\"") + m + "\"";
    EXPECT_NE(xml.find(tag), std::string::npos) << m;
    EXPECT_NE(intro->str().find(tag), std::string::npos) << m << "\n" << intro->str();
  }
  EXPECT_NE(intro->str().find("<signal name=\"Event\">"), std::string::npos);

  // Status: the socket's reply, with the bridge's own state.
  auto st = c.call("Status", nullptr, "(s)");
  ASSERT_TRUE(st->ok) << st->describe();
  json status = json::parse(st->str());
  EXPECT_EQ(status["version"], d_->request("status")["version"]) << status.dump();
  EXPECT_EQ(status["dbus"]["available"], true) << status.dump();
  EXPECT_EQ(status["dbus"]["name"], "org.liseur.Reader1") << status.dump();

  // Say: a job id, then its events as signals (words as the paced sink plays them).
  auto say = c.call("Say", g_variant_new("(ss)", "Hello from the session bus.", R"({"lang":"en"})"),
                    "(t)");
  ASSERT_TRUE(say->ok) << say->describe() << d_->log();
  const uint64_t sayJob = say->job();
  EXPECT_GT(sayJob, 0u);
  json finished = c.waitEvent("job-finished", sayJob);
  ASSERT_FALSE(finished.is_null()) << c.dump() << d_->log();
  std::vector<std::string> names;
  for (const json& e : c.eventsOf(sayJob)) names.push_back(e["event"]);
  for (const char* want : {"job-started", "utterance-started", "word", "job-finished"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want << "\n" << c.dump();
  json started = c.waitEvent("job-started", sayJob, milliseconds(0));
  EXPECT_EQ(started["kind"], "say") << started.dump();

  // Read a file, waiting for its end; then Review moves through what was read.
  auto read = c.call(
      "Read",
      g_variant_new("(ss)", dataPath("ocr/dialog-en.png").c_str(), R"({"wait":true,"lang":"en"})"),
      "(t)");
  ASSERT_TRUE(read->ok) << read->describe() << d_->log();
  const uint64_t readJob = read->job();
  EXPECT_GT(readJob, sayJob);
  EXPECT_FALSE(c.waitEvent("job-finished", readJob, milliseconds(10000)).is_null()) << c.dump();
  EXPECT_FALSE(c.waitEvent("ocr-finished", readJob, milliseconds(0)).is_null()) << c.dump();
  auto review = c.call("Review", g_variant_new("(s)", "next-line"), "(s)");
  ASSERT_TRUE(review->ok) << review->describe();
  json rv = json::parse(review->str(), nullptr, false);
  ASSERT_TRUE(rv.is_object()) << review->str();
  EXPECT_FALSE(rv.contains("id") || rv.contains("ok")) << rv.dump();
  // The fields the socket's review answers, no more, no fewer.
  json sock = d_->request("review", {{"action", "previous-line"}});
  ASSERT_TRUE(sock["ok"]) << sock.dump();
  sock.erase("id");
  sock.erase("ok");
  std::vector<std::string> dbusKeys, sockKeys;
  for (auto& [k, v] : rv.items()) dbusKeys.push_back(k);
  for (auto& [k, v] : sock.items()) sockKeys.push_back(k);
  EXPECT_EQ(dbusKeys, sockKeys) << rv.dump() << "\n" << sock.dump();

  // Set: the new value.
  auto set = c.call("Set", g_variant_new("(ss)", "rate", "200"), "(s)");
  ASSERT_TRUE(set->ok) << set->describe();
  EXPECT_EQ(json::parse(set->str())["rate"], 200) << set->str();

  // Reload: the configuration read again, applied.
  auto reload = c.call("Reload", nullptr, "(s)");
  ASSERT_TRUE(reload->ok) << reload->describe();
  EXPECT_EQ(json::parse(reload->str())["applied"], true) << reload->str();

  // Pointer: the review cursor is on a word of a file, not of the screen: the socket's error.
  auto pointer = c.call("Pointer", g_variant_new("(s)", "move"), "(s)", 10000);
  json sockPointer = d_->request("pointer", {{"action", "move"}});
  ASSERT_FALSE(sockPointer["ok"]) << sockPointer.dump();
  EXPECT_EQ(pointer->error_name, dbusErrorOf(sockPointer)) << pointer->describe();
  EXPECT_EQ(pointer->message, sockPointer["error"]["message"]) << pointer->describe();

  // Pause, Resume, Stop on a long text being said.
  std::string longText;
  for (int i = 0; i < 12; ++i) longText += "This sentence is said slowly to leave time. ";
  auto slow = c.call("Say", g_variant_new("(ss)", longText.c_str(), R"({"lang":"en"})"), "(t)");
  ASSERT_TRUE(slow->ok) << slow->describe();
  const uint64_t slowJob = slow->job();
  ASSERT_FALSE(c.waitEvent("word", slowJob, milliseconds(20000)).is_null()) << c.dump();
  auto pause = c.call("Pause");
  ASSERT_TRUE(pause->ok) << pause->describe();
  EXPECT_EQ(json::parse(c.call("Status", nullptr, "(s)")->str())["state"], "paused");
  EXPECT_FALSE(c.waitEvent("paused", slowJob, milliseconds(5000)).is_null()) << c.dump();
  auto resume = c.call("Resume");
  ASSERT_TRUE(resume->ok) << resume->describe();
  EXPECT_FALSE(c.waitEvent("resumed", slowJob, milliseconds(5000)).is_null()) << c.dump();
  auto stop = c.call("Stop");
  ASSERT_TRUE(stop->ok) << stop->describe();
  json end = c.waitEvent("job-finished", slowJob, milliseconds(5000));
  EXPECT_EQ(end["stopped"], true) << c.dump();

  // Errors: D-Bus errors named with the socket's stable code, '-' written '_'.
  // (A missing file fails the job, so the call fails when it waits for the job's end.)
  auto missing = c.call("Read", g_variant_new("(ss)", "/nonexistent/nope.png", R"({"wait":true})"),
                        "(t)", 10000);
  EXPECT_FALSE(missing->ok);
  EXPECT_EQ(missing->error_name, "org.liseur.Reader1.Error.file_not_found") << missing->describe();
  json sockMissing = d_->request("read", {{"file", "/nonexistent/nope.png"}, {"wait", true}});
  EXPECT_EQ(sockMissing["error"]["code"], "file-not-found");
  EXPECT_EQ(missing->message, sockMissing["error"]["message"]) << missing->describe();

  auto badOptions = c.call("Read", g_variant_new("(ss)", "window", "[1,2]"), "(t)", 10000);
  EXPECT_EQ(badOptions->error_name, "org.liseur.Reader1.Error.invalid_argument")
      << badOptions->describe();
  auto badReview = c.call("Review", g_variant_new("(s)", "sideways"), "(s)", 10000);
  json sockReview = d_->request("review", {{"action", "sideways"}});
  ASSERT_FALSE(sockReview["ok"]) << sockReview.dump();
  EXPECT_EQ(badReview->error_name, dbusErrorOf(sockReview)) << badReview->describe();
  auto badSet = c.call("Set", g_variant_new("(ss)", "loudness", "3"), "(s)", 10000);
  EXPECT_EQ(badSet->error_name, "org.liseur.Reader1.Error.invalid_argument") << badSet->describe();

  // The same through the `gdbus` tool, as a script would (arguments in GVariant text form).
  std::string out;
  EXPECT_EQ(run(gdbusCall("Status", ""), &out), 0) << out;
  EXPECT_NE(out.find("available"), std::string::npos) << out;
  EXPECT_EQ(run(gdbusCall("Say", R"("'Bonjour.'" "'{\"lang\":\"fr\"}'")"), &out), 0) << out;
  EXPECT_NE(out.find("(uint64 "), std::string::npos) << out;
  EXPECT_EQ(run(gdbusCall("Stop", ""), &out), 0) << out;
  EXPECT_NE(run(gdbusCall("Read", R"("'/nonexistent/nope.png'" "'{\"wait\":true}'")"), &out), 0)
      << out;
  EXPECT_NE(out.find("org.liseur.Reader1.Error.file_not_found"), std::string::npos) << out;

  // The daemon's own socket went on serving alongside.
  EXPECT_TRUE(d_->request("status")["ok"]);
}

// Ocr, Watch and Unwatch are the socket's ocr, watch and unwatch: the same text, the same
// errors (here without a display, as in CI: no X server for the daemon), the same answers.
TEST_F(DbusApi, OcrWatchAndUnwatchAreTheSocketsCommands) {
  startBus();
  ::unsetenv("DISPLAY");
  ::unsetenv("WAYLAND_DISPLAY");
  startDaemon();
  ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
  client_ = std::make_unique<BusClient>(bus_->address());
  ASSERT_TRUE(client_->ok()) << client_->problem();
  BusClient& c = *client_;

  const std::string image = dataPath("ocr/dialog-en.png");
  auto ocr = c.call("Ocr", g_variant_new("(ss)", image.c_str(), R"({"lang":"en"})"), "(s)", 30000);
  ASSERT_TRUE(ocr->ok) << ocr->describe() << d_->log();
  json viaBus = json::parse(ocr->str(), nullptr, false);
  ASSERT_TRUE(viaBus.is_object()) << ocr->str();
  json viaSocket = d_->request("ocr", {{"file", image}, {"lang", "en"}});
  ASSERT_TRUE(viaSocket["ok"]) << viaSocket.dump();
  EXPECT_FALSE(viaBus.value("text", std::string()).empty()) << viaBus.dump();
  EXPECT_EQ(viaBus["text"], viaSocket["text"]);
  EXPECT_EQ(viaBus["document"]["blocks"].size(), viaSocket["document"]["blocks"].size());
  auto missing = c.call("Ocr", g_variant_new("(ss)", "/nonexistent/nope.png", ""), "(s)", 10000);
  EXPECT_EQ(missing->error_name, "org.liseur.Reader1.Error.file_not_found") << missing->describe();

  // Watch with no display: the socket's error, named the D-Bus way.
  auto watch = c.call("Watch", g_variant_new("(ss)", "screen", R"({"every":"1s"})"), "(s)", 10000);
  EXPECT_FALSE(watch->ok);
  json sockWatch = d_->request("watch", {{"source", "screen"}, {"every", "1s"}});
  ASSERT_FALSE(sockWatch["ok"]) << sockWatch.dump();
  EXPECT_EQ(watch->error_name, dbusErrorOf(sockWatch)) << watch->describe();
  EXPECT_EQ(watch->message, sockWatch["error"]["message"]) << watch->describe();
  auto badWatch = c.call("Watch", g_variant_new("(ss)", "screen", "nope"), "(s)", 10000);
  EXPECT_EQ(badWatch->error_name, "org.liseur.Reader1.Error.invalid_argument")
      << badWatch->describe();

  // Unwatch with nothing watched.
  auto unwatch = c.call("Unwatch", nullptr, "(s)");
  ASSERT_TRUE(unwatch->ok) << unwatch->describe();
  EXPECT_EQ(json::parse(unwatch->str()), json({{"stopped", false}})) << unwatch->str();
}

#ifdef LISEUR_DBUS_TEST_XVFB
// A watch that works: started through the bus, its events come as Event signals, Unwatch ends it.
TEST_F(DbusApi, AWatchStartedOnTheBusSendsItsEventsAsSignals) {
  XvfbServer x;
  ASSERT_TRUE(x.ok()) << x.error();
  ::setenv("DISPLAY", x.display().c_str(), 1);
  ::unsetenv("WAYLAND_DISPLAY");
  ChildProcess xterm({"xterm", "-u8", "-T", "liseur-bus-watch", "-geometry", "40x4+0+0", "-fa",
                      "DejaVu Sans Mono", "-fs", "14", "-bg", "white", "-fg", "black", "+sb", "-e",
                      "sh", "-c", "printf '\\033[?25l%s\\n' 'The kettle is boiling.'; sleep 600"},
                     x.display());
  ASSERT_NE(findWindowByTitle(x.display(), "liseur-bus-watch"), 0u) << "xterm window not found";
  startBus();
  startDaemon();
  ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
  client_ = std::make_unique<BusClient>(bus_->address());
  ASSERT_TRUE(client_->ok()) << client_->problem();
  BusClient& c = *client_;

  auto watch = c.call(
      "Watch", g_variant_new("(ss)", "region", R"({"region":"0,0,560,120","every":"300ms"})"),
      "(s)", 10000);
  ASSERT_TRUE(watch->ok) << watch->describe() << d_->log();
  json started = json::parse(watch->str(), nullptr, false);
  EXPECT_EQ(started["every_ms"], 300) << watch->str();
  auto named = [](const char* name) {
    return [name](const json& e) { return e["event"] == name; };
  };
  EXPECT_FALSE(c.waitEvent(named("watch-started"), milliseconds(10000)).is_null()) << c.dump();
  json lines = c.waitEvent(named("watch-lines"), milliseconds(60000));
  ASSERT_FALSE(lines.is_null()) << c.dump() << d_->log();
  // The lines are said by a job of their own, whose words come as signals too.
  const uint64_t job = lines.value("job", uint64_t(0));
  ASSERT_GT(job, 0u) << lines.dump();
  json word = c.waitEvent(
      [&](const json& e) {
        return e["event"] == "word" && e.value("job", uint64_t(0)) == job &&
               e.value("text", std::string()).find("kettle") != std::string::npos;
      },
      milliseconds(30000));
  EXPECT_FALSE(word.is_null()) << c.dump();
  EXPECT_TRUE(json::parse(c.call("Status", nullptr, "(s)")->str())["watch"].is_object());

  auto unwatch = c.call("Unwatch", nullptr, "(s)");
  ASSERT_TRUE(unwatch->ok) << unwatch->describe();
  EXPECT_EQ(json::parse(unwatch->str()), json({{"stopped", true}})) << unwatch->str();
  EXPECT_FALSE(c.waitEvent(named("watch-ended"), milliseconds(10000)).is_null()) << c.dump();
  d_.reset();
  ::unsetenv("DISPLAY");
}
#endif

TEST_F(DbusApi, WithoutASessionBusTheDaemonWorksAndSaysWhy) {
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  startDaemon();
  json dbus = dbusStatus();
  ASSERT_TRUE(
      waitFor([&] { return dbusStatus().value("reason", "") != "starting"; }, milliseconds(10000)))
      << dbusStatus().dump();
  dbus = dbusStatus();
  EXPECT_EQ(dbus["available"], false) << dbus.dump();
  EXPECT_NE(dbus["reason"].get<std::string>().find("DBUS_SESSION_BUS_ADDRESS"), std::string::npos)
      << dbus.dump();
  json say = d_->request("say", {{"text", "Sans bus."}, {"wait", true}});
  EXPECT_TRUE(say["ok"]) << say.dump() << d_->log();
  d_.reset();

  // A bus address where nothing answers (a bus that died with the session).
  ::setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/liseur-test-bus", 1);
  startDaemon();
  ASSERT_TRUE(
      waitFor([&] { return dbusStatus().value("reason", "") != "starting"; }, milliseconds(10000)));
  dbus = dbusStatus();
  EXPECT_EQ(dbus["available"], false) << dbus.dump();
  EXPECT_NE(dbus["reason"].get<std::string>().find("does not answer"), std::string::npos)
      << dbus.dump();
  say = d_->request("say", {{"text", "Toujours là."}, {"wait", true}});
  EXPECT_TRUE(say["ok"]) << say.dump() << d_->log();
  // Said once in the log, not at every status.
  const std::string log = d_->log();
  EXPECT_EQ(log.find("does not answer"), log.rfind("does not answer")) << log;
}

TEST_F(DbusApi, TheBusGoingAwayLeavesTheDaemonWorking) {
  startBus();
  startDaemon();
  ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
  bus_.reset();  // dbus-daemon ends
  ASSERT_TRUE(waitFor([&] { return dbusStatus()["available"] == false; }, milliseconds(10000)))
      << dbusStatus().dump();
  EXPECT_NE(dbusStatus()["reason"].get<std::string>().find("went away"), std::string::npos)
      << dbusStatus().dump();
  json say = d_->request("say", {{"text", "Le bus est parti."}, {"wait", true}});
  EXPECT_TRUE(say["ok"]) << say.dump() << d_->log();
  EXPECT_TRUE(d_->alive());
}

// A dbus-daemon listening at a fixed socket path, so that a second one can take the first's
// address (a session bus restarted). Killed and reaped by the destructor.
struct FixedBus {
  pid_t pid = -1;
  explicit FixedBus(const std::string& socket) {
    std::filesystem::remove(socket);
    pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const std::string addr = "--address=unix:path=" + socket;
      ::execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", addr.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    waitFor([&] { return std::filesystem::exists(socket); }, milliseconds(10000));
  }
  ~FixedBus() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// A session bus that ends and comes back at the same address (the user's bus restarted) is
// joined again: the name is owned and the methods answer, without restarting the daemon.
TEST_F(DbusApi, ABusThatComesBackIsJoinedAgain) {
  dir_ = fs::temp_directory_path() / ("liseur-dbus-back-" + std::to_string(::getpid()));
  fs::create_directories(dir_);
  const std::string socket = (dir_ / "bus").string();
  ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + socket).c_str(), 1);
  auto first = std::make_unique<FixedBus>(socket);
  startDaemon();
  ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
  first.reset();
  ASSERT_TRUE(waitFor([&] { return dbusStatus()["available"] == false; }, milliseconds(10000)))
      << dbusStatus().dump();
  EXPECT_NE(dbusStatus()["reason"].get<std::string>().find("comes back"), std::string::npos)
      << dbusStatus().dump();
  FixedBus second(socket);
  ASSERT_TRUE(waitAvailable()) << dbusStatus().dump() << d_->log();
  std::string out;
  EXPECT_EQ(run(gdbusCall("Status", ""), &out), 0) << out;
  EXPECT_NE(out.find("available"), std::string::npos) << out;
  // Each loss is said once in the log: going away, then (once) joining again.
  const std::string log = d_->log();
  EXPECT_EQ(log.find("went away"), log.rfind("went away")) << log;
  d_.reset();  // before the bus goes
}

// A daemon started before the user's bus joins it when it appears.
TEST_F(DbusApi, ABusThatAppearsLaterIsJoined) {
  dir_ = fs::temp_directory_path() / ("liseur-dbus-later-" + std::to_string(::getpid()));
  fs::create_directories(dir_);
  const std::string socket = (dir_ / "bus").string();
  ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + socket).c_str(), 1);
  startDaemon();
  ASSERT_TRUE(
      waitFor([&] { return dbusStatus().value("reason", "") != "starting"; }, milliseconds(10000)));
  EXPECT_EQ(dbusStatus()["available"], false) << dbusStatus().dump();
  FixedBus bus(socket);
  ASSERT_TRUE(waitAvailable()) << dbusStatus().dump() << d_->log();
  std::string out;
  EXPECT_EQ(run(gdbusCall("Status", ""), &out), 0) << out;
  d_.reset();
}

// Orca's remote controller, faked; the notice is the answer to the `mark_cancel` hotkey
// ("Rectangle annulé."), which comes through the fake GlobalShortcuts portal.
class DbusOrca : public DbusApi {
 protected:
  void start(bool orca, bool present = true) {
    startBus();
    json params{{"screenshot", "ok"},
                {"png", dataPath("ocr/multiblock-en.png")},
                {"out_dir", dir_.string()},
                {"delay_ms", 200}};
    ASSERT_TRUE(bus_->startPortal(params.dump())) << bus_->error();
    if (orca) startOrca(present);
    ::setenv("WAYLAND_DISPLAY", "wayland-liseur-dbus", 1);  // a Wayland session of a desktop
    ::setenv("XDG_CURRENT_DESKTOP", "GNOME", 1);            // with a portal
    ::unsetenv("DISPLAY");
    startDaemon();
    ASSERT_TRUE(waitAvailable()) << d_->request("status").dump() << d_->log();
    ASSERT_TRUE(waitFor([&] { return d_->request("status")["display"]["hotkeys"] == "portal"; },
                        milliseconds(15000)))
        << d_->request("status").dump() << d_->log();
    if (orca)
      ASSERT_TRUE(waitFor([&] { return dbusStatus()["orca"] == true; }, milliseconds(10000)))
          << dbusStatus().dump();
    else
      EXPECT_EQ(dbusStatus()["orca"], false);
  }
  void startOrca(bool present) {
    GSubprocessLauncher* launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(
        launcher, [](gpointer) { ::prctl(PR_SET_PDEATHSIG, SIGKILL); }, nullptr, nullptr);
    g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS", bus_->address().c_str(),
                                 TRUE);
    const std::string tmpl = std::string(LISEUR_DBUS_TEST_DIR) + "/orca_template.py";
    const std::string params = json{{"present", present}}.dump();
    const char* argv[] = {"/usr/bin/python3", "-m", "dbusmock",     "--template",
                          tmpl.c_str(),       "-p", params.c_str(), nullptr};
    GError* err = nullptr;
    orca_ = g_subprocess_launcher_spawnv(launcher, argv, &err);
    g_object_unref(launcher);
    ASSERT_NE(orca_, nullptr) << err->message;
    ASSERT_TRUE(
        waitFor([&] { return bus_->ping("org.gnome.Orca.Service", 1000); }, milliseconds(15000)))
        << "the fake Orca did not appear on the bus";
  }
  // The messages the fake Orca was asked to present.
  std::vector<std::string> presented() {
    std::vector<std::string> out;
    GDBusConnection* conn = g_dbus_connection_new_for_address_sync(
        bus_->address().c_str(),
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, nullptr, nullptr);
    if (!conn) return out;
    GVariant* r = g_dbus_connection_call_sync(
        conn, "org.gnome.Orca.Service", "/org/gnome/Orca/Service", "org.freedesktop.DBus.Mock",
        "GetCalls", nullptr, G_VARIANT_TYPE("(a(tsav))"), G_DBUS_CALL_FLAGS_NONE, 5000, nullptr,
        nullptr);
    if (r) {
      GVariantIter* iter = nullptr;
      g_variant_get(r, "(a(tsav))", &iter);
      guint64 ts = 0;
      const char* method = nullptr;
      GVariantIter* args = nullptr;
      while (g_variant_iter_next(iter, "(t&sav)", &ts, &method, &args)) {
        GVariant* arg = nullptr;
        if (std::string(method) == "PresentMessage" && g_variant_iter_next(args, "v", &arg)) {
          if (g_variant_is_of_type(arg, G_VARIANT_TYPE_STRING))
            out.push_back(g_variant_get_string(arg, nullptr));
          g_variant_unref(arg);
        }
        g_variant_iter_free(args);
      }
      g_variant_iter_free(iter);
      g_variant_unref(r);
    }
    g_dbus_connection_close_sync(conn, nullptr, nullptr);
    g_object_unref(conn);
    return out;
  }
  // Presses a hotkey through the portal: Activated(session, action, timestamp, {}).
  void press(const std::string& action) {
    std::string session;
    for (const MockCall& c : bus_->calls())
      if (c.method == "BindShortcuts" && !c.args.empty())
        session = c.args[0].substr(1, c.args[0].size() - 2);  // logged as a quoted string
    ASSERT_FALSE(session.empty()) << "no BindShortcuts call";
    GVariantBuilder av;
    g_variant_builder_init(&av, G_VARIANT_TYPE("av"));
    g_variant_builder_add(&av, "v", g_variant_new_object_path(session.c_str()));
    g_variant_builder_add(&av, "v", g_variant_new_string(action.c_str()));
    g_variant_builder_add(&av, "v", g_variant_new_uint64(42));
    g_variant_builder_add(&av, "v", g_variant_new("a{sv}", nullptr));
    ASSERT_TRUE(bus_->emitSignal("org.freedesktop.portal.GlobalShortcuts", "Activated", "osta{sv}",
                                 g_variant_builder_end(&av)));
    json hk = d_->waitEvent("hotkey", nullptr, milliseconds(10000));
    ASSERT_EQ(hk["action"], action) << d_->log();
  }
  // The next say job started by liseur within `timeout` (null when none).
  json nextSayJob(milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      auto ev = d_->events().readEvent(left);
      if (!ev) break;
      if ((*ev)["event"] == "job-started" && (*ev)["kind"] == "say") return *ev;
    }
    return json();
  }
  void TearDown() override {
    DbusApi::TearDown();  // the daemon and the bus first
    if (orca_) {
      g_subprocess_force_exit(orca_);
      g_subprocess_wait(orca_, nullptr, nullptr);
      g_object_unref(orca_);
    }
    for (const char* v : {"WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP"}) ::unsetenv(v);
  }

  GSubprocess* orca_ = nullptr;
};

TEST_F(DbusOrca, ANoticeGoesThroughOrcasPresentMessage) {
  start(true);
  press("mark_cancel");
  ASSERT_TRUE(waitFor([&] { return !presented().empty(); }, milliseconds(10000))) << d_->log();
  EXPECT_EQ(presented(), std::vector<std::string>{"Rectangle annulé."});
  // ... and not also in liseur's own voice.
  json said = nextSayJob(milliseconds(2000));
  EXPECT_TRUE(said.is_null()) << said.dump();
}

TEST_F(DbusOrca, WithoutOrcaTheNoticeIsSaidByLiseur) {
  start(false);
  press("mark_cancel");
  json said = nextSayJob(milliseconds(10000));
  EXPECT_FALSE(said.is_null()) << d_->log();
}

TEST_F(DbusOrca, AnOrcaThatRefusesTheNoticeLeavesItToLiseur) {
  start(true, /*present=*/false);
  press("mark_cancel");
  json said = nextSayJob(milliseconds(10000));
  EXPECT_FALSE(said.is_null()) << d_->log();
  EXPECT_EQ(presented(), std::vector<std::string>{"Rectangle annulé."});
}

}  // namespace
}  // namespace liseur::test
