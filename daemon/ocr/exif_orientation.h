// The EXIF Orientation tag of an image file: how the stored pixels must be turned or mirrored to
// show the picture the right way up. Phones and cameras store a photo taken in portrait as a
// landscape image with Orientation 6 (or 8) rather than turning the pixels; every image viewer
// honours it, so the text a person sees is upright only once it is applied.
//
// Parses untrusted bytes: every offset is bounds-checked, nothing is allocated, and any malformed
// or missing data gives 1 (as stored). Pure and thread-safe.
#pragma once

#include <string_view>

#include "ocr/image_loader.h"

namespace liseur::ocr {

// Orientation 1..8 as defined by EXIF 2.32 (TIFF tag 0x0112) read from the EXIF data of a JPEG
// (APP1 "Exif"), PNG (eXIf chunk), TIFF (IFD0) or WebP (EXIF chunk) file; 1 when absent or bad.
int exifOrientation(std::string_view file, ImageFormat format);

// Orientation of a TIFF-structured EXIF block (byte-order mark, IFD0), 1 when absent or bad.
int exifOrientationFromTiff(std::string_view tiff);

// Applies `orientation` to `pix` (not taken): a new upright image, or a clone for 1 and values
// out of range. Null only when Leptonica could not allocate.
PixPtr applyExifOrientation(Pix* pix, int orientation);

}  // namespace liseur::ocr
