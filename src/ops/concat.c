/*
 * concat.c — Concat along `axis` (required, in [-r, r-1]). Any dtype.
 *
 * Viewing every tensor as (outer, axis dim * inner), the output row o is
 * the inputs' rows o laid end to end; rows are split over the pool and
 * copied with memcpy.
 */
#include <string.h>
#include "op_util.h"

typedef struct concat_params {
    int n;                  /* inputs                                    */
    int64_t outer;          /* prod(dims[:axis])                         */
    size_t *bytes;          /* (n) bytes of input i per outer row        */
    size_t row_bytes;       /* sum of bytes[]: one output row            */
} concat_params;

typedef struct concat_job {
    const concat_params *p;
    const mote_step *s;
} concat_job;

static void concat_rows(void *ctx, int64_t b, int64_t e, int thread)
{
    const concat_job *j = ctx;
    const concat_params *p = j->p;
    char *y = j->s->out[0]->data;
    for (int64_t o = b; o < e; o++) {
        char *dst = y + (size_t)o * p->row_bytes;
        for (int i = 0; i < p->n; i++) {
            if (p->bytes[i]) {
                memcpy(dst, (const char *)j->s->in[i]->data + (size_t)o * p->bytes[i], p->bytes[i]);
                dst += p->bytes[i];
            }
        }
    }
}

static void run_concat(const mote_step *s)
{
    const concat_params *p = s->params;
    concat_job j = {p, s};
    if (p->row_bytes == 0)
        return;
    int64_t grain = p->row_bytes >= 16384 ? 1 : (int64_t)(16384 / p->row_bytes);
    mote_pool_for(s->pool, p->outer, grain, concat_rows, &j);
}

static mote_status infer_concat(mote_op_ctx *c)
{
    const mote_tensor *x0 = c->in[0];
    if (!x0)
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    if (!mote_node_attr(c->node, "axis"))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute axis is required");
    int64_t axis = mote_attr_get_int(c->node, "axis", 0);
    int r = x0->ndim, ax = mote_norm_axis(axis, r);
    if (ax < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)axis, r);
    int64_t dims[MOTE_MAX_DIMS];
    memcpy(dims, x0->dims, sizeof(int64_t) * (size_t)r);
    dims[ax] = 0;
    for (int i = 0; i < c->n_in; i++) {
        const mote_tensor *t = c->in[i];
        if (!t)
            return mote_op_error(c, MOTE_ERR_GRAPH, "input %d is missing", i);
        if (t->dtype != x0->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %d is %s, input 0 is %s", i,
                                 mote_dtype_name(t->dtype) ? mote_dtype_name(t->dtype) : "?",
                                 mote_dtype_name(x0->dtype) ? mote_dtype_name(x0->dtype) : "?");
        if (t->ndim != r)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %d has rank %d, input 0 has rank %d",
                                 i, t->ndim, r);
        for (int d = 0; d < r; d++)
            if (d != ax && t->dims[d] != x0->dims[d])
                return mote_op_error(c, MOTE_ERR_SHAPE, "input %d has %lld at axis %d, input 0 has %lld",
                                     i, (long long)t->dims[d], d, (long long)x0->dims[d]);
        dims[ax] += t->dims[ax];
    }
    mote_set_out(c, 0, x0->dtype, r, dims);
    return MOTE_OK;
}

static mote_status prepare_concat(mote_op_ctx *c)
{
    concat_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x0 = c->in[0];
    int ax = mote_norm_axis(mote_attr_get_int(c->node, "axis", 0), x0->ndim);
    size_t es = mote_dtype_size(x0->dtype);
    p->n = c->n_in;
    p->outer = mote_dims_prod(x0->dims, ax);
    p->bytes = mote_ctx_alloc(c, (size_t)p->n * sizeof(size_t));
    if (!p->bytes)
        return MOTE_ERR_NOMEM;
    p->row_bytes = 0;
    for (int i = 0; i < p->n; i++) {
        const mote_tensor *t = c->in[i];
        p->bytes[i] = (size_t)mote_dims_prod(t->dims + ax, t->ndim - ax) * es;
        p->row_bytes += p->bytes[i];
    }
    c->params = p;
    c->run = run_concat;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_Concat = {"Concat", 1, 64, 1, 1, 0, infer_concat, prepare_concat, NULL};
