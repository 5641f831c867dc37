// liseur-speech-worker: started by liseurd (core/subprocess.h) with its socket on fd 3; speaks
// the protocol of speech/speech_protocol.h. Not meant to be run by hand.
#include <malloc.h>

#include <csignal>
#include <cstdio>

#include "core/log.h"
#include "core/sandbox.h"
#include "core/worker_main.h"
#include "speech/speech_worker.h"

int main() {
  liseur::initLogging("speech-worker");
  // A daemon that goes away must give a write error, not kill us mid-utterance with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // The daemon caps our address space (RLIMIT_AS). glibc gives each new thread its own arena by
  // reserving 64 MB of address space; under a cap of 128 MB or less that fails and synthesis
  // was measured 15x slower. Our two threads (one only reads frames) share one arena fine.
  mallopt(M_ARENA_MAX, 1);
  const int fd = liseur::workerFdFromEnv();
  if (fd < 0) {
    std::fprintf(stderr,
                 "liseur-speech-worker: LISEUR_WORKER_FD is not set; this program is started by "
                 "liseurd\n");
    return 2;
  }
  // No network, no exec from here on (core/sandbox.h): the text it is given is anyone's.
  if (auto st = liseur::enterWorkerSandbox("speech worker"); !st) {
    spdlog::error("{}", st.error().message);
    return 1;
  }
  return liseur::speech::SpeechWorker(fd).run();
}
