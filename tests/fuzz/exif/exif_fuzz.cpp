// libFuzzer target: the EXIF orientation parser on arbitrary bytes, as each container format.
// It must never read outside the input and always answer 1..8.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ocr/exif_orientation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur::ocr;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (ImageFormat f : {ImageFormat::kJpeg, ImageFormat::kPng, ImageFormat::kTiff,
                        ImageFormat::kWebp, ImageFormat::kUnknown}) {
    const int o = exifOrientation(bytes, f);
    if (o < 1 || o > 8) __builtin_trap();
  }
  const int o = exifOrientationFromTiff(bytes);
  if (o < 1 || o > 8) __builtin_trap();
  return 0;
}
