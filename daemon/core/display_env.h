// DisplayEnv: the graphical session a capture or a hotkey grab talks to — the variables a
// program of that session inherits (DISPLAY, WAYLAND_DISPLAY, ...). The daemon starts with its
// own (from the systemd user manager or the shell that spawned it), which may have none: a daemon
// started by socket activation before the desktop exported its display, or spawned from a text
// console. Each `liseur` command sends its own in `hello` (PROTOCOL.md), and the daemon adopts a
// client's session when it has no usable display of its own (see DaemonCommands).
//
// Nothing here is secret or screen text; values are bounded (256 bytes, printable ASCII) before
// anything uses them, since they reach Xlib, libwayland and GDBus.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur {

struct DisplayEnv {
  std::string display;          // DISPLAY (X11 or Xwayland)
  std::string xauthority;       // XAUTHORITY
  std::string wayland_display;  // WAYLAND_DISPLAY
  std::string runtime_dir;      // XDG_RUNTIME_DIR (where a relative WAYLAND_DISPLAY lives)
  std::string dbus_address;     // DBUS_SESSION_BUS_ADDRESS (the portals)
  std::string current_desktop;  // XDG_CURRENT_DESKTOP ("GNOME", "KDE", "sway", "XFCE")
  std::string swaysock;         // SWAYSOCK (sway's IPC: the focused window)
  std::string hyprland;         // HYPRLAND_INSTANCE_SIGNATURE

  // From this process's environment.
  static DisplayEnv fromProcess();
  // From a client's hello: {"DISPLAY": "...", ...} with the variable names as keys; unknown keys
  // are ignored, a value that is not a short printable string is an error naming the key.
  static Result<DisplayEnv> fromJson(const nlohmann::json& j);
  nlohmann::json toJson() const;

  bool wayland() const { return !wayland_display.empty(); }
  bool x11() const { return !display.empty(); }
  bool any() const { return wayland() || x11(); }
  // The Wayland socket's path (WAYLAND_DISPLAY made absolute under XDG_RUNTIME_DIR), "" if none.
  std::string waylandSocket() const;
  // The desktop's name for messages: "sway", "Hyprland", "GNOME", ... or "this desktop".
  std::string desktopName() const;

  bool operator==(const DisplayEnv&) const = default;
};

}  // namespace liseur
