// WavSink: writes the audio to a RIFF/WAVE file, PCM 16-bit little-endian mono at the open()
// rate. Data is written as it arrives (through a 64 KiB stdio buffer); the RIFF and data chunk
// sizes are fixed on close(), so a file cut short by a crash still holds its samples (with zero
// sizes in the header, which most readers accept or can repair).
//
// Threads: main thread only; no thread of its own. on_space is never needed (everything is
// accepted). Errors name the path: wav-write-failed from open() (cannot create), from close()
// (a write, the header fix or the final flush failed), and through on_failure at the first
// failed write. WAV sizes are 32-bit: beyond ~4 GiB (27 h at 22050 Hz) samples are dropped and
// the sink fails the same way.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "audio/audio_sink.h"

namespace liseur {

class WavSink : public AudioSink {
 public:
  explicit WavSink(std::string path);
  // Writes into `fd` (a file the client opened; see makeWavSinkOnFd) instead of creating `path`.
  WavSink(std::string path, std::shared_ptr<int> fd);
  ~WavSink() override;

  Status open(int sampleRate, AudioSinkCallbacks callbacks) override;
  std::size_t write(const int16_t* samples, std::size_t count) override;
  void flush() override {}  // nothing is queued: every sample is already in the file
  void pause() override {}  // a file has no "now"
  void resume() override {}
  uint64_t playedSamples() const override { return written_; }
  std::size_t queuedSamples() const override { return 0; }
  Status close() override;
  std::string describe() const override { return "wav: " + path_; }

 private:
  void fail(const std::string& what, int err);  // "cannot <what> WAV file <path>: <errno text>"
  void fail(const std::string& message);

  std::string path_;
  std::shared_ptr<int> passed_;  // a descriptor the client passed, or null
  std::FILE* file_ = nullptr;
  AudioSinkCallbacks callbacks_;
  int rate_ = 0;
  uint64_t written_ = 0;
  bool failed_ = false;
  std::string failure_;
};

}  // namespace liseur
