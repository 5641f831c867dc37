// Watcher: a watched region (`liseur watch window|region X,Y,W,H|screen --every 1s`). Each tick
// re-captures the target; when the pixels have not changed (ChangeDetector) nothing else happens;
// when they have, the image is recognised (an OCR-only Session job) and only the lines that are
// new since the previous recognition (control/line_changes.h) are spoken (a say job).
//
// Speech policy: a watcher never interrupts. New lines wait while anything is being spoken (the
// user's own reading, or the watcher's previous lines) and are then said together, so a user
// reading a document is not cut off by a subtitle, and no line of a game dialog is lost because
// the next one came quickly. At most kMaxPendingLines wait (the oldest are dropped: a backlog of
// stale subtitles helps nobody). `stop` while the watcher speaks drops what was waiting too.
//
// Ticks never pile up: a tick is skipped while the previous recognition is still running, and
// the next tick is armed only after the current one has run. One watch at a time: DaemonCommands
// replaces the Watcher for a new watch.
//
// Events (through the EventSink): `watch-started` {source, every_ms}, `watch-lines` {lines, job}
// when new lines are spoken, `watch-ended` {source, reason: unwatch|replaced|window-closed|
// display-unavailable|error, message}. The Session's own events (job-started of kind ocr, ...)
// come as for any job.
//
// Threads: main thread only (the event loop's).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/change_detector.h"
#include "control/screen_sources.h"
#include "control/session.h"
#include "control/watch_interval.h"
#include "core/event_loop.h"

namespace liseur {

inline constexpr std::size_t kMaxPendingLines = 50;

class Watcher {
 public:
  using EventSink = std::function<void(const std::string& name, nlohmann::json body)>;

  // `source` is "window", "region X,Y,W,H" or "screen" (for events and status). The first tick
  // runs at once.
  Watcher(EventLoop& loop, Session& session, WatchTarget target, std::string source,
          std::chrono::milliseconds every, EventSink events);
  ~Watcher();  // cancels the timer; a recognition in flight finishes and is ignored
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Ends the watch with a `watch-ended` event; nothing happens after it (idempotent).
  void end(const std::string& reason, const std::string& message = {});
  bool active() const { return active_; }
  // For `status`: source, every_ms, ticks, unchanged, busy_skips, recognitions, spoken_lines,
  // pending_lines.
  nlohmann::json status() const;

 private:
  void arm(std::chrono::milliseconds delay);
  void tick();
  void recognised(const JobResult& r);
  void speakPending();

  EventLoop& loop_;
  Session& session_;
  WatchTarget target_;
  std::string source_;
  std::chrono::milliseconds every_;
  EventSink events_;
  bool active_ = true;
  // Outlives this object in callbacks still held by the Session: they check it first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::optional<EventLoop::TimerId> timer_, retry_;
  ChangeDetector detector_;
  uint64_t ocrJob_ = 0, sayJob_ = 0;
  bool haveLines_ = false;
  std::vector<std::string> lastLines_;  // normalised lines of the last recognition
  std::deque<std::string> pending_;     // new lines waiting for speech to be free
  uint64_t ticks_ = 0, unchanged_ = 0, busySkips_ = 0, recognitions_ = 0, spoken_ = 0, dropped_ = 0;
};

}  // namespace liseur
