/*
 * conv_chan_avx2.c — convolution by input channel (a first layer) for
 * AVX2; the algorithm is ../conv_chan_tmpl.h over the avx2 vector shim.
 * Register blocks (output channels x output rows): 4 x 2 for kernels
 * of fewer than 16 taps, 4 x 2 for larger ones.
 * Its 16 registers do not hold the running sums beside the
 * accumulators: they go to memory once per input channel (CHAN_MS1/2).
 */
#include "avx2/simd_avx2.h"
#include "x86_kernels.h"

#define CHAN_NAME mote_conv2d_chan_f32_avx2
#define CHAN_R1 4
#define CHAN_P1 2
#define CHAN_MS1 1
#define CHAN_R2 4
#define CHAN_P2 2
#define CHAN_MS2 1

#include "conv_chan_tmpl.h"
