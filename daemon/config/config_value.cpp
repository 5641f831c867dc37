#include "config/config_value.h"

#include <fmt/format.h>

#include <cmath>

namespace liseur::config {
namespace {

bool isBareKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string formatDouble(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // fmt's "{}" is the shortest text that reads back to the same double; TOML needs a '.' or an
  // exponent to keep it a float rather than an integer.
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string formatJsonToml(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer:
      return std::to_string(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return formatDouble(j.get<double>());
    case nlohmann::json::value_t::string:
      return quoteToml(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < j.size(); ++i) {
        if (i) out += ", ";
        out += formatJsonToml(j[i]);
      }
      return out + "]";
    }
    case nlohmann::json::value_t::object: {
      if (j.empty()) return "{}";
      std::string out = "{ ";
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ", ";
        first = false;
        out += isBareKey(k) ? k : quoteToml(k);
        out += " = ";
        out += formatJsonToml(v);
      }
      return out + " }";
    }
    default:
      // TOML has no null; a table read from TOML never holds one.
      return "\"\"";
  }
}

}  // namespace

std::string quoteToml(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string formatValueToml(const Value& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return formatDouble(d); }
    std::string operator()(const std::string& s) const { return quoteToml(s); }
    std::string operator()(const StringList& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) {
        if (i) out += ", ";
        out += quoteToml(l[i]);
      }
      return out + "]";
    }
    std::string operator()(const nlohmann::json& j) const { return formatJsonToml(j); }
  };
  return std::visit(Visitor{}, value);
}

nlohmann::json valueToJson(const Value& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

std::string describeValue(const Value& value, std::size_t maxChars) {
  std::string s = std::holds_alternative<std::string>(value) ? std::get<std::string>(value)
                                                             : formatValueToml(value);
  if (s.size() > maxChars) {
    // Cut on a UTF-8 boundary so a message never carries half a character.
    std::size_t cut = maxChars;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "...";
  }
  return s;
}

}  // namespace liseur::config
