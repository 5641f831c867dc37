// The daemon's IPC server: JSON lines over a Unix stream socket (protocol in PROTOCOL.md).
//
// Threads: everything, including Responder, runs on the EventLoop's thread. A handler that
// finishes work on another thread posts back to the loop (EventLoop::post) before replying.
// Ownership: the server owns its listening socket, its lock file and every client connection;
// handlers and the disconnect hook are owned by the server and must not outlive what they capture.
// Errors: listen() returns them; nothing else throws. A handler that throws gets an `internal`
// error reply (exceptions never reach the socket).
//
// Security: the socket lives in a 0700 directory with mode 0600; a peer whose uid differs from ours
// (SO_PEERCRED) is disconnected at once. Request contents are never logged, only sizes and codes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_loop.h"
#include "core/result.h"
#include "ipc/ipc_protocol.h"

namespace liseur {

using IpcClientId = uint64_t;  // unique for the server's lifetime, never reused

struct IpcServerOptions {
  // Socket path; empty means core/paths.h socketPath() (ensureRuntimeDir() is then called).
  std::string socket_path;
  // A socket already bound and listening, handed over by the service manager
  // (ipc/socket_activation.h); the server owns it from the constructor on. The server then never
  // binds, and never removes the socket file (the service manager made it and keeps it); its
  // path is read from the socket itself and socket_path is ignored.
  int listen_fd = -1;
  std::size_t max_line_bytes = kIpcMaxLineBytes;
  // A client that leaves a request line unfinished this long after its first byte is disconnected.
  std::chrono::milliseconds line_timeout{10'000};
  // Unsent bytes allowed per client (replies + events); past it the client is disconnected.
  std::size_t max_output_bytes = 8u << 20;
  // A connection that has not said hello this long after connecting is closed; when the table is
  // full, the oldest such connection is closed to let a new one in.
  std::chrono::milliseconds hello_timeout{2'000};
  std::size_t max_clients = 64;
  // Connections let in beyond max_clients when every slot is taken by clients that said hello
  // (64 `liseur events` left open, a runaway script): such a connection may only use the
  // commands in kIpcReservedCommands (stop, pause, resume, status, shutdown), so the user can
  // always silence the reader. Others get `busy`.
  std::size_t reserved_clients = 4;
  // The uid allowed to connect; -1 means our effective uid. Only tests set another one, to see a
  // peer with a different uid refused.
  int64_t peer_uid = -1;
};

// What a connection in a reserved slot may ask (besides hello).
inline constexpr const char* kIpcReservedCommands[] = {"stop", "pause", "resume", "status",
                                                       "shutdown"};

struct IpcRequest {
  IpcClientId client = 0;
  int64_t id = 0;
  std::string cmd;
  nlohmann::json args;  // always an object ({} when the request had none)
  // A file descriptor the client passed with this request (SCM_RIGHTS on the socket, announced
  // by "fd": true in args; see PROTOCOL.md), closed when the last copy goes; null when none.
  std::shared_ptr<int> fd;
};

// Descriptors a client may have passed and no request has claimed yet; more are closed at once.
inline constexpr std::size_t kIpcMaxPassedFds = 4;

// The way to answer one request, now or later. Copyable; all copies share one state, so only the
// first reply() or fail() is sent and later ones are ignored. Replying after the client left, or
// after the server was destroyed, does nothing. A request whose every Responder is destroyed
// without an answer gets an `internal` error reply, so a client never waits forever.
// Loop thread only (including destruction of the last copy). Sending (reply, fail, or dropping the
// last copy unanswered) may close the connection when it was the last thing a half-closed client
// waited for; the disconnect hook then runs inside that call.
class IpcResponder {
 public:
  IpcResponder() = default;  // inert: replies go nowhere

  // Sends {"id":..,"ok":true, ...fields}. `fields` must be an object (anything else sends no
  // extra fields).
  void reply(const nlohmann::json& fields = nlohmann::json::object());
  void fail(const Error& error);
  void fail(ErrorCode code, std::string message) { fail(makeError(code, std::move(message))); }

  bool done() const;             // a reply or failure was sent (or the responder is inert)
  bool clientConnected() const;  // the requesting client is still there
  IpcClientId client() const;
  int64_t requestId() const;

 private:
  friend class IpcServer;
  struct State;
  explicit IpcResponder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

class IpcServer {
 public:
  using Handler = std::function<void(const IpcRequest&, IpcResponder)>;
  using DisconnectHook = std::function<void(IpcClientId)>;

  IpcServer(EventLoop& loop, IpcServerOptions options = {});
  // Closes every connection (without calling the disconnect hook), removes the socket file.
  ~IpcServer();
  IpcServer(const IpcServer&) = delete;
  IpcServer& operator=(const IpcServer&) = delete;

  // Creates the socket and starts accepting. Errors:
  //   busy      another liseurd is listening on the socket (the message says "liseurd is already
  //             running" and names the socket). This is the only `busy` listen() returns, so a
  //             daemon started by a racing autospawn can exit quietly on it.
  //   internal  the runtime directory or the socket cannot be set up (message names the path);
  //             with an inherited socket (listen_fd), also when another liseurd holds the lock.
  // A stale socket file (nothing listening) is replaced. Exclusion is an flock on "<socket>.lock".
  // An inherited socket's file is made 0600 when it is reachable by others.
  Status listen();
  const std::string& socketPath() const;

  // Registers (or replaces) the handler for `cmd`. "hello", "subscribe" and "unsubscribe" are
  // built in and cannot be replaced (returns false). Handlers run on the loop thread, after the
  // client's hello.
  bool registerCommand(const std::string& cmd, Handler handler);
  // Extra fields merged into every hello reply (e.g. {"features":[...]}); protocol, version, pid
  // and commands are always set by the server.
  void setHelloInfo(nlohmann::json fields);
  // Called with the args of every successful hello, before the reply (the daemon looks at the
  // client's `session` there). Must not throw.
  void setHelloHook(std::function<void(const nlohmann::json& args)> hook);

  // Called once for every client that goes away (closed, timed out, dropped), after its
  // connection is closed; e.g. to cancel the job it was waiting for. Not called from ~IpcServer.
  void setDisconnectHook(DisconnectHook hook);

  // Sends {"event":name, ...fields} to every client subscribed to `name` or "*". `fields` should
  // carry "job" and "t_ms" where they apply. A subscriber whose unsent output exceeds
  // max_output_bytes is disconnected; the daemon never blocks on one.
  void broadcast(std::string_view name, const nlohmann::json& fields);
  // True when at least one client would receive `name` (to skip building costly events).
  bool hasSubscribers(std::string_view name) const;

  std::size_t clientCount() const;
  // When the last request of any client came (EventLoop::nowMs()); the server's start before
  // any. daemon.idle_exit_min counts from it.
  int64_t lastRequestMs() const;
  // Closes one client's connection (e.g. on a protocol abuse found by a handler). Calls the hook.
  void disconnect(IpcClientId client);

  struct Impl;  // internal; public only so IpcResponder's state can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace liseur
