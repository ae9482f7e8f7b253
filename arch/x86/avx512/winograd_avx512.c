/*
 * winograd_avx512.c — the Winograd F(2x2,3x3) transforms for AVX-512; the
 * algorithms are ../winograd_tmpl.h over the avx512 vector shim.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

/* lo = a0 b0 a1 b1 .. a7 b7, hi = a8 b8 .. a15 b15 */
static inline void w_zip(vf a, vf b, vf *lo, vf *hi)
{
    const __m512i il = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i ih = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    *lo = _mm512_permutex2var_ps(a, il, b);
    *hi = _mm512_permutex2var_ps(a, ih, b);
}

#define WINO_NAME(x) mote_winograd_##x##_f32_avx512

#include "winograd_tmpl.h"
