#include "config/diagnostic.h"

#include <fmt/format.h>

namespace liseur::config {

std::string Diagnostic::toString() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    out += fmt::format(":{}", line);
    if (column > 0) out += fmt::format(":{}", column);
  }
  out += isError() ? ": error: " : ": warning: ";
  if (!key.empty()) out += key + ": ";
  out += message;
  if (!expected.empty()) out += "; expected " + expected;
  if (!found.empty()) out += (expected.empty() ? "; found " : ", found ") + found;
  if (!suggestion.empty()) out += " (did you mean '" + suggestion + "'?)";
  return out;
}

nlohmann::json Diagnostic::toJson() const {
  return {{"severity", isError() ? "error" : "warning"},
          {"file", file},
          {"line", line},
          {"column", column},
          {"key", key},
          {"message", message},
          {"expected", expected},
          {"found", found},
          {"suggestion", suggestion}};
}

bool hasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.isError()) return true;
  return false;
}

std::string formatDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.toString() + "\n";
  return out;
}

Error diagnosticsError(const std::vector<Diagnostic>& diagnostics) {
  std::string text = formatDiagnostics(diagnostics);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return Error{ErrorCode::kConfigInvalid, text};
}

}  // namespace liseur::config
