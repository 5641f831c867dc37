// Test helpers for the portal suite: a private D-Bus bus (dbus-daemon with a configuration that
// has no service directories, so nothing real is ever activated on it) and a python3-dbusmock
// fake of xdg-desktop-portal (tests/portal/portal_template.py) whose behaviour each test sets.
#pragma once

#include <map>
#include <string>
#include <vector>

typedef struct _GSubprocess GSubprocess;
typedef struct _GDBusConnection GDBusConnection;
typedef struct _GVariant GVariant;

namespace liseur::test {

// One call as the mock logged it (org.freedesktop.DBus.Mock.GetCalls).
struct MockCall {
  std::string method;
  std::vector<std::string> args;               // each argument, g_variant_print'ed
  std::map<std::string, std::string> options;  // the last a{sv} argument, values printed
};

class PortalMockBus {
 public:
  struct Options {
    // Let the bus start the installed services (/usr/share/dbus-1/services: the real
    // xdg-desktop-portal and its backends); without it nothing can be started on the bus.
    bool real_services = false;
    // Also start services from the .service files in this directory.
    std::string service_dir;
    // The bus's limit for a started service to take its name (0: dbus-daemon's 25 s).
    int service_start_timeout_ms = 0;
    // Added to the environment of dbus-daemon, and so of the services it starts ("NAME=value").
    std::vector<std::string> env;
  };
  // Starts dbus-daemon in `dir` (which must exist). ok() says whether it runs.
  explicit PortalMockBus(const std::string& dir) : PortalMockBus(dir, Options{}) {}
  PortalMockBus(const std::string& dir, const Options& options);
  ~PortalMockBus();
  PortalMockBus(const PortalMockBus&) = delete;
  PortalMockBus& operator=(const PortalMockBus&) = delete;

  bool ok() const { return !address_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& address() const { return address_; }

  // Starts the mock portal with the template parameters `params_json`; waits (up to 15 s) until
  // it owns org.freedesktop.portal.Desktop. Returns false (see error()) if it does not.
  bool startPortal(const std::string& params_json);

  // Asks the bus to start `name` (StartServiceByName), waiting up to `timeout_ms`; "" on
  // success, else the D-Bus error.
  std::string startService(const std::string& name, int timeout_ms);

  // org.freedesktop.DBus.Peer.Ping to `name`, waiting up to `timeout_ms`; true if it answered.
  bool ping(const std::string& name, int timeout_ms);

  // The calls logged by the mock object at `path` (the portal object by default).
  std::vector<MockCall> calls(const std::string& path = "/org/freedesktop/portal/desktop");
  // The Request object paths the mock made, oldest first.
  std::vector<std::string> requestPaths();
  // Emits a signal from the portal object: `args` is a GVariant "av" (consumed).
  bool emitSignal(const std::string& interface, const std::string& name,
                  const std::string& signature, GVariant* args);

 private:
  std::string dir_, address_, error_;
  GSubprocess* bus_ = nullptr;
  GSubprocess* mock_ = nullptr;
  GDBusConnection* conn_ = nullptr;  // the test's own connection
};

}  // namespace liseur::test
