#include "capture/wayland_connection.h"

#include <poll.h>
#include <wayland-client.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "capture/wlr_screencopy.h"
#include "core/log.h"

namespace liseur {

WaylandConnection::~WaylandConnection() {
  if (display != nullptr) wl_display_disconnect(display);
}

Status WaylandConnection::connect(const std::string& wayland_display) {
  const char* env_display = std::getenv("WAYLAND_DISPLAY");
  display_name = !wayland_display.empty() ? wayland_display
                 : env_display != nullptr ? env_display
                                          : "";
  compositor = guessWaylandCompositor();
  if (display_name.empty()) {
    return makeError(ErrorCode::kDisplayUnavailable,
                     "no Wayland display: WAYLAND_DISPLAY is not set; run liseur inside the "
                     "Wayland session (or import WAYLAND_DISPLAY into the systemd user manager)");
  }
  display = wl_display_connect(display_name.c_str());
  if (display == nullptr) {
    const int err = errno;
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    return makeError(
        ErrorCode::kDisplayUnavailable,
        fmt::format("cannot connect to the Wayland display {} ({}; XDG_RUNTIME_DIR={}): is the "
                    "compositor running, and is this its user?",
                    display_name, strerror(err != 0 ? err : ENOENT),
                    run != nullptr ? run : "unset"));
  }
  return okStatus();
}

std::string WaylandConnection::where() const {
  return fmt::format("{} ({})", compositor, display_name);
}

Error WaylandConnection::lostError() const {
  return makeError(ErrorCode::kDisplayUnavailable,
                   fmt::format("the connection to {} is gone ({}); the compositor exited or "
                               "restarted: open the {} again",
                               where(), lost_reason, purpose));
}

Error WaylandConnection::markLost() {
  if (!lost) {
    lost = true;
    const int err = wl_display_get_error(display);
    if (err == EPROTO) {
      const wl_interface* iface = nullptr;
      uint32_t id = 0;
      const uint32_t code = wl_display_get_protocol_error(display, &iface, &id);
      lost_reason = fmt::format("protocol error {} on {}", code,
                                iface != nullptr ? iface->name : "an unknown object");
    } else {
      lost_reason = strerror(err != 0 ? err : EPIPE);
    }
    spdlog::warn("{}: lost the Wayland connection to {}: {}", purpose, where(), lost_reason);
  }
  return lostError();
}

Status WaylandConnection::dispatchUntil(const std::function<bool()>& done,
                                        Clock::time_point deadline,
                                        const std::string& waiting_for) {
  if (lost) return lostError();
  const int fd = wl_display_get_fd(display);
  const auto budget = std::chrono::round<std::chrono::milliseconds>(deadline - Clock::now());
  while (!done()) {
    while (wl_display_prepare_read(display) != 0) {
      if (wl_display_dispatch_pending(display) < 0) return markLost();
      if (done()) return okStatus();
    }
    // Send our requests; a full socket (a very slow compositor) is waited on like a read.
    while (wl_display_flush(display) < 0) {
      if (errno != EAGAIN) {
        wl_display_cancel_read(display);
        return markLost();
      }
      pollfd p{fd, POLLOUT, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) {
        wl_display_cancel_read(display);
        return makeError(ErrorCode::kTimeout,
                         fmt::format("{} did not read our requests while we waited for {}", where(),
                                     waiting_for));
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    const int r = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) {
      wl_display_cancel_read(display);
      continue;
    }
    if (r == 0) {
      wl_display_cancel_read(display);
      return makeError(ErrorCode::kTimeout, fmt::format("{} did not send {} within {} ms", where(),
                                                        waiting_for, budget.count()));
    }
    if (wl_display_read_events(display) < 0) return markLost();
    if (wl_display_dispatch_pending(display) < 0) return markLost();
  }
  return okStatus();
}

Status WaylandConnection::roundtrip(const std::string& waiting_for) {
  if (lost) return lostError();
  bool done = false;
  wl_callback* cb = wl_display_sync(display);
  static const wl_callback_listener kListener = {
      [](void* data, wl_callback*, uint32_t) { *static_cast<bool*>(data) = true; }};
  wl_callback_add_listener(cb, &kListener, &done);
  Status s = dispatchUntil([&] { return done; }, Clock::now() + frame_timeout, waiting_for);
  wl_callback_destroy(cb);
  return s;
}

}  // namespace liseur
