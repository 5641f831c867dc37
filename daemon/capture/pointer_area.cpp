#include "capture/pointer_area.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace liseur {
namespace {

// A change of brightness between neighbours at least this large (of 255) is an edge: the
// faintest text of a usable interface (grey on white, 3:1) still has stronger edges.
constexpr int kEdge = 28;
// An edge that goes on straight for this many pixels is a rule or a panel's border, not text
// (the stems of a 48 px heading are shorter).
constexpr int kLongRun = 96;

class InkMap {
 public:
  explicit InkMap(const CapturedImage& img) : w_(img.width), h_(img.height) {
    std::vector<uint8_t> lum(static_cast<std::size_t>(w_) * h_);
    for (int y = 0; y < h_; ++y) {
      const auto* row = reinterpret_cast<const uint8_t*>(img.bgra.data()) +
                        static_cast<std::size_t>(y) * img.stride;
      for (int x = 0; x < w_; ++x) {
        const uint8_t* p = row + 4 * x;
        lum[at(x, y)] = static_cast<uint8_t>((p[0] + 5 * p[1] + 2 * p[2]) >> 3);
      }
    }
    // Across a row: edges between x and x+1, kept where their run down the column is short.
    // Row by row (memory order), each column's current run remembered.
    across_.assign(lum.size(), 0);
    std::vector<int> start(static_cast<std::size_t>(w_), -1);
    for (int y = 0; y <= h_; ++y) {
      const uint8_t* l = y < h_ ? &lum[at(0, y)] : nullptr;
      for (int x = 0; x + 1 < w_; ++x) {
        const bool e = l != nullptr && std::abs(l[x + 1] - l[x]) >= kEdge;
        int& s = start[x];
        if (e) {
          if (s < 0) s = y;
        } else if (s >= 0) {
          if (y - s < kLongRun)
            for (int k = s; k < y; ++k) across_[at(x, k)] = 1;
          s = -1;
        }
      }
    }
    // Down a column: edges between y and y+1, kept where their run along the row is short.
    down_.assign(lum.size(), 0);
    for (int y = 0; y + 1 < h_; ++y) {
      int start = -1;
      for (int x = 0; x <= w_; ++x) {
        const bool e = x < w_ && std::abs(lum[at(x, y + 1)] - lum[at(x, y)]) >= kEdge;
        if (e && start < 0) start = x;
        if (!e && start >= 0) {
          if (x - start < kLongRun)
            for (int k = start; k < x; ++k) down_[at(k, y)] = 1;
          start = -1;
        }
      }
    }
  }

  // No text in row y between x0 and x1 (exclusive).
  bool blankRow(int y, int x0, int x1) const {
    const uint8_t* r = &across_[at(0, y)];
    return std::none_of(r + x0, r + x1, [](uint8_t v) { return v != 0; });
  }
  // No text in column x between y0 and y1 (exclusive).
  bool blankColumn(int x, int y0, int y1) const {
    for (int y = y0; y < y1; ++y)
      if (down_[at(x, y)] != 0) return false;
    return true;
  }

 private:
  std::size_t at(int x, int y) const { return static_cast<std::size_t>(y) * w_ + x; }
  int w_, h_;
  std::vector<uint8_t> across_, down_;
};

// Moves the top edge `top` and bottom edge `bottom` (exclusive) of the rows [top, bottom) to rows
// with no text between x0 and x1: outward first, inward (not past the pointer) when there is no
// gap outward.
void placeRows(const InkMap& ink, int height, int x0, int x1, int py, int& top, int& bottom) {
  if (!ink.blankRow(top, x0, x1)) {
    int found = -1;
    for (int y = top - 1; y >= 0 && found < 0; --y)
      if (ink.blankRow(y, x0, x1)) found = y;
    for (int y = top + 1; y < py && found < 0; ++y)
      if (ink.blankRow(y, x0, x1)) found = y;
    if (found >= 0) top = found;
  }
  if (!ink.blankRow(bottom - 1, x0, x1)) {
    int found = -1;
    for (int y = bottom; y < height && found < 0; ++y)
      if (ink.blankRow(y, x0, x1)) found = y;
    for (int y = bottom - 2; y > py && found < 0; --y)
      if (ink.blankRow(y, x0, x1)) found = y;
    if (found >= 0) bottom = found + 1;
  }
}

// The height of the lines of text in rows [y0, y1) between x0 and x1 (16 when none).
int lineHeight(const InkMap& ink, int x0, int x1, int y0, int y1) {
  std::vector<int> runs;
  int run = 0;
  for (int y = y0; y <= y1; ++y) {
    if (y < y1 && !ink.blankRow(y, x0, x1)) {
      ++run;
    } else {
      if (run >= 3) runs.push_back(run);
      run = 0;
    }
  }
  if (runs.empty()) return 16;
  // The upper quartile: lines of small letters only ("a ses") are lower than a line's height.
  const auto q = runs.begin() + runs.size() * 3 / 4;
  std::nth_element(runs.begin(), q, runs.end());
  return *q;
}

// Moves `lo` and `hi` (exclusive) outward, within [0, limit), to the nearest runs of `gap`
// columns with no text between rows y0 and y1 (the run itself left out), or to the band's edges.
void widenToGaps(const InkMap& ink, int limit, int gap, int y0, int y1, int& lo, int& hi) {
  int run = 0, found = 0;
  for (int x = lo - 1; x >= 0; --x) {
    run = ink.blankColumn(x, y0, y1) ? run + 1 : 0;
    if (run >= gap) {
      found = x + gap;
      break;
    }
  }
  lo = std::min(lo, found);
  run = 0;
  found = limit;
  for (int x = hi; x < limit; ++x) {
    run = ink.blankColumn(x, y0, y1) ? run + 1 : 0;
    if (run >= gap) {
      found = x - gap + 1;
      break;
    }
  }
  hi = std::max(hi, found);
}

// The text under (or just beside) the pointer: the line it is on, widened along its rows to the
// gaps on either side, then the lines above and below it up to a blank as tall as a line (the
// paragraph, the list item, the cell), widened again; at most `height` tall. Empty when there is
// no text within half a line of the pointer. `gap` is raised to what that line's letters need.
Box textAround(const InkMap& ink, int bw, int bh, int px, int py, int line, int& gap, int height) {
  const int wx0 = std::max(0, px - gap), wx1 = std::min(bw, px + gap + 1);
  int row = -1;
  for (int d = 0; d <= line / 2 && row < 0; ++d) {
    if (py - d >= 0 && !ink.blankRow(py - d, wx0, wx1))
      row = py - d;
    else if (py + d < bh && !ink.blankRow(py + d, wx0, wx1))
      row = py + d;
  }
  if (row < 0) return Box{};
  const int ylo = std::max(0, py - height / 2), yhi = std::min(bh, py + height / 2);
  int y0 = row, y1 = row + 1;
  while (y0 > ylo && !ink.blankRow(y0 - 1, wx0, wx1)) --y0;
  while (y1 < yhi && !ink.blankRow(y1, wx0, wx1)) ++y1;
  // A line of small letters only ("a ses raisons") is lower than its font's line: the gap is
  // also at least two letters' pitch there (the distance from one letter's start to the next),
  // wider than a space between words in any font.
  std::vector<int> pitches;
  for (int x = std::max(0, px - 300), last = -1; x < std::min(bw, px + 300); ++x) {
    const bool starts = !ink.blankColumn(x, y0, y1) && (x == 0 || ink.blankColumn(x - 1, y0, y1));
    if (!starts) continue;
    if (last >= 0) pitches.push_back(x - last);
    last = x;
  }
  if (pitches.size() >= 3) {
    std::nth_element(pitches.begin(), pitches.begin() + pitches.size() / 2, pitches.end());
    gap = std::max(gap, 2 * pitches[pitches.size() / 2]);
  }
  int x0 = px, x1 = px + 1;
  widenToGaps(ink, bw, gap, y0, y1, x0, x1);
  int top = y0, bottom = y1;
  for (int y = top - 1, blank = 0; y >= ylo && blank < line; --y) {
    if (ink.blankRow(y, x0, x1)) {
      ++blank;
    } else {
      blank = 0;
      top = y;
    }
  }
  for (int y = bottom, blank = 0; y < yhi && blank < line; ++y) {
    if (ink.blankRow(y, x0, x1)) {
      ++blank;
    } else {
      blank = 0;
      bottom = y + 1;
    }
  }
  widenToGaps(ink, bw, gap, top, bottom, x0, x1);
  return Box{x0, top, x1 - x0, bottom - top};
}

}  // namespace

Box readableAreaAround(const CapturedImage& band, int px, int py, int width, int height) {
  const int bw = band.width, bh = band.height;
  if (bw <= 0 || bh <= 0 || band.bgra.size() < static_cast<std::size_t>(band.stride) * bh)
    return Box{};
  px = std::clamp(px, 0, bw - 1);
  py = std::clamp(py, 0, bh - 1);
  const int w = std::clamp(width, 1, bw), h = std::clamp(height, 1, bh);
  int left = std::clamp(px - w / 2, 0, bw - w), right = left + w;
  int top = std::clamp(py - h / 2, 0, bh - h), bottom = top + h;
  const InkMap ink(band);
  // A gap between texts: wider than the space between two words of these lines, in a
  // terminal's fixed-width font too (a space there is 0.6 em, with the letters' side bearings
  // about 0.8 of the ink's height); columns, cells and panels are further apart.
  const int line = lineHeight(ink, left, right, top, bottom);
  int gap = std::max(8, line * 6 / 5);

  const Box text = textAround(ink, bw, bh, px, py, line, gap, h);
  // Narrower than half a character or lower than a few pixels: a frame's corner or a border
  // the pointer is on, not text.
  if (text.w >= std::max(4, line / 2) && text.h >= 4) {
    // That text with a margin of background (less than the gap that ended it), so the OCR sees
    // its lines whole and nothing of its neighbours.
    const int mx = gap / 2, my = std::max(2, line / 2);
    return intersectBoxes(Box{text.x - mx, text.y - my, text.w + 2 * mx, text.h + 2 * my},
                          Box{0, 0, bw, bh});
  }
  // No text at the pointer: the box around it (the block nearest the pointer is read), with no
  // line cut at its edges.
  placeRows(ink, bh, left, right, py, top, bottom);
  const int y0 = top, y1 = bottom;
  widenToGaps(ink, bw, gap, y0, y1, left, right);
  placeRows(ink, bh, left, right, py, top, bottom);
  return Box{left, top, right - left, bottom - top};
}

CapturedImage cropCaptured(const CapturedImage& image, const Box& box) {
  CapturedImage out;
  const Box b = intersectBoxes(box, Box{0, 0, image.width, image.height});
  out.description = image.description;
  out.origin = Box{image.origin.x + b.x, image.origin.y + b.y, b.w, b.h};
  out.pointer_x = image.pointer_x >= 0 ? image.pointer_x - b.x : -1;
  out.pointer_y = image.pointer_y >= 0 ? image.pointer_y - b.y : -1;
  if (b.w == 0) return out;
  out.width = b.w;
  out.height = b.h;
  out.stride = b.w * 4;
  out.bgra.resize(static_cast<std::size_t>(out.stride) * b.h);
  for (int y = 0; y < b.h; ++y)
    std::copy_n(image.bgra.data() + static_cast<std::size_t>(b.y + y) * image.stride + 4 * b.x,
                out.stride, out.bgra.data() + static_cast<std::size_t>(y) * out.stride);
  return out;
}

Box pointerBand(const Box& output, int py, int height) {
  const int h = std::min(output.h, std::max(1, 2 * height));
  const int y = std::clamp(py - h / 2, output.y, output.y + output.h - h);
  return Box{output.x, y, output.w, h};
}

}  // namespace liseur
