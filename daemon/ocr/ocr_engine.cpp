// The Tesseract engine behind OcrEngine.
//
// Flow of one recognise(): the image becomes 8-bit grey; preprocess/TextLayout finds its text
// lines (either polarity), copies them dark-on-white into a clean ink image and orders them in
// blocks; then each line is cut out, scaled to the character height the LSTM reads well and
// recognised alone (PSM_SINGLE_LINE), and each block goes to on_block as soon as its lines are
// done, so the first block can be spoken while the others are still being recognised. Tesseract's
// own layout analysis is not used: on screens it reads forms as columns and loses light text on
// coloured buttons (see text_layout.h). Every pixel is recognised once.
#include "ocr/ocr_engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "document/lang_guess.h"
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
std::string isoLanguage(const char* tess) {
  static const std::map<std::string, std::string> kMap = {
      {"eng", "en"}, {"fra", "fr"}, {"deu", "de"}, {"spa", "es"}, {"ita", "it"},
      {"por", "pt"}, {"nld", "nl"}, {"cat", "ca"}, {"oci", "oc"}, {"bre", "br"}};
  if (!tess) return "";
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

// Character height (median connected-component height, px) the lines are scaled to before
// recognition; measured on the dev corpus with tests/bench/ocr_quality.
constexpr float kTargetCharHeight = 20.0f;

class TesseractEngine final : public OcrEngine {
 public:
  TesseractEngine(std::string languages, std::vector<std::string> models)
      : languages_(std::move(languages)), models_(std::move(models)) {}
  ~TesseractEngine() override { api_.End(); }

  Status init(const std::string& datapath) {
    if (api_.Init(datapath.c_str(), languages_.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
      return Status::fail(ErrorCode::kOcrLanguageMissing, "Tesseract could not load the models '" +
                                                              languages_ + "' from " + datapath);
    }
    return okStatus();
  }

  Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode,
                                     const RecogniseCallbacks& callbacks,
                                     const std::atomic<bool>& cancelled) override;

  std::vector<std::string> languages() const override { return models_; }
  std::string version() const override { return tesseract::TessBaseAPI::Version(); }

 private:
  // Recognises one line image and appends its words (boxes in source coordinates) to `line`.
  Status recogniseLine(const preprocess::PageLayout& page, const preprocess::TextLine& tl,
                       const std::atomic<bool>& cancelled, Line& line);

  tesseract::TessBaseAPI api_;
  std::string languages_;
  std::vector<std::string> models_;
};

Status TesseractEngine::recogniseLine(const preprocess::PageLayout& page,
                                      const preprocess::TextLine& tl,
                                      const std::atomic<bool>& cancelled, Line& line) {
  float scale = 1;
  Box origin;
  int pad = 0;
  PixPtr img = preprocess::lineImage(page, tl, kTargetCharHeight, &scale, &origin, &pad);
  if (!img) return okStatus();
  api_.SetImage(img.get());
  api_.SetSourceResolution(300);
  api_.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = cancelHook;
  monitor.cancel_this = const_cast<std::atomic<bool>*>(&cancelled);
  const int rc = api_.Recognize(&monitor);
  if (cancelled.load()) return Status::fail(ErrorCode::kCancelled, "cancelled");
  if (rc != 0) {
    return Status::fail(ErrorCode::kOcrFailed, "Tesseract failed on a text line of " +
                                                   std::to_string(origin.w) + "x" +
                                                   std::to_string(origin.h) + " px");
  }
  std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
  if (!it) return okStatus();
  auto toWork = [&](int l, int t, int r, int b) {
    const int x0 = origin.x + static_cast<int>(std::floor((l - pad) / scale));
    const int y0 = origin.y + static_cast<int>(std::floor((t - pad) / scale));
    const int x1 = origin.x + static_cast<int>(std::ceil((r - pad) / scale));
    const int y1 = origin.y + static_cast<int>(std::ceil((b - pad) / scale));
    return page.toSource(Box{x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)});
  };
  it->Begin();
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text || text[0] == '\0') continue;
    std::string word_text(text.get());
    if (word_text.find_first_not_of(" \t\n") == std::string::npos) continue;
    Word word;
    word.text = std::move(word_text);
    int l, t, r, b;
    if (it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) word.box = toWork(l, t, r, b);
    word.confidence = std::clamp(it->Confidence(tesseract::RIL_WORD), 0.0f, 100.0f);
    word.lang = isoLanguage(it->WordRecognitionLanguage());
    line.words.push_back(std::move(word));
  } while (it->Next(tesseract::RIL_WORD));
  return okStatus();
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
  preprocess::LayoutOptions options;
  options.single_block = mode != RecogniseMode::kAuto;
  const preprocess::PageLayout page = preprocess::analyseLayout(grey.get(), options);
  timings.layout_ms = msSince(t1);
  if (callbacks.on_layout) callbacks.on_layout(src_w, src_h, static_cast<int>(page.blocks.size()));

  auto t2 = std::chrono::steady_clock::now();
  int index = 0;
  for (const preprocess::TextBlock& tb : page.blocks) {
    if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
    Block block;
    block.kind = BlockKind::kText;
    std::map<std::string, std::size_t> lang_chars;
    double conf_sum = 0;
    int conf_n = 0;
    for (const preprocess::TextLine& tl : tb.lines) {
      Line line;
      if (auto st = recogniseLine(page, tl, cancelled, line); !st.ok()) return R(st.error());
      if (line.words.empty()) continue;
      line.box = unionOfWords(line.words);
      for (const Word& w : line.words) {
        lang_chars[w.lang] += w.text.size();
        conf_sum += w.confidence;
        ++conf_n;
      }
      block.lines.push_back(std::move(line));
    }
    if (block.lines.empty()) continue;
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
    // Tesseract tries its first model (eng) first and keeps it whenever the word reads well, so
    // its per-word language says "en" for most French words without accents. The block's
    // language comes from the text (stop words, accents), Tesseract's majority breaking ties;
    // words take the block's language unless Tesseract read an accented word with the other
    // model (a French name in an English sentence).
    block.lang = guessLanguage(block.text(), tess_lang);
    for (Line& line : block.lines) {
      for (Word& w : line.words) {
        const bool accented =
            std::any_of(w.text.begin(), w.text.end(), [](char c) { return c & 0x80; });
        if (!(accented && !w.lang.empty() && w.lang != block.lang)) w.lang = block.lang;
      }
    }
    block.index = index++;
    if (callbacks.on_block) callbacks.on_block(std::move(block));
  }
  timings.recognise_ms = msSince(t2);
  api_.Clear();
  return timings;
}

}  // namespace

Result<std::unique_ptr<OcrEngine>> OcrEngine::create(const std::string& languages) {
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
  auto engine = std::make_unique<TesseractEngine>(languages, models);
  if (auto st = engine->init(datapath); !st.ok()) return R(st.error());
  return R(std::unique_ptr<OcrEngine>(std::move(engine)));
}

}  // namespace liseur::ocr
