// splitForSpeech and splitUtterance on French and English text with the abbreviations, numbers
// and long sentences that make naive sentence splitting go wrong.
#include "speech/text/speech_chunks.h"

#include <gtest/gtest.h>

#include "speech/text/utterance_builder.h"

namespace liseur::speech {
namespace {

using test::describe;
using test::makeUtterance;
using test::spokenWords;
using Chunks = std::vector<std::string>;

Chunks chunks(std::string_view text, std::size_t maxBytes = 400) {
  Chunks out;
  for (const TextRange& r : splitForSpeech(text, maxBytes))
    out.emplace_back(text.substr(r.offset, r.length));
  return out;
}

struct Case {
  const char* text;
  Chunks expected;
};

void expectChunks(std::initializer_list<Case> cases, std::size_t maxBytes = 400) {
  for (const Case& c : cases)
    EXPECT_EQ(chunks(c.text, maxBytes), c.expected)
        << "input: \"" << c.text << "\", maxBytes " << maxBytes;
}

TEST(SplitForSpeech, CutsAtSentenceEnds) {
  expectChunks({
      {"Bonjour. Comment vas-tu ? Tr\xC3\xA8s bien !",
       {"Bonjour.", "Comment vas-tu ?", "Tr\xC3\xA8s bien !"}},
      {"It rains. Does it? Yes!", {"It rains.", "Does it?", "Yes!"}},
      {"Attends\xE2\x80\xA6 Non. Quoi ?! Bon.", {"Attends\xE2\x80\xA6", "Non.", "Quoi ?!", "Bon."}},
      {"\xC2\xAB Viens ! \xC2\xBB Il vient.", {"\xC2\xAB Viens ! \xC2\xBB", "Il vient."}},
      {"He said \"stop.\" Then he left.", {"He said \"stop.\"", "Then he left."}},
      {"(C'est vrai.) Oui.", {"(C'est vrai.)", "Oui."}},
      {"  Un.   Deux.  ", {"Un.", "Deux."}},
      {"Titre\n\nPremier paragraphe.\n  \nSecond", {"Titre", "Premier paragraphe.", "Second"}},
      {"une ligne\nqui continue.", {"une ligne\nqui continue."}},
      {"", {}},
      {"   \n ", {}},
  });
}

TEST(SplitForSpeech, AbbreviationsInitialsAndNumbersAreNotSentenceEnds) {
  expectChunks({
      {"M. Dupont est l\xC3\xA0. Mme Durand aussi.",
       {"M. Dupont est l\xC3\xA0.", "Mme Durand aussi."}},
      {"Des fruits, etc. Ensuite des l\xC3\xA9gumes.",
       {"Des fruits, etc. Ensuite des l\xC3\xA9gumes."}},
      {"Voir p. 12 et cf. Annexe. Fin.", {"Voir p. 12 et cf. Annexe.", "Fin."}},
      {"Il y a env. 3 km. Ex. Lyon.", {"Il y a env. 3 km.", "Ex. Lyon."}},
      {"Il mesure 3.5 m. Elle 3,5 m.", {"Il mesure 3.5 m.", "Elle 3,5 m."}},
      {"J. K. Rowling wrote it. Mr. Smith read it.",
       {"J. K. Rowling wrote it.", "Mr. Smith read it."}},
      {"Fruit, e.g. Apples, i.e. Red ones. Dr. No. 5 agreed.",
       {"Fruit, e.g. Apples, i.e. Red ones.", "Dr. No. 5 agreed."}},
      {"1. Lire le texte. 2. R\xC3\xA9pondre.", {"1. Lire le texte.", "2. R\xC3\xA9pondre."}},
      {"Il a 3 ans. Elle a 5. Bien.", {"Il a 3 ans.", "Elle a 5.", "Bien."}},
      {"C'est-\xC3\xA0-dire c.-\xC3\xA0-d. Rien.", {"C'est-\xC3\xA0-dire c.-\xC3\xA0-d. Rien."}},
      {"Il dit. puis il part.", {"Il dit. puis il part."}},  // lowercase next: not an end
  });
}

TEST(SplitForSpeech, LongSentencesCutAtClausesThenSpaces) {
  // 30 bytes at most.
  expectChunks(
      {
          {"Le chat dort, le chien joue; les enfants rient.",
           {"Le chat dort, le chien joue;", "les enfants rient."}},
          {"Un deux trois quatre cinq six sept huit neuf dix.",
           {"Un deux trois quatre cinq six", "sept huit neuf dix."}},
          {"Il est venu hier avec M. Dupont chez nous.",
           {"Il est venu hier avec", "M. Dupont chez nous."}},  // not "...avec M." + "Dupont..."
          {"Ils font tous leurs exercices ; voir la fiche.",
           {"Ils font tous leurs", "exercices ; voir la fiche."}},  // ";" stays with "exercices"
          {"Nous avons vu hier soir 12 chats noirs.",
           {"Nous avons vu hier soir", "12 chats noirs."}},  // not "...soir 12" + "chats..."
          {"Il faut exactement 3 pommes pour 12 tartes.",
           {"Il faut exactement 3 pommes", "pour 12 tartes."}},
          {"Elle attend \xE2\x80\x94 encore et encore \xE2\x80\x94 le bus.",
           {"Elle attend \xE2\x80\x94", "encore et encore \xE2\x80\x94 le bus."}},
          {"Il mesure bien 3,5 m ou 3.5 m selon la r\xC3\xA8gle.",
           {"Il mesure bien 3,5 m ou 3.5 m", "selon la r\xC3\xA8gle."}},
      },
      30);
}

TEST(SplitForSpeech, NeverCutsInsideAWordUnlessItIsTooLong) {
  const std::string text = "anticonstitutionnellement d\xC3\xA9j\xC3\xA0";
  for (std::size_t max = 4; max <= text.size() + 1; ++max) {
    const auto ranges = splitForSpeech(text, max);
    std::string joined;
    for (const TextRange& r : ranges) {
      EXPECT_LE(r.length, max) << "input \"" << text << "\" max " << max;
      EXPECT_GT(r.length, 0u);
      joined += text.substr(r.offset, r.length);
      // Every chunk is valid UTF-8: it does not start with a continuation byte.
      EXPECT_NE(static_cast<unsigned char>(text[r.offset]) & 0xC0, 0x80)
          << "chunk at " << r.offset << " of \"" << text << "\" max " << max;
      EXPECT_TRUE(r.end() == text.size() ||
                  (static_cast<unsigned char>(text[r.end()]) & 0xC0) != 0x80)
          << "chunk ending at " << r.end() << " of \"" << text << "\" max " << max;
    }
    // Nothing is lost or repeated (white space between chunks aside).
    const auto noSpace = [](std::string s) {
      std::erase(s, ' ');
      return s;
    };
    EXPECT_EQ(noSpace(joined), noSpace(text)) << "max " << max;
    if (max >= 25 && max < text.size()) {  // the long word fits: it is never cut
      ASSERT_EQ(ranges.size(), 2u) << "max " << max;
      EXPECT_EQ(text.substr(ranges[0].offset, ranges[0].length), "anticonstitutionnellement")
          << "max " << max;
    }
  }
}

TEST(SplitForSpeech, RespectsTheLimitOnLongText) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "M. Dupont a vu 3,5 km de route, etc. et il rentre ";
  for (std::size_t max : {20u, 64u, 400u, 4096u}) {
    std::size_t covered = 0;
    for (const TextRange& r : splitForSpeech(text, max)) {
      ASSERT_LE(r.length, max) << "max " << max;
      ASSERT_GE(r.offset, covered) << "chunks in order, max " << max;
      covered = r.end();
      EXPECT_NE(text[r.offset], ' ');
      EXPECT_NE(text[r.end() - 1], ' ');
      // Never between "3" and ",5" or inside "etc."
      EXPECT_NE(text.substr(r.offset, 2), ",5") << "max " << max;
      EXPECT_NE(text.substr(r.offset, 2), "5 ") << "max " << max;
    }
  }
}

TEST(SplitUtterance, WordRefsFollowTheirChunk) {
  const Utterance in = makeUtterance(std::vector<std::string>{"Bonjour", "M.", "Dupont.",
                                                              "\xC3\x87"
                                                              "a",
                                                              "va ?"});
  const std::vector<Utterance> out = splitUtterance(in, 400);
  ASSERT_EQ(out.size(), 2u) << describe(in);
  EXPECT_EQ(out[0].text, "Bonjour M. Dupont.");
  EXPECT_EQ(spokenWords(out[0]), (std::vector<std::string>{"Bonjour", "M.", "Dupont."}))
      << describe(out[0]);
  EXPECT_EQ(out[1].text,
            "\xC3\x87"
            "a va ?");
  EXPECT_EQ(spokenWords(out[1]), (std::vector<std::string>{"\xC3\x87"
                                                           "a",
                                                           "va ?"}))
      << describe(out[1]);
  EXPECT_EQ(out[1].lang, "fr");
  EXPECT_EQ(out[1].words[0].word, 3);
}

TEST(SplitUtterance, EmptyWordsGoToTheNextChunk) {
  Utterance in;
  in.text = "Un. Deux.";
  in.words = {WordRef{0, 3}, WordRef{3, 0}, WordRef{4, 5}};
  const std::vector<Utterance> out = splitUtterance(in, 400);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].words.size(), 1u) << describe(out[0]);
  ASSERT_EQ(out[1].words.size(), 2u) << describe(out[1]);
  EXPECT_EQ(out[1].words[0].offset, 0);
  EXPECT_EQ(out[1].words[0].length, 0);
}

}  // namespace
}  // namespace liseur::speech
