// The plugin host's protocol (frames of core/frame.h over the socketpair, fd 3 in the host).
//
// liseur-plugin-host loads plugins (plugins/sdk/liseur_plugin.h) with dlopen and runs their
// hooks, one request at a time, in order. It runs in its own process because plugins are code
// from strangers: one that crashes, hangs, spins or floods takes down only the host, which the
// daemon (PluginHostClient) kills if needed and restarts. The daemon never dlopens a plugin.
//
// Command line: liseur-plugin-host [--plugin-dir DIR]...
//   Plugins are searched, first match wins, in: each --plugin-dir DIR, each directory of
//   $LISEUR_PLUGIN_PATH (colon-separated; meant for tests and development), the user's
//   $XDG_DATA_HOME/liseur/plugins (~/.local/share/liseur/plugins), the build tree's plugin
//   directory when the program runs from a build tree, and the system LISEUR_PLUGINDIR. The
//   same trust rules apply to every one of them (plugin_catalog.h).
//
// daemon -> host (every request carries an integer "call" id, unique per connection)
//   {"op":"load","call":N,"plugin":ID,"options":{...}}
//       Finds ID in the search path, checks it (manifest, ownership and modes), dlopens it,
//       checks its struct against the manifest, applies the manifest's option defaults and types
//       and creates an instance. Loading an ID again replaces the instance (new options).
//   {"op":"call","call":N,"plugin":ID,"hook":"adapt"|"speak"|"render","max_output":BYTES}
//       + payload: the request JSON (liseur_plugin.h shows each hook's request and reply).
//       max_output (optional, default kDefaultMaxOutput, capped at kMaxOutputLimit) limits the
//       reply size; past it the call fails with file-too-large.
//
// host -> daemon
//   {"ev":"ready","abi":1,"pid":P}             once, at start
//   {"ev":"loaded","call":N,"plugin":ID,"version":V,"hooks":["adapt",...]}
//   {"ev":"result","call":N,"plugin":ID}       + payload: the reply exactly as the plugin wrote
//       it. The host does not parse it: the daemon validates it (JSON, document form) and owns
//       the error message.
//   {"ev":"error","call":N,"plugin":ID,"code":C,"message":M}
//       C is an errorCodeName() of core/error.h. M names the plugin. Codes used:
//       file-not-found (not installed), file-unreadable (refused: ownership or modes, or dlopen
//       failed), config-invalid (bad manifest or options), invalid-argument (the plugin refused
//       its input, a hook it does not offer, a plugin that is not loaded), file-too-large (the
//       reply passed max_output), internal (the plugin returned another error status).
//
// Every request gets exactly one reply with its call id, unless the host dies first. A frame the
// host cannot read makes it exit with status 3; on EOF it destroys its instances and exits 0.
#pragma once

#include <cstddef>

namespace liseur::plugins {

inline constexpr const char* kHostProgram = "liseur-plugin-host";
inline constexpr std::size_t kDefaultMaxOutput = 8u << 20;
// Below core/frame.h's kMaxFramePayload so that any accepted reply fits in one frame.
inline constexpr std::size_t kMaxOutputLimit = 15u << 20;

}  // namespace liseur::plugins
