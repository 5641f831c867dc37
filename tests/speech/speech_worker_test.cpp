// The real liseur-speech-worker driven through spawnWorker and frames, as the daemon drives it.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/frame.h"
#include "core/subprocess.h"
#include "speech/speech_protocol.h"
#include "support/test_env.h"

namespace liseur::speech {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kTimeoutMs = 30000;  // only to avoid hanging on a broken worker
const std::string kElodie = "Bonjour, je m'appelle Élodie.";

// One worker process; killed and reaped by the destructor if still running.
class WorkerProcess {
 public:
  explicit WorkerProcess(WorkerLimits limits = {}) {
    auto w = spawnWorker(test::programPath(kWorkerProgram), {}, {}, limits);
    if (!w) {
      ADD_FAILURE() << "spawnWorker: " << w.error().message;
      return;
    }
    pid_ = w->pid;
    fd_ = w->fd;
  }
  ~WorkerProcess() {
    if (fd_ >= 0) ::close(fd_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  int fd() const { return fd_; }

  void send(const json& header, std::string_view payload = {}) {
    Status st = writeFrame(fd_, header, payload);
    ASSERT_TRUE(st.ok()) << "writing " << header.dump() << ": " << st.error().message;
  }
  void sendRaw(std::string_view bytes) {
    Status st = writeAll(fd_, bytes);
    ASSERT_TRUE(st.ok()) << "writing raw bytes: " << st.error().message;
  }

  // Next frame, or an Error on EOF / timeout.
  Result<Frame> read() {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, kTimeoutMs);
    if (r == 0) return makeError(ErrorCode::kTimeout, "no frame from the worker in 30 s");
    return readFrame(fd_);
  }

  // Reads until the `ready` frame.
  json ready() {
    auto f = read();
    if (!f) {
      ADD_FAILURE() << "waiting for ready: " << f.error().message;
      return {};
    }
    EXPECT_EQ(f->header.value("ev", ""), "ready") << "first frame: " << f->header.dump();
    return f->header;
  }

  // Waits for the process to end; returns its wait status (or nullopt after 30 s).
  std::optional<int> waitExit() {
    for (int i = 0; i < kTimeoutMs / 10; ++i) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

json speakRequest(int64_t gen, int64_t utt, const std::string& text,
                  const std::string& voice = "fr") {
  return {{"op", "speak"}, {"gen", gen},  {"utt", utt},    {"text", text}, {"voice", voice},
          {"rate", 175},   {"pitch", 50}, {"volume", 100}, {"wordgap", 0}};
}

struct Utterance {
  std::vector<int16_t> pcm;
  std::vector<json> marks;
  std::vector<std::size_t> pcm_before_mark;  // samples received when each mark arrived
  std::optional<json> end;
  std::optional<json> error;
  std::vector<json> others;  // frames of other utterances seen meanwhile
  std::string failure;       // EOF or timeout before end/error
};

bool isFor(const json& h, int64_t gen, int64_t utt) {
  return h.value("gen", int64_t{-1}) == gen && h.value("utt", int64_t{-1}) == utt;
}

// Reads frames until the end or error of (gen, utt).
Utterance collect(WorkerProcess& w, int64_t gen, int64_t utt) {
  Utterance u;
  for (;;) {
    auto f = w.read();
    if (!f) {
      u.failure = f.error().message;
      return u;
    }
    const json& h = f->header;
    if (!isFor(h, gen, utt)) {
      u.others.push_back(h);
      continue;
    }
    const std::string ev = h.value("ev", "");
    if (ev == "pcm") {
      EXPECT_EQ(f->payload.size() % 2, 0u) << "odd pcm payload size";
      const std::size_t n = f->payload.size() / 2;
      for (std::size_t i = 0; i < n; ++i) {
        auto lo = static_cast<uint8_t>(f->payload[2 * i]);
        auto hi = static_cast<uint8_t>(f->payload[2 * i + 1]);
        u.pcm.push_back(static_cast<int16_t>(static_cast<uint16_t>(lo | (hi << 8))));
      }
    } else if (ev == "mark") {
      u.marks.push_back(h);
      u.pcm_before_mark.push_back(u.pcm.size());
    } else if (ev == "end") {
      u.end = h;
      return u;
    } else if (ev == "error") {
      u.error = h;
      return u;
    } else {
      u.others.push_back(h);
    }
  }
}

double rms(const std::vector<int16_t>& pcm, std::size_t from = 0,
           std::size_t to = std::string::npos) {
  to = std::min(to, pcm.size());
  if (from >= to) return 0;
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += double(pcm[i]) * pcm[i];
  return std::sqrt(sum / double(to - from));
}

std::vector<std::string> markedWords(const std::string& text, const Utterance& u) {
  std::vector<std::string> words;
  for (const auto& m : u.marks) {
    auto off = m.at("offset").get<std::size_t>();
    auto len = m.at("length").get<std::size_t>();
    if (off + len > text.size()) {
      words.push_back("<out of range " + m.dump() + ">");
      continue;
    }
    words.push_back(text.substr(off, len));
  }
  return words;
}

std::string describe(const Utterance& u) {
  std::string s =
      std::to_string(u.pcm.size()) + " samples, " + std::to_string(u.marks.size()) + " marks";
  if (u.end) s += ", end " + u.end->dump();
  if (u.error) s += ", error " + u.error->dump();
  if (!u.failure.empty()) s += ", failure: " + u.failure;
  return s;
}

// A complete, well-formed utterance: end == pcm received, marks ordered and inside the audio.
void expectConsistent(const std::string& text, const Utterance& u) {
  ASSERT_TRUE(u.end.has_value()) << "text \"" << text << "\": " << describe(u);
  EXPECT_EQ(u.end->at("samples").get<uint64_t>(), u.pcm.size()) << "text \"" << text << "\"";
  uint64_t prevSample = 0;
  std::size_t prevEnd = 0;
  for (std::size_t i = 0; i < u.marks.size(); ++i) {
    const json& m = u.marks[i];
    auto s = m.at("sample").get<uint64_t>();
    auto off = m.at("offset").get<std::size_t>();
    EXPECT_LT(s, u.pcm.size()) << "text \"" << text << "\" mark " << m.dump();
    // Sent before the audio it points into, so a player can schedule the highlight.
    EXPECT_GE(s, u.pcm_before_mark[i]) << "text \"" << text << "\" mark " << m.dump();
    EXPECT_GT(m.at("length").get<std::size_t>(), 0u) << "text \"" << text << "\" " << m.dump();
    if (i > 0) {
      EXPECT_GT(s, prevSample) << "text \"" << text << "\" mark " << m.dump();
      EXPECT_GE(off, prevEnd) << "text \"" << text << "\" overlapping mark " << m.dump();
    }
    prevSample = s;
    prevEnd = off + m.at("length").get<std::size_t>();
  }
}

TEST(SpeechWorker, ReportsReadyWithTheSampleRate) {
  WorkerProcess w;
  json r = w.ready();
  EXPECT_EQ(r.value("sample_rate", 0), 22050) << r.dump();
  EXPECT_FALSE(r.value("espeak", "").empty()) << r.dump();
  EXPECT_EQ(r.value("buffer_ms", 0), kSynthBufferMs) << r.dump();
  w.send({{"op", "ping"}});
  auto f = w.read();
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->header.value("ev", ""), "pong") << f->header.dump();
}

TEST(SpeechWorker, SpeaksFrenchWithWordMarks) {
  WorkerProcess w;
  w.ready();
  w.send(speakRequest(1, 1, kElodie));
  Utterance u = collect(w, 1, 1);
  expectConsistent(kElodie, u);
  EXPECT_GT(rms(u.pcm), 1000.0) << "text \"" << kElodie << "\": " << describe(u);
  // At 175 wpm this sentence lasts well over a second.
  EXPECT_GT(u.pcm.size(), 22050u) << describe(u);
  EXPECT_EQ(markedWords(kElodie, u),
            (std::vector<std::string>{"Bonjour", "je", "m'appelle", "Élodie"}))
      << "text \"" << kElodie << "\": marks " << testing::PrintToString(u.marks.size());
  // "Élodie" starts after 22 ASCII bytes and is 7 bytes long (É is 2 bytes in UTF-8).
  ASSERT_EQ(u.marks.size(), 4u) << describe(u);
  EXPECT_EQ(u.marks[3].at("offset").get<int>(), 22) << u.marks[3].dump();
  EXPECT_EQ(u.marks[3].at("length").get<int>(), 7) << u.marks[3].dump();
  EXPECT_EQ(u.marks[0].at("sample").get<int>(), 0) << u.marks[0].dump();

  // The mark samples are where the words are in the audio we received: "Bonjour," ends with a
  // pause, so the 50 ms before "je" are much quieter than the 100 ms from "je" on.
  const auto je = u.marks[1].at("sample").get<std::size_t>();
  ASSERT_GT(je, 1102u) << u.marks[1].dump();
  const double before = rms(u.pcm, je - 1102, je), after = rms(u.pcm, je, je + 2205);
  EXPECT_LT(before * 4, after) << "rms before \"je\" " << before << ", after " << after << ", mark "
                               << u.marks[1].dump();
}

TEST(SpeechWorker, AccentedWordsAfterAccentedWordsGetByteOffsets) {
  WorkerProcess w;
  w.ready();
  const std::string text = "Élodie était très contente à l’école, naïve œuvre dit-il.";
  w.send(speakRequest(3, 9, text));
  Utterance u = collect(w, 3, 9);
  expectConsistent(text, u);
  std::vector<std::string> words = markedWords(text, u);
  for (const char* expected :
       {"Élodie", "était", "très", "contente", "l’école", "naïve", "œuvre", "dit-il"})
    EXPECT_NE(std::find(words.begin(), words.end(), expected), words.end())
        << "text \"" << text << "\": no mark for \"" << expected
        << "\"; marked: " << testing::PrintToString(words);
}

TEST(SpeechWorker, VoicesAndVariantsSpeak) {
  WorkerProcess w;
  w.ready();
  struct Case {
    std::string voice, text;
    int rate;
  };
  const std::vector<Case> cases = {
      {"fr", kElodie, 175},
      {"fr+f3", kElodie, 175},
      {"en-gb", "Hello, my name is Elodie.", 175},
      {"en-us", "Hello, my name is Elodie.", 175},
      {"en-gb+f3", "Hello, my name is Elodie.", 175},
      {"en", "Hello, my name is Elodie.", 175},
      {"fr", kElodie, 700},  // libsonic speed-up: marks must still fall inside the audio
  };
  int64_t utt = 0;
  std::size_t normalFr = 0;
  for (const auto& c : cases) {
    json req = speakRequest(1, ++utt, c.text, c.voice);
    req["rate"] = c.rate;
    w.send(req);
    Utterance u = collect(w, 1, utt);
    SCOPED_TRACE("voice " + c.voice + " rate " + std::to_string(c.rate) + " text \"" + c.text +
                 "\"");
    expectConsistent(c.text, u);
    EXPECT_GT(rms(u.pcm), 1000.0) << describe(u);
    EXPECT_GE(u.marks.size(), 4u) << describe(u);
    if (c.voice == "fr" && c.rate == 175) normalFr = u.pcm.size();
    if (c.rate == 700) {
      EXPECT_LT(u.pcm.size() * 2, normalFr) << "700 wpm is not faster than 175: " << describe(u);
    }
  }
}

TEST(SpeechWorker, LongerTextGivesProportionallyMoreSamples) {
  WorkerProcess w;
  w.ready();
  const std::string one = "Le petit chat dort sur le canapé du salon.";
  const std::string four = one + " " + one + " " + one + " " + one;
  w.send(speakRequest(1, 1, one));
  Utterance u1 = collect(w, 1, 1);
  w.send(speakRequest(1, 2, four));
  Utterance u4 = collect(w, 1, 2);
  expectConsistent(one, u1);
  expectConsistent(four, u4);
  ASSERT_GT(u1.pcm.size(), 0u);
  const double ratio = double(u4.pcm.size()) / double(u1.pcm.size());
  EXPECT_GT(ratio, 3.3) << "one: " << describe(u1) << "; four times: " << describe(u4);
  EXPECT_LT(ratio, 4.7) << "one: " << describe(u1) << "; four times: " << describe(u4);
  EXPECT_EQ(u4.marks.size(), 4 * u1.marks.size())
      << "one: " << describe(u1) << "; four: " << describe(u4);
}

TEST(SpeechWorker, MissingVoiceIsAnErrorAndTheWorkerKeepsServing) {
  WorkerProcess w;
  w.ready();
  int64_t utt = 0;
  // Unknown voice, unknown variant of a known voice, an mbrola voice whose data is not installed.
  for (const std::string voice : {"zz-nosuchvoice", "fr+nosuchvariant", "mb-en1"}) {
    w.send(speakRequest(1, ++utt, kElodie, voice));
    Utterance bad = collect(w, 1, utt);
    ASSERT_TRUE(bad.error.has_value()) << "voice " << voice << ": " << describe(bad);
    EXPECT_EQ(bad.error->value("code", ""), "voice-missing") << bad.error->dump();
    EXPECT_NE(bad.error->value("message", "").find("\"" + voice + "\""), std::string::npos)
        << "voice " << voice << ": " << bad.error->dump();
    EXPECT_TRUE(bad.pcm.empty()) << "voice " << voice << ": " << describe(bad);

    w.send(speakRequest(1, ++utt, kElodie, "fr"));
    Utterance good = collect(w, 1, utt);
    SCOPED_TRACE("fr after voice " + voice);
    expectConsistent(kElodie, good);
    EXPECT_GT(rms(good.pcm), 1000.0) << describe(good);
    EXPECT_EQ(markedWords(kElodie, good),
              (std::vector<std::string>{"Bonjour", "je", "m'appelle", "Élodie"}));
  }
}

TEST(SpeechWorker, BadSettingsAndOverlongTextAreRefusedByName) {
  WorkerProcess w;
  w.ready();
  struct Case {
    json request;
    std::string code, mentions;
  };
  auto with = [](const char* key, json v) {
    json r = speakRequest(1, 0, "Bonjour.");
    r[key] = std::move(v);
    return r;
  };
  std::vector<Case> cases = {
      {with("rate", 5), "invalid-argument", "\"rate\" is 5"},
      {with("pitch", 101), "invalid-argument", "pitch"},
      {with("volume", -1), "invalid-argument", "volume"},
      {with("wordgap", "big"), "invalid-argument", "wordgap"},
      {with("voice", "../../etc/passwd"), "invalid-argument", "voice"},
      {with("voice", "fr+"), "invalid-argument", "voice"},
      {with("voice", "+f3"), "invalid-argument", "voice"},
      {with("voice", "fr+f3+m1"), "invalid-argument", "voice"},
      {with("voice", ""), "invalid-argument", "voice"},
      {with("text", std::string(kMaxUtteranceBytes + 1, 'a')), "invalid-argument", "4096"},
      {with("text", 12), "invalid-argument", "text"},
      {with("end_pause", "no"), "invalid-argument", "end_pause"},
  };
  int64_t utt = 0;
  for (auto& c : cases) {
    c.request["utt"] = ++utt;
    w.send(c.request);
    Utterance u = collect(w, 1, utt);
    std::string shown = c.request.dump().substr(0, 200);
    ASSERT_TRUE(u.error.has_value()) << "request " << shown << ": " << describe(u);
    EXPECT_EQ(u.error->value("code", ""), c.code) << "request " << shown;
    EXPECT_NE(u.error->value("message", "").find(c.mentions), std::string::npos)
        << "request " << shown << " -> " << u.error->dump();
  }
  // Exactly at the limit is accepted.
  const std::string limit(kMaxUtteranceBytes, 'a');
  w.send(speakRequest(1, 100, limit));
  Utterance atLimit = collect(w, 1, 100);
  ASSERT_TRUE(atLimit.end.has_value()) << "4096 bytes of 'a': " << describe(atLimit);
  w.send(speakRequest(1, 101, kElodie));
  expectConsistent(kElodie, collect(w, 1, 101));
}

TEST(SpeechWorker, SpeaksUnderASmallAddressSpaceLimit) {
  // The daemon may cap the worker's memory: espeak-ng needs ~11 MB resident, ~40 MB mapped.
  WorkerLimits limits;
  limits.address_space_mb = 64;
  WorkerProcess w(limits);
  w.ready();
  std::string text;
  while (text.size() + kElodie.size() + 1 < static_cast<std::size_t>(kMaxUtteranceBytes))
    text += kElodie + " ";
  w.send(speakRequest(1, 1, text));
  Utterance u = collect(w, 1, 1);
  expectConsistent(text, u);
  EXPECT_GT(rms(u.pcm), 1000.0) << describe(u);
}

TEST(SpeechWorker, EmptyBlankAndSymbolOnlyTextsEndNormally) {
  WorkerProcess w;
  w.ready();
  const std::vector<std::string> texts = {"", "   \n\t ", "...", "«»", "😀", "<speak>x</speak>"};
  int64_t utt = 0;
  for (const auto& text : texts) {
    w.send(speakRequest(2, ++utt, text));
    Utterance u = collect(w, 2, utt);
    SCOPED_TRACE("text \"" + text + "\"");
    expectConsistent(text, u);
  }
  w.send(speakRequest(2, ++utt, kElodie));
  Utterance u = collect(w, 2, utt);
  expectConsistent(kElodie, u);
  EXPECT_EQ(u.marks.size(), 4u) << describe(u);
}

TEST(SpeechWorker, InvalidUtf8IsReplacedAndOffsetsStayInTheOriginalBytes) {
  WorkerProcess w;
  w.ready();
  // Sent as the payload: a JSON header cannot carry invalid UTF-8.
  const std::string raw = "Élodie \xff\xc3 mange une pomme\x00 verte.";
  const std::string text(raw.data(), raw.size());
  const std::string withNul = std::string("Élodie \xff\xc3 mange une pomme") + '\0' + " verte.";
  json req = speakRequest(4, 1, "");
  req.erase("text");
  w.send(req, withNul);
  Utterance u = collect(w, 4, 1);
  expectConsistent(withNul, u);
  EXPECT_GT(rms(u.pcm), 1000.0) << describe(u);
  EXPECT_EQ(markedWords(withNul, u),
            (std::vector<std::string>{"Élodie", "mange", "une", "pomme", "verte"}))
      << "input bytes " << testing::PrintToString(withNul);
}

TEST(SpeechWorker, CancelStopsFramesMidUtteranceAndTheNextRequestWorks) {
  WorkerProcess w;
  w.ready();
  std::string longText;
  while (longText.size() + 60 < static_cast<std::size_t>(kMaxUtteranceBytes))
    longText += "Voici une phrase assez longue pour remplir le tampon. ";
  // Full length first, for comparison.
  w.send(speakRequest(1, 1, longText));
  Utterance full = collect(w, 1, 1);
  expectConsistent(longText, full);

  // Gen 2 utt 1 starts; utt 2 of gen 2 waits in the queue. We read only the first pcm frame: the
  // worker then blocks on the full socket long before the end of the text, so the cancel is
  // certainly read mid-utterance.
  w.send(speakRequest(2, 1, longText));
  w.send(speakRequest(2, 2, kElodie));
  std::size_t cancelledSamples = 0;
  for (;;) {
    auto f = w.read();
    ASSERT_TRUE(f.ok()) << f.error().message;
    if (f->header.value("ev", "") == "pcm") {
      cancelledSamples += f->payload.size() / 2;
      break;
    }
  }
  w.send({{"op", "cancel"}, {"gen", 2}});
  w.send(speakRequest(1, 7, kElodie));  // an older generation: also cancelled, silently
  w.send({{"op", "ping"}});
  bool sawPong = false;
  while (!sawPong) {
    auto f = w.read();
    ASSERT_TRUE(f.ok()) << f.error().message;
    const json& h = f->header;
    const std::string ev = h.value("ev", "");
    if (ev == "pong") {
      sawPong = true;
      continue;
    }
    EXPECT_TRUE(isFor(h, 2, 1)) << "before pong: " << h.dump();
    EXPECT_NE(ev, "end") << "cancelled utterance ended: " << h.dump();
    EXPECT_NE(ev, "error") << h.dump();
    if (ev == "pcm") cancelledSamples += f->payload.size() / 2;
  }
  std::cout << "[measure] cancel read after the first pcm frame: " << cancelledSamples << " of "
            << full.pcm.size() << " samples of the cancelled utterance were sent (the socket "
            << "buffer's worth)\n";
  EXPECT_LT(cancelledSamples * 2, full.pcm.size())
      << "cancelled after " << cancelledSamples << " of " << full.pcm.size() << " samples";

  w.send(speakRequest(3, 1, kElodie));
  Utterance next = collect(w, 3, 1);
  EXPECT_TRUE(next.others.empty()) << "frames after the pong: " << next.others.size() << ", first "
                                   << (next.others.empty() ? "" : next.others[0].dump());
  expectConsistent(kElodie, next);
  EXPECT_EQ(markedWords(kElodie, next),
            (std::vector<std::string>{"Bonjour", "je", "m'appelle", "Élodie"}))
      << describe(next);
  EXPECT_GT(rms(next.pcm), 1000.0) << describe(next);
}

TEST(SpeechWorker, CancelOfANewerGenerationLeavesOlderWorkAlone) {
  WorkerProcess w;
  w.ready();
  w.send({{"op", "cancel"}, {"gen", 1}});
  w.send(speakRequest(1, 1, kElodie));  // dropped
  w.send(speakRequest(2, 1, kElodie));  // spoken
  Utterance u = collect(w, 2, 1);
  expectConsistent(kElodie, u);
  EXPECT_TRUE(u.others.empty()) << "frames of the cancelled generation: "
                                << (u.others.empty() ? "" : u.others[0].dump());
}

TEST(SpeechWorker, TextThatMadeEspeakAbortIsSpokenAndTheWorkerLives) {
  // 220 chained "s'" abort espeak-ng 1.51 (from 68 in one token): UtteranceText cuts the chain
  // before synthesis, so the worker speaks it and goes on.
  std::string hostile;
  for (int i = 0; i < 220; ++i) hostile += "s'";
  WorkerProcess w;
  w.ready();
  w.send(speakRequest(1, 1, hostile, "en"));
  Utterance u = collect(w, 1, 1);
  ASSERT_TRUE(u.end.has_value()) << "espeak-ng aborted on \"s'\"x220: " << describe(u);
  EXPECT_FALSE(u.pcm.empty()) << describe(u);
  w.send(speakRequest(1, 2, kElodie));
  Utterance next = collect(w, 1, 2);
  expectConsistent(kElodie, next);
  EXPECT_GT(rms(next.pcm), 1000.0) << describe(next);
}

TEST(SpeechWorker, WellFramedGarbageGetsErrorsAndServiceContinues) {
  WorkerProcess w;
  w.ready();
  struct Case {
    json request;
    std::string code;
  };
  const std::vector<Case> cases = {
      {{{"op", 42}}, "unknown-command"},
      {{{"nothing", 1}}, "unknown-command"},
      {{{"op", "dance"}}, "unknown-command"},
      {{{"op", "cancel"}}, "invalid-argument"},
      {{{"op", "cancel"}, {"gen", -4}}, "invalid-argument"},
      {{{"op", "speak"}, {"text", "Bonjour"}}, "invalid-argument"},
      {{{"op", "speak"}, {"gen", "x"}, {"utt", 1}, {"text", "Bonjour"}}, "invalid-argument"},
      {{{"op", "speak"}, {"gen", 1}, {"utt", 1.5}, {"text", "Bonjour"}}, "invalid-argument"},
      {{{"op", "speak"}, {"gen", 1}, {"utt", 2}, {"text", {1, 2}}}, "invalid-argument"},
  };
  for (const auto& c : cases) {
    w.send(c.request);
    auto f = w.read();
    ASSERT_TRUE(f.ok()) << "after " << c.request.dump() << ": " << f.error().message;
    EXPECT_EQ(f->header.value("ev", ""), "error") << c.request.dump() << " -> " << f->header.dump();
    EXPECT_EQ(f->header.value("code", ""), c.code)
        << c.request.dump() << " -> " << f->header.dump();
  }
  w.send(speakRequest(5, 5, kElodie));
  Utterance u = collect(w, 5, 5);
  expectConsistent(kElodie, u);
  EXPECT_TRUE(u.others.empty()) << u.others.size() << " unexpected frames";
}

// A frame the worker cannot read: it reports bad-request and exits with status 3.
void expectBrokenFrameExit(const std::string& what, const std::string& bytes) {
  WorkerProcess w;
  w.ready();
  w.sendRaw(bytes);
  auto f = w.read();
  ASSERT_TRUE(f.ok()) << what << ": " << f.error().message;
  EXPECT_EQ(f->header.value("ev", ""), "error") << what << ": " << f->header.dump();
  EXPECT_EQ(f->header.value("code", ""), "bad-request") << what << ": " << f->header.dump();
  std::optional<int> status = w.waitExit();
  ASSERT_TRUE(status.has_value()) << what << ": worker did not exit";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 3)
      << what << ": wait status " << *status;
}

std::string u32le(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

TEST(SpeechWorker, UnreadableFramesEndTheWorkerCleanly) {
  expectBrokenFrameExit("header not JSON", u32le(9) + u32le(0) + "not json!");
  expectBrokenFrameExit("header a JSON array", u32le(7) + u32le(0) + "[1,2,3]");
  expectBrokenFrameExit("4 GiB header length", u32le(0xFFFFFFF0u) + u32le(0) + "{}");
}

TEST(SpeechWorker, RandomBytesNeverCrashOrHangTheWorker) {
  std::mt19937 rng(20261122);
  for (int round = 0; round < 5; ++round) {
    std::string junk(64 + rng() % 512, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    WorkerProcess w;
    w.ready();
    w.sendRaw(junk);
    ::shutdown(w.fd(), SHUT_WR);  // EOF after the junk, so a short read cannot wait forever
    for (;;) {                    // drain whatever it answers
      auto f = w.read();
      if (!f) break;
    }
    std::optional<int> status = w.waitExit();
    ASSERT_TRUE(status.has_value()) << "round " << round << ": worker did not exit";
    EXPECT_TRUE(WIFEXITED(*status)) << "round " << round << " (" << junk.size()
                                    << " random bytes, seed 20261122): wait status " << *status;
  }
}

TEST(SpeechWorker, EofEndsTheWorkerWithStatusZeroEvenMidUtterance) {
  WorkerProcess w;
  w.ready();
  std::string longText;
  while (longText.size() + 60 < static_cast<std::size_t>(kMaxUtteranceBytes))
    longText += "Encore une phrase pour occuper le synthétiseur un moment. ";
  w.send(speakRequest(1, 1, longText));
  auto f = w.read();
  ASSERT_TRUE(f.ok()) << f.error().message;
  ::shutdown(w.fd(), SHUT_WR);
  for (;;) {
    auto g = w.read();
    if (!g) break;
  }
  std::optional<int> status = w.waitExit();
  ASSERT_TRUE(status.has_value()) << "worker did not exit after EOF";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status;
}

// A measurement, not an assertion: warm time from writing a speak frame to reading its first pcm.
TEST(SpeechWorker, MeasureWarmTimeToFirstPcm) {
  WorkerProcess w;
  w.ready();
  double coldMs = -1;
  {
    auto t0 = std::chrono::steady_clock::now();
    w.send(speakRequest(1, 99, kElodie));
    for (;;) {
      auto f = w.read();
      ASSERT_TRUE(f.ok()) << f.error().message;
      const std::string ev = f->header.value("ev", "");
      if (ev == "pcm" && coldMs < 0)
        coldMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count();
      if (ev == "end" || ev == "error") break;
    }
  }
  for (int i = 0; i < 3; ++i) {  // warm up: voice, dictionary, caches
    w.send(speakRequest(1, i, kElodie));
    expectConsistent(kElodie, collect(w, 1, i));
  }
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    const int64_t utt = 100 + i;
    auto t0 = std::chrono::steady_clock::now();
    w.send(speakRequest(2, utt, kElodie));
    bool first = true;
    for (;;) {
      auto f = w.read();
      ASSERT_TRUE(f.ok()) << f.error().message;
      const std::string ev = f->header.value("ev", "");
      if (ev == "pcm" && first) {
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        first = false;
      }
      if (ev == "end" || ev == "error") break;
    }
  }
  ASSERT_EQ(ms.size(), 30u);
  std::sort(ms.begin(), ms.end());
  std::cout << "[measure] warm speak -> first pcm frame over the socket, 30 runs, text \""
            << kElodie << "\" (fr): median " << ms[15] << " ms, min " << ms[0] << " ms, p90 "
            << ms[27] << " ms, max " << ms[29] << " ms; first utterance after ready: " << coldMs
            << " ms\n";
  RecordProperty("first_pcm_median_ms", std::to_string(ms[15]));
}

}  // namespace
}  // namespace liseur::speech
