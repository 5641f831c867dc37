// OcrWorker's protocol logic, in-process over a socketpair, with a test engine whose behaviour
// is scripted (stream blocks, wait for the cancel flag, fail, run out of memory). The real
// worker process with Tesseract is covered by ocr_worker_process_test.
#include "ocr/ocr_worker.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <sched.h>

#include "core/frame.h"
#include "support/test_env.h"

namespace liseur::ocr {
namespace {

using Json = nlohmann::json;

class ScriptedEngine : public OcrEngine {
 public:
  enum class Behaviour { kStream, kWaitForCancel, kFail, kOutOfMemory };
  std::atomic<Behaviour> behaviour{Behaviour::kStream};
  int blocks = 3;
  std::atomic<int> calls{0};
  std::atomic<int> last_width{0}, last_height{0}, last_depth{0};
  std::atomic<RecogniseMode> last_mode{RecogniseMode::kAuto};
  std::atomic<int> last_focus_x{-2}, last_focus_y{-2};

  Result<RecogniseTimings> recognise(Pix* image, RecogniseMode mode, const RecogniseCallbacks& cb,
                                     const std::atomic<bool>& cancelled) override {
    ++calls;
    const int w = pixGetWidth(image), h = pixGetHeight(image);
    last_width = w, last_height = h, last_depth = pixGetDepth(image), last_mode = mode;
    last_focus_x = cb.focus_x, last_focus_y = cb.focus_y;
    cb.on_layout(w, h, blocks);
    RecogniseTimings t;
    t.preprocess_ms = 1.25, t.layout_ms = 2.5, t.recognise_ms = 5;
    switch (behaviour.load()) {
      case Behaviour::kStream:
        for (int i = 0; i < blocks; ++i) cb.on_block(makeBlock(i, w));
        return t;
      case Behaviour::kWaitForCancel: {
        cb.on_block(makeBlock(0, w));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!cancelled && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (cancelled) return makeError(ErrorCode::kCancelled, "cancelled");
        return makeError(ErrorCode::kOcrFailed, "the test engine was never cancelled");
      }
      case Behaviour::kFail:
        return makeError(ErrorCode::kOcrFailed, "scripted failure");
      case Behaviour::kOutOfMemory:
        throw std::bad_alloc();
    }
    return t;
  }
  std::vector<std::string> languages() const override { return {"eng", "fra"}; }
  std::string version() const override { return "scripted-1"; }

 private:
  static Block makeBlock(int i, int w) {
    Block b;
    b.index = i;
    b.box = Box{0, i * 10, w, 10};
    Line line;
    line.box = b.box;
    line.words.push_back(Word{"block" + std::to_string(i), b.box, 90, "en"});
    b.lines.push_back(line);
    return b;
  }
};

// The daemon's side of the socketpair, with the worker running on its own thread.
class WorkerProtocol : public ::testing::Test {
 protected:
  void start(OcrWorkerOptions options = {}) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    daemon_fd_ = sv[0];
    worker_fd_ = sv[1];
    worker_ = std::make_unique<OcrWorker>(worker_fd_, engine_, options);
    thread_ = std::thread([this] { status_ = worker_->run(); });
    auto ready = next();
    ASSERT_TRUE(ready.ok()) << ready.error().message;
    ASSERT_EQ(ready->value("ev", ""), "ready") << ready->dump();
  }

  void TearDown() override {
    if (daemon_fd_ >= 0) ::close(daemon_fd_);
    if (thread_.joinable()) thread_.join();
    if (worker_fd_ >= 0) ::close(worker_fd_);
  }

  // Closes the daemon's end and returns the worker's exit status.
  int stop() {
    ::close(daemon_fd_);
    daemon_fd_ = -1;
    thread_.join();
    return status_;
  }

  void send(const Json& header, std::string_view payload = {}) {
    ASSERT_TRUE(writeFrame(daemon_fd_, header, payload).ok()) << header.dump();
  }

  Result<Json> next() {
    pollfd p{daemon_fd_, POLLIN, 0};
    if (::poll(&p, 1, 60'000) != 1) return makeError(ErrorCode::kTimeout, "no frame in 60 s");
    auto f = readFrame(daemon_fd_);
    if (!f) return f.error();
    return f->header;
  }

  // Events up to and including the terminal one of `gen`.
  std::vector<Json> untilEnd(long long gen) {
    std::vector<Json> out;
    for (;;) {
      auto ev = next();
      if (!ev) {
        ADD_FAILURE() << "waiting for the end of job " << gen << ": " << ev.error().message;
        return out;
      }
      out.push_back(*ev);
      const std::string kind = ev->value("ev", "");
      if (ev->value("gen", -1ll) == gen &&
          (kind == "done" || kind == "cancelled" || kind == "error"))
        return out;
    }
  }

  Json ocr(long long gen, const std::string& path = test::dataPath("ocr/dialog-en.png")) {
    return Json{{"op", "ocr"}, {"gen", gen}, {"path", path}, {"lang", "eng+fra"}, {"mode", "auto"}};
  }

  static std::string kinds(const std::vector<Json>& events) {
    std::string s;
    for (const auto& e : events) s += e.value("ev", "?") + " ";
    return s;
  }

  ScriptedEngine engine_;
  std::unique_ptr<OcrWorker> worker_;
  std::thread thread_;
  int daemon_fd_ = -1, worker_fd_ = -1;
  int status_ = -1;
};

TEST_F(WorkerProtocol, ReadyCarriesTheEngineLanguagesAndVersion) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  daemon_fd_ = sv[0], worker_fd_ = sv[1];
  worker_ = std::make_unique<OcrWorker>(worker_fd_, engine_);
  thread_ = std::thread([this] { status_ = worker_->run(); });
  auto ready = next();
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(*ready, (Json{{"ev", "ready"}, {"langs", {"eng", "fra"}}, {"tesseract", "scripted-1"}}))
      << ready->dump();
  EXPECT_EQ(stop(), 0) << "exit status after EOF";
}

TEST_F(WorkerProtocol, StreamsLayoutThenBlocksThenDone) {
  start();
  send(ocr(7));
  auto events = untilEnd(7);
  ASSERT_EQ(events.size(), 5u) << kinds(events);
  EXPECT_EQ(events[0],
            (Json{{"ev", "layout"}, {"gen", 7}, {"width", 600}, {"height", 200}, {"blocks", 3}}))
      << events[0].dump();
  for (int i = 0; i < 3; ++i) {
    const Json& e = events[1 + i];
    EXPECT_EQ(e.value("ev", ""), "block") << e.dump();
    EXPECT_EQ(e.value("gen", -1), 7) << e.dump();
    EXPECT_EQ(e["block"].value("index", -1), i) << e.dump();
    EXPECT_EQ(e["block"]["lines"][0]["words"][0].value("text", ""), "block" + std::to_string(i))
        << e.dump();
  }
  const Json& done = events[4];
  EXPECT_EQ(done.value("ev", ""), "done") << done.dump();
  EXPECT_EQ(done.value("blocks", -1), 3) << done.dump();
  EXPECT_EQ(done["ms"].value("preprocess", -1.0), 1.3) << done.dump();  // rounded to 0.1 ms
  EXPECT_EQ(done["ms"].value("layout", -1.0), 2.5) << done.dump();
  EXPECT_EQ(done["ms"].value("recognise", -1.0), 5.0) << done.dump();
  EXPECT_GE(done["ms"].value("decode", -1.0), 0.0) << done.dump();
  EXPECT_EQ(engine_.last_depth.load(), 32) << "the dialog is a palette PNG: normalised to RGB";
}

// After a job, once idle, the worker gives the heap's free pages back (malloc_trim), once per
// idle spell; never before the first job, never between jobs that follow each other.
TEST_F(WorkerProtocol, AnIdleWorkerTrimsItsHeapOnceAfterAJob) {
  OcrWorkerOptions options;
  options.trim_after_idle = std::chrono::milliseconds(20);
  start(options);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(worker_->idleTrims(), 0) << "nothing to give back before the first job";
  // A job, then up to 10 s for the trim that follows it.
  auto jobThenIdle = [&](long long gen) {
    const int before = worker_->idleTrims();
    send(ocr(gen));
    untilEnd(gen);
    for (int i = 0; i < 1000 && worker_->idleTrims() == before; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return worker_->idleTrims();
  };
  EXPECT_EQ(jobThenIdle(1), 1) << "trimmed once the worker was idle";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(worker_->idleTrims(), 1) << "once per idle spell, not every 20 ms";
  EXPECT_EQ(jobThenIdle(2), 2);
  EXPECT_EQ(stop(), 0);
}

TEST_F(WorkerProtocol, JobsThatFollowEachOtherAreNotSlowedByATrim) {
  OcrWorkerOptions options;
  options.trim_after_idle = std::chrono::hours(1);
  start(options);
  for (long long gen = 1; gen <= 3; ++gen) {
    send(ocr(gen));
    untilEnd(gen);
  }
  EXPECT_EQ(worker_->idleTrims(), 0);
  EXPECT_EQ(stop(), 0);
}

TEST_F(WorkerProtocol, ModesReachTheEngine) {
  start();
  for (auto [name, mode] :
       {std::pair{"block", RecogniseMode::kBlock}, std::pair{"line", RecogniseMode::kLine},
        std::pair{"auto", RecogniseMode::kAuto}}) {
    Json req = ocr(1);
    req["mode"] = name;
    send(req);
    auto events = untilEnd(1);
    EXPECT_EQ(events.back().value("ev", ""), "done") << name << ": " << events.back().dump();
    EXPECT_EQ(engine_.last_mode.load(), mode) << name;
  }
}

TEST_F(WorkerProtocol, CancelDuringRecognitionEndsWithCancelledAndTheNextJobRuns) {
  engine_.behaviour = ScriptedEngine::Behaviour::kWaitForCancel;
  start();
  send(ocr(3));
  auto layout = next();
  ASSERT_TRUE(layout.ok() && layout->value("ev", "") == "layout") << layout->dump();
  auto block = next();
  ASSERT_TRUE(block.ok() && block->value("ev", "") == "block") << block->dump();
  send(Json{{"op", "cancel"}, {"gen", 2}});  // another generation: ignored
  send(Json{{"op", "cancel"}, {"gen", 3}});
  auto end = untilEnd(3);
  EXPECT_EQ(end.back(), (Json{{"ev", "cancelled"}, {"gen", 3}})) << kinds(end);

  engine_.behaviour = ScriptedEngine::Behaviour::kStream;
  send(ocr(4));
  auto events = untilEnd(4);
  EXPECT_EQ(events.back().value("ev", ""), "done") << kinds(events);
}

TEST_F(WorkerProtocol, CancelOfAQueuedJobSkipsIt) {
  engine_.behaviour = ScriptedEngine::Behaviour::kWaitForCancel;
  start();
  send(ocr(1));
  auto block = next();  // layout
  ASSERT_TRUE(block.ok()) << block.error().message;
  send(ocr(2));
  send(Json{{"op", "cancel"}, {"gen", 2}});
  send(Json{{"op", "cancel"}, {"gen", 1}});
  auto events = untilEnd(2);
  std::vector<std::string> terminals;
  for (const auto& e : events)
    if (e.value("ev", "") == "cancelled") terminals.push_back(std::to_string(e.value("gen", -1)));
  EXPECT_EQ(terminals, (std::vector<std::string>{"1", "2"})) << kinds(events);
  EXPECT_EQ(engine_.calls.load(), 1) << "the cancelled queued job reached the engine";
}

TEST_F(WorkerProtocol, PingIsAnsweredDuringALongJob) {
  engine_.behaviour = ScriptedEngine::Behaviour::kWaitForCancel;
  start();
  send(ocr(1));
  ASSERT_TRUE(next().ok());  // layout
  ASSERT_TRUE(next().ok());  // first block: the engine is now busy until cancelled
  send(Json{{"op", "ping"}});
  auto pong = next();
  ASSERT_TRUE(pong.ok()) << pong.error().message;
  EXPECT_EQ(*pong, (Json{{"ev", "pong"}})) << pong->dump();
  send(Json{{"op", "cancel"}, {"gen", 1}});
  EXPECT_EQ(untilEnd(1).back().value("ev", ""), "cancelled");
}

TEST_F(WorkerProtocol, TooManyQueuedRequestsAreRefusedWithBusy) {
  engine_.behaviour = ScriptedEngine::Behaviour::kWaitForCancel;
  OcrWorkerOptions options;
  options.max_queued = 2;
  start(options);
  send(ocr(1));
  ASSERT_TRUE(next().ok());  // layout of job 1: it is running, not queued
  send(ocr(2));
  send(ocr(3));
  send(ocr(4));
  Result<Json> busy = Json();
  do {  // job 1 may still be streaming its first block
    busy = next();
    ASSERT_TRUE(busy.ok()) << busy.error().message;
  } while (busy->value("ev", "") == "block");
  EXPECT_EQ(busy->value("ev", ""), "error") << busy->dump();
  EXPECT_EQ(busy->value("gen", -1), 4) << busy->dump();
  EXPECT_EQ(busy->value("code", ""), "busy") << busy->dump();
  for (int g = 1; g <= 3; ++g) send(Json{{"op", "cancel"}, {"gen", g}});
  auto events = untilEnd(3);
  int cancelled = 0;
  for (const auto& e : events) cancelled += e.value("ev", "") == "cancelled";
  EXPECT_EQ(cancelled, 3) << kinds(events);
}

TEST_F(WorkerProtocol, BadRequestsGetAnErrorAndTheWorkerGoesOn) {
  start();
  struct Case {
    Json request;
    const char* code;
  };
  const std::vector<Case> cases = {
      {Json{{"op", "ocr"}, {"path", test::dataPath("ocr/dialog-en.png")}}, "invalid-argument"},
      {Json{{"op", "ocr"}, {"gen", 1}, {"path", "ocr/dialog-en.png"}}, "invalid-argument"},
      {Json{{"op", "ocr"}, {"gen", 1}, {"path", 42}}, "invalid-argument"},
      {Json{{"op", "ocr"}, {"gen", 1}}, "invalid-argument"},
      {[&] {
         Json r = ocr(1);
         r["mode"] = "page";
         return r;
       }(),
       "invalid-argument"},
      {[&] {
         Json r = ocr(1);
         r["lang"] = "eng+deu";
         return r;
       }(),
       "ocr-language-missing"},
      {Json{{"op", "transmogrify"}, {"gen", 1}}, "unknown-command"},
      {Json{{"op", "ocr"}, {"gen", 1}, {"pixels", {{"width", 4}}}}, "invalid-argument"},
  };
  for (const auto& c : cases) {
    send(c.request);
    auto ev = next();
    ASSERT_TRUE(ev.ok()) << c.request.dump() << ": " << ev.error().message;
    EXPECT_EQ(ev->value("ev", ""), "error") << c.request.dump() << " -> " << ev->dump();
    EXPECT_EQ(ev->value("code", ""), c.code) << c.request.dump() << " -> " << ev->dump();
    EXPECT_FALSE(ev->value("message", "").empty()) << c.request.dump() << " -> " << ev->dump();
  }
  EXPECT_EQ(engine_.calls.load(), 0);
  send(ocr(9));
  EXPECT_EQ(untilEnd(9).back().value("ev", ""), "done");
}

TEST_F(WorkerProtocol, ImageErrorsComeFromTheLoader) {
  start();
  send(ocr(5, "/nonexistent/dir/x.png"));
  auto events = untilEnd(5);
  ASSERT_EQ(events.size(), 1u) << kinds(events);
  EXPECT_EQ(events[0].value("code", ""), "file-not-found") << events[0].dump();
  EXPECT_NE(events[0].value("message", "").find("/nonexistent/dir/x.png"), std::string::npos)
      << events[0].dump();
}

TEST_F(WorkerProtocol, PixelsInThePayloadReachTheEngineAsRgb) {
  start();
  const int w = 40, h = 10, stride = 44 * 4;
  std::string pixels(stride * h, '\xff');
  send(Json{{"op", "ocr"},
            {"gen", 2},
            {"pixels", {{"width", w}, {"height", h}, {"stride", stride}, {"format", "bgra"}}}},
       pixels);
  auto events = untilEnd(2);
  EXPECT_EQ(events.back().value("ev", ""), "done") << events.back().dump();
  EXPECT_EQ(engine_.last_width.load(), w);
  EXPECT_EQ(engine_.last_height.load(), h);
  EXPECT_EQ(engine_.last_depth.load(), 32);

  send(Json{{"op", "ocr"},
            {"gen", 3},
            {"pixels", {{"width", w}, {"height", h}, {"stride", stride}, {"format", "bgra"}}}},
       pixels.substr(0, 100));
  auto bad = untilEnd(3);
  EXPECT_EQ(bad.back().value("code", ""), "invalid-argument") << bad.back().dump();
}

TEST_F(WorkerProtocol, AFocusPointReachesTheEngine) {
  start();
  const int w = 40, h = 10, stride = w * 4;
  std::string pixels(stride * h, '\xff');
  Json req{{"op", "ocr"},
           {"gen", 4},
           {"pixels", {{"width", w}, {"height", h}, {"stride", stride}, {"format", "bgra"}}},
           {"focus", {{"x", 12}, {"y", 7}}}};
  send(req, pixels);
  EXPECT_EQ(untilEnd(4).back().value("ev", ""), "done");
  EXPECT_EQ(engine_.last_focus_x.load(), 12);
  EXPECT_EQ(engine_.last_focus_y.load(), 7);
  req["gen"] = 5;
  req["focus"] = {{"x", "left"}, {"y", -3}};  // not a point: the whole image is read
  send(req, pixels);
  EXPECT_EQ(untilEnd(5).back().value("ev", ""), "done");
  EXPECT_EQ(engine_.last_focus_x.load(), -1);
  EXPECT_EQ(engine_.last_focus_y.load(), -1);
}

TEST_F(WorkerProtocol, AnEncodedScreenshotIsCroppedBeforeRecognition) {
  start();
  const std::string png = test::readFile(test::dataPath("ocr/multiblock-en.png"));  // 1200x900
  send(Json{{"op", "ocr"},
            {"gen", 6},
            {"encoded", "png"},
            {"crop", {{"x", 100}, {"y", 50}, {"w", 300}, {"h", 2000}}}},
       png);
  EXPECT_EQ(untilEnd(6).back().value("ev", ""), "done");
  EXPECT_EQ(engine_.last_width.load(), 300);
  EXPECT_EQ(engine_.last_height.load(), 850) << "clipped to the image";
  send(Json{{"op", "ocr"},
            {"gen", 7},
            {"encoded", "png"},
            {"crop", {{"x", 5000}, {"y", 0}, {"w", 10}, {"h", 10}}}},
       png);
  auto outside = untilEnd(7);
  EXPECT_EQ(outside.back().value("code", ""), "invalid-argument") << outside.back().dump();
  EXPECT_NE(outside.back().value("message", "").find("1200x900"), std::string::npos)
      << outside.back().dump();
}

TEST_F(WorkerProtocol, EngineErrorsArePassedOn) {
  engine_.behaviour = ScriptedEngine::Behaviour::kFail;
  start();
  send(ocr(6));
  auto events = untilEnd(6);
  EXPECT_EQ(
      events.back(),
      (Json{{"ev", "error"}, {"gen", 6}, {"code", "ocr-failed"}, {"message", "scripted failure"}}))
      << kinds(events);
}

TEST_F(WorkerProtocol, OutOfMemoryIsReportedAndTheWorkerExitsForARestart) {
  engine_.behaviour = ScriptedEngine::Behaviour::kOutOfMemory;
  start();
  send(ocr(8));
  auto events = untilEnd(8);
  EXPECT_EQ(events.back().value("code", ""), "ocr-failed") << events.back().dump();
  EXPECT_NE(events.back().value("message", "").find("out of memory"), std::string::npos)
      << events.back().dump();
  thread_.join();
  EXPECT_EQ(status_, 3);
}

TEST_F(WorkerProtocol, EofDuringAJobCancelsItAndExitsCleanly) {
  engine_.behaviour = ScriptedEngine::Behaviour::kWaitForCancel;
  start();
  send(ocr(1));
  ASSERT_TRUE(next().ok());  // layout: the engine is running
  EXPECT_EQ(stop(), 0) << "exit status after EOF mid-job";
}

TEST_F(WorkerProtocol, MalformedFrameEndsTheWorkerWithAnError) {
  start();
  // A header length over kMaxFrameHeader: the stream cannot be trusted any more.
  const std::string bad("\xff\xff\xff\x7f\x00\x00\x00\x00", 8);
  ASSERT_EQ(::write(daemon_fd_, bad.data(), bad.size()), 8);
  thread_.join();
  EXPECT_EQ(status_, 1);
}

// LISEUR_OCR_THREADS: 1 or 2 readers; anything else falls back to the cores this process may use.
TEST(OcrReaders, SettingOrCores) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  const int cores = CPU_COUNT(&cpus) >= 2 ? 2 : 1;
  EXPECT_EQ(ocrReaders("1"), 1);
  EXPECT_EQ(ocrReaders("2"), 2);
  EXPECT_EQ(ocrReaders("8"), 2);
  EXPECT_EQ(ocrReaders(nullptr), cores);
  EXPECT_EQ(ocrReaders(""), cores);
  EXPECT_EQ(ocrReaders("0"), cores);
  EXPECT_EQ(ocrReaders("two"), cores);
  EXPECT_EQ(ocrReaders("2x"), cores);
  EXPECT_EQ(ocrReaders("-1"), cores);
}

}  // namespace
}  // namespace liseur::ocr
