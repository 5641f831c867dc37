#include "core/sandbox.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
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

// Landlock. Debian 12's kernel headers stop at ABI 2; the rights and fields of later ABIs are
// spelt here from the kernel's documented values, and used only when the running kernel's ABI
// has them (an older kernel refuses what it does not know).
constexpr std::uint64_t kFsTruncate = 1ULL << 14;        // ABI 3
constexpr std::uint64_t kNetBindTcp = 1ULL << 0;         // ABI 4
constexpr std::uint64_t kNetConnectTcp = 1ULL << 1;      // ABI 4
constexpr std::uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1ULL << 1;        // ABI 6

// struct landlock_ruleset_attr as of ABI 6; the kernel accepts the larger struct from an older
// one's point of view as long as the fields it does not know are zero.
struct RulesetAttr {
  std::uint64_t handled_access_fs = 0;
  std::uint64_t handled_access_net = 0;
  std::uint64_t scoped = 0;
};

// What a worker may never do to the file system: write, create, remove, rename or link anything,
// or execute a file. Reading is not handled, so it stays open (the OCR worker opens the images the
// user names, wherever they are; every worker reads its language data).
std::uint64_t deniedFsRights(int abi) {
  std::uint64_t r =
      LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
      LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
      LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
      LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
  if (abi >= 2) r |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) r |= kFsTruncate;
  return r;
}

// Restricts this process (and the threads it starts from now on) with Landlock, when the kernel
// has it: no write anywhere but /dev/null, no exec, no TCP, no abstract Unix socket (the X
// server's) and no signal to a process outside the sandbox (ABI 6). A kernel without Landlock (or
// with it disabled) leaves the seccomp filter alone in charge: not an error.
Status enterLandlock(const std::string& who) {
  const int abi = landlockAbi();
  if (abi < 1) return okStatus();
  RulesetAttr attr;
  attr.handled_access_fs = deniedFsRights(abi);
  if (abi >= 4) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 6) attr.scoped = kScopeAbstractUnix | kScopeSignal;
  const long ruleset = ::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0)
    return makeError(ErrorCode::kInternal, who + ": could not create the Landlock ruleset (ABI " +
                                               std::to_string(abi) + "): " + std::strerror(errno));
  const int rfd = static_cast<int>(ruleset);
  // Libraries open /dev/null for writing to silence themselves: that stays allowed.
  if (const int null = ::open("/dev/null", O_PATH | O_CLOEXEC); null >= 0) {
    landlock_path_beneath_attr rule{};
    rule.allowed_access = LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? kFsTruncate : 0);
    rule.parent_fd = null;
    const long rc = ::syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    const int saved = errno;
    ::close(null);
    if (rc != 0) {
      ::close(rfd);
      return makeError(ErrorCode::kInternal,
                       who + ": Landlock rule for /dev/null failed: " + std::strerror(saved));
    }
  }
  const long rc = ::syscall(SYS_landlock_restrict_self, rfd, 0);
  const int saved = errno;
  ::close(rfd);
  if (rc != 0)
    return makeError(ErrorCode::kInternal,
                     who + ": could not enter the Landlock sandbox: " + std::strerror(saved));
  return okStatus();
}

}  // namespace

int landlockAbi() {
  const long abi =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

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
  return enterLandlock(who);
}

}  // namespace liseur
