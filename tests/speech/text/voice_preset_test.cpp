// Voice presets: the shipped files load, their espeak-ng voices exist, errors name file, line and
// key, and presetForLanguage picks the right one.
#include "speech/text/voice_preset.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_env.h"

namespace liseur::speech {
namespace {

std::string shippedVoices() {
  return std::string(LISEUR_SOURCE_DIR) + "/voices";
}

const char* kGood = R"(description = "test"
language = "fr"
style = "child"
voice = "fr"
variant = "f3"
rate = 130
pitch = 55
volume = 90
word_gap = 3
punctuation = "all"
)";

TEST(VoicePreset, ParsesEveryKey) {
  auto p = parseVoicePreset(kGood, "/x/fr-test.toml");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "fr-test");
  EXPECT_EQ(p->language, "fr");
  EXPECT_EQ(p->style, VoiceStyle::kChild);
  EXPECT_FALSE(p->preferred);
  EXPECT_EQ(p->espeakVoice(), "fr+f3");
  EXPECT_EQ(p->rate, 130);
  EXPECT_EQ(p->pitch, 55);
  EXPECT_EQ(p->volume, 90);
  EXPECT_EQ(p->word_gap, 3);
  EXPECT_EQ(p->punctuation, PunctuationLevel::kAll);
  EXPECT_EQ(p->file, "/x/fr-test.toml");
}

struct BadPreset {
  std::string text;
  const char* expected;
};

std::string replaceLine(const std::string& key, const std::string& line) {
  std::string s = kGood;
  const std::size_t at = s.find(key + " =");
  const std::size_t end = s.find('\n', at);
  return s.substr(0, at) + line + s.substr(end);
}

TEST(VoicePreset, ErrorsNameFileLineAndKey) {
  const BadPreset cases[] = {
      {replaceLine("rate", "rate = 900"),
       "p.toml:6: rate: value out of range; expected an integer from 80 to 450, found 900"},
      {replaceLine("rate", "rate = \"fast\""), "p.toml:6: rate: wrong type"},
      {replaceLine("pitch", "pitch = -1"), "p.toml:7: pitch: value out of range"},
      {replaceLine("volume", "volume = 201"), "p.toml:8: volume: value out of range"},
      {replaceLine("word_gap", "word_gap = 101"), "p.toml:9: word_gap: value out of range"},
      {replaceLine("punctuation", "punctuation = \"most\""),
       "p.toml:10: punctuation: invalid value; expected one of \"none\", \"some\", \"all\""},
      {replaceLine("style", "style = \"slow\""), "p.toml:3: style: invalid value"},
      {replaceLine("language", "language = \"French\""), "p.toml:2: language: invalid value"},
      {replaceLine("voice", "voice = \"fr;rm -rf\""), "p.toml:4: voice: invalid value"},
      {replaceLine("variant", "variant = \"f 3\""), "p.toml:5: variant: invalid value"},
      {replaceLine("description", "speed = 3"), "p.toml:1: speed: unknown key"},
      {replaceLine("rate", "# no rate"), "p.toml: rate: missing key"},
      {replaceLine("rate", "rate = = 3"), "p.toml:6:"},
      {std::string(kGood) + "preferred = 1\n", "p.toml:11: preferred: wrong type"},
  };
  for (const BadPreset& c : cases) {
    auto p = parseVoicePreset(c.text, "/v/p.toml");
    ASSERT_FALSE(p.ok()) << "accepted:\n" << c.text;
    EXPECT_EQ(p.error().code, ErrorCode::kConfigInvalid);
    EXPECT_NE(p.error().message.find(c.expected), std::string::npos)
        << "preset:\n"
        << c.text << "\nmessage: " << p.error().message << "\nexpected to contain: " << c.expected;
  }
}

TEST(VoicePreset, SeveralErrorsAreAllReportedInFileOrder) {
  auto p = parseVoicePreset(
      "zzz = 1\nlanguage = \"fr\"\nstyle = \"child\"\nvoice = 3\nvariant = \"\"\nrate = 1\n",
      "/v/p.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "/v/p.toml:1: zzz: unknown key; expected description, language, style, preferred, "
            "voice, variant, rate, pitch, volume, word_gap, punctuation\n"
            "/v/p.toml:4: voice: wrong type; expected an espeak-ng voice name such as \"fr\" or "
            "\"en-gb\" (letters, digits, -_/), found 3 (an integer)\n"
            "/v/p.toml:6: rate: value out of range; expected an integer from 80 to 450, found 1 "
            "(an integer)\n"
            "/v/p.toml: pitch: missing key\n"
            "/v/p.toml: volume: missing key\n"
            "/v/p.toml: word_gap: missing key\n"
            "/v/p.toml: punctuation: missing key");
}

TEST(VoicePreset, NonAsciiKeysAreAnErrorNotUndefinedBehaviour) {
  // Found by fuzzing: toml++ 3.3 reaches __builtin_unreachable() on this (U+FEDF after a key).
  auto p = parseVoicePreset("language\xEF\xBB\x9F \"fr\"\nrate = 52\n", "/v/p.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("/v/p.toml:1:"), std::string::npos) << p.error().message;
  auto accented = parseVoicePreset(std::string(kGood) + "# \xC3\xA9l\xC3\xA8ve\n", "/v/p.toml");
  EXPECT_TRUE(accented.ok()) << accented.error().message;
}

TEST(VoicePreset, DirectoryLoadReportsEveryBadFile) {
  test::TempXdg xdg;
  const std::string dir = xdg.path("voices");
  std::filesystem::create_directories(dir);
  test::writeFile(dir + "/good.toml", kGood);
  test::writeFile(dir + "/a-bad.toml", replaceLine("rate", "rate = 10"));
  test::writeFile(dir + "/b-bad.toml", replaceLine("pitch", "pitch = 100"));
  test::writeFile(dir + "/notes.txt", "not a preset");
  auto all = loadVoicePresets(dir);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().message.find(dir + "/a-bad.toml:6: rate"), std::string::npos)
      << all.error().message;
  EXPECT_NE(all.error().message.find(dir + "/b-bad.toml:7: pitch"), std::string::npos)
      << all.error().message;

  std::filesystem::remove(dir + "/a-bad.toml");
  std::filesystem::remove(dir + "/b-bad.toml");
  auto ok = loadVoicePresets(dir);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_TRUE(ok->count("good"));

  auto missing = loadVoicePresets(xdg.path("nowhere"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kFileNotFound) << missing.error().message;
  EXPECT_NE(missing.error().message.find(xdg.path("nowhere")), std::string::npos);
}

TEST(VoicePreset, PresetForLanguagePicksStyleThenStandard) {
  VoicePresets presets;
  const auto add = [&](const std::string& name, const std::string& lang, VoiceStyle style,
                       bool preferred) {
    VoicePreset p;
    p.name = name;
    p.language = lang;
    p.style = style;
    p.preferred = preferred;
    presets[name] = p;
  };
  add("a-en-us", "en", VoiceStyle::kStandard, false);
  add("en-gb", "en", VoiceStyle::kStandard, true);
  add("fr", "fr", VoiceStyle::kStandard, false);
  add("fr-enfant", "fr", VoiceStyle::kChild, false);
  add("expert-fr", "fr", VoiceStyle::kExpert, false);
  const auto name = [&](std::string_view lang, VoiceStyle style) -> std::string {
    const VoicePreset* p = presetForLanguage(presets, lang, style);
    return p ? p->name : "(none)";
  };
  EXPECT_EQ(name("en", VoiceStyle::kStandard), "en-gb");  // preferred beats the name order
  EXPECT_EQ(name("en-US", VoiceStyle::kStandard), "en-gb");
  EXPECT_EQ(name("EN_gb", VoiceStyle::kStandard), "en-gb");
  EXPECT_EQ(name("en", VoiceStyle::kChild), "en-gb");  // no English child voice: standard
  EXPECT_EQ(name("fr", VoiceStyle::kChild), "fr-enfant");
  EXPECT_EQ(name("fr", VoiceStyle::kExpert), "expert-fr");
  EXPECT_EQ(name("fr", VoiceStyle::kStandard), "fr");
  EXPECT_EQ(name("de", VoiceStyle::kStandard), "(none)");
  EXPECT_EQ(name("", VoiceStyle::kStandard), "(none)");
}

TEST(ShippedVoices, LoadAndCoverFrenchEnglishChildAndExpert) {
  auto presets = loadVoicePresets(shippedVoices());
  ASSERT_TRUE(presets.ok()) << presets.error().message;
  for (const char* required : {"fr-enfant", "fr", "en-gb", "en-us", "expert-fr", "expert-en"})
    EXPECT_TRUE(presets->count(required))
        << "missing preset " << required << " in " << shippedVoices();
  const VoicePreset* child = presetForLanguage(*presets, "fr", VoiceStyle::kChild);
  const VoicePreset* normal = presetForLanguage(*presets, "fr", VoiceStyle::kStandard);
  const VoicePreset* expert = presetForLanguage(*presets, "fr", VoiceStyle::kExpert);
  ASSERT_TRUE(child && normal && expert);
  EXPECT_EQ(child->name, "fr-enfant");
  EXPECT_EQ(normal->name, "fr");
  EXPECT_EQ(expert->name, "expert-fr");
  EXPECT_LT(child->rate, normal->rate) << "the children's voice is slower";
  EXPECT_GT(expert->rate, normal->rate) << "the expert voice is faster";
  EXPECT_EQ(presetForLanguage(*presets, "en")->name, "en-gb");
  EXPECT_EQ(presetForLanguage(*presets, "en", VoiceStyle::kExpert)->name, "expert-en");
}

}  // namespace
}  // namespace liseur::speech
