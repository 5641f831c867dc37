#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "config/config_schema.h"
#include "config/profile_manager.h"
#include "config_test_util.h"

namespace liseur::config {
namespace {
namespace fs = std::filesystem;
using liseur::test::readFile;
using test::ConfigTree;
using test::dump;

const ProfileInfo* byName(const std::vector<ProfileInfo>& list, const std::string& name) {
  for (const auto& p : list)
    if (p.name == name) return &p;
  return nullptr;
}

TEST(ProfileManager, ListsEveryProfileWithItsSource) {
  ConfigTree tree;
  tree.shipped("low-vision", "[profile]\ndescription = \"Large print\"\n");
  tree.systemProfile("classe", "[locks]\nkeys = [\"speech.rate\"]\n");
  tree.userProfile("default", "[speech]\nrate = 200\n");
  tree.userProfile("broken", "[speech]\nrate = 2000\n");
  ProfileManager pm(tree.dirs());
  auto list = pm.list();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].name, "broken");
  const ProfileInfo* lv = byName(list, "low-vision");
  ASSERT_NE(lv, nullptr);
  EXPECT_EQ(lv->source, ProfileSource::kShipped);
  EXPECT_EQ(lv->description, "Large print");
  const ProfileInfo* classe = byName(list, "classe");
  ASSERT_NE(classe, nullptr);
  EXPECT_EQ(classe->source, ProfileSource::kSystem);
  EXPECT_TRUE(classe->hasLocks);
  const ProfileInfo* def = byName(list, "default");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->source, ProfileSource::kUser);
  EXPECT_TRUE(def->shadowsOther);
  EXPECT_FALSE(byName(list, "broken")->valid);
  EXPECT_TRUE(def->valid);
}

TEST(ProfileManager, ShowGivesEffectiveValuesWithOrigins) {
  ConfigTree tree;
  const std::string f = tree.shipped("fast", "[speech]\nrate = 300\n");
  ProfileManager pm(tree.dirs());
  BuildResult r = pm.show("fast");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getInt("speech.rate"), 300);
  EXPECT_EQ(r.config->find("speech.rate")->origin.toString(), f + ":2");
  EXPECT_FALSE(pm.show("nope").ok());
}

TEST(ProfileManager, CreateFromATemplate) {
  ConfigTree tree;
  tree.shipped("dys-primaire",
               "# for CP-CM2\n[profile]\nname = \"dys-primaire\"\n[speech]\nrate = 120\n");
  ProfileManager pm(tree.dirs());
  Status s = pm.create("lea", "dys-primaire");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string file = tree.dirs().userProfilesDir() + "/lea.toml";
  EXPECT_EQ(readFile(file), "# for CP-CM2\n[profile]\nname = \"lea\"\n[speech]\nrate = 120\n");
  BuildResult r = pm.show("lea");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getInt("speech.rate"), 120);

  Status again = pm.create("lea", "dys-primaire");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos)
      << again.error().message;
  Status typo = pm.create("tom", "dys-primair");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'dys-primaire'?"), std::string::npos)
      << typo.error().message;
  EXPECT_FALSE(pm.create("../evil", "default").ok());
  EXPECT_FALSE(pm.create("Lea", "default").ok());
  EXPECT_FALSE(fs::exists(tree.dirs().userDir + "/evil.toml"));
}

TEST(ProfileManager, UserCopyOfALockedSystemProfileDropsTheLocksAndLoads) {
  ConfigTree tree;
  tree.systemProfile("classe", "[locks]\nkeys = [\"speech.rate\"]\n[speech]\nrate = 130\n");
  ProfileManager pm(tree.dirs());
  ASSERT_TRUE(pm.create("maison", "classe").ok());
  auto diags = pm.check(tree.dirs().userProfilesDir() + "/maison.toml");
  EXPECT_TRUE(diags.empty()) << dump(diags);
  BuildResult r = pm.show("maison");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getInt("speech.rate"), 130);
  EXPECT_EQ(r.config->lockOf("speech.rate"), nullptr);
}

TEST(ProfileManager, SetWritesAValidatedValueAndKeepsComments) {
  ConfigTree tree;
  const std::string file =
      tree.userProfile("lea", "# Léa: do not go above 140\n[speech]\nrate = 120 # slow\n");
  ProfileManager pm(tree.dirs());
  Status s = pm.set("lea", "speech.rate", "130");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(readFile(file), "# Léa: do not go above 140\n[speech]\nrate = 130 # slow\n");
  ASSERT_TRUE(pm.set("lea", "view.line_colours", "blue,red,green").ok());
  BuildResult r = pm.show("lea");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getStringList("view.line_colours"), (StringList{"blue", "red", "green"}));

  const std::string before = readFile(file);
  Status bad = pm.set("lea", "speech.rate", "2000");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("an integer from 80 to 450"), std::string::npos)
      << bad.error().message;
  Status typo = pm.set("lea", "view.theme", "blak-on-white");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'black-on-white'?"), std::string::npos)
      << typo.error().message;
  EXPECT_FALSE(pm.set("lea", "daemon.profile", "x").ok());
  EXPECT_EQ(readFile(file), before) << "a refused set changed the file";
}

// Voices, languages, plugins and colours are written as their names, so a profile means the
// same on a machine with other voices installed, or another order of plugins in a directory.
TEST(ProfileManager, SettingsAreStoredByNameNeverByPosition) {
  ConfigTree tree;
  const std::string file = tree.userProfile("lea", "[speech]\nrate = 120\n");
  ProfileManager pm(tree.dirs());
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"speech.voice_fr", "fr-be"},
                                                        {"speech.voice_en", "en-us"},
                                                        {"ocr.languages", "fra+eng"},
                                                        {"ocr.language", "fr"},
                                                        {"plugins.chain", "dys,reading-order"},
                                                        {"view.line_colours", "green,blue"}}) {
    Status s = pm.set("lea", key, value);
    ASSERT_TRUE(s.ok()) << key << ": " << s.error().message;
  }
  const std::string text = readFile(file);
  for (const char* line :
       {"voice_fr = \"fr-be\"", "voice_en = \"en-us\"", "languages = \"fra+eng\"",
        "language = \"fr\"", "chain = [\"dys\", \"reading-order\"]",
        "line_colours = [\"green\", \"blue\"]"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
  BuildResult r = pm.show("lea");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->getStringList("plugins.chain"), (StringList{"dys", "reading-order"}));
  EXPECT_EQ(r.config->getString("speech.voice_fr"), "fr-be");
  // A number where a name belongs is refused, not taken as "the third voice".
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"speech.voice_fr", "3"}, {"ocr.languages", "2"}, {"plugins.chain", "[1, 2]"}}) {
    Status s = pm.set("lea", key, value);
    EXPECT_FALSE(s.ok()) << key << " = " << value << " was accepted";
  }
  // And in the schema, every key that chooses among installed things takes names.
  for (const auto& spec : ConfigSchema::instance().keys()) {
    if (spec.check == TextCheck::kVoice || spec.check == TextCheck::kOcrLanguages ||
        spec.check == TextCheck::kPluginId || spec.check == TextCheck::kColour ||
        spec.check == TextCheck::kProfileName) {
      EXPECT_TRUE(spec.type == ValueType::kString || spec.type == ValueType::kStringList)
          << spec.key;
    }
  }
}

TEST(ProfileManager, SetOnAShippedProfileWritesAUserCopy) {
  ConfigTree tree;
  const std::string shipped = tree.shipped("low-vision", "[view]\nfont_size_pt = 28\n");
  const std::string original = readFile(shipped);
  ProfileManager pm(tree.dirs());
  ASSERT_TRUE(pm.set("low-vision", "view.font_size_pt", "32").ok());
  EXPECT_EQ(readFile(shipped), original) << "a shipped profile was written";
  EXPECT_EQ(readFile(tree.dirs().userProfilesDir() + "/low-vision.toml"),
            "[view]\nfont_size_pt = 32\n");
  EXPECT_EQ(pm.show("low-vision").config->getInt("view.font_size_pt"), 32);
}

TEST(ProfileManager, SetOfALockedKeyIsRefusedNamingTheLock) {
  ConfigTree tree;
  const std::string sys = tree.systemProfile(
      "classe", "[profile]\nname = \"classe\"\n[locks]\nkeys = [\"plugins.chain\"]\n");
  ProfileManager pm(tree.dirs());
  Status s = pm.set("classe", "plugins.chain", "[]");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigLocked);
  EXPECT_EQ(s.error().name(), "config-locked");
  EXPECT_NE(s.error().message.find("plugins.chain is locked by " + sys + ":4 ([locks] keys)"),
            std::string::npos)
      << s.error().message;
  EXPECT_FALSE(fs::exists(tree.dirs().userProfilesDir() + "/classe.toml"));
  // The administrator may change it in the system profile.
  Status admin = pm.set("classe", "plugins.chain", "[\"dys\"]", ProfileTarget::kSystem);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  EXPECT_NE(readFile(sys).find("[locks]"), std::string::npos);
}

TEST(ProfileManager, SetFailsCleanlyWhenTheSaveFails) {
  ConfigTree tree;
  const std::string file = tree.userProfile("lea", "[speech]\nrate = 120\n");
  SaveHooks hooks;
  hooks.beforeStep = [](SaveStep step) { return step == SaveStep::kRename ? EIO : 0; };
  AtomicWriteOptions options;
  options.hooks = &hooks;
  ProfileManager pm(tree.dirs(), options);
  Status s = pm.set("lea", "speech.rate", "130");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_NE(s.error().message.find("cannot save " + file + ": rename failed: " +
                                   std::strerror(EIO) + " (the previous file is unchanged)"),
            std::string::npos)
      << s.error().message;
  EXPECT_EQ(readFile(file), "[speech]\nrate = 120\n");
}

Status statusOf(const Result<std::string>& r) {
  return r ? okStatus() : Status(r.error());
}

// Every kind of write (new, use, set, import, export) reports a failed save with the same code
// and keeps what was there.
TEST(ProfileManager, EveryWriteReportsConfigWriteFailedAndKeepsTheOldFile) {
  ConfigTree tree;
  tree.shipped("default", "[speech]\nrate = 175\n");
  const std::string main = tree.userMain("[speech]\nvolume = 90\n");
  const std::string lea = tree.userProfile("lea", "[speech]\nrate = 120\n");
  const std::string importFile = tree.put(tree.xdg().path("in/lea.toml"), "[speech]\nrate = 99\n");
  const std::string exported = tree.put(tree.xdg().path("out/lea.toml"), "old export\n");
  SaveHooks hooks;
  hooks.beforeStep = [](SaveStep step) { return step == SaveStep::kWrite ? ENOSPC : 0; };
  AtomicWriteOptions options;
  options.hooks = &hooks;
  ProfileManager pm(tree.dirs(), options);
  ImportOptions replace;
  replace.replace = true;
  const std::pair<const char*, Status> cases[] = {
      {"new", pm.create("zoe", "default")},
      {"use", pm.use("lea")},
      {"set", pm.set("lea", "speech.rate", "130")},
      {"import", statusOf(pm.importFile(importFile, replace))},
      {"export", pm.exportTo("lea", exported)},
  };
  for (const auto& [what, s] : cases) {
    ASSERT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << what << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(std::strerror(ENOSPC)), std::string::npos)
        << what << ": " << s.error().message;
  }
  EXPECT_EQ(readFile(main), "[speech]\nvolume = 90\n");
  EXPECT_EQ(readFile(lea), "[speech]\nrate = 120\n");
  EXPECT_EQ(readFile(exported), "old export\n");
  EXPECT_FALSE(fs::exists(tree.dirs().userProfilesDir() + "/zoe.toml"));
}

TEST(ProfileManager, AProfilesDirectoryThatCannotBeMadeIsConfigWriteFailed) {
  ConfigTree tree;
  tree.shipped("default", "");
  fs::remove_all(tree.dirs().userProfilesDir());
  tree.put(tree.dirs().userProfilesDir(), "a file where the directory should be\n");
  ProfileManager pm(tree.dirs());
  Status s = pm.create("zoe", "default");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_NE(s.error().message.find(tree.dirs().userProfilesDir()), std::string::npos)
      << s.error().message;
}

TEST(ProfileManager, CheckReportsEveryError) {
  ConfigTree tree;
  const std::string file = tree.put(tree.xdg().path("pupil.toml"),
                                    "[speech]\nrat = 1\nvolume = 900\n[view]\ntheme = \"dis\"\n"
                                    "[locks]\nkeys = []\n");
  ProfileManager pm(tree.dirs());
  auto diags = pm.check(file);
  ASSERT_EQ(diags.size(), 4u) << dump(diags);
  for (const auto& d : diags) {
    EXPECT_EQ(d.file, file);
    EXPECT_GT(d.line, 0) << d.toString();
    EXPECT_GT(d.column, 0) << d.toString();
  }
  EXPECT_EQ(diags[3].key, "locks");
  // The same file is fine as a system profile (where locks are allowed) but for its errors.
  EXPECT_EQ(pm.check(file, LayerKind::kSystemProfile).size(), 3u);
  // liseur.toml under SYSTEM may hold locks; the same text under USER may not.
  const std::string sysMain = tree.systemMain("[locks]\nkeys = [\"speech.rate\"]\n");
  EXPECT_TRUE(pm.check(sysMain).empty()) << dump(pm.check(sysMain));
  const std::string userMain = tree.userMain("[locks]\nkeys = [\"speech.rate\"]\n");
  EXPECT_EQ(pm.check(userMain).size(), 1u);
}

TEST(ProfileManager, ExportGivesTheStoredTextAndRefusesABrokenProfile) {
  ConfigTree tree;
  const std::string text = "# Léa\n[speech]\nrate = 120\n";
  tree.userProfile("lea", text);
  tree.userProfile("broken", "[speech]\nrate = 1\n");
  ProfileManager pm(tree.dirs());
  Result<std::string> out = pm.exportText("lea");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, text);
  const std::string dest = tree.xdg().path("usb/lea.toml");
  fs::create_directories(tree.xdg().path("usb"));
  ASSERT_TRUE(pm.exportTo("lea", dest).ok());
  EXPECT_EQ(readFile(dest), text);
  Result<std::string> broken = pm.exportText("broken");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("broken.toml:2"), std::string::npos)
      << broken.error().message;
}

TEST(ProfileManager, ImportValidatesBeforeInstalling) {
  ConfigTree tree;
  ProfileManager pm(tree.dirs());
  const std::string good =
      tree.put(tree.xdg().path("usb/lea.toml"),
               "# from school\n[profile]\nname = \"old-name\"\n[speech]\nrate = 120\n");
  Result<std::string> name = pm.importFile(good);
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "lea");
  const std::string installed = tree.dirs().userProfilesDir() + "/lea.toml";
  EXPECT_EQ(readFile(installed),
            "# from school\n[profile]\nname = \"lea\"\n[speech]\nrate = 120\n");

  Result<std::string> twice = pm.importFile(good);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("already exists"), std::string::npos);
  ImportOptions replace;
  replace.replace = true;
  EXPECT_TRUE(pm.importFile(good, replace).ok());

  const std::string bad =
      tree.put(tree.xdg().path("usb/tom.toml"), "[speech]\nrate = 1\n[view]\nthem = \"dys\"\n");
  Result<std::string> refused = pm.importFile(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("tom.toml:2"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("did you mean 'view.theme'?"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(fs::exists(tree.dirs().userProfilesDir() + "/tom.toml"));
}

TEST(ProfileManager, ImportWithLocksNeedsTheSystemTarget) {
  ConfigTree tree;
  ProfileManager pm(tree.dirs());
  const std::string file = tree.put(tree.xdg().path("usb/classe.toml"),
                                    "[locks]\nkeys = [\"speech.rate\"]\n[speech]\nrate = 130\n");
  Result<std::string> user = pm.importFile(file);
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.error().message.find("system profile"), std::string::npos) << user.error().message;
  ImportOptions sys;
  sys.target = ProfileTarget::kSystem;
  sys.name = "classe-cm1";
  Result<std::string> admin = pm.importFile(file, sys);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  EXPECT_TRUE(fs::exists(tree.dirs().systemProfilesDir() + "/classe-cm1.toml"));
  BuildResult r = pm.show("classe-cm1");
  ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
  EXPECT_NE(r.config->lockOf("speech.rate"), nullptr);
}

TEST(ProfileManager, UseSelectsTheProfileInUserConfigKeepingItsComments) {
  ConfigTree tree;
  tree.shipped("dys-college", "");
  const std::string main = tree.userMain("# mine\n[speech]\nvolume = 90\n");
  ProfileManager pm(tree.dirs());
  ASSERT_TRUE(pm.use("dys-college").ok());
  EXPECT_EQ(readFile(main),
            "# mine\n[speech]\nvolume = 90\n\n[daemon]\nprofile = \"dys-college\"\n");
  ConfigStore store(tree.dirs());
  ASSERT_TRUE(store.reload().applied);
  EXPECT_EQ(store.current()->profileName(), "dys-college");
  ASSERT_TRUE(pm.use("default").ok());
  EXPECT_EQ(readFile(main), "# mine\n[speech]\nvolume = 90\n\n[daemon]\nprofile = \"default\"\n");
  EXPECT_FALSE(pm.use("dys-colege").ok());
  const std::string sys = tree.systemMain("[locks]\nkeys = [\"daemon.profile\"]\n");
  Status locked = pm.use("dys-college");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, ErrorCode::kConfigLocked);
  EXPECT_EQ(locked.error().name(), "config-locked");
  EXPECT_NE(locked.error().message.find("daemon.profile is locked by " + sys + ":2 ([locks] keys)"),
            std::string::npos)
      << locked.error().message;
  EXPECT_EQ(readFile(main), "# mine\n[speech]\nvolume = 90\n\n[daemon]\nprofile = \"default\"\n");
}

}  // namespace
}  // namespace liseur::config

namespace liseur::config {
namespace {

TEST(ProfileManager, AdministratorCopyStartsFromTheShippedProfileNotTheUsers) {
  ConfigTree tree;
  tree.shipped("dys-primaire", "[speech]\nrate = 120\n");
  tree.userProfile("dys-primaire", "[speech]\nrate = 400\n[view]\nsyllables = false\n");
  ProfileManager pm(tree.dirs());
  Status s = pm.set("dys-primaire", "speech.pitch", "40", ProfileTarget::kSystem);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(readFile(tree.dirs().systemProfilesDir() + "/dys-primaire.toml"),
            "[speech]\npitch = 40\nrate = 120\n");
}

TEST(ConfigParserLocks, ProfileKeysOnlyOfLiseurTomlCannotBeLockedInAProfile) {
  ParsedLayer layer =
      parseLayerText("[locks]\nkeys = [\"daemon.profile\"]\n", "p.toml", LayerKind::kSystemProfile);
  ASSERT_EQ(layer.diagnostics.size(), 1u) << dump(layer.diagnostics);
  EXPECT_EQ(layer.diagnostics[0].message, "this key can only be locked in /etc/liseur/liseur.toml");
  EXPECT_TRUE(layer.locks.empty());
}

}  // namespace
}  // namespace liseur::config
