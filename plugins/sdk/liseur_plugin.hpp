// liseur plugin SDK, C++ side: turns an ordinary class into the C ABI of liseur_plugin.h.
//
// A plugin class has a constructor taking its options (a JSON object with every option of the
// manifest present, defaults applied) and any of three hook methods:
//
//   class Shout {
//    public:
//     explicit Shout(const nlohmann::json& options);
//     nlohmann::json adapt(nlohmann::json document);         // document -> document
//     nlohmann::json speak(const nlohmann::json& document);  // document -> array of utterances
//     std::string render(const nlohmann::json& request);     // {document, options, narration?}
//   };                                                       //   -> self-contained HTML
//   LISEUR_PLUGIN_EXPORT(Shout, "shout", "1.0.0")
//
// The helper unwraps and wraps the request/reply objects of the ABI, offers exactly the hooks
// the class has (detected at compile time), and stops every exception at the boundary: a
// liseur::sdk::PluginError returns its own status and message, a nlohmann::json exception (a
// member missing or of the wrong type) returns LISEUR_ERR_INVALID_INPUT, std::bad_alloc returns
// LISEUR_ERR_NO_MEMORY, anything else LISEUR_ERR_INTERNAL, each with a message.
//
// Threads: one call at a time per instance (the host guarantees it).
// Build plugins with -fvisibility=hidden so that liseur_plugin_entry is the only exported
// symbol (plugins/sdk/liseur_plugin.cmake does this).
#pragma once

#include <concepts>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "liseur_plugin.h"

namespace liseur::sdk {

// Throw this from a plugin to fail a call with a chosen status (e.g. LISEUR_ERR_INVALID_OPTIONS
// from the constructor) and a message naming what was wrong.
class PluginError : public std::runtime_error {
 public:
  PluginError(liseur_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  liseur_status status() const { return status_; }

 private:
  liseur_status status_;
};

template <typename T>
concept HasAdapt = requires(T& t, nlohmann::json j) {
  { t.adapt(std::move(j)) } -> std::convertible_to<nlohmann::json>;
};
template <typename T>
concept HasSpeak = requires(T& t, const nlohmann::json& j) {
  { t.speak(j) } -> std::convertible_to<nlohmann::json>;
};
template <typename T>
concept HasRender = requires(T& t, const nlohmann::json& j) {
  { t.render(j) } -> std::convertible_to<std::string>;
};

namespace detail {

inline void setError(liseur_output* out, std::string_view message) noexcept {
  if (out && out->set_error) out->set_error(out, message.data(), message.size());
}

template <typename F>
liseur_status guard(liseur_output* out, F&& body) noexcept {
  try {
    return body();
  } catch (const PluginError& e) {
    setError(out, e.what());
    return e.status();
  } catch (const nlohmann::json::exception& e) {
    setError(out, std::string("invalid input: ") + e.what());
    return LISEUR_ERR_INVALID_INPUT;
  } catch (const std::bad_alloc&) {
    setError(out, "out of memory");
    return LISEUR_ERR_NO_MEMORY;
  } catch (const std::exception& e) {
    setError(out, e.what());
    return LISEUR_ERR_INTERNAL;
  } catch (...) {
    setError(out, "unknown exception");
    return LISEUR_ERR_INTERNAL;
  }
}

inline nlohmann::json parseRequest(const char* data, std::size_t length) {
  auto j = nlohmann::json::parse(data, data + length, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw PluginError(LISEUR_ERR_INVALID_INPUT, "the request is not a JSON object");
  return j;
}

inline nlohmann::json takeDocument(nlohmann::json& request) {
  auto it = request.find("document");
  if (it == request.end() || !it->is_object())
    throw PluginError(LISEUR_ERR_INVALID_INPUT, "the request has no \"document\" object");
  return std::move(*it);
}

inline liseur_status writeJson(liseur_output* out, const nlohmann::json& reply) {
  // Invalid UTF-8 in strings is replaced rather than thrown on: the host validates again anyway.
  const std::string s = reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out->write(out, s.data(), s.size());
}

template <typename T>
T& self(liseur_plugin_instance* instance) {
  return *reinterpret_cast<T*>(instance);
}

template <typename T>
struct Bridge {
  static liseur_status create(const char* options, std::size_t length,
                              liseur_plugin_instance** instance, liseur_output* err) noexcept {
    return guard(err, [&] {
      nlohmann::json opts = nlohmann::json::object();
      if (length > 0) {
        opts = nlohmann::json::parse(options, options + length, nullptr, false);
        if (opts.is_discarded() || !opts.is_object())
          throw PluginError(LISEUR_ERR_INVALID_OPTIONS, "the options are not a JSON object");
      }
      *instance = reinterpret_cast<liseur_plugin_instance*>(new T(opts));
      return LISEUR_OK;
    });
  }

  static void destroy(liseur_plugin_instance* instance) noexcept {
    delete reinterpret_cast<T*>(instance);
  }

  static liseur_status adapt(liseur_plugin_instance* instance, const char* request,
                             std::size_t length, liseur_output* out) noexcept {
    return guard(out, [&] {
      nlohmann::json req = parseRequest(request, length);
      nlohmann::json doc = self<T>(instance).adapt(takeDocument(req));
      return writeJson(out, nlohmann::json{{"document", std::move(doc)}});
    });
  }

  static liseur_status speak(liseur_plugin_instance* instance, const char* request,
                             std::size_t length, liseur_output* out) noexcept {
    return guard(out, [&] {
      nlohmann::json req = parseRequest(request, length);
      nlohmann::json utts = self<T>(instance).speak(takeDocument(req));
      return writeJson(out, nlohmann::json{{"utterances", std::move(utts)}});
    });
  }

  static liseur_status render(liseur_plugin_instance* instance, const char* request,
                              std::size_t length, liseur_output* out) noexcept {
    return guard(out, [&] {
      nlohmann::json req = parseRequest(request, length);
      if (!req.contains("document") || !req["document"].is_object())
        throw PluginError(LISEUR_ERR_INVALID_INPUT, "the request has no \"document\" object");
      std::string html = self<T>(instance).render(req);
      return writeJson(out, nlohmann::json{{"html", std::move(html)}});
    });
  }
};

template <typename T>
constexpr liseur_hook_fn adaptFn() {
  if constexpr (HasAdapt<T>)
    return &Bridge<T>::adapt;
  else
    return nullptr;
}
template <typename T>
constexpr liseur_hook_fn speakFn() {
  if constexpr (HasSpeak<T>)
    return &Bridge<T>::speak;
  else
    return nullptr;
}
template <typename T>
constexpr liseur_hook_fn renderFn() {
  if constexpr (HasRender<T>)
    return &Bridge<T>::render;
  else
    return nullptr;
}

}  // namespace detail

// The struct for class T. `id` and `version` must be string literals (they must outlive the
// library's use).
template <typename T>
const liseur_plugin* pluginTable(uint32_t hostAbi, const char* id, const char* version) {
  if (hostAbi < 1) return nullptr;  // ABI 1 is the first; a newer host still reads our struct
  using B = detail::Bridge<T>;
  static const liseur_plugin table = {
      sizeof(liseur_plugin),
      LISEUR_PLUGIN_ABI_VERSION,
      id,
      version,
      &B::create,
      &B::destroy,
      detail::adaptFn<T>(),
      detail::speakFn<T>(),
      detail::renderFn<T>(),
  };
  return &table;
}

}  // namespace liseur::sdk

// Defines the exported entry point for plugin class `Class`.
#define LISEUR_PLUGIN_EXPORT(Class, id, version)                                              \
  extern "C" __attribute__((visibility("default"))) const liseur_plugin* liseur_plugin_entry( \
      uint32_t host_abi) {                                                                    \
    return ::liseur::sdk::pluginTable<Class>(host_abi, id, version);                          \
  }
