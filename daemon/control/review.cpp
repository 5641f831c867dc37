#include "control/review.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "core/utf8.h"

namespace liseur {
namespace {

// UTF-8 code points of s, each as its own string (invalid bytes become single-byte pieces).
std::vector<std::string> codePoints(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const std::size_t n = std::max<std::size_t>(1, decodeUtf8(s, i, c));
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

struct Accented {
  std::string_view letter, base, fr, en;
};
constexpr Accented kAccents[] = {
    {"é", "e", "accent aigu", "acute"},
    {"è", "e", "accent grave", "grave"},
    {"ê", "e", "accent circonflexe", "circumflex"},
    {"ë", "e", "tréma", "diaeresis"},
    {"à", "a", "accent grave", "grave"},
    {"â", "a", "accent circonflexe", "circumflex"},
    {"î", "i", "accent circonflexe", "circumflex"},
    {"ï", "i", "tréma", "diaeresis"},
    {"ô", "o", "accent circonflexe", "circumflex"},
    {"û", "u", "accent circonflexe", "circumflex"},
    {"ù", "u", "accent grave", "grave"},
    {"ü", "u", "tréma", "diaeresis"},
    {"ÿ", "y", "tréma", "diaeresis"},
    {"ç", "c", "cédille", "cedilla"},
    {"É", "E", "accent aigu", "acute"},
    {"È", "E", "accent grave", "grave"},
    {"Ê", "E", "accent circonflexe", "circumflex"},
    {"À", "A", "accent grave", "grave"},
    {"Ç", "C", "cédille", "cedilla"},
    {"Ô", "O", "accent circonflexe", "circumflex"},
};

constexpr std::array<std::string_view, 26> kFrenchPhonetic{
    "Anatole", "Berthe",  "Célestin", "Désiré", "Eugène",  "François", "Gaston", "Henri",   "Irma",
    "Joseph",  "Kléber",  "Louis",    "Marcel", "Nicolas", "Oscar",    "Pierre", "Quintal", "Raoul",
    "Suzanne", "Thérèse", "Ursule",   "Victor", "William", "Xavier",   "Yvonne", "Zoé"};
constexpr std::array<std::string_view, 26> kNato{
    "Alfa",    "Bravo", "Charlie", "Delta",  "Echo",     "Foxtrot", "Golf",   "Hotel",  "India",
    "Juliett", "Kilo",  "Lima",    "Mike",   "November", "Oscar",   "Papa",   "Quebec", "Romeo",
    "Sierra",  "Tango", "Uniform", "Victor", "Whiskey",  "X-ray",   "Yankee", "Zulu"};

std::string symbolName(std::string_view cp, bool fr) {
  static const std::pair<std::string_view, std::pair<std::string_view, std::string_view>>
      kSymbols[] = {
          {"'", {"apostrophe", "apostrophe"}},
          {"’", {"apostrophe", "apostrophe"}},
          {"-", {"tiret", "hyphen"}},
          {".", {"point", "dot"}},
          {",", {"virgule", "comma"}},
          {":", {"deux-points", "colon"}},
          {";", {"point-virgule", "semicolon"}},
          {"?", {"point d'interrogation", "question mark"}},
          {"!", {"point d'exclamation", "exclamation mark"}},
          {"@", {"arobase", "at sign"}},
          {"/", {"barre oblique", "slash"}},
          {"_", {"tiret bas", "underscore"}},
          {" ", {"espace", "space"}},
      };
  for (const auto& [s, names] : kSymbols)
    if (s == cp) return std::string(fr ? names.first : names.second);
  return std::string(cp);
}

}  // namespace

Result<ReviewAction> reviewActionFromName(std::string_view name) {
  for (const auto& [a, n] : kReviewActionNames)
    if (n == name) return a;
  std::string all;
  for (const auto& [a, n] : kReviewActionNames) all += (all.empty() ? "" : ", ") + std::string(n);
  return makeError(ErrorCode::kInvalidArgument,
                   "unknown review action '" + std::string(name) + "' (one of: " + all + ")");
}

std::string spellWord(std::string_view word, std::string_view lang, bool phonetic) {
  bool fr = lang != "en";
  std::string out;
  for (const std::string& cp : codePoints(word)) {
    std::string piece;
    unsigned char c = static_cast<unsigned char>(cp[0]);
    bool upper = cp.size() == 1 && c >= 'A' && c <= 'Z';
    if (cp.size() == 1 && std::isalpha(c)) {
      char up = static_cast<char>(std::toupper(c));
      if (phonetic) {
        const auto& table = fr ? kFrenchPhonetic : kNato;
        piece = fr ? std::string(1, up) + " comme " + std::string(table[up - 'A'])
                   : std::string(table[up - 'A']);
      } else {
        piece = std::string(1, up);
      }
      if (upper) piece = (fr ? "majuscule " : "capital ") + piece;
    } else {
      bool found = false;
      for (const auto& a : kAccents) {
        if (a.letter != cp) continue;
        std::string base(a.base);
        std::string up(1, static_cast<char>(std::toupper(static_cast<unsigned char>(base[0]))));
        piece = up + " " + std::string(fr ? a.fr : a.en);
        if (std::isupper(static_cast<unsigned char>(base[0])))
          piece = (fr ? "majuscule " : "capital ") + piece;
        found = true;
        break;
      }
      if (!found) piece = symbolName(cp, fr);
    }
    if (!out.empty()) out += ", ";
    out += piece;
  }
  return out;
}

int ReviewCursor::page() const {
  if (pages_.size() < 2 || block_ >= static_cast<int>(doc_.blocks.size())) return 0;
  const Block& block = doc_.blocks[block_];
  Box b = block.box;  // a block without its box: its first line's
  if (b.h <= 0 && !block.lines.empty()) b = block.lines.front().box;
  if (b.h <= 0 && !block.lines.empty() && !block.lines.front().words.empty())
    b = block.lines.front().words.front().box;
  const int mid = b.y + b.h / 2;
  int p = 0;
  for (std::size_t i = 1; i < pages_.size(); ++i)
    if (mid >= pages_[i].y) p = static_cast<int>(i);
  return p;
}

void ReviewCursor::reset(Document doc, std::string uiLang) {
  pages_.clear();
  doc_ = std::move(doc);
  uiLang_ = std::move(uiLang);
  block_ = line_ = word_ = char_ = 0;
  // Skip leading empty blocks/lines so the cursor starts on a word.
  while (!currentWord() && step(+1, 2)) {
  }
  last_ = ReviewSpeech{};
}

bool ReviewCursor::empty() const {
  for (const auto& b : doc_.blocks)
    for (const auto& l : b.lines)
      if (!l.words.empty()) return false;
  return true;
}

const Line* ReviewCursor::currentLine() const {
  if (block_ < 0 || block_ >= static_cast<int>(doc_.blocks.size())) return nullptr;
  const auto& lines = doc_.blocks[block_].lines;
  return line_ >= 0 && line_ < static_cast<int>(lines.size()) ? &lines[line_] : nullptr;
}

const Word* ReviewCursor::currentWord() const {
  const Line* l = currentLine();
  return l && word_ >= 0 && word_ < static_cast<int>(l->words.size()) ? &l->words[word_] : nullptr;
}

std::optional<Box> ReviewCursor::currentBox() const {
  const Word* w = currentWord();
  return w ? std::optional<Box>(w->box) : std::nullopt;
}

std::string ReviewCursor::langHere() const {
  const Word* w = currentWord();
  if (w && !w->lang.empty()) return w->lang;
  if (block_ < static_cast<int>(doc_.blocks.size()) && !doc_.blocks[block_].lang.empty())
    return doc_.blocks[block_].lang;
  return doc_.lang.empty() ? uiLang_ : doc_.lang;
}

// Moves one unit at `level` in direction dir, crossing into the next/previous container; lands on
// the first word of a block or line (going forward or backward, as screen readers do). Returns
// false at the document's edge (position unchanged).
bool ReviewCursor::step(int dir, int level) {
  int b = block_, l = line_, w = word_;
  const int nb = static_cast<int>(doc_.blocks.size());
  auto linesIn = [&](int bi) { return static_cast<int>(doc_.blocks[bi].lines.size()); };
  auto wordsIn = [&](int bi, int li) {
    return static_cast<int>(doc_.blocks[bi].lines[li].words.size());
  };
  for (int guard = 0; guard < 100000; ++guard) {
    if (level == 2) {
      w += dir;
      if (b < nb && l < linesIn(b) && w >= 0 && w < wordsIn(b, l)) break;
      l += dir;
      w = dir > 0 ? 0 : -1;
    } else if (level == 1) {
      l += dir;
      w = 0;
    } else {
      b += dir;
      l = 0;
      w = 0;
    }
    // Normalise the line index into a block.
    while (b >= 0 && b < nb && (l < 0 || l >= linesIn(b))) {
      b += l < 0 ? -1 : 1;
      if (b < 0 || b >= nb) break;
      l = l < 0 ? linesIn(b) - 1 : 0;
    }
    if (b < 0 || b >= nb) return false;
    if (w < 0) w = wordsIn(b, l) - 1;
    if (level < 2) w = 0;
    if (w >= 0 && w < wordsIn(b, l)) break;
    if (level < 2) level = 1;  // an empty line: keep going in the same direction
  }
  block_ = b;
  line_ = l;
  word_ = w;
  char_ = 0;
  return true;
}

ReviewSpeech ReviewCursor::say(std::string text, bool edge) const {
  ReviewSpeech s;
  s.text = std::move(text);
  s.lang = langHere();
  s.at_edge = edge;
  if (currentWord()) {
    s.block = block_;
    s.line = line_;
    s.word = word_;
  }
  return s;
}

ReviewSpeech ReviewCursor::apply(ReviewAction action) {
  const bool fr = uiLang_ != "en";
  if (empty()) return say(fr ? "Rien à lire." : "Nothing to read.", true);
  auto edge = [&](int dir) {
    return say(dir > 0 ? (fr ? "Fin du texte." : "End of text.")
                       : (fr ? "Début du texte." : "Start of text."),
               true);
  };
  auto lineText = [&] { return currentLine() ? currentLine()->text() : std::string(); };
  auto wordText = [&] { return currentWord() ? currentWord()->text : std::string(); };
  ReviewSpeech out;
  switch (action) {
    case ReviewAction::kNextPage:
    case ReviewAction::kPrevPage: {
      // The first block of the next (previous) page that has a word; "Page 2 sur 3." then its
      // first line. One page: the edge, as for a block past the last.
      const int dir = action == ReviewAction::kNextPage ? +1 : -1;
      const int from = page(), saved[4] = {block_, line_, word_, char_};
      bool moved = false;
      for (int target = from + dir; !moved && target >= 0 && target < int(pages_.size());
           target += dir) {
        for (int b = 0; b < int(doc_.blocks.size()) && !moved; ++b) {
          block_ = b, line_ = word_ = char_ = 0;
          if (page() != target) continue;
          while (!currentWord() && step(+1, 2) && page() == target) {
          }
          moved = currentWord() && page() == target;
        }
      }
      if (!moved) {
        block_ = saved[0], line_ = saved[1], word_ = saved[2], char_ = saved[3];
        out = edge(dir);
        break;
      }
      const std::string n = std::to_string(page() + 1), of = std::to_string(pages_.size());
      out = say((fr ? "Page " + n + " sur " + of + ". " : "Page " + n + " of " + of + ". ") +
                lineText());
      break;
    }
    case ReviewAction::kNextBlock:
      out = step(+1, 0) ? say(doc_.blocks[block_].text()) : edge(+1);
      break;
    case ReviewAction::kPrevBlock:
      out = step(-1, 0) ? say(doc_.blocks[block_].text()) : edge(-1);
      break;
    case ReviewAction::kNextLine:
      out = step(+1, 1) ? say(lineText()) : edge(+1);
      break;
    case ReviewAction::kPrevLine:
      out = step(-1, 1) ? say(lineText()) : edge(-1);
      break;
    case ReviewAction::kNextWord:
      out = step(+1, 2) ? say(wordText()) : edge(+1);
      break;
    case ReviewAction::kPrevWord:
      out = step(-1, 2) ? say(wordText()) : edge(-1);
      break;
    case ReviewAction::kNextChar:
    case ReviewAction::kPrevChar:
    case ReviewAction::kCurrentChar: {
      auto cps = codePoints(wordText());
      int dir = action == ReviewAction::kNextChar ? 1 : action == ReviewAction::kPrevChar ? -1 : 0;
      int c = char_ + dir;
      if (c < 0 || c >= static_cast<int>(cps.size())) {
        // Leave the word: the first/last character of the next/previous word.
        if (!step(dir, 2)) return last_ = edge(dir);
        cps = codePoints(wordText());
        c = dir > 0 ? 0 : static_cast<int>(cps.size()) - 1;
      }
      char_ = std::max(c, 0);
      out = say(cps.empty() ? std::string() : spellWord(cps[char_], langHere(), false));
      out.literal = true;
      break;
    }
    case ReviewAction::kCurrentLine:
      out = say(lineText());
      break;
    case ReviewAction::kCurrentWord:
      out = say(wordText());
      break;
    case ReviewAction::kSpell:
      out = say(spellWord(wordText(), langHere(), false));
      out.literal = true;
      break;
    case ReviewAction::kSpellPhonetic:
      out = say(spellWord(wordText(), langHere(), true));
      out.literal = true;
      break;
    case ReviewAction::kSpellDoubtful: {
      // The next doubtful word after the cursor, wrapping once to the start: the word, then its
      // spelling, so the listener hears what the OCR made of it and can check it letter by letter.
      const int b0 = block_, l0 = line_, w0 = word_;
      auto doubtful = [&] { return currentWord() && currentWord()->confidence < doubtful_; };
      bool found = false;
      while (step(+1, 2))
        if ((found = doubtful())) break;
      if (!found) {
        block_ = line_ = word_ = char_ = 0;
        while (!currentWord() && step(+1, 2)) {
        }
        found = doubtful();
        while (!found && step(+1, 2) &&
               (block_ < b0 || (block_ == b0 && (line_ < l0 || (line_ == l0 && word_ <= w0)))))
          found = doubtful();
      }
      if (!found) {
        block_ = b0, line_ = l0, word_ = w0, char_ = 0;
        out = say(fr ? "Aucun mot douteux." : "No doubtful word.", true);
        out.lang = uiLang_;
      } else {
        out = say(wordText() + ". " + spellWord(wordText(), langHere(), false));
      }
      out.literal = true;
      break;
    }
    case ReviewAction::kRepeat:
      return last_.text.empty() ? say(wordText()) : last_;
    case ReviewAction::kSayAll: {
      std::string text;
      const Block& b = doc_.blocks[block_];
      for (int li = line_; li < static_cast<int>(b.lines.size()); ++li) {
        const auto& words = b.lines[li].words;
        for (int wi = li == line_ ? word_ : 0; wi < static_cast<int>(words.size()); ++wi)
          text += (text.empty() ? "" : " ") + words[wi].text;
      }
      for (std::size_t bi = block_ + 1; bi < doc_.blocks.size(); ++bi)
        text += "\n\n" + doc_.blocks[bi].text();
      out = say(text);
      break;
    }
    case ReviewAction::kWhere: {
      const int nb = static_cast<int>(doc_.blocks.size());
      const int nl = static_cast<int>(doc_.blocks[block_].lines.size());
      std::string where;
      // Where on the page: the cursor's page of a source of pages, else the whole document.
      Box area{0, 0, doc_.width, doc_.height};
      std::string pageSaid;
      if (pages_.size() > 1) {
        area = pages_[page()];
        const std::string n = std::to_string(page() + 1), of = std::to_string(pages_.size());
        pageSaid = fr ? "Page " + n + " sur " + of + ", " : "Page " + n + " of " + of + ", ";
      }
      if (auto box = currentBox(); box && area.w > 0 && area.h > 0) {
        int cx = box->x + box->w / 2 - area.x, cy = box->y + box->h / 2 - area.y;
        const char* v = cy < area.h / 3       ? (fr ? "en haut" : "top")
                        : cy > 2 * area.h / 3 ? (fr ? "en bas" : "bottom")
                                              : (fr ? "au milieu" : "middle");
        const char* h = cx < area.w / 3       ? (fr ? "à gauche" : "left")
                        : cx > 2 * area.w / 3 ? (fr ? "à droite" : "right")
                                              : (fr ? "au centre" : "centre");
        where = std::string(", ") + v + " " + h;
      }
      const std::string blockWord =
          pageSaid.empty() ? (fr ? "Bloc " : "Block ") : (fr ? "bloc " : "block ");
      out = say(pageSaid + blockWord + std::to_string(block_ + 1) + (fr ? " sur " : " of ") +
                std::to_string(nb) + (fr ? ", ligne " : ", line ") + std::to_string(line_ + 1) +
                (fr ? " sur " : " of ") + std::to_string(nl) + (fr ? ", mot " : ", word ") +
                std::to_string(word_ + 1) + where + ".");
      out.lang = uiLang_;
      out.literal = true;
      break;
    }
    case ReviewAction::kFirst:
      block_ = line_ = word_ = char_ = 0;
      while (!currentWord() && step(+1, 2)) {
      }
      out = say(lineText());
      break;
    case ReviewAction::kLast:
      while (step(+1, 1)) {
      }
      out = say(lineText());
      break;
  }
  last_ = out;
  return out;
}

}  // namespace liseur
