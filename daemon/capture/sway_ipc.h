// A client of sway's IPC (the i3-ipc binary protocol on a unix socket): enough to ask for the
// layout tree and run a command. Used for the active window on sway, which no Wayland protocol
// tells an ordinary client.
//
// Messages are "i3-ipc" + payload length + type (32-bit, native byte order) + JSON payload. Every
// read and write waits at most the timeout given to connect; replies over 32 MiB are refused (a
// tree with thousands of windows is a few MiB).
//
// Threads: a SwayIpc belongs to the thread that uses it. Errors: kDisplayUnavailable when no sway
// socket is found or it does not accept the connection, kTimeout when sway does not answer in
// time, kInternal for a malformed reply, kInvalidArgument when no window is focused.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "document/document.h"

namespace liseur {

class SwayIpc {
 public:
  enum Type : uint32_t { kRunCommand = 0, kGetOutputs = 3, kGetTree = 4, kGetVersion = 7 };

  // The socket: `socket_path`, else $SWAYSOCK, else the one sway made in $XDG_RUNTIME_DIR
  // (sway-ipc.<uid>.<pid>.sock of a running sway; the daemon started by systemd may lack
  // SWAYSOCK).
  static Result<SwayIpc> connect(const std::string& socket_path = "",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // The socket path connect would use, or "" when none is found.
  static std::string findSocket();

  SwayIpc(SwayIpc&& o) noexcept : fd_(o.fd_), timeout_(o.timeout_), path_(std::move(o.path_)) {
    o.fd_ = -1;
  }
  SwayIpc& operator=(SwayIpc&& o) noexcept;
  SwayIpc(const SwayIpc&) = delete;
  SwayIpc& operator=(const SwayIpc&) = delete;
  ~SwayIpc();

  const std::string& path() const { return path_; }
  // Sends one message and returns the reply's payload (JSON text).
  Result<std::string> request(Type type, std::string_view payload = {});
  // The focused window's `rect` (layout coordinates, decorations included) from GET_TREE.
  Result<Box> focusedWindowRect();
  // The names of the outputs sway reports inactive (GET_OUTPUTS, "active": false), which a
  // Wayland client alone cannot tell from live ones should their wl_output globals remain.
  Result<std::vector<std::string>> inactiveOutputs();

 private:
  SwayIpc(int fd, std::chrono::milliseconds timeout, std::string path)
      : fd_(fd), timeout_(timeout), path_(std::move(path)) {}
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string path_;
};

// The focused window's rect in a GET_TREE reply (exposed for tests). A focused workspace or
// output (nothing open there) is kInvalidArgument; text that is not a sway tree is kInternal.
Result<Box> focusedWindowRectInTree(std::string_view tree_json);
// The inactive outputs' names in a GET_OUTPUTS reply (exposed for tests); kInternal for text
// that is not an array of outputs.
Result<std::vector<std::string>> inactiveOutputsIn(std::string_view outputs_json);

}  // namespace liseur
