#include "portal/portal_bus.h"

#include <gio/gio.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include <fmt/format.h>

namespace liseur::portal {

namespace {

std::string errorText(const GError* error) {
  if (error == nullptr) return "unknown error";
  std::string text = error->message ? error->message : "unknown error";
  // GDBus prefixes remote errors with "GDBus.Error:name: "; the name is useful, keep it.
  return text;
}

bool isNoPortalError(const GError* error) {
  if (error == nullptr) return false;
  if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
    return true;
  }
  // A service file exists but the portal failed to start.
  return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
         g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
         g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
         g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED);
}

}  // namespace

PortalBus::PortalBus(GDBusConnection* conn, std::string where)
    : conn_(conn), where_(std::move(where)) {
  const char* unique = g_dbus_connection_get_unique_name(conn_);
  std::string s = unique ? unique : "";
  if (!s.empty() && s[0] == ':') s.erase(0, 1);
  for (char& c : s) {
    if (c == '.') c = '_';
  }
  sender_ = s;
}

PortalBus::~PortalBus() {
  if (conn_ != nullptr) {
    // Closing flushes and drops our name: the portal then ends our requests and sessions.
    g_dbus_connection_close_sync(conn_, nullptr, nullptr);
    g_object_unref(conn_);
  }
}

PortalBus::PortalBus(PortalBus&& o) noexcept
    : conn_(o.conn_),
      where_(std::move(o.where_)),
      sender_(std::move(o.sender_)),
      counter_(o.counter_) {
  o.conn_ = nullptr;
}

PortalBus& PortalBus::operator=(PortalBus&& o) noexcept {
  if (this != &o) {
    if (conn_ != nullptr) {
      g_dbus_connection_close_sync(conn_, nullptr, nullptr);
      g_object_unref(conn_);
    }
    conn_ = o.conn_;
    o.conn_ = nullptr;
    where_ = std::move(o.where_);
    sender_ = std::move(o.sender_);
    counter_ = o.counter_;
  }
  return *this;
}

Result<PortalBus> PortalBus::connect(const std::string& address) {
  std::string addr = address;
  std::string where = "the D-Bus bus at " + address;
  if (addr.empty()) {
    const char* env = std::getenv("DBUS_SESSION_BUS_ADDRESS");
    if (env == nullptr || *env == '\0') {
      return makeError(ErrorCode::kDisplayUnavailable,
                       "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set (start liseurd "
                       "from the desktop session, or import the variable into the systemd user "
                       "manager with `dbus-update-activation-environment --systemd "
                       "DBUS_SESSION_BUS_ADDRESS`)");
    }
    addr = env;
    where = "the session bus";
  }
  GError* error = nullptr;
  GDBusConnection* conn = g_dbus_connection_new_for_address_sync(
      addr.c_str(),
      static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
      nullptr, nullptr, &error);
  if (conn == nullptr) {
    Error e = makeError(ErrorCode::kDisplayUnavailable,
                        fmt::format("cannot connect to {} ({}): {}; is the desktop session "
                                    "running?",
                                    where, addr, errorText(error)));
    g_clear_error(&error);
    return e;
  }
  g_dbus_connection_set_exit_on_close(conn, FALSE);
  return PortalBus(conn, where);
}

bool PortalBus::closed() const {
  return conn_ == nullptr || g_dbus_connection_is_closed(conn_);
}

Result<std::uint32_t> PortalBus::interfaceVersion(const std::string& interface,
                                                  const std::string& purpose) {
  GError* error = nullptr;
  GVariant* reply = g_dbus_connection_call_sync(
      conn_, kDesktopName, kDesktopPath, "org.freedesktop.DBus.Properties", "Get",
      g_variant_new("(ss)", interface.c_str(), "version"), G_VARIANT_TYPE("(v)"),
      G_DBUS_CALL_FLAGS_NONE, 25000, nullptr, &error);
  if (reply == nullptr) {
    const bool no_portal = isNoPortalError(error);
    const bool timed_out = g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
                           g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
                           g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
                           g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
    std::string why = errorText(error);
    g_clear_error(&error);
    if (timed_out) {
      // Seen with xdg-desktop-portal 1.16 starting on demand: now and then it does not take its
      // name within the bus's 25 s activation limit; a second try finds it.
      return makeError(ErrorCode::kTimeout,
                       fmt::format("xdg-desktop-portal on {} did not start or answer in time "
                                   "({}); try again, and if it persists check `systemctl --user "
                                   "status xdg-desktop-portal`",
                                   where_, why));
    }
    if (no_portal) {
      return makeError(
          ErrorCode::kCaptureUnsupported,
          fmt::format("no xdg-desktop-portal on {} ({} is not running and cannot be started: {}); "
                      "{} on Wayland needs xdg-desktop-portal and the desktop's backend "
                      "(xdg-desktop-portal-gnome, -kde or -wlr)",
                      where_, kDesktopName, why, purpose));
    }
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("the desktop's xdg-desktop-portal has no {} interface ({}); "
                                 "this desktop's portal backend does not offer {}",
                                 interface, why, purpose));
  }
  GVariant* inner = nullptr;
  g_variant_get(reply, "(v)", &inner);
  std::uint32_t version = 0;
  if (g_variant_is_of_type(inner, G_VARIANT_TYPE_UINT32)) version = g_variant_get_uint32(inner);
  g_variant_unref(inner);
  g_variant_unref(reply);
  if (version == 0) {
    return makeError(ErrorCode::kCaptureUnsupported,
                     fmt::format("the desktop's xdg-desktop-portal reports no usable version of "
                                 "{}; {} is not available",
                                 interface, purpose));
  }
  return version;
}

std::string PortalBus::newToken() {
  static thread_local std::mt19937 rng(std::random_device{}());
  return fmt::format("liseur_{}_{}_{}", static_cast<long>(::getpid()), ++counter_,
                     static_cast<unsigned>(rng() & 0xffffff));
}

std::string PortalBus::requestPath(const std::string& token) const {
  return fmt::format("{}/request/{}/{}", kDesktopPath, sender_, token);
}

std::string PortalBus::sessionPath(const std::string& token) const {
  return fmt::format("{}/session/{}/{}", kDesktopPath, sender_, token);
}

Result<GVariant*> PortalBus::call(const char* interface, const char* method, GVariant* params,
                                  int timeout_ms) {
  GError* error = nullptr;
  GVariant* reply =
      g_dbus_connection_call_sync(conn_, kDesktopName, kDesktopPath, interface, method, params,
                                  nullptr, G_DBUS_CALL_FLAGS_NONE, timeout_ms, nullptr, &error);
  if (reply == nullptr) {
    const bool timed_out = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
                           g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
                           g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT);
    Error e = makeError(timed_out ? ErrorCode::kTimeout : ErrorCode::kInternal,
                        fmt::format("the portal's {}.{} call failed on {}: {}", interface, method,
                                    where_, errorText(error)));
    g_clear_error(&error);
    return e;
  }
  return reply;
}

void PortalBus::closeObject(const std::string& path, const char* interface) {
  if (closed()) return;
  GVariant* reply =
      g_dbus_connection_call_sync(conn_, kDesktopName, path.c_str(), interface, "Close", nullptr,
                                  nullptr, G_DBUS_CALL_FLAGS_NONE, 2000, nullptr, nullptr);
  if (reply != nullptr) g_variant_unref(reply);
}

}  // namespace liseur::portal
