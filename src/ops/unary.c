/*
 * unary.c — every elementwise op of one input, through one mechanism:
 *   f32 through the session's unary kernel table (a fast target's entry
 *   where it has one): Relu, LeakyRelu, Sigmoid, Tanh, Gelu, Exp, Sqrt,
 *   Abs, Neg, Reciprocal, Log, Erf, Floor, Ceil, Round, Sign, Clip,
 *   HardSigmoid, HardSwish, Elu, Selu, Softplus, Mish;
 *   the integer forms of Abs, Neg, Sign and Clip (i8, u8, i32, i64), and
 *   Not (bool), by a plain typed loop (shape-sized tensors).
 *
 * Clip: opset < 11 has the bounds as attributes min / max; from 11 they
 * are optional scalar inputs 1 and 2, read at run time when they are not
 * constants (absent: no bound). Every element is independent, so the
 * tensor is cut into chunks for the pool (any split gives the same bits)
 * and the output may share the input's bytes (INPLACE).
 */
#include <float.h>
#include <math.h>
#include <string.h>
#include "op_util.h"

/* Integer and bool forms (no kernel table: shape-sized tensors). */
typedef enum int_kind { I_ABS, I_NEG, I_SIGN, I_CLIP, I_NOT, I_NONE } int_kind;

typedef struct unary_params {
    mote_dtype dt;
    mote_unary_f32_fn fn;     /* f32 kernel                                */
    int_kind ik;              /* integer / bool form                       */
    float alpha, beta;        /* kernel parameters (Clip: min, max)        */
    int lo_in, hi_in;         /* Clip: input index of a run-time bound, -1 */
    int64_t n;                /* elements                                  */
} unary_params;

typedef struct unary_job {
    const unary_params *p;
    const void *x;            /* (n) */
    void *y;                  /* (n) */
    float alpha, beta;        /* resolved bounds for this run              */
    int64_t ilo, ihi;
} unary_job;

static void int_chunk(const unary_job *j, int64_t b, int64_t e)
{
    mote_dtype t = j->p->dt;
    for (int64_t i = b; i < e; i++) {
        int64_t v = mote_elem_get_i64(j->x, t, i), r;
        switch (j->p->ik) {
        case I_ABS: r = v < 0 ? (int64_t)(0 - (uint64_t)v) : v; break;
        case I_NEG: r = (int64_t)(0 - (uint64_t)v); break;
        case I_SIGN: r = (v > 0) - (v < 0); break;
        case I_CLIP: r = v < j->ilo ? j->ilo : v > j->ihi ? j->ihi : v; break;
        default: r = !v; break;   /* Not */
        }
        mote_elem_put_i64(j->y, t, i, r);
    }
}

static void unary_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const unary_job *j = ctx;
    if (j->p->dt == MOTE_F32)
        j->p->fn(e - b, (const float *)j->x + b, (float *)j->y + b, j->alpha, j->beta);
    else
        int_chunk(j, b, e);
}

static void run_unary(const mote_step *s)
{
    const unary_params *p = s->params;
    unary_job j = {p, s->in[0]->data, s->out[0]->data, p->alpha, p->beta,
                     INT64_MIN, INT64_MAX};
    /* Clip's bounds given as tensors computed at run time */
    if (p->lo_in > 0)
        j.alpha = (float)mote_elem_f64(s->in[p->lo_in]->data, s->in[p->lo_in]->dtype, 0);
    if (p->hi_in > 0)
        j.beta = (float)mote_elem_f64(s->in[p->hi_in]->data, s->in[p->hi_in]->dtype, 0);
    if (p->ik == I_CLIP && p->dt != MOTE_F32) {
        if (p->lo_in > 0) j.ilo = mote_elem_get_i64(s->in[p->lo_in]->data, p->dt, 0);
        if (p->hi_in > 0) j.ihi = mote_elem_get_i64(s->in[p->hi_in]->data, p->dt, 0);
    }
    mote_pool_for(s->pool, p->n, 4096, unary_chunk, &j);
}

/* f32 only, or f32 plus the integer types when ints is set. */
static mote_status infer_dtypes(mote_op_ctx *c, int ints)
{
    const mote_tensor *x = c->in[0];
    if (!x)
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 is missing");
    int ok = x->dtype == MOTE_F32 || (ints && mote_dtype_is_int(x->dtype) && x->dtype != MOTE_BOOL);
    if (!ok)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dtype %s is not supported (%s)",
                             mote_op_dtype_name(x->dtype), ints ? "f32, i8, u8, i32, i64" : "f32 only");
    mote_set_out(c, 0, x->dtype, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status infer_f32(mote_op_ctx *c) { return infer_dtypes(c, 0); }
static mote_status infer_num(mote_op_ctx *c) { return infer_dtypes(c, 1); }

static mote_status infer_not(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_BOOL);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_BOOL, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static unary_params *params_new(mote_op_ctx *c, mote_unary_op op, int_kind ik,
                                  float alpha, float beta)
{
    unary_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return NULL;
    p->dt = c->in[0]->dtype;
    p->fn = c->k->general.unary_f32[op];
    p->ik = ik;
    p->alpha = alpha;
    p->beta = beta;
    p->lo_in = p->hi_in = -1;
    p->n = mote_tensor_numel(c->in[0]);
    c->params = p;
    c->run = run_unary;
    c->scratch_bytes = 0;
    return p;
}

static mote_status prep(mote_op_ctx *c, mote_unary_op op, int_kind ik, float alpha, float beta)
{
    return params_new(c, op, ik, alpha, beta) ? MOTE_OK : MOTE_ERR_NOMEM;
}

static mote_status prepare_abs(mote_op_ctx *c) { return prep(c, MOTE_UN_ABS, I_ABS, 0, 0); }
static mote_status prepare_neg(mote_op_ctx *c) { return prep(c, MOTE_UN_NEG, I_NEG, 0, 0); }
static mote_status prepare_sign(mote_op_ctx *c) { return prep(c, MOTE_UN_SIGN, I_SIGN, 0, 0); }
static mote_status prepare_not(mote_op_ctx *c) { return prep(c, MOTE_UN_NEG, I_NOT, 0, 0); }
static mote_status prepare_reciprocal(mote_op_ctx *c) { return prep(c, MOTE_UN_RECIPROCAL, I_NONE, 0, 0); }
static mote_status prepare_log(mote_op_ctx *c) { return prep(c, MOTE_UN_LOG, I_NONE, 0, 0); }
static mote_status prepare_erf(mote_op_ctx *c) { return prep(c, MOTE_UN_ERF, I_NONE, 0, 0); }
static mote_status prepare_floor(mote_op_ctx *c) { return prep(c, MOTE_UN_FLOOR, I_NONE, 0, 0); }
static mote_status prepare_ceil(mote_op_ctx *c) { return prep(c, MOTE_UN_CEIL, I_NONE, 0, 0); }
static mote_status prepare_round(mote_op_ctx *c) { return prep(c, MOTE_UN_ROUND, I_NONE, 0, 0); }
static mote_status prepare_hard_swish(mote_op_ctx *c) { return prep(c, MOTE_UN_HARD_SWISH, I_NONE, 0, 0); }
static mote_status prepare_softplus(mote_op_ctx *c) { return prep(c, MOTE_UN_SOFTPLUS, I_NONE, 0, 0); }
static mote_status prepare_mish(mote_op_ctx *c) { return prep(c, MOTE_UN_MISH, I_NONE, 0, 0); }

/* HardSigmoid: max(0, min(1, alpha x + beta)), alpha 0.2, beta 0.5 */
static mote_status prepare_hard_sigmoid(mote_op_ctx *c)
{
    return prep(c, MOTE_UN_HARD_SIGMOID, I_NONE, mote_attr_get_float(c->node, "alpha", 0.2f),
                mote_attr_get_float(c->node, "beta", 0.5f));
}

/* Elu: alpha 1 */
static mote_status prepare_elu(mote_op_ctx *c)
{
    return prep(c, MOTE_UN_ELU, I_NONE, mote_attr_get_float(c->node, "alpha", 1.0f), 0);
}

/* Selu: the defaults are the self-normalizing constants of the SELU paper */
static mote_status prepare_selu(mote_op_ctx *c)
{
    return prep(c, MOTE_UN_SELU, I_NONE,
                mote_attr_get_float(c->node, "alpha", 1.67326319217681884765625f),
                mote_attr_get_float(c->node, "gamma", 1.05070102214813232421875f));
}

/* Clip bounds: optional scalar inputs (opset >= 11) of x's dtype. */
static mote_status infer_clip(mote_op_ctx *c)
{
    mote_status st = infer_num(c);
    for (int i = 1; i < c->n_in && !st; i++) {
        const mote_tensor *b = c->in[i];
        if (!b)
            continue;
        if (b->dtype != c->in[0]->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bound %s is %s, the input is %s",
                                 i == 1 ? "min" : "max", mote_op_dtype_name(b->dtype), mote_op_dtype_name(c->in[0]->dtype));
        if (mote_tensor_numel(b) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bound %s must hold one value, it has %lld",
                                 i == 1 ? "min" : "max", (long long)mote_tensor_numel(b));
    }
    return st;
}

static mote_status prepare_clip(mote_op_ctx *c)
{
    float lo = mote_attr_get_float(c->node, "min", -INFINITY);
    float hi = mote_attr_get_float(c->node, "max", INFINITY);
    unary_params *p = params_new(c, MOTE_UN_CLIP, I_CLIP, lo, hi);
    if (!p)
        return MOTE_ERR_NOMEM;
    /* constant bounds are read now, computed ones at each run */
    for (int i = 1; i < c->n_in; i++) {
        const mote_tensor *b = c->in[i];
        if (!b)
            continue;
        if (b->data && p->dt == MOTE_F32) {
            float v = ((const float *)b->data)[0];
            if (i == 1) p->alpha = v; else p->beta = v;
        } else {
            if (i == 1) p->lo_in = 1; else p->hi_in = 2;
        }
    }
    return MOTE_OK;
}

static mote_status prepare_relu(mote_op_ctx *c) { return prep(c, MOTE_UN_RELU, I_NONE, 0, 0); }
static mote_status prepare_sigmoid(mote_op_ctx *c) { return prep(c, MOTE_UN_SIGMOID, I_NONE, 0, 0); }
static mote_status prepare_tanh(mote_op_ctx *c) { return prep(c, MOTE_UN_TANH, I_NONE, 0, 0); }
static mote_status prepare_exp(mote_op_ctx *c) { return prep(c, MOTE_UN_EXP, I_NONE, 0, 0); }
static mote_status prepare_sqrt(mote_op_ctx *c) { return prep(c, MOTE_UN_SQRT, I_NONE, 0, 0); }

/* LeakyRelu: y = x >= 0 ? x : alpha x, alpha default 0.01 */
static mote_status prepare_leaky_relu(mote_op_ctx *c)
{
    return prep(c, MOTE_UN_LEAKY_RELU, I_NONE, mote_attr_get_float(c->node, "alpha", 0.01f), 0);
}

/* Gelu (opset 20): approximate = "none" (erf form) or "tanh" */
static mote_status infer_gelu(mote_op_ctx *c)
{
    const char *a = mote_attr_get_string(c->node, "approximate", "none");
    if (strcmp(a, "none") != 0 && strcmp(a, "tanh") != 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "approximate='%s' (expected \"none\" or \"tanh\")", a);
    return infer_f32(c);
}

static mote_status prepare_gelu(mote_op_ctx *c)
{
    const char *a = mote_attr_get_string(c->node, "approximate", "none");
    return prep(c, strcmp(a, "tanh") == 0 ? MOTE_UN_GELU_TANH : MOTE_UN_GELU, I_NONE, 0, 0);
}

#define UNARY_OP(Name, inferfn, preparefn) \
    const mote_op mote_op_##Name = { #Name, 1, 1, 1, 1, MOTE_OP_INPLACE, inferfn, preparefn, NULL }

UNARY_OP(Relu, infer_f32, prepare_relu);
UNARY_OP(LeakyRelu, infer_f32, prepare_leaky_relu);
UNARY_OP(Sigmoid, infer_f32, prepare_sigmoid);
UNARY_OP(Tanh, infer_f32, prepare_tanh);
UNARY_OP(Gelu, infer_gelu, prepare_gelu);
UNARY_OP(Exp, infer_f32, prepare_exp);
UNARY_OP(Sqrt, infer_f32, prepare_sqrt);
UNARY_OP(Abs, infer_num, prepare_abs);
UNARY_OP(Neg, infer_num, prepare_neg);
UNARY_OP(Sign, infer_num, prepare_sign);
UNARY_OP(Not, infer_not, prepare_not);
UNARY_OP(Reciprocal, infer_f32, prepare_reciprocal);
UNARY_OP(Log, infer_f32, prepare_log);
UNARY_OP(Erf, infer_f32, prepare_erf);
UNARY_OP(Floor, infer_f32, prepare_floor);
UNARY_OP(Ceil, infer_f32, prepare_ceil);
UNARY_OP(Round, infer_f32, prepare_round);
UNARY_OP(HardSigmoid, infer_f32, prepare_hard_sigmoid);
UNARY_OP(HardSwish, infer_f32, prepare_hard_swish);
UNARY_OP(Elu, infer_f32, prepare_elu);
UNARY_OP(Selu, infer_f32, prepare_selu);
UNARY_OP(Softplus, infer_f32, prepare_softplus);
UNARY_OP(Mish, infer_f32, prepare_mish);
const mote_op mote_op_Clip = {"Clip", 1, 3, 1, 1, MOTE_OP_INPLACE, infer_clip, prepare_clip, NULL};
