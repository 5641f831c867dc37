// AudioOutput where there is no sound device (this machine: no sound card; the test's private
// XDG directories mean no PulseAudio server): the sink each audio.sink value gives, what
// `status` says, and reopen() with new options. Losing and re-opening a real device is in
// pulse_audio_sink_test.cpp (label speech).
#include "audio/audio_output.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "support/test_env.h"

namespace liseur {
namespace {

bool machineHasSoundCard() {
  std::error_code ec;
  return std::filesystem::exists("/proc/asound/card0", ec);
}

TEST(AudioOutput, WithNoDeviceSpeechGoesToANullSinkAndStatusSaysWhy) {
  test::TempXdg xdg;
  ::unsetenv("PULSE_SERVER");
  if (machineHasSoundCard()) GTEST_SKIP() << "this machine has a sound card (/proc/asound/card0)";
  EventLoop loop;
  AudioOutput out(loop, 22050, {});
  out.open({.sink = "auto", .device = "", .latency_ms = 30});
  ASSERT_NE(out.sink(), nullptr);
  EXPECT_FALSE(out.available());
  const nlohmann::json s = out.status();
  EXPECT_EQ(s["available"], false);
  EXPECT_EQ(s["sink"], "null");
  EXPECT_NE(s.value("problem", "").find("no audio output device"), std::string::npos) << s.dump();

  // A reload to the paced stand-in: a sound card for tests, available, no problem left.
  out.reopen({.sink = "paced-null", .device = "", .latency_ms = 30});
  ASSERT_NE(out.sink(), nullptr);
  EXPECT_TRUE(out.available());
  EXPECT_FALSE(out.status().contains("problem")) << out.status().dump();
  const int16_t pcm[4] = {1, 2, 3, 4};
  EXPECT_EQ(out.sink()->write(pcm, 4), 4u);

  out.reopen({.sink = "null", .device = "", .latency_ms = 30});
  EXPECT_FALSE(out.available());
  EXPECT_FALSE(out.status().contains("problem"));
  out.close();
  EXPECT_EQ(out.sink(), nullptr);
  EXPECT_EQ(out.status()["sink"], "none (re-opening the device)");
}

}  // namespace
}  // namespace liseur
