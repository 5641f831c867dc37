// Opening an X11 display with errors a person can act on, and trapping X protocol errors.
//
// Xlib's default error handler prints and exits the process, which a daemon cannot afford: a
// window can vanish between two requests, another program can hold a key grab. The first
// X11Display::open installs a process-wide handler that records errors raised inside an
// X11ErrorTrap and logs (without any screen content) the ones raised outside. When the server
// itself goes away (the session ends, Xvfb is killed), Xlib would exit the process; each
// connection here instead marks itself lost() (XSetIOErrorExitHandler, libX11 >= 1.7), its calls
// fail fast, and the daemon keeps serving image files and the CLI.
//
// Threads: a Display is used by one thread at a time (the daemon's main thread). Traps nest per
// thread.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

typedef struct _XDisplay Display;

namespace liseur {

// Owns one connection to an X server (XCloseDisplay on destruction). Move-only.
class X11Display {
 public:
  // Connects to `name`, or to $DISPLAY when empty. Errors (kDisplayUnavailable):
  //  - a Wayland session without X ($WAYLAND_DISPLAY set, $DISPLAY unset): says that X11 capture
  //    and hotkeys are unavailable on Wayland and that `liseur` commands can be bound in the
  //    desktop's own keyboard shortcut settings;
  //  - no display at all, or one that cannot be opened: names the display.
  static Result<X11Display> open(const std::string& name = "");

  X11Display() = default;
  ~X11Display();
  X11Display(X11Display&& other) noexcept;
  X11Display& operator=(X11Display&& other) noexcept;
  X11Display(const X11Display&) = delete;
  X11Display& operator=(const X11Display&) = delete;

  Display* get() const { return dpy_; }
  const std::string& name() const { return name_; }
  // The connection's fd, for an event loop to poll (ConnectionNumber).
  int fd() const;
  // True once the connection to the server was lost; nothing more can be done with it (drop it,
  // and open a new one when the user asks again).
  bool lost() const { return lost_ && *lost_; }
  // The error to return when lost(): names the display.
  Error lostError() const;

 private:
  Display* dpy_ = nullptr;
  std::string name_;
  std::unique_ptr<bool> lost_;  // stable address for Xlib's exit handler
};

// Records X errors raised on `dpy` while it is alive. sync() waits for the server to process every
// request sent so far (XSync) and returns the first error's code (0 when none), e.g. BadAccess
// from XGrabKey. Create on the stack around the requests that may fail.
class X11ErrorTrap {
 public:
  explicit X11ErrorTrap(Display* dpy);
  ~X11ErrorTrap();
  X11ErrorTrap(const X11ErrorTrap&) = delete;
  X11ErrorTrap& operator=(const X11ErrorTrap&) = delete;

  int sync();
  // The first error seen so far without syncing (0 when none).
  int firstError() const { return error_code_; }
  // Xlib's name for the first error ("BadAccess (attempt to access private resource denied)").
  std::string firstErrorText() const;

 private:
  friend struct X11ErrorTrapAccess;  // the process-wide handler in x11_display.cpp
  Display* dpy_;
  X11ErrorTrap* outer_;
  int error_code_ = 0;
  int request_code_ = 0;
};

}  // namespace liseur
