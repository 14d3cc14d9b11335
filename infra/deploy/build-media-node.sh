#!/usr/bin/env bash
# build-media-node.sh — the media node as production runs it, in media-fleet/dist/:
#   media-node.mjs     media-fleet/src and shared/src (with shared's own dependencies) bundled into one
#                      ES module by esbuild; media-fleet's dependencies (mediasoup, ioredis, pino, zod, …)
#                      stay imports, resolved from node_modules exactly as media-fleet's own sources
#                      resolve them (hence the folder)
#   mediasoup-worker   the worker binary, built from source by infra/mediasoup/ensure-worker.sh (the
#                      script tests and `npm start` use; nothing prebuilt is downloaded), copied here
# Run it after `npm ci` in a checkout (systemd installs) or in the image's build stage (Containerfile).
# Then: MEDIASOUP_WORKER_BIN=media-fleet/dist/mediasoup-worker node media-fleet/dist/media-node.mjs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/media-fleet/dist"
ESBUILD="$ROOT/node_modules/.bin/esbuild"
[ -x "$ESBUILD" ] || { echo "build-media-node: $ESBUILD is missing: run npm ci in $ROOT first" >&2; exit 1; }

worker=$("$ROOT/infra/mediasoup/ensure-worker.sh")
mkdir -p "$OUT"
cp "$worker" "$OUT/mediasoup-worker.tmp" && mv "$OUT/mediasoup-worker.tmp" "$OUT/mediasoup-worker"

# @parley/shared is a workspace of TypeScript sources: bundled in, like what it alone depends on.
externals=$(node -e '
  const deps = Object.keys(require(process.argv[1]).dependencies ?? {}).filter((d) => d !== "@parley/shared");
  console.log(deps.flatMap((d) => [`--external:${d}`, `--external:${d}/*`]).join(" "));
' "$ROOT/media-fleet/package.json")
# shellcheck disable=SC2086
"$ESBUILD" "$ROOT/media-fleet/src/main.ts" --bundle --platform=node --target=node20 --format=esm $externals \
  --sourcemap --log-level=warning --outfile="$OUT/media-node.mjs"
echo "build-media-node: $OUT/media-node.mjs and $OUT/mediasoup-worker ($(basename "$worker"))" >&2
