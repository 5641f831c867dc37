#!/usr/bin/env bash
# liseur's set-up, demo and test entry point on Debian 12.
#
#   bash packaging/dev.sh demo   install packages, build, read the bundled examples aloud
#   bash packaging/dev.sh test   install packages, build, run the whole test suite (the Debian
#                                package included: LISEUR_PACKAGE_TESTS=0 leaves it out)
#   bash packaging/dev.sh deps   only install the Debian packages
#   bash packaging/dev.sh build  only build (into ./build), tests and benchmarks included
#   bash packaging/dev.sh deb    build the Debian package into ./build-deb and check it with lintian
#                                (LISEUR_DEB_DEBUG=0: without debug information, as `test` does)
#   bash packaging/dev.sh tsan   build the tests of what runs on several threads (the audio ring,
#                                the IPC server and client, the event loop, the OCR engine's two
#                                readers, the OCR worker) with clang's ThreadSanitizer into
#                                ./build-tsan and run them; any data race fails the run (not part
#                                of `test`: it builds those parts a second time)
#   bash packaging/dev.sh asan   build the tree with clang's AddressSanitizer and UBSan into
#                                ./build-asan and run the unit, plugins, ocr and speech tests
#                                (not in `test`)
#   bash packaging/dev.sh fuzz [REGEX]
#                                build the libFuzzer targets with clang into ./build-fuzz and run
#                                each (or those whose test name matches REGEX) for
#                                LISEUR_FUZZ_SECONDS (default 600) with its seed corpus and
#                                dictionary, then print one line per target: executions per
#                                second and coverage. `dev.sh test` runs them only a few seconds.
#
# Run it as root, or as a user with sudo (only apt-get needs it). Everything comes from Debian's
# own packages (packaging/debian-packages.txt); nothing else is downloaded.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=${LISEUR_BUILD_DIR:-$here/build}
jobs=${LISEUR_JOBS:-$(nproc 2>/dev/null || echo 2)}  # LISEUR_JOBS=1 on a busy machine

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

deps() {
  local pkgs
  mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^\s*$/d' packaging/debian-packages.txt)
  install_packages "${pkgs[@]}"
}

# install_packages PKG...: installs those of the Debian packages that are missing.
install_packages() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Optimised, with line tables only (-g1): a crash's backtrace and a sanitizer's report still name
# file and line, and the build takes a fifth less time than with full debug information (CI's two
# cores). For a debugger's view of variables, configure a tree of your own with plain -g.
debug_flags="-O2 -g1 -DNDEBUG"
build() {
  say "building into $build"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$debug_flags" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$debug_flags" \
    "$@" >/dev/null
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

# The Debian package, built by Debian's own tools from packaging/debian/ (copied to debian/ in
# a staged copy of the work tree, so the tree itself is never written to), then linted: lintian
# errors and warnings fail the step (explained ones are in packaging/debian/*lintian-overrides).
# Only this step needs the packaging tools, so the demo stays light; the package tests use the
# last four (systemd-analyze and systemd-socket-activate come with systemd).
deb_tools=(debhelper dpkg-dev fakeroot lintian appstream desktop-file-utils debootstrap systemd)
deb() {
  deps
  install_packages "${deb_tools[@]}"
  local out=$here/build-deb version src
  version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
  src=$out/src/liseur-$version
  say "staging the source tree in $src"
  rm -rf "$out/src"
  mkdir -p "$src"
  if [ -e .git ] && command -v git >/dev/null; then
    # What git sees in the work tree (committed or not), without ignored files (build trees).
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
      tar --null -T - -cf - | tar -xf - -C "$src"
  else
    tar --exclude='./build*' --exclude='./demo-output' -cf - . | tar -xf - -C "$src"
  fi
  rm -rf "$src/debian"
  cp -a packaging/debian "$src/debian"
  say "building the package (dpkg-buildpackage -us -uc -b)"
  rm -f "$out"/liseur_*.deb "$out"/liseur-dbgsym_*.deb "$out"/liseur_*.changes "$out"/liseur_*.buildinfo
  local opts="parallel=$jobs" flags=()
  if [ "${LISEUR_DEB_DEBUG:-1}" = 0 ]; then
    # The test run's package: the same code and flags without debug information (-g0, no
    # -dbgsym package), which is a quarter less compile time on CI's two cores.
    opts+=" noddebs"
    flags=(DEB_CFLAGS_APPEND=-g0 DEB_CXXFLAGS_APPEND=-g0)
  fi
  (cd "$src" && dpkg-checkbuilddeps &&
    env "${flags[@]}" DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-$opts}" dpkg-buildpackage -us -uc -b)
  mv "$out"/src/liseur_* "$out"/src/liseur-dbgsym_* "$out"/ 2>/dev/null || true
  local changes deb
  changes=$(ls "$out"/liseur_"$version"_*.changes)
  deb=$(ls "$out"/liseur_"$version"_*.deb)
  say "lintian $(basename "$changes")"
  # Errors and warnings fail: each warning must be fixed, or explained in an override.
  if ! lintian --fail-on error,warning --display-info "$changes" | tee "$out/lintian.txt"; then
    echo "dev.sh deb: lintian found errors or unexplained warnings in $(basename "$changes")" \
      "(listed above and in $out/lintian.txt)" >&2
    return 1
  fi
  say "built $deb"
}

tests() {
  deps
  build -DLISEUR_BUILD_TESTS=ON
  say "running the test suite (ctest)"
  # Tests start their own Xvfb, PulseAudio and browser; they never use the caller's.
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600 -LE package
  # The Debian package: built and linted (dev.sh deb, which also installs the packaging tools),
  # then the `package` tests: the units and metadata, and the .deb installed, used and purged in
  # a fresh Debian 12 chroot. LISEUR_PACKAGE_TESTS=0 leaves them out.
  if [ "${LISEUR_PACKAGE_TESTS:-1}" != 0 ]; then
    LISEUR_DEB_DEBUG=0 deb
    say "running the package tests (ctest -L package)"
    ctest --test-dir "$build" --output-on-failure -L package
  fi
  if command -v clang++ >/dev/null; then
    say "building the fuzz targets with clang and running each briefly"
    build_fuzz
    ctest --test-dir "$build-fuzz" --output-on-failure -L fuzz
  fi
}

# ThreadSanitizer on the tests of what runs on several threads: the audio ring, the IPC server
# and client, the event loop, the OCR engine's two readers and the OCR worker process (its worker
# program built with TSan too). TSan's own background thread is one more thread in the worker, so
# the test that counts its threads is left out, and so are the address-space limits (TSan reserves
# terabytes of address space: a TSan worker cannot start under the daemon's RLIMIT_AS, which is why
# the daemon's own tests are not run here; GLib's futex-based locks, under the D-Bus and portal
# threads, are invisible to TSan too).
tsan_targets=(unit_audio unit_ipc unit_core ocr_engine_test ocr_worker_process_test
  liseur-ocr-worker)
tsan() {
  deps
  install_packages clang
  say "building the threaded parts with ThreadSanitizer into $build-tsan"
  CC=clang CXX=clang++ cmake -S . -B "$build-tsan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLISEUR_BUILD_TESTS=ON -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    >/dev/null
  cmake --build "$build-tsan" -j"$jobs" --target "${tsan_targets[@]}"
  say "running them (a data race fails the test that met it)"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" \
    ctest --test-dir "$build-tsan" --output-on-failure -j"$jobs" --timeout 900 \
    -R '^(IpcServer|IpcClient|IpcProtocol|PlaybackQueue|SpscRing|NullSink|WavSink|EventLoop|EngineReaders|EngineTest|OcrWorkerProcess\.)' \
    -E 'RunsTesseractSingleThreaded|Limits'
}

# AddressSanitizer and UndefinedBehaviorSanitizer on the tests that run in-process, with the
# plugin host or with the OCR and speech workers (labels unit, plugins, ocr, speech): the whole
# tree built with clang into $build-asan, any
# memory error or undefined behaviour fails the test that met it. The workers of an ASan build
# run without their address-space cap (core/subprocess.cpp); the fuzz targets already run the
# parsers under both sanitizers in `test`. Leak checking is off: the libraries under test
# (fontconfig, GLib) keep allocations for the process's life. Left out: the test plugin that
# crashes on purpose (ASan reports its SIGSEGV and exits 1, where the test expects the signal)
# and the address-space limit tests (`Limits.`: no cap under ASan).
# Not part of `test` (CI's time).
asan() {
  deps
  install_packages clang
  say "building the tree with AddressSanitizer and UBSan into $build-asan"
  local flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  CC=clang CXX=clang++ cmake -S . -B "$build-asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLISEUR_BUILD_TESTS=ON -DLISEUR_BUILD_BENCH=OFF "-DCMAKE_C_FLAGS=$flags" "-DCMAKE_CXX_FLAGS=$flags" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined" \
    "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
  cmake --build "$build-asan" -j"$jobs"
  say "running the unit and plugins tests under ASan and UBSan"
  ASAN_OPTIONS="detect_leaks=0 halt_on_error=1 ${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}" \
    ctest --test-dir "$build-asan" --output-on-failure -j"$jobs" --timeout 900 \
    -L 'unit|plugins|ocr|speech' -E 'PluginFaultTest.*testcrash|Limits\.'
}

# The libFuzzer targets (tests/fuzz), built with clang, ASan and UBSan into $build-fuzz.
build_fuzz() {
  CC=clang CXX=clang++ cmake -S . -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$debug_flags" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$debug_flags" \
    -DLISEUR_BUILD_FUZZ=ON >/dev/null
  cmake --build "$build-fuzz" -j"$jobs" --target liseur_fuzz_all
}

# The longer fuzz run: each target of the ctest label `fuzz`, one after the other, with the
# command of its test (seed corpus, dictionary, scratch corpus in $build-fuzz, sanitizer
# options), run for LISEUR_FUZZ_SECONDS instead of the few seconds of CI. What a target finds
# stays in its scratch corpus for the next run; a crash leaves its input beside the target
# (the test's -artifact_prefix, else the current directory) and fails the run at the end.
fuzz() {
  local only=${1:-.} secs=${LISEUR_FUZZ_SECONDS:-600}
  deps
  say "building the fuzz targets with clang into $build-fuzz"
  build_fuzz
  local logs=$build-fuzz/fuzz-logs list
  mkdir -p "$logs"
  # One line per test: its name, then its environment and command as shell words.
  list=$(ctest --test-dir "$build-fuzz" -L fuzz -R "$only" --show-only=json-v1 | python3 -c '
import json, shlex, sys
for t in json.load(sys.stdin)["tests"]:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    args = [a for a in t["command"] if not a.startswith(("-max_total_time=", "-runs="))]
    env = [e for e in props.get("ENVIRONMENT", [])]
    print(t["name"], shlex.join(["env"] + env + args), sep="\t")
')
  [ -n "$list" ] || { echo "dev.sh fuzz: no fuzz test matches '$only'" >&2; return 1; }
  local name cmd log failed=() summary=()
  while IFS=$'\t' read -r name cmd; do
    log=$logs/$name.log
    say "fuzzing $name for $secs s (log: $log)"
    local -a argv
    eval "argv=($cmd)"
    if (cd "$build-fuzz" && "${argv[@]}" -max_total_time="$secs" -print_final_stats=1) \
      >"$log" 2>&1; then
      summary+=("$(fuzz_summary "$name" "$log" ok)")
    else
      summary+=("$(fuzz_summary "$name" "$log" FAILED)")
      failed+=("$name")
    fi
  done <<<"$list"
  say "fuzz summary ($secs s per target; executions per second, edges covered (cov), features (ft), corpus)"
  printf '%s\n' "${summary[@]}"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "dev.sh fuzz: ${failed[*]} failed: see $logs/NAME.log (crash input beside the target)" >&2
    return 1
  fi
}

# fuzz_summary NAME LOG STATUS: one line from libFuzzer's last status line (#N DONE cov: ...
# ft: ... corp: ...) and its final stats (stat::average_exec_per_sec).
fuzz_summary() {
  local name=$1 log=$2 status=$3 last execs runs cov ft corp
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  printf '%-28s %-6s %8s exec/s  cov: %-6s ft: %-6s corp: %-12s runs: %s\n' "$name" "$status" \
    "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${runs:-?}"
}

case "${1:-}" in
  demo) demo ;;
  test) tests ;;
  deps) deps ;;
  build) shift; deps; build -DLISEUR_BUILD_TESTS=ON "$@" ;;
  deb) deb ;;
  fuzz) shift; fuzz "$@" ;;
  tsan) tsan ;;
  asan) asan ;;
  *) echo "usage: bash packaging/dev.sh demo|test|deps|build|deb|tsan|asan|fuzz [REGEX]" >&2; exit 2 ;;
esac
