/*
 * peak_avx512.c — probes of what one core can do, for the benchmarks: a
 * register-only FMA loop (the peak FP32 rate, bench/gemm) and a streaming
 * read with software prefetch (the read bandwidth, bench/llm). Not
 * kernels: no table entries.
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

/*
 * Sums `bytes` read as `streams` equal, contiguous parts walked side by
 * side (128 bytes of each in turn), each prefetched `pf` bytes ahead (0:
 * no software prefetch). The best of a few (streams, pf) pairs is the
 * bandwidth a kernel reading the same bytes could reach: one plain stream
 * leaves DRAM bandwidth unused on some cores. Each stream has its own
 * accumulators and the stream count is a constant in each instance, so
 * nothing but the reads limits the loop.
 */
static inline __attribute__((always_inline)) float read_loop(const char *p, size_t part, const int S, size_t pf)
{
    __m512 a0[8], a1[8];
    _Pragma("GCC unroll 8") for (int s = 0; s < S; s++) a0[s] = a1[s] = _mm512_setzero_ps();
    for (size_t off = 0; off + 128 <= part; off += 128) {
        _Pragma("GCC unroll 8") for (int s = 0; s < S; s++) {
            const char *q = p + (size_t)s * part + off;
            if (pf) {
                _mm_prefetch(q + pf, _MM_HINT_T0);
                _mm_prefetch(q + pf + 64, _MM_HINT_T0);
            }
            a0[s] = _mm512_add_ps(a0[s], _mm512_loadu_ps((const float *)q));
            a1[s] = _mm512_add_ps(a1[s], _mm512_loadu_ps((const float *)(q + 64)));
        }
    }
    __m512 t = _mm512_setzero_ps();
    _Pragma("GCC unroll 8") for (int s = 0; s < S; s++) t = _mm512_add_ps(t, _mm512_add_ps(a0[s], a1[s]));
    return _mm512_reduce_add_ps(t);
}

float mote_read_loop_avx512(const void *buf, size_t bytes, int streams, size_t pf)
{
    if (streams < 1) streams = 1;
    if (streams > 8) streams = 8;
    size_t part = bytes / (size_t)streams / 128 * 128;
    switch (streams) {
    case 1: return read_loop(buf, part, 1, pf);
    case 2: return read_loop(buf, part, 2, pf);
    case 3: return read_loop(buf, part, 3, pf);
    case 4: return read_loop(buf, part, 4, pf);
    case 5: return read_loop(buf, part, 5, pf);
    case 6: return read_loop(buf, part, 6, pf);
    case 7: return read_loop(buf, part, 7, pf);
    default: return read_loop(buf, part, 8, pf);
    }
}
