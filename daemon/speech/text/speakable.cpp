#include "speech/text/speakable.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/utf8.h"
#include "speech/text/text_edit.h"

namespace liseur::speech {
namespace {

using text::decodeAt;
using text::decodeBefore;
using text::isDigit;
using text::isLetter;
using text::isSpace;
using text::isUpper;
using text::isWordChar;
using text::kInvalidCodePoint;
using text::TextEdit;

char32_t cpAt(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  return i < s.size() ? decodeAt(s, i, n) : kInvalidCodePoint;
}

char32_t cpBefore(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  return decodeBefore(s, i, n);
}

bool isZeroWidth(char32_t c) {
  return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0xFFFD ||
         c == 0xFFFC;
}

bool isControlChar(char32_t c) {
  return (c < 0x20 && c != U'\n') || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

const char* ligature(char32_t c) {
  switch (c) {
    case 0xFB00:
      return "ff";
    case 0xFB01:
      return "fi";
    case 0xFB02:
      return "fl";
    case 0xFB03:
      return "ffi";
    case 0xFB04:
      return "ffl";
    case 0xFB05:
      return "st";
    case 0xFB06:
      return "st";
    default:
      return nullptr;
  }
}

// Bullets, box drawing, block elements, geometric shapes, arrows used as bullets, the
// private-use bullets word processors emit (Symbol/Wingdings), and border bars.
bool isBulletOrBorder(char32_t c) {
  return c == 0x2022 || c == 0x2023 || c == 0x2043 || c == 0x2219 || c == 0x25E6 ||
         (c >= 0x2500 && c <= 0x25FF) || c == 0x2794 || (c >= 0x27A2 && c <= 0x27A4) ||
         c == 0x2B9A || c == 0x2BC0 || (c >= 0xF000 && c <= 0xF0FF) || c == U'|' || c == 0x00A6;
}

const char* normalisedMark(char32_t c) {
  switch (c) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return "'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
      return "\"";
    case 0x2010:
    case 0x2011:
    case 0x2212:
      return "-";
    case 0x2012:
      return "\u2013";
    case 0x2015:
      return "\u2014";
    default:
      return nullptr;
  }
}

// A run of leader characters at `i` (dots, spaced dots, '…', '_', '·', '․', '‥'); returns its
// end, or i when there is no leader here.
std::size_t leaderEnd(std::string_view s, std::size_t i) {
  const char32_t c = cpAt(s, i);
  if (c == U'.' || c == 0x2026 || c == 0x2024 || c == 0x2025) {
    std::size_t j = i;
    int dots = 0;
    bool spaced = false;
    std::size_t end = i;
    while (j < s.size()) {
      std::size_t n = 0;
      const char32_t d = decodeAt(s, j, n);
      if (d == U'.' || d == 0x2024) {
        dots += 1;
      } else if (d == 0x2026 || d == 0x2025) {
        dots += d == 0x2026 ? 3 : 2;
      } else if (d == U' ' && j + 1 < s.size() && (s[j + 1] == '.') && dots > 0) {
        spaced = true;
        j += 1;
        continue;
      } else {
        break;
      }
      j += n;
      end = j;
    }
    // "..." alone is an ellipsis, not a leader.
    if (dots >= 4 || (spaced && dots >= 3)) return end;
    return i;
  }
  if (c == U'_' || c == 0x00B7) {
    std::size_t j = i;
    int count = 0;
    while (j < s.size() && cpAt(s, j) == c) {
      std::size_t n = 0;
      decodeAt(s, j, n);
      j += n;
      ++count;
    }
    return count >= 3 ? j : i;
  }
  return i;
}

// Pass 1: artefacts and normalisation.
std::string cleanArtefacts(std::string_view s, TextEdit& ed) {
  bool lineStart = true;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    const char32_t c = decodeAt(s, i, len);
    const auto replace = [&](std::size_t end, std::string_view with) {
      ed.copyTo(i);
      ed.replaceTo(end, with);
      i = end;
    };
    if (c == kInvalidCodePoint || isZeroWidth(c)) {
      replace(i + len, "");
      continue;
    }
    if (c == U'\n') {
      lineStart = true;
      i += len;
      continue;
    }
    if (c == 0x00AD) {  // soft hyphen: invisible, or the mark of a word cut at a line end
      std::size_t j = i + len;
      while (j < s.size()) {
        std::size_t n = 0;
        if (!isSpace(decodeAt(s, j, n))) break;
        j += n;
      }
      replace(j > i + len && isLetter(cpAt(s, j)) ? j : i + len, "");
      continue;
    }
    if (std::size_t esc = terminalEscapeLength(s, i)) {  // a terminal's colours, title, cursor
      replace(i + esc, "");
      continue;
    }
    if (isControlChar(c)) {
      replace(i + len, (c == U'\t' || c == U'\r' || c == U'\v' || c == U'\f') ? " " : "");
      continue;
    }
    if (isSpace(c)) {
      if (c != U' ')
        replace(i + len, " ");
      else
        i += len;
      continue;
    }
    if (lineStart && (c == U'-' || c == U'*' || c == 0x2013 || c == 0x2014) &&
        (cpAt(s, i + len) == U' ' || cpAt(s, i + len) == 0x00A0)) {
      lineStart = false;
      replace(i + len, "");
      continue;
    }
    lineStart = false;
    if (std::size_t end = leaderEnd(s, i); end > i) {
      replace(end, ", ");
      continue;
    }
    if (c == U'.' && s.substr(i, 3) == "...") {
      replace(i + 3, "\u2026");
      continue;
    }
    if (const char* lig = ligature(c)) {
      replace(i + len, lig);
      continue;
    }
    if (isBulletOrBorder(c)) {
      replace(i + len, " ");
      continue;
    }
    if (c == 0x00B7 && !(isLetter(cpBefore(s, i)) && isLetter(cpAt(s, i + len)))) {
      replace(i + len, " ");
      continue;
    }
    if (const char* mark = normalisedMark(c)) {
      replace(i + len, mark);
      continue;
    }
    i += len;
  }
  return ed.finish();
}

// The word that starts at `i`: letters only, lowercased when ASCII; for the particle check.
std::string leadingLetters(std::string_view s, std::size_t i) {
  std::string out;
  while (i < s.size()) {
    std::size_t n = 0;
    const char32_t c = decodeAt(s, i, n);
    if (!isLetter(c)) break;
    for (std::size_t k = 0; k < n; ++k) {
      char b = s[i + k];
      out.push_back(b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
    }
    i += n;
  }
  return out;
}

bool keepsHyphen(std::string_view s, std::size_t secondHalf) {
  static constexpr std::array<std::string_view, 26> kParticles = {
      "être", "il",   "ils",   "elle", "elles", "on",    "je",  "tu",  "nous",
      "vous", "moi",  "toi",   "lui",  "leur",  "leurs", "y",   "en",  "ci",
      "là",   "même", "mêmes", "t",    "ce",    "dire",  "eux", "unes"};
  if (isUpper(cpAt(s, secondHalf))) return true;
  const std::string w = leadingLetters(s, secondHalf);
  return std::find(kParticles.begin(), kParticles.end(), w) != kParticles.end();
}

struct Join {
  std::size_t hyphen;  // byte of '-'
  std::size_t next;    // first byte of the second half
};

// Pass 2: line-end hyphenation.
std::string joinHyphenation(std::string_view s, const std::vector<WordRef>& refs, TextEdit& ed) {
  std::vector<Join> joins;
  const auto gapIsSpace = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to;) {
      std::size_t n = 0;
      if (!isSpace(decodeAt(s, k, n))) return false;
      k += n;
    }
    return to > from;
  };
  // From the document: the next word is on another line of the same block.
  for (std::size_t k = 0; k + 1 < refs.size(); ++k) {
    const WordRef& a = refs[k];
    const WordRef& b = refs[k + 1];
    if (a.length < 2 || b.length < 1 || a.block != b.block || a.line == b.line || a.line < 0)
      continue;
    const std::size_t h = static_cast<std::size_t>(a.offset + a.length) - 1;
    if (h >= s.size() || s[h] != '-' || !isLetter(cpBefore(s, h))) continue;
    const std::size_t next = static_cast<std::size_t>(b.offset);
    if (next >= s.size() || !isLetter(cpAt(s, next)) || !gapIsSpace(h + 1, next)) continue;
    joins.push_back(Join{h, next});
  }
  // From the text: "exem-\nple".
  for (std::size_t h = s.find('-'); h != std::string_view::npos; h = s.find('-', h + 1)) {
    if (!isLetter(cpBefore(s, h))) continue;
    std::size_t j = h + 1;
    bool newline = false;
    while (j < s.size() && (s[j] == ' ' || s[j] == '\n')) newline |= s[j++] == '\n';
    if (newline && isLetter(cpAt(s, j))) joins.push_back(Join{h, j});
  }
  std::sort(joins.begin(), joins.end(),
            [](const Join& a, const Join& b) { return a.hyphen < b.hyphen; });
  for (const Join& j : joins) {
    if (j.hyphen < ed.position()) continue;  // found twice
    if (keepsHyphen(s, j.next)) {
      ed.copyTo(j.hyphen + 1);
    } else {
      ed.copyTo(j.hyphen);
    }
    ed.replaceTo(j.next, "");
  }
  return ed.finish();
}

// Pass 3: the lexicon.
std::string applyLexicon(std::string_view s, const Lexicon& lex, TextEdit& ed) {
  std::size_t i = 0;
  while (i < s.size()) {
    const LexiconMatch m = lex.matchAt(s, i);
    if (!m.entry) {
      std::size_t n = 0;
      decodeAt(s, i, n);
      i += n;
      continue;
    }
    const std::size_t end = i + m.length;
    std::string to;
    if (isWordChar(cpAt(m.entry->to, 0)) && isWordChar(cpBefore(s, i))) to += ' ';
    to += m.entry->to;
    if (isWordChar(cpBefore(m.entry->to, m.entry->to.size())) && isWordChar(cpAt(s, end)))
      to += ' ';
    bool atEnd = true;
    for (std::size_t k = end; k < s.size() && atEnd; ++k) atEnd = s[k] == ' ' || s[k] == '\n';
    if (m.entry->from.back() == '.' && atEnd) to += '.';
    ed.copyTo(i);
    ed.replaceTo(end, to);
    i = end;
  }
  return ed.finish();
}

bool isNamedSymbol(char32_t c) {
  switch (c) {
    case U'*':
    case U'@':
    case U'#':
    case U'&':
    case U'+':
    case U'=':
    case U'~':
    case U'^':
    case U'\\':
    case U'/':
    case U'<':
    case U'>':
    case U'_':
    case 0x00A7:
    case 0x2020:
    case 0x2021:
      return true;
    default:
      return false;
  }
}

struct PunctName {
  char32_t mark;
  const char* fr;
  const char* en;
  bool pause;  // keep the mark after the name: espeak-ng pauses on it
};

constexpr PunctName kPunctNames[] = {
    {U'.', "point", "full stop", true},
    {U',', "virgule", "comma", true},
    {U';', "point-virgule", "semicolon", true},
    {U':', "deux-points", "colon", true},
    {U'!', "point d'exclamation", "exclamation mark", true},
    {U'?', "point d'interrogation", "question mark", true},
    {0x2026, "points de suspension", "ellipsis", true},
    {U'(', "ouvrez la parenthèse", "open bracket", false},
    {U')', "fermez la parenthèse", "close bracket", false},
    {U'[', "ouvrez le crochet", "open square bracket", false},
    {U']', "fermez le crochet", "close square bracket", false},
    {U'{', "ouvrez l'accolade", "open brace", false},
    {U'}', "fermez l'accolade", "close brace", false},
    {0x00AB, "ouvrez les guillemets", "open quote", false},
    {0x00BB, "fermez les guillemets", "close quote", false},
    {U'"', "guillemet", "quote", false},
    {U'\'', "apostrophe", "apostrophe", false},
    {U'-', "tiret", "dash", false},
    {0x2013, "tiret", "dash", false},
    {0x2014, "tiret", "dash", false},
    {U'/', "barre oblique", "slash", false},
    {U'\\', "barre oblique inverse", "backslash", false},
    {U'#', "dièse", "hash", false},
    {U'&', "esperluette", "ampersand", false},
    {U'=', "égal", "equals", false},
    {U'_', "tiret bas", "underscore", false},
    {U'^', "accent circonflexe", "caret", false},
    {U'<', "inférieur à", "less than", false},
    {U'>', "supérieur à", "greater than", false},
};

const PunctName* punctName(char32_t c) {
  for (const PunctName& p : kPunctNames)
    if (p.mark == c) return &p;
  return nullptr;
}

char32_t prevNonSpace(std::string_view s, std::size_t i) {
  while (i > 0) {
    std::size_t n = 0;
    const char32_t c = decodeBefore(s, i, n);
    if (n == 0) return kInvalidCodePoint;
    if (!isSpace(c)) return c;
    i -= n;
  }
  return kInvalidCodePoint;
}

char32_t nextNonSpace(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    std::size_t n = 0;
    const char32_t c = decodeAt(s, i, n);
    if (!isSpace(c)) return c;
    i += n;
  }
  return kInvalidCodePoint;
}

// Pass 4: the punctuation level.
std::string applyPunctuation(std::string_view s, PunctuationLevel level, bool french,
                             TextEdit& ed) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    const char32_t c = decodeAt(s, i, len);
    const char32_t before = cpBefore(s, i);
    const char32_t after = cpAt(s, i + len);
    const bool insideWord = isWordChar(before) && isWordChar(after);
    if (level == PunctuationLevel::kNone && isNamedSymbol(c)) {
      const bool arithmetic = isDigit(prevNonSpace(s, i)) && isDigit(nextNonSpace(s, i + len));
      if (!insideWord && !arithmetic) {
        ed.copyTo(i);
        ed.replaceTo(i + len, "");
      }
    } else if (level == PunctuationLevel::kAll) {
      const PunctName* p = punctName(c);
      const bool decimal = (c == U'.' || c == U',') && isDigit(before) && isDigit(after);
      const bool joiner = (c == U'\'' || c == U'-') && insideWord;
      const bool minus = c == U'-' && !isWordChar(before) && isDigit(after);
      if (p && !decimal && !joiner && !minus) {
        std::string with = " ";
        with += french ? p->fr : p->en;
        if (p->pause) {
          with.append(s.substr(i, len));
        }
        with += ' ';
        ed.copyTo(i);
        ed.replaceTo(i + len, with);
      }
    }
    i += len;
  }
  return ed.finish();
}

// Pass 5: white space.
std::string collapseSpace(std::string_view s, TextEdit& ed) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    if (!isSpace(decodeAt(s, i, len))) {
      i += len;
      continue;
    }
    std::size_t j = i;
    int newlines = 0;
    while (j < s.size()) {
      std::size_t n = 0;
      if (!isSpace(decodeAt(s, j, n))) break;
      newlines += s[j] == '\n';
      j += n;
    }
    std::string_view with = newlines >= 2 ? "\n\n" : " ";
    if (i == 0 || j == s.size())
      with = "";
    else if (newlines < 2 && (s[j] == ',' || s[j] == '.') && !isDigit(cpAt(s, j + 1)))
      with = "";
    if (s.substr(i, j - i) != with) {
      ed.copyTo(i);
      ed.replaceTo(j, with);
    }
    i = j;
  }
  return ed.finish();
}

}  // namespace

Utterance makeSpeakable(const Utterance& utterance, const SpeakOptions& options) {
  Utterance out = utterance;
  std::string lang = options.lang.empty() ? utterance.lang : options.lang;
  const bool french = lang.rfind("fr", 0) == 0;

  std::vector<WordRef> before = out.words;
  {
    TextEdit ed(utterance.text);
    std::string next = cleanArtefacts(utterance.text, ed);
    text::remapRefs(ed, out.words);
    text::unionJoinedRefs(before, out.words);
    out.text = std::move(next);
  }
  before = out.words;
  {
    TextEdit ed(out.text);
    std::string next = joinHyphenation(out.text, out.words, ed);
    text::remapRefs(ed, out.words);
    text::unionJoinedRefs(before, out.words);
    out.text = std::move(next);
  }
  if (options.lexicon && !options.lexicon->empty()) {
    TextEdit ed(out.text);
    std::string next = applyLexicon(out.text, *options.lexicon, ed);
    text::remapRefs(ed, out.words);
    out.text = std::move(next);
  }
  if (options.punctuation != PunctuationLevel::kSome) {
    TextEdit ed(out.text);
    std::string next = applyPunctuation(out.text, options.punctuation, french, ed);
    text::remapRefs(ed, out.words);
    out.text = std::move(next);
  }
  {
    TextEdit ed(out.text);
    std::string next = collapseSpace(out.text, ed);
    text::remapRefs(ed, out.words);
    out.text = std::move(next);
  }
  return out;
}

std::vector<int> doubtfulWords(const Utterance& utterance, std::span<const float> confidences,
                               float threshold) {
  std::vector<int> out;
  for (std::size_t i = 0; i < utterance.words.size() && i < confidences.size(); ++i) {
    if (utterance.words[i].length > 0 && confidences[i] < threshold)
      out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> doubtfulWords(const Utterance& utterance, const Document& document,
                               float threshold) {
  std::vector<float> confidences;
  confidences.reserve(utterance.words.size());
  for (const WordRef& r : utterance.words) {
    float c = 100;
    if (r.block >= 0 && r.line >= 0 && r.word >= 0) {
      // Blocks are in reading order, but look the index up rather than trust it.
      for (const Block& b : document.blocks) {
        if (b.index != r.block) continue;
        if (static_cast<std::size_t>(r.line) < b.lines.size() &&
            static_cast<std::size_t>(r.word) < b.lines[r.line].words.size())
          c = b.lines[r.line].words[r.word].confidence;
        break;
      }
    }
    confidences.push_back(c);
  }
  return doubtfulWords(utterance, confidences, threshold);
}

}  // namespace liseur::speech
