// A private PulseAudio server for tests (Debian's `pulseaudio`, one null sink that consumes in
// real time), under the test's private XDG_RUNTIME_DIR, as the current user. PortAudio reaches it
// through ALSA's pulse plugin (libasound2-plugins): Debian's /etc/alsa/conf.d/99-pulse.conf makes
// ALSA's "default" device PulseAudio whenever a server is reachable at alsa-lib's first
// configuration load (in Pa_Initialize), so start the server before making a PortAudio sink.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

#include "support/test_env.h"

namespace liseur::test {

class PulseServer {
 public:
  // Sets PULSE_RUNTIME_PATH inside the TempXdg (and unsets PULSE_SERVER) for this process and
  // its children.
  explicit PulseServer(const TempXdg& xdg);
  ~PulseServer() { stop(); }

  // Starts the server and waits until a client can talk to it; returns "" or what went wrong.
  std::string start();
  // SIGKILL: a crash, as when the user's session server dies mid-utterance.
  void kill();
  void stop();
  // Streams currently playing into the server.
  int sinkInputs() const;
  std::string log() const;

 private:
  bool exited();
  std::string runtime_;
  std::string log_;
  pid_t pid_ = -1;
};

}  // namespace liseur::test
