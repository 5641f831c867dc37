// UTF-8 helpers shared by everything that walks text by code point (the configuration guard,
// speech text, plugins, benchmarks). Header-only, so a plugin can use them without linking the
// core. Pure functions, any thread.
#pragma once

#include <locale.h>

#include <string>

namespace liseur {

// Appends code point c encoded as UTF-8 (c must be a valid scalar value; callers decode first).
inline void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Encodes a sequence of code points (std::u32string, std::vector<char32_t>, ...).
template <typename CodePoints>
std::string encodeUtf8(const CodePoints& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t c : cps) appendUtf8(out, c);
  return out;
}

// Combining diacritical marks: a decomposed accent (e + U+0301) belongs to its letter, although
// glibc classifies it as punctuation.
inline bool isCombiningMark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

// A process-wide C.UTF-8 LC_CTYPE locale object (always present on Debian) for iswalpha_l and
// friends, so nothing ever changes the process's global locale. (locale_t)0 if it is missing.
inline locale_t utf8CtypeLocale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

}  // namespace liseur
