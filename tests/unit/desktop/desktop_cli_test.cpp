// `liseur hotkeys` end to end, as a person runs it: the build tree's liseur in a fresh XDG tree,
// against the real gsettings (GSETTINGS_BACKEND=keyfile, so GNOME's settings live in a file of
// the temporary XDG_CONFIG_HOME and no D-Bus is needed), the real /etc/sway/config and `sway -C`
// (sway's own config check, run as user nobody since sway refuses root), and every command it
// binds parsed by the real CLI. A test whose tool is not installed is skipped with its package.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app/desktop_shortcuts.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using namespace liseur::app;
using liseur::test::programPath;
using liseur::test::readFile;
using liseur::test::writeFile;

namespace {

struct Outcome {
  int status = -1;
  std::string out, err;
};

// Runs argv with `env` ("NAME=value") added to this process's environment.
Outcome run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  std::vector<std::string> full = {"env"};
  full.insert(full.end(), env.begin(), env.end());
  full.insert(full.end(), argv.begin(), argv.end());
  auto r = runProgram(full);
  if (!r) return {-1, "", r.error().message};
  return {r->status, r->out, r->err};
}

bool have(const std::string& program) {
  return runProgram({"sh", "-c", "command -v " + program}).value().status == 0;
}

class HotkeysCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // The session a person would have: only what the test sets.
    ::unsetenv("SWAYSOCK");
    ::unsetenv("XDG_SESSION_TYPE");
    ::setenv("XDG_CURRENT_DESKTOP", "GNOME", 1);
    ::setenv("GSETTINGS_BACKEND", "keyfile", 1);
    fs::create_directories(xdg_.path("home"));
    liseur_ = programPath("liseur");
  }

  Outcome liseur(std::vector<std::string> args) {
    args.insert(args.begin(), liseur_);
    Outcome r = run(args);
    return r;
  }

  Outcome gsettings(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"gsettings"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  std::string get(const std::string& schema, const std::string& key) {
    Outcome r = gsettings({"get", schema, key});
    EXPECT_EQ(r.status, 0) << r.err;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }
  std::string entry(const std::string& path) { return std::string(kGnomeEntrySchema) + ":" + path; }
  void requireGnome() {
    if (!have("gsettings")) GTEST_FAIL() << "gsettings is missing (Debian package libglib2.0-bin)";
    if (gsettings({"list-keys", std::string(kGnomeSchema)}).status != 0)
      GTEST_FAIL() << "GNOME's media-keys schema is missing (gnome-settings-daemon-common)";
  }

  liseur::test::TempXdg xdg_;
  std::string liseur_;
};

const std::string kCustom0 = std::string(kGnomePathPrefix) + "custom0/";

TEST_F(HotkeysCli, GnomeKeepsTheUsersBindingAndRemovesExactlyOurs) {
  ASSERT_NO_FATAL_FAILURE(requireGnome());
  // The user's own shortcut, made as GNOME Settings makes it.
  ASSERT_EQ(
      gsettings({"set", std::string(kGnomeSchema), "custom-keybindings", "['" + kCustom0 + "']"})
          .status,
      0);
  ASSERT_EQ(gsettings({"set", entry(kCustom0), "name", "'Terminal'"}).status, 0);
  ASSERT_EQ(gsettings({"set", entry(kCustom0), "command", "'foot'"}).status, 0);
  ASSERT_EQ(gsettings({"set", entry(kCustom0), "binding", "'<Super>Return'"}).status, 0);
  const std::string keyfile = xdg_.path("config/glib-2.0/settings/keyfile");
  ASSERT_TRUE(fs::exists(keyfile));

  // Detected from XDG_CURRENT_DESKTOP=GNOME.
  Outcome r = liseur({"hotkeys", "install"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("not bound: mark_corner"), std::string::npos) << r.out;

  const std::string list = get(std::string(kGnomeSchema), "custom-keybindings");
  std::vector<std::string> expected = {kCustom0};
  for (const char* a :
       {"read_window", "read_pointer", "stop", "pause_resume", "review_next_line",
        "review_prev_line", "review_next_word", "review_prev_word", "review_next_page",
        "review_prev_page", "spell", "faster", "slower", "repeat", "watch_window"})
    expected.push_back(gnomeEntryPath(a));
  EXPECT_EQ(list, gvariantStringArray(expected));

  const std::string window = entry(gnomeEntryPath("read_window"));
  EXPECT_EQ(get(window, "binding"), "'<Control><Alt><Shift>w'");
  EXPECT_EQ(get(window, "command"), "'" + liseur_ + " read window'");
  EXPECT_EQ(get(window, "name"), "'liseur: Read the active window'");
  EXPECT_EQ(get(entry(gnomeEntryPath("pause_resume")), "binding"), "'<Control><Alt><Shift>space'");
  EXPECT_EQ(get(entry(gnomeEntryPath("slower")), "command"), "'" + liseur_ + " set rate -20'");

  // Again, with stop turned off in the user's configuration: stop goes, nothing doubles.
  fs::create_directories(xdg_.path("config/liseur"));
  writeFile(xdg_.path("config/liseur/liseur.toml"), "[hotkeys]\nstop = \"\"\n");
  r = liseur({"hotkeys", "install", "--desktop", "gnome"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::erase(expected, gnomeEntryPath("stop"));
  EXPECT_EQ(get(std::string(kGnomeSchema), "custom-keybindings"), gvariantStringArray(expected));
  EXPECT_EQ(get(entry(gnomeEntryPath("stop")), "command"), "''");  // reset to the default

  r = liseur({"hotkeys", "list", "--desktop", "gnome"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("<Control><Alt><Shift>w  " + liseur_ +
                       " read window  (liseur: Read the active window)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("Terminal"), std::string::npos) << r.out;

  // A dry run changes nothing and says what it would run.
  const std::string before = readFile(keyfile);
  r = liseur({"hotkeys", "uninstall", "--desktop", "gnome", "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("gsettings reset-recursively"), std::string::npos) << r.out;
  EXPECT_EQ(readFile(keyfile), before);

  r = liseur({"hotkeys", "uninstall"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(get(std::string(kGnomeSchema), "custom-keybindings"), "['" + kCustom0 + "']");
  EXPECT_EQ(get(entry(kCustom0), "binding"), "'<Super>Return'");
  EXPECT_EQ(get(entry(kCustom0), "command"), "'foot'");
  EXPECT_EQ(get(window, "binding"), "''");
  const std::string after = readFile(keyfile);
  EXPECT_EQ(after.find("liseur:"), std::string::npos) << after;
  EXPECT_EQ(after.find(liseur_), std::string::npos) << after;

  r = liseur({"hotkeys", "list", "--desktop", "gnome"});
  EXPECT_EQ(r.out, "gnome: none\n");
}

TEST_F(HotkeysCli, GnomeWarnsAboutTheUsersShortcutOnTheSameKeys) {
  ASSERT_NO_FATAL_FAILURE(requireGnome());
  ASSERT_EQ(
      gsettings({"set", std::string(kGnomeSchema), "custom-keybindings", "['" + kCustom0 + "']"})
          .status,
      0);
  ASSERT_EQ(gsettings({"set", entry(kCustom0), "name", "'Mine'"}).status, 0);
  ASSERT_EQ(gsettings({"set", entry(kCustom0), "binding", "'<Control><Alt><Shift>W'"}).status, 0);
  Outcome r = liseur({"hotkeys", "install", "--desktop", "gnome"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("warning: your GNOME shortcut 'Mine' is on <Control><Alt><Shift>W too, "
                       "like liseur's read_window"),
            std::string::npos)
      << r.out;
}

// A backend that drops what is written (as dconf does without the session's D-Bus) is an
// error, not a silent success.
TEST_F(HotkeysCli, GnomeSettingsNotKeptIsAnError) {
  ASSERT_NO_FATAL_FAILURE(requireGnome());
  ::setenv("GSETTINGS_BACKEND", "memory", 1);
  Outcome r = liseur({"hotkeys", "install", "--desktop", "gnome"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find("liseur: config-write-failed: GNOME's settings did not keep the shortcuts"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("GSETTINGS_BACKEND is 'memory'"), std::string::npos) << r.err;
}

TEST_F(HotkeysCli, UnknownDesktopListsTheSupportedOnesAndTheCommands) {
  ::setenv("XDG_CURRENT_DESKTOP", "KDE", 1);
  Outcome r = liseur({"hotkeys", "install"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("liseur: invalid-argument: cannot tell which desktop this is "
                       "(XDG_CURRENT_DESKTOP is 'KDE')"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("gnome, sway, xfce"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  Ctrl+Alt+Shift+W  " + liseur_ + " read window  (Read the active window)"),
            std::string::npos)
      << r.err;
  r = liseur({"hotkeys", "install", "--desktop", "kde"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("the desktop 'kde'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(liseur_ + " pause --toggle"), std::string::npos) << r.err;
}

TEST_F(HotkeysCli, BrokenConfigurationIsRefused) {
  fs::create_directories(xdg_.path("config/liseur"));
  writeFile(xdg_.path("config/liseur/liseur.toml"), "[hotkeys]\nstop = \"Ctlr+S\"\n");
  Outcome r = liseur({"hotkeys", "install", "--desktop", "sway", "--dry-run"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hotkeys.stop"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("config-invalid"), std::string::npos) << r.err;
}

// Every bound command is one the CLI accepts: with --no-spawn and no daemon it may fail with
// not-running (status 1), never with a usage error (status 2).
TEST_F(HotkeysCli, EveryBoundCommandParses) {
  Outcome r = liseur({"hotkeys", "install", "--desktop", "sway", "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto shortcuts = parseSwaySnippet(r.out.substr(r.out.find("\n  #")));
  ASSERT_EQ(shortcuts.size(), 15u) << r.out;
  for (const auto& s : shortcuts) {
    std::string cmd = s.command;
    ASSERT_EQ(cmd.rfind(liseur_ + " ", 0), 0u) << cmd;
    Outcome c = run({"sh", "-c", liseur_ + " --no-spawn" + cmd.substr(liseur_.size())});
    EXPECT_NE(c.status, 2) << cmd << ": " << c.err;
    EXPECT_TRUE(c.status == 0 || c.err.find("not-running") != std::string::npos)
        << cmd << ": status " << c.status << ": " << c.err;
  }
}

// sway: /etc/sway/config copied, the include appended, `sway -C` (as nobody) finds no error in
// the result, and uninstall leaves the copy exactly as /etc/sway/config.
TEST_F(HotkeysCli, SwayConfigIsValidForSwayAndRemovedExactly) {
  if (!fs::exists("/etc/sway/config") || !have("sway"))
    GTEST_FAIL() << "sway is missing (Debian package sway)";
  Outcome r = liseur({"hotkeys", "install", "--desktop", "sway"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string config = xdg_.path("config/sway/config");
  const std::string snippet = xdg_.path("config/sway/liseur-hotkeys.conf");
  const std::string system = readFile("/etc/sway/config");
  EXPECT_NE(r.out.find("copy /etc/sway/config to " + config), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SWAYSOCK is not set, so sway was not reloaded"), std::string::npos);
  EXPECT_EQ(readFile(config), system + (system.empty() || system.back() == '\n' ? "" : "\n") +
                                  "# added by liseur hotkeys install (`liseur hotkeys uninstall` "
                                  "removes these two lines)\ninclude " +
                                  snippet + "\n");
  EXPECT_NE(
      readFile(snippet).find("bindsym Ctrl+Alt+Shift+space exec " + liseur_ + " pause --toggle\n"),
      std::string::npos);

  r = liseur({"hotkeys", "list", "--desktop", "sway"});
  EXPECT_NE(r.out.find("  Ctrl+Alt+Shift+w  " + liseur_ + " read window  (read_window)"),
            std::string::npos)
      << r.out;

  // sway's own check of the whole configuration, ours included. sway refuses to run as root.
  const std::string runtime = xdg_.path("sway-run");
  fs::create_directories(runtime);
  std::vector<std::string> asUser;
  if (geteuid() == 0) {
    if (!have("setpriv")) GTEST_FAIL() << "setpriv is missing (Debian package util-linux)";
    // nobody must read the files: open the temporary tree to others (read only).
    for (fs::path p = xdg_.root();; p = p.parent_path()) {
      ::chmod(p.c_str(), 0755);
      if (p == fs::path(xdg_.root())) break;
    }
    for (const auto& d : {xdg_.path("config"), xdg_.path("config/sway")}) ::chmod(d.c_str(), 0755);
    ::chmod(runtime.c_str(), 0700);
    ASSERT_EQ(::chown(runtime.c_str(), 65534, 65534), 0);
    asUser = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  std::vector<std::string> check = asUser;
  for (const char* a : {"sway", "-C", "-c"}) check.push_back(a);
  check.push_back(config);
  Outcome v =
      run(check, {"XDG_RUNTIME_DIR=" + runtime, "WLR_BACKENDS=headless", "WLR_RENDERER=pixman",
                  "WLR_LIBINPUT_NO_DEVICES=1", "HOME=" + xdg_.path("home")});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.err.find("Error"), std::string::npos) << "sway -C " << config << ":\n" << v.err;
  EXPECT_EQ(v.err.find("liseur-hotkeys.conf"), std::string::npos) << v.err;

  r = liseur({"hotkeys", "uninstall", "--desktop", "sway"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(readFile(config), system);
  EXPECT_FALSE(fs::exists(snippet));
}

// Xfce: the real xfconfd, started by D-Bus activation on a private session bus, with its files
// in the temporary XDG_CONFIG_HOME. The user's own custom command stays; ours go on uninstall.
TEST_F(HotkeysCli, XfceThroughTheRealXfconf) {
  if (!have("xfconf-query") || !have("dbus-run-session"))
    GTEST_FAIL() << "xfconf-query or dbus-run-session is missing (Debian packages xfconf, dbus)";
  const std::string script = xdg_.path("xfce.sh");
  writeFile(script,
            "set -e\n"
            "q() { xfconf-query -c xfce4-keyboard-shortcuts \"$@\"; }\n"
            "q -p '/commands/custom/<Alt>F2' -n -t string -s xfce4-appfinder\n"
            "q -p '/commands/custom/<Primary><Alt><Shift>s' -n -t string -s xkill\n"
            "\"$1\" hotkeys install --desktop xfce > " +
                xdg_.path("install.out") +
                "\n"
                "\"$1\" hotkeys install --desktop xfce > /dev/null\n"
                "q -l -v > " +
                xdg_.path("installed") +
                "\n"
                "\"$1\" hotkeys list --desktop xfce > " +
                xdg_.path("list.out") +
                "\n"
                "\"$1\" hotkeys uninstall --desktop xfce > /dev/null\n"
                "q -l -v > " +
                xdg_.path("uninstalled") + "\n");
  Outcome r = run({"dbus-run-session", "--", "sh", script, liseur_});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  const std::string out = readFile(xdg_.path("install.out"));
  EXPECT_NE(out.find("warning: Xfce already runs 'xkill' on <Primary><Alt><Shift>s; liseur's stop "
                     "is not bound"),
            std::string::npos)
      << out;
  const std::string installed = readFile(xdg_.path("installed"));
  auto ours = parseXfceList(installed);
  EXPECT_EQ(ours.size(), 14u) << installed;  // 15 less stop, whose keys are the user's
  EXPECT_NE(installed.find("/commands/custom/<Primary><Alt><Shift>w"), std::string::npos);
  EXPECT_NE(installed.find(liseur_ + " read window\n"), std::string::npos) << installed;
  EXPECT_NE(readFile(xdg_.path("list.out"))
                .find("  <Primary><Alt><Shift>space  " + liseur_ + " pause --toggle\n"),
            std::string::npos);
  const std::string after = readFile(xdg_.path("uninstalled"));
  EXPECT_NE(after.find("xfce4-appfinder"), std::string::npos) << after;
  EXPECT_NE(after.find("xkill"), std::string::npos) << after;
  EXPECT_EQ(after.find("liseur"), std::string::npos) << after;
}

}  // namespace
