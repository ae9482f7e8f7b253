/*
 * conv_chan_avx512.c — convolution by input channel (a first layer) for
 * AVX-512; the algorithm is ../conv_chan_tmpl.h over the avx512 vector shim,
 * blocked over 4 output channels x 2 output rows.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define CHAN_NAME mote_conv2d_chan_f32_avx512
#define CHAN_R 4
#define CHAN_P 2

#include "conv_chan_tmpl.h"
