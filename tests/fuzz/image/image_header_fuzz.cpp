// libFuzzer target: the OCR worker's image header checks and decoding, on arbitrary bytes. The
// header check must refuse oversized images before any decoding; decoding must fail cleanly.
// Limits are small here (1024 px a side, 1 Mpx) so the fuzzer explores formats, not allocations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ocr/image_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur::ocr;
  Limits limits;
  limits.max_side = 1024;
  limits.max_pixels = 1 << 20;
  limits.max_file_bytes = 1 << 20;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto header = readImageHeader(bytes, limits, "fuzz input");
  if (!header) return 0;
  if (header->width <= 0 || header->height <= 0 || header->width > limits.max_side ||
      header->height > limits.max_side)
    __builtin_trap();  // the header check let an image through that it should have refused
  (void)decodeImage(bytes, limits, "fuzz input");
  return 0;
}
