#include "ipc/ipc_server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "core/paths.h"

namespace liseur {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per wake-up for one client: a client streaming megabytes must not starve the others
// (epoll is level-triggered, so the rest is read on the next turn of the loop).
constexpr int kReadsPerWakeup = 8;

// Owns `fd`: closed when the last copy of the pointer goes.
std::shared_ptr<int> adoptFd(int fd) {
  return std::shared_ptr<int>(new int(fd), [](int* p) {
    if (*p >= 0) ::close(*p);
    delete p;
  });
}
constexpr std::chrono::milliseconds kAcceptBackoff{200};

std::string errnoText(int err) {
  return std::strerror(err);
}

// Something printable and short for the log: the client name is chosen by the client.
std::string loggable(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 32)) out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
  return out;
}

bool isEventName(const std::string& s) {
  if (s == "*") return true;
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

struct IpcServerClient {
  IpcClientId id = 0;
  int fd = -1;
  pid_t pid = 0;
  std::string in;  // the unfinished request line (never more than max_line_bytes)
  std::string out;
  std::size_t out_pos = 0;  // bytes of `out` already sent
  bool hello = false;
  bool reserved = false;     // let in over max_clients: kIpcReservedCommands only
  bool read_closed = false;  // the peer shut down its writing side: answer, then close
  int outstanding = 0;       // requests dispatched and not yet answered
  std::set<std::string, std::less<>> subs;
  EventLoop::TimerId line_timer = 0;
  EventLoop::TimerId hello_timer = 0;
  uint32_t interest = 0;
  // Descriptors the client passed (SCM_RIGHTS), oldest first, until a request claims one.
  std::deque<std::shared_ptr<int>> passed;

  std::size_t pending() const { return out.size() - out_pos; }
};

struct IpcServer::Impl : std::enable_shared_from_this<IpcServer::Impl> {
  Impl(EventLoop& l, IpcServerOptions o) : loop(l), opt(std::move(o)) {}
  ~Impl();

  EventLoop& loop;
  IpcServerOptions opt;
  std::string path;
  int listen_fd = -1;
  int lock_fd = -1;
  bool bound = false;
  EventLoop::TimerId accept_retry = 0;
  std::map<IpcClientId, std::unique_ptr<IpcServerClient>> clients;
  IpcClientId next_id = 1;
  std::map<std::string, Handler, std::less<>> handlers;
  nlohmann::json hello_info = nlohmann::json::object();
  std::function<void(const nlohmann::json&)> hello_hook;
  DisconnectHook hook;
  int64_t last_request_ms = EventLoop::nowMs();

  Status listen();
  Status adopt();
  Status lock(ErrorCode code, const std::string& held);
  void watchListener();
  void onAccept();
  void onClientEvents(IpcClientId cid, uint32_t events);
  void readInput(IpcClientId cid);
  bool consume(IpcClientId cid, const char* data, std::size_t n);
  void takeFds(IpcServerClient& c, msghdr& msg);
  void endOfInput(IpcClientId cid);
  void handleLine(IpcClientId cid, std::string_view line);
  void dispatch(IpcClientId cid, IpcRequestLine&& line);
  void builtinHello(IpcServerClient& c, const IpcRequest& req, IpcResponder& r);
  void builtinSubscribe(IpcServerClient& c, const IpcRequest& req, IpcResponder& r, bool add);
  bool sendLine(IpcClientId cid, const std::string& line);
  void sendFinal(IpcClientId cid, const nlohmann::json& message, const char* reason);
  void finishRequest(IpcClientId cid, const std::string& line);
  bool flush(IpcServerClient& c);
  void updateInterest(IpcServerClient& c);
  void armLineTimer(IpcServerClient& c);
  void disarmLineTimer(IpcServerClient& c);
  void closeClient(IpcClientId cid, const char* reason, bool notify = true);
  IpcServerClient* find(IpcClientId cid) {
    auto it = clients.find(cid);
    return it == clients.end() ? nullptr : it->second.get();
  }
};

// ---------------------------------------------------------------------------------------------
// Responder

struct IpcResponder::State {
  std::weak_ptr<IpcServer::Impl> server;
  IpcClientId client = 0;
  int64_t id = 0;
  std::string cmd;
  bool done = false;

  ~State() {
    if (done) return;
    // Every request gets exactly one answer, even when a handler forgets it: a client waiting on
    // a blocking read must not hang.
    if (auto s = server.lock()) {
      spdlog::error("ipc: command '{}' (request {}) was dropped without a reply", cmd, id);
      s->finishRequest(
          client, encodeIpcLine(makeErrorReply(
                      &id, makeError(ErrorCode::kInternal, "the daemon dropped '" + cmd +
                                                               "' without answering (a bug)"))));
    }
  }
};

void IpcResponder::reply(const nlohmann::json& fields) {
  if (!state_ || state_->done) return;
  state_->done = true;
  if (auto s = state_->server.lock())
    s->finishRequest(state_->client, encodeIpcLine(makeOkReply(state_->id, fields)));
}

void IpcResponder::fail(const Error& error) {
  if (!state_ || state_->done) return;
  state_->done = true;
  if (auto s = state_->server.lock())
    s->finishRequest(state_->client, encodeIpcLine(makeErrorReply(&state_->id, error)));
}

bool IpcResponder::done() const {
  return !state_ || state_->done;
}

bool IpcResponder::clientConnected() const {
  if (!state_) return false;
  auto s = state_->server.lock();
  return s && s->find(state_->client) != nullptr;
}

IpcClientId IpcResponder::client() const {
  return state_ ? state_->client : 0;
}
int64_t IpcResponder::requestId() const {
  return state_ ? state_->id : 0;
}

// ---------------------------------------------------------------------------------------------
// Listening

IpcServer::Impl::~Impl() {
  for (auto& [cid, c] : clients) {
    if (c->line_timer) loop.cancelTimer(c->line_timer);
    loop.removeFd(c->fd);
    ::close(c->fd);
  }
  clients.clear();
  if (accept_retry) loop.cancelTimer(accept_retry);
  if (listen_fd >= 0) {
    loop.removeFd(listen_fd);
    ::close(listen_fd);
  }
  if (opt.listen_fd >= 0) ::close(opt.listen_fd);  // inherited, never adopted
  // Only the holder of the lock ever binds, so the socket file is ours to remove. The lock file
  // stays: unlinking it would let a second daemon lock a new inode while a third holds the old.
  if (bound) ::unlink(path.c_str());
  if (lock_fd >= 0) ::close(lock_fd);
}

Status IpcServer::Impl::listen() {
  if (listen_fd >= 0) return okStatus();
  if (opt.listen_fd >= 0) return adopt();
  if (opt.socket_path.empty()) {
    if (Status st = ensureRuntimeDir(); !st) return st;
    path = liseur::socketPath();
  } else {
    path = opt.socket_path;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path[0] != '/' || path.size() >= sizeof addr.sun_path)
    return makeError(ErrorCode::kInternal, "socket path '" + path +
                                               "' must be absolute and shorter than " +
                                               std::to_string(sizeof addr.sun_path) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

  // The lock, not bind(), decides which of two racing daemons wins: checking for a stale socket
  // and replacing it is not atomic, and without the lock the loser could unlink the winner's
  // socket and orphan it.
  if (Status st = lock(ErrorCode::kBusy, "liseurd is already running (socket " + path + ")"); !st)
    return st;

  auto fail = [&](ErrorCode code, std::string message) {
    if (listen_fd >= 0) ::close(listen_fd);
    listen_fd = -1;
    ::close(lock_fd);
    lock_fd = -1;
    return Status(makeError(code, std::move(message)));
  };

  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return fail(ErrorCode::kInternal,
                  path + " exists and is not a socket (refusing to replace it)");
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live =
        probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) ::close(probe);
    // Something listening without holding our lock (an older daemon, another program): leave it.
    if (live) return fail(ErrorCode::kBusy, "liseurd is already running (socket " + path + ")");
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return fail(ErrorCode::kInternal,
                  "cannot remove stale socket " + path + ": " + errnoText(errno));
    spdlog::info("ipc: replaced stale socket {}", path);
  }

  listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) return fail(ErrorCode::kInternal, "socket(): " + errnoText(errno));
  // bind() creates the file with the process umask: tighten it so the socket is never, even
  // briefly, reachable by others. umask is process-wide; listen() runs at start-up, before the
  // threads that create files.
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_err = errno;
  ::umask(old_mask);
  if (rc != 0)
    return fail(ErrorCode::kInternal, "cannot bind " + path + ": " + errnoText(bind_err));
  bound = true;
  if (::chmod(path.c_str(), 0600) != 0 || ::listen(listen_fd, 64) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    bound = false;
    return fail(ErrorCode::kInternal, "cannot listen on " + path + ": " + errnoText(err));
  }
  watchListener();
  spdlog::info("ipc: listening on {}", path);
  return okStatus();
}

// Takes `path`.lock (exclusive, not waiting): the lock, not bind(), says which daemon owns the
// socket. Held by another daemon: `held` with `code`.
Status IpcServer::Impl::lock(ErrorCode code, const std::string& held) {
  const std::string lock_path = path + ".lock";
  lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd < 0)
    return makeError(ErrorCode::kInternal, "cannot open " + lock_path + ": " + errnoText(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(lock_fd);
    lock_fd = -1;
    if (err == EWOULDBLOCK) return makeError(code, held);
    return makeError(ErrorCode::kInternal, "cannot lock " + lock_path + ": " + errnoText(err));
  }
  return okStatus();
}

// The socket of liseurd.socket: systemd bound it (SocketMode=0600, DirectoryMode=0700) and keeps
// it across restarts of the daemon, so it is never unlinked here (`bound` stays false).
Status IpcServer::Impl::adopt() {
  sockaddr_un addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(opt.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return makeError(ErrorCode::kInternal,
                     "inherited socket: getsockname() failed: " + errnoText(errno));
  const socklen_t base = offsetof(sockaddr_un, sun_path);
  if (addr.sun_family != AF_UNIX || len <= base || addr.sun_path[0] == '\0')
    return makeError(ErrorCode::kInternal,
                     "the inherited socket has no file name (abstract or unnamed); "
                     "liseurd.socket must listen on a path such as %t/liseur/socket");
  path.assign(addr.sun_path, ::strnlen(addr.sun_path, len - base));
  if (path == liseur::socketPath()) {
    if (Status st = ensureRuntimeDir(); !st) return st;
  }

  // A daemon started without the service manager (autospawn) may still hold the lock: its socket
  // file was replaced by systemd's, so no client reaches it, but two daemons would fight over the
  // hotkeys and the sound card. Refuse, naming it, rather than run beside it.
  if (Status st = lock(ErrorCode::kInternal,
                       "another liseurd, started before liseurd.socket, holds " + path +
                           ".lock; stop it (it no longer receives clients) and start again");
      !st)
    return st;

  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 077) != 0) {
    if (::chmod(path.c_str(), 0600) != 0)
      return makeError(ErrorCode::kInternal, path + " is accessible to others and cannot be " +
                                                 "fixed (" + errnoText(errno) +
                                                 "); set SocketMode=0600 in liseurd.socket");
    spdlog::warn("ipc: {} was accessible to others; made it 0600", path);
  }

  listen_fd = opt.listen_fd;
  opt.listen_fd = -1;
  watchListener();
  spdlog::info("ipc: listening on {} (socket from the service manager)", path);
  return okStatus();
}

void IpcServer::Impl::watchListener() {
  std::weak_ptr<Impl> weak = weak_from_this();
  loop.addFd(listen_fd, EPOLLIN, [weak](uint32_t) {
    if (auto s = weak.lock()) s->onAccept();
  });
}

void IpcServer::Impl::onAccept() {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: the listener stays readable, so stop watching it for a
      // moment instead of spinning on it.
      spdlog::warn("ipc: accept failed: {}; pausing accepts", errnoText(errno));
      loop.removeFd(listen_fd);
      std::weak_ptr<Impl> weak = weak_from_this();
      accept_retry = loop.addTimer(kAcceptBackoff, [weak] {
        if (auto s = weak.lock()) {
          s->accept_retry = 0;
          s->watchListener();
        }
      });
      return;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    uid_t allowed = opt.peer_uid >= 0 ? static_cast<uid_t>(opt.peer_uid) : ::geteuid();
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != allowed) {
      spdlog::warn("ipc: refused a connection from uid {} (pid {}): not our user", cred.uid,
                   cred.pid);
      ::close(fd);
      continue;
    }
    if (clients.size() >= opt.max_clients) {
      // Full: a connection that has not said hello yet (it may never) gives its place, so
      // `liseur stop` gets in even when silent connections fill the table.
      IpcClientId silent = 0;
      for (const auto& [id, other] : clients)
        if (!other->hello && (!silent || id < silent)) silent = id;
      if (silent) {
        spdlog::warn("ipc: table full; closing client {}, which has not said hello", silent);
        closeClient(silent, "table full and no hello");
      }
    }
    const bool reserved = clients.size() >= opt.max_clients;
    if (clients.size() >= opt.max_clients + opt.reserved_clients) {
      spdlog::warn("ipc: refused pid {}: already {} clients", cred.pid, clients.size());
      std::string limit = "too many clients (limit " + std::to_string(opt.max_clients);
      if (opt.reserved_clients)
        limit += ", and " + std::to_string(opt.reserved_clients) +
                 " more for stop, pause, resume and status";
      std::string line =
          encodeIpcLine(makeErrorReply(nullptr, makeError(ErrorCode::kBusy, limit + ")")));
      [[maybe_unused]] ssize_t n =
          ::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<IpcServerClient>();
    c->id = next_id++;
    c->fd = fd;
    c->reserved = reserved;
    if (reserved)
      spdlog::warn("ipc: table full ({} clients); pid {} let in for stop, pause and status only",
                   opt.max_clients, cred.pid);
    c->pid = cred.pid;
    c->interest = EPOLLIN;
    IpcClientId cid = c->id;
    std::weak_ptr<Impl> weak = weak_from_this();
    // A connection must say hello soon; one that does not holds a slot for nothing.
    c->hello_timer = loop.addTimer(opt.hello_timeout, [weak, cid] {
      auto s = weak.lock();
      if (!s) return;
      IpcServerClient* c = s->find(cid);
      if (!c) return;
      c->hello_timer = 0;
      if (c->hello) return;
      spdlog::info("ipc: client {} said no hello in {} ms; disconnecting", cid,
                   s->opt.hello_timeout.count());
      s->sendFinal(
          cid,
          makeErrorReply(
              nullptr, makeError(ErrorCode::kTimeout,
                                 "no hello within " + std::to_string(s->opt.hello_timeout.count()) +
                                     " ms; closing the connection")),
          "no hello");
    });
    clients.emplace(cid, std::move(c));
    loop.addFd(fd, EPOLLIN, [weak, cid](uint32_t events) {
      if (auto s = weak.lock()) s->onClientEvents(cid, events);
    });
    spdlog::debug("ipc: client {} connected (pid {})", cid, cred.pid);
  }
}

// ---------------------------------------------------------------------------------------------
// Input

void IpcServer::Impl::onClientEvents(IpcClientId cid, uint32_t events) {
  IpcServerClient* c = find(cid);
  if (!c) return;
  if ((events & EPOLLOUT) && !flush(*c)) return;
  if (events & EPOLLIN) readInput(cid);
  if (events & (EPOLLHUP | EPOLLERR)) closeClient(cid, "connection closed by the client");
}

void IpcServer::Impl::readInput(IpcClientId cid) {
  char buf[kReadChunk];
  for (int round = 0; round < kReadsPerWakeup; ++round) {
    IpcServerClient* c = find(cid);
    if (!c || c->read_closed) return;
    // recvmsg, for the descriptors a client may pass with a request (SCM_RIGHTS); they arrive
    // with the first byte of the request that claims them, so they are queued before its line
    // ends.
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kIpcMaxPassedFds)];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n >= 0) takeFds(*c, msg);
    if (n > 0) {
      if (!consume(cid, buf, static_cast<std::size_t>(n))) return;
    } else if (n == 0) {
      endOfInput(cid);
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      closeClient(cid, "read error");
      return;
    }
  }
}

void IpcServer::Impl::takeFds(IpcServerClient& c, msghdr& msg) {
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < n; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
      if (c.passed.size() < kIpcMaxPassedFds) {
        c.passed.push_back(adoptFd(fd));
      } else {
        ::close(fd);
        spdlog::warn(
            "ipc: client {} passed more than {} file descriptors no request claimed; "
            "closed the others",
            c.id, kIpcMaxPassedFds);
      }
    }
  }
  if (msg.msg_flags & MSG_CTRUNC)
    spdlog::warn(
        "ipc: client {} passed more file descriptors at once than {}; the kernel "
        "closed the others",
        c.id, kIpcMaxPassedFds);
}

// Splits the bytes into lines. The unfinished line is kept only up to the limit, so a client
// sending megabytes without a newline costs at most max_line_bytes + one read chunk.
bool IpcServer::Impl::consume(IpcClientId cid, const char* data, std::size_t n) {
  std::size_t pos = 0;
  while (pos < n) {
    IpcServerClient* c = find(cid);
    if (!c || c->read_closed) return false;
    const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
    std::size_t seg = nl ? static_cast<std::size_t>(nl - (data + pos)) : n - pos;
    if (c->in.size() + seg > opt.max_line_bytes) {
      spdlog::warn("ipc: client {} sent a line over {} bytes; disconnecting", cid,
                   opt.max_line_bytes);
      sendFinal(cid,
                makeErrorReply(nullptr, makeError(ErrorCode::kLineTooLong,
                                                  "request line longer than " +
                                                      std::to_string(opt.max_line_bytes) +
                                                      " bytes; closing the connection")),
                "line too long");
      return false;
    }
    c->in.append(data + pos, seg);
    pos += seg;
    if (!nl) {
      armLineTimer(*c);
      break;
    }
    ++pos;  // the newline
    std::string line;
    line.swap(c->in);
    disarmLineTimer(*c);
    handleLine(cid, line);
  }
  return find(cid) != nullptr;
}

void IpcServer::Impl::endOfInput(IpcClientId cid) {
  IpcServerClient* c = find(cid);
  if (!c) return;
  // `printf '...' | socat - UNIX-CONNECT:...` sends a last line without newline, then EOF.
  if (!c->in.empty()) {
    std::string line;
    line.swap(c->in);
    disarmLineTimer(*c);
    handleLine(cid, line);
    c = find(cid);
    if (!c) return;
  }
  c->read_closed = true;
  spdlog::debug("ipc: client {} finished sending ({} requests pending)", cid, c->outstanding);
  flush(*c);  // closes the connection once nothing is pending
}

void IpcServer::Impl::handleLine(IpcClientId cid, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;  // blank lines are allowed between requests (typing into socat)
  IpcRequestLine req;
  Status st = parseRequestLine(line, req);
  if (!st) {
    spdlog::info("ipc: client {}: {} ({}-byte line)", cid, st.error().name(), line.size());
    sendLine(cid, encodeIpcLine(makeErrorReply(req.has_id ? &req.id : nullptr, st.error())));
    return;
  }
  dispatch(cid, std::move(req));
}

void IpcServer::Impl::dispatch(IpcClientId cid, IpcRequestLine&& line) {
  IpcServerClient* c = find(cid);
  if (!c) return;
  last_request_ms = EventLoop::nowMs();
  auto state = std::make_shared<IpcResponder::State>();
  state->server = weak_from_this();
  state->client = cid;
  state->id = line.id;
  state->cmd = line.cmd;
  ++c->outstanding;
  IpcRequest req{cid, line.id, std::move(line.cmd), std::move(line.args), nullptr};
  IpcResponder r(std::move(state));
  // "fd": true: the request claims the oldest descriptor the client passed.
  if (auto f = req.args.find("fd"); f != req.args.end()) {
    if (!f->is_boolean())
      return r.fail(ErrorCode::kBadRequest, "argument 'fd' must be true or false");
    if (f->get<bool>()) {
      if (c->passed.empty())
        return r.fail(ErrorCode::kBadRequest,
                      "the request says it carries a file descriptor (\"fd\": true) but none "
                      "came with it on the socket (SCM_RIGHTS)");
      req.fd = std::move(c->passed.front());
      c->passed.pop_front();
    }
  }
  spdlog::debug("ipc: client {} request {} '{}'", cid, req.id, req.cmd);

  if (req.cmd == "hello") return builtinHello(*c, req, r);
  if (!c->hello) {
    r.fail(ErrorCode::kProtocolVersion,
           "send hello first: {\"id\":1,\"cmd\":\"hello\",\"args\":"
           "{\"protocol\":" +
               std::to_string(kIpcProtocolVersion) + "}}");
    return;
  }
  if (c->reserved && std::none_of(std::begin(kIpcReservedCommands), std::end(kIpcReservedCommands),
                                  [&](const char* k) { return req.cmd == k; })) {
    r.fail(ErrorCode::kBusy, "the daemon's " + std::to_string(opt.max_clients) +
                                 " connections are taken; this one may only stop, pause, resume, "
                                 "ask status or shut down (close other liseur clients)");
    return;
  }
  if (req.cmd == "subscribe") return builtinSubscribe(*c, req, r, true);
  if (req.cmd == "unsubscribe") return builtinSubscribe(*c, req, r, false);
  auto it = handlers.find(req.cmd);
  if (it == handlers.end()) {
    r.fail(ErrorCode::kUnknownCommand, "unknown command '" + req.cmd + "'");
    return;
  }
  Handler handler = it->second;  // the handler may re-register itself
  try {
    handler(req, r);
  } catch (const std::exception&) {
    // what() may quote request or screen text: the log only names the command.
    spdlog::error("ipc: handler for '{}' threw", req.cmd);
    r.fail(ErrorCode::kInternal, "command '" + req.cmd + "' failed unexpectedly");
  } catch (...) {
    spdlog::error("ipc: handler for '{}' threw", req.cmd);
    r.fail(ErrorCode::kInternal, "command '" + req.cmd + "' failed unexpectedly");
  }
}

void IpcServer::Impl::builtinHello(IpcServerClient& c, const IpcRequest& req, IpcResponder& r) {
  std::string want = "this daemon speaks protocol " + std::to_string(kIpcProtocolVersion);
  auto p = req.args.find("protocol");
  if (p == req.args.end() || !p->is_number_integer())
    return r.fail(ErrorCode::kProtocolVersion, "hello needs an integer args.protocol; " + want);
  if (p->get<int64_t>() != kIpcProtocolVersion)
    return r.fail(ErrorCode::kProtocolVersion,
                  "client speaks protocol " + std::to_string(p->get<int64_t>()) + "; " + want);
  c.hello = true;
  std::string name;
  if (auto n = req.args.find("client"); n != req.args.end() && n->is_string()) name = *n;
  spdlog::debug("ipc: client {} is '{}' (pid {})", c.id, loggable(name), c.pid);

  if (hello_hook) hello_hook(req.args);
  nlohmann::json fields = hello_info;
  fields["protocol"] = kIpcProtocolVersion;
  fields["version"] = LISEUR_VERSION;
  fields["pid"] = static_cast<int64_t>(::getpid());
  nlohmann::json cmds = {"hello", "subscribe", "unsubscribe"};
  for (const auto& [cmd, h] : handlers) cmds.push_back(cmd);
  fields["commands"] = std::move(cmds);
  r.reply(fields);
}

void IpcServer::Impl::builtinSubscribe(IpcServerClient& c, const IpcRequest& req, IpcResponder& r,
                                       bool add) {
  std::vector<std::string> names;
  auto ev = req.args.find("events");
  if (ev == req.args.end() || ev->is_null()) {
    if (add)
      names.push_back("*");
    else
      c.subs.clear();
  } else {
    if (!ev->is_array())
      return r.fail(ErrorCode::kInvalidArgument, "args.events must be a list of event names");
    for (const auto& e : *ev) {
      if (!e.is_string() || !isEventName(e.get_ref<const std::string&>()))
        return r.fail(ErrorCode::kInvalidArgument,
                      "args.events must hold event names (a-z, 0-9, '-', '_', '.') or \"*\"");
      names.push_back(e.get<std::string>());
    }
  }
  for (auto& n : names) {
    if (add)
      c.subs.insert(n);
    else
      c.subs.erase(n);
  }
  r.reply({{"events", std::vector<std::string>(c.subs.begin(), c.subs.end())}});
}

// ---------------------------------------------------------------------------------------------
// Output

void IpcServer::Impl::finishRequest(IpcClientId cid, const std::string& line) {
  IpcServerClient* c = find(cid);
  if (!c) return;  // the client left: harmless
  if (c->outstanding > 0) --c->outstanding;
  sendLine(cid, line);
}

bool IpcServer::Impl::sendLine(IpcClientId cid, const std::string& line) {
  IpcServerClient* c = find(cid);
  if (!c) return false;
  c->out.append(line);
  if (!flush(*c)) return false;
  if (c->pending() > opt.max_output_bytes) {
    spdlog::warn("ipc: client {} is not reading ({} bytes unsent); disconnecting", cid,
                 c->pending());
    closeClient(cid, "output buffer full");
    return false;
  }
  return true;
}

void IpcServer::Impl::sendFinal(IpcClientId cid, const nlohmann::json& message,
                                const char* reason) {
  // Best effort: the error line goes out if the socket takes it now; the connection closes anyway.
  if (sendLine(cid, encodeIpcLine(message))) closeClient(cid, reason);
}

bool IpcServer::Impl::flush(IpcServerClient& c) {
  while (c.out_pos < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_pos += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      closeClient(c.id, "write failed (client gone)");
      return false;
    }
  }
  if (c.out_pos == c.out.size()) {
    c.out.clear();
    c.out_pos = 0;
    // A subscriber that once lagged must not keep megabytes reserved for the rest of its life.
    if (c.out.capacity() > (1u << 20)) c.out.shrink_to_fit();
  } else if (c.out_pos >= kReadChunk && c.out_pos * 2 >= c.out.size()) {
    c.out.erase(0, c.out_pos);  // amortised: each byte is moved at most once more
    c.out_pos = 0;
  }
  if (c.read_closed && c.outstanding == 0 && c.out.empty()) {
    closeClient(c.id, "client finished");
    return false;
  }
  updateInterest(c);
  return true;
}

void IpcServer::Impl::updateInterest(IpcServerClient& c) {
  // A half-closed socket is always readable (EOF): stop asking, or epoll would spin.
  uint32_t want =
      (c.read_closed ? 0u : uint32_t(EPOLLIN)) | (c.pending() ? uint32_t(EPOLLOUT) : 0u);
  if (want == c.interest) return;
  c.interest = want;
  loop.modifyFd(c.fd, want);
}

void IpcServer::Impl::armLineTimer(IpcServerClient& c) {
  if (c.line_timer) return;  // the deadline counts from the line's first byte
  std::weak_ptr<Impl> weak = weak_from_this();
  IpcClientId cid = c.id;
  c.line_timer = loop.addTimer(opt.line_timeout, [weak, cid] {
    auto s = weak.lock();
    if (!s) return;
    IpcServerClient* c = s->find(cid);
    if (!c) return;
    c->line_timer = 0;
    if (c->in.empty()) return;
    spdlog::info("ipc: client {} left a {}-byte line unfinished; disconnecting", cid, c->in.size());
    s->sendFinal(cid,
                 makeErrorReply(nullptr, makeError(ErrorCode::kTimeout,
                                                   "request line unfinished after " +
                                                       std::to_string(s->opt.line_timeout.count()) +
                                                       " ms; closing the connection")),
                 "unfinished line");
  });
}

void IpcServer::Impl::disarmLineTimer(IpcServerClient& c) {
  if (!c.line_timer) return;
  loop.cancelTimer(c.line_timer);
  c.line_timer = 0;
}

void IpcServer::Impl::closeClient(IpcClientId cid, const char* reason, bool notify) {
  auto it = clients.find(cid);
  if (it == clients.end()) return;
  std::unique_ptr<IpcServerClient> c = std::move(it->second);
  clients.erase(it);
  if (c->line_timer) loop.cancelTimer(c->line_timer);
  if (c->hello_timer) loop.cancelTimer(c->hello_timer);
  loop.removeFd(c->fd);
  ::close(c->fd);
  spdlog::debug("ipc: client {} disconnected: {}", cid, reason);
  if (notify && hook) {
    DisconnectHook h = hook;  // the hook may replace itself
    h(cid);
  }
}

// ---------------------------------------------------------------------------------------------
// Public face

IpcServer::IpcServer(EventLoop& loop, IpcServerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {}

IpcServer::~IpcServer() = default;

Status IpcServer::listen() {
  return impl_->listen();
}
const std::string& IpcServer::socketPath() const {
  return impl_->path;
}

bool IpcServer::registerCommand(const std::string& cmd, Handler handler) {
  if (cmd == "hello" || cmd == "subscribe" || cmd == "unsubscribe") return false;
  impl_->handlers[cmd] = std::move(handler);
  return true;
}

void IpcServer::setHelloHook(std::function<void(const nlohmann::json&)> hook) {
  impl_->hello_hook = std::move(hook);
}

void IpcServer::setHelloInfo(nlohmann::json fields) {
  impl_->hello_info = fields.is_object() ? std::move(fields) : nlohmann::json::object();
}

void IpcServer::setDisconnectHook(DisconnectHook hook) {
  impl_->hook = std::move(hook);
}

void IpcServer::broadcast(std::string_view name, const nlohmann::json& fields) {
  std::vector<IpcClientId> targets;
  for (const auto& [cid, c] : impl_->clients)
    if (c->subs.count("*") || c->subs.count(name)) targets.push_back(cid);
  if (targets.empty()) return;
  std::string line = encodeIpcLine(makeEvent(name, fields));
  for (IpcClientId cid : targets) impl_->sendLine(cid, line);
}

bool IpcServer::hasSubscribers(std::string_view name) const {
  for (const auto& [cid, c] : impl_->clients)
    if (c->subs.count("*") || c->subs.count(name)) return true;
  return false;
}

std::size_t IpcServer::clientCount() const {
  return impl_->clients.size();
}

int64_t IpcServer::lastRequestMs() const {
  return impl_->last_request_ms;
}

void IpcServer::disconnect(IpcClientId client) {
  impl_->closeClient(client, "disconnected by the daemon");
}

}  // namespace liseur
