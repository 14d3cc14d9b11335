#!/bin/sh
# Copied verbatim from the project's recipe /work/shared/recipes/mediasoup/build-mediasoup-worker.sh
# (see /work/shared/recipes/mediasoup.md); keep in sync with it rather than editing here.
# build-mediasoup-worker.sh <path/to/node_modules/mediasoup>
# Builds mediasoup-worker offline against Debian bookworm system libraries.
# Needs: apt-get install -y --no-install-recommends g++ pkg-config libssl-dev libuv1-dev \
#   libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev flatbuffers-compiler libflatbuffers-dev
# and meson>=1.1 + ninja on PATH (pip install meson ninja: served from the machine's local wheels).
set -e
MS=$(cd "$1" && pwd); W="$MS/worker"
SHIMS=$(dirname "$0")/make-shims.sh
sh "$SHIMS" "$W"
# mediasoup >= 3.13 BIO callback returns 1 for every BIO_ctrl() on the write BIO; with a
# kTLS-enabled OpenSSL (Debian's) libssl then thinks kTLS is on and SIGSEGVs in the DTLS handshake.
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/' "$W/src/RTC/DtlsTransport.cpp"
OPTS=""
grep -q ms_disable_liburing "$W/meson_options.txt" && OPTS="-Dms_disable_liburing=true"
cd "$W"
rm -rf out/Release/build
meson setup --buildtype release -Db_ndebug=true -Db_pie=true --wrap-mode=nodownload $OPTS out/Release/build
grep -q flatbuffers-generator fbs/meson.build 2>/dev/null && meson compile -C out/Release/build flatbuffers-generator
ninja -C out/Release/build -j"$(nproc)" mediasoup-worker
cp out/Release/build/mediasoup-worker out/Release/mediasoup-worker
rm -rf out/Release/build
echo "built $W/out/Release/mediasoup-worker"
