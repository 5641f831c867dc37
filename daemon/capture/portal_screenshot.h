// PortalScreenshot: screen capture through xdg-desktop-portal's Screenshot portal
// (org.freedesktop.portal.Screenshot) over D-Bus, for Wayland desktops without wlr-screencopy
// (GNOME, KDE Plasma) and any desktop with a portal.
//
// What a capture does: Screenshot("", {handle_token, interactive: false}) on
// org.freedesktop.portal.Desktop; the portal answers with a Request::Response signal whose `uri`
// names a PNG file the desktop wrote. That file is read (file:// URIs only; a regular file owned
// by this user, opened without following a symlink, at most `maxFileBytes()`), and then
// **deleted**: the desktop wrote the screen to disk for us, and liseur keeps no screen text on
// disk. (GNOME saves these files in the user's Pictures folder; a screenshot the user takes
// themselves is never touched, only the file this request's answer names.) If reading fails
// (too large, an I/O error) the file is deleted all the same; a path that is a symlink, not a
// regular file, or another user's file is neither read nor deleted (the error says so).
//
// The result is a CapturedImage with `encoded` = "png" and `encoded_bytes` = the file's bytes as
// the portal wrote them, not decoded here (the OCR worker decodes untrusted images); width and
// height are 0. captureRegion captures the whole screen and sets `crop` to the region, unclipped
// (the size is unknown until the worker decodes the image; it clips, and rejects a region wholly
// outside). The portal cannot capture the active window or the pointer area without asking the
// user, so those scopes, the clipboard and desktopBox() fail with kCaptureUnsupported.
//
// What the user needs: xdg-desktop-portal and the desktop's backend (xdg-desktop-portal-gnome,
// -kde or -wlr) running on the session bus. GNOME may show a permission dialog the first time (a
// host program is identified by its systemd unit or .desktop file, org.liseur.Liseur.desktop);
// the wait for an answer is therefore long (30 s by default, setTimeout).
//
// Threads: a PortalScreenshot belongs to the thread that captures (the lead runs it on its own
// thread, not the daemon's epoll loop). A capture blocks that thread, iterating a private
// GMainContext (never GLib's default one) until the answer, the timeout or cancel(). cancel() is
// the one method that may be called from any thread: it ends the capture in progress (Request.Close
// is sent to the portal), which then fails with kCancelled; it does nothing when no capture runs.
//
// Errors: kDisplayUnavailable (no session bus), kCaptureUnsupported (no portal, no Screenshot
// interface, or a scope it cannot give; the message names the scope and what to use instead),
// kCaptureRefused (response 1: the user cancelled the dialog; response 2: the desktop refused or
// failed; the message says which), kTimeout (no answer in time, the request is then closed; or,
// from open(), a portal that does not start in time),
// kCancelled (cancel()), kImageTooLarge (a file over the limit), kFileUnreadable and
// kNotRegularFile (the answer's file cannot be read safely), kInvalidArgument (an empty region).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "capture/capture.h"
#include "capture/grabber.h"
#include "core/result.h"
#include "portal/portal_bus.h"

typedef struct _GMainContext GMainContext;

namespace liseur {

class PortalScreenshot : public ScreenGrabber {
 public:
  // "" = the session bus from DBUS_SESSION_BUS_ADDRESS; otherwise that D-Bus address. Fails
  // unless org.freedesktop.portal.Desktop answers and has the Screenshot interface.
  static Result<std::unique_ptr<PortalScreenshot>> open(const std::string& bus_address = "");
  ~PortalScreenshot() override;
  PortalScreenshot(const PortalScreenshot&) = delete;
  PortalScreenshot& operator=(const PortalScreenshot&) = delete;

  // How long a capture waits for the portal's answer (default 30 s: a permission dialog).
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // The largest PNG file accepted (default 64 MiB); a larger one is deleted, kImageTooLarge.
  void setMaxFileBytes(std::size_t bytes) { max_file_bytes_ = bytes; }
  std::size_t maxFileBytes() const { return max_file_bytes_; }
  // The Screenshot interface's version, read at open.
  std::uint32_t portalVersion() const { return version_; }

  std::string backend() const override { return "portal"; }
  std::string describe() const override;
  bool lost() const override { return bus_.closed(); }

  // Always kCaptureUnsupported: the portal does not tell the desktop's size without a capture.
  Result<Box> desktopBox() override;
  Result<CapturedImage> captureScreen() override;
  Result<CapturedImage> captureRegion(const Box& region) override;
  Result<CapturedImage> captureActiveWindow() override;
  Result<CapturedImage> captureAroundPointer(int width, int height) override;
  Result<std::string> clipboardPng(std::chrono::milliseconds timeout,
                                   std::size_t max_bytes) override;

  // Thread-safe: ends the capture in progress with kCancelled (Request.Close goes to the portal).
  void cancel() override;
  // A capture may wait for a dialog: run it off the event loop's thread.
  bool slow() const override { return true; }

 private:
  struct Pending;
  explicit PortalScreenshot(portal::PortalBus bus);
  Result<CapturedImage> shoot(const std::string& description);
  Result<std::string> takeFile(const std::string& uri);
  static void onResponse(GDBusConnection*, const char* sender, const char* path,
                         const char* interface, const char* signal, GVariant* params, void* self);

  portal::PortalBus bus_;
  GMainContext* ctx_ = nullptr;
  unsigned subscription_ = 0;
  std::uint32_t version_ = 0;
  std::chrono::milliseconds timeout_{30000};
  std::size_t max_file_bytes_ = 64u << 20;

  // The request being waited for; guarded by mu_ (cancel() reads it from another thread).
  std::mutex mu_;
  std::string waiting_path_;
  std::atomic<bool> cancel_{false};
  std::unique_ptr<Pending> answer_;  // set by onResponse on ctx_, read by shoot()
};

}  // namespace liseur
