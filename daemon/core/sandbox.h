// The workers' sandbox. liseur's workers decode images, synthesise text and run plugins on
// input written by strangers; a subverted worker must not reach the network, start programs,
// trace or signal its way into other processes, or read the user's session from its environment.
//
// - workerEnvironment(): what a worker inherits of the daemon's environment: an allow-list
//   (locale, paths to language data, XDG data and config folders, liseur's own variables).
//   DISPLAY, XAUTHORITY, WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR and the rest
//   stay with the daemon.
// - enterWorkerSandbox(): called by each worker once started (after the OCR worker's re-exec):
//   no_new_privs, then a seccomp filter (libseccomp) that fails with EPERM every call a worker
//   never makes at its work: new sockets (so no network, and no X11, D-Bus or sound server
//   either), exec, ptrace and reading other processes' memory, mount and namespaces, kernel
//   keyrings, modules, BPF and perf. Everything else is allowed: the workers read their data
//   files and the images they are given, map memory and start threads.
//   Then, where the kernel has Landlock (landlockAbi() >= 1), a Landlock domain: no file written,
//   created, removed or renamed anywhere (but /dev/null), nothing executed, no TCP (ABI 4), no
//   abstract Unix socket and no signal to a process outside the domain (ABI 6). No worker writes
//   a file at its work: WAV files and profiles are written by the daemon.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace liseur {

// "NAME=value" entries of `environ` a worker may inherit.
std::vector<std::string> workerEnvironment(char** environ);

// True for a variable name a worker may inherit.
bool workerMayInherit(const std::string& name);

// The running kernel's Landlock ABI version; 0 when it has no Landlock or it is disabled.
int landlockAbi();

// Enters the sandbox for good (this process and the threads it starts from now on). `who` names
// the worker in errors.
Status enterWorkerSandbox(const std::string& who);

}  // namespace liseur
