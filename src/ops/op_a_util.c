/*
 * op_a_util.c — the helpers of op_a_util.h: n-way broadcasting, typed
 * element access and constant integer inputs. No op is defined here.
 */
#include <math.h>
#include <string.h>
#include "op_a_util.h"

mote_status a_bcast_shape(const mote_op_ctx *c, int n, const mote_tensor *const *t,
                          int *ndim, int64_t *dims)
{
    int nd = 0;
    for (int k = 0; k < n; k++)
        if (t[k]->ndim > nd)
            nd = t[k]->ndim;
    for (int i = 0; i < nd; i++)
        dims[i] = 1;
    for (int k = 0; k < n; k++) {
        for (int j = 0; j < t[k]->ndim; j++) {
            int i = nd - t[k]->ndim + j;
            int64_t d = t[k]->dims[j];
            if (d == dims[i] || d == 1)
                continue;
            if (dims[i] == 1) {
                dims[i] = d;
                continue;
            }
            char a[128], b[128];
            return mote_op_error(c, MOTE_ERR_SHAPE, "cannot broadcast input %d %s with %s", k,
                                 mote_op_dims_str(t[k]->ndim, t[k]->dims, a, sizeof a),
                                 mote_op_dims_str(nd, dims, b, sizeof b));
        }
    }
    *ndim = nd;
    return MOTE_OK;
}

/* Element strides of t aligned to the right of rank nd; 0 where broadcast. */
static void strides_in(const mote_tensor *t, int nd, int64_t *st)
{
    int64_t acc = 1;
    for (int i = nd - 1; i >= 0; i--) {
        int j = i - (nd - t->ndim);
        if (j < 0 || t->dims[j] == 1) {
            st[i] = 0;
        } else {
            st[i] = acc;
            acc *= t->dims[j];
        }
    }
}

void a_bcast_plan(a_bcast *p, int n, const mote_tensor *const *t, const mote_tensor *out)
{
    int64_t st[A_BCAST_MAX][MOTE_MAX_DIMS];
    memset(p, 0, sizeof *p);
    p->n = n;
    for (int k = 0; k < n; k++)
        strides_in(t[k], out->ndim, st[k]);
    for (int i = 0; i < out->ndim; i++) {
        if (out->dims[i] == 1)
            continue;       /* adds nothing to any offset */
        int last = p->nd - 1, merge = last >= 0;
        for (int k = 0; k < n && merge; k++)
            merge = st[k][i] * out->dims[i] == p->st[k][last];
        if (merge) {        /* every operand walks on contiguously */
            p->dims[last] *= out->dims[i];
            for (int k = 0; k < n; k++)
                p->st[k][last] = st[k][i];
            continue;
        }
        p->dims[p->nd] = out->dims[i];
        for (int k = 0; k < n; k++)
            p->st[k][p->nd] = st[k][i];
        p->nd++;
    }
    if (p->nd == 0) {       /* one element */
        p->nd = 1;
        p->dims[0] = 1;
    }
    p->inner = p->dims[p->nd - 1];
    p->rows = mote_dims_prod(p->dims, p->nd - 1);
    if (mote_tensor_numel(out) == 0)
        p->rows = 0;
}

typedef struct bcast_job {
    const a_bcast *p;
    a_seg_fn seg;
    void *ctx;
} bcast_job;

static void bcast_rows(void *ctx, int64_t b, int64_t e, int thread)
{
    const bcast_job *j = ctx;
    const a_bcast *p = j->p;
    int last = p->nd - 1;
    int64_t off[A_BCAST_MAX], st[A_BCAST_MAX];
    for (int k = 0; k < p->n; k++)
        st[k] = p->st[k][last];
    for (int64_t r = b; r < e; r++) {
        int64_t rem = r;
        for (int k = 0; k < p->n; k++)
            off[k] = 0;
        for (int d = last - 1; d >= 0; d--) {
            int64_t i = rem % p->dims[d];
            rem /= p->dims[d];
            for (int k = 0; k < p->n; k++)
                off[k] += i * p->st[k][d];
        }
        j->seg(j->ctx, p->inner, off, st, r * p->inner);
    }
}

/* one dimension left: [b, e) are elements */
static void bcast_flat(void *ctx, int64_t b, int64_t e, int thread)
{
    const bcast_job *j = ctx;
    int64_t off[A_BCAST_MAX], st[A_BCAST_MAX];
    for (int k = 0; k < j->p->n; k++) {
        st[k] = j->p->st[k][0];
        off[k] = b * st[k];
    }
    j->seg(j->ctx, e - b, off, st, b);
}

void a_bcast_for(mote_pool *pool, const a_bcast *p, a_seg_fn seg, void *ctx)
{
    bcast_job j = {p, seg, ctx};
    if (p->rows == 0 || p->inner == 0)
        return;
    if (p->nd == 1)
        mote_pool_for(pool, p->inner, 4096, bcast_flat, &j);
    else
        mote_pool_for(pool, p->rows, p->inner >= 4096 ? 1 : 4096 / p->inner, bcast_rows, &j);
}

int64_t a_get_i64(const void *d, mote_dtype t, int64_t i)
{
    switch (t) {
    case MOTE_I8: return ((const int8_t *)d)[i];
    case MOTE_U8: case MOTE_BOOL: return ((const uint8_t *)d)[i];
    case MOTE_I32: return ((const int32_t *)d)[i];
    case MOTE_I64: return ((const int64_t *)d)[i];
    default: {
        double v = a_get_f64(d, t, i);
        if (isnan(v)) return 0;
        if (v >= 9.2233720368547758e18) return INT64_MAX;
        if (v <= -9.2233720368547758e18) return INT64_MIN;
        return (int64_t)v;
    }
    }
}

double a_get_f64(const void *d, mote_dtype t, int64_t i)
{
    switch (t) {
    case MOTE_F32: return ((const float *)d)[i];
    case MOTE_F16: return mote_f16_to_f32(((const uint16_t *)d)[i]);
    case MOTE_BF16: return mote_bf16_to_f32(((const uint16_t *)d)[i]);
    default: return (double)a_get_i64(d, t, i);
    }
}

void a_put_i64(void *d, mote_dtype t, int64_t i, int64_t v)
{
    switch (t) {
    case MOTE_I8: ((int8_t *)d)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
    case MOTE_U8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)v; break;
    case MOTE_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case MOTE_I32: ((int32_t *)d)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
    case MOTE_I64: ((int64_t *)d)[i] = v; break;
    default: a_put_f64(d, t, i, (double)v); break;
    }
}

/* Truncation toward zero, clamped to [lo, hi]; NaN gives 0. */
static int64_t to_int(double v, double lo, double hi)
{
    if (isnan(v)) return 0;
    if (v <= lo) return (int64_t)lo;
    if (v >= hi) return (int64_t)hi;
    return (int64_t)v;
}

void a_put_f64(void *d, mote_dtype t, int64_t i, double v)
{
    switch (t) {
    case MOTE_F32: ((float *)d)[i] = (float)v; break;
    case MOTE_F16: ((uint16_t *)d)[i] = mote_f32_to_f16((float)v); break;
    case MOTE_BF16: ((uint16_t *)d)[i] = mote_f32_to_bf16((float)v); break;
    case MOTE_I8: ((int8_t *)d)[i] = (int8_t)to_int(v, -128, 127); break;
    case MOTE_U8: ((uint8_t *)d)[i] = (uint8_t)to_int(v, 0, 255); break;
    case MOTE_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case MOTE_I32: ((int32_t *)d)[i] = (int32_t)to_int(v, -2147483648.0, 2147483647.0); break;
    default: ((int64_t *)d)[i] = to_int(v, -9.2233720368547758e18, 9.2233720368547748e18); break;
    }
}

mote_status a_const_ints(const mote_op_ctx *c, int i, const char *what, int max,
                         int64_t *v, int *n)
{
    const mote_tensor *t = i < c->n_in ? c->in[i] : NULL;
    if (!t)
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %s is missing", what);
    if (t->dtype != MOTE_I64 && t->dtype != MOTE_I32)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %s must be i64 (or i32), not %s",
                             what, a_dt(t->dtype));
    if (t->ndim > 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %s must be 1-D, it has rank %d",
                             what, t->ndim);
    if (!t->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input %s must be a constant (values computed at run time are not supported)",
                             what);
    int64_t cnt = mote_tensor_numel(t);
    if (cnt > max)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s has %lld values (at most %d)",
                             what, (long long)cnt, max);
    for (int64_t k = 0; k < cnt; k++)
        v[k] = a_get_i64(t->data, t->dtype, k);
    *n = (int)cnt;
    return MOTE_OK;
}

mote_status a_axes(const mote_op_ctx *c, int i, int64_t *axes, int *n)
{
    const int64_t *av;
    int cnt = mote_attr_get_ints(c->node, "axes", &av);
    if (i < c->n_in && c->in[i])
        return a_const_ints(c, i, "axes", MOTE_MAX_DIMS * 2, axes, n);
    if (cnt > MOTE_MAX_DIMS * 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute axes has %d values", cnt);
    for (int k = 0; k < cnt; k++)
        axes[k] = av[k];
    *n = cnt;
    return MOTE_OK;
}
