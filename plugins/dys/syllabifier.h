// French written syllables ("syllabes écrites" as taught in primary school) for the dys view.
//
// The convention is the one of ../shared/dys/README.md: one vowel nucleus per syllable, a final
// e/es/ent after a consonant is its own syllable (ar-bre, chan-tent), double consonants are split
// (pom-me), one consonant or an inseparable cluster (bl, tr, ...) goes with the next vowel
// (cho-co-lat, ta-bleau), hiatus is split (po-è-me), i + vowel is one syllable after a single
// consonant (sta-tion) and two after consonant + l/r (cri-er). The splitter works by rules over
// graphemes; it has no word list.
//
// Everything here is pure, allocation-only and thread-safe (no global state). Input is UTF-8;
// case, accents (precomposed or combining) and apostrophes are kept. Invalid UTF-8 never
// crashes: a byte that is not part of a valid sequence is treated as a non-letter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace liseur::dys {

// One written syllable: a byte range of the string that was passed in.
//
// `silentLength` counts the trailing bytes of the syllable that are not pronounced, for the
// "silent letters greyed" option: the silent range is always
// [offset + length - silentLength, offset + length). Silent letters are a best-effort guess from
// spelling (plural -s/-x, verb -nt, final -t/-d/-p/-c/-g, an e after a vowel as in `joue`,
// `tue-ront`); the e that forms a written syllable (`ta-ble`) is never silent.
struct Syllable {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::size_t silentLength = 0;

  friend bool operator==(const Syllable&, const Syllable&) = default;
};

// Splits one word into written syllables, in order, non-overlapping.
//
// - Hyphenated compounds are split into parts (`peut-être` -> peut | ê-tre); the hyphen itself
//   belongs to no syllable. Any other non-letter byte inside the word is treated like a hyphen.
// - An elided consonant before an apostrophe joins the next syllable with its apostrophe:
//   `l'arbre` -> l'ar-bre, `aujourd'hui` -> au-jour-d'hui, `jusqu'à` -> jus-qu'à.
// - A part without any vowel (`t` in `a-t-il`) is one syllable on its own.
// Offsets are relative to the start of `word`. An empty or letterless word gives no syllable.
std::vector<Syllable> syllabify(std::string_view word);

// The word with `separator` inserted between syllables of the same part, hyphens kept:
// "chocolat" -> "cho-co-lat", "peut-être" -> "peut-ê-tre". This is the form of the reference
// list and of `liseur syllables` (one `word<TAB>hyphenated(word)` per line).
std::string hyphenated(std::string_view word, std::string_view separator = "-");

// True when a word ending in -ent reads that ending as the mute 3rd-person-plural verb ending
// (`chantent`, `jouent`, `avaient`) rather than a pronounced nasal (`moment`, `souvent`, `lent`,
// `présent`). A spelling heuristic without a lexicon (see the .cpp for the evidence and the
// measured accuracy); false for words not ending in -ent and for one-syllable words (`vent`).
bool isMuteVerbEnding(std::string_view word);

// A run of running text: either a word (letters, possibly joined by apostrophes or hyphens) or
// the bytes between words (spaces, punctuation, digits, symbols), kept verbatim so the text can
// be rebuilt by concatenating every token.
struct TextToken {
  std::size_t offset = 0;  // into the text
  std::size_t length = 0;
  bool isWord = false;
  // Only for words; offsets are relative to the start of the TEXT, not of the word.
  std::vector<Syllable> syllables;
};

// Splits running text into words and non-words and syllabifies each word. Concatenating the
// tokens' byte ranges gives back `text` exactly. An apostrophe or hyphen joins two words only
// when letters are on both sides (`l'arbre`, `peut-être`); a leading or trailing one is
// punctuation (`'oui'`, `-- `).
std::vector<TextToken> syllabifyText(std::string_view text);

// `liseur syllables` line format for one input line: "word<TAB>syl-la-bles" with the line
// trimmed of surrounding white space (and a trailing CR). A line that is empty after trimming
// gives an empty string.
std::string syllablesLine(std::string_view line);

}  // namespace liseur::dys
