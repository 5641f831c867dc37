// `liseur autostart` (app/autostart_command.h): the entry's text and path, the choice between
// systemd and an XDG entry, enable/disable with a fake systemctl and a temporary
// XDG_CONFIG_HOME; the entry is checked by the real desktop-file-validate when installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app/autostart_command.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using namespace liseur::app;
using liseur::test::readFile;
using liseur::test::TempXdg;

namespace {

// writeFile in a folder made first.
void put(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  liseur::test::writeFile(path, content);
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// A systemctl --user that knows liseurd's units (or not), with the states given.
struct FakeSystemctl {
  bool units = true;
  std::string service = "disabled", socket = "enabled", graphical = "active";
  std::vector<std::string> ran;

  ProgramRunner runner() {
    return [this](const std::vector<std::string>& argv) -> liseur::Result<ProgramOutput> {
      ran.push_back(joined(argv));
      if (argv[0] != "systemctl")
        return liseur::Error{liseur::ErrorCode::kFileNotFound, argv[0] + " is not installed"};
      const std::string verb = argv[2];
      if (verb == "list-unit-files")
        return units ? ProgramOutput{0,
                                     "liseurd.service disabled enabled\nliseurd.socket enabled "
                                     "enabled\n",
                                     ""}
                     : ProgramOutput{1, "", ""};
      if (verb == "is-enabled")
        return ProgramOutput{0, (argv[3] == "liseurd.service" ? service : socket) + "\n", ""};
      if (verb == "is-active") return ProgramOutput{graphical == "active" ? 0 : 3, graphical, ""};
      return ProgramOutput{0, "", ""};  // enable, disable
    };
  }
};

class Autostart : public ::testing::Test {
 protected:
  std::vector<std::string> said_;
  Say say_ = [this](const std::string& line) { said_.push_back(line); };
  std::string saidText() const {
    std::string out;
    for (const auto& l : said_) out += l + "\n";
    return out;
  }
  TempXdg xdg_;
  std::string entry_ = xdg_.path("config/autostart/liseur.desktop");
};

TEST(AutostartEntry, PathFollowsXdgConfigHome) {
  EXPECT_EQ(autostartEntryPath("/home/ana", ""), "/home/ana/.config/autostart/liseur.desktop");
  EXPECT_EQ(autostartEntryPath("/home/ana", "/x/cfg"), "/x/cfg/autostart/liseur.desktop");
  // A relative XDG_CONFIG_HOME is ignored, as the base directory specification says.
  EXPECT_EQ(autostartEntryPath("/home/ana", "cfg"), "/home/ana/.config/autostart/liseur.desktop");
}

TEST(AutostartEntry, ExecWordIsQuotedWhenNeeded) {
  EXPECT_EQ(desktopExecWord("/usr/bin/liseur"), "/usr/bin/liseur");
  EXPECT_EQ(desktopExecWord("/opt/my liseur/liseur"), "\"/opt/my liseur/liseur\"");
  EXPECT_EQ(desktopExecWord("/a$b"), "\"/a\\\\$b\"");
  EXPECT_EQ(desktopExecWord("/a%b"), "\"/a%%b\"");
}

TEST(AutostartEntry, RunsAutostartStartAndCarriesTheMarker) {
  std::string e = autostartEntry("/usr/bin/liseur");
  EXPECT_NE(e.find("\nExec=/usr/bin/liseur autostart start\n"), std::string::npos) << e;
  EXPECT_NE(e.find("\nTryExec=/usr/bin/liseur\n"), std::string::npos) << e;
  EXPECT_TRUE(isLiseurAutostartEntry(e));
  EXPECT_FALSE(isLiseurAutostartEntry("[Desktop Entry]\nExec=liseurd\n"));
}

TEST_F(Autostart, EntryPassesDesktopFileValidate) {
  auto have = runProgram({"sh", "-c", "command -v desktop-file-validate"});
  ASSERT_TRUE(have && have->status == 0)
      << "desktop-file-validate is missing (Debian package desktop-file-utils, in "
         "packaging/debian-packages.txt)";
  for (const std::string liseur : {"/usr/bin/liseur", "/opt/my liseur/bin/liseur"}) {
    put(xdg_.path("liseur.desktop"), autostartEntry(liseur));
    auto r = runProgram({"desktop-file-validate", xdg_.path("liseur.desktop")});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 0) << liseur << "\n" << r->out << r->err << autostartEntry(liseur);
    EXPECT_EQ(r->out + r->err, "") << autostartEntry(liseur);  // not even a hint
  }
}

TEST_F(Autostart, SystemdChosenInAGraphicalSessionWithTheUnits) {
  FakeSystemctl sys;
  AutostartState s = autostartState(sys.runner(), entry_);
  EXPECT_TRUE(s.units);
  EXPECT_TRUE(s.graphicalSession);
  EXPECT_TRUE(s.socketActivation());
  EXPECT_FALSE(s.enabled());
  EXPECT_EQ(s.preferredMethod(), "systemd");

  sys.ran.clear();
  ASSERT_TRUE(enableAutostart(s, "", "/usr/bin/liseur", /*dryRun=*/true, sys.runner(), say_));
  EXPECT_TRUE(sys.ran.empty()) << "dry run ran: " << sys.ran.front();
  EXPECT_NE(saidText().find("would run: systemctl --user enable --now liseurd.service"),
            std::string::npos)
      << saidText();

  ASSERT_TRUE(enableAutostart(s, "", "/usr/bin/liseur", false, sys.runner(), say_));
  ASSERT_EQ(sys.ran.size(), 1u);
  EXPECT_EQ(sys.ran[0], "systemctl --user enable --now liseurd.service");
  EXPECT_FALSE(fs::exists(entry_));
}

TEST_F(Autostart, XdgEntryWithoutUnitsOrOutsideAGraphicalSession) {
  FakeSystemctl sys;
  sys.graphical = "inactive";  // Xfce: no graphical-session.target
  AutostartState s = autostartState(sys.runner(), entry_);
  EXPECT_EQ(s.preferredMethod(), "xdg");
  sys.units = false;
  s = autostartState(sys.runner(), entry_);
  EXPECT_FALSE(s.units);
  EXPECT_EQ(s.preferredMethod(), "xdg");
  // systemd asked for without the units: refused, saying what to use.
  auto st = enableAutostart(s, "systemd", "/usr/bin/liseur", false, sys.runner(), say_);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("--method xdg"), std::string::npos);

  ASSERT_TRUE(enableAutostart(s, "", "/usr/bin/liseur", true, sys.runner(), say_));
  EXPECT_FALSE(fs::exists(entry_)) << "dry run wrote the entry";
  EXPECT_NE(saidText().find("would write " + entry_), std::string::npos) << saidText();

  ASSERT_TRUE(enableAutostart(s, "", "/usr/bin/liseur", false, sys.runner(), say_));
  EXPECT_EQ(readFile(entry_), autostartEntry("/usr/bin/liseur"));
  s = autostartState(sys.runner(), entry_);
  EXPECT_TRUE(s.xdgEnabled());
  EXPECT_TRUE(s.enabled());
  // Again: same file.
  ASSERT_TRUE(enableAutostart(s, "xdg", "/usr/bin/liseur", false, sys.runner(), say_));
  EXPECT_EQ(readFile(entry_), autostartEntry("/usr/bin/liseur"));

  said_.clear();
  ASSERT_TRUE(disableAutostart(s, true, sys.runner(), say_));
  EXPECT_TRUE(fs::exists(entry_)) << "dry run removed the entry";
  ASSERT_TRUE(disableAutostart(s, false, sys.runner(), say_));
  EXPECT_FALSE(fs::exists(entry_));
  EXPECT_FALSE(autostartState(sys.runner(), entry_).enabled());
}

TEST_F(Autostart, AnEntryTheUserWroteIsNeverReplacedOrRemoved) {
  FakeSystemctl sys;
  sys.units = false;
  const std::string mine = "[Desktop Entry]\nType=Application\nName=mine\nExec=liseurd\n";
  put(entry_, mine);
  AutostartState s = autostartState(sys.runner(), entry_);
  EXPECT_TRUE(s.entry);
  EXPECT_FALSE(s.entryOurs);
  EXPECT_FALSE(s.enabled());
  auto st = enableAutostart(s, "xdg", "/usr/bin/liseur", false, sys.runner(), say_);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("not written by liseur"), std::string::npos);
  ASSERT_TRUE(disableAutostart(s, false, sys.runner(), say_));
  EXPECT_EQ(readFile(entry_), mine);
}

TEST_F(Autostart, DisableRunsSystemctlDisableAndEnableSystemdDropsOurEntry) {
  FakeSystemctl sys;
  put(entry_, autostartEntry("/usr/bin/liseur"));
  AutostartState s = autostartState(sys.runner(), entry_);
  ASSERT_TRUE(s.xdgEnabled());
  // Switching to systemd: the login entry would start the same daemon again; it goes.
  ASSERT_TRUE(enableAutostart(s, "systemd", "/usr/bin/liseur", false, sys.runner(), say_));
  EXPECT_FALSE(fs::exists(entry_));

  sys.service = "enabled";
  s = autostartState(sys.runner(), entry_);
  EXPECT_TRUE(s.systemdEnabled());
  sys.ran.clear();
  ASSERT_TRUE(disableAutostart(s, false, sys.runner(), say_));
  ASSERT_EQ(sys.ran.size(), 1u);
  EXPECT_EQ(sys.ran[0], "systemctl --user disable liseurd.service");
}

TEST_F(Autostart, StatusDescribesBothWays) {
  FakeSystemctl sys;
  sys.service = "enabled";
  AutostartState s = autostartState(sys.runner(), entry_);
  std::string d = describeAutostart(s, false);
  EXPECT_NE(d.find("liseurd.service enabled"), std::string::npos) << d;
  EXPECT_NE(d.find("xdg: no entry"), std::string::npos) << d;
  auto j = s.toJson();
  EXPECT_EQ(j["enabled"], true) << j.dump();
  EXPECT_EQ(j["systemd"]["service"], "enabled") << j.dump();
  // sway runs no XDG autostart entries: said.
  put(entry_, autostartEntry("/usr/bin/liseur"));
  sys.service = "disabled";
  s = autostartState(sys.runner(), entry_);
  EXPECT_NE(describeAutostart(s, true).find("exec liseur autostart start"), std::string::npos);
}

}  // namespace
