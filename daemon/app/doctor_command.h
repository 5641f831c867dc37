// `liseur doctor [--json]`: what works on this machine and, for each thing that does not, what to
// do — for the support volunteer setting up a laptop. One line per check:
//
//   ok       daemon: liseurd 0.1.0 is running (pid 4242)
//   problem  ocr: OCR model missing: /usr/.../fra.traineddata. Fix: install tesseract-ocr-fra
//
// Checks, in order: daemon, autostart, config, display, audio, speech-output, voices, ocr,
// hotkeys, plugins. Exit status 0 when no check is a problem (warnings allowed), 1 otherwise.
//
// The doctor never starts liseurd itself (no autospawn): it reports what is, and a daemon it had
// just started would hide the very problem asked about ("my hotkeys do not work" because liseurd
// does not start at login). It connects when something listens, and a socket-activated liseurd
// does start then, as it would for any liseur command. Without a daemon every check that can
// be made from here is still made (display and audio from the environment, the language files
// from the folders the workers read); the line says that liseurd was not asked.
//
// Everything is computed from a DoctorInputs; runDoctor() is pure apart from the files it reads
// under the inputs' folders and the programs `run` runs (systemctl, gsettings, xfconf-query), so
// tests give it a fake daemon status, folders and runner. Single-threaded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/autostart_command.h"
#include "app/desktop_shortcuts.h"
#include "config/config_store.h"
#include "core/display_env.h"

namespace liseur::app {

enum class CheckStatus { kOk, kWarning, kProblem };
std::string_view checkStatusName(CheckStatus status);  // "ok", "warning", "problem"

struct Check {
  std::string name;  // "daemon", "ocr", ...
  CheckStatus status = CheckStatus::kOk;
  std::string summary;  // what was found, one sentence
  std::string fix;      // what to do; "" for ok
};

struct DoctorInputs {
  // The daemon's `status` reply; nullopt when it does not run (daemonError says why).
  std::optional<nlohmann::json> daemonStatus;
  std::string daemonError;
  std::string daemonProgram;  // what autospawn would start ("" when none is found)
  std::string cliVersion;
  DisplayEnv display;       // this process's session
  std::string sessionType;  // XDG_SESSION_TYPE
  std::string runtimeDir;   // XDG_RUNTIME_DIR ("" when unset)
  std::string devSnd = "/dev/snd";
  std::string tessdata;         // TESSDATA_PREFIX, else Debian's folder
  std::string espeakData;       // the espeak-ng-data folder
  std::string voicePresetsDir;  // shipped voice presets
  config::ConfigDirs configDirs;
  std::vector<std::string> pluginDirs;  // extra plugin folders (tests)
  AutostartState autostart;
  SwayLocations sway;
  ProgramRunner run;  // systemctl, gsettings, xfconf-query
};

// The real machine: environment, folders, the daemon when one listens (never spawned).
DoctorInputs realDoctorInputs();

std::vector<Check> runDoctor(const DoctorInputs& in);

// "problem  ocr: ... Fix: ..." lines, the status padded to one width.
std::string formatChecks(const std::vector<Check>& checks);
// {"checks":[{"name","status","summary","fix"}],"problems":N,"warnings":N}
nlohmann::json checksJson(const std::vector<Check>& checks);
int doctorExitStatus(const std::vector<Check>& checks);  // 1 when any is a problem

// Whether espeak-ng's data folder `espeakData` holds `voice` ("fr", "en-gb", "fr+f3"): a voice
// file named so (case-insensitively) or one declaring that language, its dictionary
// (<lang>_dict) and the variant. "" when it does, else what is missing.
std::string missingEspeakVoice(const std::string& espeakData, const std::string& voice);

class DoctorCommand {
 public:
  explicit DoctorCommand(CLI::App& app);
  bool parsed() const { return sub_->parsed(); }
  int run();

 private:
  CLI::App* sub_ = nullptr;
  bool json_ = false;
};

}  // namespace liseur::app
