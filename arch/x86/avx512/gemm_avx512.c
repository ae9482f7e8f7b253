/*
 * gemm_avx512.c — SGEMM for AVX-512: 14x32 register tiles (28 zmm
 * accumulators, 2 for B, 1 broadcast of A), small-M path of up to 8 rows.
 * The algorithm is ../gemm_tmpl.h; this file picks the tile and the names.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define MR 14
#define NR 32
#define SMALL_ROWS 8
/* B panels per small-M pass: accumulators m*2*P + 2*P loads fit 32 zmm */
#define SMALL_P(m) ((m) <= 2 ? 4 : (m) <= 4 ? 2 : 1)
#define GEMM_NAME(x) MOTE_X86_GEMM512(x)

/* Packing A by gathers (gemm_tmpl.h pack_a): lane i of a column reads row
 * i, rs floats apart; MR < 16, so one gather holds a micro-panel column. */
#define COL_GATHER 1
typedef __m512i col_index;
static inline col_index col_index_for(int64_t rs)
{
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                              _mm512_set1_epi32((int)rs));
}
static inline vf col_gather(const float *p, col_index idx, int mr)
{
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), v_mask_n(mr), idx, p, 4);
}

#include "gemm_tmpl.h"
