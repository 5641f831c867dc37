// Reads one configuration file (a layer) into checked settings, collecting every problem.
//
// A layer is a TOML file: tables named after the schema's sections ([speech], [view],
// [plugins.options.ID]...), keys as in the schema. Files under /etc may also hold
//
//     [locks]
//     keys = ["plugins.chain", "speech.rate"]
//
// which pins those keys to the value the administrator's files give them (see config_store.h).
// Parsing never throws and never stops at the first problem: every unknown key, wrong type,
// out-of-range value and misplaced key becomes a Diagnostic, and the valid settings are kept.
// A TOML syntax error stops toml++, so it is reported alone. Thread-safe (no shared state).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_value.h"
#include "config/diagnostic.h"
#include "core/result.h"

namespace liseur::config {

enum class LayerKind {
  kSystemMain,     // /etc/liseur/liseur.toml: [locks] allowed
  kUserMain,       // $XDG_CONFIG_HOME/liseur/liseur.toml
  kSystemProfile,  // /etc/liseur/profiles/NAME.toml: [locks] allowed
  kProfile,        // a user or shipped profile
};
bool isProfileKind(LayerKind kind);
bool allowsLocks(LayerKind kind);

// Where a setting was written.
struct Position {
  int line = 0;
  int column = 0;
};

struct FileSetting {
  Value value;
  Position at;
};

// A key pinned by an administrator.
struct Lock {
  std::string key;
  std::string file;
  Position at;
  std::string toString() const;  // "/etc/liseur/liseur.toml:3"
};

struct ParsedLayer {
  std::string file;
  LayerKind kind = LayerKind::kProfile;
  std::map<std::string, FileSetting> settings;  // only valid settings
  std::vector<Lock> locks;                      // only valid lock entries
  std::vector<Diagnostic> diagnostics;

  bool hasErrors() const { return config::hasErrors(diagnostics); }
};

// Largest configuration file read (a profile is a few hundred bytes).
inline constexpr std::size_t kMaxConfigFileBytes = 256 * 1024;

// Reads a configuration file safely: a regular file (symbolic links followed; no FIFO, device or
// directory), at most
// kMaxConfigFileBytes. Errors: file-not-found, not-a-regular-file, file-too-large,
// file-unreadable; the message names the file.
Result<std::string> readConfigFile(const std::string& path);

// Parses `text` as the layer `file` (the name used in diagnostics).
ParsedLayer parseLayerText(std::string_view text, const std::string& file, LayerKind kind);
// Reads and parses `path`; a missing, unreadable, non-regular or oversized file is one error
// diagnostic.
ParsedLayer parseLayerFile(const std::string& path, LayerKind kind);

// Parses a value typed by a person for `key` (CLI `set`, IPC `set`). The text is first read as a
// TOML value (175, true, "en-gb", ["a","b"], { x = 1 }); when that fails, a string or enum key
// takes the text as is, and a string list splits it on commas. Checks the key exists (with a
// suggestion) and the value against the schema. On failure returns the diagnostic (file
// `origin`, no line) and leaves `out` untouched.
std::optional<Diagnostic> parseValueText(std::string_view key, std::string_view text, Value* out,
                                         const std::string& origin = "command line");

// Diagnostic for an unknown key, with the nearest known key as suggestion.
Diagnostic unknownKeyDiagnostic(std::string_view key, const std::string& file, Position at);

}  // namespace liseur::config
