// PDF input for the OCR worker (poppler's C++ API): a teacher's worksheet handed out as a PDF.
//
// A page is read from its text layer when it has one — the words, exactly as written, with their
// boxes from the fonts' own metrics — and recognised like a photo when it has none (a scanned
// page): rendered at kPdfDpi, then given to the OCR engine. Both kinds of page use the same pixel
// coordinates (kPdfDpi), so a sheet that mixes them reads as one page, and the page's rules and
// boxes (found on a rendering) land on its words.
//
// Words become lines and blocks here, in poppler's reading order: a word starts a new line when
// it is not level with the last one or goes back to the left; a line starts a new block after a
// gap taller than itself, a change of text size, or a move up the page (the next column).
//
// Which pages have a usable text layer (textLayerUsable): at least kMinTextWords words with a
// letter or a digit, and unless the page has many words, most of its ink inside them. A scan
// whose only text is a stamped page number, or whose "text" is a few words over a picture of
// the page, is recognised instead. (A photocopier's hidden OCR layer over the scan counts as text:
// it is usually better than ours would be on the same pixels, and its words are where the ink is.)
//
// Untrusted input: the bytes come from loadFileBytes (size limit, no FIFOs, no symlinks); poppler
// runs inside the sandboxed worker; a page is rendered at a resolution that keeps it under
// kMaxRenderPixels and kMaxSide; poppler's own messages are silenced (they may quote the text).
// Errors: image-corrupt (not a readable PDF, a page poppler cannot open), file-unreadable (locked
// by a password), image-too-large (a page that cannot be rendered under the limits).
//
// Not thread-safe: one PdfDocument per job, used from the job's thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "document/document.h"
#include "ocr/image_loader.h"

namespace poppler {
class document;
}

namespace liseur::ocr {

// Pixels per inch of every PDF page's coordinates (and of the rendering of scanned pages): what
// Tesseract reads best on paper-sized pages.
inline constexpr double kPdfDpi = 300;
// A page bigger than A3 at kPdfDpi is rendered at a lower resolution.
inline constexpr long long kMaxRenderPixels = 18'000'000;
inline constexpr int kMinTextWords = 3;

// True when the bytes start like a PDF file ("%PDF-").
bool looksLikePdf(std::string_view data);

struct PdfPageText {
  int width = 0, height = 0;  // the page in pixels at kPdfDpi
  std::vector<Block> blocks;  // in reading order, index from 0, confidence 100, lang ""
  int words = 0;              // words with a letter or a digit
};

class PdfDocument {
 public:
  // Takes the file's bytes (kept: poppler reads them as it goes). `what` names it in errors.
  static Result<std::unique_ptr<PdfDocument>> open(std::string data, const std::string& what);
  ~PdfDocument();
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  int pages() const;
  // The page's text layer (0-based page).
  Result<PdfPageText> text(int page) const;
  // The page rendered at `dpi` (lowered to fit `limits` and kMaxRenderPixels) as 32 bpp RGB;
  // `scale`, when given, receives the pixels per kPdfDpi pixel actually used.
  Result<PixPtr> render(int page, double dpi, const Limits& limits, double* scale = nullptr) const;
  // Whether `text` is worth reading as it is, judged with the page rendered at any resolution
  // (`scale` pixels per kPdfDpi pixel): see the file comment.
  static bool textLayerUsable(const PdfPageText& text, Pix* rendered, double scale);

 private:
  PdfDocument(std::string data, std::unique_ptr<poppler::document> doc, std::string what);
  std::string data_;
  std::unique_ptr<poppler::document> doc_;
  std::string what_;
};

}  // namespace liseur::ocr
