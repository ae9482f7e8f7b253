/*
 * volume.c — 3-D (NCDHW) Conv, ConvTranspose, MaxPool and AveragePool, f32.
 *
 * The op files (conv.c, conv_transpose.c, pool.c) hand rank-5 inputs here.
 * Conv: the reference loop (kernels/volume_ref.c) for small products,
 * otherwise per image and group col = vol2col(X_n, g) (Cg*KD*KH*KW x
 * OD*OH*OW in scratch, filled over the pool by input channel) and
 * Y_n,g = W_g col by the session's GEMM plan (W packed once when
 * constant), bias and fused activation in its epilogue. ConvTranspose:
 * with a constant W, per image and group col = W_g^T x_g (one GEMM) then
 * col2vol adds each entry at its output voxel, split by output channel;
 * a W computed at run time takes the reference gather. Pooling: the
 * reference kernels split by channel. Every output element is summed by
 * one call in a fixed order, so the bits do not depend on the threads.
 */
#include <string.h>
#include "gemm_plan.h"
#include "graph/internal.h"
#include "op_util.h"
#include "volume.h"

static int64_t vol(const int64_t *v) { return v[0] * v[1] * v[2]; }

/* ------------------------------------------------------------------ Conv */

typedef struct conv3d_params {
    mote_vol_args a;            /* geometry and act; pointers per call       */
    int64_t N, Kc;              /* images; GEMM depth Cg*KD*KH*KW            */
    mote_gemm_plan *plans;      /* (groups), or NULL: the reference loop     */
    size_t col_bytes;           /* vol2col matrix at the start of scratch    */
} conv3d_params;

typedef struct conv3d_job {
    const conv3d_params *p;
    const mote_step *s;
    int64_t n, g;               /* vol2col: image and group                  */
    float *col;
} conv3d_job;

/* [b, e) indexes (image, output channel) pairs n * OC + oc */
static void conv3d_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const conv3d_job *j = ctx;
    mote_vol_args a = j->p->a;
    const mote_step *s = j->s;
    int64_t OC = a.OC, xs = a.C * vol(a.in), ys = OC * vol(a.out);
    a.w = s->in[1]->data;
    a.bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
    while (b < e) {
        int64_t n = b / OC, oc0 = b % OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        a.x = (const float *)s->in[0]->data + n * xs;
        a.y = (float *)s->out[0]->data + n * ys;
        mote_conv3d_f32_ref(&a, oc0, oc1);
        b = n * OC + oc1;
    }
}

/* input channels [b, e) of group g of image n into their rows of col */
static void vol2col_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const conv3d_job *j = ctx;
    mote_vol_args a = j->p->a;
    a.x = (const float *)j->s->in[0]->data + j->n * a.C * vol(a.in);
    mote_vol2col_f32_ref(&a, j->g, b, e, j->col + b * (j->p->Kc / (a.C / a.groups)) * vol(a.out));
}

static void run_conv3d(const mote_step *s)
{
    const conv3d_params *p = s->params;
    const mote_vol_args *a = &p->a;
    conv3d_job j = {p, s, 0, 0, s->scratch};
    if (!p->plans) {
        mote_pool_for(s->pool, p->N * a->OC, 1, conv3d_chunk, &j);
        return;
    }
    const float *w = s->in[1]->data;
    const float *bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
    int64_t OV = vol(a->out), OCg = a->OC / a->groups, Cg = a->C / a->groups;
    float *y = s->out[0]->data;
    void *gemm_scratch = (char *)s->scratch + p->col_bytes;
    for (j.n = 0; j.n < p->N; j.n++)
        for (j.g = 0; j.g < a->groups; j.g++) {
            mote_pool_for(s->pool, Cg, 1, vol2col_chunk, &j);
            mote_gemm_plan plan = p->plans[j.g];
            plan.bias = bias ? bias + j.g * OCg : NULL;
            mote_gemm_run(&plan, s->pool, w + j.g * OCg * p->Kc, p->Kc, j.col,
                          y + (j.n * a->OC + j.g * OCg) * OV, OV, gemm_scratch);
        }
}

/* Checks shared by infer and prepare; fills a's geometry when a != NULL. */
static mote_status conv3d_setup(mote_op_ctx *c, mote_vol_args *a, int64_t *ydims)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (w->ndim != 5)
        return mote_op_error(c, MOTE_ERR_SHAPE, "weight W has rank %d, X has rank 5", w->ndim);
    int64_t group, C = x->dims[1], OC = w->dims[0];
    if ((st = mote_conv_check_group(c, x, w, &group)))
        return st;
    const int64_t *ks;
    int nks = mote_attr_get_ints(c->node, "kernel_shape", &ks);
    if (nks >= 0) {
        if (nks != 3)
            return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape has %d values, expected 3", nks);
        for (int i = 0; i < 3; i++)
            if (ks[i] != w->dims[2 + i])
                return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape[%d] = %lld but W has %lld",
                                     i, (long long)ks[i], (long long)w->dims[2 + i]);
    }
    if (mote_op_has_input(c, 2)) {
        if ((st = mote_expect_dtype(c, 2, MOTE_F32)))
            return st;
        if (c->in[2]->ndim != 1 || c->in[2]->dims[0] != OC)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bias B must have shape (%lld)", (long long)OC);
    }
    mote_window_nd win;
    if ((st = mote_op_window_nd(c, 3, x->dims + 2, w->dims + 2, 0, &win)))
        return st;
    ydims[0] = x->dims[0];
    ydims[1] = OC;
    for (int i = 0; i < 3; i++)
        ydims[2 + i] = win.o[i];
    if (!a)
        return MOTE_OK;
    memset(a, 0, sizeof *a);
    a->C = C; a->OC = OC; a->groups = group;
    for (int i = 0; i < 3; i++) {
        a->in[i] = x->dims[2 + i]; a->out[i] = win.o[i];
        a->k[i] = win.k[i]; a->s[i] = win.s[i]; a->d[i] = win.d[i];
        a->pb[i] = win.pb[i]; a->pe[i] = win.pe[i];
    }
    return mote_op_fused_act(c, &a->act);
}

mote_status mote_conv3d_infer(mote_op_ctx *c)
{
    int64_t dims[5];
    mote_status st = conv3d_setup(c, NULL, dims);
    if (!st)
        mote_set_out(c, 0, MOTE_F32, 5, dims);
    return st;
}

mote_status mote_conv3d_prepare(mote_op_ctx *c)
{
    conv3d_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t dims[5];
    mote_status st = conv3d_setup(c, &p->a, dims);
    if (st)
        return st;
    mote_vol_args *a = &p->a;
    p->N = c->in[0]->dims[0];
    int64_t OCg = a->OC / a->groups, OV = vol(a->out);
    p->Kc = a->C / a->groups * vol(a->k);
    int gemm = OCg >= 4 && p->Kc >= 8 && OV >= 4;
    const char *force = mote_attr_get_string(c->node, "_conv_algo", NULL);
    if (force) {
        if (!strcmp(force, "direct")) gemm = 0;
        else if (!strcmp(force, "im2col")) gemm = 1;
        else
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED,
                                 "_conv_algo='%s' does not apply to 3-D Conv (direct or im2col)", force);
    }
    c->params = p;
    c->run = run_conv3d;
    c->scratch_bytes = 0;
    p->plans = NULL;
    if (!gemm)
        return MOTE_OK;
    size_t colb;
    if (!mote_mul_size((size_t)p->Kc, (size_t)OV, &colb) || !mote_mul_size(colb, sizeof(float), &colb))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the column buffer of %lld x %lld floats overflows",
                             (long long)p->Kc, (long long)OV);
    p->plans = mote_ctx_alloc(c, (size_t)a->groups * sizeof *p->plans);
    if (!p->plans)
        return MOTE_ERR_NOMEM;
    const mote_tensor *w = c->in[1];
    size_t most = 0;
    for (int64_t g = 0; g < a->groups; g++) {
        size_t sg = 0;
        const float *wc = w->data ? (const float *)w->data + g * OCg * p->Kc : NULL;
        if ((st = mote_gemm_plan_init_const_a(c, &p->plans[g], OCg, OV, p->Kc, wc, p->Kc, OV,
                                              NULL, 1, a->act, &sg)))
            return st;
        if (sg > most)
            most = sg;
    }
    p->col_bytes = mote_align_up(colb, 64);
    c->scratch_bytes = p->col_bytes + most;
    return MOTE_OK;
}

/* --------------------------------------------------------- ConvTranspose */

typedef struct convt3d_params {
    mote_vol_args a;
    int64_t N;
    mote_gemm_plan *plans;      /* (groups) with W_g^T packed, or NULL       */
    size_t gemm_scratch;        /* bytes before the col matrix in scratch    */
} convt3d_params;

typedef struct convt3d_job {
    const convt3d_params *p;
    const mote_step *s;
    const float *col, *bias;    /* col2vol: the group's col and bias         */
    float *y;                   /*          and its first output channel     */
} convt3d_job;

static void convt3d_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const convt3d_job *j = ctx;
    mote_vol_args a = j->p->a;
    const mote_step *s = j->s;
    int64_t OC = a.OC;
    a.w = s->in[1]->data;
    a.bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
    while (b < e) {
        int64_t n = b / OC, oc0 = b % OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        a.x = (const float *)s->in[0]->data + n * a.C * vol(a.in);
        a.y = (float *)s->out[0]->data + n * OC * vol(a.out);
        mote_convt3d_f32_ref(&a, oc0, oc1);
        b = n * OC + oc1;
    }
}

static void col2vol_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const convt3d_job *j = ctx;
    int64_t OV = vol(j->p->a.out);
    for (int64_t oc = b; oc < e; oc++) {
        float v = j->bias ? j->bias[oc] : 0.0f, *yc = j->y + oc * OV;
        for (int64_t i = 0; i < OV; i++)
            yc[i] = v;
    }
    mote_col2vol_f32_ref(&j->p->a, j->col, j->y, b, e);
}

static void run_convt3d(const mote_step *s)
{
    const convt3d_params *p = s->params;
    const mote_vol_args *a = &p->a;
    convt3d_job j = {p, s, NULL, NULL, NULL};
    if (!p->plans) {
        mote_pool_for(s->pool, p->N * a->OC, 1, convt3d_chunk, &j);
        return;
    }
    int64_t G = a->groups, Cg = a->C / G, OCg = a->OC / G, V = vol(a->in), OV = vol(a->out);
    const float *x = s->in[0]->data;
    const float *bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
    float *col = (float *)((char *)s->scratch + p->gemm_scratch);
    for (int64_t n = 0; n < p->N; n++)
        for (int64_t g = 0; g < G; g++) {
            mote_gemm_run(&p->plans[g], s->pool, NULL, 0, x + (n * a->C + g * Cg) * V, col, V,
                          s->scratch);
            j.col = col;
            j.bias = bias ? bias + g * OCg : NULL;
            j.y = (float *)s->out[0]->data + (n * a->OC + g * OCg) * OV;
            mote_pool_for(s->pool, OCg, 1, col2vol_chunk, &j);
        }
}

mote_status mote_convt3d_prepare(mote_op_ctx *c, const mote_vol_args *geo, int64_t N)
{
    convt3d_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->a = *geo;
    p->N = N;
    p->plans = NULL;
    c->params = p;
    c->run = run_convt3d;
    c->scratch_bytes = 0;
    const float *w = mote_in_const_f32(c, 1);
    if (!w)
        return MOTE_OK;
    const mote_vol_args *a = &p->a;
    int64_t G = a->groups, Cg = a->C / G, OCg = a->OC / G;
    int64_t M = OCg * vol(a->k), K = Cg, Nc = vol(a->in);
    size_t colb;
    if (!mote_mul_size((size_t)M, (size_t)Nc, &colb) || !mote_mul_size(colb, sizeof(float), &colb))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the column buffer of %lld x %lld floats overflows",
                             (long long)M, (long long)Nc);
    size_t most = 0;
    mote_status st = mote_convt_gemm_plans(c, w, G, M, K, Nc, &p->plans, &most);
    if (st)
        return st;
    p->gemm_scratch = mote_align_up(most, 64);
    c->scratch_bytes = p->gemm_scratch + colb;
    return MOTE_OK;
}

/* --------------------------------------------------------------- pooling */

typedef struct pool3d_params {
    mote_vol_args a;
    int is_max, indices;
} pool3d_params;

typedef struct pool3d_job {
    const pool3d_params *p;
    const mote_step *s;
} pool3d_job;

static void pool3d_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const pool3d_job *j = ctx;
    mote_vol_args a = j->p->a;
    a.x = j->s->in[0]->data;
    a.y = j->s->out[0]->data;
    if (j->p->is_max)
        mote_maxpool3d_f32_ref(&a, b, e, j->p->indices ? (int64_t *)j->s->out[1]->data : NULL);
    else
        mote_avgpool3d_f32_ref(&a, b, e);
}

static void run_pool3d(const mote_step *s)
{
    const pool3d_params *p = s->params;
    pool3d_job j = {p, s};
    mote_pool_for(s->pool, p->a.C, 1, pool3d_chunk, &j);
}

mote_status mote_pool3d_prepare(mote_op_ctx *c, const mote_vol_args *a, int is_max, int indices)
{
    pool3d_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    p->a = *a;
    p->is_max = is_max;
    p->indices = indices;
    c->params = p;
    c->run = run_pool3d;
    c->scratch_bytes = 0;
    return MOTE_OK;
}
