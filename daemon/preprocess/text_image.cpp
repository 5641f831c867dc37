#include "preprocess/text_image.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace liseur::preprocess {

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
  int w = pixGetWidth(grey8), h = pixGetHeight(grey8);
  if (w < 4 || h < 4) return 0;
  // Large images are measured at half size: the median height does not need every pixel.
  PixPtr small;
  float factor = 1.0f;
  Pix* src = grey8;
  if (double(w) * h > 1.5e6) {
    small.reset(pixScaleAreaMap2(grey8));
    if (small) {
      src = small.get();
      factor = 0.5f;
      w = pixGetWidth(src);
      h = pixGetHeight(src);
    }
  }
  // Ink darker and ink lighter than its surroundings (grey top-hats), so that neither a dark
  // theme nor filled buttons and bars are taken for characters.
  float best = 0;
  std::size_t best_n = 0;
  for (int type : {L_TOPHAT_BLACK, L_TOPHAT_WHITE}) {
    PixPtr hat(pixTophat(src, 15, 15, type));
    if (!hat) continue;
    PixPtr below(pixThresholdToBinary(hat.get(), 40));
    if (!below) continue;
    PixPtr ink(pixInvert(nullptr, below.get()));
    BOXA* boxes = pixConnCompBB(ink.get(), 8);
    if (!boxes) continue;
    std::vector<float> heights;
    const int n = boxaGetCount(boxes);
    for (int i = 0; i < n; ++i) {
      l_int32 bx, by, bw, bh;
      boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
      if (bh < 3 || bh > h * 0.5 || bw > 3 * bh) continue;
      heights.push_back(static_cast<float>(bh));
    }
    boxaDestroy(&boxes);
    if (heights.size() >= 3 && heights.size() > best_n) {
      best_n = heights.size();
      best = heightWeightedMedian(heights);
    }
  }
  return best / factor;
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

PixPtr scaleGrey(Pix* grey8, float factor) {
  if (!grey8) return nullptr;
  if (factor == 1.0f) return PixPtr(pixCopy(nullptr, grey8));
  if (factor < 0.7f) return PixPtr(pixScaleAreaMap(grey8, factor, factor));
  return PixPtr(pixScaleGrayLI(grey8, factor, factor));
}

}  // namespace liseur::preprocess
