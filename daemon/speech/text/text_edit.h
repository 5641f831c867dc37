// Internal to liseur_speakable: UTF-8 helpers and TextEdit, a rewrite of a text that remembers
// where every output byte came from, so spans of the old text (word refs) can be carried over to
// the new one.
//
// A plain value, single-threaded use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "document/document.h"

namespace liseur::speech::text {

inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the strictly valid UTF-8 sequence at s[i] (i < s.size()). Sets `len` to its byte
// length; an invalid byte gives kInvalidCodePoint with len 1.
char32_t decodeAt(std::string_view s, std::size_t i, std::size_t& len);
void appendUtf8(std::string& out, char32_t cp);
// The code point that ends just before byte `i` (kInvalidCodePoint at the start of the text or
// when that byte is not the end of a valid sequence); `len` gets its byte length.
char32_t decodeBefore(std::string_view s, std::size_t i, std::size_t& len);

// Letters, digits and combining marks (glibc C.UTF-8 classification), like the speech worker.
bool isWordChar(char32_t c);
bool isLetter(char32_t c);
bool isUpper(char32_t c);
bool isLower(char32_t c);
bool isDigit(char32_t c);
// Spaces, tabs, newlines and the Unicode spaces, including the no-break ones.
bool isSpace(char32_t c);

// Builds a new text from `source` piece by piece, from left to right.
class TextEdit {
 public:
  explicit TextEdit(std::string_view source) : source_(source) {}

  std::size_t position() const { return pos_; }
  // Copies source bytes up to `end` unchanged.
  void copyTo(std::size_t end);
  // Replaces source bytes [position(), end) by `text` (end == position() inserts).
  void replaceTo(std::size_t end, std::string_view text);
  // Copies what is left and returns the new text.
  std::string finish();

  // Maps a span of the source to the span of the new text that came from it, trimmed of white
  // space. A span whose bytes were all removed maps to length 0 at the place it was.
  WordRef mapSpan(const WordRef& ref) const;

 private:
  struct Piece {
    std::size_t src_begin, src_end, out_begin, out_end;
    bool copied;
  };
  std::size_t mapStart(std::size_t src) const;
  std::size_t mapEnd(std::size_t src) const;

  std::string_view source_;
  std::string out_;
  std::size_t pos_ = 0;
  std::vector<Piece> pieces_;
};

// Carries every word ref of `refs` through `edit` (after finish()).
void remapRefs(const TextEdit& edit, std::vector<WordRef>& refs);

// Two neighbouring refs that had a gap between them and now touch were joined into one written
// word (line-end hyphenation, a removed artefact): both get the joined span.
void unionJoinedRefs(const std::vector<WordRef>& before, std::vector<WordRef>& after);

}  // namespace liseur::speech::text
