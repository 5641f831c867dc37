// ScreenGrabber: one way of getting the screen's pixels. Three exist:
//   "x11"             ScreenCapture (capture.h): XShm/XGetImage on an X server (or Xwayland,
//                     which only shows X11 windows, so it is never chosen on a Wayland session);
//   "wlr-screencopy"  WlrScreencopy (wlr_screencopy.h): the wlroots screencopy protocol, on sway,
//                     Hyprland, labwc, river... straight from the compositor, no dialog;
//   "portal"          PortalScreenshot (portal_screenshot.h): xdg-desktop-portal's Screenshot
//                     portal over D-Bus (GNOME, KDE Plasma, and any desktop with a portal).
// Which one a session uses is chosen by openGrabber (display_session.h) from the session's
// environment and the `capture.backend` key.
//
// Coordinates are the session's global desktop coordinates in device pixels (X11: the root
// window's; Wayland: the compositor's layout, each output's logical position scaled to its
// buffer). A scope a backend cannot serve (the active window where the compositor does not say
// which it is, the pointer where it cannot be seen) is an error, kCaptureUnsupported, that names
// the scope and the backend and says what to do instead; never a silent whole-screen capture.
//
// Threads: a grabber belongs to the thread that uses it. Calls block for at most their
// backend's timeout (a compositor frame, a portal reply).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.h"
#include "document/document.h"

namespace liseur {

struct CapturedImage;

class ScreenGrabber {
 public:
  virtual ~ScreenGrabber() = default;

  // "x11", "wlr-screencopy" or "portal" (shown by `liseur status`).
  virtual std::string backend() const = 0;
  // What the backend talks to, for status and errors: "X11 :0", "sway (wayland-1)", "GNOME
  // portal"... never window titles or screen text.
  virtual std::string describe() const = 0;
  // The connection went away (X server or compositor gone): every call now fails; drop this
  // object and open a new one.
  virtual bool lost() const = 0;

  // The whole desktop's bounding box.
  virtual Result<Box> desktopBox() = 0;
  virtual Result<CapturedImage> captureScreen() = 0;
  // `region` clipped to the desktop; an empty region, or one wholly outside, is an error naming it.
  virtual Result<CapturedImage> captureRegion(const Box& region) = 0;
  virtual Result<CapturedImage> captureActiveWindow() = 0;
  // The text under the pointer, or a width x height area centred on it (see
  // ScreenCapture::captureAroundPointer and capture/pointer_area.h), with
  // CapturedImage::pointer_x/y set.
  virtual Result<CapturedImage> captureAroundPointer(int width, int height) = 0;
  // The clipboard's image/png bytes, not decoded (the OCR worker decodes untrusted images).
  virtual Result<std::string> clipboardPng(std::chrono::milliseconds timeout,
                                           std::size_t max_bytes) = 0;

  // Thread-safe, may be called from another thread while a capture blocks: makes that capture
  // return soon (with kCancelled). Backends that never block long need not override it.
  virtual void cancel() {}
  // Whether a capture may block for long (a portal may ask the user): callers run it off their
  // event loop's thread.
  virtual bool slow() const { return false; }
};

// "x,y wxh": how errors and logs of every backend name a box of the screen.
inline std::string boxText(const Box& b) {
  return std::to_string(b.x) + "," + std::to_string(b.y) + " " + std::to_string(b.w) + "x" +
         std::to_string(b.h);
}

// The part of `a` inside `b`; an empty box when they do not meet. 64-bit sums: a region typed by
// a person may be near INT_MAX.
inline Box intersectBoxes(const Box& a, const Box& b) {
  const long long x0 = std::max<long long>(a.x, b.x), y0 = std::max<long long>(a.y, b.y);
  const long long x1 =
      std::min<long long>(static_cast<long long>(a.x) + a.w, static_cast<long long>(b.x) + b.w);
  const long long y1 =
      std::min<long long>(static_cast<long long>(a.y) + a.h, static_cast<long long>(b.y) + b.h);
  if (x1 <= x0 || y1 <= y0) return Box{};
  return Box{static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0),
             static_cast<int>(y1 - y0)};
}

}  // namespace liseur
