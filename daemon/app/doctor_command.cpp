#include "app/doctor_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/config.h"
#include "config/diagnostic.h"
#include "core/error.h"
#include "core/paths.h"
#include "ipc/ipc_client.h"
#include "ipc/ipc_protocol.h"
#include "plugins/plugin_catalog.h"
#include "speech/text/voice_preset.h"

namespace liseur::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDebianTessdata = "/usr/share/tesseract-ocr/5/tessdata";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::exists(path, ec);
}

bool isSocket(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

Check ok(std::string name, std::string summary) {
  return {std::move(name), CheckStatus::kOk, std::move(summary), ""};
}
Check warning(std::string name, std::string summary, std::string fix) {
  return {std::move(name), CheckStatus::kWarning, std::move(summary), std::move(fix)};
}
Check problem(std::string name, std::string summary, std::string fix) {
  return {std::move(name), CheckStatus::kProblem, std::move(summary), std::move(fix)};
}

const json* daemonPart(const DoctorInputs& in, const char* key) {
  if (!in.daemonStatus || !in.daemonStatus->is_object()) return nullptr;
  auto it = in.daemonStatus->find(key);
  return it == in.daemonStatus->end() || !it->is_object() ? nullptr : &*it;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// ---- daemon

Check checkDaemon(const DoctorInputs& in) {
  if (in.daemonStatus) {
    const json& s = *in.daemonStatus;
    std::string version = stringField(s, "version");
    std::string summary =
        "liseurd " + version + " is running (pid " + std::to_string(intField(s, "pid", 0)) + ")";
    if (!in.cliVersion.empty() && !version.empty() && version != in.cliVersion)
      return warning("daemon", summary + ", but this liseur is " + in.cliVersion,
                     "run `liseur shutdown`; the next liseur command starts the new liseurd");
    return ok("daemon", summary);
  }
  if (in.daemonProgram.empty())
    return problem("daemon",
                   "liseurd is not running and cannot be found (not beside liseur, "
                   "not in PATH)",
                   "reinstall liseur (Debian package liseur)");
  if (!in.daemonError.empty() && in.daemonError.find("is not running") == std::string::npos)
    return problem("daemon", "liseurd does not answer: " + in.daemonError,
                   "run `liseur shutdown`, then any liseur command starts it again");
  return warning("daemon",
                 "liseurd is not running (the checks below were made without it; doctor does "
                 "not start it)",
                 "any liseur command starts it (`liseur status`); to start it at login, run "
                 "`liseur autostart enable`");
}

// ---- autostart

Check checkAutostart(const DoctorInputs& in) {
  const AutostartState& a = in.autostart;
  const bool sway = !in.display.swaysock.empty();
  std::string how = describeAutostart(a, sway);
  while (!how.empty() && how.back() == '\n') how.pop_back();
  std::replace(how.begin(), how.end(), '\n', ';');
  if (a.systemdEnabled()) {
    // Only desktops that start graphical-session.target (GNOME, KDE Plasma) start the service.
    if (!a.graphicalSession && in.display.any() && !a.xdgEnabled())
      return warning("autostart",
                     "liseurd.service is enabled, but this session has not started "
                     "graphical-session.target, so it does not start at login here",
                     "run `liseur autostart enable --method xdg`");
    return ok("autostart", "liseurd starts with the graphical session (systemd)");
  }
  if (a.xdgEnabled()) {
    if (sway)
      return warning("autostart",
                     "an XDG autostart entry is written, but sway does not run such entries",
                     "add `exec liseur autostart start` to sway's config");
    return ok("autostart", "liseurd starts at login (" + a.entryPath + ")");
  }
  // On X11 liseurd grabs the hotkeys itself: they work only while it runs.
  const bool needed = in.display.x11() && !in.display.wayland();
  std::string summary = "liseurd does not start at login";
  if (a.socketActivation()) summary += " (systemd starts it at the first liseur command)";
  if (!needed) return ok("autostart", summary + "; the first liseur command starts it");
  return warning("autostart", summary + ": the hotkeys work only after a first liseur command",
                 "run `liseur autostart enable`");
}

// ---- config

Check checkConfig(const DoctorInputs& in, const config::BuildResult& built) {
  std::vector<config::Diagnostic> errors, warnings;
  for (const auto& d : built.diagnostics)
    (d.severity == config::Severity::kError ? errors : warnings).push_back(d);
  if (!built.ok()) {
    std::string first = errors.empty() ? "unknown error" : errors.front().toString();
    std::string file = errors.empty() ? "" : errors.front().file;
    return problem("config",
                   "the configuration has " + std::to_string(errors.size()) +
                       (errors.size() == 1 ? " error: " : " errors; the first: ") + first,
                   "correct it" + (file.empty() ? std::string() : " in " + file) +
                       " (`liseur profile check FILE` lists every error); liseurd keeps the last "
                       "good configuration meanwhile");
  }
  std::string profile = built.config->profileName();
  if (const json* s = in.daemonStatus ? &*in.daemonStatus : nullptr) {
    std::string running = stringField(*s, "profile");
    if (!running.empty() && running != profile)
      return warning("config",
                     "liseurd uses profile " + running + " but the files now say " + profile,
                     "run `liseur reload`");
  }
  if (!warnings.empty())
    return warning("config", "profile " + profile + "; " + warnings.front().toString(),
                   "correct it (`liseur profile check FILE`)");
  return ok("config", "profile " + profile + ", no error");
}

// ---- display

bool wlrootsDesktop(const DisplayEnv& d) {
  if (!d.swaysock.empty() || !d.hyprland.empty()) return true;
  std::string desk = lower(d.current_desktop);
  for (const char* w : {"sway", "hyprland", "labwc", "river", "wayfire", "wlroots"})
    if (desk.find(w) != std::string::npos) return true;
  return false;
}

// A file of xdg-desktop-portal's folder naming the Screenshot interface.
bool screenshotPortalInstalled(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".portal") continue;
    std::ifstream f(e.path());
    std::stringstream text;
    text << f.rdbuf();
    if (text.str().find("org.freedesktop.impl.portal.Screenshot") != std::string::npos) return true;
  }
  return false;
}

Check displayFromEnvironment(const DoctorInputs& in, const std::string& note) {
  const DisplayEnv& d = in.display;
  if (d.wayland()) {
    std::string where = "Wayland (" + d.desktopName() + ", " + d.wayland_display + ")";
    if (!isSocket(d.waylandSocket()))
      return problem("display", where + ": no Wayland socket at " + d.waylandSocket() + note,
                     "run liseur doctor in a terminal of the desktop session");
    if (wlrootsDesktop(d))
      return ok("display", where + ": capture through wlroots screencopy" + note);
    if (!screenshotPortalInstalled("/usr/share/xdg-desktop-portal/portals"))
      return problem("display",
                     where + ": capture needs the Screenshot portal, and none is installed" + note,
                     "install xdg-desktop-portal-gnome (GNOME) or xdg-desktop-portal-kde (KDE "
                     "Plasma)");
    return ok("display", where + ": capture through the Screenshot portal" + note);
  }
  if (d.x11()) {
    // ":0" and ":0.0" are /tmp/.X11-unix/X0; a host name before the colon is a remote display.
    std::string where = "X11 (" + d.display + ")";
    if (d.display.front() == ':') {
      std::string n = d.display.substr(1, d.display.find('.') - 1);
      if (!isSocket("/tmp/.X11-unix/X" + n))
        return warning("display", where + ": no X server socket /tmp/.X11-unix/X" + n + note,
                       "run liseur doctor in a terminal of the desktop session");
    }
    return ok("display", where + ": capture through X11" + note);
  }
  return warning(
      "display",
      "no graphical session in this terminal (DISPLAY and WAYLAND_DISPLAY are unset)" + note,
      "run liseur doctor in a terminal of the desktop to check screen reading; image "
      "files can be read anyway (liseur read FILE)");
}

Check checkDisplay(const DoctorInputs& in) {
  if (!in.daemonStatus) return displayFromEnvironment(in, "");
  const json* d = daemonPart(in, "display");
  if (!d)
    return warning("display", "this liseurd was built without screen capture",
                   "install the Debian package of liseur, which reads the screen");
  const auto backend = d->find("backend");
  std::string client =
      stringField(*d, "session") == "client" ? ", in the session a liseur command sent" : "";
  if (backend != d->end() && backend->is_string())
    return ok("display", "liseurd captures through " + backend->get<std::string>() + " (" +
                             stringField(*d, "target") + ")" + client);
  std::string error = stringField(*d, "error");
  if (!error.empty())
    return problem("display", "liseurd's last screen capture failed: " + error,
                   in.display.any() ? "read the message above; `liseur read screen` tries again"
                                    : "run liseur from a terminal of the desktop, so liseurd "
                                      "gets its display");
  // Nothing captured yet: say what the session is, from here.
  return displayFromEnvironment(in, " (liseurd has not captured yet)");
}

// ---- audio

Check checkAudio(const DoctorInputs& in) {
  const std::string fix =
      "connect or unmute a sound device, or start PulseAudio or PipeWire; meanwhile add "
      "--to-wav FILE to liseur read or say: no sound device";
  if (const json* a = daemonPart(in, "audio")) {
    if (boolField(*a, "available", false))
      return ok("audio", "sound device: " + stringField(*a, "sink"));
    std::string why = stringField(*a, "problem");
    return problem("audio", "liseurd has no sound device" + (why.empty() ? "" : ": " + why), fix);
  }
  if (!in.runtimeDir.empty()) {
    for (const char* s : {"/pulse/native", "/pipewire-0"})
      if (isSocket(in.runtimeDir + s))
        return ok("audio", std::string("sound server ") +
                               (s[1] == 'p' && s[2] == 'u' ? "PulseAudio" : "PipeWire") + " at " +
                               in.runtimeDir + s);
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(in.devSnd, ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with("pcmC") && n.ends_with("p"))
      return ok("audio", "sound card " + e.path().string() + " (no sound server)");
  }
  return problem("audio", "no sound server and no sound card found", fix);
}

// ---- speech output (speech-dispatcher, Orca)

Check checkSpeechOutput(const DoctorInputs& in, const config::Config& cfg) {
  std::string mode = cfg.getString("speech.output");
  const json* speech = daemonPart(in, "speech");
  json sd = json::object();
  if (speech && speech->contains("output") && (*speech)["output"].is_object()) {
    const json& out = (*speech)["output"];
    mode = stringField(out, "mode", mode);
    if (out.contains("speech_dispatcher") && out["speech_dispatcher"].is_object())
      sd = out["speech_dispatcher"];
  }
  const bool installed =
      exists("/usr/bin/speech-dispatcher") ||
      (!in.runtimeDir.empty() && isSocket(in.runtimeDir + "/speech-dispatcher/speechd.sock"));
  std::string sdProblem = stringField(sd, "problem");
  if (mode == "liseur") return ok("speech-output", "liseur's own voice (speech.output = liseur)");
  if (mode == "speech-dispatcher") {
    if (!sdProblem.empty())
      return problem("speech-output", "speech-dispatcher: " + sdProblem,
                     "install and start speech-dispatcher, or set speech.output = auto");
    if (boolField(sd, "connected", false))
      return ok("speech-output", "the user's speech-dispatcher speaks (connected)");
    if (!in.daemonStatus && !installed)
      return problem("speech-output", "speech.output = speech-dispatcher, which is not installed",
                     "install speech-dispatcher, or set speech.output = auto");
    return ok("speech-output", "the user's speech-dispatcher speaks (speech.output)");
  }
  // auto
  if (!sdProblem.empty())
    return warning("speech-output",
                   "liseur's own voice; while Orca runs it would use speech-dispatcher, which "
                   "fails: " +
                       sdProblem,
                   "check speech-dispatcher (spd-say test), or set speech.output = liseur");
  return ok("speech-output", "liseur's own voice; the user's speech-dispatcher while Orca runs");
}

// ---- voices

std::string readText(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

// The values of "KEY value" lines of an espeak-ng voice file.
std::vector<std::string> voiceFileValues(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    std::stringstream ls(line);
    std::string k, v;
    if (ls >> k >> v && k == key) out.push_back(lower(v));
  }
  return out;
}

Check checkVoices(const DoctorInputs& in, const config::Config& cfg) {
  auto presets = speech::loadVoicePresets(in.voicePresetsDir);
  std::vector<std::string> found, missing;
  for (const char* lang : {"fr", "en"}) {
    std::string key = std::string("speech.voice_") + lang;
    std::string name = cfg.getString(key);
    std::string voice = name;
    std::string label = std::string(lang) + ": " + name;
    if (presets) {
      if (auto it = presets->find(name); it != presets->end()) {
        voice = it->second.espeakVoice();
        label += " (espeak-ng " + voice + ")";
      }
    }
    std::string why = missingEspeakVoice(in.espeakData, voice);
    (why.empty() ? found : missing).push_back(why.empty() ? label : label + ": " + why);
  }
  if (!missing.empty())
    return problem("voices", "missing " + joined(missing, "; "),
                   exists(in.espeakData)
                       ? "install espeak-ng-data, or set speech.voice_fr / voice_en to an "
                         "installed voice (`espeak-ng --voices=fr`)"
                       : "install espeak-ng-data");
  std::string summary = joined(found, "; ");
  if (const json* w = daemonPart(in, "workers"); w && w->contains("speech")) {
    std::string state = stringField((*w)["speech"], "state");
    if (!state.empty() && state != "ready")
      return warning("voices", summary + "; but liseurd's speech worker is " + state,
                     "wait a few seconds and run liseur doctor again; if it stays so, see "
                     "liseurd.log in $XDG_RUNTIME_DIR/liseur");
  }
  return ok("voices", summary);
}

// ---- OCR languages

std::string debianTesseractPackage(const std::string& model) {
  std::string pkg = lower("tesseract-ocr-" + model);
  std::replace(pkg.begin(), pkg.end(), '_', '-');
  return pkg;
}

Check checkOcr(const DoctorInputs& in, const config::Config& cfg) {
  std::vector<std::string> models = split(cfg.getString("ocr.languages"), '+');
  std::vector<std::string> have, missingPkgs, missingFiles;
  for (const auto& m : models) {
    std::error_code ec;
    fs::path file = fs::path(in.tessdata) / (m + ".traineddata");
    if (fs::is_regular_file(file, ec)) {
      have.push_back(m);
    } else {
      missingFiles.push_back(file.string());
      missingPkgs.push_back(debianTesseractPackage(m));
    }
  }
  if (!missingFiles.empty())
    return problem("ocr",
                   "OCR model" + std::string(missingFiles.size() > 1 ? "s" : "") +
                       " missing: " + joined(missingFiles),
                   "install " + joined(missingPkgs, " "));
  std::string summary = "Tesseract models " + joined(have, "+") + " in " + in.tessdata;
  if (const json* w = daemonPart(in, "workers"); w && w->contains("ocr")) {
    const json& o = (*w)["ocr"];
    if (o.contains("problem") && o["problem"].is_object())
      return problem("ocr", "liseurd's OCR worker: " + stringField(o["problem"], "message"),
                     "see the message; then `liseur reload`");
    std::string state = stringField(o, "state");
    if (!state.empty() && state != "ready")
      return warning("ocr", summary + "; but liseurd's OCR worker is " + state,
                     "wait a few seconds and run liseur doctor again; if it stays so, see "
                     "liseurd.log in $XDG_RUNTIME_DIR/liseur");
  }
  return ok("ocr", summary);
}

// ---- hotkeys

Check desktopShortcuts(const DoctorInputs& in, std::string prefix) {
  auto desktop = detectDesktop(in.display.current_desktop, in.display.swaysock);
  if (!desktop)
    return problem(
        "hotkeys",
        prefix + "liseur cannot write this desktop's shortcuts (" + in.display.desktopName() + ")",
        "bind the commands that `liseur hotkeys install` prints in the desktop's "
        "keyboard settings");
  const Desktop d = *desktop;
  auto found = d == Desktop::kGnome  ? listGnome(in.run)
               : d == Desktop::kSway ? listSway(in.sway)
                                     : listXfce(in.run);
  const std::string name(desktopName(d));
  if (!found)
    return warning("hotkeys",
                   prefix + "cannot read " + name + "'s shortcuts: " + found.error().message,
                   "run `liseur hotkeys list` to see why");
  if (found->empty())
    return problem("hotkeys",
                   prefix + "no liseur shortcut in " + name +
                       "'s settings (on Wayland liseurd cannot grab keys itself)",
                   "run `liseur hotkeys install`");
  return ok("hotkeys", prefix + std::to_string(found->size()) + " liseur shortcut" +
                           (found->size() > 1 ? "s" : "") + " installed in " + name +
                           "'s settings");
}

Check checkHotkeys(const DoctorInputs& in, const config::Config& cfg) {
  std::size_t configured = 0;
  for (const auto& h : configuredHotkeys(cfg))
    if (!h.chord.empty()) ++configured;
  if (configured == 0) return ok("hotkeys", "no hotkey is configured (every hotkeys.* is \"\")");
  if (in.daemonStatus) {
    std::vector<std::string> taken, notes;
    if (auto p = in.daemonStatus->find("hotkey_problems");
        p != in.daemonStatus->end() && p->is_array())
      for (const json& e : *p) {
        if (stringField(e, "code") == "hotkey-taken")
          taken.push_back(stringField(e, "message"));
        else if (stringField(e, "code") != "capture-unsupported")
          notes.push_back(stringField(e, "message"));
      }
    const json* d = daemonPart(in, "display");
    std::string how = d ? stringField(*d, "hotkeys") : "";
    if (!how.empty()) {
      std::string summary = "grabbed by liseurd (" +
                            std::string(how == "portal" ? "the GlobalShortcuts portal" : "X11") +
                            ")";
      if (!taken.empty())
        return warning("hotkeys", summary + ", but " + joined(taken, "; "),
                       "choose other keys: liseur profile set PROFILE hotkeys.ACTION KEYS, "
                       "then liseur reload");
      return ok("hotkeys", summary);
    }
    if (in.display.wayland())
      return desktopShortcuts(in, notes.empty() ? "" : joined(notes, "; ") + "; ");
    if (!notes.empty())
      return problem("hotkeys", "liseurd grabs no hotkey: " + joined(notes, "; "),
                     "run liseur from the desktop session so liseurd gets a display");
    return problem("hotkeys", "liseurd grabs no hotkey",
                   "liseurd was started with --no-hotkeys? restart it: liseur shutdown, then "
                   "liseur status");
  }
  if (in.display.wayland()) return desktopShortcuts(in, "");
  if (in.display.x11())
    return warning("hotkeys", "on X11 liseurd grabs the hotkeys, and it is not running",
                   "any liseur command starts it; `liseur autostart enable` starts it at login");
  return warning("hotkeys", "no graphical session in this terminal: cannot tell",
                 "run liseur doctor in a terminal of the desktop");
}

// ---- plugins

Check checkPlugins(const DoctorInputs& in, const config::Config& cfg) {
  const auto scan = plugins::listPlugins(in.pluginDirs);
  std::vector<std::string> bad, good;
  for (const auto& id : cfg.getStringList("plugins.chain")) {
    const plugins::PluginInfo* p = plugins::findPlugin(scan, id);
    if (!p)
      bad.push_back(id + " is not installed");
    else if (p->state != plugins::PluginState::kAvailable)
      bad.push_back(
          id + ": " +
          (p->error ? p->error->message : std::string(plugins::pluginStateName(p->state))));
    else
      good.push_back(id);
  }
  if (!bad.empty())
    return problem("plugins", "the chain's plugins cannot all be loaded: " + joined(bad, "; "),
                   "reinstall liseur (package liseur), or take them out of plugins.chain "
                   "(`liseur plugins` lists what is installed)");
  std::size_t available = 0;
  for (const auto& p : scan.plugins)
    if (p.state == plugins::PluginState::kAvailable) ++available;
  std::string summary = (good.empty() ? std::string("no plugin in the chain")
                                      : "chain " + joined(good, ", ") + " loadable") +
                        "; " + std::to_string(available) + " installed";
  if (!scan.problems.empty())
    return warning("plugins", summary + "; refused: " + scan.problems.front().message,
                   "fix the folder's owner or permissions (`liseur plugins` lists them)");
  return ok("plugins", summary);
}

}  // namespace

std::string_view checkStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kWarning:
      return "warning";
    case CheckStatus::kProblem:
      return "problem";
  }
  return "problem";
}

std::string missingEspeakVoice(const std::string& espeakData, const std::string& voice) {
  std::error_code ec;
  if (!fs::is_directory(espeakData, ec))
    return "espeak-ng's data folder " + espeakData + " is missing";
  const std::size_t plus = voice.find('+');
  const std::string base = lower(voice.substr(0, plus));
  const std::string variant = plus == std::string::npos ? "" : voice.substr(plus + 1);
  if (base.empty() || base.find("..") != std::string::npos) return "not a voice name";
  const fs::path langDir = fs::path(espeakData) / "lang";
  fs::path byName, byLanguage;
  for (auto it = fs::recursive_directory_iterator(langDir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = lower(fs::relative(it->path(), langDir, ec).string());
    if (lower(it->path().filename().string()) == base || rel == base) {
      byName = it->path();
      break;
    }
    if (byLanguage.empty()) {
      auto langs = voiceFileValues(readText(it->path()), "language");
      if (std::find(langs.begin(), langs.end(), base) != langs.end()) byLanguage = it->path();
    }
  }
  const fs::path file = byName.empty() ? byLanguage : byName;
  if (file.empty()) return "no espeak-ng voice \"" + base + "\" in " + langDir.string();
  // Its dictionary: "dictionary NAME", else the language before any region ("en-gb" -> en).
  const std::string text = readText(file);
  std::string dict;
  if (auto d = voiceFileValues(text, "dictionary"); !d.empty()) dict = d.front();
  if (dict.empty()) {
    auto langs = voiceFileValues(text, "language");
    dict = langs.empty() ? base : langs.front();
    dict = dict.substr(0, dict.find('-'));
  }
  const fs::path dictFile = fs::path(espeakData) / (dict + "_dict");
  if (!fs::is_regular_file(dictFile, ec))
    return "its dictionary " + dictFile.string() + " is missing";
  if (!variant.empty() &&
      !fs::is_regular_file(fs::path(espeakData) / "voices" / "!v" / variant, ec))
    return "no espeak-ng variant \"" + variant + "\"";
  return "";
}

std::vector<Check> runDoctor(const DoctorInputs& in) {
  config::BuildResult built = config::buildConfig(in.configDirs);
  // The other checks use the defaults when the files have errors (the config check says so).
  const config::Config defaults;
  const config::Config& cfg = built.ok() ? *built.config : defaults;
  return {checkDaemon(in),      checkAutostart(in), checkConfig(in, built),
          checkDisplay(in),     checkAudio(in),     checkSpeechOutput(in, cfg),
          checkVoices(in, cfg), checkOcr(in, cfg),  checkHotkeys(in, cfg),
          checkPlugins(in, cfg)};
}

std::string formatChecks(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    std::string status(checkStatusName(c.status));
    status.resize(9, ' ');
    out += status + c.name + ": " + c.summary;
    if (!c.fix.empty()) out += ". Fix: " + c.fix;
    out += "\n";
  }
  return out;
}

json checksJson(const std::vector<Check>& checks) {
  json list = json::array();
  int problems = 0, warnings = 0;
  for (const auto& c : checks) {
    list.push_back({{"name", c.name},
                    {"status", checkStatusName(c.status)},
                    {"summary", c.summary},
                    {"fix", c.fix}});
    problems += c.status == CheckStatus::kProblem;
    warnings += c.status == CheckStatus::kWarning;
  }
  return {{"checks", list}, {"problems", problems}, {"warnings", warnings}};
}

int doctorExitStatus(const std::vector<Check>& checks) {
  return std::any_of(checks.begin(), checks.end(),
                     [](const Check& c) { return c.status == CheckStatus::kProblem; })
             ? 1
             : 0;
}

DoctorInputs realDoctorInputs() {
  DoctorInputs in;
  in.cliVersion = LISEUR_VERSION;
  in.display = DisplayEnv::fromProcess();
  in.runtimeDir = env("XDG_RUNTIME_DIR");
  in.tessdata = env("TESSDATA_PREFIX").empty() ? kDebianTessdata : env("TESSDATA_PREFIX");
  in.espeakData =
      env("ESPEAK_DATA_PATH").empty() ? std::string() : env("ESPEAK_DATA_PATH") + "/espeak-ng-data";
#ifdef LISEUR_ESPEAK_DATA_DIR
  std::error_code ec;
  if (in.espeakData.empty() || !fs::is_directory(in.espeakData, ec))
    in.espeakData = LISEUR_ESPEAK_DATA_DIR;
#endif
  in.voicePresetsDir = speech::shippedVoicesDir();
  in.configDirs = config::ConfigDirs::standard();
  in.run = runProgram;
  in.autostart = autostartState(in.run, autostartEntryPath(env("HOME"), env("XDG_CONFIG_HOME")));
  in.sway = locateSway(env("HOME"), env("XDG_CONFIG_HOME"));
  in.daemonProgram = findDaemonProgram();
  IpcClientOptions o;
  o.client_name = "liseur-doctor";
  o.autospawn = false;
  auto c = IpcClient::connect(o);
  if (!c) {
    in.daemonError = c.error().message;
    return in;
  }
  auto s = (*c)->request("status", json::object(), std::chrono::seconds(10));
  if (s) {
    s->erase("id");
    s->erase("ok");
    in.daemonStatus = *s;
  } else {
    in.daemonError = s.error().message;
  }
  return in;
}

DoctorCommand::DoctorCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "doctor",
      "Check what works here (daemon, display, sound, voices, OCR languages, hotkeys, plugins) "
      "and what to do about the rest; exit status 1 on a problem; never starts liseurd");
  sub_->add_flag("--json", json_, "As JSON: checks with name, status, summary, fix");
}

int DoctorCommand::run() {
  const std::vector<Check> checks = runDoctor(realDoctorInputs());
  if (json_)
    std::cout << checksJson(checks).dump(2) << "\n";
  else
    std::cout << formatChecks(checks);
  if (!std::cout.flush()) return 1;
  return doctorExitStatus(checks);
}

}  // namespace liseur::app
