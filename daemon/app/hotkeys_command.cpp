#include "app/hotkeys_command.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/desktop_shortcuts.h"
#include "app/manual.h"
#include "config/config_store.h"
#include "config/diagnostic.h"
#include "core/error.h"

namespace liseur::app {
namespace {

using liseur::app::Complete;
using liseur::app::completes;

int fail(const Error& e) {
  std::cerr << "liseur: " << e.name() << ": " << e.message << "\n";
  return 1;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The absolute path of this program, so that the desktop runs the same liseur whatever its
// PATH.
std::string selfPath() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("liseur") : p.string();
}

void say(const std::string& line) {
  std::cout << line << "\n";
}

void printPlanByHand(const ShortcutPlan& plan) {
  std::cerr << "the commands to bind by hand:\n";
  for (const auto& s : plan.shortcuts)
    std::cerr << "  " << s.chord << "  " << s.command() << "  (" << s.description << ")\n";
}

void printSkipped(const ShortcutPlan& plan) {
  for (const auto& k : plan.skipped)
    std::cout << "not bound: " << k.action << " (" << k.chord << "): " << k.reason << "\n";
}

}  // namespace

HotkeysCommand::HotkeysCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "hotkeys",
      "Write the hotkeys as the desktop's own keyboard shortcuts (Wayland: GNOME, sway, Xfce)");
  sub_->require_subcommand(1);
  const std::vector<std::string> desktops = {"gnome", "sway", "xfce"};
  const char* desktopHelp =
      "gnome, sway or xfce (default: this session's, from XDG_CURRENT_DESKTOP and SWAYSOCK)";
  install_ = sub_->add_subcommand(
      "install", "Bind the configured hotkeys in the desktop's shortcuts (again: replace them)");
  // Checked in run(): an unknown desktop still gets the commands to bind by hand.
  install_->add_option("--desktop", desktop_, desktopHelp)
      ->type_name("DESKTOP")
      ->check(completes(Complete::kNothing, desktops));
  install_->add_flag("--dry-run", dryRun_, "Print what would be written or run; change nothing");
  uninstall_ = sub_->add_subcommand("uninstall", "Remove exactly the shortcuts liseur installed");
  uninstall_->add_option("--desktop", desktop_, desktopHelp)->check(CLI::IsMember(desktops));
  uninstall_->add_flag("--dry-run", dryRun_, "Print what would be removed or run; change nothing");
  list_ = sub_->add_subcommand("list", "The liseur shortcuts installed, desktop by desktop");
  list_->add_option("--desktop", desktop_, "gnome, sway or xfce (default: every one)")
      ->check(CLI::IsMember(desktops));
}

int HotkeysCommand::run() {
  const ProgramRunner runner = runProgram;
  const bool swayReload = !env("SWAYSOCK").empty();
  const SwayLocations sway = locateSway(env("HOME"), env("XDG_CONFIG_HOME"));

  if (list_->parsed()) {
    std::vector<Desktop> which = supportedDesktops();
    if (!desktop_.empty()) which = {*desktopFromName(desktop_)};
    int status = 0;
    for (Desktop d : which) {
      Result<std::vector<InstalledShortcut>> found = d == Desktop::kGnome  ? listGnome(runner)
                                                     : d == Desktop::kSway ? listSway(sway)
                                                                           : listXfce(runner);
      std::cout << desktopName(d) << ":";
      if (!found) {
        std::cout << " not available: " << found.error().message << "\n";
        if (!desktop_.empty()) status = 1;
        continue;
      }
      if (found->empty()) std::cout << " none";
      std::cout << "\n";
      for (const auto& s : *found)
        std::cout << "  " << s.keys << "  " << s.command
                  << (s.name.empty() || s.name.ends_with(s.keys) ? "" : "  (" + s.name + ")")
                  << "\n";
    }
    return std::cout.flush() ? status : 1;
  }

  Result<Desktop> desktop = detectDesktop(env("XDG_CURRENT_DESKTOP"), env("SWAYSOCK"));
  if (!desktop_.empty()) {
    if (auto named = desktopFromName(desktop_)) {
      desktop = *named;
    } else {
      desktop = Error{ErrorCode::kInvalidArgument,
                      "liseur cannot write the shortcuts of the desktop '" + desktop_ +
                          "' (it can for gnome, sway and xfce): bind the commands below by hand "
                          "in your desktop's keyboard settings"};
    }
  }

  if (uninstall_->parsed()) {
    if (!desktop) return fail(desktop.error());
    Status st = *desktop == Desktop::kGnome  ? uninstallGnome(dryRun_, runner, say)
                : *desktop == Desktop::kSway ? uninstallSway(sway, dryRun_, swayReload, runner, say)
                                             : uninstallXfce(dryRun_, runner, say);
    return st ? 0 : fail(st.error());
  }

  // install
  auto built = config::buildConfig(config::ConfigDirs::standard());
  if (!built.ok()) {
    std::cerr << config::formatDiagnostics(built.diagnostics);
    return fail(Error{ErrorCode::kConfigInvalid,
                      "the configuration has errors; fix them, then install the hotkeys again"});
  }
  auto plan = planShortcuts(configuredHotkeys(*built.config), selfPath());
  if (!plan) return fail(plan.error());
  if (!desktop) {
    int rc = fail(desktop.error());
    printPlanByHand(*plan);
    return rc;
  }
  if (plan->shortcuts.empty()) {
    say("every hotkey is \"\" (none) in the configuration: nothing to bind");
  }
  if (env("XDG_SESSION_TYPE") == "x11" && !dryRun_) {
    say("note: on an X11 session liseurd grabs these keys itself, and the desktop's shortcuts "
        "would fight over them: start liseurd with --no-hotkeys, or run `liseur hotkeys "
        "uninstall`");
  }
  Status st = *desktop == Desktop::kGnome ? installGnome(*plan, dryRun_, runner, say)
              : *desktop == Desktop::kSway
                  ? installSway(*plan, sway, dryRun_, swayReload, runner, say)
                  : installXfce(*plan, dryRun_, runner, say);
  printSkipped(*plan);
  return st ? 0 : fail(st.error());
}

}  // namespace liseur::app
