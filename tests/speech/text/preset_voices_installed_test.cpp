// Every shipped voice preset selects an installed espeak-ng voice and variant, checked the way the
// speech worker selects it (SpeechEngine): the espeak-ng command cannot tell, since it falls back
// to a language match ("no-such-voice" speaks Norwegian) and ignores an unknown variant.
#include <gtest/gtest.h>

#include "speech/speech_engine.h"
#include "speech/speech_protocol.h"
#include "speech/text/voice_preset.h"

namespace liseur::speech {
namespace {

Status speakOneWord(SpeechEngine& engine, const VoiceSettings& settings) {
  SynthCallbacks callbacks;
  uint64_t samples = 0;
  callbacks.on_audio = [&](std::span<const int16_t> pcm) {
    samples += pcm.size();
    return true;
  };
  callbacks.on_mark = [](const WordMark&) { return true; };
  Result<uint64_t> r = engine.synthesize(UtteranceText("bonjour"), settings, callbacks);
  if (!r.ok()) return r.error();
  if (samples == 0) return makeError(ErrorCode::kSpeechFailed, "no audio");
  return okStatus();
}

TEST(ShippedVoices, EveryPresetSelectsAnInstalledEspeakVoice) {
  auto presets = loadVoicePresets(shippedVoicesDir());
  ASSERT_TRUE(presets.ok()) << presets.error().message;
  ASSERT_FALSE(presets->empty()) << shippedVoicesDir();
  auto engine = SpeechEngine::create(kSynthBufferMs);
  ASSERT_TRUE(engine.ok()) << engine.error().message;

  // The check itself fails on a missing voice and on a missing variant.
  VoiceSettings bad;
  bad.voice = "zz-nosuch";
  Status missing = speakOneWord(**engine, bad);
  ASSERT_FALSE(missing.ok()) << "voice " << bad.voice << " was accepted";
  EXPECT_EQ(missing.error().code, ErrorCode::kVoiceMissing) << missing.error().message;
  bad.voice = "fr+nosuchvariant";
  missing = speakOneWord(**engine, bad);
  ASSERT_FALSE(missing.ok()) << "voice " << bad.voice << " was accepted";
  EXPECT_EQ(missing.error().code, ErrorCode::kVoiceMissing) << missing.error().message;

  for (const auto& [name, p] : *presets) {
    VoiceSettings s;
    s.voice = p.espeakVoice();
    s.rate = p.rate;
    s.pitch = p.pitch;
    s.volume = p.volume;
    s.wordgap = p.word_gap;
    Status st = speakOneWord(**engine, s);
    EXPECT_TRUE(st.ok()) << "preset " << name << " (" << p.file << "), espeak-ng voice '" << s.voice
                         << "': " << (st.ok() ? "" : st.error().message);
  }
}

}  // namespace
}  // namespace liseur::speech
