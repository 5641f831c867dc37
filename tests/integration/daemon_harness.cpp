#include "integration/daemon_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/paths.h"

namespace liseur::test {

using nlohmann::json;

double WavInfo::rms() const {
  if (samples.empty()) return 0;
  double s = 0;
  for (int16_t v : samples) s += double(v) * v;
  return std::sqrt(s / samples.size());
}

WavInfo readWav(const std::string& path) {
  WavInfo w;
  std::string d = readFile(path);
  auto u32 = [&](std::size_t o) {
    return uint32_t(uint8_t(d[o])) | uint32_t(uint8_t(d[o + 1])) << 8 |
           uint32_t(uint8_t(d[o + 2])) << 16 | uint32_t(uint8_t(d[o + 3])) << 24;
  };
  auto u16 = [&](std::size_t o) { return uint16_t(uint8_t(d[o]) | uint8_t(d[o + 1]) << 8); };
  if (d.size() < 44 || d.compare(0, 4, "RIFF") != 0 || d.compare(8, 4, "WAVE") != 0) {
    w.problem = "not a RIFF/WAVE file (" + std::to_string(d.size()) + " bytes)";
    return w;
  }
  std::size_t pos = 12;
  int channels = 0, bits = 0;
  while (pos + 8 <= d.size()) {
    std::string id = d.substr(pos, 4);
    uint32_t len = u32(pos + 4);
    if (id == "fmt ") {
      channels = u16(pos + 10);
      w.sample_rate = int(u32(pos + 12));
      bits = u16(pos + 22);
    } else if (id == "data") {
      if (pos + 8 + len > d.size()) {
        w.problem = "data chunk longer than the file";
        return w;
      }
      w.samples.resize(len / 2);
      std::memcpy(w.samples.data(), d.data() + pos + 8, len / 2 * 2);
      w.ok = channels == 1 && bits == 16;
      if (!w.ok) w.problem = "expected 16-bit mono";
      return w;
    }
    pos += 8 + len + (len & 1);
  }
  w.problem = "no data chunk";
  return w;
}

DaemonHarness::DaemonHarness(std::vector<std::string> extraArgs,
                             const std::function<void(const TempXdg&)>& beforeStart) {
  if (beforeStart) beforeStart(xdg_);
  std::string exe = programPath("liseurd");
  std::string logPath = xdg_.path("liseurd.log");
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) ::dup2(fd, 2);
    std::vector<std::string> args{exe, "--foreground"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  IpcClientOptions o;
  o.autospawn = false;
  o.client_name = "integration-test";
  for (int i = 0; i < 200 && !client_; ++i) {
    auto c = IpcClient::connect(o);
    if (c) {
      client_ = std::move(*c);
      break;
    }
    problem_ = c.error().message;
    if (!alive()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!client_) {
    problem_ = "liseurd did not come up: " + problem_ + "\n" + log();
    return;
  }
  auto e = IpcClient::connect(o);
  if (!e) {
    problem_ = e.error().message;
    client_.reset();
    return;
  }
  events_ = std::move(*e);
  auto sub = events_->request("subscribe", {{"events", {"*"}}});
  if (!sub) problem_ = "subscribe failed: " + sub.error().message;
  // Wait until both workers are warm so tests measure behaviour, not start-up.
  waitWorkerReady("ocr");
  waitWorkerReady("speech");
}

namespace {

// The processes whose parent is `parent` (from /proc/*/stat).
std::vector<pid_t> childrenOf(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses; ppid follows the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

DaemonHarness::~DaemonHarness() {
  // A test that stopped a worker (SIGSTOP) and failed before letting it go on must not leave a
  // stopped process behind: every child of the daemon is continued before the shutdown.
  if (pid_ > 0)
    for (pid_t child : childrenOf(pid_)) ::kill(child, SIGCONT);
  if (client_) (void)client_->request("shutdown", json::object(), std::chrono::milliseconds(5000));
  events_.reset();
  client_.reset();
  if (pid_ > 0) {
    for (int i = 0; i < 100; ++i) {
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
}

std::string DaemonHarness::log() const {
  return "--- liseurd log ---\n" + readFile(xdg_.path("liseurd.log"));
}

bool DaemonHarness::alive() const {
  if (pid_ <= 0) return false;
  int st;
  return ::waitpid(pid_, &st, WNOHANG) == 0;
}

json DaemonHarness::request(const std::string& cmd, const json& args,
                            std::chrono::milliseconds timeout) {
  auto r = client_->request(cmd, args, timeout);
  if (r) return *r;
  const Error& e = r.error();
  if (e.code == ErrorCode::kNotRunning || e.code == ErrorCode::kTimeout)
    ADD_FAILURE() << cmd << " " << args.dump() << ": transport error " << e.name() << ": "
                  << e.message << "\n"
                  << log();
  return json{{"ok", false}, {"error", {{"code", e.name()}, {"message", e.message}}}};
}

std::vector<json> DaemonHarness::eventsUntilFinished(uint64_t job,
                                                     std::chrono::milliseconds timeout) {
  std::vector<json> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto ev = events_->readEvent(left);
    if (!ev) break;
    out.push_back(*ev);
    if ((*ev)["event"] == "job-finished" && (*ev).value("job", uint64_t{0}) == job) return out;
  }
  ADD_FAILURE() << "job " << job << " did not finish in time; events so far: " << out.size() << "\n"
                << log();
  return out;
}

json DaemonHarness::waitEvent(const std::string& name, std::vector<json>* seen,
                              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto ev = events_->readEvent(left);
    if (!ev) break;
    if (seen) seen->push_back(*ev);
    if ((*ev)["event"] == name) return *ev;
  }
  ADD_FAILURE() << "no '" << name << "' event in time\n" << log();
  return json();
}

pid_t DaemonHarness::workerPid(const std::string& worker) {
  json s = request("status");
  const json& pid = s["workers"][worker]["pid"];
  return pid.is_number_integer() ? pid.get<pid_t>() : -1;  // null between a death and a restart
}

bool DaemonHarness::waitWorkerReady(const std::string& worker, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = client_->request("status", json::object(), std::chrono::milliseconds(5000));
    if (s && (*s)["workers"][worker].value("ready", false)) return true;
    if (s && (*s)["workers"][worker].contains("problem")) return false;  // it cannot start
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int runCli(const std::vector<std::string>& args, std::string* output) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    std::string exe = programPath("liseur");
    std::vector<std::string> all{exe, "--no-spawn"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) output->append(buf, std::size_t(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace liseur::test
