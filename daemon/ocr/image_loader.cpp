#include "ocr/image_loader.h"

#include "ocr/exif_orientation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <zlib.h>

#include <cstdio>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace liseur::ocr {

void PixDestroyer::operator()(Pix* pix) const {
  if (pix) pixDestroy(&pix);
}

// Leptonica reports every refused input on stderr; we return errors as values instead, so its
// messages are noise in the journal. With LISEUR_LOG=debug they are kept, as debug lines.
static void leptonicaToSpdlog(const char* msg) {
  std::string_view m(msg);
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
  spdlog::debug("leptonica: {}", m);
}

void setUpLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (spdlog::should_log(spdlog::level::debug)) {
      leptSetStderrHandler(leptonicaToSpdlog);
      setMsgSeverity(L_SEVERITY_WARNING);
    } else {
      setMsgSeverity(L_SEVERITY_NONE);
    }
    l_pngSetReadStrip16To8(1);  // the default, but the whole pipeline relies on it
  });
}

namespace {

uint16_t le16(std::string_view d, std::size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(d[at]) |
                               (static_cast<unsigned char>(d[at + 1]) << 8));
}

uint32_t le32(std::string_view d, std::size_t at) {
  return static_cast<uint32_t>(le16(d, at)) | (static_cast<uint32_t>(le16(d, at + 2)) << 16);
}

bool startsWith(std::string_view d, std::string_view magic) {
  return d.size() >= magic.size() && d.substr(0, magic.size()) == magic;
}

Error corrupt(const std::string& what, ImageFormat f, std::string_view why) {
  return makeError(ErrorCode::kImageCorrupt,
                   fmt::format("{}: {} image is corrupt: {}", what, imageFormatName(f), why));
}

Status checkSize(long long w, long long h, const Limits& limits, const std::string& what,
                 std::string_view which = "image") {
  if (w > limits.max_side || h > limits.max_side || w * h > limits.max_pixels) {
    return makeError(ErrorCode::kImageTooLarge,
                     fmt::format("{}: {} is {}x{} pixels ({:.1f} Mpx); the limit is {} px per side "
                                 "and {:.1f} Mpx",
                                 what, which, w, h, static_cast<double>(w * h) / 1e6,
                                 limits.max_side, static_cast<double>(limits.max_pixels) / 1e6));
  }
  return okStatus();
}

// Leptonica "reads" a BMP header by decoding the whole bitmap, so the two header layouts that
// matter are parsed here: BITMAPCOREHEADER (12 bytes, 16-bit sizes) and BITMAPINFOHEADER and
// its successors (40+ bytes, signed 32-bit sizes, a negative height meaning top-down).
Result<ImageHeader> bmpHeader(std::string_view d, const std::string& what) {
  if (d.size() < 26) return corrupt(what, ImageFormat::kBmp, "header truncated");
  uint32_t dib = le32(d, 14);
  long long w = 0, h = 0;
  if (dib == 12) {
    w = le16(d, 18);
    h = le16(d, 20);
  } else if (dib >= 40 && d.size() >= 26) {
    w = static_cast<int32_t>(le32(d, 18));
    h = static_cast<int32_t>(le32(d, 22));
    if (h < 0) h = -h;
  } else {
    return corrupt(what, ImageFormat::kBmp, fmt::format("unknown header size {}", dib));
  }
  if (w <= 0 || h <= 0) {
    return corrupt(what, ImageFormat::kBmp, fmt::format("header says {}x{} pixels", w, h));
  }
  return ImageHeader{ImageFormat::kBmp, static_cast<int>(std::min(w, 1ll << 30)),
                     static_cast<int>(std::min(h, 1ll << 30))};
}

// giflib (under Leptonica) decodes every frame of an animated GIF into its own raster before
// Leptonica keeps the first, so each frame's descriptor is checked, and their sum. Only the
// block structure is walked (lengths), never the LZW data.
Result<ImageHeader> gifHeader(std::string_view d, const Limits& limits, const std::string& what) {
  constexpr auto kGif = ImageFormat::kGif;
  if (d.size() < 13) return corrupt(what, kGif, "header truncated");
  const long long sw = le16(d, 6), sh = le16(d, 8);
  if (auto s = checkSize(sw, sh, limits, what, "the GIF screen"); !s) return s.error();
  std::size_t pos = 13;
  auto u8 = [&](std::size_t at) { return static_cast<unsigned char>(d[at]); };
  if (u8(10) & 0x80) pos += 3u << ((u8(10) & 7) + 1);
  auto skipSubBlocks = [&]() -> bool {
    while (pos < d.size()) {
      std::size_t n = u8(pos++);
      if (n == 0) return true;
      pos += n;
    }
    return false;
  };
  long long frames = 0, total = 0, fw = 0, fh = 0;
  while (pos < d.size()) {
    unsigned char b = u8(pos++);
    if (b == 0x3B) break;  // trailer
    if (b == 0x21) {       // extension: label, then data sub-blocks
      ++pos;
      if (!skipSubBlocks()) break;
    } else if (b == 0x2C) {  // image descriptor
      if (pos + 9 > d.size()) return corrupt(what, kGif, "image descriptor truncated");
      const long long w = le16(d, pos + 4), h = le16(d, pos + 6);
      const unsigned char packed = u8(pos + 8);
      pos += 9;
      if (packed & 0x80) pos += 3u << ((packed & 7) + 1);
      ++pos;  // LZW minimum code size
      std::string frame = fmt::format("GIF frame {}", frames + 1);
      if (auto s = checkSize(w, h, limits, what, frame); !s) return s.error();
      if (frames == 0) fw = w, fh = h;
      ++frames;
      total += w * h;
      if (total > 4 * limits.max_pixels) {
        return makeError(ErrorCode::kImageTooLarge,
                         fmt::format("{}: the {} GIF frames hold {:.1f} Mpx together; the limit "
                                     "is {:.1f} Mpx",
                                     what, frames, static_cast<double>(total) / 1e6,
                                     4 * static_cast<double>(limits.max_pixels) / 1e6));
      }
      if (!skipSubBlocks()) break;
    } else {
      return corrupt(what, kGif, fmt::format("unknown block 0x{:02x} at byte {}", b, pos - 1));
    }
  }
  if (frames == 0) return corrupt(what, kGif, "no image in the file");
  long long w = std::max(sw, fw), h = std::max(sh, fh);
  if (w <= 0 || h <= 0) return corrupt(what, kGif, fmt::format("header says {}x{} pixels", w, h));
  return ImageHeader{kGif, static_cast<int>(w), static_cast<int>(h)};
}

// Under the worker's address-space limit, an image within the pixel limit can still be too big
// to decode (a 40 Mpx RGBA PNG needs about 600 MiB at its peak). That is the image's size, not
// corrupt data, and the worker goes on: Leptonica only returned NULL.
Error outOfMemory(const std::string& what, long long w, long long h) {
  return makeError(ErrorCode::kImageTooLarge,
                   fmt::format("{}: image is {}x{} pixels; there is not enough memory to decode it "
                               "within the OCR worker's memory limit",
                               what, w, h));
}

uint32_t bigEndian32(std::string_view d, std::size_t at) {
  return (uint32_t(uint8_t(d[at])) << 24) | (uint32_t(uint8_t(d[at + 1])) << 16) |
         (uint32_t(uint8_t(d[at + 2])) << 8) | uint32_t(uint8_t(d[at + 3]));
}

// A PNG's image data inflates to exactly what its header declares (one filter byte and the
// packed samples of each row, a few more rows' filter bytes when interlaced). A stream that
// inflates past it (gigabytes from a few megabytes: a decompression bomb behind a small, valid
// header) is refused before libpng, which would inflate it all, uncancellably. Inflating here
// stops at the limit: the check costs one extra pass over a real image's data, and nothing more
// than the declared size over a bomb's.
Status checkPngInflation(std::string_view d, const std::string& what) {
  constexpr std::size_t kSignature = 8;
  if (d.size() < kSignature + 8 + 13) return okStatus();  // pixReadHeaderMem judged the header
  const uint32_t w = bigEndian32(d, kSignature + 8), h = bigEndian32(d, kSignature + 12);
  const int depth = uint8_t(d[kSignature + 16]), colour = uint8_t(d[kSignature + 17]);
  const bool interlaced = uint8_t(d[kSignature + 20]) != 0;
  const int channels = colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 1;
  const unsigned long long row = (static_cast<unsigned long long>(w) * channels * depth + 7) / 8;
  // Adam7's seven passes add at most a filter byte for each of their rows and a byte of padding.
  const unsigned long long declared =
      static_cast<unsigned long long>(h) * (row + 1) + (interlaced ? 15ull * h + 64 : 0);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return okStatus();
  unsigned char sink[1 << 16];
  unsigned long long out = 0;
  int rc = Z_OK;
  for (std::size_t at = kSignature; at + 12 <= d.size() && rc == Z_OK;) {
    const uint32_t len = bigEndian32(d, at);
    const std::string_view type = d.substr(at + 4, 4);
    if (len > d.size() - at - 12) break;  // truncated: libpng says so
    if (type == "IDAT") {
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(d.data() + at + 8));
      z.avail_in = len;
      while (z.avail_in > 0 && rc == Z_OK) {
        z.next_out = sink;
        z.avail_out = sizeof sink;
        rc = inflate(&z, Z_NO_FLUSH);
        out += sizeof sink - z.avail_out;
        if (out > declared) break;
      }
      if (out > declared) break;
    } else if (type == "IEND") {
      break;
    }
    at += 12 + std::size_t(len);
  }
  inflateEnd(&z);
  if (out > declared)
    return corrupt(what, ImageFormat::kPng,
                   fmt::format("its image data inflates to more than the {} bytes its {}x{} "
                               "pixels need (a decompression bomb)",
                               declared, w, h));
  return okStatus();
}

std::string describeFileType(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link (not followed)";
  return "not a regular file";
}

std::string mib(long long bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string_view imageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kTiff:
      return "TIFF";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kWebp:
      return "WebP";
    case ImageFormat::kGif:
      return "GIF";
    case ImageFormat::kPnm:
      return "PNM";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat sniffImageFormat(std::string_view d) {
  using namespace std::string_view_literals;
  if (startsWith(d, "\x89PNG\r\n\x1a\n"sv)) return ImageFormat::kPng;
  if (startsWith(d, "\xff\xd8\xff"sv)) return ImageFormat::kJpeg;
  if (startsWith(d, "II*\0"sv) || startsWith(d, "MM\0*"sv)) return ImageFormat::kTiff;
  if (startsWith(d, "BM"sv) && d.size() >= 26) return ImageFormat::kBmp;
  if (d.size() >= 12 && startsWith(d, "RIFF"sv) && d.substr(8, 4) == "WEBP"sv)
    return ImageFormat::kWebp;
  if (startsWith(d, "GIF87a"sv) || startsWith(d, "GIF89a"sv)) return ImageFormat::kGif;
  if (d.size() >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' &&
      (d[2] == ' ' || d[2] == '\n' || d[2] == '\r' || d[2] == '\t'))
    return ImageFormat::kPnm;
  return ImageFormat::kUnknown;
}

Result<ImageHeader> readImageHeader(std::string_view data, const Limits& limits,
                                    const std::string& what) {
  setUpLeptonica();
  ImageFormat f = sniffImageFormat(data);
  if (f == ImageFormat::kUnknown) {
    return makeError(ErrorCode::kImageUnknownFormat,
                     fmt::format("{}: not a PNG, JPEG, TIFF, BMP, WebP, GIF or PNM image", what));
  }
  Result<ImageHeader> header = ImageHeader{};
  if (f == ImageFormat::kBmp) {
    header = bmpHeader(data, what);
  } else if (f == ImageFormat::kGif) {
    header = gifHeader(data, limits, what);
  } else {
    l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
    auto* bytes = reinterpret_cast<const l_uint8*>(data.data());
    if (pixReadHeaderMem(bytes, data.size(), &format, &w, &h, &bps, &spp, &cmap) != 0)
      return corrupt(what, f, "no readable header");
    if (w <= 0 || h <= 0) return corrupt(what, f, fmt::format("header says {}x{} pixels", w, h));
    header = ImageHeader{f, w, h};
  }
  if (!header) return header;
  if (auto s = checkSize(header->width, header->height, limits, what); !s) return s.error();
  if (f == ImageFormat::kPng)
    if (auto s = checkPngInflation(data, what); !s) return s.error();
  return header;
}

Result<PixPtr> normaliseImage(Pix* src) {
  PixPtr pix(pixClone(src));
  auto step = [&pix](Pix* next, const char* what) -> Status {
    if (!next) {
      return makeError(ErrorCode::kInternal,
                       fmt::format("Leptonica could not {} a {}x{} image", what,
                                   pixGetWidth(pix.get()), pixGetHeight(pix.get())));
    }
    pix.reset(next);
    return okStatus();
  };
  // Colormaps first: they can hide any depth and carry transparency.
  if (pixGetColormap(pix.get())) {
    if (auto s =
            step(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC), "remove the colormap of");
        !s)
      return s.error();
  }
  int d = pixGetDepth(pix.get());
  if (d == 16) {
    if (auto s = step(pixConvert16To8(pix.get(), L_MS_BYTE), "reduce to 8 bits"); !s)
      return s.error();
  } else if (d == 24) {
    if (auto s = step(pixConvert24To32(pix.get()), "expand to 32 bits"); !s) return s.error();
  } else if (d < 8) {
    // pixConvertTo8 maps 1 bpp ink (1) to black and paper (0) to white, and spreads 2/4 bpp grey
    // levels over 0..255.
    if (auto s = step(pixConvertTo8(pix.get(), 0), "expand to 8 bits"); !s) return s.error();
  }
  if (pixGetColormap(pix.get())) {  // a 1/2/4 bpp expansion may keep a colormap
    if (auto s =
            step(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC), "remove the colormap of");
        !s)
      return s.error();
  }
  d = pixGetDepth(pix.get());
  if (d == 32 && pixGetSpp(pix.get()) == 4) {
    // Transparent screenshots and logos: what a person sees is the image over a light window.
    if (auto s = step(pixAlphaBlendUniform(pix.get(), 0xffffff00), "composite on white"); !s)
      return s.error();
    pixSetSpp(pix.get(), 3);
  }
  d = pixGetDepth(pix.get());
  if (d != 8 && d != 32) {
    return makeError(ErrorCode::kInternal,
                     fmt::format("cannot normalise a {} bpp image to 8 or 32 bpp", d));
  }
  if (d == 32) pixSetSpp(pix.get(), 3);
  return pix;
}

Result<PixPtr> decodeImage(std::string_view data, const Limits& limits, const std::string& what,
                           int page, int* pages) {
  auto header = readImageHeader(data, limits, what);
  if (!header) return header.error();
  auto* bytes = reinterpret_cast<const l_uint8*>(data.data());
  PixPtr pix;
  if (pages) *pages = 1;
  if (header->format == ImageFormat::kTiff && (pages || page > 0)) {
    // A scanner's multi-page TIFF: how many pages, counted from the directories without
    // decoding them.
    int n = 1;
    if (FILE* f = ::fmemopen(const_cast<char*>(data.data()), data.size(), "rb")) {
      l_int32 count = 1;
      if (tiffGetCount(f, &count) == 0 && count > 0) n = count;
      std::fclose(f);
    }
    if (pages) *pages = n;
    if (page >= n)
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("{}: has {} pages, no page {}", what, n, page + 1));
  }
  errno = 0;  // Leptonica reports a failed allocation only through malloc's errno
  if (page > 0) {
    pix.reset(pixReadMemTiff(bytes, data.size(), page));
  } else if (header->format == ImageFormat::kJpeg) {
    l_int32 warnings = 0;
    pix.reset(pixReadMemJpeg(bytes, data.size(), 0, 1, &warnings, 0));
    // libjpeg pads a truncated file with grey and only warns; a missing end marker tells a cut
    // file (refused) from the harmless warnings some cameras cause (accepted).
    if (pix && warnings > 0 &&
        data.find("\xff\xd9", data.size() > 64 ? data.size() - 64 : 0) == std::string_view::npos)
      return corrupt(what, header->format, "the data is truncated");
  } else {
    pix.reset(pixReadMem(bytes, data.size()));
  }
  if (!pix && errno == ENOMEM) return outOfMemory(what, header->width, header->height);
  if (!pix) return corrupt(what, header->format, "the data is truncated or undecodable");
  if (auto s = checkSize(pixGetWidth(pix.get()), pixGetHeight(pix.get()), limits, what); !s)
    return s.error();
  errno = 0;
  auto normal = normaliseImage(pix.get());
  if (!normal && errno == ENOMEM) return outOfMemory(what, header->width, header->height);
  if (!normal) return normal;
  // A photo stored sideways with an EXIF orientation is read as every viewer shows it; boxes are
  // then in the upright image's coordinates.
  if (const int orientation = exifOrientation(data, header->format); orientation != 1) {
    PixPtr upright = applyExifOrientation(normal->get(), orientation);
    if (!upright) return outOfMemory(what, header->width, header->height);
    return upright;
  }
  return normal;
}

Result<std::string> loadFileBytes(const std::string& path, const Limits& limits) {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer. O_NOFOLLOW: a symlink in
  // the last component (say, to /dev/zero) is refused, not followed.
  int raw = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (raw < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return makeError(ErrorCode::kFileNotFound, fmt::format("{}: no such file", path));
    if (err == ELOOP)
      return makeError(ErrorCode::kNotRegularFile,
                       fmt::format("{}: is a symbolic link (not followed)", path));
    if (err == ENXIO) {  // a socket, or a device with nothing behind it
      struct stat st {};
      std::string kind = ::lstat(path.c_str(), &st) == 0 ? describeFileType(st.st_mode)
                                                         : std::string("not a regular file");
      return makeError(ErrorCode::kNotRegularFile, fmt::format("{}: is {}", path, kind));
    }
    return makeError(ErrorCode::kFileUnreadable,
                     fmt::format("{}: cannot open: {}", path, std::strerror(err)));
  }
  Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return makeError(ErrorCode::kFileUnreadable,
                     fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return makeError(ErrorCode::kNotRegularFile,
                     fmt::format("{}: is {}", path, describeFileType(st.st_mode)));
  if (st.st_size == 0) return makeError(ErrorCode::kFileEmpty, fmt::format("{}: is empty", path));
  if (st.st_size > limits.max_file_bytes)
    return makeError(ErrorCode::kFileTooLarge,
                     fmt::format("{}: is {}; the limit is {}", path, mib(st.st_size),
                                 mib(limits.max_file_bytes)));

  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t r = ::read(fd.get(), data.data() + got, data.size() - got);
    if (r == 0) break;  // the file shrank: decode what is there, the decoder judges
    if (r < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kFileUnreadable,
                       fmt::format("{}: read error: {}", path, std::strerror(errno)));
    }
    got += static_cast<std::size_t>(r);
  }
  data.resize(got);
  if (data.empty()) return makeError(ErrorCode::kFileEmpty, fmt::format("{}: is empty", path));
  return data;
}

Result<PixPtr> loadImageFile(const std::string& path, const Limits& limits, int page, int* pages) {
  auto data = loadFileBytes(path, limits);
  if (!data) return data.error();
  return decodeImage(*data, limits, path, page, pages);
}

Result<PixPtr> loadImagePixels(std::string_view bytes, int width, int height, int stride,
                               std::string_view format, const Limits& limits) {
  setUpLeptonica();
  const std::string what = "screen capture";
  int bpp = 0;
  int r = 0, g = 1, b = 2;  // byte offsets of red, green, blue within a pixel
  if (format == "bgra" || format == "bgrx") {
    bpp = 4, r = 2, g = 1, b = 0;
  } else if (format == "rgba" || format == "rgbx") {
    bpp = 4;
  } else if (format == "gray") {
    bpp = 1;
  } else {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: unknown pixel format \"{}\" (expected bgra, bgrx, rgba, "
                                 "rgbx or gray)",
                                 what, format));
  }
  if (width <= 0 || height <= 0)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: bad size {}x{}", what, width, height));
  if (auto s = checkSize(width, height, limits, what); !s) return s.error();
  const long long row = static_cast<long long>(width) * bpp;
  if (stride < row)
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: stride {} is smaller than a row of {} bytes", what, stride, row));
  const long long need = static_cast<long long>(stride) * (height - 1) + row;
  if (static_cast<long long>(bytes.size()) < need)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: {} bytes of pixels, {}x{} with stride {} needs {}", what,
                                 bytes.size(), width, height, stride, need));

  PixPtr pix(pixCreate(width, height, bpp == 4 ? 32 : 8));
  if (!pix)
    return makeError(ErrorCode::kInternal,
                     fmt::format("{}: cannot allocate {}x{}", what, width, height));
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  for (int y = 0; y < height; ++y) {
    const unsigned char* in = src + static_cast<std::size_t>(y) * stride;
    l_uint32* line = data + static_cast<std::size_t>(y) * wpl;
    if (bpp == 1) {
      for (int x = 0; x < width; ++x) SET_DATA_BYTE(line, x, in[x]);
    } else {
      for (int x = 0; x < width; ++x, in += 4) {
        line[x] = (static_cast<l_uint32>(in[r]) << L_RED_SHIFT) |
                  (static_cast<l_uint32>(in[g]) << L_GREEN_SHIFT) |
                  (static_cast<l_uint32>(in[b]) << L_BLUE_SHIFT);
      }
    }
  }
  if (bpp == 4) pixSetSpp(pix.get(), 3);
  return pix;
}

}  // namespace liseur::ocr
