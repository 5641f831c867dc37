#include "ipc/socket_activation.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

namespace liseur {
namespace {

// A decimal number filling the whole string; nothing else (no sign, no spaces).
bool parseNumber(const char* s, long& out) {
  if (!s || !*s) return false;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, out);
  return ec == std::errc() && p == end && out >= 0;
}

Error activationError(std::string message) {
  return makeError(ErrorCode::kInternal, "socket activation: " + std::move(message));
}

}  // namespace

Result<int> takeActivationSocket() {
  // Read, then unset at once: whatever happens next, no worker inherits them (they would take
  // fd 3, which is their own socketpair, for a listening socket).
  std::string pid_text = std::getenv("LISTEN_PID") ? std::getenv("LISTEN_PID") : "";
  std::string fds_text = std::getenv("LISTEN_FDS") ? std::getenv("LISTEN_FDS") : "";
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (pid_text.empty() || fds_text.empty()) return -1;

  long pid = 0, count = 0;
  if (!parseNumber(pid_text.c_str(), pid))
    return activationError("LISTEN_PID='" + pid_text + "' is not a process id");
  // Meant for another process (an environment inherited by mistake): not ours to take.
  if (pid != ::getpid()) return -1;
  if (!parseNumber(fds_text.c_str(), count) || count > 1024)
    return activationError("LISTEN_FDS='" + fds_text + "' is not a number of descriptors");
  if (count == 0) return -1;
  if (count != 1) {
    for (long i = 0; i < count; ++i) ::close(kActivationFdStart + static_cast<int>(i));
    return activationError("got " + std::to_string(count) +
                           " descriptors (LISTEN_FDS); liseurd takes exactly one listening socket "
                           "(one ListenStream= in liseurd.socket)");
  }

  const int fd = kActivationFdStart;
  const std::string name = "descriptor " + std::to_string(fd);
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) return activationError(name + " is not open (LISTEN_FDS=1)");
  auto refuse = [fd](std::string message) {
    ::close(fd);
    return Result<int>(activationError(std::move(message)));
  };
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &len) != 0)
    return refuse(name + " is not a socket: " + std::strerror(errno));
  if (value != AF_UNIX)
    return refuse(name + " is not a Unix socket (family " + std::to_string(value) +
                  "); liseurd.socket must use ListenStream= with a path");
  len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &len) != 0 || value != SOCK_STREAM)
    return refuse(name +
                  " is not a stream socket (SOCK_STREAM); use ListenStream=, not "
                  "ListenDatagram= or ListenSequentialPacket=");
  len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) != 0 || value == 0)
    return refuse(name +
                  " is not listening (Accept=yes is not supported: liseurd serves every "
                  "client of the user itself)");
  // Workers must not inherit it, and the event loop never blocks on accept().
  if (::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0)
    return refuse(name + ": cannot set close-on-exec: " + std::strerror(errno));
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
    return refuse(name + ": cannot make it non-blocking: " + std::strerror(errno));
  return fd;
}

}  // namespace liseur
