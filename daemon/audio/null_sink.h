// NullSink: audio that goes nowhere. Unpaced, it accepts and counts everything at once (batch
// runs, OCR-only use). Paced, a thread consumes the queue in real time in 10 ms steps through the
// same PlaybackQueue as the PortAudio sink: a stand-in sound card with identical flush, pause and
// playedSamples semantics, for tests and benchmarks on machines without audio.
//
// Threads: the AudioSink methods are for the owner's (main) thread. The paced sink's thread calls
// the consume hook and on_space. Destruction closes the sink.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "audio/audio_sink.h"
#include "audio/playback_queue.h"

namespace liseur {

class NullSink : public AudioSink {
 public:
  // Called with every block of real samples the sink "plays" (never with silence), in order. On
  // the paced sink's thread (or inside write() when unpaced).
  using ConsumeHook = std::function<void(const int16_t* samples, std::size_t count)>;

  explicit NullSink(bool paced);
  ~NullSink() override;

  // Test hook; set before open().
  void setConsumeHook(ConsumeHook hook) { hook_ = std::move(hook); }

  Status open(int sampleRate, AudioSinkCallbacks callbacks) override;
  std::size_t write(const int16_t* samples, std::size_t count) override;
  void flush() override;
  void pause() override;
  void resume() override;
  uint64_t playedSamples() const override;
  std::size_t queuedSamples() const override;
  Status close() override;
  std::string describe() const override;
  Status checkHealth() override;

  // The paced sink's queue holds this much audio, like a real sink's ring.
  static constexpr std::chrono::milliseconds kQueueLength{2000};
  // One "device buffer": the paced thread's step.
  static constexpr std::chrono::milliseconds kStep{10};

 private:
  void run();

  const bool paced_;
  ConsumeHook hook_;
  AudioSinkCallbacks callbacks_;
  int rate_ = 0;
  bool open_ = false;
  uint64_t unpacedPlayed_ = 0;
  std::unique_ptr<PlaybackQueue> queue_;
  std::thread thread_;
  std::mutex mu_;  // only for stopping the thread
  std::condition_variable cv_;
  bool stop_ = false;
  StallDetector stall_{std::chrono::milliseconds(2000)};
  bool failureReported_ = false;
};

}  // namespace liseur
