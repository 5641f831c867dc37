// Cutting text into sentence-sized chunks for espeak-ng, each at most a given size, so the first
// words are heard quickly, a stop is never far away, and no chunk exceeds the speech worker's
// limit (speech_protocol.h, kMaxUtteranceBytes).
//
// splitForSpeech cuts:
//  1. after every sentence end: '.', '!', '?', '…' (or a run of them), possibly followed by
//     closing quotes or brackets, then white space or the end; and at a blank line. A '.' is not
//     a sentence end after a known abbreviation ("M.", "Mme.", "Dr.", "p.", "ex.", "cf.",
//     "etc.", "env.", "e.g.", "i.e.", "Mr.", "No."... the list in speech_chunks.cpp, any case),
//     after a single capital ("J. K. Rowling"), after a number that begins the sentence ("1. Lire
//     le texte"), or when the next word begins with a lowercase letter ("Il dit. puis").
//     No sentence end is possible inside "3.5" or "3,5" (no space follows).
//  2. then, in a sentence longer than maxBytes, at the last clause mark (',' ';' ':' '—' '–'
//     followed by a space) that leaves the chunk within maxBytes;
//  3. else at the last space within maxBytes, preferring one that does not follow an
//     abbreviation or a number ("M. Dupont", "3 ans" stay together) nor precede a mark that
//     French spacing detaches ("exercices ;", "Viens !", "oui »");
//  4. never inside a word, except a single word longer than maxBytes, which is cut at the last
//     whole UTF-8 character that fits.
// Chunks are returned in order as byte ranges of `text`, without leading or trailing white space,
// never empty, each at most maxBytes bytes (maxBytes < 4 is taken as 4); white space between
// them is left out.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "document/document.h"

namespace liseur::speech {

struct TextRange {
  std::size_t offset = 0;  // bytes
  std::size_t length = 0;  // bytes
  std::size_t end() const { return offset + length; }
  bool operator==(const TextRange&) const = default;
};

std::vector<TextRange> splitForSpeech(std::string_view text, std::size_t maxBytes);

// An utterance cut with splitForSpeech: each chunk keeps lang and block, and the words whose
// offset falls in it, rebased to the chunk's text (a word of length 0 between two chunks goes to
// the next one). Word order and block/line/word indices are kept.
std::vector<Utterance> splitUtterance(const Utterance& utterance, std::size_t maxBytes);

}  // namespace liseur::speech
