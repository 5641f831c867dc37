// liseur-chain-bench: what the plugin chain adds to the first audio of a small region, and a
// filter that runs a chain on a recognised document (for the CER comparison).
//
//   liseur-chain-bench latency IMAGE [--chain reading-order] [--runs 60]
//       Recognises IMAGE (a 600x200 dialog) with the real OCR worker, then, with warm workers and
//       a warm plugin host, in one run and interleaved:
//         round trip  PluginChain adapt + speak of the first block (the work the chain adds per
//                     block before speech), --runs times;
//         first audio OCR request -> first block -> utterances -> first PCM frame from the speech
//                     worker, without the chain and with it (adapt + speak of that block before
//                     speech), --runs/3 times each.
//       Prints medians and percentiles, and the chain's share. Not a test: nothing is asserted.
//
//   liseur-chain-bench text [--chain reading-order]   < document.json
//       Reads a liseur-document/1 (`liseur ocr --json`) on stdin, runs the chain's adapt hooks on
//       it block by block (as the daemon and `liseur adapt` do) and prints its text, blocks
//       separated by blank lines as `liseur ocr` prints them. --chain "" prints it unchanged.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/worker_client.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "core/subprocess.h"
#include "document/document.h"
#include "document/lang_guess.h"
#include "ocr/ocr_protocol.h"
#include "plugins/plugin_chain.h"
#include "speech/speech_protocol.h"

namespace {

using liseur::Block;
using liseur::Document;
using liseur::EventLoop;
using liseur::Frame;
using liseur::WorkerClient;
using liseur::plugins::PluginChain;
using nlohmann::json;
using namespace std::chrono_literals;

std::vector<std::string> splitChain(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string id; std::getline(ss, id, ',');)
    if (!id.empty()) out.push_back(id);
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

// Runs the loop until `done` is set (checked every millisecond; measurements are taken inside
// the callbacks, so this does not blur them). A benchmark that hangs for minutes is broken: exit.
void runUntil(EventLoop& loop, const bool& done, std::chrono::milliseconds limit = 120s) {
  const double deadline = EventLoop::nowMsPrecise() + limit.count();
  auto poll = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = poll;
  *poll = [&loop, &done, deadline, weak] {
    if (done) return loop.stop();
    if (EventLoop::nowMsPrecise() > deadline) {
      std::cerr << "chain-bench: no answer within the time limit (a worker or the host hangs)\n";
      std::exit(1);
    }
    if (auto p = weak.lock()) loop.addTimer(1ms, *p);
  };
  loop.post(*poll);
  loop.run();
}

PluginChain::AdaptResult adaptBlocks(EventLoop& loop, PluginChain& chain, const Document& doc) {
  // Block by block, in order, as the daemon and liseur adapt do.
  PluginChain::AdaptResult all;
  all.document = doc;
  all.document.blocks.clear();
  for (const Block& b : doc.blocks) {
    Document one = doc;
    one.blocks = {b};
    one.blocks[0].index = 0;
    bool done = false;
    chain.adapt(one, [&](PluginChain::AdaptResult r) {
      for (auto& blk : r.document.blocks) {
        blk.index = static_cast<int>(all.document.blocks.size());
        all.document.blocks.push_back(std::move(blk));
      }
      for (auto& f : r.faults) all.faults.push_back(std::move(f));
      done = true;
    });
    runUntil(loop, done);
  }
  return all;
}

int runText(const std::string& chainSpec) {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  json j = json::parse(input, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "chain-bench text: stdin is not JSON\n";
    return 1;
  }
  auto doc = liseur::documentFromJson(j);
  if (!doc) {
    std::cerr << "chain-bench text: " << doc.error().message << "\n";
    return 1;
  }
  auto ids = splitChain(chainSpec);
  if (!ids.empty()) {
    EventLoop loop;
    PluginChain chain(loop);
    std::vector<liseur::plugins::PluginSpec> specs;
    for (auto& id : ids) specs.push_back({id, json::object()});
    for (auto& e : chain.configure(specs)) std::cerr << "chain-bench: " << e.message << "\n";
    auto r = adaptBlocks(loop, chain, *doc);
    for (auto& f : r.faults) std::cerr << "chain-bench: " << f.error.message << "\n";
    doc = std::move(r.document);
  }
  std::cout << doc->text();
  if (!doc->blocks.empty()) std::cout << "\n";
  return 0;
}

// Warm OCR and speech workers on one loop; one job at a time.
class Pipeline {
 public:
  explicit Pipeline(EventLoop& loop) : loop_(loop) {
    WorkerClient::Options o;
    o.name = "ocr";
    o.program = liseur::findHelperProgram(liseur::ocr::kWorkerProgram);
    o.env = {"OMP_THREAD_LIMIT=1", "LISEUR_OCR_LANGS=eng+fra"};
    o.limits.address_space_mb = 1536;
    o.limits.nice = 5;  // as the daemon runs it
    ocr_ = std::make_unique<WorkerClient>(
        loop, o, [this](Frame&& f) { onOcr(std::move(f)); }, [](const liseur::Error&) {});
    WorkerClient::Options s;
    s.name = "speech";
    s.program = liseur::findHelperProgram(liseur::speech::kWorkerProgram);
    s.limits.address_space_mb = 512;
    speech_ = std::make_unique<WorkerClient>(
        loop, s, [this](Frame&& f) { onSpeech(std::move(f)); }, [](const liseur::Error&) {});
    (void)ocr_->start();
    (void)speech_->start();
    bool ready = false;
    auto check = std::make_shared<std::function<void()>>();
    *check = [&, check] {
      if (ocr_->ready() && speech_->ready()) return void(ready = true);
      loop_.addTimer(5ms, *check);
    };
    loop_.post(*check);
    runUntil(loop_, ready);
  }
  ~Pipeline() {
    ocr_->shutdown();
    speech_->shutdown();
  }

  // OCR of `image`; the whole document.
  Document recognise(const std::string& image) {
    Document doc;
    bool done = false;
    onBlock_ = [&](Block b) { doc.blocks.push_back(std::move(b)); };
    onOcrDone_ = [&] { done = true; };
    startOcr(image);
    runUntil(loop_, done);
    doc.width = width_;
    doc.height = height_;
    return doc;
  }

  // ms from the OCR request to the first PCM frame of the first block's speech; `chain` (may be
  // null) adapts and speaks the block first, as the daemon's Session does per block.
  double firstAudio(const std::string& image, PluginChain* chain) {
    ++gen_;  // frames of the previous run still arriving are not this run's audio
    bool heard = false, ocrDone = false;
    double t0 = EventLoop::nowMsPrecise(), first = -1;
    bool spoke = false;
    onBlock_ = [&](Block b) {
      if (spoke) return;
      spoke = true;
      Document one;
      one.width = width_;
      one.height = height_;
      b.index = 0;
      if (b.lang.empty()) b.lang = liseur::guessLanguage(b.text(), "fr");
      one.lang = b.lang;
      one.blocks = {std::move(b)};
      auto speak = [this](const std::vector<liseur::Utterance>& utts) {
        if (utts.empty()) return;
        const auto& u = utts.front();
        (void)speech_->send({{"op", "speak"},
                             {"gen", gen_},
                             {"utt", 0},
                             {"text", u.text},
                             {"voice", u.lang == "en" ? "en-gb" : "fr"}});
      };
      if (!chain) return speak(liseur::defaultUtterances(one.blocks[0]));
      chain->adapt(one, [this, chain, speak](PluginChain::AdaptResult r) {
        chain->speak(r.document, [speak](PluginChain::SpeakResult s) { speak(s.utterances); });
      });
    };
    onOcrDone_ = [&] { ocrDone = true; };
    onPcm_ = [&] {
      if (first < 0) first = EventLoop::nowMsPrecise() - t0;
      heard = true;
    };
    startOcr(image);
    bool both = false;
    auto check = std::make_shared<std::function<void()>>();
    *check = [&, check] {
      if (heard && ocrDone) return void(both = true);
      loop_.addTimer(1ms, *check);
    };
    loop_.post(*check);
    runUntil(loop_, both);
    // Let the rest of the utterance go by so the next run starts idle.
    (void)speech_->send({{"op", "cancel"}, {"gen", gen_}});
    onPcm_ = {};
    return first;
  }

 private:
  void startOcr(const std::string& image) {
    ++ocrGen_;
    (void)ocr_->send(
        {{"op", "ocr"}, {"gen", ocrGen_}, {"path", image}, {"lang", "eng+fra"}, {"mode", "auto"}});
  }
  void onOcr(Frame&& f) {
    const std::string ev = f.header.value("ev", "");
    if (f.header.value("gen", 0) != ocrGen_) return;
    if (ev == "layout") {
      width_ = f.header.value("width", 0);
      height_ = f.header.value("height", 0);
    } else if (ev == "block") {
      auto b = liseur::blockFromJson(f.header["block"]);
      if (b && onBlock_) onBlock_(std::move(b).value());
    } else if (ev == "done" || ev == "error") {
      if (ev == "error") std::cerr << "chain-bench: OCR: " << f.header.dump() << "\n";
      if (onOcrDone_) onOcrDone_();
    }
  }
  void onSpeech(Frame&& f) {
    if (f.header.value("ev", "") == "pcm" && f.header.value("gen", 0) == gen_ && onPcm_) onPcm_();
  }

  EventLoop& loop_;
  std::unique_ptr<WorkerClient> ocr_, speech_;
  int ocrGen_ = 0, gen_ = 0, width_ = 0, height_ = 0;
  std::function<void(Block)> onBlock_;
  std::function<void()> onOcrDone_, onPcm_;
};

int runLatency(const std::string& image, const std::string& chainSpec, int runs) {
  EventLoop loop;
  Pipeline pipe(loop);
  PluginChain chain(loop);
  std::vector<liseur::plugins::PluginSpec> specs;
  for (auto& id : splitChain(chainSpec)) specs.push_back({id, json::object()});
  for (auto& e : chain.configure(specs)) std::cerr << "chain-bench: " << e.message << "\n";

  Document doc = pipe.recognise(image);
  if (doc.blocks.empty()) {
    std::cerr << "chain-bench: nothing recognised in " << image << "\n";
    return 1;
  }
  Document first = doc;
  first.blocks = {doc.blocks.front()};
  first.blocks[0].index = 0;
  if (first.blocks[0].lang.empty())
    first.blocks[0].lang = liseur::guessLanguage(first.blocks[0].text(), "fr");

  auto roundTrip = [&] {
    bool done = false;
    double t0 = EventLoop::nowMsPrecise(), ms = 0;
    chain.adapt(first, [&](PluginChain::AdaptResult r) {
      chain.speak(r.document, [&](PluginChain::SpeakResult) {
        ms = EventLoop::nowMsPrecise() - t0;
        done = true;
      });
    });
    runUntil(loop, done);
    return ms;
  };
  // Warm-up: the host loads the plugins, the workers and caches settle.
  for (int i = 0; i < 5; ++i) roundTrip();
  (void)pipe.firstAudio(image, nullptr);
  (void)pipe.firstAudio(image, &chain);

  std::vector<double> rt, faPlain, faChain;
  const int faRuns = std::max(5, runs / 3);
  for (int i = 0; i < runs; ++i) {
    rt.push_back(roundTrip());
    if (i < faRuns) {
      // Alternate the order so drift in the machine's load hits both alike.
      if (i % 2) {
        faPlain.push_back(pipe.firstAudio(image, nullptr));
        faChain.push_back(pipe.firstAudio(image, &chain));
      } else {
        faChain.push_back(pipe.firstAudio(image, &chain));
        faPlain.push_back(pipe.firstAudio(image, nullptr));
      }
    }
  }
  auto row = [](const char* name, const std::vector<double>& v) {
    std::printf("| %-44s | %4zu | %8.2f | %8.2f | %8.2f |\n", name, v.size(), percentile(v, 0.5),
                percentile(v, 0.1), percentile(v, 0.9));
  };
  std::printf("image %s (%dx%d), %zu blocks; first block: %zu lines; chain [%s]\n\n", image.c_str(),
              doc.width, doc.height, doc.blocks.size(), doc.blocks.front().lines.size(),
              chainSpec.c_str());
  std::printf("| %-44s | %4s | %8s | %8s | %8s |\n", "measure (ms)", "n", "median", "p10", "p90");
  std::printf("|%s|------|----------|----------|----------|\n", std::string(46, '-').c_str());
  row("chain adapt+speak round trip, first block", rt);
  row("first audio without the chain", faPlain);
  row("first audio with the chain", faChain);
  std::printf(
      "\nadded by the chain: round trip median %.2f ms; first-audio medians differ by "
      "%.2f ms (target <= 5 ms)\n",
      percentile(rt, 0.5), percentile(faChain, 0.5) - percentile(faPlain, 0.5));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Logs to stderr, and only problems: `text` prints the document on stdout.
  liseur::initLogging("chain-bench");
  if (!std::getenv("LISEUR_LOG")) spdlog::set_level(spdlog::level::warn);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string mode = args.empty() ? "" : args[0];
  std::string chain = "reading-order", image;
  int runs = 60;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--chain" && i + 1 < args.size())
      chain = args[++i];
    else if (args[i] == "--runs" && i + 1 < args.size())
      runs = std::max(1, std::atoi(args[++i].c_str()));
    else if (image.empty() && args[i].rfind("--", 0) != 0)
      image = args[i];
    else {
      std::cerr << "chain-bench: unknown argument '" << args[i] << "'\n";
      return 2;
    }
  }
  if (mode == "text") return runText(chain);
  if (mode == "latency" && !image.empty()) return runLatency(image, chain, runs);
  std::cerr << "usage: liseur-chain-bench latency IMAGE [--chain IDS] [--runs N]\n"
               "       liseur-chain-bench text [--chain IDS] < document.json\n";
  return 2;
}
