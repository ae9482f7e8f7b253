/*
 * conv_transpose.c — ConvTranspose (opset 11), 2-D NCHW and 1-D NCL (as 2-D
 * with unit height), f32: group, strides, pads, dilations, output_padding,
 * output_shape, auto_pad (NOTSET, VALID, SAME_UPPER, SAME_LOWER).
 *
 * Output size per spatial axis (ONNX):
 *   out = s (in - 1) + output_padding + (k - 1) d + 1 - pad_begin - pad_end
 * With output_shape (or SAME_*: out = in s) the total padding is solved
 * from that equation and split begin/end (SAME_UPPER and NOTSET put the
 * odd one at the end, SAME_LOWER at the beginning); a negative total (an
 * output_shape beyond what the input reaches) extends the end.
 * With a constant W (the usual case) each image and group is one GEMM,
 * col = W_g^T x_g (OCg*KH*KW x H*W, W_g^T packed once by the session's
 * GEMM plan), then col2im (kernels/conv_transpose_ref.c) adds every column
 * entry at its output position, output channels split over the pool. A W
 * computed at run time takes the reference kernel, which gathers every
 * output from the inputs that reach it, (image, output channel) pairs split
 * over the pool. Both sum each output in a fixed order, so the bits do not
 * depend on the thread count; the two paths differ by float rounding only.
 * 3-D (NCDHW) takes the same geometry and runs in volume.c.
 */
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"
#include "gemm_plan.h"
#include "runtime/prepared.h"
#include "volume.h"

typedef struct convt_params {
    mote_convt2d_args a;   /* geometry; pointers set per call            */
    int64_t N;             /* batch                                      */
    /* GEMM path (constant W): per group, col = A_g x_g with A_g = W_g^T
     * (OCg*KH*KW x Cg, packed once), then col2im into y */
    mote_gemm_plan *plans; /* (groups), or NULL: the direct reference loop */
    size_t gemm_scratch;   /* bytes at the start of the step's scratch   */
    mote_vol_args vol;     /* 3-D: the geometry volume.c runs with      */
} convt_params;

typedef struct convt_job {
    const convt_params *p;
    const mote_step *s;
} convt_job;

static void convt_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const convt_job *j = ctx;
    mote_convt2d_args a = j->p->a;
    int64_t OC = a.OC;
    const float *x = j->s->in[0]->data;
    float *y = j->s->out[0]->data;
    a.w = j->s->in[1]->data;
    a.bias = j->s->n_in > 2 && j->s->in[2] ? j->s->in[2]->data : NULL;
    while (b < e) {   /* b = n * OC + oc */
        int64_t n = b / OC, oc0 = b % OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        a.x = x + n * a.C * a.H * a.W;
        a.y = y + n * OC * a.OH * a.OW;
        mote_convt2d_f32_ref(&a, oc0, oc1);
        b = n * OC + oc1;
    }
}

typedef struct col2im_job {
    const convt_params *p;
    const float *col;      /* (OCg*KH*KW, H*W) of the group     */
    float *y;              /* (OCg, OH, OW), the group's first   */
    const float *bias;     /* (OCg) or NULL                      */
} col2im_job;

/* Output channels [b, e) of one group: the bias, then the scatter-add.
 * Each channel's sum has one order whatever the split. */
static void col2im_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const col2im_job *j = ctx;
    const mote_convt2d_args *a = &j->p->a;
    int64_t OHW = a->OH * a->OW;
    for (int64_t oc = b; oc < e; oc++) {
        float *yc = j->y + oc * OHW, v = j->bias ? j->bias[oc] : 0.0f;
        for (int64_t i = 0; i < OHW; i++)
            yc[i] = v;
    }
    mote_col2im_f32_ref(a, j->col, j->y, b, e);
}

static void run_convt_gemm(const mote_step *s)
{
    const convt_params *p = s->params;
    const mote_convt2d_args *a = &p->a;
    int64_t G = a->groups, Cg = a->C / G, OCg = a->OC / G, HW = a->H * a->W;
    const float *x = s->in[0]->data;
    const float *bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
    float *y = s->out[0]->data;
    float *col = (float *)((char *)s->scratch + p->gemm_scratch);
    for (int64_t n = 0; n < p->N; n++)
        for (int64_t g = 0; g < G; g++) {
            const float *xg = x + (n * a->C + g * Cg) * HW;
            mote_gemm_run(&p->plans[g], s->pool, NULL, 0, xg, col, HW, s->scratch);
            col2im_job j = {p, col, y + (n * a->OC + g * OCg) * a->OH * a->OW,
                            bias ? bias + g * OCg : NULL};
            mote_pool_for(s->pool, OCg, 1, col2im_chunk, &j);
        }
}

static void run_convt(const mote_step *s)
{
    const convt_params *p = s->params;
    convt_job j = {p, s};
    mote_pool_for(s->pool, p->N * p->a.OC, 1, convt_chunk, &j);
}

/*
 * The GEMM path for a constant W: per group, A_g[(ocg*KH + ky)*KW + kx, icg]
 * = W[g*Cg + icg, ocg, ky, kx] (the transpose of W's rows, made once) is
 * packed into a GEMM plan whose B is the group's input channels (Cg x H*W).
 * Scratch: the GEMM's, then one group's col (OCg*KH*KW x H*W floats).
 */
/*
 * The GEMMs of a ConvTranspose with a constant W (2-D and 3-D): per group g,
 * A_g (M x K, K = Cg input channels) is the transpose of W's group rows
 * (K x M). The transposes are a prepared entry keyed on W itself, so the
 * model holds one copy and each group's A_g keeps a stable address, which
 * the packing of mote_gemm_plan_init_const_a keys on (a per-plan copy would
 * let a later plan meet another group's packing at a reused address).
 * *plans gets G plans whose B is N columns; *scratch the largest GEMM scratch.
 */
mote_status mote_convt_gemm_plans(mote_op_ctx *c, const float *w, int64_t G, int64_t M,
                                  int64_t K, int64_t N, mote_gemm_plan **plans, size_t *scratch)
{
    size_t atb, allb;
    if (!mote_mul_size((size_t)M, (size_t)K, &atb) || !mote_mul_size(atb, sizeof(float), &atb) ||
        !mote_mul_size(atb, (size_t)G, &allb))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the transposed weights overflow");
    *plans = mote_ctx_alloc(c, sizeof **plans * (size_t)G);
    mote_prep_key key = { .tag = MOTE_PREP_TRANSPOSE, .src = w, .p = { G, K, M, 0 } };
    bool fill;
    float *At = *plans ? mote_ctx_prepared(c, &key, allb, &fill) : NULL;
    if (!*plans || !At)
        return MOTE_ERR_NOMEM;
    size_t most = 0;
    for (int64_t g = 0; g < G; g++) {
        const float *wg = w + g * K * M;           /* (Cg, M) row-major */
        float *Ag = At + g * M * K;                /* (M, Cg) row-major */
        if (fill)
            for (int64_t m = 0; m < M; m++)
                for (int64_t k = 0; k < K; k++)
                    Ag[m * K + k] = wg[k * M + m];
        size_t scr = 0;
        mote_act none = {MOTE_ACT_NONE, 0, 0};
        mote_status st = mote_gemm_plan_init_const_a(c, &(*plans)[g], M, N, K, Ag, K, N,
                                                     NULL, 0, none, &scr);
        if (st)
            return st;
        if (scr > most)
            most = scr;
    }
    *scratch = most;
    return MOTE_OK;
}

/*
 * The GEMM path for a constant W: per group, A_g[(ocg*KH + ky)*KW + kx, icg]
 * = W[g*Cg + icg, ocg, ky, kx] (the transpose of W's rows, made once) is
 * packed into a GEMM plan whose B is the group's input channels (Cg x H*W).
 * Scratch: the GEMM's, then one group's col (OCg*KH*KW x H*W floats).
 */
static mote_status prepare_gemm_path(mote_op_ctx *c, convt_params *p, const float *w)
{
    const mote_convt2d_args *a = &p->a;
    int64_t G = a->groups, Cg = a->C / G, OCg = a->OC / G;
    int64_t M = OCg * a->KH * a->KW, K = Cg, N = a->H * a->W;
    size_t colb;
    if (!mote_mul_size((size_t)M, (size_t)N, &colb) || !mote_mul_size(colb, sizeof(float), &colb))
        return mote_op_error(c, MOTE_ERR_LIMIT, "the column buffer of %lld x %lld floats "
                             "overflows", (long long)M, (long long)N);
    size_t most = 0;
    mote_status st = mote_convt_gemm_plans(c, w, G, M, K, N, &p->plans, &most);
    if (st)
        return st;
    p->gemm_scratch = (most + 63) & ~(size_t)63;
    c->scratch_bytes = p->gemm_scratch + colb;
    c->run = run_convt_gemm;
    return MOTE_OK;
}

static mote_status ints_attr(const mote_op_ctx *c, const char *name, int n, int64_t dflt,
                             int64_t min, int64_t *out)
{
    const int64_t *v;
    int cnt = mote_attr_get_ints(c->node, name, &v);
    for (int i = 0; i < n; i++)
        out[i] = dflt;
    if (cnt < 0)
        return MOTE_OK;
    if (cnt != n)
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s has %d values, expected %d",
                             name, cnt, n);
    for (int i = 0; i < n; i++) {
        if (v[i] < min)
            return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s[%d] = %lld must be >= %lld",
                                 name, i, (long long)v[i], (long long)min);
        out[i] = v[i];
    }
    return MOTE_OK;
}

static mote_status convt_setup(mote_op_ctx *c, convt_params *p, int64_t *odims)
{
    mote_status st;
    if ((st = mote_expect_dtype(c, 0, MOTE_F32)) || (st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (x->ndim < 3 || x->ndim > 5)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input X has rank %d; only 1-D (N,C,L), "
                             "2-D (N,C,H,W) and 3-D (N,C,D,H,W) ConvTranspose are supported", x->ndim);
    if (w->ndim != x->ndim)
        return mote_op_error(c, MOTE_ERR_SHAPE, "weight W has rank %d, X has rank %d",
                             w->ndim, x->ndim);
    int nsp = x->ndim - 2;
    int64_t g = mote_attr_get_int(c->node, "group", 1), C = x->dims[1];
    if (g < 1 || C % g)
        return mote_op_error(c, MOTE_ERR_SHAPE, "group %lld does not divide the %lld input channels",
                             (long long)g, (long long)C);
    if (w->dims[0] != C)
        return mote_op_error(c, MOTE_ERR_SHAPE, "W has %lld input channels, X has %lld",
                             (long long)w->dims[0], (long long)C);
    int64_t OC = w->dims[1] * g;
    if (mote_op_has_input(c, 2)) {
        if ((st = mote_expect_dtype(c, 2, MOTE_F32)))
            return st;
        if (c->in[2]->ndim != 1 || c->in[2]->dims[0] != OC)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bias B must have shape (%lld)", (long long)OC);
    }
    int64_t k[3], s[3], d[3], op[3], pads[6], os[3];
    for (int i = 0; i < nsp; i++)
        k[i] = w->dims[2 + i];
    const int64_t *ks;
    int nks = mote_attr_get_ints(c->node, "kernel_shape", &ks);
    if (nks >= 0) {
        if (nks != nsp)
            return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape has %d values, expected %d", nks, nsp);
        for (int i = 0; i < nsp; i++)
            if (ks[i] != k[i])
                return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape[%d] = %lld but W has %lld",
                                     i, (long long)ks[i], (long long)k[i]);
    }
    if ((st = ints_attr(c, "strides", nsp, 1, 1, s)) ||
        (st = ints_attr(c, "dilations", nsp, 1, 1, d)) ||
        (st = ints_attr(c, "output_padding", nsp, 0, 0, op)) ||
        (st = ints_attr(c, "pads", 2 * nsp, 0, 0, pads)))
        return st;
    const char *ap = mote_attr_get_string(c->node, "auto_pad", "NOTSET");
    int mode = !strcmp(ap, "NOTSET") ? 0 : !strcmp(ap, "VALID") ? 1 :
               !strcmp(ap, "SAME_UPPER") ? 2 : !strcmp(ap, "SAME_LOWER") ? 3 : -1;
    if (mode < 0)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "unknown auto_pad '%s'", ap);
    const int64_t *osv;
    int nos = mote_attr_get_ints(c->node, "output_shape", &osv);
    if (nos >= 0 && nos != nsp && nos != nsp + 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "output_shape has %d values, expected %d", nos, nsp);
    int64_t pb[3], pe[3];
    for (int i = 0; i < nsp; i++) {
        int64_t in = x->dims[2 + i], full = s[i] * (in - 1) + op[i] + (k[i] - 1) * d[i] + 1;
        if (nos >= 0 || mode >= 2) {
            os[i] = nos >= 0 ? osv[nos - nsp + i] : in * s[i];
            /* negative when output_shape asks for more than the input reaches: the
             * extra rows at the end get only the bias, as output_padding would */
            int64_t total = full - os[i];
            if (os[i] < 1)
                return mote_op_error(c, MOTE_ERR_SHAPE, "output_shape[%d] = %lld must be >= 1",
                                     i, (long long)os[i]);
            if (mode == 3) { pe[i] = total / 2; pb[i] = total - pe[i]; }
            else           { pb[i] = total / 2; pe[i] = total - pb[i]; }
        } else {
            pb[i] = mode == 1 ? 0 : pads[i];
            pe[i] = mode == 1 ? 0 : pads[nsp + i];
            os[i] = full - pb[i] - pe[i];
            if (os[i] < 1)
                return mote_op_error(c, MOTE_ERR_SHAPE, "output size %lld along spatial axis %d",
                                     (long long)os[i], i);
        }
    }
    odims[0] = x->dims[0];
    odims[1] = OC;
    for (int i = 0; i < nsp; i++)
        odims[2 + i] = os[i];
    if (!p)
        return MOTE_OK;
    mote_convt2d_args *a = &p->a;
    p->N = x->dims[0];
    if (nsp == 3) {
        mote_vol_args *v = &p->vol;
        memset(v, 0, sizeof *v);
        v->C = C; v->OC = OC; v->groups = g;
        for (int i = 0; i < 3; i++) {
            v->in[i] = x->dims[2 + i]; v->out[i] = os[i]; v->k[i] = k[i];
            v->s[i] = s[i]; v->d[i] = d[i]; v->pb[i] = pb[i]; v->pe[i] = pe[i];
        }
        return MOTE_OK;
    }
    a->C = C; a->OC = OC; a->groups = g;
    int h = nsp == 2;   /* index of the W axis in the spatial arrays */
    a->H = h ? x->dims[2] : 1;  a->W = x->dims[x->ndim - 1];
    a->OH = h ? os[0] : 1;      a->OW = os[h];
    a->KH = h ? k[0] : 1;       a->KW = k[h];
    a->sh = h ? s[0] : 1;       a->sw = s[h];
    a->dh = h ? d[0] : 1;       a->dw = d[h];
    a->ph = h ? pb[0] : 0;      a->pw = pb[h];
    return MOTE_OK;
}

static mote_status infer_convt(mote_op_ctx *c)
{
    int64_t od[5];
    mote_status st = convt_setup(c, NULL, od);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_F32, c->in[0]->ndim, od);
    return MOTE_OK;
}

static mote_status prepare_convt(mote_op_ctx *c)
{
    convt_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t od[5];
    mote_status st = convt_setup(c, p, od);
    if (st)
        return st;
    if (c->in[0]->ndim == 5)
        return mote_convt3d_prepare(c, &p->vol, p->N);
    c->params = p;
    c->run = run_convt;
    const float *w = mote_in_const_f32(c, 1);
    return w ? prepare_gemm_path(c, p, w) : MOTE_OK;
}

const mote_op mote_op_ConvTranspose = {"ConvTranspose", 2, 3, 1, 1, 0, infer_convt, prepare_convt, NULL};
