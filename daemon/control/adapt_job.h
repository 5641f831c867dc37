// AdaptJob: images or PDFs made into ONE self-contained HTML view with its narration, without
// liseurd (`liseur adapt FILE... --profile NAME -o OUT.html`). Several files, a multi-page TIFF and
// a PDF's pages become one page, the sheets one after the other. A teacher prepares a worksheet
// on any machine and copies the file to a USB stick; nothing here needs a running daemon or a sound
// card.
//
// Pages: each page is one request to an OCR worker (`"pages":{"first":P,"count":1}`; a file's
// "pages" event says how many it has, and its other pages are queued right after it). With
// several pages on a machine of two cores or more, two OCR workers take the pages in turn (a page
// of paper is recognised on one core), each with one reader thread; the page being placed streams
// its blocks at once, the pages after it wait, and each goes under the one before.
//
// On its own EventLoop it starts the same workers the daemon uses — liseur-ocr-worker (one or two),
// liseur-plugin-host (a PluginChain configured from the profile's plugins.chain and
// plugins.options.*) and liseur-speech-worker — and runs, block after block in reading order:
//
//   OCR block ─► chain.adapt ─► chain.speak (or defaultUtterances) ─► speech::Voicing (the
//             daemon's: speakable text, chunks, voice, doubtful words) ─► speech worker: PCM +
//             word marks (+ the doubtful-word tones, speech::ChunkAudio)
//
// so block k is adapted and synthesised while block k+1 is still being recognised (three
// processes on two cores). When the last utterance has ended, the PCM becomes one WAV (16-bit
// mono at the speech worker's rate), each word mark becomes a timing {start_ms, end_ms, block,
// line, word} (a mark belongs to the utterance word ref whose [offset, offset + length) holds
// its byte offset; refs index the adapted document), and chain.render (the first plugin of the
// chain with a render hook, else large-print) gets the adapted document, the profile's view.*
// options (without the "view." prefix) and the narration (a stand-in WAV whose place in the
// page is then filled with the real one, so megabytes of base64 do not cross the host twice; a
// plugin that does not embed it as is renders again with the real WAV). The HTML is written
// atomically.
//
// Speech follows the profile exactly as the daemon does (speech/text/voicing.h, the same code):
// voice per block language from speech.voice_fr / voice_en (a voice preset of voices/, such as
// "fr-enfant", gives its espeak-ng voice, rate, pitch, volume, word gap and punctuation, unless
// the profile sets them), one voice for all when speech.auto_language is off or ocr.language is
// fixed; text made speakable with the language's lexicon; 400-byte sentence chunks; doubtful
// words signalled by speech.doubtful_signal (a tone in the narration, or the word said higher).
//
// Errors (the Result): the image (file-not-found, image-corrupt, ... naming the file), a worker
// that cannot start or dies on the image (worker-unavailable, worker-crashed), no plugin able to
// render (plugin-unavailable), narration too long to embed (file-too-large, with the limit), the
// output (config-write-failed naming the file). Warnings (AdaptReport::warnings, and `warn` at
// once): a plugin skipped for a fault or not installed (plugin-failed / plugin-unavailable naming
// it and its hook), an utterance espeak-ng refused or died on (naming the voice) — the job goes
// on without them.
//
// Threads: runAdapt blocks the calling thread and runs its own loop; it must not be called on
// another EventLoop's thread. No screen text is logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/result.h"
#include "document/document.h"
#include "speech/text/voicing.h"

namespace liseur::adapt {

struct AdaptOptions {
  // The sheets, in order (absolute paths): images, multi-page TIFFs, PDFs. Their pages become
  // one page, one under the other.
  std::vector<std::string> images;
  std::string output;  // the HTML file to write; "" = do not write (the HTML is in the report)
  bool narration = true;
  std::shared_ptr<const config::Config> config;  // the profile's configuration (required)
  // Extra plugin directories searched first (tests); LISEUR_PLUGIN_PATH works too.
  std::vector<std::string> plugin_dirs;
  // OCR workers reading pages side by side; 0 = two for several pages on a machine of two cores
  // or more, else one.
  int ocr_workers = 0;
  std::chrono::milliseconds plugin_timeout{5000};  // per adapt/speak call
  std::chrono::milliseconds render_timeout{20000};
  // Each warning as it happens (the CLI prints it on stderr). May be empty.
  std::function<void(const Error&)> warn;
};

struct NarrationWord {
  double start_ms = 0, end_ms = 0;
  int block = -1, line = -1, word = -1;  // into AdaptReport::adapted
};

// One chunk of the narration: what espeak-ng was given and with which voice settings.
struct NarrationUtterance {
  speech::SpokenChunk chunk;
  speech::VoiceChoice voice;
};

struct AdaptReport {
  Document recognised;                         // the blocks as the OCR worker gave them
  Document adapted;                            // after the chain's adapt hooks: what the view shows
  std::vector<NarrationUtterance> utterances;  // what was sent to espeak-ng, in order
  std::string speak_plugin;                    // who made the utterances ("" = defaultUtterances)
  std::string render_plugin;
  int sample_rate = 0;
  uint64_t samples = 0;
  std::string wav;  // the narration (RIFF WAV bytes), empty with narration off
  std::vector<NarrationWord> words;
  std::vector<Error> warnings;
  std::string html;
  // ocr_ms, first_block_ms, speech_done_ms, render_ms, total_ms (from the start of runAdapt),
  // blocks, utterances, audio_ms
  nlohmann::json timings;
};

Result<AdaptReport> runAdapt(const AdaptOptions& options);

// The narration part of a render request: {"wav_base64": ..., "words": [{"start_ms", "end_ms",
// "block", "line", "word"}, ...]}.
// "wav_base64" is "" when withWav is false.
nlohmann::json narrationJson(const AdaptReport& report, bool withWav = true);
// RIFF WAV bytes: 16-bit little-endian mono PCM.
std::string makeWav(const std::vector<int16_t>& pcm, int sampleRate);
std::string base64Encode(std::string_view bytes);
// The JSON summary printed by `liseur adapt --json`; "utterances" lists what was said as the
// daemon's utterance-started events do (text, lang, voice, preset, rate, pitch, volume, doubtful).
nlohmann::json reportJson(const AdaptReport& report, const std::string& output);

}  // namespace liseur::adapt
