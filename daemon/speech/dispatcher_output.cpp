#include "speech/dispatcher_output.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <libspeechd.h>

#include "core/log.h"
#include "core/result.h"

namespace liseur::speech {
namespace {

using Clock = std::chrono::steady_clock;

// A failed connection is tried again after this long; messages meanwhile fail at once.
constexpr auto kRetryAfter = std::chrono::seconds(2);
// How often the command thread looks for a connection the server closed.
constexpr auto kHangupPoll = std::chrono::milliseconds(250);

struct Command {
  enum class Kind { kSpeak, kCancel } kind = Kind::kSpeak;
  uint64_t id = 0;
  std::string ssml, lang;
  OutputPriority priority = OutputPriority::kText;
};

// What the owner, the command thread and libspeechd's event thread share. Lives as long as the
// last of them (a command thread stuck in a hung server is detached with its reference).
struct Shared {
  SpeechOutput::Post post;
  SpeechOutput::Listener listener;
  bool alive = true;  // owner thread only: false once the SpeechOutput is destroyed

  std::mutex mu;  // guards everything below
  std::condition_variable cv;
  std::deque<Command> commands;
  bool stopping = false, finished = false;
  std::map<int, uint64_t> ids;                    // speech-dispatcher's message id -> ours
  std::map<int, std::vector<OutputEvent>> early;  // events that came before spd_say returned
  int lastId = 0;  // the newest message id spd_say returned (the server counts up)
  bool connected = false;
  std::string problem;

  // Hands an event to the owner's thread; mu held. Nothing is posted once the owner is gone.
  void deliverLocked(OutputEvent ev) {
    if (stopping || !post) return;
    std::weak_ptr<Shared> weak = self;
    post([weak, ev = std::move(ev)] {
      auto s = weak.lock();
      if (s && s->alive && s->listener) s->listener(ev);
    });
  }
  std::weak_ptr<Shared> self;
};

// libspeechd's callbacks carry the SSIP client id but no user data: connected outputs are found
// here by that id.
std::mutex gRegistryMu;
std::map<std::size_t, std::shared_ptr<Shared>> gRegistry;

void onEvent(std::size_t msg, std::size_t client, OutputEvent::Kind kind, const char* mark) {
  // libspeechd cancels its event thread in spd_close: never at a cancellation point inside here,
  // with a lock held.
  int oldState = 0;
  ::pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &oldState);
  std::shared_ptr<Shared> s;
  {
    std::lock_guard<std::mutex> lk(gRegistryMu);
    auto it = gRegistry.find(client);
    if (it != gRegistry.end()) s = it->second;
  }
  if (s) {
    std::lock_guard<std::mutex> lk(s->mu);
    OutputEvent ev;
    ev.kind = kind;
    if (mark) ev.mark = mark;
    const int id = static_cast<int>(msg);
    auto it = s->ids.find(id);
    if (it == s->ids.end()) {
      if (id > s->lastId) s->early[id].push_back(std::move(ev));  // else: a message that ended
    } else {
      ev.message = it->second;
      const bool last = kind == OutputEvent::Kind::kEnd || kind == OutputEvent::Kind::kCancelled;
      if (last) s->ids.erase(it);
      s->deliverLocked(std::move(ev));
    }
  }
  ::pthread_setcancelstate(oldState, nullptr);
}

void onBegin(std::size_t msg, std::size_t client, SPDNotificationType) {
  onEvent(msg, client, OutputEvent::Kind::kBegin, nullptr);
}
void onEnd(std::size_t msg, std::size_t client, SPDNotificationType) {
  onEvent(msg, client, OutputEvent::Kind::kEnd, nullptr);
}
void onCancel(std::size_t msg, std::size_t client, SPDNotificationType) {
  onEvent(msg, client, OutputEvent::Kind::kCancelled, nullptr);
}
void onMark(std::size_t msg, std::size_t client, SPDNotificationType, char* mark) {
  onEvent(msg, client, OutputEvent::Kind::kMark, mark);
}

SPDPriority ssipPriority(OutputPriority p) {
  switch (p) {
    case OutputPriority::kText:
      return SPD_TEXT;
    case OutputPriority::kMessage:
      return SPD_MESSAGE;
    case OutputPriority::kNotification:
      return SPD_NOTIFICATION;
  }
  return SPD_TEXT;
}

// The command thread: the only one that calls libspeechd's commands (they block until the
// server answers, and some use static buffers).
class Connection {
 public:
  explicit Connection(std::shared_ptr<Shared> s) : s_(std::move(s)) {}

  void run() {
    // A server that went away is a failed write here, never SIGPIPE for the whole process (the
    // event thread libspeechd starts from this one inherits the mask).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    for (;;) {
      Command cmd;
      {
        std::unique_lock<std::mutex> lk(s_->mu);
        s_->cv.wait_for(lk, kHangupPoll, [&] { return s_->stopping || !s_->commands.empty(); });
        if (s_->stopping) break;
        if (s_->commands.empty()) {
          lk.unlock();
          if (conn_ && hungUp()) lost();
          continue;
        }
        cmd = std::move(s_->commands.front());
        s_->commands.pop_front();
      }
      if (cmd.kind == Command::Kind::kCancel) {
        if (conn_ && spd_cancel(conn_) != 0 && hungUp()) lost();
        continue;
      }
      speak(cmd);
    }
    if (conn_) {
      (void)spd_cancel(conn_);  // liseur going away takes its speech with it
      close();
    }
    std::lock_guard<std::mutex> lk(s_->mu);
    s_->finished = true;
    s_->cv.notify_all();
  }

 private:
  void fail(uint64_t id, Error e) {
    std::lock_guard<std::mutex> lk(s_->mu);
    OutputEvent ev;
    ev.kind = OutputEvent::Kind::kFailed;
    ev.message = id;
    ev.error = std::move(e);
    s_->deliverLocked(std::move(ev));
  }

  void speak(const Command& cmd) {
    if (!conn_ && !connect()) return fail(cmd.id, *connectError_);
    if (cmd.lang != lang_) {
      if (spd_set_language(conn_, cmd.lang.c_str()) == 0) lang_ = cmd.lang;
    }
    const int id = spd_say(conn_, ssipPriority(cmd.priority), cmd.ssml.c_str());
    if (id < 0) {
      if (hungUp()) {
        lost();
        return fail(cmd.id, makeError(ErrorCode::kSpeechDispatcherFailed,
                                      "the connection to speech-dispatcher broke (it stopped "
                                      "or restarted); speaking again reconnects"));
      }
      return fail(cmd.id, makeError(ErrorCode::kSpeechDispatcherFailed,
                                    "speech-dispatcher refused the text (see its log, "
                                    "$XDG_RUNTIME_DIR/speech-dispatcher/log)"));
    }
    std::lock_guard<std::mutex> lk(s_->mu);
    s_->ids[id] = cmd.id;
    s_->lastId = std::max(s_->lastId, id);
    auto early = s_->early.find(id);
    if (early != s_->early.end()) {
      for (OutputEvent& ev : early->second) {
        ev.message = cmd.id;
        const bool last =
            ev.kind == OutputEvent::Kind::kEnd || ev.kind == OutputEvent::Kind::kCancelled;
        s_->deliverLocked(std::move(ev));
        if (last) s_->ids.erase(id);
      }
      s_->early.erase(early);
    }
  }

  bool connect() {
    if (connectError_ && Clock::now() - failedAt_ < kRetryAfter) return false;
    // libspeechd's own default reads XDG_RUNTIME_DIR through glib, which keeps the first value
    // it saw for the life of the process: the address is made here, read afresh each time.
    SPDConnectionAddress addr{};
    const SPDConnectionAddress* address = nullptr;
    std::string path;
    const char* env = std::getenv("SPEECHD_ADDRESS");
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    if ((!env || !*env) && run && *run) {
      path = std::string(run) + "/speech-dispatcher/speechd.sock";
      addr.method = SPD_METHOD_UNIX_SOCKET;
      addr.unix_socket_name = path.data();
      address = &addr;
    }
    char* err = nullptr;
    SPDConnection* c = spd_open2("liseur", "reader", nullptr, SPD_MODE_THREADED, address, 1, &err);
    if (!c) {
      std::string why = err ? err : "no socket could be made";
      std::free(err);
      if (why.rfind("Error: ", 0) == 0) why.erase(0, 7);
      while (!why.empty() && (why.back() == '\n' || why.back() == '.')) why.pop_back();
      return connectFailed(
          "cannot connect to speech-dispatcher (" + why +
          "): install it (apt install speech-dispatcher speech-dispatcher-espeak-ng) and check "
          "that `spd-say hello` speaks, or set speech.output = \"liseur\" to use liseur's own "
          "voice");
    }
    conn_ = c;
    watchFd_ = ::dup(c->socket);  // stays valid when libspeechd closes its own on a hang-up
    clientId_ = spd_get_client_id(c);
    {
      std::lock_guard<std::mutex> lk(gRegistryMu);
      gRegistry[static_cast<std::size_t>(clientId_)] = s_;
    }
    c->callback_begin = onBegin;
    c->callback_end = onEnd;
    c->callback_cancel = onCancel;
    c->callback_im = onMark;
    bool ok = clientId_ >= 0;
    for (SPDNotification n : {SPD_BEGIN, SPD_END, SPD_CANCEL, SPD_INDEX_MARKS})
      ok = ok && spd_set_notification_on(c, n) == 0;
    ok = ok && spd_set_data_mode(c, SPD_DATA_SSML) == 0;
    if (!ok) {
      close();
      return connectFailed(
          "speech-dispatcher did not accept liseur's settings (index marks, SSML): it may be "
          "too old or stopping; set speech.output = \"liseur\" to use liseur's own voice");
    }
    lang_.clear();
    connectError_.reset();
    spdlog::info("speech: connected to speech-dispatcher (client {})", clientId_);
    std::lock_guard<std::mutex> lk(s_->mu);
    s_->connected = true;
    s_->problem.clear();
    return true;
  }

  bool connectFailed(std::string message) {
    connectError_ = makeError(ErrorCode::kSpeechDispatcherUnavailable, std::move(message));
    failedAt_ = Clock::now();
    std::lock_guard<std::mutex> lk(s_->mu);
    s_->connected = false;
    s_->problem = connectError_->message;
    return false;
  }

  bool hungUp() const {
    if (watchFd_ < 0) return true;
    pollfd p{watchFd_, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
  }

  // The server went away: what it was speaking is reported failed, and the next speak()
  // connects again.
  void lost() {
    spdlog::warn("speech: the connection to speech-dispatcher broke");
    close();
    std::lock_guard<std::mutex> lk(s_->mu);
    for (const auto& [spdId, id] : s_->ids) {
      OutputEvent ev;
      ev.kind = OutputEvent::Kind::kFailed;
      ev.message = id;
      ev.error = makeError(ErrorCode::kSpeechDispatcherFailed,
                           "the connection to speech-dispatcher broke (it stopped or restarted)");
      s_->deliverLocked(std::move(ev));
    }
    s_->ids.clear();
    s_->early.clear();
    s_->lastId = 0;  // a new server counts from 1 again
    s_->connected = false;
    s_->problem = "the connection to speech-dispatcher broke";
  }

  void close() {
    {
      std::lock_guard<std::mutex> lk(gRegistryMu);
      auto it = gRegistry.find(static_cast<std::size_t>(clientId_));
      if (it != gRegistry.end() && it->second == s_) gRegistry.erase(it);
    }
    spd_close(conn_);
    conn_ = nullptr;
    if (watchFd_ >= 0) ::close(watchFd_);
    watchFd_ = -1;
    clientId_ = -1;
  }

  std::shared_ptr<Shared> s_;
  SPDConnection* conn_ = nullptr;
  int watchFd_ = -1;
  int clientId_ = -1;
  std::string lang_;
  std::optional<Error> connectError_;
  Clock::time_point failedAt_{};
};

class DispatcherOutput final : public SpeechOutput {
 public:
  DispatcherOutput(Post post, Listener listener) : s_(std::make_shared<Shared>()) {
    s_->post = std::move(post);
    s_->listener = std::move(listener);
    s_->self = s_;
  }

  ~DispatcherOutput() override {
    s_->alive = false;
    if (!thread_.joinable()) return;
    std::unique_lock<std::mutex> lk(s_->mu);
    s_->stopping = true;
    s_->cv.notify_all();
    // A server that stopped answering keeps libspeechd waiting for ever: do not wait with it.
    if (s_->cv.wait_for(lk, std::chrono::seconds(2), [&] { return s_->finished; })) {
      lk.unlock();
      thread_.join();
    } else {
      spdlog::warn("speech: speech-dispatcher does not answer; leaving its connection behind");
      lk.unlock();
      thread_.detach();
    }
  }

  uint64_t speak(std::string ssml, std::string lang, OutputPriority priority) override {
    Command c;
    c.kind = Command::Kind::kSpeak;
    c.id = ++nextId_;
    c.ssml = std::move(ssml);
    c.lang = std::move(lang);
    c.priority = priority;
    push(std::move(c));
    return nextId_;
  }

  void cancel() override {
    if (!thread_.joinable()) return;  // never connected: nothing to silence
    Command c;
    c.kind = Command::Kind::kCancel;
    push(std::move(c));
  }

  nlohmann::json status() const override {
    std::lock_guard<std::mutex> lk(s_->mu);
    nlohmann::json j{{"connected", s_->connected}};
    if (!s_->problem.empty()) j["problem"] = s_->problem;
    return j;
  }

 private:
  void push(Command c) {
    if (!thread_.joinable())
      thread_ = std::thread([s = s_] { Connection(s).run(); });  // connects on first use
    std::lock_guard<std::mutex> lk(s_->mu);
    s_->commands.push_back(std::move(c));
    s_->cv.notify_all();
  }

  std::shared_ptr<Shared> s_;
  std::thread thread_;
  uint64_t nextId_ = 0;
};

}  // namespace

std::unique_ptr<SpeechOutput> makeDispatcherOutput(SpeechOutput::Post post,
                                                   SpeechOutput::Listener listener) {
  return std::make_unique<DispatcherOutput>(std::move(post), std::move(listener));
}

}  // namespace liseur::speech
