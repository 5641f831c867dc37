// `liseur hotkeys install [--desktop gnome|sway|xfce] [--dry-run]`, `liseur hotkeys uninstall`,
// `liseur hotkeys list`: the [hotkeys] of the active configuration written as the desktop's own
// keyboard shortcuts running this liseur program (its absolute path), for Wayland sessions where
// liseurd cannot grab keys. The work is done by desktop_shortcuts.h; this is the command line.
//
// The desktop is --desktop, else guessed from SWAYSOCK and XDG_CURRENT_DESKTOP; when it cannot be
// guessed, install fails, names the supported desktops and prints the chords and commands to bind
// by hand. A configuration with errors is refused with every error (file, line, key). `list`
// without --desktop looks at every supported desktop.
// Exit status: 0 done, 1 error ("liseur: CODE: message" on stderr), 2 usage.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace liseur::app {

class HotkeysCommand {
 public:
  // Adds the `hotkeys` subcommand and its three subcommands to `app`.
  explicit HotkeysCommand(CLI::App& app);

  bool parsed() const { return sub_->parsed(); }
  int run();

 private:
  CLI::App* sub_ = nullptr;
  CLI::App* install_ = nullptr;
  CLI::App* uninstall_ = nullptr;
  CLI::App* list_ = nullptr;
  std::string desktop_;
  bool dryRun_ = false;
};

}  // namespace liseur::app
