#include "capture/sway_ipc.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace liseur {

namespace {

constexpr char kMagic[] = {'i', '3', '-', 'i', 'p', 'c'};
constexpr std::size_t kHeader = sizeof kMagic + 8;
constexpr uint32_t kMaxReply = 32u << 20;

// Waits for `events` on fd until `deadline`; false on timeout.
bool waitFd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;  // let the read/write report the error
  }
}

bool pidAlive(long pid) {
  return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// A depth-first search for the node with "focused": true.
const nlohmann::json* findFocused(const nlohmann::json& node, int depth) {
  if (depth > 200 || !node.is_object()) return nullptr;
  if (node.value("focused", false)) return &node;
  for (const char* key : {"nodes", "floating_nodes"}) {
    auto it = node.find(key);
    if (it == node.end() || !it->is_array()) continue;
    for (const auto& child : *it) {
      if (const nlohmann::json* f = findFocused(child, depth + 1)) return f;
    }
  }
  return nullptr;
}

}  // namespace

std::string SwayIpc::findSocket() {
  if (const char* s = std::getenv("SWAYSOCK"); s != nullptr && *s != '\0') return s;
  const char* run = std::getenv("XDG_RUNTIME_DIR");
  if (run == nullptr || *run == '\0') return "";
  // sway names its socket sway-ipc.<uid>.<pid>.sock; a crashed sway leaves a stale one behind,
  // so only a socket whose sway is still running counts.
  DIR* dir = opendir(run);
  if (dir == nullptr) return "";
  std::string found;
  const std::string prefix = fmt::format("sway-ipc.{}.", getuid());
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + 6 ||
        name.compare(name.size() - 5, 5, ".sock") != 0) {
      continue;
    }
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pidAlive(pid)) {
      found = std::string(run) + "/" + name;
      break;
    }
  }
  closedir(dir);
  return found;
}

Result<SwayIpc> SwayIpc::connect(const std::string& socket_path,
                                 std::chrono::milliseconds timeout) {
  const std::string path = socket_path.empty() ? findSocket() : socket_path;
  if (path.empty()) {
    return makeError(ErrorCode::kDisplayUnavailable,
                     "no sway IPC socket: SWAYSOCK is not set and XDG_RUNTIME_DIR holds no "
                     "sway-ipc socket of a running sway; is this a sway session?");
  }
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return makeError(ErrorCode::kDisplayUnavailable, "sway IPC socket path too long: " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(ErrorCode::kInternal, "socket(): " + std::string(strerror(errno)));
  // A unix socket connect either succeeds or fails at once; no need for a non-blocking connect.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd);
    return makeError(ErrorCode::kDisplayUnavailable,
                     fmt::format("cannot connect to sway's IPC socket {}: {}; is sway running?",
                                 path, strerror(err)));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return SwayIpc(fd, timeout, path);
}

SwayIpc& SwayIpc::operator=(SwayIpc&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    timeout_ = o.timeout_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

SwayIpc::~SwayIpc() {
  if (fd_ >= 0) close(fd_);
}

Result<std::string> SwayIpc::request(Type type, std::string_view payload) {
  if (fd_ < 0) return makeError(ErrorCode::kInternal, "sway IPC: connection already closed");
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string msg(kMagic, sizeof kMagic);
  const uint32_t len = static_cast<uint32_t>(payload.size());
  const uint32_t t = type;
  msg.append(reinterpret_cast<const char*>(&len), 4);
  msg.append(reinterpret_cast<const char*>(&t), 4);
  msg.append(payload);

  auto fail = [&](ErrorCode code, const std::string& what) -> Error {
    close(fd_);  // the stream is out of step now; later calls fail cleanly
    fd_ = -1;
    return makeError(code, fmt::format("sway IPC ({}): {}", path_, what));
  };

  for (std::size_t sent = 0; sent < msg.size();) {
    const ssize_t n = send(fd_, msg.data() + sent, msg.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFd(fd_, POLLOUT, deadline)) {
        return fail(ErrorCode::kTimeout, "sway did not read the request in time");
      }
    } else {
      return fail(ErrorCode::kDisplayUnavailable,
                  std::string("sending failed: ") + strerror(errno) + "; has sway exited?");
    }
  }

  auto readExactly = [&](char* buf, std::size_t size) -> Status {
    for (std::size_t got = 0; got < size;) {
      const ssize_t n = recv(fd_, buf + got, size - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!waitFd(fd_, POLLIN, deadline)) {
          return fail(ErrorCode::kTimeout, fmt::format("no reply within {} ms", timeout_.count()));
        }
      } else {
        return fail(ErrorCode::kDisplayUnavailable,
                    n == 0 ? "sway closed the connection; has it exited?"
                           : std::string("reading failed: ") + strerror(errno));
      }
    }
    return okStatus();
  };

  char header[kHeader];
  if (Status s = readExactly(header, sizeof header); !s) return s.error();
  if (std::memcmp(header, kMagic, sizeof kMagic) != 0) {
    return fail(ErrorCode::kInternal, "the reply does not start with \"i3-ipc\"");
  }
  uint32_t reply_len = 0, reply_type = 0;
  std::memcpy(&reply_len, header + sizeof kMagic, 4);
  std::memcpy(&reply_type, header + sizeof kMagic + 4, 4);
  if (reply_len > kMaxReply) {
    return fail(ErrorCode::kInternal,
                fmt::format("reply of {} bytes is over the {} byte limit", reply_len, kMaxReply));
  }
  if (reply_type != type) {
    // An event we never subscribed to, or another client's reply: not something to guess about.
    return fail(ErrorCode::kInternal,
                fmt::format("reply of type {} to a request of type {}", reply_type, t));
  }
  std::string reply(reply_len, '\0');
  if (Status s = readExactly(reply.data(), reply.size()); !s) return s.error();
  return reply;
}

Result<Box> SwayIpc::focusedWindowRect() {
  Result<std::string> tree = request(kGetTree);
  if (!tree) return tree.error();
  return focusedWindowRectInTree(*tree);
}

Result<std::vector<std::string>> SwayIpc::inactiveOutputs() {
  Result<std::string> outputs = request(kGetOutputs);
  if (!outputs) return outputs.error();
  return inactiveOutputsIn(*outputs);
}

Result<std::vector<std::string>> inactiveOutputsIn(std::string_view outputs_json) try {
  nlohmann::json outputs = nlohmann::json::parse(outputs_json, nullptr, false);
  if (outputs.is_discarded() || !outputs.is_array()) {
    return makeError(ErrorCode::kInternal, "sway's GET_OUTPUTS reply is not an array");
  }
  std::vector<std::string> names;
  for (const auto& o : outputs) {
    if (o.is_object() && !o.value("active", true)) names.push_back(o.value("name", ""));
  }
  return names;
} catch (const nlohmann::json::exception& e) {
  return makeError(ErrorCode::kInternal,
                   std::string("sway's GET_OUTPUTS reply has an unexpected shape: ") + e.what());
}

Result<Box> focusedWindowRectInTree(std::string_view tree_json) try {
  nlohmann::json tree = nlohmann::json::parse(tree_json, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded() || !tree.is_object() || tree.value("type", "") != "root") {
    return makeError(ErrorCode::kInternal,
                     "sway's GET_TREE reply is not a layout tree (no root node)");
  }
  const nlohmann::json* focused = findFocused(tree, 0);
  if (focused == nullptr) {
    return makeError(ErrorCode::kInvalidArgument,
                     "no window is focused on sway; click a window, or read the screen instead");
  }
  const std::string type = focused->value("type", "");
  if (type != "con" && type != "floating_con") {
    return makeError(ErrorCode::kInvalidArgument,
                     "no window is focused on sway (the focus is on an empty " +
                         (type.empty() ? std::string("node") : type) +
                         "); open or click a window, or read the screen instead");
  }
  auto rect = focused->find("rect");
  if (rect == focused->end() || !rect->is_object()) {
    return makeError(ErrorCode::kInternal, "sway's focused window has no rect");
  }
  Box box;
  box.x = rect->value("x", 0);
  box.y = rect->value("y", 0);
  box.w = rect->value("width", 0);
  box.h = rect->value("height", 0);
  if (box.w <= 0 || box.h <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "sway's focused window has no area (hidden or in the scratchpad)");
  }
  return box;
} catch (const nlohmann::json::exception& e) {
  // value() throws when a field has another type than sway documents.
  return makeError(ErrorCode::kInternal,
                   std::string("sway's GET_TREE reply has an unexpected shape: ") + e.what());
}

}  // namespace liseur
