// Runs an IpcServer on its own event loop thread for tests, in a private XDG tree.
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.h"
#include "ipc/ipc_client.h"
#include "ipc/ipc_server.h"
#include "support/test_env.h"

namespace liseur::test {

class ServerHarness {
 public:
  // Creates the server (not yet listening) on this thread; the loop runs after start().
  explicit ServerHarness(IpcServerOptions options = {})
      : server_(std::make_unique<IpcServer>(loop_, std::move(options))) {
    server_->setDisconnectHook([this](IpcClientId id) {
      std::lock_guard lock(mu_);
      disconnected_.push_back(id);
    });
  }
  ~ServerHarness() { stop(); }

  IpcServer& server() { return *server_; }
  EventLoop& loop() { return loop_; }

  void start() {
    Status st = server_->listen();
    ASSERT_TRUE(st.ok()) << st.error().name() << ": " << st.error().message;
    thread_ = std::thread([this] { loop_.run(); });
  }
  void stop() {
    if (thread_.joinable()) {
      loop_.stop();
      thread_.join();
    }
  }

  // Runs fn on the loop thread and waits for it.
  template <typename F>
  auto onLoop(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto fut = task.get_future();
    loop_.post([&task] { task(); });
    return fut.get();
  }

  std::vector<IpcClientId> disconnected() {
    std::lock_guard lock(mu_);
    return disconnected_;
  }
  std::size_t clientCount() {
    return onLoop([this] { return server_->clientCount(); });
  }

  // A raw connection (no hello).
  std::unique_ptr<IpcClient> raw() {
    auto c = IpcClient::connectRaw(server_->socketPath());
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c.value()) : nullptr;
  }
  // A connection that said hello.
  std::unique_ptr<IpcClient> client(const std::string& name = "test") {
    IpcClientOptions o;
    o.socket_path = server_->socketPath();
    o.autospawn = false;
    o.client_name = name;
    auto c = IpcClient::connect(o);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c.value()) : nullptr;
  }

 private:
  EventLoop loop_;
  std::unique_ptr<IpcServer> server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<IpcClientId> disconnected_;
};

inline constexpr std::chrono::milliseconds kGenerous{10'000};  // only to avoid hangs

// Kills (SIGKILL) every other process whose environment holds `entry` ("NAME=value"). Tests give
// each spawned daemon a unique variable, so this finds the daemons a test started even when it
// never learnt their pids (the losers of an autospawn race that start late, after the winner was
// shut down, would otherwise win the free socket and stay). Returns how many were killed.
inline int killProcessesWithEnv(const std::string& entry) {
  int killed = 0;
  std::error_code ec;
  for (const auto& d : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = d.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::ifstream env(d.path() / "environ", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(env)), std::istreambuf_iterator<char>());
    std::size_t start = 0;
    while (start < all.size()) {
      std::size_t end = all.find('\0', start);
      if (end == std::string::npos) end = all.size();
      if (all.compare(start, end - start, entry) == 0) {
        killed += ::kill(pid, SIGKILL) == 0;
        break;
      }
      start = end + 1;
    }
  }
  return killed;
}

}  // namespace liseur::test
