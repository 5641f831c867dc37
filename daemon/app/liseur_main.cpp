// liseur: the command-line client of liseurd. A thin shell over ipc/ipc_client.h: parse the
// command line, make paths absolute (the daemon's working directory is /), send one command,
// print the answer. Starting it must stay cheap: a benchmark runs `liseur ocr` once per image.
//
// The configuration, profile, plugin and syllable commands work locally, without the daemon.
//
// Exit status: 0 ok, 1 error ("liseur: <code>: <message>" on stderr), 2 usage.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/autostart_command.h"
#include "app/doctor_command.h"
#include "app/hotkeys_command.h"
#include "app/manual.h"
#include "app/profile_card.h"
#include "config/atomic_file.h"
#include "config/config_schema.h"
#include "config/config_store.h"
#include "config/diagnostic.h"
#include "config/profile_manager.h"
#include "config/suggestion.h"
#include "control/review.h"
#include "core/output_file.h"
#include "core/paths.h"
#include "ipc/ipc_client.h"
#include "ipc/ipc_protocol.h"
#include "plugins/plugin_catalog.h"
#include "syllabifier.h"
#ifdef LISEUR_HAVE_ADAPT
#include "app/adapt_command.h"
#endif

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

// Words of `liseur read` / `liseur ocr` that name a screen source rather than a file.
constexpr const char* kScreenSources[] = {"screen", "window", "pointer", "clipboard"};

// The review actions' names, from the one table of control/review.h.
std::vector<std::string> reviewActionNames() {
  std::vector<std::string> names;
  for (const auto& [action, name] : liseur::kReviewActionNames) names.emplace_back(name);
  return names;
}

struct Cli {
  bool no_spawn = false;
  bool json_out = false;
  std::vector<std::string> source;  // FILE, a screen source, or "region" X,Y,W,H
  std::vector<std::string> words;   // say TEXT..., syllables WORD...
  std::string to_wav, lang;
  bool wait = false, timings = false;
  std::string action;            // review, pointer
  std::string key, value;        // set, profile set
  std::string name, from, file;  // profile
  bool replace = false;          // profile import
  std::string every;             // watch --every
  bool toggle = false;           // pause --toggle, watch --toggle
};

liseur::Result<std::unique_ptr<IpcClient>> connect(const Cli& cli, bool spawn = true) {
  liseur::IpcClientOptions o;
  o.client_name = "liseur-cli";
  o.autospawn = spawn && !cli.no_spawn;
  return IpcClient::connect(o);
}

// "X,Y,W,H": four integers, the width and height positive.
bool isRegion(const std::string& text) {
  int x = 0, y = 0, w = 0, h = 0;
  char end = 0;
  return std::sscanf(text.c_str(), "%d,%d,%d,%d%c", &x, &y, &w, &h, &end) == 4 && w > 0 && h > 0;
}

// The request arguments naming what to read: {"file":ABS} or {"source":S[,"region":R]}. A usage
// error (thrown as CLI11's) for a word that is none of them.
json sourceArgs(const std::vector<std::string>& words) {
  if (words.size() == 2) {
    if (words[0] != "region")
      throw CLI::ValidationError("SOURCE", "expected one FILE, a source, or region X,Y,W,H");
    if (!isRegion(words[1]))
      throw CLI::ValidationError("SOURCE", "region: expected X,Y,W,H (got '" + words[1] + "')");
    return {{"source", "region"}, {"region", words[1]}};
  }
  const std::string& word = words.at(0);
  if (word == "region") throw CLI::ValidationError("SOURCE", "region needs X,Y,W,H");
  for (const char* s : kScreenSources)
    if (word == s) return {{"source", word}};
  return {{"file", absolute(word)}};
}

// read and say: speak now, or into a WAV file when asked. With no sound device the speech is not
// written anywhere unasked (it is the screen's text): the command fails and says how to ask.
int runSpeak(const Cli& cli, const std::string& cmd, json args) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  if (!cli.lang.empty()) args["lang"] = cli.lang;
  const bool wait = cli.wait || cli.timings;
  // The WAV file is opened here (core/output_file.h), with this user's rights in this folder,
  // and passed to the daemon, whose systemd sandbox may not write there.
  int wav_fd = -1;
  struct CloseWav {
    int& fd;
    ~CloseWav() {
      if (fd >= 0) ::close(fd);
    }
  } close_wav{wav_fd};
  if (!cli.to_wav.empty()) {
    const std::string path = absolute(cli.to_wav);
    args["to_wav"] = path;
    liseur::Result<int> opened = liseur::openOutputFile(path);
    if (!opened) return fail(opened.error());
    wav_fd = *opened;
  } else {
    auto status = (*c)->request("status", json::object(), kQuick);
    if (status && status->contains("audio") &&
        !liseur::boolField((*status)["audio"], "available", true)) {
      return fail(Error{ErrorCode::kAudioDeviceMissing,
                        "no sound device here (no sound card, and no PulseAudio or PipeWire "
                        "server); to write the speech to a file instead, add --to-wav FILE"});
    }
  }
  if (wait) args["wait"] = true;
  auto reply = (*c)->request(cmd, args, wait ? kForever : kQuick, wav_fd);
  if (!reply) return fail(reply.error());
  // Sentences the voice could not say (--wait): named, and the exit status says it.
  int status = 0;
  if (auto errs = reply->find("errors"); errs != reply->end() && errs->is_array()) {
    for (const json& e : *errs) {
      std::cerr << "liseur: a sentence was not spoken: " << liseur::stringField(e, "code") << ": "
                << liseur::stringField(e, "message") << "\n";
      status = 1;
    }
  }
  if (cli.timings) {
    auto t = reply->find("timings");
    if (t == reply->end() || !t->is_object())
      return fail(Error{ErrorCode::kInternal, "the daemon's reply carries no timings"});
    std::cout << dump(*t) << std::endl;
  } else if (cli.json_out) {
    std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  }
  return status;
}

int runOcr(const Cli& cli, json args) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
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

// `pause --toggle`: resume when paused, else pause (a desktop shortcut has one key for both).
// Nothing to do without a running daemon.
int runPauseToggle(const Cli& cli) {
  auto c = connect(cli, false);
  if (!c) return c.error().code == ErrorCode::kNotRunning ? 0 : fail(c.error());
  auto status = (*c)->request("status", json::object(), kQuick);
  if (!status) return fail(status.error());
  const std::string cmd = liseur::stringField(*status, "state") == "paused" ? "resume" : "pause";
  auto reply = (*c)->request(cmd, json::object(), kQuick);
  if (!reply) return fail(reply.error());
  if (cli.json_out) std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  return 0;
}

// `watch SOURCE --toggle`: stop the running watch if there is one, else start this one.
int runWatchToggle(const Cli& cli, const json& source) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  auto status = (*c)->request("status", json::object(), kQuick);
  if (!status) return fail(status.error());
  auto w = status->find("watch");
  const bool watching = w != status->end() && !w->is_null();
  auto reply =
      (*c)->request(watching ? "unwatch" : "watch", watching ? json::object() : source, kQuick);
  if (!reply) return fail(reply.error());
  if (cli.json_out)
    std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  else if (!watching && reply->contains("target"))
    std::cout << liseur::stringField(*reply, "target") << "\n";
  return std::cout.flush() ? 0 : 1;
}

// review, set, pointer: one request; `print` is the reply field shown on stdout ("" = none).
int runRequest(const Cli& cli, const std::string& cmd, const json& args, const std::string& print) {
  auto c = connect(cli);
  if (!c) return fail(c.error());
  auto reply = (*c)->request(cmd, args, kQuick);
  if (!reply) return fail(reply.error());
  if (cli.json_out) {
    std::cout << dump(withoutEnvelope(*reply)) << std::endl;
  } else if (!print.empty()) {
    auto it = reply->find(print);
    if (it != reply->end() && !it->is_null())
      std::cout << (it->is_string() ? it->get<std::string>() : dump(*it)) << "\n";
  }
  return std::cout.flush() ? 0 : 1;
}

// The daemon's diagnostics (Diagnostic::toJson) as the lines a person reads.
void printDiagnostics(const json& diags) {
  if (!diags.is_array()) return;
  for (const auto& j : diags) {
    if (!j.is_object()) continue;
    liseur::config::Diagnostic d;
    d.severity = liseur::stringField(j, "severity") == "warning"
                     ? liseur::config::Severity::kWarning
                     : liseur::config::Severity::kError;
    d.file = liseur::stringField(j, "file");
    d.line = j.value("line", 0);
    d.column = j.value("column", 0);
    d.key = liseur::stringField(j, "key");
    d.message = liseur::stringField(j, "message");
    d.expected = liseur::stringField(j, "expected");
    d.found = liseur::stringField(j, "found");
    d.suggestion = liseur::stringField(j, "suggestion");
    std::cerr << d.toString() << "\n";
  }
}

// Asks liseurd to read its configuration again. `spawn` false: without a running daemon there is
// nothing to reload, which is not an error. A configuration with errors is not applied: every
// diagnostic is printed.
int runReload(const Cli& cli, bool spawn) {
  auto c = connect(cli, spawn);
  if (!c) {
    if (!spawn && c.error().code == ErrorCode::kNotRunning) return 0;
    return fail(c.error());
  }
  auto reply = (*c)->request("reload", json::object(), kQuick);
  if (!reply) {
    const Error& e = reply.error();
    if (e.code != ErrorCode::kConfigInvalid) return fail(e);
    std::cerr << "liseur: " << e.name()
              << ": the configuration was not applied; the last good one stays in use\n"
              << e.message << "\n";
    return 1;
  }
  printDiagnostics(reply->value("diagnostics", json::array()));
  if (cli.json_out) std::cout << dump(withoutEnvelope(*reply)) << std::endl;
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

// ---- Local commands: no daemon.

int runConfigSchema(const Cli& cli) {
  if (cli.json_out)
    std::cout << dump(liseur::config::schemaJson(), 2) << "\n";
  else
    std::cout << liseur::config::schemaTable();
  return std::cout.flush() ? 0 : 1;
}

// The name of the active profile, or "" when the configuration cannot be built.
std::string activeProfile(const liseur::config::ConfigDirs& dirs) {
  auto built = liseur::config::buildConfig(dirs);
  return built.ok() ? built.config->profileName() : std::string();
}

int runProfileList(const Cli& cli, const liseur::config::ProfileManager& pm) {
  auto profiles = pm.list();
  std::string active = activeProfile(pm.dirs());
  if (cli.json_out) {
    json out = json::array();
    for (const auto& p : profiles)
      out.push_back({{"name", p.name},
                     {"description", p.description},
                     {"file", p.file},
                     {"source", liseur::config::profileSourceName(p.source)},
                     {"active", p.name == active},
                     {"shadows_other", p.shadowsOther},
                     {"has_locks", p.hasLocks},
                     {"valid", p.valid}});
    std::cout << dump(out, 2) << "\n";
    return std::cout.flush() ? 0 : 1;
  }
  std::size_t width = 4;
  for (const auto& p : profiles) width = std::max(width, p.name.size());
  for (const auto& p : profiles) {
    std::string line = (p.name == active ? "* " : "  ") + p.name;
    line += std::string(width - p.name.size() + 2, ' ');
    line += std::string(liseur::config::profileSourceName(p.source));
    if (p.shadowsOther) line += ", overrides";
    if (p.hasLocks) line += ", locked keys";
    if (!p.valid) line += ", HAS ERRORS";
    if (!p.description.empty()) line += "  " + p.description;
    std::cout << line << "\n";
  }
  return std::cout.flush() ? 0 : 1;
}

int runProfileShow(const Cli& cli, const liseur::config::ProfileManager& pm) {
  auto built = pm.show(cli.name);
  if (!built.ok()) {
    std::cerr << liseur::config::formatDiagnostics(built.diagnostics);
    return fail(Error{ErrorCode::kConfigInvalid, "profile " + cli.name + " has errors"});
  }
  for (const auto& d : built.diagnostics) std::cerr << d.toString() << "\n";  // warnings
  if (cli.json_out)
    std::cout << dump(built.config->toJson(), 2) << "\n";
  else
    std::cout << built.config->toText();
  return std::cout.flush() ? 0 : 1;
}

// `profile card NAME [-o FILE] [--lang fr|en]`: the printable one-page card, written atomically.
int runProfileCard(const Cli& cli, const liseur::config::ProfileManager& pm) {
  auto built = pm.show(cli.name);
  if (!built.ok()) {
    std::cerr << liseur::config::formatDiagnostics(built.diagnostics);
    return fail(Error{ErrorCode::kConfigInvalid, "profile " + cli.name + " has errors"});
  }
  std::string locale;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"})
    if (const char* v = std::getenv(var); v && *v) {
      locale = v;
      break;
    }
  liseur::app::CardOptions options;
  options.lang = liseur::app::cardLanguage(*built.config, cli.lang, locale);
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  options.date = {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
  const std::string html = liseur::app::profileCardHtml(*built.config, options);
  if (cli.file.empty() || cli.file == "-") {
    std::cout << html;
    return std::cout.flush() ? 0 : 1;
  }
  if (auto st = liseur::config::atomicWriteFile(absolute(cli.file), html); !st)
    return fail(st.error());
  return 0;
}

// [plugins.options.ID] tables checked against the manifests of the installed plugins, option by
// option so that every problem is reported: the configuration itself cannot know them.
std::vector<liseur::config::Diagnostic> pluginOptionDiagnostics(const std::string& file) {
  namespace cfg = liseur::config;
  std::vector<cfg::Diagnostic> out;
  const cfg::ParsedLayer layer = cfg::parseLayerFile(file, cfg::LayerKind::kProfile);
  constexpr std::string_view kPrefix = "plugins.options.";
  liseur::plugins::PluginScan scan;
  bool scanned = false;
  for (const auto& [key, setting] : layer.settings) {
    if (key.rfind(kPrefix, 0) != 0) continue;
    if (!scanned) {
      scan = liseur::plugins::listPlugins();
      scanned = true;
    }
    const std::string id = key.substr(kPrefix.size());
    cfg::Diagnostic d;
    d.file = file;
    d.line = setting.at.line;
    d.column = setting.at.column;
    d.key = key;
    const liseur::plugins::PluginInfo* info = liseur::plugins::findPlugin(scan, id);
    if (!info || !info->manifest) {
      d.severity = cfg::Severity::kWarning;
      d.message = "plugin '" + id + "' is not installed here; its options are not checked";
      out.push_back(d);
      continue;
    }
    const auto* given = std::get_if<json>(&setting.value);
    if (!given || !given->is_object()) continue;  // the parser reported it
    std::vector<std::string> names;
    for (const auto& o : info->manifest->options) names.push_back(o.name);
    for (const auto& [name, value] : given->items()) {
      auto r = liseur::plugins::resolveOptions(*info->manifest, json{{name, value}});
      if (r) continue;
      cfg::Diagnostic bad = d;
      bad.key = key + "." + name;
      bad.message = r.error().message;
      if (std::find(names.begin(), names.end(), name) == names.end())
        bad.suggestion = cfg::nearestMatch(name, names);
      out.push_back(std::move(bad));
    }
  }
  return out;
}

// `liseur --generate WHAT` (hidden): a manual page or a completion script made from `app` itself.
std::string generate(CLI::App& app, const std::string& what) {
  namespace m = liseur::app;
  if (what == "man") return m::manPage(app, "liseur", 1, m::liseurManText());
  if (what == "config-man") return m::configManPage(m::configManText());
  if (what == "bash") return m::bashCompletion(app, "liseur");
  if (what == "zsh") return m::zshCompletion(app, "liseur");
  if (what == "fish") return m::fishCompletion(app, "liseur");
  throw CLI::ValidationError("--generate",
                             "expected man, config-man, bash, zsh or fish (got '" + what + "')");
}

int runProfileCheck(const Cli& cli, const liseur::config::ProfileManager& pm) {
  auto diags = pm.check(absolute(cli.file));
  for (auto& d : pluginOptionDiagnostics(absolute(cli.file))) diags.push_back(std::move(d));
  std::cout << liseur::config::formatDiagnostics(diags);
  bool errors = liseur::config::hasErrors(diags);
  if (!errors && diags.empty()) std::cout << cli.file << ": ok\n";
  std::cout.flush();
  return errors ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"liseur: read images aloud, through the liseurd daemon (started when needed)"};
  app.set_version_flag("--version", LISEUR_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  Cli cli;
  app.add_flag("--no-spawn", cli.no_spawn, "Do not start liseurd when it is not running");
  // Hidden (group ""): the manual pages and completion scripts, made from this command table.
  app.add_option_function<std::string>(
         "--generate",
         [&app](const std::string& what) {
           std::cout << generate(app, what) << std::flush;
           throw CLI::Success();
         },
         "Print a manual page or a completion script")
      ->trigger_on_parse()
      ->group("");
  using liseur::app::Complete;
  using liseur::app::completes;
  std::vector<std::string> sourceWords(std::begin(kScreenSources), std::end(kScreenSources));
  sourceWords.push_back("region");

  const char* sourceHelp =
      "Image FILE, or screen, window, pointer, clipboard, or region X,Y,W,H "
      "(a file named like a source: ./screen)";
  auto* read = app.add_subcommand("read", "Read an image or the screen aloud");
  read->add_option("SOURCE", cli.source, sourceHelp)
      ->required()
      ->expected(1, 2)
      ->check(completes(Complete::kFiles, sourceWords));
  read->add_flag("--wait", cli.wait, "Return when the reading has finished");
  read->add_flag("--timings", cli.timings,
                 "Wait, then print one JSON line: first_audio_ms, ocr_ms, total_ms");
  read->add_option("--to-wav", cli.to_wav,
                   "Write the speech to this WAV file instead of playing it")
      ->check(completes(Complete::kFiles));
  read->add_option("--lang", cli.lang, "Language of the text")->check(CLI::IsMember({"fr", "en"}));
  read->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  auto* ocr = app.add_subcommand("ocr", "Print the text of an image, in reading order");
  ocr->add_option("SOURCE", cli.source, sourceHelp)
      ->required()
      ->expected(1, 2)
      ->check(completes(Complete::kFiles, sourceWords));
  ocr->add_flag("--json", cli.json_out, "Print the document (blocks, lines, words, boxes) as JSON");
  ocr->add_option("--lang", cli.lang, "Language of the text")->check(CLI::IsMember({"fr", "en"}));

  auto* say = app.add_subcommand("say", "Speak a text");
  say->add_option("TEXT", cli.words, "The text (several words are joined by spaces)")->required();
  say->add_option("--lang", cli.lang, "Language of the text")->check(CLI::IsMember({"fr", "en"}));
  say->add_option("--to-wav", cli.to_wav, "Write the speech to this WAV file")
      ->check(completes(Complete::kFiles));
  say->add_flag("--wait", cli.wait, "Return when the speech has finished");
  say->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  auto* review =
      app.add_subcommand("review", "Move through the last text read; print what is said");
  review->add_option("ACTION", cli.action, "next-line, previous-word, spell, where, ...")
      ->required()
      ->check(CLI::IsMember(reviewActionNames()));
  review->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  // VALUE may be "-10": the positionals are taken by hand from what CLI11 leaves over, so that a
  // negative number is never read as an option.
  auto* set = app.add_subcommand("set", "Change the speech rate, pitch or volume now");
  set->add_option("KEY", cli.key, "rate, pitch or volume")
      ->required()
      ->check(CLI::IsMember({"rate", "pitch", "volume"}));
  set->add_option("VALUE", cli.value, "A number (180), or a change (+10, -10)");
  set->allow_extras();
  set->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  auto* pointer =
      app.add_subcommand("pointer", "Move the mouse pointer to the review word, or click it");
  pointer->add_option("ACTION", cli.action, "move or click")
      ->required()
      ->check(CLI::IsMember({"move", "click"}));

  auto* watch = app.add_subcommand(
      "watch", "Watch the screen and speak only the lines that appear (one watch at a time)");
  watch->add_option("SOURCE", cli.source, "window (the active one), screen, or region X,Y,W,H")
      ->required()
      ->expected(1, 2)
      ->check(completes(Complete::kNothing, {"window", "screen", "region"}));
  watch->add_option("--every", cli.every, "How often to look: 1s (default), 500ms, 2.5s (>= 250ms)")
      ->type_name("DURATION");
  watch->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");
  watch->add_flag("--toggle", cli.toggle, "Stop watching instead when a watch is running");
  auto* unwatch = app.add_subcommand("unwatch", "Stop watching the screen");

  auto* reload = app.add_subcommand("reload", "Make liseurd read its configuration again");
  reload->add_flag("--json", cli.json_out, "Print the daemon's reply as JSON");

  auto* config = app.add_subcommand("config", "The configuration (no daemon needed)");
  config->require_subcommand(1);
  auto* schema = config->add_subcommand("schema", "Every configuration key: type, default, range");
  schema->add_flag("--json", cli.json_out, "As JSON");

  auto* profile = app.add_subcommand("profile", "Profiles (no daemon needed)");
  profile->require_subcommand(1);
  auto* pList = profile->add_subcommand("list", "The profiles; * marks the active one");
  pList->add_flag("--json", cli.json_out, "As JSON");
  auto* pShow =
      profile->add_subcommand("show", "Every setting of a profile, and where it comes from");
  pShow->add_option("NAME", cli.name, "Profile")->required()->check(completes(Complete::kProfiles));
  pShow->add_flag("--json", cli.json_out, "As JSON");
  auto* pNew = profile->add_subcommand("new", "Create a user profile from another one");
  pNew->add_option("NAME", cli.name, "New profile")->required();
  pNew->add_option("--from", cli.from, "The profile to copy")
      ->required()
      ->check(completes(Complete::kProfiles));
  auto* pUse = profile->add_subcommand("use", "Make a profile the active one");
  pUse->add_option("NAME", cli.name, "Profile")->required()->check(completes(Complete::kProfiles));
  auto* pSet = profile->add_subcommand("set", "Set one key of a profile");
  pSet->add_option("NAME", cli.name, "Profile")->required()->check(completes(Complete::kProfiles));
  pSet->add_option("KEY", cli.key, "Key, such as speech.rate")
      ->required()
      ->check(completes(Complete::kKeys));
  pSet->add_option("VALUE", cli.value, "Value")->check(completes(Complete::kValues));
  pSet->allow_extras();
  auto* pCheck = profile->add_subcommand("check", "Check a configuration or profile file");
  pCheck->add_option("FILE", cli.file, "TOML file")->required()->check(completes(Complete::kFiles));
  auto* pExport =
      profile->add_subcommand("export", "Write a profile to a file (stdout without -o)");
  pExport->add_option("NAME", cli.name, "Profile")
      ->required()
      ->check(completes(Complete::kProfiles));
  pExport->add_option("-o,--output", cli.file, "Output file")->check(completes(Complete::kFiles));
  auto* pCard = profile->add_subcommand(
      "card", "Write a printable one-page HTML card of a profile (stdout without -o)");
  pCard->add_option("NAME", cli.name, "Profile")->required()->check(completes(Complete::kProfiles));
  pCard->add_option("-o,--output", cli.file, "Output file (card.html)")
      ->check(completes(Complete::kFiles));
  pCard->add_option("--lang", cli.lang, "Language of the card (default: the profile's, else $LANG)")
      ->check(CLI::IsMember({"fr", "en"}));
  auto* pImport = profile->add_subcommand("import", "Install a profile file as a user profile");
  pImport->add_option("FILE", cli.file, "TOML file")
      ->required()
      ->check(completes(Complete::kFiles));
  pImport->add_option("--name", cli.name, "Profile name (default: the file's name)")
      ->type_name("NAME");
  pImport->add_flag("--replace", cli.replace, "Replace a user profile of that name");

  auto* pluginsCmd = app.add_subcommand("plugins", "The installed plugins (no daemon needed)");
  pluginsCmd->add_flag("--json", cli.json_out, "As JSON");

  auto* syllables = app.add_subcommand(
      "syllables", "Split French words into written syllables: WORD<TAB>syl-la-bles per line");
  syllables->add_option("WORD", cli.words, "Words (default: one per line on stdin)");
#ifdef LISEUR_HAVE_ADAPT
  liseur::app::AdaptCommand adaptCmd(app);
#endif

  std::vector<std::pair<std::string, CLI::App*>> simple;
  for (auto [name, help] : std::vector<std::pair<const char*, const char*>>{
           {"stop", "Stop reading now (does not start liseurd)"},
           {"pause", "Pause reading"},
           {"resume", "Resume a paused reading"},
           {"status", "Show what liseurd is doing, and its sound device"}}) {
    auto* sub = app.add_subcommand(name, help);
    sub->add_flag("--json", cli.json_out, "Print the reply as JSON");
    simple.emplace_back(name, sub);
    if (std::string_view(name) == "pause")
      sub->add_flag("--toggle", cli.toggle, "Resume instead when paused");
  }
  liseur::app::HotkeysCommand hotkeysCmd(app);
  liseur::app::DoctorCommand doctorCmd(app);
  liseur::app::AutostartCommand autostartCmd(app);
  auto* events = app.add_subcommand("events", "Print liseurd's events, one JSON line each");
  auto* shutdown = app.add_subcommand("shutdown", "Stop liseurd (does not start it)");
  // Hidden: the words the shells' completion asks for (manual.h), one a line; nothing for an
  // unknown KIND.
  auto* complete = app.add_subcommand("__complete", "Words for the shells' completion");
  complete->group("");
  complete->add_option("KIND", cli.action, "profiles, voices, keys or values KEY")->required();
  complete->add_option("ARG", cli.key, "The key whose values to list");

  json source;
  try {
    app.parse(argc, argv);
    if (read->parsed() || ocr->parsed()) source = sourceArgs(cli.source);
    if (watch->parsed()) {
      source = sourceArgs(cli.source);
      std::string s = liseur::stringField(source, "source");
      if (s != "window" && s != "screen" && s != "region")
        throw CLI::ValidationError("SOURCE", "watch: expected window, screen or region X,Y,W,H");
      if (!cli.every.empty()) source["every"] = cli.every;
    }
    // set KEY VALUE / profile set NAME KEY VALUE: VALUE is the one word left over, when CLI11
    // took "-10" for an unknown option.
    for (CLI::App* sub : {set, pSet}) {
      if (!sub->parsed()) continue;
      std::vector<std::string> rest = sub->remaining();
      std::erase(rest, "--");  // kept among the extras by allow_extras
      // An empty VALUE ("") is a value: it turns a hotkey off.
      bool given = sub->get_option("VALUE")->count() > 0;
      if (!given && rest.size() == 1) {
        cli.value = rest[0];
        rest.clear();
        given = true;
      }
      if (!rest.empty()) throw CLI::ExtrasError(rest);
      if (!given) throw CLI::RequiredError("VALUE");
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version are not errors
  }

  if (read->parsed()) return runSpeak(cli, "read", source);
  if (ocr->parsed()) return runOcr(cli, source);
  if (say->parsed()) {
    std::string text;
    for (const auto& w : cli.words) text += (text.empty() ? "" : " ") + w;
    return runSpeak(cli, "say", {{"text", text}});
  }
  if (review->parsed()) return runRequest(cli, "review", {{"action", cli.action}}, "text");
  if (set->parsed())
    return runRequest(cli, "set", {{"key", cli.key}, {"value", cli.value}}, cli.key);
  if (pointer->parsed()) return runRequest(cli, "pointer", {{"action", cli.action}}, "");
  if (watch->parsed()) {
    return cli.toggle ? runWatchToggle(cli, source) : runRequest(cli, "watch", source, "target");
  }
  if (unwatch->parsed()) return runRequest(cli, "unwatch", json::object(), "");
  if (reload->parsed()) return runReload(cli, true);
  if (schema->parsed()) return runConfigSchema(cli);
  if (profile->parsed()) {
    liseur::config::ProfileManager pm(liseur::config::ConfigDirs::standard());
    if (pList->parsed()) return runProfileList(cli, pm);
    if (pShow->parsed()) return runProfileShow(cli, pm);
    if (pCheck->parsed()) return runProfileCheck(cli, pm);
    if (pCard->parsed()) return runProfileCard(cli, pm);
    if (pNew->parsed()) {
      if (auto st = pm.create(cli.name, cli.from); !st) return fail(st.error());
      return 0;
    }
    if (pUse->parsed()) {
      if (auto st = pm.use(cli.name); !st) return fail(st.error());
      return runReload(cli, false);
    }
    if (pSet->parsed()) {
      std::string active = activeProfile(pm.dirs());
      if (auto st = pm.set(cli.name, cli.key, cli.value); !st) return fail(st.error());
      return active.empty() || active == cli.name ? runReload(cli, false) : 0;
    }
    if (pExport->parsed()) {
      if (!cli.file.empty()) {
        auto st = pm.exportTo(cli.name, absolute(cli.file));
        return st ? 0 : fail(st.error());
      }
      auto text = pm.exportText(cli.name);
      if (!text) return fail(text.error());
      std::cout << *text;
      return std::cout.flush() ? 0 : 1;
    }
    if (pImport->parsed()) {
      liseur::config::ImportOptions o;
      o.name = cli.name;
      o.replace = cli.replace;
      auto name = pm.importFile(absolute(cli.file), o);
      if (!name) return fail(name.error());
      std::cout << "imported profile " << *name << "\n";
      return 0;
    }
    return 2;
  }
  if (pluginsCmd->parsed()) {
    json scan = liseur::plugins::toJson(liseur::plugins::listPlugins());
    std::cout << (cli.json_out ? dump(scan, 2) + "\n" : liseur::plugins::formatPluginList(scan));
    return std::cout.flush() ? 0 : 1;
  }
#ifdef LISEUR_HAVE_ADAPT
  if (adaptCmd.parsed()) return adaptCmd.run();
#endif
  if (syllables->parsed()) {
    auto emit = [](const std::string& line) {
      std::string out = liseur::dys::syllablesLine(line);
      if (!out.empty()) std::cout << out << "\n";
    };
    if (!cli.words.empty()) {
      for (const auto& w : cli.words) emit(w);
    } else {
      for (std::string line; std::getline(std::cin, line);) emit(line);
    }
    return std::cout.flush() ? 0 : 1;
  }
  if (hotkeysCmd.parsed()) return hotkeysCmd.run();
  if (doctorCmd.parsed()) return doctorCmd.run();
  if (autostartCmd.parsed()) return autostartCmd.run();
  for (auto& [name, sub] : simple) {
    if (sub->parsed() && name == "pause" && cli.toggle) return runPauseToggle(cli);
    if (sub->parsed()) return runSimple(cli, name);
  }
  if (events->parsed()) return runEvents(cli);
  if (shutdown->parsed()) return runSimple(cli, "shutdown");
  if (complete->parsed()) {
    for (const auto& w : liseur::app::completionWords(cli.action, cli.key)) std::cout << w << "\n";
    return 0;
  }
  return 2;
}
