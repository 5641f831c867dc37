#include "preprocess/text_image.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace liseur::preprocess {
namespace {

// Cap-height-ish median component size Tesseract's LSTM models were trained around (text lines
// of 30-40 px); measured on the dev corpus, see tests/bench/ocr_quality.
constexpr float kTargetTextHeight = 22.0f;

}  // namespace

PixPtr toGrey8(Pix* src) {
  if (!src) return nullptr;
  PixPtr work;
  Pix* cur = src;
  if (pixGetDepth(cur) == 32 && pixGetSpp(cur) == 4) {
    // Screenshots with alpha: what the user sees is the image over a light window.
    work.reset(pixAlphaBlendUniform(cur, 0xffffff00));
    if (!work) return nullptr;
    cur = work.get();
  }
  PixPtr grey;
  const int depth = pixGetDepth(cur);
  if (pixGetColormap(cur)) {
    grey.reset(pixRemoveColormap(cur, REMOVE_CMAP_TO_GRAYSCALE));
    if (grey && pixGetDepth(grey.get()) != 8) grey.reset(pixConvertTo8(grey.get(), 0));
  } else if (depth == 32) {
    grey.reset(pixConvertRGBToLuminance(cur));
  } else if (depth == 16) {
    grey.reset(pixConvert16To8(cur, L_MS_BYTE));
  } else if (depth == 8) {
    grey.reset(pixCopy(nullptr, cur));
  } else {
    grey.reset(pixConvertTo8(cur, 0));
  }
  return grey;
}

int backgroundLevel(Pix* grey8) {
  if (!grey8 || pixGetDepth(grey8) != 8) return 255;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  // Subsample large images: the median of a few hundred thousand pixels is as good.
  const int factor = std::max(1, static_cast<int>(std::sqrt(double(w) * h / 250000.0)));
  NUMA* hist = pixGetGrayHistogram(grey8, factor);
  if (!hist) return 255;
  l_float32 median = 255;
  numaGetHistogramStats(hist, 0, 1, nullptr, &median, nullptr, nullptr);
  numaDestroy(&hist);
  return static_cast<int>(std::lround(median));
}

bool hasDarkBackground(Pix* grey8) {
  return backgroundLevel(grey8) < 128;
}

PixPtr darkTextOnLight(Pix* grey8) {
  if (!grey8) return nullptr;
  if (hasDarkBackground(grey8)) return PixPtr(pixInvert(nullptr, grey8));
  return PixPtr(pixCopy(nullptr, grey8));
}

float estimateTextHeight(Pix* grey8) {
  if (!grey8 || pixGetDepth(grey8) != 8) return 0;
  const int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  if (w < 4 || h < 4) return 0;
  Pix* bin = nullptr;
  // Global Otsu over the whole image: the text/background split of a screen region.
  if (pixOtsuAdaptiveThreshold(grey8, w, h, 0, 0, 0.1f, nullptr, &bin) != 0 || !bin) return 0;
  BOXA* boxes = pixConnCompBB(bin, 8);
  pixDestroy(&bin);
  if (!boxes) return 0;
  std::vector<int> heights;
  const int n = boxaGetCount(boxes);
  heights.reserve(n);
  for (int i = 0; i < n; ++i) {
    l_int32 bx, by, bw, bh;
    boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
    // Characters: not specks, not lines or frames, not the whole region.
    if (bh < 4 || bh > h * 0.8 || bw > 4 * bh || bw > w / 2) continue;
    heights.push_back(bh);
  }
  boxaDestroy(&boxes);
  if (heights.size() < 3) return 0;
  return heightWeightedMedian(std::vector<float>(heights.begin(), heights.end()));
}

float heightWeightedMedian(std::vector<float> heights) {
  if (heights.empty()) return 0;
  std::sort(heights.begin(), heights.end());
  double total = 0;
  for (float h : heights) total += h;
  double acc = 0;
  for (float h : heights) {
    acc += h;
    if (acc >= total / 2) return h;
  }
  return heights.back();
}

float chooseScale(float text_height, int width, int height, double max_pixels) {
  if (text_height <= 0 || width <= 0 || height <= 0) return 1.0f;
  float factor = kTargetTextHeight / text_height;
  factor = std::clamp(factor, 0.35f, 4.0f);
  const double limit = std::sqrt(max_pixels / (double(width) * height));
  factor = std::min<float>(factor, static_cast<float>(limit));
  // Within 15 % of the target the resampling costs more than it helps.
  if (std::fabs(factor - 1.0f) < 0.15f) return 1.0f;
  return factor;
}

PixPtr scaleGrey(Pix* grey8, float factor) {
  if (!grey8) return nullptr;
  if (factor == 1.0f) return PixPtr(pixCopy(nullptr, grey8));
  if (factor < 0.7f) return PixPtr(pixScaleAreaMap(grey8, factor, factor));
  return PixPtr(pixScaleGrayLI(grey8, factor, factor));
}

}  // namespace liseur::preprocess
