#include "input/wlr_pointer.h"

#include <linux/input-event-codes.h>
#include <wayland-client.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "capture/wayland_connection.h"
#include "core/log.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"

namespace liseur {

Result<LogicalPoint> toLogical(const std::vector<WaylandOutput>& outputs, Point device) {
  if (outputs.empty())
    return makeError(ErrorCode::kDisplayUnavailable, "the compositor shows no output");
  LogicalPoint lp;
  const WaylandOutput* holder = nullptr;
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool first = true;
  for (const WaylandOutput& o : outputs) {
    const Box& l = o.logical;
    if (first) {
      x0 = l.x, y0 = l.y, x1 = l.x + l.w, y1 = l.y + l.h;
      first = false;
    } else {
      x0 = std::min(x0, l.x), y0 = std::min(y0, l.y);
      x1 = std::max(x1, l.x + l.w), y1 = std::max(y1, l.y + l.h);
    }
    const Box& d = o.device;
    if (holder == nullptr && device.x >= d.x && device.y >= d.y && device.x < d.x + d.w &&
        device.y < d.y + d.h)
      holder = &o;
  }
  if (holder == nullptr)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("point {},{} is on no output of the screen", device.x, device.y));
  const double scale = holder->scale > 0 ? holder->scale : 1.0;
  lp.x = holder->logical.x + (device.x - holder->device.x) / scale;
  lp.y = holder->logical.y + (device.y - holder->device.y) / scale;
  lp.layout = Box{x0, y0, x1 - x0, y1 - y0};
  return lp;
}

unsigned evdevButton(int x11_button) {
  switch (x11_button) {
    case 1:
      return BTN_LEFT;
    case 2:
      return BTN_MIDDLE;
    case 3:
      return BTN_RIGHT;
    case 8:
      return BTN_SIDE;
    case 9:
      return BTN_EXTRA;
    default:
      return 0;
  }
}

namespace {

uint32_t nowMs() {
  using namespace std::chrono;
  return static_cast<uint32_t>(
      duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace

struct WlrVirtualPointer::Impl : WaylandConnection {
  Impl() { purpose = "pointer"; }
  ~Impl() {
    if (pointer != nullptr) zwlr_virtual_pointer_v1_destroy(pointer);
    if (manager != nullptr) zwlr_virtual_pointer_manager_v1_destroy(manager);
    if (seat != nullptr) wl_seat_destroy(seat);
    if (registry != nullptr) wl_registry_destroy(registry);
    // A last flush, so the compositor removes the device now rather than at disconnect.
    if (display != nullptr && !lost) wl_display_flush(display);
  }

  wl_registry* registry = nullptr;
  wl_seat* seat = nullptr;
  zwlr_virtual_pointer_manager_v1* manager = nullptr;
  zwlr_virtual_pointer_v1* pointer = nullptr;
  Outputs outputs;
  Locate locate;
};

namespace {

void registryGlobal(void* data, wl_registry* registry, uint32_t name, const char* iface, uint32_t) {
  auto* impl = static_cast<WlrVirtualPointer::Impl*>(data);
  if (std::strcmp(iface, wl_seat_interface.name) == 0 && impl->seat == nullptr) {
    impl->seat = static_cast<wl_seat*>(wl_registry_bind(registry, name, &wl_seat_interface, 1));
  } else if (std::strcmp(iface, zwlr_virtual_pointer_manager_v1_interface.name) == 0 &&
             impl->manager == nullptr) {
    impl->manager = static_cast<zwlr_virtual_pointer_manager_v1*>(
        wl_registry_bind(registry, name, &zwlr_virtual_pointer_manager_v1_interface, 1));
  }
}
void registryRemove(void*, wl_registry*, uint32_t) {}
const wl_registry_listener kRegistryListener = {registryGlobal, registryRemove};

}  // namespace

WlrVirtualPointer::WlrVirtualPointer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WlrVirtualPointer::~WlrVirtualPointer() = default;

Result<std::unique_ptr<WlrVirtualPointer>> WlrVirtualPointer::open(
    const std::string& wayland_display, Outputs outputs, Locate locate) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->connect(wayland_display); !s) return s.error();
  impl->registry = wl_display_get_registry(impl->display);
  wl_registry_add_listener(impl->registry, &kRegistryListener, impl.get());
  if (Status s = impl->roundtrip("its list of globals"); !s) return s.error();
  if (impl->manager == nullptr) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("{} does not offer the wlr-virtual-pointer protocol, so liseur "
                                 "cannot move or click the pointer there; use the keyboard",
                                 impl->where()));
  }
  impl->pointer = zwlr_virtual_pointer_manager_v1_create_virtual_pointer(impl->manager, impl->seat);
  if (Status s = impl->roundtrip("the new pointer device"); !s) return s.error();
  impl->outputs = std::move(outputs);
  impl->locate = std::move(locate);
  spdlog::debug("pointer: virtual pointer on {}", impl->where());
  return std::unique_ptr<WlrVirtualPointer>(new WlrVirtualPointer(std::move(impl)));
}

bool WlrVirtualPointer::lost() const {
  return impl_->lost;
}

Result<Point> WlrVirtualPointer::position() {
  if (impl_->lost) return impl_->lostError();
  if (!impl_->locate)
    return makeError(ErrorCode::kCaptureUnsupported,
                     impl_->where() + " does not tell where the pointer is");
  return impl_->locate();
}

Status WlrVirtualPointer::moveTo(Point p) {
  if (impl_->lost) return impl_->lostError();
  auto outs = impl_->outputs();
  if (!outs) {
    // The capture's connection broke: most likely ours did too; find out, so lost() says so.
    if (outs.error().code == ErrorCode::kDisplayUnavailable) (void)impl_->roundtrip("an answer");
    return outs.error();
  }
  auto lp = toLogical(*outs, p);
  if (!lp) return lp.error();
  // Absolute over the whole layout: x / x_extent of its width from its left edge.
  const auto x = static_cast<uint32_t>(std::lround(lp->x - lp->layout.x));
  const auto y = static_cast<uint32_t>(std::lround(lp->y - lp->layout.y));
  zwlr_virtual_pointer_v1_motion_absolute(impl_->pointer, nowMs(), x, y,
                                          static_cast<uint32_t>(lp->layout.w),
                                          static_cast<uint32_t>(lp->layout.h));
  zwlr_virtual_pointer_v1_frame(impl_->pointer);
  return impl_->roundtrip("the pointer's move");
}

Result<Point> WlrVirtualPointer::moveBy(int dx, int dy) {
  auto at = position();
  if (!at)
    return makeError(
        at.error().code,
        "cannot move the pointer by arrow keys without knowing where it is: " + at.error().message);
  auto outs = impl_->outputs();
  if (!outs) return outs.error();
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool first = true;
  for (const WaylandOutput& o : *outs) {
    const Box& d = o.device;
    if (first) {
      x0 = d.x, y0 = d.y, x1 = d.x + d.w - 1, y1 = d.y + d.h - 1;
      first = false;
    } else {
      x0 = std::min(x0, d.x), y0 = std::min(y0, d.y);
      x1 = std::max(x1, d.x + d.w - 1), y1 = std::max(y1, d.y + d.h - 1);
    }
  }
  const Point to{std::clamp(at->x + dx, x0, x1), std::clamp(at->y + dy, y0, y1)};
  if (Status s = moveTo(to); !s) return s.error();
  return to;
}

Status WlrVirtualPointer::click(int button, int count) {
  if (impl_->lost) return impl_->lostError();
  if (Status s = checkClick(button, count); !s) return s;
  const unsigned code = evdevButton(button);
  if (code == 0)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("button {} is a scroll step on X11, not a button on Wayland "
                                 "(1 left, 2 middle, 3 right, 8 back, 9 forward)",
                                 button));
  for (int i = 0; i < count; ++i) {
    zwlr_virtual_pointer_v1_button(impl_->pointer, nowMs(), code, WL_POINTER_BUTTON_STATE_PRESSED);
    zwlr_virtual_pointer_v1_frame(impl_->pointer);
    zwlr_virtual_pointer_v1_button(impl_->pointer, nowMs(), code, WL_POINTER_BUTTON_STATE_RELEASED);
    zwlr_virtual_pointer_v1_frame(impl_->pointer);
  }
  return impl_->roundtrip("the pointer's click");
}

}  // namespace liseur
