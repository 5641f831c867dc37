#include "control/ocr_cache.h"

#include <functional>
#include <string_view>

#include "control/session.h"

namespace liseur {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  // boost::hash_combine's constant, widened: spreads each field over the whole word.
  return h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

}  // namespace

std::optional<uint64_t> OcrCache::keyFor(const JobRequest& r, const std::string& languages) {
  if (r.image_bytes.empty()) return std::nullopt;
  std::hash<std::string_view> hs;
  uint64_t h = hs(r.image_bytes);
  // The focus point is in the key: under the pointer, only the block there is recognised.
  for (int v :
       {r.width, r.height, r.stride, r.crop.x, r.crop.y, r.crop.w, r.crop.h, r.focus_x, r.focus_y})
    h = mix(h, static_cast<uint64_t>(static_cast<uint32_t>(v)));
  h = mix(h, r.screenshot ? 1 : 0);
  h = mix(h, hs(r.encoded));
  h = mix(h, hs(languages));
  return h;
}

const OcrResult* OcrCache::find(uint64_t key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key != key) continue;
    entries_.splice(entries_.begin(), entries_, it);
    ++hits_;
    return &entries_.front().result;
  }
  ++misses_;
  return nullptr;
}

void OcrCache::put(uint64_t key, OcrResult result) {
  if (capacity_ == 0) return;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key == key) {
      entries_.erase(it);
      break;
    }
  }
  entries_.push_front({key, std::move(result)});
  while (entries_.size() > capacity_) entries_.pop_back();
}

void OcrCache::clear() {
  entries_.clear();
}

}  // namespace liseur
