/*
 * conv_avx2.c — depthwise 3x3 convolution and im2col for AVX2; the
 * algorithms are ../conv_tmpl.h over the avx2 vector shim.
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define CONV_NAME(x) mote_##x##_f32_avx2

#include "conv_tmpl.h"
