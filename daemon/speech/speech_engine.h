// SpeechEngine: the one espeak-ng instance of the process (synchronous mode, UTF-8 text, no
// SSML), turning one utterance at a time into int16 PCM and word marks.
//
// espeak-ng keeps process-global state, so at most one SpeechEngine exists at a time (create()
// refuses a second) and every call, from create() to the destructor (espeak_Terminate), must be
// made on the same thread. Lives only in the speech worker process: no espeak-ng type or call
// leaves speech/.
//
// Cancellation: synthesize() stops at the next espeak-ng buffer (kSynthBufferMs of audio) after
// a callback returns false, and then returns kCancelled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/result.h"
#include "speech/utterance_text.h"

namespace liseur::speech {

struct VoiceSettings {
  std::string voice = "en";  // espeak-ng voice name, optionally "+variant"
  int rate = 175;            // words per minute, 80..900
  int pitch = 50;            // 0..100
  int volume = 100;          // 0..200
  int wordgap = 0;           // pause between words, units of 10 ms, 0..100
  bool end_pause = true;     // sentence pause after the text
};

// Checks ranges and the voice name's characters. Errors: invalid-argument naming the key, the
// value and the allowed range.
Status validateVoiceSettings(const VoiceSettings& settings);

struct WordMark {
  TextSpan span;        // bytes in the utterance text
  uint64_t sample = 0;  // first sample of the word, from the utterance's first sample
};

struct SynthCallbacks {
  // Samples in order. Return false to stop the utterance.
  std::function<bool(std::span<const int16_t> samples)> on_audio;
  // A word mark; called before the audio that holds its first sample. Return false to stop.
  std::function<bool(const WordMark& mark)> on_mark;
};

class SpeechEngine {
 public:
  // espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, bufferMs), then selects the default voice so
  // the phoneme tables are loaded before the first utterance. Errors: speech-failed when espeak-ng
  // data cannot be loaded or another SpeechEngine exists.
  static Result<std::unique_ptr<SpeechEngine>> create(int bufferMs);
  ~SpeechEngine();
  SpeechEngine(const SpeechEngine&) = delete;
  SpeechEngine& operator=(const SpeechEngine&) = delete;

  int sampleRate() const { return sample_rate_; }
  int bufferMs() const { return buffer_ms_; }
  std::string version() const;

  // Synthesises `text` with `settings`, calling `callbacks` from this thread as audio comes.
  // Returns the number of samples given to on_audio. Errors: invalid-argument (settings),
  // voice-missing naming the voice, speech-failed with espeak-ng's error code, cancelled when a
  // callback returned false.
  Result<uint64_t> synthesize(const UtteranceText& text, const VoiceSettings& settings,
                              const SynthCallbacks& callbacks);

 private:
  SpeechEngine(int sampleRate, int bufferMs) : sample_rate_(sampleRate), buffer_ms_(bufferMs) {}
  Status applySettings(const VoiceSettings& settings);

  int sample_rate_;
  int buffer_ms_;
  std::string current_voice_;  // empty: unknown, set it again
};

}  // namespace liseur::speech
