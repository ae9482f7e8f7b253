/*
 * elementwise_avx2.c — elementwise, activation, softmax, normalization,
 * channel-affine and global-average-pool kernels for AVX2.
 * The algorithms are ../elementwise_tmpl.h over the avx2 vector shim.
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define EW_NAME(x) MOTE_X86_EW2(x)

#include "elementwise_tmpl.h"
