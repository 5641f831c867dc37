#include "ipc/ipc_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/paths.h"
#include "server_harness.h"

namespace liseur {
namespace {

using nlohmann::json;
using test::kGenerous;
using test::ServerHarness;
using namespace std::chrono_literals;

json parse(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
  return j;
}

// Reads the next line as JSON, failing the test (with what was read) when there is none.
json nextMessage(IpcClient& c, std::chrono::milliseconds timeout = kGenerous) {
  auto line = c.readLine(timeout);
  EXPECT_TRUE(line.ok()) << (line.ok() ? "" : line.error().message);
  return line.ok() ? parse(*line) : json();
}

// True when the server closed the connection (EOF) within the timeout; lines read before are
// appended to `seen`.
bool closedByServer(IpcClient& c, std::vector<std::string>* seen = nullptr) {
  for (;;) {
    auto line = c.readLine(kGenerous);
    if (line.ok()) {
      if (seen) seen->push_back(*line);
      continue;
    }
    return line.error().code == ErrorCode::kNotRunning;
  }
}

std::string helloLine(int id = 1) {
  return R"({"id":)" + std::to_string(id) +
         R"(,"cmd":"hello","args":{"protocol":1,"client":"t"}})" + "\n";
}

void registerEcho(IpcServer& s) {
  s.registerCommand("echo", [](const IpcRequest& req, IpcResponder r) {
    r.reply({{"args", req.args}, {"cmd", req.cmd}});
  });
}

class IpcServerTest : public ::testing::Test {
 protected:
  test::TempXdg xdg_;
};

TEST_F(IpcServerTest, HelloReportsProtocolVersionPidAndCommands) {
  ServerHarness h;
  registerEcho(h.server());
  h.server().setHelloInfo({{"features", {"wav"}}});
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->sendRaw(helloLine(7)).ok());
  json r = nextMessage(*c);
  EXPECT_EQ(r["id"], 7) << r;
  EXPECT_EQ(r["ok"], true) << r;
  EXPECT_EQ(r["protocol"], kIpcProtocolVersion) << r;
  EXPECT_EQ(r["version"], LISEUR_VERSION) << r;
  EXPECT_EQ(r["pid"], ::getpid()) << r;
  EXPECT_EQ(r["features"], json({"wav"})) << r;
  auto cmds = r["commands"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "echo"), cmds.end()) << r;
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "subscribe"), cmds.end()) << r;
}

TEST_F(IpcServerTest, CommandsBeforeHelloAreRefusedAndTheConnectionStaysOpen) {
  ServerHarness h;
  registerEcho(h.server());
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  for (std::string cmd : {"echo", "nosuch", "subscribe"}) {
    ASSERT_TRUE(c->sendRaw(R"({"id":3,"cmd":")" + cmd + "\"}\n").ok());
    json r = nextMessage(*c);
    EXPECT_EQ(r["id"], 3) << cmd << " -> " << r;
    EXPECT_EQ(r["ok"], false) << cmd << " -> " << r;
    EXPECT_EQ(r["error"]["code"], "protocol-version") << cmd << " -> " << r;
    EXPECT_NE(r["error"]["message"].get<std::string>().find("send hello first"), std::string::npos)
        << cmd << " -> " << r;
  }
  ASSERT_TRUE(c->sendRaw(helloLine(4)).ok());
  EXPECT_EQ(nextMessage(*c)["ok"], true);
  ASSERT_TRUE(c->sendRaw(R"({"id":5,"cmd":"echo","args":{"x":1}})"
                         "\n")
                  .ok());
  json r = nextMessage(*c);
  EXPECT_EQ(r["id"], 5) << r;
  EXPECT_EQ(r["args"]["x"], 1) << r;
}

TEST_F(IpcServerTest, HelloWithAnotherProtocolIsRefused) {
  ServerHarness h;
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  for (std::string args : {R"({"protocol":2})", R"({})", R"({"protocol":"1"})"}) {
    ASSERT_TRUE(c->sendRaw(R"({"id":1,"cmd":"hello","args":)" + args + "}\n").ok());
    json r = nextMessage(*c);
    EXPECT_EQ(r["ok"], false) << args << " -> " << r;
    EXPECT_EQ(r["error"]["code"], "protocol-version") << args << " -> " << r;
    EXPECT_NE(r["error"]["message"].get<std::string>().find("protocol 1"), std::string::npos)
        << args << " -> " << r;
  }
  ASSERT_TRUE(c->sendRaw(helloLine()).ok());
  EXPECT_EQ(nextMessage(*c)["ok"], true);
}

TEST_F(IpcServerTest, RepliesCarryTheirRequestIdEvenOutOfOrder) {
  ServerHarness h;
  registerEcho(h.server());
  // "later" answers after a delay, so the echo sent after it is answered first.
  h.server().registerCommand("later", [&h](const IpcRequest& req, IpcResponder r) {
    h.loop().addTimer(50ms, [r, req]() mutable { r.reply({{"n", req.args["n"]}}); });
  });
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->sendRaw(helloLine(1) + R"({"id":10,"cmd":"later","args":{"n":"a"}})"
                                        "\n"
                                        R"({"id":11,"cmd":"echo","args":{"n":"b"}})"
                                        "\n")
                  .ok());
  EXPECT_EQ(nextMessage(*c)["id"], 1);
  json first = nextMessage(*c), second = nextMessage(*c);
  EXPECT_EQ(first["id"], 11) << first;
  EXPECT_EQ(first["args"]["n"], "b") << first;
  EXPECT_EQ(second["id"], 10) << second;
  EXPECT_EQ(second["n"], "a") << second;
}

TEST_F(IpcServerTest, UnknownCommandIsNamed) {
  ServerHarness h;
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto r = c->request("frobnicate");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnknownCommand) << r.error().message;
  EXPECT_NE(r.error().message.find("'frobnicate'"), std::string::npos) << r.error().message;
}

struct BadLine {
  std::string line;
  std::string message_part;
  json id;  // expected id in the reply
};

TEST_F(IpcServerTest, MalformedRequestsGetBadRequestNamingTheProblem) {
  ServerHarness h;
  registerEcho(h.server());
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  const std::vector<BadLine> cases = {
      {"this is not json", "not valid JSON", nullptr},
      {R"({"id":1,"cmd":"echo")", "not valid JSON", nullptr},
      {"[1,2,3]", "must be a JSON object, not array", nullptr},
      {"42", "must be a JSON object", nullptr},
      {R"({"cmd":"echo"})", "no \"id\"", nullptr},
      {R"({"id":"7","cmd":"echo"})", "\"id\" must be an integer, not string", nullptr},
      {R"({"id":1.5,"cmd":"echo"})", "\"id\" must be an integer", nullptr},
      {R"({"id":7})", "no \"cmd\"", 7},
      {R"({"id":7,"cmd":5})", "\"cmd\" must be a string", 7},
      {R"({"id":7,"cmd":"two words"})", "\"cmd\" must be a command name", 7},
      {R"({"id":7,"cmd":"echo","args":[1]})", "\"args\" must be an object, not array", 7},
      {std::string(100, '[') + std::string(100, ']'), "deeper than 64", nullptr},
  };
  for (const auto& bad : cases) {
    ASSERT_TRUE(c->sendRaw(bad.line + "\n").ok()) << bad.line;
    json r = nextMessage(*c);
    EXPECT_EQ(r["ok"], false) << bad.line << " -> " << r;
    EXPECT_EQ(r["id"], bad.id) << bad.line << " -> " << r;
    EXPECT_EQ(r["error"]["code"], "bad-request") << bad.line << " -> " << r;
    EXPECT_NE(r["error"]["message"].get<std::string>().find(bad.message_part), std::string::npos)
        << bad.line << " -> " << r;
  }
  // The connection is still served after all of them.
  auto ok = c->request("echo", {{"still", "here"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["args"]["still"], "here");
}

TEST_F(IpcServerTest, InvalidUtf8IsABadRequestNamingTheOffset) {
  ServerHarness h;
  registerEcho(h.server());
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  const std::string prefix = R"({"id":3,"cmd":"echo","args":{"t":")";
  for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe9t\xe9", "\xf4\x90\x80\x80"}) {
    std::string line = prefix + bad + "\"}}";
    ASSERT_TRUE(c->sendRaw(line + "\n").ok());
    json r = nextMessage(*c);
    EXPECT_EQ(r["error"]["code"], "bad-request") << json(line).dump() << " -> " << r;
    EXPECT_NE(r["error"]["message"].get<std::string>().find("not valid UTF-8 (bad byte at offset " +
                                                            std::to_string(prefix.size()) + ")"),
              std::string::npos)
        << json::binary({bad.begin(), bad.end()}) << " -> " << r;
  }
  // Valid French text goes through untouched.
  auto ok = c->request("echo", {{"t", "élève à l'école — œuvre"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["args"]["t"], "élève à l'école — œuvre");
}

TEST_F(IpcServerTest, LineLimitIsExactAndALongerLineDisconnects) {
  IpcServerOptions o;
  o.max_line_bytes = 1024;
  ServerHarness h(o);
  registerEcho(h.server());
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto line = [](std::size_t size) {
    std::string head = R"({"id":9,"cmd":"echo","args":{"pad":")", tail = "\"}}";
    return head + std::string(size - head.size() - tail.size(), 'x') + tail;
  };
  ASSERT_TRUE(c->sendRaw(line(1024) + "\n").ok());
  json r = nextMessage(*c);
  EXPECT_EQ(r["ok"], true) << "a 1024-byte line must pass: " << r.dump().substr(0, 200);
  ASSERT_TRUE(c->sendRaw(line(1025) + "\n").ok());
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*c, &seen));
  ASSERT_EQ(seen.size(), 1u);
  r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "line-too-long") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("1024 bytes"), std::string::npos) << r;
}

long rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    long v;
    if (key == "VmRSS:" && status >> v) return v;
  }
  return -1;
}

TEST_F(IpcServerTest, TwentyMegabyteLineWithoutNewlineIsCutOffAtTheLimit) {
  ServerHarness h;
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto other = h.client();
  ASSERT_TRUE(other);
  long before = rssKiB();
  // Sent in 64 KiB pieces so the test itself holds no 20 MiB string.
  const std::size_t total = 20u << 20;
  std::string chunk(64 * 1024, 'a');
  chunk[0] = '"';
  std::size_t sent = 0;
  while (sent < total) {
    if (!c->sendRaw(chunk).ok()) break;  // the server hung up
    sent += chunk.size();
  }
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*c, &seen));
  ASSERT_EQ(seen.size(), 1u) << "sent " << sent << " bytes";
  json r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "line-too-long") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("65536"), std::string::npos) << r;
  EXPECT_LT(sent, total) << "the server kept reading a 20 MiB line";
  EXPECT_LT(rssKiB() - before, 8 * 1024) << "memory grew while receiving " << sent << " bytes";
  auto ok = other->request("nosuch");
  EXPECT_EQ(ok.error().code, ErrorCode::kUnknownCommand) << "the other client was not served";
}

TEST_F(IpcServerTest, HalfALineThenSilenceIsDisconnectedWhileOthersAreServed) {
  IpcServerOptions o;
  o.line_timeout = 300ms;
  ServerHarness h(o);
  registerEcho(h.server());
  h.start();
  auto slow = h.raw();
  auto busy = h.client();
  ASSERT_TRUE(slow && busy);
  ASSERT_TRUE(slow->sendRaw(helloLine() + R"({"id":2,"cmd":"ec)").ok());
  EXPECT_EQ(nextMessage(*slow)["ok"], true);

  // Meanwhile the other client keeps being answered, before and after the slow one is dropped.
  std::atomic<bool> done{false};
  std::atomic<int> served{0};
  std::thread t([&] {
    while (!done) {
      auto r = busy->request("echo", {{"i", served.load()}}, kGenerous);
      if (!r.ok()) break;
      ++served;
      std::this_thread::sleep_for(10ms);
    }
  });
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*slow, &seen));
  int served_when_dropped = served;
  std::this_thread::sleep_for(100ms);
  done = true;
  t.join();
  ASSERT_EQ(seen.size(), 1u);
  json r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "timeout") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("unfinished after 300 ms"),
            std::string::npos)
      << r;
  EXPECT_GT(served_when_dropped, 0);
  EXPECT_GT(served.load(), served_when_dropped) << "the busy client stopped being served";
  EXPECT_EQ(h.disconnected().size(), 1u);
  EXPECT_EQ(h.clientCount(), 1u);
}

TEST_F(IpcServerTest, CompleteLinesInPiecesAreNotTimedOut) {
  IpcServerOptions o;
  o.line_timeout = 2000ms;
  ServerHarness h(o);
  registerEcho(h.server());
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  // Three requests each split in two writes: the deadline restarts with every new line.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->sendRaw(R"({"id":)" + std::to_string(100 + i) + R"(,"cmd":")").ok());
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(c->sendRaw("echo\"}\n").ok());
    EXPECT_EQ(nextMessage(*c)["id"], 100 + i);
  }
}

TEST_F(IpcServerTest, SubscribersGetTheEventsTheyAskedFor) {
  ServerHarness h;
  h.start();
  auto all = h.client(), words = h.client(), none = h.client();
  ASSERT_TRUE(all && words && none);
  auto a = all->request("subscribe", {{"events", {"*"}}});
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ((*a)["events"], json({"*"}));
  auto w = words->request("subscribe", {{"events", {"word", "job-finished"}}});
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)["events"], json({"job-finished", "word"}));
  auto bad = none->request("subscribe", {{"events", "word"}});
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << bad.error().message;
  EXPECT_TRUE(h.onLoop([&] { return h.server().hasSubscribers("word"); }));

  h.onLoop([&] {
    h.server().broadcast("job-started", {{"job", 1}, {"t_ms", 0.5}});
    h.server().broadcast("word", {{"job", 1}, {"t_ms", 12.5}, {"offset", 3}});
    return 0;
  });
  auto e1 = all->readEvent(kGenerous), e2 = all->readEvent(kGenerous);
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ((*e1)["event"], "job-started") << *e1;
  EXPECT_EQ((*e2)["event"], "word") << *e2;
  EXPECT_EQ((*e2)["t_ms"], 12.5) << *e2;
  auto we = words->readEvent(kGenerous);
  ASSERT_TRUE(we.ok());
  EXPECT_EQ((*we)["event"], "word") << *we << " (job-started was not subscribed to)";
  auto ne = none->readEvent(200ms);
  EXPECT_EQ(ne.error().code, ErrorCode::kTimeout) << "unsubscribed client got " << *ne;

  auto u = words->request("unsubscribe", {{"events", {"word"}}});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)["events"], json({"job-finished"}));
  h.onLoop([&] {
    h.server().broadcast("word", {{"job", 2}});
    h.server().broadcast("job-finished", {{"job", 2}});
    return 0;
  });
  we = words->readEvent(kGenerous);
  ASSERT_TRUE(we.ok());
  EXPECT_EQ((*we)["event"], "job-finished") << *we;
}

TEST_F(IpcServerTest, ASubscriberThatDoesNotReadIsDroppedWithoutBlockingOthers) {
  IpcServerOptions o;
  o.max_output_bytes = 256 * 1024;
  ServerHarness h(o);
  registerEcho(h.server());
  h.start();
  auto lazy = h.client("lazy"), reader = h.client("reader");
  ASSERT_TRUE(lazy && reader);
  ASSERT_TRUE(lazy->request("subscribe").ok());
  const std::string pad(1000, 'w');
  // 8 MiB of events: far more than the socket buffer plus the output limit.
  for (int batch = 0; batch < 64; ++batch) {
    h.onLoop([&] {
      for (int i = 0; i < 128; ++i) h.server().broadcast("word", {{"pad", pad}});
      return 0;
    });
    auto r = reader->request("echo", {{"batch", batch}}, kGenerous);
    ASSERT_TRUE(r.ok()) << "batch " << batch << ": " << r.error().message;
  }
  EXPECT_EQ(h.disconnected().size(), 1u);
  EXPECT_EQ(h.clientCount(), 1u);
  // The lazy one reads what was queued (some events), then the end of the connection.
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*lazy, &seen));
  EXPECT_GT(seen.size(), 0u);
  EXPECT_LT(seen.size(), 64u * 128u);
}

TEST_F(IpcServerTest, SocketIs0600InA0700Directory) {
  ::umask(0);  // the server must not rely on the caller's umask
  ServerHarness h;
  h.start();
  ::umask(022);
  EXPECT_EQ(h.server().socketPath(), socketPath());
  struct stat st {};
  ASSERT_EQ(::lstat(socketPath().c_str(), &st), 0) << socketPath();
  EXPECT_TRUE(S_ISSOCK(st.st_mode)) << socketPath();
  EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
  ASSERT_EQ(::lstat(runtimeDir().c_str(), &st), 0) << runtimeDir();
  EXPECT_EQ(st.st_mode & 07777, 0700u) << std::oct << (st.st_mode & 07777);
}

TEST_F(IpcServerTest, SocketIsRemovedWhenTheServerEnds) {
  {
    ServerHarness h;
    h.start();
    ASSERT_EQ(::access(socketPath().c_str(), F_OK), 0);
  }
  EXPECT_NE(::access(socketPath().c_str(), F_OK), 0) << socketPath() << " left behind";
}

int bindOnly(const std::string& path, bool listen) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path;
  if (listen) {
    EXPECT_EQ(::listen(fd, 4), 0);
  }
  return fd;
}

TEST_F(IpcServerTest, StaleSocketIsReplaced) {
  ASSERT_TRUE(ensureRuntimeDir().ok());
  ::close(bindOnly(socketPath(), false));  // the file stays, nothing listens: a crashed daemon
  ServerHarness h;
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->daemonPid(), ::getpid());
}

TEST_F(IpcServerTest, SecondServerIsRefusedAndTheFirstKeepsServing) {
  ServerHarness first;
  first.start();
  EventLoop loop;
  IpcServer second(loop);
  Status st = second.listen();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kBusy) << st.error().message;
  EXPECT_NE(st.error().message.find("liseurd is already running"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().message.find(socketPath()), std::string::npos) << st.error().message;
  EXPECT_TRUE(first.client());
}

TEST_F(IpcServerTest, ForeignListenerOrFileAtTheSocketPathIsLeftAlone) {
  ASSERT_TRUE(ensureRuntimeDir().ok());
  int fd = bindOnly(socketPath(), true);
  {
    EventLoop loop;
    IpcServer s(loop);
    Status st = s.listen();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kBusy) << st.error().message;
  }
  ::close(fd);
  ::unlink(socketPath().c_str());
  test::writeFile(socketPath(), "not a socket");
  EventLoop loop;
  IpcServer s(loop);
  Status st = s.listen();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal) << st.error().message;
  EXPECT_NE(st.error().message.find(socketPath() + " exists and is not a socket"),
            std::string::npos)
      << st.error().message;
  EXPECT_EQ(test::readFile(socketPath()), "not a socket");
}

TEST_F(IpcServerTest, PeerWithAnotherUidIsDisconnectedWithoutReply) {
  IpcServerOptions o;
  o.peer_uid = ::geteuid() + 1;  // so that we are "another user"
  ServerHarness h(o);
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  (void)c->sendRaw(helloLine());
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*c, &seen));
  EXPECT_TRUE(seen.empty()) << "got a reply: " << seen[0];
  EXPECT_EQ(h.clientCount(), 0u);
}

TEST_F(IpcServerTest, ClientsBeyondTheLimitAreRefusedWithAnErrorLine) {
  IpcServerOptions o;
  o.max_clients = 2;
  o.reserved_clients = 0;
  ServerHarness h(o);
  h.start();
  auto a = h.client(), b = h.client();
  ASSERT_TRUE(a && b);
  auto c = h.raw();
  ASSERT_TRUE(c);
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*c, &seen));
  ASSERT_EQ(seen.size(), 1u);
  json r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "busy") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("limit 2"), std::string::npos) << r;
  // A slot frees when a client leaves.
  a.reset();
  for (int i = 0; i < 1000 && h.clientCount() != 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(h.client());
}

TEST_F(IpcServerTest, AFullTableStillLetsStopPauseAndStatusIn) {
  // Every slot taken by clients that said hello (event listeners left open): a new connection
  // still gets in, in a reserved slot, and may stop, pause, resume and ask status; anything else
  // is busy. Past the reserve, connections are refused with an error line naming both limits.
  IpcServerOptions o;
  o.max_clients = 3;
  o.reserved_clients = 1;
  ServerHarness h(o);
  int stops = 0;
  h.server().registerCommand("stop", [&](const IpcRequest&, IpcResponder r) {
    ++stops;
    r.reply();
  });
  h.server().registerCommand("read", [](const IpcRequest&, IpcResponder r) { r.reply(); });
  h.start();
  std::vector<decltype(h.client())> full;
  for (int i = 0; i < 3; ++i) {
    full.push_back(h.client());
    ASSERT_TRUE(full.back());
  }
  auto extra = h.client();
  ASSERT_TRUE(extra) << "a full table locked `liseur stop` out";
  EXPECT_TRUE(extra->request("stop", json::object(), kGenerous).ok());
  EXPECT_EQ(stops, 1);
  auto busy = extra->request("read", json::object(), kGenerous);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kBusy);
  EXPECT_NE(busy.error().message.find("only stop, pause"), std::string::npos)
      << busy.error().message;
  // The clients in the ordinary slots keep every command.
  EXPECT_TRUE(full[0]->request("read", json::object(), kGenerous).ok());

  auto refused = h.raw();
  ASSERT_TRUE(refused);
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*refused, &seen));
  ASSERT_EQ(seen.size(), 1u);
  json r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "busy") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("limit 3, and 1 more for stop"),
            std::string::npos)
      << r;
}

TEST_F(IpcServerTest, SilentConnectionsAreClosedAndNeverLockOutANewClient) {
  // 64 connections that send nothing used to lock everyone out, `liseur stop` included, for as
  // long as they stayed. Now a full table gives the oldest silent connection's place to the new
  // one, and a connection without hello is closed after the hello timeout.
  IpcServerOptions o;
  o.max_clients = 4;
  o.hello_timeout = 300ms;
  ServerHarness h(o);
  h.start();
  std::vector<decltype(h.raw())> silent;
  for (int i = 0; i < 4; ++i) {
    silent.push_back(h.raw());
    ASSERT_TRUE(silent.back());
  }
  for (int i = 0; i < 1000 && h.clientCount() != 4; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(h.clientCount(), 4u);
  auto c = h.client();  // says hello: it gets in at once
  ASSERT_TRUE(c) << "a new client was locked out by silent connections";
  EXPECT_TRUE(c->request("nosuch", json::object(), kGenerous).error().code ==
              ErrorCode::kUnknownCommand);
  // The silent ones are gone after the timeout, told why; the client that said hello stays.
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*silent.back(), &seen));
  ASSERT_EQ(seen.size(), 1u);
  json r = parse(seen[0]);
  EXPECT_EQ(r["error"]["code"], "timeout") << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("no hello"), std::string::npos) << r;
  for (int i = 0; i < 1000 && h.clientCount() != 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.clientCount(), 1u);
  EXPECT_TRUE(c->request("nosuch", json::object(), kGenerous).error().code ==
              ErrorCode::kUnknownCommand);
}

TEST_F(IpcServerTest, HandlersThatForgetToReplyOrThrowStillAnswer) {
  ServerHarness h;
  h.server().registerCommand("forget", [](const IpcRequest&, IpcResponder) {});
  h.server().registerCommand("throw", [](const IpcRequest&, IpcResponder) {
    throw std::runtime_error("secret screen text");
  });
  h.server().registerCommand("twice", [](const IpcRequest&, IpcResponder r) {
    r.reply({{"n", 1}});
    r.reply({{"n", 2}});
    r.fail(ErrorCode::kInternal, "late");
  });
  EXPECT_FALSE(h.server().registerCommand("hello", [](const IpcRequest&, IpcResponder) {}));
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  auto f = c->request("forget", json::object(), kGenerous);
  EXPECT_EQ(f.error().code, ErrorCode::kInternal) << f.error().message;
  auto t = c->request("throw", json::object(), kGenerous);
  EXPECT_EQ(t.error().code, ErrorCode::kInternal);
  EXPECT_EQ(t.error().message.find("secret"), std::string::npos) << t.error().message;
  auto w = c->request("twice", json::object(), kGenerous);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)["n"], 1);
  // Exactly one line per request: the next reply is the next request's.
  auto again = c->request("nosuch", json::object(), kGenerous);
  EXPECT_EQ(again.error().code, ErrorCode::kUnknownCommand);
  ASSERT_TRUE(c->sendRaw(R"({"id":99,"cmd":"nosuch"})"
                         "\n")
                  .ok());
  EXPECT_EQ(nextMessage(*c)["id"], 99);
}

TEST_F(IpcServerTest, ReplyAfterTheClientLeftIsHarmlessAndTheHookFires) {
  ServerHarness h;
  std::vector<IpcResponder> held;
  h.server().registerCommand("ocr", [&](const IpcRequest&, IpcResponder r) { held.push_back(r); });
  h.start();
  auto c = h.client();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->sendRaw(R"({"id":5,"cmd":"ocr"})"
                         "\n")
                  .ok());
  for (int i = 0; i < 1000 && h.onLoop([&] { return held.size(); }) == 0; ++i)
    std::this_thread::sleep_for(5ms);
  IpcClientId id = h.onLoop([&] { return held.at(0).client(); });
  EXPECT_TRUE(h.onLoop([&] { return held.at(0).clientConnected(); }));
  c.reset();
  for (int i = 0; i < 1000 && h.disconnected().empty(); ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(h.disconnected(), std::vector<IpcClientId>{id});
  EXPECT_FALSE(h.onLoop([&] { return held.at(0).clientConnected(); }));
  h.onLoop([&] {
    held.at(0).reply({{"text", "late"}});
    held.clear();
    return 0;
  });
  EXPECT_EQ(h.clientCount(), 0u);
  EXPECT_TRUE(h.client());  // still serving
}

TEST_F(IpcServerTest, HalfClosedClientStillGetsItsPendingReplies) {
  ServerHarness h;
  h.server().registerCommand("slow", [&h](const IpcRequest&, IpcResponder r) {
    h.loop().addTimer(50ms, [r]() mutable { r.reply({{"done", true}}); });
  });
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  // Like `printf ... | socat - UNIX-CONNECT:`: the last line has no newline, then EOF.
  ASSERT_TRUE(c->sendRaw(helloLine() + R"({"id":2,"cmd":"slow"})").ok());
  ASSERT_EQ(::shutdown(c->fd(), SHUT_WR), 0);
  std::vector<std::string> seen;
  EXPECT_TRUE(closedByServer(*c, &seen));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(parse(seen[1])["id"], 2) << seen[1];
  EXPECT_EQ(parse(seen[1])["done"], true) << seen[1];
}

TEST_F(IpcServerTest, BlankLinesAndCrLfAreAccepted) {
  ServerHarness h;
  registerEcho(h.server());
  h.start();
  auto c = h.raw();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->sendRaw("\n\r\n" + helloLine().substr(0, helloLine().size() - 1) +
                         "\r\n\n"
                         R"({"id":2,"cmd":"echo"})"
                         "\r\n")
                  .ok());
  EXPECT_EQ(nextMessage(*c)["id"], 1);
  EXPECT_EQ(nextMessage(*c)["id"], 2);
}

std::size_t openFds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(IpcServerTest, ConnectionsComingAndGoingLeakNothing) {
  ServerHarness h;
  registerEcho(h.server());
  h.start();
  { auto warm = h.client(); }
  for (int i = 0; i < 1000 && h.clientCount() != 0; ++i) std::this_thread::sleep_for(5ms);
  std::size_t before = openFds();
  for (int i = 0; i < 200; ++i) {
    auto c = h.client();
    ASSERT_TRUE(c) << "connection " << i;
    if (i % 2) {
      ASSERT_TRUE(c->request("subscribe").ok()) << "connection " << i;
    }
    if (i % 3 == 0) (void)c->sendRaw(R"({"id":9,"cmd":"ec)");  // leave half a line behind
  }
  for (int i = 0; i < 1000 && h.clientCount() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.clientCount(), 0u);
  EXPECT_EQ(h.disconnected().size(), 201u);
  EXPECT_EQ(openFds(), before);
  EXPECT_FALSE(h.onLoop([&] { return h.server().hasSubscribers("word"); }));
}

// A client may pass a file descriptor with a request (SCM_RIGHTS, "fd": true): the request gets
// it (used by `liseur read --to-wav`); a request claiming one that never came is refused; more
// unclaimed descriptors than the limit are closed; none stays open after the client leaves.
TEST_F(IpcServerTest, ADescriptorPassedWithARequestReachesItsHandlerAndNoneLeaks) {
  ServerHarness h;
  h.server().registerCommand("take", [](const IpcRequest& req, IpcResponder r) {
    if (!req.fd) return r.reply({{"fd", false}});
    // Write through it, as the daemon writes a WAV file.
    const std::string bytes = "through the descriptor";
    const bool wrote =
        ::write(*req.fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    r.reply({{"fd", true}, {"wrote", wrote}});
  });
  h.start();
  std::size_t before = openFds();
  {
    auto c = h.client();
    ASSERT_TRUE(c);
    const std::string file = xdg_.path("passed.txt");
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    auto r = c->request("take", json::object(), kGenerous, fd);
    ::close(fd);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ((*r)["fd"], true) << r->dump();
    EXPECT_EQ((*r)["wrote"], true) << r->dump();
    std::ifstream in(file);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, "through the descriptor");

    // Without a descriptor on the socket: bad-request naming SCM_RIGHTS.
    auto none = c->request("take", {{"fd", true}}, kGenerous);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(none.error().message.find("SCM_RIGHTS"), std::string::npos) << none.error().message;
    auto notbool = c->request("take", {{"fd", "yes"}}, kGenerous);
    ASSERT_FALSE(notbool.ok());
    EXPECT_EQ(notbool.error().code, ErrorCode::kBadRequest);

    // Descriptors no request claims: at most kIpcMaxPassedFds are kept, the rest closed; a
    // plain request does not take one.
    for (std::size_t i = 0; i < kIpcMaxPassedFds + 3; ++i) {
      const int dn = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      ASSERT_TRUE(c->sendRaw("\n", dn).ok());
      ::close(dn);
    }
    auto plain = c->request("take", json::object(), kGenerous);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ((*plain)["fd"], false);
    // The oldest kept one is claimed next.
    auto claimed = c->request("take", {{"fd", true}}, kGenerous);
    ASSERT_TRUE(claimed.ok()) << claimed.error().message;
    EXPECT_EQ((*claimed)["fd"], true);
  }
  for (int i = 0; i < 1000 && h.clientCount() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.clientCount(), 0u);
  EXPECT_EQ(openFds(), before) << "descriptors passed and never claimed must be closed";
}

}  // namespace
}  // namespace liseur
