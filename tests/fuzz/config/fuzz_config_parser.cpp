// Fuzzes the configuration parser with arbitrary bytes, and checks two properties on the way:
//  - every valid setting, written back with formatValueToml / setTomlValue, reads back equal;
//  - setting a key with setTomlValue on any parsable document gives a document with that value.
// A violated property aborts, so libFuzzer keeps the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config_parser.h"
#include "config/toml_editor.h"

namespace {

using liseur::config::LayerKind;
using liseur::config::ParsedLayer;
using liseur::config::Value;

void check(bool ok) {
  if (!ok) std::abort();
}

void roundTrip(const ParsedLayer& layer) {
  std::string doc;
  for (const auto& [key, setting] : layer.settings) {
    auto next = liseur::config::setTomlValue(doc, key, setting.value);
    if (!next.ok()) return;  // e.g. NaN inside a plugin table: refused, not corrupted
    doc = *next;
  }
  ParsedLayer again = liseur::config::parseLayerText(doc, "roundtrip.toml", layer.kind);
  check(!again.hasErrors());
  check(again.settings.size() == layer.settings.size());
  for (const auto& [key, setting] : layer.settings) {
    auto it = again.settings.find(key);
    check(it != again.settings.end());
    check(liseur::config::valueToJson(it->second.value).dump() ==
          liseur::config::valueToJson(setting.value).dump());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (LayerKind kind : {LayerKind::kSystemProfile, LayerKind::kUserMain}) {
    ParsedLayer layer = liseur::config::parseLayerText(text, "fuzz.toml", kind);
    for (const auto& d : layer.diagnostics) {
      check(!d.toString().empty());
      (void)d.toJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    roundTrip(layer);
  }
  auto edited = liseur::config::setTomlValue(text, "speech.rate", Value(std::int64_t{200}));
  if (edited.ok()) {
    ParsedLayer again = liseur::config::parseLayerText(*edited, "edited.toml", LayerKind::kProfile);
    auto it = again.settings.find("speech.rate");
    check(it != again.settings.end() && std::get<std::int64_t>(it->second.value) == 200);
  }
  return 0;
}
