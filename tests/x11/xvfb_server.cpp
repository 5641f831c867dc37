#include "x11/xvfb_server.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace liseur::test {

namespace {

[[noreturn]] void execChild(const std::vector<std::string>& argv, const std::string& display) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (!display.empty()) setenv("DISPLAY", display.c_str(), 1);
  unsetenv("WAYLAND_DISPLAY");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

void terminate(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 250; ++i) {  // up to 5 s, then SIGKILL
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& display) {
  pid_ = fork();
  if (pid_ == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    dup2(null, 0);
    execChild(argv, display);
  }
}

ChildProcess::~ChildProcess() {
  stop();
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = o.pid_;
    o.pid_ = -1;
  }
  return *this;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::stop() {
  terminate(pid_);
  pid_ = -1;
}

CommandResult runCommand(const std::vector<std::string>& argv, const std::string& display,
                         std::chrono::seconds timeout) {
  CommandResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return r;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    const int null = ::open("/dev/null", O_RDONLY);
    dup2(null, 0);
    execChild(argv, display);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

XvfbServer::XvfbServer(const std::string& screen, const std::vector<std::string>& extra_args) {
  int fds[2];
  if (pipe(fds) != 0) {
    error_ = "pipe failed";
    return;
  }
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  pid_ = fork();
  if (pid_ == 0) {
    // Xvfb picks a free display number and writes it to -displayfd once it accepts clients.
    const int out = dup2(fds[1], 9);
    std::vector<std::string> argv{"Xvfb",      "-displayfd", std::to_string(out),
                                  "-screen",   "0",          screen,
                                  "-nolisten", "tcp",        "-noreset"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    const int null = ::open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);  // Xvfb's chatter about missing fonts and XKB paths
    dup2(null, 2);
    execChild(argv, "");
  }
  close(fds[1]);
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[32];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (got.find('\n') == std::string::npos) {
    error_ = "Xvfb -screen 0 " + screen + " did not report a display within 30 s";
    terminate(pid_);
    pid_ = -1;
    return;
  }
  display_ = ":" + got.substr(0, got.find('\n'));
}

XvfbServer::~XvfbServer() {
  stop();
}

void XvfbServer::stop() {
  terminate(pid_);
  pid_ = -1;
}

double XvfbServer::cpuMs() const {
  std::ifstream f("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream in(stat.substr(close_paren + 2));
  std::string field;
  // Fields after the name: state(3) ... utime(14) stime(15); we start at field 3.
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return (utime + stime) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bool waitUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ChildProcess startWindowManager(const std::string& display, bool* started) {
  ChildProcess wm({"openbox", "--sm-disable"}, display);
  *started = waitUntil([&] {
    return runCommand({"xprop", "-root", "_NET_SUPPORTING_WM_CHECK"}, display)
               .out.find("window id") != std::string::npos;
  });
  return wm;
}

bool activateWindow(const std::string& display, unsigned long id,
                    std::chrono::milliseconds timeout) {
  return waitUntil(
      [&] {
        runCommand({"xdotool", "windowactivate", std::to_string(id)}, display);
        return runCommand({"xdotool", "getactivewindow"}, display).out.find(std::to_string(id)) ==
               0;
      },
      timeout);
}

unsigned long findWindowByTitle(const std::string& display, const std::string& title,
                                std::chrono::seconds timeout) {
  unsigned long id = 0;
  waitUntil(
      [&] {
        CommandResult r = runCommand({"xdotool", "search", "--name", "^" + title + "$"}, display);
        if (r.exit_code == 0 && !r.out.empty()) id = std::strtoul(r.out.c_str(), nullptr, 10);
        return id != 0;
      },
      timeout);
  return id;
}

ChildProcess startXterm(const std::string& display, const std::string& title,
                        const std::string& geometry, const std::string& text) {
  return ChildProcess(
      {"xterm", "-u8", "-T", title, "-geometry", geometry, "-fa", "DejaVu Sans Mono", "-fs", "14",
       "-bg", "white", "-fg", "black", "+sb", "-e", "sh", "-c", "printf '" + text + "'; sleep 600"},
      display);
}

TestWindow::TestWindow(const std::string& display, int x, int y, int w, int h, unsigned long pixel,
                       long events) {
  dpy_ = XOpenDisplay(display.c_str());
  if (dpy_ == nullptr) return;
  XSetWindowAttributes a{};
  a.background_pixel = pixel;
  a.override_redirect = True;  // placed exactly where asked even under a window manager
  a.event_mask = events | StructureNotifyMask | ExposureMask;
  const Window win =
      XCreateWindow(dpy_, DefaultRootWindow(dpy_), x, y, w, h, 0, CopyFromParent, InputOutput,
                    CopyFromParent, CWBackPixel | CWOverrideRedirect | CWEventMask, &a);
  XMapRaised(dpy_, win);
  XSync(dpy_, False);
  XEvent ev;
  // Expose means the server painted the background, so a capture sees the colour.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (XCheckTypedWindowEvent(dpy_, win, Expose, &ev)) {
      win_ = win;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TestWindow::~TestWindow() {
  if (dpy_ != nullptr) XCloseDisplay(dpy_);
}

}  // namespace liseur::test
