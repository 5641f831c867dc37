// makeSpeakable: every artefact, hyphenation, punctuation levels, the lexicon pass, and the word
// refs after each transformation; doubtfulWords.
#include "speech/text/speakable.h"

#include <gtest/gtest.h>

#include "speech/text/lexicon.h"
#include "speech/text/utterance_builder.h"

namespace liseur::speech {
namespace {

using test::describe;
using test::makeUtterance;
using test::spokenWords;
using test::W;
using Words = std::vector<std::string>;

Utterance speak(const Utterance& in, PunctuationLevel level = PunctuationLevel::kSome,
                const Lexicon* lexicon = nullptr) {
  SpeakOptions options;
  options.punctuation = level;
  options.lexicon = lexicon;
  return makeSpeakable(in, options);
}

// Checks the new text and what each word ref covers, showing input and output on failure.
void expectSpeakable(const Utterance& in, const Utterance& out, const std::string& text,
                     const Words& spoken) {
  EXPECT_EQ(out.text, text) << "input: " << describe(in) << "\noutput: " << describe(out);
  EXPECT_EQ(spokenWords(out), spoken) << "input: " << describe(in) << "\noutput: " << describe(out);
  ASSERT_EQ(out.words.size(), in.words.size()) << describe(in);
  for (std::size_t i = 0; i < in.words.size(); ++i) {
    EXPECT_EQ(out.words[i].block, in.words[i].block) << "word " << i << " of " << describe(in);
    EXPECT_EQ(out.words[i].line, in.words[i].line) << "word " << i << " of " << describe(in);
    EXPECT_EQ(out.words[i].word, in.words[i].word) << "word " << i << " of " << describe(in);
  }
}

TEST(Speakable, RemovesReplacementCharactersControlsAndZeroWidth) {
  const Utterance in = makeUtterance(Words{"Bon\xEF\xBF\xBDjour", "le\x01",
                                           "mon\xE2\x80\x8B"
                                           "de",
                                           "\xEF\xBB\xBFici",
                                           "a\x7F"
                                           "b"});
  expectSpeakable(in, speak(in), "Bonjour le monde ici ab",
                  {"Bonjour", "le", "monde", "ici", "ab"});
}

TEST(Speakable, TerminalEscapeSequencesAreNotSaid) {
  // `liseur say "$(ls --color)"` or a terminal captured with its colours: "\x1b[0m" was said
  // "[0 mètre" (espeak-ng reads the printable rest), and "ouvrez le crochet" with every mark.
  const Utterance in =
      makeUtterance(Words{"\x1b[01;34mcours\x1b[0m", "notes\x1b]0;titre\x07", "\x1b[38;5;208mfin"});
  for (PunctuationLevel level : {PunctuationLevel::kSome, PunctuationLevel::kAll})
    expectSpeakable(in, speak(in, level), "cours notes fin", {"cours", "notes", "fin"});
}

TEST(Speakable, RemovesInvalidUtf8Bytes) {
  const Utterance in = makeUtterance(Words{"caf\xC3",
                                           "th\xFF\xFE"
                                           "e",
                                           "ok"});
  expectSpeakable(in, speak(in), "caf the ok", {"caf", "the", "ok"});
}

TEST(Speakable, TabsAndCarriageReturnsBecomeSpaces) {
  Utterance in;
  in.text = "un\tdeux\r\ntrois";
  in.words = {WordRef{0, 2, 0, 0, 0}, WordRef{3, 4, 0, 0, 1}, WordRef{9, 5, 0, 1, 0}};
  expectSpeakable(in, speak(in), "un deux trois", {"un", "deux", "trois"});
}

TEST(Speakable, ExpandsLigaturesButKeepsOe) {
  const Utterance in = makeUtterance(Words{"\xEF\xAC\x81n",
                                           "\xEF\xAC\x82"
                                           "eur",
                                           "e\xEF\xAC\x80"
                                           "et",
                                           "\xEF\xAC\x83"
                                           "cace",
                                           "sou\xEF\xAC\x84"
                                           "\xC3\xA9",
                                           "c\xC5\x93ur", "\xEF\xAC\x86op"});
  expectSpeakable(in, speak(in), "fin fleur effet fficace souffl\xC3\xA9 c\xC5\x93ur stop",
                  {"fin", "fleur", "effet", "fficace", "souffl\xC3\xA9", "c\xC5\x93ur", "stop"});
}

TEST(Speakable, JoinsLineEndHyphenationFromTheDocumentLines) {
  const Utterance in = makeUtterance({W{"un", 0}, W{"exem-", 0}, W{"ple", 1}, W{"suivant", 1}});
  expectSpeakable(in, speak(in), "un exemple suivant", {"un", "exemple", "exemple", "suivant"});
}

TEST(Speakable, HyphenationKeepsTheHyphenBeforeACapitalOrAParticle) {
  const Utterance a = makeUtterance({W{"Jean-", 0}, W{"Pierre", 1}, W{"vient", 1}});
  expectSpeakable(a, speak(a), "Jean-Pierre vient", {"Jean-Pierre", "Jean-Pierre", "vient"});
  const Utterance b = makeUtterance({W{"peut-", 0}, W{"\xC3\xAAtre", 1}});
  expectSpeakable(b, speak(b), "peut-\xC3\xAAtre", {"peut-\xC3\xAAtre", "peut-\xC3\xAAtre"});
  const Utterance c = makeUtterance({W{"dit-", 3}, W{"il.", 4}});
  expectSpeakable(c, speak(c), "dit-il.", {"dit-il.", "dit-il."});
}

TEST(Speakable, HyphenOnTheSameLineIsNotJoined) {
  const Utterance in =
      makeUtterance({W{"pr\xC3\xA9-", 0}, W{"et", 0}, W{"postop\xC3\xA9ratoire", 0}});
  expectSpeakable(in, speak(in), "pr\xC3\xA9- et postop\xC3\xA9ratoire",
                  {"pr\xC3\xA9-", "et", "postop\xC3\xA9ratoire"});
}

TEST(Speakable, JoinsHyphenationLeftInTheText) {
  Utterance in;
  in.text = "une exem-\nple bon";
  in.words = {WordRef{0, 3, 0, 0, 0}, WordRef{4, 5, 0, 0, 1}, WordRef{10, 3, 0, 0, 2},
              WordRef{14, 3, 0, 0, 3}};
  expectSpeakable(in, speak(in), "une exemple bon", {"une", "exemple", "exemple", "bon"});
}

TEST(Speakable, SoftHyphenIsRemovedOrJoinsAcrossALine) {
  const Utterance a = makeUtterance(Words{"exem\xC2\xADple", "bon"});
  expectSpeakable(a, speak(a), "exemple bon", {"exemple", "bon"});
  const Utterance b = makeUtterance({W{"exem\xC2\xAD", 0}, W{"ple", 1}});
  expectSpeakable(b, speak(b), "exemple", {"exemple", "exemple"});
}

TEST(Speakable, DropsBulletsBoxDrawingAndBorders) {
  const Utterance in = makeUtterance(Words{"\xE2\x80\xA2", "Lire",
                                           "\xE2\x96\xAA\xC3\x89"
                                           "crire",
                                           "\xE2\x94\x82", "texte|", "|", "\xEF\x82\xB7", "fin",
                                           "\xE2\x94\x80\xE2\x94\x80\xE2\x94\x80"});
  expectSpeakable(in, speak(in),
                  "Lire \xC3\x89"
                  "crire texte fin",
                  {"", "Lire",
                   "\xC3\x89"
                   "crire",
                   "", "texte", "", "", "fin", ""});
}

TEST(Speakable, DropsListDashesAtLineStartOnly) {
  Utterance in;
  in.text =
      "- Lire\n* \xC3\xA9"
      "crire 3 - 2";
  in.words = {WordRef{0, 1},  WordRef{2, 4},  WordRef{7, 1}, WordRef{9, 7},
              WordRef{17, 1}, WordRef{19, 1}, WordRef{21, 1}};
  expectSpeakable(in, speak(in),
                  "Lire \xC3\xA9"
                  "crire 3 - 2",
                  {"", "Lire", "",
                   "\xC3\xA9"
                   "crire",
                   "3", "-", "2"});
}

TEST(Speakable, DotLeadersBecomeAPause) {
  const Utterance a = makeUtterance(Words{"Chapitre", "1", "........", "5"});
  expectSpeakable(a, speak(a), "Chapitre 1, 5", {"Chapitre", "1", ",", "5"});
  const Utterance b = makeUtterance(Words{"Introduction.........12"});
  expectSpeakable(b, speak(b), "Introduction, 12", {"Introduction, 12"});
  Utterance c;
  c.text = "Bilan . . . . 7";
  c.words = {WordRef{0, 5}, WordRef{14, 1}};
  expectSpeakable(c, speak(c), "Bilan, 7", {"Bilan", "7"});
  const Utterance d = makeUtterance(Words{"Le", "chat", "_____", "sur", "le", "mur."});
  expectSpeakable(d, speak(d), "Le chat, sur le mur.", {"Le", "chat", ",", "sur", "le", "mur."});
}

TEST(Speakable, NormalisesQuotesDashesEllipsisAndSpaces) {
  const Utterance in =
      makeUtterance(Words{"l\xE2\x80\x99\xC3\xA9"
                          "cole",
                          "\xE2\x80\x9Coui\xE2\x80\x9D",
                          "\xE2\x88\x92"
                          "5",
                          "Attends...", "\xC2\xAB\xC2\xA0non\xC2\xA0\xC2\xBB",
                          "1914\xE2\x80\x92"
                          "1918"});
  expectSpeakable(in, speak(in),
                  "l'\xC3\xA9"
                  "cole \"oui\" -5 Attends\xE2\x80\xA6 \xC2\xAB non \xC2\xBB "
                  "1914\xE2\x80\x93"
                  "1918",
                  {"l'\xC3\xA9"
                   "cole",
                   "\"oui\"", "-5", "Attends\xE2\x80\xA6", "\xC2\xAB non \xC2\xBB",
                   "1914\xE2\x80\x93"
                   "1918"});
}

TEST(Speakable, CollapsesWhiteSpaceAndKeepsParagraphBreaks) {
  Utterance in;
  in.text = "  Un   deux ,\n\n trois  ";
  in.words = {WordRef{2, 2}, WordRef{7, 4}, WordRef{12, 1}, WordRef{16, 5}};
  expectSpeakable(in, speak(in), "Un deux,\n\ntrois", {"Un", "deux", ",", "trois"});
}

TEST(Speakable, PunctuationNoneDropsNamedSymbolsOutsideWordsAndSums) {
  const Utterance in =
      makeUtterance(Words{"a", "*", "b", "2", "+", "3", "rock&roll", "note*", "#tag", "a@b.fr"});
  expectSpeakable(in, speak(in, PunctuationLevel::kNone), "a b 2 + 3 rock&roll note tag a@b.fr",
                  {"a", "", "b", "2", "+", "3", "rock&roll", "note", "tag", "a@b.fr"});
}

TEST(Speakable, PunctuationSomeLeavesEspeakToChoose) {
  const Utterance in = makeUtterance(Words{"a", "*", "b,", "c."});
  expectSpeakable(in, speak(in, PunctuationLevel::kSome), "a * b, c.", {"a", "*", "b,", "c."});
}

TEST(Speakable, PunctuationAllNamesMarksInTheUtteranceLanguage) {
  const Utterance fr = makeUtterance(Words{"Bonjour,",
                                           "l'\xC3\xA9"
                                           "l\xC3\xA8ve",
                                           "a", "3,5", "ans", "(ou", "-2)."});
  expectSpeakable(fr, speak(fr, PunctuationLevel::kAll),
                  "Bonjour virgule, l'\xC3\xA9l\xC3\xA8ve a 3,5 ans ouvrez la parenth\xC3\xA8se ou "
                  "-2 fermez la parenth\xC3\xA8se point.",
                  {"Bonjour virgule,", "l'\xC3\xA9l\xC3\xA8ve", "a", "3,5", "ans",
                   "ouvrez la parenth\xC3\xA8se ou", "-2 fermez la parenth\xC3\xA8se point."});
  const Utterance en = makeUtterance(Words{"Hello,", "world!"}, "en");
  expectSpeakable(en, speak(en, PunctuationLevel::kAll), "Hello comma, world exclamation mark!",
                  {"Hello comma,", "world exclamation mark!"});
}

TEST(Speakable, PunctuationLanguageFromOptionsOverridesTheUtterance) {
  const Utterance in = makeUtterance(Words{"Oui."}, "en");
  SpeakOptions options;
  options.punctuation = PunctuationLevel::kAll;
  options.lang = "fr";
  const Utterance out = makeSpeakable(in, options);
  EXPECT_EQ(out.text, "Oui point.") << describe(out);
}

TEST(Speakable, AppliesTheLexiconWithWordRefsOnTheExpansion) {
  auto lex = Lexicon::parse(
      "M. = Monsieur\nn\xC2\xB0 = num\xC3\xA9ro [nocase]\nkm/h = kilom\xC3\xA8tres par heure "
      "[after-number]\n",
      "test.txt");
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  const Utterance in = makeUtterance(Words{"M.", "Dupont", "roule", "\xC3\xA0", "50km/h", "au",
                                           "N\xC2\xB0"
                                           "5"});
  expectSpeakable(
      in, speak(in, PunctuationLevel::kSome, &*lex),
      "Monsieur Dupont roule \xC3\xA0 50 kilom\xC3\xA8tres par heure au num\xC3\xA9ro 5",
      {"Monsieur", "Dupont", "roule", "\xC3\xA0", "50 kilom\xC3\xA8tres par heure", "au",
       "num\xC3\xA9ro 5"});
}

TEST(Speakable, WordRefsStayRightThroughEveryPassTogether) {
  auto lex = Lexicon::parse("Mme = Madame\n% = pour cent\n", "test.txt");
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  const Utterance in = makeUtterance({W{"\xE2\x80\xA2", 0}, W{"Mme", 0}, W{"Le\xEF\xAC\x80vre", 0},
                                      W{"a", 0}, W{"r\xC3\xA9us-", 0}, W{"si", 1},
                                      W{"\xE2\x80\x9C"
                                        "50%\xE2\x80\x9D",
                                        1},
                                      W{"|", 1}, W{"........", 1}, W{"12", 1}});
  const Utterance out = speak(in, PunctuationLevel::kSome, &*lex);
  expectSpeakable(in, out, "Madame Leffvre a r\xC3\xA9ussi \"50 pour cent\", 12",
                  {"", "Madame", "Leffvre", "a", "r\xC3\xA9ussi", "r\xC3\xA9ussi",
                   "\"50 pour cent\"", "", ",", "12"});
}

TEST(Speakable, EmptyAndWhiteSpaceOnlyUtterances) {
  Utterance in;
  in.text = " \xE2\x80\xA2  ";
  in.words = {WordRef{1, 3}};
  const Utterance out = speak(in);
  EXPECT_EQ(out.text, "") << describe(out);
  ASSERT_EQ(out.words.size(), 1u);
  EXPECT_EQ(out.words[0].length, 0) << describe(out);
  EXPECT_EQ(speak(Utterance{}).text, "");
}

TEST(Doubtful, WordsBelowTheThresholdByIndex) {
  const Utterance in = makeUtterance(Words{"\xE2\x80\xA2", "Bonjour", "mnde", "ici"});
  const Utterance out = speak(in);
  const std::vector<float> confidences = {10, 95, 40, 60};
  EXPECT_EQ(doubtfulWords(out, confidences, 60), (std::vector<int>{2}))
      << "the bullet (confidence 10) is not spoken, so not doubtful; " << describe(out);
  EXPECT_EQ(doubtfulWords(out, confidences, 61), (std::vector<int>{2, 3})) << describe(out);
  EXPECT_EQ(doubtfulWords(out, std::vector<float>{10, 95}, 60), (std::vector<int>{}))
      << "missing confidences count as sure";
}

TEST(Doubtful, ConfidencesFromTheDocument) {
  Document doc;
  Block block;
  block.index = 0;
  Line line;
  for (auto [text, conf] : {std::pair{"un", 90.f}, {"deux", 30.f}, {"trois", 70.f}})
    line.words.push_back(Word{text, {}, conf, "fr"});
  block.lines.push_back(line);
  doc.blocks.push_back(block);
  Utterance u = defaultUtterances(doc.blocks[0]).at(0);
  u.words.push_back(WordRef{0, 2, -1, -1, -1});  // synthetic: sure
  EXPECT_EQ(doubtfulWords(u, doc, 75), (std::vector<int>{1, 2})) << describe(u);
}

}  // namespace
}  // namespace liseur::speech
