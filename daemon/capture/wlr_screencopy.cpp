#include "capture/wlr_screencopy.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <list>
#include <optional>

#include <fmt/format.h>

#include "capture/capture.h"
#include "capture/pointer_area.h"
#include "capture/sway_ipc.h"
#include "capture/wayland_connection.h"
#include "core/log.h"
#include "wlr-data-control-unstable-v1-client-protocol.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"
#include "xdg-output-unstable-v1-client-protocol.h"

namespace liseur {

namespace {

using Clock = std::chrono::steady_clock;

// Bounds on what a compositor may ask us to allocate: 16384 px a side, as for images.
constexpr uint32_t kMaxSide = 16384;
// The largest cursor image we accept when locating the pointer by difference (cursor themes go
// up to 256 px at high scales); a larger difference is the screen changing, not the cursor.
constexpr int kMaxCursorSide = 256;

bool empty(const Box& b) {
  return b.w <= 0 || b.h <= 0;
}

Box unite(const Box& a, const Box& b) {
  if (empty(a)) return b;
  if (empty(b)) return a;
  const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  const int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return Box{x0, y0, x1 - x0, y1 - y0};
}

// An image being assembled: B,G,R,A rows, stride = w * 4.
struct Pixels {
  int w = 0, h = 0;
  std::string bgra;
  unsigned char* row(int y) {
    return reinterpret_cast<unsigned char*>(bgra.data()) + static_cast<std::size_t>(y) * w * 4;
  }
  const unsigned char* row(int y) const {
    return reinterpret_cast<const unsigned char*>(bgra.data()) +
           static_cast<std::size_t>(y) * w * 4;
  }
};

// The wl_output transforms that turn the output: a frame arrives in the output's buffer
// orientation and is turned to the layout's (what the person sees).
bool swapsSides(int transform) {
  return (transform & 1) != 0;
}

// Turns a frame in buffer orientation upright: for each layout pixel (x, y), the buffer pixel
// (sx, sy) the compositor rendered it to under the output's transform. (Checked against sway
// for every transform in tests/wayland.)
Pixels upright(Pixels in, int transform) {
  if (transform == WL_OUTPUT_TRANSFORM_NORMAL) return in;
  Pixels out;
  out.w = swapsSides(transform) ? in.h : in.w;
  out.h = swapsSides(transform) ? in.w : in.h;
  out.bgra.resize(static_cast<std::size_t>(out.w) * out.h * 4);
  for (int y = 0; y < out.h; ++y) {
    unsigned char* dst = out.row(y);
    for (int x = 0; x < out.w; ++x) {
      int sx = x, sy = y;
      switch (transform) {
        case WL_OUTPUT_TRANSFORM_90:
          sx = y;
          sy = in.h - 1 - x;
          break;
        case WL_OUTPUT_TRANSFORM_180:
          sx = in.w - 1 - x;
          sy = in.h - 1 - y;
          break;
        case WL_OUTPUT_TRANSFORM_270:
          sx = in.w - 1 - y;
          sy = x;
          break;
        case WL_OUTPUT_TRANSFORM_FLIPPED:
          sx = in.w - 1 - x;
          sy = y;
          break;
        case WL_OUTPUT_TRANSFORM_FLIPPED_90:
          sx = y;
          sy = x;
          break;
        case WL_OUTPUT_TRANSFORM_FLIPPED_180:
          sx = x;
          sy = in.h - 1 - y;
          break;
        case WL_OUTPUT_TRANSFORM_FLIPPED_270:
          sx = in.w - 1 - y;
          sy = in.h - 1 - x;
          break;
        default:
          break;
      }
      std::memcpy(dst + x * 4, in.row(sy) + sx * 4, 4);
    }
  }
  return out;
}

// A shared-memory buffer the compositor copies a frame into. memfd: no file in /dev/shm to
// clean up, and the pixels never touch a disk.
class ShmBuffer {
 public:
  ~ShmBuffer() {
    if (buffer_ != nullptr) wl_buffer_destroy(buffer_);
    if (data_ != nullptr) munmap(data_, size_);
    if (fd_ >= 0) close(fd_);
  }
  Status create(wl_shm* shm, uint32_t format, uint32_t w, uint32_t h, uint32_t stride) {
    size_ = static_cast<std::size_t>(stride) * h;
    fd_ = memfd_create("liseur-screencopy", MFD_CLOEXEC);
    if (fd_ < 0) {
      return makeError(ErrorCode::kInternal,
                       std::string("memfd_create for a screen frame failed: ") + strerror(errno));
    }
    if (ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      return makeError(ErrorCode::kInternal, fmt::format("cannot size a {} byte screen buffer: {}",
                                                         size_, strerror(errno)));
    }
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
      return makeError(ErrorCode::kInternal, fmt::format("cannot map a {} byte screen buffer: {}",
                                                         size_, strerror(errno)));
    }
    data_ = static_cast<unsigned char*>(p);
    wl_shm_pool* pool = wl_shm_create_pool(shm, fd_, static_cast<int32_t>(size_));
    buffer_ = wl_shm_pool_create_buffer(pool, 0, static_cast<int32_t>(w), static_cast<int32_t>(h),
                                        static_cast<int32_t>(stride), format);
    wl_shm_pool_destroy(pool);  // the buffer keeps the memory alive
    return okStatus();
  }
  wl_buffer* buffer() const { return buffer_; }
  const unsigned char* data() const { return data_; }

 private:
  int fd_ = -1;
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  wl_buffer* buffer_ = nullptr;
};

struct FrameState {
  bool have_shm = false, buffer_done = false, ready = false, failed = false;
  uint32_t format = 0, width = 0, height = 0, stride = 0, flags = 0;
};

void frameBuffer(void* data, zwlr_screencopy_frame_v1*, uint32_t format, uint32_t width,
                 uint32_t height, uint32_t stride) {
  auto* f = static_cast<FrameState*>(data);
  f->have_shm = true;
  f->format = format;
  f->width = width;
  f->height = height;
  f->stride = stride;
}
void frameFlags(void* data, zwlr_screencopy_frame_v1*, uint32_t flags) {
  static_cast<FrameState*>(data)->flags = flags;
}
void frameReady(void* data, zwlr_screencopy_frame_v1*, uint32_t, uint32_t, uint32_t) {
  static_cast<FrameState*>(data)->ready = true;
}
void frameFailed(void* data, zwlr_screencopy_frame_v1*) {
  static_cast<FrameState*>(data)->failed = true;
}
void frameDamage(void*, zwlr_screencopy_frame_v1*, uint32_t, uint32_t, uint32_t, uint32_t) {}
void frameDmabuf(void*, zwlr_screencopy_frame_v1*, uint32_t, uint32_t, uint32_t) {}
void frameBufferDone(void* data, zwlr_screencopy_frame_v1*) {
  static_cast<FrameState*>(data)->buffer_done = true;
}
const zwlr_screencopy_frame_v1_listener kFrameListener = {
    frameBuffer, frameFlags, frameReady, frameFailed, frameDamage, frameDmabuf, frameBufferDone};

std::string formatName(uint32_t format) {
  switch (format) {
    case WL_SHM_FORMAT_ARGB8888:
      return "ARGB8888";
    case WL_SHM_FORMAT_XRGB8888:
      return "XRGB8888";
    default:
      break;
  }
  // DRM fourcc codes are four ASCII letters; show them so a bug report says which.
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((format >> (8 * i)) & 0xff);
    s += (c >= 32 && c < 127) ? c : '?';
  }
  return fmt::format("{} (0x{:08x})", s, format);
}

}  // namespace

std::string guessWaylandCompositor() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
  };
  if (!env("SWAYSOCK").empty()) return "sway";
  if (!env("HYPRLAND_INSTANCE_SIGNATURE").empty()) return "Hyprland";
  if (!env("XDG_CURRENT_DESKTOP").empty()) return env("XDG_CURRENT_DESKTOP");
  if (!SwayIpc::findSocket().empty()) return "sway";
  return "this Wayland compositor";
}

struct OutputState {
  uint32_t global = 0;
  wl_output* output = nullptr;
  zxdg_output_v1* xdg = nullptr;
  std::string name;
  int geo_x = 0, geo_y = 0, mode_w = 0, mode_h = 0, scale = 1, transform = 0;
  int lx = 0, ly = 0, lw = 0, lh = 0;
  bool have_logical_pos = false, have_logical_size = false;

  ~OutputState() {
    if (xdg != nullptr) zxdg_output_v1_destroy(xdg);
    if (output != nullptr) {
      if (wl_output_get_version(output) >= WL_OUTPUT_RELEASE_SINCE_VERSION) {
        wl_output_release(output);
      } else {
        wl_output_destroy(output);
      }
    }
  }

  WaylandOutput describe() const {
    WaylandOutput o;
    o.name = name;
    o.transform = transform;
    // The current mode in the layout's orientation; without one, the logical size at the
    // integer scale.
    int dw = swapsSides(transform) ? mode_h : mode_w;
    int dh = swapsSides(transform) ? mode_w : mode_h;
    const int sc = std::max(scale, 1);
    if (have_logical_size && lw > 0 && lh > 0) {
      o.logical = Box{have_logical_pos ? lx : geo_x, have_logical_pos ? ly : geo_y, lw, lh};
      if (dw <= 0 || dh <= 0) {
        dw = lw * sc;
        dh = lh * sc;
      }
    } else {
      if (dw <= 0 || dh <= 0) return o;  // not described yet
      o.logical = Box{geo_x, geo_y, dw / sc, dh / sc};
    }
    o.scale = static_cast<double>(dw) / o.logical.w;
    o.device = Box{static_cast<int>(std::lround(o.logical.x * o.scale)),
                   static_cast<int>(std::lround(o.logical.y * o.scale)), dw, dh};
    return o;
  }
};

namespace {

void outputGeometry(void* data, wl_output*, int32_t x, int32_t y, int32_t, int32_t, int32_t,
                    const char*, const char*, int32_t transform) {
  auto* o = static_cast<OutputState*>(data);
  o->geo_x = x;
  o->geo_y = y;
  o->transform = transform;
}
void outputMode(void* data, wl_output*, uint32_t flags, int32_t w, int32_t h, int32_t) {
  if ((flags & WL_OUTPUT_MODE_CURRENT) == 0) return;
  auto* o = static_cast<OutputState*>(data);
  o->mode_w = w;
  o->mode_h = h;
}
void outputDone(void*, wl_output*) {}
void outputScale(void* data, wl_output*, int32_t factor) {
  static_cast<OutputState*>(data)->scale = factor;
}
void outputName(void* data, wl_output*, const char* name) {
  static_cast<OutputState*>(data)->name = name;
}
void outputDescription(void*, wl_output*, const char*) {}
const wl_output_listener kOutputListener = {outputGeometry, outputMode, outputDone,
                                            outputScale,    outputName, outputDescription};

void xdgPosition(void* data, zxdg_output_v1*, int32_t x, int32_t y) {
  auto* o = static_cast<OutputState*>(data);
  o->lx = x;
  o->ly = y;
  o->have_logical_pos = true;
}
void xdgSize(void* data, zxdg_output_v1*, int32_t w, int32_t h) {
  auto* o = static_cast<OutputState*>(data);
  o->lw = w;
  o->lh = h;
  o->have_logical_size = true;
}
void xdgDone(void*, zxdg_output_v1*) {}
void xdgName(void* data, zxdg_output_v1*, const char* name) {
  static_cast<OutputState*>(data)->name = name;
}
void xdgDescription(void*, zxdg_output_v1*, const char*) {}
const zxdg_output_v1_listener kXdgOutputListener = {xdgPosition, xdgSize, xdgDone, xdgName,
                                                    xdgDescription};

// The clipboard as this connection's data-control device sees it: the offers introduced and not
// yet replaced, with their MIME types, and which one is the selection. The device lives as long
// as the connection: the compositor keeps sending it new selections, and a destroyed device's
// late data_offer events would break the connection (a new object on a dead one).
struct ClipboardState {
  struct Offer {
    zwlr_data_control_offer_v1* offer = nullptr;
    std::vector<std::string> types;
  };
  std::list<Offer> offers;
  zwlr_data_control_offer_v1* selection = nullptr;
  bool got_selection = false, finished = false;
  ~ClipboardState() {
    for (Offer& o : offers) zwlr_data_control_offer_v1_destroy(o.offer);
  }
};

void offerType(void* data, zwlr_data_control_offer_v1*, const char* mime_type) {
  auto* o = static_cast<ClipboardState::Offer*>(data);
  if (o->types.size() < 64) o->types.emplace_back(mime_type);  // a bound on a stranger's list
}
const zwlr_data_control_offer_v1_listener kOfferListener = {offerType};

void deviceOffer(void* data, zwlr_data_control_device_v1*, zwlr_data_control_offer_v1* offer) {
  auto* st = static_cast<ClipboardState*>(data);
  st->offers.push_back({offer, {}});
  zwlr_data_control_offer_v1_add_listener(offer, &kOfferListener, &st->offers.back());
}
void deviceSelection(void* data, zwlr_data_control_device_v1*, zwlr_data_control_offer_v1* offer) {
  auto* st = static_cast<ClipboardState*>(data);
  // The previous selection (and any offer not chosen) is dead now.
  std::erase_if(st->offers, [&](ClipboardState::Offer& o) {
    if (o.offer == offer) return false;
    zwlr_data_control_offer_v1_destroy(o.offer);
    return true;
  });
  st->selection = offer;
  st->got_selection = true;
}
void deviceFinished(void* data, zwlr_data_control_device_v1*) {
  static_cast<ClipboardState*>(data)->finished = true;
}
void devicePrimary(void*, zwlr_data_control_device_v1*, zwlr_data_control_offer_v1*) {}
const zwlr_data_control_device_v1_listener kDeviceListener = {deviceOffer, deviceSelection,
                                                              deviceFinished, devicePrimary};

}  // namespace

struct WlrScreencopy::Impl : WaylandConnection {
  Impl() { purpose = "capture"; }
  wl_registry* registry = nullptr;
  wl_shm* shm = nullptr;
  zwlr_screencopy_manager_v1* screencopy = nullptr;
  zxdg_output_manager_v1* xdg_manager = nullptr;
  wl_seat* seat = nullptr;  // the first seat: the clipboard's
  zwlr_data_control_manager_v1* data_control = nullptr;
  zwlr_data_control_device_v1* data_device = nullptr;  // made on the first clipboard read
  std::unique_ptr<ClipboardState> clipboard;
  std::vector<std::unique_ptr<OutputState>> outputs;
  std::string sway_socket;  // "" = found by SwayIpc (SWAYSOCK, XDG_RUNTIME_DIR)

  ~Impl() {
    outputs.clear();
    clipboard.reset();
    if (data_device != nullptr) zwlr_data_control_device_v1_destroy(data_device);
    if (screencopy != nullptr) zwlr_screencopy_manager_v1_destroy(screencopy);
    if (xdg_manager != nullptr) zxdg_output_manager_v1_destroy(xdg_manager);
    if (data_control != nullptr) zwlr_data_control_manager_v1_destroy(data_control);
    if (seat != nullptr) wl_seat_destroy(seat);
    if (shm != nullptr) wl_shm_destroy(shm);
    if (registry != nullptr) wl_registry_destroy(registry);
  }  // ~WaylandConnection disconnects

  void watchOutput(OutputState& o) {
    if (xdg_manager != nullptr && o.xdg == nullptr) {
      o.xdg = zxdg_output_manager_v1_get_xdg_output(xdg_manager, o.output);
      zxdg_output_v1_add_listener(o.xdg, &kXdgOutputListener, &o);
    }
  }

  // The outputs that are fully described, hot-plug events handled first.
  Result<std::vector<std::pair<OutputState*, WaylandOutput>>> layout() {
    if (Status s = roundtrip("the output list"); !s) return s.error();
    // A new output's xdg-output was asked for inside the round trip; one more for its answer.
    const bool pending = std::any_of(outputs.begin(), outputs.end(), [&](const auto& o) {
      return xdg_manager != nullptr && !o->have_logical_size;
    });
    if (pending) {
      if (Status s = roundtrip("the outputs' layout"); !s) return s.error();
    }
    // A switched-off output (a closed laptop lid) may keep its global: ask sway which are off.
    // Without an answer every output counts, as on other compositors.
    std::vector<std::string> off;
    if (compositor == "sway") {
      if (Result<SwayIpc> ipc = SwayIpc::connect(sway_socket, std::chrono::milliseconds(500));
          ipc) {
        if (auto names = ipc->inactiveOutputs(); names) off = std::move(names).value();
      }
    }
    std::vector<std::pair<OutputState*, WaylandOutput>> out;
    for (const auto& o : outputs) {
      WaylandOutput w = o->describe();
      if (empty(w.device) || std::find(off.begin(), off.end(), w.name) != off.end()) continue;
      out.emplace_back(o.get(), std::move(w));
    }
    if (out.empty()) {
      return makeError(ErrorCode::kDisplayUnavailable,
                       where() + " shows no output (all screens off or unplugged)");
    }
    return out;
  }

  // One frame of output `o` (all of it, or `logical_region` in the output's logical
  // coordinates), upright, as B,G,R,A.
  Result<Pixels> captureFrame(OutputState& o, const std::optional<Box>& logical_region,
                              bool cursor) {
    if (lost) return lostError();
    FrameState st;
    ShmBuffer shm_buffer;  // outlives the frame (declared first, destroyed last)
    zwlr_screencopy_frame_v1* frame =
        logical_region
            ? zwlr_screencopy_manager_v1_capture_output_region(screencopy, cursor ? 1 : 0, o.output,
                                                               logical_region->x, logical_region->y,
                                                               logical_region->w, logical_region->h)
            : zwlr_screencopy_manager_v1_capture_output(screencopy, cursor ? 1 : 0, o.output);
    zwlr_screencopy_frame_v1_add_listener(frame, &kFrameListener, &st);
    const std::string what = fmt::format("a frame of output {}", o.name);
    const auto deadline = Clock::now() + frame_timeout;
    // Destroyed on every way out, before the buffer it may be copying into.
    struct FrameGuard {
      zwlr_screencopy_frame_v1* f;
      ~FrameGuard() { zwlr_screencopy_frame_v1_destroy(f); }
    } guard{frame};
    // Version 3 lists every buffer type, then buffer_done; earlier versions send only "buffer".
    const bool v3 = zwlr_screencopy_frame_v1_get_version(frame) >= 3;
    Status s = dispatchUntil([&] { return st.failed || (v3 ? st.buffer_done : st.have_shm); },
                             deadline, what);
    if (!s) return s.error();
    if (st.failed) {
      return makeError(
          ErrorCode::kInternal,
          fmt::format("{} refused to capture output {} (the output may be off)", where(), o.name));
    }
    if (!st.have_shm) {
      return makeError(ErrorCode::kCaptureUnsupported,
                       fmt::format("{} offers screen frames of output {} only as GPU buffers "
                                   "(dmabuf), which liseur does not read; use the Screenshot "
                                   "portal (capture.backend = \"portal\")",
                                   where(), o.name));
    }
    const bool swap_rb = st.format == WL_SHM_FORMAT_XBGR8888 || st.format == WL_SHM_FORMAT_ABGR8888;
    if (!swap_rb && st.format != WL_SHM_FORMAT_XRGB8888 && st.format != WL_SHM_FORMAT_ARGB8888) {
      return makeError(ErrorCode::kCaptureUnsupported,
                       fmt::format("{} offers screen frames of output {} in the pixel format {}, "
                                   "which liseur does not read (it reads XRGB8888, ARGB8888, "
                                   "XBGR8888, ABGR8888); use the Screenshot portal",
                                   where(), o.name, formatName(st.format)));
    }
    if (st.width == 0 || st.height == 0 || st.width > kMaxSide || st.height > kMaxSide ||
        st.stride < st.width * 4 || st.stride > st.width * 4 + 4096) {
      return makeError(ErrorCode::kInternal,
                       fmt::format("{} announced an implausible frame for output {}: {}x{}, "
                                   "stride {}",
                                   where(), o.name, st.width, st.height, st.stride));
    }
    if (Status c = shm_buffer.create(shm, st.format, st.width, st.height, st.stride); !c) {
      return c.error();
    }
    zwlr_screencopy_frame_v1_copy(frame, shm_buffer.buffer());
    s = dispatchUntil([&] { return st.ready || st.failed; }, deadline, what);
    if (!s) return s.error();
    if (st.failed) {
      return makeError(ErrorCode::kInternal,
                       fmt::format("{} failed to copy a frame of output {} (the output changed "
                                   "mode or went off); try again",
                                   where(), o.name));
    }

    Pixels px;
    px.w = static_cast<int>(st.width);
    px.h = static_cast<int>(st.height);
    px.bgra.resize(static_cast<std::size_t>(px.w) * px.h * 4);
    const bool y_invert = (st.flags & ZWLR_SCREENCOPY_FRAME_V1_FLAGS_Y_INVERT) != 0;
    for (int y = 0; y < px.h; ++y) {
      const int sy = y_invert ? px.h - 1 - y : y;
      const unsigned char* src = shm_buffer.data() + static_cast<std::size_t>(sy) * st.stride;
      unsigned char* dst = px.row(y);
      std::memcpy(dst, src, static_cast<std::size_t>(px.w) * 4);
      for (int x = 0; x < px.w; ++x) {
        if (swap_rb) std::swap(dst[x * 4], dst[x * 4 + 2]);
        dst[x * 4 + 3] = 0xff;  // X formats leave this byte undefined
      }
    }
    return upright(std::move(px), o.transform);
  }
};

namespace {

void registryGlobal(void* data, wl_registry* registry, uint32_t name, const char* interface,
                    uint32_t version) {
  auto* impl = static_cast<WlrScreencopy::Impl*>(data);
  const std::string_view iface = interface;
  if (iface == wl_output_interface.name) {
    auto o = std::make_unique<OutputState>();
    o->global = name;
    o->output = static_cast<wl_output*>(
        wl_registry_bind(registry, name, &wl_output_interface, std::min<uint32_t>(version, 4)));
    wl_output_add_listener(o->output, &kOutputListener, o.get());
    impl->watchOutput(*o);
    impl->outputs.push_back(std::move(o));
  } else if (iface == wl_shm_interface.name) {
    impl->shm = static_cast<wl_shm*>(wl_registry_bind(registry, name, &wl_shm_interface, 1));
  } else if (iface == zwlr_screencopy_manager_v1_interface.name) {
    impl->screencopy = static_cast<zwlr_screencopy_manager_v1*>(wl_registry_bind(
        registry, name, &zwlr_screencopy_manager_v1_interface, std::min<uint32_t>(version, 3)));
  } else if (iface == wl_seat_interface.name && impl->seat == nullptr) {
    impl->seat = static_cast<wl_seat*>(wl_registry_bind(registry, name, &wl_seat_interface, 1));
  } else if (iface == zwlr_data_control_manager_v1_interface.name) {
    // Version 1: the regular clipboard only (no primary-selection events to sort out).
    impl->data_control = static_cast<zwlr_data_control_manager_v1*>(
        wl_registry_bind(registry, name, &zwlr_data_control_manager_v1_interface, 1));
  } else if (iface == zxdg_output_manager_v1_interface.name) {
    impl->xdg_manager = static_cast<zxdg_output_manager_v1*>(wl_registry_bind(
        registry, name, &zxdg_output_manager_v1_interface, std::min<uint32_t>(version, 3)));
  }
}

void registryGlobalRemove(void* data, wl_registry*, uint32_t name) {
  auto* impl = static_cast<WlrScreencopy::Impl*>(data);
  std::erase_if(impl->outputs, [&](const auto& o) { return o->global == name; });
}

const wl_registry_listener kRegistryListener = {registryGlobal, registryGlobalRemove};

}  // namespace

WlrScreencopy::WlrScreencopy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WlrScreencopy::~WlrScreencopy() = default;

void WlrScreencopy::setSwaySocket(const std::string& path) {
  if (path.empty()) return;
  impl_->sway_socket = path;
  impl_->compositor = "sway";
}

Result<std::unique_ptr<WlrScreencopy>> WlrScreencopy::open(const std::string& wayland_display) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->connect(wayland_display); !s) return s.error();
  impl->registry = wl_display_get_registry(impl->display);
  wl_registry_add_listener(impl->registry, &kRegistryListener, impl.get());
  if (Status s = impl->roundtrip("its list of globals"); !s) return s.error();
  if (impl->screencopy == nullptr) {
    return makeError(
        ErrorCode::kCaptureUnsupported,
        fmt::format("{} does not offer the wlr-screencopy protocol, so liseur cannot capture "
                    "the screen directly; use the Screenshot portal instead (capture.backend = "
                    "\"portal\", with xdg-desktop-portal and a backend for {} installed)",
                    impl->where(), impl->compositor));
  }
  if (impl->shm == nullptr) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     impl->where() +
                         " offers no wl_shm shared memory for screen frames; use the "
                         "Screenshot portal (capture.backend = \"portal\")");
  }
  for (const auto& o : impl->outputs) impl->watchOutput(*o);
  if (Status s = impl->roundtrip("the outputs' description"); !s) return s.error();
  spdlog::debug("capture: wlr-screencopy on {}, {} output(s), screencopy v{}", impl->where(),
                impl->outputs.size(), zwlr_screencopy_manager_v1_get_version(impl->screencopy));
  return std::unique_ptr<WlrScreencopy>(new WlrScreencopy(std::move(impl)));
}

std::string WlrScreencopy::describe() const {
  return impl_->where();
}

bool WlrScreencopy::lost() const {
  return impl_->lost;
}

void WlrScreencopy::setFrameTimeout(std::chrono::milliseconds timeout) {
  impl_->frame_timeout = timeout;
}

Result<std::vector<WaylandOutput>> WlrScreencopy::outputs() {
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  std::vector<WaylandOutput> out;
  for (auto& [state, o] : *layout) out.push_back(o);
  return out;
}

Result<Box> WlrScreencopy::desktopBox() {
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  Box box;
  for (const auto& [state, o] : *layout) box = unite(box, o.device);
  return box;
}

Result<CapturedImage> WlrScreencopy::grab(const Box& region, bool cursor, std::string description) {
  if (empty(region)) {
    return makeError(ErrorCode::kInvalidArgument,
                     "empty region " + boxText(region) + ": width and height must be positive");
  }
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  Box desktop;
  for (const auto& [state, o] : *layout) desktop = unite(desktop, o.device);
  const Box box = intersectBoxes(region, desktop);
  bool any = false;
  for (const auto& [state, o] : *layout) any = any || !empty(intersectBoxes(box, o.device));
  if (!any) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("region {} is outside the screens of {} (the desktop is {})",
                                 boxText(region), impl_->where(), boxText(desktop)));
  }

  Pixels img;
  img.w = box.w;
  img.h = box.h;
  // Opaque black where no output is (between screens of different sizes).
  img.bgra.assign(static_cast<std::size_t>(img.w) * img.h * 4, '\0');
  for (int y = 0; y < img.h; ++y) {
    unsigned char* row = img.row(y);
    for (int x = 0; x < img.w; ++x) row[x * 4 + 3] = 0xff;
  }

  for (const auto& [state, o] : *layout) {
    const Box part = intersectBoxes(box, o.device);
    if (empty(part)) continue;
    // The part in the output's logical coordinates, widened to whole logical pixels.
    std::optional<Box> logical;
    Box src_origin = o.device;  // device position of the frame's pixel (0, 0)
    if (part != o.device) {
      const double s = o.scale;
      const int lx0 = static_cast<int>(std::floor((part.x - o.device.x) / s));
      const int ly0 = static_cast<int>(std::floor((part.y - o.device.y) / s));
      const int lx1 = static_cast<int>(std::ceil((part.x + part.w - o.device.x) / s));
      const int ly1 = static_cast<int>(std::ceil((part.y + part.h - o.device.y) / s));
      logical = Box{lx0, ly0, lx1 - lx0, ly1 - ly0};
      src_origin.x = o.device.x + static_cast<int>(std::lround(lx0 * s));
      src_origin.y = o.device.y + static_cast<int>(std::lround(ly0 * s));
    }
    Result<Pixels> frame = impl_->captureFrame(*state, logical, cursor);
    if (!frame) return frame.error();
    // Copy what the frame has of `part` (a compositor rounding the region differently leaves a
    // pixel of black at worst, never reads outside the frame).
    for (int y = part.y; y < part.y + part.h; ++y) {
      const int fy = y - src_origin.y;
      if (fy < 0 || fy >= frame->h) continue;
      const int fx0 = std::max(part.x - src_origin.x, 0);
      const int fx1 = std::min(part.x + part.w - src_origin.x, frame->w);
      if (fx1 <= fx0) continue;
      std::memcpy(img.row(y - box.y) + (src_origin.x + fx0 - box.x) * 4, frame->row(fy) + fx0 * 4,
                  static_cast<std::size_t>(fx1 - fx0) * 4);
    }
  }

  CapturedImage out;
  out.width = img.w;
  out.height = img.h;
  out.stride = img.w * 4;
  out.bgra = std::move(img.bgra);
  out.origin = box;
  out.description = std::move(description);
  spdlog::debug("capture: {} {} from {}", out.description, boxText(box), impl_->where());
  return out;
}

Result<CapturedImage> WlrScreencopy::captureScreen() {
  Result<Box> desktop = desktopBox();
  if (!desktop) return desktop.error();
  return grab(*desktop, false, "screen " + boxText(*desktop));
}

Result<CapturedImage> WlrScreencopy::captureRegion(const Box& region) {
  return grab(region, false, "region " + boxText(region));
}

Result<CapturedImage> WlrScreencopy::captureActiveWindow() {
  if (impl_->lost) return impl_->lostError();
  if (impl_->compositor != "sway") {
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("{} does not tell liseur which window is active (only sway does, "
                                 "through its IPC); read a region instead (liseur read region "
                                 "X,Y,W,H) or the whole screen",
                                 impl_->where()));
  }
  Result<SwayIpc> ipc = SwayIpc::connect(impl_->sway_socket);
  if (!ipc) return ipc.error();
  Result<Box> rect = ipc->focusedWindowRect();
  if (!rect) return rect.error();
  // sway's rects are layout (logical) coordinates: scale them by the output they start on.
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  Box device = *rect;
  for (const auto& [state, o] : *layout) {
    if (rect->x >= o.logical.x && rect->y >= o.logical.y && rect->x < o.logical.x + o.logical.w &&
        rect->y < o.logical.y + o.logical.h) {
      device = Box{static_cast<int>(std::lround(rect->x * o.scale)),
                   static_cast<int>(std::lround(rect->y * o.scale)),
                   static_cast<int>(std::lround(rect->w * o.scale)),
                   static_cast<int>(std::lround(rect->h * o.scale))};
      break;
    }
  }
  return grab(device, false, "active window " + boxText(device));
}

Result<Box> locateCursor(const CapturedImage& before, const CapturedImage& with,
                         const CapturedImage& after) {
  for (const CapturedImage* i : {&with, &after}) {
    if (i->width != before.width || i->height != before.height || i->stride != before.stride ||
        i->bgra.size() != before.bgra.size() ||
        before.bgra.size() < static_cast<std::size_t>(before.stride) * before.height) {
      return makeError(ErrorCode::kInternal, "locateCursor: the three captures differ in size");
    }
  }
  int x0 = with.width, y0 = with.height, x1 = -1, y1 = -1;
  for (int y = 0; y < with.height; ++y) {
    const std::size_t off = static_cast<std::size_t>(y) * with.stride;
    const char* a = before.bgra.data() + off;
    const char* b = with.bgra.data() + off;
    const char* c = after.bgra.data() + off;
    if (std::memcmp(a, b, static_cast<std::size_t>(with.width) * 4) == 0) continue;
    for (int x = 0; x < with.width; ++x) {
      if (std::memcmp(a + x * 4, b + x * 4, 3) != 0 && std::memcmp(a + x * 4, c + x * 4, 3) == 0) {
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
      }
    }
  }
  if (x1 < 0) return Box{};
  const Box box{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  if (box.w > kMaxCursorSide || box.h > kMaxCursorSide) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("the screen changed over {} while the pointer was being looked "
                                 "for",
                                 boxText(box)));
  }
  return box;
}

Result<std::pair<int, int>> WlrScreencopy::pointerPosition() {
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  const std::string how =
      "read a region instead (liseur read region X,Y,W,H), the active window or the screen";
  auto asImage = [](Pixels&& p) {
    CapturedImage img;
    img.width = p.w;
    img.height = p.h;
    img.stride = p.w * 4;
    img.bgra = std::move(p.bgra);
    return img;
  };
  for (const auto& [state, o] : *layout) {
    // Without, with, and again without the cursor (see locateCursor). The third capture is only
    // needed where the first two differ.
    Result<Pixels> before = impl_->captureFrame(*state, std::nullopt, false);
    if (!before) return before.error();
    Result<Pixels> with = impl_->captureFrame(*state, std::nullopt, true);
    if (!with) return with.error();
    if (with->w != before->w || with->h != before->h) continue;  // mode changed in between
    if (with->bgra == before->bgra) continue;
    Result<Pixels> after = impl_->captureFrame(*state, std::nullopt, false);
    if (!after) return after.error();
    if (after->w != before->w || after->h != before->h) continue;
    Result<Box> cursor = locateCursor(asImage(std::move(*before)), asImage(std::move(*with)),
                                      asImage(std::move(*after)));
    if (!cursor) {
      return makeError(cursor.error().code,
                       fmt::format("cannot find the pointer on {}: {}; try again, or {}",
                                   impl_->where(), cursor.error().message, how));
    }
    if (empty(*cursor)) continue;
    // The pointer's hot spot is the arrow's tip, the top-left of the cursor image in the usual
    // themes.
    return std::pair<int, int>{o.device.x + cursor->x, o.device.y + cursor->y};
  }
  return makeError(ErrorCode::kCaptureUnsupported,
                   fmt::format("cannot find the pointer on {}: no Wayland protocol tells where it "
                               "is, and screen captures with and without the cursor are the same "
                               "(no pointer device, a hidden cursor, or a cursor the compositor "
                               "always draws into the screen); {}",
                               impl_->where(), how));
}

Result<CapturedImage> WlrScreencopy::captureAroundPointer(int width, int height) {
  if (width <= 0 || height <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("area around the pointer of {}x{}: width and height must be "
                                 "positive",
                                 width, height));
  }
  Result<std::pair<int, int>> pointer = pointerPosition();
  if (!pointer) return pointer.error();
  const auto [px, py] = *pointer;
  auto layout = impl_->layout();
  if (!layout) return layout.error();
  // Moved (not shrunk) to stay on the output under the pointer, as on X11.
  Box out_box;
  for (const auto& [state, o] : *layout) {
    if (px >= o.device.x && py >= o.device.y && px < o.device.x + o.device.w &&
        py < o.device.y + o.device.h) {
      out_box = o.device;
    }
  }
  if (empty(out_box)) out_box = Box{px, py, 1, 1};
  // A band of the output, then the area with no line cut at its edges (pointer_area.h).
  const Box band = pointerBand(out_box, py, height);
  Result<CapturedImage> img = grab(band, false, "");
  if (!img) return img.error();
  img->pointer_x = px - img->origin.x;
  img->pointer_y = py - img->origin.y;
  CapturedImage out =
      cropCaptured(*img, readableAreaAround(*img, img->pointer_x, img->pointer_y, width, height));
  out.description = "around the pointer " + boxText(out.origin);
  return out;
}

Result<std::string> WlrScreencopy::clipboardPng(std::chrono::milliseconds timeout,
                                                std::size_t max_bytes) {
  Impl& d = *impl_;
  if (d.lost) return d.lostError();
  if (d.data_control == nullptr || d.seat == nullptr) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("{} does not let liseur read the clipboard (no wlr-data-control "
                                 "protocol); save the image to a file and read the file (liseur "
                                 "read FILE)",
                                 d.where()));
  }
  const auto deadline = Clock::now() + timeout;
  if (d.data_device == nullptr) {
    d.clipboard = std::make_unique<ClipboardState>();
    d.data_device = zwlr_data_control_manager_v1_get_data_device(d.data_control, d.seat);
    zwlr_data_control_device_v1_add_listener(d.data_device, &kDeviceListener, d.clipboard.get());
  }
  ClipboardState& st = *d.clipboard;
  // The compositor sends the current selection as soon as the device exists, and every change
  // after; a round trip brings the newest.
  if (Status s = d.dispatchUntil([&] { return st.got_selection || st.finished; }, deadline,
                                 "the clipboard's contents");
      !s) {
    return s.error();
  }
  if (Status s = d.roundtrip("the clipboard's contents"); !s) return s.error();
  if (st.finished) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     d.where() +
                         " withdrew clipboard access (data-control device finished); "
                         "save the image to a file and read the file (liseur read FILE)");
  }
  if (st.selection == nullptr) {
    return makeError(ErrorCode::kClipboardNoImage,
                     "the clipboard is empty; copy an image first (or read a file)");
  }
  const auto sel = std::find_if(st.offers.begin(), st.offers.end(),
                                [&](const auto& o) { return o.offer == st.selection; });
  if (sel == st.offers.end() ||
      std::find(sel->types.begin(), sel->types.end(), "image/png") == sel->types.end()) {
    std::string types;
    if (sel != st.offers.end()) {
      for (std::size_t i = 0; i < sel->types.size() && i < 12; ++i) {
        types += (i == 0 ? "" : ", ") + sel->types[i];
      }
    }
    return makeError(ErrorCode::kClipboardNoImage,
                     fmt::format("the clipboard holds no image/png (it offers: {}); copy an "
                                 "image, or save it to a file and read the file",
                                 types.empty() ? "nothing" : types));
  }

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return makeError(ErrorCode::kInternal,
                     std::string("pipe for the clipboard: ") + strerror(errno));
  }
  zwlr_data_control_offer_v1_receive(st.selection, "image/png", fds[1]);
  close(fds[1]);  // libwayland sends its own duplicate; the owner holds the only write end
  if (Status s = d.roundtrip("the clipboard request"); !s) {
    close(fds[0]);
    return s.error();
  }
  std::string png;
  char buf[65536];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fds[0], POLLIN, 0};
    const int r = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      close(fds[0]);
      return makeError(ErrorCode::kTimeout,
                       fmt::format("the program that owns the clipboard did not send its image "
                                   "within {} ms ({} bytes so far)",
                                   timeout.count(), png.size()));
    }
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (png.size() + static_cast<std::size_t>(n) > max_bytes) {
      close(fds[0]);
      return makeError(ErrorCode::kImageTooLarge,
                       fmt::format("the clipboard's image is over the {} byte limit", max_bytes));
    }
    png.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (png.empty()) {
    return makeError(ErrorCode::kClipboardNoImage,
                     "the program that owns the clipboard sent an empty image/png");
  }
  spdlog::debug("capture: clipboard image/png, {} bytes, from {}", png.size(), d.where());
  return png;
}

}  // namespace liseur
