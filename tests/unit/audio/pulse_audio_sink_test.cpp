// The PortAudio sink against a real sound server: each test starts its own PulseAudio (Debian's
// `pulseaudio`, with a null sink that consumes in real time) under the test's private
// XDG_RUNTIME_DIR and HOME, as the current user (root here: allowed, with a warning, when not in
// --system mode). PortAudio reaches it through ALSA's pulse plugin (libasound2-plugins): Debian's
// /etc/alsa/conf.d/99-pulse.conf makes ALSA's "default" device PulseAudio whenever a server is
// reachable at alsa-lib's first configuration load, which happens in Pa_Initialize; so no
// ~/.asoundrc is needed, provided the server is up before the sink is made.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "audio/audio_output.h"
#include "audio/audio_sink.h"
#include "support/pulse_server.h"
#include "support/test_env.h"

namespace liseur {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using test::PulseServer;
using test::waitFor;

std::vector<int16_t> tone(std::size_t n, int rate) {
  std::vector<int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * 330.0 * static_cast<double>(i) / rate));
  }
  return v;
}

constexpr int kRate = 22050;

TEST(PulseAudioSink, PlaysFlushesAndPausesThroughARealServer) {
  test::TempXdg xdg;
  PulseServer server(xdg);
  std::string err = server.start();
  ASSERT_EQ(err, "");

  auto made = makePortAudioSink("");
  ASSERT_TRUE(made.ok()) << made.error().message << "\nserver log:\n" << server.log();
  auto& sink = *made;
  std::atomic<int> failures{0};
  AudioSinkCallbacks callbacks;
  callbacks.on_failure = [&](const Error&) { ++failures; };
  ASSERT_TRUE(sink->open(kRate, callbacks).ok());
  EXPECT_NE(sink->describe().find("portaudio: "), std::string::npos) << sink->describe();
  EXPECT_EQ(server.sinkInputs(), 1)
      << "our stream must be playing into the private server (" << sink->describe() << ")";

  // Plays, at about real time (loose bounds).
  auto second = tone(kRate, kRate);
  auto start = Clock::now();
  ASSERT_EQ(sink->write(second.data(), second.size()), second.size());
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() == second.size(); }, 15s))
      << "played " << sink->playedSamples() << " of " << second.size();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GT(secs, 0.5) << "1 s of audio played in " << secs << " s";
  EXPECT_LT(secs, 10.0) << "1 s of audio played in " << secs << " s";
  EXPECT_TRUE(sink->checkHealth().ok());

  // Flush: what was queued is never handed to the device.
  uint64_t base = sink->playedSamples();
  ASSERT_EQ(sink->write(second.data(), second.size()), second.size());
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() > base + kRate / 10; }, 10s));
  sink->flush();
  uint64_t atFlush = sink->playedSamples();
  EXPECT_EQ(sink->queuedSamples(), 0u);
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(sink->playedSamples(), atFlush + kRate / 10)
      << "played " << atFlush << " at flush, " << sink->playedSamples() << " 0.5 s later";
  // The flush dropped the device's buffer too, by restarting the stream: not a failure, and the
  // stream plays on.
  EXPECT_TRUE(sink->checkHealth().ok());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.sinkInputs(), 1);

  // Pause holds the clock; resume plays exactly what was left.
  base = sink->playedSamples();
  ASSERT_EQ(sink->write(second.data(), second.size()), second.size());
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() > base + kRate / 10; }, 10s));
  sink->pause();
  std::this_thread::sleep_for(200ms);
  uint64_t held = sink->playedSamples();
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(sink->playedSamples(), held) << "the clock moved while paused";
  EXPECT_TRUE(sink->checkHealth().ok()) << "a paused stream is not a stalled one";
  sink->resume();
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() == base + second.size(); }, 15s))
      << "after resume played " << sink->playedSamples() - base << " of " << second.size();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sink->playedSamples(), base + second.size()) << "samples repeated after resume";

  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(sink->close().ok());
  EXPECT_TRUE(waitFor([&] { return server.sinkInputs() == 0; }, 5s)) << "stream left open";
}

TEST(PulseAudioSink, DeviceChosenBySubstringOfItsName) {
  test::TempXdg xdg;
  PulseServer server(xdg);
  ASSERT_EQ(server.start(), "");
  auto made = makePortAudioSink("PULSE");
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_NE((*made)->describe().find("pulse"), std::string::npos) << (*made)->describe();
  auto missing = makePortAudioSink("no-such-card");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kAudioDeviceMissing);
  EXPECT_NE(missing.error().message.find("available: "), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("'pulse'"), std::string::npos) << missing.error().message;
}

// issue 4: PortAudio never recovers by itself when the server goes away. checkHealth() must see it
// and report once; after the server is back, close() + open() plays again.
TEST(PulseAudioSink, ServerCrashIsDetectedAndReopenPlaysAgain) {
  test::TempXdg xdg;
  PulseServer server(xdg);
  ASSERT_EQ(server.start(), "");
  auto made = makePortAudioSink("");
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto& sink = *made;
  std::mutex mu;
  std::vector<Error> failures;
  AudioSinkCallbacks cbs{.on_space = {}, .on_failure = [&](const Error& e) {
                           std::lock_guard lock(mu);
                           failures.push_back(e);
                         }};
  ASSERT_TRUE(sink->open(kRate, cbs).ok());
  auto audio = tone(kRate, kRate);
  sink->write(audio.data(), audio.size());
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() > kRate / 10; }, 10s));

  server.kill();
  Status health = okStatus();
  ASSERT_TRUE(waitFor(
      [&] {
        health = sink->checkHealth();
        return !health.ok();
      },
      15s))
      << "checkHealth still ok 15 s after the server was killed; played " << sink->playedSamples();
  EXPECT_EQ(health.error().code, ErrorCode::kAudioFailed) << health.error().message;
  EXPECT_FALSE(sink->checkHealth().ok()) << "the failure must persist until re-open";
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(failures.size(), 1u) << "on_failure must be called once per open";
    EXPECT_EQ(failures[0].code, ErrorCode::kAudioFailed) << failures[0].message;
  }

  ASSERT_EQ(server.start(), "");
  (void)sink->close();  // the stream is dead: whatever close says, it must release it
  // What the owner does: re-open with back-off until the server accepts us.
  Status reopened = Status::fail(ErrorCode::kInternal, "not tried");
  for (int attempt = 0; attempt < 8 && !reopened.ok(); ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
    reopened = sink->open(kRate, cbs);
  }
  ASSERT_TRUE(reopened.ok()) << reopened.error().message << "\nserver log:\n" << server.log();
  EXPECT_EQ(sink->playedSamples(), 0u) << "the clock restarts at open()";
  sink->write(audio.data(), audio.size());
  ASSERT_TRUE(waitFor([&] { return sink->playedSamples() > kRate / 10; }, 10s))
      << "no audio consumed after re-open; played " << sink->playedSamples();
  EXPECT_TRUE(sink->checkHealth().ok());
  EXPECT_TRUE(sink->close().ok());
}

// The daemon's AudioOutput over the same crash: it finds the lost device by itself (health poll
// or PortAudio's callback), tells its owner while the lost sink can still say what it played,
// and opens the device again once the server is back.
TEST(PulseAudioSink, AudioOutputReopensALostDeviceByItself) {
  test::TempXdg xdg;
  PulseServer server(xdg);
  ASSERT_EQ(server.start(), "");
  EventLoop loop;
  int lost = 0, restored = 0;
  uint64_t playedWhenLost = 0;
  AudioOutput* self = nullptr;
  AudioOutputCallbacks cb;
  cb.on_lost = [&](const Error& e) {
    ++lost;
    EXPECT_EQ(e.code, ErrorCode::kAudioFailed) << e.message;
    ASSERT_NE(self->sink(), nullptr) << "the lost sink is still there for its owner";
    playedWhenLost = self->sink()->playedSamples();
  };
  cb.on_restored = [&] {
    ++restored;
    loop.stop();
  };
  AudioOutput out(loop, kRate, cb);
  self = &out;
  out.open({.sink = "auto", .device = "", .latency_ms = 30});
  ASSERT_TRUE(out.available()) << out.status().dump() << "\nserver log:\n" << server.log();
  auto audio = tone(kRate, kRate);
  out.sink()->write(audio.data(), audio.size());
  ASSERT_TRUE(waitFor([&] { return out.sink()->playedSamples() > kRate / 10; }, 10s));

  server.kill();
  // The server comes back a second later; the output must notice both on its own.
  loop.addTimer(std::chrono::milliseconds(1000), [&] { EXPECT_EQ(server.start(), ""); });
  const auto deadline = loop.addTimer(std::chrono::milliseconds(30000), [&] { loop.stop(); });
  loop.run();
  loop.cancelTimer(deadline);
  EXPECT_EQ(lost, 1);
  EXPECT_GT(playedWhenLost, 0u);
  ASSERT_EQ(restored, 1) << out.status().dump();
  EXPECT_TRUE(out.available());
  EXPECT_EQ(out.status()["recoveries"], 1);
  out.sink()->write(audio.data(), audio.size());
  EXPECT_TRUE(waitFor([&] { return out.sink()->playedSamples() > kRate / 10; }, 10s))
      << "no audio consumed after the device came back";
  out.close();
}

}  // namespace
}  // namespace liseur
