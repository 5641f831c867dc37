#include "config/toml_guard.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/utf8.h"

namespace liseur::config {
namespace {

constexpr char32_t kSwapBase = 0xF0000;  // Supplementary Private Use Area-A

// The code points toml++ 3.3's is_non_ascii_horizontal_whitespace() has no answer for: it
// splits U+00A0..U+FEFF into blocks of 0x3FA, rules out the blocks flagged in a mask, answers
// U+00A0, U+3000, U+FEFF and blocks 5 and 7 explicitly, and is "unreachable" for the rest.
bool isUnsafe(char32_t c) {
  if (c <= 0xA0 || c >= 0xFEFF || c == 0x3000) return false;
  const auto block = (static_cast<std::uint64_t>(c) - 0xA0) / 0x3FA;
  if ((0x7FFFFFFFFFFFF75Eull >> block) & 1u) return false;
  return block != 5 && block != 7;
}

const std::vector<char32_t>& unsafeCodePoints() {
  static const std::vector<char32_t> list = [] {
    std::vector<char32_t> v;
    for (char32_t c = 0xA1; c < 0xFEFF; ++c)
      if (isUnsafe(c)) v.push_back(c);
    return v;
  }();
  return list;
}

bool isSwapped(char32_t c) {
  return c >= kSwapBase && c < kSwapBase + unsafeCodePoints().size();
}

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when invalid (overlong forms,
// surrogates and values above U+10FFFF included).
std::size_t decodeOne(std::string_view s, std::size_t i, char32_t* cp) {
  char32_t c = 0;
  const std::size_t n = decodeUtf8(s, i, c);
  if (n) *cp = c;
  return n;
}

// Maps code points with `f` (which returns the same code point to keep it); invalid bytes are
// copied as they are. Returns false (and leaves `out` unspecified) when nothing changed.
template <typename F>
bool mapCodePoints(std::string_view s, std::string& out, F f) {
  bool changed = false;
  out.clear();
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    std::size_t n = decodeOne(s, i, &c);
    if (n == 0) {
      out += s[i++];
      continue;
    }
    char32_t m = f(c);
    if (m != c) {
      changed = true;
      appendUtf8(out, m);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return changed;
}

std::string swapIn(std::string_view s) {
  std::string out;
  const auto& list = unsafeCodePoints();
  if (!mapCodePoints(s, out, [&](char32_t c) {
        if (!isUnsafe(c)) return c;
        auto it = std::lower_bound(list.begin(), list.end(), c);
        return static_cast<char32_t>(kSwapBase + (it - list.begin()));
      }))
    return std::string(s);
  return out;
}

std::string swapOut(std::string_view s) {
  std::string out;
  if (!mapCodePoints(
          s, out, [](char32_t c) { return isSwapped(c) ? unsafeCodePoints()[c - kSwapBase] : c; }))
    return std::string(s);
  return out;
}

bool hasSwapped(std::string_view s) {
  std::string out;
  return mapCodePoints(s, out, [](char32_t c) { return isSwapped(c) ? char32_t{0} : c; });
}

void swapOutTree(toml::node& node) {
  if (toml::table* table = node.as_table()) {
    std::vector<std::string> renamed;
    for (auto&& [k, v] : *table) {
      swapOutTree(v);
      if (hasSwapped(k.str())) renamed.emplace_back(k.str());
    }
    for (const auto& old : renamed) {
      auto it = table->find(old);
      toml::key key(swapOut(old), it->first.source());
      it->second.visit([&](auto&& value) { table->insert(key, std::move(value)); });
      table->erase(old);
    }
  } else if (toml::array* array = node.as_array()) {
    for (auto& item : *array) swapOutTree(item);
  } else if (auto* str = node.as_string()) {
    if (hasSwapped(str->get())) str->get() = swapOut(str->get());
  }
}

// toml++ parses a dotted key or table name recursively, a frame per part: tens of thousands of
// parts ("[a.a.a...]", 70 KB) exhaust the stack. No real key has more than a few.
constexpr int kMaxKeyParts = 64;

// The first dotted key or table name of more than kMaxKeyParts parts, outside strings and
// comments: a run of key characters, quoted parts and dots (with spaces around them) that has
// more than kMaxKeyParts - 1 dots. Numbers and dates have one or two dots, so counting dots
// anywhere outside strings is enough.
std::optional<TomlGuardError> checkKeyParts(std::string_view s) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  int line = 1, column = 1, dots = 0;
  auto keyChar = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' ||
           c == '\t';
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool at3 = i + 2 < s.size() && s[i + 1] == c && s[i + 2] == c;
    switch (in) {
      case In::kCode:
        if (c == '#') {
          in = In::kComment;
        } else if (c == '"') {
          in = at3 ? In::kMultiBasic : In::kBasic;
          if (at3) i += 2, column += 2;
        } else if (c == '\'') {
          in = at3 ? In::kMultiLiteral : In::kLiteral;
          if (at3) i += 2, column += 2;
        } else if (c == '.') {
          if (++dots >= kMaxKeyParts)
            return TomlGuardError{
                line, column,
                fmt::format("a dotted key or table name of more than {} parts", kMaxKeyParts)};
        } else if (!keyChar(c)) {
          dots = 0;
        }
        break;
      case In::kComment:
        if (c == '\n') in = In::kCode;
        break;
      case In::kBasic:
        if (c == '\\') {
          ++i, ++column;
        } else if (c == '"' || c == '\n') {
          in = In::kCode;
        }
        break;
      case In::kLiteral:
        if (c == '\'' || c == '\n') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\') {
          ++i, ++column;
        } else if (c == '"' && at3) {
          in = In::kCode;
          i += 2, column += 2;
        }
        break;
      case In::kMultiLiteral:
        if (c == '\'' && at3) {
          in = In::kCode;
          i += 2, column += 2;
        }
        break;
    }
    if (i < s.size() && s[i] == '\n') {
      ++line;
      column = 1;
      dots = 0;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<TomlGuardError> checkTomlInput(std::string_view s) {
  if (auto deep = checkKeyParts(s)) return deep;
  int line = 1, column = 1;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    std::size_t n = decodeOne(s, i, &c);
    if (n == 0) return TomlGuardError{line, column, "invalid UTF-8"};
    if (isSwapped(c))
      return TomlGuardError{line, column,
                            fmt::format("private-use character U+{:05X} is not supported",
                                        static_cast<std::uint32_t>(c))};
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return std::nullopt;
}

toml::table parseToml(std::string_view text, std::string_view sourcePath) {
  if (auto bad = checkTomlInput(text))
    throw toml::parse_error(
        bad->message.c_str(),
        toml::source_position{static_cast<toml::source_index>(bad->line),
                              static_cast<toml::source_index>(bad->column)},
        sourcePath.empty() ? nullptr : std::make_shared<const std::string>(sourcePath));
  const std::string swapped = swapIn(text);
  if (swapped.size() == text.size() && swapped == text) return toml::parse(text, sourcePath);
  try {
    toml::table table = toml::parse(swapped, sourcePath);
    swapOutTree(table);
    return table;
  } catch (const toml::parse_error& e) {
    // parse_error copies the text (it is a std::runtime_error).
    throw toml::parse_error(swapOut(e.description()).c_str(), e.source());
  }
}

}  // namespace liseur::config
