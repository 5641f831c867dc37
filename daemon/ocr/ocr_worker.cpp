#include "ocr/ocr_worker.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>

#include <fmt/format.h>
#include <leptonica/allheaders.h>
#include <spdlog/spdlog.h>

#include "core/frame.h"
#include "document/document.h"
#include "ocr/image_loader.h"
#include "ocr/ocr_protocol.h"
#include "ocr/pdf_document.h"
#include "preprocess/page_marks.h"

namespace liseur::ocr {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void shiftBox(Box& b, int dy) {
  b.y += dy;
}

// A block of page p moved into the pages' common coordinates (page p below page p-1).
void shiftBlock(Block& block, int dy) {
  if (dy == 0) return;
  shiftBox(block.box, dy);
  for (auto& l : block.lines) {
    shiftBox(l.box, dy);
    for (auto& w : l.words) shiftBox(w.box, dy);
  }
}

double round1(double ms) {
  return static_cast<double>(static_cast<long long>(ms * 10 + 0.5)) / 10;
}

Result<RecogniseMode> parseMode(const Json& request) {
  auto it = request.find("mode");
  if (it == request.end() || it->is_null()) return RecogniseMode::kAuto;
  if (it->is_string()) {
    const auto& m = it->get_ref<const std::string&>();
    if (m == "auto") return RecogniseMode::kAuto;
    if (m == "screen") return RecogniseMode::kScreen;
    if (m == "block") return RecogniseMode::kBlock;
    if (m == "line") return RecogniseMode::kLine;
  }
  return makeError(
      ErrorCode::kInvalidArgument,
      fmt::format("\"mode\" must be \"auto\", \"screen\", \"block\" or \"line\", not {}",
                  it->dump()));
}

std::vector<std::string> splitLanguages(const std::string& langs) {
  std::vector<std::string> out;
  std::stringstream ss(langs);
  std::string item;
  while (std::getline(ss, item, '+'))
    if (!item.empty()) out.push_back(item);
  return out;
}

// The engine is loaded once with a fixed set of languages; a request may ask for a subset
// ("eng" in an English-only profile) but not for a model the worker does not hold.
Status checkLanguages(const Json& request, const std::vector<std::string>& loaded) {
  auto it = request.find("lang");
  if (it == request.end() || it->is_null()) return okStatus();
  if (!it->is_string())
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("\"lang\" must be a string like \"eng+fra\", not {}", it->dump()));
  std::string have;
  for (const auto& l : loaded) have += (have.empty() ? "" : "+") + l;
  for (const auto& want : splitLanguages(it->get<std::string>())) {
    if (std::find(loaded.begin(), loaded.end(), want) == loaded.end())
      return makeError(ErrorCode::kOcrLanguageMissing,
                       fmt::format("language \"{}\" is not loaded in the OCR worker (loaded: {}); "
                                   "set LISEUR_OCR_LANGS and install tesseract-ocr-{}",
                                   want, have, want));
  }
  return okStatus();
}

Result<PixPtr> loadRequestImage(const Json& request, const std::string& payload,
                                const Limits& limits, int* pages) {
  if (auto p = request.find("path"); p != request.end()) {
    if (!p->is_string() || p->get_ref<const std::string&>().empty())
      return makeError(ErrorCode::kInvalidArgument, "\"path\" must be a non-empty string");
    const auto& path = p->get_ref<const std::string&>();
    if (path.front() != '/')
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("\"path\" must be absolute, not \"{}\"", path));
    return loadImageFile(path, limits, 0, pages);
  }
  if (auto px = request.find("pixels"); px != request.end()) {
    if (!px->is_object())
      return makeError(ErrorCode::kInvalidArgument, "\"pixels\" must be an object");
    auto intField = [&](const char* name) -> Result<int> {
      auto f = px->find(name);
      if (f == px->end() || !f->is_number_integer() || f->get<long long>() < 0 ||
          f->get<long long>() > (1 << 30))
        return makeError(ErrorCode::kInvalidArgument,
                         fmt::format("\"pixels.{}\" must be a non-negative integer", name));
      return f->get<int>();
    };
    auto w = intField("width"), h = intField("height"), s = intField("stride");
    if (!w) return w.error();
    if (!h) return h.error();
    if (!s) return s.error();
    std::string format = px->value("format", std::string("bgra"));
    return loadImagePixels(payload, *w, *h, *s, format, limits);
  }
  if (auto e = request.find("encoded"); e != request.end()) {
    // An encoded image in memory (the clipboard's PNG): same header checks as a file.
    if (!e->is_string())
      return makeError(ErrorCode::kInvalidArgument, "\"encoded\" must be a string such as \"png\"");
    if (payload.empty()) return makeError(ErrorCode::kFileEmpty, "the encoded image is empty");
    return decodeImage(payload, limits, "the " + e->get<std::string>() + " image");
  }
  return makeError(ErrorCode::kInvalidArgument,
                   "an ocr request needs \"path\", \"pixels\" or \"encoded\"");
}

// "crop":{"x":X,"y":Y,"w":W,"h":H}: only that part of the decoded image is read (a region of a
// whole-screen screenshot the portal gave as a file). Clipped to the image; a crop wholly outside
// it is an error that names both.
Result<PixPtr> applyCrop(const Json& request, PixPtr image) {
  auto c = request.find("crop");
  if (c == request.end() || c->is_null()) return image;
  auto field = [&](const char* name) -> Result<int> {
    auto f = c->is_object() ? c->find(name) : c->end();
    if (f == c->end() || !f->is_number_integer() || f->get<long long>() < -(1 << 30) ||
        f->get<long long>() > (1 << 30))
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("\"crop.{}\" must be an integer", name));
    return f->get<int>();
  };
  auto x = field("x"), y = field("y"), w = field("w"), h = field("h");
  for (auto* r : {&x, &y, &w, &h})
    if (!*r) return r->error();
  const int iw = pixGetWidth(image.get()), ih = pixGetHeight(image.get());
  const long long x0 = std::max(0, *x), y0 = std::max(0, *y);
  const long long x1 = std::min<long long>(iw, static_cast<long long>(*x) + *w);
  const long long y1 = std::min<long long>(ih, static_cast<long long>(*y) + *h);
  if (*w <= 0 || *h <= 0 || x1 <= x0 || y1 <= y0)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("the region {},{},{},{} is outside the {}x{} screenshot", *x, *y,
                                 *w, *h, iw, ih));
  if (x0 == 0 && y0 == 0 && x1 == iw && y1 == ih) return image;
  BOX* box = boxCreate(static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
                       static_cast<int>(y1 - y0));
  PIX* clipped = pixClipRectangle(image.get(), box, nullptr);
  boxDestroy(&box);
  if (!clipped) return makeError(ErrorCode::kInternal, "cannot crop the screenshot");
  return PixPtr(clipped);
}

}  // namespace

OcrWorker::OcrWorker(int fd, OcrEngine& engine, OcrWorkerOptions options)
    : fd_(fd), engine_(engine), options_(options), writer_(fd) {}

OcrWorker::~OcrWorker() = default;

Status OcrWorker::sendError(long long gen, ErrorCode code, const std::string& message) {
  return writer_.write(
      Json{{"ev", "error"}, {"gen", gen}, {"code", errorCodeName(code)}, {"message", message}});
}

int OcrWorker::run() {
  // A daemon that goes away mid-job must show up as a failed write (EPIPE), not kill the worker
  // with SIGPIPE before it can finish cleanly. The reader thread inherits the mask.
  sigset_t pipe_only, saved;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &saved);
  struct RestoreMask {
    sigset_t* pipe_only;
    sigset_t* saved;
    ~RestoreMask() {
      // Consume a SIGPIPE left pending by a failed write, or unblocking would deliver it now.
      const timespec zero{0, 0};
      while (sigtimedwait(pipe_only, nullptr, &zero) == SIGPIPE) {
      }
      pthread_sigmask(SIG_SETMASK, saved, nullptr);
    }
  } restore{&pipe_only, &saved};

  Json ready{{"ev", "ready"}, {"langs", engine_.languages()}, {"tesseract", engine_.version()}};
  if (auto s = writer_.write(ready); !s) {
    spdlog::error("cannot send ready: {}", s.error().message);
    return 1;
  }
  std::thread reader([this] { readLoop(); });
  bool heap_trimmed = true;  // nothing to give back before the first job
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      auto woken = [this] { return eof_ || !queue_.empty(); };
      if (!heap_trimmed && !cv_.wait_for(lock, options_.trim_after_idle, woken)) {
        lock.unlock();
        ::malloc_trim(0);
        idle_trims_.fetch_add(1);
        lock.lock();
      }
      heap_trimmed = true;
      cv_.wait(lock, woken);
      if (eof_) break;  // the daemon is gone: nobody would read the answers
      job = std::move(queue_.front());
      queue_.pop_front();
      current_gen_ = job.gen;
      current_cancelled_ = job.cancelled;
    }
    bool go_on = runJob(job);
    heap_trimmed = false;
    {
      std::lock_guard lock(mu_);
      current_gen_ = -1;
      current_cancelled_.reset();
    }
    if (!go_on) break;
  }
  // Wake the reader if it is still blocked in read() (we stopped on our own, not on EOF).
  ::shutdown(fd_, SHUT_RD);
  reader.join();
  // A failed write means the daemon closed its end, like EOF: a clean end, not an error.
  std::lock_guard lock(mu_);
  if (exit_status_ != 0) return exit_status_;
  return protocol_error_ ? 1 : 0;
}

void OcrWorker::readLoop() {
  // Our own read loop over core's FrameReader (rather than the blocking readFrame) tells the two
  // endings apart: the daemon closing its end (EOF, or ECONNRESET when it closed with our frames
  // unread) is a clean end; bytes that do not form a frame are a protocol error.
  FrameReader frames;
  std::string buf(64 * 1024, '\0');
  auto end = [this](bool protocol_error) {
    std::lock_guard lock(mu_);
    protocol_error_ = protocol_error;
    eof_ = true;
    if (current_cancelled_) *current_cancelled_ = true;
    cv_.notify_all();
  };
  // A request read while a job fills the address-space limit may find no memory: the worker
  // ends as after a bad frame (the daemon restarts it) instead of std::terminate in this thread.
  try {
    for (;;) {
      ssize_t n = ::read(fd_, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != ECONNRESET)
        spdlog::warn("reading from the daemon: {}", std::strerror(errno));
      if (n <= 0) return end(false);
      frames.feed(buf.data(), static_cast<std::size_t>(n));
      for (;;) {
        auto frame = frames.next();
        if (!frame) {
          spdlog::error("bad frame from the daemon: {}", frame.error().message);
          return end(true);
        }
        if (!frame->has_value()) break;
        handleFrame(std::move((*frame)->header), std::move((*frame)->payload));
      }
    }
  } catch (const std::bad_alloc&) {
    spdlog::error("no memory to read the daemon's request");
    end(true);
  }
}

void OcrWorker::handleFrame(Json header, std::string payload) {
  const std::string op = header.value("op", std::string());
  long long gen = 0;
  if (auto g = header.find("gen"); g != header.end() && g->is_number_integer())
    gen = g->get<long long>();

  if (op == "ping") {
    if (!writer_.write(Json{{"ev", "pong"}})) write_failed_ = true;
    return;
  }
  if (op == "cancel") {
    std::lock_guard lock(mu_);
    if (current_cancelled_ && current_gen_ == gen) *current_cancelled_ = true;
    for (auto& job : queue_)
      if (job.gen == gen) *job.cancelled = true;
    return;
  }
  if (op == "ocr") {
    auto g = header.find("gen");
    if (g == header.end() || !g->is_number_integer()) {
      (void)sendError(gen, ErrorCode::kInvalidArgument, "an ocr request needs an integer \"gen\"");
      return;
    }
    std::unique_lock lock(mu_);
    if (queue_.size() >= options_.max_queued) {
      lock.unlock();
      (void)sendError(
          gen, ErrorCode::kBusy,
          fmt::format("the OCR worker already has {} requests waiting", options_.max_queued));
      return;
    }
    Job job;
    job.gen = gen;
    job.request = std::move(header);
    job.payload = std::move(payload);
    queue_.push_back(std::move(job));
    cv_.notify_all();
    return;
  }
  spdlog::warn("unknown op \"{}\" from the daemon", op);
  (void)sendError(gen, ErrorCode::kUnknownCommand,
                  fmt::format("the OCR worker does not know the op \"{}\"", op));
}

bool OcrWorker::runJob(Job& job) {
  const long long gen = job.gen;
  auto& cancelled = *job.cancelled;
  auto finish = [&](const Status& s) {
    if (!s) write_failed_ = true;
    return !write_failed_;
  };
  auto daemonGone = [&] {
    std::lock_guard lock(mu_);
    return eof_;
  };
  auto fail = [&](const Error& e) {
    spdlog::info("job {}: {}", gen, errorCodeName(e.code));
    return finish(sendError(gen, e.code, e.message));
  };
  auto sendCancelled = [&] {
    return finish(writer_.write(Json{{"ev", "cancelled"}, {"gen", gen}}));
  };

  if (cancelled) return sendCancelled();
  try {
    auto mode = parseMode(job.request);
    if (!mode) return fail(mode.error());
    if (auto s = checkLanguages(job.request, engine_.languages()); !s) return fail(s.error());

    const auto t0 = Clock::now();
    // The source: one image, the pages of a TIFF (decoded from the file's bytes in turn), or a
    // PDF (each page from its text layer, or rendered and recognised when it is a scan).
    std::string fileBytes;
    std::unique_ptr<PdfDocument> pdf;
    int pages = 1;
    Result<PixPtr> image = makeError(ErrorCode::kInvalidArgument, "no image");
    if (auto p = job.request.find("path"); p != job.request.end() && p->is_string() &&
                                           !p->get_ref<const std::string&>().empty() &&
                                           p->get_ref<const std::string&>().front() == '/') {
      const auto& path = p->get_ref<const std::string&>();
      auto bytes = loadFileBytes(path, options_.limits);
      if (!bytes) return fail(bytes.error());
      if (looksLikePdf(*bytes)) {
        auto doc = PdfDocument::open(std::move(bytes).value(), path);
        if (!doc) return fail(doc.error());
        pdf = std::move(doc).value();
        pages = pdf->pages();
        image = PixPtr();
      } else {
        fileBytes = std::move(bytes).value();
        image = decodeImage(fileBytes, options_.limits, path, 0, &pages);
      }
    } else {
      image = loadRequestImage(job.request, job.payload, options_.limits, &pages);
    }
    if (image && !pdf) image = applyCrop(job.request, std::move(*image));
    const double decode_ms = msSince(t0);
    job.payload.clear();
    job.payload.shrink_to_fit();
    if (!image) return fail(image.error());
    if (cancelled) return sendCancelled();
    // How many pages, before the first is rendered or recognised: who shares pages out can
    // start on the others at once.
    if ((pages > 1 || pdf) && !writer_.write(Json{{"ev", "pages"}, {"gen", gen}, {"pages", pages}}))
      return false;

    // A failed write means the daemon is gone: stop recognising, nobody will read the rest.
    auto emit = [&](const Json& ev) {
      if (!writer_.write(ev)) {
        write_failed_ = true;
        cancelled = true;
      }
    };
    int blocks = 0;
    int yOffset = 0;  // the pages are one under the other: page p starts below page p-1
    RecogniseCallbacks callbacks;
    if (auto fx = job.request.find("focus"); fx != job.request.end() && fx->is_object()) {
      auto coord = [&](const char* k) {
        auto it = fx->find(k);
        return it != fx->end() && it->is_number_integer() && it->get<long long>() >= 0 &&
                       it->get<long long>() <= kMaxSide
                   ? it->get<int>()
                   : -1;
      };
      callbacks.focus_x = coord("x");
      callbacks.focus_y = coord("y");
    }
    callbacks.on_layout = [&](int width, int height, int n) {
      emit(Json{
          {"ev", "layout"}, {"gen", gen}, {"width", width}, {"height", height}, {"blocks", n}});
    };
    const bool wantMarks = job.request.value("marks", false);
    std::vector<int> lineHeights;  // of the page's words, for its marks
    auto sendBlock = [&](Block&& block) {
      if (wantMarks)
        for (const auto& l : block.lines)  // words: a leaning line's box is taller than its text
          for (const auto& w : l.words) lineHeights.push_back(w.box.h);
      shiftBlock(block, yOffset);
      block.index = blocks++;  // numbered across the pages
      emit(Json{{"ev", "block"}, {"gen", gen}, {"block", toJson(block)}});
    };
    callbacks.on_block = sendBlock;
    // A part of the paragraph under the pointer (a sentence or more): said to be there, as the
    // parts after the first may lie below the point.
    callbacks.on_focus_block = [&](Block&& block) {
      shiftBlock(block, yOffset);
      block.index = blocks++;
      emit(Json{{"ev", "block"}, {"gen", gen}, {"block", toJson(block)}, {"focus", true}});
    };
    // Page events for sources of pages (a multi-page TIFF, a PDF); one image has its layout.
    auto sendPage = [&](int p, int width, int height, bool textLayer) {
      if (pages < 2 && !pdf) return;
      emit(Json{{"ev", "page"},
                {"gen", gen},
                {"page", p},
                {"pages", pages},
                {"y", yOffset},
                {"width", width},
                {"height", height},
                {"text_layer", textLayer}});
    };
    // A worksheet's rules and boxes (`liseur adapt`), found on the page's own pixels (at `scale`
    // pixels per page pixel) so they share the words' coordinates.
    auto sendMarks = [&](Pix* pixels, double scale) {
      int lineH = 0;
      if (!lineHeights.empty()) {
        std::nth_element(lineHeights.begin(), lineHeights.begin() + lineHeights.size() / 2,
                         lineHeights.end());
        lineH = lineHeights[lineHeights.size() / 2];
      }
      lineHeights.clear();
      const auto marks =
          preprocess::findPageMarks(pixels, static_cast<int>(std::lround(lineH * scale)));
      auto place = [&](const Box& b) {
        return toJson(Box{static_cast<int>(std::lround(b.x / scale)),
                          static_cast<int>(std::lround(b.y / scale)) + yOffset,
                          static_cast<int>(std::lround(b.w / scale)),
                          static_cast<int>(std::lround(b.h / scale))});
      };
      Json rules = Json::array(), boxes = Json::array(), tables = Json::array();
      for (const auto& r : marks.rules) rules.push_back(place(r));
      for (const auto& b : marks.boxes) boxes.push_back(place(b));
      for (const auto& t : marks.tables) {
        Json xs = Json::array(), ys = Json::array();
        for (int x : t.xs) xs.push_back(static_cast<int>(std::lround(x / scale)));
        for (int y : t.ys) ys.push_back(static_cast<int>(std::lround(y / scale)) + yOffset);
        tables.push_back(Json{{"xs", xs}, {"ys", ys}});
      }
      emit(Json{
          {"ev", "marks"}, {"gen", gen}, {"rules", rules}, {"boxes", boxes}, {"tables", tables}});
    };

    // "pages":{"first":F,"count":C}: only those pages (of the first kMaxPages), placed from y 0.
    int first = 0, last = std::min(pages, kMaxPages);
    if (auto sel = job.request.find("pages"); sel != job.request.end()) {
      auto field = [&](const char* k, int fallback) {
        auto it = sel->find(k);
        return it != sel->end() && it->is_number_integer() && it->get<long long>() >= 0 &&
                       it->get<long long>() <= kMaxPages
                   ? it->get<int>()
                   : fallback;
      };
      if (!sel->is_object() || field("first", -1) < 0 || field("count", -1) < 1)
        return fail(makeError(ErrorCode::kInvalidArgument,
                              "pages: expected {\"first\": 0.." + std::to_string(kMaxPages) +
                                  ", \"count\": 1.." + std::to_string(kMaxPages) + "}"));
      first = field("first", 0);
      if (first >= pages)
        return fail(makeError(ErrorCode::kInvalidArgument,
                              "pages: page " + std::to_string(first + 1) + " asked, the file has " +
                                  std::to_string(pages)));
      last = std::min(last, first + field("count", 1));
    }
    RecogniseTimings total;
    int read_pages = 0;
    for (int p = first; p < last; ++p) {
      if (cancelled) return sendCancelled();
      if (p > first) callbacks.on_layout = nullptr;  // the layout event describes the first page
      if (pdf) {
        auto text = pdf->text(p);
        if (!text) return fail(text.error());
        // The text layer when the page has one worth reading (a rendering tells, and gives the
        // marks); the page's pixels through the OCR engine when it is a scan.
        PixPtr drawn;
        double scale = 1;
        if (text->words >= kMinTextWords && (text->words < 40 || wantMarks)) {
          auto r = pdf->render(p, kPdfDpi / 2, options_.limits, &scale);
          if (!r) return fail(r.error());
          drawn = std::move(r).value();
        }
        if (PdfDocument::textLayerUsable(*text, drawn.get(), scale)) {
          sendPage(p, text->width, text->height, true);
          if (p == 0 && callbacks.on_layout)
            callbacks.on_layout(text->width, text->height, static_cast<int>(text->blocks.size()));
          for (auto& b : text->blocks) sendBlock(std::move(b));
          if (wantMarks && drawn) sendMarks(drawn.get(), scale);
          if (write_failed_ || daemonGone()) return false;
          yOffset += text->height;
          ++read_pages;
          continue;
        }
        drawn.reset();
        auto r = pdf->render(p, kPdfDpi, options_.limits, &scale);
        if (!r) return fail(r.error());
        // A page smaller than asked (a poster) is read at its own scale: its coordinates are
        // the rendering's.
        image = std::move(r);
      } else if (p != 0) {  // page 0 was decoded above, with the page count
        image = decodeImage(fileBytes, options_.limits, job.request["path"].get<std::string>(), p);
        if (!image) return fail(image.error());
      }
      Pix* pix = image->get();
      sendPage(p, pixGetWidth(pix), pixGetHeight(pix), false);
      auto timings = engine_.recognise(pix, *mode, callbacks, cancelled);
      if (write_failed_ || daemonGone()) return false;  // nobody to answer
      if (!timings) {
        if (timings.error().code == ErrorCode::kCancelled) return sendCancelled();
        return fail(timings.error());
      }
      if (wantMarks) sendMarks(pix, 1);
      if (write_failed_) return false;
      total.preprocess_ms += timings->preprocess_ms;
      total.layout_ms += timings->layout_ms;
      total.recognise_ms += timings->recognise_ms;
      yOffset += pixGetHeight(pix);
      image->reset();
      ++read_pages;
    }
    spdlog::debug(
        "job {}: {} blocks, {} pages, decode {:.0f} ms, preprocess {:.0f} ms, layout {:.0f} ms, "
        "recognise {:.0f} ms",
        gen, blocks, read_pages, decode_ms, total.preprocess_ms, total.layout_ms,
        total.recognise_ms);
    Json ms{{"decode", round1(decode_ms)},
            {"preprocess", round1(total.preprocess_ms)},
            {"layout", round1(total.layout_ms)},
            {"recognise", round1(total.recognise_ms)}};
    Json done{{"ev", "done"}, {"gen", gen}, {"blocks", blocks}, {"ms", ms}};
    if (pages > 1) {
      done["pages"] = pages;
      done["pages_read"] = read_pages;
    }
    return finish(writer_.write(done));
  } catch (const std::bad_alloc&) {
    // Under the daemon's address-space limit this is the expected way a too-demanding image
    // ends. Tesseract's state after a failed allocation is not to be trusted: answer, then exit
    // so the daemon restarts a clean worker.
    (void)sendError(gen, ErrorCode::kOcrFailed,
                    "the OCR worker ran out of memory on this image (address-space limit); it "
                    "restarts");
    std::lock_guard lock(mu_);
    exit_status_ = 3;
    return false;
  } catch (const std::exception& e) {
    return fail(makeError(ErrorCode::kOcrFailed, fmt::format("OCR failed: {}", e.what())));
  }
}

int ocrReaders(const char* setting) {
  if (setting && *setting) {
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(setting, &end, 10);
    if (errno == 0 && end && *end == '\0' && n >= 1) return n >= 2 ? 2 : 1;
    spdlog::warn("LISEUR_OCR_THREADS={} is not 1 or 2: one reader per core", setting);
  }
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (::sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 1;
  return CPU_COUNT(&cpus) >= 2 ? 2 : 1;
}

int ocrWorkerProgram() {
  setUpLeptonica();
  int fd = workerFdFromEnv();
  if (fd < 0) {
    spdlog::error("liseur-ocr-worker is started by liseurd (LISEUR_WORKER_FD is not set)");
    return 2;
  }
  const char* env = std::getenv("LISEUR_OCR_LANGS");
  const std::string langs = env && *env ? env : "eng+fra";
  const int readers = ocrReaders(std::getenv("LISEUR_OCR_THREADS"));
  auto engine = OcrEngine::create(langs, readers);
  if (!engine) {
    spdlog::error("cannot start OCR: {}", engine.error().message);
    FrameWriter writer(fd);
    (void)writer.write(Json{{"ev", "error"},
                            {"gen", 0},
                            {"code", errorCodeName(engine.error().code)},
                            {"message", engine.error().message}});
    return 1;
  }
  spdlog::info("OCR worker ready: {}, {} reader{} (tesseract {})", langs, readers,
               readers > 1 ? "s" : "", (*engine)->version());
  OcrWorker worker(fd, **engine);
  return worker.run();
}

}  // namespace liseur::ocr
