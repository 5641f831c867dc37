// The configuration schema, in code: every key liseur understands, with its type, default,
// range or choices, a one-line help and whether an administrator may lock it.
//
// Key names ("speech.rate") are stable API: files, the IPC, the CLI and plugins use them. A key
// is "section.name"; the only open family is "plugins.options.<plugin-id>", a free-form table
// handed to the plugin as JSON. The schema is built once, immutable, and safe to read from any
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_value.h"

namespace liseur::config {

enum class ValueType { kBool, kInt, kDouble, kString, kStringList, kEnum, kTable };
std::string_view valueTypeName(ValueType type);  // "bool", "int", "double", "string", ...

// Where a key may be written.
enum class KeyScope {
  kAny,          // liseur.toml files and profiles
  kMainOnly,     // liseur.toml only (for example daemon.profile: which profile is active)
  kProfileOnly,  // profiles only (profile.name, profile.description)
};

// Extra checks on a string (or on each item of a string list) beyond the type.
enum class TextCheck {
  kNone,
  kHotkey,        // "Ctrl+Alt+Shift+W": modifiers Ctrl, Alt, Shift, Super then one key; "" = off
  kColour,        // a colour name (see colourNames()) or #rgb / #rrggbb
  kOcrLanguages,  // Tesseract codes joined by '+': "eng+fra"
  kVoice,         // an espeak-ng voice name: letters, digits, '-', '_', '+', '/'
  kPluginId,      // lower-case letters, digits and '-'
  kProfileName,   // a profile name (see isValidProfileName)
};

struct KeySpec {
  std::string key;  // "speech.rate"; "plugins.options.*" for the open family
  ValueType type = ValueType::kString;
  Value defaultValue;
  std::optional<double> min;  // int and double: inclusive range
  std::optional<double> max;
  std::vector<std::string> choices;   // enum: the allowed values
  std::vector<std::int64_t> allowed;  // int: when not empty, the only allowed values
  TextCheck check = TextCheck::kNone;
  std::size_t maxItems = 0;  // string list: 0 = no limit
  std::string help;          // one line, English
  bool lockable = true;
  KeyScope scope = KeyScope::kAny;

  bool isPattern() const { return !key.empty() && key.back() == '*'; }
  // "80..450", "auto|block|line", "0|1|3|5" or "" when unconstrained.
  std::string constraintText() const;
  // What a value must look like, for error messages: "an integer from 80 to 450".
  std::string expectedText() const;
};

class ConfigSchema {
 public:
  // The one schema of this build.
  static const ConfigSchema& instance();

  const std::vector<KeySpec>& keys() const { return keys_; }
  // The spec for a concrete key ("plugins.options.syllables" matches "plugins.options.*");
  // nullptr when unknown.
  const KeySpec* find(std::string_view key) const;
  // True when `prefix` is a table that holds keys ("speech", "plugins", "plugins.options").
  bool isSection(std::string_view prefix) const;
  // Section names in schema order: profile, daemon, audio, ocr, speech, plugins, view, hotkeys.
  const std::vector<std::string>& sections() const { return sections_; }
  // Concrete key names (patterns excluded), in schema order: candidates for "did you mean".
  std::vector<std::string> keyNames() const;

  // Checks `value` (already of the right alternative) against range, choices and text checks.
  // Returns an empty string when valid, else what was expected ("one of none|some|all").
  // `suggestion` receives the nearest valid choice for a misspelt enum value or modifier.
  std::string validate(const KeySpec& spec, const Value& value, std::string* suggestion) const;

 private:
  ConfigSchema();
  std::vector<KeySpec> keys_;
  std::vector<std::string> sections_;
};

// `liseur config schema`: one line per key (key, type, default, range/choices, lockable, help).
std::string schemaTable();
// `liseur config schema --json`: {"version":1,"keys":[{"key","type","default","min","max",
// "choices","help","lockable","scope"}...]}
nlohmann::json schemaJson();

// Colour names accepted by view.* colour keys.
const std::vector<std::string>& colourNames();
// Profile names: 1..64 chars of [a-z0-9._-], starting with a letter or digit. Never a path.
bool isValidProfileName(std::string_view name);

}  // namespace liseur::config
