#include "support/speechd_server.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace liseur::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* kServer = "/usr/bin/speech-dispatcher";
constexpr const char* kModule = "/usr/lib/speech-dispatcher-modules/sd_espeak-ng";
constexpr const char* kModuleConf = "/etc/speech-dispatcher/modules/espeak-ng.conf";

// Reaps what is left of the server's process group (its module, orphaned when the server died
// first: this process is their subreaper), for up to a second.
void reapGroup(pid_t pgid) {
  ::kill(-pgid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    pid_t r = ::waitpid(-pgid, nullptr, WNOHANG);
    if (r < 0) return;  // no child left in the group
    if (r == 0) ::usleep(10000);
  }
}

bool canConnect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

SpeechdServer::SpeechdServer(const TempXdg& xdg)
    : config_(xdg.path("speechd-config")),
      logDir_(xdg.path("speechd-log")),
      socket_(xdg.path("run/speech-dispatcher/speechd.sock")) {
  ::unsetenv("SPEECHD_ADDRESS");
  ::setenv("SPEECHD_CMD", xdg.path("no-such-program/speech-dispatcher").c_str(), 1);
}

std::string SpeechdServer::missing() {
  for (const char* p : {kServer, kModule, kModuleConf})
    if (::access(p, R_OK) != 0)
      return std::string(p) +
             " is missing (apt install speech-dispatcher speech-dispatcher-espeak-ng)";
  return "";
}

std::string SpeechdServer::start() {
  if (std::string m = missing(); !m.empty()) return m;
  fs::create_directories(config_ + "/modules");
  fs::create_directories(logDir_);
  fs::copy_file(kModuleConf, config_ + "/modules/espeak-ng.conf",
                fs::copy_options::overwrite_existing);
  writeFile(config_ + "/speechd.conf",
            "CommunicationMethod \"unix_socket\"\n"
            "SocketPath \"default\"\n"
            "Timeout 0\n"
            "LogLevel 4\n"
            "LogDir \"" +
                logDir_ +
                "\"\n"
                "DefaultLanguage \"en\"\n"
                "AudioOutputMethod \"pulse\"\n"
                "AddModule \"espeak-ng\" \"sd_espeak-ng\" \"espeak-ng.conf\"\n"
                "DefaultModule espeak-ng\n");
  // The module outlives a server killed first: it comes back to this process to be reaped.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_ = ::fork();
  if (pid_ < 0) return "fork failed";
  if (pid_ == 0) {
    ::setpgid(0, 0);                     // the server and its module, stopped together
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    int fd = ::open((logDir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(kServer, kServer, "--run-single", "--config-dir", config_.c_str(), "--timeout", "0",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  bool up = waitFor([&] { return exited() || canConnect(socket_); }, std::chrono::seconds(20));
  if (exited()) return "speech-dispatcher exited at start; log:\n" + log();
  if (!up) return "speech-dispatcher did not listen on " + socket_ + " within 20 s; log:\n" + log();
  return "";
}

void SpeechdServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  reapGroup(pid_);
  pid_ = -1;
}

void SpeechdServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // the server stops its module itself
  if (!waitFor([&] { return exited(); }, std::chrono::seconds(10))) kill();
}

std::string SpeechdServer::log() const {
  return readFile(logDir_ + "/speech-dispatcher.log") + readFile(logDir_ + "/stderr.log");
}

bool SpeechdServer::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reapGroup(pid_);  // a module left behind by its server
    pid_ = -1;
    return true;
  }
  return false;
}

FakeOrca::FakeOrca(const TempXdg& xdg) {
  const std::string dir = xdg.path("fake-orca");
  fs::create_directories(dir);
  const std::string exe = dir + "/orca";
  fs::copy_file("/bin/sleep", exe, fs::copy_options::overwrite_existing);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::execl(exe.c_str(), "orca", "3600", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Running once /proc shows its new name (exec done).
  const std::string comm = "/proc/" + std::to_string(pid_) + "/comm";
  if (pid_ > 0 && !waitFor([&] { return readFile(comm) == "orca\n"; }, std::chrono::seconds(5))) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

FakeOrca::~FakeOrca() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace liseur::test
