/*
 * pool.c — MaxPool, AveragePool (2-D NCHW and 1-D NCL) and
 * GlobalAveragePool, GlobalMaxPool (any rank >= 3). 3-D NCDHW MaxPool /
 * AveragePool (f32, Indices row-major) run in volume.c.
 *
 * An image batch (N, C, H, W) is contiguous, so it is pooled as N*C
 * channels of one image, split over the pool by channel (f32 MaxPool by
 * rows, see pool_rows_chunk). Window geometry
 * (kernel_shape, strides, pads, dilations, auto_pad, ceil_mode) follows
 * the ONNX spec; see mote_op_window in op_util.c. MaxPool also takes
 * uint8 and int8 inputs and gives its optional Indices output (int64, the
 * flat index of each maximum: row-major, or with storage_order = 1 each
 * (h, w) plane counted column by column); those forms run the reference
 * kernels of kernels/pool_ref.c (no SIMD versions).
 */
#include <string.h>
#include "op_util.h"
#include "ref.h"
#include "volume.h"

typedef struct pool_params {
    mote_pool2d_args a;                               /* geometry; x, y, c range per call */
    void (*fn)(const mote_pool2d_args *a);            /* f32 without Indices              */
    mote_dtype dtype;                                 /* of X and Y                       */
    bool indices;                                     /* MaxPool's second output wanted   */
    bool by_rows;                                     /* f32 MaxPool: split by rows      */
    bool col_major;                                   /* storage_order = 1: Indices count
                                                         (h, w) planes column by column  */
} pool_params;

typedef struct pool_job {
    const pool_params *p;
    const void *x;      /* (N*C, H, W)   */
    void *y;            /* (N*C, OH, OW) */
    int64_t *idx;       /* (N*C, OH, OW) or NULL */
} pool_job;

static void pool_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const pool_job *j = ctx;
    const pool_params *p = j->p;
    mote_pool2d_args a = p->a;
    a.c0 = b;
    a.c1 = e;
    if (p->dtype == MOTE_U8) {
        mote_maxpool2d_u8_ref(&a, j->x, j->y, j->idx);
    } else if (p->dtype == MOTE_I8) {
        mote_maxpool2d_i8_ref(&a, j->x, j->y, j->idx);
    } else {
        a.x = j->x;
        a.y = j->y;
        if (p->indices) mote_maxpool2d_idx_f32_ref(&a, j->idx);
        else p->fn(&a);
    }
    if (j->idx && p->col_major) {
        /* flat (c, iy, ix) -> c*H*W + ix*H + iy */
        const int64_t H = a.H, W = a.W, plane = a.OH * a.OW;
        for (int64_t i = b * plane; i < e * plane; i++) {
            int64_t v = j->idx[i];
            if (v < 0) continue;
            int64_t c = v / (H * W), r = v % (H * W);
            j->idx[i] = c * H * W + (r % W) * H + r / W;
        }
    }
}

/* f32 MaxPool on several threads: unit u is rows block u / C of channel
 * u % C, so each thread gets one block of rows of every channel: the
 * part of the image the convolution before it (split by rows or pixels)
 * left in that core's cache, not another core's. Each (channel, rows)
 * is the kernel's call on a view of that channel: one channel, the
 * output rows [oy0, oy1), the input from the first row their windows
 * touch; every output takes the same taps in the same order (the same
 * bits as a call on the whole channel). */
typedef struct pool_rows_job {
    const pool_params *p;
    const float *x;
    float *y;
    int64_t nb;         /* row blocks (the threads) */
} pool_rows_job;

static void pool_rows_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const pool_rows_job *j = ctx;
    const mote_pool2d_args *g = &j->p->a;
    for (int64_t u = b; u < e; u++) {
        int64_t blk = u / g->C, c = u % g->C;
        int64_t oy0 = blk * g->OH / j->nb, oy1 = (blk + 1) * g->OH / j->nb;
        if (oy0 >= oy1) continue;
        int64_t top = oy0 * g->sh - g->ph, off = top > 0 ? top : 0;
        mote_pool2d_args a = *g;
        a.C = 1;
        a.c0 = 0;
        a.c1 = 1;
        a.H = g->H - off;
        a.ph = off - top;
        a.OH = oy1 - oy0;
        a.x = j->x + (c * g->H + off) * g->W;
        a.y = j->y + (c * g->OH + oy0) * g->OW;
        j->p->fn(&a);
    }
}

static void run_pool(const mote_step *s)
{
    const pool_params *p = s->params;
    int threads = mote_pool_threads(s->pool);
    if (p->by_rows && threads > 1 && p->a.OH >= 2 * threads) {
        pool_rows_job rj = {p, s->in[0]->data, s->out[0]->data, threads};
        mote_pool_for(s->pool, threads * p->a.C, 1, pool_rows_chunk, &rj);
        return;
    }
    pool_job j = {p, s->in[0]->data, s->out[0]->data,
                  p->indices ? (int64_t *)s->out[1]->data : NULL};
    mote_pool_for(s->pool, p->a.C, 1, pool_chunk, &j);
}

/* Shared by MaxPool / AveragePool: checks, geometry, output shape
 * (win for 1-D / 2-D, vwin for any). */
static mote_status pool_geometry(mote_op_ctx *c, mote_window *win, mote_window_nd *vwin)
{
    const mote_tensor *x = c->in[0];
    bool is_max = !strcmp(c->node->op, "MaxPool");
    if (!x || !(x->dtype == MOTE_F32 || (is_max && (x->dtype == MOTE_U8 || x->dtype == MOTE_I8))))
        return x ? mote_op_error(c, MOTE_ERR_SHAPE, "input X has dtype %s, expected f32%s",
                                 mote_dtype_name(x->dtype), is_max ? ", u8 or i8" : "")
                 : mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is required");
    if (x->ndim < 3 || x->ndim > 5)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input X has rank %d; only 1-D (N,C,L), 2-D (N,C,H,W) and 3-D (N,C,D,H,W) "
                             "pooling are supported", x->ndim);
    if (x->ndim == 5 && x->dtype != MOTE_F32)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "3-D MaxPool takes f32 only, not %s",
                             mote_dtype_name(x->dtype));
    if (x->ndim == 5 && is_max && c->n_out > 1 && c->out[1] &&
        mote_attr_get_int(c->node, "storage_order", 0) == 1)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "3-D MaxPool's Indices with storage_order = 1 (column-major) are not supported");
    int nsp = x->ndim - 2;
    const int64_t *ks;
    int nks = mote_attr_get_ints(c->node, "kernel_shape", &ks);
    if (nks < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute kernel_shape is required");
    if (nks != nsp)
        return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape has %d values, input has %d spatial dims",
                             nks, nsp);
    int ceil_mode = mote_attr_get_int(c->node, "ceil_mode", 0) != 0;
    mote_status st = mote_op_window_nd(c, nsp, x->dims + 2, ks, ceil_mode, vwin);
    return st || nsp == 3 ? st : mote_op_window(c, nsp, x->dims + 2, ks, ceil_mode, win);
}

static mote_status infer_pool(mote_op_ctx *c)
{
    mote_window win;
    mote_window_nd vw;
    mote_status st = pool_geometry(c, &win, &vw);
    if (st)
        return st;
    int64_t so = mote_attr_get_int(c->node, "storage_order", 0);
    if (so != 0 && so != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "storage_order must be 0 or 1, not %lld", (long long)so);
    const mote_tensor *x = c->in[0];
    int64_t dims[5] = {x->dims[0], x->dims[1]};
    for (int i = 0; i < vw.nsp; i++)
        dims[2 + i] = vw.o[i];
    mote_set_out(c, 0, x->dtype, x->ndim, dims);
    if (c->n_out > 1 && c->out[1])
        mote_set_out(c, 1, MOTE_I64, x->ndim, dims);
    return MOTE_OK;
}

static mote_status prepare_pool(mote_op_ctx *c, int is_max)
{
    pool_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_window win;
    mote_window_nd vw;
    mote_status st = pool_geometry(c, &win, &vw);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    if (x->ndim == 5) {
        mote_vol_args v;
        memset(&v, 0, sizeof v);
        v.C = v.OC = x->dims[0] * x->dims[1];
        v.groups = 1;
        for (int i = 0; i < 3; i++) {
            v.in[i] = x->dims[2 + i]; v.out[i] = vw.o[i]; v.k[i] = vw.k[i];
            v.s[i] = vw.s[i]; v.d[i] = vw.d[i]; v.pb[i] = vw.pb[i]; v.pe[i] = vw.pe[i];
        }
        v.count_include_pad = !is_max && mote_attr_get_int(c->node, "count_include_pad", 0) != 0;
        return mote_pool3d_prepare(c, &v, is_max, is_max && c->n_out > 1 && c->out[1]);
    }
    mote_pool2d_args *a = &p->a;
    a->C = x->dims[0] * x->dims[1];
    a->H = x->ndim == 4 ? x->dims[2] : 1;
    a->W = x->dims[x->ndim - 1];
    a->OH = win.OH; a->OW = win.OW;
    a->KH = win.KH; a->KW = win.KW;
    a->sh = win.sh; a->sw = win.sw;
    a->ph = win.pt; a->pw = win.pl;
    a->ph_end = win.pb; a->pw_end = win.pr;
    a->dh = win.dh; a->dw = win.dw;
    a->count_include_pad = !is_max && mote_attr_get_int(c->node, "count_include_pad", 0) != 0;
    p->fn = is_max ? c->k->general.maxpool2d_f32 : c->k->general.avgpool2d_f32;
    p->dtype = x->dtype;
    p->indices = is_max && c->n_out > 1 && c->out[1];
    p->col_major = mote_attr_get_int(c->node, "storage_order", 0) == 1;
    /* by rows when every output row's window starts above the image's
     * bottom, so that each view keeps at least one input row (bottom
     * padding can give whole rows of -inf) */
    p->by_rows = is_max && p->dtype == MOTE_F32 && !p->indices && a->OH >= 1 &&
                 (a->OH - 1) * a->sh - a->ph < a->H;
    c->params = p;
    c->run = run_pool;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status prepare_max(mote_op_ctx *c) { return prepare_pool(c, 1); }
static mote_status prepare_avg(mote_op_ctx *c) { return prepare_pool(c, 0); }

/* ------------------------------------- GlobalAveragePool, GlobalMaxPool */

typedef struct gap_params {
    void (*fn)(int64_t C, int64_t HW, const float *x, float *y);
    int64_t rows, hw;   /* N*C rows of hw = D1*D2*... elements */
} gap_params;

typedef struct gap_job {
    const gap_params *p;
    const float *x;     /* (rows, hw) */
    float *y;           /* (rows)     */
} gap_job;

static void gap_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const gap_job *j = ctx;
    j->p->fn(e - b, j->p->hw, j->x + b * j->p->hw, j->y + b);
}

static void run_gap(const mote_step *s)
{
    const gap_params *p = s->params;
    gap_job j = {p, s->in[0]->data, s->out[0]->data};
    int64_t grain = p->hw >= 1024 ? 1 : 1024 / (p->hw ? p->hw : 1);
    mote_pool_for(s->pool, p->rows, grain, gap_chunk, &j);
}

static mote_status infer_gap(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    if (x->ndim < 3)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input X has rank %d, expected (N, C, D1, ...)", x->ndim);
    int64_t dims[MOTE_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++)
        dims[i] = i < 2 ? x->dims[i] : 1;
    mote_set_out(c, 0, MOTE_F32, x->ndim, dims);
    return MOTE_OK;
}

static mote_status prepare_global(mote_op_ctx *c, void (*fn)(int64_t, int64_t, const float *, float *))
{
    gap_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    p->fn = fn;
    p->rows = x->dims[0] * x->dims[1];
    p->hw = mote_dims_prod(x->dims + 2, x->ndim - 2);
    c->params = p;
    c->run = run_gap;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status prepare_gap(mote_op_ctx *c)
{
    return prepare_global(c, c->k->general.global_avgpool_f32);
}

static mote_status prepare_gmp(mote_op_ctx *c)
{
    return prepare_global(c, c->k->general.global_maxpool_f32);
}

const mote_op mote_op_MaxPool = {"MaxPool", 1, 1, 1, 2, 0, infer_pool, prepare_max, NULL};
const mote_op mote_op_AveragePool = {"AveragePool", 1, 1, 1, 1, 0, infer_pool, prepare_avg, NULL};
const mote_op mote_op_GlobalAveragePool = {"GlobalAveragePool", 1, 1, 1, 1, 0, infer_gap, prepare_gap, NULL};
const mote_op mote_op_GlobalMaxPool = {"GlobalMaxPool", 1, 1, 1, 1, 0, infer_gap, prepare_gmp, NULL};
