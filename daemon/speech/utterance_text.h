// UtteranceText: the text of one utterance made safe for espeak-ng, and the map from espeak-ng's
// word positions back to byte spans of the text as the daemon sent it.
//
// Sanitising keeps the byte length: every byte of an invalid UTF-8 sequence (overlong forms,
// surrogates, code points above U+10FFFF, truncated sequences) and every control character other
// than tab, newline and carriage return becomes one space per byte, and so does every byte of a
// terminal escape sequence (colours, cursor moves, window titles: "\x1b[1;31m", "\x1b]0;t\x07"). So
// a byte offset into text() is the same byte offset into the original. A token (a run without
// whitespace) holding more than 16 apostrophes has every 17th made a space the same way: chains
// of elisions ("s's's'...") make espeak-ng 1.51 abort from 68 of them; no word has 16.
//
// espeak-ng 1.51 reports a word's text_position as a 1-based index in code points of the UTF-8
// text it was given (checked with accented, decomposed and astral-plane text), and a word length
// that is unreliable (1 for "m'appelle", 3 for "dit-il"): wordAt() finds the written word itself.
//
// A plain value; immutable after construction, so safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liseur::speech {

struct TextSpan {
  std::size_t offset = 0;  // bytes
  std::size_t length = 0;  // bytes

  std::size_t end() const { return offset + length; }
  bool operator==(const TextSpan&) const = default;
};

class UtteranceText {
 public:
  explicit UtteranceText(std::string_view raw);

  // The sanitised text: valid UTF-8, no NUL, as many bytes as `raw`.
  const std::string& text() const { return text_; }
  // How many bytes were replaced by spaces.
  std::size_t replacedBytes() const { return replaced_; }
  // Number of code points in text().
  std::size_t codePoints() const { return cps_.size(); }

  // The written word for an espeak-ng text_position (1-based, in code points): whitespace after
  // the position is skipped, then leading punctuation inside the same whitespace-separated
  // token; the word runs over letters, digits and combining marks, across an apostrophe or
  // hyphen between two of them, and across "." or "," between two digits. When the token holds
  // no letter or digit (an emoji, "%"), the span is its run of symbols. nullopt when the
  // position is outside the text or only whitespace follows.
  std::optional<TextSpan> wordAt(int espeakPosition) const;

 private:
  bool isWordChar(char32_t c) const;
  std::size_t byteOffset(std::size_t cpIndex) const { return offsets_[cpIndex]; }

  std::string text_;
  std::size_t replaced_ = 0;
  std::vector<char32_t> cps_;
  std::vector<uint32_t> offsets_;  // byte offset of each code point, plus text_.size()
};

// True for white space, including the no-break spaces French typography puts before ";:!?".
bool isSpaceCodePoint(char32_t c);

}  // namespace liseur::speech
