#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "config/config_parser.h"
#include "config_test_util.h"
#include "support/test_env.h"

namespace liseur::config {
namespace {

using test::dump;

ParsedLayer parse(const std::string& text, LayerKind kind = LayerKind::kUserMain) {
  return parseLayerText(text, "test.toml", kind);
}

TEST(ConfigParser, ReadsValuesWithTheirPositions) {
  const std::string text =
      "[speech]\n"
      "rate = 200\n"
      "  voice_fr = \"fr+f3\"\n"
      "[view]\n"
      "line_spacing = 2\n"
      "line_colours = [\"blue\", \"#ff0000\"]\n"
      "[plugins.options.dys]\n"
      "short_chunks = true\n"
      "max_words = 4\n";
  ParsedLayer layer = parse(text);
  ASSERT_TRUE(layer.diagnostics.empty()) << text << "\n" << dump(layer.diagnostics);
  EXPECT_EQ(std::get<std::int64_t>(layer.settings.at("speech.rate").value), 200);
  EXPECT_EQ(layer.settings.at("speech.rate").at.line, 2);
  EXPECT_EQ(layer.settings.at("speech.rate").at.column, 8);
  EXPECT_EQ(layer.settings.at("speech.voice_fr").at.line, 3);
  EXPECT_EQ(layer.settings.at("speech.voice_fr").at.column, 14);
  EXPECT_EQ(std::get<double>(layer.settings.at("view.line_spacing").value), 2.0)
      << "an integer is accepted for a double key";
  EXPECT_EQ(std::get<StringList>(layer.settings.at("view.line_colours").value),
            (StringList{"blue", "#ff0000"}));
  const auto& opts = std::get<nlohmann::json>(layer.settings.at("plugins.options.dys").value);
  EXPECT_EQ(opts, (nlohmann::json{{"short_chunks", true}, {"max_words", 4}})) << opts.dump();
}

TEST(ConfigParser, DottedKeysAndInlineTablesAreTheSameKeys) {
  ParsedLayer layer = parse("speech.rate = 190\nview = { syllables = true }\n");
  ASSERT_TRUE(layer.diagnostics.empty()) << dump(layer.diagnostics);
  EXPECT_EQ(std::get<std::int64_t>(layer.settings.at("speech.rate").value), 190);
  EXPECT_TRUE(std::get<bool>(layer.settings.at("view.syllables").value));
}

TEST(ConfigParser, MisspeltKeyNamesFileLineColumnAndSuggestion) {
  const std::string text = "[speech]\nrat = 200\n";
  ParsedLayer layer = parse(text);
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  const Diagnostic& d = layer.diagnostics[0];
  EXPECT_EQ(d.file, "test.toml");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 1);
  EXPECT_EQ(d.key, "speech.rat");
  EXPECT_EQ(d.message, "unknown key");
  EXPECT_EQ(d.expected, "a key of [speech] (see liseur config schema)");
  EXPECT_EQ(d.found, "speech.rat");
  EXPECT_EQ(d.suggestion, "speech.rate");
  EXPECT_EQ(d.toString(),
            "test.toml:2:1: error: speech.rat: unknown key; expected a key of [speech] (see "
            "liseur config schema), found speech.rat (did you mean 'speech.rate'?)");
  EXPECT_TRUE(layer.settings.empty());
}

TEST(ConfigParser, KeyInTheWrongPlaceSuggestsItsSection) {
  ParsedLayer layer = parse("rate = 200\n[view]\nrate = 3\n");
  ASSERT_EQ(layer.diagnostics.size(), 2u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].key, "rate");
  EXPECT_EQ(layer.diagnostics[0].suggestion, "speech.rate");
  EXPECT_EQ(layer.diagnostics[1].key, "view.rate");
  EXPECT_EQ(layer.diagnostics[1].suggestion, "speech.rate");
}

// One bad value per file: every field of the one diagnostic it gives, as a person reads it.
struct ErrorCase {
  const char* text;
  int line, column;
  const char* key;
  const char* message;
  const char* expected;
  const char* found;
  const char* suggestion;
};

TEST(ConfigParser, EachKindOfErrorFillsEveryField) {
  const ErrorCase cases[] = {
      {"[speach]\nrate = 200\n", 1, 2, "speach", "unknown key",
       "a known key (see liseur config schema)", "speach", "[speech]"},
      {"[speech]\nrate = \"fast\"\n", 2, 8, "speech.rate", "wrong type",
       "an integer from 80 to 450", "\"fast\" (string)", ""},
      {"[speech]\nrate = 500\n", 2, 8, "speech.rate", "invalid value", "an integer from 80 to 450",
       "500 (integer)", ""},
      {"[view]\ntheme = \"blak-on-white\"\n", 2, 9, "view.theme", "invalid value",
       "one of black-on-white|white-on-black|yellow-on-black|dys", "\"blak-on-white\" (string)",
       "black-on-white"},
      {"[view]\nline_colours = [\"blue\",\n  \"rde\"]\n", 3, 3, "view.line_colours",
       "invalid value",
       "a list of strings, each a colour: black|white|grey|dark-grey|blue|dark-blue|red|dark-red|"
       "green|dark-green|orange|purple|brown|yellow|pink|cyan, or #rrggbb (at most 6)",
       "\"rde\" (string)", "red"},
      {"[plugins]\nchain = [\"dys\", 3]\n", 2, 17, "plugins.chain", "wrong type of list item",
       "a list of strings, each a plugin id: lower-case letters, digits and '-' (at most 32)",
       "3 (integer)", ""},
      {"[view]\nline_focus = 2\n", 2, 14, "view.line_focus", "invalid value", "one of 0|1|3|5",
       "2 (integer)", ""},
      {"[view]\nline_spacing = 3.5\n", 2, 16, "view.line_spacing", "invalid value",
       "a number from 1 to 3", "3.5 (float)", ""},
      {"[speech]\npunctuation = \"most\"\n", 2, 15, "speech.punctuation", "invalid value",
       "one of none|some|all", "\"most\" (string)", ""},
      {"[speech]\nvoice_fr = \"3\"\n", 2, 12, "speech.voice_fr", "invalid value",
       "an espeak-ng voice name like \"fr\", \"en-gb\" or \"fr+f3\" (a name, not a number)",
       "\"3\" (string)", ""},
      {"[hotkeys]\nstop = \"Ctrl+Alt+Shfit+S\"\n", 2, 8, "hotkeys.stop", "invalid value",
       "a key chord like \"Ctrl+Alt+Shift+W\": modifiers (Ctrl, Alt, Shift, Super) joined by '+' "
       "and ending with one key, or \"\" for none",
       "\"Ctrl+Alt+Shfit+S\" (string)", "Ctrl+Alt+Shift+S"},
  };
  for (const auto& c : cases) {
    ParsedLayer layer = parse(c.text);
    ASSERT_EQ(layer.diagnostics.size(), 1u) << c.text << dump(layer.diagnostics);
    const Diagnostic& d = layer.diagnostics[0];
    EXPECT_EQ(d.severity, Severity::kError) << c.text;
    EXPECT_EQ(d.file, "test.toml") << c.text;
    EXPECT_EQ(d.line, c.line) << c.text;
    EXPECT_EQ(d.column, c.column) << c.text;
    EXPECT_EQ(d.key, c.key) << c.text;
    EXPECT_EQ(d.message, c.message) << c.text;
    EXPECT_EQ(d.expected, c.expected) << c.text;
    EXPECT_EQ(d.found, c.found) << c.text;
    EXPECT_EQ(d.suggestion, c.suggestion) << c.text;
    EXPECT_EQ(layer.settings.count(c.key), 0u) << "a bad value is not kept: " << c.text;
  }
}

TEST(ConfigParser, CollectsEveryErrorAndKeepsTheGoodSettings) {
  const std::string text =
      "[speech]\n"
      "rat = 200\n"
      "pitch = 120\n"
      "volume = 90\n"
      "punctuation = \"sume\"\n"
      "[view]\n"
      "theme = \"blak-on-white\"\n"
      "font_size_pt = 20\n"
      "[hotkeys]\n"
      "spell = \"Ctlr+Alt+O\"\n";
  ParsedLayer layer = parse(text);
  ASSERT_EQ(layer.diagnostics.size(), 5u) << text << dump(layer.diagnostics);
  std::vector<std::string> keys;
  for (const auto& d : layer.diagnostics) keys.push_back(d.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"speech.rat", "speech.pitch", "speech.punctuation",
                                            "view.theme", "hotkeys.spell"}));
  EXPECT_EQ(layer.diagnostics[2].suggestion, "some");
  EXPECT_EQ(layer.diagnostics[4].suggestion, "Ctrl+Alt+O");
  EXPECT_EQ(layer.settings.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(layer.settings.at("speech.volume").value), 90);
  EXPECT_EQ(std::get<std::int64_t>(layer.settings.at("view.font_size_pt").value), 20);
}

TEST(ConfigParser, SyntaxErrorHasLineAndColumn) {
  const std::string text = "[speech]\nrate = 200\nvolume = = 3\n";
  ParsedLayer layer = parse(text);
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  const Diagnostic& d = layer.diagnostics[0];
  EXPECT_EQ(d.line, 3) << d.toString();
  EXPECT_GT(d.column, 1) << d.toString();
  EXPECT_EQ(d.message.rfind("TOML syntax error: ", 0), 0u) << d.toString();
  EXPECT_FALSE(d.expected.empty());
}

TEST(ConfigParser, InvalidUtf8IsASyntaxErrorNotACrash) {
  ParsedLayer layer = parse("[view]\nfont = \"\xff\xfe\"\n");
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].line, 2);
}

TEST(ConfigParser, LocksOnlyUnderEtc) {
  const std::string text = "[locks]\nkeys = [\"speech.rate\", \"plugins.chain\"]\n";
  ParsedLayer user = parse(text, LayerKind::kUserMain);
  ASSERT_EQ(user.diagnostics.size(), 1u) << dump(user.diagnostics);
  EXPECT_EQ(user.diagnostics[0].key, "locks");
  EXPECT_EQ(user.diagnostics[0].line, 1);
  EXPECT_TRUE(user.locks.empty());
  EXPECT_EQ(parse(text, LayerKind::kProfile).locks.size(), 0u);

  ParsedLayer admin = parse(text, LayerKind::kSystemMain);
  ASSERT_TRUE(admin.diagnostics.empty()) << dump(admin.diagnostics);
  ASSERT_EQ(admin.locks.size(), 2u);
  EXPECT_EQ(admin.locks[0].key, "speech.rate");
  EXPECT_EQ(admin.locks[0].at.line, 2);
  EXPECT_EQ(admin.locks[0].toString(), "test.toml:2");
  EXPECT_EQ(parse(text, LayerKind::kSystemProfile).locks.size(), 2u);
}

TEST(ConfigParser, BadLockEntriesAreReported) {
  const std::string text =
      "[locks]\n"
      "keys = [\"speech.rat\", \"profile.name\", 7, \"plugins.options.dys\"]\n"
      "kyes = []\n";
  ParsedLayer layer = parse(text, LayerKind::kSystemMain);
  ASSERT_EQ(layer.diagnostics.size(), 4u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].key, "speech.rat");
  EXPECT_EQ(layer.diagnostics[0].suggestion, "speech.rate");
  EXPECT_EQ(layer.diagnostics[1].key, "profile.name");
  EXPECT_EQ(layer.diagnostics[1].message, "this key cannot be locked");
  EXPECT_EQ(layer.diagnostics[2].found, "7 (integer)");
  EXPECT_EQ(layer.diagnostics[3].key, "locks.kyes");
  EXPECT_EQ(layer.diagnostics[3].suggestion, "locks.keys");
  ASSERT_EQ(layer.locks.size(), 1u);
  EXPECT_EQ(layer.locks[0].key, "plugins.options.dys");
}

TEST(ConfigParser, KeysInTheWrongKindOfFile) {
  ParsedLayer profile = parse("[daemon]\nprofile = \"dys\"\n", LayerKind::kProfile);
  ASSERT_EQ(profile.diagnostics.size(), 1u) << dump(profile.diagnostics);
  EXPECT_EQ(profile.diagnostics[0].message, "this key belongs in liseur.toml, not in a profile");
  ParsedLayer main = parse("[profile]\nname = \"x\"\n", LayerKind::kUserMain);
  ASSERT_EQ(main.diagnostics.size(), 1u) << dump(main.diagnostics);
  EXPECT_EQ(main.diagnostics[0].message, "this key belongs in a profile, not in liseur.toml");
}

TEST(ConfigParser, QuotedKeyWithADotIsNotAPath) {
  ParsedLayer layer = parse("\"speech.rate\" = 200\n");
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].suggestion, "speech.rate");
  EXPECT_TRUE(layer.settings.empty());
}

TEST(ConfigParser, SectionGivenAsAValue) {
  ParsedLayer layer = parse("speech = 3\n");
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].expected, "a table [speech]");
}

TEST(ConfigParser, EmptyFileIsValid) {
  EXPECT_TRUE(parse("").diagnostics.empty());
  EXPECT_TRUE(parse("# only a comment\n").diagnostics.empty());
}

TEST(ConfigParser, FileTooLarge) {
  ParsedLayer layer = parse(std::string(kMaxConfigFileBytes + 1, '#'));
  ASSERT_EQ(layer.diagnostics.size(), 1u);
  EXPECT_EQ(layer.diagnostics[0].message, "file too large");
}

TEST(ConfigParserFile, MissingDirectoryAndFifoAreErrorsNotHangsAndLinksAreFollowed) {
  liseur::test::TempXdg xdg;
  ParsedLayer missing = parseLayerFile(xdg.path("nope.toml"), LayerKind::kProfile);
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].message, "file not found");
  EXPECT_EQ(missing.diagnostics[0].file, xdg.path("nope.toml"));

  liseur::test::writeFile(xdg.path("real.toml"), "[speech]\nrate = 100\n");
  std::filesystem::create_symlink(xdg.path("real.toml"), xdg.path("link.toml"));
  ParsedLayer link = parseLayerFile(xdg.path("link.toml"), LayerKind::kProfile);
  EXPECT_TRUE(link.diagnostics.empty())
      << "a linked dotfile must be read: " << dump(link.diagnostics);
  EXPECT_EQ(link.settings.count("speech.rate"), 1u);

  std::filesystem::create_directories(xdg.path("dir.toml"));
  ParsedLayer dir = parseLayerFile(xdg.path("dir.toml"), LayerKind::kProfile);
  ASSERT_EQ(dir.diagnostics.size(), 1u);
  EXPECT_EQ(dir.diagnostics[0].message, "not a regular file");

  ASSERT_EQ(::mkfifo(xdg.path("fifo.toml").c_str(), 0600), 0);
  ParsedLayer fifo = parseLayerFile(xdg.path("fifo.toml"), LayerKind::kProfile);
  ASSERT_EQ(fifo.diagnostics.size(), 1u);
  EXPECT_EQ(fifo.diagnostics[0].message, "not a regular file");
  std::filesystem::create_symlink(xdg.path("fifo.toml"), xdg.path("fifo-link.toml"));
  ParsedLayer fifoLink = parseLayerFile(xdg.path("fifo-link.toml"), LayerKind::kProfile);
  ASSERT_EQ(fifoLink.diagnostics.size(), 1u);
  EXPECT_EQ(fifoLink.diagnostics[0].message, "not a regular file");

  ParsedLayer real = parseLayerFile(xdg.path("real.toml"), LayerKind::kProfile);
  EXPECT_TRUE(real.diagnostics.empty()) << dump(real.diagnostics);
  EXPECT_EQ(real.settings.at("speech.rate").at.line, 2);
}

struct ValueCase {
  const char* key;
  const char* text;
  Value expected;
};

TEST(ParseValueText, AcceptsWhatAPersonTypes) {
  for (const ValueCase& c :
       {ValueCase{"speech.rate", "200", Value(std::int64_t{200})},
        ValueCase{"speech.auto_language", "false", Value(false)},
        ValueCase{"view.line_spacing", "2", Value(2.0)},
        ValueCase{"view.line_spacing", "1.5", Value(1.5)},
        ValueCase{"speech.voice_fr", "fr+f3", Value(std::string("fr+f3"))},
        ValueCase{"speech.voice_fr", "\"fr\"", Value(std::string("fr"))},
        ValueCase{"view.theme", "dys", Value(std::string("dys"))},
        ValueCase{"view.font", "Open Dyslexic", Value(std::string("Open Dyslexic"))},
        ValueCase{"view.line_colours", "blue, red,green",
                  Value(StringList{"blue", "red", "green"})},
        ValueCase{"view.line_colours", "[\"blue\"]", Value(StringList{"blue"})},
        ValueCase{"hotkeys.spell", "Ctrl+Alt+Shift+O", Value(std::string("Ctrl+Alt+Shift+O"))},
        ValueCase{"plugins.options.dys", "{ short = true }",
                  Value(nlohmann::json{{"short", true}})}}) {
    Value v;
    auto d = parseValueText(c.key, c.text, &v);
    EXPECT_FALSE(d.has_value()) << c.key << " " << c.text << ": " << (d ? d->toString() : "");
    EXPECT_EQ(v, c.expected) << c.key << " " << c.text << " -> " << formatValueToml(v);
  }
}

TEST(ParseValueText, RefusesWithAnActionableDiagnostic) {
  Value v = std::int64_t{1};
  auto d = parseValueText("speech.rate", "fast", &v);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->key, "speech.rate");
  EXPECT_EQ(d->expected, "an integer from 80 to 450");
  EXPECT_EQ(d->found, "fast");
  EXPECT_EQ(d->file, "command line");
  EXPECT_EQ(std::get<std::int64_t>(v), 1) << "output touched on failure";

  d = parseValueText("speech.rate", "1000", &v);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->found, "1000");
  EXPECT_EQ(d->line, 0);

  d = parseValueText("view.theme", "blak-on-white", &v);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->suggestion, "black-on-white");

  d = parseValueText("speech.rat", "200", &v);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->message, "unknown key");
  EXPECT_EQ(d->suggestion, "speech.rate");

  d = parseValueText("speech.rate", "200\n[view]\nfont = \"x\"", &v);
  ASSERT_TRUE(d.has_value()) << "a newline must not smuggle in other keys";
}

}  // namespace
}  // namespace liseur::config
