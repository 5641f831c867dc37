// Test helpers for the Wayland suites: a real sway on wlroots' headless backend (pixman
// renderer, no input devices, no Xwayland), in a private XDG_RUNTIME_DIR, plus its clients
// (foot showing a text with known colours).
//
// sway refuses to run as root, and CI runs the tests as root: then sway and its clients run as
// user nobody (65534), with the runtime directory given to that user; root may still connect to
// nobody's sockets. As any other user they run as that user. Everything started here is in one
// process group, killed by the destructor (and with the test process, PR_SET_PDEATHSIG set after
// the user change so that it survives it).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "document/document.h"

namespace liseur::test {

struct SwayCommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// What showText puts on screen: foot with these colours (RRGGBB) and DejaVu Sans Mono at
// `font_px` pixels (about 12 x 24 px cells at 20 px), no padding, the text cursor painted in the
// background colour.
struct TextWindow {
  std::string app_id = "liseur-test";
  std::string background = "ffffff";
  std::string foreground = "000000";
  int font_px = 20;
  // Floating at this place and size (layout coordinates); tiled (the whole free workspace area)
  // when empty.
  std::optional<Box> floating;
};

class SwayServer {
 public:
  // An output HEADLESS-1 of width x height at 0,0 with a solid `background` (RRGGBB, drawn by
  // swaybg), no window borders. Waits (up to 30 s) until sway answers on its IPC socket.
  explicit SwayServer(int width = 1024, int height = 768, const std::string& background = "204060");
  ~SwayServer();
  SwayServer(const SwayServer&) = delete;
  SwayServer& operator=(const SwayServer&) = delete;

  bool ok() const { return pid_ > 0 && started_; }
  // Why the start, or the last showText, failed.
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }
  const std::string& runtimeDir() const { return runtime_dir_; }
  const std::string& waylandDisplay() const { return wayland_display_; }  // "wayland-1"
  const std::string& swaysock() const { return swaysock_; }
  // WAYLAND_DISPLAY, XDG_RUNTIME_DIR and SWAYSOCK as a client needs them ("KEY=VALUE").
  std::vector<std::string> clientEnv() const;
  // Sets those three in this process (and unsets DISPLAY, HYPRLAND_INSTANCE_SIGNATURE), so that
  // code under test finds this sway as in a real session.
  void exportEnv() const;

  // swaymsg with `args` (e.g. {"-t", "get_tree"} or {"output", "HEADLESS-1", "pos", "0", "0"}).
  SwayCommandResult swaymsg(const std::vector<std::string>& args,
                            std::chrono::seconds timeout = std::chrono::seconds(10)) const;
  // A client started as sway's user with the client environment, in sway's process group.
  pid_t startClient(const std::vector<std::string>& argv);
  // foot showing `text` (UTF-8, printed as is; "\n" starts a line) as `window` says; waits until
  // sway has mapped it (get_tree) and returns its rect in layout coordinates, or nullopt (see
  // error()).
  std::optional<Box> showText(const std::string& text, const TextWindow& window = {},
                              std::chrono::seconds timeout = std::chrono::seconds(20));
  // The rect of the window with this app_id in sway's tree once it is mapped (and, if `expect`
  // is given, once it has that rect: a floating window is resized after it maps), or nullopt
  // after `timeout`.
  std::optional<Box> waitForWindow(const std::string& app_id,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20),
                                   const std::optional<Box>& expect = std::nullopt);
  // wl-copy (wl-clipboard) in the foreground offering `bytes` as `mime_type` on the clipboard
  // until it is killed or another copy replaces it. The caller waits until it is offered.
  pid_t copyToClipboard(const std::string& bytes, const std::string& mime_type);
  // Kills sway at once (SIGKILL), as a crashing compositor; its clients go too.
  void killCompositor();
  // SIGTERM then SIGKILL to the whole process group, reaped; removes the runtime directory.
  void stop();

 private:
  std::vector<std::string> childEnv(bool client) const;
  pid_t spawn(const std::vector<std::string>& argv, bool client, int out_fd, int err_fd);

  pid_t pid_ = -1;
  bool drop_to_nobody_ = false, started_ = false;
  std::string runtime_dir_, wayland_display_, swaysock_, error_, log_path_;
  int app_counter_ = 0;
};

}  // namespace liseur::test
