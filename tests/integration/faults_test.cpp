// What must not take the daemon down: stop in the middle, killed workers, text that makes
// espeak-ng abort, bad files and bad protocol input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <thread>

#include "integration/daemon_harness.h"

namespace liseur::test {
namespace {

using nlohmann::json;

TEST(Stop, EndsTheReadAndCancelsTheRemainingOcr) {
  DaemonHarness d({"--audio", "paced-null"});  // real-time playback, as with a sound card
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("read", {{"file", dataPath("ocr/multiblock-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  uint64_t job = r["job"];
  std::vector<json> seen;
  json fa = d.waitEvent("first-audio", &seen);
  ASSERT_FALSE(fa.is_null());
  json s = d.request("stop");
  ASSERT_TRUE(s["ok"]) << s.dump();
  json fin = d.waitEvent("job-finished", &seen);
  ASSERT_EQ(fin["job"], job) << fin.dump();
  EXPECT_TRUE(fin["stopped"]) << fin.dump();
  EXPECT_TRUE(fin["ok"]) << "a stopped job is not an error: " << fin.dump();
  // Nothing more of that job is heard or recognised afterwards.
  auto later = d.events().readEvent(std::chrono::milliseconds(1500));
  if (later) {
    EXPECT_NE((*later).value("job", uint64_t{0}), job) << later->dump();
  }
  EXPECT_EQ(d.request("status")["state"], "idle");
  // The daemon reads again at once.
  json again = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("a.wav")}, {"wait", true}});
  EXPECT_TRUE(again["ok"]) << again.dump();
}

// Recognitions that other clients ask for (`liseur ocr`) wait in the daemon, one at a time at
// the worker: a read goes before every one still waiting, and each of them is answered all the
// same; past 8 waiting, a new one is refused with `busy`.
TEST(Queue, AReadGoesBeforeTheRecognitionsWaitingAndTheyAreAllAnswered) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("ocr")) << d.log();
  IpcClientOptions o;
  o.autospawn = false;
  o.client_name = "queue-test";
  const std::string page = dataPath("ocr/multiblock-en.png");
  // A client of its own that asks for the page's text and does not wait for the answer.
  auto askOcr = [&]() -> std::unique_ptr<IpcClient> {
    auto c = IpcClient::connect(o);
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (!c.ok()) return nullptr;
    const json req{{"id", 1}, {"cmd", "ocr"}, {"args", {{"file", page}}}};
    EXPECT_TRUE((*c)->sendRaw(req.dump() + "\n").ok());
    return std::move(*c);
  };
  std::vector<std::unique_ptr<IpcClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(askOcr());
    ASSERT_TRUE(clients.back());
  }
  // All four are in the daemon: one at the worker, three waiting.
  ASSERT_TRUE(waitFor([&] { return d.request("status")["workers"]["ocr"]["waiting"] == 3; },
                      std::chrono::seconds(20)))
      << d.request("status").dump();
  json r =
      d.request("read", {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("q.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  const uint64_t read = r["job"];
  // The order the recognitions end in: the read's second at the latest (after the one the
  // worker was on when it came).
  std::vector<uint64_t> ended;
  std::size_t finished = 0;
  while (finished < 5) {
    auto e = d.events().readEvent(std::chrono::seconds(60));
    ASSERT_TRUE(e.ok()) << "events stopped after " << finished << " jobs: " << d.log();
    if ((*e)["event"] == "ocr-finished") ended.push_back((*e)["job"]);
    if ((*e)["event"] == "job-finished") ++finished;
  }
  ASSERT_EQ(ended.size(), 5u);
  const auto at = std::find(ended.begin(), ended.end(), read) - ended.begin();
  EXPECT_LE(at, 1) << "the read waited behind " << at << " recognitions";
  for (auto& c : clients) {
    auto reply = c->readLine(std::chrono::seconds(30));
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    const json answer = json::parse(*reply);
    ASSERT_TRUE(answer["ok"]) << answer.dump();
    EXPECT_NE(answer["text"].get<std::string>().find("school library"), std::string::npos)
        << answer.dump();
  }
  // Ten asked while the worker is held (SIGSTOP) on the first: eight wait, the tenth is refused
  // with busy; once the worker goes on, the nine are answered.
  const pid_t ocr = d.workerPid("ocr");
  ASSERT_GT(ocr, 0);
  ASSERT_EQ(::kill(ocr, SIGSTOP), 0);
  clients.clear();
  for (int i = 0; i < 10; ++i) {
    clients.push_back(askOcr());
    if (!clients.back()) ::kill(ocr, SIGCONT);
    ASSERT_TRUE(clients.back());
    // In order: each is in the daemon before the next is sent.
    ASSERT_TRUE(waitFor(
        [&] {
          const json st = d.request("status");
          return st["workers"]["ocr"]["waiting"].get<int>() + 1 >= std::min(i + 1, 9) &&
                 st["jobs"].size() >= static_cast<std::size_t>(std::min(i + 1, 9));
        },
        std::chrono::seconds(10)));
  }
  auto busy = clients.back()->readLine(std::chrono::seconds(10));
  ::kill(ocr, SIGCONT);
  ASSERT_TRUE(busy.ok()) << busy.error().message;
  EXPECT_EQ(json::parse(*busy)["error"]["code"], "busy") << *busy;
  for (std::size_t i = 0; i + 1 < clients.size(); ++i) {
    auto reply = clients[i]->readLine(std::chrono::seconds(60));
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_TRUE(json::parse(*reply)["ok"]) << *reply;
  }
}

// A test that stops a worker and fails before it lets it go on (an ASSERT between SIGSTOP and
// SIGCONT) leaves nothing behind: the harness continues the daemon's children before shutdown.
TEST(Workers, AWorkerLeftStoppedByATestIsGoneAfterTheHarness) {
  pid_t ocr = -1, daemon = -1;
  {
    DaemonHarness d;
    ASSERT_TRUE(d.started()) << d.startProblem();
    ocr = d.workerPid("ocr");
    daemon = d.pid();
    ASSERT_GT(ocr, 0);
    ASSERT_EQ(::kill(ocr, SIGSTOP), 0);
  }
  // Gone, or a zombie waiting for whoever adopted it: not a stopped process.
  auto state = [&] {
    std::ifstream stat("/proc/" + std::to_string(ocr) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return 'X';
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
  };
  EXPECT_TRUE(waitFor([&] { return state() == 'X' || state() == 'Z'; }, std::chrono::seconds(10)))
      << "worker " << ocr << " of daemon " << daemon << " is in state " << state();
}

// The limits ARCHITECTURE.md states are the ones the daemon's workers run under: address space
// (OCR 1536 MiB, speech 512 MiB) and no core file (no screen text on disk after a crash).
TEST(Workers, RunUnderTheDocumentedLimits) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  auto limit = [](pid_t pid, const std::string& name) {
    std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
    std::string row;
    while (std::getline(limits, row)) {
      if (row.rfind(name, 0) != 0) continue;
      std::istringstream fields(row.substr(name.size()));
      std::string soft;
      fields >> soft;
      return soft;
    }
    return std::string("(no row " + name + ")");
  };
  for (auto [worker, bytes] :
       {std::pair{"ocr", 1536ull << 20}, std::pair{"speech", 512ull << 20}}) {
    ASSERT_TRUE(d.waitWorkerReady(worker)) << d.log();
    const pid_t pid = d.workerPid(worker);
    ASSERT_GT(pid, 0) << worker;
    EXPECT_EQ(limit(pid, "Max address space"), std::to_string(bytes)) << worker;
    EXPECT_EQ(limit(pid, "Max core file size"), "0") << worker;
  }
}

TEST(Workers, AKilledOcrWorkerFailsItsJobAndIsRestarted) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  pid_t ocr = d.workerPid("ocr");
  ASSERT_GT(ocr, 0);
  json r =
      d.request("read", {{"file", dataPath("ocr/multiblock-en.png")}, {"to_wav", d.path("k.wav")}});
  ASSERT_TRUE(r["ok"]);
  d.waitEvent("job-started");
  ASSERT_EQ(::kill(ocr, SIGKILL), 0);
  json fin = d.waitEvent("job-finished");
  EXPECT_FALSE(fin["ok"]) << fin.dump();
  EXPECT_EQ(fin["error"]["code"], "worker-crashed") << fin.dump();
  ASSERT_TRUE(waitFor(
      [&] {
        const pid_t now = d.workerPid("ocr");
        return now > 0 && now != ocr;
      },
      std::chrono::seconds(30)))
      << d.log();
  ASSERT_TRUE(d.waitWorkerReady("ocr")) << d.log();
  json next = d.request("ocr", {{"file", dataPath("ocr/dialog-en.png")}});
  ASSERT_TRUE(next["ok"]) << next.dump();
  EXPECT_NE(next["text"].get<std::string>().find("Save"), std::string::npos) << next["text"];
  EXPECT_GE(d.request("status")["workers"]["ocr"]["restarts"].get<int>(), 1);
}

TEST(Workers, AKilledSpeechWorkerIsReportedAndTheNextUtteranceIsSpoken) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  pid_t sp = d.workerPid("speech");
  ASSERT_GT(sp, 0);
  ASSERT_EQ(::kill(sp, SIGKILL), 0);
  // Until the daemon notices the death, status still shows the old worker; then no pid (state
  // "restarting", never -1) until the new one runs: wait for it.
  ASSERT_TRUE(waitFor(
      [&] {
        const json w = d.request("status")["workers"]["speech"];
        EXPECT_TRUE(w["pid"].is_null() || w["pid"].get<int>() > 0) << w.dump();
        if (w["pid"].is_null()) {
          EXPECT_EQ(w["state"], "restarting") << w.dump();
        }
        return w["pid"].is_number_integer() && w["pid"].get<pid_t>() != sp;
      },
      std::chrono::seconds(30)))
      << d.log();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  json r = d.request(
      "say",
      {{"text", "The speech worker came back."}, {"to_wav", d.path("b.wav")}, {"wait", true}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  EXPECT_GT(readWav(d.path("b.wav")).seconds(), 0.5);
}

TEST(Workers, AStoppedOcrWorkerNeverHoldsUpStopOrTheNextRead) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("ocr")) << d.log();
  const pid_t ocr = d.workerPid("ocr");
  ASSERT_GT(ocr, 0);
  // The worker hangs (SIGSTOP: it reads nothing, answers nothing) with a read sent to it.
  ASSERT_EQ(::kill(ocr, SIGSTOP), 0);
  json r = d.request("read", {{"file", dataPath("ocr/multiblock-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  d.waitEvent("job-started");
  json s = d.request("stop");
  EXPECT_TRUE(s["ok"]) << s.dump();
  // The next read does not wait behind the stalled job: the worker that does not take the
  // cancel is replaced, and the read is recognised by the new one.
  json again = d.request(
      "read",
      {{"file", dataPath("ocr/dialog-en.png")}, {"to_wav", d.path("o.wav")}, {"wait", true}},
      std::chrono::seconds(40));
  ASSERT_TRUE(again["ok"]) << again.dump() << d.log();
  EXPECT_GT(readWav(d.path("o.wav")).seconds(), 0.3);
  EXPECT_NE(d.workerPid("ocr"), ocr);
  EXPECT_GE(d.request("status")["workers"]["ocr"]["restarts"].get<int>(), 1);
  ::kill(ocr, SIGKILL);  // already gone; never leave a stopped process behind
}

TEST(Workers, AStoppedSpeechWorkerNeverHoldsUpStopOrTheNextSentence) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const pid_t sp = d.workerPid("speech");
  ASSERT_GT(sp, 0);
  ASSERT_EQ(::kill(sp, SIGSTOP), 0);
  json r = d.request("say", {{"text", "Nothing of this is heard, the worker hangs."}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  d.waitEvent("job-started");
  json s = d.request("stop");
  EXPECT_TRUE(s["ok"]) << s.dump();
  // The next sentence is spoken whole by a new worker, none of it blamed for the old one's hang.
  json again = d.request("say",
                         {{"text", "The new worker says every word of this sentence."},
                          {"to_wav", d.path("s.wav")},
                          {"wait", true}},
                         std::chrono::seconds(40));
  ASSERT_TRUE(again["ok"]) << again.dump() << d.log();
  EXPECT_FALSE(again.contains("error")) << again.dump();
  EXPECT_GT(readWav(d.path("s.wav")).seconds(), 1.5);
  EXPECT_NE(d.workerPid("speech"), sp);
  ::kill(sp, SIGKILL);
}

TEST(Workers, ShutdownEndsTheDaemonWhateverItsWorkersDo) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("ocr")) << d.log();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const pid_t ocr = d.workerPid("ocr"), sp = d.workerPid("speech");
  ASSERT_EQ(::kill(ocr, SIGSTOP), 0);
  ASSERT_EQ(::kill(sp, SIGSTOP), 0);
  ASSERT_TRUE(d.request("read", {{"file", dataPath("ocr/multiblock-en.png")}})["ok"]);
  ASSERT_TRUE(d.request("say", {{"text", "Une phrase que personne n'entendra."}})["ok"]);
  json s = d.request("shutdown");
  EXPECT_TRUE(s["ok"]) << s.dump();
  // The daemon is gone, and its workers with it, well within the time a user waits.
  EXPECT_TRUE(waitFor([&] { return !d.alive(); }, std::chrono::seconds(10))) << d.log();
  EXPECT_TRUE(
      waitFor([&] { return ::kill(ocr, 0) != 0 && ::kill(sp, 0) != 0; }, std::chrono::seconds(10)));
  ::kill(ocr, SIGKILL);
  ::kill(sp, SIGKILL);
}

TEST(Workers, TextThatMadeEspeakAbortIsSpokenTwentyTimesWithoutACrash) {
  // 220 chained "s'" abort espeak-ng 1.51 (from 68 in one token): the chain is cut before
  // synthesis, so the worker never dies and no restart back-off delays the next sentence.
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const pid_t sp = d.workerPid("speech");
  std::string hostile;
  for (int i = 0; i < 220; ++i) hostile += "s'";
  for (int k = 0; k < 20; ++k) {
    json r = d.request("say", {{"text", hostile + ". Bonjour."},
                               {"lang", "fr"},
                               {"to_wav", d.path("h.wav")},
                               {"wait", true}});
    ASSERT_TRUE(r["ok"]) << k << ": " << r.dump();
    ASSERT_FALSE(r.contains("errors")) << k << ": " << r.dump();
  }
  EXPECT_EQ(d.workerPid("speech"), sp);
  EXPECT_EQ(d.request("status")["workers"]["speech"]["restarts"], 0);
  EXPECT_GT(readWav(d.path("h.wav")).seconds(), 1.0);
}

TEST(Workers, AWorkerThatDiesAtItsWorkRestartsWithoutBackOff) {
  // Five deaths in a row, each after the worker said ready (text that crashes espeak-ng, say):
  // each restart waits the shortest delay; growing back-off (100, 200, ... 1600 ms) would delay
  // the next sentence by seconds. Back-off is for a worker that cannot start.
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(d.waitWorkerReady("speech")) << k << "\n" << d.log();
    const pid_t sp = d.workerPid("speech");
    ASSERT_GT(sp, 0);
    ASSERT_EQ(::kill(sp, SIGKILL), 0);
    ASSERT_TRUE(waitFor([&] { return d.workerPid("speech") != sp; }, std::chrono::seconds(30)));
  }
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const json w = d.request("status")["workers"]["speech"];
  EXPECT_GE(w["restarts"].get<int>(), 5) << w.dump();
  EXPECT_EQ(w["last_restart_delay_ms"], 100) << w.dump();
}

TEST(Workers, ASentenceLostToACrashIsReportedAndTheNextIsSpoken) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const pid_t sp = d.workerPid("speech");
  // The worker dies with the first sentence in hand (held still, then killed: it is the one in
  // flight); the second must still be spoken.
  std::string first = "Voici une longue phrase";
  for (int i = 0; i < 20; ++i) first += " qui continue encore et encore";
  ASSERT_EQ(::kill(sp, SIGSTOP), 0);
  json r = d.request("say", {{"text", first + ". La lecture reprend ensuite."},
                             {"lang", "fr"},
                             {"to_wav", d.path("k.wav")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  std::vector<json> seen;
  ASSERT_FALSE(d.waitEvent("job-started", &seen).is_null());
  ASSERT_EQ(::kill(sp, SIGKILL), 0);
  auto evs = d.eventsUntilFinished(r["job"]);
  bool crashReported = false, secondSpoken = false;
  json fin;
  for (const auto& e : evs) {
    if (e["event"] == "error" && e["code"] == "worker-crashed") crashReported = true;
    if (e["event"] == "word" && e.value("text", "") == "reprend") secondSpoken = true;
    if (e["event"] == "job-finished") fin = e;
  }
  EXPECT_TRUE(crashReported);
  EXPECT_TRUE(secondSpoken) << "the next sentence must be spoken";
  // The job says what was lost.
  ASSERT_TRUE(fin.contains("errors")) << fin.dump();
  EXPECT_EQ(fin["errors"][0]["code"], "worker-crashed") << fin.dump();
  EXPECT_TRUE(d.alive());
}

TEST(Workers, ALostSentenceMakesSayWaitFailAndIsSaidAloud) {
  DaemonHarness d({"--audio", "paced-null"});  // a sound device, played in real time
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  const pid_t sp = d.workerPid("speech");
  std::string first = "Cette phrase se perd";
  for (int i = 0; i < 20; ++i) first += " pendant que la voix tombe";
  ASSERT_EQ(::kill(sp, SIGSTOP), 0);
  // `liseur say --wait` (to the sound device: here the null sink) while the worker dies with
  // the first sentence in hand.
  std::string out;
  std::thread cli([&] {
    out.clear();
    const int status = runCli({"say", "--wait", first + ". Puis la suite."}, &out);
    EXPECT_EQ(status, 1) << out;
  });
  const bool started = !d.waitEvent("job-started").is_null();
  ::kill(sp, SIGKILL);
  cli.join();
  ASSERT_TRUE(started) << out;
  EXPECT_NE(out.find("a sentence was not spoken: worker-crashed"), std::string::npos) << out;
  // The listener hears that a sentence is missing.
  bool told = false;
  for (int i = 0; i < 200 && !told; ++i) {
    json e = d.waitEvent("word", nullptr, std::chrono::seconds(20));
    if (e.is_null()) break;
    told = e.value("text", "") == "dite";
  }
  EXPECT_TRUE(told) << "the notice \"Une phrase n'a pas pu \u00eatre dite.\" is spoken";
}

// Reads a /proc file of `pid` whole (NUL-separated for environ).
std::string procFile(pid_t pid, const char* name) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(Workers, RunSandboxedWithoutTheSessionsEnvironment) {
  // The daemon has the session's variables; its workers must not (core/sandbox.h).
  ::setenv("XAUTHORITY", "/tmp/liseur-test-xauthority", 1);
  ::setenv("WAYLAND_DISPLAY", "wayland-liseur-test", 1);
  ::setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/tmp/liseur-test-bus", 1);
  DaemonHarness d;
  ::unsetenv("XAUTHORITY");
  ::unsetenv("WAYLAND_DISPLAY");
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  ASSERT_TRUE(d.started()) << d.startProblem();
  ASSERT_TRUE(d.waitWorkerReady("ocr")) << d.log();
  ASSERT_TRUE(d.waitWorkerReady("speech")) << d.log();
  EXPECT_NE(procFile(d.pid(), "environ").find("WAYLAND_DISPLAY="), std::string::npos);
  for (const char* worker : {"ocr", "speech"}) {
    const pid_t pid = d.workerPid(worker);
    ASSERT_GT(pid, 0) << worker;
    const std::string env = procFile(pid, "environ");
    for (const char* name :
         {"XAUTHORITY=", "WAYLAND_DISPLAY=", "DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR="})
      EXPECT_EQ(env.find(name), std::string::npos) << worker << " inherited " << name;
    const std::string status = procFile(pid, "status");
    EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << worker;
    EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << worker;
  }
  // And they still work.
  json r = d.request("ocr", {{"file", dataPath("ocr/dialog-en.png")}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  EXPECT_NE(r["text"].get<std::string>().find("Save"), std::string::npos) << r["text"];
  json s = d.request("say", {{"text", "Bonjour."}, {"to_wav", d.path("z.wav")}, {"wait", true}});
  ASSERT_TRUE(s["ok"]) << s.dump();
}

TEST(Workers, AMissingOcrModelIsReportedWithItsPackage) {
  DaemonHarness d({"--audio", "null", "--ocr-languages", "eng+xyz"});
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r =
      d.request("ocr", {{"file", dataPath("ocr/dialog-en.png")}}, std::chrono::milliseconds(30000));
  ASSERT_FALSE(r["ok"]) << r.dump();
  EXPECT_EQ(r["error"]["code"], "ocr-language-missing") << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find("tesseract-ocr-xyz"), std::string::npos)
      << r.dump();
  // Speech still works without OCR.
  json say = d.request("say", {{"text", "Hello."}, {"to_wav", d.path("s.wav")}, {"wait", true}});
  EXPECT_TRUE(say["ok"]) << say.dump();
}

struct BadFile {
  const char* name;
  const char* code;
};

TEST(BadInput, EachBadFileGetsAClearErrorAndTheDaemonKeepsServing) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  std::string dir = d.path("bad");
  ::mkdir(dir.c_str(), 0700);
  writeFile(dir + "/empty.png", "");
  std::mt19937 rng(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  writeFile(dir + "/random.png", noise);
  std::string png = readFile(dataPath("ocr/dialog-en.png"));
  writeFile(dir + "/truncated.png", png.substr(0, png.size() / 3));
  // A valid PNG signature and IHDR claiming 100000 x 100000 pixels, and nothing else.
  std::string huge(
      "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00",
      33);
  huge += std::string("\x00\x00\x00\x00", 4) + std::string(32, '\0');
  writeFile(dir + "/huge-header.png", huge);
  ::mkfifo((dir + "/fifo.png").c_str(), 0600);
  ::symlink("/dev/zero", (dir + "/zero.png").c_str());
  ::mkdir((dir + "/folder.png").c_str(), 0700);

  const BadFile cases[] = {
      {"missing.png", "file-not-found"},  {"folder.png", "not-a-regular-file"},
      {"fifo.png", "not-a-regular-file"}, {"zero.png", "not-a-regular-file"},
      {"empty.png", "file-empty"},        {"random.png", "image-unknown-format"},
      {"truncated.png", "image-corrupt"}, {"huge-header.png", "image-too-large"},
  };
  for (const auto& c : cases) {
    json r = d.request("ocr", {{"file", dir + "/" + c.name}}, std::chrono::milliseconds(30000));
    EXPECT_FALSE(r["ok"]) << c.name << ": " << r.dump();
    EXPECT_EQ(r["error"]["code"], c.code) << c.name << ": " << r.dump();
    EXPECT_FALSE(r["error"]["message"].get<std::string>().empty()) << c.name;
  }
  EXPECT_TRUE(d.alive());
  json ok = d.request("ocr", {{"file", dataPath("ocr/dialog-en.png")}});
  EXPECT_TRUE(ok["ok"]) << ok.dump();
}

TEST(BadInput, BadRequestsGetErrorsNamingTheProblem) {
  DaemonHarness d;
  ASSERT_TRUE(d.started()) << d.startProblem();
  json r = d.request("fly");
  EXPECT_EQ(r["error"]["code"], "unknown-command") << r.dump();
  r = d.request("read", {{"file", "relative.png"}});
  EXPECT_EQ(r["error"]["code"], "invalid-argument") << r.dump();
  EXPECT_NE(r["error"]["message"].get<std::string>().find("absolute"), std::string::npos)
      << r.dump();
  r = d.request("read", {{"file", 42}});
  EXPECT_EQ(r["error"]["code"], "invalid-argument") << r.dump();
  r = d.request("say", {{"text", "bonjour"}, {"lang", "de"}});
  EXPECT_EQ(r["error"]["code"], "invalid-argument") << r.dump();
  ASSERT_TRUE(d.client().sendRaw("{not json\n"));
  auto line = d.client().readLine(std::chrono::milliseconds(5000));
  ASSERT_TRUE(line.ok());
  EXPECT_NE(line->find("bad-request"), std::string::npos) << *line;
  EXPECT_TRUE(d.request("status")["ok"]);
}

}  // namespace
}  // namespace liseur::test
