#!/bin/bash
# Single-node Ceph (1 mon + 1 memstore OSD) + RGW (S3) for tests and CI, no systemd, 127.0.0.1 only.
# Adapted from the shared ceph-rgw-s3 recipe; everything lives in one directory so it can be wiped.
#
#   start-rgw.sh start [DIR]      start mon+osd+rgw in DIR (default $TMPDIR/parley-rgw); prints the endpoint
#   start-rgw.sh stop [DIR]       stop everything started in DIR (idempotent) and delete DIR
#   start-rgw.sh rgw-stop [DIR]   stop only radosgw (an S3 outage; the cluster keeps its data)
#   start-rgw.sh rgw-start [DIR]  start radosgw again and wait until it answers
#
# Env: RGW_PORT (7480), MON_PORT (3300), S3_KEY/S3_SECRET (the S3 user's keys, default parley/parleysecret).
# Needs: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd curl
set -euo pipefail
CMD=${1:-start}
D=${2:-${TMPDIR:-/tmp}/parley-rgw}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-3300}
export CEPH_CONF=$D/ceph.conf

endpoint() { echo "http://127.0.0.1:$RGW_PORT"; }

wait_rgw() {
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "$(endpoint)/" && return 0
    sleep 0.25
  done
  echo "radosgw did not answer on $(endpoint); see $D/log" >&2
  return 1
}

kill_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$CMD" in
start)
  if [ -f "$D/ready" ] && curl -sf -o /dev/null "$(endpoint)/"; then endpoint; exit 0; fi
  "$0" stop "$D" >/dev/null 2>&1 || true
  mkdir -p "$D/mon/a" "$D/osd/0" "$D/run" "$D/log" "$D/rgw"
  FSID=$(cat /proc/sys/kernel/random/uuid)
  cat >"$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
keyring = $D/keyring
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
ms bind ipv6 = false
ms bind msgr1 = false
[mon.a]
mon data = $D/mon/a
[osd.0]
osd data = $D/osd/0
keyring = $D/osd/0/keyring
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw
keyring = $D/rgw/keyring
CONF
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$D/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"
  ceph-mon -i a
  UUID=$(cat /proc/sys/kernel/random/uuid)
  ceph osd new "$UUID" >/dev/null
  ceph-osd -i 0 --mkfs --mkkey --osd-uuid "$UUID" --no-mon-config 2>/dev/null
  ceph auth add osd.0 osd 'allow *' mon 'allow profile osd' -i "$D/osd/0/keyring" 2>/dev/null
  ceph-osd -i 0 2>/dev/null
  ceph osd crush add osd.0 1.0 host=localhost root=default 2>/dev/null
  ceph auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o "$D/rgw/keyring"
  radosgw -n client.rgw.a
  wait_rgw
  radosgw-admin user create --uid=parley --display-name=parley \
    --access-key="${S3_KEY:-parley}" --secret="${S3_SECRET:-parleysecret}" >/dev/null
  touch "$D/ready"
  endpoint
  ;;
rgw-stop)
  kill_pidfile "$D/run/client.rgw.a.pid"
  ;;
rgw-start)
  [ -f "$D/ready" ] || { echo "no cluster in $D: run start first" >&2; exit 1; }
  curl -sf -o /dev/null "$(endpoint)/" || radosgw -n client.rgw.a
  wait_rgw
  endpoint
  ;;
stop)
  [ -d "$D" ] || exit 0
  for f in "$D"/run/*.pid; do [ -e "$f" ] && kill_pidfile "$f"; done
  rm -rf "$D"
  ;;
*)
  echo "usage: $0 start|stop|rgw-stop|rgw-start [DIR]" >&2
  exit 2
  ;;
esac
