// A private speech-dispatcher for tests: Debian's `speech-dispatcher` with its espeak-ng module
// (speech-dispatcher-espeak-ng), its own configuration directory, its socket where libspeechd
// looks by default ($XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock inside the TempXdg), speaking
// into a PulseServer's null sink, which plays in real time (Debian 12's speech-dispatcher 0.11.4
// has no null audio output: its outputs are pulse, alsa, oss, nas and libao). Start the
// PulseServer first.
#pragma once

#include <sys/types.h>

#include <string>

#include "support/test_env.h"

namespace liseur::test {

class SpeechdServer {
 public:
  // Unsets SPEECHD_ADDRESS and points SPEECHD_CMD at a program that does not exist, for this
  // process and its children: a client that cannot reach this server must never autospawn
  // another one with the user's configuration.
  explicit SpeechdServer(const TempXdg& xdg);
  ~SpeechdServer() { stop(); }

  // Whether speech-dispatcher and its espeak-ng module are installed ("" or what is missing).
  static std::string missing();
  // Starts the server and waits until its socket accepts a connection; "" or what went wrong.
  std::string start();
  void stop();  // SIGTERM to its process group (the server and its module), then SIGKILL
  void kill();  // SIGKILL: a crash
  const std::string& socketPath() const { return socket_; }
  std::string log() const;  // the server's own log file

 private:
  bool exited();
  std::string config_, logDir_, socket_;
  pid_t pid_ = -1;
};

// A process named "orca" owned by this user (a copy of sleep), as a running Orca looks in /proc.
class FakeOrca {
 public:
  explicit FakeOrca(const TempXdg& xdg);
  ~FakeOrca();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

}  // namespace liseur::test
