// The PortAudio sink. PortAudio's callback thread reads a PlaybackQueue (lock-free ring); the
// main thread writes it. Latency choices, for old 2-core laptops through PulseAudio/PipeWire:
//   - callback every 10 ms (rate/100 frames): stop and pause take effect at the next callback;
//   - suggested output latency 30 ms (or the device's own minimum if higher): a busy machine has
//     30 ms of slack before an underrun clicks. What is in the device (and the sound server's
//     buffer behind it) when stop arrives is dropped: flush() aborts the stream and starts it
//     again, so stop is not followed by the 30-50 ms already buffered;
//   - a 2 s queue ahead of the device, so the speech worker can run well ahead of playback.
#include <portaudio.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>

#include "audio/audio_sink.h"
#include "audio/playback_queue.h"
#include "core/stderr_capture.h"

namespace liseur {
namespace {

// The latency asked when the caller asks none (audio.latency_ms's default).
constexpr std::chrono::milliseconds kDefaultLatency{30};
constexpr int kCallbacksPerSecond = 100;  // 10 ms buffers
constexpr int kQueueSeconds = 2;
// The callback runs every 10 ms; a server that is starting can hold it for a few hundred ms.
// Still for longer than this means the stream is dead even if PortAudio says it is active.
constexpr std::chrono::milliseconds kStallLimit{1500};

std::string paError(PaError err) {
  std::string text = Pa_GetErrorText(err);
  if (err == paUnanticipatedHostError) {
    const PaHostErrorInfo* host = Pa_GetLastHostErrorInfo();
    if (host && host->errorText && *host->errorText)
      text += std::string(" (") + host->errorText + ")";
  }
  return text;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// PortAudio is initialised once while any sink exists and terminated with the last one, so that
// a sink made after all others were destroyed sees a fresh device list (a sound server started
// since). All sinks live on the main thread; the mutex only keeps this honest if that changes.
class PaLibrary {
 public:
  static Result<std::shared_ptr<PaLibrary>> acquire() {
    std::lock_guard lock(mu());
    if (auto lib = current().lock()) return lib;
    StderrCapture quiet;
    PaError err = Pa_Initialize();
    std::string noise = quiet.finish();
    if (err != paNoError) {
      std::string detail = StderrCapture::lastUsefulLine(noise);
      return Error{ErrorCode::kAudioFailed, "PortAudio could not start: " + paError(err) +
                                                (detail.empty() ? "" : " (" + detail + ")")};
    }
    auto lib = std::shared_ptr<PaLibrary>(new PaLibrary());
    current() = lib;
    return lib;
  }
  ~PaLibrary() {
    std::lock_guard lock(mu());
    Pa_Terminate();
  }

 private:
  PaLibrary() = default;
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::weak_ptr<PaLibrary>& current() {
    static std::weak_ptr<PaLibrary> w;
    return w;
  }
};

struct ResolvedDevice {
  PaDeviceIndex index = paNoDevice;
  std::string name;
  std::string hostApi;
};

// Must hold a PaLibrary. Empty or "default": PortAudio's default output; otherwise the first
// output device whose name contains `request` (case-insensitive).
Result<ResolvedDevice> resolveDevice(const std::string& request) {
  int count = Pa_GetDeviceCount();
  if (count < 0) {
    return Error{ErrorCode::kAudioFailed, "PortAudio cannot list devices: " + paError(count)};
  }
  std::vector<PaDeviceIndex> outputs;
  for (PaDeviceIndex i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (info && info->maxOutputChannels > 0) outputs.push_back(i);
  }
  if (outputs.empty()) {
    return Error{ErrorCode::kAudioDeviceMissing,
                 "no audio output device (no sound card, and no PulseAudio or PipeWire server "
                 "reachable)"};
  }
  PaDeviceIndex chosen = paNoDevice;
  if (request.empty() || request == "default") {
    chosen = Pa_GetDefaultOutputDevice();
    if (chosen == paNoDevice) chosen = outputs.front();
  } else {
    std::string want = lower(request);
    for (PaDeviceIndex i : outputs) {
      if (lower(Pa_GetDeviceInfo(i)->name).find(want) != std::string::npos) {
        chosen = i;
        break;
      }
    }
    if (chosen == paNoDevice) {
      std::string names;
      for (PaDeviceIndex i : outputs) {
        names += (names.empty() ? "'" : ", '") + std::string(Pa_GetDeviceInfo(i)->name) + "'";
      }
      return Error{ErrorCode::kAudioDeviceMissing,
                   "no audio output device matches '" + request + "'; available: " + names};
    }
  }
  const PaDeviceInfo* info = Pa_GetDeviceInfo(chosen);
  const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
  return ResolvedDevice{chosen, info->name, api ? api->name : "?"};
}

class PortAudioSink : public AudioSink {
 public:
  PortAudioSink(std::shared_ptr<PaLibrary> lib, std::string request, ResolvedDevice device,
                std::chrono::milliseconds latency)
      : lib_(std::move(lib)),
        request_(std::move(request)),
        device_(std::move(device)),
        latency_(latency) {}
  ~PortAudioSink() override { (void)close(); }

  Status open(int sampleRate, AudioSinkCallbacks callbacks) override {
    if (sampleRate <= 0) {
      return Status::fail(
          ErrorCode::kInvalidArgument,
          "portaudio sink: sample rate must be positive, got " + std::to_string(sampleRate));
    }
    (void)close();
    // Resolved again on every open: after a server restart the owner re-opens by name.
    auto device = resolveDevice(request_);
    if (!device.ok()) return device.error();
    device_ = std::move(*device);
    callbacks_ = std::move(callbacks);
    queue_ = std::make_unique<PlaybackQueue>(static_cast<std::size_t>(sampleRate) * kQueueSeconds,
                                             callbacks_.on_space);
    const PaDeviceInfo* info = Pa_GetDeviceInfo(device_.index);
    PaStreamParameters out{};
    out.device = device_.index;
    out.channelCount = 1;
    out.sampleFormat = paInt16;
    out.suggestedLatency =
        std::max(std::chrono::duration<double>(latency_).count(), info->defaultLowOutputLatency);
    unsigned long frames =
        static_cast<unsigned long>(std::max(1, sampleRate / kCallbacksPerSecond));

    closing_.store(false);
    failureReported_.store(false);
    StderrCapture quiet;  // opening an ALSA PCM re-runs the noisy config evaluation
    PaStream* stream = nullptr;
    PaError err = Pa_OpenStream(&stream, nullptr, &out, sampleRate, frames, paDitherOff,
                                &PortAudioSink::onAudio, this);
    if (err == paNoError) {
      Pa_SetStreamFinishedCallback(stream, &PortAudioSink::onFinished);
      err = Pa_StartStream(stream);
      if (err != paNoError) {
        closing_.store(true);
        Pa_CloseStream(stream);
      }
    }
    std::string detail = StderrCapture::lastUsefulLine(quiet.finish());
    if (err != paNoError) {
      return Status::fail(ErrorCode::kAudioFailed,
                          "cannot open audio device '" + device_.name + "' (" + device_.hostApi +
                              ") at " + std::to_string(sampleRate) + " Hz: " + paError(err) +
                              (detail.empty() ? "" : " (" + detail + ")"));
    }
    stream_ = stream;
    if (const PaStreamInfo* si = Pa_GetStreamInfo(stream))
      givenLatencyMs_ = static_cast<int>(si->outputLatency * 1000 + 0.5);
    stall_.reset(queue_->heartbeat(), StallDetector::Clock::now());
    return okStatus();
  }

  std::size_t write(const int16_t* samples, std::size_t count) override {
    return stream_ ? queue_->write(samples, count) : 0;
  }
  void flush() override {
    if (!queue_) return;
    const bool speaking = queue_->queuedSamples() > 0;
    queue_->flush();
    // The device still holds up to audio.latency_ms of sound, and a sound server its own buffer
    // behind it (PulseAudio through ALSA: 20-35 ms more): they would play out after a stop. So
    // the stream is aborted (which drops them: ALSA's drop, the server's flush) and started
    // again, at once; not when nothing was playing.
    if (!stream_ || !speaking || Pa_IsStreamActive(stream_) != 1) return;
    closing_.store(true);  // the finished callback of this abort is not a failure
    PaError err = Pa_AbortStream(stream_);
    closing_.store(false);
    if (err == paNoError) err = Pa_StartStream(stream_);
    if (err != paNoError) {
      reportFailure(Error{ErrorCode::kAudioFailed,
                          "audio device '" + device_.name +
                              "' could not start again after a stop: " + paError(err)});
      return;
    }
    stall_.reset(queue_->heartbeat(), StallDetector::Clock::now());
  }
  void pause() override {
    if (queue_) queue_->pause();
  }
  void resume() override {
    if (queue_) queue_->resume();
  }
  uint64_t playedSamples() const override { return queue_ ? queue_->playedSamples() : 0; }
  std::size_t queuedSamples() const override { return queue_ ? queue_->queuedSamples() : 0; }

  Status close() override {
    if (!stream_) return okStatus();
    closing_.store(true);
    // Abort, not stop: stop would first play out the device buffer, and close is used on stop
    // and on a dead device, where waiting helps nobody.
    PaError abortErr = Pa_AbortStream(stream_);
    PaError closeErr = Pa_CloseStream(stream_);
    stream_ = nullptr;
    // queue_ is kept until the next open() so playedSamples() stays readable.
    PaError err = closeErr != paNoError ? closeErr : abortErr;
    // Aborting a stream that already died reports an error we expect; only report real ones.
    if (err != paNoError && err != paStreamIsStopped && !failureReported_.load()) {
      return Status::fail(ErrorCode::kAudioFailed,
                          "closing audio device '" + device_.name + "': " + paError(err));
    }
    return okStatus();
  }

  std::string describe() const override {
    // The latency asked (audio.latency_ms) and the one the device gave.
    return "portaudio: " + device_.name + " (" + device_.hostApi + "), latency " +
           std::to_string(latency_.count()) + " ms asked" +
           (givenLatencyMs_ >= 0 ? ", " + std::to_string(givenLatencyMs_) + " ms given" : "");
  }

  Status checkHealth() override {
    if (!stream_) return okStatus();
    PaError active = Pa_IsStreamActive(stream_);
    std::string problem;
    if (active != 1) {
      problem = active < 0 ? paError(active) : "the stream stopped";
    } else {
      auto still = stall_.update(queue_->heartbeat(), StallDetector::Clock::now());
      if (still > kStallLimit) {
        problem = "no audio consumed for " + std::to_string(still.count()) + " ms";
      }
    }
    if (problem.empty()) return okStatus();
    Error e{ErrorCode::kAudioFailed, "audio device '" + device_.name + "' failed: " + problem};
    reportFailure(e);
    return e;
  }

 private:
  static int onAudio(const void*, void* output, unsigned long frames,
                     const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags, void* user) {
    auto* self = static_cast<PortAudioSink*>(user);
    self->queue_->render(static_cast<int16_t*>(output), frames);
    return paContinue;
  }

  // PortAudio calls this on its own thread when the stream ends; we never end it ourselves except
  // in close(), so otherwise the device went away.
  static void onFinished(void* user) {
    auto* self = static_cast<PortAudioSink*>(user);
    if (self->closing_.load()) return;
    self->reportFailure(Error{ErrorCode::kAudioFailed,
                              "audio device '" + self->device_.name + "' stopped by itself"});
  }

  void reportFailure(const Error& e) {
    if (!failureReported_.exchange(true) && callbacks_.on_failure) callbacks_.on_failure(e);
  }

  std::shared_ptr<PaLibrary> lib_;
  std::string request_;
  ResolvedDevice device_;
  AudioSinkCallbacks callbacks_;
  std::unique_ptr<PlaybackQueue> queue_;
  PaStream* stream_ = nullptr;
  StallDetector stall_{kStallLimit};
  std::atomic<bool> closing_{false};
  std::atomic<bool> failureReported_{false};
  std::chrono::milliseconds latency_;
  int givenLatencyMs_ = -1;
};

}  // namespace

Result<std::unique_ptr<AudioSink>> makePortAudioSink(const std::string& device,
                                                     std::chrono::milliseconds latency) {
  if (latency.count() <= 0) latency = kDefaultLatency;
  auto lib = PaLibrary::acquire();
  if (!lib.ok()) return lib.error();
  auto resolved = resolveDevice(device);
  if (!resolved.ok()) return resolved.error();
  return std::unique_ptr<AudioSink>(
      std::make_unique<PortAudioSink>(std::move(*lib), device, std::move(*resolved), latency));
}

}  // namespace liseur
