// A stand-in for liseurd over the real IpcServer, for the client and CLI tests: the commands the
// CLI sends, answered from canned data, and every request appended as one JSON line to
// $LISEUR_FAKE_LOG (so a test can check what the CLI sent). Never used outside tests.
//
// Environment: LISEUR_FAKE_LOG (request log), LISEUR_FAKE_AUDIO=0 (status says no sound device),
// LISEUR_FAKE_RELOAD_ERROR (reload fails with config-invalid and this message).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/event_loop.h"
#include "ipc/ipc_server.h"

using liseur::ErrorCode;
using liseur::IpcRequest;
using liseur::IpcResponder;
using nlohmann::json;

namespace {

void logLine(const json& j) {
  const char* path = std::getenv("LISEUR_FAKE_LOG");
  if (!path || !*path) return;
  std::ofstream out(path, std::ios::app);
  out << j.dump() << "\n";
}

// A fake WAV: through the descriptor the client passed (as liseurd does), else at the path.
void writeWav(const IpcRequest& req) {
  if (req.fd) {
    const std::string bytes = "RIFF fake wave (fd)";
    [[maybe_unused]] ssize_t n = ::write(*req.fd, bytes.data(), bytes.size());
    return;
  }
  if (auto w = req.args.find("to_wav"); w != req.args.end() && w->is_string())
    std::ofstream(w->get<std::string>(), std::ios::binary) << "RIFF fake wave";
}

bool fileArg(const IpcRequest& req, IpcResponder& r, std::string& file) {
  if (auto s = req.args.find("source"); s != req.args.end() && s->is_string()) {
    file = "source:" + s->get<std::string>();  // a screen source: nothing to look at
    return true;
  }
  auto f = req.args.find("file");
  if (f == req.args.end() || !f->is_string() || f->get<std::string>().empty() ||
      f->get<std::string>()[0] != '/') {
    r.fail(ErrorCode::kInvalidArgument, "args.file must be an absolute path");
    return false;
  }
  file = *f;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    r.fail(ErrorCode::kFileNotFound, "no such file: " + file);
    return false;
  }
  return true;
}

}  // namespace

int main(int, char**) {
  liseur::EventLoop loop;
  liseur::IpcServer server(loop);
  liseur::Status st = server.listen();
  if (!st) {
    logLine({{"exit", st.error().name()}, {"pid", ::getpid()}});
    // Like liseurd: losing the start-up race is not an error.
    return st.error().code == ErrorCode::kBusy ? 0 : 1;
  }
  logLine({{"started", ::getpid()}});
  int jobs = 0;
  auto logged = [&](const std::string& cmd, liseur::IpcServer::Handler h) {
    server.registerCommand(cmd, [cmd, h](const IpcRequest& req, IpcResponder r) {
      logLine({{"cmd", cmd}, {"args", req.args}});
      h(req, std::move(r));
    });
  };
  logged("read", [&](const IpcRequest& req, IpcResponder r) {
    std::string file;
    if (!fileArg(req, r, file)) return;
    int job = ++jobs;
    server.broadcast("job-started", {{"job", job}, {"t_ms", 0.0}});
    writeWav(req);
    json reply = {{"job", job}};
    if (req.args.value("wait", false))
      reply["timings"] = {{"first_audio_ms", 12.5}, {"ocr_ms", 30.25}, {"total_ms", 100.0}};
    server.broadcast("job-finished", {{"job", job}, {"t_ms", 100.0}});
    r.reply(reply);
  });
  logged("say", [&](const IpcRequest& req, IpcResponder r) {
    if (!req.args.contains("text") || !req.args["text"].is_string())
      return r.fail(ErrorCode::kInvalidArgument, "missing argument 'text'");
    writeWav(req);
    r.reply({{"job", ++jobs}});
  });
  logged("review", [&](const IpcRequest& req, IpcResponder r) {
    r.reply({{"text", "review " + req.args.value("action", std::string())},
             {"lang", "fr"},
             {"at_edge", false}});
  });
  logged("set", [&](const IpcRequest& req, IpcResponder r) {
    std::string key = req.args.value("key", std::string());
    std::string value = req.args.value("value", std::string());
    int base = 175;
    long v = std::strtol(value.c_str(), nullptr, 10);
    bool relative = !value.empty() && (value[0] == '+' || value[0] == '-');
    r.reply({{key, relative ? base + v : v}});
  });
  logged("pointer", [&](const IpcRequest&, IpcResponder r) {
    r.reply({{"box", {{"x", 1}, {"y", 2}, {"w", 3}, {"h", 4}}}});
  });
  logged("reload", [&](const IpcRequest&, IpcResponder r) {
    const char* bad = std::getenv("LISEUR_FAKE_RELOAD_ERROR");
    if (bad && *bad) return r.fail(ErrorCode::kConfigInvalid, bad);
    r.reply({{"applied", true}, {"diagnostics", json::array()}});
  });
  logged("ocr", [&](const IpcRequest& req, IpcResponder r) {
    std::string file;
    if (!fileArg(req, r, file)) return;
    r.reply({{"job", ++jobs},
             {"text", "Bonjour l'élève\nfile=" + file},
             {"document",
              {{"format", "liseur-document/1"}, {"source", file}, {"blocks", json::array()}}}});
  });
  logged("status", [&](const IpcRequest&, IpcResponder r) {
    const char* audio = std::getenv("LISEUR_FAKE_AUDIO");
    bool available = !(audio && std::string(audio) == "0");
    r.reply({{"state", "idle"},
             {"audio", {{"available", available}, {"sink", available ? "portaudio" : "none"}}}});
  });
  for (const char* cmd : {"stop", "pause", "resume"})
    logged(cmd, [](const IpcRequest&, IpcResponder r) { r.reply(); });
  logged("emit", [&](const IpcRequest& req, IpcResponder r) {
    r.reply();
    server.broadcast(req.args.value("name", "word"), {{"job", 1}, {"t_ms", 1.5}});
  });
  logged("shutdown", [&](const IpcRequest&, IpcResponder r) {
    r.reply();
    loop.stop();
  });
  // Safety net for tests that end without a shutdown: once the test's temporary tree (and so the
  // socket) is gone, nobody can reach this daemon any more.
  std::function<void()> watch = [&] {
    if (::access(server.socketPath().c_str(), F_OK) != 0) return loop.stop();
    loop.addTimer(std::chrono::milliseconds(500), watch);
  };
  loop.addTimer(std::chrono::milliseconds(500), watch);
  loop.run();
  logLine({{"exit", "shutdown"}, {"pid", ::getpid()}});
  return 0;
}
