#include "speech/speech_engine.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <string_view>
#include <vector>

#include "core/stderr_capture.h"

namespace liseur::speech {
namespace {

// espeak-ng's callback is a plain function pointer with no reliable user pointer on every call,
// and espeak-ng itself is process-global: the utterance being synthesised is process-global too.
struct ActiveSynthesis {
  const UtteranceText* text = nullptr;
  const SynthCallbacks* callbacks = nullptr;
  int sample_rate = 22050;
  uint64_t samples = 0;
  bool have_mark = false;
  std::size_t last_mark_end = 0;
  uint64_t last_mark_sample = 0;
  bool stopped = false;
  std::vector<int16_t> swapped;  // big-endian hosts only
};

ActiveSynthesis* g_active = nullptr;
std::atomic<bool> g_engine_exists{false};

int synthCallback(short* wav, int numSamples, espeak_EVENT* events) {
  ActiveSynthesis* a = g_active;
  if (a == nullptr || a->stopped) return 1;
  for (espeak_EVENT* ev = events; ev && ev->type != espeakEVENT_LIST_TERMINATED; ++ev) {
    if (ev->type != espeakEVENT_WORD) continue;
    std::optional<TextSpan> span = a->text->wordAt(ev->text_position);
    // Several espeak-ng words inside one written word ("123" is read in groups): keep the first.
    if (!span || (a->have_mark && span->offset < a->last_mark_end)) continue;
    // `sample` counts from the start of this espeak_Synth call (checked against the samples
    // delivered, also with libsonic above 450 wpm); audio_position (ms) is the coarser fallback.
    uint64_t sample = ev->sample >= 0 ? static_cast<uint64_t>(ev->sample)
                                      : static_cast<uint64_t>(std::max(ev->audio_position, 0)) *
                                            static_cast<uint64_t>(a->sample_rate) / 1000;
    if (a->have_mark) sample = std::max(sample, a->last_mark_sample);
    a->have_mark = true;
    a->last_mark_end = span->end();
    a->last_mark_sample = sample;
    if (a->callbacks->on_mark && !a->callbacks->on_mark(WordMark{*span, sample})) {
      a->stopped = true;
      return 1;
    }
  }
  if (wav != nullptr && numSamples > 0) {
    std::span<const int16_t> pcm(reinterpret_cast<const int16_t*>(wav),
                                 static_cast<std::size_t>(numSamples));
    if constexpr (std::endian::native == std::endian::big) {
      a->swapped.assign(pcm.begin(), pcm.end());
      for (auto& s : a->swapped)
        s = static_cast<int16_t>((static_cast<uint16_t>(s) >> 8) | (static_cast<uint16_t>(s) << 8));
      pcm = a->swapped;
    }
    a->samples += pcm.size();
    if (a->callbacks->on_audio && !a->callbacks->on_audio(pcm)) {
      a->stopped = true;
      return 1;
    }
  }
  return 0;
}

bool voiceNameCharsOk(std::string_view v) {
  if (v.empty() || v.size() > 64 || v.find("..") != std::string_view::npos || v.front() == '/')
    return false;
  // "name" or "name+variant", both parts non-empty.
  const std::size_t plus = v.find('+');
  if (plus != std::string_view::npos &&
      (plus == 0 || plus + 1 == v.size() || v.find('+', plus + 1) != std::string_view::npos))
    return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '+' || c == '/';
  });
}

Status checkRange(const char* key, int value, int lo, int hi) {
  if (value >= lo && value <= hi) return okStatus();
  return makeError(ErrorCode::kInvalidArgument, std::string("speak: \"") + key + "\" is " +
                                                    std::to_string(value) + ", expected " +
                                                    std::to_string(lo) + ".." + std::to_string(hi));
}

Status voiceMissing(const std::string& voice, const std::string& why) {
  return makeError(ErrorCode::kVoiceMissing, "espeak-ng voice \"" + voice + "\" " + why +
                                                 " (`espeak-ng --voices` lists the installed "
                                                 "ones; package espeak-ng-data)");
}

// Selects "name[+variant]". A voice is found by its file name ("fr", "en-us", "gmw/en"); a
// language code such as "en-gb" names no file (the British voice is gmw/en), so, as the
// espeak-ng command does, it is then matched by language, and the variant is applied to the
// voice found. espeak-ng silently ignores an unknown variant: we check that it took.
Status selectVoice(const std::string& voice) {
  const std::size_t plus = voice.find('+');
  const std::string base = voice.substr(0, plus);
  const std::string variant = plus == std::string::npos ? "" : voice.substr(plus + 1);
  espeak_ERROR err = espeak_SetVoiceByName(voice.c_str());
  if (err == EE_NOT_FOUND) {
    espeak_VOICE wanted{};
    wanted.languages = base.c_str();
    err = espeak_SetVoiceByProperties(&wanted);
    const espeak_VOICE* found = espeak_GetCurrentVoice();
    if (err == EE_OK && !variant.empty() && found && found->identifier)
      err = espeak_SetVoiceByName((std::string(found->identifier) + "+" + variant).c_str());
  }
  if (err == EE_NOT_FOUND) return voiceMissing(voice, "is not installed");
  if (err != EE_OK)
    return makeError(ErrorCode::kSpeechFailed, "espeak-ng could not select voice \"" + voice +
                                                   "\", error " + std::to_string(err));
  if (!variant.empty()) {
    const espeak_VOICE* cur = espeak_GetCurrentVoice();
    const std::string id = cur && cur->identifier ? cur->identifier : "";
    if (!id.ends_with("+" + variant))
      return voiceMissing(voice, "has no variant \"" + variant + "\"");
  }
  return okStatus();
}

}  // namespace

Status validateVoiceSettings(const VoiceSettings& s) {
  if (!voiceNameCharsOk(s.voice))
    return makeError(
        ErrorCode::kInvalidArgument,
        "speak: \"voice\" must be name or name+variant, 1-64 characters among letters, "
        "digits and \"-_+/\" (got " +
            std::to_string(s.voice.size()) + " bytes)");
  for (auto st : {checkRange("rate", s.rate, 80, 900), checkRange("pitch", s.pitch, 0, 100),
                  checkRange("volume", s.volume, 0, 200), checkRange("wordgap", s.wordgap, 0, 100)})
    if (!st) return st;
  return okStatus();
}

Result<std::unique_ptr<SpeechEngine>> SpeechEngine::create(int bufferMs) {
  if (g_engine_exists.exchange(true))
    return makeError(ErrorCode::kSpeechFailed, "espeak-ng is already owned by another engine");
  // DONT_EXIT: without it espeak-ng calls exit() when its data is missing; we report instead.
  // espeak-ng's audio library probes PulseAudio even in synchronous mode; the sandbox refuses
  // the socket and libpulse says so on stderr: that line is noise, the rest is kept.
  StderrCapture probe;
  int rate =
      espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, bufferMs, nullptr, espeakINITIALIZE_DONT_EXIT);
  probe.finish();
  if (rate <= 0) {
    g_engine_exists = false;
    return makeError(ErrorCode::kSpeechFailed,
                     "espeak-ng could not initialise (is the espeak-ng-data package installed?), "
                     "code " +
                         std::to_string(rate));
  }
  espeak_SetSynthCallback(synthCallback);
  std::unique_ptr<SpeechEngine> engine(new SpeechEngine(rate, bufferMs));
  // The first voice selected loads espeak-ng's phoneme tables (~25 ms here); later switches
  // between voices cost under 1 ms. Paying it now keeps it off the first utterance.
  if (selectVoice(VoiceSettings{}.voice)) engine->current_voice_ = VoiceSettings{}.voice;
  return engine;
}

SpeechEngine::~SpeechEngine() {
  espeak_Terminate();
  g_engine_exists = false;
}

std::string SpeechEngine::version() const {
  const char* v = espeak_Info(nullptr);
  return v ? v : "";
}

Status SpeechEngine::applySettings(const VoiceSettings& s) {
  if (auto st = validateVoiceSettings(s); !st) return st;
  if (s.voice != current_voice_) {
    current_voice_.clear();  // a failed change may leave espeak-ng on another voice
    if (auto st = selectVoice(s.voice); !st) return st;
    current_voice_ = s.voice;
  }
  // Set every time: a voice change, or espeak-ng's own reset after a cancel, may change them.
  const std::array<std::pair<espeak_PARAMETER, int>, 4> params{{{espeakRATE, s.rate},
                                                                {espeakPITCH, s.pitch},
                                                                {espeakVOLUME, s.volume},
                                                                {espeakWORDGAP, s.wordgap}}};
  for (auto [p, v] : params) {
    if (espeak_ERROR err = espeak_SetParameter(p, v, 0); err != EE_OK)
      return makeError(ErrorCode::kSpeechFailed, "espeak-ng refused parameter " +
                                                     std::to_string(static_cast<int>(p)) +
                                                     ", error " + std::to_string(err));
  }
  return okStatus();
}

Result<uint64_t> SpeechEngine::synthesize(const UtteranceText& text, const VoiceSettings& settings,
                                          const SynthCallbacks& callbacks) {
  if (auto st = applySettings(settings); !st) return st.error();
  ActiveSynthesis active;
  active.text = &text;
  active.callbacks = &callbacks;
  active.sample_rate = sample_rate_;
  g_active = &active;
  unsigned flags = espeakCHARS_UTF8 | (settings.end_pause ? espeakENDPAUSE : 0);
  const std::string& t = text.text();
  espeak_ERROR err =
      espeak_Synth(t.c_str(), t.size() + 1, 0, POS_CHARACTER, 0, flags, nullptr, nullptr);
  g_active = nullptr;
  if (active.stopped) return makeError(ErrorCode::kCancelled, "utterance cancelled");
  if (err != EE_OK)
    return makeError(ErrorCode::kSpeechFailed, "espeak_Synth failed with error " +
                                                   std::to_string(err) + " on " +
                                                   std::to_string(t.size()) + " bytes of text");
  return active.samples;
}

}  // namespace liseur::speech
