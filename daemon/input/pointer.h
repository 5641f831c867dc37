// Moving the pointer and clicking: "click where the word is" from review, reading the pointer's
// position and nudging it with arrow keys while marking a rectangle's corners.
//
// PointerDevice is what the daemon uses; two kinds implement it:
//   - Pointer (here), X11: moves and clicks go through the XTEST extension, so applications see
//     them as from the user's mouse; without XTEST, moves use XWarpPointer and clicks are an
//     error. Coordinates are screen pixels of the default X screen (as in
//     CapturedImage::origin).
//   - WlrVirtualPointer (input/wlr_pointer.h), wlroots compositors on Wayland.
//
// Threads: one thread (the daemon's main thread); each has its own display connection. Calls
// block briefly on the display server (one round trip, with a deadline on Wayland).
#pragma once

#include <memory>
#include <string>

#include "capture/x11_display.h"
#include "core/result.h"

namespace liseur {

struct Point {
  int x = 0, y = 0;
  bool operator==(const Point&) const = default;
};

class PointerDevice {
 public:
  virtual ~PointerDevice() = default;
  // The display went away: every call fails with an error naming it; open a new device.
  virtual bool lost() const = 0;
  // Where the pointer is now.
  virtual Result<Point> position() = 0;
  // Moves to `p`; an error names the point when it is outside the screen.
  virtual Status moveTo(Point p) = 0;
  // Moves by (dx, dy) from where it is, stopping at the screen's edges; returns where it landed.
  virtual Result<Point> moveBy(int dx, int dy) = 0;
  // Presses and releases `button` (1 left, 2 middle, 3 right) `count` times where the pointer is.
  virtual Status click(int button = 1, int count = 1) = 0;
  // moveTo then click.
  Status clickAt(Point p, int button = 1, int count = 1) {
    if (Status s = moveTo(p); !s) return s;
    return click(button, count);
  }
  // Checks click()'s arguments: button 1-9, count 1-3.
  static Status checkClick(int button, int count);
};

class Pointer : public PointerDevice {
 public:
  static Result<std::unique_ptr<Pointer>> open(const std::string& display = "");
  ~Pointer() override;
  Pointer(const Pointer&) = delete;
  Pointer& operator=(const Pointer&) = delete;

  bool hasXTest() const { return xtest_; }
  bool lost() const override { return dpy_.lost(); }
  // XQueryPointer on the root window.
  Result<Point> position() override;
  Status moveTo(Point p) override;
  Result<Point> moveBy(int dx, int dy) override;
  Status click(int button = 1, int count = 1) override;

 private:
  explicit Pointer(X11Display dpy);
  X11Display dpy_;
  bool xtest_ = false;
};

}  // namespace liseur
