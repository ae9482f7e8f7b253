/*
 * trilu.c — Trilu (opset 14): the upper (upper=1, the default) or lower
 * triangle of each matrix in the last two dims, the rest zero:
 *   upper: y[..., i, j] = j - i >= k ? x[..., i, j] : 0
 *   lower: y[..., i, j] = j - i <= k ? x[..., i, j] : 0
 * (kernels/move_ref.c, mote_trilu_ref). k is the optional scalar int64
 * input 1 (default 0), read at run time when it is not a constant. Any
 * dtype; matrices are split over the pool.
 */
#include "op_util.h"

typedef struct trilu_params {
    size_t es;          /* element bytes                           */
    int64_t n, m;       /* matrix rows, columns                    */
    int64_t mats;       /* matrices in the stack                   */
    int upper;
    int k_input;        /* k is read from input 1 at run time      */
    int64_t k;          /* the constant k                          */
} trilu_params;

typedef struct trilu_job {
    const trilu_params *p;
    const void *x;
    void *y;
    int64_t k;
} trilu_job;

static void trilu_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const trilu_job *j = ctx;
    mote_trilu_ref(j->x, j->y, j->p->es, j->p->n, j->p->m, j->k, j->p->upper, b, e);
}

static void run_trilu(const mote_step *s)
{
    const trilu_params *p = s->params;
    trilu_job j = {p, s->in[0]->data, s->out[0]->data, p->k};
    if (p->k_input)
        j.k = mote_elem_get_i64(s->in[1]->data, s->in[1]->dtype, 0);
    if (p->mats == 0 || p->n == 0 || p->m == 0)
        return;
    int64_t per = p->n * p->m;
    mote_pool_for(s->pool, p->mats, per >= 4096 ? 1 : 4096 / per, trilu_chunk, &j);
}

static mote_status infer_trilu(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    if (!x)
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    if (x->ndim < 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input has rank %d; Trilu needs at least 2", x->ndim);
    int64_t upper = mote_attr_get_int(c->node, "upper", 1);
    if (upper != 0 && upper != 1)
        return mote_op_error(c, MOTE_ERR_GRAPH, "upper=%lld (expected 0 or 1)", (long long)upper);
    if (mote_op_has_input(c, 1)) {
        const mote_tensor *k = c->in[1];
        if (k->dtype != MOTE_I64)
            return mote_op_error(c, MOTE_ERR_SHAPE, "k is %s; it must be int64",
                                 mote_op_dtype_name(k->dtype));
        if (mote_tensor_numel(k) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "k must hold one value, it has %lld",
                                 (long long)mote_tensor_numel(k));
    }
    mote_set_out(c, 0, x->dtype, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status prepare_trilu(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0];
    trilu_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->es = mote_dtype_size(x->dtype);
    p->n = x->dims[x->ndim - 2];
    p->m = x->dims[x->ndim - 1];
    p->mats = mote_dims_prod(x->dims, x->ndim - 2);
    p->upper = (int)mote_attr_get_int(c->node, "upper", 1);
    if (mote_op_has_input(c, 1)) {
        if (c->in[1]->data)
            p->k = mote_elem_get_i64(c->in[1]->data, c->in[1]->dtype, 0);
        else
            p->k_input = 1;
    }
    c->params = p;
    c->run = run_trilu;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_Trilu = {"Trilu", 1, 2, 1, 1, 0, infer_trilu, prepare_trilu, NULL};
