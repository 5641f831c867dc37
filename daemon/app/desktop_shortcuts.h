// The configured hotkeys written as the desktop's own custom keyboard shortcuts, each running a
// `liseur` command: `liseur hotkeys install|uninstall|list`. On Wayland a program cannot grab
// global keys; the desktop (GNOME Shell, sway, Xfce's settings daemon) owns them, so liseur asks
// the desktop to run it instead.
//
// - GNOME: custom keybindings of org.gnome.settings-daemon.plugins.media-keys, through the
//   `gsettings` program (the user's own tool, whatever the settings backend; no GLib linked into
//   the CLI). Ours are the paths .../custom-keybindings/liseur-<action>/; the user's other
//   entries are kept in their order.
// - sway: the bindsym lines in $XDG_CONFIG_HOME/sway/liseur-hotkeys.conf, included from the user's
//   sway configuration by a line "include ..." after a line "# added by liseur hotkeys install"
//   (sway takes no comment at the end of a line).
// - Xfce: properties /commands/custom/<accelerator> of the xfce4-keyboard-shortcuts channel,
//   through `xfconf-query`; ours are those whose command is a liseur program. A chord on which
//   the user runs another command of their own stays theirs (a warning says so).
//
// GNOME runs one of two shortcuts on the same keys at random: install warns about the user's own
// entries on our keys. The functions that take neither a ProgramRunner nor a SwayLocations are
// pure (no files, no environment, no processes). Installing twice gives the same result as once;
// uninstalling removes exactly what installing added. Everything runs on the calling thread.
//
// Errors: kInvalidArgument for an unknown desktop (the message lists the supported ones) or a
// chord that cannot be written for the desktop; kConfigWriteFailed when a file or setting could
// not be written (the message names it and the program's own message); kFileNotFound when a
// needed program or schema is missing (the message names the Debian package).
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace liseur::config {
class Config;
}

namespace liseur::app {

enum class Desktop { kGnome, kSway, kXfce };

std::string_view desktopName(Desktop desktop);  // "gnome", "sway", "xfce"
const std::vector<Desktop>& supportedDesktops();
std::optional<Desktop> desktopFromName(std::string_view name);  // case-insensitive
// The desktop of this session: SWAYSOCK set means sway; otherwise XDG_CURRENT_DESKTOP, a
// colon-separated list ("ubuntu:GNOME", "XFCE", "sway"), first known entry wins. The error names
// what was found and the supported desktops.
Result<Desktop> detectDesktop(std::string_view xdgCurrentDesktop, std::string_view swaysock);

// A hotkey chord as the configuration spells it ("Ctrl+Alt+Shift+W", "ctrl+alt+shift+space"):
// modifiers Ctrl, Alt, Shift, Super (any case, each once), then one key: a letter or digit, or an
// X keysym name of config_schema.cpp's list (space, F5, KP_Add...). The configuration checked it
// already; this parser needs neither X11 nor a display.
struct Chord {
  bool ctrl = false, alt = false, shift = false, super = false;
  std::string key;  // keysym name; a letter is lower-case ("w"), Shift is written out when meant
};
Result<Chord> parseChord(std::string_view chord);

std::string gnomeAccelerator(const Chord& chord);  // "<Control><Alt><Shift>w"
std::string xfceAccelerator(const Chord& chord);   // "<Primary><Alt><Shift>w"
std::string swayKeys(const Chord& chord);          // "Ctrl+Alt+Shift+w" (Super is sway's Mod4)

// One configured hotkey: `hotkeys.<action> = "<chord>"`, with the key's help as description.
struct ConfiguredHotkey {
  std::string action;       // "read_window"
  std::string chord;        // "Ctrl+Alt+Shift+W"; "" = no hotkey
  std::string description;  // "Read the active window"
};
// Every hotkeys.* key of `config`, in schema order.
std::vector<ConfiguredHotkey> configuredHotkeys(const config::Config& config);

// The arguments of the liseur command that does what liseurd does for the hotkey `action`
// (DaemonCommands::onHotkey), e.g. {"read", "window"}; nullopt for an action no command does,
// with the reason in `why`.
std::optional<std::vector<std::string>> actionArguments(std::string_view action, std::string* why);

struct Shortcut {
  std::string action;
  std::string chord;  // as configured
  Chord keys;
  std::string description;
  std::vector<std::string> argv;  // {"/usr/bin/liseur", "read", "window"}

  std::string command() const;  // argv as one shell word list (quoted where needed)
};
struct SkippedHotkey {
  std::string action, chord, reason;
};
struct ShortcutPlan {
  std::vector<Shortcut> shortcuts;
  std::vector<SkippedHotkey> skipped;
};
// The shortcuts to install for `hotkeys` (empty chords left out), running `liseurPath`. Errors:
// a chord that does not parse, or two actions on one chord (both named).
Result<ShortcutPlan> planShortcuts(const std::vector<ConfiguredHotkey>& hotkeys,
                                   const std::string& liseurPath);

// A word for sh and g_shell_parse_argv: as is when it is safe, else in single quotes.
std::string shellQuote(std::string_view word);

// ---- Running the desktop's tools.

struct ProgramOutput {
  int status = -1;  // exit status; -1 when killed by a signal
  std::string out, err;
};
// Runs argv[0] (looked up in PATH) with stdin from /dev/null and waits. An error only when it
// cannot be started (kFileNotFound when it is not installed).
using ProgramRunner = std::function<Result<ProgramOutput>(const std::vector<std::string>& argv)>;
Result<ProgramOutput> runProgram(const std::vector<std::string>& argv);

// What install/uninstall/list found or did, one line each, for the person at the terminal.
using Say = std::function<void(const std::string& line)>;

struct InstalledShortcut {
  std::string name;     // GNOME: the entry's name; sway/Xfce: the action or the property
  std::string keys;     // in the desktop's syntax
  std::string command;  // as the desktop runs it
};

// ---- GNOME.

inline constexpr std::string_view kGnomeSchema = "org.gnome.settings-daemon.plugins.media-keys";
inline constexpr std::string_view kGnomeListKey = "custom-keybindings";
inline constexpr std::string_view kGnomeEntrySchema =
    "org.gnome.settings-daemon.plugins.media-keys.custom-keybinding";
inline constexpr std::string_view kGnomePathPrefix =
    "/org/gnome/settings-daemon/plugins/media-keys/custom-keybindings/";

// ".../custom-keybindings/liseur-read-window/"
std::string gnomeEntryPath(std::string_view action);
bool isLiseurGnomePath(std::string_view path);
// GVariant text of a string and of a string array, as gsettings reads and prints them.
std::string gvariantString(std::string_view s);
std::string gvariantStringArray(const std::vector<std::string>& items);
// Parses what `gsettings get` prints for an "as" key: "['/a/', '/b/']", "@as []". Errors name
// the text.
Result<std::vector<std::string>> parseGVariantStringArray(std::string_view text);
Result<std::string> parseGVariantString(std::string_view text);  // "'x'" -> x
// The custom-keybindings list after install (ours replaced, others kept in order, ours last) and
// after uninstall (ours removed).
std::vector<std::string> gnomeListWithOurs(const std::vector<std::string>& current,
                                           const ShortcutPlan& plan);
std::vector<std::string> gnomeListWithoutOurs(const std::vector<std::string>& current);

Status installGnome(const ShortcutPlan& plan, bool dryRun, const ProgramRunner& run,
                    const Say& say);
Status uninstallGnome(bool dryRun, const ProgramRunner& run, const Say& say);
Result<std::vector<InstalledShortcut>> listGnome(const ProgramRunner& run);

// ---- sway.

inline constexpr std::string_view kSwayMarker = "# added by liseur hotkeys install";

struct SwayLocations {
  std::string config;    // the user configuration to edit ($XDG_CONFIG_HOME/sway/config, or
                         // ~/.sway/config when that is the one sway reads)
  std::string snippet;   // $XDG_CONFIG_HOME/sway/liseur-hotkeys.conf
  std::string copyFrom;  // when `config` does not exist: what sway reads now, to copy first
                         // (~/.i3/config, ..., /etc/sway/config); "" when `config` exists
  std::string home;      // to write the include as ~/...
};
// Sway's own search order (sway/config.c): ~/.sway/config, $XDG_CONFIG_HOME/sway/config,
// ~/.i3/config, $XDG_CONFIG_HOME/i3/config, SYSCONFDIR/sway/config, SYSCONFDIR/i3/config.
// `configHome` is $XDG_CONFIG_HOME or "" (then ~/.config). Looks at the files; writes nothing.
SwayLocations locateSway(const std::string& home, const std::string& configHome,
                         const std::string& sysconfDir = "/etc");

std::string swaySnippet(const ShortcutPlan& plan);
// "# added by liseur hotkeys install (...)\ninclude ~/.config/sway/liseur-hotkeys.conf": the
// marker line and the include line, without a final newline.
std::string swayIncludeLines(const SwayLocations& where);
// `config` without our lines, then `lines` appended (a missing final newline is not added to
// the user's last line: our lines take it, so removal restores the bytes).
std::string withSwayInclude(std::string_view config, std::string_view lines);
// `config` without our lines (each marker line, and the include of liseur-hotkeys.conf right
// after one), byte for byte as before withSwayInclude.
std::string withoutSwayInclude(std::string_view config);
bool hasSwayInclude(std::string_view config);

// Writes the snippet and the include (atomically), copying copyFrom first when needed, then
// `swaymsg reload` when `reload` (SWAYSOCK is set).
Status installSway(const ShortcutPlan& plan, const SwayLocations& where, bool dryRun, bool reload,
                   const ProgramRunner& run, const Say& say);
Status uninstallSway(const SwayLocations& where, bool dryRun, bool reload, const ProgramRunner& run,
                     const Say& say);
Result<std::vector<InstalledShortcut>> listSway(const SwayLocations& where);
// The bindsym lines of a snippet: keys and command.
std::vector<InstalledShortcut> parseSwaySnippet(std::string_view snippet);

// ---- Xfce.

inline constexpr std::string_view kXfceChannel = "xfce4-keyboard-shortcuts";
inline constexpr std::string_view kXfceCustomPrefix = "/commands/custom/";
// True when an Xfce custom command is one of ours: its program is named liseur.
bool isLiseurCommand(std::string_view command);
// `xfconf-query -c xfce4-keyboard-shortcuts -l -v` lines ("PROPERTY  VALUE") under
// /commands/custom/ whose value is a liseur command.
std::vector<InstalledShortcut> parseXfceList(std::string_view listing);

Status installXfce(const ShortcutPlan& plan, bool dryRun, const ProgramRunner& run, const Say& say);
Status uninstallXfce(bool dryRun, const ProgramRunner& run, const Say& say);
Result<std::vector<InstalledShortcut>> listXfce(const ProgramRunner& run);

}  // namespace liseur::app
