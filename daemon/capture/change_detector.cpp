#include "capture/change_detector.h"

#include <bit>
#include <cstring>

namespace liseur {

namespace {

constexpr uint64_t kP1 = 11400714785074694791ull;
constexpr uint64_t kP2 = 14029467366897019727ull;
constexpr uint64_t kP3 = 1609587929392839161ull;
constexpr uint64_t kP4 = 9650029242287828579ull;
constexpr uint64_t kP5 = 2870177450012600261ull;

inline uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

// Unaligned little-endian loads (memcpy compiles to a plain load on x86 and ARM).
inline uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline uint32_t load32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

inline uint64_t round(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}

inline uint64_t merge(uint64_t acc, uint64_t v) {
  acc ^= round(0, v);
  return acc * kP1 + kP4;
}

}  // namespace

uint64_t xxh64(const void* data, std::size_t size, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  const unsigned char* const end = p + size;
  uint64_t h;
  if (size >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    const unsigned char* const limit = end - 32;
    do {
      v1 = round(v1, load64(p));
      v2 = round(v2, load64(p + 8));
      v3 = round(v3, load64(p + 16));
      v4 = round(v4, load64(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<uint64_t>(size);
  // Lengths, not `p + 8 <= end`: with no data (a null pointer) that sum is undefined behaviour.
  for (; end - p >= 8; p += 8) {
    h ^= round(0, load64(p));
    h = rotl(h, 27) * kP1 + kP4;
  }
  if (end - p >= 4) {
    h ^= static_cast<uint64_t>(load32(p)) * kP1;
    h = rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) {
    h ^= static_cast<uint64_t>(*p) * kP5;
    h = rotl(h, 11) * kP1;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

uint64_t hashPixels(const CapturedImage& image) {
  // The geometry seeds the hash, so a 100x2 and a 200x1 image of the same bytes differ.
  uint64_t h = xxh64(nullptr, 0,
                     (static_cast<uint64_t>(static_cast<uint32_t>(image.width)) << 32) |
                         static_cast<uint32_t>(image.height));
  if (image.width <= 0 || image.height <= 0) return h;
  const std::size_t row = static_cast<std::size_t>(image.width) * 4;
  const std::size_t stride = static_cast<std::size_t>(image.stride);
  if (stride < row || image.bgra.size() < stride * (image.height - 1) + row) return h;
  // Row by row even when rows are contiguous, so padding never changes the result.
  for (int y = 0; y < image.height; ++y) h = xxh64(image.bgra.data() + y * stride, row, h);
  return h;
}

bool ChangeDetector::changed(const CapturedImage& image) {
  const uint64_t h = hashPixels(image);
  const bool differs = !have_ || h != last_;
  have_ = true;
  last_ = h;
  return differs;
}

}  // namespace liseur
