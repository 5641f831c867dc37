#include "ocr/exif_orientation.h"

#include <leptonica/allheaders.h>

#include <cstdint>
#include <cstring>

namespace liseur::ocr {
namespace {

constexpr std::uint16_t kOrientationTag = 0x0112;
constexpr std::uint16_t kTypeShort = 3;

struct Reader {
  std::string_view d;
  bool little = true;
  bool has(std::size_t off, std::size_t n) const { return off <= d.size() && n <= d.size() - off; }
  std::uint16_t u16(std::size_t off) const {
    const auto* p = reinterpret_cast<const unsigned char*>(d.data()) + off;
    return little ? static_cast<std::uint16_t>(p[0] | p[1] << 8)
                  : static_cast<std::uint16_t>(p[0] << 8 | p[1]);
  }
  std::uint32_t u32(std::size_t off) const {
    const auto* p = reinterpret_cast<const unsigned char*>(d.data()) + off;
    return little ? (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                     std::uint32_t(p[3]) << 24)
                  : (std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 |
                     std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]));
  }
};

std::uint32_t be32(std::string_view d, std::size_t off) {
  const auto* p = reinterpret_cast<const unsigned char*>(d.data()) + off;
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

std::uint32_t le32(std::string_view d, std::size_t off) {
  const auto* p = reinterpret_cast<const unsigned char*>(d.data()) + off;
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

// Some writers keep the "Exif\0\0" preamble of the JPEG segment in PNG and WebP chunks too.
std::string_view skipExifPreamble(std::string_view d) {
  if (d.size() >= 6 && std::memcmp(d.data(), "Exif\0\0", 6) == 0) d.remove_prefix(6);
  return d;
}

int fromJpeg(std::string_view d) {
  std::size_t pos = 2;  // after SOI
  while (pos + 4 <= d.size()) {
    if (static_cast<unsigned char>(d[pos]) != 0xFF) return 1;
    const auto marker = static_cast<unsigned char>(d[pos + 1]);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    // Start of scan or end of image: the metadata segments are all before.
    if (marker == 0xDA || marker == 0xD9) return 1;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      pos += 2;
      continue;
    }
    const std::size_t len =
        static_cast<unsigned char>(d[pos + 2]) << 8 | static_cast<unsigned char>(d[pos + 3]);
    if (len < 2 || pos + 2 + len > d.size()) return 1;
    std::string_view body = d.substr(pos + 4, len - 2);
    if (marker == 0xE1 && body.size() >= 6 && std::memcmp(body.data(), "Exif\0\0", 6) == 0)
      return exifOrientationFromTiff(body.substr(6));
    pos += 2 + len;
  }
  return 1;
}

int fromPng(std::string_view d) {
  std::size_t pos = 8;  // after the signature
  while (pos + 12 <= d.size()) {
    const std::uint32_t len = be32(d, pos);
    const std::string_view type = d.substr(pos + 4, 4);
    if (len > d.size() - pos - 12) return 1;
    if (type == "eXIf") return exifOrientationFromTiff(skipExifPreamble(d.substr(pos + 8, len)));
    if (type == "IDAT" || type == "IEND") return 1;  // eXIf must come before the image data
    pos += 12 + len;
  }
  return 1;
}

int fromWebp(std::string_view d) {
  std::size_t pos = 12;  // after "RIFF" size "WEBP"
  while (pos + 8 <= d.size()) {
    const std::string_view type = d.substr(pos, 4);
    const std::uint32_t len = le32(d, pos + 4);
    if (len > d.size() - pos - 8) return 1;
    if (type == "EXIF") return exifOrientationFromTiff(skipExifPreamble(d.substr(pos + 8, len)));
    pos += 8 + len + (len & 1);
  }
  return 1;
}

}  // namespace

int exifOrientationFromTiff(std::string_view tiff) {
  Reader r{tiff};
  if (!r.has(0, 8)) return 1;
  if (std::memcmp(tiff.data(), "II", 2) == 0) {
    r.little = true;
  } else if (std::memcmp(tiff.data(), "MM", 2) == 0) {
    r.little = false;
  } else {
    return 1;
  }
  if (r.u16(2) != 42) return 1;
  const std::uint32_t ifd = r.u32(4);
  if (!r.has(ifd, 2)) return 1;
  const std::uint16_t entries = r.u16(ifd);
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::size_t e = ifd + 2 + std::size_t(i) * 12;
    if (!r.has(e, 12)) return 1;
    if (r.u16(e) != kOrientationTag) continue;
    if (r.u16(e + 2) != kTypeShort || r.u32(e + 4) < 1) return 1;
    const int v = r.u16(e + 8);
    return v >= 1 && v <= 8 ? v : 1;
  }
  return 1;
}

int exifOrientation(std::string_view file, ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return fromJpeg(file);
    case ImageFormat::kPng:
      return fromPng(file);
    case ImageFormat::kTiff:
      return exifOrientationFromTiff(file);
    case ImageFormat::kWebp:
      return fromWebp(file);
    default:
      return 1;
  }
}

PixPtr applyExifOrientation(Pix* pix, int orientation) {
  if (!pix) return nullptr;
  switch (orientation) {
    case 2:
      return PixPtr(pixFlipLR(nullptr, pix));
    case 3:
      return PixPtr(pixRotateOrth(pix, 2));
    case 4:
      return PixPtr(pixFlipTB(nullptr, pix));
    case 5: {  // transpose: a quarter turn clockwise, then mirrored left-right
      PixPtr turned(pixRotateOrth(pix, 1));
      return turned ? PixPtr(pixFlipLR(nullptr, turned.get())) : nullptr;
    }
    case 6:
      return PixPtr(pixRotateOrth(pix, 1));
    case 7: {  // transverse: a quarter turn clockwise, then mirrored top-bottom
      PixPtr turned(pixRotateOrth(pix, 1));
      return turned ? PixPtr(pixFlipTB(nullptr, turned.get())) : nullptr;
    }
    case 8:
      return PixPtr(pixRotateOrth(pix, 3));
    default:
      return PixPtr(pixClone(pix));
  }
}

}  // namespace liseur::ocr
