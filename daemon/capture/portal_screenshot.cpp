#include "capture/portal_screenshot.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/log.h"

namespace liseur {

namespace {

constexpr const char* kScreenshotInterface = "org.freedesktop.portal.Screenshot";

// Closes a descriptor on every path out of takeFile.
struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

struct PortalScreenshot::Pending {
  std::uint32_t response = portal::kResponseOther;
  GVariant* results = nullptr;  // a{sv}, owned
  ~Pending() {
    if (results != nullptr) g_variant_unref(results);
  }
};

PortalScreenshot::PortalScreenshot(portal::PortalBus bus) : bus_(std::move(bus)) {
  ctx_ = g_main_context_new();
}

PortalScreenshot::~PortalScreenshot() {
  if (subscription_ != 0 && bus_.connection() != nullptr) {
    g_dbus_connection_signal_unsubscribe(bus_.connection(), subscription_);
  }
  // Answers already queued on ctx_ are dropped with it; nothing iterates it any more.
  if (ctx_ != nullptr) g_main_context_unref(ctx_);
}

Result<std::unique_ptr<PortalScreenshot>> PortalScreenshot::open(const std::string& bus_address) {
  auto bus = portal::PortalBus::connect(bus_address);
  if (!bus) return bus.error();
  auto version = bus->interfaceVersion(kScreenshotInterface, "screen capture");
  if (!version) return version.error();
  std::unique_ptr<PortalScreenshot> self(new PortalScreenshot(std::move(bus.value())));
  self->version_ = *version;
  // One subscription for every answer: Response signals come only to us (the portal sends them
  // to the caller), and each is matched against the request being waited for. Subscribing with
  // ctx_ as the thread default makes GDBus deliver them on ctx_, which only shoot() iterates.
  g_main_context_push_thread_default(self->ctx_);
  self->subscription_ = g_dbus_connection_signal_subscribe(
      self->bus_.connection(), portal::kDesktopName, portal::kRequestInterface, "Response", nullptr,
      nullptr, G_DBUS_SIGNAL_FLAGS_NONE,
      reinterpret_cast<GDBusSignalCallback>(&PortalScreenshot::onResponse), self.get(), nullptr);
  g_main_context_pop_thread_default(self->ctx_);
  spdlog::info("screen capture: xdg-desktop-portal Screenshot version {} on {}", self->version_,
               self->bus_.where());
  return self;
}

std::string PortalScreenshot::describe() const {
  return fmt::format("xdg-desktop-portal Screenshot v{} on {}", version_, bus_.where());
}

void PortalScreenshot::onResponse(GDBusConnection*, const char*, const char* path, const char*,
                                  const char*, GVariant* params, void* data) {
  auto* self = static_cast<PortalScreenshot*>(data);
  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(ua{sv})"))) return;
  std::lock_guard lock(self->mu_);
  if (self->waiting_path_.empty() || self->waiting_path_ != path || self->answer_) return;
  auto answer = std::make_unique<Pending>();
  g_variant_get(params, "(u@a{sv})", &answer->response, &answer->results);
  self->answer_ = std::move(answer);
}

void PortalScreenshot::cancel() {
  std::lock_guard lock(mu_);
  if (waiting_path_.empty()) return;
  cancel_ = true;
  g_main_context_wakeup(ctx_);
}

Result<Box> PortalScreenshot::desktopBox() {
  return makeError(ErrorCode::kCaptureUnsupported,
                   "the Screenshot portal does not tell the desktop's size before a capture; "
                   "capture the screen (`liseur read screen`) and read its size from the image");
}

Result<CapturedImage> PortalScreenshot::captureScreen() {
  return shoot("screen (portal)");
}

Result<CapturedImage> PortalScreenshot::captureRegion(const Box& region) {
  if (region.w <= 0 || region.h <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("region {} is empty: give a width and a height above 0, e.g. "
                                 "`liseur read region 10,20,600,200`",
                                 boxText(region)));
  }
  auto image = shoot(fmt::format("region {} (portal)", boxText(region)));
  if (!image) return image;
  // Unclipped: the screen's size is known only once the OCR worker decodes the PNG.
  image->crop = region;
  return image;
}

Result<CapturedImage> PortalScreenshot::captureActiveWindow() {
  return makeError(ErrorCode::kCaptureUnsupported,
                   "the Screenshot portal cannot capture the active window without asking the "
                   "user to pick it; use `liseur read screen`, or `liseur read region X,Y,W,H` for "
                   "the window's area");
}

Result<CapturedImage> PortalScreenshot::captureAroundPointer(int, int) {
  return makeError(ErrorCode::kCaptureUnsupported,
                   "the Screenshot portal cannot capture the area around the pointer (it does not "
                   "say where the pointer is); use `liseur read screen` or `liseur read region "
                   "X,Y,W,H`");
}

Result<std::string> PortalScreenshot::clipboardPng(std::chrono::milliseconds, std::size_t) {
  return makeError(ErrorCode::kCaptureUnsupported,
                   "reading the clipboard's image is not available through the Screenshot portal; "
                   "save the image to a file and use `liseur read file PATH`");
}

Result<CapturedImage> PortalScreenshot::shoot(const std::string& description) {
  if (bus_.closed()) {
    return makeError(ErrorCode::kDisplayUnavailable,
                     fmt::format("the connection to {} is closed (the desktop session ended?); "
                                 "liseur reconnects when the session is back",
                                 bus_.where()));
  }
  const std::string token = bus_.newToken();
  std::string path = bus_.requestPath(token);
  {
    std::lock_guard lock(mu_);
    waiting_path_ = path;
    answer_.reset();
    cancel_ = false;
  }
  auto stopWaiting = [this] {
    std::lock_guard lock(mu_);
    waiting_path_.clear();
    return std::move(answer_);
  };

  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&options, "{sv}", "handle_token", g_variant_new_string(token.c_str()));
  g_variant_builder_add(&options, "{sv}", "interactive", g_variant_new_boolean(FALSE));
  const auto started = std::chrono::steady_clock::now();
  auto reply =
      bus_.call(kScreenshotInterface, "Screenshot", g_variant_new("(sa{sv})", "", &options),
                static_cast<int>(timeout_.count()));
  if (!reply) {
    stopWaiting();
    return reply.error();
  }
  const char* handle = nullptr;
  g_variant_get(*reply, "(&o)", &handle);
  if (handle != nullptr && path != handle) {
    // A portal older than 0.9 chooses its own path; the answer cannot have come yet, because
    // signals are only dispatched when ctx_ is iterated below.
    std::lock_guard lock(mu_);
    path = handle;
    waiting_path_ = path;
  }
  g_variant_unref(*reply);

  // Wait on ctx_: the answer, cancel() (which wakes the context) or the deadline.
  const auto deadline = started + timeout_;
  GSource* timer = g_timeout_source_new(static_cast<unsigned>(timeout_.count()) + 1);
  g_source_set_callback(
      timer, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
  g_source_attach(timer, ctx_);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (answer_ || cancel_) break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    g_main_context_iteration(ctx_, TRUE);
  }
  g_source_destroy(timer);
  g_source_unref(timer);
  const bool cancelled = cancel_.exchange(false);
  std::unique_ptr<Pending> answer = stopWaiting();

  if (!answer) {
    // Withdraw the request, so a dialog still open on the screen goes away.
    bus_.closeObject(path, portal::kRequestInterface);
    if (cancelled) return makeError(ErrorCode::kCancelled, "the screenshot was cancelled");
    return makeError(ErrorCode::kTimeout,
                     fmt::format("the Screenshot portal did not answer within {} s (a permission "
                                 "dialog may be waiting on the screen, or the desktop's portal "
                                 "backend hangs); the request was withdrawn",
                                 timeout_.count() / 1000.0));
  }
  if (answer->response == portal::kResponseCancelled) {
    return makeError(ErrorCode::kCaptureRefused,
                     "the screenshot was cancelled: the desktop's screenshot dialog was closed "
                     "without allowing it (portal response 1); run the command again and allow "
                     "the screenshot");
  }
  if (answer->response != portal::kResponseSuccess) {
    return makeError(ErrorCode::kCaptureRefused,
                     fmt::format("the desktop refused the screenshot or failed to take it "
                                 "(portal response {}); check that the desktop lets liseur "
                                 "(org.liseur.Liseur) take screenshots, and that its portal "
                                 "backend (xdg-desktop-portal-gnome, -kde or -wlr) is installed",
                                 answer->response));
  }
  const char* uri = nullptr;
  if (answer->results == nullptr || !g_variant_lookup(answer->results, "uri", "&s", &uri) ||
      uri == nullptr) {
    return makeError(ErrorCode::kInternal,
                     "the Screenshot portal answered success without a `uri`; the desktop's "
                     "portal backend is broken");
  }
  auto bytes = takeFile(uri);
  if (!bytes) return bytes.error();
  CapturedImage image;
  image.encoded = "png";
  image.encoded_bytes = std::move(bytes.value());
  image.description = description;
  spdlog::debug("portal screenshot: {} bytes in {} ms", image.encoded_bytes.size(),
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count());
  return image;
}

Result<std::string> PortalScreenshot::takeFile(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) {
    return makeError(ErrorCode::kFileUnreadable,
                     fmt::format("the Screenshot portal gave a '{}' URI; liseur reads only "
                                 "file:// URIs",
                                 uri.substr(0, uri.find(':'))));
  }
  GError* error = nullptr;
  gchar* raw = g_filename_from_uri(uri.c_str(), nullptr, &error);
  if (raw == nullptr) {
    Error e = makeError(ErrorCode::kFileUnreadable,
                        fmt::format("the Screenshot portal gave an invalid file URI: {}",
                                    error ? error->message : "?"));
    g_clear_error(&error);
    return e;
  }
  const std::string path = raw;
  g_free(raw);

  // O_NOFOLLOW: a symlink in the last component is refused, never followed (nor deleted).
  FdGuard fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (fd.fd < 0) {
    const int err = errno;
    if (err == ELOOP) {
      return makeError(ErrorCode::kNotRegularFile,
                       fmt::format("the Screenshot portal's file {} is a symbolic link; it was "
                                   "neither read nor deleted",
                                   path));
    }
    return makeError(
        ErrorCode::kFileUnreadable,
        fmt::format("cannot open the Screenshot portal's file {}: {}", path, std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return makeError(ErrorCode::kNotRegularFile,
                     fmt::format("the Screenshot portal's file {} is not a regular file; it was "
                                 "neither read nor deleted",
                                 path));
  }
  if (st.st_uid != ::geteuid()) {
    return makeError(ErrorCode::kFileUnreadable,
                     fmt::format("the Screenshot portal's file {} belongs to another user; it was "
                                 "neither read nor deleted",
                                 path));
  }
  // From here on the file is ours to remove, whatever happens: it holds the screen.
  auto removeFile = [&] {
    struct stat now {};
    // Only the file we opened: not one put in its place since.
    if (::lstat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
      if (::unlink(path.c_str()) != 0) {
        spdlog::warn("could not delete the screenshot file {}: {}", path, std::strerror(errno));
      }
    }
  };
  if (static_cast<unsigned long long>(st.st_size) > max_file_bytes_) {
    removeFile();
    return makeError(ErrorCode::kImageTooLarge,
                     fmt::format("the Screenshot portal's PNG is {} bytes, more than the {} byte "
                                 "limit; it was deleted unread",
                                 static_cast<long long>(st.st_size), max_file_bytes_));
  }
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      removeFile();
      return makeError(ErrorCode::kFileUnreadable,
                       fmt::format("reading the Screenshot portal's file {} failed: {}; it was "
                                   "deleted",
                                   path, std::strerror(err)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  removeFile();
  if (bytes.empty()) {
    return makeError(ErrorCode::kFileEmpty,
                     fmt::format("the Screenshot portal's file {} was empty", path));
  }
  return bytes;
}

}  // namespace liseur
