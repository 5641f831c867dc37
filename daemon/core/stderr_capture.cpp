#include "core/stderr_capture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>

namespace liseur {
namespace {

void writeAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

StderrCapture::StderrCapture() {
  std::fflush(stderr);
  capture_ = ::memfd_create("liseur-stderr", MFD_CLOEXEC);
  if (capture_ < 0) return;
  saved_ = ::fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (saved_ < 0 || ::dup2(capture_, 2) < 0) {
    if (saved_ >= 0) ::close(saved_);
    ::close(capture_);
    saved_ = capture_ = -1;
  }
}

StderrCapture::~StderrCapture() {
  (void)finish();
}

std::string StderrCapture::finish() {
  if (capture_ < 0) return {};
  std::fflush(stderr);
  ::dup2(saved_, 2);
  ::close(saved_);
  saved_ = -1;
  std::string text;
  std::array<char, 4096> buf;
  ::lseek(capture_, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(capture_, buf.data(), buf.size())) > 0;) {
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(capture_);
  capture_ = -1;
  std::string_view rest(text);
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::size_t len = end == std::string_view::npos ? rest.size() : end + 1;
    std::string_view line = rest.substr(0, len);
    if (!isProbeNoise(line)) writeAll(2, line);
    rest.remove_prefix(len);
  }
  return text;
}

bool StderrCapture::isProbeNoise(std::string_view line) {
  static constexpr std::string_view kPrefixes[] = {
      "ALSA lib ",                          // alsa-lib's config evaluation and PCM open attempts
      "Cannot connect to server",           // libjack
      "jack server is not running",         // libjack
      "JackShmReadWritePtr",                // libjack
      "Expression '",                       // PortAudio's PA_ENSURE traces
      "PaAlsaStream",                       // PortAudio ALSA host API
      "socket(): Operation not permitted",  // libpulse in the sandbox (no sockets: core/sandbox.h)
      "Failed to create secure directory",  // libpulse's ~/.config/pulse, read-only in the sandbox
  };
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
  for (std::string_view p : kPrefixes) {
    if (line.substr(0, p.size()) == p) return true;
  }
  return false;
}

std::string StderrCapture::lastUsefulLine(std::string_view captured) {
  std::string_view lastAny, lastUseful;
  while (!captured.empty()) {
    std::size_t end = captured.find('\n');
    std::string_view line = captured.substr(0, end);
    captured.remove_prefix(end == std::string_view::npos ? captured.size() : end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    lastAny = line;
    if (!isProbeNoise(line)) lastUseful = line;
  }
  return std::string(lastUseful.empty() ? lastAny : lastUseful);
}

}  // namespace liseur
