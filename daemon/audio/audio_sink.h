// Where PCM goes: a sound device (PortAudio), a WAV file, or nowhere (null, optionally paced in
// real time for tests and benchmarks). Mono int16 at the speech worker's sample rate.
//
// Threads: every method is called from the daemon's main thread. A real-time sink consumes its
// queue on its own thread (PortAudio's callback reads a lock-free ring); notifications come back
// through the callbacks given to open(), which may run on that thread: they must only post to the
// event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace liseur {

struct AudioSinkCallbacks {
  // Called (from any thread) when the ring has room again after write() accepted less than asked.
  std::function<void()> on_space;
  // Called (from any thread) when the device failed or disappeared; the owner may reopen.
  std::function<void(const Error&)> on_failure;
};

class AudioSink {
 public:
  virtual ~AudioSink() = default;

  // Prepares the sink for this sample rate. Errors: audio-device-missing, audio-failed,
  // wav-write-failed.
  virtual Status open(int sampleRate, AudioSinkCallbacks callbacks) = 0;
  // Queues samples; returns how many were accepted (may be fewer when the ring is full; the rest
  // must be written again after on_space). A file or null sink accepts everything.
  virtual std::size_t write(const int16_t* samples, std::size_t count) = 0;
  // Drops everything queued and not yet played: after this returns, at most one device buffer of
  // old audio is still heard. Used by stop and by a new job.
  virtual void flush() = 0;
  // Holds playback where it is (queued samples are kept); resume() continues from that sample.
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Samples played (or written) since open(): the clock for word highlighting.
  virtual uint64_t playedSamples() const = 0;
  // Samples queued and not yet played.
  virtual std::size_t queuedSamples() const = 0;
  // Finishes a file (WAV header sizes) and releases the device.
  virtual Status close() = 0;
  // Watchdog, called by the owner on the main thread every few hundred ms while open: detects a
  // device that stopped or stopped draining (a sound server restarted mid-utterance: PortAudio
  // never recovers by itself). On failure returns audio-failed (or the sink's own error) and
  // calls on_failure once per open(); the owner then close()s and open()s again, with back-off.
  // Sinks with nothing to watch return ok.
  virtual Status checkHealth() { return okStatus(); }
  virtual std::string describe() const = 0;  // "portaudio: default (pulse)", "wav: /path", "null"
};

// Factories. makePortAudioSink fails with audio-device-missing when there is no output device,
// or none whose name contains `device` (case-insensitive; "" or "default": the default output);
// the message lists the devices available. PortAudio is initialised while any PortAudio sink
// exists (ALSA/JACK probe noise on stderr is hidden) and terminated with the last one, so a sink
// made afterwards sees a fresh device list. The stream is paInt16 mono, 10 ms callbacks,
// `latency` suggested output latency (audio.latency_ms, 30 ms by default; never below the
// device's own low latency) and a 2 s queue: stop and pause are heard within about the latency
// plus 10 ms. describe() says the latency asked and the one the device gave.
// on_space and on_failure may run on PortAudio's callback thread.
Result<std::unique_ptr<AudioSink>> makePortAudioSink(
    const std::string& device, std::chrono::milliseconds latency = std::chrono::milliseconds(30));
std::unique_ptr<AudioSink> makeWavSink(const std::string& path);
// The same into a file the client opened and passed (`liseur read --to-wav`: the file is made
// with the client's rights, where the daemon's sandbox may not write); `path` names it in
// messages. The descriptor is shared: the sink writes through its own duplicate.
std::unique_ptr<AudioSink> makeWavSinkOnFd(const std::string& path, std::shared_ptr<int> fd);
// paced=false: consumes instantly. paced=true: plays in real time on its own thread (a stand-in
// for a device, for tests and benchmarks).
std::unique_ptr<AudioSink> makeNullSink(bool paced);

}  // namespace liseur
