// The profile's plugin chain in a running liseurd: every recognised block goes through the
// chain's adapt hooks (and its speak hook) before it is spoken or returned; a failing plugin is
// skipped with an error naming it; a reload changes the chain.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// liseurd finds the test plugins (plugins/testing) through LISEUR_PLUGIN_PATH.
class PluginChainTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("LISEUR_PLUGIN_PATH", LISEUR_TEST_PLUGIN_DIR, 1); }
  void TearDown() override { ::unsetenv("LISEUR_PLUGIN_PATH"); }
};

void writeConfig(const TempXdg& xdg, const std::string& plugins) {
  fs::create_directories(xdg.path("config/liseur"));
  writeFile(xdg.path("config/liseur/liseur.toml"), "[plugins]\n" + plugins + "\n");
}

std::vector<std::string> blockTexts(const json& reply) {
  std::vector<std::string> out;
  for (const auto& b : reply["document"]["blocks"]) {
    std::string t;
    for (const auto& l : b["lines"])
      for (const auto& w : l["words"]) t += (t.empty() ? "" : " ") + w["text"].get<std::string>();
    out.push_back(t);
  }
  return out;
}

TEST_F(PluginChainTest, EveryBlockIsAdaptedInReadingOrderAndReloadChangesTheChain) {
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) { writeConfig(x, "chain = []"); });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json plain = d.request("ocr", {{"file", dataPath("ocr/multiblock-en.png")}});
  ASSERT_TRUE(plain["ok"]) << plain.dump();
  auto before = blockTexts(plain);
  ASSERT_GE(before.size(), 2u) << plain.dump();

  writeConfig(d.xdg(), "chain = [\"test-mark\"]\n[plugins.options.test-mark]\nword = \"marque\"");
  ASSERT_TRUE(d.request("reload")["ok"]);
  json marked = d.request("ocr", {{"file", dataPath("ocr/multiblock-en.png")}});
  ASSERT_TRUE(marked["ok"]) << marked.dump();
  // test-mark appends a block holding its word to each (one-block) document it adapts: the
  // blocks come back in reading order, each followed by its mark, numbered by position.
  auto after = blockTexts(marked);
  ASSERT_EQ(after.size(), 2 * before.size()) << marked.dump();
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[2 * i], before[i]) << "block " << i;
    EXPECT_EQ(after[2 * i + 1], "marque") << "block " << i;
  }
  const auto& blocks = marked["document"]["blocks"];
  for (std::size_t i = 0; i < blocks.size(); ++i) EXPECT_EQ(blocks[i]["index"], i);

  // The chain's speak hook makes the utterances of a read.
  json r =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("m.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto events = d.eventsUntilFinished(r["job"]);
  std::vector<std::string> said;
  for (const auto& e : events)
    if (e["event"] == "utterance-started") said.push_back(e.value("text", ""));
  ASSERT_FALSE(said.empty());
  for (const auto& s : said) EXPECT_EQ(s, "marque");
  ASSERT_TRUE(events.back()["ok"]) << events.back().dump();
}

TEST_F(PluginChainTest, ACrashingPluginIsSkippedAndTheReadGoesOn) {
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) {
    writeConfig(x, "chain = [\"test-crash\", \"test-mark\"]");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("c.wav")}, {"wait", true}});
  ASSERT_TRUE(r["ok"]) << r.dump() << d.log();
  auto events = d.eventsUntilFinished(r["job"]);
  bool named = false, spoke = false;
  for (const auto& e : events) {
    if (e["event"] == "error" && e["code"] == "plugin-failed" &&
        e["message"].get<std::string>().find("test-crash") != std::string::npos)
      named = true;
    if (e["event"] == "utterance-started") spoke = true;
  }
  EXPECT_TRUE(named) << "no plugin-failed error naming test-crash";
  EXPECT_TRUE(spoke);
  EXPECT_GT(readWav(d.path("c.wav")).seconds(), 0.1);
  EXPECT_TRUE(d.alive());
}

TEST_F(PluginChainTest, AMissingPluginIsReportedAndLeftOut) {
  DaemonHarness d({"--audio", "null"},
                  [](const TempXdg& x) { writeConfig(x, "chain = [\"no-such-plugin\"]"); });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("ocr", {{"file", dataPath("ocr/dialog-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  EXPECT_FALSE(r["text"].get<std::string>().empty());
}

}  // namespace
}  // namespace liseur::test
