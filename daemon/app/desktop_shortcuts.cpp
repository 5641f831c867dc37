#include "app/desktop_shortcuts.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/atomic_file.h"
#include "config/config.h"
#include "config/config_schema.h"

extern char** environ;

namespace liseur::app {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? s.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string supportedList() {
  std::string out;
  for (Desktop d : supportedDesktops())
    out += (out.empty() ? "" : ", ") + std::string(desktopName(d));
  return out;
}

// The command line as a person types it, for --dry-run.
std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shellQuote(a);
  return out;
}

// Runs `argv`; a failure to start or a non-zero exit becomes an error naming the command and
// what it printed.
Result<std::string> runChecked(const ProgramRunner& run, const std::vector<std::string>& argv) {
  auto r = run(argv);
  if (!r) return r.error();
  if (r->status != 0) {
    std::string why(trim(r->err.empty() ? r->out : r->err));
    return Error{
        ErrorCode::kConfigWriteFailed,
        "'" + commandLine(argv) + "' failed" +
            (r->status < 0 ? " (killed)" : " (exit status " + std::to_string(r->status) + ")") +
            (why.empty() ? "" : ": " + why)};
  }
  return r->out;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{ErrorCode::kFileUnreadable, "cannot read " + path + ": " + std::strerror(errno)};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// "~/..." for a path under `home`.
std::string tildePath(const std::string& path, const std::string& home) {
  if (!home.empty() && home != "/" && path.size() > home.size() &&
      path.compare(0, home.size(), home) == 0 && path[home.size()] == '/')
    return "~" + path.substr(home.size());
  return path;
}

Status ensureDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return makeError(ErrorCode::kConfigWriteFailed,
                     "cannot create the directory " + dir + ": " + ec.message());
  }
  return okStatus();
}

// Modifier words of a chord, as the configuration accepts them (config_schema.cpp).
bool setModifier(Chord& c, std::string_view word) {
  std::string w = lower(word);
  bool* bit = w == "ctrl"    ? &c.ctrl
              : w == "alt"   ? &c.alt
              : w == "shift" ? &c.shift
              : w == "super" ? &c.super
                             : nullptr;
  if (!bit || *bit) return false;
  *bit = true;
  return true;
}

// A keysym name the desktops' parsers know: the letters, digits and the names the configuration
// allows (X keysym names are the same in GTK's accelerators and in xkbcommon).
bool plausibleKeysym(std::string_view key) {
  if (key.empty() || key.size() > 32) return false;
  return std::all_of(key.begin(), key.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
  });
}

struct ActionCommand {
  const char* action;
  std::vector<std::string> args;  // empty: no command; `reason` says why
  const char* reason;
};

// What DaemonCommands::onHotkey does for each action, as the CLI says it.
const std::vector<ActionCommand>& actionTable() {
  static const std::vector<ActionCommand> table = {
      {"read_window", {"read", "window"}, ""},
      {"read_pointer", {"read", "pointer"}, ""},
      {"stop", {"stop"}, ""},
      {"pause_resume", {"pause", "--toggle"}, ""},
      {"faster", {"set", "rate", "+20"}, ""},
      {"slower", {"set", "rate", "-20"}, ""},
      {"review_next_line", {"review", "next-line"}, ""},
      {"review_prev_line", {"review", "previous-line"}, ""},
      {"review_next_word", {"review", "next-word"}, ""},
      {"review_prev_word", {"review", "previous-word"}, ""},
      {"review_next_page", {"review", "next-page"}, ""},
      {"review_prev_page", {"review", "previous-page"}, ""},
      {"spell", {"review", "spell"}, ""},
      {"repeat", {"review", "repeat"}, ""},
      {"watch_window", {"watch", "window", "--toggle"}, ""},
      {"mark_corner",
       {},
       "marking a rectangle takes the pointer's place at each press and the arrow keys between "
       "them, which only liseurd's own key grabs can do; read a rectangle with `liseur read "
       "region X,Y,W,H` instead"},
  };
  return table;
}

}  // namespace

// ---- Desktops.

std::string_view desktopName(Desktop desktop) {
  switch (desktop) {
    case Desktop::kGnome:
      return "gnome";
    case Desktop::kSway:
      return "sway";
    case Desktop::kXfce:
      return "xfce";
  }
  return "?";
}

const std::vector<Desktop>& supportedDesktops() {
  static const std::vector<Desktop> all = {Desktop::kGnome, Desktop::kSway, Desktop::kXfce};
  return all;
}

std::optional<Desktop> desktopFromName(std::string_view name) {
  std::string n = lower(name);
  for (Desktop d : supportedDesktops())
    if (n == desktopName(d)) return d;
  return std::nullopt;
}

Result<Desktop> detectDesktop(std::string_view xdgCurrentDesktop, std::string_view swaysock) {
  if (!swaysock.empty()) return Desktop::kSway;
  for (const std::string& entry : split(xdgCurrentDesktop, ':')) {
    std::string e = lower(trim(entry));
    if (e == "gnome" || e == "gnome-classic" || e == "gnome-flashback") return Desktop::kGnome;
    if (e == "sway") return Desktop::kSway;
    if (e == "xfce") return Desktop::kXfce;
  }
  std::string found = xdgCurrentDesktop.empty()
                          ? std::string("XDG_CURRENT_DESKTOP is not set and neither is SWAYSOCK")
                          : "XDG_CURRENT_DESKTOP is '" + std::string(xdgCurrentDesktop) + "'";
  return Error{ErrorCode::kInvalidArgument,
               "cannot tell which desktop this is (" + found +
                   "); liseur can write the shortcuts of " + supportedList() +
                   ": name one with --desktop, or bind the commands below by hand in your "
                   "desktop's keyboard settings"};
}

// ---- Chords.

Result<Chord> parseChord(std::string_view text) {
  const std::string written(text);
  auto bad = [&](const std::string& why) {
    return Result<Chord>::fail(ErrorCode::kInvalidArgument,
                               "hotkey '" + written + "': " + why +
                                   " (expected modifiers Ctrl, Alt, Shift, Super joined by '+' and "
                                   "one key, like \"Ctrl+Alt+Shift+W\")");
  };
  std::vector<std::string> parts = split(text, '+');
  if (parts.size() < 2) return bad("at least one modifier is needed");
  Chord c;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string_view word = trim(parts[i]);
    if (!setModifier(c, word)) {
      return bad(word.empty() ? std::string("empty part")
                              : "'" + std::string(word) + "' is not a modifier, or is there twice");
    }
  }
  std::string key(trim(parts.back()));
  if (!plausibleKeysym(key)) return bad("'" + key + "' is not a key name");
  if (key.size() == 1) key = lower(key);
  c.key = key;
  return c;
}

std::string gnomeAccelerator(const Chord& c) {
  std::string out;
  if (c.ctrl) out += "<Control>";
  if (c.alt) out += "<Alt>";
  if (c.shift) out += "<Shift>";
  if (c.super) out += "<Super>";
  return out + c.key;
}

std::string xfceAccelerator(const Chord& c) {
  std::string out;
  if (c.ctrl) out += "<Primary>";
  if (c.alt) out += "<Alt>";
  if (c.shift) out += "<Shift>";
  if (c.super) out += "<Super>";
  return out + c.key;
}

std::string swayKeys(const Chord& c) {
  // sway 1.7 knows Shift, Lock, Control/Ctrl, Mod1/Alt, Mod2..Mod5; the logo key is Mod4 only
  // ("Super" is refused as an unknown key).
  std::string out;
  if (c.ctrl) out += "Ctrl+";
  if (c.alt) out += "Alt+";
  if (c.shift) out += "Shift+";
  if (c.super) out += "Mod4+";
  return out + c.key;
}

// ---- The plan.

std::vector<ConfiguredHotkey> configuredHotkeys(const config::Config& cfg) {
  std::vector<ConfiguredHotkey> out;
  constexpr std::string_view kPrefix = "hotkeys.";
  constexpr std::string_view kHelpTail = " (\"\" = no hotkey)";
  for (const auto& spec : config::ConfigSchema::instance().keys()) {
    if (spec.key.rfind(kPrefix, 0) != 0 || spec.isPattern()) continue;
    std::string help = spec.help;
    if (help.size() >= kHelpTail.size() &&
        help.compare(help.size() - kHelpTail.size(), kHelpTail.size(), kHelpTail) == 0)
      help.resize(help.size() - kHelpTail.size());
    out.push_back({spec.key.substr(kPrefix.size()), cfg.getString(spec.key), help});
  }
  return out;
}

std::optional<std::vector<std::string>> actionArguments(std::string_view action, std::string* why) {
  for (const auto& a : actionTable()) {
    if (action != a.action) continue;
    if (!a.args.empty()) return a.args;
    if (why) *why = a.reason;
    return std::nullopt;
  }
  if (why) *why = "no liseur command does this yet";
  return std::nullopt;
}

std::string shellQuote(std::string_view word) {
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::strchr("_/.,:=@%+-", ch);
  });
  if (safe) return std::string(word);
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string Shortcut::command() const {
  return commandLine(argv);
}

Result<ShortcutPlan> planShortcuts(const std::vector<ConfiguredHotkey>& hotkeys,
                                   const std::string& liseurPath) {
  ShortcutPlan plan;
  std::map<std::string, std::string> taken;  // GNOME accelerator -> action
  for (const auto& h : hotkeys) {
    if (h.chord.empty()) continue;
    auto chord = parseChord(h.chord);
    if (!chord) {
      return Error{ErrorCode::kInvalidArgument,
                   "hotkeys." + h.action + ": " + chord.error().message};
    }
    std::string why;
    auto args = actionArguments(h.action, &why);
    if (!args) {
      plan.skipped.push_back({h.action, h.chord, why});
      continue;
    }
    auto [it, fresh] = taken.emplace(gnomeAccelerator(*chord), h.action);
    if (!fresh) {
      return Error{ErrorCode::kInvalidArgument,
                   "hotkeys." + h.action + " and hotkeys." + it->second + " are both '" + h.chord +
                       "': give one of them another chord, or \"\" for none"};
    }
    Shortcut s{h.action, h.chord, *chord, h.description, {liseurPath}};
    s.argv.insert(s.argv.end(), args->begin(), args->end());
    plan.shortcuts.push_back(std::move(s));
  }
  return plan;
}

// ---- Programs.

Result<ProgramOutput> runProgram(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{ErrorCode::kInternal, "runProgram: no program"};
  int outPipe[2], errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0) return Error{ErrorCode::kInternal, std::strerror(errno)};
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    int e = errno;
    close(outPipe[0]);
    close(outPipe[1]);
    return Error{ErrorCode::kInternal, std::strerror(e)};
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, errPipe[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    close(outPipe[0]);
    close(errPipe[0]);
    return Error{rc == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kInternal,
                 "cannot run " + argv[0] + ": " + std::strerror(rc)};
  }
  ProgramOutput out;
  std::array<pollfd, 2> fds{{{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}}};
  std::string* sinks[2] = {&out.out, &out.err};
  int open = 2;
  while (open > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// ---- GNOME.

std::string gnomeEntryPath(std::string_view action) {
  std::string name(action);
  std::replace(name.begin(), name.end(), '_', '-');
  return std::string(kGnomePathPrefix) + "liseur-" + name + "/";
}

bool isLiseurGnomePath(std::string_view path) {
  std::string prefix = std::string(kGnomePathPrefix) + "liseur-";
  return path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix;
}

std::string gvariantString(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string gvariantStringArray(const std::vector<std::string>& items) {
  if (items.empty()) return "@as []";
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + gvariantString(items[i]);
  return out + "]";
}

namespace {

// One quoted GVariant string at text[pos] ('...' or "..."); pos moves past it.
Result<std::string> takeQuoted(std::string_view text, std::size_t& pos) {
  char quote = text[pos++];
  std::string out;
  while (pos < text.size()) {
    char ch = text[pos++];
    if (ch == quote) return out;
    if (ch == '\\' && pos < text.size()) {
      char e = text[pos++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        default:
          out += e;  // \' \" \\ and the rest as themselves
      }
      continue;
    }
    out += ch;
  }
  return Error{ErrorCode::kInvalidArgument,
               "unterminated string in gsettings' output '" + std::string(text) + "'"};
}

}  // namespace

Result<std::vector<std::string>> parseGVariantStringArray(std::string_view text) {
  std::string_view t = trim(text);
  auto bad = [&] {
    return Result<std::vector<std::string>>::fail(
        ErrorCode::kInvalidArgument,
        "expected a list of strings like ['/a/', '/b/'] from gsettings, got '" + std::string(t) +
            "'");
  };
  if (t.substr(0, 4) == "@as ") t = trim(t.substr(4));
  if (t.size() < 2 || t.front() != '[' || t.back() != ']') return bad();
  std::vector<std::string> out;
  std::size_t pos = 1;
  const std::size_t end = t.size() - 1;
  auto skipSpace = [&] {
    while (pos < end && std::isspace(static_cast<unsigned char>(t[pos]))) ++pos;
  };
  skipSpace();
  while (pos < end) {
    if (t[pos] != '\'' && t[pos] != '"') return bad();
    auto item = takeQuoted(t.substr(0, end), pos);
    if (!item) return bad();
    out.push_back(std::move(*item));
    skipSpace();
    if (pos < end) {
      if (t[pos] != ',') return bad();
      ++pos;
      skipSpace();
    }
  }
  return out;
}

Result<std::string> parseGVariantString(std::string_view text) {
  std::string_view t = trim(text);
  if (t.size() < 2 || (t.front() != '\'' && t.front() != '"')) {
    return Error{ErrorCode::kInvalidArgument,
                 "expected a quoted string from gsettings, got '" + std::string(t) + "'"};
  }
  std::size_t pos = 0;
  return takeQuoted(t, pos);
}

std::vector<std::string> gnomeListWithoutOurs(const std::vector<std::string>& current) {
  std::vector<std::string> out;
  for (const auto& p : current)
    if (!isLiseurGnomePath(p)) out.push_back(p);
  return out;
}

std::vector<std::string> gnomeListWithOurs(const std::vector<std::string>& current,
                                           const ShortcutPlan& plan) {
  std::vector<std::string> out = gnomeListWithoutOurs(current);
  for (const auto& s : plan.shortcuts) out.push_back(gnomeEntryPath(s.action));
  return out;
}

namespace {

std::string entrySchema(const std::string& path) {
  return std::string(kGnomeEntrySchema) + ":" + path;
}

// gsettings is there and knows the media-keys schemas.
Status checkGnome(const ProgramRunner& run) {
  auto r = run({"gsettings", "list-keys", std::string(kGnomeSchema)});
  if (!r) {
    if (r.error().code == ErrorCode::kFileNotFound) {
      return makeError(ErrorCode::kFileNotFound,
                       "the gsettings program is not installed (Debian package libglib2.0-bin)");
    }
    return r.error();
  }
  if (r->status != 0) {
    return makeError(ErrorCode::kFileNotFound,
                     "GNOME's keyboard shortcut settings (schema " + std::string(kGnomeSchema) +
                         ") are not installed here (Debian package gnome-settings-daemon-common); "
                         "is this GNOME? gsettings said: " +
                         std::string(trim(r->err)));
  }
  return okStatus();
}

Result<std::vector<std::string>> gnomeList(const ProgramRunner& run) {
  auto text =
      runChecked(run, {"gsettings", "get", std::string(kGnomeSchema), std::string(kGnomeListKey)});
  if (!text) return text.error();
  return parseGVariantStringArray(*text);
}

Result<std::string> gnomeEntryValue(const ProgramRunner& run, const std::string& path,
                                    const char* key) {
  auto text = runChecked(run, {"gsettings", "get", entrySchema(path), key});
  if (!text) return text.error();
  return parseGVariantString(*text);
}

// gsettings exits 0 even when the settings backend dropped the change (dconf without the
// session's D-Bus, the memory backend): read the list back.
Status checkGnomeKept(const ProgramRunner& run, const std::vector<std::string>& wanted) {
  auto now = gnomeList(run);
  if (!now) return now.error();
  if (*now == wanted) return okStatus();
  return makeError(ErrorCode::kConfigWriteFailed,
                   "GNOME's settings did not keep the shortcuts (" + std::string(kGnomeSchema) +
                       " custom-keybindings reads " + gvariantStringArray(*now) +
                       "): run this in the GNOME session itself, whose D-Bus carries the settings "
                       "to dconf (GSETTINGS_BACKEND is '" +
                       (std::getenv("GSETTINGS_BACKEND") ? std::getenv("GSETTINGS_BACKEND") : "") +
                       "')");
}

// Runs each command, or prints it under --dry-run.
Status apply(const std::vector<std::vector<std::string>>& commands, bool dryRun,
             const ProgramRunner& run, const Say& say) {
  for (const auto& argv : commands) {
    if (dryRun) {
      say("  " + commandLine(argv));
      continue;
    }
    if (auto r = runChecked(run, argv); !r) return r.error();
  }
  return okStatus();
}

}  // namespace

Status installGnome(const ShortcutPlan& plan, bool dryRun, const ProgramRunner& run,
                    const Say& say) {
  if (auto st = checkGnome(run); !st) return st;
  auto current = gnomeList(run);
  if (!current) return current.error();

  // The user's own shortcuts on the same keys: GNOME would run one of the two at random.
  std::map<std::string, const Shortcut*> ours;
  for (const auto& s : plan.shortcuts) ours[lower(gnomeAccelerator(s.keys))] = &s;
  for (const auto& path : gnomeListWithoutOurs(*current)) {
    auto binding = gnomeEntryValue(run, path, "binding");
    if (!binding) continue;
    auto it = ours.find(lower(*binding));
    if (it == ours.end()) continue;
    auto name = gnomeEntryValue(run, path, "name");
    say("warning: your GNOME shortcut '" + (name ? *name : path) + "' is on " + *binding +
        " too, like liseur's " + it->second->action +
        ": change one of them (Settings > Keyboard > Keyboard Shortcuts, or [hotkeys] in "
        "liseur's configuration)");
  }

  std::vector<std::vector<std::string>> commands;
  std::set<std::string> kept;
  for (const auto& s : plan.shortcuts) {
    const std::string schema = entrySchema(gnomeEntryPath(s.action));
    kept.insert(gnomeEntryPath(s.action));
    commands.push_back(
        {"gsettings", "set", schema, "name", gvariantString("liseur: " + s.description)});
    commands.push_back({"gsettings", "set", schema, "command", gvariantString(s.command())});
    commands.push_back(
        {"gsettings", "set", schema, "binding", gvariantString(gnomeAccelerator(s.keys))});
  }
  // Our entries of an earlier install that the configuration no longer has.
  for (const auto& path : *current)
    if (isLiseurGnomePath(path) && !kept.count(path))
      commands.push_back({"gsettings", "reset-recursively", entrySchema(path)});
  // The list last: GNOME picks up the entries once they are complete.
  const std::vector<std::string> wanted = gnomeListWithOurs(*current, plan);
  commands.push_back({"gsettings", "set", std::string(kGnomeSchema), std::string(kGnomeListKey),
                      gvariantStringArray(wanted)});
  if (dryRun) say("would run:");
  if (auto st = apply(commands, dryRun, run, say); !st) return st;
  if (!dryRun) {
    if (auto st = checkGnomeKept(run, wanted); !st) return st;
    for (const auto& s : plan.shortcuts)
      say("GNOME: " + gnomeAccelerator(s.keys) + "  " + s.command());
  }
  return okStatus();
}

Status uninstallGnome(bool dryRun, const ProgramRunner& run, const Say& say) {
  if (auto st = checkGnome(run); !st) return st;
  auto current = gnomeList(run);
  if (!current) return current.error();
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> without = gnomeListWithoutOurs(*current);
  if (without.size() == current->size()) {
    say("GNOME: no liseur shortcuts installed");
    return okStatus();
  }
  commands.push_back({"gsettings", "set", std::string(kGnomeSchema), std::string(kGnomeListKey),
                      gvariantStringArray(without)});
  for (const auto& path : *current)
    if (isLiseurGnomePath(path))
      commands.push_back({"gsettings", "reset-recursively", entrySchema(path)});
  if (dryRun) say("would run:");
  if (auto st = apply(commands, dryRun, run, say); !st) return st;
  if (!dryRun) {
    if (auto st = checkGnomeKept(run, without); !st) return st;
  }
  if (!dryRun)
    say("GNOME: removed " + std::to_string(current->size() - without.size()) + " liseur shortcuts");
  return okStatus();
}

Result<std::vector<InstalledShortcut>> listGnome(const ProgramRunner& run) {
  if (auto st = checkGnome(run); !st) return st.error();
  auto current = gnomeList(run);
  if (!current) return current.error();
  std::vector<InstalledShortcut> out;
  for (const auto& path : *current) {
    if (!isLiseurGnomePath(path)) continue;
    auto name = gnomeEntryValue(run, path, "name");
    auto binding = gnomeEntryValue(run, path, "binding");
    auto command = gnomeEntryValue(run, path, "command");
    for (const auto* value : {&name, &binding, &command})
      if (!*value) return value->error();
    out.push_back({*name, *binding, *command});
  }
  return out;
}

// ---- sway.

SwayLocations locateSway(const std::string& home, const std::string& configHome,
                         const std::string& sysconfDir) {
  const std::string xdg = configHome.empty() ? home + "/.config" : configHome;
  SwayLocations where;
  where.home = home;
  where.snippet = xdg + "/sway/liseur-hotkeys.conf";
  const std::string searched[] = {home + "/.sway/config",      xdg + "/sway/config",
                                  home + "/.i3/config",        xdg + "/i3/config",
                                  sysconfDir + "/sway/config", sysconfDir + "/i3/config"};
  for (std::size_t i = 0; i < std::size(searched); ++i) {
    if (!exists(searched[i])) continue;
    if (i < 2) {
      where.config = searched[i];
    } else {
      where.config = xdg + "/sway/config";
      where.copyFrom = searched[i];
    }
    return where;
  }
  where.config = xdg + "/sway/config";
  return where;
}

std::string swaySnippet(const ShortcutPlan& plan) {
  std::string out =
      "# liseur's hotkeys for sway, written by `liseur hotkeys install` from [hotkeys] in\n"
      "# liseur's configuration; `liseur hotkeys uninstall` removes this file and its include\n"
      "# line. Edits here are lost at the next install: change the configuration instead.\n";
  for (const auto& s : plan.shortcuts) {
    out += "\n# " + s.action + " (" + s.chord + "): " + s.description + "\n";
    out += "bindsym " + swayKeys(s.keys) + " exec " + s.command() + "\n";
  }
  for (const auto& k : plan.skipped)
    out += "\n# " + k.action + " (" + k.chord + ") is not bound: " + k.reason + "\n";
  return out;
}

std::string swayIncludeLines(const SwayLocations& where) {
  std::string path = tildePath(where.snippet, where.home);
  if (path.find_first_of(" \t\"'") != std::string::npos) path = "\"" + path + "\"";
  // sway takes a '#' only at the start of a line: the mark is a line of its own.
  return std::string(kSwayMarker) + " (`liseur hotkeys uninstall` removes these two lines)\n" +
         "include " + path;
}

namespace {

bool isMarker(std::string_view line) {
  return trim(line).substr(0, kSwayMarker.size()) == kSwayMarker;
}

bool isOurInclude(std::string_view line) {
  std::string_view t = trim(line);
  return t.substr(0, 8) == "include " && t.find("/liseur-hotkeys.conf") != std::string_view::npos;
}

}  // namespace

bool hasSwayInclude(std::string_view config) {
  for (const auto& line : split(config, '\n'))
    if (isMarker(line)) return true;
  return false;
}

std::string withoutSwayInclude(std::string_view config) {
  // Line by line with their newlines. Ours: a marker line, and the include line right after it.
  // A last line of ours without a newline took the newline before it (see withSwayInclude),
  // which goes with it.
  std::string out;
  std::size_t pos = 0;
  bool afterMarker = false;
  while (pos < config.size()) {
    std::size_t nl = config.find('\n', pos);
    std::string_view line =
        config.substr(pos, nl == std::string_view::npos ? config.npos : nl - pos);
    bool last = nl == std::string_view::npos;
    bool ours = isMarker(line) || (afterMarker && isOurInclude(line));
    afterMarker = isMarker(line);
    if (ours) {
      if (last && !out.empty() && out.back() == '\n') out.pop_back();
    } else {
      out.append(line);
      if (!last) out += '\n';
    }
    pos = last ? config.size() : nl + 1;
  }
  return out;
}

std::string withSwayInclude(std::string_view config, std::string_view lines) {
  std::string out = withoutSwayInclude(config);
  if (out.empty() || out.back() == '\n') return out + std::string(lines) + "\n";
  return out + "\n" + std::string(lines);
}

std::vector<InstalledShortcut> parseSwaySnippet(std::string_view snippet) {
  std::vector<InstalledShortcut> out;
  std::string action;
  for (const auto& raw : split(snippet, '\n')) {
    std::string_view line = trim(raw);
    if (line.substr(0, 2) == "# ") {
      std::string_view rest = line.substr(2);
      std::size_t sp = rest.find(' ');
      action = std::string(rest.substr(0, sp));
      continue;
    }
    if (line.substr(0, 8) != "bindsym ") {
      action.clear();
      continue;
    }
    std::string_view rest = trim(line.substr(8));
    std::size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) continue;
    InstalledShortcut s;
    s.name = action;
    s.keys = std::string(rest.substr(0, sp));
    std::string_view command = trim(rest.substr(sp));
    if (command.substr(0, 5) == "exec ") command = trim(command.substr(5));
    s.command = std::string(command);
    out.push_back(std::move(s));
    action.clear();
  }
  return out;
}

namespace {

Status writeFile(const std::string& path, const std::string& content, bool dryRun) {
  if (dryRun) return okStatus();
  if (auto st = ensureDirectory(fs::path(path).parent_path().string()); !st) return st;
  return config::atomicWriteFile(path, content);
}

Status swayReload(bool dryRun, bool reload, const ProgramRunner& run, const Say& say) {
  if (!reload) {
    say("sway: SWAYSOCK is not set, so sway was not reloaded: reload it (Mod4+Shift+C by "
        "default) or log in again");
    return okStatus();
  }
  if (dryRun) {
    say("would run: swaymsg reload");
    return okStatus();
  }
  auto r = run({"swaymsg", "reload"});
  if (!r) {
    return makeError(ErrorCode::kFileNotFound,
                     "the files are written, but swaymsg could not be run (" + r.error().message +
                         "; Debian package sway): reload sway yourself (Mod4+Shift+C by default)");
  }
  if (r->status != 0) {
    return makeError(ErrorCode::kConfigWriteFailed,
                     "the files are written, but 'swaymsg reload' failed: " +
                         std::string(trim(r->err.empty() ? r->out : r->err)) +
                         "; run `swaymsg reload` to see sway's complaint");
  }
  say("sway: configuration reloaded");
  return okStatus();
}

}  // namespace

Status installSway(const ShortcutPlan& plan, const SwayLocations& where, bool dryRun, bool reload,
                   const ProgramRunner& run, const Say& say) {
  const std::string would = dryRun ? "would " : "";
  std::string config;
  if (!exists(where.config)) {
    if (where.copyFrom.empty()) {
      return makeError(ErrorCode::kFileNotFound,
                       "no sway configuration found (" + where.config +
                           " and /etc/sway/config are missing): is sway installed (Debian "
                           "package sway)?");
    }
    auto base = readFile(where.copyFrom);
    if (!base) return base.error();
    config = std::move(*base);
    say("sway: " + would + "copy " + where.copyFrom + " to " + where.config +
        " first: sway reads only one configuration, and would lose the one it reads now");
  } else {
    auto text = readFile(where.config);
    if (!text) return text.error();
    config = std::move(*text);
  }
  // The snippet first: the include never names a missing file.
  const std::string snippet = swaySnippet(plan);
  say("sway: " + would + "write " + where.snippet + ":");
  if (dryRun) {
    for (const auto& line : split(snippet, '\n'))
      if (!line.empty()) say("  " + line);
  }
  if (auto st = writeFile(where.snippet, snippet, dryRun); !st) return st;
  const std::string line = swayIncludeLines(where);
  std::string updated = withSwayInclude(config, line);
  if (updated != config || !where.copyFrom.empty()) {
    say("sway: " + would + "add to " + where.config + ": " + line);
    if (auto st = writeFile(where.config, updated, dryRun); !st) return st;
  }
  if (!dryRun) {
    for (const auto& s : plan.shortcuts) say("sway: " + swayKeys(s.keys) + "  " + s.command());
  }
  return swayReload(dryRun, reload, run, say);
}

Status uninstallSway(const SwayLocations& where, bool dryRun, bool reload, const ProgramRunner& run,
                     const Say& say) {
  const std::string would = dryRun ? "would " : "";
  bool changed = false;
  if (exists(where.config)) {
    auto text = readFile(where.config);
    if (!text) return text.error();
    std::string updated = withoutSwayInclude(*text);
    if (updated != *text) {
      say("sway: " + would + "remove the include line from " + where.config);
      if (auto st = writeFile(where.config, updated, dryRun); !st) return st;
      changed = true;
    }
  }
  // The include line first, so that sway never includes a missing file.
  if (exists(where.snippet)) {
    say("sway: " + would + "remove " + where.snippet);
    std::error_code ec;
    if (!dryRun && !fs::remove(where.snippet, ec) && ec) {
      return makeError(ErrorCode::kConfigWriteFailed,
                       "cannot remove " + where.snippet + ": " + ec.message());
    }
    changed = true;
  }
  if (!changed) {
    say("sway: no liseur shortcuts installed");
    return okStatus();
  }
  return swayReload(dryRun, reload, run, say);
}

Result<std::vector<InstalledShortcut>> listSway(const SwayLocations& where) {
  if (!exists(where.snippet)) return std::vector<InstalledShortcut>{};
  auto text = readFile(where.snippet);
  if (!text) return text.error();
  return parseSwaySnippet(*text);
}

// ---- Xfce.

bool isLiseurCommand(std::string_view command) {
  std::string_view t = trim(command);
  std::string first;
  if (!t.empty() && t.front() == '\'') {
    std::size_t end = t.find('\'', 1);
    first = std::string(t.substr(1, end == std::string_view::npos ? t.npos : end - 1));
  } else {
    first = std::string(t.substr(0, t.find_first_of(" \t")));
  }
  return fs::path(first).filename() == "liseur";
}

std::vector<InstalledShortcut> parseXfceList(std::string_view listing) {
  std::vector<InstalledShortcut> out;
  for (const auto& raw : split(listing, '\n')) {
    std::string_view line = trim(raw);
    if (line.substr(0, kXfceCustomPrefix.size()) != kXfceCustomPrefix) continue;
    std::size_t sp = line.find_first_of(" \t");
    if (sp == std::string_view::npos) continue;
    std::string property(line.substr(0, sp));
    std::string_view value = trim(line.substr(sp));
    if (!isLiseurCommand(value)) continue;
    out.push_back({property, property.substr(kXfceCustomPrefix.size()), std::string(value)});
  }
  return out;
}

namespace {

Status checkXfce(const ProgramRunner& run, std::string* listing) {
  auto r = run({"xfconf-query", "-c", std::string(kXfceChannel), "-l", "-v"});
  if (!r) {
    if (r.error().code == ErrorCode::kFileNotFound) {
      return makeError(ErrorCode::kFileNotFound,
                       "the xfconf-query program is not installed (Debian package xfconf)");
    }
    return r.error();
  }
  if (r->status != 0) {
    // A channel with no property yet is not an error.
    std::string err(trim(r->err));
    if (err.find("does not exist") == std::string::npos &&
        err.find("no properties") == std::string::npos) {
      return makeError(ErrorCode::kConfigWriteFailed,
                       "cannot read Xfce's keyboard shortcuts (xfconf-query: " + err +
                           "); is the Xfce session running (xfconfd on the session bus)?");
    }
  }
  *listing = r->out;
  return okStatus();
}

// Every property of the channel, whoever set it: to spot the user's own shortcut on our keys.
std::map<std::string, std::string> xfceCustom(std::string_view listing) {
  std::map<std::string, std::string> out;
  for (const auto& raw : split(listing, '\n')) {
    std::string_view line = trim(raw);
    if (line.substr(0, kXfceCustomPrefix.size()) != kXfceCustomPrefix) continue;
    std::size_t sp = line.find_first_of(" \t");
    if (sp == std::string_view::npos) continue;
    out[std::string(line.substr(0, sp))] = std::string(trim(line.substr(sp)));
  }
  return out;
}

}  // namespace

Status installXfce(const ShortcutPlan& plan, bool dryRun, const ProgramRunner& run,
                   const Say& say) {
  std::string listing;
  if (auto st = checkXfce(run, &listing); !st) return st;
  const auto all = xfceCustom(listing);
  std::vector<std::vector<std::string>> commands;
  std::set<std::string> wanted;
  std::vector<const Shortcut*> installed;
  for (const auto& s : plan.shortcuts) {
    const std::string property = std::string(kXfceCustomPrefix) + xfceAccelerator(s.keys);
    auto it = all.find(property);
    if (it != all.end() && !isLiseurCommand(it->second)) {
      say("warning: Xfce already runs '" + it->second + "' on " + xfceAccelerator(s.keys) +
          "; liseur's " + s.action +
          " is not bound: give it another chord in [hotkeys], or free that key in Xfce's "
          "keyboard settings");
      continue;
    }
    wanted.insert(property);
    installed.push_back(&s);
    commands.push_back({"xfconf-query", "-c", std::string(kXfceChannel), "-p", property, "-n", "-t",
                        "string", "-s", s.command()});
  }
  for (const auto& old : parseXfceList(listing))
    if (!wanted.count(old.name))
      commands.push_back({"xfconf-query", "-c", std::string(kXfceChannel), "-p", old.name, "-r"});
  if (dryRun) say("would run:");
  if (auto st = apply(commands, dryRun, run, say); !st) return st;
  if (!dryRun)
    for (const Shortcut* s : installed)
      say("Xfce: " + xfceAccelerator(s->keys) + "  " + s->command());
  return okStatus();
}

Status uninstallXfce(bool dryRun, const ProgramRunner& run, const Say& say) {
  std::string listing;
  if (auto st = checkXfce(run, &listing); !st) return st;
  std::vector<std::vector<std::string>> commands;
  for (const auto& old : parseXfceList(listing))
    commands.push_back({"xfconf-query", "-c", std::string(kXfceChannel), "-p", old.name, "-r"});
  if (commands.empty()) {
    say("Xfce: no liseur shortcuts installed");
    return okStatus();
  }
  if (dryRun) say("would run:");
  if (auto st = apply(commands, dryRun, run, say); !st) return st;
  if (!dryRun) say("Xfce: removed " + std::to_string(commands.size()) + " liseur shortcuts");
  return okStatus();
}

Result<std::vector<InstalledShortcut>> listXfce(const ProgramRunner& run) {
  std::string listing;
  if (auto st = checkXfce(run, &listing); !st) return st.error();
  return parseXfceList(listing);
}

}  // namespace liseur::app
