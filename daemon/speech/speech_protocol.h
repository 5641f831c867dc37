// The speech worker's protocol (frames of core/frame.h over the socketpair, fd 3 in the worker).
//
// The worker owns espeak-ng (process-global state: exactly one owner), in synchronous mode.
// espeak-ng 1.51 can abort() on hostile text: the daemon treats the worker as losable.
//
// daemon -> worker
//   {"op":"speak","gen":G,"utt":U,"text":"...","voice":"fr","rate":175,"pitch":50,
//    "volume":100,"wordgap":0}
//       Synthesise one utterance (UTF-8). Requests are handled in order.
//   {"op":"cancel","gen":G}   Drop every utterance of generation <= G, now and queued.
//   {"op":"ping"}             Answered by {"ev":"pong"}.
//
// worker -> daemon
//   {"ev":"ready","sample_rate":22050,"espeak":"1.51"}        once, after espeak_Initialize
//   {"ev":"pcm","gen":G,"utt":U}  + payload: int16 little-endian mono samples, in order
//   {"ev":"mark","gen":G,"utt":U,"offset":O,"length":L,"sample":S}
//       the word at byte offset O (length L bytes) of the utterance text starts at sample S of
//       this utterance's audio (counted from the utterance's first sample)
//   {"ev":"end","gen":G,"utt":U,"samples":N}                  utterance finished, N samples total
//   {"ev":"error","gen":G,"utt":U,"code":"voice-missing","message":"..."}
//
// Every speak request ends with exactly one end or error, unless cancelled (then nothing more is
// sent for it).
#pragma once

namespace liseur::speech {

inline constexpr const char* kWorkerProgram = "liseur-speech-worker";
inline constexpr int kMaxUtteranceBytes = 4096;

}  // namespace liseur::speech
