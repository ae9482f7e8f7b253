/*
 * conv_chan_avx2.c — convolution by input channel (a first layer) for
 * AVX2; the algorithm is ../conv_chan_tmpl.h over the avx2 vector shim,
 * blocked over 2 output channels x 2 output rows.
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define CHAN_NAME mote_conv2d_chan_f32_avx2
#define CHAN_R 2
#define CHAN_P 2

#include "conv_chan_tmpl.h"
