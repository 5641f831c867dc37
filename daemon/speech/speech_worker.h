// SpeechWorker: the speech worker process's logic, implementing speech/speech_protocol.h on the
// socket `fd` (blocking, owned by the caller, not closed).
//
// Threads: run() starts a synthesis thread that creates and owns the SpeechEngine (espeak-ng is
// process-global: every espeak-ng call happens on that thread), then reads frames on the calling
// thread. Speak requests go through a bounded queue and are synthesised in order; a cancel
// raises the cancelled generation at once (checked by the synthesis callbacks before each frame
// they send, under the same lock as the write), waits for a frame being written to finish, and
// drops queued requests of that generation. Frames from both threads are serialised by one
// mutex: the daemon must keep reading, or a cancel waits behind a blocked write.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur::speech {

class SpeechEngine;

class SpeechWorker {
 public:
  explicit SpeechWorker(int fd) : fd_(fd) {}
  SpeechWorker(const SpeechWorker&) = delete;
  SpeechWorker& operator=(const SpeechWorker&) = delete;

  // Serves until EOF (returns 0), a broken frame (3) or an espeak-ng that cannot start (1).
  int run();

 private:
  struct Request {
    int64_t gen = -1;  // -1 when the header has no valid generation
    nlohmann::json header;
    std::string payload;
  };

  void synthesisThread(std::promise<Status>* started);
  void speak(SpeechEngine& engine, const Request& request);
  void handleFrame(nlohmann::json header, std::string payload);
  // Writes a frame unless `gen` is cancelled (gen < 0: always). False when not written.
  bool send(const nlohmann::json& header, std::string_view payload = {}, int64_t gen = -1);
  void sendError(const nlohmann::json* gen, const nlohmann::json* utt, const Error& error);
  void stop();

  const int fd_;

  std::mutex out_mu_;  // writes to fd_
  // Raised by the reader as soon as it reads a cancel (not under out_mu_, so a synthesis thread
  // writing frame after frame cannot delay it), checked under out_mu_ before every write.
  std::atomic<int64_t> cancelled_gen_{-1};
  bool closed_ = false;  // EOF, a failed write or shutdown: nothing more is sent

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Request> queue_;
  bool stopping_ = false;  // under queue_mu_
};

}  // namespace liseur::speech
