// PluginHostClient: the daemon's side of the plugin host process (plugin_protocol.h).
//
// Starts liseur-plugin-host with core/subprocess.h, keeps it warm, and sends it one request at a
// time from a queue, each with a time limit. When the time limit passes, the host is killed
// (SIGKILL) and the request fails with worker-timeout; when the host dies, the request fails with
// worker-crashed (with the signal). Either way the host is restarted (with back-off when it keeps
// dying), the plugins that were loaded are loaded again first, and the queue goes on. A plugin
// whose load itself crashes or hangs the host is not loaded again until the next setPlugins().
//
// Threads: main thread (the event loop's) only; never blocks it (writes are queued and drained
// on EPOLLOUT). Callbacks run on the loop thread, never from inside the call that queued them.
// Cancellation: cancel(id) drops a queued request, or forgets a running one (its reply is then
// ignored); its callback is never called.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_loop.h"
#include "core/frame.h"
#include "core/result.h"

namespace liseur::plugins {

struct PluginSpec {
  std::string id;
  nlohmann::json options = nlohmann::json::object();  // the profile's [plugins.options.ID]
};

class PluginHostClient {
 public:
  struct Options {
    std::string program;                  // default: findHelperProgram(kHostProgram)
    std::vector<std::string> extra_dirs;  // passed as --plugin-dir (tests)
    std::chrono::milliseconds call_timeout{3000};
    std::chrono::milliseconds load_timeout{3000};
    std::size_t max_output = 8u << 20;  // bytes per reply
    std::size_t memory_mb = 1024;       // RLIMIT_AS of the host
  };
  using CallId = uint64_t;
  // The reply JSON text as the plugin wrote it (not validated), or the error naming the plugin.
  using Reply = std::function<void(Result<std::string>)>;

  PluginHostClient(EventLoop& loop, Options options);
  ~PluginHostClient();
  PluginHostClient(const PluginHostClient&) = delete;
  PluginHostClient& operator=(const PluginHostClient&) = delete;

  // The plugins the host keeps loaded, in order. Loads them now (starting the host if needed);
  // `done` gets one Status per spec, in order, once every load answered.
  void setPlugins(std::vector<PluginSpec> specs,
                  std::function<void(std::vector<Status>)> done = {});
  // Runs `hook` of `plugin` on `request` (JSON text). timeout 0 = Options::call_timeout.
  CallId call(const std::string& plugin, const std::string& hook, std::string request, Reply done,
              std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  void cancel(CallId id);
  // Stops the host for good (EOF, then SIGKILL if it lingers). Pending callbacks are dropped.
  void shutdown();

  const Options& options() const { return opts_; }
  bool running() const { return fd_ >= 0; }
  pid_t pid() const { return pid_; }
  int restarts() const { return restarts_; }  // how many times the host was started again
  // The last load result of each plugin (empty until loaded once).
  std::map<std::string, Status> loadStatus() const { return loadStatus_; }

 private:
  struct Request {
    CallId id = 0;
    nlohmann::json header;
    std::string payload;
    std::chrono::milliseconds timeout{0};
    bool isLoad = false;
    std::string plugin, hook;
    std::function<void(Result<Frame>)> done;
  };

  void start();
  void pump();
  void onEvents(uint32_t events);
  void flushOutput();
  void onFrame(Frame&& f);
  void onDeath(Error why, bool killed);
  void failInflight(const Error& e);
  void queueLoads(bool front);
  void scheduleRestart();

  EventLoop& loop_;
  Options opts_;
  std::vector<PluginSpec> specs_;
  std::map<std::string, Status> loadStatus_;
  std::map<std::string, Error> banned_;  // loads that crashed or hung the host
  std::deque<Request> queue_;
  std::optional<Request> inflight_;
  EventLoop::TimerId timer_ = 0;
  EventLoop::TimerId restartTimer_ = 0;
  pid_t pid_ = -1;
  int fd_ = -1;
  FrameReader reader_;
  std::string out_;
  std::size_t outPos_ = 0;
  CallId nextId_ = 1;
  int restarts_ = 0;
  bool started_ = false;
  bool restartPending_ = false;
  bool shutdown_ = false;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point startedAt_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace liseur::plugins
