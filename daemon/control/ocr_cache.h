// OcrCache: what the OCR worker recognised in a captured image, kept in memory by the image's
// content, so reading an unchanged window again speaks at once, without recognising it again.
//
// Only captured images are cached (the screen's pixels, a portal's or the clipboard's PNG); files
// are not (the daemon does not read them: the worker does). The key is a 64-bit hash of the
// bytes with their size, format, crop, focus point (under the pointer only that block is
// recognised) and the OCR languages. What is kept is the worker's answer before anything else
// touches it (the plugin chain and speech run again on a hit).
// Bounded: the `capacity` most recently used images. Memory only: nothing is written anywhere,
// and Session clears it when the configuration changes.
//
// Main thread only (the Session's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "document/document.h"

namespace liseur {

struct JobRequest;

struct OcrResult {
  int width = 0, height = 0;
  std::vector<Block> blocks;  // as the worker sent them, in reading order
  std::vector<bool> focus;    // for each block: a part of the paragraph under the pointer
};

class OcrCache {
 public:
  explicit OcrCache(std::size_t capacity = 8) : capacity_(capacity) {}

  // The key of a captured image's recognition, or nothing for a file.
  static std::optional<uint64_t> keyFor(const JobRequest& request, const std::string& languages);

  // The result for `key`, now the most recently used; nullptr on a miss.
  const OcrResult* find(uint64_t key);
  void put(uint64_t key, OcrResult result);
  void clear();

  std::size_t size() const { return entries_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    uint64_t key;
    OcrResult result;
  };
  std::size_t capacity_;
  std::list<Entry> entries_;  // most recently used first
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace liseur
