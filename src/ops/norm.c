/*
 * norm.c — the normalizations: LayerNormalization (opset 17),
 * BatchNormalization (inference form), InstanceNormalization (opset 6),
 * LRN (opset 13), LpNormalization (opset 1, p = 1 or 2) and
 * RMSNormalization (opset 23). f32; the formulas are at the reference
 * kernels (kernels/norm_ref.c).
 */
#include <math.h>
#include <string.h>
#include "op_util.h"
#include "runtime/prepared.h"

/* ------------------------------------------------------ LayerNormalization */

typedef struct ln_params {
    void (*fn)(int64_t rows, int64_t n, const float *x, const float *gamma,
               const float *beta, float eps, float *y);
    int64_t rows, n;
    float eps;
    const float *gamma, *beta;   /* (n): expanded constants, or NULL: read the inputs */
} ln_params;

typedef struct ln_job {
    const ln_params *p;
    const float *x, *gamma, *beta;
    float *y, *mean, *inv;       /* (rows, n), (rows), (rows); mean / inv may be NULL */
} ln_job;

static void ln_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const ln_job *j = ctx;
    const ln_params *p = j->p;
    p->fn(e - b, p->n, j->x + b * p->n, j->gamma, j->beta, p->eps, j->y + b * p->n);
    if (!j->mean && !j->inv)
        return;
    /* the statistics, by the same formulas as the reference kernel */
    for (int64_t r = b; r < e; r++) {
        const float *x = j->x + r * p->n;
        float sum = 0.0f, sq = 0.0f;
        for (int64_t i = 0; i < p->n; i++)
            sum += x[i];
        float mean = sum / (float)p->n;
        for (int64_t i = 0; i < p->n; i++)
            sq += (x[i] - mean) * (x[i] - mean);
        if (j->mean) j->mean[r] = mean;
        if (j->inv) j->inv[r] = 1.0f / sqrtf(sq / (float)p->n + p->eps);
    }
}

static void run_ln(const mote_step *s)
{
    const ln_params *p = s->params;
    ln_job j = {p, s->in[0]->data,
                p->gamma ? p->gamma : s->in[1]->data,
                p->beta ? p->beta : (s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL),
                s->out[0]->data,
                s->n_out > 1 && s->out[1] ? s->out[1]->data : NULL,
                s->n_out > 2 && s->out[2] ? s->out[2]->data : NULL};
    if (p->n == 0)
        return;
    int64_t grain = p->n >= 1024 ? 1 : 1024 / p->n;
    mote_pool_for(s->pool, p->rows, grain, ln_chunk, &j);
}

static mote_status infer_ln(mote_op_ctx *c)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0];
    int64_t axis = mote_attr_get_int(c->node, "axis", -1);
    int ax = mote_norm_axis(axis, x->ndim);
    if (ax < 0)
        return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)axis, x->ndim);
    int64_t n = mote_dims_prod(x->dims + ax, x->ndim - ax);
    for (int i = 1; i < 3 && i < c->n_in; i++) {
        const mote_tensor *t = c->in[i];
        if (!t)
            continue;
        if (i == 2 && (st = mote_expect_dtype(c, 2, MOTE_F32)))
            return st;
        int64_t tn = mote_tensor_numel(t);
        if (tn != n && !(tn == 1 && t->data))
            return mote_op_error(c, MOTE_ERR_SHAPE, "%s has %lld elements, the normalized shape has %lld",
                                 i == 1 ? "Scale" : "B", (long long)tn, (long long)n);
    }
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    int64_t sdims[MOTE_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++)
        sdims[i] = i < ax ? x->dims[i] : 1;
    for (int i = 1; i < c->n_out; i++)
        mote_set_out(c, i, MOTE_F32, x->ndim, sdims);
    return MOTE_OK;
}

/* A constant of 1 element expanded to n, or NULL (read the input at run). */
static mote_status expand_const(mote_op_ctx *c, int i, int64_t n, const float **out)
{
    *out = NULL;
    if (i >= c->n_in || !c->in[i] || !c->in[i]->data || mote_tensor_numel(c->in[i]) != 1 || n == 1)
        return MOTE_OK;
    float *v = mote_ctx_alloc(c, (size_t)n * sizeof(float));
    if (!v)
        return MOTE_ERR_NOMEM;
    for (int64_t k = 0; k < n; k++)
        v[k] = ((const float *)c->in[i]->data)[0];
    *out = v;
    return MOTE_OK;
}

static mote_status prepare_ln(mote_op_ctx *c)
{
    ln_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    int ax = mote_norm_axis(mote_attr_get_int(c->node, "axis", -1), x->ndim);
    p->rows = mote_dims_prod(x->dims, ax);
    p->n = mote_dims_prod(x->dims + ax, x->ndim - ax);
    p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
    p->fn = c->k->general.layernorm_f32;
    mote_status st;
    if ((st = expand_const(c, 1, p->n, &p->gamma)) || (st = expand_const(c, 2, p->n, &p->beta)))
        return st;
    c->params = p;
    c->run = run_ln;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

/* ------------------------------------------------------ BatchNormalization */

typedef struct bn_params {
    void (*fn)(int64_t C, int64_t HW, const float *x, const float *scale,
               const float *shift, float *y);
    int64_t N, C, HW;
    float eps;
    int folded;          /* scale/shift computed in prepare (constant statistics) */
    float *scale;        /* (C) */
    float *shift;        /* (C) */
} bn_params;

typedef struct bn_job {
    const bn_params *p;
    const float *x;      /* (N, C, HW) */
    float *y;
} bn_job;

/* s = gamma / sqrt(var + eps), t = beta - mean * s */
static void bn_fold(int64_t C, float eps, const float *gamma, const float *beta,
                    const float *mean, const float *var, float *s, float *t)
{
    for (int64_t ch = 0; ch < C; ch++) {
        s[ch] = gamma[ch] / sqrtf(var[ch] + eps);
        t[ch] = beta[ch] - mean[ch] * s[ch];
    }
}

/* [b, e) indexes (image, channel) pairs */
static void bn_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const bn_job *j = ctx;
    const bn_params *p = j->p;
    while (b < e) {
        int64_t n = b / p->C, c0 = b % p->C, c1 = p->C;
        if (n * p->C + c1 > e)
            c1 = e - n * p->C;
        int64_t off = (n * p->C + c0) * p->HW;
        p->fn(c1 - c0, p->HW, j->x + off, p->scale + c0, p->shift + c0, j->y + off);
        b = n * p->C + c1;
    }
}

static void run_bn(const mote_step *s)
{
    bn_params *p = s->params;
    if (!p->folded)   /* statistics are activations: fold them now (params are per session) */
        bn_fold(p->C, p->eps, s->in[1]->data, s->in[2]->data, s->in[3]->data,
                s->in[4]->data, p->scale, p->shift);
    bn_job j = {p, s->in[0]->data, s->out[0]->data};
    int64_t grain = p->HW >= 1024 ? 1 : 1024 / (p->HW ? p->HW : 1);
    mote_pool_for(s->pool, p->N * p->C, grain, bn_chunk, &j);
}

static mote_status infer_bn(mote_op_ctx *c)
{
    mote_status st;
    for (int i = 0; i < 5; i++)
        if ((st = mote_expect_dtype(c, i, MOTE_F32)))
            return st;
    if (mote_attr_get_int(c->node, "training_mode", 0) != 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "training_mode = 1 (mote runs inference only)");
    if (c->n_out > 1)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                             "running_mean / running_var outputs (training mode) are not supported");
    const mote_tensor *x = c->in[0];
    if (x->ndim < 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input X has rank %d, expected (N, C, ...)", x->ndim);
    static const char *names[5] = {"X", "scale", "B", "input_mean", "input_var"};
    for (int i = 1; i < 5; i++)
        if (c->in[i]->ndim != 1 || c->in[i]->dims[0] != x->dims[1])
            return mote_op_error(c, MOTE_ERR_SHAPE, "%s must have shape (%lld), the channels of X",
                                 names[i], (long long)x->dims[1]);
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status prepare_bn(mote_op_ctx *c)
{
    bn_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    const mote_tensor *x = c->in[0];
    p->N = x->dims[0];
    p->C = x->dims[1];
    p->HW = mote_dims_prod(x->dims + 2, x->ndim - 2);
    p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
    p->fn = c->k->general.channel_affine_f32;
    size_t cb = (size_t)(p->C > 0 ? p->C : 1) * sizeof(float);
    p->folded = c->in[1]->data && c->in[2]->data && c->in[3]->data && c->in[4]->data;
    if (p->folded) {
        /* constant statistics: one folded copy for every session of the model */
        uint32_t eps_bits;
        memcpy(&eps_bits, &p->eps, sizeof eps_bits);
        mote_prep_key key = { .tag = MOTE_PREP_BN_FOLD, .src = c->in[1]->data,
                              .p = { p->C, eps_bits, (int64_t)(uintptr_t)c->in[3]->data,
                                     (int64_t)(uintptr_t)c->in[2]->data } };
        bool fill;
        float *both = mote_ctx_prepared(c, &key, 2 * cb, &fill);
        if (!both)
            return MOTE_ERR_NOMEM;
        p->scale = both;
        p->shift = both + cb / sizeof(float);
        if (fill)
            bn_fold(p->C, p->eps, c->in[1]->data, c->in[2]->data, c->in[3]->data,
                    c->in[4]->data, p->scale, p->shift);
    } else {
        p->scale = mote_ctx_alloc(c, cb);
        p->shift = mote_ctx_alloc(c, cb);
        if (!p->scale || !p->shift)
            return MOTE_ERR_NOMEM;
    }
    c->params = p;
    c->run = run_bn;
    c->scratch_bytes = 0;
    return MOTE_OK;
}

const mote_op mote_op_LayerNormalization = {"LayerNormalization", 2, 3, 1, 3, 0,
                                            infer_ln, prepare_ln, NULL};
const mote_op mote_op_BatchNormalization = {"BatchNormalization", 5, 5, 1, 3, MOTE_OP_INPLACE,
                                            infer_bn, prepare_bn, NULL};

/* ------------------------------- InstanceNormalization, LRN, LpNormalization */
enum { INSTANCE, LRN, LPNORM };

typedef struct norm_params {
    int kind;
    int64_t rows;              /* independent rows                          */
    int64_t C, HW;             /* instance / LRN: channels, plane size      */
    int64_t n, inner;          /* lpnorm: axis size, elements after it      */
    float eps;                 /* instance                                  */
    int64_t size;              /* LRN window                                */
    float alpha, beta, bias;   /* LRN                                       */
    int p;                     /* lpnorm order                              */
} norm_params;

typedef struct norm_job {
    const norm_params *p;
    const mote_step *s;
} norm_job;

static void norm_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const norm_job *j = ctx;
    const norm_params *p = j->p;
    const float *x = j->s->in[0]->data;
    float *y = j->s->out[0]->data;
    switch (p->kind) {
    case INSTANCE:
        mote_instancenorm_f32_ref(x, y, p->C, p->HW, j->s->in[1]->data, j->s->in[2]->data,
                                  p->eps, b, e);
        break;
    case LRN:
        mote_lrn_f32_ref(x, y, p->C, p->HW, p->size, p->alpha, p->beta, p->bias, b, e);
        break;
    default:
        mote_lpnorm_f32_ref(x, y, p->n, p->inner, p->p, b, e);
        break;
    }
}

static void run_norm(const mote_step *s)
{
    const norm_params *p = s->params;
    norm_job j = {p, s};
    int64_t per = p->kind == LPNORM ? p->n : p->HW;
    mote_pool_for(s->pool, p->rows, per >= 1024 ? 1 : 1024 / (per ? per : 1), norm_chunk, &j);
}

static mote_status norm_setup(mote_op_ctx *c, int kind, norm_params *p)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0];
    p->kind = kind;
    if (kind == LPNORM) {
        int64_t axis = mote_attr_get_int(c->node, "axis", -1);
        int ax = mote_norm_axis(axis, x->ndim);
        if (ax < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axis, x->ndim);
        int64_t pv = mote_attr_get_int(c->node, "p", 2);
        if (pv != 1 && pv != 2)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "p = %lld (1 or 2)", (long long)pv);
        p->p = (int)pv;
        p->n = x->dims[ax];
        p->inner = mote_dims_prod(x->dims + ax + 1, x->ndim - ax - 1);
        p->rows = mote_dims_prod(x->dims, ax) * p->inner;
        return MOTE_OK;
    }
    if (x->ndim < 3)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input must be (N, C, D1, ...), it has rank %d",
                             x->ndim);
    p->C = x->dims[1];
    p->HW = mote_dims_prod(x->dims + 2, x->ndim - 2);
    p->rows = x->dims[0] * p->C;
    if (kind == INSTANCE) {
        for (int i = 1; i <= 2; i++) {
            if ((st = mote_expect_dtype(c, i, MOTE_F32)))
                return st;
            if (c->in[i]->ndim != 1 || c->in[i]->dims[0] != p->C)
                return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (%s) must have shape (%lld)", i,
                                     i == 1 ? "scale" : "B", (long long)p->C);
        }
        p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
        return MOTE_OK;
    }
    if (!mote_node_attr(c->node, "size"))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute size is required");
    p->size = mote_attr_get_int(c->node, "size", 1);
    if (p->size < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "size = %lld must be >= 1", (long long)p->size);
    p->alpha = mote_attr_get_float(c->node, "alpha", 1e-4f);
    p->beta = mote_attr_get_float(c->node, "beta", 0.75f);
    p->bias = mote_attr_get_float(c->node, "bias", 1.0f);
    return MOTE_OK;
}

static mote_status infer_norm(mote_op_ctx *c, int kind)
{
    norm_params p;
    mote_status st = norm_setup(c, kind, &p);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_norm(mote_op_ctx *c, int kind)
{
    norm_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = norm_setup(c, kind, p);
    if (st)
        return st;
    c->params = p;
    c->run = run_norm;
    return MOTE_OK;
}

static mote_status infer_instance(mote_op_ctx *c) { return infer_norm(c, INSTANCE); }
static mote_status prepare_instance(mote_op_ctx *c) { return prepare_norm(c, INSTANCE); }
static mote_status infer_lrn(mote_op_ctx *c) { return infer_norm(c, LRN); }
static mote_status prepare_lrn(mote_op_ctx *c) { return prepare_norm(c, LRN); }
static mote_status infer_lp(mote_op_ctx *c) { return infer_norm(c, LPNORM); }
static mote_status prepare_lp(mote_op_ctx *c) { return prepare_norm(c, LPNORM); }

const mote_op mote_op_InstanceNormalization = {"InstanceNormalization", 3, 3, 1, 1, 0,
                                               infer_instance, prepare_instance, NULL};
const mote_op mote_op_LRN = {"LRN", 1, 1, 1, 1, 0, infer_lrn, prepare_lrn, NULL};
const mote_op mote_op_LpNormalization = {"LpNormalization", 1, 1, 1, 1, 0, infer_lp, prepare_lp, NULL};

/* -------------------------------------------------------- RMSNormalization */
typedef struct rms_params {
    int64_t rows, n;               /* rows of n normalized values */
    const float *scale;            /* (n), or NULL if given per run */
    float eps;
    void (*fn)(int64_t rows, int64_t n, const float *x, const float *gamma, float eps,
               float *y);              /* the table's RMSNorm */
} rms_params;

typedef struct rms_job { const rms_params *p; const float *x, *g; float *y; } rms_job;

static void rms_chunk(void *ctx, int64_t r0, int64_t r1, int thread)
{
    const rms_job *j = ctx;
    int64_t n = j->p->n;
    j->p->fn(r1 - r0, n, j->x + r0 * n, j->g, j->p->eps, j->y + r0 * n);
}

static void rms_run(const mote_step *s)
{
    const rms_params *p = s->params;
    rms_job j = { p, s->in[0]->data, p->scale ? p->scale : s->in[1]->data, s->out[0]->data };
    mote_pool_for(s->pool, p->rows, 1, rms_chunk, &j);
}

static mote_status rms_infer(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (!st) st = mote_expect_dtype(c, 1, MOTE_F32);
    if (st) return st;
    const mote_tensor *x = c->in[0];
    int axis = mote_norm_axis(mote_attr_get_int(c->node, "axis", -1), x->ndim);
    if (axis < 0) return mote_op_error(c, MOTE_ERR_SHAPE, "axis out of range for rank %d", x->ndim);
    if (mote_attr_get_int(c->node, "stash_type", 1) != 1)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "only stash_type 1 (f32) is supported");
    int64_t n = 1;
    for (int d = axis; d < x->ndim; d++) n *= x->dims[d];
    int64_t sn = mote_tensor_numel(c->in[1]);
    if (n > 0 && sn != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "scale has %lld values, the normalized "
                             "shape %lld", (long long)sn, (long long)n);
    mote_set_out(c, 0, MOTE_F32, x->ndim, x->dims);
    return MOTE_OK;
}

static mote_status rms_prepare(mote_op_ctx *c)
{
    rms_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p) return MOTE_ERR_NOMEM;
    p->fn = c->k->general.rmsnorm_f32;
    const mote_tensor *x = c->in[0];
    int axis = mote_norm_axis(mote_attr_get_int(c->node, "axis", -1), x->ndim);
    p->n = 1;
    for (int d = axis; d < x->ndim; d++) p->n *= x->dims[d];
    p->rows = p->n ? mote_tensor_numel(x) / p->n : 0;
    p->eps = mote_attr_get_float(c->node, "epsilon", 1e-5f);
    p->scale = mote_in_const_f32(c, 1);
    c->params = p;
    c->run = rms_run;
    return MOTE_OK;
}

const mote_op mote_op_RMSNormalization = {
    .name = "RMSNormalization", .min_in = 2, .max_in = 2, .min_out = 1, .max_out = 1,
    .flags = MOTE_OP_INPLACE, .infer = rms_infer, .prepare = rms_prepare,
};
