// Socket activation: the sd_listen_fds(3) protocol as liseurd reads it, and an IpcServer serving
// an inherited socket. Each test puts what it needs at fd 3 and restores what was there.
#include "ipc/socket_activation.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/paths.h"
#include "ipc/ipc_server.h"
#include "server_harness.h"

namespace liseur {
namespace {

using test::ServerHarness;

// Saves whatever is at fd 3 (ctest or gtest may have something there) and the LISTEN_*
// variables, and puts them back.
class SocketActivationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_fd3_ = ::fcntl(kActivationFdStart, F_DUPFD_CLOEXEC, 10);
    ::close(kActivationFdStart);
  }
  void TearDown() override {
    ::close(kActivationFdStart);
    if (saved_fd3_ >= 0) {
      ::dup2(saved_fd3_, kActivationFdStart);
      ::close(saved_fd3_);
    }
    for (const char* v : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) ::unsetenv(v);
  }

  // Moves `fd` to fd 3 (as a service manager passes it, without close-on-exec).
  static void placeAtFd3(int fd) {
    ASSERT_GE(fd, 0) << std::strerror(errno);
    if (fd != kActivationFdStart) {
      ASSERT_EQ(::dup2(fd, kActivationFdStart), kActivationFdStart) << std::strerror(errno);
      ::close(fd);
    }
  }
  static void announce(const std::string& pid, const std::string& fds) {
    ::setenv("LISTEN_PID", pid.c_str(), 1);
    ::setenv("LISTEN_FDS", fds.c_str(), 1);
    ::setenv("LISTEN_FDNAMES", "liseurd.socket", 1);
  }
  static std::string ourPid() { return std::to_string(::getpid()); }
  static bool environmentCleared() {
    return !std::getenv("LISTEN_PID") && !std::getenv("LISTEN_FDS") &&
           !std::getenv("LISTEN_FDNAMES");
  }

  // A Unix stream socket bound at `path`, listening when `listen` is true.
  static int unixSocket(const std::string& path, int type = SOCK_STREAM, bool listen = true) {
    int fd = ::socket(AF_UNIX, type, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
        << path << ": " << std::strerror(errno);
    if (listen) {
      EXPECT_EQ(::listen(fd, 8), 0) << std::strerror(errno);
    }
    return fd;
  }

  test::TempXdg xdg_;
  int saved_fd3_ = -1;
};

TEST_F(SocketActivationTest, WithoutTheVariablesNothingIsTaken) {
  auto r = takeActivationSocket();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, -1);
}

TEST_F(SocketActivationTest, VariablesMeantForAnotherProcessAreIgnoredAndCleared) {
  placeAtFd3(unixSocket(xdg_.path("s")));
  announce(std::to_string(::getpid() + 1), "1");
  auto r = takeActivationSocket();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, -1);
  EXPECT_TRUE(environmentCleared());
  EXPECT_GE(::fcntl(kActivationFdStart, F_GETFD), 0) << "fd 3 is not ours: it must stay open";
}

TEST_F(SocketActivationTest, ListeningUnixSocketIsTakenCloseOnExecAndNonBlocking) {
  placeAtFd3(unixSocket(xdg_.path("s")));
  announce(ourPid(), "1");
  auto r = takeActivationSocket();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, kActivationFdStart);
  EXPECT_TRUE(environmentCleared()) << "workers would inherit LISTEN_* and misread their fd 3";
  EXPECT_TRUE(::fcntl(*r, F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(*r, F_GETFL) & O_NONBLOCK);
}

TEST_F(SocketActivationTest, WrongSocketsAreRefusedNamingWhatIsWrong) {
  struct Case {
    const char* what;
    int fd;
    const char* expected;
  };
  int inet = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(inet, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(inet, 1), 0);
  int file = ::open(xdg_.path("plain-file").c_str(), O_RDWR | O_CREAT, 0600);
  const Case cases[] = {
      {"TCP socket", inet, "is not a Unix socket"},
      {"datagram socket", unixSocket(xdg_.path("d"), SOCK_DGRAM, false), "not a stream socket"},
      {"bound, not listening", unixSocket(xdg_.path("n"), SOCK_STREAM, false), "not listening"},
      {"regular file", file, "is not a socket"},
  };
  for (const Case& c : cases) {
    placeAtFd3(c.fd);
    announce(ourPid(), "1");
    auto r = takeActivationSocket();
    ASSERT_FALSE(r.ok()) << c.what << " was accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInternal) << c.what;
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos)
        << c.what << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("descriptor 3"), std::string::npos) << r.error().message;
    EXPECT_TRUE(environmentCleared()) << c.what;
    EXPECT_LT(::fcntl(kActivationFdStart, F_GETFD), 0) << c.what << ": refused fd left open";
  }
}

TEST_F(SocketActivationTest, MalformedOrUnexpectedCountsAreRefused) {
  announce("12ab", "1");
  auto r = takeActivationSocket();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("LISTEN_PID='12ab'"), std::string::npos) << r.error().message;

  announce(ourPid(), "-1");
  r = takeActivationSocket();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("LISTEN_FDS='-1'"), std::string::npos) << r.error().message;

  placeAtFd3(unixSocket(xdg_.path("s")));
  int fd4 = unixSocket(xdg_.path("s4"));
  ASSERT_EQ(::dup2(fd4, 4), 4);
  if (fd4 != 4) ::close(fd4);
  announce(ourPid(), "2");
  r = takeActivationSocket();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("got 2 descriptors"), std::string::npos) << r.error().message;
  EXPECT_LT(::fcntl(4, F_GETFD), 0) << "the descriptors passed are closed";

  announce(ourPid(), "0");
  r = takeActivationSocket();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, -1);
  EXPECT_TRUE(environmentCleared());
}

TEST_F(SocketActivationTest, ServerServesTheInheritedSocketAndLeavesItsFileInPlace) {
  ASSERT_TRUE(ensureRuntimeDir().ok());
  const std::string path = socketPath();
  placeAtFd3(unixSocket(path));
  ::chmod(path.c_str(), 0666);  // a careless service manager: the server tightens it
  announce(ourPid(), "1");
  auto fd = takeActivationSocket();
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  {
    IpcServerOptions o;
    o.listen_fd = *fd;
    ServerHarness h(o);
    h.start();
    EXPECT_EQ(h.server().socketPath(), path);
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
    auto c = h.client();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->daemonPid(), ::getpid());

    // A daemon started by hand meanwhile finds the socket taken and steps aside.
    EventLoop loop;
    IpcServer second(loop);
    Status st2 = second.listen();
    ASSERT_FALSE(st2.ok());
    EXPECT_EQ(st2.error().code, ErrorCode::kBusy) << st2.error().message;
  }
  // The service manager made the file and keeps listening on it across restarts of the daemon.
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path << " was removed by the server";
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST_F(SocketActivationTest, InheritedSocketIsRefusedWhileAnotherDaemonHoldsTheLock) {
  ASSERT_TRUE(ensureRuntimeDir().ok());
  ServerHarness first;  // an autospawned daemon, before systemd took over the path
  first.start();
  const std::string path = socketPath();
  ASSERT_EQ(::unlink(path.c_str()), 0);  // systemd replaces the file with its own socket
  int fd = unixSocket(path);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  EventLoop loop;
  IpcServerOptions o;
  o.listen_fd = fd;
  IpcServer activated(loop, o);
  Status st = activated.listen();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal) << st.error().message;
  EXPECT_NE(st.error().message.find("another liseurd, started before liseurd.socket, holds " +
                                    path + ".lock"),
            std::string::npos)
      << st.error().message;
}

}  // namespace
}  // namespace liseur
