// reading-order: an adapt plugin that makes recognised text flow when it is read aloud.
//
// What it does, in order, to each block of the document (README.md has the details):
//   1. drops OCR noise: border characters (| _) around or between words, isolated symbols that
//      are not punctuation, rulers and dot leaders, and low-confidence words that do not look
//      like words;
//   2. splits leading lines in clearly larger text off as a heading block (larger than the
//      page's usual line, counting the blocks of earlier calls about the same page);
//   3. reads a simple table (one block, cells separated by wide gaps, the first line holding the
//      column headers) row by row: "Nom : Dupont, Classe : CM2.";
//   4. recognises a list (lines starting with a bullet or a number): one line per item;
//   5. joins words hyphenated at a line end, keeping real compounds (peut-être);
//   6. joins the lines of a paragraph into one line per sentence.
// Word boxes are kept: a joined word has the union of its parts' boxes.
//
// The plugin works on the document's JSON form directly (it does not link the daemon) and is
// deterministic, so that golden tests pin its output.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/sentence_end.h"
#include "core/utf8.h"
#include "liseur_plugin.hpp"

namespace {

using liseur::finalMark;
using liseur::isSentenceEndMark;
using liseur::wordEndsSentence;
using liseur::sdk::PluginError;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Document pieces (the parts of liseur-document/1 this plugin reads and writes)

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 && h <= 0; }
};

Box unite(const Box& a, const Box& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return {x0, y0, x1 - x0, y1 - y0};
}

struct Word {
  std::string text;
  Box box;
  double conf = 100;
  bool hasConf = false;
  std::string lang;
};

struct Line {
  Box box;
  std::vector<Word> words;
};

struct Block {
  std::string kind = "text";
  Box box;
  std::string lang;
  double conf = 0;
  std::vector<Line> lines;
};

Box boxFrom(const json& j) {
  if (!j.is_array() || j.size() != 4) return {};
  return {j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>()};
}
json boxJson(const Box& b) {
  return json::array({b.x, b.y, b.w, b.h});
}

Block blockFrom(const json& bj) {
  Block b;
  b.kind = bj.value("kind", "text");
  if (bj.contains("box")) b.box = boxFrom(bj["box"]);
  b.lang = bj.value("lang", "");
  b.conf = bj.value("conf", 0.0);
  for (const auto& lj : bj.at("lines")) {
    Line l;
    if (lj.contains("box")) l.box = boxFrom(lj["box"]);
    for (const auto& wj : lj.at("words")) {
      Word w;
      w.text = wj.at("text").get<std::string>();
      if (wj.contains("box")) w.box = boxFrom(wj["box"]);
      w.hasConf = wj.contains("conf");
      w.conf = wj.value("conf", 100.0);
      w.lang = wj.value("lang", "");
      l.words.push_back(std::move(w));
    }
    b.lines.push_back(std::move(l));
  }
  return b;
}

json blockJson(const Block& b, int index) {
  json lines = json::array();
  for (const auto& l : b.lines) {
    json words = json::array();
    for (const auto& w : l.words) {
      json wj{{"text", w.text}, {"box", boxJson(w.box)}, {"lang", w.lang}};
      if (w.hasConf) wj["conf"] = w.conf;
      words.push_back(std::move(wj));
    }
    lines.push_back({{"box", boxJson(l.box)}, {"words", std::move(words)}});
  }
  return {{"index", index}, {"kind", b.kind}, {"box", boxJson(b.box)},
          {"lang", b.lang}, {"conf", b.conf}, {"lines", std::move(lines)}};
}

void refreshLineBox(Line& l) {
  Box b;
  for (const auto& w : l.words) b = unite(b, w.box);
  if (!b.empty()) l.box = b;
}

void refreshBlockBox(Block& blk) {
  Box b;
  for (const auto& l : blk.lines) b = unite(b, l.box);
  if (!b.empty()) blk.box = b;
}

// The height of a line's text: the median of its words' heights when they have boxes (a line of
// a photographed page leans, and its box is then taller than its letters: a 2 degree slope on a
// 2000 px line adds 70 px), else the line's box.
int lineHeight(const Line& l) {
  std::vector<int> hs;
  for (const auto& w : l.words)
    if (w.box.h > 0) hs.push_back(w.box.h);
  if (hs.empty()) return l.box.h;
  std::nth_element(hs.begin(), hs.begin() + hs.size() / 2, hs.end());
  return hs[hs.size() / 2];
}

// ---------------------------------------------------------------------------------------------
// UTF-8 and character classes

std::vector<char32_t> decode(std::string_view s) {
  const std::u32string cps = liseur::codePointsOf(s);
  return {cps.begin(), cps.end()};
}

bool isLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;  // Latin-1 and Latin Extended
  if (c == 0x153 || c == 0x152) return true;                   // œ Œ
  return (c >= 0x370 && c <= 0x52F);                           // Greek, Cyrillic
}
bool isDigit(char32_t c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(char32_t c) {
  return isLetter(c) || isDigit(c);
}
bool isUpper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  if (c >= 0xC0 && c <= 0xDE) return c != 0xD7;
  if (c >= 0x100 && c <= 0x17F) return c % 2 == 0;  // most of Latin Extended-A alternates
  return c == 0x152;
}
bool isLower(char32_t c) {
  return isLetter(c) && !isUpper(c);
}
bool isVowel(char32_t c) {
  if (c >= 0x80) return isLetter(c);  // accented letters are nearly all vowels (é, à, ï, ô...)
  return std::string_view("aeiouyAEIOUY").find(static_cast<char>(c)) != std::string_view::npos;
}
// Characters that draw UI borders, table rules and underlines rather than text.
bool isBorder(char32_t c) {
  return c == '|' || c == '_' || c == 0xA6 || (c >= 0x2500 && c <= 0x257F) || c == 0x2502;
}
bool isHyphen(char32_t c) {
  return c == '-' || c == 0x2010 || c == 0xAD || c == 0xAC;
}

std::string lower(std::string_view s) {
  auto cps = decode(s);
  for (auto& c : cps) {
    if (c < 0x80 && c >= 'A' && c <= 'Z')
      c += 32;
    else if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
      c += 32;
    else if (c == 0x152)
      c = 0x153;
  }
  return liseur::encodeUtf8(cps);
}

int alnumCount(const std::vector<char32_t>& cps) {
  return static_cast<int>(std::count_if(cps.begin(), cps.end(), isAlnum));
}

// The word without leading and trailing punctuation, lower-cased ("(Tant," -> "tant").
std::string core(std::string_view s) {
  auto cps = decode(s);
  std::size_t a = 0, b = cps.size();
  while (a < b && !isAlnum(cps[a])) ++a;
  while (b > a && !isAlnum(cps[b - 1])) --b;
  return lower(liseur::encodeUtf8(std::vector<char32_t>(cps.begin() + a, cps.begin() + b)));
}

// ---------------------------------------------------------------------------------------------
// Noise

// Symbols that carry meaning when they stand alone (French puts a space before ! ? : ;).
const std::set<std::string, std::less<>> kMeaningfulSymbols = {
    "!", "?", ":", ";", ",", ".", "…", "...", "«",  "»",  "\"", "“", "”", "‘", "’",
    "'", "(", ")", "-", "–", "—", "&", "%",   "€",  "$",  "£",  "+", "=", "×", "÷",
    "/", "*", "<", ">", "°", "#", "§", "@",   "•",  "·",  "▪",  "■", "►", "▸", "◦",
    "●", "○", "□", "☐", "✓", "✔", "→", "?!",  "!?", "!!", "??", "«", "»", "[", "]"};

// Strips border characters from the ends of a word that has real characters ("|Nom" -> "Nom").
std::string stripBorders(const std::string& text) {
  auto cps = decode(text);
  if (alnumCount(cps) == 0) return text;
  std::size_t a = 0, b = cps.size();
  while (a < b && isBorder(cps[a])) ++a;
  while (b > a && isBorder(cps[b - 1])) --b;
  if (a == 0 && b == cps.size()) return text;
  return liseur::encodeUtf8(std::vector<char32_t>(cps.begin() + a, cps.begin() + b));
}

// Punctuation that may stand before or after a word ("(!),", "»,", "-F,").
bool isPunctuation(char32_t c) {
  return std::u32string_view(U"!?:;,.…«»\"“”‘’'()[]-–—").find(c) != std::u32string_view::npos;
}

// Every character of the symbol-only word means something (punctuation, operators, bullets):
// "»,", "(!),", "!=" are text; "~", "¬", "^" alone are specks.
bool isMeaningfulSymbols(const std::vector<char32_t>& cps) {
  static const std::set<char32_t> extra = {'&', '%', 0x20AC, '$', 0xA3, '+', '=',  0xD7, 0xF7,
                                           '/', '*', '<',    '>', 0xB0, '#', 0xA7, '@'};
  for (char32_t c : cps) {
    if (isPunctuation(c) || extra.count(c)) continue;
    if (kMeaningfulSymbols.count(liseur::encodeUtf8(std::u32string(1, c)))) continue;
    return false;
  }
  return true;
}

bool isNoise(const Word& w, double minConf) {
  auto cps = decode(w.text);
  if (cps.empty()) return true;
  const int alnum = alnumCount(cps);
  if (alnum == 0) {
    if (kMeaningfulSymbols.count(w.text)) return false;
    if (std::any_of(cps.begin(), cps.end(), isBorder)) return true;  // | _ ¦ box drawing
    // Rulers and dot leaders: one character three times or more (-----, .....).
    if (cps.size() >= 3 &&
        std::all_of(cps.begin(), cps.end(), [&](char32_t c) { return c == cps[0]; }))
      return true;
    return !isMeaningfulSymbols(cps);  // stray marks (~ ^ `)
  }
  if (!w.hasConf || w.conf >= minConf) return false;
  // Low confidence: drop only what does not look like a word. Punctuation around it is not
  // counted ("-F," is an option, "(Ctrl+R)" a shortcut).
  std::size_t a = 0, b = cps.size();
  while (a < b && isPunctuation(cps[a])) ++a;
  while (b > a && isPunctuation(cps[b - 1])) --b;
  if (alnum * 2 < static_cast<int>(b - a)) return true;  // mostly symbols: "a#%&"
  int letters = 0, vowels = 0, thin = 0, upper = 0;
  for (char32_t c : cps) {
    if (!isLetter(c)) continue;
    ++letters;
    vowels += isVowel(c);
    upper += isUpper(c);
    thin += (c == 'i' || c == 'l' || c == 'I' || c == '1' || c == 'j');
  }
  if (letters >= 3 && thin == letters) return true;  // "lIlI", "iIl"
  // "rnrnm": five lower-case letters or more, no vowel, very unsure. Not "PDF", "Ctrl+R",
  // "txt", nor a sure "mkdir".
  if (letters >= 5 && vowels == 0 && upper == 0 && letters == static_cast<int>(cps.size()) &&
      w.conf < minConf * 2 / 3)
    return true;
  return false;
}

// English text OCR'd from a sans-serif font reads the pronoun "I" as "|". A "|" word followed by
// a lower-case word, or ending a line after one, is that pronoun — unless the block is a framed
// table (lines that start and end with "|").
void restorePronounI(std::vector<Line>& lines) {
  int framed = 0;
  for (const auto& l : lines)
    framed += l.words.size() >= 2 && l.words.front().text == "|" && l.words.back().text == "|";
  if (framed >= 2) return;
  auto startsLower = [](const std::string& t) {
    auto cps = decode(t);
    return !cps.empty() && isLower(cps[0]);
  };
  for (auto& l : lines)
    for (std::size_t i = 0; i < l.words.size(); ++i) {
      Word& w = l.words[i];
      if (w.text != "|") continue;
      const bool before = i + 1 < l.words.size() && startsLower(l.words[i + 1].text);
      const bool after = i + 1 == l.words.size() && i > 0 && startsLower(l.words[i - 1].text);
      if (before || after) w.text = "I";
    }
}

// ---------------------------------------------------------------------------------------------
// Hyphenation

// Second halves that make a real compound (peut-être, celui-ci, dit-il, c'est-à-dire).
// Pronouns that are also common word endings (cou-leur, ta-ble, ai-le) are left out on purpose.
const std::set<std::string, std::less<>> kCompoundTails = {
    "être", "ci",   "là",    "même",  "mêmes",  "il",      "ils",    "elle",   "elles",
    "on",   "je",   "tu",    "nous",  "vous",   "moi",     "toi",    "lui",    "t",
    "dire", "à",    "delà",  "deçà",  "dessus", "dessous", "dedans", "dehors", "midi",
    "uns",  "unes", "deux",  "trois", "quatre", "cinq",    "six",    "sept",   "huit",
    "neuf", "dix",  "vingt", "cent",  "mille",  "et",      "known",  "based",  "free"};
// First halves that make a real compound (grand-mère, arc-en-ciel, après-midi, self-made).
const std::set<std::string, std::less<>> kCompoundHeads = {
    "peut",      "c'est",    "grand",  "grande",  "grands",  "grandes",     "demi",   "mi",
    "semi",      "arc",      "après",  "avant",   "arrière", "aujourd'hui", "belle",  "beau",
    "vis",       "ex",       "non",    "self",    "well",    "vingt",       "trente", "quarante",
    "cinquante", "soixante", "dix",    "porte",   "garde",   "passe",       "tire",   "sans",
    "bien",      "nord",     "sud",    "chou",    "pomme",   "week",        "long",   "short",
    "so",        "co",       "sous",   "sur",     "contre",  "entre",       "haut",   "bas",
    "petit",     "petite",   "petits", "petites", "saint",   "sainte",      "rendez", "abat",
    "lave",      "sèche",    "presse", "tout",    "toute"};

// Decides how `head` (ending with a hyphen) and `tail` (the next line's first word) join:
// returns the joined text.
std::string joinHyphenated(const std::string& head, const std::string& tail,
                           const std::set<std::string>& knownWords) {
  auto hc = decode(head);
  const char32_t hyphen = hc.back();
  hc.pop_back();
  const std::string stem = liseur::encodeUtf8(hc);
  if (hyphen == 0xAD || hyphen == 0xAC) return stem + tail;  // soft hyphen: always a cut
  const auto tc = decode(tail);
  const std::string stemCore = core(stem), tailCore = core(tail);
  const std::string whole = stemCore + tailCore, compound = stemCore + "-" + tailCore;
  bool keep = false;
  if (!tc.empty() && (isUpper(tc[0]) || isDigit(tc[0])))
    keep = true;  // Jean-Pierre, 2023-2024
  else if (knownWords.count(compound))
    keep = true;  // the page writes it with a hyphen elsewhere
  else if (knownWords.count(whole))
    keep = false;  // ... or without
  else if (kCompoundTails.count(tailCore) || kCompoundHeads.count(stemCore))
    keep = true;
  else if (tailCore.find('-') != std::string::npos)
    keep = true;  // "t-il", "à-dire"
  return keep ? stem + "-" + tail : stem + tail;
}

bool endsWithHyphen(const std::string& text) {
  auto cps = decode(text);
  return cps.size() >= 3 && isHyphen(cps.back()) && isLetter(cps[cps.size() - 2]);
}

bool startsWithLetterOrDigit(const std::string& text) {
  auto cps = decode(text);
  return !cps.empty() && isAlnum(cps[0]);
}

// Joins hyphenated line ends inside `lines` (the next line's first word moves up).
void joinHyphens(std::vector<Line>& lines, const std::set<std::string>& knownWords) {
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    Line& a = lines[i];
    Line& b = lines[i + 1];
    if (a.words.empty() || b.words.empty()) continue;
    Word& last = a.words.back();
    const Word& first = b.words.front();
    if (!endsWithHyphen(last.text) || !startsWithLetterOrDigit(first.text)) continue;
    last.text = joinHyphenated(last.text, first.text, knownWords);
    last.box = unite(last.box, first.box);
    if (first.hasConf) {
      last.conf = last.hasConf ? std::min(last.conf, first.conf) : first.conf;
      last.hasConf = true;
    }
    b.words.erase(b.words.begin());
    refreshLineBox(a);
    refreshLineBox(b);
  }
  std::erase_if(lines, [](const Line& l) { return l.words.empty(); });
}

// ---------------------------------------------------------------------------------------------
// Sentences

// One line per sentence: the words of `lines` cut after each sentence end.
bool isNumberMarker(const std::string& t);

std::vector<Line> sentenceLines(const std::vector<Line>& lines) {
  std::vector<Line> out;
  Line cur;
  for (const auto& l : lines)
    for (std::size_t i = 0; i < l.words.size(); ++i) {
      const Word& w = l.words[i];
      cur.words.push_back(w);
      // "1." opening a line numbers what follows (a question alone in its block); it ends
      // nothing.
      if (i == 0 && l.words.size() > 1 && isNumberMarker(w.text)) continue;
      if (wordEndsSentence(w.text)) {
        refreshLineBox(cur);
        out.push_back(std::move(cur));
        cur = Line{};
      }
    }
  if (!cur.words.empty()) {
    refreshLineBox(cur);
    out.push_back(std::move(cur));
  }
  return out;
}

Line joinAll(const std::vector<Line>& lines) {
  Line out;
  for (const auto& l : lines) out.words.insert(out.words.end(), l.words.begin(), l.words.end());
  refreshLineBox(out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lists

const std::set<std::string, std::less<>> kBullets = {
    "•", "·", "-", "–", "—", "*", "▪", "■", "►", "▸", "◦", "●", "○", "□", "☐", "✓", "✔", "→", ">"};

// "1.", "2)", "a)", "B.", "iv.", "10-" are numbered-list markers.
bool isNumberMarker(const std::string& t) {
  auto cps = decode(t);
  if (cps.size() < 2 || cps.size() > 5) return false;
  char32_t end = cps.back();
  if (end != '.' && end != ')' && end != '-' && end != 0xB0) return false;
  cps.pop_back();
  bool digits = std::all_of(cps.begin(), cps.end(), isDigit);
  if (digits) return cps.size() <= 3;
  if (cps.size() == 1 && isLetter(cps[0]) && end == ')') return true;
  // "a." but not "J." (an initial, as in "J. Dupont").
  if (cps.size() == 1 && cps[0] < 0x80 && isLower(cps[0]) && end == '.') return true;
  bool roman = std::all_of(cps.begin(), cps.end(), [](char32_t c) {
    return c == 'i' || c == 'v' || c == 'x' || c == 'I' || c == 'V' || c == 'X';
  });
  return roman && (end == '.' || end == ')');
}

enum class Marker { kNone, kBullet, kNumber };

Marker markerOf(const Line& l) {
  if (l.words.empty()) return Marker::kNone;
  const std::string& t = l.words.front().text;
  if (kBullets.count(t)) return l.words.size() > 1 ? Marker::kBullet : Marker::kNone;
  if (isNumberMarker(t)) return l.words.size() > 1 ? Marker::kNumber : Marker::kNone;
  // A bullet glued to the word ("•Pommes").
  auto cps = decode(t);
  if (cps.size() > 1 && kBullets.count(liseur::encodeUtf8(std::u32string(1, cps[0]))) &&
      cps[0] != '-' && cps[0] != '>' && isLetter(cps[1]))
    return Marker::kBullet;
  return Marker::kNone;
}

// ---------------------------------------------------------------------------------------------
// Tables

struct Cell {
  std::vector<Word> words;
  double left = 0, right = 0;
  double center() const { return (left + right) / 2; }
};

std::vector<Cell> cellsOf(const Line& l, double gapFactor) {
  std::vector<Cell> cells;
  const double h = std::max(1, lineHeight(l));
  for (const auto& w : l.words) {
    if (cells.empty() || w.box.x - cells.back().right > gapFactor * h)
      cells.push_back(Cell{{}, double(w.box.x), 0});
    cells.back().words.push_back(w);
    cells.back().right = std::max(cells.back().right, double(w.box.x + w.box.w));
  }
  return cells;
}

// Rows of cells when `lines` form a simple table whose first line holds the headers: every line
// has at least two cells, and each cell falls under a distinct header column.
// A cell that is one small mark (a bullet, a dot to draw a line from, read as "e", "o", "."):
// one character, no bigger than 60 % of its line's height either way.
bool loneMark(const Cell& c, int lineH) {
  if (c.words.size() != 1) return false;
  const Word& w = c.words[0];
  return liseur::codePointCount(w.text) == 1 && w.box.h <= 0.6 * lineH && w.box.w <= 0.6 * lineH;
}

bool tableRows(const std::vector<Line>& lines, double gapFactor,
               std::vector<std::vector<int>>& columns, std::vector<std::vector<Cell>>& rows) {
  if (lines.size() < 2) return false;
  rows.clear();
  columns.clear();
  for (const auto& l : lines) {
    for (const auto& w : l.words)
      if (w.box.empty()) return false;  // no geometry, no table
    rows.push_back(cellsOf(l, gapFactor));
    if (rows.back().size() < 2) return false;
  }
  const auto& header = rows.front();
  // A first line whose parts end with a colon is a form's labels ("Prénom : ...... Date : ....")
  // with the blanks between them, not a table's heads.
  for (const auto& c : header)
    if (const std::string& t = c.words.back().text; !t.empty() && t.back() == ':') return false;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::vector<int> cols;
    for (const auto& c : rows[r]) {
      int best = 0;
      double bestDist = 1e18;
      for (std::size_t k = 0; k < header.size(); ++k) {
        // A cell belongs to the header whose span it overlaps most, else the nearest centre.
        double overlap = std::min(c.right, header[k].right) - std::max(c.left, header[k].left);
        double dist = overlap > 0 ? -overlap : std::abs(c.center() - header[k].center());
        if (dist < bestDist) {
          bestDist = dist;
          best = static_cast<int>(k);
        }
      }
      if (!cols.empty() && best <= cols.back()) return false;  // two cells under one header
      cols.push_back(best);
    }
    columns.push_back(std::move(cols));
  }
  // A column of marks only (the dots of a "Relie" exercise beside its words) is not a column:
  // those lines are a list of words, not a table.
  for (std::size_t k = 0; k < header.size(); ++k) {
    bool marks = loneMark(header[k], lineHeight(lines[0]));
    for (std::size_t r = 1; r < rows.size() && marks; ++r)
      for (std::size_t c = 0; c < rows[r].size(); ++c)
        if (columns[r - 1][c] == static_cast<int>(k) && !loneMark(rows[r][c], lineHeight(lines[r])))
          marks = false;
    if (marks) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The plugin

class ReadingOrder {
 public:
  explicit ReadingOrder(const json& o)
      : joinHyphens_(o.value("join_hyphens", true)),
        joinLines_(o.value("join_lines", true)),
        headings_(o.value("headings", true)),
        headingRatio_(o.value("heading_ratio", 1.25)),
        lists_(o.value("lists", true)),
        dropBullets_(o.value("drop_bullets", true)),
        tables_(o.value("tables", true)),
        tableGap_(o.value("table_gap", 1.5)),
        dropNoise_(o.value("drop_noise", true)),
        noiseConf_(o.value("noise_confidence", 45.0)) {
    if (headingRatio_ <= 1.0)
      throw PluginError(LISEUR_ERR_INVALID_OPTIONS, "heading_ratio must be above 1");
    if (tableGap_ <= 0) throw PluginError(LISEUR_ERR_INVALID_OPTIONS, "table_gap must be positive");
  }

  json adapt(json doc) {
    if (doc.value("format", "") != "liseur-document/1")
      throw PluginError(LISEUR_ERR_UNSUPPORTED, "expected a liseur-document/1 document");
    std::vector<Block> blocks;
    for (const auto& bj : doc.at("blocks")) blocks.push_back(blockFrom(bj));

    if (dropNoise_)
      for (auto& b : blocks) cleanNoise(b);
    std::erase_if(blocks, [](const Block& b) { return b.lines.empty(); });

    // Words as the page writes them elsewhere settle doubtful hyphenations.
    std::set<std::string> known;
    for (const auto& b : blocks)
      for (const auto& l : b.lines)
        for (const auto& w : l.words) known.insert(core(w.text));

    // The usual line height of the page: this document's lines and those of earlier calls on
    // the same page (see history_): the same read ("page") or, from a host that does not say,
    // the same source and size.
    const std::string page = doc.contains("page") && doc["page"].is_string()
                                 ? doc["page"].get<std::string>()
                                 : std::string();
    const std::string key = !page.empty() ? "page|" + page
                                          : doc.value("source", "") + "|" +
                                                std::to_string(doc.value("width", 0)) + "x" +
                                                std::to_string(doc.value("height", 0));
    if (key != historyKey_) {
      historyKey_ = key;
      history_.clear();
    }
    std::vector<int> heights(history_.begin(), history_.end());
    for (const auto& b : blocks)
      for (const auto& l : b.lines)
        if (int h = lineHeight(l); h > 0) heights.push_back(h);
    const double median = medianOf(heights);
    for (std::size_t i = history_.size(); i < heights.size(); ++i) {
      history_.push_back(heights[i]);
      if (history_.size() > kHistoryLines) history_.pop_front();
    }
    std::vector<Block> out;
    for (auto& b : blocks) {
      if (b.kind != "text" && b.kind != "heading" && b.kind != "table" && b.kind != "list") {
        out.push_back(std::move(b));
        continue;
      }
      if (headings_ && b.kind == "text" && median > 0) {
        if (auto h = splitHeading(b, median)) out.push_back(std::move(*h));
        if (b.lines.empty()) continue;
      }
      std::vector<std::vector<int>> cols;
      std::vector<std::vector<Cell>> rows;
      if (tables_ && (b.kind == "text" || b.kind == "table") &&
          tableRows(b.lines, tableGap_, cols, rows)) {
        readTable(b, rows, cols);
      } else if (lists_ && (b.kind == "text" || b.kind == "list") && isList(b)) {
        makeList(b, known);
      } else {
        if (joinHyphens_) joinHyphens(b.lines, known);
        if (joinLines_) {
          if (b.kind == "heading")
            b.lines = {joinAll(b.lines)};
          else if (b.kind == "text")
            b.lines = sentenceLines(b.lines);
        }
      }
      refreshBlockBox(b);
      out.push_back(std::move(b));
    }

    json blocksJson = json::array();
    for (std::size_t i = 0; i < out.size(); ++i)
      blocksJson.push_back(blockJson(out[i], static_cast<int>(i)));
    doc["blocks"] = std::move(blocksJson);
    return doc;
  }

 private:
  void cleanNoise(Block& b) const {
    if (b.lang == "en") restorePronounI(b.lines);
    for (auto& l : b.lines) {
      for (auto& w : l.words) w.text = stripBorders(w.text);
      std::erase_if(l.words, [&](const Word& w) { return isNoise(w, noiseConf_); });
      refreshLineBox(l);
    }
    std::erase_if(b.lines, [](const Line& l) { return l.words.empty(); });
  }

  static double medianOf(std::vector<int> hs) {
    if (hs.size() < 2) return 0;  // one line: nothing to compare with
    std::sort(hs.begin(), hs.end());
    return hs[(hs.size() - 1) / 2];  // the lower median: a few tall lines never set the norm
  }

  // Leading lines in larger text (at most 3, at most 20 words) become a heading block.
  std::optional<Block> splitHeading(Block& b, double median) const {
    std::size_t n = 0, words = 0;
    while (n < b.lines.size() && n < 3 && lineHeight(b.lines[n]) >= headingRatio_ * median) {
      words += b.lines[n].words.size();
      ++n;
    }
    if (n == 0 || words > 20) return std::nullopt;
    // A title starts with a capital or a number ("Les saisons", "EXERCICE 2", "1. Lecture"); a
    // taller line that starts in lower case is a word with tall letters ("grand" in a list, its
    // g and d reaching above and below the others), not a heading.
    if (startsLowerCase(b.lines.front())) return std::nullopt;
    if (n == b.lines.size()) {
      b.kind = "heading";
      return std::nullopt;
    }
    Block h = b;
    h.kind = "heading";
    h.lines.assign(b.lines.begin(), b.lines.begin() + n);
    if (joinLines_) h.lines = {joinAll(h.lines)};
    refreshBlockBox(h);
    b.lines.erase(b.lines.begin(), b.lines.begin() + n);
    return h;
  }

  static bool startsLowerCase(const Line& l) {
    for (const auto& w : l.words)
      for (char32_t c : decode(w.text)) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || c == 0x153)
          return true;
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 0xC0 && c <= 0xDE) ||
            c == 0x152)
          return false;
      }
    return false;
  }

  static bool isList(const Block& b) {
    if (b.lines.size() < 2 || markerOf(b.lines.front()) == Marker::kNone) return false;
    int markers = 0;
    for (const auto& l : b.lines) markers += markerOf(l) != Marker::kNone;
    return markers >= 2;
  }

  void makeList(Block& b, const std::set<std::string>& known) const {
    std::vector<std::vector<Line>> items;
    for (auto& l : b.lines) {
      Marker m = markerOf(l);
      if (m != Marker::kNone || items.empty()) items.emplace_back();
      if (m == Marker::kBullet && dropBullets_) {
        if (kBullets.count(l.words.front().text)) {
          l.words.erase(l.words.begin());
        } else {  // glued bullet: cut it off the word
          auto cps = decode(l.words.front().text);
          l.words.front().text =
              liseur::encodeUtf8(std::vector<char32_t>(cps.begin() + 1, cps.end()));
        }
      }
      items.back().push_back(std::move(l));
    }
    b.lines.clear();
    for (auto& item : items) {
      if (joinHyphens_) joinHyphens(item, known);
      if (joinLines_)
        b.lines.push_back(joinAll(item));
      else
        b.lines.insert(b.lines.end(), item.begin(), item.end());
    }
    std::erase_if(b.lines, [](const Line& l) { return l.words.empty(); });
    b.kind = "list";
  }

  // "Nom : Dupont, Classe : CM2." for each row under the header row. English puts the colon
  // right after the header ("Name: Smith").
  void readTable(Block& b, const std::vector<std::vector<Cell>>& rows,
                 const std::vector<std::vector<int>>& cols) const {
    const bool english = b.lang == "en";
    const auto& header = rows.front();
    std::vector<Line> lines;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      Line line;
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        const Cell& h = header[cols[r - 1][c]];
        std::vector<Word> head = h.words;
        if (english) {
          head.back().text += ":";
        } else {
          Word colon;
          colon.text = ":";
          colon.lang = head.back().lang;
          head.push_back(colon);
        }
        std::vector<Word> cell = rows[r][c].words;
        const bool lastCell = c + 1 == rows[r].size();
        auto& end = cell.back().text;
        if (!lastCell && !end.empty() && end.back() != ',') end += ",";
        if (lastCell && !isSentenceEndMark(finalMark(end))) end += ".";
        line.words.insert(line.words.end(), head.begin(), head.end());
        line.words.insert(line.words.end(), cell.begin(), cell.end());
      }
      Box box;
      for (const auto& cell : rows[r])
        for (const auto& w : cell.words) box = unite(box, w.box);
      line.box = box;
      lines.push_back(std::move(line));
    }
    b.lines = std::move(lines);
    b.kind = "table";
  }

  bool joinHyphens_, joinLines_, headings_;
  double headingRatio_;
  bool lists_, dropBullets_, tables_;
  double tableGap_;
  bool dropNoise_;
  double noiseConf_;
  // The daemon and `liseur adapt` send a page a few blocks at a time, as they are recognised; a
  // one-line heading is only larger than the page's other lines. So the line heights of earlier
  // calls are kept while the calls are about the same page (the same `page`, which the daemon
  // sets per read, or else the same source and size); another page starts afresh, so two reads
  // of the same screen give the same result whatever was read in between. The host runs one call at
  // a time, and a restarted host merely starts afresh.
  static constexpr std::size_t kHistoryLines = 400;
  std::string historyKey_;
  std::deque<int> history_;
};

}  // namespace

LISEUR_PLUGIN_EXPORT(ReadingOrder, "reading-order", "0.1.0")
