#include "core/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace liseur {

EventLoop::EventLoop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epfd_ < 0 || wakefd_ < 0) throw std::runtime_error("event loop: epoll/eventfd failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wakefd_;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
}

EventLoop::~EventLoop() {
  ::close(wakefd_);
  ::close(epfd_);
}

void EventLoop::addFd(int fd, uint32_t events, FdCallback cb) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  fds_[fd] = std::make_shared<FdCallback>(std::move(cb));
}

void EventLoop::modifyFd(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::removeFd(int fd) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(fd);
}

EventLoop::TimerId EventLoop::addTimer(std::chrono::milliseconds delay, std::function<void()> cb) {
  TimerId id = nextTimer_++;
  timers_[id] = Timer{std::chrono::steady_clock::now() + delay, std::move(cb)};
  return id;
}

void EventLoop::cancelTimer(TimerId id) { timers_.erase(id); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(postMu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(wakefd_, &one, sizeof one);
}

void EventLoop::stop() {
  post([this] { running_ = false; });
}

void EventLoop::drainPosted() {
  uint64_t v;
  while (::read(wakefd_, &v, sizeof v) > 0) {
  }
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(postMu_);
    tasks.swap(posted_);
  }
  for (auto& t : tasks) t();
}

int64_t EventLoop::nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double EventLoop::nowMsPrecise() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void EventLoop::run() {
  running_ = true;
  epoll_event events[32];
  while (running_) {
    int timeout = -1;
    auto now = std::chrono::steady_clock::now();
    for (const auto& [id, t] : timers_) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.when - now).count();
      if (ms < 0) ms = 0;
      if (timeout < 0 || ms < timeout) timeout = static_cast<int>(ms);
      if (ms == 0) break;
    }
    int n = ::epoll_wait(epfd_, events, 32, timeout);
    if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wakefd_) {
        drainPosted();
        continue;
      }
      auto it = fds_.find(fd);
      if (it == fds_.end()) continue;
      auto cb = it->second;  // keep alive if the callback removes itself
      (*cb)(events[i].events);
    }
    now = std::chrono::steady_clock::now();
    std::vector<TimerId> due;
    for (const auto& [id, t] : timers_)
      if (t.when <= now) due.push_back(id);
    for (TimerId id : due) {
      auto it = timers_.find(id);
      if (it == timers_.end()) continue;
      auto cb = std::move(it->second.cb);
      timers_.erase(it);
      cb();
    }
  }
}

}  // namespace liseur
