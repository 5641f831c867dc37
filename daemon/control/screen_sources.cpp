#include "control/screen_sources.h"

#include <cstdio>

#include "capture/capture.h"
#include "input/pointer.h"

namespace liseur {

ScreenSources::ScreenSources() = default;
ScreenSources::~ScreenSources() = default;

Result<ScreenCapture*> ScreenSources::screen() {
  if (screen_ && screen_->lost()) screen_.reset();  // the X server went away: try a new one
  if (!screen_) {
    auto s = ScreenCapture::open();
    if (!s) return s.error();
    screen_ = std::move(*s);
  }
  return screen_.get();
}

Result<Pointer*> ScreenSources::pointerDevice() {
  if (pointer_ && pointer_->lost()) pointer_.reset();
  if (!pointer_) {
    auto p = Pointer::open();
    if (!p) return p.error();
    pointer_ = std::move(*p);
  }
  return pointer_.get();
}

Status ScreenSources::capture(const std::string& source, const std::string& region,
                              JobRequest& request) {
  auto scr = screen();
  if (!scr) return scr.error();
  ScreenCapture& s = **scr;
  if (source == "clipboard") {
    auto png = s.clipboardPng();
    if (!png) return png.error();
    request.image_bytes = std::move(*png);
    request.encoded = "png";
    request.source = "clipboard";
    return okStatus();
  }
  Result<CapturedImage> img = makeError(ErrorCode::kInvalidArgument, "");
  if (source == "screen") {
    img = s.captureScreen();
  } else if (source == "window") {
    img = s.captureActiveWindow();
  } else if (source == "pointer") {
    img = s.captureAroundPointer(kPointerAreaWidth, kPointerAreaHeight);
  } else if (source == "region") {
    auto box = parseRegion(region);
    if (!box) return box.error();
    img = s.captureRegion(*box);
  } else {
    return makeError(ErrorCode::kInvalidArgument,
                     "unknown source '" + source +
                         "' (one of: file, screen, window, pointer, region, clipboard)");
  }
  if (!img) return img.error();
  request.width = img->width;
  request.height = img->height;
  request.stride = img->stride;
  request.image_bytes = std::move(img->bgra);
  request.origin = img->origin;
  request.source = source == "region" ? "region " + region : source;
  if (img->pointer_x >= 0) {
    request.focus_x = img->pointer_x;
    request.focus_y = img->pointer_y;
  }
  return okStatus();
}

Result<WatchTarget> ScreenSources::watchTarget(const std::string& source,
                                               const std::string& region) {
  auto scr = screen();
  if (!scr) return scr.error();
  WatchTarget t;
  if (source == "window") {
    auto id = (*scr)->activeWindow();
    if (!id) return id.error();
    const unsigned long win = *id;
    char name[32];
    std::snprintf(name, sizeof name, "window 0x%lx", win);
    t.description = name;
    t.capture = [this, win]() -> Result<CapturedImage> {
      auto s = screen();
      if (!s) return s.error();
      return (*s)->captureWindow(win);
    };
    t.ended = [this, win, desc = t.description]() -> std::optional<Error> {
      auto s = screen();
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
    auto s = screen();
    if (!s) return s.error();
    return box ? (*s)->captureRegion(*box) : (*s)->captureScreen();
  };
  // A region or the screen never goes away; only the display can.
  t.ended = [this]() -> std::optional<Error> {
    auto s = screen();
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

}  // namespace liseur
