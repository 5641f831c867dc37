// Framed messages between the daemon and its worker processes.
//
// A frame is: u32 LE header length, u32 LE payload length, a JSON header (UTF-8), and an opaque
// binary payload (PCM samples, for instance). Both lengths are bounded (kMaxHeader, kMaxPayload);
// a larger frame is a protocol error and the peer is dropped.
//
// FrameReader is for non-blocking fds in the daemon's event loop; readFrame/writeFrame are the
// blocking helpers the workers use. None of these are thread-safe: one reader and one writer per
// fd (workers serialise writes with their own mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur {

struct Frame {
  nlohmann::json header;
  std::string payload;  // raw bytes
};

inline constexpr std::size_t kMaxFrameHeader = 16u << 20;
// 64 MiB: a 3840x2160 BGRA screen capture (33 MB) fits in one frame.
inline constexpr std::size_t kMaxFramePayload = 64u << 20;

// Serialises a frame into bytes ready to write.
std::string encodeFrame(const nlohmann::json& header, std::string_view payload = {});

class FrameReader {
 public:
  // Appends bytes read from the peer.
  void feed(const char* data, std::size_t n);
  // Next complete frame, std::nullopt if more bytes are needed, or an Error (bad lengths, bad
  // JSON) after which the stream is unusable.
  Result<std::optional<Frame>> next();
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  std::size_t pos_ = 0;
};

// Blocking: reads one whole frame. Returns an Error with kWorkerCrashed-style EOF message on EOF.
Result<Frame> readFrame(int fd);
// Blocking: writes the whole frame, retrying on EINTR. Fails on EPIPE etc.
Status writeFrame(int fd, const nlohmann::json& header, std::string_view payload = {});

// Writes all bytes to a blocking fd.
Status writeAll(int fd, std::string_view data);

}  // namespace liseur
