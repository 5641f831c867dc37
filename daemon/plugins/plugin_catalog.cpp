#include "plugins/plugin_catalog.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#ifndef LISEUR_PLUGINDIR
#define LISEUR_PLUGINDIR "/usr/lib/liseur/plugins"
#endif

namespace liseur::plugins {
namespace fs = std::filesystem;

namespace {

std::string modeString(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

Status checkStat(const struct stat& st, const std::string& path, bool directory) {
  if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
    return makeError(ErrorCode::kFileUnreadable,
                     path + ": refused: not a " + (directory ? "directory" : "regular file"));
  if (st.st_uid != ::getuid() && st.st_uid != 0)
    return makeError(
        ErrorCode::kFileUnreadable,
        path + ": refused: owned by uid " + std::to_string(st.st_uid) + ", neither you nor root");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return makeError(
        ErrorCode::kFileUnreadable,
        path + ": refused: group- or world-writable (mode " + modeString(st.st_mode) + ")");
  return okStatus();
}

// The build tree's plugin folder, when the running program lives inside that build tree: the
// same rule core/paths.h uses for shipped data.
std::optional<std::string> buildTreePluginDir() {
#ifdef LISEUR_BUILD_DIR_FOR_PLUGINS
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  std::string build = LISEUR_BUILD_DIR_FOR_PLUGINS;
  if (self.string().rfind(build + "/", 0) != 0) return std::nullopt;
  return build + "/lib/liseur/plugins";
#else
  return std::nullopt;
#endif
}

}  // namespace

std::vector<PluginDir> pluginSearchPath(const std::vector<std::string>& extraDirs) {
  std::vector<PluginDir> out;
  for (const auto& d : extraDirs)
    if (!d.empty()) out.push_back({d, "arg"});
  if (const char* env = std::getenv("LISEUR_PLUGIN_PATH"); env && *env) {
    std::string s = env;
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t colon = s.find(':', start);
      std::string part =
          s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!part.empty()) out.push_back({part, "env"});
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::string data;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x && x[0] == '/')
    data = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    data = std::string(h) + "/.local/share";
  if (!data.empty()) out.push_back({data + "/liseur/plugins", "user"});
  if (auto b = buildTreePluginDir()) out.push_back({*b, "build"});
  out.push_back({LISEUR_PLUGINDIR, "system"});
  return out;
}

Status checkTrustedPath(const std::string& path, bool directory) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    return makeError(err == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kFileUnreadable,
                     path + ": " + std::strerror(err));
  }
  return checkStat(st, path, directory);
}

Status checkTrustedFd(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return makeError(ErrorCode::kFileUnreadable, path + ": " + std::strerror(errno));
  return checkStat(st, path, false);
}

std::string_view pluginStateName(PluginState s) {
  switch (s) {
    case PluginState::kAvailable:
      return "available";
    case PluginState::kInvalid:
      return "invalid";
    case PluginState::kRefused:
      return "refused";
    case PluginState::kShadowed:
      return "shadowed";
  }
  return "invalid";
}

std::string PluginInfo::libraryPath() const {
  return dir + "/" + (manifest ? manifest->library : id + ".so");
}

PluginScan scanPlugins(const std::vector<PluginDir>& path) {
  PluginScan scan;
  std::set<std::string> seen;
  for (const auto& root : path) {
    std::error_code ec;
    if (!fs::exists(root.path, ec)) continue;
    if (auto s = checkTrustedPath(root.path, true); !s) {
      scan.problems.push_back(s.error());
      continue;
    }
    std::vector<std::string> ids;
    for (const auto& e : fs::directory_iterator(root.path, ec))
      if (e.is_directory(ec)) ids.push_back(e.path().filename().string());
    if (ec) {
      scan.problems.push_back(
          makeError(ErrorCode::kFileUnreadable, root.path + ": " + ec.message()));
      continue;
    }
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
      if (!isValidPluginId(id)) continue;  // not a plugin folder (".git", "CMakeFiles"...)
      PluginInfo info;
      info.id = id;
      info.dir = root.path + "/" + id;
      info.origin = root.origin;
      const bool shadowed = !seen.insert(id).second;
      auto m = readManifest(info.dir + "/manifest.json");
      if (m) info.manifest = *m;
      if (auto s = checkTrustedPath(info.dir, true); !s) {
        info.state = PluginState::kRefused;
        info.error = s.error();
      } else if (!m) {
        info.state = PluginState::kInvalid;
        info.error = m.error();
      } else if (m->id != id) {
        info.state = PluginState::kInvalid;
        info.error =
            makeError(ErrorCode::kConfigInvalid, info.dir + "/manifest.json: id '" + m->id +
                                                     "' differs from the folder name '" + id + "'");
      } else if (auto s1 = checkTrustedPath(info.dir + "/manifest.json", false); !s1) {
        info.state = PluginState::kRefused;
        info.error = s1.error();
      } else if (auto s2 = checkTrustedPath(info.libraryPath(), false); !s2) {
        info.state = s2.error().code == ErrorCode::kFileNotFound ? PluginState::kInvalid
                                                                 : PluginState::kRefused;
        info.error = s2.error();
      } else {
        info.state = PluginState::kAvailable;
      }
      if (shadowed) {
        info.state = PluginState::kShadowed;
        info.error = makeError(ErrorCode::kInvalidArgument, "shadowed by another plugin '" + id +
                                                                "' earlier in the search path");
      }
      scan.plugins.push_back(std::move(info));
    }
  }
  return scan;
}

PluginScan listPlugins(const std::vector<std::string>& extraDirs) {
  return scanPlugins(pluginSearchPath(extraDirs));
}

const PluginInfo* findPlugin(const PluginScan& scan, std::string_view id) {
  for (const auto& p : scan.plugins)
    if (p.id == id && p.state != PluginState::kShadowed) return &p;
  return nullptr;
}

nlohmann::json toJson(const PluginInfo& p) {
  nlohmann::json j{
      {"id", p.id}, {"dir", p.dir}, {"origin", p.origin}, {"state", pluginStateName(p.state)}};
  if (p.manifest) {
    j["version"] = p.manifest->version;
    j["hooks"] = p.manifest->hooks;
    j["description"] = p.manifest->description;
  }
  if (p.error) j["error"] = {{"code", p.error->name()}, {"message", p.error->message}};
  return j;
}

nlohmann::json toJson(const PluginScan& scan) {
  nlohmann::json plugins = nlohmann::json::array(), problems = nlohmann::json::array();
  for (const auto& p : scan.plugins) plugins.push_back(toJson(p));
  for (const auto& e : scan.problems)
    problems.push_back({{"code", e.name()}, {"message", e.message}});
  return {{"plugins", std::move(plugins)}, {"problems", std::move(problems)}};
}

std::string formatPluginList(const nlohmann::json& scan) {
  std::string out;
  const auto& plugins = scan.value("plugins", nlohmann::json::array());
  if (plugins.empty()) out += "no plugins installed\n";
  for (const auto& p : plugins) {
    std::string hooks;
    for (const auto& h : p.value("hooks", nlohmann::json::array()))
      hooks += (hooks.empty() ? "" : ",") + h.get<std::string>();
    out += p.value("id", "?") + " " + p.value("version", "-") + "  " + p.value("state", "?") +
           "  " + (hooks.empty() ? "-" : hooks) + "  " + p.value("dir", "") + "\n";
    if (p.contains("error")) out += "    " + p["error"].value("message", "") + "\n";
  }
  for (const auto& e : scan.value("problems", nlohmann::json::array()))
    out += "refused folder: " + e.value("message", "") + "\n";
  return out;
}

}  // namespace liseur::plugins
