// PluginChain: a profile's plugins applied to a document, on the daemon's event loop.
//
//   PluginChain chain(loop);                       // host started lazily by configure()
//   chain.configure({{"reading-order", {}}, {"large-print", {{"theme", "white-on-black"}}}});
//   chain.adapt(doc, [](PluginChain::AdaptResult r) { ... r.document, r.faults ... });
//   chain.speak(doc, [](PluginChain::SpeakResult r) { ... r.utterances ... });
//   chain.render(doc, {.options = view, .narration = n}, [](PluginChain::RenderResult r) {...});
//
// adapt runs the document through the adapt hook of every plugin of the chain, in order. speak
// asks the first plugin with a speak hook for the utterances (the next one if it fails) and falls
// back to defaultUtterances() of document.h. render asks the named plugin (or the first with a
// render hook) for a view, HTML text.
//
// Faults: a plugin that fails, crashes the host, hangs or spins past the time limit, writes more
// than the size limit, or returns something that is not valid JSON of the right form (a document
// that documentFromJson refuses, utterances pointing outside the document, no "html") is skipped
// for that job: the job goes on with the document as it was before that plugin, and the result
// lists a PluginFault whose message names the plugin and the hook. The host is restarted by
// PluginHostClient. Plugins that cannot be used at all (not installed, bad manifest, refused by
// the trust rules) are reported by configure() and status(), and left out of every job.
//
// Threads: main thread only; nothing blocks except configure(), which reads the manifests (a few
// small files). Callbacks run on the loop thread, later (never inside the call that started the
// job). cancel(job) stops a job: its callback is never called ("a cancelled job is not an
// error"). Destroying the chain cancels every job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_loop.h"
#include "document/document.h"
#include "plugins/plugin_catalog.h"
#include "plugins/plugin_host_client.h"

namespace liseur::plugins {

struct PluginFault {
  std::string plugin;
  std::string hook;  // adapt | speak | render
  Error error;       // worker-crashed, worker-timeout, file-too-large, invalid-argument, ...
};

struct PluginStatus {
  std::string id;
  std::string state;  // loading | ready | failed | unavailable
  std::vector<std::string> hooks;
  std::optional<Error> error;
};

class PluginChain {
 public:
  using JobId = uint64_t;

  struct AdaptResult {
    Document document;
    std::vector<PluginFault> faults;
  };
  struct SpeakResult {
    std::vector<Utterance> utterances;
    std::string plugin;  // who made them; "" = defaultUtterances()
    std::vector<PluginFault> faults;
  };
  struct RenderRequest {
    std::string plugin;  // "" = the first plugin of the chain with a render hook
    nlohmann::json options = nlohmann::json::object();  // per-call view options (theme, sizes)
    nlohmann::json narration;  // null, or {"wav_base64": "...", "words": [{"start_ms",..}]}
    std::chrono::milliseconds timeout{0};  // 0 = the host client's call_timeout
  };
  struct RenderResult {
    std::optional<std::string> html;  // nullopt when no plugin could render
    std::string plugin;
    std::vector<PluginFault> faults;
  };

  explicit PluginChain(EventLoop& loop, PluginHostClient::Options hostOptions = {});
  ~PluginChain();
  PluginChain(const PluginChain&) = delete;
  PluginChain& operator=(const PluginChain&) = delete;

  // Sets the chain, in order. Returns the plugins left out (not installed, invalid, refused),
  // one Error each, naming the plugin. Loading goes on in the background (status()).
  std::vector<Error> configure(std::vector<PluginSpec> chain);

  JobId adapt(Document document, std::function<void(AdaptResult)> done);
  JobId speak(Document document, std::function<void(SpeakResult)> done);
  JobId render(Document document, RenderRequest request, std::function<void(RenderResult)> done);
  void cancel(JobId job);

  std::vector<PluginStatus> status() const;
  PluginHostClient& host() { return host_; }

 private:
  struct Member {
    PluginSpec spec;
    std::optional<Manifest> manifest;  // nullopt: unavailable
    std::optional<Error> error;
  };
  struct Job;

  std::vector<std::string> withHook(const std::string& hook) const;
  void step(const std::shared_ptr<Job>& job);
  void finish(const std::shared_ptr<Job>& job);

  EventLoop& loop_;
  PluginHostClient host_;
  std::vector<Member> members_;
  std::map<JobId, std::shared_ptr<Job>> jobs_;
  JobId nextJob_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Validation of hook replies (also used by the golden tests). Errors are invalid-argument and
// say what was wrong; the caller adds the plugin's name.
Result<Document> adaptReplyDocument(const std::string& reply);
Result<std::vector<Utterance>> speakReplyUtterances(const std::string& reply, const Document& doc);
Result<std::string> renderReplyHtml(const std::string& reply);

}  // namespace liseur::plugins
