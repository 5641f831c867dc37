// Text made speakable: the text of an utterance rewritten so espeak-ng says what a person reading
// the page would say, with its word refs carried over.
//
// makeSpeakable applies, in this order:
//  1. OCR and layout artefacts: invalid UTF-8, U+FFFD, terminal escape sequences (colours, window
//     titles, cursor moves: core/utf8.h), control characters and zero-width
//     characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) are removed; a soft hyphen is removed and,
//     followed by white space, joins the two halves of the word; ligatures are expanded
//     (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ; œ and æ are letters of French and stay); bullets (• ◦ ▪ ● ■ ➢ ...,
//     the private-use bullets of word processors), box-drawing and block characters and '|' / '¦'
//     (table and frame borders) become spaces; a '-', '*', '–' or '—' that starts the text or a
//     line and is followed by a space (a list item) is removed; dot leaders (four or more '.',
//     three or more spaced ". . .", '…' repeated, three or more '_' or '·') become a pause
//     (", "): "Chapitre 1 ........ 5" -> "Chapitre 1, 5".
//     Quotes are normalised (‘ ’ ‚ ‛ ′ -> ', “ ” „ ‟ ″ -> "; « » stay), dashes too (‐ ‑ -> -,
//     − (minus) -> -, ‒ -> –, ― -> —), "..." -> "…", and every Unicode space (NBSP, narrow NBSP,
//     thin spaces) -> ' '.
//  2. Line-end hyphenation: a word ending in '-' followed by the next word on another line of
//     the document (WordRef::line differs) or by white space holding a newline is joined to it:
//     "exem-" "ple" -> "exemple". When the second half starts with a capital ("Jean-" "Pierre")
//     or is a French particle that keeps its hyphen ("peut-" "être", "dit-" "il", "celui-" "ci"),
//     the hyphen stays ("Jean-Pierre").
//  3. The lexicon (lexicon.h), if any.
//  4. The punctuation level (voice_preset.h): kNone drops symbols espeak-ng would name
//     (* @ # & + = ~ ^ \ / < > _ § † ‡) unless they sit inside a word ("rock&roll",
//     "a@b.fr") or between numbers ("2 + 3"); kSome leaves espeak-ng's choice; kAll names every
//     punctuation mark in the utterance language ("Bonjour, Marie." -> "Bonjour virgule, Marie
//     point."), keeping the mark after its name for the pause, except a decimal separator
//     ("3,5"), an apostrophe or hyphen inside a word and a minus sign before a number.
//  5. White space: runs become one space, or one blank line ("\n\n") when they held a blank line
//     (a paragraph: splitForSpeech cuts there); none at the start or end, none before ',' or '.'.
//
// Word refs: the result has exactly as many words as the input, in the same order, with the
// same block/line/word indices; words[i] covers the spoken form of input word i in the new text
// (its expansion, its punctuation name). Both halves of a word joined across a line get the
// span of the whole joined word. A word whose text was removed entirely (a bullet, a border) has
// length 0 at the place where it was. An expansion may be several spoken words ("km/h" ->
// "kilomètres par heure"), so the speech worker sends several marks inside one word ref: map a
// mark to the ref whose [offset, offset + length) holds the mark's offset.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "document/document.h"
#include "speech/text/lexicon.h"
#include "speech/text/voice_preset.h"

namespace liseur::speech {

struct SpeakOptions {
  PunctuationLevel punctuation = PunctuationLevel::kSome;
  const Lexicon* lexicon = nullptr;  // not owned; nullptr for none
  // Language of punctuation names for kAll ("fr", "en"); empty: the utterance's lang, and
  // English when that is neither French nor English.
  std::string lang;
};

Utterance makeSpeakable(const Utterance& utterance, const SpeakOptions& options);

// Indices into `utterance.words` of the doubtful words: confidences[i] (0..100, the OCR
// confidence of words[i]) below `threshold`. Words of length 0 (not spoken) are never doubtful;
// a missing confidence (confidences shorter than words) counts as sure.
std::vector<int> doubtfulWords(const Utterance& utterance, std::span<const float> confidences,
                               float threshold);
// Same, reading each word's confidence from `document` through its block/line/word indices
// (synthetic refs, -1, are sure).
std::vector<int> doubtfulWords(const Utterance& utterance, const Document& document,
                               float threshold);

}  // namespace liseur::speech
