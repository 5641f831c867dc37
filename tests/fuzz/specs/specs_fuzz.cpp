// Fuzzes the region and hotkey spec parsers on arbitrary bytes: parseRegion ("X,Y,W,H",
// capture/capture.h) and parseKeySpec ("Super+Shift+r", input/hotkeys.h). Checks, besides
// crashes and sanitizers:
//  - errors quote the spec ("region '...'", "hotkey '...'");
//  - an accepted region has W and H > 0, X + W and Y + H within int, and written back as
//    "X,Y,W,H" parses to the same box;
//  - an accepted key spec has a key, and its canonical spelling parses to the same modifiers,
//    key and spelling.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "capture/capture.h"
#include "input/hotkeys.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto box = parseRegion(input);
  if (box.ok()) {
    check(box->w > 0 && box->h > 0);
    check(static_cast<long long>(box->x) + box->w <= std::numeric_limits<int>::max());
    check(static_cast<long long>(box->y) + box->h <= std::numeric_limits<int>::max());
    const std::string text = std::to_string(box->x) + "," + std::to_string(box->y) + "," +
                             std::to_string(box->w) + "," + std::to_string(box->h);
    auto again = parseRegion(text);
    check(again.ok() && *again == *box);
  } else {
    check(box.error().message.rfind("region '", 0) == 0);
  }

  auto key = parseKeySpec(input);
  if (key.ok()) {
    check(key->keysym != 0 && !key->canonical.empty());
    auto again = parseKeySpec(key->canonical);
    check(again.ok());
    check(again->modifiers == key->modifiers && again->keysym == key->keysym &&
          again->canonical == key->canonical);
  } else {
    check(key.error().message.rfind("hotkey '", 0) == 0);
  }
  return 0;
}
