// Helpers shared by the OCR tests: a minimal PNG writer (to build hostile and degenerate images in
// the test itself), a character error rate, and a driver for a real liseur-ocr-worker process.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/frame.h"
#include "core/subprocess.h"
#include "support/text_metrics.h"

namespace liseur::test {

// A PNG of `width` x `height` pixels at `bit_depth` (1 or 8) of PNG colour type `color_type`
// (0 grey, 2 RGB, 4 grey+alpha, 6 RGBA). `row(y, bytes)` fills the packed row (already
// zeroed); nullptr leaves every row zero. Rows are streamed through zlib, so a 20000x20000
// image costs a row of memory, not the image.
std::string makePng(long long width, long long height, int bit_depth,
                    const std::function<void(long long y, std::string& row)>& row = nullptr,
                    int color_type = 0);

// A PNG made of the signature, an IHDR claiming width x height (8-bit grey), a tiny IDAT and
// IEND: 69 bytes.
std::string makePngHeaderOnly(uint32_t width, uint32_t height);

// A decompression bomb: a valid IHDR of width x height (8-bit grey) whose IDAT inflates to
// `inflated` zero bytes (far more than the rows need), in about inflated / 1000 bytes of file.
std::string makePngInflatingTo(uint32_t width, uint32_t height, std::size_t inflated);

// The text of a document's blocks as the worker streams them ("block" events): blocks joined by
// blank lines, lines by '\n', words by spaces.
std::string blocksText(const std::vector<nlohmann::json>& blocks);

// A liseur-ocr-worker started with spawnWorker (as the daemon does). Every wait is bounded by
// a generous timeout so a broken worker fails the test instead of hanging it.
class WorkerProcess {
 public:
  explicit WorkerProcess(std::vector<std::string> env = {}, WorkerLimits limits = {});
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& startError() const { return start_error_; }
  pid_t pid() const { return pid_; }
  int fd() const { return fd_; }

  Status send(const nlohmann::json& header, std::string_view payload = {});
  // The next frame, or an error on EOF / timeout.
  Result<Frame> next(std::chrono::seconds timeout = std::chrono::seconds(120));

  struct JobResult {
    std::vector<nlohmann::json> events;  // every event of the job, the terminal one last
    nlohmann::json terminal;             // done / cancelled / error
    std::vector<nlohmann::json> blocks;  // the "block" members of the block events
    std::string text() const { return blocksText(blocks); }
  };
  // Sends an ocr request (gen from the header) and collects its events up to the terminal one.
  // `on_event` sees each event as it arrives (to send a cancel mid-job, for instance).
  Result<JobResult> run(const nlohmann::json& request, std::string_view payload = {},
                        const std::function<void(const nlohmann::json&)>& on_event = nullptr);

  // Closes our end and waits for the exit status (kills after the timeout).
  int closeAndWait(std::chrono::seconds timeout = std::chrono::seconds(30));

  nlohmann::json ready;  // the ready event (null when the worker did not start)

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string start_error_;
  int status_ = -1;
};

}  // namespace liseur::test
