// The Tesseract engine behind OcrEngine.
//
// Two paths, chosen per image (preprocess/page_image.h judges a screen or a page of paper from its
// pixels; a capture of the screen is known to be one):
//
// Screens: the image becomes 8-bit grey; preprocess/TextLayout finds its text lines (either
// polarity), copies them dark-on-white into a clean ink image and orders them in blocks; then each
// line is cut out, scaled and padded to the height the LSTM reads well, and recognised alone as a
// raw line (PSM_RAW_LINE, its word splitting from the LSTM's spaces); each block goes to on_block
// as soon as its lines are done, so the first block is spoken while the others are recognised.
// Tesseract's layout analysis is not used there: on screens it reads forms as columns and loses
// light text on coloured buttons (see text_layout.h).
//
// Pages of paper (scans, photos): Tesseract's own page layout analysis, which was built for
// columns, pictures, captions and paragraphs, and whose word-by-word recognition follows curved
// and skewed lines, is what reads them best; liseur's layout rules, fitted to screens, read real
// pages twice as badly (issue 12). liseur prepares the page for it: grey that keeps pale coloured
// ink, only the sheet of a photo, light flattened, print scaled to about 300 dpi, the page turned
// the right way up (OSD) and deskewed; then every box is mapped back to the source image.
// Tesseract's layout analysis finds the blocks; each is then recognised alone (its lines' pixels
// on white, PSM_SINGLE_BLOCK) in its reading order, with the language chosen per block as on
// screens, and its paragraphs are sent as blocks at once, so the first words of a page are heard
// while the rest is recognised. A block whose lines run across a narrow gutter is cut into its
// columns.
//
// Languages: one warm TessBaseAPI per model rather than one loaded with "eng+fra". Such a
// combined instance reads every line it finds doubtful with each model in turn, which on screens
// (short labels, names, shortcuts) is most lines. Here a block is read with one model, chosen from
// what was read before (the page's language) and switched when the block's own words say it is
// the other language; a line that reads badly with that model is read with the others too and
// the best reading kept.
#include "ocr/ocr_engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/publictypes.h>
#include <tesseract/resultiterator.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "core/log.h"
#include "core/sentence_end.h"
#include "core/utf8.h"
#include "document/lang_guess.h"
#include "ocr/page_lines.h"
#include "preprocess/page_image.h"
#include "preprocess/pix_ptr.h"
#include "preprocess/text_image.h"
#include "preprocess/text_layout.h"

namespace liseur::ocr {
namespace {

using preprocess::PixPtr;

constexpr const char* kDebianTessdata = "/usr/share/tesseract-ocr/5/tessdata";

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::string> splitLanguages(const std::string& languages) {
  std::vector<std::string> out;
  std::stringstream ss(languages);
  std::string item;
  while (std::getline(ss, item, '+')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Tesseract model name -> ISO 639-1, for the languages liseur has voices for.
std::string isoLanguage(const std::string& tess) {
  static const std::map<std::string, std::string> kMap = {
      {"eng", "en"}, {"fra", "fr"}, {"deu", "de"}, {"spa", "es"}, {"ita", "it"},
      {"por", "pt"}, {"nld", "nl"}, {"cat", "ca"}, {"oci", "oc"}, {"bre", "br"}};
  auto it = kMap.find(tess);
  return it == kMap.end() ? "" : it->second;
}

std::string debianPackage(const std::string& model) {
  std::string pkg = "tesseract-ocr-" + model;
  std::replace(pkg.begin(), pkg.end(), '_', '-');
  std::transform(pkg.begin(), pkg.end(), pkg.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return pkg;
}

bool cancelHook(void* cancel_this, int /*words*/) {
  return static_cast<const std::atomic<bool>*>(cancel_this)->load(std::memory_order_relaxed);
}

// Character height (median connected-component height, px) the lines are scaled to, and the
// height of a line image in character heights (the LSTM scales the whole image to 36 px, so this
// sets the size of the letters it sees); measured on the dev corpus with tests/bench/ocr_quality.
constexpr float kTargetCharHeight = 20.0f;
constexpr float kLineHeightChars = 2.75f;
// A line whose words' mean confidence (weighted by length) is below this is read with the other
// models as well: before the block's language is known, and once it is known.
constexpr double kSureConfidence = 88;
constexpr double kDoubtConfidence = 70;
// Once the block's language is known, its model's reading of an earlier line is kept unless it
// is this much less confident.
constexpr double kSwitchMargin = 10;
// Words needed before a block's language is taken from its text (stop words, accents).
constexpr int kWordsToDecide = 4;
// Pages of paper: print whose characters are outside [kDocMinCharHeight, kDocMaxCharHeight] px is
// scaled to kDocCharHeight before the layout analysis.
constexpr float kDocMinCharHeight = 14.0f;
constexpr float kDocMaxCharHeight = 44.0f;
constexpr float kDocCharHeight = 30.0f;
// A page with more isolated specks than this many per letter is speckled (a photocopy's toner:
// several a letter; the grain of a clean scan brought out by the flattening: about one), and
// read with its print scaled to kSpeckledCharHeight.
constexpr double kSpeckledShare = 3;
constexpr float kSpeckledCharHeight = 20.0f;
// The resolution Tesseract is told for a page of paper, from its print: ordinary print (8-12 pt)
// is about 10 px high (ascender to descender, measured as documentCharHeight) per 100 dpi. Its
// layout analysis depends on it: told too much for small print it cuts a table's rows into a
// label column and a figure column; told more than 300 dpi (print is scaled to about that) it
// takes lines of a typescript for pictures.
constexpr float kDotsPerPixelOfPrint = 10.0f;
constexpr int kDocMinResolution = 100;
constexpr int kDocResolution = 300;
// A headline read as at least this many characters.
constexpr std::size_t kHeadlineMinChars = 6;
// When at least one letter in kUntrustedLayout of a page is in none of the lines Tesseract's
// layout analysis found, the page is read as one block of rows.
constexpr int kUntrustedLayout = 2;

// Orientation detection margin below which a page is taken as it is.
constexpr float kOsdConfidence = 7.0f;
// Orientation is told from the letters' shapes, which print of this height shows as well as larger
// print: a page whose print is larger is shown to OSD reduced to it (its cost grows with the
// pixels: a 300 dpi page's 35 px print, 600 ms, reduced to 18 px, a quarter of that).
constexpr float kOsdCharHeight = 18.0f;
// The first print read of a page tells it is upright when it is this long and read this sure
// (weighted mean word confidence); else OSD is asked. Measured on real-dev, corpus-dev and the
// engine's fixtures, and on 21 of those pages turned a quarter, a half and three quarters: the
// first print of a page on its side or upside down read at most 56 (most 22-46), of upright
// pages 28-97 (most above 75: those skip OSD, the others are asked as before).
constexpr std::size_t kUprightProbeChars = 12;
constexpr double kUprightProbeConfidence = 75;

// The word at a result iterator (text, confidence, language `iso`, box in the pixels Tesseract
// was given); nothing for an empty or blank word.
std::optional<Word> wordAt(tesseract::ResultIterator& it, const std::string& iso) {
  std::unique_ptr<char[]> text(it.GetUTF8Text(tesseract::RIL_WORD));
  if (!text || text[0] == '\0') return std::nullopt;
  std::string word_text(text.get());
  if (word_text.find_first_not_of(" \t\n") == std::string::npos) return std::nullopt;
  Word word;
  word.text = std::move(word_text);
  int l, t, r, b;
  if (it.BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) word.box = Box{l, t, r - l, b - t};
  word.confidence = std::clamp(it.Confidence(tesseract::RIL_WORD), 0.0f, 100.0f);
  word.lang = iso;
  return word;
}

// One line as read by one model.
// A text block of a page as Tesseract's page layout analysis finds it: its box and its lines'
// boxes, in the working image.
struct PageBlock {
  Box box;
  std::vector<Box> lines;
  std::vector<Box> blank;  // left white: lines of other blocks that reach into this one's
  bool turned = false;     // print turned a quarter: read the box whole, turned upright
};

using Models = std::vector<std::unique_ptr<tesseract::TessBaseAPI>>;

// A block of a screen as one reader read it.
struct ScreenBlockRead {
  std::vector<LineRead> reads;
  std::size_t words = 0;
  int decided = -1;  // the model its words named, -1 when it was too short to tell
};

// The calling thread yields the CPU to the rest of the worker (and to speech, in another process)
// when they compete: the second reader only uses a core that would otherwise idle.
void lowerThisThreadsPriority() {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int now = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)::setpriority(PRIO_PROCESS, tid, std::min(19, now + 5));
}

class TesseractEngine final : public OcrEngine {
 public:
  explicit TesseractEngine(std::vector<std::string> models) : models_(std::move(models)) {}
  ~TesseractEngine() override {
    if (helper_loader_.joinable()) helper_loader_.join();
    for (auto& api : apis_) api->End();
    for (auto& api : helper_apis_) api->End();
  }

  Status init(const std::string& datapath) {
    datapath_ = datapath;
    return loadModels(apis_);
  }

  // Loads a second set of models on a thread of its own, at a lower priority, for the second
  // reader (recognise() uses it once it is loaded; a failure leaves one reader).
  void startSecondReader() {
    helper_loader_ = std::thread([this] {
      lowerThisThreadsPriority();
      // The first job may be decoding a large image meanwhile, near the worker's address-space
      // limit: an allocation that fails here leaves one reader, it does not end the worker
      // (an exception leaving a thread would call std::terminate).
      try {
        Models models;
        if (Status st = loadModels(models); !st.ok()) return;
        helper_apis_ = std::move(models);
        helper_ready_.store(true, std::memory_order_release);
      } catch (const std::bad_alloc&) {
        spdlog::warn("OCR: not enough memory for a second reader; reading with one");
      }
    });
  }

  Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode,
                                     const RecogniseCallbacks& callbacks,
                                     const std::atomic<bool>& cancelled) override;

  std::vector<std::string> languages() const override { return models_; }
  int readers() const override { return helper_ready_.load(std::memory_order_acquire) ? 2 : 1; }
  std::string version() const override { return tesseract::TessBaseAPI::Version(); }

 private:
  // One warm TessBaseAPI per model of models_, set up to read single lines.
  Status loadModels(Models& into) const {
    for (const std::string& model : models_) {
      auto api = std::make_unique<tesseract::TessBaseAPI>();
      if (api->Init(datapath_.c_str(), model.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
        return Status::fail(ErrorCode::kOcrLanguageMissing,
                            "Tesseract could not load the model '" + model + "' from " + datapath_);
      }
      // Lines reach Tesseract dark on white (preprocess normalises polarity per region): its
      // second LSTM pass on the inverted image of a doubtful line would only cost time.
      api->SetVariable("tessedit_do_invert", "0");
      api->SetVariable("invert_threshold", "0");
      api->SetPageSegMode(tesseract::PSM_RAW_LINE);
      into.push_back(std::move(api));
    }
    return okStatus();
  }
  // Reads one line image with model `m` of `apis`; boxes in source coordinates.
  Result<LineRead> readLine(Models& apis, const preprocess::PageLayout& page,
                            const preprocess::LineImage& img, int m,
                            const std::atomic<bool>& cancelled);
  Result<LineRead> readLine(const preprocess::PageLayout& page, const preprocess::LineImage& img,
                            int m, const std::atomic<bool>& cancelled) {
    return readLine(apis_, page, img, m, cancelled);
  }
  // Reads the line with model `m` and, when that reads below `retry_below`, with the others;
  // keeps the best reading.
  Result<LineRead> readBest(Models& apis, const preprocess::PageLayout& page,
                            const preprocess::LineImage& img, int m, double retry_below,
                            const std::atomic<bool>& cancelled);
  // The start of a text block of a screen, read with the models of `apis`: its lines one
  // after the other with `model` (the others tried on a doubtful line) until their words name
  // the block's language. `next_line`: the first line left (all of them with one model, none
  // when the language was never named); `model`: the one to read them with.
  struct BlockStart {
    ScreenBlockRead read;
    std::size_t next_line = 0;
    int model = 0;
    std::optional<Error> error;
  };
  BlockStart readBlockStart(Models& apis, const preprocess::PageLayout& page,
                            const preprocess::TextBlock& tb, int model,
                            const std::atomic<bool>& cancelled);
  // One line of a block after its start, read with the block's `model` (the others tried when
  // it reads doubtfully); nullopt when it holds no word.
  Result<std::optional<LineRead>> readRestLine(Models& apis, const preprocess::PageLayout& page,
                                               const preprocess::TextLine& line, int model,
                                               const std::atomic<bool>& cancelled);
  class ScreenWork;
  // A page of paper made ready for Tesseract's own page layout analysis: grey that keeps pale
  // coloured ink, cropped to the sheet, light flattened, print scaled to about 300 dpi, turned
  // `turns` quarter turns clockwise and deskewed. The layout's `ink` is that image; its blocks
  // are empty (findBlocks finds them, readBlock or readPage reads them).
  // turns < 0: the page is taken as upright for now and the question is deferred (deferred_osd_):
  // recogniseParagraphs settles it on the first print it reads.
  Result<preprocess::PageLayout> analyseDocument(Pix* image, const std::atomic<bool>& cancelled,
                                                 int turns = -1);
  // The orientation question analyseDocument deferred, settled by Tesseract's OSD: quarter turns
  // that put the page upright (0: upright, or unsure, or nothing was deferred). Clears it.
  int settleOrientation();
  // Reads the whole working image of a page of paper with model `m` through Tesseract's own page
  // layout analysis: its paragraphs (text blocks only; pictures, rules, noise and vertical text
  // left out) in its reading order, paragraphs that run across two columns cut along the gutter.
  // Boxes in source coordinates.
  Result<std::vector<std::vector<LineRead>>> readPage(const preprocess::PageLayout& page, int m,
                                                      const std::atomic<bool>& cancelled);
  // The text blocks of a page of paper in Tesseract's reading order (pictures, rules, noise and
  // vertical text left out), by the layout analysis of model `m`.
  Result<std::vector<PageBlock>> findBlocks(const preprocess::PageLayout& page, int m);
  // Reads one block with model `m`: its lines' pixels alone on white, recognised by Tesseract as
  // one block (its own segmentation follows curved and skewed lines); its paragraphs, lines of
  // texture dropped. Boxes in the working image.
  Result<std::vector<std::vector<LineRead>>> readBlock(Models& apis,
                                                       const preprocess::PageLayout& page,
                                                       const PageBlock& block, int m,
                                                       const std::atomic<bool>& cancelled);
  class PageAhead;
  // The document path of recognise(): block after block in Tesseract's reading order, each read
  // with the page's language model, again with the other when its words say it is in that
  // language; one document block per paragraph, sent as soon as it is read.
  Status recogniseParagraphs(const preprocess::PageLayout& page,
                             const RecogniseCallbacks& callbacks,
                             const std::atomic<bool>& cancelled);
  // Reads some print with the preferred model, then again with the model its words name (kept
  // unless much less sure) or, when too short to tell and poorly read, with the others (the
  // surest kept); the model named becomes the preferred one. `read(m)` reads it with model m.
  Result<std::vector<std::vector<LineRead>>> readInItsLanguage(
      const std::function<Result<std::vector<std::vector<LineRead>>>(int)>& read);
  // The page read whole with the preferred model (again with the other when its words say so),
  // its paragraphs sent when it is done: for pages whose blocks cannot be read apart.
  Status recogniseWholePage(const preprocess::PageLayout& page, const RecogniseCallbacks& callbacks,
                            const std::atomic<bool>& cancelled);
  // Quarter turns (clockwise) that put the text of `grey` upright, from Tesseract's orientation
  // detection; 0 when it is unsure or the OSD model is not installed.
  int detectQuarterTurns(Pix* grey, float char_height);
  int modelOf(const std::string& iso) const {
    for (std::size_t i = 0; i < models_.size(); ++i) {
      if (isoLanguage(models_[i]) == iso) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<std::string> models_;
  Models apis_;  // the main reader's models: every path uses them
  // The second reader of screens (startSecondReader): its own models, used by one thread at a
  // time once helper_ready_ is true.
  Models helper_apis_;
  std::atomic<bool> helper_ready_{false};
  std::thread helper_loader_;
  // Tasks the second reader did during the current recognise() (RecogniseTimings).
  std::atomic<std::size_t> second_reads_{0};
  // Tesseract's orientation and script detection (osd.traineddata), loaded on first use; null
  // when the model is missing (then pages are taken as upright).
  std::unique_ptr<tesseract::TessBaseAPI> osd_;
  bool osd_tried_ = false;
  // The page as OSD would see it (before turning) and its print height, while the orientation
  // of the page being read is not settled; null otherwise.
  PixPtr deferred_osd_;
  float deferred_osd_char_height_ = 0;
  // Set by recogniseParagraphs when the page turned out not upright (its quarter turns): nothing
  // was sent, recognise() reads the page again turned.
  int turned_ = 0;
  bool orientation_asked_ = false;  // during the current recognise() (RecogniseTimings)
  std::string datapath_;
  // The model the last block was read with: screens and pages rarely change language, so it is
  // tried first for the next block (and the next image).
  int preferred_ = 0;
};

Result<LineRead> TesseractEngine::readLine(Models& apis, const preprocess::PageLayout& page,
                                           const preprocess::LineImage& img, int m,
                                           const std::atomic<bool>& cancelled) {
  using R = Result<LineRead>;
  tesseract::TessBaseAPI& api = *apis[m];
  api.SetImage(img.pix.get());
  api.SetSourceResolution(300);
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = cancelHook;
  monitor.cancel_this = const_cast<std::atomic<bool>*>(&cancelled);
  const int rc = api.Recognize(&monitor);
  if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
  if (rc != 0) {
    return R::fail(ErrorCode::kOcrFailed, "Tesseract failed on a text line of " +
                                              std::to_string(img.origin.w) + "x" +
                                              std::to_string(img.origin.h) + " px");
  }
  LineRead read;
  read.model = m;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return read;
  const std::string iso = isoLanguage(models_[m]);
  double weighted = 0;
  it->Begin();
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    std::optional<Word> read_word = wordAt(*it, iso);
    if (!read_word) continue;
    Word word = std::move(*read_word);
    word.box = page.toSource(
        img.toWork(word.box.x, word.box.y, word.box.x + word.box.w, word.box.y + word.box.h));
    const std::size_t n = codePointCount(word.text);
    weighted += word.confidence * n;
    read.chars += n;
    read.line.words.push_back(std::move(word));
  } while (it->Next(tesseract::RIL_WORD));
  if (read.chars > 0) read.score = weighted / read.chars;
  return read;
}

Result<LineRead> TesseractEngine::readBest(Models& apis, const preprocess::PageLayout& page,
                                           const preprocess::LineImage& img, int m,
                                           double retry_below, const std::atomic<bool>& cancelled) {
  auto best = readLine(apis, page, img, m, cancelled);
  if (!best.ok()) return best;
  if (best->score >= retry_below) return best;
  for (int o = 0; o < static_cast<int>(apis.size()); ++o) {
    if (o == m) continue;
    auto other = readLine(apis, page, img, o, cancelled);
    if (!other.ok()) return other;
    if (other->score > best->score) best = std::move(other);
  }
  return best;
}

int TesseractEngine::settleOrientation() {
  if (!deferred_osd_) return 0;
  orientation_asked_ = true;
  const int turns = detectQuarterTurns(deferred_osd_.get(), deferred_osd_char_height_);
  deferred_osd_.reset();
  return turns;
}

int TesseractEngine::detectQuarterTurns(Pix* grey, float char_height) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!osd_tried_) {
    osd_tried_ = true;
    std::error_code ec;
    if (std::filesystem::is_regular_file(std::filesystem::path(datapath_) / "osd.traineddata",
                                         ec)) {
      auto api = std::make_unique<tesseract::TessBaseAPI>();
      if (api->Init(datapath_.c_str(), "osd", tesseract::OEM_TESSERACT_ONLY) == 0) {
        osd_ = std::move(api);
      }
    }
  }
  if (!osd_) return 0;
  const auto t1 = std::chrono::steady_clock::now();
  PixPtr reduced;
  if (char_height > kOsdCharHeight)
    reduced = preprocess::scaleGrey(grey, std::max(0.25f, kOsdCharHeight / char_height));
  Pix* shown = reduced ? reduced.get() : grey;
  osd_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
  osd_->SetImage(shown);
  osd_->SetSourceResolution(300);
  int degrees = 0;
  float orient_conf = 0, script_conf = 0;
  const char* script = nullptr;
  const bool ok = osd_->DetectOrientationScript(&degrees, &orient_conf, &script, &script_conf);
  osd_->Clear();
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(
        stderr, "osd: %d degrees, confidence %.2f (%.0f ms, %.0f ms loading; %dx%d)\n", degrees,
        orient_conf,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count(),
        std::chrono::duration<double, std::milli>(t1 - t0).count(), pixGetWidth(shown),
        pixGetHeight(shown));
  if (!ok || orient_conf < kOsdConfidence) return 0;
  // Tesseract gives the text's counter-clockwise angle; the page is turned back clockwise.
  return ((360 - degrees) % 360) / 90;
}

Result<preprocess::PageLayout> TesseractEngine::analyseDocument(Pix* image,
                                                                const std::atomic<bool>& cancelled,
                                                                int turns) {
  using R = Result<preprocess::PageLayout>;
  preprocess::PageLayout page;
  PixPtr grey = preprocess::pageGrey(image);
  if (!grey) return R::fail(ErrorCode::kOcrFailed, "could not convert the page to grey");
  {
    // A photo: only the sheet is read, not the table, the hands or another sheet around it; a
    // scan: the dark edges beyond the page are left out.
    PixPtr sheet;
    std::array<preprocess::Point, 4> corners;
    const Box b = preprocess::findSheet(grey.get(), &sheet, &corners);
    PixPtr square;
    if (sheet && preprocess::seenAtAnAngle(corners))
      square = preprocess::rectifySheet(grey.get(), corners, &page.rectified_to_source);
    if (square) {
      // Photographed at an angle: the sheet seen square (perspective corrected).
      grey = std::move(square);
      page.projective = true;
      if (std::getenv("LISEUR_LAYOUT_DEBUG"))
        std::fprintf(stderr, "sheet rectified from %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f\n",
                     corners[0].x, corners[0].y, corners[1].x, corners[1].y, corners[2].x,
                     corners[2].y, corners[3].x, corners[3].y);
    } else if (sheet) {
      grey = std::move(sheet);
      page.crop_x = b.x;
      page.crop_y = b.y;
      if (std::getenv("LISEUR_LAYOUT_DEBUG"))
        std::fprintf(stderr, "sheet %d,%d %dx%d\n", b.x, b.y, b.w, b.h);
    }
  }
  if (PixPtr flat = preprocess::flattenLight(grey.get())) grey = std::move(flat);
  // Print far larger than Tesseract needs is reduced (the layout and the lines cost less); tiny
  // print (a photo taken from afar) is enlarged.
  float est = preprocess::documentCharHeight(grey.get());
  // Specks far from any letter are cleared; many of them (a photocopy's toner, a dusty scan)
  // mean as many near the letters, where they would be read as accents and punctuation: such a
  // page is read at a smaller print size, where a 3x3 median takes them and keeps the strokes.
  // Dotted lines to write on are read as strings of garbage: they are cleared, their labels stay.
  const int dotted = preprocess::clearDottedLines(grey.get(), est);
  const preprocess::Specks specks = preprocess::removeSpecks(grey.get(), est);
  const bool speckled = specks.specks > kSpeckledShare * std::max(1, specks.letters);
  const float target = speckled ? kSpeckledCharHeight : kDocCharHeight;
  if (est > 0 &&
      (est > kDocMaxCharHeight || est < kDocMinCharHeight || (speckled && est > target))) {
    page.scale = std::clamp(target / est, 0.25f, 3.0f);
    grey = preprocess::scaleGrey(grey.get(), page.scale);
    if (!grey) return R::fail(ErrorCode::kOcrFailed, "could not scale the page");
    est *= page.scale;
  }
  if (speckled) {
    if (PixPtr m{pixRankFilterGray(grey.get(), 3, 3, 0.5f)}) grey = std::move(m);
  }
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(stderr,
                 "document: char height %.1f, scale %.3f, %d specks, %d letters, %d dotted lines\n",
                 est, page.scale, specks.specks, specks.letters, dotted);
  if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
  deferred_osd_.reset();
  if (turns < 0) {
    // Most pages are upright: OSD (half a second on a page of print) runs only when the first
    // print read is doubtful (settleOrientation).
    deferred_osd_.reset(pixCopy(nullptr, grey.get()));
    deferred_osd_char_height_ = est;
    turns = 0;
  }
  if (turns != 0) {
    page.quarter_turns = turns;
    page.turned_from_w = pixGetWidth(grey.get());
    page.turned_from_h = pixGetHeight(grey.get());
    grey = preprocess::rotateQuarterTurns(grey.get(), turns);
    if (!grey) return R::fail(ErrorCode::kOcrFailed, "could not turn the page");
  }
  // Curved lines of print (a book's page, a sheet that does not lie flat) are straightened;
  // that also takes the skew. A page without such a model is deskewed.
  PixPtr straight = preprocess::dewarpPage(grey.get(), &page.unwarp);
  if (straight) {
    grey = std::move(straight);
    if (std::getenv("LISEUR_LAYOUT_DEBUG"))
      std::fprintf(stderr, "page: curved lines straightened\n");
  }
  const int W = pixGetWidth(grey.get()), H = pixGetHeight(grey.get());
  if (page.unwarp.empty()) {
    // Paper scanned or photographed askew: the line crops below are upright rectangles.
    PixPtr bin(pixConvertTo1(grey.get(), 160));
    l_float32 angle = 0, conf = 0;
    if (bin && pixFindSkew(bin.get(), &angle, &conf) == 0 && conf >= 3.0f &&
        std::fabs(angle) >= 0.2f && std::fabs(angle) <= 10.0f) {
      // Same size as before (0, 0: not embedded), so that the centre is the one toSource uses.
      PixPtr rotated(pixRotate(grey.get(), static_cast<l_float32>(angle * M_PI / 180.0),
                               L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
      if (rotated) {
        grey = std::move(rotated);
        page.skew_degrees = angle;
      }
    }
  }
  page.width = W;
  page.height = H;
  page.char_height = est;
  page.resolution =
      std::clamp(static_cast<int>(kDotsPerPixelOfPrint * est), kDocMinResolution, kDocResolution);
  if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");

  page.ink = std::move(grey);
  return page;
}

// Appends the word at `it` to paragraph `para`, on a new line when `it` starts one; its box moved
// by (dx, dy) from the pixels Tesseract was given.
void appendWord(std::vector<LineRead>& para, tesseract::ResultIterator& it, int m,
                const std::string& iso, int dx, int dy) {
  if (para.empty() || it.IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
    if (para.empty() || !para.back().line.words.empty()) para.emplace_back();
    para.back().model = m;
  }
  std::optional<Word> word = wordAt(it, iso);
  if (!word) return;
  word->box.x += dx;
  word->box.y += dy;
  para.back().chars += codePointCount(word->text);
  para.back().line.words.push_back(std::move(*word));
}

// Recognises a page of paper, or a block of one, with Tesseract's own segmentation (`psm`), told
// its print's resolution, and returns an iterator at its first word (null when Tesseract found
// nothing); the api is left in the line mode the screen path uses. Errors: kCancelled,
// ocr-failed naming `what`.
using PrintRead = std::unique_ptr<tesseract::ResultIterator>;
Result<PrintRead> recognisePrint(tesseract::TessBaseAPI& api, Pix* image,
                                 tesseract::PageSegMode psm, int resolution, const char* what,
                                 const std::atomic<bool>& cancelled) {
  api.SetPageSegMode(psm);
  // A page may hold light print on a dark ground (a plaque, a heading in a band): Tesseract reads
  // a line it is unsure of inverted too.
  api.SetVariable("tessedit_do_invert", "1");
  api.SetVariable("invert_threshold", "0.7");
  api.SetImage(image);
  api.SetSourceResolution(resolution);
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = cancelHook;
  monitor.cancel_this = const_cast<std::atomic<bool>*>(&cancelled);
  const int rc = api.Recognize(&monitor);
  api.SetPageSegMode(tesseract::PSM_RAW_LINE);
  api.SetVariable("tessedit_do_invert", "0");
  api.SetVariable("invert_threshold", "0");
  if (cancelled.load()) return Result<PrintRead>::fail(ErrorCode::kCancelled, "cancelled");
  if (rc != 0)
    return Result<PrintRead>::fail(ErrorCode::kOcrFailed,
                                   std::string("Tesseract failed on ") + what);
  PrintRead it(api.GetIterator());
  if (it) it->Begin();
  return it;
}

Result<std::vector<std::vector<LineRead>>> TesseractEngine::readPage(
    const preprocess::PageLayout& page, int m, const std::atomic<bool>& cancelled) {
  using R = Result<std::vector<std::vector<LineRead>>>;
  std::vector<std::vector<LineRead>> out;
  Pix* ink = page.ink.get();
  if (!ink) return out;
  tesseract::TessBaseAPI& api = *apis_[m];
  auto read = recognisePrint(api, ink, tesseract::PSM_AUTO, page.resolution, "the page", cancelled);
  if (!read.ok()) return R(read.error());
  PrintRead it = std::move(read.value());
  if (!it) return out;
  const std::string iso = isoLanguage(models_[m]);
  bool open = false;
  int block = -1;
  std::vector<int> block_of;  // Tesseract's block of each paragraph
  do {
    if (it->IsAtBeginningOf(tesseract::RIL_BLOCK)) ++block;
    if (it->Empty(tesseract::RIL_WORD)) continue;
    const auto type = it->BlockType();
    if (!tesseract::PTIsTextType(type) || type == tesseract::PT_VERTICAL_TEXT) {
      open = false;
      continue;
    }
    if (!open || it->IsAtBeginningOf(tesseract::RIL_PARA)) {
      out.emplace_back();
      block_of.push_back(block);
      open = true;
    }
    // In the working image until the columns are found; mapped to the source below.
    appendWord(out.back(), *it, m, iso, 0, 0);
  } while (it->Next(tesseract::RIL_WORD));
  api.Clear();
  for (auto& para : out) {
    std::erase_if(para, [](const LineRead& r) { return r.line.words.empty() || isNoise(r); });
  }
  // Columns are looked for in each of Tesseract's blocks (its paragraphs of a block that spans
  // two columns are cut anywhere); a block that has none keeps its paragraphs.
  std::vector<std::vector<LineRead>> columns;
  for (std::size_t i = 0; i < out.size();) {
    std::size_t j = i;
    std::vector<LineRead> lines;
    while (j < out.size() && block_of[j] == block_of[i]) {
      lines.insert(lines.end(), out[j].begin(), out[j].end());
      ++j;
    }
    std::vector<std::vector<LineRead>> split;
    if (splitColumns(lines, split)) {
      // The end of a column that Tesseract put in a block of its own, just below: it goes on
      // that column.
      while (j < out.size() && !out[j].empty() && continueColumn(split, out[j])) ++j;
      for (auto& c : split) columns.push_back(std::move(c));
    } else {
      for (std::size_t k = i; k < j; ++k) columns.push_back(std::move(out[k]));
    }
    i = j;
  }
  std::erase_if(columns, [](const std::vector<LineRead>& p) { return p.empty(); });
  for (auto& para : columns)
    for (LineRead& r : para)
      for (Word& w : r.line.words) w.box = page.toSource(w.box);
  return columns;
}

// True when lines of different blocks overlap by more than a fifth of the smaller one: each
// block's lines copied alone would carry pieces of the other's.
bool tangled(const std::vector<PageBlock>& blocks) {
  for (std::size_t a = 0; a < blocks.size(); ++a) {
    for (std::size_t b = a + 1; b < blocks.size(); ++b) {
      const Box& ba = blocks[a].box;
      const Box& bb = blocks[b].box;
      if (ba.x >= bb.x + bb.w || bb.x >= ba.x + ba.w || ba.y >= bb.y + bb.h || bb.y >= ba.y + ba.h)
        continue;
      for (const Box& la : blocks[a].lines) {
        for (const Box& lb : blocks[b].lines) {
          const int w = std::min(la.x + la.w, lb.x + lb.w) - std::max(la.x, lb.x);
          const int h = std::min(la.y + la.h, lb.y + lb.h) - std::max(la.y, lb.y);
          if (w <= 0 || h <= 0) continue;
          const long smaller = std::min(long(la.w) * la.h, long(lb.w) * lb.h);
          if (long(w) * h * 5 > smaller) return true;
        }
      }
    }
  }
  return false;
}

// Print of the page in none of `blocks`' lines (lines Tesseract took for a picture because a
// pen's circle or a stamp touches them) added as blocks read whole, the lines already found in
// their box left out, each before the first block below it in the same column.
void addUnclaimedPrint(const preprocess::PageLayout& page, std::vector<PageBlock>& blocks) {
  std::vector<Box> claimed;
  for (const PageBlock& b : blocks) claimed.insert(claimed.end(), b.lines.begin(), b.lines.end());
  const preprocess::UnclaimedPrint missed =
      preprocess::unclaimedPrint(page.ink.get(), page.char_height, claimed);
  if (std::getenv("LISEUR_LAYOUT_DEBUG"))
    std::fprintf(stderr, "letters %d, unclaimed %d\n", missed.letters, missed.unclaimed);
  // Print turned a quarter (a receipt's side text) is read last, after the page.
  for (const Box& v : missed.vertical) {
    if (std::getenv("LISEUR_LAYOUT_DEBUG"))
      std::fprintf(stderr, "turned print %d,%d %dx%d\n", v.x, v.y, v.w, v.h);
    PageBlock tb;
    tb.box = v;
    tb.lines = {v};
    tb.turned = true;
    blocks.push_back(std::move(tb));
  }
  if (missed.unclaimed * kUntrustedLayout >= missed.letters && missed.unclaimed > 0) {
    // Most of the print is in no block: the layout analysis is lost (pen strokes over the
    // lines, a crumpled sheet) and the page is read as one block of rows.
    const Box all{0, 0, page.width, page.height};
    std::vector<PageBlock> turned;
    for (PageBlock& b : blocks)
      if (b.turned) turned.push_back(std::move(b));
    blocks.assign(1, PageBlock{all, {all}, {}});
    for (PageBlock& b : turned) blocks.push_back(std::move(b));
    return;
  }
  for (const Box& box : missed.blocks) {
    PageBlock nb;
    nb.box = box;
    nb.lines = {box};
    nb.blank = claimed;
    if (std::getenv("LISEUR_LAYOUT_DEBUG"))
      std::fprintf(stderr, "unclaimed print %d,%d %dx%d\n", box.x, box.y, box.w, box.h);
    auto below = std::find_if(blocks.begin(), blocks.end(), [&](const PageBlock& b) {
      return b.box.y > box.y && b.box.x < box.x + box.w && box.x < b.box.x + b.box.w;
    });
    blocks.insert(below, std::move(nb));
  }
}

Result<std::vector<PageBlock>> TesseractEngine::findBlocks(const preprocess::PageLayout& page,
                                                           int m) {
  using R = Result<std::vector<PageBlock>>;
  std::vector<PageBlock> out;
  Pix* ink = page.ink.get();
  if (!ink) return out;
  tesseract::TessBaseAPI& api = *apis_[m];
  api.SetPageSegMode(tesseract::PSM_AUTO);
  api.SetImage(ink);
  api.SetSourceResolution(page.resolution);
  std::unique_ptr<tesseract::PageIterator> it(api.AnalyseLayout());
  if (it) {
    it->Begin();
    bool more = true;
    while (more) {
      const auto type = it->BlockType();
      const bool text = tesseract::PTIsTextType(type) && type != tesseract::PT_VERTICAL_TEXT;
      PageBlock block;
      int l, t, r, b;
      if (text && it->BoundingBox(tesseract::RIL_BLOCK, &l, &t, &r, &b))
        block.box = Box{l, t, r - l, b - t};
      do {  // the block's lines
        if (text && it->BoundingBox(tesseract::RIL_TEXTLINE, &l, &t, &r, &b))
          block.lines.push_back(Box{l, t, r - l, b - t});
        more = it->Next(tesseract::RIL_TEXTLINE);
      } while (more && !it->IsAtBeginningOf(tesseract::RIL_BLOCK));
      if (text && block.box.w > 0 && !block.lines.empty()) out.push_back(std::move(block));
    }
  }
  it.reset();
  api.Clear();
  api.SetPageSegMode(tesseract::PSM_RAW_LINE);
  return R(std::move(out));
}

// Mean word confidence of reads (defined below).
double scoreOf(const std::vector<LineRead>& reads, std::size_t* words = nullptr);

Result<std::vector<std::vector<LineRead>>> TesseractEngine::readBlock(
    Models& apis, const preprocess::PageLayout& page, const PageBlock& block, int m,
    const std::atomic<bool>& cancelled) {
  using R = Result<std::vector<std::vector<LineRead>>>;
  std::vector<std::vector<LineRead>> out;
  Pix* ink = page.ink.get();
  if (!ink) return out;
  const int W = pixGetWidth(ink), H = pixGetHeight(ink);
  // The block with a margin, and in it only its own lines: text of a neighbouring block that
  // reaches into the box (a picture's caption, the other column) stays out.
  const int pad = std::max(4, static_cast<int>(page.char_height / 2));
  const int x0 = std::max(0, block.box.x - pad), y0 = std::max(0, block.box.y - pad);
  const int x1 = std::min(W, block.box.x + block.box.w + pad);
  const int y1 = std::min(H, block.box.y + block.box.h + pad);
  if (x1 <= x0 || y1 <= y0) return out;
  PixPtr img(pixCreate(x1 - x0, y1 - y0, 8));
  if (!img) return R::fail(ErrorCode::kOcrFailed, "out of memory for a block of the page");
  pixSetAll(img.get());
  for (const Box& l : block.lines) {
    const int lx = std::clamp(l.x - 2, x0, x1), ly = std::clamp(l.y - 2, y0, y1);
    const int lw = std::clamp(l.x + l.w + 2, x0, x1) - lx;
    const int lh = std::clamp(l.y + l.h + 2, y0, y1) - ly;
    if (lw > 0 && lh > 0) pixRasterop(img.get(), lx - x0, ly - y0, lw, lh, PIX_SRC, ink, lx, ly);
  }
  for (const Box& b : block.blank)
    pixRasterop(img.get(), b.x - x0, b.y - y0, b.w, b.h, PIX_SET, nullptr, 0, 0);
  tesseract::TessBaseAPI& api = *apis[m];
  const std::string iso = isoLanguage(models_[m]);
  if (block.turned) {
    // Turned a quarter one way or the other: both are read, the surer kept; word boxes are
    // turned back into the page's coordinates.
    double best = -1;
    for (int q : {1, 3}) {
      PixPtr upright = preprocess::rotateQuarterTurns(img.get(), q);
      if (!upright) continue;
      auto read = recognisePrint(api, upright.get(), tesseract::PSM_SINGLE_BLOCK, page.resolution,
                                 "a turned block of the page", cancelled);
      if (!read.ok()) return R(read.error());
      PrintRead it = std::move(read.value());
      std::vector<std::vector<LineRead>> paras;
      if (it) {
        do {
          if (it->Empty(tesseract::RIL_WORD)) continue;
          if (paras.empty() || it->IsAtBeginningOf(tesseract::RIL_PARA)) paras.emplace_back();
          appendWord(paras.back(), *it, m, iso, 0, 0);
        } while (it->Next(tesseract::RIL_WORD));
      }
      api.Clear();
      const int uw = pixGetWidth(upright.get()), uh = pixGetHeight(upright.get());
      std::vector<LineRead> all;
      for (auto& p : paras) {
        for (LineRead& r : p)
          for (Word& wd : r.line.words) {
            wd.box = preprocess::unturnBox(wd.box, q, uw, uh);
            wd.box.x += x0;
            wd.box.y += y0;
          }
        all.insert(all.end(), p.begin(), p.end());
      }
      if (const double score = scoreOf(all); score > best) {
        best = score;
        out = std::move(paras);
      }
    }
    // Print turned a quarter that Tesseract is unsure of either way is texture, not side text.
    if (best < kDoubtConfidence) out.clear();
  } else {
    auto read = recognisePrint(api, img.get(), tesseract::PSM_SINGLE_BLOCK, page.resolution,
                               "a block of the page", cancelled);
    if (!read.ok()) return R(read.error());
    PrintRead it = std::move(read.value());
    if (!it) return out;
    do {
      if (it->Empty(tesseract::RIL_WORD)) continue;
      if (out.empty() || it->IsAtBeginningOf(tesseract::RIL_PARA)) out.emplace_back();
      appendWord(out.back(), *it, m, iso, x0, y0);
    } while (it->Next(tesseract::RIL_WORD));
    api.Clear();
  }
  for (auto& para : out) {
    std::erase_if(para, [](const LineRead& r) { return r.line.words.empty() || isNoise(r); });
  }
  std::erase_if(out, [](const std::vector<LineRead>& p) { return p.empty(); });
  return R(std::move(out));
}

// Mean word confidence of reads, weighted by characters; -1 when nothing was read.
double scoreOf(const std::vector<LineRead>& reads, std::size_t* words) {
  double weighted = 0;
  std::size_t chars = 0, n = 0;
  for (const LineRead& r : reads) {
    for (const Word& w : r.line.words) {
      const std::size_t c = codePointCount(w.text);
      weighted += w.confidence * c;
      chars += c;
      ++n;
    }
  }
  if (words) *words = n;
  return chars ? weighted / chars : -1;
}

Box unionOfWords(const std::vector<Word>& words) {
  int x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
  for (const Word& w : words) {
    x0 = std::min(x0, w.box.x);
    y0 = std::min(y0, w.box.y);
    x1 = std::max(x1, w.box.x + w.box.w);
    y1 = std::max(y1, w.box.y + w.box.h);
  }
  if (words.empty()) return Box{};
  return Box{x0, y0, x1 - x0, y1 - y0};
}

// In sans-serif fonts the capital I is a plain bar, and the LSTM often reads the pronoun as '|'.
// In English text a word that is only that bar (with an elision or punctuation: "|'m", "|,") is
// the pronoun; a bar inside a token ({big|little}, a||b) is left alone.
void readPronounI(Block& block) {
  for (Line& line : block.lines) {
    for (Word& w : line.words) {
      if (w.text.empty() || w.text[0] != '|') continue;
      const std::string rest = w.text.substr(1);
      const bool elision = rest.size() >= 2 && (rest[0] == '\'' || rest.rfind("\u2019", 0) == 0);
      const bool punct =
          rest.empty() ||
          (rest.size() == 1 && std::string_view(",.;:!?").find(rest[0]) != std::string_view::npos);
      if (elision || punct) w.text = "I" + rest;
    }
  }
}

// In sans-serif fonts and on typewriters, the capital I and the small l are the same bar, and the
// LSTM reads the French pronoun "Il" as "I!", "II", "I1" or "Il" by turns. In a French block,
// such a two-bar word followed by a word in lower case is the pronoun ("Ils" too): "!" is never
// glued to a word in French typography, and the numeral II does not start a clause.
void readPronounIl(Block& block) {
  auto bar = [](char c) { return c == 'I' || c == 'l' || c == '|'; };
  auto second = [](char c) { return c == 'l' || c == '!' || c == '1' || c == 'I' || c == '|'; };
  std::vector<Word*> words;
  for (Line& line : block.lines)
    for (Word& w : line.words) words.push_back(&w);
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    std::string& t = words[i]->text;
    if (t.size() < 2 || t.size() > 3 || !bar(t[0]) || !second(t[1])) continue;
    if (t.size() == 3 && t[2] != 's') continue;
    if (t == "Il" || t == "Ils") continue;
    const std::string& next = words[i + 1]->text;
    const bool lower_next =
        !next.empty() && (std::islower(static_cast<unsigned char>(next[0])) ||
                          (static_cast<unsigned char>(next[0]) == 0xC3 && next.size() > 1 &&
                           static_cast<unsigned char>(next[1]) >= 0xA0));  // à..ÿ
    if (lower_next) t = t.size() == 3 ? "Ils" : "Il";
  }
}

std::string textOf(const std::vector<LineRead>& reads) {
  std::string text;
  for (const LineRead& r : reads) {
    for (const Word& w : r.line.words) {
      if (!text.empty()) text += ' ';
      text += w.text;
    }
  }
  return text;
}

// The first word of `line` from word `from` on that ends a sentence; -1 when none does.
int sentenceEndIn(const Line& line, std::size_t from) {
  for (std::size_t i = from; i < line.words.size(); ++i)
    if (wordEndsSentence(line.words[i].text)) return static_cast<int>(i);
  return -1;
}

Block assembleBlock(std::vector<LineRead>& reads) {
  Block block;
  block.kind = BlockKind::kText;
  std::map<std::string, std::size_t> lang_chars;
  double conf_sum = 0;
  int conf_n = 0;
  for (LineRead& r : reads) {
    r.line.box = unionOfWords(r.line.words);
    for (const Word& w : r.line.words) {
      lang_chars[w.lang] += w.text.size();
      conf_sum += w.confidence;
      ++conf_n;
    }
    block.lines.push_back(std::move(r.line));
  }
  std::vector<Word> all;
  for (const Line& l : block.lines) all.push_back(Word{"", l.box, 0, ""});
  block.box = unionOfWords(all);
  block.confidence = conf_n ? static_cast<float>(conf_sum / conf_n) : 0.0f;
  std::string tess_lang;
  std::size_t best = 0;
  for (const auto& [lang, chars] : lang_chars) {
    if (!lang.empty() && chars > best) {
      best = chars;
      tess_lang = lang;
    }
  }
  // The block's language comes from its text (stop words, accents), the model that read most
  // of it breaking ties; words take the block's language unless another model read an accented
  // word (a French name in an English sentence).
  block.lang = guessLanguage(block.text(), tess_lang);
  for (Line& line : block.lines) {
    for (Word& w : line.words) {
      const bool accented =
          std::any_of(w.text.begin(), w.text.end(), [](char c) { return c & 0x80; });
      if (!(accented && !w.lang.empty() && w.lang != block.lang)) w.lang = block.lang;
    }
  }
  if (block.lang == "en") readPronounI(block);
  if (block.lang == "fr") readPronounIl(block);
  return block;
}

Result<std::vector<std::vector<LineRead>>> TesseractEngine::readInItsLanguage(
    const std::function<Result<std::vector<std::vector<LineRead>>>(int)>& read) {
  const int model = preferred_;
  auto paras = read(model);
  if (!paras.ok() || paras->empty() || apis_.size() < 2) return paras;
  auto flat = [](const std::vector<std::vector<LineRead>>& ps) {
    std::vector<LineRead> all;
    for (const auto& p : ps) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  std::size_t words = 0;
  const std::vector<LineRead> all = flat(*paras);
  const double score = scoreOf(all, &words);
  const int said =
      static_cast<int>(words) >= kWordsToDecide ? modelOf(guessLanguage(textOf(all), "")) : -1;
  if (said >= 0 && said != model) {
    // The words name their language: read again with that model, kept unless much less sure.
    auto again = read(said);
    if (!again.ok()) return again;
    if (!again->empty() && scoreOf(flat(*again)) >= score - kSwitchMargin) paras = std::move(again);
  } else if (said < 0 && score < kDoubtConfidence) {
    // Too short to tell, and poorly read: the other models may read it better.
    for (int o = 0; o < static_cast<int>(apis_.size()); ++o) {
      if (o == model) continue;
      auto other = read(o);
      if (!other.ok()) return other;
      if (!other->empty() && scoreOf(flat(*other)) > scoreOf(flat(*paras)))
        paras = std::move(other);
    }
  }
  if (said >= 0) preferred_ = said;
  return paras;
}

// Median of some heights (0 when there are none).
float medianOf(std::vector<float> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// `items` put in `order` (a permutation of their indices).
template <typename T>
void reorder(std::vector<T>& items, const std::vector<std::size_t>& order) {
  std::vector<T> out;
  out.reserve(items.size());
  for (std::size_t i : order) out.push_back(std::move(items[i]));
  items = std::move(out);
}

void debugParts(const std::vector<PagePart>& parts, int headline) {
  if (!std::getenv("LISEUR_LAYOUT_DEBUG")) return;
  for (std::size_t i = 0; i < parts.size(); ++i)
    std::fprintf(stderr, "part %zu: %d,%d %dx%d, print %.0f, %zu chars, %zu lines%s\n", i,
                 parts[i].box.x, parts[i].box.y, parts[i].box.w, parts[i].box.h, parts[i].print,
                 parts[i].chars, parts[i].lines, int(i) == headline ? " (headline)" : "");
}

// The page's headline and what sets it off first (headlineFirst), among paragraphs read: their
// print is their words' median height (a drop capital makes its line tall, not its words).
void moveHeadlineFirst(std::vector<std::vector<LineRead>>& paras) {
  std::vector<PagePart> parts;
  for (const auto& p : paras) {
    std::vector<float> heights;
    PagePart part;
    part.box = boxOfReads(p);
    part.lines = p.size();
    for (const LineRead& r : p) {
      for (const Word& w : r.line.words) heights.push_back(static_cast<float>(w.box.h));
      part.chars += r.chars;
    }
    part.print = medianOf(std::move(heights));
    parts.push_back(part);
  }
  int headline = -1;
  const std::vector<std::size_t> order = headlineFirst(parts, &headline);
  debugParts(parts, headline);
  reorder(paras, order);
}

// The blocks of the layout analysis as parts of the page, before they are read: their print is
// their lines' median height, their size in characters their lines' length over that height.
std::vector<PagePart> partsOf(const std::vector<PageBlock>& blocks) {
  std::vector<PagePart> parts;
  for (const PageBlock& b : blocks) {
    std::vector<float> heights;
    long length = 0;
    for (const Box& l : b.lines) {
      heights.push_back(static_cast<float>(l.h));
      length += l.w;
    }
    PagePart part;
    part.box = b.box;
    part.lines = b.lines.size();
    part.print = medianOf(std::move(heights));
    part.chars = part.print > 0 ? static_cast<std::size_t>(length / part.print) : 0;
    parts.push_back(part);
  }
  return parts;
}

Status TesseractEngine::recogniseWholePage(const preprocess::PageLayout& page,
                                           const RecogniseCallbacks& callbacks,
                                           const std::atomic<bool>& cancelled) {
  int index = 0;
  auto paras = readInItsLanguage([&](int m) { return readPage(page, m, cancelled); });
  if (!paras.ok()) return Status::fail(paras.error().code, paras.error().message);
  moveHeadlineFirst(*paras);
  for (auto& reads : *paras) {
    Block block = assembleBlock(reads);
    block.index = index++;
    if (callbacks.on_block) callbacks.on_block(std::move(block));
  }
  return okStatus();
}

// The blocks of a page of paper, read ahead by the second reader while this thread reads the
// block before (a page's blocks are read whole, one Tesseract call each, in reading order, each
// with the language the blocks before it chose). The second reader guesses that language (the
// one the last block of this page was read with: pages rarely change language; nothing is read
// ahead before the first block is read) and reads the next blocks
// nobody has read with it, at most kLookahead ahead of this thread; this thread takes a reading
// made ahead only when it is of the block and model it needs, so the page reads exactly as with
// one reader. While the second reader is on the block this thread needs, this thread reads the
// next one itself rather than wait.
class TesseractEngine::PageAhead {
 public:
  using Paras = std::vector<std::vector<LineRead>>;
  static constexpr std::size_t kLookahead = 3;

  PageAhead(TesseractEngine& engine, const preprocess::PageLayout& page,
            const std::vector<PageBlock>& blocks, std::optional<std::size_t> skip, int model,
            const std::atomic<bool>& cancelled)
      : engine_(engine),
        page_(page),
        blocks_(blocks),
        skip_(skip),
        model_(model),
        cancelled_(cancelled),
        thread_([this] { run(); }) {}

  ~PageAhead() {
    {
      std::lock_guard lock(mu_);
      halt_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Block `i` read with model `m` (what readBlock would return), by whichever reader read it.
  // Exceptions of either reader (bad_alloc) come out here.
  Result<Paras> read(std::size_t i, int m) {
    std::unique_lock lock(mu_);
    at_ = i;
    cv_.notify_all();
    for (;;) {
      if (failed_) std::rethrow_exception(failed_);
      auto it = done_.find({i, m});
      if (it == done_.end()) {
        done_[{i, m}];  // taken: the second reader leaves it
        lock.unlock();
        auto r = engine_.readBlock(engine_.apis_, page_, blocks_[i], m, cancelled_);
        lock.lock();
        done_.erase({i, m});
        return r;
      }
      if (it->second) {
        Result<Paras> r = std::move(*it->second);
        done_.erase(it);
        return r;
      }
      // The second reader is reading it: read the next block meanwhile.
      if (const auto j = untaken(i + 1)) {
        readAhead(engine_.apis_, *j, lock);
        continue;
      }
      cv_.wait(lock);
    }
  }

  // The model the last block was read with: the guess for the next ones.
  void guess(int model) {
    {
      std::lock_guard lock(mu_);
      model_ = model;
      guessed_ = true;
    }
    cv_.notify_all();
  }

 private:
  // The first block from `from` on (within the lookahead) not read nor being read with the
  // guessed model; with mu_ held.
  std::optional<std::size_t> untaken(std::size_t from) const {
    if (!guessed_) return std::nullopt;
    for (std::size_t j = from; j < blocks_.size() && j <= at_ + kLookahead; ++j) {
      if (skip_ && j == *skip_) continue;
      if (!done_.count({j, model_})) return j;
    }
    return std::nullopt;
  }

  // Reads block `j` with the guessed model and `apis`, unlocked meanwhile (marked taken so that
  // the other reader leaves it), and keeps the reading; called and returns with `lock` held.
  void readAhead(Models& apis, std::size_t j, std::unique_lock<std::mutex>& lock) {
    const int m = model_;
    done_[{j, m}];
    lock.unlock();
    auto r = engine_.readBlock(apis, page_, blocks_[j], m, cancelled_);
    lock.lock();
    done_[{j, m}] = std::move(r);
    cv_.notify_all();
  }

  void run() {
    lowerThisThreadsPriority();
    try {
      std::unique_lock lock(mu_);
      for (;;) {
        std::optional<std::size_t> j;
        cv_.wait(lock, [&] { return halt_ || (j = untaken(at_ + 1)).has_value(); });
        if (halt_) return;
        readAhead(engine_.helper_apis_, *j, lock);
        ++engine_.second_reads_;
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      failed_ = std::current_exception();
      cv_.notify_all();
    }
  }

  TesseractEngine& engine_;
  const preprocess::PageLayout& page_;
  const std::vector<PageBlock>& blocks_;
  const std::optional<std::size_t> skip_;  // the headline, read before
  std::mutex mu_;
  std::condition_variable cv_;
  int model_;           // guarded by mu_
  std::size_t at_ = 0;  // guarded by mu_: the block this thread is on
  bool halt_ = false;   // guarded by mu_
  // guarded by mu_: true once a block has been read here; until then the language is not
  // guessed (the first block of a page tells it; the image before may have been in another).
  bool guessed_ = false;
  std::exception_ptr failed_;  // guarded by mu_
  // Readings by (block, model): empty while being read; taken out when used.
  std::map<std::pair<std::size_t, int>, std::optional<Result<Paras>>> done_;  // guarded by mu_
  const std::atomic<bool>& cancelled_;
  std::thread thread_;  // last: started once the rest is set up
};

Status TesseractEngine::recogniseParagraphs(const preprocess::PageLayout& page,
                                            const RecogniseCallbacks& callbacks,
                                            const std::atomic<bool>& cancelled) {
  int index = 0;
  auto emit = [&](std::vector<LineRead>& reads) {
    for (LineRead& r : reads)
      for (Word& w : r.line.words) w.box = page.toSource(w.box);
    Block block = assembleBlock(reads);
    block.index = index++;
    if (callbacks.on_block) callbacks.on_block(std::move(block));
  };
  auto blocks = findBlocks(page, preferred_);
  if (!blocks.ok()) return Status::fail(blocks.error().code, blocks.error().message);
  if (std::getenv("LISEUR_LAYOUT_DEBUG")) {
    for (const PageBlock& pb : *blocks)
      std::fprintf(stderr, "block %d,%d %dx%d, %zu lines\n", pb.box.x, pb.box.y, pb.box.w, pb.box.h,
                   pb.lines.size());
  }
  // Blocks whose lines cross each other's (curved lines, a page Tesseract cut in pieces) cannot
  // be read apart: the page is read whole, its blocks sent when it is done.
  if (tangled(*blocks)) {
    // Lines crossing each other may be a page on its side: asked before anything is read.
    if (const int t = settleOrientation(); t != 0) {
      turned_ = t;
      return okStatus();
    }
    return recogniseWholePage(page, callbacks, cancelled);
  }
  addUnclaimedPrint(page, *blocks);
  // The first print read settles the orientation analyseDocument deferred: read sure, the page is
  // upright (print on its side or upside down reads as doubtful fragments); read doubtful, OSD
  // says, and a page that must turn is read again (nothing was sent yet).
  auto upright = [&](const std::vector<std::vector<LineRead>>& paras) {
    if (!deferred_osd_) return true;
    std::vector<LineRead> all;
    for (const auto& p : paras) all.insert(all.end(), p.begin(), p.end());
    std::size_t chars = 0;
    for (const LineRead& r : all) chars += r.chars;
    const double score = scoreOf(all);
    if (std::getenv("LISEUR_LAYOUT_DEBUG"))
      std::fprintf(stderr, "orientation probe: %zu chars, score %.1f\n", chars, score);
    if (chars >= kUprightProbeChars && score >= kUprightProbeConfidence) {
      deferred_osd_.reset();
      return true;
    }
    turned_ = settleOrientation();
    return turned_ == 0;
  };
  // The page's headline, when it is not first (a magazine's title at the bottom of the spread),
  // is read first, and goes first with its kicker and byline when it reads as a title: print
  // Tesseract is sure of (a stamp or a picture's texture is large too, and reads as fragments it
  // is unsure of).
  std::optional<std::size_t> preread;  // the block read already, and its reading
  Result<std::vector<std::vector<LineRead>>> headline{std::vector<std::vector<LineRead>>{}};
  {
    const std::vector<PagePart> parts = partsOf(*blocks);
    int h = -1;
    const std::vector<std::size_t> order = headlineFirst(parts, &h);
    debugParts(parts, h);
    if (h > 0) {
      const auto hi = static_cast<std::size_t>(h);
      headline = readInItsLanguage(
          [&](int m) { return readBlock(apis_, page, (*blocks)[hi], m, cancelled); });
      if (!headline.ok()) return Status::fail(headline.error().code, headline.error().message);
      if (!upright(*headline)) return okStatus();
      std::vector<LineRead> all;
      for (const auto& p : *headline) all.insert(all.end(), p.begin(), p.end());
      std::size_t chars = 0;
      for (const LineRead& r : all) chars += r.chars;
      preread = hi;
      if (chars >= kHeadlineMinChars && scoreOf(all) >= kDoubtConfidence) {
        reorder(*blocks, order);
        preread =
            static_cast<std::size_t>(std::find(order.begin(), order.end(), hi) - order.begin());
      }
    }
  }
  // The columns of the last block that ran across a gutter wait for the next block: the end of
  // a column that Tesseract made a block of its own, just below, goes on that column.
  std::vector<std::vector<LineRead>> pending;
  // With a second reader, the next blocks are read ahead (PageAhead), the same text either way.
  std::optional<PageAhead> ahead;
  if (blocks->size() >= 2 && helper_ready_.load(std::memory_order_acquire))
    ahead.emplace(*this, page, *blocks, preread, preferred_, cancelled);
  for (std::size_t bi = 0; bi < blocks->size(); ++bi) {
    const PageBlock& pb = (*blocks)[bi];
    if (cancelled.load()) return Status::fail(ErrorCode::kCancelled, "cancelled");
    auto paras = preread == bi ? std::move(headline) : readInItsLanguage([&](int m) {
      return ahead ? ahead->read(bi, m) : readBlock(apis_, page, pb, m, cancelled);
    });
    if (ahead) ahead->guess(preferred_);
    if (!paras.ok()) return Status::fail(paras.error().code, paras.error().message);
    if (paras->empty()) continue;
    if (!upright(*paras)) return okStatus();
    std::vector<LineRead> lines;
    for (auto& p : *paras) lines.insert(lines.end(), p.begin(), p.end());
    if (!pending.empty()) {
      if (continueColumn(pending, lines)) continue;
      for (auto& col : pending) emit(col);
      pending.clear();
    }
    std::vector<std::vector<LineRead>> split;
    if (splitColumns(lines, split)) {
      pending = std::move(split);
    } else {
      for (auto& p : *paras) emit(p);
    }
  }
  for (auto& col : pending) emit(col);
  // Nothing read at all: a page upside down or on its side may read as nothing but noise.
  if (index == 0) turned_ = settleOrientation();
  deferred_osd_.reset();
  return okStatus();
}

TesseractEngine::BlockStart TesseractEngine::readBlockStart(Models& apis,
                                                            const preprocess::PageLayout& page,
                                                            const preprocess::TextBlock& tb,
                                                            int model,
                                                            const std::atomic<bool>& cancelled) {
  BlockStart out;
  out.model = model;
  auto failed = [](Error e) {
    BlockStart f;
    f.error = std::move(e);
    return f;
  };
  if (apis.size() < 2) return out;  // one model: nothing to decide, every line is the rest
  // The block is read with `model` until its own words name its language; lines read before
  // that with another model are read again with the block's.
  std::vector<preprocess::LineImage> images;
  for (std::size_t li = 0; li < tb.lines.size(); ++li) {
    out.next_line = li + 1;
    if (cancelled.load()) return failed(Error{ErrorCode::kCancelled, "cancelled"});
    preprocess::LineImage img =
        preprocess::lineImage(page, tb.lines[li], kTargetCharHeight, kLineHeightChars);
    if (!img.pix) continue;
    auto read = readBest(apis, page, img, out.model, kSureConfidence, cancelled);
    if (!read.ok()) return failed(read.error());
    if (read->line.words.empty()) continue;
    out.read.words += read->line.words.size();
    out.model = read->model;  // like Tesseract: the last model that won goes first
    images.push_back(std::move(img));
    out.read.reads.push_back(std::move(*read));
    if (static_cast<int>(out.read.words) < kWordsToDecide) continue;
    const int said = modelOf(guessLanguage(textOf(out.read.reads), ""));
    if (said < 0) continue;
    out.model = said;
    out.read.decided = said;
    for (std::size_t i = 0; i < out.read.reads.size(); ++i) {
      if (out.read.reads[i].model == said) continue;
      auto again = readLine(apis, page, images[i], said, cancelled);
      if (!again.ok()) return failed(again.error());
      if (again->score >= out.read.reads[i].score - kSwitchMargin)
        out.read.reads[i] = std::move(*again);
    }
    return out;  // decided: the lines after it are the rest
  }
  out.next_line = tb.lines.size();  // never decided: all read here
  return out;
}

Result<std::optional<LineRead>> TesseractEngine::readRestLine(Models& apis,
                                                              const preprocess::PageLayout& page,
                                                              const preprocess::TextLine& line,
                                                              int model,
                                                              const std::atomic<bool>& cancelled) {
  using R = Result<std::optional<LineRead>>;
  if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
  preprocess::LineImage img =
      preprocess::lineImage(page, line, kTargetCharHeight, kLineHeightChars);
  if (!img.pix) return R(std::nullopt);
  auto read = readBest(apis, page, img, model, kDoubtConfidence, cancelled);
  if (!read.ok()) return R(read.error());
  if (read->line.words.empty()) return R(std::nullopt);
  return R(std::optional<LineRead>(std::move(*read)));
}

// The blocks of one screen being read by one or two readers. The work is cut in tasks: a block's
// start (readBlockStart: its first lines, one after the other, until they name the block's
// language) and then each of its other lines alone (readRestLine, with the block's model). The
// starts run one after the other, in reading order, each with the model the starts before it
// chose (the last block that named its language, or the words of the short blocks before it
// together): exactly the one-reader reading, so the text is the same with one reader or two,
// whichever reader does a task. A block's other lines are what two readers share: a reader takes
// the next start when there is one (so one reader runs ahead through the starts while the other
// reads lines), else the earliest line in reading order.
class TesseractEngine::ScreenWork {
 public:
  ScreenWork(TesseractEngine& engine, const preprocess::PageLayout& page,
             const std::vector<const preprocess::TextBlock*>& blocks, int model,
             const std::atomic<bool>& cancelled)
      : engine_(engine),
        page_(page),
        blocks_(blocks),
        model_(model),
        cancelled_(cancelled),
        states_(blocks.size()) {
    if (!blocks.empty()) start_ = 0;
  }

  // The model the next image starts with, once every block is read.
  int model() {
    std::lock_guard lock(mu_);
    return model_;
  }

  // Does the earliest task left with `apis`; false when there is none to take now (`wait`:
  // none will ever come). Tasks end in their block's state (an error too); exceptions
  // (bad_alloc) go to the caller.
  bool runOne(Models& apis, bool wait = false) {
    std::pair<std::size_t, long> task;
    {
      std::unique_lock lock(mu_);
      if (wait) cv_.wait(lock, [&] { return queued() || halt_ || no_more_starts_; });
      if (!queued() || halt_) return false;
      if (start_) {
        task = {*start_, -1};
        start_.reset();
      } else {
        task = *lines_.begin();
        lines_.erase(lines_.begin());
      }
    }
    const std::size_t b = task.first;
    const preprocess::TextBlock& tb = *blocks_[b];
    if (task.second < 0) {
      int model;
      {
        std::lock_guard lock(mu_);
        model = model_;
      }
      BlockStart started = engine_.readBlockStart(apis, page_, tb, model, cancelled_);
      std::lock_guard lock(mu_);
      State& s = states_[b];
      if (started.error) {
        s.error = std::move(started.error);
        s.pending = 0;
        no_more_starts_ = true;
      } else {
        if (engine_.apis_.size() > 1) {
          if (started.read.decided >= 0) {
            model_ = started.read.decided;  // like Tesseract: the last model that won goes first
          } else if (!started.read.reads.empty()) {
            // Short blocks (labels, buttons, form rows) rarely name their language; together
            // they do, and the next blocks start with that model.
            page_text_ += ' ' + textOf(started.read.reads);
            page_words_ += started.read.words;
            if (static_cast<int>(page_words_) >= kWordsToDecide) {
              if (const int said = engine_.modelOf(guessLanguage(page_text_, "")); said >= 0)
                model_ = said;
            }
          }
        }
        if (b + 1 < blocks_.size()) {
          start_ = b + 1;
        } else {
          no_more_starts_ = true;
        }
        s.pending = static_cast<long>(tb.lines.size() - started.next_line);
        s.rest.resize(tb.lines.size() - started.next_line);
        s.done.assign(s.rest.size(), 0);
        s.first_rest = started.next_line;
        s.model = started.model;
        s.read = std::move(started.read);
        for (std::size_t li = started.next_line; li < tb.lines.size(); ++li)
          lines_.insert({b, static_cast<long>(li)});
      }
    } else {
      const auto li = static_cast<std::size_t>(task.second);
      int model;
      {
        std::lock_guard lock(mu_);
        model = states_[b].model;
      }
      auto line = engine_.readRestLine(apis, page_, tb.lines[li], model, cancelled_);
      std::lock_guard lock(mu_);
      State& s = states_[b];
      if (!line.ok()) {
        if (!s.error) s.error = line.error();
      } else {
        s.rest[li - s.first_rest] = std::move(*line);
      }
      s.done[li - s.first_rest] = 1;
      --s.pending;
    }
    cv_.notify_all();
    return true;
  }

  // Block `b`, once complete: its start's reads then its other lines in order. Waits while
  // another reader finishes one of its tasks.
  Result<ScreenBlockRead> take(std::size_t b) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return states_[b].pending == 0 || failed_; });
    if (failed_) std::rethrow_exception(failed_);
    State& s = states_[b];
    if (s.error) return Result<ScreenBlockRead>(*s.error);
    // The start's reads then the other lines, less what takeUpTo gave: the lines before
    // `taken`, the first `taken_words` words of that one.
    ScreenBlockRead out = std::move(s.read);
    std::vector<LineRead> starts = std::move(out.reads);
    out.reads.clear();
    out.words = 0;
    auto keep = [&](LineRead&& r, std::size_t i) {
      if (i < s.taken) return;
      if (i == s.taken && s.taken_words > 0) {
        auto& words = r.line.words;
        words.erase(words.begin(),
                    words.begin() + static_cast<long>(std::min(s.taken_words, words.size())));
        if (words.empty()) return;
      }
      out.words += r.line.words.size();
      out.reads.push_back(std::move(r));
    };
    for (std::size_t i = 0; i < starts.size(); ++i) keep(std::move(starts[i]), i);
    for (std::size_t i = 0; i < s.rest.size(); ++i)
      if (s.rest[i]) keep(std::move(*s.rest[i]), starts.size() + i);
    return out;
  }

  // The words of block `b` not given yet, when they are read up to one that ends a sentence
  // (`end(line, from)`: the first such word of the line from word `from`, or -1), as lines (the
  // last one maybe cut after that word): given once, in order, and left out of take(). Empty
  // when no sentence ends yet. What it gives depends on the text only, never on which reader
  // was faster.
  std::vector<LineRead> takeUpTo(std::size_t b,
                                 const std::function<int(const Line&, std::size_t)>& end) {
    std::lock_guard lock(mu_);
    State& s = states_[b];
    if (s.pending < 0 || s.error || failed_) return {};
    const std::size_t starts = s.read.reads.size();
    auto ready = [&](std::size_t i) { return i < starts || s.done[i - starts]; };
    auto readAt = [&](std::size_t i) -> const LineRead* {
      if (i < starts) return &s.read.reads[i];
      return s.rest[i - starts] ? &*s.rest[i - starts] : nullptr;
    };
    std::size_t last = 0;
    int word = -1;
    for (std::size_t i = s.taken; i < starts + s.rest.size() && ready(i) && word < 0; ++i)
      if (const LineRead* r = readAt(i)) {
        word = end(r->line, i == s.taken ? s.taken_words : 0);
        last = i;
      }
    if (word < 0) return {};
    std::vector<LineRead> out;
    for (std::size_t i = s.taken; i <= last; ++i) {
      const LineRead* r = readAt(i);
      if (!r) continue;
      LineRead part = *r;
      auto& words = part.line.words;
      if (i == last) words.resize(std::min<std::size_t>(words.size(), word + 1));
      if (i == s.taken)
        words.erase(words.begin(),
                    words.begin() + static_cast<long>(std::min(s.taken_words, words.size())));
      if (!words.empty()) out.push_back(std::move(part));
    }
    if (static_cast<std::size_t>(word) + 1 >= readAt(last)->line.words.size()) {
      s.taken = last + 1;
      s.taken_words = 0;
    } else {
      s.taken = last;
      s.taken_words = static_cast<std::size_t>(word) + 1;
    }
    return out;
  }

  bool complete(std::size_t b) {
    std::lock_guard lock(mu_);
    return states_[b].pending == 0 || failed_;
  }

  // Waits until block `b` is complete or there is a task to take.
  void waitForWork(std::size_t b) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return states_[b].pending == 0 || failed_ || queued(); });
  }

  // The second reader's loop: tasks until none is left or halt().
  void serve(Models& apis) {
    try {
      while (runOne(apis, true)) ++engine_.second_reads_;
    } catch (...) {
      std::lock_guard lock(mu_);
      failed_ = std::current_exception();
    }
    cv_.notify_all();
  }

  void halt() {
    {
      std::lock_guard lock(mu_);
      halt_ = true;
    }
    cv_.notify_all();
  }

 private:
  struct State {
    ScreenBlockRead read;                       // the start's reads
    std::vector<std::optional<LineRead>> rest;  // the other lines, by line from first_rest
    std::vector<char> done;                     // which of `rest` are read (an empty one too)
    // What takeUpTo gave: the lines (the start's reads, then `rest`) before `taken`, and the
    // first `taken_words` words of that one.
    std::size_t taken = 0, taken_words = 0;
    std::size_t first_rest = 0;
    int model = -1;
    long pending = -1;  // tasks not done; -1 until the start is read
    std::optional<Error> error;
  };

  TesseractEngine& engine_;
  const preprocess::PageLayout& page_;
  const std::vector<const preprocess::TextBlock*>& blocks_;
  int model_;                   // guarded by mu_: the model the next block's start reads with
  std::string page_text_;       // guarded by mu_: the words of the blocks that named no language
  std::size_t page_words_ = 0;  // guarded by mu_
  const std::atomic<bool>& cancelled_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool queued() const { return start_ || !lines_.empty(); }  // with mu_ held

  // Tasks to take (guarded by mu_): the next block's start, taken first (it is what the next
  // blocks wait for), else the earliest line in reading order.
  std::optional<std::size_t> start_;
  std::set<std::pair<std::size_t, long>> lines_;
  std::vector<State> states_;    // guarded by mu_
  std::exception_ptr failed_;    // guarded by mu_: the second reader threw
  bool halt_ = false;            // guarded by mu_
  bool no_more_starts_ = false;  // guarded by mu_: the last start is done (or one failed)
};

// "Read under the pointer" on a block of several paragraphs: the lines of the paragraph under
// the point (x, y) of the source image, or the nearest one, as a block of their own; an empty
// block when `block` is one paragraph. Paragraphs are told apart by the space between lines: a gap
// well above the block's usual one (half a line more) starts a new paragraph.
preprocess::TextBlock paragraphAround(const preprocess::PageLayout& page,
                                      const preprocess::TextBlock& block, int x, int y) {
  const auto& lines = block.lines;
  if (lines.size() < 3) return {};
  std::vector<Box> src;
  for (const auto& l : lines) src.push_back(page.toSource(l.box));
  std::vector<int> gaps, heights;
  for (std::size_t i = 0; i + 1 < src.size(); ++i)
    gaps.push_back(src[i + 1].y - (src[i].y + src[i].h));
  for (const Box& b : src) heights.push_back(b.h);
  auto median = [](std::vector<int> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const int gap = median(gaps), height = median(heights);
  auto breaks = [&](std::size_t i) {  // between line i and i + 1
    return gaps[i] > gap + std::max(2, height / 2);
  };
  std::size_t at = 0;
  long best = -1;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const Box& b = src[i];
    const long dx = std::max({0L, long(b.x) - x, long(x) - (b.x + b.w)});
    const long dy = std::max({0L, long(b.y) - y, long(y) - (b.y + b.h)});
    const long d = dy * dy * 4 + dx * dx;  // rows first: the line the point is level with
    if (best < 0 || d < best) best = d, at = i;
  }
  std::size_t first = at, last = at;
  while (first > 0 && !breaks(first - 1)) --first;
  while (last + 1 < lines.size() && !breaks(last)) ++last;
  if (first == 0 && last + 1 == lines.size()) return {};
  preprocess::TextBlock out;
  out.prose = block.prose;
  out.lines.assign(lines.begin() + first, lines.begin() + last + 1);
  int x0 = out.lines[0].box.x, y0 = out.lines[0].box.y, x1 = x0, y1 = y0;
  for (const auto& l : out.lines) {
    x0 = std::min(x0, l.box.x);
    y0 = std::min(y0, l.box.y);
    x1 = std::max(x1, l.box.x + l.box.w);
    y1 = std::max(y1, l.box.y + l.box.h);
  }
  out.box = Box{x0, y0, x1 - x0, y1 - y0};
  return out;
}

Result<RecogniseTimings> TesseractEngine::recognise(Pix* image, RecogniseMode mode,
                                                    const RecogniseCallbacks& callbacks,
                                                    const std::atomic<bool>& cancelled) {
  using R = Result<RecogniseTimings>;
  RecogniseTimings timings;
  if (!image) return R::fail(ErrorCode::kInvalidArgument, "no image");
  const int src_w = pixGetWidth(image), src_h = pixGetHeight(image);
  auto t0 = std::chrono::steady_clock::now();
  PixPtr grey = preprocess::toGrey8(image);
  if (!grey) return R::fail(ErrorCode::kOcrFailed, "could not convert the image to grey");
  timings.preprocess_ms = msSince(t0);
  if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");

  auto t1 = std::chrono::steady_clock::now();
  preprocess::PageLayout page;
  const preprocess::ImageTraits traits =
      mode == RecogniseMode::kAuto ? preprocess::classifyImage(image) : preprocess::ImageTraits{};
  const bool document = traits.kind == preprocess::ImageKind::kDocument;
  if (document) {
    auto analysed = analyseDocument(image, cancelled);
    if (!analysed.ok()) return R(analysed.error());
    page = std::move(*analysed);
  } else {
    preprocess::LayoutOptions options;
    options.single_block = mode != RecogniseMode::kAuto && mode != RecogniseMode::kScreen;
    options.char_height = traits.char_height;  // measured once, by classifyImage
    page = preprocess::analyseLayout(grey.get(), options);
  }
  timings.layout_ms = msSince(t1);
  if (callbacks.on_layout) callbacks.on_layout(src_w, src_h, static_cast<int>(page.blocks.size()));

  auto t2 = std::chrono::steady_clock::now();
  second_reads_ = 0;
  if (document) {
    turned_ = 0;
    orientation_asked_ = false;
    Status st = recogniseParagraphs(page, callbacks, cancelled);
    if (st.ok() && turned_ != 0) {
      // Not upright after all (settleOrientation): read again, turned; nothing was sent.
      auto turned = analyseDocument(image, cancelled, turned_);
      turned_ = 0;
      if (!turned.ok()) return R(turned.error());
      st = recogniseParagraphs(*turned, callbacks, cancelled);
    }
    for (auto& api : apis_) api->Clear();
    if (!st.ok()) return R::fail(st.error().code, st.error().message);
    timings.recognise_ms = msSince(t2);
    timings.second_reader_reads = second_reads_.load();
    timings.orientation_asked = orientation_asked_;
    return timings;
  }
  // Under the pointer: the block that holds the point (8 px of slack), else the nearest one.
  std::vector<const preprocess::TextBlock*> todo;
  preprocess::TextBlock focus_paragraph;
  if (callbacks.focus_x >= 0 && callbacks.focus_y >= 0 && !page.blocks.empty()) {
    long best = -1;
    const preprocess::TextBlock* focus = nullptr;
    for (const preprocess::TextBlock& tb : page.blocks) {
      const Box b = page.toSource(tb.box);
      const long dx = std::max(
          {0L, long(b.x) - 8 - callbacks.focus_x, long(callbacks.focus_x) - (b.x + b.w + 8)});
      const long dy = std::max(
          {0L, long(b.y) - 8 - callbacks.focus_y, long(callbacks.focus_y) - (b.y + b.h + 8)});
      const long d = dx * dx + dy * dy;
      if (best < 0 || d < best) best = d, focus = &tb;
    }
    // A block of several paragraphs (a screen's text column is one block): only the paragraph
    // under the pointer, from its first line.
    focus_paragraph = paragraphAround(page, *focus, callbacks.focus_x, callbacks.focus_y);
    todo.push_back(focus_paragraph.lines.empty() ? focus : &focus_paragraph);
  } else {
    for (const preprocess::TextBlock& tb : page.blocks) todo.push_back(&tb);
  }
  int index = 0;
  ScreenWork work(*this, page, todo, preferred_, cancelled);
  // The second reader, when it is loaded and there is more than one line to read, takes tasks
  // alongside this thread; however this thread leaves (an error, an exception), it stops after
  // its task and is joined first.
  // This thread takes the first block's start before the second reader is started, so the
  // first words are never left to the reader that yields the CPU.
  std::size_t lines = 0;
  for (const preprocess::TextBlock* tb : todo) lines += tb->lines.size();
  const bool first = work.runOne(apis_);
  std::optional<std::thread> helper;
  if (first && lines >= 2 && helper_ready_.load(std::memory_order_acquire)) {
    helper.emplace([&] {
      lowerThisThreadsPriority();
      work.serve(helper_apis_);
    });
  }
  struct Joiner {
    ScreenWork& work;
    std::optional<std::thread>& t;
    ~Joiner() {
      work.halt();
      if (t) t->join();
    }
  } joiner{work, helper};
  // Blocks are sent in reading order, from this thread only, as soon as all those before them
  // are; between sends this thread reads. Under the pointer, the paragraph is sent a sentence at
  // a time: its first lines as soon as they end a sentence, so speech starts after one or two
  // lines, not the whole paragraph (each part a block: utterances never span parts, and a part
  // never ends inside a sentence).
  const bool bySentence = callbacks.focus_x >= 0 && callbacks.focus_y >= 0;
  auto send = [&](std::vector<LineRead>& reads) {
    if (reads.empty()) return;
    Block block = assembleBlock(reads);
    block.index = index++;
    if (bySentence && callbacks.on_focus_block)
      callbacks.on_focus_block(std::move(block));
    else if (callbacks.on_block)
      callbacks.on_block(std::move(block));
  };
  // The sentences of block e read so far, each sent as a part.
  auto sendSentences = [&](std::size_t e) {
    for (auto part = work.takeUpTo(e, sentenceEndIn); !part.empty();
         part = work.takeUpTo(e, sentenceEndIn)) {
      if (cancelled.load()) return false;
      send(part);
    }
    return true;
  };
  for (std::size_t e = 0; e < todo.size(); ++e) {
    while (!work.complete(e)) {
      if (bySentence && !sendSentences(e)) return R::fail(ErrorCode::kCancelled, "cancelled");
      if (!work.runOne(apis_)) work.waitForWork(e);
    }
    if (bySentence && !sendSentences(e)) return R::fail(ErrorCode::kCancelled, "cancelled");
    auto read = work.take(e);
    if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
    if (!read.ok()) return R(read.error());
    send(read->reads);
  }
  preferred_ = work.model();
  timings.recognise_ms = msSince(t2);
  timings.second_reader_reads = second_reads_.load();
  for (auto& api : apis_) api->Clear();
  return timings;
}

}  // namespace

Result<std::unique_ptr<OcrEngine>> OcrEngine::create(const std::string& languages, int readers) {
  using R = Result<std::unique_ptr<OcrEngine>>;
  const std::vector<std::string> models = splitLanguages(languages);
  if (models.empty()) return R::fail(ErrorCode::kInvalidArgument, "no OCR language given");
  std::string datapath = kDebianTessdata;
  if (const char* env = std::getenv("TESSDATA_PREFIX"); env && *env) datapath = env;
  for (const std::string& model : models) {
    if (model.find('/') != std::string::npos || model.find("..") != std::string::npos) {
      return R::fail(ErrorCode::kInvalidArgument, "bad OCR language name '" + model + "'");
    }
    const std::filesystem::path file = std::filesystem::path(datapath) / (model + ".traineddata");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return R::fail(ErrorCode::kOcrLanguageMissing,
                     "OCR model " + file.string() + " is missing: install the Debian package " +
                         debianPackage(model));
    }
  }
  auto engine = std::make_unique<TesseractEngine>(models);
  if (auto st = engine->init(datapath); !st.ok()) return R(st.error());
  if (readers >= 2) engine->startSecondReader();
  return R(std::unique_ptr<OcrEngine>(std::move(engine)));
}

}  // namespace liseur::ocr
