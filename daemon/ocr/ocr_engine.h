// OcrEngine: warm Tesseract models (one TessBaseAPI per language, plus Leptonica preprocessing)
// that turn a decoded image into blocks in reading order, block by block, so the first block can
// be spoken while the rest is still being recognised.
//
// Lives only in the OCR worker process (no Tesseract type leaves ocr/). Not thread-safe: one
// recognise() at a time; `cancelled` may be flipped from another thread and is polled through
// Tesseract's cancel hook and between blocks.
//
// Two readers (create(languages, 2), for machines with two cores or more): a second set of
// models, loaded on a thread of its own after create() returns (recognise() uses one reader until
// it is loaded), reads alongside the calling thread, at a lower priority (nice +5 on top of the
// worker's own), so it only takes a core that would otherwise idle. Screens: the starts of the
// blocks (their first lines, until they name the block's language) are read in reading order,
// each with the language the starts before it chose, and the blocks' other lines are shared out;
// the text is exactly the one-reader text, and blocks are still sent in reading order, from the
// calling thread.
// Pages of paper: the second reader reads the next blocks ahead with the language the last one
// was read with; a reading made ahead is used only when it is the one needed. The block under the
// pointer uses one reader.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "document/document.h"

struct Pix;  // Leptonica

namespace liseur::ocr {

enum class RecogniseMode {
  kAuto,    // a screenshot or a page of paper, judged from the pixels (preprocess/page_image.h):
            // screens by liseur's own layout, pages by Tesseract's page layout analysis
  kScreen,  // known to be a capture of the screen: liseur's own layout, never judged a page
  kBlock,   // a small region that is one block of text
  kLine,    // a single line
};

struct RecogniseCallbacks {
  // Layout analysed: image size and how many blocks will follow (may be 0).
  std::function<void(int width, int height, int blocks)> on_layout;
  // One block, fully recognised, in reading order; boxes in the source image's coordinates.
  std::function<void(Block&& block)> on_block;
  // "Read under the pointer": a point of the source image (-1: none). On a screen, only the
  // paragraph containing it, or else the nearest one, is recognised (the others are not read at
  // all; on_layout still counts every block found), and it is sent a sentence at a time: its
  // first lines as soon as they end a sentence, then the next ones — each part a block, given to
  // on_focus_block (on_block when unset). A page of paper is read whole, through on_block.
  int focus_x = -1, focus_y = -1;
  std::function<void(Block&& block)> on_focus_block;
};

struct RecogniseTimings {
  double preprocess_ms = 0, layout_ms = 0, recognise_ms = 0;
  // What the second reader did: lines of a screen, or blocks of a page read ahead (used or not);
  // 0 with one reader.
  std::size_t second_reader_reads = 0;
  // A page of paper: whether Tesseract's orientation detection was asked (its first print read
  // doubtful, or its lines crossing); an upright page read sure is not (ocr_engine.cpp).
  bool orientation_asked = false;
};

class OcrEngine {
 public:
  // Loads the Tesseract models for `languages` ("eng+fra"). Errors: ocr-language-missing naming
  // the missing model and the Debian package that provides it.
  // `readers`: 1, or 2 for a second reader of screens (see above).
  static Result<std::unique_ptr<OcrEngine>> create(const std::string& languages, int readers = 1);
  virtual ~OcrEngine() = default;

  // Recognises `image` (any depth Leptonica can hold; not modified, not taken). Returns
  // kCancelled when `cancelled` became true, ocr-failed on Tesseract errors.
  virtual Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode,
                                             const RecogniseCallbacks& callbacks,
                                             const std::atomic<bool>& cancelled) = 0;
  virtual std::vector<std::string> languages() const = 0;
  // Readers ready now: 1, or 2 once the second reader's models are loaded.
  virtual int readers() const { return 1; }
  virtual std::string version() const = 0;
};

}  // namespace liseur::ocr
