// UtteranceText: sanitising keeps byte offsets, and espeak-ng positions map to written words.
#include "speech/utterance_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace liseur::speech {
namespace {

// The words found at every code point position that starts a word, as strings.
std::string wordAtPos(const std::string& text, int pos) {
  UtteranceText t(text);
  auto span = t.wordAt(pos);
  if (!span) return "<none>";
  return text.substr(span->offset, span->length);
}

TEST(UtteranceText, KeepsValidUtf8AsIs) {
  const std::string s =
      "Bonjour, je m'appelle Élodie. 😀 e\xcc\x81"
      "cole";
  UtteranceText t(s);
  EXPECT_EQ(t.text(), s) << "input: " << s;
  EXPECT_EQ(t.replacedBytes(), 0u) << "input: " << s;
}

TEST(UtteranceText, ReplacesInvalidBytesOnePerByte) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"a\xff"
       "b",
       "a b"},          // never valid
      {"a\xc3", "a "},  // truncated 2-byte sequence
      {"\xc0\xaf"
       "x",
       "  x"},                         // overlong '/'
      {"\xed\xa0\x80!", "   !"},       // UTF-16 surrogate
      {"\xf4\x90\x80\x80.", "    ."},  // above U+10FFFF
      {"\xe2\x82"
       "é",
       "  é"},                             // cut 3-byte sequence, then a good one
      {std::string("a\0b", 3), "a b"},     // NUL would end espeak-ng's C string
      {"a\x1b[1mb", "a    b"},             // escape sequence, whole
      {"x\xc2\x85y", "x  y"},              // C1 control (NEL), 2 bytes
      {"tab\tnl\ncr\r", "tab\tnl\ncr\r"},  // kept
  };
  for (const auto& c : cases) {
    UtteranceText t(c.in);
    EXPECT_EQ(t.text(), c.out) << "input bytes: " << testing::PrintToString(c.in);
    EXPECT_EQ(t.text().size(), c.in.size()) << "input bytes: " << testing::PrintToString(c.in);
  }
}

TEST(UtteranceText, TerminalEscapeSequencesAreSilencedWhole) {
  // `liseur say "$(ls --color)"`, a terminal's title, a cursor move: none of it is said ("[0m"
  // was read "zéro mètre"); the words around keep their byte offsets.
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"\x1b[01;34mcours\x1b[0m notes", "        cours     notes"},
      {"\x1b[38;5;208morange\x1b[m!", "           orange   !"},
      {"\x1b]0;eleve@classe: ~\x07$ ls", std::string(20, ' ') + "$ ls"},
      {"\x1b]8;;http://a\x1b\\lien\x1b]8;;\x1b\\",
       std::string(15, ' ') + "lien" + std::string(7, ' ')},
      {"a\x1b(Bb", "a   b"},  // character set designation
      {"a\x1b=b", "a  b"},    // keypad mode
      {"\xc2\x9b"
       "2Jx",
       "    x"},                                                     // C1 CSI
      {"end\x1b", "end "},                                           // a lone ESC at the end
      {"\x1b]unterminated\nnext", std::string(14, ' ') + "\nnext"},  // a string ends with its line
  };
  for (const auto& c : cases) {
    UtteranceText t(c.in);
    EXPECT_EQ(t.text(), c.out) << "input bytes: " << testing::PrintToString(c.in);
    EXPECT_EQ(t.text().size(), c.in.size()) << "input bytes: " << testing::PrintToString(c.in);
  }
}

TEST(UtteranceText, AChainOfElisionsIsCutIntoTokensButWordsAreKept) {
  // Real elisions stay as written.
  const std::string words = "Aujourd'hui, qu'est-ce qu'il dit ? rock'n'roll l\u2019\u00e9cole";
  EXPECT_EQ(UtteranceText(words).text(), words);
  EXPECT_EQ(UtteranceText(words).replacedBytes(), 0u);
  // 220 "s'" (espeak-ng 1.51 aborts from 68 in one token): every 17th apostrophe is a space, so no
  // token keeps more than 16; the length, and so every offset, is kept.
  std::string chain;
  for (int i = 0; i < 220; ++i) chain += "s'";
  const UtteranceText t(chain + " fin");
  ASSERT_EQ(t.text().size(), chain.size() + 4);
  EXPECT_EQ(t.replacedBytes(), 12u);
  int most = 0, run = 0;
  for (char c : t.text()) {
    run = c == ' ' ? 0 : run + (c == '\'');
    most = std::max(most, run);
  }
  EXPECT_EQ(most, 16);
  EXPECT_EQ(t.text().substr(t.text().size() - 4), " fin");
  // Curly apostrophes (3 bytes each) are cut the same way, one space per byte.
  std::string curly;
  for (int i = 0; i < 40; ++i) curly += "s\u2019";
  const UtteranceText c(curly);
  EXPECT_EQ(c.text().size(), curly.size());
  EXPECT_EQ(c.replacedBytes(), 6u);
}

TEST(UtteranceText, CountsCodePoints) {
  EXPECT_EQ(UtteranceText("Élodie").codePoints(), 6u);
  EXPECT_EQ(UtteranceText("a😀b").codePoints(), 3u);
  EXPECT_EQ(UtteranceText("e\xcc\x81").codePoints(), 2u);
  EXPECT_EQ(UtteranceText("a\xff").codePoints(), 2u);
}

TEST(UtteranceText, MapsEspeakPositionsToWrittenWords) {
  // Positions are 1-based code point indexes, as espeak-ng 1.51 reports them.
  struct Case {
    std::string text;
    int pos;
    std::string word;
  };
  const std::vector<Case> cases = {
      {"Bonjour, je m'appelle Élodie.", 1, "Bonjour"},
      {"Bonjour, je m'appelle Élodie.", 10, "je"},
      {"Bonjour, je m'appelle Élodie.", 13, "m'appelle"},
      {"Bonjour, je m'appelle Élodie.", 23, "Élodie"},
      {"Élodie était là", 8, "était"},  // position after a 2-byte letter
      {"Élodie était là", 14, "là"},
      {"«Bonjour» dit-il", 1, "Bonjour"},  // leading punctuation skipped
      {"«Bonjour» dit-il", 2, "Bonjour"},
      {"«Bonjour» dit-il", 11, "dit-il"},
      {"à l’école ?", 3, "l’école"},   // typographic apostrophe
      {"Ça\u202fva\u00a0?", 1, "Ça"},  // narrow no-break space ends the word
      {"Ça\u202fva\u00a0?", 4, "va"},
      {"3,5 km et 1.5", 1, "3,5"},
      {"3,5 km et 1.5", 5, "km"},
      {"pommes, poires", 1, "pommes"},
      {"un,deux", 1, "un"},  // comma between letters splits
      {"e\xcc\x81"
       "cole de\xcc\x81"
       "cide",
       1,
       "e\xcc\x81"
       "cole"},  // decomposed accents
      {"e\xcc\x81"
       "cole de\xcc\x81"
       "cide",
       8,
       "de\xcc\x81"
       "cide"},
      {"vu 😀 fin", 4, "😀"},  // no letters: the symbol itself
      {"vu 😀 fin", 6, "fin"},
      {"a  (voir)", 2, "voir"},  // spaces then a parenthesis skipped
      {"123", 2, "23"},          // inside a word: from there
  };
  for (const auto& c : cases)
    EXPECT_EQ(wordAtPos(c.text, c.pos), c.word) << "text: \"" << c.text << "\" position " << c.pos;
}

TEST(UtteranceText, PositionsOutsideTheTextHaveNoWord) {
  UtteranceText t("ab  ");
  EXPECT_FALSE(t.wordAt(0).has_value());
  EXPECT_FALSE(t.wordAt(-3).has_value());
  EXPECT_FALSE(t.wordAt(5).has_value());
  EXPECT_FALSE(t.wordAt(3).has_value()) << "only spaces after position 3 of \"ab  \"";
  ASSERT_TRUE(t.wordAt(1).has_value());
  EXPECT_EQ(*t.wordAt(1), (TextSpan{0, 2}));
}

TEST(UtteranceText, OffsetsIntoReplacedTextMatchTheOriginalBytes) {
  const std::string raw = "\xff\xfe Élodie";
  UtteranceText t(raw);
  auto span = t.wordAt(4);  // two replaced bytes became two spaces (two code points), then ' '
  ASSERT_TRUE(span.has_value()) << "input bytes: " << testing::PrintToString(raw);
  EXPECT_EQ(raw.substr(span->offset, span->length), "Élodie")
      << "input bytes: " << testing::PrintToString(raw);
}

}  // namespace
}  // namespace liseur::speech
