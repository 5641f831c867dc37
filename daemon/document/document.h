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
  std::string text;       // UTF-8, NFC as Tesseract returns it
  Box box;
  float confidence = 0;   // 0..100
  std::string lang;       // ISO 639-1 ("fr", "en") or "" when unknown
};

struct Line {
  Box box;
  std::vector<Word> words;
  std::string text() const;  // words joined by single spaces
};

enum class BlockKind { kText, kHeading, kList, kTable, kCaption, kOther };

struct Block {
  int index = 0;          // position in reading order, 0-based
  BlockKind kind = BlockKind::kText;
  Box box;
  std::string lang;       // dominant language of the block ("fr", "en", "")
  float confidence = 0;   // mean word confidence
  std::vector<Line> lines;
  std::string text() const;  // lines joined by '\n'
};

struct Document {
  int width = 0, height = 0;  // source image size in pixels
  std::string source;         // what was read: file path, "screen", ...
  std::string lang;           // dominant language over the blocks
  std::vector<Block> blocks;
  std::string text() const;   // blocks joined by blank lines
};

// A span of utterance text that corresponds to one word of the document.
struct WordRef {
  int offset = 0;  // byte offset of the word in Utterance::text
  int length = 0;  // byte length
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

nlohmann::json toJson(const Box& box);
nlohmann::json toJson(const Word& word);
nlohmann::json toJson(const Line& line);
nlohmann::json toJson(const Block& block);
nlohmann::json toJson(const Document& doc);
nlohmann::json toJson(const Utterance& utt);

// Parse the JSON form. Errors name the JSON path of the first bad member.
Result<Box> boxFromJson(const nlohmann::json& j);
Result<Block> blockFromJson(const nlohmann::json& j);
Result<Document> documentFromJson(const nlohmann::json& j);
Result<Utterance> utteranceFromJson(const nlohmann::json& j);

// The default "speak" step when no plugin provides one: each block becomes utterances of at most
// maxBytes bytes, cut at sentence ends, else at word boundaries, with word refs filled in.
std::vector<Utterance> defaultUtterances(const Block& block, std::size_t maxBytes = 400);

}  // namespace liseur
