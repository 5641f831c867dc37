#include "speech/text/speech_chunks.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "core/sentence_end.h"
#include "speech/text/text_edit.h"

namespace liseur::speech {
namespace {

using text::decodeAt;
using text::decodeBefore;
using text::isDigit;
using text::isLower;
using text::isSpace;
using text::isUpper;
using text::kInvalidCodePoint;

char32_t cpAt(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  return i < s.size() ? decodeAt(s, i, n) : kInvalidCodePoint;
}

std::size_t cpLen(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  decodeAt(s, i, n);
  return n;
}

bool isOpener(char32_t c) {
  return c == U'"' || c == U'\'' || c == U'(' || c == U'[' || c == 0x00AB || c == 0x201C ||
         c == 0x2018 || c == 0x2039;
}

std::size_t skipSpace(std::string_view s, std::size_t i, std::size_t end) {
  while (i < end && isSpace(cpAt(s, i))) i += cpLen(s, i);
  return i;
}

std::size_t trimEnd(std::string_view s, std::size_t begin, std::size_t end) {
  while (end > begin) {
    std::size_t n = 0;
    const char32_t c = decodeBefore(s, end, n);
    if (n == 0 || !isSpace(c)) break;
    end -= n;
  }
  return end;
}

// The whitespace-separated token ending at `end`, without opening quotes or brackets.
std::size_t tokenStart(std::string_view s, std::size_t end, std::size_t floor) {
  std::size_t t = end;
  while (t > floor) {
    std::size_t n = 0;
    const char32_t c = decodeBefore(s, t, n);
    if (n == 0 || isSpace(c)) break;
    t -= n;
  }
  while (t < end && isOpener(cpAt(s, t))) t += cpLen(s, t);
  return t;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An initial: "J." in "J. K. Rowling". A lowercase letter is more often a unit ("3 m.").
bool singleCapital(std::string_view s) {
  if (s.empty()) return false;
  std::size_t n = 0;
  return isUpper(decodeAt(s, 0, n)) && n == s.size();
}

// Is the end mark at [mark, markEnd) (followed by closers up to `after`) a sentence end?
bool endsSentence(std::string_view s, std::size_t sentenceStart, std::size_t mark,
                  std::size_t markEnd, std::size_t after) {
  const char32_t next = cpAt(s, skipSpace(s, after, s.size()));
  if (isLower(next)) return false;
  if (markEnd - mark != 1 || s[mark] != '.') return true;
  const std::size_t t = tokenStart(s, mark, sentenceStart);
  const std::string_view token = s.substr(t, mark - t);
  if (token.empty()) return true;
  if (isKnownAbbreviation(token) || singleCapital(token)) return false;
  if (allDigits(token) && t == sentenceStart) return false;  // "1. Lire le texte"
  return true;
}

std::vector<TextRange> sentences(std::string_view s) {
  std::vector<TextRange> out;
  std::size_t start = skipSpace(s, 0, s.size());
  const auto emit = [&](std::size_t end, std::size_t next) {
    end = trimEnd(s, start, end);
    if (end > start) out.push_back(TextRange{start, end - start});
    start = skipSpace(s, next, s.size());
  };
  std::size_t i = start;
  while (i < s.size()) {
    const char32_t c = cpAt(s, i);
    if (isSentenceEndMark(c)) {
      std::size_t j = i;
      while (j < s.size() && isSentenceEndMark(cpAt(s, j))) j += cpLen(s, j);
      const std::size_t markEnd = j;
      while (j < s.size() && isSentenceCloser(cpAt(s, j))) j += cpLen(s, j);
      // French spacing: "Viens ! »"
      if (std::size_t k = skipSpace(s, j, s.size()); k > j && k < s.size() && cpAt(s, k) == 0x00BB)
        j = k + cpLen(s, k);
      if ((j == s.size() || isSpace(cpAt(s, j))) && endsSentence(s, start, i, markEnd, j)) {
        emit(j, j);
        i = start > j ? start : j;
        continue;
      }
      i = j;
      continue;
    }
    if (c == U'\n') {
      std::size_t k = i + 1;
      while (k < s.size() && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) ++k;
      if (k < s.size() && s[k] == '\n') {  // a blank line
        emit(i, k);
        i = start > k ? start : k;
        continue;
      }
    }
    i += cpLen(s, i);
  }
  emit(s.size(), s.size());
  return out;
}

bool isClauseMark(char32_t c) {
  return c == U',' || c == U';' || c == U':' || c == 0x2014 || c == 0x2013;
}

// A space after an abbreviation or after a number: cutting there separates "M." from "Dupont"
// or "3" from "ans".
bool protectedSpace(std::string_view s, std::size_t space, std::size_t floor) {
  // French spacing puts a space before ";:!?" and "»": the mark belongs to what comes before.
  const char32_t next = cpAt(s, skipSpace(s, space, s.size()));
  if (next == U';' || next == U':' || next == U'!' || next == U'?' || next == 0x00BB ||
      next == U')' || next == 0x2026)
    return true;
  const std::size_t t = tokenStart(s, space, floor);
  std::string_view token = s.substr(t, space - t);
  if (token.empty()) return false;
  if (token.back() == '.') {
    token.remove_suffix(1);
    return isKnownAbbreviation(token) || singleCapital(token);
  }
  return isDigit(static_cast<unsigned char>(token.back()));
}

void splitLong(std::string_view s, TextRange sentence, std::size_t maxBytes,
               std::vector<TextRange>& out) {
  std::size_t b = sentence.offset;
  const std::size_t e = sentence.end();
  while (e - b > maxBytes) {
    const std::size_t limit = b + maxBytes;  // the chunk is [b, cut) with cut <= limit
    std::size_t cut = 0;
    // 2. the last clause mark followed by a space.
    for (std::size_t k = b; k < limit;) {
      const std::size_t n = cpLen(s, k);
      if (isClauseMark(cpAt(s, k)) && k + n <= limit && k + n < e && isSpace(cpAt(s, k + n)))
        cut = k + n;
      k += n;
    }
    // 3. the last space, preferably not a protected one.
    if (cut == 0) {
      std::size_t anySpace = 0;
      for (std::size_t k = b + 1; k <= limit && k < e;) {
        if (isSpace(cpAt(s, k))) {
          anySpace = k;
          if (!protectedSpace(s, k, b)) cut = k;
        }
        k += cpLen(s, k);
      }
      if (cut == 0) cut = anySpace;
    }
    // 4. a word longer than maxBytes: the last whole character.
    if (cut == 0) {
      cut = limit;
      while (cut > b && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      if (cut == b) cut = limit;  // not UTF-8: cut anyway
    }
    const std::size_t end = trimEnd(s, b, cut);
    if (end > b) out.push_back(TextRange{b, end - b});
    b = skipSpace(s, cut, e);
  }
  if (e > b) out.push_back(TextRange{b, e - b});
}

}  // namespace

std::vector<TextRange> splitForSpeech(std::string_view text, std::size_t maxBytes) {
  maxBytes = std::max<std::size_t>(maxBytes, 4);
  std::vector<TextRange> out;
  for (const TextRange& sentence : sentences(text)) {
    if (sentence.length <= maxBytes) {
      out.push_back(sentence);
    } else {
      splitLong(text, sentence, maxBytes, out);
    }
  }
  return out;
}

std::vector<Utterance> splitUtterance(const Utterance& utterance, std::size_t maxBytes) {
  const std::vector<TextRange> ranges = splitForSpeech(utterance.text, maxBytes);
  std::vector<Utterance> out;
  out.reserve(ranges.size());
  for (const TextRange& r : ranges) {
    Utterance u;
    u.text = utterance.text.substr(r.offset, r.length);
    u.lang = utterance.lang;
    u.block = utterance.block;
    out.push_back(std::move(u));
  }
  if (out.empty()) return out;
  for (const WordRef& w : utterance.words) {
    const std::size_t o = static_cast<std::size_t>(std::max(w.offset, 0));
    // The first chunk that ends after the word's start (the last chunk for anything beyond).
    auto it = std::partition_point(ranges.begin(), ranges.end() - 1,
                                   [&](const TextRange& r) { return r.end() <= o; });
    const std::size_t k = static_cast<std::size_t>(it - ranges.begin());
    const TextRange& r = ranges[k];
    WordRef rebased = w;
    const std::size_t off = std::clamp(o, r.offset, r.end()) - r.offset;
    rebased.offset = static_cast<int>(off);
    rebased.length = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(std::max(w.length, 0)), r.length - off));
    out[k].words.push_back(rebased);
  }
  return out;
}

}  // namespace liseur::speech
