// What every worker program's main() shares: find the daemon socket (fd from LISEUR_WORKER_FD),
// and a writer that serialises frames from several threads.
#pragma once

#include <mutex>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur {

// The worker's end of the socketpair, or -1 when not started by the daemon.
int workerFdFromEnv();

class FrameWriter {
 public:
  explicit FrameWriter(int fd) : fd_(fd) {}
  Status write(const nlohmann::json& header, std::string_view payload = {});

 private:
  int fd_;
  std::mutex mu_;
};

}  // namespace liseur
