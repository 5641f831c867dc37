#include "input/portal_shortcuts.h"

#include <gio/gio.h>

#include <cstring>

#include <fmt/format.h>

#include "core/log.h"
#include "input/hotkeys.h"

namespace liseur {

namespace {

constexpr const char* kShortcutsInterface = "org.freedesktop.portal.GlobalShortcuts";

}  // namespace

Result<std::string> portalTrigger(std::string_view spec) {
  auto parsed = parseKeySpec(spec);
  if (!parsed) return parsed.error();
  if (parsed->modifiers & kModHyper) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("hotkey '{}': the desktop's shortcut portal has no Hyper "
                                 "modifier (use Control, Alt, Shift or Super)",
                                 spec));
  }
  // The canonical spelling ends with the X keysym name, which is also xkbcommon's name; keysym
  // names never contain '+' ("plus" is the + key).
  const std::string& canonical = parsed->canonical;
  const std::size_t plus = canonical.rfind('+');
  const std::string key = plus == std::string::npos ? canonical : canonical.substr(plus + 1);
  std::string out;
  if (parsed->modifiers & kModControl) out += "CTRL+";
  if (parsed->modifiers & kModAlt) out += "ALT+";
  if (parsed->modifiers & kModShift) out += "SHIFT+";
  if (parsed->modifiers & kModSuper) out += "LOGO+";
  return out + key;
}

PortalShortcuts::PortalShortcuts(portal::PortalBus bus, Callback cb,
                                 std::chrono::milliseconds timeout)
    : bus_(std::move(bus)), callback_(std::move(cb)), timeout_(timeout) {
  ctx_ = g_main_context_new();
  loop_ = g_main_loop_new(ctx_, FALSE);
}

PortalShortcuts::~PortalShortcuts() {
  std::string session = sessionHandle();
  if (!session.empty()) bus_.closeObject(session, portal::kSessionInterface);
  if (thread_.joinable()) {
    g_main_loop_quit(loop_);
    thread_.join();
  }
  for (unsigned id : subscriptions_) {
    if (bus_.connection() != nullptr) g_dbus_connection_signal_unsubscribe(bus_.connection(), id);
  }
  for (auto& [path, answer] : pending_) {
    if (answer && answer->results != nullptr) g_variant_unref(answer->results);
  }
  g_main_loop_unref(loop_);
  g_main_context_unref(ctx_);
}

Result<std::unique_ptr<PortalShortcuts>> PortalShortcuts::open(Callback on_activated,
                                                               const std::string& bus_address,
                                                               std::chrono::milliseconds timeout) {
  auto bus = portal::PortalBus::connect(bus_address);
  if (!bus) return bus.error();
  auto version = bus->interfaceVersion(kShortcutsInterface, "global shortcuts");
  if (!version) {
    // For the daemon, "no portal shortcuts" is like "no X display for the hotkeys".
    return makeError(ErrorCode::kDisplayUnavailable, version.error().message);
  }
  std::unique_ptr<PortalShortcuts> self(
      new PortalShortcuts(std::move(bus.value()), std::move(on_activated), timeout));
  self->version_ = *version;

  // Subscribed with ctx_ as the thread default, so GDBus delivers these on the object's thread.
  GDBusConnection* conn = self->bus_.connection();
  auto subscribe = [&](const char* interface, const char* member, const char* path) {
    self->subscriptions_.push_back(g_dbus_connection_signal_subscribe(
        conn, portal::kDesktopName, interface, member, path, nullptr, G_DBUS_SIGNAL_FLAGS_NONE,
        reinterpret_cast<GDBusSignalCallback>(&PortalShortcuts::onSignal), self.get(), nullptr));
  };
  g_main_context_push_thread_default(self->ctx_);
  subscribe(portal::kRequestInterface, "Response", nullptr);
  subscribe(kShortcutsInterface, "Activated", portal::kDesktopPath);
  subscribe(portal::kSessionInterface, "Closed", nullptr);
  g_main_context_pop_thread_default(self->ctx_);

  PortalShortcuts* raw = self.get();
  raw->thread_ = std::thread([raw] {
    g_main_context_push_thread_default(raw->ctx_);
    g_main_loop_run(raw->loop_);
    g_main_context_pop_thread_default(raw->ctx_);
  });

  if (Status s = self->createSession(); !s) return s.error();
  spdlog::info("hotkeys: xdg-desktop-portal GlobalShortcuts version {} on {}", self->version_,
               self->bus_.where());
  return self;
}

void PortalShortcuts::onSignal(GDBusConnection*, const char*, const char* path, const char*,
                               const char* signal, GVariant* params, void* data) {
  auto* self = static_cast<PortalShortcuts*>(data);
  if (std::strcmp(signal, "Response") == 0) {
    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(ua{sv})"))) return;
    std::lock_guard lock(self->mu_);
    auto it = self->pending_.find(path);
    if (it == self->pending_.end() || it->second) return;
    Answer answer;
    g_variant_get(params, "(u@a{sv})", &answer.response, &answer.results);
    it->second = answer;
    self->cv_.notify_all();
    return;
  }
  if (std::strcmp(signal, "Closed") == 0) {
    std::lock_guard lock(self->mu_);
    if (path == self->session_) {
      self->session_closed_ = true;
      spdlog::warn("hotkeys: the desktop closed the global shortcuts session");
    }
    return;
  }
  if (std::strcmp(signal, "Activated") == 0) {
    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(osta{sv})"))) return;
    const char* session = nullptr;
    const char* id = nullptr;
    guint64 timestamp = 0;
    g_variant_get(params, "(&o&st@a{sv})", &session, &id, &timestamp, nullptr);
    {
      std::lock_guard lock(self->mu_);
      if (self->session_.empty() || self->session_ != session) return;
    }
    if (self->callback_) self->callback_(id, timestamp);
  }
}

Result<PortalShortcuts::Answer> PortalShortcuts::request(const char* method, GVariant* params,
                                                         const std::string& token) {
  std::string path = bus_.requestPath(token);
  {
    std::lock_guard lock(mu_);
    pending_[path] = std::nullopt;
  }
  auto forget = [this](const std::string& p) {
    std::lock_guard lock(mu_);
    auto it = pending_.find(p);
    if (it == pending_.end()) return;
    if (it->second && it->second->results != nullptr) g_variant_unref(it->second->results);
    pending_.erase(it);
  };
  auto reply = bus_.call(kShortcutsInterface, method, params, static_cast<int>(timeout_.count()));
  if (!reply) {
    forget(path);
    if (reply.error().code == ErrorCode::kTimeout) return reply.error();
    return makeError(ErrorCode::kDisplayUnavailable, reply.error().message);
  }
  const char* handle = nullptr;
  g_variant_get(*reply, "(&o)", &handle);
  if (handle != nullptr && path != handle) {
    // Every portal with GlobalShortcuts (1.16+) honours handle_token; follow it all the same.
    std::lock_guard lock(mu_);
    auto node = pending_.extract(path);
    node.key() = handle;
    pending_.insert(std::move(node));
    path = handle;
  }
  g_variant_unref(*reply);

  std::unique_lock lock(mu_);
  const bool answered = cv_.wait_for(lock, timeout_, [&] { return pending_[path].has_value(); });
  if (!answered) {
    lock.unlock();
    bus_.closeObject(path, portal::kRequestInterface);
    forget(path);
    return makeError(ErrorCode::kTimeout,
                     fmt::format("the GlobalShortcuts portal did not answer {} within {} s (a "
                                 "dialog may be waiting on the screen); the request was withdrawn",
                                 method, timeout_.count() / 1000.0));
  }
  Answer answer = *pending_[path];
  pending_.erase(path);  // the results now belong to `answer`
  return answer;
}

Status PortalShortcuts::createSession() {
  const std::string token = bus_.newToken();
  const std::string session_token = bus_.newToken();
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&options, "{sv}", "handle_token", g_variant_new_string(token.c_str()));
  g_variant_builder_add(&options, "{sv}", "session_handle_token",
                        g_variant_new_string(session_token.c_str()));
  auto answer = request("CreateSession", g_variant_new("(a{sv})", &options), token);
  if (!answer) return answer.error();
  GVariant* results = answer->results;
  if (answer->response != portal::kResponseSuccess) {
    if (results != nullptr) g_variant_unref(results);
    return makeError(
        ErrorCode::kCaptureRefused,
        fmt::format("the desktop refused a global shortcuts session (portal response "
                    "{}: {}); liseur's hotkeys are not available on this desktop",
                    answer->response,
                    answer->response == portal::kResponseCancelled ? "cancelled by the user"
                                                                   : "refused or failed"));
  }
  // The specification says `s`; accept an object path too.
  std::string session;
  if (results != nullptr) {
    GVariant* v = g_variant_lookup_value(results, "session_handle", nullptr);
    if (v != nullptr) {
      if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
          g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)) {
        session = g_variant_get_string(v, nullptr);
      }
      g_variant_unref(v);
    }
    g_variant_unref(results);
  }
  if (session.empty()) {
    return makeError(ErrorCode::kInternal,
                     "the GlobalShortcuts portal created a session without a session_handle; the "
                     "desktop's portal backend is broken");
  }
  std::lock_guard lock(mu_);
  session_ = session;
  return okStatus();
}

Result<std::vector<BoundShortcut>> PortalShortcuts::bind(
    const std::vector<PortalShortcut>& shortcuts) {
  const std::string session = sessionHandle();
  if (lost()) {
    return makeError(ErrorCode::kDisplayUnavailable,
                     "the global shortcuts session is gone (the desktop closed it or the session "
                     "bus went away); open a new one");
  }
  GVariantBuilder list;
  g_variant_builder_init(&list, G_VARIANT_TYPE("a(sa{sv})"));
  for (const PortalShortcut& s : shortcuts) {
    GVariantBuilder props;
    g_variant_builder_init(&props, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&props, "{sv}", "description",
                          g_variant_new_string(s.description.c_str()));
    if (!s.trigger.empty()) {
      auto trigger = portalTrigger(s.trigger);
      if (!trigger) {
        g_variant_builder_clear(&props);
        g_variant_builder_clear(&list);
        return makeError(trigger.error().code,
                         trigger.error().message + " (shortcut '" + s.id + "')");
      }
      g_variant_builder_add(&props, "{sv}", "preferred_trigger",
                            g_variant_new_string(trigger->c_str()));
    }
    g_variant_builder_add(&list, "(sa{sv})", s.id.c_str(), &props);
  }
  const std::string token = bus_.newToken();
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&options, "{sv}", "handle_token", g_variant_new_string(token.c_str()));
  auto answer =
      request("BindShortcuts",
              g_variant_new("(oa(sa{sv})sa{sv})", session.c_str(), &list, "", &options), token);
  if (!answer) return answer.error();
  GVariant* results = answer->results;
  if (answer->response != portal::kResponseSuccess) {
    if (results != nullptr) g_variant_unref(results);
    return makeError(
        ErrorCode::kCaptureRefused,
        fmt::format("the desktop did not bind liseur's {} global shortcuts (portal "
                    "response {}: {}); set them in the desktop's keyboard settings",
                    shortcuts.size(), answer->response,
                    answer->response == portal::kResponseCancelled ? "the user cancelled the dialog"
                                                                   : "refused or failed"));
  }
  std::vector<BoundShortcut> bound;
  GVariant* list_v =
      results ? g_variant_lookup_value(results, "shortcuts", G_VARIANT_TYPE("a(sa{sv})")) : nullptr;
  if (list_v != nullptr) {
    GVariantIter iter;
    g_variant_iter_init(&iter, list_v);
    const char* id = nullptr;
    GVariant* props = nullptr;
    while (g_variant_iter_next(&iter, "(&s@a{sv})", &id, &props)) {
      BoundShortcut b;
      b.id = id;
      const char* text = nullptr;
      if (g_variant_lookup(props, "description", "&s", &text)) b.description = text;
      if (g_variant_lookup(props, "trigger_description", "&s", &text)) {
        b.trigger_description = text;
      }
      bound.push_back(std::move(b));
      g_variant_unref(props);
    }
    g_variant_unref(list_v);
  }
  if (results != nullptr) g_variant_unref(results);
  spdlog::info("hotkeys: the desktop bound {} of {} global shortcuts", bound.size(),
               shortcuts.size());
  return bound;
}

bool PortalShortcuts::lost() const {
  std::lock_guard lock(mu_);
  return session_closed_ || bus_.closed();
}

std::string PortalShortcuts::sessionHandle() const {
  std::lock_guard lock(mu_);
  return session_;
}

std::string PortalShortcuts::describe() const {
  return fmt::format("xdg-desktop-portal GlobalShortcuts v{} on {}", version_, bus_.where());
}

}  // namespace liseur
