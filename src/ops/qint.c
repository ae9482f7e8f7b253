/*
 * qint.c — mote's 8-bit quantized ops with TFLite's fixed-point
 * requantization (kernels/qint.h states the arithmetic), made by the
 * TFLite importer. Tensors are u8 or i8; real = scale * (q - zero_point).
 *
 *   QConv            x (N,C,H,W), w (OC,C/group,KH,KW), bias i32 (OC)?,
 *                    w_scale f32 (OC or 1), w_zp i32 (OC or 1)?; attributes
 *                    strides, pads, dilations, group (ONNX meanings),
 *                    x_scale, x_zp, y_scale, y_zp, act_min, act_max
 *                    (quantized clamp, default the dtype's range),
 *                    scale_product_f32 (1: the multiplier is computed from
 *                    the f32 product x_scale * w_scale, as TFLite's 8-bit
 *                    per-tensor kernels do; 0: in double). y has x's dtype.
 *   QFullyConnected  x (..., K) read as (B, K), w (N, K), the same other
 *                    inputs and attributes (no window); y (B, N).
 *   QAdd, QSub, QMul a, b of one shape and dtype; attributes a_scale, a_zp,
 *                    b_scale, b_zp, y_scale, y_zp, act_min, act_max.
 *   QAveragePool     x (N,C,H,W); kernel_shape, strides, pads, act_min,
 *                    act_max; y shares x's scale and zero point.
 *   QLookup          x u8/i8, table u8 (256): y[e] = table[byte of x[e]],
 *                    y_dtype attribute (mote dtype code, default x's).
 * The multipliers are computed in prepare (mote_q_multiplier), so the
 * file stores the scales themselves. Work is split by output channel or
 * element range: the same bits for any thread count.
 */
#include <math.h>
#include <string.h>
#include "graph/internal.h"
#include "op_util.h"
#include "qconv_plan.h"
#include "qint.h"

static mote_status expect_q8(const mote_op_ctx *c, int i, const char *what)
{
    if (!mote_op_has_input(c, i))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %d (%s) is missing", i, what);
    mote_dtype t = c->in[i]->dtype;
    if (t != MOTE_U8 && t != MOTE_I8)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s is %s (u8 or i8 supported)",
                             what, mote_op_dtype_name(t));
    return MOTE_OK;
}

/* act_min/act_max attributes, within the dtype's range */
static mote_status act_range(const mote_op_ctx *c, mote_dtype t, int32_t *lo, int32_t *hi)
{
    int32_t dlo = t == MOTE_I8 ? -128 : 0, dhi = t == MOTE_I8 ? 127 : 255;
    int64_t a = mote_attr_get_int(c->node, "act_min", dlo), b = mote_attr_get_int(c->node, "act_max", dhi);
    if (a < dlo || b > dhi || a > b)
        return mote_op_error(c, MOTE_ERR_SHAPE, "act_min %lld / act_max %lld outside [%d, %d] or "
                             "crossed", (long long)a, (long long)b, dlo, dhi);
    *lo = (int32_t)a;
    *hi = (int32_t)b;
    return MOTE_OK;
}

static mote_status zero_point(const mote_op_ctx *c, const char *name, mote_dtype t, int32_t *zp)
{
    int64_t v = mote_attr_get_int(c->node, name, 0);
    if ((t == MOTE_U8 && (v < 0 || v > 255)) || (t == MOTE_I8 && (v < -128 || v > 127)))
        return mote_op_error(c, MOTE_ERR_SHAPE, "%s %lld is outside %s's range", name,
                             (long long)v, mote_op_dtype_name(t));
    *zp = (int32_t)v;
    return MOTE_OK;
}

static mote_status scale_attr(const mote_op_ctx *c, const char *name, float *s)
{
    *s = mote_attr_get_float(c->node, name, 0.0f);
    if (!(*s > 0.0f) || !isfinite(*s))
        return mote_op_error(c, MOTE_ERR_SHAPE, "attribute %s must be a positive number", name);
    return MOTE_OK;
}

/* ------------------------------------------------------ QConv, QFullyConnected */

typedef struct qconv_params {
    mote_qconv2d_args a;       /* geometry, zero points, multipliers; data set per call */
    int64_t N;                 /* images (QConv) or rows (QFullyConnected)             */
    size_t x_img, y_img;       /* bytes per image                                      */
    void (*conv)(const mote_qconv2d_args *a);
    mote_qconv_plan pl;        /* the packed-weight path, if the table has one          */
    mote_qconv_kscratch ks;    /* else the kernel's own scratch, one per thread         */
} qconv_params;

typedef struct qconv_job {
    const qconv_params *p;
    const mote_step *s;
} qconv_job;

/* chunk over (image, output channel) pairs */
static void qconv_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const qconv_job *j = ctx;
    const qconv_params *p = j->p;
    int64_t OC = p->a.OC;
    while (b < e) {
        int64_t n = b / OC, oc0 = b % OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        mote_qconv2d_args a = p->a;
        a.x = (const char *)j->s->in[0]->data + (size_t)n * p->x_img;
        a.y = (char *)j->s->out[0]->data + (size_t)n * p->y_img;
        a.w = j->s->in[1]->data;
        a.bias = j->s->n_in > 2 && j->s->in[2] ? j->s->in[2]->data : NULL;
        a.oc0 = oc0;
        a.oc1 = oc1;
        a.scratch = mote_qconv_kscratch_at(&p->ks, j->s->scratch, thread);
        p->conv(&a);
        b = n * OC + oc1;
    }
}

static void run_qconv(const mote_step *s)
{
    const qconv_params *p = s->params;
    if (p->pl.wp) {
        mote_qconv2d_args a = p->a;
        a.x = s->in[0]->data;
        a.y = s->out[0]->data;
        a.bias = s->n_in > 2 && s->in[2] ? s->in[2]->data : NULL;
        mote_qconv_plan_run(&p->pl, s, &a, p->N, p->x_img, p->y_img, s->scratch);
        return;
    }
    qconv_job j = {p, s};
    mote_pool_for(s->pool, p->N * p->a.OC, 1, qconv_chunk, &j);
}

/* The shared checks of both ops: dtypes, bias, per-channel scales and zero
 * points, multipliers. OC output channels. */
static mote_status qconv_common(mote_op_ctx *c, int64_t OC, qconv_params *p)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "x")) || (st = expect_q8(c, 1, "w")))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (!w->data)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "w must be a weight (constant)");
    if (mote_op_has_input(c, 2)) {
        const mote_tensor *b = c->in[2];
        if (b->dtype != MOTE_I32 || mote_tensor_numel(b) != OC)
            return mote_op_error(c, MOTE_ERR_SHAPE, "bias must be i32 with %lld values",
                                 (long long)OC);
    }
    if (!mote_op_has_input(c, 3) || c->in[3]->dtype != MOTE_F32 || !c->in[3]->data)
        return mote_op_error(c, MOTE_ERR_SHAPE, "input 3 (w_scale) must be a constant f32");
    int64_t ns = mote_tensor_numel(c->in[3]);
    if (ns != 1 && ns != OC)
        return mote_op_error(c, MOTE_ERR_SHAPE, "w_scale has %lld values (1 or %lld)",
                             (long long)ns, (long long)OC);
    int64_t nz = 0;
    if (mote_op_has_input(c, 4)) {
        const mote_tensor *z = c->in[4];
        nz = mote_tensor_numel(z);
        if (z->dtype != MOTE_I32 || !z->data || (nz != 1 && nz != OC))
            return mote_op_error(c, MOTE_ERR_SHAPE, "w_zp must be a constant i32 of 1 or %lld "
                                 "values", (long long)OC);
    }
    float xs, ys;
    if ((st = scale_attr(c, "x_scale", &xs)) || (st = scale_attr(c, "y_scale", &ys)))
        return st;
    if (!p)
        return MOTE_OK;
    mote_qconv2d_args *a = &p->a;
    a->x_signed = x->dtype == MOTE_I8;
    a->w_signed = w->dtype == MOTE_I8;
    a->y_signed = a->x_signed;
    if ((st = zero_point(c, "x_zp", x->dtype, &a->x_zp)) ||
        (st = zero_point(c, "y_zp", x->dtype, &a->y_zp)) ||
        (st = act_range(c, x->dtype, &a->act_min, &a->act_max)))
        return st;
    int32_t *wz = mote_ctx_alloc(c, sizeof(int32_t) * (size_t)OC);
    int32_t *mult = mote_ctx_alloc(c, sizeof(int32_t) * (size_t)OC);
    int32_t *shift = mote_ctx_alloc(c, sizeof(int32_t) * (size_t)OC);
    if (!wz || !mult || !shift)
        return MOTE_ERR_NOMEM;
    const float *wsc = c->in[3]->data;
    const int32_t *wzp = nz ? c->in[4]->data : NULL;
    int fprod = (int)mote_attr_get_int(c->node, "scale_product_f32", 0);
    for (int64_t oc = 0; oc < OC; oc++) {
        float ws = wsc[ns == 1 ? 0 : oc];
        if (!(ws > 0.0f) || !isfinite(ws))
            return mote_op_error(c, MOTE_ERR_SHAPE, "w_scale[%lld] is not a positive number",
                                 (long long)oc);
        wz[oc] = wzp ? wzp[nz == 1 ? 0 : oc] : 0;
        double real = fprod ? (double)(xs * ws) / (double)ys : (double)xs * (double)ws / (double)ys;
        int sh;
        mote_q_multiplier(real, &mult[oc], &sh);
        if (sh > 30)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "requantization multiplier %g of channel "
                                 "%lld is too large", real, (long long)oc);
        shift[oc] = sh;
    }
    a->w_zp = wz;
    a->mult = mult;
    a->shift = shift;
    a->OC = OC;
    p->conv = c->k->general.qconv2d;
    return MOTE_OK;
}

static mote_status qconv_setup(mote_op_ctx *c, qconv_params *p, int64_t *od)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "x")) || (st = expect_q8(c, 1, "w")))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (x->ndim != 4 || w->ndim != 4)
        return mote_op_error(c, MOTE_ERR_SHAPE, "x and w must be 4-D (NCHW, OIHW)");
    int64_t group = mote_attr_get_int(c->node, "group", 1);
    if (group < 1 || x->dims[1] % group || w->dims[0] % group || x->dims[1] / group != w->dims[1])
        return mote_op_error(c, MOTE_ERR_SHAPE, "x has %lld channels, w %lld x %lld, group %lld: "
                             "they do not fit", (long long)x->dims[1], (long long)w->dims[0],
                             (long long)w->dims[1], (long long)group);
    mote_window win;
    if ((st = mote_op_window(c, 2, x->dims + 2, w->dims + 2, 0, &win)))
        return st;
    od[0] = x->dims[0];
    od[1] = w->dims[0];
    od[2] = win.OH;
    od[3] = win.OW;
    if ((st = qconv_common(c, w->dims[0], p)))
        return st;
    if (!p)
        return MOTE_OK;
    mote_qconv2d_args *a = &p->a;
    a->C = x->dims[1]; a->H = x->dims[2]; a->W = x->dims[3];
    a->OH = win.OH; a->OW = win.OW; a->KH = win.KH; a->KW = win.KW;
    a->sh = win.sh; a->sw = win.sw; a->ph = win.pt; a->pw = win.pl;
    a->dh = win.dh; a->dw = win.dw; a->groups = group;
    p->N = x->dims[0];
    p->x_img = (size_t)(a->C * a->H * a->W);
    p->y_img = (size_t)(a->OC * a->OH * a->OW);
    return MOTE_OK;
}

/* the packed-weight path (qconv_plan.h), its scratch at offset 0; or the
 * kernel's scratch there */
static mote_status qconv_plan(mote_op_ctx *c, qconv_params *p)
{
    size_t bytes = 0, off = 0;
    mote_qconv2d_args a = p->a;
    a.w = c->in[1]->data;
    mote_status st = mote_qconv_plan_prepare(c, &a, 1, &p->pl, &bytes, &off);
    if (!st && !p->pl.wp)
        mote_qconv_kscratch_prepare(c, &a, &p->ks, &bytes);
    c->scratch_bytes = bytes;
    return st;
}

static mote_status infer_qconv(mote_op_ctx *c)
{
    int64_t od[4];
    mote_status st = qconv_setup(c, NULL, od);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, 4, od);
    return MOTE_OK;
}

static mote_status prepare_qconv(mote_op_ctx *c)
{
    qconv_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t od[4];
    mote_status st = qconv_setup(c, p, od);
    if (st)
        return st;
    if ((st = qconv_plan(c, p)))
        return st;
    c->params = p;
    c->run = run_qconv;
    return MOTE_OK;
}

static mote_status qfc_setup(mote_op_ctx *c, qconv_params *p, int64_t *od)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "x")) || (st = expect_q8(c, 1, "w")))
        return st;
    const mote_tensor *x = c->in[0], *w = c->in[1];
    if (w->ndim != 2 || x->ndim < 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "w must be 2-D (N, K) and x at least 1-D");
    int64_t K = w->dims[1], numel = mote_tensor_numel(x);
    if (K < 1 || numel % K)
        return mote_op_error(c, MOTE_ERR_SHAPE, "x has %lld elements, not rows of K = %lld",
                             (long long)numel, (long long)K);
    od[0] = numel / K;
    od[1] = w->dims[0];
    if ((st = qconv_common(c, w->dims[0], p)))
        return st;
    if (!p)
        return MOTE_OK;
    mote_qconv2d_args *a = &p->a;
    a->C = K; a->H = a->W = 1; a->OH = a->OW = 1; a->KH = a->KW = 1;
    a->sh = a->sw = a->dh = a->dw = 1; a->ph = a->pw = 0; a->groups = 1;
    p->N = od[0];
    p->x_img = (size_t)K;
    p->y_img = (size_t)od[1];
    return MOTE_OK;
}

static mote_status infer_qfc(mote_op_ctx *c)
{
    int64_t od[2];
    mote_status st = qfc_setup(c, NULL, od);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, 2, od);
    return MOTE_OK;
}

static mote_status prepare_qfc(mote_op_ctx *c)
{
    qconv_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t od[2];
    mote_status st = qfc_setup(c, p, od);
    if (st)
        return st;
    if ((st = qconv_plan(c, p)))
        return st;
    c->params = p;
    c->run = run_qconv;
    return MOTE_OK;
}

/* ------------------------------------------------------- QAdd, QSub, QMul */

typedef struct qbin_job {
    const mote_qbinary_params *p;
    const mote_step *s;
    void (*fn)(const mote_qbinary_params *p, const void *a, const void *b, void *y,
               int64_t e0, int64_t e1);
} qbin_job;

static void qbin_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const qbin_job *j = ctx;
    j->fn(j->p, j->s->in[0]->data, j->s->in[1]->data, j->s->out[0]->data, b, e);
}

static void run_qbin(const mote_step *s)
{
    qbin_job j = {s->params, s, s->k->general.qbinary};
    mote_pool_for(s->pool, mote_tensor_numel(s->out[0]), 4096, qbin_chunk, &j);
}

static mote_status qbin_setup(mote_op_ctx *c, mote_qbinary_params *p, int kind)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "a")) || (st = expect_q8(c, 1, "b")))
        return st;
    const mote_tensor *a = c->in[0], *b = c->in[1];
    if (a->dtype != b->dtype || a->ndim != b->ndim ||
        memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim))
        return mote_op_error(c, MOTE_ERR_SHAPE, "a and b must have one dtype and shape "
                             "(the importer broadcasts in float)");
    float as, bs, ys;
    if ((st = scale_attr(c, "a_scale", &as)) || (st = scale_attr(c, "b_scale", &bs)) ||
        (st = scale_attr(c, "y_scale", &ys)))
        return st;
    if (!p)
        return MOTE_OK;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->is_signed = a->dtype == MOTE_I8;
    if ((st = zero_point(c, "a_zp", a->dtype, &p->a_zp)) ||
        (st = zero_point(c, "b_zp", a->dtype, &p->b_zp)) ||
        (st = zero_point(c, "y_zp", a->dtype, &p->y_zp)) ||
        (st = act_range(c, a->dtype, &p->act_min, &p->act_max)))
        return st;
    if (kind == MOTE_QBIN_MUL) {
        mote_q_multiplier((double)as * (double)bs / (double)ys, &p->y_mult, &p->y_shift);
    } else {
        /* TFLite's 8-bit ADD/SUB: a common scale of twice the larger input
         * scale, with 20 bits of headroom */
        p->left_shift = 20;
        double twice_max = 2.0 * (double)(as > bs ? as : bs);
        mote_q_multiplier((double)as / twice_max, &p->a_mult, &p->a_shift);
        mote_q_multiplier((double)bs / twice_max, &p->b_mult, &p->b_shift);
        mote_q_multiplier(twice_max / ((double)(1 << p->left_shift) * (double)ys),
                          &p->y_mult, &p->y_shift);
    }
    if (p->a_shift > 30 || p->b_shift > 30 || p->y_shift > 30)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "a requantization multiplier is too large "
                             "(scales %g, %g, %g)", (double)as, (double)bs, (double)ys);
    return MOTE_OK;
}

static mote_status infer_qbin(mote_op_ctx *c, int kind)
{
    mote_status st = qbin_setup(c, NULL, kind);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_qbin(mote_op_ctx *c, int kind)
{
    mote_qbinary_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_status st = qbin_setup(c, p, kind);
    if (st)
        return st;
    c->params = p;
    c->run = run_qbin;
    return MOTE_OK;
}

static mote_status infer_qadd(mote_op_ctx *c) { return infer_qbin(c, MOTE_QBIN_ADD); }
static mote_status prepare_qadd(mote_op_ctx *c) { return prepare_qbin(c, MOTE_QBIN_ADD); }
static mote_status infer_qsub(mote_op_ctx *c) { return infer_qbin(c, MOTE_QBIN_SUB); }
static mote_status prepare_qsub(mote_op_ctx *c) { return prepare_qbin(c, MOTE_QBIN_SUB); }
static mote_status infer_qmul(mote_op_ctx *c) { return infer_qbin(c, MOTE_QBIN_MUL); }
static mote_status prepare_qmul(mote_op_ctx *c) { return prepare_qbin(c, MOTE_QBIN_MUL); }

/* ------------------------------------------------------------ QAveragePool */

typedef struct qpool_job {
    const mote_qpool2d_args *a;
    const mote_step *s;
} qpool_job;

static void qpool_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const qpool_job *j = ctx;
    mote_qpool2d_args a = *j->a;
    a.x = j->s->in[0]->data;
    a.y = j->s->out[0]->data;
    a.c0 = b;
    a.c1 = e;
    j->s->k->general.qavgpool2d(&a);
}

static void run_qpool(const mote_step *s)
{
    const mote_qpool2d_args *a = s->params;
    qpool_job j = {a, s};
    mote_pool_for(s->pool, s->in[0]->dims[0] * s->in[0]->dims[1], 1, qpool_chunk, &j);
}

static mote_status qpool_setup(mote_op_ctx *c, mote_qpool2d_args *a, int64_t *od)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "x")))
        return st;
    const mote_tensor *x = c->in[0];
    const int64_t *ks;
    if (x->ndim != 4)
        return mote_op_error(c, MOTE_ERR_SHAPE, "x must be 4-D (NCHW)");
    if (mote_attr_get_ints(c->node, "kernel_shape", &ks) != 2)
        return mote_op_error(c, MOTE_ERR_SHAPE, "kernel_shape must have 2 values");
    mote_window win;
    if ((st = mote_op_window(c, 2, x->dims + 2, ks, 0, &win)))
        return st;
    if (win.dh != 1 || win.dw != 1)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "dilations are not supported");
    od[0] = x->dims[0];
    od[1] = x->dims[1];
    od[2] = win.OH;
    od[3] = win.OW;
    if (!a)
        return MOTE_OK;
    a->H = x->dims[2]; a->W = x->dims[3]; a->OH = win.OH; a->OW = win.OW;
    a->KH = win.KH; a->KW = win.KW; a->sh = win.sh; a->sw = win.sw;
    a->ph = win.pt; a->pw = win.pl;
    a->is_signed = x->dtype == MOTE_I8;
    return act_range(c, x->dtype, &a->act_min, &a->act_max);
}

static mote_status infer_qpool(mote_op_ctx *c)
{
    int64_t od[4];
    mote_status st = qpool_setup(c, NULL, od);
    if (st)
        return st;
    mote_set_out(c, 0, c->in[0]->dtype, 4, od);
    return MOTE_OK;
}

static mote_status prepare_qpool(mote_op_ctx *c)
{
    mote_qpool2d_args *a = mote_ctx_alloc(c, sizeof *a);
    if (!a)
        return MOTE_ERR_NOMEM;
    int64_t od[4];
    mote_status st = qpool_setup(c, a, od);
    if (st)
        return st;
    c->params = a;
    c->run = run_qpool;
    return MOTE_OK;
}

/* ------------------------------------------------------------------ QLookup */

typedef struct qlut_job {
    const mote_step *s;
} qlut_job;

static void qlut_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const mote_step *s = ((const qlut_job *)ctx)->s;
    s->k->general.qlut(s->in[1]->data, s->in[0]->data, s->out[0]->data, b, e);
}

static void run_qlut(const mote_step *s)
{
    qlut_job j = {s};
    mote_pool_for(s->pool, mote_tensor_numel(s->in[0]), 4096, qlut_chunk, &j);
}

static mote_status infer_qlut(mote_op_ctx *c)
{
    mote_status st;
    if ((st = expect_q8(c, 0, "x")))
        return st;
    const mote_tensor *t = mote_op_has_input(c, 1) ? c->in[1] : NULL;
    if (!t || t->dtype != MOTE_U8 || mote_tensor_numel(t) != 256)
        return mote_op_error(c, MOTE_ERR_SHAPE, "table must be u8 with 256 entries");
    mote_dtype y = (mote_dtype)mote_attr_get_int(c->node, "y_dtype", c->in[0]->dtype);
    if (y != MOTE_U8 && y != MOTE_I8)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "y_dtype %d (u8 or i8 supported)", (int)y);
    mote_set_out(c, 0, y, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_qlut(mote_op_ctx *c)
{
    mote_status st = infer_qlut(c);
    if (st)
        return st;
    c->run = run_qlut;
    return MOTE_OK;
}

const mote_op mote_op_QConv = {"QConv", 4, 5, 1, 1, 0, infer_qconv, prepare_qconv, NULL};
const mote_op mote_op_QFullyConnected = {"QFullyConnected", 4, 5, 1, 1, 0, infer_qfc,
                                         prepare_qfc, NULL};
const mote_op mote_op_QAdd = {"QAdd", 2, 2, 1, 1, 0, infer_qadd, prepare_qadd, NULL};
const mote_op mote_op_QSub = {"QSub", 2, 2, 1, 1, 0, infer_qsub, prepare_qsub, NULL};
const mote_op mote_op_QMul = {"QMul", 2, 2, 1, 1, 0, infer_qmul, prepare_qmul, NULL};
const mote_op mote_op_QAveragePool = {"QAveragePool", 1, 1, 1, 1, 0, infer_qpool, prepare_qpool,
                                      NULL};
const mote_op mote_op_QLookup = {"QLookup", 2, 2, 1, 1, MOTE_OP_INPLACE, infer_qlut,
                                 prepare_qlut, NULL};
