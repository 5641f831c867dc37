// WorkerClient: the daemon's side of one worker process (OCR or speech).
//
// Starts the program with core/subprocess.h, reads its frames on the event loop, writes requests
// without ever blocking the loop (an output queue drained on EPOLLOUT), notices death (EOF, then
// waitpid) and restarts with exponential back-off. The owner is told of every frame and of every
// death, and decides what happens to the job that was running. Main thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/event_loop.h"
#include "core/frame.h"
#include "core/subprocess.h"

namespace liseur {

class WorkerClient {
 public:
  struct Options {
    std::string name;     // "ocr", "speech": used in messages
    std::string program;  // full path
    std::vector<std::string> args;
    std::vector<std::string> env;
    WorkerLimits limits;
  };
  using FrameHandler = std::function<void(Frame&&)>;
  // Called after the worker died or was killed; `error` says why (worker-crashed with the signal,
  // or worker-timeout). A restart is already scheduled.
  using DeathHandler = std::function<void(const Error& error)>;

  WorkerClient(EventLoop& loop, Options options, FrameHandler onFrame, DeathHandler onDeath);
  ~WorkerClient();
  WorkerClient(const WorkerClient&) = delete;
  WorkerClient& operator=(const WorkerClient&) = delete;

  // Starts the process (idempotent). An error means the program could not be started at all;
  // a restart is still scheduled with back-off.
  Status start();
  // Queues a frame. Fails with worker-unavailable while no process is running.
  Status send(const nlohmann::json& header, std::string_view payload = {});
  // Kills the process (SIGKILL); death is reported as `why` and a restart follows.
  void kill(const Error& why);
  // Stops for good (daemon shutdown): no restart.
  void shutdown();
  // Ends the running process (if any) without reporting a death and starts the worker again with
  // `options` (a reload changed its languages). The owner calls it while the worker has no
  // request in flight; frames queued for the old process are dropped.
  void restartWith(Options options);
  const Options& options() const { return opts_; }

  bool running() const { return fd_ >= 0; }
  bool ready() const { return ready_; }
  pid_t pid() const { return pid_; }
  const nlohmann::json& readyInfo() const { return readyInfo_; }
  int restarts() const { return restarts_; }
  // How long the last restart waited (back-off), 0 before any.
  std::chrono::milliseconds lastRestartDelay() const { return lastDelay_; }
  const std::string& name() const { return opts_.name; }

 private:
  void onReadable(uint32_t events);
  void flushOutput();
  void handleDeath(Error why);
  void scheduleRestart();

  EventLoop& loop_;
  Options opts_;
  FrameHandler onFrame_;
  DeathHandler onDeath_;
  pid_t pid_ = -1;
  int fd_ = -1;
  bool ready_ = false;
  bool shuttingDown_ = false;
  bool restartPending_ = false;
  nlohmann::json readyInfo_;
  FrameReader reader_;
  std::string out_;
  std::size_t outPos_ = 0;
  int restarts_ = 0;
  std::chrono::milliseconds backoff_{100};
  std::chrono::milliseconds lastDelay_{0};
  std::chrono::steady_clock::time_point startedAt_;
  Error pendingWhy_;
  bool killRequested_ = false;
};

}  // namespace liseur
