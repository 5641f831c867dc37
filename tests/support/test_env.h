// Test helpers shared by every suite.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace liseur::test {

// A fresh temporary directory (removed by the destructor) with XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
// XDG_CACHE_HOME and HOME pointing inside it, so a test never touches the real user's files.
class TempXdg {
 public:
  TempXdg();
  ~TempXdg();
  TempXdg(const TempXdg&) = delete;
  TempXdg& operator=(const TempXdg&) = delete;
  const std::string& root() const { return root_; }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }

 private:
  std::string root_;
};

// tests/data/<rel>
std::string dataPath(const std::string& rel);
// The build tree's program (liseurd, liseur, liseur-ocr-worker...).
std::string programPath(const std::string& name);
// ../shared relative to the source tree; empty when absent.
std::string sharedPath(const std::string& rel);

// Polls pred every 10 ms until it is true or the timeout passes; returns its last value.
bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

}  // namespace liseur::test
