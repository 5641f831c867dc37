// Invariants of makeSpeakable and splitUtterance on many generated utterances made of the pieces
// screen text is made of (hostile bytes included): no crash, valid UTF-8 out, word refs inside
// the text and in order, every chunk within its limit. A deterministic seed: a failure repeats.
#include <gtest/gtest.h>

#include <random>

#include "speech/text/lexicon.h"
#include "speech/text/speakable.h"
#include "speech/text/speech_chunks.h"
#include "speech/text/utterance_builder.h"

namespace liseur::speech {
namespace {

using test::describe;

const char* const kPieces[] = {
    "Bonjour",
    "M.",
    "Mme",
    "n\xC2\xB0"
    "5",
    "etc.",
    "exem-",
    "ple",
    "\xE2\x80\xA2",
    "|",
    "........",
    "\xEF\xAC\x81n",
    "3,5",
    "3.5",
    "km/h",
    "50%",
    "\xEF\xBF\xBD",
    "\x01",
    "\xFF",
    "\xC3",
    "\xE2\x80\x8B",
    "\xC2\xAD",
    "l\xE2\x80\x99\xC3\xA9"
    "cole",
    "...",
    "\xE2\x80\x94",
    "-",
    "*",
    "(",
    ")",
    "\xC2\xAB",
    "\xC2\xBB",
    "!",
    "?",
    ".",
    ",",
    "\n",
    "\n\n",
    "\xC2\xA0",
    "\xE2\x94\x80",
    "_____",
    "@",
    "10h30",
    "CM2",
    "6e",
    "\xF0\x9F\x98\x80",
    "a",
    "Z.",
    "\t",
};

bool validUtf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

bool hasControl(const std::string& s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7F) return true;
  }
  return false;
}

TEST(SpeakableProperty, GeneratedUtterancesKeepEveryInvariant) {
  auto lex = Lexicon::parse(
      "M. = Monsieur\nMme = Madame\nn\xC2\xB0 = num\xC3\xA9ro\netc. = et cetera [nocase]\n"
      "km/h = kilom\xC3\xA8tres par heure [after-number]\n% = pour cent\nCM2 = C M 2\n"
      "h = heures [after-number]\n",
      "test.txt");
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> count(0, 30);
  std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> level(0, 2);
  std::uniform_int_distribution<int> joinPieces(0, 3);
  for (int round = 0; round < 3000; ++round) {
    std::vector<test::W> words;
    const int n = count(rng);
    int line = 0;
    for (int i = 0; i < n; ++i) {
      std::string w = kPieces[piece(rng)];
      for (int k = joinPieces(rng); k > 0; --k) w += kPieces[piece(rng)];
      if (joinPieces(rng) == 0) ++line;
      words.push_back(test::W{w, line});
    }
    const Utterance in = test::makeUtterance(words, round % 2 ? "fr" : "en");
    SpeakOptions options;
    options.punctuation = static_cast<PunctuationLevel>(level(rng));
    options.lexicon = round % 3 ? &*lex : nullptr;
    const Utterance out = makeSpeakable(in, options);
    const std::string where = "round " + std::to_string(round) + ", input: " + describe(in) +
                              "\noutput: " + describe(out);
    ASSERT_TRUE(validUtf8(out.text)) << where;
    ASSERT_FALSE(hasControl(out.text)) << where;
    ASSERT_EQ(out.words.size(), in.words.size()) << where;
    int lastOffset = 0;
    for (const WordRef& r : out.words) {
      ASSERT_GE(r.offset, 0) << where;
      ASSERT_GE(r.length, 0) << where;
      ASSERT_LE(static_cast<std::size_t>(r.offset + r.length), out.text.size()) << where;
      ASSERT_GE(r.offset, lastOffset) << "refs stay in order; " << where;
      lastOffset = r.offset;
      if (r.length > 0) {
        ASSERT_NE(out.text[r.offset], ' ') << where;
        ASSERT_NE(out.text[r.offset + r.length - 1], ' ') << where;
      }
    }
    for (std::size_t max : {16u, 400u}) {
      std::size_t words = 0;
      for (const Utterance& chunk : splitUtterance(out, max)) {
        ASSERT_LE(chunk.text.size(), max) << where;
        ASSERT_FALSE(chunk.text.empty()) << where;
        ASSERT_TRUE(validUtf8(chunk.text)) << "chunk \"" << chunk.text << "\"; " << where;
        for (const WordRef& r : chunk.words)
          ASSERT_LE(static_cast<std::size_t>(r.offset + r.length), chunk.text.size()) << where;
        words += chunk.words.size();
      }
      if (!out.text.empty()) {
        ASSERT_EQ(words, out.words.size()) << "every word is in a chunk; " << where;
      }
    }
  }
}

TEST(SpeakableProperty, RefsOutsideTheTextDoNotCrash) {
  Utterance in;
  in.text = "Bonjour \xE2\x80\xA2 toi";
  in.words = {WordRef{-5, 3}, WordRef{100, 4}, WordRef{8, 1000}, WordRef{2, -1}};
  const Utterance out = makeSpeakable(in, SpeakOptions{});
  EXPECT_EQ(out.text, "Bonjour toi");
  for (const WordRef& r : out.words) {
    EXPECT_GE(r.offset, 0) << describe(out);
    EXPECT_LE(static_cast<std::size_t>(r.offset + r.length), out.text.size()) << describe(out);
  }
}

}  // namespace
}  // namespace liseur::speech
