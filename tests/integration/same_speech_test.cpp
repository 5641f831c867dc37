// One voice for one profile: `liseur adapt`'s narration says what liseurd says when it reads the
// same image with the same profile — the same chunks of text, voices, presets, rate, pitch,
// volume, word gap and doubtful-word signals (both go through speech/text/voicing.h). Real
// daemon, OCR worker, plugin host and speech worker; real `liseur adapt`.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon_harness.h"
#include "support/test_env.h"

namespace fs = std::filesystem;
using liseur::test::DaemonHarness;
using liseur::test::dataPath;
using nlohmann::json;

namespace {

// What the daemon's utterance-started events and adapt's narration.utterances both carry.
json said(const json& u) {
  json out{{"text", u.value("text", "")},           {"lang", u.value("lang", "")},
           {"voice", u.value("voice", "")},         {"preset", u.value("preset", "")},
           {"rate", u.value("rate", -1)},           {"pitch", u.value("pitch", -1)},
           {"volume", u.value("volume", -1)},       {"word_gap", u.value("word_gap", -1)},
           {"doubtful", u.value("doubtful", false)}};
  return out;
}

json daemonReads(DaemonHarness& d, const std::string& image) {
  json r = d.request("read", {{"file", image}, {"to_wav", d.path("read.wav")}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  json out = json::array();
  for (const auto& e : d.eventsUntilFinished(r.value("job", uint64_t{0})))
    if (e.value("event", "") == "utterance-started") out.push_back(said(e));
  return out;
}

json adaptSays(DaemonHarness& d, const std::string& image) {
  std::string log;
  const int rc = liseur::test::runCli({"adapt", image, "--json", "-o", d.path("page.html")}, &log);
  EXPECT_EQ(rc, 0) << log;
  // stdout and stderr together: the JSON report is the outermost object.
  const auto open = log.find("{\n"), close = log.rfind('}');
  if (open == std::string::npos || close == std::string::npos) return log;
  json report = json::parse(log.substr(open, close - open + 1), nullptr, false);
  if (report.is_discarded()) return log;
  json out = json::array();
  for (const auto& u : report["narration"]["utterances"]) out.push_back(said(u));
  return out;
}

void reconfigure(DaemonHarness& d, const std::string& profile) {
  fs::create_directories(d.path("config/liseur/profiles"));
  liseur::test::writeFile(d.path("config/liseur/profiles/pupil.toml"), profile);
  liseur::test::writeFile(d.path("config/liseur/liseur.toml"), "[daemon]\nprofile = \"pupil\"\n");
  json r = d.request("reload");
  ASSERT_TRUE(r.value("ok", false) && r.value("applied", false)) << r.dump();
}

}  // namespace

// A child's preset (its own rate, pitch, word gap and variant: the profile does not set them),
// doubtful words said higher. Before the one Voicing, adapt used the schema's rate (175) instead
// of the preset's, cut 1024-byte chunks and had no doubtful signal.
TEST(SameSpeech, AdaptSaysWhatTheDaemonSaysWithTheSameProfile) {
  DaemonHarness d({"--no-hotkeys", "--audio", "null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  for (const char* profile : {"[speech]\nvoice_fr = \"fr-enfant\"\ndoubtful_signal = \"pitch\"\n"
                              "doubtful_threshold = 93\n",
                              "[speech]\nvoice_en = \"expert-en\"\nvoice_fr = \"fr\"\nrate = 210\n"
                              "punctuation = \"all\"\n"}) {
    SCOPED_TRACE(profile);
    reconfigure(d, profile);
    for (const char* image : {"ocr/cigale-fr.png", "ocr/multiblock-en.png"}) {
      SCOPED_TRACE(image);
      const json daemon = daemonReads(d, dataPath(image));
      const json adapt = adaptSays(d, dataPath(image));
      ASSERT_TRUE(adapt.is_array()) << adapt.dump().substr(0, 2000);
      ASSERT_GT(daemon.size(), 0u);
      std::cout << image << ": " << daemon.size() << " utterances, " << daemon.dump().substr(0, 400)
                << "\n";
      EXPECT_EQ(adapt, daemon) << "adapt:  " << adapt.dump(1) << "\ndaemon: " << daemon.dump(1);
      // The preset's settings, not the schema's defaults, where the profile leaves them.
      for (const auto& u : daemon)
        if (u["preset"] == "fr-enfant") {
          EXPECT_EQ(u["rate"], 130);
          EXPECT_EQ(u["word_gap"], 3);
        }
    }
  }
}
