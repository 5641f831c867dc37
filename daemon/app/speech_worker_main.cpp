// liseur-speech-worker: started by liseurd (core/subprocess.h) with its socket on fd 3; speaks
// the protocol of speech/speech_protocol.h. Not meant to be run by hand.
#include <csignal>
#include <cstdio>

#include "core/log.h"
#include "core/worker_main.h"
#include "speech/speech_worker.h"

int main() {
  liseur::initLogging("speech-worker");
  // A daemon that goes away must give a write error, not kill us mid-utterance with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const int fd = liseur::workerFdFromEnv();
  if (fd < 0) {
    std::fprintf(stderr,
                 "liseur-speech-worker: LISEUR_WORKER_FD is not set; this program is started by "
                 "liseurd\n");
    return 2;
  }
  return liseur::speech::SpeechWorker(fd).run();
}
