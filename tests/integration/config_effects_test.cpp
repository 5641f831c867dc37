// Every key of the configuration schema has an effect where it applies, and a reload applies it.
//
// One table, kRows, gives for each key of the schema (a pattern key through one concrete name) a
// value other than its default and the place where the change must be seen: what a running
// liseurd says and writes (speech, recognition, audio, the daemon itself), what `liseur adapt`
// renders (view), what `liseur hotkeys install` binds (hotkeys) and what the profile card shows
// (profile). For each row the place is observed with the configuration that lacks the key, then
// with the key set (for the daemon: the file rewritten and `reload`, never a restart), and the
// two observations must differ. Observations are what a user meets (the voice and rate of each
// utterance, the length of the speech, the recognised text, the sink opened, the log written,
// the page rendered), not the configuration read back. A key added to the schema without a row
// fails ConfigEffects.EveryKeyOfTheSchemaHasARow.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "config/config_schema.h"
#include "integration/daemon_harness.h"
#include "support/pulse_server.h"
#include "support/speechd_server.h"

namespace liseur::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

enum class Where {
  kSpeech,         // a running liseurd: `say` into a WAV file
  kOutput,         // a running liseurd: `say` to the audio sink (speech.output)
  kRecognition,    // a running liseurd: `ocr` of an image
  kDoubtful,       // a running liseurd: `read` of an image into a WAV file
  kAudio,          // a running liseurd: the sink it opened (`status`)
  kDaemon,         // a running liseurd: profile, log, idle exit, capture
  kAdapt,          // `liseur adapt` of an image with a profile, without narration
  kAdaptNarrated,  // the same with its narration
  kHotkeys,        // `liseur hotkeys install --desktop sway --dry-run`
  kCard,           // `liseur profile card`
};

struct Row {
  std::string key;    // a schema key, or a concrete name of a pattern key
  std::string value;  // TOML
  Where where;
  std::string context;  // TOML lines set for both observations (what makes the key matter)
};

constexpr const char* kDysView =
    "plugins.chain = [\"reading-order\", \"dys\"]\nview.theme = \"dys\"";

const std::vector<Row>& rows() {
  static const std::vector<Row> kRows = [] {
    std::vector<Row> r = {
        {"speech.rate", "320", Where::kSpeech, ""},
        {"speech.pitch", "90", Where::kSpeech, ""},
        {"speech.volume", "30", Where::kSpeech, ""},
        {"speech.word_gap", "30", Where::kSpeech, ""},
        {"speech.punctuation", "\"all\"", Where::kSpeech, ""},
        {"speech.voice_fr", "\"fr-enfant\"", Where::kSpeech, ""},
        {"speech.voice_en", "\"en-us\"", Where::kSpeech, ""},
        {"speech.auto_language", "false", Where::kSpeech, ""},
        {"speech.output", "\"speech-dispatcher\"", Where::kOutput, ""},
        {"speech.doubtful_threshold", "100", Where::kDoubtful, ""},
        {"speech.doubtful_signal", "\"pitch\"", Where::kDoubtful,
         "speech.doubtful_threshold = 100"},
        {"ocr.languages", "\"eng\"", Where::kRecognition, ""},
        {"ocr.mode", "\"line\"", Where::kRecognition, ""},
        // The reading language fixed: the English dialog read with the French voice.
        {"ocr.language", "\"fr\"", Where::kDoubtful, ""},
        {"plugins.chain", "[]", Where::kRecognition, ""},
        {"plugins.options.reading-order.join_lines", "false", Where::kRecognition, ""},
        {"audio.sink", "\"null\"", Where::kAudio, ""},
        {"audio.device", "\"pulse\"", Where::kAudio, ""},
        {"audio.latency_ms", "200", Where::kAudio, ""},
        {"daemon.profile", "\"blind-expert\"", Where::kDaemon, ""},
        {"daemon.log_level", "\"debug\"", Where::kDaemon, ""},
        {"daemon.idle_exit_min", "30", Where::kDaemon, ""},
        {"capture.backend", "\"portal\"", Where::kDaemon, ""},
        // The view off: the card says "speech only", and the daemon no longer keeps liseur's
        // own voice for the dys view's exact word timings (speech-dispatcher is then used).
        {"view.enabled", "false", Where::kCard, ""},
        {"view.enabled", "false", Where::kOutput,
         "speech.output = \"speech-dispatcher\"\nview.theme = \"dys\""},
        {"view.theme", "\"white-on-black\"", Where::kAdapt, ""},
        {"view.font", "\"sans\"", Where::kAdapt, ""},
        {"view.font_size_pt", "30", Where::kAdapt, ""},
        {"view.line_spacing", "2.5", Where::kAdapt, ""},
        {"view.letter_spacing_em", "0.3", Where::kAdapt, ""},
        {"view.word_spacing_em", "0.8", Where::kAdapt, ""},
        {"view.line_colours", "[\"red\", \"blue\"]", Where::kAdapt, kDysView},
        {"view.highlight_word", "false", Where::kAdaptNarrated, ""},
        {"view.line_focus", "3", Where::kAdapt, kDysView},
        // Syllables are drawn by the dys plugin, in the chain of the dys profiles.
        {"view.syllables", "true", Where::kAdapt, kDysView},
        {"view.syllable_colours", "[\"green\", \"purple\"]", Where::kAdapt,
         std::string(kDysView) + "\nview.syllables = true"},
        {"view.silent_letters", "true", Where::kAdapt, kDysView},
        {"profile.name", "\"Léa, CM1\"", Where::kCard, ""},
        {"profile.description", "\"Pour Léa : voix lente\"", Where::kCard, ""},
    };
    // Each hotkey: a chord no other action has by default.
    for (const auto& spec : config::ConfigSchema::instance().keys())
      if (spec.key.rfind("hotkeys.", 0) == 0 && !spec.isPattern())
        r.push_back({spec.key, "\"Ctrl+Alt+Shift+F12\"", Where::kHotkeys, ""});
    return r;
  }();
  return kRows;
}

bool matches(const std::string& pattern, const std::string& key) {
  return pattern.back() == '*' ? key.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0
                               : key == pattern;
}

TEST(ConfigEffects, EveryKeyOfTheSchemaHasARow) {
  std::set<std::string> missing;
  for (const auto& spec : config::ConfigSchema::instance().keys()) {
    bool found = false;
    for (const Row& r : rows()) found = found || matches(spec.key, r.key);
    if (!found) missing.insert(spec.key);
  }
  std::string list;
  for (const auto& k : missing) list += " " + k;
  EXPECT_TRUE(missing.empty()) << "keys of the schema with no observed effect:" << list;
  for (const Row& r : rows()) {
    bool known = false;
    for (const auto& spec : config::ConfigSchema::instance().keys())
      known = known || matches(spec.key, r.key);
    EXPECT_TRUE(known) << r.key << " is not a key of the schema";
  }
}

// ---- A running daemon.

void replaceFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  writeFile(path + ".new", text);
  fs::rename(path + ".new", path);
}

std::vector<json> named(const std::vector<json>& evs, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : evs)
    if (e.value("event", "") == name) out.push_back(e);
  return out;
}

// Rewrites the user's file and reloads; fails the test unless the reload applied.
void configure(DaemonHarness& d, const std::string& toml) {
  replaceFile(d.path("config/liseur/liseur.toml"), toml + "\n");
  json r = d.request("reload");
  ASSERT_TRUE(r.value("ok", false) && r.value("applied", false)) << toml << "\n" << r.dump();
}

int counter = 0;
std::string wavPath(DaemonHarness& d) {
  return d.path("fx-" + std::to_string(++counter) + ".wav");
}

// Two sentences (French, then English), with punctuation: voice, rate, pitch and volume of each
// utterance as the Session sent them, and how long the speech is (to a tenth of a second: the
// length of espeak-ng's output for a text does not vary from one call to the next).
json observeSpeech(DaemonHarness& d) {
  json out = json::array();
  for (const char* text : {"Le chat dort, paisiblement ; la souris aussi.",
                           "The cat is sleeping in the garden, quietly."}) {
    const std::string wav = wavPath(d);
    json r = d.request("say", {{"text", text}, {"to_wav", wav}});
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    if (!r.value("ok", false)) return r;
    json utts = json::array();
    for (const auto& u : named(d.eventsUntilFinished(r["job"]), "utterance-started"))
      utts.push_back({u["lang"], u["voice"], u["rate"], u["pitch"], u["volume"]});
    WavInfo w = readWav(wav);
    EXPECT_TRUE(w.ok) << w.problem;
    out.push_back({{"utterances", utts},
                   {"tenths", std::lround(w.seconds() * 10)},
                   {"loud", w.rms() > 1500}});
  }
  return out;
}

// A short sentence to the audio sink: which output said it, and any error on the way.
json observeOutput(DaemonHarness& d) {
  json r = d.request("say", {{"text", "Oui."}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  json out = json::array();
  for (const auto& e : d.eventsUntilFinished(r.value("job", uint64_t{0}))) {
    const std::string ev = e.value("event", "");
    if (ev == "utterance-started") out.push_back({ev, e["output"]});
    if (ev == "error") out.push_back({ev, e["code"]});
  }
  return out;
}

json observeRecognition(DaemonHarness& d) {
  json r = d.request("ocr", {{"file", dataPath("ocr/multiblock-en.png")}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  json langs = json::array();
  for (const auto& b : r["document"]["blocks"]) langs.push_back(b["lang"]);
  json fr = d.request("ocr", {{"file", dataPath("ocr/cigale-fr.png")}});
  return {{"text", r["text"]}, {"langs", langs}, {"fr", fr["text"]}};
}

json observeDoubtful(DaemonHarness& d) {
  const std::string wav = wavPath(d);
  json r = d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", wav}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  int doubtful = 0;
  json voices = json::array();
  for (const auto& u : named(d.eventsUntilFinished(r["job"]), "utterance-started")) {
    doubtful += u.value("doubtful", false) ? 1 : 0;
    voices.push_back({u["lang"], u["voice"]});
  }
  WavInfo w = readWav(wav);
  return {{"doubtful_utterances", doubtful}, {"voices", voices}, {"samples", w.samples.size()}};
}

json observeAudio(DaemonHarness& d) {
  json s = d.request("status");
  return {{"sink", s["audio"]["sink"]}, {"available", s["audio"]["available"]}};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

json observeDaemon(DaemonHarness& d) {
  const std::size_t before = count(d.log(), " debug: ");
  json s = d.request("status");
  json screen = d.request("read", {{"source", "screen"}});
  const std::size_t after = count(d.log(), " debug: ");
  return {{"profile", s["profile"]},
          {"idle_exit", s["idle_exit"].is_null() ? json(nullptr) : s["idle_exit"]["after_min"]},
          {"logs_debug", after > before},
          {"capture", screen.contains("error") ? screen["error"]["message"] : json("read")}};
}

// Observes `where` for every row of it with one daemon.
void checkDaemonRows(Where where, const std::function<json(DaemonHarness&)>& observe,
                     std::vector<std::string> args = {"--no-hotkeys", "--audio", "null"}) {
  std::unique_ptr<PulseServer> pulse;
  std::unique_ptr<SpeechdServer> noSpeechd;
  std::string problem;
  DaemonHarness d(args, [&](const TempXdg& xdg) {
    // speech.output: no speech-dispatcher is started, and none may be autospawned with the
    // user's own configuration; liseur must try it and say it is not there.
    if (where == Where::kOutput) noSpeechd = std::make_unique<SpeechdServer>(xdg);
    if (where != Where::kAudio) return;
    pulse = std::make_unique<PulseServer>(xdg);
    problem = pulse->start();
  });
  ASSERT_EQ(problem, "");
  ASSERT_TRUE(d.started()) << d.startProblem();
  int seen = 0;
  for (const Row& row : rows()) {
    if (row.where != where) continue;
    ++seen;
    SCOPED_TRACE(row.key + " = " + row.value);
    configure(d, row.context);
    const json before = observe(d);
    configure(d, row.context + "\n" + row.key + " = " + row.value);
    const json after = observe(d);
    // What changed, for whoever reads the test's output.
    std::cout << row.key << " = " << row.value << ": " << before.dump().substr(0, 160) << "\n  -> "
              << after.dump().substr(0, 160) << "\n";
    EXPECT_NE(before, after) << row.key << " = " << row.value << " changed nothing in "
                             << before.dump().substr(0, 600) << "\n"
                             << d.log().substr(d.log().size() > 3000 ? d.log().size() - 3000 : 0);
  }
  EXPECT_GT(seen, 0);
}

TEST(ConfigEffects, SpeechKeysChangeWhatIsSaid) {
  checkDaemonRows(Where::kSpeech, observeSpeech);
}

TEST(ConfigEffects, TheOutputKeyChangesWhoSpeaks) {
  checkDaemonRows(Where::kOutput, observeOutput);
}

TEST(ConfigEffects, RecognitionKeysChangeWhatIsRead) {
  checkDaemonRows(Where::kRecognition, observeRecognition);
}

TEST(ConfigEffects, DoubtfulWordKeysChangeHowWordsAreSignalled) {
  checkDaemonRows(Where::kDoubtful, observeDoubtful);
}

// No --audio on the command line (it would win over audio.sink): a private PulseAudio server
// gives PortAudio a device.
TEST(ConfigEffects, AudioKeysReopenTheSink) {
  checkDaemonRows(Where::kAudio, observeAudio, {"--no-hotkeys"});
}

TEST(ConfigEffects, DaemonKeysChangeTheDaemon) {
  checkDaemonRows(Where::kDaemon, observeDaemon);
}

// ---- The CLI.

// The CLI's rows: the keys go into a profile "fx" of a fresh TempXdg, which points this process's
// XDG variables (and so runCli's `liseur`) at its tree.
void checkCliRows(Where where, const std::function<json(const TempXdg&)>& observe) {
  TempXdg xdg;
  int seen = 0;
  for (const Row& row : rows()) {
    if (row.where != where) continue;
    ++seen;
    SCOPED_TRACE(row.key + " = " + row.value);
    const std::string file = xdg.path("config/liseur/profiles/fx.toml");
    replaceFile(file, row.context + "\n");
    const json before = observe(xdg);
    replaceFile(file, row.context + "\n" + row.key + " = " + row.value + "\n");
    const json after = observe(xdg);
    EXPECT_TRUE(before != after) << row.key << " = " << row.value << " changed nothing";
  }
  EXPECT_GT(seen, 0);
}

// The page `liseur adapt` writes of a French text (syllables are French), with or without its
// narration; the narration's sound itself is left out (espeak-ng's output differs a little from
// one synthesis to the next), its word timings are kept.
json observeAdapt(const TempXdg& xdg, bool narrated) {
  const std::string out = xdg.path("fx.html");
  std::error_code ec;
  fs::remove(out, ec);
  std::string log;
  std::vector<std::string> args = {"adapt", dataPath("ocr/cigale-fr.png"), "--profile", "fx", "-o",
                                   out};
  if (!narrated) args.push_back("--no-narration");
  const int rc = runCli(args, &log);
  EXPECT_EQ(rc, 0) << log;
  std::string html = readFile(out);
  for (auto at = html.find("base64,"); at != std::string::npos; at = html.find("base64,", at)) {
    at += 7;
    auto end = at;
    while (end < html.size() && (std::isalnum(static_cast<unsigned char>(html[end])) ||
                                 html[end] == '+' || html[end] == '/' || html[end] == '='))
      ++end;
    html.erase(at, end - at);
  }
  return html;
}

json observeHotkeys(const TempXdg& xdg) {
  std::string out;
  // `hotkeys install` reads the user's configuration: the profile is chosen there.
  replaceFile(xdg.path("config/liseur/liseur.toml"), "[daemon]\nprofile = \"fx\"\n");
  const int rc = runCli({"hotkeys", "install", "--desktop", "sway", "--dry-run"}, &out);
  EXPECT_EQ(rc, 0) << out;
  return out;
}

json observeCard(const TempXdg& xdg) {
  const std::string out = xdg.path("card.html");
  std::string log;
  const int rc = runCli({"profile", "card", "fx", "-o", out, "--lang", "fr"}, &log);
  EXPECT_EQ(rc, 0) << log;
  std::string html = readFile(out);
  return std::regex_replace(html, std::regex("<p id=\"card-date\">[^<]*</p>"), "");
}

TEST(ConfigEffects, ViewKeysChangeTheAdaptedPage) {
  checkCliRows(Where::kAdapt, [](const TempXdg& x) { return observeAdapt(x, false); });
  checkCliRows(Where::kAdaptNarrated, [](const TempXdg& x) { return observeAdapt(x, true); });
}

TEST(ConfigEffects, HotkeyKeysChangeTheDesktopsShortcuts) {
  checkCliRows(Where::kHotkeys, observeHotkeys);
}

TEST(ConfigEffects, ProfileKeysChangeTheCard) {
  checkCliRows(Where::kCard, observeCard);
}

// daemon.idle_exit_min for real: a daemon nobody talks to ends after that many minutes (the
// check runs every 15 s), and says why in its log.
TEST(IdleExit, ADaemonNobodyTalksToEndsAfterTheIdleMinutes) {
  DaemonHarness d({"--no-hotkeys", "--audio", "null"}, [](const TempXdg& x) {
    fs::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/liseur.toml"), "[daemon]\nidle_exit_min = 1\n");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json s = d.request("status");
  ASSERT_TRUE(s["idle_exit"].is_object()) << s.dump();
  ASSERT_EQ(s["idle_exit"]["after_min"], 1) << s.dump();
  EXPECT_LE(s["idle_exit"]["in_s"].get<int>(), 60);
  EXPECT_TRUE(waitFor([&] { return !d.alive(); }, std::chrono::seconds(100))) << d.log();
  EXPECT_NE(d.log().find("idle for 1 min"), std::string::npos) << d.log();
}

}  // namespace
}  // namespace liseur::test
