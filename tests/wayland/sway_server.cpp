#include "wayland/sway_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace liseur::test {

namespace {

constexpr uid_t kNobody = 65534;

std::string tail(const std::string& path, std::size_t bytes = 1500) {
  std::ifstream f(path);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

// The first entry of `dir` for which `pred(name)` holds, or "".
template <typename Pred>
std::string findEntry(const std::string& dir, Pred pred) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (pred(name)) return name;
  }
  return "";
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Ends the process group: SIGTERM, up to 5 s, then SIGKILL, reaping every member. The test
// process is a child subreaper (see the constructor), so what sway started (swaybg) is our child
// too once sway is gone, and no zombie is left behind.
void reapGroup(pid_t pgid) {
  if (pgid <= 0) return;
  kill(-pgid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    const pid_t r = waitpid(-pgid, nullptr, WNOHANG);
    if (r < 0) return;  // ECHILD: every member reaped
    if (r > 0) continue;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(-pgid, SIGKILL);
  while (waitpid(-pgid, nullptr, 0) > 0) {
  }
}

// A layout rect from a get_tree node.
Box rectOf(const nlohmann::json& node) {
  const auto& r = node.at("rect");
  return Box{r.value("x", 0), r.value("y", 0), r.value("width", 0), r.value("height", 0)};
}

const nlohmann::json* findApp(const nlohmann::json& node, const std::string& app_id) {
  if (!node.is_object()) return nullptr;
  if (node.contains("app_id") && node["app_id"].is_string() && node["app_id"] == app_id) {
    return &node;
  }
  for (const char* key : {"nodes", "floating_nodes"}) {
    if (!node.contains(key)) continue;
    for (const auto& c : node[key]) {
      if (const nlohmann::json* f = findApp(c, app_id)) return f;
    }
  }
  return nullptr;
}

}  // namespace

SwayServer::SwayServer(int width, int height, const std::string& background) {
  if (access("/usr/bin/sway", X_OK) != 0 && system("command -v sway >/dev/null 2>&1") != 0) {
    error_ =
        "sway is not installed: install the Debian packages in packaging/debian-packages.txt "
        "(sway, foot, swaybg)";
    return;
  }
  drop_to_nobody_ = geteuid() == 0;
  // sway's own children (swaybg) outlive a killed sway; as subreaper we can reap them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  char tmpl[] = "/tmp/liseur-sway-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  runtime_dir_ = tmpl;
  const std::string config = runtime_dir_ + "/config";
  {
    std::ofstream c(config);
    c << "xwayland disable\n"
      << "output HEADLESS-1 resolution " << width << "x" << height << " position 0 0\n"
      << "output * bg #" << background << " solid_color\n"
      << "default_border none\n"
      << "default_floating_border none\n"
      << "focus_follows_mouse no\n"
      << "seat seat0 xcursor_theme default 24\n";
  }
  log_path_ = runtime_dir_ + "/sway.log";
  if (drop_to_nobody_) {
    // sway creates its sockets (and swaybg, foot their caches) in here.
    if (chown(runtime_dir_.c_str(), kNobody, kNobody) != 0 ||
        chown(config.c_str(), kNobody, kNobody) != 0) {
      error_ = std::string("chown of the runtime directory to nobody: ") + std::strerror(errno);
      return;
    }
  }
  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_ = spawn({"sway", "-c", config}, false, log, log);
  if (log >= 0) close(log);
  if (pid_ <= 0) {
    error_ = "cannot start sway";
    return;
  }
  // Ready when both sockets exist and sway answers a request on its IPC socket.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "sway exited at start (status " + std::to_string(status) + "); its log:\n" +
               tail(log_path_);
      return;
    }
    if (wayland_display_.empty()) {
      wayland_display_ = findEntry(runtime_dir_, [](const std::string& n) {
        return n.rfind("wayland-", 0) == 0 && !endsWith(n, ".lock");
      });
    }
    if (swaysock_.empty()) {
      const std::string s = findEntry(runtime_dir_, [](const std::string& n) {
        return n.rfind("sway-ipc.", 0) == 0 && endsWith(n, ".sock");
      });
      if (!s.empty()) swaysock_ = runtime_dir_ + "/" + s;
    }
    if (!wayland_display_.empty() && !swaysock_.empty() &&
        swaymsg({"-t", "get_version"}, std::chrono::seconds(5)).exit_code == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (wayland_display_.empty() || swaysock_.empty()) {
    error_ = "sway did not create its sockets in " + runtime_dir_ + " within 30 s; its log:\n" +
             tail(log_path_);
    return;
  }
  started_ = true;
}

SwayServer::~SwayServer() {
  stop();
}

void SwayServer::stop() {
  reapGroup(pid_);
  pid_ = -1;
  if (!runtime_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir_, ec);
    runtime_dir_.clear();
  }
}

void SwayServer::killCompositor() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  // Not reaped here: pid_ stays the group's id, and stop() reaps the whole group at once.
}

std::vector<std::string> SwayServer::clientEnv() const {
  return {"WAYLAND_DISPLAY=" + wayland_display_, "XDG_RUNTIME_DIR=" + runtime_dir_,
          "SWAYSOCK=" + swaysock_};
}

void SwayServer::exportEnv() const {
  setenv("WAYLAND_DISPLAY", wayland_display_.c_str(), 1);
  setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
  setenv("SWAYSOCK", swaysock_.c_str(), 1);
  unsetenv("DISPLAY");
  unsetenv("HYPRLAND_INSTANCE_SIGNATURE");
}

std::vector<std::string> SwayServer::childEnv(bool client) const {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env{
      std::string("PATH=") + (path != nullptr ? path : "/usr/bin:/bin"),
      "HOME=" + runtime_dir_,
      "XDG_RUNTIME_DIR=" + runtime_dir_,
      "XDG_CONFIG_HOME=" + runtime_dir_ + "/config.d",  // no user config of sway or foot
      "XDG_CACHE_HOME=" + runtime_dir_ + "/cache",
      "LANG=C.UTF-8",  // foot needs a UTF-8 locale
      "WLR_BACKENDS=headless",
      "WLR_RENDERER=pixman",
      "WLR_LIBINPUT_NO_DEVICES=1",
  };
  if (client) {
    for (const std::string& e : clientEnv()) env.push_back(e);
  }
  return env;
}

pid_t SwayServer::spawn(const std::vector<std::string>& argv, bool client, int out_fd, int err_fd) {
  const std::vector<std::string> env = childEnv(client);
  const pid_t group = client ? pid_ : 0;
  const bool drop = drop_to_nobody_;
  const pid_t pid = fork();
  if (pid != 0) {
    if (pid > 0) setpgid(pid, group > 0 ? group : pid);  // both sides, so no race
    return pid;
  }
  setpgid(0, group > 0 ? group : 0);
  const int null = ::open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(out_fd >= 0 ? out_fd : null, 1);
  dup2(err_fd >= 0 ? err_fd : null, 2);
  if (drop) {
    // As `setpriv --reuid=65534 --regid=65534 --clear-groups`, done here so that the death
    // signal below is set after the user change (a change of user clears it).
    if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0) {
      std::fprintf(stderr, "cannot become nobody: %s\n", std::strerror(errno));
      _exit(126);
    }
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execvpe(args[0], args.data(), envp.data());
  std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

SwayCommandResult SwayServer::swaymsg(const std::vector<std::string>& args,
                                      std::chrono::seconds timeout) const {
  SwayCommandResult r;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return r;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return r;
  }
  // swaymsg runs as the test's own user: root may talk to nobody's sway.
  std::vector<std::string> argv{"swaymsg", "-s", swaysock_};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    const int null = ::open("/dev/null", O_RDONLY);
    dup2(null, 0);
    std::vector<char*> a;
    for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(p, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || p[i].revents == 0) continue;
      const ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        p[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

pid_t SwayServer::startClient(const std::vector<std::string>& argv) {
  if (pid_ <= 0) return -1;
  const int log = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  const pid_t pid = spawn(argv, true, log, log);
  if (log >= 0) close(log);
  return pid;
}

pid_t SwayServer::copyToClipboard(const std::string& bytes, const std::string& mime_type) {
  const std::string path = runtime_dir_ + "/clip-" + std::to_string(++app_counter_);
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  chmod(path.c_str(), 0644);  // readable by sway's user
  return startClient(
      {"sh", "-c", "exec wl-copy --foreground --type \"$1\" < \"$2\"", "sh", mime_type, path});
}

std::optional<Box> SwayServer::waitForWindow(const std::string& app_id,
                                             std::chrono::milliseconds timeout,
                                             const std::optional<Box>& expect) {
  std::optional<Box> last;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    SwayCommandResult r = swaymsg({"-t", "get_tree"});
    if (r.exit_code == 0) {
      nlohmann::json tree = nlohmann::json::parse(r.out, nullptr, false);
      if (const nlohmann::json* node = tree.is_discarded() ? nullptr : findApp(tree, app_id)) {
        // Mapped and placed: a visible window with an area.
        const Box box = rectOf(*node);
        if (box.w > 0 && box.h > 0 && node->value("visible", false)) {
          last = box;
          if (!expect || box == *expect) return box;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;  // mapped but elsewhere (the caller compares), or nullopt
}

std::optional<Box> SwayServer::showText(const std::string& text, const TextWindow& window,
                                        std::chrono::seconds timeout) {
  const std::string app_id = window.app_id + "-" + std::to_string(++app_counter_);
  if (window.floating) {
    const Box& f = *window.floating;
    SwayCommandResult r = swaymsg({"for_window [app_id=\"" + app_id + "\"] '" +
                                   "floating enable, resize set " + std::to_string(f.w) + " px " +
                                   std::to_string(f.h) + " px, move absolute position " +
                                   std::to_string(f.x) + " px " + std::to_string(f.y) + " px'"});
    // The command list is quoted: unquoted, its commas would end the for_window command.
    if (r.exit_code != 0 || r.out.find("\"success\": false") != std::string::npos) {
      error_ = "swaymsg for_window failed: " + r.out + r.err;
      return std::nullopt;
    }
  }
  // The text goes as an argument of sh, never through the shell's parser. --hold keeps the
  // window once the shell has printed and exited: foot reaps it, so nothing outside sway's
  // process group (foot puts its shell in a session of its own) outlives the test.
  startClient({"foot", "--hold", "--app-id", app_id, "-o",
               "font=DejaVu Sans Mono:pixelsize=" + std::to_string(window.font_px), "-o", "pad=0x0",
               "-o", "colors.background=" + window.background, "-o",
               "colors.foreground=" + window.foreground, "-o",
               "cursor.color=" + window.background + " " + window.background, "sh", "-c",
               "printf '%s' \"$1\"", "sh", text});
  std::optional<Box> box = waitForWindow(app_id, timeout, window.floating);
  if (!box)
    error_ = "foot (" + app_id + ") was not mapped in time; sway's log:\n" + tail(log_path_);
  return box;
}

}  // namespace liseur::test
