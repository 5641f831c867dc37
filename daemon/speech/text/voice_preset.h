// Voice presets: named sets of espeak-ng settings shipped in voices/*.toml (one preset a file,
// named after the file: voices/fr-enfant.toml is "fr-enfant").
//
// File format (TOML, every key at the top level; all keys but `description` and `variant` and
// `preferred` are required):
//
//   description = "Voix française claire et lente, pour les enfants"
//   language = "fr"          # ISO 639-1 code of what the voice speaks: 2 or 3 lowercase letters
//   style = "child"          # "standard", "child" or "expert" (what presetForLanguage picks)
//   preferred = true         # the one presetForLanguage picks among several of the same
//                            # language and style (default false)
//   voice = "fr"             # espeak-ng voice name (`espeak-ng --voices`)
//   variant = "f3"           # espeak-ng variant (`espeak-ng --voices=variant`), "" for none
//   rate = 140               # words per minute, 80..450
//   pitch = 55               # 0..99, 50 is the voice's normal pitch
//   volume = 100             # 0..200 percent
//   word_gap = 2             # extra pause between words in units of 10 ms, 0..100
//   punctuation = "some"     # "none", "some" or "all" (see speakable.h)
//
// Ranges are those of the configuration schema (speech.*) so a preset can be copied into a
// profile. Errors: config-invalid, with "FILE:LINE: KEY: what is wrong; expected ..., found ..."
// (a file with several errors reports them all, one a line); file-not-found for the directory.
// Values are plain data, copyable, no thread affinity.
#pragma once

#include <map>
#include <string>

#include "core/result.h"

namespace liseur::speech {

enum class PunctuationLevel {
  kNone,  // no punctuation or symbol is named; symbols espeak-ng would name are dropped
  kSome,  // espeak-ng's own choice (it names a few symbols such as '*', '@', '+')
  kAll,   // every punctuation mark is named in the utterance's language
};
std::string_view punctuationLevelName(PunctuationLevel level);
// "none" | "some" | "all"; false for anything else.
bool parsePunctuationLevel(std::string_view name, PunctuationLevel& out);

enum class VoiceStyle { kStandard, kChild, kExpert };
std::string_view voiceStyleName(VoiceStyle style);

struct VoicePreset {
  std::string name;  // the file name without .toml
  std::string description;
  std::string language;  // "fr", "en"
  VoiceStyle style = VoiceStyle::kStandard;
  bool preferred = false;
  std::string voice;    // espeak-ng voice, "fr"
  std::string variant;  // espeak-ng variant, "f3", or ""
  int rate = 175;
  int pitch = 50;
  int volume = 100;
  int word_gap = 0;
  PunctuationLevel punctuation = PunctuationLevel::kSome;
  std::string file;  // where it was loaded from

  // What the speech protocol's "voice" field takes: "fr+f3", or "fr" without a variant.
  std::string espeakVoice() const;
};

using VoicePresets = std::map<std::string, VoicePreset>;

// Parses one preset; `file` names it in errors and its stem is the preset name.
Result<VoicePreset> parseVoicePreset(std::string_view tomlText, const std::string& file);
Result<VoicePreset> loadVoicePreset(const std::string& path);
// Every *.toml in `dir`. An error in any file fails the whole load, naming every bad file.
Result<VoicePresets> loadVoicePresets(const std::string& dir);
// dataDir()/voices
std::string shippedVoicesDir();

// The preset to use for a block in `lang` ("fr", "en"; a region such as "fr-CA" or "en_US" is
// reduced to its language): among presets of that language and `style`, the preferred one, else
// the first by name; when the language has no preset of that style, its standard preset the same
// way. nullptr when no preset speaks the language. The pointer lives as long as `presets`.
const VoicePreset* presetForLanguage(const VoicePresets& presets, std::string_view lang,
                                     VoiceStyle style = VoiceStyle::kStandard);

}  // namespace liseur::speech
