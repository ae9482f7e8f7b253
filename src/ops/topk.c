/*
 * topk.c — ops along one axis: TopK (opset 1 attribute k, opset 10+
 * input K; largest, sorted) and CumSum (opset 11/14: exclusive, reverse).
 *
 *   TopK:   the k largest (smallest) values along axis and their i64
 *           indices, ordered by value, ties to the lower index (the order
 *           ONNX's reference gives; sorted = 0 yields the same order). f32.
 *   CumSum: y[.., j, ..] = sum_{k <= j} x[.., k, ..] (exclusive k < j;
 *           reverse k >= j). f32, i32, i64.
 * The tensor is viewed as (outer, n, inner); the outer*inner independent
 * rows are split over the pool. K and axis must be constants.
 */
#include "op_util.h"

typedef struct axis_params {
    int64_t outer, n, inner;   /* view of the input around the axis        */
    int64_t k;                 /* TopK                                     */
    int largest;               /* TopK                                     */
    int exclusive, reverse;    /* CumSum                                   */
    int num;                   /* CumSum element mote_num                  */
    size_t tmp_per_thread;     /* TopK scratch bytes per thread (k int64)  */
} axis_params;

typedef struct axis_job {
    const axis_params *p;
    const mote_step *s;
} axis_job;

static void topk_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const axis_job *j = ctx;
    const axis_params *p = j->p;
    int64_t *tmp = (int64_t *)((char *)j->s->scratch + (size_t)thread * p->tmp_per_thread);
    mote_topk_f32_ref(j->s->in[0]->data, p->n, p->inner, p->k, p->largest, j->s->out[0]->data,
                      j->s->out[1]->data, tmp, b, e);
}

static void run_topk(const mote_step *s)
{
    const axis_params *p = s->params;
    axis_job j = {p, s};
    mote_pool_for(s->pool, p->outer * p->inner, 1, topk_chunk, &j);
}

static void cumsum_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const axis_job *j = ctx;
    const axis_params *p = j->p;
    mote_cumsum_ref(j->s->in[0]->data, j->s->out[0]->data, (mote_num)p->num, p->n, p->inner,
                    p->exclusive, p->reverse, b, e);
}

static void run_cumsum(const mote_step *s)
{
    const axis_params *p = s->params;
    axis_job j = {p, s};
    int64_t grain = p->n >= 1024 ? 1 : 1024 / (p->n ? p->n : 1);
    mote_pool_for(s->pool, p->outer * p->inner, grain, cumsum_chunk, &j);
}

/* The (outer, n, inner) view around axis (normalized into *ax). */
static mote_status axis_view(const mote_op_ctx *c, int64_t axis, axis_params *p)
{
    const mote_tensor *x = c->in[0];
    int ax = mote_norm_axis(axis, x->ndim);
    if (ax < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)axis, x->ndim);
    p->outer = mote_dims_prod(x->dims, ax);
    p->n = x->dims[ax];
    p->inner = mote_dims_prod(x->dims + ax + 1, x->ndim - ax - 1);
    return MOTE_OK;
}

static mote_status topk_setup(mote_op_ctx *c, axis_params *p, int *ax)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)))
        return st;
    int64_t k;
    if (c->n_in >= 2) {
        int nk;
        if ((st = mote_op_const_ints(c, 1, "K", 1, &k, &nk)))
            return st;
        if (nk != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "K must hold one value");
    } else {
        if (!mote_node_attr(c->node, "k"))
            return mote_op_error(c, MOTE_ERR_SHAPE, "needs a K input (opset 10+) or k attribute");
        k = mote_attr_get_int(c->node, "k", 0);
    }
    int64_t axis = mote_attr_get_int(c->node, "axis", -1);
    if ((st = axis_view(c, axis, p)))
        return st;
    *ax = mote_norm_axis(axis, c->in[0]->ndim);
    if (k < 0 || k > p->n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "K = %lld is outside [0, %lld] (the axis size)",
                             (long long)k, (long long)p->n);
    p->k = k;
    p->largest = mote_attr_get_int(c->node, "largest", 1) != 0;
    return MOTE_OK;
}

static mote_status infer_topk(mote_op_ctx *c)
{
    axis_params p;
    int ax;
    mote_status st = topk_setup(c, &p, &ax);
    if (st)
        return st;
    int64_t dims[MOTE_MAX_DIMS];
    const mote_tensor *x = c->in[0];
    for (int d = 0; d < x->ndim; d++)
        dims[d] = d == ax ? p.k : x->dims[d];
    mote_set_out(c, 0, MOTE_F32, x->ndim, dims);
    mote_set_out(c, 1, MOTE_I64, x->ndim, dims);
    return MOTE_OK;
}

static mote_status prepare_topk(mote_op_ctx *c)
{
    axis_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int ax;
    mote_status st = topk_setup(c, p, &ax);
    if (st)
        return st;
    p->tmp_per_thread = (size_t)(p->k + 1) * sizeof(int64_t);
    c->scratch_bytes = p->tmp_per_thread * (size_t)(c->threads > 0 ? c->threads : 1);
    c->params = p;
    c->run = run_topk;
    return MOTE_OK;
}

static mote_status cumsum_setup(mote_op_ctx *c, axis_params *p)
{
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    mote_dtype t = c->in[0]->dtype;
    if (t != MOTE_F32 && t != MOTE_I32 && t != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input is %s; CumSum supports f32, i32, i64",
                             mote_op_dtype_name(t));
    int64_t axis;
    int na;
    mote_status st = mote_op_const_ints(c, 1, "axis", 1, &axis, &na);
    if (st)
        return st;
    if (na != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis must hold one value");
    if ((st = axis_view(c, axis, p)))
        return st;
    p->exclusive = mote_attr_get_int(c->node, "exclusive", 0) != 0;
    p->reverse = mote_attr_get_int(c->node, "reverse", 0) != 0;
    p->num = mote_num_kind(t);
    return MOTE_OK;
}

static mote_status infer_cumsum(mote_op_ctx *c)
{
    axis_params p;
    mote_status st = cumsum_setup(c, &p);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_cumsum(mote_op_ctx *c)
{
    axis_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = cumsum_setup(c, p);
    if (st)
        return st;
    c->params = p;
    c->run = run_cumsum;
    return MOTE_OK;
}

const mote_op mote_op_TopK = {"TopK", 1, 2, 2, 2, 0, infer_topk, prepare_topk, NULL};
const mote_op mote_op_CumSum = {"CumSum", 2, 2, 1, 1, 0, infer_cumsum, prepare_cumsum, NULL};
