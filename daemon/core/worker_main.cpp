#include "core/worker_main.h"

#include <cstdlib>

#include "core/frame.h"

namespace liseur {

int workerFdFromEnv() {
  const char* v = std::getenv("LISEUR_WORKER_FD");
  if (!v || !*v) return -1;
  char* end = nullptr;
  long fd = std::strtol(v, &end, 10);
  if (*end != '\0' || fd < 0 || fd > 1024) return -1;
  return static_cast<int>(fd);
}

Status FrameWriter::write(const nlohmann::json& header, std::string_view payload) {
  std::lock_guard lock(mu_);
  return writeFrame(fd_, header, payload);
}

}  // namespace liseur
