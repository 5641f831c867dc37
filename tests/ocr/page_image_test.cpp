// preprocess/page_image: the screen-or-page judgement, the grey that keeps pale coloured ink, the
// polarity of dim photos, the sheet found in a photo, and quarter turns mapped back exactly.
#include "preprocess/page_image.h"

#include <leptonica/allheaders.h>

#include <random>
#include <string>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace liseur::preprocess
