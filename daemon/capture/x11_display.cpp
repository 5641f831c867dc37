#include "capture/x11_display.h"

#include <X11/Xlib.h>

#include <cstdlib>
#include <mutex>

#include "core/log.h"

namespace liseur {

namespace {

// The innermost trap of the calling thread. Xlib calls the error handler on the thread that reads
// the reply, which is the thread that issued the request and owns the trap.
thread_local X11ErrorTrap* t_current_trap = nullptr;

std::string envOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

struct X11ErrorTrapAccess {
  static int handler(Display* dpy, XErrorEvent* ev) {
    for (X11ErrorTrap* t = t_current_trap; t != nullptr; t = t->outer_) {
      if (t->dpy_ == dpy) {
        if (t->error_code_ == 0) {
          t->error_code_ = ev->error_code;
          t->request_code_ = ev->request_code;
        }
        return 0;
      }
    }
    // Outside any trap: a request we did not expect to fail. Keep running; the numbers are enough
    // to find the request (never log window contents or names).
    spdlog::warn("x11: unexpected X error {} on request {}.{} (resource 0x{:x})",
                 static_cast<int>(ev->error_code), static_cast<int>(ev->request_code),
                 static_cast<int>(ev->minor_code), static_cast<unsigned long>(ev->resourceid));
    return 0;
  }
};

namespace {

void installHandlerOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    XSetErrorHandler(&X11ErrorTrapAccess::handler);
    // The default I/O error handler prints to stderr; the exit handler below decides what happens
    // next, so stay quiet here and log once there.
    XSetIOErrorHandler([](Display*) { return 0; });
  });
}

// Called by Xlib instead of exit() when the connection breaks. Returning leaves the Display
// marked broken: later calls return at once without talking to the server.
void onConnectionLost(Display*, void* user_data) {
  bool* lost = static_cast<bool*>(user_data);
  if (!*lost) spdlog::warn("x11: the connection to the X server was lost");
  *lost = true;
}

}  // namespace

Result<X11Display> X11Display::open(const std::string& name) {
  installHandlerOnce();
  std::string display = name.empty() ? envOr("DISPLAY") : name;
  if (display.empty()) {
    std::string wayland = envOr("WAYLAND_DISPLAY");
    if (!wayland.empty()) {
      return makeError(
          ErrorCode::kDisplayUnavailable,
          "X11 capture and global hotkeys are unavailable on this Wayland session "
          "(WAYLAND_DISPLAY=" +
              wayland +
              ", DISPLAY is not set): bind the liseur commands (for example 'liseur read "
              "window' or 'liseur read pointer') in the desktop's own keyboard shortcut settings");
    }
    return makeError(ErrorCode::kDisplayUnavailable,
                     "X11 capture and global hotkeys are unavailable: DISPLAY is not set (is this "
                     "a graphical session?); the liseur commands can be bound in the desktop's own "
                     "keyboard shortcut settings");
  }
  Display* dpy = XOpenDisplay(display.c_str());
  if (dpy == nullptr) {
    return makeError(ErrorCode::kDisplayUnavailable,
                     "X11 capture is unavailable: cannot open X display '" + display +
                         "' (no server there, or not authorised: check DISPLAY and XAUTHORITY); "
                         "the liseur commands can be bound in the desktop's own keyboard "
                         "shortcut settings");
  }
  X11Display out;
  out.dpy_ = dpy;
  out.name_ = display;
  out.lost_ = std::make_unique<bool>(false);
  XSetIOErrorExitHandler(dpy, &onConnectionLost, out.lost_.get());
  if (!envOr("WAYLAND_DISPLAY").empty()) {
    spdlog::info("x11: display {} is Xwayland: capture and hotkeys only reach X11 applications",
                 display);
  }
  return out;
}

X11Display::~X11Display() {
  if (dpy_ != nullptr) XCloseDisplay(dpy_);
}

X11Display::X11Display(X11Display&& other) noexcept
    : dpy_(other.dpy_), name_(std::move(other.name_)), lost_(std::move(other.lost_)) {
  other.dpy_ = nullptr;
}

X11Display& X11Display::operator=(X11Display&& other) noexcept {
  if (this != &other) {
    if (dpy_ != nullptr) XCloseDisplay(dpy_);
    dpy_ = other.dpy_;
    name_ = std::move(other.name_);
    lost_ = std::move(other.lost_);
    other.dpy_ = nullptr;
  }
  return *this;
}

int X11Display::fd() const {
  return dpy_ ? ConnectionNumber(dpy_) : -1;
}

Error X11Display::lostError() const {
  return makeError(ErrorCode::kDisplayUnavailable,
                   "the X server of display '" + name_ +
                       "' has gone away (the graphical session ended or restarted)");
}

X11ErrorTrap::X11ErrorTrap(Display* dpy) : dpy_(dpy), outer_(t_current_trap) {
  installHandlerOnce();
  t_current_trap = this;
}

X11ErrorTrap::~X11ErrorTrap() {
  // Errors for requests sent inside the trap must arrive while it is still installed.
  XSync(dpy_, False);
  t_current_trap = outer_;
}

int X11ErrorTrap::sync() {
  XSync(dpy_, False);
  return error_code_;
}

std::string X11ErrorTrap::firstErrorText() const {
  if (error_code_ == 0) return "no error";
  char buf[160] = {};
  XGetErrorText(dpy_, error_code_, buf, sizeof buf);
  return std::string(buf) + " on request " + std::to_string(request_code_);
}

}  // namespace liseur
