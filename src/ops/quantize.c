/*
 * quantize.c — linear quantization: QuantizeLinear and DequantizeLinear
 * (opset 10/13: per tensor or per axis) and MatMulInteger (opset 10).
 *
 *   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zp), y u8
 *                     (default) or i8 as the zero point's dtype.
 *   DequantizeLinear: y = (x - zp) * scale, x u8, i8 or i32, y f32.
 *   MatMulInteger:    y = (A - a_zp) (B - b_zp) in i32, A and B u8 or i8,
 *                     numpy batch broadcasting, a_zp scalar or (M), b_zp
 *                     scalar or (N).
 * Scales and zero points may be activations: zero points are widened to
 * i32 in scratch at each run. Elements or rows are split over the pool.
 */
#include <string.h>
#include "op_util.h"

enum { QUANT, DEQUANT };

typedef struct q_params {
    int kind;
    int64_t count;             /* elements                                  */
    int64_t C, inner;          /* channel count (1: per tensor), elements per channel step */
    int is_signed;             /* quantized dtype is i8                     */
    int num;                   /* dequantize input mote_num                 */
} q_params;

typedef struct q_job {
    const q_params *p;
    const mote_step *s;
    const int32_t *zp;
} q_job;

/* Widens a u8/i8/i32 zero-point tensor (n values) into z. */
static void widen(const mote_tensor *t, int64_t n, int32_t *z)
{
    for (int64_t i = 0; i < n; i++)
        z[i] = t->dtype == MOTE_U8 ? ((const uint8_t *)t->data)[i] :
               t->dtype == MOTE_I8 ? ((const int8_t *)t->data)[i] : ((const int32_t *)t->data)[i];
}

static void q_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const q_job *j = ctx;
    const q_params *p = j->p;
    if (p->kind == QUANT)
        j->s->k->general.quantize_f32(j->s->in[0]->data, j->s->out[0]->data, p->is_signed,
                                      j->s->in[1]->data, j->zp, p->C, p->inner, b, e);
    else if (p->num == MOTE_NUM_U8 || p->num == MOTE_NUM_I8)
        j->s->k->general.dequantize_8(j->s->in[0]->data, p->num == MOTE_NUM_I8, j->s->out[0]->data,
                                      j->s->in[1]->data, j->zp, p->C, p->inner, b, e);
    else
        mote_dequantize_ref(j->s->in[0]->data, (mote_num)p->num, j->s->out[0]->data,
                            j->s->in[1]->data, j->zp, p->C, p->inner, b, e);
}

static void run_q(const mote_step *s)
{
    const q_params *p = s->params;
    q_job j = {p, s, NULL};
    if (s->n_in > 2 && s->in[2]) {
        widen(s->in[2], p->C, s->scratch);
        j.zp = s->scratch;
    }
    mote_pool_for(s->pool, p->count, 4096, q_chunk, &j);
}

static mote_status q_setup(mote_op_ctx *c, int kind, q_params *p, mote_dtype *out)
{
    mote_status st;
    if (!mote_op_has_input(c, 0))
        return mote_op_error(c, MOTE_ERR_GRAPH, "input 0 (x) is missing");
    if ((st = mote_expect_dtype(c, 1, MOTE_F32)))
        return st;
    const mote_tensor *x = c->in[0], *sc = c->in[1];
    const mote_tensor *zp = mote_op_has_input(c, 2) ? c->in[2] : NULL;
    p->kind = kind;
    p->count = mote_tensor_numel(x);
    if (kind == QUANT) {
        if (x->dtype != MOTE_F32)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "x is %s; QuantizeLinear takes f32",
                                 mote_op_dtype_name(x->dtype));
        if (zp && zp->dtype != MOTE_U8 && zp->dtype != MOTE_I8)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "y_zero_point is %s (u8 or i8 supported)",
                                 mote_op_dtype_name(zp->dtype));
        *out = zp ? zp->dtype : MOTE_U8;
        p->is_signed = *out == MOTE_I8;
    } else {
        if (x->dtype != MOTE_U8 && x->dtype != MOTE_I8 && x->dtype != MOTE_I32)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "x is %s (u8, i8 or i32 supported)",
                                 mote_op_dtype_name(x->dtype));
        if (zp && zp->dtype != x->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "x_zero_point is %s, x is %s",
                                 mote_op_dtype_name(zp->dtype), mote_op_dtype_name(x->dtype));
        p->num = mote_num_kind(x->dtype);
        *out = MOTE_F32;
    }
    int64_t ns = mote_tensor_numel(sc);
    if (sc->ndim == 0 || (sc->ndim == 1 && ns == 1)) {
        p->C = 1;
        p->inner = 1;
    } else {
        int64_t axis = mote_attr_get_int(c->node, "axis", 1);
        int ax = mote_norm_axis(axis, x->ndim);
        if (ax < 0)
            return mote_op_error(c, MOTE_ERR_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axis, x->ndim);
        if (sc->ndim != 1 || ns != x->dims[ax])
            return mote_op_error(c, MOTE_ERR_SHAPE, "scale has %lld values; per-axis scale must be "
                                 "1-D of x's axis %d size %lld", (long long)ns, ax,
                                 (long long)x->dims[ax]);
        p->C = ns;
        p->inner = mote_dims_prod(x->dims + ax + 1, x->ndim - ax - 1);
    }
    if (zp && mote_tensor_numel(zp) != p->C)
        return mote_op_error(c, MOTE_ERR_SHAPE, "zero point has %lld values, scale %lld",
                             (long long)mote_tensor_numel(zp), (long long)p->C);
    return MOTE_OK;
}

static mote_status infer_q(mote_op_ctx *c, int kind)
{
    q_params p;
    mote_dtype out;
    mote_status st = q_setup(c, kind, &p, &out);
    if (st)
        return st;
    mote_set_out(c, 0, out, c->in[0]->ndim, c->in[0]->dims);
    return MOTE_OK;
}

static mote_status prepare_q(mote_op_ctx *c, int kind)
{
    q_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    mote_dtype out;
    mote_status st = q_setup(c, kind, p, &out);
    if (st)
        return st;
    c->scratch_bytes = (size_t)p->C * sizeof(int32_t);
    c->params = p;
    c->run = run_q;
    return MOTE_OK;
}

static mote_status infer_quant(mote_op_ctx *c) { return infer_q(c, QUANT); }
static mote_status prepare_quant(mote_op_ctx *c) { return prepare_q(c, QUANT); }
static mote_status infer_dequant(mote_op_ctx *c) { return infer_q(c, DEQUANT); }
static mote_status prepare_dequant(mote_op_ctx *c) { return prepare_q(c, DEQUANT); }

/* ---------------------------------------------------------- MatMulInteger */

typedef struct mmi_params {
    int64_t M, N, K, batches;
    int64_t *aoff, *boff;      /* (batches) element offsets of each batch's A and B */
    int a_signed, b_signed;
} mmi_params;

typedef struct mmi_job {
    const mmi_params *p;
    const mote_step *s;
    const int32_t *za, *zb;    /* (M), (N)                                   */
} mmi_job;

static void mmi_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const mmi_job *j = ctx;
    const mmi_params *p = j->p;
    const char *A = j->s->in[0]->data, *B = j->s->in[1]->data;
    int32_t *Y = j->s->out[0]->data;
    while (b < e) {   /* rows r = batch * M + m */
        int64_t bt = b / p->M, m0 = b % p->M, m1 = p->M;
        if (bt * p->M + m1 > e)
            m1 = e - bt * p->M;
        mote_matmul_integer_ref(A + p->aoff[bt], p->a_signed, B + p->boff[bt], p->b_signed,
                                j->za, j->zb, Y + bt * p->M * p->N, p->N, p->K, m0, m1);
        b = bt * p->M + m1;
    }
}

static void run_mmi(const mote_step *s)
{
    const mmi_params *p = s->params;
    int32_t *za = s->scratch, *zb = za + p->M;
    for (int i = 0; i < 2; i++) {
        const mote_tensor *z = s->n_in > 2 + i ? s->in[2 + i] : NULL;
        int32_t *dst = i ? zb : za;
        int64_t n = i ? p->N : p->M;
        if (!z) {
            memset(dst, 0, sizeof(int32_t) * (size_t)n);
        } else if (mote_tensor_numel(z) == 1) {
            int32_t v;
            widen(z, 1, &v);
            for (int64_t k = 0; k < n; k++)
                dst[k] = v;
        } else {
            widen(z, n, dst);
        }
    }
    mmi_job j = {p, s, za, zb};
    mote_pool_for(s->pool, p->batches * p->M, 1, mmi_chunk, &j);
}

static mote_status mmi_setup(mote_op_ctx *c, int64_t *odims, int *ond, mmi_params *p)
{
    if (!mote_op_has_input(c, 0) || !mote_op_has_input(c, 1))
        return mote_op_error(c, MOTE_ERR_GRAPH, "needs inputs A and B");
    const mote_tensor *a = c->in[0], *b = c->in[1];
    for (int i = 0; i < 2; i++) {
        const mote_tensor *t = c->in[i];
        if (t->dtype != MOTE_U8 && t->dtype != MOTE_I8)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s is %s (u8 or i8 supported)",
                                 i ? "B" : "A", mote_op_dtype_name(t->dtype));
        if (t->ndim < 2)
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %s has rank %d; rank >= 2 "
                                 "supported", i ? "B" : "A", t->ndim);
    }
    int64_t M = a->dims[a->ndim - 2], K = a->dims[a->ndim - 1], N = b->dims[b->ndim - 1];
    if (b->dims[b->ndim - 2] != K)
        return mote_op_error(c, MOTE_ERR_SHAPE, "A has K = %lld columns, B has %lld rows",
                             (long long)K, (long long)b->dims[b->ndim - 2]);
    for (int i = 2; i < 4; i++) {
        if (!mote_op_has_input(c, i))
            continue;
        const mote_tensor *z = c->in[i];
        int64_t nz = mote_tensor_numel(z), want = i == 2 ? M : N;
        if (z->dtype != c->in[i - 2]->dtype)
            return mote_op_error(c, MOTE_ERR_SHAPE, "input %d (zero point) is %s, its matrix %s",
                                 i, mote_op_dtype_name(z->dtype), mote_op_dtype_name(c->in[i - 2]->dtype));
        if (nz != 1 && (z->ndim != 1 || nz != want))
            return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "input %d (zero point) must be a scalar "
                                 "or 1-D of %lld", i, (long long)want);
    }
    /* batch dims: numpy broadcast of a->dims[:-2] and b->dims[:-2] */
    int na = a->ndim - 2, nb = b->ndim - 2, nd = na > nb ? na : nb;
    int64_t bd[MOTE_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        int64_t da = d - (nd - na) >= 0 ? a->dims[d - (nd - na)] : 1;
        int64_t db = d - (nd - nb) >= 0 ? b->dims[d - (nd - nb)] : 1;
        if (da != db && da != 1 && db != 1)
            return mote_op_error(c, MOTE_ERR_SHAPE, "batch dims do not broadcast (%lld vs %lld at %d)",
                                 (long long)da, (long long)db, d);
        bd[d] = da == 1 ? db : da;
    }
    memcpy(odims, bd, sizeof(int64_t) * (size_t)nd);
    odims[nd] = M;
    odims[nd + 1] = N;
    *ond = nd + 2;
    if (!p)
        return MOTE_OK;
    p->M = M; p->N = N; p->K = K;
    p->a_signed = a->dtype == MOTE_I8;
    p->b_signed = b->dtype == MOTE_I8;
    p->batches = mote_dims_prod(bd, nd);
    p->aoff = mote_ctx_alloc(c, sizeof(int64_t) * (size_t)(p->batches + 1));
    p->boff = mote_ctx_alloc(c, sizeof(int64_t) * (size_t)(p->batches + 1));
    if (!p->aoff || !p->boff)
        return MOTE_ERR_NOMEM;
    for (int64_t t = 0; t < p->batches; t++) {
        int64_t r = t, ao = 0, bo = 0, as = M * K, bs = K * N;
        for (int d = nd - 1; d >= 0; d--) {
            int64_t i = r % bd[d];
            r /= bd[d];
            int ia = d - (nd - na), ib = d - (nd - nb);
            if (ia >= 0) {
                ao += (a->dims[ia] == 1 ? 0 : i) * as;
                as *= a->dims[ia];
            }
            if (ib >= 0) {
                bo += (b->dims[ib] == 1 ? 0 : i) * bs;
                bs *= b->dims[ib];
            }
        }
        p->aoff[t] = ao;   /* elements are bytes (u8/i8) */
        p->boff[t] = bo;
    }
    return MOTE_OK;
}

static mote_status infer_mmi(mote_op_ctx *c)
{
    int64_t od[MOTE_MAX_DIMS + 2];
    int nd;
    mote_status st = mmi_setup(c, od, &nd, NULL);
    if (st)
        return st;
    if (nd > MOTE_MAX_DIMS)
        return mote_op_error(c, MOTE_ERR_UNSUPPORTED, "output rank %d exceeds %d", nd, MOTE_MAX_DIMS);
    mote_set_out(c, 0, MOTE_I32, nd, od);
    return MOTE_OK;
}

static mote_status prepare_mmi(mote_op_ctx *c)
{
    mmi_params *p = mote_ctx_alloc(c, sizeof *p);
    if (!p)
        return MOTE_ERR_NOMEM;
    int64_t od[MOTE_MAX_DIMS + 2];
    int nd;
    mote_status st = mmi_setup(c, od, &nd, p);
    if (st)
        return st;
    c->scratch_bytes = sizeof(int32_t) * (size_t)(p->M + p->N);
    c->params = p;
    c->run = run_mmi;
    return MOTE_OK;
}

const mote_op mote_op_QuantizeLinear = {"QuantizeLinear", 2, 3, 1, 1, 0, infer_quant, prepare_quant, NULL};
const mote_op mote_op_DequantizeLinear = {"DequantizeLinear", 2, 3, 1, 1, 0, infer_dequant,
                                          prepare_dequant, NULL};
const mote_op mote_op_MatMulInteger = {"MatMulInteger", 2, 4, 1, 1, 0, infer_mmi, prepare_mmi, NULL};
