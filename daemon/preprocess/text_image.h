// Preprocessing steps that turn a captured image into what Tesseract reads best: 8-bit grey,
// dark text on a light background, text scaled to a comfortable height.
//
// Pure functions over Leptonica images: inputs are never modified nor taken; results are new
// images owned by the caller. Thread-safe (no shared state). They do not fail on odd input
// (empty, 1-pixel, all one colour): they return a neutral answer instead, and nullptr only when
// Leptonica could not allocate.
#pragma once

#include <vector>

#include "preprocess/pix_ptr.h"

namespace liseur::preprocess {

// Any depth Leptonica holds (1/2/4/8/16/32 bpp, colormapped, with alpha) -> 8 bpp grey.
// Alpha is composited on white; colour uses luminance weights.
PixPtr toGrey8(Pix* src);

// Background grey level of an 8 bpp image: the median level (the background covers most of a
// text region). 0..255.
int backgroundLevel(Pix* grey8);

// True when the background is darker than mid-grey, i.e. the text is light on dark.
bool hasDarkBackground(Pix* grey8);

// 8 bpp grey with dark text on a light background: inverted when the background is dark.
PixPtr darkTextOnLight(Pix* grey8);

// Typical character height in pixels of an 8 bpp image of either polarity (height-weighted
// median of the components that look like characters); 0 when there are none.
float estimateTextHeight(Pix* grey8);

// Median of component heights, each weighted by its height: specks and dots (photocopies, JPEG
// noise) outnumber the characters but do not outweigh them. 0 for no heights.
float heightWeightedMedian(std::vector<float> heights);

// Scales an 8 bpp image by `factor` (area-mapped down, linear interpolation with sharpening up).
PixPtr scaleGrey(Pix* grey8, float factor);

}  // namespace liseur::preprocess
