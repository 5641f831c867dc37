#include "dys_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "liseur_plugin.hpp"

namespace liseur::dys {
namespace {

using liseur::sdk::PluginError;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Colours. The names are the configuration's (daemon/config/config_schema.cpp, colourNames()).
// The light-background shades keep a contrast of at least 4.5:1 on the cream of the dys theme
// (blue 6.8, red 5.6, green 5.3), so colouring never costs legibility; dark themes get lighter
// shades of the same hues.

struct NamedColour {
  const char* name;
  const char* light;
  const char* dark;
};

constexpr NamedColour kColours[] = {
    {"black", "#000000", "#f0f0f0"},  {"white", "#ffffff", "#ffffff"},
    {"grey", "#595959", "#b3b3b3"},   {"dark-grey", "#333333", "#d0d0d0"},
    {"blue", "#0050c8", "#7cb4ff"},   {"dark-blue", "#002a80", "#a8c8ff"},
    {"red", "#c8102e", "#ff7a7a"},    {"dark-red", "#8b0000", "#ffa3a3"},
    {"green", "#007a33", "#5fd38a"},  {"dark-green", "#005020", "#9be3b3"},
    {"orange", "#b35900", "#ffae5c"}, {"purple", "#6a2c9e", "#c89bff"},
    {"brown", "#7a4a1c", "#d9a066"},  {"yellow", "#8a6d00", "#ffe14d"},
    {"pink", "#c2185b", "#ff8fc1"},   {"cyan", "#00788a", "#5fe0f0"},
};

// ---------------------------------------------------------------------------------------------
// Option specifications: the same names, types and limits as manifest.json (a golden test tries
// a value out of range for each manifest option and expects a refusal).

enum class Kind { kBool, kInt, kNumber, kString, kColours };

struct Spec {
  const char* key;
  Kind kind;
  double min = 0, max = 0;
  std::vector<std::string> choices = {};
  std::vector<int> allowed = {};
};

const std::vector<Spec>& specs() {
  static const std::vector<Spec> s = {
      {"theme",
       Kind::kString,
       0,
       0,
       {"black-on-white", "white-on-black", "yellow-on-black", "dys"}},
      {"font", Kind::kString},
      {"font_size_pt", Kind::kNumber, 8, 72},
      {"line_spacing", Kind::kNumber, 1, 3},
      {"letter_spacing_em", Kind::kNumber, 0, 0.5},
      {"word_spacing_em", Kind::kNumber, 0, 2},
      {"spacing", Kind::kString, 0, 0, {"custom", "wcag", "aere"}},
      {"syllables", Kind::kBool},
      {"syllable_style", Kind::kString, 0, 0, {"colours", "arcs"}},
      {"syllable_colours", Kind::kColours, 1, 6},
      {"line_colours", Kind::kColours, 0, 6},
      {"word_colours", Kind::kColours, 0, 6},
      {"silent_letters", Kind::kBool},
      {"line_focus", Kind::kInt, 0, 5, {}, {0, 1, 3, 5}},
      {"screens", Kind::kString, 0, 0, {"all", "block", "exercise"}},
      {"highlight_word", Kind::kBool},
      {"chunk_words", Kind::kInt, 2, 30},
      {"cut_at_lines", Kind::kBool},
  };
  return s;
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string numText(double v) {
  json j = v;
  if (std::floor(v) == v && std::abs(v) < 1e9) j = static_cast<long long>(v);
  return j.dump();
}

[[noreturn]] void badOption(const std::string& key, const std::string& expected,
                            const json& found) {
  throw PluginError(LISEUR_ERR_INVALID_OPTIONS,
                    "option \"" + key + "\": expected " + expected + " (found " +
                        found.dump(-1, ' ', false, json::error_handler_t::replace) + ")");
}

void checkOne(const Spec& s, const json& v) {
  const std::string key = s.key;
  switch (s.kind) {
    case Kind::kBool:
      if (!v.is_boolean()) badOption(key, "true or false", v);
      break;
    case Kind::kInt: {
      std::string range = "a whole number from " + numText(s.min) + " to " + numText(s.max);
      if (!s.allowed.empty()) {
        std::vector<std::string> a;
        for (int x : s.allowed) a.push_back(std::to_string(x));
        range = "one of " + joined(a, ", ");
      }
      if (!v.is_number_integer()) badOption(key, range, v);
      const auto x = v.get<long long>();
      if (x < s.min || x > s.max) badOption(key, range, v);
      if (!s.allowed.empty() && std::find(s.allowed.begin(), s.allowed.end(), x) == s.allowed.end())
        badOption(key, range, v);
      break;
    }
    case Kind::kNumber: {
      const std::string range = "a number from " + numText(s.min) + " to " + numText(s.max);
      if (!v.is_number() || !std::isfinite(v.get<double>())) badOption(key, range, v);
      const double x = v.get<double>();
      if (x < s.min || x > s.max) badOption(key, range, v);
      break;
    }
    case Kind::kString:
      if (!v.is_string())
        badOption(key, s.choices.empty() ? "text" : "one of " + joined(s.choices, ", "), v);
      if (!s.choices.empty() &&
          std::find(s.choices.begin(), s.choices.end(), v.get<std::string>()) == s.choices.end())
        badOption(key, "one of " + joined(s.choices, ", "), v);
      if (s.choices.empty() && v.get<std::string>().size() > 200)
        badOption(key, "at most 200 characters", v);
      break;
    case Kind::kColours: {
      const std::string what = "a list of " + numText(s.min) + " to " + numText(s.max) +
                               " colours (" + colourNameList() + " or #rrggbb)";
      if (!v.is_array()) badOption(key, what, v);
      if (v.size() < s.min || v.size() > s.max) badOption(key, what, v);
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!v[i].is_string() || cssColour(v[i].get<std::string>(), false).empty())
          badOption(key + "[" + std::to_string(i) + "]",
                    "a colour: " + colourNameList() + " or #rrggbb", v[i]);
      break;
    }
  }
}

std::vector<std::string> colours(const json& v, bool dark) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(cssColour(c.get<std::string>(), dark));
  return out;
}

// Document reading with paths in the messages.
[[noreturn]] void badDoc(const std::string& path, const std::string& expected) {
  throw PluginError(LISEUR_ERR_INVALID_INPUT, path + ": expected " + expected);
}

const json& member(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) badDoc(path + "." + key, "a value (missing)");
  return *it;
}

std::string optString(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) badDoc(path + "." + key, "text");
  return it->get<std::string>();
}

const json& array(const json& obj, const char* key, const std::string& path) {
  const json& a = member(obj, key, path);
  if (!a.is_array()) badDoc(path + "." + key, "an array");
  return a;
}

}  // namespace

std::string cssColour(const std::string& name, bool dark) {
  for (const auto& c : kColours)
    if (name == c.name) return dark ? c.dark : c.light;
  auto hex = [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; };
  if ((name.size() == 4 || name.size() == 7) && name[0] == '#' &&
      std::all_of(name.begin() + 1, name.end(), hex)) {
    std::string out = "#";
    for (std::size_t i = 1; i < name.size(); ++i) {
      const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
      out += ch;
      if (name.size() == 4) out += ch;
    }
    return out;
  }
  return {};
}

std::string colourNameList() {
  std::string out;
  for (const auto& c : kColours) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

Options Options::fromJson(const json& all) {
  if (!all.is_object())
    throw PluginError(LISEUR_ERR_INVALID_OPTIONS, "the options are not a JSON object");
  for (const auto& s : specs()) {
    auto it = all.find(s.key);
    if (it == all.end())
      badOption(s.key, "a value (missing; the manifest declares a default)", nullptr);
    checkOne(s, *it);
  }
  Options o;
  o.raw = json::object();
  for (const auto& s : specs()) o.raw[s.key] = all.at(s.key);
  const json& j = o.raw;
  o.theme = j["theme"];
  o.font = j["font"];
  o.fontSizePt = j["font_size_pt"];
  o.lineSpacing = j["line_spacing"];
  o.letterSpacingEm = j["letter_spacing_em"];
  o.wordSpacingEm = j["word_spacing_em"];
  o.spacing = j["spacing"];
  o.syllables = j["syllables"];
  o.syllableStyle = j["syllable_style"];
  const bool dark = o.theme == "white-on-black" || o.theme == "yellow-on-black";
  o.syllableColours = colours(j["syllable_colours"], dark);
  o.lineColours = colours(j["line_colours"], dark);
  o.wordColours = colours(j["word_colours"], dark);
  o.silentLetters = j["silent_letters"];
  o.lineFocus = j["line_focus"];
  o.screens = j["screens"];
  o.highlightWord = j["highlight_word"];
  o.chunkWords = j["chunk_words"];
  o.cutAtLines = j["cut_at_lines"];
  return o;
}

Options Options::merged(const json& overrides) const {
  if (overrides.is_null()) return *this;
  if (!overrides.is_object())
    throw PluginError(LISEUR_ERR_INVALID_OPTIONS, "\"options\" is not a JSON object");
  json all = raw;
  for (const auto& [k, v] : overrides.items())
    if (all.contains(k)) all[k] = v;
  return fromJson(all);
}

// WCAG 2.1 success criterion 1.4.12 (text spacing): line height at least 1.5, letter spacing
// 0.12 em, word spacing 0.16 em. "Aéré" is the airy layout French teachers ask for: at least
// 16 pt, line spacing 2, and word spacing doubled: the space of OpenDyslexic and DejaVu Sans is
// about 0.32 em wide, so 0.32 em of extra spacing doubles it.
double Options::effectiveFontSizePt() const {
  return spacing == "aere" ? std::max(fontSizePt, 16.0) : fontSizePt;
}
double Options::effectiveLineSpacing() const {
  if (spacing == "wcag") return std::max(lineSpacing, 1.5);
  if (spacing == "aere") return std::max(lineSpacing, 2.0);
  return lineSpacing;
}
double Options::effectiveLetterSpacingEm() const {
  return spacing == "custom" ? letterSpacingEm : std::max(letterSpacingEm, 0.12);
}
double Options::effectiveWordSpacingEm() const {
  if (spacing == "wcag") return std::max(wordSpacingEm, 0.16);
  if (spacing == "aere") return std::max(wordSpacingEm, 0.32);
  return wordSpacingEm;
}

Doc readDocument(const json& j) {
  if (!j.is_object()) badDoc("document", "an object");
  const std::string format = optString(j, "format", "document");
  if (format != "liseur-document/1")
    throw PluginError(LISEUR_ERR_UNSUPPORTED,
                      "document.format: expected \"liseur-document/1\" (found \"" + format + "\")");
  Doc doc;
  doc.lang = optString(j, "lang", "document");
  const json& blocks = array(j, "blocks", "document");
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const std::string bp = "document.blocks[" + std::to_string(b) + "]";
    if (!blocks[b].is_object()) badDoc(bp, "an object");
    DocBlock block;
    block.kind = optString(blocks[b], "kind", bp);
    if (block.kind.empty()) block.kind = "text";
    block.lang = optString(blocks[b], "lang", bp);
    const json& lines = array(blocks[b], "lines", bp);
    for (std::size_t l = 0; l < lines.size(); ++l) {
      const std::string lp = bp + ".lines[" + std::to_string(l) + "]";
      if (!lines[l].is_object()) badDoc(lp, "an object");
      DocLine line;
      const json& words = array(lines[l], "words", lp);
      for (std::size_t w = 0; w < words.size(); ++w) {
        const std::string wp = lp + ".words[" + std::to_string(w) + "]";
        if (!words[w].is_object()) badDoc(wp, "an object");
        const json& text = member(words[w], "text", wp);
        if (!text.is_string()) badDoc(wp + ".text", "text");
        line.words.push_back(DocWord{text.get<std::string>(), optString(words[w], "lang", wp)});
      }
      block.lines.push_back(std::move(line));
    }
    doc.blocks.push_back(std::move(block));
  }
  if (auto it = j.find("answers"); it != j.end()) {
    if (!it->is_array()) badDoc("document.answers", "an array");
    static const char* kKinds[] = {"blank", "field", "lines", "box", "check", "choice", "cell"};
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string ap = "document.answers[" + std::to_string(i) + "]";
      const json& a = (*it)[i];
      if (!a.is_object()) badDoc(ap, "an object");
      DocAnswer ans;
      ans.kind = optString(a, "kind", ap);
      if (std::none_of(std::begin(kKinds), std::end(kKinds),
                       [&](const char* k) { return ans.kind == k; }))
        badDoc(ap + ".kind", "blank, field, lines, box, check, choice or cell");
      auto integer = [&](const char* key, int dflt) {
        auto m = a.find(key);
        if (m == a.end()) return dflt;
        if (!m->is_number_integer()) badDoc(ap + "." + key, "an integer");
        return m->get<int>();
      };
      ans.block = integer("block", -1);
      ans.line = integer("line", -1);
      ans.after = integer("after", -1);
      ans.rows = std::clamp(integer("rows", 1), 1, 12);
      ans.row = std::max(-1, integer("row", -1));
      if (ans.block < 0 || ans.block >= int(doc.blocks.size()) || ans.line < 0 ||
          ans.line >= int(doc.blocks[ans.block].lines.size()))
        badDoc(ap, "block and line of this document");
      const int words = int(doc.blocks[ans.block].lines[ans.line].words.size());
      if (ans.after < -1 || ans.after >= words) badDoc(ap + ".after", "a word of its line or -1");
      if (auto c = a.find("covers"); c != a.end()) {
        if (!c->is_array()) badDoc(ap + ".covers", "an array of word indices");
        for (const auto& w : *c) {
          if (!w.is_number_integer() || w.get<int>() < 0 || w.get<int>() >= words)
            badDoc(ap + ".covers", "words of its line");
          ans.covers.push_back(w.get<int>());
        }
      }
      if (auto e = a.find("ends_line"); e != a.end()) {
        if (!e->is_boolean()) badDoc(ap + ".ends_line", "true or false");
        ans.endsLine = e->get<bool>();
      }
      ans.label = optString(a, "label", ap);
      ans.field = optString(a, "field", ap);
      if (auto o = a.find("options"); o != a.end()) {
        if (!o->is_array() || o->size() > 12) badDoc(ap + ".options", "at most 12 strings");
        for (const auto& v : *o) {
          if (!v.is_string()) badDoc(ap + ".options", "strings");
          ans.options.push_back(v.get<std::string>());
        }
      }
      doc.answers.push_back(std::move(ans));
    }
  }
  return doc;
}

std::string wordLang(const Doc& doc, const DocBlock& block, const DocWord& word) {
  if (!word.lang.empty()) return word.lang;
  if (!block.lang.empty()) return block.lang;
  if (!doc.lang.empty()) return doc.lang;
  return "fr";
}

}  // namespace liseur::dys
