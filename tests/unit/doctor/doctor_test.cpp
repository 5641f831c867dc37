// `liseur doctor`'s checks (app/doctor_command.h) from fake inputs: a daemon status as liseurd
// sends it, language folders made in a temporary directory, a fake systemctl/gsettings. Each
// failure prints every check's line.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "app/doctor_command.h"
#include "core/paths.h"
#include "speech/text/voice_preset.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using namespace liseur::app;
using liseur::test::TempXdg;
using nlohmann::json;

namespace {

// writeFile in a folder made first.
void put(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  liseur::test::writeFile(path, content);
}

// A listening Unix socket at `path` (a sound server's or a compositor's), closed at exit.
struct FakeSocket {
  int fd = -1;
  explicit FakeSocket(const std::string& path) {
    fs::create_directories(fs::path(path).parent_path());
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << path;
    ::listen(fd, 1);
  }
  ~FakeSocket() { ::close(fd); }
};

class Doctor : public ::testing::Test {
 protected:
  void SetUp() override {
    // espeak-ng's data: French by name, British English by a "language" line, a variant.
    espeak_ = xdg_.path("espeak-ng-data");
    put(espeak_ + "/lang/roa/fr", "name French\nlanguage fr\n");
    put(espeak_ + "/lang/gmw/en",
        "name English (Great Britain)\nlanguage en-gb  2\nlanguage en 2\n");
    put(espeak_ + "/lang/gmw/en-US", "name English (America)\nlanguage en-us 2\n");
    put(espeak_ + "/fr_dict", "x");
    put(espeak_ + "/en_dict", "x");
    put(espeak_ + "/voices/!v/f3", "x");
    tessdata_ = xdg_.path("tessdata");
    put(tessdata_ + "/eng.traineddata", "x");
    put(tessdata_ + "/fra.traineddata", "x");

    in_.cliVersion = "1.0";
    in_.daemonProgram = "/usr/bin/liseurd";
    in_.daemonError = "liseurd is not running (no daemon on /run/user/1/liseur/socket)";
    in_.runtimeDir = xdg_.path("run");
    in_.devSnd = xdg_.path("nosnd");
    in_.tessdata = tessdata_;
    in_.espeakData = espeak_;
    in_.voicePresetsDir = liseur::speech::shippedVoicesDir();
    in_.configDirs = liseur::config::ConfigDirs::standard();
    in_.configDirs.systemDir = xdg_.path("etc");
    // No plugin in the chain: this build tree may not have built them.
    put(in_.configDirs.userMainFile(), "[plugins]\nchain = []\n");
    in_.autostart.entryPath = xdg_.path("config/autostart/liseur.desktop");
    in_.sway = locateSway(xdg_.path("home"), xdg_.path("config"), xdg_.path("etc"));
    in_.run = [this](const std::vector<std::string>& argv) -> liseur::Result<ProgramOutput> {
      ran_.push_back(argv);
      if (argv[0] == "gsettings") return ProgramOutput{0, gsettingsOut_, ""};
      return liseur::Error{liseur::ErrorCode::kFileNotFound, argv[0] + " is not installed"};
    };
  }

  std::vector<Check> run() {
    checks_ = runDoctor(in_);
    return checks_;
  }
  const Check& check(const std::string& name) {
    for (const auto& c : checks_)
      if (c.name == name) return c;
    ADD_FAILURE() << "no check " << name << "\n" << formatChecks(checks_);
    static Check none;
    return none;
  }
  std::string report() const { return formatChecks(checks_); }

  // What liseurd's `status` says (daemon_commands.cpp, Session::status) on a working X11 desktop.
  static json workingStatus() {
    return json::parse(R"({
      "state":"idle","version":"1.0","pid":4242,"profile":"default","hotkeys":true,
      "audio":{"available":true,"sink":"PortAudio: pulse","recoveries":0},
      "speech":{"rate":175,"voice":"fr","output":{"mode":"auto",
                "speech_dispatcher":{"connected":false}}},
      "workers":{"ocr":{"running":true,"ready":true,"state":"ready"},
                 "speech":{"running":true,"ready":true,"state":"ready"}},
      "display":{"backend":"x11","target":"X11 :0","wayland":false,"desktop":"XFCE",
                 "session":"daemon","hotkeys":"x11"},
      "hotkey_problems":[],"watch":null})");
  }

  TempXdg xdg_;
  std::string espeak_, tessdata_, gsettingsOut_ = "@as []";
  DoctorInputs in_;
  std::vector<Check> checks_;
  std::vector<std::vector<std::string>> ran_;
};

TEST_F(Doctor, WithoutDaemonEverythingFoundIsOkAndTheDaemonAWarning) {
  FakeSocket pulse(xdg_.path("run/pulse/native"));
  run();
  EXPECT_EQ(check("daemon").status, CheckStatus::kWarning) << report();
  EXPECT_NE(check("daemon").fix.find("liseur autostart enable"), std::string::npos) << report();
  EXPECT_EQ(check("config").status, CheckStatus::kOk) << report();
  EXPECT_EQ(check("audio").status, CheckStatus::kOk) << report();
  EXPECT_NE(check("audio").summary.find("PulseAudio"), std::string::npos) << report();
  EXPECT_EQ(check("voices").status, CheckStatus::kOk) << report();
  EXPECT_EQ(check("ocr").status, CheckStatus::kOk) << report();
  EXPECT_EQ(check("plugins").status, CheckStatus::kOk) << report();
  // No display in this process's inputs: a warning (over ssh images can still be read).
  EXPECT_EQ(check("display").status, CheckStatus::kWarning) << report();
  EXPECT_EQ(doctorExitStatus(checks_), 0) << report();
  ASSERT_EQ(checks_.size(), 10u) << report();
  EXPECT_EQ(checks_.front().name, "daemon");
}

TEST_F(Doctor, MissingFrenchModelNamesItsDebianPackage) {
  fs::remove(tessdata_ + "/fra.traineddata");
  run();
  const Check& c = check("ocr");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_EQ(c.fix, "install tesseract-ocr-fra") << report();
  EXPECT_EQ(doctorExitStatus(checks_), 1);
  EXPECT_NE(report().find("problem  ocr: OCR model missing: " + tessdata_ +
                          "/fra.traineddata. Fix: install tesseract-ocr-fra\n"),
            std::string::npos)
      << report();
}

TEST_F(Doctor, NoSoundAnywhereSaysToUseToWav) {
  run();
  const Check& c = check("audio");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_NE(c.fix.find("add --to-wav FILE"), std::string::npos) << report();
}

TEST_F(Doctor, AnAlsaCardIsEnoughWithoutServer) {
  put(xdg_.path("nosnd/pcmC0D0p"), "");
  put(xdg_.path("nosnd/pcmC0D0c"), "");
  run();
  EXPECT_EQ(check("audio").status, CheckStatus::kOk) << report();
}

TEST_F(Doctor, DaemonWithoutSoundDeviceIsAProblem) {
  json s = workingStatus();
  s["audio"] = {{"available", false}, {"sink", "none"}, {"problem", "no default output device"}};
  in_.daemonStatus = s;
  run();
  EXPECT_EQ(check("daemon").status, CheckStatus::kOk) << report();
  EXPECT_EQ(check("audio").status, CheckStatus::kProblem) << report();
  EXPECT_NE(check("audio").summary.find("no default output device"), std::string::npos);
  EXPECT_NE(check("audio").fix.find("--to-wav FILE"), std::string::npos);
}

TEST_F(Doctor, WorkingX11DaemonIsOkEverywhere) {
  in_.daemonStatus = workingStatus();
  in_.display.display = ":0";
  run();
  for (const char* name : {"daemon", "config", "display", "audio", "speech-output", "voices", "ocr",
                           "hotkeys", "plugins"})
    EXPECT_EQ(check(name).status, CheckStatus::kOk) << name << "\n" << report();
  EXPECT_NE(check("display").summary.find("x11 (X11 :0)"), std::string::npos) << report();
  EXPECT_NE(check("hotkeys").summary.find("X11"), std::string::npos) << report();
  // On X11 liseurd must run for the hotkeys: not starting at login is worth a warning.
  EXPECT_EQ(check("autostart").status, CheckStatus::kWarning) << report();
  EXPECT_NE(check("autostart").fix.find("liseur autostart enable"), std::string::npos);
  EXPECT_EQ(doctorExitStatus(checks_), 0) << report();
}

TEST_F(Doctor, EnabledServiceOnADesktopWithoutGraphicalSessionTargetIsAWarning) {
  in_.display.display = ":0";
  in_.autostart.units = true;
  in_.autostart.serviceEnabled = "enabled";
  in_.autostart.graphicalSession = false;  // Xfce
  run();
  EXPECT_EQ(check("autostart").status, CheckStatus::kWarning) << report();
  EXPECT_EQ(check("autostart").fix, "run `liseur autostart enable --method xdg`") << report();
  in_.autostart.graphicalSession = true;  // GNOME
  run();
  EXPECT_EQ(check("autostart").status, CheckStatus::kOk) << report();
}

TEST_F(Doctor, TakenHotkeyIsAWarningNamingIt) {
  json s = workingStatus();
  s["hotkey_problems"] = {
      {{"code", "hotkey-taken"},
       {"message", "Ctrl+Alt+Shift+W (read_window) is taken by another program"}}};
  in_.daemonStatus = s;
  run();
  EXPECT_EQ(check("hotkeys").status, CheckStatus::kWarning) << report();
  EXPECT_NE(check("hotkeys").summary.find("Ctrl+Alt+Shift+W"), std::string::npos) << report();
}

TEST_F(Doctor, OldDaemonVersionIsAWarning) {
  json s = workingStatus();
  s["version"] = "0.9";
  in_.daemonStatus = s;
  run();
  EXPECT_EQ(check("daemon").status, CheckStatus::kWarning) << report();
  EXPECT_NE(check("daemon").fix.find("liseur shutdown"), std::string::npos);
}

TEST_F(Doctor, FailedCaptureAndOcrWorkerProblemFromDaemon) {
  json s = workingStatus();
  s["display"]["backend"] = nullptr;
  s["display"]["error"] = "nothing answers on DISPLAY :5";
  s["workers"]["ocr"]["problem"] = {{"code", "ocr-language-missing"},
                                    {"message", "OCR model fra is missing"}};
  in_.daemonStatus = s;
  run();
  EXPECT_EQ(check("display").status, CheckStatus::kProblem) << report();
  EXPECT_NE(check("display").summary.find("DISPLAY :5"), std::string::npos);
  EXPECT_EQ(check("ocr").status, CheckStatus::kProblem) << report();
}

TEST_F(Doctor, WaylandGnomeWithoutShortcutsSaysInstallThem) {
  FakeSocket wl(xdg_.path("run/wayland-9"));
  in_.display.wayland_display = "wayland-9";
  in_.display.runtime_dir = xdg_.path("run");
  in_.display.current_desktop = "GNOME";
  run();
  const Check& c = check("hotkeys");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_EQ(c.fix, "run `liseur hotkeys install`") << report();
  ASSERT_FALSE(ran_.empty());
  // Without liseurd, Wayland hotkeys do not need it at login: the shortcuts start it.
  EXPECT_EQ(check("autostart").status, CheckStatus::kOk) << report();
}

TEST_F(Doctor, WaylandGnomeWithShortcutsIsOk) {
  FakeSocket wl(xdg_.path("run/wayland-9"));
  in_.display.wayland_display = "wayland-9";
  in_.display.runtime_dir = xdg_.path("run");
  in_.display.current_desktop = "GNOME";
  in_.run = [](const std::vector<std::string>& argv) -> liseur::Result<ProgramOutput> {
    std::string last = argv.back();
    if (argv[0] == "gsettings" && argv[1] == "list-keys") return ProgramOutput{0, "binding\n", ""};
    if (last == "custom-keybindings")
      return ProgramOutput{
          0, "['/org/gnome/settings-daemon/plugins/media-keys/custom-keybindings/liseur-stop/']\n",
          ""};
    if (last == "binding") return ProgramOutput{0, "'<Control><Alt><Shift>s'\n", ""};
    if (last == "command") return ProgramOutput{0, "'/usr/bin/liseur stop'\n", ""};
    if (last == "name") return ProgramOutput{0, "'liseur: stop'\n", ""};
    return liseur::Error{liseur::ErrorCode::kFileNotFound, argv[0] + " is not installed"};
  };
  run();
  EXPECT_EQ(check("hotkeys").status, CheckStatus::kOk) << report();
  EXPECT_NE(check("hotkeys").summary.find("gnome"), std::string::npos) << report();
}

TEST_F(Doctor, ConfigErrorsAreAProblemAndTheOtherChecksStillRun) {
  put(in_.configDirs.userMainFile(), "[speech]\nrate = \"fast\"\n");
  run();
  const Check& c = check("config");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_NE(c.summary.find("speech.rate"), std::string::npos) << report();
  EXPECT_NE(c.fix.find(in_.configDirs.userMainFile()), std::string::npos) << report();
  EXPECT_EQ(check("ocr").status, CheckStatus::kOk) << report();
}

TEST_F(Doctor, PluginOfTheChainNotInstalledIsAProblem) {
  put(in_.configDirs.userMainFile(), "[plugins]\nchain = [\"no-such-plugin\"]\n");
  run();
  const Check& c = check("plugins");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_NE(c.summary.find("no-such-plugin is not installed"), std::string::npos) << report();
}

TEST_F(Doctor, MissingVoiceDataSaysInstallEspeakNgData) {
  fs::remove(espeak_ + "/fr_dict");
  run();
  const Check& c = check("voices");
  EXPECT_EQ(c.status, CheckStatus::kProblem) << report();
  EXPECT_NE(c.summary.find("fr_dict is missing"), std::string::npos) << report();
  EXPECT_NE(c.fix.find("install espeak-ng-data"), std::string::npos) << report();
}

TEST_F(Doctor, SpeechDispatcherFailingWhenChosenIsAProblem) {
  json s = workingStatus();
  s["speech"]["output"] = {
      {"mode", "speech-dispatcher"},
      {"speech_dispatcher", {{"connected", false}, {"problem", "cannot connect to speechd"}}}};
  in_.daemonStatus = s;
  run();
  EXPECT_EQ(check("speech-output").status, CheckStatus::kProblem) << report();
}

TEST_F(Doctor, JsonCountsProblemsAndWarnings) {
  fs::remove(tessdata_ + "/eng.traineddata");
  run();
  json j = checksJson(checks_);
  EXPECT_EQ(j["checks"].size(), checks_.size());
  int problems = 0;
  for (const auto& c : checks_) problems += c.status == CheckStatus::kProblem;
  EXPECT_EQ(j["problems"], problems) << j.dump(2);
  EXPECT_GE(problems, 1);
  EXPECT_EQ(j["checks"][0]["name"], "daemon");
  EXPECT_TRUE(j["checks"][0].contains("fix"));
}

// ---- espeak-ng's voice files

TEST_F(Doctor, EspeakVoicesByNameLanguageAndVariant) {
  EXPECT_EQ(missingEspeakVoice(espeak_, "fr"), "");
  EXPECT_EQ(missingEspeakVoice(espeak_, "en-gb"), "");  // by its "language" line
  EXPECT_EQ(missingEspeakVoice(espeak_, "en-us"), "");  // by its file name, any case
  EXPECT_EQ(missingEspeakVoice(espeak_, "fr+f3"), "");
  EXPECT_NE(missingEspeakVoice(espeak_, "fr+m9").find("variant \"m9\""), std::string::npos);
  EXPECT_NE(missingEspeakVoice(espeak_, "de").find("no espeak-ng voice \"de\""), std::string::npos);
  EXPECT_NE(missingEspeakVoice(xdg_.path("none"), "fr").find("is missing"), std::string::npos);
}

TEST(DoctorRealData, DebianEspeakDataHasTheShippedVoices) {
  const std::string data = "/usr/lib/x86_64-linux-gnu/espeak-ng-data";
  if (!fs::is_directory(data)) GTEST_FAIL() << data << " is missing (espeak-ng-data)";
  for (const char* v : {"fr", "en-gb", "en-us", "fr+f3"})
    EXPECT_EQ(missingEspeakVoice(data, v), "") << v;
  EXPECT_NE(missingEspeakVoice(data, "xx-nowhere"), "");
}

}  // namespace
