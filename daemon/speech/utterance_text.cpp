#include "speech/utterance_text.h"

#include <locale.h>
#include <wctype.h>

#include "core/utf8.h"

namespace liseur::speech {
namespace {

// Apostrophes one token may hold before one is made a space: "aujourd'hui", "qu'est-ce
// qu'il", "rock'n'roll" have 1 to 3; 16 is no word's.
constexpr int kMaxElisions = 16;

// glibc's C.UTF-8 classifies all of Unicode (core/utf8.h utf8CtypeLocale). Without it, every
// non-ASCII code point that is not known punctuation counts as a letter, which is right for the
// languages we speak.
bool isJoiner(char32_t c) {
  return c == U'\'' || c == U'\u2019' || c == U'\u02BC' || c == U'-' || c == U'\u2010' ||
         c == U'\u2011' || c == U'\u00AD' || c == U'\u00B7' || c == U'_';
}

bool isAsciiDigit(char32_t c) {
  return c >= U'0' && c <= U'9';
}

bool isControl(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

}  // namespace

bool isSpaceCodePoint(char32_t c) {
  if (c == U' ' || (c >= U'\t' && c <= U'\r')) return true;
  if (c == 0x00A0 || c == 0x2007 || c == 0x202F || c == 0xFEFF) return true;  // no-break
  if (c < 0x80) return false;
  if (locale_t loc = utf8CtypeLocale()) return iswspace_l(static_cast<wint_t>(c), loc);
  return c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029;
}

UtteranceText::UtteranceText(std::string_view raw) {
  text_.reserve(raw.size());
  cps_.reserve(raw.size());
  offsets_.reserve(raw.size() + 1);
  std::size_t i = 0;
  int elisions = 0;  // apostrophes in the current whitespace-separated token
  while (i < raw.size()) {
    char32_t cp = 0;
    const std::size_t esc = terminalEscapeLength(raw, i);
    std::size_t n = esc ? 0 : decodeUtf8(raw, i, cp);
    if (n > 0 && isSpaceCodePoint(cp)) elisions = 0;
    const bool elision = n > 0 && (cp == U'\'' || cp == U'\u2019');
    // A chain of elisions far longer than any word ("s's's'...": espeak-ng 1.51 aborts from 68
    // "s'" in one token) is cut into tokens, an apostrophe made a space every kMaxElisions.
    const bool cut = elision && ++elisions > kMaxElisions;
    if (cut) elisions = 0;
    if (esc || n == 0 || isControl(cp) || cut) {
      // One space per byte keeps every later byte offset equal to the daemon's.
      const std::size_t bad = esc ? esc : n == 0 ? 1 : n;
      for (std::size_t k = 0; k < bad; ++k) {
        offsets_.push_back(static_cast<uint32_t>(text_.size()));
        cps_.push_back(U' ');
        text_.push_back(' ');
      }
      replaced_ += bad;
      i += bad;
      continue;
    }
    offsets_.push_back(static_cast<uint32_t>(text_.size()));
    cps_.push_back(cp);
    text_.append(raw.substr(i, n));
    i += n;
  }
  offsets_.push_back(static_cast<uint32_t>(text_.size()));
}

bool UtteranceText::isWordChar(char32_t c) const {
  if (c < 0x80) return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || isAsciiDigit(c);
  if (isCombiningMark(c)) return true;
  if (isSpaceCodePoint(c)) return false;
  if (locale_t loc = utf8CtypeLocale()) return iswalnum_l(static_cast<wint_t>(c), loc);
  // No C.UTF-8: general punctuation, symbols and emoji blocks are not letters.
  return !(c == 0x00AB || c == 0x00BB || (c >= 0x00A1 && c <= 0x00BF) ||
           (c >= 0x2010 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || c >= 0x1F000);
}

std::optional<TextSpan> UtteranceText::wordAt(int espeakPosition) const {
  const std::size_t n = cps_.size();
  if (espeakPosition < 1 || static_cast<std::size_t>(espeakPosition) > n) return std::nullopt;
  std::size_t i = static_cast<std::size_t>(espeakPosition) - 1;
  while (i < n && isSpaceCodePoint(cps_[i])) ++i;
  if (i == n) return std::nullopt;

  if (!isWordChar(cps_[i])) {
    std::size_t j = i;
    while (j < n && !isSpaceCodePoint(cps_[j]) && !isWordChar(cps_[j])) ++j;
    if (j == n || isSpaceCodePoint(cps_[j]))  // a token of symbols only
      return TextSpan{byteOffset(i), byteOffset(j) - byteOffset(i)};
    i = j;  // "«Bonjour" -> "Bonjour"
  }

  std::size_t e = i + 1;
  while (e < n) {
    if (isWordChar(cps_[e])) {
      ++e;
      continue;
    }
    if (e + 1 < n && isWordChar(cps_[e - 1]) && isWordChar(cps_[e + 1])) {
      const bool numeric = (cps_[e] == U'.' || cps_[e] == U',') && isAsciiDigit(cps_[e - 1]) &&
                           isAsciiDigit(cps_[e + 1]);
      if (isJoiner(cps_[e]) || numeric) {
        e += 2;
        continue;
      }
    }
    break;
  }
  return TextSpan{byteOffset(i), byteOffset(e) - byteOffset(i)};
}

}  // namespace liseur::speech
