#!/usr/bin/env bash
# The Debian package as a user gets it: installed with apt into a fresh Debian 12 (a debootstrap
# chroot), used, then purged, leaving nothing behind.
#
#   deb_chroot_test.sh SOURCE_DIR
#
# Takes the newest SOURCE_DIR/build-deb/liseur_*_ARCH.deb (`bash packaging/dev.sh deb` makes
# it). The minimal Debian 12 is debootstrapped once from the mirror of /etc/apt/sources.list(.d)
# (or $LISEUR_DEBIAN_MIRROR) and cached as build-deb/chroot-cache/bookworm-minbase.tar, with the
# .debs apt downloads into it, so a rerun needs no network. Needs root, debootstrap and the
# mirror; exits 77 (skipped) saying which is missing.
set -euo pipefail

src=$(cd "$1" && pwd)
out=$src/build-deb
cache=$out/chroot-cache
suite=bookworm
start=$(date +%s)

say() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - start)); }
skip() {
  echo "SKIP: $*"
  exit 77
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || skip "debootstrap not installed (bash packaging/dev.sh deb installs it)"
arch=$(dpkg --print-architecture)
deb=$(ls -t "$out"/liseur_*_"$arch".deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || skip "no $out/liseur_*_$arch.deb: build it with bash packaging/dev.sh deb"
version=$(dpkg-deb -f "$deb" Version)
say "testing $(basename "$deb")"

# The Debian mirror apt uses here (deb822 .sources first, then one-line sources.list).
mirror=${LISEUR_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '
    /^URIs:/ { for (i = 2; i <= NF; i++) uris[n++] = $i }
    /^Suites:/ { main = 0; for (i = 2; i <= NF; i++) if ($i == "'$suite'") main = 1 }
    /^$/ { if (main) for (j = 0; j < n; j++) { print uris[j]; exit } n = 0; main = 0 }
    END { if (main) for (j = 0; j < n; j++) { print uris[j]; exit } }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $3 == "'$suite'" { print $2; exit }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed 's/\[.*\]//' | head -1)
fi
[ -n "$mirror" ] || skip "no Debian $suite mirror in /etc/apt/sources.list(.d); set LISEUR_DEBIAN_MIRROR"

work=$(mktemp -d "$out/chroot.XXXXXX")
root=$work/root
mkdir "$root"
mounts=()
# Processes running inside the chroot (the daemon `liseur ocr` started, its workers).
chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
cleanup() {
  local p i
  for p in $(chroot_pids); do kill -9 "$p" 2>/dev/null || true; done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }
# An ordinary user of the chroot (numeric ids: resolved from the chroot's /etc/passwd).
as_user() { chroot --userspec="$user_ids" "$root" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
  HOME=/home/lecteur USER=lecteur "$@"; }

# --- a fresh Debian 12, from the cache when there is one --------------------------------------
tarball=$cache/$suite-minbase.tar
mkdir -p "$cache/archives/partial"
if [ ! -s "$tarball" ]; then
  say "debootstrap --variant=minbase $suite from $mirror (cached afterwards in $tarball)"
  fresh=$(mktemp -d "$out/debootstrap.XXXXXX")
  chmod 755 "$fresh" # it becomes the chroot's /: mktemp made it 0700
  if ! nice -n 19 debootstrap --variant=minbase "$suite" "$fresh" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    tail -20 "$cache/debootstrap.log" >&2
    rm -rf --one-file-system "$fresh"
    die "debootstrap from $mirror failed (log: $cache/debootstrap.log)"
  fi
  # The package lists go into the cache too; apt-get update runs again in every test anyway.
  tar -C "$fresh" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$fresh"
fi
tar -C "$root" -xf "$tarball"
chmod 755 "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
# Downloaded packages are kept between runs (apt's own cache, bind-mounted).
mount --bind "$cache/archives" "$root/var/cache/apt/archives" &&
  mounts+=("$root/var/cache/apt/archives")
echo 'APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/90keep"
in_root useradd --create-home --shell /bin/bash lecteur
user_ids=$(awk -F: '$1 == "lecteur" { print $3 ":" $4 }' "$root/etc/passwd")
cp "$deb" "$root/tmp/"

# Everything with "liseur" in its name before the package comes (nothing, in a fresh system).
find_liseur() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./home -o \
    -path ./var/cache/apt -o -path ./var/log \) -prune -o -name '*liseur*' -print | sort)
}
find_liseur >"$work/before"

# --- install: apt resolves Depends (tesseract-ocr-eng/-fra/-osd, espeak-ng-data, libraries) ---
say "apt-get install ./$(basename "$deb")"
in_root apt-get update -q >/dev/null
if ! in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1; then
  tail -30 "$work/apt.log" >&2
  die "apt-get install of $(basename "$deb") failed"
fi
grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$work/apt.log" || true
in_root dpkg-query -W -f='${Status}' liseur | grep -q 'install ok installed' ||
  die "liseur is not installed after apt-get install"
in_root dpkg -L liseur >"$work/liseur.files"
for f in /usr/bin/liseur /usr/bin/liseurd /usr/libexec/liseur/liseur-ocr-worker \
  /usr/libexec/liseur/liseur-speech-worker /usr/libexec/liseur/liseur-plugin-host \
  /usr/lib/systemd/user/liseurd.service /usr/lib/systemd/user/liseurd.socket \
  /usr/share/applications/org.liseur.Liseur.desktop /usr/share/metainfo/org.liseur.Liseur.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/liseur.svg /usr/share/doc/liseur/copyright \
  /usr/share/doc/liseur/examples/ecole-fr.png; do
  grep -qx "$f" "$work/liseur.files" || die "the package does not install $f"
done
grep -q '/liseur/plugins/reading-order/reading-order.so$' "$work/liseur.files" ||
  die "the package does not install the reading-order plugin (the default chain)"
# The socket is enabled for every user (postinst, deb-systemd-helper --user).
[ -L "$root/etc/systemd/user/sockets.target.wants/liseurd.socket" ] ||
  die "postinst did not enable liseurd.socket for users"

# --- use it, as an ordinary user ---------------------------------------------------------------
say "liseur --version"
got=$(as_user liseur --version) || die "liseur --version failed"
[ "$got" = "${version%%-*}" ] || die "liseur --version printed '$got', expected '${version%%-*}'"

say "liseur ocr /usr/share/doc/liseur/examples/ecole-fr.png"
if ! text=$(as_user liseur ocr /usr/share/doc/liseur/examples/ecole-fr.png 2>"$work/ocr.err"); then
  cat "$work/ocr.err" >&2
  for log in "$root"/tmp/liseur-*/liseurd.log; do [ -f "$log" ] && tail -20 "$log" >&2; done
  die "liseur ocr of the bundled example failed"
fi
printf '%s\n' "$text" | head -5
# Words of ecole-fr.txt, with its accents: the French model read it. At most one may be missed.
missing=()
for w in "était une fois" "Chaperon rouge" "petite fille" "mère-grand" "réponds" "Lecture"; do
  printf '%s' "$text" | grep -qF "$w" || missing+=("$w")
done
[ ${#missing[@]} -le 1 ] || die "liseur ocr missed ${missing[*]} of ecole-fr.txt; it read:
$text"
as_user liseur --no-spawn shutdown >/dev/null 2>&1 || true

# The three manual pages are the package's (daemon/app/manual.cpp): each must be there and show.
say "man liseur, man liseurd, man liseur.toml"
for page in man1/liseur.1 man8/liseurd.8 man5/liseur.toml.5; do
  grep -q "/usr/share/man/$page" "$work/liseur.files" || die "the package has no /usr/share/man/$page"
done
in_root apt-get install -y -q --no-install-recommends man-db >/dev/null
as_user man -P cat liseur | grep -q liseur || die "man liseur shows no page"
as_user man -P cat 8 liseurd | grep -q liseurd || die "man liseurd shows no page"
as_user man -P cat 5 liseur.toml | grep -q liseur.toml || die "man liseur.toml shows no page"

# --- purge: nothing of it remains ---------------------------------------------------------------
for _ in $(seq 100); do [ -z "$(chroot_pids)" ] && break; sleep 0.1; done
[ -z "$(chroot_pids)" ] || die "liseurd still runs in the chroot after liseur shutdown: $(chroot_pids)"
say "apt-get purge liseur"
in_root apt-get purge -y -q liseur >"$work/purge.log" 2>&1 || {
  cat "$work/purge.log" >&2
  die "apt-get purge liseur failed"
}
in_root dpkg-query -W -f='${Status}' liseur 2>/dev/null | grep -q 'installed' &&
  die "liseur is still installed after purge"
left=()
while IFS= read -r f; do
  [ -n "$f" ] && [ "$f" != /. ] || continue
  [ -e "$root$f" ] || [ -L "$root$f" ] || continue
  # A directory other packages own too (/usr/bin, /usr/share/doc) stays, and rightly so.
  if [ -d "$root$f" ] && [ ! -L "$root$f" ] && in_root dpkg-query -S "$f" >/dev/null 2>&1; then
    continue
  fi
  left+=("$f")
done <"$work/liseur.files"
[ ${#left[@]} -eq 0 ] || die "left behind after purge: ${left[*]}"
find_liseur >"$work/after"
diff -u "$work/before" "$work/after" >&2 ||
  die "files named *liseur* remain after purge (above, with +)"
say "purged: the $(wc -l <"$work/liseur.files") paths of the package are gone, no *liseur* file remains"
echo "package test passed in $(($(date +%s) - start)) s"
