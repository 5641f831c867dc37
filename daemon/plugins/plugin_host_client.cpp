#include "plugins/plugin_host_client.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.h"
#include "core/subprocess.h"
#include "plugins/plugin_protocol.h"

namespace liseur::plugins {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{20};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
// A host that stayed up this long is healthy again: the back-off starts over.
constexpr std::chrono::seconds kHealthyAfter{30};

std::string describeStatus(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "killed by signal " + std::to_string(sig) +
           (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

std::string what(const std::string& plugin, const std::string& hook, bool isLoad) {
  return "plugin '" + plugin + "' " + (isLoad ? std::string("while loading") : "during " + hook);
}

}  // namespace

PluginHostClient::PluginHostClient(EventLoop& loop, Options options)
    : loop_(loop), opts_(std::move(options)) {
  if (opts_.program.empty()) opts_.program = findHelperProgram(kHostProgram);
}

PluginHostClient::~PluginHostClient() {
  shutdown();
  *alive_ = false;
}

void PluginHostClient::setPlugins(std::vector<PluginSpec> specs,
                                  std::function<void(std::vector<Status>)> done) {
  specs_ = std::move(specs);
  banned_.clear();
  loadStatus_.clear();
  // Drop loads still queued from an earlier configuration: the new list replaces them.
  std::erase_if(queue_, [](const Request& r) { return r.isLoad; });
  struct Gather {
    std::vector<std::optional<Status>> results;
    std::size_t left = 0;
    std::function<void(std::vector<Status>)> done;
  };
  auto g = std::make_shared<Gather>();
  g->results.resize(specs_.size());
  g->left = specs_.size();
  g->done = std::move(done);
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    Request r;
    r.id = nextId_++;
    r.isLoad = true;
    r.plugin = specs_[i].id;
    r.timeout = opts_.load_timeout;
    r.header = {{"op", "load"}, {"plugin", specs_[i].id}, {"options", specs_[i].options}};
    r.done = [this, g, i, id = specs_[i].id](Result<Frame> f) {
      Status s = okStatus();
      if (!f)
        s = f.error();
      else if (f->header.value("ev", "") != "loaded")
        s = makeError(errorCodeFromName(f->header.value("code", "internal")),
                      f->header.value("message", ""));
      loadStatus_.insert_or_assign(id, s);
      if (!s) spdlog::warn("{}", s.error().message);
      g->results[i] = s;
      if (--g->left == 0 && g->done) {
        std::vector<Status> all;
        for (auto& r2 : g->results) all.push_back(*r2);
        g->done(std::move(all));
      }
    };
    queue_.push_back(std::move(r));
  }
  if (specs_.empty() && g->done) {
    auto alive = alive_;
    loop_.post([alive, g] {
      if (*alive) g->done({});
    });
  }
  if (fd_ < 0 && !restartPending_) start();
  pump();
}

PluginHostClient::CallId PluginHostClient::call(const std::string& plugin, const std::string& hook,
                                                std::string request, Reply done,
                                                std::chrono::milliseconds timeout) {
  Request r;
  r.id = nextId_++;
  r.plugin = plugin;
  r.hook = hook;
  r.timeout = timeout.count() > 0 ? timeout : opts_.call_timeout;
  r.header = {{"op", "call"}, {"plugin", plugin}, {"hook", hook}, {"max_output", opts_.max_output}};
  r.payload = std::move(request);
  r.done = [done = std::move(done)](Result<Frame> f) {
    if (!f) return done(f.error());
    if (f->header.value("ev", "") == "result") return done(std::move(f->payload));
    done(makeError(errorCodeFromName(f->header.value("code", "internal")),
                   f->header.value("message", "")));
  };
  const CallId id = r.id;
  auto it = banned_.find(plugin);
  if (it != banned_.end()) {
    Error e = it->second;
    auto alive = alive_;
    loop_.post([alive, e, d = std::move(r.done)] {
      if (*alive) d(e);
    });
    return id;
  }
  queue_.push_back(std::move(r));
  if (fd_ < 0 && !restartPending_) start();
  pump();
  return id;
}

void PluginHostClient::cancel(CallId id) {
  std::erase_if(queue_, [id](const Request& r) { return r.id == id; });
  if (inflight_ && inflight_->id == id) inflight_->done = nullptr;  // its reply will be ignored
}

void PluginHostClient::start() {
  if (fd_ >= 0 || shutdown_) return;
  std::vector<std::string> args;
  for (const auto& d : opts_.extra_dirs) {
    args.push_back("--plugin-dir");
    args.push_back(d);
  }
  WorkerLimits limits;
  limits.address_space_mb = opts_.memory_mb;
  auto w = spawnWorker(opts_.program, args, {}, limits);
  if (!w) {
    // Nothing can run: fail what is waiting now rather than leave the job hanging.
    spdlog::error("plugin host: {}", w.error().message);
    std::deque<Request> waiting;
    waiting.swap(queue_);
    auto alive = alive_;
    Error e = w.error();
    loop_.post([alive, e, waiting = std::move(waiting)]() mutable {
      for (auto& r : waiting)
        if (*alive && r.done) r.done(e);
    });
    return;
  }
  pid_ = w->pid;
  fd_ = w->fd;
  if (started_) ++restarts_;
  started_ = true;
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  reader_ = FrameReader{};
  out_.clear();
  outPos_ = 0;
  startedAt_ = std::chrono::steady_clock::now();
  loop_.addFd(fd_, EPOLLIN, [this](uint32_t ev) { onEvents(ev); });
  spdlog::info("plugin host started (pid {})", pid_);
  // A new host has nothing loaded: the plugins go in before anything else.
  queueLoads(true);
}

void PluginHostClient::queueLoads(bool front) {
  std::vector<Request> loads;
  for (const auto& spec : specs_) {
    if (banned_.count(spec.id)) continue;
    bool queued = false;  // a load from setPlugins() not sent yet will do
    for (const auto& q : queue_) queued = queued || (q.isLoad && q.plugin == spec.id);
    if (queued) continue;
    Request r;
    r.id = nextId_++;
    r.isLoad = true;
    r.plugin = spec.id;
    r.timeout = opts_.load_timeout;
    r.header = {{"op", "load"}, {"plugin", spec.id}, {"options", spec.options}};
    r.done = [this, id = spec.id](Result<Frame> f) {
      Status s = okStatus();
      if (!f)
        s = f.error();
      else if (f->header.value("ev", "") != "loaded")
        s = makeError(errorCodeFromName(f->header.value("code", "internal")),
                      f->header.value("message", ""));
      loadStatus_.insert_or_assign(id, s);
    };
    loads.push_back(std::move(r));
  }
  if (front)
    queue_.insert(queue_.begin(), loads.begin(), loads.end());
  else
    queue_.insert(queue_.end(), loads.begin(), loads.end());
}

void PluginHostClient::pump() {
  // Calls to a plugin kept out since they were queued fail with the reason, from the loop.
  for (auto it = queue_.begin(); it != queue_.end();) {
    auto ban = it->isLoad ? banned_.end() : banned_.find(it->plugin);
    if (ban == banned_.end()) {
      ++it;
      continue;
    }
    auto alive = alive_;
    loop_.post([alive, e = ban->second, d = std::move(it->done)] {
      if (*alive && d) d(e);
    });
    it = queue_.erase(it);
  }
  if (fd_ < 0 || inflight_ || queue_.empty()) return;
  inflight_ = std::move(queue_.front());
  queue_.pop_front();
  inflight_->header["call"] = inflight_->id;
  bool wasEmpty = outPos_ == out_.size();
  if (wasEmpty) {
    out_.clear();
    outPos_ = 0;
  }
  out_ += encodeFrame(inflight_->header, inflight_->payload);
  inflight_->payload.clear();
  inflight_->payload.shrink_to_fit();
  const CallId id = inflight_->id;
  const auto timeout = inflight_->timeout;
  timer_ = loop_.addTimer(timeout, [this, id, timeout] {
    timer_ = 0;
    if (!inflight_ || inflight_->id != id || fd_ < 0) return;
    Error why = makeError(ErrorCode::kWorkerTimeout,
                          what(inflight_->plugin, inflight_->hook, inflight_->isLoad) +
                              ": no answer within " + std::to_string(timeout.count()) +
                              " ms; the plugin host was killed and restarted");
    ::kill(pid_, SIGKILL);
    onDeath(why, true);
  });
  if (wasEmpty) flushOutput();
}

void PluginHostClient::flushOutput() {
  while (fd_ >= 0 && outPos_ < out_.size()) {
    ssize_t n = ::write(fd_, out_.data() + outPos_, out_.size() - outPos_);
    if (n > 0) {
      outPos_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      loop_.modifyFd(fd_, EPOLLIN | EPOLLOUT);
      return;
    }
    out_.clear();  // EPIPE: the read side sees the death
    outPos_ = 0;
    return;
  }
  if (fd_ >= 0) loop_.modifyFd(fd_, EPOLLIN);
}

void PluginHostClient::onEvents(uint32_t events) {
  if (events & EPOLLOUT) flushOutput();
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) {
      reader_.feed(buf, static_cast<std::size_t>(n));
      for (;;) {
        auto f = reader_.next();
        if (!f) {
          ::kill(pid_, SIGKILL);
          return onDeath(makeError(ErrorCode::kWorkerCrashed,
                                   "the plugin host sent a bad frame: " + f.error().message),
                         true);
        }
        if (!f->has_value()) break;
        const int fdBefore = fd_;
        auto alive = alive_;
        onFrame(std::move(**f));
        if (!*alive || fd_ != fdBefore) return;  // a callback shut us down or destroyed us
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    return onDeath(makeError(ErrorCode::kWorkerCrashed, "the plugin host died"), false);
  }
}

void PluginHostClient::onFrame(Frame&& f) {
  const std::string ev = f.header.value("ev", "");
  if (ev == "ready") return;
  if (!f.header.contains("call") || !inflight_ || f.header["call"] != inflight_->id) {
    spdlog::warn("plugin host: unexpected frame '{}'", ev);
    return;
  }
  if (timer_) loop_.cancelTimer(timer_);
  timer_ = 0;
  Request r = std::move(*inflight_);
  inflight_.reset();
  if (r.done) r.done(std::move(f));
  pump();
}

void PluginHostClient::onDeath(Error why, bool killed) {
  if (fd_ < 0) return;
  loop_.removeFd(fd_);
  ::close(fd_);
  fd_ = -1;
  if (timer_) loop_.cancelTimer(timer_);
  timer_ = 0;
  int status = 0;
  pid_t dead = pid_;
  pid_ = -1;
  pid_t r = ::waitpid(dead, &status, killed ? 0 : WNOHANG);
  if (r == 0) {
    ::kill(dead, SIGKILL);
    r = ::waitpid(dead, &status, 0);
  }
  if (inflight_ && !killed && why.code == ErrorCode::kWorkerCrashed) {
    why.message = what(inflight_->plugin, inflight_->hook, inflight_->isLoad) +
                  ": the plugin host crashed" +
                  (r == dead ? " (" + describeStatus(status) + ")" : "") + "; it was restarted";
  }
  spdlog::warn("plugin host (pid {}): {}", dead, why.message);
  if (std::chrono::steady_clock::now() - startedAt_ > kHealthyAfter)
    backoff_ = std::chrono::milliseconds(0);
  failInflight(why);
  scheduleRestart();
}

void PluginHostClient::failInflight(const Error& e) {
  if (!inflight_) return;
  Request r = std::move(*inflight_);
  inflight_.reset();
  // A plugin whose load takes the host down would do it at every restart: keep it out.
  if (r.isLoad) banned_[r.plugin] = e;
  if (r.done) r.done(e);
}

void PluginHostClient::scheduleRestart() {
  if (shutdown_ || restartPending_ || fd_ >= 0) return;
  restartPending_ = true;
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  restartTimer_ = loop_.addTimer(backoff_, [this] {
    restartTimer_ = 0;
    restartPending_ = false;
    if (shutdown_ || fd_ >= 0) return;
    start();
    pump();
  });
}

void PluginHostClient::shutdown() {
  shutdown_ = true;
  if (restartTimer_) loop_.cancelTimer(restartTimer_);
  restartTimer_ = 0;
  queue_.clear();
  inflight_.reset();
  if (timer_) loop_.cancelTimer(timer_);
  timer_ = 0;
  if (fd_ >= 0) {
    loop_.removeFd(fd_);
    ::close(fd_);  // EOF makes a healthy host exit by itself
    fd_ = -1;
  }
  if (pid_ > 0) {
    int status;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      ::usleep(10000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

}  // namespace liseur::plugins
