// Review of the last result and run-time settings, through a real daemon.
#include <gtest/gtest.h>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

using nlohmann::json;

TEST(Review, MovesThroughTheLastReadAndSpellsWords) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("r.wav")}, {"wait", true}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  json first = d.request("review", {{"action", "first"}});
  ASSERT_TRUE(first["ok"]) << first.dump();
  EXPECT_EQ(first["text"], "Save changes to document?");
  json w = d.request("review", {{"action", "next-word"}});
  EXPECT_EQ(w["text"], "changes") << w.dump();
  ASSERT_TRUE(w.contains("box")) << w.dump();
  EXPECT_GT(w["box"][2].get<int>(), 0);
  json sp = d.request("review", {{"action", "spell"}});
  EXPECT_EQ(sp["text"], "C, H, A, N, G, E, S") << sp.dump();
  EXPECT_EQ(sp["lang"], "en");
  // The spelling is spoken: its say job finishes with audio.
  auto evs = d.eventsUntilFinished(sp["job"]);
  EXPECT_GT(evs.back()["timings"]["audio_ms"].get<double>(), 500) << evs.back().dump();
  json where = d.request("review", {{"action", "where"}});
  // Review messages use the interface language (the daemon default, French).
  EXPECT_NE(where["text"].get<std::string>().find("ligne 1 sur 1, mot 2"), std::string::npos)
      << where.dump();
  json bad = d.request("review", {{"action", "sideways"}});
  EXPECT_EQ(bad["error"]["code"], "invalid-argument") << bad.dump();
}

TEST(Settings, RateChangesAreClampedAndReported) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  EXPECT_EQ(d.request("set", {{"key", "rate"}, {"value", "+10"}})["rate"], 185);
  EXPECT_EQ(d.request("set", {{"key", "rate"}, {"value", "1000"}})["rate"], 450);
  EXPECT_EQ(d.request("status")["speech"]["rate"], 450);
  json bad = d.request("set", {{"key", "speed"}, {"value", "1"}});
  EXPECT_EQ(bad["error"]["code"], "invalid-argument");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("rate"), std::string::npos);
  // A faster rate gives shorter audio for the same text.
  json fast = d.request("say", {{"text", "One two three four five six seven eight nine ten."},
                                {"to_wav", d.path("fast.wav")},
                                {"wait", true}});
  d.request("set", {{"key", "rate"}, {"value", "120"}});
  json slow = d.request("say", {{"text", "One two three four five six seven eight nine ten."},
                                {"to_wav", d.path("slow.wav")},
                                {"wait", true}});
  ASSERT_TRUE(fast["ok"] && slow["ok"]);
  EXPECT_GT(readWav(d.path("slow.wav")).seconds(), readWav(d.path("fast.wav")).seconds() * 1.5);
}

}  // namespace
}  // namespace liseur::test
