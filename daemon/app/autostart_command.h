// `liseur autostart enable|disable|status|start`: liseurd started with the graphical session, so
// that its hotkeys work from login on, not only after the first `liseur` command.
//
// Two ways, chosen by `enable` (or by --method):
// - systemd: when the user manager knows liseurd.service and this session has reached
//   graphical-session.target (GNOME, KDE Plasma), `systemctl --user enable --now liseurd.service`
//   (its Also= enables liseurd.socket too): the sandboxed service starts with every session.
// - xdg: otherwise (Xfce, MATE, LXQt, no systemd, a build tree), an XDG autostart entry
//   $XDG_CONFIG_HOME/autostart/liseur.desktop (default ~/.config) running
//   `<this liseur> autostart start`. That command connects as any `liseur` command does, so the
//   daemon comes up the one way this machine starts it (systemd's socket when it is enabled, as
//   the Debian package does for every user, else autospawn) and receives the session's display
//   in the hello. Running liseurd itself from the entry would fight the socket's own liseurd.
// `disable` undoes both (the entry is removed only when it carries liseur's marker; the running
// daemon is not stopped: `liseur shutdown`). sway runs no XDG autostart entries: `status` says so.
//
// The functions that take neither a ProgramRunner nor a path are pure. Errors: kConfigWriteFailed
// when the entry cannot be written or removed, kFileNotFound when systemctl is missing for
// --method systemd, kInvalidArgument for a systemctl that fails (its message quoted).
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/desktop_shortcuts.h"
#include "core/result.h"

namespace liseur::app {

// The key liseur writes in its entry, so `disable` never removes a file the user wrote.
inline constexpr std::string_view kAutostartMarker = "X-Liseur-Autostart=true";

// $XDG_CONFIG_HOME/autostart/liseur.desktop, or HOME/.config/... when configHome is "".
std::string autostartEntryPath(const std::string& home, const std::string& configHome);
// The desktop entry (valid for desktop-file-validate) running `liseurPath autostart start`.
std::string autostartEntry(const std::string& liseurPath);
bool isLiseurAutostartEntry(std::string_view text);
// A path as one word of a desktop entry's Exec= (quoted and escaped as the specification says
// when it holds anything but letters, digits and / . _ + -).
std::string desktopExecWord(std::string_view word);

struct AutostartState {
  bool systemctl = false;         // `systemctl --user` reaches a user manager
  bool units = false;             // ... and it knows liseurd.service (installed)
  bool graphicalSession = false;  // graphical-session.target is active in this session
  std::string serviceEnabled;     // `systemctl --user is-enabled liseurd.service`: "enabled", ...
  std::string socketEnabled;      // the same for liseurd.socket
  std::string entryPath;          // the XDG entry's path
  bool entry = false;             // a file is there
  bool entryOurs = false;         // ... written by liseur

  bool systemdEnabled() const { return serviceEnabled == "enabled"; }
  bool socketActivation() const { return socketEnabled == "enabled"; }
  bool xdgEnabled() const { return entry && entryOurs; }
  bool enabled() const { return systemdEnabled() || xdgEnabled(); }
  // The method `enable` picks: "systemd" when units and graphicalSession, else "xdg".
  std::string preferredMethod() const;
  nlohmann::json toJson() const;
};

// Asks systemctl (through `run`) and looks at `entryPath`.
AutostartState autostartState(const ProgramRunner& run, const std::string& entryPath);

// `method` "" chooses preferredMethod(). Says each step (and, with dryRun, does none of them).
Status enableAutostart(const AutostartState& state, std::string method,
                       const std::string& liseurPath, bool dryRun, const ProgramRunner& run,
                       const Say& say);
Status disableAutostart(const AutostartState& state, bool dryRun, const ProgramRunner& run,
                        const Say& say);
// One line per way, for `status` and `liseur doctor`.
std::string describeAutostart(const AutostartState& state, bool sway);

class AutostartCommand {
 public:
  // Adds `autostart` and its subcommands to `app`.
  explicit AutostartCommand(CLI::App& app);
  bool parsed() const { return sub_->parsed(); }
  int run();

 private:
  CLI::App* sub_ = nullptr;
  CLI::App* enable_ = nullptr;
  CLI::App* disable_ = nullptr;
  CLI::App* status_ = nullptr;
  CLI::App* start_ = nullptr;
  std::string method_;
  bool dryRun_ = false;
  bool json_ = false;
};

}  // namespace liseur::app
