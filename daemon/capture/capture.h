// Screen capture on X11: the whole screen, a region, a window, the area around the pointer, the
// monitors (XRandR), and the clipboard's image.
//
// Pixels stay in memory: nothing here writes pixels to disk or logs them. Coordinates are screen
// pixels of the X screen's root window (with several monitors, one big root; on HiDPI, device
// pixels). MIT-SHM (XShm) is used when the server offers it for this connection, XGetImage
// otherwise (remote displays, a refused attach).
//
// Threads: a ScreenCapture belongs to the thread that uses it (the daemon's main thread); it has
// its own X connection, separate from the hotkeys'. Calls block on the X server (a capture is a
// few milliseconds; clipboardPng waits up to its timeout).
//
// Errors: kDisplayUnavailable without a usable X display (Wayland, none, the X server gone away),
// kInvalidArgument for what the caller can fix (an empty region, no active window, a window that
// closed), kClipboardNoImage when the clipboard holds no image/png, kTimeout when the clipboard
// owner does not answer, kImageTooLarge for an oversized clipboard image, kInternal for
// unexpected X failures.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "capture/grabber.h"
#include "capture/x11_display.h"
#include "core/result.h"
#include "document/document.h"

namespace liseur {

// 32-bit pixels in memory order B, G, R, A (A is 255), rows `stride` bytes apart (stride =
// width * 4 here). `origin` is where the image was on screen; `description` says what was
// captured, without any screen text (no window titles), for logs and events.
struct CapturedImage {
  int width = 0, height = 0, stride = 0;
  std::string bgra;
  Box origin;
  std::string description;
  // For captureAroundPointer: where the pointer was, in this image's pixels (so "the block under
  // the pointer" is the one containing this point); -1 otherwise.
  int pointer_x = -1, pointer_y = -1;
  // Set instead of `bgra` when the backend hands over an encoded file (the Screenshot portal
  // gives a PNG): the bytes as received, decoded by the OCR worker like any untrusted image, and
  // the part of it to read (`crop`, in that image's pixels; empty = all of it). width/height are
  // then 0 (unknown until decoded).
  std::string encoded;  // "" or the format: "png"
  std::string encoded_bytes;
  Box crop;
};

// Parses "X,Y,W,H" (as in `liseur read region 10,20,600,200`; spaces allowed, W and H > 0).
// Errors (kInvalidArgument) quote the text and say what was expected.
Result<Box> parseRegion(std::string_view text);

struct Monitor {
  std::string name;  // RandR output or monitor name ("HDMI-1", "screen")
  Box geometry;      // in screen pixels
  bool primary = false;
  int width_mm = 0, height_mm = 0;  // 0 when unknown
  // Horizontal dots per inch from the physical size, or 0 when unknown.
  double dpi() const;
};

enum class CaptureMethod {
  kAuto,      // XShm when available, else XGetImage
  kShm,       // XShm only (error if unavailable); for tests
  kGetImage,  // XGetImage only
};

class ScreenCapture : public ScreenGrabber {
 public:
  // Opens its own connection (see X11Display::open for the errors, including Wayland).
  static Result<std::unique_ptr<ScreenCapture>> open(const std::string& display = "");
  ~ScreenCapture() override;
  ScreenCapture(const ScreenCapture&) = delete;
  ScreenCapture& operator=(const ScreenCapture&) = delete;

  void setMethod(CaptureMethod method) { method_ = method; }
  // True when XShm works on this connection (checked at open).
  bool shmAvailable() const { return shm_ok_; }
  // The X server went away: every call now fails with an error naming the display. Drop this
  // object and open a new one later.
  bool lost() const override { return dpy_.lost(); }
  std::string backend() const override { return "x11"; }
  std::string describe() const override;
  Result<Box> desktopBox() override { return screenBox(); }

  // The X screen's root window in screen pixels (x = y = 0).
  Box screenBox() const;
  // The monitors (RandR 1.5 monitors, else active CRTCs, else the whole screen as one).
  std::vector<Monitor> monitors();

  Result<CapturedImage> captureScreen() override;
  // `region` is clipped to the screen; an empty region, or one wholly outside, is an error that
  // names it.
  Result<CapturedImage> captureRegion(const Box& region) override;
  // The window's own area (for a window manager's client window, its frame is outside it; a
  // client-side-decorated window's _GTK_FRAME_EXTENTS shadow is removed), as seen on screen
  // (what overlaps it is captured too), clipped to the screen.
  Result<CapturedImage> captureWindow(unsigned long window_id);
  // Whether the window still exists (false once it was destroyed, e.g. its program quit); an
  // error only when the display is gone.
  Result<bool> windowExists(unsigned long window_id);
  // _NET_ACTIVE_WINDOW; an error when the window manager does not publish it or no window is
  // active.
  Result<CapturedImage> captureActiveWindow() override;
  Result<unsigned long> activeWindow();
  // The text under the pointer, whole (capture/pointer_area.h: chosen in a band of the monitor
  // under the pointer); with no text there, a width x height rectangle centred on the pointer,
  // moved (not shrunk) to stay on that monitor, clipped only if the monitor is smaller, its
  // edges moved so that they cut no line.
  Result<CapturedImage> captureAroundPointer(int width, int height) override;

  // The CLIPBOARD selection as image/png: the PNG bytes as the owner sent them, not decoded
  // (decoding untrusted images is the OCR worker's job). At most `max_bytes`. Errors: no owner,
  // no image/png target (the message lists what is offered), the owner did not answer within
  // `timeout` (kTimeout), too large (kImageTooLarge).
  Result<std::string> clipboardPng(std::chrono::milliseconds timeout = std::chrono::seconds(2),
                                   std::size_t max_bytes = 64u << 20) override;

 private:
  struct Shm;
  explicit ScreenCapture(X11Display dpy);
  Result<CapturedImage> grab(const Box& box, std::string description);
  Result<CapturedImage> grabShm(const Box& box);
  Result<CapturedImage> grabGetImage(const Box& box);
  Status checkVisual();
  bool setUpShm();

  X11Display dpy_;
  CaptureMethod method_ = CaptureMethod::kAuto;
  bool shm_ok_ = false;
  std::unique_ptr<Shm> shm_;
  unsigned long clip_window_ = 0;  // created on first clipboard request
};

}  // namespace liseur
