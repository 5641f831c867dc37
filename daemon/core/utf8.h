// UTF-8 helpers shared by everything that walks text by code point (the configuration guard,
// speech text, plugins, benchmarks). Header-only, so a plugin can use them without linking the
// core. Pure functions, any thread.
#pragma once

#include <locale.h>

#include <string>
#include <string_view>

namespace liseur {

// Decodes one strictly valid UTF-8 sequence at s[i] (i < s.size()) into `out`; returns its length
// in bytes, 0 when it is not one (overlong, truncated, a surrogate, above U+10FFFF).
inline std::size_t decodeUtf8(std::string_view s, std::size_t i, char32_t& out) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c0 = b(0);
  std::size_t n;
  char32_t cp;
  if (c0 < 0x80) {
    out = c0;
    return 1;
  } else if (c0 >= 0xC2 && c0 <= 0xDF) {
    n = 2;
    cp = c0 & 0x1F;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    n = 3;
    cp = c0 & 0x0F;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    n = 4;
    cp = c0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;  // overlong, out of range or a surrogate
  out = cp;
  return n;
}

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

// How many code points `s` holds (its bytes that do not continue a sequence).
inline std::size_t codePointCount(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The code points of `s`; a byte that starts no valid sequence becomes U+FFFD.
inline std::u32string codePointsOf(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const std::size_t n = decodeUtf8(s, i, c);
    out += n ? c : char32_t{0xFFFD};
    i += n ? n : 1;
  }
  return out;
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

// The length in bytes of the terminal escape sequence (ECMA-48) at s[i], 0 when there is none:
// ESC or the C1 CSI (U+009B) and what belongs to it. A control sequence ("\x1b[0m", colours and
// cursor moves) runs to its final byte; a string (OSC "\x1b]0;title\x07", DCS, APC, PM, SOS)
// to BEL or ESC \ (or the end of its line); any other escape is ESC, its intermediate bytes and
// one final byte. Speech silences them whole: espeak-ng said the printable rest of "\x1b[0m"
// ("zéro mètre").
inline std::size_t terminalEscapeLength(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  std::size_t j;
  bool csi = false, str = false;
  if (at(i) == 0x1B) {
    if (i + 1 >= s.size()) return 1;
    const unsigned char c = at(i + 1);
    csi = c == '[';
    str = c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_';
    j = i + 2;
    if (!csi && !str) {
      // nF: intermediates 0x20-0x2F, then a final 0x30-0x7E; Fp/Fe/Fs: one byte 0x30-0x7E.
      j = i + 1;
      while (j < s.size() && at(j) >= 0x20 && at(j) <= 0x2F) ++j;
      if (j < s.size() && at(j) >= 0x30 && at(j) <= 0x7E) ++j;
      return j - i;
    }
  } else if (at(i) == 0xC2 && i + 1 < s.size() && at(i + 1) == 0x9B) {
    csi = true;
    j = i + 2;
  } else {
    return 0;
  }
  if (csi) {
    while (j < s.size() && at(j) >= 0x20 && at(j) <= 0x3F) ++j;  // parameters, intermediates
    if (j < s.size() && at(j) >= 0x40 && at(j) <= 0x7E) ++j;     // final
    return j - i;
  }
  while (j < s.size() && at(j) != 0x07 && at(j) != '\n') {
    if (at(j) == 0x1B) {
      j += j + 1 < s.size() && at(j + 1) == '\\' ? 2 : 1;
      return j - i;
    }
    ++j;
  }
  if (j < s.size() && at(j) == 0x07) ++j;
  return j - i;
}

}  // namespace liseur
