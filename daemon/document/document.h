// The recognised document: liseur's common language between OCR, plugins, speech, IPC and tests.
//
// A Document is blocks in reading order; a block has lines, a line has words. Every element keeps
// its box in the source image's pixel coordinates. The JSON form (toJson/documentFromJson) is
// versioned by kDocumentFormat and documented in ARCHITECTURE.md; plugins receive exactly that.
// Plain data: no thread affinity, copyable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace liseur {

inline constexpr const char* kDocumentFormat = "liseur-document/1";

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  bool operator==(const Box&) const = default;
};

struct Word {
  std::string text;  // UTF-8, NFC as Tesseract returns it
  Box box;
  float confidence = 0;  // 0..100
  std::string lang;      // ISO 639-1 ("fr", "en") or "" when unknown
};

struct Line {
  Box box;
  std::vector<Word> words;
  std::string text() const;  // words joined by single spaces
};

enum class BlockKind { kText, kHeading, kList, kTable, kCaption, kOther };

struct Block {
  int index = 0;  // position in reading order, 0-based
  BlockKind kind = BlockKind::kText;
  Box box;
  std::string lang;      // dominant language of the block ("fr", "en", "")
  float confidence = 0;  // mean word confidence
  std::vector<Line> lines;
  std::string text() const;  // lines joined by '\n'
};

// A place on a worksheet where the pupil writes, ticks or chooses (document/answer_places.h
// finds them; the views render them as fields).
enum class AnswerKind {
  kBlank,   // a gap to fill inside a sentence
  kField,   // a labelled gap: "Nom : ......"
  kLines,   // lines or space to write an answer on, after a question
  kBox,     // a drawn box to write in
  kCheck,   // a check box, with its choice
  kChoice,  // alternatives to choose from ("chat / chien")
  kCell,    // an empty cell of a table to fill, in its row's line, labelled by its column
};

struct AnswerPlace {
  AnswerKind kind = AnswerKind::kBlank;
  Box box;                  // on the source page: the rule(s), the box, the space
  int block = -1;           // index into Document::blocks of the line it belongs to
  int line = -1;            // (kLines, kBox: the line it follows)
  int after = -1;           // the word it comes after in that line (-1: before the first)
  std::vector<int> covers;  // words of that line that are only the place's picture
  std::string label;        // kField: "Prénom"; kCheck: the choice; kLines/kBox: the question
  std::string field;        // kField: name, first-name, date, class, school, age, or ""
  int rows = 1;             // kLines, kBox: lines to write on
  bool ends_line = false;   // in-line places: the last thing on its line of the page (a view
                            // whose lines are sentences breaks the line after it)
  std::vector<std::string> options;  // kChoice
  int row = -1, column = -1;         // kCell: its place in the table (0-based; row 0 the top)
};

// A table drawn on the page (preprocess/page_marks.h): the x of its column lines, left to right,
// and the y of its row lines, top to bottom, in source pixels; cell (r, c) lies between
// xs[c]..xs[c+1] and ys[r]..ys[r+1]. A photo's slightly leaning table is taken level.
struct TableGrid {
  std::vector<int> xs, ys;
  bool operator==(const TableGrid&) const = default;
};

struct Document {
  int width = 0, height = 0;  // source image size in pixels
  std::string source;         // what was read: file path, "screen", ...
  std::string lang;           // dominant language over the blocks
  // The read this document is a part of, when a read is sent to plugins a few blocks at a time
  // (the daemon: "read-<job id>"): every part of one read has the same page, another read another
  // one, so a plugin that keeps something between calls (reading-order's line heights) keeps it
  // for one read only. Empty: the document is whole, or its source and size tell the page.
  std::string page;
  std::vector<Block> blocks;
  std::vector<AnswerPlace> answers;  // worksheets only (`liseur adapt`); in reading order
  std::string text() const;          // blocks joined by blank lines
};

// A span of utterance text that corresponds to one word of the document.
struct WordRef {
  int offset = 0;                        // byte offset of the word in Utterance::text
  int length = 0;                        // byte length
  int block = -1, line = -1, word = -1;  // indices into the Document, -1 when synthetic
};

// One thing to say: a sentence-sized chunk with its language and the words it covers.
struct Utterance {
  std::string text;
  std::string lang;
  int block = -1;
  std::vector<WordRef> words;
};

std::string_view blockKindName(BlockKind kind);
std::string_view answerKindName(AnswerKind kind);

nlohmann::json toJson(const Box& box);
nlohmann::json toJson(const Word& word);
nlohmann::json toJson(const Line& line);
nlohmann::json toJson(const Block& block);
nlohmann::json toJson(const Document& doc);
nlohmann::json toJson(const Utterance& utt);
nlohmann::json toJson(const AnswerPlace& place);

// Parse the JSON form. Errors name the JSON path of the first bad member.
Result<Box> boxFromJson(const nlohmann::json& j);
Result<Block> blockFromJson(const nlohmann::json& j);
Result<Document> documentFromJson(const nlohmann::json& j);
Result<Utterance> utteranceFromJson(const nlohmann::json& j);
Result<AnswerPlace> answerPlaceFromJson(const nlohmann::json& j);

// The default "speak" step when no plugin provides one: each block becomes utterances of at most
// maxBytes bytes, cut at sentence ends, else at word boundaries, with word refs filled in.
std::vector<Utterance> defaultUtterances(const Block& block, std::size_t maxBytes = 400);

}  // namespace liseur
