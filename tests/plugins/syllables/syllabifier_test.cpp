// Unit tests of the French written-syllable splitter (plugins/dys/syllabifier.h).
//
// Words come from the convention's examples in ../shared/dys/README.md, from its CC0 `handcheck`
// list, or are everyday words chosen here; no other entry of the CC BY-NC-SA dev list is copied
// (SyllablesDevList reads that list at run time).
#include "syllabifier.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/test_env.h"

namespace liseur::dys {
// Readable failure messages: {offset, length, silent}.
void PrintTo(const Syllable& s, std::ostream* os) {
  *os << "{offset " << s.offset << ", length " << s.length << ", silent " << s.silentLength << "}";
}
}  // namespace liseur::dys

namespace {

using liseur::dys::hyphenated;
using liseur::dys::isMuteVerbEnding;
using liseur::dys::syllabify;
using liseur::dys::syllabifyText;
using liseur::dys::Syllable;
using liseur::dys::syllablesLine;

using Cases = std::vector<std::pair<const char*, const char*>>;

void expectSyllables(const Cases& cases) {
  for (const auto& [word, want] : cases) EXPECT_EQ(hyphenated(word), want) << "word: " << word;
}

// The syllables and their silent tails written as "syl|la|bl(es)": silent bytes in brackets.
std::string marked(const std::string& word) {
  std::string out;
  std::size_t pos = 0;
  for (const Syllable& s : syllabify(word)) {
    if (!out.empty() && s.offset == pos) out += '|';
    out += word.substr(pos, s.offset - pos);
    const std::size_t sounded = s.length - s.silentLength;
    out += word.substr(s.offset, sounded);
    if (s.silentLength) out += "(" + word.substr(s.offset + sounded, s.silentLength) + ")";
    pos = s.offset + s.length;
  }
  return out + word.substr(pos);
}

TEST(Syllabifier, FinalMuteEAfterConsonantIsAWrittenSyllable) {
  expectSyllables({{"arbre", "ar-bre"},
                   {"table", "ta-ble"},
                   {"rouge", "rou-ge"},
                   {"lunettes", "lu-net-tes"},
                   {"chantent", "chan-tent"},
                   {"mangent", "man-gent"},
                   {"lisent", "li-sent"},
                   {"écrivent", "é-cri-vent"},
                   {"grandissent", "gran-dis-sent"}});
}

TEST(Syllabifier, FinalMuteEAfterVowelJoinsTheVowel) {
  expectSyllables({{"pluie", "pluie"},
                   {"dictée", "dic-tée"},
                   {"joie", "joie"},
                   {"vues", "vues"},
                   {"jouent", "jouent"},
                   {"avaient", "a-vaient"},
                   {"tueront", "tue-ront"},
                   {"dévouement", "dé-voue-ment"}});
}

TEST(Syllabifier, DoubleConsonantsAreSplit) {
  expectSyllables({{"pomme", "pom-me"},
                   {"ballon", "bal-lon"},
                   {"attendre", "at-ten-dre"},
                   {"coccinelle", "coc-ci-nel-le"},
                   {"personne", "per-son-ne"},
                   {"princesse", "prin-ces-se"},
                   {"colle", "col-le"},
                   {"anniversaire", "an-ni-ver-sai-re"}});
}

TEST(Syllabifier, QuAndGuBeforeAVowelAreOneConsonant) {
  expectSyllables({{"requin", "re-quin"},
                   {"quatre", "qua-tre"},
                   {"musique", "mu-si-que"},
                   {"équipe", "é-qui-pe"},
                   {"quille", "quil-le"},
                   {"guitare", "gui-ta-re"},
                   {"drogue", "dro-gue"},
                   {"baguette", "ba-guet-te"},
                   {"figue", "fi-gue"}});
}

TEST(Syllabifier, GuBeforeAConsonantKeepsItsVowel) {
  expectSyllables({{"triangulaire", "tri-an-gu-lai-re"}, {"argument", "ar-gu-ment"}});
}

TEST(Syllabifier, GnIsOneConsonant) {
  expectSyllables({{"montagne", "mon-ta-gne"},
                   {"ligne", "li-gne"},
                   {"champignon", "cham-pi-gnon"},
                   {"agneau", "a-gneau"},
                   {"araignée", "a-rai-gnée"},
                   {"cygne", "cy-gne"},
                   {"peigne", "pei-gne"},
                   {"soigner", "soi-gner"}});
}

TEST(Syllabifier, IllSplitsTheDoubleLAndKeepsTheIWithItsVowel) {
  expectSyllables({{"abeille", "a-beil-le"},
                   {"médaille", "mé-dail-le"},
                   {"oreille", "o-reil-le"},
                   {"citrouille", "ci-trouil-le"},
                   {"grenouille", "gre-nouil-le"},
                   {"feuille", "feuil-le"},
                   {"caillou", "cail-lou"},
                   {"coquille", "co-quil-le"},
                   {"fille", "fil-le"},
                   {"mille", "mil-le"},
                   {"fenouil", "fe-nouil"},
                   {"accueil", "ac-cueil"}});
}

TEST(Syllabifier, NasalVowels) {
  expectSyllables({{"coin", "coin"},
                   {"besoin", "be-soin"},
                   {"témoin", "té-moin"},
                   {"loin", "loin"},
                   {"pain", "pain"},
                   {"enfant", "en-fant"},
                   {"bonbon", "bon-bon"},
                   {"humble", "hum-ble"},
                   {"rejoindre", "re-join-dre"},
                   // n/m before a vowel or doubled is not nasal.
                   {"baleine", "ba-lei-ne"},
                   {"banane", "ba-na-ne"},
                   {"inutile", "i-nu-ti-le"},
                   {"ennemi", "en-ne-mi"}});
}

TEST(Syllabifier, TionAndOtherYods) {
  expectSyllables({{"natation", "na-ta-tion"},
                   {"opération", "o-pé-ra-tion"},
                   {"attention", "at-ten-tion"},
                   {"soustraction", "sous-trac-tion"},
                   {"question", "ques-tion"},
                   {"chien", "chien"},
                   {"cahier", "ca-hier"},
                   {"rivière", "ri-viè-re"},
                   {"sorcière", "sor-ciè-re"},
                   {"chevalier", "che-va-lier"},
                   {"pierre", "pier-re"},
                   {"violon", "vio-lon"}});
}

TEST(Syllabifier, IPlusVowelAfterConsonantAndLOrRIsTwoSyllables) {
  expectSyllables({{"crier", "cri-er"},
                   {"ouvrier", "ou-vri-er"},
                   {"ouvrière", "ou-vri-è-re"},
                   {"priorité", "pri-o-ri-té"},
                   {"triangle", "tri-an-gle"},
                   {"oublier", "ou-bli-er"},
                   // ...but a mute e after it still joins: crie, crient, oubliera.
                   {"crie", "crie"},
                   {"crient", "crient"},
                   {"oubliera", "ou-blie-ra"}});
}

TEST(Syllabifier, HiatusIsSplit) {
  expectSyllables({{"poème", "po-è-me"},
                   {"géant", "gé-ant"},
                   {"réel", "ré-el"},
                   {"créole", "cré-o-le"},
                   {"réaliste", "ré-a-lis-te"},
                   {"réinsérer", "ré-in-sé-rer"},
                   {"archaïque", "ar-cha-ï-que"},
                   {"maïs", "ma-ïs"},
                   {"Noël", "No-ël"},
                   {"créée", "cré-ée"},
                   {"zoologie", "zo-o-lo-gie"}});
}

TEST(Syllabifier, UiAndGlides) {
  expectSyllables({{"pluie", "pluie"},
                   {"cuisine", "cui-si-ne"},
                   {"fruitier", "frui-tier"},
                   {"instruit", "ins-truit"},
                   {"oui", "oui"},
                   {"ouest", "ouest"},
                   {"nuage", "nua-ge"},
                   // u + vowel after consonant + l/r is two syllables.
                   {"truand", "tru-and"},
                   {"cruel", "cru-el"}});
}

TEST(Syllabifier, YBetweenVowelsStartsTheNextSyllable) {
  expectSyllables({{"crayon", "cra-yon"},
                   {"noyau", "no-yau"},
                   {"tuyau", "tu-yau"},
                   {"joyeux", "jo-yeux"},
                   {"employé", "em-plo-yé"},
                   {"payable", "pa-ya-ble"},
                   {"stylo", "sty-lo"},
                   {"cygne", "cy-gne"},
                   {"yoga", "yo-ga"}});
}

TEST(Syllabifier, ConsonantClustersGoWithTheNextVowel) {
  expectSyllables({{"tableau", "ta-bleau"},
                   {"citron", "ci-tron"},
                   {"livre", "li-vre"},
                   {"tigre", "ti-gre"},
                   {"règle", "rè-gle"},
                   {"chocolat", "cho-co-lat"},
                   {"éléphant", "é-lé-phant"},
                   {"téléphone", "té-lé-pho-ne"},
                   {"cochon", "co-chon"},
                   {"photo", "pho-to"},
                   {"athlète", "ath-lè-te"},
                   {"atlas", "at-las"}});
}

TEST(Syllabifier, TwoAndThreeConsonants) {
  expectSyllables({{"escargot", "es-car-got"},
                   {"lecture", "lec-tu-re"},
                   {"ordinateur", "or-di-na-teur"},
                   {"obstiné", "obs-ti-né"},
                   {"perspicace", "pers-pi-ca-ce"},
                   {"arctique", "arc-ti-que"},
                   {"monstre", "mons-tre"},
                   {"catastrophe", "ca-tas-tro-phe"},
                   {"inscription", "ins-crip-tion"},
                   {"abstrait", "abs-trait"},
                   {"sculpture", "sculp-tu-re"},
                   {"technique", "tech-ni-que"}});
}

TEST(Syllabifier, GeBeforeAOrOSoftensTheG) {
  expectSyllables({{"pigeon", "pi-geon"},
                   {"mangeant", "man-geant"},
                   {"mangeait", "man-geait"},
                   {"bourgeois", "bour-geois"}});
}

TEST(Syllabifier, HandcheckWords) {
  // The CC0 hand-checked school words of ../shared/dys (a sample; SyllablesDevList checks all of
  // them).
  expectSyllables({{"maison", "mai-son"},
                   {"cheval", "che-val"},
                   {"cheveu", "che-veu"},
                   {"ciseaux", "ci-seaux"},
                   {"confiture", "con-fi-tu-re"},
                   {"crocodile", "cro-co-di-le"},
                   {"fleur", "fleur"},
                   {"forêt", "fo-rêt"},
                   {"frère", "frè-re"},
                   {"girafe", "gi-ra-fe"},
                   {"hibou", "hi-bou"},
                   {"maîtresse", "maî-tres-se"},
                   {"mouton", "mou-ton"},
                   {"orange", "o-ran-ge"},
                   {"pirate", "pi-ra-te"},
                   {"renard", "re-nard"},
                   {"salade", "sa-la-de"},
                   {"samedi", "sa-me-di"},
                   {"semaine", "se-mai-ne"},
                   {"tomate", "to-ma-te"},
                   {"voiture", "voi-tu-re"},
                   {"village", "vil-la-ge"},
                   {"ours", "ours"},
                   {"loup", "loup"}});
}

TEST(Syllabifier, CaseAndAccentsAreKept) {
  expectSyllables({{"Chocolat", "Cho-co-lat"},
                   {"ÉLÉPHANT", "É-LÉ-PHANT"},
                   {"MontAgne", "Mon-tA-gne"},
                   {"ŒUVRE", "ŒU-VRE"}});
  // Decomposed accents (e + U+0301) are read like precomposed ones and stay as they were.
  const std::string decomposed = "e\xCC\x81le\xCC\x81phant";
  EXPECT_EQ(hyphenated(decomposed), "e\xCC\x81-le\xCC\x81-phant") << "word: " << decomposed;
}

TEST(Syllabifier, ApostrophesAndHyphens) {
  expectSyllables({{"l'arbre", "l'ar-bre"},
                   {"aujourd'hui", "au-jour-d'hui"},
                   {"jusqu'à", "jus-qu'à"},
                   {"qu'on", "qu'on"},
                   {"l’école", "l’é-co-le"},
                   {"peut-être", "peut-ê-tre"},
                   {"dit-elle", "dit-el-le"},
                   {"a-t-il", "a-t-il"},
                   {"porte-monnaie", "por-te-mon-naie"}});
}

TEST(Syllabifier, OffsetsAreBytesOfTheWord) {
  const std::string word = "élève";  // é and è are two bytes each
  const auto s = syllabify(word);
  ASSERT_EQ(s.size(), 3u) << "word: " << word;
  EXPECT_EQ(s[0], (Syllable{0, 2, 0})) << "word: " << word;  // é
  EXPECT_EQ(s[1], (Syllable{2, 3, 0})) << "word: " << word;  // lè
  EXPECT_EQ(s[2], (Syllable{5, 2, 0})) << "word: " << word;  // ve
  // The hyphen of a compound belongs to no syllable.
  const auto c = syllabify("peut-être");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].offset + c[0].length, 4u);
  EXPECT_EQ(c[1].offset, 5u);
}

TEST(Syllabifier, SilentLetters) {
  const Cases cases{{"enfants", "en|fan(ts)"}, {"chantent", "chan|te(nt)"},
                    {"moment", "mo|men(t)"},   {"souvent", "sou|ven(t)"},
                    {"table", "ta|ble"},       {"tables", "ta|ble(s)"},
                    {"jouent", "jou(ent)"},    {"tueront", "tu(e)|ron(t)"},
                    {"pluie", "plui(e)"},      {"chevaux", "che|vau(x)"},
                    {"grand", "gran(d)"},      {"loup", "lou(p)"},
                    {"blanc", "blan(c)"},      {"long", "lon(g)"},
                    {"mo-tifs", "mo-tif(s)"},  {"ours", "ours"},
                    {"parc", "parc"},          {"et", "e(t)"},
                    {"est", "e(st)"},          {"avaient", "a|vai(ent)"},
                    {"lisent", "li|se(nt)"},   {"dévouement", "dé|vou(e)|men(t)"}};
  for (const auto& [word, want] : cases) EXPECT_EQ(marked(word), want) << "word: " << word;
}

TEST(Syllabifier, MuteVerbEnding) {
  for (const char* w : {"chantent", "jouent", "avaient", "mangent", "portent", "impriment",
                        "étudient", "nettoient", "lisent", "viennent", "mènent", "cèdent"})
    EXPECT_TRUE(isMuteVerbEnding(w)) << "word: " << w;
  for (const char* w : {"moment", "souvent", "comment", "lent", "vent", "dent", "récent",
                        "précédent", "régent", "fréquent", "lentement", "évidemment", "adolescent",
                        "patient", "convient", "conscient", "table", ""})
    EXPECT_FALSE(isMuteVerbEnding(w)) << "word: " << w;
}

TEST(Syllabifier, EmptyAndLetterlessInput) {
  EXPECT_TRUE(syllabify("").empty());
  EXPECT_TRUE(syllabify("123 !").empty());
  EXPECT_EQ(hyphenated(""), "");
  EXPECT_EQ(hyphenated("brr"), "brr");  // no vowel: one syllable
  ASSERT_EQ(syllabify("brr").size(), 1u);
}

TEST(Syllabifier, InvalidUtf8NeverLeavesTheWord) {
  const std::vector<std::string> inputs{"\xC3",
                                        "ch\xFF"
                                        "at",
                                        "\xE2\x80",
                                        "a\xC3\x28"
                                        "b",
                                        std::string("po\0me", 5),
                                        "\xCC\x81"
                                        "e",
                                        "''--''"};
  for (const std::string& in : inputs) {
    std::size_t end = 0;
    for (const Syllable& s : syllabify(in)) {
      EXPECT_GE(s.offset, end) << "input bytes: " << in.size();
      EXPECT_LE(s.offset + s.length, in.size());
      EXPECT_LE(s.silentLength, s.length);
      end = s.offset + s.length;
    }
  }
}

// Random mixes of French letters, joiners, punctuation and broken UTF-8: the byte ranges must
// always stay ordered, inside the input, and the text tokens must rebuild the input.
TEST(Syllabifier, RandomInputKeepsInvariants) {
  const std::vector<std::string> pieces{
      "a",  "e",  "i",  "o",    "u",    "y",    "é",   "è",   "ï", "œ", "E\xCC\x81", "b", "c",
      "gn", "qu", "ll", "n",    "m",    "r",    "s",   "t",   "x", "h", "'",         "’", "-",
      " ",  ",",  "«",  "\xC3", "\xFF", "\x80", "ent", "ill", "ç", "É", "1"};
  std::uint32_t state = 12345;
  auto next = [&]() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (int iter = 0; iter < 3000; ++iter) {
    std::string in;
    const std::size_t n = next() % 14;
    for (std::size_t k = 0; k < n; ++k) in += pieces[next() % pieces.size()];
    std::size_t end = 0;
    for (const Syllable& s : syllabify(in)) {
      ASSERT_GE(s.offset, end) << "input: " << in;
      ASSERT_GT(s.length, 0u) << "input: " << in;
      ASSERT_LE(s.offset + s.length, in.size()) << "input: " << in;
      ASSERT_LE(s.silentLength, s.length) << "input: " << in;
      end = s.offset + s.length;
    }
    std::string rebuilt;
    for (const auto& t : syllabifyText(in)) {
      ASSERT_EQ(t.offset, rebuilt.size()) << "input: " << in;
      rebuilt += in.substr(t.offset, t.length);
      for (const Syllable& s : t.syllables) {
        ASSERT_GE(s.offset, t.offset) << "input: " << in;
        ASSERT_LE(s.offset + s.length, t.offset + t.length) << "input: " << in;
      }
    }
    ASSERT_EQ(rebuilt, in);
  }
}

TEST(SyllabifyText, KeepsEveryByteAndMarksWords) {
  const std::string text = "« Hé ! bonjour, l’arbre » — peut-être 3 'oui'.";
  const auto tokens = syllabifyText(text);
  std::string rebuilt;
  std::vector<std::string> words;
  for (const auto& t : tokens) {
    rebuilt += text.substr(t.offset, t.length);
    if (t.isWord) {
      std::string h;
      std::size_t pos = t.offset;
      for (const Syllable& s : t.syllables) {
        if (s.offset == pos && !h.empty()) h += '-';
        h += text.substr(pos, s.offset + s.length - pos);
        pos = s.offset + s.length;
      }
      words.push_back(h);
    }
  }
  EXPECT_EQ(rebuilt, text);
  const std::vector<std::string> want{"Hé", "bon-jour", "l’ar-bre", "peut-ê-tre", "oui"};
  EXPECT_EQ(words, want) << "text: " << text;
  for (std::size_t i = 1; i < tokens.size(); ++i)
    EXPECT_NE(tokens[i].isWord, tokens[i - 1].isWord) << "tokens alternate in: " << text;
}

TEST(SyllabifyText, EmptyText) {
  EXPECT_TRUE(syllabifyText("").empty());
}

TEST(SyllablesLine, FormatsOneWordPerLine) {
  EXPECT_EQ(syllablesLine("chocolat"), "chocolat\tcho-co-lat");
  EXPECT_EQ(syllablesLine("  arbre\r\n"), "arbre\tar-bre");
  EXPECT_EQ(syllablesLine(" \t "), "");
}

// The issue-7 target on the shared reference list, read at run time (it is CC BY-NC-SA test
// data and is never copied into the repository).
TEST(SyllablesDevList, ReachesTheIssueTarget) {
  const std::string dev = liseur::test::sharedPath("dys/syllables_dev.tsv");
  const std::string prov = liseur::test::sharedPath("dys/syllables_dev.provenance.tsv");
  if (dev.empty() || prov.empty()) GTEST_SKIP() << "../shared/dys not available";
  std::ifstream provIn(prov);
  std::vector<std::string> handcheck;
  std::string line;
  while (std::getline(provIn, line)) {
    std::istringstream f(line);
    std::string word, ref, source;
    std::getline(f, word, '\t');
    std::getline(f, ref, '\t');
    std::getline(f, source, '\t');
    if (source == "handcheck") handcheck.push_back(word + "\t" + ref);
  }
  ASSERT_GE(handcheck.size(), 100u);
  std::size_t handOk = 0;
  for (const std::string& entry : handcheck) {
    const auto tab = entry.find('\t');
    const std::string word = entry.substr(0, tab), ref = entry.substr(tab + 1);
    EXPECT_EQ(hyphenated(word), ref) << "handcheck word: " << word;
    handOk += hyphenated(word) == ref;
  }
  std::ifstream devIn(dev);
  std::size_t words = 0, exact = 0;
  std::string failures;
  while (std::getline(devIn, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string word = line.substr(0, tab), ref = line.substr(tab + 1);
    const std::string got = hyphenated(word);
    ++words;
    if (got == ref)
      ++exact;
    else
      failures += " " + word + "(got " + got + ", want " + ref + ")";
  }
  ASSERT_GT(words, 1000u);
  EXPECT_GE(100.0 * exact / words, 98.0)
      << exact << "/" << words << " exact; failures:" << failures;
  EXPECT_EQ(handOk, handcheck.size());
}

}  // namespace
