// Moving the pointer and clicking on X11: "click where the word is" from review, reading the
// pointer's position and nudging it with arrow keys while marking a rectangle's corners.
//
// Moves and clicks go through the XTEST extension, so applications see them as from the user's
// mouse; without XTEST, moves use XWarpPointer and clicks are an error. Coordinates are screen
// pixels of the default X screen (as in CapturedImage::origin).
//
// Threads: one thread (the daemon's main thread); its own X connection. Calls block briefly on
// the X server (one round trip).
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

class Pointer {
 public:
  static Result<std::unique_ptr<Pointer>> open(const std::string& display = "");
  ~Pointer();
  Pointer(const Pointer&) = delete;
  Pointer& operator=(const Pointer&) = delete;

  bool hasXTest() const { return xtest_; }
  // The X server went away: every call fails with an error naming the display.
  bool lost() const { return dpy_.lost(); }

  // Where the pointer is now (XQueryPointer on the root window).
  Result<Point> position();
  // Moves to `p`; an error names the point when it is outside the screen.
  Status moveTo(Point p);
  // Moves by (dx, dy) from where it is, stopping at the screen's edges; returns where it landed.
  Result<Point> moveBy(int dx, int dy);
  // Presses and releases `button` (1 left, 2 middle, 3 right) `count` times where the pointer is.
  Status click(int button = 1, int count = 1);
  // moveTo then click.
  Status clickAt(Point p, int button = 1, int count = 1);

 private:
  explicit Pointer(X11Display dpy);
  X11Display dpy_;
  bool xtest_ = false;
};

}  // namespace liseur
