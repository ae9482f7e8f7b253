/*
 * softmax.c — Softmax and LogSoftmax over one axis.
 *
 * Opset 13 semantics (default): y = exp(x - max) / sum exp(x - max) along
 * `axis` (default -1), every other index independent. When the axis is the
 * last one, rows are contiguous and go straight to the table's softmax
 * kernel; otherwise each (outer, inner) line is gathered into a per-thread
 * scratch row, normalized, and scattered back.
 *
 * Opset < 13 semantics: the input is coerced to 2-D at `axis` (default 1)
 * — rows = prod(dims[:axis]), n = prod(dims[axis:]) — and each row is
 * normalized as a whole. The importer selects this with the mote-private
 * int attribute "_legacy_axis" = 1 (and sets "axis" as the model had it,
 * or leaves it absent for the old default 1).
 *
 * LogSoftmax is the same computation in log space,
 *     y = x - max - ln(sum_k exp(x_k - max)),
 * done by the same kernel with its log flag set.
 */
#include "op_util.h"

typedef struct softmax_params {
    void (*fn)(int64_t rows, int64_t n, const float *x, float *y, int log);
    int64_t outer, n, inner;   /* x viewed as (outer, n, inner), softmax over n */
    size_t row_bytes;          /* per-thread scratch row (strided case), 64-aligned */
    int log;                   /* 1: LogSoftmax                            */
} softmax_params;

typedef struct softmax_job {
    const softmax_params *p;
    const float *x;
    float *y;
    char *scratch;             /* threads * 2 * row_bytes */
} softmax_job;

/* contiguous rows [b, e) */
static void rows_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const softmax_job *j = ctx;
    int64_t n = j->p->n;
    j->p->fn(e - b, n, j->x + b * n, j->y + b * n, j->p->log);
}

/* lines [b, e) of the (outer, inner) grid, each strided by inner */
static void lines_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const softmax_job *j = ctx;
    const softmax_params *p = j->p;
    float *in = (float *)(j->scratch + (size_t)thread * 2 * p->row_bytes);
    float *out = (float *)((char *)in + p->row_bytes);
    for (int64_t l = b; l < e; l++) {
        int64_t o = l / p->inner, i = l % p->inner;
        const float *x = j->x + o * p->n * p->inner + i;
        float *y = j->y + o * p->n * p->inner + i;
        for (int64_t k = 0; k < p->n; k++)
            in[k] = x[k * p->inner];
        p->fn(1, p->n, in, out, p->log);
        for (int64_t k = 0; k < p->n; k++)
            y[k * p->inner] = out[k];
    }
}

static void run_softmax(const mote_step *s)
{
    const softmax_params *p = s->params;
    softmax_job j = {p, s->in[0]->data, s->out[0]->data, s->scratch};
    if (p->n == 0)
        return;
    if (p->inner == 1) {
        int64_t grain = p->n >= 1024 ? 1 : 1024 / p->n;
        mote_pool_for(s->pool, p->outer, grain, rows_chunk, &j);
    } else {
        mote_pool_for(s->pool, p->outer * p->inner, 16, lines_chunk, &j);
    }
}

/* Resolves the (outer, n, inner) view; also validates the axis. */
static mote_status softmax_view(const mote_op_ctx *c, int64_t *outer, int64_t *n, int64_t *inner)
{
    const mote_tensor *x = c->in[0];
    int legacy = mote_attr_get_int(c->node, "_legacy_axis", 0) != 0;
    int64_t axis = mote_attr_get_int(c->node, "axis", legacy ? 1 : -1);
    int r = x->ndim;
    /* opset < 13 accepts axis in [-r, r] (coercion at r gives n = 1); opset 13 in [-r, r-1] */
    int ax = legacy && axis == r ? r : mote_norm_axis(axis, r);
    if (ax < 0 || (r == 0 && !legacy))
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)axis, r);
    *outer = mote_dims_prod(x->dims, ax);
    if (legacy) {
        *n = mote_dims_prod(x->dims + ax, r - ax);
        *inner = 1;
    } else {
        *n = x->dims[ax];
        *inner = mote_dims_prod(x->dims + ax + 1, r - ax - 1);
    }
    return MOTE_OK;
}

static mote_status infer_softmax(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    int64_t o, n, i;
    if ((st = softmax_view(c, &o, &n, &i)))
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare(mote_op_ctx *c, int log)
{
    softmax_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = softmax_view(c, &p->outer, &p->n, &p->inner);
    if (st)
        return st;
    p->fn = c->k->general.softmax_f32;
    p->log = log;
    c->scratch_bytes = 0;
    if (p->inner > 1) {
        p->row_bytes = ((size_t)p->n * sizeof(float) + 63) & ~(size_t)63;
        c->scratch_bytes = (size_t)(c->threads > 0 ? c->threads : 1) * 2 * p->row_bytes;
    }
    c->params = p;
    c->run = run_softmax;
    return MOTE_OK;
}

static mote_status prepare_softmax(mote_op_ctx *c) { return prepare(c, 0); }
static mote_status prepare_log_softmax(mote_op_ctx *c) { return prepare(c, 1); }

/* Not INPLACE: the strided path reads a whole line before writing it, the
 * contiguous one too, but a fast kernel may not; keep them apart. */
const mote_op mote_op_Softmax = {"Softmax", 1, 1, 1, 1, 0, infer_softmax, prepare_softmax, NULL};
const mote_op mote_op_LogSoftmax = {"LogSoftmax", 1, 1, 1, 1, 0, infer_softmax, prepare_log_softmax, NULL};
