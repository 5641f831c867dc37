// Changes one value in a TOML document while keeping the rest of the text, comments included,
// as the person wrote it (support staff annotate profiles; a save must not wipe their notes).
#pragma once

#include <string>
#include <string_view>

#include "config/config_value.h"
#include "core/result.h"

namespace liseur::config {

// Returns `text` with `key` ("speech.rate", "plugins.options.dys") set to `value`:
//  - a key written on one line has just its value replaced;
//  - a new key goes right under its [section] header, or in a new [section] at the end;
//  - anything else (a value spread over several lines, a section written inline...) falls back
//    to re-writing the whole document from its parsed form, which drops comments.
// Every result is re-parsed and compared with the intended document before it is returned.
// Fails with config-invalid when `text` is not valid TOML or `key` would replace a table
// holding other keys.
Result<std::string> setTomlValue(std::string_view text, std::string_view key, const Value& value);

}  // namespace liseur::config
