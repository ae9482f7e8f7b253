/*
 * peak_avx512.c — a register-only FMA loop for measuring the core's peak
 * FP32 rate with AVX-512 vectors (bench/gemm). Not a kernel: no table entry.
 */
#include <immintrin.h>
#include "x86_kernels.h"

/*
 * 24 independent FMA chains of 16 lanes: iters * 24 * 16 * 2 flops. Two
 * FMA pipes with 4 to 6 cycles of latency need at least 8 to 12 chains in
 * flight; 24 leaves margin. Named variables, because an array of vectors
 * may be kept in memory at -O2.
 */
float mote_fma_loop_avx512(int64_t iters)
{
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
#define ALL(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
               X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define DECL(i) __m512 c##i = _mm512_set1_ps((float)(i));
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, a, b);
#define SUM(i) s = _mm512_add_ps(s, c##i);
    ALL(DECL)
    for (int64_t it = 0; it < iters; it++) {
        ALL(STEP)
    }
    __m512 s = _mm512_setzero_ps();
    ALL(SUM)
#undef ALL
#undef DECL
#undef STEP
#undef SUM
    return _mm512_reduce_add_ps(s);
}
