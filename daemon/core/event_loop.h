// The daemon's single event loop: file descriptors (epoll), timers and tasks posted from other
// threads. Everything except post() must be called on the loop's thread. Callbacks may add and
// remove fds and timers, including their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace liseur {

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t events)>;  // EPOLLIN, EPOLLOUT, EPOLLHUP...
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void addFd(int fd, uint32_t events, FdCallback cb);
  void modifyFd(int fd, uint32_t events);
  void removeFd(int fd);  // does not close it

  TimerId addTimer(std::chrono::milliseconds delay, std::function<void()> cb);
  void cancelTimer(TimerId id);

  // Thread-safe: runs fn on the loop thread soon.
  void post(std::function<void()> fn);

  void run();   // until stop()
  void stop();  // thread-safe

  // Monotonic milliseconds since an arbitrary start (for event timestamps).
  static int64_t nowMs();
  static double nowMsPrecise();

 private:
  void drainPosted();
  int epfd_ = -1;
  int wakefd_ = -1;
  bool running_ = false;
  std::map<int, std::shared_ptr<FdCallback>> fds_;
  struct Timer {
    std::chrono::steady_clock::time_point when;
    std::function<void()> cb;
  };
  std::map<TimerId, Timer> timers_;
  TimerId nextTimer_ = 1;
  std::mutex postMu_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace liseur
