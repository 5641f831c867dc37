#include "plugins/support/plugin_under_test.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "plugins/plugin_manifest.h"
#include "support/test_env.h"

namespace liseur::test {
namespace {

using nlohmann::json;

// The host side of liseur_output: collects what the plugin writes and its error message.
struct Out {
  liseur_output c{sizeof(liseur_output), this, &Out::write, &Out::setError};
  std::string data, error;
  static liseur_status write(liseur_output* o, const char* d, size_t n) {
    static_cast<Out*>(o->host_data)->data.append(d, n);
    return LISEUR_OK;
  }
  static void setError(liseur_output* o, const char* d, size_t n) {
    static_cast<Out*>(o->host_data)->error.assign(d, n);
  }
};

}  // namespace

PluginUnderTest::PluginUnderTest(const std::string& dir, const json& options) {
  auto m = liseur::plugins::readManifest(dir + "/manifest.json");
  if (!m) throw std::runtime_error(m.error().message);
  handle_ = ::dlopen((dir + "/" + m->library).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw std::runtime_error(::dlerror());
  auto entry =
      reinterpret_cast<liseur_plugin_entry_fn>(::dlsym(handle_, LISEUR_PLUGIN_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error("no entry point");
  api_ = entry(LISEUR_PLUGIN_ABI_VERSION);
  auto opts = liseur::plugins::resolveOptions(*m, options);
  if (!opts) throw std::runtime_error(opts.error().message);
  std::string text = opts->dump();
  Out err;
  status_ = api_->create(text.data(), text.size(), &instance_, &err.c);
  error_ = err.error;
  if (status_ != LISEUR_OK) instance_ = nullptr;
}

PluginUnderTest::~PluginUnderTest() {
  if (instance_ && api_->destroy) api_->destroy(instance_);
  if (handle_) ::dlclose(handle_);
}

json PluginUnderTest::call(const char* hook, const json& request, liseur_status* statusOut) {
  if (!instance_) {
    ADD_FAILURE() << "create failed: " << error_;
    return {};
  }
  const std::string name(hook);
  liseur_hook_fn fn = name == "adapt" ? api_->adapt : name == "speak" ? api_->speak : api_->render;
  EXPECT_NE(fn, nullptr) << hook;
  if (!fn) return {};
  std::string text = request.dump();
  Out out;
  liseur_status st = fn(instance_, text.data(), text.size(), &out.c);
  if (statusOut) *statusOut = st;
  if (st != LISEUR_OK) {
    if (!statusOut) ADD_FAILURE() << hook << " failed with status " << st << ": " << out.error;
    return json{{"error", out.error}};
  }
  raw_ = out.data;
  json reply = json::parse(out.data, nullptr, false);
  EXPECT_FALSE(reply.is_discarded()) << "reply is not JSON: " << out.data.substr(0, 200);
  return reply;
}

std::string PluginUnderTest::html(const json& request) {
  json r = call("render", request);
  EXPECT_TRUE(r.contains("html") && r["html"].is_string()) << r.dump().substr(0, 300);
  return r.value("html", std::string());
}

bool updatingGolden() {
  return std::getenv("LISEUR_UPDATE_GOLDEN") != nullptr;
}

void expectGolden(const std::string& dir, const std::string& rel, const json& actual,
                  const std::string& inputRel) {
  const std::string path = dir + "/" + rel;
  const std::string text = actual.dump(1, ' ', false) + "\n";
  if (updatingGolden()) {
    writeFile(path, text);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; run with LISEUR_UPDATE_GOLDEN=1 and review it";
  json expected = json::parse(readFile(path));
  EXPECT_EQ(actual, expected) << "input: " << inputRel << "\nexpected (" << rel << "):\n"
                              << expected.dump(1) << "\nactual:\n"
                              << text;
}

}  // namespace liseur::test
