#include "ipc/ipc_client.h"

#include "core/display_env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "core/paths.h"
#include "ipc/ipc_protocol.h"

namespace liseur {
namespace {

using Clock = std::chrono::steady_clock;
constexpr off_t kMaxDaemonLogBytes = 1 << 20;

std::string errnoText(int err) {
  return std::strerror(err);
}

// Returns a connected blocking socket, or -errno.
int connectUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return -ENAMETOOLONG;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  while (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

std::string dirName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// True while `pid` exists and is not a zombie. The daemon is our grandchild (re-parented to init
// or a subreaper), so kill(pid, 0) alone would call an unreaped zombie alive.
bool processAlive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) return false;
  auto close = content.rfind(')');
  return close != std::string::npos && close + 2 < content.size() && content[close + 2] != 'Z';
}

struct Spawned {
  pid_t pid = -1;
};

// Starts the daemon detached from us: double fork and setsid (no controlling terminal, not our
// child, so our exit neither waits for it nor kills it), stdio to /dev/null, stderr to the log.
// A close-on-exec pipe reports the grandchild's pid and, if exec failed, its errno.
Result<Spawned> spawnDetached(const std::string& program, const std::vector<std::string>& args,
                              const std::string& log_path) {
  std::vector<std::string> storage{program};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0)
    return Error{ErrorCode::kInternal, "pipe: " + errnoText(errno)};
  pid_t child = ::fork();
  if (child < 0) {
    int err = errno;
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return Error{ErrorCode::kInternal, "fork: " + errnoText(err)};
  }
  if (child == 0) {
    // Only async-signal-safe calls from here on.
    ::close(pipefd[0]);
    ::setsid();
    pid_t grandchild = ::fork();
    if (grandchild != 0) {
      [[maybe_unused]] ssize_t n = ::write(pipefd[1], &grandchild, sizeof grandchild);
      ::_exit(grandchild < 0 ? 1 : 0);
    }
    int devnull = ::open("/dev/null", O_RDWR);
    int log = ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(log >= 0 ? log : devnull, 2);
    }
    // Nothing of ours (sockets, files) leaks into the daemon; the pipe closes on exec.
    ::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    if (::chdir("/") != 0) {
    }
    ::execv(argv[0], argv.data());
    int err = errno;
    [[maybe_unused]] ssize_t n = ::write(pipefd[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(pipefd[1]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  char buf[sizeof(pid_t) + sizeof(int)];
  std::size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = ::read(pipefd[0], buf + got, sizeof buf - got);
    if (n > 0)
      got += static_cast<std::size_t>(n);
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  ::close(pipefd[0]);
  if (got < sizeof(pid_t))
    return Error{ErrorCode::kInternal, "could not start " + program + " (fork failed)"};
  Spawned s;
  std::memcpy(&s.pid, buf, sizeof(pid_t));
  if (got == sizeof buf) {
    int err;
    std::memcpy(&err, buf + sizeof(pid_t), sizeof err);
    return Error{ErrorCode::kNotRunning, "cannot start " + program + ": " + errnoText(err)};
  }
  return s;
}

Error errorFromReply(const nlohmann::json& reply) {
  const nlohmann::json* e = reply.contains("error") ? &reply["error"] : nullptr;
  if (!e || !e->is_object())
    return Error{ErrorCode::kInternal, "the daemon sent a failure without an error"};
  std::string code = stringField(*e, "code", "internal");
  std::string message = stringField(*e, "message");
  return Error{errorCodeFromName(code), message.empty() ? code : message};
}

}  // namespace

std::string findDaemonProgram() {
  namespace fs = std::filesystem;
  if (const char* forced = std::getenv("LISEUR_DAEMON"); forced && *forced) return forced;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path next = self.parent_path() / "liseurd";
    if (::access(next.c_str(), X_OK) == 0) return next.string();
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/liseurd";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return {};
}

Result<std::unique_ptr<IpcClient>> IpcClient::connectRaw(const std::string& socket_path) {
  int fd = connectUnix(socket_path);
  if (fd >= 0) return std::unique_ptr<IpcClient>(new IpcClient(fd));
  if (fd == -ENOENT || fd == -ECONNREFUSED)
    return Error{ErrorCode::kNotRunning,
                 "liseurd is not running (no daemon on " + socket_path + ")"};
  return Error{ErrorCode::kInternal, "cannot connect to " + socket_path + ": " + errnoText(-fd)};
}

Result<std::unique_ptr<IpcClient>> IpcClient::connect(const IpcClientOptions& options) {
  std::string path = options.socket_path.empty() ? socketPath() : options.socket_path;
  auto finish = [&](int fd) -> Result<std::unique_ptr<IpcClient>> {
    std::unique_ptr<IpcClient> client(new IpcClient(fd));
    if (Status st = client->hello(options.client_name); !st) return st.error();
    return client;
  };
  int fd = connectUnix(path);
  if (fd >= 0) return finish(fd);
  if (fd != -ENOENT && fd != -ECONNREFUSED)
    return Error{ErrorCode::kInternal, "cannot connect to " + path + ": " + errnoText(-fd)};
  if (!options.autospawn)
    return Error{ErrorCode::kNotRunning,
                 "liseurd is not running (no daemon on " + path +
                     "); start it with `liseurd`, or let liseur start it (no --no-spawn)"};

  std::string program =
      options.daemon_program.empty() ? findDaemonProgram() : options.daemon_program;
  if (program.empty())
    return Error{ErrorCode::kNotRunning,
                 "liseurd is not running and cannot be started: no liseurd next to this program "
                 "or in PATH"};
  if (options.socket_path.empty()) {
    if (Status st = ensureRuntimeDir(); !st) return st.error();
  }
  std::string log =
      options.daemon_log.empty() ? dirName(path) + "/liseurd.log" : options.daemon_log;
  // The log only grows by appending; keep one previous generation instead of an endless file.
  if (struct stat st{}; ::stat(log.c_str(), &st) == 0 && st.st_size > kMaxDaemonLogBytes)
    ::rename(log.c_str(), (log + ".old").c_str());
  auto spawned = spawnDetached(program, options.daemon_args, log);
  if (!spawned) return spawned.error();

  // Two clients may race here and start two daemons: the daemons' own socket lock picks one, the
  // other exits quietly, and both clients end up connected to the winner.
  auto deadline = Clock::now() + options.spawn_timeout;
  std::chrono::milliseconds pause{10};
  std::optional<Clock::time_point> died_at;
  for (;;) {
    fd = connectUnix(path);
    if (fd >= 0) return finish(fd);
    if (fd != -ENOENT && fd != -ECONNREFUSED)
      return Error{ErrorCode::kInternal, "cannot connect to " + path + ": " + errnoText(-fd)};
    auto now = Clock::now();
    if (!died_at && !processAlive(spawned->pid)) died_at = now;
    // Our daemon may have lost a race to another one that is still starting: give that one a
    // moment before concluding that start-up failed.
    if (died_at && now - *died_at > std::chrono::seconds(2))
      return Error{ErrorCode::kNotRunning,
                   "liseurd exited during start-up; see " + log + " for why"};
    if (now >= deadline)
      return Error{ErrorCode::kNotRunning,
                   "liseurd did not start within " +
                       std::to_string(options.spawn_timeout.count() / 1000.0).substr(0, 4) +
                       " s; see " + log};
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

IpcClient::~IpcClient() {
  if (fd_ >= 0) ::close(fd_);
}

Status IpcClient::hello(const std::string& name) {
  // The client's graphical session, so a daemon started without one (socket activation before
  // the desktop exported its display, a text console) can capture the screen this client sees.
  auto reply = request("hello",
                       {{"protocol", kIpcProtocolVersion},
                        {"client", name},
                        {"session", DisplayEnv::fromProcess().toJson()}},
                       std::chrono::seconds(30));
  if (!reply) return reply.error();
  hello_ = std::move(reply.value());
  if (intField(hello_, "protocol", 0) != kIpcProtocolVersion)
    return makeError(
        ErrorCode::kProtocolVersion,
        "the daemon answered hello with protocol " +
            (hello_.contains("protocol") ? hello_["protocol"] : nlohmann::json()).dump() +
            ", expected " + std::to_string(kIpcProtocolVersion));
  return okStatus();
}

pid_t IpcClient::daemonPid() const {
  auto p = hello_.find("pid");
  return p != hello_.end() && p->is_number_integer() ? p->get<pid_t>() : -1;
}

Status IpcClient::sendRaw(const std::string& bytes, int pass_fd) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n;
    if (pass_fd >= 0 && sent == 0) {
      // The descriptor rides on the first sendmsg; the rest of the line follows as plain bytes.
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(cm), &pass_fd, sizeof pass_fd);
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    } else {
      n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    }
    if (n > 0)
      sent += static_cast<std::size_t>(n);
    else if (n < 0 && errno == EINTR)
      continue;
    else if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
      return makeError(ErrorCode::kNotRunning, "liseurd closed the connection");
    else
      return makeError(ErrorCode::kInternal, "cannot send to liseurd: " + errnoText(errno));
  }
  return okStatus();
}

Result<std::string> IpcClient::readLine(std::chrono::milliseconds timeout) {
  bool forever = timeout.count() < 0;
  auto deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
  for (;;) {
    if (auto nl = in_.find('\n'); nl != std::string::npos) {
      std::string line = in_.substr(0, nl);
      in_.erase(0, nl + 1);
      return line;
    }
    // Poll even when the time is up, so data already received is never reported as a timeout.
    int wait_ms = -1;
    if (!forever) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
    }
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error{ErrorCode::kInternal, "poll: " + errnoText(errno)};
    if (r == 0) {
      if (Clock::now() >= deadline)
        return Error{ErrorCode::kTimeout, "no answer from liseurd in time"};
      continue;
    }
    char buf[64 * 1024];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno == ECONNRESET) {
      return Error{ErrorCode::kNotRunning, "liseurd closed the connection"};
    } else if (errno != EINTR && errno != EAGAIN) {
      return Error{ErrorCode::kInternal, "cannot read from liseurd: " + errnoText(errno)};
    }
  }
}

Result<nlohmann::json> IpcClient::readMessage(Clock::time_point deadline, bool forever) {
  auto left =
      forever ? std::chrono::milliseconds(-1)
              : std::max(
                    std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  auto line = readLine(left);
  if (!line) return line.error();
  nlohmann::json j = nlohmann::json::parse(*line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error{ErrorCode::kBadRequest, "liseurd sent a line that is not a JSON object"};
  return j;
}

Result<nlohmann::json> IpcClient::request(const std::string& cmd, const nlohmann::json& args,
                                          std::chrono::milliseconds timeout, int pass_fd) {
  int64_t id = next_id_++;
  nlohmann::json msg = {
      {"id", id}, {"cmd", cmd}, {"args", args.is_object() ? args : nlohmann::json::object()}};
  if (pass_fd >= 0) msg["args"]["fd"] = true;
  if (Status st = sendRaw(encodeIpcLine(msg), pass_fd); !st) {
    // The daemon may have said why before hanging up (too many clients, line too long): that
    // line is still waiting in our receive buffer and explains more than "connection closed".
    for (;;) {
      auto m = readMessage(Clock::now(), false);
      if (!m) break;
      if (m->contains("event")) continue;
      auto rid = m->find("id");
      if (rid != m->end() && rid->is_null() && !boolField(*m, "ok", true))
        return errorFromReply(*m);
    }
    return st.error();
  }
  bool forever = timeout.count() < 0;
  auto deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
  for (;;) {
    auto m = readMessage(deadline, forever);
    if (!m) {
      if (m.error().code == ErrorCode::kTimeout)
        return Error{ErrorCode::kTimeout, "no reply from liseurd to '" + cmd + "' in time"};
      return m.error();
    }
    nlohmann::json& j = *m;
    if (j.contains("event")) {
      events_.push_back(std::move(j));
      continue;
    }
    auto rid = j.find("id");
    bool ours = rid != j.end() && rid->is_number_integer() && rid->get<int64_t>() == id;
    // An error with a null id answers a line the daemon could not attribute (too long, too many
    // clients): it concerns this connection, so it is ours.
    bool connection_error = rid != j.end() && rid->is_null() && !boolField(j, "ok", true);
    if (!ours && !connection_error) continue;  // a late reply to an earlier, abandoned request
    if (boolField(j, "ok", false)) return std::move(j);
    return errorFromReply(j);
  }
}

Result<nlohmann::json> IpcClient::readEvent(std::chrono::milliseconds timeout) {
  bool forever = timeout.count() < 0;
  auto deadline = Clock::now() + (forever ? std::chrono::milliseconds(0) : timeout);
  for (;;) {
    if (!events_.empty()) {
      nlohmann::json e = std::move(events_.front());
      events_.pop_front();
      return e;
    }
    auto m = readMessage(deadline, forever);
    if (!m) {
      if (m.error().code == ErrorCode::kTimeout)
        return Error{ErrorCode::kTimeout, "no event from liseurd in time"};
      return m.error();
    }
    if (m->contains("event")) return std::move(m.value());
    if (!boolField(*m, "ok", true) && m->contains("id") && (*m)["id"].is_null())
      return errorFromReply(*m);
  }
}

}  // namespace liseur
