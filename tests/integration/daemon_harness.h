// DaemonHarness: a real liseurd in private XDG directories for integration tests, with a
// connected client for requests and a second one subscribed to every event.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipc/ipc_client.h"
#include "support/test_env.h"

namespace liseur::test {

// A parsed WAV file (16-bit mono PCM as liseur writes it).
struct WavInfo {
  bool ok = false;
  std::string problem;
  int sample_rate = 0;
  std::vector<int16_t> samples;
  double rms() const;
  double seconds() const { return sample_rate ? double(samples.size()) / sample_rate : 0; }
};
WavInfo readWav(const std::string& path);

// Runs the real CLI (`liseur --no-spawn ARGS`) against the harness's daemon (the XDG variables of
// the test process point at the harness's tree); returns the exit status and fills `output`
// with stdout + stderr.
int runCli(const std::vector<std::string>& args, std::string* output);

class DaemonHarness {
 public:
  // extraArgs are passed to liseurd after `--foreground` (e.g. {"--audio","paced-null"}).
  // beforeStart runs after the private XDG tree exists and before liseurd starts (to start a
  // PulseAudio server in it, for example).
  explicit DaemonHarness(std::vector<std::string> extraArgs = {"--audio", "null"},
                         const std::function<void(const TempXdg&)>& beforeStart = {});
  ~DaemonHarness();

  bool started() const { return client_ != nullptr; }
  const std::string& startProblem() const { return problem_; }
  IpcClient& client() { return *client_; }
  IpcClient& events() { return *events_; }
  std::string path(const std::string& rel) const { return xdg_.path(rel); }
  std::string log() const;
  pid_t pid() const { return pid_; }
  const TempXdg& xdg() const { return xdg_; }
  bool alive() const;

  // Sends a request and returns the reply (ok or not) as JSON, failing the test on transport
  // errors. Replies with ok=false carry error.code.
  nlohmann::json request(const std::string& cmd,
                         const nlohmann::json& args = nlohmann::json::object(),
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(120000));
  // Events from the subscriber up to and including job-finished of `job` (or the timeout).
  std::vector<nlohmann::json> eventsUntilFinished(
      uint64_t job, std::chrono::milliseconds timeout = std::chrono::milliseconds(120000));
  // Next event named `name` (other events are kept in `seen`).
  nlohmann::json waitEvent(const std::string& name, std::vector<nlohmann::json>* seen = nullptr,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));
  pid_t workerPid(const std::string& worker);  // from status
  // Waits until the named worker is ready again (after a crash), up to the timeout.
  bool waitWorkerReady(const std::string& worker,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

 private:
  TempXdg xdg_;
  pid_t pid_ = -1;
  std::string problem_;
  std::unique_ptr<IpcClient> client_, events_;
};

}  // namespace liseur::test
