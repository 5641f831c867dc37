#include "audio/wav_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/output_file.h"

namespace liseur {
namespace {

constexpr std::size_t kHeaderBytes = 44;
constexpr uint64_t kMaxDataBytes = 0xFFFFFFFFull - (kHeaderBytes - 8);

void putLe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void putLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

std::array<uint8_t, kHeaderBytes> makeHeader(int rate, uint32_t dataBytes) {
  std::array<uint8_t, kHeaderBytes> h{};
  std::memcpy(&h[0], "RIFF", 4);
  putLe32(&h[4], static_cast<uint32_t>(kHeaderBytes - 8) + dataBytes);
  std::memcpy(&h[8], "WAVE", 4);
  std::memcpy(&h[12], "fmt ", 4);
  putLe32(&h[16], 16);  // PCM fmt chunk size
  putLe16(&h[20], 1);   // WAVE_FORMAT_PCM
  putLe16(&h[22], 1);   // mono
  putLe32(&h[24], static_cast<uint32_t>(rate));
  putLe32(&h[28], static_cast<uint32_t>(rate) * 2);  // byte rate
  putLe16(&h[32], 2);                                // block align
  putLe16(&h[34], 16);                               // bits per sample
  std::memcpy(&h[36], "data", 4);
  putLe32(&h[40], dataBytes);
  return h;
}

std::string errnoText(int err) {
  return err ? std::strerror(err) : "unknown error";
}

}  // namespace

WavSink::WavSink(std::string path) : path_(std::move(path)) {}

WavSink::WavSink(std::string path, std::shared_ptr<int> fd)
    : path_(std::move(path)), passed_(std::move(fd)) {}

WavSink::~WavSink() {
  (void)close();
}

void WavSink::fail(const std::string& what, int err) {
  fail("cannot " + what + " WAV file " + path_ + ": " + errnoText(err));
}

void WavSink::fail(const std::string& message) {
  if (failed_) return;
  failed_ = true;
  failure_ = message;
  if (callbacks_.on_failure) callbacks_.on_failure(Error{ErrorCode::kWavWriteFailed, failure_});
}

Status WavSink::open(int sampleRate, AudioSinkCallbacks callbacks) {
  (void)close();
  if (sampleRate <= 0) {
    return Status::fail(
        ErrorCode::kInvalidArgument,
        "wav sink: sample rate must be positive, got " + std::to_string(sampleRate));
  }
  callbacks_ = std::move(callbacks);
  written_ = 0;
  failed_ = false;
  failure_.clear();
  // A path is opened as the `liseur` command opens one (core/output_file.h: never blocking, a
  // regular file only, the owner's only); a passed descriptor (the command opened it) is used
  // through a duplicate of its own, checked the same way and emptied (a second open() must not
  // append to the first).
  int fd = -1;
  if (passed_) {
    fd = *passed_ >= 0 ? ::fcntl(*passed_, F_DUPFD_CLOEXEC, 3) : -1;
    struct stat st {};
    const int accmode = fd >= 0 ? ::fcntl(fd, F_GETFL) & O_ACCMODE : -1;
    std::string why;
    if (fd < 0)
      why = errnoText(errno);
    else if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      why = "not a regular file (a FIFO, a socket or a device)";
    else if (accmode == O_RDONLY)
      why = "it was opened for reading only";
    else if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
      why = errnoText(errno);
    if (!why.empty()) {
      if (fd >= 0) ::close(fd);
      return Status::fail(ErrorCode::kWavWriteFailed,
                          "cannot write the WAV file " + path_ + " the client opened: " + why);
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~(O_NONBLOCK | O_APPEND));
  } else {
    int err = 0;
    Result<int> opened = openOutputFile(path_, &err);
    if (!opened) {
      Error e = opened.error();
      // Under liseurd.service (systemd sets INVOCATION_ID) the file system is read-only but for
      // a few folders: say which, rather than leave "Read-only file system" unexplained.
      if (err == EROFS && std::getenv("INVOCATION_ID"))
        e.message +=
            " (liseurd.service's sandbox lets it write only to /tmp, $XDG_RUNTIME_DIR/liseur and "
            "~/.config/liseur: choose a file in /tmp, or add ReadWritePaths= with `systemctl "
            "--user edit liseurd`)";
      return Status(std::move(e));
    }
    fd = *opened;
  }
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int err = errno;
    ::close(fd);
    return Status::fail(ErrorCode::kWavWriteFailed,
                        "cannot create WAV file " + path_ + ": " + errnoText(err));
  }
  std::setvbuf(file_, nullptr, _IOFBF, 64 * 1024);
  // Sizes stay 0 until close(): see the header comment.
  auto header = makeHeader(sampleRate, 0);
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    int err = errno;
    std::fclose(file_);
    file_ = nullptr;
    return Status::fail(ErrorCode::kWavWriteFailed,
                        "cannot write WAV header to " + path_ + ": " + errnoText(err));
  }
  rate_ = sampleRate;
  return okStatus();
}

std::size_t WavSink::write(const int16_t* samples, std::size_t count) {
  if (!file_) return 0;
  // Accept everything even after a failure: the contract says a file sink never makes its
  // owner wait; the failure was reported through on_failure and close() returns it.
  if (failed_ || count == 0) return count;
  uint64_t room = (kMaxDataBytes - written_ * 2) / 2;
  std::size_t n = count;
  if (n > room) {
    n = static_cast<std::size_t>(room);
    fail("WAV file " + path_ + " reached the 4 GiB size limit of the format; later audio dropped");
  }
  std::size_t done;
  if constexpr (std::endian::native == std::endian::little) {
    done = std::fwrite(samples, sizeof(int16_t), n, file_);
  } else {
    std::vector<uint8_t> le(n * 2);
    for (std::size_t i = 0; i < n; ++i) putLe16(&le[2 * i], static_cast<uint16_t>(samples[i]));
    done = std::fwrite(le.data(), 2, n, file_);
  }
  written_ += done;
  if (done != n) fail("write to", errno);
  return count;
}

Status WavSink::close() {
  if (!file_) return failed_ ? Status::fail(ErrorCode::kWavWriteFailed, failure_) : okStatus();
  std::FILE* f = file_;
  file_ = nullptr;
  if (!failed_ && std::fflush(f) != 0) fail("write to", errno);
  if (!failed_) {
    auto header = makeHeader(rate_, static_cast<uint32_t>(written_ * 2));
    if (std::fseek(f, 0, SEEK_SET) != 0 ||
        std::fwrite(header.data(), 1, header.size(), f) != header.size() || std::fflush(f) != 0) {
      fail("finish the header of", errno);
    }
  }
  if (std::fclose(f) != 0) fail("close", errno);
  if (failed_) return Status::fail(ErrorCode::kWavWriteFailed, failure_);
  return okStatus();
}

std::unique_ptr<AudioSink> makeWavSink(const std::string& path) {
  return std::make_unique<WavSink>(path);
}

std::unique_ptr<AudioSink> makeWavSinkOnFd(const std::string& path, std::shared_ptr<int> fd) {
  return std::make_unique<WavSink>(path, std::move(fd));
}

}  // namespace liseur
