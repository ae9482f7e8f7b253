/*
 * gather.c — indexing ops: Gather, GatherElements, GatherND (opset 13)
 * and ScatterND (opset 16: reduction none, add, mul). Any data dtype
 * (add/mul: f32, i32, i64); indices i64 or i32.
 *
 *   Gather:          y[a, j.., b] = x[a, idx[j..], b]        (a: dims before axis)
 *   GatherElements:  y[i] = x[i with i_axis replaced by idx[i]]
 *   GatherND:        y[B, j] = x[B, idx[B, j, 0..k), ...]    (B: batch_dims)
 *   ScatterND:       y = x; y[idx[j, 0..k), ...] (=, +=, *=) u[j, ...] in j order
 *
 * Indices may be constants (checked when the session is made: out of
 * range is an error) or activations (read at run time and clamped into
 * range, see op_util.h). Every output row is one memcpy of its source
 * (kernels/move_ref.c); rows are split over the pool. ScatterND runs its
 * updates in order on one thread (duplicate indices accumulate).
 */
#include <string.h>
#include "op_util.h"

enum { GATHER, GATHER_ELEMENTS, GATHER_ND, SCATTER_ND };

typedef struct gather_params {
    int kind;
    size_t es;                 /* element bytes                                   */
    int64_t rows;              /* output rows (index tuples)                      */
    int64_t n;                 /* elements per row                                */
    /* Gather: row r = (a, j): a = r / nidx, source a*axis_n + idx[j]            */
    int64_t nidx, axis_n;
    /* GatherElements: rows are single elements; index and data geometry         */
    int nd, axis;
    int64_t odims[MOTE_MAX_DIMS];   /* output (= indices) dims                    */
    int64_t xstr[MOTE_MAX_DIMS];    /* data strides in elements                   */
    /* GatherND / ScatterND: row r = (batch, j), k index components              */
    int64_t k, per_batch, batch_stride;
    int64_t kdim[MOTE_MAX_DIMS], kstr[MOTE_MAX_DIMS]; /* data dims/strides of the k indexed axes */
    mote_scatter_red red;
    int num;                   /* mote_num of the data (reductions)                */
    size_t copy_bytes;         /* ScatterND: bytes of x copied to y first         */
} gather_params;

typedef struct gather_job {
    const gather_params *p;
    const mote_step *s;
} gather_job;

/* Source element offset of output row r (indices read and clamped). */
static int64_t row_offset(const gather_params *p, const mote_tensor *ind, int64_t r)
{
    switch (p->kind) {
    case GATHER: {
        int64_t a = r / p->nidx, j = r % p->nidx;
        return (a * p->axis_n + mote_clamp_index(mote_index_at(ind, j), p->axis_n)) * p->n;
    }
    case GATHER_ELEMENTS: {
        int64_t off = 0, e = r;
        for (int d = p->nd - 1; d >= 0; d--) {
            int64_t i = e % p->odims[d];
            e /= p->odims[d];
            if (d == p->axis)
                i = mote_clamp_index(mote_index_at(ind, r), p->axis_n);
            off += i * p->xstr[d];
        }
        return off;
    }
    default: {   /* GATHER_ND, SCATTER_ND */
        int64_t off = (r / p->per_batch) * p->batch_stride;
        for (int64_t t = 0; t < p->k; t++)
            off += mote_clamp_index(mote_index_at(ind, r * p->k + t), p->kdim[t]) * p->kstr[t];
        return off;
    }
    }
}

static void gather_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const gather_job *j = ctx;
    const gather_params *p = j->p;
    const mote_tensor *ind = j->s->in[1];
    char *y = j->s->out[0]->data;
    int64_t off[256];
    for (int64_t r = b; r < e; r += 256) {
        int64_t cnt = e - r < 256 ? e - r : 256;
        for (int64_t q = 0; q < cnt; q++)
            off[q] = row_offset(p, ind, r + q);
        mote_copy_rows_ref(j->s->in[0]->data, y + (size_t)(r * p->n) * p->es, p->es, p->n,
                           off, 0, cnt);
    }
}

static void run_gather(const mote_step *s)
{
    const gather_params *p = s->params;
    gather_job j = {p, s};
    size_t row = (size_t)p->n * p->es;
    int64_t grain = row >= 4096 ? 1 : (int64_t)(4096 / (row ? row : 1));
    mote_pool_for(s->pool, p->rows, grain, gather_chunk, &j);
}

static void run_scatter(const mote_step *s)
{
    const gather_params *p = s->params;
    char *y = s->out[0]->data;
    if (y != s->in[0]->data)
        memcpy(y, s->in[0]->data, p->copy_bytes);
    int64_t off[256];
    for (int64_t r = 0; r < p->rows; r += 256) {
        int64_t cnt = p->rows - r < 256 ? p->rows - r : 256;
        for (int64_t q = 0; q < cnt; q++)
            off[q] = row_offset(p, s->in[1], r + q);
        mote_scatter_rows_ref(y, (const char *)s->in[2]->data + (size_t)(r * p->n) * p->es,
                              (mote_num)p->num, p->es, p->n, off, cnt, p->red);
    }
}

/* A constant index tensor's element e must lie in [-n, n), n = lim[e % k]. */
static mote_status check_const(const mote_op_ctx *c, const mote_tensor *ind, int64_t k,
                               const int64_t *lim)
{
    if (!ind->data)
        return MOTE_OK;
    int64_t cnt = mote_tensor_numel(ind);
    for (int64_t e = 0; e < cnt; e++) {
        int64_t v = mote_index_at(ind, e), n = lim[e % k];
        if (v < -n || v >= n)
            return mote_op_error(c, MOTE_ERR_SHAPE, "index %lld (element %lld of indices) is out "
                                 "of range for a dimension of size %lld",
                                 (long long)v, (long long)e, (long long)n);
    }
    return MOTE_OK;
}

static mote_status infer_gather(mote_op_ctx *c)
{
    mote_status st;
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (data) is missing");
    if ((st = mote_op_expect_index(c, 1, "indices")))
        return st;
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    int64_t axis = mote_attr_get_int(c->node, "axis", 0);
    int ax = mote_norm_axis(axis, x->ndim);
    if (ax < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for data of rank %d",
                             (long long)axis, x->ndim);
    int nd = x->ndim - 1 + ind->ndim;
    if (nd > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "output rank %d exceeds %d", nd, MOTE_MAX_DIMS);
    if (x->dims[ax] == 0 && mote_tensor_numel(ind) > 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "gathering from an empty axis %d", ax);
    if ((st = check_const(c, ind, 1, &x->dims[ax])))
        return st;
    int64_t dims[MOTE_MAX_DIMS];
    int k = 0;
    for (int d = 0; d < ax; d++) dims[k++] = x->dims[d];
    for (int d = 0; d < ind->ndim; d++) dims[k++] = ind->dims[d];
    for (int d = ax + 1; d < x->ndim; d++) dims[k++] = x->dims[d];
    mote_set_out(c, 0, x->dtype, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_gather(mote_op_ctx *c)
{
    gather_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    int ax = mote_norm_axis(mote_attr_get_int(c->node, "axis", 0), x->ndim);
    p->kind = GATHER;
    p->es = mote_dtype_size(x->dtype);
    p->nidx = mote_tensor_numel(ind);
    p->axis_n = x->dims[ax];
    p->n = mote_dims_prod(x->dims + ax + 1, x->ndim - ax - 1);
    p->rows = mote_dims_prod(x->dims, ax) * p->nidx;
    c->params = p;
    c->run = run_gather;
    return MOTE_OK;
}

static mote_status infer_gather_elements(mote_op_ctx *c)
{
    mote_status st;
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (data) is missing");
    if ((st = mote_op_expect_index(c, 1, "indices")))
        return st;
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    int64_t axis = mote_attr_get_int(c->node, "axis", 0);
    int ax = mote_norm_axis(axis, x->ndim);
    if (ax < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for data of rank %d",
                             (long long)axis, x->ndim);
    if (ind->ndim != x->ndim)
        return mote_op_error(c, MOTE_ERR_SHAPE, "indices have rank %d, data rank %d (must be equal)",
                             ind->ndim, x->ndim);
    for (int d = 0; d < x->ndim; d++)
        if (d != ax && ind->dims[d] > x->dims[d])
            return mote_op_error(c, MOTE_ERR_SHAPE, "indices dim %d is %lld, larger than data's %lld",
                                 d, (long long)ind->dims[d], (long long)x->dims[d]);
    if (x->dims[ax] == 0 && mote_tensor_numel(ind) > 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "gathering from an empty axis %d", ax);
    if ((st = check_const(c, ind, 1, &x->dims[ax])))
        return st;
    mote_set_out(c, 0, x->dtype, ind->ndim, ind->dims);
    return MOTE_OK;
}

static mote_status prepare_gather_elements(mote_op_ctx *c)
{
    gather_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    p->kind = GATHER_ELEMENTS;
    p->es = mote_dtype_size(x->dtype);
    p->axis = mote_norm_axis(mote_attr_get_int(c->node, "axis", 0), x->ndim);
    p->axis_n = x->dims[p->axis];
    p->nd = x->ndim;
    p->n = 1;
    p->rows = mote_tensor_numel(ind);
    for (int d = 0; d < x->ndim; d++) {
        p->odims[d] = ind->dims[d];
        p->xstr[d] = mote_dims_prod(x->dims + d + 1, x->ndim - d - 1);
    }
    c->params = p;
    c->run = run_gather;
    return MOTE_OK;
}

/* Shared shape checks of GatherND and ScatterND; fills the row geometry. */
static mote_status nd_geometry(mote_op_ctx *c, int64_t b, gather_params *p)
{
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    if (ind->ndim < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "indices must have rank >= 1");
    if (b < 0 || b >= ind->ndim || b >= x->ndim)
        return mote_op_error(c, MOTE_ERR_SHAPE, "batch_dims %lld must be below the ranks of data "
                             "(%d) and indices (%d)", (long long)b, x->ndim, ind->ndim);
    for (int d = 0; d < b; d++)
        if (ind->dims[d] != x->dims[d])
            return mote_op_error(c, MOTE_ERR_SHAPE, "batch dim %d: indices have %lld, data %lld",
                                 d, (long long)ind->dims[d], (long long)x->dims[d]);
    int64_t k = ind->dims[ind->ndim - 1];
    if (k < 1 || k > x->ndim - b)
        return mote_op_error(c, MOTE_ERR_SHAPE, "indices' last dim is %lld; it must be in [1, %lld] "
                             "(data rank %d minus batch_dims %lld)", (long long)k,
                             (long long)(x->ndim - b), x->ndim, (long long)b);
    for (int64_t t = 0; t < k; t++)
        if (x->dims[b + t] == 0 && mote_tensor_numel(ind) > 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "indexing an empty axis %lld", (long long)(b + t));
    p->k = k;
    p->n = mote_dims_prod(x->dims + b + k, x->ndim - (int)(b + k));
    p->rows = mote_dims_prod(ind->dims, ind->ndim - 1);
    p->per_batch = mote_dims_prod(ind->dims + b, ind->ndim - 1 - (int)b);
    p->batch_stride = mote_dims_prod(x->dims + b, x->ndim - (int)b);
    for (int64_t t = 0; t < k; t++) {
        p->kdim[t] = x->dims[b + t];
        p->kstr[t] = mote_dims_prod(x->dims + b + t + 1, x->ndim - (int)(b + t) - 1);
    }
    if (p->per_batch == 0)
        p->per_batch = 1;
    return check_const(c, ind, k, p->kdim);
}

static mote_status infer_gather_nd(mote_op_ctx *c)
{
    mote_status st;
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (data) is missing");
    if ((st = mote_op_expect_index(c, 1, "indices")))
        return st;
    const mote_tensor *x = c->in[0], *ind = c->in[1];
    int64_t b = mote_attr_get_int(c->node, "batch_dims", 0);
    gather_params p;
    memset(&p, 0, sizeof p);
    if ((st = nd_geometry(c, b, &p)))
        return st;
    int nd = ind->ndim - 1 + x->ndim - (int)(b + p.k);
    if (nd > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "output rank %d exceeds %d", nd, MOTE_MAX_DIMS);
    int64_t dims[MOTE_MAX_DIMS];
    int q = 0;
    for (int d = 0; d < ind->ndim - 1; d++) dims[q++] = ind->dims[d];
    for (int d = (int)(b + p.k); d < x->ndim; d++) dims[q++] = x->dims[d];
    mote_set_out(c, 0, x->dtype, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_gather_nd(mote_op_ctx *c)
{
    gather_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = nd_geometry(c, mote_attr_get_int(c->node, "batch_dims", 0), p);
    if (st)
        return st;
    p->kind = GATHER_ND;
    p->es = mote_dtype_size(c->in[0]->dtype);
    c->params = p;
    c->run = run_gather;
    return MOTE_OK;
}

static mote_status scatter_reduction(const mote_op_ctx *c, mote_scatter_red *red)
{
    const char *r = mote_attr_get_string(c->node, "reduction", "none");
    if (!strcmp(r, "none")) *red = MOTE_SCATTER_NONE;
    else if (!strcmp(r, "add")) *red = MOTE_SCATTER_ADD;
    else if (!strcmp(r, "mul")) *red = MOTE_SCATTER_MUL;
    else
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "reduction '%s' is not supported "
                             "(none, add, mul)", r);
    return MOTE_OK;
}

static mote_status infer_scatter_nd(mote_op_ctx *c)
{
    mote_status st;
    if (!mote_op_has_input(c, 0) || !mote_op_has_input(c, 2))
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs inputs data, indices and updates");
    if ((st = mote_op_expect_index(c, 1, "indices")))
        return st;
    const mote_tensor *x = c->in[0], *ind = c->in[1], *u = c->in[2];
    mote_scatter_red red;
    if ((st = scatter_reduction(c, &red)))
        return st;
    if (red != MOTE_SCATTER_NONE && x->dtype != MOTE_F32 && x->dtype != MOTE_I32 &&
        x->dtype != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "reduction add/mul on %s data (f32, i32, "
                             "i64 only)", mote_op_dtype_name(x->dtype));
    if (u->dtype != x->dtype)
        return mote_op_error(c, MOTE_ERR_SHAPE, "updates are %s, data %s",
                             mote_op_dtype_name(u->dtype), mote_op_dtype_name(x->dtype));
    gather_params p;
    memset(&p, 0, sizeof p);
    if ((st = nd_geometry(c, 0, &p)))
        return st;
    /* updates: indices.shape[:-1] + data.shape[k:] */
    int und = ind->ndim - 1 + x->ndim - (int)p.k;
    int ok = u->ndim == und;
    for (int d = 0; ok && d < ind->ndim - 1; d++)
        ok = u->dims[d] == ind->dims[d];
    for (int d = (int)p.k; ok && d < x->ndim; d++)
        ok = u->dims[ind->ndim - 1 + d - p.k] == x->dims[d];
    if (!ok) {
        char su[128];
        return mote_op_error(c, MOTE_ERR_SHAPE, "updates have shape %s; expected indices.shape[:-1] "
                             "+ data.shape[%lld:]", mote_op_dims_str(u->ndim, u->dims, su, sizeof su),
                             (long long)p.k);
    }
    mote_set_out(c, 0, x->dtype, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status prepare_scatter_nd(mote_op_ctx *c)
{
    gather_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = nd_geometry(c, 0, p);
    if (st || (st = scatter_reduction(c, &p->red)))
        return st;
    p->kind = SCATTER_ND;
    p->es = mote_dtype_size(c->in[0]->dtype);
    p->num = mote_num_kind(c->in[0]->dtype);
    p->copy_bytes = mote_tensor_nbytes(c->in[0]);
    c->params = p;
    c->run = run_scatter;
    return MOTE_OK;
}

const mote_op mote_op_Gather = {"Gather", 2, 2, 1, 1, 0, infer_gather, prepare_gather, NULL};
const mote_op mote_op_GatherElements = {"GatherElements", 2, 2, 1, 1, 0, infer_gather_elements,
                                        prepare_gather_elements, NULL};
const mote_op mote_op_GatherND = {"GatherND", 2, 2, 1, 1, 0, infer_gather_nd, prepare_gather_nd, NULL};
const mote_op mote_op_ScatterND = {"ScatterND", 3, 3, 1, 1, 0, infer_scatter_nd, prepare_scatter_nd,
                                   NULL};
