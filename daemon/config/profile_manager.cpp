#include "config/profile_manager.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <filesystem>
#include <map>
#include <sstream>

#include "config/config_parser.h"
#include "config/config_schema.h"
#include "config/suggestion.h"
#include "config/toml_editor.h"
#include "config/toml_guard.h"

namespace liseur::config {
namespace fs = std::filesystem;
namespace {

Status invalidName(std::string_view name) {
  return makeError(ErrorCode::kInvalidArgument,
                   fmt::format("'{}' is not a valid profile name: use 1 to 64 of a-z 0-9 . _ - "
                               "(starting with a letter or digit)",
                               name));
}

Status notFound(const ConfigDirs& dirs, std::string_view name) {
  std::string msg = fmt::format("no profile named '{}'", name);
  std::string near = nearestMatch(name, profileNames(dirs));
  if (!near.empty()) msg += fmt::format(" (did you mean '{}'?)", near);
  return makeError(ErrorCode::kFileNotFound, msg);
}

// A user copy of a system profile must not carry its [locks]: they are only honoured under
// /etc, and the parser rightly rejects them elsewhere.
Result<std::string> withoutLocks(const std::string& text) {
  try {
    toml::table doc = parseToml(text);
    if (!doc.contains("locks")) return text;
    doc.erase("locks");
    std::ostringstream os;
    os << "# Copied from a system profile; its [locks] stay in /etc/liseur.\n" << doc << "\n";
    return os.str();
  } catch (const toml::parse_error& e) {
    return Result<std::string>::fail(
        ErrorCode::kConfigInvalid, std::string("not valid TOML: ") + std::string(e.description()));
  }
}

// The locks that apply to profile `name` for a person: SYSTEM/liseur.toml and
// SYSTEM/profiles/NAME.toml.
std::map<std::string, Lock> locksFor(const ConfigDirs& dirs, std::string_view name) {
  std::map<std::string, Lock> locks;
  std::error_code ec;
  for (const auto& [file, kind] :
       {std::pair{dirs.systemMainFile(), LayerKind::kSystemMain},
        std::pair{dirs.systemProfilesDir() + "/" + std::string(name) + ".toml",
                  LayerKind::kSystemProfile}}) {
    if (!fs::exists(fs::symlink_status(file, ec))) continue;
    for (const auto& l : parseLayerFile(file, kind).locks) locks.emplace(l.key, l);
  }
  return locks;
}

}  // namespace

ProfileManager::ProfileManager(ConfigDirs dirs, AtomicWriteOptions writeOptions)
    : dirs_(std::move(dirs)), writeOptions_(writeOptions) {}

std::string ProfileManager::targetDir(ProfileTarget target) const {
  return target == ProfileTarget::kSystem ? dirs_.systemProfilesDir() : dirs_.userProfilesDir();
}

Status ProfileManager::write(const std::string& dir, const std::string& path,
                             const std::string& text) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return makeError(ErrorCode::kConfigWriteFailed,
                     fmt::format("cannot create {}: {}", dir, ec.message()));
  return atomicWriteFile(path, text, writeOptions_);
}

std::vector<ProfileInfo> ProfileManager::list() const {
  std::vector<ProfileInfo> out;
  for (const auto& name : profileNames(dirs_)) {
    auto where = findProfile(dirs_, name);
    if (!where) continue;
    ProfileInfo info;
    info.name = name;
    info.file = where->file;
    info.source = where->source;
    ParsedLayer layer = parseLayerFile(where->file, where->source == ProfileSource::kSystem
                                                        ? LayerKind::kSystemProfile
                                                        : LayerKind::kProfile);
    info.valid = !layer.hasErrors();
    if (auto it = layer.settings.find("profile.description"); it != layer.settings.end())
      info.description = std::get<std::string>(it->second.value);
    std::error_code ec;
    if (where->source == ProfileSource::kUser)
      info.shadowsOther = fs::exists(dirs_.systemProfilesDir() + "/" + name + ".toml", ec) ||
                          fs::exists(dirs_.shippedProfilesDir() + "/" + name + ".toml", ec);
    const std::string systemFile = dirs_.systemProfilesDir() + "/" + name + ".toml";
    info.hasLocks = fs::exists(fs::symlink_status(systemFile, ec)) &&
                    !parseLayerFile(systemFile, LayerKind::kSystemProfile).locks.empty();
    out.push_back(std::move(info));
  }
  return out;
}

BuildResult ProfileManager::show(std::string_view name) const {
  BuildOptions options;
  options.profile = std::string(name);
  return buildConfig(dirs_, options);
}

Status ProfileManager::create(std::string_view name, std::string_view templateName,
                              ProfileTarget target) {
  if (!isValidProfileName(name)) return invalidName(name);
  auto from = findProfile(dirs_, templateName);
  if (!from) return notFound(dirs_, templateName);
  const std::string dir = targetDir(target);
  const std::string path = dir + "/" + std::string(name) + ".toml";
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec)))
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("profile '{}' already exists: {}", name, path));
  Result<std::string> text = readConfigFile(from->file);
  if (!text) return text.error();
  std::string content = *text;
  if (target == ProfileTarget::kUser) {
    Result<std::string> stripped = withoutLocks(content);
    if (!stripped) return stripped.error();
    content = *stripped;
  }
  Result<std::string> named = setTomlValue(content, "profile.name", Value(std::string(name)));
  if (!named) return named.error();
  return write(dir, path, *named);
}

Status ProfileManager::use(std::string_view name) {
  if (!isValidProfileName(name)) return invalidName(name);
  if (!findProfile(dirs_, name)) return notFound(dirs_, name);
  // daemon.profile can only be locked in SYSTEM/liseur.toml (it is a liseur.toml key).
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dirs_.systemMainFile(), ec)))
    for (const auto& lock : parseLayerFile(dirs_.systemMainFile(), LayerKind::kSystemMain).locks)
      if (lock.key == "daemon.profile")
        return makeError(ErrorCode::kConfigLocked, lockedMessage("daemon.profile", lock));
  const std::string path = dirs_.userMainFile();
  std::string text;
  if (fs::exists(fs::symlink_status(path, ec))) {
    Result<std::string> old = readConfigFile(path);
    if (!old) return old.error();
    text = *old;
  }
  Result<std::string> next = setTomlValue(text, "daemon.profile", Value(std::string(name)));
  if (!next) return next.error();
  return write(dirs_.userDir, path, *next);
}

Status ProfileManager::set(std::string_view name, std::string_view key, std::string_view valueText,
                           ProfileTarget target) {
  if (!isValidProfileName(name)) return invalidName(name);
  Value value;
  if (auto d = parseValueText(key, valueText, &value, "profile " + std::string(name)))
    return makeError(ErrorCode::kConfigInvalid, d->toString());
  const KeySpec* spec = ConfigSchema::instance().find(key);
  if (spec->scope == KeyScope::kMainOnly)
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} belongs in liseur.toml, not in a profile", key));
  if (target == ProfileTarget::kUser) {
    auto locks = locksFor(dirs_, name);
    if (auto it = locks.find(std::string(key)); it != locks.end())
      return makeError(ErrorCode::kConfigLocked, lockedMessage(key, it->second));
  }
  const std::string dir = targetDir(target);
  const std::string path = dir + "/" + std::string(name) + ".toml";
  std::string text;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) {
    Result<std::string> old = readConfigFile(path);
    if (!old) return old.error();
    text = *old;
  } else {
    // Copy on write: the first change to a shipped or system profile makes the target's copy.
    // An administrator's copy never starts from a user's file.
    std::optional<ProfileLocation> from = findProfile(dirs_, name);
    if (target == ProfileTarget::kSystem) {
      const std::string shipped = dirs_.shippedProfilesDir() + "/" + std::string(name) + ".toml";
      from.reset();
      if (fs::exists(fs::symlink_status(shipped, ec)))
        from = ProfileLocation{std::string(name), shipped, ProfileSource::kShipped};
    }
    if (!from) return notFound(dirs_, name);
    Result<std::string> old = readConfigFile(from->file);
    if (!old) return old.error();
    text = *old;
    if (target == ProfileTarget::kUser) {
      Result<std::string> stripped = withoutLocks(text);
      if (!stripped) return stripped.error();
      text = *stripped;
    }
  }
  Result<std::string> next = setTomlValue(text, key, value);
  if (!next) return next.error();
  // Errors already in the file elsewhere do not block this change (it makes nothing worse and
  // may be one step of fixing them); an error about this key, or a broken file, does.
  ParsedLayer checked = parseLayerText(
      *next, path,
      target == ProfileTarget::kSystem ? LayerKind::kSystemProfile : LayerKind::kProfile);
  std::vector<Diagnostic> blocking;
  for (const auto& d : checked.diagnostics)
    if (d.isError() && (d.key.empty() || d.key == key)) blocking.push_back(d);
  if (!blocking.empty()) return diagnosticsError(blocking);
  return write(dir, path, *next);
}

LayerKind ProfileManager::guessKind(const std::string& file) const {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(file, ec), ec);
  auto under = [&](const std::string& dir) {
    std::error_code e;
    fs::path d = fs::weakly_canonical(fs::absolute(dir, e), e);
    auto rel = p.lexically_relative(d);
    return !rel.empty() && rel.native().rfind("..", 0) != 0;
  };
  const bool main = p.filename() == "liseur.toml";
  if (under(dirs_.systemDir)) return main ? LayerKind::kSystemMain : LayerKind::kSystemProfile;
  return main ? LayerKind::kUserMain : LayerKind::kProfile;
}

std::vector<Diagnostic> ProfileManager::check(const std::string& file,
                                              std::optional<LayerKind> kind) const {
  return parseLayerFile(file, kind ? *kind : guessKind(file)).diagnostics;
}

Result<std::string> ProfileManager::exportText(std::string_view name) const {
  if (!isValidProfileName(name)) return invalidName(name).error();
  auto where = findProfile(dirs_, name);
  if (!where) return notFound(dirs_, name).error();
  Result<std::string> text = readConfigFile(where->file);
  if (!text) return text;
  ParsedLayer layer = parseLayerText(
      *text, where->file,
      where->source == ProfileSource::kSystem ? LayerKind::kSystemProfile : LayerKind::kProfile);
  if (layer.hasErrors()) return diagnosticsError(layer.diagnostics);
  return text;
}

Status ProfileManager::exportTo(std::string_view name, const std::string& path) const {
  Result<std::string> text = exportText(name);
  if (!text) return text.error();
  return atomicWriteFile(path, *text, writeOptions_);
}

Result<std::string> ProfileManager::importFile(const std::string& file,
                                               const ImportOptions& options) {
  using R = Result<std::string>;
  std::string name = options.name.empty() ? fs::path(file).stem().string() : options.name;
  if (!isValidProfileName(name)) return invalidName(name).error();
  Result<std::string> text = readConfigFile(file);
  if (!text) return text;
  const LayerKind kind =
      options.target == ProfileTarget::kSystem ? LayerKind::kSystemProfile : LayerKind::kProfile;
  ParsedLayer layer = parseLayerText(*text, file, kind);
  if (layer.hasErrors()) {
    Error e = diagnosticsError(layer.diagnostics);
    for (const auto& d : layer.diagnostics)
      if (d.key == "locks" && kind == LayerKind::kProfile) {
        e.message +=
            "\n(a profile with [locks] can only be installed as a system profile by "
            "an administrator)";
        break;
      }
    return e;
  }
  const std::string dir = targetDir(options.target);
  const std::string path = dir + "/" + name + ".toml";
  std::error_code ec;
  if (!options.replace && fs::exists(fs::symlink_status(path, ec)))
    return R::fail(ErrorCode::kInvalidArgument,
                   fmt::format("profile '{}' already exists: {} (import with replace, or give "
                               "another name)",
                               name, path));
  std::string content = *text;
  auto it = layer.settings.find("profile.name");
  if (it == layer.settings.end() || std::get<std::string>(it->second.value) != name) {
    Result<std::string> named = setTomlValue(content, "profile.name", Value(name));
    if (!named) return named.error();
    content = *named;
  }
  if (Status s = write(dir, path, content); !s) return s.error();
  return name;
}

}  // namespace liseur::config
