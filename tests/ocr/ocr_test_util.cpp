#include "ocr/ocr_test_util.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "ocr/ocr_protocol.h"
#include "support/test_env.h"

namespace liseur::test {
namespace {

void putBe32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void appendChunk(std::string& png, const char* type, const std::string& data) {
  putBe32(png, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  putBe32(png, static_cast<uint32_t>(
                   crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}

std::string ihdr(uint32_t w, uint32_t h, int bit_depth, int color_type = 0) {
  std::string d;
  putBe32(d, w);
  putBe32(d, h);
  d.push_back(static_cast<char>(bit_depth));
  d.push_back(static_cast<char>(color_type));
  d.append("\0\0\0", 3);  // deflate, adaptive filtering, no interlace
  return d;
}

const char kPngSignature[] = "\x89PNG\r\n\x1a\n";

// A zlib stream made piece by piece (a PNG's image data), in a memory of one piece.
class Deflate {
 public:
  explicit Deflate(int level) {
    if (deflateInit(&zs_, level) != Z_OK) throw std::runtime_error("deflateInit");
  }
  ~Deflate() { deflateEnd(&zs_); }
  Deflate(const Deflate&) = delete;
  Deflate& operator=(const Deflate&) = delete;
  void add(std::string_view data) { run(data, Z_NO_FLUSH); }
  std::string finish() {
    run({}, Z_FINISH);
    return std::move(out_);
  }

 private:
  void run(std::string_view data, int flush) {
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(data.size());
    char buf[1 << 16];
    do {
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = sizeof buf;
      deflate(&zs_, flush);
      out_.append(buf, sizeof buf - zs_.avail_out);
    } while (zs_.avail_out == 0 || zs_.avail_in > 0);
  }
  z_stream zs_{};
  std::string out_;
};

}  // namespace

std::string makePng(long long width, long long height, int bit_depth,
                    const std::function<void(long long, std::string&)>& row, int color_type) {
  std::string png(kPngSignature, 8);
  appendChunk(
      png, "IHDR",
      ihdr(static_cast<uint32_t>(width), static_cast<uint32_t>(height), bit_depth, color_type));
  const int channels = color_type == 2 ? 3 : color_type == 4 ? 2 : color_type == 6 ? 4 : 1;
  Deflate idat(6);
  const std::size_t row_bytes = static_cast<std::size_t>((width * bit_depth * channels + 7) / 8);
  std::string line(row_bytes + 1, '\0');  // filter byte 0, then the packed row
  std::string packed(row_bytes, '\0');
  for (long long y = 0; y < height; ++y) {
    std::fill(packed.begin(), packed.end(), '\0');
    if (row) row(y, packed);
    std::memcpy(line.data() + 1, packed.data(), row_bytes);
    idat.add(line);
  }
  appendChunk(png, "IDAT", idat.finish());
  appendChunk(png, "IEND", "");
  return png;
}

std::string makePngHeaderOnly(uint32_t width, uint32_t height) {
  std::string png(kPngSignature, 8);
  appendChunk(png, "IHDR", ihdr(width, height, 8));
  // 12 bytes of zlib stream (header, a stored empty block, adler32): a start of image data.
  appendChunk(png, "IDAT", std::string("\x78\x01\x01\x00\x00\xff\xff\x00\x00\x00\x01\x00", 12));
  appendChunk(png, "IEND", "");
  return png;
}

std::string makePngInflatingTo(uint32_t width, uint32_t height, std::size_t inflated) {
  std::string png(kPngSignature, 8);
  appendChunk(png, "IHDR", ihdr(width, height, 8));
  Deflate idat(9);
  const std::string zeros(1 << 20, '\0');
  for (std::size_t done = 0; done < inflated;) {
    const std::size_t n = std::min(zeros.size(), inflated - done);
    idat.add(std::string_view(zeros).substr(0, n));
    done += n;
  }
  appendChunk(png, "IDAT", idat.finish());
  appendChunk(png, "IEND", "");
  return png;
}

std::string blocksText(const std::vector<nlohmann::json>& blocks) {
  std::string out;
  for (const auto& block : blocks) {
    if (!out.empty()) out += "\n\n";
    bool first_line = true;
    for (const auto& line : block.value("lines", nlohmann::json::array())) {
      if (!first_line) out += "\n";
      first_line = false;
      bool first_word = true;
      for (const auto& word : line.value("words", nlohmann::json::array())) {
        if (!first_word) out += " ";
        first_word = false;
        out += word.value("text", std::string());
      }
    }
  }
  return out;
}

WorkerProcess::WorkerProcess(std::vector<std::string> env, WorkerLimits limits) {
  auto w = spawnWorker(programPath(ocr::kWorkerProgram), {}, env, limits);
  if (!w) {
    start_error_ = w.error().message;
    return;
  }
  pid_ = w->pid;
  fd_ = w->fd;
  auto first = next(std::chrono::seconds(60));
  if (!first) {
    start_error_ = "no ready event: " + first.error().message;
    return;
  }
  if (first->header.value("ev", "") != "ready") {
    start_error_ = "first event is not ready: " + first->header.dump();
    return;
  }
  ready = first->header;
}

WorkerProcess::~WorkerProcess() {
  closeAndWait();
}

Status WorkerProcess::send(const nlohmann::json& header, std::string_view payload) {
  return writeFrame(fd_, header, payload);
}

Result<Frame> WorkerProcess::next(std::chrono::seconds timeout) {
  if (fd_ < 0) return makeError(ErrorCode::kInternal, "worker not running");
  pollfd p{fd_, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count() * 1000));
  } while (r < 0 && errno == EINTR);
  if (r == 0)
    return makeError(ErrorCode::kTimeout,
                     "no frame from the worker within " + std::to_string(timeout.count()) + " s");
  return readFrame(fd_);
}

Result<WorkerProcess::JobResult> WorkerProcess::run(
    const nlohmann::json& request, std::string_view payload,
    const std::function<void(const nlohmann::json&)>& on_event) {
  if (auto s = send(request, payload); !s) return s.error();
  const auto gen = request.value("gen", 0ll);
  JobResult result;
  for (;;) {
    auto f = next();
    if (!f) return f.error();
    const auto& ev = f->header;
    if (ev.value("ev", "") == "pong") continue;
    result.events.push_back(ev);
    if (on_event) on_event(ev);
    const std::string kind = ev.value("ev", "");
    if (ev.value("gen", -1ll) != gen) continue;  // another job's event: the caller checks events
    if (kind == "block") result.blocks.push_back(ev["block"]);
    if (kind == "done" || kind == "cancelled" || kind == "error") {
      result.terminal = ev;
      return result;
    }
  }
}

int WorkerProcess::closeAndWait(std::chrono::seconds timeout) {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (pid_ <= 0 || status_ != -1) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      status_ = 1000;  // killed: did not exit by itself
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

}  // namespace liseur::test
