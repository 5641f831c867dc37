// PixPtr: unique ownership of a Leptonica Pix (pixDestroy on destruction).
//
// Leptonica reference-counts images; a PixPtr owns one reference. Plain data, no thread
// affinity; a Pix must not be written from two threads at once.
#pragma once

#include <memory>

struct Pix;

namespace liseur::preprocess {

struct PixDeleter {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

}  // namespace liseur::preprocess
