// The speech-dispatcher output against a real speech-dispatcher (its espeak-ng module, a private
// PulseAudio null sink that plays in real time), started by the test in private directories:
// the text arrives and every index mark comes back in order, a cancel silences at once, SSIP
// priorities hold (a message is not cut by text), a missing server is a clear error, and a
// server that dies is reported and reconnected.
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "speech/dispatcher_output.h"
#include "support/pulse_server.h"
#include "support/speechd_server.h"
#include "support/test_env.h"

namespace liseur::speech {
namespace {

using namespace std::chrono_literals;
using test::PulseServer;
using test::SpeechdServer;
using test::TempXdg;

std::string kindName(OutputEvent::Kind k) {
  switch (k) {
    case OutputEvent::Kind::kBegin:
      return "begin";
    case OutputEvent::Kind::kMark:
      return "mark";
    case OutputEvent::Kind::kEnd:
      return "end";
    case OutputEvent::Kind::kCancelled:
      return "cancelled";
    case OutputEvent::Kind::kFailed:
      return "failed";
  }
  return "?";
}

// The owner's thread is the test's: posted tasks wait in a queue that pump() runs.
class Owner {
 public:
  Owner() {
    output = makeDispatcherOutput(
        [this](std::function<void()> fn) {
          std::lock_guard<std::mutex> lk(mu_);
          tasks_.push_back(std::move(fn));
          cv_.notify_all();
        },
        [this](const OutputEvent& e) { events.push_back(e); });
  }
  // Runs posted tasks until pred() holds or the timeout passes.
  bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      std::unique_lock<std::mutex> lk(mu_);
      if (!cv_.wait_until(lk, end, [&] { return !tasks_.empty(); })) return pred();
      auto fn = std::move(tasks_.front());
      tasks_.pop_front();
      lk.unlock();
      fn();
    }
    return true;
  }
  std::vector<OutputEvent> of(uint64_t msg, std::optional<OutputEvent::Kind> kind = {}) const {
    std::vector<OutputEvent> out;
    for (const auto& e : events)
      if (e.message == msg && (!kind || e.kind == *kind)) out.push_back(e);
    return out;
  }
  bool has(uint64_t msg, OutputEvent::Kind kind) const { return !of(msg, kind).empty(); }
  std::string dump() const {
    std::string s;
    for (const auto& e : events) {
      s += std::to_string(e.message) + " " + kindName(e.kind);
      if (!e.mark.empty()) s += " " + e.mark;
      if (e.error) s += " " + std::string(e.error->name()) + ": " + e.error->message;
      s += "\n";
    }
    return s;
  }

  std::unique_ptr<SpeechOutput> output;
  std::vector<OutputEvent> events;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

// SSML with a mark "wN" before each word, as the Session makes it; `words` gets the marks.
std::string marked(const std::string& text, std::vector<std::string>* names,
                   const std::string& prefix = "w") {
  SsmlBuilder b;
  std::size_t i = 0;
  int n = 0;
  while (i < text.size()) {
    std::size_t s = text.find_first_not_of(' ', i);
    if (s == std::string::npos) break;
    b.text(text.substr(i, s - i));
    std::size_t e = text.find(' ', s);
    if (e == std::string::npos) e = text.size();
    names->push_back(prefix + std::to_string(n++));
    b.mark(names->back());
    b.text(text.substr(s, e - s));
    i = e;
  }
  return b.take();
}

std::vector<std::string> marksOf(const std::vector<OutputEvent>& evs) {
  std::vector<std::string> out;
  for (const auto& e : evs)
    if (e.kind == OutputEvent::Kind::kMark) out.push_back(e.mark);
  return out;
}

class DispatcherOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string m = SpeechdServer::missing(); !m.empty()) GTEST_FAIL() << m;
    std::string p = pulse_.start();
    ASSERT_EQ(p, "") << p;
    std::string s = speechd_.start();
    ASSERT_EQ(s, "") << s;
  }
  TempXdg xdg_;
  PulseServer pulse_{xdg_};
  SpeechdServer speechd_{xdg_};
};

constexpr const char* kFrench =
    "Le petit chat dort sur le tapis du salon. Il fait beau aujourd'hui, et demain aussi. "
    "Monsieur Dupont lit 3.5 pages du journal & boit un café.";
constexpr const char* kLong =
    "One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty. Twenty one twenty two twenty three twenty four "
    "twenty five twenty six twenty seven twenty eight twenty nine thirty.";

TEST_F(DispatcherOutputTest, TheTextArrivesAndEveryMarkComesBackInOrder) {
  Owner o;
  std::vector<std::string> names;
  const uint64_t id = o.output->speak(marked(kFrench, &names), "fr", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil(
      [&] { return o.has(id, OutputEvent::Kind::kEnd) || o.has(id, OutputEvent::Kind::kFailed); },
      60s))
      << o.dump() << speechd_.log();
  auto evs = o.of(id);
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.front().kind, OutputEvent::Kind::kBegin) << o.dump();
  EXPECT_EQ(evs.back().kind, OutputEvent::Kind::kEnd) << o.dump();
  // Every word's mark, in order, none twice: also those after a full stop, which espeak-ng
  // drops unless the sentence has its own <s>.
  EXPECT_EQ(marksOf(evs), names) << o.dump();
  EXPECT_EQ(o.output->status()["connected"], true);
}

TEST_F(DispatcherOutputTest, CancelSilencesAtOnceAndNoMoreMarksCome) {
  Owner o;
  std::vector<std::string> names;
  const uint64_t id = o.output->speak(marked(kLong, &names), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil([&] { return marksOf(o.of(id)).size() >= 3; }, 60s)) << o.dump();
  const auto t0 = std::chrono::steady_clock::now();
  o.output->cancel();
  ASSERT_TRUE(o.waitUntil([&] { return o.has(id, OutputEvent::Kind::kCancelled); }, 10s))
      << o.dump();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 5s);
  const std::size_t marks = marksOf(o.of(id)).size();
  EXPECT_LT(marks, names.size()) << o.dump();
  // Nothing more of that message, ever.
  o.waitUntil([] { return false; }, 1500ms);
  EXPECT_EQ(marksOf(o.of(id)).size(), marks) << o.dump();
  EXPECT_FALSE(o.has(id, OutputEvent::Kind::kEnd)) << o.dump();
  // And the connection still speaks.
  std::vector<std::string> again;
  const uint64_t id2 = o.output->speak(marked("Still here.", &again), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil([&] { return o.has(id2, OutputEvent::Kind::kEnd); }, 60s)) << o.dump();
  EXPECT_EQ(marksOf(o.of(id2)), again);
}

TEST_F(DispatcherOutputTest, AMessageIsNotCutByText) {
  Owner o;
  std::vector<std::string> notice, text;
  const uint64_t msg =
      o.output->speak(marked("Battery low, please plug in the charger now.", &notice, "n"), "en",
                      OutputPriority::kMessage);
  ASSERT_TRUE(o.waitUntil([&] { return marksOf(o.of(msg)).size() >= 2; }, 60s)) << o.dump();
  const uint64_t txt = o.output->speak(marked(kLong, &text), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil(
      [&] {
        return o.has(msg, OutputEvent::Kind::kEnd) || o.has(msg, OutputEvent::Kind::kCancelled);
      },
      60s))
      << o.dump();
  EXPECT_TRUE(o.has(msg, OutputEvent::Kind::kEnd)) << o.dump();
  EXPECT_EQ(marksOf(o.of(msg)), notice) << o.dump();
  // The text waited for the message, then was spoken.
  ASSERT_TRUE(o.waitUntil([&] { return marksOf(o.of(txt)).size() >= 2; }, 60s)) << o.dump();
  std::size_t endMsg = 0, firstText = 0;
  for (std::size_t i = 0; i < o.events.size(); ++i) {
    if (o.events[i].message == msg && o.events[i].kind == OutputEvent::Kind::kEnd) endMsg = i;
    if (o.events[i].message == txt && o.events[i].kind == OutputEvent::Kind::kMark && !firstText)
      firstText = i;
  }
  EXPECT_LT(endMsg, firstText) << o.dump();
  o.output->cancel();
}

TEST_F(DispatcherOutputTest, AServerThatDiesIsReportedAndTheNextMessageReconnects) {
  Owner o;
  std::vector<std::string> names;
  const uint64_t id = o.output->speak(marked(kLong, &names), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil([&] { return marksOf(o.of(id)).size() >= 2; }, 60s)) << o.dump();
  speechd_.kill();
  ASSERT_TRUE(o.waitUntil([&] { return o.has(id, OutputEvent::Kind::kFailed); }, 10s)) << o.dump();
  EXPECT_EQ(o.of(id, OutputEvent::Kind::kFailed)[0].error->code,
            ErrorCode::kSpeechDispatcherFailed);
  EXPECT_EQ(o.output->status()["connected"], false);
  std::string s = speechd_.start();
  ASSERT_EQ(s, "") << s;
  std::vector<std::string> again;
  const uint64_t id2 = o.output->speak(marked("Back again.", &again), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil(
      [&] { return o.has(id2, OutputEvent::Kind::kEnd) || o.has(id2, OutputEvent::Kind::kFailed); },
      60s))
      << o.dump();
  EXPECT_EQ(marksOf(o.of(id2)), again) << o.dump();
}

TEST(DispatcherOutputAbsent, NoServerIsAClearErrorNamingWhatToDo) {
  TempXdg xdg;
  SpeechdServer none(xdg);  // not started: sets SPEECHD_CMD to a program that does not exist
  ::setenv("SPEECHD_ADDRESS", ("unix_socket:" + xdg.path("run/nowhere/speechd.sock")).c_str(), 1);
  Owner o;
  std::vector<std::string> names;
  const uint64_t id = o.output->speak(marked("Hello.", &names), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil([&] { return o.has(id, OutputEvent::Kind::kFailed); }, 30s)) << o.dump();
  // A copy: of() returns its events by value, so a reference would outlive them.
  const Error e = *o.of(id, OutputEvent::Kind::kFailed)[0].error;
  EXPECT_EQ(e.code, ErrorCode::kSpeechDispatcherUnavailable);
  EXPECT_NE(e.message.find("nowhere/speechd.sock"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("apt install speech-dispatcher"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("speech.output = \"liseur\""), std::string::npos) << e.message;
  EXPECT_EQ(o.output->status()["connected"], false);
  // The next message fails at once the same way (no new attempt within 2 s), never hangs.
  const uint64_t id2 = o.output->speak(marked("Again.", &names), "en", OutputPriority::kText);
  ASSERT_TRUE(o.waitUntil([&] { return o.has(id2, OutputEvent::Kind::kFailed); }, 30s));
  ::unsetenv("SPEECHD_ADDRESS");
}

TEST(SsmlBuilder, EscapesTextAndGivesEachSentenceItsElement) {
  SsmlBuilder b;
  b.mark("u0");
  b.mark("w0");
  b.text("Tom & Jerry <3 \"quotes\" ");
  b.mark("w1");
  b.text("it's 3.5 km. ");
  b.mark("w2");
  b.text("Next");
  b.raisedPitch(true);
  b.text(" word?");
  EXPECT_EQ(b.take(),
            "<speak><s><mark name=\"u0\"/><mark name=\"w0\"/>Tom &amp; Jerry &lt;3 "
            "&quot;quotes&quot; <mark name=\"w1\"/>it&apos;s 3.5 km.</s> <s><mark "
            "name=\"w2\"/>Next<prosody pitch=\"+25%\"> word?</prosody></s></speak>");
  // Invalid UTF-8 and control characters become spaces; valid multibyte text stays.
  b.text(std::string("caf\xC3\xA9 \xFF\xFE x\x01y \xE2\x80\xA6 ok"));
  EXPECT_EQ(b.take(), "<speak><s>caf\xC3\xA9    x y \xE2\x80\xA6</s> <s>ok</s></speak>");
  b.mark("bad name\"/>");
  EXPECT_EQ(b.take(), "<speak><s><mark name=\"bad_name___\"/></s></speak>");
}

TEST(SpeechOutputMode, NamesParseBack) {
  for (auto m : {OutputMode::kLiseur, OutputMode::kSpeechDispatcher, OutputMode::kAuto})
    EXPECT_EQ(outputModeFromName(outputModeName(m)), m);
  EXPECT_FALSE(outputModeFromName("espeak").has_value());
}

TEST(ScreenReader, AProcessNamedOrcaOfThisUserIsFound) {
  TempXdg xdg;
  EXPECT_FALSE(screenReaderRunning(::getuid(), xdg.path("none")));
  // A /proc of our own: one python process running orca, one other program.
  auto proc = [&](const std::string& pid, const std::string& comm, const std::string& cmdline) {
    std::filesystem::create_directories(xdg.path("proc/" + pid));
    test::writeFile(xdg.path("proc/" + pid + "/comm"), comm + "\n");
    test::writeFile(xdg.path("proc/" + pid + "/cmdline"), cmdline);
  };
  proc("12", "bash", std::string("bash\0-l\0", 9));
  EXPECT_FALSE(screenReaderRunning(::getuid(), xdg.path("proc")));
  EXPECT_FALSE(screenReaderRunning(::getuid() + 1, xdg.path("proc")));
  proc("34", "python3", std::string("/usr/bin/python3\0/usr/bin/orca\0--replace\0", 42));
  EXPECT_TRUE(screenReaderRunning(::getuid(), xdg.path("proc")));
  EXPECT_FALSE(screenReaderRunning(::getuid() + 1, xdg.path("proc")));
  // And in the real /proc: a program named orca started by this test.
  test::FakeOrca orca(xdg);
  ASSERT_TRUE(orca.running());
  EXPECT_TRUE(screenReaderRunning(::getuid()));
}

}  // namespace
}  // namespace liseur::speech
