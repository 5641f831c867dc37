// preprocess/page_marks: the rules and drawn boxes of a worksheet, found on its own pixels —
// faint dotted rules, solid ones, one leaning as on a phone photo, a check box and a box to
// write in — while print, an underlined word, a letter O, a ring and scattered specks are not.
#include "preprocess/page_marks.h"

#include <leptonica/allheaders.h>

#include <cmath>
#include <random>

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

TEST(PageMarks, NothingOnABlankOrTinyImage) {
  Page p(400, 300);
  EXPECT_TRUE(findPageMarks(p.pix.get(), 0).rules.empty());
  PixPtr tiny(pixCreate(4, 4, 8));
  EXPECT_TRUE(findPageMarks(tiny.get(), 30).boxes.empty());
  EXPECT_TRUE(findPageMarks(nullptr, 30).rules.empty());
}

}  // namespace
}  // namespace liseur::preprocess
