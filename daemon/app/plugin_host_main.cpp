// liseur-plugin-host: started by liseurd (core/subprocess.h) with its socket on fd 3; loads
// plugins with dlopen and runs their hooks, speaking plugins/plugin_protocol.h. Not meant to be
// run by hand. One request at a time, on one thread: the daemon's time limit per call is what
// stops a plugin that hangs, so nothing here needs to be interruptible.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/frame.h"
#include "core/log.h"
#include "core/sandbox.h"
#include "core/worker_main.h"
#include "liseur_plugin.h"
#include "plugins/plugin_catalog.h"
#include "plugins/plugin_protocol.h"

namespace {

using liseur::ErrorCode;
using liseur::errorCodeName;
using nlohmann::json;
namespace lp = liseur::plugins;

// The host's side of liseur_output: a bounded buffer. C callbacks, so no exception may escape.
struct OutputBuffer {
  liseur_output c{};
  std::string data;
  std::string error;
  std::size_t limit = lp::kDefaultMaxOutput;
  bool overflow = false;

  explicit OutputBuffer(std::size_t max) : limit(max) {
    c.struct_size = sizeof(liseur_output);
    c.host_data = this;
    c.write = &OutputBuffer::write;
    c.set_error = &OutputBuffer::setError;
  }
  static liseur_status write(liseur_output* out, const char* bytes, std::size_t n) noexcept {
    auto* self = static_cast<OutputBuffer*>(out->host_data);
    if (self->overflow || n > self->limit - self->data.size()) {
      self->overflow = true;
      return LISEUR_ERR_OUTPUT_TOO_LARGE;
    }
    try {
      self->data.append(bytes, n);
    } catch (...) {
      return LISEUR_ERR_NO_MEMORY;
    }
    return LISEUR_OK;
  }
  static void setError(liseur_output* out, const char* msg, std::size_t n) noexcept {
    auto* self = static_cast<OutputBuffer*>(out->host_data);
    try {
      self->error.assign(msg, std::min<std::size_t>(n, 2048));
    } catch (...) {
    }
  }
};

const char* statusName(liseur_status s) {
  switch (s) {
    case LISEUR_OK:
      return "ok";
    case LISEUR_ERR_INVALID_INPUT:
      return "invalid input";
    case LISEUR_ERR_INVALID_OPTIONS:
      return "invalid options";
    case LISEUR_ERR_UNSUPPORTED:
      return "unsupported";
    case LISEUR_ERR_NO_MEMORY:
      return "out of memory";
    case LISEUR_ERR_OUTPUT_TOO_LARGE:
      return "output too large";
    case LISEUR_ERR_INTERNAL:
      return "internal error";
  }
  return "unknown status";
}

struct LoadedPlugin {
  void* handle = nullptr;
  const liseur_plugin* api = nullptr;
  liseur_plugin_instance* instance = nullptr;
  lp::Manifest manifest;
};

class Host {
 public:
  Host(int fd, std::vector<std::string> dirs) : fd_(fd), dirs_(std::move(dirs)) {}
  ~Host() {
    for (auto& [id, p] : loaded_) unload(p);
  }

  int run() {
    (void)liseur::writeFrame(
        fd_, {{"ev", "ready"}, {"abi", LISEUR_PLUGIN_ABI_VERSION}, {"pid", ::getpid()}});
    for (;;) {
      auto f = liseur::readFrame(fd_);
      if (!f) {
        if (f.error().code == ErrorCode::kWorkerCrashed) return 0;  // EOF: the daemon closed us
        (void)liseur::writeFrame(
            fd_, {{"ev", "error"}, {"code", "bad-request"}, {"message", f.error().message}});
        return 3;
      }
      handle(*f);
    }
  }

 private:
  void reply(const json& header, std::string_view payload = {}) {
    if (!liseur::writeFrame(fd_, header, payload)) std::_Exit(0);  // the daemon is gone
  }
  void fail(const json& req, ErrorCode code, const std::string& message) {
    if (req.value("op", "") == "load" && req.contains("plugin") && req["plugin"].is_string())
      loadErrors_[req["plugin"].get<std::string>()] = message;
    reply({{"ev", "error"},
           {"call", req.value("call", -1)},
           {"plugin", req.value("plugin", "")},
           {"code", errorCodeName(code)},
           {"message", message}});
  }

  void handle(const liseur::Frame& f) {
    const json& h = f.header;
    const std::string op = h.value("op", "");
    if (!h.contains("call") || !h["call"].is_number_integer())
      return fail(h, ErrorCode::kInvalidArgument, "request without an integer \"call\"");
    if (!h.contains("plugin") || !h["plugin"].is_string())
      return fail(h, ErrorCode::kInvalidArgument, "request without a \"plugin\" id");
    if (op == "load") return load(h);
    if (op == "call") return call(h, f.payload);
    fail(h, ErrorCode::kUnknownCommand, "unknown op '" + op + "'");
  }

  void unload(LoadedPlugin& p) {
    if (p.instance && p.api->destroy) p.api->destroy(p.instance);
    p.instance = nullptr;
    if (p.handle) ::dlclose(p.handle);
    p.handle = nullptr;
  }

  void load(const json& h) {
    const std::string id = h["plugin"];
    const std::string who = "plugin '" + id + "'";
    auto scan = lp::scanPlugins(lp::pluginSearchPath(dirs_));
    const lp::PluginInfo* info = lp::findPlugin(scan, id);
    if (!info) {
      std::string where;
      for (const auto& d : lp::pluginSearchPath(dirs_))
        where += (where.empty() ? "" : ", ") + d.path;
      return fail(h, ErrorCode::kFileNotFound, who + " is not installed (searched " + where + ")");
    }
    if (info->state != lp::PluginState::kAvailable)
      return fail(h, info->error->code, who + ": " + info->error->message);
    const lp::Manifest& m = *info->manifest;
    auto options = lp::resolveOptions(m, h.value("options", json::object()));
    if (!options) return fail(h, options.error().code, options.error().message);

    // Check the file as opened, load it by path, then make sure the path still names the file
    // that was checked. (Loading through /proc/self/fd/N would close the window, but the dynamic
    // loader matches libraries by name and would hand back whichever plugin used fd N first.)
    // The folders are checked too, so only the user or root could swap the file in between.
    const std::string path = info->libraryPath();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      return fail(h, ErrorCode::kFileUnreadable, who + ": " + path + ": " + std::strerror(errno));
    struct stat checked {};
    if (auto s = lp::checkTrustedFd(fd, path); !s) {
      ::close(fd);
      return fail(h, s.error().code, who + ": " + s.error().message);
    }
    ::fstat(fd, &checked);
    ::close(fd);
    LoadedPlugin p;
    p.manifest = m;
    p.handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!p.handle) {
      const char* e = ::dlerror();
      return fail(h, ErrorCode::kFileUnreadable,
                  who + ": cannot load " + path + ": " + (e ? e : "?"));
    }
    struct stat after {};
    if (::stat(path.c_str(), &after) != 0 || after.st_dev != checked.st_dev ||
        after.st_ino != checked.st_ino) {
      ::dlclose(p.handle);
      return fail(h, ErrorCode::kFileUnreadable,
                  who + ": " + path + " changed while it was being loaded");
    }
    auto entry =
        reinterpret_cast<liseur_plugin_entry_fn>(::dlsym(p.handle, LISEUR_PLUGIN_ENTRY_SYMBOL));
    std::string problem;
    if (!entry) {
      problem = path + " has no " LISEUR_PLUGIN_ENTRY_SYMBOL " (not a liseur plugin)";
    } else if (!(p.api = entry(LISEUR_PLUGIN_ABI_VERSION))) {
      problem = "refuses this host's ABI " + std::to_string(LISEUR_PLUGIN_ABI_VERSION);
    } else if (!LISEUR_HAS_FIELD(p.api, liseur_plugin, render)) {
      problem = "its liseur_plugin struct is too small (" + std::to_string(p.api->struct_size) +
                " bytes)";
    } else if (p.api->abi_version < 1 || p.api->abi_version > LISEUR_PLUGIN_ABI_VERSION) {
      problem = "built for ABI " + std::to_string(p.api->abi_version);
    } else if (!p.api->id || id != p.api->id) {
      problem = std::string("the library calls itself '") + (p.api->id ? p.api->id : "") + "'";
    } else if (!p.api->create) {
      problem = "it has no create function";
    } else if ((p.api->adapt != nullptr) != m.hasHook("adapt") ||
               (p.api->speak != nullptr) != m.hasHook("speak") ||
               (p.api->render != nullptr) != m.hasHook("render")) {
      problem = "the hooks of the library differ from those of its manifest";
    }
    if (!problem.empty()) {
      ::dlclose(p.handle);
      return fail(h, ErrorCode::kConfigInvalid, who + ": " + problem);
    }
    const std::string optText = options->dump();
    OutputBuffer err(4096);
    liseur_status st = p.api->create(optText.data(), optText.size(), &p.instance, &err.c);
    if (st != LISEUR_OK) {
      ::dlclose(p.handle);
      return fail(
          h, st == LISEUR_ERR_INVALID_OPTIONS ? ErrorCode::kConfigInvalid : ErrorCode::kInternal,
          who + ": create failed (" + statusName(st) + "): " + err.error);
    }
    if (auto old = loaded_.find(id); old != loaded_.end()) unload(old->second);
    loaded_[id] = p;
    loadErrors_.erase(id);
    spdlog::debug("loaded plugin {} {} from {}", id, m.version, info->dir);
    reply({{"ev", "loaded"},
           {"call", h["call"]},
           {"plugin", id},
           {"version", m.version},
           {"hooks", m.hooks}});
  }

  void call(const json& h, const std::string& request) {
    const std::string id = h["plugin"];
    const std::string hook = h.value("hook", "");
    const std::string who = "plugin '" + id + "'";
    auto it = loaded_.find(id);
    if (it == loaded_.end()) {
      auto why = loadErrors_.find(id);
      return fail(h, ErrorCode::kInvalidArgument,
                  who + " is not loaded" + (why == loadErrors_.end() ? "" : ": " + why->second));
    }
    LoadedPlugin& p = it->second;
    liseur_hook_fn fn = hook == "adapt"    ? p.api->adapt
                        : hook == "speak"  ? p.api->speak
                        : hook == "render" ? p.api->render
                                           : nullptr;
    if (!fn) return fail(h, ErrorCode::kInvalidArgument, who + " has no " + hook + " hook");
    std::size_t max = lp::kDefaultMaxOutput;
    if (h.contains("max_output") && h["max_output"].is_number_unsigned())
      max = std::min<std::size_t>(h["max_output"].get<std::size_t>(), lp::kMaxOutputLimit);
    OutputBuffer out(max);
    liseur_status st = fn(p.instance, request.data(), request.size(), &out.c);
    if (out.overflow)
      return fail(
          h, ErrorCode::kFileTooLarge,
          who + ": " + hook + " wrote more than the " + std::to_string(max) + "-byte limit");
    if (st != LISEUR_OK)
      return fail(
          h, st == LISEUR_ERR_INVALID_INPUT ? ErrorCode::kInvalidArgument : ErrorCode::kInternal,
          who + ": " + hook + " failed (" + statusName(st) + ")" +
              (out.error.empty() ? "" : ": " + out.error));
    reply({{"ev", "result"}, {"call", h["call"]}, {"plugin", id}}, out.data);
  }

  int fd_;
  std::vector<std::string> dirs_;
  std::map<std::string, LoadedPlugin> loaded_;
  std::map<std::string, std::string> loadErrors_;  // why a plugin is not loaded
};

}  // namespace

int main(int argc, char** argv) {
  liseur::initLogging("plugin-host");
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--plugin-dir" && i + 1 < argc) {
      dirs.push_back(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: liseur-plugin-host [--plugin-dir DIR]...\n");
      return 2;
    }
  }
  const int fd = liseur::workerFdFromEnv();
  if (fd < 0) {
    std::fprintf(
        stderr,
        "liseur-plugin-host: LISEUR_WORKER_FD is not set; this program is started by liseurd\n");
    return 2;
  }
  // Plugins run here, on anyone's text: no network, no exec (core/sandbox.h).
  if (auto st = liseur::enterWorkerSandbox("plugin host"); !st) {
    spdlog::error("{}", st.error().message);
    return 1;
  }
  return Host(fd, std::move(dirs)).run();
}
