// A sound server restarted in the middle of speech: PortAudio does not recover by itself, so the
// daemon must notice, re-open the device with back-off and finish the job.
#include <gtest/gtest.h>

#include <memory>

#include "integration/daemon_harness.h"
#include "support/pulse_server.h"

namespace liseur::test {
namespace {

using nlohmann::json;

TEST(AudioRecovery, ARestartedPulseAudioServerIsSurvived) {
  std::unique_ptr<PulseServer> pulse;
  std::string problem;
  DaemonHarness d({"--audio", "portaudio"}, [&](const TempXdg& xdg) {
    pulse = std::make_unique<PulseServer>(xdg);
    problem = pulse->start();
  });
  ASSERT_EQ(problem, "");
  ASSERT_TRUE(d.started()) << d.startProblem();
  json st = d.request("status");
  ASSERT_TRUE(st["audio"]["available"]) << st.dump() << d.log();

  d.request("set", {{"key", "rate"}, {"value", "300"}});
  std::string text;
  for (int i = 0; i < 6; ++i)
    text += "This sentence keeps the sound card busy for a little while. ";
  json r = d.request("say", {{"text", text}, {"lang", "en"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  uint64_t job = r["job"];
  std::vector<json> seen;
  ASSERT_FALSE(d.waitEvent("first-audio", &seen).is_null());
  ASSERT_FALSE(d.waitEvent("word", &seen).is_null()) << "words are heard in real time";
  pulse->kill();
  json lost = d.waitEvent("audio-lost", &seen, std::chrono::milliseconds(10000));
  ASSERT_FALSE(lost.is_null()) << d.log();
  EXPECT_FALSE(d.request("status")["audio"]["available"]);
  ASSERT_EQ(pulse->start(), "");
  json restored = d.waitEvent("audio-restored", &seen, std::chrono::milliseconds(30000));
  ASSERT_FALSE(restored.is_null()) << d.log();
  json fin = d.waitEvent("job-finished", &seen, std::chrono::milliseconds(60000));
  ASSERT_FALSE(fin.is_null()) << d.log();
  EXPECT_EQ(fin["job"], job);
  EXPECT_TRUE(fin["ok"]) << fin.dump();
  st = d.request("status");
  EXPECT_TRUE(st["audio"]["available"]) << st.dump();
  EXPECT_GE(st["audio"]["recoveries"].get<int>(), 1);
}

}  // namespace
}  // namespace liseur::test
