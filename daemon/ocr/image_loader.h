// Loading untrusted images for the OCR worker: open safely, check the header, decode, normalise.
//
// The file is opened by the worker itself (O_NOFOLLOW | O_NONBLOCK, regular files only, size
// limit) and read into memory once. The format is sniffed from its magic bytes (PNG, JPEG, TIFF,
// BMP, WebP, GIF, PNM: nothing else, whatever the extension says), and the header is read and
// checked against the size limits *before* anything is decoded, so a 69-byte PNG claiming
// 100000x100000 costs microseconds and no memory. BMP and GIF headers are parsed here because
// Leptonica reads those by decoding the whole image; for GIF every frame is checked (giflib
// decodes all of them).
//
// Every successful load is normalised to what the OCR engine expects: 8 bpp grey (no colormap)
// or 32 bpp RGB (spp 3). 16-bit samples are reduced to 8, colormaps removed, 1/2/4-bit images
// expanded to 8-bit grey, alpha composited on white, CMYK JPEG converted to RGB, and the image
// turned upright as its EXIF orientation says (JPEG, PNG, TIFF, WebP: see exif_orientation.h).
//
// Leptonica is strict with JPEG: data libjpeg warns about (bad bytes, a cut file) is refused as
// image-corrupt rather than decoded with grey gaps.
//
// Errors (ErrorCode of core/error.h), each naming the path and what was wrong:
//   file-not-found, not-a-regular-file (directory, FIFO, device, socket or symlink: says which),
//   file-unreadable, file-empty, file-too-large (size and limit), image-unknown-format,
//   image-too-large (size and limit; or not enough memory under the process's address-space
//   limit to decode it), image-corrupt (truncated or undecodable data).
//
// Thread-safe: no shared state except Leptonica's message severity, set once (Leptonica's stderr
// chatter is silenced: errors come back as values). Memory: the file bytes plus the decoded
// image (up to kMaxPixels * 4 bytes) plus the decoder's own buffers; see ocr_worker.h for the
// address-space figure.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ocr/ocr_protocol.h"

struct Pix;

namespace liseur::ocr {

struct PixDestroyer {
  void operator()(Pix* pix) const;
};
// Owns one reference to a Leptonica image.
using PixPtr = std::unique_ptr<Pix, PixDestroyer>;

struct Limits {
  long long max_file_bytes = kMaxFileBytes;  // bigger files: file-too-large
  int max_side = kMaxSide;                   // either side bigger: image-too-large
  long long max_pixels = kMaxPixels;         // width * height bigger: image-too-large
};

enum class ImageFormat { kUnknown, kPng, kJpeg, kTiff, kBmp, kWebp, kGif, kPnm };

std::string_view imageFormatName(ImageFormat format);

// The format announced by the first bytes of `data` (magic numbers only; nothing is parsed).
ImageFormat sniffImageFormat(std::string_view data);

struct ImageHeader {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0, height = 0;
};

// Reads the header of an in-memory image without decoding the pixels, and checks it against
// `limits`. Errors: image-unknown-format, image-corrupt (no readable header), image-too-large.
// `what` names the image in messages (a path, "screen capture").
Result<ImageHeader> readImageHeader(std::string_view data, const Limits& limits,
                                    const std::string& what);

// Decodes an in-memory image after readImageHeader accepted it, and normalises it. A multi-page
// TIFF: `page` (0-based) is the page decoded, and `pages`, when given, receives how many it has
// (1 for every other format); a page past the last is invalid-argument.
Result<PixPtr> decodeImage(std::string_view data, const Limits& limits, const std::string& what,
                           int page = 0, int* pages = nullptr);

// Opens the file at `path` safely (see above) and reads it whole, up to limits.max_file_bytes.
// Blocking; never follows a symlink in the last component and never blocks on a FIFO.
Result<std::string> loadFileBytes(const std::string& path, const Limits& limits = {});

// Opens, checks and decodes the image file at `path` (see above); `page` and `pages` as for
// decodeImage. Blocking; never follows a symlink in the last component and never blocks on a FIFO.
Result<PixPtr> loadImageFile(const std::string& path, const Limits& limits = {}, int page = 0,
                             int* pages = nullptr);

// Wraps raw pixels (a screen capture) into a 32 bpp RGB image. `format` is "bgra", "bgrx",
// "rgba", "rgbx" (4 bytes per pixel, alpha ignored: captures are opaque) or "gray" (1 byte).
// `stride` is the number of bytes from one row to the next (>= width * bytes per pixel).
// Errors: invalid-argument (unknown format, stride too small, too few bytes), image-too-large.
Result<PixPtr> loadImagePixels(std::string_view bytes, int width, int height, int stride,
                               std::string_view format, const Limits& limits = {});

// Converts any image Leptonica holds to 8 bpp grey or 32 bpp RGB without alpha (see above).
// Does not take `pix`. Fails only when Leptonica cannot allocate (image-corrupt otherwise
// unreachable): kInternal.
Result<PixPtr> normaliseImage(Pix* pix);

// Leptonica's messages (it reports refused input and failed models on stderr): debug log lines
// with LISEUR_LOG=debug, else none. Once per process, before any Leptonica call (the loaders
// above call it; the OCR worker calls it at start, for PDF pages and the page analysis too).
void setUpLeptonica();

}  // namespace liseur::ocr
