// Screen capture on wlroots compositors (sway, Hyprland, labwc, river, wayfire...) through the
// wlr-screencopy protocol (daemon/capture/protocols/), straight from the compositor, no dialog.
//
// Coordinates: the compositor's layout in device pixels. Each output's logical position
// (xdg-output) is multiplied by its scale (buffer width / logical width); with every output at
// scale 1, as on most screens, layout and device pixels are the same. Outputs of different
// scales side by side can leave gaps or overlaps in that space; each output is still captured
// at its own full resolution.
//
// Outputs: every wl_output global; on sway, less those its IPC reports inactive (should a
// switched-off output keep its global, nothing in the Wayland protocols would say it is off).
//
// What it serves:
//   - captureScreen: every output composed into one image of desktopBox() (black where no output
//     is); captureRegion: capture_output_region on each output the region crosses.
//   - captureActiveWindow: on sway only, the focused window's rect from sway's IPC (SwayIpc);
//     other compositors do not say which window is active to ordinary clients: kCaptureUnsupported.
//   - captureAroundPointer: no wlroots protocol tells a client where the pointer is, so each
//     output is captured without, with and again without the cursor composited (overlay_cursor)
//     and the cursor is found where only the middle capture differs (locateCursor). That needs a
//     hardware cursor plane, which the compositor composites only when asked; a software cursor
//     (drawn into every frame) or no cursor at all (no pointer device, as on wlroots' headless
//     backend) gives kCaptureUnsupported, which says what to read instead.
//   - clipboardPng: the regular clipboard's image/png through wlr-data-control (no focus or
//     window needed), bytes as sent, not decoded; kCaptureUnsupported without that protocol.
// Buffers are wl_shm (memfd) in XRGB/ARGB8888 (already B,G,R,A in memory) or XBGR/ABGR8888 (red
// and blue swapped); y-inverted frames are flipped; a rotated output (wl_output transform) is
// turned upright.
//
// Threads: a WlrScreencopy belongs to the thread that uses it; it has its own Wayland connection
// and dispatches it only inside its calls. Every wait is a poll on the connection's fd with a
// deadline (frameTimeout, 2 s by default, per frame): a call never blocks forever.
//
// Errors: kDisplayUnavailable when no compositor answers (no WAYLAND_DISPLAY, a stale socket) or
// the connection broke (then lost() is true: drop this object and open a new one);
// kCaptureUnsupported when the compositor lacks screencopy (the message names the compositor and
// points to the Screenshot portal) or cannot serve a scope; kInvalidArgument for an empty region
// or one outside every output, or no focused window; kTimeout when the compositor does not
// deliver a frame in time (or the clipboard's owner its image); kClipboardNoImage and
// kImageTooLarge as on X11; kInternal for shared-memory failures. Pixels never reach a log.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "capture/grabber.h"
#include "core/result.h"
#include "document/document.h"

namespace liseur {

struct CapturedImage;

// A compositor output as this client sees it.
struct WaylandOutput {
  std::string name;   // "HEADLESS-1", "eDP-1" (xdg-output or wl_output v4 name; "" if unknown)
  Box logical;        // position and size in the compositor's layout (logical pixels)
  Box device;         // where it is in device pixels (see the header comment)
  double scale = 1;   // device pixels per logical pixel
  int transform = 0;  // wl_output.transform (0 = normal, 1 = 90°, ...)
};

// Which compositor the environment points to, for messages: "sway" (SWAYSOCK), "Hyprland"
// (HYPRLAND_INSTANCE_SIGNATURE), else XDG_CURRENT_DESKTOP, else "this Wayland compositor".
std::string guessWaylandCompositor();

// Where the cursor is in three captures of the same output: `before` and `after` without the
// cursor, `with` with it composited. The cursor's pixels are those that differ in `with` from
// `before` while `before` and `after` agree (so a clock or a caret changing meanwhile is not
// taken for it). Returns their bounding box; an empty Box when there are none; kInternal when
// the images do not match in size; kCaptureUnsupported when the difference is larger than any
// cursor (256 px a side: the screen changed).
Result<Box> locateCursor(const CapturedImage& before, const CapturedImage& with,
                         const CapturedImage& after);

class WlrScreencopy : public ScreenGrabber {
 public:
  // Connects to `wayland_display` ("" = $WAYLAND_DISPLAY; a relative name is under
  // $XDG_RUNTIME_DIR, an absolute path is used as is) and binds the outputs, xdg-output,
  // wl_shm and zwlr_screencopy_manager_v1.
  static Result<std::unique_ptr<WlrScreencopy>> open(const std::string& wayland_display = "");
  ~WlrScreencopy() override;
  WlrScreencopy(const WlrScreencopy&) = delete;
  WlrScreencopy& operator=(const WlrScreencopy&) = delete;

  std::string backend() const override { return "wlr-screencopy"; }
  // "sway (wayland-1)"
  std::string describe() const override;
  bool lost() const override;

  // sway's IPC socket of this session (a client's SWAYSOCK, when the daemon's own environment is
  // another session's); "" keeps the one found from the environment.
  void setSwaySocket(const std::string& path);
  // Per-frame deadline (default 2 s).
  void setFrameTimeout(std::chrono::milliseconds timeout);
  // The outputs now (processes pending hot-plug events first).
  Result<std::vector<WaylandOutput>> outputs();

  Result<Box> desktopBox() override;
  Result<CapturedImage> captureScreen() override;
  Result<CapturedImage> captureRegion(const Box& region) override;
  Result<CapturedImage> captureActiveWindow() override;
  Result<CapturedImage> captureAroundPointer(int width, int height) override;
  Result<std::string> clipboardPng(std::chrono::milliseconds timeout,
                                   std::size_t max_bytes) override;

  // Where the cursor is, in device pixels, found as captureAroundPointer does (two captures of
  // each output, with and without the cursor).
  Result<std::pair<int, int>> pointerPosition();

  // The connection's state, opaque (public only for the .cpp's Wayland callbacks).
  struct Impl;

 private:
  explicit WlrScreencopy(std::unique_ptr<Impl> impl);
  Result<CapturedImage> grab(const Box& box, bool cursor, std::string description);

  std::unique_ptr<Impl> impl_;
};

}  // namespace liseur
