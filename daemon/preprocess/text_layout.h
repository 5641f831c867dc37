// TextLayout: finds the text lines of a screen capture or a page photo and puts them in reading
// order, before any recognition.
//
// Why not Tesseract's own layout analysis: on screens it reads form labels and values as two
// columns, loses light text on coloured buttons when the rest is dark on light, and treats field
// borders and separators as text. Here each polarity is found on its own (a grey top-hat
// transform: ink darker or lighter than its local background), so a dark theme, a coloured
// button and a light dialog are all normalised to dark ink on white, line by line; thin UI lines
// and specks are never copied to the ink image; reading order comes from a recursive XY cut that
// respects separators and boxes, keeps prose blocks whole (columns read column by column) and
// reads rows of short items (forms, menus, button bars) left to right.
//
// Pure computation on Leptonica images; thread-safe; the input is not modified nor taken.
// LISEUR_LAYOUT_DEBUG=1 prints the candidate lines, separators and units (boxes only, never
// text) on stderr, for tuning with tests/bench/ocr_quality.
#pragma once

#include <vector>

#include "document/document.h"
#include "preprocess/page_image.h"
#include "preprocess/pix_ptr.h"

namespace liseur::preprocess {

enum class Polarity { kDarkOnLight = 0, kLightOnDark = 1 };

struct TextLine {
  Box box;  // in the working image (the source scaled by PageLayout::scale, then deskewed)
  Polarity polarity = Polarity::kDarkOnLight;
  float char_height = 0;  // median height of its characters, px
};

struct TextBlock {
  Box box;
  std::vector<TextLine> lines;  // top to bottom, left to right
  bool prose = false;           // several long lines of running text
};

struct PageLayout {
  int width = 0, height = 0;  // of the working image
  // The working image is the source cropped to the sheet of paper (from crop_x, crop_y) or
  // rectified (below), scaled by `scale`, then turned clockwise by quarter_turns x 90 degrees (a
  // page lying on its side; the scaled image was turned_from_w x turned_from_h px), then rotated
  // by skew_degrees or its curved lines straightened (unwarp).
  int crop_x = 0, crop_y = 0;
  // Or, for a sheet photographed at an angle, the source seen square: this maps the rectified
  // image back to the source (then crop_x, crop_y are 0).
  bool projective = false;
  Projective rectified_to_source;
  float scale = 1;
  int quarter_turns = 0;
  int turned_from_w = 0, turned_from_h = 0;
  float skew_degrees = 0;  // the working image is the source rotated by this angle
  // Or, for a page whose lines were curved, the straightened page's map back (skew_degrees is 0).
  Unwarp unwarp;
  float char_height = 0;          // typical character height over the page, px
  int resolution = 300;           // pages of paper: the dpi their print corresponds to
  PixPtr ink;                     // 8 bpp, dark ink on white, text only (UI lines, specks removed)
  std::vector<TextBlock> blocks;  // reading order

  // Maps a box of the working image back to the source image (undoes the deskew or the
  // straightening of curved lines, the quarter turns, the scale, then the perspective correction or
  // the crop).
  Box toSource(const Box& box) const;
  // Maps a box of the working image back to the unscaled, deskewed frame (for tests).
  Box unrotate(const Box& box) const;
};

struct LayoutOptions {
  bool deskew = true;          // photos and scans of paper; a no-op on screens
  bool single_block = false;   // the caller knows the image is one block: keep every line in it
  float max_char_height = 24;  // larger text (300 dpi scans) is analysed on a reduced image
  float char_height = 0;       // estimateTextHeight of the image when the caller has it
};

// Analyses an 8 bpp grey image. Never fails: an image without text gives no blocks.
PageLayout analyseLayout(Pix* grey8, const LayoutOptions& options = {});

// The image of one line for the recogniser, and how to map its pixels back.
struct LineImage {
  PixPtr pix;                // 8 bpp, dark on white; null when the line is empty or off the page
  float scale = 1;           // factor applied to the working image's pixels
  Box origin;                // the crop in the working image (before scaling and padding)
  int pad_x = 0, pad_y = 0;  // white added on each side after scaling
  // A box of `pix` (left, top, right, bottom) -> the working image, clipped to the crop.
  Box toWork(int l, int t, int r, int b) const;
};

// Cuts `line` out of `layout.ink`, stretches its contrast, scales it so its characters are
// `target_char_height` px high and pads it with white to `height_in_chars` character heights
// (at least 2 px above and below), with a narrow margin left and right.
LineImage lineImage(const PageLayout& layout, const TextLine& line, float target_char_height,
                    float height_in_chars);

}  // namespace liseur::preprocess
