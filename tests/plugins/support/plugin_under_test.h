// A plugin library under test, loaded with dlopen and called through its C ABI exactly as the
// plugin host calls it (used by the golden tests of the shipped plugins).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "liseur_plugin.h"

namespace liseur::test {

class PluginUnderTest {
 public:
  // Loads DIR/manifest.json and its library, and creates an instance with the manifest's
  // defaults plus `options`. Throws std::runtime_error if the manifest, the library, its entry
  // point or the options are bad; a refused create() is kept in createStatus()/createError().
  explicit PluginUnderTest(const std::string& dir,
                           const nlohmann::json& options = nlohmann::json::object());
  ~PluginUnderTest();
  PluginUnderTest(const PluginUnderTest&) = delete;
  PluginUnderTest& operator=(const PluginUnderTest&) = delete;

  liseur_status createStatus() const { return status_; }
  const std::string& createError() const { return error_; }

  // Calls a hook ("adapt", "speak" or "render"); returns the reply, or {"error": message} with
  // the status in *statusOut (a failure is a test failure when statusOut is null).
  nlohmann::json call(const char* hook, const nlohmann::json& request,
                      liseur_status* statusOut = nullptr);
  // The render hook's "html" (a test failure when there is none).
  std::string html(const nlohmann::json& request);
  // The bytes of the last successful reply, as the plugin wrote them.
  const std::string& rawReply() const { return raw_; }

 private:
  void* handle_ = nullptr;
  const liseur_plugin* api_ = nullptr;
  liseur_plugin_instance* instance_ = nullptr;
  liseur_status status_ = LISEUR_OK;
  std::string error_, raw_;
};

// True when LISEUR_UPDATE_GOLDEN is set: expected files are written instead of compared.
bool updatingGolden();

// Compares `actual` with the JSON file DIR/REL, or writes it when updatingGolden().
void expectGolden(const std::string& dir, const std::string& rel, const nlohmann::json& actual,
                  const std::string& inputRel);

}  // namespace liseur::test
