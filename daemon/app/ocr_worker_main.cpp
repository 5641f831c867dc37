// liseur-ocr-worker: the OCR worker process (see ocr/ocr_worker.h and ocr/ocr_protocol.h).
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/log.h"
#include "core/sandbox.h"
#include "ocr/ocr_worker.h"

int main(int /*argc*/, char** argv) {
  // Tesseract must run single-threaded (see DESIGN.md). libgomp reads OMP_THREAD_LIMIT when it
  // is loaded, which is before main(), so setting it here only takes effect after re-executing
  // ourselves; that costs a few milliseconds once per worker start.
  const char* omp = std::getenv("OMP_THREAD_LIMIT");
  if (!omp || std::strcmp(omp, "1") != 0) {
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::execv("/proc/self/exe", argv);
    // Not fatal: the worker still works, only slower on several cores.
  }
  // One malloc arena: the reader thread allocates little, and every extra arena reserves 64 MiB
  // of address space that the daemon's RLIMIT_AS would have to allow for.
  ::mallopt(M_ARENA_MAX, 2);
  liseur::initLogging("ocr-worker");
  if (!omp || std::strcmp(omp, "1") != 0)
    spdlog::warn("could not re-execute with OMP_THREAD_LIMIT=1: {}", std::strerror(errno));
  // From here on: no network, no exec (core/sandbox.h). A worker that cannot enter it does not
  // read strangers' images.
  if (auto st = liseur::enterWorkerSandbox("ocr worker"); !st) {
    spdlog::error("{}", st.error().message);
    return 1;
  }
  return liseur::ocr::ocrWorkerProgram();
}
