#include "input/pointer.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#include <algorithm>

#include <fmt/format.h>

// Xlib's `#define Status int` would hide liseur::Status below.
#undef Status

namespace liseur {

Pointer::Pointer(X11Display dpy) : dpy_(std::move(dpy)) {}

Pointer::~Pointer() = default;

Result<std::unique_ptr<Pointer>> Pointer::open(const std::string& display) {
  auto dpy = X11Display::open(display);
  if (!dpy) return dpy.error();
  std::unique_ptr<Pointer> p(new Pointer(std::move(dpy.value())));
  int ev = 0, err = 0, major = 0, minor = 0;
  p->xtest_ = XTestQueryExtension(p->dpy_.get(), &ev, &err, &major, &minor);
  return p;
}

Result<Point> Pointer::position() {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  Window root = 0, child = 0;
  int x = 0, y = 0, wx = 0, wy = 0;
  unsigned mask = 0;
  if (!XQueryPointer(d, DefaultRootWindow(d), &root, &child, &x, &y, &wx, &wy, &mask)) {
    if (dpy_.lost()) return dpy_.lostError();
    return makeError(ErrorCode::kInvalidArgument,
                     "the pointer is on another X screen of display '" + dpy_.name() + "'");
  }
  return Point{x, y};
}

Status Pointer::moveTo(Point p) {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  const int scr = DefaultScreen(d);
  const int w = DisplayWidth(d, scr), h = DisplayHeight(d, scr);
  if (p.x < 0 || p.y < 0 || p.x >= w || p.y >= h) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("point {},{} is outside the screen ({}x{})", p.x, p.y, w, h));
  }
  // XTest goes through the server's input path like a real mouse (applications see motion);
  // XWarpPointer is the fallback on servers without it.
  if (xtest_) {
    XTestFakeMotionEvent(d, scr, p.x, p.y, CurrentTime);
  } else {
    XWarpPointer(d, None, DefaultRootWindow(d), 0, 0, 0, 0, p.x, p.y);
  }
  XSync(d, False);
  if (dpy_.lost()) return dpy_.lostError();
  return okStatus();
}

Result<Point> Pointer::moveBy(int dx, int dy) {
  auto at = position();
  if (!at) return at;
  Display* d = dpy_.get();
  const int scr = DefaultScreen(d);
  const Point to{std::clamp(at->x + dx, 0, DisplayWidth(d, scr) - 1),
                 std::clamp(at->y + dy, 0, DisplayHeight(d, scr) - 1)};
  if (Status s = moveTo(to); !s) return s.error();
  return to;
}

Status Pointer::click(int button, int count) {
  if (dpy_.lost()) return dpy_.lostError();
  if (!xtest_) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the X server of display '" + dpy_.name() +
                         "' has no XTEST extension, so liseur cannot click");
  }
  if (Status s = checkClick(button, count); !s) return s;
  Display* d = dpy_.get();
  for (int i = 0; i < count; ++i) {
    XTestFakeButtonEvent(d, static_cast<unsigned>(button), True, CurrentTime);
    XTestFakeButtonEvent(d, static_cast<unsigned>(button), False, CurrentTime);
  }
  XSync(d, False);
  if (dpy_.lost()) return dpy_.lostError();
  return okStatus();
}

Status PointerDevice::checkClick(int button, int count) {
  if (button < 1 || button > 9 || count < 1 || count > 3) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("click with button {} x{}: button must be 1-9, count 1-3", button, count));
  }
  return okStatus();
}

}  // namespace liseur
