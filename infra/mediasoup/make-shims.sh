#!/bin/sh
# Copied verbatim from the project's recipe /work/shared/recipes/mediasoup/make-shims.sh
# (see /work/shared/recipes/mediasoup.md); keep in sync with it rather than editing here.
# Usage: make-shims.sh <mediasoup/worker dir>
# Creates stub meson subprojects (in the directories the .wrap files name) that
# wrap Debian's system libraries, so meson never downloads anything.
set -e
W="$1"; S="$W/subprojects"
dir() { sed -n 's/^directory *= *//p' "$S/$1.wrap"; }
mk() { d="$S/$(dir $1)"; mkdir -p "$d"; : > "$d/empty.c"; cat > "$d/meson.build"; }
opts() { d="$S/$(dir $1)"; cat > "$d/meson_options.txt"; }

mk openssl <<'M'
project('openssl', 'c')
openssl_dep = dependency('openssl')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
libcrypto_lib = static_library('crypto_shim', 'empty.c')
libssl_lib = static_library('ssl_shim', 'empty.c')
M
mk libuv <<'M'
project('libuv', 'c')
libuv_dep = dependency('libuv')
libuv = static_library('uv_shim', 'empty.c')
M
opts libuv <<'M'
option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
M
for n in libsrtp2 libsrtp3; do [ -f "$S/$n.wrap" ] || continue
mk $n <<M
project('$n', 'c')
${n}_dep = declare_dependency(dependencies: dependency('libsrtp2'), include_directories: include_directories('include'))
$n = static_library('srtp_shim', 'empty.c')
M
opts $n <<'M'
option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')
M
d="$S/$(dir $n)"; mkdir -p "$d/include"
if [ $n = libsrtp2 ]; then
  printf '#pragma once\n#include <srtp2/srtp.h>\n' > "$d/include/srtp.h"
else
  # mediasoup >= 3.13.16 uses versatica's libsrtp 3.x API; map it onto Debian's libsrtp 2.5
  # with C++ overloads (the C functions keep their libsrtp2 signatures).
  cat > "$d/include/srtp.h" <<'H'
#pragma once
#include <srtp2/srtp.h>
#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#include <cstring>
#define srtp_err_status_buffer_small ((srtp_err_status_t)100)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)101)
inline srtp_err_status_t srtp_stream_remove(srtp_t ctx, uint32_t ssrc) { return srtp_remove_stream(ctx, ssrc); }
#define MS_SRTP3_COMPAT_IN2OUT(fn)                                                              \
  inline srtp_err_status_t fn(srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out,       \
                              size_t* out_len, size_t mki_index)                                \
  {                                                                                             \
    if (mki_index != 0) return srtp_err_status_bad_param;                                       \
    if (*out_len < in_len + SRTP_MAX_TRAILER_LEN + 4) return srtp_err_status_buffer_small;          \
    if (out != in) std::memmove(out, in, in_len);                                               \
    int len = static_cast<int>(in_len);                                                         \
    srtp_err_status_t err = fn(ctx, static_cast<void*>(out), &len);                             \
    if (err == srtp_err_status_ok) *out_len = static_cast<size_t>(len);                         \
    return err;                                                                                 \
  }
#define MS_SRTP3_COMPAT_UN(fn)                                                                  \
  inline srtp_err_status_t fn(srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out,       \
                              size_t* out_len)                                                  \
  {                                                                                             \
    if (*out_len < in_len) return srtp_err_status_buffer_small;                                 \
    if (out != in) std::memmove(out, in, in_len);                                               \
    int len = static_cast<int>(in_len);                                                         \
    srtp_err_status_t err = fn(ctx, static_cast<void*>(out), &len);                             \
    if (err == srtp_err_status_ok) *out_len = static_cast<size_t>(len);                         \
    return err;                                                                                 \
  }
MS_SRTP3_COMPAT_IN2OUT(srtp_protect)
MS_SRTP3_COMPAT_IN2OUT(srtp_protect_rtcp)
MS_SRTP3_COMPAT_UN(srtp_unprotect)
MS_SRTP3_COMPAT_UN(srtp_unprotect_rtcp)
#endif
H
fi
done
mk usrsctp <<'M'
project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('usrsctp_shim', 'empty.c')
M
opts usrsctp <<'M'
option('sctp_build_programs', type: 'boolean', value: false)
M
mk abseil-cpp <<'M'
project('abseil-cpp', 'c', 'cpp')
_c = []
foreach m : ['absl_flat_hash_map', 'absl_flat_hash_set', 'absl_btree', 'absl_inlined_vector', 'absl_raw_hash_set', 'absl_hash']
  _c += dependency(m)
endforeach
absl_container_dep = declare_dependency(dependencies: _c)
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_variant'), dependency('absl_span')])
absl_base_dep = dependency('absl_base')
absl_container_lib = static_library('absl_shim', 'empty.c')
M
[ -f "$S/nlohmann_json.wrap" ] && mk nlohmann_json <<'M'
project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json')
M
mk catch2 <<'M'
project('catch2', 'c', 'cpp')
catch2_dep = declare_dependency()
catch2_with_main_dep = declare_dependency()
M
[ -f "$S/flatbuffers.wrap" ] && mk flatbuffers <<'M'
project('flatbuffers', 'c', 'cpp')
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('flatbuffers_shim', 'empty.c')
M
[ -f "$S/liburing.wrap" ] && mk liburing <<'M'
project('liburing', 'c')
uring = dependency('liburing')
liburing = static_library('uring_shim', 'empty.c')
M
echo "shims created in $S"
