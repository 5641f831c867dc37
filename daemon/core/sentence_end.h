// Where a sentence ends: the one rule for everything that cuts text into sentences (the OCR
// worker's parts under the pointer, the document's utterances, answer places, speech chunks, the
// reading-order plugin). Header-only, so a plugin can use it without linking the core. Pure
// functions, any thread.
#pragma once

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace liseur {

// . ! ? and the ellipsis character.
inline bool isSentenceEndMark(char32_t c) {
  return c == U'.' || c == U'!' || c == U'?' || c == 0x2026;
}

// What may close a sentence after its mark: quotes (straight, curly, guillemets) and brackets.
inline bool isSentenceCloser(char32_t c) {
  return c == U'"' || c == U'\'' || c == U')' || c == U']' || c == 0x00BB || c == 0x201D ||
         c == 0x2019 || c == 0x203A;
}

// Words that end with a dot without ending a sentence, lower case, without the dot.
inline constexpr std::string_view kAbbreviations[] = {
    // French
    "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "st", "ste", "p", "pp", "ex", "cf",
    "etc", "env", "vol", "chap", "fig", "n", "no", "art", "av", "bd", "éd", "tél", "réf", "c.-à-d",
    "c-à-d", "cad", "càd", "apr", "j.-c", "hab", "qqch", "qqn", "sq", "suiv", "ann", "coll", "dir",
    "t", "ibid", "op",
    // English
    "mr", "mrs", "ms", "prof", "vs", "e.g", "i.e", "approx", "ch", "jr", "sr", "dept", "mt", "nos",
    "cit", "al"};

// True when the word just before a '.' (without it: "M", "etc", "e.g") is a known abbreviation.
inline bool isKnownAbbreviation(std::string_view wordBeforeDot) {
  std::string w(wordBeforeDot);
  for (char& c : w)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  // The capitals of the accented letters in the list.
  for (std::size_t k = 0; (k = w.find("\xC3\x89", k)) != std::string::npos;) w[k + 1] = '\xA9';
  return std::find(std::begin(kAbbreviations), std::end(kAbbreviations), w) !=
         std::end(kAbbreviations);
}

// The last character of `word` before its closing quotes and brackets (0 when there is none):
// '.' for "fin.»", '?' for "(vraiment?)".
inline char32_t finalMark(std::string_view word) {
  std::u32string cps = codePointsOf(word);
  while (!cps.empty() && isSentenceCloser(cps.back())) cps.pop_back();
  return cps.empty() ? 0 : cps.back();
}

// Does this word, seen alone, end a sentence: . ! ? or … before its closers, but not the dot of
// an abbreviation ("M.", "etc."), of an initial ("J.") or of a list number ("1.", "12.").
inline bool wordEndsSentence(std::string_view word) {
  std::u32string cps = codePointsOf(word);
  while (!cps.empty() && isSentenceCloser(cps.back())) cps.pop_back();
  if (cps.empty() || !isSentenceEndMark(cps.back())) return false;
  if (cps.back() != U'.' || (cps.size() >= 2 && cps[cps.size() - 2] == U'.')) return true;
  cps.pop_back();
  std::size_t start = 0;  // after the opening quotes and brackets
  while (start < cps.size() && (cps[start] == U'"' || cps[start] == U'\'' || cps[start] == U'(' ||
                                cps[start] == U'[' || cps[start] == 0x00AB || cps[start] == 0x201C))
    ++start;
  const std::u32string token = cps.substr(start);
  if (token.empty()) return true;
  if (token.size() == 1 && ((token[0] >= U'A' && token[0] <= U'Z') || token[0] == 0xC9))
    return false;  // an initial
  if (token.size() <= 2 &&
      std::all_of(token.begin(), token.end(), [](char32_t c) { return c >= U'0' && c <= U'9'; }))
    return false;  // a list number
  return !isKnownAbbreviation(encodeUtf8(token));
}

}  // namespace liseur
