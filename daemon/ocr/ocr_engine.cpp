// The Tesseract engine behind OcrEngine.
//
// Flow of one recognise(): the image becomes 8-bit grey; preprocess/TextLayout finds its text
// lines (either polarity), copies them dark-on-white into a clean ink image and orders them in
// blocks; then each line is cut out, scaled and padded to the height the LSTM reads well, and
// recognised alone as a raw line (PSM_RAW_LINE: Tesseract's own layout analysis is not run, its
// word splitting comes from the LSTM's spaces); each block goes to on_block as soon as its lines
// are done, so the first block can be spoken while the others are still being recognised.
// Tesseract's layout analysis is not used: on screens it reads forms as columns and loses light
// text on coloured buttons (see text_layout.h).
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
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string_view>

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

std::size_t codepoints(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
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

// One line as read by one model.
struct LineRead {
  Line line;
  int model = -1;
  double score = -1;  // mean word confidence weighted by characters; -1 when nothing was read
  std::size_t chars = 0;
};

class TesseractEngine final : public OcrEngine {
 public:
  explicit TesseractEngine(std::vector<std::string> models) : models_(std::move(models)) {}
  ~TesseractEngine() override {
    for (auto& api : apis_) api->End();
  }

  Status init(const std::string& datapath) {
    for (const std::string& model : models_) {
      auto api = std::make_unique<tesseract::TessBaseAPI>();
      if (api->Init(datapath.c_str(), model.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
        return Status::fail(ErrorCode::kOcrLanguageMissing,
                            "Tesseract could not load the model '" + model + "' from " + datapath);
      }
      // Lines reach Tesseract dark on white (preprocess normalises polarity per region): its
      // second LSTM pass on the inverted image of a doubtful line would only cost time.
      api->SetVariable("tessedit_do_invert", "0");
      api->SetVariable("invert_threshold", "0");
      api->SetPageSegMode(tesseract::PSM_RAW_LINE);
      apis_.push_back(std::move(api));
    }
    return okStatus();
  }

  Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode,
                                     const RecogniseCallbacks& callbacks,
                                     const std::atomic<bool>& cancelled) override;

  std::vector<std::string> languages() const override { return models_; }
  std::string version() const override { return tesseract::TessBaseAPI::Version(); }

 private:
  // Reads one line image with model `m`; boxes in source coordinates.
  Result<LineRead> readLine(const preprocess::PageLayout& page, const preprocess::LineImage& img,
                            int m, const std::atomic<bool>& cancelled);
  // Reads the line with model `m` and, when that reads below `retry_below`, with the others;
  // keeps the best reading.
  Result<LineRead> readBest(const preprocess::PageLayout& page, const preprocess::LineImage& img,
                            int m, double retry_below, const std::atomic<bool>& cancelled);
  int modelOf(const std::string& iso) const {
    for (std::size_t i = 0; i < models_.size(); ++i) {
      if (isoLanguage(models_[i]) == iso) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<std::string> models_;
  std::vector<std::unique_ptr<tesseract::TessBaseAPI>> apis_;
  // The model the last block was read with: screens and pages rarely change language, so it is
  // tried first for the next block (and the next image).
  int preferred_ = 0;
};

Result<LineRead> TesseractEngine::readLine(const preprocess::PageLayout& page,
                                           const preprocess::LineImage& img, int m,
                                           const std::atomic<bool>& cancelled) {
  using R = Result<LineRead>;
  tesseract::TessBaseAPI& api = *apis_[m];
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
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text || text[0] == '\0') continue;
    std::string word_text(text.get());
    if (word_text.find_first_not_of(" \t\n") == std::string::npos) continue;
    Word word;
    word.text = std::move(word_text);
    int l, t, r, b;
    if (it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) {
      word.box = page.toSource(img.toWork(l, t, r, b));
    }
    word.confidence = std::clamp(it->Confidence(tesseract::RIL_WORD), 0.0f, 100.0f);
    word.lang = iso;
    const std::size_t n = codepoints(word.text);
    weighted += word.confidence * n;
    read.chars += n;
    read.line.words.push_back(std::move(word));
  } while (it->Next(tesseract::RIL_WORD));
  if (read.chars > 0) read.score = weighted / read.chars;
  return read;
}

Result<LineRead> TesseractEngine::readBest(const preprocess::PageLayout& page,
                                           const preprocess::LineImage& img, int m,
                                           double retry_below, const std::atomic<bool>& cancelled) {
  auto best = readLine(page, img, m, cancelled);
  if (!best.ok()) return best;
  if (best->score >= retry_below) return best;
  for (int o = 0; o < static_cast<int>(apis_.size()); ++o) {
    if (o == m) continue;
    auto other = readLine(page, img, o, cancelled);
    if (!other.ok()) return other;
    if (other->score > best->score) best = std::move(other);
  }
  return best;
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
  const bool several = apis_.size() > 1;
  std::string page_text;  // the text of the blocks whose language was not decided
  std::size_t page_words = 0;
  int index = 0;
  for (const preprocess::TextBlock& tb : page.blocks) {
    if (cancelled.load()) return R::fail(ErrorCode::kCancelled, "cancelled");
    // The block is read with the preferred model until its own words name its language; lines
    // read before that with another model are read again with the block's.
    int model = preferred_;
    bool decided = !several;
    std::vector<preprocess::LineImage> images;
    std::vector<LineRead> reads;
    std::size_t words = 0;
    for (const preprocess::TextLine& tl : tb.lines) {
      preprocess::LineImage img =
          preprocess::lineImage(page, tl, kTargetCharHeight, kLineHeightChars);
      if (!img.pix) continue;
      auto read =
          readBest(page, img, model, decided ? kDoubtConfidence : kSureConfidence, cancelled);
      if (!read.ok()) return R(read.error());
      if (read->line.words.empty()) continue;
      words += read->line.words.size();
      if (!decided) model = read->model;  // like Tesseract: the last model that won goes first
      images.push_back(std::move(img));
      reads.push_back(std::move(*read));
      if (decided || static_cast<int>(words) < kWordsToDecide) continue;
      const int said = modelOf(guessLanguage(textOf(reads), ""));
      if (said < 0) continue;
      decided = true;
      model = said;
      for (std::size_t i = 0; i < reads.size(); ++i) {
        if (reads[i].model == said) continue;
        auto again = readLine(page, images[i], said, cancelled);
        if (!again.ok()) return R(again.error());
        if (again->score >= reads[i].score - kSwitchMargin) {
          reads[i] = std::move(*again);
        }
      }
    }
    if (reads.empty()) continue;
    if (several) {
      if (decided) {
        preferred_ = model;
      } else {
        // Short blocks (labels, buttons, form rows) rarely name their language; together they
        // do, and the next blocks start with that model.
        page_text += ' ' + textOf(reads);
        page_words += words;
        if (static_cast<int>(page_words) >= kWordsToDecide) {
          if (const int said = modelOf(guessLanguage(page_text, "")); said >= 0) preferred_ = said;
        }
      }
    }

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
    block.index = index++;
    if (callbacks.on_block) callbacks.on_block(std::move(block));
  }
  timings.recognise_ms = msSince(t2);
  for (auto& api : apis_) api->Clear();
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
  auto engine = std::make_unique<TesseractEngine>(models);
  if (auto st = engine->init(datapath); !st.ok()) return R(st.error());
  return R(std::unique_ptr<OcrEngine>(std::move(engine)));
}

}  // namespace liseur::ocr
