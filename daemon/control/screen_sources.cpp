#include "control/screen_sources.h"

#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

#include "capture/capture.h"
#include "input/pointer.h"
#ifdef LISEUR_HAVE_WAYLAND
#include "capture/wlr_screencopy.h"
#include "input/wlr_pointer.h"
#endif
#ifdef LISEUR_HAVE_PORTAL
#include "capture/portal_screenshot.h"
#endif

namespace liseur {

namespace {

bool knownBackend(const std::string& b) {
  for (const char* k : kCaptureBackends)
    if (b == k) return true;
  return false;
}

Result<std::unique_ptr<ScreenGrabber>> openX11(const DisplayEnv& env) {
  auto s = ScreenCapture::open(env.display);
  if (!s) return s.error();
  return std::unique_ptr<ScreenGrabber>(std::move(*s));
}

Result<std::unique_ptr<ScreenGrabber>> openScreencopy(const DisplayEnv& env) {
#ifdef LISEUR_HAVE_WAYLAND
  std::string socket = env.waylandSocket();
  if (socket.empty())
    return makeError(ErrorCode::kDisplayUnavailable,
                     env.wayland()
                         ? "WAYLAND_DISPLAY=" + env.wayland_display +
                               " is relative but XDG_RUNTIME_DIR is not set"
                         : std::string("no Wayland session (WAYLAND_DISPLAY is not set)"));
  auto s = WlrScreencopy::open(socket);
  if (!s) return s.error();
  (*s)->setSwaySocket(env.swaysock);
  return std::unique_ptr<ScreenGrabber>(std::move(*s));
#else
  (void)env;
  return makeError(ErrorCode::kCaptureUnsupported,
                   "this liseurd was built without Wayland screen capture");
#endif
}

Result<std::unique_ptr<ScreenGrabber>> openPortal(const DisplayEnv& env) {
#ifdef LISEUR_HAVE_PORTAL
  auto s = PortalScreenshot::open(env.dbus_address);
  if (!s) return s.error();
  return std::unique_ptr<ScreenGrabber>(std::move(*s));
#else
  (void)env;
  return makeError(ErrorCode::kCaptureUnsupported,
                   "this liseurd was built without the Screenshot portal");
#endif
}

Result<std::unique_ptr<ScreenGrabber>> openGrabber(const DisplayEnv& env,
                                                   const std::string& backend) {
  if (backend == "x11") return openX11(env);
  if (backend == "wlr-screencopy") return openScreencopy(env);
  if (backend == "portal") return openPortal(env);
  // auto
  if (env.wayland()) {
    auto wlr = openScreencopy(env);
    if (wlr || wlr.error().code != ErrorCode::kCaptureUnsupported) return wlr;
    auto portal = openPortal(env);
    if (portal) return portal;
    return makeError(ErrorCode::kCaptureUnsupported,
                     "cannot capture the screen of this Wayland session (" + env.desktopName() +
                         "): " + wlr.error().message +
                         "; and the Screenshot portal: " + portal.error().message +
                         ". Install xdg-desktop-portal and the portal of your desktop "
                         "(xdg-desktop-portal-gnome, -kde or -wlr)");
  }
  if (env.x11()) return openX11(env);
  return makeError(ErrorCode::kDisplayUnavailable,
                   "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set for the "
                   "daemon, and no client has sent one yet (run a liseur command from the "
                   "desktop, or 'systemctl --user import-environment WAYLAND_DISPLAY DISPLAY')");
}

}  // namespace

ScreenSources::ScreenSources(EventLoop& loop, DisplayEnv env) : loop_(loop), env_(std::move(env)) {}

ScreenSources::~ScreenSources() {
  cancelPending();
  if (portalThread_.joinable()) portalThread_.join();
}

void ScreenSources::setEnvironment(DisplayEnv env) {
  if (env == env_) return;
  cancelPending();
  if (portalThread_.joinable()) portalThread_.join();
  env_ = std::move(env);
  grabber_.reset();
  pointer_.reset();
  lastError_.reset();
  unreachable_ = false;
}

void ScreenSources::setBackend(std::string backend) {
  if (!knownBackend(backend)) backend = "auto";  // the schema has checked it already
  if (backend == backend_) return;
  cancelPending();
  if (portalThread_.joinable()) portalThread_.join();
  backend_ = std::move(backend);
  grabber_.reset();
}

Result<ScreenGrabber*> ScreenSources::grabber() {
  if (grabber_ && grabber_->lost()) grabber_.reset();  // the display went away: try a new one
  if (!grabber_) {
    auto g = openGrabber(env_, backend_);
    if (!g) {
      lastError_ = g.error();
      unreachable_ = g.error().code == ErrorCode::kDisplayUnavailable;
      return g.error();
    }
    grabber_ = std::move(*g);
    lastError_.reset();
    unreachable_ = false;
    spdlog::info("capture: {} ({})", grabber_->backend(), grabber_->describe());
  }
  return grabber_.get();
}

Result<ScreenCapture*> ScreenSources::x11Screen() {
  auto g = grabber();
  if (!g) return g.error();
  if (auto* x = dynamic_cast<ScreenCapture*>(*g)) return x;
  return makeError(ErrorCode::kCaptureUnsupported,
                   "watching a window follows an X11 window; on this " + (*g)->backend() +
                       " session (" + env_.desktopName() +
                       ") watch a region ('liseur watch region X,Y,W,H') or the screen");
}

Result<PointerDevice*> ScreenSources::pointerDevice() {
  if (pointer_ && pointer_->lost()) pointer_.reset();
  if (pointer_) return pointer_.get();
  if (env_.wayland()) {
    auto p = openWaylandPointer();
    if (!p) return p.error();
    pointer_ = std::move(*p);
    return pointer_.get();
  }
  auto p = Pointer::open(env_.display);
  if (!p) return p.error();
  pointer_ = std::move(*p);
  return pointer_.get();
}

Result<std::unique_ptr<PointerDevice>> ScreenSources::openWaylandPointer() {
  const auto impossible = [&](const std::string& why) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     "moving or clicking the pointer is not possible on this Wayland session (" +
                         env_.desktopName() + "): " + why + "; use the keyboard");
  };
#ifdef LISEUR_HAVE_WAYLAND
  // The virtual pointer works in the screen capture's coordinates, so it needs the wlroots
  // capture: on GNOME and KDE (the portal) there is no protocol a program may use unasked.
  auto g = grabber();
  if (!g) return g.error();
  if (dynamic_cast<WlrScreencopy*>(*g) == nullptr)
    return impossible(
        "the desktop lets programs move the pointer only through its "
        "RemoteDesktop portal, which asks the user each time");
  auto screencopy = [this]() -> Result<WlrScreencopy*> {
    auto g = grabber();
    if (!g) return g.error();
    if (auto* w = dynamic_cast<WlrScreencopy*>(*g)) return w;
    return makeError(ErrorCode::kCaptureUnsupported, "the screen capture is no longer wlroots'");
  };
  auto outputs = [screencopy]() -> Result<std::vector<WaylandOutput>> {
    auto w = screencopy();
    if (!w) return w.error();
    return (*w)->outputs();
  };
  auto locate = [screencopy]() -> Result<Point> {
    auto w = screencopy();
    if (!w) return w.error();
    auto at = (*w)->pointerPosition();
    if (!at) return at.error();
    return Point{at->first, at->second};
  };
  auto p = WlrVirtualPointer::open(env_.waylandSocket(), outputs, locate);
  if (!p) return p.error();
  return std::unique_ptr<PointerDevice>(std::move(*p));
#else
  return impossible("this liseurd was built without Wayland");
#endif
}

Status ScreenSources::fill(const std::string& source, const std::string& region, CapturedImage img,
                           JobRequest& request) {
  request.source = source == "region" ? "region " + region : source;
  request.origin = img.origin;
  if (!img.encoded.empty()) {
    request.image_bytes = std::move(img.encoded_bytes);
    request.encoded = img.encoded;
    request.crop = img.crop;
    request.screenshot = true;
    return okStatus();
  }
  request.width = img.width;
  request.height = img.height;
  request.stride = img.stride;
  request.image_bytes = std::move(img.bgra);
  if (img.pointer_x >= 0) {
    request.focus_x = img.pointer_x;
    request.focus_y = img.pointer_y;
  }
  return okStatus();
}

void ScreenSources::capture(const std::string& source, const std::string& region,
                            JobRequest request, CaptureDone done) {
  auto fail = [&](Error e) { done(Status(std::move(e)), std::move(request)); };
  if (source != "screen" && source != "window" && source != "pointer" && source != "region" &&
      source != "clipboard")
    return fail(makeError(ErrorCode::kInvalidArgument,
                          "unknown source '" + source +
                              "' (one of: file, screen, window, pointer, region, clipboard)"));
  std::optional<Box> box;
  if (source == "region") {
    auto b = parseRegion(region);
    if (!b) return fail(b.error());
    box = *b;
  }
  auto g = grabber();
  if (!g) return fail(g.error());
  if ((*g)->slow()) return capturePortal(source, region, std::move(request), std::move(done));

  ScreenGrabber& s = **g;
  if (source == "clipboard") {
    auto png = s.clipboardPng(std::chrono::seconds(2), 64u << 20);
    if (!png) return fail(png.error());
    request.image_bytes = std::move(*png);
    request.encoded = "png";
    request.source = "clipboard";
    return done(okStatus(), std::move(request));
  }
  Result<CapturedImage> img = source == "screen"   ? s.captureScreen()
                              : source == "window" ? s.captureActiveWindow()
                              : source == "pointer"
                                  ? s.captureAroundPointer(kPointerAreaWidth, kPointerAreaHeight)
                                  : s.captureRegion(*box);
  if (!img) return fail(img.error());
  Status st = fill(source, region, std::move(*img), request);
  done(std::move(st), std::move(request));
}

void ScreenSources::capturePortal(const std::string& source, const std::string& region,
                                  JobRequest request, CaptureDone done) {
  if (pendingDone_)
    return done(makeError(ErrorCode::kBusy,
                          "a screenshot is already being taken (the desktop may be asking "
                          "whether liseur may take it)"),
                std::move(request));
  if (portalThread_.joinable()) portalThread_.join();  // the last one has posted its result
  auto live = std::make_shared<bool>(true);
  portalLive_ = live;
  pendingDone_ = std::move(done);
  pendingRequest_ = std::move(request);
  ScreenGrabber* g = grabber_.get();
  portalThread_ = std::thread([this, g, live, source, region] {
    Result<CapturedImage> img = makeError(ErrorCode::kInternal, "");
    if (source == "screen")
      img = g->captureScreen();
    else if (source == "window")
      img = g->captureActiveWindow();
    else if (source == "pointer")
      img = g->captureAroundPointer(kPointerAreaWidth, kPointerAreaHeight);
    else if (source == "region") {
      auto box = parseRegion(region);
      img = box ? g->captureRegion(*box) : Result<CapturedImage>(box.error());
    } else {
      auto png = g->clipboardPng(std::chrono::seconds(2), 64u << 20);
      if (png) {
        CapturedImage c;
        c.encoded = "png";
        c.encoded_bytes = std::move(*png);
        img = std::move(c);
      } else {
        img = png.error();
      }
    }
    // `this` is alive while `live` is true: the destructor and cancelPending clear it on the
    // loop thread, where the posted closure runs too.
    loop_.post([this, live, source, region, img = std::move(img)]() mutable {
      if (!*live) return;  // stopped, or the session changed: already answered
      *live = false;
      CaptureDone done = std::move(pendingDone_);
      pendingDone_ = nullptr;
      JobRequest request = std::move(pendingRequest_);
      if (!img) return done(img.error(), std::move(request));
      Status st = fill(source, region, std::move(*img), request);
      if (source == "clipboard") request.screenshot = false;
      done(std::move(st), std::move(request));
    });
  });
}

void ScreenSources::cancelPending() {
  if (!portalLive_ || !*portalLive_) return;
  *portalLive_ = false;
  if (grabber_) grabber_->cancel();
  // Answered now: the request that waited for the picture ends as stopped.
  CaptureDone done = std::move(pendingDone_);
  pendingDone_ = nullptr;
  if (done)
    done(makeError(ErrorCode::kCancelled, "stopped before the screenshot came"),
         std::move(pendingRequest_));
}

Result<WatchTarget> ScreenSources::watchTarget(const std::string& source,
                                               const std::string& region) {
  auto g = grabber();
  if (!g) return g.error();
  if ((*g)->slow())
    return makeError(ErrorCode::kCaptureUnsupported,
                     "watching is not possible through the Screenshot portal (" +
                         env_.desktopName() +
                         " would be asked for every look); use 'liseur "
                         "read' each time, or a wlroots compositor or X11 session");
  WatchTarget t;
  if (source == "window") {
    auto scr = x11Screen();
    if (!scr) return scr.error();
    auto id = (*scr)->activeWindow();
    if (!id) return id.error();
    const unsigned long win = *id;
    char name[32];
    std::snprintf(name, sizeof name, "window 0x%lx", win);
    t.description = name;
    t.capture = [this, win]() -> Result<CapturedImage> {
      auto s = x11Screen();
      if (!s) return s.error();
      return (*s)->captureWindow(win);
    };
    t.ended = [this, win, desc = t.description]() -> std::optional<Error> {
      auto s = x11Screen();
      if (!s) return s.error();
      auto exists = (*s)->windowExists(win);
      if (!exists) return exists.error();
      if (!*exists)
        return makeError(ErrorCode::kInvalidArgument, "the watched " + desc + " was closed");
      return std::nullopt;
    };
    return t;
  }
  std::optional<Box> box;
  if (source == "region") {
    auto b = parseRegion(region);
    if (!b) return b.error();
    box = *b;
    t.description = "region " + region;
  } else if (source == "screen") {
    t.description = "screen";
  } else {
    return makeError(ErrorCode::kInvalidArgument,
                     "watch: unknown source '" + source + "' (one of: window, region, screen)");
  }
  t.capture = [this, box]() -> Result<CapturedImage> {
    auto s = grabber();
    if (!s) return s.error();
    return box ? (*s)->captureRegion(*box) : (*s)->captureScreen();
  };
  // A region or the screen never goes away; only the display can.
  t.ended = [this]() -> std::optional<Error> {
    auto s = grabber();
    if (!s) return s.error();
    return std::nullopt;
  };
  // Check the region once now, so a region outside the screen is refused at once.
  if (auto first = t.capture(); !first) return first.error();
  return t;
}

Status ScreenSources::pointAt(const Box& box, bool click) {
  auto p = pointerDevice();
  if (!p) return p.error();
  Point centre{box.x + box.w / 2, box.y + box.h / 2};
  if (click) return (*p)->clickAt(centre, 1, 1);
  return (*p)->moveTo(centre);
}

Result<std::pair<int, int>> ScreenSources::nudgePointer(int dx, int dy) {
  auto p = pointerDevice();
  if (!p) return p.error();
  auto pos = (*p)->moveBy(dx, dy);
  if (!pos) return pos.error();
  return std::make_pair(pos->x, pos->y);
}

Result<std::pair<int, int>> ScreenSources::pointer() {
  auto p = pointerDevice();
  if (!p) return p.error();
  auto pos = (*p)->position();
  if (!pos) return pos.error();
  return std::make_pair(pos->x, pos->y);
}

nlohmann::json ScreenSources::status() const {
  nlohmann::json s;
  s["backend_setting"] = backend_;
  s["wayland"] = env_.wayland();
  s["desktop"] = env_.desktopName();
  if (grabber_ && !grabber_->lost()) {
    s["backend"] = grabber_->backend();
    s["target"] = grabber_->describe();
  } else {
    s["backend"] = nullptr;
    if (lastError_) s["error"] = lastError_->message;
  }
  return s;
}

}  // namespace liseur
