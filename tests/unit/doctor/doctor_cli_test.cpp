// `liseur doctor` and `liseur autostart` as a person runs them: the build tree's liseur in a fresh
// XDG tree with no daemon. The doctor must answer without starting liseurd, and say what to do;
// the autostart entry it writes must pass desktop-file-validate and be removed by disable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/autostart_command.h"
#include "app/desktop_shortcuts.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using liseur::app::runProgram;
using liseur::test::programPath;
using liseur::test::readFile;
using liseur::test::TempXdg;
using nlohmann::json;

namespace {

// writeFile in a folder made first.
void put(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  liseur::test::writeFile(path, content);
}

struct Outcome {
  int status = -1;
  std::string out, err;
};

class DoctorCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "SWAYSOCK", "XDG_CURRENT_DESKTOP",
                          "XDG_SESSION_TYPE", "LISEUR_DAEMON"})
      ::unsetenv(v);
    // Models for English only: French is missing here.
    put(xdg_.path("tessdata/eng.traineddata"), "x");
    ::setenv("TESSDATA_PREFIX", xdg_.path("tessdata").c_str(), 1);
    liseur_ = programPath("liseur");
  }
  void TearDown() override { ::unsetenv("TESSDATA_PREFIX"); }

  Outcome liseur(std::vector<std::string> args) {
    args.insert(args.begin(), liseur_);
    auto r = runProgram(args);
    if (!r) return {-1, "", r.error().message};
    return {r->status, r->out, r->err};
  }

  TempXdg xdg_;
  std::string liseur_;
};

TEST_F(DoctorCli, JsonWithoutDaemonNamesTheMissingModelAndStartsNothing) {
  Outcome r = liseur({"doctor", "--json"});
  ASSERT_EQ(r.status, 1) << r.out << r.err;  // a problem: the French model
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  std::map<std::string, json> byName;
  for (const auto& c : j["checks"]) byName[c["name"]] = c;
  for (const char* name : {"daemon", "autostart", "config", "display", "audio", "speech-output",
                           "voices", "ocr", "hotkeys", "plugins"})
    EXPECT_TRUE(byName.count(name)) << name << "\n" << r.out;
  EXPECT_EQ(byName["daemon"]["status"], "warning") << r.out;
  EXPECT_EQ(byName["ocr"]["status"], "problem") << r.out;
  EXPECT_EQ(byName["ocr"]["fix"], "install tesseract-ocr-fra") << r.out;
  EXPECT_GE(j["problems"].get<int>(), 1);
  // Doctor does not autospawn: no daemon socket appeared.
  EXPECT_FALSE(fs::exists(xdg_.path("run/liseur/socket")));
}

TEST_F(DoctorCli, TextLinesAndExitStatusZeroWhenNothingIsAProblem) {
  Outcome r = liseur({"doctor"});
  EXPECT_NE(r.out.find("problem  ocr: OCR model missing: " + xdg_.path("tessdata") +
                       "/fra.traineddata. Fix: install tesseract-ocr-fra\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warning  daemon: liseurd is not running"), std::string::npos) << r.out;
  // One line per check.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 10) << r.out;

  // With the model there and every other problem out of the way, the status is 0.
  put(xdg_.path("tessdata/fra.traineddata"), "x");
  put(xdg_.path("config/liseur/liseur.toml"),
      "[plugins]\nchain = []\n");  // plugins may not be built in this tree
  r = liseur({"doctor", "--json"});
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out << r.err;
  std::string problems;
  for (const auto& c : j["checks"])
    if (c["status"] == "problem") problems += c.dump() + "\n";
  // This machine may have no sound device: that is the one problem allowed here.
  if (problems.find("\"audio\"") != std::string::npos && j["problems"] == 1) {
    EXPECT_EQ(r.status, 1);
  } else {
    EXPECT_EQ(problems, "");
    EXPECT_EQ(r.status, 0) << r.out;
  }
}

TEST_F(DoctorCli, AutostartXdgEntryEnableStatusDisable) {
  const std::string entry = xdg_.path("config/autostart/liseur.desktop");
  Outcome r = liseur({"autostart", "enable", "--method", "xdg", "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("would write " + entry), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(entry));

  r = liseur({"autostart", "enable", "--method", "xdg"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_TRUE(fs::exists(entry)) << r.out;
  const std::string text = readFile(entry);
  EXPECT_NE(text.find("Exec=" + fs::canonical(liseur_).string() + " autostart start\n"),
            std::string::npos)
      << text;
  auto have = runProgram({"sh", "-c", "command -v desktop-file-validate"});
  if (have && have->status == 0) {
    auto v = runProgram({"desktop-file-validate", entry});
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, 0) << v->out << v->err;
  }

  r = liseur({"autostart", "status", "--json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  json j = json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["enabled"], true) << r.out;
  EXPECT_EQ(j["xdg"]["liseur"], true) << r.out;

  // The doctor sees it.
  r = liseur({"doctor", "--json"});
  j = json::parse(r.out, nullptr, false);
  for (const auto& c : j["checks"]) {
    if (c["name"] == "autostart") {
      EXPECT_EQ(c["status"], "ok") << c.dump();
    }
  }

  r = liseur({"autostart", "disable"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(entry));
  r = liseur({"autostart", "status"});
  EXPECT_NE(r.out.find("liseurd does not start at login"), std::string::npos) << r.out;
}

}  // namespace
