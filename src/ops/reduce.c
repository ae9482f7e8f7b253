/*
 * reduce.c — ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
 * ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare (f32)
 * and ArgMax / ArgMin (f32 in, i64 out).
 *
 * Reduce*: the axes come from the attribute (before opset 18; ReduceSum
 * before 13) or the constant input 1 (after); no axes reduces every axis,
 * unless noop_with_empty_axes = 1, which makes the op a copy. keepdims
 * (default 1) keeps reduced axes as size 1. prepare sorts the input's
 * dims into kept and reduced ones (mote_reduce_args) and the kernel walks
 * them; outputs are split across the pool.
 * ArgMax / ArgMin: one axis (default 0), keepdims, select_last_index.
 * The math is in kernels/reduce_ref.c.
 */
#include <string.h>
#include "ref.h"
#include "op_util.h"

static const struct {
    const char *op;
    mote_reduce_kind kind;
} reduce_ops[] = {
    {"ReduceSum", MOTE_RED_SUM}, {"ReduceMean", MOTE_RED_MEAN}, {"ReduceMax", MOTE_RED_MAX},
    {"ReduceMin", MOTE_RED_MIN}, {"ReduceProd", MOTE_RED_PROD}, {"ReduceL1", MOTE_RED_L1},
    {"ReduceL2", MOTE_RED_L2}, {"ReduceLogSum", MOTE_RED_LOG_SUM},
    {"ReduceLogSumExp", MOTE_RED_LOG_SUM_EXP}, {"ReduceSumSquare", MOTE_RED_SUM_SQUARE},
};

typedef struct reduce_params {
    mote_reduce_args a;       /* x, y and the range are set per run */
    int copy;                 /* noop_with_empty_axes with no axes   */
    int64_t n_out;
} reduce_params;

/* Marks the reduced axes of x in red[]; *copy when the op is a no-op. */
static mote_status reduced_axes(const mote_op_ctx *c, int *red, int *copy)
{
    const mote_tensor *x = c->in[0];
    int64_t axes[2 * MOTE_MAX_DIMS];
    int n;
    mote_status st = mote_op_axes(c, 1, axes, &n);
    if (st)
        return st;
    *copy = 0;
    memset(red, 0, sizeof(int) * MOTE_MAX_DIMS);
    if (n <= 0) {
        if (mote_attr_get_int(c->node, "noop_with_empty_axes", 0)) {
            *copy = 1;
            return MOTE_OK;
        }
        for (int i = 0; i < x->ndim; i++)
            red[i] = 1;
        return MOTE_OK;
    }
    for (int k = 0; k < n; k++) {
        int a = mote_norm_axis(axes[k], x->ndim);
        if (a < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axes[k], x->ndim);
        red[a] = 1;
    }
    return MOTE_OK;
}

static mote_status infer_reduce(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    int red[MOTE_MAX_DIMS], copy;
    if ((st = reduced_axes(c, red, &copy)))
        return st;
    int keep = mote_attr_get_int(c->node, "keepdims", 1) != 0;
    int64_t dims[MOTE_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (copy || !red[i])
            dims[nd++] = x->dims[i];
        else if (keep)
            dims[nd++] = 1;
    }
    mote_set_out(c, 0, MOTE_F32, nd, dims);
    return MOTE_OK;
}

typedef struct reduce_job {
    const reduce_params *p;
    const float *x;
    float *y;
} reduce_job;

static void reduce_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const reduce_job *j = ctx;
    mote_reduce_args a = j->p->a;
    a.x = j->x;
    a.y = j->y;
    a.o0 = b;
    a.o1 = e;
    mote_reduce_f32_ref(&a);
}

static void run_reduce(const mote_step *s)
{
    const reduce_params *p = s->params;
    if (p->copy) {
        memcpy(s->out[0]->data, s->in[0]->data, mote_tensor_nbytes(s->out[0]));
        return;
    }
    reduce_job j = {p, s->in[0]->data, s->out[0]->data};
    mote_pool_for(s->pool, p->n_out, 16, reduce_chunk, &j);
}

static mote_status prepare_reduce(mote_op_ctx *c)
{
    reduce_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    int red[MOTE_MAX_DIMS];
    mote_status st = reduced_axes(c, red, &p->copy);
    if (st)
        return st;
    for (size_t i = 0; i < sizeof reduce_ops / sizeof *reduce_ops; i++)
        if (!strcmp(reduce_ops[i].op, c->node->op))
            p->a.kind = reduce_ops[i].kind;
    int64_t stride = 1, str[MOTE_MAX_DIMS];
    for (int i = x->ndim - 1; i >= 0; i--) {
        str[i] = stride;
        stride *= x->dims[i];
    }
    for (int i = 0; i < x->ndim; i++) {
        if (red[i]) {
            p->a.rdims[p->a.nr] = x->dims[i];
            p->a.rstr[p->a.nr++] = str[i];
        } else {
            p->a.kdims[p->a.nk] = x->dims[i];
            p->a.kstr[p->a.nk++] = str[i];
        }
    }
    p->n_out = mote_tensor_numel(c->out[0]);
    c->params = p;
    c->run = run_reduce;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* ---------------------------------------------------------- ArgMax/Min */

typedef struct arg_params {
    int is_min, last;
    int64_t outer, n, inner;  /* x viewed as (outer, n, inner) */
} arg_params;

typedef struct arg_job {
    const arg_params *p;
    const float *x;
    int64_t *y;
} arg_job;

static void arg_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const arg_job *j = ctx;
    mote_argreduce_f32_ref(j->p->is_min, j->p->last, j->p->n, j->p->inner, j->x, j->y, b, e);
}

static void run_arg(const mote_step *s)
{
    const arg_params *p = s->params;
    arg_job j = {p, s->in[0]->data, s->out[0]->data};
    if (p->n > 0)
        mote_pool_for(s->pool, p->outer, 1, arg_chunk, &j);
}

static mote_status infer_arg(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    const mote_tensor *x = c->in[0];
    int64_t axis = mote_attr_get_int(c->node, "axis", 0);
    int a = mote_norm_axis(axis, x->ndim);
    if (a < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)axis, x->ndim);
    if (x->dims[a] == 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %d is empty: no index to return", a);
    int keep = mote_attr_get_int(c->node, "keepdims", 1) != 0;
    int64_t dims[MOTE_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (i != a)
            dims[nd++] = x->dims[i];
        else if (keep)
            dims[nd++] = 1;
    }
    mote_set_out(c, 0, MOTE_I64, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_arg(mote_op_ctx *c)
{
    arg_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    int a = mote_norm_axis(mote_attr_get_int(c->node, "axis", 0), x->ndim);
    p->is_min = !strcmp(c->node->op, "ArgMin");
    p->last = mote_attr_get_int(c->node, "select_last_index", 0) != 0;
    p->outer = mote_dims_prod(x->dims, a);
    p->n = x->dims[a];
    p->inner = mote_dims_prod(x->dims + a + 1, x->ndim - a - 1);
    c->params = p;
    c->run = run_arg;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

#define REDUCE_OP(Name) \
    const mote_op mote_op_##Name = { #Name, 1, 2, 1, 1, 0, infer_reduce, prepare_reduce, NULL }
REDUCE_OP(ReduceSum);
REDUCE_OP(ReduceMean);
REDUCE_OP(ReduceMax);
REDUCE_OP(ReduceMin);
REDUCE_OP(ReduceProd);
REDUCE_OP(ReduceL1);
REDUCE_OP(ReduceL2);
REDUCE_OP(ReduceLogSum);
REDUCE_OP(ReduceLogSumExp);
REDUCE_OP(ReduceSumSquare);
const mote_op mote_op_ArgMax = {"ArgMax", 1, 1, 1, 1, 0, infer_arg, prepare_arg, NULL};
const mote_op mote_op_ArgMin = {"ArgMin", 1, 1, 1, 1, 0, infer_arg, prepare_arg, NULL};
