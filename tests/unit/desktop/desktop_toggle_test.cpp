// `liseur pause --toggle`, the command the desktops' shortcuts run for the pause_resume hotkey,
// against a real liseurd speaking through the paced null sink: one press pauses, the next
// resumes, as liseurd's own hotkey does (DaemonCommands::onHotkey); `liseur stop` then ends the
// job.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "integration/daemon_harness.h"

using liseur::test::DaemonHarness;
using liseur::test::runCli;
using nlohmann::json;

TEST(ShortcutCommands, PauseToggleAlternatesPauseAndResume) {
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("say", {{"text",
                              "Le petit chat dort au soleil. Il rêve de souris et de lait. Puis "
                              "il se réveille et s'étire longuement, puis il se rendort."},
                             {"lang", "fr"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  d.waitEvent("first-audio");

  std::string out;
  ASSERT_EQ(runCli({"pause", "--toggle"}, &out), 0) << out;
  d.waitEvent("paused");
  EXPECT_EQ(d.request("status")["state"], "paused");

  ASSERT_EQ(runCli({"pause", "--toggle"}, &out), 0) << out;
  d.waitEvent("resumed");
  EXPECT_NE(d.request("status")["state"], "paused");

  // The stop shortcut's command ends the job at once.
  ASSERT_EQ(runCli({"stop"}, &out), 0) << out;
  auto evs = d.eventsUntilFinished(r["job"], std::chrono::seconds(10));
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.back()["event"], "job-finished") << evs.back().dump();
}
