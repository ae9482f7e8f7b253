/*
 * qlinear.c — ONNX's quantized operators on mote's 8-bit convolution
 * kernel (kernels/qint.h), with ONNX's float requantization:
 *
 *   QLinearConv   y = saturate(round_half_even(acc * (x_scale * w_scale[oc]
 *                 / y_scale)) + y_zp), acc = B[oc] + sum (x - x_zp)(w - w_zp[oc]);
 *                 x, w u8 or i8, y as y_zp (default x's dtype); window
 *                 attributes as Conv; w_scale, w_zp per tensor or per
 *                 output channel.
 *   ConvInteger   y = acc (i32) without bias; x_zp scalar, w_zp scalar or
 *                 per output channel.
 *   QLinearMatMul (a - a_zp)(b - b_zp) requantized likewise; a (..., M, K),
 *                 b (K, N) or with a's batch dims (no broadcasting), b_scale
 *                 / b_zp per tensor or per column.
 *   DynamicQuantizeLinear  x f32 -> y u8, y_scale, y_zp (qint.h).
 * Scales and zero points may be activations: they are read at every run
 * into scratch (a handful of values per output channel). QLinearMatMul
 * transposes b into scratch at each run (the kernel wants (N, K)).
 */
#include <string.h>
#include "op_util.h"
#include "qconv_plan.h"
#include "qint.h"

/* Element i of an 8-bit or i32 zero-point tensor, or of an f32 scale. */
static int32_t zp_at(const mote_tensor *t, int64_t i)
{
    if (!t)
        return 0;
    int64_t k = mote_tensor_numel(t) == 1 ? 0 : i;
    return t->dtype == MOTE_U8 ? ((const uint8_t *)t->data)[k] :
           t->dtype == MOTE_I8 ? ((const int8_t *)t->data)[k] : ((const int32_t *)t->data)[k];
}

static float scale_at(const mote_tensor *t, int64_t i)
{
    int64_t k = mote_tensor_numel(t) == 1 ? 0 : i;
    return ((const float *)t->data)[k];
}

static mote_status expect_8bit(const mote_op_ctx *c, int i, const char *what)
{
    if (!mote_op_has_input(c, i))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input %s is missing", what);
    mote_dtype t = c->in[i]->dtype;
    if (t != MOTE_U8 && t != MOTE_I8)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s is %s (u8 or i8 supported)",
                             what, mote_op_dtype_name(t));
    return MOTE_OK;
}

/* Input i, if present, is a scalar or has n values (per channel) of dtype
 * t (t 0: the dtype of input `like`). */
static mote_status expect_param(const mote_op_ctx *c, int i, const char *what, int64_t n,
                                mote_dtype t, int like)
{
    if (!mote_op_has_input(c, i))
        return MOTE_OK;
    const mote_tensor *p = c->in[i];
    mote_dtype want = t ? t : c->in[like]->dtype;
    int64_t k = mote_tensor_numel(p);
    if (p->dtype != want)
        return mote_op_error(c, MOTE_ERR_SHAPE, "%s is %s, expected %s", what,
                             mote_op_dtype_name(p->dtype), mote_op_dtype_name(want));
    if (k != 1 && !(p->ndim == 1 && k == n))
        return mote_op_error(c, MOTE_ERR_SHAPE, "%s has %lld values (1 or %lld)", what,
                             (long long)k, (long long)n);
    return MOTE_OK;
}

typedef enum { K_QLINEARCONV, K_CONVINTEGER, K_QLINEARMATMUL } qkind;

typedef struct ql_params {
    qkind kind;
    mote_qconv2d_args a;       /* geometry; data, zero points, scales set per run */
    int64_t N;                 /* images, or rows of a                              */
    size_t x_img, y_img;       /* elements per image / row                          */
    size_t y_es;               /* bytes per output element                          */
    int64_t bM;                /* QLinearMatMul with batched b: rows of a per batch  */
    int64_t batches;           /* b's batches (1 for a 2-D b)                        */
    int in_x_zp, in_w, in_w_scale, in_w_zp, in_y_scale, in_y_zp, in_x_scale, in_bias;
    mote_qconv_plan pl;        /* the packed-weight path (constant w), if any       */
    size_t pl_off;             /* its scratch's offset in the step's scratch         */
    mote_qconv_kscratch ks;    /* else the table kernel's own scratch per thread    */
} ql_params;

typedef struct ql_job {
    const ql_params *p;
    const mote_step *s;
    mote_qconv2d_args a;       /* with this run's parameters */
} ql_job;

static void ql_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const ql_job *j = ctx;
    int64_t OC = j->a.OC;
    while (b < e) {
        int64_t n = b / OC, oc1 = OC;
        if (n * OC + oc1 > e)
            oc1 = e - n * OC;
        mote_qconv2d_args a = j->a;
        a.x = (const char *)a.x + (size_t)n * j->p->x_img;
        a.y = (char *)a.y + (size_t)n * j->p->y_img * j->p->y_es;
        if (j->p->bM)
            a.w = (const uint8_t *)a.w + (size_t)(n / j->p->bM) * (size_t)(OC * j->a.C);
        a.oc0 = b % OC;
        a.oc1 = oc1;
        a.scratch = mote_qconv_kscratch_at(&j->p->ks, j->s->scratch, thread);
        j->s->k->general.qconv2d(&a);
        b = n * OC + oc1;
    }
}

static void run_ql(const mote_step *s)
{
    const ql_params *p = s->params;
    ql_job j = {p, s, p->a};
    int64_t OC = p->a.OC, K = p->a.C * p->a.KH * p->a.KW / p->a.groups;
    int32_t *wz = s->scratch;
    float *fs = (float *)(wz + OC);
    const mote_tensor *in = s->in[0];
    j.a.x = in->data;
    j.a.y = s->out[0]->data;
    j.a.w = s->in[p->in_w]->data;
    if (p->kind == K_QLINEARMATMUL) {
        /* b (K, N) -> (N, K) after the parameters in scratch */
        uint8_t *bt = (uint8_t *)(fs + OC);
        const uint8_t *b = s->in[p->in_w]->data;
        for (int64_t t = 0; t < p->batches; t++)
            for (int64_t k = 0; k < K; k++)
                for (int64_t n = 0; n < OC; n++)
                    bt[(t * OC + n) * K + k] = b[(t * K + k) * OC + n];
        j.a.w = bt;
    }
    const mote_tensor *wzt = s->n_in > p->in_w_zp && p->in_w_zp >= 0 ? s->in[p->in_w_zp] : NULL;
    const mote_tensor *xzt = s->n_in > p->in_x_zp && p->in_x_zp >= 0 ? s->in[p->in_x_zp] : NULL;
    j.a.x_zp = zp_at(xzt, 0);
    for (int64_t oc = 0; oc < OC; oc++)
        wz[oc] = zp_at(wzt, oc);
    j.a.w_zp = wz;
    if (p->kind != K_CONVINTEGER) {
        float xs = scale_at(s->in[p->in_x_scale], 0), ys = scale_at(s->in[p->in_y_scale], 0);
        for (int64_t oc = 0; oc < OC; oc++)
            fs[oc] = xs * scale_at(s->in[p->in_w_scale], oc) / ys;
        j.a.fscale = fs;
        const mote_tensor *yzt = s->n_in > p->in_y_zp && p->in_y_zp >= 0 ? s->in[p->in_y_zp] : NULL;
        j.a.y_zp = zp_at(yzt, 0);
        j.a.bias = p->in_bias >= 0 && s->n_in > p->in_bias && s->in[p->in_bias] ?
                   s->in[p->in_bias]->data : NULL;
    }
    if (p->pl.wp) {
        mote_qconv_plan_run(&p->pl, s, &j.a, p->N, p->x_img, p->y_img * p->y_es,
                            (char *)s->scratch + p->pl_off);
        return;
    }
    mote_pool_for(s->pool, p->N * OC, 1, ql_chunk, &j);
}

static mote_status conv_setup(mote_op_ctx *c, qkind kind, ql_params *p, int64_t *od,
                              mote_dtype *yt)
{
    mote_status st;
    int ix = 0, iw = kind == K_QLINEARCONV ? 3 : 1;
    if ((st = expect_8bit(c, ix, "x")) || (st = expect_8bit(c, iw, "w")))
        return st;
    const mote_tensor *x = c->in[ix], *w = c->in[iw];
    if (x->ndim != 4 || w->ndim != 4)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "x and w must be 4-D (2-D convolution)");
    int64_t group = mote_attr_get_int(c->node, "group", 1), OC = w->dims[0];
    if (group < 1 || x->dims[1] % group || OC % group || x->dims[1] / group != w->dims[1])
        return mote_op_error(c, MOTE_ERR_SHAPE, "x has %lld channels, w %lld x %lld, group %lld: "
                             "they do not fit", (long long)x->dims[1], (long long)OC,
                             (long long)w->dims[1], (long long)group);
    mote_window win;
    if ((st = mote_op_window(c, 2, x->dims + 2, w->dims + 2, 0, &win)))
        return st;
    if (kind == K_QLINEARCONV) {
        if ((st = expect_param(c, 1, "x_scale", 1, MOTE_F32, 0)) ||
            (st = expect_param(c, 2, "x_zero_point", 1, 0, 0)) ||
            (st = expect_param(c, 4, "w_scale", OC, MOTE_F32, 0)) ||
            (st = expect_param(c, 5, "w_zero_point", OC, 0, 3)) ||
            (st = expect_param(c, 6, "y_scale", 1, MOTE_F32, 0)) ||
            (st = expect_param(c, 8, "B", OC, MOTE_I32, 0)))
            return st;
        if (!mote_op_has_input(c, 1) || !mote_op_has_input(c, 4) || !mote_op_has_input(c, 6))
            return mote_op_error(c, MOTE_ERR_GRAPH, "x_scale, w_scale and y_scale are required");
        if (mote_op_has_input(c, 7) && c->in[7]->dtype != MOTE_U8 && c->in[7]->dtype != MOTE_I8)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "y_zero_point must be u8 or i8");
        if (mote_op_has_input(c, 7) && mote_tensor_numel(c->in[7]) != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "y_zero_point must be a scalar");
        *yt = mote_op_has_input(c, 7) ? c->in[7]->dtype : x->dtype;
    } else {
        if ((st = expect_param(c, 2, "x_zero_point", 1, 0, 0)) ||
            (st = expect_param(c, 3, "w_zero_point", OC, 0, 1)))
            return st;
        *yt = MOTE_I32;
    }
    od[0] = x->dims[0];
    od[1] = OC;
    od[2] = win.OH;
    od[3] = win.OW;
    if (!p)
        return MOTE_OK;
    memset(p, 0, sizeof *p);
    p->kind = kind;
    mote_qconv2d_args *a = &p->a;
    a->C = x->dims[1]; a->H = x->dims[2]; a->W = x->dims[3]; a->OC = OC;
    a->OH = win.OH; a->OW = win.OW; a->KH = win.KH; a->KW = win.KW;
    a->sh = win.sh; a->sw = win.sw; a->ph = win.pt; a->pw = win.pl;
    a->dh = win.dh; a->dw = win.dw; a->groups = group;
    a->x_signed = x->dtype == MOTE_I8;
    a->w_signed = w->dtype == MOTE_I8;
    a->y_signed = *yt == MOTE_I8;
    a->y_i32 = kind == K_CONVINTEGER;
    a->act_min = a->y_signed ? -128 : 0;
    a->act_max = a->y_signed ? 127 : 255;
    p->N = x->dims[0];
    p->x_img = (size_t)(a->C * a->H * a->W);
    p->y_img = (size_t)(OC * a->OH * a->OW);
    p->y_es = mote_dtype_size(*yt);
    p->in_w = iw;
    if (kind == K_QLINEARCONV) {
        p->in_x_scale = 1; p->in_x_zp = 2; p->in_w_scale = 4; p->in_w_zp = 5;
        p->in_y_scale = 6; p->in_y_zp = 7; p->in_bias = 8;
    } else {
        p->in_x_zp = 2; p->in_w_zp = 3; p->in_bias = -1;
        p->in_x_scale = p->in_w_scale = p->in_y_scale = p->in_y_zp = -1;
    }
    return MOTE_OK;
}

static mote_status mm_setup(mote_op_ctx *c, ql_params *p, int64_t *od, int *nd, mote_dtype *yt)
{
    mote_status st;
    if ((st = expect_8bit(c, 0, "a")) || (st = expect_8bit(c, 3, "b")))
        return st;
    const mote_tensor *a = c->in[0], *b = c->in[3];
    if (a->ndim < 2 || b->ndim < 2 || (b->ndim > 2 && (b->ndim != a->ndim ||
        memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)(a->ndim - 2)))))
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "a must have rank >= 2 and b rank 2 or "
                             "a's batch dims (no broadcasting of batches)");
    int64_t K = a->dims[a->ndim - 1], N = b->dims[b->ndim - 1];
    if (b->dims[b->ndim - 2] != K)
        return mote_op_error(c, MOTE_ERR_SHAPE, "a has K = %lld columns, b %lld rows",
                             (long long)K, (long long)b->dims[b->ndim - 2]);
    if ((st = expect_param(c, 1, "a_scale", 1, MOTE_F32, 0)) ||
        (st = expect_param(c, 2, "a_zero_point", 1, 0, 0)) ||
        (st = expect_param(c, 4, "b_scale", N, MOTE_F32, 0)) ||
        (st = expect_param(c, 5, "b_zero_point", N, 0, 3)) ||
        (st = expect_param(c, 6, "y_scale", 1, MOTE_F32, 0)))
        return st;
    if (!mote_op_has_input(c, 7) || (c->in[7]->dtype != MOTE_U8 && c->in[7]->dtype != MOTE_I8) ||
        mote_tensor_numel(c->in[7]) != 1)
        return mote_op_error(c, MOTE_ERR_SHAPE, "y_zero_point must be a u8 or i8 scalar");
    *yt = c->in[7]->dtype;
    memcpy(od, a->dims, sizeof(int64_t) * (size_t)a->ndim);
    od[a->ndim - 1] = N;
    *nd = a->ndim;
    if (!p)
        return MOTE_OK;
    memset(p, 0, sizeof *p);
    p->kind = K_QLINEARMATMUL;
    mote_qconv2d_args *q = &p->a;
    q->C = K; q->H = q->W = q->OH = q->OW = q->KH = q->KW = 1;
    q->sh = q->sw = q->dh = q->dw = 1; q->groups = 1; q->OC = N;
    q->x_signed = a->dtype == MOTE_I8;
    q->w_signed = b->dtype == MOTE_I8;
    q->y_signed = *yt == MOTE_I8;
    q->act_min = q->y_signed ? -128 : 0;
    q->act_max = q->y_signed ? 127 : 255;
    p->N = mote_tensor_numel(a) / K;
    p->batches = mote_tensor_numel(b) / (K * N);
    p->bM = b->ndim > 2 ? a->dims[a->ndim - 2] : 0;
    p->x_img = (size_t)K;
    p->y_img = (size_t)N;
    p->y_es = 1;
    p->in_w = 3; p->in_x_scale = 1; p->in_x_zp = 2; p->in_w_scale = 4; p->in_w_zp = 5;
    p->in_y_scale = 6; p->in_y_zp = 7; p->in_bias = -1;
    return MOTE_OK;
}

static mote_status infer_ql(mote_op_ctx *c, qkind kind)
{
    int64_t od[MOTE_MAX_DIMS];
    int nd = 4;
    mote_dtype yt;
    mote_status st = kind == K_QLINEARMATMUL ? mm_setup(c, NULL, od, &nd, &yt)
                                             : conv_setup(c, kind, NULL, od, &yt);
    if (st)
        return st;
    mote_set_out(c, 0, yt, nd, od);
    return MOTE_OK;
}

static mote_status prepare_ql(mote_op_ctx *c, qkind kind)
{
    ql_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t od[MOTE_MAX_DIMS];
    int nd = 4;
    mote_dtype yt;
    mote_status st = kind == K_QLINEARMATMUL ? mm_setup(c, p, od, &nd, &yt)
                                             : conv_setup(c, kind, p, od, &yt);
    if (st)
        return st;
    size_t OC = (size_t)p->a.OC;
    c->scratch_bytes = OC * (sizeof(int32_t) + sizeof(float));
    if (kind == K_QLINEARMATMUL)
        c->scratch_bytes += OC * (size_t)p->a.C * (size_t)p->batches;
    else {
        mote_qconv2d_args a = p->a;
        a.w = c->in[p->in_w]->data;
        if ((st = mote_qconv_plan_prepare(c, &a, a.w != NULL, &p->pl, &c->scratch_bytes,
                                          &p->pl_off)))
            return st;
    }
    p->ks.bytes = 0;
    if (!p->pl.wp)
        mote_qconv_kscratch_prepare(c, &p->a, &p->ks, &c->scratch_bytes);
    c->params = p;
    c->run = run_ql;
    return MOTE_OK;
}

static mote_status infer_qlconv(mote_op_ctx *c) { return infer_ql(c, K_QLINEARCONV); }
static mote_status prepare_qlconv(mote_op_ctx *c) { return prepare_ql(c, K_QLINEARCONV); }
static mote_status infer_convint(mote_op_ctx *c) { return infer_ql(c, K_CONVINTEGER); }
static mote_status prepare_convint(mote_op_ctx *c) { return prepare_ql(c, K_CONVINTEGER); }
static mote_status infer_qlmm(mote_op_ctx *c) { return infer_ql(c, K_QLINEARMATMUL); }
static mote_status prepare_qlmm(mote_op_ctx *c) { return prepare_ql(c, K_QLINEARMATMUL); }

/* ------------------------------------------------------ DynamicQuantizeLinear */

static void run_dql(const mote_step *s)
{
    mote_dynamic_quantize_ref(s->in[0]->data, mote_tensor_numel(s->in[0]), s->out[0]->data,
                              s->out[1]->data, s->out[2]->data);
}

static mote_status infer_dql(mote_op_ctx *c)
{
    mote_status st = mote_expect_dtype(c, 0, MOTE_F32);
    if (st)
        return st;
    mote_set_out(c, 0, MOTE_U8, c->in[0]->ndim, c->in[0]->dims);
    mote_set_out(c, 1, MOTE_F32, 0, NULL);
    mote_set_out(c, 2, MOTE_U8, 0, NULL);
    return MOTE_OK;
}

static mote_status prepare_dql(mote_op_ctx *c)
{
    mote_status st = infer_dql(c);
    if (st)
        return st;
    c->run = run_dql;
    return MOTE_OK;
}

const mote_op mote_op_QLinearConv = {"QLinearConv", 8, 9, 1, 1, 0, infer_qlconv, prepare_qlconv, NULL};
const mote_op mote_op_ConvInteger = {"ConvInteger", 2, 4, 1, 1, 0, infer_convint, prepare_convint, NULL};
const mote_op mote_op_QLinearMatMul = {"QLinearMatMul", 8, 8, 1, 1, 0, infer_qlmm, prepare_qlmm, NULL};
const mote_op mote_op_DynamicQuantizeLinear = {"DynamicQuantizeLinear", 1, 1, 3, 3, 0, infer_dql,
                                               prepare_dql, NULL};
