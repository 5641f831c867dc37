#include "ipc/ipc_client.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/paths.h"
#include "server_harness.h"

namespace liseur {
namespace {

using nlohmann::json;
using test::kGenerous;
using test::ServerHarness;
using namespace std::chrono_literals;

class IpcClientTest : public ::testing::Test {
 protected:
  test::TempXdg xdg_;
};

TEST_F(IpcClientTest, RequestWaitsForItsOwnReplyAndQueuesEvents) {
  ServerHarness h;
  h.server().registerCommand("chatty", [&h](const IpcRequest& req, IpcResponder r) {
    h.server().broadcast("job-started", {{"job", 1}});
    h.server().broadcast("word", {{"job", 1}, {"offset", 0}});
    r.reply({{"echo", req.args}});
  });
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->request("subscribe").ok());
  auto r = c->request("chatty", {{"n", 1}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["echo"]["n"], 1) << *r;
  EXPECT_EQ((*r)["id"], 3) << *r;  // hello = 1, subscribe = 2
  auto e1 = c->readEvent(kGenerous), e2 = c->readEvent(kGenerous);
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ((*e1)["event"], "job-started") << *e1;
  EXPECT_EQ((*e2)["event"], "word") << *e2;
  auto none = c->readEvent(50ms);
  EXPECT_EQ(none.error().code, ErrorCode::kTimeout);
}

TEST_F(IpcClientTest, DaemonErrorsBecomeErrorValues) {
  ServerHarness h;
  h.server().registerCommand("read", [](const IpcRequest&, IpcResponder r) {
    r.fail(ErrorCode::kImageTooLarge, "image is 100000x100000 px (limit 16384 per side)");
  });
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto r = c->request("read", {{"file", "/x.png"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kImageTooLarge) << r.error().message;
  EXPECT_EQ(r.error().message, "image is 100000x100000 px (limit 16384 per side)");
}

TEST_F(IpcClientTest, RequestTimesOutWhenNoReplyComes) {
  ServerHarness h;
  std::vector<IpcResponder> held;
  h.server().registerCommand("never",
                             [&](const IpcRequest&, IpcResponder r) { held.push_back(r); });
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto r = c->request("never", json::object(), 100ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().message;
  // The late reply to the abandoned request is skipped by the next request.
  h.onLoop([&] {
    held.at(0).reply({{"late", true}});
    return 0;
  });
  auto again = c->request("nosuch", json::object(), kGenerous);
  EXPECT_EQ(again.error().code, ErrorCode::kUnknownCommand) << again.error().message;
  h.onLoop([&] {
    held.clear();
    return 0;
  });
}

TEST_F(IpcClientTest, DaemonGoingAwayIsNotRunning) {
  auto h = std::make_unique<ServerHarness>();
  h->start();
  auto c = h->client();
  ASSERT_TRUE(c);
  h.reset();
  auto r = c->request("status", json::object(), kGenerous);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotRunning) << r.error().message;
  auto e = c->readEvent(kGenerous);
  EXPECT_EQ(e.error().code, ErrorCode::kNotRunning) << e.error().message;
}

TEST_F(IpcClientTest, NoSpawnRefusesWithNotRunning) {
  IpcClientOptions o;
  o.autospawn = false;
  auto c = IpcClient::connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kNotRunning) << c.error().message;
  EXPECT_NE(c.error().message.find(socketPath()), std::string::npos) << c.error().message;
}

TEST_F(IpcClientTest, TooManyClientsIsBusy) {
  IpcServerOptions so;
  so.max_clients = 1;
  so.reserved_clients = 0;
  ServerHarness h(so);
  h.start();
  auto first = h.client();
  ASSERT_TRUE(first);
  IpcClientOptions o;
  o.autospawn = false;
  auto c = IpcClient::connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kBusy) << c.error().message;
}

TEST_F(IpcClientTest, BusyIsReportedEvenWhenTheDaemonHungUpBeforeTheRequest) {
  IpcServerOptions so;
  so.max_clients = 1;
  so.reserved_clients = 0;
  ServerHarness h(so);
  h.start();
  auto first = h.client();
  ASSERT_TRUE(first);
  auto c = h.raw();
  ASSERT_TRUE(c);
  // Wait until the server has refused and closed this connection, so the send fails.
  pollfd p{c->fd(), POLLRDHUP, 0};
  ASSERT_EQ(::poll(&p, 1, static_cast<int>(kGenerous.count())), 1);
  auto r = c->request("hello", {{"protocol", 1}}, kGenerous);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBusy) << r.error().message;
}

// A "daemon" that answers each request line with the next canned line, whatever it is.
TEST_F(IpcClientTest, HostileRepliesBecomeErrorsNotExceptions) {
  std::string path = xdg_.path("hostile.sock");
  int lfd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(lfd, 1), 0);
  const std::vector<std::string> answers = {
      R"({"id":1,"ok":"yes"})",
      R"({"id":2,"ok":false,"error":{"code":5,"message":["x"]}})",
      R"({"id":3,"ok":false,"error":"file-not-found"})",
      R"([1,2])",
      R"({"event":"word","t_ms":"soon"})"
      "\n"
      R"({"id":5,"ok":true,"n":1})",
  };
  std::thread fake([&] {
    int fd = ::accept(lfd, nullptr, nullptr);
    std::string in;
    char buf[4096];
    for (const auto& a : answers) {
      while (in.find('\n') == std::string::npos) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return (void)::close(fd);
        in.append(buf, n);
      }
      in.erase(0, in.find('\n') + 1);
      std::string line = a + "\n";
      if (::write(fd, line.data(), line.size()) < 0) break;
    }
    ::close(fd);
  });
  auto c = IpcClient::connectRaw(path);
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::vector<std::pair<ErrorCode, std::string>> expected = {
      {ErrorCode::kInternal, "the daemon sent a failure without an error"},
      {ErrorCode::kInternal, "internal"},
      {ErrorCode::kInternal, "the daemon sent a failure without an error"},
      {ErrorCode::kBadRequest, "liseurd sent a line that is not a JSON object"},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    Result<json> r = Error{};
    ASSERT_NO_THROW(r = (*c)->request("status", json::object(), kGenerous)) << answers[i];
    ASSERT_FALSE(r.ok()) << answers[i];
    EXPECT_EQ(r.error().code, expected[i].first) << answers[i] << " -> " << r.error().message;
    EXPECT_EQ(r.error().message, expected[i].second) << answers[i];
  }
  auto last = (*c)->request("status", json::object(), kGenerous);
  ASSERT_TRUE(last.ok()) << last.error().message;
  auto e = (*c)->readEvent(kGenerous);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)["t_ms"], "soon");
  fake.join();
  ::close(lfd);
}

// --- autospawn, with the fake daemon (tests/unit/ipc/fake_liseurd_main.cpp) ---------------------

std::vector<json> readLog(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line, nullptr, false));
  return out;
}

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  if (!std::getline(stat, s)) return false;
  return s[s.rfind(')') + 2] != 'Z';
}

std::string procField(pid_t pid, int field) {  // 1-based fields of /proc/PID/stat
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  std::getline(stat, s);
  std::istringstream rest(s.substr(s.rfind(')') + 2));
  std::string v;
  for (int i = 3; i <= field; ++i) rest >> v;
  return v;
}

class AutospawnTest : public IpcClientTest {
 protected:
  void SetUp() override {
    log_ = xdg_.path("fake.log");
    ::setenv("LISEUR_FAKE_LOG", log_.c_str(), 1);
    options_.daemon_program = IPC_FAKE_DAEMON;
    options_.spawn_timeout = kGenerous;
  }
  void TearDown() override {
    // Never leave a daemon behind, whatever the test did.
    test::killProcessesWithEnv("LISEUR_FAKE_LOG=" + log_);
    ::unsetenv("LISEUR_FAKE_LOG");
  }
  void shutdownAndWait(IpcClient& c) {
    pid_t pid = c.daemonPid();
    ASSERT_TRUE(c.request("shutdown", json::object(), kGenerous).ok());
    for (int i = 0; i < 2000 && alive(pid); ++i) std::this_thread::sleep_for(5ms);
    EXPECT_FALSE(alive(pid)) << "daemon " << pid << " still running after shutdown";
  }
  std::string log_;
  IpcClientOptions options_;
};

TEST_F(AutospawnTest, StartsTheDaemonDetachedWithStderrInTheRuntimeDir) {
  auto c = IpcClient::connect(options_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  pid_t pid = (*c)->daemonPid();
  ASSERT_GT(pid, 0);
  EXPECT_NE(pid, ::getpid());
  EXPECT_NE(procField(pid, 4), std::to_string(::getpid())) << "the daemon is our child";
  EXPECT_NE(procField(pid, 6), std::to_string(::getsid(0))) << "the daemon kept our session";
  namespace fs = std::filesystem;
  std::string fd = "/proc/" + std::to_string(pid) + "/fd/";
  EXPECT_EQ(fs::read_symlink(fd + "0").string(), "/dev/null");
  EXPECT_EQ(fs::read_symlink(fd + "1").string(), "/dev/null");
  EXPECT_EQ(fs::read_symlink(fd + "2").string(), runtimeDir() + "/liseurd.log");
  auto r = (*c)->request("status");
  ASSERT_TRUE(r.ok()) << r.error().message;
  shutdownAndWait(**c);
}

TEST_F(AutospawnTest, RacingClientsShareOneDaemon) {
  constexpr int kClients = 4;
  std::vector<std::unique_ptr<IpcClient>> clients(kClients);
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i)
    threads.emplace_back([&, i] {
      auto c = IpcClient::connect(options_);
      if (c.ok())
        clients[i] = std::move(c.value());
      else
        errors[i] = c.error().message;
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]) << "client " << i << ": " << errors[i];
  for (int i = 1; i < kClients; ++i)
    EXPECT_EQ(clients[i]->daemonPid(), clients[0]->daemonPid()) << "client " << i;
  // Every daemon started but the winner left quietly because the socket was taken. A loser logs
  // within milliseconds of starting; the pause only gives a broken lock the chance to show.
  std::this_thread::sleep_for(300ms);
  std::vector<json> log = readLog(log_);
  int started = 0;
  for (const auto& j : log) started += j.contains("started");
  EXPECT_EQ(started, 1) << json(log).dump();
  shutdownAndWait(*clients[0]);
}

TEST_F(AutospawnTest, UsesTheRunningDaemonInsteadOfStartingAnother) {
  auto first = IpcClient::connect(options_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = IpcClient::connect(options_);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ((*second)->daemonPid(), (*first)->daemonPid());
  int started = 0;
  for (const auto& j : readLog(log_)) started += j.contains("started");
  EXPECT_EQ(started, 1);
  shutdownAndWait(**first);
}

TEST_F(AutospawnTest, AMissingProgramIsReported) {
  options_.daemon_program = xdg_.path("nowhere/liseurd");
  auto c = IpcClient::connect(options_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kNotRunning) << c.error().message;
  EXPECT_NE(c.error().message.find("cannot start " + options_.daemon_program), std::string::npos)
      << c.error().message;
}

TEST_F(AutospawnTest, ADaemonThatDiesAtStartIsReportedWithItsLog) {
  options_.daemon_program = "/bin/sh";
  options_.daemon_args = {"-c", "echo 'cannot load models' >&2; exit 3"};
  auto c = IpcClient::connect(options_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kNotRunning) << c.error().message;
  std::string log = runtimeDir() + "/liseurd.log";
  EXPECT_NE(c.error().message.find("exited during start-up; see " + log), std::string::npos)
      << c.error().message;
  EXPECT_EQ(test::readFile(log), "cannot load models\n");
}

TEST_F(AutospawnTest, ALargeDaemonLogIsRotatedBeforeStarting) {
  ASSERT_TRUE(ensureRuntimeDir().ok());
  std::string log = runtimeDir() + "/liseurd.log";
  test::writeFile(log, std::string(2 << 20, 'x'));
  options_.daemon_program = "/bin/sh";
  options_.daemon_args = {"-c", "echo fresh >&2; exit 3"};
  ASSERT_FALSE(IpcClient::connect(options_).ok());
  EXPECT_EQ(test::readFile(log), "fresh\n");
  EXPECT_EQ(std::filesystem::file_size(log + ".old"), 2u << 20);
}

TEST(TestSupport, KillProcessesWithEnvFindsStrayDaemons) {
  std::string entry = "LISEUR_TEST_MARKER=" + std::to_string(::getpid());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::putenv(entry.data());
    ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  int killed = 0;
  for (int i = 0; i < 1000 && killed == 0; ++i) {  // until the child has exec'd with its env
    killed = test::killProcessesWithEnv(entry);
    if (!killed) std::this_thread::sleep_for(5ms);
  }
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  EXPECT_EQ(killed, 1);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << st;
}

TEST(FindDaemonProgram, HonoursLiseurDaemon) {
  ::setenv("LISEUR_DAEMON", "/opt/x/liseurd", 1);
  EXPECT_EQ(findDaemonProgram(), "/opt/x/liseurd");
  ::unsetenv("LISEUR_DAEMON");
  test::TempXdg xdg;
  std::string bin = xdg.path("bin");
  std::filesystem::create_directories(bin);
  test::writeFile(bin + "/liseurd", "#!/bin/sh\n");
  std::filesystem::permissions(bin + "/liseurd", std::filesystem::perms::owner_all);
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (xdg.path("missing") + ":" + bin + ":" + old_path).c_str(), 1);
  std::string found = findDaemonProgram();
  ::setenv("PATH", old_path.c_str(), 1);
  EXPECT_EQ(found, bin + "/liseurd");
}

}  // namespace
}  // namespace liseur
