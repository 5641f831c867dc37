// Logging: spdlog to stderr (the systemd journal when run as a user unit). Never log screen text:
// log sizes, codes and timings instead. Level from LISEUR_LOG (trace..off), default info.
#pragma once

#include <string>

#include <spdlog/spdlog.h>

namespace liseur {

// Sets up the default logger with a component name ("liseurd", "ocr-worker"...). Call once.
void initLogging(const char* component);

// The configuration's level (daemon.log_level: trace..off), for liseurd at start and at every
// reload. LISEUR_LOG, when set, wins: it is what a developer or a bug report asked for.
void setLogLevel(const std::string& level);

}  // namespace liseur
