/*
 * conv.c — Conv (ONNX), 2-D NCHW and 1-D NCL (as 2-D with unit height),
 * any batch N >= 1, group, strides, pads, dilations, auto_pad. 3-D NCDHW
 * is handed to volume.c.
 *
 * prepare picks one algorithm per node from its shape:
 *   dw3x3   depthwise 3x3, dilation 1: the table's conv2d_dw3x3_f32, split
 *           over (image, channel), or over (image, output row) for large
 *           maps (conv_split.c);
 *   dw      other depthwise kernels up to MOTE_DW_MAXK (5x5, 7x7, 3x1...),
 *           dilation 1, when the table has conv2d_dw_f32: split likewise;
 *   gemm1x1 1x1, stride 1, no pad, group 1: Y_n (OC x HW) = W (OC x C) X_n (C x HW),
 *           one GEMM plan, bias per row; a constant W is packed once as the
 *           plan's A (the table's packed-A path);
 *   im2col  otherwise when the per-group GEMM is not tiny: col = im2col(X_n, g)
 *           (Cg*KH*KW x OH*OW, in scratch), Y_n,g = W_g col, one plan per group;
 *           one group with a constant W (not transposed) runs by blocks of
 *           output rows instead, im2col and GEMM per block (conv_im2col_tiled.c);
 *   direct  the table's conv2d_f32 (small or odd shapes), split over
 *           (image, output channel);
 *   winograd 3x3, stride 1, dilation 1, group 1, constant W with enough
 *           channels: Winograd F(2x2,3x3), conv_winograd.c; also dilation
 *           d when sizes and pads are multiples of d (its d x d
 *           sub-lattices are undilated convs: conv_winograd.h);
 *   chan    by input channel (below) in one pass: the table's
 *           conv2d_chan_f32, split over (image, output row), where the
 *           table has its own (not the reference's) and the shape is one it
 *           vectorizes: 2 to 4 channels, kernels up to 7x7, strides 1 or 2,
 *           dilation 1. Measured (mote profile, AVX-512, 1 thread; the
 *           GEMMs per channel -> one pass): ResNet-18's 7x7/2 stem 3.8 ->
 *           1.75 ms, MobileNetV2's 3x3/2 0.72 -> 0.24, M-LSD's RGBA 3x3/2
 *           1.97 -> 0.71, BlazeFace's 5x5/2 1.36 -> 0.50.
 * gemm1x1 and im2col run transposed (group 1, a constant W, more than 8
 * output pixels) when that wastes less of the GEMM's MR x NR tiles: Y_n^T
 * (OH*OW x OC) = X_n^T W^T, the GEMM's rows being pixels and its columns
 * output channels (W packed once as the plan's B), then Y_n^T is
 * transposed into Y_n. ResNet's 7x7 = 49 pixels fill two 32-wide column
 * panels (31% computed on padding) but 3.5 micro-panels of 14 rows, and
 * its 64..512 channels fill whole panels where as rows they leave 14-row
 * micro-panels partly empty (measured, AVX-512, 1 thread: ResNet-18's 7x7
 * layers 99 -> 150 GFLOP/s, 14x14 154 -> 179; the whole model 30.3 ->
 * 25.7 ms). The sums run in the same order either way: the same bits.
 * Each output element is computed by one call whatever the split, so the
 * result does not depend on the thread count.
 *
 * im2col by input channel: one group of 2 to 4 input channels (an RGB or
 * RGBA image: the first layer) is summed channel by channel, each
 * channel's KH*KW taps one GEMM from zero, the partial products added in
 * channel order, then bias and activation: y = act(((s_0 + s_1) + ...) +
 * b). Its rounding error grows with KH*KW + C instead of C*KH*KW (half
 * of the one-chain error measured on M-LSD's RGBA 3x3 layer), and the
 * layer whose rounding all later layers amplify is the first: M-LSD tiny
 * turns its first layer's differences into 1e-2 at the outputs. ONNX
 * Runtime (MLAS) sums those layers in the same order. "chan" runs the same
 * sums without the im2col matrix or the partial products' round trips.
 *
 * Mote-private attributes:
 *   "_act", "_act_alpha", "_act_beta"  a fused activation (op_util.h), set
 *                                       by the optimizer;
 *   "_conv_algo"  string "direct" | "dw3x3" | "dw" | "gemm1x1" | "im2col", or
 *                 "gemm1x1_t" | "im2col_t" (transposed) | "gemm1x1_n" |
 *                 "im2col_n" (never transposed) | "im2col_c" (by input
 *                 channel, one group) | "chan" (by input channel in one
 *                 pass, one group) | "winograd": force an algorithm (tests
 *                 and benchmarks); an error if it does not apply to the shape;
 *   "_residual"   int 1: input 3 is a residual R of Y's shape (set by the
 *                 optimizer, pass_residual.c, for Conv -> Add): Y = act((conv
 *                 + bias) + R), the same operations in the same order as the
 *                 Conv and the Add (with the act fused into it) were. Every
 *                 algorithm computes its output without the act, then
 *                 mote_conv_apply_residual adds R and applies the act to
 *                 each block it has just written (direct, dw3x3, dw: a few
 *                 output channels of an image; by input channel, in
 *                 conv_per_chan.c: a PC_BLOCK block; transposed: 16
 *                 channels as they are transposed; gemm1x1: the GEMM run
 *                 by blocks of columns; tiled im2col: a block of output rows;
 *                 Winograd: a block of tile rows, or of channels), or (the
 *                 per-group GEMM of im2col) after each group's GEMM. 1-D and
 *                 2-D; "chan": the rows of every channel a call has written.
 */
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"
#include "volume.h"
#include "conv_split.h"
#include "conv_internal.h"

/* Floats per residual step: a block of y and of R stay in L1. */
#define RES_BLOCK 4096

/* The residual step on n elements of Y just computed (without the act):
 * y = act(y + r), as the Add with a fused act computes it. */
void mote_conv_apply_residual(const conv_params *p, float *y, const float *r, int64_t n)
{
    for (int64_t i0 = 0; i0 < n; i0 += RES_BLOCK) {
        int64_t m = n - i0 < RES_BLOCK ? n - i0 : RES_BLOCK;
        float *yb = y + i0;
        p->add_fn(m, yb, 1, r + i0, 1, yb);
        if (p->res_act.kind != MOTE_ACT_NONE)
            p->act_fn(m, yb, p->res_act);
    }
}

/* mote_conv_apply_residual as the Conv helpers call it (mote_conv_res) */
static void residual_step(const void *ctx, float *y, const float *r, int64_t n)
{
    mote_conv_apply_residual(ctx, y, r, n);
}

typedef struct residual_job {
    const conv_params *p;
    float *y;
    const float *r;
    int64_t n;
} residual_job;

/* blocks [b, e) of RES_BLOCK elements */
static void residual_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const residual_job *j = ctx;
    int64_t i0 = b * RES_BLOCK, i1 = e * RES_BLOCK < j->n ? e * RES_BLOCK : j->n;
    mote_conv_apply_residual(j->p, j->y + i0, j->r + i0, i1 - i0);
}

/* gemm1x1 with a residual, one image: the GEMM by blocks of res_cols
 * columns (multiples of NR: the same bits as the whole GEMM), each
 * block's residual step while its OC x res_cols outputs are in cache */
typedef struct colres_job {
    const conv_params *p;
    const mote_gemm_plan *plan;
    const float *w, *x, *r;
    float *y;
    void *scratch;
} colres_job;

static void colres_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const colres_job *j = ctx;
    const conv_params *p = j->p;
    int64_t OHW = p->a.OH * p->a.OW;
    for (int64_t blk = b; blk < e; blk++) {
        int64_t n0 = blk * p->res_cols, n1 = n0 + p->res_cols < OHW ? n0 + p->res_cols : OHW;
        mote_gemm_run_cols(j->plan, j->w, p->Kc, j->x, j->y, OHW, n0, n1, j->scratch, thread);
        for (int64_t oc = 0; oc < p->a.OC; oc++)
            mote_conv_apply_residual(p, j->y + oc * OHW + n0, j->r + oc * OHW + n0, n1 - n0);
    }
}

/* The residual step over n elements of Y at once, split over the pool. */
static void residual_pass(const conv_params *p, mote_pool *pool, float *y, const float *r, int64_t n)
{
    residual_job j = {p, y, r, n};
    mote_pool_for(pool, (n + RES_BLOCK - 1) / RES_BLOCK, 1, residual_chunk, &j);
}

/* What transposing one element of Y_n^T costs, in multiply-adds of the
 * GEMM: set so that the choice below matches what MobileNetV2's and
 * ResNet-18's layers measured (AVX-512, 1 thread): with K = 16..64
 * transposing lost (up to 2x: the transpose of a 112x112x96 output leaves
 * the caches), with K = 320..4608 and few pixels it won (0.6-0.8x). */
#define TRANSPOSE_COST 32

/* Rows and columns the GEMM computes for an m x n product, over m * n:
 * tiles are MR x NR, edge columns computed in full (zero-padded), an edge
 * of rows as a quarter, half, three quarters or all of a tile
 * (arch/x86/gemm_tmpl.h's edge tiles). */
static double tile_waste(int64_t m, int64_t n, int64_t mr, int64_t nr)
{
    return (double)mote_gemm_rows_done(m, mr) * (double)((n + nr - 1) / nr * nr) / ((double)m * (double)n);
}

typedef struct transpose_job {
    const float *src;          /* (P, OC): Y_n^T  */
    float *dst;                /* (OC, P): Y_n    */
    int64_t P, OC;
    const conv_params *p;
    const float *r;            /* (OC, P): the residual, or NULL */
} transpose_job;

/* dst rows (output channels) [b, e), 16 at a time by the table's
 * transpose_32 (floats as 32-bit containers: the bits move unchanged),
 * then their residual step */
static void transpose_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const transpose_job *j = ctx;
    for (int64_t c0 = b; c0 < e; c0 += 16) {
        int64_t c1 = c0 + 16 < e ? c0 + 16 : e;
        j->p->t32(c1 - c0, j->P, (const uint32_t *)(const void *)(j->src + c0), j->OC,
                  (uint32_t *)(void *)(j->dst + c0 * j->P), j->P);
        if (j->r)
            mote_conv_apply_residual(j->p, j->dst + c0 * j->P, j->r + c0 * j->P, (c1 - c0) * j->P);
    }
}

typedef struct conv_job {
    const conv_params *p;
    const float *x;            /* (N, C, H, W)    */
    const float *w;            /* (OC, Cg, KH, KW) */
    const float *bias;         /* (OC) or NULL    */
    float *y;                  /* (N, OC, OH, OW) */
    const float *r;            /* (N, OC, OH, OW): the residual, or NULL */
} conv_job;

/* [b, e) indexes (image, output channel) pairs: n * OC + oc */
static void conv_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const conv_job *j = ctx;
    const conv_params *p = j->p;
    mote_conv2d_args a = p->a;
    int64_t OC = a.OC, xs = a.C * a.H * a.W, ys = a.OC * a.OH * a.OW;
    a.w = j->w;
    a.bias = j->bias;
    while (b < e) {
        int64_t n = b / OC, oc0 = b % OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        a.x = j->x + n * xs;
        a.y = j->y + n * ys;
        if (!j->r) {
            a.oc0 = oc0;
            a.oc1 = oc1;
            p->conv(&a);
        }
        /* with a residual, a few channels at a time (each output is still
         * computed by one call: the same bits), their residual step while
         * they are in cache */
        int64_t OHW = a.OH * a.OW, step = OHW > 0 && OHW < RES_BLOCK ? RES_BLOCK / OHW : 1;
        for (int64_t c0 = oc0; j->r && c0 < oc1; c0 += step) {
            a.oc0 = c0;
            a.oc1 = c0 + step < oc1 ? c0 + step : oc1;
            p->conv(&a);
            mote_conv_apply_residual(p, a.y + c0 * OHW, j->r + n * ys + c0 * OHW, (a.oc1 - c0) * OHW);
        }
        b = n * OC + oc1;
    }
}

typedef struct im2col_job {
    const conv_params *p;
    const float *x;            /* (C, H, W): one image             */
    int64_t g;                 /* group                            */
    float *col;                /* (Cg*KH*KW, OH*OW)                */
} im2col_job;

/* Input channels [b, e) of group g: an im2col of just those channels
 * (a one-group view starting at channel g*Cg + b) fills their rows. */
static void im2col_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const im2col_job *j = ctx;
    const mote_conv2d_args *g = &j->p->a;
    mote_conv2d_args a = *g;
    int64_t Cg = g->C / g->groups;
    a.C = e - b;
    a.groups = 1;
    a.x = j->x + (j->g * Cg + b) * g->H * g->W;
    j->p->im2col(&a, 0, j->col + b * g->KH * g->KW * g->OH * g->OW);
}

/* chan, and dw3x3 / dw by rows: [b, e) indexes (image, output row) pairs,
 * n * OH + oy; each call computes its rows of every output channel, then
 * their residual step while they are in cache */
static void rows_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const conv_job *j = ctx;
    const conv_params *p = j->p;
    mote_conv2d_args a = p->a;
    int64_t OH = a.OH, OW = a.OW, ys = a.OC * OH * OW;
    a.w = j->w;
    a.bias = j->bias;
    a.oc0 = 0;
    a.oc1 = a.OC;
    while (b < e) {
        int64_t n = b / OH, oy0 = b % OH, oy1 = n * OH + OH > e ? e - n * OH : OH;
        a.x = j->x + n * a.C * a.H * a.W;
        a.y = j->y + n * ys;
        if (p->algo == ALGO_CHAN) {
            p->chan(&a, oy0, oy1);
        } else {
            a.oy0 = oy0;
            a.oy1 = oy1;
            p->conv(&a);
        }
        for (int64_t oc = 0; j->r && oc < a.OC; oc++) {
            int64_t at = n * ys + oc * OH * OW + oy0 * OW;
            mote_conv_apply_residual(p, j->y + at, j->r + at, (oy1 - oy0) * OW);
        }
        b = n * OH + oy1;
    }
}

static void run_conv(const mote_step *s)
{
    const conv_params *p = s->params;
    conv_job j = {p, s->in[0]->data, s->in[1]->data,
                  s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL, s->out[0]->data,
                  p->residual ? s->in[3]->data : NULL};
    const mote_conv2d_args *g = &p->a;
    /* an empty output (a zero-sized dimension) has nothing to compute,
     * however large the others: the loops below would still visit every
     * image, row or channel of them (fuzz_mote: 2^40 images of width 0) */
    if (p->N == 0 || g->OC == 0 || g->OH == 0 || g->OW == 0)
        return;
    if (p->dw_rows) {
        mote_pool_for(s->pool, p->N * g->OH, 1, rows_chunk, &j);
        return;
    }
    if (p->algo == ALGO_DIRECT || p->algo == ALGO_DW3X3 || p->algo == ALGO_DW) {
        mote_pool_for(s->pool, p->N * g->OC, 1, conv_chunk, &j);
        return;
    }
    if (p->algo == ALGO_CHAN) {
        mote_pool_for(s->pool, p->N * g->OH, 1, rows_chunk, &j);
        return;
    }
    int64_t xs = g->C * g->H * g->W, OHW = g->OH * g->OW, ys = g->OC * OHW;
    mote_conv_res res = {residual_step, p, j.r};
    if (p->tiled) {
        mote_conv_tiled_run(p->tiled, s->pool, j.x, j.bias, j.y, s->scratch, &res);
        return;
    }
    if (p->algo == ALGO_WINO) {
        mote_conv_wino_run(p->wino, s->pool, j.x, j.bias, j.y, s->scratch, &res);
        return;
    }
    int64_t OCg = g->OC / g->groups;
    float *col = s->scratch;
    /* no scratch at all when the output is empty */
    void *gemm_scratch = s->scratch ? (char *)s->scratch + p->col_bytes : NULL;
    for (int64_t n = 0; n < p->N; n++) {
        mote_conv2d_args a = *g;
        a.x = j.x + n * xs;
        for (int64_t grp = 0; grp < g->groups; grp++) {
            mote_gemm_plan plan = p->plans[grp];
            plan.bias = j.bias ? j.bias + grp * OCg : NULL;
            const float *B = a.x;        /* gemm1x1: X_n itself is (C x HW) */
            int64_t ldb = OHW;
            if (p->algo == ALGO_IM2COL) {
                im2col_job ij = {p, a.x, grp, col};
                mote_pool_for(s->pool, g->C / g->groups, 1, im2col_chunk, &ij);
                B = col;
            }
            if (p->per_chan) {
                mote_conv_per_chan_run(s, p, col, j.w, j.bias, j.y + n * ys, j.r ? j.r + n * ys : NULL);
                continue;
            }
            if (j.r && p->res_cols) {
                colres_job cj = {p, &plan, j.w, B, j.r + n * ys, j.y + n * ys, gemm_scratch};
                mote_pool_for(s->pool, (OHW + p->res_cols - 1) / p->res_cols, 1, colres_chunk, &cj);
                continue;
            }
            if (p->trans) {
                /* A = B^T: the (K x pixels) matrix read transposed; one group */
                float *yt = (float *)((char *)s->scratch + p->col_bytes);
                const float *A = B;
                int64_t lda = ldb;
                if (p->at_bytes) {
                    /* at most 8 pixels: A laid out as rows (K floats each),
                     * which the packed GEMM's few-row path reads in place;
                     * read transposed, the plan could not take the packed
                     * path and would pack W again on every run */
                    float *at = (float *)((char *)gemm_scratch + p->yt_bytes);
                    p->t32(OHW, p->Kc, (const uint32_t *)(const void *)B, ldb, (uint32_t *)(void *)at, p->Kc);
                    A = at;
                    lda = p->Kc;
                }
                mote_gemm_run(&plan, s->pool, A, lda, NULL, yt, g->OC,
                              (char *)gemm_scratch + p->yt_bytes + p->at_bytes);
                transpose_job tj = {yt, j.y + n * ys, OHW, g->OC, p, j.r ? j.r + n * ys : NULL};
                mote_pool_for(s->pool, g->OC, 16, transpose_chunk, &tj);
                continue;
            }
            mote_gemm_run(&plan, s->pool, j.w + grp * OCg * p->Kc, p->Kc, B,
                          j.y + n * ys + grp * OCg * OHW, ldb, gemm_scratch);
            if (j.r)
                residual_pass(p, s->pool, j.y + n * ys + grp * OCg * OHW, j.r + n * ys + grp * OCg * OHW,
                              OCg * OHW);
        }
    }
}

/* The group attribute against X's channels (dim 1) and W's (dims 0, 1),
 * for Conv of any rank. */
mote_status mote_conv_check_group(mote_op_ctx *c, const mote_tensor *x, const mote_tensor *w,
                                  int64_t *group_out)
{
    int64_t group = mote_attr_get_int(c->node, "group", 1), C = x->dims[1], OC = w->dims[0];
    if (group < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "group = %lld", (long long)group);
    if (C % group != 0 || w->dims[1] * group != C)
        return mote_op_error(c, MOTE_ERR_SHAPE,
                             "input X has %lld channels but W expects %lld per group x group %lld",
                             (long long)C, (long long)w->dims[1], (long long)group);
    if (OC % group != 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "W has %lld output channels, not a multiple of group %lld",
                             (long long)OC, (long long)group);
    *group_out = group;
    return MOTE_OK;
}

/* Input 3, only with "_residual" = 1: f32 of Y's shape (rank, dims). */
static mote_status check_residual(mote_op_ctx *c, int rank, const int64_t *dims)
{
    bool has = c->n_in > 3 && c->in[3];
    if (!has && !mote_node_attr(c->node, "_residual"))
        return MOTE_OK;
    if (mote_attr_get_int(c->node, "_residual", 0) != 1)
        return mote_op_error(c, MOTE_ERR_GRAPH, "Conv takes 2 or 3 inputs; a 4th (a residual) "
                             "needs the attribute _residual = 1");
    if (!has)
        return mote_op_error(c, MOTE_ERR_GRAPH, "_residual = 1 but input 3 (the residual) is missing");
    const mote_tensor *r = c->in[3];
    if (rank == 5)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "a residual input is for 1-D and 2-D Conv only");
    if (r->dtype != MOTE_F32 || r->ndim != rank || memcmp(r->dims, dims, sizeof(int64_t) * (size_t)rank))
        return mote_op_error(c, MOTE_ERR_SHAPE, "the residual (input 3) must be f32 of the output's shape");
    return MOTE_OK;
}

static mote_status infer_conv(mote_op_ctx *c)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (x->ndim == 5)
        return (st = check_residual(c, 5, NULL)) ? st : mote_conv3d_infer(c);
    if (x->ndim != 3 && x->ndim != 4)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input X has rank %d; only 1-D (N,C,L), 2-D (N,C,H,W) and 3-D (N,C,D,H,W) "
                             "Conv are supported", x->ndim);
    if (w->ndim != x->ndim)
        return mote_op_error(c, MOTE_ERR_SHAPE, "weight W has rank %d, X has rank %d",
                             w->ndim, x->ndim);
    int nsp = x->ndim - 2;
    int64_t group, OC = w->dims[0];
    if ((st = mote_conv_check_group(c, x, w, &group)))
        return st;
    const int64_t *ks;
    int nks = mote_attr_get_ints(c->node, "kernel_shape", &ks);
    if (nks >= 0) {
        if (nks != nsp)
            return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape has %d values, expected %d", nks, nsp);
        for (int i = 0; i < nsp; i++)
            if (ks[i] != w->dims[2 + i])
                return mote_op_error(c, MOTE_ERR_SHAPE,
                                     "kernel_shape[%d] = %lld but W has %lld",
                                     i, (long long)ks[i], (long long)w->dims[2 + i]);
    }
    if (c->n_in > 2 && c->in[2]) {
        if ((st = mote_expect_dtype(c, 2, MOTE_F32)))
            return st;
        if (c->in[2]->ndim != 1 || c->in[2]->dims[0] != OC)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bias B must have shape (%lld)", (long long)OC);
    }
    mote_window win;
    if ((st = mote_op_window(c, nsp, x->dims + 2, w->dims + 2, 0, &win)))
        return st;
    int64_t dims[4] = {x->dims[0], OC, win.OH, win.OW};
    if (nsp == 1)
        dims[2] = win.OW;
    if ((st = check_residual(c, x->ndim, dims)))
        return st;
    mote_set_out(c, 0, MOTE_F32, x->ndim, dims);
    return MOTE_OK;
}

static mote_status prepare_conv(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (x->ndim == 5)
        return mote_conv3d_prepare(c);
    int nsp = x->ndim - 2;
    conv_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_window win;
    mote_status st = mote_op_window(c, nsp, x->dims + 2, w->dims + 2, 0, &win);
    if (st)
        return st;
    mote_conv2d_args *a = &p->a;
    p->N = x->dims[0];
    a->C = x->dims[1];
    a->H = nsp == 2 ? x->dims[2] : 1;
    a->W = x->dims[x->ndim - 1];
    a->OC = w->dims[0];
    a->OH = win.OH; a->OW = win.OW;
    a->KH = win.KH; a->KW = win.KW;
    a->sh = win.sh; a->sw = win.sw;
    a->ph = win.pt; a->pw = win.pl;
    a->dh = win.dh; a->dw = win.dw;
    a->groups = mote_attr_get_int(c->node, "group", 1);
    if ((st = mote_op_fused_act(c, &a->act)))
        return st;
    if (c->n_in > 3 && c->in[3]) {
        /* the algorithms compute without the act; mote_conv_apply_residual applies it */
        p->residual = 1;
        p->res_act = a->act;
        a->act = (mote_act){MOTE_ACT_NONE, 0, 0};
        p->act_fn = c->k->general.act_f32 ? c->k->general.act_f32 : mote_act_f32_ref;
        p->add_fn = c->k->general.binary_f32[MOTE_BIN_ADD];
        if (!p->add_fn)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "the kernel table has no f32 Add");
    }
    int64_t Cg = a->C / a->groups, OCg = a->OC / a->groups, OHW = a->OH * a->OW;
    p->Kc = Cg * a->KH * a->KW;

    unsigned dw_paths = mote_conv_dw_paths(c->k, a->C, a->groups, a->OC, a->KH, a->KW, a->dh, a->dw);
    int can_dw = (dw_paths & MOTE_DW_3X3) != 0, can_dwk = (dw_paths & MOTE_DW_ANY) != 0;
    int can_1x1 = a->groups == 1 && a->KH == 1 && a->KW == 1 && a->sh == 1 && a->sw == 1 &&
                  win.pt == 0 && win.pl == 0 && win.pb == 0 && win.pr == 0;
    /* 1 to 8 output pixels from a deep window (Silero VAD's 1-D encoder:
     * K = 192..387, 1..3 positions; its STFT: K = 256, 3): the direct
     * kernel is the plain reference at 1.4 GFLOP/s; as a transposed GEMM
     * with W packed once as B and the few pixels as rows (laid out as
     * rows first, at_bytes) it runs W's rows at the GEMM's speed, the
     * im2col of so few pixels costing nothing */
    /* the transposed GEMM: one group, W known now; taken when its tiles
     * waste less, counting the transpose (K multiply-adds per element of
     * Y against TRANSPOSE_COST) */
    int tiny = a->groups == 1 && w->data && OHW <= 8 && p->Kc >= 32 && a->OC >= 16;
    int can_t = a->groups == 1 && w->data;
    const mote_general_kernels *gk = &c->k->general;
    int64_t tmr = gk->gemm_mr ? gk->gemm_mr() : 8, tnr = gk->gemm_nr ? gk->gemm_nr() : 16;
    int want_t = can_t && tile_waste(OHW, a->OC, tmr, tnr) * (1.0 + (double)TRANSPOSE_COST / (double)p->Kc) <
                              tile_waste(a->OC, OHW, tmr, tnr);
    /* Winograd F(2x2,3x3): 3x3 stride 1 with enough channels that the
     * GEMMs dominate its transforms, and enough 2x2 tiles that its
     * products' NR-wide panels are at least 2/3 full (measured, AVX-512, 1
     * thread, ResNet-18: 56x56 2.5 -> 1.4 ms, 28x28 1.76 -> 1.06, 14x14
     * (49 tiles) 1.85 -> 1.4; 7x7 (16 tiles in 32-wide panels) 2.75 -> 3.5,
     * so left to im2col) */
    int can_wino = a->groups == 1 && a->KH == 3 && a->KW == 3 && a->sh == 1 && a->sw == 1 &&
                   ((a->dh == 1 && a->dw == 1) || mote_conv_wino_lattice(a)) && w->data && nsp == 2;
    int64_t wtiles = can_wino ? mote_conv_wino_tiles(a) : 0;   /* dilated: per row phase */
    int want_wino = can_wino && a->C >= 16 && a->OC >= 16 &&
                    (double)((wtiles + tnr - 1) / tnr * tnr) <= 1.5 * (double)wtiles;
    const char *force = mote_attr_get_string(c->node, "_conv_algo", NULL);
    if (force) {
        size_t fl = strlen(force);
        int suffix = fl > 2 && force[fl - 2] == '_' ? force[fl - 1] : 0;
        int base_1x1 = !strcmp(force, "gemm1x1") || !strcmp(force, "gemm1x1_t") || !strcmp(force, "gemm1x1_n");
        int base_col = !strcmp(force, "im2col") || !strcmp(force, "im2col_t") || !strcmp(force, "im2col_n") ||
                       !strcmp(force, "im2col_c");
        if (suffix == 't') want_t = 1;
        if (suffix == 'n') want_t = 0;
        if (strcmp(force, "direct") == 0) p->algo = ALGO_DIRECT;
        else if (strcmp(force, "winograd") == 0 && can_wino) p->algo = ALGO_WINO;
        else if (strcmp(force, "dw3x3") == 0 && can_dw) p->algo = ALGO_DW3X3;
        else if (strcmp(force, "dw") == 0 && can_dwk) p->algo = ALGO_DW;
        else if (strcmp(force, "chan") == 0 && a->groups == 1) p->algo = ALGO_CHAN;
        else if (base_1x1 && can_1x1 && (suffix != 't' || can_t)) p->algo = ALGO_GEMM1X1;
        else if (base_col && (suffix != 't' || can_t) && (suffix != 'c' || a->groups == 1))
            p->algo = ALGO_IM2COL;
        else
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                                 "_conv_algo='%s' is unknown or does not apply to this shape", force);
    } else if (can_dw) {
        p->algo = ALGO_DW3X3;
    } else if (can_dwk) {
        p->algo = ALGO_DW;
    } else if (can_1x1) {
        p->algo = ALGO_GEMM1X1;
    } else if (want_wino) {
        p->algo = ALGO_WINO;
    } else if ((OCg >= 4 && p->Kc >= 8 && OHW >= 4) || tiny) {
        p->algo = ALGO_IM2COL;
    } else {
        p->algo = ALGO_DIRECT;
    }

    /* by input channel: one group of 2 to 4 channels, more than one tap
     * (forced: "im2col_c", any one group) */
    int64_t KK = a->KH * a->KW;
    if (p->algo == ALGO_IM2COL && a->groups == 1 &&
        (force ? !strcmp(force, "im2col_c") : a->C >= 2 && a->C <= 4 && KK > 1)) {
        p->per_chan = 1;
        p->act_fn = c->k->general.act_f32 ? c->k->general.act_f32 : mote_act_f32_ref;
        want_t = 0;
        /* the same sums in one pass where the table vectorizes the shape */
        if (!force && c->k->general.conv2d_chan_f32 != mote_conv2d_chan_f32_ref && a->KH <= 7 &&
            a->KW <= 7 && a->sh <= 2 && a->sw <= 2 && a->dh == 1 && a->dw == 1) {
            p->algo = ALGO_CHAN;
            p->per_chan = 0;
        }
    }
    p->dw_rows = (p->algo == ALGO_DW3X3 || p->algo == ALGO_DW) && mote_conv_dw_by_rows(c->threads, a->OH, a->OW);
    p->chan = c->k->general.conv2d_chan_f32;
    p->t32 = c->k->general.transpose_32 ? c->k->general.transpose_32 : mote_transpose_32_ref;
    p->conv = p->algo == ALGO_DW3X3 ? c->k->general.conv2d_dw3x3_f32
            : p->algo == ALGO_DW    ? c->k->general.conv2d_dw_f32
                                    : c->k->general.conv2d_f32;
    p->im2col = c->k->general.im2col_f32;
    c->scratch_bytes = 0;
    if (p->algo == ALGO_WINO) {
        p->wino = mote_ctx_alloc(c, sizeof *p->wino);
        if (!p->wino)
            return MOTE_ERR_NOMEM;
        if ((st = mote_conv_wino_prepare(c, p->wino, a, p->N, w->data, &c->scratch_bytes)))
            return st;
    }
    if (p->algo == ALGO_IM2COL && !want_t && !p->per_chan && a->groups == 1 && w->data &&
        mote_conv_tiled_fits(a->OC, p->Kc)) {
        p->tiled = mote_ctx_alloc(c, sizeof *p->tiled);
        if (!p->tiled)
            return MOTE_ERR_NOMEM;
        if ((st = mote_conv_tiled_prepare(c, p->tiled, a, p->N, w->data, &c->scratch_bytes)))
            return st;
    } else if (p->algo == ALGO_GEMM1X1 || p->algo == ALGO_IM2COL) {
        p->plans = mote_ctx_alloc(c, (size_t)a->groups * sizeof *p->plans);
        if (!p->plans)
            return MOTE_ERR_NOMEM;
        size_t scratch = 0;
        p->trans = want_t;
        if (p->trans) {
            /* Y^T (OHW x OC) = A (OHW x Kc, stored Kc x OHW) W^T; W (OC x Kc)
             * is B transposed, packed once; bias per column. A transposed
             * is for the packed GEMM's tiled path, more than 8 rows: with
             * fewer, A is transposed first (at_bytes) */
            int at = OHW <= 8;
            st = mote_gemm_plan_init(c, &p->plans[0], OHW, a->OC, p->Kc, !at, 1, w->data, p->Kc, NULL,
                                     0, a->act, &scratch);
            if (st)
                return st;
            p->yt_bytes = mote_align_up((size_t)OHW * (size_t)a->OC * sizeof(float), 64);
            p->at_bytes = at ? mote_align_up((size_t)OHW * (size_t)p->Kc * sizeof(float), 64) : 0;
            scratch += p->yt_bytes + p->at_bytes;
        }
        if (p->per_chan && (st = mote_conv_per_chan_prepare(c, p, w->data)))
            return st;
        for (int64_t g = 0; !p->trans && !p->per_chan && g < a->groups; g++) {
            size_t sg = 0;
            /* bias is set per run (the plan is copied), so pass a placeholder NULL;
             * a constant W (data known now) is packed once as the GEMM's A */
            const float *w_const = w->data ? (const float *)w->data + g * OCg * p->Kc : NULL;
            st = mote_gemm_plan_init_const_a(c, &p->plans[g], OCg, OHW, p->Kc, w_const, p->Kc,
                                             OHW, NULL, 1, a->act, &sg);
            if (st)
                return st;
            if (a->groups == 1 && !p->residual && mote_conv_next_dw_by_channel(c, a->OC, a->OH, a->OW))
                mote_gemm_plan_rows_next(&p->plans[g]);
            if (sg > scratch)
                scratch = sg;
        }
        if (p->algo == ALGO_IM2COL)
            p->col_bytes = mote_align_up((size_t)p->Kc * (size_t)OHW * sizeof(float), 64);
        /* gemm1x1 with a residual: blocks of about 8 RES_BLOCK outputs (128
         * KiB of Y, with R's 128 KiB in L2); an output of up to 16 RES_BLOCK
         * in one block. Measured on BlazeFace's 1x1 layers (AVX-512, 1
         * thread, against Conv + Add): 128x128x24 -7%; 2 RES_BLOCK blocks
         * made its 32x32 layers 9% slower. With more threads, a multiple
         * of the threads of blocks (MobileNetV2's 192 -> 32 on 28x28 in
         * one block ran on one of two threads: 89 us against 79 on one
         * thread). */
        if (p->residual && p->algo == ALGO_GEMM1X1 && !p->trans) {
            int64_t want = a->OC * OHW <= 16 * RES_BLOCK ? OHW : 8 * RES_BLOCK / a->OC;
            if (want < 1)
                want = 1;
            /* as many blocks as that asks, rounded up to a multiple of the
             * threads (one block runs on one: MobileNetV2's 144 -> 24 on
             * 56x56 was 3 blocks, 1376 + 1760 columns on 2 threads), of
             * NR-wide panels shared as evenly as they go */
            int64_t th = c->threads > 1 ? c->threads : 1;
            int64_t panels = (OHW + tnr - 1) / tnr, nb = (OHW + want - 1) / want;
            nb = (nb + th - 1) / th * th;
            if (nb > panels)
                nb = panels;
            if (nb < 1)
                nb = 1;
            p->res_cols = (panels + nb - 1) / nb * tnr;
            if (p->res_cols < tnr)   /* an empty output: one block */
                p->res_cols = tnr;
        }
        c->scratch_bytes = p->col_bytes + (size_t)(c->threads > 0 ? c->threads : 1) * p->part_bytes + scratch;
    }
    c->params = p;
    c->run = run_conv;
    return MOTE_OK;
}

const mote_op mote_op_Conv = {"Conv", 2, 4, 1, 1, 0, infer_conv, prepare_conv, NULL};
