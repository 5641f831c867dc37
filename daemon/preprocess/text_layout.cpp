#include "preprocess/text_layout.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <numeric>

#include "preprocess/page_image.h"
#include "preprocess/text_image.h"

namespace liseur::preprocess {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Blank left and right of a line image, in character heights.
constexpr float kLineSideMargin = 0.1f;

// Dots in a row that make a dotted line or an ellipsis (punctuationMarks).
constexpr std::size_t kRowDots = 3;

struct Comp {
  Box box;
  int ink = 0;  // pixel count
  int pixa_index = 0;
};

struct Segment {
  Box box;
  Polarity polarity = Polarity::kDarkOnLight;
  std::vector<int> comps;  // indices into the polarity's comps
  float char_height = 0;
  bool valid = true;
};

struct Unit {
  Box box;
  std::vector<int> lines;  // indices into the page's lines
  bool prose = false;
  int container = -1;
  int pane = -1;  // the frame around it that holds running text (a document in a viewer)
};

int right(const Box& b) {
  return b.x + b.w;
}
int bottom(const Box& b) {
  return b.y + b.h;
}

Box unite(const Box& a, const Box& b) {
  if (a.w <= 0 || a.h <= 0) return b;
  if (b.w <= 0 || b.h <= 0) return a;
  const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  return Box{x0, y0, std::max(right(a), right(b)) - x0, std::max(bottom(a), bottom(b)) - y0};
}

int overlapLen(int a0, int a1, int b0, int b1) {
  return std::min(a1, b1) - std::max(a0, b0);
}

bool contains(const Box& outer, const Box& inner, int tol) {
  return inner.x >= outer.x - tol && inner.y >= outer.y - tol &&
         right(inner) <= right(outer) + tol && bottom(inner) <= bottom(outer) + tol;
}

Box boxOf(BOXA* boxa, int i) {
  l_int32 x, y, w, h;
  boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
  return Box{x, y, w, h};
}

int oddSize(float v, int lo, int hi) {
  int k = std::clamp(static_cast<int>(std::lround(v)), lo, hi);
  return k | 1;
}

float median(std::vector<float> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Grey levels at ranks 5 %, 50 % and 95 % inside `r` (clipped to the image).
std::array<int, 3> rectRanks(Pix* grey, Box r) {
  const int w = pixGetWidth(grey), h = pixGetHeight(grey);
  const int x0 = std::clamp(r.x, 0, w), y0 = std::clamp(r.y, 0, h);
  const int x1 = std::clamp(right(r), 0, w), y1 = std::clamp(bottom(r), 0, h);
  std::array<int, 256> hist{};
  const l_uint32* data = pixGetData(grey);
  const int wpl = pixGetWpl(grey);
  int n = 0;
  for (int y = y0; y < y1; ++y) {
    const l_uint32* line = data + y * wpl;
    for (int x = x0; x < x1; ++x) {
      ++hist[GET_DATA_BYTE(line, x)];
      ++n;
    }
  }
  std::array<int, 3> out{255, 255, 255};
  if (n == 0) return out;
  const std::array<double, 3> ranks{0.05, 0.5, 0.95};
  for (int k = 0; k < 3; ++k) {
    const double target = ranks[k] * n;
    int acc = 0;
    for (int v = 0; v < 256; ++v) {
      acc += hist[v];
      if (acc >= target) {
        out[k] = v;
        break;
      }
    }
  }
  return out;
}

// Ink threshold of a top-hat image: Otsu's split, but never above 40 % of the strongest ink, so
// that faint text (grey on white) keeps its thin strokes, and never below `floor` (JPEG noise).
int inkThreshold(Pix* tophat, int floor) {
  NUMA* hist = pixGetGrayHistogram(tophat, 1);
  if (!hist) return floor;
  l_int32 split = floor;
  numaSplitDistribution(hist, 0.0f, &split, nullptr, nullptr, nullptr, nullptr, nullptr);
  l_float32 total = 0;
  numaGetSum(hist, &total);
  // The strongest ink: the level above which 0.3 % of the pixels lie.
  int strong = 255;
  double acc = 0;
  for (int v = 255; v >= 0; --v) {
    l_float32 c = 0;
    numaGetFValue(hist, v, &c);
    acc += c;
    if (acc >= 0.003 * total) {
      strong = v;
      break;
    }
  }
  numaDestroy(&hist);
  return std::clamp(std::min<int>(split, static_cast<int>(0.4 * strong)), floor, 128);
}

// A rectangular frame (check box, hollow cursor): four nearly complete straight sides and no ink
// inside. No letter has that: n and u miss a side, O and 0 have round corners, H has ink inside.
bool isFrame(Pix* comp) {
  const int w = pixGetWidth(comp), h = pixGetHeight(comp);
  const float aspect = float(w) / h;
  if (aspect < 0.5f || aspect > 2.0f) return false;
  auto inked = [&](int x, int y) {
    l_uint32 v = 0;
    pixGetPixel(comp, x, y, &v);
    return v != 0;
  };
  // Each side, within 1 px of the edge, inked on 90 % of its length.
  auto side = [&](bool horizontal, int pos, int inward) {
    const int len = horizontal ? w : h;
    int hit = 0;
    for (int t = 0; t < len; ++t) {
      const bool a = horizontal ? inked(t, pos) : inked(pos, t);
      const bool b = horizontal ? inked(t, pos + inward) : inked(pos + inward, t);
      hit += a || b;
    }
    return hit >= 0.9 * len;
  };
  if (!side(true, 0, 1) || !side(true, h - 1, -1) || !side(false, 0, 1) || !side(false, w - 1, -1))
    return false;
  const int ix0 = w / 4 + 1, ix1 = w - w / 4 - 1, iy0 = h / 4 + 1, iy1 = h - h / 4 - 1;
  for (int y = iy0; y < iy1; ++y) {
    for (int x = ix0; x < ix1; ++x) {
      if (inked(x, y)) return false;
    }
  }
  return true;
}

// Clears from `lines` (the result of a long horizontal or vertical opening of `ink`) every run
// with ink along both its sides: where letters are close and faint ink joins them, a row of text
// holds long horizontal runs and letters stacked on consecutive lines make vertical ones, but a
// rule, a field border or an underline has blank on at least one side.
void dropRunsInsideInk(Pix* lines, Pix* ink, bool horizontal) {
  BOXA* boxa = pixConnCompBB(lines, 8);
  if (!boxa) return;
  const int w = pixGetWidth(ink), h = pixGetHeight(ink);
  auto inked = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) return false;
    l_uint32 v = 0;
    pixGetPixel(ink, x, y, &v);
    return v != 0;
  };
  for (int i = 0; i < boxaGetCount(boxa); ++i) {
    const Box b = boxOf(boxa, i);
    const int len = horizontal ? b.w : b.h;
    int before = 0, after = 0;
    for (int t = 0; t < len; ++t) {
      if (horizontal) {
        before += inked(b.x + t, b.y - 2) || inked(b.x + t, b.y - 3);
        after += inked(b.x + t, b.y + b.h + 1) || inked(b.x + t, b.y + b.h + 2);
      } else {
        before += inked(b.x - 2, b.y + t) || inked(b.x - 3, b.y + t);
        after += inked(b.x + b.w + 1, b.y + t) || inked(b.x + b.w + 2, b.y + t);
      }
    }
    if (std::min(before, after) > 0.3 * len) {
      pixRasterop(lines, b.x, b.y, b.w, b.h, PIX_CLR, nullptr, 0, 0);
    }
  }
  boxaDestroy(&boxa);
}

// Vertical edges between two backgrounds (a sidebar beside the main pane, with no rule drawn):
// columns where the grey level steps by a few levels on a long run of consecutive rows.
std::vector<Box> backgroundSteps(Pix* grey, float est) {
  std::vector<Box> out;
  const int w = pixGetWidth(grey), h = pixGetHeight(grey);
  const int min_run = std::max(static_cast<int>(10 * est), h / 3);
  if (w < 3 || h < min_run) return out;
  const l_uint32* data = pixGetData(grey);
  const int wpl = pixGetWpl(grey);
  std::vector<int> run(w, 0), start(w, 0);
  std::vector<int> best_len(w, 0), best_start(w, 0);
  for (int y = 0; y < h; ++y) {
    const l_uint32* row = data + y * wpl;
    for (int x = 0; x + 1 < w; ++x) {
      const int d = static_cast<int>(GET_DATA_BYTE(row, x + 1)) - GET_DATA_BYTE(row, x);
      if (d >= 6 || d <= -6) {
        if (run[x] == 0) start[x] = y;
        if (++run[x] > best_len[x]) {
          best_len[x] = run[x];
          best_start[x] = start[x];
        }
      } else {
        run[x] = 0;
      }
    }
  }
  for (int x = 0; x + 1 < w; ++x) {
    if (best_len[x] >= min_run) out.push_back(Box{x, best_start[x], 1, best_len[x]});
  }
  return out;
}

struct PolarityResult {
  PixPtr tophat;  // ink strength, 0 = background
  std::vector<Comp> comps;
  std::vector<bool> is_text;
  PIXA* pixa = nullptr;
  std::vector<Segment> segments;
  std::vector<Box> containers, hseps, vseps;
  float typical = 0;
  int threshold = 0;
  ~PolarityResult() {
    if (pixa) pixaDestroy(&pixa);
  }
};

void findComponents(Pix* work, Polarity pol, int k, float est, PolarityResult& r) {
  const int W = pixGetWidth(work), H = pixGetHeight(work);
  r.tophat.reset(
      pixTophat(work, k, k, pol == Polarity::kDarkOnLight ? L_TOPHAT_BLACK : L_TOPHAT_WHITE));
  if (!r.tophat) return;
  r.threshold = inkThreshold(r.tophat.get(), 16);
  // pixThresholdToBinary marks pixels below the threshold; ink is what is above it.
  PixPtr below(pixThresholdToBinary(r.tophat.get(), r.threshold));
  if (!below) return;
  PixPtr mask(pixInvert(nullptr, below.get()));
  // Rules, field borders, underlines and column separators often touch the letters next to them
  // and would take them out of the text with them: long straight runs are taken out first and
  // kept as separators.
  // Horizontal runs four characters long are never a letter. Vertical: a field's side is about
  // two characters high, so shorter runs count, but only hairlines (a letter's stem that tall
  // belongs to big print, whose stems are thicker).
  // Lines are looked for at a lower contrast than text: card borders and pane dividers are
  // often pale grey.
  const int line_threshold = std::max(10, r.threshold / 3);
  PixPtr below_faint(pixThresholdToBinary(r.tophat.get(), line_threshold));
  PixPtr faint(below_faint ? pixInvert(nullptr, below_faint.get()) : nullptr);
  Pix* line_src = faint ? faint.get() : mask.get();
  const int run = std::max(15, static_cast<int>(4 * est));
  PixPtr hlines(pixOpenBrick(nullptr, line_src, run, 1));
  if (hlines) dropRunsInsideInk(hlines.get(), line_src, true);
  // Vertical hairlines: long ones anywhere (rules, dividers); short ones (a field's sides) only
  // where they meet a horizontal line, since faint ink can join the stems of letters stacked
  // on consecutive lines into a short vertical run.
  PixPtr vlines(pixOpenBrick(nullptr, line_src, 1, std::max(12, static_cast<int>(2.2f * est))));
  if (vlines) dropRunsInsideInk(vlines.get(), line_src, false);
  if (vlines && hlines) {
    PixPtr hgrown(pixDilateBrick(nullptr, hlines.get(), 3, 3));
    PixPtr seed(pixAnd(nullptr, vlines.get(), hgrown.get()));
    PixPtr sides(seed ? pixSeedfillBinary(nullptr, seed.get(), vlines.get(), 8) : nullptr);
    PixPtr longv(pixOpenBrick(nullptr, line_src, 1, run));
    if (longv) dropRunsInsideInk(longv.get(), line_src, false);
    if (sides && longv) vlines.reset(pixOr(nullptr, sides.get(), longv.get()));
  }
  if (vlines && hlines) {
    const int hair = std::max(2, static_cast<int>(0.12f * est));
    if (BOXA* vb = pixConnComp(vlines.get(), nullptr, 8)) {
      for (int i = 0; i < boxaGetCount(vb); ++i) {
        const Box b = boxOf(vb, i);
        // A rule four characters tall may be thicker than a hairline (a table's grid drawn 3 px
        // wide): no letter's stem is that tall.
        const bool rule = b.h >= run && b.w <= std::max(3.0f, 0.3f * est);
        if (b.w > hair && !rule)
          pixRasterop(vlines.get(), b.x, b.y, b.w, b.h, PIX_CLR, nullptr, 0, 0);
      }
      boxaDestroy(&vb);
    }
    pixSubtract(mask.get(), mask.get(), vlines.get());
    pixSubtract(mask.get(), mask.get(), hlines.get());
    if (BOXA* vb = pixConnCompBB(vlines.get(), 8)) {
      // Only thin rules separate; a dark band at the edge of a photocopy is not a rule.
      for (int i = 0; i < boxaGetCount(vb); ++i) {
        const Box b = boxOf(vb, i);
        if (b.w <= std::max(3.0f, 0.3f * est)) r.vseps.push_back(b);
      }
      boxaDestroy(&vb);
    }
    // Frames (cards, fields, panels): what the lines enclose is read as one unit.
    // Rounded corners leave the sides apart: they are joined by growing the lines a little. A
    // frame has a top or bottom line across most of its width.
    const int corner = std::max(3, static_cast<int>(0.8f * est)) | 1;
    PixPtr frames(pixOr(nullptr, hlines.get(), vlines.get()));
    PixPtr joined(frames ? pixDilateBrick(nullptr, frames.get(), corner, corner) : nullptr);
    std::vector<Box> hboxes;
    if (BOXA* hb = pixConnCompBB(hlines.get(), 8)) {
      for (int i = 0; i < boxaGetCount(hb); ++i) hboxes.push_back(boxOf(hb, i));
      if (std::getenv("LISEUR_LAYOUT_DEBUG"))
        for (const Box& b : hboxes) std::fprintf(stderr, "hline %d,%d %dx%d\n", b.x, b.y, b.w, b.h);
      boxaDestroy(&hb);
    }
    if (BOXA* fb = joined ? pixConnCompBB(joined.get(), 8) : nullptr) {
      for (int i = 0; i < boxaGetCount(fb); ++i) {
        Box b = boxOf(fb, i);
        const int g = corner / 2;
        b = Box{b.x + g, b.y + g, std::max(0, b.w - 2 * g), std::max(0, b.h - 2 * g)};
        if (b.w < 2 * est || b.h < 1.3f * est) continue;
        bool spanned = false;
        for (const Box& hl : hboxes) {
          spanned |= hl.w >= 0.6 * b.w && contains(b, hl, corner);
        }
        if (spanned && std::getenv("LISEUR_LAYOUT_DEBUG"))
          std::fprintf(stderr, "frame %d,%d %dx%d\n", b.x, b.y, b.w, b.h);
        if (spanned) r.containers.push_back(b);
      }
      boxaDestroy(&fb);
    }
    if (BOXA* hb = pixConnCompBB(hlines.get(), 8)) {
      for (int i = 0; i < boxaGetCount(hb); ++i) r.hseps.push_back(boxOf(hb, i));
      boxaDestroy(&hb);
    }
  }
  BOXA* boxa = pixConnComp(mask.get(), &r.pixa, 8);
  if (!boxa) return;
  const int n = boxaGetCount(boxa);
  r.comps.reserve(n);
  std::vector<float> heights;
  for (int i = 0; i < n; ++i) {
    Comp c;
    c.box = boxOf(boxa, i);
    c.pixa_index = i;
    Pix* p = pixaGetPix(r.pixa, i, L_CLONE);
    l_int32 count = 0;
    pixCountPixels(p, &count, nullptr);
    pixDestroy(&p);
    c.ink = count;
    r.comps.push_back(c);
    if (c.box.h >= 4 && c.box.h < H * 0.5 && c.box.w <= 3 * c.box.h) heights.push_back(c.box.h);
  }
  boxaDestroy(&boxa);
  r.typical = heights.size() >= 3 ? heightWeightedMedian(heights) : 0;
  const float typ = r.typical > 0 ? r.typical : 10.0f;

  r.is_text.assign(r.comps.size(), false);
  for (std::size_t i = 0; i < r.comps.size(); ++i) {
    const Comp& c = r.comps[i];
    const Box& b = c.box;
    const double density = double(c.ink) / std::max(1, b.w * b.h);
    const float thin = std::max(2.0f, 0.25f * typ);
    if (b.h <= thin && b.w >= 6 * typ) {
      r.hseps.push_back(b);
      continue;
    }
    if (b.w <= thin && b.h >= 4 * typ) {
      r.vseps.push_back(b);
      continue;
    }
    if (b.h > std::min<float>(5 * typ, H * 0.8f)) {
      if (density < 0.2 && b.w < W * 0.95 && b.h < H * 0.95) r.containers.push_back(b);
      continue;
    }
    if (b.w >= 2 * typ && b.h >= 1.3 * typ && density < 0.15) {
      // A ring: field border, card, checkbox frame.
      if (std::getenv("LISEUR_LAYOUT_DEBUG"))
        std::fprintf(stderr, "ring %d,%d %dx%d density %.3f\n", b.x, b.y, b.w, b.h, density);
      r.containers.push_back(b);
      continue;
    }
    if (b.w > 12 * std::max(b.h, 2)) continue;
    if (b.w >= 6 && b.h >= 6 && density < 0.5) {
      Pix* cp = pixaGetPix(r.pixa, c.pixa_index, L_CLONE);
      const bool frame = isFrame(cp);
      pixDestroy(&cp);
      if (frame) {
        // A check box, radio frame or text cursor: not a character.
        continue;
      }
    }
    // Solid blocks (bars, filled boxes) are not characters; thin strokes (l, I, 1) are solid too.
    const bool big = b.w >= 0.6f * typ && b.h >= 0.6f * typ;
    if (big && (density < 0.06 || density > 0.95)) continue;
    r.is_text[i] = true;
  }
}

// Which tiny components (dots) of `r` are punctuation whatever their distance to a letter: the
// two dots of a colon or a semicolon (French sets a space on both sides of them, which leaves them
// further from the letters than an i's dot or a full stop), and dots in a row on one baseline,
// evenly spaced (an ellipsis, a dotted line to write on, a table of contents' leaders). Specks
// of noise are neither stacked in pairs nor in rows.
template <typename Tiny>
std::vector<bool> punctuationMarks(const PolarityResult& r, float typ, const Tiny& tiny) {
  std::vector<bool> out(r.comps.size(), false);
  std::vector<int> dots;
  for (std::size_t i = 0; i < r.comps.size(); ++i)
    if (r.is_text[i] && tiny(r.comps[i].box)) dots.push_back(static_cast<int>(i));
  auto cx = [&](int i) { return r.comps[i].box.x * 2 + r.comps[i].box.w; };  // doubled centre
  // Colons: a dot above another of its size, less than a character height apart.
  std::sort(dots.begin(), dots.end(), [&](int a, int b) {
    return cx(a) != cx(b) ? cx(a) < cx(b) : r.comps[a].box.y < r.comps[b].box.y;
  });
  const int align = std::max(2, static_cast<int>(0.3f * typ));  // doubled
  for (std::size_t k = 0; k < dots.size(); ++k) {
    const Box& a = r.comps[dots[k]].box;
    for (std::size_t m = k + 1; m < dots.size() && cx(dots[m]) - cx(dots[k]) <= align; ++m) {
      const Box& b = r.comps[dots[m]].box;
      const Box& top = a.y <= b.y ? a : b;
      const Box& low = a.y <= b.y ? b : a;
      const int gap = low.y - bottom(top);
      if (gap >= 1 && gap <= 0.8f * typ && std::abs(a.w - b.w) <= std::max(1, a.w / 2)) {
        out[dots[k]] = out[dots[m]] = true;
      }
    }
  }
  // Rows: at least kRowDots dots on one baseline, each less than a character height from the
  // next, evenly spaced.
  std::sort(dots.begin(), dots.end(), [&](int a, int b) {
    const int ba = bottom(r.comps[a].box), bb = bottom(r.comps[b].box);
    return ba != bb ? ba < bb : r.comps[a].box.x < r.comps[b].box.x;
  });
  std::vector<int> row;
  auto flush = [&]() {
    if (row.size() >= kRowDots) {
      std::vector<int> steps;
      for (std::size_t k = 1; k < row.size(); ++k)
        steps.push_back(r.comps[row[k]].box.x - r.comps[row[k - 1]].box.x);
      const auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
      if (*hi - *lo <= std::max(2, *lo / 3))
        for (int i : row) out[i] = true;
    }
    row.clear();
  };
  for (std::size_t k = 0; k < dots.size();) {
    // The dots whose bottoms are within a pixel of this one's, left to right.
    std::size_t e = k;
    const int base = bottom(r.comps[dots[k]].box);
    while (e < dots.size() && bottom(r.comps[dots[e]].box) <= base + 1) ++e;
    std::vector<int> line(dots.begin() + static_cast<long>(k), dots.begin() + static_cast<long>(e));
    std::sort(line.begin(), line.end(),
              [&](int a, int b) { return r.comps[a].box.x < r.comps[b].box.x; });
    for (int i : line) {
      if (!row.empty() && r.comps[i].box.x - right(r.comps[row.back()].box) > typ) flush();
      row.push_back(i);
    }
    flush();
    k = e;
  }
  return out;
}

void buildSegments(Pix* work, Polarity pol, PolarityResult& r) {
  if (r.comps.empty() || r.typical <= 0) return;
  const int W = pixGetWidth(work), H = pixGetHeight(work);
  const float typ = r.typical;
  PixPtr text(pixCreate(W, H, 1));
  // Dots (periods, i dots) and specks (toner, JPEG noise) look alike; they are kept out of the
  // smear, so that specks cannot chain into false lines, and joined to the line they fall in.
  auto tiny = [&](const Box& b) { return b.h < 0.3f * typ && b.w < 0.3f * typ; };
  // Distance from each tiny component to the nearest character: punctuation and diacritics touch
  // their letter's neighbourhood, specks mostly lie in open space.
  const int ncell = std::max(4, static_cast<int>(typ));
  const int nw = (W + ncell - 1) / ncell, nh = (H + ncell - 1) / ncell;
  std::vector<std::vector<int>> near_grid(static_cast<std::size_t>(nw) * nh);
  for (std::size_t i = 0; i < r.comps.size(); ++i) {
    if (!r.is_text[i] || tiny(r.comps[i].box)) continue;
    const Box& b = r.comps[i].box;
    for (int gy = b.y / ncell; gy <= (bottom(b) - 1) / ncell && gy < nh; ++gy)
      for (int gx = b.x / ncell; gx <= (right(b) - 1) / ncell && gx < nw; ++gx)
        near_grid[gy * nw + gx].push_back(static_cast<int>(i));
  }
  auto distanceToChar = [&](const Box& b) {
    float best = 1e9f;
    const int gx0 = std::max(0, b.x / ncell - 2), gx1 = std::min(nw - 1, right(b) / ncell + 2);
    const int gy0 = std::max(0, b.y / ncell - 2), gy1 = std::min(nh - 1, bottom(b) / ncell + 2);
    for (int gy = gy0; gy <= gy1; ++gy) {
      for (int gx = gx0; gx <= gx1; ++gx) {
        for (int j : near_grid[gy * nw + gx]) {
          const Box& o = r.comps[j].box;
          const int dx = std::max({0, o.x - right(b), b.x - right(o)});
          const int dy = std::max({0, o.y - bottom(b), b.y - bottom(o)});
          best = std::min(best, static_cast<float>(std::max(dx, dy)));
        }
      }
    }
    return best;
  };
  // A full stop or comma of a monospace font sits in the middle of its cell, a good part of a
  // character width after its letter: a tiny mark low beside the letter just left of it, less
  // than a character height away, is punctuation, not a speck.
  const int below = std::max(2, static_cast<int>(std::lround(0.4f * typ)));
  auto followsLetter = [&](const Box& b) {
    const int gx0 = std::max(0, (b.x - static_cast<int>(typ)) / ncell);
    const int gy0 = std::max(0, (b.y - static_cast<int>(typ)) / ncell);
    const int gy1 = std::min(nh - 1, (bottom(b) - 1) / ncell);
    for (int gy = gy0; gy <= gy1; ++gy) {
      for (int gx = gx0; gx <= std::min(nw - 1, b.x / ncell); ++gx) {
        for (int j : near_grid[gy * nw + gx]) {
          const Box& o = r.comps[j].box;
          const int gap = b.x - right(o);
          // In the lower half of the letter, ending at its bottom or a little below (a full stop
          // after "morning" ends above the g's tail; a comma hangs under the baseline).
          if (gap >= 0 && gap <= typ && o.h >= 0.5f * typ && b.y >= o.y + o.h / 2 &&
              b.y < bottom(o) && bottom(b) <= bottom(o) + below)
            return true;
        }
      }
    }
    return false;
  };
  const std::vector<bool> marks = punctuationMarks(r, typ, tiny);
  for (std::size_t i = 0; i < r.comps.size(); ++i) {
    if (!r.is_text[i]) continue;
    if (tiny(r.comps[i].box) && !marks[i] && distanceToChar(r.comps[i].box) > 0.5f * typ &&
        !followsLetter(r.comps[i].box)) {
      r.is_text[i] = false;
      continue;
    }
    const Box& b = r.comps[i].box;
    Pix* p = pixaGetPix(r.pixa, r.comps[i].pixa_index, L_CLONE);
    pixRasterop(text.get(), b.x, b.y, b.w, b.h, PIX_PAINT, p, 0, 0);
    pixDestroy(&p);
  }
  // Joins the characters and words of a line, not the columns or the label and value of a form.
  const int smear = std::max(3, static_cast<int>(std::lround(1.8f * typ)));
  PixPtr smeared(pixCloseSafeBrick(nullptr, text.get(), smear, 1));
  BOXA* boxa = pixConnComp(smeared.get(), nullptr, 8);
  if (!boxa) return;
  std::vector<Segment> segs(boxaGetCount(boxa));
  for (std::size_t s = 0; s < segs.size(); ++s) {
    segs[s].box = boxOf(boxa, static_cast<int>(s));
    segs[s].polarity = pol;
  }
  boxaDestroy(&boxa);
  // Components to segments by their centre (segments do not overlap: they are components).
  // A grid of segment indices keeps this linear in the number of components.
  const int cell = std::max(8, static_cast<int>(2 * typ));
  const int gw = (W + cell - 1) / cell, gh = (H + cell - 1) / cell;
  std::vector<std::vector<int>> grid(static_cast<std::size_t>(gw) * gh);
  for (std::size_t si = 0; si < segs.size(); ++si) {
    const Box& b = segs[si].box;
    for (int gy = b.y / cell; gy <= (bottom(b) - 1) / cell && gy < gh; ++gy)
      for (int gx = b.x / cell; gx <= (right(b) - 1) / cell && gx < gw; ++gx)
        grid[gy * gw + gx].push_back(static_cast<int>(si));
  }
  for (std::size_t i = 0; i < r.comps.size(); ++i) {
    if (!r.is_text[i]) continue;
    const Box& b = r.comps[i].box;
    const int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
    for (int si : grid[(cy / cell) * gw + (cx / cell)]) {
      Segment& s = segs[si];
      if (cx >= s.box.x && cx < right(s.box) && cy >= s.box.y && cy < bottom(s.box)) {
        s.comps.push_back(static_cast<int>(i));
        break;
      }
    }
  }
  auto charHeight = [&](const Segment& s) {
    std::vector<float> hs;
    for (int i : s.comps) {
      if (r.comps[i].box.h >= 0.4f * typ) hs.push_back(r.comps[i].box.h);
    }
    return median(hs);
  };
  // Lines set without leading (terminals) touch through descenders and ascenders: a segment
  // several lines high is cut into lines by clustering its characters' centres.
  const std::size_t n_before = segs.size();
  for (std::size_t si = 0; si < n_before; ++si) {
    const float ch = charHeight(segs[si]);
    if (ch <= 0 || segs[si].box.h <= 2.3f * ch) continue;
    std::vector<int> core, marks;
    for (int i : segs[si].comps) (r.comps[i].box.h >= 0.6f * ch ? core : marks).push_back(i);
    auto cy = [&](int i) { return r.comps[i].box.y + r.comps[i].box.h / 2.0f; };
    std::sort(core.begin(), core.end(), [&](int a, int b) { return cy(a) < cy(b); });
    std::vector<std::vector<int>> rows;
    float last = -1e9f;
    for (int i : core) {
      if (cy(i) - last > 0.6f * ch) rows.emplace_back();
      rows.back().push_back(i);
      last = cy(i);
    }
    if (rows.size() < 2) continue;
    std::vector<float> centre(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      float sum = 0;
      for (int i : rows[k]) sum += cy(i);
      centre[k] = sum / rows[k].size();
    }
    for (int i : marks) {
      std::size_t best = 0;
      for (std::size_t k = 1; k < rows.size(); ++k) {
        if (std::fabs(cy(i) - centre[k]) < std::fabs(cy(i) - centre[best])) best = k;
      }
      rows[best].push_back(i);
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
      Segment piece;
      piece.polarity = pol;
      piece.comps = rows[k];
      for (int i : rows[k]) piece.box = unite(piece.box, r.comps[i].box);
      if (k == 0)
        segs[si] = std::move(piece);
      else
        segs.push_back(std::move(piece));
    }
  }
  for (Segment& s : segs) s.char_height = charHeight(s);
  // Words of one line that the smear left apart (wide spaces of monospace or justified text).
  std::sort(segs.begin(), segs.end(),
            [](const Segment& a, const Segment& b) { return a.box.x < b.box.x; });
  for (std::size_t a = 0; a < segs.size(); ++a) {
    Segment& sa = segs[a];
    if (!sa.valid || sa.char_height == 0) continue;
    for (std::size_t b = a + 1; b < segs.size(); ++b) {
      Segment& sb = segs[b];
      if (!sb.valid || sb.char_height == 0) continue;
      const float ch = std::max(sa.char_height, sb.char_height);
      const int gap = sb.box.x - right(sa.box);
      if (gap > 1.6f * ch) continue;
      // Print of one size: character heights alike, or line heights alike (a few words are
      // mostly tall letters, or mostly short ones).
      if (std::max(sa.char_height, sb.char_height) >
              1.3f * std::min(sa.char_height, sb.char_height) &&
          std::max(sa.box.h, sb.box.h) > 1.3f * std::min(sa.box.h, sb.box.h))
        continue;
      if (overlapLen(sa.box.y, bottom(sa.box), sb.box.y, bottom(sb.box)) <
          0.7 * std::min(sa.box.h, sb.box.h))
        continue;
      sa.box = unite(sa.box, sb.box);
      sa.comps.insert(sa.comps.end(), sb.comps.begin(), sb.comps.end());
      sb.valid = false;
    }
  }
  std::erase_if(segs, [](const Segment& s) { return !s.valid; });
  // Accents, dots and other marks that stand apart: into the line just below or above them.
  for (std::size_t s = 0; s < segs.size(); ++s) {
    Segment& m = segs[s];
    if (!m.valid || m.comps.empty()) continue;
    const bool small = m.char_height == 0 || m.box.h < 0.6f * typ;
    if (!small || m.box.w > 2.5f * typ) continue;
    int best = -1;
    int best_gap = static_cast<int>(0.8f * typ) + 1;
    const int cx = m.box.x + m.box.w / 2;
    for (std::size_t t = 0; t < segs.size(); ++t) {
      const Segment& o = segs[t];
      if (t == s || !o.valid || o.char_height == 0 || o.box.h < 0.6f * typ) continue;
      if (cx < o.box.x - 0.3f * typ || cx > right(o.box) + 0.3f * typ) continue;
      // Marks sit above their letters (accents, dots); one under a line joins it only when it
      // touches its descender zone, else it belongs to the next line.
      const int above = o.box.y - bottom(m.box), below = m.box.y - bottom(o.box);
      int gap = std::max(above, below);
      if (below > 0.2f * typ) continue;
      if (gap < best_gap) {
        best_gap = gap;
        best = static_cast<int>(t);
      }
    }
    if (best >= 0) {
      Segment& o = segs[best];
      o.box = unite(o.box, m.box);
      o.comps.insert(o.comps.end(), m.comps.begin(), m.comps.end());
    }
    m.valid = false;
  }
  for (Segment& s : segs) {
    if (!s.valid) continue;
    if (s.comps.empty() || s.char_height == 0 || s.box.h < 0.5f * typ) {
      s.valid = false;
      continue;
    }
    // The ink must really be darker (lighter) than the background around it: the holes and gaps
    // of dark letters are "light ink" for the other polarity, but the background of their box is
    // as light as they are.
    const int m = std::max(2, s.box.h / 4);
    const auto [r05, r50, r95] =
        rectRanks(work, Box{s.box.x - m, s.box.y - m, s.box.w + 2 * m, s.box.h + 2 * m});
    const int dark_side = r50 - r05, light_side = r95 - r50;
    if (pol == Polarity::kDarkOnLight)
      s.valid = dark_side > light_side;
    else
      s.valid = light_side > dark_side;
  }
  // Noise (a photo of nothing, random pixels) makes many lines of one or two blobs, most of
  // them failing the background test; a page of text makes lines of many characters. When
  // nearly all candidate lines are that short, the short ones that passed are noise too. A
  // keypad's single digits stay: they are few and cover little of the image.
  {
    const int total = static_cast<int>(segs.size());
    int short_lines = 0;
    for (const Segment& s : segs) short_lines += s.comps.size() <= 4;
    l_int32 ink = 0;
    pixCountPixels(text.get(), &ink, nullptr);
    const bool inky = ink > 0.1 * double(W) * H;
    const bool noise = (total >= 20 && inky && short_lines * 10 >= total * 8) ||
                       (total >= 100 && short_lines * 10 >= total * 9);
    if (noise) {
      for (Segment& s : segs) {
        if (s.comps.size() <= 4) s.valid = false;
      }
    }
  }
  if (std::getenv("LISEUR_LAYOUT_DEBUG")) {
    for (const Segment& s : segs) {
      std::fprintf(stderr, "seg pol=%d valid=%d box=%d,%d %dx%d ch=%.1f comps=%zu typ=%.1f\n",
                   static_cast<int>(pol), s.valid, s.box.x, s.box.y, s.box.w, s.box.h,
                   s.char_height, s.comps.size(), typ);
    }
  }
  std::erase_if(segs, [](const Segment& s) { return !s.valid; });
  r.segments = std::move(segs);
}

// ---- Reading order ----------------------------------------------------------------------

struct OrderContext {
  const std::vector<TextLine>* lines;
  std::vector<Box> vseps;
  std::deque<Unit>* extra;  // units made while ordering (a prose block split into its lines)
};

Box extentOf(const std::vector<Unit*>& units) {
  Box e;
  for (const Unit* u : units) e = unite(e, u->box);
  return e;
}

// Splits units into groups separated by empty space along one axis (true: horizontal bands).
std::vector<std::vector<Unit*>> splitByGaps(std::vector<Unit*> units, bool bands) {
  auto lo = [bands](const Unit* u) { return bands ? u->box.y : u->box.x; };
  auto hi = [bands](const Unit* u) { return bands ? bottom(u->box) : right(u->box); };
  std::sort(units.begin(), units.end(), [&](Unit* a, Unit* b) { return lo(a) < lo(b); });
  std::vector<std::vector<Unit*>> groups;
  int end = -1;
  for (Unit* u : units) {
    if (groups.empty() || lo(u) >= end) {
      groups.emplace_back();
      end = hi(u);
    }
    groups.back().push_back(u);
    end = std::max(end, hi(u));
  }
  return groups;
}

bool sameRow(const Box& a, const Box& b) {
  return overlapLen(a.y, bottom(a), b.y, bottom(b)) > std::min(a.h, b.h) / 2;
}

void rowMajor(std::vector<Unit*>& units) {
  std::sort(units.begin(), units.end(),
            [](Unit* a, Unit* b) { return a->box.y + a->box.h / 2 < b->box.y + b->box.h / 2; });
  std::size_t i = 0;
  while (i < units.size()) {
    std::size_t j = i + 1;
    while (j < units.size() && sameRow(units[i]->box, units[j]->box)) ++j;
    std::sort(units.begin() + i, units.begin() + j,
              [](Unit* a, Unit* b) { return a->box.x < b->box.x; });
    i = j;
  }
}

// Appends to `out` a unit for each line of `u` (made in ctx.extra): a block read line by line.
void appendLinesAsUnits(const Unit& u, const OrderContext& ctx, std::vector<Unit*>& out) {
  for (int li : u.lines) {
    Unit one;
    one.box = (*ctx.lines)[li].box;
    one.lines = {li};
    one.pane = u.pane;
    ctx.extra->push_back(std::move(one));
    out.push_back(&ctx.extra->back());
  }
}

// Widest gap, in character heights, between a line and a piece of text beside it on its row for
// the two to be the cells of one row of a listing (runs of spaces in a terminal).
constexpr float kListingGapChars = 5.0f;

// A "paragraph" with short pieces of text just beside two of its lines or more, on their rows, is
// the rows of a listing or a table cut apart at its wide spaces (`ls -l` in a terminal, whose
// columns are runs of spaces): it is broken into its lines, so that each row is read whole, left
// to right. The other column of a page of prose is a paragraph itself, not such pieces.
void splitListingRows(std::vector<Unit*>& units, const OrderContext& ctx) {
  bool any = false;
  std::vector<bool> listing(units.size(), false);
  for (std::size_t i = 0; i < units.size(); ++i) {
    const Unit* u = units[i];
    if (u->lines.size() < 2) continue;
    int rows_with_pieces = 0;
    for (int li : u->lines) {
      const Box& lb = (*ctx.lines)[li].box;
      bool piece = false;
      for (const Unit* v : units) {
        if (v == u || v->lines.size() != 1 || v->prose) continue;
        const Box& vb = (*ctx.lines)[v->lines.front()].box;
        // Just beside: a few spaces away, not across a pane's border or a page's margin.
        const int gap = std::max(vb.x - right(lb), lb.x - right(vb));
        const float ch = std::max(1.0f, (*ctx.lines)[li].char_height);
        piece |= sameRow(lb, vb) && gap >= 0 && gap <= kListingGapChars * ch;
      }
      rows_with_pieces += piece;
    }
    listing[i] = rows_with_pieces >= 2;
    any |= listing[i];
  }
  if (!any) return;
  std::vector<Unit*> out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (!listing[i]) {
      out.push_back(units[i]);
      continue;
    }
    appendLinesAsUnits(*units[i], ctx, out);
  }
  units = std::move(out);
}

void xyCut(std::vector<Unit*> units, const OrderContext& ctx, std::vector<Unit*>& out, int depth) {
  if (units.size() <= 1 || depth > 64) {
    rowMajor(units);
    out.insert(out.end(), units.begin(), units.end());
    return;
  }
  splitListingRows(units, ctx);
  const Box ext = extentOf(units);
  const int tol = 2;
  // A vertical separator (sidebar border, pane divider) splits what lies beside it; what lies
  // above or below its ends is cut off first.
  for (const Box& sep : ctx.vseps) {
    if (sep.h < 0.6 * ext.h || sep.x <= ext.x || right(sep) >= right(ext)) continue;
    std::vector<Unit*> above, middle, below;
    bool clean = true;
    for (Unit* u : units) {
      if (bottom(u->box) <= sep.y + tol)
        above.push_back(u);
      else if (u->box.y >= bottom(sep) - tol)
        below.push_back(u);
      else if (u->box.y >= sep.y - tol && bottom(u->box) <= bottom(sep) + tol)
        middle.push_back(u);
      else
        clean = false;
    }
    if (!clean || middle.empty()) continue;
    if (!above.empty() || !below.empty()) {
      xyCut(above, ctx, out, depth + 1);
      xyCut(middle, ctx, out, depth + 1);
      xyCut(below, ctx, out, depth + 1);
      return;
    }
    std::vector<Unit*> left, rightSide;
    for (Unit* u : middle) {
      if (right(u->box) <= sep.x + tol)
        left.push_back(u);
      else if (u->box.x >= right(sep) - tol)
        rightSide.push_back(u);
      else
        clean = false;
    }
    if (!clean || left.empty() || rightSide.empty()) continue;
    xyCut(left, ctx, out, depth + 1);
    xyCut(rightSide, ctx, out, depth + 1);
    return;
  }
  // Rows of the page first: titles, paragraphs, form rows, menu items, button bars.
  auto bands = splitByGaps(units, true);
  if (bands.size() > 1) {
    for (auto& band : bands) xyCut(band, ctx, out, depth + 1);
    return;
  }
  auto cols = splitByGaps(units, false);
  if (cols.size() > 1) {
    // Columns of prose are read one after the other. Short items beside prose (an option and its
    // description in --help text, a term and its definition) are read row by row, line by line.
    // Short items side by side (a label and its value, a menu item and its shortcut) are read row
    // by row when most of them have a partner on their row.
    int prose_groups = 0;
    for (const auto& col : cols) {
      bool p = false;
      for (const Unit* u : col) p |= u->prose;
      prose_groups += p;
    }
    if (prose_groups == static_cast<int>(cols.size())) {
      for (auto& col : cols) xyCut(col, ctx, out, depth + 1);
      return;
    }
    // Items beside prose that start exactly on one of its lines (an option and its description)
    // belong to that line; a sidebar beside an article does not line up with it.
    int items = 0, aligned_items = 0;
    if (prose_groups > 0) {
      for (const Unit* u : units) {
        if (u->prose) continue;
        ++items;
        bool aligned = false;
        for (const Unit* p : units) {
          if (!p->prose) continue;
          for (int li : p->lines) {
            const Box& lb = (*ctx.lines)[li].box;
            aligned |= std::abs(lb.y - u->box.y) <= std::max(2, lb.h / 5) &&
                       std::abs(bottom(lb) - bottom(u->box)) <= std::max(2, lb.h / 4);
          }
        }
        aligned_items += aligned;
      }
    }
    if (prose_groups > 0 && items > 0 && aligned_items * 10 >= items * 7) {
      std::vector<Unit*> singles;
      for (Unit* u : units) {
        if (u->lines.size() <= 1) {
          singles.push_back(u);
          continue;
        }
        appendLinesAsUnits(*u, ctx, singles);
      }
      rowMajor(singles);
      out.insert(out.end(), singles.begin(), singles.end());
      return;
    }
    int paired = 0;
    for (std::size_t g = 0; g < cols.size(); ++g) {
      for (const Unit* u : cols[g]) {
        bool has = false;
        for (std::size_t h = 0; h < cols.size() && !has; ++h) {
          if (h == g) continue;
          for (const Unit* v : cols[h]) has |= sameRow(u->box, v->box);
        }
        paired += has;
      }
    }
    if (paired * 2 >= static_cast<int>(units.size())) {
      rowMajor(units);
      out.insert(out.end(), units.begin(), units.end());
      return;
    }
    for (auto& col : cols) xyCut(col, ctx, out, depth + 1);
    return;
  }
  rowMajor(units);
  out.insert(out.end(), units.begin(), units.end());
}

}  // namespace

Box PageLayout::toSource(const Box& box) const {
  Box out = unwarp.empty() ? unrotate(box) : unwarp.apply(box);
  if (quarter_turns % 4 != 0) out = unturnBox(out, quarter_turns, turned_from_w, turned_from_h);
  if (scale != 1.0f) {
    const int x0 = static_cast<int>(std::floor(out.x / scale));
    const int y0 = static_cast<int>(std::floor(out.y / scale));
    const int x1 = static_cast<int>(std::ceil(right(out) / scale));
    const int y1 = static_cast<int>(std::ceil(bottom(out) / scale));
    out = Box{x0, y0, x1 - x0, y1 - y0};
  }
  if (projective) out = rectified_to_source.apply(out);
  out.x += crop_x;
  out.y += crop_y;
  return out;
}

Box PageLayout::unrotate(const Box& box) const {
  if (skew_degrees == 0) return box;
  const double a = skew_degrees * kPi / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  const double cx = width / 2.0, cy = height / 2.0;
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  for (int k = 0; k < 4; ++k) {
    const double px = (k & 1) ? right(box) : box.x;
    const double py = (k & 2) ? bottom(box) : box.y;
    // Inverse of pixRotate's clockwise rotation about the centre.
    const double sx = cx + (px - cx) * c + (py - cy) * s;
    const double sy = cy - (px - cx) * s + (py - cy) * c;
    x0 = std::min(x0, sx);
    y0 = std::min(y0, sy);
    x1 = std::max(x1, sx);
    y1 = std::max(y1, sy);
  }
  Box out;
  out.x = std::clamp(static_cast<int>(std::floor(x0)), 0, width);
  out.y = std::clamp(static_cast<int>(std::floor(y0)), 0, height);
  out.w = std::clamp(static_cast<int>(std::ceil(x1)), 0, width) - out.x;
  out.h = std::clamp(static_cast<int>(std::ceil(y1)), 0, height) - out.y;
  return out;
}

PageLayout analyseLayout(Pix* grey8, const LayoutOptions& options) {
  PageLayout page;
  if (!grey8 || pixGetDepth(grey8) != 8) return page;
  int W = pixGetWidth(grey8), H = pixGetHeight(grey8);
  page.width = W;
  page.height = H;
  page.ink.reset(pixCreate(W, H, 8));
  if (!page.ink) return page;
  pixSetAll(page.ink.get());
  if (W < 4 || H < 4) return page;

  PixPtr work(pixClone(grey8));
  PixPtr upright = darkTextOnLight(grey8);
  float est = options.char_height > 0 ? options.char_height : estimateTextHeight(grey8);
  if (std::getenv("LISEUR_LAYOUT_DEBUG")) std::fprintf(stderr, "estimated char height %.1f\n", est);
  if (est > options.max_char_height) {
    // Large print and 300 dpi scans: the layout needs no more pixels than screen text has, and
    // the lines are scaled down for recognition anyway.
    page.scale = options.max_char_height * 0.75f / est;
    work = scaleGrey(grey8, page.scale);
    upright = darkTextOnLight(work.get());
    est *= page.scale;
    // Toner specks and sensor noise of a scan are finer than the strokes at this scale: a 3x3
    // median removes them and keeps the letters.
    if (PixPtr median{pixRankFilterGray(work.get(), 3, 3, 0.5f)}) work = std::move(median);
    W = pixGetWidth(work.get());
    H = pixGetHeight(work.get());
    page.width = W;
    page.height = H;
    page.ink.reset(pixCreate(W, H, 8));
    if (!page.ink) return page;
    pixSetAll(page.ink.get());
  }
  if (options.deskew && double(W) * H >= 400000) {
    // Paper photographed or scanned askew; screens measure 0 and are left alone.
    PixPtr bin;
    {
      Pix* b = nullptr;
      pixOtsuAdaptiveThreshold(upright.get(), 2000, 2000, 0, 0, 0.1f, nullptr, &b);
      bin.reset(b);
    }
    l_float32 angle = 0, conf = 0;
    if (bin && pixFindSkew(bin.get(), &angle, &conf) == 0 && conf >= 3.0f &&
        std::fabs(angle) >= 0.25f && std::fabs(angle) <= 10.0f) {
      const int incolor = hasDarkBackground(work.get()) ? L_BRING_IN_BLACK : L_BRING_IN_WHITE;
      PixPtr rotated(pixRotate(work.get(), static_cast<l_float32>(angle * kPi / 180.0),
                               L_ROTATE_AREA_MAP, incolor, W, H));
      if (rotated) {
        work = std::move(rotated);
        page.skew_degrees = angle;
      }
    }
  }

  const int k = oddSize((est > 0 ? est : 10.0f) * 0.7f, 5, 41);
  std::vector<Box> step_seps = backgroundSteps(work.get(), est > 0 ? est : 10.0f);
  std::array<PolarityResult, 2> pols;
  for (int p = 0; p < 2; ++p) {
    findComponents(work.get(), static_cast<Polarity>(p), k, est > 0 ? est : 10.0f, pols[p]);
    buildSegments(work.get(), static_cast<Polarity>(p), pols[p]);
  }

  // The ink image: each valid line's characters, dark on white, whatever their polarity.
  std::vector<TextLine> lines;
  std::vector<Box> containers;
  OrderContext ctx;
  ctx.lines = &lines;
  float typical = 0;
  std::size_t typical_n = 0;
  for (int p = 0; p < 2; ++p) {
    PolarityResult& r = pols[p];
    containers.insert(containers.end(), r.containers.begin(), r.containers.end());
    for (const Box& b : r.vseps) ctx.vseps.push_back(b);
    if (p == 0) ctx.vseps.insert(ctx.vseps.end(), step_seps.begin(), step_seps.end());
    if (r.segments.empty()) continue;
    PixPtr mask(pixCreate(W, H, 1));
    for (const Segment& s : r.segments) {
      for (int i : s.comps) {
        const Comp& c = r.comps[i];
        Pix* cp = pixaGetPix(r.pixa, c.pixa_index, L_CLONE);
        pixRasterop(mask.get(), c.box.x, c.box.y, c.box.w, c.box.h, PIX_PAINT, cp, 0, 0);
        pixDestroy(&cp);
      }
      lines.push_back(TextLine{s.box, s.polarity, s.char_height});
    }
    if (r.segments.size() > typical_n) {
      typical_n = r.segments.size();
      typical = r.typical;
    }
    // Keep the anti-aliased rim of each character.
    PixPtr grown(pixDilateBrick(nullptr, mask.get(), 3, 3));
    PixPtr ink(pixInvert(nullptr, r.tophat.get()));
    pixCombineMasked(page.ink.get(), ink.get(), grown.get());
  }
  page.char_height = typical;
  if (lines.empty()) return page;

  // Units: the lines inside one box (button, field, card) stay together; long lines of running
  // text close below each other form a prose block.
  std::vector<int> container_of(lines.size(), -1);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    long best_area = -1;
    for (std::size_t c = 0; c < containers.size(); ++c) {
      const Box& cb = containers[c];
      if (!contains(cb, lines[i].box, 1)) continue;
      const long area = long(cb.w) * cb.h;
      if (best_area < 0 || area < best_area) {
        best_area = area;
        container_of[i] = static_cast<int>(c);
      }
    }
  }
  // A frame that holds running text (two long lines or more: the page of a document viewer, an
  // editor's pane, a message body) is a pane, not a widget: its lines make paragraphs and columns
  // like any page's, and only never join lines outside it. Buttons, fields, cards and table
  // cells hold short lines and stay one unit each.
  auto isLong = [&](const TextLine& l) { return l.box.w >= 30 * std::max(1.0f, l.char_height); };
  std::vector<int> pane_of(lines.size(), -1);
  {
    std::vector<int> long_lines(containers.size(), 0);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (container_of[i] >= 0 && isLong(lines[i])) ++long_lines[container_of[i]];
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (container_of[i] >= 0 && long_lines[container_of[i]] >= 2) {
        pane_of[i] = container_of[i];
        container_of[i] = -1;
      }
    }
  }
  std::vector<int> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    if (lines[a].box.y != lines[b].box.y) return lines[a].box.y < lines[b].box.y;
    return lines[a].box.x < lines[b].box.x;
  });
  std::vector<Unit> units;
  units.reserve(lines.size());
  if (options.single_block) {
    Unit u;
    for (int i : order) {
      u.lines.push_back(i);
      u.box = unite(u.box, lines[i].box);
    }
    units.push_back(std::move(u));
  } else {
    std::vector<int> unit_of(lines.size(), -1);
    for (int i : order) {
      const TextLine& l = lines[i];
      int target = -1;
      if (container_of[i] >= 0) {
        for (std::size_t u = 0; u < units.size(); ++u) {
          if (units[u].container == container_of[i]) target = static_cast<int>(u);
        }
      } else {
        for (std::size_t u = 0; u < units.size() && target < 0; ++u) {
          Unit& cand = units[u];
          if (cand.container >= 0 || cand.pane != pane_of[i]) continue;
          const TextLine& last = lines[cand.lines.back()];
          const float ratio = l.char_height / std::max(1.0f, last.char_height);
          // Same size: the character heights of short lines of small text swing with their
          // letters (ascenders), so equal line heights also count.
          const float hratio = float(l.box.h) / std::max(1, last.box.h);
          const bool same_size =
              (ratio <= 1.25f && ratio >= 0.8f) || (hratio <= 1.2f && hratio >= 0.83f);
          if (!same_size || l.polarity != last.polarity) continue;
          const int gap = l.box.y - bottom(last.box);
          if (gap < -last.box.h / 3 || gap > 0.8f * std::min(l.box.h, last.box.h)) continue;
          // Lines of a paragraph start at the same x; every line but the last fills the measure,
          // so the line above must be long.
          const bool aligned = std::abs(l.box.x - last.box.x) <= 2 * last.char_height;
          if (!aligned || !isLong(last)) continue;
          target = static_cast<int>(u);
        }
      }
      if (target < 0) {
        units.emplace_back();
        units.back().container = container_of[i];
        units.back().pane = pane_of[i];
        if (container_of[i] >= 0) units.back().box = containers[container_of[i]];
        target = static_cast<int>(units.size()) - 1;
      }
      units[target].lines.push_back(i);
      units[target].box = unite(units[target].box, l.box);
      unit_of[i] = target;
    }
    // The end of a line cut off at a wide space (in a terminal, a comma or full stop sits in the
    // middle of its cell: with the space after it, it leaves a gap as wide as two spaces): a
    // one-line piece on the row of a paragraph's line, a few spaces right of it and inside the
    // paragraph's width, is the rest of that line. A sidebar beside a paragraph sticks out of it.
    // A line cut twice joins piece by piece.
    for (bool joined = true; joined;) {
      joined = false;
      for (Unit& piece : units) {
        if (piece.lines.size() != 1 || piece.container >= 0) continue;
        const TextLine& pl = lines[piece.lines.front()];
        const float ch = std::max(1.0f, pl.char_height);
        for (Unit& para : units) {
          if (&para == &piece || para.lines.size() < 2 || para.container >= 0 ||
              para.pane != piece.pane || pl.box.x < para.box.x ||
              right(pl.box) > right(para.box) + ch)
            continue;
          bool beside = false;
          for (int li : para.lines) {
            const Box& lb = lines[li].box;
            const int gap = pl.box.x - right(lb);
            beside |= sameRow(lb, pl.box) && gap >= 0 && gap <= kListingGapChars * ch;
          }
          if (!beside) continue;
          para.lines.push_back(piece.lines.front());
          para.box = unite(para.box, pl.box);
          piece.lines.clear();
          joined = true;
          break;
        }
      }
    }
    std::erase_if(units, [](const Unit& u) { return u.lines.empty(); });
    for (Unit& u : units) {
      int long_lines = 0;
      for (int i : u.lines) long_lines += isLong(lines[i]);
      u.prose = u.lines.size() >= 2 && long_lines >= 1;
    }
    // Paragraphs of one column: same left edge and width, a paragraph gap apart.
    bool merged = true;
    while (merged) {
      merged = false;
      for (std::size_t a = 0; a < units.size() && !merged; ++a) {
        for (std::size_t b = 0; b < units.size() && !merged; ++b) {
          Unit& ua = units[a];
          Unit& ub = units[b];
          if (a == b || !ua.prose || !ub.prose || ua.lines.empty() || ub.lines.empty() ||
              ua.pane != ub.pane)
            continue;
          const float ch = lines[ua.lines.front()].char_height;
          const int gap = ub.box.y - bottom(ua.box);
          if (gap < 0 || gap > 4.0f * ch) continue;
          if (std::abs(ua.box.x - ub.box.x) > 2 * ch) continue;
          if (std::abs(ua.box.w - ub.box.w) > 0.25 * std::max(ua.box.w, ub.box.w)) continue;
          ua.lines.insert(ua.lines.end(), ub.lines.begin(), ub.lines.end());
          ua.box = unite(ua.box, ub.box);
          ub.lines.clear();
          merged = true;
        }
      }
    }
    std::erase_if(units, [](const Unit& u) { return u.lines.empty(); });
  }

  std::vector<Unit*> ptrs;
  for (Unit& u : units) ptrs.push_back(&u);
  std::vector<Unit*> ordered;
  std::deque<Unit> extra;
  ctx.extra = &extra;
  if (options.single_block)
    ordered = ptrs;
  else
    xyCut(ptrs, ctx, ordered, 0);

  if (std::getenv("LISEUR_LAYOUT_DEBUG")) {
    for (const Box& b : ctx.vseps) std::fprintf(stderr, "vsep %d,%d %dx%d\n", b.x, b.y, b.w, b.h);
    for (const Unit* u : ordered)
      std::fprintf(stderr, "unit %d,%d %dx%d lines=%zu prose=%d container=%d\n", u->box.x, u->box.y,
                   u->box.w, u->box.h, u->lines.size(), u->prose, u->container);
  }
  for (Unit* u : ordered) {
    TextBlock block;
    block.prose = u->prose;
    std::vector<int> ls = u->lines;
    std::sort(ls.begin(), ls.end(), [&](int a, int b) {
      const Box& ba = lines[a].box;
      const Box& bb = lines[b].box;
      if (sameRow(ba, bb)) return ba.x < bb.x;
      return ba.y < bb.y;
    });
    for (int i : ls) {
      block.lines.push_back(lines[i]);
      block.box = unite(block.box, lines[i].box);
    }
    page.blocks.push_back(std::move(block));
  }
  return page;
}

LineImage lineImage(const PageLayout& layout, const TextLine& line, float target_char_height,
                    float height_in_chars) {
  LineImage out;
  Pix* ink = layout.ink.get();
  if (!ink) return out;
  const int W = pixGetWidth(ink), H = pixGetHeight(ink);
  const int m = 1;
  const int x0 = std::max(0, line.box.x - m), y0 = std::max(0, line.box.y - m);
  const int x1 = std::min(W, right(line.box) + m), y1 = std::min(H, bottom(line.box) + m);
  if (x1 <= x0 || y1 <= y0) return out;
  BOX* clip = boxCreate(x0, y0, x1 - x0, y1 - y0);
  PixPtr crop(pixClipRectangle(ink, clip, nullptr));
  boxDestroy(&clip);
  if (!crop) return out;
  // Stretch: the faintest text (grey on white) gets the contrast of black on white.
  const auto ranks = rectRanks(crop.get(), Box{0, 0, x1 - x0, y1 - y0});
  const int darkest = ranks[0];
  if (darkest < 250) {
    const double f = 255.0 / (255 - darkest);
    l_uint32* data = pixGetData(crop.get());
    const int wpl = pixGetWpl(crop.get());
    for (int y = 0; y < y1 - y0; ++y) {
      l_uint32* row = data + y * wpl;
      for (int x = 0; x < x1 - x0; ++x) {
        const int v = GET_DATA_BYTE(row, x);
        const int o = 255 - static_cast<int>(std::lround(std::min(255.0, (255 - v) * f)));
        SET_DATA_BYTE(row, x, std::clamp(o, 0, 255));
      }
    }
  }
  float s = line.char_height > 0 ? target_char_height / line.char_height : 1.0f;
  s = std::clamp(s, 0.25f, 6.0f);
  if (std::fabs(s - 1.0f) < 0.1f) s = 1.0f;
  PixPtr scaled = scaleGrey(crop.get(), s);
  if (!scaled) return out;
  // The recogniser scales the whole image to its fixed input height: the white above and below
  // sets how large the letters are there, the same for every line whatever its ascenders. A
  // narrow margin left and right: a wide one makes it see punctuation in the blank.
  const float c = (line.char_height > 0 ? line.char_height : target_char_height / s) * s;
  const int sh = pixGetHeight(scaled.get());
  const int pad_y = std::max(2, static_cast<int>(std::lround((height_in_chars * c - sh) / 2)));
  const int pad_x = std::max(2, static_cast<int>(std::lround(kLineSideMargin * c)));
  out.pix.reset(pixAddBorderGeneral(scaled.get(), pad_x, pad_x, pad_y, pad_y, 255));
  if (!out.pix) return out;
  out.scale = s;
  out.origin = Box{x0, y0, x1 - x0, y1 - y0};
  out.pad_x = pad_x;
  out.pad_y = pad_y;
  return out;
}

Box LineImage::toWork(int l, int t, int r, int b) const {
  const int bx0 = origin.x + static_cast<int>(std::floor((l - pad_x) / scale));
  const int by0 = origin.y + static_cast<int>(std::floor((t - pad_y) / scale));
  const int bx1 = origin.x + static_cast<int>(std::ceil((r - pad_x) / scale));
  const int by1 = origin.y + static_cast<int>(std::ceil((b - pad_y) / scale));
  const int cx0 = std::clamp(bx0, origin.x, right(origin)),
            cx1 = std::clamp(bx1, origin.x, right(origin));
  const int cy0 = std::clamp(by0, origin.y, bottom(origin)),
            cy1 = std::clamp(by1, origin.y, bottom(origin));
  return Box{cx0, cy0, std::max(0, cx1 - cx0), std::max(0, cy1 - cy0)};
}

}  // namespace liseur::preprocess
