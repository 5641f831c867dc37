#include "audio/audio_output.h"

#include <algorithm>
#include <cstdlib>

#include "audio/null_sink.h"
#include "core/log.h"

namespace liseur {

AudioOutput::AudioOutput(EventLoop& loop, int sampleRate, AudioOutputCallbacks callbacks)
    : loop_(loop), sampleRate_(sampleRate), cb_(std::move(callbacks)) {}

AudioOutput::~AudioOutput() {
  cancelTimers();
}

void AudioOutput::cancelTimers() {
  if (watch_) loop_.cancelTimer(*watch_);
  if (retry_) loop_.cancelTimer(*retry_);
  watch_.reset();
  retry_.reset();
}

void AudioOutput::open(const AudioOutputOptions& options) {
  opts_ = options;
  const std::string& kind = opts_.sink;
  if (kind == "auto" || kind == "portaudio") {
    if (auto st = openDevice(); !st) {
      problem_ = st.error().message;
      spdlog::warn("audio: {}; speech goes to WAV files or nowhere", problem_);
    }
  }
  if (sink_) return;
  sink_ = makeNullSink(kind == "paced-null");
  const char* record = std::getenv("LISEUR_AUDIO_RECORD");
  if (kind == "paced-null" && record && *record) {
    recording_ = makeWavSink(record);
    recordingWritten_ = makeWavSink(std::string(record) + ".written.wav");
    Status st = recording_->open(sampleRate_, {});
    if (st) st = recordingWritten_->open(sampleRate_, {});
    if (!st) {
      spdlog::warn("audio: {}", st.error().message);
      recording_.reset();
      recordingWritten_.reset();
    } else {
      static_cast<NullSink&>(*sink_).setConsumeHook(
          [rec = recording_.get()](const int16_t* p, std::size_t n) { rec->write(p, n); });
    }
  }
  (void)sink_->open(sampleRate_, {});
  // A paced null sink stands in for a sound card in tests and benchmarks.
  available_ = kind == "paced-null";
  if (kind == "null" || kind == "paced-null") problem_.clear();
}

void AudioOutput::reopen(const AudioOutputOptions& options) {
  close();
  available_ = false;
  problem_.clear();
  open(options);
  spdlog::info("audio: re-opened for the new configuration: {}", sink_->describe());
}

void AudioOutput::close() {
  cancelTimers();
  if (sink_) {
    (void)sink_->close();
    sink_.reset();  // the last PortAudio sink gone: PortAudio re-scans its devices on open
  }
  device_ = false;
  if (recording_) (void)recording_->close();  // after the paced thread has stopped
  if (recordingWritten_) (void)recordingWritten_->close();
  recording_.reset();
  recordingWritten_.reset();
}

void AudioOutput::recordWritten(const int16_t* samples, std::size_t count) {
  if (recordingWritten_) recordingWritten_->write(samples, count);
}

Status AudioOutput::openDevice() {
  auto pa = makePortAudioSink(opts_.device, std::chrono::milliseconds(opts_.latency_ms));
  if (!pa) return pa.error();
  const uint64_t number = ++deviceNumber_;
  AudioSinkCallbacks cb;
  cb.on_space = [this, number] {
    loop_.post([this, number] {
      if (number == deviceNumber_ && sink_ && cb_.on_space) cb_.on_space();
    });
  };
  cb.on_failure = [this, number](const Error& e) {
    loop_.post([this, number, e] {
      if (number == deviceNumber_) lost(e);
    });
  };
  if (auto st = (*pa)->open(sampleRate_, cb); !st) return st;
  sink_ = std::move(*pa);
  device_ = true;
  available_ = true;
  problem_.clear();
  backoff_ = std::chrono::milliseconds(100);
  watch();
  return okStatus();
}

void AudioOutput::watch() {
  if (watch_) return;
  watch_ = loop_.addTimer(std::chrono::milliseconds(250), [this] {
    watch_.reset();
    if (!device_ || !sink_) return;
    if (auto st = sink_->checkHealth(); !st) return lost(st.error());
    watch();
  });
}

void AudioOutput::lost(const Error& e) {
  if (!device_ || !sink_) return;
  spdlog::warn("audio: {}; re-opening the device", e.message);
  if (cb_.on_lost) cb_.on_lost(e);
  sink_.reset();  // the last PortAudio sink gone: PortAudio is terminated and re-scans on open
  available_ = false;
  problem_ = e.message;
  retry_ = loop_.addTimer(backoff_, [this] { retry(); });
}

void AudioOutput::retry() {
  retry_.reset();
  if (sink_) return;
  if (auto st = openDevice(); st) {
    ++recoveries_;
    spdlog::info("audio: device re-opened");
    if (cb_.on_restored) cb_.on_restored();
    return;
  }
  const auto delay = backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  retry_ = loop_.addTimer(delay, [this] { retry(); });
}

nlohmann::json AudioOutput::status() const {
  nlohmann::json audio{{"available", available_},
                       {"sink", sink_ ? sink_->describe() : "none (re-opening the device)"},
                       {"recoveries", recoveries_}};
  if (sink_) audio["played_samples"] = sink_->playedSamples();
  if (!problem_.empty()) audio["problem"] = problem_;
  return audio;
}

}  // namespace liseur
