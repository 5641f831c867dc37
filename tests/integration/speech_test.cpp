// The speech path a blind user drives, through a real daemon: voices per language, lexicons,
// doubtful words, priorities, pause/resume and stop compared sample by sample, settings that
// change while speaking.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

using nlohmann::json;

std::vector<json> named(const std::vector<json>& evs, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : evs)
    if (e.value("event", "") == name) out.push_back(e);
  return out;
}

std::string dump(const std::vector<json>& evs) {
  std::string s;
  for (const auto& e : evs) s += e.dump() + "\n";
  return s;
}

// A private directory outside the daemon's XDG tree, so files survive the harness.
struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/liseur-speech-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Every sample the paced sink played, in order (LISEUR_AUDIO_RECORD), read after the daemon
// has shut down and closed the file.
std::vector<int16_t> recordedSamples(const std::string& path) {
  WavInfo w = readWav(path);
  EXPECT_TRUE(w.ok) << path << ": " << w.problem;
  return w.samples;
}

TEST(Speech, EachBlockIsSpokenWithTheVoiceOfItsLanguage) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json fr =
      d.request("read", {{"file", dataPath("ocr/cigale-fr.png")}, {"to_wav", d.path("f.wav")}});
  ASSERT_TRUE(fr["ok"]) << fr.dump();
  auto frEvs = d.eventsUntilFinished(fr["job"]);
  auto frUtts = named(frEvs, "utterance-started");
  ASSERT_FALSE(frUtts.empty()) << dump(frEvs);
  for (const auto& u : frUtts) {
    EXPECT_EQ(u["lang"], "fr") << u.dump();
    EXPECT_EQ(u["voice"], "fr") << u.dump();
    EXPECT_EQ(u["preset"], "fr") << u.dump();
  }
  json en =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("e.wav")}});
  ASSERT_TRUE(en["ok"]) << en.dump();
  auto enEvs = d.eventsUntilFinished(en["job"]);
  auto enUtts = named(enEvs, "utterance-started");
  ASSERT_FALSE(enUtts.empty()) << dump(enEvs);
  for (const auto& u : enUtts) {
    EXPECT_EQ(u["lang"], "en") << u.dump();
    EXPECT_EQ(u["voice"], "en-gb") << u.dump();
  }
}

TEST(Speech, APresetNamedByTheProfileGivesVoiceVariantAndRate) {
  // speech.voice_fr names the children's preset: espeak-ng voice fr+f3 at its own rate (130)
  // since the configuration does not set speech.rate.
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) {
    std::filesystem::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/liseur.toml"), "[speech]\nvoice_fr = \"fr-enfant\"\n");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("say", {{"text", "Bonjour les enfants."}, {"to_wav", d.path("c.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto utts = named(d.eventsUntilFinished(r["job"]), "utterance-started");
  ASSERT_EQ(utts.size(), 1u);
  EXPECT_EQ(utts[0]["voice"], "fr+f3") << utts[0].dump();
  EXPECT_EQ(utts[0]["preset"], "fr-enfant");
  EXPECT_EQ(utts[0]["rate"], 130);
  // `set rate +10` adds to the rate in use (the preset's), and wins over it from then on.
  EXPECT_EQ(d.request("set", {{"key", "rate"}, {"value", "+10"}})["rate"], 140);
  json again = d.request("say", {{"text", "Encore."}, {"to_wav", d.path("d.wav")}});
  auto utts2 = named(d.eventsUntilFinished(again["job"]), "utterance-started");
  ASSERT_EQ(utts2.size(), 1u);
  EXPECT_EQ(utts2[0]["rate"], 140) << utts2[0].dump();
}

// `liseur say --to-wav FILE` opens FILE in the client and passes the descriptor (issue 16): the
// daemon, whose systemd sandbox may not write in the client's folder, writes through it. Shown by
// renaming the file after it was opened: the speech lands in the renamed file, and nothing is
// created under the name the request gives.
TEST(Speech, AWavFileTheClientOpenedIsWrittenThroughItsDescriptor) {
  DaemonHarness d({"--audio", "null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  TempDir dir;
  const std::string named_path = dir.path + "/asked.wav", moved = dir.path + "/moved.wav";
  const int fd = ::open(named_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::rename(named_path.c_str(), moved.c_str()), 0);
  auto r = d.client().request(
      "say", {{"text", "Bonjour les enfants."}, {"to_wav", named_path}, {"wait", true}},
      std::chrono::seconds(30), fd);
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.error().message;
  WavInfo w = readWav(moved);
  ASSERT_TRUE(w.ok) << w.problem;
  EXPECT_GT(w.samples.size(), 8000u);
  EXPECT_FALSE(std::filesystem::exists(named_path));

  // "fd": true with no descriptor on the socket: a clear error, and the daemon goes on.
  json bad = d.request("say", {{"text", "x"}, {"to_wav", named_path}, {"fd", true}});
  EXPECT_EQ(bad["error"]["code"], "bad-request") << bad.dump();
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("SCM_RIGHTS"), std::string::npos)
      << bad.dump();
  // A descriptor opened read-only cannot take the speech: named in the error.
  const int ro = ::open(moved.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(ro, 0);
  auto rr = d.client().request("say", {{"text", "Bonjour."}, {"to_wav", moved}},
                               std::chrono::seconds(30), ro);
  ::close(ro);
  ASSERT_FALSE(rr.ok());
  EXPECT_EQ(rr.error().code, ErrorCode::kWavWriteFailed) << rr.error().message;
  EXPECT_NE(rr.error().message.find(moved), std::string::npos) << rr.error().message;
  EXPECT_TRUE(d.request("status")["ok"]);
}

TEST(Speech, TheLexiconChangesWhatIsSpoken) {
  // The shipped French lexicon says "M." as "Monsieur"; the user's own lexicon adds an entry.
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) {
    std::filesystem::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/lexicon-fr.txt"), "# mine\nDupont = Dupond et Dupont\n");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("say", {{"text", "Bonjour M. Dupont, Mme Durand est là."},
                             {"lang", "fr"},
                             {"to_wav", d.path("l.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  auto evs = d.eventsUntilFinished(r["job"]);
  auto utts = named(evs, "utterance-started");
  ASSERT_EQ(utts.size(), 1u) << dump(evs);
  EXPECT_EQ(utts[0]["text"], "Bonjour Monsieur Dupond et Dupont, Madame Durand est là.")
      << utts[0].dump();
  // The word events still point at the words as written: "Monsieur" is the word "M.".
  bool monsieur = false;
  for (const auto& w : named(evs, "word"))
    if (w.value("text", "") == "Monsieur") {
      monsieur = true;
      EXPECT_EQ(w["word"], 1) << w.dump();
    }
  EXPECT_TRUE(monsieur) << dump(evs);
}

TEST(Speech, ABrokenLexiconIsReportedWithItsLineAndSpeechGoesOn) {
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) {
    std::filesystem::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/lexicon-fr.txt"), "# mine\nsans signe égal\n");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  EXPECT_NE(d.log().find("lexicon-fr.txt:2"), std::string::npos) << d.log();
  json r = d.request(
      "say", {{"text", "Bonjour."}, {"lang", "fr"}, {"to_wav", d.path("b.wav")}, {"wait", true}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  EXPECT_GT(readWav(d.path("b.wav")).seconds(), 0.3);
}

TEST(Speech, PunctuationLevelAllNamesTheMarks) {
  DaemonHarness d({"--audio", "null"}, [](const TempXdg& x) {
    std::filesystem::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/liseur.toml"), "[speech]\npunctuation = \"all\"\n");
  });
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("say", {{"text", "Bonjour, Marie."}, {"lang", "fr"}, {"to_wav", d.path("p.wav")}});
  auto utts = named(d.eventsUntilFinished(r["job"]), "utterance-started");
  ASSERT_EQ(utts.size(), 1u);
  EXPECT_EQ(utts[0]["text"], "Bonjour virgule, Marie point.") << utts[0].dump();
}

TEST(Speech, LongTextIsSpokenInSentenceChunks) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  std::string text;
  for (int i = 0; i < 5; ++i) text += "Voici la phrase numéro " + std::to_string(i + 1) + ". ";
  json r = d.request("say", {{"text", text}, {"lang", "fr"}, {"to_wav", d.path("s.wav")}});
  auto evs = d.eventsUntilFinished(r["job"]);
  auto utts = named(evs, "utterance-started");
  ASSERT_EQ(utts.size(), 5u) << dump(evs);
  EXPECT_EQ(utts[2]["text"], "Voici la phrase numéro 3.");
  EXPECT_TRUE(evs.back()["ok"]) << evs.back().dump();
}

TEST(Speech, PauseAndResumeLoseAndRepeatNoSample) {
  // espeak-ng's output for the same text differs slightly from one call to the next (its pitch
  // flutter runs on), so the paced sink records what it played and what it was given in the same
  // run: with two pauses in the middle they must be equal sample for sample.
  TempDir tmp;
  const std::string rec = tmp.path + "/played.wav";
  const std::string text =
      "Le petit chat dort au soleil. Il rêve de souris et de lait. Puis il se réveille et "
      "s'étire longuement.";
  uint64_t audioMs = 0;
  {
    ::setenv("LISEUR_AUDIO_RECORD", rec.c_str(), 1);
    DaemonHarness d({"--audio", "paced-null"});
    ::unsetenv("LISEUR_AUDIO_RECORD");
    ASSERT_TRUE(d.started()) << d.startProblem();
    json r = d.request("say", {{"text", text}, {"lang", "fr"}});
    std::vector<json> seen;
    d.waitEvent("first-audio", &seen);
    for (int i = 0; i < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      d.request("pause");
      const uint64_t at = d.request("status")["audio"]["played_samples"].get<uint64_t>();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      json st = d.request("status");
      EXPECT_EQ(st["state"], "paused");
      // Held: at most the 10 ms step under way when the pause came is played.
      EXPECT_LE(st["audio"]["played_samples"].get<uint64_t>() - at, 22050u / 100);
      d.request("resume");
    }
    auto evs = d.eventsUntilFinished(r["job"]);
    ASSERT_TRUE(evs.back()["ok"]) << dump(evs);
    EXPECT_EQ(named(evs, "paused").size(), 2u) << dump(evs);
    EXPECT_EQ(named(evs, "resumed").size(), 2u) << dump(evs);
    audioMs = evs.back()["timings"]["audio_ms"].get<uint64_t>();
  }
  std::vector<int16_t> played = recordedSamples(rec);
  std::vector<int16_t> written = recordedSamples(rec + ".written.wav");
  ASSERT_GT(written.size(), 3u * 22050) << "a few seconds of speech";
  EXPECT_NEAR(written.size() * 1000.0 / 22050, double(audioMs), 1.0);
  ASSERT_EQ(played.size(), written.size()) << "samples lost or repeated";
  std::size_t firstDiff = written.size();
  for (std::size_t i = 0; i < written.size(); ++i)
    if (played[i] != written[i]) {
      firstDiff = i;
      break;
    }
  EXPECT_EQ(firstDiff, written.size()) << "played differs from written at sample " << firstDiff;
}

TEST(Speech, StopSilencesAtOnce) {
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  std::string text;
  for (int i = 0; i < 20; ++i) text += "Ceci est une longue lecture qui ne finit pas. ";
  json r = d.request("say", {{"text", text}, {"lang", "fr"}});
  std::vector<json> seen;
  d.waitEvent("word", &seen);
  d.request("stop");
  const uint64_t atStop = d.request("status")["audio"]["played_samples"].get<uint64_t>();
  auto evs = d.eventsUntilFinished(r["job"]);
  EXPECT_TRUE(evs.back()["stopped"]) << evs.back().dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const uint64_t later = d.request("status")["audio"]["played_samples"].get<uint64_t>();
  // At most one 10 ms device step of what was queued is still played after the flush.
  EXPECT_LE(later - atStop, 22050u / 100) << "played on after stop: " << later - atStop;
  EXPECT_EQ(d.request("status")["state"], "idle");
}

TEST(Speech, RateChangesWhileSpeakingAreHeardFromTheNextChunk) {
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  std::string text;
  for (int i = 0; i < 5; ++i) text += "Un deux trois quatre cinq six sept huit neuf dix. ";
  json r = d.request("say", {{"text", text}, {"lang", "fr"}});
  std::vector<json> seen;
  d.waitEvent("first-audio", &seen);
  ASSERT_EQ(d.request("set", {{"key", "rate"}, {"value", "350"}})["rate"], 350);
  auto evs = d.eventsUntilFinished(r["job"]);
  evs.insert(evs.begin(), seen.begin(), seen.end());
  auto utts = named(evs, "utterance-started");
  ASSERT_EQ(utts.size(), 5u) << dump(evs);
  EXPECT_EQ(utts.front()["rate"], 175) << utts.front().dump();
  // The chunk being synthesised keeps its rate; at most one more was already asked for.
  EXPECT_EQ(utts[2]["rate"], 350) << dump(utts);
  EXPECT_EQ(utts.back()["rate"], 350);
  // Same words twice as fast: the last chunk is much shorter than the first.
  const double first = utts[1]["sample"].get<double>() - utts[0]["sample"].get<double>();
  const double last =
      evs.back()["timings"]["audio_ms"].get<double>() * 22.05 - utts[4]["sample"].get<double>();
  EXPECT_LT(last, first * 0.75) << "first chunk " << first << " samples, last " << last;
}

TEST(Speech, NoticesAreNotLostWhenTextInterrupts) {
  // A notice (the words of the two-corner rectangle, an error said aloud) queued while text is
  // spoken is said after the text that interrupted, never dropped. Notices come from hotkeys,
  // so here through `say` with priority "message".
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  json text1 = d.request(
      "say", {{"text", "Une première lecture assez longue pour être coupée."}, {"lang", "fr"}});
  std::vector<json> seen;
  d.waitEvent("first-audio", &seen);
  json notice =
      d.request("say", {{"text", "Premier coin."}, {"lang", "fr"}, {"priority", "message"}});
  ASSERT_TRUE(notice["ok"]) << notice.dump();
  json text2 = d.request("say", {{"text", "La suite."}, {"lang", "fr"}});
  auto evs = d.eventsUntilFinished(notice["job"]);
  evs.insert(evs.begin(), seen.begin(), seen.end());
  std::vector<uint64_t> finishedOrder;
  bool noticeSpoken = false;
  for (const auto& e : evs) {
    if (e["event"] == "job-finished") finishedOrder.push_back(e["job"].get<uint64_t>());
    if (e["event"] == "job-finished" && e["job"] == notice["job"])
      noticeSpoken = !e["stopped"].get<bool>() && e["timings"]["audio_ms"].get<double>() > 300;
  }
  EXPECT_TRUE(noticeSpoken) << dump(evs);
  // text1 stopped by text2, text2 spoken to its end, then the notice.
  ASSERT_EQ(finishedOrder.size(), 3u) << dump(evs);
  EXPECT_EQ(finishedOrder[0], text1["job"].get<uint64_t>());
  EXPECT_EQ(finishedOrder[1], text2["job"].get<uint64_t>());
}

TEST(Speech, ANotificationIsSaidIntoSilenceOnlyAndAnythingCutsIt) {
  // SSIP's notification ("battery low" from a script): dropped while anything is spoken, spoken
  // into silence, cut by the next text.
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  json text = d.request(
      "say", {{"text", "Une lecture assez longue pour durer un moment encore."}, {"lang", "fr"}});
  std::vector<json> seen;
  d.waitEvent("first-audio", &seen);
  json dropped = d.request(
      "say",
      {{"text", "Batterie faible."}, {"lang", "fr"}, {"priority", "notification"}, {"wait", true}});
  ASSERT_TRUE(dropped["ok"]) << dropped.dump();
  EXPECT_EQ(dropped["stopped"], true) << dropped.dump();
  EXPECT_EQ(dropped["timings"]["audio_ms"], 0) << dropped.dump();
  auto evs = d.eventsUntilFinished(text["job"]);
  for (const auto& e : evs)
    if (e["event"] == "job-finished" && e["job"] == text["job"]) {
      EXPECT_EQ(e["stopped"], false) << "the text goes on to its end: " << dump(evs);
    }

  // Into silence: spoken, until a text comes and cuts it.
  json spoken = d.request("say", {{"text", "Batterie faible, branchez le chargeur maintenant."},
                                  {"lang", "fr"},
                                  {"priority", "notification"}});
  ASSERT_TRUE(spoken["ok"]) << spoken.dump();
  std::vector<json> upTo;
  d.waitEvent("first-audio", &upTo);
  json next = d.request("say", {{"text", "La suite."}, {"lang", "fr"}});
  auto rest = d.eventsUntilFinished(next["job"]);
  rest.insert(rest.begin(), upTo.begin(), upTo.end());
  std::vector<uint64_t> order;
  for (const auto& e : rest) {
    if (e["event"] != "job-finished") continue;
    order.push_back(e["job"].get<uint64_t>());
    if (e["job"] == spoken["job"]) {
      EXPECT_EQ(e["stopped"], true) << dump(rest);
    }
    if (e["job"] == next["job"]) {
      EXPECT_EQ(e["stopped"], false) << dump(rest);
    }
  }
  ASSERT_EQ(order.size(), 2u) << dump(rest);
  EXPECT_EQ(order[0], spoken["job"].get<uint64_t>());

  json bad = d.request("say", {{"text", "x"}, {"priority", "urgent"}});
  EXPECT_EQ(bad["error"]["code"], "invalid-argument") << bad.dump();
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("notification"), std::string::npos);
}

TEST(Speech, AFloodOfRequestsKeepsTheQueueBounded) {
  DaemonHarness d({"--audio", "paced-null"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  // 1000 texts: each one supersedes the previous, so one is spoken and nothing piles up.
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    json r = d.request("say", {{"text", "Texte " + std::to_string(i) + "."}, {"lang", "fr"}});
    ASSERT_TRUE(r["ok"]) << r.dump();
    last = r["job"].get<uint64_t>();
  }
  // 100 messages: at most 16 wait, the oldest are dropped and queue-full is said once.
  uint64_t lastMessage = 0;
  for (int i = 0; i < 100; ++i)
    lastMessage = d.request("say", {{"text", "Message " + std::to_string(i) + "."},
                                    {"priority", "message"}})["job"]
                      .get<uint64_t>();
  json st = d.request("status");
  EXPECT_LE(st["speech"]["queued_messages"].get<int>(), 16) << st.dump();
  EXPECT_LE(st["jobs"].size(), 20u) << st.dump();
  d.request("stop");
  auto evs = d.eventsUntilFinished(lastMessage);
  int queueFull = 0, finished = 0;
  for (const auto& ev : evs) {
    if (ev.value("event", "") == "error" && ev.value("code", "") == "queue-full") ++queueFull;
    if (ev.value("event", "") == "job-finished") ++finished;
  }
  EXPECT_EQ(queueFull, 1);
  EXPECT_EQ(finished, 1100) << "every job ends, dropped ones as stopped";
  EXPECT_EQ(d.request("status")["jobs"].size(), 0u);
  (void)last;
  EXPECT_TRUE(d.alive());
}

// Every OCR word is under a threshold of 100: each one is signalled.
DaemonHarness doubtfulDaemon(const std::string& signal) {
  return DaemonHarness({"--audio", "null"}, [signal](const TempXdg& x) {
    std::filesystem::create_directories(x.path("config/liseur"));
    writeFile(x.path("config/liseur/liseur.toml"),
              "[speech]\ndoubtful_threshold = 100\ndoubtful_signal = \"" + signal + "\"\n");
  });
}

TEST(Speech, DoubtfulWordsGetATone) {
  double plainMs = 0;
  {
    DaemonHarness d;
    ASSERT_TRUE(d.started()) << d.startProblem();
    json r = d.request(
        "read",
        {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("a.wav")}, {"wait", true}});
    ASSERT_TRUE(r["ok"]) << r.dump();
    plainMs = r["timings"]["audio_ms"].get<double>();
  }
  DaemonHarness d = doubtfulDaemon("tone");
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("t.wav")}});
  auto evs = d.eventsUntilFinished(r["job"]);
  auto words = named(evs, "word");
  ASSERT_GT(words.size(), 10u) << dump(evs);
  for (const auto& w : words) EXPECT_TRUE(w.value("doubtful", false)) << w.dump();
  // An 80 ms tone (45 ms of sound, 35 ms of silence) before each word; the words keep their
  // place after it: each word event comes at least a tone after the previous word's.
  const double toneMs = 80, withTones = evs.back()["timings"]["audio_ms"].get<double>();
  EXPECT_NEAR(withTones - plainMs, toneMs * words.size(), toneMs * words.size() * 0.1)
      << "plain " << plainMs << " ms, with tones " << withTones << " ms, " << words.size()
      << " words";
  WavInfo wav = readWav(d.path("t.wav"));
  ASSERT_TRUE(wav.ok) << wav.problem;
  // The first word's tone: 45 ms of a loud 1200 Hz sine right before the word's first sample.
  const auto first = words.front()["sample"].get<std::size_t>();
  ASSERT_GE(first, 1763u);  // 992 samples of tone, 771 of silence
  double energy = 0;
  for (std::size_t i = first - 1763; i < first - 771; ++i)
    energy += double(wav.samples[i]) * wav.samples[i];
  EXPECT_GT(std::sqrt(energy / 992), 3000) << "no tone before the first word";
  // spell-doubtful goes to the next doubtful word and spells it.
  json sp = d.request("review", {{"action", "spell-doubtful"}});
  ASSERT_TRUE(sp["ok"]) << sp.dump();
  EXPECT_EQ(sp["text"], "changes. C, H, A, N, G, E, S") << sp.dump();
}

TEST(Speech, DoubtfulWordsCanBeSaidAtAnotherPitch) {
  DaemonHarness d = doubtfulDaemon("pitch");
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("p.wav")}});
  auto evs = d.eventsUntilFinished(r["job"]);
  ASSERT_TRUE(evs.back()["ok"]) << dump(evs);
  int high = 0;
  for (const auto& u : named(evs, "utterance-started"))
    if (u.value("doubtful", false)) {
      ++high;
      EXPECT_EQ(u["pitch"], 75) << u.dump();
    }
  EXPECT_GT(high, 10) << dump(evs);
  // Word events still name the words of the image, with their boxes.
  auto words = named(evs, "word");
  ASSERT_FALSE(words.empty());
  EXPECT_EQ(words.front()["text"], "Save");
  EXPECT_TRUE(words.front().contains("box"));
}

}  // namespace
}  // namespace liseur::test
