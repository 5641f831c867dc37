#!/usr/bin/env bash
# The systemd user units, socket activation, the desktop entry and the AppStream metadata.
#
#   units_and_metadata_test.sh SOURCE_DIR BUILD_DIR LISEURD LISEUR
#
# Each check needs a tool (systemd-analyze, systemd-socket-activate, desktop-file-validate,
# appstreamcli); a missing tool skips that check and says so; exit 77 (skipped) when none ran.
set -euo pipefail

src=$1 build=$2 liseurd=$3 liseur=$4
units=$build/packaging/systemd
work=$(mktemp -d "${TMPDIR:-/tmp}/liseur-units.XXXXXX")
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then kill -9 "$daemon_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT

ran=0 failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; }
pass() { echo "ok: $*"; }

# --- the units -------------------------------------------------------------------------------
for u in liseurd.service liseurd.socket; do
  [ -f "$units/$u" ] || { fail "$units/$u was not configured by CMake"; exit 1; }
done
grep -qx 'SocketMode=0600' "$units/liseurd.socket" || fail "liseurd.socket lacks SocketMode=0600"
grep -qx 'DirectoryMode=0700' "$units/liseurd.socket" || fail "liseurd.socket lacks DirectoryMode=0700"
grep -qx 'ListenStream=%t/liseur/socket' "$units/liseurd.socket" ||
  fail "liseurd.socket does not listen on %t/liseur/socket (where liseur connects)"

if command -v systemd-analyze >/dev/null; then
  ran=$((ran + 1))
  # verify checks that ExecStart= exists: point it at the liseurd just built.
  mkdir -p "$work/units" "$work/runtime"
  chmod 700 "$work/runtime"
  cp "$units/liseurd.socket" "$work/units/"
  sed -e "s|^ExecStart=[^ ]*/liseurd |ExecStart=$liseurd |" "$units/liseurd.service" \
    >"$work/units/liseurd.service"
  grep -q "^ExecStart=$liseurd --foreground" "$work/units/liseurd.service" ||
    fail "cannot find ExecStart=…/liseurd --foreground in $units/liseurd.service"
  for mode in --system --user; do
    out=$(cd "$work/units" && XDG_RUNTIME_DIR=$work/runtime \
      systemd-analyze verify $mode ./liseurd.socket ./liseurd.service 2>&1) && rc=0 || rc=$?
    if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
      fail "systemd-analyze verify $mode (exit $rc): $out"
    else
      pass "systemd-analyze verify $mode: clean"
    fi
  done
  out=$(systemd-analyze security --offline=yes --no-pager "$work/units/liseurd.service" 2>&1) || true
  score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for liseurd.service: \([0-9.]*\).*/\1/p')
  if [ -z "$score" ]; then
    fail "systemd-analyze security gave no exposure level: $out"
  elif awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }'; then
    pass "systemd-analyze security --offline: exposure $score (≤ 5)"
  else
    fail "liseurd.service exposure $score > 5; what is not set:
$(printf '%s\n' "$out" | grep '✗')"
  fi
else
  skip "systemd-analyze not installed (package systemd)"
fi

# --- socket activation of the liseurd just built -----------------------------------------------
if command -v systemd-socket-activate >/dev/null; then
  ran=$((ran + 1))
  export XDG_RUNTIME_DIR=$work/xdg-runtime HOME=$work/home
  export XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache
  mkdir -p "$XDG_RUNTIME_DIR/liseur" "$HOME"
  chmod 700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/liseur"
  sock=$XDG_RUNTIME_DIR/liseur/socket
  # INVOCATION_ID: as under systemd (it names the sandbox in a WAV write error, checked below).
  (umask 000 && exec systemd-socket-activate -l "$sock" -E LISEUR_LOG=info -E INVOCATION_ID=test \
    "$liseurd" --foreground --audio null --no-hotkeys) 2>"$work/liseurd.log" &
  daemon_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  [ -S "$sock" ] || fail "systemd-socket-activate made no socket at $sock"
  # The first client's connection starts the daemon (as systemd does), which takes fd 3.
  if status=$("$liseur" --no-spawn status 2>&1); then
    pass "liseur status through the inherited socket"
  else
    fail "liseur --no-spawn status through the activated socket: $status
$(cat "$work/liseurd.log")"
  fi
  grep -q "socket from the service manager" "$work/liseurd.log" ||
    fail "liseurd did not say it took the inherited socket: $(cat "$work/liseurd.log")"
  mode=$(stat -c %a "$sock")
  [ "$mode" = 600 ] || fail "the inherited socket is mode $mode, not 600"
  # The workers (children of liseurd, started warm) must not see LISTEN_*.
  kids=()
  for _ in $(seq 100); do
    mapfile -t kids < <(pgrep -P "$daemon_pid" || true)
    [ ${#kids[@]} -ge 2 ] && break
    sleep 0.1
  done
  [ ${#kids[@]} -ge 1 ] || fail "liseurd (pid $daemon_pid) started no worker"
  for k in "${kids[@]}"; do
    if tr '\0' '\n' <"/proc/$k/environ" 2>/dev/null | grep -q '^LISTEN_'; then
      fail "worker $k ($(cat "/proc/$k/comm")) inherited LISTEN_* variables"
    fi
  done
  [ ${#kids[@]} -ge 1 ] && pass "${#kids[@]} workers, none with LISTEN_* in its environment"
  # --to-wav: the client opens the file and passes its descriptor, so the daemon's sandbox
  # (read-only home) does not stop a WAV file in the user's folder; where the user cannot write
  # either (a read-only mount, as root), the client's own error names the file.
  if "$liseur" --no-spawn say bonjour --to-wav "$work/ok.wav" --wait >/dev/null 2>&1 &&
    [ "$(head -c 4 "$work/ok.wav" 2>/dev/null)" = RIFF ]; then
    pass "liseur say --to-wav wrote a WAV file through the socket-activated daemon"
  else
    fail "liseur say --to-wav did not write $work/ok.wav"
  fi
  mkdir -p "$work/ro"
  if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o ro,size=64k tmpfs "$work/ro" 2>/dev/null; then
    err=$("$liseur" --no-spawn say bonjour --to-wav "$work/ro/x.wav" --wait 2>&1) && rc=0 || rc=$?
    umount "$work/ro"
    if [ "$rc" -ne 0 ] && [[ $err == *"wav-write-failed: cannot create WAV file $work/ro/x.wav: Read-only file system"* ]]; then
      pass "a WAV file on a read-only file system: wav-write-failed naming the file"
    else
      fail "liseur say --to-wav on a read-only mount (exit $rc) did not name the file: $err"
    fi
  else
    skip "read-only WAV check (needs root to mount a read-only tmpfs)"
  fi
  "$liseur" --no-spawn shutdown >/dev/null 2>&1 || true
  for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    fail "liseurd did not stop on shutdown"
  else
    wait "$daemon_pid" && rc=0 || rc=$?
    [ "$rc" -eq 0 ] || fail "liseurd exited with $rc: $(cat "$work/liseurd.log")"
    daemon_pid=
    # systemd keeps the socket file (and listens) across restarts: the daemon must not unlink it.
    [ -S "$sock" ] && pass "the socket file is left to the service manager" ||
      fail "liseurd removed $sock, which belongs to the service manager"
  fi
else
  skip "systemd-socket-activate not installed (package systemd)"
fi

# --- desktop entry and AppStream metadata -------------------------------------------------------
desktop=$src/packaging/desktop/org.liseur.Liseur.desktop
metainfo=$src/packaging/desktop/org.liseur.Liseur.metainfo.xml
if command -v desktop-file-validate >/dev/null; then
  ran=$((ran + 1))
  out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ] && pass "desktop-file-validate: clean" ||
    fail "desktop-file-validate $desktop: $out"
else
  skip "desktop-file-validate not installed (package desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
  ran=$((ran + 1))
  if out=$(appstreamcli validate --no-net --explain "$metainfo" 2>&1); then
    pass "appstreamcli validate: $(printf '%s\n' "$out" | tail -1)"
  else
    fail "appstreamcli validate $metainfo: $out"
  fi
  grep -q '<launchable type="desktop-id">org.liseur.Liseur.desktop</launchable>' "$metainfo" ||
    fail "the metainfo does not launch org.liseur.Liseur.desktop"
else
  skip "appstreamcli not installed (package appstream)"
fi
[ -s "$src/packaging/desktop/liseur.svg" ] && grep -q '<svg' "$src/packaging/desktop/liseur.svg" ||
  fail "packaging/desktop/liseur.svg is missing or not SVG"

if [ "$failed" -gt 0 ]; then
  echo "$failed check(s) failed" >&2
  exit 1
fi
if [ "$ran" -eq 0 ]; then
  echo "SKIP: none of the tools is installed (run bash packaging/dev.sh deb first)"
  exit 77
fi
echo "all $ran groups of checks passed"
