#include "core/error.h"

#include <array>
#include <utility>

namespace liseur {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 41> kNames{{
    {ErrorCode::kInternal, "internal"},
    {ErrorCode::kInvalidArgument, "invalid-argument"},
    {ErrorCode::kUnknownCommand, "unknown-command"},
    {ErrorCode::kBadRequest, "bad-request"},
    {ErrorCode::kLineTooLong, "line-too-long"},
    {ErrorCode::kProtocolVersion, "protocol-version"},
    {ErrorCode::kFileNotFound, "file-not-found"},
    {ErrorCode::kNotRegularFile, "not-a-regular-file"},
    {ErrorCode::kFileUnreadable, "file-unreadable"},
    {ErrorCode::kFileTooLarge, "file-too-large"},
    {ErrorCode::kFileEmpty, "file-empty"},
    {ErrorCode::kImageUnknownFormat, "image-unknown-format"},
    {ErrorCode::kImageTooLarge, "image-too-large"},
    {ErrorCode::kImageCorrupt, "image-corrupt"},
    {ErrorCode::kOcrLanguageMissing, "ocr-language-missing"},
    {ErrorCode::kOcrFailed, "ocr-failed"},
    {ErrorCode::kVoiceMissing, "voice-missing"},
    {ErrorCode::kSpeechFailed, "speech-failed"},
    {ErrorCode::kWorkerCrashed, "worker-crashed"},
    {ErrorCode::kWorkerTimeout, "worker-timeout"},
    {ErrorCode::kWorkerUnavailable, "worker-unavailable"},
    {ErrorCode::kAudioDeviceMissing, "audio-device-missing"},
    {ErrorCode::kAudioFailed, "audio-failed"},
    {ErrorCode::kWavWriteFailed, "wav-write-failed"},
    {ErrorCode::kConfigInvalid, "config-invalid"},
    {ErrorCode::kBusy, "busy"},
    {ErrorCode::kNotRunning, "not-running"},
    {ErrorCode::kTimeout, "timeout"},
    {ErrorCode::kCancelled, "cancelled"},
    {ErrorCode::kConfigLocked, "config-locked"},
    {ErrorCode::kConfigWriteFailed, "config-write-failed"},
    {ErrorCode::kDisplayUnavailable, "display-unavailable"},
    {ErrorCode::kHotkeyTaken, "hotkey-taken"},
    {ErrorCode::kClipboardNoImage, "clipboard-no-image"},
    {ErrorCode::kPluginFailed, "plugin-failed"},
    {ErrorCode::kPluginUnavailable, "plugin-unavailable"},
    {ErrorCode::kQueueFull, "queue-full"},
    {ErrorCode::kSpeechDispatcherUnavailable, "speech-dispatcher-unavailable"},
    {ErrorCode::kSpeechDispatcherFailed, "speech-dispatcher-failed"},
    {ErrorCode::kCaptureUnsupported, "capture-unsupported"},
    {ErrorCode::kCaptureRefused, "capture-refused"},
}};

}  // namespace

std::string_view errorCodeName(ErrorCode code) {
  for (const auto& [c, n] : kNames)
    if (c == code) return n;
  return "internal";
}

ErrorCode errorCodeFromName(std::string_view name) {
  for (const auto& [c, n] : kNames)
    if (n == name) return c;
  return ErrorCode::kInternal;
}

}  // namespace liseur
