// PlaybackQueue: the state shared by a real-time sink's two sides, so the PortAudio sink and the
// paced null sink (its stand-in in tests) have exactly the same flush, pause and clock semantics.
//
// - The producer (the daemon's main thread) calls write(), flush(), pause(), resume(),
//   playedSamples(), queuedSamples().
// - The consumer (PortAudio's callback, or the paced null sink's thread) calls render() once per
//   device buffer. render() never blocks, allocates or locks.
//
// Flush: the producer records the write position at the time of flush(); the consumer drops
// everything before it at its next render(). Samples written after flush() are kept, so a new job
// may write at once. Pause: render() outputs silence and does not move the read position, so
// resume continues with the very next sample (nothing lost, nothing repeated). A flush while
// paused still drops the queue.
//
// on_space is rate-limited: it is armed when write() accepts less than asked and fires once, from
// render() (the consumer thread), when the queue has drained to half the capacity or less.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "audio/spsc_ring.h"

namespace liseur {

class PlaybackQueue {
 public:
  // `capacity` samples (rounded up to a power of two). `onSpace` may be empty; it runs on the
  // consumer thread and must only post work elsewhere.
  PlaybackQueue(std::size_t capacity, std::function<void()> onSpace);
  PlaybackQueue(const PlaybackQueue&) = delete;
  PlaybackQueue& operator=(const PlaybackQueue&) = delete;

  // --- producer ---
  std::size_t write(const int16_t* samples, std::size_t count);
  void flush();
  void pause() { paused_.store(true, std::memory_order_release); }
  void resume() { paused_.store(false, std::memory_order_release); }
  bool paused() const { return paused_.load(std::memory_order_acquire); }
  // Samples handed to the output by render() (silence not counted).
  uint64_t playedSamples() const { return played_.load(std::memory_order_acquire); }
  // Samples queued and not yet played, not counting those a pending flush will drop.
  std::size_t queuedSamples() const;
  std::size_t capacity() const { return ring_.capacity(); }
  // Grows by one per render() call: a watchdog compares it over time (see StallDetector).
  uint64_t heartbeat() const { return heartbeat_.load(std::memory_order_acquire); }

  // --- consumer ---
  // Fills out[0..frames) with queued samples, then silence (underrun, or paused). Returns how many
  // real samples were written at the start of `out`.
  std::size_t render(int16_t* out, std::size_t frames);

 private:
  SpscRing<int16_t> ring_;
  std::function<void()> onSpace_;
  std::atomic<uint64_t> flushTo_{0};
  std::atomic<uint64_t> played_{0};
  std::atomic<uint64_t> heartbeat_{0};
  std::atomic<bool> paused_{false};
  std::atomic<bool> spaceWanted_{false};
};

// Watchdog for a consumer that stops running (a dead sound server, a wedged driver): feed it the
// heartbeat and the time; stalled() once the heartbeat has not moved for longer than `limit`.
// Single-threaded (the main thread's periodic check).
class StallDetector {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StallDetector(std::chrono::milliseconds limit) : limit_(limit) {}
  void reset(uint64_t heartbeat, Clock::time_point now) {
    last_ = heartbeat;
    since_ = now;
  }
  // Returns how long the heartbeat has been still; stalled when that exceeds the limit.
  std::chrono::milliseconds update(uint64_t heartbeat, Clock::time_point now) {
    if (heartbeat != last_) reset(heartbeat, now);
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
  }
  bool stalled(uint64_t heartbeat, Clock::time_point now) {
    return update(heartbeat, now) > limit_;
  }
  std::chrono::milliseconds limit() const { return limit_; }

 private:
  std::chrono::milliseconds limit_;
  uint64_t last_ = 0;
  Clock::time_point since_{};
};

}  // namespace liseur
