#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace liseur {

Result<int> openOutputFile(const std::string& path, int* errno_out) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (errno_out) *errno_out = err;
    return makeError(ErrorCode::kWavWriteFailed,
                     "cannot create WAV file " + path + ": " +
                         (err == ENXIO ? std::string("a FIFO with no reader")
                                       : std::string(std::strerror(err))));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return makeError(ErrorCode::kWavWriteFailed,
                     "cannot write a WAV file to " + path +
                         ": not a regular file (a FIFO, a socket or a device)");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace liseur
