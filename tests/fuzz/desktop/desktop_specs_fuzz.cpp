// Fuzzes, on arbitrary bytes, the small parsers behind `liseur hotkeys install` and `liseur
// watch`. Besides crashes and sanitizers it checks:
//  - parseChord: an accepted chord has a modifier and a key of letters, digits and '_' (so the
//    GNOME, Xfce and sway spellings written into the desktop's settings cannot carry a quote, a
//    space or a new line), and written back as "Ctrl+Alt+Shift+Super+key" parses to the same
//    chord; errors quote the hotkey;
//  - gvariantString / parseGVariantString: any bytes survive the round trip through gsettings'
//    quoting; a list parseGVariantStringArray accepts, written back with gvariantStringArray,
//    parses to the same items;
//  - parseWatchInterval: an accepted interval is within kMinWatchInterval..kMaxWatchInterval and
//    written back as "<n>ms" parses to the same value; errors quote the interval.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/desktop_shortcuts.h"
#include "control/watch_interval.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool safeKey(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur;
  using namespace liseur::app;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto chord = parseChord(input);
  if (chord.ok()) {
    check(chord->ctrl || chord->alt || chord->shift || chord->super);
    check(safeKey(chord->key));
    std::string written;
    if (chord->ctrl) written += "Ctrl+";
    if (chord->alt) written += "Alt+";
    if (chord->shift) written += "Shift+";
    if (chord->super) written += "Super+";
    written += chord->key;
    auto again = parseChord(written);
    check(again.ok());
    check(again->ctrl == chord->ctrl && again->alt == chord->alt && again->shift == chord->shift &&
          again->super == chord->super && again->key == chord->key);
    for (const std::string& s :
         {gnomeAccelerator(*chord), xfceAccelerator(*chord), swayKeys(*chord)})
      check(s.find_first_of("'\"\\ \n\t") == std::string::npos);
  } else {
    check(chord.error().message.rfind("hotkey '", 0) == 0);
  }

  auto quoted = parseGVariantString(gvariantString(input));
  check(quoted.ok() && *quoted == input);

  auto list = parseGVariantStringArray(input);
  if (list.ok()) {
    auto again = parseGVariantStringArray(gvariantStringArray(*list));
    check(again.ok() && *again == *list);
  } else {
    check(!list.error().message.empty());
  }

  auto every = parseWatchInterval(input);
  if (every.ok()) {
    check(*every >= kMinWatchInterval && *every <= kMaxWatchInterval);
    auto again = parseWatchInterval(std::to_string(every->count()) + "ms");
    check(again.ok() && *again == *every);
  } else {
    check(every.error().message.rfind("watch interval '", 0) == 0);
  }
  return 0;
}
