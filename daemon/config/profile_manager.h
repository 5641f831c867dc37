// Profile operations for `liseur profile ...` and the daemon: list, show, new, use, set, check,
// export, import. Profiles are TOML files NAME.toml in USER/profiles, SYSTEM/profiles and
// SHIPPED/profiles (see config_store.h for the layering and the locks). Settings are stored by
// key name and by value name (voice and language codes), never by position.
//
// Writes go to USER/profiles (or SYSTEM/profiles when asked, for administrators) through
// atomicWriteFile, after checking the result; shipped profiles are never written. Changing a
// shipped or system profile as a user writes a user copy with the same name, which then takes
// precedence (locks of a system profile still apply to it).
// Not thread-safe; each call reads the files afresh. No exceptions escape.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/atomic_file.h"
#include "config/config_store.h"
#include "config/diagnostic.h"
#include "core/result.h"

namespace liseur::config {

struct ProfileInfo {
  std::string name;
  std::string description;  // profile.description, "" when unset or unreadable
  std::string file;         // the file in use for this name
  ProfileSource source = ProfileSource::kShipped;
  bool shadowsOther = false;  // a user copy hides a system or shipped profile of the same name
  bool hasLocks = false;      // SYSTEM/profiles/NAME.toml locks keys
  bool valid = true;          // the file has no error (see check())
};

// Where a write goes.
enum class ProfileTarget { kUser, kSystem };

struct ImportOptions {
  std::string name;  // "" = the file's name without .toml
  ProfileTarget target = ProfileTarget::kUser;
  bool replace = false;  // overwrite an existing profile of that name in the target directory
};

class ProfileManager {
 public:
  explicit ProfileManager(ConfigDirs dirs, AtomicWriteOptions writeOptions = {});

  std::vector<ProfileInfo> list() const;

  // The effective configuration with NAME active (every value with its origin), or the errors.
  BuildResult show(std::string_view name) const;

  // Creates TARGET/profiles/NAME.toml from the profile TEMPLATE (any directory), with
  // profile.name set to NAME ([locks] of a system template are left out of a user copy).
  // Fails if NAME exists in the target directory or TEMPLATE is not found.
  Status create(std::string_view name, std::string_view templateName,
                ProfileTarget target = ProfileTarget::kUser);

  // Makes NAME the active profile: daemon.profile in USER/liseur.toml (written atomically).
  // Refused when NAME does not exist or daemon.profile is locked.
  Status use(std::string_view name);

  // Sets KEY to VALUE (typed as by a person) in profile NAME, checked against the schema and,
  // for a user write, against the locks; the rest of the file, comments included, is kept.
  Status set(std::string_view name, std::string_view key, std::string_view valueText,
             ProfileTarget target = ProfileTarget::kUser);

  // Every problem of FILE, checked as the kind of layer its place implies (liseur.toml or a
  // profile; under SYSTEM, locks allowed), or as `kind` when given.
  std::vector<Diagnostic> check(const std::string& file,
                                std::optional<LayerKind> kind = std::nullopt) const;

  // The text of profile NAME as stored (comments included); refused when it has errors.
  Result<std::string> exportText(std::string_view name) const;
  // exportText written atomically to `path`.
  Status exportTo(std::string_view name, const std::string& path) const;

  // Checks FILE and installs it as a profile; returns the installed name. Nothing is written
  // when the file has any error (the error lists them all).
  Result<std::string> importFile(const std::string& file, const ImportOptions& options = {});

  const ConfigDirs& dirs() const { return dirs_; }

 private:
  std::string targetDir(ProfileTarget target) const;
  LayerKind guessKind(const std::string& file) const;
  Status write(const std::string& dir, const std::string& path, const std::string& text) const;

  ConfigDirs dirs_;
  AtomicWriteOptions writeOptions_;
};

}  // namespace liseur::config
