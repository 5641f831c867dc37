#include "speech/text/voice_preset.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/toml_guard.h"
#include "core/paths.h"

namespace liseur::speech {
namespace {

constexpr std::size_t kMaxPresetBytes = 64 * 1024;

std::string typeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

std::string describe(const toml::node& n) {
  std::ostringstream os;
  os << toml::node_view<const toml::node>(&n);
  return os.str() + " (" + typeName(n) + ")";
}

bool nameChars(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

class PresetParser {
 public:
  PresetParser(const std::string& file, VoicePreset& out) : file_(file), out_(out) {}

  void run(const toml::table& table) {
    for (auto&& [k, node] : table) {
      const std::string key(k.str());
      const int line = static_cast<int>(node.source().begin.line);
      if (key == "description") {
        text(key, node, line, out_.description, nullptr, "a string");
      } else if (key == "language") {
        text(
            key, node, line, out_.language,
            [](const std::string& v) {
              return v.size() >= 2 && v.size() <= 3 &&
                     std::all_of(v.begin(), v.end(), [](char c) { return c >= 'a' && c <= 'z'; });
            },
            "an ISO 639-1 code such as \"fr\" or \"en\" (lowercase)");
      } else if (key == "style") {
        std::string s;
        if (text(
                key, node, line, s,
                [](const std::string& v) {
                  return v == "standard" || v == "child" || v == "expert";
                },
                "one of \"standard\", \"child\", \"expert\""))
          out_.style = s == "child"    ? VoiceStyle::kChild
                       : s == "expert" ? VoiceStyle::kExpert
                                       : VoiceStyle::kStandard;
      } else if (key == "preferred") {
        if (const auto* b = node.as_boolean()) {
          out_.preferred = b->get();
        } else {
          error(line, key, "wrong type", "true or false", describe(node));
        }
      } else if (key == "voice") {
        text(
            key, node, line, out_.voice,
            [](const std::string& v) {
              return !v.empty() && v.size() <= 40 && nameChars(v, "-_/");
            },
            "an espeak-ng voice name such as \"fr\" or \"en-gb\" (letters, digits, -_/)");
      } else if (key == "variant") {
        text(
            key, node, line, out_.variant,
            [](const std::string& v) { return v.size() <= 40 && nameChars(v, "-_"); },
            "an espeak-ng variant such as \"f3\", or \"\" (letters, digits, -_)");
      } else if (key == "rate") {
        integer(key, node, line, out_.rate, 80, 450);
      } else if (key == "pitch") {
        integer(key, node, line, out_.pitch, 0, 99);
      } else if (key == "volume") {
        integer(key, node, line, out_.volume, 0, 200);
      } else if (key == "word_gap") {
        integer(key, node, line, out_.word_gap, 0, 100);
      } else if (key == "punctuation") {
        std::string s;
        if (text(
                key, node, line, s,
                [](const std::string& v) {
                  PunctuationLevel l;
                  return parsePunctuationLevel(v, l);
                },
                "one of \"none\", \"some\", \"all\""))
          parsePunctuationLevel(s, out_.punctuation);
      } else {
        error(line, key, "unknown key",
              "description, language, style, preferred, voice, variant, rate, pitch, volume, "
              "word_gap, punctuation",
              "");
      }
      seen_.push_back(key);
    }
    for (const char* required :
         {"language", "style", "voice", "rate", "pitch", "volume", "word_gap", "punctuation"}) {
      if (std::find(seen_.begin(), seen_.end(), required) == seen_.end())
        error(0, required, "missing key", "", "");
    }
  }

  // In file order (toml++ walks keys in name order); a missing key (line 0) last.
  std::vector<std::string> errors() const {
    std::vector<std::pair<int, std::string>> sorted = errors_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return (a.first == 0 ? INT_MAX : a.first) < (b.first == 0 ? INT_MAX : b.first);
    });
    std::vector<std::string> out;
    for (auto& [line, msg] : sorted) out.push_back(std::move(msg));
    return out;
  }

 private:
  void error(int line, const std::string& key, const std::string& what, const std::string& expected,
             const std::string& found) {
    std::string msg = line > 0 ? fmt::format("{}:{}: {}: {}", file_, line, key, what)
                               : fmt::format("{}: {}: {}", file_, key, what);
    if (!expected.empty()) msg += "; expected " + expected;
    if (!found.empty()) msg += ", found " + found;
    errors_.emplace_back(line, std::move(msg));
  }

  template <typename Check>
  bool text(const std::string& key, const toml::node& node, int line, std::string& out, Check check,
            const std::string& expected) {
    const auto* s = node.as_string();
    if (!s) {
      error(line, key, "wrong type", expected, describe(node));
      return false;
    }
    if constexpr (!std::is_same_v<Check, std::nullptr_t>) {
      if (!check(s->get())) {
        error(line, key, "invalid value", expected, describe(node));
        return false;
      }
    }
    out = s->get();
    return true;
  }

  void integer(const std::string& key, const toml::node& node, int line, int& out, int lo, int hi) {
    const std::string expected = fmt::format("an integer from {} to {}", lo, hi);
    const auto* i = node.as_integer();
    if (!i) return error(line, key, "wrong type", expected, describe(node));
    if (i->get() < lo || i->get() > hi)
      return error(line, key, "value out of range", expected, describe(node));
    out = static_cast<int>(i->get());
  }

  const std::string& file_;
  VoicePreset& out_;
  std::vector<std::string> seen_;
  std::vector<std::pair<int, std::string>> errors_;
};

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

std::string_view punctuationLevelName(PunctuationLevel level) {
  switch (level) {
    case PunctuationLevel::kNone:
      return "none";
    case PunctuationLevel::kSome:
      return "some";
    case PunctuationLevel::kAll:
      return "all";
  }
  return "some";
}

bool parsePunctuationLevel(std::string_view name, PunctuationLevel& out) {
  if (name == "none") {
    out = PunctuationLevel::kNone;
  } else if (name == "some") {
    out = PunctuationLevel::kSome;
  } else if (name == "all") {
    out = PunctuationLevel::kAll;
  } else {
    return false;
  }
  return true;
}

std::string_view voiceStyleName(VoiceStyle style) {
  switch (style) {
    case VoiceStyle::kStandard:
      return "standard";
    case VoiceStyle::kChild:
      return "child";
    case VoiceStyle::kExpert:
      return "expert";
  }
  return "standard";
}

std::string VoicePreset::espeakVoice() const {
  return variant.empty() ? voice : voice + "+" + variant;
}

Result<VoicePreset> parseVoicePreset(std::string_view tomlText, const std::string& file) {
  VoicePreset preset;
  preset.file = file;
  preset.name = std::filesystem::path(file).stem().string();
  try {
    // Through the config library's guard: toml++ 3.3 reaches undefined behaviour on some
    // non-ASCII text (found again by fuzzing this parser).
    toml::table table = config::parseToml(tomlText, file);
    PresetParser parser(file, preset);
    parser.run(table);
    if (const std::vector<std::string> errors = parser.errors(); !errors.empty())
      return Result<VoicePreset>::fail(ErrorCode::kConfigInvalid, joinLines(errors));
  } catch (const toml::parse_error& e) {
    return Result<VoicePreset>::fail(
        ErrorCode::kConfigInvalid,
        fmt::format("{}:{}:{}: TOML syntax error: {}", file, e.source().begin.line,
                    e.source().begin.column, e.description()));
  }
  return preset;
}

Result<VoicePreset> loadVoicePreset(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    return Result<VoicePreset>::fail(ErrorCode::kFileNotFound, path + ": no such file");
  if (!fs::is_regular_file(status))
    return Result<VoicePreset>::fail(ErrorCode::kNotRegularFile, path + ": not a regular file");
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxPresetBytes)
    return Result<VoicePreset>::fail(ErrorCode::kFileTooLarge,
                                     fmt::format("{}: {} bytes, a voice preset is at most {} bytes",
                                                 path, size, kMaxPresetBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<VoicePreset>::fail(ErrorCode::kFileUnreadable, path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseVoicePreset(ss.str(), path);
}

Result<VoicePresets> loadVoicePresets(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Result<VoicePresets>::fail(ErrorCode::kFileNotFound,
                                      dir + ": no such directory (voice presets)");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  if (ec)
    return Result<VoicePresets>::fail(ErrorCode::kFileUnreadable,
                                      dir + ": cannot be listed: " + ec.message());
  std::sort(files.begin(), files.end());
  VoicePresets presets;
  std::vector<std::string> errors;
  for (const fs::path& p : files) {
    Result<VoicePreset> preset = loadVoicePreset(p.string());
    if (!preset.ok()) {
      errors.push_back(preset.error().message);
      continue;
    }
    presets.emplace(preset->name, std::move(preset.value()));
  }
  if (!errors.empty())
    return Result<VoicePresets>::fail(ErrorCode::kConfigInvalid, joinLines(errors));
  return presets;
}

std::string shippedVoicesDir() {
  return dataDir() + "/voices";
}

const VoicePreset* presetForLanguage(const VoicePresets& presets, std::string_view lang,
                                     VoiceStyle style) {
  const std::size_t cut = lang.find_first_of("-_");
  std::string base(lang.substr(0, cut));
  for (char& c : base) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (base.empty()) return nullptr;
  const auto pick = [&](VoiceStyle s) -> const VoicePreset* {
    const VoicePreset* first = nullptr;
    for (const auto& [name, p] : presets) {  // std::map: by name
      if (p.language != base || p.style != s) continue;
      if (p.preferred) return &p;
      if (!first) first = &p;
    }
    return first;
  };
  if (const VoicePreset* p = pick(style)) return p;
  return style == VoiceStyle::kStandard ? nullptr : pick(VoiceStyle::kStandard);
}

}  // namespace liseur::speech
