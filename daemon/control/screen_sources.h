// ScreenSources: turns `read`/`ocr` sources that are not files (screen, window, pointer, region,
// clipboard) into JobRequests with the captured pixels, and moves or clicks the pointer for
// "click where the word is". Opens the X display lazily, on the first use, so a daemon started
// outside a graphical session still reads files. Main thread only.
#pragma once

#include <memory>
#include <string>

#include "control/session.h"
#include "core/result.h"

namespace liseur {

class ScreenCapture;
class Pointer;

// The size of the area recognised around the pointer for "read under the pointer".
inline constexpr int kPointerAreaWidth = 900, kPointerAreaHeight = 360;

class ScreenSources {
 public:
  ScreenSources();
  ~ScreenSources();

  // source: "screen", "window" (the active one), "pointer", "region" (with region "X,Y,W,H") or
  // "clipboard" (its image/png). Fills the request's image fields, source and origin. Errors
  // name the source; on Wayland or without a display they say X11 capture is unavailable.
  Status capture(const std::string& source, const std::string& region, JobRequest& request);
  // Moves the pointer to the centre of `box` (screen pixels), and clicks when `click`.
  Status pointAt(const Box& box, bool click);
  // Where the pointer is (for marking the corners of a rectangle).
  Result<std::pair<int, int>> pointer();

 private:
  Result<ScreenCapture*> screen();
  Result<Pointer*> pointerDevice();
  std::unique_ptr<ScreenCapture> screen_;
  std::unique_ptr<Pointer> pointer_;
};

}  // namespace liseur
