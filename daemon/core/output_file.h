// Opening a file the speech is written to (`--to-wav`), the same way in the `liseur` command,
// which opens it with the user's rights and passes the descriptor, and in the daemon, which opens
// a path a D-Bus client named: never blocking (a FIFO with no reader, a device, would stop the
// caller in open() or in every write), only a regular file, readable by its owner only (it is the
// screen's text, spoken), close-on-exec. The descriptor is left blocking for the writes.
#pragma once

#include <string>

#include "core/result.h"

namespace liseur {

// The descriptor (the caller closes it), or kWavWriteFailed naming the file: "cannot create WAV
// file PATH: <why>" (a FIFO with no reader, or the system's reason) or "cannot write a WAV file
// to PATH: not a regular file (...)". `errno_out`, when given, gets open()'s errno on failure.
Result<int> openOutputFile(const std::string& path, int* errno_out = nullptr);

}  // namespace liseur
