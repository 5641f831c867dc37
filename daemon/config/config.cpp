#include "config/config.h"

#include <fmt/format.h>

#include <cassert>

#include "config/config_schema.h"

namespace liseur::config {
namespace {

template <typename T>
const T& typed(const std::map<std::string, Setting, std::less<>>& settings, std::string_view key) {
  static const T zero{};
  auto it = settings.find(key);
  if (it == settings.end() || !std::holds_alternative<T>(it->second.value)) {
    assert(false && "Config: unknown key or wrong type");
    return zero;
  }
  return std::get<T>(it->second.value);
}

}  // namespace

std::string Origin::toString() const {
  switch (kind) {
    case Kind::kDefault:
      return "default";
    case Kind::kRuntime:
      return "runtime";
    case Kind::kFile:
      return at.line > 0 ? fmt::format("{}:{}", file, at.line) : file;
  }
  return "default";
}

Config::Config() {
  for (const auto& spec : ConfigSchema::instance().keys())
    if (!spec.isPattern()) settings_[spec.key] = Setting{spec.defaultValue, Origin{}};
}

const Setting* Config::find(std::string_view key) const {
  auto it = settings_.find(key);
  return it == settings_.end() ? nullptr : &it->second;
}

bool Config::getBool(std::string_view key) const {
  return typed<bool>(settings_, key);
}
std::int64_t Config::getInt(std::string_view key) const {
  return typed<std::int64_t>(settings_, key);
}
double Config::getDouble(std::string_view key) const {
  return typed<double>(settings_, key);
}
const std::string& Config::getString(std::string_view key) const {
  return typed<std::string>(settings_, key);
}
const StringList& Config::getStringList(std::string_view key) const {
  return typed<StringList>(settings_, key);
}

nlohmann::json Config::pluginOptions(std::string_view pluginId) const {
  auto it = settings_.find("plugins.options." + std::string(pluginId));
  if (it == settings_.end() || !std::holds_alternative<nlohmann::json>(it->second.value))
    return nlohmann::json::object();
  return std::get<nlohmann::json>(it->second.value);
}

const Lock* Config::lockOf(std::string_view key) const {
  auto it = locks_.find(key);
  return it == locks_.end() ? nullptr : &it->second;
}

nlohmann::json Config::toJson() const {
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [k, s] : settings_)
    settings[k] = {{"value", valueToJson(s.value)}, {"origin", s.origin.toString()}};
  nlohmann::json locks = nlohmann::json::object();
  for (const auto& [k, l] : locks_) locks[k] = l.toString();
  return {{"profile", {{"name", profileName_}, {"file", profileFile_}}},
          {"settings", std::move(settings)},
          {"locks", std::move(locks)}};
}

std::string Config::toText() const {
  std::size_t width = 0;
  std::vector<std::pair<std::string, std::string>> lines;
  for (const auto& [k, s] : settings_) {
    lines.emplace_back(k + " = " + formatValueToml(s.value), s.origin.toString());
    width = std::max(width, lines.back().first.size());
  }
  std::string out;
  for (const auto& [left, origin] : lines) {
    std::string key = left.substr(0, left.find(' '));
    const Lock* lock = lockOf(key);
    out += fmt::format("{:<{}}  # {}{}\n", left, width, origin,
                       lock ? " (locked by " + lock->toString() + ")" : "");
  }
  return out;
}

}  // namespace liseur::config
