// ChainAdapter: the profile's plugin chain applied by liseurd to every recognised block, through
// the Session's block-adapter hook (control/session.h).
//
// Each block of a read or OCR job is sent, as a one-block document, through the adapt hooks of
// the chain (reading-order joins hyphenated words and lines, drops noise...) and, when a plugin of
// the chain has a speak hook (dys: short chunks), through it for the utterances. A plugin that
// fails is skipped for that block (a `plugin-failed` error event names it) and the read goes on.
//
// The chain follows the configuration: before each block the adapter compares the current
// configuration with the one it was set from, and re-configures the chain when the plugin list or
// options changed (reload, profile switch), so no reload hook is needed. An empty chain answers
// at once with the block unchanged (no process, no copy to another process).
//
// Threads: main thread only (the event loop's).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_store.h"
#include "control/session.h"
#include "core/event_loop.h"
#include "plugins/plugin_chain.h"

namespace liseur {

class ChainAdapter {
 public:
  using EventSink = std::function<void(const std::string& name, nlohmann::json body)>;

  ChainAdapter(EventLoop& loop, Session& session, config::ConfigStore& config, EventSink events,
               plugins::PluginHostClient::Options hostOptions = {});
  ~ChainAdapter();
  ChainAdapter(const ChainAdapter&) = delete;
  ChainAdapter& operator=(const ChainAdapter&) = delete;

  // Installs the adapter in the Session and configures the chain from the current configuration.
  void install();
  // {"chain": [ids], "plugins": [{id, state, hooks, error}]} for `status`.
  nlohmann::json status() const;

 private:
  struct Running;
  uint64_t adapt(Block block, int width, int height, uint64_t read, Session::AdaptDone done);
  void cancel(uint64_t token);
  void followConfig();

  EventLoop& loop_;
  Session& session_;
  config::ConfigStore& config_;
  EventSink events_;
  plugins::PluginHostClient::Options hostOptions_;
  std::unique_ptr<plugins::PluginChain> chain_;  // nullptr while the chain is empty
  nlohmann::json configured_;                    // the chain and options it was set from
  bool hasSpeak_ = false;
  std::map<uint64_t, std::shared_ptr<Running>> running_;
  uint64_t nextToken_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace liseur
