/*
 * op_a_logsoftmax.c — LogSoftmax over one axis (f32):
 *     y = x - max - ln(sum_k e^(x_k - max))   along `axis`.
 * Opset 13 semantics by default (axis -1, one axis). The opset < 13 form
 * (input coerced to 2-D at `axis`, default 1, each row normalized as a
 * whole) is selected by the importer with the mote-private attribute
 * "_legacy_axis" = 1, as for Softmax (op_softmax.c).
 * Contiguous rows go to the table's softmax kernel with log = 1; a strided
 * axis is gathered line by line into per-thread scratch.
 */
#include "op_a_util.h"

typedef struct lsm_params {
    void (*fn)(int64_t rows, int64_t n, const float *x, float *y, int log);
    int64_t outer, n, inner;   /* x as (outer, n, inner), normalized over n */
    size_t row_bytes;          /* scratch per thread: 2 rows, 64-aligned    */
} lsm_params;

typedef struct lsm_job {
    const lsm_params *p;
    const float *x;
    float *y;
    char *scratch;
} lsm_job;

static void rows_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const lsm_job *j = ctx;
    int64_t n = j->p->n;
    j->p->fn(e - b, n, j->x + b * n, j->y + b * n, 1);
}

static void lines_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const lsm_job *j = ctx;
    const lsm_params *p = j->p;
    float *in = (float *)(j->scratch + (size_t)thread * 2 * p->row_bytes);
    float *out = (float *)((char *)in + p->row_bytes);
    for (int64_t l = b; l < e; l++) {
        int64_t o = l / p->inner, i = l % p->inner;
        const float *x = j->x + o * p->n * p->inner + i;
        float *y = j->y + o * p->n * p->inner + i;
        for (int64_t k = 0; k < p->n; k++)
            in[k] = x[k * p->inner];
        p->fn(1, p->n, in, out, 1);
        for (int64_t k = 0; k < p->n; k++)
            y[k * p->inner] = out[k];
    }
}

static void run_lsm(const mote_step *s)
{
    const lsm_params *p = s->params;
    lsm_job j = {p, s->in[0]->data, s->out[0]->data, s->scratch};
    if (p->n == 0 || p->outer == 0 || p->inner == 0)
        return;
    if (p->inner == 1)
        mote_pool_for(s->pool, p->outer, p->n >= 1024 ? 1 : 1024 / p->n, rows_chunk, &j);
    else
        mote_pool_for(s->pool, p->outer * p->inner, 16, lines_chunk, &j);
}

static mote_status lsm_view(const mote_op_ctx *c, int64_t *outer, int64_t *n, int64_t *inner)
{
    const mote_tensor *x = c->in[0];
    int legacy = mote_attr_get_int(c->node, "_legacy_axis", 0) != 0;
    int64_t axis = mote_attr_get_int(c->node, "axis", legacy ? 1 : -1);
    int r = x->ndim;
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

static mote_status infer_lsm(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    int64_t o, n, i;
    if (st || (st = lsm_view(c, &o, &n, &i)))
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_lsm(mote_op_ctx *c)
{
    lsm_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = lsm_view(c, &p->outer, &p->n, &p->inner);
    if (st)
        return st;
    p->fn = c->k->softmax_f32;
    c->scratch_bytes = 0;
    if (p->inner > 1) {
        p->row_bytes = ((size_t)p->n * sizeof(float) + 63) & ~(size_t)63;
        c->scratch_bytes = (size_t)(c->threads > 0 ? c->threads : 1) * 2 * p->row_bytes;
    }
    c->params = p;
    c->run = run_lsm;
    return MOTE_OK;
}

const mote_op mote_op_LogSoftmax = {"LogSoftmax", 1, 1, 1, 1, 0, infer_lsm, prepare_lsm, NULL};
