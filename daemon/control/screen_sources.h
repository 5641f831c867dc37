// ScreenSources: turns `read`/`ocr` sources that are not files (screen, window, pointer, region,
// clipboard) into JobRequests with the captured pixels, and moves or clicks the pointer for
// "click where the word is". Opens the X display lazily, on the first use, so a daemon started
// outside a graphical session still reads files. Main thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "capture/capture.h"
#include "control/session.h"
#include "core/result.h"

namespace liseur {

class Pointer;

// What a watched region captures at each tick (see control/watcher.h).
struct WatchTarget {
  std::string description;  // "window 0x1a00007", "region 10,20,600,200", "screen"
  std::function<Result<CapturedImage>()> capture;
  // Called after a failed capture: the reason the watch must end (the window was closed, the
  // display went away), or nothing when the failure may pass (a window minimised for a moment).
  std::function<std::optional<Error>()> ended;
};

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
  // What `liseur watch SOURCE` captures: "window" (the window active now, followed by its id
  // even when another one becomes active), "region" (with region "X,Y,W,H") or "screen". Errors
  // as for capture(): a bad region, no active window, no display.
  Result<WatchTarget> watchTarget(const std::string& source, const std::string& region);
  // Moves the pointer to the centre of `box` (screen pixels), and clicks when `click`.
  Status pointAt(const Box& box, bool click);
  // Moves the pointer by (dx, dy), stopping at the screen's edges (arrow keys while marking a
  // rectangle); returns where it landed.
  Result<std::pair<int, int>> nudgePointer(int dx, int dy);
  // Where the pointer is (for marking the corners of a rectangle).
  Result<std::pair<int, int>> pointer();

 private:
  Result<ScreenCapture*> screen();
  Result<Pointer*> pointerDevice();
  std::unique_ptr<ScreenCapture> screen_;
  std::unique_ptr<Pointer> pointer_;
};

}  // namespace liseur
