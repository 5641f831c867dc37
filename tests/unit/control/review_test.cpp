#include "control/review.h"

#include <gtest/gtest.h>

namespace liseur {
namespace {

Line line(std::initializer_list<const char*> words, int y) {
  Line l;
  int x = 0;
  for (const char* w : words) {
    l.words.push_back(Word{w, {x, y, 40, 10}, 90, "fr"});
    x += 50;
  }
  return l;
}

Document sample() {
  Document d;
  d.width = 400;
  d.height = 300;
  d.lang = "fr";
  Block a;
  a.lang = "fr";
  a.lines = {line({"Le", "chat"}, 10), line({"dort."}, 30)};
  Block b;
  b.lang = "fr";
  b.lines = {line({"Il", "rêve", "beaucoup."}, 250)};
  d.blocks = {a, b};
  return d;
}

TEST(Review, WordsCrossLinesAndBlocksAndStopAtTheEdges) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  std::vector<std::string> words{"Le"};
  for (int i = 0; i < 5; ++i) words.push_back(c.apply(ReviewAction::kNextWord).text);
  EXPECT_EQ(words, (std::vector<std::string>{"Le", "chat", "dort.", "Il", "rêve", "beaucoup."}));
  ReviewSpeech end = c.apply(ReviewAction::kNextWord);
  EXPECT_TRUE(end.at_edge);
  EXPECT_EQ(end.text, "Fin du texte.");
  EXPECT_EQ(c.apply(ReviewAction::kPrevWord).text, "rêve");
  EXPECT_EQ(c.apply(ReviewAction::kPrevWord).text, "Il");
  EXPECT_EQ(c.apply(ReviewAction::kPrevWord).text, "dort.")
      << "previous word crosses back into block 1";
  EXPECT_EQ(c.apply(ReviewAction::kPrevWord).text, "chat");
}

TEST(Review, LinesAndBlocks) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  EXPECT_EQ(c.apply(ReviewAction::kNextLine).text, "dort.");
  EXPECT_EQ(c.apply(ReviewAction::kNextLine).text, "Il rêve beaucoup.");
  EXPECT_TRUE(c.apply(ReviewAction::kNextLine).at_edge);
  EXPECT_EQ(c.apply(ReviewAction::kPrevLine).text, "dort.");
  EXPECT_EQ(c.apply(ReviewAction::kPrevBlock).text, "Début du texte.")
      << "already in the first block";
}

TEST(Review, BlocksMoveToTheFirstWord) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  EXPECT_EQ(c.apply(ReviewAction::kNextBlock).text, "Il rêve beaucoup.");
  EXPECT_EQ(c.block(), 1);
  EXPECT_EQ(c.word(), 0);
  EXPECT_TRUE(c.apply(ReviewAction::kNextBlock).at_edge);
  EXPECT_EQ(c.apply(ReviewAction::kPrevBlock).text, "Le chat\ndort.");
}

TEST(Review, CharactersAndSpelling) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  c.apply(ReviewAction::kNextBlock);
  c.apply(ReviewAction::kNextWord);  // rêve
  EXPECT_EQ(c.apply(ReviewAction::kSpell).text, "R, E accent circonflexe, V, E");
  EXPECT_EQ(c.apply(ReviewAction::kSpellPhonetic).text,
            "R comme Raoul, E accent circonflexe, V comme Victor, E comme Eugène");
  EXPECT_EQ(c.apply(ReviewAction::kCurrentChar).text, "R");
  EXPECT_EQ(c.apply(ReviewAction::kNextChar).text, "E accent circonflexe");
  EXPECT_EQ(c.apply(ReviewAction::kNextChar).text, "V");
  EXPECT_EQ(c.apply(ReviewAction::kNextChar).text, "E");
  EXPECT_EQ(c.apply(ReviewAction::kNextChar).text, "B") << "into the next word";
  EXPECT_EQ(c.apply(ReviewAction::kRepeat).text, "B");
}

TEST(Review, EnglishSpellingUsesNato) {
  EXPECT_EQ(spellWord("Cab", "en", true), "capital Charlie, Alfa, Bravo");
  EXPECT_EQ(spellWord("l'été", "fr", false), "L, apostrophe, E accent aigu, T, E accent aigu");
}

TEST(Review, WhereAmITellsPositionAndPlace) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  c.apply(ReviewAction::kNextBlock);
  EXPECT_EQ(c.apply(ReviewAction::kWhere).text,
            "Bloc 2 sur 2, ligne 1 sur 1, mot 1, en bas à gauche.");
  ReviewCursor e;
  e.reset(sample(), "en");
  EXPECT_EQ(e.apply(ReviewAction::kWhere).text, "Block 1 of 2, line 1 of 2, word 1, top left.");
}

TEST(Review, SayAllFromTheCursor) {
  ReviewCursor c;
  c.reset(sample(), "fr");
  c.apply(ReviewAction::kNextWord);
  EXPECT_EQ(c.apply(ReviewAction::kSayAll).text, "chat dort.\n\nIl rêve beaucoup.");
}

TEST(Review, EmptyDocumentSaysSo) {
  ReviewCursor c;
  c.reset(Document{}, "en");
  EXPECT_EQ(c.apply(ReviewAction::kNextWord).text, "Nothing to read.");
  EXPECT_FALSE(reviewActionFromName("sideways").ok());
  EXPECT_NE(reviewActionFromName("sideways").error().message.find("next-line"), std::string::npos);
}

TEST(Review, SpellDoubtfulGoesToTheNextUnsureWordAndWraps) {
  Document d = sample();
  d.blocks[0].lines[0].words[1].confidence = 35;  // "chat"
  d.blocks[1].lines[0].words[2].confidence = 40;  // "beaucoup."
  ReviewCursor c;
  c.reset(d, "fr");
  c.setDoubtfulThreshold(60);
  ReviewSpeech s = c.apply(ReviewAction::kSpellDoubtful);
  EXPECT_EQ(s.text, "chat. C, H, A, T");
  EXPECT_TRUE(s.literal);
  EXPECT_EQ(s.block, 0);
  EXPECT_EQ(s.word, 1);
  s = c.apply(ReviewAction::kSpellDoubtful);
  EXPECT_EQ(s.text, "beaucoup.. B, E, A, U, C, O, U, P, point");
  EXPECT_EQ(s.block, 1);
  // Past the last one, back to the first.
  EXPECT_EQ(c.apply(ReviewAction::kSpellDoubtful).word, 1);
  EXPECT_EQ(c.block(), 0);
  // Nothing under the threshold: said so, the cursor stays.
  c.setDoubtfulThreshold(10);
  s = c.apply(ReviewAction::kSpellDoubtful);
  EXPECT_TRUE(s.at_edge);
  EXPECT_EQ(s.text, "Aucun mot douteux.");
  EXPECT_EQ(c.word(), 1);
  EXPECT_EQ(reviewActionFromName("spell-doubtful").value(), ReviewAction::kSpellDoubtful);
}

}  // namespace
}  // namespace liseur
