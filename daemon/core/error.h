// Error values shared by every stage, the IPC and the CLI.
//
// Expected failures are values: a function that can fail returns Result<T>. Each ErrorCode has a
// stable kebab-case name (errorCodeName) that the IPC and the CLI print; names are never reused.
// The list with explanations is docs in ARCHITECTURE.md ("Error codes").
#pragma once

#include <string>
#include <string_view>

namespace liseur {

enum class ErrorCode {
  kInternal,            // internal: a bug; the message says where
  kInvalidArgument,     // invalid-argument: a command argument is missing or of the wrong type
  kUnknownCommand,      // unknown-command: the command name is not known
  kBadRequest,          // bad-request: the line is not a JSON object, or not valid UTF-8
  kLineTooLong,         // line-too-long: a request line exceeds the limit
  kProtocolVersion,     // protocol-version: the client speaks an unsupported protocol
  kFileNotFound,        // file-not-found: no such file
  kNotRegularFile,      // not-a-regular-file: a directory, FIFO, device or a symlink
  kFileUnreadable,      // file-unreadable: permission denied or I/O error
  kFileTooLarge,        // file-too-large: the file exceeds the size limit
  kFileEmpty,           // file-empty: zero-byte file
  kImageUnknownFormat,  // image-unknown-format: not PNG/JPEG/TIFF/BMP/WebP/GIF/PNM
  kImageTooLarge,       // image-too-large: a side > 16384 px or more than 40 Mpx
  kImageCorrupt,        // image-corrupt: truncated or undecodable image data
  kOcrLanguageMissing,  // ocr-language-missing: a Tesseract model is not installed
  kOcrFailed,           // ocr-failed: Tesseract could not recognise the image
  kVoiceMissing,        // voice-missing: the espeak-ng voice is not installed
  kSpeechFailed,        // speech-failed: espeak-ng returned an error
  kWorkerCrashed,       // worker-crashed: a worker process died during the job
  kWorkerTimeout,       // worker-timeout: a worker stopped answering and was killed
  kWorkerUnavailable,   // worker-unavailable: a worker cannot be started
  kAudioDeviceMissing,  // audio-device-missing: no output device
  kAudioFailed,         // audio-failed: the audio device failed
  kWavWriteFailed,      // wav-write-failed: the WAV file could not be written
  kConfigInvalid,       // config-invalid: a configuration file has errors
  kBusy,                // busy: too many requests queued
  kNotRunning,          // not-running: the daemon is not running (CLI)
  kTimeout,             // timeout: a client waited too long
  kCancelled,           // cancelled: never sent as an error; used internally
  kConfigLocked,        // config-locked: a key locked by an administrator cannot be changed
  kConfigWriteFailed,   // config-write-failed: a profile or setting could not be saved
  kDisplayUnavailable,  // display-unavailable: no X11 display (Wayland, or none at all)
  kHotkeyTaken,         // hotkey-taken: another program already grabbed the key
  kClipboardNoImage,    // clipboard-no-image: the clipboard holds no image/png
  kPluginFailed,        // plugin-failed: a plugin returned an error or invalid output
  kPluginUnavailable,   // plugin-unavailable: not installed, bad manifest or refused file
  kQueueFull,           // queue-full: too many requests waiting; the oldest were dropped
  kSpeechDispatcherUnavailable,  // speech-dispatcher-unavailable: cannot connect to it
  kSpeechDispatcherFailed,       // speech-dispatcher-failed: the connection broke, text refused
  kCaptureUnsupported,  // capture-unsupported: this desktop cannot capture that scope (says why)
  kCaptureRefused,      // capture-refused: the user or the desktop refused a screenshot
};

std::string_view errorCodeName(ErrorCode code);
// Parses a kebab-case name back; returns kInternal for an unknown name.
ErrorCode errorCodeFromName(std::string_view name);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  std::string_view name() const { return errorCodeName(code); }
};

}  // namespace liseur
