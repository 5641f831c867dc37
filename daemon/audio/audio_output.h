// AudioOutput: the daemon's sound output and its health, apart from what is being said.
//
// It opens the sink the configuration names (audio.sink: "auto"/"portaudio" = the sound device
// through PortAudio, falling back to a null sink with the reason kept for `status`; "null";
// "paced-null", a stand-in sound card that consumes in real time for tests and benchmarks) and,
// for a sound device:
// - polls its health every 250 ms (PortAudio does not recover by itself when the sound server
//   restarts, and a stream can stop draining without an error);
// - when it is lost (the poll, or the device's own failure callback), tells the owner (on_lost,
//   while the lost sink is still there to ask how much it played), drops it and opens the device
//   again with a back-off of 100 ms doubling to 5 s; on_restored when it is back.
// reopen() applies new options (a reload); the owner calls it between two things said.
//
// LISEUR_AUDIO_RECORD=PATH with "paced-null" (tests, benchmarks): what the stand-in card plays is
// recorded in PATH, and what the owner hands it (recordWritten) in PATH.written.wav, to compare
// them sample by sample.
//
// Threads: the event loop's thread only; the sink's callbacks are posted to the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "audio/audio_sink.h"
#include "core/event_loop.h"
#include "core/result.h"

namespace liseur {

struct AudioOutputOptions {
  std::string sink = "auto";  // auto | portaudio | null | paced-null
  std::string device;         // PortAudio device name ("" = default)
  int latency_ms = 30;        // the output latency asked of the sound device
};

struct AudioOutputCallbacks {
  std::function<void()> on_space;  // the sound device has room again
  // The sound device was lost; sink() is still the lost one (its playedSamples()).
  std::function<void(const Error&)> on_lost;
  std::function<void()> on_restored;  // a sound device is open again
};

class AudioOutput {
 public:
  AudioOutput(EventLoop& loop, int sampleRate, AudioOutputCallbacks callbacks);
  ~AudioOutput();
  AudioOutput(const AudioOutput&) = delete;
  AudioOutput& operator=(const AudioOutput&) = delete;

  void open(const AudioOutputOptions& options);
  // Closes what is open and opens with `options` (PortAudio re-scans its devices).
  void reopen(const AudioOutputOptions& options);
  void close();

  // The sink in use; nullptr while a lost device is being opened again.
  AudioSink* sink() const { return sink_.get(); }
  // A sound device (or the paced stand-in) is there to hear the speech.
  bool available() const { return available_; }
  // What the owner wrote to sink() (LISEUR_AUDIO_RECORD only).
  void recordWritten(const int16_t* samples, std::size_t count);
  // {"available", "sink", "recoveries", "played_samples", "problem"} for `status`.
  nlohmann::json status() const;

 private:
  Status openDevice();
  void watch();
  void lost(const Error& e);
  void retry();
  void cancelTimers();

  EventLoop& loop_;
  const int sampleRate_;
  AudioOutputCallbacks cb_;
  AudioOutputOptions opts_;
  std::unique_ptr<AudioSink> sink_;
  std::unique_ptr<AudioSink> recording_, recordingWritten_;
  bool available_ = false;
  bool device_ = false;  // sink_ is a sound device that can be lost and opened again
  std::chrono::milliseconds backoff_{100};
  std::optional<EventLoop::TimerId> watch_, retry_;
  int recoveries_ = 0;
  std::string problem_;
  // Posted callbacks of a sink may arrive after it is gone: they carry the number of the
  // device sink they were made for.
  uint64_t deviceNumber_ = 0;
};

}  // namespace liseur
