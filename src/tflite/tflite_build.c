/*
 * tflite_build.c — the TFLite importer's graph-building helpers
 * (tflite_build.h): error messages naming the operator, unique value
 * names, weights, nodes, tensors in TFLite's NHWC or mote's NCHW order
 * (constants transposed here, once), quantization parameters and the
 * f32 fallback around them, fused activation ranges, 256-entry lookup
 * tables, and the reading of operator options and constant inputs.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflite/tflite_build.h"
#include "graph/internal.h"

/* Records an error naming the file and the operator; returns -1. */
int tfl_fail(imp *im, mote_status st, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (im->cur >= 0) {
        const tfl_op *op = &im->m->ops[im->cur];
        const char *name = tfl_op_name(op->code);
        im->st = mote_error(st, "%s: operator %d (%s, output '%s'): %s", im->what, im->cur,
                            name ? name : "?", im->m->tensors[op->out[0]].name, msg);
    } else {
        im->st = mote_error(st, "%s: %s", im->what, msg);
    }
    return -1;
}

bool tfl_isq(const tfl_tensor *t)
{
    return t->nq > 0 && (t->type == TFL_UINT8 || t->type == TFL_INT8);
}

mote_dtype tfl_mdtype(int t)
{
    switch (t) {
    case TFL_FLOAT32: return MOTE_F32;
    case TFL_FLOAT16: return MOTE_F16;
    case TFL_INT32: return MOTE_I32;
    case TFL_UINT8: return MOTE_U8;
    case TFL_INT64: return MOTE_I64;
    case TFL_BOOL: return MOTE_BOOL;
    case TFL_INT8: return MOTE_I8;
    default: return 0;
    }
}

/* A value name not yet in the graph: base, else base#k. */
static void tfl_uname(imp *im, const char *base, char *buf, size_t n)
{
    snprintf(buf, n, "%s", base);
    while (mote_graph_find_value(im->g, buf) >= 0)
        snprintf(buf, n, "%.200s#%d", base, im->uniq++);
}

/* The name of a helper value of the current operator: "<output>:<what>". */
static void tfl_helper_name(imp *im, const char *what, char *buf, size_t n)
{
    char base[300];
    const char *out = im->cur >= 0 ? im->m->tensors[im->m->ops[im->cur].out[0]].name : "input";
    snprintf(base, sizeof base, "%.200s:%s", out, what);
    tfl_uname(im, base, buf, n);
}

int tfl_weight(imp *im, const char *what, mote_dtype t, int ndim, const int64_t *dims,
                  const void *data)
{
    char name[320];
    tfl_helper_name(im, what, name, sizeof name);
    int v = mote_graph_weight(im->g, name, t, ndim, dims, data);
    if (v < 0)
        return tfl_fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", name);
    return v;
}

int tfl_w_f32(imp *im, const char *what, float x)
{
    return tfl_weight(im, what, MOTE_F32, 0, NULL, &x);
}

int tfl_w_i64s(imp *im, const char *what, int n, const int64_t *v)
{
    int64_t d = n;
    return tfl_weight(im, what, MOTE_I64, 1, &d, v);
}

/* Adds node `op` with one output named out_name (NULL: a helper name). */
int tfl_node(imp *im, const char *op, int n_in, const int *in, const char *out_name, int *nid)
{
    char name[320], nname[340];
    for (int i = 0; i < n_in; i++)
        if (in[i] < -1)
            return -1;   /* an input failed to be made: the error is set */
    if (out_name)
        tfl_uname(im, out_name, name, sizeof name);
    else
        tfl_helper_name(im, op, name, sizeof name);
    snprintf(nname, sizeof nname, "%s/%s", name, op);
    const char *names[1] = {name};
    int out;
    int id = mote_graph_node(im->g, op, nname, n_in, in, 1, names, &out);
    if (id < 0)
        return tfl_fail(im, MOTE_ERR_NOMEM, "cannot add a %s node", op);
    if (nid)
        *nid = id;
    return out;
}


int tfl_transpose(imp *im, int v, const int64_t *perm, const char *out_name)
{
    int nid;
    int y = tfl_node(im, "Transpose", 1, &v, out_name, &nid);
    if (y < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "perm", 4, perm));
    return y;
}

/* The tensor's value as it is stored (weights are made on first use, in
 * TFLite's own layout). */
int tfl_in_val(imp *im, int t)
{
    if (t < 0)
        return tfl_fail(im, MOTE_ERR_FORMAT, "a required input is absent");
    if (im->val[t] >= 0)
        return im->val[t];
    const tfl_tensor *tt = &im->m->tensors[t];
    if (!tt->data)
        return tfl_fail(im, MOTE_ERR_FORMAT, "tensor '%s' is read before any operator writes it",
                    tt->name);
    mote_dtype d = tfl_mdtype(tt->type);
    if (!d)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' has TFLite type %d", tt->name, tt->type);
    char name[320];
    tfl_uname(im, tt->name, name, sizeof name);
    int v = mote_graph_weight(im->g, name, d, tt->ndim, tt->dims, tt->data);
    if (v < 0)
        return tfl_fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", name);
    im->val[t] = v;
    im->nchw[t] = false;
    return v;
}

/* The tensor in TFLite's own (NHWC) order. */
int tfl_nhwc_val(imp *im, int t)
{
    int v = tfl_in_val(im, t);
    if (v < 0 || !im->nchw[t])
        return v;
    if (im->nhwc[t] < 0) {
        char name[300];
        snprintf(name, sizeof name, "%.200s:nhwc", im->m->tensors[t].name);
        im->nhwc[t] = tfl_transpose(im, v, perm_to_nhwc, name);
    }
    return im->nhwc[t];
}

/* A rank-4 tensor in NCHW order (a constant is transposed here, once). */
int tfl_nchw_val(imp *im, int t)
{
    int v = tfl_in_val(im, t);
    if (v < 0 || im->nchw[t])
        return v;
    const tfl_tensor *tt = &im->m->tensors[t];
    if (tt->ndim != 4)
        return tfl_fail(im, MOTE_ERR_SHAPE, "tensor '%s' has rank %d, expected 4", tt->name, tt->ndim);
    char name[300];
    snprintf(name, sizeof name, "%.200s:nchw", tt->name);
    if (tt->data) {
        size_t es = mote_dtype_size(tfl_mdtype(tt->type));
        int64_t N = tt->dims[0], H = tt->dims[1], W = tt->dims[2], C = tt->dims[3];
        uint8_t *buf = malloc(tt->nbytes ? tt->nbytes : 1);
        if (!buf)
            return tfl_fail(im, MOTE_ERR_NOMEM, "out of memory");
        for (int64_t n = 0; n < N; n++)
            for (int64_t y = 0; y < H; y++)
                for (int64_t x = 0; x < W; x++)
                    for (int64_t c = 0; c < C; c++)
                        memcpy(buf + (size_t)(((n * C + c) * H + y) * W + x) * es,
                               tt->data + (size_t)(((n * H + y) * W + x) * C + c) * es, es);
        int64_t d[4] = {N, C, H, W};
        char un[320];
        tfl_uname(im, name, un, sizeof un);
        v = mote_graph_weight(im->g, un, tfl_mdtype(tt->type), 4, d, buf);
        free(buf);
        if (v < 0)
            return tfl_fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", un);
    } else {
        v = tfl_transpose(im, v, perm_to_nchw, name);
    }
    if (v >= 0) {
        im->nhwc[t] = im->val[t];
        im->val[t] = v;
        im->nchw[t] = true;
    }
    return v;
}

void tfl_set_out(imp *im, int t, int v, bool nchw)
{
    im->val[t] = v;
    im->nchw[t] = nchw;
    im->nhwc[t] = -1;
}

/* Scale and zero-point weights of a per-tensor quantized tensor. */
int tfl_qparams(imp *im, const tfl_tensor *t, int *sv, int *zv)
{
    if (t->nq != 1)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' is quantized per axis; only weights "
                    "of convolutions may be", t->name);
    *sv = tfl_w_f32(im, "scale", t->scale[0]);
    if (t->type == TFL_UINT8) {
        uint8_t z = (uint8_t)t->zp[0];
        *zv = tfl_weight(im, "zero_point", MOTE_U8, 0, NULL, &z);
    } else {
        int8_t z = (int8_t)t->zp[0];
        *zv = tfl_weight(im, "zero_point", MOTE_I8, 0, NULL, &z);
    }
    return *sv < 0 || *zv < 0 ? -1 : 0;
}

static bool tfl_zp_in_range(const tfl_tensor *t, int i)
{
    int64_t z = t->zp[i];
    return t->type == TFL_UINT8 ? z >= 0 && z <= 255 : t->type == TFL_INT8 ? z >= -128 && z <= 127 : false;
}

/* Checks an 8-bit tensor's quantization for use by the integer ops. */
int tfl_check_q(imp *im, const tfl_tensor *t)
{
    for (int i = 0; i < t->nq; i++)
        if (!tfl_zp_in_range(t, i))
            return tfl_fail(im, MOTE_ERR_FORMAT, "tensor '%s': zero point %lld is outside its type's "
                        "range", t->name, (long long)t->zp[i]);
    return 0;
}

/* f32 view of value v of tensor t (dequantized when t is quantized). */
int tfl_deq(imp *im, int t, int v)
{
    const tfl_tensor *tt = &im->m->tensors[t];
    if (v < 0)
        return -1;
    if (tfl_isq(tt)) {
        int sv, zv;
        if (tfl_check_q(im, tt) || tfl_qparams(im, tt, &sv, &zv))
            return -1;
        int in[3] = {v, sv, zv};
        return tfl_node(im, "DequantizeLinear", 3, in, NULL, NULL);
    }
    if (tt->type != TFL_FLOAT32)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' is neither f32 nor 8-bit quantized "
                    "(TFLite type %d)", tt->name, tt->type);
    return v;
}

/* Stores f32 value v as output tensor t (quantized when t is). */
int tfl_quant_out(imp *im, int t, int v, bool nchw)
{
    const tfl_tensor *tt = &im->m->tensors[t];
    if (v < 0)
        return -1;
    if (tfl_isq(tt)) {
        int sv, zv;
        if (tfl_check_q(im, tt) || tfl_qparams(im, tt, &sv, &zv))
            return -1;
        int in[3] = {v, sv, zv};
        v = tfl_node(im, "QuantizeLinear", 3, in, tt->name, NULL);
    } else if (tt->type != TFL_FLOAT32) {
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "output '%s' is neither f32 nor 8-bit quantized",
                    tt->name);
    }
    if (v >= 0)
        tfl_set_out(im, t, v, nchw);
    return v;
}

/* The quantized clamp of a fused activation (TFLite's
 * CalculateActivationRangeQuantized). */
int tfl_act_range(imp *im, const tfl_tensor *out, int act, int32_t *lo, int32_t *hi)
{
    int32_t qmin = out->type == TFL_INT8 ? -128 : 0, qmax = out->type == TFL_INT8 ? 127 : 255;
    double s = out->scale[0];
    int64_t z = out->zp[0];
    *lo = qmin;
    *hi = qmax;
    double a, b;
    switch (act) {
    case ACT_NONE: return 0;
    case ACT_RELU: a = 0; b = INFINITY; break;
    case ACT_RELU6: a = 0; b = 6; break;
    case ACT_RELU_N1_TO_1: a = -1; b = 1; break;
    default:
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "fused activation %d is not supported", act);
    }
    /* in double and clamped before any conversion (a tiny scale must not
     * overflow an integer) */
    double ql = (double)z + round(a / s);
    if (ql > *lo)
        *lo = ql > qmax ? qmax : (int32_t)ql;
    if (isfinite(b)) {
        double qh = (double)z + round(b / s);
        if (qh < *hi)
            *hi = qh < qmin ? qmin : (int32_t)qh;
    }
    return 0;
}

/* A fused activation on f32 value v. */
int tfl_act_f32(imp *im, int v, int act, const char *out_name)
{
    if (v < 0 || act == ACT_NONE)
        return v;
    if (act == ACT_RELU)
        return tfl_node(im, "Relu", 1, &v, out_name, NULL);
    if (act != ACT_RELU6 && act != ACT_RELU_N1_TO_1)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "fused activation %d is not supported", act);
    int in[3] = {v, tfl_w_f32(im, "min", act == ACT_RELU6 ? 0.0f : -1.0f), tfl_w_f32(im, "max", act == ACT_RELU6 ? 6.0f : 1.0f)};
    return tfl_node(im, "Clip", 3, in, out_name, NULL);
}

/* ----------------------------------------------------------- lookup tables */


static double tfl_lut_apply(lut_fn f, double x)
{
    switch (f) {
    case LUT_LOGISTIC: return 1.0 / (1.0 + exp(-x));
    case LUT_TANH: return tanh(x);
    case LUT_HARD_SWISH: return x * fmin(fmax(x + 3.0, 0.0), 6.0) / 6.0;
    case LUT_RELU: return fmax(x, 0.0);
    case LUT_RELU6: return fmin(fmax(x, 0.0), 6.0);
    case LUT_RELU_N1_TO_1: return fmin(fmax(x, -1.0), 1.0);
    default: return x;
    }
}

/* y = quantize_out(f(dequantize_in(x))) for every 8-bit x, clamped to
 * [lo, hi]: the table of a QLookup node (rounding half away from zero). */
int tfl_lut_node(imp *im, int v, const tfl_tensor *in, const tfl_tensor *out, lut_fn f,
                    int32_t lo, int32_t hi, const char *out_name)
{
    if (v < 0)
        return -1;
    if (tfl_check_q(im, in) || tfl_check_q(im, out))
        return -1;
    if (in->nq != 1 || out->nq != 1)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "per-axis quantized activations are not supported");
    uint8_t table[256];
    int in_signed = in->type == TFL_INT8;
    int32_t qmin = out->type == TFL_INT8 ? -128 : 0, qmax = out->type == TFL_INT8 ? 127 : 255;
    for (int b = 0; b < 256; b++) {
        int32_t q = in_signed ? (int8_t)b : b;
        double x = (double)in->scale[0] * (double)(q - in->zp[0]);
        double y = round(tfl_lut_apply(f, x) / (double)out->scale[0]) + (double)out->zp[0];
        int32_t r = y < qmin ? qmin : y > qmax ? qmax : (int32_t)y;
        r = r < lo ? lo : r > hi ? hi : r;
        table[b] = (uint8_t)r;
    }
    int64_t d = 256;
    int in2[2] = {v, tfl_weight(im, "table", MOTE_U8, 1, &d, table)};
    int nid;
    int y = tfl_node(im, "QLookup", 2, in2, out_name, &nid);
    if (y < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "y_dtype", tfl_mdtype(out->type)));
    return y;
}

bool tfl_same_q(const tfl_tensor *a, const tfl_tensor *b)
{
    return a->type == b->type && a->nq == 1 && b->nq == 1 && a->scale[0] == b->scale[0] &&
           a->zp[0] == b->zp[0];
}

/* ------------------------------------------------------------ option reads */


int32_t tfl_opt_i32(opt_reader *r, unsigned id, int32_t dflt)
{
    int32_t v = dflt;
    if (r->op->has_opt && !fb_i32(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

int tfl_opt_u8(opt_reader *r, unsigned id, uint8_t dflt)
{
    uint8_t v = dflt;
    if (r->op->has_opt && !fb_u8(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

float tfl_opt_f32(opt_reader *r, unsigned id, float dflt)
{
    float v = dflt;
    if (r->op->has_opt && !fb_f32(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

/* The i32 (or i64) constant of input k: n values into v (at most max). */
int tfl_const_ints(imp *im, const tfl_op *op, int k, int max, int64_t *v, int *n)
{
    if (k >= op->n_in || op->in[k] < 0)
        return tfl_fail(im, MOTE_ERR_FORMAT, "input %d is absent", k);
    const tfl_tensor *t = &im->m->tensors[op->in[k]];
    if (!t->data || (t->type != TFL_INT32 && t->type != TFL_INT64))
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "input %d ('%s') must be a constant int32", k, t->name);
    size_t es = t->type == TFL_INT32 ? 4 : 8, cnt = t->nbytes / es;
    if (cnt > (size_t)max)
        return tfl_fail(im, MOTE_ERR_SHAPE, "input %d ('%s') has %zu values (at most %d)", k,
                    t->name, cnt, max);
    for (size_t i = 0; i < cnt; i++) {
        if (es == 4) {
            int32_t x;
            memcpy(&x, t->data + i * 4, 4);
            v[i] = x;
        } else {
            memcpy(&v[i], t->data + i * 8, 8);
        }
    }
    *n = (int)cnt;
    return 0;
}
