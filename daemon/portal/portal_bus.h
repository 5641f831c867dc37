// PortalBus: a private D-Bus connection to xdg-desktop-portal (org.freedesktop.portal.Desktop),
// shared by the Screenshot client (capture/portal_screenshot.h) and the GlobalShortcuts client
// (input/portal_shortcuts.h). Internal to liseur_portal; no GLib type leaves this library.
//
// The connection is private (not GLib's shared g_bus_get singleton), so closing it never
// disturbs anyone else, and it does not exit the process when the bus goes away.
//
// Portal requests: a method such as Screenshot returns at once with a Request object path; the
// answer comes later as that object's Response(u response, a{sv} results) signal. The path is
// predictable (/org/freedesktop/portal/desktop/request/SENDER/TOKEN, SENDER = our unique name
// without ':' and with '.' turned into '_'), so the owner subscribes before calling and cannot
// miss a quick answer. Sessions (GlobalShortcuts) follow the same scheme under .../session/.
//
// Threads: calls block the calling thread (synchronous D-Bus calls with a timeout); signal
// subscriptions deliver on the GMainContext that is the thread default when subscribing.
//
// Errors: kDisplayUnavailable when there is no session bus (DBUS_SESSION_BUS_ADDRESS unset, or
// the address does not answer); kCaptureUnsupported when no portal runs on the bus, or the
// portal lacks the interface asked for (the message names it and what to install); kTimeout
// when the portal does not start or answer in time.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

typedef struct _GDBusConnection GDBusConnection;
typedef struct _GVariant GVariant;

namespace liseur::portal {

inline constexpr const char* kDesktopName = "org.freedesktop.portal.Desktop";
inline constexpr const char* kDesktopPath = "/org/freedesktop/portal/desktop";
inline constexpr const char* kRequestInterface = "org.freedesktop.portal.Request";
inline constexpr const char* kSessionInterface = "org.freedesktop.portal.Session";

// The portal's Request::Response codes.
enum PortalResponse : std::uint32_t {
  kResponseSuccess = 0,
  kResponseCancelled = 1,  // the user dismissed the dialog
  kResponseOther = 2,      // refused, or failed in some other way
};

class PortalBus {
 public:
  // "" = the session bus from DBUS_SESSION_BUS_ADDRESS; otherwise that address.
  static Result<PortalBus> connect(const std::string& address);
  PortalBus() = default;
  ~PortalBus();
  PortalBus(PortalBus&& o) noexcept;
  PortalBus& operator=(PortalBus&& o) noexcept;
  PortalBus(const PortalBus&) = delete;
  PortalBus& operator=(const PortalBus&) = delete;

  GDBusConnection* connection() const { return conn_; }
  // Where we are connected, for describe() and errors ("session bus", or the address given).
  const std::string& where() const { return where_; }
  // The bus closed (the session ended, the bus daemon died).
  bool closed() const;

  // The `version` property of `interface` (e.g. "org.freedesktop.portal.Screenshot") on the
  // portal object (which starts the portal if the bus can). kCaptureUnsupported when no portal
  // runs or it lacks the interface; kTimeout when the portal does not start or answer in time;
  // `purpose` completes the message ("screen capture", "global shortcuts").
  Result<std::uint32_t> interfaceVersion(const std::string& interface, const std::string& purpose);

  // A fresh token "liseur_<pid>_<n>_<random>" (a valid object path element).
  std::string newToken();
  // /org/freedesktop/portal/desktop/request/SENDER/<token>
  std::string requestPath(const std::string& token) const;
  // /org/freedesktop/portal/desktop/session/SENDER/<token>
  std::string sessionPath(const std::string& token) const;

  // Calls `method` on `interface` of the portal object. `params` is consumed (floating
  // references are sunk). Returns the reply (g_variant_unref it) or kInternal/kTimeout with a
  // message naming the method and the D-Bus error.
  Result<GVariant*> call(const char* interface, const char* method, GVariant* params,
                         int timeout_ms);
  // Request.Close or Session.Close on `path` (best effort, errors ignored: the object may be gone).
  void closeObject(const std::string& path, const char* interface);

 private:
  explicit PortalBus(GDBusConnection* conn, std::string where);
  GDBusConnection* conn_ = nullptr;
  std::string where_;
  std::string sender_;  // unique name, ':' dropped, '.' -> '_'
  std::uint64_t counter_ = 0;
};

}  // namespace liseur::portal
