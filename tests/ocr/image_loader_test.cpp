// image_loader: every accepted format decodes and normalises to 8 bpp grey or 32 bpp RGB; every
// hostile or broken file gets its own error code, before any large allocation.
#include "ocr/image_loader.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "ocr/ocr_test_util.h"
#include "support/test_env.h"

namespace liseur::ocr {
namespace {

using test::makePng;
using test::makePngHeaderOnly;
using test::makePngInflatingTo;
using test::readFile;
using test::TempXdg;
using test::writeFile;

struct Rgb {
  int r = 0, g = 0, b = 0;
};

std::ostream& operator<<(std::ostream& os, const Rgb& c) {
  return os << "(" << c.r << "," << c.g << "," << c.b << ")";
}

Rgb pixelAt(Pix* pix, int x, int y) {
  l_uint32 v = 0;
  pixGetPixel(pix, x, y, &v);
  if (pixGetDepth(pix) == 8) {
    int g = static_cast<int>(v);
    return {g, g, g};
  }
  l_int32 r, g, b;
  extractRGBValues(v, &r, &g, &b);
  return {r, g, b};
}

bool near(const Rgb& a, const Rgb& b, int tol) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

// ---------------------------------------------------------------------------------------------
// Formats: make_format_samples.py writes each sample: left half a colour, right half white (or
// transparent).

struct Sample {
  const char* file;
  int depth;  // 8 or 32 after normalisation; 0: either
  Rgb left;
  int tolerance;
};

std::ostream& operator<<(std::ostream& os, const Sample& s) {
  return os << s.file;
}

class FormatSamples : public ::testing::TestWithParam<Sample> {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempXdg();
    const std::string cmd = std::string("/usr/bin/python3 ") + LISEUR_SOURCE_DIR +
                            "/tests/ocr/make_format_samples.py " + tmp_->path("samples");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static TempXdg* tmp_;
};
TempXdg* FormatSamples::tmp_ = nullptr;

TEST_P(FormatSamples, DecodesAndNormalises) {
  const Sample& s = GetParam();
  const std::string path = tmp_->path(std::string("samples/") + s.file);
  auto pix = loadImageFile(path);
  ASSERT_TRUE(pix.ok()) << path << ": " << pix.error().name() << ": " << pix.error().message;
  Pix* p = pix->get();
  EXPECT_EQ(pixGetWidth(p), 64) << path;
  EXPECT_EQ(pixGetHeight(p), 32) << path;
  const int d = pixGetDepth(p);
  EXPECT_TRUE(d == 8 || d == 32) << path << ": depth " << d;
  if (s.depth) {
    EXPECT_EQ(d, s.depth) << path;
  }
  EXPECT_EQ(pixGetColormap(p), nullptr) << path << ": colormap kept";
  if (d == 32) {
    EXPECT_EQ(pixGetSpp(p), 3) << path << ": alpha kept";
  }
  const Rgb left = pixelAt(p, 8, 16), right = pixelAt(p, 56, 16);
  EXPECT_TRUE(near(left, s.left, s.tolerance))
      << path << ": left half " << left << ", expected " << s.left << " +-" << s.tolerance;
  EXPECT_TRUE(near(right, Rgb{255, 255, 255}, std::max(s.tolerance, 2)))
      << path << ": right half " << right << ", expected white";
}

constexpr Rgb kRed{200, 30, 30};
constexpr Rgb kBlue{30, 30, 200};

INSTANTIATE_TEST_SUITE_P(
    ImageLoader, FormatSamples,
    ::testing::Values(Sample{"rgb.png", 32, kRed, 0}, Sample{"grey.png", 8, {50, 50, 50}, 0},
                      Sample{"bilevel.png", 8, {0, 0, 0}, 0}, Sample{"palette.png", 0, kRed, 0},
                      Sample{"palette-trns.png", 0, kRed, 0}, Sample{"rgba.png", 32, kBlue, 0},
                      Sample{"grey-alpha.png", 0, {0, 0, 0}, 0},
                      Sample{"grey16.png", 8, {50, 50, 50}, 0}, Sample{"rgb16.png", 32, kRed, 0},
                      Sample{"rgb.jpg", 32, kRed, 12}, Sample{"grey.jpg", 8, {50, 50, 50}, 6},
                      // CMYK (0,220,220,40) is about sRGB (215,30,30) (ImageMagick agrees).
                      Sample{"cmyk.jpg", 32, {215, 30, 30}, 30}, Sample{"rgb.tif", 32, kRed, 0},
                      Sample{"bilevel-g4.tif", 8, {0, 0, 0}, 0}, Sample{"rgb.bmp", 32, kRed, 0},
                      Sample{"palette.bmp", 0, kRed, 0}, Sample{"palette.gif", 0, kRed, 0},
                      Sample{"animated.gif", 0, kRed, 0}, Sample{"multipage.tif", 32, kRed, 0},
                      Sample{"rgb.webp", 32, kRed, 0}, Sample{"rgba.webp", 32, kBlue, 0},
                      Sample{"grey.pgm", 8, {50, 50, 50}, 0}, Sample{"rgb.ppm", 32, kRed, 0}),
    [](const auto& info) {
      std::string n = info.param.file;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

// ---------------------------------------------------------------------------------------------
// Files that are not images, or not regular files.

class LoaderErrors : public ::testing::Test {
 protected:
  TempXdg tmp_;

  void expectError(const std::string& path, ErrorCode code, const std::string& mention,
                   const Limits& limits = {}) {
    auto r = loadImageFile(path, limits);
    ASSERT_FALSE(r.ok()) << path << ": loaded, expected " << errorCodeName(code);
    EXPECT_EQ(r.error().code, code) << path << ": got " << r.error().name() << " ("
                                    << r.error().message << "), expected " << errorCodeName(code);
    EXPECT_NE(r.error().message.find(mention), std::string::npos)
        << path << ": message \"" << r.error().message << "\" does not mention \"" << mention
        << "\"";
  }

  std::string pngFixture() { return test::dataPath("ocr/dialog-en.png"); }
};

TEST_F(LoaderErrors, AMultiPageTiffSaysHowManyPagesAndEachCanBeRead) {
  const std::string path = tmp_.path("pages.tif");
  for (int k = 0; k < 3; ++k) {
    PIX* page = pixCreate(200 + 100 * k, 100, 8);
    pixSetAll(page);
    ASSERT_EQ(pixWriteTiff(path.c_str(), page, IFF_TIFF_ZIP, k == 0 ? "w" : "a"), 0);
    pixDestroy(&page);
  }
  int pages = 0;
  auto first = loadImageFile(path, {}, 0, &pages);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(pages, 3);
  auto third = loadImageFile(path, {}, 2);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(pixGetWidth(third->get()), 400) << "not the third page";
  auto past = loadImageFile(path, {}, 3);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.error().message.find("has 3 pages, no page 4"), std::string::npos)
      << past.error().message;
  // Any other format has one page.
  ASSERT_TRUE(loadImageFile(pngFixture(), {}, 0, &pages).ok());
  EXPECT_EQ(pages, 1);
}

TEST_F(LoaderErrors, MissingFile) {
  expectError(tmp_.path("nope.png"), ErrorCode::kFileNotFound, tmp_.path("nope.png"));
}

TEST_F(LoaderErrors, Directory) {
  std::filesystem::create_directory(tmp_.path("dir.png"));
  expectError(tmp_.path("dir.png"), ErrorCode::kNotRegularFile, "directory");
}

TEST_F(LoaderErrors, FifoDoesNotBlock) {
  ASSERT_EQ(::mkfifo(tmp_.path("fifo.png").c_str(), 0600), 0);
  expectError(tmp_.path("fifo.png"), ErrorCode::kNotRegularFile, "FIFO");
}

TEST_F(LoaderErrors, SymlinkToDevZeroIsNotFollowed) {
  std::filesystem::create_symlink("/dev/zero", tmp_.path("zero.png"));
  expectError(tmp_.path("zero.png"), ErrorCode::kNotRegularFile, "symbolic link");
}

TEST_F(LoaderErrors, SymlinkToARealImageIsNotFollowedEither) {
  std::filesystem::create_symlink(pngFixture(), tmp_.path("link.png"));
  expectError(tmp_.path("link.png"), ErrorCode::kNotRegularFile, "symbolic link");
}

TEST_F(LoaderErrors, CharacterDevice) {
  expectError("/dev/null", ErrorCode::kNotRegularFile, "character device");
}

TEST_F(LoaderErrors, EmptyFile) {
  writeFile(tmp_.path("empty.png"), "");
  expectError(tmp_.path("empty.png"), ErrorCode::kFileEmpty, "empty");
}

TEST_F(LoaderErrors, SparseFileOverTheSizeLimit) {
  const std::string path = tmp_.path("huge.png");
  writeFile(path, "");
  ASSERT_EQ(::truncate(path.c_str(), kMaxFileBytes + 1), 0);  // sparse: no disk used
  expectError(path, ErrorCode::kFileTooLarge, "limit is 200.0 MiB");
}

TEST_F(LoaderErrors, SizeLimitIsConfigurable) {
  Limits small;
  small.max_file_bytes = 1000;
  expectError(pngFixture(), ErrorCode::kFileTooLarge, "limit", small);
}

TEST_F(LoaderErrors, RandomBytes) {
  std::mt19937 rng(42);
  std::string junk(4096, '\0');
  for (char& c : junk) c = static_cast<char>(rng());
  junk[0] = 'x';  // make sure no magic number matches by chance
  writeFile(tmp_.path("junk.png"), junk);
  expectError(tmp_.path("junk.png"), ErrorCode::kImageUnknownFormat, "not a PNG");
}

TEST_F(LoaderErrors, PdfIsNotAnImage) {
  writeFile(tmp_.path("doc.png"), "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n");
  expectError(tmp_.path("doc.png"), ErrorCode::kImageUnknownFormat, tmp_.path("doc.png"));
}

TEST_F(LoaderErrors, TruncatedPng) {
  const std::string png = readFile(pngFixture());
  ASSERT_GT(png.size(), 1000u);
  writeFile(tmp_.path("cut.png"), png.substr(0, png.size() / 2));
  expectError(tmp_.path("cut.png"), ErrorCode::kImageCorrupt, "PNG");
}

TEST_F(LoaderErrors, TruncatedJpeg) {
  const std::string cmd = std::string("/usr/bin/python3 ") + LISEUR_SOURCE_DIR +
                          "/tests/ocr/make_format_samples.py " + tmp_.path("s");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string jpg = readFile(tmp_.path("s/rgb.jpg"));
  ASSERT_GT(jpg.size(), 600u);
  writeFile(tmp_.path("cut.jpg"), jpg.substr(0, jpg.size() * 6 / 10));
  expectError(tmp_.path("cut.jpg"), ErrorCode::kImageCorrupt, "JPEG");
}

TEST_F(LoaderErrors, PngWhoseDataInflatesFarPastItsSizeIsABomb) {
  // 100x100 pixels need 10,100 bytes of rows; the stream holds 256 MiB of zeros (a quarter of a
  // megabyte of file): refused, having inflated only what the size declares.
  const std::string png = makePngInflatingTo(100, 100, std::size_t{256} << 20);
  ASSERT_LT(png.size(), 400000u);
  writeFile(tmp_.path("idat-bomb.png"), png);
  expectError(tmp_.path("idat-bomb.png"), ErrorCode::kImageCorrupt, "decompression bomb");
  // The same size with exactly its rows reads.
  writeFile(tmp_.path("exact.png"), makePngInflatingTo(100, 100, 100 * 101));
  EXPECT_TRUE(loadImageFile(tmp_.path("exact.png")).ok());
}

TEST_F(LoaderErrors, PngHeaderClaiming100000x100000) {
  const std::string png = makePngHeaderOnly(100000, 100000);
  ASSERT_EQ(png.size(), 69u);
  writeFile(tmp_.path("bomb.png"), png);
  expectError(tmp_.path("bomb.png"), ErrorCode::kImageTooLarge, "100000x100000");
}

// A real 20000x20000 PNG (1-bit zeros, a few hundred KiB) is refused from its header: the
// process's peak memory does not grow by anything like the 400 MB the decoded image would need.
TEST_F(LoaderErrors, Real20000x20000PngIsRefusedWithoutDecoding) {
  writeFile(tmp_.path("big.png"), makePng(20000, 20000, 1));
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  expectError(tmp_.path("big.png"), ErrorCode::kImageTooLarge, "20000x20000");
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 32 * 1024)
      << "peak RSS grew by " << (after.ru_maxrss - before.ru_maxrss) << " KiB";
}

TEST_F(LoaderErrors, OneSideOverTheLimit) {
  writeFile(tmp_.path("tall.png"), makePng(1, 40000, 8));
  expectError(tmp_.path("tall.png"), ErrorCode::kImageTooLarge, "1x40000");
}

TEST_F(LoaderErrors, PixelCountOverTheLimit) {
  // 10000x5000: each side is fine, 50 Mpx is not.
  writeFile(tmp_.path("wide.png"), makePng(10000, 5000, 1));
  expectError(tmp_.path("wide.png"), ErrorCode::kImageTooLarge, "10000x5000");
}

TEST_F(LoaderErrors, LimitsAreConfigurable) {
  Limits small;
  small.max_side = 500;
  expectError(pngFixture(), ErrorCode::kImageTooLarge, "600x200", small);
}

std::string le16(int v) {
  return {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
}
std::string le32(uint32_t v) {
  return le16(v & 0xffff) + le16(v >> 16);
}

TEST_F(LoaderErrors, BmpHeaderClaiming30000x30000) {
  // BITMAPFILEHEADER + BITMAPINFOHEADER (24 bpp), then a few bytes of pixels.
  std::string bmp = "BM" + le32(54 + 16) + le32(0) + le32(54);
  bmp += le32(40) + le32(30000) + le32(static_cast<uint32_t>(-30000)) + le16(1) + le16(24) +
         le32(0) + le32(0) + le32(2835) + le32(2835) + le32(0) + le32(0);
  bmp += std::string(16, '\0');
  writeFile(tmp_.path("bomb.bmp"), bmp);
  expectError(tmp_.path("bomb.bmp"), ErrorCode::kImageTooLarge, "30000x30000");
}

std::string gifFrame(int w, int h) {
  // Image descriptor, no local colour table, LZW code size 2, one tiny data sub-block.
  return "\x2c" + le16(0) + le16(0) + le16(w) + le16(h) +
         std::string("\x00\x02\x02\x4c\x01\x00", 6);
}

std::string gifWith(const std::vector<std::string>& frames) {
  std::string gif = "GIF89a" + le16(100) + le16(100) + std::string("\x80\x00\x00", 3);
  gif += std::string("\x00\x00\x00\xff\xff\xff", 6);  // 2-entry global colour table
  for (const auto& f : frames) gif += f;
  return gif + "\x3b";
}

TEST_F(LoaderErrors, GifFrameLargerThanItsScreen) {
  writeFile(tmp_.path("bomb.gif"), gifWith({gifFrame(10, 10), gifFrame(30000, 20000)}));
  expectError(tmp_.path("bomb.gif"), ErrorCode::kImageTooLarge, "GIF frame 2 is 30000x20000");
}

TEST_F(LoaderErrors, AnimatedGifWhoseFramesTogetherAreTooLarge) {
  std::vector<std::string> frames(5, gifFrame(16000, 2400));  // 38.4 Mpx each, 192 together
  writeFile(tmp_.path("anim.gif"), gifWith(frames));
  expectError(tmp_.path("anim.gif"), ErrorCode::kImageTooLarge, "5 GIF frames");
}

TEST_F(LoaderErrors, GifWithGarbageBlock) {
  writeFile(tmp_.path("bad.gif"), gifWith({"\x07garbage"}));
  expectError(tmp_.path("bad.gif"), ErrorCode::kImageCorrupt, "GIF");
}

// ---------------------------------------------------------------------------------------------
// Raw pixels from a screen capture.

TEST(LoadImagePixels, BgraWithPaddedStride) {
  const int w = 3, h = 2, stride = 16;
  std::string bytes(stride * h, '\x7f');
  auto put = [&](int x, int y, int b, int g, int r) {
    bytes[y * stride + x * 4] = static_cast<char>(b);
    bytes[y * stride + x * 4 + 1] = static_cast<char>(g);
    bytes[y * stride + x * 4 + 2] = static_cast<char>(r);
    bytes[y * stride + x * 4 + 3] = 0;  // X11 leaves alpha at 0: ignored
  };
  put(0, 0, 10, 20, 30);
  put(2, 1, 200, 100, 50);
  auto pix = loadImagePixels(bytes, w, h, stride, "bgra");
  ASSERT_TRUE(pix.ok()) << pix.error().message;
  EXPECT_EQ(pixGetDepth(pix->get()), 32);
  EXPECT_EQ(pixGetSpp(pix->get()), 3);
  const Rgb a = pixelAt(pix->get(), 0, 0), b = pixelAt(pix->get(), 2, 1);
  EXPECT_TRUE(near(a, {30, 20, 10}, 0)) << "bgra (10,20,30) read as rgb " << a;
  EXPECT_TRUE(near(b, {50, 100, 200}, 0)) << "bgra (200,100,50) read as rgb " << b;
}

TEST(LoadImagePixels, RgbaAndGray) {
  std::string rgba = {10, 20, 30, 0};
  auto p = loadImagePixels(rgba, 1, 1, 4, "rgba");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(near(pixelAt(p->get(), 0, 0), {10, 20, 30}, 0)) << pixelAt(p->get(), 0, 0);
  std::string gray = {0, 77, 0, 0, 0, 99};
  auto g = loadImagePixels(gray, 2, 2, 3, "gray");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(pixGetDepth(g->get()), 8);
  EXPECT_EQ(pixelAt(g->get(), 1, 0).r, 77);
  EXPECT_EQ(pixelAt(g->get(), 1, 1).r, 0);
  EXPECT_EQ(pixelAt(g->get(), 0, 1).r, 0);
}

TEST(LoadImagePixels, RefusesInconsistentDescriptions) {
  const std::string bytes(99, '\0');  // 5x5 bgra with stride 20 needs 100
  struct Case {
    int w, h, stride;
    const char* format;
    ErrorCode code;
    const char* mention;
  };
  for (const Case& c : {Case{5, 5, 16, "bgra", ErrorCode::kInvalidArgument, "stride 16"},
                        Case{5, 5, 20, "bgra", ErrorCode::kInvalidArgument, "99 bytes"},
                        Case{5, 5, 20, "yuv", ErrorCode::kInvalidArgument, "yuv"},
                        Case{0, 5, 20, "bgra", ErrorCode::kInvalidArgument, "0x5"},
                        Case{20000, 1, 80000, "bgra", ErrorCode::kImageTooLarge, "20000x1"}}) {
    auto r = loadImagePixels(bytes, c.w, c.h, c.stride, c.format);
    const std::string in = std::to_string(c.w) + "x" + std::to_string(c.h) + " stride " +
                           std::to_string(c.stride) + " " + c.format;
    ASSERT_FALSE(r.ok()) << in;
    EXPECT_EQ(r.error().code, c.code) << in << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.mention), std::string::npos)
        << in << ": \"" << r.error().message << "\" lacks \"" << c.mention << "\"";
  }
}

TEST(SniffImageFormat, MagicNumbers) {
  using namespace std::string_literals;
  EXPECT_EQ(sniffImageFormat("\x89PNG\r\n\x1a\nrest"), ImageFormat::kPng);
  EXPECT_EQ(sniffImageFormat("\xff\xd8\xff\xe0"), ImageFormat::kJpeg);
  EXPECT_EQ(sniffImageFormat("II*\0xxxx"s), ImageFormat::kTiff);
  EXPECT_EQ(sniffImageFormat("MM\0*xxxx"s), ImageFormat::kTiff);
  EXPECT_EQ(sniffImageFormat("RIFF\x10\0\0\0WEBPVP8L"s), ImageFormat::kWebp);
  EXPECT_EQ(sniffImageFormat("RIFF\x10\0\0\0WAVEfmt "s), ImageFormat::kUnknown);
  EXPECT_EQ(sniffImageFormat("GIF89a"), ImageFormat::kGif);
  EXPECT_EQ(sniffImageFormat("P5\n64 32\n255\n"), ImageFormat::kPnm);
  EXPECT_EQ(sniffImageFormat("Plain text"), ImageFormat::kUnknown);
  EXPECT_EQ(sniffImageFormat(""), ImageFormat::kUnknown);
}

}  // namespace
}  // namespace liseur::ocr
