#include "capture/capture.h"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xrandr.h>
#include <poll.h>
#include <sys/ipc.h>
#include <sys/shm.h>

// Xlib's `#define Status int` would hide liseur::Status below.
#undef Status

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "capture/pointer_area.h"
#include "core/log.h"

namespace liseur {

namespace {

bool contains(const Box& b, int x, int y) {
  return x >= b.x && y >= b.y && x < b.x + b.w && y < b.y + b.h;
}

int maskShift(unsigned long mask) {
  int s = 0;
  while (mask != 0 && (mask & 1) == 0) {
    mask >>= 1;
    ++s;
  }
  return s;
}

int maskBits(unsigned long mask) {
  int n = 0;
  for (; mask != 0; mask >>= 1) n += static_cast<int>(mask & 1);
  return n;
}

// Scales a channel of `bits` bits to 8 bits (a 5-bit 31 becomes 255, not 248).
uint8_t scaleTo8(unsigned long v, int bits) {
  if (bits >= 8) return static_cast<uint8_t>(v >> (bits - 8));
  const unsigned long max = (1ul << bits) - 1;
  return static_cast<uint8_t>((v * 255 + max / 2) / max);
}

// Copies an XImage into tightly packed B,G,R,A rows. The common case (32 bits per pixel, 8-bit
// channels in the usual places, little-endian image) is a row copy plus setting alpha, since a
// depth-24 server leaves the padding byte undefined.
void convertImage(XImage* img, CapturedImage& out) {
  const int w = img->width, h = img->height;
  out.width = w;
  out.height = h;
  out.stride = w * 4;
  out.bgra.resize(static_cast<std::size_t>(out.stride) * h);
  auto* dst = reinterpret_cast<unsigned char*>(out.bgra.data());
  const bool fast = img->bits_per_pixel == 32 && img->red_mask == 0xff0000 &&
                    img->green_mask == 0xff00 && img->blue_mask == 0xff &&
                    img->byte_order == LSBFirst;
  if (fast) {
    for (int y = 0; y < h; ++y) {
      const auto* src = reinterpret_cast<const unsigned char*>(img->data) +
                        static_cast<std::size_t>(y) * img->bytes_per_line;
      unsigned char* row = dst + static_cast<std::size_t>(y) * out.stride;
      std::memcpy(row, src, static_cast<std::size_t>(w) * 4);
      for (int x = 0; x < w; ++x) row[x * 4 + 3] = 0xff;
    }
    return;
  }
  // Other TrueColor layouts (depth 15/16, big-endian servers): slow but exact.
  const int rs = maskShift(img->red_mask), gs = maskShift(img->green_mask),
            bs = maskShift(img->blue_mask);
  const int rb = maskBits(img->red_mask), gb = maskBits(img->green_mask),
            bb = maskBits(img->blue_mask);
  for (int y = 0; y < h; ++y) {
    unsigned char* row = dst + static_cast<std::size_t>(y) * out.stride;
    for (int x = 0; x < w; ++x) {
      const unsigned long p = XGetPixel(img, x, y);
      row[x * 4 + 0] = scaleTo8((p & img->blue_mask) >> bs, bb);
      row[x * 4 + 1] = scaleTo8((p & img->green_mask) >> gs, gb);
      row[x * 4 + 2] = scaleTo8((p & img->red_mask) >> rs, rb);
      row[x * 4 + 3] = 0xff;
    }
  }
}

// Waits for an event matching `pred` on `dpy`, discarding others (this connection listens to
// nothing else), until `deadline`.
template <typename Pred>
bool waitForEvent(Display* dpy, XEvent& ev, std::chrono::steady_clock::time_point deadline,
                  Pred pred) {
  for (;;) {
    while (XPending(dpy) > 0) {
      XNextEvent(dpy, &ev);
      if (pred(ev)) return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{ConnectionNumber(dpy), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
  }
}

std::string atomName(Display* dpy, Atom a) {
  if (a == None) return "None";
  char* n = XGetAtomName(dpy, a);
  if (n == nullptr) return "?";
  std::string s(n);
  XFree(n);
  return s;
}

}  // namespace

Result<Box> parseRegion(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return Result<Box>::fail(ErrorCode::kInvalidArgument,
                             "region '" + std::string(text) + "': " + why);
  };
  long long v[4] = {};
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    const std::size_t start = pos;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 10) {
      v[i] = v[i] * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start || (pos == start + 1 && (text[start] == '-' || text[start] == '+'))) {
      return fail("expected X,Y,W,H (four whole numbers in screen pixels)");
    }
    // Screens are far smaller; this also keeps x + w within int.
    if ((pos < text.size() && text[pos] >= '0' && text[pos] <= '9') || v[i] > 1000000000) {
      return fail("number too large");
    }
    if (text[start] == '-') v[i] = -v[i];
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (i < 3) {
      if (pos >= text.size() || text[pos] != ',') {
        return fail("expected X,Y,W,H (four whole numbers in screen pixels)");
      }
      ++pos;
    }
  }
  if (pos != text.size()) return fail("unexpected text after the fourth number");
  if (v[2] <= 0 || v[3] <= 0) return fail("width and height must be greater than 0");
  return Box{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2]),
             static_cast<int>(v[3])};
}

double Monitor::dpi() const {
  if (width_mm <= 0 || geometry.w <= 0) return 0;
  return geometry.w * 25.4 / width_mm;
}

struct ScreenCapture::Shm {
  XShmSegmentInfo info{};
  std::size_t size = 0;
  bool attached = false;
};

ScreenCapture::ScreenCapture(X11Display dpy) : dpy_(std::move(dpy)) {}

Result<std::unique_ptr<ScreenCapture>> ScreenCapture::open(const std::string& display) {
  auto dpy = X11Display::open(display);
  if (!dpy) return dpy.error();
  std::unique_ptr<ScreenCapture> cap(new ScreenCapture(std::move(dpy.value())));
  if (Status s = cap->checkVisual(); !s) return s.error();
  cap->shm_ok_ = cap->setUpShm();
  spdlog::debug("capture: display {} opened, XShm {}", cap->dpy_.name(),
                cap->shm_ok_ ? "on" : "off");
  return cap;
}

ScreenCapture::~ScreenCapture() {
  Display* d = dpy_.get();
  if (d == nullptr) return;
  if (shm_ && shm_->attached) {
    XShmDetach(d, &shm_->info);
    XSync(d, False);
    shmdt(shm_->info.shmaddr);
  }
  if (clip_window_ != 0) XDestroyWindow(d, clip_window_);
}

Status ScreenCapture::checkVisual() {
  Display* d = dpy_.get();
  const int scr = DefaultScreen(d);
  Visual* v = DefaultVisual(d, scr);
  const int depth = DefaultDepth(d, scr);
  if (v->c_class != TrueColor && v->c_class != DirectColor) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("display '{}' uses a {}-bit palette visual (class {}); screen "
                                 "capture needs a TrueColor visual (depth 15, 16, 24 or 32)",
                                 dpy_.name(), depth, v->c_class));
  }
  if (depth != 15 && depth != 16 && depth != 24 && depth != 30 && depth != 32) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("display '{}' has depth {}; screen capture supports 15, 16, 24, "
                                 "30 and 32",
                                 dpy_.name(), depth));
  }
  return okStatus();
}

bool ScreenCapture::setUpShm() {
  Display* d = dpy_.get();
  int major = 0, minor = 0;
  Bool pixmaps = False;
  if (!XShmQueryExtension(d) || !XShmQueryVersion(d, &major, &minor, &pixmaps)) return false;
  // A one-page segment proves that the server can attach our memory (it cannot over ssh -X, or
  // from another container); the real one is sized on first use.
  shm_ = std::make_unique<Shm>();
  shm_->info.shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  if (shm_->info.shmid < 0) {
    shm_.reset();
    return false;
  }
  shm_->info.shmaddr = static_cast<char*>(shmat(shm_->info.shmid, nullptr, 0));
  shm_->info.readOnly = False;
  if (shm_->info.shmaddr == reinterpret_cast<char*>(-1)) {
    shmctl(shm_->info.shmid, IPC_RMID, nullptr);
    shm_.reset();
    return false;
  }
  int err = 0;
  {
    X11ErrorTrap trap(d);
    XShmAttach(d, &shm_->info);
    err = trap.sync();
  }
  // Marked for removal now: the kernel frees it when both we and the server detach, even if the
  // daemon is killed.
  shmctl(shm_->info.shmid, IPC_RMID, nullptr);
  if (err != 0) {
    shmdt(shm_->info.shmaddr);
    shm_.reset();
    return false;
  }
  shm_->size = 4096;
  shm_->attached = true;
  return true;
}

std::string ScreenCapture::describe() const {
  return "X11 " + dpy_.name();
}

Box ScreenCapture::screenBox() const {
  Display* d = dpy_.get();
  const int scr = DefaultScreen(d);
  return Box{0, 0, DisplayWidth(d, scr), DisplayHeight(d, scr)};
}

std::vector<Monitor> ScreenCapture::monitors() {
  Display* d = dpy_.get();
  const Window root = DefaultRootWindow(d);
  std::vector<Monitor> out;
  int ev_base = 0, err_base = 0, major = 0, minor = 0;
  if (XRRQueryExtension(d, &ev_base, &err_base) && XRRQueryVersion(d, &major, &minor)) {
    if (major > 1 || (major == 1 && minor >= 5)) {
      int n = 0;
      XRRMonitorInfo* mons = XRRGetMonitors(d, root, True, &n);
      for (int i = 0; mons != nullptr && i < n; ++i) {
        Monitor m;
        m.name = atomName(d, mons[i].name);
        m.geometry = Box{mons[i].x, mons[i].y, mons[i].width, mons[i].height};
        m.primary = mons[i].primary != 0;
        m.width_mm = mons[i].mwidth;
        m.height_mm = mons[i].mheight;
        out.push_back(std::move(m));
      }
      if (mons != nullptr) XRRFreeMonitors(mons);
    }
    if (out.empty()) {
      // RandR 1.2-1.4: one monitor per active CRTC, named after its first output.
      XRRScreenResources* res = XRRGetScreenResourcesCurrent(d, root);
      const RROutput primary = XRRGetOutputPrimary(d, root);
      for (int i = 0; res != nullptr && i < res->ncrtc; ++i) {
        XRRCrtcInfo* crtc = XRRGetCrtcInfo(d, res, res->crtcs[i]);
        if (crtc == nullptr) continue;
        if (crtc->mode != None && crtc->width > 0 && crtc->noutput > 0) {
          Monitor m;
          m.geometry =
              Box{crtc->x, crtc->y, static_cast<int>(crtc->width), static_cast<int>(crtc->height)};
          if (XRROutputInfo* o = XRRGetOutputInfo(d, res, crtc->outputs[0])) {
            m.name.assign(o->name, o->nameLen);
            m.width_mm = static_cast<int>(o->mm_width);
            m.height_mm = static_cast<int>(o->mm_height);
            XRRFreeOutputInfo(o);
          }
          m.primary = crtc->outputs[0] == primary;
          out.push_back(std::move(m));
        }
        XRRFreeCrtcInfo(crtc);
      }
      if (res != nullptr) XRRFreeScreenResources(res);
    }
  }
  if (out.empty()) {
    const int scr = DefaultScreen(d);
    Monitor m;
    m.name = "screen";
    m.geometry = screenBox();
    m.primary = true;
    m.width_mm = DisplayWidthMM(d, scr);
    m.height_mm = DisplayHeightMM(d, scr);
    out.push_back(std::move(m));
  }
  return out;
}

Result<CapturedImage> ScreenCapture::grab(const Box& box, std::string description) {
  if (dpy_.lost()) return dpy_.lostError();
  Result<CapturedImage> r = Error{};
  const bool use_shm = method_ != CaptureMethod::kGetImage && shm_ok_;
  if (method_ == CaptureMethod::kShm && !shm_ok_) {
    return makeError(
        ErrorCode::kInvalidArgument,
        "XShm capture was requested but MIT-SHM is unavailable on display '" + dpy_.name() + "'");
  }
  r = use_shm ? grabShm(box) : grabGetImage(box);
  if (dpy_.lost()) return dpy_.lostError();
  if (!r && use_shm && method_ == CaptureMethod::kAuto) {
    // A server can refuse shared memory later (e.g. after a reset); fall back for good.
    spdlog::info("capture: XShm failed ({}), using XGetImage", r.error().message);
    shm_ok_ = false;
    r = grabGetImage(box);
  }
  if (!r) return r;
  r->origin = box;
  r->description = std::move(description);
  return r;
}

Result<CapturedImage> ScreenCapture::grabShm(const Box& box) {
  Display* d = dpy_.get();
  const int scr = DefaultScreen(d);
  XImage* img = XShmCreateImage(d, DefaultVisual(d, scr), DefaultDepth(d, scr), ZPixmap, nullptr,
                                &shm_->info, box.w, box.h);
  if (img == nullptr) return makeError(ErrorCode::kInternal, "XShmCreateImage failed");
  const std::size_t need = static_cast<std::size_t>(img->bytes_per_line) * img->height;
  if (need > shm_->size) {
    // Grow to the new size (rounded to 1 MiB so a watched region that changes a little does not
    // reallocate every tick). Old segment detached first (none after a failed growth).
    if (shm_->attached) {
      XShmDetach(d, &shm_->info);
      XSync(d, False);
      shmdt(shm_->info.shmaddr);
      shm_->attached = false;
    }
    shm_->size = 0;
    const std::size_t size = (need + (1u << 20) - 1) & ~static_cast<std::size_t>((1u << 20) - 1);
    shm_->info.shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
    void* addr = shm_->info.shmid >= 0 ? shmat(shm_->info.shmid, nullptr, 0) : (void*)-1;
    if (addr == reinterpret_cast<void*>(-1)) {
      if (shm_->info.shmid >= 0) shmctl(shm_->info.shmid, IPC_RMID, nullptr);
      XDestroyImage(img);
      return makeError(ErrorCode::kInternal,
                       fmt::format("cannot allocate {} bytes of shared memory", size));
    }
    shm_->info.shmaddr = static_cast<char*>(addr);
    int err = 0;
    {
      X11ErrorTrap trap(d);
      XShmAttach(d, &shm_->info);
      err = trap.sync();
    }
    shmctl(shm_->info.shmid, IPC_RMID, nullptr);
    if (err != 0) {
      shmdt(addr);
      XDestroyImage(img);
      return makeError(ErrorCode::kInternal, "XShmAttach refused by the server");
    }
    shm_->attached = true;
    shm_->size = size;
  }
  img->data = shm_->info.shmaddr;
  int err = 0;
  Bool ok = False;
  {
    X11ErrorTrap trap(d);
    ok = XShmGetImage(d, DefaultRootWindow(d), img, box.x, box.y, AllPlanes);
    err = trap.sync();
  }
  if (!ok || err != 0) {
    img->data = nullptr;
    XDestroyImage(img);
    return makeError(ErrorCode::kInternal,
                     fmt::format("XShmGetImage of {} failed (X error {})", boxText(box), err));
  }
  CapturedImage out;
  convertImage(img, out);
  img->data = nullptr;  // the segment is ours, not the image's
  XDestroyImage(img);
  return out;
}

Result<CapturedImage> ScreenCapture::grabGetImage(const Box& box) {
  Display* d = dpy_.get();
  XImage* img = nullptr;
  int err = 0;
  {
    X11ErrorTrap trap(d);
    img = XGetImage(d, DefaultRootWindow(d), box.x, box.y, static_cast<unsigned>(box.w),
                    static_cast<unsigned>(box.h), AllPlanes, ZPixmap);
    err = trap.sync();
  }
  if (img == nullptr || err != 0) {
    if (img != nullptr) XDestroyImage(img);
    return makeError(ErrorCode::kInternal,
                     fmt::format("XGetImage of {} failed (X error {})", boxText(box), err));
  }
  CapturedImage out;
  convertImage(img, out);
  XDestroyImage(img);
  return out;
}

Result<CapturedImage> ScreenCapture::captureScreen() {
  const Box s = screenBox();
  return grab(s, fmt::format("screen {}x{}", s.w, s.h));
}

Result<CapturedImage> ScreenCapture::captureRegion(const Box& region) {
  const Box s = screenBox();
  if (region.w <= 0 || region.h <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("region {},{},{},{} is empty (width and height must be > 0)",
                                 region.x, region.y, region.w, region.h));
  }
  const Box clipped = intersectBoxes(region, s);
  if (clipped.w == 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("region {},{},{},{} is outside the screen (0,0,{},{})", region.x,
                                 region.y, region.w, region.h, s.w, s.h));
  }
  return grab(clipped, "region " + boxText(clipped));
}

Result<CapturedImage> ScreenCapture::captureWindow(unsigned long window_id) {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  const Window w = window_id;
  XWindowAttributes attrs{};
  Window child = 0;
  int rx = 0, ry = 0;
  Status status = okStatus();
  {
    X11ErrorTrap trap(d);
    if (!XGetWindowAttributes(d, w, &attrs) ||
        !XTranslateCoordinates(d, w, DefaultRootWindow(d), 0, 0, &rx, &ry, &child) ||
        trap.sync() != 0) {
      status =
          makeError(ErrorCode::kInvalidArgument,
                    fmt::format("window 0x{:x} does not exist (it may have closed)", window_id));
    }
  }
  if (!status) return status.error();
  if (attrs.map_state != IsViewable) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("window 0x{:x} is not visible (unmapped or minimised)", window_id));
  }
  Box box{rx, ry, attrs.width, attrs.height};
  // Client-side decorations draw a shadow inside the window and publish its size; the text is
  // inside it.
  Atom type = None;
  int format = 0;
  unsigned long n = 0, after = 0;
  unsigned char* data = nullptr;
  const Atom extents = XInternAtom(d, "_GTK_FRAME_EXTENTS", False);
  {
    X11ErrorTrap trap(d);
    if (XGetWindowProperty(d, w, extents, 0, 4, False, XA_CARDINAL, &type, &format, &n, &after,
                           &data) == Success &&
        type == XA_CARDINAL && format == 32 && n == 4) {
      const long* e = reinterpret_cast<const long*>(data);  // left, right, top, bottom
      const Box inner{box.x + static_cast<int>(e[0]), box.y + static_cast<int>(e[2]),
                      box.w - static_cast<int>(e[0] + e[1]), box.h - static_cast<int>(e[2] + e[3])};
      if (inner.w > 0 && inner.h > 0) box = inner;
    }
    if (data != nullptr) XFree(data);
  }
  const Box clipped = intersectBoxes(box, screenBox());
  if (clipped.w == 0) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("window 0x{:x} at {} is outside the screen", window_id, boxText(box)));
  }
  return grab(clipped, fmt::format("window 0x{:x} {}", window_id, boxText(clipped)));
}

Result<bool> ScreenCapture::windowExists(unsigned long window_id) {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  XWindowAttributes attrs;
  X11ErrorTrap trap(d);
  const bool ok = XGetWindowAttributes(d, static_cast<Window>(window_id), &attrs) != 0;
  const int err = trap.sync();
  if (dpy_.lost()) return dpy_.lostError();
  return ok && err == 0;
}

Result<unsigned long> ScreenCapture::activeWindow() {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  const Atom active = XInternAtom(d, "_NET_ACTIVE_WINDOW", False);
  Atom type = None;
  int format = 0;
  unsigned long n = 0, after = 0;
  unsigned char* data = nullptr;
  const int rc = XGetWindowProperty(d, DefaultRootWindow(d), active, 0, 1, False, XA_WINDOW, &type,
                                    &format, &n, &after, &data);
  unsigned long win = 0;
  const bool have = rc == Success && type == XA_WINDOW && format == 32 && n == 1;
  if (have) win = *reinterpret_cast<const unsigned long*>(data);
  if (data != nullptr) XFree(data);
  if (!have) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the window manager does not publish _NET_ACTIVE_WINDOW on display '" +
                         dpy_.name() +
                         "' (no window manager, or one without EWMH support): read 'screen', "
                         "'pointer' or a 'region' instead");
  }
  if (win == 0) return makeError(ErrorCode::kInvalidArgument, "no window is active");
  return win;
}

Result<CapturedImage> ScreenCapture::captureActiveWindow() {
  auto w = activeWindow();
  if (!w) return w.error();
  auto img = captureWindow(*w);
  if (img) img->description = "active " + img->description;
  return img;
}

Result<CapturedImage> ScreenCapture::captureAroundPointer(int width, int height) {
  if (width <= 0 || height <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("area around the pointer {}x{} is empty", width, height));
  }
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  Window root_ret = 0, child = 0;
  int px = 0, py = 0, wx = 0, wy = 0;
  unsigned mask = 0;
  if (!XQueryPointer(d, DefaultRootWindow(d), &root_ret, &child, &px, &py, &wx, &wy, &mask)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the pointer is on another X screen than the one captured");
  }
  Box area = screenBox();
  for (const Monitor& m : monitors()) {
    if (contains(m.geometry, px, py)) {
      area = m.geometry;
      break;
    }
  }
  // A band of the monitor, then the area with no line cut at its edges (pointer_area.h).
  const Box band = intersectBoxes(pointerBand(area, py, height), screenBox());
  if (band.w == 0 || !contains(band, px, py)) {
    return makeError(ErrorCode::kInternal,
                     fmt::format("pointer at {},{} is outside the screen", px, py));
  }
  auto img = grab(band, "");
  if (!img) return img;
  img->pointer_x = px - band.x;
  img->pointer_y = py - band.y;
  CapturedImage out =
      cropCaptured(*img, readableAreaAround(*img, img->pointer_x, img->pointer_y, width, height));
  out.description = fmt::format("around pointer {},{}: {}", px, py, boxText(out.origin));
  return out;
}

Result<std::string> ScreenCapture::clipboardPng(std::chrono::milliseconds timeout,
                                                std::size_t max_bytes) {
  if (dpy_.lost()) return dpy_.lostError();
  Display* d = dpy_.get();
  const Atom clipboard = XInternAtom(d, "CLIPBOARD", False);
  const Atom png = XInternAtom(d, "image/png", False);
  const Atom targets = XInternAtom(d, "TARGETS", False);
  const Atom incr = XInternAtom(d, "INCR", False);
  const Atom prop = XInternAtom(d, "LISEUR_CLIPBOARD", False);
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  if (XGetSelectionOwner(d, clipboard) == None) {
    return makeError(ErrorCode::kClipboardNoImage,
                     "the clipboard is empty (no program owns the CLIPBOARD selection)");
  }
  if (clip_window_ == 0) {
    clip_window_ = XCreateSimpleWindow(d, DefaultRootWindow(d), -10, -10, 1, 1, 0, 0, 0);
    XSelectInput(d, clip_window_, PropertyChangeMask);
  }
  // An answer to an earlier request that timed out must not be taken for this one.
  XSync(d, True);
  XDeleteProperty(d, clip_window_, prop);

  XEvent ev;
  auto convert = [&](Atom target) -> Result<bool> {
    XConvertSelection(d, clipboard, target, prop, clip_window_, CurrentTime);
    XFlush(d);
    if (!waitForEvent(d, ev, deadline, [&](const XEvent& e) {
          return e.type == SelectionNotify && e.xselection.requestor == clip_window_ &&
                 e.xselection.selection == clipboard && e.xselection.target == target;
        })) {
      return makeError(
          ErrorCode::kTimeout,
          fmt::format("the clipboard owner did not answer within {} ms", timeout.count()));
    }
    return ev.xselection.property != None;
  };

  // Refused or answered with another type: say what the clipboard does hold (type names only,
  // never the content).
  auto noPng = [&]() -> Error {
    std::string offered;
    auto t = convert(targets);
    if (t && *t) {
      Atom type = None;
      int format = 0;
      unsigned long n = 0, after = 0;
      unsigned char* data = nullptr;
      if (XGetWindowProperty(d, clip_window_, prop, 0, 256, True, XA_ATOM, &type, &format, &n,
                             &after, &data) == Success &&
          format == 32) {
        const Atom* atoms = reinterpret_cast<const Atom*>(data);
        for (unsigned long i = 0; i < n; ++i) {
          const std::string name = atomName(d, atoms[i]);
          if (name == "TARGETS" || name == "MULTIPLE" || name == "TIMESTAMP") continue;
          offered += (offered.empty() ? "" : ", ") + name;
        }
      }
      if (data != nullptr) XFree(data);
    }
    return makeError(ErrorCode::kClipboardNoImage,
                     "the clipboard holds no PNG image (image/png)" +
                         (offered.empty() ? std::string() : "; it offers: " + offered));
  };

  auto got = convert(png);
  if (!got) return got.error();
  if (!*got) return noPng();

  std::string out;
  auto readProperty = [&](Atom& type) -> Status {
    int format = 0;
    unsigned long n = 0, after = 0;
    unsigned char* data = nullptr;
    // Length is in 32-bit units; ask for one unit more than allowed to detect oversize.
    const long units = static_cast<long>(max_bytes / 4 + 1);
    if (XGetWindowProperty(d, clip_window_, prop, 0, units, True, AnyPropertyType, &type, &format,
                           &n, &after, &data) != Success) {
      return makeError(ErrorCode::kInternal, "cannot read the clipboard property");
    }
    if (type != incr && type != None && format == 8) {
      out.append(reinterpret_cast<const char*>(data), n);
    }
    if (data != nullptr) XFree(data);
    if (after > 0 || out.size() > max_bytes) {
      return makeError(ErrorCode::kImageTooLarge,
                       fmt::format("the clipboard image is larger than {} bytes", max_bytes));
    }
    return okStatus();
  };

  Atom type = None;
  if (Status s = readProperty(type); !s) return s.error();
  // Some owners (xclip) answer any target with their data under its own type.
  if (type != incr && type != png) return noPng();
  if (type == incr) {
    // Large data comes in chunks (ICCCM INCR): deleting the property (done by the read above)
    // asks for the next chunk; an empty chunk ends the transfer.
    for (;;) {
      if (!waitForEvent(d, ev, deadline, [&](const XEvent& e) {
            return e.type == PropertyNotify && e.xproperty.window == clip_window_ &&
                   e.xproperty.atom == prop && e.xproperty.state == PropertyNewValue;
          })) {
        return makeError(ErrorCode::kTimeout,
                         fmt::format("the clipboard owner stopped sending the image within {} ms",
                                     timeout.count()));
      }
      const std::size_t before = out.size();
      if (Status s = readProperty(type); !s) return s.error();
      if (out.size() == before) break;
    }
  }
  if (out.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "the clipboard's image/png is empty");
  }
  return out;
}

}  // namespace liseur
