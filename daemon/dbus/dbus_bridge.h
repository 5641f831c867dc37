// DbusBridge: liseurd on the session bus. Owns the name org.liseur.Reader1 and serves the
// interface of packaging/dbus/org.liseur.Reader1.xml at /org/liseur/Reader1, and presents the
// daemon's short notices through Orca's remote controller (org.gnome.Orca.Service, Orca >= 49)
// when it is on the bus.
//
// One command language: the bridge is a client of the daemon's own socket, from inside the
// daemon. Each method call becomes the socket command of the same name (hello, limits, argument
// checks, handlers and error codes are the socket's, run on the loop thread by IpcServer), and
// each event the socket sends to a subscriber becomes the signal Event(name, body-json).
//
// Threads: the bridge runs its own GMainContext on a thread of its own; GLib and the D-Bus
// connection are never touched from the loop thread. Construction, start(), presentNotice() and
// destruction happen on the loop thread; status() on any thread. The loop must be running for
// the bridge to come up (it says hello over the socket), and must outlive the bridge.
//
// Errors: none escape. No session bus (DBUS_SESSION_BUS_ADDRESS unset and no
// $XDG_RUNTIME_DIR/bus, or nothing answers there), the name owned by someone else, or the bus
// going away later are logged once and shown by status() ({"available":false,"reason":...});
// the daemon, its workers and its socket go on, and the bridge looks for the bus again every
// 3 s: a bus that appears or comes back (at the same address) is joined and the name owned. A
// method whose command fails returns the D-Bus error org.liseur.Reader1.Error.<code> (the stable
// code, '-' written '_').
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/event_loop.h"

namespace liseur {

inline constexpr const char* kDbusName = "org.liseur.Reader1";
inline constexpr const char* kDbusPath = "/org/liseur/Reader1";
inline constexpr const char* kDbusInterface = "org.liseur.Reader1";
inline constexpr const char* kDbusErrorPrefix = "org.liseur.Reader1.Error.";

// "file-not-found" -> "org.liseur.Reader1.Error.file_not_found".
std::string dbusErrorName(std::string_view code);

struct DbusBridgeOptions {
  std::string socket_path;  // the daemon's socket (IpcServer::socketPath())
  // "" = the session bus: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus when it exists.
  // Never autolaunched.
  std::string bus_address;
  bool orca = true;  // present notices through Orca when it is on the bus
};

class DbusBridge {
 public:
  DbusBridge(EventLoop& loop, DbusBridgeOptions options);
  // Leaves the bus (the name is released) and joins the thread.
  ~DbusBridge();
  DbusBridge(const DbusBridge&) = delete;
  DbusBridge& operator=(const DbusBridge&) = delete;

  // Starts the thread: it connects to the bus and to the socket, registers the object and asks
  // for the name. Returns at once.
  void start();

  // {"available":bool, "name":"org.liseur.Reader1", "reason":"..." (when not available),
  //  "orca":bool (Orca's remote controller is on the bus)}. Any thread.
  nlohmann::json status() const;

  // A short notice for the user (DaemonCommands' notice). Returns false when Orca's remote
  // controller is not on the bus: say it with liseur's own voice now. Returns true when it was
  // handed to Orca's PresentMessage; should Orca fail or refuse it, `speakInstead` is posted to
  // the loop. Loop thread.
  bool presentNotice(const std::string& text, std::function<void()> speakInstead);

  struct Impl;  // internal

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace liseur
