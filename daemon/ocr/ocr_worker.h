// OcrWorker: the OCR worker process's protocol loop (ocr_protocol.h) around one warm OcrEngine.
//
// Threads. The constructor starts nothing; run() starts one reader thread and does the work on
// the calling thread:
//   - the reader thread reads frames from the fd. "ocr" requests are queued (at most
//     max_queued; beyond that the request gets an immediate `busy` error); "cancel" for
//     generation G flips the cancel flag of job G, running or queued; "ping" is answered with
//     "pong" at once, even during a long recognition. EOF or a malformed frame ends the worker.
//   - the calling thread runs the jobs in arrival order: open and decode (image_loader.h), then
//     engine.recognise() streaming `layout` and one `block` per block in reading order, then
//     exactly one of `done` (with timings), `cancelled` or `error` (code of core/error.h).
//   Frames from both threads go through one FrameWriter. The engine may read a screen's blocks
//   on a second thread of its own during a recognition (ocrReaders below, ocr_engine.h); blocks
//   still reach the calling thread, and the frames, in reading order.
// A bad image never ends the worker: it is an `error` for that job. On EOF (the daemon went
// away) the running job is cancelled, queued jobs are dropped without answer, and run() returns.
//
// Cancellation: the flag is polled by the engine (Tesseract's cancel hook, between blocks) and
// by the worker between decoding and recognition. A cancelled job ends with `cancelled`, never
// with done or error, unless it had already finished when the cancel arrived.
//
// Request checks: "path" must be absolute; "pixels" needs width, height, stride, format and the
// payload (image_loader.h loadImagePixels); "mode" is auto (default), block or line; every
// language in "lang" ("eng+fra") must be loaded in this worker, else ocr-language-missing
// (the worker's languages are fixed when it starts: LISEUR_OCR_LANGS, default eng+fra).
//
// Start-up failure (ocrWorkerProgram): when the engine cannot be created (a Tesseract model is
// missing), the worker sends {"ev":"error","gen":0,"code":"ocr-language-missing",...} instead of
// `ready` and exits with status 1, so the daemon reports it rather than restarting in a loop.
//
// Resources. Measured on Debian 12 (Tesseract 5.3.0, eng+fra, OMP_THREAD_LIMIT=1, one malloc
// arena), from /proc/PID/status after each job (VmPeak = peak address space, VmHWM = peak RSS):
//   idle after `ready`                           VmPeak  102 MiB   VmHWM   47 MiB
//   600x200 dialog                               VmPeak  109 MiB   VmHWM   52 MiB
//   1920x1080 screenshot (screen-en-01)          VmPeak  168 MiB   VmHWM  110 MiB
//   16384x2400 grey page, 20 dense text lines    VmPeak  347 MiB   VmHWM  285 MiB
//   16384x2400 RGBA PNG (the worst decode: 39 Mpx
//     x 4 bytes, decoded then composited)        VmPeak  602 MiB   VmHWM  543 MiB
// A second reader (ocr_engine.h; machines with two cores or more) adds its models and a second
// malloc arena: liseur-ocr-lab on screen-en-01 peaks at 70 MiB RSS with one reader, 98 MiB with
// two; the address space grows by up to 64 MiB (the arena) and the reader's thread stack. The
// limit test below runs with two readers.
// The daemon should start the worker with WorkerLimits{.address_space_mb =
// kSuggestedAddressSpaceMb}: about 2.5 times the worst measured peak, for text-dense large
// images that Tesseract also upscales. An image that needs more makes an allocation fail: the
// job gets `ocr-failed` ("out of memory") and the worker exits with status 3 to restart clean.
// CPU: decoding a 39 Mpx PNG takes seconds; a CPU-time limit (RLIMIT_CPU) is the daemon's
// watchdog's business, not set here.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/worker_main.h"
#include "ocr/image_loader.h"
#include "ocr/ocr_engine.h"

namespace liseur::ocr {

// RLIMIT_AS for the OCR worker, in MiB (see the measurements above). Tested by
// OcrWorkerProcessLimits.WorksUnderTheSuggestedAddressSpaceLimit.
inline constexpr std::size_t kSuggestedAddressSpaceMb = 1536;

struct OcrWorkerOptions {
  Limits limits;               // file and image size limits
  std::size_t max_queued = 8;  // requests waiting behind the running one
  // Idle this long after a job, the worker hands the heap's free pages back to the system
  // (malloc_trim): a full screen's images and Tesseract's page structures are freed by then, but
  // glibc would keep their pages resident for the next job (tens of MB on an old laptop's RAM).
  // The next job pays a few page faults, never the one that just ended.
  std::chrono::milliseconds trim_after_idle{250};
};

class OcrWorker {
 public:
  // `fd`: a connected stream socket (not owned, not closed; run() shuts down its reading side
  // when it ends, to stop the reader thread). `engine` must outlive run().
  OcrWorker(int fd, OcrEngine& engine, OcrWorkerOptions options = {});
  ~OcrWorker();
  OcrWorker(const OcrWorker&) = delete;
  OcrWorker& operator=(const OcrWorker&) = delete;

  // Sends `ready`, then serves requests until EOF. Call once. Returns the process exit status:
  // 0 when the daemon closed the connection (EOF, or a write failed because it was gone), 1
  // after a protocol error (bytes that are not a frame), 3 after running out of memory.
  // SIGPIPE is blocked in the worker's threads while it runs (a gone daemon is a failed write).
  int run();

  // How many times the heap was trimmed after an idle spell (for tests).
  int idleTrims() const { return idle_trims_.load(); }

 private:
  struct Job {
    long long gen = 0;
    nlohmann::json request;
    std::string payload;
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  };

  void readLoop();
  void handleFrame(nlohmann::json header, std::string payload);
  // Runs one job; false when the worker must stop (write failed, out of memory).
  bool runJob(Job& job);
  Status sendError(long long gen, ErrorCode code, const std::string& message);

  int fd_;
  OcrEngine& engine_;
  OcrWorkerOptions options_;
  FrameWriter writer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;                                 // guarded by mu_
  std::shared_ptr<std::atomic<bool>> current_cancelled_;  // guarded by mu_
  long long current_gen_ = -1;                            // guarded by mu_
  bool eof_ = false;                                      // guarded by mu_
  bool protocol_error_ = false;                           // guarded by mu_
  std::atomic<bool> write_failed_{false};
  std::atomic<int> idle_trims_{0};
  int exit_status_ = 0;  // guarded by mu_
};

// How many readers the engine gets (ocr_engine.h): LISEUR_OCR_THREADS when it is set ("1", or
// "2" and more for two; anything else is warned about and ignored), else 2 when this process may
// run on two cores or more (sched_getaffinity), 1 on a one-core machine.
int ocrReaders(const char* setting);

// The whole worker program after main() has fixed the environment: logging, the fd from
// LISEUR_WORKER_FD, the engine for LISEUR_OCR_LANGS (default "eng+fra") with ocrReaders(
// LISEUR_OCR_THREADS) readers, then OcrWorker::run().
// Returns the exit status (2: not started by the daemon).
int ocrWorkerProgram();

}  // namespace liseur::ocr
