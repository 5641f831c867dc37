// PageMarks: the marks of a worksheet that are not text but say "write here" — the dotted or
// solid rules a pupil writes on (answer lines, the blank of a fill-in sentence, "Nom : ......"),
// and the empty boxes (check boxes, boxes to write in).
//
// Found on the decoded source image, so every box is in the same pixel coordinates as the
// recognised words (document.h), whatever the recogniser did to the page (deskew, dewarp, scale):
//
//   rules  the background is flattened (a phone photo's uneven light), ink is taken darker than
//          the paper (faint grey dots included), ink is smeared sideways by about half a line
//          height so a dotted rule becomes one piece, and each wide piece is read column by
//          column in the original ink: a rule is a run of columns (at least 4 line heights
//          long) whose ink is thin (at most about a quarter of a line height), whose gaps are
//          bridged by the smear, whose ink rows lie on one straight line (a photo's rule may
//          lean a few degrees; scattered specks do not line up), and that covers a fifth of
//          its run at least. Text columns are thick and cut a run, so an underlined word is
//          not a rule, while the dots after "Prénom :" are.
//   boxes  a connected piece of ink whose four sides are covered along at least 80 % of their
//          length within a thin band, with almost nothing of the same piece inside: a drawn
//          square or rectangle (rounded corners pass; the letters O, D, 0 do not — a round side
//          touches its band along only about two thirds of it).
//   tables a connected piece of ink (at least 3 line heights wide and 1.6 tall) that is a grid:
//          its long level strokes (across 90 % of its width: a row line crosses the whole table)
//          and long upright ones (60 % of its height: a head may join cells), found by opening the
//          piece with a bar 2 line heights long (lying) and one line height tall (standing) — so a
//          leaning photo's lines still pass — with the outer strokes on its edges, at least two
//          cells, and 85 % of its ink on those strokes (a drawing in a frame is not a table; a
//          letter touching a line is allowed). A table is not also a box, and the rules inside it
//          are its own lines, not answer lines.
//
// Pure computation; thread-safe; the input is not modified. Cost: one background flattening,
// one threshold, one dilation and two connected-component passes — tens of ms on a 300 dpi A4
// page, so it is only run when asked (`liseur adapt`).
#pragma once

#include <vector>

#include "document/document.h"

struct Pix;

namespace liseur::preprocess {

struct PageMarks {
  std::vector<Box> rules;         // left to right extent; y..y+h holds the (maybe leaning) rule
  std::vector<Box> boxes;         // outer edge of each drawn box
  std::vector<TableGrid> tables;  // each drawn table's column and row lines
};

// `line_height` is the text's typical line height in pixels (the median of the recognised
// lines); 0 = unknown (then 30 px is assumed, a 12 pt line at 200 dpi).
PageMarks findPageMarks(Pix* image, int line_height);

}  // namespace liseur::preprocess
