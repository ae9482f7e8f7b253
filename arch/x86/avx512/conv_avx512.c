/*
 * conv_avx512.c — depthwise convolution's row path and im2col for AVX512;
 * the algorithms are ../conv_tmpl.h over the avx512 vector shim.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define CONV_NAME(x) mote_##x##_f32_avx512
/* the row path; conv_dw_band_avx512.c has the entries */
#define CONV_DW_NAME(x) mote_##x##_rows_f32_avx512

#include "conv_tmpl.h"
