#include "plugins/plugin_manifest.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

namespace liseur::plugins {
namespace {

using nlohmann::json;

Error bad(const std::string& member, const std::string& expected) {
  return makeError(ErrorCode::kConfigInvalid, "manifest: " + member + ": expected " + expected);
}

bool typeMatches(const std::string& type, const json& v) {
  if (type == "bool") return v.is_boolean();
  if (type == "int") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "string-list") {
    if (!v.is_array()) return false;
    for (const auto& e : v)
      if (!e.is_string()) return false;
    return true;
  }
  return false;
}

std::string typeDescription(const std::string& type) {
  if (type == "bool") return "true or false";
  if (type == "int") return "an integer";
  if (type == "number") return "a number";
  if (type == "string") return "a string";
  return "a list of strings";
}

// Checks a value against an option's type, range and choices; "" when it fits.
std::string checkValue(const OptionSpec& o, const json& v) {
  if (!typeMatches(o.type, v)) return "expected " + typeDescription(o.type);
  if (v.is_number()) {
    double d = v.get<double>();
    if ((o.min && d < *o.min) || (o.max && d > *o.max)) {
      std::ostringstream s;
      s << "expected a value in " << (o.min ? *o.min : -1e308) << ".." << (o.max ? *o.max : 1e308);
      return s.str();
    }
  }
  if (!o.choices.empty() && v.is_string()) {
    for (const auto& c : o.choices)
      if (c == v.get<std::string>()) return "";
    std::string all;
    for (const auto& c : o.choices) all += (all.empty() ? "" : ", ") + c;
    return "expected one of " + all;
  }
  return "";
}

}  // namespace

bool Manifest::hasHook(std::string_view hook) const {
  for (const auto& h : hooks)
    if (h == hook) return true;
  return false;
}

bool isValidPluginId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] < 'a' || id[0] > 'z') return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

Result<Manifest> parseManifest(const json& j) {
  if (!j.is_object()) return bad("$", "a JSON object");
  Manifest m;
  auto str = [&](const char* key, std::string& out, bool required) -> std::optional<Error> {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) return bad(key, "a string (missing)");
      return std::nullopt;
    }
    if (!it->is_string()) return bad(key, "a string");
    out = it->get<std::string>();
    return std::nullopt;
  };
  auto fmt = j.find("manifest");
  if (fmt == j.end() || !fmt->is_number_integer() || fmt->get<int>() != kManifestFormat)
    return bad("manifest", "the manifest format version " + std::to_string(kManifestFormat));
  if (auto e = str("id", m.id, true)) return *e;
  if (!isValidPluginId(m.id))
    return bad("id", "lower-case letters, digits and '-' (found '" + m.id + "')");
  if (auto e = str("version", m.version, true)) return *e;
  if (auto e = str("description", m.description, false)) return *e;
  if (auto e = str("library", m.library, false)) return *e;
  if (m.library.empty()) m.library = m.id + ".so";
  if (m.library.find('/') != std::string::npos || m.library == "." || m.library == "..")
    return bad("library", "a file name in the plugin's folder");
  auto abi = j.find("abi");
  if (abi == j.end() || !abi->is_number_integer()) return bad("abi", "an integer");
  // Compared as the JSON's own 64-bit number: 4294967297 must not wrap to a supported 1.
  const long long wanted = abi->is_number_unsigned() && abi->get<unsigned long long>() > INT32_MAX
                               ? INT32_MAX + 1ll
                               : abi->get<long long>();
  m.abi = wanted > INT32_MAX ? -1 : static_cast<int>(std::max<long long>(wanted, INT32_MIN));
  if (wanted < 1 || wanted > kHostAbi)
    return bad("abi", "an ABI version this liseur supports (1.." + std::to_string(kHostAbi) +
                          ", found " + abi->dump() + ")");
  auto hooks = j.find("hooks");
  if (hooks == j.end() || !hooks->is_array() || hooks->empty())
    return bad("hooks", "a non-empty list of adapt, speak, render");
  for (const auto& h : *hooks) {
    if (!h.is_string() || (h != "adapt" && h != "speak" && h != "render"))
      return bad("hooks", "a non-empty list of adapt, speak, render (found " + h.dump() + ")");
    m.hooks.push_back(h.get<std::string>());
  }
  if (auto opts = j.find("options"); opts != j.end()) {
    if (!opts->is_object()) return bad("options", "an object");
    for (const auto& [name, spec] : opts->items()) {
      const std::string path = "options." + name;
      if (!spec.is_object()) return bad(path, "an object");
      OptionSpec o;
      o.name = name;
      auto t = spec.find("type");
      if (t == spec.end() || !t->is_string() ||
          (*t != "bool" && *t != "int" && *t != "number" && *t != "string" && *t != "string-list"))
        return bad(path + ".type", "one of bool, int, number, string, string-list");
      o.type = t->get<std::string>();
      if (auto h = spec.find("help"); h != spec.end() && h->is_string())
        o.help = h->get<std::string>();
      for (const char* k : {"min", "max"}) {
        auto it = spec.find(k);
        if (it == spec.end()) continue;
        if (!it->is_number()) return bad(path + "." + k, "a number");
        (std::string(k) == "min" ? o.min : o.max) = it->get<double>();
      }
      if (auto c = spec.find("choices"); c != spec.end()) {
        if (!c->is_array() || c->empty())
          return bad(path + ".choices", "a non-empty list of strings");
        for (const auto& e : *c) {
          if (!e.is_string()) return bad(path + ".choices", "a non-empty list of strings");
          o.choices.push_back(e.get<std::string>());
        }
      }
      auto d = spec.find("default");
      if (d == spec.end()) return bad(path + ".default", "a value (missing)");
      o.def = *d;
      if (std::string why = checkValue(o, o.def); !why.empty())
        return bad(path + ".default", why.substr(9));
      m.options.push_back(std::move(o));
    }
  }
  return m;
}

Result<Manifest> readManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kFileNotFound, path + ": cannot be read");
  std::string text;
  text.resize(256 * 1024 + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > 256 * 1024)
    return makeError(ErrorCode::kFileTooLarge, path + ": larger than 256 KiB");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return makeError(ErrorCode::kConfigInvalid, path + ": not valid JSON");
  auto m = parseManifest(j);
  if (!m) return makeError(ErrorCode::kConfigInvalid, path + ": " + m.error().message);
  return m;
}

Result<json> resolveOptions(const Manifest& m, const json& given) {
  if (!given.is_null() && !given.is_object())
    return makeError(ErrorCode::kConfigInvalid, "plugin '" + m.id + "': options: expected a table");
  json out = json::object();
  for (const auto& o : m.options) out[o.name] = o.def;
  if (given.is_null()) return out;
  for (const auto& [name, v] : given.items()) {
    const OptionSpec* spec = nullptr;
    for (const auto& o : m.options)
      if (o.name == name) spec = &o;
    if (!spec)
      return makeError(ErrorCode::kConfigInvalid,
                       "plugin '" + m.id + "': unknown option '" + name + "'");
    if (std::string why = checkValue(*spec, v); !why.empty())
      return makeError(ErrorCode::kConfigInvalid, "plugin '" + m.id + "': option '" + name +
                                                      "': " + why + " (found " + v.dump() + ")");
    out[name] = v;
  }
  return out;
}

json toJson(const Manifest& m) {
  json opts = json::object();
  for (const auto& o : m.options) {
    json spec{{"type", o.type}, {"default", o.def}, {"help", o.help}};
    if (!o.choices.empty()) spec["choices"] = o.choices;
    if (o.min) spec["min"] = *o.min;
    if (o.max) spec["max"] = *o.max;
    opts[o.name] = std::move(spec);
  }
  return json{{"manifest", kManifestFormat},  {"id", m.id},
              {"version", m.version},         {"abi", m.abi},
              {"library", m.library},         {"hooks", m.hooks},
              {"description", m.description}, {"options", std::move(opts)}};
}

}  // namespace liseur::plugins
