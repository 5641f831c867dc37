#include "core/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/sandbox.h"

#ifndef LISEUR_LIBEXECDIR
#define LISEUR_LIBEXECDIR "/usr/libexec/liseur"
#endif

extern char** environ;

// AddressSanitizer (bash packaging/dev.sh asan) reserves terabytes of shadow address space: its
// builds start workers without the address-space cap (their other limits stay).
#if defined(__SANITIZE_ADDRESS__)
#define LISEUR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LISEUR_ASAN 1
#endif
#endif

namespace liseur {

std::string findHelperProgram(const std::string& name) {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("LISEUR_LIBEXEC_DIR"); d && *d) {
    fs::path p = fs::path(d) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path p = self.parent_path() / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return (fs::path(LISEUR_LIBEXECDIR) / name).string();
}

Result<SpawnedWorker> spawnWorker(const std::string& exe, const std::vector<std::string>& args,
                                  const std::vector<std::string>& env, const WorkerLimits& limits) {
  if (::access(exe.c_str(), X_OK) != 0)
    return makeError(ErrorCode::kWorkerUnavailable,
                     "worker program " + exe + ": " + std::strerror(errno));
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return makeError(ErrorCode::kWorkerUnavailable,
                     std::string("socketpair: ") + std::strerror(errno));

  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<std::string> argStore{exe};
  argStore.insert(argStore.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argStore) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Only what a worker needs of the daemon's environment (core/sandbox.h): not the display,
  // the session bus or the runtime directory.
  std::vector<std::string> envStore;
  for (std::string& e : workerEnvironment(environ))
    if (e.compare(0, 17, "LISEUR_WORKER_FD=") != 0) envStore.push_back(std::move(e));
  envStore.emplace_back("LISEUR_WORKER_FD=3");
  for (const auto& e : env) envStore.push_back(e);
  std::vector<char*> envp;
  for (auto& e : envStore) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(sv[0]);
    ::close(sv[1]);
    return makeError(ErrorCode::kWorkerUnavailable, std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);  // keep terminal signals (Ctrl-C on a foreground daemon) to the daemon
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(2, 1);
    if (::dup2(sv[1], 3) < 0) ::_exit(127);
    ::syscall(SYS_close_range, 4u, ~0u, 0u);
#ifndef LISEUR_ASAN
    if (limits.address_space_mb) {
      rlimit r{limits.address_space_mb << 20, limits.address_space_mb << 20};
      ::setrlimit(RLIMIT_AS, &r);
    }
#endif
    if (limits.file_size_mb) {
      rlimit r{limits.file_size_mb << 20, limits.file_size_mb << 20};
      ::setrlimit(RLIMIT_FSIZE, &r);
    }
    rlimit core{0, 0};
    ::setrlimit(RLIMIT_CORE, &core);  // a crashing worker must not write screen text to disk
    if (limits.nice) {
      // Not fatal: a worker left at the user's priority still works.
      [[maybe_unused]] const int niced = ::nice(limits.nice);
    }
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);  // no set-uid gain, whatever it runs
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  return SpawnedWorker{pid, sv[0]};
}

}  // namespace liseur
