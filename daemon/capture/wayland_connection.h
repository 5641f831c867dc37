// One client connection to a Wayland compositor, shared by what liseur does on Wayland (screen
// capture in WlrScreencopy, the virtual pointer in input/wlr_pointer.h): connecting by name or
// path, waiting for events with a deadline, and noticing that the compositor went away.
//
// Threads: belongs to the thread that uses it; events are read and dispatched only inside
// dispatchUntil()/roundtrip(). Every wait is a poll on the connection's fd with a deadline, so a
// stopped compositor gives kTimeout, never a hang.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"

struct wl_display;

namespace liseur {

struct WaylandConnection {
  using Clock = std::chrono::steady_clock;

  wl_display* display = nullptr;
  std::string display_name;  // as given ("wayland-1") or an absolute socket path
  std::string compositor;    // guessWaylandCompositor(), for messages
  std::string purpose;       // what the connection is for, in messages: "capture", "pointer"
  std::chrono::milliseconds frame_timeout{2000};  // roundtrip()'s deadline
  bool lost = false;
  std::string lost_reason;

  WaylandConnection() = default;
  WaylandConnection(const WaylandConnection&) = delete;
  WaylandConnection& operator=(const WaylandConnection&) = delete;
  // Disconnects; objects made on the connection must be destroyed before.
  ~WaylandConnection();

  // Connects to `wayland_display` ("" = $WAYLAND_DISPLAY; a relative name is under
  // $XDG_RUNTIME_DIR, an absolute path is used as is). kDisplayUnavailable names the display,
  // the runtime directory and what to check.
  Status connect(const std::string& wayland_display);

  // "sway (wayland-1)"
  std::string where() const;
  // kDisplayUnavailable: the connection is gone, and why.
  Error lostError() const;
  // Records why the connection broke (a protocol error names the object), logs it once, and
  // returns lostError().
  Error markLost();

  // Reads and dispatches events until `done` or `deadline`. Never blocks past the deadline: the
  // socket is polled, and libwayland's read is only entered once poll says there is data.
  Status dispatchUntil(const std::function<bool()>& done, Clock::time_point deadline,
                       const std::string& waiting_for);
  // A wl_display.sync round trip within frame_timeout: every request sent before it has been
  // handled by the compositor, and every event it sent before its answer dispatched.
  Status roundtrip(const std::string& waiting_for);
};

}  // namespace liseur
