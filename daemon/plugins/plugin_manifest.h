// A plugin's manifest: manifest.json beside its library, read without loading the library.
//
//   {
//     "manifest": 1,                       // this format's version
//     "id": "large-print",                 // lower-case letters, digits and '-'; = folder name
//     "version": "0.1.0",
//     "abi": 1,                            // LISEUR_PLUGIN_ABI_VERSION the library was built for
//     "library": "large-print.so",         // optional, default ID.so, a plain file name
//     "hooks": ["render"],                 // a non-empty subset of adapt, speak, render
//     "description": "Large print ...",    // one line, English
//     "options": {                         // optional
//       "theme": {"type": "string", "default": "yellow-on-black",
//                 "choices": ["black-on-white", "white-on-black", "yellow-on-black"],
//                 "help": "Colours"},
//       "font_size_pt": {"type": "number", "default": 28, "min": 8, "max": 96, "help": "..."}
//     }
//   }
//
// Option types: "bool", "int", "number", "string", "string-list". "choices" (strings only) and
// "min"/"max" (numbers) are optional. Every error names the member ("options.theme.default:
// expected a string") so that `liseur plugins` can show it. Pure functions, any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur::plugins {

inline constexpr int kManifestFormat = 1;
// The ABI version this daemon's host speaks (= LISEUR_PLUGIN_ABI_VERSION).
inline constexpr int kHostAbi = 1;

struct OptionSpec {
  std::string name;
  std::string type;  // bool | int | number | string | string-list
  nlohmann::json def;
  std::vector<std::string> choices;
  std::optional<double> min, max;
  std::string help;
};

struct Manifest {
  std::string id;
  std::string version;
  int abi = 0;
  std::string library;  // file name in the plugin's folder
  std::vector<std::string> hooks;
  std::string description;
  std::vector<OptionSpec> options;

  bool hasHook(std::string_view hook) const;
};

// True for a valid plugin id: 1..64 of [a-z0-9-], starting with a letter.
bool isValidPluginId(std::string_view id);

// Checks and reads a parsed manifest. Errors are config-invalid and name the member.
Result<Manifest> parseManifest(const nlohmann::json& j);
// Reads and parses a manifest file (at most 256 KiB). Errors name the file.
Result<Manifest> readManifest(const std::string& path);

// The options a plugin gets: every declared option, from `given` when set there, else its
// default. A given option that is undeclared, of the wrong type, out of range or not among the
// choices is config-invalid, naming the plugin and the option.
Result<nlohmann::json> resolveOptions(const Manifest& manifest, const nlohmann::json& given);

nlohmann::json toJson(const Manifest& manifest);

}  // namespace liseur::plugins
