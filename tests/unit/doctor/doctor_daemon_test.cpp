// `liseur doctor` against a real liseurd (tests/integration/daemon_harness.h): it reads the
// daemon's own status (pid, sound device, workers, hotkeys) rather than guessing from the
// environment, and asking does not disturb the daemon.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "integration/daemon_harness.h"

using liseur::test::DaemonHarness;
using liseur::test::runCli;
using nlohmann::json;

namespace {

std::map<std::string, json> doctor(int* status, std::string* out) {
  *status = runCli({"doctor", "--json"}, out);
  json j = json::parse(*out, nullptr, false);
  std::map<std::string, json> byName;
  if (j.is_object())
    for (const auto& c : j["checks"]) byName[c["name"]] = c;
  return byName;
}

TEST(DoctorWithDaemon, ReadsTheRunningDaemonsStatus) {
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  int status = -1;
  std::string out;
  auto checks = doctor(&status, &out);
  ASSERT_EQ(checks.size(), 10u) << out;
  EXPECT_EQ(checks["daemon"]["status"], "ok") << out;
  EXPECT_NE(
      checks["daemon"]["summary"].get<std::string>().find("(pid " + std::to_string(d.pid()) + ")"),
      std::string::npos)
      << out;
  // The paced stand-in sound card counts as a device.
  EXPECT_EQ(checks["audio"]["status"], "ok") << out;
  EXPECT_NE(checks["audio"]["summary"].get<std::string>().find("null (paced)"), std::string::npos)
      << out;
  // The harness waited for the workers: the voices and models are loaded.
  EXPECT_EQ(checks["voices"]["status"], "ok") << out;
  EXPECT_EQ(checks["ocr"]["status"], "ok") << out;
  EXPECT_EQ(checks["config"]["status"], "ok") << out;
  EXPECT_EQ(checks["plugins"]["status"], "ok") << out;
  // The daemon is untouched and still answers.
  EXPECT_TRUE(d.alive());
  EXPECT_EQ(d.request("status")["ok"], true);
}

TEST(DoctorWithDaemon, DaemonWithoutSoundDeviceIsAProblemWithTheWavAdvice) {
  DaemonHarness d({"--audio", "null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  int status = -1;
  std::string out;
  auto checks = doctor(&status, &out);
  EXPECT_EQ(status, 1) << out;
  EXPECT_EQ(checks["audio"]["status"], "problem") << out;
  EXPECT_NE(checks["audio"]["fix"].get<std::string>().find("--to-wav FILE"), std::string::npos)
      << out;
}

}  // namespace
