/*
 * binary.c — Add, Sub, Mul, Div with numpy (multidirectional)
 * broadcasting, for f32 (the table's binary kernels) and i32 / i64 (a plain
 * typed loop, for shape arithmetic; integer Div truncates toward zero and
 * gives 0 for a zero divisor instead of trapping); PRelu (f32:
 * y = x < 0 ? slope x : x, the slope broadcast to x's shape). An f32 Add
 * may carry a fused activation (the optimizer's "_act", as Conv does),
 * applied to each output segment right after it is computed.
 *
 * prepare reduces the broadcast to a few "coalesced" dimensions: size-1
 * output dims are dropped, and neighbouring dims are merged when both
 * operands walk them contiguously (or both broadcast them). The innermost
 * dimension then has stride 1 or 0 in each operand, which is exactly what
 * a binary kernel takes. Work is split over rows of that inner dimension
 * (or over elements when one dimension is left).
 */
#include "op_util.h"

typedef struct binary_params {
    mote_dtype dt;
    mote_binary_op op;
    mote_binary_f32_fn fn;                 /* f32 kernel                      */
    int nd;                                /* coalesced rank, >= 1            */
    int64_t dims[MOTE_MAX_DIMS];           /* coalesced output dims (nd)      */
    int64_t sa[MOTE_MAX_DIMS];             /* a's element stride per dim (nd), 0 = broadcast */
    int64_t sb[MOTE_MAX_DIMS];             /* b's element stride per dim (nd) */
    int64_t rows, inner;                   /* numel = rows * inner, inner = dims[nd-1] */
    mote_act act;                          /* Add's fused activation ("_act"), f32 */
    void (*act_fn)(int64_t n, float *x, mote_act act);
} binary_params;

typedef struct binary_job {
    const binary_params *p;
    const void *a, *b;
    void *y;
} binary_job;

/* Typed integer loop: y[i] = a[i*sa] OP b[i*sb]. */
#define INT_LOOP(T)                                                                   \
    static void loop_##T(mote_binary_op op, int64_t n, const T *a, int64_t sa,        \
                         const T *b, int64_t sb, T *y)                                \
    {                                                                                 \
        for (int64_t i = 0; i < n; i++) {                                             \
            T x = a[i * sa], z = b[i * sb];                                           \
            switch (op) {                                                             \
            case MOTE_BIN_ADD: y[i] = (T)((uint64_t)x + (uint64_t)z); break;          \
            case MOTE_BIN_SUB: y[i] = (T)((uint64_t)x - (uint64_t)z); break;          \
            case MOTE_BIN_MUL: y[i] = (T)((uint64_t)x * (uint64_t)z); break;          \
            default: /* x / -1 as a wrapping negation: INT_MIN / -1 would trap */     \
                y[i] = z == 0 ? 0 : z == -1 ? (T)(0 - (uint64_t)x) : x / z; break;    \
            }                                                                         \
        }                                                                             \
    }
INT_LOOP(int32_t)
INT_LOOP(int64_t)

/* Elements per block of a binary op with a fused activation (16 KiB of y). */
#define ACT_BLOCK 4096

/* One run of `n` elements starting at element offsets (oa, ob, oy), strides sa, sb. */
static void segment(const binary_job *j, int64_t n, int64_t oa, int64_t sa,
                    int64_t ob, int64_t sb, int64_t oy)
{
    const binary_params *p = j->p;
    switch (p->dt) {
    case MOTE_F32:
        if (p->act.kind == MOTE_ACT_NONE) {
            p->fn(n, (const float *)j->a + oa, sa, (const float *)j->b + ob, sb, (float *)j->y + oy);
            break;
        }
        /* the activation on each block while it is still in L1 */
        for (int64_t i = 0; i < n; i += ACT_BLOCK) {
            int64_t m = n - i < ACT_BLOCK ? n - i : ACT_BLOCK;
            float *y = (float *)j->y + oy + i;
            p->fn(m, (const float *)j->a + oa + i * sa, sa, (const float *)j->b + ob + i * sb, sb, y);
            p->act_fn(m, y, p->act);
        }
        break;
    case MOTE_I32:
        loop_int32_t(p->op, n, (const int32_t *)j->a + oa, sa, (const int32_t *)j->b + ob, sb,
                     (int32_t *)j->y + oy);
        break;
    default:
        loop_int64_t(p->op, n, (const int64_t *)j->a + oa, sa, (const int64_t *)j->b + ob, sb,
                     (int64_t *)j->y + oy);
        break;
    }
}

/* nd == 1: [b, e) are element indices */
static void flat_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const binary_job *j = ctx;
    segment(j, e - b, b * j->p->sa[0], j->p->sa[0], b * j->p->sb[0], j->p->sb[0], b);
}

/* nd > 1: [b, e) are rows of the inner dimension */
static void row_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const binary_job *j = ctx;
    const binary_params *p = j->p;
    int last = p->nd - 1;
    for (int64_t r = b; r < e; r++) {
        int64_t oa = 0, ob = 0, rem = r;
        for (int d = last - 1; d >= 0; d--) {
            int64_t i = rem % p->dims[d];
            rem /= p->dims[d];
            oa += i * p->sa[d];
            ob += i * p->sb[d];
        }
        segment(j, p->inner, oa, p->sa[last], ob, p->sb[last], r * p->inner);
    }
}

static void run_binary(const mote_step *s)
{
    const binary_params *p = s->params;
    binary_job j = {p, s->in[0]->data, s->in[1]->data, s->out[0]->data};
    if (p->rows == 0 || p->inner == 0)
        return;
    if (p->nd == 1) {
        mote_pool_for(s->pool, p->inner, 4096, flat_chunk, &j);
    } else {
        int64_t grain = p->inner >= 4096 ? 1 : 4096 / p->inner;
        mote_pool_for(s->pool, p->rows, grain, row_chunk, &j);
    }
}

static mote_status infer_binary(mote_op_ctx *c)
{
    const mote_tensor *a = c->in[0], *b = c->in[1];
    if (!a || !b)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs two inputs");
    if (a->dtype != MOTE_F32 && a->dtype != MOTE_I32 && a->dtype != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dtype %s (f32, i32 and i64 are supported)",
                             mote_dtype_name(a->dtype) ? mote_dtype_name(a->dtype) : "?");
    if (b->dtype != a->dtype)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input A is %s but input B is %s",
                             mote_dtype_name(a->dtype), mote_dtype_name(b->dtype) ?
                             mote_dtype_name(b->dtype) : "?");
    int nd;
    int64_t dims[MOTE_MAX_DIMS];
    if (mote_broadcast_shape(a, b, &nd, dims) != MOTE_OK) {
        char sa[128], sb[128];
        return mote_op_error(c, MOTE_ERR_SHAPE, "cannot broadcast A %s with B %s",
                             mote_op_dims_str(a->ndim, a->dims, sa, sizeof sa),
                             mote_op_dims_str(b->ndim, b->dims, sb, sizeof sb));
    }
    mote_set_out(c, 0, a->dtype, nd, dims);
    return MOTE_OK;
}

static mote_status prepare_binary(mote_op_ctx *c, mote_binary_op op)
{
    binary_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *o = c->out[0];
    int64_t sa[MOTE_MAX_DIMS], sb[MOTE_MAX_DIMS];
    mote_bcast_strides(c->in[0], o->ndim, sa);
    mote_bcast_strides(c->in[1], o->ndim, sb);
    p->dt = o->dtype;
    p->op = op;
    p->fn = c->k->general.binary_f32[op];
    mote_status st = mote_op_fused_act(c, &p->act);
    if (st)
        return st;
    if (p->act.kind != MOTE_ACT_NONE && (op != MOTE_BIN_ADD || p->dt != MOTE_F32))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "a fused activation (_act) is for f32 Add only");
    p->act_fn = c->k->general.act_f32;
    p->nd = 0;
    for (int i = 0; i < o->ndim; i++) {
        if (o->dims[i] == 1)
            continue;       /* contributes nothing to any offset */
        int k = p->nd - 1;
        /* merge into the previous dim when both operands continue it */
        if (k >= 0 && sa[i] * o->dims[i] == p->sa[k] && sb[i] * o->dims[i] == p->sb[k]) {
            p->dims[k] *= o->dims[i];
            p->sa[k] = sa[i];
            p->sb[k] = sb[i];
            continue;
        }
        p->dims[p->nd] = o->dims[i];
        p->sa[p->nd] = sa[i];
        p->sb[p->nd] = sb[i];
        p->nd++;
    }
    if (p->nd == 0) {       /* one element */
        p->nd = 1;
        p->dims[0] = 1;
        p->sa[0] = p->sb[0] = 0;
    }
    p->inner = p->dims[p->nd - 1];
    p->rows = mote_dims_prod(p->dims, p->nd - 1);
    for (int i = 0; i < o->ndim; i++)
        if (o->dims[i] == 0)
            p->rows = 0;
    c->params = p;
    c->run = run_binary;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* The slope of a PRelu from before opset 7 (PyTorch's converted models): one
 * value per channel, shape (C), for X (N, C, ...). Numpy broadcasting cannot
 * place it (it would align C with the last axis), so it is read as (C, 1,
 * ..., 1); a slope that broadcasts is always read the numpy way. */
static int prelu_per_channel(const mote_tensor *x, const mote_tensor *s)
{
    return s->ndim == 1 && x->ndim >= 3 && s->dims[0] == x->dims[1] && s->dims[0] != x->dims[x->ndim - 1] &&
           s->dims[0] != 1;
}

/* PRelu: f32, the slope unidirectionally broadcast to X (the output is X's shape). */
static mote_status infer_prelu(mote_op_ctx *c)
{
    const mote_tensor *x = c->in[0], *s = c->in[1];
    if (!x || !s)
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs two inputs (X, slope)");
    if (x->dtype != MOTE_F32 || s->dtype != MOTE_F32)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "X is %s and slope %s; f32 only",
                             mote_op_dtype_name(x->dtype), mote_op_dtype_name(s->dtype));
    int nd;
    int64_t dims[MOTE_MAX_DIMS];
    int fits = mote_broadcast_shape(x, s, &nd, dims) == MOTE_OK && nd == x->ndim;
    for (int i = 0; fits && i < nd; i++)
        fits = dims[i] == x->dims[i];
    if (!fits && !prelu_per_channel(x, s)) {
        char sx[128], ss[128];
        return mote_op_error(c, MOTE_ERR_SHAPE, "slope %s does not broadcast to X %s",
                             mote_op_dims_str(s->ndim, s->dims, ss, sizeof ss),
                             mote_op_dims_str(x->ndim, x->dims, sx, sizeof sx));
    }
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status prepare_prelu(mote_op_ctx *c)
{
    if (!prelu_per_channel(c->in[0], c->in[1]))
        return prepare_binary(c, MOTE_BIN_PRELU);
    /* the per-channel slope seen as (C, 1, ..., 1): the same data, its strides
     * along axis 1 of X */
    mote_tensor view = *c->in[1], *slope = c->in[1];
    view.ndim = c->in[0]->ndim - 1;
    for (int i = 1; i < view.ndim; i++)
        view.dims[i] = 1;
    c->in[1] = &view;
    mote_status st = prepare_binary(c, MOTE_BIN_PRELU);
    c->in[1] = slope;
    return st;
}
static mote_status prepare_add(mote_op_ctx *c) { return prepare_binary(c, MOTE_BIN_ADD); }
static mote_status prepare_sub(mote_op_ctx *c) { return prepare_binary(c, MOTE_BIN_SUB); }
static mote_status prepare_mul(mote_op_ctx *c) { return prepare_binary(c, MOTE_BIN_MUL); }
static mote_status prepare_div(mote_op_ctx *c) { return prepare_binary(c, MOTE_BIN_DIV); }

/* INPLACE: the session only aliases when out[0] and in[0] have the same size. */
const mote_op mote_op_Add = {"Add", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_binary, prepare_add, NULL};
const mote_op mote_op_Sub = {"Sub", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_binary, prepare_sub, NULL};
const mote_op mote_op_Mul = {"Mul", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_binary, prepare_mul, NULL};
const mote_op mote_op_PRelu = {"PRelu", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_prelu, prepare_prelu, NULL};
const mote_op mote_op_Div = {"Div", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_binary, prepare_div, NULL};
