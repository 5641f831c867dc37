#include "portal_mock.h"

#include <gio/gio.h>
#include <sys/prctl.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

namespace liseur::test {

namespace {

constexpr const char* kBusConfig = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=@DIR@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";

void dieWithParent(gpointer) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void stopProcess(GSubprocess*& p) {
  if (p == nullptr) return;
  g_subprocess_send_signal(p, SIGTERM);
  // GLib reaps the child on its worker thread; the identifier is gone once it has exited.
  for (int i = 0; i < 300 && g_subprocess_get_identifier(p) != nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (g_subprocess_get_identifier(p) != nullptr) g_subprocess_force_exit(p);
  g_subprocess_wait(p, nullptr, nullptr);
  g_object_unref(p);
  p = nullptr;
}

std::string printed(GVariant* v) {
  gchar* s = g_variant_print(v, FALSE);
  std::string out = s;
  g_free(s);
  return out;
}

}  // namespace

PortalMockBus::PortalMockBus(const std::string& dir, const Options& options) : dir_(dir) {
  std::string config = kBusConfig;
  config.replace(config.find("@DIR@"), 5, dir_);
  std::string extra;
  // The first directory naming a service wins: the test's own before the installed ones.
  if (!options.service_dir.empty()) {
    extra += "  <servicedir>" + options.service_dir + "</servicedir>\n";
  }
  if (options.real_services) extra += "  <standard_session_servicedirs/>\n";
  if (options.service_start_timeout_ms > 0) {
    extra += "  <limit name=\"service_start_timeout\">" +
             std::to_string(options.service_start_timeout_ms) + "</limit>\n";
  }
  config.replace(config.find("</busconfig>"), 12, extra + "</busconfig>");
  const std::string config_path = dir_ + "/bus.conf";
  std::ofstream(config_path) << config;

  GSubprocessLauncher* launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup(launcher, dieWithParent, nullptr, nullptr);
  for (const std::string& kv : options.env) {
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    g_subprocess_launcher_setenv(launcher, kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(),
                                 TRUE);
  }
  const std::string config_arg = "--config-file=" + config_path;
  const char* argv[] = {"dbus-daemon", config_arg.c_str(), "--nofork", "--print-address=1",
                        nullptr};
  GError* error = nullptr;
  bus_ = g_subprocess_launcher_spawnv(launcher, argv, &error);
  g_object_unref(launcher);
  if (bus_ == nullptr) {
    error_ = std::string("cannot start dbus-daemon: ") + error->message;
    g_clear_error(&error);
    return;
  }
  GDataInputStream* in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(bus_));
  gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, &error);
  g_object_unref(in);
  if (line == nullptr) {
    error_ = "dbus-daemon printed no address";
    g_clear_error(&error);
    return;
  }
  address_ = line;
  g_free(line);
  conn_ = g_dbus_connection_new_for_address_sync(
      address_.c_str(),
      static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
      nullptr, nullptr, &error);
  if (conn_ == nullptr) {
    error_ = std::string("cannot connect to the test bus: ") + error->message;
    address_.clear();
    g_clear_error(&error);
  }
}

PortalMockBus::~PortalMockBus() {
  stopProcess(mock_);
  if (conn_ != nullptr) {
    g_dbus_connection_close_sync(conn_, nullptr, nullptr);
    g_object_unref(conn_);
  }
  stopProcess(bus_);
}

bool PortalMockBus::startPortal(const std::string& params_json) {
  // The mock prints every call on stdout; the test reads them with GetCalls instead.
  GSubprocessLauncher* launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup(launcher, dieWithParent, nullptr, nullptr);
  g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS", address_.c_str(), TRUE);
  // The system python has python3-dbusmock; a python on PATH (pyenv) may not.
  const std::string tmpl = std::string(LISEUR_PORTAL_TEST_DIR) + "/portal_template.py";
  const char* argv[] = {"/usr/bin/python3", "-m", "dbusmock",          "--template",
                        tmpl.c_str(),       "-p", params_json.c_str(), nullptr};
  GError* error = nullptr;
  mock_ = g_subprocess_launcher_spawnv(launcher, argv, &error);
  g_object_unref(launcher);
  if (mock_ == nullptr) {
    error_ = std::string("cannot start python3-dbusmock: ") + error->message;
    g_clear_error(&error);
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    GVariant* r = g_dbus_connection_call_sync(
        conn_, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new("(s)", "org.freedesktop.portal.Desktop"),
        G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, nullptr, nullptr);
    gboolean owned = FALSE;
    if (r != nullptr) {
      g_variant_get(r, "(b)", &owned);
      g_variant_unref(r);
    }
    if (owned) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "the mock portal did not appear on the bus within 15 s";
  return false;
}

std::vector<MockCall> PortalMockBus::calls(const std::string& path) {
  std::vector<MockCall> out;
  GVariant* r = g_dbus_connection_call_sync(conn_, "org.freedesktop.portal.Desktop", path.c_str(),
                                            "org.freedesktop.DBus.Mock", "GetCalls", nullptr,
                                            G_VARIANT_TYPE("(a(tsav))"), G_DBUS_CALL_FLAGS_NONE,
                                            5000, nullptr, nullptr);
  if (r == nullptr) return out;
  GVariantIter* iter = nullptr;
  g_variant_get(r, "(a(tsav))", &iter);
  guint64 ts = 0;
  const char* method = nullptr;
  GVariantIter* args = nullptr;
  while (g_variant_iter_next(iter, "(t&sav)", &ts, &method, &args)) {
    MockCall call;
    call.method = method;
    GVariant* arg = nullptr;
    while (g_variant_iter_next(args, "v", &arg)) {
      call.args.push_back(printed(arg));
      if (g_variant_is_of_type(arg, G_VARIANT_TYPE_VARDICT)) {
        call.options.clear();
        GVariantIter dict;
        g_variant_iter_init(&dict, arg);
        const char* key = nullptr;
        GVariant* value = nullptr;
        while (g_variant_iter_next(&dict, "{&sv}", &key, &value)) {
          call.options[key] = printed(value);
          g_variant_unref(value);
        }
      }
      g_variant_unref(arg);
    }
    g_variant_iter_free(args);
    out.push_back(std::move(call));
  }
  g_variant_iter_free(iter);
  g_variant_unref(r);
  return out;
}

std::string PortalMockBus::startService(const std::string& name, int timeout_ms) {
  GError* error = nullptr;
  GVariant* r = g_dbus_connection_call_sync(
      conn_, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "StartServiceByName", g_variant_new("(su)", name.c_str(), 0u), G_VARIANT_TYPE("(u)"),
      G_DBUS_CALL_FLAGS_NONE, timeout_ms, nullptr, &error);
  if (r == nullptr) {
    std::string why = error->message;
    g_clear_error(&error);
    return why;
  }
  g_variant_unref(r);
  return "";
}

bool PortalMockBus::ping(const std::string& name, int timeout_ms) {
  GVariant* r = g_dbus_connection_call_sync(conn_, name.c_str(), "/", "org.freedesktop.DBus.Peer",
                                            "Ping", nullptr, nullptr, G_DBUS_CALL_FLAGS_NONE,
                                            timeout_ms, nullptr, nullptr);
  if (r == nullptr) return false;
  g_variant_unref(r);
  return true;
}

std::vector<std::string> PortalMockBus::requestPaths() {
  std::vector<std::string> out;
  GVariant* r = g_dbus_connection_call_sync(conn_, "org.freedesktop.portal.Desktop",
                                            "/org/freedesktop/portal/desktop", "org.liseur.Test",
                                            "RequestPaths", nullptr, G_VARIANT_TYPE("(as)"),
                                            G_DBUS_CALL_FLAGS_NONE, 5000, nullptr, nullptr);
  if (r == nullptr) return out;
  GVariantIter* iter = nullptr;
  g_variant_get(r, "(as)", &iter);
  const char* path = nullptr;
  while (g_variant_iter_next(iter, "&s", &path)) out.push_back(path);
  g_variant_iter_free(iter);
  g_variant_unref(r);
  return out;
}

bool PortalMockBus::emitSignal(const std::string& interface, const std::string& name,
                               const std::string& signature, GVariant* args) {
  GVariant* r = g_dbus_connection_call_sync(
      conn_, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
      "org.freedesktop.DBus.Mock", "EmitSignal",
      g_variant_new("(sss@av)", interface.c_str(), name.c_str(), signature.c_str(), args), nullptr,
      G_DBUS_CALL_FLAGS_NONE, 5000, nullptr, nullptr);
  if (r == nullptr) return false;
  g_variant_unref(r);
  return true;
}

}  // namespace liseur::test
