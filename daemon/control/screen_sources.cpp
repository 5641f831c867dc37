#include "control/screen_sources.h"

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

Status ScreenSources::pointAt(const Box& box, bool click) {
  auto p = pointerDevice();
  if (!p) return p.error();
  Point centre{box.x + box.w / 2, box.y + box.h / 2};
  if (click) return (*p)->clickAt(centre, 1, 1);
  return (*p)->moveTo(centre);
}

Result<std::pair<int, int>> ScreenSources::pointer() {
  auto p = pointerDevice();
  if (!p) return p.error();
  auto pos = (*p)->position();
  if (!pos) return pos.error();
  return std::make_pair(pos->x, pos->y);
}

}  // namespace liseur
