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

// A PDF of three pages, one under the other (each 1000 px high): the second has two blocks, the
// third none with words. Next page goes to the first line of the next page that has words, and
// says which page; where-am-I says the page and the place on it.
TEST(Review, PagesOfAPdfAreReviewedPageByPage) {
  Document d;
  d.width = 800;
  d.height = 3000;
  d.lang = "fr";
  auto block = [](std::initializer_list<const char*> words, int y) {
    Block b;
    b.lang = "fr";
    b.lines = {line(words, y)};
    b.box = b.lines[0].words.front().box;
    return b;
  };
  d.blocks = {block({"Première", "page."}, 100), block({"Deuxième", "page."}, 1100),
              block({"Suite", "de", "la", "deuxième."}, 1900), Block{}};
  d.blocks[3].box = {0, 2500, 100, 10};
  ReviewCursor c;
  c.reset(d, "fr");
  c.setPages({{0, 0, 800, 1000}, {0, 1000, 800, 1000}, {0, 2000, 800, 1000}});
  EXPECT_EQ(c.page(), 0);
  EXPECT_EQ(c.apply(ReviewAction::kWhere).text,
            "Page 1 sur 3, bloc 1 sur 4, ligne 1 sur 1, mot 1, en haut à gauche.");
  EXPECT_EQ(c.apply(ReviewAction::kNextPage).text, "Page 2 sur 3. Deuxième page.");
  EXPECT_EQ(c.page(), 1);
  EXPECT_EQ(c.apply(ReviewAction::kNextBlock).text, "Suite de la deuxième.");
  EXPECT_EQ(c.apply(ReviewAction::kWhere).text,
            "Page 2 sur 3, bloc 3 sur 4, ligne 1 sur 1, mot 1, en bas à gauche.");
  ReviewSpeech end = c.apply(ReviewAction::kNextPage);
  EXPECT_TRUE(end.at_edge) << "page 3 has no word";
  EXPECT_EQ(end.text, "Fin du texte.");
  EXPECT_EQ(c.apply(ReviewAction::kCurrentWord).text, "Suite") << "the cursor did not move";
  EXPECT_EQ(c.apply(ReviewAction::kPrevPage).text, "Page 1 sur 3. Première page.");
  EXPECT_TRUE(c.apply(ReviewAction::kPrevPage).at_edge);

  // One page (an image): next page is the end, where-am-I does not talk of pages.
  ReviewCursor one;
  one.reset(sample(), "en");
  EXPECT_TRUE(one.apply(ReviewAction::kNextPage).at_edge);
  EXPECT_EQ(one.apply(ReviewAction::kWhere).text.rfind("Block 1 of 2", 0), 0u);
  EXPECT_EQ(reviewActionFromName("next-page").value(), ReviewAction::kNextPage);
  EXPECT_EQ(reviewActionFromName("previous-page").value(), ReviewAction::kPrevPage);
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
