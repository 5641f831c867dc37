// Layered configuration: where files are, how layers combine, locks, and the live store.
//
// Layers, lowest first (a later layer overrides an earlier one, key by key):
//   1. built-in defaults (config_schema.h)
//   2. SYSTEM/liseur.toml                      (administrator; may hold [locks])
//   3. USER/liseur.toml                        (the person)
//   4. the active profile NAME.toml, the first found of USER/profiles, SYSTEM/profiles,
//      SHIPPED/profiles                        (may hold [locks] only when under SYSTEM)
//   5. runtime `set`                           (the person, until the daemon exits)
// SYSTEM is /etc/liseur, USER $XDG_CONFIG_HOME/liseur, SHIPPED dataDir()/config. The active
// profile's name is daemon.profile (set in a liseur.toml or at runtime; default "default").
//
// Locks. `[locks] keys = ["speech.rate", ...]` in SYSTEM/liseur.toml applies to every profile;
// in SYSTEM/profiles/NAME.toml it applies while NAME is active, even if the user has a copy of
// NAME in USER/profiles. A locked key keeps the value the administrator's layers give it
// (defaults, SYSTEM/liseur.toml, SYSTEM/profiles/NAME.toml). Any other layer that sets it is
// ignored with a warning naming the lock and its file; a runtime `set` of it is refused.
//
// Every value remembers its origin: "default", "FILE:LINE" or "runtime".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/config_parser.h"
#include "core/result.h"

namespace liseur::config {

struct ConfigDirs {
  std::string systemDir;   // /etc/liseur
  std::string userDir;     // $XDG_CONFIG_HOME/liseur
  std::string shippedDir;  // dataDir()/config (its liseur.toml is documentation, not a layer)

  // The real locations (reads the environment).
  static ConfigDirs standard();

  std::string systemMainFile() const { return systemDir + "/liseur.toml"; }
  std::string userMainFile() const { return userDir + "/liseur.toml"; }
  std::string systemProfilesDir() const { return systemDir + "/profiles"; }
  std::string userProfilesDir() const { return userDir + "/profiles"; }
  std::string shippedProfilesDir() const { return shippedDir + "/profiles"; }
};

enum class ProfileSource { kUser, kSystem, kShipped };
std::string_view profileSourceName(ProfileSource source);  // "user", "system", "shipped"

struct ProfileLocation {
  std::string name;
  std::string file;
  ProfileSource source = ProfileSource::kShipped;
};

// The file that `name` resolves to (user, then system, then shipped); nullopt when none exists
// or the name is not a valid profile name.
std::optional<ProfileLocation> findProfile(const ConfigDirs& dirs, std::string_view name);
// Every profile name found in the three directories, sorted, each once.
std::vector<std::string> profileNames(const ConfigDirs& dirs);

using RuntimeSettings = std::map<std::string, Value, std::less<>>;

struct BuildOptions {
  // Use this profile instead of daemon.profile (`liseur profile show NAME`).
  std::optional<std::string> profile;
  const RuntimeSettings* runtime = nullptr;
};

struct BuildResult {
  std::shared_ptr<const Config> config;  // null when there is any error
  std::vector<Diagnostic> diagnostics;   // every error and warning, layer by layer
  bool ok() const { return config != nullptr; }
};

// Reads every layer and builds the configuration. Never throws.
BuildResult buildConfig(const ConfigDirs& dirs, const BuildOptions& options = {});

struct ReloadReport {
  bool applied = false;                 // false: the previous configuration is still in use
  std::vector<Diagnostic> diagnostics;  // all errors and warnings found
};

// The daemon's live configuration. Owned and mutated by the main thread; current() may be
// called from any thread and returns a snapshot that stays valid while held.
struct LoadedLayers;  // the files of one build (config_store.cpp)

class ConfigStore {
 public:
  explicit ConfigStore(ConfigDirs dirs);

  // Re-reads every file. Applies the new configuration whole when there is no error; otherwise
  // keeps the last good one (the built-in defaults before the first success) and reports.
  ReloadReport reload();

  std::shared_ptr<const Config> current() const;
  // Bumped each time a new configuration is applied (reload or set).
  std::uint64_t generation() const;

  // Runtime `set KEY VALUE` (value typed as by a person, see parseValueText). Refused with
  // config-locked when the key is locked (the message names the key, the lock and its file),
  // config-invalid when the value is invalid or clashes (the message carries the diagnostic).
  // Composed over the files read by the last successful reload (files are not re-read), except
  // daemon.profile, which switches profile: every file is re-read, and the switch is refused if
  // any has errors.
  Status set(std::string_view key, std::string_view valueText);
  // The same with a typed value (for example "faster": the daemon computes the new rate). The
  // value must have the key's type (an int for a double key is accepted) and is checked against
  // the schema like a typed one.
  Status setValue(std::string_view key, Value value);
  // Removes one runtime value (no error when it was not set).
  Status unset(std::string_view key);
  void clearRuntime();
  const RuntimeSettings& runtime() const { return runtime_; }
  const ConfigDirs& dirs() const { return dirs_; }

 private:
  Status applyRuntime(RuntimeSettings next, bool rereadFiles);

  ConfigDirs dirs_;
  RuntimeSettings runtime_;
  mutable std::mutex mutex_;  // guards current_ and generation_
  std::shared_ptr<const Config> current_;
  std::shared_ptr<const LoadedLayers> layers_;  // of the last applied build; main thread only
  std::uint64_t generation_ = 0;
};

// The message of a refused change to a locked key: "speech.rate is locked by
// /etc/liseur/liseur.toml:3 ([locks] keys); ..."
std::string lockedMessage(std::string_view key, const Lock& lock);

}  // namespace liseur::config
