// Voicing: how a profile's speech keys turn an utterance into what the speech worker is given,
// and how the worker's audio becomes the chunk's audio. The one place for it: the daemon's reads
// (control/session.cpp) and `liseur adapt`'s narration (control/adapt_job.cpp) both go through
// it, so the same profile gives the same words, voice, rate, pitch, chunks and doubtful-word
// signals in both.
//
//   Utterance ─► makeSpeakable (lexicon and punctuation of the voice's language)
//             ─► sentence chunks of at most kChunkBytes ─► doubtful words marked:
//                "tone" (a beep mixed in before the word, ChunkAudio) or "pitch" (the word said
//                apart, kDoubtfulPitchShift higher, no sentence pause between the pieces)
//             ─► speakRequest (voice, rate, pitch, volume, word gap of VoiceChoice)
//
// Voices: speech.voice_fr / voice_en name a voice preset of voices/ ("fr-enfant") or else an
// espeak-ng voice ("fr+f3"). A preset gives the espeak-ng voice and variant and its rate, pitch,
// volume, word gap and punctuation level; the keys the configuration sets itself (a profile, the
// user's file, `liseur set`: the *_set flags) win over the preset's.
//
// Values are plain data; a Voicing is used on one thread. No text is logged.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "document/document.h"
#include "speech/text/lexicon.h"
#include "speech/text/voice_preset.h"

namespace liseur::config {
class Config;
}

namespace liseur::speech {

// Chunks are sentences, cut at this size so a rate change or a stop is never far away.
inline constexpr std::size_t kChunkBytes = 400;
// How much higher (or lower, for a voice already high) a doubtful word is said.
inline constexpr int kDoubtfulPitchShift = 25;

// The profile's speech keys.
struct VoicingOptions {
  std::string voice_fr = "fr";
  std::string voice_en = "en-gb";
  std::string default_lang = "fr";  // for text whose language is unknown, or every text
  bool auto_language = true;        // pick the voice from each block's language
  int rate = 175, pitch = 50, volume = 100, word_gap = 0;
  std::string punctuation = "some";  // none | some | all (speakable.h)
  bool rate_set = false, pitch_set = false, volume_set = false, word_gap_set = false,
       punctuation_set = false;
  // Words whose OCR confidence is below the threshold are signalled: "tone", "pitch" or "none".
  int doubtful_threshold = 60;
  std::string doubtful_signal = "tone";
  // Voice presets and shipped lexicons; "" = dataDir()/voices, and the user's lexicons from
  // userConfigDir() (lexicon.h).
  std::string voices_dir;
};

// The speech keys of a configuration (speech.*, and ocr.language: a fixed "fr" or "en" is the
// language of every voice).
VoicingOptions voicingOptions(const config::Config& config);

// What speaks a language: the espeak-ng voice and the settings in use.
struct VoiceChoice {
  std::string lang;    // the language spoken ("fr", "en")
  std::string voice;   // espeak-ng voice for the speech protocol ("fr+f3")
  std::string preset;  // the preset's name, "" when a plain espeak-ng voice is named
  int rate = 175, pitch = 50, volume = 100, word_gap = 0;
  PunctuationLevel punctuation = PunctuationLevel::kSome;
};

// One chunk of speech: the text made speakable, as sent to the speech worker.
struct SpokenChunk {
  Utterance u;       // refs index the document the utterance came from
  std::string lang;  // the language of the voice that says it
  bool literal = false;
  int pitchShift = 0;  // a doubtful word said at another pitch
  bool endPause = true;
  std::vector<int> doubtful;  // byte offsets of the doubtful words that get a tone
};

class Voicing {
 public:
  // Takes the options and reads the voice presets and lexicons they name. A broken file is
  // passed to `problem` (file and line) and left out; a lexicon that cannot be read keeps the
  // last good one of its language.
  void configure(VoicingOptions options, const std::function<void(const Error&)>& problem);
  // New options without reading the files again (`liseur set rate`; a reload calls configure).
  void setOptions(VoicingOptions options) { opts_ = std::move(options); }
  const VoicingOptions& options() const { return opts_; }

  VoiceChoice choose(const std::string& lang) const;
  // The utterance as chunks to send, in order (blank ones left out). `literal`: the text as it
  // is, not made speakable. Doubtful words are looked up in `document` by the utterance's refs.
  std::vector<SpokenChunk> chunks(const Utterance& utterance, const Document& document,
                                  bool literal) const;

 private:
  VoicingOptions opts_;
  VoicePresets presets_;
  std::map<std::string, Lexicon> lexicons_;  // by language; missing: none or broken
};

// The utterance's text from byte `begin` to `end` as an utterance of its own, with the refs that
// start there (a ref of length 0 at `end` goes to the next piece).
Utterance sliceUtterance(const Utterance& u, std::size_t begin, std::size_t end);

// The speech worker's request for a chunk (speech_protocol.h); the text goes as the payload.
nlohmann::json speakRequest(const SpokenChunk& chunk, const VoiceChoice& voice, uint64_t gen,
                            int utt);

// The doubtful-word tone: 45 ms of 1200 Hz with raised-cosine edges (no click), then 35 ms of
// silence before the word.
std::vector<int16_t> doubtfulTone(int sampleRate);

// The audio of one chunk as the speech worker sends it: PCM frames and word marks, in sample
// order. Tones for the chunk's doubtful words go in just before the word's first sample.
class ChunkAudio {
 public:
  // The worker's PCM with the tones that fall in it, as pieces given to `out` in order.
  void pcm(const int16_t* in, std::size_t n, const std::vector<int16_t>& tone,
           const std::function<void(const int16_t*, std::size_t)>& out);

  struct Mark {
    int ref = -1;         // index into chunk.u.words, -1 when no word holds the mark
    bool repeat = false;  // the same ref as the mark before (an expansion: "km/h")
    uint64_t at = 0;      // the word's first sample in the chunk's audio, tones included
  };
  // A word mark at byte `offset` of the chunk's text, at the worker's `sample`.
  Mark mark(const SpokenChunk& chunk, int offset, uint64_t sample, std::size_t toneSamples);

  // The chunk's audio so far: the worker's samples and the tones mixed in.
  uint64_t samples() const { return workerSamples_ + added_; }
  uint64_t added() const { return added_; }  // the tones' samples

 private:
  uint64_t workerSamples_ = 0, added_ = 0;
  std::deque<uint64_t> tones_;  // worker samples before which a tone waits
  int lastRef_ = -1;
};

}  // namespace liseur::speech
