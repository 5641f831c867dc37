#include "speech/speech_worker.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <thread>

#include "core/frame.h"
#include "core/log.h"
#include "speech/speech_engine.h"
#include "speech/speech_protocol.h"
#include "speech/utterance_text.h"

namespace liseur::speech {
namespace {

using nlohmann::json;

// A non-negative integer field that fits in int64_t, or nullopt.
std::optional<int64_t> nonNegativeInt(const json& header, const char* key) {
  auto it = header.find(key);
  if (it == header.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return it->get<int64_t>();
  return std::nullopt;
}

// An optional int setting; absent keeps `out`. Errors name the key.
Status readIntSetting(const json& header, const char* key, int& out) {
  auto it = header.find(key);
  if (it == header.end()) return okStatus();
  if (!it->is_number_integer())
    return makeError(ErrorCode::kInvalidArgument,
                     std::string("speak: \"") + key + "\" must be an integer");
  int64_t v = it->get<int64_t>();
  if (it->is_number_unsigned() && it->get<uint64_t>() > 1'000'000u) v = 1'000'000;
  // Clamp into int before the range check in validateVoiceSettings names the value.
  out = static_cast<int>(std::clamp<int64_t>(v, -1'000'000, 1'000'000));
  return okStatus();
}

Result<VoiceSettings> parseSettings(const json& h) {
  VoiceSettings s;
  if (auto it = h.find("voice"); it != h.end()) {
    if (!it->is_string())
      return makeError(ErrorCode::kInvalidArgument, "speak: \"voice\" must be a string");
    s.voice = it->get<std::string>();
  }
  for (auto [key, field] : {std::pair{"rate", &s.rate}, std::pair{"pitch", &s.pitch},
                            std::pair{"volume", &s.volume}, std::pair{"wordgap", &s.wordgap}}) {
    if (auto st = readIntSetting(h, key, *field); !st) return st.error();
  }
  if (auto it = h.find("end_pause"); it != h.end()) {
    if (!it->is_boolean())
      return makeError(ErrorCode::kInvalidArgument, "speak: \"end_pause\" must be a boolean");
    s.end_pause = it->get<bool>();
  }
  if (auto st = validateVoiceSettings(s); !st) return st.error();
  return s;
}

}  // namespace

int SpeechWorker::run() {
  std::promise<Status> started;
  std::future<Status> startedFuture = started.get_future();
  std::thread synth(&SpeechWorker::synthesisThread, this, &started);
  Status st = startedFuture.get();
  if (!st) {
    synth.join();
    spdlog::error("{}", st.error().message);
    sendError(nullptr, nullptr, st.error());
    return 1;
  }

  int rc = 0;
  for (;;) {
    Result<Frame> frame = readFrame(fd_);
    if (!frame) {
      // readFrame reports EOF as worker-crashed (the peer went away): a normal shutdown here.
      if (frame.error().code != ErrorCode::kWorkerCrashed) {
        spdlog::error("unreadable frame from the daemon: {}", frame.error().message);
        sendError(nullptr, nullptr,
                  makeError(ErrorCode::kBadRequest,
                            "unreadable frame from the daemon: " + frame.error().message));
        rc = 3;
      }
      break;
    }
    handleFrame(std::move(frame->header), std::move(frame->payload));
  }
  stop();
  synth.join();
  return rc;
}

void SpeechWorker::stop() {
  {
    std::lock_guard lock(out_mu_);
    closed_ = true;  // makes the synthesis callbacks abort the current utterance
  }
  std::lock_guard lock(queue_mu_);
  stopping_ = true;
  queue_.clear();
  queue_cv_.notify_all();
}

bool SpeechWorker::send(const json& header, std::string_view payload, int64_t gen) {
  std::lock_guard lock(out_mu_);
  if (closed_ || (gen >= 0 && gen <= cancelled_gen_)) return false;
  if (Status st = writeFrame(fd_, header, payload); !st) {
    spdlog::warn("cannot write to the daemon: {}", st.error().message);
    closed_ = true;
    return false;
  }
  return true;
}

void SpeechWorker::sendError(const json* gen, const json* utt, const Error& error) {
  json h = {{"ev", "error"}, {"code", error.name()}, {"message", error.message}};
  if (gen) h["gen"] = *gen;
  if (utt) h["utt"] = *utt;
  int64_t g = -1;
  if (gen && gen->is_number_integer() && gen->get<int64_t>() >= 0) g = gen->get<int64_t>();
  send(h, {}, g);
}

void SpeechWorker::handleFrame(json header, std::string payload) {
  auto opIt = header.find("op");
  if (opIt == header.end() || !opIt->is_string()) {
    sendError(nullptr, nullptr,
              makeError(ErrorCode::kUnknownCommand, "request has no string \"op\""));
    return;
  }
  const std::string op = opIt->get<std::string>();
  if (op == "ping") {
    send({{"ev", "pong"}});
  } else if (op == "cancel") {
    std::optional<int64_t> gen = nonNegativeInt(header, "gen");
    if (!gen) {
      sendError(
          nullptr, nullptr,
          makeError(ErrorCode::kInvalidArgument, "cancel: \"gen\" must be a non-negative integer"));
      return;
    }
    int64_t prev = cancelled_gen_.load();
    while (prev < *gen && !cancelled_gen_.compare_exchange_weak(prev, *gen)) {
    }
    // A frame of a cancelled generation may be half written: let it finish, so that every frame
    // written after this point (a pong, say) is known to come after the last stale one.
    { std::lock_guard lock(out_mu_); }
    std::lock_guard lock(queue_mu_);
    std::erase_if(queue_, [&](const Request& r) { return r.gen >= 0 && r.gen <= *gen; });
  } else if (op == "speak") {
    Request r{nonNegativeInt(header, "gen").value_or(-1), std::move(header), std::move(payload)};
    std::unique_lock lock(queue_mu_);
    if (queue_.size() >= static_cast<std::size_t>(kMaxQueuedRequests)) {
      lock.unlock();
      sendError(
          r.header.contains("gen") ? &r.header["gen"] : nullptr,
          r.header.contains("utt") ? &r.header["utt"] : nullptr,
          makeError(ErrorCode::kBusy, "speak: more than " + std::to_string(kMaxQueuedRequests) +
                                          " utterances waiting (kMaxQueuedRequests)"));
      return;
    }
    queue_.push_back(std::move(r));
    queue_cv_.notify_one();
  } else {
    sendError(nullptr, nullptr,
              makeError(ErrorCode::kUnknownCommand,
                        "unknown op \"" + op.substr(0, 64) + "\" (expected speak, cancel, ping)"));
  }
}

void SpeechWorker::synthesisThread(std::promise<Status>* started) {
  auto engine = SpeechEngine::create(kSynthBufferMs);
  if (!engine) {
    started->set_value(engine.error());
    return;
  }
  spdlog::info("espeak-ng {} ready: {} Hz, {} ms buffers", (*engine)->version(),
               (*engine)->sampleRate(), (*engine)->bufferMs());
  send({{"ev", "ready"},
        {"sample_rate", (*engine)->sampleRate()},
        {"espeak", (*engine)->version()},
        {"buffer_ms", (*engine)->bufferMs()}});
  started->set_value(okStatus());

  for (;;) {
    Request r;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      r = std::move(queue_.front());
      queue_.pop_front();
    }
    speak(**engine, r);
  }
}

void SpeechWorker::speak(SpeechEngine& engine, const Request& request) {
  const json& h = request.header;
  const json* genJ = h.contains("gen") ? &h["gen"] : nullptr;
  const json* uttJ = h.contains("utt") ? &h["utt"] : nullptr;
  std::optional<int64_t> utt = nonNegativeInt(h, "utt");
  if (request.gen < 0 || !utt) {
    sendError(genJ, uttJ,
              makeError(ErrorCode::kInvalidArgument,
                        "speak: \"gen\" and \"utt\" must be non-negative integers"));
    return;
  }
  const int64_t gen = request.gen;
  {
    std::lock_guard lock(out_mu_);
    if (gen <= cancelled_gen_ || closed_) return;
  }

  std::string_view raw;
  if (auto it = h.find("text"); it != h.end()) {
    if (!it->is_string()) {
      sendError(genJ, uttJ,
                makeError(ErrorCode::kInvalidArgument, "speak: \"text\" must be a string"));
      return;
    }
    raw = it->get_ref<const std::string&>();
  } else {
    raw = request.payload;
  }
  if (raw.size() > static_cast<std::size_t>(kMaxUtteranceBytes)) {
    sendError(genJ, uttJ,
              makeError(ErrorCode::kInvalidArgument,
                        "speak: text is " + std::to_string(raw.size()) +
                            " bytes, over the limit of " + std::to_string(kMaxUtteranceBytes) +
                            " bytes (kMaxUtteranceBytes); split it into shorter utterances"));
    return;
  }
  Result<VoiceSettings> settings = parseSettings(h);
  if (!settings) {
    sendError(genJ, uttJ, settings.error());
    return;
  }

  const UtteranceText text(raw);
  if (text.replacedBytes() > 0)
    spdlog::debug("gen {} utt {}: {} invalid or control bytes replaced", gen, *utt,
                  text.replacedBytes());
  const json ids = {{"gen", gen}, {"utt", *utt}};
  const auto t0 = std::chrono::steady_clock::now();
  double firstPcmMs = -1;
  SynthCallbacks callbacks;
  callbacks.on_mark = [&](const WordMark& m) {
    json f = ids;
    f["ev"] = "mark";
    f["offset"] = m.span.offset;
    f["length"] = m.span.length;
    f["sample"] = m.sample;
    return send(f, {}, gen);
  };
  callbacks.on_audio = [&](std::span<const int16_t> pcm) {
    if (firstPcmMs < 0)
      firstPcmMs =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    json f = ids;
    f["ev"] = "pcm";
    return send(f, std::string_view(reinterpret_cast<const char*>(pcm.data()), pcm.size_bytes()),
                gen);
  };
  Result<uint64_t> samples = engine.synthesize(text, *settings, callbacks);
  if (!samples) {
    if (samples.error().code == ErrorCode::kCancelled) {
      spdlog::debug("gen {} utt {}: cancelled", gen, *utt);
      return;
    }
    spdlog::warn("gen {} utt {}: {}", gen, *utt, samples.error().message);
    sendError(genJ, uttJ, samples.error());
    return;
  }
  json f = ids;
  f["ev"] = "end";
  f["samples"] = *samples;
  send(f, {}, gen);
  spdlog::debug(
      "gen {} utt {}: {} bytes -> {} samples, first pcm after {:.2f} ms, {:.1f} ms", gen, *utt,
      raw.size(), *samples, firstPcmMs,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace liseur::speech
