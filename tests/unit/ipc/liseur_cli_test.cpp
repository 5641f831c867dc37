// The `liseur` CLI, run as a program against the fake daemon (ipc_fake_liseurd), which it starts
// through autospawn ($LISEUR_DAEMON) and which logs every request it gets.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "core/paths.h"
#include "ipc/ipc_client.h"
#include "server_harness.h"
#include "support/test_env.h"

extern char** environ;

namespace liseur {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::string out, err;
  std::string show() const {  // for failure messages
    return "exit " + std::to_string(status) + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
};

class LiseurCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = xdg_.path("fake.log");
    work_ = xdg_.path("work");
    fs::create_directories(work_);
    test::writeFile(work_ + "/page.png", "not really a png: the fake daemon does not look");
    ::setenv("LISEUR_FAKE_LOG", log_.c_str(), 1);
    ::setenv("LISEUR_DAEMON", IPC_FAKE_DAEMON, 1);
    ::unsetenv("LISEUR_FAKE_AUDIO");
  }
  void TearDown() override {
    IpcClientOptions o;
    o.autospawn = false;
    if (auto c = IpcClient::connect(o); c.ok())
      (void)(*c)->request("shutdown", json::object(), 10s);
    test::killProcessesWithEnv("LISEUR_FAKE_LOG=" + log_);
    for (const char* v : {"LISEUR_FAKE_LOG", "LISEUR_DAEMON", "LISEUR_FAKE_AUDIO"}) ::unsetenv(v);
  }

  // Runs the CLI in work_ and waits for it; `input` is its stdin.
  CliRun run(const std::vector<std::string>& args, const std::string& input = "") {
    std::string out = xdg_.path("stdout"), err = xdg_.path("stderr"), in = "/dev/null";
    if (!input.empty()) {
      in = xdg_.path("stdin");
      test::writeFile(in, input);
    }
    pid_t pid = start(args, out, err, in);
    CliRun r;
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = test::readFile(out);
    r.err = test::readFile(err);
    return r;
  }
  pid_t start(const std::vector<std::string>& args, const std::string& out, const std::string& err,
              const std::string& in = "/dev/null") {
    std::vector<std::string> storage{LISEUR_CLI};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addchdir_np(&fa, work_.c_str());
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_EQ(rc, 0) << LISEUR_CLI;
    return pid;
  }
  // The fake daemon's log lines that have `key`.
  std::vector<json> requests(const std::string& key = "cmd") {
    std::vector<json> out;
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.contains(key)) out.push_back(j);
    }
    return out;
  }
  json lastRequest(const std::string& cmd) {
    json last;
    for (const auto& j : requests())
      if (j["cmd"] == cmd) last = j;
    return last;
  }

  test::TempXdg xdg_;
  std::string log_, work_;
};

TEST_F(LiseurCliTest, OcrPrintsTheTextAndSendsAnAbsolutePath) {
  CliRun r = run({"ocr", "page.png"});
  ASSERT_EQ(r.status, 0) << r.show();
  EXPECT_EQ(r.out, "Bonjour l'élève\nfile=" + work_ + "/page.png\n") << r.show();
  EXPECT_EQ(r.err, "") << r.show();
  EXPECT_EQ(lastRequest("ocr")["args"], json({{"file", work_ + "/page.png"}})) << r.show();
}

TEST_F(LiseurCliTest, OcrJsonPrintsTheDocument) {
  CliRun r = run({"ocr", "./sub/../page.png", "--json", "--lang", "fr"});
  ASSERT_EQ(r.status, 0) << r.show();
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.show();
  EXPECT_EQ(doc["format"], "liseur-document/1") << r.show();
  EXPECT_EQ(doc["source"], work_ + "/page.png") << r.show();
  EXPECT_EQ(lastRequest("ocr")["args"]["lang"], "fr");
}

TEST_F(LiseurCliTest, ReadWaitTimingsPrintsExactlyOneJsonLine) {
  CliRun r = run({"read", "page.png", "--wait", "--timings", "--lang", "en"});
  ASSERT_EQ(r.status, 0) << r.show();
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.show();
  json t = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(t.is_object()) << r.show();
  EXPECT_EQ(t["first_audio_ms"], 12.5) << r.show();
  EXPECT_EQ(t["ocr_ms"], 30.25) << r.show();
  EXPECT_EQ(t["total_ms"], 100.0) << r.show();
  json args = lastRequest("read")["args"];
  EXPECT_EQ(args, json({{"file", work_ + "/page.png"}, {"wait", true}, {"lang", "en"}})) << args;
}

TEST_F(LiseurCliTest, ReadReturnsAtOnceWithoutWait) {
  CliRun r = run({"read", "page.png"});
  ASSERT_EQ(r.status, 0) << r.show();
  EXPECT_EQ(r.out, "") << r.show();
  EXPECT_FALSE(lastRequest("read")["args"].contains("wait")) << lastRequest("read");
}

TEST_F(LiseurCliTest, ReadToWavSendsAnAbsoluteOutputPath) {
  CliRun r = run({"read", "page.png", "--to-wav", "out.wav"});
  ASSERT_EQ(r.status, 0) << r.show();
  EXPECT_EQ(lastRequest("read")["args"]["to_wav"], work_ + "/out.wav") << lastRequest("read");
  EXPECT_TRUE(fs::exists(work_ + "/out.wav"));
}

TEST_F(LiseurCliTest, ToWavIsOpenedByTheClientAndWrittenThroughItsDescriptor) {
  // The fake daemon writes through the descriptor it got: the file is there with its bytes.
  CliRun r = run({"say", "salut", "--to-wav", "d.wav"});
  ASSERT_EQ(r.status, 0) << r.show();
  std::ifstream in(work_ + "/d.wav", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, "RIFF fake wave (fd)");
  // What the client cannot open is its error, named, and nothing is sent.
  CliRun missing = run({"say", "salut", "--to-wav", "no/such/dir/x.wav"});
  EXPECT_EQ(missing.status, 1) << missing.show();
  EXPECT_NE(missing.err.find("wav-write-failed: cannot create WAV file " + work_ +
                             "/no/such/dir/x.wav: No such file or directory"),
            std::string::npos)
      << missing.show();
  ASSERT_EQ(::mkfifo((work_ + "/pipe.wav").c_str(), 0600), 0);
  CliRun fifo = run({"read", "page.png", "--to-wav", "pipe.wav"});
  EXPECT_EQ(fifo.status, 1) << fifo.show();
  EXPECT_NE(fifo.err.find("a FIFO with no reader"), std::string::npos) << fifo.show();
  EXPECT_FALSE(lastRequest("read").is_object() &&
               lastRequest("read")["args"].value("to_wav", "") == work_ + "/pipe.wav")
      << "the request was sent anyway";
}

TEST_F(LiseurCliTest, WithoutASoundDeviceReadFailsAndSaysHowToWriteAFile) {
  // The speech of the screen is its text: it is never written to disk unasked.
  ::setenv("LISEUR_FAKE_AUDIO", "0", 1);
  for (const char* cmd : {"read", "say"}) {
    CliRun r = run({cmd, cmd == std::string("read") ? "page.png" : "bonjour"});
    EXPECT_EQ(r.status, 1) << r.show();
    EXPECT_NE(r.err.find("liseur: audio-device-missing: no sound device here"), std::string::npos)
        << r.show();
    EXPECT_NE(r.err.find("--to-wav FILE"), std::string::npos) << r.show();
    EXPECT_TRUE(lastRequest(cmd).is_null()) << cmd << " was sent anyway";
  }
  for (const auto& e : fs::directory_iterator(work_))
    EXPECT_NE(e.path().extension(), ".wav") << "a WAV file was written: " << e.path();
  // Asked for, the file is written.
  CliRun asked = run({"read", "page.png", "--to-wav", "speech.wav", "--wait"});
  ASSERT_EQ(asked.status, 0) << asked.show();
  EXPECT_EQ(lastRequest("read")["args"]["to_wav"], work_ + "/speech.wav");
}

TEST_F(LiseurCliTest, DaemonErrorsExitOneWithCodeAndMessage) {
  CliRun r = run({"read", "missing.png"});
  EXPECT_EQ(r.status, 1) << r.show();
  EXPECT_EQ(r.err, "liseur: file-not-found: no such file: " + work_ + "/missing.png\n") << r.show();
  EXPECT_EQ(r.out, "") << r.show();
}

TEST_F(LiseurCliTest, UsageErrorsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"read"}, {"frobnicate"}, {"read", "a.png", "--lang", "de"}, {"ocr", "a", "b"}}) {
    CliRun r = run(args);
    EXPECT_EQ(r.status, 2) << json(args) << "\n" << r.show();
    EXPECT_NE(r.err, "") << json(args) << "\n" << r.show();
  }
  CliRun help = run({"--help"});
  EXPECT_EQ(help.status, 0) << help.show();
  EXPECT_NE(help.out.find("ocr"), std::string::npos) << help.show();
  EXPECT_TRUE(requests("started").empty()) << "a usage error started the daemon";
}

TEST_F(LiseurCliTest, NoSpawnRefusesWithNotRunning) {
  CliRun r = run({"--no-spawn", "status"});
  EXPECT_EQ(r.status, 1) << r.show();
  EXPECT_EQ(r.err.rfind("liseur: not-running: liseurd is not running", 0), 0u) << r.show();
  CliRun after = run({"status", "--no-spawn"});
  EXPECT_EQ(after.status, 1) << after.show();
  EXPECT_TRUE(requests("started").empty()) << "--no-spawn started the daemon";
}

TEST_F(LiseurCliTest, StopAndShutdownDoNotStartTheDaemon) {
  for (const char* cmd : {"stop", "shutdown"}) {
    CliRun r = run({cmd});
    EXPECT_EQ(r.status, 0) << cmd << "\n" << r.show();
    EXPECT_EQ(r.out + r.err, "") << cmd << "\n" << r.show();
  }
  EXPECT_TRUE(requests("started").empty());
}

TEST_F(LiseurCliTest, StatusPrintsFieldsOrJson) {
  CliRun r = run({"status"});
  ASSERT_EQ(r.status, 0) << r.show();
  EXPECT_EQ(r.out, "audio.available: true\naudio.sink: portaudio\nstate: idle\n") << r.show();
  CliRun j = run({"status", "--json"});
  ASSERT_EQ(j.status, 0) << j.show();
  EXPECT_EQ(json::parse(j.out, nullptr, false),
            json::parse(R"({"audio":{"available":true,"sink":"portaudio"},"state":"idle"})"))
      << j.show();
  for (const char* cmd : {"stop", "pause", "resume"}) {
    CliRun s = run({cmd});
    EXPECT_EQ(s.status, 0) << cmd << "\n" << s.show();
    EXPECT_EQ(lastRequest(cmd)["cmd"], cmd) << cmd;
  }
  CliRun down = run({"shutdown"});
  EXPECT_EQ(down.status, 0) << down.show();
  EXPECT_EQ(lastRequest("shutdown")["cmd"], "shutdown");
}

TEST_F(LiseurCliTest, EventsPrintsOneLinePerEventUntilTheDaemonLeaves) {
  ASSERT_EQ(run({"status"}).status, 0);  // the daemon is up
  std::string out = xdg_.path("events.out"), err = xdg_.path("events.err");
  pid_t pid = start({"events"}, out, err);
  IpcClientOptions o;
  o.autospawn = false;
  auto c = IpcClient::connect(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  // Emit until the CLI (which subscribes after it starts) has printed one.
  for (int i = 0; i < 500 && test::readFile(out).empty(); ++i) {
    ASSERT_TRUE((*c)->request("emit", {{"name", "word"}}, 10s).ok());
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE((*c)->request("shutdown", json::object(), 10s).ok());
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  std::string printed = test::readFile(out);
  std::istringstream lines(printed);
  std::string first;
  ASSERT_TRUE(std::getline(lines, first)) << printed;
  EXPECT_EQ(json::parse(first, nullptr, false),
            json::parse(R"({"event":"word","job":1,"t_ms":1.5})"))
      << printed;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st;
  EXPECT_EQ(test::readFile(err).rfind("liseur: not-running: ", 0), 0u) << test::readFile(err);
}

TEST_F(LiseurCliTest, ReadAndOcrSendScreenSourcesInsteadOfFiles) {
  CliRun r = run({"read", "window"});
  ASSERT_EQ(r.status, 0) << r.show();
  EXPECT_EQ(lastRequest("read")["args"], json({{"source", "window"}})) << r.show();
  CliRun region = run({"read", "region", "1,2,3,4", "--wait"});
  ASSERT_EQ(region.status, 0) << region.show();
  EXPECT_EQ(lastRequest("read")["args"],
            json({{"source", "region"}, {"region", "1,2,3,4"}, {"wait", true}}))
      << region.show();
  CliRun ocr = run({"ocr", "clipboard", "--lang", "en"});
  ASSERT_EQ(ocr.status, 0) << ocr.show();
  EXPECT_EQ(lastRequest("ocr")["args"], json({{"source", "clipboard"}, {"lang", "en"}}));
  // A file named like a source.
  test::writeFile(work_ + "/screen", "an image");
  CliRun file = run({"read", "./screen"});
  ASSERT_EQ(file.status, 0) << file.show();
  EXPECT_EQ(lastRequest("read")["args"], json({{"file", work_ + "/screen"}})) << file.show();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"read", "region"}, {"read", "region", "1,2,3"}, {"read", "window", "1,2,3,4"}}) {
    CliRun bad = run(args);
    EXPECT_EQ(bad.status, 2) << json(args) << "\n" << bad.show();
  }
}

TEST_F(LiseurCliTest, SayReviewSetPointerSendTheirRequests) {
  CliRun say = run({"say", "Bonjour", "le", "monde", "--lang", "fr", "--wait"});
  ASSERT_EQ(say.status, 0) << say.show();
  EXPECT_EQ(lastRequest("say")["args"],
            json({{"text", "Bonjour le monde"}, {"lang", "fr"}, {"wait", true}}))
      << say.show();
  CliRun wav = run({"say", "salut", "--to-wav", "s.wav"});
  ASSERT_EQ(wav.status, 0) << wav.show();
  // The file is opened here and its descriptor passed ("fd": true, SCM_RIGHTS).
  EXPECT_EQ(lastRequest("say")["args"],
            json({{"text", "salut"}, {"to_wav", work_ + "/s.wav"}, {"fd", true}}));

  CliRun review = run({"review", "spell"});
  ASSERT_EQ(review.status, 0) << review.show();
  EXPECT_EQ(lastRequest("review")["args"], json({{"action", "spell"}}));
  EXPECT_EQ(review.out, "review spell\n") << review.show();
  EXPECT_EQ(run({"review", "sideways"}).status, 2);

  CliRun set = run({"set", "rate", "-10"});
  ASSERT_EQ(set.status, 0) << set.show();
  EXPECT_EQ(lastRequest("set")["args"], json({{"key", "rate"}, {"value", "-10"}}));
  EXPECT_EQ(set.out, "165\n") << set.show();
  CliRun dashes = run({"set", "pitch", "--", "-5"});
  ASSERT_EQ(dashes.status, 0) << dashes.show();
  EXPECT_EQ(lastRequest("set")["args"], json({{"key", "pitch"}, {"value", "-5"}}));
  CliRun plus = run({"set", "volume", "+10"});
  ASSERT_EQ(plus.status, 0) << plus.show();
  EXPECT_EQ(lastRequest("set")["args"], json({{"key", "volume"}, {"value", "+10"}}));
  EXPECT_EQ(run({"set", "speed", "180"}).status, 2);
  EXPECT_EQ(run({"set", "rate"}).status, 2);

  CliRun pointer = run({"pointer", "click"});
  ASSERT_EQ(pointer.status, 0) << pointer.show();
  EXPECT_EQ(lastRequest("pointer")["args"], json({{"action", "click"}}));
}

TEST_F(LiseurCliTest, ReloadPrintsEveryDiagnosticOnFailure) {
  CliRun ok = run({"reload"});
  ASSERT_EQ(ok.status, 0) << ok.show();
  EXPECT_EQ(lastRequest("reload")["cmd"], "reload");
  ASSERT_EQ(run({"shutdown"}).status, 0);
  ::setenv("LISEUR_FAKE_RELOAD_ERROR", "a.toml:2:1: error: one\nb.toml:3:1: error: two", 1);
  CliRun bad = run({"reload"});
  ::unsetenv("LISEUR_FAKE_RELOAD_ERROR");
  EXPECT_EQ(bad.status, 1) << bad.show();
  EXPECT_NE(bad.err.find("liseur: config-invalid: "), std::string::npos) << bad.show();
  EXPECT_NE(bad.err.find("a.toml:2:1: error: one\n"), std::string::npos) << bad.show();
  EXPECT_NE(bad.err.find("b.toml:3:1: error: two\n"), std::string::npos) << bad.show();
}

TEST_F(LiseurCliTest, LocalCommandsNeedNoDaemon) {
  CliRun schema = run({"--no-spawn", "config", "schema", "--json"});
  ASSERT_EQ(schema.status, 0) << schema.show();
  json s = json::parse(schema.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << schema.show();
  bool rate = false;
  for (const auto& k : s.value("keys", json::array())) rate |= k.value("key", "") == "speech.rate";
  EXPECT_TRUE(rate) << schema.out.substr(0, 400);
  CliRun table = run({"config", "schema"});
  ASSERT_EQ(table.status, 0) << table.show();
  EXPECT_NE(table.out.find("speech.rate"), std::string::npos) << table.show();

  CliRun plugins = run({"plugins", "--json"});
  ASSERT_EQ(plugins.status, 0) << plugins.show();
  EXPECT_FALSE(json::parse(plugins.out, nullptr, false).is_discarded()) << plugins.show();

  CliRun syl = run({"syllables"}, "chocolat\narbre\n");
  ASSERT_EQ(syl.status, 0) << syl.show();
  EXPECT_EQ(syl.out, "chocolat\tcho-co-lat\narbre\tar-bre\n") << syl.show();
  EXPECT_TRUE(requests("started").empty()) << "a local command started the daemon";
}

TEST_F(LiseurCliTest, ProfileCheckPrintsEveryProblemAndExitsOne) {
  std::string bad = work_ + "/bad.toml";
  test::writeFile(bad, "[speech]\nrat = 180\n");
  CliRun r = run({"profile", "check", "bad.toml"});
  EXPECT_EQ(r.status, 1) << r.show();
  std::string all = r.out + r.err;
  EXPECT_NE(all.find(bad + ":2"), std::string::npos) << r.show();
  EXPECT_NE(all.find("did you mean"), std::string::npos) << r.show();
  test::writeFile(work_ + "/good.toml", "[speech]\nrate = 180\n");
  CliRun good = run({"profile", "check", "good.toml"});
  EXPECT_EQ(good.status, 0) << good.show();
  EXPECT_TRUE(requests("started").empty());
}

}  // namespace
}  // namespace liseur
