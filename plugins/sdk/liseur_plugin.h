/* liseur plugin ABI, version 1.
 *
 * A liseur plugin is a shared library that exports one function, liseur_plugin_entry(), and
 * ships with a manifest.json beside it (described in plugins/sdk/README.md). This header is plain
 * C99 so that plugins can be written in any language with a C FFI; C++ authors normally use the
 * helper in liseur_plugin.hpp instead of filling the struct by hand.
 *
 * Data crosses the boundary as UTF-8 JSON text (pointer + length, not NUL-terminated): the
 * document in its versioned form "liseur-document/1" (daemon/document/document.h). Hook
 * requests and replies are JSON objects so that members can be added later without breaking
 * anybody:
 *
 *   adapt   in  {"document": DOC}                         out {"document": DOC}
 *   speak   in  {"document": DOC}                         out {"utterances": [UTTERANCE...]}
 *   render  in  {"document": DOC, "options": {...},       out {"html": "..."}
 *                "narration": {"wav_base64": "...", "words": [...]}}   (narration optional)
 *
 * Versioning (as PipeWire/SPA does it): every struct starts with its own size; fields are only
 * ever appended; a reader checks struct_size before touching a field that came later (see
 * LISEUR_HAS_FIELD). abi_version changes only when an existing field changes meaning, which is
 * meant never to happen.
 *
 * Threads: the host calls one plugin from one thread at a time; a plugin needs no locking unless
 * it starts threads of its own. The host runs in its own process (liseur-plugin-host): a plugin
 * that crashes or hangs takes only that process down, and is skipped for the job.
 */
#ifndef LISEUR_PLUGIN_H
#define LISEUR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. A host passes its own to liseur_plugin_entry(). */
#define LISEUR_PLUGIN_ABI_VERSION 1u

/* Name of the one exported symbol. */
#define LISEUR_PLUGIN_ENTRY_SYMBOL "liseur_plugin_entry"

/* True when the struct pointed to by `ptr` (which starts with uint32_t struct_size) is large
 * enough to hold `field` of struct type `type`. */
#define LISEUR_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Results of every call. Values are stable and never reused. */
typedef enum liseur_status {
  LISEUR_OK = 0,                   /* success: the output holds the reply */
  LISEUR_ERR_INVALID_INPUT = 1,    /* the request JSON is not what the hook understands */
  LISEUR_ERR_INVALID_OPTIONS = 2,  /* create(): an option has a wrong type or value */
  LISEUR_ERR_UNSUPPORTED = 3,      /* the hook, format or ABI is not supported */
  LISEUR_ERR_NO_MEMORY = 4,        /* an allocation failed */
  LISEUR_ERR_OUTPUT_TOO_LARGE = 5, /* returned by liseur_output.write past the host's limit */
  LISEUR_ERR_INTERNAL = 6          /* a bug or an unexpected exception inside the plugin */
} liseur_status;

/* Where a plugin writes its reply, owned by the host and valid only during one call.
 * write() appends bytes (call it as often as needed); once the host's size limit is passed it
 * returns LISEUR_ERR_OUTPUT_TOO_LARGE, keeps nothing more, and the call fails whatever the
 * plugin returns. set_error() records a human-readable UTF-8 message (English, no screen text)
 * that the host reports with the plugin's id when the call returns an error status. */
typedef struct liseur_output {
  uint32_t struct_size;
  void* host_data;
  liseur_status (*write)(struct liseur_output* out, const char* data, size_t length);
  void (*set_error)(struct liseur_output* out, const char* message, size_t length);
} liseur_output;

/* A plugin's state, created from its options. Opaque to the host. */
typedef struct liseur_plugin_instance liseur_plugin_instance;

/* A hook: request JSON in, reply JSON written to `out`. */
typedef liseur_status (*liseur_hook_fn)(liseur_plugin_instance* instance, const char* request,
                                        size_t request_length, liseur_output* out);

typedef struct liseur_plugin {
  uint32_t struct_size; /* sizeof(liseur_plugin) as the plugin was compiled */
  uint32_t abi_version; /* LISEUR_PLUGIN_ABI_VERSION as the plugin was compiled */
  const char* id;       /* same as the manifest's "id": lower-case letters, digits, '-' */
  const char* version;  /* the plugin's own version, same as the manifest's */

  /* Makes an instance from the options JSON object (the manifest's defaults already applied by
   * the host, so every declared option is present). On error, set_error on `err` and return
   * LISEUR_ERR_INVALID_OPTIONS (or another status); *instance is then ignored. */
  liseur_status (*create)(const char* options_json, size_t options_length,
                          liseur_plugin_instance** instance, liseur_output* err);
  /* Frees an instance. May be NULL when create() keeps no state. */
  void (*destroy)(liseur_plugin_instance* instance);

  /* The hooks; NULL when not offered. The manifest's "hooks" must list the same ones. */
  liseur_hook_fn adapt;
  liseur_hook_fn speak;
  liseur_hook_fn render;
  /* New fields go here, and only here. */
} liseur_plugin;

/* The entry point. `host_abi` is the host's LISEUR_PLUGIN_ABI_VERSION. Returns a pointer to a
 * static struct that lives as long as the library is loaded, or NULL when the plugin cannot work
 * with that host. Must be cheap and side-effect free (the host may call it more than once). */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
const liseur_plugin*
liseur_plugin_entry(uint32_t host_abi);

typedef const liseur_plugin* (*liseur_plugin_entry_fn)(uint32_t host_abi);

#ifdef __cplusplus
}
#endif

#endif /* LISEUR_PLUGIN_H */
