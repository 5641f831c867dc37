// Where liseur keeps things, following the XDG base directory specification.
#pragma once

#include <string>

#include "core/result.h"

namespace liseur {

// $XDG_RUNTIME_DIR/liseur (falls back to /tmp/liseur-UID when XDG_RUNTIME_DIR is unset).
std::string runtimeDir();
// runtimeDir()/socket
std::string socketPath();
// Creates runtimeDir() with mode 0700 if needed and checks it is ours and not group/world
// accessible. Errors name the directory.
Status ensureRuntimeDir();
// $XDG_CONFIG_HOME/liseur or ~/.config/liseur
std::string userConfigDir();
// Shipped data (config/, voices/): $LISEUR_DATA_DIR, then the source tree when run from a build
// tree, then the install's datadir.
std::string dataDir();

}  // namespace liseur
