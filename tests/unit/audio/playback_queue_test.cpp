// PlaybackQueue driven by hand (no threads): the exact flush / pause / clock semantics shared by
// the PortAudio and paced null sinks.
#include "audio/playback_queue.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace liseur {
namespace {

std::vector<int16_t> ramp(int16_t from, std::size_t n) {
  std::vector<int16_t> v(n);
  std::iota(v.begin(), v.end(), from);
  return v;
}

std::vector<int16_t> render(PlaybackQueue& q, std::size_t frames, std::size_t* real = nullptr) {
  std::vector<int16_t> out(frames, 12345);
  std::size_t n = q.render(out.data(), frames);
  if (real) *real = n;
  return out;
}

TEST(PlaybackQueue, RendersSamplesThenSilenceAndCountsOnlyRealSamples) {
  PlaybackQueue q(64, nullptr);
  auto in = ramp(1, 10);
  ASSERT_EQ(q.write(in.data(), in.size()), 10u);
  EXPECT_EQ(q.queuedSamples(), 10u);
  std::size_t real = 0;
  auto out = render(q, 16, &real);
  EXPECT_EQ(real, 10u);
  for (std::size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(out[i], i < 10 ? in[i] : 0)
        << "frame " << i << " of a 16-frame buffer after 10 samples";
  }
  EXPECT_EQ(q.playedSamples(), 10u);
  render(q, 16);
  EXPECT_EQ(q.playedSamples(), 10u) << "silence on underrun must not advance the clock";
  EXPECT_EQ(q.heartbeat(), 2u);
}

TEST(PlaybackQueue, FlushDropsOnlyWhatWasQueuedBeforeIt) {
  PlaybackQueue q(64, nullptr);
  auto old = ramp(100, 40);
  q.write(old.data(), old.size());
  render(q, 8);  // 8 old samples played
  q.flush();
  EXPECT_EQ(q.queuedSamples(), 0u) << "queued right after flush()";
  auto fresh = ramp(-50, 5);  // a new job writes before the consumer ran again
  q.write(fresh.data(), fresh.size());
  EXPECT_EQ(q.queuedSamples(), 5u);
  std::size_t real = 0;
  auto out = render(q, 8, &real);
  ASSERT_EQ(real, 5u) << "the new job's samples must survive the flush";
  EXPECT_EQ(std::vector<int16_t>(out.begin(), out.begin() + 5), fresh);
  EXPECT_EQ(q.playedSamples(), 13u) << "8 old + 5 new; dropped samples are not 'played'";
}

TEST(PlaybackQueue, PauseHoldsTheReadPositionAndResumeContinuesWithTheNextSample) {
  PlaybackQueue q(64, nullptr);
  auto in = ramp(1, 30);
  q.write(in.data(), in.size());
  std::vector<int16_t> heard;
  auto take = [&](std::size_t frames) {
    std::size_t n = 0;
    auto out = render(q, frames, &n);
    heard.insert(heard.end(), out.begin(), out.begin() + n);
  };
  take(7);
  q.pause();
  for (int i = 0; i < 5; ++i) {
    std::size_t n = 99;
    auto out = render(q, 4, &n);
    EXPECT_EQ(n, 0u) << "render #" << i << " while paused";
    EXPECT_EQ(out, std::vector<int16_t>(4, 0)) << "paused output must be silence";
  }
  EXPECT_EQ(q.playedSamples(), 7u);
  EXPECT_EQ(q.queuedSamples(), 23u);
  q.resume();
  take(10);
  take(100);
  EXPECT_EQ(heard, in) << "pause/resume must lose and repeat nothing";
}

TEST(PlaybackQueue, FlushWhilePausedDropsTheQueue) {
  PlaybackQueue q(64, nullptr);
  auto in = ramp(1, 20);
  q.write(in.data(), in.size());
  q.pause();
  render(q, 4);
  q.flush();
  render(q, 4);
  q.resume();
  std::size_t n = 99;
  render(q, 4, &n);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(q.playedSamples(), 0u);
}

TEST(PlaybackQueue, OnSpaceFiresOnceAfterAShortWriteWhenHalfDrained) {
  int calls = 0;
  PlaybackQueue q(16, [&] { ++calls; });
  auto in = ramp(1, 40);
  EXPECT_EQ(q.write(in.data(), in.size()), 16u) << "40 samples into a queue of 16";
  render(q, 4);  // 12 left: more than half
  EXPECT_EQ(calls, 0) << "on_space with 12 of 16 still queued";
  render(q, 4);  // 8 left: half
  EXPECT_EQ(calls, 1);
  render(q, 4);
  render(q, 4);
  EXPECT_EQ(calls, 1) << "on_space must fire once per short write, not every buffer";
  // A write that fits does not arm it.
  q.write(in.data(), 4);
  render(q, 4);
  EXPECT_EQ(calls, 1);
}

TEST(PlaybackQueue, OnSpaceFiresAfterAFlushEvenWhilePaused) {
  int calls = 0;
  PlaybackQueue q(16, [&] { ++calls; });
  auto in = ramp(1, 40);
  q.pause();
  q.write(in.data(), in.size());
  render(q, 4);
  EXPECT_EQ(calls, 0);
  q.flush();
  render(q, 4);
  EXPECT_EQ(calls, 1) << "a flush empties the queue: a blocked writer must be woken";
}

TEST(StallDetector, ReportsOnlyWhenTheHeartbeatStaysStillBeyondTheLimit) {
  using namespace std::chrono_literals;
  StallDetector d(1000ms);
  auto t0 = StallDetector::Clock::time_point{} + 10s;
  d.reset(5, t0);
  EXPECT_FALSE(d.stalled(5, t0 + 900ms));
  EXPECT_FALSE(d.stalled(6, t0 + 1500ms)) << "the heartbeat moved at 1.5 s";
  EXPECT_FALSE(d.stalled(6, t0 + 2400ms)) << "still for 0.9 s only";
  EXPECT_TRUE(d.stalled(6, t0 + 2600ms)) << "still for 1.1 s";
  EXPECT_EQ(d.update(6, t0 + 3500ms), 2000ms);
  EXPECT_FALSE(d.stalled(7, t0 + 3600ms));
}

}  // namespace
}  // namespace liseur
