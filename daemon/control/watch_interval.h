// The interval of `liseur watch --every` and of the profile's watch settings, as a person writes
// it. On its own (no Session, no capture) so that the fuzz target can take it alone.
#pragma once

#include <chrono>
#include <string_view>

#include "core/result.h"

namespace liseur {

inline constexpr std::chrono::milliseconds kMinWatchInterval{250};
inline constexpr std::chrono::milliseconds kMaxWatchInterval{3'600'000};

// "1s", "500ms", "2.5s", "1m", or a plain number of seconds. Errors (kInvalidArgument) quote the
// text and give the allowed range (kMinWatchInterval .. kMaxWatchInterval).
Result<std::chrono::milliseconds> parseWatchInterval(std::string_view text);

}  // namespace liseur
