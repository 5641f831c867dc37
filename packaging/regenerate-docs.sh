#!/usr/bin/env bash
# The manual pages and shell completion scripts, regenerated from the built programs' own command
# tables and configuration schema (`liseur --generate`, `liseurd --generate`; daemon/app/manual.h).
#
#   bash packaging/regenerate-docs.sh [BUILD_DIR [OUT_DIR]]
#
# BUILD_DIR (default: build) holds daemon/app/liseur and liseurd; the files are written under
# OUT_DIR (default: packaging/): man/liseur.1, man/liseurd.8, man/liseur.toml.5,
# completion/liseur.bash, completion/_liseur (zsh), completion/liseur.fish. Run it after changing
# a command, an option, a configuration key or daemon/app/manual_text.cpp, and commit the result:
# the `unit_docs_*` tests compare the committed files with what the programs print.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/packaging}
liseur=$build/daemon/app/liseur
liseurd=$build/daemon/app/liseurd
for program in "$liseur" "$liseurd"; do
  if [[ ! -x $program ]]; then
    echo "regenerate-docs: $program is not built (build it: cmake --build $build --target liseur liseurd)" >&2
    exit 1
  fi
done

mkdir -p "$out/man" "$out/completion"
# Each file written whole or not at all: a failing program leaves the old file.
generate() {  # FILE PROGRAM WHAT
  "$2" --generate "$3" > "$1.tmp" || {
    rm -f "$1.tmp"
    echo "regenerate-docs: '$2 --generate $3' failed" >&2
    exit 1
  }
  mv "$1.tmp" "$1"
}
generate "$out/man/liseur.1" "$liseur" man
generate "$out/man/liseurd.8" "$liseurd" man
generate "$out/man/liseur.toml.5" "$liseur" config-man
generate "$out/completion/liseur.bash" "$liseur" bash
generate "$out/completion/_liseur" "$liseur" zsh
generate "$out/completion/liseur.fish" "$liseur" fish
