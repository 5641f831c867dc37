#!/usr/bin/env bash
# liseur's set-up, demo and test entry point on Debian 12.
#
#   bash packaging/dev.sh demo   install packages, build, read the bundled examples aloud
#   bash packaging/dev.sh test   install packages, build, run the whole test suite
#   bash packaging/dev.sh deps   only install the Debian packages
#   bash packaging/dev.sh build  only build (into ./build), tests and benchmarks included
#
# Run it as root, or as a user with sudo (only apt-get needs it). Everything comes from Debian's
# own packages (packaging/debian-packages.txt); nothing else is downloaded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=${LISEUR_BUILD_DIR:-$here/build}
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

deps() {
  local pkgs missing=()
  mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^\s*$/d' packaging/debian-packages.txt)
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  say "building into $build"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
}

demo() {
  deps
  # Only what the demo needs: the daemon, the command, the workers and plugins (not the tests).
  build -DLISEUR_BUILD_TESTS=OFF
  local cli="$build/daemon/app/liseur"
  # liseur never writes speech to disk unasked; with no sound device the demo asks for WAV files
  # (in ./demo-output), and says where they are.
  local out=()
  if "$cli" status | grep -q '^audio.available: false'; then
    mkdir -p demo-output
    say "no sound device here: the speech goes to WAV files in $here/demo-output"
  fi
  local img
  for img in ecole-fr ui-en; do
    case $img in
      ecole-fr) say "reading packaging/examples/ecole-fr.png (a French school text)" ;;
      ui-en) say "reading packaging/examples/ui-en.png (an English screenshot)" ;;
    esac
    "$cli" ocr "packaging/examples/$img.png"
    out=()
    [ -d demo-output ] && out=(--to-wav "demo-output/$img.wav")
    "$cli" read "packaging/examples/$img.png" --wait "${out[@]}"
    [ ${#out[@]} -eq 0 ] || say "wrote demo-output/$img.wav"
  done
  "$cli" shutdown >/dev/null 2>&1 || true
}

tests() {
  deps
  build -DLISEUR_BUILD_TESTS=ON
  say "running the test suite (ctest)"
  # Tests start their own Xvfb, PulseAudio and browser; they never use the caller's.
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
  if command -v clang++ >/dev/null; then
    say "building the fuzz targets with clang and running each briefly"
    CC=clang CXX=clang++ cmake -S . -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DLISEUR_BUILD_FUZZ=ON >/dev/null
    cmake --build "$build-fuzz" -j"$jobs" --target liseur_fuzz_all
    ctest --test-dir "$build-fuzz" --output-on-failure -L fuzz
  fi
}

case "${1:-}" in
  demo) demo ;;
  test) tests ;;
  deps) deps ;;
  build) shift; deps; build -DLISEUR_BUILD_TESTS=ON "$@" ;;
  *) echo "usage: bash packaging/dev.sh demo|test|deps|build" >&2; exit 2 ;;
esac
