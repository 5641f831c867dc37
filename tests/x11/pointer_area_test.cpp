// Which part of the screen "read under the pointer" reads (capture/pointer_area.h), on drawn
// screens: lines of glyph-sized marks, frames and rules, light and dark themes. No X server.
#include "capture/pointer_area.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>

namespace liseur {
namespace {

struct Theme {
  uint8_t background, ink;
};
constexpr Theme kLight{250, 40}, kDark{45, 220};
void PrintTo(const Theme& t, std::ostream* os) {
  *os << (t.background > t.ink ? "dark ink on light" : "light ink on dark");
}

class Screen {
 public:
  Screen(int w, int h, Theme t) : t_(t) {
    img.width = w;
    img.height = h;
    img.stride = w * 4;
    img.bgra.assign(static_cast<std::size_t>(img.stride) * h, static_cast<char>(t.background));
  }
  void fill(int x, int y, int w, int h, uint8_t v) {
    for (int yy = y; yy < y + h; ++yy)
      for (int xx = x; xx < x + w; ++xx)
        for (int c = 0; c < 3; ++c)
          img.bgra[static_cast<std::size_t>(yy) * img.stride + 4 * xx + c] = static_cast<char>(v);
  }
  // A line of text from x0 to x1 at row y: 7x11 px "letters" 2 px apart, words of five letters
  // 6 px apart (narrower than any gap between texts), the last one ending at x1.
  void textLine(int x0, int x1, int y) {
    int x = x0, letter = 0;
    while (x + 7 <= x1) {
      fill(x, y, 7, 11, t_.ink);
      x += 9;
      if (++letter % 5 == 0) x += 4;
    }
    fill(x1 - 7, y, 7, 11, t_.ink);
  }
  // A terminal's line of small letters only ("a ses raisons"): 7x7 px letters in 10 px cells,
  // words one empty cell apart (13 px of background between them, wider than the letters are
  // high).
  void terminalLine(int x0, int words, int y) {
    int x = x0;
    for (int w = 0; w < words; ++w, x += 10)
      for (int l = 0; l < 4; ++l, x += 10) fill(x, y, 7, 7, t_.ink);
  }
  void frame(int x, int y, int w, int h) {
    fill(x, y, w, 1, t_.ink);
    fill(x, y + h - 1, w, 1, t_.ink);
    fill(x, y, 1, h, t_.ink);
    fill(x + w - 1, y, 1, h, t_.ink);
  }
  CapturedImage img;

 private:
  Theme t_;
};

std::string text(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + " " + std::to_string(b.w) + "x" +
         std::to_string(b.h);
}

class PointerArea : public ::testing::TestWithParam<Theme> {};

// A paragraph wider than the area, with a side bar's label to its left and another paragraph
// below: the area holds the paragraph's lines whole, across and down, and neither neighbour.
TEST_P(PointerArea, HoldsTheParagraphUnderThePointerWholeAndNotItsNeighbours) {
  Screen s(1920, 720, GetParam());
  s.textLine(10, 60, 320);  // the side bar's label, 40 px left of the paragraph
  for (int y : {300, 320, 340}) s.textLine(100, 1700, y);
  for (int y : {400, 420}) s.textLine(100, 1700, y);  // the next paragraph, 49 px below
  const Box a = readableAreaAround(s.img, 960, 325, 900, 360);
  EXPECT_LE(a.x, 100) << text(a);
  EXPECT_GT(a.x, 60) << "the side bar's label is left out: " << text(a);
  EXPECT_GE(a.x + a.w, 1700) << text(a);
  EXPECT_LE(a.y, 300) << text(a);
  EXPECT_GE(a.y + a.h, 351) << text(a);
  EXPECT_LT(a.y + a.h, 400) << "the next paragraph is left out: " << text(a);
}

// Between two lines of a paragraph (on the blank rows between them), the pointer is on that
// paragraph.
TEST_P(PointerArea, ThePointerBetweenTwoLinesIsOnTheirParagraph) {
  Screen s(1920, 720, GetParam());
  for (int y : {300, 320, 340}) s.textLine(100, 1700, y);
  const Box a = readableAreaAround(s.img, 960, 334, 900, 360);
  EXPECT_LE(a.x, 100) << text(a);
  EXPECT_GE(a.x + a.w, 1700) << text(a);
  EXPECT_LE(a.y, 300) << text(a);
  EXPECT_GE(a.y + a.h, 351) << text(a);
}

// In a terminal, the space between two words of small letters is wider than the letters are
// high: still one line, read whole.
TEST_P(PointerArea, ATerminalsLineOfSmallLettersIsNotCutAtItsSpaces) {
  Screen s(1920, 720, GetParam());
  s.terminalLine(100, 12, 300);  // 12 words: 100 .. 687
  const Box a = readableAreaAround(s.img, 400, 303, 200, 60);
  EXPECT_LE(a.x, 100) << text(a);
  EXPECT_GE(a.x + a.w, 687) << text(a);
}

// Nothing under the pointer: the box centred on it, moved so that the line its top edge
// crossed is whole, and widened so that the line is whole across.
TEST_P(PointerArea, WithNoTextUnderThePointerTheBoxCutsNoLine) {
  Screen s(1920, 720, GetParam());
  s.textLine(300, 1500, 215);  // crosses the centred box's top edge (row 220)
  const Box a = readableAreaAround(s.img, 960, 400, 900, 360);
  EXPECT_LE(a.y, 214) << text(a);
  EXPECT_GE(a.y + a.h, 580) << text(a);
  EXPECT_LE(a.x, 300) << text(a);
  EXPECT_GE(a.x + a.w, 1500) << text(a);
}

// A frame's border under the pointer is not text: the centred box is read (the nearest block).
TEST_P(PointerArea, AFramesBorderIsNotText) {
  Screen s(1920, 720, GetParam());
  s.frame(800, 370, 300, 60);
  const Box a = readableAreaAround(s.img, 800, 400, 900, 360);
  EXPECT_EQ(a, (Box{350, 220, 900, 360})) << text(a);
}

// A panel's edge (a rule the whole band tall) beside a label does not stop or widen the area as
// text would: the label is read alone.
TEST_P(PointerArea, APanelsEdgeIsNotText) {
  Screen s(1920, 720, GetParam());
  s.fill(270, 0, 1, 720, 128);
  s.textLine(20, 120, 300);
  const Box a = readableAreaAround(s.img, 60, 305, 900, 360);
  EXPECT_LE(a.x, 20) << text(a);
  EXPECT_GE(a.x + a.w, 120) << text(a);
  EXPECT_LT(a.x + a.w, 270) << text(a);
  EXPECT_LT(a.h, 40) << "one line: " << text(a);
}

INSTANTIATE_TEST_SUITE_P(Themes, PointerArea, ::testing::Values(kLight, kDark),
                         [](const auto& info) { return info.index == 0 ? "Light" : "Dark"; });

TEST(PointerAreaBand, TheBandIsTheOutputsWidthAndTwiceTheHeightCentredOnThePointer) {
  EXPECT_EQ(pointerBand(Box{0, 0, 1920, 1080}, 540, 360), (Box{0, 180, 1920, 720}));
  EXPECT_EQ(pointerBand(Box{0, 0, 1920, 1080}, 10, 360), (Box{0, 0, 1920, 720}));
  EXPECT_EQ(pointerBand(Box{0, 0, 1920, 1080}, 1075, 360), (Box{0, 360, 1920, 720}));
  EXPECT_EQ(pointerBand(Box{1920, 0, 1280, 600}, 300, 360), (Box{1920, 0, 1280, 600}));
}

TEST(PointerAreaCrop, ACropKeepsItsPixelsAndMovesOriginAndPointer) {
  Screen s(100, 50, kLight);
  s.fill(30, 20, 2, 2, 7);
  s.img.origin = Box{1000, 500, 100, 50};
  s.img.pointer_x = 31;
  s.img.pointer_y = 21;
  CapturedImage c = cropCaptured(s.img, Box{30, 20, 10, 5});
  ASSERT_EQ(c.width, 10);
  ASSERT_EQ(c.height, 5);
  EXPECT_EQ(c.stride, 40);
  EXPECT_EQ(c.origin, (Box{1030, 520, 10, 5}));
  EXPECT_EQ(c.pointer_x, 1);
  EXPECT_EQ(c.pointer_y, 1);
  EXPECT_EQ(static_cast<uint8_t>(c.bgra[0]), 7);
  EXPECT_EQ(static_cast<uint8_t>(c.bgra[4 * 2]), 250);
  EXPECT_EQ(cropCaptured(s.img, Box{200, 200, 5, 5}).width, 0) << "outside: empty";
}

}  // namespace
}  // namespace liseur
