/*
 * op_util.c — the helpers of ops.h and op_util.h: error messages that name
 * the node, session-lifetime allocations, shape checks, fused activations,
 * window geometry, n-way broadcasting, typed element access, constant
 * integer inputs, and the LLM ops' attributes. No op is defined here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"
#include "runtime/budget.h"
#include "runtime/prepared.h"
#include "config.h"

/* ---------------------------------------- errors, allocations, shapes */
mote_status mote_op_error(const mote_op_ctx *c, mote_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mote_error(st, "node '%s' (%s): %s", c->node->name, c->node->op, msg);
}

/* Session-lifetime allocations form a singly linked list of blocks; the
 * header keeps the payload 64-byte aligned. */
typedef struct alloc_hdr {
    struct alloc_hdr *next;
    char pad[56];
} alloc_hdr;

/* "node 'x' (Op): what" for budget messages. */
static void node_what(const mote_op_ctx *c, const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "node '%s' (%s): %s", c->node->name ? c->node->name : "?", c->node->op, what);
}

void *mote_ctx_alloc_aligned(mote_op_ctx *c, size_t bytes)
{
    size_t total;
    if (!mote_add_size(bytes, sizeof(alloc_hdr), &total)) {
        c->alloc_status = mote_op_error(c, MOTE_ERR_LIMIT, "allocation of %zu bytes overflows", bytes);
        return NULL;
    }
    if (c->budget) {   /* counted before it is allocated */
        char what[256];
        node_what(c, "its parameters", what, sizeof what);
        if ((c->alloc_status = mote_budget_add(c->budget, &c->budget->plan, total, what)))
            return NULL;
    }
    alloc_hdr *h = mote_alloc_aligned(total);
    if (!h) {
        c->alloc_status = mote_op_error(c, MOTE_ERR_NOMEM, "out of memory (%zu bytes)", bytes);
        return NULL;
    }
    /* not cleared: large blocks are written before they are read, and
     * untouched pages cost no memory */
    h->next = c->allocs;
    c->allocs = h;
    return h + 1;
}

void *mote_ctx_prepared(mote_op_ctx *c, mote_prep_key *key, size_t bytes, bool *fill)
{
    *fill = false;
    key->isa = c->k->name;
    if (c->budget) {   /* shared or not, the session holds these bytes */
        char what[256];
        node_what(c, "its prepared weights", what, sizeof what);
        if ((c->alloc_status = mote_budget_add(c->budget, &c->budget->prepared, bytes, what)))
            return NULL;
    }
    if (!c->prep) {   /* no model container: a private copy, counted above */
        struct mote_budget *b = c->budget;
        c->budget = NULL;
        void *d = mote_ctx_alloc_aligned(c, bytes);
        c->budget = b;
        *fill = d != NULL;
        return d;
    }
    size_t have = 0;
    void *d = mote_prepared_find(c->prep, key, &have);
    if (d && have == bytes) return d;
    if (d) {
        c->alloc_status = mote_op_error(c, MOTE_ERR_GRAPH, "prepared data of %zu bytes where "
                                        "%zu were expected", have, bytes);
        return NULL;
    }
    if (!(d = mote_prepared_add(c->prep, key, bytes))) {
        c->alloc_status = mote_op_error(c, MOTE_ERR_NOMEM, "out of memory for %zu bytes of "
                                        "prepared weights", bytes);
        return NULL;
    }
    *fill = true;
    return d;
}

void *mote_ctx_alloc(mote_op_ctx *c, size_t bytes)
{
    void *p = mote_ctx_alloc_aligned(c, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

/* Frees a list built by mote_ctx_alloc (session.c). */
void mote_ctx_free_all(void *allocs)
{
    alloc_hdr *h = allocs;
    while (h) {
        alloc_hdr *n = h->next;
        mote_free_aligned(h);
        h = n;
    }
}

mote_status mote_broadcast_shape(const mote_tensor *a, const mote_tensor *b,
                                 int *ndim, int64_t *dims)
{
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int i = 0; i < n; i++) {
        int ia = a->ndim - n + i, ib = b->ndim - n + i;
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da == db || db == 1) dims[i] = da;
        else if (da == 1) dims[i] = db;
        else {
            char sa[128], sb[128];
            return mote_error(MOTE_ERR_SHAPE, "shapes %s and %s do not broadcast (dim %d: %lld vs %lld)",
                              mote_tensor_describe(a, sa, sizeof sa),
                              mote_tensor_describe(b, sb, sizeof sb), i, (long long)da, (long long)db);
        }
    }
    *ndim = n;
    return MOTE_OK;
}

int mote_norm_axis(int64_t axis, int ndim)
{
    if (axis < -ndim || axis >= ndim) return -1;
    return (int)(axis < 0 ? axis + ndim : axis);
}

mote_status mote_expect_dtype(const mote_op_ctx *c, int i, mote_dtype t)
{
    if (i >= c->n_in || !c->in[i])
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %d is required", i);
    if (c->in[i]->dtype != t)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d has dtype %s, expected %s", i,
                             mote_dtype_name(c->in[i]->dtype), mote_dtype_name(t));
    return MOTE_OK;
}

void mote_set_out(mote_op_ctx *c, int i, mote_dtype t, int ndim, const int64_t *dims)
{
    mote_tensor *o = c->out[i];
    o->dtype = t;
    o->ndim = ndim;
    for (int k = 0; k < ndim; k++) o->dims[k] = dims[k];
}

/* ----------------------------------- fused activations, window geometry */
typedef struct act_name {
    const char *name;
    mote_act_kind kind;
    float alpha, beta;      /* defaults */
} act_name;

mote_status mote_op_fused_act(const mote_op_ctx *c, mote_act *act)
{
    static const act_name names[] = {
        {"Relu", MOTE_ACT_RELU, 0.0f, 0.0f},
        {"LeakyRelu", MOTE_ACT_LEAKY_RELU, 0.01f, 0.0f},
        {"Clip", MOTE_ACT_CLIP, -INFINITY, INFINITY},
        {"Sigmoid", MOTE_ACT_SIGMOID, 0.0f, 0.0f},
        {"Tanh", MOTE_ACT_TANH, 0.0f, 0.0f},
        {"HardSigmoid", MOTE_ACT_HARD_SIGMOID, 0.2f, 0.5f},
        {"HardSwish", MOTE_ACT_HARD_SWISH, 0.0f, 0.0f},
        {"Gelu", MOTE_ACT_GELU, 0.0f, 0.0f},
    };
    act->kind = MOTE_ACT_NONE;
    act->alpha = act->beta = 0.0f;
    const char *s = mote_attr_get_string(c->node, "_act", NULL);
    if (!s || !*s)
        return MOTE_OK;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            act->kind = names[i].kind;
            act->alpha = mote_attr_get_float(c->node, "_act_alpha", names[i].alpha);
            act->beta = mote_attr_get_float(c->node, "_act_beta", names[i].beta);
            return MOTE_OK;
        }
    }
    return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown fused activation _act='%s'", s);
}

/* Reads an ints attribute of exactly n values (or absent: dflt for each). */
static mote_status get_ints(const mote_op_ctx *c, const char *name, int n, int64_t dflt,
                            int64_t min, int64_t *out)
{
    const int64_t *v;
    int cnt = mote_attr_get_ints(c->node, name, &v);
    if (cnt < 0) {
        for (int i = 0; i < n; i++) out[i] = dflt;
        return MOTE_OK;
    }
    if (cnt != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s has %d values, expected %d",
                             name, cnt, n);
    for (int i = 0; i < n; i++) {
        if (v[i] < min)
            return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s[%d] = %lld, must be >= %lld",
                                 name, i, (long long)v[i], (long long)min);
        out[i] = v[i];
    }
    return MOTE_OK;
}

mote_status mote_op_window_nd(const mote_op_ctx *c, int nsp, const int64_t *in,
                              const int64_t *k, int ceil_mode, mote_window_nd *w)
{
    int64_t *s = w->s, *d = w->d, p[2 * MOTE_WINDOW_MAXSP], I[MOTE_WINDOW_MAXSP], *K = w->k,
            *pb = w->pb, *pe = w->pe, *O = w->o;
    mote_status st;
    if (nsp < 1 || nsp > MOTE_WINDOW_MAXSP)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "%d spatial dims; at most %d are supported",
                             nsp, MOTE_WINDOW_MAXSP);
    w->nsp = nsp;
    if ((st = get_ints(c, "strides", nsp, 1, 1, s)) ||
        (st = get_ints(c, "dilations", nsp, 1, 1, d)) ||
        (st = get_ints(c, "pads", 2 * nsp, 0, 0, p)))
        return st;
    const char *ap = mote_attr_get_string(c->node, "auto_pad", "NOTSET");
    int mode;   /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
    if (strcmp(ap, "NOTSET") == 0) mode = 0;
    else if (strcmp(ap, "VALID") == 0) mode = 1;
    else if (strcmp(ap, "SAME_UPPER") == 0) mode = 2;
    else if (strcmp(ap, "SAME_LOWER") == 0) mode = 3;
    else
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown auto_pad '%s'", ap);

    for (int i = 0; i < nsp; i++) {
        I[i] = in[i];
        K[i] = k[i];
        if (K[i] < 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "kernel size %lld along spatial axis %d",
                                 (long long)K[i], i);
        /* Every size below comes from the file: each step is checked, so a
         * stride, dilation or pad near INT64_MAX is refused with its real
         * value instead of wrapping. */
        int64_t ek;                            /* extent of the dilated kernel */
        if (__builtin_mul_overflow(K[i] - 1, d[i], &ek) || __builtin_add_overflow(ek, 1, &ek))
            return mote_op_error(c, MOTE_ERR_SHAPE,
                "kernel size %lld with dilation %lld along spatial axis %d spans more than "
                "%lld elements", (long long)K[i], (long long)d[i], i, (long long)INT64_MAX);
        switch (mode) {
        case 0: {
            pb[i] = p[i];
            pe[i] = p[nsp + i];
            int64_t padded;
            if (__builtin_add_overflow(I[i], pb[i], &padded) ||
                __builtin_add_overflow(padded, pe[i], &padded)) {
                uint64_t u = (uint64_t)I[i] + (uint64_t)pb[i];   /* each < 2^63: no wrap */
                char buf[32];
                if (__builtin_add_overflow(u, (uint64_t)pe[i], &u))
                    snprintf(buf, sizeof buf, "over %llu", (unsigned long long)UINT64_MAX);
                else
                    snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "padded input %s (input %lld, pads %lld and %lld) along spatial axis %d "
                    "exceeds %lld", buf, (long long)I[i], (long long)pb[i], (long long)pe[i], i,
                    (long long)INT64_MAX);
            }
            int64_t span = padded - ek;
            if (span < 0)
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "kernel extent %lld exceeds padded input %lld along spatial axis %d",
                    (long long)ek, (long long)padded, i);
            /* ceil(span / s) without span + s - 1 (which may overflow) */
            O[i] = span / s[i] + (ceil_mode && span % s[i] != 0) + 1;
            /* a window must start inside the input or its begin pad */
            int64_t last;
            if (ceil_mode && (__builtin_mul_overflow(O[i] - 1, s[i], &last) || last >= I[i] + pb[i]))
                O[i]--;
            break;
        }
        case 1:
            pb[i] = pe[i] = 0;
            if (I[i] < ek)
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "kernel extent %lld exceeds input %lld along spatial axis %d (auto_pad VALID)",
                    (long long)ek, (long long)I[i], i);
            O[i] = (I[i] - ek) / s[i] + 1;
            break;
        default: {
            O[i] = I[i] / s[i] + (I[i] % s[i] != 0);
            /* the padded input (O-1)*s + ek ((O-1)*s < I fits) must fit
             * too, as with explicit pads: a huge dilation would overflow */
            int64_t need;
            if (__builtin_add_overflow(O[i] > 0 ? (O[i] - 1) * s[i] : 0, ek, &need))
                return mote_op_error(c, MOTE_ERR_SHAPE,
                    "kernel extent %lld with auto_pad %s along spatial axis %d needs a padded "
                    "input over %lld", (long long)ek, ap, i, (long long)INT64_MAX);
            int64_t total = need - I[i];
            if (total < 0) total = 0;
            if (mode == 2) { pb[i] = total / 2; pe[i] = total - pb[i]; }
            else           { pe[i] = total / 2; pb[i] = total - pe[i]; }
            break;
        }
        }
        /* With one window the stride is never applied: 1 keeps the
         * kernels' index arithmetic (o * s) small. */
        if (O[i] == 1)
            s[i] = 1;
    }
    return MOTE_OK;
}

mote_status mote_op_window(const mote_op_ctx *c, int nsp, const int64_t *in,
                           const int64_t *k, int ceil_mode, mote_window *w)
{
    mote_window_nd n;
    if (nsp > 2)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "%d spatial dims where 1 or 2 are expected", nsp);
    mote_status st = mote_op_window_nd(c, nsp, in, k, ceil_mode, &n);
    if (st)
        return st;
    const int64_t *K = n.k, *s = n.s, *d = n.d, *pb = n.pb, *pe = n.pe, *O = n.o;
    if (nsp == 1) {
        /* 1-D as 2-D with a unit height */
        w->KH = 1; w->sh = 1; w->dh = 1; w->pt = 0; w->pb = 0; w->OH = 1;
        w->KW = K[0]; w->sw = s[0]; w->dw = d[0]; w->pl = pb[0]; w->pr = pe[0]; w->OW = O[0];
    } else {
        w->KH = K[0]; w->sh = s[0]; w->dh = d[0]; w->pt = pb[0]; w->pb = pe[0]; w->OH = O[0];
        w->KW = K[1]; w->sw = s[1]; w->dw = d[1]; w->pl = pb[1]; w->pr = pe[1]; w->OW = O[1];
    }
    return MOTE_OK;
}

const char *mote_op_dims_str(int ndim, const int64_t *dims, char *buf, size_t len)
{
    size_t at = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    at += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (at < len)
        snprintf(buf + at, len - at, "]");
    return buf;
}

/* ------------------------------------------------ n-way broadcasting */
mote_status mote_bcast_shape_n(const mote_op_ctx *c, int n, const mote_tensor *const *t,
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

void mote_bcast_strides(const mote_tensor *t, int nd, int64_t *st)
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

void mote_bcast_plan(mote_bcast *p, int n, const mote_tensor *const *t, const mote_tensor *out)
{
    int64_t st[MOTE_BCAST_MAX][MOTE_MAX_DIMS];
    memset(p, 0, sizeof *p);
    p->n = n;
    for (int k = 0; k < n; k++)
        mote_bcast_strides(t[k], out->ndim, st[k]);
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
    const mote_bcast *p;
    mote_bcast_seg_fn seg;
    void *ctx;
} bcast_job;

static void bcast_rows(void *ctx, int64_t b, int64_t e, int thread)
{
    const bcast_job *j = ctx;
    const mote_bcast *p = j->p;
    int last = p->nd - 1;
    /* zero past the plan's n operands: a one-input walk (Max of one
     * tensor) hands seg arrays it reads two entries of */
    int64_t off[MOTE_BCAST_MAX] = {0}, st[MOTE_BCAST_MAX] = {0};
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
    int64_t off[MOTE_BCAST_MAX] = {0}, st[MOTE_BCAST_MAX] = {0};   /* as in bcast_rows */
    for (int k = 0; k < j->p->n; k++) {
        st[k] = j->p->st[k][0];
        off[k] = b * st[k];
    }
    j->seg(j->ctx, e - b, off, st, b);
}

void mote_bcast_for(mote_pool *pool, const mote_bcast *p, mote_bcast_seg_fn seg, void *ctx)
{
    bcast_job j = {p, seg, ctx};
    if (p->rows == 0 || p->inner == 0)
        return;
    if (p->nd == 1)
        mote_pool_for(pool, p->inner, 4096, bcast_flat, &j);
    else
        mote_pool_for(pool, p->rows, p->inner >= 4096 ? 1 : 4096 / p->inner, bcast_rows, &j);
}

int64_t mote_elem_get_i64(const void *d, mote_dtype t, int64_t i)
{
    switch (t) {
    case MOTE_I8: return ((const int8_t *)d)[i];
    case MOTE_U8: case MOTE_BOOL: return ((const uint8_t *)d)[i];
    case MOTE_I32: return ((const int32_t *)d)[i];
    case MOTE_I64: return ((const int64_t *)d)[i];
    default: {
        double v = mote_elem_f64(d, t, i);
        if (isnan(v)) return 0;
        if (v >= 9.2233720368547758e18) return INT64_MAX;
        if (v <= -9.2233720368547758e18) return INT64_MIN;
        return (int64_t)v;
    }
    }
}

void mote_elem_put_i64(void *d, mote_dtype t, int64_t i, int64_t v)
{
    switch (t) {
    case MOTE_I8: ((int8_t *)d)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
    case MOTE_U8: ((uint8_t *)d)[i] = (uint8_t)(uint64_t)v; break;
    case MOTE_BOOL: ((uint8_t *)d)[i] = v != 0; break;
    case MOTE_I32: ((int32_t *)d)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
    case MOTE_I64: ((int64_t *)d)[i] = v; break;
    default: mote_elem_put_f64(d, t, i, (double)v); break;
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

void mote_elem_put_f64(void *d, mote_dtype t, int64_t i, double v)
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

mote_status mote_op_axes(const mote_op_ctx *c, int i, int64_t *axes, int *n)
{
    const int64_t *av;
    int cnt = mote_attr_get_ints(c->node, "axes", &av);
    if (i < c->n_in && c->in[i])
        return mote_op_const_ints(c, i, "axes", MOTE_MAX_DIMS * 2, axes, n);
    if (cnt > MOTE_MAX_DIMS * 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute axes has %d values", cnt);
    for (int k = 0; k < cnt; k++)
        axes[k] = av[k];
    *n = cnt;
    return MOTE_OK;
}

/* ----------------------------- integer inputs, indices and dtypes */
mote_status mote_op_expect_index(const mote_op_ctx *c, int i, const char *what)
{
    if (!mote_op_has_input(c, i))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %d (%s) is missing", i, what);
    mote_dtype t = c->in[i]->dtype;
    if (t != MOTE_I64 && t != MOTE_I32)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must be i64 or i32, not %s",
                             i, what, mote_op_dtype_name(t));
    return MOTE_OK;
}

int64_t mote_index_at(const mote_tensor *t, int64_t e)
{
    return t->dtype == MOTE_I32 ? ((const int32_t *)t->data)[e] : ((const int64_t *)t->data)[e];
}

mote_status mote_op_const_ints(const mote_op_ctx *c, int i, const char *what, int max,
                              int64_t *out, int *n)
{
    mote_status st = mote_op_expect_index(c, i, what);
    if (st)
        return st;
    const mote_tensor *t = c->in[i];
    if (!t->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "input %d (%s) must be a constant: output shapes are fixed when the "
                             "session is made", i, what);
    if (t->ndim > 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must be 1-D, it has rank %d",
                             i, what, t->ndim);
    int64_t cnt = mote_tensor_numel(t);
    if (cnt > max)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) has %lld values, at most %d allowed",
                             i, what, (long long)cnt, max);
    for (int64_t k = 0; k < cnt; k++)
        out[k] = mote_index_at(t, k);
    *n = (int)cnt;
    return MOTE_OK;
}

int mote_num_kind(mote_dtype t)
{
    switch (t) {
    case MOTE_F32: return MOTE_NUM_F32;
    case MOTE_I32: return MOTE_NUM_I32;
    case MOTE_I64: return MOTE_NUM_I64;
    case MOTE_U8: return MOTE_NUM_U8;
    case MOTE_I8: return MOTE_NUM_I8;
    default: return -1;
    }
}

/* -------------------------------------------------- language-model ops */
int mote_llm_weight_type(const mote_node *n)
{
    const char *s = mote_attr_get_string(n, "weight_type", "f32");
    if (!strcmp(s, "f32")) return MOTE_W_F32;
    if (!strcmp(s, "q8_0")) return MOTE_W_Q8_0;
    if (!strcmp(s, "q4_0")) return MOTE_W_Q4_0;
    if (!strcmp(s, "f16")) return MOTE_W_F16;
    return -1;
}

int64_t mote_llm_read_pos(const mote_tensor *t)
{
    if (t->dtype == MOTE_I64) return *(const int64_t *)t->data;
    return *(const int32_t *)t->data;
}

mote_status mote_llm_expect_pos(const mote_op_ctx *c, int i)
{
    const mote_tensor *t = c->in[i];
    if (!t || (t->dtype != MOTE_I32 && t->dtype != MOTE_I64) || mote_tensor_numel(t) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (position) must be one i32 or i64", i);
    return MOTE_OK;
}
