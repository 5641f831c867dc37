// Which recognised lines are new: a watched region speaks only the lines that were not there at
// the previous recognition. OCR of the same pixels can differ by a letter or a punctuation mark
// from one capture to the next (anti-aliasing moves by a pixel, a cursor blinks), so lines are
// compared after normalisation and with a small edit-distance tolerance.
// Plain functions; no thread affinity.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace liseur {

// The form in which lines are compared: ASCII letters lower-cased, every run of spaces and ASCII
// punctuation made one space, trimmed. Non-ASCII bytes (accents, œ) are kept as they are.
std::string normaliseLine(std::string_view line);

// Levenshtein distance between byte strings, or `limit + 1` as soon as it is certain to exceed
// `limit` (so comparing long lines that obviously differ stays cheap).
std::size_t boundedEditDistance(std::string_view a, std::string_view b, std::size_t limit);

// True when two normalised lines are the same line seen twice: equal, or (from four bytes on)
// at most max(1, 15 % of the longer one) single-byte edits apart.
bool sameLine(std::string_view a, std::string_view b);

// The lines of `current` (raw OCR text, in reading order) that match no line of `previous`
// (normalised, as returned in `normalisedCurrent`). Lines with fewer than two letters or digits
// are noise and never new. A line that begins with a previous line (a paragraph that grew: a
// terminal's new line joined to the last one as running text) gives only what follows it.
// `normalisedCurrent`, when given, receives the normalised form of every line of `current` that is
// not noise, to pass as `previous` next time.
std::vector<std::string> newLines(const std::vector<std::string>& previous,
                                  const std::vector<std::string>& current,
                                  std::vector<std::string>* normalisedCurrent = nullptr);

}  // namespace liseur
