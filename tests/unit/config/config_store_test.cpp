#include <gtest/gtest.h>

#include "config/config_store.h"
#include "config_test_util.h"

namespace liseur::config {
namespace {

using test::ConfigTree;
using test::dump;

std::int64_t rateOf(const BuildResult& r) {
  return r.config->getInt("speech.rate");
}

TEST(ConfigLayers, DefaultsWhenNoFileExists) {
  ConfigTree tree;
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 175);
  EXPECT_EQ(r.config->find("speech.rate")->origin.toString(), "default");
  EXPECT_EQ(r.config->profileName(), "default");
  EXPECT_EQ(r.config->profileFile(), tree.dirs().shippedProfilesDir() + "/default.toml");
  EXPECT_EQ(r.config->getString("view.theme"), "black-on-white");
  EXPECT_EQ(r.config->getStringList("plugins.chain"), (StringList{"reading-order"}));
}

TEST(ConfigLayers, EachLayerOverridesTheOneBeforeAndRemembersWhere) {
  ConfigTree tree;
  const std::string sys = tree.systemMain("[speech]\nrate = 150\npitch = 40\nvolume = 90\n");
  const std::string user = tree.userMain("[speech]\n\nrate = 160\npitch = 45\n");
  const std::string prof = tree.userProfile("default", "[speech]\nrate = 170\n");
  RuntimeSettings runtime{{"speech.volume", Value(std::int64_t{120})}};
  BuildOptions options;
  options.runtime = &runtime;
  BuildResult r = buildConfig(tree.dirs(), options);
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 170);
  EXPECT_EQ(r.config->find("speech.rate")->origin.toString(), prof + ":2");
  EXPECT_EQ(r.config->getInt("speech.pitch"), 45);
  EXPECT_EQ(r.config->find("speech.pitch")->origin.toString(), user + ":4");
  EXPECT_EQ(r.config->getInt("speech.volume"), 120);
  EXPECT_EQ(r.config->find("speech.volume")->origin.toString(), "runtime");
  EXPECT_EQ(r.config->find("speech.word_gap")->origin.toString(), "default");
  (void)sys;
}

TEST(ConfigLayers, ProfileIsFoundInUserThenSystemThenShipped) {
  ConfigTree tree;
  tree.shipped("p", "[speech]\nrate = 101\n");
  tree.userMain("[daemon]\nprofile = \"p\"\n");
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 101);
  EXPECT_EQ(r.config->profileName(), "p");

  tree.systemProfile("p", "[speech]\nrate = 102\n");
  r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 102);

  tree.userProfile("p", "[speech]\nrate = 103\n");
  r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 103);
  EXPECT_EQ(r.config->profileFile(), tree.dirs().userProfilesDir() + "/p.toml");
  EXPECT_EQ(r.config->find("daemon.profile")->origin.toString(), tree.dirs().userMainFile() + ":2");
}

TEST(ConfigLayers, ProfileOptionOverridesDaemonProfile) {
  ConfigTree tree;
  tree.shipped("slow", "[speech]\nrate = 90\n");
  BuildOptions options;
  options.profile = "slow";
  BuildResult r = buildConfig(tree.dirs(), options);
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 90);
}

TEST(ConfigLayers, MissingProfileIsAnErrorWithSuggestion) {
  ConfigTree tree;
  tree.shipped("dys-primaire", "");
  const std::string user = tree.userMain("[daemon]\nprofile = \"dys-primair\"\n");
  BuildResult r = buildConfig(tree.dirs());
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.file, user);
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.key, "daemon.profile");
  EXPECT_EQ(d.suggestion, "dys-primaire");
  EXPECT_EQ(d.expected, "one of default|dys-primaire");
}

TEST(ConfigLayers, ErrorsOfEveryFileAreReportedTogether) {
  ConfigTree tree;
  tree.systemMain("[speech]\nrate = 1\n");
  tree.userMain("[view]\ntheme = \"dark\"\n");
  tree.userProfile("default", "[ocr]\nmode = \"page\"\n");
  BuildResult r = buildConfig(tree.dirs());
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 3u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].file, tree.dirs().systemMainFile());
  EXPECT_EQ(r.diagnostics[1].file, tree.dirs().userMainFile());
  EXPECT_EQ(r.diagnostics[2].file, tree.dirs().userProfilesDir() + "/default.toml");
}

TEST(ConfigLocks, UserFileCannotChangeALockedKey) {
  ConfigTree tree;
  const std::string sys =
      tree.systemMain("[locks]\nkeys = [\"speech.rate\"]\n\n[speech]\nrate = 150\n");
  const std::string user = tree.userMain("[speech]\nrate = 300\npitch = 60\n");
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(rateOf(r), 150);
  EXPECT_EQ(r.config->find("speech.rate")->origin.toString(), sys + ":5");
  EXPECT_EQ(r.config->getInt("speech.pitch"), 60) << "unlocked keys still apply";
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.severity, Severity::kWarning);
  EXPECT_EQ(d.file, user);
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.key, "speech.rate");
  EXPECT_NE(d.message.find("speech.rate is locked by " + sys + ":2"), std::string::npos)
      << d.toString();
  ASSERT_NE(r.config->lockOf("speech.rate"), nullptr);
  EXPECT_EQ(r.config->lockOf("speech.rate")->file, sys);
}

TEST(ConfigLocks, ShippedProfileCannotChangeALockedKeyEither) {
  ConfigTree tree;
  tree.systemMain("[locks]\nkeys = [\"view.syllables\"]\n");
  tree.shipped("dys", "[view]\nsyllables = true\n");
  BuildOptions options;
  options.profile = "dys";
  BuildResult r = buildConfig(tree.dirs(), options);
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_FALSE(r.config->getBool("view.syllables")) << "locked at its default";
  EXPECT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
}

TEST(ConfigLocks, SystemProfileLocksHoldEvenWhenTheUserCopiesTheProfile) {
  ConfigTree tree;
  const std::string sysProfile =
      tree.systemProfile("dys-primaire",
                         "[locks]\nkeys = [\"plugins.chain\"]\n[plugins]\nchain = [\"dys\"]\n"
                         "[speech]\nrate = 120\n");
  tree.userMain("[daemon]\nprofile = \"dys-primaire\"\n");
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getStringList("plugins.chain"), StringList{"dys"});
  EXPECT_EQ(r.config->profileFile(), sysProfile);

  tree.userProfile("dys-primaire", "[plugins]\nchain = []\n[speech]\nrate = 200\n");
  r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getStringList("plugins.chain"), StringList{"dys"})
      << "a user copy must not lift the lock";
  EXPECT_EQ(r.config->find("plugins.chain")->origin.toString(), sysProfile + ":4");
  EXPECT_EQ(rateOf(r), 200) << "unlocked keys of the user copy apply";
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_NE(r.diagnostics[0].message.find(sysProfile + ":2"), std::string::npos)
      << r.diagnostics[0].toString();

  // The lock belongs to that profile only.
  BuildOptions other;
  other.profile = "default";
  tree.userMain("");
  r = buildConfig(tree.dirs(), other);
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->lockOf("plugins.chain"), nullptr);
}

TEST(ConfigLocks, LockedProfileChoicePinsThePupilsProfile) {
  ConfigTree tree;
  tree.shipped("dys-primaire", "[speech]\nrate = 120\n");
  tree.systemMain("[locks]\nkeys = [\"daemon.profile\"]\n[daemon]\nprofile = \"dys-primaire\"\n");
  tree.userMain("[daemon]\nprofile = \"default\"\n");
  ConfigStore store(tree.dirs());
  ReloadReport report = store.reload();
  ASSERT_TRUE(report.applied) << dump(report.diagnostics);
  EXPECT_EQ(store.current()->profileName(), "dys-primaire");
  Status s = store.set("daemon.profile", "default");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(
      s.error().message.find("daemon.profile is locked by " + tree.dirs().systemMainFile() + ":2"),
      std::string::npos)
      << s.error().message;
}

TEST(ConfigStore, RuntimeSetOfALockedKeyIsRefusedNamingKeyLockAndFile) {
  ConfigTree tree;
  const std::string sys = tree.systemMain("[locks]\nkeys = [\"speech.rate\", \"plugins.chain\"]\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  Status s = store.set("speech.rate", "300");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigLocked);
  EXPECT_EQ(s.error().message,
            "speech.rate is locked by " + sys +
                ":2 ([locks] keys); the person who manages this computer can change it there");
  EXPECT_EQ(store.current()->getInt("speech.rate"), 175);
  EXPECT_TRUE(store.set("speech.pitch", "70").ok());
}

TEST(ConfigStore, RuntimeSetValidatesAndRemembersOrigin) {
  ConfigTree tree;
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  const auto before = store.generation();
  ASSERT_TRUE(store.set("speech.rate", "220").ok());
  EXPECT_EQ(store.current()->getInt("speech.rate"), 220);
  EXPECT_EQ(store.current()->find("speech.rate")->origin.toString(), "runtime");
  EXPECT_GT(store.generation(), before);

  Status bad = store.set("speech.rate", "2200");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(bad.error().message.find("an integer from 80 to 450"), std::string::npos)
      << bad.error().message;
  EXPECT_EQ(store.current()->getInt("speech.rate"), 220);

  Status typo = store.set("speech.rat", "200");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'speech.rate'?"), std::string::npos)
      << typo.error().message;

  EXPECT_FALSE(store.set("profile.name", "x").ok());

  ASSERT_TRUE(store.unset("speech.rate").ok());
  EXPECT_EQ(store.current()->getInt("speech.rate"), 175);
}

TEST(ConfigStore, RuntimeValuesSurviveReload) {
  ConfigTree tree;
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  ASSERT_TRUE(store.set("speech.volume", "150").ok());
  tree.userMain("[speech]\nvolume = 80\nrate = 190\n");
  ASSERT_TRUE(store.reload().applied);
  EXPECT_EQ(store.current()->getInt("speech.volume"), 150);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 190);
  store.clearRuntime();
  EXPECT_EQ(store.current()->getInt("speech.volume"), 80);
}

TEST(ConfigStore, ANewLockDropsTheRuntimeValue) {
  ConfigTree tree;
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  ASSERT_TRUE(store.set("speech.rate", "300").ok());
  tree.systemMain("[locks]\nkeys = [\"speech.rate\"]\n");
  ReloadReport report = store.reload();
  ASSERT_TRUE(report.applied) << dump(report.diagnostics);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 175);
  EXPECT_EQ(store.runtime().count("speech.rate"), 0u);
}

TEST(ConfigStore, BrokenFileKeepsTheLastGoodConfigAndReportsEveryError) {
  ConfigTree tree;
  tree.userMain("[speech]\nrate = 200\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  auto good = store.current();
  const auto gen = store.generation();

  // One good change and two bad ones in the same edit: nothing of it may apply.
  tree.userMain("[speech]\nrate = 210\npitch = 500\n[view]\ntheme = \"blak-on-white\"\n");
  ReloadReport report = store.reload();
  EXPECT_FALSE(report.applied);
  ASSERT_EQ(report.diagnostics.size(), 2u) << dump(report.diagnostics);
  EXPECT_EQ(report.diagnostics[0].key, "speech.pitch");
  EXPECT_EQ(report.diagnostics[1].suggestion, "black-on-white");
  EXPECT_EQ(store.current(), good);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 200) << "half a file was applied";
  EXPECT_EQ(store.generation(), gen);

  tree.userMain("[speech]\nrate = 210\n");
  report = store.reload();
  EXPECT_TRUE(report.applied) << dump(report.diagnostics);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 210);
}

TEST(ConfigStore, SyntaxErrorOnReloadKeepsLastGood) {
  ConfigTree tree;
  tree.userMain("[speech]\nrate = 200\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  tree.userMain("[speech\nrate = 100\n");
  ReloadReport report = store.reload();
  EXPECT_FALSE(report.applied);
  ASSERT_EQ(report.diagnostics.size(), 1u) << dump(report.diagnostics);
  EXPECT_EQ(report.diagnostics[0].line, 1);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 200);
}

TEST(ConfigStore, BeforeAnySuccessTheDefaultsServe) {
  ConfigTree tree;
  tree.userMain("[speech]\nrate = nope\n");
  ConfigStore store(tree.dirs());
  EXPECT_FALSE(store.reload().applied);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 175);
  EXPECT_EQ(store.generation(), 0u);
}

TEST(ConfigStore, RuntimeSetDoesNotRereadFilesBeingEdited) {
  ConfigTree tree;
  tree.userMain("[speech]\nrate = 200\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  tree.userMain("[speech]\nrate = = \n");  // half-edited, not reloaded yet
  Status s = store.set("speech.volume", "140");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(store.current()->getInt("speech.volume"), 140);
  EXPECT_EQ(store.current()->getInt("speech.rate"), 200);
}

TEST(ConfigStore, SwitchingProfileAtRuntime) {
  ConfigTree tree;
  tree.shipped("fast", "[speech]\nrate = 300\n");
  tree.shipped("broken", "[speech]\nrate = 3000\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  ASSERT_TRUE(store.set("daemon.profile", "fast").ok());
  EXPECT_EQ(store.current()->profileName(), "fast");
  EXPECT_EQ(store.current()->getInt("speech.rate"), 300);

  Status missing = store.set("daemon.profile", "fats");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("did you mean 'fast'?"), std::string::npos)
      << missing.error().message;
  Status broken = store.set("daemon.profile", "broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("broken.toml:2"), std::string::npos)
      << broken.error().message;
  EXPECT_EQ(store.current()->profileName(), "fast");
}

TEST(ConfigStore, HotkeyClashIsAnErrorAtTheSettingAPersonWrote) {
  ConfigTree tree;
  const std::string user = tree.userMain("[hotkeys]\nspell = \"Ctrl+Alt+Shift+W\"\n");
  BuildResult r = buildConfig(tree.dirs());
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].key, "hotkeys.spell");
  EXPECT_EQ(r.diagnostics[0].file, user);
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].message, "same hotkey as hotkeys.read_window (default)");

  // Same chord spelt differently is still the same chord.
  tree.userMain("[hotkeys]\nspell = \"shift+ctrl+alt+w\"\n");
  EXPECT_FALSE(buildConfig(tree.dirs()).ok());
  // Moving read_window away frees the chord.
  tree.userMain("[hotkeys]\nspell = \"Ctrl+Alt+Shift+W\"\nread_window = \"Ctrl+Alt+Shift+E\"\n");
  BuildResult ok = buildConfig(tree.dirs());
  EXPECT_TRUE(ok.ok()) << dump(ok.diagnostics);
}

TEST(Config, JsonAndTextShowValuesOriginsAndLocks) {
  ConfigTree tree;
  const std::string sys = tree.systemMain("[locks]\nkeys = [\"speech.rate\"]\n");
  const std::string user = tree.userMain("[view]\nfont_size_pt = 20\n");
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  nlohmann::json j = r.config->toJson();
  EXPECT_EQ(j["settings"]["view.font_size_pt"]["value"], 20);
  EXPECT_EQ(j["settings"]["view.font_size_pt"]["origin"], user + ":2");
  EXPECT_EQ(j["locks"]["speech.rate"], sys + ":2");
  EXPECT_EQ(j["profile"]["name"], "default");
  std::string text = r.config->toText();
  EXPECT_NE(text.find("speech.rate = 175"), std::string::npos) << text;
  EXPECT_NE(text.find("(locked by " + sys + ":2)"), std::string::npos) << text;
}

TEST(Config, PluginOptionsAreHandedOverAsJson) {
  ConfigTree tree;
  tree.userProfile("default", "[plugins.options.dys]\nchunk_words = 4\nmode = \"cp\"\n");
  BuildResult r = buildConfig(tree.dirs());
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->pluginOptions("dys"), (nlohmann::json{{"chunk_words", 4}, {"mode", "cp"}}));
  EXPECT_EQ(r.config->pluginOptions("other"), nlohmann::json::object());
}

}  // namespace
}  // namespace liseur::config

namespace liseur::config {
namespace {

TEST(ConfigStore, TypedSetForDaemonActions) {
  test::ConfigTree tree;
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  ASSERT_TRUE(store.setValue("speech.rate", Value(std::int64_t{200})).ok());
  EXPECT_EQ(store.current()->getInt("speech.rate"), 200);
  ASSERT_TRUE(store.setValue("view.line_spacing", Value(std::int64_t{2})).ok());
  EXPECT_EQ(store.current()->getDouble("view.line_spacing"), 2.0);

  Status tooFast = store.setValue("speech.rate", Value(std::int64_t{460}));
  ASSERT_FALSE(tooFast.ok());
  EXPECT_EQ(tooFast.error().message,
            "runtime: error: speech.rate: invalid value; expected an integer from 80 to 450, "
            "found 460");
  Status wrongType = store.setValue("speech.rate", Value(std::string("fast")));
  ASSERT_FALSE(wrongType.ok());
  EXPECT_EQ(store.current()->getInt("speech.rate"), 200);
  EXPECT_FALSE(store.setValue("speech.rat", Value(std::int64_t{200})).ok());
}

}  // namespace
}  // namespace liseur::config
