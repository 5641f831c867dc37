// The pointer on wlroots compositors (sway, Hyprland, labwc, river, Wayfire): moves and clicks
// through the wlr-virtual-pointer protocol (daemon/input/protocols/), which makes a pointer
// device of liseur's own on the compositor's seat, so applications see its moves and clicks as
// from a mouse. GNOME and KDE do not offer it (their RemoteDesktop portal asks the user for each
// session): there ScreenSources answers that the pointer cannot be moved.
//
// Coordinates are the screen capture's (WlrScreencopy: the layout in device pixels); a point is
// turned into the compositor's logical layout through the output that holds it, then sent as an
// absolute move over the whole layout. Wayland tells no client where the pointer is, so
// position() (and moveBy, which starts from it) asks `locate` (WlrScreencopy::pointerPosition,
// which finds the cursor in the frames; it fails where the cursor is drawn into every frame).
//
// Threads: the daemon's main thread; its own Wayland connection, waits bounded by a deadline
// (WaylandConnection). Errors: kDisplayUnavailable when no compositor answers or the connection
// broke (lost() is then true), kCaptureUnsupported when the compositor lacks the protocol (the
// message names it), kInvalidArgument for a point outside every output or a button Wayland has
// no click for, kTimeout for a compositor that does not answer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture/wlr_screencopy.h"
#include "core/result.h"
#include "input/pointer.h"

namespace liseur {

// Where a point of the capture's layout (device pixels) is in the compositor's logical layout,
// and that layout's bounding box: what an absolute move over the whole layout needs. An error
// names the point when no output holds it.
struct LogicalPoint {
  double x = 0, y = 0;  // logical layout coordinates
  Box layout;           // the union of the outputs' logical boxes
};
Result<LogicalPoint> toLogical(const std::vector<WaylandOutput>& outputs, Point device);

// The evdev code (linux/input-event-codes.h) of an X11-numbered button: 1 left, 2 middle,
// 3 right, 8 back, 9 forward; 0 for 4-7 (X11's scroll "buttons") and anything else.
unsigned evdevButton(int x11_button);

class WlrVirtualPointer : public PointerDevice {
 public:
  using Outputs = std::function<Result<std::vector<WaylandOutput>>()>;
  using Locate = std::function<Result<Point>()>;

  // Connects to `wayland_display` (as WaylandConnection::connect) and makes the virtual pointer
  // on the first seat. `outputs` gives the layout at each move (outputs may come and go);
  // `locate` says where the pointer is.
  static Result<std::unique_ptr<WlrVirtualPointer>> open(const std::string& wayland_display,
                                                         Outputs outputs, Locate locate);
  ~WlrVirtualPointer() override;
  WlrVirtualPointer(const WlrVirtualPointer&) = delete;
  WlrVirtualPointer& operator=(const WlrVirtualPointer&) = delete;

  bool lost() const override;
  Result<Point> position() override;
  Status moveTo(Point p) override;
  Result<Point> moveBy(int dx, int dy) override;
  Status click(int button = 1, int count = 1) override;

  struct Impl;

 private:
  explicit WlrVirtualPointer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liseur
