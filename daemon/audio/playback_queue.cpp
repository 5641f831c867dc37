#include "audio/playback_queue.h"

#include <algorithm>
#include <cstring>

namespace liseur {

PlaybackQueue::PlaybackQueue(std::size_t capacity, std::function<void()> onSpace)
    : ring_(capacity), onSpace_(std::move(onSpace)) {}

std::size_t PlaybackQueue::write(const int16_t* samples, std::size_t count) {
  std::size_t n = ring_.write(samples, count);
  // Armed after the short write, so a render() that drained the ring in between is not missed:
  // the next render() sees the flag (it runs every buffer, even paused or starved).
  if (n < count) spaceWanted_.store(true, std::memory_order_release);
  return n;
}

void PlaybackQueue::flush() {
  // Only the producer moves the write position, so this is exactly "everything written so far".
  flushTo_.store(ring_.writePosition(), std::memory_order_release);
}

std::size_t PlaybackQueue::queuedSamples() const {
  uint64_t w = ring_.writePosition();
  uint64_t r = std::max(ring_.readPosition(), flushTo_.load(std::memory_order_acquire));
  return w > r ? static_cast<std::size_t>(w - r) : 0;
}

std::size_t PlaybackQueue::render(int16_t* out, std::size_t frames) {
  heartbeat_.fetch_add(1, std::memory_order_release);
  ring_.skipTo(flushTo_.load(std::memory_order_acquire));
  std::size_t n = 0;
  if (!paused_.load(std::memory_order_acquire)) n = ring_.read(out, frames);
  if (n < frames) std::memset(out + n, 0, (frames - n) * sizeof(int16_t));
  if (n) played_.fetch_add(n, std::memory_order_release);
  if (spaceWanted_.load(std::memory_order_acquire) && ring_.size() <= ring_.capacity() / 2 &&
      spaceWanted_.exchange(false, std::memory_order_acq_rel) && onSpace_) {
    onSpace_();
  }
  return n;
}

}  // namespace liseur
