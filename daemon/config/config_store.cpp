#include "config/config_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "config/config_schema.h"
#include "config/suggestion.h"
#include "core/paths.h"

namespace liseur::config {
namespace fs = std::filesystem;

std::string lockedMessage(std::string_view key, const Lock& lock) {
  return fmt::format(
      "{} is locked by {} ([locks] keys); the person who manages this computer can change it "
      "there",
      key, lock.toString());
}

// Every file of one build, read and checked: kept by ConfigStore so that a runtime `set` is
// composed over the files of the last good reload without reading them again.
struct LoadedLayers {
  std::optional<ParsedLayer> systemMain;
  std::optional<ParsedLayer> userMain;
  std::optional<ParsedLayer> profile;
  std::optional<ParsedLayer> systemProfile;  // SYSTEM/profiles/NAME.toml when shadowed
  std::optional<ProfileLocation> where;
  Setting profileSetting;
  std::map<std::string, Lock, std::less<>> locks;
  std::vector<Diagnostic> diagnostics;
};

class ConfigBuilder {
 public:
  ConfigBuilder(const ConfigDirs& dirs, const BuildOptions& options)
      : dirs_(dirs), options_(options) {}

  std::shared_ptr<LoadedLayers> load() {
    auto layers = std::make_shared<LoadedLayers>();
    LoadedLayers& l = *layers;
    l.systemMain = readOptional(dirs_.systemMainFile(), LayerKind::kSystemMain);
    l.userMain = readOptional(dirs_.userMainFile(), LayerKind::kUserMain);

    // The profile name may itself be locked (an administrator pinning a pupil to a profile),
    // so the locks of SYSTEM/liseur.toml are known before choosing it.
    if (l.systemMain) addLocks(l.locks, *l.systemMain);
    l.profileSetting = Setting{std::string("default"), Origin{}};
    auto consider = [&](const ParsedLayer& layer, bool admin) {
      auto it = layer.settings.find("daemon.profile");
      if (it == layer.settings.end() || (!admin && l.locks.count("daemon.profile"))) return;
      l.profileSetting = Setting{it->second.value, fileOrigin(layer, it->second.at)};
    };
    if (l.systemMain) consider(*l.systemMain, true);
    if (l.userMain) consider(*l.userMain, false);
    if (options_.runtime && !l.locks.count("daemon.profile")) {
      auto it = options_.runtime->find("daemon.profile");
      if (it != options_.runtime->end()) l.profileSetting = Setting{it->second, runtimeOrigin()};
    }
    if (options_.profile) l.profileSetting = Setting{*options_.profile, runtimeOrigin()};
    const std::string profileName = std::get<std::string>(l.profileSetting.value);

    l.where = findProfile(dirs_, profileName);
    if (!l.where) {
      const Origin& o = l.profileSetting.origin;
      Diagnostic d;
      d.file = o.kind == Origin::Kind::kFile ? o.file : o.toString();
      d.line = o.at.line;
      d.column = o.at.column;
      d.key = "daemon.profile";
      d.message = "no profile named '" + profileName + "'";
      std::vector<std::string> names = profileNames(dirs_);
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : "|") + n;
      d.expected = "one of " + (list.empty() ? std::string("(no profile installed)") : list);
      d.found = quoteToml(profileName);
      d.suggestion = nearestMatch(profileName, names);
      diagnostics_.push_back(std::move(d));
    } else {
      l.profile = collect(parseLayerFile(l.where->file, l.where->source == ProfileSource::kSystem
                                                            ? LayerKind::kSystemProfile
                                                            : LayerKind::kProfile));
      if (l.where->source == ProfileSource::kSystem) {
        addLocks(l.locks, *l.profile);
      } else {
        std::string sys = dirs_.systemProfilesDir() + "/" + profileName + ".toml";
        std::error_code ec;
        if (fs::exists(fs::symlink_status(sys, ec))) {
          l.systemProfile = collect(parseLayerFile(sys, LayerKind::kSystemProfile));
          addLocks(l.locks, *l.systemProfile);
        }
      }
    }
    l.diagnostics = std::move(diagnostics_);
    diagnostics_.clear();
    return layers;
  }

  BuildResult compose(const LoadedLayers& l, const RuntimeSettings* runtime) {
    auto config = std::make_shared<Config>();
    diagnostics_ = l.diagnostics;
    config->locks_ = l.locks;
    config->profileName_ = std::get<std::string>(l.profileSetting.value);
    config->profileFile_ = l.where ? l.where->file : "";
    if (l.systemMain) apply(*config, *l.systemMain, true);
    if (l.systemProfile) applyLockedOnly(*config, *l.systemProfile);
    if (l.userMain) apply(*config, *l.userMain, false);
    if (l.profile) apply(*config, *l.profile, l.where->source == ProfileSource::kSystem);
    if (runtime) applyRuntime(*config, *runtime);
    config->settings_["daemon.profile"] = l.profileSetting;
    checkHotkeys(*config);

    BuildResult result;
    result.diagnostics = std::move(diagnostics_);
    if (!hasErrors(result.diagnostics)) result.config = std::move(config);
    return result;
  }

 private:
  std::optional<ParsedLayer> readOptional(const std::string& path, LayerKind kind) {
    std::error_code ec;
    // A missing optional layer is normal; anything else that exists (even a dangling symlink or
    // a directory) is read so that its problem is reported.
    if (!fs::exists(fs::symlink_status(path, ec))) return std::nullopt;
    return collect(parseLayerFile(path, kind));
  }

  ParsedLayer collect(ParsedLayer layer) {
    for (const auto& d : layer.diagnostics) diagnostics_.push_back(d);
    return layer;
  }

  static void addLocks(std::map<std::string, Lock, std::less<>>& locks, const ParsedLayer& layer) {
    for (const auto& l : layer.locks) locks.emplace(l.key, l);  // the first lock names the file
  }

  static Origin fileOrigin(const ParsedLayer& layer, Position at) {
    return Origin{Origin::Kind::kFile, layer.file, at};
  }
  static Origin runtimeOrigin() { return Origin{Origin::Kind::kRuntime, "", {}}; }

  void lockedWarning(const Config& config, const std::string& key, const Value& value,
                     const std::string& file, Position at) {
    const Lock& lock = *config.lockOf(key);
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.file = file;
    d.line = at.line;
    d.column = at.column;
    d.key = key;
    d.message = "ignored: " + lockedMessage(key, lock);
    d.expected = "no change to a locked key";
    d.found = describeValue(value);
    diagnostics_.push_back(std::move(d));
  }

  void apply(Config& config, const ParsedLayer& layer, bool admin) {
    for (const auto& [key, s] : layer.settings) {
      if (key == "daemon.profile") continue;  // decided above
      if (!admin && config.lockOf(key)) {
        lockedWarning(config, key, s.value, layer.file, s.at);
        continue;
      }
      config.settings_[key] = Setting{s.value, fileOrigin(layer, s.at)};
    }
  }

  void applyLockedOnly(Config& config, const ParsedLayer& layer) {
    for (const auto& [key, s] : layer.settings)
      if (config.lockOf(key)) config.settings_[key] = Setting{s.value, fileOrigin(layer, s.at)};
  }

  void applyRuntime(Config& config, const RuntimeSettings& runtime) {
    for (const auto& [key, value] : runtime) {
      if (key == "daemon.profile") continue;
      if (config.lockOf(key)) {
        lockedWarning(config, key, value, "runtime", {});
        continue;
      }
      config.settings_[key] = Setting{value, runtimeOrigin()};
    }
  }

  // Two actions on one chord would make one of them unreachable: an error at the later setting.
  void checkHotkeys(const Config& config) {
    std::map<std::string, std::string> byChord;
    for (const auto& [key, s] : config.settings()) {
      if (key.rfind("hotkeys.", 0) != 0) continue;
      const auto& chord = std::get<std::string>(s.value);
      if (chord.empty()) continue;
      std::string norm = normaliseChord(chord);
      auto [it, inserted] = byChord.emplace(norm, key);
      if (inserted) continue;
      const Setting& other = *config.find(it->second);
      // Report at whichever of the two a person wrote (a default cannot be edited).
      bool thisIsDefault = s.origin.kind == Origin::Kind::kDefault;
      const std::string& reportKey = thisIsDefault ? it->second : key;
      const Setting& reportAt = thisIsDefault ? other : s;
      const std::string& otherKey = thisIsDefault ? key : it->second;
      const Setting& otherAt = thisIsDefault ? s : other;
      Diagnostic d;
      d.file = reportAt.origin.kind == Origin::Kind::kFile ? reportAt.origin.file
                                                           : reportAt.origin.toString();
      d.line = reportAt.origin.at.line;
      d.column = reportAt.origin.at.column;
      d.key = reportKey;
      d.message = "same hotkey as " + otherKey + " (" + otherAt.origin.toString() + ")";
      d.expected = "a chord no other action uses, or \"\"";
      d.found = quoteToml(std::get<std::string>(reportAt.value));
      diagnostics_.push_back(std::move(d));
    }
  }

  static std::string normaliseChord(const std::string& chord) {
    std::vector<std::string> mods;
    std::size_t start = 0, plus;
    while ((plus = chord.find('+', start)) != std::string::npos) {
      std::string m = chord.substr(start, plus - start);
      for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      mods.push_back(m);
      start = plus + 1;
    }
    std::sort(mods.begin(), mods.end());
    std::string key = chord.substr(start);
    if (key.size() == 1)
      key[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(key[0])));
    std::string out;
    for (const auto& m : mods) out += m + "+";
    return out + key;
  }

  const ConfigDirs& dirs_;
  const BuildOptions& options_;
  std::vector<Diagnostic> diagnostics_;
};

ConfigDirs ConfigDirs::standard() {
  return ConfigDirs{"/etc/liseur", userConfigDir(), dataDir() + "/config"};
}

std::string_view profileSourceName(ProfileSource source) {
  switch (source) {
    case ProfileSource::kUser:
      return "user";
    case ProfileSource::kSystem:
      return "system";
    case ProfileSource::kShipped:
      return "shipped";
  }
  return "?";
}

std::optional<ProfileLocation> findProfile(const ConfigDirs& dirs, std::string_view name) {
  if (!isValidProfileName(name)) return std::nullopt;
  const std::pair<std::string, ProfileSource> places[] = {
      {dirs.userProfilesDir(), ProfileSource::kUser},
      {dirs.systemProfilesDir(), ProfileSource::kSystem},
      {dirs.shippedProfilesDir(), ProfileSource::kShipped}};
  for (const auto& [dir, source] : places) {
    std::string file = dir + "/" + std::string(name) + ".toml";
    std::error_code ec;
    if (fs::exists(fs::symlink_status(file, ec)))
      return ProfileLocation{std::string(name), file, source};
  }
  return std::nullopt;
}

std::vector<std::string> profileNames(const ConfigDirs& dirs) {
  std::set<std::string> names;
  for (const auto& dir :
       {dirs.userProfilesDir(), dirs.systemProfilesDir(), dirs.shippedProfilesDir()}) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (p.extension() != ".toml") continue;
      std::string stem = p.stem().string();
      if (isValidProfileName(stem)) names.insert(stem);
    }
  }
  return {names.begin(), names.end()};
}

namespace {

BuildResult internalError(const std::exception& e) {
  BuildResult r;
  Diagnostic d;
  d.message = std::string("internal error while reading the configuration: ") + e.what();
  r.diagnostics.push_back(std::move(d));
  return r;
}

// Reads and composes; `layersOut` receives the files read when the build succeeds.
BuildResult loadAndCompose(const ConfigDirs& dirs, const BuildOptions& options,
                           std::shared_ptr<const LoadedLayers>* layersOut) {
  try {
    ConfigBuilder builder(dirs, options);
    std::shared_ptr<LoadedLayers> layers = builder.load();
    BuildResult r = builder.compose(*layers, options.runtime);
    if (r.config && layersOut) *layersOut = std::move(layers);
    return r;
  } catch (const std::exception& e) {
    return internalError(e);
  }
}

}  // namespace

BuildResult buildConfig(const ConfigDirs& dirs, const BuildOptions& options) {
  try {
    return loadAndCompose(dirs, options, nullptr);
  } catch (const std::exception& e) {
    // bad_alloc or a filesystem surprise: report, never let it escape the library.
    return internalError(e);
  }
}

ConfigStore::ConfigStore(ConfigDirs dirs)
    : dirs_(std::move(dirs)), current_(std::make_shared<const Config>()) {}

ReloadReport ConfigStore::reload() {
  BuildOptions options;
  options.runtime = &runtime_;
  std::shared_ptr<const LoadedLayers> layers;
  BuildResult built = loadAndCompose(dirs_, options, &layers);
  ReloadReport report;
  report.diagnostics = std::move(built.diagnostics);
  if (!built.config) return report;
  // Runtime values that a new lock now refuses are dropped, so they do not come back if the
  // lock is lifted later without the person asking again.
  for (auto it = runtime_.begin(); it != runtime_.end();)
    it = built.config->lockOf(it->first) ? runtime_.erase(it) : std::next(it);
  std::lock_guard<std::mutex> lock(mutex_);
  layers_ = std::move(layers);
  current_ = std::move(built.config);
  ++generation_;
  report.applied = true;
  return report;
}

std::shared_ptr<const Config> ConfigStore::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::uint64_t ConfigStore::generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

Status ConfigStore::set(std::string_view key, std::string_view valueText) {
  Value value;
  if (auto d = parseValueText(key, valueText, &value, "runtime"))
    return makeError(ErrorCode::kConfigInvalid, d->toString());
  return setValue(key, std::move(value));
}

Status ConfigStore::setValue(std::string_view key, Value value) {
  const ConfigSchema& schema = ConfigSchema::instance();
  const KeySpec* spec = schema.find(key);
  if (!spec)
    return makeError(ErrorCode::kConfigInvalid,
                     unknownKeyDiagnostic(key, "runtime", {}).toString());
  if (spec->type == ValueType::kDouble && std::holds_alternative<std::int64_t>(value))
    value = static_cast<double>(std::get<std::int64_t>(value));
  std::string suggestion;
  if (std::string expected = schema.validate(*spec, value, &suggestion); !expected.empty()) {
    Diagnostic d;
    d.file = "runtime";
    d.key = std::string(key);
    d.message = "invalid value";
    d.expected = expected;
    d.found = describeValue(value);
    d.suggestion = suggestion;
    return makeError(ErrorCode::kConfigInvalid, d.toString());
  }
  if (spec->scope == KeyScope::kProfileOnly)
    return makeError(ErrorCode::kInvalidArgument,
                     std::string(key) + " describes a profile file and cannot be set at runtime");
  if (const Lock* lock = current()->lockOf(key))
    return makeError(ErrorCode::kConfigLocked, lockedMessage(key, *lock));
  RuntimeSettings next = runtime_;
  next[std::string(key)] = std::move(value);
  return applyRuntime(std::move(next), key == "daemon.profile");
}

Status ConfigStore::unset(std::string_view key) {
  auto it = runtime_.find(key);
  if (it == runtime_.end()) return okStatus();
  RuntimeSettings next = runtime_;
  next.erase(std::string(key));
  return applyRuntime(std::move(next), key == "daemon.profile");
}

void ConfigStore::clearRuntime() {
  if (runtime_.empty()) return;
  bool profileChanged = runtime_.count("daemon.profile") > 0;
  (void)applyRuntime({}, profileChanged);
}

Status ConfigStore::applyRuntime(RuntimeSettings next, bool rereadFiles) {
  // A runtime change is composed over the files of the last good reload, so a file being
  // edited (and perhaps broken) since then cannot make "faster" or "stop" fail. Switching
  // profile has to read the new profile, so it reads every file as a reload does.
  BuildOptions options;
  options.runtime = &next;
  BuildResult built;
  std::shared_ptr<const LoadedLayers> layers = layers_;
  if (rereadFiles || !layers) {
    built = loadAndCompose(dirs_, options, &layers);
  } else {
    try {
      built = ConfigBuilder(dirs_, options).compose(*layers, &next);
    } catch (const std::exception& e) {
      built = internalError(e);
    }
  }
  if (!built.config) return diagnosticsError(built.diagnostics);
  runtime_ = std::move(next);
  std::lock_guard<std::mutex> lock(mutex_);
  layers_ = std::move(layers);
  current_ = std::move(built.config);
  ++generation_;
  return okStatus();
}

}  // namespace liseur::config
