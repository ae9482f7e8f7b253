/*
 * pool_avx2.c — 2-D max and average pooling for AVX2; the algorithms are
 * ../pool_tmpl.h over the avx2 vector shim. Not global average pooling
 * (elementwise_avx2.c).
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define POOL_NAME(x) mote_##x##_f32_avx2

#include "pool_tmpl.h"
