// A pre-check of text before it reaches toml++.
//
// toml++ 3.3 (Debian 12) reaches __builtin_unreachable() -- undefined behaviour, not an error --
// when it tests some non-ASCII code points for whitespace: a code point in U+00A1..U+0499,
// U+2C6E..U+3067 or U+FB06..U+FEFE outside a string, or right after a line-ending backslash in a
// multi-line basic string (upstream marzer/tomlplusplus#190 and #295, fixed after 3.3; found
// again here by fuzzing). TOML never allows non-ASCII outside strings and comments, so refusing
// it there loses no valid document; the backslash case is refused with a message saying how to
// write it instead. Invalid UTF-8 is refused too, with its position.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace liseur::config {

struct TomlGuardError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in code points (as toml++ counts)
  std::string message;
};

// nullopt when `text` is safe to hand to toml::parse.
std::optional<TomlGuardError> checkTomlInput(std::string_view text);

}  // namespace liseur::config
