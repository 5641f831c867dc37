// Session: the one owner of "what is happening now" in the daemon.
//
// It turns commands (read an image, recognise it, say a text, stop, pause, resume) into jobs that
// flow OCR worker -> document -> utterances -> speech worker -> audio sink, and reports what
// happens as events. Each job's id is its generation: every frame from a worker carries it, so
// stale work from a stopped job is recognised and dropped wherever it is.
//
// Threads: main thread only (the event loop's). Callbacks (EventSink, JobDone) are called on it.
// Errors: submit() fails only for requests that are wrong in themselves; everything that goes
// wrong later ends the job with an Error in its JobResult and an `error` event.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "audio/audio_output.h"
#include "audio/audio_sink.h"
#include "control/ocr_cache.h"
#include "control/review.h"
#include "control/worker_client.h"
#include "core/event_loop.h"
#include "document/document.h"
#include "ocr/ocr_worker.h"
#include "speech/speech_output.h"
#include "speech/text/lexicon.h"
#include "speech/text/voice_preset.h"
#include "speech/text/voicing.h"

namespace liseur {

struct SessionOptions {
  std::string ocr_languages = "eng+fra";
  std::string ocr_mode = "auto";    // ocr.mode: auto | block | line (the OCR worker's request)
  std::string audio_sink = "auto";  // auto | portaudio | null | paced-null
  std::string audio_device;
  int audio_latency_ms = 30;  // audio.latency_ms: the output latency asked of the sound device
  // speech.*: voices, presets, rate, pitch, punctuation, doubtful words (speech/text/voicing.h,
  // the same rules as `liseur adapt`'s narration).
  speech::VoicingOptions speech;
  std::size_t ocr_memory_mb = ocr::kSuggestedAddressSpaceMb;  // RLIMIT_AS of the OCR worker
  std::size_t speech_memory_mb = 512;
  std::chrono::milliseconds ocr_stall_timeout{60000};     // no frame for a running OCR job
  std::chrono::milliseconds speech_stall_timeout{15000};  // no frame for an utterance in flight
  // A worker told to cancel must show it has within this time (the OCR worker ends the job, the
  // speech worker answers a ping sent after the cancel), or it is killed and restarted: a stop
  // or a newer read never waits behind a stalled worker.
  std::chrono::milliseconds cancel_grace{2000};
  // The next chunk is sent to the speech worker when the previous one is synthesised and less
  // than this much audio is waiting to be played: a rate or pitch change is heard from the next
  // chunk, and a pause holds little synthesised audio.
  std::chrono::milliseconds speech_ahead{750};
  // speech.output: "liseur" (the speech worker and the audio sink), "speech-dispatcher" (the
  // user's speech-dispatcher, speech/dispatcher_output.h) or "auto" (speech-dispatcher while a
  // screen reader, Orca, runs for this user). Jobs writing a WAV file, and every job when
  // exact_timings is set (the dys view), use liseur's own voice.
  std::string speech_output = "auto";
  bool exact_timings = false;
};

// Speech priorities in the manner of speech-dispatcher's SSIP:
// - kText (read, say, review): a new one stops the text being spoken and any text waiting; it
//   waits for a message being spoken (messages are short).
// - kMessage (notices, errors said aloud): never stopped by text; spoken at once when nothing
//   is spoken, else queued and spoken, in order, once the text (or the text that interrupted
//   it) ends. At most kMaxQueuedMessages wait: the oldest is dropped and queue-full reported
//   once. `stop` silences and drops everything.
// - kNotification (a script's "battery low", a passing event): said only into silence — dropped
//   (finished as stopped) when anything is spoken or waiting — and cut by any text or message.
enum class SpeechPriority { kText, kMessage, kNotification };
inline constexpr std::size_t kMaxQueuedMessages = 16;

// Recognitions: one at a time is sent to the OCR worker; the others wait in the Session, and the
// next sent is the read that speaks (there is at most one: a new read supersedes the one
// waiting), else the oldest `ocr` request. So a hotkey read never waits behind recognitions that
// scripts or other clients asked for, only behind the one running. `ocr` requests are a client's
// explicit question and are answered, never dropped for a read; at most kMaxWaitingOcr of them
// wait, beyond that a new one is refused with `busy`.
inline constexpr std::size_t kMaxWaitingOcr = 8;

enum class JobKind { kRead, kOcr, kSay };

struct JobRequest {
  JobKind kind = JobKind::kRead;
  std::string path;  // image file (kRead, kOcr), absolute; empty when image_bytes is set
  // A captured image instead of a file: BGRA pixels (width/height/stride), or an encoded file's
  // bytes when `encoded` names its format ("png" from the clipboard).
  std::string image_bytes;
  int width = 0, height = 0, stride = 0;
  std::string encoded;
  Box crop;                 // w > 0: only this part of the decoded image is read (encoded images)
  bool screenshot = false;  // an encoded image that is a capture of the screen (the portal's)
  std::string source;       // what was captured, for events ("window", "region 0,0,600,200", ...)
  Box origin;               // where the image was on the screen (screen pixels), for pointer moves
  // "Read under the pointer": only the block containing this point of the image (or, if none
  // does, the nearest one) is read. -1 = the whole image.
  int focus_x = -1, focus_y = -1;
  std::string text;    // kSay
  std::string to_wav;  // non-empty: this job's audio goes to that WAV file
  // The WAV file as the client opened and passed it (IpcRequest::fd); null: the daemon creates
  // to_wav itself.
  std::shared_ptr<int> to_wav_fd;
  std::string lang;  // "fr" / "en" forces the language; "" = detect
  SpeechPriority priority = SpeechPriority::kText;
  bool literal = false;  // kSay: spoken as written (no lexicon; spellings, cursor messages)
  // kSay: liseur's own voice whatever speech.output says (the notice that speech-dispatcher,
  // chosen as the output, failed: it cannot say so itself).
  bool own_voice = false;
  double received_ms = 0;  // EventLoop::nowMsPrecise() when the request arrived
};

struct JobResult {
  uint64_t job = 0;
  JobKind kind = JobKind::kRead;
  bool stopped = false;        // superseded or stopped: not an error
  std::optional<Error> error;  // the job failed
  Document document;           // what was recognised (kRead, kOcr)
  nlohmann::json timings;      // first_audio_ms, ocr_ms, total_ms, ...
  std::string wav_path;
  std::vector<Error> lost;  // sentences not spoken (the speech worker died on them), each why
};

// What a BlockAdapter gives back for one recognised block.
struct AdaptedBlocks {
  std::vector<Block> blocks;  // 0..n blocks in place of the one given (a plugin may split or drop)
  // Utterances from a speak hook, word refs indexing `blocks` (0-based); nullopt: the Session
  // makes them itself.
  std::optional<std::vector<Utterance>> utterances;
  std::vector<Error> faults;  // plugins skipped for this block, each named in its message
};

class Session {
 public:
  using EventSink = std::function<void(const std::string& name, nlohmann::json body)>;
  using JobDone = std::function<void(const JobResult&)>;
  // Adapts each recognised block of a read or OCR job before it is spoken or returned (the
  // profile's plugin chain, run by DaemonCommands). Called on the loop thread with the block and
  // the size of the image it comes from; must call `done` exactly once, normally later. Returns a
  // token that `cancel` accepts when the job ends first (then `done` may still be called: it is
  // ignored). Blocks are committed in reading order whatever order the adaptations finish in.
  using AdaptDone = std::function<void(AdaptedBlocks)>;
  // `read` is the job's id: the same for every block of one read (Document::page).
  using BlockAdapter = std::function<uint64_t(Block block, int imageWidth, int imageHeight,
                                              uint64_t read, AdaptDone done)>;
  using AdaptCancel = std::function<void(uint64_t token)>;

  Session(EventLoop& loop, SessionOptions options, EventSink events);
  ~Session();

  // Opens the audio sink and starts the workers. Audio problems are not fatal (status tells).
  void start();
  // Starts a job. A read or say job supersedes the one being spoken (which ends `stopped`);
  // OCR-only jobs queue behind it.
  Result<uint64_t> submit(JobRequest request, JobDone done);
  // Silences the sink within one buffer and cancels all OCR and speech of the current job(s).
  void stop();
  void pause();
  void resume();
  nlohmann::json status() const;
  // True while a job is running or waiting (reading, saying, recognising): daemon.idle_exit_min.
  bool busy() const;
  void shutdown();

  // Applies new options (a reload): speech options from the next utterance on; the OCR mode from
  // the next recognition; new OCR languages restart the OCR worker with them as soon as it has no
  // recognition in flight; a new audio sink, device or latency re-opens the audio as soon as
  // nothing is being spoken. The limits and timeouts are the daemon's own and stay.
  void applyOptions(const SessionOptions& options);
  // Reads the voice presets and lexicons again (a configuration reload: the user may have edited
  // a lexicon). A broken file is reported as an `error` event and left out.
  void reloadSpeechData();

  // Moves the review cursor over the last recognised document and speaks the result (a say job,
  // which interrupts current speech). Returns what is said and where the cursor is.
  Result<nlohmann::json> review(std::string_view action, double receivedMs);
  // The value of rate|pitch|volume|word_gap in use for the default language's voice (a preset's
  // value unless the configuration sets it): what `liseur set rate +10` adds to. -1 when unknown.
  int speechSetting(const std::string& key) const;

  // Where the review cursor's current word is on the screen (image box + capture origin), when
  // the last result came from the screen.
  std::optional<Box> reviewWordOnScreen() const;

  // Sets (or, with nullptr, removes) the block adapter; jobs already running keep the old one.
  void setBlockAdapter(BlockAdapter adapter, AdaptCancel cancel);

  // For tests: the worker clients.
  WorkerClient& ocrWorker() { return *ocr_; }
  WorkerClient& speechWorker() { return *speech_; }

 private:
  struct Job;
  struct Spoken;
  using VoiceChoice = speech::VoiceChoice;
  struct TimedEvent {
    uint64_t sample;  // position in the job's audio
    std::string name;
    nlohmann::json body;
  };

  void onOcrFrame(Frame&& f);
  // One recognised block of a job (the focus point decides whether it is read), and the end of
  // its recognition; the worker's frames and a cache hit both go through these.
  // A recognised block: spoken, unless the read is under the pointer and the block is neither
  // there nor (`underPointer`) a part of the paragraph the worker found there.
  void ocrBlock(Job& job, Block&& block, bool underPointer = false);
  void ocrDone(Job& job, nlohmann::json finished);
  void replayOcr(uint64_t id, const OcrResult& result);
  // Speech through an external service (speech_output.h) instead of the speech worker.
  bool usesSpeechOutput(Job& job);
  bool chooseSpeechOutput(const Job& job);
  void pumpOutput(Job& job);
  void onOutputEvent(const speech::OutputEvent& e);
  void outputMark(Job& job, const std::string& mark);
  void outputFailed(Job& job, const Error& e);
  void sayNotice(const Job& job, const char* fr, const char* en, bool own_voice);
  void requeueOutput(Job& job);
  void addWordRef(nlohmann::json& body, const Job& job, const Spoken& sp, int ref) const;
  void armOutputWatchdog();
  void onSpeechFrame(Frame&& f);
  void onOcrDeath(const Error& e);
  void onSpeechDeath(const Error& e);
  void sendOcr(Job& job);
  // Sends the next recognition when the worker has none (see kMaxWaitingOcr).
  void pumpOcr();
  // Jobs in ocrQueue_ not sent to the worker yet (`requests_only`: only `ocr` requests).
  std::size_t ocrWaiting(bool requests_only) const;
  void pumpSpeech();
  AudioOutputOptions audioOptions() const;
  void maybeReopenAudio();
  void audioLost(const Error& e);
  void pumpAudio();
  void emitTimedEvents(Job& job);
  void maybeFinish(Job& job);
  void finish(Job& job, std::optional<Error> error, bool stopped);
  void cancelJob(Job& job);
  void armTick();
  void armOcrWatchdog();
  void armSpeechWatchdog();
  void addBlock(Job& job, Block&& block);
  void drainAdapted(Job& job);
  void commitBlock(Job& job, Block&& block, std::vector<Utterance>* utterances);
  void queueSpeech(Job& job, Utterance&& utterance);
  bool mayRequestSpeech(Job& job);
  void promoteNext();
  void loadSpeechData();
  void emit(Job& job, const std::string& name, nlohmann::json body);
  VoiceChoice voiceFor(const std::string& lang) const;
  Job* find(uint64_t id);
  const Job* find(uint64_t id) const;
  Job* speakingJob();
  AudioSink* sinkFor(Job& job);

  EventLoop& loop_;
  SessionOptions opts_;
  EventSink events_;
  std::shared_ptr<BlockAdapter> adapter_;  // shared: a job keeps the adapter it started with
  AdaptCancel adaptCancel_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<WorkerClient> ocr_, speech_;
  std::unique_ptr<AudioOutput> audio_;            // the sound device and its health (audio/)
  std::unique_ptr<speech::SpeechOutput> output_;  // made on first use
  double screenReaderCheckedMs_ = -1e9;
  double outputNoticeMs_ = -1e9;  // when the last "speech-dispatcher failed" notice was said
  bool screenReaderRunning_ = false;
  std::optional<EventLoop::TimerId> outputWatchdog_;
  bool audioReopenPending_ = false;  // a reload changed the audio options; nothing spoke since
  bool ocrRestartPending_ = false;   // a reload changed the OCR languages; OCR was busy since
  std::optional<Error> ocrProblem_;  // the OCR worker cannot start (a missing model, say)
  int sampleRate_ = 22050;
  bool paused_ = false;
  ReviewCursor review_;
  Box reviewOrigin_;
  bool reviewFromScreen_ = false;
  uint64_t nextJob_ = 1;
  std::map<uint64_t, std::unique_ptr<Job>> jobs_;
  // Jobs that need the OCR worker: the one sent first (its id stays until the worker ends it,
  // even once the job is stopped), then those waiting, in arrival order.
  std::deque<uint64_t> ocrQueue_;
  OcrCache ocrCache_;              // captured images recognised lately
  uint64_t speakingId_ = 0;        // the read/say job that owns speech and the sink
  uint64_t waitingText_ = 0;       // a text job waiting for the message being spoken
  std::deque<uint64_t> messages_;  // message jobs waiting, oldest first
  bool queueFullReported_ = false;
  bool shuttingDown_ = false;
  speech::Voicing voicing_;    // presets, lexicons: what each chunk is said with
  std::vector<int16_t> tone_;  // the doubtful-word signal
  std::optional<EventLoop::TimerId> tick_, ocrWatchdog_, speechWatchdog_;
  double lastOcrFrameMs_ = 0, lastSpeechFrameMs_ = 0;
  // OCR jobs told to cancel and not yet ended by the worker: when the cancel was sent (ms).
  std::map<uint64_t, double> ocrCancels_;
  // When a ping was sent after a speech cancel and no pong came yet (ms; 0: none pending), and
  // whether the last speech worker was killed for not answering it (its utterances in flight
  // are then not to blame).
  double speechPingSentMs_ = 0;
  bool speechKilledAfterCancel_ = false;
};

std::string_view jobKindName(JobKind kind);

}  // namespace liseur
