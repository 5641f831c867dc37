#include "config/config_parser.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <tuple>

#include "config/config_schema.h"
#include "config/suggestion.h"
#include "config/toml_guard.h"

namespace liseur::config {
namespace {

Position positionOf(const toml::source_region& r) {
  return Position{static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

std::string nodeTypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "nothing";
  }
}

// "500 (integer)", "\"fast\" (string)", "a table": short, so a huge value never floods a message.
std::string describeNode(const toml::node& n) {
  if (n.is_table()) return "a table";
  if (n.is_array()) return fmt::format("an array of {} item(s)", n.as_array()->size());
  std::string text;
  if (auto s = n.as_string()) {
    text = describeValue(Value(quoteToml(s->get())));
  } else {
    std::ostringstream os;
    os << toml::node_view<const toml::node>(&n);
    text = describeValue(Value(os.str()));
  }
  return text + " (" + nodeTypeName(n) + ")";
}

nlohmann::json tomlToJson(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: {
      nlohmann::json j = nlohmann::json::object();
      for (auto&& [k, v] : *n.as_table()) j[std::string(k.str())] = tomlToJson(v);
      return j;
    }
    case toml::node_type::array: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& v : *n.as_array()) j.push_back(tomlToJson(v));
      return j;
    }
    case toml::node_type::string:
      return n.as_string()->get();
    case toml::node_type::integer:
      return n.as_integer()->get();
    case toml::node_type::floating_point:
      return n.as_floating_point()->get();
    case toml::node_type::boolean:
      return n.as_boolean()->get();
    default: {
      // Dates and times have no JSON type: hand the plugin their TOML spelling.
      std::ostringstream os;
      os << toml::node_view<const toml::node>(&n);
      return os.str();
    }
  }
}

class LayerParser {
 public:
  LayerParser(ParsedLayer& out) : out_(out), schema_(ConfigSchema::instance()) {}

  void walk(const toml::table& table, const std::string& prefix) {
    for (auto&& [k, node] : table) {
      const std::string name(k.str());
      const std::string full = prefix.empty() ? name : prefix + "." + name;
      const Position at = positionOf(k.source());
      if (name.empty() || name.find('.') != std::string::npos) {
        Diagnostic d = unknownKeyDiagnostic(full, out_.file, at);
        d.message = "unknown key (a quoted key containing '.' is one name, not a path)";
        add(std::move(d));
        continue;
      }
      if (prefix.empty() && name == "locks") {
        parseLocks(node, at);
        continue;
      }
      if (const KeySpec* spec = schema_.find(full)) {
        setting(*spec, full, node);
        continue;
      }
      if (schema_.isSection(full)) {
        if (const toml::table* sub = node.as_table()) {
          walk(*sub, full);
        } else {
          add(diag(full, positionOf(node.source()), "this name is a section",
                   "a table [" + full + "]", describeNode(node)));
        }
        continue;
      }
      add(unknownKeyDiagnostic(full, out_.file, at));
    }
  }

 private:
  static Diagnostic diagAt(const std::string& file, std::string key, Position at,
                           std::string message, std::string expected, std::string found) {
    Diagnostic d;
    d.file = file;
    d.line = at.line;
    d.column = at.column;
    d.key = std::move(key);
    d.message = std::move(message);
    d.expected = std::move(expected);
    d.found = std::move(found);
    return d;
  }
  Diagnostic diag(std::string key, Position at, std::string message, std::string expected,
                  std::string found) const {
    return diagAt(out_.file, std::move(key), at, std::move(message), std::move(expected),
                  std::move(found));
  }
  void add(Diagnostic d) { out_.diagnostics.push_back(std::move(d)); }

  void setting(const KeySpec& spec, const std::string& key, const toml::node& node) {
    const Position at = positionOf(node.source());
    const bool profile = isProfileKind(out_.kind);
    if (spec.scope == KeyScope::kMainOnly && profile) {
      add(diag(key, at, "this key belongs in liseur.toml, not in a profile",
               "no " + key + " in a profile", describeNode(node)));
      return;
    }
    if (spec.scope == KeyScope::kProfileOnly && !profile) {
      add(diag(key, at, "this key belongs in a profile, not in liseur.toml",
               "no " + key + " in liseur.toml", describeNode(node)));
      return;
    }
    Value value;
    if (!convert(spec, key, node, &value)) return;
    std::string suggestion;
    std::string expected = schema_.validate(spec, value, &suggestion);
    if (!expected.empty()) {
      Diagnostic d = diag(key, at, "invalid value", expected, describeNode(node));
      // Point at the offending item of a list, where the person has to type.
      if (const toml::array* arr = node.as_array()) {
        for (const auto& item : *arr) {
          std::string itemSuggestion;
          StringList one{item.value_or(std::string())};
          KeySpec single = spec;
          single.maxItems = 0;
          if (!schema_.validate(single, Value(one), &itemSuggestion).empty()) {
            Position p = positionOf(item.source());
            d.line = p.line;
            d.column = p.column;
            d.found = describeNode(item);
            suggestion = itemSuggestion;
            break;
          }
        }
      }
      d.suggestion = suggestion;
      add(std::move(d));
      return;
    }
    out_.settings[key] = FileSetting{std::move(value), at};
  }

  bool convert(const KeySpec& spec, const std::string& key, const toml::node& node, Value* out) {
    const Position at = positionOf(node.source());
    auto wrongType = [&]() {
      add(diag(key, at, "wrong type", spec.expectedText(), describeNode(node)));
      return false;
    };
    switch (spec.type) {
      case ValueType::kBool:
        if (!node.is_boolean()) return wrongType();
        *out = node.as_boolean()->get();
        return true;
      case ValueType::kInt:
        if (!node.is_integer()) return wrongType();
        *out = node.as_integer()->get();
        return true;
      case ValueType::kDouble:
        if (node.is_integer()) {
          *out = static_cast<double>(node.as_integer()->get());
          return true;
        }
        if (!node.is_floating_point()) return wrongType();
        *out = node.as_floating_point()->get();
        return true;
      case ValueType::kString:
      case ValueType::kEnum:
        if (!node.is_string()) return wrongType();
        *out = node.as_string()->get();
        return true;
      case ValueType::kStringList: {
        const toml::array* arr = node.as_array();
        if (!arr) return wrongType();
        StringList list;
        bool ok = true;
        for (const auto& item : *arr) {
          if (!item.is_string()) {
            add(diag(key, positionOf(item.source()), "wrong type of list item", spec.expectedText(),
                     describeNode(item)));
            ok = false;
            continue;
          }
          list.push_back(item.as_string()->get());
        }
        if (ok) *out = std::move(list);
        return ok;
      }
      case ValueType::kTable:
        if (!node.is_table()) return wrongType();
        *out = tomlToJson(node);
        return true;
    }
    return wrongType();
  }

  void parseLocks(const toml::node& node, Position at) {
    if (!allowsLocks(out_.kind)) {
      add(diag("locks", at, "locks are only read from files under /etc/liseur",
               "no [locks] in this file (an administrator puts them in /etc/liseur)", "[locks]"));
      return;
    }
    const toml::table* table = node.as_table();
    if (!table) {
      add(diag("locks", positionOf(node.source()), "wrong type",
               "a table [locks] with keys = [\"section.key\", ...]", describeNode(node)));
      return;
    }
    for (auto&& [k, v] : *table) {
      const std::string name(k.str());
      if (name != "keys") {
        Diagnostic d = diag("locks." + name, positionOf(k.source()), "unknown key",
                            "keys = [\"section.key\", ...]", name);
        d.suggestion = nearestMatch(name, {"keys"}).empty() ? "" : "locks.keys";
        add(std::move(d));
        continue;
      }
      const toml::array* arr = v.as_array();
      if (!arr) {
        add(diag("locks.keys", positionOf(v.source()), "wrong type",
                 "a list of key names like [\"speech.rate\"]", describeNode(v)));
        continue;
      }
      for (const auto& item : *arr) {
        const Position p = positionOf(item.source());
        if (!item.is_string()) {
          add(diag("locks.keys", p, "wrong type of list item", "a key name like \"speech.rate\"",
                   describeNode(item)));
          continue;
        }
        const std::string lockKey = item.as_string()->get();
        const KeySpec* spec = schema_.find(lockKey);
        if (!spec) {
          Diagnostic d = unknownKeyDiagnostic(lockKey, out_.file, p);
          d.message = "cannot lock an unknown key";
          add(std::move(d));
          continue;
        }
        if (spec->scope == KeyScope::kMainOnly && isProfileKind(out_.kind)) {
          add(diag(lockKey, p, "this key can only be locked in /etc/liseur/liseur.toml",
                   "a key that a profile can set", quoteToml(lockKey)));
          continue;
        }
        if (!spec->lockable) {
          add(diag(lockKey, p, "this key cannot be locked",
                   "a lockable key (see liseur config schema)", quoteToml(lockKey)));
          continue;
        }
        const bool seen = std::any_of(out_.locks.begin(), out_.locks.end(),
                                      [&](const Lock& l) { return l.key == lockKey; });
        if (!seen) out_.locks.push_back(Lock{lockKey, out_.file, p});
      }
    }
  }

  ParsedLayer& out_;
  const ConfigSchema& schema_;
};

}  // namespace

bool isProfileKind(LayerKind kind) {
  return kind == LayerKind::kSystemProfile || kind == LayerKind::kProfile;
}
bool allowsLocks(LayerKind kind) {
  return kind == LayerKind::kSystemMain || kind == LayerKind::kSystemProfile;
}

std::string Lock::toString() const {
  return at.line > 0 ? fmt::format("{}:{}", file, at.line) : file;
}

Diagnostic unknownKeyDiagnostic(std::string_view key, const std::string& file, Position at) {
  const auto& schema = ConfigSchema::instance();
  Diagnostic d;
  d.file = file;
  d.line = at.line;
  d.column = at.column;
  d.key = std::string(key);
  d.message = "unknown key";
  std::string section(key.substr(0, key.find('.')));
  d.expected = schema.isSection(section) ? "a key of [" + section + "] (see liseur config schema)"
                                         : "a known key (see liseur config schema)";
  d.found = std::string(key);
  std::vector<std::string> names = schema.keyNames();
  d.suggestion = nearestMatch(key, names);
  if (d.suggestion.empty()) {
    // "rate" at the top level, or in the wrong section: suggest the key with that name.
    std::string leaf(key.substr(key.rfind('.') == std::string_view::npos ? 0 : key.rfind('.') + 1));
    for (const auto& n : names)
      if (n.substr(n.find('.') + 1) == leaf) {
        d.suggestion = n;
        break;
      }
  }
  if (d.suggestion.empty() && key.find('.') == std::string_view::npos) {
    std::string near = nearestMatch(key, schema.sections());
    if (!near.empty()) d.suggestion = "[" + near + "]";
  }
  return d;
}

ParsedLayer parseLayerText(std::string_view text, const std::string& file, LayerKind kind) {
  ParsedLayer out;
  out.file = file;
  out.kind = kind;
  if (text.size() > kMaxConfigFileBytes) {
    Diagnostic d;
    d.file = file;
    d.message = "file too large";
    d.expected = fmt::format("at most {} bytes", kMaxConfigFileBytes);
    d.found = fmt::format("{} bytes", text.size());
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  try {
    toml::table table = parseToml(text, file);
    LayerParser(out).walk(table, "");
    // toml++ tables iterate in key order; people read a report in file order.
    std::stable_sort(out.diagnostics.begin(), out.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    std::stable_sort(out.locks.begin(), out.locks.end(), [](const Lock& a, const Lock& b) {
      return std::tie(a.at.line, a.at.column) < std::tie(b.at.line, b.at.column);
    });
  } catch (const toml::parse_error& e) {
    Diagnostic d;
    d.file = file;
    d.line = static_cast<int>(e.source().begin.line);
    d.column = static_cast<int>(e.source().begin.column);
    d.message = "TOML syntax error: " + std::string(e.description());
    d.expected = "valid TOML (key = value lines under [section] headers)";
    out.diagnostics.push_back(std::move(d));
  } catch (const std::exception& e) {
    Diagnostic d;
    d.file = file;
    d.message = std::string("cannot read the file: ") + e.what();
    out.diagnostics.push_back(std::move(d));
  }
  return out;
}

Result<std::string> readConfigFile(const std::string& path) {
  using R = Result<std::string>;
  // O_NONBLOCK: a FIFO planted in place of a profile must not hang the daemon; fstat on the
  // opened descriptor then refuses anything but a regular file without a check-then-open race.
  // Symbolic links are followed: people keep dotfiles in a repository and link them, and the
  // daemon runs as the person, so a link reaches nothing they could not read anyway.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return R::fail(ErrorCode::kFileNotFound, path + ": file not found");
    return R::fail(ErrorCode::kFileUnreadable, path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return R::fail(ErrorCode::kNotRegularFile, path + ": not a regular file");
  }
  auto tooLarge = [&](std::size_t size) {
    return R::fail(
        ErrorCode::kFileTooLarge,
        fmt::format("{}: file too large ({} bytes, at most {})", path, size, kMaxConfigFileBytes));
  };
  if (static_cast<std::size_t>(st.st_size) > kMaxConfigFileBytes) {
    ::close(fd);
    return tooLarge(static_cast<std::size_t>(st.st_size));
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return R::fail(ErrorCode::kFileUnreadable, path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {  // grew while we read
      ::close(fd);
      return tooLarge(text.size());
    }
  }
  ::close(fd);
  return text;
}

ParsedLayer parseLayerFile(const std::string& path, LayerKind kind) {
  Result<std::string> text = readConfigFile(path);
  if (text.ok()) return parseLayerText(*text, path, kind);
  ParsedLayer out;
  out.file = path;
  out.kind = kind;
  Diagnostic d;
  d.file = path;
  // The message repeats the path first; the diagnostic already carries it.
  const std::string& m = text.error().message;
  d.message = m.rfind(path + ": ", 0) == 0 ? m.substr(path.size() + 2) : m;
  out.diagnostics.push_back(std::move(d));
  return out;
}

std::optional<Diagnostic> parseValueText(std::string_view key, std::string_view text, Value* out,
                                         const std::string& origin) {
  const auto& schema = ConfigSchema::instance();
  const KeySpec* spec = schema.find(key);
  if (!spec) return unknownKeyDiagnostic(key, origin, {});
  // Read the text as the right-hand side of a TOML line, inside the key's own table so the
  // diagnostics read the same as for a file.
  ParsedLayer layer;
  if (text.find('\n') == std::string_view::npos && text.find('\r') == std::string_view::npos) {
    std::string section = std::string(key.substr(0, key.rfind('.')));
    std::string leaf = std::string(key.substr(key.rfind('.') + 1));
    std::string doc = "[" + section + "]\n" + leaf + " = " + std::string(text) + "\n";
    layer = parseLayerText(
        doc, origin,
        spec->scope == KeyScope::kProfileOnly ? LayerKind::kProfile : LayerKind::kUserMain);
  } else {
    layer.diagnostics.push_back(Diagnostic{});
  }
  auto it = layer.settings.find(std::string(key));
  if (it != layer.settings.end() && layer.settings.size() == 1 && !layer.hasErrors()) {
    *out = it->second.value;
    return std::nullopt;
  }
  // Not a TOML value of the right type: a person typing `set speech.voice_fr fr` or
  // `set view.line_colours blue,red` means the plain text.
  bool syntaxOnly = layer.settings.empty() &&
                    (layer.diagnostics.empty() ||
                     layer.diagnostics.front().message.rfind("TOML syntax error", 0) == 0 ||
                     layer.diagnostics.front().message.empty());
  Value candidate;
  if (spec->type == ValueType::kString || spec->type == ValueType::kEnum) {
    candidate = std::string(text);
  } else if (spec->type == ValueType::kStringList && syntaxOnly) {
    StringList list;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t comma = text.find(',', start);
      std::string_view part = text.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (!part.empty()) list.emplace_back(part);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    candidate = std::move(list);
  } else {
    Diagnostic d;
    if (!layer.diagnostics.empty() && !syntaxOnly) {
      d = layer.diagnostics.front();
    } else {
      d.file = origin;
      d.key = std::string(key);
      d.message = "invalid value";
      d.expected = spec->expectedText();
    }
    d.line = 0;
    d.column = 0;
    d.found = describeValue(Value(std::string(text)));
    return d;
  }
  std::string suggestion;
  std::string expected = schema.validate(*spec, candidate, &suggestion);
  if (!expected.empty()) {
    Diagnostic d;
    d.file = origin;
    d.key = std::string(key);
    d.message = "invalid value";
    d.expected = expected;
    d.found = describeValue(Value(std::string(text)));
    d.suggestion = suggestion;
    return d;
  }
  *out = std::move(candidate);
  return std::nullopt;
}

}  // namespace liseur::config
