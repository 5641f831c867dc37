#include "ocr/page_lines.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cwctype>
#include <string>
#include <utility>

#include "core/utf8.h"

namespace liseur::ocr {
namespace {

// Gutters and running text, in character heights (the paragraph's median word height).
constexpr float kGutterChars = 1.5f;
constexpr float kColumnChars = 8.0f;
// Running text: on each side, this many words a line on average, three in four with a letter.
constexpr int kColumnWords = 3;

// A headline's print is at least kHeadlinePrint times the body's and kHeadlineLead times any other
// paragraph's of kHeadlineChars characters or more (headlineOf).
constexpr float kHeadlinePrint = 2.0f;
constexpr float kHeadlineLead = 1.33f;
constexpr std::size_t kHeadlineChars = 6;
// A headline's kicker, byline or subtitle has at most this many lines...
constexpr std::size_t kSetOffLines = 2;
// ... and is at most this many times the headline's print height above or below it (a photo
// credit under the title is further).
constexpr float kSetOffReach = 0.6f;

// A line whose words' mean confidence is below this is noise (isNoise)...
constexpr double kNoiseConfidence = 35;
// ... when they are fragments: fewer characters than this a word on average (words of text run
// from 4 to 5 in English and French, an amount like ".75-" has 4; texture read as print comes
// out as runs of "oe", "ee", "a", "ES")...
constexpr double kFragmentChars = 3.0;
// ... or whatever their length when the mean is below this (noise read as invented words: a
// faint or crossed-out line of print stays above it).
constexpr double kInventedConfidence = 27;

// True when UTF-8 `text` holds a letter or a digit of any script (not only quotes, dashes, marks).
bool hasLetterOrDigit(const std::string& text) {
  const locale_t loc = utf8CtypeLocale();
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    const int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    for (int k = 1; k < n && i + k < text.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += n;
    if (loc ? iswalnum_l(static_cast<wint_t>(c), loc) : (c < 0x80 && std::isalnum(int(c))))
      return true;
  }
  return false;
}

}  // namespace

bool isNoise(const LineRead& r) {
  const auto& ws = r.line.words;
  if (ws.empty()) return true;
  double sum = 0;
  std::size_t chars = 0;
  for (const Word& w : ws) {
    sum += w.confidence;
    chars += codePointCount(w.text);
  }
  const double mean = sum / static_cast<double>(ws.size());
  // A line without a letter or a digit (quotes, dashes, marks: texture read as punctuation) says
  // nothing worth hearing.
  bool sayable = false;
  for (const Word& w : ws) sayable |= hasLetterOrDigit(w.text);
  if (!sayable) return true;
  if (ws.size() >= 3) {
    const double per_word = static_cast<double>(chars) / static_cast<double>(ws.size());
    return mean < kInventedConfidence || (mean < kNoiseConfidence && per_word < kFragmentChars);
  }
  return chars <= 2 && mean < kNoiseConfidence / 2;
}

Box boxOfReads(const std::vector<LineRead>& reads) {
  int x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
  for (const LineRead& r : reads)
    for (const Word& w : r.line.words) {
      x0 = std::min(x0, w.box.x);
      y0 = std::min(y0, w.box.y);
      x1 = std::max(x1, w.box.x + w.box.w);
      y1 = std::max(y1, w.box.y + w.box.h);
    }
  if (x1 < x0) return Box{};
  return Box{x0, y0, x1 - x0, y1 - y0};
}

bool continueColumn(std::vector<std::vector<LineRead>>& columns,
                    const std::vector<LineRead>& lines) {
  const Box nb = boxOfReads(lines);
  for (auto& col : columns) {
    const Box cb = boxOfReads(col);
    const int line_h = cb.h / std::max<int>(1, static_cast<int>(col.size()));
    const bool below = nb.y >= cb.y + cb.h - line_h / 2 && nb.y <= cb.y + cb.h + line_h;
    const bool inside = nb.x >= cb.x - line_h && nb.x + nb.w <= cb.x + cb.w + line_h;
    if (below && inside) {
      col.insert(col.end(), lines.begin(), lines.end());
      return true;
    }
  }
  return false;
}

bool splitColumns(std::vector<LineRead>& para, std::vector<std::vector<LineRead>>& out) {
  std::vector<float> heights;
  int x_min = INT32_MAX, x_max = INT32_MIN;
  for (const LineRead& r : para) {
    for (const Word& w : r.line.words) {
      heights.push_back(static_cast<float>(w.box.h));
      x_min = std::min(x_min, w.box.x);
      x_max = std::max(x_max, w.box.x + w.box.w);
    }
  }
  if (para.size() < 3 || heights.empty() || x_max - x_min > 1 << 16) {
    out.push_back(std::move(para));
    return false;
  }
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const float ch = std::max(1.0f, heights[heights.size() / 2]);
  // Columns of x that no word covers, inside the paragraph's extent.
  std::vector<int> cover(static_cast<std::size_t>(x_max - x_min), 0);
  for (const LineRead& r : para)
    for (const Word& w : r.line.words)
      for (int x = w.box.x; x < w.box.x + w.box.w; ++x) ++cover[x - x_min];
  // Running text between x0 and x1: each line's words there span kColumnChars character heights
  // on average, kColumnWords words a line, three in four with a letter (a table's columns of
  // figures or of short labels are not).
  auto runningText = [&](int x0, int x1) {
    int n = 0, words = 0, lettered = 0;
    double width = 0;
    for (const LineRead& r : para) {
      int lmin = INT32_MAX, lmax = INT32_MIN;
      for (const Word& w : r.line.words) {
        if (w.box.x < x0 || w.box.x + w.box.w > x1) continue;
        lmin = std::min(lmin, w.box.x);
        lmax = std::max(lmax, w.box.x + w.box.w);
        ++words;
        lettered += std::any_of(w.text.begin(), w.text.end(), [](char c) {
          return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80);
        });
      }
      if (lmax > lmin) {
        width += lmax - lmin;
        ++n;
      }
    }
    return n > 0 && width / n >= kColumnChars * ch && words >= kColumnWords * n &&
           lettered * 4 >= words * 3;
  };
  // Gutters: x intervals no word covers, kGutterChars wide, with words on both sides in at least
  // 3 lines, and in most of them or in consecutive ones.
  std::vector<std::pair<int, int>> gutters;
  for (int x = 0; x < static_cast<int>(cover.size());) {
    if (cover[x] != 0) {
      ++x;
      continue;
    }
    int end = x;
    while (end < static_cast<int>(cover.size()) && cover[end] == 0) ++end;
    const int a = x_min + x, b = x_min + end;
    x = end;
    if (b - a < kGutterChars * ch) continue;
    // Lines with words on both sides: most lines, or a run of them with the longer column's
    // tail (or head) on its own before or after them (columns of unequal length).
    int both = 0, first = -1, last = -1;
    for (int i = 0; i < static_cast<int>(para.size()); ++i) {
      bool left = false, right = false;
      for (const Word& w : para[i].line.words) (w.box.x + w.box.w <= a ? left : right) = true;
      if (!(left && right)) continue;
      ++both;
      if (first < 0) first = i;
      last = i;
    }
    const bool run = both == last - first + 1;
    if (both < 3 || (both * 5 < static_cast<int>(para.size()) * 3 && !run)) continue;
    gutters.emplace_back(a, b);
  }
  // Columns of running text between every two gutters; one column that is not (a table's
  // header, its cells) keeps the paragraph in rows.
  int best_a = -1, best_b = -1;
  int from = x_min;
  bool columns = !gutters.empty();
  for (std::size_t g = 0; g <= gutters.size() && columns; ++g) {
    const int to = g < gutters.size() ? gutters[g].first : x_max;
    columns = runningText(from, to);
    if (g < gutters.size()) from = gutters[g].second;
  }
  if (columns) {
    for (const auto& [a, b] : gutters) {
      if (best_a < 0 || b - a > best_b - best_a) {
        best_a = a;
        best_b = b;
      }
    }
  }
  if (best_a < 0) {
    out.push_back(std::move(para));
    return false;
  }
  std::vector<LineRead> left, right;
  for (LineRead& r : para) {
    LineRead l = r, rr = r;
    l.line.words.clear();
    rr.line.words.clear();
    for (Word& w : r.line.words) (w.box.x >= best_b ? rr : l).line.words.push_back(std::move(w));
    if (!l.line.words.empty()) left.push_back(std::move(l));
    if (!rr.line.words.empty()) right.push_back(std::move(rr));
  }
  splitColumns(left, out);
  splitColumns(right, out);
  return true;
}

float bodyPrint(const std::vector<float>& print, const std::vector<std::size_t>& chars) {
  const std::size_t n = std::min(print.size(), chars.size());
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return print[a] < print[b]; });
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += chars[i];
  std::size_t seen = 0;
  for (std::size_t i : order) {
    seen += chars[i];
    if (2 * seen >= total && seen > 0) return print[i];
  }
  return 0;
}

int headlineOf(const std::vector<float>& print, const std::vector<std::size_t>& chars) {
  const std::size_t n = std::min(print.size(), chars.size());
  const float body = bodyPrint(print, chars);
  // The two largest prints among paragraphs of a few words (a mark or a stray letter is not a
  // title).
  int top = -1, second = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (chars[i] < kHeadlineChars) continue;
    const int k = static_cast<int>(i);
    if (top < 0 || print[i] > print[top]) {
      second = top;
      top = k;
    } else if (second < 0 || print[i] > print[second]) {
      second = k;
    }
  }
  if (top < 0 || second < 0 || body <= 0 || print[top] < kHeadlinePrint * body ||
      print[top] < kHeadlineLead * print[second])
    return -1;
  return top;
}

std::vector<std::size_t> headlineFirst(const std::vector<PagePart>& parts, int* headline) {
  std::vector<std::size_t> order(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) order[i] = i;
  std::vector<float> print;
  std::vector<std::size_t> chars;
  for (const PagePart& p : parts) {
    print.push_back(p.print);
    chars.push_back(p.chars);
  }
  const int h = headlineOf(print, chars);
  if (headline) *headline = h;
  if (h <= 0) return order;
  const Box& hb = parts[h].box;
  const float reach = kSetOffReach * parts[h].print;
  std::vector<std::size_t> group;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Box& b = parts[i].box;
    const bool beside = b.x < hb.x + hb.w && hb.x < b.x + b.w;
    const float gap = static_cast<float>(
        std::max(b.y - (hb.y + hb.h), hb.y - (b.y + b.h)));  // < 0 when they overlap
    const bool near = gap <= reach;
    if (static_cast<int>(i) == h || (parts[i].lines <= kSetOffLines && beside && near))
      group.push_back(i);
  }
  std::stable_sort(group.begin(), group.end(),
                   [&](std::size_t a, std::size_t b) { return parts[a].box.y < parts[b].box.y; });
  std::vector<std::size_t> out = group;
  for (std::size_t i : order)
    if (std::find(group.begin(), group.end(), i) == group.end()) out.push_back(i);
  return out;
}

}  // namespace liseur::ocr
