// Fuzzes the worker frame reader (daemon/core/frame.h) on arbitrary bytes. Checks, besides crashes
// and sanitizers:
//  - FrameReader gives the same frames and the same end (error or waiting for more) whether the
//    bytes come at once or in small pieces, as they do from a non-blocking socket;
//  - every frame it accepts has an object header and encodes back (encodeFrame) to a frame that
//    reads as the same header and payload;
//  - readFrame, the workers' blocking reader, agrees with FrameReader on the same bytes.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/frame.h"

namespace {

struct Outcome {
  std::vector<liseur::Frame> frames;
  bool failed = false;
};

// Feeds `bytes` in pieces whose sizes come from `steps` (cycled; 0 means all the rest).
Outcome readAll(std::string_view bytes, std::string_view steps) {
  Outcome out;
  liseur::FrameReader reader;
  std::size_t at = 0, step = 0;
  while (at < bytes.size()) {
    std::size_t n = bytes.size() - at;
    if (!steps.empty()) {
      const std::size_t s = static_cast<unsigned char>(steps[step++ % steps.size()]) % 17u;
      if (s != 0 && s < n) n = s;
    }
    reader.feed(bytes.data() + at, n);
    at += n;
    for (;;) {
      auto r = reader.next();
      if (!r.ok()) {
        if (r.error().message.empty()) std::abort();
        out.failed = true;
        return out;
      }
      if (!r.value()) break;
      out.frames.push_back(std::move(*r.value()));
    }
  }
  return out;
}

bool sameFrame(const liseur::Frame& a, const liseur::Frame& b) {
  return a.header == b.header && a.payload == b.payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte (when there are more) chooses the piece sizes: up to 4 of the next bytes.
  std::string_view steps, bytes = input;
  if (size > 1) {
    const std::size_t k = std::min<std::size_t>(static_cast<unsigned char>(input[0]) % 5, size - 1);
    steps = input.substr(1, k);
    bytes = input.substr(1 + k);
  }

  const Outcome whole = readAll(bytes, {});
  const Outcome pieces = readAll(bytes, steps);
  if (whole.failed != pieces.failed || whole.frames.size() != pieces.frames.size()) std::abort();
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    const liseur::Frame& f = whole.frames[i];
    if (!f.header.is_object() || !sameFrame(f, pieces.frames[i])) std::abort();
    const Outcome again = readAll(liseur::encodeFrame(f.header, f.payload), {});
    if (again.failed || again.frames.size() != 1 || !sameFrame(again.frames[0], f)) std::abort();
  }

  // readFrame over a pipe holding the same bytes (fuzz inputs stay below the pipe's 64 KiB).
  if (bytes.size() <= 60000) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) std::abort();
    if (!liseur::writeAll(fds[1], bytes).ok()) std::abort();
    close(fds[1]);
    std::size_t n = 0, at = 0;
    for (;;) {
      // readFrame allocates the declared lengths (up to 80 MiB) before reading: only try it on a
      // frame the input nearly holds, so each run stays fast. Frames past that cannot be read.
      if (bytes.size() - at >= 8) {
        const auto u32 = [&](std::size_t k) {
          uint32_t v = 0;
          for (int b = 0; b < 4; ++b)
            v |= uint32_t(static_cast<unsigned char>(bytes[k + b])) << (8 * b);
          return std::size_t(v);
        };
        const std::size_t need = 8 + u32(at) + u32(at + 4);
        if (need > bytes.size() - at + 64) break;
        at += need;
      }
      auto r = liseur::readFrame(fds[0]);
      if (!r.ok()) break;
      if (n >= whole.frames.size() || !sameFrame(*r, whole.frames[n])) std::abort();
      ++n;
    }
    close(fds[0]);
    if (n != whole.frames.size()) std::abort();
  }
  return 0;
}
