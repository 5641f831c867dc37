// StderrCapture: silences the diagnostics that ALSA, JACK and PortAudio print on stderr while
// they probe devices ("ALSA lib pcm.c:2666: Unknown PCM cards.pcm.rear", "jack server is not
// running"...), dozens of lines on every start even on a healthy machine, which would bury the
// daemon's own log; and, in the speech worker, libpulse's "socket(): Operation not permitted"
// when espeak-ng's audio library probes PulseAudio from inside the sandbox (espeak-ng 1.51 opens
// an audio object even in synchronous mode; the worker never plays audio itself).
//
// fd 2 is pointed at an anonymous memory file for the object's lifetime. finish() restores it and
// writes back every captured line that is not known probe noise (another thread's log line, or a
// message we do not recognise, is never lost), and returns the whole capture so a caller can quote
// it in an error. Real failures are reported through Result, not through this text.
//
// Threads: construct and finish on one thread; fd 2 is process-wide, so output from other threads
// during the capture is delayed until finish(), not dropped. Do not nest with other fd 2 tricks.
#pragma once

#include <string>
#include <string_view>

namespace liseur {

class StderrCapture {
 public:
  StderrCapture();  // best effort: if the redirection cannot be set up, nothing is captured
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Restores stderr, re-emits what is not noise, returns everything captured. Idempotent.
  std::string finish();

  // True for a line ALSA/JACK/PortAudio/libpulse prints while probing (exposed for tests).
  static bool isProbeNoise(std::string_view line);
  // The last non-noise line of `captured`, or else its last line (for error messages).
  static std::string lastUsefulLine(std::string_view captured);

 private:
  int saved_ = -1;
  int capture_ = -1;
};

}  // namespace liseur
