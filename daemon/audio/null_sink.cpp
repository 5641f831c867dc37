#include "audio/null_sink.h"

#include <algorithm>
#include <vector>

namespace liseur {

NullSink::NullSink(bool paced) : paced_(paced) {}

NullSink::~NullSink() {
  (void)close();
}

Status NullSink::open(int sampleRate, AudioSinkCallbacks callbacks) {
  if (sampleRate <= 0) {
    return Status::fail(
        ErrorCode::kInvalidArgument,
        "null sink: sample rate must be positive, got " + std::to_string(sampleRate));
  }
  (void)close();
  rate_ = sampleRate;
  callbacks_ = std::move(callbacks);
  unpacedPlayed_ = 0;
  failureReported_ = false;
  open_ = true;
  if (!paced_) return okStatus();
  std::size_t capacity = static_cast<std::size_t>(sampleRate) * kQueueLength.count() / 1000;
  queue_ = std::make_unique<PlaybackQueue>(capacity, callbacks_.on_space);
  stop_ = false;
  stall_.reset(queue_->heartbeat(), StallDetector::Clock::now());
  thread_ = std::thread([this] { run(); });
  return okStatus();
}

void NullSink::run() {
  using Clock = std::chrono::steady_clock;
  const std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(rate_) / 100);
  std::vector<int16_t> buf(step);
  // Frames are due by the clock, not by counting sleeps, so the rate does not drift with
  // scheduling delays. After a long stall (a loaded 2-core machine) the lost time is dropped, as
  // a sound card would underrun, instead of "playing" the backlog at high speed.
  Clock::time_point start = Clock::now();
  uint64_t consumed = 0;
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, kStep, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    uint64_t due = static_cast<uint64_t>(elapsed.count()) * static_cast<uint64_t>(rate_) / 1000000;
    if (due > consumed + 10 * step) {
      consumed = due - step;  // underrun: skip the lost time
    }
    while (consumed + step <= due) {
      std::size_t n = queue_->render(buf.data(), step);
      if (n && hook_) hook_(buf.data(), n);
      consumed += step;
    }
    lock.lock();
  }
}

std::size_t NullSink::write(const int16_t* samples, std::size_t count) {
  if (!open_) return 0;
  if (!paced_) {
    if (hook_ && count) hook_(samples, count);
    unpacedPlayed_ += count;
    return count;
  }
  return queue_->write(samples, count);
}

void NullSink::flush() {
  if (queue_) queue_->flush();
}
void NullSink::pause() {
  if (queue_) queue_->pause();
}
void NullSink::resume() {
  if (queue_) queue_->resume();
}

uint64_t NullSink::playedSamples() const {
  return paced_ ? (queue_ ? queue_->playedSamples() : 0) : unpacedPlayed_;
}

std::size_t NullSink::queuedSamples() const {
  return queue_ ? queue_->queuedSamples() : 0;
}

Status NullSink::close() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // The queue is kept so playedSamples() stays readable after close(); open() replaces it.
  open_ = false;
  return okStatus();
}

std::string NullSink::describe() const {
  return paced_ ? "null (paced)" : "null";
}

Status NullSink::checkHealth() {
  if (!open_ || !paced_) return okStatus();
  if (!stall_.stalled(queue_->heartbeat(), StallDetector::Clock::now())) return okStatus();
  Error e{ErrorCode::kAudioFailed, "null sink: the paced thread stopped consuming"};
  if (!failureReported_ && callbacks_.on_failure) callbacks_.on_failure(e);
  failureReported_ = true;
  return e;
}

std::unique_ptr<AudioSink> makeNullSink(bool paced) {
  return std::make_unique<NullSink>(paced);
}

}  // namespace liseur
