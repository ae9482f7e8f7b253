/*
 * conv_split.h — how Conv's depthwise paths are chosen and how they split
 * over the threads, for conv.c's prepare and for the 1x1 convolution
 * before a depthwise one (conv_split.c), which splits the way its reader
 * does so that each core reads what it wrote.
 */
#ifndef MOTE_CONV_SPLIT_H
#define MOTE_CONV_SPLIT_H

#include "ops.h"

/* The depthwise paths that take a 2-D convolution of C input channels in
 * `groups` groups to OC outputs with a KH x KW window and dilation dh x dw:
 * MOTE_DW_3X3 (the table's conv2d_dw3x3_f32) and MOTE_DW_ANY (its
 * conv2d_dw_f32, windows up to MOTE_DW_MAXK), or 0 when it is not
 * depthwise (one input channel per group, OC = C, dilation 1). */
#define MOTE_DW_3X3 1u
#define MOTE_DW_ANY 2u
unsigned mote_conv_dw_paths(const mote_kernels *k, int64_t C, int64_t groups, int64_t OC, int64_t KH,
                            int64_t KW, int64_t dh, int64_t dw);

/* Whether a depthwise convolution with an OH x OW output splits over
 * (image, output row), else over (image, channel), on `threads` threads. */
int mote_conv_dw_by_rows(int threads, int64_t OH, int64_t OW);

/* Whether the one op that reads c's node's output (N, OC, OH, OW) is a
 * depthwise Conv that splits it by channel on c->threads threads (the 1x1
 * convolution before it then splits its GEMM by channels too). */
int mote_conv_next_dw_by_channel(const mote_op_ctx *c, int64_t OC, int64_t OH, int64_t OW);

#endif
