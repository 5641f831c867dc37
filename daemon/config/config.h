// Config: one complete, checked, immutable configuration (every schema key has a value) and
// where each value came from. Built by ConfigStore / buildConfig (config_store.h); shared as
// std::shared_ptr<const Config>, so a reader keeps a consistent snapshot while a reload swaps
// in the next one. Read-only after construction: safe on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_parser.h"
#include "config/config_value.h"

namespace liseur::config {

struct Origin {
  enum class Kind { kDefault, kFile, kRuntime };
  Kind kind = Kind::kDefault;
  std::string file;  // kFile only
  Position at;       // kFile only

  // "default", "runtime", or "FILE:LINE".
  std::string toString() const;
};

struct Setting {
  Value value;
  Origin origin;
};

class Config {
 public:
  // Every schema key at its default (no plugin options), no locks, profile "default".
  Config();

  // nullptr for an unknown key (plugins.options.ID exists only when some file sets it).
  const Setting* find(std::string_view key) const;

  // Typed getters for schema keys. A key that is not in the schema, or asked with the wrong
  // type, is a bug: it asserts in debug builds and returns false / 0 / "" / {} otherwise.
  bool getBool(std::string_view key) const;
  std::int64_t getInt(std::string_view key) const;
  double getDouble(std::string_view key) const;
  const std::string& getString(std::string_view key) const;  // string and enum keys
  const StringList& getStringList(std::string_view key) const;
  // The options table of a plugin ({} when none is set).
  nlohmann::json pluginOptions(std::string_view pluginId) const;

  // All values, by key (includes every set plugins.options.ID).
  const std::map<std::string, Setting, std::less<>>& settings() const { return settings_; }
  // Keys locked by an administrator, with the file and line of the lock.
  const std::map<std::string, Lock, std::less<>>& locks() const { return locks_; }
  const Lock* lockOf(std::string_view key) const;

  // The active profile: its name and the file it was read from ("" when none was found, which
  // only happens for the built-in default config).
  const std::string& profileName() const { return profileName_; }
  const std::string& profileFile() const { return profileFile_; }

  // {"profile":{"name","file"},"settings":{KEY:{"value":..,"origin":".."}},"locks":{KEY:"FILE:LINE"}}
  nlohmann::json toJson() const;
  // One line per key: "speech.rate = 175    # default", for `liseur profile show`.
  std::string toText() const;

 private:
  friend class ConfigBuilder;
  std::map<std::string, Setting, std::less<>> settings_;
  std::map<std::string, Lock, std::less<>> locks_;
  std::string profileName_ = "default";
  std::string profileFile_;
};

}  // namespace liseur::config
