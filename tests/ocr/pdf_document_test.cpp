// PDF pages as the OCR worker sees them (ocr/pdf_document.h), on PDFs written by the test
// (support/mini_pdf.h): a page's text layer read as words, lines and blocks in the page's pixel
// coordinates, with French accents; a scanned page found to have no text and drawn for the OCR
// engine; a damaged file refused with a clear error.
#include "ocr/pdf_document.h"

#include <leptonica/allheaders.h>

#include <gtest/gtest.h>

#include "support/mini_pdf.h"
#include "support/test_env.h"

namespace liseur::test {
namespace {

using ocr::kPdfDpi;
using ocr::PdfDocument;

int px(double points) {
  return static_cast<int>(points * kPdfDpi / 72 + 0.5);
}

std::string jpegOf(const std::string& png) {
  PIX* pix = pixRead(png.c_str());
  EXPECT_NE(pix, nullptr) << png;
  PIX* rgb = pixConvertTo32(pix);
  l_uint8* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(pixWriteMemJpeg(&data, &size, rgb, 90, 0), 0);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixDestroy(&rgb);
  pixDestroy(&pix);
  return out;
}

std::unique_ptr<PdfDocument> open(const MiniPdf& pdf) {
  auto doc = PdfDocument::open(pdf.bytes(), "test.pdf");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message);
  return doc.ok() ? std::move(doc).value() : nullptr;
}

// A scan of the bundled French example: its JPEG over a whole A4-wide page, no text layer.
MiniPdf scannedExample() {
  const std::string png = std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ecole-fr.png";
  PIX* src = pixRead(png.c_str());
  EXPECT_NE(src, nullptr) << png;
  const int w = src ? pixGetWidth(src) : 1, h = src ? pixGetHeight(src) : 1;
  pixDestroy(&src);
  MiniPdf pdf;
  pdf.imagePage(jpegOf(png), w, h, 595, 595.0 * h / w);
  return pdf;
}

TEST(PdfDocument, ReadsTheTextLayerAsBlocksOfLinesOfWords) {
  MiniPdf pdf;
  pdf.textPage({{72, 80, 20, "Le cœur de l’élève"},
                {72, 130, 12, "Lis le texte à voix haute."},
                {72, 146, 12, "Réponds ensuite aux questions."},
                {72, 230, 12, "Nom : ........ Prénom : ........"}});
  auto doc = open(pdf);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->pages(), 1);
  auto page = doc->text(0);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->width, px(595));
  EXPECT_EQ(page->height, px(842));
  // The title (bigger), the two-line paragraph, then the fields after a gap.
  ASSERT_EQ(page->blocks.size(), 3u) << [&] {
    std::string s;
    for (const auto& b : page->blocks) s += b.text() + "\n--\n";
    return s;
  }();
  EXPECT_EQ(page->blocks[0].text(), "Le cœur de l’élève");
  EXPECT_EQ(page->blocks[1].text(), "Lis le texte à voix haute.\nRéponds ensuite aux questions.");
  EXPECT_EQ(page->blocks[2].text(), "Nom : ........ Prénom : ........");
  for (std::size_t i = 0; i < page->blocks.size(); ++i) {
    EXPECT_EQ(page->blocks[i].index, static_cast<int>(i));
    EXPECT_EQ(page->blocks[i].confidence, 100);
  }
  // Boxes in pixels at kPdfDpi, from the top of the page: the first word starts at 1 inch.
  const Word& le = page->blocks[0].lines[0].words[0];
  EXPECT_NEAR(le.box.x, px(72), 3);
  EXPECT_LT(le.box.y, px(80));                          // above the baseline...
  EXPECT_GT(le.box.y + le.box.h, px(80) - 3);           // ...down to it
  EXPECT_GT(le.box.h, page->blocks[1].lines[0].box.h);  // the title's text is bigger
  EXPECT_GT(page->words, 15);
}

TEST(PdfDocument, TwoColumnsAreTwoBlocks) {
  MiniPdf pdf;
  pdf.textPage({{72, 100, 12, "La colonne de gauche commence ici"},
                {72, 116, 12, "et continue sur cette ligne."},
                {320, 100, 12, "La colonne de droite est à côté"},
                {320, 116, 12, "et finit sur cette ligne."}});
  auto doc = open(pdf);
  ASSERT_TRUE(doc);
  auto page = doc->text(0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->blocks.size(), 2u);
  EXPECT_EQ(page->blocks[0].lines.size(), 2u);
  EXPECT_EQ(page->blocks[1].lines.size(), 2u);
  EXPECT_NE(page->blocks[0].text().find("gauche"), std::string::npos);
  EXPECT_NE(page->blocks[1].text().find("droite"), std::string::npos);
}

TEST(PdfDocument, AScannedPageHasNoTextAndIsDrawnForRecognition) {
  auto doc = open(scannedExample());
  ASSERT_TRUE(doc);
  auto page = doc->text(0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->words, 0);
  EXPECT_FALSE(PdfDocument::textLayerUsable(*page, nullptr, 1));
  double scale = 0;
  auto pix = doc->render(0, kPdfDpi, {}, &scale);
  ASSERT_TRUE(pix.ok()) << pix.error().message;
  EXPECT_EQ(scale, 1);
  EXPECT_EQ(pixGetWidth(pix->get()), px(595));
  EXPECT_EQ(pixGetDepth(pix->get()), 32);
  // The scan's ink is there: a good share of dark pixels.
  PIX* grey = pixConvertRGBToLuminance(pix->get());
  PIX* ink = pixThresholdToBinary(grey, 128);
  l_int32 dark = 0;
  pixCountPixels(ink, &dark, nullptr);
  EXPECT_GT(dark, pixGetWidth(ink) * pixGetHeight(ink) / 100);
  pixDestroy(&ink);
  pixDestroy(&grey);
}

TEST(PdfDocument, AFewWordsOverAScanAreNotTheText) {
  // A scan with a stamped footer ("Page 1 sur 2"): the words exist, but the page is the picture.
  auto doc = open(scannedExample());
  ASSERT_TRUE(doc);
  auto page = doc->text(0);
  ASSERT_TRUE(page.ok());
  ocr::PdfPageText stamped = *page;
  Block footer;
  footer.lines.push_back(
      Line{{100, 100, 300, 40},
           {Word{"Page", {100, 100, 90, 40}, 100, ""}, Word{"1", {200, 100, 20, 40}, 100, ""},
            Word{"sur", {230, 100, 60, 40}, 100, ""}, Word{"2", {300, 100, 20, 40}, 100, ""}}});
  stamped.blocks.push_back(footer);
  stamped.words = 4;
  double scale = 0;
  auto drawn = doc->render(0, kPdfDpi / 2, {}, &scale);
  ASSERT_TRUE(drawn.ok());
  EXPECT_FALSE(PdfDocument::textLayerUsable(stamped, drawn->get(), scale));
}

TEST(PdfDocument, PagesAreReadOneByOne) {
  MiniPdf pdf;
  pdf.textPage({{72, 100, 12, "Première page de la fiche."}});
  pdf.textPage({{72, 100, 12, "Deuxième page de la fiche."}});
  auto doc = open(pdf);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->pages(), 2);
  auto second = doc->text(1);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->blocks.size(), 1u);
  EXPECT_EQ(second->blocks[0].text(), "Deuxième page de la fiche.");
}

TEST(PdfDocument, ADamagedFileIsNamed) {
  EXPECT_TRUE(ocr::looksLikePdf("%PDF-1.4\n"));
  EXPECT_FALSE(ocr::looksLikePdf("\x89PNG\r\n\x1a\n"));
  auto doc = PdfDocument::open("%PDF-1.4\nthis is not a PDF at all\n", "/tmp/fiche.pdf");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, ErrorCode::kImageCorrupt);
  EXPECT_NE(doc.error().message.find("/tmp/fiche.pdf"), std::string::npos);
}

TEST(PdfDocument, AHugePageIsDrawnSmaller) {
  MiniPdf pdf;
  pdf.textPage({{72, 100, 40, "Affiche"}}, {}, 72 * 40, 72 * 30);  // 40 x 30 inches
  auto doc = open(pdf);
  ASSERT_TRUE(doc);
  double scale = 0;
  auto pix = doc->render(0, kPdfDpi, {}, &scale);
  ASSERT_TRUE(pix.ok()) << pix.error().message;
  EXPECT_LT(scale, 1);
  EXPECT_LE(static_cast<long long>(pixGetWidth(pix->get())) * pixGetHeight(pix->get()),
            ocr::kMaxRenderPixels);
}

}  // namespace
}  // namespace liseur::test
