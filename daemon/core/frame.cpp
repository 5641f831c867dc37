#include "core/frame.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace liseur {
namespace {

void putU32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t getU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

std::string encodeFrame(const nlohmann::json& header, std::string_view payload) {
  std::string h = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(8 + h.size() + payload.size());
  putU32(out, static_cast<uint32_t>(h.size()));
  putU32(out, static_cast<uint32_t>(payload.size()));
  out += h;
  out.append(payload.data(), payload.size());
  return out;
}

void FrameReader::feed(const char* data, std::size_t n) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (1u << 20)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data, n);
}

Result<std::optional<Frame>> FrameReader::next() {
  if (buffered() < 8) return std::optional<Frame>{};
  const char* p = buf_.data() + pos_;
  uint32_t hl = getU32(p), pl = getU32(p + 4);
  if (hl > kMaxFrameHeader || pl > kMaxFramePayload)
    return makeError(ErrorCode::kInternal, "frame too large: header " + std::to_string(hl) +
                                               " bytes, payload " + std::to_string(pl) + " bytes");
  if (buffered() < 8ull + hl + pl) return std::optional<Frame>{};
  Frame f;
  f.header = nlohmann::json::parse(p + 8, p + 8 + hl, nullptr, false);
  if (f.header.is_discarded() || !f.header.is_object())
    return makeError(ErrorCode::kInternal, "frame header is not a JSON object");
  f.payload.assign(p + 8 + hl, pl);
  pos_ += 8ull + hl + pl;
  return std::optional<Frame>(std::move(f));
}

namespace {

Status readExact(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, buf + got, n - got);
    if (r == 0) return makeError(ErrorCode::kWorkerCrashed, "peer closed the connection");
    if (r < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kInternal, std::string("read: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(r);
  }
  return okStatus();
}

}  // namespace

Result<Frame> readFrame(int fd) {
  char hdr[8];
  if (auto s = readExact(fd, hdr, 8); !s) return s.error();
  uint32_t hl = getU32(hdr), pl = getU32(hdr + 4);
  if (hl > kMaxFrameHeader || pl > kMaxFramePayload)
    return makeError(ErrorCode::kInternal, "frame too large");
  std::string h(hl, '\0');
  Frame f;
  f.payload.resize(pl);
  if (auto s = readExact(fd, h.data(), hl); !s) return s.error();
  if (auto s = readExact(fd, f.payload.data(), pl); !s) return s.error();
  f.header = nlohmann::json::parse(h, nullptr, false);
  if (f.header.is_discarded() || !f.header.is_object())
    return makeError(ErrorCode::kInternal, "frame header is not a JSON object");
  return f;
}

Status writeAll(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return makeError(ErrorCode::kInternal, std::string("write: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(w);
  }
  return okStatus();
}

Status writeFrame(int fd, const nlohmann::json& header, std::string_view payload) {
  return writeAll(fd, encodeFrame(header, payload));
}

}  // namespace liseur
