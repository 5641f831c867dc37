// The daemon's commands: wires the IPC server's command names and the global hotkeys to the
// Session, the configuration and the screen. One command language: a hotkey runs exactly what
// the same CLI command runs. Main thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_store.h"
#include "control/session.h"
#include "core/event_loop.h"
#include "ipc/ipc_server.h"

namespace liseur {

class ScreenSources;
class Hotkeys;
class PortalShortcuts;
struct DisplayEnv;
class Watcher;

struct DaemonOverrides {  // liseurd's command-line options, stronger than the configuration
  std::string audio, device, ocr_languages, default_lang;
  int rate = 0;
  bool no_hotkeys = false;
};

// Session options from a configuration (and the command line's overrides).
SessionOptions sessionOptionsFrom(const config::Config& config, const DaemonOverrides& overrides);

class DaemonCommands {
 public:
  DaemonCommands(EventLoop& loop, IpcServer& server, config::ConfigStore& config, Session& session,
                 DaemonOverrides overrides);
  ~DaemonCommands();

  void registerAll();
  // Grabs the configured hotkeys when an X display is there; problems are logged and sent as
  // `error` events, never fatal.
  void startHotkeys();
  // SIGHUP and `reload`: re-reads every file; a broken file keeps the last good configuration.
  config::ReloadReport reload();
  // A client's hello: its graphical session (`session`, PROTOCOL.md) is adopted when the daemon
  // has no usable display of its own; then capture and hotkeys use the client's.
  void adoptSession(const nlohmann::json& helloArgs);

  // Short notices (the answers to hotkeys: "First corner.", "Watch stopped.", a refused rate
  // change) are offered to `presenter` first (dbus/dbus_bridge.h: Orca's PresentMessage). It
  // returns false to have the notice said by liseur's own voice at once, or true having taken
  // it; it then posts `speakInstead` to the loop if it could not present it after all.
  using NoticePresenter =
      std::function<bool(const std::string& text, std::function<void()> speakInstead)>;
  void setNoticePresenter(NoticePresenter presenter) { noticePresenter_ = std::move(presenter); }
  // Called with every `status` reply before it is sent, to add fields (the bridge's `dbus`).
  void setStatusExtension(std::function<void(nlohmann::json&)> extend) {
    statusExtension_ = std::move(extend);
  }

 private:
  void jobCommand(JobKind kind, const IpcRequest& req, IpcResponder resp);
  void onHotkey(const std::string& action);
  void hotkeyRead(const std::string& source, const std::string& region = {});
  Status setSetting(const std::string& key, const std::string& value, nlohmann::json* out);
  void notice(const std::string& text);
  void speakNotice(const std::string& text);  // with liseur's own voice
  void bindHotkeys();
  // daemon.log_level and daemon.idle_exit_min, at start and at every applied reload.
  void applyDaemonSettings();
  void checkIdle();
  nlohmann::json idleStatus() const;
  void retryHotkeys();  // every second while the X server named by the session is away
#ifdef LISEUR_HAVE_PORTAL
  // Wayland: asks the GlobalShortcuts portal for the hotkeys, on a thread (the desktop may show
  // a dialog); the result comes back on the loop. False when it cannot even try.
  bool startPortalShortcuts(const DisplayEnv& env);
#endif
  // Watched regions (control/watcher.h) and the arrow keys while marking a rectangle.
  Status startWatch(const std::string& source, const std::string& region,
                    std::chrono::milliseconds every, nlohmann::json* out);
  bool stopWatch(const std::string& reason);
  void toggleWatchWindow();
  void startMarking(std::pair<int, int> corner);
  void endMarking();
  void nudgePointer(int dx, int dy);
  std::string phrase(const char* fr, const char* en) const;

  EventLoop& loop_;
  IpcServer& server_;
  config::ConfigStore& config_;
  Session& session_;
  DaemonOverrides overrides_;
  std::unique_ptr<ScreenSources> screen_;
  std::unique_ptr<Hotkeys> hotkeys_;
  std::optional<std::pair<int, int>> firstCorner_;
  std::unique_ptr<Watcher> watcher_;
  std::vector<Error> hotkeyProblems_;  // from the last binding, for `status`
  std::optional<EventLoop::TimerId> markTimeout_;
  std::optional<EventLoop::TimerId> hotkeyRetry_;
  bool sessionFromClient_ = false;
  int idleExitMin_ = 0;
  int64_t lastBusyMs_ = 0;  // when the daemon was last seen doing something (checkIdle)
  std::optional<EventLoop::TimerId> idleCheck_;
  NoticePresenter noticePresenter_;
  std::function<void(nlohmann::json&)> statusExtension_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for posts from other threads
#ifdef LISEUR_HAVE_PORTAL
  std::thread portalShortcutsThread_;
  std::shared_ptr<PortalShortcuts> portalShortcuts_;
#endif
};

}  // namespace liseur
