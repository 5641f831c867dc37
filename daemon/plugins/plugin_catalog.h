// Where plugins are installed, which ones may be loaded, and their manifests.
//
// A plugin is a folder DIR/ID/ holding manifest.json (plugin_manifest.h) and the library it
// names. The search path, first match of an id wins:
//   1. extra directories given by the caller (liseur-plugin-host --plugin-dir DIR: tests),
//   2. $LISEUR_PLUGIN_PATH, colon-separated (tests and development),
//   3. the user's $XDG_DATA_HOME/liseur/plugins (default ~/.local/share/liseur/plugins),
//   4. the build tree's plugin folder, only when the running program is in that build tree,
//   5. the system folder LISEUR_PLUGINDIR (e.g. /usr/lib/x86_64-linux-gnu/liseur/plugins).
//
// Trust rules (the library is code that runs as the user): the plugin root folder, the plugin's
// folder, its manifest and its library must each be owned by the user or by root and must not
// be group- or world-writable; the manifest and library must be regular files. Anything else is
// refused with a message naming the path and the reason. A missing root folder is not an error.
//
// Everything here only stats and reads small files: safe on the daemon's main thread for a
// handful of plugins (`liseur plugins`, configuring the chain). Any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "plugins/plugin_manifest.h"

namespace liseur::plugins {

struct PluginDir {
  std::string path;
  std::string origin;  // "arg", "env", "user", "build", "system"
};

// The search path in order (directories may not exist).
std::vector<PluginDir> pluginSearchPath(const std::vector<std::string>& extraDirs = {});

// Checks the trust rules for one path: `directory` selects folder or regular file. The error
// (file-unreadable, or file-not-found when missing) names the path and the reason.
Status checkTrustedPath(const std::string& path, bool directory);
// The same rules for an open file descriptor (used on the library after open(), so that the
// file checked is the file loaded).
Status checkTrustedFd(int fd, const std::string& pathForMessages);

enum class PluginState {
  kAvailable,  // manifest valid, files trusted: can be loaded
  kInvalid,    // the manifest is missing or has errors
  kRefused,    // a folder or file breaks the trust rules
  kShadowed,   // an earlier folder in the search path has the same id
};
std::string_view pluginStateName(PluginState state);

struct PluginInfo {
  std::string id;      // the folder name
  std::string dir;     // full path of the plugin's folder
  std::string origin;  // of its root folder
  PluginState state = PluginState::kInvalid;
  std::optional<Manifest> manifest;  // when it could be read
  std::optional<Error> error;        // why it is not available
  std::string libraryPath() const;
};

struct PluginScan {
  std::vector<PluginInfo> plugins;  // by search path order, then id
  std::vector<Error> problems;      // root folders that were refused or unreadable
};

PluginScan scanPlugins(const std::vector<PluginDir>& path);
// scanPlugins(pluginSearchPath()): what `liseur plugins` shows.
PluginScan listPlugins(const std::vector<std::string>& extraDirs = {});
// The first available-or-not entry for `id` that is not shadowed; nullptr when not installed.
const PluginInfo* findPlugin(const PluginScan& scan, std::string_view id);

// {"id","dir","origin","state","version","hooks","description","error"} for the IPC.
nlohmann::json toJson(const PluginInfo& info);
nlohmann::json toJson(const PluginScan& scan);
// The human-readable listing of `liseur plugins`: one line per plugin (id, version, state,
// hooks, folder), its error indented under it, then the refused folders. Takes the JSON of
// toJson(PluginScan) so that the CLI can print what the daemon sent.
std::string formatPluginList(const nlohmann::json& scan);

}  // namespace liseur::plugins
