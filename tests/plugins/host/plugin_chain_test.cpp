// The real liseur-plugin-host, driven through PluginChain on an EventLoop, with plugins that
// crash, hang, spin, flood, return bad JSON or a bad document, throw, or refuse their options.
// Each fault must be reported naming the plugin, the rest of the chain must still run, and the
// host must come back for the next job.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <optional>

#include "core/event_loop.h"
#include "plugins/plugin_chain.h"
#include "support/test_env.h"

namespace lp = liseur::plugins;
namespace fs = std::filesystem;
using liseur::Document;
using liseur::ErrorCode;
using liseur::EventLoop;
using namespace std::chrono_literals;

namespace {

Document sampleDocument() {
  auto d = liseur::documentFromJson(nlohmann::json::parse(R"({
    "format": "liseur-document/1", "width": 600, "height": 200, "source": "test", "lang": "fr",
    "blocks": [{"index": 0, "kind": "text", "box": [10, 10, 300, 40], "lang": "fr", "conf": 90,
      "lines": [{"box": [10, 10, 300, 20], "words": [
        {"text": "C'est", "box": [10, 10, 50, 20], "conf": 95, "lang": "fr"},
        {"text": "impor-", "box": [70, 10, 60, 20], "conf": 95, "lang": "fr"}]},
        {"box": [10, 32, 300, 20], "words": [
        {"text": "tant.", "box": [10, 32, 40, 20], "conf": 95, "lang": "fr"}]}]}]})"));
  EXPECT_TRUE(d) << d.error().message;
  return *d;
}

bool hasWord(const Document& d, const std::string& word) {
  for (const auto& b : d.blocks)
    for (const auto& l : b.lines)
      for (const auto& w : l.words)
        if (w.text == word) return true;
  return false;
}

std::string describe(const std::vector<lp::PluginFault>& faults) {
  std::string s;
  for (const auto& f : faults)
    s += "[" + f.plugin + " " + f.hook + " " + std::string(f.error.name()) + ": " +
         f.error.message + "] ";
  return s.empty() ? "(no faults)" : s;
}

class PluginChainTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("LISEUR_PLUGIN_PATH"); }

  lp::PluginHostClient::Options hostOptions(std::vector<std::string> extra = {}) {
    lp::PluginHostClient::Options o;
    o.program = liseur::test::programPath("liseur-plugin-host");
    o.extra_dirs = std::move(extra);
    o.extra_dirs.push_back(LISEUR_TEST_PLUGIN_DIR);
    o.extra_dirs.push_back(LISEUR_BUILD_PLUGIN_DIR);
    // Generous for a loaded 2-core machine: the tests check what happens, not how fast.
    o.call_timeout = 1500ms;
    o.load_timeout = 5000ms;
    o.max_output = 1u << 20;
    return o;
  }

  // Runs the loop until `start` calls back, or fails after a generous deadline.
  template <typename R>
  R run(const std::function<void(std::function<void(R)>)>& start) {
    std::optional<R> result;
    start([&](R r) {
      result = std::move(r);
      loop_.stop();
    });
    auto guard = loop_.addTimer(60s, [&] { loop_.stop(); });
    if (!result) loop_.run();
    loop_.cancelTimer(guard);
    EXPECT_TRUE(result.has_value()) << "no answer within 60 s";
    return result ? std::move(*result) : R{};
  }

  lp::PluginChain::AdaptResult adapt(lp::PluginChain& chain, Document d = sampleDocument()) {
    return run<lp::PluginChain::AdaptResult>([&](auto done) { chain.adapt(d, done); });
  }

  liseur::test::TempXdg xdg_;
  EventLoop loop_;
};

TEST_F(PluginChainTest, WellBehavedChainRunsInOrder) {
  lp::PluginChain chain(loop_, hostOptions());
  auto problems = chain.configure({{"reading-order", {}}, {"test-mark", {{"word", "MARK"}}}});
  EXPECT_TRUE(problems.empty()) << problems.front().message;
  auto r = adapt(chain);
  EXPECT_TRUE(r.faults.empty()) << describe(r.faults);
  EXPECT_TRUE(hasWord(r.document, "important.")) << r.document.text();  // reading-order ran
  EXPECT_TRUE(hasWord(r.document, "MARK")) << r.document.text();        // then test-mark
  ASSERT_EQ(r.document.blocks.size(), 2u);
  EXPECT_EQ(r.document.blocks[1].index, 1);
}

struct FaultCase {
  const char* plugin;
  ErrorCode code;
  const char* messagePart;
  bool restartsHost;
};

class PluginFaultTest : public PluginChainTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(PluginFaultTest, FaultIsNamedChainGoesOnHostComesBack) {
  const FaultCase& c = GetParam();
  lp::PluginChain chain(loop_, hostOptions());
  auto problems =
      chain.configure({{"test-mark", {{"word", "BEFORE"}}}, {c.plugin, {}}, {"reading-order", {}}});
  ASSERT_TRUE(problems.empty()) << problems.front().message;
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("job " + std::to_string(round + 1));
    auto r = adapt(chain);
    ASSERT_EQ(r.faults.size(), 1u) << c.plugin << ": " << describe(r.faults);
    const auto& f = r.faults[0];
    EXPECT_EQ(f.plugin, c.plugin);
    EXPECT_EQ(f.hook, "adapt");
    EXPECT_EQ(f.error.code, c.code)
        << c.plugin << ": " << f.error.name() << ": " << f.error.message;
    EXPECT_NE(f.error.message.find(std::string("plugin '") + c.plugin + "'"), std::string::npos)
        << f.error.message;
    EXPECT_NE(f.error.message.find(c.messagePart), std::string::npos) << f.error.message;
    // The plugin before it counted, the one after it still ran on that document.
    EXPECT_TRUE(hasWord(r.document, "BEFORE")) << c.plugin << ": " << r.document.text();
    EXPECT_TRUE(hasWord(r.document, "important.")) << c.plugin << ": " << r.document.text();
  }
  if (c.restartsHost)
    EXPECT_GE(chain.host().restarts(), 2) << c.plugin;
  else
    EXPECT_EQ(chain.host().restarts(), 0) << c.plugin;
}

INSTANTIATE_TEST_SUITE_P(
    BadPlugins, PluginFaultTest,
    ::testing::Values(FaultCase{"test-crash", ErrorCode::kWorkerCrashed, "SIGSEGV", true},
                      FaultCase{"test-hang", ErrorCode::kWorkerTimeout, "no answer within", true},
                      FaultCase{"test-spin", ErrorCode::kWorkerTimeout, "no answer within", true},
                      FaultCase{"test-flood", ErrorCode::kFileTooLarge, "byte limit", false},
                      FaultCase{"test-bad-json", ErrorCode::kInvalidArgument, "not valid JSON",
                                false},
                      FaultCase{"test-bad-document", ErrorCode::kInvalidArgument, "lines", false}),
    [](const auto& info) {
      std::string n = info.param.plugin;
      std::erase(n, '-');
      return n;
    });

TEST_F(PluginChainTest, ExceptionStopsAtTheBoundary) {
  lp::PluginChain chain(loop_, hostOptions());
  ASSERT_TRUE(chain.configure({{"test-mark", {{"throw", true}}}, {"reading-order", {}}}).empty());
  auto r = adapt(chain);
  ASSERT_EQ(r.faults.size(), 1u) << describe(r.faults);
  EXPECT_EQ(r.faults[0].error.code, ErrorCode::kInternal);
  EXPECT_NE(r.faults[0].error.message.find("asked to throw"), std::string::npos)
      << r.faults[0].error.message;
  EXPECT_TRUE(hasWord(r.document, "important.")) << r.document.text();
  EXPECT_EQ(chain.host().restarts(), 0);
}

TEST_F(PluginChainTest, PluginThatRefusesItsOptionsIsSkippedWithItsReason) {
  lp::PluginChain chain(loop_, hostOptions());
  ASSERT_TRUE(chain.configure({{"test-bad-load", {}}, {"test-mark", {}}}).empty());
  auto r = adapt(chain);
  ASSERT_EQ(r.faults.size(), 1u) << describe(r.faults);
  EXPECT_EQ(r.faults[0].plugin, "test-bad-load");
  EXPECT_NE(r.faults[0].error.message.find("must be between 1 and 3"), std::string::npos)
      << r.faults[0].error.message;
  EXPECT_TRUE(hasWord(r.document, "mark"));
  auto status = chain.status();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].state, "failed");
  EXPECT_EQ(status[0].error->code, ErrorCode::kConfigInvalid) << status[0].error->message;
  EXPECT_EQ(status[1].state, "ready");
}

TEST_F(PluginChainTest, MissingPluginAndBadOptionsAreReportedAtConfigure) {
  lp::PluginChain chain(loop_, hostOptions());
  auto problems = chain.configure(
      {{"no-such-plugin", {}}, {"large-print", {{"theme", "pink-on-green"}}}, {"test-mark", {}}});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].code, ErrorCode::kFileNotFound);
  EXPECT_NE(problems[0].message.find("'no-such-plugin' is not installed"), std::string::npos)
      << problems[0].message;
  EXPECT_EQ(problems[1].code, ErrorCode::kConfigInvalid);
  EXPECT_NE(problems[1].message.find("option 'theme'"), std::string::npos) << problems[1].message;
  auto r = adapt(chain);
  EXPECT_TRUE(r.faults.empty()) << describe(r.faults);
  EXPECT_TRUE(hasWord(r.document, "mark"));
}

TEST_F(PluginChainTest, WorldWritablePluginIsRefusedByTheHost) {
  // A copy of test-mark whose library anyone could have replaced.
  std::string root = xdg_.path("evil");
  fs::create_directories(root + "/test-mark");
  ::chmod(root.c_str(), 0755);
  fs::copy(std::string(LISEUR_TEST_PLUGIN_DIR) + "/test-mark/test-mark.so",
           root + "/test-mark/test-mark.so");
  fs::copy(std::string(LISEUR_TEST_PLUGIN_DIR) + "/test-mark/manifest.json",
           root + "/test-mark/manifest.json");
  ::chmod((root + "/test-mark/manifest.json").c_str(), 0644);
  ::chmod((root + "/test-mark/test-mark.so").c_str(), 0777);
  // Ask the host directly (the chain would already refuse it from the manifest scan).
  lp::PluginHostClient host(loop_, hostOptions({root}));
  auto statuses = run<std::vector<liseur::Status>>([&](auto done) {
    host.setPlugins({{"test-mark", {}}}, done);
  });
  ASSERT_EQ(statuses.size(), 1u);
  ASSERT_FALSE(statuses[0]) << "a world-writable plugin was loaded";
  EXPECT_EQ(statuses[0].error().code, ErrorCode::kFileUnreadable);
  EXPECT_NE(statuses[0].error().message.find("world-writable"), std::string::npos)
      << statuses[0].error().message;
  EXPECT_NE(statuses[0].error().message.find("plugin 'test-mark'"), std::string::npos)
      << statuses[0].error().message;
  // And the chain reports it at configure time.
  lp::PluginChain chain(loop_, hostOptions({root}));
  auto problems = chain.configure({{"test-mark", {}}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("refused"), std::string::npos) << problems[0].message;
}

TEST_F(PluginChainTest, SpeakUsesThePluginOrFallsBack) {
  lp::PluginChain chain(loop_, hostOptions());
  ASSERT_TRUE(
      chain.configure({{"reading-order", {}}, {"test-mark", {{"word", "bonjour"}}}}).empty());
  auto r =
      run<lp::PluginChain::SpeakResult>([&](auto done) { chain.speak(sampleDocument(), done); });
  EXPECT_TRUE(r.faults.empty()) << describe(r.faults);
  EXPECT_EQ(r.plugin, "test-mark");
  ASSERT_EQ(r.utterances.size(), 1u);
  EXPECT_EQ(r.utterances[0].text, "bonjour");

  lp::PluginChain plain(loop_, hostOptions());
  ASSERT_TRUE(plain.configure({{"test-mark", {{"throw", true}}}}).empty());
  auto d =
      run<lp::PluginChain::SpeakResult>([&](auto done) { plain.speak(sampleDocument(), done); });
  ASSERT_EQ(d.faults.size(), 1u) << describe(d.faults);
  EXPECT_EQ(d.plugin, "");  // the default utterances
  ASSERT_FALSE(d.utterances.empty());
  EXPECT_EQ(d.utterances[0].text, "C'est impor- tant.");
}

TEST_F(PluginChainTest, RenderGivesHtml) {
  lp::PluginChain chain(loop_, hostOptions());
  ASSERT_TRUE(chain.configure({{"reading-order", {}}, {"large-print", {}}}).empty());
  lp::PluginChain::RenderRequest req;
  req.options = {{"theme", "white-on-black"}, {"font_size_pt", 32}, {"enabled", true}};
  auto r = run<lp::PluginChain::RenderResult>(
      [&](auto done) { chain.render(sampleDocument(), req, done); });
  EXPECT_TRUE(r.faults.empty()) << describe(r.faults);
  EXPECT_EQ(r.plugin, "large-print");
  ASSERT_TRUE(r.html);
  EXPECT_NE(r.html->find("theme-white-on-black"), std::string::npos);
  EXPECT_NE(r.html->find(">impor-</span>"), std::string::npos);
}

TEST_F(PluginChainTest, CancelledJobNeverCallsBack) {
  lp::PluginChain chain(loop_, hostOptions());
  ASSERT_TRUE(chain.configure({{"test-hang", {}}, {"test-mark", {}}}).empty());
  bool called = false;
  auto job = chain.adapt(sampleDocument(), [&](lp::PluginChain::AdaptResult) { called = true; });
  loop_.addTimer(200ms, [&] { chain.cancel(job); });
  // Long enough for the hang to time out and the host to restart.
  loop_.addTimer(3000ms, [&] { loop_.stop(); });
  loop_.run();
  EXPECT_FALSE(called);
  // The chain still works afterwards.
  auto r = adapt(chain);
  EXPECT_TRUE(hasWord(r.document, "mark")) << describe(r.faults);
}

TEST_F(PluginChainTest, HostProgramMissingFailsTheJobNotTheDaemon) {
  auto o = hostOptions();
  o.program = xdg_.path("no-such-host");
  lp::PluginChain chain(loop_, o);
  (void)chain.configure({{"test-mark", {}}});
  auto r = adapt(chain);
  ASSERT_FALSE(r.faults.empty());
  EXPECT_EQ(r.faults[0].error.code, ErrorCode::kWorkerUnavailable) << describe(r.faults);
  EXPECT_EQ(r.document.text(), sampleDocument().text());
}

}  // namespace

namespace {

TEST_F(PluginChainTest, PluginThatHangsWhileLoadingIsKeptOut) {
  auto o = hostOptions();
  o.load_timeout = 1000ms;
  lp::PluginChain chain(loop_, o);
  ASSERT_TRUE(chain.configure({{"test-hang-load", {}}, {"test-mark", {}}}).empty());
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("job " + std::to_string(round + 1));
    auto r = adapt(chain);
    ASSERT_EQ(r.faults.size(), 1u) << describe(r.faults);
    EXPECT_EQ(r.faults[0].plugin, "test-hang-load");
    EXPECT_EQ(r.faults[0].error.code, ErrorCode::kWorkerTimeout) << describe(r.faults);
    EXPECT_NE(r.faults[0].error.message.find("while loading"), std::string::npos)
        << describe(r.faults);
    EXPECT_TRUE(hasWord(r.document, "mark")) << r.document.text();
  }
  // Kept out after the first time: the host was not killed again by the second job.
  EXPECT_EQ(chain.host().restarts(), 1);
  auto status = chain.status();
  EXPECT_EQ(status[0].state, "failed");
  EXPECT_EQ(status[1].state, "ready");
}

TEST(PluginReplies, BadRepliesAreRefusedWithTheReason) {
  Document doc = sampleDocument();
  struct Case {
    std::string reply, expect;
  };
  for (const auto& c : std::vector<Case>{
           {"[1, 2]", "not a JSON object"},
           {"{\"doc\": {}}", "no \"document\""},
           {"{\"document\": {\"format\": \"liseur-document/2\", \"blocks\": []}}", "$.format"}}) {
    auto r = lp::adaptReplyDocument(c.reply);
    ASSERT_FALSE(r) << c.reply;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
        << c.reply << " -> " << r.error().message;
  }
  for (
      const auto& c : std::vector<Case>{
          {"{\"utterances\": 3}", "no \"utterances\" array"},
          {R"({"utterances": [{"text": "ab", "words": [{"offset": 1, "length": 5}]}]})",
           "inside the text"},
          {R"({"utterances": [{"text": "ab", "words": [{"offset": 0, "length": 2, "block": 0, "line": 7, "word": 0}]}]})",
           "line 7"},
          {R"({"utterances": [{"text": "ab", "words": [{"offset": 0, "length": 2, "block": 3, "line": 0, "word": 0}]}]})",
           "outside the document"}}) {
    auto r = lp::speakReplyUtterances(c.reply, doc);
    ASSERT_FALSE(r) << c.reply;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
        << c.reply << " -> " << r.error().message;
  }
  auto ok = lp::speakReplyUtterances(
      R"({"utterances": [{"text": "C'est", "lang": "fr", "block": 0, "words": [{"offset": 0, "length": 5, "block": 0, "line": 0, "word": 0}]}]})",
      doc);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_FALSE(lp::renderReplyHtml("{\"html\": \"\"}"));
  EXPECT_TRUE(lp::renderReplyHtml("{\"html\": \"<p>x</p>\"}"));
}

}  // namespace
