// Starting worker processes: a socketpair, no inherited descriptors, resource limits, and death
// with the parent (PR_SET_PDEATHSIG). Used by the daemon's WorkerClient; main thread only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace liseur {

struct WorkerLimits {
  std::size_t address_space_mb = 0;  // RLIMIT_AS; 0 = unlimited
  std::size_t file_size_mb = 64;     // RLIMIT_FSIZE: workers do not write large files
  int nice = 0;                      // added niceness (OCR runs below speech)
};

struct SpawnedWorker {
  pid_t pid = -1;
  int fd = -1;  // our end of the socketpair, close-on-exec, blocking
};

// Starts `exe` with `args`. The child gets the socket as fd 3 (LISEUR_WORKER_FD=3), stdin from
// /dev/null, stdout to stderr, every other descriptor closed, and the extra environment `env`
// ("NAME=value") added to the current one.
Result<SpawnedWorker> spawnWorker(const std::string& exe, const std::vector<std::string>& args,
                                  const std::vector<std::string>& env, const WorkerLimits& limits);

// Full path of a helper program: $LISEUR_LIBEXEC_DIR, then the directory of the running
// executable (build tree), then the install's libexec directory.
std::string findHelperProgram(const std::string& name);

}  // namespace liseur
