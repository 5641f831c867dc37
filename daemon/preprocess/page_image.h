// PageImage: what kind of image a capture or a file is (a screen, or a page of paper), and the
// preparation of pages of paper for recognition (grey that keeps coloured ink, flattened light,
// right way up).
//
// Why two kinds: text rendered by a computer on a screen and text printed on paper then scanned
// or photographed differ in ways that change every later choice. Screens have flat fills (many
// neighbouring pixels exactly equal), small anti-aliased text (7-20 px characters at 1x) and UI
// structure (buttons, fields, bars) that liseur's own layout (text_layout.h) reads well. Paper has
// sensor and JPEG noise, print-resolution text, paragraphs in columns, pictures and captions,
// which Tesseract's own page layout analysis was built and trained for. The kind is measured from
// the pixels only (never the file name or its size): see classifyImage().
//
// Functions over Leptonica images: inputs are never modified nor taken (except by removeSpecks,
// which cleans the image it is given); results are new images owned by the caller. Thread-safe.
// They do not fail on odd input (empty, 1 pixel, one colour): they return a neutral answer, and
// nullptr only when Leptonica could not allocate.
#pragma once

#include <array>
#include <vector>

#include "document/document.h"
#include "preprocess/pix_ptr.h"

namespace liseur::preprocess {

enum class ImageKind { kScreen, kDocument };

struct ImageTraits {
  ImageKind kind = ImageKind::kScreen;
  // Share of horizontally neighbouring pixels with exactly the same grey level. Rendered screens
  // are flat (0.8-0.98); camera sensors, scanners and JPEG leave noise on the paper (< 0.6).
  double flatness = 1;
  // Grey levels holding at least 0.05 % of the pixels. A bilevel scan or fax has 2; a screen
  // anti-aliases its text and has more.
  int grey_levels = 0;
  // Typical character height in the image, px (estimateTextHeight).
  float char_height = 0;
};

// Measures the traits of an image of any depth and judges its kind: a document when its pixels
// are noisy (flatness < 0.6), bilevel, or its characters are as large as print scanned at 200 dpi
// or more (>= 18 px; screen text at 1x and 1.25x is 7-13 px).
ImageTraits classifyImage(Pix* src);

// 8 bpp grey of a page of paper, each pixel by its own colour: a coloured pixel (saturation 0.3 and
// over) by the darkest of its red, green and blue, so that pale coloured ink (yellow, light blue,
// violet) keeps its contrast where luminance would make it nearly paper; a neutral one (0.12 and
// under: black or grey ink, white, grey or tinted paper) by its luminance, which carries less of
// a camera's or a JPEG's channel noise; blended in between. Light text on a dark ground is
// inverted (inkIsDarker).
PixPtr pageGrey(Pix* src);

// The paper's uneven light (shadows, vignetting, a tinted or yellowed sheet) flattened to white
// on an 8 bpp dark-on-light page; the paper's grain and show-through, brought out by that, made
// white too.
PixPtr flattenLight(Pix* page);

// True when the text of an 8 bpp image is darker than its ground (print on paper), false for
// light text on a dark ground (a plaque, a slide, a dark screen photographed): when the
// median level is dark and the largest region of the dark side is larger than that of the light
// side, so that a dim photo of a white sheet stays dark on light.
bool inkIsDarker(Pix* grey8);

// The sheet of paper in a photo (8 bpp, dark ink on light paper): the largest region on the
// bright side of one grey level or, where the light falls across the photo and no level parts
// the sheet from the table, the brightest large region bounded by a step of grey; its holes and
// bays (the print, large letters at its edge) filled. It must be far brighter than what is around
// it (or, for a region bounded by a step, than what touches it). Returns its bounding box and, in
// `masked`, the image cropped to it with everything around the sheet (table, hands, another
// sheet) made white, and with it the dark ink joined to the surroundings (a plaque's rim, the
// shadow along the sheet's side). An empty box (and no image) when no sheet stands out: the
// paper fills the picture, or nothing is bright.
// `corners`, when given, receives the sheet's corners (top-left, top-right, bottom-right,
// bottom-left) in the image's coordinates.
struct Point {
  float x = 0, y = 0;
};
Box findSheet(Pix* grey8, PixPtr* masked, std::array<Point, 4>* corners = nullptr);

// A projective map (Leptonica's 8 coefficients): (x, y) -> ((c0 x + c1 y + c2) / d,
// (c3 x + c4 y + c5) / d) with d = c6 x + c7 y + 1.
struct Projective {
  std::array<float, 8> c{};
  Point apply(float x, float y) const;
  // The box around the four mapped corners of `box`.
  Box apply(const Box& box) const;
};

// The sheet whose `corners` a photo shows at an angle, seen square: the quadrilateral mapped to a
// rectangle as wide and high as its longest sides (bounded by the image's size). `to_source`
// receives the map from the result's coordinates back to `grey8`'s. Null when the corners do not
// make a sheet (too small or folded over) or Leptonica could not allocate.
PixPtr rectifySheet(Pix* grey8, const std::array<Point, 4>& corners, Projective* to_source);

// True when `corners` are far enough from their bounding box's corners (more than 2 % of its
// diagonal) for the sheet to be photographed at an angle rather than square or merely turned.
bool seenAtAnAngle(const std::array<Point, 4>& corners);

// Where the points of a page whose curved lines were straightened (dewarpPage) came from: the
// source position of every `step`-th pixel of the straightened image, row by row.
struct Unwarp {
  int step = 0, cols = 0, rows = 0;
  std::vector<Point> from;
  bool empty() const { return from.empty(); }
  // The source of a point of the straightened image (interpolated between the grid's points).
  Point apply(float x, float y) const;
  // The box around the sources of the box's corners and of the middles of its sides.
  Box apply(const Box& box) const;
};

// A page whose lines of print are curved (a book's page near the spine, a photographed sheet that
// does not lie flat) with its lines straightened, through Leptonica's page model (the vertical
// shift of each point, from the curvature of the long lines of print). Null when the page has
// too few long lines for a model, or they bow less than 4 px (straight: deskewing does); else
// `to_source` receives the map back.
PixPtr dewarpPage(Pix* grey8, Unwarp* to_source);

// Clears, in place, the dotted lines of a page ("Nom : ............", a table of contents'
// leaders): rows of at least 6 dots, each at most 0.4 `char_height` either way, less than half
// of it apart, alike, on one baseline and evenly spaced, together at least 2.5 character heights
// wide, with no other ink in their band (print broken into fragments has pieces of letters above
// and below, uneven). Tesseract reads dotted lines as strings of letters and symbols that drag
// their line's words down to noise; without them the labels ("Nom :", "Date :") are read clean.
// Ellipses and the dots of i and j stay. Returns how many dotted lines were cleared; does
// nothing when `char_height` is under 8 px.
int clearDottedLines(Pix* grey8, float char_height);

// Clears, in place, the specks of a page (toner of a photocopy, dust of a scan, sensor noise):
// dark marks much smaller than a character (under a quarter of `char_height` either way) that
// are further than a character height from any letter. Dots of i, accents, full stops and
// ellipses are next to letters and stay; so do dotted lines (marks in a row, together wider
// than a character and a half), the answer lines of forms.
// Returns how many specks were cleared, and how many marks the size of a letter the page has.
struct Specks {
  int specks = 0, letters = 0;
};
Specks removeSpecks(Pix* grey8, float char_height);

// Blocks of print on a page (8 bpp, dark on light) that none of the `claimed` line boxes covers,
// in the order of their tops. Tesseract's layout analysis takes print it cannot part from
// something drawn over it (a pen's circle round a receipt's lines, a stamp) for a picture, and
// reads none of it. Print: marks the size of letters (half to one and a half `char_height` high,
// at most two and a half wide) in no claimed box, less than 4 character heights apart side by
// side and 1.5 above each other. Nothing is returned unless at least a fifth of the page's
// letters (and 20) are unclaimed: a stray mark or two beside the lines read is not print missed.
// `letters` and `unclaimed` count the page's letters and those in no claimed box.
// `vertical` holds the blocks of unclaimed print turned a quarter (letters lying on their side,
// wider than tall, stacked in columns at least 6 character heights tall and 4 times taller than
// wide: a receipt's side text), left to right, whatever the share of unclaimed letters; they are
// not in `blocks`.
struct UnclaimedPrint {
  std::vector<Box> blocks, vertical;
  int letters = 0, unclaimed = 0;
};
UnclaimedPrint unclaimedPrint(Pix* grey8, float char_height, const std::vector<Box>& claimed);

// Typical character height of the dark ink of a page (8 bpp, dark on light, any size), px; 0
// when there is no ink. Unlike estimateTextHeight (tuned for screen text) it measures print of
// any size, a 600 dpi scan's included.
float documentCharHeight(Pix* grey8);

// `src` rotated clockwise by `quarter_turns` x 90 degrees (0..3).
PixPtr rotateQuarterTurns(Pix* src, int quarter_turns);

// Maps a box of an image turned clockwise by `quarter_turns` back to the image before the turn,
// which was `width` x `height` px.
Box unturnBox(const Box& box, int quarter_turns, int width, int height);

}  // namespace liseur::preprocess
