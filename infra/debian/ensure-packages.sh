#!/usr/bin/env bash
# ensure-packages.sh [start|test] — installs the Debian packages the local stack (start) or the test
# suites (test, the default) run for real, when missing. `npm start` and `npm test` run it first
# (prestart/pretest), so `npm ci && npm start` and `npm ci && npm test` work on a fresh machine.
# Not root, or no apt-get: it lists what is missing and leaves it to you (the parts that need a
# missing package then fail saying why).
#   nftables                          the e2e drop test cuts one client's media for real; the network lab's DNAT
#   conntrack                         the network lab (infra/netlab) re-steers flows already running
#   chromium                          the demo page and console browser tests (/usr/bin/chromium)
#   ffmpeg fonts-dejavu-core          recording, composites and their text watermarks
#   radosgw ceph-mon ceph-osd curl    a real S3 server (Ceph RGW) for the S3 recording tests
#   nginx-light libnginx-mod-rtmp     a real RTMP server for the RTMP push tests (+ iproute2 for ss)
#   redis-server                      the upload queue in Redis (REDIS_URL); the tests start their own
set -euo pipefail
START_PACKAGES="ffmpeg fonts-dejavu-core"
TEST_PACKAGES="$START_PACKAGES nftables conntrack chromium radosgw ceph-mon ceph-osd curl nginx-light libnginx-mod-rtmp iproute2 redis-server"
case "${1:-test}" in
  start) PACKAGES=$START_PACKAGES ;;
  test) PACKAGES=$TEST_PACKAGES ;;
  *) echo "usage: ensure-packages.sh [start|test]" >&2; exit 2 ;;
esac

need=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
[ -z "$need" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-packages: missing Debian packages:$need" >&2
  echo "ensure-packages: install them with: sudo apt-get install -y --no-install-recommends$need" >&2
  exit 0
fi
log="${TMPDIR:-/tmp}/parley-apt-install.log"
echo "ensure-packages: installing$need (a minute or two; log: $log)" >&2
started=$(date +%s)
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "ensure-packages: apt-get failed (full log: $log)" >&2
  exit 1
fi
echo "ensure-packages: installed in $(($(date +%s) - started)) s" >&2
