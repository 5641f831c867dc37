// One problem found in a configuration file, with everything a person needs to fix it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace liseur::config {

enum class Severity {
  kError,    // the file is not applied (reload keeps the last good configuration)
  kWarning,  // applied, but something was ignored (for example a locked key)
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;        // path as given, or "runtime" / "command line"
  int line = 0;            // 1-based; 0 when the problem is not at a place in a file
  int column = 0;          // 1-based; 0 when unknown
  std::string key;         // "speech.rate", or "" for a syntax error
  std::string message;     // what is wrong, one phrase: "unknown key", "value out of range"
  std::string expected;    // what would be valid: "an integer from 80 to 450"
  std::string found;       // what is there: "500 (integer)"
  std::string suggestion;  // nearest valid key or value, or ""

  bool isError() const { return severity == Severity::kError; }
  // "FILE:LINE:COL: error: KEY: MESSAGE; expected EXPECTED, found FOUND (did you mean
  // 'SUGGESTION'?)", leaving out the parts that are empty.
  std::string toString() const;
  nlohmann::json toJson() const;
};

bool hasErrors(const std::vector<Diagnostic>& diagnostics);
// One line per diagnostic, errors and warnings.
std::string formatDiagnostics(const std::vector<Diagnostic>& diagnostics);
// A config-invalid Error whose message lists every diagnostic.
Error diagnosticsError(const std::vector<Diagnostic>& diagnostics);

}  // namespace liseur::config
