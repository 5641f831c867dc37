// Fuzzes documentFromJson (daemon/document/document.h) on arbitrary bytes parsed as JSON. Besides
// crashes and sanitizers, it checks the round trip: a document it accepts serialises with toJson,
// and that JSON, printed and parsed again, is accepted and gives the same text and answers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "document/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* begin = reinterpret_cast<const char*>(data);
  nlohmann::json j =
      nlohmann::json::parse(begin, begin + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto doc = liseur::documentFromJson(j);
  if (!doc.ok()) {
    if (doc.error().message.empty()) std::abort();
    return 0;
  }
  // Printed, as the daemon writes it to a plugin, and parsed back as the plugin reads it.
  const std::string text = liseur::toJson(*doc).dump();
  nlohmann::json again = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (again.is_discarded()) std::abort();
  auto back = liseur::documentFromJson(again);
  if (!back.ok()) std::abort();
  if (back->text() != doc->text() || back->page != doc->page) std::abort();
  if (back->blocks.size() != doc->blocks.size()) std::abort();
  if (back->answers.size() != doc->answers.size()) std::abort();
  for (std::size_t i = 0; i < doc->answers.size(); ++i) {
    const auto& a = doc->answers[i];
    const auto& b = back->answers[i];
    if (a.kind != b.kind || !(a.box == b.box) || a.label != b.label || a.options != b.options ||
        a.covers != b.covers)
      std::abort();
  }
  return 0;
}
