// `liseur hotkeys install --desktop sway` in a real headless sway (tests/wayland/sway_server.h):
// the configuration sway runs from is edited by the real CLI (through a symbolic link at
// $XDG_CONFIG_HOME/sway/config, as a user's may be), `swaymsg reload` is run by the CLI, and
// wtype (virtual keyboard protocol) presses the chords. The bound liseur program is a copy of
// the build's, replaced after the install by a script that logs its arguments: the log shows that
// the chord ran exactly the bound command line, without needing a daemon. Uninstall then makes
// the chord do nothing and leaves sway's configuration as it was.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/desktop_shortcuts.h"
#include "core/paths.h"
#include "support/test_env.h"
#include "wayland/sway_server.h"

namespace fs = std::filesystem;
using namespace liseur::app;
using liseur::test::readFile;
using liseur::test::writeFile;

namespace {

struct Outcome {
  int status = -1;
  std::string out, err;
};

Outcome run(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::vector<std::string> full = {"env"};
  full.insert(full.end(), env.begin(), env.end());
  full.insert(full.end(), argv.begin(), argv.end());
  auto r = runProgram(full);
  if (!r) return {-1, "", r.error().message};
  return {r->status, r->out, r->err};
}

TEST(SwayHotkeysEndToEnd, ChordRunsTheBoundCommandUntilUninstalled) {
  if (runProgram({"sh", "-c", "command -v wtype"}).value().status != 0)
    GTEST_FAIL() << "wtype is missing (Debian package wtype)";
  liseur::test::SwayServer sway;
  if (!sway.ok()) GTEST_SKIP() << "no headless sway here: " << sway.error();

  // A tree that sway's user (nobody, when the tests run as root) can read.
  std::string tmpl = (fs::temp_directory_path() / "liseur-hk-e2e-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const fs::path root = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{root};
  ::chmod(root.c_str(), 0755);
  fs::create_directories(root / "bin");
  fs::create_directories(root / "config/sway");
  fs::create_directories(root / "home");
  for (const char* d : {"bin", "config", "config/sway", "home"}) ::chmod((root / d).c_str(), 0755);
  const std::string program = (root / "bin/liseur").string();
  fs::copy_file(liseur::test::programPath("liseur"), program);
  const std::string swayConfig = sway.runtimeDir() + "/config";
  const std::string original = readFile(swayConfig);
  fs::create_symlink(swayConfig, root / "config/sway/config");

  const std::vector<std::string> env = {
      "HOME=" + (root / "home").string(),
      "XDG_CONFIG_HOME=" + (root / "config").string(),
      "XDG_CURRENT_DESKTOP=sway",
      "SWAYSOCK=" + sway.swaysock(),
      "WAYLAND_DISPLAY=" + sway.waylandDisplay(),
      "XDG_RUNTIME_DIR=" + sway.runtimeDir(),
      // The copy is outside the build tree: it finds the shipped configuration here.
      "LISEUR_DATA_DIR=" + liseur::dataDir(),
  };
  Outcome r = run({program, "hotkeys", "install"}, env);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("sway: configuration reloaded"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_symlink(root / "config/sway/config"));
  EXPECT_TRUE(hasSwayInclude(readFile(swayConfig)));

  // The bound program becomes a logger. Written beside, then renamed over (a running binary).
  const std::string log = sway.runtimeDir() + "/pressed.log";
  writeFile(program + ".new", "#!/bin/sh\necho \"$*\" >> '" + log + "'\n");
  ::chmod((program + ".new").c_str(), 0755);
  fs::rename(program + ".new", program);

  auto press = [&](const std::vector<std::string>& keys) {
    std::vector<std::string> argv = {"wtype", "-M", "ctrl", "-M", "alt", "-M", "shift"};
    argv.insert(argv.end(), keys.begin(), keys.end());
    for (const char* m : {"shift", "alt", "ctrl"}) {
      argv.push_back("-m");
      argv.push_back(m);
    }
    Outcome w = run(argv, sway.clientEnv());
    EXPECT_EQ(w.status, 0) << w.err;
  };
  press({"w"});
  EXPECT_TRUE(liseur::test::waitFor([&] { return fs::exists(log); }, std::chrono::seconds(5)))
      << "Ctrl+Alt+Shift+W ran nothing";
  press({"-k", "space"});
  EXPECT_TRUE(liseur::test::waitFor(
      [&] { return readFile(log) == "read window\npause --toggle\n"; }, std::chrono::seconds(5)))
      << readFile(log);

  // Uninstalled (by the build's liseur: the bound one is a script now), the chord does nothing.
  r = run({liseur::test::programPath("liseur"), "hotkeys", "uninstall"}, env);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(readFile(swayConfig), original);
  EXPECT_FALSE(fs::exists(root / "config/sway/liseur-hotkeys.conf"));
  press({"w"});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(readFile(log), "read window\npause --toggle\n");
}

}  // namespace
