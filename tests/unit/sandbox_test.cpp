// The workers' sandbox (core/sandbox.h): what a worker inherits of the daemon's environment, and
// what a process inside the seccomp filter can no longer do — and still does.
#include "core/sandbox.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace liseur {
namespace {

TEST(Sandbox, AWorkerInheritsNeitherTheDisplayNorTheSessionBus) {
  std::vector<std::string> env = {
      "DISPLAY=:0",
      "XAUTHORITY=/home/eleve/.Xauthority",
      "WAYLAND_DISPLAY=wayland-0",
      "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus",
      "XDG_RUNTIME_DIR=/run/user/1000",
      "SSH_AUTH_SOCK=/run/user/1000/ssh",
      "PATH=/usr/bin:/bin",
      "HOME=/home/eleve",
      "LANG=fr_FR.UTF-8",
      "LC_ALL=fr_FR.UTF-8",
      "TESSDATA_PREFIX=/usr/share/tesseract-ocr/5/tessdata",
      "OMP_THREAD_LIMIT=1",
      "LISEUR_LAYOUT_DEBUG=1",
      "XDG_DATA_HOME=/home/eleve/.local/share",
      "NOT_AN_ASSIGNMENT",
  };
  std::vector<char*> environ;
  for (auto& e : env) environ.push_back(e.data());
  environ.push_back(nullptr);
  const std::vector<std::string> kept = workerEnvironment(environ.data());
  const std::vector<std::string> expected = {
      "PATH=/usr/bin:/bin",
      "HOME=/home/eleve",
      "LANG=fr_FR.UTF-8",
      "LC_ALL=fr_FR.UTF-8",
      "TESSDATA_PREFIX=/usr/share/tesseract-ocr/5/tessdata",
      "OMP_THREAD_LIMIT=1",
      "LISEUR_LAYOUT_DEBUG=1",
      "XDG_DATA_HOME=/home/eleve/.local/share",
  };
  EXPECT_EQ(kept, expected);
  EXPECT_FALSE(workerMayInherit("DISPLAY"));
  EXPECT_FALSE(workerMayInherit("LC"));  // a prefix is not a name
  EXPECT_TRUE(workerMayInherit("LC_MESSAGES"));
}

// Runs `body` in a child process inside the sandbox; returns its exit status (0: every check
// passed; otherwise the number of the first that failed).
int inSandbox(int (*body)()) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!enterWorkerSandbox("test")) ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

TEST(Sandbox, AWorkerCannotOpenASocketOrStartAProgram) {
  const int status = inSandbox([]() -> int {
    errno = 0;
    if (::socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM) return 1;
    if (::socket(AF_INET6, SOCK_DGRAM, 0) != -1 || errno != EPERM) return 2;
    if (::socket(AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM) return 3;  // X11, D-Bus, sound
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != -1) return 4;
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* const envp[] = {nullptr};
    if (::execve("/bin/true", argv, envp) != -1 || errno != EPERM) return 5;
    // No new privileges: a set-uid program would gain nothing even if exec were allowed.
    std::ifstream status("/proc/self/status");
    std::string line;
    bool nnp = false, filtered = false;
    while (std::getline(status, line)) {
      nnp |= line == "NoNewPrivs:\t1";
      filtered |= line == "Seccomp:\t2";
    }
    if (!nnp) return 6;
    if (!filtered) return 7;
    return 0;
  });
  EXPECT_EQ(status, 0) << "check " << status << " failed inside the sandbox";
}

TEST(Sandbox, AWorkerStillReadsFilesAndRunsThreads) {
  const int status = inSandbox([]() -> int {
    std::ifstream f("/proc/self/cmdline");
    if (!f) return 1;
    int value = 0;
    std::thread t([&] { value = 42; });
    t.join();
    if (value != 42) return 2;
    std::vector<char> big(64 << 20, 1);  // mmap'd memory
    if (big.back() != 1) return 3;
    return 0;
  });
  EXPECT_EQ(status, 0) << "check " << status << " failed inside the sandbox";
}

}  // namespace
}  // namespace liseur
