#include "config/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "config/diagnostic.h"

namespace liseur::config {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kTempMarker = ".tmp-";

int hook(const AtomicWriteOptions& options, SaveStep step) {
  if (options.hooks && options.hooks->beforeStep) return options.hooks->beforeStep(step);
  return 0;
}

std::string tempNameFor(const std::string& base) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format(".{}{}{}-{:06x}", base, kTempMarker, ::getpid(), rng() & 0xffffff);
}

Status failure(const std::string& path, SaveStep step, int err, bool oldKept = true) {
  return makeError(
      ErrorCode::kConfigWriteFailed,
      fmt::format("cannot save {}: {} failed: {}{}", path, saveStepName(step), std::strerror(err),
                  oldKept ? " (the previous file is unchanged)" : ""));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

}  // namespace

std::string_view saveStepName(SaveStep step) {
  switch (step) {
    case SaveStep::kOpen:
      return "open";
    case SaveStep::kWrite:
      return "write";
    case SaveStep::kFsync:
      return "fsync";
    case SaveStep::kLink:
      return "link";
    case SaveStep::kRename:
      return "rename";
    case SaveStep::kFsyncDir:
      return "fsync of the directory";
  }
  return "?";
}

bool isAtomicTempName(std::string_view name) {
  return name.size() > 1 && name[0] == '.' && name.find(kTempMarker) != std::string_view::npos;
}

std::size_t removeStaleTempFiles(const std::string& path) {
  fs::path target(path);
  const std::string prefix = "." + target.filename().string() + std::string(kTempMarker);
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(target.parent_path().empty() ? "." : target.parent_path(), ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // ".NAME.tmp-PID-XXXXXX": only a dead writer's file is stale; a live one may be mid-save.
    std::string rest = name.substr(prefix.size());
    char* endp = nullptr;
    long pid = std::strtol(rest.c_str(), &endp, 10);
    if (pid <= 0 || !endp || *endp != '-') continue;
    if (pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      if (fs::remove(it->path(), rm)) ++removed;
    }
  }
  return removed;
}

Status atomicWriteFile(const std::string& pathAsGiven, std::string_view content,
                       const AtomicWriteOptions& options) {
  // A linked file (dotfiles kept in a repository) is replaced where it really lives, so that
  // the link survives the save.
  std::string path = pathAsGiven;
  std::error_code linkEc;
  if (fs::is_symlink(fs::symlink_status(path, linkEc))) {
    fs::path real = fs::weakly_canonical(path, linkEc);
    if (!linkEc) path = real.string();
  }
  fs::path target(path);
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  const std::string base = target.filename().string();
  removeStaleTempFiles(path);

  mode_t mode = options.mode;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;

  if (int err = hook(options, SaveStep::kOpen)) return failure(path, SaveStep::kOpen, err);
  // O_TMPFILE: the file has no name until it is complete, so a kill at any point while writing
  // leaves nothing to clean up.
  Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  std::string tempPath;  // set once the data has a name in the directory
  bool named = false;
  if (fd.get() < 0) {
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
      return failure(path, SaveStep::kOpen, errno);
    tempPath = dir + "/" + tempNameFor(base);
    fd.reset(::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return failure(path, SaveStep::kOpen, errno);
    named = true;
  }
  auto fail = [&](SaveStep step, int err) {
    if (named) ::unlink(tempPath.c_str());
    return failure(path, step, err);
  };

  std::size_t done = 0;
  while (done < content.size()) {
    if (int err = hook(options, SaveStep::kWrite)) return fail(SaveStep::kWrite, err);
    std::size_t n =
        std::min(options.chunkBytes ? options.chunkBytes : content.size(), content.size() - done);
    ssize_t w = ::write(fd.get(), content.data() + done, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return fail(SaveStep::kWrite, errno);
    if (w == 0) return fail(SaveStep::kWrite, ENOSPC);
    done += static_cast<std::size_t>(w);
  }
  if (::fchmod(fd.get(), mode) != 0) return fail(SaveStep::kWrite, errno);
  if (int err = hook(options, SaveStep::kFsync)) return fail(SaveStep::kFsync, err);
  if (::fsync(fd.get()) != 0) return fail(SaveStep::kFsync, errno);

  if (!named) {
    if (int err = hook(options, SaveStep::kLink)) return fail(SaveStep::kLink, err);
    // linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link works for anyone.
    const std::string procPath = fmt::format("/proc/self/fd/{}", fd.get());
    for (int attempt = 0; attempt < 8 && !named; ++attempt) {
      tempPath = dir + "/" + tempNameFor(base);
      if (::linkat(AT_FDCWD, procPath.c_str(), AT_FDCWD, tempPath.c_str(), AT_SYMLINK_FOLLOW) == 0)
        named = true;
      else if (errno != EEXIST)
        return fail(SaveStep::kLink, errno);
    }
    if (!named) return fail(SaveStep::kLink, EEXIST);
  }
  if (int err = hook(options, SaveStep::kRename)) return fail(SaveStep::kRename, err);
  if (::rename(tempPath.c_str(), path.c_str()) != 0) return fail(SaveStep::kRename, errno);
  named = false;
  fd.reset();

  // Without this the rename itself may not survive a power cut.
  int err = hook(options, SaveStep::kFsyncDir);
  Fd dfd(err ? -1 : ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!err && dfd.get() < 0) err = errno;
  if (!err && ::fsync(dfd.get()) != 0) err = errno;
  if (err) return failure(path, SaveStep::kFsyncDir, err, false);
  return okStatus();
}

}  // namespace liseur::config
