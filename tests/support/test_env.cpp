#include "support/test_env.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace liseur::test {
namespace fs = std::filesystem;

TempXdg::TempXdg() {
  std::string tmpl = (fs::temp_directory_path() / "liseur-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  for (const char* d : {"run", "config", "cache", "home"}) fs::create_directories(root_ + "/" + d);
  fs::permissions(root_ + "/run", fs::perms::owner_all, fs::perm_options::replace);
  ::setenv("XDG_RUNTIME_DIR", (root_ + "/run").c_str(), 1);
  ::setenv("XDG_CONFIG_HOME", (root_ + "/config").c_str(), 1);
  ::setenv("XDG_CACHE_HOME", (root_ + "/cache").c_str(), 1);
  ::setenv("HOME", (root_ + "/home").c_str(), 1);
}

TempXdg::~TempXdg() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string dataPath(const std::string& rel) {
  return std::string(LISEUR_TEST_DATA) + "/" + rel;
}

std::string programPath(const std::string& name) {
  for (const char* sub : {"/daemon/app/", "/plugins/", "/"}) {
    std::string p = std::string(LISEUR_BUILD_DIR) + sub + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::string(LISEUR_BUILD_DIR) + "/daemon/app/" + name;
}

std::string sharedPath(const std::string& rel) {
  fs::path p = fs::path(LISEUR_SHARED_DIR) / rel;
  return fs::exists(p) ? p.string() : std::string();
}

bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return pred();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace liseur::test
