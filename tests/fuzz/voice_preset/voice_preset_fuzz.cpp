// Fuzzes parseVoicePreset (speech/text/voice_preset.h) on arbitrary bytes. Checks, besides crashes
// and sanitizers:
//  - a rejected preset has a message naming the file, one line per error;
//  - an accepted preset is named after the file, its values are in the documented ranges and its
//    language, voice and variant are made of the documented characters;
//  - written back as TOML, it parses again to the same preset.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "speech/text/voice_preset.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool chars(const std::string& s, std::string_view extra) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          extra.find(c) != std::string_view::npos))
      return false;
  return true;
}

// A TOML basic string holding `s` (valid UTF-8, as the parser only accepts that).
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string styleName(liseur::speech::VoiceStyle s) {
  return std::string(liseur::speech::voiceStyleName(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace liseur::speech;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string file = "voices/fr-fuzz.toml";
  auto preset = parseVoicePreset(input, file);
  if (!preset.ok()) {
    check(preset.error().message.rfind(file + ":", 0) == 0);
    return 0;
  }
  const VoicePreset& p = *preset;
  check(p.name == "fr-fuzz" && p.file == file);
  check(p.language.size() >= 2 && p.language.size() <= 3 && chars(p.language, ""));
  check(!p.voice.empty() && p.voice.size() <= 40 && chars(p.voice, "-_/"));
  check(p.variant.size() <= 40 && chars(p.variant, "-_"));
  check(p.rate >= 80 && p.rate <= 450 && p.pitch >= 0 && p.pitch <= 99);
  check(p.volume >= 0 && p.volume <= 200 && p.word_gap >= 0 && p.word_gap <= 100);
  check(!p.espeakVoice().empty());

  std::string toml;
  if (!p.description.empty()) toml += "description = " + quoted(p.description) + "\n";
  toml += "language = " + quoted(p.language) + "\n";
  toml += "style = " + quoted(styleName(p.style)) + "\n";
  toml += std::string("preferred = ") + (p.preferred ? "true" : "false") + "\n";
  toml += "voice = " + quoted(p.voice) + "\n";
  toml += "variant = " + quoted(p.variant) + "\n";
  toml += "rate = " + std::to_string(p.rate) + "\n";
  toml += "pitch = " + std::to_string(p.pitch) + "\n";
  toml += "volume = " + std::to_string(p.volume) + "\n";
  toml += "word_gap = " + std::to_string(p.word_gap) + "\n";
  toml += "punctuation = " + quoted(std::string(punctuationLevelName(p.punctuation))) + "\n";
  auto again = parseVoicePreset(toml, file);
  check(again.ok());
  const VoicePreset& q = *again;
  check(q.description == p.description && q.language == p.language && q.style == p.style);
  check(q.preferred == p.preferred && q.voice == p.voice && q.variant == p.variant);
  check(q.rate == p.rate && q.pitch == p.pitch && q.volume == p.volume);
  check(q.word_gap == p.word_gap && q.punctuation == p.punctuation);
  return 0;
}
