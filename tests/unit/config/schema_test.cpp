#include <gtest/gtest.h>

#include <set>

#include "config/config_schema.h"
#include "config/config_value.h"
#include "config/suggestion.h"

namespace liseur::config {
namespace {

const ConfigSchema& schema() {
  return ConfigSchema::instance();
}

TEST(ConfigSchema, HasEveryKeyOfTheStableApi) {
  for (const char* key : {"profile.name",
                          "profile.description",
                          "audio.sink",
                          "audio.device",
                          "audio.latency_ms",
                          "ocr.languages",
                          "ocr.mode",
                          "ocr.language",
                          "speech.voice_fr",
                          "speech.voice_en",
                          "speech.auto_language",
                          "speech.rate",
                          "speech.pitch",
                          "speech.volume",
                          "speech.word_gap",
                          "speech.punctuation",
                          "speech.doubtful_threshold",
                          "speech.doubtful_signal",
                          "speech.output",
                          "plugins.chain",
                          "plugins.options.dys",
                          "view.theme",
                          "view.font",
                          "view.font_size_pt",
                          "view.line_spacing",
                          "view.letter_spacing_em",
                          "view.word_spacing_em",
                          "view.syllables",
                          "view.line_colours",
                          "view.syllable_colours",
                          "view.line_focus",
                          "view.silent_letters",
                          "hotkeys.read_window",
                          "hotkeys.read_pointer",
                          "hotkeys.mark_corner",
                          "hotkeys.stop",
                          "hotkeys.pause_resume",
                          "hotkeys.review_next_line",
                          "hotkeys.review_prev_line",
                          "hotkeys.review_next_word",
                          "hotkeys.review_prev_word",
                          "hotkeys.spell",
                          "hotkeys.faster",
                          "hotkeys.slower",
                          "hotkeys.repeat",
                          "daemon.idle_exit_min",
                          "daemon.log_level",
                          "daemon.profile"})
    EXPECT_NE(schema().find(key), nullptr) << "missing key " << key;
}

TEST(ConfigSchema, EveryDefaultIsValidAndEveryKeyHasHelp) {
  std::set<std::string> seen;
  for (const auto& spec : schema().keys()) {
    EXPECT_TRUE(seen.insert(spec.key).second) << "duplicate key " << spec.key;
    EXPECT_FALSE(spec.help.empty()) << spec.key;
    EXPECT_EQ(spec.help.find('\n'), std::string::npos) << spec.key;
    std::string suggestion;
    EXPECT_EQ(schema().validate(spec, spec.defaultValue, &suggestion), "")
        << spec.key << " default " << formatValueToml(spec.defaultValue);
    EXPECT_FALSE(spec.expectedText().empty()) << spec.key;
  }
}

TEST(ConfigSchema, KnownDefaultsAndRanges) {
  const KeySpec* rate = schema().find("speech.rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(rate->defaultValue), 175);
  EXPECT_EQ(rate->constraintText(), "80..450");
  EXPECT_EQ(std::get<std::string>(schema().find("ocr.languages")->defaultValue), "eng+fra");
  EXPECT_EQ(std::get<std::string>(schema().find("speech.voice_en")->defaultValue), "en-gb");
  EXPECT_EQ(schema().find("view.theme")->constraintText(),
            "black-on-white|white-on-black|yellow-on-black|dys");
  EXPECT_EQ(schema().find("view.line_focus")->constraintText(), "0|1|3|5");
}

TEST(ConfigSchema, RangeBoundsAreInclusive) {
  const KeySpec& rate = *schema().find("speech.rate");
  for (auto [v, ok] :
       {std::pair<std::int64_t, bool>{79, false}, {80, true}, {450, true}, {451, false}}) {
    std::string s;
    EXPECT_EQ(schema().validate(rate, Value(v), &s).empty(), ok) << "speech.rate = " << v;
  }
  const KeySpec& spacing = *schema().find("view.line_spacing");
  std::string s;
  EXPECT_FALSE(schema().validate(spacing, Value(std::nan("")), &s).empty()) << "NaN accepted";
  EXPECT_FALSE(schema().validate(spacing, Value(3.01), &s).empty());
  EXPECT_TRUE(schema().validate(spacing, Value(3.0), &s).empty());
}

TEST(ConfigSchema, LineFocusAcceptsOnlyItsListedValues) {
  const KeySpec& focus = *schema().find("view.line_focus");
  for (std::int64_t v : {0, 1, 3, 5}) {
    std::string s;
    EXPECT_EQ(schema().validate(focus, Value(v), &s), "") << v;
  }
  for (std::int64_t v : {2, 4, 6, -1}) {
    std::string s;
    EXPECT_EQ(schema().validate(focus, Value(v), &s), "one of 0|1|3|5") << v;
  }
}

TEST(ConfigSchema, EnumTypoGetsTheNearestChoice) {
  std::string suggestion;
  std::string expected = schema().validate(*schema().find("view.theme"),
                                           Value(std::string("blak-on-white")), &suggestion);
  EXPECT_EQ(expected, "one of black-on-white|white-on-black|yellow-on-black|dys");
  EXPECT_EQ(suggestion, "black-on-white");
}

TEST(ConfigSchema, PluginOptionsPatternMatchesOnlyPluginIds) {
  EXPECT_NE(schema().find("plugins.options.dys"), nullptr);
  EXPECT_NE(schema().find("plugins.options.reading-order"), nullptr);
  EXPECT_EQ(schema().find("plugins.options."), nullptr);
  EXPECT_EQ(schema().find("plugins.options.Dys"), nullptr);
  EXPECT_EQ(schema().find("plugins.options.dys.extra"), nullptr);
  EXPECT_EQ(schema().find("plugins.optionsdys"), nullptr);
  EXPECT_TRUE(schema().isSection("plugins.options"));
  EXPECT_TRUE(schema().isSection("speech"));
  EXPECT_FALSE(schema().isSection("speech.rate"));
  EXPECT_FALSE(schema().isSection("spee"));
}

struct ChordCase {
  const char* chord;
  bool valid;
  const char* suggestion;
};

TEST(ConfigSchema, HotkeyChords) {
  const KeySpec& spec = *schema().find("hotkeys.spell");
  for (const ChordCase& c :
       {ChordCase{"Ctrl+Alt+Shift+W", true, ""}, ChordCase{"Super+F5", true, ""},
        ChordCase{"ctrl+alt+space", true, ""}, ChordCase{"", true, ""}, ChordCase{"W", false, ""},
        ChordCase{"Ctlr+Alt+W", false, "Ctrl+Alt+W"},
        ChordCase{"Ctrl+Alt+Spce", false, "Ctrl+Alt+space"}, ChordCase{"Ctrl+Ctrl+W", false, ""},
        ChordCase{"Ctrl+Alt+", false, ""}}) {
    std::string suggestion;
    std::string expected = schema().validate(spec, Value(std::string(c.chord)), &suggestion);
    EXPECT_EQ(expected.empty(), c.valid) << "chord '" << c.chord << "': " << expected;
    EXPECT_EQ(suggestion, c.suggestion) << "chord '" << c.chord << "'";
  }
}

TEST(ConfigSchema, DefaultHotkeysAreDistinctAndAvoidDesktopShortcuts) {
  std::set<std::string> chords;
  int count = 0;
  for (const auto& spec : schema().keys()) {
    if (spec.key.rfind("hotkeys.", 0) != 0) continue;
    ++count;
    const auto& chord = std::get<std::string>(spec.defaultValue);
    EXPECT_TRUE(chords.insert(chord).second) << spec.key << " repeats " << chord;
    // GNOME: Shift+Ctrl+Alt+arrows/R; KDE: Ctrl+Alt+Shift+Delete/Prior/Next shut down.
    for (const char* bad :
         {"+Up", "+Down", "+Left", "+Right", "+R", "+Delete", "+Prior", "+Next", "+T"})
      EXPECT_FALSE(chord.size() >= std::string(bad).size() &&
                   chord.compare(chord.size() - std::string(bad).size(), std::string::npos, bad) ==
                       0)
          << spec.key << " = " << chord << " clashes with a desktop shortcut";
    EXPECT_EQ(chord.rfind("Ctrl+Alt+Shift+", 0), 0u) << spec.key << " = " << chord;
  }
  EXPECT_GE(count, 13);  // other actions may be added; each keeps these rules
}

TEST(ConfigSchema, Colours) {
  const KeySpec& spec = *schema().find("view.line_colours");
  for (const char* ok : {"blue", "#abc", "#A0B1C2", "dark-green"}) {
    std::string s;
    EXPECT_EQ(schema().validate(spec, Value(StringList{ok}), &s), "") << ok;
  }
  for (const char* bad : {"bleu", "#abcd", "#ggg", ""}) {
    std::string s;
    EXPECT_NE(schema().validate(spec, Value(StringList{bad}), &s), "") << bad;
  }
  std::string suggestion;
  (void)schema().validate(spec, Value(StringList{"blue", "rde"}), &suggestion);
  EXPECT_EQ(suggestion, "red");
  std::string s;
  EXPECT_NE(schema().validate(spec, Value(StringList(7, "red")), &s), "") << "7 colours accepted";
}

TEST(ConfigSchema, ProfileKeysCannotBeLockedAndLiveOnlyInProfiles) {
  EXPECT_FALSE(schema().find("profile.name")->lockable);
  EXPECT_EQ(schema().find("profile.name")->scope, KeyScope::kProfileOnly);
  EXPECT_EQ(schema().find("daemon.profile")->scope, KeyScope::kMainOnly);
  EXPECT_TRUE(schema().find("plugins.chain")->lockable);
  EXPECT_TRUE(schema().find("speech.rate")->lockable);
}

TEST(ConfigSchema, TableListsEveryKey) {
  std::string table = schemaTable();
  EXPECT_EQ(table.rfind("KEY", 0), 0u) << table.substr(0, 200);
  for (const auto& spec : schema().keys())
    EXPECT_NE(table.find("\n" + spec.key + " "), std::string::npos) << spec.key;
  EXPECT_NE(table.find("80..450"), std::string::npos);
}

TEST(ConfigSchema, JsonDescribesEveryKey) {
  nlohmann::json j = nlohmann::json::parse(schemaJson().dump());
  ASSERT_EQ(j["keys"].size(), schema().keys().size());
  const nlohmann::json* rate = nullptr;
  for (const auto& k : j["keys"])
    if (k["key"] == "speech.rate") rate = &k;
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ((*rate)["type"], "int");
  EXPECT_EQ((*rate)["default"], 175);
  EXPECT_EQ((*rate)["min"], 80);
  EXPECT_EQ((*rate)["max"], 450);
  EXPECT_EQ((*rate)["lockable"], true);
  for (const auto& k : j["keys"]) {
    EXPECT_TRUE(k.contains("help")) << k.dump();
    EXPECT_TRUE(k.contains("default")) << k.dump();
  }
}

TEST(Suggestion, EditDistance) {
  EXPECT_EQ(editDistance("speech.rat", "speech.rate"), 1u);
  EXPECT_EQ(editDistance("blak-on-white", "black-on-white"), 1u);
  EXPECT_EQ(editDistance("teh", "the"), 1u) << "a swap costs one";
  EXPECT_EQ(editDistance("ABC", "abc"), 0u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
}

TEST(Suggestion, NearestOnlyWhenPlausible) {
  std::vector<std::string> keys = ConfigSchema::instance().keyNames();
  EXPECT_EQ(nearestMatch("speech.rat", keys), "speech.rate");
  EXPECT_EQ(nearestMatch("speach.pitch", keys), "speech.pitch");
  EXPECT_EQ(nearestMatch("view.font_size", keys), "view.font_size_pt");
  EXPECT_EQ(nearestMatch("zzzzzzzz", keys), "");
  EXPECT_EQ(nearestMatch("", keys), "");
}

TEST(ConfigValue, TomlSpellings) {
  EXPECT_EQ(formatValueToml(Value(true)), "true");
  EXPECT_EQ(formatValueToml(Value(std::int64_t{175})), "175");
  EXPECT_EQ(formatValueToml(Value(2.0)), "2.0");
  EXPECT_EQ(formatValueToml(Value(0.12)), "0.12");
  EXPECT_EQ(formatValueToml(Value(std::string("a\"b\\c\nd"))), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(formatValueToml(Value(StringList{"blue", "red"})), "[\"blue\", \"red\"]");
  EXPECT_EQ(formatValueToml(Value(nlohmann::json{{"a", 1}, {"b c", "x"}})),
            "{ a = 1, \"b c\" = \"x\" }");
  EXPECT_EQ(describeValue(Value(std::string(100, 'x')), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace liseur::config
