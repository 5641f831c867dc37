// Fuzzes parseManifest and resolveOptions (plugins/plugin_manifest.h) on arbitrary bytes parsed as
// JSON. A member "given" of the input, ignored by parseManifest, is used as the profile's options
// for the plugin. Checks, besides crashes and sanitizers:
//  - a rejected manifest has a message starting with "manifest: ";
//  - an accepted one has a valid id, a supported ABI, a plain library file name and known hooks,
//    and every option's default fits its own type, range and choices;
//  - toJson, printed and parsed again, gives the same manifest;
//  - resolveOptions gives every declared option and only those, from "given" or the default.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "plugins/plugin_manifest.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool sameOption(const liseur::plugins::OptionSpec& a, const liseur::plugins::OptionSpec& b) {
  return a.name == b.name && a.type == b.type && a.def == b.def && a.choices == b.choices &&
         a.min == b.min && a.max == b.max && a.help == b.help;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur::plugins;
  using nlohmann::json;
  const auto* begin = reinterpret_cast<const char*>(data);
  const json j = json::parse(begin, begin + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto m = parseManifest(j);
  if (!m.ok()) {
    check(m.error().message.rfind("manifest: ", 0) == 0);
    return 0;
  }
  check(isValidPluginId(m->id) && m->abi >= 1 && m->abi <= kHostAbi);
  check(!m->library.empty() && m->library.find('/') == std::string::npos);
  check(!m->hooks.empty());
  for (const std::string& h : m->hooks) check(h == "adapt" || h == "speak" || h == "render");
  check(m->hasHook(m->hooks.front()));

  // Defaults alone always resolve.
  auto defaults = resolveOptions(*m, json());
  check(defaults.ok() && defaults->size() == m->options.size());
  for (const OptionSpec& o : m->options)
    check(defaults->contains(o.name) && (*defaults)[o.name] == o.def);
  // And so do the defaults given back explicitly.
  auto same = resolveOptions(*m, *defaults);
  check(same.ok() && *same == *defaults);

  const std::string text = toJson(*m).dump();
  const json again = json::parse(text, nullptr, /*allow_exceptions=*/false);
  check(!again.is_discarded());
  auto back = parseManifest(again);
  check(back.ok());
  check(back->id == m->id && back->version == m->version && back->abi == m->abi);
  check(back->library == m->library && back->hooks == m->hooks);
  check(back->description == m->description && back->options.size() == m->options.size());
  for (std::size_t i = 0; i < m->options.size(); ++i)
    check(sameOption(back->options[i], m->options[i]));

  if (auto given = j.find("given"); given != j.end()) {
    auto r = resolveOptions(*m, *given);
    if (r.ok()) {
      check(r->is_object() && r->size() == m->options.size());
      for (const OptionSpec& o : m->options) check(r->contains(o.name));
    } else {
      check(r.error().message.rfind("plugin '" + m->id + "'", 0) == 0);
    }
  }
  return 0;
}
