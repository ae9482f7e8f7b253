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
/* packed-B K block: measured best on this 1 MiB-L2 core (gemm_tmpl.h) */
#define KC_PB 1024
#define GEMM_NAME(x) MOTE_X86_GEMM512(x)

#include "gemm_tmpl.h"
