// ReviewCursor: moving through the last recognised document by block, line, word and character,
// and what to say for each move (the word, the line, its spelling, where-am-I). Pure logic over a
// Document: no I/O, no threads; the Session speaks what it returns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "document/document.h"

namespace liseur {

enum class ReviewAction {
  kNextBlock,
  kPrevBlock,
  kNextLine,
  kPrevLine,
  kNextWord,
  kPrevWord,
  kNextChar,
  kPrevChar,
  kCurrentLine,
  kCurrentWord,
  kCurrentChar,
  kSpell,
  kSpellPhonetic,
  kRepeat,
  kSayAll,
  kWhere,
  kFirst,
  kLast,
  kSpellDoubtful,  // move to the next doubtful word (OCR confidence under the threshold), spell it
  kNextPage,       // a source of pages (PDF, multi-page TIFF): the first line of the next page
  kPrevPage,
};

// Every action with its name, as the socket's `review` command, the hotkeys and the CLI take
// them (the CLI lists them from here, in this order).
inline constexpr std::pair<ReviewAction, std::string_view> kReviewActionNames[] = {
    {ReviewAction::kNextLine, "next-line"},
    {ReviewAction::kPrevLine, "previous-line"},
    {ReviewAction::kNextWord, "next-word"},
    {ReviewAction::kPrevWord, "previous-word"},
    {ReviewAction::kNextChar, "next-char"},
    {ReviewAction::kPrevChar, "previous-char"},
    {ReviewAction::kNextBlock, "next-block"},
    {ReviewAction::kPrevBlock, "previous-block"},
    {ReviewAction::kCurrentLine, "current-line"},
    {ReviewAction::kCurrentWord, "current-word"},
    {ReviewAction::kCurrentChar, "current-char"},
    {ReviewAction::kSpell, "spell"},
    {ReviewAction::kSpellPhonetic, "spell-phonetic"},
    {ReviewAction::kRepeat, "repeat"},
    {ReviewAction::kSayAll, "say-all"},
    {ReviewAction::kWhere, "where"},
    {ReviewAction::kFirst, "first"},
    {ReviewAction::kLast, "last"},
    {ReviewAction::kSpellDoubtful, "spell-doubtful"},
    {ReviewAction::kNextPage, "next-page"},
    {ReviewAction::kPrevPage, "previous-page"},
};

// Parses "next-line", "spell", ... ; errors name the action and list the valid ones.
Result<ReviewAction> reviewActionFromName(std::string_view name);

struct ReviewSpeech {
  std::string text;      // what to say
  std::string lang;      // "fr" / "en"
  bool at_edge = false;  // the move hit the start or end: nothing moved (text says so)
  // The text is a spelling or a message of the cursor: spoken as written (no lexicon), so "p,
  // point" is not read "page, point".
  bool literal = false;
  // The document word the text is about (for the highlight and "click where the word is").
  int block = -1, line = -1, word = -1;
};

class ReviewCursor {
 public:
  // Starts at the first word of the document; `uiLang` is the language of the cursor's own
  // messages ("fin du texte", "ligne 2 sur 5").
  void reset(Document doc, std::string uiLang);
  // The pages of the document (a PDF's, one under the other: their boxes in the document's
  // coordinates, in order), for kNextPage / kPrevPage and where-am-I; none = one page.
  void setPages(std::vector<Box> pages) { pages_ = std::move(pages); }
  // The page (0-based) of the cursor's block.
  int page() const;
  // Words whose OCR confidence (0..100) is below this are doubtful (kSpellDoubtful).
  void setDoubtfulThreshold(float threshold) { doubtful_ = threshold; }
  bool empty() const;
  const Document& document() const { return doc_; }

  // Moves and returns what to say. kSayAll returns the text from the cursor to the end.
  ReviewSpeech apply(ReviewAction action);

  int block() const { return block_; }
  int line() const { return line_; }
  int word() const { return word_; }
  // The current word's box in the source image, when there is one.
  std::optional<Box> currentBox() const;

 private:
  const Line* currentLine() const;
  const Word* currentWord() const;
  std::string langHere() const;
  bool step(int dir, int level);  // level 0 block, 1 line, 2 word; crosses containers
  ReviewSpeech say(std::string text, bool edge = false) const;

  Document doc_;
  std::string uiLang_ = "fr";
  int block_ = 0, line_ = 0, word_ = 0, char_ = 0;
  float doubtful_ = 60;
  std::vector<Box> pages_;
  ReviewSpeech last_;
};

// Spelling of a word with letter names in its language ("é" -> "e accent aigu" in French),
// letters separated so each is heard; phonetic=true uses "A comme Anatole" (French) or the NATO
// alphabet (English).
std::string spellWord(std::string_view word, std::string_view lang, bool phonetic);

}  // namespace liseur
