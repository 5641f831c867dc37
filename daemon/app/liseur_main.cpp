// liseur: the command-line client of liseurd. A thin shell over ipc/ipc_client.h: parse the
// command line, make paths absolute (the daemon's working directory is /), send one command,
// print the answer. Starting it must stay cheap: a benchmark runs `liseur ocr` once per image.
//
// Exit status: 0 ok, 1 error ("liseur: <code>: <message>" on stderr), 2 usage.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/paths.h"
#include "ipc/ipc_client.h"
#include "ipc/ipc_protocol.h"

namespace {

using liseur::Error;
using liseur::ErrorCode;
using liseur::IpcClient;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kForever{-1};
constexpr std::chrono::milliseconds kQuick{30'000};  // a command that should answer at once

int fail(const Error& e) {
  std::cerr << "liseur: " << e.name() << ": " << e.message << "\n";
  return 1;
}

std::string dump(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

json withoutEnvelope(json reply) {
  reply.erase("id");
  reply.erase("ok");
  return reply;
}

// "audio.available: true" lines: readable for any status shape the daemon grows into.
void printFlat(const json& j, const std::string& prefix = "") {
  for (const auto& [key, value] : j.items()) {
    std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object() && !value.empty()) {
      printFlat(value, name);
    } else {
      std::cout << name << ": " << (value.is_string() ? value.get<std::string>() : dump(value))
                << "\n";
    }
  }
}

// Where speech goes when there is no sound device: somewhere the user finds it, the current
// directory first, with a name that sorts by time and never overwrites an earlier file.
std::string defaultWavPath() {
  std::string dir = fs::current_path().string();
  if (::access(dir.c_str(), W_OK) != 0) {
    const char* home = std::getenv("HOME");
    dir = home && ::access(home, W_OK) == 0 ? home : liseur::runtimeDir();
  }
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::string base = dir + "/liseur-" + stamp;
  std::string path = base + ".wav";
  for (int i = 2; fs::exists(path); ++i) path = base + "-" + std::to_string(i) + ".wav";
  return path;
}

struct Cli {
  bool no_spawn = false;
  bool json_out = false;
  std::string file, to_wav, lang;
  bool wait = false, timings = false;
};

liseur::Result<std::unique_ptr<IpcClient>> connect(const Cli& cli, bool spawn = true) {
  liseur::IpcClientOptions o;
  o.client_name = "liseur-cli";
  o.autospawn = spawn && !cli.no_spawn;
  return IpcClient::connect(o);
}

int runRead(const Cli& cli) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  json args = {{"file", absolute(cli.file)}};
  if (!cli.lang.empty()) args["lang"] = cli.lang;
  bool wait = cli.wait || cli.timings;
  if (!cli.to_wav.empty()) {
    args["to_wav"] = absolute(cli.to_wav);
  } else {
    auto status = (*c)->request("status", json::object(), kQuick);
    if (status && status->contains("audio") &&
        !liseur::boolField((*status)["audio"], "available", true)) {
      std::string path = defaultWavPath();
      std::cerr << "liseur: no sound device; writing speech to " << path << std::endl;
      args["to_wav"] = path;
      wait = true;  // the file is complete only when the job is
    }
  }
  if (wait) args["wait"] = true;
  auto reply = (*c)->request("read", args, wait ? kForever : kQuick);
  if (!reply) return fail(reply.error());
  if (cli.timings) {
    auto t = reply->find("timings");
    if (t == reply->end() || !t->is_object())
      return fail(Error{ErrorCode::kInternal, "the daemon's reply carries no timings"});
    std::cout << dump(*t) << std::endl;
  } else if (cli.json_out) {
    std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  }
  return 0;
}

int runOcr(const Cli& cli) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  json args = {{"file", absolute(cli.file)}};
  if (!cli.lang.empty()) args["lang"] = cli.lang;
  auto reply = (*c)->request("ocr", args, kForever);
  if (!reply) return fail(reply.error());
  if (cli.json_out) {
    auto doc = reply->find("document");
    std::cout << dump(doc != reply->end() ? *doc : json::object(), 2) << "\n";
  } else {
    std::string text = liseur::stringField(*reply, "text");
    std::cout << text;
    if (!text.empty() && text.back() != '\n') std::cout << "\n";
  }
  return std::cout.flush() ? 0 : 1;
}

// stop, pause, resume, status, shutdown. Stopping or shutting down a daemon that is not running
// succeeds without starting one.
int runSimple(const Cli& cli, const std::string& cmd) {
  bool spawn = cmd != "stop" && cmd != "shutdown";
  auto c = connect(cli, spawn);
  if (!c) {
    if (!spawn && c.error().code == ErrorCode::kNotRunning) return 0;
    return fail(c.error());
  }
  auto reply = (*c)->request(cmd, json::object(), kQuick);
  if (!reply) return fail(reply.error());
  if (cli.json_out)
    std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  else if (cmd == "status")
    printFlat(withoutEnvelope(*reply));
  return 0;
}

int runEvents(const Cli& cli) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  auto sub = (*c)->request("subscribe", {{"events", {"*"}}}, kQuick);
  if (!sub) return fail(sub.error());
  for (;;) {
    auto e = (*c)->readEvent(kForever);
    if (!e) return fail(e.error());
    std::cout << dump(*e) << std::endl;  // one line per event, flushed: for pipes and humans
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"liseur: read images aloud, through the liseurd daemon (started when needed)"};
  app.set_version_flag("--version", LISEUR_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  Cli cli;
  app.add_flag("--no-spawn", cli.no_spawn, "Do not start liseurd when it is not running");

  auto* read = app.add_subcommand("read", "Read an image aloud");
  read->add_option("FILE", cli.file, "Image file (PNG, JPEG, TIFF, BMP, WebP, GIF)")->required();
  read->add_flag("--wait", cli.wait, "Return when the reading has finished");
  read->add_flag("--timings", cli.timings,
                 "Wait, then print one JSON line: first_audio_ms, ocr_ms, total_ms");
  read->add_option("--to-wav", cli.to_wav,
                   "Write the speech to this WAV file instead of playing it");
  read->add_option("--lang", cli.lang, "Language of the text")->check(CLI::IsMember({"fr", "en"}));
  read->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  auto* ocr = app.add_subcommand("ocr", "Print the text of an image, in reading order");
  ocr->add_option("FILE", cli.file, "Image file")->required();
  ocr->add_flag("--json", cli.json_out, "Print the document (blocks, lines, words, boxes) as JSON");
  ocr->add_option("--lang", cli.lang, "Language of the text")->check(CLI::IsMember({"fr", "en"}));

  std::vector<std::pair<std::string, CLI::App*>> simple;
  for (auto [name, help] : std::vector<std::pair<const char*, const char*>>{
           {"stop", "Stop reading now (does not start liseurd)"},
           {"pause", "Pause reading"},
           {"resume", "Resume a paused reading"},
           {"status", "Show what liseurd is doing, and its sound device"}}) {
    auto* sub = app.add_subcommand(name, help);
    sub->add_flag("--json", cli.json_out, "Print the reply as JSON");
    simple.emplace_back(name, sub);
  }
  auto* events = app.add_subcommand("events", "Print liseurd's events, one JSON line each");
  auto* shutdown = app.add_subcommand("shutdown", "Stop liseurd (does not start it)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version are not errors
  }

  if (read->parsed()) return runRead(cli);
  if (ocr->parsed()) return runOcr(cli);
  for (auto& [name, sub] : simple)
    if (sub->parsed()) return runSimple(cli, name);
  if (events->parsed()) return runEvents(cli);
  if (shutdown->parsed()) return runSimple(cli, "shutdown");
  return 2;
}
