#include "control/watch_interval.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace liseur {

Result<std::chrono::milliseconds> parseWatchInterval(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument,
                     "watch interval '" + std::string(text) + "': " + why);
  };
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || !std::isfinite(v))
    return bad("expected a duration such as 1s, 500ms or 2.5s");
  // The rest of the text, NUL bytes included: "1s" followed by anything is not "1s".
  std::string unit = s.substr(static_cast<std::size_t>(end - s.c_str()));
  double ms = 0;
  if (unit.empty() || unit == "s")
    ms = v * 1000;
  else if (unit == "ms")
    ms = v;
  else if (unit == "m" || unit == "min")
    ms = v * 60000;
  else
    return bad("unknown unit '" + unit + "' (ms, s or m)");
  if (ms < kMinWatchInterval.count() || ms > kMaxWatchInterval.count())
    return bad("must be between " + std::to_string(kMinWatchInterval.count()) + " ms and " +
               std::to_string(kMaxWatchInterval.count() / 60000) + " min");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

}  // namespace liseur
