// Configuration values: the typed value of one key, and its TOML / JSON spelling.
//
// Every key of the schema (config_schema.h) holds one Value alternative fixed by its type:
// bool -> bool, int -> std::int64_t, double -> double, string and enum -> std::string,
// string list -> StringList, table (plugins.options.<plugin>) -> a JSON object that the plugin
// validates itself. Values are plain data: copy them freely, on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace liseur::config {

using StringList = std::vector<std::string>;
using Value = std::variant<bool, std::int64_t, double, std::string, StringList, nlohmann::json>;

// The value as a TOML literal that parses back to the same value: true, 175, 1.5, "fr",
// ["a", "b"], { key = 1 }. Strings are escaped; doubles always carry a '.' or an exponent.
std::string formatValueToml(const Value& value);
// The value as JSON (a table stays the JSON object it is).
nlohmann::json valueToJson(const Value& value);
// A short human spelling for messages: strings unquoted, long values cut to `maxChars` with "...".
std::string describeValue(const Value& value, std::size_t maxChars = 60);
// Quotes a string as a TOML basic string ("..." with escapes).
std::string quoteToml(std::string_view text);

}  // namespace liseur::config
