#include "control/session.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/log.h"
#include "core/paths.h"
#include "document/lang_guess.h"
#include "ocr/ocr_protocol.h"
#include "speech/dispatcher_output.h"
#include "speech/speech_protocol.h"
#include "speech/text/speakable.h"
#include "speech/text/speech_chunks.h"

namespace liseur {

using nlohmann::json;

std::string_view jobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kRead:
      return "read";
    case JobKind::kOcr:
      return "ocr";
    case JobKind::kSay:
      return "say";
  }
  return "read";
}

namespace {

// Through speech-dispatcher, the chunks waiting go as one message of at most this size: a text
// message cancels the one before it (SSIP), so the next goes only when one has ended.
constexpr std::size_t kOutputMessageBytes = 8192;
// Whether Orca runs is looked up in /proc at most this often.
constexpr double kScreenReaderCheckMs = 2000;
// A whole block as one utterance, lines joined by '\n': makeSpeakable then sees line-end
// hyphenation and abbreviations ("M. Dupont"), and splitUtterance cuts it into sentences.
Utterance blockUtterance(const Block& block) {
  Utterance u;
  u.lang = block.lang;
  u.block = block.index;
  for (std::size_t li = 0; li < block.lines.size(); ++li) {
    bool lineStart = true;
    for (std::size_t wi = 0; wi < block.lines[li].words.size(); ++wi) {
      const Word& w = block.lines[li].words[wi];
      if (w.text.empty()) continue;
      if (!u.text.empty()) u.text += lineStart ? '\n' : ' ';
      lineStart = false;
      u.words.push_back(WordRef{static_cast<int>(u.text.size()), static_cast<int>(w.text.size()),
                                block.index, static_cast<int>(li), static_cast<int>(wi)});
      u.text += w.text;
    }
  }
  return u;
}

}  // namespace

// One chunk of speech: the text made speakable, as sent to the speech worker, and what is known
// of its audio while it is synthesised.
// One chunk of speech as sent to the speech worker, and what is known of its audio while it is
// synthesised.
struct Session::Spoken : speech::SpokenChunk {
  Spoken() = default;
  explicit Spoken(speech::SpokenChunk&& c) : speech::SpokenChunk(std::move(c)) {}
  VoiceChoice voice;         // filled when sent
  speech::ChunkAudio audio;  // the worker's samples, the tones mixed in
};

struct Session::Job {
  uint64_t id = 0;
  JobRequest req;
  JobDone done;
  Document doc;
  bool finished = false;
  // OCR
  bool needsOcr = false, ocrSent = false, ocrDone = false;
  int blocksExpected = -1;
  // A captured image: its key in the OCR cache, and the worker's blocks as they came.
  std::optional<uint64_t> cacheKey;
  std::vector<Block> ocrBlocks;
  std::vector<bool> ocrFocus;  // which of ocrBlocks are parts of the paragraph under the pointer
  // Speech: utterances wait in toSend, then are in flight (sent, not ended) by utterance id.
  std::deque<Spoken> toSend;
  std::map<int, Spoken> inFlight;
  int nextUtt = 0;
  int currentUtt = -1;
  std::map<int, uint64_t> uttStart;  // utterance id -> first sample in the job's audio
  bool speechSent = false;
  std::vector<Error> uttErrors;
  std::vector<Block> skipped;  // blocks away from the focus point, kept in case none contains it
  bool focusFound = false;     // a block at the focus point (or a part of its paragraph) was read
  std::vector<Box> pages;      // a source of pages: each page's place (review by page)
  // Blocks being adapted (plugin chain), in reading order; committed from the front when done.
  struct Adapting {
    uint64_t token = 0;
    std::optional<AdaptedBlocks> result;
  };
  std::deque<Adapting> adapting;
  std::size_t adaptBase = 0;  // sequence number of adapting.front()
  std::shared_ptr<BlockAdapter> adapter;
  // Audio
  std::vector<int16_t> pcm;  // received, not yet accepted by the sink
  std::size_t pcmPos = 0;
  uint64_t samplesReceived = 0, samplesWritten = 0;
  uint64_t resumeAt = 0;  // after a device loss: samples of this job already played
  std::unique_ptr<AudioSink> wav;
  bool usedMainSink = false;
  int64_t sinkBase = 0;
  bool sinkBaseSet = false;
  std::deque<TimedEvent> timed;
  // Speech through an external service (usesSpeechOutput): the message being spoken (0: none),
  // its utterances (inFlight keys) in order, its marks (number -> utterance, word ref), and the
  // last word heard, where a pause or a fallback to liseur's own voice takes up again.
  bool outputChosen = false, viaOutput = false;
  uint64_t outputMsg = 0;
  std::vector<int> outputUtts;
  std::map<int, std::pair<int, int>> outputMarks;
  int nextMark = 0;
  int heardUtt = -1, heardRef = -1;
  // Timings, in ms since the request arrived
  double firstAudioMs = -1, firstBlockMs = -1, ocrMs = -1;

  double since() const { return EventLoop::nowMsPrecise() - req.received_ms; }
  bool speaks() const { return req.kind != JobKind::kOcr; }
};

Session::Session(EventLoop& loop, SessionOptions options, EventSink events)
    : loop_(loop), opts_(std::move(options)), events_(std::move(events)) {
  WorkerClient::Options o;
  o.name = "ocr";
  o.program = findHelperProgram(ocr::kWorkerProgram);
  o.env = {"OMP_THREAD_LIMIT=1", "LISEUR_OCR_LANGS=" + opts_.ocr_languages};
  o.limits.address_space_mb = opts_.ocr_memory_mb;
  o.limits.nice = 5;  // OCR must never starve speech or the desktop
  ocr_ = std::make_unique<WorkerClient>(
      loop_, o, [this](Frame&& f) { onOcrFrame(std::move(f)); },
      [this](const Error& e) { onOcrDeath(e); });
  WorkerClient::Options s;
  s.name = "speech";
  s.program = findHelperProgram(speech::kWorkerProgram);
  s.limits.address_space_mb = opts_.speech_memory_mb;
  speech_ = std::make_unique<WorkerClient>(
      loop_, s, [this](Frame&& f) { onSpeechFrame(std::move(f)); },
      [this](const Error& e) { onSpeechDeath(e); });
  AudioOutputCallbacks ac;
  ac.on_space = [this] { pumpAudio(); };
  ac.on_lost = [this](const Error& e) { audioLost(e); };
  ac.on_restored = [this] {
    if (events_) events_("audio-restored", {{"sink", audio_->sink()->describe()}});
    pumpAudio();
  };
  audio_ = std::make_unique<AudioOutput>(loop_, sampleRate_, std::move(ac));
}

Session::~Session() {
  *alive_ = false;
  shutdown();
}

void Session::setBlockAdapter(BlockAdapter adapter, AdaptCancel cancel) {
  adapter_ = adapter ? std::make_shared<BlockAdapter>(std::move(adapter)) : nullptr;
  adaptCancel_ = std::move(cancel);
}

void Session::start() {
  audio_->open(audioOptions());
  loadSpeechData();
  (void)ocr_->start();
  (void)speech_->start();
}

AudioOutputOptions Session::audioOptions() const {
  AudioOutputOptions a;
  a.sink = opts_.audio_sink;
  a.device = opts_.audio_device;
  a.latency_ms = opts_.audio_latency_ms;
  return a;
}

// A reload changed the sink, the device or the latency: the audio is opened again with them,
// between two things said (never under a sentence being played).
void Session::maybeReopenAudio() {
  if (!audioReopenPending_ || speakingJob() || shuttingDown_) return;
  audioReopenPending_ = false;
  audio_->reopen(audioOptions());
}

// The sound device was lost (audio/audio_output.h opens it again): what the job had queued in it
// is gone; what it has not written yet goes to the new device. The job's audio counts as what
// was really played.
void Session::audioLost(const Error& e) {
  Job* job = speakingJob();
  AudioSink* lost = audio_->sink();
  if (job && job->sinkBaseSet && job->usedMainSink && lost) {
    int64_t played = static_cast<int64_t>(lost->playedSamples()) - job->sinkBase;
    job->samplesWritten = static_cast<uint64_t>(std::max<int64_t>(played, 0));
    job->sinkBaseSet = false;
    job->resumeAt = job->samplesWritten;
  }
  if (job) emit(*job, "error", {{"code", e.name()}, {"message", e.message}});
  if (events_) events_("audio-lost", {{"message", e.message}});
}

void Session::shutdown() {
  shuttingDown_ = true;
  for (auto& [id, job] : jobs_)
    if (!job->finished) finish(*job, std::nullopt, true);
  jobs_.clear();
  if (ocr_) ocr_->shutdown();
  if (speech_) speech_->shutdown();
  output_.reset();  // cancels what it was saying
  if (audio_) audio_->close();
}

Session::Job* Session::find(uint64_t id) {
  auto it = jobs_.find(id);
  return it == jobs_.end() || it->second->finished ? nullptr : it->second.get();
}

const Session::Job* Session::find(uint64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() || it->second->finished ? nullptr : it->second.get();
}

Session::Job* Session::speakingJob() {
  return speakingId_ ? find(speakingId_) : nullptr;
}

// Gives speech to the next job waiting: the text that interrupted, else the oldest message.
void Session::promoteNext() {
  if (shuttingDown_ || speakingJob()) return;
  maybeReopenAudio();  // between two things said
  uint64_t next = 0;
  if (find(waitingText_)) next = waitingText_;
  waitingText_ = 0;
  while (!next && !messages_.empty()) {
    if (find(messages_.front())) next = messages_.front();
    messages_.pop_front();
  }
  if (messages_.empty()) queueFullReported_ = false;
  if (!next) return;
  speakingId_ = next;
  paused_ = false;
  if (AudioSink* sink = audio_->sink()) sink->resume();
  Job& j = *find(next);
  // A message or a text whose OCR already gave blocks has utterances waiting.
  if (!j.toSend.empty() || !j.pcm.empty()) {
    pumpSpeech();
    pumpAudio();
    armTick();
  }
}

AudioSink* Session::sinkFor(Job& job) {
  return job.wav ? job.wav.get() : audio_->sink();
}

Session::VoiceChoice Session::voiceFor(const std::string& lang) const {
  return voicing_.choose(lang);
}

int Session::speechSetting(const std::string& key) const {
  VoiceChoice v = voiceFor(opts_.speech.default_lang);
  if (key == "rate") return v.rate;
  if (key == "pitch") return v.pitch;
  if (key == "volume") return v.volume;
  if (key == "word_gap") return v.word_gap;
  return -1;
}

// Voice presets and lexicons, read at start and at each configuration change. A broken file is
// reported (file and line) and left out; speech goes on without it.
void Session::loadSpeechData() {
  voicing_.configure(opts_.speech, [this](const Error& e) {
    spdlog::warn("speech: {}", e.message);
    if (events_) events_("error", {{"code", e.name()}, {"message", e.message}});
  });
  tone_ = speech::doubtfulTone(sampleRate_);
}

void Session::emit(Job& job, const std::string& name, json body) {
  body["job"] = job.id;
  body["t_ms"] = std::round(job.since() * 10) / 10;
  if (events_) events_(name, std::move(body));
}

Result<uint64_t> Session::submit(JobRequest request, JobDone done) {
  if (request.kind != JobKind::kSay && request.path.empty() && request.image_bytes.empty())
    return makeError(ErrorCode::kInvalidArgument, "no image file given");
  if (request.kind == JobKind::kSay && request.text.empty())
    return makeError(ErrorCode::kInvalidArgument, "no text given");
  if (!request.lang.empty() && request.lang != "fr" && request.lang != "en")
    return makeError(ErrorCode::kInvalidArgument,
                     "unknown language '" + request.lang + "' (expected fr or en)");
  if (request.received_ms == 0) request.received_ms = EventLoop::nowMsPrecise();
  if (request.kind == JobKind::kOcr) {
    if (ocrWaiting(/*requests_only=*/true) >= kMaxWaitingOcr)
      return makeError(ErrorCode::kBusy, std::to_string(kMaxWaitingOcr) +
                                             " recognitions are already waiting; ask again when "
                                             "one has ended");
  }

  auto job = std::make_unique<Job>();
  job->id = nextJob_++;
  job->req = std::move(request);
  job->done = std::move(done);
  job->adapter = adapter_;
  job->doc.source = job->req.kind == JobKind::kSay ? "text"
                    : !job->req.source.empty()     ? job->req.source
                                                   : job->req.path;
  if (!job->req.to_wav.empty()) {
    job->wav = job->req.to_wav_fd ? makeWavSinkOnFd(job->req.to_wav, job->req.to_wav_fd)
                                  : makeWavSink(job->req.to_wav);
    if (auto st = job->wav->open(sampleRate_, {}); !st) return st.error();
  }
  Job& j = *job;
  jobs_[j.id] = std::move(job);
  if (j.speaks() && j.req.priority == SpeechPriority::kText) {
    // One voice at a time: a new read, say or review supersedes the text being spoken and any
    // text waiting, but a message being spoken ends first.
    if (Job* w = find(waitingText_)) finish(*w, std::nullopt, true);
    waitingText_ = j.id;
    Job* cur = speakingJob();
    if (cur && cur->req.priority != SpeechPriority::kMessage) finish(*cur, std::nullopt, true);
    if (!speakingJob()) promoteNext();
  } else if (j.speaks() && j.req.priority == SpeechPriority::kNotification) {
    // Into silence only: spoken now, or never.
    if (speakingJob() || find(waitingText_) || !messages_.empty()) {
      emit(j, "job-started", {{"kind", jobKindName(j.req.kind)}, {"source", j.doc.source}});
      const uint64_t id = j.id;
      finish(j, std::nullopt, true);
      return id;
    }
    messages_.push_back(j.id);
    promoteNext();
  } else if (j.speaks()) {
    // A message cuts a notification being spoken (text waits for messages, not for those).
    if (Job* cur = speakingJob(); cur && cur->req.priority == SpeechPriority::kNotification)
      finish(*cur, std::nullopt, true);
    messages_.push_back(j.id);
    if (messages_.size() > kMaxQueuedMessages) {
      // A flood: the oldest waiting message goes, and the client hears of it once.
      Job* old = find(messages_.front());
      messages_.pop_front();
      if (old) finish(*old, std::nullopt, true);
      if (!queueFullReported_) {
        queueFullReported_ = true;
        Error e = makeError(ErrorCode::kQueueFull,
                            "more than " + std::to_string(kMaxQueuedMessages) +
                                " messages waiting to be spoken; the oldest were dropped");
        spdlog::warn("speech: {}", e.message);
        emit(j, "error", {{"code", e.name()}, {"message", e.message}});
      }
    }
    if (!speakingJob() && !find(waitingText_)) promoteNext();
  }
  emit(j, "job-started", {{"kind", jobKindName(j.req.kind)}, {"source", j.doc.source}});

  if (j.req.kind == JobKind::kSay) {
    Block b;
    b.lang = j.req.lang.empty() ? guessLanguage(j.req.text, opts_.speech.default_lang) : j.req.lang;
    Line line;
    std::size_t i = 0, n = j.req.text.size();
    while (i < n) {
      while (i < n && std::isspace(static_cast<unsigned char>(j.req.text[i]))) ++i;
      std::size_t s = i;
      while (i < n && !std::isspace(static_cast<unsigned char>(j.req.text[i]))) ++i;
      if (i > s) line.words.push_back(Word{j.req.text.substr(s, i - s), {}, 100, b.lang});
    }
    b.lines.push_back(std::move(line));
    j.doc.lang = b.lang;
    addBlock(j, std::move(b));
    pumpSpeech();
    maybeFinish(j);
  } else {
    j.needsOcr = true;
    j.cacheKey = OcrCache::keyFor(j.req, opts_.ocr_languages + "|" + opts_.ocr_mode);
    if (j.cacheKey) {
      if (const OcrResult* hit = ocrCache_.find(*j.cacheKey)) {
        // The same pixels were recognised a moment ago: no OCR, straight to speech.
        const uint64_t id = j.id;
        j.cacheKey.reset();
        j.req.image_bytes.clear();
        j.req.image_bytes.shrink_to_fit();
        replayOcr(id, *hit);
        armTick();
        return id;
      }
    }
    if (ocrProblem_ && !ocr_->ready()) {
      finish(j, *ocrProblem_, false);
      return j.id;
    }
    ocrQueue_.push_back(j.id);
    pumpOcr();
    armOcrWatchdog();
  }
  armTick();
  return j.id;
}

void Session::sendOcr(Job& job) {
  if (job.ocrSent || !ocr_->running()) return;
  json req{{"op", "ocr"}, {"gen", job.id}, {"lang", opts_.ocr_languages}, {"mode", opts_.ocr_mode}};
  std::string_view payload;
  if (!job.req.image_bytes.empty()) {
    if (!job.req.encoded.empty()) {
      req["encoded"] = job.req.encoded;
      if (job.req.screenshot) req["mode"] = "screen";
      if (job.req.crop.w > 0)
        req["crop"] = {{"x", job.req.crop.x},
                       {"y", job.req.crop.y},
                       {"w", job.req.crop.w},
                       {"h", job.req.crop.h}};
    } else {
      // Pixels captured from the screen: the engine need not judge whether they are a page.
      req["mode"] = "screen";
      req["pixels"] = {{"width", job.req.width},
                       {"height", job.req.height},
                       {"stride", job.req.stride},
                       {"format", "bgra"}};
      if (job.req.focus_x >= 0) req["focus"] = {{"x", job.req.focus_x}, {"y", job.req.focus_y}};
    }
    payload = job.req.image_bytes;
  } else {
    req["path"] = job.req.path;
  }
  if (ocr_->send(req, payload)) {
    job.ocrSent = true;
    lastOcrFrameMs_ = EventLoop::nowMsPrecise();
  }
}

std::size_t Session::ocrWaiting(bool requests_only) const {
  std::size_t n = 0;
  for (uint64_t id : ocrQueue_)
    if (const Job* j = find(id); j && !j->ocrSent && !(requests_only && j->speaks())) ++n;
  return n;
}

void Session::pumpOcr() {
  for (uint64_t id : ocrQueue_) {
    const Job* j = find(id);
    if (!j || j->ocrSent) return;  // the worker is on one (or ending one that was stopped)
  }
  if (ocrRestartPending_ && !shuttingDown_) {
    // Nothing in flight: the worker starts again with the reload's languages (models load in
    // about a second; what waits is sent to the new worker, which reads its socket once ready).
    ocrRestartPending_ = false;
    WorkerClient::Options o = ocr_->options();
    for (auto& e : o.env)
      if (e.rfind("LISEUR_OCR_LANGS=", 0) == 0) e = "LISEUR_OCR_LANGS=" + opts_.ocr_languages;
    ocr_->restartWith(std::move(o));
  }
  if (!ocr_->running()) return;
  auto next = std::find_if(ocrQueue_.begin(), ocrQueue_.end(), [&](uint64_t id) {
    const Job* j = find(id);
    return j && j->speaks();
  });
  if (next == ocrQueue_.end()) next = ocrQueue_.begin();
  if (next == ocrQueue_.end()) return;
  const uint64_t id = *next;
  ocrQueue_.erase(next);
  ocrQueue_.push_front(id);  // the watchdog watches the front
  sendOcr(*find(id));
}

void Session::onOcrFrame(Frame&& f) {
  lastOcrFrameMs_ = EventLoop::nowMsPrecise();
  const std::string ev = f.header.value("ev", "");
  if (ev == "ready") {
    ocrProblem_.reset();
    pumpOcr();
    return;
  }
  if (ev == "pong") return;
  uint64_t gen = f.header.value("gen", uint64_t{0});
  if (ev == "error" && gen == 0) {
    // The worker could not start (no ready): every job waiting for OCR fails with its reason
    // rather than waiting for restarts that would fail the same way.
    Error e = makeError(errorCodeFromName(f.header.value("code", "ocr-failed")),
                        f.header.value("message", "the OCR worker could not start"));
    spdlog::error("ocr worker: {}", e.message);
    ocrProblem_ = e;
    auto queued = ocrQueue_;
    ocrQueue_.clear();
    for (uint64_t id : queued)
      if (Job* j = find(id)) finish(*j, e, false);
    return;
  }
  bool ends = ev == "done" || ev == "cancelled" || ev == "error";
  if (ends) {
    auto it = std::find(ocrQueue_.begin(), ocrQueue_.end(), gen);
    if (it != ocrQueue_.end()) ocrQueue_.erase(it);
    ocrCancels_.erase(gen);
    pumpOcr();
  }
  Job* job = find(gen);
  if (!job) return;  // stale work of a stopped job
  if (ev == "layout") {
    job->doc.width = f.header.value("width", 0);
    job->doc.height = f.header.value("height", 0);
    job->blocksExpected = f.header.value("blocks", -1);
    // Under the pointer the worker recognises one paragraph of those it found, sent in parts
    // (a sentence or more each): how many is not known ahead.
    if (job->req.focus_x >= 0) job->blocksExpected = -1;
  } else if (ev == "page") {  // a PDF's or a TIFF's pages, one under the other
    const int y = f.header.value("y", 0), w = f.header.value("width", 0),
              h = f.header.value("height", 0);
    job->pages.push_back(Box{0, y, w, h});
    job->doc.width = std::max(job->doc.width, w);
    job->doc.height = std::max(job->doc.height, y + h);
  } else if (ev == "block") {
    auto b = blockFromJson(f.header["block"]);
    if (!b) {
      ocr_->kill(makeError(ErrorCode::kWorkerCrashed,
                           "the OCR worker sent a bad block: " + b.error().message));
      return;
    }
    const bool focus = f.header.value("focus", false);
    if (job->cacheKey) {
      job->ocrBlocks.push_back(*b);
      job->ocrFocus.push_back(focus);
    }
    ocrBlock(*job, std::move(b).value(), focus);
  } else if (ev == "done") {
    json finished{{"ms", f.header.value("ms", json::object())}};
    if (const int pages = f.header.value("pages", 1); pages > 1) {
      // A multi-page file says how many pages it has, and how many were read.
      const int read = f.header.value("pages_read", 1);
      finished["pages"] = pages;
      finished["pages_read"] = read;
      if (read < pages)
        spdlog::warn("job {}: read {} of the {} pages of the file (the limit of one read)", job->id,
                     read, pages);
    }
    if (job->cacheKey)
      ocrCache_.put(*job->cacheKey, OcrResult{job->doc.width, job->doc.height,
                                              std::move(job->ocrBlocks), std::move(job->ocrFocus)});
    ocrDone(*job, std::move(finished));
  } else if (ev == "error") {
    std::string code = f.header.value("code", "ocr-failed");
    finish(*job, makeError(errorCodeFromName(code), f.header.value("message", "OCR failed")),
           false);
  } else if (ev == "cancelled") {
    finish(*job, std::nullopt, true);
  }
}

void Session::ocrBlock(Job& job, Block&& block, bool underPointer) {
  const Box& bb = block.box;
  const int fx = job.req.focus_x, fy = job.req.focus_y, m = 8;
  if (fx >= 0 && !underPointer &&
      !(fx >= bb.x - m && fx < bb.x + bb.w + m && fy >= bb.y - m && fy < bb.y + bb.h + m)) {
    job.skipped.push_back(std::move(block));
    return;
  }
  job.focusFound = true;
  addBlock(job, std::move(block));
  pumpSpeech();
}

void Session::ocrDone(Job& job, json finished) {
  // (Not doc.blocks: a block may still be in the plugin chain, committed later.)
  if (!job.focusFound && !job.skipped.empty()) {
    // Nothing under the pointer itself: read the block nearest to it.
    auto dist = [&](const Block& blk) {
      const Box& x = blk.box;
      long dx = std::max({0L, long(x.x) - job.req.focus_x, long(job.req.focus_x) - (x.x + x.w)});
      long dy = std::max({0L, long(x.y) - job.req.focus_y, long(job.req.focus_y) - (x.y + x.h)});
      return dx * dx + dy * dy;
    };
    auto best = std::min_element(job.skipped.begin(), job.skipped.end(),
                                 [&](const Block& a, const Block& c) { return dist(a) < dist(c); });
    addBlock(job, std::move(*best));
    pumpSpeech();
  }
  job.skipped.clear();
  job.ocrDone = true;
  job.ocrMs = job.since();
  std::map<std::string, std::size_t> langs;
  for (const auto& b : job.doc.blocks) langs[b.lang] += b.text().size();
  std::size_t best = 0;
  for (const auto& [l, n] : langs)
    if (!l.empty() && n > best) best = n, job.doc.lang = l;
  finished["blocks"] = job.doc.blocks.size();
  emit(job, "ocr-finished", std::move(finished));
  maybeFinish(job);
}

void Session::replayOcr(uint64_t id, const OcrResult& result) {
  // The same steps as the worker's frames: layout, each block, done. A step may end the job
  // (an ocr job with nothing to say), so it is looked up again each time.
  Job* job = find(id);
  if (!job) return;
  job->doc.width = result.width;
  job->doc.height = result.height;
  job->blocksExpected = static_cast<int>(result.blocks.size());
  for (std::size_t i = 0; i < result.blocks.size(); ++i) {
    job = find(id);
    if (!job || job->finished) return;
    ocrBlock(*job, Block(result.blocks[i]), i < result.focus.size() && result.focus[i]);
  }
  job = find(id);
  if (!job || job->finished) return;
  ocrDone(*job, json{{"ms", json::object()}, {"cached", true}});
}

void Session::addBlock(Job& job, Block&& block) {
  if (!job.req.lang.empty()) block.lang = job.req.lang;
  if (block.lang.empty()) block.lang = guessLanguage(block.text(), opts_.speech.default_lang);
  if (job.firstBlockMs < 0) job.firstBlockMs = job.since();
  if (!job.adapter || job.req.kind == JobKind::kSay) {
    commitBlock(job, std::move(block), nullptr);
    return;
  }
  // Through the plugin chain. The result may come back out of order (or at once): each block
  // has its place in `adapting`, and drainAdapted commits from the front.
  job.adapting.push_back({});
  const uint64_t id = job.id;
  const std::size_t seq = job.adapting.size() - 1 + job.adaptBase;
  std::weak_ptr<bool> alive = alive_;
  uint64_t token = (*job.adapter)(
      std::move(block), job.doc.width, job.doc.height, id, [this, alive, id, seq](AdaptedBlocks r) {
        if (alive.expired()) return;
        Job* j = find(id);
        if (!j || seq < j->adaptBase || seq - j->adaptBase >= j->adapting.size()) return;
        j->adapting[seq - j->adaptBase].result = std::move(r);
        drainAdapted(*j);
      });
  // The callback may have run already and drained the slot.
  if (seq >= job.adaptBase && seq - job.adaptBase < job.adapting.size())
    job.adapting[seq - job.adaptBase].token = token;
}

void Session::drainAdapted(Job& job) {
  const uint64_t id = job.id;
  while (!job.adapting.empty() && job.adapting.front().result) {
    AdaptedBlocks r = std::move(*job.adapting.front().result);
    job.adapting.pop_front();
    ++job.adaptBase;
    for (const auto& e : r.faults) emit(job, "error", {{"code", e.name()}, {"message", e.message}});
    // The plugins' utterances index the returned blocks; give them the document's indices.
    const int base = static_cast<int>(job.doc.blocks.size());
    for (std::size_t i = 0; i < r.blocks.size(); ++i) {
      std::vector<Utterance> mine;
      if (r.utterances) {
        for (auto& u : *r.utterances) {
          int local = u.block >= 0 ? u.block : (u.words.empty() ? -1 : u.words.front().block);
          if (local < 0) local = 0;  // synthetic text ("Tableau") goes with the first block
          if (local != static_cast<int>(i)) continue;
          u.block = base + static_cast<int>(i);
          for (auto& w : u.words)
            if (w.block >= 0) w.block = base + static_cast<int>(i);
          mine.push_back(std::move(u));
        }
      }
      Block b = std::move(r.blocks[i]);
      if (b.lang.empty()) b.lang = job.req.lang.empty() ? opts_.speech.default_lang : job.req.lang;
      commitBlock(job, std::move(b), r.utterances ? &mine : nullptr);
    }
  }
  pumpSpeech();
  if (Job* j = find(id)) maybeFinish(*j);
}

void Session::commitBlock(Job& job, Block&& block, std::vector<Utterance>* utterances) {
  block.index = static_cast<int>(job.doc.blocks.size());
  json ev{{"block", block.index},
          {"lang", block.lang},
          {"box", toJson(block.box)},
          {"lines", block.lines.size()},
          {"text", block.text()}};
  if (job.blocksExpected >= 0) ev["of"] = job.blocksExpected;
  emit(job, "block-recognised", std::move(ev));
  std::vector<Utterance> mine;
  if (job.speaks() && !utterances) mine.push_back(blockUtterance(block));
  const std::string lang = block.lang;
  job.doc.blocks.push_back(std::move(block));
  if (!job.speaks()) return;
  // The one place a block's utterances (a plugin's or ours) become what espeak-ng is given.
  for (auto& u : utterances ? *utterances : mine) {
    if (u.lang.empty()) u.lang = lang;
    queueSpeech(job, std::move(u));
  }
}

// Makes an utterance speakable, cuts it into sentence-sized chunks and marks doubtful words
// (speech/text/voicing.h: the same as adapt's narration).
void Session::queueSpeech(Job& job, Utterance&& utterance) {
  for (speech::SpokenChunk& c : voicing_.chunks(utterance, job.doc, job.req.literal))
    job.toSend.emplace_back(std::move(c));
}

void Session::onOcrDeath(const Error& e) {
  // The worker runs its jobs in order: the first one sent was running and is lost, unless it was
  // a stopped job (its cancel not answered); the ones behind it are sent again once the new
  // worker is ready.
  ocrCancels_.clear();
  bool first = true;
  std::vector<uint64_t> keep;
  for (uint64_t id : ocrQueue_) {
    const bool running = std::exchange(first, false);
    Job* j = find(id);
    if (!j) continue;  // stopped: nothing lost
    if (running && j->ocrSent) {
      finish(*j, e, false);
      continue;
    }
    j->ocrSent = false;
    keep.push_back(id);
  }
  ocrQueue_.assign(keep.begin(), keep.end());
}

void Session::armOcrWatchdog() {
  if (ocrWatchdog_) return;
  ocrWatchdog_ = loop_.addTimer(std::chrono::milliseconds(250), [this] {
    ocrWatchdog_.reset();
    if (ocrQueue_.empty() && ocrCancels_.empty()) return;
    const double now = EventLoop::nowMsPrecise();
    // Every request in flight is watched: a job told to cancel that the worker has not ended
    // within the grace (stalled, or stuck where recognition cannot be cancelled), and the job
    // running, stopped or not, when the worker has said nothing for the stall timeout.
    bool overdue = false;
    for (const auto& [gen, sent] : ocrCancels_) overdue |= now - sent > opts_.cancel_grace.count();
    const auto front = jobs_.find(ocrQueue_.empty() ? 0 : ocrQueue_.front());
    const bool running = front != jobs_.end() && front->second->ocrSent;
    if (ocr_->running() && overdue) {
      ocr_->kill(makeError(ErrorCode::kWorkerTimeout,
                           "the OCR worker did not stop a cancelled job within " +
                               std::to_string(opts_.cancel_grace.count()) +
                               " ms and was restarted"));
    } else if (ocr_->running() && running &&
               now - lastOcrFrameMs_ > opts_.ocr_stall_timeout.count()) {
      ocr_->kill(makeError(ErrorCode::kWorkerTimeout,
                           "the OCR worker did not answer for " +
                               std::to_string(opts_.ocr_stall_timeout.count() / 1000) +
                               " s and was restarted"));
    }
    armOcrWatchdog();
  });
}

// One chunk at a time, once the previous one is synthesised and little audio waits: settings
// read here (rate, pitch, volume) are heard from the next chunk.
bool Session::mayRequestSpeech(Job& job) {
  if (!job.inFlight.empty()) return false;
  AudioSink* sink = sinkFor(job);
  if (!sink || !job.sinkBaseSet) return true;
  const int64_t played = static_cast<int64_t>(sink->playedSamples()) - job.sinkBase;
  const int64_t waiting = static_cast<int64_t>(job.samplesReceived) - played;
  return waiting < opts_.speech_ahead.count() * sampleRate_ / 1000;
}

void Session::pumpSpeech() {
  Job* job = speakingJob();
  if (!job) return;
  if (!job->toSend.empty() && usesSpeechOutput(*job)) return pumpOutput(*job);
  if (!speech_->running()) return;
  while (!job->toSend.empty() && mayRequestSpeech(*job)) {
    Spoken sp = std::move(job->toSend.front());
    job->toSend.pop_front();
    sp.voice = voiceFor(sp.lang);
    int id = job->nextUtt++;
    json req = speech::speakRequest(sp, sp.voice, job->id, id);
    // The text as the payload: raw bytes, whatever the OCR made of them.
    if (!speech_->send(req, sp.u.text)) {
      job->toSend.push_front(std::move(sp));
      --job->nextUtt;
      return;
    }
    if (job->inFlight.empty()) lastSpeechFrameMs_ = EventLoop::nowMsPrecise();
    job->speechSent = true;
    job->inFlight.emplace(id, std::move(sp));
  }
  armSpeechWatchdog();
}

void Session::onSpeechFrame(Frame&& f) {
  lastSpeechFrameMs_ = EventLoop::nowMsPrecise();
  const std::string ev = f.header.value("ev", "");
  if (ev == "ready") {
    int rate = f.header.value("sample_rate", 22050);
    if (rate != sampleRate_) spdlog::error("speech worker sample rate {} != {}", rate, sampleRate_);
    pumpSpeech();
    return;
  }
  if (ev == "pong") {
    speechPingSentMs_ = 0;
    return;
  }
  Job* job = find(f.header.value("gen", uint64_t{0}));
  if (!job || job->id != speakingId_) return;  // stale audio of a stopped job: dropped here
  int utt = f.header.value("utt", -1);
  auto uttIt = job->inFlight.find(utt);
  if (uttIt == job->inFlight.end()) return;
  Spoken& sp = uttIt->second;
  if (utt != job->currentUtt && (ev == "pcm" || ev == "mark")) {
    job->currentUtt = utt;
    job->uttStart[utt] = job->samplesReceived;
    const Utterance& u = sp.u;
    json body{{"utterance", utt},
              {"block", u.block},
              {"lang", sp.lang},
              {"text", u.text},
              {"voice", sp.voice.voice},
              {"rate", sp.voice.rate},
              {"pitch", sp.voice.pitch + sp.pitchShift},
              {"volume", sp.voice.volume},
              {"word_gap", sp.voice.word_gap},
              {"output", "liseur"}};
    if (!sp.voice.preset.empty()) body["preset"] = sp.voice.preset;
    if (sp.pitchShift) body["doubtful"] = true;
    job->timed.push_back({job->samplesReceived, "utterance-started", std::move(body)});
  }
  if (ev == "pcm") {
    // Tones for doubtful words go in just before the word's first sample.
    sp.audio.pcm(reinterpret_cast<const int16_t*>(f.payload.data()), f.payload.size() / 2, tone_,
                 [job](const int16_t* p, std::size_t k) {
                   std::size_t old = job->pcm.size();
                   job->pcm.resize(old + k);
                   std::memcpy(job->pcm.data() + old, p, k * 2);
                   job->samplesReceived += k;
                 });
    pumpAudio();
  } else if (ev == "mark") {
    const Utterance& u = sp.u;
    int off = f.header.value("offset", -1), len = f.header.value("length", 0);
    // An expansion ("km/h") gives several marks in one ref: one word event for it.
    const speech::ChunkAudio::Mark m =
        sp.audio.mark(sp, off, f.header.value("sample", uint64_t{0}), tone_.size());
    if (m.repeat) return;
    const int ref = m.ref;
    const uint64_t at = job->uttStart[utt] + m.at;
    json body{{"utterance", utt}, {"offset", off}, {"length", len}};
    if (off >= 0 && static_cast<std::size_t>(off) + len <= u.text.size())
      body["text"] = u.text.substr(off, len);
    if (ref >= 0) addWordRef(body, *job, sp, ref);
    auto pos = std::upper_bound(job->timed.begin(), job->timed.end(), at,
                                [](uint64_t s, const TimedEvent& t) { return s < t.sample; });
    job->timed.insert(pos, TimedEvent{at, "word", std::move(body)});
    emitTimedEvents(*job);
  } else if (ev == "end" || ev == "error") {
    if (ev == "error") {
      Error e = makeError(errorCodeFromName(f.header.value("code", "speech-failed")),
                          f.header.value("message", "speech failed"));
      emit(*job, "error", {{"code", e.name()}, {"message", e.message}, {"utterance", utt}});
      job->uttErrors.push_back(std::move(e));
    }
    job->inFlight.erase(uttIt);
    if (job->currentUtt == utt) job->currentUtt = -1;
    pumpSpeech();
    maybeFinish(*job);
  }
}

void Session::onSpeechDeath(const Error& e) {
  speechPingSentMs_ = 0;
  const bool stalledOnCancelled = std::exchange(speechKilledAfterCancel_, false);
  Job* job = speakingJob();
  if (!job || job->viaOutput || job->inFlight.empty()) return;
  if (!stalledOnCancelled) {
    // espeak-ng died on the first utterance in flight (it synthesises in order): report and
    // skip that one, and send the others again to the new worker. Killed for not taking a
    // cancel, it was stuck on the stopped text: all are sent again.
    auto culprit = job->inFlight.begin();
    emit(*job, "error",
         {{"code", e.name()}, {"message", e.message}, {"utterance", culprit->first}});
    job->uttErrors.push_back(e);
    job->inFlight.erase(culprit);
  }
  for (auto it = job->inFlight.rbegin(); it != job->inFlight.rend(); ++it) {
    Spoken again = std::move(it->second);
    again.audio = {};
    job->toSend.push_front(std::move(again));
  }
  job->inFlight.clear();
  job->currentUtt = -1;
  maybeFinish(*job);  // pumpSpeech runs again when the new worker says ready
}

void Session::armSpeechWatchdog() {
  if (speechWatchdog_) return;
  speechWatchdog_ = loop_.addTimer(std::chrono::milliseconds(250), [this] {
    speechWatchdog_.reset();
    const double now = EventLoop::nowMsPrecise();
    Job* job = speakingJob();
    const bool speaking = job && !job->viaOutput && !job->inFlight.empty();
    if (!speaking && speechPingSentMs_ == 0) return;
    if (speech_->running() && speechPingSentMs_ > 0 &&
        now - speechPingSentMs_ > opts_.cancel_grace.count()) {
      speechKilledAfterCancel_ = true;
      speech_->kill(
          makeError(ErrorCode::kWorkerTimeout, "the speech worker did not take a cancel within " +
                                                   std::to_string(opts_.cancel_grace.count()) +
                                                   " ms and was restarted"));
    } else if (speech_->running() && speaking &&
               now - lastSpeechFrameMs_ > opts_.speech_stall_timeout.count()) {
      speech_->kill(makeError(ErrorCode::kWorkerTimeout,
                              "the speech worker stopped answering and was restarted"));
    }
    armSpeechWatchdog();
  });
}

void Session::pumpAudio() {
  Job* job = speakingJob();
  if (!job) return;
  AudioSink* sink = sinkFor(*job);
  if (!sink) return;
  while (job->pcmPos < job->pcm.size()) {
    if (!job->sinkBaseSet) {
      job->sinkBase = static_cast<int64_t>(sink->playedSamples() + sink->queuedSamples()) -
                      static_cast<int64_t>(job->resumeAt);
      job->sinkBaseSet = true;
      job->usedMainSink = sink == audio_->sink();
    }
    std::size_t want = job->pcm.size() - job->pcmPos;
    std::size_t n = sink->write(job->pcm.data() + job->pcmPos, want);
    if (sink == audio_->sink()) audio_->recordWritten(job->pcm.data() + job->pcmPos, n);
    if (n > 0 && job->firstAudioMs < 0) {
      job->firstAudioMs = job->since();
      emit(*job, "first-audio", {{"first_audio_ms", std::round(job->firstAudioMs * 10) / 10}});
    }
    job->pcmPos += n;
    job->samplesWritten += n;
    if (n < want) break;  // ring full: on_space or the tick brings us back
  }
  if (job->pcmPos == job->pcm.size()) {
    job->pcm.clear();
    job->pcmPos = 0;
  } else if (job->pcmPos > (1u << 20)) {
    job->pcm.erase(job->pcm.begin(), job->pcm.begin() + static_cast<std::ptrdiff_t>(job->pcmPos));
    job->pcmPos = 0;
  }
  emitTimedEvents(*job);
  maybeFinish(*job);
}

void Session::emitTimedEvents(Job& job) {
  AudioSink* sink = sinkFor(job);
  if (!sink || !job.sinkBaseSet) return;
  uint64_t played = static_cast<uint64_t>(
      std::max<int64_t>(static_cast<int64_t>(sink->playedSamples()) - job.sinkBase, 0));
  while (!job.timed.empty() && job.timed.front().sample <= played) {
    TimedEvent t = std::move(job.timed.front());
    job.timed.pop_front();
    t.body["sample"] = t.sample;
    emit(job, t.name, std::move(t.body));
  }
}

void Session::armTick() {
  if (tick_) return;
  tick_ = loop_.addTimer(std::chrono::milliseconds(10), [this] {
    tick_.reset();
    if (speakingJob()) {
      pumpAudio();
      pumpSpeech();
      if (speakingJob()) armTick();
    }
  });
}

void Session::maybeFinish(Job& job) {
  if (job.finished) return;
  if (job.needsOcr && !job.ocrDone) return;
  if (!job.adapting.empty()) return;
  if (job.speaks()) {
    if (!job.toSend.empty() || !job.inFlight.empty() || job.pcmPos < job.pcm.size()) return;
    AudioSink* sink = sinkFor(job);
    if (job.sinkBaseSet && sink && sink->playedSamples() - job.sinkBase < job.samplesWritten)
      return;
    emitTimedEvents(job);
  }
  finish(job, std::nullopt, false);
}

void Session::cancelJob(Job& job) {
  if (job.needsOcr && !job.ocrDone && job.ocrSent &&
      ocr_->send({{"op", "cancel"}, {"gen", job.id}})) {
    ocrCancels_.emplace(job.id, EventLoop::nowMsPrecise());
    armOcrWatchdog();
  }
  if (job.needsOcr && !job.ocrSent) {
    auto it = std::find(ocrQueue_.begin(), ocrQueue_.end(), job.id);
    if (it != ocrQueue_.end()) ocrQueue_.erase(it);
  }
  if (adaptCancel_)
    for (const auto& a : job.adapting)
      if (a.token && !a.result) adaptCancel_(a.token);
  job.adaptBase += job.adapting.size();
  job.adapting.clear();
  if (job.speechSent && (!job.inFlight.empty() || !job.toSend.empty()) &&
      speech_->send({{"op", "cancel"}, {"gen", job.id}}) && speechPingSentMs_ == 0 &&
      speech_->send({{"op", "ping"}})) {
    // The pong says the worker took the cancel; none within the grace: it is stalled.
    speechPingSentMs_ = EventLoop::nowMsPrecise();
    armSpeechWatchdog();
  }
  if (job.outputMsg && output_) output_->cancel();
  job.outputMsg = 0;
  if (job.usedMainSink && audio_->sink()) audio_->sink()->flush();
  job.pcm.clear();
  job.pcmPos = 0;
  job.toSend.clear();
  job.inFlight.clear();
  job.timed.clear();
}

void Session::finish(Job& job, std::optional<Error> error, bool stopped) {
  if (job.finished) return;
  if (error || stopped) cancelJob(job);
  JobResult r;
  r.job = job.id;
  r.kind = job.req.kind;
  r.stopped = stopped;
  if (job.wav) {
    r.wav_path = job.req.to_wav;
    if (auto st = job.wav->close(); !st && !error) error = st.error();
  }
  r.error = error;
  auto ms = [](double v) { return v < 0 ? json(nullptr) : json(std::round(v * 10) / 10); };
  r.timings = {{"first_audio_ms", ms(job.firstAudioMs)},
               {"first_block_ms", ms(job.firstBlockMs)},
               {"ocr_ms", ms(job.ocrMs)},
               {"total_ms", ms(job.since())},
               {"blocks", job.doc.blocks.size()},
               {"audio_ms", std::round(job.samplesWritten * 1000.0 / sampleRate_)}};
  job.finished = true;
  if (job.adapter) {  // blocks committed after ocr-finished count for the document's language
    std::map<std::string, std::size_t> langs;
    for (const auto& b : job.doc.blocks) langs[b.lang] += b.text().size();
    std::size_t most = 0;
    for (const auto& [l, n] : langs)
      if (!l.empty() && n > most) most = n, job.doc.lang = l;
  }
  r.document = std::move(job.doc);
  // What was just read becomes what review commands move through.
  if (job.req.kind != JobKind::kSay && !r.document.blocks.empty()) {
    review_.reset(r.document, opts_.speech.default_lang);
    review_.setPages(job.pages);
    review_.setDoubtfulThreshold(static_cast<float>(opts_.speech.doubtful_threshold));
    reviewOrigin_ = job.req.origin;
    reviewFromScreen_ = !job.req.source.empty();
  }
  json body{{"ok", !error},
            {"stopped", stopped},
            {"kind", jobKindName(job.req.kind)},
            {"timings", r.timings}};
  if (error) {
    body["error"] = {{"code", error->name()}, {"message", error->message}};
    emit(job, "error", {{"code", error->name()}, {"message", error->message}});
  }
  r.lost = job.uttErrors;
  if (!job.uttErrors.empty()) {
    json errs = json::array();
    for (const auto& e : job.uttErrors)
      errs.push_back({{"code", e.name()}, {"message", e.message}});
    body["errors"] = errs;
    // A sentence lost on the way to the loudspeaker (whoever asked: a command, a hotkey, the
    // watched region) is said to the listener, who would otherwise hear a gap and not know it;
    // written to a file, it is in the reply. Said after this job, as a message.
    if (!job.wav)
      sayNotice(job, "Une phrase n'a pas pu être dite.", "A sentence could not be spoken.", false);
  }
  if (!r.wav_path.empty()) body["wav"] = r.wav_path;
  emit(job, "job-finished", std::move(body));
  const bool spoke = speakingId_ == job.id;
  if (spoke) speakingId_ = 0;
  JobDone done = std::move(job.done);
  uint64_t id = job.id;
  // Erase after the current handler: callers up the stack may still hold the reference.
  loop_.post([this, id] { jobs_.erase(id); });
  if (done) done(r);
  if (spoke) promoteNext();
}

void Session::stop() {
  // Silence means silence: what waits (text or messages) goes too.
  std::vector<uint64_t> waiting(messages_.begin(), messages_.end());
  waiting.push_back(waitingText_);
  messages_.clear();
  waitingText_ = 0;
  queueFullReported_ = false;
  if (Job* job = speakingJob()) finish(*job, std::nullopt, true);  // nothing waits to follow it
  for (uint64_t id : waiting)
    if (Job* j = find(id)) finish(*j, std::nullopt, true);
  if (AudioSink* sink = audio_->sink()) sink->flush();
  paused_ = false;
  if (AudioSink* sink = audio_->sink()) sink->resume();
}

void Session::pause() {
  if (paused_) return;
  paused_ = true;
  if (AudioSink* sink = audio_->sink()) sink->pause();
  Job* job = speakingJob();
  if (job && job->outputMsg) {
    // speech-dispatcher pauses only at its own sentence marks (and with espeak-ng, only at the
    // end of the message): silence it now, and say the rest from the word it was saying.
    requeueOutput(*job);
    output_->cancel();
  }
  if (job) emit(*job, "paused", json::object());
}

void Session::resume() {
  if (!paused_) return;
  paused_ = false;
  if (AudioSink* sink = audio_->sink()) sink->resume();
  if (Job* job = speakingJob()) {
    emit(*job, "resumed", json::object());
    if (job->viaOutput) pumpSpeech();
  }
}

Result<json> Session::review(std::string_view action, double receivedMs) {
  auto a = reviewActionFromName(action);
  if (!a) return a.error();
  ReviewSpeech said = review_.apply(*a);
  json out{{"text", said.text}, {"lang", said.lang}, {"at_edge", said.at_edge}};
  if (said.block >= 0) {
    out["block"] = said.block;
    out["line"] = said.line;
    out["word"] = said.word;
    if (auto box = review_.currentBox()) out["box"] = toJson(*box);
  }
  if (!said.text.empty()) {
    JobRequest jr;
    jr.kind = JobKind::kSay;
    jr.text = said.text;
    jr.lang = said.lang == "en" || said.lang == "fr" ? said.lang : "";
    jr.literal = said.literal;
    jr.received_ms = receivedMs;
    auto job = submit(std::move(jr), {});
    if (!job) return job.error();
    out["job"] = *job;
  }
  return out;
}

void Session::applyOptions(const SessionOptions& o) {
  opts_.ocr_mode = o.ocr_mode;
  if (o.ocr_languages != opts_.ocr_languages) {
    opts_.ocr_languages = o.ocr_languages;
    ocrRestartPending_ = true;
  }
  if (o.audio_sink != opts_.audio_sink || o.audio_device != opts_.audio_device ||
      o.audio_latency_ms != opts_.audio_latency_ms) {
    opts_.audio_sink = o.audio_sink;
    opts_.audio_device = o.audio_device;
    opts_.audio_latency_ms = o.audio_latency_ms;
    audioReopenPending_ = true;
  }
  opts_.speech = o.speech;
  voicing_.setOptions(opts_.speech);
  opts_.speech_ahead = o.speech_ahead;
  opts_.speech_output = o.speech_output;
  opts_.exact_timings = o.exact_timings;
  // A new configuration may read differently (another model, another profile): recognise anew.
  ocrCache_.clear();
  review_.setDoubtfulThreshold(static_cast<float>(opts_.speech.doubtful_threshold));
  maybeReopenAudio();
  pumpOcr();
}

void Session::reloadSpeechData() {
  loadSpeechData();
}

std::optional<Box> Session::reviewWordOnScreen() const {
  auto box = review_.currentBox();
  if (!box || !reviewFromScreen_) return std::nullopt;
  return Box{box->x + reviewOrigin_.x, box->y + reviewOrigin_.y, box->w, box->h};
}

bool Session::busy() const {
  for (const auto& [id, j] : jobs_)
    if (!j->finished) return true;
  return speakingId_ != 0;
}

json Session::status() const {
  // A worker between a death and its restart has no process: its pid is null and its state says
  // so (a pid of -1 read as a real one).
  auto worker = [](const WorkerClient& w) {
    const char* state = w.ready() ? "ready" : w.running() ? "starting" : "restarting";
    return json{{"running", w.running()},
                {"ready", w.ready()},
                {"state", state},
                {"pid", w.running() && w.pid() > 0 ? json(w.pid()) : json(nullptr)},
                {"restarts", w.restarts()},
                {"last_restart_delay_ms", w.lastRestartDelay().count()}};
  };
  std::string state = "idle";
  if (speakingId_) state = paused_ ? "paused" : "reading";
  json jobs = json::array();
  for (const auto& [id, j] : jobs_)
    if (!j->finished) jobs.push_back({{"job", id}, {"kind", jobKindName(j->req.kind)}});
  json ocrState = worker(*ocr_);
  ocrState["cache"] = {
      {"entries", ocrCache_.size()}, {"hits", ocrCache_.hits()}, {"misses", ocrCache_.misses()}};
  ocrState["waiting"] = ocrWaiting(false);
  if (ocrProblem_)
    ocrState["problem"] = json{{"code", ocrProblem_->name()}, {"message", ocrProblem_->message}};
  json audio = audio_->status();
  const VoiceChoice v = voiceFor(opts_.speech.default_lang);
  json speech{{"rate", v.rate},   {"pitch", v.pitch},   {"volume", v.volume},
              {"voice", v.voice}, {"preset", v.preset}, {"queued_messages", messages_.size()}};
  speech["output"] = {
      {"mode", opts_.speech_output},
      {"speech_dispatcher", output_ ? output_->status() : json{{"connected", false}}}};
  if (opts_.exact_timings) speech["output"]["exact_timings"] = true;
  return json{{"state", state},   {"job", speakingId_ ? json(speakingId_) : json(nullptr)},
              {"jobs", jobs},     {"audio", audio},
              {"speech", speech}, {"workers", {{"ocr", ocrState}, {"speech", worker(*speech_)}}}};
}

// ---- Speech through an external service (speech-dispatcher) ----

// Chosen once per job, when its first words are ready to be spoken.
bool Session::usesSpeechOutput(Job& job) {
  if (!job.outputChosen) {
    job.outputChosen = true;
    job.viaOutput = chooseSpeechOutput(job);
  }
  return job.viaOutput;
}

// The one place where liseur's own voice or the user's speech-dispatcher is chosen.
bool Session::chooseSpeechOutput(const Job& job) {
  if (job.wav) return false;              // a WAV file is made by liseur's own voice
  if (job.req.own_voice) return false;    // a notice that speech-dispatcher failed
  if (opts_.exact_timings) return false;  // the dys view follows exact word timings
  const auto mode =
      speech::outputModeFromName(opts_.speech_output).value_or(speech::OutputMode::kAuto);
  if (mode != speech::OutputMode::kAuto) return mode == speech::OutputMode::kSpeechDispatcher;
  // auto: one voice with the screen reader while it runs.
  const double now = EventLoop::nowMsPrecise();
  if (now - screenReaderCheckedMs_ > kScreenReaderCheckMs) {
    screenReaderRunning_ = speech::screenReaderRunning(::getuid());
    screenReaderCheckedMs_ = now;
  }
  return screenReaderRunning_;
}

// Sends what waits as one SSML message, a mark before each utterance ("uN") and each word
// ("wN"), once the message before has ended. Chunks of another language wait for the next one.
void Session::pumpOutput(Job& job) {
  if (job.outputMsg || paused_ || job.toSend.empty()) return;
  if (!output_) {
    output_ = speech::makeDispatcherOutput(
        [loop = &loop_](std::function<void()> fn) { loop->post(std::move(fn)); },
        [this](const speech::OutputEvent& e) { onOutputEvent(e); });
  }
  speech::SsmlBuilder ssml;
  const std::string lang = job.toSend.front().lang;
  std::size_t bytes = 0;
  job.outputMarks.clear();
  job.heardUtt = job.heardRef = -1;
  while (!job.toSend.empty() && job.toSend.front().lang == lang &&
         (bytes == 0 || bytes + job.toSend.front().u.text.size() <= kOutputMessageBytes)) {
    Spoken sp = std::move(job.toSend.front());
    job.toSend.pop_front();
    bytes += sp.u.text.size();
    sp.voice = voiceFor(sp.lang);
    const int utt = job.nextUtt++;
    const std::string_view text = sp.u.text;
    ssml.mark("u" + std::to_string(utt));
    ssml.raisedPitch(sp.pitchShift != 0);
    std::size_t at = 0;
    for (std::size_t k = 0; k < sp.u.words.size(); ++k) {
      const WordRef& w = sp.u.words[k];
      const auto off = static_cast<std::size_t>(w.offset);
      if (w.length <= 0 || off < at || off >= text.size()) continue;
      ssml.text(text.substr(at, off - at));
      const int n = job.nextMark++;
      job.outputMarks[n] = {utt, static_cast<int>(k)};
      ssml.mark("w" + std::to_string(n));
      at = off;
    }
    ssml.text(text.substr(at));
    ssml.raisedPitch(false);
    ssml.text(" ");
    job.outputUtts.push_back(utt);
    job.inFlight.emplace(utt, std::move(sp));
  }
  const auto priority =
      job.req.priority == SpeechPriority::kMessage        ? speech::OutputPriority::kMessage
      : job.req.priority == SpeechPriority::kNotification ? speech::OutputPriority::kNotification
                                                          : speech::OutputPriority::kText;
  job.outputMsg = output_->speak(ssml.take(), lang, priority);
  lastSpeechFrameMs_ = EventLoop::nowMsPrecise();
  armOutputWatchdog();
}

void Session::onOutputEvent(const speech::OutputEvent& e) {
  Job* job = speakingJob();
  // Events of a message that was stopped, paused or superseded are stale.
  if (!job || !job->outputMsg || job->outputMsg != e.message) return;
  lastSpeechFrameMs_ = EventLoop::nowMsPrecise();
  const uint64_t id = job->id;
  switch (e.kind) {
    case speech::OutputEvent::Kind::kBegin:
      if (job->firstAudioMs < 0) {
        job->firstAudioMs = job->since();
        emit(*job, "first-audio", {{"first_audio_ms", std::round(job->firstAudioMs * 10) / 10}});
      }
      break;
    case speech::OutputEvent::Kind::kMark:
      outputMark(*job, e.mark);
      break;
    case speech::OutputEvent::Kind::kEnd:
      for (int utt : job->outputUtts) job->inFlight.erase(utt);
      job->outputUtts.clear();
      job->outputMarks.clear();
      job->outputMsg = 0;
      pumpSpeech();
      if (Job* j = find(id)) maybeFinish(*j);
      break;
    case speech::OutputEvent::Kind::kCancelled:
      // Not by liseur (its own cancels leave the message stale): another program's more urgent
      // speech, the screen reader's, took over. One voice: the read stops.
      spdlog::info("speech: job {} was silenced by another speech-dispatcher client", id);
      job->outputMsg = 0;
      finish(*job, std::nullopt, true);
      break;
    case speech::OutputEvent::Kind::kFailed:
      requeueOutput(*job);
      outputFailed(*job, e.error.value_or(makeError(ErrorCode::kSpeechDispatcherFailed,
                                                    "speech-dispatcher failed")));
      break;
  }
}

void Session::outputMark(Job& job, const std::string& mark) {
  if (mark.size() < 2 || (mark[0] != 'u' && mark[0] != 'w')) return;
  int n = 0;
  try {
    n = std::stoi(mark.substr(1));
  } catch (const std::exception&) {
    return;
  }
  if (mark[0] == 'u') {
    auto it = job.inFlight.find(n);
    if (it == job.inFlight.end()) return;
    const Spoken& sp = it->second;
    json body{{"utterance", n},
              {"block", sp.u.block},
              {"lang", sp.lang},
              {"text", sp.u.text},
              {"output", "speech-dispatcher"}};
    if (sp.pitchShift) body["doubtful"] = true;
    emit(job, "utterance-started", std::move(body));
    return;
  }
  auto m = job.outputMarks.find(n);
  if (m == job.outputMarks.end()) return;
  const auto [utt, ref] = m->second;
  auto it = job.inFlight.find(utt);
  if (it == job.inFlight.end()) return;
  const Spoken& sp = it->second;
  const WordRef& w = sp.u.words[static_cast<std::size_t>(ref)];
  job.heardUtt = utt;
  job.heardRef = ref;
  json body{{"utterance", utt},
            {"offset", w.offset},
            {"length", w.length},
            {"text", sp.u.text.substr(static_cast<std::size_t>(w.offset),
                                      static_cast<std::size_t>(w.length))}};
  addWordRef(body, job, sp, ref);
  emit(job, "word", std::move(body));
}

// With speech.output = "speech-dispatcher" the job fails with the reason (and what to do);
// with "auto" it goes on with liseur's own voice, from where speech-dispatcher left off.
// A short notice to the listener about `job` (in its language), said after it as a message;
// `own_voice`: with liseur's voice whatever speech.output says.
void Session::sayNotice(const Job& job, const char* fr, const char* en, bool own_voice) {
  if (shuttingDown_) return;
  const bool english = (job.doc.lang.empty() ? opts_.speech.default_lang : job.doc.lang) == "en";
  loop_.post([this, alive = std::weak_ptr<bool>(alive_), text = std::string(english ? en : fr),
              english, own_voice] {
    if (alive.expired() || shuttingDown_) return;
    JobRequest notice;
    notice.kind = JobKind::kSay;
    notice.text = text;
    notice.lang = english ? "en" : "fr";
    notice.priority = SpeechPriority::kMessage;
    notice.own_voice = own_voice;
    (void)submit(std::move(notice), {});
  });
}

void Session::outputFailed(Job& job, const Error& e) {
  if (opts_.speech_output == "speech-dispatcher") {
    spdlog::warn("speech: {}", e.message);
    // Chosen as the only output, speech-dispatcher cannot say that it failed: liseur's own voice
    // says it (at most every 30 s, so a user pressing keys again is not told each time), or the
    // listener hears nothing and does not know why.
    const double now = EventLoop::nowMsPrecise();
    if (now - outputNoticeMs_ >= 30'000) {
      outputNoticeMs_ = now;
      sayNotice(job, "Speech Dispatcher ne répond pas ; liseur ne peut pas parler.",
                "Speech Dispatcher is not answering; liseur cannot speak through it.", true);
    }
    return finish(job, e, false);
  }
  spdlog::debug("speech: {}; job {} speaks with liseur's own voice", e.message, job.id);
  job.viaOutput = false;
  pumpSpeech();
}

// Takes the message being spoken back: what was not heard yet, from the last word heard, goes
// back to the front of toSend (the message's marks are forgotten; its events become stale).
void Session::requeueOutput(Job& job) {
  std::vector<Spoken> rest;
  for (int utt : job.outputUtts) {
    auto it = job.inFlight.find(utt);
    if (it == job.inFlight.end()) continue;
    Spoken sp = std::move(it->second);
    job.inFlight.erase(it);
    if (job.heardUtt >= 0 && utt < job.heardUtt) continue;  // heard whole
    if (utt == job.heardUtt && job.heardRef >= 0) {
      const int from = sp.u.words[static_cast<std::size_t>(job.heardRef)].offset;
      sp.u = speech::sliceUtterance(sp.u, static_cast<std::size_t>(from), sp.u.text.size());
      std::vector<int> doubtful;
      for (int off : sp.doubtful)
        if (off >= from) doubtful.push_back(off - from);
      sp.doubtful = std::move(doubtful);
    }
    rest.push_back(std::move(sp));
  }
  for (auto it = rest.rbegin(); it != rest.rend(); ++it) job.toSend.push_front(std::move(*it));
  job.outputUtts.clear();
  job.outputMarks.clear();
  job.outputMsg = 0;
  job.heardUtt = job.heardRef = -1;
}

// A word event's reference to the word as written: block, line, word, box, doubtful.
void Session::addWordRef(json& body, const Job& job, const Spoken& sp, int ref) const {
  const WordRef& w = sp.u.words[static_cast<std::size_t>(ref)];
  if (std::find(sp.doubtful.begin(), sp.doubtful.end(), w.offset) != sp.doubtful.end() ||
      sp.pitchShift)
    body["doubtful"] = true;
  body["block"] = w.block;
  body["line"] = w.line;
  body["word"] = w.word;
  if (w.block >= 0 && w.block < static_cast<int>(job.doc.blocks.size())) {
    const Block& b = job.doc.blocks[w.block];
    if (w.line >= 0 && w.line < static_cast<int>(b.lines.size()) && w.word >= 0 &&
        w.word < static_cast<int>(b.lines[w.line].words.size()))
      body["box"] = toJson(b.lines[w.line].words[w.word].box);
  }
}

// Marks come with every word: a message in flight that says nothing for twice the speech
// worker's stall timeout is lost (a hung module, a server that stopped reading).
void Session::armOutputWatchdog() {
  if (outputWatchdog_) return;
  outputWatchdog_ = loop_.addTimer(std::chrono::milliseconds(500), [this] {
    outputWatchdog_.reset();
    Job* job = speakingJob();
    if (!job || !job->outputMsg) return;
    const auto limit = 2 * opts_.speech_stall_timeout.count();
    if (!paused_ && EventLoop::nowMsPrecise() - lastSpeechFrameMs_ > limit) {
      requeueOutput(*job);
      output_->cancel();
      return outputFailed(*job, makeError(ErrorCode::kSpeechDispatcherFailed,
                                          "speech-dispatcher said nothing for " +
                                              std::to_string(limit / 1000) + " s while speaking"));
    }
    armOutputWatchdog();
  });
}

}  // namespace liseur
