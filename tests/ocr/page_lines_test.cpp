// ocr/page_lines: lines of texture dropped, columns of running text cut apart, a table's rows kept
// whole, a column's end that Tesseract put in a block of its own put back on it, the page's
// headline told. Words are laid out as a monospace typewriter would: 20 px high, 12 px a character,
// single spaces.
#include "ocr/page_lines.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace liseur::ocr {
namespace {

constexpr int kCharW = 12, kCharH = 20, kLineStep = 30;

// A line at row `row` holding each of `cells` (text, first column in characters).
LineRead line(int row, const std::vector<std::pair<std::string, int>>& cells) {
  LineRead r;
  for (const auto& [text, col] : cells) {
    std::istringstream in(text);
    std::string word;
    int x = col * kCharW;
    int pos = 0;
    while (in >> word) {
      const auto at = text.find(word, pos);
      x = (col + static_cast<int>(at)) * kCharW;
      pos = static_cast<int>(at + word.size());
      r.line.words.push_back(
          Word{word, Box{x, 100 + row * kLineStep, static_cast<int>(word.size()) * kCharW, kCharH},
               90, "fr"});
    }
  }
  return r;
}

std::string textOf(const std::vector<LineRead>& lines) {
  std::string t;
  for (const LineRead& r : lines) t += r.line.text() + "\n";
  return t;
}

TEST(PageLines, TwoColumnsOfRunningTextAreCutAlongTheirGutter) {
  std::vector<LineRead> para = {
      line(0, {{"Le soleil chauffe l'eau des mers", 0}, {"Quand les gouttes deviennent", 40}}),
      line(1, {{"et des rivières. Une partie de", 0}, {"lourdes, elles tombent sous", 40}}),
      line(2, {{"cette eau se transforme en", 0}, {"forme de pluie ou de neige :", 40}}),
      line(3, {{"vapeur : c'est l'évaporation.", 0}, {"ce sont les précipitations.", 40}}),
  };
  std::vector<std::vector<LineRead>> out;
  ASSERT_TRUE(splitColumns(para, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(textOf(out[0]),
            "Le soleil chauffe l'eau des mers\net des rivières. Une partie de\n"
            "cette eau se transforme en\nvapeur : c'est l'évaporation.\n");
  EXPECT_EQ(out[1].front().line.text(), "Quand les gouttes deviennent");
}

TEST(PageLines, AColumnThatRunsOnAloneBelowTheOtherIsCutToo) {
  // The right column ends after three lines, the left one runs on for four more: words on both
  // sides in 3 lines of 7, all consecutive.
  std::vector<LineRead> para = {
      line(0, {{"Le soleil chauffe l'eau des mers", 0}, {"Quand les gouttes deviennent", 40}}),
      line(1, {{"et des rivières. Une partie de", 0}, {"lourdes, elles tombent sous", 40}}),
      line(2, {{"cette eau se transforme en", 0}, {"forme de pluie ou de neige.", 40}}),
      line(3, {{"vapeur : c'est l'évaporation.", 0}}),
      line(4, {{"La vapeur monte dans le ciel", 0}}),
      line(5, {{"et forme les nuages, qui vont", 0}}),
      line(6, {{"au gré du vent.", 0}}),
  };
  std::vector<std::vector<LineRead>> out;
  ASSERT_TRUE(splitColumns(para, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].size(), 7u);
  EXPECT_EQ(out[0].back().line.text(), "au gré du vent.");
  EXPECT_EQ(out[1].size(), 3u);
  // Words on both sides in three lines of seven that are not consecutive (a gap here and there
  // between short lines of one column) make no gutter.
  std::vector<LineRead> ragged = {
      line(0, {{"Le soleil chauffe l'eau des mers", 0}, {"Quand les gouttes deviennent", 40}}),
      line(1, {{"et des rivières. Une partie", 0}}),
      line(2, {{"cette eau se transforme en", 0}, {"forme de pluie ou de neige.", 40}}),
      line(3, {{"vapeur : c'est l'évaporation.", 0}}),
      line(4, {{"La vapeur monte dans le ciel", 0}, {"et forme les nuages, qui vont", 40}}),
      line(5, {{"et forme les nuages, qui", 0}}),
      line(6, {{"vont au gré du vent.", 0}}),
  };
  std::vector<std::vector<LineRead>> rows;
  EXPECT_FALSE(splitColumns(ragged, rows));
}

TEST(PageLines, ATablesHeaderOfShortCellsStaysInRows) {
  // A catalogue's header: numbers, then headings of two or three words per cell, five columns.
  // Taken two sides at a time, both look like text; the cells between the gutters are not.
  std::vector<LineRead> para = {
      line(0, {{"1", 0}, {"2", 18}, {"3", 38}, {"4", 54}, {"5", 80}}),
      line(1, {{"Lieu et date de", 0},
               {"N° du document", 18},
               {"Matériel d'", 38},
               {"Titre ou premiers mots", 54},
               {"Exécutants", 80}}),
      line(2, {{"récolte", 0},
               {"dans la collection", 18},
               {"exécution", 38},
               {"(nom, prénom, âge)", 80}}),
      line(3, {{"(commune)", 0}, {"(bande)", 18}, {"(type)", 38}, {"(premier vers chanté)", 54}}),
  };
  const std::string before = textOf(para);
  std::vector<std::vector<LineRead>> out;
  EXPECT_FALSE(splitColumns(para, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(textOf(out[0]), before);
}

TEST(PageLines, LabelAndValueRowsStayRows) {
  std::vector<LineRead> para = {
      line(0, {{"SECTIONS :", 0}, {"Poésie de langue française", 24}}),
      line(1, {{"SUJETS :", 0}, {"Philadelphe de Gerde, la Bigorre", 24}}),
      line(2, {{"PRIX :", 0}, {"Pour chaque section trois prix", 24}}),
      line(3, {{"JURYS :", 0}, {"Sous la présidence d'honneur", 24}}),
  };
  std::vector<std::vector<LineRead>> out;
  EXPECT_FALSE(splitColumns(para, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(), 4u);
}

TEST(PageLines, TheEndOfAColumnInABlockOfItsOwnGoesBackOnIt) {
  std::vector<std::vector<LineRead>> columns = {
      {line(0, {{"Le soleil chauffe l'eau des mers", 0}}), line(1, {{"et des rivières.", 0}})},
      {line(0, {{"Quand les gouttes deviennent", 40}}), line(1, {{"lourdes, elles tombent", 40}})},
  };
  // Just below the right column, within its width.
  EXPECT_TRUE(continueColumn(columns, {line(2, {{"sous forme de pluie.", 40}})}));
  EXPECT_EQ(columns[1].size(), 3u);
  EXPECT_EQ(columns[0].size(), 2u);
  // Far below both: a block of its own.
  EXPECT_FALSE(continueColumn(columns, {line(9, {{"Notes", 0}})}));
  EXPECT_EQ(boxOfReads({}).w, 0);
}

// A line of words with these confidences.
LineRead scored(const std::vector<std::pair<std::string, float>>& words) {
  LineRead r;
  int x = 0;
  for (const auto& [text, conf] : words) {
    r.line.words.push_back(Word{text, Box{x, 100, 40, kCharH}, conf, "fr"});
    x += 50;
  }
  return r;
}

TEST(PageLines, TextureReadAsMarksOrUnsureFragmentsIsNoiseAndUnsurePrintIsNot) {
  // Marks only, however sure Tesseract is: quotes, dashes, a tilde.
  EXPECT_TRUE(isNoise(scored({{"\u2018", 70}})));
  EXPECT_TRUE(isNoise(scored({{"-_", 37}, {",", 90}})));
  EXPECT_TRUE(isNoise(scored({{"~", 29}, {"\u00ab", 80}, {"\u2014", 60}})));
  // Three words or more, all unsure, in short pieces (a scan's margin, a crumpled sheet's grain).
  EXPECT_TRUE(isNoise(scored({{"eet", 15}, {"RSs", 14}, {"Ne", 20}})));
  // Noise read as invented words of ordinary length, very unsure.
  EXPECT_TRUE(isNoise(scored(
      {{"Both", 30}, {"Mare", 12}, {"Sieger", 25}, {"thes", 20}, {"Caan", 28}, {"saad", 19}})));
  EXPECT_TRUE(isNoise(scored({{"OE", 22},
                              {"ES", 27},
                              {"ele", 35},
                              {"I", 14},
                              {"Ome", 28},
                              {"ne", 4},
                              {"A", 6},
                              {"a", 21}})));
  // One or two characters, very unsure.
  EXPECT_TRUE(isNoise(scored({{"oY", 12}})));
  // Print read with doubt stays: a heading, accented or not, a number, a sure word among unsure.
  EXPECT_FALSE(isNoise(scored({{"Pantomine", 30}})));
  EXPECT_FALSE(isNoise(scored({{"\u00c9t\u00e9", 30}})));
  EXPECT_FALSE(isNoise(scored({{"1962", 40}})));
  EXPECT_FALSE(isNoise(scored({{"la", 20}, {"question", 90}, {"de", 10}})));
  // A receipt's line under a pen stroke, or faint: unsure throughout, but words of print's length
  // (an amount reads at confidence 0).
  EXPECT_FALSE(isNoise(scored({{"Mfr", 59}, {"Cen", 37}, {".15-", 0}})));
  EXPECT_FALSE(isNoise(scored({{"PORT", 30},
                               {"MGR", 58},
                               {"10M", 48},
                               {"MIL", 9},
                               {"AZZU", 9},
                               {"(OS", 38},
                               {"477", 10},
                               {"5833", 76}})));
  EXPECT_TRUE(isNoise(LineRead{}));
}

TEST(PageLines, TheHeadlineIsTheOneParagraphInPrintTwiceTheBodysAndFarAboveTheRest) {
  // A magazine spread: body print 35 px in long paragraphs, a kicker at 47, the title at 121 at
  // the bottom, a drop capital's paragraph measured by its words (35).
  const std::vector<float> print{35, 35, 47, 35, 121, 32};
  const std::vector<std::size_t> chars{326, 21, 33, 503, 22, 19};
  EXPECT_EQ(bodyPrint(print, chars), 35);
  EXPECT_EQ(headlineOf(print, chars), 4);
  // A section heading (1.5 times the body) is not a headline.
  EXPECT_EQ(headlineOf({20, 30, 20}, {400, 18, 300}), -1);
  // Two titles of like size (two articles on a page): neither goes first.
  EXPECT_EQ(headlineOf({20, 60, 20, 55, 20}, {400, 20, 300, 25, 300}), -1);
  // A large mark of two characters (a stain read as ") 2") is not a title, and does not hide one.
  EXPECT_EQ(headlineOf({20, 90, 20, 60}, {400, 2, 300, 24}), 3);
  EXPECT_EQ(headlineOf({20, 90, 20}, {400, 2, 300}), -1);
  EXPECT_EQ(headlineOf({}, {}), -1);
}

TEST(PageLines, TheHeadlineGoesFirstWithItsKickerAndBylineAndNotItsPhotoCredit) {
  // The spread of scan-en-04 as the layout analysis gives it: columns, then the kicker, the title
  // at the bottom, the byline and a photo credit under it.
  const std::vector<PagePart> parts{
      {Box{100, 160, 600, 1200}, 35, 900, 30},    // left column
      {Box{900, 1692, 460, 123}, 47, 33, 2},      // kicker
      {Box{1750, 160, 620, 1600}, 35, 1000, 40},  // right column
      {Box{900, 1853, 1930, 136}, 121, 22, 1},    // title
      {Box{900, 2011, 470, 34}, 32, 19, 1},       // byline
      {Box{900, 2096, 430, 20}, 18, 32, 1},       // photo credit
  };
  int headline = -1;
  EXPECT_EQ(headlineFirst(parts, &headline), (std::vector<std::size_t>{1, 3, 4, 0, 2, 5}));
  EXPECT_EQ(headline, 3);
  // A title first already: the order stays.
  const std::vector<PagePart> top{{Box{100, 50, 900, 100}, 90, 20, 1},
                                  {Box{100, 200, 900, 800}, 30, 900, 25}};
  EXPECT_EQ(headlineFirst(top, &headline), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(headline, 0);
}

}  // namespace
}  // namespace liseur::ocr
