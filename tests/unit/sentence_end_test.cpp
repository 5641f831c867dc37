#include "core/sentence_end.h"

#include <gtest/gtest.h>

namespace liseur {
namespace {

TEST(SentenceEnd, MarksBeforeClosersEndASentence) {
  for (const char* w : {"fin.", "Viens!", "vraiment?", "alors…", "fin.»", "(vraiment?)", "dit.\"",
                        "it.", "go.", "2024.", "Hmm...", "oui.”"})
    EXPECT_TRUE(wordEndsSentence(w)) << w;
}

TEST(SentenceEnd, AbbreviationsInitialsAndListNumbersDoNot) {
  for (const char* w : {"M.", "Mme.", "etc.", "Dr.", "e.g.", "J.", "É.", "1.", "12.", "(cf.", "mot",
                        "virgule,", "deux:", "", "«"})
    EXPECT_FALSE(wordEndsSentence(w)) << w;
  EXPECT_TRUE(wordEndsSentence(".")) << "a dot alone, read apart from its word";
}

TEST(SentenceEnd, TheFinalMarkIsFoundBehindQuotesAndBrackets) {
  EXPECT_EQ(finalMark("Viens!»"), U'!');
  EXPECT_EQ(finalMark("liste:"), U':');
  EXPECT_EQ(finalMark("(voir)"), U'r');
  EXPECT_EQ(finalMark("\"\""), 0u);
  EXPECT_EQ(finalMark("\xFF"), 0xFFFDu) << "an invalid byte is a replacement character";
  EXPECT_TRUE(isKnownAbbreviation("ÉD"));
  EXPECT_FALSE(isKnownAbbreviation("chat"));
}

}  // namespace
}  // namespace liseur
