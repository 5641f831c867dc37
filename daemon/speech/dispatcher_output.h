// The user's speech-dispatcher as a SpeechOutput (speech_output.h), through libspeechd.
//
// One SSIP connection ("liseur:reader"), made lazily on the first speak() from a thread of its
// own, so the daemon's loop never waits for the socket: the address is libspeechd's default
// (SPEECHD_ADDRESS, else $XDG_RUNTIME_DIR/speech-dispatcher/speechd.sock) and a server that is
// not running is autospawned as libspeechd does for every client (`speech-dispatcher --spawn`,
// or $SPEECHD_CMD). Messages are SSML (SPD_DATA_SSML); only the language is set, so the user's
// own voice, rate and synthesiser speak. After a failed connection, the next attempt waits 2 s
// (messages meanwhile fail at once with the same error). A connection that breaks is reported
// as kFailed for the messages it was speaking, and made again on the next speak().
//
// Errors (OutputEvent::error): speech-dispatcher-unavailable (not installed, not running and
// cannot be started, refused the connection; the message says what to do),
// speech-dispatcher-failed (the connection broke, or a message was refused).
#pragma once

#include <memory>

#include "speech/speech_output.h"

namespace liseur::speech {

std::unique_ptr<SpeechOutput> makeDispatcherOutput(SpeechOutput::Post post,
                                                   SpeechOutput::Listener listener);

}  // namespace liseur::speech
