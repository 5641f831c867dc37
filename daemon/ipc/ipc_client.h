// A blocking client for the daemon's socket: the `liseur` CLI, the tests and any C++ tool.
//
// connect() finds the daemon (starting it when allowed, like speech-dispatcher's autospawn),
// says hello, and returns a connection. request() sends one command and waits for the reply with
// the same id; events that arrive meanwhile are queued for readEvent().
//
// Threads: an IpcClient is used by one thread at a time. Ownership: it owns its socket.
// Errors are values: the daemon's error replies come back as Error{code, message} with the code
// parsed from its kebab-case name; transport problems are `not-running` (no daemon, or it hung
// up) and `timeout`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur {

struct IpcClientOptions {
  // Empty: core/paths.h socketPath(). A started daemon listens on socketPath() of the same
  // environment, so another path only suits daemons told about it (tests).
  std::string socket_path;
  std::string client_name = "liseur";
  bool autospawn = true;  // start liseurd when nothing listens
  // The daemon program; empty: findDaemonProgram().
  std::string daemon_program;
  std::vector<std::string> daemon_args = {"--foreground"};  // it is detached by us already
  // How long to keep retrying the connection after starting the daemon.
  std::chrono::milliseconds spawn_timeout{15'000};
  // Where the started daemon's stderr goes (appended; over 1 MiB it is first moved to
  // "<log>.old"); empty: liseurd.log beside the socket.
  std::string daemon_log;
};

class IpcClient {
 public:
  // Connects and says hello. Errors: not-running (nothing listens and autospawn is off, or the
  // daemon did not come up in time; the message says why and where its log is), protocol-version
  // (the daemon speaks another protocol), internal (socket errors).
  static Result<std::unique_ptr<IpcClient>> connect(const IpcClientOptions& options = {});
  // Connects without spawning or hello: for tests that speak the raw protocol.
  static Result<std::unique_ptr<IpcClient>> connectRaw(const std::string& socket_path);

  ~IpcClient();
  IpcClient(const IpcClient&) = delete;
  IpcClient& operator=(const IpcClient&) = delete;

  // Sends {"id":N,"cmd":cmd,"args":args} and waits for its reply; returns the whole reply object
  // when "ok" is true, the daemon's error otherwise. timeout < 0 waits forever (a `read` with
  // "wait" lasts as long as the speech). Errors besides the daemon's: not-running (connection
  // closed), timeout, bad-request (the daemon sent something that is not a JSON object).
  // pass_fd >= 0: that descriptor goes with the request (SCM_RIGHTS) and args get "fd": true,
  // so the daemon uses the file this process opened (`--to-wav`); it stays open here too.
  Result<nlohmann::json> request(const std::string& cmd,
                                 const nlohmann::json& args = nlohmann::json::object(),
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(-1),
                                 int pass_fd = -1);

  // The next event ({"event":...}) in arrival order. Errors: timeout, not-running.
  Result<nlohmann::json> readEvent(std::chrono::milliseconds timeout);

  // Sends raw bytes as they are (tests of the server's input handling); with pass_fd >= 0 that
  // descriptor goes with the first byte (SCM_RIGHTS).
  Status sendRaw(const std::string& bytes, int pass_fd = -1);
  // Reads the next line (reply or event, unparsed, without its newline). Errors: timeout,
  // not-running (EOF; `bytes` of a partial last line are dropped).
  Result<std::string> readLine(std::chrono::milliseconds timeout);

  const nlohmann::json& helloReply() const { return hello_; }
  pid_t daemonPid() const;
  int fd() const { return fd_; }

 private:
  explicit IpcClient(int fd) : fd_(fd) {}
  Status hello(const std::string& name);
  Result<nlohmann::json> readMessage(std::chrono::steady_clock::time_point deadline, bool forever);

  int fd_ = -1;
  int64_t next_id_ = 1;
  std::string in_;
  std::deque<nlohmann::json> events_;
  nlohmann::json hello_;
};

// The daemon program to autospawn: $LISEUR_DAEMON when set, else "liseurd" next to the running
// program (/proc/self/exe: a build tree or an install), else the first "liseurd" in PATH; empty
// when none is found.
std::string findDaemonProgram();

}  // namespace liseur
