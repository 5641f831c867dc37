#include "support/pulse_server.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

namespace liseur::test {
namespace {

int runQuiet(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str());
}

std::string runOutput(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

}  // namespace

PulseServer::PulseServer(const TempXdg& xdg)
    : runtime_(xdg.path("run/pulse")), log_(xdg.path("pulseaudio.log")) {
  ::unsetenv("PULSE_SERVER");
  ::setenv("PULSE_RUNTIME_PATH", runtime_.c_str(), 1);
}

std::string PulseServer::start() {
  pid_ = ::fork();
  if (pid_ < 0) return "fork failed";
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execlp("pulseaudio", "pulseaudio", "-n", "--daemonize=no", "--system=no",
             "--exit-idle-time=-1", "--realtime=no", "--high-priority=no", "--log-target=stderr",
             "-L", "module-null-sink sink_name=liseur_test", "-L", "module-native-protocol-unix",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool up = waitFor(
      [&] {
        if (exited()) return true;
        return std::filesystem::exists(runtime_ + "/native") &&
               runQuiet("timeout 5 pactl info") == 0;
      },
      std::chrono::seconds(20));
  if (exited()) return "pulseaudio exited at start; log:\n" + readFile(log_);
  if (!up) return "pulseaudio did not answer within 20 s; log:\n" + readFile(log_);
  return "";
}

void PulseServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void PulseServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!waitFor([&] { return exited(); }, std::chrono::seconds(10))) kill();
  pid_ = -1;
}

int PulseServer::sinkInputs() const {
  std::string out = runOutput("timeout 5 pactl list short sink-inputs 2>/dev/null");
  return static_cast<int>(std::count(out.begin(), out.end(), '\n'));
}

std::string PulseServer::log() const {
  return readFile(log_);
}

bool PulseServer::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

}  // namespace liseur::test
