/*
 * op_llm_norm.c — RMSNormalization (ONNX opset 23):
 *   Y = X / sqrt(mean(X^2 over axes [axis, rank)) + epsilon) * scale
 * scale has the normalized shape (or its numel). The statistics are always
 * computed in f32 (stash_type 1). Rows are split over the pool.
 */
#include "op_llm.h"

typedef struct rms_params {
    int64_t rows, n;               /* rows of n normalized values */
    const float *scale;            /* (n), or NULL if given per run */
    float eps;
    const mote_llm_kernels *lk;
} rms_params;

typedef struct rms_job { const rms_params *p; const float *x, *g; float *y; } rms_job;

static void rms_chunk(void *ctx, int64_t r0, int64_t r1, int thread)
{
    const rms_job *j = ctx;
    int64_t n = j->p->n;
    for (int64_t r = r0; r < r1; r++)
        j->p->lk->rmsnorm_f32(n, j->x + r * n, j->g, j->p->eps, j->y + r * n);
}

static void rms_run(const mote_step *s)
{
    const rms_params *p = s->params;
    rms_job j = { p, s->in[0]->data, p->scale ? p->scale : s->in[1]->data, s->out[0]->data };
    mote_pool_for(s->pool, p->rows, 1, rms_chunk, &j);
}

static mote_status rms_infer(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (!st) st = mote_expect_dtype(c, 1, MOTE_F32);
    if (st) return st;
    const mote_tensor *x = c->in[0];
    int axis = mote_norm_axis(mote_attr_get_int(c->node, "axis", -1), x->ndim);
    if (axis < 0) return mote_op_error(c, MOTE_ERR_SHAPE, "axis out of range for rank %d", x->ndim);
    if (mote_attr_get_int(c->node, "stash_type", 1) != 1)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "only stash_type 1 (f32) is supported");
    int64_t n = 1;
    for (int d = axis; d < x->ndim; d++) n *= x->dims[d];
    int64_t sn = mote_tensor_numel(c->in[1]);
    if (n > 0 && sn != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "scale has %lld values, the normalized "
                             "shape %lld", (long long)sn, (long long)n);
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status rms_prepare(mote_op_ctx *c)
{
    rms_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p || !(p->lk = mote_llm_kernels_for(c))) return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    int axis = mote_norm_axis(mote_attr_get_int(c->node, "axis", -1), x->ndim);
    p->n = 1;
    for (int d = axis; d < x->ndim; d++) p->n *= x->dims[d];
    p->rows = p->n ? mote_tensor_numel(x) / p->n : 0;
    p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
    p->scale = mote_in_const_f32(c, 1);
    c->params = p;
    c->run = rms_run;
    return MOTE_OK;
}

const mote_op mote_op_RMSNormalization = {
    .name = "RMSNormalization", .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .flags = MOTE_OP_INPLACE, .infer = rms_infer, .prepare = rms_prepare,
};
