// The workers' sandbox (core/sandbox.h): what a worker inherits of the daemon's environment, and
// what a process inside the seccomp filter can no longer do — and still does.
#include "core/sandbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
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

// The folder the Landlock test writes in (set before the fork; a test body is a plain function).
std::string gScratch;

// Where the kernel has Landlock (the CI's and Debian 12's kernels do), a worker writes no file,
// creates, removes or renames nothing, and (ABI 6) signals no process outside its sandbox; it
// still reads files and writes to /dev/null. Without Landlock, the same checks show that writes
// still go through, so the test states which case it ran.
TEST(Sandbox, AWorkerWritesNoFileWhereTheKernelHasLandlock) {
  char tmpl[] = "/tmp/liseur-sandbox-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  gScratch = tmpl;
  { std::ofstream(gScratch + "/existing") << "mot"; }
  const int abi = landlockAbi();
  std::cout << "Landlock ABI of this kernel: " << abi << "\n";
  int status = 0;
  if (abi >= 1) {
    status = inSandbox([]() -> int {
      const std::string fresh = gScratch + "/fresh", existing = gScratch + "/existing";
      errno = 0;
      if (::open(fresh.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600) != -1 || errno != EACCES)
        return 1;
      if (::open(existing.c_str(), O_WRONLY | O_CLOEXEC) != -1 || errno != EACCES) return 2;
      if (::mkdir((gScratch + "/dir").c_str(), 0700) != -1 || errno != EACCES) return 3;
      if (::unlink(existing.c_str()) != -1 || errno != EACCES) return 4;
      if (::rename(existing.c_str(), fresh.c_str()) != -1) return 5;
      if (::symlink(existing.c_str(), fresh.c_str()) != -1) return 6;
      const int r = ::open(existing.c_str(), O_RDONLY | O_CLOEXEC);  // reading stays open
      if (r < 0) return 7;
      char buf[3];
      if (::read(r, buf, 3) != 3) return 8;
      ::close(r);
      const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null < 0 || ::write(null, "x", 1) != 1) return 9;
      ::close(null);
      if (landlockAbi() >= 6 && (::kill(::getppid(), 0) != -1 || errno != EPERM)) return 10;
      if (::kill(::getpid(), 0) != 0) return 11;  // its own process, yes
      return 0;
    });
    EXPECT_FALSE(std::filesystem::exists(gScratch + "/fresh"));
    EXPECT_FALSE(std::filesystem::exists(gScratch + "/dir"));
    EXPECT_TRUE(std::filesystem::exists(gScratch + "/existing"));
  } else {
    status = inSandbox([]() -> int {
      std::ofstream f(gScratch + "/fresh");
      return f << "x" ? 0 : 1;
    });
    EXPECT_TRUE(std::filesystem::exists(gScratch + "/fresh")) << "seccomp alone leaves writes";
  }
  EXPECT_EQ(status, 0) << "check " << status << " failed inside the sandbox (Landlock ABI " << abi
                       << ")";
  std::filesystem::remove_all(gScratch);
}

}  // namespace
}  // namespace liseur
