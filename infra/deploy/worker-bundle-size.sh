#!/usr/bin/env bash
# worker-bundle-size.sh [--config wrangler.toml] — builds the production Worker bundle exactly as
# `wrangler deploy` would upload it (`wrangler deploy --dry-run --outdir …`: no network, no account),
# prints its size raw and gzipped, and fails when it passes a Workers size limit. `.ci/run` runs it on
# the repo's wrangler.toml; the deploy-template tests run it on each generated one.
#
# Limits (https://developers.cloudflare.com/workers/platform/limits/#worker-size):
#   gzip  3 MiB   The Workers Free plan's limit on the compressed upload (Paid: 10 MiB) until Cloudflare
#                 dropped compressed limits in favour of one uncompressed limit (changelog 2026-09-04).
#                 Enforced because it is the strictest any account has had: under it the edge deploys on
#                 every plan and with the pinned wrangler (4.86.0 still measures against it), and a small
#                 bundle keeps the Worker's startup inside its 1 s budget.
#   raw  64 MiB   The uncompressed limit every plan has today.
# The size is measured as wrangler measures it: every uploaded module (source maps are not uploaded),
# concatenated, gzipped at the default level.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAX_GZIP_BYTES=$((3 * 1024 * 1024))
MAX_RAW_BYTES=$((64 * 1024 * 1024))

config="$ROOT/wrangler.toml"
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    *) echo "worker-bundle-size: unknown argument $1 (usage: worker-bundle-size.sh [--config wrangler.toml])" >&2; exit 2 ;;
  esac
done
[ -f "$config" ] || { echo "worker-bundle-size: no such config: $config" >&2; exit 2; }

out=$(mktemp -d "${TMPDIR:-/tmp}/parley-worker-bundle.XXXXXX")
trap 'rm -rf "$out"' EXIT
log="$out/wrangler.log"
# No telemetry, no Cloudflare lookups: the dry run needs neither an account nor the network.
if ! (cd "$ROOT" && WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
  "$ROOT/node_modules/.bin/wrangler" deploy --dry-run --config "$config" --outdir "$out/bundle") >"$log" 2>&1; then
  cat "$log" >&2
  echo "worker-bundle-size: wrangler could not bundle $config" >&2
  exit 1
fi

mapfile -t modules < <(find "$out/bundle" -type f ! -name '*.map' ! -name 'README.md' | sort)
[ "${#modules[@]}" -gt 0 ] || { echo "worker-bundle-size: wrangler wrote no modules to $out/bundle" >&2; exit 1; }
raw=$(cat "${modules[@]}" | wc -c)
gz=$(cat "${modules[@]}" | gzip -c | wc -c)
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }

echo "worker bundle of $config: ${#modules[@]} module(s)"
echo "  raw  $(kib "$raw") ($raw bytes), $(pct "$raw" "$MAX_RAW_BYTES") of the 64 MiB limit"
echo "  gzip $(kib "$gz") ($gz bytes), $(pct "$gz" "$MAX_GZIP_BYTES") of the 3 MiB limit"
grep -h "Total Upload" "$log" | sed 's/^/  wrangler: /' || true
printf '{"config":"%s","modules":%d,"rawBytes":%d,"gzipBytes":%d,"maxRawBytes":%d,"maxGzipBytes":%d}\n' \
  "$config" "${#modules[@]}" "$raw" "$gz" "$MAX_RAW_BYTES" "$MAX_GZIP_BYTES"

failed=0
if [ "$gz" -gt "$MAX_GZIP_BYTES" ]; then
  echo "worker-bundle-size: the gzipped bundle ($(kib "$gz")) is over the 3 MiB limit" >&2
  failed=1
fi
if [ "$raw" -gt "$MAX_RAW_BYTES" ]; then
  echo "worker-bundle-size: the bundle ($(kib "$raw")) is over the 64 MiB limit" >&2
  failed=1
fi
exit "$failed"
