/*
 * winograd_avx2.c — the Winograd F(2x2,3x3) transforms for AVX2; the
 * algorithms are ../winograd_tmpl.h over the avx2 vector shim.
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

/* lo = a0 b0 a1 b1 .. a3 b3, hi = a4 b4 .. a7 b7 */
static inline void w_zip(vf a, vf b, vf *lo, vf *hi)
{
    __m256 l = _mm256_unpacklo_ps(a, b), h = _mm256_unpackhi_ps(a, b);
    *lo = _mm256_permute2f128_ps(l, h, 0x20);
    *hi = _mm256_permute2f128_ps(l, h, 0x31);
}

#define WINO_NAME(x) mote_winograd_##x##_f32_avx2

#include "winograd_tmpl.h"
