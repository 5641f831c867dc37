// The Tesseract engine behind OcrEngine.
//
// Flow of one recognise(): the image is turned into 8-bit grey with dark text on light and scaled
// so its text has the height the LSTM reads best (preprocess/); the layout is analysed once on
// that image; blocks are put in reading order; then each block is recognised alone
// (SetRectangle + PSM_SINGLE_BLOCK) and handed to on_block at once, so the first block can be
// spoken while the others are still being recognised.
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

#include "preprocess/pix_ptr.h"
#include "preprocess/text_image.h"

namespace liseur::ocr {
namespace {

using preprocess::PixPtr;
using tesseract::PolyBlockType;

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

BlockKind kindOf(PolyBlockType type) {
  switch (type) {
    case tesseract::PT_HEADING_TEXT:
      return BlockKind::kHeading;
    case tesseract::PT_TABLE:
      return BlockKind::kTable;
    case tesseract::PT_CAPTION_TEXT:
      return BlockKind::kCaption;
    case tesseract::PT_FLOWING_TEXT:
    case tesseract::PT_PULLOUT_TEXT:
    case tesseract::PT_VERTICAL_TEXT:
    case tesseract::PT_INLINE_EQUATION:
    case tesseract::PT_EQUATION:
      return BlockKind::kText;
    default:
      return BlockKind::kOther;
  }
}

struct LayoutBlock {
  Box box;  // in the working (preprocessed) image
  BlockKind kind = BlockKind::kText;
};

// Reading order: Tesseract's order already reads columns one after the other; blocks are then
// sorted top to bottom, keeping a left block before a right one when they share rows.
void sortReadingOrder(std::vector<LayoutBlock>& blocks) {
  std::stable_sort(blocks.begin(), blocks.end(), [](const LayoutBlock& a, const LayoutBlock& b) {
    const int overlap = std::min(a.box.y + a.box.h, b.box.y + b.box.h) - std::max(a.box.y, b.box.y);
    const bool same_row = overlap > std::min(a.box.h, b.box.h) / 2;
    if (same_row) return a.box.x < b.box.x;
    return a.box.y < b.box.y;
  });
}

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
    // Screen text has no dictionary words often (labels, paths, shortcuts): keep the LSTM's own
    // reading rather than a dictionary guess, and keep spaces as they are laid out.
    api_.SetVariable("preserve_interword_spaces", "0");
    return okStatus();
  }

  Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode,
                                     const RecogniseCallbacks& callbacks,
                                     const std::atomic<bool>& cancelled) override;

  std::vector<std::string> languages() const override { return models_; }
  std::string version() const override { return tesseract::TessBaseAPI::Version(); }

 private:
  Result<Block> recogniseBlock(const LayoutBlock& lb, float scale, int src_w, int src_h,
                               tesseract::PageSegMode psm, const std::atomic<bool>& cancelled);

  tesseract::TessBaseAPI api_;
  std::string languages_;
  std::vector<std::string> models_;
};

Box toSource(int l, int t, int r, int b, float scale, int src_w, int src_h) {
  Box box;
  box.x = std::clamp(static_cast<int>(std::floor(l / scale)), 0, src_w);
  box.y = std::clamp(static_cast<int>(std::floor(t / scale)), 0, src_h);
  const int x1 = std::clamp(static_cast<int>(std::ceil(r / scale)), 0, src_w);
  const int y1 = std::clamp(static_cast<int>(std::ceil(b / scale)), 0, src_h);
  box.w = std::max(0, x1 - box.x);
  box.h = std::max(0, y1 - box.y);
  return box;
}

Result<Block> TesseractEngine::recogniseBlock(const LayoutBlock& lb, float scale, int src_w,
                                              int src_h, tesseract::PageSegMode psm,
                                              const std::atomic<bool>& cancelled) {
  api_.SetPageSegMode(psm);
  api_.SetRectangle(lb.box.x, lb.box.y, lb.box.w, lb.box.h);
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = cancelHook;
  monitor.cancel_this = const_cast<std::atomic<bool>*>(&cancelled);
  const int rc = api_.Recognize(&monitor);
  if (cancelled.load()) return Result<Block>::fail(ErrorCode::kCancelled, "cancelled");
  if (rc != 0) {
    return Result<Block>::fail(ErrorCode::kOcrFailed, "Tesseract failed to recognise a block of " +
                                                          std::to_string(lb.box.w) + "x" +
                                                          std::to_string(lb.box.h) + " px");
  }
  Block block;
  block.kind = lb.kind;
  std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
  std::map<std::string, std::size_t> lang_chars;
  double conf_sum = 0;
  int conf_n = 0;
  if (it) {
    it->Begin();
    do {
      if (it->Empty(tesseract::RIL_WORD)) continue;
      std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
      if (!text || text[0] == '\0') continue;
      std::string word_text(text.get());
      if (word_text.find_first_not_of(" \t\n") == std::string::npos) continue;
      if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE) || block.lines.empty()) {
        Line line;
        int l, t, r, b;
        if (it->BoundingBox(tesseract::RIL_TEXTLINE, &l, &t, &r, &b))
          line.box = toSource(l, t, r, b, scale, src_w, src_h);
        block.lines.push_back(std::move(line));
      }
      Word word;
      word.text = std::move(word_text);
      int l, t, r, b;
      if (it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b))
        word.box = toSource(l, t, r, b, scale, src_w, src_h);
      word.confidence = std::clamp(it->Confidence(tesseract::RIL_WORD), 0.0f, 100.0f);
      word.lang = isoLanguage(it->WordRecognitionLanguage());
      lang_chars[word.lang] += word.text.size();
      conf_sum += word.confidence;
      ++conf_n;
      block.lines.back().words.push_back(std::move(word));
    } while (it->Next(tesseract::RIL_WORD));
  }
  // Lines that ended up without words (all whitespace) are dropped.
  std::erase_if(block.lines, [](const Line& line) { return line.words.empty(); });
  if (conf_n) block.confidence = static_cast<float>(conf_sum / conf_n);
  std::size_t best = 0;
  for (const auto& [lang, chars] : lang_chars) {
    if (!lang.empty() && chars > best) {
      best = chars;
      block.lang = lang;
    }
  }
  // The block's box is the union of its lines, in source coordinates.
  if (!block.lines.empty()) {
    int x0 = src_w, y0 = src_h, x1 = 0, y1 = 0;
    for (const Line& line : block.lines) {
      for (const Word& w : line.words) {
        x0 = std::min(x0, w.box.x);
        y0 = std::min(y0, w.box.y);
        x1 = std::max(x1, w.box.x + w.box.w);
        y1 = std::max(y1, w.box.y + w.box.h);
      }
    }
    block.box = Box{x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
  } else {
    block.box =
        toSource(lb.box.x, lb.box.y, lb.box.x + lb.box.w, lb.box.y + lb.box.h, scale, src_w, src_h);
  }
  return block;
}

Result<RecogniseTimings> TesseractEngine::recognise(Pix* image, RecogniseMode mode,
                                                    const RecogniseCallbacks& callbacks,
                                                    const std::atomic<bool>& cancelled) {
  RecogniseTimings timings;
  if (!image) return Result<RecogniseTimings>::fail(ErrorCode::kInvalidArgument, "no image");
  const int src_w = pixGetWidth(image), src_h = pixGetHeight(image);
  auto t0 = std::chrono::steady_clock::now();

  PixPtr grey = preprocess::toGrey8(image);
  if (!grey) {
    return Result<RecogniseTimings>::fail(ErrorCode::kOcrFailed,
                                          "could not convert the image to grey");
  }
  PixPtr upright = preprocess::darkTextOnLight(grey.get());
  const float text_h = preprocess::estimateTextHeight(upright.get());
  const float scale = preprocess::chooseScale(text_h, src_w, src_h);
  PixPtr work = preprocess::scaleGrey(upright.get(), scale);
  if (!work) {
    return Result<RecogniseTimings>::fail(ErrorCode::kOcrFailed, "could not scale the image");
  }
  const int work_w = pixGetWidth(work.get()), work_h = pixGetHeight(work.get());
  timings.preprocess_ms = msSince(t0);
  if (cancelled.load()) return Result<RecogniseTimings>::fail(ErrorCode::kCancelled, "cancelled");

  auto t1 = std::chrono::steady_clock::now();
  api_.SetImage(work.get());
  api_.SetSourceResolution(300);
  std::vector<LayoutBlock> blocks;
  tesseract::PageSegMode block_psm = tesseract::PSM_SINGLE_BLOCK;
  if (mode == RecogniseMode::kAuto) {
    api_.SetPageSegMode(tesseract::PSM_AUTO);
    std::unique_ptr<tesseract::PageIterator> pit(api_.AnalyseLayout());
    if (pit) {
      pit->Begin();
      do {
        int l, t, r, b;
        if (!pit->BoundingBox(tesseract::RIL_BLOCK, &l, &t, &r, &b)) continue;
        const PolyBlockType type = pit->BlockType();
        if (type == tesseract::PT_HORZ_LINE || type == tesseract::PT_VERT_LINE ||
            type == tesseract::PT_NOISE)
          continue;
        LayoutBlock lb;
        lb.box = Box{l, t, r - l, b - t};
        lb.kind = kindOf(type);
        blocks.push_back(lb);
      } while (pit->Next(tesseract::RIL_BLOCK));
    }
    sortReadingOrder(blocks);
  } else {
    blocks.push_back(LayoutBlock{Box{0, 0, work_w, work_h}, BlockKind::kText});
    if (mode == RecogniseMode::kLine) block_psm = tesseract::PSM_SINGLE_LINE;
  }
  timings.layout_ms = msSince(t1);
  if (callbacks.on_layout) callbacks.on_layout(src_w, src_h, static_cast<int>(blocks.size()));

  auto t2 = std::chrono::steady_clock::now();
  int index = 0;
  for (const LayoutBlock& lb : blocks) {
    if (cancelled.load()) return Result<RecogniseTimings>::fail(ErrorCode::kCancelled, "cancelled");
    // A little margin: Tesseract's block boxes hug the ink, and glyphs touching the edge of the
    // rectangle are read worse.
    LayoutBlock padded = lb;
    const int pad = 6;
    padded.box.x = std::max(0, lb.box.x - pad);
    padded.box.y = std::max(0, lb.box.y - pad);
    padded.box.w = std::min(work_w, lb.box.x + lb.box.w + pad) - padded.box.x;
    padded.box.h = std::min(work_h, lb.box.y + lb.box.h + pad) - padded.box.y;
    auto block = recogniseBlock(padded, scale, src_w, src_h, block_psm, cancelled);
    if (!block.ok()) return Result<RecogniseTimings>(block.error());
    if (block->lines.empty()) continue;
    block->index = index++;
    if (callbacks.on_block) callbacks.on_block(std::move(block.value()));
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
