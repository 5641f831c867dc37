#include "control/worker_client.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/log.h"

namespace liseur {
namespace {

constexpr std::chrono::milliseconds kMaxBackoff{5000};
// A worker that stayed up this long is considered healthy again: back-off starts over.
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

}  // namespace

WorkerClient::WorkerClient(EventLoop& loop, Options options, FrameHandler onFrame,
                           DeathHandler onDeath)
    : loop_(loop),
      opts_(std::move(options)),
      onFrame_(std::move(onFrame)),
      onDeath_(std::move(onDeath)) {}

WorkerClient::~WorkerClient() {
  shutdown();
}

Status WorkerClient::start() {
  if (fd_ >= 0 || shuttingDown_) return okStatus();
  auto w = spawnWorker(opts_.program, opts_.args, opts_.env, opts_.limits);
  if (!w) {
    spdlog::error("{} worker: {}", opts_.name, w.error().message);
    scheduleRestart();
    return w.error();
  }
  pid_ = w->pid;
  fd_ = w->fd;
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  ready_ = false;
  killRequested_ = false;
  reader_ = FrameReader{};
  out_.clear();
  outPos_ = 0;
  startedAt_ = std::chrono::steady_clock::now();
  loop_.addFd(fd_, EPOLLIN, [this](uint32_t ev) { onReadable(ev); });
  spdlog::info("{} worker started (pid {})", opts_.name, pid_);
  return okStatus();
}

Status WorkerClient::send(const nlohmann::json& header, std::string_view payload) {
  if (fd_ < 0)
    return makeError(ErrorCode::kWorkerUnavailable, "the " + opts_.name + " worker is not running");
  bool wasEmpty = outPos_ == out_.size();
  if (wasEmpty) {
    out_.clear();
    outPos_ = 0;
  }
  out_ += encodeFrame(header, payload);
  if (wasEmpty) flushOutput();
  return okStatus();
}

void WorkerClient::flushOutput() {
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
    // EPIPE: the worker is gone; the read side reports the death.
    out_.clear();
    outPos_ = 0;
    return;
  }
  if (fd_ >= 0) loop_.modifyFd(fd_, EPOLLIN);
}

void WorkerClient::onReadable(uint32_t events) {
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
          kill(makeError(ErrorCode::kWorkerCrashed,
                         "the " + opts_.name + " worker sent a bad frame: " + f.error().message));
          return;
        }
        if (!f->has_value()) break;
        Frame frame = std::move(**f);
        if (frame.header.value("ev", "") == "ready") {
          ready_ = true;
          readyInfo_ = frame.header;
        }
        int fdBefore = fd_;
        onFrame_(std::move(frame));
        if (fd_ != fdBefore) return;  // the handler killed us
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EOF or error: the worker is gone.
    handleDeath(killRequested_
                    ? pendingWhy_
                    : makeError(ErrorCode::kWorkerCrashed, "the " + opts_.name + " worker died"));
    return;
  }
}

void WorkerClient::kill(const Error& why) {
  if (pid_ <= 0) return;
  killRequested_ = true;
  pendingWhy_ = why;
  ::kill(pid_, SIGKILL);
  handleDeath(why);
}

void WorkerClient::handleDeath(Error why) {
  if (fd_ < 0) return;
  loop_.removeFd(fd_);
  ::close(fd_);
  fd_ = -1;
  const bool wasReady = std::exchange(ready_, false);
  int status = 0;
  pid_t dead = pid_;
  pid_ = -1;
  // The fd closed, so the process is exiting or gone: reap it (SIGKILL if it lingers).
  pid_t r = ::waitpid(dead, &status, WNOHANG);
  if (r == 0) {
    ::kill(dead, SIGKILL);
    r = ::waitpid(dead, &status, 0);
  }
  if (r == dead && why.code == ErrorCode::kWorkerCrashed && !killRequested_)
    why.message += " (" + describeStatus(status) + ")";
  spdlog::warn("{} worker (pid {}): {}", opts_.name, dead, why.message);
  // A worker that started well and died at its work (text that crashes espeak-ng, an image that
  // crashes a decoder) is restarted at once: back-off is for a worker that cannot start.
  if (wasReady || std::chrono::steady_clock::now() - startedAt_ > kHealthyAfter)
    backoff_ = std::chrono::milliseconds(100);
  scheduleRestart();
  if (onDeath_) onDeath_(why);
}

void WorkerClient::scheduleRestart() {
  if (shuttingDown_ || restartPending_) return;
  restartPending_ = true;
  auto delay = backoff_;
  lastDelay_ = delay;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  loop_.addTimer(delay, [this] {
    restartPending_ = false;
    ++restarts_;
    (void)start();
  });
}

void WorkerClient::restartWith(Options options) {
  opts_ = std::move(options);
  if (shuttingDown_) return;
  if (fd_ >= 0) {
    loop_.removeFd(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  if (pid_ > 0) {
    // Idle by the owner's word: nothing of its work is lost. SIGKILL reaps it at once, where an
    // EOF would wait for a worker still loading its models.
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    spdlog::info("{} worker (pid {}) ended to start with new settings", opts_.name, pid_);
    pid_ = -1;
  }
  ready_ = false;
  readyInfo_ = nlohmann::json();
  backoff_ = std::chrono::milliseconds(100);
  (void)start();  // a failure schedules a restart with back-off, as for any start
}

void WorkerClient::shutdown() {
  shuttingDown_ = true;
  if (fd_ >= 0) {
    loop_.removeFd(fd_);
    ::close(fd_);  // EOF makes a healthy worker exit by itself
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

}  // namespace liseur
