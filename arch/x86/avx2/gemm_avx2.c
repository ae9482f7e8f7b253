/*
 * gemm_avx2.c — SGEMM for AVX2 + FMA: 6x16 register tiles (12 ymm
 * accumulators, 2 for B, 1 broadcast of A), small-M path of up to 4 rows
 * per pass. The algorithm is ../gemm_tmpl.h; this file picks the tile.
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define MR 6
#define NR 16
#define SMALL_ROWS 4
/* B panels per small-M pass: m*2*P accumulators + 2*P loads fit 16 ymm */
#define SMALL_P(m) ((m) <= 1 ? 4 : (m) <= 2 ? 2 : 1)
#define GEMM_NAME(x) MOTE_X86_GEMM2(x)

#include "gemm_tmpl.h"
