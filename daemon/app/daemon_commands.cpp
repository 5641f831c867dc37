#include "app/daemon_commands.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "config/config_schema.h"
#include "core/log.h"
#ifdef LISEUR_HAVE_X11
#include "control/screen_sources.h"
#include "control/watcher.h"
#include "input/hotkeys.h"
#ifdef LISEUR_HAVE_PORTAL
#include "input/portal_shortcuts.h"
#endif
#else
namespace liseur {
class ScreenSources {};
class Hotkeys {};
class Watcher {};
}  // namespace liseur
#endif

namespace liseur {

using nlohmann::json;

namespace {

Result<std::string> stringArg(const json& args, const char* name, bool required) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) {
    if (required)
      return makeError(ErrorCode::kInvalidArgument, std::string("missing argument '") + name + "'");
    return std::string();
  }
  if (!it->is_string())
    return makeError(ErrorCode::kInvalidArgument,
                     std::string("argument '") + name + "' must be a string");
  return it->get<std::string>();
}

Result<bool> boolArg(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return false;
  if (!it->is_boolean())
    return makeError(ErrorCode::kInvalidArgument,
                     std::string("argument '") + name + "' must be true or false");
  return it->get<bool>();
}

Result<std::string> pathArg(const json& args, const char* name) {
  auto p = stringArg(args, name, false);
  if (!p || p->empty()) return p;
  if ((*p)[0] != '/')
    return makeError(
        ErrorCode::kInvalidArgument,
        std::string("argument '") + name + "' must be an absolute path (got '" + *p + "')");
  return p;
}

json resultFields(const JobResult& r) {
  json out{{"job", r.job}, {"stopped", r.stopped}, {"timings", r.timings}};
  if (!r.wav_path.empty()) out["wav"] = r.wav_path;
  if (!r.lost.empty()) {
    json errs = json::array();
    for (const Error& e : r.lost) errs.push_back({{"code", e.name()}, {"message", e.message}});
    out["errors"] = std::move(errs);
  }
  return out;
}

// Run-time setting names of `liseur set` and the configuration keys behind them.
struct SettingKey {
  const char* name;
  const char* key;
};
constexpr SettingKey kSettings[] = {
    {"rate", "speech.rate"}, {"pitch", "speech.pitch"}, {"volume", "speech.volume"}};

}  // namespace

SessionOptions sessionOptionsFrom(const config::Config& c, const DaemonOverrides& o) {
  SessionOptions s;
  s.audio_sink = c.getString("audio.sink");
  if (s.audio_sink == "wav") s.audio_sink = "null";  // files are chosen per request (--to-wav)
  s.audio_device = c.getString("audio.device");
  s.audio_latency_ms = static_cast<int>(c.getInt("audio.latency_ms"));
  s.ocr_languages = c.getString("ocr.languages");
  s.ocr_mode = c.getString("ocr.mode");
  s.speech = speech::voicingOptions(c);
  s.speech_output = c.getString("speech.output");
  // The dys view highlights each word as it is heard: liseur's own voice gives exact timings.
  s.exact_timings = c.getBool("view.enabled") && c.getString("view.theme") == "dys";
  if (!o.audio.empty()) s.audio_sink = o.audio;
  if (!o.device.empty()) s.audio_device = o.device;
  if (!o.ocr_languages.empty()) s.ocr_languages = o.ocr_languages;
  if (!o.default_lang.empty()) s.speech.default_lang = o.default_lang;
  if (o.rate) {
    s.speech.rate = o.rate;
    s.speech.rate_set = true;
  }
  return s;
}

DaemonCommands::DaemonCommands(EventLoop& loop, IpcServer& server, config::ConfigStore& config,
                               Session& session, DaemonOverrides overrides)
    : loop_(loop),
      server_(server),
      config_(config),
      session_(session),
      overrides_(std::move(overrides)) {
#ifdef LISEUR_HAVE_X11
  screen_ = std::make_unique<ScreenSources>(loop_);
  screen_->setBackend(config_.current()->getString("capture.backend"));
#endif
}

DaemonCommands::~DaemonCommands() {
  if (idleCheck_) loop_.cancelTimer(*idleCheck_);
#ifdef LISEUR_HAVE_X11
  watcher_.reset();
  if (markTimeout_) loop_.cancelTimer(*markTimeout_);
  if (hotkeyRetry_) loop_.cancelTimer(*hotkeyRetry_);
  if (hotkeys_) loop_.removeFd(hotkeys_->fd());
#endif
#ifdef LISEUR_HAVE_PORTAL
  *alive_ = false;
  if (portalShortcutsThread_.joinable()) portalShortcutsThread_.join();
  portalShortcuts_.reset();
#endif
}

void DaemonCommands::jobCommand(JobKind kind, const IpcRequest& req, IpcResponder resp) {
  JobRequest jr;
  jr.kind = kind;
  jr.received_ms = EventLoop::nowMsPrecise();
  auto file = pathArg(req.args, "file");
  auto source = stringArg(req.args, "source", false);
  auto region = stringArg(req.args, "region", false);
  auto text = stringArg(req.args, "text", kind == JobKind::kSay);
  auto wav = pathArg(req.args, "to_wav");
  auto lang = stringArg(req.args, "lang", false);
  auto wait = boolArg(req.args, "wait");
  auto priority = stringArg(req.args, "priority", false);
  if (!priority) return resp.fail(priority.error());
  if (*priority == "message" && kind == JobKind::kSay)
    jr.priority = SpeechPriority::kMessage;
  else if (*priority == "notification" && kind == JobKind::kSay)
    jr.priority = SpeechPriority::kNotification;
  else if (!priority->empty() && *priority != "text")
    return resp.fail(ErrorCode::kInvalidArgument,
                     "argument 'priority' must be \"text\" or, for say, \"message\" or "
                     "\"notification\" (got '" +
                         *priority + "')");
  for (const Status& s :
       {file ? okStatus() : Status(file.error()), source ? okStatus() : Status(source.error()),
        region ? okStatus() : Status(region.error()), text ? okStatus() : Status(text.error()),
        wav ? okStatus() : Status(wav.error()), lang ? okStatus() : Status(lang.error()),
        wait ? okStatus() : Status(wait.error())})
    if (!s) return resp.fail(s.error());
  jr.path = *file;
  jr.text = *text;
  jr.to_wav = *wav;
  if (req.fd) {
    // The client opened the WAV file itself and passed it (liseur --to-wav): written through
    // that descriptor, so the file is made with the client's rights in the client's folder.
    if (jr.to_wav.empty())
      return resp.fail(ErrorCode::kInvalidArgument,
                       "a file descriptor came with the request but no 'to_wav' names the file");
    jr.to_wav_fd = req.fd;
  }
  jr.lang = *lang;
  bool replyAtEnd = kind == JobKind::kOcr || *wait;
  auto submit = [this, kind, replyAtEnd](JobRequest jr, IpcResponder resp) {
    auto job = session_.submit(std::move(jr), [resp, replyAtEnd, kind](const JobResult& r) mutable {
      if (!replyAtEnd) return;
      if (r.error) return resp.fail(*r.error);
      json fields = resultFields(r);
      if (kind == JobKind::kOcr) {
        fields["text"] = r.document.text();
        fields["document"] = toJson(r.document);
      }
      resp.reply(fields);
    });
    if (!job) return resp.fail(job.error());
    if (!replyAtEnd) resp.reply({{"job", *job}});
  };
  if (kind != JobKind::kSay) {
    std::string src = source->empty() ? "file" : *source;
    if (src == "file" && jr.path.empty())
      return resp.fail(ErrorCode::kInvalidArgument,
                       "missing argument 'file' (or a 'source' such as window)");
    if (src != "file") {
#ifdef LISEUR_HAVE_X11
      // The portal answers later (the desktop may ask the user first); the others at once.
      screen_->capture(src, *region, std::move(jr),
                       [submit, resp](Status st, JobRequest captured) mutable {
                         // `stop` while the desktop was taking the screenshot: nothing to read.
                         if (!st && st.error().code == ErrorCode::kCancelled)
                           return resp.reply({{"job", nullptr}, {"stopped", true}});
                         if (!st) return resp.fail(st.error());
                         submit(std::move(captured), std::move(resp));
                       });
      return;
#else
      return resp.fail(ErrorCode::kInvalidArgument,
                       "this liseurd was built without screen capture");
#endif
    }
  }
  submit(std::move(jr), std::move(resp));
}

Status DaemonCommands::setSetting(const std::string& name, const std::string& value, json* out) {
  const SettingKey* setting = nullptr;
  for (const auto& s : kSettings)
    if (name == s.name) setting = &s;
  if (!setting)
    return makeError(ErrorCode::kInvalidArgument,
                     "set: unknown setting '" + name + "' (one of: rate, pitch, volume)");
  const config::KeySpec* spec = config::ConfigSchema::instance().find(setting->key);
  // Relative to the value in use (a voice preset's, unless the configuration sets the key).
  long current = session_.speechSetting(name);
  if (current < 0) current = static_cast<long>(config_.current()->getInt(setting->key));
  bool relative = !value.empty() && (value[0] == '+' || value[0] == '-');
  char* end = nullptr;
  long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0')
    return makeError(
        ErrorCode::kInvalidArgument,
        "set " + name + ": expected a number such as 180, +10 or -10 (got '" + value + "')");
  long next = relative ? current + v : v;
  if (spec && spec->min && spec->max)
    next = std::clamp<long>(next, long(*spec->min), long(*spec->max));
  // Through the configuration, so an administrator's lock on the key is respected.
  if (auto st = config_.set(setting->key, std::to_string(next)); !st) return st;
  session_.applyOptions(sessionOptionsFrom(*config_.current(), overrides_));
  if (out) (*out)[name] = next;
  return okStatus();
}

void DaemonCommands::registerAll() {
  applyDaemonSettings();
  server_.setHelloHook([this](const json& args) { adoptSession(args); });
  server_.registerCommand(
      "read", [this](const IpcRequest& r, IpcResponder p) { jobCommand(JobKind::kRead, r, p); });
  server_.registerCommand(
      "ocr", [this](const IpcRequest& r, IpcResponder p) { jobCommand(JobKind::kOcr, r, p); });
  server_.registerCommand(
      "say", [this](const IpcRequest& r, IpcResponder p) { jobCommand(JobKind::kSay, r, p); });
  server_.registerCommand("stop", [this](const IpcRequest&, IpcResponder r) {
#ifdef LISEUR_HAVE_X11
    screen_->cancelPending();
#endif
    session_.stop();
    r.reply();
  });
  server_.registerCommand("pause", [this](const IpcRequest&, IpcResponder r) {
    session_.pause();
    r.reply();
  });
  server_.registerCommand("resume", [this](const IpcRequest&, IpcResponder r) {
    session_.resume();
    r.reply();
  });
  server_.registerCommand("review", [this](const IpcRequest& req, IpcResponder r) {
    double received = EventLoop::nowMsPrecise();
    auto action = stringArg(req.args, "action", true);
    if (!action) return r.fail(action.error());
    auto out = session_.review(*action, received);
    if (!out) return r.fail(out.error());
    r.reply(*out);
  });
  server_.registerCommand("pointer", [this](const IpcRequest& req, IpcResponder r) {
    auto action = stringArg(req.args, "action", true);
    if (!action) return r.fail(action.error());
    if (*action != "move" && *action != "click")
      return r.fail(ErrorCode::kInvalidArgument,
                    "pointer: action must be move or click (got '" + *action + "')");
    auto box = session_.reviewWordOnScreen();
    if (!box)
      return r.fail(ErrorCode::kInvalidArgument,
                    "pointer: the review cursor is not on a word read from the screen");
#ifdef LISEUR_HAVE_X11
    if (auto st = screen_->pointAt(*box, *action == "click"); !st) return r.fail(st.error());
    r.reply({{"box", toJson(*box)}});
#else
    r.fail(ErrorCode::kInvalidArgument, "this liseurd was built without X11");
#endif
  });
  server_.registerCommand("watch", [this](const IpcRequest& req, IpcResponder r) {
    auto source = stringArg(req.args, "source", true);
    auto region = stringArg(req.args, "region", false);
    if (!source) return r.fail(source.error());
    if (!region) return r.fail(region.error());
    std::chrono::milliseconds every{1000};
#ifdef LISEUR_HAVE_X11
    if (auto it = req.args.find("every"); it != req.args.end() && !it->is_null()) {
      // A duration string ("1s", "500ms") or a number of milliseconds.
      std::string text = it->is_string()           ? it->get<std::string>()
                         : it->is_number_integer() ? std::to_string(it->get<long long>()) + "ms"
                                                   : "";
      if (text.empty())
        return r.fail(ErrorCode::kInvalidArgument,
                      "argument 'every' must be a duration such as \"1s\" or a number of ms");
      auto e = parseWatchInterval(text);
      if (!e) return r.fail(e.error());
      every = *e;
    }
#endif
    json out = json::object();
    if (auto st = startWatch(*source, *region, every, &out); !st) return r.fail(st.error());
    r.reply(out);
  });
  server_.registerCommand("unwatch", [this](const IpcRequest&, IpcResponder r) {
    r.reply({{"stopped", stopWatch("unwatch")}});
  });
  server_.registerCommand("set", [this](const IpcRequest& req, IpcResponder r) {
    auto key = stringArg(req.args, "key", true);
    if (!key) return r.fail(key.error());
    auto it = req.args.find("value");
    if (it == req.args.end() || !(it->is_string() || it->is_number_integer()))
      return r.fail(ErrorCode::kInvalidArgument, "missing argument 'value' (a number, or +N / -N)");
    std::string value = it->is_string() ? it->get<std::string>() : std::to_string(it->get<long>());
    json out = json::object();
    if (auto st = setSetting(*key, value, &out); !st) return r.fail(st.error());
    r.reply(out);
  });
  server_.registerCommand("reload", [this](const IpcRequest&, IpcResponder r) {
    auto report = reload();
    json diags = json::array();
    for (const auto& d : report.diagnostics) diags.push_back(d.toJson());
    if (!report.applied) return r.fail(config::diagnosticsError(report.diagnostics));
    r.reply({{"applied", true}, {"diagnostics", diags}});
  });
  server_.registerCommand("status", [this](const IpcRequest&, IpcResponder r) {
    json s = session_.status();
    s["version"] = LISEUR_VERSION;
    s["pid"] = ::getpid();
    s["profile"] = config_.current()->profileName();
    s["hotkeys"] = hotkeys_ != nullptr;
#ifdef LISEUR_HAVE_PORTAL
    if (portalShortcuts_) s["hotkeys"] = true;
#endif
#ifdef LISEUR_HAVE_X11
    json display = screen_->status();
    display["session"] = sessionFromClient_ ? "client" : "daemon";
    display["hotkeys"] = hotkeys_ ? json("x11") : json(nullptr);
#ifdef LISEUR_HAVE_PORTAL
    if (portalShortcuts_) display["hotkeys"] = "portal";
#endif
    s["display"] = display;
#endif
    json problems = json::array();
    for (const Error& e : hotkeyProblems_)
      problems.push_back({{"code", e.name()}, {"message", e.message}});
    s["hotkey_problems"] = problems;
#ifdef LISEUR_HAVE_X11
    s["watch"] = watcher_ && watcher_->active() ? watcher_->status() : json(nullptr);
#else
    s["watch"] = nullptr;
#endif
    s["idle_exit"] = idleStatus();
    if (statusExtension_) statusExtension_(s);
    r.reply(s);
  });
  server_.registerCommand("shutdown", [this](const IpcRequest&, IpcResponder r) {
    r.reply();
    loop_.post([this] { loop_.stop(); });
  });
}

config::ReloadReport DaemonCommands::reload() {
  config::ReloadReport report = config_.reload();
  for (const auto& d : report.diagnostics) spdlog::warn("config: {}", d.toString());
  if (report.applied) {
    session_.applyOptions(sessionOptionsFrom(*config_.current(), overrides_));
    session_.reloadSpeechData();
#ifdef LISEUR_HAVE_X11
    screen_->setBackend(config_.current()->getString("capture.backend"));
#endif
    bindHotkeys();
    applyDaemonSettings();
    server_.broadcast("config-reloaded", {{"profile", config_.current()->profileName()}});
  } else {
    json diags = json::array();
    for (const auto& d : report.diagnostics) diags.push_back(d.toJson());
    server_.broadcast("error",
                      {{"code", "config-invalid"},
                       {"message", "the configuration has errors; the last good one stays in use"},
                       {"diagnostics", diags}});
  }
  return report;
}

void DaemonCommands::applyDaemonSettings() {
  const auto cfg = config_.current();
  setLogLevel(cfg->getString("daemon.log_level"));
  idleExitMin_ = static_cast<int>(cfg->getInt("daemon.idle_exit_min"));
  lastBusyMs_ = EventLoop::nowMs();  // a new limit counts from now
  if (idleExitMin_ <= 0) {
    if (idleCheck_) loop_.cancelTimer(*idleCheck_);
    idleCheck_.reset();
    return;
  }
  if (idleCheck_) return;
  // Looked at a few times a minute: the exit comes at most a quarter of a minute late.
  idleCheck_ = loop_.addTimer(std::chrono::seconds(15), [this] {
    idleCheck_.reset();
    checkIdle();
  });
}

// daemon.idle_exit_min: liseurd ends when, for that long, no client asked anything and nothing
// was read, said, recognised or watched; systemd's socket (or the next liseur command's
// autospawn) starts it again on the next request. It never ends while it holds global hotkeys:
// a blind user pressing one would get silence, and a hotkey cannot start a daemon that is gone.
// So the setting is for desktops where the hotkeys are the desktop's own shortcuts running
// `liseur` commands (Wayland, `liseur hotkeys install`) and for liseur driven by other programs.
json DaemonCommands::idleStatus() const {
  if (idleExitMin_ <= 0) return nullptr;
  json out{{"after_min", idleExitMin_}};
  bool held = hotkeys_ != nullptr;
#ifdef LISEUR_HAVE_PORTAL
  held = held || portalShortcuts_ != nullptr;
#endif
  if (held) {
    out["held_by"] = "hotkeys";
    return out;
  }
  const int64_t since = std::max(server_.lastRequestMs(), lastBusyMs_);
  out["in_s"] = std::max<int64_t>(0, (since + idleExitMin_ * 60000LL - EventLoop::nowMs()) / 1000);
  return out;
}

void DaemonCommands::checkIdle() {
  if (idleExitMin_ <= 0) return;
  bool busy = session_.busy();
#ifdef LISEUR_HAVE_X11
  busy = busy || (watcher_ && watcher_->active());
#endif
  const int64_t now = EventLoop::nowMs();
  if (busy) lastBusyMs_ = now;
  const json idle = idleStatus();
  if (!idle.contains("held_by") && idle.value("in_s", int64_t{1}) <= 0) {
    spdlog::info(
        "idle for {} min (daemon.idle_exit_min): exiting; the next request starts "
        "liseurd again",
        idleExitMin_);
    loop_.stop();
    return;
  }
  idleCheck_ = loop_.addTimer(std::chrono::seconds(15), [this] {
    idleCheck_.reset();
    checkIdle();
  });
}

void DaemonCommands::notice(const std::string& text) {
  if (noticePresenter_) {
    auto alive = alive_;
    auto speakInstead = [this, alive, text] {
      if (*alive) speakNotice(text);
    };
    if (noticePresenter_(text, speakInstead)) return;
  }
  speakNotice(text);
}

void DaemonCommands::speakNotice(const std::string& text) {
  JobRequest jr;
  jr.kind = JobKind::kSay;
  jr.text = text;
  jr.priority = SpeechPriority::kMessage;  // not lost when a read or review interrupts
  (void)session_.submit(std::move(jr), {});
}

void DaemonCommands::startHotkeys() {
#ifdef LISEUR_HAVE_X11
  if (overrides_.no_hotkeys || hotkeys_) return;
  const DisplayEnv& env = screen_->environment();
  if (env.wayland()) {
    // Grabs through Xwayland fire only while an X11 window has the focus: they would look like
    // global hotkeys and fail as soon as a native window is in front. The GlobalShortcuts portal
    // (KDE Plasma, GNOME 48, Hyprland) is tried first, off the loop: the desktop may ask the user.
#ifdef LISEUR_HAVE_PORTAL
    if (startPortalShortcuts(env)) return;
#endif
    hotkeyProblems_ = {makeError(
        ErrorCode::kCaptureUnsupported,
        "global hotkeys on this Wayland session (" + env.desktopName() +
            ") are the desktop's: run 'liseur hotkeys install' to add liseur's to its keyboard "
            "shortcuts, or bind the liseur commands ('liseur read window', 'liseur stop') there")};
    spdlog::info("hotkeys: {}", hotkeyProblems_.front().message);
    return;
  }
  auto hk = Hotkeys::open(env.display);
  if (!hk) {
    // No display yet (a console, the X server restarting): said once, shown by `status`, and
    // tried again every second while a display is named.
    if (hotkeyProblems_.empty() || hotkeyProblems_.front().message != hk.error().message)
      spdlog::warn("hotkeys: {}", hk.error().message);
    hotkeyProblems_ = {hk.error()};
    retryHotkeys();
    return;
  }
  hotkeys_ = std::move(*hk);
  spdlog::info("hotkeys: grabbed on X11 {}", env.display.empty() ? "(default)" : env.display);
  hotkeys_->setCallback([this](const std::string& action, bool repeat) {
    // Held keys repeat only where repeating makes sense: the rate and nudging the pointer.
    if (repeat && action != "faster" && action != "slower" && action.rfind("nudge_", 0) != 0)
      return;
    onHotkey(action);
  });
  loop_.addFd(hotkeys_->fd(), EPOLLIN, [this](uint32_t) {
    hotkeys_->dispatch();
    if (hotkeys_->lost()) {
      spdlog::warn("hotkeys: the X server went away; trying again every second");
      loop_.removeFd(hotkeys_->fd());
      hotkeys_.reset();
      hotkeyProblems_ = {makeError(ErrorCode::kDisplayUnavailable,
                                   "the X server went away; the hotkeys come back with it")};
      retryHotkeys();
    }
  });
  bindHotkeys();
#endif
}

#ifdef LISEUR_HAVE_PORTAL
bool DaemonCommands::startPortalShortcuts(const DisplayEnv& env) {
  if (portalShortcutsThread_.joinable()) return true;  // already asked
  std::vector<PortalShortcut> wanted;
  auto cfg = config_.current();
  for (const auto& spec : config::ConfigSchema::instance().keys()) {
    if (spec.key.rfind("hotkeys.", 0) != 0 || spec.isPattern()) continue;
    const std::string action = spec.key.substr(8);
    // Marking a rectangle moves the pointer with the arrows: not possible on Wayland.
    if (action == "mark" || action.rfind("nudge_", 0) == 0 || action == "mark_cancel") continue;
    const std::string& chord = cfg->getString(spec.key);
    if (!chord.empty()) wanted.push_back({action, spec.help, chord});
  }
  hotkeyProblems_ = {makeError(ErrorCode::kTimeout,
                               "asking the desktop's GlobalShortcuts portal for liseur's hotkeys")};
  auto alive = alive_;
  portalShortcutsThread_ =
      std::thread([this, alive, wanted, bus = env.dbus_address, desktop = env.desktopName()] {
        auto onActivated = [this, alive](const std::string& id, std::uint64_t) {
          loop_.post([this, alive, id] {
            if (*alive) onHotkey(id);
          });
        };
        auto opened = PortalShortcuts::open(onActivated, bus);
        Result<std::vector<BoundShortcut>> bound =
            opened ? (*opened)->bind(wanted) : Result<std::vector<BoundShortcut>>(opened.error());
        std::shared_ptr<PortalShortcuts> shortcuts;
        if (opened) shortcuts = std::move(*opened);
        loop_.post([this, alive, shortcuts, bound = std::move(bound), desktop]() mutable {
          if (!*alive) return;
          if (!bound) {
            hotkeyProblems_ = {makeError(
                ErrorCode::kCaptureUnsupported,
                "global hotkeys on this Wayland session (" + desktop +
                    ") are the desktop's, and its GlobalShortcuts portal did not bind them (" +
                    bound.error().message +
                    "): run 'liseur hotkeys install' to add liseur's to its keyboard shortcuts, or "
                    "bind the liseur commands ('liseur read window', 'liseur stop') there")};
            spdlog::info("hotkeys: {}", hotkeyProblems_.front().message);
            return;
          }
          portalShortcuts_ = std::move(shortcuts);
          hotkeyProblems_.clear();
          spdlog::info("hotkeys: {} bound through the GlobalShortcuts portal", bound->size());
        });
      });
  return true;
}
#endif

void DaemonCommands::retryHotkeys() {
#ifdef LISEUR_HAVE_X11
  if (hotkeyRetry_ || !screen_->environment().x11() || screen_->environment().wayland()) return;
  hotkeyRetry_ = loop_.addTimer(std::chrono::seconds(1), [this] {
    hotkeyRetry_.reset();
    startHotkeys();
  });
#endif
}

void DaemonCommands::adoptSession(const nlohmann::json& helloArgs) {
#ifdef LISEUR_HAVE_X11
  auto it = helloArgs.find("session");
  if (it == helloArgs.end()) return;
  auto env = DisplayEnv::fromJson(*it);
  if (!env || !env->any() || *env == screen_->environment()) return;
  // Only when the daemon has no usable display of its own: a client must not move a working
  // daemon to its own display (an ssh session with X forwarding, a nested session).
  const DisplayEnv& mine = screen_->environment();
  bool stuck =
      !mine.any() || screen_->displayUnreachable() ||
      (!mine.wayland() && !hotkeys_ && !overrides_.no_hotkeys && !hotkeyProblems_.empty() &&
       hotkeyProblems_.front().code == ErrorCode::kDisplayUnavailable);
  if (!stuck) return;
  spdlog::info("session: adopting a client's graphical session ({}{}{})",
               env->wayland() ? "WAYLAND_DISPLAY=" + env->wayland_display : "",
               env->wayland() && env->x11() ? ", " : "",
               env->x11() ? "DISPLAY=" + env->display : "");
  // Xlib finds the X authority cookie through XAUTHORITY only. Set on the main thread, once per
  // adoption, before any X connection of the new session opens.
  if (!env->xauthority.empty()) ::setenv("XAUTHORITY", env->xauthority.c_str(), 1);
  if (hotkeyRetry_) {
    loop_.cancelTimer(*hotkeyRetry_);
    hotkeyRetry_.reset();
  }
  if (hotkeys_) {
    loop_.removeFd(hotkeys_->fd());
    hotkeys_.reset();
  }
  hotkeyProblems_.clear();
#ifdef LISEUR_HAVE_PORTAL
  if (portalShortcutsThread_.joinable()) portalShortcutsThread_.join();
  portalShortcuts_.reset();
#endif
  screen_->setEnvironment(std::move(*env));
  sessionFromClient_ = true;
  startHotkeys();
#else
  (void)helloArgs;
#endif
}

void DaemonCommands::bindHotkeys() {
#ifdef LISEUR_HAVE_X11
  if (!hotkeys_) return;
  hotkeys_->unbindAll();
  std::vector<HotkeyBinding> bindings;
  auto cfg = config_.current();
  for (const auto& spec : config::ConfigSchema::instance().keys()) {
    if (spec.key.rfind("hotkeys.", 0) != 0 || spec.isPattern()) continue;
    const std::string& chord = cfg->getString(spec.key);
    if (!chord.empty()) bindings.push_back({chord, spec.key.substr(8)});
  }
  hotkeyProblems_ = hotkeys_->bindAll(bindings);
  for (const Error& e : hotkeyProblems_) {
    spdlog::warn("hotkeys: {}", e.message);
    server_.broadcast("error", {{"code", e.name()}, {"message", e.message}});
  }
  hotkeys_->dispatch();  // events may already be queued inside Xlib
#endif
}

void DaemonCommands::hotkeyRead(const std::string& source, const std::string& region) {
  JobRequest jr;
  jr.kind = JobKind::kRead;
  jr.received_ms = EventLoop::nowMsPrecise();
#ifdef LISEUR_HAVE_X11
  screen_->capture(source, region, std::move(jr), [this, source](Status st, JobRequest captured) {
    if (!st && st.error().code == ErrorCode::kCancelled) return;  // stopped meanwhile
    if (!st) {
      spdlog::warn("hotkey read {}: {}", source, st.error().message);
      server_.broadcast("error", {{"code", st.error().name()}, {"message", st.error().message}});
      return;
    }
    (void)session_.submit(std::move(captured), {});
  });
#else
  (void)session_.submit(std::move(jr), {});
#endif
}

void DaemonCommands::onHotkey(const std::string& action) {
  server_.broadcast("hotkey", {{"action", action}, {"t_ms", 0}});
  if (action == "read_window") return hotkeyRead("window");
  if (action == "read_pointer") return hotkeyRead("pointer");
  if (action == "stop") {
#ifdef LISEUR_HAVE_X11
    screen_->cancelPending();
#endif
    return session_.stop();
  }
  if (action == "pause_resume") {
    if (session_.status()["state"] == "paused") return session_.resume();
    return session_.pause();
  }
  if (action == "faster" || action == "slower") {
    json out = json::object();
    if (auto st = setSetting("rate", action == "faster" ? "+20" : "-20", &out); !st)
      return notice(st.error().message);
    return;
  }
  static const std::pair<const char*, const char*> kReview[] = {
      {"review_next_line", "next-line"},
      {"review_prev_line", "previous-line"},
      {"review_next_word", "next-word"},
      {"review_prev_word", "previous-word"},
      {"review_next_page", "next-page"},
      {"review_prev_page", "previous-page"},
      {"spell", "spell"},
      {"repeat", "repeat"}};
  for (const auto& [a, r] : kReview)
    if (action == a) {
      (void)session_.review(r, EventLoop::nowMsPrecise());
      return;
    }
  if (action == "watch_window") return toggleWatchWindow();
  // While a rectangle is being marked: arrows move the pointer by 10 px, Shift+arrows by 1 px.
  static const struct {
    const char* action;
    int dx, dy;
  } kNudges[] = {{"nudge_left", -10, 0},   {"nudge_right", 10, 0},     {"nudge_up", 0, -10},
                 {"nudge_down", 0, 10},    {"nudge_left_fine", -1, 0}, {"nudge_right_fine", 1, 0},
                 {"nudge_up_fine", 0, -1}, {"nudge_down_fine", 0, 1}};
  for (const auto& n : kNudges)
    if (action == n.action) return nudgePointer(n.dx, n.dy);
  if (action == "mark_cancel") {
    endMarking();
    return notice(phrase("Rectangle annulé.", "Rectangle cancelled."));
  }
  if (action == "mark_corner") {
#ifdef LISEUR_HAVE_X11
    auto p = screen_->pointer();
    if (!p) return notice(p.error().message);
    if (!firstCorner_) {
      startMarking(*p);
      return notice(phrase("Premier coin.", "First corner."));
    }
    auto [x0, y0] = *firstCorner_;
    auto [x1, y1] = *p;
    endMarking();
    int x = std::min(x0, x1), y = std::min(y0, y1), w = std::abs(x1 - x0), h = std::abs(y1 - y0);
    if (w < 8 || h < 8) return notice(phrase("Rectangle trop petit.", "Rectangle too small."));
    return hotkeyRead("region", std::to_string(x) + "," + std::to_string(y) + "," +
                                    std::to_string(w) + "," + std::to_string(h));
#endif
  }
}

std::string DaemonCommands::phrase(const char* fr, const char* en) const {
  return config_.current()->getString("ocr.language") == "en" ? en : fr;
}

// The arrow keys are grabbed only between the two corners: the rest of the time they belong to
// the applications. A forgotten second corner must not keep them away for ever, so marking ends
// by itself after kMarkIdle without a key.
namespace {
constexpr std::chrono::seconds kMarkIdle{30};
}

void DaemonCommands::startMarking(std::pair<int, int> corner) {
#ifdef LISEUR_HAVE_X11
  firstCorner_ = corner;
  if (hotkeys_) {
    static const std::pair<const char*, const char*> kKeys[] = {{"Left", "nudge_left"},
                                                                {"Right", "nudge_right"},
                                                                {"Up", "nudge_up"},
                                                                {"Down", "nudge_down"},
                                                                {"Shift+Left", "nudge_left_fine"},
                                                                {"Shift+Right", "nudge_right_fine"},
                                                                {"Shift+Up", "nudge_up_fine"},
                                                                {"Shift+Down", "nudge_down_fine"},
                                                                {"Escape", "mark_cancel"}};
    for (const auto& [spec, action] : kKeys)
      if (auto st = hotkeys_->bind({spec, action}); !st)
        spdlog::warn("hotkeys: while marking: {}", st.error().message);
    hotkeys_->dispatch();
  }
  if (markTimeout_) loop_.cancelTimer(*markTimeout_);
  markTimeout_ = loop_.addTimer(kMarkIdle, [this] {
    markTimeout_.reset();
    endMarking();
  });
#else
  (void)corner;
#endif
}

void DaemonCommands::endMarking() {
#ifdef LISEUR_HAVE_X11
  firstCorner_.reset();
  if (markTimeout_) loop_.cancelTimer(*markTimeout_);
  markTimeout_.reset();
  if (hotkeys_) {
    for (const char* a : {"nudge_left", "nudge_right", "nudge_up", "nudge_down", "nudge_left_fine",
                          "nudge_right_fine", "nudge_up_fine", "nudge_down_fine", "mark_cancel"})
      hotkeys_->unbindAction(a);
  }
#endif
}

void DaemonCommands::nudgePointer(int dx, int dy) {
#ifdef LISEUR_HAVE_X11
  if (!firstCorner_) return;
  if (auto p = screen_->nudgePointer(dx, dy); !p) return notice(p.error().message);
  if (markTimeout_) loop_.cancelTimer(*markTimeout_);
  markTimeout_ = loop_.addTimer(kMarkIdle, [this] {
    markTimeout_.reset();
    endMarking();
  });
#else
  (void)dx;
  (void)dy;
#endif
}

Status DaemonCommands::startWatch(const std::string& source, const std::string& region,
                                  std::chrono::milliseconds every, json* out) {
#ifdef LISEUR_HAVE_X11
  auto target = screen_->watchTarget(source, region);
  if (!target) return target.error();
  stopWatch("replaced");  // one watch at a time
  std::string name = source == "region" ? "region " + region : source;
  std::string described = target->description;
  watcher_ = std::make_unique<Watcher>(loop_, session_, std::move(*target), name, every,
                                       [this](const std::string& ev, json body) {
                                         if (server_.hasSubscribers(ev))
                                           server_.broadcast(ev, std::move(body));
                                       });
  if (out) *out = {{"source", name}, {"target", described}, {"every_ms", every.count()}};
  return okStatus();
#else
  (void)source;
  (void)region;
  (void)every;
  (void)out;
  return makeError(ErrorCode::kDisplayUnavailable,
                   "this liseurd was built without X11 screen capture");
#endif
}

bool DaemonCommands::stopWatch(const std::string& reason) {
#ifdef LISEUR_HAVE_X11
  if (!watcher_) return false;
  bool wasActive = watcher_->active();
  watcher_->end(reason);
  // Not destroyed here: this may run inside one of the watcher's own callbacks.
  loop_.post([w = std::shared_ptr<Watcher>(std::move(watcher_))] {});
  return wasActive;
#else
  (void)reason;
  return false;
#endif
}

void DaemonCommands::toggleWatchWindow() {
#ifdef LISEUR_HAVE_X11
  if (watcher_ && watcher_->active()) {
    stopWatch("unwatch");
    return notice(phrase("Surveillance arrêtée.", "Watch stopped."));
  }
  if (auto st = startWatch("window", "", std::chrono::milliseconds(1000), nullptr); !st) {
    server_.broadcast("error", {{"code", st.error().name()}, {"message", st.error().message}});
    return notice(st.error().message);
  }
  notice(phrase("Surveillance de la fenêtre.", "Watching the window."));
#endif
}

}  // namespace liseur
