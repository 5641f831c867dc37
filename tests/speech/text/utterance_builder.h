// Builds utterances the way defaultUtterances does (words joined by spaces, one WordRef each) and
// describes them for failure messages.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "document/document.h"

namespace liseur::test {

struct W {
  std::string text;
  int line = 0;
};

inline Utterance makeUtterance(const std::vector<W>& words, const std::string& lang = "fr") {
  Utterance u;
  u.lang = lang;
  u.block = 0;
  int index = 0;
  int lastLine = -1;
  for (const W& w : words) {
    if (!u.text.empty()) u.text += ' ';
    index = w.line == lastLine ? index + 1 : 0;
    lastLine = w.line;
    u.words.push_back(WordRef{static_cast<int>(u.text.size()), static_cast<int>(w.text.size()), 0,
                              w.line, index});
    u.text += w.text;
  }
  return u;
}

inline Utterance makeUtterance(const std::vector<std::string>& words,
                               const std::string& lang = "fr") {
  std::vector<W> ws;
  for (const std::string& w : words) ws.push_back(W{w, 0});
  return makeUtterance(ws, lang);
}

// The text each WordRef covers.
inline std::vector<std::string> spokenWords(const Utterance& u) {
  std::vector<std::string> out;
  for (const WordRef& r : u.words) {
    if (r.offset < 0 || r.length < 0 ||
        static_cast<std::size_t>(r.offset + r.length) > u.text.size())
      out.push_back("<out of range " + std::to_string(r.offset) + "+" + std::to_string(r.length) +
                    ">");
    else
      out.push_back(u.text.substr(r.offset, r.length));
  }
  return out;
}

inline std::string describe(const Utterance& u) {
  std::string s = "text \"" + u.text + "\", words:";
  for (const std::string& w : spokenWords(u)) s += " [" + w + "]";
  return s;
}

}  // namespace liseur::test
