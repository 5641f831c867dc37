// document/answer_places: where a pupil answers on a recognised worksheet, from the page's rules
// and boxes and the recognised words; and the places carried onto the adapted document.
#include "document/answer_places.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace liseur {
namespace {

// A line of words at height y (40 px tall words), each word given with its x and width.
struct W {
  std::string text;
  int x, w;
  float conf = 95;
};
Line line(int y, std::vector<W> words) {
  Line l;
  int left = 1 << 30, right = 0;
  for (const auto& w : words) {
    l.words.push_back(Word{w.text, Box{w.x, y, w.w, 40}, w.conf, "fr"});
    left = std::min(left, w.x);
    right = std::max(right, w.x + w.w);
  }
  l.box = Box{left, y, right - left, 40};
  return l;
}
Block block(std::vector<Line> lines) {
  Block b;
  for (auto& l : lines) b.lines.push_back(std::move(l));
  return b;
}
Document page(std::vector<Block> blocks, int height = 2000) {
  Document d;
  d.width = 1600;
  d.height = height;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    blocks[i].index = int(i);
    d.blocks.push_back(std::move(blocks[i]));
  }
  return d;
}
std::vector<AnswerPlace> ofKind(const std::vector<AnswerPlace>& all, AnswerKind k) {
  std::vector<AnswerPlace> out;
  for (const auto& p : all)
    if (p.kind == k) out.push_back(p);
  return out;
}

TEST(AnswerPlaces, FieldsAtTheTopOfASheetAreNamedByTheirLabels) {
  // "Prénom : ______  Classe : ....... Date :" — two drawn rules and one rule Tesseract read as
  // dots; a speck "|" it read on the first rule.
  Document d = page({block({line(100, {{"Prénom", 100, 150},
                                       {":", 260, 10},
                                       {"|", 300, 4},
                                       {"Classe", 600, 140},
                                       {":", 745, 10},
                                       {"........", 770, 300},
                                       {"Date", 1100, 100},
                                       {":", 1205, 10}})})});
  std::vector<Box> rules = {{280, 135, 280, 4}, {1230, 135, 300, 4}};
  auto places = findAnswerPlaces(d, rules, {});
  ASSERT_EQ(places.size(), 3u);
  EXPECT_EQ(places[0].kind, AnswerKind::kField);
  EXPECT_EQ(places[0].label, "Prénom");
  EXPECT_EQ(places[0].field, "first-name");
  EXPECT_EQ(places[0].after, 1);                     // after "Prénom :"
  EXPECT_EQ(places[0].covers, std::vector<int>{2});  // the speck is the rule's picture
  EXPECT_FALSE(places[0].ends_line);
  EXPECT_EQ(places[1].label, "Classe");
  EXPECT_EQ(places[1].field, "class");
  EXPECT_EQ(places[1].covers, std::vector<int>{5});  // "........" is the blank itself
  EXPECT_EQ(places[2].field, "date");
  EXPECT_EQ(places[2].after, 7);
  EXPECT_TRUE(places[2].ends_line);
}

TEST(AnswerPlaces, ABlankInsideASentenceIsNotAField) {
  Document d = page({block({line(100, {{"Le", 100, 50},
                                       {"chat", 160, 90},
                                       {"sur", 600, 70},
                                       {"le", 680, 40},
                                       {"mur.", 730, 80}})})});
  auto places = findAnswerPlaces(d, {{260, 132, 320, 3}}, {});
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].kind, AnswerKind::kBlank);
  EXPECT_EQ(places[0].after, 1);  // between "chat" and "sur"
  EXPECT_FALSE(places[0].ends_line);
}

TEST(AnswerPlaces, AnUnderlinedWordIsNotABlank) {
  Document d = page({block(
      {line(100, {{"Souligne", 100, 200}, {"le", 310, 40}, {"verbe", 360, 140}, {".", 505, 8}})})});
  // The rule lies under "Souligne le verbe": words cover it.
  EXPECT_TRUE(findAnswerPlaces(d, {{100, 142, 400, 3}}, {}).empty());
}

TEST(AnswerPlaces, RulesUnderAQuestionAreTheRowsOfOneAnswer) {
  Document d = page(
      {block({line(100, {{"1.", 100, 30}, {"Quel", 140, 90}, {"jour", 240, 90}, {"?", 340, 20}}),
              line(400, {{"2.", 100, 30}, {"Pourquoi", 140, 160}, {"?", 310, 20}})})});
  // Two rules under question 1 (one in two pieces: a faint stretch), one under question 2.
  std::vector<Box> rules = {
      {100, 200, 600, 4}, {760, 201, 700, 4}, {100, 280, 1400, 4}, {100, 500, 1400, 4}};
  auto places = findAnswerPlaces(d, rules, {});
  ASSERT_EQ(places.size(), 2u);
  EXPECT_EQ(places[0].kind, AnswerKind::kLines);
  EXPECT_EQ(places[0].line, 0);
  EXPECT_EQ(places[0].rows, 2);
  EXPECT_EQ(places[0].after, 3);
  EXPECT_EQ(places[0].label, "1. Quel jour ?");
  EXPECT_EQ(places[1].line, 1);
  EXPECT_EQ(places[1].rows, 1);
}

TEST(AnswerPlaces, AShortLastLineOwnsTheRuleBelowItEvenWhenTheRuleStartsFurtherRight) {
  Document d = page({block({line(100, {{"4.", 100, 30},
                                       {"The", 140, 80},
                                       {"perimeter", 230, 200},
                                       {"of", 440, 40},
                                       {"one", 1200, 80}}),
                            line(160, {{"side?", 100, 110}})})});
  auto places = findAnswerPlaces(d, {{180, 240, 1200, 4}}, {});
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].line, 1);
}

TEST(AnswerPlaces, CheckBoxesAreLabelledByTheWordsAfterThem) {
  // "Coche : ☐ oui ☐ non", the second box read by Tesseract as "O".
  Document d = page({block({line(100, {{"Coche", 100, 120},
                                       {":", 225, 10},
                                       {"oui", 300, 70},
                                       {"O", 420, 36},
                                       {"non", 470, 70}})})});
  std::vector<Box> boxes = {{250, 102, 36, 36}, {420, 102, 36, 36}};
  auto checks = ofKind(findAnswerPlaces(d, {}, boxes), AnswerKind::kCheck);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].label, "oui");
  EXPECT_EQ(checks[0].after, 1);
  EXPECT_EQ(checks[1].label, "non");
  EXPECT_EQ(checks[1].covers, std::vector<int>{3});
  EXPECT_EQ(checks[1].after, 2);
}

TEST(AnswerPlaces, ABoxReadTogetherWithItsWordLeavesOnlyTheWordAsTheLabel) {
  // "Coche : ☐ la poule ☐ le cochon", each box read with the word after it ("[lila", "[lle").
  Document d = page({block({line(100, {{"Coche", 100, 120},
                                       {":", 225, 10},
                                       {"[lila", 300, 64, 23},
                                       {"poule", 374, 85},
                                       {"[lle", 500, 64, 78},
                                       {"cochon", 574, 100}})})});
  std::vector<Box> boxes = {{300, 102, 34, 34}, {500, 102, 34, 34}};
  auto checks = ofKind(findAnswerPlaces(d, {}, boxes), AnswerKind::kCheck);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].label, "la poule");
  EXPECT_EQ(checks[1].label, "le cochon");
}

TEST(AnswerPlaces, ARuleFoundFromUnderTheLabelsColonStillMakesAField) {
  // "Prénom : ......": the smeared dots reached under the colon.
  Document d = page({block({line(100, {{"Prénom", 100, 150}, {":", 262, 5, 50}})})});
  auto places = findAnswerPlaces(d, {{240, 132, 320, 3}}, {});
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].kind, AnswerKind::kField);
  EXPECT_EQ(places[0].label, "Prénom");
  EXPECT_EQ(places[0].field, "first-name");
}

TEST(AnswerPlaces, AnEmptyBoxBelowAQuestionIsABoxToWriteInAndAFrameAroundTextIsNot) {
  Document d =
      page({block({line(100, {{"Dessine", 100, 160}, {"un", 270, 50}, {"chat.", 330, 100}})}),
            block({line(700, {{"Bravo", 140, 120}})})});
  std::vector<Box> boxes = {{100, 200, 800, 300}, {120, 680, 400, 90}};
  auto places = findAnswerPlaces(d, {}, boxes);
  auto boxed = ofKind(places, AnswerKind::kBox);
  ASSERT_EQ(boxed.size(), 1u);
  EXPECT_EQ(boxed[0].block, 0);
  EXPECT_GE(boxed[0].rows, 3);
}

TEST(AnswerPlaces, QuestionsGetAPlaceWhenTheSheetLeavesRoomOrNumbersThem) {
  Document d = page(
      {block({line(100, {{"Il", 100, 30}, {"pleut", 140, 100}, {"?", 250, 20}}),
              line(150, {{"Oui,", 100, 70}, {"souvent.", 180, 150}})}),
       block(
           {line(400, {{"1.", 100, 30},
                       {"Où", 140, 60},
                       {"vit", 210, 50},
                       {"Léa", 270, 60},
                       {"?", 340, 20}}),
            line(450,
                 {{"2.", 100, 30}, {"Cite", 140, 80}, {"deux", 230, 90}, {"fleuves.", 330, 150}})}),
       block({line(700, {{"Écris", 100, 100}, {"une", 210, 70}, {"phrase.", 290, 140}})})},
      /*height=*/1000);
  auto places = findAnswerPlaces(d, {}, {});
  // A question in running text followed by its answer: nothing. Numbered questions and tasks:
  // a place each, though the sheet left no room. A task followed by empty page: a place.
  ASSERT_EQ(places.size(), 3u);
  EXPECT_EQ(places[0].block, 1);
  EXPECT_EQ(places[0].line, 0);
  EXPECT_EQ(places[1].line, 1);
  EXPECT_EQ(places[2].block, 2);
  EXPECT_GE(places[2].rows, 2);
}

TEST(AnswerPlaces, AlternativesUnderAnInstructionToChooseAreAChoice) {
  Document d = page(
      {block({line(100, {{"Entoure", 100, 150},
                         {"la", 260, 40},
                         {"bonne", 310, 110},
                         {"réponse", 430, 150},
                         {":", 585, 10}}),
              line(160, {{"chat", 100, 80},
                         {"/", 190, 10},
                         {"chien", 210, 100},
                         {"/", 320, 10},
                         {"cheval", 340, 120}})}),
       block({line(
           400,
           {{"Il", 100, 30}, {"mange", 140, 120}, {"et/ou", 270, 100}, {"boit.", 380, 90}})})});
  auto choices = ofKind(findAnswerPlaces(d, {}, {}), AnswerKind::kChoice);
  ASSERT_EQ(choices.size(), 1u);
  EXPECT_EQ(choices[0].options, (std::vector<std::string>{"chat", "chien", "cheval"}));
  EXPECT_EQ(choices[0].line, 1);
}

// "Relie" (issue 14): each item of the left column is a choice among the right column's items,
// in their order on the page; the dots and the right item on its line are its picture.
TEST(AnswerPlaces, AMatchingExerciseMakesEachLeftItemAChoiceAmongTheRightOnes) {
  Document d = page({block(
      {line(100, {{"2.", 100, 30},
                  {"Relie", 140, 100},
                  {"chaque", 250, 120},
                  {"mot", 380, 60},
                  {"à", 450, 20},
                  {"son", 480, 60},
                  {"contraire.", 550, 170}}),
       line(170, {{"grand", 100, 110}, {"•", 400, 15}, {"•", 800, 15}, {"petit", 900, 90}}),
       line(240, {{"haut", 100, 90}, {"•", 400, 15}, {"•", 800, 15}, {"froid", 900, 100}}),
       line(310, {{"chaud", 100, 110}, {"•", 400, 15}, {"•", 800, 15}, {"bas", 900, 60}})})});
  auto choices = ofKind(findAnswerPlaces(d, {}, {}), AnswerKind::kChoice);
  ASSERT_EQ(choices.size(), 3u);
  const std::vector<std::string> right{"petit", "froid", "bas"};
  const std::vector<std::string> left{"grand", "haut", "chaud"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(choices[i].options, right) << i;
    EXPECT_EQ(choices[i].label, left[i]) << i;
    EXPECT_EQ(choices[i].line, i + 1);
    EXPECT_EQ(choices[i].after, 0) << "after the left item";
    EXPECT_EQ(choices[i].covers, (std::vector<int>{1, 2, 3})) << "the dots and the right item";
  }
}

// The columns read as two blocks (Tesseract's layout often does): the same choices; the right
// column stays as it is, its own block.
TEST(AnswerPlaces, AMatchingExerciseWhoseColumnsAreTwoBlocks) {
  Document d = page({block({line(100, {{"Associe", 100, 140},
                                       {"chaque", 250, 120},
                                       {"animal", 380, 120},
                                       {"à", 510, 20},
                                       {"son", 540, 60},
                                       {"petit.", 610, 110}}),
                            line(170, {{"la", 100, 30}, {"vache", 140, 110}}),
                            line(240, {{"le", 100, 30}, {"cheval", 140, 120}})}),
                     block({line(170, {{"le", 900, 30}, {"poulain", 940, 140}}),
                            line(240, {{"le", 900, 30}, {"veau", 940, 90}})})});
  auto choices = ofKind(findAnswerPlaces(d, {}, {}), AnswerKind::kChoice);
  ASSERT_EQ(choices.size(), 2u);
  EXPECT_EQ(choices[0].options, (std::vector<std::string>{"le poulain", "le veau"}));
  EXPECT_EQ(choices[0].label, "la vache");
  EXPECT_EQ(choices[1].label, "le cheval");
  EXPECT_EQ(choices[0].block, 0);
  EXPECT_TRUE(choices[0].covers.empty());
}

// "relie" inside a sentence, or rows that are not two columns, are no matching exercise.
TEST(AnswerPlaces, RelieInASentenceOrRowsOfThreeAreNoMatchingExercise) {
  Document prose = page({block({line(100, {{"Le", 100, 50},
                                           {"fil", 160, 50},
                                           {"qui", 220, 60},
                                           {"nous", 290, 80},
                                           {"relie", 380, 90},
                                           {"est", 480, 50},
                                           {"solide.", 540, 120}}),
                                line(170, {{"Il", 100, 30}, {"tient", 900, 100}}),
                                line(240, {{"bon", 100, 60}, {"toujours.", 900, 150}})})});
  EXPECT_TRUE(ofKind(findAnswerPlaces(prose, {}, {}), AnswerKind::kChoice).empty());
  Document three =
      page({block({line(100, {{"Relie", 100, 100}, {"les", 210, 60}, {"mots.", 280, 100}}),
                   line(170, {{"un", 100, 40}, {"deux", 500, 80}, {"trois", 900, 90}}),
                   line(240, {{"quatre", 100, 110}, {"cinq", 500, 80}, {"six", 900, 60}})})});
  EXPECT_TRUE(ofKind(findAnswerPlaces(three, {}, {}), AnswerKind::kChoice).empty());
  Document one =
      page({block({line(100, {{"Relie", 100, 100}, {"les", 210, 60}, {"mots.", 280, 100}}),
                   line(170, {{"chat", 100, 80}, {"miaou", 900, 110}})})});
  EXPECT_TRUE(ofKind(findAnswerPlaces(one, {}, {}), AnswerKind::kChoice).empty())
      << "one row is not an exercise";
}

TEST(AnswerPlaces, TheEmptyCellsOfATableAreCellsToFillNamedByTheirColumn) {
  // "Complète le tableau." over a table of 3 columns and 4 rows: the heads, two rows whose first
  // cell holds a word (Tesseract read a "|" of the grid in one), and a row with no words at all.
  Document d =
      page({block({line(40, {{"Complète", 100, 170}, {"le", 280, 40}, {"tableau.", 330, 150}})}),
            block({line(132, {{"Mot", 120, 70}, {"Nature", 420, 130}, {"Genre", 670, 110}})}),
            block({line(196, {{"chat", 120, 80}, {"|", 398, 4}}),
                   line(260, {{"maison", 120, 130}, {"........", 670, 200}})})});
  const TableGrid grid{{100, 400, 650, 900}, {120, 184, 248, 312, 376}};
  const auto places = findAnswerPlaces(d, {}, {}, {grid});
  ASSERT_EQ(places.size(), 7u) << nlohmann::json(places.size()).dump();
  for (const auto& p : places) EXPECT_EQ(p.kind, AnswerKind::kCell);
  // Row 1 after "chat", row 2 after "maison", row 3 (no words) after the last cell of row 2.
  const int rows[] = {1, 1, 2, 2, 3, 3, 3}, columns[] = {1, 2, 1, 2, 0, 1, 2};
  const char* labels[] = {"Nature", "Genre", "Nature", "Genre", "Mot", "Nature", "Genre"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(places[i].row, rows[i]) << i;
    EXPECT_EQ(places[i].column, columns[i]) << i;
    EXPECT_EQ(places[i].label, labels[i]) << i;
    EXPECT_EQ(places[i].block, 2) << i;
    EXPECT_EQ(places[i].line, i < 2 ? 0 : 1) << i;
    EXPECT_EQ(places[i].after, 0) << i;
    EXPECT_EQ(places[i].ends_line, i == 1 || i == 3 || i == 6) << i;
  }
  EXPECT_EQ(places[0].box, (Box{400, 184, 250, 64}));
  // The dots Tesseract read in the last cell of "maison" are that cell's picture, not a blank.
  EXPECT_EQ(places[3].covers, std::vector<int>{1});
  EXPECT_EQ(places[4].box, (Box{100, 312, 300, 64}));

  // A check box in a cell is the place there; a table with no empty cell asks nothing; the
  // cells of an empty table follow the line above it.
  const auto ticked = findAnswerPlaces(d, {}, {{500, 200, 30, 30}}, {grid});
  EXPECT_EQ(ofKind(ticked, AnswerKind::kCell).size(), 6u);
  EXPECT_EQ(ofKind(ticked, AnswerKind::kCheck).size(), 1u);
  Document full = page({block({line(132, {{"Mot", 120, 70}, {"Nature", 420, 130}}),
                               line(196, {{"chat", 120, 80}, {"nom", 420, 70}})})});
  EXPECT_TRUE(findAnswerPlaces(full, {}, {}, {{{100, 400, 650}, {120, 184, 248}}}).empty());
  Document empty =
      page({block({line(40, {{"Écris", 100, 110}, {"trois", 220, 100}, {"mots.", 330, 110}})})});
  const auto blank = findAnswerPlaces(empty, {}, {}, {{{100, 400, 700}, {120, 184, 248}}});
  ASSERT_EQ(blank.size(), 4u);
  EXPECT_EQ(blank[0].line, 0);
  EXPECT_EQ(blank[0].after, 2);
  EXPECT_EQ(blank[2].row, 1);
  EXPECT_TRUE(blank[0].label.empty());
  EXPECT_EQ(blank[2].label, "") << "an empty head names nothing";

  // Carried by the document, row and column with it.
  d.answers = places;
  const nlohmann::json j = toJson(d);
  EXPECT_EQ(j["answers"][4]["kind"], "cell");
  EXPECT_EQ(j["answers"][4]["row"], 3);
  EXPECT_EQ(j["answers"][4]["column"], 0);
  auto back = documentFromJson(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(toJson(*back), j);
}

TEST(AnswerPlaces, PlacesFollowTheirWordsIntoTheAdaptedDocument) {
  // The page: two visual lines; the adapted document: one sentence line, the dots dropped.
  Document recognised =
      page({block({line(100, {{"Prénom", 100, 150}, {":", 260, 10}, {"......", 280, 300}}),
                   line(160, {{"Lis", 100, 60}, {"le", 170, 40}, {"texte.", 220, 120}})})});
  Document adapted = recognised;
  Line joined;
  for (const auto& l : recognised.blocks[0].lines)
    for (const auto& w : l.words)
      if (w.text != "......") joined.words.push_back(w);
  adapted.blocks[0].lines = {joined};
  auto places = findAnswerPlaces(recognised, {}, {});
  ASSERT_EQ(places.size(), 1u);
  EXPECT_TRUE(places[0].ends_line);
  auto moved = placesOn(adapted, recognised, places);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].line, 0);
  EXPECT_EQ(moved[0].after, 1);          // still after "Prénom :"
  EXPECT_TRUE(moved[0].covers.empty());  // its picture was dropped
  EXPECT_TRUE(moved[0].ends_line);
}

TEST(AnswerPlaces, TheDocumentCarriesThemAndRefusesOnesOutsideIt) {
  Document d = page({block({line(100, {{"Nom", 100, 90}, {":", 200, 10}})})});
  d.answers = findAnswerPlaces(d, {{230, 132, 300, 3}}, {});
  ASSERT_EQ(d.answers.size(), 1u);
  nlohmann::json j = toJson(d);
  auto back = documentFromJson(j);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->answers.size(), 1u);
  EXPECT_EQ(back->answers[0].field, "name");
  EXPECT_EQ(toJson(*back), j);

  j["answers"][0]["line"] = 3;
  auto bad = documentFromJson(j);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("$.answers[0]"), std::string::npos) << bad.error().message;
  j["answers"][0]["line"] = 0;
  j["answers"][0]["kind"] = "essay";
  EXPECT_FALSE(documentFromJson(j));
  j["answers"][0]["kind"] = "field";
  j["answers"][0]["covers"] = {7};
  EXPECT_FALSE(documentFromJson(j));
}

TEST(AnswerPlaces, BlankPicturesAreRunsOfDotsOrUnderscores) {
  EXPECT_TRUE(isBlankPicture("......"));
  EXPECT_TRUE(isBlankPicture("____"));
  EXPECT_TRUE(isBlankPicture("……"));
  EXPECT_TRUE(isBlankPicture("..-.._"));
  EXPECT_FALSE(isBlankPicture("..."));  // an ellipsis is punctuation
  EXPECT_FALSE(isBlankPicture("a...."));
  EXPECT_FALSE(isBlankPicture(""));
}

// A typed worksheet (a PDF's text layer): each question is followed by a line that is only dots,
// typed for the answer. Those lines are room to write: each question gets its answer lines (not
// a blank with no sentence around it), and a dotted line under plain text is not a place.
TEST(AnswerPlaces, TypedDottedLinesUnderQuestionsAreTheirAnswerLines) {
  const std::string dots(60, '.');
  Document d = page(
      {block({line(100, {{"Lis", 100, 60}, {"le", 170, 40}, {"texte.", 220, 110}}),
              line(160, {{dots, 100, 1200}}),
              line(260, {{"1.", 100, 30},
                         {"Quel", 140, 90},
                         {"jour", 240, 90},
                         {"est-ce", 340, 120},
                         {"?", 470, 20}}),
              line(320, {{dots, 100, 1200}}),
              line(420, {{"2.", 100, 30}, {"Avec", 140, 90}, {"qui", 240, 60}, {"?", 310, 20}}),
              line(480, {{dots, 100, 1200}})})});
  auto places = findAnswerPlaces(d, {}, {});
  auto lines = ofKind(places, AnswerKind::kLines);
  ASSERT_EQ(lines.size(), 2u) << nlohmann::json::array({toJson(places.front())}).dump();
  EXPECT_EQ(lines[0].line, 2);
  EXPECT_EQ(lines[1].line, 4);
  EXPECT_TRUE(ofKind(places, AnswerKind::kBlank).empty());
}

}  // namespace
}  // namespace liseur
