/*
 * pool_avx512.c — 2-D max and average pooling for AVX512; the algorithms are
 * ../pool_tmpl.h over the avx512 vector shim. Not global average pooling
 * (elementwise_avx512.c).
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define POOL_NAME(x) mote_##x##_f32_avx512

#include "pool_tmpl.h"
