// liseurd: the per-user reader daemon. Thin: parses options, wires the IPC server's commands to
// the Session, and runs the event loop. See ARCHITECTURE.md.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "control/session.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "ipc/ipc_server.h"

using namespace liseur;
using nlohmann::json;

namespace {

// Reads an optional string argument; an argument of the wrong type is an invalid-argument error
// naming it.
Result<std::string> stringArg(const json& args, const char* name, bool required) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) {
    if (required)
      return makeError(ErrorCode::kInvalidArgument, std::string("missing argument '") + name + "'");
    return std::string();
  }
  if (!it->is_string())
    return makeError(ErrorCode::kInvalidArgument,
                     std::string("argument '") + name + "' must be a string");
  return it->get<std::string>();
}

Result<bool> boolArg(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return false;
  if (!it->is_boolean())
    return makeError(ErrorCode::kInvalidArgument,
                     std::string("argument '") + name + "' must be true or false");
  return it->get<bool>();
}

Result<std::string> pathArg(const json& args, const char* name, bool required) {
  auto p = stringArg(args, name, required);
  if (!p || p->empty()) return p;
  if ((*p)[0] != '/')
    return makeError(
        ErrorCode::kInvalidArgument,
        std::string("argument '") + name + "' must be an absolute path (got '" + *p + "')");
  return p;
}

json resultFields(const JobResult& r) {
  json out{{"job", r.job}, {"stopped", r.stopped}, {"timings", r.timings}};
  if (!r.wav_path.empty()) out["wav"] = r.wav_path;
  return out;
}

void daemonize() {
  // Classic double fork: the daemon is re-parented to init (or the user's subreaper) and has no
  // controlling terminal.
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
  std::string audio = "auto", device, ocrLangs = "eng+fra", defaultLang = "fr";
  int rate = 175;
  app.add_flag("-f,--foreground", foreground, "Stay in the foreground (log to stderr)");
  app.add_option("--audio", audio, "Audio output: auto, portaudio, null or paced-null")
      ->check(CLI::IsMember({"auto", "portaudio", "null", "paced-null"}));
  app.add_option("--device", device, "Audio output device (part of its name)");
  app.add_option("--ocr-languages", ocrLangs, "Tesseract languages, e.g. eng+fra");
  app.add_option("--default-language", defaultLang, "Language of text whose language is unknown")
      ->check(CLI::IsMember({"fr", "en"}));
  app.add_option("--rate", rate, "Speech rate in words per minute")->check(CLI::Range(80, 450));
  app.set_version_flag("--version", std::string("liseurd ") + LISEUR_VERSION);
  CLI11_PARSE(app, argc, argv);

  if (const char* a = std::getenv("LISEUR_AUDIO"); a && *a) audio = a;
  initLogging("liseurd");
  ::signal(SIGPIPE, SIG_IGN);

  EventLoop loop;
  IpcServer server(loop);
  if (auto st = server.listen(); !st) {
    if (st.error().code == ErrorCode::kBusy) {
      spdlog::info("{}", st.error().message);
      return 0;  // another daemon won the race: that is fine
    }
    std::cerr << "liseurd: " << st.error().message << "\n";
    return 1;
  }
  if (!foreground) daemonize();

  SessionOptions opts;
  opts.audio_sink = audio;
  opts.audio_device = device;
  opts.ocr_languages = ocrLangs;
  opts.default_lang = defaultLang;
  opts.rate = rate;
  Session session(loop, opts, [&server](const std::string& name, json body) {
    if (server.hasSubscribers(name)) server.broadcast(name, body);
  });

  auto jobCommand = [&session, &loop](JobKind kind) {
    return [&session, &loop, kind](const IpcRequest& req, IpcResponder resp) {
      JobRequest jr;
      jr.kind = kind;
      jr.received_ms = EventLoop::nowMsPrecise();
      auto path = pathArg(req.args, "file", kind != JobKind::kSay);
      auto text = stringArg(req.args, "text", kind == JobKind::kSay);
      auto wav = pathArg(req.args, "to_wav", false);
      auto lang = stringArg(req.args, "lang", false);
      auto wait = boolArg(req.args, "wait");
      for (const Status& s :
           {path ? okStatus() : Status(path.error()), text ? okStatus() : Status(text.error()),
            wav ? okStatus() : Status(wav.error()), lang ? okStatus() : Status(lang.error()),
            wait ? okStatus() : Status(wait.error())})
        if (!s) return resp.fail(s.error());
      jr.path = *path;
      jr.text = *text;
      jr.to_wav = *wav;
      jr.lang = *lang;
      bool replyAtEnd = kind == JobKind::kOcr || *wait;
      auto job =
          session.submit(std::move(jr), [resp, replyAtEnd, kind](const JobResult& r) mutable {
            if (!replyAtEnd) return;
            if (r.error) return resp.fail(*r.error);
            json fields = resultFields(r);
            if (kind == JobKind::kOcr) {
              fields["text"] = r.document.text();
              fields["document"] = toJson(r.document);
            }
            resp.reply(fields);
          });
      if (!job) return resp.fail(job.error());
      if (!replyAtEnd) resp.reply({{"job", *job}});
      (void)loop;
    };
  };
  server.registerCommand("read", jobCommand(JobKind::kRead));
  server.registerCommand("ocr", jobCommand(JobKind::kOcr));
  server.registerCommand("say", jobCommand(JobKind::kSay));
  server.registerCommand("stop", [&](const IpcRequest&, IpcResponder r) {
    session.stop();
    r.reply();
  });
  server.registerCommand("pause", [&](const IpcRequest&, IpcResponder r) {
    session.pause();
    r.reply();
  });
  server.registerCommand("resume", [&](const IpcRequest&, IpcResponder r) {
    session.resume();
    r.reply();
  });
  server.registerCommand("review", [&](const IpcRequest& req, IpcResponder r) {
    double received = EventLoop::nowMsPrecise();
    auto action = stringArg(req.args, "action", true);
    if (!action) return r.fail(action.error());
    auto out = session.review(*action, received);
    if (!out) return r.fail(out.error());
    r.reply(*out);
  });
  server.registerCommand("set", [&](const IpcRequest& req, IpcResponder r) {
    auto key = stringArg(req.args, "key", true);
    if (!key) return r.fail(key.error());
    auto it = req.args.find("value");
    if (it == req.args.end() || !(it->is_string() || it->is_number_integer()))
      return r.fail(ErrorCode::kInvalidArgument, "missing argument 'value' (a number, or +N / -N)");
    std::string value = it->is_string() ? it->get<std::string>() : std::to_string(it->get<long>());
    auto out = session.set(*key, value);
    if (!out) return r.fail(out.error());
    r.reply(*out);
  });
  server.registerCommand("status", [&](const IpcRequest&, IpcResponder r) {
    json s = session.status();
    s["version"] = LISEUR_VERSION;
    s["pid"] = ::getpid();
    r.reply(s);
  });
  server.registerCommand("shutdown", [&](const IpcRequest&, IpcResponder r) {
    r.reply();
    loop.post([&loop] { loop.stop(); });
  });

  // Signals through a signalfd, so they are ordinary events of the loop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  loop.addFd(sfd, EPOLLIN, [&](uint32_t) {
    signalfd_siginfo si;
    while (::read(sfd, &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGHUP) {
        spdlog::info("SIGHUP: configuration reload is not available yet");
        continue;
      }
      spdlog::info("signal {}: shutting down", si.ssi_signo);
      loop.stop();
    }
  });

  session.start();
  spdlog::info("liseurd {} listening on {}", LISEUR_VERSION, server.socketPath());
  loop.run();
  session.shutdown();
  spdlog::info("liseurd stopped");
  return 0;
}
