// Shared helpers for the config tests: a private SYSTEM / USER / SHIPPED tree per test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "config/config_store.h"
#include "support/test_env.h"

namespace liseur::config::test {

class ConfigTree {
 public:
  ConfigTree() {
    dirs_.systemDir = xdg_.path("etc/liseur");
    dirs_.userDir = xdg_.path("config/liseur");
    dirs_.shippedDir = xdg_.path("shipped/config");
    for (const auto& d :
         {dirs_.systemProfilesDir(), dirs_.userProfilesDir(), dirs_.shippedProfilesDir()})
      std::filesystem::create_directories(d);
    // Every tree has a shipped default profile, as an installed liseur does.
    shipped("default", "[profile]\nname = \"default\"\n");
  }

  const ConfigDirs& dirs() const { return dirs_; }
  const liseur::test::TempXdg& xdg() const { return xdg_; }

  std::string systemMain(const std::string& text) { return put(dirs_.systemMainFile(), text); }
  std::string userMain(const std::string& text) { return put(dirs_.userMainFile(), text); }
  std::string systemProfile(const std::string& name, const std::string& text) {
    return put(dirs_.systemProfilesDir() + "/" + name + ".toml", text);
  }
  std::string userProfile(const std::string& name, const std::string& text) {
    return put(dirs_.userProfilesDir() + "/" + name + ".toml", text);
  }
  std::string shipped(const std::string& name, const std::string& text) {
    return put(dirs_.shippedProfilesDir() + "/" + name + ".toml", text);
  }
  static std::string put(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    liseur::test::writeFile(path, text);
    return path;
  }

 private:
  liseur::test::TempXdg xdg_;
  ConfigDirs dirs_;
};

inline std::string dump(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.empty() ? std::string("(no diagnostics)") : formatDiagnostics(diagnostics);
}

}  // namespace liseur::config::test
