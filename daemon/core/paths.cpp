#include "core/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace liseur {
namespace {

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v == '/') ? std::string(v) : fallback;
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h && *h ? h : "/tmp";
}

}  // namespace

std::string runtimeDir() {
  const char* x = std::getenv("XDG_RUNTIME_DIR");
  if (x && *x == '/') return std::string(x) + "/liseur";
  return "/tmp/liseur-" + std::to_string(::getuid());
}

std::string socketPath() {
  return runtimeDir() + "/socket";
}

Status ensureRuntimeDir() {
  std::string dir = runtimeDir();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return makeError(ErrorCode::kInternal, "cannot create " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return makeError(ErrorCode::kInternal, "cannot stat " + dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return makeError(ErrorCode::kInternal, dir + " is not a directory (refusing to use it)");
  if (st.st_uid != ::getuid())
    return makeError(ErrorCode::kInternal, dir + " belongs to another user (refusing to use it)");
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    return makeError(ErrorCode::kInternal, dir + " is accessible to others and cannot be fixed");
  return okStatus();
}

std::string userConfigDir() {
  return envOr("XDG_CONFIG_HOME", home() + "/.config") + "/liseur";
}
std::string dataDir() {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("LISEUR_DATA_DIR"); d && *d) return d;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
#ifdef LISEUR_SOURCE_DIR
  // A program in the build tree reads the shipped data from the source tree it was built from.
  if (!ec && fs::exists(self.parent_path() / "CMakeFiles") &&
      fs::exists(fs::path(LISEUR_SOURCE_DIR) / "config"))
    return LISEUR_SOURCE_DIR;
#endif
  return LISEUR_DATADIR;
}

}  // namespace liseur
