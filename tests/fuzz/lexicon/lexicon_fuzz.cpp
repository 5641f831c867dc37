// Fuzzes the lexicon parser and matcher (speech/text/lexicon.h) on arbitrary bytes. The input is
// a lexicon file, then optionally a NUL byte and a text to read with it (without one, the file is
// also the text). Checks the header's promises besides crashes and sanitizers:
//  - an accepted lexicon has 1..64-byte FROMs and 1..256-byte TOs, longest FROM first, each
//    FROM once per flag set (so overriding a lexicon with itself keeps its size);
//  - a rejected one has a message naming the file;
//  - matchAt at every byte of the text matches an entry's FROM there, inside the text;
//  - makeSpeakable with the lexicon keeps the words and their indices, spans inside its text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "speech/text/lexicon.h"
#include "speech/text/speakable.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur;
  using namespace liseur::speech;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view file = input.substr(0, nul);
  const std::string_view text = nul == std::string_view::npos ? input : input.substr(nul + 1);

  const std::string name = "fuzz/lexicon-fr.txt";
  auto lex = Lexicon::parse(file, name);
  if (!lex.ok()) {
    check(lex.error().message.rfind(name + ":", 0) == 0);
    return 0;
  }
  const auto& entries = lex->entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LexiconEntry& e = entries[i];
    check(!e.from.empty() && e.from.size() <= 64 && !e.to.empty() && e.to.size() <= 256);
    check(e.line >= 1 && e.file == name);
    if (i > 0) check(entries[i - 1].from.size() >= e.from.size());
  }
  Lexicon twice = *lex;
  twice.overrideWith(*lex);
  check(twice.entries().size() == entries.size());

  for (std::size_t pos = 0; pos <= text.size(); ++pos) {
    const LexiconMatch m = lex->matchAt(text, pos);
    if (!m.entry) continue;
    check(pos < text.size() && m.length == m.entry->from.size() && pos + m.length <= text.size());
    if (!m.entry->ignore_case) check(text.substr(pos, m.length) == m.entry->from);
  }

  // The text read as one line, one word ref per whitespace-separated token.
  Utterance u;
  u.text.assign(text);
  u.lang = "fr";
  u.block = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (isSpace(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !isSpace(text[j])) ++j;
    const int n = static_cast<int>(u.words.size());
    u.words.push_back({static_cast<int>(i), static_cast<int>(j - i), 0, 0, n});
    i = j;
  }
  SpeakOptions so;
  so.lexicon = &*lex;
  so.lang = "fr";
  const Utterance spoken = makeSpeakable(u, so);
  check(spoken.words.size() == u.words.size());
  for (std::size_t i = 0; i < u.words.size(); ++i) {
    const WordRef& w = spoken.words[i];
    check(w.offset >= 0 && w.length >= 0 && std::size_t(w.offset) + w.length <= spoken.text.size());
    check(w.word == u.words[i].word);
  }
  return 0;
}
