// EXIF orientation: the tag is found in JPEG, PNG, TIFF and WebP files (both byte orders), every
// malformed block gives 1, and a decoded image is turned or mirrored as a viewer shows it.
#include "ocr/exif_orientation.h"

#include <leptonica/allheaders.h>
#include <zlib.h>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "ocr/image_loader.h"
#include "ocr/ocr_test_util.h"

namespace liseur::ocr {
namespace {

// A TIFF-structured EXIF block whose IFD0 holds `entries` tags before the Orientation tag.
std::string tiffBlock(int orientation, bool little, int other_entries = 0, int type = 3) {
  std::string t;
  auto u16 = [&](unsigned v) {
    if (little) {
      t += static_cast<char>(v & 0xff);
      t += static_cast<char>(v >> 8);
    } else {
      t += static_cast<char>(v >> 8);
      t += static_cast<char>(v & 0xff);
    }
  };
  auto u32 = [&](std::uint32_t v) {
    if (little) {
      u16(v & 0xffff);
      u16(v >> 16);
    } else {
      u16(v >> 16);
      u16(v & 0xffff);
    }
  };
  t += little ? "II" : "MM";
  u16(42);
  u32(8);
  u16(static_cast<unsigned>(other_entries + 1));
  for (int i = 0; i < other_entries; ++i) {  // ImageDescription-like tags before it
    u16(0x010E);
    u16(2);
    u32(4);
    u32(0);
  }
  u16(0x0112);
  u16(static_cast<unsigned>(type));
  u32(1);
  u16(static_cast<unsigned>(orientation));
  u16(0);
  u32(0);  // no next IFD
  return t;
}

// `jpeg` with an APP1 Exif segment inserted after its SOI marker.
std::string withExifApp1(const std::string& jpeg, const std::string& tiff) {
  const std::string body = std::string("Exif\0\0", 6) + tiff;
  const std::size_t len = body.size() + 2;
  std::string seg = "\xff\xe1";
  seg += static_cast<char>(len >> 8);
  seg += static_cast<char>(len & 0xff);
  return jpeg.substr(0, 2) + seg + body + jpeg.substr(2);
}

// `png` with an eXIf chunk inserted after IHDR (signature 8 bytes + IHDR 25 bytes).
std::string withExifChunk(const std::string& png, const std::string& tiff) {
  std::string chunk;
  const std::uint32_t n = static_cast<std::uint32_t>(tiff.size());
  for (int s = 24; s >= 0; s -= 8) chunk += static_cast<char>((n >> s) & 0xff);
  const std::string typed = "eXIf" + tiff;
  chunk += typed;
  const std::uint32_t crc =
      crc32(0, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()));
  for (int s = 24; s >= 0; s -= 8) chunk += static_cast<char>((crc >> s) & 0xff);
  return png.substr(0, 33) + chunk + png.substr(33);
}

// A 40x20 JPEG, white with a black 10x10 square in its top-left corner.
std::string cornerJpeg() {
  Pix* pix = pixCreate(40, 20, 8);
  pixSetAll(pix);
  pixRasterop(pix, 0, 0, 10, 10, PIX_CLR, nullptr, 0, 0);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemJpeg(&data, &size, pix, 95, 0);
  pixDestroy(&pix);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

// Where the black corner square is after decoding: 0 top-left, 1 top-right, 2 bottom-right,
// 3 bottom-left, -1 none.
int darkCorner(Pix* pix) {
  const int w = pixGetWidth(pix), h = pixGetHeight(pix);
  const int xs[4] = {3, w - 4, w - 4, 3}, ys[4] = {3, 3, h - 4, h - 4};
  for (int c = 0; c < 4; ++c) {
    l_uint32 v = 0;
    pixGetPixel(pix, xs[c], ys[c], &v);
    const int grey = pixGetDepth(pix) == 8 ? static_cast<int>(v) : static_cast<int>(v >> 24);
    if (grey < 100) return c;
  }
  return -1;
}

TEST(ExifOrientation, ReadsTheTagInBothByteOrders) {
  for (bool little : {true, false}) {
    for (int o = 1; o <= 8; ++o) {
      EXPECT_EQ(exifOrientationFromTiff(tiffBlock(o, little)), o)
          << "orientation " << o << (little ? " little" : " big") << "-endian";
      EXPECT_EQ(exifOrientationFromTiff(tiffBlock(o, little, 3)), o)
          << "orientation " << o << " after 3 other tags";
    }
  }
}

TEST(ExifOrientation, MalformedBlocksGiveOne) {
  const std::string good = tiffBlock(6, true);
  EXPECT_EQ(exifOrientationFromTiff(""), 1);
  EXPECT_EQ(exifOrientationFromTiff("XX*\0\x08\0\0\0"), 1) << "bad byte-order mark";
  EXPECT_EQ(exifOrientationFromTiff(tiffBlock(9, true)), 1) << "value out of range";
  EXPECT_EQ(exifOrientationFromTiff(tiffBlock(6, true, 0, 4)), 1) << "LONG instead of SHORT";
  for (std::size_t cut = 0; cut < good.size() - 4; ++cut)
    EXPECT_EQ(exifOrientationFromTiff(good.substr(0, cut)), 1) << "cut at " << cut;
  std::string far = good;
  far[4] = '\xff';  // IFD0 offset past the end
  EXPECT_EQ(exifOrientationFromTiff(far), 1);
  std::string many = tiffBlock(6, true, 3);
  many[8] = '\xff';  // more entries than bytes, the tag past the end of the data
  many[9] = '\xff';
  EXPECT_EQ(exifOrientationFromTiff(many.substr(0, 10 + 3 * 12)), 1);
}

TEST(ExifOrientation, FoundInJpegPngAndWebp) {
  const std::string jpeg = withExifApp1(cornerJpeg(), tiffBlock(6, false));
  EXPECT_EQ(exifOrientation(jpeg, ImageFormat::kJpeg), 6);
  const std::string png = withExifChunk(test::makePng(8, 4, 8), tiffBlock(8, true));
  EXPECT_EQ(exifOrientation(png, ImageFormat::kPng), 8);
  // RIFF....WEBP then an EXIF chunk (parsed without decoding).
  const std::string tiff = tiffBlock(3, true);
  std::string webp("RIFF\0\0\0\0WEBPEXIF", 16);
  const std::uint32_t n = static_cast<std::uint32_t>(tiff.size());
  for (int s = 0; s < 32; s += 8) webp += static_cast<char>((n >> s) & 0xff);
  webp += tiff;
  EXPECT_EQ(exifOrientation(webp, ImageFormat::kWebp), 3);
  EXPECT_EQ(exifOrientation(cornerJpeg(), ImageFormat::kJpeg), 1) << "no EXIF";
}

TEST(ExifOrientation, DecodedImagesAreShownUpright) {
  // The stored image is 40x20 with the square top-left; each orientation puts it where a viewer
  // shows it: 6 (turn clockwise) -> top-right of a 20x40 image, 3 -> bottom-right, 8 ->
  // bottom-left, 2 (mirror) -> top-right, 4 (flip) -> bottom-left, 5 (transpose) -> top-left,
  // 7 (transverse) -> bottom-right.
  const int expected_corner[9] = {-1, 0, 1, 2, 3, 0, 1, 2, 3};
  for (int o = 1; o <= 8; ++o) {
    const std::string file = withExifApp1(cornerJpeg(), tiffBlock(o, true));
    auto pix = decodeImage(file, Limits{}, "exif test");
    ASSERT_TRUE(pix.ok()) << "orientation " << o << ": " << pix.error().message;
    const bool turned = o >= 5;
    EXPECT_EQ(pixGetWidth(pix->get()), turned ? 20 : 40) << "orientation " << o;
    EXPECT_EQ(pixGetHeight(pix->get()), turned ? 40 : 20) << "orientation " << o;
    EXPECT_EQ(darkCorner(pix->get()), expected_corner[o]) << "orientation " << o;
  }
}

TEST(ExifOrientation, PngEXifChunkIsHonoured) {
  // 8x4 grey PNG, black in its first column only; orientation 6 shows it as the top row of 4x8.
  const std::string png = test::makePng(8, 4, 8, [](long long, std::string& row) {
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = i == 0 ? 0 : '\xff';
  });
  auto pix = decodeImage(withExifChunk(png, tiffBlock(6, true)), Limits{}, "png exif");
  ASSERT_TRUE(pix.ok()) << pix.error().message;
  ASSERT_EQ(pixGetWidth(pix->get()), 4);
  ASSERT_EQ(pixGetHeight(pix->get()), 8);
  for (int x = 0; x < 4; ++x) {
    l_uint32 v = 0;
    pixGetPixel(pix->get(), x, 0, &v);
    EXPECT_LT(static_cast<int>(v), 50) << "top row, x = " << x;
    pixGetPixel(pix->get(), x, 7, &v);
    EXPECT_GT(static_cast<int>(v), 200) << "bottom row, x = " << x;
  }
}

}  // namespace
}  // namespace liseur::ocr
