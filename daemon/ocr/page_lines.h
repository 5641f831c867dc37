// Lines and columns of a page of paper read by Tesseract: lines that are texture, not print, are
// dropped; its paragraphs whose lines run across a gutter it missed are cut into columns, and a
// column's end that it made a block of its own goes back on that column. Works on the words
// Tesseract read (their boxes and text), so a table's rows of short cells and "Label : value" rows
// are told from columns of running text.
#pragma once

#include <cstddef>
#include <vector>

#include "document/document.h"

namespace liseur::ocr {

// A line of text as read, with the model (language) that read it.
struct LineRead {
  Line line;
  int model = -1;
  double score = -1;  // mean word confidence weighted by characters; -1 when nothing was read
  std::size_t chars = 0;
};

// True for a line of a page that is texture, not print: the grain of the paper, show-through, a
// stamp's border, a punched hole or a textured table read as fragments. Tesseract is very unsure
// of all of it: a line of 3 words or more is noise when their mean confidence is under 27, or
// under 35 with fewer than 3 characters a word on average (texture comes out in short pieces; a
// faint or crossed-out line of print Tesseract is as unsure of keeps words of normal length:
// "Mfr Cpn .75-"); a line of 1 or 2 characters when under 17.5; and a line without a letter or
// a digit of any script (quotes, dashes, marks) says nothing.
// Such a line must not be read aloud.
bool isNoise(const LineRead& r);

// The box around every word of some lines (empty when they have none).
Box boxOfReads(const std::vector<LineRead>& reads);

// When `lines` lie just below one of `columns` and within its width (the end of a column that
// Tesseract made a block of its own), appends them to it and returns true.
bool continueColumn(std::vector<std::vector<LineRead>>& columns,
                    const std::vector<LineRead>& lines);

// A paragraph whose lines run across columns of running text (a narrow gutter Tesseract's column
// finder missed: few lines, ragged edges) is cut along its gutters into `out`, a column each, left
// to right, and true returned. A gutter: an x interval at least 1.5 character heights wide that
// no word crosses, with words on both sides in at least 3 lines, and in most lines or in
// consecutive ones (a column may run on alone below the other). Every column between the gutters
// must be running text (lines 8 character heights wide and 3 words on average, mostly words with
// letters): a table's header or cells, its label and figure columns, or "Label : value" rows have
// a column that is not, and the paragraph stays in rows (appended whole to `out`, false
// returned). `para` is consumed.
bool splitColumns(std::vector<LineRead>& para, std::vector<std::vector<LineRead>>& out);

// The page's headline among its paragraphs, given each one's print height (its words' median
// height, px) and size (characters): the one paragraph of 6 characters or more whose print is at
// least twice the body's (bodyPrint) and a third larger than any other's of 6 or more. Readers look
// at a page's title first wherever it stands (a magazine spread's title often sits at the bottom, a
// newspaper's beside the first column, which starts at the top); a section heading (at most one
// and a half times the body) or two titles of like size (two articles) are not moved. -1 when
// there is none.
int headlineOf(const std::vector<float>& print, const std::vector<std::size_t>& chars);

// A part of a page (a paragraph read, or a block of the layout analysis) as the headline rule
// sees it: where it is, its print's height (px), its size in characters and its lines.
struct PagePart {
  Box box;
  float print = 0;
  std::size_t chars = 0, lines = 0;
};

// The reading order of `parts` (indices) with the page's headline (headlineOf) first, together
// with what sets it off: its kicker above it and its byline or subtitle below it (parts of one or
// two lines within 0.6 of the headline's print height of it, overlapping it side to side), top to
// bottom; the others keep their order. Identity when there is no headline or it is first.
// `headline` receives the headline's index (-1 when there is none).
std::vector<std::size_t> headlineFirst(const std::vector<PagePart>& parts, int* headline);

// The body's print height among paragraphs of `print` height and `chars` characters: the median
// over characters (0 when there are none).
float bodyPrint(const std::vector<float>& print, const std::vector<std::size_t>& chars);

}  // namespace liseur::ocr
