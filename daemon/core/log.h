// Logging: spdlog to stderr (the systemd journal when run as a user unit). Never log screen text:
// log sizes, codes and timings instead. Level from LISEUR_LOG (trace..off), default info.
#pragma once

#include <spdlog/spdlog.h>

namespace liseur {

// Sets up the default logger with a component name ("liseurd", "ocr-worker"...). Call once.
void initLogging(const char* component);

}  // namespace liseur
