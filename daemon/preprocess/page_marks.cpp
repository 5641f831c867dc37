#include "preprocess/page_marks.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <leptonica/allheaders.h>

#include "preprocess/pix_ptr.h"

namespace liseur::preprocess {
namespace {

// Ink is darker than this on the flattened page (whose paper Leptonica brings to 200): black
// print and the faint grey dots teachers' word processors draw (about 150 there) both pass.
constexpr int kInkBelow = 165;
// Components examined per pass, at most: a page of specks must not cost seconds.
constexpr int kMaxComponents = 200000;

PixPtr greyOf(Pix* image) {
  if (pixGetDepth(image) == 32) return PixPtr(pixConvertRGBToLuminance(image));
  return PixPtr(pixConvertTo8(image, 0));
}

inline bool bit(const l_uint32* line, int x) {
  return (line[x >> 5] >> (31 - (x & 31))) & 1;
}

struct Column {
  int ink = 0;
  double y_sum = 0;
  int y_min = 1 << 30, y_max = -1;
  // How the column counts: its ink spread over at most `thin` rows (the two sides of a box,
  // a descender above a rule, are thick).
  int weight(int thin) const { return ink == 0 ? 0 : y_max - y_min + 1 > thin ? thin + 1 : ink; }
};

// The rules inside one wide smeared piece (its mask `mask` at (bx, by) on the ink image).
void rulesIn(Pix* ink, Pix* mask, int bx, int by, int line_h, std::vector<Box>& out) {
  const int bw = pixGetWidth(mask), bh = pixGetHeight(mask);
  const int wpl_m = pixGetWpl(mask), wpl_i = pixGetWpl(ink);
  const l_uint32* m = pixGetData(mask);
  const l_uint32* in = pixGetData(ink);
  std::vector<Column> cols(bw);
  for (int y = 0; y < bh; ++y) {
    const l_uint32* mr = m + y * wpl_m;
    const l_uint32* ir = in + (by + y) * wpl_i;
    for (int x = 0; x < bw; ++x) {
      if (bit(mr, x) && bit(ir, bx + x)) {
        Column& c = cols[x];
        ++c.ink;
        c.y_sum += y;
        c.y_min = std::min(c.y_min, y);
        c.y_max = std::max(c.y_max, y);
      }
    }
  }
  const int thin_max = std::max(4, int(std::lround(line_h * 0.28)));
  const int gap_max = std::max(4, int(std::lround(line_h * 0.6)));
  const int min_len = std::max(40, 4 * line_h);

  auto consider = [&](int x0, int x1) {  // x0..x1 inclusive, both thin columns
    if (x1 - x0 + 1 < min_len) return;
    // Least-squares line through the columns' mean ink rows.
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, thick = 0;
    for (int x = x0; x <= x1; ++x) {
      if (cols[x].ink == 0) continue;
      const double y = cols[x].y_sum / cols[x].ink;
      n += 1, sx += x, sy += y, sxx += double(x) * x, sxy += x * y, thick += cols[x].ink;
    }
    if (n < 0.2 * (x1 - x0 + 1)) return;  // too sparse to be a drawn rule
    const double den = n * sxx - sx * sx;
    const double slope = den > 0 ? (n * sxy - sx * sy) / den : 0;
    const double icpt = (sy - slope * sx) / n;
    if (std::abs(slope) > 0.09) return;  // leaning more than 5 degrees: not a rule
    double rss = 0;
    for (int x = x0; x <= x1; ++x) {
      if (cols[x].ink == 0) continue;
      const double d = cols[x].y_sum / cols[x].ink - (icpt + slope * x);
      rss += d * d;
    }
    if (std::sqrt(rss / n) > std::max(1.5, 0.08 * line_h)) return;  // specks, not a line
    const double t = thick / n;
    const double ya = icpt + slope * x0, yb = icpt + slope * x1;
    const int top = int(std::floor(std::min(ya, yb) - t / 2));
    const int bottom = int(std::ceil(std::max(ya, yb) + t / 2));
    out.push_back(Box{bx + x0, by + std::max(0, top), x1 - x0 + 1, std::max(1, bottom - top)});
  };

  int start = -1, last_thin = -1;
  for (int x = 0; x <= bw; ++x) {
    const int c =
        x < bw ? cols[x].weight(thin_max) : thin_max + 1;  // a thick sentinel ends the last run
    if (c > thin_max || (c == 0 && start >= 0 && x - last_thin > gap_max)) {
      if (start >= 0) consider(start, last_thin);
      start = -1;
      if (c > thin_max) continue;
    }
    if (c > 0) {
      if (start < 0) start = x;
      last_thin = x;
    }
  }
}

// Is the component (its mask) a drawn box: all four sides covered in a thin band, hollow inside?
bool isDrawnBox(Pix* mask) {
  const int w = pixGetWidth(mask), h = pixGetHeight(mask);
  const int band = std::max(2, int(std::lround(0.12 * std::min(w, h))));
  const int wpl = pixGetWpl(mask);
  const l_uint32* d = pixGetData(mask);
  auto at = [&](int x, int y) { return bit(d + y * wpl, x); };
  auto covered = [&](int len, auto&& hit) {
    int n = 0;
    for (int i = 0; i < len; ++i) n += hit(i) ? 1 : 0;
    return n >= 0.8 * len;
  };
  auto rowBand = [&](int y0, int y1) {
    return covered(w, [&](int x) {
      for (int y = y0; y < y1; ++y)
        if (at(x, y)) return true;
      return false;
    });
  };
  auto colBand = [&](int x0, int x1) {
    return covered(h, [&](int y) {
      for (int x = x0; x < x1; ++x)
        if (at(x, y)) return true;
      return false;
    });
  };
  if (!rowBand(0, band) || !rowBand(h - band, h) || !colBand(0, band) || !colBand(w - band, w))
    return false;
  long inside = 0, area = 0;
  for (int y = band + 1; y < h - band - 1; ++y)
    for (int x = band + 1; x < w - band - 1; ++x) {
      ++area;
      inside += at(x, y) ? 1 : 0;
    }
  return area > 0 && inside <= 0.04 * area;
}

// The centres of the long strokes of `mask` (a piece's mask, at (bx, by) on the page): lying
// ones when `level`, else standing ones; strokes closer than `merge` pixels are one (a double
// rule). `lines` gathers the strokes' pixels.
std::vector<int> strokesOf(Pix* mask, int bx, int by, bool level, int bar, int merge,
                           PixPtr& lines) {
  const int w = pixGetWidth(mask), h = pixGetHeight(mask);
  // Thickened across first, so a leaning stroke's steps still hold the bar (3 px at 3 degrees
  // are level for 57 px only).
  const int thick = std::max(3, bar / 16) | 1;
  PixPtr wide(level ? pixDilateBrick(nullptr, mask, 1, thick)
                    : pixDilateBrick(nullptr, mask, thick, 1));
  if (!wide) return {};
  PixPtr open(level ? pixOpenBrick(nullptr, wide.get(), bar, 1)
                    : pixOpenBrick(nullptr, wide.get(), 1, bar));
  std::vector<int> at;
  if (!open) return at;
  BOXA* parts = pixConnComp(open.get(), nullptr, 8);
  const int n = parts ? std::min(boxaGetCount(parts), kMaxComponents) : 0;
  for (int i = 0; i < n; ++i) {
    l_int32 x, y, pw, ph;
    boxaGetBoxGeometry(parts, i, &x, &y, &pw, &ph);
    if (level ? pw >= 0.9 * w : ph >= 0.6 * h)
      at.push_back(level ? by + y + ph / 2 : bx + x + pw / 2);
  }
  boxaDestroy(&parts);
  std::sort(at.begin(), at.end());
  std::vector<int> merged;
  for (int v : at) {
    if (!merged.empty() && v - merged.back() < merge)
      merged.back() = (merged.back() + v) / 2;
    else
      merged.push_back(v);
  }
  if (!lines)
    lines = std::move(open);
  else
    pixOr(lines.get(), lines.get(), open.get());
  return merged;
}

// Is the piece (its mask at (x, y)) a drawn table: a grid of long strokes with its outer edges,
// two cells at least, and almost no other ink? Its lines when it is, else nothing.
std::optional<TableGrid> tableOf(Pix* mask, int x, int y, int line_h) {
  const int w = pixGetWidth(mask), h = pixGetHeight(mask);
  const int merge = std::max(4, int(std::lround(0.6 * line_h)));
  PixPtr lines;
  TableGrid grid;
  grid.ys = strokesOf(mask, x, y, true, std::max(12, 2 * line_h), merge, lines);
  grid.xs = strokesOf(mask, x, y, false, std::max(8, line_h), merge, lines);
  if (grid.xs.size() < 2 || grid.ys.size() < 2 || grid.xs.size() > 64 || grid.ys.size() > 64 ||
      (grid.xs.size() - 1) * (grid.ys.size() - 1) < 2)
    return std::nullopt;
  // Closed: its first and last strokes on the piece's edges (a leaning one's centre is within
  // half the lean of its edge).
  const int slackX = std::max(6, int(std::lround(0.05 * h + 0.3 * line_h)));
  const int slackY = std::max(6, int(std::lround(0.05 * w + 0.3 * line_h)));
  if (grid.xs.front() - x > slackX || x + w - 1 - grid.xs.back() > slackX ||
      grid.ys.front() - y > slackY || y + h - 1 - grid.ys.back() > slackY)
    return std::nullopt;
  l_int32 all = 0, off = 0;
  pixCountPixels(mask, &all, nullptr);
  PixPtr rest(pixSubtract(nullptr, mask, lines.get()));
  if (!rest) return std::nullopt;
  pixCountPixels(rest.get(), &off, nullptr);
  if (all <= 0 || off > 0.15 * all) return std::nullopt;
  return grid;
}

}  // namespace

PageMarks findPageMarks(Pix* image, int line_height) {
  PageMarks marks;
  if (!image || pixGetWidth(image) < 8 || pixGetHeight(image) < 8) return marks;
  const int line_h = line_height > 0 ? line_height : 30;
  PixPtr grey = greyOf(image);
  if (!grey) return marks;
  PixPtr flat(pixBackgroundNormSimple(grey.get(), nullptr, nullptr));
  PixPtr ink(pixThresholdToBinary(flat ? flat.get() : grey.get(), kInkBelow));
  if (!ink) return marks;

  // Rules: the smeared ink's wide pieces, read column by column in the real ink.
  const int smear = std::clamp(int(std::lround(line_h * 0.6)), 4, 60);
  PixPtr smeared(pixDilateBrick(nullptr, ink.get(), smear, 3));
  const int min_len = std::max(40, 4 * line_h);
  if (smeared) {
    PIXA* pieces = nullptr;
    BOXA* bb = pixConnComp(smeared.get(), &pieces, 8);
    const int n = bb ? std::min(boxaGetCount(bb), kMaxComponents) : 0;
    for (int i = 0; i < n; ++i) {
      l_int32 x, y, w, h;
      boxaGetBoxGeometry(bb, i, &x, &y, &w, &h);
      if (w < min_len) continue;
      PixPtr mask(pixaGetPix(pieces, i, L_CLONE));
      rulesIn(ink.get(), mask.get(), x, y, line_h, marks.rules);
    }
    boxaDestroy(&bb);
    pixaDestroy(&pieces);
  }

  // Boxes: pieces of the real ink, square-ish from half a line up, or larger rectangles.
  PIXA* parts = nullptr;
  BOXA* pb = pixConnComp(ink.get(), &parts, 8);
  const int np = pb ? std::min(boxaGetCount(pb), kMaxComponents) : 0;
  const int small = std::max(8, int(std::lround(line_h * 0.4)));
  for (int i = 0; i < np; ++i) {
    l_int32 x, y, w, h;
    boxaGetBoxGeometry(pb, i, &x, &y, &w, &h);
    if (w < small || h < small) continue;
    if (w >= 3 * line_h && 10 * h >= 16 * line_h) {
      PixPtr mask(pixaGetPix(parts, i, L_CLONE));
      if (auto grid = tableOf(mask.get(), x, y, line_h)) {
        marks.tables.push_back(std::move(*grid));
        continue;
      }
    }
    const double aspect = double(w) / h;
    const bool checkbox = w <= 2 * line_h && h <= 2 * line_h && aspect > 0.6 && aspect < 1.6;
    const bool large = w >= 2 * line_h && h >= line_h;
    if (!checkbox && !large) continue;
    PixPtr mask(pixaGetPix(parts, i, L_CLONE));
    if (isDrawnBox(mask.get())) marks.boxes.push_back(Box{x, y, w, h});
  }
  boxaDestroy(&pb);
  pixaDestroy(&parts);

  // A table's lines are not answer lines: the rules whose middle is inside a table are dropped.
  const int near = std::max(4, line_h / 2);
  std::erase_if(marks.rules, [&](const Box& r) {
    const int cx = r.x + r.w / 2, cy = r.y + r.h / 2;
    return std::any_of(marks.tables.begin(), marks.tables.end(), [&](const TableGrid& t) {
      return cx >= t.xs.front() - near && cx <= t.xs.back() + near && cy >= t.ys.front() - near &&
             cy <= t.ys.back() + near;
    });
  });

  auto byPlace = [](const Box& a, const Box& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; };
  std::sort(marks.rules.begin(), marks.rules.end(), byPlace);
  std::sort(marks.boxes.begin(), marks.boxes.end(), byPlace);
  std::sort(marks.tables.begin(), marks.tables.end(), [](const TableGrid& a, const TableGrid& b) {
    return a.ys.front() != b.ys.front() ? a.ys.front() < b.ys.front() : a.xs.front() < b.xs.front();
  });
  return marks;
}

}  // namespace liseur::preprocess
