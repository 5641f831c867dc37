#include "ocr/pdf_document.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>

#include <fmt/format.h>
#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

namespace liseur::ocr {
namespace {

constexpr double kPointsPerInch = 72;

void quiet(const std::string&, void*) {}

void silencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(quiet, nullptr); });
}

int px(double points) {
  return static_cast<int>(std::lround(points * kPdfDpi / kPointsPerInch));
}

bool hasLetterOrDigit(const std::string& utf8) {
  for (unsigned char c : utf8)
    if (std::isalnum(c) || c >= 0x80) return true;  // any non-ASCII letter counts (é, œ, ...)
  return false;
}

Box unite(const Box& a, const Box& b) {
  if (a.w <= 0 || a.h <= 0) return b;
  const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  const int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return {x0, y0, x1 - x0, y1 - y0};
}

// Lines of words (in poppler's order) grouped into blocks: see the file comment.
std::vector<Block> groupIntoBlocks(std::vector<Line> lines) {
  std::vector<Block> blocks;
  for (auto& line : lines) {
    bool fresh = blocks.empty();
    if (!fresh) {
      const Line& prev = blocks.back().lines.back();
      const int h = std::max(1, std::min(prev.box.h, line.box.h));
      const int gap = line.box.y - (prev.box.y + prev.box.h);
      const double ratio = double(std::max(prev.box.h, line.box.h)) / h;
      fresh = gap > h || ratio > 1.25 || line.box.y + line.box.h <= prev.box.y;
    }
    if (fresh) {
      blocks.emplace_back();
      blocks.back().index = static_cast<int>(blocks.size()) - 1;
      blocks.back().confidence = 100;
    }
    blocks.back().box = unite(blocks.back().box, line.box);
    blocks.back().lines.push_back(std::move(line));
  }
  return blocks;
}

}  // namespace

bool looksLikePdf(std::string_view data) {
  // The header may follow a few bytes of junk (some generators), as readers allow.
  const auto at = data.substr(0, 1024).find("%PDF-");
  return at != std::string_view::npos;
}

PdfDocument::PdfDocument(std::string data, std::unique_ptr<poppler::document> doc, std::string what)
    : data_(std::move(data)), doc_(std::move(doc)), what_(std::move(what)) {}

PdfDocument::~PdfDocument() = default;

Result<std::unique_ptr<PdfDocument>> PdfDocument::open(std::string data, const std::string& what) {
  silencePoppler();
  if (data.size() > static_cast<std::size_t>(INT32_MAX))
    return makeError(ErrorCode::kFileTooLarge, fmt::format("{}: too large for a PDF", what));
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
  if (!doc)
    return makeError(ErrorCode::kImageCorrupt,
                     fmt::format("{}: is not a readable PDF (damaged or cut short)", what));
  if (doc->is_locked())
    return makeError(ErrorCode::kFileUnreadable,
                     fmt::format("{}: the PDF is locked by a password; open it in a PDF viewer, "
                                 "print it to a new PDF without the password, and read that",
                                 what));
  if (doc->pages() < 1)
    return makeError(ErrorCode::kImageCorrupt, fmt::format("{}: the PDF has no page", what));
  return std::unique_ptr<PdfDocument>(new PdfDocument(std::move(data), std::move(doc), what));
}

int PdfDocument::pages() const {
  return doc_->pages();
}

Result<PdfPageText> PdfDocument::text(int index) const {
  std::unique_ptr<poppler::page> page(doc_->create_page(index));
  if (!page)
    return makeError(ErrorCode::kImageCorrupt,
                     fmt::format("{}: page {} cannot be read", what_, index + 1));
  PdfPageText out;
  const poppler::rectf r = page->page_rect();
  out.width = std::max(1, px(r.width()));
  out.height = std::max(1, px(r.height()));

  std::vector<Line> lines;
  Box lastBox;
  for (const poppler::text_box& tb : page->text_list()) {
    const poppler::byte_array utf8 = tb.text().to_utf8();
    std::string text(utf8.begin(), utf8.end());
    // No control characters or spaces inside a word (some generators put them there).
    text.erase(std::remove_if(text.begin(), text.end(),
                              [](unsigned char c) { return c < 0x20 || c == 0x7f || c == ' '; }),
               text.end());
    if (text.empty()) continue;
    const poppler::rectf b = tb.bbox();
    Word w;
    w.text = std::move(text);
    w.box = {px(b.x()), px(b.y()), std::max(1, px(b.width())), std::max(1, px(b.height()))};
    w.confidence = 100;
    if (hasLetterOrDigit(w.text)) ++out.words;
    // A new line: not level with the last word (its middle outside the last box's height), or
    // back to the left of it.
    const int mid = w.box.y + w.box.h / 2;
    const bool level = !lines.empty() && mid >= lastBox.y && mid <= lastBox.y + lastBox.h;
    if (lines.empty() || !level || w.box.x + w.box.w / 2 < lastBox.x) lines.emplace_back();
    lastBox = w.box;
    lines.back().box = unite(lines.back().box, w.box);
    lines.back().words.push_back(std::move(w));
  }
  out.blocks = groupIntoBlocks(std::move(lines));
  return out;
}

Result<PixPtr> PdfDocument::render(int index, double dpi, const Limits& limits,
                                   double* scale) const {
  std::unique_ptr<poppler::page> page(doc_->create_page(index));
  if (!page)
    return makeError(ErrorCode::kImageCorrupt,
                     fmt::format("{}: page {} cannot be read", what_, index + 1));
  const poppler::rectf r = page->page_rect();
  const double wIn = std::max(r.width(), 1.0) / kPointsPerInch;
  const double hIn = std::max(r.height(), 1.0) / kPointsPerInch;
  const long long maxPixels = std::min<long long>(limits.max_pixels, kMaxRenderPixels);
  dpi = std::min(dpi, std::sqrt(double(maxPixels) / (wIn * hIn)));
  dpi = std::min(dpi, double(limits.max_side) / std::max(wIn, hIn));
  if (dpi < 20)
    return makeError(ErrorCode::kImageTooLarge,
                     fmt::format("{}: page {} is {:.0f} x {:.0f} inches, too large to read", what_,
                                 index + 1, wIn, hIn));
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_argb32);
  poppler::image img = renderer.render_page(page.get(), dpi, dpi);
  if (!img.is_valid() || img.width() < 1 || img.height() < 1)
    return makeError(ErrorCode::kImageCorrupt,
                     fmt::format("{}: page {} cannot be drawn", what_, index + 1));
  const int w = img.width(), h = img.height();
  PixPtr pix(pixCreate(w, h, 32));
  if (!pix)
    return makeError(ErrorCode::kImageTooLarge,
                     fmt::format("{}: not enough memory to draw page {}", what_, index + 1));
  pixSetSpp(pix.get(), 3);
  pixSetResolution(pix.get(), static_cast<int>(dpi), static_cast<int>(dpi));
  const char* src = img.const_data();
  const int stride = img.bytes_per_row();
  l_uint32* dst = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(src + std::size_t(y) * stride);
    l_uint32* out = dst + std::size_t(y) * wpl;
    for (int x = 0; x < w; ++x) {
      const uint32_t argb = row[x];  // premultiplied on a white page: alpha is opaque
      composeRGBPixel((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff, out + x);
    }
  }
  if (scale) *scale = dpi / kPdfDpi;
  return pix;
}

bool PdfDocument::textLayerUsable(const PdfPageText& text, Pix* rendered, double scale) {
  if (text.words < kMinTextWords) return false;
  if (text.words >= 40 || !rendered) return true;
  // Few words: are they the page, or a label over a scanned picture of it? Count the ink (dark
  // pixels) outside the words' boxes.
  PixPtr grey(pixConvertRGBToLuminance(rendered));
  if (!grey) return true;
  PixPtr ink(pixThresholdToBinary(grey.get(), 140));
  if (!ink) return true;
  l_int32 all = 0;
  pixCountPixels(ink.get(), &all, nullptr);
  if (all == 0) return true;
  for (const auto& b : text.blocks)
    for (const auto& l : b.lines)
      for (const auto& w : l.words) {
        const int pad = static_cast<int>(w.box.h * scale / 4) + 1;
        BOX* box = boxCreate(static_cast<int>(w.box.x * scale) - pad,
                             static_cast<int>(w.box.y * scale) - pad,
                             static_cast<int>(w.box.w * scale) + 2 * pad,
                             static_cast<int>(w.box.h * scale) + 2 * pad);
        pixClearInRect(ink.get(), box);
        boxDestroy(&box);
      }
  l_int32 outside = 0;
  pixCountPixels(ink.get(), &outside, nullptr);
  // Rules, boxes and a drawing or two leave some ink outside; a scan leaves most of it.
  return outside < all * 0.6;
}

}  // namespace liseur::ocr
