// Test helpers for the X11 suites: a private Xvfb server, child X clients (xterm, xclip,
// openbox) and a direct Xlib connection to drive and observe the server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

typedef struct _XDisplay Display;

namespace liseur::test {

// A child process started with DISPLAY set; SIGTERM then SIGKILL and reaped on destruction. The
// child also dies with the test (PR_SET_PDEATHSIG).
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::string& display);
  ~ChildProcess();
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void stop();

 private:
  pid_t pid_ = -1;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
};

// Runs argv to completion with DISPLAY=display (stderr passes through), killing it after
// `timeout`.
CommandResult runCommand(const std::vector<std::string>& argv, const std::string& display,
                         std::chrono::seconds timeout = std::chrono::seconds(30));

// Xvfb on a free display number (chosen by the server itself with -displayfd), stopped by the
// destructor. `screen` is WxHxDEPTH; `extra_args` go to Xvfb (e.g. -extension MIT-SHM).
class XvfbServer {
 public:
  explicit XvfbServer(const std::string& screen = "1280x800x24",
                      const std::vector<std::string>& extra_args = {});
  ~XvfbServer();
  XvfbServer(const XvfbServer&) = delete;
  XvfbServer& operator=(const XvfbServer&) = delete;

  bool ok() const { return !display_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& display() const { return display_; }  // ":N"
  pid_t pid() const { return pid_; }
  // Kills the server now (as when a session ends).
  void stop();
  // CPU time (user + system) the server has used so far, in milliseconds.
  double cpuMs() const;

 private:
  pid_t pid_ = -1;
  std::string display_;
  std::string error_;
};

// Polls `cond` every 20 ms until it is true or `timeout` passes; returns its last value.
bool waitUntil(const std::function<bool()>& cond,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The first window whose WM_NAME is `title` (searched with xdotool), or 0 after `timeout`.
unsigned long findWindowByTitle(const std::string& display, const std::string& title,
                                std::chrono::seconds timeout = std::chrono::seconds(15));

// Starts openbox as the window manager and waits until it announces itself
// (_NET_SUPPORTING_WM_CHECK on the root); check `started` before going on.
ChildProcess startWindowManager(const std::string& display, bool* started);

// Activates window `id` (xdotool windowactivate) until it is the active window or `timeout`
// passes; returns whether it became active.
bool activateWindow(const std::string& display, unsigned long id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Starts an xterm titled `title` at `geometry` (columns x rows + x + y) with DejaVu Sans Mono 14
// showing `text` (printf format, UTF-8).
ChildProcess startXterm(const std::string& display, const std::string& title,
                        const std::string& geometry, const std::string& text);

// A mapped top-level window of a solid colour, owned by its own connection; waits until the
// server has mapped it. `events` is an X event mask to select (e.g. ButtonPressMask).
class TestWindow {
 public:
  TestWindow(const std::string& display, int x, int y, int w, int h, unsigned long pixel,
             long events = 0);
  ~TestWindow();
  TestWindow(const TestWindow&) = delete;
  TestWindow& operator=(const TestWindow&) = delete;
  Display* dpy() const { return dpy_; }
  unsigned long id() const { return win_; }
  bool ok() const { return win_ != 0; }

 private:
  Display* dpy_ = nullptr;
  unsigned long win_ = 0;
};

}  // namespace liseur::test
