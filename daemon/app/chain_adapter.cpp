#include "app/chain_adapter.h"

#include "core/log.h"

namespace liseur {

using nlohmann::json;

struct ChainAdapter::Running {
  uint64_t chainJob = 0;  // the PluginChain job now running for this block (adapt, then speak)
  Block original;         // given back unchanged if the chain is replaced meanwhile
  Session::AdaptDone done;
};

namespace {

Error faultError(const plugins::PluginFault& f) {
  // The chain's message already names the plugin and the hook; keep the cause's code in it.
  return makeError(ErrorCode::kPluginFailed, f.error.message + " (" + std::string(f.error.name()) +
                                                 "); the read goes on without it");
}

}  // namespace

ChainAdapter::ChainAdapter(EventLoop& loop, Session& session, config::ConfigStore& config,
                           EventSink events, plugins::PluginHostClient::Options hostOptions)
    : loop_(loop),
      session_(session),
      config_(config),
      events_(std::move(events)),
      hostOptions_(std::move(hostOptions)) {}

ChainAdapter::~ChainAdapter() {
  *alive_ = false;
  session_.setBlockAdapter(nullptr, nullptr);
}

void ChainAdapter::install() {
  followConfig();
  session_.setBlockAdapter(
      [this](Block b, int w, int h, uint64_t read, Session::AdaptDone done) {
        return adapt(std::move(b), w, h, read, std::move(done));
      },
      [this](uint64_t token) { cancel(token); });
}

void ChainAdapter::followConfig() {
  auto cfg = config_.current();
  json wanted{{"chain", json::array()}, {"options", json::object()}};
  for (const auto& id : cfg->getStringList("plugins.chain")) {
    wanted["chain"].push_back(id);
    wanted["options"][id] = cfg->pluginOptions(id);
  }
  if (wanted == configured_) return;
  configured_ = wanted;
  // Jobs of the old chain end with their blocks unchanged (cancel() does not call back).
  for (auto& [token, r] : running_)
    if (chain_) chain_->cancel(r->chainJob);
  std::map<uint64_t, std::shared_ptr<Running>> orphans;
  orphans.swap(running_);
  for (auto& entry : orphans) {                 // later: never inside the Session's call to adapt()
    std::shared_ptr<Running> r = entry.second;  // (clang 14 cannot capture a structured binding)
    loop_.post([r] { r->done({{std::move(r->original)}, std::nullopt, {}}); });
  }
  chain_.reset();
  hasSpeak_ = false;
  if (!wanted["chain"].empty()) {
    std::vector<plugins::PluginSpec> specs;
    for (const auto& id : wanted["chain"])
      specs.push_back({id.get<std::string>(), wanted["options"][id.get<std::string>()]});
    chain_ = std::make_unique<plugins::PluginChain>(loop_, hostOptions_);
    for (const Error& e : chain_->configure(std::move(specs))) {
      spdlog::warn("plugins: {}", e.message);
      if (events_)
        events_("error",
                {{"code", errorCodeName(ErrorCode::kPluginUnavailable)}, {"message", e.message}});
    }
    for (const auto& s : chain_->status())
      for (const auto& h : s.hooks)
        if (h == "speak" && s.state != "unavailable") hasSpeak_ = true;
  }
  spdlog::info("plugins: chain [{}]", [&] {
    std::string ids;
    for (const auto& id : wanted["chain"]) ids += (ids.empty() ? "" : ", ") + id.get<std::string>();
    return ids;
  }());
}

uint64_t ChainAdapter::adapt(Block block, int width, int height, uint64_t read,
                             Session::AdaptDone done) {
  followConfig();
  const uint64_t token = nextToken_++;
  if (!chain_) {
    AdaptedBlocks r;
    r.blocks.push_back(std::move(block));
    done(std::move(r));
    return token;
  }
  Document doc;
  doc.width = width;
  doc.height = height;
  doc.lang = block.lang;
  doc.page = "read-" + std::to_string(read);
  block.index = 0;
  doc.blocks.push_back(std::move(block));
  auto run = std::make_shared<Running>();
  run->original = doc.blocks.front();
  run->done = std::move(done);
  running_[token] = run;
  std::weak_ptr<bool> alive = alive_;
  run->chainJob =
      chain_->adapt(std::move(doc), [this, alive, token](plugins::PluginChain::AdaptResult a) {
        if (alive.expired()) return;
        auto it = running_.find(token);
        if (it == running_.end()) return;
        auto run = it->second;
        std::vector<Error> faults;
        for (const auto& f : a.faults) faults.push_back(faultError(f));
        if (!hasSpeak_ || a.document.blocks.empty()) {
          running_.erase(it);
          run->done({std::move(a.document.blocks), std::nullopt, std::move(faults)});
          return;
        }
        Document adapted = a.document;
        run->chainJob =
            chain_->speak(std::move(a.document),
                          [this, alive, token, adapted = std::move(adapted),
                           faults = std::move(faults)](plugins::PluginChain::SpeakResult s) {
                            if (alive.expired()) return;
                            auto it = running_.find(token);
                            if (it == running_.end()) return;
                            auto run = it->second;
                            running_.erase(it);
                            auto all = faults;
                            for (const auto& f : s.faults) all.push_back(faultError(f));
                            AdaptedBlocks r{adapted.blocks, std::nullopt, std::move(all)};
                            // The chain's own fallback (defaultUtterances) is the Session's job:
                            // take a plugin's utterances only.
                            if (!s.plugin.empty()) r.utterances = std::move(s.utterances);
                            run->done(std::move(r));
                          });
      });
  return token;
}

void ChainAdapter::cancel(uint64_t token) {
  auto it = running_.find(token);
  if (it == running_.end()) return;
  if (chain_) chain_->cancel(it->second->chainJob);
  running_.erase(it);
}

json ChainAdapter::status() const {
  json plugins = json::array();
  if (chain_)
    for (const auto& s : chain_->status()) {
      json p{{"id", s.id}, {"state", s.state}, {"hooks", s.hooks}};
      if (s.error) p["error"] = {{"code", s.error->name()}, {"message", s.error->message}};
      plugins.push_back(std::move(p));
    }
  return {{"chain", configured_.value("chain", json::array())}, {"plugins", plugins}};
}

}  // namespace liseur
