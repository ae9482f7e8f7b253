/*
 * op_unary.c — elementwise f32 activations and math: Relu, LeakyRelu,
 * Sigmoid, Tanh, Gelu, Exp, Sqrt.
 *
 * Each maps to one unary kernel of the session's table; the tensor is cut
 * into chunks for the pool (every element is independent, so any split
 * gives the same bits). Output may share the input's bytes (INPLACE).
 */
#include <string.h>
#include "op_util.h"

typedef struct unary_params {
    mote_unary_f32_fn fn;
    float alpha, beta;        /* the kernel's parameters (LeakyRelu alpha) */
    int64_t n;                /* elements */
} unary_params;

typedef struct unary_job {
    const unary_params *p;
    const float *x;           /* (n) */
    float *y;                 /* (n) */
} unary_job;

static void unary_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const unary_job *j = ctx;
    j->p->fn(e - b, j->x + b, j->y + b, j->p->alpha, j->p->beta);
}

static void run_unary(const mote_step *s)
{
    const unary_params *p = s->params;
    unary_job j = {p, s->in[0]->data, s->out[0]->data};
    mote_pool_for(s->pool, p->n, 4096, unary_chunk, &j);
}

static mote_status infer_unary(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_with(mote_op_ctx *c, mote_unary_op op, float alpha, float beta)
{
    unary_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->fn = c->k->unary_f32[op];
    p->alpha = alpha;
    p->beta = beta;
    p->n = mote_tensor_numel(c->in[0]);
    c->params = p;
    c->run = run_unary;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

static mote_status prepare_relu(mote_op_ctx *c) { return prepare_with(c, MOTE_UN_RELU, 0, 0); }
static mote_status prepare_sigmoid(mote_op_ctx *c) { return prepare_with(c, MOTE_UN_SIGMOID, 0, 0); }
static mote_status prepare_tanh(mote_op_ctx *c) { return prepare_with(c, MOTE_UN_TANH, 0, 0); }
static mote_status prepare_exp(mote_op_ctx *c) { return prepare_with(c, MOTE_UN_EXP, 0, 0); }
static mote_status prepare_sqrt(mote_op_ctx *c) { return prepare_with(c, MOTE_UN_SQRT, 0, 0); }

/* LeakyRelu: y = x >= 0 ? x : alpha x, alpha default 0.01 */
static mote_status prepare_leaky_relu(mote_op_ctx *c)
{
    return prepare_with(c, MOTE_UN_LEAKY_RELU, mote_attr_get_float(c->node, "alpha", 0.01f), 0);
}

/* Gelu (opset 20): approximate = "none" (erf form) or "tanh" */
static mote_status infer_gelu(mote_op_ctx *c)
{
    const char *a = mote_attr_get_string(c->node, "approximate", "none");
    if (strcmp(a, "none") != 0 && strcmp(a, "tanh") != 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "approximate='%s' (expected \"none\" or \"tanh\")", a);
    return infer_unary(c);
}

static mote_status prepare_gelu(mote_op_ctx *c)
{
    const char *a = mote_attr_get_string(c->node, "approximate", "none");
    return prepare_with(c, strcmp(a, "tanh") == 0 ? MOTE_UN_GELU_TANH : MOTE_UN_GELU, 0, 0);
}

#define UNARY_OP(Name, inferfn, preparefn) \
    const mote_op mote_op_##Name = { #Name, 1, 1, 1, 1, MOTE_OP_INPLACE, inferfn, preparefn, NULL }

UNARY_OP(Relu, infer_unary, prepare_relu);
UNARY_OP(LeakyRelu, infer_unary, prepare_leaky_relu);
UNARY_OP(Sigmoid, infer_unary, prepare_sigmoid);
UNARY_OP(Tanh, infer_unary, prepare_tanh);
UNARY_OP(Gelu, infer_gelu, prepare_gelu);
UNARY_OP(Exp, infer_unary, prepare_exp);
UNARY_OP(Sqrt, infer_unary, prepare_sqrt);
