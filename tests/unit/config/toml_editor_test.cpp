#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "config/toml_editor.h"

namespace liseur::config {
namespace {

std::string edit(const std::string& text, const std::string& key, const Value& v) {
  Result<std::string> r = setTomlValue(text, key, v);
  EXPECT_TRUE(r.ok()) << "input:\n" << text << "\nkey " << key << ": " << r.error().message;
  return r.ok() ? *r : std::string();
}

TEST(TomlEditor, ReplacesAValueInPlaceKeepingComments) {
  const std::string text =
      "# Profile for Léa, CE2 — made by Mme Martin\n"
      "[speech]\n"
      "rate = 120   # slow: she asked for it\n"
      "voice_fr = \"fr\"\n";
  EXPECT_EQ(edit(text, "speech.rate", Value(std::int64_t{130})),
            "# Profile for Léa, CE2 — made by Mme Martin\n"
            "[speech]\n"
            "rate = 130   # slow: she asked for it\n"
            "voice_fr = \"fr\"\n");
}

TEST(TomlEditor, ColumnsCountCharactersNotBytes) {
  const std::string text = "[view]\nfont = \"Éàü\" # née\nfont_size_pt = 18\n";
  EXPECT_EQ(edit(text, "view.font", Value(std::string("DejaVu Sans"))),
            "[view]\nfont = \"DejaVu Sans\" # née\nfont_size_pt = 18\n");
}

TEST(TomlEditor, InsertsANewKeyUnderItsSection) {
  const std::string text = "[speech]\nrate = 120\n\n[view]\n# big\nfont_size_pt = 18\n";
  EXPECT_EQ(edit(text, "speech.pitch", Value(std::int64_t{40})),
            "[speech]\npitch = 40\nrate = 120\n\n[view]\n# big\nfont_size_pt = 18\n");
}

TEST(TomlEditor, AppendsANewSection) {
  EXPECT_EQ(
      edit("[speech]\nrate = 120", "view.line_colours", Value(StringList{"blue", "red", "green"})),
      "[speech]\nrate = 120\n\n[view]\nline_colours = [\"blue\", \"red\", \"green\"]\n");
  EXPECT_EQ(edit("", "daemon.profile", Value(std::string("dys-primaire"))),
            "\n[daemon]\nprofile = \"dys-primaire\"\n");
}

TEST(TomlEditor, MultiLineValueFallsBackToAFaithfulRewrite) {
  const std::string text = "[plugins]\nchain = [\n  \"a\",\n  \"b\",\n]\n[speech]\nrate = 99\n";
  std::string out = edit(text, "plugins.chain", Value(StringList{"dys"}));
  toml::table t = toml::parse(out);
  EXPECT_EQ(t.at_path("speech.rate").value<int64_t>(), 99) << out;
  ASSERT_TRUE(t.at_path("plugins.chain").is_array()) << out;
  EXPECT_EQ(t.at_path("plugins.chain[0]").value<std::string>(), "dys") << out;
  EXPECT_EQ(t.at_path("plugins.chain").as_array()->size(), 1u) << out;
}

TEST(TomlEditor, TableValueForPluginOptions) {
  std::string out = edit("[plugins]\nchain = [\"dys\"]\n", "plugins.options.dys",
                         Value(nlohmann::json{{"chunk_words", 4}}));
  toml::table t = toml::parse(out);
  EXPECT_EQ(t.at_path("plugins.options.dys.chunk_words").value<int64_t>(), 4) << out;
  EXPECT_EQ(t.at_path("plugins.chain[0]").value<std::string>(), "dys") << out;
}

TEST(TomlEditor, StringsAreEscaped) {
  std::string out = edit("", "profile.description", Value(std::string("a \"b\"\nc\\")));
  EXPECT_EQ(toml::parse(out).at_path("profile.description").value<std::string>(), "a \"b\"\nc\\")
      << out;
}

TEST(TomlEditor, InvalidTomlIsRefused) {
  Result<std::string> r =
      setTomlValue("[speech\nrate = 1\n", "speech.rate", Value(std::int64_t{2}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(r.error().message.find("line 1"), std::string::npos) << r.error().message;
}

TEST(TomlEditor, RefusesToReplaceATableByAValue) {
  Result<std::string> r =
      setTomlValue("[speech.rate]\nx = 1\n", "speech.rate", Value(std::int64_t{2}));
  EXPECT_FALSE(r.ok());
  Result<std::string> r2 = setTomlValue("speech = 3\n", "speech.rate", Value(std::int64_t{2}));
  EXPECT_FALSE(r2.ok());
}

}  // namespace
}  // namespace liseur::config
