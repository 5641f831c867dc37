// speech.output through a real daemon: liseurd speaking through a real speech-dispatcher (its
// espeak-ng module, a private PulseAudio null sink) started by the test; word events from its
// index marks, stop, pause/resume, priorities; `auto` with and without a screen reader (a
// process named orca); no speech-dispatcher: `auto` falls back to liseur's own voice, the
// explicit setting is a clear error and the daemon keeps running.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <tuple>

#include <gtest/gtest.h>

#include "integration/daemon_harness.h"
#include "support/pulse_server.h"
#include "support/speechd_server.h"

namespace liseur::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kFrench = "Le petit chat dort sur le tapis. Il fait beau aujourd'hui.";
constexpr const char* kLong =
    "One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty. Twenty one twenty two twenty three twenty four "
    "twenty five twenty six twenty seven twenty eight twenty nine thirty.";

std::vector<std::string> wordsOf(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<json> named(const std::vector<json>& evs, const std::string& name, uint64_t job = 0) {
  std::vector<json> out;
  for (const auto& e : evs)
    if (e.value("event", "") == name && (!job || e.value("job", uint64_t{0}) == job))
      out.push_back(e);
  return out;
}

std::vector<std::string> spokenWords(const std::vector<json>& evs, uint64_t job) {
  std::vector<std::string> out;
  for (const auto& w : named(evs, "word", job)) out.push_back(w.value("text", "?"));
  return out;
}

std::string dump(const std::vector<json>& evs) {
  std::string s;
  for (const auto& e : evs) s += e.dump() + "\n";
  return s;
}

// Which output ("liseur" or "speech-dispatcher") spoke the first utterance among `evs`; "" with
// a test failure when none was spoken.
std::string firstOutput(const std::vector<json>& evs) {
  auto utts = named(evs, "utterance-started");
  if (utts.empty()) {
    ADD_FAILURE() << "no utterance spoken: " << dump(evs);
    return "";
  }
  return utts[0].value("output", "");
}

// A daemon with the given liseur.toml, optionally a speech-dispatcher (and the PulseAudio it
// speaks into) and a running "orca". Servers outlive the daemon (declared first).
struct Setup {
  std::string toml;
  bool speechd = true;
  bool orca = false;
  bool noServerAddress = false;  // SPEECHD_ADDRESS at a socket that does not exist
};

class SpeechdDaemon {
 public:
  explicit SpeechdDaemon(const Setup& s) {
    d = std::make_unique<DaemonHarness>(
        std::vector<std::string>{"--audio", "null"}, [&](const TempXdg& x) {
          std::filesystem::create_directories(x.path("config/liseur"));
          writeFile(x.path("config/liseur/liseur.toml"), s.toml);
          speechd = std::make_unique<SpeechdServer>(x);  // no autospawn, whatever happens
          if (s.speechd) {
            pulse = std::make_unique<PulseServer>(x);
            problem = pulse->start();
            if (problem.empty()) problem = speechd->start();
          }
          if (s.noServerAddress)
            ::setenv("SPEECHD_ADDRESS",
                     ("unix_socket:" + x.path("run/nowhere/speechd.sock")).c_str(), 1);
          if (s.orca) orca = std::make_unique<FakeOrca>(x);
        });
  }
  ~SpeechdDaemon() {
    d.reset();
    ::unsetenv("SPEECHD_ADDRESS");
  }
  // Events for `period`, whatever they are.
  std::vector<json> eventsFor(std::chrono::milliseconds period) {
    std::vector<json> out;
    const auto end = std::chrono::steady_clock::now() + period;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto ev = d->events().readEvent(left);
      if (!ev) break;
      out.push_back(*ev);
    }
    return out;
  }
  // Events until `n` word events of `job` came (or the timeout).
  std::vector<json> untilWords(uint64_t job, std::size_t n, std::vector<json>& all) {
    const auto end = std::chrono::steady_clock::now() + 60s;
    while (named(all, "word", job).size() < n && std::chrono::steady_clock::now() < end) {
      auto ev = d->events().readEvent(1000ms);
      if (ev) all.push_back(*ev);
      if (ev && named({*ev}, "job-finished", job).size()) break;
    }
    return all;
  }

  std::unique_ptr<PulseServer> pulse;
  std::unique_ptr<SpeechdServer> speechd;
  std::unique_ptr<FakeOrca> orca;
  std::string problem;
  std::unique_ptr<DaemonHarness> d;
};

constexpr const char* kExplicit = "[speech]\noutput = \"speech-dispatcher\"\n";

#define REQUIRE_SPEECHD()                                                        \
  do {                                                                           \
    if (std::string m = SpeechdServer::missing(); !m.empty()) GTEST_FAIL() << m; \
  } while (0)

TEST(SpeechDispatcherDaemon, SaysFrenchThroughItWithAWordEventForEveryWord) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("say", {{"text", kFrench}, {"lang", "fr"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  const uint64_t job = r["job"];
  auto evs = s.d->eventsUntilFinished(job);
  auto fin = named(evs, "job-finished", job);
  ASSERT_EQ(fin.size(), 1u) << dump(evs);
  EXPECT_EQ(fin[0]["ok"], true) << dump(evs);
  EXPECT_EQ(fin[0]["stopped"], false) << dump(evs);
  auto utts = named(evs, "utterance-started", job);
  ASSERT_FALSE(utts.empty()) << dump(evs);
  for (const auto& u : utts) {
    EXPECT_EQ(u["output"], "speech-dispatcher") << u.dump();
    EXPECT_EQ(u["lang"], "fr") << u.dump();
    EXPECT_FALSE(u.contains("voice")) << "the user's own voice speaks: " << u.dump();
  }
  EXPECT_EQ(spokenWords(evs, job), wordsOf(kFrench)) << dump(evs);
  for (const auto& w : named(evs, "word", job)) {
    EXPECT_TRUE(w.contains("block") && w.contains("line") && w.contains("word")) << w.dump();
    EXPECT_FALSE(w.contains("sample")) << w.dump();
  }
  EXPECT_EQ(named(evs, "first-audio", job).size(), 1u) << dump(evs);
  EXPECT_TRUE(named(evs, "error").empty()) << dump(evs);
  json st = s.d->request("status");
  EXPECT_EQ(st["speech"]["output"]["mode"], "speech-dispatcher") << st.dump();
  EXPECT_EQ(st["speech"]["output"]["speech_dispatcher"]["connected"], true) << st.dump();
}

TEST(SpeechDispatcherDaemon, AnImageIsReadWithBoxesAndReviewSpeaksThroughItToo) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("read", {{"file", dataPath("ocr/dialog-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  const uint64_t job = r["job"];
  auto evs = s.d->eventsUntilFinished(job);
  auto fin = named(evs, "job-finished", job);
  ASSERT_EQ(fin.size(), 1u) << dump(evs);
  EXPECT_EQ(fin[0]["ok"], true) << dump(evs);
  auto words = named(evs, "word", job);
  ASSERT_GE(words.size(), 3u) << dump(evs);
  // Every word event points at its word in the image (the highlight and `pointer` use it), in
  // reading order.
  int lastBlock = -1, lastLine = -1, lastWord = -1;
  for (const auto& w : words) {
    ASSERT_TRUE(w.contains("box")) << w.dump();
    EXPECT_GT(w["box"][2].get<int>(), 0) << w.dump();  // [x, y, w, h]
    const int b = w["block"], l = w["line"], k = w["word"];
    EXPECT_TRUE(std::tie(b, l, k) > std::tie(lastBlock, lastLine, lastWord)) << dump(words);
    lastBlock = b, lastLine = l, lastWord = k;
  }
  for (const auto& u : named(evs, "utterance-started", job))
    EXPECT_EQ(u["output"], "speech-dispatcher") << u.dump();
  // Review moves through what was read and is spoken by speech-dispatcher as well.
  json rv = s.d->request("review", {{"action", "next-line"}});
  ASSERT_TRUE(rv["ok"]) << rv.dump();
  ASSERT_TRUE(rv.contains("job")) << rv.dump();
  auto revs = s.d->eventsUntilFinished(rv["job"]);
  auto rutts = named(revs, "utterance-started", rv["job"]);
  ASSERT_FALSE(rutts.empty()) << dump(revs);
  EXPECT_EQ(rutts[0]["output"], "speech-dispatcher") << dump(revs);
  EXPECT_FALSE(named(revs, "word", rv["job"]).empty()) << dump(revs);
}

TEST(SpeechDispatcherDaemon, StopEndsTheJobQuicklyAndNoMoreWordsCome) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("say", {{"text", kLong}, {"lang", "en"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  const uint64_t job = r["job"];
  std::vector<json> evs;
  s.untilWords(job, 3, evs);
  ASSERT_GE(named(evs, "word", job).size(), 3u) << dump(evs);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.d->request("stop")["ok"]);
  auto rest = s.d->eventsUntilFinished(job, 10000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  auto fin = named(rest, "job-finished", job);
  ASSERT_EQ(fin.size(), 1u) << dump(rest);
  EXPECT_EQ(fin[0]["stopped"], true);
  auto after = s.eventsFor(1500ms);
  EXPECT_TRUE(named(after, "word").empty()) << dump(after);
  // The next text is spoken.
  json again = s.d->request("say", {{"text", "Still here."}, {"lang", "en"}});
  auto evs2 = s.d->eventsUntilFinished(again["job"]);
  EXPECT_EQ(spokenWords(evs2, again["job"]), wordsOf("Still here.")) << dump(evs2);
}

TEST(SpeechDispatcherDaemon, PauseHoldsAndResumeGoesOnFromTheWordItWasSaying) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("say", {{"text", kLong}, {"lang", "en"}});
  const uint64_t job = r["job"];
  std::vector<json> evs;
  s.untilWords(job, 4, evs);
  ASSERT_GE(named(evs, "word", job).size(), 4u) << dump(evs);
  ASSERT_TRUE(s.d->request("pause")["ok"]);
  // What was in flight may still land just after the pause; then silence.
  auto settle = s.eventsFor(700ms);
  auto held = s.eventsFor(1500ms);
  EXPECT_TRUE(named(held, "word").empty()) << dump(held);
  EXPECT_EQ(s.d->request("status")["state"], "paused");
  ASSERT_TRUE(s.d->request("resume")["ok"]);
  auto rest = s.d->eventsUntilFinished(job);
  auto fin = named(rest, "job-finished", job);
  ASSERT_EQ(fin.size(), 1u) << dump(rest);
  EXPECT_EQ(fin[0]["ok"], true) << dump(rest);
  EXPECT_EQ(fin[0]["stopped"], false) << dump(rest);
  // Every word is heard; the one being said at the pause is said again on resume.
  std::vector<std::string> heard = spokenWords(evs, job);
  for (auto* part : {&settle, &rest})
    for (const auto& w : spokenWords(*part, job)) heard.push_back(w);
  const auto expected = wordsOf(kLong);
  std::size_t k = 0;  // every word of the text, in order, within what was heard
  for (const auto& w : heard)
    if (k < expected.size() && w == expected[k]) ++k;
  EXPECT_EQ(k, expected.size()) << dump(rest);
  EXPECT_LE(heard.size(), expected.size() + 2) << dump(rest);
  EXPECT_EQ(heard.back(), expected.back()) << dump(rest);
}

TEST(SpeechDispatcherDaemon, ANoticeIsNotCutByARead) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  constexpr const char* kNotice = "Battery low, please plug in the charger now.";
  json n = s.d->request("say", {{"text", kNotice}, {"lang", "en"}, {"priority", "message"}});
  ASSERT_TRUE(n["ok"]) << n.dump();
  const uint64_t notice = n["job"];
  std::vector<json> evs;
  s.untilWords(notice, 2, evs);
  json r = s.d->request("say", {{"text", kLong}, {"lang", "en"}});
  const uint64_t read = r["job"];
  auto rest = s.d->eventsUntilFinished(notice);
  for (auto& e : rest) evs.push_back(e);
  auto fin = named(evs, "job-finished", notice);
  ASSERT_EQ(fin.size(), 1u) << dump(evs);
  EXPECT_EQ(fin[0]["stopped"], false) << dump(evs);
  EXPECT_EQ(spokenWords(evs, notice), wordsOf(kNotice)) << dump(evs);
  // The read waited for the notice, and is spoken after it.
  EXPECT_TRUE(named(evs, "word", read).empty()) << dump(evs);
  std::vector<json> more;
  s.untilWords(read, 2, more);
  EXPECT_GE(named(more, "word", read).size(), 2u) << dump(more);
  s.d->request("stop");
}

TEST(SpeechDispatcherDaemon, ANotificationIntoSilenceIsSpokenAsSsipNotification) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({kExplicit});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  constexpr const char* kNote = "Battery low, please plug in the charger.";
  json n = s.d->request("say", {{"text", kNote}, {"lang", "en"}, {"priority", "notification"}});
  ASSERT_TRUE(n["ok"]) << n.dump();
  const uint64_t note = n["job"];
  auto evs = s.d->eventsUntilFinished(note);
  auto fin = named(evs, "job-finished", note);
  ASSERT_EQ(fin.size(), 1u) << dump(evs);
  EXPECT_EQ(fin[0]["stopped"], false) << dump(evs);
  EXPECT_EQ(spokenWords(evs, note), wordsOf(kNote)) << dump(evs);
}

TEST(SpeechDispatcherDaemon, AutoUsesItWhileOrcaRunsAndLiseursVoiceOtherwise) {
  REQUIRE_SPEECHD();
  {
    SpeechdDaemon s({"", true, true});
    ASSERT_EQ(s.problem, "");
    ASSERT_TRUE(s.orca && s.orca->running());
    ASSERT_TRUE(s.d->started()) << s.d->startProblem();
    json r = s.d->request("say", {{"text", "Hello there."}, {"lang", "en"}});
    auto evs = s.d->eventsUntilFinished(r["job"]);
    EXPECT_EQ(firstOutput(evs), "speech-dispatcher") << dump(evs);
    EXPECT_EQ(spokenWords(evs, r["job"]), wordsOf("Hello there.")) << dump(evs);
    // A WAV file is always made by liseur's own voice.
    json w = s.d->request("say", {{"text", "Hello."}, {"to_wav", s.d->path("h.wav")}});
    auto wevs = s.d->eventsUntilFinished(w["job"]);
    EXPECT_EQ(firstOutput(wevs), "liseur") << dump(wevs);
  }
  {
    SpeechdDaemon s({"", true, false});
    ASSERT_EQ(s.problem, "");
    ASSERT_TRUE(s.d->started()) << s.d->startProblem();
    json r = s.d->request("say", {{"text", "Hello there."}, {"lang", "en"}});
    auto evs = s.d->eventsUntilFinished(r["job"]);
    EXPECT_EQ(firstOutput(evs), "liseur") << dump(evs);
  }
}

TEST(SpeechDispatcherDaemon, TheDysViewKeepsLiseursOwnVoice) {
  REQUIRE_SPEECHD();
  SpeechdDaemon s({std::string(kExplicit) + "[view]\ntheme = \"dys\"\n"});
  ASSERT_EQ(s.problem, "");
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("say", {{"text", "Bonjour."}, {"lang", "fr"}});
  auto evs = s.d->eventsUntilFinished(r["job"]);
  EXPECT_EQ(firstOutput(evs), "liseur") << dump(evs);
}

TEST(SpeechDispatcherDaemon, AbsentAutoFallsBackToLiseursVoiceSilently) {
  SpeechdDaemon s({"", false, true, true});
  ASSERT_TRUE(s.orca && s.orca->running());
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  json r = s.d->request("say", {{"text", "Hello there."}, {"lang", "en"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto evs = s.d->eventsUntilFinished(r["job"]);
  auto fin = named(evs, "job-finished", r["job"]);
  ASSERT_EQ(fin.size(), 1u) << dump(evs);
  EXPECT_EQ(fin[0]["ok"], true) << dump(evs);
  EXPECT_EQ(firstOutput(evs), "liseur") << dump(evs);
  // espeak-ng's own word marks: the words without their punctuation.
  EXPECT_EQ(spokenWords(evs, r["job"]), (std::vector<std::string>{"Hello", "there"})) << dump(evs);
  EXPECT_TRUE(named(evs, "error").empty()) << dump(evs);
}

TEST(SpeechDispatcherDaemon, AbsentExplicitIsAClearErrorAndTheDaemonKeepsRunning) {
  SpeechdDaemon s({kExplicit, false, false, true});
  ASSERT_TRUE(s.d->started()) << s.d->startProblem();
  for (int i = 0; i < 2; ++i) {
    json r = s.d->request("say", {{"text", "Hello there."}, {"lang", "en"}, {"wait", true}});
    ASSERT_EQ(r["ok"], false) << r.dump();
    EXPECT_EQ(r["error"]["code"], "speech-dispatcher-unavailable") << r.dump();
    const std::string msg = r["error"]["message"];
    EXPECT_NE(msg.find("nowhere/speechd.sock"), std::string::npos) << msg;
    EXPECT_NE(msg.find("apt install speech-dispatcher"), std::string::npos) << msg;
    EXPECT_NE(msg.find("speech.output = \"liseur\""), std::string::npos) << msg;
  }
  auto evs = s.eventsFor(500ms);
  auto errors = named(evs, "error");
  ASSERT_FALSE(errors.empty()) << dump(evs);
  EXPECT_EQ(errors[0]["code"], "speech-dispatcher-unavailable") << dump(evs);
  // The listener is told, in liseur's own voice (speech-dispatcher cannot say it), once for the
  // two failures.
  for (int i = 0; i < 30 && named(evs, "job-finished").size() < 3; ++i) {
    auto more = s.eventsFor(100ms);
    evs.insert(evs.end(), more.begin(), more.end());
  }
  std::vector<json> notices;
  for (const auto& u : named(evs, "utterance-started"))
    if (u.value("text", "").find("Speech Dispatcher") != std::string::npos) notices.push_back(u);
  ASSERT_EQ(notices.size(), 1u) << dump(evs);
  EXPECT_EQ(notices[0]["output"], "liseur") << dump(evs);
  json st = s.d->request("status");
  ASSERT_EQ(st["ok"], true) << st.dump();
  EXPECT_EQ(st["speech"]["output"]["speech_dispatcher"]["connected"], false) << st.dump();
  EXPECT_NE(st["speech"]["output"]["speech_dispatcher"].value("problem", "").find("install"),
            std::string::npos)
      << st.dump();
  EXPECT_TRUE(s.d->alive());
  // Set to liseur's own voice at run time (reload), it speaks again.
  writeFile(s.d->path("config/liseur/liseur.toml"), "[speech]\noutput = \"liseur\"\n");
  ASSERT_TRUE(s.d->request("reload")["ok"]);
  json ok = s.d->request("say", {{"text", "Hello."}, {"lang", "en"}, {"wait", true}});
  EXPECT_EQ(ok["ok"], true) << ok.dump();
}

}  // namespace
}  // namespace liseur::test
