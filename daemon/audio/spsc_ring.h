// SpscRing<T>: a bounded lock-free ring for exactly one producer thread and one consumer thread
// (here: the daemon's main thread writes PCM, the audio callback reads it).
//
// Positions are 64-bit counters that only grow (they never wrap in practice: 2^64 samples is
// millions of years of audio), so "how much is queued" is write - read with no full/empty
// ambiguity, and a position can name a sample for ever (flush uses that: skipTo(position)).
//
// Threads: write(), writePosition() and freeSpace() belong to the producer; read(), skip(),
// skipTo() and readPosition() to the consumer; size() and capacity() may be called from any thread
// (size() is then a snapshot). No call blocks, allocates or takes a lock: safe in a real-time
// audio callback. Construction and destruction must not race with either thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace liseur {

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "SpscRing copies elements with memcpy");
  static_assert(std::atomic<uint64_t>::is_always_lock_free, "needs lock-free 64-bit atomics");

 public:
  // Capacity is rounded up to a power of two (at least 2) so that indexing is a mask.
  explicit SpscRing(std::size_t minCapacity)
      : capacity_(std::bit_ceil(std::max<std::size_t>(minCapacity, 2))),
        mask_(capacity_ - 1),
        buf_(std::make_unique<T[]>(capacity_)) {}
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const { return capacity_; }

  // Any thread: elements written and not yet read or skipped (a snapshot).
  std::size_t size() const {
    uint64_t r = read_.load(std::memory_order_acquire);
    uint64_t w = write_.load(std::memory_order_acquire);
    return static_cast<std::size_t>(w - r);
  }

  // --- producer ---

  // Copies up to `count` elements in; returns how many fitted.
  std::size_t write(const T* src, std::size_t count) {
    uint64_t w = write_.load(std::memory_order_relaxed);
    uint64_t r = read_.load(std::memory_order_acquire);
    std::size_t n = std::min<std::size_t>(count, capacity_ - static_cast<std::size_t>(w - r));
    copyIn(w, src, n);
    write_.store(w + n, std::memory_order_release);
    return n;
  }
  std::size_t freeSpace() const {
    return capacity_ - static_cast<std::size_t>(write_.load(std::memory_order_relaxed) -
                                                read_.load(std::memory_order_acquire));
  }
  // Position just after the last element written.
  uint64_t writePosition() const { return write_.load(std::memory_order_acquire); }

  // --- consumer ---

  // Copies up to `count` elements out; returns how many there were.
  std::size_t read(T* dst, std::size_t count) {
    uint64_t r = read_.load(std::memory_order_relaxed);
    uint64_t w = write_.load(std::memory_order_acquire);
    std::size_t n = std::min<std::size_t>(count, static_cast<std::size_t>(w - r));
    copyOut(r, dst, n);
    read_.store(r + n, std::memory_order_release);
    return n;
  }
  // Drops up to `count` elements; returns how many were dropped.
  std::size_t skip(std::size_t count) {
    uint64_t r = read_.load(std::memory_order_relaxed);
    uint64_t w = write_.load(std::memory_order_acquire);
    std::size_t n = std::min<std::size_t>(count, static_cast<std::size_t>(w - r));
    read_.store(r + n, std::memory_order_release);
    return n;
  }
  // Drops everything before `position` (clamped to what was written); returns how many.
  std::size_t skipTo(uint64_t position) {
    uint64_t r = read_.load(std::memory_order_relaxed);
    return position > r ? skip(static_cast<std::size_t>(position - r)) : 0;
  }
  // Position of the next element read() would return.
  uint64_t readPosition() const { return read_.load(std::memory_order_acquire); }

 private:
  void copyIn(uint64_t pos, const T* src, std::size_t n) {
    std::size_t at = static_cast<std::size_t>(pos) & mask_;
    std::size_t first = std::min(n, capacity_ - at);
    if (first) std::memcpy(&buf_[at], src, first * sizeof(T));
    if (n > first) std::memcpy(&buf_[0], src + first, (n - first) * sizeof(T));
  }
  void copyOut(uint64_t pos, T* dst, std::size_t n) const {
    std::size_t at = static_cast<std::size_t>(pos) & mask_;
    std::size_t first = std::min(n, capacity_ - at);
    if (first) std::memcpy(dst, &buf_[at], first * sizeof(T));
    if (n > first) std::memcpy(dst + first, &buf_[0], (n - first) * sizeof(T));
  }

  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<T[]> buf_;
  // Each counter on its own cache line: the two threads write different lines.
  alignas(64) std::atomic<uint64_t> write_{0};
  alignas(64) std::atomic<uint64_t> read_{0};
};

}  // namespace liseur
