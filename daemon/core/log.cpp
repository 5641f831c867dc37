#include "core/log.h"

#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>

namespace liseur {

void initLogging(const char* component) {
  auto logger = spdlog::stderr_logger_mt(component);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n[%P] %^%l%$: %v");
  const char* lvl = std::getenv("LISEUR_LOG");
  logger->set_level(lvl ? spdlog::level::from_str(lvl) : spdlog::level::info);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

void setLogLevel(const std::string& level) {
  if (const char* env = std::getenv("LISEUR_LOG"); env && *env) return;
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace liseur
