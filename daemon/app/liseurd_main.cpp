// liseurd: the per-user reader daemon. Thin: options, configuration, the IPC server, the
// Session, and the event loop. The commands themselves are in daemon_commands.cpp.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/chain_adapter.h"
#include "app/daemon_commands.h"
#include "app/manual.h"
#include "core/log.h"
#include "ipc/socket_activation.h"
#ifdef LISEUR_HAVE_DBUS
#include "dbus/dbus_bridge.h"
#endif

using namespace liseur;
using nlohmann::json;

namespace {

void daemonize() {
  // Classic double fork: re-parented to init (or the user's subreaper), no controlling terminal.
  if (pid_t p = ::fork(); p > 0) ::_exit(0);
  ::setsid();
  if (pid_t p = ::fork(); p > 0) ::_exit(0);
  int null = ::open("/dev/null", O_RDWR);
  ::dup2(null, 0);
  ::dup2(null, 1);
  if (null > 2) ::close(null);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"liseurd: the liseur reader daemon (usually started by the `liseur` command)"};
  bool foreground = false;
  DaemonOverrides o;
  app.add_flag("-f,--foreground", foreground, "Stay in the foreground (log to stderr)");
  app.add_option("--audio", o.audio,
                 "Audio output, overriding audio.sink: auto, portaudio, null or paced-null")
      ->check(CLI::IsMember({"auto", "portaudio", "null", "paced-null"}));
  app.add_option("--device", o.device, "Audio output device (part of its name)")->type_name("NAME");
  app.add_option("--ocr-languages", o.ocr_languages, "Tesseract languages, e.g. eng+fra")
      ->type_name("LANGS");
  app.add_option("--default-language", o.default_lang, "Language of text whose language is unknown")
      ->check(CLI::IsMember({"fr", "en"}));
  app.add_option("--rate", o.rate, "Speech rate in words per minute")->check(CLI::Range(80, 450));
  app.add_flag("--no-hotkeys", o.no_hotkeys, "Do not grab the global hotkeys");
  app.set_version_flag("--version", std::string("liseurd ") + LISEUR_VERSION);
  // Hidden (group ""): liseurd(8), made from this command table.
  app.add_option_function<std::string>(
         "--generate",
         [&app](const std::string& what) {
           if (what != "man")
             throw CLI::ValidationError("--generate", "expected man (got '" + what + "')");
           std::cout << liseur::app::manPage(app, "liseurd", 8, liseur::app::liseurdManText())
                     << std::flush;
           throw CLI::Success();
         },
         "Print the manual page")
      ->trigger_on_parse()
      ->group("");
  CLI11_PARSE(app, argc, argv);

  // Started by liseurd.socket: the listening socket is fd 3. Taken (and LISTEN_* unset) before
  // any thread or worker starts.
  auto activated = takeActivationSocket();
  if (!activated) {
    std::cerr << "liseurd: " << activated.error().message << "\n";
    return 1;
  }

  // A crash of the daemon itself must not write what it holds (screen text, the speech being
  // said) to disk as a core file, whatever the user's or the distribution's limit (its workers
  // get the same at their start).
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  if (const char* a = std::getenv("LISEUR_AUDIO"); a && *a && o.audio.empty()) o.audio = a;
  initLogging("liseurd");
  ::signal(SIGPIPE, SIG_IGN);

  EventLoop loop;
  IpcServerOptions ipc;
  ipc.listen_fd = *activated;
  IpcServer server(loop, ipc);
  if (auto st = server.listen(); !st) {
    if (st.error().code == ErrorCode::kBusy) {
      spdlog::info("{}", st.error().message);
      return 0;  // another daemon won the race: that is fine
    }
    std::cerr << "liseurd: " << st.error().message << "\n";
    return 1;
  }
  if (!foreground) daemonize();

  config::ConfigStore config(config::ConfigDirs::standard());
  for (const auto& d : config.reload().diagnostics) spdlog::warn("config: {}", d.toString());

  Session session(loop, sessionOptionsFrom(*config.current(), o),
                  [&server](const std::string& name, json body) {
                    if (server.hasSubscribers(name)) server.broadcast(name, body);
                  });
  DaemonCommands commands(loop, server, config, session, o);
  commands.registerAll();
  // The profile's plugin chain adapts every recognised block before it is spoken.
  ChainAdapter chain(loop, session, config, [&server](const std::string& name, json body) {
    if (server.hasSubscribers(name)) server.broadcast(name, body);
  });
  chain.install();

  // Signals through a signalfd, so they are ordinary events of the loop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  bool reloadPending = false;
  loop.addFd(sfd, EPOLLIN, [&](uint32_t) {
    signalfd_siginfo si;
    while (::read(sfd, &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGHUP) {
        // A burst of SIGHUPs is one reload: coalesce them on the next turn of the loop.
        if (!reloadPending) {
          reloadPending = true;
          loop.post([&] {
            reloadPending = false;
            commands.reload();
          });
        }
        continue;
      }
      spdlog::info("signal {}: shutting down", si.ssi_signo);
      loop.stop();
    }
  });

  session.start();
  commands.startHotkeys();
#ifdef LISEUR_HAVE_DBUS
  // org.liseur.Reader1 on the session bus, a client of our own socket, and the notices through
  // Orca's PresentMessage when Orca is there. Its thread starts after daemonize() (a thread does
  // not survive fork); without a bus it says so once and `status` shows why.
  DbusBridgeOptions busOptions;
  busOptions.socket_path = server.socketPath();
  DbusBridge bus(loop, busOptions);
  commands.setNoticePresenter([&bus](const std::string& text, std::function<void()> speak) {
    return bus.presentNotice(text, std::move(speak));
  });
  commands.setStatusExtension([&bus](json& s) { s["dbus"] = bus.status(); });
  bus.start();
#endif
  spdlog::info("liseurd {} listening on {} (profile {})", LISEUR_VERSION, server.socketPath(),
               config.current()->profileName());
  loop.run();
#ifdef LISEUR_HAVE_DBUS
  commands.setNoticePresenter({});
  commands.setStatusExtension({});
#endif
  session.shutdown();
  spdlog::info("liseurd stopped");
  return 0;
}
