#include "app/autostart_command.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/atomic_file.h"
#include "core/error.h"
#include "ipc/ipc_client.h"

namespace liseur::app {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The first line of what systemctl printed, for a state word ("enabled", "active").
std::string firstLine(const std::string& out) {
  return trimmed(out.substr(0, out.find('\n')));
}

std::string selfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("liseur") : p.string();
}

int fail(const Error& e) {
  std::cerr << "liseur: " << e.name() << ": " << e.message << "\n";
  return 1;
}

// Runs systemctl --user ARGS..., failing with its own message when it does not succeed.
Status systemctl(const std::vector<std::string>& args, bool dryRun, const ProgramRunner& run,
                 const Say& say) {
  std::vector<std::string> argv = {"systemctl", "--user"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + shellQuote(a);
  say((dryRun ? "would run: " : "running: ") + line);
  if (dryRun) return okStatus();
  auto r = run(argv);
  if (!r) return r.error();
  if (r->status != 0)
    return Error{ErrorCode::kInvalidArgument,
                 line + " failed (status " + std::to_string(r->status) + "): " + trimmed(r->err)};
  return okStatus();
}

}  // namespace

std::string autostartEntryPath(const std::string& home, const std::string& configHome) {
  // The XDG base directory specification: a relative XDG_CONFIG_HOME is to be ignored.
  std::string base =
      !configHome.empty() && configHome.front() == '/' ? configHome : home + "/.config";
  return base + "/autostart/liseur.desktop";
}

std::string desktopExecWord(std::string_view word) {
  bool plain = !word.empty();
  for (char c : word)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '.' && c != '_' &&
        c != '+' && c != '-')
      plain = false;
  if (plain) return std::string(word);
  // Inside double quotes, " ` $ and \ take a backslash; then the value's own escaping doubles
  // every backslash (the Desktop Entry Specification, "The Exec key"). % is doubled.
  std::string quoted = "\"";
  for (char c : word) {
    if (c == '"' || c == '`' || c == '$' || c == '\\') quoted += "\\\\";
    if (c == '%') quoted += '%';
    quoted += c;
  }
  return quoted + "\"";
}

std::string autostartEntry(const std::string& liseurPath) {
  std::string exec = desktopExecWord(liseurPath);
  // TryExec is a plain string: only the value escapes (a backslash doubled).
  std::string tryExec;
  for (char c : liseurPath) tryExec += c == '\\' ? std::string("\\\\") : std::string(1, c);
  return "[Desktop Entry]\n"
         "# Written by `liseur autostart enable`; removed by `liseur autostart disable`.\n"
         "Type=Application\n"
         "Name=liseur\n"
         "Comment=Start the liseur reader daemon with the session, so its hotkeys work\n"
         "Comment[fr]=Démarre le lecteur liseur avec la session, pour que ses raccourcis "
         "marchent\n"
         "Icon=liseur\n"
         "Exec=" +
         exec +
         " autostart start\n"
         "TryExec=" +
         tryExec +
         "\n"
         "Terminal=false\n"
         "NoDisplay=true\n"
         "X-GNOME-Autostart-enabled=true\n" +
         std::string(kAutostartMarker) + "\n";
}

bool isLiseurAutostartEntry(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(pos, end - pos) == kAutostartMarker) return true;
    pos = end + 1;
  }
  return false;
}

std::string AutostartState::preferredMethod() const {
  return units && graphicalSession ? "systemd" : "xdg";
}

nlohmann::json AutostartState::toJson() const {
  return {{"enabled", enabled()},
          {"systemd",
           {{"available", units},
            {"graphical_session", graphicalSession},
            {"service", serviceEnabled},
            {"socket", socketEnabled}}},
          {"xdg", {{"file", entryPath}, {"present", entry}, {"liseur", entryOurs}}},
          {"preferred_method", preferredMethod()}};
}

AutostartState autostartState(const ProgramRunner& run, const std::string& entryPath) {
  AutostartState s;
  s.entryPath = entryPath;
  auto ask = [&](std::vector<std::string> args) -> std::optional<ProgramOutput> {
    args.insert(args.begin(), {"systemctl", "--user"});
    auto r = run(args);
    if (!r) return std::nullopt;
    return *r;
  };
  // `systemctl --user` without a user manager fails ("Failed to connect to bus"); with one, listing
  // units that are not installed fails too (systemd 252), so only success is certain.
  if (auto r = ask({"list-unit-files", "--no-legend", "liseurd.service", "liseurd.socket"})) {
    s.systemctl = r->status == 0;
    s.units = r->out.find("liseurd.service") != std::string::npos;
  }
  if (s.units) {
    if (auto r = ask({"is-enabled", "liseurd.service"})) s.serviceEnabled = firstLine(r->out);
    if (auto r = ask({"is-enabled", "liseurd.socket"})) s.socketEnabled = firstLine(r->out);
    if (auto r = ask({"is-active", "graphical-session.target"}))
      s.graphicalSession = firstLine(r->out) == "active";
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(entryPath, ec))) {
    s.entry = true;
    std::ifstream in(entryPath);
    std::stringstream text;
    text << in.rdbuf();
    s.entryOurs = isLiseurAutostartEntry(text.str());
  }
  return s;
}

Status enableAutostart(const AutostartState& state, std::string method,
                       const std::string& liseurPath, bool dryRun, const ProgramRunner& run,
                       const Say& say) {
  if (method.empty()) method = state.preferredMethod();
  if (method == "systemd") {
    if (!state.units)
      return Error{ErrorCode::kFileNotFound,
                   "systemd's user manager does not know liseurd.service here (liseur is not "
                   "installed from its package, or there is no user manager): use --method xdg"};
    if (!state.graphicalSession)
      say("note: this session has not started graphical-session.target (only GNOME and KDE "
          "Plasma do): liseurd will start with the first liseur command; --method xdg starts it "
          "at login on any desktop");
    Status st = systemctl({"enable", "--now", "liseurd.service"}, dryRun, run, say);
    if (!st) return st;
    // A login entry from an earlier `enable` would only start the same daemon again.
    if (state.xdgEnabled()) {
      say((dryRun ? "would remove " : "removing ") + state.entryPath);
      std::error_code ec;
      if (!dryRun && !fs::remove(state.entryPath, ec) && ec)
        return Error{ErrorCode::kConfigWriteFailed,
                     "cannot remove " + state.entryPath + ": " + ec.message()};
    }
    say(dryRun ? "liseurd would start with the graphical session (systemd)"
               : "liseurd starts with the graphical session (systemd)");
    return okStatus();
  }
  if (method != "xdg")
    return Error{ErrorCode::kInvalidArgument,
                 "unknown autostart method '" + method + "' (systemd or xdg)"};
  if (state.entry && !state.entryOurs)
    return Error{ErrorCode::kConfigWriteFailed,
                 state.entryPath +
                     " exists and was not written by liseur: it is left as it is (remove it "
                     "yourself to let liseur write its own)"};
  const std::string entry = autostartEntry(liseurPath);
  if (dryRun) {
    say("would write " + state.entryPath + ":");
    say(trimmed(entry));
    return okStatus();
  }
  std::error_code ec;
  fs::create_directories(fs::path(state.entryPath).parent_path(), ec);
  if (ec)
    return Error{ErrorCode::kConfigWriteFailed,
                 "cannot create the folder of " + state.entryPath + ": " + ec.message()};
  config::AtomicWriteOptions o;
  o.mode = 0644;
  if (Status st = config::atomicWriteFile(state.entryPath, entry, o); !st) return st;
  say("wrote " + state.entryPath +
      ": liseurd starts at your next login (now: liseur autostart "
      "start)");
  return okStatus();
}

Status disableAutostart(const AutostartState& state, bool dryRun, const ProgramRunner& run,
                        const Say& say) {
  bool any = false;
  if (state.units && (state.systemdEnabled() || state.serviceEnabled == "enabled-runtime")) {
    any = true;
    // Also= disables liseurd.socket with it: the next liseur command then starts liseurd itself.
    if (Status st = systemctl({"disable", "liseurd.service"}, dryRun, run, say); !st) return st;
  }
  if (state.entry) {
    if (!state.entryOurs) {
      say(state.entryPath + " was not written by liseur: left as it is");
    } else {
      any = true;
      say((dryRun ? "would remove " : "removing ") + state.entryPath);
      std::error_code ec;
      if (!dryRun && !fs::remove(state.entryPath, ec) && ec)
        return Error{ErrorCode::kConfigWriteFailed,
                     "cannot remove " + state.entryPath + ": " + ec.message()};
    }
  }
  if (!any)
    say("liseurd does not start at login: nothing to do");
  else if (!dryRun)
    say("liseurd will no longer start at login (the running one stays: liseur shutdown)");
  return okStatus();
}

std::string describeAutostart(const AutostartState& state, bool sway) {
  std::string out;
  if (state.systemdEnabled())
    out += "systemd: liseurd.service enabled: it starts with the graphical session" +
           std::string(state.graphicalSession ? "" : " (not reached in this session)") + "\n";
  else if (state.units)
    out +=
        "systemd: liseurd.service " +
        (state.serviceEnabled.empty() ? std::string("state unknown") : state.serviceEnabled) +
        "; liseurd.socket " +
        (state.socketEnabled.empty() ? std::string("state unknown") : state.socketEnabled) +
        (state.socketActivation() ? " (systemd starts liseurd at the first liseur command)" : "") +
        "\n";
  else
    out += std::string("systemd: ") +
           (state.systemctl ? "liseurd's units are not installed"
                            : "no user manager here, or liseurd's units are not installed") +
           "\n";
  if (state.xdgEnabled())
    out += "xdg: " + state.entryPath + " starts liseurd at login" +
           (sway ? " (but sway runs no XDG autostart entries: add `exec liseur autostart start` "
                   "to sway's config)"
                 : "") +
           "\n";
  else if (state.entry)
    out += "xdg: " + state.entryPath + " exists but was not written by liseur\n";
  else
    out += "xdg: no entry (" + state.entryPath + ")\n";
  return out;
}

AutostartCommand::AutostartCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "autostart", "Start liseurd with the graphical session, so its hotkeys work from login on");
  sub_->require_subcommand(1);
  enable_ = sub_->add_subcommand(
      "enable",
      "Start liseurd at login: systemd's liseurd.service when this session uses systemd, else "
      "an XDG autostart entry");
  enable_->add_option("--method", method_, "systemd or xdg (default: what this session supports)")
      ->check(CLI::IsMember({"systemd", "xdg"}));
  enable_->add_flag("--dry-run", dryRun_, "Print what would be run or written; change nothing");
  disable_ = sub_->add_subcommand(
      "disable", "Do not start liseurd at login (the running daemon is not stopped)");
  disable_->add_flag("--dry-run", dryRun_, "Print what would be run or removed; change nothing");
  status_ = sub_->add_subcommand("status", "Whether liseurd starts at login, and how");
  status_->add_flag("--json", json_, "As JSON");
  start_ = sub_->add_subcommand(
      "start", "Start liseurd now if it is not running (what the autostart entry runs)");
}

int AutostartCommand::run() {
  const ProgramRunner runner = runProgram;
  const Say say = [](const std::string& line) { std::cout << line << "\n"; };
  if (start_->parsed()) {
    IpcClientOptions o;
    o.client_name = "liseur-autostart";
    auto c = IpcClient::connect(o);
    return c ? 0 : fail(c.error());
  }
  AutostartState state =
      autostartState(runner, autostartEntryPath(env("HOME"), env("XDG_CONFIG_HOME")));
  if (status_->parsed()) {
    if (json_)
      std::cout << state.toJson().dump(2) << "\n";
    else
      std::cout << (state.enabled() ? "liseurd starts at login\n"
                                    : "liseurd does not start at login (liseur autostart "
                                      "enable)\n")
                << describeAutostart(state, !env("SWAYSOCK").empty());
    return std::cout.flush() ? 0 : 1;
  }
  Status st = enable_->parsed() ? enableAutostart(state, method_, selfPath(), dryRun_, runner, say)
                                : disableAutostart(state, dryRun_, runner, say);
  std::cout.flush();
  return st ? 0 : fail(st.error());
}

}  // namespace liseur::app
