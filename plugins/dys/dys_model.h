// The dys plugin's inputs, checked: its options (from the manifest, overridden per render call
// by the profile's [view] keys) and the parts of a "liseur-document/1" it reads.
//
// Both come from outside the plugin (a profile a teacher wrote, OCR text of a photographed
// worksheet), so every reader here throws liseur::sdk::PluginError with a message naming the
// option or the JSON path and what was expected; nothing is silently defaulted when present but
// wrong.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace liseur::dys {

struct Options {
  // Look.
  std::string theme;  // black-on-white | white-on-black | yellow-on-black | dys
  std::string font;   // a family name; DejaVu Sans and Liberation Sans follow in the stack
  double fontSizePt = 18, lineSpacing = 1.5, letterSpacingEm = 0.12, wordSpacingEm = 0.16;
  std::string spacing;  // custom | wcag | aere: a preset raises the four values above to its own
  // Syllables, letters, lines and words.
  bool syllables = true;
  std::string syllableStyle;                                           // colours | arcs
  std::vector<std::string> syllableColours, lineColours, wordColours;  // CSS #rrggbb, resolved
  std::vector<std::string> syllableColoursDark, lineColoursDark, wordColoursDark;
  bool silentLetters = true;
  // One thing at a time.
  int lineFocus = 0;    // 0 (off), 1, 3 or 5 lines visible
  std::string screens;  // all | block | exercise
  bool highlightWord = true;
  // Speech.
  int chunkWords = 8;
  bool cutAtLines = true;

  // Reads a complete options object (create(): every manifest option present); a wrong value is
  // LISEUR_ERR_INVALID_OPTIONS naming the option, what was expected and what was found.
  static Options fromJson(const nlohmann::json& all);
  // The same options with the keys of `overrides` this plugin knows replaced (a render call's
  // "options", i.e. the profile's [view] table: unknown keys such as "enabled" are ignored).
  Options merged(const nlohmann::json& overrides) const;

  // The four spacing values after the preset.
  double effectiveFontSizePt() const;
  double effectiveLineSpacing() const;
  double effectiveLetterSpacingEm() const;
  double effectiveWordSpacingEm() const;

  nlohmann::json raw;  // the checked JSON these were read from (for merged())
};

// The document as the plugin needs it. Indices are positions in the JSON arrays, which is what
// utterance word refs and narration words point at.
struct DocWord {
  std::string text;
  std::string lang;
};
struct DocLine {
  std::vector<DocWord> words;
};
struct DocBlock {
  std::string kind = "text";
  std::string lang;
  std::vector<DocLine> lines;
};
// A place where the pupil answers (liseur-document/1 "answers", document/answer_places.h).
struct DocAnswer {
  std::string kind;  // blank | field | lines | box | check | choice | cell
  int block = 0, line = 0;
  int after = -1;            // the word it follows in its line (-1: before the first)
  std::vector<int> covers;   // words shown as the field instead
  std::string label, field;  // "Prénom" / first-name; a check box's choice; the question
  int rows = 1;
  std::vector<std::string> options;  // choice
  bool endsLine = false;             // last on its line of the page: the view breaks after it
  int row = -1;                      // cell: its row in the table (a new row starts a new line)
  bool inLine() const {
    return kind == "blank" || kind == "field" || kind == "check" || kind == "cell";
  }
};

struct Doc {
  std::string lang;
  std::vector<DocBlock> blocks;
  std::vector<DocAnswer> answers;  // in reading order
};

// Reads a liseur-document/1 object. A different "format" is LISEUR_ERR_UNSUPPORTED; a missing or
// mistyped member is LISEUR_ERR_INVALID_INPUT naming its path (document.blocks[1].lines[0]...).
Doc readDocument(const nlohmann::json& j);

// The language a word is read in: its own, else its block's, else the document's, else French
// (the dys view is made for French pupils).
std::string wordLang(const Doc& doc, const DocBlock& block, const DocWord& word);
inline bool isFrench(const std::string& lang) {
  return lang.rfind("fr", 0) == 0;
}

// A colour of the configuration (blue, dark-red, ... or #rgb/#rrggbb) as CSS #rrggbb for a light
// background and for a dark one; empty when the name is not a colour.
std::string cssColour(const std::string& name, bool darkBackground);
// The colour names accepted, "blue|red|..." for messages.
std::string colourNameList();

}  // namespace liseur::dys
