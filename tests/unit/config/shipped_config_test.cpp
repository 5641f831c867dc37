// The files shipped in config/: every profile loads without a single diagnostic, each keeps the
// promise of its name, and liseur.toml documents exactly the built-in defaults.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "config/config_schema.h"
#include "config/profile_manager.h"
#include "config_test_util.h"

namespace liseur::config {
namespace {
namespace fs = std::filesystem;
using test::dump;

const std::string kShipped = std::string(LISEUR_SOURCE_DIR) + "/config";

ConfigDirs shippedDirs(const liseur::test::TempXdg& xdg) {
  return ConfigDirs{xdg.path("etc/liseur"), xdg.path("config/liseur"), kShipped};
}

BuildResult load(const liseur::test::TempXdg& xdg, const std::string& profile) {
  BuildOptions options;
  options.profile = profile;
  return buildConfig(shippedDirs(xdg), options);
}

TEST(ShippedConfig, TheFiveProfilesExist) {
  liseur::test::TempXdg xdg;
  EXPECT_EQ(profileNames(shippedDirs(xdg)),
            (std::vector<std::string>{"blind-expert", "default", "dys-college", "dys-primaire",
                                      "low-vision"}));
}

TEST(ShippedConfig, EveryProfilePassesCheckAndLoadsWithoutDiagnostics) {
  liseur::test::TempXdg xdg;
  ProfileManager pm(shippedDirs(xdg));
  for (const auto& name : profileNames(shippedDirs(xdg))) {
    const std::string file = kShipped + "/profiles/" + name + ".toml";
    auto diags = pm.check(file);
    EXPECT_TRUE(diags.empty()) << file << "\n" << dump(diags);
    BuildResult r = load(xdg, name);
    ASSERT_TRUE(r.ok()) << name << "\n" << dump(r.diagnostics);
    EXPECT_TRUE(r.diagnostics.empty()) << name << "\n" << dump(r.diagnostics);
    EXPECT_EQ(r.config->find("profile.name") ? r.config->getString("profile.name") : "", name)
        << file << ": profile.name must match the file name";
    EXPECT_FALSE(r.config->getString("profile.description").empty()) << file;
  }
}

TEST(ShippedConfig, DysPrimaireIsSlowFrenchSyllablesThreeColoursLargeSpacedFont) {
  liseur::test::TempXdg xdg;
  BuildResult r = load(xdg, "dys-primaire");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  const Config& c = *r.config;
  EXPECT_LE(c.getInt("speech.rate"), 140);
  EXPECT_EQ(c.getString("speech.voice_fr"), "fr");
  EXPECT_EQ(c.getString("ocr.language"), "fr");
  EXPECT_TRUE(c.getBool("view.syllables"));
  EXPECT_EQ(c.getStringList("view.line_colours"), (StringList{"blue", "red", "green"}));
  EXPECT_GE(c.getInt("view.font_size_pt"), 16);
  EXPECT_GE(c.getDouble("view.line_spacing"), 2.0);
  EXPECT_GE(c.getDouble("view.word_spacing_em"), 0.25) << "about double word spacing";
  EXPECT_TRUE(c.getBool("view.enabled"));
}

TEST(ShippedConfig, DysCollegeIsLighterThanDysPrimaire) {
  liseur::test::TempXdg xdg;
  BuildResult p = load(xdg, "dys-primaire");
  BuildResult c = load(xdg, "dys-college");
  ASSERT_TRUE(p.ok() && c.ok());
  EXPECT_GT(c.config->getInt("speech.rate"), p.config->getInt("speech.rate"));
  EXPECT_LT(c.config->getInt("view.font_size_pt"), p.config->getInt("view.font_size_pt"));
  EXPECT_LT(c.config->getDouble("view.line_spacing"), p.config->getDouble("view.line_spacing"));
  EXPECT_FALSE(c.config->getBool("view.syllables"));
}

TEST(ShippedConfig, BlindExpertIsFastWithoutView) {
  liseur::test::TempXdg xdg;
  BuildResult r = load(xdg, "blind-expert");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_GE(r.config->getInt("speech.rate"), 250);
  EXPECT_FALSE(r.config->getBool("view.enabled"));
}

TEST(ShippedConfig, LowVisionIsLargeHighContrast) {
  liseur::test::TempXdg xdg;
  BuildResult r = load(xdg, "low-vision");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_GE(r.config->getInt("view.font_size_pt"), 24);
  const std::string theme = r.config->getString("view.theme");
  EXPECT_TRUE(theme == "yellow-on-black" || theme == "white-on-black") << theme;
}

TEST(ShippedConfig, LiseurTomlParsesAsIsWithoutDiagnostics) {
  ParsedLayer layer = parseLayerFile(kShipped + "/liseur.toml", LayerKind::kUserMain);
  EXPECT_TRUE(layer.diagnostics.empty()) << dump(layer.diagnostics);
  EXPECT_TRUE(layer.settings.empty()) << "the documentation file must set nothing";
}

// Un-commenting every "# key = value" line must give exactly the built-in defaults, for every
// key that can be written in liseur.toml: the documentation cannot drift from the code.
TEST(ShippedConfig, LiseurTomlDocumentsEveryDefault) {
  const std::string path = kShipped + "/liseur.toml";
  std::istringstream in(liseur::test::readFile(path));
  std::string text, line;
  const std::regex commented(R"(^# ([a-z_]+ = .*)$)");
  std::smatch m;
  while (std::getline(in, line))
    text += (std::regex_match(line, m, commented) ? m[1].str() : line) + "\n";
  ParsedLayer layer = parseLayerText(text, path + " (uncommented)", LayerKind::kUserMain);
  ASSERT_TRUE(layer.diagnostics.empty()) << dump(layer.diagnostics);
  for (const auto& spec : ConfigSchema::instance().keys()) {
    if (spec.isPattern() || spec.scope == KeyScope::kProfileOnly) continue;
    auto it = layer.settings.find(spec.key);
    ASSERT_NE(it, layer.settings.end()) << spec.key << " is not documented in " << path;
    EXPECT_EQ(it->second.value, spec.defaultValue)
        << spec.key << ": liseur.toml says " << formatValueToml(it->second.value)
        << ", the code says " << formatValueToml(spec.defaultValue);
  }
}

}  // namespace
}  // namespace liseur::config
