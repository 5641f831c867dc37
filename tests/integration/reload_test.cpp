// Reloading the configuration of a running liseurd (SIGHUP, the `reload` command, `liseur
// reload`): a good file applies whole, a broken one keeps the last good configuration and is
// reported with its file and line, and a storm of signals changes nothing but the configuration.
// Also `liseur profile check` and `liseur profile card` run as support staff run them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The daemon's user configuration file in the harness's private XDG tree.
std::string userConfig(const DaemonHarness& d) {
  return d.path("config/liseur/liseur.toml");
}

// Replaces the file the way an editor or `liseur profile set` does (write aside, rename), so
// the daemon never reads a half-written file: what a test controls is the content, not luck.
void replaceFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  const std::string aside = path + ".new";
  writeFile(aside, text);
  fs::rename(aside, path);
}

struct Speech {
  int rate = 0, pitch = 0, volume = 0;
  std::string profile;
};

Speech speechOf(DaemonHarness& d) {
  json s = d.request("status");
  Speech out;
  out.rate = s["speech"].value("rate", 0);
  out.pitch = s["speech"].value("pitch", 0);
  out.volume = s["speech"].value("volume", 0);
  out.profile = s.value("profile", "");
  return out;
}

// Events until one named `name` (nullptr-valued json when none came in time).
json nextEvent(DaemonHarness& d, const std::string& name, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto ev = d.events().readEvent(left);
    if (!ev) break;
    if ((*ev)["event"] == name) return *ev;
  }
  return json();
}

const std::vector<std::string> kArgs = {"--audio", "null", "--no-hotkeys"};

TEST(Reload, AGoodChangeAppliesWholeAndSaysSo) {
  DaemonHarness d(kArgs);
  ASSERT_TRUE(d.started()) << d.startProblem();
  EXPECT_EQ(speechOf(d).profile, "default");
  replaceFile(userConfig(d), "[speech]\nrate = 250\npitch = 30\nvolume = 80\n");
  json r = d.request("reload");
  ASSERT_TRUE(r["ok"]) << r.dump() << d.log();
  EXPECT_TRUE(r["applied"]) << r.dump();
  json ev = nextEvent(d, "config-reloaded", std::chrono::seconds(30));
  ASSERT_FALSE(ev.is_null()) << d.log();
  EXPECT_EQ(ev["profile"], "default") << ev.dump();
  Speech s = speechOf(d);
  EXPECT_EQ(s.rate, 250);
  EXPECT_EQ(s.pitch, 30);
  EXPECT_EQ(s.volume, 80);

  // Switching profile by file: the new profile's values arrive with it.
  replaceFile(userConfig(d), "[daemon]\nprofile = \"blind-expert\"\n");
  r = d.request("reload");
  ASSERT_TRUE(r["ok"]) << r.dump();
  ev = nextEvent(d, "config-reloaded", std::chrono::seconds(30));
  EXPECT_EQ(ev["profile"], "blind-expert") << ev.dump();
  s = speechOf(d);
  EXPECT_EQ(s.profile, "blind-expert");
  EXPECT_EQ(s.rate, 330) << "blind-expert's rate";
  EXPECT_EQ(s.volume, 100) << "the 80 of the previous file is gone with it";
}

TEST(Reload, ABrokenFileKeepsTheLastGoodOneAndNamesTheFileAndLine) {
  DaemonHarness d(kArgs);
  ASSERT_TRUE(d.started()) << d.startProblem();
  const std::string file = userConfig(d);
  replaceFile(file, "[speech]\nrate = 250\nvolume = 80\n");
  ASSERT_TRUE(d.request("reload")["ok"]);
  ASSERT_EQ(speechOf(d).rate, 250);

  // One good key and one bad one: neither applies.
  replaceFile(file, "[speech]\nrate = 300\nvolume = 900\n");
  json r = d.request("reload");
  ASSERT_FALSE(r["ok"]) << r.dump();
  EXPECT_EQ(r["error"]["code"], "config-invalid") << r.dump();
  const std::string msg = r["error"]["message"];
  EXPECT_NE(msg.find(file + ":3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("speech.volume"), std::string::npos) << msg;
  EXPECT_NE(msg.find("an integer from 0 to 200"), std::string::npos) << msg;

  json ev = nextEvent(d, "error", std::chrono::seconds(30));
  ASSERT_FALSE(ev.is_null()) << d.log();
  EXPECT_EQ(ev["code"], "config-invalid") << ev.dump();
  ASSERT_TRUE(ev["diagnostics"].is_array() && !ev["diagnostics"].empty()) << ev.dump();
  const json& diag = ev["diagnostics"][0];
  EXPECT_EQ(diag["file"], file) << ev.dump();
  EXPECT_EQ(diag["line"], 3) << ev.dump();
  EXPECT_EQ(diag["key"], "speech.volume") << ev.dump();
  EXPECT_EQ(diag["found"], "900 (integer)") << ev.dump();
  Speech s = speechOf(d);
  EXPECT_EQ(s.rate, 250) << "the good key of a broken file must not apply";
  EXPECT_EQ(s.volume, 80);
  EXPECT_NE(d.log().find(file + ":3:"), std::string::npos) << "a log line names the file and line\n"
                                                           << d.log();

  // A syntax error is reported the same way, then the fixed file applies.
  replaceFile(file, "[speech\nrate = 300\n");
  r = d.request("reload");
  EXPECT_FALSE(r["ok"]) << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find(file + ":1:"), std::string::npos)
      << r.dump();
  EXPECT_EQ(speechOf(d).rate, 250);
  replaceFile(file, "[speech]\nrate = 300\nvolume = 90\n");
  r = d.request("reload");
  ASSERT_TRUE(r["ok"]) << r.dump();
  s = speechOf(d);
  EXPECT_EQ(s.rate, 300);
  EXPECT_EQ(s.volume, 90);
}

TEST(Reload, AProfileThatWouldOverflowTheParsersStackIsRefusedAtStartAndAtReload) {
  // A dotted table name of 35,000 parts (70 KB): toml++ recursed until SIGSEGV, at every start
  // (the daemon could not start) and at every reload.
  std::string header = "[a";
  for (int i = 1; i < 35000; ++i) header += ".a";
  const std::string deep = header + "]\nx = 1\n";
  // Core files allowed to the daemon's parent (where the hard limit lets us): it must refuse them.
  rlimit before{};
  ::getrlimit(RLIMIT_CORE, &before);
  rlimit allowed{before.rlim_max == RLIM_INFINITY ? 1u << 30 : before.rlim_max, before.rlim_max};
  ::setrlimit(RLIMIT_CORE, &allowed);
  DaemonHarness d(
      kArgs, [&](const TempXdg& xdg) { replaceFile(xdg.path("config/liseur/liseur.toml"), deep); });
  ::setrlimit(RLIMIT_CORE, &before);
  ASSERT_TRUE(d.started()) << d.startProblem() << d.log();
  EXPECT_NE(d.log().find("more than 64 parts"), std::string::npos) << d.log();
  // Had it crashed, no core file would hold what it was reading.
  std::ifstream limits("/proc/" + std::to_string(d.pid()) + "/limits");
  std::string row, core;
  while (std::getline(limits, row))
    if (row.rfind("Max core file size", 0) == 0) core = row;
  EXPECT_NE(core.find(" 0 "), std::string::npos) << core;
  EXPECT_EQ(speechOf(d).profile, "default") << "the built-in configuration is used";
  // A good file, then the deep one again at reload: refused, the good one kept, the daemon up.
  replaceFile(userConfig(d), "[speech]\nrate = 250\n");
  ASSERT_TRUE(d.request("reload")["ok"]);
  replaceFile(userConfig(d), deep);
  json r = d.request("reload");
  ASSERT_FALSE(r["ok"]) << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find(userConfig(d) + ":1:"), std::string::npos)
      << r.dump();
  EXPECT_TRUE(d.alive());
  EXPECT_EQ(speechOf(d).rate, 250);
  std::string out;
  EXPECT_EQ(runCli({"profile", "check", userConfig(d)}, &out), 1) << out;
  EXPECT_NE(out.find("more than 64 parts"), std::string::npos) << out;
}

TEST(Reload, SighupAndTheCliReloadLikeTheCommand) {
  DaemonHarness d(kArgs);
  ASSERT_TRUE(d.started()) << d.startProblem();
  const std::string file = userConfig(d);
  replaceFile(file, "[speech]\nrate = 210\n");
  ASSERT_EQ(::kill(d.pid(), SIGHUP), 0);
  json ev = nextEvent(d, "config-reloaded", std::chrono::seconds(30));
  ASSERT_FALSE(ev.is_null()) << "SIGHUP did not reload\n" << d.log();
  EXPECT_EQ(speechOf(d).rate, 210);

  replaceFile(file, "[speech]\nrate = 220\n");
  std::string out;
  EXPECT_EQ(runCli({"reload"}, &out), 0) << out;
  EXPECT_EQ(speechOf(d).rate, 220) << out;

  replaceFile(file, "[speech]\nrat = 230\n");
  out.clear();
  EXPECT_EQ(runCli({"reload"}, &out), 1) << out;
  EXPECT_NE(out.find("config-invalid"), std::string::npos) << out;
  EXPECT_NE(out.find(file + ":2:1"), std::string::npos) << out;
  EXPECT_NE(out.find("did you mean 'speech.rate'?"), std::string::npos) << out;
  EXPECT_NE(out.find("the last good one stays in use"), std::string::npos) << out;
  EXPECT_EQ(speechOf(d).rate, 220);
  ASSERT_FALSE(nextEvent(d, "error", std::chrono::seconds(30)).is_null()) << "after liseur reload";

  ASSERT_EQ(::kill(d.pid(), SIGHUP), 0);
  ev = nextEvent(d, "error", std::chrono::seconds(30));
  ASSERT_FALSE(ev.is_null()) << "a broken file on SIGHUP must send an error event\n" << d.log();
  EXPECT_EQ(ev["diagnostics"][0]["file"], file) << ev.dump();
  EXPECT_EQ(ev["diagnostics"][0]["line"], 2) << ev.dump();
  EXPECT_EQ(speechOf(d).rate, 220);
}

TEST(Reload, AThousandSighupsInABurstLeaveTheDaemonAnsweringWithTheLastGoodConfiguration) {
  DaemonHarness d(kArgs);
  ASSERT_TRUE(d.started()) << d.startProblem();
  const std::string file = userConfig(d);
  replaceFile(file, "[speech]\nrate = 260\n");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(::kill(d.pid(), SIGHUP), 0) << "signal " << i;
  // The command goes through the same loop after the signals: when it answers, the burst has
  // been handled.
  json r = d.request("reload");
  ASSERT_TRUE(r["ok"]) << r.dump() << d.log();
  ASSERT_TRUE(d.alive()) << d.log();
  EXPECT_EQ(speechOf(d).rate, 260);

  // The same with a broken file: the daemon keeps 260 and still reads.
  replaceFile(file, "[speech]\nrate = 270\nvolume = 900\n");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(::kill(d.pid(), SIGHUP), 0) << "signal " << i;
  EXPECT_FALSE(d.request("reload")["ok"]);
  ASSERT_TRUE(d.alive()) << d.log();
  EXPECT_EQ(speechOf(d).rate, 260);
  json say = d.request(
      "say",
      {{"text", "Toujours là."}, {"lang", "fr"}, {"to_wav", d.path("s.wav")}, {"wait", true}});
  ASSERT_TRUE(say["ok"]) << say.dump();
  EXPECT_GT(readWav(d.path("s.wav")).seconds(), 0.3);
}

// A file rewritten while reloads happen, alternating between a good version and a version with
// one more good key and one bad one: every configuration the daemon ever shows is the good one
// or the one before; never the good key of the broken version.
TEST(Reload, AFileChangedBetweenReloadsNeverAppliesHalf) {
  DaemonHarness d(kArgs);
  ASSERT_TRUE(d.started()) << d.startProblem();
  const std::string file = userConfig(d);
  const std::string good = "[speech]\nrate = 280\npitch = 40\n";
  const std::string broken = "[speech]\nrate = 290\npitch = 40\nvolume = 900\n";
  const int before = speechOf(d).rate;  // the defaults, before the first reload
  std::set<int> rates, volumes;
  int applied = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    replaceFile(file, i % 2 ? broken : good);
    if (i % 3 == 0) {
      ASSERT_EQ(::kill(d.pid(), SIGHUP), 0);
    } else {
      json r = d.request("reload");
      (r["ok"].get<bool>() ? applied : refused)++;
    }
    Speech s = speechOf(d);
    rates.insert(s.rate);
    volumes.insert(s.volume);
  }
  replaceFile(file, good);
  ASSERT_TRUE(d.request("reload")["ok"]);
  ASSERT_TRUE(d.alive()) << d.log();
  EXPECT_GT(applied, 0);
  EXPECT_GT(refused, 0);
  EXPECT_EQ(rates.count(290), 0u) << "the good key of the broken version was applied";
  EXPECT_EQ(volumes.count(900), 0u);
  for (int r : rates) EXPECT_TRUE(r == 280 || r == before) << "rate " << r;
  EXPECT_EQ(speechOf(d).rate, 280);
  EXPECT_EQ(speechOf(d).pitch, 40);
}

// `liseur profile check` and `liseur profile card` as support staff run them (no daemon needed).
TEST(ProfileCli, CheckPrintsEveryErrorAndExitsNonZero) {
  TempXdg xdg;
  const std::string file = xdg.path("pupil.toml");
  writeFile(file,
            "[speech]\nrat = 150\nvolume = 900\n[view]\ntheme = \"blak-on-white\"\n"
            "[hotkeys]\nstop = \"Ctrl+Alt+Shfit+S\"\n");
  std::string out;
  EXPECT_EQ(runCli({"profile", "check", file}, &out), 1) << out;
  for (const std::string& want : std::vector<std::string>{
           file + ":2:1: error: speech.rat: unknown key", "(did you mean 'speech.rate'?)",
           file + ":3:10: error: speech.volume:", "an integer from 0 to 200, found 900 (integer)",
           file + ":5:9: error: view.theme:", "(did you mean 'black-on-white'?)",
           file + ":7:8: error: hotkeys.stop:", "(did you mean 'Ctrl+Alt+Shift+S'?)"})
    EXPECT_NE(out.find(want), std::string::npos) << "missing: " << want << "\n" << out;

  writeFile(file, "[speech]\nrate = 150\n");
  out.clear();
  EXPECT_EQ(runCli({"profile", "check", file}, &out), 0) << out;
  EXPECT_NE(out.find(file + ": ok"), std::string::npos) << out;
}

TEST(ProfileCli, CheckTestsPluginOptionsAgainstTheInstalledManifests) {
  TempXdg xdg;
  const std::string file = xdg.path("pupil.toml");
  writeFile(file,
            "[plugins]\nchain = [\"dys\"]\n\n[plugins.options.dys]\nspacing = \"tight\"\n"
            "spacng = \"aere\"\n\n[plugins.options.not-installed]\nx = 1\n");
  std::string out;
  EXPECT_EQ(runCli({"profile", "check", file}, &out), 1) << out;
  for (const std::string& want : std::vector<std::string>{
           file + ":4:1: error: plugins.options.dys.spacing: plugin 'dys': option 'spacing'",
           "(found \"tight\")",
           file + ":4:1: error: plugins.options.dys.spacng: plugin 'dys': unknown option 'spacng' "
                  "(did you mean 'spacing'?)",
           file + ":8:1: warning: plugins.options.not-installed: plugin 'not-installed' is not "
                  "installed here"})
    EXPECT_NE(out.find(want), std::string::npos) << "missing: " << want << "\n" << out;
  writeFile(file, "[plugins.options.dys]\nspacing = \"aere\"\n");
  out.clear();
  EXPECT_EQ(runCli({"profile", "check", file}, &out), 0) << out;
}

TEST(ProfileCli, EveryShippedProfilePassesCheck) {
  TempXdg xdg;
  for (const char* name :
       {"default", "blind-expert", "low-vision", "dys-primaire", "dys-college"}) {
    const std::string file = std::string(LISEUR_SOURCE_DIR) + "/config/profiles/" + name + ".toml";
    std::string out;
    EXPECT_EQ(runCli({"profile", "check", file}, &out), 0) << name << "\n" << out;
    EXPECT_NE(out.find(": ok"), std::string::npos) << name << "\n" << out;
  }
}

TEST(ProfileCli, CardIsWrittenWholeOrNotAtAll) {
  TempXdg xdg;
  const std::string card = xdg.path("card.html");
  std::string out;
  ASSERT_EQ(runCli({"profile", "card", "dys-primaire", "-o", card, "--lang", "fr"}, &out), 0)
      << out;
  const std::string html = readFile(card);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<h1 id=\"profile-name\">dys-primaire</h1>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);

  // A broken profile gives no card, and the one already there stays as it was.
  fs::create_directories(xdg.path("config/liseur/profiles"));
  writeFile(xdg.path("config/liseur/profiles/lea.toml"), "[speech]\nrate = 2000\n");
  out.clear();
  EXPECT_EQ(runCli({"profile", "card", "lea", "-o", card}, &out), 1) << out;
  EXPECT_NE(out.find("lea.toml:2:8: error: speech.rate"), std::string::npos) << out;
  EXPECT_EQ(readFile(card), html);
  // A card into a directory that does not exist is a save error naming the file.
  out.clear();
  EXPECT_EQ(runCli({"profile", "card", "default", "-o", xdg.path("nowhere/card.html")}, &out), 1)
      << out;
  EXPECT_NE(out.find("config-write-failed"), std::string::npos) << out;
  EXPECT_NE(out.find(xdg.path("nowhere/card.html")), std::string::npos) << out;
}

}  // namespace
}  // namespace liseur::test
