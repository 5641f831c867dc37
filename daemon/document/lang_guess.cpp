#include "document/lang_guess.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace liseur {
namespace {

// Frequent function words that are not words of the other language.
constexpr std::array<std::string_view, 40> kFrench{
    "le",    "la",   "les",  "des",  "du",    "un",   "une",  "est",  "et",   "dans",
    "pour",  "pas",  "que",  "qui",  "sur",   "avec", "il",   "elle", "nous", "vous",
    "ils",   "au",   "aux",  "ce",   "cette", "sont", "mais", "ou",   "très", "être",
    "avoir", "fait", "plus", "leur", "son",   "sa",   "ses",  "je",   "tu",   "de"};
constexpr std::array<std::string_view, 40> kEnglish{
    "the", "and",  "of",   "to",    "is",   "in",    "that", "it",    "for",  "was",
    "on",  "are",  "with", "as",    "this", "be",    "at",   "by",    "from", "or",
    "an",  "have", "not",  "which", "you",  "your",  "we",   "they",  "will", "can",
    "has", "his",  "her",  "their", "what", "there", "been", "would", "if",   "all"};

}  // namespace

std::string guessLanguage(std::string_view text, std::string_view fallback) {
  int fr = 0, en = 0;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (std::find(kFrench.begin(), kFrench.end(), word) != kFrench.end()) fr += 2;
    if (std::find(kEnglish.begin(), kEnglish.end(), word) != kEnglish.end()) en += 2;
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      // é è ê à â ç ô û î ï ë ù (U+00E0..U+00FF lower-case accented Latin) mark French text.
      unsigned char d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0xA0 && d <= 0xBF) ++fr;
      word += static_cast<char>(c);
      word += static_cast<char>(d);
      ++i;
    } else if (std::isalpha(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (c == '\'' && (word == "l" || word == "d" || word == "qu" || word == "j" ||
                             word == "n" || word == "c" || word == "s")) {
      fr += 2;  // l'école, d'un, qu'il: elision is French
      word.clear();
    } else {
      flush();
    }
  }
  flush();
  if (fr == en || fr + en < 2) return std::string(fallback);
  return fr > en ? "fr" : "en";
}

}  // namespace liseur
