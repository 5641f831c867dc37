#include "core/sandbox.h"

#include <seccomp.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace liseur {
namespace {

// Variables by exact name, then by prefix.
constexpr std::string_view kInherited[] = {
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "TESSDATA_PREFIX",
    "ESPEAK_DATA_PATH",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_DATA_DIRS",
    "XDG_CONFIG_DIRS",
    "XDG_CACHE_HOME",
};
constexpr std::string_view kInheritedPrefixes[] = {
    "LC_",
    "OMP_",
    "LISEUR_",
    // Sanitizer and coverage runs of the test suite.
    "ASAN_",
    "UBSAN_",
    "LSAN_",
    "TSAN_",
    "LLVM_PROFILE_",
};

// Calls no worker makes at its work. socket() covers every network, and the X server, D-Bus
// and the sound server too; the daemon's socketpair is inherited.
constexpr const char* kDenied[] = {
    "socket",
    "socketpair",
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "personality",
    "userfaultfd",
    "open_by_handle_at",
};

}  // namespace

bool workerMayInherit(const std::string& name) {
  for (std::string_view n : kInherited)
    if (name == n) return true;
  for (std::string_view p : kInheritedPrefixes)
    if (name.compare(0, p.size(), p) == 0) return true;
  return false;
}

std::vector<std::string> workerEnvironment(char** environ) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq && workerMayInherit(std::string(*e, static_cast<std::size_t>(eq - *e))))
      out.emplace_back(*e);
  }
  return out;
}

Status enterWorkerSandbox(const std::string& who) {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return makeError(ErrorCode::kInternal,
                     who + ": could not set no_new_privs: " + std::strerror(errno));
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return makeError(ErrorCode::kInternal, who + ": seccomp_init failed");
  for (const char* name : kDenied) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not a call on this architecture
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc != 0) {
      seccomp_release(ctx);
      return makeError(ErrorCode::kInternal,
                       who + ": seccomp rule for " + name + " failed: " + std::strerror(-rc));
    }
  }
  const int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0)
    return makeError(ErrorCode::kInternal,
                     who + ": could not load the seccomp filter: " + std::strerror(-rc));
  return okStatus();
}

}  // namespace liseur
