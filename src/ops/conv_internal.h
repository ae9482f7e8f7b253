/*
 * conv_internal.h — the Conv op's prepared parameters (src/ops/conv.c),
 * shared with the files that hold its paths: conv_per_chan.c (by input
 * channel). Not a public header: the fields are conv.c's to set.
 */
#ifndef MOTE_CONV_INTERNAL_H
#define MOTE_CONV_INTERNAL_H

#include "gemm_plan.h"
#include "conv_winograd.h"
#include "conv_im2col_tiled.h"

typedef enum conv_algo { ALGO_DIRECT, ALGO_DW3X3, ALGO_DW, ALGO_GEMM1X1, ALGO_IM2COL, ALGO_WINO, ALGO_CHAN } conv_algo;

typedef struct conv_params {
    conv_algo algo;
    mote_conv2d_args a;        /* geometry and act; x, w, bias, y, oc range set per call */
    int64_t N;                 /* batch                                               */
    int64_t Kc;                /* GEMM depth: Cg * KH * KW                            */
    void (*conv)(const mote_conv2d_args *a);               /* direct / dw3x3 kernel   */
    void (*im2col)(const mote_conv2d_args *a, int64_t g, float *col);
    mote_gemm_plan *plans;     /* (groups) for gemm1x1 / im2col                      */
    size_t col_bytes;          /* im2col matrix at the start of scratch, 64-aligned  */
    int trans;                 /* the GEMM computes Y_n^T (pixels x OC), see above   */
    size_t yt_bytes;           /* Y_n^T, after the im2col matrix in scratch          */
    size_t at_bytes;           /* transposed with at most 8 pixels: the im2col matrix
                                  transposed (pixels x K), after Y_n^T, so that the
                                  GEMM reads its rows in place (run_conv)           */
    int per_chan;              /* im2col by input channel (see above)                */
    mote_gemm_plan *cplans;    /* (2C) per input channel, K = KH*KW, A = W's columns:
                                  N = PC_BLOCK columns, then N = the last block's    */
    size_t part_bytes;         /* per thread after the im2col matrix: one channel's
                                  product of a block (OC x PC_BLOCK), GEMM scratch   */
    void (*act_fn)(int64_t n, float *x, mote_act act);   /* the table's act_f32       */
    mote_conv_wino *wino;      /* winograd                                           */
    mote_conv_tiled *tiled;    /* im2col by blocks of output rows, or NULL           */
    int residual;              /* input 3 is a residual (see "_residual" above)       */
    mote_act res_act;          /* the fused act, applied after the residual          */
    mote_binary_f32_fn add_fn; /* the table's f32 Add, for the residual              */
    int64_t res_cols;          /* gemm1x1 with a residual: columns per block (x NR)  */
    void (*chan)(const mote_conv2d_args *a, int64_t oy0, int64_t oy1);   /* chan    */
    void (*t32)(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                int64_t ldy);          /* the table's transpose_32: Y_n^T to Y_n          */
    int dw_rows;               /* dw3x3 / dw split by output rows (conv_split.c)     */
} conv_params;

/* y = act(y + r) over n floats just computed without the act: the residual
 * step, as the Add with a fused act computes it (conv.c) */
void mote_conv_apply_residual(const conv_params *p, float *y, const float *r, int64_t n);

/* By input channel (conv_per_chan.c): the plans and the per-thread scratch
 * (part_bytes) for p's geometry, W's data (NULL: given per run) ... */
mote_status mote_conv_per_chan_prepare(mote_op_ctx *c, conv_params *p, const float *w);
/* ... and one image: y = act(sum_ic W_ic col_ic + bias) (+ r), the
 * channels' products added in order; col is the image's im2col matrix,
 * the per-thread parts after it in the step's scratch */
void mote_conv_per_chan_run(const mote_step *s, const conv_params *p, const float *col, const float *w,
                            const float *bias, float *y, const float *r);

#endif
