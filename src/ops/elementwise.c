/*
 * elementwise.c — broadcasting elementwise ops of two or more inputs:
 *   math:     Pow (base f32/i32/i64, exponent f32 or an integer type),
 *             Max, Min, Sum (variadic, f32 and integer types), Mean (f32);
 *   compare:  Equal, Less, LessOrEqual, Greater, GreaterOrEqual -> bool
 *             (any numeric dtype; Equal also bool);
 *   logic:    And, Or, Xor (bool);
 *   select:   Where(cond, x, y) = cond ? x : y (x, y any dtype).
 * Numpy (multidirectional) broadcasting throughout (mote_bcast_plan in op_util.c).
 * Variadic ops fold left: y = in0 op in1, then y = y op in_k; Mean then
 * divides by the count. f32 math goes through the session's binary kernel
 * table; other dtypes through plain typed loops (integer results wrap,
 * Pow with an integer output truncates pow(a, b) computed in double).
 * Not Add/Sub/Mul/Div (op_binary.c).
 */
#include <math.h>
#include <string.h>
#include "op_util.h"

typedef enum nary_kind {
    K_ADD, K_MAX, K_MIN, K_POW,          /* math                     */
    K_EQ, K_LT, K_LE, K_GT, K_GE,        /* compare                  */
    K_AND, K_OR, K_XOR,                  /* logic                    */
    K_WHERE, K_COPY
} nary_kind;

typedef struct nary_params {
    nary_kind kind;
    int mean;                  /* Mean: divide by n_in at the end          */
    int n_in;
    mote_binary_f32_fn fn;     /* f32 kernel for ADD/MAX/MIN/POW, else NULL */
    mote_binary_f32_fn div;    /* Mean's division                          */
    mote_bcast *plan;             /* (max(1, n_in - 1)) step k: y/in0 op in[k+1] */
} nary_params;

typedef struct nary_job {
    const nary_params *p;
    const void *op[3];         /* operands of this step                    */
    mote_dtype dt[3];
    void *y;
    mote_dtype yt;
} nary_job;

static int compare(nary_kind k, double a, double b)
{
    switch (k) {
    case K_EQ: return a == b;
    case K_LT: return a < b;
    case K_LE: return a <= b;
    case K_GT: return a > b;
    default: return a >= b;
    }
}

static int compare_i(nary_kind k, int64_t a, int64_t b)
{
    switch (k) {
    case K_EQ: return a == b;
    case K_LT: return a < b;
    case K_LE: return a <= b;
    case K_GT: return a > b;
    default: return a >= b;
    }
}

/* 64 comparisons with a fixed count and restrict operands: a loop the
 * compiler turns into vector compares at -O2 */
#define CMP_BLOCKS(NAME, OP)                                                              \
    static void NAME(int64_t n, const float *restrict a, int64_t sa, const float *restrict b,  \
                     int64_t sb, uint8_t *restrict y)                                     \
    {                                                                                     \
        int64_t i = 0;                                                                    \
        if (sa == 1 && sb == 1)                                                           \
            for (; i + 64 <= n; i += 64)                                                  \
                for (int k = 0; k < 64; k++)                                              \
                    y[i + k] = a[i + k] OP b[i + k];                                      \
        else if (sa == 1 && sb == 0) {                                                    \
            const float bv = b[0];                                                        \
            for (; i + 64 <= n; i += 64)                                                  \
                for (int k = 0; k < 64; k++)                                              \
                    y[i + k] = a[i + k] OP bv;                                            \
        }                                                                                 \
        for (; i < n; i++)                                                                \
            y[i] = a[i * sa] OP b[i * sb];                                                \
    }
CMP_BLOCKS(cmp_eq, ==)
CMP_BLOCKS(cmp_lt, <)
CMP_BLOCKS(cmp_le, <=)
CMP_BLOCKS(cmp_gt, >)
CMP_BLOCKS(cmp_ge, >=)
#undef CMP_BLOCKS

/* f32 comparison rows, the common case: one loop per operator, without
 * per-element dispatch (a float compare is compare's double one: the
 * widening is exact) */
static void compare_f32(nary_kind k, int64_t n, const float *a, int64_t sa, const float *b,
                        int64_t sb, uint8_t *y)
{
    switch (k) {
    case K_EQ: cmp_eq(n, a, sa, b, sb, y); break;
    case K_LT: cmp_lt(n, a, sa, b, sb, y); break;
    case K_LE: cmp_le(n, a, sa, b, sb, y); break;
    case K_GT: cmp_gt(n, a, sa, b, sb, y); break;
    default: cmp_ge(n, a, sa, b, sb, y); break;
    }
}

static void seg(void *ctx, int64_t n, const int64_t *off, const int64_t *st, int64_t yoff)
{
    const nary_job *j = ctx;
    const nary_params *p = j->p;
    nary_kind k = p->kind;
    if (p->fn) {
        p->fn(n, (const float *)j->op[0] + off[0], st[0], (const float *)j->op[1] + off[1], st[1],
              (float *)j->y + yoff);
        return;
    }
    if (k >= K_EQ && k <= K_GE && j->dt[0] == MOTE_F32) {
        compare_f32(k, n, (const float *)j->op[0] + off[0], st[0],
                    (const float *)j->op[1] + off[1], st[1], (uint8_t *)j->y + yoff);
        return;
    }
    if (k == K_WHERE) {
        size_t es = mote_dtype_size(j->yt);
        const uint8_t *cnd = (const uint8_t *)j->op[0] + off[0];
        const char *x = (const char *)j->op[1], *z = (const char *)j->op[2];
        char *y = (char *)j->y + (size_t)yoff * es;
        for (int64_t i = 0; i < n; i++) {
            const char *src = cnd[i * st[0]] ? x + (size_t)(off[1] + i * st[1]) * es
                                             : z + (size_t)(off[2] + i * st[2]) * es;
            memcpy(y + (size_t)i * es, src, es);
        }
        return;
    }
    int ints = mote_dtype_is_int(j->dt[0]) && (k == K_COPY || mote_dtype_is_int(j->dt[1]));
    for (int64_t i = 0; i < n; i++) {
        int64_t ia = off[0] + i * st[0], ib = off[1] + i * st[1], iy = yoff + i;
        if (ints) {
            int64_t a = mote_elem_get_i64(j->op[0], j->dt[0], ia);
            int64_t b = k == K_COPY ? 0 : mote_elem_get_i64(j->op[1], j->dt[1], ib);
            switch (k) {
            case K_COPY: mote_elem_put_i64(j->y, j->yt, iy, a); break;
            case K_ADD: mote_elem_put_i64(j->y, j->yt, iy, (int64_t)((uint64_t)a + (uint64_t)b)); break;
            case K_MAX: mote_elem_put_i64(j->y, j->yt, iy, a > b ? a : b); break;
            case K_MIN: mote_elem_put_i64(j->y, j->yt, iy, a < b ? a : b); break;
            case K_POW: mote_elem_put_f64(j->y, j->yt, iy, pow((double)a, (double)b)); break;
            case K_AND: mote_elem_put_i64(j->y, j->yt, iy, a && b); break;
            case K_OR: mote_elem_put_i64(j->y, j->yt, iy, a || b); break;
            case K_XOR: mote_elem_put_i64(j->y, j->yt, iy, !a != !b); break;
            default: mote_elem_put_i64(j->y, j->yt, iy, compare_i(k, a, b)); break;
            }
        } else {
            double a = mote_elem_f64(j->op[0], j->dt[0], ia);
            double b = k == K_COPY ? 0 : mote_elem_f64(j->op[1], j->dt[1], ib);
            double r;
            switch (k) {
            case K_COPY: r = a; break;
            case K_ADD: r = a + b; break;
            case K_MAX: r = isnan(a) || a > b ? a : b; break;
            case K_MIN: r = isnan(a) || a < b ? a : b; break;
            case K_POW: r = pow(a, b); break;
            default: r = compare(k, a, b); break;
            }
            mote_elem_put_f64(j->y, j->yt, iy, r);
        }
    }
}

typedef struct div_job {
    mote_binary_f32_fn div;
    float *y;
    float count;
} div_job;

static void div_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const div_job *j = ctx;
    j->div(e - b, j->y + b, 1, &j->count, 0, j->y + b);
}

static void run_a_binary(const mote_step *s)
{
    const nary_params *p = s->params;
    nary_job j;
    memset(&j, 0, sizeof j);
    j.p = p;
    j.y = s->out[0]->data;
    j.yt = s->out[0]->dtype;
    if (p->kind == K_WHERE) {
        for (int k = 0; k < 3; k++) {
            j.op[k] = s->in[k]->data;
            j.dt[k] = s->in[k]->dtype;
        }
        mote_bcast_for(s->pool, &p->plan[0], seg, &j);
        return;
    }
    if (p->n_in == 1) {   /* Max/Min/Sum/Mean of one input: a copy */
        nary_params cp = *p;
        cp.kind = K_COPY;
        cp.fn = NULL;
        j.p = &cp;
        j.op[0] = s->in[0]->data;
        j.dt[0] = s->in[0]->dtype;
        mote_bcast_for(s->pool, &p->plan[0], seg, &j);
        return;
    }
    for (int k = 0; k + 1 < p->n_in; k++) {
        j.op[0] = k == 0 ? s->in[0]->data : s->out[0]->data;
        j.dt[0] = k == 0 ? s->in[0]->dtype : s->out[0]->dtype;
        j.op[1] = s->in[k + 1]->data;
        j.dt[1] = s->in[k + 1]->dtype;
        mote_bcast_for(s->pool, &p->plan[k], seg, &j);
    }
    if (p->mean) {
        div_job d = {p->div, s->out[0]->data, (float)p->n_in};
        mote_pool_for(s->pool, mote_tensor_numel(s->out[0]), 4096, div_chunk, &d);
    }
}

/* ------------------------------------------------------------- infer */

static int numeric(mote_dtype t)
{
    return t == MOTE_F32 || (mote_dtype_is_int(t) && t != MOTE_BOOL);
}

static mote_status check_present(const mote_op_ctx *c)
{
    for (int i = 0; i < c->n_in; i++)
        if (!c->in[i])
            return mote_op_error(c, MOTE_ERR_GRAPH, "input %d is missing", i);
    return MOTE_OK;
}

static mote_status same_dtypes(const mote_op_ctx *c, int first)
{
    for (int i = first + 1; i < c->n_in; i++)
        if (c->in[i]->dtype != c->in[first]->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %d is %s but input %d is %s", i,
                                 mote_op_dtype_name(c->in[i]->dtype), first, mote_op_dtype_name(c->in[first]->dtype));
    return MOTE_OK;
}

static mote_status out_bcast(mote_op_ctx *c, mote_dtype yt)
{
    int nd;
    int64_t dims[MOTE_MAX_DIMS];
    mote_status st = mote_bcast_shape_n(c, c->n_in, (const mote_tensor *const *)c->in, &nd, dims);
    if (!st)
        mote_set_out(c, 0, yt, nd, dims);
    return st;
}

/* Max, Min, Sum: one numeric dtype; Mean: f32 */
static mote_status infer_variadic(mote_op_ctx *c)
{
    mote_status st;
    if ((st = check_present(c)) || (st = same_dtypes(c, 0)))
        return st;
    mote_dtype t = c->in[0]->dtype;
    int mean = !strcmp(c->node->op, "Mean");
    if (mean ? t != MOTE_F32 : !numeric(t))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dtype %s is not supported (%s)", mote_op_dtype_name(t),
                             mean ? "f32" : "f32, i8, u8, i32, i64");
    return out_bcast(c, t);
}

static mote_status infer_pow(mote_op_ctx *c)
{
    mote_status st = check_present(c);
    if (st)
        return st;
    mote_dtype a = c->in[0]->dtype, b = c->in[1]->dtype;
    if (a != MOTE_F32 && a != MOTE_I32 && a != MOTE_I64)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "base dtype %s is not supported (f32, i32, i64)",
                             mote_op_dtype_name(a));
    if (!numeric(b))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "exponent dtype %s is not supported", mote_op_dtype_name(b));
    return out_bcast(c, a);
}

static mote_status infer_compare(mote_op_ctx *c)
{
    mote_status st;
    if ((st = check_present(c)) || (st = same_dtypes(c, 0)))
        return st;
    mote_dtype t = c->in[0]->dtype;
    if (!numeric(t) && !(t == MOTE_BOOL && !strcmp(c->node->op, "Equal")))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dtype %s is not supported", mote_op_dtype_name(t));
    return out_bcast(c, MOTE_BOOL);
}

static mote_status infer_logic(mote_op_ctx *c)
{
    mote_status st;
    if ((st = check_present(c)) || (st = same_dtypes(c, 0)))
        return st;
    if (c->in[0]->dtype != MOTE_BOOL)
        return mote_op_error(c, MOTE_ERR_SHAPE, "inputs must be bool, not %s", mote_op_dtype_name(c->in[0]->dtype));
    return out_bcast(c, MOTE_BOOL);
}

static mote_status infer_where(mote_op_ctx *c)
{
    mote_status st;
    if ((st = check_present(c)) || (st = same_dtypes(c, 1)))
        return st;
    if (c->in[0]->dtype != MOTE_BOOL)
        return mote_op_error(c, MOTE_ERR_SHAPE, "condition must be bool, not %s", mote_op_dtype_name(c->in[0]->dtype));
    return out_bcast(c, c->in[1]->dtype);
}

/* ----------------------------------------------------------- prepare */

static mote_status prepare_kind(mote_op_ctx *c, nary_kind kind)
{
    nary_params *p = mote_ctx_alloc(c, sizeof *p);
    int steps = c->n_in > 1 && kind != K_WHERE ? c->n_in - 1 : 1;
    if (!p || !(p->plan = mote_ctx_alloc(c, sizeof *p->plan * (size_t)steps)))
        return MOTE_ERR_NOMEM;
    p->kind = kind;
    p->n_in = c->n_in;
    p->mean = !strcmp(c->node->op, "Mean");
    p->div = c->k->general.binary_f32[MOTE_BIN_DIV];
    const mote_tensor *out = c->out[0];
    if (kind == K_WHERE || c->n_in == 1) {
        mote_bcast_plan(&p->plan[0], c->n_in, (const mote_tensor *const *)c->in, out);
    } else {
        for (int k = 0; k < steps; k++) {
            const mote_tensor *t[2] = {k == 0 ? c->in[0] : out, c->in[k + 1]};
            mote_bcast_plan(&p->plan[k], 2, t, out);
        }
    }
    /* the f32 kernel applies when every operand is f32 */
    int all_f32 = out->dtype == MOTE_F32;
    for (int i = 0; i < c->n_in; i++)
        all_f32 &= c->in[i]->dtype == MOTE_F32;
    static const mote_binary_op table_op[] = {MOTE_BIN_ADD, MOTE_BIN_MAX, MOTE_BIN_MIN, MOTE_BIN_POW};
    if (all_f32 && kind <= K_POW)
        p->fn = c->k->general.binary_f32[table_op[kind]];
    c->params = p;
    c->run = run_a_binary;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status prepare_sum(mote_op_ctx *c) { return prepare_kind(c, K_ADD); }
static mote_status prepare_max(mote_op_ctx *c) { return prepare_kind(c, K_MAX); }
static mote_status prepare_min(mote_op_ctx *c) { return prepare_kind(c, K_MIN); }
static mote_status prepare_pow(mote_op_ctx *c) { return prepare_kind(c, K_POW); }
static mote_status prepare_eq(mote_op_ctx *c) { return prepare_kind(c, K_EQ); }
static mote_status prepare_lt(mote_op_ctx *c) { return prepare_kind(c, K_LT); }
static mote_status prepare_le(mote_op_ctx *c) { return prepare_kind(c, K_LE); }
static mote_status prepare_gt(mote_op_ctx *c) { return prepare_kind(c, K_GT); }
static mote_status prepare_ge(mote_op_ctx *c) { return prepare_kind(c, K_GE); }
static mote_status prepare_and(mote_op_ctx *c) { return prepare_kind(c, K_AND); }
static mote_status prepare_or(mote_op_ctx *c) { return prepare_kind(c, K_OR); }
static mote_status prepare_xor(mote_op_ctx *c) { return prepare_kind(c, K_XOR); }
static mote_status prepare_where(mote_op_ctx *c) { return prepare_kind(c, K_WHERE); }

/* Not INPLACE: a broadcast input smaller than the output must not be overwritten
 * while it is read, and the session aliases only same-size buffers anyway;
 * variadic steps after the first read y itself element by element. */
const mote_op mote_op_Max = {"Max", 1, 64, 1, 1, 0, infer_variadic, prepare_max, NULL};
const mote_op mote_op_Min = {"Min", 1, 64, 1, 1, 0, infer_variadic, prepare_min, NULL};
const mote_op mote_op_Sum = {"Sum", 1, 64, 1, 1, 0, infer_variadic, prepare_sum, NULL};
const mote_op mote_op_Mean = {"Mean", 1, 64, 1, 1, 0, infer_variadic, prepare_sum, NULL};
const mote_op mote_op_Pow = {"Pow", 2, 2, 1, 1, 0, infer_pow, prepare_pow, NULL};
const mote_op mote_op_Equal = {"Equal", 2, 2, 1, 1, 0, infer_compare, prepare_eq, NULL};
const mote_op mote_op_Less = {"Less", 2, 2, 1, 1, 0, infer_compare, prepare_lt, NULL};
const mote_op mote_op_LessOrEqual = {"LessOrEqual", 2, 2, 1, 1, 0, infer_compare, prepare_le, NULL};
const mote_op mote_op_Greater = {"Greater", 2, 2, 1, 1, 0, infer_compare, prepare_gt, NULL};
const mote_op mote_op_GreaterOrEqual = {"GreaterOrEqual", 2, 2, 1, 1, 0, infer_compare, prepare_ge, NULL};
const mote_op mote_op_And = {"And", 2, 2, 1, 1, 0, infer_logic, prepare_and, NULL};
const mote_op mote_op_Or = {"Or", 2, 2, 1, 1, 0, infer_logic, prepare_or, NULL};
const mote_op mote_op_Xor = {"Xor", 2, 2, 1, 1, 0, infer_logic, prepare_xor, NULL};
const mote_op mote_op_Where = {"Where", 3, 3, 1, 1, 0, infer_where, prepare_where, NULL};
