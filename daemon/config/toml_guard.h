// Safe use of toml++ 3.3 (Debian 12), internal to the config library.
//
// toml++ 3.3 reaches __builtin_unreachable() -- undefined behaviour, not an error -- when it asks
// whether certain non-ASCII code points are whitespace: U+00A1..U+0499 (all accented Latin
// letters), U+2C6E..U+3067 except U+3000, and U+FB06..U+FEFE. It asks in many places: after a
// line-ending backslash in a multi-line string, around a malformed value, outside strings
// (upstream marzer/tomlplusplus#190 and #295, fixed after 3.3; found again here by fuzzing).
//
// parseToml() never lets toml++ see those code points: before parsing, each is swapped for its
// own private-use code point (U+F0000 + n), which toml++ classifies safely and exactly like the
// original (not whitespace, not a key character, one column wide); after parsing, every key,
// string and error message is swapped back. Positions, values and errors are those of the
// original text. The price: text holding one of those private-use code points itself is refused
// (checkTomlInput), as is invalid UTF-8.
#pragma once

#include <toml++/toml.h>
#include <optional>
#include <string>
#include <string_view>

namespace liseur::config {

struct TomlGuardError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in code points (as toml++ counts)
  std::string message;
};

// nullopt when parseToml can take `text`: valid UTF-8, no reserved private-use code point, no
// dotted key or table name of more than 64 parts (toml++ recurses once per part and a long one
// overflows the stack; arrays and inline tables it bounds itself, at 256 levels).
std::optional<TomlGuardError> checkTomlInput(std::string_view text);

// toml::parse(text, sourcePath), made safe as described above. Throws toml::parse_error (also
// for what checkTomlInput refuses), like toml::parse; callers catch it.
toml::table parseToml(std::string_view text, std::string_view sourcePath = {});

}  // namespace liseur::config
