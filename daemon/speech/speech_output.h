// Speech that another program says: the daemon's side of an external speech service (the user's
// speech-dispatcher, dispatcher_output.h), as opposed to liseur's own voice (the speech worker,
// espeak-ng PCM played by the daemon's audio sink).
//
// The Session chooses per job between the two (control/session.cpp, Session::usesSpeechOutput):
// `speech.output` = "liseur", "speech-dispatcher" or "auto" (speech-dispatcher when a screen
// reader, Orca, runs for this user). An external service is given SSML with a
// <mark name="..."/> before each word; it reports when it begins, reaches each mark, ends or was
// cancelled, and the Session turns those reports into the same events as for its own voice.
//
// No libspeechd here: this header and speech_output.cpp are plain C++ (unit tested alone).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace liseur::speech {

// speech.output in the configuration.
enum class OutputMode { kLiseur, kSpeechDispatcher, kAuto };
std::optional<OutputMode> outputModeFromName(std::string_view name);
std::string_view outputModeName(OutputMode mode);

// Whether a screen reader runs for user `uid`: a process named "orca" (its comm, or a python
// interpreter running a script named orca) whose /proc entry belongs to `uid`. Reads `procDir`
// (a test may point it elsewhere); never fails (an unreadable entry is skipped).
bool screenReaderRunning(uid_t uid, const std::string& procDir = "/proc");

// SSIP priorities, as speech-dispatcher applies them across all its clients: text interrupts
// text; message is never interrupted by text (it waits for messages, and cancels text);
// notification is spoken only when nothing else is.
enum class OutputPriority { kText, kMessage, kNotification };

// What an external service reports about a message given to SpeechOutput::speak.
struct OutputEvent {
  enum class Kind {
    kBegin,      // the message started to sound
    kMark,       // the audio reached `mark`
    kEnd,        // the whole message was spoken
    kCancelled,  // cancelled: by cancel(), or by another program's more urgent speech
    kFailed,     // never spoken or cut off: `error` says why (no service, connection lost)
  };
  Kind kind = Kind::kBegin;
  uint64_t message = 0;        // the id speak() returned
  std::string mark;            // kMark
  std::optional<Error> error;  // kFailed
};

// An external speech service. Owned and called on one thread (the daemon's loop); its events
// are delivered on that thread through the Post function given at creation, in the order the
// service sent them, and never after the object is destroyed. No call blocks: the service is
// reached from a thread of the implementation.
class SpeechOutput {
 public:
  using Post = std::function<void(std::function<void()>)>;  // runs a task on the owner's thread
  using Listener = std::function<void(const OutputEvent&)>;
  virtual ~SpeechOutput() = default;

  // Queues one SSML document (<speak>...</speak>, SsmlBuilder) in language `lang` ("fr", "en")
  // at `priority`, in the user's own voice and rate. Returns its id at once; what happens to it
  // comes as events with that id (kFailed when the service cannot be reached: connecting is done
  // here, lazily, on first use).
  virtual uint64_t speak(std::string ssml, std::string lang, OutputPriority priority) = 0;
  // Silences this client at once and drops everything it queued (kCancelled events follow).
  virtual void cancel() = 0;
  // Whether the service was reached, and the last problem ("" if none).
  virtual nlohmann::json status() const = 0;
};

// Builds the SSML given to SpeechOutput::speak: text escaped for XML, marks, raised pitch.
// Sentences are wrapped in <s> elements: espeak-ng 1.51 (speech-dispatcher's usual module) drops
// a <mark> that follows a full stop and a space unless the new sentence opens its own element.
// Text that is not valid UTF-8, and control characters, become spaces (speech-dispatcher drops a
// whole message that is not UTF-8 without a word).
class SsmlBuilder {
 public:
  void text(std::string_view utf8);
  void mark(std::string_view name);  // name: [A-Za-z0-9_.-]
  void raisedPitch(bool on);         // <prosody pitch="+25%">; never across a sentence end
  std::string take();                // "<speak>...</speak>"; the builder is empty again after

 private:
  void openSentence();
  std::string out_;
  bool sentenceOpen_ = false;
  bool afterStop_ = false;  // the last character was . ! ? or …
  bool prosody_ = false;
};

}  // namespace liseur::speech
