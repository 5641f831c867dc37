// Pronunciation lexicons: what to say for an abbreviation, a unit or a symbol that espeak-ng
// would read badly ("M." -> "Monsieur", "CM2" -> "C M 2", "km/h" -> "kilomètres par heure").
//
// File format (UTF-8, one entry per line; voices/lexicon-fr.txt is the commented example):
//
//   # a comment line (the first non-blank character is '#'); blank lines are ignored
//   FROM = TO
//   FROM = TO   [flag, flag]
//
// - FROM is everything before the first " = " (white space, '=', white space), TO everything
//   after it, both trimmed; neither may be empty, FROM is at most 64 bytes and TO 256 bytes.
//   So "= = égal" maps the symbol '='.
// - Flags, in square brackets at the end of the line:
//     nocase  ASCII letters of FROM match either case ("etc." also matches "Etc.");
//             without it the match is exact ("M." is not "m.").
//     after-number   the entry applies only right after a number, with or without a space
//                    ("5 km", "5km", "10h30"), and a digit may follow it ("10h30").
//     before-number  the entry applies only right before a number, with or without a space
//                    ("No. 5", "p.12", "ex 3"), so "No." and "ex" stay as they are elsewhere.
// - Whole words: when FROM begins with a letter or digit, the text before the match must not be
//   a letter or digit (except a number for after-number entries); when FROM ends with a letter, a
//   digit or '.', the text after it must not be a letter or digit. Symbols match anywhere
//   ("50%", "20°C", "n°5"). A space is added when TO would touch a letter or digit ("n°5" ->
//   "numéro 5", "5€" -> "5 euros").
// - When FROM ends with '.' and the match ends the text, the '.' is kept after TO so the
//   sentence still ends ("..., etc." -> "..., et cetera.").
// - The longest FROM matching at a place wins. FROM appears once per file with the same flags;
//   a duplicate is an error naming both lines.
//
// Shipped lexicons live in dataDir()/voices/lexicon-<lang>.txt; the user's own
// userConfigDir()/lexicon-<lang>.txt ($XDG_CONFIG_HOME/liseur/) overrides them entry by entry
// (same FROM) and adds new ones.
//
// A lexicon holds at most 65535 entries.
// Errors are Result values with code config-invalid (file-not-found, file-unreadable for I/O)
// and messages "FILE:LINE: what was wrong; found '...'".
// A Lexicon is an immutable value after loading: safe to share between threads for reading.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liseur::speech {

struct LexiconEntry {
  std::string from;
  std::string to;
  bool ignore_case = false;    // flag nocase
  bool after_number = false;   // flag after-number
  bool before_number = false;  // flag before-number
  std::string file;            // where it was defined, for messages
  int line = 0;
};

struct LexiconMatch {
  const LexiconEntry* entry = nullptr;
  std::size_t length = 0;  // bytes of the text matched
};

class Lexicon {
 public:
  Lexicon() = default;

  // Parses lexicon text; `file` names it in errors.
  static Result<Lexicon> parse(std::string_view text, const std::string& file);
  // Reads and parses a file (at most 1 MiB). Errors: file-not-found, file-unreadable,
  // file-too-large, config-invalid.
  static Result<Lexicon> load(const std::string& path);

  // Entries of `user` replace entries of this lexicon with the same FROM and flags, and new
  // ones are added; for the same FROM with other flags, the user's is tried first.
  void overrideWith(const Lexicon& user);

  // The longest entry that matches `text` at byte `pos` with the whole-word and number rules
  // above; entry == nullptr when none does.
  LexiconMatch matchAt(std::string_view text, std::size_t pos) const;

  const std::vector<LexiconEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  void sortEntries();

  std::vector<LexiconEntry> entries_;  // longest FROM first
  // Indices into entries_ by the first byte of FROM (both cases for nocase entries), longest
  // first: matchAt only tries the entries that can match.
  std::array<std::vector<std::uint16_t>, 256> by_first_byte_;
};

// The lexicon for `lang` ("fr", "en"): the shipped file dataDir()/voices/lexicon-LANG.txt if it
// exists, overridden by userConfigDir()/lexicon-LANG.txt if that exists. Neither existing gives
// an empty lexicon. A broken file is an error (the caller keeps its previous lexicon); a `lang`
// that is not letters, digits, '-' or '_' (at most 16) is invalid-argument.
Result<Lexicon> loadLexiconForLanguage(const std::string& lang);
// Same, with explicit directories (tests, other layouts).
Result<Lexicon> loadLexiconForLanguage(const std::string& lang, const std::string& shippedDir,
                                       const std::string& userDir);

}  // namespace liseur::speech
