// Socket activation: the listening socket handed over by a service manager (systemd's
// liseurd.socket), following the protocol of sd_listen_fds(3), written out here (no libsystemd).
//
// Protocol: when LISTEN_PID holds our pid and LISTEN_FDS a count, the sockets are descriptors
// 3, 4, …; liseurd takes exactly one, a listening AF_UNIX stream socket.
// Threads: call once at start-up, before any thread is started (it changes the environment).
#pragma once

#include "core/result.h"

namespace liseur {

// The first descriptor passed by the service manager (SD_LISTEN_FDS_START).
inline constexpr int kActivationFdStart = 3;

// Returns -1 when the process was not socket-activated (no LISTEN_PID/LISTEN_FDS, LISTEN_FDS=0,
// or they were meant for another process: the pid differs). Otherwise returns fd 3, made
// close-on-exec and non-blocking; the caller owns it (IpcServerOptions::listen_fd). Always removes
// LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from the environment, so the workers liseurd starts
// never see them. Errors (internal, the message names the variable or the descriptor and what was
// expected): LISTEN_FDS or LISTEN_PID not a number, more than one descriptor, fd 3 not open, not
// AF_UNIX, not SOCK_STREAM, or not listening. The descriptors passed are then closed.
Result<int> takeActivationSocket();

}  // namespace liseur
