/*
 * peak_avx2.c — a register-only FMA loop for measuring the core's peak
 * FP32 rate with AVX2 vectors (bench/gemm). Not a kernel: no table entry.
 */
#include <immintrin.h>
#include "x86_kernels.h"

/*
 * 24 independent FMA chains of 8 lanes: iters * 24 * 8 * 2 flops. Two
 * FMA pipes with 4 to 6 cycles of latency need at least 8 to 12 chains in
 * flight; 24 leaves margin. Named variables, because an array of vectors
 * may be kept in memory at -O2.
 */
float mote_fma_loop_avx2(int64_t iters)
{
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
#define ALL(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
               X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define DECL(i) __m256 c##i = _mm256_set1_ps((float)(i));
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, a, b);
#define SUM(i) s = _mm256_add_ps(s, c##i);
    ALL(DECL)
    for (int64_t it = 0; it < iters; it++) {
        ALL(STEP)
    }
    __m256 s = _mm256_setzero_ps();
    ALL(SUM)
#undef ALL
#undef DECL
#undef STEP
#undef SUM
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}
