#include "config/toml_guard.h"

#include <fmt/format.h>

namespace liseur::config {
namespace {

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when invalid (overlong forms,
// surrogates and values above U+10FFFF included).
std::size_t decode(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t n;
  char32_t v;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    v = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    v = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    v = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

enum class State { kNormal, kComment, kBasic, kLiteral, kMlBasic, kMlLiteral };

}  // namespace

std::optional<TomlGuardError> checkTomlInput(std::string_view s) {
  State state = State::kNormal;
  int line = 1, column = 1;
  // After a line-ending backslash in a multi-line basic string, whitespace is skipped and the
  // next character must not be non-ASCII (see the header).
  bool trimming = false;
  std::size_t i = 0;
  auto startsWith = [&](std::size_t at, std::string_view what) {
    return s.substr(at, what.size()) == what;
  };
  while (i < s.size()) {
    char32_t cp = 0;
    const std::size_t n = decode(s, i, &cp);
    if (n == 0) return TomlGuardError{line, column, "invalid UTF-8"};
    std::size_t advance = n;
    if (trimming) {
      if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n') {
        // still skipping
      } else {
        trimming = false;
        if (cp >= 0x80)
          return TomlGuardError{
              line, column,
              fmt::format("character U+{:04X} right after a line-ending backslash is not "
                          "supported: join the lines or start the line with a space and an "
                          "ASCII character",
                          static_cast<std::uint32_t>(cp))};
      }
    }
    switch (state) {
      case State::kNormal:
        if (cp == '#') {
          state = State::kComment;
        } else if (cp == '"') {
          state = startsWith(i, "\"\"\"") ? State::kMlBasic : State::kBasic;
          if (state == State::kMlBasic) advance = 3;
        } else if (cp == '\'') {
          state = startsWith(i, "'''") ? State::kMlLiteral : State::kLiteral;
          if (state == State::kMlLiteral) advance = 3;
        } else if (cp >= 0x80) {
          return TomlGuardError{
              line, column,
              fmt::format("character U+{:04X} outside a quoted string or a comment (keys and "
                          "values other than strings are ASCII; put text in quotes)",
                          static_cast<std::uint32_t>(cp))};
        }
        break;
      case State::kComment:
        if (cp == '\n') state = State::kNormal;
        break;
      case State::kBasic:
        if (cp == '\\' && i + 1 < s.size()) {
          // Skip the escaped character so that \" does not end the string.
          char32_t next = 0;
          std::size_t m = decode(s, i + 1, &next);
          if (m == 0) return TomlGuardError{line, column + 1, "invalid UTF-8"};
          advance = 1 + m;
        } else if (cp == '"' || cp == '\n') {
          state = State::kNormal;
        }
        break;
      case State::kLiteral:
        if (cp == '\'' || cp == '\n') state = State::kNormal;
        break;
      case State::kMlBasic:
        if (cp == '\\') {
          std::size_t j = i + 1;
          while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
          if (j < s.size() && s[j] == '\n') {
            trimming = true;
          } else if (i + 1 < s.size()) {
            // An escape: skip the escaped character so that \" does not end the string.
            char32_t next = 0;
            std::size_t m = decode(s, i + 1, &next);
            if (m == 0) return TomlGuardError{line, column + 1, "invalid UTF-8"};
            advance = 1 + m;
          }
        } else if (startsWith(i, "\"\"\"")) {
          advance = 3;
          // Up to two more quotes belong to the string's content.
          std::size_t extra = 0;
          while (extra < 2 && i + advance < s.size() && s[i + advance] == '"') {
            ++advance;
            ++extra;
          }
          state = State::kNormal;
        }
        break;
      case State::kMlLiteral:
        if (startsWith(i, "'''")) {
          advance = 3;
          std::size_t extra = 0;
          while (extra < 2 && i + advance < s.size() && s[i + advance] == '\'') {
            ++advance;
            ++extra;
          }
          state = State::kNormal;
        }
        break;
    }
    // Position bookkeeping: `advance` bytes; all but multi-byte characters are one column.
    for (std::size_t k = 0; k < advance;) {
      char32_t c = 0;
      std::size_t m = decode(s, i + k, &c);
      if (m == 0) m = 1;
      if (c == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
      k += m;
    }
    i += advance;
  }
  return std::nullopt;
}

}  // namespace liseur::config
