#include "control/adapt_job.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <thread>

#include "config/atomic_file.h"
#include "config/config_value.h"
#include "control/worker_client.h"
#include "core/event_loop.h"
#include "core/subprocess.h"
#include "document/answer_places.h"
#include "document/lang_guess.h"
#include "ocr/ocr_protocol.h"
#include "ocr/ocr_worker.h"
#include "plugins/plugin_chain.h"
#include "plugins/plugin_protocol.h"
#include "speech/speech_protocol.h"
#include "speech/text/voicing.h"

namespace liseur::adapt {
namespace {

using nlohmann::json;
using plugins::PluginChain;

// The render plugin used when the profile's chain has none: every profile gets a view.
constexpr const char* kFallbackRenderer = "large-print";
// Lines the first batch of blocks waits for before going to the chain (see pumpAdapt).
constexpr std::size_t kFirstBatchLines = 3;
// Utterances sent ahead to the speech worker: enough to keep it busy, few enough that a death
// re-sends little.
constexpr std::size_t kSpeechAhead = 8;
// No frame from any worker for this long while one is working: give up rather than hang.
constexpr double kStallMs = 60'000;
// The render request carries the WAV as base64 inside JSON, and the reply the same inside HTML:
// both must fit the plugin host's largest reply with room for the page itself.
constexpr std::size_t kMaxNarrationBase64 = plugins::kMaxOutputLimit - (2u << 20);

// One chunk of the narration as sent to the speech worker, and its audio so far.
struct Pending {
  speech::SpokenChunk chunk;
  speech::VoiceChoice voice;
  int id = 0;
  speech::ChunkAudio audio;
};

// One page to recognise: a file's page `page` (a single image is page 0 of 1). What the worker
// sent is kept until the pages before it are placed; the head unit's blocks go on at once.
struct Unit {
  std::size_t input = 0;  // index into AdaptOptions::images
  int page = 0;
  int gen = 0;  // its request, 0 before it is sent
  bool done = false;
  int width = 0, height = 0;
  std::vector<Block> blocks;      // waiting to be placed (relative to the page)
  std::vector<Box> rules, boxes;  // its marks, the same
  std::vector<TableGrid> tables;
};

class Runner {
 public:
  Runner(EventLoop& loop, const AdaptOptions& options) : loop_(loop), opts_(options) {}
  ~Runner() {
    // The chain first: its host dies with our EOF; then the workers, for good.
    chain_.reset();
    for (auto& r : readers_)
      if (r.worker) r.worker->shutdown();
    if (speech_) speech_->shutdown();
  }

  void start();
  Result<AdaptReport> take() {
    if (error_) return *error_;
    return std::move(report_);
  }

 private:
  double since() const { return EventLoop::nowMsPrecise() - t0_; }
  void warn(Error e);
  void fail(Error e);
  void configureChain();
  void onOcrFrame(std::size_t reader, Frame&& f);
  Status startReader(bool oneReaderEach);
  void dispatch();
  void place(Unit& unit);
  void placeBlock(Block&& block);
  void advance();
  void pumpAdapt();
  void adapted(PluginChain::AdaptResult r);
  void queueUtterances(std::vector<Utterance> utterances, int base);
  void pumpSpeech();
  void onSpeechFrame(Frame&& f);
  void onSpeechDeath(const Error& e);
  void closeUtterance(int utt, uint64_t endSample);
  void maybeFinish();
  void render();
  void renderPage(bool standIn);
  void armStallWatch();
  static std::string fileError(const std::string& file, std::string message);
  const std::string& fileOf(const Unit& u) const { return opts_.images[u.input]; }
  // The file being recognised first (for a stall).
  const std::string& current() const {
    return opts_.images[head_ < units_.size() ? units_[head_]->input : 0];
  }

  EventLoop& loop_;
  const AdaptOptions& opts_;
  const config::Config* cfg_ = nullptr;
  double t0_ = 0;
  bool finished_ = false;
  std::optional<Error> error_;
  AdaptReport report_;

  std::unique_ptr<PluginChain> chain_;
  std::unique_ptr<WorkerClient> speech_;
  double lastFrameMs_ = 0;

  // OCR: the sheets' pages, shared out between the OCR workers, placed in order.
  struct Reader {
    std::unique_ptr<WorkerClient> worker;
    Unit* unit = nullptr;  // the page it is reading
  };
  std::vector<Reader> readers_;
  std::vector<std::unique_ptr<Unit>> units_;  // in the document's order
  std::size_t head_ = 0;                      // the first unit not wholly placed yet
  int headY_ = 0;                             // where the head unit goes in the document
  int nextGen_ = 1;

  // OCR -> chain
  bool ocrDone_ = false;
  std::vector<Box> rules_, boxes_;  // the page's marks (answer places)
  std::vector<TableGrid> tables_;
  std::deque<Block> toAdapt_;
  bool adapting_ = false;
  std::string fixedLang_;  // ocr.language when it is not "auto"

  // chain -> speech
  speech::Voicing voicing_;    // the profile's voices: the daemon's rules (voicing.h)
  std::vector<int16_t> tone_;  // the doubtful-word signal at the worker's rate
  std::deque<Pending> toSend_;
  std::deque<Pending> inFlight_;  // sent, in order; the worker answers in order
  int nextUtt_ = 0;
  bool speechFailed_ = false;

  // speech -> narration
  std::vector<int16_t> pcm_;
  std::map<int, uint64_t> uttBase_;  // utterance id -> its first sample in pcm_
  std::vector<NarrationWord> words_;
  int openFrom_ = 0;  // first index of words_ whose end is not known yet
};

void Runner::warn(Error e) {
  if (opts_.warn) opts_.warn(e);
  report_.warnings.push_back(std::move(e));
}

void Runner::fail(Error e) {
  if (finished_) return;
  finished_ = true;
  error_ = std::move(e);
  loop_.stop();
}

std::string Runner::fileError(const std::string& file, std::string message) {
  if (message.find(file) != std::string::npos) return message;
  return file + ": " + message;
}

void Runner::start() {
  t0_ = EventLoop::nowMsPrecise();
  lastFrameMs_ = t0_;
  cfg_ = opts_.config.get();
  // The first sheet names the page (the dys view keys the pupil's answers on it).
  report_.recognised.source = report_.adapted.source = opts_.images.front();

  for (const auto& image : opts_.images) {  // every file there before any work starts
    struct stat st {};
    if (::stat(image.c_str(), &st) != 0) {
      int err = errno;
      return fail(makeError(err == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kFileUnreadable,
                            image + ": " + std::strerror(err)));
    }
  }

  const std::string& fixed = cfg_->getString("ocr.language");
  if (fixed == "fr" || fixed == "en") fixedLang_ = fixed;
  // Voice presets and lexicons as the daemon reads them: a broken file is a warning.
  if (opts_.narration)
    voicing_.configure(speech::voicingOptions(*cfg_), [this](const Error& e) { warn(e); });

  configureChain();
  if (finished_) return;

  // One unit a file to begin with: a PDF's or a TIFF's other pages are added after its first
  // (its page event says how many). With several pages, two OCR workers on a machine of two
  // cores or more read them side by side (a page of paper is recognised on one core); each then
  // keeps to one reader thread, which only screens would use.
  bool paged = opts_.images.size() > 1;
  for (std::size_t i = 0; i < opts_.images.size(); ++i) {
    auto u = std::make_unique<Unit>();
    u->input = i;
    units_.push_back(std::move(u));
    char magic[5] = {};
    if (FILE* f = std::fopen(opts_.images[i].c_str(), "rb")) {
      const std::size_t n = std::fread(magic, 1, sizeof magic, f);
      std::fclose(f);
      const std::string_view m(magic, n);
      if (m == "%PDF-" || m.substr(0, 4) == std::string_view("II*\0", 4) ||
          m.substr(0, 4) == std::string_view("MM\0*", 4))
        paged = true;
    }
  }
  const int workers = opts_.ocr_workers > 0                               ? opts_.ocr_workers
                      : paged && std::thread::hardware_concurrency() >= 2 ? 2
                                                                          : 1;
  for (int i = 0; i < workers; ++i)
    if (auto st = startReader(workers > 1); !st) return fail(st.error());
  report_.timings["ocr_workers"] = workers;
  dispatch();
  if (finished_) return;

  if (opts_.narration) {
    WorkerClient::Options s;
    s.name = "speech";
    s.program = findHelperProgram(speech::kWorkerProgram);
    s.limits.address_space_mb = 512;
    speech_ = std::make_unique<WorkerClient>(
        loop_, s, [this](Frame&& f) { onSpeechFrame(std::move(f)); },
        [this](const Error& e) { onSpeechDeath(e); });
    if (auto st2 = speech_->start(); !st2) return fail(st2.error());
  }
  armStallWatch();
}

Status Runner::startReader(bool oneReaderEach) {
  const std::size_t index = readers_.size();
  WorkerClient::Options o;
  o.name = "ocr";
  o.program = findHelperProgram(ocr::kWorkerProgram);
  o.env = {"OMP_THREAD_LIMIT=1", "LISEUR_OCR_LANGS=" + cfg_->getString("ocr.languages")};
  if (oneReaderEach) o.env.push_back("LISEUR_OCR_THREADS=1");
  o.limits.address_space_mb = ocr::kSuggestedAddressSpaceMb;
  Reader r;
  r.worker = std::make_unique<WorkerClient>(
      loop_, o, [this, index](Frame&& f) { onOcrFrame(index, std::move(f)); },
      [this, index](const Error& e) {
        const Unit* u = readers_[index].unit;
        fail(makeError(e.code, "the OCR worker died reading " + (u ? fileOf(*u) : current()) +
                                   ": " + e.message));
      });
  if (auto s = r.worker->start(); !s) return s;
  readers_.push_back(std::move(r));
  return okStatus();
}

// Each idle worker takes the first page nobody has taken, in the document's order.
void Runner::dispatch() {
  for (Reader& r : readers_) {
    if (finished_ || r.unit) continue;
    auto it = std::find_if(units_.begin(), units_.end(), [](const auto& u) { return !u->gen; });
    if (it == units_.end()) return;
    Unit& u = **it;
    u.gen = nextGen_++;
    json req{{"op", "ocr"},
             {"gen", u.gen},
             {"path", fileOf(u)},
             {"pages", {{"first", u.page}, {"count", 1}}},
             {"lang", cfg_->getString("ocr.languages")},
             {"mode", cfg_->getString("ocr.mode")},
             {"marks", true}};  // the worksheet's rules and boxes: its answer places
    if (auto s = r.worker->send(req); !s) return fail(s.error());
    r.unit = &u;
  }
}

void Runner::configureChain() {
  plugins::PluginHostClient::Options ho;
  ho.extra_dirs = opts_.plugin_dirs;
  ho.call_timeout = opts_.plugin_timeout;
  ho.load_timeout = opts_.plugin_timeout;
  ho.max_output = plugins::kMaxOutputLimit;  // the page with its narration
  chain_ = std::make_unique<PluginChain>(loop_, ho);

  std::vector<plugins::PluginSpec> specs;
  for (const auto& id : cfg_->getStringList("plugins.chain"))
    specs.push_back({id, cfg_->pluginOptions(id)});
  std::vector<Error> problems = chain_->configure(specs);
  bool renders = false;
  for (const auto& s : chain_->status())
    renders |= std::find(s.hooks.begin(), s.hooks.end(), "render") != s.hooks.end();
  if (!renders) {
    specs.push_back({kFallbackRenderer, cfg_->pluginOptions(kFallbackRenderer)});
    problems = chain_->configure(specs);
  }
  for (auto& e : problems) warn(makeError(ErrorCode::kPluginUnavailable, e.message));
}

void Runner::armStallWatch() {
  loop_.addTimer(std::chrono::milliseconds(1000), [this] {
    if (finished_) return;
    if (EventLoop::nowMsPrecise() - lastFrameMs_ > kStallMs) {
      const char* who = !ocrDone_ ? "the OCR worker" : "the speech worker";
      return fail(makeError(ErrorCode::kWorkerTimeout, std::string(who) + " did not answer for " +
                                                           std::to_string(int(kStallMs / 1000)) +
                                                           " s on " + current()));
    }
    armStallWatch();
  });
}

void Runner::onOcrFrame(std::size_t reader, Frame&& f) {
  if (finished_) return;
  lastFrameMs_ = EventLoop::nowMsPrecise();
  const std::string ev = f.header.value("ev", "");
  if (ev == "ready" || ev == "pong" || ev == "cancelled") return;
  Unit* u = readers_[reader].unit;
  if (!u || f.header.value("gen", 0) != u->gen) return;
  if (ev == "error") {
    std::string code = f.header.value("code", "ocr-failed");
    return fail(
        makeError(errorCodeFromName(code),
                  fileError(fileOf(*u), f.header.value("message", "the image could not be read"))));
  }
  const bool isHead = head_ < units_.size() && units_[head_].get() == u;
  if (ev == "layout" || ev == "page") {
    u->width = std::max(u->width, f.header.value("width", 0));
    u->height = std::max(u->height, f.header.value("y", 0) + f.header.value("height", 0));
    if (isHead) place(*u);
  } else if (ev == "pages") {
    // A file of pages: its other pages come next, before the files after it.
    const int pages = f.header.value("pages", 1);
    if (u->page == 0 && pages > 1) {
      auto at =
          std::find_if(units_.begin(), units_.end(), [u](const auto& p) { return p.get() == u; });
      std::vector<std::unique_ptr<Unit>> more;
      for (int p = 1; p < std::min(pages, ocr::kMaxPages); ++p) {
        auto next = std::make_unique<Unit>();
        next->input = u->input;
        next->page = p;
        more.push_back(std::move(next));
      }
      units_.insert(at + 1, std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
      if (pages > ocr::kMaxPages)
        warn(makeError(ErrorCode::kImageTooLarge, fileOf(*u) + ": has " + std::to_string(pages) +
                                                      " pages; only the first " +
                                                      std::to_string(ocr::kMaxPages) +
                                                      " were read (split it into smaller files)"));
      dispatch();
    }
  } else if (ev == "block") {
    auto b = blockFromJson(f.header["block"]);
    if (!b)
      return fail(makeError(ErrorCode::kWorkerCrashed,
                            "the OCR worker sent a bad block: " + b.error().message));
    u->blocks.push_back(std::move(b).value());
    if (isHead) place(*u);
  } else if (ev == "marks") {
    auto boxes = [&](const char* key, std::vector<Box>& out) {
      if (auto it = f.header.find(key); it != f.header.end() && it->is_array())
        for (const auto& j : *it)
          if (auto b = boxFromJson(j)) out.push_back(*b);
    };
    boxes("rules", u->rules);
    boxes("boxes", u->boxes);
    if (auto it = f.header.find("tables"); it != f.header.end() && it->is_array())
      for (const auto& j : *it) {
        TableGrid t;
        auto edges = [&](const char* key, std::vector<int>& out) {
          auto e = j.is_object() ? j.find(key) : j.end();
          if (e == j.end() || !e->is_array() || e->size() > 64) return false;
          for (const auto& v : *e) {
            if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1 << 24)
              return false;
            out.push_back(v.get<int>());
          }
          return std::is_sorted(out.begin(), out.end());
        };
        if (edges("xs", t.xs) && edges("ys", t.ys)) u->tables.push_back(std::move(t));
      }
    if (isHead) place(*u);
  } else if (ev == "done") {
    u->done = true;
    readers_[reader].unit = nullptr;
    dispatch();
    if (isHead) advance();
  }
}

// What the head unit has so far goes into the document, under the pages before it.
void Runner::place(Unit& u) {
  Document& d = report_.recognised;
  d.width = std::max(d.width, u.width);
  d.height = std::max(d.height, headY_ + u.height);
  report_.adapted.width = d.width;
  report_.adapted.height = d.height;
  for (const Box& r : u.rules) rules_.push_back(Box{r.x, r.y + headY_, r.w, r.h});
  for (const Box& b : u.boxes) boxes_.push_back(Box{b.x, b.y + headY_, b.w, b.h});
  for (TableGrid t : u.tables) {
    for (int& y : t.ys) y += headY_;
    tables_.push_back(std::move(t));
  }
  u.rules.clear();
  u.boxes.clear();
  u.tables.clear();
  std::vector<Block> blocks = std::move(u.blocks);
  u.blocks.clear();
  for (Block& b : blocks) placeBlock(std::move(b));
  pumpAdapt();
}

void Runner::placeBlock(Block&& block) {
  if (headY_) {
    block.box.y += headY_;
    for (auto& l : block.lines) {
      l.box.y += headY_;
      for (auto& w : l.words) w.box.y += headY_;
    }
  }
  if (!fixedLang_.empty()) block.lang = fixedLang_;
  if (block.lang.empty()) block.lang = guessLanguage(block.text(), "fr");
  block.index = static_cast<int>(report_.recognised.blocks.size());
  if (report_.recognised.blocks.empty()) report_.timings["first_block_ms"] = std::round(since());
  report_.recognised.blocks.push_back(block);
  toAdapt_.push_back(std::move(block));
}

// The head unit is read: the next one is placed under it (and its pages read meanwhile with it).
void Runner::advance() {
  while (head_ < units_.size() && units_[head_]->done) {
    headY_ = report_.recognised.height;
    ++head_;
    if (head_ < units_.size()) place(*units_[head_]);
  }
  if (head_ < units_.size()) return;
  ocrDone_ = true;
  report_.timings["ocr_ms"] = std::round(since());
  std::map<std::string, std::size_t> langs;
  for (const auto& b : report_.recognised.blocks) langs[b.lang] += b.text().size();
  std::size_t best = 0;
  for (const auto& [l, n] : langs)
    if (!l.empty() && n > best) best = n, report_.recognised.lang = l;
  report_.adapted.lang = report_.recognised.lang;
  pumpAdapt();  // the blocks held for the first batch
  maybeFinish();
}

// Blocks go through the chain in reading order, as many as have arrived while the previous batch
// was in the host: the adapted document and the narration keep the order of the page. The first
// batch waits for a few lines (or the end of the OCR): a page usually starts with its title in a
// block of its own, and a heading is only recognisable next to ordinary lines (reading-order
// remembers the page's line heights for the batches that follow).
void Runner::pumpAdapt() {
  if (finished_ || adapting_ || toAdapt_.empty()) return;
  if (report_.adapted.blocks.empty() && !ocrDone_) {
    std::size_t lines = 0;
    for (const auto& b : toAdapt_) lines += b.lines.size();
    if (lines < kFirstBatchLines) return;
  }
  adapting_ = true;
  Document d;
  d.width = report_.recognised.width;
  d.height = report_.recognised.height;
  d.source = report_.recognised.source;
  d.lang = toAdapt_.front().lang;
  while (!toAdapt_.empty()) {
    d.blocks.push_back(std::move(toAdapt_.front()));
    d.blocks.back().index = static_cast<int>(d.blocks.size()) - 1;
    toAdapt_.pop_front();
  }
  chain_->adapt(std::move(d), [this](PluginChain::AdaptResult r) { adapted(std::move(r)); });
}

void Runner::adapted(PluginChain::AdaptResult r) {
  if (finished_) return;
  for (auto& f : r.faults) warn(makeError(ErrorCode::kPluginFailed, f.error.message));
  const int base = static_cast<int>(report_.adapted.blocks.size());
  for (auto& b : r.document.blocks) {
    if (b.lang.empty()) b.lang = guessLanguage(b.text(), "fr");
    Block copy = b;
    copy.index = static_cast<int>(report_.adapted.blocks.size());
    report_.adapted.blocks.push_back(std::move(copy));
  }
  auto next = [this] {
    adapting_ = false;
    pumpAdapt();
    maybeFinish();
  };
  if (!opts_.narration || r.document.blocks.empty()) return next();
  chain_->speak(std::move(r.document), [this, base, next](PluginChain::SpeakResult s) {
    if (finished_) return;
    for (auto& f : s.faults) warn(makeError(ErrorCode::kPluginFailed, f.error.message));
    if (!s.plugin.empty()) report_.speak_plugin = s.plugin;
    queueUtterances(std::move(s.utterances), base);
    next();
  });
}

// Utterances of one adapted batch (refs index that batch: `base` moves them into the document).
void Runner::queueUtterances(std::vector<Utterance> utterances, int base) {
  for (auto& u : utterances) {
    if (u.block >= 0) u.block += base;
    for (auto& w : u.words)
      if (w.block >= 0) w.block += base;
    if (u.lang.empty() && u.block >= 0) u.lang = report_.adapted.blocks[u.block].lang;
    // Speakable text, chunks, voice and doubtful words as the daemon makes them.
    for (speech::SpokenChunk& c : voicing_.chunks(u, report_.adapted, false)) {
      speech::VoiceChoice voice = voicing_.choose(c.lang);
      report_.utterances.push_back({c, voice});
      toSend_.push_back(Pending{std::move(c), std::move(voice), nextUtt_++, {}});
    }
  }
  pumpSpeech();
}

void Runner::pumpSpeech() {
  if (finished_ || !speech_ || !speech_->ready()) return;
  while (!toSend_.empty() && inFlight_.size() < kSpeechAhead) {
    Pending& p = toSend_.front();
    // The text as the payload: raw bytes, whatever the OCR made of them.
    if (!speech_->send(speech::speakRequest(p.chunk, p.voice, 1, p.id), p.chunk.u.text)) return;
    if (inFlight_.empty()) lastFrameMs_ = EventLoop::nowMsPrecise();
    inFlight_.push_back(std::move(p));
    toSend_.pop_front();
  }
}

void Runner::onSpeechFrame(Frame&& f) {
  if (finished_) return;
  lastFrameMs_ = EventLoop::nowMsPrecise();
  const std::string ev = f.header.value("ev", "");
  if (ev == "ready") {
    int rate = f.header.value("sample_rate", 22050);
    if (report_.sample_rate && rate != report_.sample_rate)
      return fail(
          makeError(ErrorCode::kSpeechFailed, "the speech worker changed its sample rate from " +
                                                  std::to_string(report_.sample_rate) + " to " +
                                                  std::to_string(rate) + " Hz"));
    report_.sample_rate = rate;
    tone_ = speech::doubtfulTone(rate);
    return pumpSpeech();
  }
  if (ev == "pong") return;
  if (!f.header.contains("utt")) {
    if (ev == "error")  // espeak-ng could not start at all
      return fail(makeError(errorCodeFromName(f.header.value("code", "speech-failed")),
                            "speech: " + f.header.value("message", "espeak-ng failed")));
    return;
  }
  const int utt = f.header.value("utt", -1);
  if (inFlight_.empty() || inFlight_.front().id != utt) return;  // a dropped utterance's tail
  Pending& p = inFlight_.front();
  if (!uttBase_.count(utt)) uttBase_[utt] = pcm_.size();
  const uint64_t base = uttBase_[utt];
  if (ev == "pcm") {
    // Tones for doubtful words go in just before the word, as the daemon plays them.
    p.audio.pcm(reinterpret_cast<const int16_t*>(f.payload.data()), f.payload.size() / 2, tone_,
                [this](const int16_t* in, std::size_t n) {
                  const std::size_t old = pcm_.size();
                  pcm_.resize(old + n);
                  std::memcpy(pcm_.data() + old, in, n * 2);
                });
  } else if (ev == "mark") {
    // An expansion ("km/h") or a word joined across lines gives several marks for one ref.
    const speech::ChunkAudio::Mark m = p.audio.mark(
        p.chunk, f.header.value("offset", -1), f.header.value("sample", uint64_t{0}), tone_.size());
    if (m.ref < 0 || m.repeat) return;
    const WordRef& w = p.chunk.u.words[static_cast<std::size_t>(m.ref)];
    if (w.block < 0 || w.line < 0 || w.word < 0) return;  // synthetic text: not on the page
    NarrationWord nw;
    nw.start_ms = (base + m.at) * 1000.0 / std::max(report_.sample_rate, 1);
    nw.block = w.block;
    nw.line = w.line;
    nw.word = w.word;
    words_.push_back(nw);
  } else if (ev == "end" || ev == "error") {
    uint64_t end = pcm_.size();
    if (ev == "end") {
      end = base + f.header.value("samples", uint64_t{0}) + p.audio.added();
      if (pcm_.size() < end) pcm_.resize(end, 0);  // never expected: keep timings true to audio
    } else {
      warn(makeError(errorCodeFromName(f.header.value("code", "speech-failed")),
                     "speech (voice " + p.voice.voice +
                         "): " + f.header.value("message", "failed") +
                         "; that sentence is left out of the narration"));
    }
    closeUtterance(utt, end);
    inFlight_.pop_front();
    pumpSpeech();
    maybeFinish();
  }
}

// The words of an utterance end where the next one starts, the last where the audio ends.
void Runner::closeUtterance(int, uint64_t endSample) {
  const double endMs = endSample * 1000.0 / std::max(report_.sample_rate, 1);
  for (std::size_t i = openFrom_; i < words_.size(); ++i)
    words_[i].end_ms = i + 1 < words_.size() ? words_[i + 1].start_ms : endMs;
  openFrom_ = static_cast<int>(words_.size());
}

void Runner::onSpeechDeath(const Error& e) {
  if (finished_ || inFlight_.empty()) return;
  // espeak-ng synthesises in order: the first utterance in flight killed it. Skip that one and
  // send the others again to the new worker (it says ready, then pumpSpeech runs).
  Pending culprit = std::move(inFlight_.front());
  inFlight_.pop_front();
  warn(makeError(e.code, "speech (voice " + culprit.voice.voice + "): " + e.message +
                             "; that sentence is left out of the narration"));
  closeUtterance(culprit.id, pcm_.size());
  while (!inFlight_.empty()) {
    inFlight_.back().audio = {};  // synthesised again from its start
    toSend_.push_front(std::move(inFlight_.back()));
    inFlight_.pop_back();
  }
  maybeFinish();
}

void Runner::maybeFinish() {
  if (finished_ || !ocrDone_ || adapting_ || !toAdapt_.empty()) return;
  if (opts_.narration && (!toSend_.empty() || !inFlight_.empty())) return;
  if (opts_.narration) report_.timings["speech_done_ms"] = std::round(since());
  render();
}

void Runner::render() {
  if (finished_) return;
  // Where the pupil answers: found on the page's own lines, then carried to the adapted blocks
  // (which are sentences, maybe reordered) through the words' boxes.
  report_.recognised.answers = findAnswerPlaces(report_.recognised, rules_, boxes_, tables_);
  report_.adapted.answers =
      placesOn(report_.adapted, report_.recognised, report_.recognised.answers);
  // Words in order with their audio: the player highlights strictly in that order.
  report_.words = std::move(words_);
  report_.samples = pcm_.size();
  if (opts_.narration && !pcm_.empty()) {
    report_.wav = makeWav(pcm_, report_.sample_rate);
    const std::size_t b64 = (report_.wav.size() + 2) / 3 * 4;
    if (b64 > kMaxNarrationBase64) {
      const double secs = double(pcm_.size()) / report_.sample_rate;
      const double maxSecs = kMaxNarrationBase64 / 4.0 * 3 / 2 / report_.sample_rate;
      return fail(makeError(ErrorCode::kFileTooLarge,
                            "the narration of " + report_.recognised.source + " lasts " +
                                std::to_string(int(secs)) + " s, more than the " +
                                std::to_string(int(maxSecs)) +
                                " s one page can embed; use --no-narration or a smaller image"));
    }
  }
  renderPage(!report_.wav.empty());
}

// The page is rendered with a stand-in narration, a valid empty WAV, and the plugin's copy of it
// is then swapped for the real one: the megabytes of base64 need not go to the plugin host and
// back inside JSON (on a loaded 2-core machine that round trip alone took a second). A plugin
// whose page does not hold the stand-in exactly once, as a data: URI, renders again with the real
// narration, so the result is the same either way.
void Runner::renderPage(bool standIn) {
  PluginChain::RenderRequest rr;
  for (const auto& [key, setting] : cfg_->settings())
    if (key.rfind("view.", 0) == 0) rr.options[key.substr(5)] = config::valueToJson(setting.value);
  const double renderStart = since();
  std::string token;
  if (!report_.wav.empty()) {
    rr.narration = narrationJson(report_, !standIn);
    if (standIn) {
      token = base64Encode(makeWav({}, report_.sample_rate));
      rr.narration["wav_base64"] = token;
    }
  }
  rr.timeout = opts_.render_timeout;
  report_.timings["narration_ms"] = std::round(since() - renderStart);
  chain_->render(
      report_.adapted, std::move(rr), [this, renderStart, token](PluginChain::RenderResult r) {
        if (finished_) return;
        for (auto& f : r.faults) warn(makeError(ErrorCode::kPluginFailed, f.error.message));
        if (!r.html) {
          std::string why;
          for (const auto& f : r.faults) why += (why.empty() ? "" : "; ") + f.error.message;
          return fail(
              makeError(r.faults.empty() ? ErrorCode::kPluginUnavailable : ErrorCode::kPluginFailed,
                        "no plugin could render the view of " + report_.recognised.source +
                            (why.empty() ? " (none of plugins.chain has a render hook, and " +
                                               std::string(kFallbackRenderer) + " is not installed)"
                                         : ": " + why)));
        }
        if (!token.empty()) {
          const std::string uri = "base64," + token;
          std::size_t at = r.html->find(uri);
          auto isB64 = [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
          };
          const std::size_t end = at + uri.size();
          if (at == std::string::npos || (end < r.html->size() && isB64((*r.html)[end])) ||
              r.html->find(uri, end) != std::string::npos)
            return renderPage(false);
          r.html->replace(at + 7, token.size(), base64Encode(report_.wav));
        }
        report_.render_plugin = r.plugin;
        report_.html = std::move(*r.html);
        report_.timings["render_ms"] = std::round(since() - renderStart);
        if (!opts_.output.empty()) {
          const double writeStart = since();
          config::AtomicWriteOptions wo;
          wo.mode = 0644;
          if (auto st = config::atomicWriteFile(opts_.output, report_.html, wo); !st)
            return fail(st.error());
          report_.timings["write_ms"] = std::round(since() - writeStart);
        }
        report_.timings["total_ms"] = std::round(since());
        report_.timings["blocks"] = report_.adapted.blocks.size();
        report_.timings["utterances"] = report_.utterances.size();
        report_.timings["audio_ms"] =
            report_.sample_rate ? std::round(report_.samples * 1000.0 / report_.sample_rate) : 0.0;
        finished_ = true;
        loop_.stop();
      });
}

}  // namespace

Result<AdaptReport> runAdapt(const AdaptOptions& options) {
  if (!options.config) return makeError(ErrorCode::kInternal, "runAdapt: no configuration given");
  if (options.images.empty())
    return makeError(ErrorCode::kInvalidArgument, "no image or PDF file given");
  EventLoop loop;
  Result<AdaptReport> out = makeError(ErrorCode::kInternal, "runAdapt did not finish");
  {
    Runner runner(loop, options);
    runner.start();
    loop.run();
    out = runner.take();
  }
  return out;
}

// The word timings as render plugins and the --json report take them.
static json wordTimingsJson(const AdaptReport& report) {
  json words = json::array();
  for (const auto& w : report.words)
    words.push_back({{"start_ms", std::round(w.start_ms * 10) / 10},
                     {"end_ms", std::round(w.end_ms * 10) / 10},
                     {"block", w.block},
                     {"line", w.line},
                     {"word", w.word}});
  return words;
}

json narrationJson(const AdaptReport& report, bool withWav) {
  return json{{"wav_base64", withWav ? base64Encode(report.wav) : std::string()},
              {"words", wordTimingsJson(report)}};
}

std::string makeWav(const std::vector<int16_t>& pcm, int sampleRate) {
  std::string out;
  const uint32_t dataBytes = static_cast<uint32_t>(pcm.size() * 2);
  out.reserve(44 + dataBytes);
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto u16 = [&](uint16_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>(v >> 8);
  };
  out += "RIFF";
  u32(36 + dataBytes);
  out += "WAVEfmt ";
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<uint32_t>(sampleRate));
  u32(static_cast<uint32_t>(sampleRate) * 2);
  u16(2);
  u16(16);
  out += "data";
  u32(dataBytes);
  for (int16_t s : pcm) u16(static_cast<uint16_t>(s));
  return out;
}

std::string base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (std::size_t rest = bytes.size() - i; rest) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (rest == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

json reportJson(const AdaptReport& report, const std::string& output) {
  json warnings = json::array();
  for (const auto& w : report.warnings)
    warnings.push_back({{"code", w.name()}, {"message", w.message}});
  json words = wordTimingsJson(report);
  json utterances = json::array();
  for (const auto& [c, v] : report.utterances) {
    json u{{"text", c.u.text},
           {"lang", c.lang},
           {"voice", v.voice},
           {"rate", v.rate},
           {"pitch", v.pitch + c.pitchShift},
           {"volume", v.volume},
           {"word_gap", v.word_gap}};
    if (!v.preset.empty()) u["preset"] = v.preset;
    if (c.pitchShift) u["doubtful"] = true;
    if (!c.doubtful.empty()) u["tones"] = c.doubtful.size();
    utterances.push_back(std::move(u));
  }
  return json{{"output", output},
              {"document", toJson(report.adapted)},
              {"recognised", toJson(report.recognised)},
              {"speak_plugin", report.speak_plugin},
              {"render_plugin", report.render_plugin},
              {"narration",
               {{"sample_rate", report.sample_rate},
                {"samples", report.samples},
                {"wav_bytes", report.wav.size()},
                {"words", std::move(words)},
                {"utterances", std::move(utterances)}}},
              {"warnings", std::move(warnings)},
              {"timings", report.timings}};
}

}  // namespace liseur::adapt
