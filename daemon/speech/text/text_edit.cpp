#include "speech/text/text_edit.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

#include "core/utf8.h"

namespace liseur::speech::text {
namespace {

// A process-wide C.UTF-8 locale object (always present on Debian), so the daemon's global
// locale is never touched; the same classification as speech/utterance_text.cpp.
}  // namespace

char32_t decodeAt(std::string_view s, std::size_t i, std::size_t& len) {
  char32_t cp = 0;
  const std::size_t n = decodeUtf8(s, i, cp);
  len = n ? n : 1;
  return n ? cp : kInvalidCodePoint;
}

char32_t decodeBefore(std::string_view s, std::size_t i, std::size_t& len) {
  len = 0;
  if (i == 0 || i > s.size()) return kInvalidCodePoint;
  std::size_t start = i - 1;
  while (start > 0 && i - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
    --start;
  std::size_t n = 0;
  char32_t cp = decodeAt(s, start, n);
  if (cp == kInvalidCodePoint || start + n != i) return kInvalidCodePoint;
  len = n;
  return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool isDigit(char32_t c) {
  return c >= U'0' && c <= U'9';
}

bool isSpace(char32_t c) {
  if (c == U' ' || (c >= U'\t' && c <= U'\r')) return true;
  if (c == 0x00A0 || c == 0x2007 || c == 0x202F || c == 0xFEFF) return true;
  if (c < 0x80 || c == kInvalidCodePoint) return false;
  if (locale_t loc = utf8CtypeLocale()) return iswspace_l(static_cast<wint_t>(c), loc);
  return c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029;
}

bool isLetter(char32_t c) {
  if (c < 0x80) return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
  if (c == kInvalidCodePoint || isSpace(c)) return false;
  if (isCombiningMark(c)) return true;
  if (locale_t loc = utf8CtypeLocale()) return iswalpha_l(static_cast<wint_t>(c), loc);
  return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

bool isWordChar(char32_t c) {
  return isDigit(c) || isLetter(c);
}

bool isUpper(char32_t c) {
  if (c < 0x80) return c >= U'A' && c <= U'Z';
  if (c == kInvalidCodePoint) return false;
  if (locale_t loc = utf8CtypeLocale()) return iswupper_l(static_cast<wint_t>(c), loc);
  return c >= 0xC0 && c <= 0xDE && c != 0xD7;
}

bool isLower(char32_t c) {
  if (c < 0x80) return c >= U'a' && c <= U'z';
  if (c == kInvalidCodePoint) return false;
  if (locale_t loc = utf8CtypeLocale()) return iswlower_l(static_cast<wint_t>(c), loc);
  return c >= 0xDF && c <= 0xFF && c != 0xF7;
}

void TextEdit::copyTo(std::size_t end) {
  end = std::min(end, source_.size());
  if (end <= pos_) return;
  const std::size_t out_begin = out_.size();
  out_.append(source_.substr(pos_, end - pos_));
  if (!pieces_.empty() && pieces_.back().copied && pieces_.back().src_end == pos_) {
    pieces_.back().src_end = end;
    pieces_.back().out_end = out_.size();
  } else {
    pieces_.push_back(Piece{pos_, end, out_begin, out_.size(), true});
  }
  pos_ = end;
}

void TextEdit::replaceTo(std::size_t end, std::string_view text) {
  end = std::clamp(end, pos_, source_.size());
  const std::size_t out_begin = out_.size();
  out_.append(text);
  pieces_.push_back(Piece{pos_, end, out_begin, out_.size(), false});
  pos_ = end;
}

std::string TextEdit::finish() {
  copyTo(source_.size());
  return out_;
}

std::size_t TextEdit::mapStart(std::size_t src) const {
  // The first piece that consumes the source byte `src`; insertions before it are not part of
  // the word.
  auto it = std::lower_bound(pieces_.begin(), pieces_.end(), src,
                             [](const Piece& p, std::size_t s) { return p.src_end <= s; });
  while (it != pieces_.end() && it->src_begin == it->src_end) ++it;
  if (it == pieces_.end()) return out_.size();
  if (it->copied) return it->out_begin + (src - it->src_begin);
  return it->out_begin;
}

std::size_t TextEdit::mapEnd(std::size_t src) const {
  if (src == 0) return 0;
  // The piece that consumed the source byte src - 1.
  auto it = std::lower_bound(pieces_.begin(), pieces_.end(), src - 1,
                             [](const Piece& p, std::size_t s) { return p.src_end <= s; });
  while (it != pieces_.end() && it->src_begin == it->src_end) ++it;
  if (it == pieces_.end()) return out_.size();
  if (it->copied) return it->out_begin + (src - it->src_begin);
  return it->out_end;
}

WordRef TextEdit::mapSpan(const WordRef& ref) const {
  WordRef out = ref;
  const std::size_t begin = static_cast<std::size_t>(std::max(ref.offset, 0));
  const std::size_t end = begin + static_cast<std::size_t>(std::max(ref.length, 0));
  std::size_t b = mapStart(begin);
  std::size_t e = ref.length > 0 ? mapEnd(end) : b;
  if (e < b) e = b;
  while (b < e) {
    std::size_t n = 0;
    if (!isSpace(decodeAt(out_, b, n))) break;
    b += n;
  }
  while (e > b) {
    std::size_t n = 0;
    char32_t c = decodeBefore(out_, e, n);
    if (n == 0 || !isSpace(c)) break;
    e -= n;
  }
  out.offset = static_cast<int>(b);
  out.length = static_cast<int>(e - b);
  return out;
}

void remapRefs(const TextEdit& edit, std::vector<WordRef>& refs) {
  for (WordRef& r : refs) r = edit.mapSpan(r);
}

void unionJoinedRefs(const std::vector<WordRef>& before, std::vector<WordRef>& after) {
  const std::size_t n = std::min(before.size(), after.size());
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j + 1 < n && after[j].length > 0 && after[j + 1].length > 0 &&
           after[j].offset + after[j].length == after[j + 1].offset &&
           before[j].offset + before[j].length < before[j + 1].offset)
      ++j;
    if (j > i) {
      const int b = after[i].offset;
      const int e = after[j].offset + after[j].length;
      for (std::size_t k = i; k <= j; ++k) {
        after[k].offset = b;
        after[k].length = e - b;
      }
    }
    i = j + 1;
  }
}

}  // namespace liseur::speech::text
