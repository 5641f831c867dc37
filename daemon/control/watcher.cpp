#include "control/watcher.h"

#include <cmath>
#include <cstdlib>

#include "control/line_changes.h"
#include "core/log.h"

namespace liseur {

using nlohmann::json;

namespace {

// While new lines wait for speech to be free, how often to look again.
constexpr std::chrono::milliseconds kSpeechPoll{100};
constexpr uint64_t kSubmitting = ~uint64_t{0};

}  // namespace

Watcher::Watcher(EventLoop& loop, Session& session, WatchTarget target, std::string source,
                 std::chrono::milliseconds every, EventSink events)
    : loop_(loop),
      session_(session),
      target_(std::move(target)),
      source_(std::move(source)),
      every_(every),
      events_(std::move(events)) {
  if (events_) events_("watch-started", {{"source", source_}, {"every_ms", every_.count()}});
  arm(std::chrono::milliseconds(0));
}

Watcher::~Watcher() {
  *alive_ = false;
  if (timer_) loop_.cancelTimer(*timer_);
  if (retry_) loop_.cancelTimer(*retry_);
}

void Watcher::end(const std::string& reason, const std::string& message) {
  if (!active_) return;
  active_ = false;
  if (timer_) loop_.cancelTimer(*timer_);
  if (retry_) loop_.cancelTimer(*retry_);
  timer_.reset();
  retry_.reset();
  pending_.clear();
  json body{{"source", source_}, {"reason", reason}};
  if (!message.empty()) body["message"] = message;
  if (reason != "unwatch" && reason != "replaced")
    spdlog::info("watch of {} ended: {}", target_.description, message);
  if (events_) events_("watch-ended", std::move(body));
}

json Watcher::status() const {
  return json{{"source", source_},
              {"target", target_.description},
              {"every_ms", every_.count()},
              {"active", active_},
              {"ticks", ticks_},
              {"unchanged", unchanged_},
              {"busy_skips", busySkips_},
              {"recognitions", recognitions_},
              {"spoken_lines", spoken_},
              {"pending_lines", pending_.size()},
              {"dropped_lines", dropped_}};
}

void Watcher::arm(std::chrono::milliseconds delay) {
  if (!active_ || timer_) return;
  timer_ = loop_.addTimer(delay, [this] {
    timer_.reset();
    tick();
  });
}

void Watcher::tick() {
  if (!active_) return;
  ++ticks_;
  if (ocrJob_) {  // the previous recognition still runs: never queue a second one
    ++busySkips_;
    return arm(every_);
  }
  auto img = target_.capture();
  if (!img) {
    if (auto why = target_.ended()) {
      return end(
          why->code == ErrorCode::kDisplayUnavailable ? "display-unavailable" : "window-closed",
          why->message);
    }
    // Minimised or moved off screen for a moment: look again at the next tick.
    return arm(every_);
  }
  if (!detector_.changed(*img)) {
    ++unchanged_;
    return arm(every_);
  }
  JobRequest jr;
  jr.kind = JobKind::kOcr;
  jr.width = img->width;
  jr.height = img->height;
  jr.stride = img->stride;
  jr.image_bytes = std::move(img->bgra);
  jr.origin = img->origin;
  jr.source = "watch " + source_;
  jr.received_ms = EventLoop::nowMsPrecise();
  ocrJob_ = kSubmitting;  // done() may run inside submit()
  auto job = session_.submit(std::move(jr), [this, alive = alive_](const JobResult& r) {
    if (*alive) recognised(r);
  });
  if (!job) return end("error", job.error().message);
  if (ocrJob_ == kSubmitting) ocrJob_ = *job;
  arm(every_);
}

void Watcher::recognised(const JobResult& r) {
  ocrJob_ = 0;
  if (!active_) return;
  if (r.stopped) {  // cancelled: recognise these pixels again at the next tick
    detector_.reset();
    return;
  }
  if (r.error) {
    // A worker that crashed or hung is restarted: try again. Anything else (a missing model, a
    // worker that cannot start) would fail the same way at every tick.
    if (r.error->code == ErrorCode::kWorkerCrashed || r.error->code == ErrorCode::kWorkerTimeout) {
      detector_.reset();
      return;
    }
    return end("error", r.error->message);
  }
  ++recognitions_;
  std::vector<std::string> lines;
  for (const Block& b : r.document.blocks)
    for (const Line& l : b.lines) lines.push_back(l.text());
  std::vector<std::string> normalised;
  std::vector<std::string> fresh = newLines(lastLines_, lines, &normalised);
  lastLines_ = std::move(normalised);
  for (auto& l : fresh) pending_.push_back(std::move(l));
  while (pending_.size() > kMaxPendingLines) {
    pending_.pop_front();
    ++dropped_;
  }
  speakPending();
}

void Watcher::speakPending() {
  if (!active_ || pending_.empty() || retry_) return;
  // Never interrupt: wait while the user's reading, or our previous lines, are spoken.
  if (sayJob_ || session_.status().value("state", "idle") != "idle") {
    retry_ = loop_.addTimer(kSpeechPoll, [this] {
      retry_.reset();
      speakPending();
    });
    return;
  }
  JobRequest jr;
  jr.kind = JobKind::kSay;
  json lines = json::array();
  for (const auto& l : pending_) {
    jr.text += (jr.text.empty() ? "" : "\n") + l;
    lines.push_back(l);
  }
  jr.received_ms = EventLoop::nowMsPrecise();
  std::size_t count = pending_.size();
  pending_.clear();
  sayJob_ = kSubmitting;
  auto job = session_.submit(std::move(jr), [this, alive = alive_](const JobResult& r) {
    if (!*alive) return;
    sayJob_ = 0;
    // Stopped by the user (or by their own reading): what waited is dropped with it.
    if (r.stopped) pending_.clear();
    speakPending();
  });
  if (!job) {
    sayJob_ = 0;
    spdlog::warn("watch: cannot speak new lines: {}", job.error().message);
    return;
  }
  if (sayJob_ == kSubmitting) sayJob_ = *job;
  spoken_ += count;
  if (events_) events_("watch-lines", {{"source", source_}, {"job", *job}, {"lines", lines}});
}

}  // namespace liseur
