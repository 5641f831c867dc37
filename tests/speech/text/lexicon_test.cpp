// Lexicon files: format, errors with line numbers, matching rules, the user's override, and what
// the shipped French and English lexicons make of the abbreviations they exist for.
#include "speech/text/lexicon.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/paths.h"
#include "speech/text/speakable.h"
#include "speech/text/utterance_builder.h"
#include "support/test_env.h"

namespace liseur::speech {
namespace {

using test::describe;

std::string shippedVoices() {
  return std::string(LISEUR_SOURCE_DIR) + "/voices";
}

Lexicon parseOk(const std::string& text) {
  auto lex = Lexicon::parse(text, "lex.txt");
  EXPECT_TRUE(lex.ok()) << "lexicon:\n" << text << "\nerror: " << lex.error().message;
  return lex.ok() ? *lex : Lexicon{};
}

// The text `lexicon` makes of `text` (one utterance, no other change than white space).
std::string expand(const Lexicon& lexicon, const std::string& text, const std::string& lang) {
  Utterance u;
  u.text = text;
  u.lang = lang;
  SpeakOptions options;
  options.lexicon = &lexicon;
  return makeSpeakable(u, options).text;
}

TEST(LexiconFile, ParsesEntriesCommentsFlagsAndBlankLines) {
  const Lexicon lex = parseOk(
      "# comment\n\n   # indented comment\nMme = Madame\r\netc. = et cetera   [nocase]\n"
      "= = \xC3\xA9gal\nkm = kilom\xC3\xA8tres [after-number]\nNo. = number [ before-number , "
      "nocase ]\n");
  ASSERT_EQ(lex.entries().size(), 5u);
  // Longest first.
  EXPECT_EQ(lex.entries()[0].from, "etc.");
  EXPECT_TRUE(lex.entries()[0].ignore_case);
  EXPECT_EQ(lex.entries()[0].to, "et cetera");
  EXPECT_EQ(lex.entries()[0].line, 5);
  bool sawEquals = false;
  for (const LexiconEntry& e : lex.entries()) {
    if (e.from == "=") {
      sawEquals = true;
      EXPECT_EQ(e.to, "\xC3\xA9gal");
    }
    if (e.from == "km") {
      EXPECT_TRUE(e.after_number);
    }
    if (e.from == "No.") {
      EXPECT_TRUE(e.before_number && e.ignore_case);
    }
    if (e.from == "Mme") {
      EXPECT_EQ(e.to, "Madame") << "the \\r of a CRLF line is not part of TO";
    }
  }
  EXPECT_TRUE(sawEquals);
}

struct BadLexicon {
  std::string text;
  const char* expected;  // a part of the message
};

TEST(LexiconFile, ErrorsNameTheFileTheLineAndTheText) {
  const BadLexicon cases[] = {
      {"# ok\nMme Madame\n", "lex.txt:2: expected an entry 'FROM = TO'"},
      {"Mme=Madame\n", "lex.txt:1: expected an entry 'FROM = TO' (with spaces around '=')"},
      {"a = b\n\nMme = \n", "lex.txt:3: expected an entry"},
      {"a = b\nMme =  [nocase]\n", "lex.txt:2: empty TO after '=' for 'Mme'"},
      {"x = y [loud]\n", "lex.txt:1: unknown flag 'loud'"},
      {"x = y ]\n", "lex.txt:1: ']' at the end without '['"},
      {"a = b\nM. = Monsieur\nc = d\nM. = Messieurs\n",
       "lex.txt:4: 'M.' is already defined on line 2; found 'M. = Messieurs'"},
      {"etc. = et cetera [nocase]\nETC. = etc [nocase]\n",
       "lex.txt:2: 'ETC.' is already defined on line 1"},
      {"ok = fine\nbad\xFF = x\n", "lex.txt:2: the line is not valid UTF-8"},
      {std::string(65, 'a') + " = x\n", "lex.txt:1: FROM is longer than 64 bytes"},
  };
  for (const BadLexicon& c : cases) {
    auto lex = Lexicon::parse(c.text, "lex.txt");
    ASSERT_FALSE(lex.ok()) << "lexicon accepted:\n" << c.text;
    EXPECT_EQ(lex.error().code, ErrorCode::kConfigInvalid) << c.text;
    EXPECT_NE(lex.error().message.find(c.expected), std::string::npos)
        << "lexicon:\n"
        << c.text << "\nmessage: " << lex.error().message
        << "\nexpected to contain: " << c.expected;
  }
}

TEST(LexiconFile, SameFromWithDifferentCaseModesIsAllowed) {
  const Lexicon lex = parseOk("No. = number [before-number]\nNo. = no [nocase]\n");
  EXPECT_EQ(lex.entries().size(), 2u);
}

TEST(LexiconFile, LoadErrorsNameThePath) {
  test::TempXdg xdg;
  auto missing = Lexicon::load(xdg.path("nope.txt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kFileNotFound) << missing.error().message;
  EXPECT_NE(missing.error().message.find(xdg.path("nope.txt")), std::string::npos)
      << missing.error().message;
  auto dir = Lexicon::load(xdg.root());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, ErrorCode::kNotRegularFile) << dir.error().message;
  test::writeFile(xdg.path("big.txt"), std::string(2 << 20, '#'));
  auto big = Lexicon::load(xdg.path("big.txt"));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kFileTooLarge) << big.error().message;
  test::writeFile(xdg.path("bad.txt"), "a = b\nc d\n");
  auto bad = Lexicon::load(xdg.path("bad.txt"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(xdg.path("bad.txt") + ":2:"), std::string::npos)
      << bad.error().message;
}

struct Expansion {
  const char* text;
  const char* spoken;
};

void expectExpansions(const Lexicon& lex, const std::string& lang,
                      std::initializer_list<Expansion> cases) {
  for (const Expansion& c : cases)
    EXPECT_EQ(expand(lex, c.text, lang), c.spoken) << "lang " << lang << ", input: " << c.text;
}

TEST(LexiconMatch, WholeWordsCaseAndNumbers) {
  const Lexicon lex = parseOk(
      "Mme = Madame\nM. = Monsieur\nMM. = Messieurs\netc. = et cetera [nocase]\n"
      "km = kilom\xC3\xA8tres [after-number]\nh = heures [after-number]\n"
      "p. = page [before-number]\nex = exercice [before-number]\n% = pour cent\n"
      "n\xC2\xB0 = num\xC3\xA9ro\nl = litres [after-number]\n");
  expectExpansions(lex, "fr",
                   {
                       {"Mme Durand", "Madame Durand"},
                       {"Mmes Durand", "Mmes Durand"},  // not inside a longer word
                       {"Mme.", "Madame."},
                       {"mme Durand", "mme Durand"},  // exact case without nocase
                       {"M. Dupont et MM. Durand", "Monsieur Dupont et Messieurs Durand"},
                       {"M.Dupont", "M.Dupont"},  // a letter right after "M."
                       {"des fruits, etc", "des fruits, etc"},
                       {"Etc. et ETC. ici", "et cetera et et cetera ici"},
                       {"des fruits, etc.", "des fruits, et cetera."},  // the sentence still ends
                       {"5 km et 5km", "5 kilom\xC3\xA8tres et 5 kilom\xC3\xA8tres"},
                       {"le km", "le km"},  // after-number: only after a number
                       {"10h30", "10 heures 30"},
                       {"p. 12 et p.3", "page 12 et page 3"},
                       {"la p. suivante", "la p. suivante"},  // before-number: only before a number
                       {"ex 3 et mon ex", "exercice 3 et mon ex"},
                       {"50% et 50 %", "50 pour cent et 50 pour cent"},
                       {"le n\xC2\xB0"
                        "5",
                        "le num\xC3\xA9ro 5"},
                       {"les 3 l'ont vu", "les 3 l'ont vu"},  // an apostrophe continues the word
                       {"3 l d'eau", "3 litres d'eau"},
                   });
}

TEST(LexiconMatch, LongestEntryWins) {
  const Lexicon lex = parseOk(
      "km = kilom\xC3\xA8tres [after-number]\nkm/h = kilom\xC3\xA8tres "
      "par heure [after-number]\n");
  EXPECT_EQ(expand(lex, "90 km/h", "fr"), "90 kilom\xC3\xA8tres par heure");
}

TEST(LexiconUser, UserFileOverridesAndExtendsTheShippedOne) {
  test::TempXdg xdg;
  std::filesystem::create_directories(xdg.path("shipped"));
  std::filesystem::create_directories(xdg.path("config/liseur"));
  test::writeFile(xdg.path("shipped/lexicon-fr.txt"), "Mme = Madame\ncf. = voir [nocase]\n");
  test::writeFile(xdg.path("config/liseur/lexicon-fr.txt"),
                  "# mine\ncf. = confer [nocase]\nLiseur = li zeur\n");
  auto lex = loadLexiconForLanguage("fr", xdg.path("shipped"), xdg.path("config/liseur"));
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  EXPECT_EQ(expand(*lex, "Cf. Mme Liseur", "fr"), "confer Madame li zeur");
  EXPECT_EQ(lex->entries().size(), 3u);

  // The default directories: $XDG_CONFIG_HOME/liseur for the user.
  auto fromXdg = loadLexiconForLanguage("fr", xdg.path("shipped"), userConfigDir());
  ASSERT_TRUE(fromXdg.ok()) << fromXdg.error().message;
  EXPECT_EQ(expand(*fromXdg, "cf.", "fr"), "confer.");

  // A broken user file is an error naming it (the daemon keeps its previous lexicon).
  test::writeFile(xdg.path("config/liseur/lexicon-fr.txt"), "cf. = voir\noops\n");
  auto broken = loadLexiconForLanguage("fr", xdg.path("shipped"), xdg.path("config/liseur"));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("config/liseur/lexicon-fr.txt:2:"), std::string::npos)
      << broken.error().message;

  // No file at all: an empty lexicon.
  auto none = loadLexiconForLanguage("de", xdg.path("shipped"), xdg.path("config/liseur"));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

TEST(LexiconUser, LanguageNamesCannotLeaveTheDirectory) {
  auto lex = loadLexiconForLanguage("../../etc/passwd", shippedVoices(), "");
  ASSERT_FALSE(lex.ok());
  EXPECT_EQ(lex.error().code, ErrorCode::kInvalidArgument) << lex.error().message;
}

TEST(ShippedLexicon, FrenchAbbreviationsUnitsAndSchoolWords) {
  auto lex = loadLexiconForLanguage("fr", shippedVoices(), "");
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  expectExpansions(
      *lex, "fr",
      {
          {"M. Dupont", "Monsieur Dupont"},
          {"Mme Durand et Mlle Petit", "Madame Durand et Mademoiselle Petit"},
          {"le n\xC2\xB0 5", "le num\xC3\xA9ro 5"},
          {"ex. une pomme", "exemple une pomme"},
          {"Ex. une pomme", "exemple une pomme"},
          {"voir p. 12", "voir page 12"},
          {"cf. le texte", "voir le texte"},
          {"Cf. le texte", "voir le texte"},
          {"des fruits, etc. et", "des fruits, et cetera et"},
          {"env. 3 km", "environ 3 km"},
          {"90 km/h", "90 kilom\xC3\xA8tres par heure"},
          {"20\xC2\xB0"
           "C",
           "20 degr\xC3\xA9s Celsius"},
          {"50%", "50 pour cent"},
          {"5\xE2\x82\xAC", "5 euros"},
          {"10 m\xC2\xB2", "10 m\xC3\xA8tres carr\xC3\xA9s"},
          {"en CM2 et en CE1", "en C M 2 et en C E 1"},
          {"la 6e B", "la sixi\xC3\xA8me B"},
          {"le 1er mai", "le premier mai"},
          {"en 2nde", "en seconde"},
          {"un exo", "un exercice"},
          {"Ex 3", "Exercice 3"},
          {"mon ex", "mon ex"},
          {"10h30", "10 heures 30"},
          {"en 52 av. J.-C.", "en 52 avant J\xC3\xA9sus-Christ."},  // FROM with a space
          {"mon ex-mari", "mon ex-mari"},
      });
}

TEST(ShippedLexicon, EnglishAbbreviationsAndUnits) {
  auto lex = loadLexiconForLanguage("en", shippedVoices(), "");
  ASSERT_TRUE(lex.ok()) << lex.error().message;
  expectExpansions(*lex, "en",
                   {
                       {"Mr. Smith", "Mister Smith"},
                       {"Mrs. Smith", "Missus Smith"},
                       {"Dr. Who", "Doctor Who"},
                       {"fruit, e.g. apples", "fruit, for example apples"},
                       {"i.e. this", "that is this"},
                       {"apples, etc.", "apples, et cetera."},
                       {"No. 5", "number 5"},
                       {"No. I won't", "No. I won't"},
                       {"5 ft", "5 feet"},
                       {"30 mph", "30 miles per hour"},
                       {"20\xC2\xB0"
                        "C",
                        "20 degrees Celsius"},
                       {"50%", "50 percent"},
                   });
}

}  // namespace
}  // namespace liseur::speech
