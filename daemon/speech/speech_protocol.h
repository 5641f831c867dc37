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
//
// Details and additions (all optional for the daemon; fields are only ever added):
// - speak: G and U are integers (required). Defaults: voice "en", rate 175, pitch 50, volume 100,
//   wordgap 0. Ranges (else error invalid-argument naming the key): rate 80..900 words per
//   minute (above 450 espeak-ng speeds up with libsonic), pitch 0..100, volume 0..200 (100 is
//   normal), wordgap 0..100 (units of 10 ms). voice: an espeak-ng voice name, optionally with a
//   variant ("fr", "en-gb", "en-us", "fr+f3"); letters, digits and "-_+/" only, at most 64 bytes
//   (else invalid-argument); not installed -> voice-missing naming it.
//   Added: "end_pause" (bool, default true): espeak-ng adds a sentence pause after the text.
//   Added: when "text" is absent, the frame payload is the text (raw bytes, so text that may not
//   be valid UTF-8 can be sent as is; a JSON header can only carry valid UTF-8).
// - Text over kMaxUtteranceBytes is refused (invalid-argument naming the limit). Every byte of an
//   invalid UTF-8 sequence, and every control character other than tab/newline/CR, is replaced
//   by one space per byte before espeak-ng sees it, so mark offsets are byte offsets into the
//   text exactly as sent.
// - mark: offset/length cut out the word as written in the text: letters, digits and combining
//   marks, joined by an apostrophe or hyphen ("m'appelle", "peut-être") or by "." / "," between
//   digits ("3,5"); leading and trailing punctuation excluded; a run of symbols (an emoji) when
//   the word has no letters. espeak-ng may report several words inside one written word (numbers
//   read digit group by digit group): only the first is sent, so within an utterance marks never
//   overlap, offsets increase and samples never decrease. A mark is sent before the pcm frame
//   that holds its sample S, and S < N.
// - pcm frames hold at most one espeak-ng buffer (kSynthBufferMs) each; the first one of an
//   utterance is sent as soon as espeak-ng produces it.
// - ready: added "buffer_ms". Sent once the phoneme tables are loaded (the default voice is
//   selected first), so the first utterance is not slower than the next ones. If espeak-ng cannot
//   initialise, the worker sends instead
//   {"ev":"error","code":"speech-failed","message":...} (no gen/utt) and exits with status 1.
// - cancel: generations stay cancelled; a later speak with gen <= G is dropped silently. Once the
//   worker has read a cancel, it sends no frame of a cancelled generation, so a pong (or any
//   frame) sent after a ping that followed the cancel is never followed by such a frame.
// - error without gen/utt: a request that is not a speak (unknown op -> unknown-command, a cancel
//   without an integer gen -> invalid-argument), or more than kMaxQueuedRequests speak requests
//   waiting (busy, sent at once, so before the end of earlier utterances).
// - A frame that cannot be read (bad lengths, a header that is not a JSON object) is a broken
//   daemon: the worker sends {"ev":"error","code":"bad-request",...}, then exits with status 3.
//   On EOF the worker cancels what it was doing and exits with status 0.
// - espeak-ng 1.51 abort()s on some texts (`s'` repeated 220 times): the worker then dies by
//   SIGABRT without sending end or error; the daemon restarts it.
#pragma once

namespace liseur::speech {

inline constexpr const char* kWorkerProgram = "liseur-speech-worker";
inline constexpr int kMaxUtteranceBytes = 4096;

// espeak-ng's synthesis buffer: the size of a pcm frame, hence the delay to the first one.
inline constexpr int kSynthBufferMs = 60;
// Speak requests waiting behind the current utterance before new ones get `busy`.
inline constexpr int kMaxQueuedRequests = 1024;

}  // namespace liseur::speech
