// Which recognised lines a watched region speaks: normalisation, the bounded edit distance and
// the tolerance to OCR jitter (a letter or a punctuation mark that changes between two captures
// of the same text).
#include "control/line_changes.h"

#include <gtest/gtest.h>

namespace liseur {
namespace {

TEST(LineChanges, NormalisationIgnoresCasePunctuationAndSpacing) {
  EXPECT_EQ(normaliseLine("  Élève : ÇA va,  très bien !"), "Élève Ça va très bien");  // ASCII only
  EXPECT_EQ(normaliseLine("The quick-brown FOX."), "the quick brown fox");
  EXPECT_EQ(normaliseLine("...;"), "");
}

TEST(LineChanges, BoundedEditDistance) {
  EXPECT_EQ(boundedEditDistance("kitten", "sitting", 10), 3u);
  EXPECT_EQ(boundedEditDistance("", "abc", 10), 3u);
  EXPECT_EQ(boundedEditDistance("same", "same", 0), 0u);
  // Over the limit: limit + 1, whatever the true distance.
  EXPECT_EQ(boundedEditDistance("aaaaaaaaaa", "bbbbbbbbbb", 3), 4u);
  EXPECT_EQ(boundedEditDistance("a", "abcdefgh", 2), 3u);
}

TEST(LineChanges, OcrJitterIsTheSameLine) {
  struct Case {
    const char* a;
    const char* b;
    bool same;
  } cases[] = {
      {"le chat dort sur le canapé", "le chat dort sur le canape", true},  // é -> e (2 bytes)
      {"the quick brown fox jumps", "the quick brown fox jumps", true},
      {"the quick brown fox jumps", "the quick hrown fox jumps", true},
      {"line one", "line onc", true},
      {"line one", "line two", false},
      {"the quick brown fox jumps", "une toute autre phrase ici", false},
      {"ab", "cd", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(sameLine(normaliseLine(c.a), normaliseLine(c.b)), c.same) << c.a << " / " << c.b;
}

TEST(LineChanges, OnlyNewLinesAreReturned) {
  std::vector<std::string> before;
  auto first = newLines({}, {"Première ligne : le chat dort.", "|", "Second line here"}, &before);
  EXPECT_EQ(first,
            (std::vector<std::string>{"Première ligne : le chat dort.", "Second line here"}));
  ASSERT_EQ(before.size(), 2u) << "noise lines are not remembered";

  // The same text again, with jitter, plus one new line: only the new one.
  std::vector<std::string> after;
  auto second = newLines(
      before, {"Premiere ligne : le chat dort", "Second 1ine here.", "A third line appears!"},
      &after);
  EXPECT_EQ(second, (std::vector<std::string>{"A third line appears!"}));
  EXPECT_EQ(after.size(), 3u);

  // A line that went away and comes back is new again (compared with the last recognition only).
  auto third = newLines({normaliseLine("A third line appears!")}, {"Second line here"});
  EXPECT_EQ(third, (std::vector<std::string>{"Second line here"}));
}

TEST(LineChanges, AParagraphThatGrewGivesOnlyItsNewWords) {
  // A terminal's first line, then the next one joined to it as one paragraph of running text.
  const std::vector<std::string> before{normaliseLine("Première ligne : le chat dort.")};
  EXPECT_EQ(newLines(before, {"Premiere ligne : Le chat dort. Second line: the dog barks."}),
            (std::vector<std::string>{"Second line: the dog barks."}));
  // The same paragraph again: nothing new; a different one: all of it.
  EXPECT_TRUE(newLines(before, {"Première ligne : le chat dort"}).empty());
  EXPECT_EQ(newLines(before, {"Première page : le chien court."}),
            (std::vector<std::string>{"Première page : le chien court."}));
  // A word that only starts like the old line's last one is not a continuation.
  EXPECT_EQ(newLines({normaliseLine("le chat")}, {"le chaton joue"}),
            (std::vector<std::string>{"le chaton joue"}));
}

}  // namespace
}  // namespace liseur
