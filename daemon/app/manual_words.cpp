// `liseur __complete KIND`: what the shells' completion asks of liseur at completion time. It
// reads only directories and the schema (no daemon, no espeak-ng): completion must stay instant.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "app/manual.h"
#include "config/config_schema.h"
#include "config/profile_manager.h"
#include "core/paths.h"

namespace liseur::app {
namespace {

namespace fs = std::filesystem;
namespace cfg = liseur::config;

std::vector<std::string> profiles() {
  std::vector<std::string> out;
  for (const auto& p : cfg::ProfileManager(cfg::ConfigDirs::standard()).list())
    out.push_back(p.name);
  return out;
}

// Voice presets (dataDir()/voices/NAME.toml), then the espeak-ng voices installed here (the file
// names under espeak-ng-data/lang, lower-cased as the configuration spells them: "fr-be").
std::vector<std::string> voices() {
  std::set<std::string> presets, espeak;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dataDir() + "/voices", ec))
    if (e.path().extension() == ".toml") presets.insert(e.path().stem().string());
  std::string data;
  if (const char* env = std::getenv("ESPEAK_DATA_PATH"); env && *env)
    data = std::string(env) + "/espeak-ng-data";
#ifdef LISEUR_ESPEAK_DATA_DIR
  if (data.empty() || !fs::is_directory(data, ec)) data = LISEUR_ESPEAK_DATA_DIR;
#endif
  if (!data.empty())
    for (auto it = fs::recursive_directory_iterator(data + "/lang", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (!presets.count(name)) espeak.insert(name);
    }
  std::vector<std::string> out(presets.begin(), presets.end());
  out.insert(out.end(), espeak.begin(), espeak.end());
  return out;
}

std::vector<std::string> keys() {
  std::vector<std::string> out;
  for (const auto& k : cfg::ConfigSchema::instance().keys())
    if (!k.isPattern() && k.scope != cfg::KeyScope::kMainOnly) out.push_back(k.key);
  return out;
}

std::vector<std::string> values(std::string_view key) {
  const cfg::KeySpec* spec = cfg::ConfigSchema::instance().find(key);
  if (!spec) return {};
  switch (spec->type) {
    case cfg::ValueType::kBool:
      return {"true", "false"};
    case cfg::ValueType::kEnum:
      return spec->choices;
    case cfg::ValueType::kInt: {
      std::vector<std::string> out;
      for (auto a : spec->allowed) out.push_back(std::to_string(a));
      return out;
    }
    case cfg::ValueType::kString:
      if (spec->check == cfg::TextCheck::kVoice) return voices();
      if (spec->check == cfg::TextCheck::kProfileName) return profiles();
      if (spec->check == cfg::TextCheck::kColour) return cfg::colourNames();
      return {};
    default:
      return {};
  }
}

}  // namespace

std::vector<std::string> completionWords(std::string_view kind, std::string_view arg) {
  if (kind == "profiles") return profiles();
  if (kind == "voices") return voices();
  if (kind == "keys") return keys();
  if (kind == "values") return values(arg);
  return {};
}

}  // namespace liseur::app
