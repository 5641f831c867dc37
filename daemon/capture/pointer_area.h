// "Read under the pointer": which part of the screen around the pointer to read.
//
// A fixed box centred on the pointer cuts every line of text it crosses: a line cut across its
// height is recognised as garbage, and a paragraph wider than the box is read from the middle of
// its first word ("…urs si facile." for "toujours si facile."), so the user hears fragments of
// several paragraphs before the one pointed at. So the backends capture a band around the pointer
// (the output's whole width, twice the area's height) and readableAreaAround moves the edges of
// the centred box to the gaps between texts:
//   - top and bottom edges: to the nearest row with no text across the box (outward first, so
//     the line the edge crossed is whole; inward when the band holds no gap within reach);
//   - left and right edges: outward to the nearest gap between texts at least 1.2 line heights
//     wide (wider than a space between words, even in a terminal's fixed-width font; narrower
//     than the space between columns, cards or panels), or to the band's edge: a paragraph is
//     whole across, a column beside it is left out.
// "Text" is a change of brightness between neighbouring pixels that does not belong to a long
// straight run: the vertical and horizontal rules, panel edges and frames of a user interface are
// long runs and do not count, so the rule is the same for any toolkit or theme (dark or light).
// Nothing here knows a layout: only pixels.
#pragma once

#include "capture/capture.h"

namespace liseur {

// The area to read in `band` (BGRA pixels; px, py: the pointer in the band's pixels), in the
// band's pixels: it holds the pointer, is at least min(width, band) x min(height, band) unless
// a gap is found inside, and lies within the band.
Box readableAreaAround(const CapturedImage& band, int px, int py, int width, int height);

// The part `box` (clipped) of `image`, as a new image: origin and pointer position moved to it,
// description kept. An empty box gives an empty image.
CapturedImage cropCaptured(const CapturedImage& image, const Box& box);

// The band a backend captures for an area `height` tall around the pointer at row `py` of an
// output `output` (both in the same coordinates): the output's whole width and up to twice
// `height`, centred on the pointer as far as the output allows.
Box pointerBand(const Box& output, int py, int height);

}  // namespace liseur
