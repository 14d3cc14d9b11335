#!/bin/sh
# ensure-worker.sh — print the path of a working mediasoup-worker binary for the mediasoup version
# installed in node_modules, building it offline first if it is not cached yet.
#
#   infra/mediasoup/ensure-worker.sh          build if needed, print the binary's path (stdout only)
#   infra/mediasoup/ensure-worker.sh --path   print the cache path without building (exit 1 if absent)
#
# Why: mediasoup's postinstall downloads a prebuilt worker from GitHub, which this project's machines
# cannot reach (see /work/shared/recipes/mediasoup.md). We build it against Debian's libraries with the
# recipe's scripts (build-mediasoup-worker.sh, make-shims.sh, next to this file) and cache it outside the
# repo keyed by version, so CI, tests and `npm start` share one binary via MEDIASOUP_WORKER_BIN.
#
# Environment: PARLEY_CACHE_DIR (default ~/.cache/parley). Progress goes to stderr, the full build log
# to $PARLEY_CACHE_DIR/mediasoup-worker-<version>.build.log. Never builds inside node_modules or the repo.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE_DIR=${PARLEY_CACHE_DIR:-"$HOME/.cache/parley"}
APT_PACKAGES="g++ pkg-config libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev flatbuffers-compiler libflatbuffers-dev python3-venv"

say() { echo "ensure-worker: $*" >&2; }
die() { say "error: $*"; exit 1; }

# Resolve the installed package the same way Node would from media-fleet (hoisted to the root).
MS_PKG=""
for candidate in "$REPO/media-fleet/node_modules/mediasoup" "$REPO/node_modules/mediasoup"; do
  if [ -f "$candidate/package.json" ]; then MS_PKG=$candidate; break; fi
done
[ -n "$MS_PKG" ] || die "mediasoup is not installed: run 'npm ci' in $REPO first"
VERSION=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$MS_PKG/package.json" | head -n 1)
[ -n "$VERSION" ] || die "cannot read the mediasoup version from $MS_PKG/package.json"
BIN="$CACHE_DIR/mediasoup-worker-$VERSION"

# A worker binary "runs" when the dynamic loader resolves all its libraries and main() starts:
# without MEDIASOUP_VERSION in its environment the worker exits with its own code 41.
worker_runs() {
  [ -x "$1" ] || return 1
  code=0
  env -u MEDIASOUP_VERSION "$1" >/dev/null 2>&1 </dev/null || code=$?
  [ "$code" -eq 41 ]
}

ensure_apt_packages() {
  APT_LOG="$CACHE_DIR/apt-install.log"
  missing=""
  for pkg in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  [ -n "$missing" ] || return 0
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; } || die "missing Debian packages:$missing — install them as root: apt-get install -y --no-install-recommends$missing"
    SUDO="sudo -n"
  fi
  say "installing Debian build packages:$missing (log: $APT_LOG)"
  $SUDO apt-get update -qq >"$APT_LOG" 2>&1 || { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >>"$APT_LOG" 2>&1 \
    || { tail -n 20 "$APT_LOG" >&2; die "apt-get install failed for:$missing"; }
}

if [ "${1:-}" = "--path" ]; then
  if worker_runs "$BIN"; then echo "$BIN"; exit 0; fi
  say "no working worker cached at $BIN (run infra/mediasoup/ensure-worker.sh to build it)"
  exit 1
fi

if worker_runs "$BIN"; then echo "$BIN"; exit 0; fi

mkdir -p "$CACHE_DIR"
# Serialise builds: tests, `npm start` and CI may all call this at once.
exec 9>"$CACHE_DIR/.mediasoup-worker.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9 || die "cannot lock $CACHE_DIR/.mediasoup-worker.lock"
  if worker_runs "$BIN"; then echo "$BIN"; exit 0; fi
fi

# On machines with internet access the postinstall may have fetched a prebuilt worker: reuse it.
PREBUILT="$MS_PKG/worker/out/Release/mediasoup-worker"
if worker_runs "$PREBUILT"; then
  cp "$PREBUILT" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
  say "cached mediasoup's own prebuilt worker $VERSION"
  echo "$BIN"
  exit 0
fi

# A cached binary restored onto a fresh machine only lacks Debian's shared libraries (libssl3,
# libuv1, libsrtp2-1, libusrsctp2, libabsl): install them rather than rebuild for 4 minutes.
if [ -x "$BIN" ]; then
  ensure_apt_packages
  if worker_runs "$BIN"; then echo "$BIN"; exit 0; fi
  say "cached $BIN does not start; rebuilding it"
fi
ensure_apt_packages

# Debian's meson is too old (needs >= 1.1): use a venv outside the repo.
VENV="$CACHE_DIR/build-venv"
if ! "$VENV/bin/meson" --version >/dev/null 2>&1 || ! "$VENV/bin/ninja" --version >/dev/null 2>&1; then
  say "creating build venv $VENV (meson, ninja)"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || /usr/bin/python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (is python3-venv installed?)"
  # Few retries: offline machines serve the wheels from a local find-links dir and PyPI is unreachable.
  "$VENV/bin/pip" install -q --retries 1 --timeout 10 meson ninja >"$CACHE_DIR/pip-install.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/pip-install.log" >&2; die "pip install meson ninja failed"; }
fi

BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/parley-mediasoup-build.XXXXXX")
trap 'rm -rf "$BUILD_DIR"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$BUILD_DIR/mediasoup"
cp -R "$MS_PKG/worker" "$BUILD_DIR/mediasoup/worker"
chmod -R u+w "$BUILD_DIR/mediasoup"
rm -rf "$BUILD_DIR/mediasoup/worker/out"

LOG="$CACHE_DIR/mediasoup-worker-$VERSION.build.log"
say "building mediasoup-worker $VERSION in $BUILD_DIR (several minutes; log: $LOG)"
started=$(date +%s)
# The build is silent for minutes otherwise: every 20 s, say which of ninja's steps it has reached.
(
  while sleep 20; do
    step=$(grep -o '^\[[0-9]*/[0-9]*\]' "$LOG" 2>/dev/null | tail -n 1)
    say "still building: compile step ${step:-(configuring)} after $(( $(date +%s) - started )) s"
  done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null; rm -rf "$BUILD_DIR"' EXIT
if ! PATH="$VENV/bin:$PATH" sh "$HERE/build-mediasoup-worker.sh" "$BUILD_DIR/mediasoup" >"$LOG" 2>&1; then
  kill "$ticker" 2>/dev/null
  tail -n 30 "$LOG" >&2
  die "build failed (full log: $LOG)"
fi
kill "$ticker" 2>/dev/null
BUILT="$BUILD_DIR/mediasoup/worker/out/Release/mediasoup-worker"
worker_runs "$BUILT" || die "built worker at $BUILT does not start (see $LOG)"
cp "$BUILT" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
say "built in $(( $(date +%s) - started )) s: $BIN"
echo "$BIN"
