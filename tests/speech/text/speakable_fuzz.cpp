// libFuzzer target for the parsers and rewriters of liseur_speakable: the first byte picks the
// target, the rest is the input (lexicon text, voice preset TOML, or an utterance whose words are
// separated by '\x1f' and whose lines by '\x1e').
// Not registered by CMake yet (tests/fuzz is another area). Build by hand from the repository
// root (NDEBUG: toml++'s own asserts are off in release builds, as in Debian's library):
//   clang++ -std=c++20 -g -O1 -DNDEBUG -fsanitize=fuzzer,address,undefined -Idaemon \
//     -DLISEUR_DATADIR='"/usr/share/liseur"' tests/speech/text/speakable_fuzz.cpp \
//     daemon/speech/text/*.cpp daemon/config/toml_guard.cpp daemon/core/paths.cpp \
//     daemon/core/error.cpp -lfmt -o speakable_fuzz
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "speech/text/lexicon.h"
#include "speech/text/speakable.h"
#include "speech/text/speech_chunks.h"
#include "speech/text/voice_preset.h"

using namespace liseur;
using namespace liseur::speech;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0 || size > 8192) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const Lexicon lexicon = [] {
    auto l = Lexicon::parse(
        "M. = Monsieur\netc. = et cetera [nocase]\nkm = kilomètres [after-number]\n"
        "p. = page [before-number]\n% = pour cent\nn° = numéro\n",
        "fuzz.txt");
    return l.ok() ? *l : Lexicon{};
  }();
  switch (data[0] % 3) {
    case 0: {
      auto lex = Lexicon::parse(in, "fuzz.txt");
      if (lex.ok()) {
        Utterance u;
        u.text = std::string(in.substr(0, 256));
        SpeakOptions o;
        o.lexicon = &*lex;
        (void)makeSpeakable(u, o);
      }
      break;
    }
    case 1:
      (void)parseVoicePreset(in, "fuzz.toml");
      break;
    default: {
      Utterance u;
      u.lang = data[0] & 4 ? "fr" : "en";
      int line = 0, word = 0;
      std::size_t start = 0;
      for (std::size_t i = 0; i <= in.size(); ++i) {
        if (i < in.size() && in[i] != '\x1f' && in[i] != '\x1e') continue;
        if (!u.text.empty()) u.text += ' ';
        u.words.push_back(
            WordRef{static_cast<int>(u.text.size()), static_cast<int>(i - start), 0, line, word++});
        u.text.append(in.substr(start, i - start));
        if (i < in.size() && in[i] == '\x1e') ++line;
        start = i + 1;
      }
      SpeakOptions o;
      o.lexicon = data[0] & 8 ? &lexicon : nullptr;
      o.punctuation = static_cast<PunctuationLevel>((data[0] >> 4) % 3);
      const Utterance out = makeSpeakable(u, o);
      for (const WordRef& r : out.words)
        if (r.offset < 0 || r.length < 0 ||
            static_cast<std::size_t>(r.offset + r.length) > out.text.size())
          __builtin_trap();
      const std::size_t max = 4 + (data[0] >> 2) % 64u;
      for (const Utterance& c : splitUtterance(out, max))
        if (c.text.empty() || c.text.size() > max) __builtin_trap();
      break;
    }
  }
  return 0;
}
