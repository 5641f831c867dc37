// Manifests and the plugin catalog: errors that `liseur plugins` lists, and the trust rules
// (no group- or world-writable plugin files or folders).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "plugins/plugin_catalog.h"
#include "plugins/plugin_manifest.h"
#include "support/test_env.h"

namespace lp = liseur::plugins;
namespace fs = std::filesystem;
using liseur::ErrorCode;
using nlohmann::json;

namespace {

json goodManifest(const std::string& id) {
  return json{{"manifest", 1},
              {"id", id},
              {"version", "1.0"},
              {"abi", 1},
              {"hooks", {"adapt"}},
              {"description", "test"},
              {"options",
               {{"level", {{"type", "int"}, {"default", 2}, {"min", 1}, {"max", 3}}},
                {"mode", {{"type", "string"}, {"default", "a"}, {"choices", {"a", "b"}}}}}}};
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("LISEUR_PLUGIN_PATH");
    root_ = xdg_.path("plugins");
    fs::create_directories(root_);
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  }
  // A plugin folder with the given manifest text and an (empty) library file.
  std::string addPlugin(const std::string& id, const std::string& manifestText,
                        const std::string& library = "") {
    std::string dir = root_ + "/" + id;
    fs::create_directories(dir);
    liseur::test::writeFile(dir + "/manifest.json", manifestText);
    liseur::test::writeFile(dir + "/" + (library.empty() ? id + ".so" : library), "");
    return dir;
  }
  const lp::PluginInfo* find(const lp::PluginScan& scan, const std::string& id) {
    for (const auto& p : scan.plugins)
      if (p.id == id) return &p;
    return nullptr;
  }

  liseur::test::TempXdg xdg_;
  std::string root_;
};

TEST_F(CatalogTest, ValidManifestIsAvailable) {
  addPlugin("good", goodManifest("good").dump());
  auto scan = lp::listPlugins({root_});
  const auto* p = find(scan, "good");
  ASSERT_NE(p, nullptr) << lp::toJson(scan).dump(2);
  EXPECT_EQ(p->state, lp::PluginState::kAvailable) << lp::toJson(*p).dump(2);
  EXPECT_EQ(p->origin, "arg");
  ASSERT_TRUE(p->manifest);
  EXPECT_EQ(p->manifest->options.size(), 2u);
}

TEST_F(CatalogTest, ManifestErrorsAreListedWithTheMember) {
  struct Case {
    std::string id, text, expect;
  };
  json noHooks = goodManifest("no-hooks");
  noHooks.erase("hooks");
  json badHook = goodManifest("bad-hook");
  badHook["hooks"] = {"adapt", "paint"};
  json badDefault = goodManifest("bad-default");
  badDefault["options"]["level"]["default"] = "two";
  json outOfRange = goodManifest("out-of-range");
  outOfRange["options"]["level"]["default"] = 7;
  json futureAbi = goodManifest("future-abi");
  futureAbi["abi"] = 99;
  json wrappingAbi = goodManifest("wrapping-abi");
  wrappingAbi["abi"] = 4294967297ull;  // 2^32 + 1: must not be read as 1 (found by fuzzing)
  json otherId = goodManifest("someone-else");
  const std::vector<Case> cases = {
      {"not-json", "{ \"id\": ", "not valid JSON"},
      {"no-hooks", noHooks.dump(), "hooks"},
      {"bad-hook", badHook.dump(), "\"paint\""},
      {"bad-default", badDefault.dump(), "options.level.default: expected an integer"},
      {"out-of-range", outOfRange.dump(), "options.level.default"},
      {"future-abi", futureAbi.dump(), "found 99"},
      {"wrapping-abi", wrappingAbi.dump(), "found 4294967297"},
      {"other-id", otherId.dump(), "differs from the folder name"},
  };
  for (const auto& c : cases) addPlugin(c.id, c.text);
  auto scan = lp::listPlugins({root_});
  for (const auto& c : cases) {
    const auto* p = find(scan, c.id);
    ASSERT_NE(p, nullptr) << c.id;
    EXPECT_EQ(p->state, lp::PluginState::kInvalid) << c.id << ": " << c.text;
    ASSERT_TRUE(p->error) << c.id;
    EXPECT_NE(p->error->message.find(c.expect), std::string::npos)
        << c.id << ": manifest " << c.text << "\nmessage: " << p->error->message;
    // The listing shown by `liseur plugins` carries the message.
    EXPECT_EQ(lp::toJson(*p)["error"]["message"], p->error->message);
  }
}

TEST_F(CatalogTest, ListingShowsStateAndError) {
  addPlugin("good", goodManifest("good").dump());
  std::string dir = addPlugin("open", goodManifest("open").dump());
  ::chmod((dir + "/open.so").c_str(), 0666);
  std::string text = lp::formatPluginList(lp::toJson(lp::scanPlugins({{root_, "arg"}})));
  EXPECT_NE(text.find("good 1.0  available  adapt  " + root_ + "/good\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("open 1.0  refused  adapt  " + root_ + "/open\n    " + dir +
                      "/open.so: refused: group- or world-writable (mode 0666)\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(lp::formatPluginList(nlohmann::json::object()), "no plugins installed\n");
}

TEST_F(CatalogTest, MissingLibraryIsInvalid) {
  std::string dir = addPlugin("lonely", goodManifest("lonely").dump());
  fs::remove(dir + "/lonely.so");
  auto scan = lp::listPlugins({root_});
  const auto* p = find(scan, "lonely");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state, lp::PluginState::kInvalid) << lp::toJson(*p).dump();
  EXPECT_NE(p->error->message.find("lonely.so"), std::string::npos) << p->error->message;
}

TEST_F(CatalogTest, WorldWritableLibraryIsRefused) {
  std::string dir = addPlugin("open", goodManifest("open").dump());
  ::chmod((dir + "/open.so").c_str(), 0666);
  auto scan = lp::listPlugins({root_});
  const auto* p = find(scan, "open");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state, lp::PluginState::kRefused) << lp::toJson(*p).dump();
  EXPECT_EQ(p->error->code, ErrorCode::kFileUnreadable);
  EXPECT_NE(p->error->message.find("world-writable (mode 0666)"), std::string::npos)
      << p->error->message;
  EXPECT_NE(p->error->message.find(dir + "/open.so"), std::string::npos) << p->error->message;
}

TEST_F(CatalogTest, GroupWritableFolderOrManifestIsRefused) {
  std::string a = addPlugin("group-dir", goodManifest("group-dir").dump());
  ::chmod(a.c_str(), 0775);
  std::string b = addPlugin("group-manifest", goodManifest("group-manifest").dump());
  ::chmod((b + "/manifest.json").c_str(), 0664);
  auto scan = lp::listPlugins({root_});
  for (const char* id : {"group-dir", "group-manifest"}) {
    const auto* p = find(scan, id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->state, lp::PluginState::kRefused) << id << ": " << lp::toJson(*p).dump();
  }
}

TEST_F(CatalogTest, WritableRootFolderIsRefusedWhole) {
  addPlugin("inside", goodManifest("inside").dump());
  ::chmod(root_.c_str(), 0777);
  auto scan = lp::listPlugins({root_});
  EXPECT_EQ(find(scan, "inside"), nullptr) << lp::toJson(scan).dump(2);
  ASSERT_EQ(scan.problems.size(), 1u) << lp::toJson(scan).dump(2);
  EXPECT_NE(scan.problems[0].message.find("world-writable"), std::string::npos)
      << scan.problems[0].message;
}

TEST_F(CatalogTest, EarlierFolderShadowsLaterOne) {
  addPlugin("twin", goodManifest("twin").dump());
  std::string second = xdg_.path("plugins2");
  fs::create_directories(second + "/twin");
  ::chmod(second.c_str(), 0755);
  liseur::test::writeFile(second + "/twin/manifest.json", goodManifest("twin").dump());
  liseur::test::writeFile(second + "/twin/twin.so", "");
  auto scan = lp::listPlugins({root_, second});
  std::erase_if(scan.plugins, [](const lp::PluginInfo& p) { return p.id != "twin"; });
  ASSERT_EQ(scan.plugins.size(), 2u) << lp::toJson(scan).dump(2);
  EXPECT_EQ(scan.plugins[0].state, lp::PluginState::kAvailable);
  EXPECT_EQ(scan.plugins[1].state, lp::PluginState::kShadowed);
  EXPECT_EQ(lp::findPlugin(scan, "twin")->dir, root_ + "/twin");
}

TEST_F(CatalogTest, SearchPathOrder) {
  ::setenv("LISEUR_PLUGIN_PATH", "/a:/b", 1);
  ::setenv("XDG_DATA_HOME", xdg_.path("data").c_str(), 1);
  auto path = lp::pluginSearchPath({"/x"});
  ::unsetenv("LISEUR_PLUGIN_PATH");
  ::unsetenv("XDG_DATA_HOME");
  ASSERT_GE(path.size(), 5u);
  EXPECT_EQ(path[0].path, "/x");
  EXPECT_EQ(path[1].path, "/a");
  EXPECT_EQ(path[2].path, "/b");
  EXPECT_EQ(path[3].path, xdg_.path("data") + "/liseur/plugins");
  EXPECT_EQ(path.back().origin, "system");
}

TEST(ManifestOptions, DefaultsTypesRangesAndChoices) {
  auto m = lp::parseManifest(goodManifest("opts"));
  ASSERT_TRUE(m) << m.error().message;
  auto all = lp::resolveOptions(*m, json::object());
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (json{{"level", 2}, {"mode", "a"}}));
  auto set = lp::resolveOptions(*m, json{{"mode", "b"}});
  ASSERT_TRUE(set);
  EXPECT_EQ((*set)["mode"], "b");
  struct Bad {
    json given;
    std::string expect;
  };
  for (const auto& c :
       std::vector<Bad>{{{{"level", 9}}, "option 'level': expected a value in 1..3"},
                        {{{"level", "x"}}, "option 'level': expected an integer"},
                        {{{"mode", "c"}}, "expected one of a, b"},
                        {{{"colour", "red"}}, "unknown option 'colour'"}}) {
    auto r = lp::resolveOptions(*m, c.given);
    ASSERT_FALSE(r) << c.given.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kConfigInvalid);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
        << c.given.dump() << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find("plugin 'opts'"), std::string::npos) << r.error().message;
  }
}

TEST(ManifestShipped, ShippedManifestsAreValid) {
  for (const char* id : {"reading-order", "large-print"}) {
    auto m = lp::readManifest(std::string(LISEUR_BUILD_PLUGIN_DIR) + "/" + id + "/manifest.json");
    ASSERT_TRUE(m) << id << ": " << m.error().message;
    EXPECT_EQ(m->id, id);
  }
}

}  // namespace
