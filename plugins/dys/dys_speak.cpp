#include "dys_speak.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace liseur::dys {
namespace {

using nlohmann::json;

struct Item {
  int line = 0, word = 0;
  const DocWord* w = nullptr;
};

// The word without closing quotes and brackets, so that `soleil.»` ends a sentence like
// `soleil.` does.
std::string_view trimClosing(std::string_view s) {
  for (;;) {
    if (s.empty()) return s;
    const unsigned char c = s.back();
    if (c == '"' || c == '\'' || c == ')' || c == ']') {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xBB") {  // »
      s.remove_suffix(2);
    } else if (s.size() >= 3 && (s.substr(s.size() - 3) == "\xE2\x80\x9D" ||   // ”
                                 s.substr(s.size() - 3) == "\xE2\x80\x99")) {  // ’
      s.remove_suffix(3);
    } else {
      // A French non-breaking space before ; : ! ? belongs to the punctuation.
      if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") {
        s.remove_suffix(2);
        continue;
      }
      return s;
    }
  }
}

// True when the word ends a breath group: sentence punctuation, an ellipsis, or a clause mark.
bool endsGroup(std::string_view text) {
  std::string_view s = trimClosing(text);
  if (s.empty()) return false;
  if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE2\x80\xA6") return true;  // …
  const char c = s.back();
  return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':';
}

// Little words a phrase is best cut before (the cut then falls at a grammatical seam).
bool isLinkWord(std::string_view text) {
  static const std::set<std::string, std::less<>> words = {
      "et",    "ou",    "mais",    "qui",   "que",     "qu'",   "dont",    "où",   "pour", "avec",
      "dans",  "sur",   "sous",    "quand", "puis",    "car",   "donc",    "sans", "vers", "chez",
      "entre", "parce", "lorsque", "comme", "pendant", "avant", "après",   "si",   "and",  "or",
      "but",   "which", "that",    "with",  "to",      "for",   "because", "when"};
  std::string lower;
  for (char c : text) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (words.count(lower)) return true;
  // qu'il, qu'elle: the elided que starts the group too.
  return lower.rfind("qu'", 0) == 0 || lower.rfind("qu\xE2\x80\x99", 0) == 0;
}

// True for a word made only of closing marks (a lone "»", "?", "." or ")"): it is said with the
// words before it, never as a chunk of its own. An opening "«" or "(" starts the next chunk.
bool isClosingOnly(std::string_view text) {
  std::string_view s = trimClosing(text);
  while (!s.empty()) {
    if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE2\x80\xA6") {
      s.remove_suffix(3);
    } else if (std::string_view(".,;:!?").find(s.back()) != std::string_view::npos) {
      s.remove_suffix(1);
    } else {
      return false;
    }
    s = trimClosing(s);
  }
  return true;
}

// Cut positions (exclusive ends) for a run of n words into parts of at most max words.
std::vector<std::size_t> cutRun(const std::vector<Item>& run, std::size_t max) {
  const std::size_t n = run.size();
  const std::size_t parts = (n + max - 1) / max;
  std::vector<std::size_t> ends;
  for (std::size_t k = 1; k < parts; ++k) ends.push_back(n * k / parts);
  // Move each cut by at most 3 words to fall before a linking word, never making a part longer
  // than max or empty.
  for (std::size_t k = 0; k < ends.size(); ++k) {
    const std::size_t lo = k == 0 ? 0 : ends[k - 1];
    const std::size_t hi = k + 1 < ends.size() ? ends[k + 1] : n;
    const std::size_t at = ends[k];
    for (std::size_t d : {0, 1, 2, 3}) {
      bool moved = false;
      for (long sign : {-1L, 1L}) {
        const long c = static_cast<long>(at) + sign * static_cast<long>(d);
        if (c <= static_cast<long>(lo) || c >= static_cast<long>(hi)) continue;
        const auto cu = static_cast<std::size_t>(c);
        if (cu - lo > max || hi - cu > max) continue;
        if (isLinkWord(run[cu].w->text)) {
          ends[k] = cu;
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
  }
  ends.push_back(n);
  return ends;
}

json utterance(const Doc& doc, int block, const std::vector<Item>& items, std::size_t from,
               std::size_t to) {
  const DocBlock& b = doc.blocks[block];
  std::string text;
  json refs = json::array();
  std::string lang;
  bool sameLang = true;
  for (std::size_t i = from; i < to; ++i) {
    const Item& it = items[i];
    if (!text.empty()) text += ' ';
    refs.push_back({{"offset", text.size()},
                    {"length", it.w->text.size()},
                    {"block", block},
                    {"line", it.line},
                    {"word", it.word}});
    text += it.w->text;
    if (i == from)
      lang = it.w->lang;
    else if (it.w->lang != lang)
      sameLang = false;
  }
  if (!sameLang || lang.empty()) lang = !b.lang.empty() ? b.lang : doc.lang;
  return {{"text", std::move(text)}, {"lang", lang}, {"block", block}, {"words", std::move(refs)}};
}

}  // namespace

json speakUtterances(const Doc& doc, const Options& options) {
  json out = json::array();
  const auto max = static_cast<std::size_t>(options.chunkWords);
  for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
    const DocBlock& block = doc.blocks[b];
    std::vector<Item> run;
    bool ended = false;  // the run ends a breath group; trailing punctuation may still join it
    auto flush = [&] {
      ended = false;
      if (run.empty()) return;
      std::size_t from = 0;
      for (std::size_t to : cutRun(run, max)) {
        out.push_back(utterance(doc, static_cast<int>(b), run, from, to));
        from = to;
      }
      run.clear();
    };
    for (std::size_t l = 0; l < block.lines.size(); ++l) {
      const auto& words = block.lines[l].words;
      for (std::size_t w = 0; w < words.size(); ++w) {
        if (words[w].text.empty()) continue;  // nothing to say or to highlight
        if (ended && !isClosingOnly(words[w].text)) flush();
        run.push_back(Item{static_cast<int>(l), static_cast<int>(w), &words[w]});
        if (endsGroup(words[w].text)) ended = true;
      }
      if (options.cutAtLines) flush();
    }
    flush();
  }
  return out;
}

}  // namespace liseur::dys
