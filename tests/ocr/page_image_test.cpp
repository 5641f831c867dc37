// preprocess/page_image: the screen-or-page judgement, the grey that keeps pale coloured ink, the
// polarity of dim photos, the sheet found in a photo, quarter turns mapped back exactly, the
// height of print, the paper's light flattened and specks cleared.
#include "preprocess/page_image.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "preprocess/text_image.h"
#include "support/test_env.h"

namespace liseur::preprocess {
namespace {

PixPtr load(const std::string& name) {
  const std::string path = test::dataPath("ocr/engine/" + name);
  PixPtr pix(pixRead(path.c_str()));
  EXPECT_TRUE(pix) << "cannot read " << path;
  return pix;
}

// An RGB image filled with `bg`, with `fg` rectangles of letter size in rows (print-like marks).
PixPtr marks(int w, int h, l_uint32 bg, l_uint32 fg, int mark_h, Box area) {
  PixPtr pix(pixCreate(w, h, 32));
  pixSetAllArbitrary(pix.get(), bg);
  for (int y = area.y; y + mark_h <= area.y + area.h; y += 2 * mark_h) {
    for (int x = area.x; x + mark_h <= area.x + area.w; x += mark_h + mark_h / 2) {
      BOX* b = boxCreate(x, y, mark_h * 2 / 3, mark_h);
      pixSetInRectArbitrary(pix.get(), b, fg);
      boxDestroy(&b);
    }
  }
  return pix;
}

l_uint32 rgb(int r, int g, int b) {
  l_uint32 v = 0;
  composeRGBPixel(r, g, b, &v);
  return v;
}

// The 8 bpp grey of `marks`.
PixPtr greyMarks(int w, int h, int bg, int fg, int mark_h, Box area) {
  PixPtr rgbPix = marks(w, h, rgb(bg, bg, bg), rgb(fg, fg, fg), mark_h, area);
  return PixPtr(pixConvertRGBToLuminance(rgbPix.get()));
}

void fillRect(Pix* pix, int x, int y, int w, int h, int value) {
  BOX* b = boxCreate(x, y, w, h);
  pixSetInRectArbitrary(pix, b, static_cast<l_uint32>(value));
  boxDestroy(&b);
}

int greyAt(Pix* pix, int x, int y) {
  l_uint32 v = 0;
  pixGetPixel(pix, x, y, &v);
  return static_cast<int>(v);
}

TEST(PageImage, ScreensAndPagesAreToldApartByTheirPixels) {
  for (const char* screen : {"dark-theme.png", "form.png", "buttons.png", "two-columns.png"}) {
    PixPtr pix = load(screen);
    ASSERT_TRUE(pix);
    const ImageTraits t = classifyImage(pix.get());
    EXPECT_EQ(t.kind, ImageKind::kScreen)
        << screen << ": flatness " << t.flatness << ", char height " << t.char_height;
  }
  for (const char* page : {"page-fr.jpg", "worksheet-photo.jpg"}) {
    PixPtr pix = load(page);
    ASSERT_TRUE(pix);
    const ImageTraits t = classifyImage(pix.get());
    EXPECT_EQ(t.kind, ImageKind::kDocument)
        << page << ": flatness " << t.flatness << ", char height " << t.char_height;
  }
  // A bilevel scan (fax, 1 bpp TIFF) is a page even with small clean print.
  PixPtr form = load("form.png");
  PixPtr grey(pixConvertRGBToLuminance(form.get()));
  PixPtr bilevel(pixThresholdToBinary(grey.get(), 128));
  const ImageTraits t = classifyImage(bilevel.get());
  EXPECT_EQ(t.grey_levels, 2);
  EXPECT_EQ(t.kind, ImageKind::kDocument);
}

TEST(PageImage, PaleColouredInkKeepsItsContrast) {
  // Pale yellow print on white: nearly white in luminance, dark in the darkest channel.
  PixPtr page =
      marks(400, 200, rgb(255, 255, 255), rgb(0xe8, 0xb4, 0x00), 20, Box{20, 20, 360, 160});
  PixPtr grey = pageGrey(page.get());
  ASSERT_TRUE(grey);
  l_uint32 ink = 0, paper = 0;
  pixGetPixel(grey.get(), 25, 30, &ink);
  pixGetPixel(grey.get(), 5, 5, &paper);
  EXPECT_LT(static_cast<int>(ink), 40) << "yellow ink in the page grey";
  EXPECT_GT(static_cast<int>(paper), 240);
  PixPtr lum(pixConvertRGBToLuminance(page.get()));
  pixGetPixel(lum.get(), 25, 30, &ink);
  EXPECT_GT(static_cast<int>(ink), 150) << "luminance alone would lose it";
}

TEST(PageImage, DimPhotoOfPaperStaysDarkOnLightAndAPlaqueIsInverted) {
  // A dim photo: grey paper (level 110) with black print, on a darker table.
  PixPtr dim = marks(600, 400, rgb(60, 60, 60), rgb(10, 10, 10), 12, Box{0, 0, 0, 0});
  BOX* sheet = boxCreate(60, 40, 480, 320);
  pixSetInRectArbitrary(dim.get(), sheet, rgb(110, 110, 110));
  boxDestroy(&sheet);
  PixPtr dim_print =
      marks(480, 320, rgb(110, 110, 110), rgb(10, 10, 10), 12, Box{30, 30, 420, 260});
  pixRasterop(dim.get(), 60, 40, 480, 320, PIX_SRC, dim_print.get(), 0, 0);
  PixPtr dim_grey(pixConvertRGBToLuminance(dim.get()));
  EXPECT_TRUE(inkIsDarker(dim_grey.get())) << "dim photo of a sheet";
  // A plaque: white letters on dark blue.
  PixPtr plaque = marks(500, 300, rgb(20, 40, 120), rgb(250, 250, 250), 24, Box{40, 40, 420, 220});
  PixPtr plaque_grey(pixConvertRGBToLuminance(plaque.get()));
  EXPECT_FALSE(inkIsDarker(plaque_grey.get())) << "white on blue plaque";
  PixPtr upright = pageGrey(plaque.get());
  l_uint32 letter = 0;
  pixGetPixel(upright.get(), 45, 50, &letter);
  EXPECT_LT(static_cast<int>(letter), 60) << "the plaque's letters become dark";
}

TEST(PageImage, TheSheetIsFoundOnATexturedTable) {
  const int w = 1200, h = 900;
  PixPtr photo(pixCreate(w, h, 8));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> grain(60, 140);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) pixSetPixel(photo.get(), x, y, grain(rng));
  const Box sheet{300, 100, 560, 700};
  BOX* b = boxCreate(sheet.x, sheet.y, sheet.w, sheet.h);
  pixSetInRectArbitrary(photo.get(), b, 235);
  boxDestroy(&b);
  for (int y = sheet.y + 40; y < sheet.y + sheet.h - 40; y += 30) {
    BOX* line = boxCreate(sheet.x + 40, y, sheet.w - 80, 10);
    pixSetInRectArbitrary(photo.get(), line, 20);
    boxDestroy(&line);
  }
  PixPtr masked;
  const Box found = findSheet(photo.get(), &masked);
  ASSERT_TRUE(masked) << "no sheet found";
  EXPECT_NEAR(found.x, sheet.x, 20);
  EXPECT_NEAR(found.y, sheet.y, 20);
  EXPECT_NEAR(found.x + found.w, sheet.x + sheet.w, 20);
  EXPECT_NEAR(found.y + found.h, sheet.y + sheet.h, 20);
  EXPECT_EQ(pixGetWidth(masked.get()), found.w);
  // The print stays; the table inside the crop's corners is white.
  l_uint32 v = 0;
  pixGetPixel(masked.get(), sheet.x + 50 - found.x, sheet.y + 45 - found.y, &v);
  EXPECT_LT(static_cast<int>(v), 60) << "print kept";
  // A scan whose paper fills the picture has no sheet to cut out.
  PixPtr scan(pixCreate(800, 1000, 8));
  pixSetAllArbitrary(scan.get(), 240);
  EXPECT_EQ(findSheet(scan.get(), nullptr).w, 0);
}

TEST(PageImage, TheSheetIsFoundWhereTheLightFallsAcrossThePhoto) {
  // A lamp at the top right: the table's lit end (up to 175) is brighter than the sheet's shaded
  // end (about 160), so no one grey level parts the sheet from the table; its border, a step of
  // 60 levels or more, is everywhere.
  const int w = 1200, h = 900;
  PixPtr photo(pixCreate(w, h, 8));
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> grain(-20, 20);
  const Box sheet{420, 60, 360, 780};
  auto light = [&](int x, int y) {
    return 0.55f + 0.45f * (float(x) / w + 1.0f - float(y) / h) / 2;
  };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool on_sheet =
          x >= sheet.x && x < sheet.x + sheet.w && y >= sheet.y && y < sheet.y + sheet.h;
      const float base = on_sheet ? 245.0f : 175.0f + grain(rng);
      pixSetPixel(
          photo.get(), x, y,
          static_cast<l_uint32>(std::clamp(base * light(x, y) / light(w, 0), 0.0f, 255.0f)));
    }
  }
  for (int y = sheet.y + 40; y < sheet.y + sheet.h - 40; y += 30) {
    fillRect(photo.get(), sheet.x + 30, y, sheet.w - 60, 10, 20);
  }
  ASSERT_GT(greyAt(photo.get(), w - 20, 20), greyAt(photo.get(), sheet.x + 10, h - 70) - 15)
      << "the table's lit end is not as bright as the sheet's shaded one";
  PixPtr masked;
  const Box found = findSheet(photo.get(), &masked);
  ASSERT_TRUE(masked) << "no sheet found";
  EXPECT_NEAR(found.x, sheet.x, 24);
  EXPECT_NEAR(found.y, sheet.y, 24);
  EXPECT_NEAR(found.x + found.w, sheet.x + sheet.w, 24);
  EXPECT_NEAR(found.y + found.h, sheet.y + sheet.h, 24);
}

TEST(PageImage, ARoundPlaqueKeepsTheLettersAtItsEdgeAndLosesItsRim) {
  // A bright disc (a plaque, inverted) on dark bricks, with a dark rim, and a row of large
  // letters near its top, where the disc is narrow: after the median filter they cut bays into
  // the bright region.
  const int w = 1000, h = 800, cx = 500, cy = 400, r = 330;
  PixPtr photo(pixCreate(w, h, 8));
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> grain(50, 110);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double d = std::hypot(x - cx, y - cy);
      const int v = d < r - 8 ? 235 : d < r ? 30 : grain(rng);
      pixSetPixel(photo.get(), x, y, static_cast<l_uint32>(v));
    }
  }
  for (int x = 390; x + 40 <= 610; x += 60) fillRect(photo.get(), x, 100, 40, 70, 20);
  PixPtr masked;
  const Box found = findSheet(photo.get(), &masked);
  ASSERT_TRUE(masked) << "no plaque found";
  EXPECT_NEAR(found.x, cx - r, 24);
  EXPECT_NEAR(found.x + found.w, cx + r, 24);
  // Every letter kept, the first and last included (nearest the rim).
  for (int x = 390; x + 40 <= 610; x += 60)
    EXPECT_LT(greyAt(masked.get(), x + 20 - found.x, 150 - found.y), 60) << "letter at x = " << x;
  // The rim is gone: left, right and bottom of the disc.
  EXPECT_EQ(greyAt(masked.get(), cx - r + 3 - found.x, cy - found.y), 255);
  EXPECT_EQ(greyAt(masked.get(), cx + r - 3 - found.x, cy - found.y), 255);
  EXPECT_EQ(greyAt(masked.get(), cx - found.x, cy + r - 3 - found.y), 255);
}

TEST(PageImage, PrintInNoLineFoundIsReturnedAsBlocks) {
  // Two blocks of 4 rows of 22 letters 20 px high, at (60, 60)-(494, 200) and (60, 400)-(494, 540).
  PixPtr page(pixCreate(800, 700, 8));
  pixSetAllArbitrary(page.get(), 245);
  for (int top : {60, 400}) {
    for (int y = top; y + 20 <= top + 140; y += 40)
      for (int x = 60; x + 14 <= 500; x += 20) fillRect(page.get(), x, y, 14, 20, 20);
  }
  // A pen's loop around the first row of the second block (not a letter: too wide).
  fillRect(page.get(), 40, 392, 480, 3, 20);
  // Every line of the first block claimed: the second is returned, as one block.
  std::vector<Box> first;
  for (int y = 60; y + 20 <= 200; y += 40) first.push_back(Box{58, y - 2, 446, 24});
  const UnclaimedPrint missed = unclaimedPrint(page.get(), 20, first);
  EXPECT_EQ(missed.letters, 176);
  EXPECT_EQ(missed.unclaimed, 88);
  ASSERT_EQ(missed.blocks.size(), 1u);
  const Box& b = missed.blocks[0];
  EXPECT_NEAR(b.x, 60, 6);
  EXPECT_NEAR(b.y, 400, 6);
  EXPECT_NEAR(b.x + b.w, 494, 6);
  EXPECT_NEAR(b.y + b.h, 540, 6);
  // All claimed (or a few letters missed): nothing to read again.
  std::vector<Box> all = first;
  for (int y = 400; y + 20 <= 540; y += 40) all.push_back(Box{58, y - 2, 446, 24});
  EXPECT_TRUE(unclaimedPrint(page.get(), 20, all).blocks.empty());
  all.back().w = 360;  // the last 4 letters of the last row out
  const UnclaimedPrint few = unclaimedPrint(page.get(), 20, all);
  EXPECT_EQ(few.unclaimed, 4);
  EXPECT_TRUE(few.blocks.empty());
}

TEST(PageImage, PrintTurnedAQuarterBesideThePageIsFoundAsVerticalBlocks) {
  // A receipt's side text: letters 20 px high turned a quarter (so 20 wide, 14 high), stacked in
  // two columns at the right, beside rows of ordinary print that are all claimed.
  PixPtr page(pixCreate(900, 800, 8));
  pixSetAllArbitrary(page.get(), 245);
  std::vector<Box> claimed;
  for (int y = 60; y + 20 <= 700; y += 40) {
    for (int x = 60; x + 14 <= 600; x += 20) fillRect(page.get(), x, y, 14, 20, 20);
    claimed.push_back(Box{58, y - 2, 546, 24});
  }
  for (int col : {780, 806})
    for (int y = 100; y + 14 <= 620; y += 18) fillRect(page.get(), col, y, 20, 14, 20);
  const UnclaimedPrint missed = unclaimedPrint(page.get(), 20, claimed);
  ASSERT_EQ(missed.vertical.size(), 1u) << "the two columns are one block";
  const Box& v = missed.vertical[0];
  EXPECT_NEAR(v.x, 780, 8);
  EXPECT_NEAR(v.x + v.w, 826, 8);
  EXPECT_NEAR(v.y, 100, 8);
  EXPECT_NEAR(v.y + v.h, 618, 8);
  EXPECT_TRUE(missed.blocks.empty()) << "turned print is not read as rows";
  // Upright letters of aligned rows stack too, but stand: not turned print (the test above).
  // A short stack (a few marks, a bullet list's dots) is not turned print either.
  PixPtr few(pixCreate(400, 400, 8));
  pixSetAllArbitrary(few.get(), 245);
  for (int y = 100; y + 14 <= 170; y += 18) fillRect(few.get(), 200, y, 20, 14, 20);
  EXPECT_TRUE(unclaimedPrint(few.get(), 20, {}).vertical.empty());
}

TEST(PageImage, ASheetSeenAtAnAngleIsRectifiedAndMappedBack) {
  using Q = std::array<Point, 4>;
  EXPECT_FALSE(seenAtAnAngle(Q{Point{10, 10}, Point{510, 12}, Point{509, 710}, Point{11, 708}}))
      << "square, a pixel or two off";
  const Q quad{Point{120, 80}, Point{900, 40}, Point{940, 700}, Point{80, 740}};
  EXPECT_TRUE(seenAtAnAngle(quad));
  // A grey image with one black dot at the sheet's centre (the quad's diagonals cross there).
  PixPtr photo(pixCreate(1000, 800, 8));
  pixSetAll(photo.get());
  Projective back;
  PixPtr square = rectifySheet(photo.get(), quad, &back);
  ASSERT_TRUE(square);
  // The corners of the result map back to the sheet's corners.
  const int w = pixGetWidth(square.get()), h = pixGetHeight(square.get());
  const Point tl = back.apply(0, 0), br = back.apply(static_cast<float>(w), static_cast<float>(h));
  EXPECT_NEAR(tl.x, 120, 2);
  EXPECT_NEAR(tl.y, 80, 2);
  EXPECT_NEAR(br.x, 940, 3);
  EXPECT_NEAR(br.y, 700, 3);
  // A box maps to the box around its mapped corners.
  const Box b = back.apply(Box{0, 0, w, h});
  EXPECT_NEAR(b.x, 80, 3);
  EXPECT_NEAR(b.y, 40, 3);
  EXPECT_NEAR(b.x + b.w, 940, 3);
  EXPECT_NEAR(b.y + b.h, 740, 3);
}

TEST(PageImage, QuarterTurnsMapBackExactly) {
  const int w = 120, h = 80;
  const Box mark{10, 20, 30, 15};
  PixPtr pix(pixCreate(w, h, 8));
  pixSetAll(pix.get());
  BOX* b = boxCreate(mark.x, mark.y, mark.w, mark.h);
  pixSetInRectArbitrary(pix.get(), b, 0);
  boxDestroy(&b);
  for (int q = 0; q < 4; ++q) {
    PixPtr turned = rotateQuarterTurns(pix.get(), q);
    ASSERT_TRUE(turned);
    // Where the mark is in the turned image.
    PixPtr bin(pixThresholdToBinary(turned.get(), 128));
    BOXA* boxa = pixConnCompBB(bin.get(), 8);
    ASSERT_EQ(boxaGetCount(boxa), 1) << q << " quarter turns";
    l_int32 x, y, bw, bh;
    boxaGetBoxGeometry(boxa, 0, &x, &y, &bw, &bh);
    boxaDestroy(&boxa);
    EXPECT_EQ(unturnBox(Box{x, y, bw, bh}, q, w, h), mark) << q << " quarter turns";
  }
}

TEST(PageImage, SpecksFarFromLettersAreClearedDotsAndEllipsesNextToThemStay) {
  // Letters 24 px high in rows at (50, 50)-(450, 250): 4 rows of 11.
  PixPtr page = greyMarks(800, 600, 250, 20, 24, Box{50, 50, 400, 200});
  ASSERT_TRUE(page);
  // Three specks of toner far from any letter.
  const int specks[3][2] = {{600, 400}, {700, 500}, {650, 560}};
  for (const auto& p : specks) fillRect(page.get(), p[0], p[1], 3, 3, 20);
  // The dot of an i above the first letter, and an ellipsis after the first row.
  fillRect(page.get(), 56, 42, 4, 4, 20);
  for (int k = 0; k < 3; ++k) fillRect(page.get(), 440 + 8 * k, 70, 4, 4, 20);
  // The dotted answer line of a form, far from any letter.
  for (int k = 0; k < 30; ++k) fillRect(page.get(), 100 + 8 * k, 320, 3, 3, 20);

  const Specks found = removeSpecks(page.get(), 24);
  EXPECT_EQ(found.specks, 3);
  EXPECT_EQ(found.letters, 44);
  for (const auto& p : specks) EXPECT_EQ(greyAt(page.get(), p[0] + 1, p[1] + 1), 255);
  EXPECT_EQ(greyAt(page.get(), 57, 43), 20) << "the dot of an i was cleared";
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(greyAt(page.get(), 441 + 8 * k, 71), 20) << "an ellipsis dot was cleared";
  }
  for (int k = 0; k < 30; ++k) {
    EXPECT_EQ(greyAt(page.get(), 101 + 8 * k, 321), 20) << "dot " << k << " of a dotted line";
  }
  EXPECT_EQ(greyAt(page.get(), 58, 60), 20) << "a letter was cleared";

  // Too small a character height to tell specks from print: nothing is touched.
  PixPtr small = greyMarks(200, 100, 250, 20, 6, Box{10, 10, 100, 40});
  fillRect(small.get(), 180, 80, 1, 1, 20);
  const Specks none = removeSpecks(small.get(), 6);
  EXPECT_EQ(none.specks, 0);
  EXPECT_EQ(greyAt(small.get(), 180, 80), 20);
}

TEST(PageImage, PrintHeightIsMeasuredAtAnySizeAndLargeBarsAreNotPrint) {
  PixPtr page = greyMarks(1000, 800, 245, 30, 30, Box{60, 60, 880, 680});
  ASSERT_TRUE(page);
  EXPECT_NEAR(documentCharHeight(page.get()), 30, 2);
  // A 600 dpi scan: 3000 x 2400 px, print 60 px high, measured on a reduced copy.
  PixPtr large = greyMarks(3000, 2400, 245, 30, 60, Box{150, 150, 2700, 2100});
  ASSERT_TRUE(large);
  EXPECT_NEAR(documentCharHeight(large.get()), 60, 4);
  // Marks over an eighth of the picture high (bricks, bars) are not print.
  PixPtr bars = greyMarks(400, 300, 245, 30, 60, Box{20, 20, 360, 260});
  ASSERT_TRUE(bars);
  EXPECT_EQ(documentCharHeight(bars.get()), estimateTextHeight(bars.get()));
  // A sparse page (a title and a short line: well under 1 % of ink) is measured too.
  PixPtr sparse = greyMarks(2000, 1500, 245, 30, 30, Box{100, 100, 600, 30});
  ASSERT_TRUE(sparse);
  EXPECT_NEAR(documentCharHeight(sparse.get()), 30, 2);
  // No ink at all.
  PixPtr blank(pixCreate(300, 200, 8));
  pixSetAllArbitrary(blank.get(), 240);
  EXPECT_EQ(documentCharHeight(blank.get()), 0);
}

TEST(PageImage, AShadowOnThePaperIsFlattenedToWhiteAndTheInkStaysDark) {
  // A page lit from the left: the paper goes from 250 to 110 across, ink 25 on it.
  const int w = 1200, h = 900;
  PixPtr page(pixCreate(w, h, 8));
  ASSERT_TRUE(page);
  for (int x = 0; x < w; ++x) {
    const int paper = 250 - 140 * x / (w - 1);
    for (int y = 0; y < h; ++y) pixSetPixel(page.get(), x, y, static_cast<l_uint32>(paper));
  }
  for (int y = 60; y + 24 <= 700; y += 48) {
    for (int x = 60; x + 24 <= w - 60; x += 36) fillRect(page.get(), x, y, 16, 24, 25);
  }
  ASSERT_LT(greyAt(page.get(), w - 30, 800), 140) << "the shadow is not there to flatten";

  PixPtr flat = flattenLight(page.get());
  ASSERT_TRUE(flat);
  ASSERT_EQ(pixGetDepth(flat.get()), 8);
  // Paper everywhere, in the margins and between the rows, shadowed side included.
  for (int x = 10; x < w; x += 97) {
    EXPECT_GE(greyAt(flat.get(), x, 800), 215) << "paper at x = " << x;
    EXPECT_GE(greyAt(flat.get(), x, 95), 215) << "paper between rows at x = " << x;
  }
  // Ink dark on both sides.
  EXPECT_LT(greyAt(flat.get(), 68, 72), 100);
  EXPECT_LT(greyAt(flat.get(), 60 + 36 * 29 + 8, 72), 100);
  // The input is left as it was.
  EXPECT_LT(greyAt(page.get(), w - 30, 800), 140);
}

TEST(PageImage, TintedPaperKeepsItsLuminanceAndColouredInkItsDarkestChannel) {
  // Blue-grey carbon-copy paper, grey typewriter ink, violet ink, a pale yellow heading.
  PixPtr page(pixCreate(400, 300, 32));
  ASSERT_TRUE(page);
  pixSetAllArbitrary(page.get(), rgb(143, 147, 127));
  BOX* grey_ink = boxCreate(20, 20, 100, 30);
  BOX* violet = boxCreate(20, 80, 100, 30);
  BOX* yellow = boxCreate(20, 140, 100, 30);
  pixSetInRectArbitrary(page.get(), grey_ink, rgb(60, 62, 55));
  pixSetInRectArbitrary(page.get(), violet, rgb(120, 60, 160));
  pixSetInRectArbitrary(page.get(), yellow, rgb(250, 220, 60));
  boxDestroy(&grey_ink);
  boxDestroy(&violet);
  boxDestroy(&yellow);
  PixPtr grey = pageGrey(page.get());
  ASSERT_TRUE(grey);
  // The paper near its luminance (142), not its darkest channel (127), which carries the noise.
  EXPECT_NEAR(greyAt(grey.get(), 300, 250), 142, 3);
  EXPECT_NEAR(greyAt(grey.get(), 50, 30), 61, 3);
  // Coloured ink by its darkest channel: violet 60 (luminance 98), yellow 60 (luminance 197).
  EXPECT_EQ(greyAt(grey.get(), 50, 90), 60);
  EXPECT_EQ(greyAt(grey.get(), 50, 150), 60);
}

// A page of print whose lines curve down towards both sides by up to `bow` px, as a book's page
// photographed open; `boxes` receives each mark's box.
PixPtr curvedPage(int bow, std::vector<Box>* boxes) {
  const int w = 1600, h = 2000;
  PixPtr page(pixCreate(w, h, 8));
  pixSetAllArbitrary(page.get(), 245);
  for (int line = 0; line < 32; ++line) {
    for (int x = 100; x + 16 <= w - 100; x += 22) {
      if ((x / 22) % 6 == 5) continue;  // a space between words
      const float u = (x + 8 - w / 2.0f) / (w / 2.0f);
      const int y = 150 + line * 55 + static_cast<int>(bow * u * u);
      fillRect(page.get(), x, y, 16, 24, 30);
      if (boxes) boxes->push_back(Box{x, y, 16, 24});
    }
  }
  return page;
}

TEST(PageImage, CurvedLinesAreStraightenedAndMappedBack) {
  std::vector<Box> marks_in_source;
  PixPtr page = curvedPage(40, &marks_in_source);
  ASSERT_TRUE(page);
  Unwarp unwarp;
  PixPtr straight = dewarpPage(page.get(), &unwarp);
  ASSERT_TRUE(straight) << "no model of the curved lines";
  ASSERT_FALSE(unwarp.empty());
  EXPECT_EQ(pixGetWidth(straight.get()), pixGetWidth(page.get()));

  PixPtr ink(pixThresholdToBinary(straight.get(), 128));
  BOXA* found = pixConnCompBB(ink.get(), 8);
  ASSERT_TRUE(found);
  // A line of the middle of the page, straight: its marks' tops within a few px of each other
  // (40 px apart in the source).
  int top_min = 1 << 30, top_max = -1, in_line = 0, mapped_well = 0, letters = 0;
  for (int i = 0; i < boxaGetCount(found); ++i) {
    l_int32 x, y, bw, bh;
    boxaGetBoxGeometry(found, i, &x, &y, &bw, &bh);
    if (bw < 8 || bh < 12) continue;
    ++letters;
    const Box back = unwarp.apply(Box{x, y, bw, bh});
    for (const Box& m : marks_in_source) {
      const int ow = std::min(back.x + back.w, m.x + m.w) - std::max(back.x, m.x);
      const int oh = std::min(back.y + back.h, m.y + m.h) - std::max(back.y, m.y);
      if (ow > 0 && oh > 0 && ow * oh * 2 > m.w * m.h) {
        ++mapped_well;
        if (m.y >= 150 + 16 * 55 && m.y <= 150 + 16 * 55 + 40) {
          ++in_line;
          top_min = std::min(top_min, y);
          top_max = std::max(top_max, y);
        }
        break;
      }
    }
  }
  boxaDestroy(&found);
  EXPECT_GT(letters, 1500);
  // Every mark of the straightened page maps back onto its mark of the source.
  EXPECT_GE(mapped_well, letters * 95 / 100) << mapped_well << " of " << letters;
  ASSERT_GT(in_line, 40);
  EXPECT_LE(top_max - top_min, 8) << "line 16 still curves";

  // A page whose lines are straight is left as it is.
  PixPtr flat = curvedPage(0, nullptr);
  Unwarp none;
  EXPECT_FALSE(dewarpPage(flat.get(), &none));
  EXPECT_TRUE(none.empty());
}

TEST(PageImage, TheMapBackHoldsTheEdgeShiftPastTheGridsLastPoint) {
  // A 3x2 grid, step 100 (covering x 0..200, y 0..100): each point comes from 5 px right and
  // (column + 1) * 2 px lower in the source.
  Unwarp u;
  u.step = 100;
  u.cols = 3;
  u.rows = 2;
  for (int r = 0; r < u.rows; ++r)
    for (int c = 0; c < u.cols; ++c)
      u.from.push_back(Point{c * 100.0f + 5, r * 100.0f + (c + 1) * 2.0f});
  // Inside: interpolated between the grid's points.
  const Point mid = u.apply(150, 50);
  EXPECT_FLOAT_EQ(mid.x, 155);
  EXPECT_FLOAT_EQ(mid.y, 55);
  // Past the last column and row (a word at the page's right or bottom edge): the shift of the
  // nearest edge point, carried on; never pulled back onto the grid.
  const Point right = u.apply(260, 40);
  EXPECT_FLOAT_EQ(right.x, 265);
  EXPECT_FLOAT_EQ(right.y, 46);
  const Point corner = u.apply(230, 130);
  EXPECT_FLOAT_EQ(corner.x, 235);
  EXPECT_FLOAT_EQ(corner.y, 136);
  // A box across the right edge maps to the whole-pixel box around its mapped corners and sides.
  const Box b = u.apply(Box{180, 20, 60, 20});
  EXPECT_NEAR(b.x, 185, 1);
  EXPECT_NEAR(b.x + b.w, 245, 1);
  EXPECT_GE(b.y, 20 + 5);
  EXPECT_LE(b.y + b.h, 40 + 7);
}

TEST(PageImage, DottedLinesToWriteOnAreClearedEllipsesAndBrokenPrintStay) {
  // Labels 24 px high, then a dotted line of 30 even dots; an ellipsis after a word; a row of
  // uneven fragments at uneven heights (a faint carbon copy's broken letters).
  PixPtr page = greyMarks(1000, 400, 250, 20, 24, Box{50, 50, 60, 24});
  ASSERT_TRUE(page);
  for (int k = 0; k < 30; ++k) fillRect(page.get(), 130 + 10 * k, 70, 4, 4, 20);
  fillRect(page.get(), 50, 150, 16, 24, 20);
  for (int k = 0; k < 3; ++k) fillRect(page.get(), 72 + 8 * k, 170, 4, 4, 20);
  for (int k = 0; k < 12; ++k) {
    fillRect(page.get(), 50 + 11 * k + (k % 3) * 3, 250 + (k % 4) * 3, 2 + k % 4, 3 + k % 3, 20);
  }
  EXPECT_EQ(clearDottedLines(page.get(), 24), 1);
  for (int k = 0; k < 30; ++k) EXPECT_EQ(greyAt(page.get(), 131 + 10 * k, 71), 255) << k;
  EXPECT_EQ(greyAt(page.get(), 58, 60), 20) << "a label was cleared";
  for (int k = 0; k < 3; ++k) EXPECT_EQ(greyAt(page.get(), 73 + 8 * k, 171), 20) << "ellipsis";
  EXPECT_EQ(greyAt(page.get(), 50, 250), 20) << "broken print was cleared";
  // Too small a print height to tell: nothing is touched.
  EXPECT_EQ(clearDottedLines(page.get(), 6), 0);
}

}  // namespace
}  // namespace liseur::preprocess
