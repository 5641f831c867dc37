#include "dbus/dbus_bridge.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "dbus/reader1_xml.h"  // generated from packaging/dbus/org.liseur.Reader1.xml
#include "ipc/ipc_client.h"
#include "ipc/ipc_protocol.h"

namespace liseur {

using nlohmann::json;

std::string dbusErrorName(std::string_view code) {
  // D-Bus error names follow the rules of interface names: [A-Za-z0-9_] only, so the stable
  // kebab-case code is written with '_' (no code holds '_', so the mapping is reversible).
  std::string out = kDbusErrorPrefix;
  for (char c : code) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  if (code.empty()) out += "internal";
  return out;
}

namespace {

constexpr const char* kOrcaName = "org.gnome.Orca.Service";
constexpr const char* kOrcaPath = "/org/gnome/Orca/Service";
constexpr const char* kOrcaInterface = "org.gnome.Orca.Service";
constexpr int kOrcaTimeoutMs = 3000;
constexpr std::chrono::seconds kHelloTimeout{10};
// How often the bridge looks for a session bus again when there is none, or it went away (a
// daemon started before the user's bus, a bus restarted): one connect() each time.
constexpr guint kBusRetryMs = 3000;

enum class ReplyKind { kNone, kJob, kJson };

struct Pending {
  GDBusMethodInvocation* invocation = nullptr;  // owned until returned
  ReplyKind kind = ReplyKind::kNone;
};

std::string dumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void returnError(GDBusMethodInvocation* inv, std::string_view code, const std::string& message) {
  g_dbus_method_invocation_return_dbus_error(inv, dbusErrorName(code).c_str(), message.c_str());
}

std::string takeMessage(GError* err) {
  std::string m = err ? err->message : "unknown error";
  if (err) g_error_free(err);
  return m;
}

// Where the session bus is, never autolaunched: DBUS_SESSION_BUS_ADDRESS, else the systemd user
// bus at $XDG_RUNTIME_DIR/bus. Read from the environment once (the bridge's thread must not
// read it while the daemon may change it); the socket file is looked at each time.
struct BusLocation {
  std::string address;      // DBUS_SESSION_BUS_ADDRESS, or the one given
  std::string runtime_bus;  // else $XDG_RUNTIME_DIR/bus

  static BusLocation fromEnvironment(const std::string& given) {
    BusLocation l;
    if (!given.empty()) {
      l.address = given;
    } else if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) {
      l.address = a;
    } else if (const char* rt = std::getenv("XDG_RUNTIME_DIR"); rt && *rt) {
      l.runtime_bus = std::string(rt) + "/bus";
    }
    return l;
  }
  // The address to connect to now; "" when there is none.
  std::string now() const {
    if (!address.empty()) return address;
    struct stat st {};
    if (runtime_bus.empty() || ::stat(runtime_bus.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
      return {};
    gchar* escaped = g_dbus_address_escape_value(runtime_bus.c_str());
    std::string a = std::string("unix:path=") + escaped;
    g_free(escaped);
    return a;
  }
};

}  // namespace

struct DbusBridge::Impl {
  Impl(EventLoop& l, DbusBridgeOptions o)
      : loop(l), opts(std::move(o)), bus(BusLocation::fromEnvironment(opts.bus_address)) {
    ctx = g_main_context_new();
    mainLoop = g_main_loop_new(ctx, FALSE);
    cancel = g_cancellable_new();
  }
  ~Impl() {
    g_object_unref(cancel);
    g_main_loop_unref(mainLoop);
    g_main_context_unref(ctx);
  }

  EventLoop& loop;
  DbusBridgeOptions opts;
  BusLocation bus;
  GMainContext* ctx = nullptr;
  GMainLoop* mainLoop = nullptr;
  GCancellable* cancel = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};

  // The bridge thread only.
  GDBusConnection* conn = nullptr;
  GDBusNodeInfo* node = nullptr;
  guint registration = 0, owner = 0, orcaWatch = 0;
  gulong closedHandler = 0;
  std::unique_ptr<IpcClient> ipc;
  GSource* ipcSource = nullptr;
  int64_t nextId = 1;
  std::map<int64_t, Pending> pending;
  int noticesInFlight = 0;

  // Any thread.
  mutable std::mutex mu;
  int ipcFd = -1;  // to unblock a hello in progress at shutdown
  bool available = false;
  std::string reason = "starting";
  bool connected = false;  // the bus connection is up
  bool orcaPresent = false;
  bool loggedDown = false;

  void setDown(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu);
    available = false;
    reason = why;
    if (!loggedDown) {  // once: a missing bus is normal (a console, a test), not an alarm
      loggedDown = true;
      spdlog::info("dbus: {}", why);
    }
  }

  void run() {
    g_main_context_push_thread_default(ctx);
    while (!stopping) {
      // Serves until shutdown, or until the bus closes (onClosed quits the loop).
      if (setUp() && !stopping) g_main_loop_run(mainLoop);
      tearDown();
      if (stopping) break;
      // No bus, or it went away: look again in a while; shutdown's quit ends the wait.
      GSource* t = g_timeout_source_new(kBusRetryMs);
      g_source_set_callback(t, quit, this, nullptr);
      g_source_attach(t, ctx);
      g_main_loop_run(mainLoop);
      g_source_destroy(t);
      g_source_unref(t);
    }
    g_main_context_pop_thread_default(ctx);
  }

  bool setUp() {
    // A new round after a bus that went away: the last round's tearDown cancelled `cancel`.
    // Shutdown sets `stopping` before it cancels, so a reset cannot undo its cancel unseen.
    g_cancellable_reset(cancel);
    if (stopping) return false;
    std::string address = bus.now();
    if (address.empty()) {
      setDown(
          "no session bus (DBUS_SESSION_BUS_ADDRESS is not set): org.liseur.Reader1 is not "
          "offered; the socket works as ever");
      return false;
    }
    GError* err = nullptr;
    conn = g_dbus_connection_new_for_address_sync(
        address.c_str(),
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, cancel, &err);
    if (!conn) {
      setDown("the session bus does not answer (" + takeMessage(err) +
              "): org.liseur.Reader1 is not offered; the socket works as ever");
      return false;
    }
    // A private connection: its end must never end the daemon (GLib's default for g_bus_get).
    g_dbus_connection_set_exit_on_close(conn, FALSE);
    closedHandler = g_signal_connect(conn, "closed", G_CALLBACK(onClosed), this);
    {
      std::lock_guard<std::mutex> lock(mu);
      connected = true;
    }
    if (opts.orca)
      orcaWatch = g_bus_watch_name_on_connection(conn, kOrcaName, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                 onOrcaAppeared, onOrcaVanished, this, nullptr);

    // The daemon's own socket: the same hello, commands and events as any client.
    auto client = IpcClient::connectRaw(opts.socket_path);
    if (!client) {
      setDown("cannot reach the daemon's socket (" + client.error().message + ")");
      return true;  // Orca's notices still work
    }
    ipc = std::move(*client);
    {
      std::lock_guard<std::mutex> lock(mu);
      ipcFd = ipc->fd();
    }
    // No `session` in this hello: the bridge must never move the daemon to another display.
    auto hello = ipc->request("hello", {{"protocol", kIpcProtocolVersion}, {"client", "dbus"}},
                              kHelloTimeout);
    auto sub = hello ? ipc->request("subscribe", {{"events", json::array({"*"})}}, kHelloTimeout)
                     : Result<json>(hello.error());
    if (!sub) {
      dropIpc();
      setDown("the daemon's socket did not answer hello (" + sub.error().message + ")");
      return true;
    }
    ipcSource =
        g_unix_fd_source_new(ipc->fd(), static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR));
    g_source_set_callback(ipcSource, G_SOURCE_FUNC(onIpcReadable), this, nullptr);
    g_source_attach(ipcSource, ctx);

    node = g_dbus_node_info_new_for_xml(kReader1IntrospectionXml, &err);
    if (!node) {
      setDown("internal: the introspection XML does not parse (" + takeMessage(err) + ")");
      return true;
    }
    static const GDBusInterfaceVTable vtable = {onMethodCall, nullptr, nullptr, {}};
    GDBusInterfaceInfo* iface = g_dbus_node_info_lookup_interface(node, kDbusInterface);
    registration =
        g_dbus_connection_register_object(conn, kDbusPath, iface, &vtable, this, nullptr, &err);
    if (!registration) {
      setDown("cannot register " + std::string(kDbusPath) + " (" + takeMessage(err) + ")");
      return true;
    }
    owner = g_bus_own_name_on_connection(conn, kDbusName, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                         onNameAcquired, onNameLost, this, nullptr);
    return true;
  }

  void tearDown() {
    for (auto& [id, p] : pending)
      returnError(p.invocation, "not-running", "liseurd is shutting down");
    pending.clear();
    dropIpc();
    if (owner) g_bus_unown_name(owner);
    if (orcaWatch) g_bus_unwatch_name(orcaWatch);
    if (registration) g_dbus_connection_unregister_object(conn, registration);
    owner = orcaWatch = registration = 0;
    g_cancellable_cancel(cancel);
    // Notices sent to Orca end (cancelled) before the connection goes.
    while (noticesInFlight > 0) g_main_context_iteration(ctx, TRUE);
    if (conn) {
      g_signal_handler_disconnect(conn, closedHandler);
      g_dbus_connection_flush_sync(conn, nullptr, nullptr);
      g_dbus_connection_close_sync(conn, nullptr, nullptr);
      g_object_unref(conn);
      conn = nullptr;
    }
    if (node) g_dbus_node_info_unref(node);
    node = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu);
      connected = false;
      orcaPresent = false;
      available = false;
    }
    while (g_main_context_iteration(ctx, FALSE)) {
    }
  }

  void dropIpc() {
    if (ipcSource) {
      g_source_destroy(ipcSource);
      g_source_unref(ipcSource);
      ipcSource = nullptr;
    }
    std::lock_guard<std::mutex> lock(mu);
    ipcFd = -1;
    ipc.reset();
  }

  // --- the daemon's socket -> D-Bus ---

  static gboolean onIpcReadable(gint, GIOCondition, gpointer self) {
    static_cast<Impl*>(self)->drainIpc();
    return G_SOURCE_CONTINUE;  // dropIpc() destroyed the source if the connection ended
  }

  void drainIpc() {
    while (ipc) {
      auto line = ipc->readLine(std::chrono::milliseconds(0));
      if (!line) {
        if (line.error().code == ErrorCode::kTimeout) return;  // nothing more for now
        ipcLost(line.error().message);
        return;
      }
      handleLine(*line);
    }
  }

  void ipcLost(const std::string& why) {
    for (auto& [id, p] : pending) returnError(p.invocation, "not-running", why);
    pending.clear();
    dropIpc();
    if (stopping) return;  // the destructor shut the socket down: nothing to report
    if (owner) g_bus_unown_name(owner);
    owner = 0;
    setDown("lost the connection to the daemon's socket (" + why + ")");
  }

  void handleLine(const std::string& line) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) return;
    if (auto e = j.find("event"); e != j.end() && e->is_string()) {
      std::string name = e->get<std::string>();
      j.erase("event");
      if (conn)
        g_dbus_connection_emit_signal(conn, nullptr, kDbusPath, kDbusInterface, "Event",
                                      g_variant_new("(ss)", name.c_str(), dumpJson(j).c_str()),
                                      nullptr);
      return;
    }
    auto id = j.find("id");
    if (id == j.end() || !id->is_number_integer()) return;  // a connection error: it will close
    auto it = pending.find(id->get<int64_t>());
    if (it == pending.end()) return;
    Pending p = it->second;
    pending.erase(it);
    complete(p, j);
  }

  static void complete(const Pending& p, json& reply) {
    if (!boolField(reply, "ok", false)) {
      auto e = reply.find("error");
      std::string code = "internal", message;
      if (e != reply.end() && e->is_object()) {
        code = stringField(*e, "code", "internal");
        message = stringField(*e, "message");
      }
      returnError(p.invocation, code, message.empty() ? code : message);
      return;
    }
    reply.erase("id");
    reply.erase("ok");
    switch (p.kind) {
      case ReplyKind::kNone:
        g_dbus_method_invocation_return_value(p.invocation, nullptr);
        break;
      case ReplyKind::kJob: {
        auto job = reply.find("job");
        guint64 id = job != reply.end() && job->is_number_integer() ? job->get<uint64_t>() : 0;
        g_dbus_method_invocation_return_value(p.invocation, g_variant_new("(t)", id));
        break;
      }
      case ReplyKind::kJson:
        g_dbus_method_invocation_return_value(p.invocation,
                                              g_variant_new("(s)", dumpJson(reply).c_str()));
        break;
    }
  }

  // --- D-Bus -> the daemon's socket ---

  static void onMethodCall(GDBusConnection*, const gchar*, const gchar*, const gchar*,
                           const gchar* method, GVariant* params, GDBusMethodInvocation* inv,
                           gpointer self) {
    static_cast<Impl*>(self)->call(method, params, inv);
  }

  void call(std::string_view method, GVariant* params, GDBusMethodInvocation* inv) {
    json args = json::object();
    // "" or a JSON object of the socket command's arguments.
    auto withOptions = [&](const char* text) {
      if (!text || !*text) return true;
      json o = json::parse(text, nullptr, false);
      if (!o.is_object()) {
        returnError(inv, "invalid-argument",
                    "options must be \"\" or a JSON object of the command's arguments");
        return false;
      }
      args = std::move(o);
      return true;
    };
    // An absolute path is a file; anything else a screen source (window, region, ...).
    auto setSource = [&](const char* source) {
      if (*source == '/')
        args["file"] = source;
      else if (*source)
        args["source"] = source;
    };
    const char *a = nullptr, *b = nullptr;
    if (method == "Read") {
      g_variant_get(params, "(&s&s)", &a, &b);
      if (!withOptions(b)) return;
      setSource(a);
      return send("read", std::move(args), inv, ReplyKind::kJob);
    }
    if (method == "Say") {
      g_variant_get(params, "(&s&s)", &a, &b);
      if (!withOptions(b)) return;
      args["text"] = a;
      return send("say", std::move(args), inv, ReplyKind::kJob);
    }
    if (method == "Ocr") {
      g_variant_get(params, "(&s&s)", &a, &b);
      if (!withOptions(b)) return;
      setSource(a);
      return send("ocr", std::move(args), inv, ReplyKind::kJson);
    }
    if (method == "Watch") {
      g_variant_get(params, "(&s&s)", &a, &b);
      if (!withOptions(b)) return;
      args["source"] = a;
      return send("watch", std::move(args), inv, ReplyKind::kJson);
    }
    if (method == "Unwatch") return send("unwatch", std::move(args), inv, ReplyKind::kJson);
    if (method == "Stop") return send("stop", std::move(args), inv, ReplyKind::kNone);
    if (method == "Pause") return send("pause", std::move(args), inv, ReplyKind::kNone);
    if (method == "Resume") return send("resume", std::move(args), inv, ReplyKind::kNone);
    if (method == "Status") return send("status", std::move(args), inv, ReplyKind::kJson);
    if (method == "Review") {
      g_variant_get(params, "(&s)", &a);
      args["action"] = a;
      return send("review", std::move(args), inv, ReplyKind::kJson);
    }
    if (method == "Pointer") {
      g_variant_get(params, "(&s)", &a);
      args["action"] = a;
      return send("pointer", std::move(args), inv, ReplyKind::kJson);
    }
    if (method == "Reload") return send("reload", std::move(args), inv, ReplyKind::kJson);
    if (method == "Set") {
      g_variant_get(params, "(&s&s)", &a, &b);
      args["key"] = a;
      args["value"] = b;
      return send("set", std::move(args), inv, ReplyKind::kJson);
    }
    g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.DBus.Error.UnknownMethod",
                                               "no such method");
  }

  void send(const char* cmd, json args, GDBusMethodInvocation* inv, ReplyKind kind) {
    if (!ipc) {
      std::lock_guard<std::mutex> lock(mu);
      return returnError(inv, "not-running", "liseurd's D-Bus bridge is not connected: " + reason);
    }
    int64_t id = nextId++;
    Status st = ipc->sendRaw(encodeIpcLine({{"id", id}, {"cmd", cmd}, {"args", std::move(args)}}));
    if (!st) return returnError(inv, "not-running", st.error().message);
    pending[id] = {inv, kind};
  }

  // --- the bus and its names ---

  static void onClosed(GDBusConnection*, gboolean, GError* err, gpointer p) {
    auto* self = static_cast<Impl*>(p);
    {
      std::lock_guard<std::mutex> lock(self->mu);
      self->connected = false;
      self->orcaPresent = false;
      self->loggedDown = false;  // this one is news: say it
    }
    self->setDown(std::string("the session bus went away") +
                  (err ? std::string(" (") + err->message + ")" : std::string()) +
                  "; the socket works as ever, and liseurd joins the bus again when it comes "
                  "back");
    g_main_loop_quit(self->mainLoop);  // run() tears down and looks for the bus again
  }

  static void onNameAcquired(GDBusConnection*, const gchar* name, gpointer p) {
    auto* self = static_cast<Impl*>(p);
    std::lock_guard<std::mutex> lock(self->mu);
    if (!self->ipc) return;
    self->available = true;
    self->reason.clear();
    self->loggedDown = false;  // the next loss is news again
    spdlog::info("dbus: {} on the session bus", name);
  }

  static void onNameLost(GDBusConnection* c, const gchar* name, gpointer p) {
    auto* self = static_cast<Impl*>(p);
    {
      std::lock_guard<std::mutex> lock(self->mu);
      if (!self->connected) return;  // onClosed said why
    }
    bool closed = c == nullptr || g_dbus_connection_is_closed(c);
    self->setDown(closed ? std::string("the session bus closed")
                         : std::string("the name ") + name +
                               " is owned by another program (another liseurd on this bus?)");
  }

  static void onOrcaAppeared(GDBusConnection*, const gchar*, const gchar*, gpointer p) {
    auto* self = static_cast<Impl*>(p);
    std::lock_guard<std::mutex> lock(self->mu);
    self->orcaPresent = true;
    spdlog::info("dbus: Orca's remote controller is on the bus: notices go through PresentMessage");
  }

  static void onOrcaVanished(GDBusConnection*, const gchar*, gpointer p) {
    auto* self = static_cast<Impl*>(p);
    std::lock_guard<std::mutex> lock(self->mu);
    if (self->orcaPresent) spdlog::info("dbus: Orca's remote controller left the bus");
    self->orcaPresent = false;
  }

  // --- notices through Orca ---

  struct Notice {
    Impl* self;
    std::string text;
    std::function<void()> speakInstead;
  };

  static gboolean sendNotice(gpointer data) {
    auto* shell = static_cast<Notice*>(data);
    auto* n = new Notice(std::move(*shell));
    Impl* self = n->self;
    if (!self->conn || g_dbus_connection_is_closed(self->conn)) {
      self->loop.post(std::move(n->speakInstead));
      delete n;
      return G_SOURCE_REMOVE;
    }
    ++self->noticesInFlight;
    g_dbus_connection_call(self->conn, kOrcaName, kOrcaPath, kOrcaInterface, "PresentMessage",
                           g_variant_new("(s)", n->text.c_str()), G_VARIANT_TYPE("(b)"),
                           G_DBUS_CALL_FLAGS_NO_AUTO_START, kOrcaTimeoutMs, self->cancel,
                           onPresented, n);
    return G_SOURCE_REMOVE;
  }

  static void onPresented(GObject* source, GAsyncResult* res, gpointer data) {
    std::unique_ptr<Notice> n(static_cast<Notice*>(data));
    Impl* self = n->self;
    --self->noticesInFlight;
    GError* err = nullptr;
    GVariant* r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);
    gboolean presented = FALSE;
    if (r) {
      g_variant_get(r, "(b)", &presented);
      g_variant_unref(r);
    }
    if (presented) return;
    std::string why = err ? takeMessage(err) : "it answered false";
    if (self->stopping) return;
    spdlog::info("dbus: Orca did not present a notice ({}); liseur says it", why);
    self->loop.post(std::move(n->speakInstead));
  }

  static gboolean quit(gpointer p) {
    g_main_loop_quit(static_cast<Impl*>(p)->mainLoop);
    return G_SOURCE_REMOVE;
  }
};

DbusBridge::DbusBridge(EventLoop& loop, DbusBridgeOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {}

DbusBridge::~DbusBridge() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  g_cancellable_cancel(impl_->cancel);
  {
    // A hello still waiting for the (stopped) loop ends at once.
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->ipcFd >= 0) ::shutdown(impl_->ipcFd, SHUT_RDWR);
  }
  GSource* s = g_idle_source_new();
  g_source_set_callback(s, Impl::quit, impl_.get(), nullptr);
  g_source_attach(s, impl_->ctx);
  g_source_unref(s);
  impl_->thread.join();
}

void DbusBridge::start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

json DbusBridge::status() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  json s{{"available", impl_->available},
         {"name", kDbusName},
         {"orca", impl_->connected && impl_->orcaPresent}};
  if (!impl_->available) s["reason"] = impl_->reason;
  return s;
}

bool DbusBridge::presentNotice(const std::string& text, std::function<void()> speakInstead) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->connected || !impl_->orcaPresent) return false;
  }
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) return false;
  auto* n = new Impl::Notice{impl_.get(), text, std::move(speakInstead)};
  g_main_context_invoke_full(impl_->ctx, G_PRIORITY_DEFAULT, Impl::sendNotice, n,
                             [](gpointer p) { delete static_cast<Impl::Notice*>(p); });
  return true;
}

}  // namespace liseur
