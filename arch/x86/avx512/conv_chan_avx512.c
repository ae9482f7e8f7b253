/*
 * conv_chan_avx512.c — convolution by input channel (a first layer) for
 * AVX-512; the algorithm is ../conv_chan_tmpl.h over the avx512 vector shim.
 * Register blocks (output channels x output rows): 4 x 2 for kernels
 * of fewer than 16 taps, 8 x 2 for larger ones.
 * The running sums stay in registers.
 */
#include "avx512/simd_avx512.h"
#include "x86_kernels.h"

#define CHAN_NAME mote_conv2d_chan_f32_avx512
#define CHAN_R1 4
#define CHAN_P1 2
#define CHAN_MS1 0
#define CHAN_R2 8
#define CHAN_P2 2
#define CHAN_MS2 0

#include "conv_chan_tmpl.h"
