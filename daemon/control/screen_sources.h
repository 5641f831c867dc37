// ScreenSources: turns `read`/`ocr` sources that are not files (screen, window, pointer, region,
// clipboard) into JobRequests with the captured pixels, and moves or clicks the pointer for
// "click where the word is". Main thread only.
//
// It talks to one graphical session, described by a DisplayEnv (core/display_env.h): the
// daemon's own, or one a client sent (DaemonCommands decides). The capture backend
// (capture/grabber.h) is chosen from that session and `capture.backend`:
//   auto            a Wayland session (WAYLAND_DISPLAY set) → the wlroots screencopy protocol
//                   when the compositor has it (sway, Hyprland, labwc...), else the Screenshot
//                   portal (GNOME, KDE Plasma); an X11 session → X11. Xwayland's DISPLAY is never
//                   used for capture on a Wayland session: it shows X11 windows only, so a read
//                   of a native window would be silently empty.
//   x11 | wlr-screencopy | portal   that one only (errors say why it cannot be used).
// Connections open lazily, on first use, and again after the display went away (an X server or
// compositor restart), so a daemon started outside a graphical session still reads files.
//
// The portal may take seconds (GNOME asks the user the first time): its screenshot is taken on a
// thread and `done` is called later on the loop; the other backends call `done` before
// capture() returns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "capture/capture.h"
#include "control/session.h"
#include "core/display_env.h"
#include "core/event_loop.h"
#include "core/result.h"

namespace liseur {

class PointerDevice;

// What a watched region captures at each tick (see control/watcher.h).
struct WatchTarget {
  std::string description;  // "window 0x1a00007", "region 10,20,600,200", "screen"
  std::function<Result<CapturedImage>()> capture;
  // Called after a failed capture: the reason the watch must end (the window was closed, the
  // display went away), or nothing when the failure may pass (a window minimised for a moment).
  std::function<std::optional<Error>()> ended;
};

// "Read under the pointer": the area around the pointer read when there is no text right under
// it; text under it is read whole, however wide (capture/pointer_area.h).
inline constexpr int kPointerAreaWidth = 900, kPointerAreaHeight = 360;

// The capture backends a `capture.backend` value may name.
inline constexpr const char* kCaptureBackends[] = {"auto", "x11", "wlr-screencopy", "portal"};

class ScreenSources {
 public:
  explicit ScreenSources(EventLoop& loop, DisplayEnv env = DisplayEnv::fromProcess());
  ~ScreenSources();  // abandons a pending portal screenshot and waits for its thread

  // The session to talk to from now on; open connections to another session are dropped.
  void setEnvironment(DisplayEnv env);
  const DisplayEnv& environment() const { return env_; }
  // One of kCaptureBackends; takes effect at the next capture.
  void setBackend(std::string backend);

  using CaptureDone = std::function<void(Status, JobRequest)>;
  // source: "screen", "window" (the active one), "pointer", "region" (with region "X,Y,W,H") or
  // "clipboard" (its image/png). Fills the request's image fields, source and origin and calls
  // `done` with it, or with an error naming the source (display-unavailable, capture-unsupported
  // for a scope this desktop cannot give, capture-refused, busy while another portal screenshot
  // is pending).
  void capture(const std::string& source, const std::string& region, JobRequest request,
               CaptureDone done);
  // `stop`: a pending portal screenshot is abandoned; its `done` is called at once with
  // kCancelled.
  void cancelPending();

  // What `liseur watch SOURCE` captures: "window" (the window active now, followed by its id
  // even when another one becomes active; X11 only), "region" (with region "X,Y,W,H") or
  // "screen". The portal cannot be watched (it would ask each time). Errors as for capture().
  Result<WatchTarget> watchTarget(const std::string& source, const std::string& region);
  // Moves the pointer to the centre of `box` (screen pixels), and clicks when `click`. On X11
  // through XTEST; on a wlroots compositor through its virtual pointer (input/wlr_pointer.h); on
  // GNOME and KDE Wayland an error says the desktop does not let programs move the pointer.
  Status pointAt(const Box& box, bool click);
  // Moves the pointer by (dx, dy), stopping at the screen's edges (arrow keys while marking a
  // rectangle); returns where it landed.
  Result<std::pair<int, int>> nudgePointer(int dx, int dy);
  // Where the pointer is (for marking the corners of a rectangle).
  Result<std::pair<int, int>> pointer();

  // For `status`: {"backend":"wlr-screencopy","target":"sway (wayland-1)","session":"client"}
  // once a capture opened one, else {"backend":null,"error":"..."} after a failure.
  nlohmann::json status() const;
  // True when the last attempt to reach the display failed because there is none (no DISPLAY
  // nor WAYLAND_DISPLAY, or nothing answers there): a client's session may then be adopted.
  bool displayUnreachable() const { return unreachable_; }

 private:
  Result<ScreenGrabber*> grabber();
  Result<ScreenCapture*> x11Screen();
  Result<PointerDevice*> pointerDevice();
  Result<std::unique_ptr<PointerDevice>> openWaylandPointer();
  Status fill(const std::string& source, const std::string& region, CapturedImage img,
              JobRequest& request);
  void capturePortal(const std::string& source, const std::string& region, JobRequest request,
                     CaptureDone done);

  EventLoop& loop_;
  DisplayEnv env_;
  std::string backend_ = "auto";
  std::unique_ptr<ScreenGrabber> grabber_;
  std::unique_ptr<PointerDevice> pointer_;
  std::optional<Error> lastError_;
  bool unreachable_ = false;
  // The portal's screenshot in flight: its thread, and a token the posted result checks so a
  // result that arrives after cancelPending() or destruction is dropped.
  std::thread portalThread_;
  std::shared_ptr<bool> portalLive_;
  CaptureDone pendingDone_;  // the request waiting for the portal's picture
  JobRequest pendingRequest_;
};

}  // namespace liseur
