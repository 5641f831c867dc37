// Reading images end to end through a real liseurd, its real workers and the WAV sink.
#include <gtest/gtest.h>

#include <algorithm>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

using nlohmann::json;

std::size_t indexOf(const std::vector<json>& evs, const std::string& name, bool last) {
  std::size_t found = evs.size();
  for (std::size_t i = 0; i < evs.size(); ++i)
    if (evs[i]["event"] == name) {
      found = i;
      if (!last) break;
    }
  return found;
}

TEST(Read, WavIsNonSilentAndGrowsWithTheText) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json small = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("small.wav")}, {"wait", true}});
  ASSERT_TRUE(small["ok"]) << small.dump() << d.log();
  json large = d.request("read", {{"file", dataPath("ocr/multiblock-en.png")},
                                  {"to_wav", d.path("large.wav")},
                                  {"wait", true}});
  ASSERT_TRUE(large["ok"]) << large.dump() << d.log();
  EXPECT_EQ(large["wav"], d.path("large.wav"));

  WavInfo a = readWav(d.path("small.wav")), b = readWav(d.path("large.wav"));
  ASSERT_TRUE(a.ok) << a.problem;
  ASSERT_TRUE(b.ok) << b.problem;
  EXPECT_EQ(a.sample_rate, 22050);
  EXPECT_GT(a.seconds(), 2.0) << "the dialog has ~20 words";
  EXPECT_GT(a.rms(), 300.0) << "speech, not silence";
  EXPECT_GT(b.rms(), 300.0);
  // The page has about six times the dialog's text.
  EXPECT_GT(b.seconds(), a.seconds() * 3)
      << "small " << a.seconds() << " s, large " << b.seconds() << " s";
}

TEST(Read, TheFirstBlockIsSpokenBeforeTheLastIsRecognised) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("read", {{"file", dataPath("ocr/multiblock-en.png")}, {"to_wav", d.path("s.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  uint64_t job = r["job"];
  auto evs = d.eventsUntilFinished(job);
  std::string order;
  for (const auto& e : evs) order += e["event"].get<std::string>() + " ";
  std::size_t firstAudio = indexOf(evs, "first-audio", false);
  std::size_t lastBlock = indexOf(evs, "block-recognised", true);
  std::size_t blocks = std::count_if(
      evs.begin(), evs.end(), [](const json& e) { return e["event"] == "block-recognised"; });
  ASSERT_GE(blocks, 3u) << order;
  ASSERT_LT(firstAudio, evs.size()) << order;
  EXPECT_LT(firstAudio, lastBlock)
      << "streaming: speech must start before OCR ends. Events: " << order;
  EXPECT_EQ(evs.front()["event"], "job-started") << order;
  EXPECT_EQ(evs.back()["event"], "job-finished") << order;
  EXPECT_TRUE(evs.back()["ok"]) << evs.back().dump();
}

TEST(Read, WordEventsCarryTheWordAndItsBoxInTheImage) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("w.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto evs = d.eventsUntilFinished(r["job"]);
  std::vector<std::string> words;
  double lastT = -1;
  for (const auto& e : evs) {
    if (e["event"] != "word") continue;
    ASSERT_TRUE(e.contains("box")) << e.dump();
    auto box = e["box"];
    EXPECT_GE(box[0].get<int>(), 0) << e.dump();
    EXPECT_LE(box[0].get<int>() + box[2].get<int>(), 600) << e.dump();
    EXPECT_LE(box[1].get<int>() + box[3].get<int>(), 200) << e.dump();
    EXPECT_GE(e["t_ms"].get<double>(), lastT) << "word events in time order";
    lastT = e["t_ms"];
    words.push_back(e.value("text", ""));
  }
  ASSERT_GE(words.size(), 10u);
  EXPECT_NE(std::find(words.begin(), words.end(), "changes"), words.end());
  EXPECT_NE(std::find(words.begin(), words.end(), "Cancel"), words.end());
}

TEST(Read, WaitTimingsArePlausible) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("t.wav")}, {"wait", true}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  const json& t = r["timings"];
  ASSERT_TRUE(t["first_audio_ms"].is_number()) << t.dump();
  EXPECT_GT(t["first_audio_ms"].get<double>(), 0.0) << t.dump();
  EXPECT_LE(t["first_audio_ms"].get<double>(), t["total_ms"].get<double>()) << t.dump();
  EXPECT_LE(t["ocr_ms"].get<double>(), t["total_ms"].get<double>()) << t.dump();
}

TEST(Ocr, ReturnsTheTextInReadingOrderAndTheDocument) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("ocr", {{"file", dataPath("ocr/multiblock-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  std::string text = r["text"];
  auto pos = [&](const char* s) { return text.find(s); };
  ASSERT_NE(pos("Reading in the school library"), std::string::npos) << text;
  ASSERT_NE(pos("Quiet reading"), std::string::npos) << text;
  ASSERT_NE(pos("New books arrive"), std::string::npos) << text;
  EXPECT_LT(pos("Reading in the school library"), pos("Quiet reading")) << text;
  EXPECT_LT(pos("Quiet reading"), pos("New books arrive")) << text;
  const json& doc = r["document"];
  EXPECT_EQ(doc["format"], "liseur-document/1");
  EXPECT_GE(doc["blocks"].size(), 3u);
  EXPECT_EQ(doc["lang"], "en");
}

TEST(Say, FrenchTextIsSpokenWithTheFrenchVoice) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("say", {{"text", "Le chat de la voisine dort sur le mur de l'école."},
                             {"to_wav", d.path("fr.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto evs = d.eventsUntilFinished(r["job"]);
  bool sawFrench = false;
  for (const auto& e : evs)
    if (e["event"] == "utterance-started") sawFrench = e["lang"] == "fr";
  EXPECT_TRUE(sawFrench);
  EXPECT_GT(readWav(d.path("fr.wav")).seconds(), 1.0);
}

}  // namespace
}  // namespace liseur::test
