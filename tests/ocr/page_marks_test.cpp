// preprocess/page_marks: the rules and drawn boxes of a worksheet, found on its own pixels —
// faint dotted rules, solid ones, one leaning as on a phone photo, a check box and a box to
// write in — while print, an underlined word, a letter O, a ring and scattered specks are not.
#include "preprocess/page_marks.h"

#include <leptonica/allheaders.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "preprocess/pix_ptr.h"

namespace liseur::preprocess {
namespace {

constexpr int kLine = 40;  // the text's line height on these pages

struct Page {
  PixPtr pix;
  Page(int w, int h) : pix(pixCreate(w, h, 32)) { pixSetAllArbitrary(pix.get(), 0xf4f1eaff); }
  void rect(int x, int y, int w, int h, l_uint32 colour = 0x202020ff) {
    BOX* b = boxCreate(x, y, w, h);
    pixSetInRectArbitrary(pix.get(), b, colour);
    boxDestroy(&b);
  }
  // Letter-like marks: a word of `n` letters 24 px tall on baseline y.
  void word(int x, int y, int n) {
    for (int i = 0; i < n; ++i) {
      rect(x + i * 20, y - 24, 4, 24);
      rect(x + i * 20 + 12, y - 24, 4, 24);
      rect(x + i * 20, y - 24, 16, 4);
    }
  }
  // A dotted rule of grey dots (3 px every 9 px), rising `rise` px over its length.
  void dots(int x, int y, int len, double rise = 0, l_uint32 colour = 0x8c8c8cff) {
    for (int i = 0; i < len; i += 9)
      rect(x + i, y - int(std::lround(rise * i / len)), 3, 3, colour);
  }
  void frame(int x, int y, int w, int h, int stroke) {
    rect(x, y, w, stroke);
    rect(x, y + h - stroke, w, stroke);
    rect(x, y, stroke, h);
    rect(x + w - stroke, y, stroke, h);
  }
  // A straight stroke `t` px thick from (x0, y0) to (x1, y1).
  void stroke(double x0, double y0, double x1, double y1, int t) {
    const int n = int(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0))));
    for (int i = 0; i <= n; ++i)
      rect(int(std::lround(x0 + (x1 - x0) * i / n)), int(std::lround(y0 + (y1 - y0) * i / n)), t,
           t);
  }
  // A ruled table at (x, y): columns `widths` wide, `rows` rows `rh` tall, turned `degrees`
  // about its top left corner (a phone photo), strokes 3 px.
  void table(int x, int y, const std::vector<int>& widths, int rows, int rh, double degrees = 0) {
    const double a = degrees * M_PI / 180, c = std::cos(a), s = std::sin(a);
    auto at = [&](double dx, double dy) {
      return std::pair<double, double>{x + dx * c + dy * s, y - dx * s + dy * c};
    };
    int w = 0;
    for (int cw : widths) w += cw;
    for (int r = 0; r <= rows; ++r) {
      auto [x0, y0] = at(0, r * rh);
      auto [x1, y1] = at(w, r * rh);
      stroke(x0, y0, x1, y1, 3);
    }
    for (int k = 0, cx = 0; k <= int(widths.size());
         cx += k < int(widths.size()) ? widths[k] : 0, ++k) {
      auto [x0, y0] = at(cx, 0);
      auto [x1, y1] = at(cx, rows * rh);
      stroke(x0, y0, x1, y1, 3);
    }
  }
  void ring(int cx, int cy, int r, int stroke) {
    for (int y = cy - r; y <= cy + r; ++y)
      for (int x = cx - r; x <= cx + r; ++x) {
        const double d = std::hypot(x - cx, y - cy);
        if (d <= r && d > r - stroke) pixSetPixel(pix.get(), x, y, 0x202020ff);
      }
  }
};

bool holds(const Box& outer, int x0, int x1, int y) {
  return outer.x <= x0 + 12 && outer.x + outer.w >= x1 - 12 && outer.y <= y + 3 &&
         outer.y + outer.h >= y - 3;
}

TEST(PageMarks, DottedSolidAndLeaningRulesAreFoundAndPrintIsNot) {
  Page p(1600, 1000);
  p.word(100, 100, 6);         // "Prénom :" ...
  p.dots(240, 98, 400);        // ... a faint dotted field rule on its baseline
  p.word(100, 200, 12);        // a question
  p.rect(100, 260, 1300, 3);   // a solid answer line under it
  p.dots(100, 360, 1300, 45);  // a dotted one, leaning 2 degrees (a photo)
  p.word(100, 480, 5);         // an underlined word: the line is under the letters
  p.rect(100, 484, 100, 3);
  p.word(300, 600, 40);  // a long line of print
  std::mt19937 rng(7);   // specks all over the lower part
  std::uniform_int_distribution<int> X(0, 1595), Y(700, 995);
  for (int i = 0; i < 1500; ++i) p.rect(X(rng), Y(rng), 2, 2);

  const PageMarks m = findPageMarks(p.pix.get(), kLine);
  ASSERT_EQ(m.rules.size(), 3u) << "rules found: " << m.rules.size();
  EXPECT_TRUE(holds(m.rules[0], 240, 640, 99)) << m.rules[0].x << "," << m.rules[0].y;
  EXPECT_TRUE(holds(m.rules[1], 100, 1400, 261)) << m.rules[1].x << "," << m.rules[1].y;
  EXPECT_TRUE(holds(m.rules[2], 100, 1400, 340)) << m.rules[2].x << "," << m.rules[2].y;
  EXPECT_GE(m.rules[2].h, 40);  // it leans: its box holds the whole slope
  EXPECT_TRUE(m.boxes.empty());
}

TEST(PageMarks, DrawnBoxesAreFoundAndRoundLettersAreNot) {
  Page p(1200, 800);
  p.frame(100, 100, 32, 32, 3);    // a check box
  p.word(150, 130, 3);             // its choice
  p.frame(100, 200, 600, 240, 3);  // a box to write in
  p.ring(900, 150, 18, 4);         // an "O"
  p.ring(900, 400, 90, 4);         // a drawn ring
  p.frame(800, 600, 300, 120, 3);  // a frame with print in it: still a drawn box
  p.word(830, 680, 8);
  const PageMarks m = findPageMarks(p.pix.get(), kLine);
  ASSERT_EQ(m.boxes.size(), 3u);
  EXPECT_EQ(m.boxes[0].x, 100);
  EXPECT_EQ(m.boxes[0].w, 32);
  EXPECT_EQ(m.boxes[1].w, 600);
  EXPECT_EQ(m.boxes[2].x, 800);
  // A box's top and bottom sides are not rules (answer lines) of their own.
  EXPECT_TRUE(m.rules.empty()) << m.rules.size() << " rules, first at " << m.rules[0].y;
}

TEST(PageMarks, ATableIsFoundWithItsCellsAndItsLinesAreNotAnswerLines) {
  Page p(1200, 900);
  p.word(100, 80, 10);  // "Complète le tableau."
  p.table(100, 120, {300, 250, 250}, 4, 64);
  for (int c : {120, 420, 670}) p.word(c, 170, 4);           // the heads: "Mot", "Nature", "Genre"
  for (int r = 1; r < 4; ++r) p.word(120, 170 + r * 64, 5);  // the first column's words
  p.frame(100, 500, 600, 200, 3);  // a box to write in, under it: still a box
  const PageMarks m = findPageMarks(p.pix.get(), kLine);
  ASSERT_EQ(m.tables.size(), 1u);
  const TableGrid& t = m.tables[0];
  ASSERT_EQ(t.xs.size(), 4u);
  ASSERT_EQ(t.ys.size(), 5u);
  const int xs[] = {101, 401, 651, 901};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(t.xs[k], xs[k], 3) << "column line " << k;
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(t.ys[k], 121 + 64 * k, 3) << "row line " << k;
  EXPECT_TRUE(m.rules.empty()) << m.rules.size() << " rules, first at " << m.rules[0].y;
  ASSERT_EQ(m.boxes.size(), 1u) << "the table is not a box; the frame under it is";
  EXPECT_EQ(m.boxes[0].y, 500);
}

TEST(PageMarks, ALeaningTableIsStillATableAndAFramedDrawingIsNot) {
  Page p(1400, 1100);
  p.table(100, 100, {260, 260, 260}, 3, 70, 3.0);  // a photo of a sheet, turned 3 degrees
  p.frame(100, 500, 700, 400, 3);                  // a picture in a frame: a house, a sun
  p.stroke(200, 850, 450, 650, 4);
  p.stroke(450, 650, 700, 850, 4);
  p.stroke(200, 850, 700, 850, 4);
  p.ring(700, 620, 60, 6);
  p.stroke(100, 700, 797, 700, 4);  // and the ground, from side to side of the frame
  const PageMarks m = findPageMarks(p.pix.get(), kLine);
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].xs.size(), 4u);
  EXPECT_EQ(m.tables[0].ys.size(), 4u);
  EXPECT_LT(m.tables[0].ys.front(), 500);
}

TEST(PageMarks, NothingOnABlankOrTinyImage) {
  Page p(400, 300);
  EXPECT_TRUE(findPageMarks(p.pix.get(), 0).rules.empty());
  PixPtr tiny(pixCreate(4, 4, 8));
  EXPECT_TRUE(findPageMarks(tiny.get(), 30).boxes.empty());
  EXPECT_TRUE(findPageMarks(nullptr, 30).rules.empty());
}

}  // namespace
}  // namespace liseur::preprocess
