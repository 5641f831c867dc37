#include "config/toml_editor.h"

#include "config/toml_guard.h"

#include <toml++/toml.h>
#include <sstream>
#include <vector>

namespace liseur::config {
namespace {

std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

// toml++ columns count code points from 1; turn one into a byte offset in `line`.
std::size_t byteOffset(const std::string& line, std::size_t column) {
  std::size_t cp = 1, i = 0;
  while (i < line.size() && cp < column) {
    ++i;
    while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
    ++cp;
  }
  return i;
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

bool sameAsIntended(const std::string& candidate, const toml::table& intended) {
  try {
    return parseToml(candidate) == intended;
  } catch (const toml::parse_error&) {
    return false;
  }
}

}  // namespace

Result<std::string> setTomlValue(std::string_view text, std::string_view key, const Value& value) {
  const std::string keyStr(key);
  const std::size_t dot = keyStr.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == keyStr.size())
    return Result<std::string>::fail(ErrorCode::kInvalidArgument,
                                     "not a section.key name: " + keyStr);
  const std::string section = keyStr.substr(0, dot);
  const std::string leaf = keyStr.substr(dot + 1);
  const std::string literal = formatValueToml(value);
  try {
    toml::table doc = parseToml(text);
    // The document as it must read after the edit, built from a parsed one-line snippet so the
    // node has exactly the type the literal spells.
    toml::table snippet = parseToml("v = " + literal);
    toml::table intended = doc;
    {
      toml::table* parent = &intended;
      std::size_t start = 0;
      while (start < section.size()) {
        std::size_t d = section.find('.', start);
        std::string part =
            section.substr(start, d == std::string::npos ? std::string::npos : d - start);
        toml::node* child = parent->get(part);
        if (!child) child = &parent->insert_or_assign(part, toml::table{}).first->second;
        if (!child->is_table())
          return Result<std::string>::fail(ErrorCode::kConfigInvalid,
                                           part + " is not a table in this file");
        parent = child->as_table();
        start = d == std::string::npos ? section.size() : d + 1;
      }
      toml::node* existing = parent->get(leaf);
      if (existing && existing->is_table() && !snippet.get("v")->is_table())
        return Result<std::string>::fail(ErrorCode::kConfigInvalid,
                                         keyStr + " is a table in this file, not a value");
      parent->insert_or_assign(leaf, *snippet.get("v"));
    }

    std::vector<std::string> lines = splitLines(text);
    std::string candidate;
    if (const toml::node* node = doc.at_path(keyStr).node()) {
      const auto& src = node->source();
      if (src.begin.line == src.end.line && src.begin.line >= 1 && src.begin.line <= lines.size()) {
        std::string& line = lines[src.begin.line - 1];
        std::size_t b = byteOffset(line, src.begin.column);
        std::size_t e = byteOffset(line, src.end.column);
        line.replace(b, e - b, literal);
        candidate = joinLines(lines);
      }
    } else if (const toml::node* table = doc.at_path(section).node(); table && table->is_table()) {
      const auto line = table->source().begin.line;
      if (line >= 1 && line <= lines.size() &&
          trim(lines[line - 1]).rfind("[" + section + "]", 0) == 0) {
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(line), leaf + " = " + literal);
        candidate = joinLines(lines);
      }
    } else {
      candidate = std::string(text);
      if (!candidate.empty() && candidate.back() != '\n') candidate += '\n';
      candidate += "\n[" + section + "]\n" + leaf + " = " + literal + "\n";
    }
    if (!candidate.empty() && sameAsIntended(candidate, intended)) return candidate;

    // Fallback: the whole document from its parsed form.
    std::ostringstream os;
    os << intended << "\n";
    if (!sameAsIntended(os.str(), intended))
      return Result<std::string>::fail(ErrorCode::kInternal,
                                       "cannot write " + keyStr + " back as TOML");
    return os.str();
  } catch (const toml::parse_error& e) {
    return Result<std::string>::fail(ErrorCode::kConfigInvalid,
                                     "the file is not valid TOML (line " +
                                         std::to_string(e.source().begin.line) +
                                         "): " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Result<std::string>::fail(ErrorCode::kInternal, e.what());
  }
}

}  // namespace liseur::config
