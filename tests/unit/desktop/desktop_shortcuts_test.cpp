// desktop_shortcuts.h without a desktop: the chords of every default hotkey in GNOME's, Xfce's
// and sway's syntax, the hotkey actions as liseur commands, the GVariant text gsettings reads and
// prints, and the sway configuration edits on real files in a temporary directory (a fixture
// stands in for /etc/sway/config; swaymsg is a recording double here, the real one runs in
// desktop_cli_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/desktop_shortcuts.h"
#include "config/config_schema.h"
#include "config/config_store.h"
#include "core/paths.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using namespace liseur::app;
using liseur::ErrorCode;
using liseur::Result;
using liseur::test::readFile;

namespace {

// Writes `content` to `path`, making its directories.
void writeFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  liseur::test::writeFile(path, content);
}

// The shipped defaults, with no /etc or user layer.
std::vector<ConfiguredHotkey> defaultHotkeys() {
  liseur::config::ConfigDirs dirs{"/nonexistent/etc-liseur", "/nonexistent/user-liseur",
                                  liseur::dataDir() + "/config"};
  auto built = liseur::config::buildConfig(dirs);
  EXPECT_TRUE(built.ok());
  return built.ok() ? configuredHotkeys(*built.config) : std::vector<ConfiguredHotkey>{};
}

struct Expected {
  const char* chord;
  const char* gnome;
  const char* xfce;
  const char* sway;
  const char* command;  // after the program's path; "" = not bound
};

// Every default hotkey of config_schema.cpp. A new hotkey fails DefaultHotkeys.* until it is
// added here (and given a command in desktop_shortcuts.cpp, or a reason to skip it).
const std::map<std::string, Expected>& expectedDefaults() {
  static const std::map<std::string, Expected> m = {
      {"read_window",
       {"Ctrl+Alt+Shift+W", "<Control><Alt><Shift>w", "<Primary><Alt><Shift>w", "Ctrl+Alt+Shift+w",
        "read window"}},
      {"read_pointer",
       {"Ctrl+Alt+Shift+P", "<Control><Alt><Shift>p", "<Primary><Alt><Shift>p", "Ctrl+Alt+Shift+p",
        "read pointer"}},
      {"mark_corner",
       {"Ctrl+Alt+Shift+M", "<Control><Alt><Shift>m", "<Primary><Alt><Shift>m", "Ctrl+Alt+Shift+m",
        ""}},
      {"stop",
       {"Ctrl+Alt+Shift+S", "<Control><Alt><Shift>s", "<Primary><Alt><Shift>s", "Ctrl+Alt+Shift+s",
        "stop"}},
      {"pause_resume",
       {"Ctrl+Alt+Shift+space", "<Control><Alt><Shift>space", "<Primary><Alt><Shift>space",
        "Ctrl+Alt+Shift+space", "pause --toggle"}},
      {"review_next_line",
       {"Ctrl+Alt+Shift+K", "<Control><Alt><Shift>k", "<Primary><Alt><Shift>k", "Ctrl+Alt+Shift+k",
        "review next-line"}},
      {"review_prev_line",
       {"Ctrl+Alt+Shift+I", "<Control><Alt><Shift>i", "<Primary><Alt><Shift>i", "Ctrl+Alt+Shift+i",
        "review previous-line"}},
      {"review_next_word",
       {"Ctrl+Alt+Shift+L", "<Control><Alt><Shift>l", "<Primary><Alt><Shift>l", "Ctrl+Alt+Shift+l",
        "review next-word"}},
      {"review_prev_word",
       {"Ctrl+Alt+Shift+J", "<Control><Alt><Shift>j", "<Primary><Alt><Shift>j", "Ctrl+Alt+Shift+j",
        "review previous-word"}},
      {"review_next_page",
       {"Ctrl+Alt+Shift+N", "<Control><Alt><Shift>n", "<Primary><Alt><Shift>n", "Ctrl+Alt+Shift+n",
        "review next-page"}},
      {"review_prev_page",
       {"Ctrl+Alt+Shift+B", "<Control><Alt><Shift>b", "<Primary><Alt><Shift>b", "Ctrl+Alt+Shift+b",
        "review previous-page"}},
      {"spell",
       {"Ctrl+Alt+Shift+O", "<Control><Alt><Shift>o", "<Primary><Alt><Shift>o", "Ctrl+Alt+Shift+o",
        "review spell"}},
      {"faster",
       {"Ctrl+Alt+Shift+F", "<Control><Alt><Shift>f", "<Primary><Alt><Shift>f", "Ctrl+Alt+Shift+f",
        "set rate +20"}},
      {"slower",
       {"Ctrl+Alt+Shift+D", "<Control><Alt><Shift>d", "<Primary><Alt><Shift>d", "Ctrl+Alt+Shift+d",
        "set rate -20"}},
      {"repeat",
       {"Ctrl+Alt+Shift+A", "<Control><Alt><Shift>a", "<Primary><Alt><Shift>a", "Ctrl+Alt+Shift+a",
        "review repeat"}},
      {"watch_window",
       {"Ctrl+Alt+Shift+G", "<Control><Alt><Shift>g", "<Primary><Alt><Shift>g", "Ctrl+Alt+Shift+g",
        "watch window --toggle"}},
  };
  return m;
}

}  // namespace

TEST(DefaultHotkeys, EveryOneIsExpected) {
  auto hotkeys = defaultHotkeys();
  ASSERT_EQ(hotkeys.size(), expectedDefaults().size());
  for (const auto& h : hotkeys) {
    auto it = expectedDefaults().find(h.action);
    ASSERT_NE(it, expectedDefaults().end()) << "new default hotkey " << h.action;
    EXPECT_EQ(h.chord, it->second.chord) << h.action;
    EXPECT_FALSE(h.description.empty()) << h.action;
    EXPECT_EQ(h.description.find("no hotkey"), std::string::npos) << h.description;
  }
}

TEST(DefaultHotkeys, TranslateToEachDesktop) {
  for (const auto& h : defaultHotkeys()) {
    const Expected& e = expectedDefaults().at(h.action);
    auto chord = parseChord(h.chord);
    ASSERT_TRUE(chord) << h.chord << ": " << chord.error().message;
    EXPECT_EQ(gnomeAccelerator(*chord), e.gnome) << h.chord;
    EXPECT_EQ(xfceAccelerator(*chord), e.xfce) << h.chord;
    EXPECT_EQ(swayKeys(*chord), e.sway) << h.chord;
  }
}

TEST(DefaultHotkeys, PlanRunsTheMatchingLiseurCommands) {
  auto plan = planShortcuts(defaultHotkeys(), "/usr/bin/liseur");
  ASSERT_TRUE(plan) << plan.error().message;
  std::map<std::string, std::string> got;
  for (const auto& s : plan->shortcuts) got[s.action] = s.command();
  for (const auto& [action, e] : expectedDefaults()) {
    if (*e.command == '\0') {
      EXPECT_EQ(got.count(action), 0u) << action;
      continue;
    }
    EXPECT_EQ(got[action], std::string("/usr/bin/liseur ") + e.command) << action;
  }
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].action, "mark_corner");
  EXPECT_NE(plan->skipped[0].reason.find("read region"), std::string::npos)
      << plan->skipped[0].reason;
}

TEST(Chord, ModifiersAnyCaseAndNamedKeys) {
  auto c = parseChord("super+ctrl+F5");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(gnomeAccelerator(*c), "<Control><Super>F5");
  EXPECT_EQ(xfceAccelerator(*c), "<Primary><Super>F5");
  EXPECT_EQ(swayKeys(*c), "Ctrl+Mod4+F5");  // sway 1.7 refuses "Super"
  c = parseChord("Alt+Shift+KP_Add");
  ASSERT_TRUE(c);
  EXPECT_EQ(gnomeAccelerator(*c), "<Alt><Shift>KP_Add");
  EXPECT_EQ(swayKeys(*c), "Alt+Shift+KP_Add");
  c = parseChord("Ctrl+Alt+7");
  ASSERT_TRUE(c);
  EXPECT_EQ(swayKeys(*c), "Ctrl+Alt+7");
}

TEST(Chord, ErrorsNameTheChord) {
  for (const char* bad : {"W", "Ctrl+Ctrl+W", "Ctlr+W", "Ctrl+", "Ctrl+W W", "Ctrl+Alt+$"}) {
    auto c = parseChord(bad);
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(c.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << c.error().message;
  }
}

TEST(Plan, EmptyChordsLeftOutAndDuplicatesRefused) {
  std::vector<ConfiguredHotkey> h = {{"read_window", "Ctrl+Alt+W", "Read"},
                                     {"stop", "", "Stop"},
                                     {"future_action", "Ctrl+Alt+X", "Later"}};
  auto plan = planShortcuts(h, "/opt/my liseur/liseur");
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->shortcuts.size(), 1u);
  EXPECT_EQ(plan->shortcuts[0].command(), "'/opt/my liseur/liseur' read window");
  ASSERT_EQ(plan->skipped.size(), 1u);
  EXPECT_EQ(plan->skipped[0].action, "future_action");

  h.push_back({"read_pointer", "alt+CTRL+w", "Pointer"});
  plan = planShortcuts(h, "/usr/bin/liseur");
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("hotkeys.read_pointer and hotkeys.read_window"),
            std::string::npos)
      << plan.error().message;
}

TEST(Shell, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(shellQuote("/usr/bin/liseur"), "/usr/bin/liseur");
  EXPECT_EQ(shellQuote("+20"), "+20");
  EXPECT_EQ(shellQuote("a b"), "'a b'");
  EXPECT_EQ(shellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(shellQuote(""), "''");
}

TEST(Desktop, DetectedFromTheSession) {
  EXPECT_EQ(*detectDesktop("ubuntu:GNOME", ""), Desktop::kGnome);
  EXPECT_EQ(*detectDesktop("GNOME-Classic:GNOME", ""), Desktop::kGnome);
  EXPECT_EQ(*detectDesktop("XFCE", ""), Desktop::kXfce);
  EXPECT_EQ(*detectDesktop("sway", ""), Desktop::kSway);
  EXPECT_EQ(*detectDesktop("", "/run/user/1000/sway-ipc.sock"), Desktop::kSway);
  auto kde = detectDesktop("KDE", "");
  ASSERT_FALSE(kde);
  EXPECT_NE(kde.error().message.find("'KDE'"), std::string::npos) << kde.error().message;
  EXPECT_NE(kde.error().message.find("gnome, sway, xfce"), std::string::npos);
  EXPECT_NE(kde.error().message.find("by hand"), std::string::npos);
  EXPECT_FALSE(detectDesktop("", ""));
  EXPECT_EQ(desktopFromName("GNOME"), Desktop::kGnome);
  EXPECT_FALSE(desktopFromName("kde"));
}

TEST(GVariant, StringArraysBothWays) {
  EXPECT_EQ(*parseGVariantStringArray("@as []\n"), std::vector<std::string>{});
  EXPECT_EQ(*parseGVariantStringArray("['/a/', '/b/']\n"),
            (std::vector<std::string>{"/a/", "/b/"}));
  EXPECT_EQ(*parseGVariantStringArray("[\"it's\", 'back\\\\slash', 'q\\'uote']"),
            (std::vector<std::string>{"it's", "back\\slash", "q'uote"}));
  std::vector<std::string> odd = {"/x/", "it's", "a\\b", ""};
  EXPECT_EQ(*parseGVariantStringArray(gvariantStringArray(odd)), odd);
  EXPECT_EQ(gvariantStringArray({}), "@as []");
  for (const char* bad : {"", "['a'", "['a' 'b']", "[a]", "['a',]x"}) {
    auto r = parseGVariantStringArray(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(*parseGVariantString("'<Control><Alt>w'\n"), "<Control><Alt>w");
  EXPECT_EQ(*parseGVariantString(gvariantString("liseur 'x' \\ y")), "liseur 'x' \\ y");
}

TEST(Gnome, ListKeepsTheUsersEntriesAndReplacesOurs) {
  const std::string p = std::string(kGnomePathPrefix);
  auto plan = planShortcuts({{"read_window", "Ctrl+Alt+W", "Read"}, {"stop", "Ctrl+Alt+S", "S"}},
                            "/usr/bin/liseur");
  ASSERT_TRUE(plan);
  std::vector<std::string> current = {p + "custom0/", gnomeEntryPath("read_pointer"),
                                      p + "custom1/"};
  auto with = gnomeListWithOurs(current, *plan);
  EXPECT_EQ(with, (std::vector<std::string>{p + "custom0/", p + "custom1/",
                                            p + "liseur-read-window/", p + "liseur-stop/"}));
  EXPECT_EQ(gnomeListWithOurs(with, *plan), with);  // idempotent
  EXPECT_EQ(gnomeListWithoutOurs(with), (std::vector<std::string>{p + "custom0/", p + "custom1/"}));
  EXPECT_FALSE(isLiseurGnomePath(p + "liseurish/"));
  EXPECT_FALSE(isLiseurGnomePath("/elsewhere/liseur-stop/"));
}

TEST(Xfce, OursAreTheLiseurCommands) {
  const char* listing =
      "/commands/custom/<Alt>F2                       xfce4-appfinder --collapsed\n"
      "/commands/custom/<Primary><Alt><Shift>w        /usr/bin/liseur read window\n"
      "/commands/custom/<Primary><Alt><Shift>space    '/opt/a b/liseur' pause --toggle\n"
      "/commands/custom/<Super>l                      liseur-lock\n"
      "/commands/custom/override                      true\n"
      "/xfwm4/custom/<Alt>F4                          close_window_key\n";
  auto found = parseXfceList(listing);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].keys, "<Primary><Alt><Shift>w");
  EXPECT_EQ(found[0].command, "/usr/bin/liseur read window");
  EXPECT_EQ(found[1].name, "/commands/custom/<Primary><Alt><Shift>space");
  EXPECT_TRUE(isLiseurCommand("liseur stop"));
  EXPECT_FALSE(isLiseurCommand("/usr/bin/liseurd"));
}

// ---- sway: the text edits.

TEST(SwayInclude, RemovalRestoresTheBytes) {
  SwayLocations where{"/h/.config/sway/config", "/h/.config/sway/liseur-hotkeys.conf", "", "/h"};
  const std::string line = swayIncludeLines(where);
  EXPECT_EQ(line,
            "# added by liseur hotkeys install (`liseur hotkeys uninstall` removes these two "
            "lines)\ninclude ~/.config/sway/liseur-hotkeys.conf");
  for (std::string config :
       {std::string(""), std::string("set $mod Mod4\n"), std::string("set $mod Mod4"),
        std::string("a\n\n\nb\r\n"), std::string("\n")}) {
    std::string with = withSwayInclude(config, line);
    EXPECT_TRUE(hasSwayInclude(with)) << with;
    EXPECT_NE(with.find(line), std::string::npos);
    EXPECT_EQ(withSwayInclude(with, line), with) << "idempotent for '" << config << "'";
    EXPECT_EQ(withoutSwayInclude(with), config) << "for '" << config << "'";
    EXPECT_FALSE(hasSwayInclude(config));
  }
  // The user's lines after ours stay, and ours move to the end on the next install.
  std::string edited = withSwayInclude("a\n", line) + "b\n";
  EXPECT_EQ(withoutSwayInclude(edited), "a\nb\n");
  EXPECT_EQ(withSwayInclude(edited, line), "a\nb\n" + line + "\n");
  // Only an include right after the marker is ours; the user's own lines are kept.
  const std::string users = "include ~/.config/sway/liseur-hotkeys.conf\n# my notes\n";
  EXPECT_EQ(withoutSwayInclude(withSwayInclude(users, line)), users);
  EXPECT_EQ(withoutSwayInclude("# added by liseur hotkeys install\nbindsym x exec y\n"),
            "bindsym x exec y\n");
}

TEST(SwaySnippet, ListedBack) {
  auto plan = planShortcuts(defaultHotkeys(), "/usr/bin/liseur");
  ASSERT_TRUE(plan);
  std::string snippet = swaySnippet(*plan);
  EXPECT_NE(snippet.find("bindsym Ctrl+Alt+Shift+w exec /usr/bin/liseur read window\n"),
            std::string::npos)
      << snippet;
  EXPECT_NE(snippet.find("# mark_corner (Ctrl+Alt+Shift+M) is not bound: "), std::string::npos);
  auto listed = parseSwaySnippet(snippet);
  ASSERT_EQ(listed.size(), plan->shortcuts.size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].name, plan->shortcuts[i].action);
    EXPECT_EQ(listed[i].keys, swayKeys(plan->shortcuts[i].keys));
    EXPECT_EQ(listed[i].command, plan->shortcuts[i].command());
  }
}

// ---- sway: the files.

class SwayFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = xdg_.path("home");
    configHome_ = xdg_.path("config");
    sysconf_ = xdg_.path("etc");
    fs::create_directories(home_);
    writeFile(sysconf_ + "/sway/config", kSystemConfig);
    plan_ = *planShortcuts(defaultHotkeys(), "/usr/bin/liseur");
  }
  SwayLocations where() const { return locateSway(home_, configHome_, sysconf_); }
  liseur::Status install(bool dryRun = false) {
    return installSway(plan_, where(), dryRun, true, runner(), say());
  }
  liseur::Status uninstall(bool dryRun = false) {
    return uninstallSway(where(), dryRun, true, runner(), say());
  }
  ProgramRunner runner() {
    return [this](const std::vector<std::string>& argv) -> Result<ProgramOutput> {
      std::string line;
      for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
      ran_.push_back(line);
      return ProgramOutput{0, "", ""};
    };
  }
  Say say() {
    return [this](const std::string& l) { said_ += l + "\n"; };
  }
  std::string userConfig() const { return configHome_ + "/sway/config"; }
  std::string snippet() const { return configHome_ + "/sway/liseur-hotkeys.conf"; }
  std::string includeLine() const {
    return "# added by liseur hotkeys install (`liseur hotkeys uninstall` removes these two "
           "lines)\ninclude " +
           snippet();
  }

  static constexpr const char* kSystemConfig =
      "# Default config for sway (fixture)\nset $mod Mod4\nbindsym $mod+Return exec foot\n";
  liseur::test::TempXdg xdg_;
  std::string home_, configHome_, sysconf_;
  ShortcutPlan plan_;
  std::vector<std::string> ran_;
  std::string said_;
};

TEST_F(SwayFiles, NoUserConfigCopiesTheSystemOneFirst) {
  EXPECT_EQ(where().copyFrom, sysconf_ + "/sway/config");
  ASSERT_TRUE(install()) << said_;
  EXPECT_EQ(readFile(userConfig()), std::string(kSystemConfig) + includeLine() + "\n");
  EXPECT_EQ(readFile(snippet()), swaySnippet(plan_));
  EXPECT_NE(said_.find("copy " + sysconf_ + "/sway/config to " + userConfig()), std::string::npos)
      << said_;
  EXPECT_EQ(ran_, std::vector<std::string>{"swaymsg reload"});
  // Now the user's config exists: nothing is copied again.
  EXPECT_TRUE(where().copyFrom.empty());
}

TEST_F(SwayFiles, ExistingConfigKeptByteForByteAndRestored) {
  // No final newline, a symlink-free user file with odd spacing: all kept.
  const std::string mine =
      "set $mod Mod1\n\n  bindsym $mod+d exec wmenu-run   \ninclude /etc/sway/config.d/*";
  writeFile(userConfig(), mine);
  ASSERT_TRUE(install()) << said_;
  const std::string installed = readFile(userConfig());
  EXPECT_EQ(installed, mine + "\n" + includeLine());
  ASSERT_TRUE(install()) << said_;  // again: the same files
  EXPECT_EQ(readFile(userConfig()), installed);
  EXPECT_EQ(readFile(snippet()), swaySnippet(plan_));

  ASSERT_TRUE(uninstall()) << said_;
  EXPECT_EQ(readFile(userConfig()), mine);
  EXPECT_FALSE(fs::exists(snippet()));
  EXPECT_EQ(ran_, (std::vector<std::string>{"swaymsg reload", "swaymsg reload", "swaymsg reload"}));
  said_.clear();
  ASSERT_TRUE(uninstall());
  EXPECT_NE(said_.find("no liseur shortcuts installed"), std::string::npos) << said_;
}

TEST_F(SwayFiles, DotSwayConfigIsTheOneEdited) {
  writeFile(home_ + "/.sway/config", "set $mod Mod4\n");
  writeFile(userConfig(), "# not read by sway while ~/.sway/config exists\n");
  ASSERT_EQ(where().config, home_ + "/.sway/config");
  ASSERT_TRUE(install());
  EXPECT_TRUE(hasSwayInclude(readFile(home_ + "/.sway/config")));
  EXPECT_EQ(readFile(userConfig()), "# not read by sway while ~/.sway/config exists\n");
}

TEST_F(SwayFiles, I3ConfigCopiedToSwaysPlace) {
  writeFile(home_ + "/.i3/config", "# my i3 config\n");
  ASSERT_EQ(where().copyFrom, home_ + "/.i3/config");
  ASSERT_TRUE(install());
  EXPECT_EQ(readFile(userConfig()), "# my i3 config\n" + includeLine() + "\n");
  EXPECT_EQ(readFile(home_ + "/.i3/config"), "# my i3 config\n");
}

TEST_F(SwayFiles, IncludeUnderHomeIsWrittenWithTilde) {
  configHome_ = home_ + "/.config";
  ASSERT_TRUE(install());
  EXPECT_NE(readFile(userConfig())
                .find("removes these two lines)\ninclude ~/.config/sway/liseur-hotkeys.conf\n"),
            std::string::npos);
}

TEST_F(SwayFiles, DryRunWritesNothing) {
  ASSERT_TRUE(install(/*dryRun=*/true));
  EXPECT_FALSE(fs::exists(userConfig()));
  EXPECT_FALSE(fs::exists(snippet()));
  EXPECT_TRUE(ran_.empty());
  EXPECT_NE(said_.find("would copy"), std::string::npos) << said_;
  EXPECT_NE(said_.find("  bindsym Ctrl+Alt+Shift+w exec /usr/bin/liseur read window"),
            std::string::npos)
      << said_;
  EXPECT_NE(said_.find("would run: swaymsg reload"), std::string::npos) << said_;
  ASSERT_TRUE(install());
  said_.clear();
  ASSERT_TRUE(uninstall(/*dryRun=*/true));
  EXPECT_TRUE(fs::exists(snippet()));
  EXPECT_TRUE(hasSwayInclude(readFile(userConfig())));
  EXPECT_NE(said_.find("would remove " + snippet()), std::string::npos) << said_;
}

TEST_F(SwayFiles, NoConfigAnywhereIsAnError) {
  fs::remove_all(sysconf_);
  auto st = install();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kFileNotFound);
  EXPECT_NE(st.error().message.find("Debian package sway"), std::string::npos);
  EXPECT_FALSE(fs::exists(snippet()));
}

TEST_F(SwayFiles, FailedReloadIsReportedAfterWriting) {
  auto failing = [](const std::vector<std::string>&) -> Result<ProgramOutput> {
    return ProgramOutput{1, "", "Error: unable to connect to sway\n"};
  };
  auto st = installSway(plan_, where(), false, true, failing, say());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("unable to connect to sway"), std::string::npos)
      << st.error().message;
  EXPECT_TRUE(fs::exists(snippet()));
}

TEST(Program, RunsAndCapturesBothStreams) {
  auto r = runProgram({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  auto missing = runProgram({"liseur-no-such-program"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kFileNotFound);
}
