// The null sink, unpaced and paced (real time on its own thread). Timing bounds are loose: the
// machine has 2 shared cores.
#include "audio/null_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

namespace liseur {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Distinct, recognisable samples: value i (mod 2^16) at index i, from `first`.
std::vector<int16_t> ramp(std::size_t n, int first = 0) {
  std::vector<int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(first + static_cast<int>(i));
  return v;
}

// Records what the sink consumed, from its thread.
struct Recorder {
  std::mutex mu;
  std::vector<int16_t> got;
  NullSink::ConsumeHook hook() {
    return [this](const int16_t* s, std::size_t n) {
      std::lock_guard lock(mu);
      got.insert(got.end(), s, s + n);
    };
  }
  std::vector<int16_t> snapshot() {
    std::lock_guard lock(mu);
    return got;
  }
};

// Polls until pred() or the timeout; returns pred().
template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout = 10s) {
  auto end = Clock::now() + timeout;
  while (!pred() && Clock::now() < end) std::this_thread::sleep_for(5ms);
  return pred();
}

TEST(NullSink, UnpacedAcceptsAndCountsEverythingAtOnce) {
  NullSink sink(false);
  Recorder rec;
  sink.setConsumeHook(rec.hook());
  ASSERT_TRUE(sink.open(22050, {}).ok());
  auto in = ramp(100000);
  EXPECT_EQ(sink.write(in.data(), 60000), 60000u);
  EXPECT_EQ(sink.write(in.data() + 60000, 40000), 40000u);
  EXPECT_EQ(sink.playedSamples(), 100000u);
  EXPECT_EQ(sink.queuedSamples(), 0u);
  EXPECT_EQ(rec.snapshot(), in);
  EXPECT_EQ(sink.describe(), "null");
  EXPECT_TRUE(sink.close().ok());
}

TEST(NullSink, RejectsANonPositiveRate) {
  NullSink sink(true);
  auto st = sink.open(0, {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << st.error().message;
}

TEST(NullSink, PacedPlaysAtAboutRealTime) {
  constexpr int kRate = 16000;
  NullSink sink(true);
  Recorder rec;
  sink.setConsumeHook(rec.hook());
  ASSERT_TRUE(sink.open(kRate, {}).ok());
  auto in = ramp(kRate / 2);  // 0.5 s
  auto start = Clock::now();
  ASSERT_EQ(sink.write(in.data(), in.size()), in.size());
  EXPECT_GT(sink.queuedSamples(), kRate / 4) << "right after writing 0.5 s, most must be queued";
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() == in.size(); }))
      << "played " << sink.playedSamples() << " of " << in.size();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GT(secs, 0.3) << "0.5 s of audio played in " << secs << " s";
  EXPECT_LT(secs, 3.0) << "0.5 s of audio played in " << secs << " s";
  EXPECT_EQ(sink.queuedSamples(), 0u);
  EXPECT_TRUE(sink.checkHealth().ok());
  EXPECT_TRUE(sink.close().ok());
  EXPECT_EQ(rec.snapshot(), in);
}

TEST(NullSink, PacedFlushDropsQueuedSamplesAndKeepsLaterOnes) {
  constexpr int kRate = 16000;
  NullSink sink(true);
  Recorder rec;
  sink.setConsumeHook(rec.hook());
  ASSERT_TRUE(sink.open(kRate, {}).ok());
  auto old = ramp(kRate, 0);  // 1 s: values 0..15999
  ASSERT_EQ(sink.write(old.data(), old.size()), old.size());
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() > 800; }));
  sink.flush();
  uint64_t atFlush = sink.playedSamples();
  EXPECT_EQ(sink.queuedSamples(), 0u) << "queued right after flush (played " << atFlush << ")";
  std::this_thread::sleep_for(300ms);
  uint64_t after = sink.playedSamples();
  // At most the one step that was being rendered when flush() was called may still count.
  EXPECT_LE(after, atFlush + kRate / 100)
      << "played " << atFlush << " at flush, " << after << " 300 ms later";
  auto fresh = ramp(kRate / 10, 20000);  // 0.1 s, values 20000.. (distinct from the old ones)
  ASSERT_EQ(sink.write(fresh.data(), fresh.size()), fresh.size());
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() == after + fresh.size(); }))
      << "played " << sink.playedSamples() << ", expected " << after + fresh.size();
  ASSERT_TRUE(sink.close().ok());

  auto got = rec.snapshot();
  ASSERT_EQ(got.size(), after + fresh.size());
  std::vector<int16_t> expect(old.begin(), old.begin() + static_cast<std::ptrdiff_t>(after));
  expect.insert(expect.end(), fresh.begin(), fresh.end());
  EXPECT_EQ(got, expect) << "consumed = the old samples up to the flush, then the new ones";
}

TEST(NullSink, PacedPauseHoldsTheClockAndResumeLosesAndRepeatsNothing) {
  constexpr int kRate = 8000;
  NullSink sink(true);
  Recorder rec;
  sink.setConsumeHook(rec.hook());
  ASSERT_TRUE(sink.open(kRate, {}).ok());
  auto in = ramp(kRate);  // 1 s of distinct values
  ASSERT_EQ(sink.write(in.data(), in.size()), in.size());
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() > 1000; }));
  sink.pause();
  uint64_t atPause = sink.playedSamples();
  std::this_thread::sleep_for(150ms);
  uint64_t held = sink.playedSamples();
  EXPECT_LE(held, atPause + kRate / 100) << "at most the step in flight when pausing";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink.playedSamples(), held) << "the clock moved while paused";
  EXPECT_EQ(sink.queuedSamples(), in.size() - held);
  EXPECT_TRUE(sink.checkHealth().ok()) << "a paused sink is not a stalled one";
  sink.resume();
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() == in.size(); }))
      << "played " << sink.playedSamples() << " of " << in.size() << " after resume";
  ASSERT_TRUE(sink.close().ok());
  auto got = rec.snapshot();
  ASSERT_EQ(got.size(), in.size()) << "paused at " << held;
  EXPECT_EQ(got, in) << "samples lost or repeated around the pause at " << held;
}

TEST(NullSink, PacedCallsOnSpaceWhenAFullQueueDrains) {
  constexpr int kRate = 8000;
  std::atomic<int> spaceCalls{0};
  NullSink sink(true);
  Recorder rec;
  sink.setConsumeHook(rec.hook());
  ASSERT_TRUE(sink.open(kRate, {.on_space = [&] { ++spaceCalls; }, .on_failure = {}}).ok());
  auto in = ramp(3 * kRate);  // 3 s: more than the 2 s queue
  std::size_t done = sink.write(in.data(), in.size());
  ASSERT_LT(done, in.size()) << "3 s must not fit in the queue";
  ASSERT_TRUE(waitFor([&] { return spaceCalls.load() > 0; }))
      << "no on_space after a short write (accepted " << done << ")";
  std::size_t more = sink.write(in.data() + done, in.size() - done);
  EXPECT_EQ(done + more, in.size()) << "after on_space the rest must fit; accepted " << more;
  sink.flush();
  ASSERT_TRUE(sink.close().ok());
  auto got = rec.snapshot();
  EXPECT_EQ(got,
            std::vector<int16_t>(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(got.size())));
}

TEST(NullSink, ReopenStartsTheClockAgain) {
  NullSink sink(true);
  ASSERT_TRUE(sink.open(16000, {}).ok());
  auto in = ramp(800);
  sink.write(in.data(), in.size());
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() == 800; }));
  ASSERT_TRUE(sink.close().ok());
  EXPECT_EQ(sink.playedSamples(), 800u) << "readable after close";
  EXPECT_EQ(sink.write(in.data(), in.size()), 0u) << "a closed sink accepts nothing";
  ASSERT_TRUE(sink.open(16000, {}).ok());
  EXPECT_EQ(sink.playedSamples(), 0u);
  sink.write(in.data(), 160);
  ASSERT_TRUE(waitFor([&] { return sink.playedSamples() == 160; }));
}

}  // namespace
}  // namespace liseur
