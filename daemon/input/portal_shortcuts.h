// PortalShortcuts: global hotkeys on Wayland through xdg-desktop-portal's GlobalShortcuts portal
// (org.freedesktop.portal.GlobalShortcuts, xdg-desktop-portal 1.16 and later) over D-Bus.
//
// open() connects, checks the interface and creates a portal session (CreateSession). bind()
// hands the desktop liseur's shortcuts (BindShortcuts): each has an id (liseur's action name,
// "read-window"), a description the desktop shows, and a preferred trigger translated from
// liseur's key spec ("Super+Shift+r", see parseKeySpec in input/hotkeys.h) to the shortcuts
// specification's syntax ("SHIFT+LOGO+r"). The desktop decides: it may show a dialog, keep the
// user's own choice, or bind nothing; bind() returns what was actually bound, with the desktop's
// own description of each trigger. When a shortcut is pressed the portal emits Activated and the
// callback is called with the shortcut's id.
//
// Threads: the object runs its own thread with its own GMainContext and GMainLoop (never GLib's
// default context); the callback is called on that thread, so it must only post the action to
// the caller's own loop (e.g. write to an eventfd) and return. open(), bind() and the destructor
// block the calling thread (each at most `timeout`, for a dialog on the desktop); they must not be
// called from the callback. The destructor closes the session (the desktop forgets the
// bindings) and joins the thread; no callback runs after it returns.
//
// What the user needs: xdg-desktop-portal 1.16 or later and a backend that implements
// GlobalShortcuts (KDE Plasma's xdg-desktop-portal-kde; GNOME's from GNOME 48; Hyprland's
// xdg-desktop-portal-hyprland). xdg-desktop-portal-wlr (sway) does not: there liseur's sway
// bindings are the way. A host (non-Flatpak) program is identified by the portal from its
// systemd unit or scope name; liseur's id is org.liseur.Liseur (the installed
// org.liseur.Liseur.desktop), which desktops use to store the user's choice of triggers.
//
// Errors: kDisplayUnavailable when there is no session bus, no portal, or a portal without
// GlobalShortcuts (the message names what is missing and what to install); kInvalidArgument for a
// key spec the portal cannot express (unknown key, the Hyper modifier); kCaptureRefused when the
// desktop or the user refuses the session or the binding (the message says it is about
// shortcuts and which response came); kTimeout when the portal does not answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "portal/portal_bus.h"

typedef struct _GMainContext GMainContext;
typedef struct _GMainLoop GMainLoop;

namespace liseur {

struct PortalShortcut {
  std::string id;           // liseur's action name, e.g. "read-window" (stable across runs)
  std::string description;  // shown by the desktop, e.g. "Read the active window"
  std::string trigger;      // liseur key spec ("Super+Shift+r"), or "" to let the desktop ask
};

struct BoundShortcut {
  std::string id;
  std::string description;
  std::string trigger_description;  // the desktop's text, e.g. "Shift+Super+R"; may be ""
};

// Translates a liseur key spec to the shortcuts specification's trigger: modifiers CTRL, ALT,
// SHIFT and LOGO (Super), then the xkb keysym name, joined by '+': "Control+Alt+r" ->
// "CTRL+ALT+r", "Super+KP_5" -> "LOGO+KP_5". Errors (kInvalidArgument) name the spec.
Result<std::string> portalTrigger(std::string_view spec);

class PortalShortcuts {
 public:
  // `shortcut_id` is the PortalShortcut::id; `timestamp_ms` the portal's timestamp.
  using Callback = std::function<void(const std::string& shortcut_id, std::uint64_t timestamp_ms)>;

  // Connects ("" = the session bus from DBUS_SESSION_BUS_ADDRESS, else that address), checks the
  // GlobalShortcuts interface and creates the session. `on_activated` runs on the object's thread.
  static Result<std::unique_ptr<PortalShortcuts>> open(
      Callback on_activated, const std::string& bus_address = "",
      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~PortalShortcuts();
  PortalShortcuts(const PortalShortcuts&) = delete;
  PortalShortcuts& operator=(const PortalShortcuts&) = delete;

  // Binds the shortcuts (the portal replaces nothing: call once per session). Returns those the
  // desktop bound, which may be fewer than asked for.
  Result<std::vector<BoundShortcut>> bind(const std::vector<PortalShortcut>& shortcuts);

  // The bus closed or the portal closed the session: open a new object.
  bool lost() const;
  std::string sessionHandle() const;
  std::uint32_t portalVersion() const { return version_; }
  std::string describe() const;

 private:
  struct Answer {
    std::uint32_t response = 2;
    GVariant* results = nullptr;  // a{sv}, owned by the map entry until taken
  };
  PortalShortcuts(portal::PortalBus bus, Callback cb, std::chrono::milliseconds timeout);
  Result<Answer> request(const char* method, GVariant* params, const std::string& token);
  Status createSession();

  static void onSignal(GDBusConnection*, const char* sender, const char* path,
                       const char* interface, const char* signal, GVariant* params, void* self);

  portal::PortalBus bus_;
  Callback callback_;
  std::chrono::milliseconds timeout_;
  std::uint32_t version_ = 0;
  GMainContext* ctx_ = nullptr;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
  std::vector<unsigned> subscriptions_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::optional<Answer>> pending_;  // request path -> answer once it came
  std::string session_;                                   // session handle, once created
  bool session_closed_ = false;
};

}  // namespace liseur
