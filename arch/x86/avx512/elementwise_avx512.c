/*
 * elementwise_avx512.c — elementwise, activation, softmax, normalization,
 * channel-affine and global-average-pool kernels for AVX512.
 * The algorithms are ../elementwise_tmpl.h over the avx512 vector shim.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define EW_NAME(x) MOTE_X86_EW512(x)

#include "elementwise_tmpl.h"
