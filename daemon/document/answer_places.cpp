#include "document/answer_places.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/sentence_end.h"
#include "core/utf8.h"

namespace liseur {

using nlohmann::json;

namespace {

constexpr std::pair<AnswerKind, std::string_view> kKinds[] = {
    {AnswerKind::kBlank, "blank"}, {AnswerKind::kField, "field"}, {AnswerKind::kLines, "lines"},
    {AnswerKind::kBox, "box"},     {AnswerKind::kCheck, "check"}, {AnswerKind::kChoice, "choice"},
    {AnswerKind::kCell, "cell"},
};

struct LineAt {
  int block, line;
  const Line* l;
  int top() const { return l->box.y; }
  int bottom() const { return l->box.y + l->box.h; }
  int left() const { return l->box.x; }
  int right() const { return l->box.x + l->box.w; }
  // A line that is only the picture of a blank ("..........", "______"): typed answer lines in a
  // PDF's text, or a dotted line Tesseract read as dots. It is room to write, not text.
  bool onlyPictures() const {
    if (l->words.empty()) return false;
    for (const auto& w : l->words)
      if (!isBlankPicture(w.text)) return false;
    return true;
  }
};

int right(const Box& b) {
  return b.x + b.w;
}
int bottom(const Box& b) {
  return b.y + b.h;
}
int overlapX(const Box& a, const Box& b) {
  return std::max(0, std::min(right(a), right(b)) - std::max(a.x, b.x));
}
int overlapY(const Box& a, const Box& b) {
  return std::max(0, std::min(bottom(a), bottom(b)) - std::max(a.y, b.y));
}
Box unite(const Box& a, const Box& b) {
  if (a.w == 0 && a.h == 0) return b;
  const int x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  return Box{x, y, std::max(right(a), right(b)) - x, std::max(bottom(a), bottom(b)) - y};
}

// Lower-case ASCII with the French accented letters folded (for matching labels and verbs).
std::string folded(std::string_view s) {
  static const std::pair<std::string_view, char> kFold[] = {
      {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ç", 'c'}, {"é", 'e'}, {"è", 'e'},
      {"ê", 'e'}, {"ë", 'e'}, {"î", 'i'}, {"ï", 'i'}, {"ô", 'o'}, {"ö", 'o'},
      {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"À", 'a'}, {"Â", 'a'}, {"Ç", 'c'},
      {"É", 'e'}, {"È", 'e'}, {"Ê", 'e'}, {"Î", 'i'}, {"Ô", 'o'}, {"Û", 'u'}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    for (auto [from, to] : kFold)
      if (s.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        done = true;
        break;
      }
    if (done) continue;
    const char c = s[i++];
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  return out;
}

std::string trimmed(std::string s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  const auto b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

// "Prénom" → first-name ...: the fields a sheet asks for at its top, by name.
std::string fieldName(const std::string& label) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"prenom", "first-name"},
      {"first name", "first-name"},
      {"firstname", "first-name"},
      {"nom", "name"},
      {"name", "name"},
      {"surname", "name"},
      {"date", "date"},
      {"classe", "class"},
      {"class", "class"},
      {"grade", "class"},
      {"ecole", "school"},
      {"school", "school"},
      {"age", "age"}};
  std::string f = folded(label);
  while (!f.empty() && (f.back() == ':' || f.back() == ' ')) f.pop_back();
  for (auto [k, v] : kNames)
    if (f == k) return std::string(v);
  return {};
}

// A mark Tesseract made of a piece of rule: one or two characters, no letter, digit or colon.
bool isSpeck(const std::string& w) {
  if (w.empty() || w.size() > 2) return false;
  for (unsigned char c : w)
    if (std::isalnum(c) || c == ':' || c >= 0x80) return false;
  return true;
}

// A label's word without the quotes and bars Tesseract put around it ("‘Date" → "Date").
std::string cleanLabelWord(std::string w) {
  static const std::string_view kJunk[] = {"‘", "’", "'", "\"", "|", "`", "«", "»", "“", "”"};
  for (bool again = true; again;) {
    again = false;
    for (auto j : kJunk) {
      if (w.size() >= j.size() && w.compare(0, j.size(), j) == 0) {
        w.erase(0, j.size());
        again = true;
      }
    }
  }
  return w;
}

// A question as a label: its words without Tesseract's specks and stray quotes and bars.
std::string cleanText(const std::string& text) {
  std::string out, word;
  auto flush = [&] {
    std::string w = cleanLabelWord(word);
    while (!w.empty() && (w.back() == '|' || w.back() == '`')) w.pop_back();
    if (!w.empty() && w.find_first_not_of("|`_~'\"") != std::string::npos)
      out += (out.empty() ? "" : " ") + w;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ')
      flush();
    else
      word += c;
  }
  flush();
  return out;
}

bool endsWithColon(const std::string& w) {
  return !w.empty() && w.back() == ':';
}

// "1.", "2)", "a)", "12 -": a numbered item's marker, at the start of a line.
bool startsNumbered(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i])) && i < 3) ++i;
  std::size_t d = i;
  while (d < text.size() && std::isdigit(static_cast<unsigned char>(text[d]))) ++d;
  if (d == i) {  // a letter item: "a)" "b."
    if (i + 1 < text.size() && std::islower(static_cast<unsigned char>(text[i])) &&
        (text[i + 1] == ')' || text[i + 1] == '.') && (i + 2 == text.size() || text[i + 2] == ' '))
      return true;
    return false;
  }
  return d - i <= 2 && d < text.size() && (text[d] == '.' || text[d] == ')' || text[d] == '-');
}

std::string withoutNumber(const std::string& text) {
  const auto sp = text.find(' ');
  return sp == std::string::npos ? std::string{} : text.substr(sp + 1);
}

// An instruction to write: "Écris trois phrases…", "Explain why…".
bool startsWithTask(const std::string& text) {
  static const char* kVerbs[] = {
      "ecris",   "redige",  "explique", "decris",  "justifie",  "reponds", "cite",  "donne",
      "raconte", "indique", "write",    "explain", "describe",  "answer",  "give",  "name",
      "list",    "draw",    "dessine",  "calcule", "calculate", "recopie", "copie", "copy"};
  std::string f = folded(text);
  const auto a = f.find_first_not_of(" '\"");
  if (a == std::string::npos) return false;
  f = f.substr(a);
  const std::string first = f.substr(0, f.find_first_of(" ,.:;"));
  for (const char* v : kVerbs)
    if (first == v) return true;
  return false;
}

bool isInstructionToChoose(const std::string& text) {
  static const char* kVerbs[] = {"entour",    "soulign", "coche",  "choisi", "barre", "circle",
                                 "underline", "tick",    "choose", "select", "colori"};
  const std::string f = folded(text);
  for (const char* v : kVerbs)
    if (f.find(v) != std::string::npos) return true;
  return false;
}

// "Relie chaque mot à son dessin", "2. Associe…", "Match each word…": a matching exercise, its
// verb first on the line (after a number or "Exercice 3 :"), not "relie" inside a sentence.
bool isInstructionToMatch(const std::string& text) {
  static const char* kVerbs[] = {"relie", "reliez",      "associe", "associez", "fais correspondre",
                                 "match", "draw a line", "join",    "connect"};
  std::string f = folded(text);
  // The line's start: past a number or bullet, "exercice 3", a colon.
  for (bool again = true; again;) {
    again = false;
    const auto a = f.find_first_not_of(" \t-*.)('\"");
    f = a == std::string::npos ? std::string{} : f.substr(a);
    if (!f.empty() && std::isdigit(static_cast<unsigned char>(f[0]))) {
      f = f.substr(f.find_first_not_of("0123456789") == std::string::npos
                       ? f.size()
                       : f.find_first_not_of("0123456789"));
      again = true;
    } else if (f.rfind("exercice", 0) == 0 || f.rfind("exercise", 0) == 0) {
      f = f.substr(8);
      again = true;
    } else if (!f.empty() && f[0] == ':') {
      f = f.substr(1);
      again = true;
    }
  }
  for (const char* v : kVerbs) {
    const std::size_t n = std::strlen(v);
    if (f.compare(0, n, v) == 0 &&
        (f.size() == n || !std::isalpha(static_cast<unsigned char>(f[n]))))
      return true;
  }
  return false;
}

// A bullet or dot a matching exercise draws between its columns ("•", "o", "·"): not an item.
bool isMatchDot(const std::string& w) {
  static const std::string_view kDots[] = {"•", "·", "o", "O", "0", "°",
                                           "*", "●", "○", "-", "—", "."};
  for (auto d : kDots)
    if (w == d) return true;
  return false;
}

struct Builder {
  const Document& doc;
  std::vector<TableGrid> tables;
  std::vector<LineAt> lines;  // every line, in reading order
  int H = 30;                 // median word height (a leaning line's box is taller)
  std::vector<AnswerPlace> places;
  // Words already standing for a place, per (block, line).
  std::map<std::pair<int, int>, std::vector<int>> covered;

  explicit Builder(const Document& d) : doc(d) {
    std::vector<int> heights;
    for (int b = 0; b < int(doc.blocks.size()); ++b)
      for (int l = 0; l < int(doc.blocks[b].lines.size()); ++l) {
        const Line& line = doc.blocks[b].lines[l];
        if (line.words.empty() || line.box.h <= 0) continue;
        lines.push_back({b, l, &line});
        for (const auto& w : line.words) heights.push_back(w.box.h);
      }
    if (!heights.empty()) {
      std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
      H = std::max(4, heights[heights.size() / 2]);
    }
  }

  bool isCovered(int b, int l, int w) const {
    auto it = covered.find({b, l});
    return it != covered.end() &&
           std::find(it->second.begin(), it->second.end(), w) != it->second.end();
  }

  // The line whose text is level with `box` (its middle between 30 % of the line and 35 % of a
  // line height below it) and beside which or under whose words it lies. When several are level
  // (Tesseract often makes "Prénom :" and "Date :" lines of their own), the nearest across wins:
  // the gap to a line on the left counts once, to a line on the right twice (a label comes
  // before its blank; a check box before its choice is the one exception, and its choice is
  // its nearest line anyway).
  const LineAt* levelWith(const Box& box) const {
    const double mid = box.y + box.h / 2.0;
    const LineAt* best = nullptr;
    double bestScore = 1e18;
    for (const auto& la : lines) {
      const double h = la.l->box.h;
      if (mid < la.top() + 0.3 * h || mid > la.bottom() + 0.35 * std::min<double>(h, H)) continue;
      if (right(box) < la.left() - 3 * H || box.x > la.right() + 3 * H) continue;
      const double across = la.right() <= box.x       ? box.x - la.right()
                            : la.left() >= right(box) ? 2.0 * (la.left() - right(box))
                                                      : 0.0;
      const double score = std::abs(mid - (la.top() + 0.7 * h)) + across;
      if (score < bestScore) bestScore = score, best = &la;
    }
    return best;
  }

  // The nearest line above `box` in its column.
  const LineAt* lineAbove(const Box& box) const {
    const LineAt* best = nullptr;
    for (const auto& la : lines) {
      if (la.bottom() > box.y + 0.3 * H) continue;
      // Over the rule, or ending not far before it (a short last line "side?" above a rule whose
      // left part is too faint to be found): within half the rule's length.
      if (la.left() >= right(box) || la.right() < box.x - box.w / 2) continue;
      if (!best || la.bottom() > best->bottom()) best = &la;
    }
    return best;
  }

  // The item (numbered question, sentence) that line i ends: its first line, its text, and
  // whether it has a number marker.
  std::tuple<std::size_t, std::string, bool> itemEnding(std::size_t i) const {
    const LineAt& la = lines[i];
    std::size_t first = i;
    auto endsSentence = [](const std::string& t) {
      const std::string x = trimmed(t);
      const std::string_view last = std::string_view(x).substr(x.find_last_of(' ') + 1);
      return finalMark(last) == U':' || wordEndsSentence(last);
    };
    while (first > 0 && i - first < 3 && !startsNumbered(lines[first].l->text()) &&
           lines[first - 1].block == la.block &&
           lines[first].top() - lines[first - 1].top() < 2.5 * H)
      --first;
    const bool numbered = startsNumbered(lines[first].l->text());
    if (!numbered) {  // the sentence this line ends: back to the line after a sentence's end
      first = i;
      while (first > 0 && i - first < 3 && lines[first - 1].block == la.block &&
             lines[first].top() - lines[first - 1].top() < 2.5 * H &&
             !endsSentence(lines[first - 1].l->text()))
        --first;
    }
    std::string item;
    for (std::size_t k = first; k <= i; ++k) item += (item.empty() ? "" : " ") + lines[k].l->text();
    return {first, item, numbered};
  }

  // Does the item ask for an answer: a question, or a task ("Écris…", "Cite…")?
  bool asks(const std::string& lastLine, const std::string& item, std::size_t first,
            bool numbered) const {
    const std::string t = trimmed(lastLine);
    return (!t.empty() && t.back() == '?') || item.find('?') != std::string::npos ||
           startsWithTask(numbered ? withoutNumber(lines[first].l->text()) : item);
  }

  // The last word of the line that ends before x (-1 when none).
  static int wordBefore(const Line& line, int x) {
    int after = -1;
    for (int i = 0; i < int(line.words.size()); ++i)
      if (line.words[i].box.x + line.words[i].box.w / 2 < x) after = i;
    return after;
  }

  void inlineBlank(const LineAt& la, const Box& rule, std::vector<int> covers) {
    const Line& line = *la.l;
    // Words over the rule that are real words: an underline of them, not a blank.
    int over = 0;
    for (int i = 0; i < int(line.words.size()); ++i) {
      const Word& w = line.words[i];
      const int ov = overlapX(w.box, rule);
      if (ov < 0.5 * w.box.w) continue;
      // Tesseract's reading of the rule itself: dots, specks, or a short unsure "word".
      // A label's colon is never rubble, however unsure: the smeared rule may start under it.
      const bool rubble =
          !endsWithColon(w.text) && (isSpeck(w.text) || (w.text.size() <= 3 && w.confidence < 60));
      if (isBlankPicture(w.text) || (rubble && ov >= 0.8 * w.box.w)) {
        if (std::find(covers.begin(), covers.end(), i) == covers.end()) covers.push_back(i);
      } else {
        over += ov;
      }
    }
    if (over >= 0.5 * rule.w) return;
    std::sort(covers.begin(), covers.end());
    AnswerPlace p;
    p.box = rule;
    p.block = la.block;
    p.line = la.line;
    p.after = wordBefore(line, rule.x + std::min(rule.w / 2, H / 2));
    // A label's colon at the rule's very start (the rule found from under it) ends the label.
    if (p.after + 1 < int(line.words.size()) && line.words[p.after + 1].text == ":" &&
        line.words[p.after + 1].box.x < rule.x + H)
      ++p.after;
    while (p.after >= 0 && std::find(covers.begin(), covers.end(), p.after) != covers.end())
      --p.after;
    p.covers = covers;
    // A label: the words since the previous place (or the line's start) when they end with ':'.
    if (p.after >= 0 && endsWithColon(line.words[p.after].text)) {
      int from = p.after;
      while (from > 0 && !endsWithColon(line.words[from - 1].text) &&
             !isCovered(la.block, la.line, from - 1) &&
             std::find(covers.begin(), covers.end(), from - 1) == covers.end() &&
             p.after - from < 4)
        --from;
      std::string label;
      for (int i = from; i <= p.after; ++i) {
        std::string w = cleanLabelWord(line.words[i].text);
        if (w.empty() || (isSpeck(line.words[i].text))) continue;
        if (line.words[i].confidence < 60 && w.size() <= 3 && i < p.after) continue;
        label += (label.empty() ? "" : " ") + w;
      }
      while (!label.empty() && (label.back() == ':' || label.back() == ' ')) label.pop_back();
      p.kind = AnswerKind::kField;
      p.label = label;
      p.field = fieldName(label);
    }
    auto& cov = covered[{la.block, la.line}];
    cov.insert(cov.end(), covers.begin(), covers.end());
    places.push_back(std::move(p));
  }

  // Pieces of one rule (a dotted line with a gap, a faint stretch) become one: level with each
  // other (their middles within half a line) and at most 4 line heights apart.
  std::vector<Box> joinedRules(std::vector<Box> rules) const {
    std::sort(rules.begin(), rules.end(), [](const Box& a, const Box& b) { return a.x < b.x; });
    std::vector<Box> out;
    std::vector<bool> used(rules.size(), false);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (used[i]) continue;
      Box r = rules[i];
      if (levelWith(r)) {  // a blank in a line: its pieces are separate blanks ("Nom … Date …")
        out.push_back(r);
        continue;
      }
      for (std::size_t j = i + 1; j < rules.size(); ++j) {
        if (used[j] || levelWith(rules[j])) continue;
        const Box& s = rules[j];
        const double dy = std::abs((s.y + s.h / 2.0) - (r.y + r.h / 2.0));
        if (s.x - right(r) <= 4 * H && s.x >= r.x && dy <= 0.5 * H + 0.05 * (s.x - r.x)) {
          r = unite(r, s);
          used[j] = true;
        }
      }
      out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const Box& a, const Box& b) { return a.y < b.y; });
    return out;
  }

  // Tables to fill: each empty cell (no word in it but specks, no check box) big enough to write
  // in is a place, labelled by its column's head (the top row's text) and put in the line of its
  // row's words, after the last one left of it (or before the first one right of it); the cells
  // of a row with no words follow the previous row's (the views start a new row for them), or
  // the line above the table when the table is empty. A table with no empty cell asks nothing.
  void findCells(const std::vector<Box>& boxes) {
    for (const TableGrid& t : tables) {
      const int R = int(t.ys.size()) - 1, C = int(t.xs.size()) - 1;
      if (R < 1 || C < 1 || R * C > 400) continue;
      auto slot = [](const std::vector<int>& edges, int v) {
        for (int k = 0; k + 1 < int(edges.size()); ++k)
          if (v >= edges[k] && v < edges[k + 1]) return k;
        return -1;
      };
      struct In {
        const LineAt* la;
        int w;
        int x;
      };
      std::vector<std::vector<In>> cells(std::size_t(R) * C);
      for (const auto& la : lines)
        for (int w = 0; w < int(la.l->words.size()); ++w) {
          const Word& word = la.l->words[w];
          if (isSpeck(word.text) || isBlankPicture(word.text)) continue;
          const int r = slot(t.ys, word.box.y + word.box.h / 2);
          const int c = slot(t.xs, word.box.x + word.box.w / 2);
          if (r >= 0 && c >= 0) cells[std::size_t(r) * C + c].push_back({&la, w, word.box.x});
        }
      auto textOf = [&](int r, int c) {
        std::vector<In> in = cells[std::size_t(r) * C + c];
        std::stable_sort(in.begin(), in.end(), [](const In& a, const In& b) {
          return a.la->top() != b.la->top() ? a.la->top() < b.la->top() : a.x < b.x;
        });
        std::string text;
        for (const In& i : in) text += (text.empty() ? "" : " ") + i.la->l->words[i.w].text;
        return cleanText(text);
      };
      const Box outline{t.xs.front(), t.ys.front(), t.xs.back() - t.xs.front(),
                        t.ys.back() - t.ys.front()};
      const LineAt* lastLine = nullptr;
      int lastAfter = -1;
      for (int r = 0; r < R; ++r) {
        std::vector<In> row;
        for (int c = 0; c < C; ++c)
          for (const In& i : cells[std::size_t(r) * C + c]) row.push_back(i);
        std::stable_sort(row.begin(), row.end(),
                         [](const In& a, const In& b) { return a.x < b.x; });
        AnswerPlace* lastOfRow = nullptr;
        for (int c = 0; c < C; ++c) {
          if (!cells[std::size_t(r) * C + c].empty()) continue;
          const Box cell{t.xs[c], t.ys[r], t.xs[c + 1] - t.xs[c], t.ys[r + 1] - t.ys[r]};
          if (cell.w < H || cell.h < 0.6 * H) continue;  // too small to write in
          const bool ticked = std::any_of(boxes.begin(), boxes.end(), [&](const Box& b) {
            const int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
            return cx >= cell.x && cx < right(cell) && cy >= cell.y && cy < bottom(cell);
          });
          if (ticked) continue;  // a check box's cell: the box is the place
          AnswerPlace p;
          p.kind = AnswerKind::kCell;
          p.box = cell;
          p.row = r;
          p.column = c;
          if (r > 0) p.label = textOf(0, c);
          const In* before = nullptr;
          const In* after = nullptr;
          for (const In& i : row) {
            if (i.x < cell.x)
              before = &i;
            else if (!after)
              after = &i;
          }
          const LineAt* at = nullptr;
          if (before) {
            at = before->la, p.after = before->w;
          } else if (after) {
            at = after->la, p.after = after->w - 1;
          } else if (lastLine) {
            at = lastLine, p.after = lastAfter;
          } else if ((at = lineAbove(outline))) {
            p.after = int(at->l->words.size()) - 1;
          } else {
            continue;
          }
          p.block = at->block;
          p.line = at->line;
          // The dots or rule Tesseract read in the cell ("........", "|") are its picture.
          for (int w = 0; w < int(at->l->words.size()); ++w) {
            const Word& word = at->l->words[w];
            const int cx = word.box.x + word.box.w / 2, cy = word.box.y + word.box.h / 2;
            if ((isBlankPicture(word.text) || isSpeck(word.text)) && cx >= cell.x &&
                cx < right(cell) && cy >= cell.y && cy < bottom(cell) &&
                !isCovered(p.block, p.line, w)) {
              p.covers.push_back(w);
              covered[{p.block, p.line}].push_back(w);
            }
          }
          lastLine = at, lastAfter = p.after;
          places.push_back(std::move(p));
          lastOfRow = &places.back();
        }
        if (lastOfRow) lastOfRow->ends_line = true;
      }
    }
  }

  void run(const std::vector<Box>& pieces, const std::vector<Box>& boxes) {
    findCells(boxes);
    const std::vector<Box> rules = joinedRules(pieces);
    // Blanks Tesseract read as text ("......"): each is a place, merged with a rule under it.
    struct Pictured {
      const LineAt* la;
      int word;
      Box box;
    };
    std::vector<Pictured> pictures;
    for (const auto& la : lines)
      for (int i = 0; i < int(la.l->words.size()); ++i)
        if (!la.onlyPictures() && isBlankPicture(la.l->words[i].text))
          pictures.push_back({&la, i, la.l->words[i].box});

    std::vector<bool> ruleUsed(rules.size(), false);
    for (const auto& pic : pictures) {
      Box area = pic.box;
      for (std::size_t r = 0; r < rules.size(); ++r)
        if (!ruleUsed[r] && overlapX(rules[r], pic.box) > 0 &&
            std::abs((rules[r].y + rules[r].h / 2) - (pic.box.y + pic.box.h / 2)) < H) {
          area = unite(area, rules[r]);
          ruleUsed[r] = true;
        }
      if (isCovered(pic.la->block, pic.la->line, pic.word)) continue;
      inlineBlank(*pic.la, area, {pic.word});
    }

    // Rules level with a line: blanks and fields. Rules below the text: answer lines.
    std::map<std::pair<int, int>, std::size_t> linesAfter;  // (block, line) → index in places
    for (std::size_t r = 0; r < rules.size(); ++r) {
      if (ruleUsed[r]) continue;
      const Box& rule = rules[r];
      if (const LineAt* la = levelWith(rule)) {
        inlineBlank(*la, rule, {});
        continue;
      }
      const LineAt* above = lineAbove(rule);
      if (!above || rule.y - above->bottom() > 8 * H) continue;
      const auto key = std::make_pair(above->block, above->line);
      if (auto it = linesAfter.find(key); it != linesAfter.end()) {
        AnswerPlace& p = places[it->second];
        p.box = unite(p.box, rule);
        ++p.rows;
        continue;
      }
      AnswerPlace p;
      p.kind = AnswerKind::kLines;
      p.box = rule;
      p.block = above->block;
      p.line = above->line;
      p.after = int(above->l->words.size()) - 1;
      p.label = above->l->text();
      linesAfter[key] = places.size();
      places.push_back(std::move(p));
    }

    // A single rule under a line that asks nothing is a separator (a heading's rule, a table's
    // border), not a place to write: answer lines are under questions and tasks, or ruled rows.
    for (auto it = linesAfter.begin(); it != linesAfter.end(); ++it) {
      AnswerPlace& p = places[it->second];
      if (p.rows >= 2) continue;
      std::size_t i = 0;
      while (i < lines.size() && !(lines[i].block == p.block && lines[i].line == p.line)) ++i;
      auto [first, item, numbered] = itemEnding(i);
      if (!numbered && !asks(lines[i].l->text(), item, first, numbered)) p.rows = 0;  // dropped
    }
    places.erase(std::remove_if(places.begin(), places.end(),
                                [](const AnswerPlace& p) { return p.rows == 0; }),
                 places.end());

    // Boxes: check boxes in a line, boxes to write in below one.
    for (const Box& bx : boxes) {
      const bool small = bx.w <= 2 * H && bx.h <= 2 * H;
      if (small) {
        const LineAt* la = levelWith(bx);
        if (!la) continue;
        const Line& line = *la->l;
        AnswerPlace p;
        p.kind = AnswerKind::kCheck;
        p.box = bx;
        p.block = la->block;
        p.line = la->line;
        for (int i = 0; i < int(line.words.size()); ++i) {
          const Box& wb = line.words[i].box;
          if (overlapX(wb, bx) * overlapY(wb, bx) >= 0.5 * std::max(1, wb.w * wb.h))
            p.covers.push_back(i);
        }
        p.after = wordBefore(line, bx.x + bx.w / 2);
        while (p.after >= 0 &&
               std::find(p.covers.begin(), p.covers.end(), p.after) != p.covers.end())
          --p.after;
        places.push_back(std::move(p));
        continue;
      }
      bool wordsInside = false;
      for (const auto& la : lines)
        for (const auto& w : la.l->words)
          if (!isBlankPicture(w.text) &&
              overlapX(w.box, bx) * overlapY(w.box, bx) >= 0.5 * w.box.w * w.box.h)
            wordsInside = true;
      if (wordsInside) continue;  // a frame around text, not a box to write in
      const LineAt* above = lineAbove(bx);
      if (!above) continue;
      AnswerPlace p;
      p.kind = AnswerKind::kBox;
      p.box = bx;
      p.block = above->block;
      p.line = above->line;
      p.after = int(above->l->words.size()) - 1;
      p.label = above->l->text();
      p.rows = std::clamp(int(std::lround(bx.h / (1.5 * H))), 1, 8);
      places.push_back(std::move(p));
    }
    labelChecks();
    findMatching();

    // Questions and writing tasks that nothing answers yet: followed by empty page, or items
    // of a numbered list of questions (a sheet may leave no room: the pupil answers here anyway).
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const LineAt& la = lines[i];
      const std::string text = trimmed(la.l->text());
      if (text.empty() || la.onlyPictures()) continue;
      auto [first, item, numbered] = itemEnding(i);
      std::size_t next = i + 1;  // the next line of text (answer lines are room, not text)
      while (next < lines.size() && lines[next].onlyPictures()) ++next;
      const bool last = next >= lines.size() || startsNumbered(lines[next].l->text()) ||
                        lines[next].block != la.block || lines[next].top() - la.top() >= 2.5 * H;
      if (!last) continue;
      if (!asks(text, item, first, numbered)) continue;
      bool answered = false;
      for (const auto& p : places)
        for (std::size_t k = first; k <= i; ++k)
          if (p.block == lines[k].block && p.line == lines[k].line) answered = true;
      // A table to fill right under it is its answer ("Écris la nature de chaque mot.").
      for (const TableGrid& t : tables)
        if (t.ys.front() >= la.bottom() - 0.2 * H && t.ys.front() <= la.bottom() + 3 * H &&
            t.xs.front() < la.right() && t.xs.back() > la.left())
          for (const auto& p : places)
            if (p.kind == AnswerKind::kCell && p.box.y >= t.ys.front() && p.box.y < t.ys.back() &&
                p.box.x >= t.xs.front() && p.box.x < t.xs.back())
              answered = true;
      if (answered) continue;
      int below = doc.height > 0 ? doc.height : la.bottom() + 3 * H;
      for (const auto& other : lines)
        if (&other != &la && !other.onlyPictures() && other.top() >= la.bottom() - 0.2 * H &&
            overlapX(other.l->box, la.l->box) > 0)
          below = std::min(below, other.top());
      for (const TableGrid& t : tables)  // a table under it is not room to write
        if (t.ys.front() >= la.bottom() - 0.2 * H && t.xs.front() < la.right() &&
            t.xs.back() > la.left())
          below = std::min(below, t.ys.front());
      const int space = below - la.bottom();
      if (space < 2.2 * H && !numbered) continue;
      AnswerPlace p;
      p.kind = AnswerKind::kLines;
      p.box = Box{la.left(), la.bottom(), std::max(la.l->box.w, 10 * H), std::max(space, 0)};
      p.block = la.block;
      p.line = la.line;
      p.after = int(la.l->words.size()) - 1;
      p.label = item;
      p.rows = std::clamp(int(space / (1.5 * H)), 2, 4);
      places.push_back(std::move(p));
    }

    // Alternatives under an instruction to choose.
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const LineAt& la = lines[i];
      std::string text = la.l->text();
      if (std::count(text.begin(), text.end(), '/') < 1) continue;
      std::string context = doc.blocks[la.block].text();
      if (i > 0) context += " " + lines[i - 1].l->text();
      if (!isInstructionToChoose(context)) continue;
      std::string tail =
          text.substr(text.rfind(':') == std::string::npos ? 0 : text.rfind(':') + 1);
      std::vector<std::string> options;
      std::size_t start = 0;
      while (true) {
        const auto slash = tail.find('/', start);
        std::string part = trimmed(
            tail.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (!part.empty() && part.size() <= 60) options.push_back(part);
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      if (options.size() < 2 || options.size() > 8) continue;
      AnswerPlace p;
      p.kind = AnswerKind::kChoice;
      p.box = la.l->box;
      p.block = la.block;
      p.line = la.line;
      p.after = int(la.l->words.size()) - 1;
      p.options = std::move(options);
      places.push_back(std::move(p));
    }

    std::stable_sort(places.begin(), places.end(), [](const AnswerPlace& a, const AnswerPlace& b) {
      if (a.block != b.block) return a.block < b.block;
      if (a.line != b.line) return a.line < b.line;
      return a.after < b.after;
    });
    for (auto& p : places) {
      const Line& line = doc.blocks[p.block].lines[p.line];
      if (p.kind == AnswerKind::kLines || p.kind == AnswerKind::kBox) p.label = cleanText(p.label);
      if (p.kind != AnswerKind::kBlank && p.kind != AnswerKind::kField) continue;
      bool rest = false;  // a word of the page's line after it that is not its picture
      for (int i = p.after + 1; i < int(line.words.size()); ++i)
        if (!isCovered(p.block, p.line, i) && !isSpeck(line.words[i].text)) rest = true;
      p.ends_line = !rest;
    }
  }

  // A matching exercise ("Relie…"): under its instruction, rows of two items far apart (with
  // the dots to draw from and to between them, if any), the left ones aligned, every right one
  // right of every left one. Each left item becomes a choice among the right items, in their
  // order on the page (a pupil who cannot draw the line picks the match); the right items and
  // dots on its own line are its picture. Found on at least two such rows; anything else under
  // the instruction (a third column, a single item, a wide gap) ends the exercise.
  void findMatching() {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const LineAt& head = lines[i];
      if (!isInstructionToMatch(head.l->text())) continue;
      // The lines below it, top to bottom, whatever their block (Tesseract may make a block of
      // each column).
      std::vector<const LineAt*> below;
      for (const auto& la : lines)
        if (&la != &head && la.top() >= head.bottom() - 0.2 * H) below.push_back(&la);
      std::stable_sort(below.begin(), below.end(),
                       [](const LineAt* a, const LineAt* b) { return a->top() < b->top(); });
      struct Piece {
        const LineAt* line;
        std::vector<int> words;  // indices into line->l->words
        int left = 0, right = 0;
        std::string text;
      };
      struct Row {
        Piece a, b;
        std::vector<std::pair<const LineAt*, int>> dots;
      };
      std::vector<Row> rows;
      std::size_t k = 0;
      int lastBottom = head.bottom();
      while (k < below.size()) {
        // One row: the lines level with the first one.
        std::vector<const LineAt*> row{below[k]};
        std::size_t next = k + 1;
        while (next < below.size() && overlapY(below[next]->l->box, below[k]->l->box) >=
                                          0.5 * std::min(below[next]->l->box.h, below[k]->l->box.h))
          row.push_back(below[next++]);
        // Rows are spaced out, to draw lines between them; a gap of 4 lines ends the exercise.
        if (below[k]->top() - lastBottom > 4 * H) break;
        // Its words left to right, split where the gap is wider than 3 H.
        struct At {
          const LineAt* line;
          int w;
        };
        std::vector<At> words;
        for (const LineAt* la : row)
          for (int w = 0; w < int(la->l->words.size()); ++w) words.push_back({la, w});
        std::sort(words.begin(), words.end(), [](const At& a, const At& b) {
          return a.line->l->words[a.w].box.x < b.line->l->words[b.w].box.x;
        });
        std::vector<Piece> pieces;
        std::vector<std::pair<const LineAt*, int>> dots;
        int lastRight = -1 << 30;
        for (const At& at : words) {
          const Word& w = at.line->l->words[at.w];
          // A drawn dot is often read as a letter ("e", "o"): one character, smaller than a letter.
          const bool small =
              codePointCount(w.text) == 1 && w.box.w <= 0.7 * H && w.box.h <= 0.7 * H;
          if (isMatchDot(w.text) || isBlankPicture(w.text) || small) {
            dots.push_back({at.line, at.w});
            continue;
          }
          if (pieces.empty() || w.box.x - lastRight > 3 * H || pieces.back().line != at.line) {
            pieces.push_back({at.line, {}, w.box.x, 0, {}});
          }
          Piece& p = pieces.back();
          p.words.push_back(at.w);
          p.right = right(w.box);
          p.text += (p.text.empty() ? "" : " ") + w.text;
          lastRight = right(w.box);
        }
        if (pieces.size() != 2 || pieces[1].left - pieces[0].right < 3 * H) break;
        rows.push_back({pieces[0], pieces[1], dots});
        lastBottom = row.back()->bottom();
        k = next;
      }
      if (rows.size() < 2) continue;
      int leftEnd = 0, rightStart = 1 << 30, leftMin = 1 << 30, leftMax = 0;
      for (const Row& r : rows) {
        leftEnd = std::max(leftEnd, r.a.right);
        rightStart = std::min(rightStart, r.b.left);
        leftMin = std::min(leftMin, r.a.left);
        leftMax = std::max(leftMax, r.a.left);
      }
      // Two columns: every right item clear of every left one, the left ones aligned (left or
      // centred: within 4 H of each other).
      if (rightStart - leftEnd < 2 * H || leftMax - leftMin > 4 * H) continue;
      std::vector<std::string> options;
      for (const Row& r : rows) options.push_back(cleanText(r.b.text));
      for (const Row& r : rows) {
        // Not where another place already is (a check box, a blank).
        bool taken = false;
        for (const auto& p : places)
          if (p.block == r.a.line->block && p.line == r.a.line->line) taken = true;
        if (taken) continue;
        AnswerPlace p;
        p.kind = AnswerKind::kChoice;
        p.block = r.a.line->block;
        p.line = r.a.line->line;
        p.after = r.a.words.back();
        p.label = cleanText(r.a.text);
        p.options = options;
        p.ends_line = true;  // each item on its own line, as on the page
        Box box = r.a.line->l->words[r.a.words.front()].box;
        for (int w : r.a.words) box = unite(box, r.a.line->l->words[w].box);
        for (int w : r.b.words) box = unite(box, r.b.line->l->words[w].box);
        p.box = box;
        // On the left item's own line, the right item and the dots are the choice's picture.
        if (r.b.line == r.a.line) p.covers = r.b.words;
        for (const auto& [la, w] : r.dots)
          if (la == r.a.line) p.covers.push_back(w);
        std::sort(p.covers.begin(), p.covers.end());
        for (int w : p.covers) covered[{p.block, p.line}].push_back(w);
        places.push_back(std::move(p));
      }
    }
  }

  // A check box's label: its line's words after it, up to the next check box.
  void labelChecks() {
    for (auto& p : places) {
      if (p.kind != AnswerKind::kCheck) continue;
      const Line& line = doc.blocks[p.block].lines[p.line];
      int end = int(line.words.size());
      for (const auto& q : places)
        if (&q != &p && q.kind == AnswerKind::kCheck && q.block == p.block && q.line == p.line &&
            q.after > p.after)
          end = std::min(end, q.after + 1);
      auto length = [](const std::string& t) { return static_cast<int>(codePointCount(t)); };
      // The line's letter width: the median of its sure words' width per character.
      std::vector<double> per;
      for (const auto& w : line.words)
        if (w.confidence >= 80 && length(w.text) >= 3)
          per.push_back(double(w.box.w) / length(w.text));
      std::sort(per.begin(), per.end());
      const double letter = per.empty() ? 0.5 * H : per[per.size() / 2];
      std::string label;
      for (int i = p.after + 1; i < end; ++i) {
        if (std::find(p.covers.begin(), p.covers.end(), i) != p.covers.end()) continue;
        std::string text = line.words[i].text;
        const Box& wb = line.words[i].box;
        // Tesseract often reads the box and the word after it as one ("[lila" for "☐ la"): of a
        // word that starts on the box, only the letters that fit right of the box are the label.
        if (label.empty() && wb.x < right(p.box) - p.box.w / 3 && right(wb) > right(p.box)) {
          const int keep = int(std::lround((right(wb) - right(p.box)) / letter));
          int drop = length(text) - keep;
          std::size_t at = 0;
          while (drop > 0 && at < text.size()) {
            ++at;
            while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
            --drop;
          }
          text = keep > 0 ? text.substr(at) : std::string();
          if (text.empty()) continue;
        }
        label += (label.empty() ? "" : " ") + text;
      }
      p.label = label;
    }
  }
};

}  // namespace

std::string_view answerKindName(AnswerKind kind) {
  for (auto [k, n] : kKinds)
    if (k == kind) return n;
  return "blank";
}

bool isBlankPicture(std::string_view w) {
  int marks = 0;
  for (std::size_t i = 0; i < w.size();) {
    if (w[i] == '.' || w[i] == '_' || w[i] == '-') {
      ++marks;
      ++i;
    } else if (w.substr(i, 3) == "…") {  // U+2026, three dots
      marks += 3;
      i += 3;
    } else if (w.substr(i, 2) == "·") {  // U+00B7
      ++marks;
      i += 2;
    } else {
      return false;
    }
  }
  return marks >= 4;
}

std::vector<AnswerPlace> findAnswerPlaces(const Document& doc, const std::vector<Box>& rules,
                                          const std::vector<Box>& boxes,
                                          const std::vector<TableGrid>& tables) {
  Builder b(doc);
  if (b.lines.empty()) return {};
  for (const TableGrid& t : tables)
    if (t.xs.size() >= 2 && t.ys.size() >= 2 && std::is_sorted(t.xs.begin(), t.xs.end()) &&
        std::is_sorted(t.ys.begin(), t.ys.end()))
      b.tables.push_back(t);
  b.run(rules, boxes);
  return std::move(b.places);
}

std::vector<AnswerPlace> placesOn(const Document& adapted, const Document& recognised,
                                  const std::vector<AnswerPlace>& places) {
  struct At {
    Box box;
    int b, l, w;
  };
  std::vector<At> words;
  for (int b = 0; b < int(adapted.blocks.size()); ++b)
    for (int l = 0; l < int(adapted.blocks[b].lines.size()); ++l)
      for (int w = 0; w < int(adapted.blocks[b].lines[l].words.size()); ++w)
        words.push_back({adapted.blocks[b].lines[l].words[w].box, b, l, w});
  // The adapted word that is this recognised word: the same box, else the smallest box holding
  // it (a word joined across a line end has the union of its parts' boxes).
  auto find = [&](const Box& box) -> const At* {
    const At* best = nullptr;
    for (const auto& a : words) {
      if (a.box == box) return &a;
      if (box.w > 0 && a.box.x <= box.x && a.box.y <= box.y && right(a.box) >= right(box) &&
          bottom(a.box) >= bottom(box) && (!best || a.box.w * a.box.h < best->box.w * best->box.h))
        best = &a;
    }
    return best;
  };
  std::vector<AnswerPlace> out;
  for (const auto& p : places) {
    if (p.block < 0 || p.block >= int(recognised.blocks.size()) || p.line < 0 ||
        p.line >= int(recognised.blocks[p.block].lines.size()))
      continue;
    const auto& ws = recognised.blocks[p.block].lines[p.line].words;
    auto covered = [&](int i) {
      return std::find(p.covers.begin(), p.covers.end(), i) != p.covers.end();
    };
    AnswerPlace q = p;
    q.covers.clear();
    const At* anchor = nullptr;
    for (int i = std::min(p.after, int(ws.size()) - 1); i >= 0 && !anchor; --i)
      if (!covered(i)) anchor = find(ws[i].box);
    if (anchor) {
      q.block = anchor->b, q.line = anchor->l, q.after = anchor->w;
    } else {  // before the first word of its line that is still there
      for (int i = std::max(0, p.after + 1); i < int(ws.size()) && !anchor; ++i)
        if (!covered(i)) anchor = find(ws[i].box);
      if (!anchor) continue;
      q.block = anchor->b, q.line = anchor->l, q.after = anchor->w - 1;
    }
    for (int c : p.covers) {
      if (c < 0 || c >= int(ws.size())) continue;
      if (const At* a = find(ws[c].box);
          a && a->b == q.block && a->l == q.line && ws[c].box == a->box)
        q.covers.push_back(a->w);
    }
    out.push_back(std::move(q));
  }
  std::stable_sort(out.begin(), out.end(), [](const AnswerPlace& a, const AnswerPlace& b) {
    if (a.block != b.block) return a.block < b.block;
    if (a.line != b.line) return a.line < b.line;
    return a.after < b.after;
  });
  return out;
}

json toJson(const AnswerPlace& p) {
  json j{{"kind", answerKindName(p.kind)},
         {"box", toJson(p.box)},
         {"block", p.block},
         {"line", p.line},
         {"after", p.after}};
  if (!p.covers.empty()) j["covers"] = p.covers;
  if (!p.label.empty()) j["label"] = p.label;
  if (!p.field.empty()) j["field"] = p.field;
  if (p.kind == AnswerKind::kLines || p.kind == AnswerKind::kBox) j["rows"] = p.rows;
  if (p.ends_line) j["ends_line"] = true;
  if (!p.options.empty()) j["options"] = p.options;
  if (p.kind == AnswerKind::kCell) j["row"] = p.row, j["column"] = p.column;
  return j;
}

Result<AnswerPlace> answerPlaceFromJson(const json& j) {
  auto bad = [](const std::string& what) {
    return makeError(ErrorCode::kInvalidArgument, "document: answer: " + what);
  };
  if (!j.is_object()) return bad("expected an object");
  // A number out of int's range would convert with undefined behaviour (a float) or wrap (an
  // integer): refused before json's get<int>.
  const auto inIntRange = [](const json& v) {
    if (!v.is_number()) return true;  // a wrong type is reported by get<int>
    const double d = v.get<double>();
    return d >= static_cast<double>(std::numeric_limits<int>::min()) &&
           d <= static_cast<double>(std::numeric_limits<int>::max());
  };
  for (const char* key : {"block", "line", "after", "rows", "covers", "row", "column"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    const bool ok =
        it->is_array() ? std::all_of(it->begin(), it->end(), inIntRange) : inIntRange(*it);
    if (!ok) return bad(std::string(key) + ": number out of range");
  }
  AnswerPlace p;
  try {
    const std::string kind = j.at("kind").get<std::string>();
    bool known = false;
    for (auto [k, n] : kKinds)
      if (n == kind) p.kind = k, known = true;
    if (!known) return bad("unknown kind '" + kind + "'");
    if (auto b = j.find("box"); b != j.end()) {
      auto box = boxFromJson(*b);
      if (!box) return bad("box: expected [x, y, w, h]");
      p.box = *box;
    }
    p.block = j.at("block").get<int>();
    p.line = j.at("line").get<int>();
    p.after = j.value("after", -1);
    p.covers = j.value("covers", std::vector<int>{});
    p.label = j.value("label", std::string{});
    p.field = j.value("field", std::string{});
    p.rows = j.value("rows", 1);
    p.options = j.value("options", std::vector<std::string>{});
    p.ends_line = j.value("ends_line", false);
    p.row = j.value("row", -1);
    p.column = j.value("column", -1);
  } catch (const json::exception& e) {
    return bad(std::string("bad member (") + e.what() + ")");
  }
  return p;
}

}  // namespace liseur
