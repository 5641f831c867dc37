// The PortAudio sink where there is no output at all (this machine: no sound card, and the test's
// private XDG directories mean no PulseAudio server can be found). The sink against a real
// PulseAudio server is in pulse_audio_sink_test.cpp (label speech).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "audio/audio_sink.h"
#include "core/stderr_capture.h"
#include "support/test_env.h"

namespace liseur {
namespace {

// True when the machine itself has an ALSA sound card: "no device" cannot be arranged then.
bool machineHasSoundCard() {
  std::error_code ec;
  return std::filesystem::exists("/proc/asound/card0", ec);
}

TEST(PortAudioSink, NoOutputDeviceGivesAudioDeviceMissingInOneLine) {
  test::TempXdg xdg;  // no PulseAudio/PipeWire socket under this XDG_RUNTIME_DIR
  ::unsetenv("PULSE_SERVER");
  if (machineHasSoundCard()) GTEST_SKIP() << "this machine has a sound card (/proc/asound/card0)";
  auto sink = makePortAudioSink("");
  ASSERT_FALSE(sink.ok()) << "opened " << sink.value()->describe()
                          << " on a machine with no output";
  EXPECT_EQ(sink.error().code, ErrorCode::kAudioDeviceMissing) << sink.error().message;
  EXPECT_EQ(sink.error().message.find('\n'), std::string::npos) << sink.error().message;
  EXPECT_NE(sink.error().message.find("no audio output device"), std::string::npos)
      << sink.error().message;
}

TEST(PortAudioSink, UnknownDeviceNameGivesAudioDeviceMissingNamingIt) {
  test::TempXdg xdg;
  ::unsetenv("PULSE_SERVER");
  const std::string name = "no-such-device-3f9a";
  auto sink = makePortAudioSink(name);
  ASSERT_FALSE(sink.ok()) << "device '" << name << "' resolved to " << sink.value()->describe();
  EXPECT_EQ(sink.error().code, ErrorCode::kAudioDeviceMissing) << sink.error().message;
  // Either "no device at all" (this machine) or "no device matches '<name>'; available: ...".
  bool none = sink.error().message.find("no audio output device") != std::string::npos;
  EXPECT_TRUE(none || sink.error().message.find(name) != std::string::npos) << sink.error().message;
}

TEST(StderrCapture, HidesProbeNoiseAndKeepsOtherLines) {
  StderrCapture outer;  // catches what the inner capture writes back
  {
    StderrCapture inner;
    std::fputs("ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear\n", stderr);
    std::fputs("jack server is not running or cannot be started\n", stderr);
    std::fputs("a real message from another thread\n", stderr);
    std::string all = inner.finish();
    EXPECT_NE(all.find("Unknown PCM"), std::string::npos) << all;
    EXPECT_EQ(StderrCapture::lastUsefulLine(all), "a real message from another thread") << all;
    EXPECT_EQ(inner.finish(), "") << "finish() twice";
  }
  std::string back = outer.finish();
  EXPECT_EQ(back, "a real message from another thread\n");
}

TEST(StderrCapture, RecognisesNoiseLines) {
  for (const char* noise :
       {"ALSA lib confmisc.c:855:(parse_card) cannot find card '0'",
        "Cannot connect to server socket err = No such file or directory",
        "JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock",
        "Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1736",
        "socket(): Operation not permitted",
        "Failed to create secure directory (/home/pupil/.config/pulse): Permission denied", ""}) {
    EXPECT_TRUE(StderrCapture::isProbeNoise(noise)) << noise;
  }
  for (const char* real :
       {"[error] liseurd: socket closed", "Segmentation fault", "socket(): Too many open files"}) {
    EXPECT_FALSE(StderrCapture::isProbeNoise(real)) << real;
  }
}

}  // namespace
}  // namespace liseur
