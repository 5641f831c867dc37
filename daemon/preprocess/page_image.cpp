#include "preprocess/page_image.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "preprocess/text_image.h"

namespace liseur::preprocess {
namespace {

// Below this share of equal neighbours an image has sensor or JPEG noise on its background.
constexpr double kNoisyFlatness = 0.6;
// Characters this tall (height-weighted median of the components, px) are print: 8 pt text
// scanned at 200 dpi or more measures 18 px and over. Screen text at 1x-1.25x measures 7-13 px;
// a screenshot file at 1.5x or more may reach it, and is then read as a page (Tesseract reads
// large clean text well); captures made by liseur itself are never judged (RecogniseMode).
constexpr float kPrintCharHeight = 18.0f;
// Grey level (of 255) from which a flattened page is taken as paper.
constexpr int kPaperLevel = 215;
// A sheet stands out from what is around it in a photo by at least this many grey levels.
constexpr float kSheetContrast = 48;
// Marks of a page's ink (darker than this) this high, in character heights, and at most this wide,
// are letters; print is worth a second reading when at least kMinUnclaimedLetters of them and one
// in kUnclaimedShare of the page's are in no line Tesseract found.
constexpr int kInkLevel = 160;
constexpr float kLetterMinChars = 0.5f;
constexpr float kLetterMaxChars = 1.5f;
constexpr float kLetterWideChars = 2.5f;
constexpr int kMinUnclaimedLetters = 20;
constexpr int kUnclaimedShare = 5;
// A column of unclaimed letters at least this many character heights tall and this many times
// taller than wide is a line of print turned a quarter.
constexpr float kVerticalLineChars = 6;
constexpr float kVerticalAspect = 4;
// Letters this many character heights apart or less are in one block of unclaimed print.
constexpr float kBlockGapChars = 4;
// A sheet covers at least this share of the photo.
constexpr double kSheetShare = 0.1;
// Where the light falls across a photo, the sheet's border is a step of at least this many grey
// levels across a few pixels of the median-filtered thumbnail.
constexpr int kSheetEdge = 20;
// A sheet region fills at least this share of the quadrilateral of its corners.
constexpr double kQuadFill = 0.93;
// A sheet whose corners are further than this share of its diagonal from those of its bounding
// box is seen at an angle, and rectified.
constexpr float kAngledSheet = 0.02f;
// A pixel whose saturation ((max - min) / max of its channels) is at most this is neutral and
// taken by its luminance; from kColouredSaturation on, it is coloured and taken by its darkest
// channel. Between, a blend. The paper's and the sensor's tints stay under 0.12 on the real pages
// measured (tinted and carbon-copy paper included); pale coloured ink is over 0.3.
// A row of dots at least this many character heights wide, of at least kDottedLineDots dots, is
// a dotted line to write on, not an ellipsis; its dots are at most kDotChars characters either way.
constexpr float kDottedLineChars = 2.5f;
constexpr int kDottedLineDots = 6;
constexpr float kDotChars = 0.4f;
// A line of print whose middle is this many px above or below its ends is curved.
constexpr double kCurvedLineBow = 4;
constexpr float kNeutralSaturation = 0.12f;
constexpr float kColouredSaturation = 0.3f;

int oddAtLeast(int v, int lo) {
  v = std::max(v, lo);
  return v | 1;
}

// Area of the largest 4-connected component of `mask` (1 bpp), px.
long largestComponent(Pix* mask) {
  BOXA* boxes = nullptr;
  PIXA* pixa = nullptr;
  boxes = pixConnComp(mask, &pixa, 4);
  long best = 0;
  if (pixa) {
    for (int i = 0; i < pixaGetCount(pixa); ++i) {
      Pix* p = pixaGetPix(pixa, i, L_CLONE);
      l_int32 n = 0;
      pixCountPixels(p, &n, nullptr);
      pixDestroy(&p);
      best = std::max<long>(best, n);
    }
    pixaDestroy(&pixa);
  }
  if (boxes) boxaDestroy(&boxes);
  return best;
}

// Grey of an RGB page where each pixel's colour decides: its luminance where it is nearly neutral
// (black or grey ink, white, grey or tinted paper, and the colour noise of a camera or a JPEG,
// which the darkest channel would make grain), its darkest channel where it is coloured (pale
// yellow, light blue or violet ink, which luminance makes nearly paper), blended in between.
PixPtr colourWeightedGrey(Pix* rgb) {
  const int w = pixGetWidth(rgb), h = pixGetHeight(rgb);
  PixPtr out(pixCreate(w, h, 8));
  if (!out) return nullptr;
  pixCopyResolution(out.get(), rgb);
  const l_uint32* src = pixGetData(rgb);
  l_uint32* dst = pixGetData(out.get());
  const int swpl = pixGetWpl(rgb), dwpl = pixGetWpl(out.get());
  constexpr float span = kColouredSaturation - kNeutralSaturation;
  for (int y = 0; y < h; ++y) {
    const l_uint32* srow = src + y * swpl;
    l_uint32* drow = dst + y * dwpl;
    for (int x = 0; x < w; ++x) {
      l_int32 r, g, b;
      extractRGBValues(srow[x], &r, &g, &b);
      const int mx = std::max({r, g, b}), mn = std::min({r, g, b});
      // Luminance with Leptonica's weights (pixConvertRGBToLuminance).
      const float lum = 0.3f * r + 0.5f * g + 0.2f * b;
      const float sat = mx > 0 ? static_cast<float>(mx - mn) / mx : 0.0f;
      const float k = std::clamp((sat - kNeutralSaturation) / span, 0.0f, 1.0f);
      const int v = static_cast<int>(lum - k * (lum - mn) + 0.5f);
      SET_DATA_BYTE(drow, x, std::clamp(v, 0, 255));
    }
  }
  return out;
}

// The smallest whole-pixel box (never left of or above 0) around some points.
template <typename Points>
Box boxAround(const Points& points) {
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const Point& p : points) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  const int ix = std::max(0, static_cast<int>(std::floor(x0)));
  const int iy = std::max(0, static_cast<int>(std::floor(y0)));
  return Box{ix, iy, std::max(0, static_cast<int>(std::ceil(x1)) - ix),
             std::max(0, static_cast<int>(std::ceil(y1)) - iy)};
}

// The ink of a page (darker than kInkLevel) parted into letters (marks reaching `small` px either
// way) and the small marks left: dots, accents, specks.
struct InkParts {
  PixPtr letters, marks;
};
InkParts partInk(Pix* grey8, int small) {
  InkParts out;
  PixPtr ink(pixThresholdToBinary(grey8, kInkLevel));
  if (!ink) return out;
  l_int32 changed = 0;
  out.letters.reset(
      pixSelectBySize(ink.get(), small, small, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, &changed));
  if (out.letters) out.marks.reset(pixSubtract(nullptr, ink.get(), out.letters.get()));
  return out;
}

// Small marks less than half a character apart joined into rows (1 px high, widened by the gap).
PixPtr rowsOfMarks(Pix* marks, float char_height) {
  const int gap = static_cast<int>(char_height / 2) + 1;
  return PixPtr(pixDilateBrick(nullptr, marks, gap, 1));
}

}  // namespace

bool inkIsDarker(Pix* grey8) {
  if (!grey8 || pixGetDepth(grey8) != 8) return true;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  if (!hasDarkBackground(grey8)) return true;
  if (w < 8 || h < 8) return false;
  // A dark median may be a dim photo of a white sheet: the ground is the largest region of one
  // side of Otsu's split, measured on a thumbnail where letters are a few pixels. Paper is one
  // large bright region, a plaque or a slide one large dark region around small bright letters.
  const float factor = std::min(1.0f, 320.0f / std::max(w, h));
  PixPtr small(factor < 1 ? pixScaleAreaMap(grey8, factor, factor) : pixClone(grey8));
  if (!small) return true;
  l_int32 split = 128;
  if (NUMA* hist = pixGetGrayHistogram(small.get(), 1)) {
    numaSplitDistribution(hist, 0.0f, &split, nullptr, nullptr, nullptr, nullptr, nullptr);
    numaDestroy(&hist);
  }
  PixPtr dark(pixThresholdToBinary(small.get(), split + 1));  // 1 = level <= split
  if (!dark) return true;
  PixPtr bright(pixInvert(nullptr, dark.get()));
  const long dark_area = largestComponent(dark.get());
  const long bright_area = largestComponent(bright.get());
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(stderr, "polarity: largest dark %ld, bright %ld\n", dark_area, bright_area);
  return bright_area >= dark_area;
}

ImageTraits classifyImage(Pix* src) {
  ImageTraits t;
  if (!src) return t;
  PixPtr grey = toGrey8(src);
  if (!grey) return t;
  const int w = pixGetWidth(grey.get()), h = pixGetHeight(grey.get());
  if (w < 2 || h < 2) return t;
  // Every row for small images, about 300 rows for large ones: the share is a mean.
  const int step = std::max(1, h / 300);
  const l_uint32* data = pixGetData(grey.get());
  const int wpl = pixGetWpl(grey.get());
  std::array<long, 256> hist{};
  long equal = 0, pairs = 0;
  for (int y = 0; y < h; y += step) {
    const l_uint32* row = data + y * wpl;
    int prev = GET_DATA_BYTE(row, 0);
    ++hist[prev];
    for (int x = 1; x < w; ++x) {
      const int v = GET_DATA_BYTE(row, x);
      ++hist[v];
      equal += v == prev;
      prev = v;
    }
    pairs += w - 1;
  }
  const long total = std::max(1L, pairs + (h + step - 1) / step);
  t.flatness = pairs > 0 ? double(equal) / pairs : 1.0;
  t.grey_levels = static_cast<int>(
      std::count_if(hist.begin(), hist.end(), [&](long n) { return n > 0 && n * 2000 >= total; }));
  t.char_height = estimateTextHeight(grey.get());
  const bool noisy = t.flatness < kNoisyFlatness;
  const bool bilevel = t.grey_levels <= 2;
  const bool print = t.char_height >= kPrintCharHeight;
  t.kind = (noisy || bilevel || print) ? ImageKind::kDocument : ImageKind::kScreen;
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(stderr, "traits: flatness %.3f, %d grey levels, char height %.1f, %dx%d: %s\n",
                 t.flatness, t.grey_levels, t.char_height, w, h,
                 t.kind == ImageKind::kDocument ? "document" : "screen");
  return t;
}

PixPtr pageGrey(Pix* src) {
  if (!src) return nullptr;
  PixPtr grey;
  if (pixGetDepth(src) == 32) {
    PixPtr opaque;
    Pix* cur = src;
    if (pixGetSpp(src) == 4) {
      opaque.reset(pixAlphaBlendUniform(src, 0xffffff00));
      if (!opaque) return nullptr;
      cur = opaque.get();
    }
    grey = colourWeightedGrey(cur);
  } else {
    grey = toGrey8(src);
  }
  if (!grey) return nullptr;
  if (!inkIsDarker(grey.get())) grey.reset(pixInvert(nullptr, grey.get()));
  return grey;
}

PixPtr flattenLight(Pix* page) {
  if (!page || pixGetDepth(page) != 8) return nullptr;
  PixPtr grey(pixClone(page));
  const int w = pixGetWidth(grey.get()), h = pixGetHeight(grey.get());
  if (w < 16 || h < 16) return grey;
  // The paper's light: a grey closing wider than the strokes removes the ink and leaves the
  // sheet, shadows and tint. Done on a reduced image (the light varies slowly), sized from the
  // characters so that bold headings go too.
  const float est = std::max(8.0f, documentCharHeight(grey.get()));
  const int reduction = std::clamp(static_cast<int>(est / 6), 2, 8);
  const int size = oddAtLeast(static_cast<int>(std::ceil(1.2f * est / reduction)), 3);
  if (w / reduction < 2 * size || h / reduction < 2 * size) return grey;
  // Dividing by it makes the sheet white everywhere, and the dark edges of a scan (the scanner's
  // lid, the book's gutter) with it: left dark, they make Tesseract's layout analysis take the
  // whole page for a picture.
  PixPtr flat(pixBackgroundNormMorph(grey.get(), nullptr, reduction, size, 245));
  if (!flat) return grey;
  // Dividing by the light also brings out the paper's grain and the show-through of the other
  // side as faint specks: what stays near the paper's level is paper, and becomes white.
  PixPtr clipped(pixGammaTRC(nullptr, flat.get(), 1.0f, 0, kPaperLevel));
  return clipped ? std::move(clipped) : std::move(flat);
}

namespace {

// A bright region of a photo's thumbnail that may be the sheet: the region (1 bpp, thumbnail
// size, holes filled: the print is in it), its bounding box and its area before filling.
struct SheetRegion {
  PixPtr region;
  int x = 0, y = 0, w = 0, h = 0;
  long area = 0;
};

// The component `i` of `pixa` (box `i` of `boxes`) as a region of a `w`×`h` thumbnail.
SheetRegion regionOf(BOXA* boxes, PIXA* pixa, int i, int w, int h) {
  SheetRegion r;
  boxaGetBoxGeometry(boxes, i, &r.x, &r.y, &r.w, &r.h);
  Pix* p = pixaGetPix(pixa, i, L_CLONE);
  l_int32 n = 0;
  pixCountPixels(p, &n, nullptr);
  r.area = n;
  r.region.reset(pixCreate(w, h, 1));
  if (r.region) {
    pixRasterop(r.region.get(), r.x, r.y, r.w, r.h, PIX_SRC, p, 0, 0);
    // Print that reaches the sheet's border (large letters near a plaque's rim, a heading at a
    // receipt's edge) makes bays in the region, and would be cut off with what is around: bays
    // narrower than a fifth of the sheet are closed.
    const int bay = std::max(5, std::min(r.w, r.h) / 5) | 1;
    PixPtr closed(pixCloseSafeBrick(nullptr, r.region.get(), bay, bay));
    if (closed) r.region = std::move(closed);
    PixPtr holes(pixHolesByFilling(r.region.get(), 4));
    if (holes) pixOr(r.region.get(), r.region.get(), holes.get());
  }
  pixDestroy(&p);
  return r;
}

// The largest region on the bright side of Otsu's split of the (median-filtered) thumbnail: the
// sheet when one level parts it from what is around it.
SheetRegion largestBrightRegion(Pix* small) {
  l_int32 split = 128;
  if (NUMA* hist = pixGetGrayHistogram(small, 1)) {
    numaSplitDistribution(hist, 0.0f, &split, nullptr, nullptr, nullptr, nullptr, nullptr);
    numaDestroy(&hist);
  }
  PixPtr dark(pixThresholdToBinary(small, split + 1));
  if (!dark) return {};
  PixPtr bright(pixInvert(nullptr, dark.get()));
  // Thin bright links (a reflection on the table touching the sheet) are cut.
  PixPtr opened(pixOpenBrick(nullptr, bright.get(), 5, 5));
  if (!opened) return {};
  PIXA* pixa = nullptr;
  BOXA* boxes = pixConnComp(opened.get(), &pixa, 4);
  SheetRegion best;
  if (boxes && pixa) {
    int index = -1;
    long best_area = 0;
    for (int i = 0; i < pixaGetCount(pixa); ++i) {
      Pix* p = pixaGetPix(pixa, i, L_CLONE);
      l_int32 n = 0;
      pixCountPixels(p, &n, nullptr);
      pixDestroy(&p);
      if (n > best_area) best_area = n, index = i;
    }
    if (index >= 0) best = regionOf(boxes, pixa, index, pixGetWidth(small), pixGetHeight(small));
  }
  if (boxes) boxaDestroy(&boxes);
  if (pixa) pixaDestroy(&pixa);
  if (std::getenv("LISEUR_LAYOUT_DEBUG")) std::fprintf(stderr, "sheet: Otsu split %d\n", split);
  return best;
}

// The brightest large region bounded by edges (steps of at least kSheetEdge grey levels across
// a few thumbnail pixels): the sheet when the light falls across the photo and no one level
// parts the sheet's shaded end from the table's lit one, since the step at the sheet's border
// stays where the light changes slowly.
SheetRegion brightestBoundedRegion(Pix* small) {
  PixPtr gradient(pixMorphGradient(small, 5, 5, 1));
  if (!gradient) return {};
  PixPtr edges(pixThresholdToBinary(gradient.get(), kSheetEdge));  // 1 = below: not an edge
  if (!edges) return {};
  PIXA* pixa = nullptr;
  BOXA* boxes = pixConnComp(edges.get(), &pixa, 4);
  SheetRegion best;
  if (boxes && pixa) {
    const int w = pixGetWidth(small), h = pixGetHeight(small);
    const double large = kSheetShare * w * h;
    int index = -1;
    float best_level = -1;
    for (int i = 0; i < pixaGetCount(pixa); ++i) {
      Pix* p = pixaGetPix(pixa, i, L_CLONE);
      l_int32 n = 0, x = 0, y = 0;
      pixCountPixels(p, &n, nullptr);
      boxaGetBoxGeometry(boxes, i, &x, &y, nullptr, nullptr);
      l_float32 level = 0;
      if (n >= large) pixGetRankValueMasked(small, p, x, y, 1, 0.5f, &level, nullptr);
      pixDestroy(&p);
      if (n >= large && level > best_level) best_level = level, index = i;
    }
    if (index >= 0) best = regionOf(boxes, pixa, index, w, h);
  }
  if (boxes) boxaDestroy(&boxes);
  if (pixa) pixaDestroy(&pixa);
  return best;
}

// Whether `r` stands out as a sheet on `small`: large, with a real border of something else
// around it, far darker than the sheet (not the same paper in the shade of a vignette or a fold):
// all that is around it, or when `near` only what touches it (the light may fall across the
// photo, and the table's far end be lit brighter than the sheet's shaded end).
bool standsOut(Pix* small, const SheetRegion& r, bool near, const char* how) {
  if (!r.region) return false;
  const double area = double(pixGetWidth(small)) * pixGetHeight(small);
  const bool large = r.area >= kSheetShare * area;
  const bool surrounded = double(r.w) * r.h <= 0.85 * area;
  PixPtr around(pixInvert(nullptr, r.region.get()));
  PixPtr within(pixClone(r.region.get()));
  if (near) {
    // Bands on both sides of the border, a few pixels from it (past the edge's own blur), lit
    // alike.
    PixPtr out_from(pixDilateBrick(nullptr, r.region.get(), 7, 7));
    PixPtr out_to(pixDilateBrick(nullptr, r.region.get(), 23, 23));
    PixPtr in_to(pixErodeBrick(nullptr, r.region.get(), 17, 17));
    if (!out_from || !out_to || !in_to) return false;
    around.reset(pixSubtract(nullptr, out_to.get(), out_from.get()));
    within.reset(pixSubtract(nullptr, r.region.get(), in_to.get()));
  }
  l_float32 in_level = 0, out_level = 0;
  pixGetRankValueMasked(small, within.get(), 0, 0, 1, 0.5f, &in_level, nullptr);
  pixGetRankValueMasked(small, around.get(), 0, 0, 1, 0.5f, &out_level, nullptr);
  const bool different = in_level - out_level >= kSheetContrast;
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(stderr,
                 "sheet candidate (%s) %d,%d %dx%d of %dx%d, area %ld, level %.0f, "
                 "around %.0f\n",
                 how, r.x, r.y, r.w, r.h, pixGetWidth(small), pixGetHeight(small), r.area, in_level,
                 out_level);
  return large && surrounded && different;
}

}  // namespace

Box findSheet(Pix* grey8, PixPtr* masked, std::array<Point, 4>* corners) {
  if (!grey8 || pixGetDepth(grey8) != 8) return Box{};
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  if (w < 32 || h < 32) return Box{};
  // On a thumbnail: the sheet is a few hundred pixels, its print a few pixels.
  const float factor = std::min(1.0f, 400.0f / std::max(w, h));
  PixPtr thumb(factor < 1 ? pixScaleAreaMap(grey8, factor, factor) : pixClone(grey8));
  if (!thumb) return Box{};
  // A median filter wider than the print, pen strokes and folds leaves the sheet and what is
  // around it (a textured table, a carpet) as smooth regions.
  PixPtr small(pixRankFilterGray(thumb.get(), 7, 7, 0.5f));
  if (!small) return Box{};
  SheetRegion sheet = largestBrightRegion(small.get());
  if (!standsOut(small.get(), sheet, false, "bright")) {
    sheet = brightestBoundedRegion(small.get());
    if (!standsOut(small.get(), sheet, true, "bounded")) return Box{};
  }
  Pix* comp = sheet.region.get();
  const int bx = sheet.x, by = sheet.y, bw = sheet.w, bh = sheet.h;
  if (corners) {
    // The corners of a quadrilateral region are its extreme points along the diagonals. A
    // region that does not fill the quadrilateral they make (a crumpled receipt, a hand on
    // the sheet) gets the corners of its bounding box: it is cropped, not rectified.
    float best[4] = {1e9f, -1e9f, -1e9f, 1e9f};  // min x+y, max x-y, max x+y, min x-y
    const l_uint32* data = pixGetData(comp);
    const int wpl = pixGetWpl(comp);
    for (int y = by; y < by + bh; ++y) {
      const l_uint32* row = data + y * wpl;
      for (int x = bx; x < bx + bw; ++x) {
        if (!GET_DATA_BIT(row, x)) continue;
        const float s = float(x) + y, d = float(x) - y;
        const float px = (x + 0.5f) / factor, py = (y + 0.5f) / factor;
        if (s < best[0]) best[0] = s, (*corners)[0] = Point{px, py};
        if (d > best[1]) best[1] = d, (*corners)[1] = Point{px, py};
        if (s > best[2]) best[2] = s, (*corners)[2] = Point{px, py};
        if (d < best[3]) best[3] = d, (*corners)[3] = Point{px, py};
      }
    }
    const auto& q = *corners;
    double quad = 0;  // shoelace, in thumbnail pixels
    for (int k = 0; k < 4; ++k) {
      const Point a = q[k], b = q[(k + 1) % 4];
      quad += double(a.x) * b.y - double(b.x) * a.y;
    }
    quad = std::fabs(quad) / 2 * factor * factor;
    l_int32 filled = 0;
    pixCountPixels(comp, &filled, nullptr);
    if (quad <= 0 || filled < kQuadFill * quad || filled > quad / kQuadFill) {
      const float x0 = bx / factor, y0 = by / factor;
      const float x1 = (bx + bw) / factor, y1 = (by + bh) / factor;
      *corners = {Point{x0, y0}, Point{x1, y0}, Point{x1, y1}, Point{x0, y1}};
    }
  }
  PixPtr grown(pixDilateBrick(nullptr, comp, 5, 5));
  if (!grown) return Box{};
  const float up = 1.0f / factor;
  PixPtr mask(pixScaleBinary(grown.get(), up, up));
  const int x0 = std::clamp(static_cast<int>((bx - 3) * up), 0, w);
  const int y0 = std::clamp(static_cast<int>((by - 3) * up), 0, h);
  const int x1 = std::clamp(static_cast<int>(std::ceil((bx + bw + 3) * up)), 0, w);
  const int y1 = std::clamp(static_cast<int>(std::ceil((by + bh + 3) * up)), 0, h);
  if (!mask || x1 <= x0 || y1 <= y0) return Box{};
  if (masked) {
    PixPtr white(pixCopy(nullptr, grey8));
    // Outside the (scaled) mask: white.
    PixPtr full(pixCreate(w, h, 1));
    pixRasterop(full.get(), 0, 0, std::min(w, pixGetWidth(mask.get())),
                std::min(h, pixGetHeight(mask.get())), PIX_SRC, mask.get(), 0, 0);
    pixInvert(full.get(), full.get());
    // Dark ink joined to what is around the sheet is its edge (a plaque's rim, the shadow along
    // a sheet's side), not print: it goes with the surroundings.
    PixPtr ink(pixThresholdToBinary(grey8, kInkLevel));
    PixPtr rim(ink ? pixDilateBrick(nullptr, full.get(), 5, 5) : nullptr);
    if (rim) {
      pixAnd(rim.get(), rim.get(), ink.get());
      PixPtr edge(pixSeedfillBinary(nullptr, rim.get(), ink.get(), 8));
      if (edge) pixOr(full.get(), full.get(), edge.get());
    }
    pixSetMasked(white.get(), full.get(), 255);
    BOX* clip = boxCreate(x0, y0, x1 - x0, y1 - y0);
    masked->reset(pixClipRectangle(white.get(), clip, nullptr));
    boxDestroy(&clip);
  }
  return Box{x0, y0, x1 - x0, y1 - y0};
}

// True when the dots in `row` (1 bpp) are a dotted line drawn by a machine: at least
// kDottedLineDots of them, alike in size, on one baseline, evenly spaced. Print broken into
// fragments (a carbon copy, a faint typewriter) makes uneven pieces at uneven heights.
bool evenDots(Pix* row, float char_height) {
  BOXA* boxes = pixConnCompBB(row, 8);
  if (!boxes) return false;
  std::vector<Box> dots;
  for (int i = 0; i < boxaGetCount(boxes); ++i) {
    l_int32 x, y, w, h;
    boxaGetBoxGeometry(boxes, i, &x, &y, &w, &h);
    dots.push_back(Box{x, y, w, h});
  }
  boxaDestroy(&boxes);
  if (static_cast<int>(dots.size()) < kDottedLineDots) return false;
  std::sort(dots.begin(), dots.end(), [](const Box& a, const Box& b) { return a.x < b.x; });
  std::vector<float> sizes, middles, steps;
  for (std::size_t i = 0; i < dots.size(); ++i) {
    sizes.push_back(static_cast<float>(std::max(dots[i].w, dots[i].h)));
    middles.push_back(dots[i].y + dots[i].h / 2.0f);
    if (i > 0) steps.push_back(static_cast<float>(dots[i].x - dots[i - 1].x));
  }
  auto median = [](std::vector<float> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const float size = median(sizes), middle = median(middles), step = median(steps);
  int regular = 0;
  for (std::size_t i = 0; i < dots.size(); ++i) {
    const bool alike = sizes[i] <= 1.5f * size + 1 && sizes[i] >= 0.5f * size - 1;
    const bool aligned = std::fabs(middles[i] - middle) <= std::max(2.0f, 0.15f * char_height);
    const bool spaced = i == 0 || std::fabs(steps[i - 1] - step) <= std::max(2.0f, 0.3f * step);
    regular += alike && aligned && spaced;
  }
  return regular * 10 >= static_cast<int>(dots.size()) * 9;
}

int clearDottedLines(Pix* grey8, float char_height) {
  if (!grey8 || pixGetDepth(grey8) != 8 || char_height < 8) return 0;
  // Dots: marks at most 0.4 character height either way (a full stop of the same print).
  const InkParts ink = partInk(grey8, std::max(2, static_cast<int>(char_height * kDotChars)) + 1);
  const PixPtr& letters = ink.letters;
  const PixPtr& dots = ink.marks;
  if (!letters || !dots) return 0;
  // A row of dots wider than kDottedLineChars characters may be a dotted line (an ellipsis is
  // about one).
  PixPtr rows = rowsOfMarks(dots.get(), char_height);
  if (!rows) return 0;
  l_int32 changed = 0;
  const int wide = static_cast<int>(kDottedLineChars * char_height);
  PixPtr lines(pixSelectBySize(rows.get(), wide, 0, 8, L_SELECT_WIDTH, L_SELECT_IF_GTE, &changed));
  if (!lines) return 0;
  BOXA* boxes = pixConnCompBB(lines.get(), 8);
  if (!boxes) return 0;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  int cleared = 0;
  for (int i = 0; i < boxaGetCount(boxes); ++i) {
    l_int32 bx, by, bw, bh;
    boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
    // Nothing but the dots in their band (pieces of letters above or below are broken print),
    // and the dots even.
    const int top = std::max(0, by - static_cast<int>(0.6f * char_height));
    const int bottom = std::min(h, by + bh + static_cast<int>(0.3f * char_height));
    const int x0 = std::max(0, bx), x1 = std::min(w, bx + bw);
    if (x1 <= x0 || bottom <= top) continue;
    BOX* band = boxCreate(x0, top, x1 - x0, bottom - top);
    l_int32 other = 0;
    pixCountPixelsInRect(letters.get(), band, &other, nullptr);
    PixPtr row(other == 0 ? pixClipRectangle(dots.get(), band, nullptr) : nullptr);
    if (row && evenDots(row.get(), char_height)) {
      // The dots, with their grey rim, made paper.
      PixPtr rim(pixDilateBrick(nullptr, row.get(), 3, 3));
      PixPtr part(pixClipRectangle(grey8, band, nullptr));
      if (rim && part) {
        pixSetMasked(part.get(), rim.get(), 255);
        pixRasterop(grey8, x0, top, x1 - x0, bottom - top, PIX_SRC, part.get(), 0, 0);
        ++cleared;
      }
    }
    boxDestroy(&band);
  }
  boxaDestroy(&boxes);
  return cleared;
}

Specks removeSpecks(Pix* grey8, float char_height) {
  Specks out;
  if (!grey8 || pixGetDepth(grey8) != 8 || char_height < 8) return out;
  const InkParts ink = partInk(grey8, std::max(2, static_cast<int>(char_height / 4)));
  const PixPtr& letters = ink.letters;
  const PixPtr& marks = ink.marks;
  if (!letters) return out;
  const int reach = 2 * static_cast<int>(char_height) + 1;
  PixPtr near(pixDilateBrick(nullptr, letters.get(), reach, reach));
  if (!marks || !near) return out;
  // Small marks in a row (an ellipsis, the dotted line of a form's "Nom : ........") are joined
  // into chains; a chain that reaches a letter, or is wider than a character and a half (a
  // dotted line on its own), is print, whole.
  PixPtr chains = rowsOfMarks(marks.get(), char_height);
  if (!chains) return out;
  l_int32 changed = 0;
  const int wide = static_cast<int>(1.5f * char_height);
  PixPtr seeds(
      pixSelectBySize(chains.get(), wide, 0, 8, L_SELECT_WIDTH, L_SELECT_IF_GTE, &changed));
  PixPtr touching(pixAnd(nullptr, chains.get(), near.get()));
  if (!seeds || !touching) return out;
  pixOr(seeds.get(), seeds.get(), touching.get());
  PixPtr print(pixSeedfillBinary(nullptr, seeds.get(), chains.get(), 8));
  if (!print) return out;
  PixPtr specks(pixSubtract(nullptr, marks.get(), print.get()));
  if (!specks) return out;
  l_int32 n = 0;
  pixCountConnComp(specks.get(), 8, &n);
  out.specks = n;
  pixCountConnComp(letters.get(), 8, &n);
  out.letters = n;
  // Whole specks, their grey rim included.
  PixPtr rim(pixDilateBrick(nullptr, specks.get(), 3, 3));
  if (rim) pixSetMasked(grey8, rim.get(), 255);
  return out;
}

Point Unwarp::apply(float x, float y) const {
  if (from.empty() || step <= 0) return Point{x, y};
  const float gx = std::clamp(x / step, 0.0f, static_cast<float>(cols - 1));
  const float gy = std::clamp(y / step, 0.0f, static_cast<float>(rows - 1));
  // The grid cell holding the point (the last cell for a point on the last row or column).
  const int x0 = std::max(0, std::min(static_cast<int>(gx), cols - 2));
  const int y0 = std::max(0, std::min(static_cast<int>(gy), rows - 2));
  const int x1 = std::min(x0 + 1, cols - 1), y1 = std::min(y0 + 1, rows - 1);
  const float fx = gx - x0, fy = gy - y0;
  auto at = [&](int c, int r) { return from[static_cast<std::size_t>(r) * cols + c]; };
  const Point a = at(x0, y0), b = at(x1, y0), c = at(x0, y1), d = at(x1, y1);
  // Outside the grid (past its last point) the shift of its edge holds.
  const float ex = x - std::clamp(x, 0.0f, static_cast<float>((cols - 1) * step));
  const float ey = y - std::clamp(y, 0.0f, static_cast<float>((rows - 1) * step));
  return Point{(1 - fy) * ((1 - fx) * a.x + fx * b.x) + fy * ((1 - fx) * c.x + fx * d.x) + ex,
               (1 - fy) * ((1 - fx) * a.y + fx * b.y) + fy * ((1 - fx) * c.y + fx * d.y) + ey};
}

Box Unwarp::apply(const Box& b) const {
  if (from.empty()) return b;
  // The corners and the middles of the sides: a curved line's box bows between its corners.
  std::array<Point, 8> around;
  int k = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (i != 1 || j != 1) around[k++] = apply(b.x + b.w * i / 2.0f, b.y + b.h * j / 2.0f);
  return boxAround(around);
}

PixPtr dewarpPage(Pix* grey8, Unwarp* to_source) {
  if (!grey8 || pixGetDepth(grey8) != 8) return nullptr;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  if (w < 100 || h < 100) return nullptr;
  // Only the vertical model (lines straightened, not the side margins): the one Leptonica builds
  // reliably, and all the reading needs. Thresholded adaptively (the page is flattened already).
  PIX* straight = nullptr;
  L_DEWARPA* dewa = nullptr;
  const l_ok rc = dewarpSinglePage(grey8, 0, 1, 0, 1, &straight, &dewa, 0);
  PixPtr out(straight);
  L_DEWARP* dew = dewa ? dewarpaGetDewarp(dewa, 0) : nullptr;
  bool modelled = rc == 0 && out && dew && dew->vvalid && dew->sampvdispar && dew->sampling > 0 &&
                  pixGetWidth(out.get()) == w && pixGetHeight(out.get()) == h;
  if (modelled) {
    // How far the most curved line bows over half the page's width (curvatures are in millionths
    // of a px per px squared): lines that bow less are straight, and the page is only deskewed.
    const double curv = std::max(std::abs(dew->mincurv), std::abs(dew->maxcurv)) * 1e-6;
    modelled = curv * (w / 2.0) * (w / 2.0) >= kCurvedLineBow;
  }
  if (modelled && to_source) {
    // The straightened pixel (x, y) is the source's (x, y - v(x, y)), v the vertical disparity,
    // which the model samples every `sampling` px of the page reduced by `redfactor`.
    FPIX* v = dew->sampvdispar;
    l_int32 nx = 0, ny = 0;
    fpixGetDimensions(v, &nx, &ny);
    const int red = std::max(1, static_cast<int>(dew->redfactor));
    Unwarp map;
    map.step = dew->sampling * red;
    map.cols = nx;
    map.rows = ny;
    map.from.reserve(static_cast<std::size_t>(nx) * ny);
    for (int r = 0; r < ny; ++r) {
      for (int c = 0; c < nx; ++c) {
        l_float32 d = 0;
        fpixGetPixel(v, c, r, &d);
        map.from.push_back(
            Point{static_cast<float>(c * map.step), static_cast<float>(r * map.step) - d * red});
      }
    }
    *to_source = std::move(map);
  }
  if (dewa) dewarpaDestroy(&dewa);
  return modelled ? std::move(out) : nullptr;
}

Point Projective::apply(float x, float y) const {
  const float d = c[6] * x + c[7] * y + 1.0f;
  if (std::fabs(d) < 1e-6f) return Point{x, y};
  return Point{(c[0] * x + c[1] * y + c[2]) / d, (c[3] * x + c[4] * y + c[5]) / d};
}

Box Projective::apply(const Box& b) const {
  const std::array<Point, 4> corners = {
      apply(static_cast<float>(b.x), static_cast<float>(b.y)),
      apply(static_cast<float>(b.x + b.w), static_cast<float>(b.y)),
      apply(static_cast<float>(b.x), static_cast<float>(b.y + b.h)),
      apply(static_cast<float>(b.x + b.w), static_cast<float>(b.y + b.h))};
  return boxAround(corners);
}

bool seenAtAnAngle(const std::array<Point, 4>& q) {
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const Point& p : q) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  const Point box[4] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
  const float diag = std::hypot(x1 - x0, y1 - y0);
  float off = 0;
  for (int k = 0; k < 4; ++k) off = std::max(off, std::hypot(q[k].x - box[k].x, q[k].y - box[k].y));
  return diag > 0 && off > kAngledSheet * diag;
}

PixPtr rectifySheet(Pix* grey8, const std::array<Point, 4>& q, Projective* to_source) {
  if (!grey8 || pixGetDepth(grey8) != 8) return nullptr;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  auto dist = [](Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); };
  float rw = std::max(dist(q[0], q[1]), dist(q[3], q[2]));
  float rh = std::max(dist(q[0], q[3]), dist(q[1], q[2]));
  if (rw < 32 || rh < 32) return nullptr;
  // The result is made in an image of the source's size (Leptonica's projective maps keep it).
  const float fit = std::min({1.0f, (w - 1) / rw, (h - 1) / rh});
  rw *= fit;
  rh *= fit;
  PTA* src = ptaCreate(4);
  PTA* dst = ptaCreate(4);
  for (const Point& p : q) ptaAddPt(src, p.x, p.y);
  ptaAddPt(dst, 0, 0);
  ptaAddPt(dst, rw, 0);
  ptaAddPt(dst, rw, rh);
  ptaAddPt(dst, 0, rh);
  PixPtr warped(pixProjectivePtaGray(grey8, dst, src, 255));
  l_float32* vc = nullptr;
  const bool ok = getProjectiveXformCoeffs(dst, src, &vc) == 0 && vc;
  ptaDestroy(&src);
  ptaDestroy(&dst);
  if (!ok || !warped) {
    if (vc) LEPT_FREE(vc);
    return nullptr;
  }
  if (to_source)
    for (int i = 0; i < 8; ++i) to_source->c[i] = vc[i];
  LEPT_FREE(vc);
  BOX* clip = boxCreate(0, 0, static_cast<int>(rw), static_cast<int>(rh));
  PixPtr out(pixClipRectangle(warped.get(), clip, nullptr));
  boxDestroy(&clip);
  return out;
}

namespace {

// Typical height of the dark marks of an 8 bpp grey image, px (height-weighted median of the
// marks no wider than three times their height); 0 when there is no ink.
float inkCharHeight(Pix* crop) {
  if (pixGetWidth(crop) < 3 || pixGetHeight(crop) < 3) return 0;
  // Ink: darker than half-way between the darkest (2 % of the pixels) and the paper. A sparse
  // page (a title, a form, a short list) has less ink than that: then its darkest 0.2 %.
  NUMA* hist = pixGetGrayHistogram(crop, 1);
  if (!hist) return 0;
  l_float32 dark = 0, paper = 255;
  numaHistogramGetValFromRank(hist, 0.02f, &dark);
  numaHistogramGetValFromRank(hist, 0.9f, &paper);
  if (paper - dark < 24) numaHistogramGetValFromRank(hist, 0.002f, &dark);
  numaDestroy(&hist);
  if (paper - dark < 24) return 0;
  PixPtr ink(pixThresholdToBinary(crop, static_cast<int>((dark + paper) / 2)));
  if (!ink) return 0;
  BOXA* boxes = pixConnCompBB(ink.get(), 8);
  if (!boxes) return 0;
  std::vector<float> heights;
  for (int i = 0; i < boxaGetCount(boxes); ++i) {
    l_int32 bx, by, bw, bh;
    boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
    if (bh < 3 || bw > 3 * bh) continue;
    heights.push_back(static_cast<float>(bh));
  }
  boxaDestroy(&boxes);
  return heightWeightedMedian(std::move(heights));
}

}  // namespace

UnclaimedPrint unclaimedPrint(Pix* grey8, float char_height, const std::vector<Box>& claimed) {
  UnclaimedPrint out;
  std::vector<Box>& blocks = out.blocks;
  if (!grey8 || pixGetDepth(grey8) != 8 || char_height < 6) return out;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  PixPtr ink(pixThresholdToBinary(grey8, kInkLevel));
  if (!ink) return out;
  BOXA* marks = pixConnCompBB(ink.get(), 8);
  if (!marks) return out;
  const float ch = char_height;
  const int grow = static_cast<int>(ch / 4);
  PixPtr rows(pixCreate(w, h, 1));
  std::vector<Box> loose;  // the unclaimed letters
  int letters = 0, unclaimed = 0;
  for (int i = 0; i < boxaGetCount(marks) && rows; ++i) {
    l_int32 x, y, bw, bh;
    boxaGetBoxGeometry(marks, i, &x, &y, &bw, &bh);
    if (bh < kLetterMinChars * ch || bh > kLetterMaxChars * ch || bw > kLetterWideChars * ch)
      continue;
    ++letters;
    const int cx = x + bw / 2, cy = y + bh / 2;
    const bool covered = std::any_of(claimed.begin(), claimed.end(), [&](const Box& b) {
      return cx >= b.x - grow && cx < b.x + b.w + grow && cy >= b.y - grow && cy < b.y + b.h + grow;
    });
    if (covered) continue;
    ++unclaimed;
    pixRasterop(rows.get(), x, y, bw, bh, PIX_SET, nullptr, 0, 0);
    loose.push_back(Box{x, y, bw, bh});
  }
  boxaDestroy(&marks);
  out.letters = letters;
  out.unclaimed = unclaimed;
  if (!rows) return out;
  // Lines of print turned a quarter (a receipt's side text, a spine): letters stacked in a column
  // at least 6 character heights tall and 4 times taller than wide, a few columns side by side.
  if (PixPtr stacked{
          pixCloseBrick(nullptr, rows.get(), 3, oddAtLeast(static_cast<int>(1.5f * ch), 3))}) {
    if (BOXA* cols = pixConnCompBB(stacked.get(), 8)) {
      std::vector<Box> lines;
      for (int i = 0; i < boxaGetCount(cols); ++i) {
        l_int32 x, y, bw, bh;
        boxaGetBoxGeometry(cols, i, &x, &y, &bw, &bh);
        if (bh < kVerticalLineChars * ch || bh < kVerticalAspect * bw) continue;
        // Turned letters lie on their side, wider than tall; upright letters of rows whose
        // letters line up (monospace print) stack too, but stand taller than wide.
        int lying = 0, standing = 0;
        for (const Box& m : loose) {
          const int cx = m.x + m.w / 2, cy = m.y + m.h / 2;
          if (cx < x || cx >= x + bw || cy < y || cy >= y + bh) continue;
          (m.w > m.h ? lying : standing) += 1;
        }
        if (lying > 2 * standing) lines.push_back(Box{x, y, bw, bh});
      }
      boxaDestroy(&cols);
      std::sort(lines.begin(), lines.end(), [](const Box& a, const Box& b) { return a.x < b.x; });
      for (const Box& l : lines) {
        pixRasterop(rows.get(), l.x, l.y, l.w, l.h, PIX_CLR, nullptr, 0, 0);
        Box* near = out.vertical.empty() ? nullptr : &out.vertical.back();
        if (near && l.x - (near->x + near->w) <= ch && l.y < near->y + near->h &&
            near->y < l.y + l.h) {
          const int x0 = std::min(near->x, l.x), y0 = std::min(near->y, l.y);
          *near = Box{x0, y0, std::max(near->x + near->w, l.x + l.w) - x0,
                      std::max(near->y + near->h, l.y + l.h) - y0};
        } else {
          out.vertical.push_back(l);
        }
      }
      for (Box& v : out.vertical) {
        const int x0 = std::max(0, v.x - grow), y0 = std::max(0, v.y - grow);
        v = Box{x0, y0, std::min(w, v.x + v.w + grow) - x0, std::min(h, v.y + v.h + grow) - y0};
      }
    }
  }
  if (unclaimed < kMinUnclaimedLetters || unclaimed * kUnclaimedShare < letters) return out;
  // Letters, words and rows joined into blocks: a word space is under a character height, a
  // receipt's gap before its figures a few, the space between lines under one.
  PixPtr joined(pixCloseBrick(nullptr, rows.get(),
                              oddAtLeast(static_cast<int>(kBlockGapChars * ch), 3),
                              oddAtLeast(static_cast<int>(1.5f * ch), 3)));
  BOXA* found = joined ? pixConnCompBB(joined.get(), 8) : nullptr;
  if (!found) return out;
  for (int i = 0; i < boxaGetCount(found); ++i) {
    l_int32 x, y, bw, bh;
    boxaGetBoxGeometry(found, i, &x, &y, &bw, &bh);
    // A lone letter-sized mark is not print.
    if (bw < 2 * ch) continue;
    const int x0 = std::max(0, x - grow), y0 = std::max(0, y - grow);
    blocks.push_back(Box{x0, y0, std::min(w, x + bw + grow) - x0, std::min(h, y + bh + grow) - y0});
  }
  boxaDestroy(&found);
  std::sort(blocks.begin(), blocks.end(), [](const Box& a, const Box& b) { return a.y < b.y; });
  return out;
}

float documentCharHeight(Pix* grey8) {
  if (!grey8 || pixGetDepth(grey8) != 8) return 0;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  // Measured on at most about 2 Mpx: heights of print do not need every pixel.
  const double pixels = double(w) * h;
  const float factor = pixels > 2e6 ? static_cast<float>(std::sqrt(2e6 / pixels)) : 1.0f;
  PixPtr small(factor < 1 ? pixScaleAreaMap(grey8, factor, factor) : pixClone(grey8));
  if (!small) return 0;
  const float ch = inkCharHeight(small.get()) / factor;
  // Marks an eighth of the picture high are not print but bricks, bars or pictures (a plaque on
  // a wall): then the top-hat estimate, which ignores them, is taken.
  if (ch > h / 8.0f) return estimateTextHeight(grey8);
  return ch;
}

PixPtr rotateQuarterTurns(Pix* src, int quarter_turns) {
  if (!src) return nullptr;
  const int q = ((quarter_turns % 4) + 4) % 4;
  if (q == 0) return PixPtr(pixClone(src));
  return PixPtr(pixRotateOrth(src, q));
}

Box unturnBox(const Box& b, int quarter_turns, int width, int height) {
  switch (((quarter_turns % 4) + 4) % 4) {
    case 1:  // (x, y) -> (height - 1 - y, x)
      return Box{b.y, height - (b.x + b.w), b.h, b.w};
    case 2:  // (x, y) -> (width - 1 - x, height - 1 - y)
      return Box{width - (b.x + b.w), height - (b.y + b.h), b.w, b.h};
    case 3:  // (x, y) -> (y, width - 1 - x)
      return Box{width - (b.y + b.h), b.x, b.h, b.w};
    default:
      return b;
  }
}

}  // namespace liseur::preprocess
