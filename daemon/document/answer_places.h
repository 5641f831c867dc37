// Answer places: where a pupil is asked to write, tick or choose on a recognised worksheet, so
// the adapted page can offer a field there (`liseur adapt`, issue "the pupil answers on the
// page").
//
// Found from two things that are on every worksheet, whatever its layout:
//   - the page's marks (preprocess/page_marks.h): dotted or solid rules and drawn boxes, in the
//     source image's pixels like the words;
//   - the recognised text: runs of dots or underscores Tesseract read as a "word" ("......",
//     "____"), labels ending in a colon ("Prénom :"), questions ("…?") followed by empty space,
//     alternatives separated by slashes under an instruction to choose ("Entoure la bonne
//     réponse : chat / chien"), and two columns under an instruction to match ("Relie…").
//
// How a mark becomes a place (H = the median line height):
//   - a rule level with a line's text (its height between 30 % of the line and 35 % below it,
//     and beside the words) is a blank in that line: a field when the words before it end with
//     a colon (its label, and a known name — name, first-name, date, class, school, age — for
//     "Nom", "Prénom", "Date", "Classe", ...), else a fill-in blank; words lying over most of
//     the rule make it an underline, not a blank;
//   - a rule below the text (not level with any line) belongs to the nearest line above it that
//     it overlaps: rules under the same line are the rows of one answer;
//   - a small box (at most 2 H) level with a line is a check box, labelled by the words after it;
//     a larger box with no words inside is a box to write in, after the line above it;
//   - a line ending with "?" that nothing answers yet and that is followed by at least 2.2 H of
//     empty page is answered there (rows: the space in line heights, 1 to 4);
//   - a matching exercise ("Relie chaque mot à son contraire", "Associe…", "Match…": the verb
//     first on its line): the rows under it made of two items more than 3 H apart (the dots to
//     draw from and to between them are left out), at least two, the left items aligned and
//     all clear of the right ones; each left item becomes a choice among the right items, in
//     their order (the pupil picks the match instead of drawing the line); whether Tesseract
//     read each row as one line or each column as a block;
//   - a drawn table's empty cells (no word in them, at least H wide) are cells to fill, each in
//     the line of its row's words and labelled by its column's head (the top row's text).
// A word that is only the picture of the place ("......", a box read as "O") is listed in
// `covers`: the view shows the field instead of it.
//
// Pure computation on plain data; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "document/document.h"

namespace liseur {

// The places on `doc` (blocks in reading order, boxes in source pixels) given the page's rules,
// boxes and tables; in reading order (block, line, word).
std::vector<AnswerPlace> findAnswerPlaces(const Document& doc, const std::vector<Box>& rules,
                                          const std::vector<Box>& boxes,
                                          const std::vector<TableGrid>& tables = {});

// The same places on `adapted`, a version of `recognised` whose words kept their boxes (the
// adapt plugins join visual lines into sentences, drop noise words such as dot leaders, reorder
// blocks): each place follows the word it came after (or precedes its line's first word); covered
// words that were dropped are forgotten; a place none of whose line's words survived is dropped.
std::vector<AnswerPlace> placesOn(const Document& adapted, const Document& recognised,
                                  const std::vector<AnswerPlace>& places);

// Is this recognised word only the picture of a blank ("......", "___", "…")?
bool isBlankPicture(std::string_view word);

}  // namespace liseur
