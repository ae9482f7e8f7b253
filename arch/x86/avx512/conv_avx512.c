/*
 * conv_avx512.c — depthwise 3x3 convolution and im2col for AVX512; the
 * algorithms are ../conv_tmpl.h over the avx512 vector shim.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define CONV_NAME(x) mote_##x##_f32_avx512

#include "conv_tmpl.h"
