// Change detection for watched regions: a 64-bit hash of the pixels, so a tick whose capture has
// not changed skips recognition.
//
// The hash is XXH64 (the xxHash 64-bit algorithm, written here from its published specification),
// fast enough that hashing a 600x200 capture costs a fraction of a millisecond. It is not a
// cryptographic hash: it only has to notice that a region changed.
// Plain functions and a small value class; no thread affinity.
#pragma once

#include <cstddef>
#include <cstdint>

#include "capture/capture.h"

namespace liseur {

// XXH64 of `size` bytes.
uint64_t xxh64(const void* data, std::size_t size, uint64_t seed = 0);

// Hash of an image's visible pixels and geometry: row padding beyond width * 4 is ignored, and
// images of different sizes hash differently even with the same bytes.
uint64_t hashPixels(const CapturedImage& image);

// Remembers the last capture's hash for one watched region.
class ChangeDetector {
 public:
  // True the first time, and whenever the pixels or the geometry differ from the previous call.
  bool changed(const CapturedImage& image);
  void reset() { have_ = false; }
  uint64_t lastHash() const { return last_; }

 private:
  bool have_ = false;
  uint64_t last_ = 0;
};

}  // namespace liseur
