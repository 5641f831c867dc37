#include "audio/spsc_ring.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

namespace liseur {
namespace {

TEST(SpscRing, RoundsCapacityUpToPowerOfTwo) {
  for (auto [asked, expected] : std::vector<std::pair<std::size_t, std::size_t>>{
           {0, 2}, {1, 2}, {2, 2}, {3, 4}, {1000, 1024}, {1024, 1024}, {44100, 65536}}) {
    SpscRing<int16_t> ring(asked);
    EXPECT_EQ(ring.capacity(), expected) << "asked for " << asked;
  }
}

TEST(SpscRing, WriteStopsWhenFullAndReadReturnsInOrder) {
  SpscRing<int16_t> ring(8);
  std::vector<int16_t> in(12);
  std::iota(in.begin(), in.end(), 100);
  EXPECT_EQ(ring.write(in.data(), in.size()), 8u) << "12 samples into a ring of 8";
  EXPECT_EQ(ring.size(), 8u);
  EXPECT_EQ(ring.freeSpace(), 0u);
  EXPECT_EQ(ring.write(in.data(), 1), 0u) << "write into a full ring";

  std::vector<int16_t> out(5);
  ASSERT_EQ(ring.read(out.data(), 5), 5u);
  EXPECT_EQ(out, std::vector<int16_t>(in.begin(), in.begin() + 5));
  // Wraps around the end of the buffer.
  EXPECT_EQ(ring.write(in.data() + 8, 4), 4u);
  std::vector<int16_t> rest(10);
  ASSERT_EQ(ring.read(rest.data(), 10), 7u) << "3 left + 4 new";
  rest.resize(7);
  EXPECT_EQ(rest, std::vector<int16_t>(in.begin() + 5, in.end()));
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.read(rest.data(), 1), 0u) << "read from an empty ring";
}

TEST(SpscRing, PositionsGrowAndSkipToDropsExactlyUpToAPosition) {
  SpscRing<int16_t> ring(16);
  std::vector<int16_t> in(10);
  std::iota(in.begin(), in.end(), 0);
  ring.write(in.data(), 10);
  EXPECT_EQ(ring.writePosition(), 10u);
  EXPECT_EQ(ring.skipTo(4), 4u);
  EXPECT_EQ(ring.readPosition(), 4u);
  EXPECT_EQ(ring.skipTo(2), 0u) << "skipping backwards must do nothing";
  EXPECT_EQ(ring.skipTo(1000), 6u) << "skipTo is clamped to what was written";
  EXPECT_EQ(ring.readPosition(), 10u);
  ring.write(in.data(), 3);
  int16_t x = -1;
  ASSERT_EQ(ring.read(&x, 1), 1u);
  EXPECT_EQ(x, 0) << "samples written after the skip position are kept";
  EXPECT_EQ(ring.skip(100), 2u);
}

// One producer and one consumer hammering a small ring with odd block sizes: every sample must
// come out once, in order. Run under -fsanitize=thread to check the memory ordering too.
TEST(SpscRing, TwoThreadStressKeepsSampleOrder) {
  constexpr uint32_t kTotal = 2'000'000;
  SpscRing<uint32_t> ring(64);
  std::thread producer([&] {
    std::vector<uint32_t> block(37);
    uint32_t next = 0;
    std::size_t blockSize = 1;
    while (next < kTotal) {
      std::size_t n = std::min<std::size_t>(blockSize, kTotal - next);
      for (std::size_t i = 0; i < n; ++i) block[i] = next + static_cast<uint32_t>(i);
      std::size_t done = ring.write(block.data(), n);
      next += static_cast<uint32_t>(done);
      blockSize = blockSize % 37 + 1;
      if (done == 0) std::this_thread::yield();
    }
  });
  uint32_t expected = 0;
  uint32_t firstBad = 0, badValue = 0;
  bool bad = false;
  std::vector<uint32_t> out(29);
  std::size_t readSize = 1;
  while (expected < kTotal && !bad) {
    std::size_t n = ring.read(out.data(), readSize);
    for (std::size_t i = 0; i < n; ++i) {
      if (out[i] != expected) {
        bad = true;
        firstBad = expected;
        badValue = out[i];
        break;
      }
      ++expected;
    }
    readSize = readSize % 29 + 1;
    if (n == 0) std::this_thread::yield();
  }
  if (bad) {
    // Let the producer finish so the thread can be joined.
    while (ring.writePosition() < kTotal) ring.skip(ring.capacity());
  }
  producer.join();
  ASSERT_FALSE(bad) << "expected sample " << firstBad << " but read " << badValue;
  EXPECT_EQ(expected, kTotal);
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace liseur
