/*
 * op_b_norm.c — normalizations of the ONNX group B: InstanceNormalization
 * (opset 6), LRN (opset 13) and LpNormalization (opset 1, p = 1 or 2).
 * f32 only; the formulas are at the kernels (kernels/b_norm.c).
 *
 *   InstanceNormalization: x (N, C, D...), scale and B (C); per (n, c)
 *       plane: y = scale (x - mean) / sqrt(var + epsilon) + B.
 *   LRN: x (N, C, D...), a window of `size` channels around each one.
 *   LpNormalization: x / ||x||_p along axis (default -1).
 * Independent rows (planes, channels, lines along the axis) are split
 * over the pool.
 */
#include "op_b_util.h"

enum { INSTANCE, LRN, LPNORM };

typedef struct norm_params {
    int kind;
    int64_t rows;              /* independent rows                          */
    int64_t C, HW;             /* instance / LRN: channels, plane size      */
    int64_t n, inner;          /* lpnorm: axis size, elements after it      */
    float eps;                 /* instance                                  */
    int64_t size;              /* LRN window                                */
    float alpha, beta, bias;   /* LRN                                       */
    int p;                     /* lpnorm order                              */
} norm_params;

typedef struct norm_job {
    const norm_params *p;
    const mote_step *s;
} norm_job;

static void norm_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const norm_job *j = ctx;
    const norm_params *p = j->p;
    const float *x = j->s->in[0]->data;
    float *y = j->s->out[0]->data;
    switch (p->kind) {
    case INSTANCE:
        mote_instancenorm_f32_ref(x, y, p->C, p->HW, j->s->in[1]->data, j->s->in[2]->data,
                                  p->eps, b, e);
        break;
    case LRN:
        mote_lrn_f32_ref(x, y, p->C, p->HW, p->size, p->alpha, p->beta, p->bias, b, e);
        break;
    default:
        mote_lpnorm_f32_ref(x, y, p->n, p->inner, p->p, b, e);
        break;
    }
}

static void run_norm(const mote_step *s)
{
    const norm_params *p = s->params;
    norm_job j = {p, s};
    int64_t per = p->kind == LPNORM ? p->n : p->HW;
    mote_pool_for(s->pool, p->rows, per >= 1024 ? 1 : 1024 / (per ? per : 1), norm_chunk, &j);
}

static mote_status norm_setup(mote_op_ctx *c, int kind, norm_params *p)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0];
    p->kind = kind;
    if (kind == LPNORM) {
        int64_t axis = mote_attr_get_int(c->node, "axis", -1);
        int ax = mote_norm_axis(axis, x->ndim);
        if (ax < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axis, x->ndim);
        int64_t pv = mote_attr_get_int(c->node, "p", 2);
        if (pv != 1 && pv != 2)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "p = %lld (1 or 2)", (long long)pv);
        p->p = (int)pv;
        p->n = x->dims[ax];
        p->inner = mote_dims_prod(x->dims + ax + 1, x->ndim - ax - 1);
        p->rows = mote_dims_prod(x->dims, ax) * p->inner;
        return MOTE_OK;
    }
    if (x->ndim < 3)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input must be (N, C, D1, ...), it has rank %d",
                             x->ndim);
    p->C = x->dims[1];
    p->HW = mote_dims_prod(x->dims + 2, x->ndim - 2);
    p->rows = x->dims[0] * p->C;
    if (kind == INSTANCE) {
        for (int i = 1; i <= 2; i++) {
            if ((st = mote_expect_dtype(c, i, MOTE_F32)))
                return st;
            if (c->in[i]->ndim != 1 || c->in[i]->dims[0] != p->C)
                return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must have shape (%lld)", i,
                                     i == 1 ? "scale" : "B", (long long)p->C);
        }
        p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
        return MOTE_OK;
    }
    if (!mote_node_attr(c->node, "size"))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute size is required");
    p->size = mote_attr_get_int(c->node, "size", 1);
    if (p->size < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "size = %lld must be >= 1", (long long)p->size);
    p->alpha = mote_attr_get_float(c->node, "alpha", 1e-4f);
    p->beta = mote_attr_get_float(c->node, "beta", 0.75f);
    p->bias = mote_attr_get_float(c->node, "bias", 1.0f);
    return MOTE_OK;
}

static mote_status infer_norm(mote_op_ctx *c, int kind)
{
    norm_params p;
    mote_status st = norm_setup(c, kind, &p);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_norm(mote_op_ctx *c, int kind)
{
    norm_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = norm_setup(c, kind, p);
    if (st)
        return st;
    c->params = p;
    c->run = run_norm;
    return MOTE_OK;
}

static mote_status infer_instance(mote_op_ctx *c) { return infer_norm(c, INSTANCE); }
static mote_status prepare_instance(mote_op_ctx *c) { return prepare_norm(c, INSTANCE); }
static mote_status infer_lrn(mote_op_ctx *c) { return infer_norm(c, LRN); }
static mote_status prepare_lrn(mote_op_ctx *c) { return prepare_norm(c, LRN); }
static mote_status infer_lp(mote_op_ctx *c) { return infer_norm(c, LPNORM); }
static mote_status prepare_lp(mote_op_ctx *c) { return prepare_norm(c, LPNORM); }

const mote_op mote_op_InstanceNormalization = {"InstanceNormalization", 3, 3, 1, 1, 0,
                                               infer_instance, prepare_instance, NULL};
const mote_op mote_op_LRN = {"LRN", 1, 1, 1, 1, 0, infer_lrn, prepare_lrn, NULL};
const mote_op mote_op_LpNormalization = {"LpNormalization", 1, 1, 1, 1, 0, infer_lp, prepare_lp, NULL};
