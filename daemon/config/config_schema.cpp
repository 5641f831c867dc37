#include "config/config_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/suggestion.h"

namespace liseur::config {
namespace {

const std::vector<std::string>& modifierNames() {
  static const std::vector<std::string> names = {"Ctrl", "Alt", "Shift", "Super"};
  return names;
}

// Named keys a hotkey may end with, spelt as X11 keysyms (the input stage grabs by keysym, so a
// French AZERTY keyboard gets the letter printed on its key, not the US position).
const std::vector<std::string>& namedKeys() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {
        "space",  "Return", "Escape",     "Tab",         "BackSpace",    "Delete",
        "Insert", "Home",   "End",        "Prior",       "Next",         "Up",
        "Down",   "Left",   "Right",      "Pause",       "Print",        "Menu",
        "comma",  "period", "semicolon",  "colon",       "slash",        "minus",
        "plus",   "equal",  "apostrophe", "bracketleft", "bracketright", "backslash"};
    for (int i = 1; i <= 24; ++i) v.push_back(fmt::format("F{}", i));
    for (int i = 0; i <= 9; ++i) v.push_back(fmt::format("KP_{}", i));
    for (const char* k :
         {"KP_Add", "KP_Subtract", "KP_Multiply", "KP_Divide", "KP_Enter", "KP_Decimal"})
      v.push_back(k);
    return v;
  }();
  return names;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Returns "" when the chord is valid.
std::string checkHotkey(const std::string& chord, std::string* suggestion) {
  if (chord.empty()) return {};
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t plus = chord.find('+', start);
    parts.push_back(
        chord.substr(start, plus == std::string::npos ? std::string::npos : plus - start));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  const std::string expected =
      "a key chord like \"Ctrl+Alt+Shift+W\": modifiers (Ctrl, Alt, Shift, Super) joined by '+' "
      "and ending with one key, or \"\" for none";
  if (parts.size() < 2) return expected + " (at least one modifier)";
  std::vector<std::string> seen;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const auto& m = modifierNames();
    auto it =
        std::find_if(m.begin(), m.end(), [&](const auto& n) { return equalsNoCase(n, parts[i]); });
    if (it == m.end()) {
      if (suggestion) {
        std::string near = nearestMatch(parts[i], m);
        if (!near.empty()) {
          std::string fixed = chord;
          std::size_t pos = 0;
          for (std::size_t k = 0; k < i; ++k) pos += parts[k].size() + 1;
          fixed.replace(pos, parts[i].size(), near);
          *suggestion = fixed;
        }
      }
      return expected;
    }
    if (std::find(seen.begin(), seen.end(), *it) != seen.end())
      return expected + " (a modifier twice)";
    seen.push_back(*it);
  }
  const std::string& key = parts.back();
  if (key.size() == 1 && std::isalnum(static_cast<unsigned char>(key[0]))) return {};
  const auto& named = namedKeys();
  if (std::find(named.begin(), named.end(), key) != named.end()) return {};
  if (suggestion) {
    std::string near = nearestMatch(key, named);
    if (!near.empty()) *suggestion = chord.substr(0, chord.size() - key.size()) + near;
  }
  return expected;
}

bool isHex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

std::string checkColour(const std::string& c, std::string* suggestion) {
  if (!c.empty() && c[0] == '#' && (c.size() == 4 || c.size() == 7) &&
      std::all_of(c.begin() + 1, c.end(), isHex))
    return {};
  const auto& names = colourNames();
  if (std::find(names.begin(), names.end(), c) != names.end()) return {};
  if (suggestion) *suggestion = nearestMatch(c, names);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : "|") + n;
  return "a colour: " + list + ", or #rrggbb";
}

bool allOf(const std::string& s, bool (*ok)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ok);
}

std::string checkText(TextCheck check, const std::string& s, std::string* suggestion) {
  switch (check) {
    case TextCheck::kNone:
      return {};
    case TextCheck::kHotkey:
      return checkHotkey(s, suggestion);
    case TextCheck::kColour:
      return checkColour(s, suggestion);
    case TextCheck::kOcrLanguages: {
      // Tesseract joins model names with '+'; each is lower-case letters, digits and '_'
      // (eng, fra, chi_sim, script/Latin is not accepted: keep it to language models).
      std::size_t start = 0;
      while (true) {
        std::size_t plus = s.find('+', start);
        std::string part =
            s.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
        if (part.size() < 2 || part.size() > 16 || !allOf(part, [](char c) {
              return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
            }))
          return "Tesseract language codes joined by '+', like \"eng+fra\"";
        if (plus == std::string::npos) return {};
        start = plus + 1;
      }
    }
    case TextCheck::kVoice:
      // A voice is chosen by its name, never by a number (its place in a list of installed
      // voices changes from one machine to the next): names start with a letter.
      if (s.size() <= 64 && std::isalpha(static_cast<unsigned char>(s[0])) && allOf(s, [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                   c == '+' || c == '/';
          }))
        return {};
      return "an espeak-ng voice name like \"fr\", \"en-gb\" or \"fr+f3\" (a name, not a "
             "number)";
    case TextCheck::kPluginId:
      if (s.size() <= 64 && allOf(s, [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
          }))
        return {};
      return "a plugin id: lower-case letters, digits and '-'";
    case TextCheck::kProfileName:
      if (isValidProfileName(s)) return {};
      return "a profile name: 1 to 64 of a-z 0-9 . _ - (starting with a letter or digit)";
  }
  return {};
}

// What a value under a text check must look like, for messages.
std::string textExpectation(TextCheck check) {
  switch (check) {
    case TextCheck::kNone:
      return "a string";
    case TextCheck::kHotkey:
      return "a key chord like \"Ctrl+Alt+Shift+W\": modifiers (Ctrl, Alt, Shift, Super) joined "
             "by '+' and ending with one key, or \"\" for none";
    case TextCheck::kColour:
      return checkColour("", nullptr);
    case TextCheck::kOcrLanguages:
      return checkText(check, "", nullptr);
    case TextCheck::kVoice:
      return checkText(check, "", nullptr);
    case TextCheck::kPluginId:
      return checkText(check, "", nullptr);
    case TextCheck::kProfileName:
      return checkText(check, "", nullptr);
  }
  return "a string";
}

std::string joinChoices(const std::vector<std::string>& c) {
  std::string out;
  for (const auto& s : c) out += (out.empty() ? "" : "|") + s;
  return out;
}

std::string number(double d) {
  return fmt::format("{}", d);
}

// Builders keep the table below readable: one key per line group.
KeySpec boolKey(std::string key, bool def, std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kBool;
  s.defaultValue = def;
  s.help = std::move(help);
  return s;
}
KeySpec intKey(std::string key, std::int64_t def, double min, double max, std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kInt;
  s.defaultValue = def;
  s.min = min;
  s.max = max;
  s.help = std::move(help);
  return s;
}
KeySpec doubleKey(std::string key, double def, double min, double max, std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kDouble;
  s.defaultValue = def;
  s.min = min;
  s.max = max;
  s.help = std::move(help);
  return s;
}
KeySpec stringKey(std::string key, std::string def, TextCheck check, std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kString;
  s.defaultValue = std::move(def);
  s.check = check;
  s.help = std::move(help);
  return s;
}
KeySpec enumKey(std::string key, std::string def, std::vector<std::string> choices,
                std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kEnum;
  s.defaultValue = std::move(def);
  s.choices = std::move(choices);
  s.help = std::move(help);
  return s;
}
KeySpec listKey(std::string key, StringList def, TextCheck check, std::size_t maxItems,
                std::string help) {
  KeySpec s;
  s.key = std::move(key);
  s.type = ValueType::kStringList;
  s.defaultValue = std::move(def);
  s.check = check;
  s.maxItems = maxItems;
  s.help = std::move(help);
  return s;
}

}  // namespace

std::string_view valueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt:
      return "int";
    case ValueType::kDouble:
      return "double";
    case ValueType::kString:
      return "string";
    case ValueType::kStringList:
      return "string list";
    case ValueType::kEnum:
      return "enum";
    case ValueType::kTable:
      return "table";
  }
  return "?";
}

const std::vector<std::string>& colourNames() {
  static const std::vector<std::string> names = {
      "black", "white",      "grey",   "dark-grey", "blue",  "dark-blue", "red",  "dark-red",
      "green", "dark-green", "orange", "purple",    "brown", "yellow",    "pink", "cyan"};
  return names;
}

bool isValidProfileName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0])) ||
      std::isupper(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string KeySpec::constraintText() const {
  switch (type) {
    case ValueType::kInt:
      if (!allowed.empty()) {
        std::string out;
        for (auto a : allowed) out += (out.empty() ? "" : "|") + std::to_string(a);
        return out;
      }
      [[fallthrough]];
    case ValueType::kDouble:
      if (min && max) return number(*min) + ".." + number(*max);
      return {};
    case ValueType::kEnum:
      return joinChoices(choices);
    default:
      return {};
  }
}

std::string KeySpec::expectedText() const {
  switch (type) {
    case ValueType::kBool:
      return "true or false";
    case ValueType::kInt:
      if (!allowed.empty()) return "one of " + constraintText();
      return "an integer from " + number(*min) + " to " + number(*max);
    case ValueType::kDouble:
      return "a number from " + number(*min) + " to " + number(*max);
    case ValueType::kEnum:
      return "one of " + joinChoices(choices);
    case ValueType::kString:
      return textExpectation(check);
    case ValueType::kStringList: {
      std::string what = "a list of strings";
      if (check != TextCheck::kNone) what += ", each " + textExpectation(check);
      if (maxItems) what += fmt::format(" (at most {})", maxItems);
      return what;
    }
    case ValueType::kTable:
      return "a table of options for the plugin";
  }
  return {};
}

ConfigSchema::ConfigSchema() {
  auto add = [this](KeySpec s) { keys_.push_back(std::move(s)); };
  auto last = [this]() -> KeySpec& { return keys_.back(); };

  // [profile]: describes a profile file; meaningless in liseur.toml.
  add(stringKey("profile.name", "", TextCheck::kNone, "Name shown for this profile"));
  last().scope = KeyScope::kProfileOnly;
  last().lockable = false;
  add(stringKey("profile.description", "", TextCheck::kNone,
                "Who this profile is for and what it changes (free text)"));
  last().scope = KeyScope::kProfileOnly;
  last().lockable = false;

  // [daemon]
  add(stringKey("daemon.profile", "default", TextCheck::kProfileName,
                "The active profile (a file NAME.toml in a profiles directory)"));
  last().scope = KeyScope::kMainOnly;
  add(intKey("daemon.idle_exit_min", 0, 0, 1440,
             "Exit after this many idle minutes while liseurd holds no global hotkey (0 = never; "
             "the next liseur command or systemd's socket starts it again)"));
  add(enumKey("daemon.log_level", "info", {"trace", "debug", "info", "warn", "error", "off"},
              "Log verbosity (logs never contain screen text)"));
  last().lockable = false;

  // [audio]
  add(enumKey("audio.sink", "auto", {"auto", "portaudio", "wav", "null"},
              "Where speech goes: auto picks PortAudio, else null"));
  add(stringKey("audio.device", "", TextCheck::kNone,
                "PortAudio output device name (\"\" = the default device)"));
  add(intKey("audio.latency_ms", 30, 10, 1000,
             "Output latency asked of the device; raise it if speech crackles on old laptops"));

  // [ocr]
  add(stringKey("ocr.languages", "eng+fra", TextCheck::kOcrLanguages,
                "Tesseract models to load, joined by '+'"));
  add(enumKey("ocr.mode", "auto", {"auto", "block", "line"},
              "Page layout: auto analyses the page, block reads one block, line one line"));
  add(enumKey("ocr.language", "auto", {"auto", "fr", "en"},
              "Fix the reading language instead of detecting it per block"));

  // [capture]
  add(enumKey("capture.backend", "auto", {"auto", "x11", "wlr-screencopy", "portal"},
              "How the screen is captured: auto picks the Wayland compositor's screencopy "
              "(sway, Hyprland), else the Screenshot portal (GNOME, KDE) on Wayland, X11 on X11"));

  // [speech]
  add(stringKey("speech.voice_fr", "fr", TextCheck::kVoice, "espeak-ng voice for French"));
  add(stringKey("speech.voice_en", "en-gb", TextCheck::kVoice, "espeak-ng voice for English"));
  add(boolKey("speech.auto_language", true,
              "Switch voice to the language detected for each block"));
  add(intKey("speech.rate", 175, 80, 450, "Speaking rate in words per minute"));
  add(intKey("speech.pitch", 50, 0, 99, "Voice pitch (espeak-ng scale, 50 = normal)"));
  add(intKey("speech.volume", 100, 0, 200, "Volume in percent of normal"));
  add(intKey("speech.word_gap", 0, 0, 100, "Extra pause between words, in units of 10 ms"));
  add(enumKey("speech.punctuation", "some", {"none", "some", "all"},
              "Which punctuation marks are spoken"));
  add(intKey("speech.doubtful_threshold", 60, 0, 100,
             "OCR confidence (percent) under which a word is doubtful"));
  add(enumKey("speech.doubtful_signal", "tone", {"none", "tone", "pitch"},
              "How a doubtful word is signalled: a short tone before it, or a changed pitch"));
  add(enumKey("speech.output", "auto", {"auto", "liseur", "speech-dispatcher"},
              "Who speaks: liseur's own voice, the user's speech-dispatcher (Orca's voice and "
              "rate), or auto: speech-dispatcher while Orca runs"));

  // [plugins]
  add(listKey("plugins.chain", {"reading-order"}, TextCheck::kPluginId, 32,
              "Plugins applied to each document, in order, by id"));
  {
    KeySpec s;
    s.key = "plugins.options.*";
    s.type = ValueType::kTable;
    s.defaultValue = nlohmann::json::object();
    s.help = "Options of one plugin ([plugins.options.ID]); the plugin checks them";
    add(std::move(s));
  }

  // [view]
  add(boolKey("view.enabled", true, "Show the reading view (off for speech only)"));
  add(enumKey("view.theme", "black-on-white",
              {"black-on-white", "white-on-black", "yellow-on-black", "dys"},
              "Colours of the reading view"));
  add(stringKey("view.font", "DejaVu Sans", TextCheck::kNone, "Font family of the reading view"));
  add(intKey("view.font_size_pt", 14, 8, 72, "Font size in points"));
  add(doubleKey("view.line_spacing", 1.2, 1.0, 3.0, "Line height as a multiple of the font size"));
  add(doubleKey("view.letter_spacing_em", 0.0, 0.0, 0.5, "Extra space between letters, in em"));
  add(doubleKey("view.word_spacing_em", 0.0, 0.0, 2.0,
                "Extra space between words, in em (0.3 about doubles a normal space)"));
  add(boolKey("view.syllables", false, "Show syllables in alternating colours (dys view)"));
  add(listKey("view.line_colours", {}, TextCheck::kColour, 6,
              "Colours given to successive lines, in turn ([] = theme colour; dys view)"));
  add(listKey("view.syllable_colours", {"red", "blue"}, TextCheck::kColour, 6,
              "Colours given to successive syllables, in turn (dys view)"));
  {
    KeySpec s = intKey("view.line_focus", 0, 0, 5,
                       "Lines left visible around the current one (0 = no masking; dys view)");
    s.allowed = {0, 1, 3, 5};
    add(std::move(s));
  }
  add(boolKey("view.silent_letters", false, "Show silent letters in grey (dys view)"));
  add(boolKey("view.highlight_word", true, "Highlight each word as it is spoken"));

  // [hotkeys]: Ctrl+Alt+Shift+<letter>. Orca owns Insert/CapsLock+key and the keypad; GNOME
  // uses Super+key, Ctrl+Alt+arrows/T/Del and Shift+Ctrl+Alt+arrows/R; KDE uses Meta+key,
  // Ctrl+F1..F4 and Ctrl+Alt+Shift+Del/PgUp/PgDn (log out, reboot, halt without asking!);
  // Xfce uses Ctrl+Alt+arrows/letters and Alt+F1..F12. No arrows, Page keys, Delete or R here.
  const struct {
    const char* action;
    const char* chord;
    const char* help;
  } hotkeys[] = {
      {"read_window", "Ctrl+Alt+Shift+W", "Read the active window"},
      {"read_pointer", "Ctrl+Alt+Shift+P", "Read the block under the mouse pointer"},
      {"mark_corner", "Ctrl+Alt+Shift+M", "Mark a corner of a rectangle to read (twice)"},
      {"stop", "Ctrl+Alt+Shift+S", "Stop speech at once"},
      {"pause_resume", "Ctrl+Alt+Shift+space", "Pause or resume speech"},
      {"review_next_line", "Ctrl+Alt+Shift+K", "Review: next line"},
      {"review_prev_line", "Ctrl+Alt+Shift+I", "Review: previous line"},
      {"review_next_word", "Ctrl+Alt+Shift+L", "Review: next word"},
      {"review_prev_word", "Ctrl+Alt+Shift+J", "Review: previous word"},
      {"review_next_page", "Ctrl+Alt+Shift+N", "Review: next page (of a PDF or multi-page file)"},
      {"review_prev_page", "Ctrl+Alt+Shift+B", "Review: previous page"},
      {"spell", "Ctrl+Alt+Shift+O", "Spell the current word"},
      {"faster", "Ctrl+Alt+Shift+F", "Speak faster"},
      {"slower", "Ctrl+Alt+Shift+D", "Speak slower"},
      {"repeat", "Ctrl+Alt+Shift+A", "Say the last utterance again"},
      {"watch_window", "Ctrl+Alt+Shift+G",
       "Watch the active window and speak new lines (again: stop watching)"},
  };
  for (const auto& h : hotkeys)
    add(stringKey(std::string("hotkeys.") + h.action, h.chord, TextCheck::kHotkey,
                  std::string(h.help) + " (\"\" = no hotkey)"));

  for (const auto& k : keys_) {
    std::string section = k.key.substr(0, k.key.find('.'));
    if (std::find(sections_.begin(), sections_.end(), section) == sections_.end())
      sections_.push_back(section);
  }
}

const ConfigSchema& ConfigSchema::instance() {
  static const ConfigSchema schema;
  return schema;
}

const KeySpec* ConfigSchema::find(std::string_view key) const {
  for (const auto& k : keys_) {
    if (k.isPattern()) {
      std::string_view prefix = std::string_view(k.key).substr(0, k.key.size() - 1);
      if (key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix &&
          key.find('.', prefix.size()) == std::string_view::npos &&
          !checkText(TextCheck::kPluginId, std::string(key.substr(prefix.size())), nullptr).size())
        return &k;
    } else if (k.key == key) {
      return &k;
    }
  }
  return nullptr;
}

bool ConfigSchema::isSection(std::string_view prefix) const {
  if (prefix.empty()) return false;
  for (const auto& k : keys_)
    if (k.key.size() > prefix.size() && k.key.compare(0, prefix.size(), prefix) == 0 &&
        k.key[prefix.size()] == '.')
      return true;
  return false;
}

std::vector<std::string> ConfigSchema::keyNames() const {
  std::vector<std::string> out;
  for (const auto& k : keys_)
    if (!k.isPattern()) out.push_back(k.key);
  return out;
}

std::string ConfigSchema::validate(const KeySpec& spec, const Value& value,
                                   std::string* suggestion) const {
  switch (spec.type) {
    case ValueType::kBool:
      return std::holds_alternative<bool>(value) ? "" : spec.expectedText();
    case ValueType::kInt: {
      if (!std::holds_alternative<std::int64_t>(value)) return spec.expectedText();
      auto v = std::get<std::int64_t>(value);
      if (!spec.allowed.empty()) {
        if (std::find(spec.allowed.begin(), spec.allowed.end(), v) == spec.allowed.end())
          return spec.expectedText();
        return {};
      }
      if ((spec.min && static_cast<double>(v) < *spec.min) ||
          (spec.max && static_cast<double>(v) > *spec.max))
        return spec.expectedText();
      return {};
    }
    case ValueType::kDouble: {
      if (!std::holds_alternative<double>(value)) return spec.expectedText();
      double v = std::get<double>(value);
      // NaN fails both comparisons, so test for it explicitly.
      if (v != v || (spec.min && v < *spec.min) || (spec.max && v > *spec.max))
        return spec.expectedText();
      return {};
    }
    case ValueType::kEnum: {
      if (!std::holds_alternative<std::string>(value)) return spec.expectedText();
      const auto& s = std::get<std::string>(value);
      if (std::find(spec.choices.begin(), spec.choices.end(), s) != spec.choices.end()) return {};
      if (suggestion) *suggestion = nearestMatch(s, spec.choices);
      return spec.expectedText();
    }
    case ValueType::kString: {
      if (!std::holds_alternative<std::string>(value)) return spec.expectedText();
      const auto& s = std::get<std::string>(value);
      if (s.size() > 4096) return "a string of at most 4096 bytes";
      return checkText(spec.check, s, suggestion);
    }
    case ValueType::kStringList: {
      if (!std::holds_alternative<StringList>(value)) return spec.expectedText();
      const auto& l = std::get<StringList>(value);
      if (spec.maxItems && l.size() > spec.maxItems) return spec.expectedText();
      for (const auto& item : l) {
        std::string bad = checkText(spec.check, item, suggestion);
        if (!bad.empty()) return spec.expectedText();
      }
      return {};
    }
    case ValueType::kTable:
      return std::holds_alternative<nlohmann::json>(value) &&
                     std::get<nlohmann::json>(value).is_object()
                 ? ""
                 : spec.expectedText();
  }
  return spec.expectedText();
}

std::string schemaTable() {
  const auto& schema = ConfigSchema::instance();
  std::size_t wKey = 3, wType = 4, wDef = 7, wRange = 5;
  for (const auto& k : schema.keys()) {
    wKey = std::max(wKey, k.key.size());
    wType = std::max(wType, valueTypeName(k.type).size());
    wDef = std::max(wDef, std::min<std::size_t>(28, formatValueToml(k.defaultValue).size()));
    wRange = std::max(wRange, std::min<std::size_t>(40, k.constraintText().size()));
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<4}  {}\n", "KEY", wKey, "TYPE",
                                wType, "DEFAULT", wDef, "RANGE", wRange, "LOCK", "HELP");
  for (const auto& k : schema.keys())
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<4}  {}\n", k.key, wKey,
                       valueTypeName(k.type), wType, formatValueToml(k.defaultValue), wDef,
                       k.constraintText(), wRange, k.lockable ? "yes" : "no", k.help);
  return out;
}

nlohmann::json schemaJson() {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : ConfigSchema::instance().keys()) {
    nlohmann::json j;
    j["key"] = k.key;
    j["type"] = valueTypeName(k.type);
    j["default"] = valueToJson(k.defaultValue);
    if (k.min) j["min"] = *k.min;
    if (k.max) j["max"] = *k.max;
    if (!k.choices.empty()) j["choices"] = k.choices;
    if (!k.allowed.empty()) j["allowed"] = k.allowed;
    if (k.maxItems) j["max_items"] = k.maxItems;
    j["expected"] = k.expectedText();
    j["help"] = k.help;
    j["lockable"] = k.lockable;
    j["scope"] = k.scope == KeyScope::kAny        ? "any"
                 : k.scope == KeyScope::kMainOnly ? "main"
                                                  : "profile";
    keys.push_back(std::move(j));
  }
  return {{"version", 1}, {"keys", std::move(keys)}};
}

}  // namespace liseur::config
