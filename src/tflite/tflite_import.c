/*
 * tflite_import.c — maps a TFLite model (tflite_model.h) onto mote's
 * graph: one or a few mote nodes per TFLite operator, in the file's order
 * (TFLite stores operators topologically sorted). tflite.h describes the
 * layout choice (NCHW inside, transposed weights) and which ops stay
 * integer. Not the flatbuffer reading (tflite_read.c), not the math (the
 * ops and kernels).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include "tflite/tflite.h"
#include "tflite/tflite_model.h"
#include "graph/graph.h"
#include "graph/internal.h"

/* BuiltinOperator codes used here */
enum {
    OP_ADD = 0, OP_AVERAGE_POOL_2D = 1, OP_CONCATENATION = 2, OP_CONV_2D = 3,
    OP_DEPTHWISE_CONV_2D = 4, OP_DEQUANTIZE = 6, OP_FULLY_CONNECTED = 9, OP_LOGISTIC = 14,
    OP_MAX_POOL_2D = 17, OP_MUL = 18, OP_RELU = 19, OP_RELU_N1_TO_1 = 20, OP_RELU6 = 21,
    OP_RESHAPE = 22, OP_RESIZE_BILINEAR = 23, OP_SOFTMAX = 25, OP_TANH = 28, OP_PAD = 34,
    OP_TRANSPOSE = 39, OP_MEAN = 40, OP_SUB = 41, OP_SQUEEZE = 43, OP_STRIDED_SLICE = 45,
    OP_ARG_MAX = 56, OP_RESIZE_NEAREST_NEIGHBOR = 97, OP_QUANTIZE = 114, OP_HARD_SWISH = 117
};

/* ActivationFunctionType */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };

/* NHWC axis -> NCHW axis, and the two transposes */
static const int to_nchw_axis[4] = {0, 2, 3, 1};
static const int64_t perm_to_nchw[4] = {0, 3, 1, 2};
static const int64_t perm_to_nhwc[4] = {0, 2, 3, 1};

typedef struct imp {
    const tfl_model *m;
    mote_graph *g;
    const char *what;
    int *val;                  /* (n_tensors) the tensor's value, -1 before it exists */
    int *nhwc;                 /* (n_tensors) an NHWC copy of an NCHW value, or -1    */
    bool *nchw;                /* (n_tensors) val holds the rank-4 tensor as NCHW     */
    int cur;                   /* the operator being imported, -1 outside            */
    int uniq;                  /* counter that keeps made-up names unique            */
    mote_status st;
} imp;

static int fail(imp *im, mote_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records an error naming the file and the operator; returns -1. */
static int fail(imp *im, mote_status st, const char *fmt, ...)
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

static bool isq(const tfl_tensor *t)
{
    return t->nq > 0 && (t->type == TFL_UINT8 || t->type == TFL_INT8);
}

static mote_dtype mdtype(int t)
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
static void uname(imp *im, const char *base, char *buf, size_t n)
{
    snprintf(buf, n, "%s", base);
    while (mote_graph_find_value(im->g, buf) >= 0)
        snprintf(buf, n, "%.200s#%d", base, im->uniq++);
}

/* The name of a helper value of the current operator: "<output>:<what>". */
static void helper_name(imp *im, const char *what, char *buf, size_t n)
{
    char base[300];
    const char *out = im->cur >= 0 ? im->m->tensors[im->m->ops[im->cur].out[0]].name : "input";
    snprintf(base, sizeof base, "%.200s:%s", out, what);
    uname(im, base, buf, n);
}

static int weight(imp *im, const char *what, mote_dtype t, int ndim, const int64_t *dims,
                  const void *data)
{
    char name[320];
    helper_name(im, what, name, sizeof name);
    int v = mote_graph_weight(im->g, name, t, ndim, dims, data);
    if (v < 0)
        return fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", name);
    return v;
}

static int w_f32(imp *im, const char *what, float x)
{
    return weight(im, what, MOTE_F32, 0, NULL, &x);
}

static int w_i64s(imp *im, const char *what, int n, const int64_t *v)
{
    int64_t d = n;
    return weight(im, what, MOTE_I64, 1, &d, v);
}

/* Adds node `op` with one output named out_name (NULL: a helper name). */
static int node(imp *im, const char *op, int n_in, const int *in, const char *out_name, int *nid)
{
    char name[320], nname[340];
    for (int i = 0; i < n_in; i++)
        if (in[i] < -1)
            return -1;   /* an input failed to be made: the error is set */
    if (out_name)
        uname(im, out_name, name, sizeof name);
    else
        helper_name(im, op, name, sizeof name);
    snprintf(nname, sizeof nname, "%s/%s", name, op);
    const char *names[1] = {name};
    int out;
    int id = mote_graph_node(im->g, op, nname, n_in, in, 1, names, &out);
    if (id < 0)
        return fail(im, MOTE_ERR_NOMEM, "cannot add a %s node", op);
    if (nid)
        *nid = id;
    return out;
}

#define ATTR(call) do { if ((call) != MOTE_OK) return fail(im, MOTE_ERR_NOMEM, "cannot set an attribute"); } while (0)

static int transpose(imp *im, int v, const int64_t *perm, const char *out_name)
{
    int nid;
    int y = node(im, "Transpose", 1, &v, out_name, &nid);
    if (y < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "perm", 4, perm));
    return y;
}

/* The tensor's value as it is stored (weights are made on first use, in
 * TFLite's own layout). */
static int in_val(imp *im, int t)
{
    if (t < 0)
        return fail(im, MOTE_ERR_FORMAT, "a required input is absent");
    if (im->val[t] >= 0)
        return im->val[t];
    const tfl_tensor *tt = &im->m->tensors[t];
    if (!tt->data)
        return fail(im, MOTE_ERR_FORMAT, "tensor '%s' is read before any operator writes it",
                    tt->name);
    mote_dtype d = mdtype(tt->type);
    if (!d)
        return fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' has TFLite type %d", tt->name, tt->type);
    char name[320];
    uname(im, tt->name, name, sizeof name);
    int v = mote_graph_weight(im->g, name, d, tt->ndim, tt->dims, tt->data);
    if (v < 0)
        return fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", name);
    im->val[t] = v;
    im->nchw[t] = false;
    return v;
}

/* The tensor in TFLite's own (NHWC) order. */
static int nhwc_val(imp *im, int t)
{
    int v = in_val(im, t);
    if (v < 0 || !im->nchw[t])
        return v;
    if (im->nhwc[t] < 0) {
        char name[300];
        snprintf(name, sizeof name, "%.200s:nhwc", im->m->tensors[t].name);
        im->nhwc[t] = transpose(im, v, perm_to_nhwc, name);
    }
    return im->nhwc[t];
}

/* A rank-4 tensor in NCHW order (a constant is transposed here, once). */
static int nchw_val(imp *im, int t)
{
    int v = in_val(im, t);
    if (v < 0 || im->nchw[t])
        return v;
    const tfl_tensor *tt = &im->m->tensors[t];
    if (tt->ndim != 4)
        return fail(im, MOTE_ERR_SHAPE, "tensor '%s' has rank %d, expected 4", tt->name, tt->ndim);
    char name[300];
    snprintf(name, sizeof name, "%.200s:nchw", tt->name);
    if (tt->data) {
        size_t es = mote_dtype_size(mdtype(tt->type));
        int64_t N = tt->dims[0], H = tt->dims[1], W = tt->dims[2], C = tt->dims[3];
        uint8_t *buf = malloc(tt->nbytes ? tt->nbytes : 1);
        if (!buf)
            return fail(im, MOTE_ERR_NOMEM, "out of memory");
        for (int64_t n = 0; n < N; n++)
            for (int64_t y = 0; y < H; y++)
                for (int64_t x = 0; x < W; x++)
                    for (int64_t c = 0; c < C; c++)
                        memcpy(buf + (size_t)(((n * C + c) * H + y) * W + x) * es,
                               tt->data + (size_t)(((n * H + y) * W + x) * C + c) * es, es);
        int64_t d[4] = {N, C, H, W};
        char un[320];
        uname(im, name, un, sizeof un);
        v = mote_graph_weight(im->g, un, mdtype(tt->type), 4, d, buf);
        free(buf);
        if (v < 0)
            return fail(im, MOTE_ERR_NOMEM, "cannot add weight %s", un);
    } else {
        v = transpose(im, v, perm_to_nchw, name);
    }
    if (v >= 0) {
        im->nhwc[t] = im->val[t];
        im->val[t] = v;
        im->nchw[t] = true;
    }
    return v;
}

static void set_out(imp *im, int t, int v, bool nchw)
{
    im->val[t] = v;
    im->nchw[t] = nchw;
    im->nhwc[t] = -1;
}

/* Scale and zero-point weights of a per-tensor quantized tensor. */
static int qparams(imp *im, const tfl_tensor *t, int *sv, int *zv)
{
    if (t->nq != 1)
        return fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' is quantized per axis; only weights "
                    "of convolutions may be", t->name);
    *sv = w_f32(im, "scale", t->scale[0]);
    if (t->type == TFL_UINT8) {
        uint8_t z = (uint8_t)t->zp[0];
        *zv = weight(im, "zero_point", MOTE_U8, 0, NULL, &z);
    } else {
        int8_t z = (int8_t)t->zp[0];
        *zv = weight(im, "zero_point", MOTE_I8, 0, NULL, &z);
    }
    return *sv < 0 || *zv < 0 ? -1 : 0;
}

static bool zp_in_range(const tfl_tensor *t, int i)
{
    int64_t z = t->zp[i];
    return t->type == TFL_UINT8 ? z >= 0 && z <= 255 : t->type == TFL_INT8 ? z >= -128 && z <= 127 : false;
}

/* Checks an 8-bit tensor's quantization for use by the integer ops. */
static int check_q(imp *im, const tfl_tensor *t)
{
    for (int i = 0; i < t->nq; i++)
        if (!zp_in_range(t, i))
            return fail(im, MOTE_ERR_FORMAT, "tensor '%s': zero point %lld is outside its type's "
                        "range", t->name, (long long)t->zp[i]);
    return 0;
}

/* f32 view of value v of tensor t (dequantized when t is quantized). */
static int deq(imp *im, int t, int v)
{
    const tfl_tensor *tt = &im->m->tensors[t];
    if (v < 0)
        return -1;
    if (isq(tt)) {
        int sv, zv;
        if (check_q(im, tt) || qparams(im, tt, &sv, &zv))
            return -1;
        int in[3] = {v, sv, zv};
        return node(im, "DequantizeLinear", 3, in, NULL, NULL);
    }
    if (tt->type != TFL_FLOAT32)
        return fail(im, MOTE_ERR_UNSUPPORTED, "tensor '%s' is neither f32 nor 8-bit quantized "
                    "(TFLite type %d)", tt->name, tt->type);
    return v;
}

/* Stores f32 value v as output tensor t (quantized when t is). */
static int quant_out(imp *im, int t, int v, bool nchw)
{
    const tfl_tensor *tt = &im->m->tensors[t];
    if (v < 0)
        return -1;
    if (isq(tt)) {
        int sv, zv;
        if (check_q(im, tt) || qparams(im, tt, &sv, &zv))
            return -1;
        int in[3] = {v, sv, zv};
        v = node(im, "QuantizeLinear", 3, in, tt->name, NULL);
    } else if (tt->type != TFL_FLOAT32) {
        return fail(im, MOTE_ERR_UNSUPPORTED, "output '%s' is neither f32 nor 8-bit quantized",
                    tt->name);
    }
    if (v >= 0)
        set_out(im, t, v, nchw);
    return v;
}

/* The quantized clamp of a fused activation (TFLite's
 * CalculateActivationRangeQuantized). */
static int act_range(imp *im, const tfl_tensor *out, int act, int32_t *lo, int32_t *hi)
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
        return fail(im, MOTE_ERR_UNSUPPORTED, "fused activation %d is not supported", act);
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
static int act_f32(imp *im, int v, int act, const char *out_name)
{
    if (v < 0 || act == ACT_NONE)
        return v;
    if (act == ACT_RELU)
        return node(im, "Relu", 1, &v, out_name, NULL);
    if (act != ACT_RELU6 && act != ACT_RELU_N1_TO_1)
        return fail(im, MOTE_ERR_UNSUPPORTED, "fused activation %d is not supported", act);
    int in[3] = {v, w_f32(im, "min", act == ACT_RELU6 ? 0.0f : -1.0f), w_f32(im, "max", act == ACT_RELU6 ? 6.0f : 1.0f)};
    return node(im, "Clip", 3, in, out_name, NULL);
}

/* ----------------------------------------------------------- lookup tables */

typedef enum lut_fn { LUT_COPY, LUT_LOGISTIC, LUT_TANH, LUT_HARD_SWISH, LUT_RELU, LUT_RELU6,
                      LUT_RELU_N1_TO_1 } lut_fn;

static double lut_apply(lut_fn f, double x)
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
static int lut_node(imp *im, int v, const tfl_tensor *in, const tfl_tensor *out, lut_fn f,
                    int32_t lo, int32_t hi, const char *out_name)
{
    if (v < 0)
        return -1;
    if (check_q(im, in) || check_q(im, out))
        return -1;
    if (in->nq != 1 || out->nq != 1)
        return fail(im, MOTE_ERR_UNSUPPORTED, "per-axis quantized activations are not supported");
    uint8_t table[256];
    int in_signed = in->type == TFL_INT8;
    int32_t qmin = out->type == TFL_INT8 ? -128 : 0, qmax = out->type == TFL_INT8 ? 127 : 255;
    for (int b = 0; b < 256; b++) {
        int32_t q = in_signed ? (int8_t)b : b;
        double x = (double)in->scale[0] * (double)(q - in->zp[0]);
        double y = round(lut_apply(f, x) / (double)out->scale[0]) + (double)out->zp[0];
        int32_t r = y < qmin ? qmin : y > qmax ? qmax : (int32_t)y;
        r = r < lo ? lo : r > hi ? hi : r;
        table[b] = (uint8_t)r;
    }
    int64_t d = 256;
    int in2[2] = {v, weight(im, "table", MOTE_U8, 1, &d, table)};
    int nid;
    int y = node(im, "QLookup", 2, in2, out_name, &nid);
    if (y < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "y_dtype", mdtype(out->type)));
    return y;
}

static bool same_q(const tfl_tensor *a, const tfl_tensor *b)
{
    return a->type == b->type && a->nq == 1 && b->nq == 1 && a->scale[0] == b->scale[0] &&
           a->zp[0] == b->zp[0];
}

/* ------------------------------------------------------------ option reads */

typedef struct opt_reader {
    imp *im;
    const tfl_op *op;
    bool ok;
} opt_reader;

static int32_t opt_i32(opt_reader *r, unsigned id, int32_t dflt)
{
    int32_t v = dflt;
    if (r->op->has_opt && !fb_i32(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

static int opt_u8(opt_reader *r, unsigned id, uint8_t dflt)
{
    uint8_t v = dflt;
    if (r->op->has_opt && !fb_u8(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

static float opt_f32(opt_reader *r, unsigned id, float dflt)
{
    float v = dflt;
    if (r->op->has_opt && !fb_f32(&r->im->m->b, &r->op->opt, id, dflt, &v))
        r->ok = false;
    return v;
}

/* The i32 (or i64) constant of input k: n values into v (at most max). */
static int const_ints(imp *im, const tfl_op *op, int k, int max, int64_t *v, int *n)
{
    if (k >= op->n_in || op->in[k] < 0)
        return fail(im, MOTE_ERR_FORMAT, "input %d is absent", k);
    const tfl_tensor *t = &im->m->tensors[op->in[k]];
    if (!t->data || (t->type != TFL_INT32 && t->type != TFL_INT64))
        return fail(im, MOTE_ERR_UNSUPPORTED, "input %d ('%s') must be a constant int32", k, t->name);
    size_t es = t->type == TFL_INT32 ? 4 : 8, cnt = t->nbytes / es;
    if (cnt > (size_t)max)
        return fail(im, MOTE_ERR_SHAPE, "input %d ('%s') has %zu values (at most %d)", k,
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

/* ------------------------------------------------------------- operators */

static int n_inputs(const tfl_op *op) { return op->n_in; }
static int input(const tfl_op *op, int k) { return k < op->n_in ? op->in[k] : -1; }

/* TFLite's padding: SAME puts the odd pixel at the end. */
static void pads_for(int same, int64_t in, int64_t k, int64_t s, int64_t d, int64_t *pb, int64_t *pe)
{
    *pb = *pe = 0;
    if (!same)
        return;
    int64_t out = (in + s - 1) / s, eff = (k - 1) * d + 1;
    int64_t total = (out - 1) * s + eff - in;
    if (total < 0)
        total = 0;
    *pb = total / 2;
    *pe = total - *pb;
}

static int import_conv(imp *im, const tfl_op *op, bool dw)
{
    opt_reader r = {im, op, true};
    int padding = opt_u8(&r, 0, 0);
    int64_t sw = opt_i32(&r, 1, 1), sh = opt_i32(&r, 2, 1);
    int mult = dw ? opt_i32(&r, 3, 1) : 1;
    int act = opt_u8(&r, dw ? 4 : 3, 0);
    int64_t dwl = opt_i32(&r, dw ? 5 : 4, 1), dhl = opt_i32(&r, dw ? 6 : 5, 1);
    if (!r.ok)
        return -1;
    if (n_inputs(op) < 2)
        return fail(im, MOTE_ERR_FORMAT, "needs an input and a filter");
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *w = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int bt = input(op, 2);
    if (x->ndim != 4 || w->ndim != 4 || !w->data)
        return fail(im, MOTE_ERR_UNSUPPORTED, "needs a 4-D input and a constant 4-D filter");
    if (sw < 1 || sh < 1 || dwl < 1 || dhl < 1 || padding > 1)
        return fail(im, MOTE_ERR_FORMAT, "bad stride, dilation or padding");
    int64_t C = x->dims[3], KH = w->dims[1], KW = w->dims[2], O = dw ? w->dims[3] : w->dims[0];
    int64_t I = dw ? 1 : w->dims[3];
    if (dw ? (w->dims[0] != 1 || mult < 1 || O != C * mult) : I != C)
        return fail(im, MOTE_ERR_SHAPE, "filter does not fit an input of %lld channels", (long long)C);
    /* OHWI (1HWO for depthwise) -> OIHW */
    size_t es = mote_dtype_size(mdtype(w->type));
    if (!es)
        return fail(im, MOTE_ERR_UNSUPPORTED, "filter type %d", w->type);
    uint8_t *buf = malloc(w->nbytes ? w->nbytes : 1);
    if (!buf)
        return fail(im, MOTE_ERR_NOMEM, "out of memory");
    for (int64_t o = 0; o < O; o++)
        for (int64_t i = 0; i < I; i++)
            for (int64_t ky = 0; ky < KH; ky++)
                for (int64_t kx = 0; kx < KW; kx++) {
                    size_t src = dw ? (size_t)((ky * KW + kx) * O + o) : (size_t)(((o * KH + ky) * KW + kx) * I + i);
                    size_t dst = (size_t)(((o * I + i) * KH + ky) * KW + kx);
                    memcpy(buf + dst * es, w->data + src * es, es);
                }
    int64_t wd[4] = {O, I, KH, KW};
    int wv = weight(im, "filter", mdtype(w->type), 4, wd, buf);
    free(buf);
    int64_t pt, pb, pl, pr;
    pads_for(padding == 0, x->dims[1], KH, sh, dhl, &pt, &pb);
    pads_for(padding == 0, x->dims[2], KW, sw, dwl, &pl, &pr);
    int64_t strides[2] = {sh, sw}, dil[2] = {dhl, dwl}, pads[4] = {pt, pl, pb, pr};
    int xv = nchw_val(im, op->in[0]);
    int bv = bt >= 0 ? in_val(im, bt) : -1;
    if (xv < 0 || wv < 0 || (bt >= 0 && bv < 0))
        return -1;
    int nid, yv;
    if (isq(x)) {
        if (!isq(w) || !isq(y) || x->type != y->type || x->nq != 1 || y->nq != 1)
            return fail(im, MOTE_ERR_UNSUPPORTED, "quantized input needs a quantized filter and "
                        "output of the input's type");
        if (bt >= 0 && im->m->tensors[bt].type != TFL_INT32)
            return fail(im, MOTE_ERR_UNSUPPORTED, "quantized convolution needs an int32 bias");
        if (check_q(im, x) || check_q(im, w) || check_q(im, y))
            return -1;
        if (w->nq != 1 && (w->nq != O || w->qdim != (dw ? 3 : 0)))
            return fail(im, MOTE_ERR_UNSUPPORTED, "filter quantized along dimension %d",
                        w->qdim);
        float *ws = malloc(sizeof(float) * (size_t)w->nq);
        int32_t *wz = malloc(sizeof(int32_t) * (size_t)w->nq);
        if (!ws || !wz) {
            free(ws);
            free(wz);
            return fail(im, MOTE_ERR_NOMEM, "out of memory");
        }
        bool anyz = false;
        for (int i = 0; i < w->nq; i++) {
            ws[i] = w->scale[i];
            wz[i] = (int32_t)w->zp[i];
            anyz |= wz[i] != 0;
        }
        int64_t nq = w->nq;
        int sv = weight(im, "filter_scale", MOTE_F32, 1, &nq, ws);
        int zv = anyz ? weight(im, "filter_zero_point", MOTE_I32, 1, &nq, wz) : -1;
        free(ws);
        free(wz);
        int32_t lo, hi;
        if (sv < 0 || (anyz && zv < 0) || act_range(im, y, act, &lo, &hi))
            return -1;
        int in[5] = {xv, wv, bv, sv, zv};
        yv = node(im, "QConv", anyz ? 5 : 4, in, y->name, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_float(im->g, nid, "x_scale", x->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "x_zp", x->zp[0]));
        ATTR(mote_graph_attr_float(im->g, nid, "y_scale", y->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "y_zp", y->zp[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "act_min", lo));
        ATTR(mote_graph_attr_int(im->g, nid, "act_max", hi));
        /* TFLite's u8 kernels derive the multiplier from the f32 product */
        ATTR(mote_graph_attr_int(im->g, nid, "scale_product_f32", x->type == TFL_UINT8 && w->nq == 1));
    } else {
        if (x->type != TFL_FLOAT32 || w->type != TFL_FLOAT32 || y->type != TFL_FLOAT32 ||
            (bt >= 0 && im->m->tensors[bt].type != TFL_FLOAT32))
            return fail(im, MOTE_ERR_UNSUPPORTED, "float convolution needs f32 input, filter, "
                        "bias and output (hybrid quantization is not supported)");
        int in[3] = {xv, wv, bv};
        yv = node(im, "Conv", bt >= 0 ? 3 : 2, in, act == ACT_NONE ? y->name : NULL, &nid);
        if (yv < 0)
            return -1;
    }
    ATTR(mote_graph_attr_ints(im->g, nid, "strides", 2, strides));
    ATTR(mote_graph_attr_ints(im->g, nid, "dilations", 2, dil));
    ATTR(mote_graph_attr_ints(im->g, nid, "pads", 4, pads));
    ATTR(mote_graph_attr_int(im->g, nid, "group", dw ? C : 1));
    if (!isq(x))
        yv = act_f32(im, yv, act, y->name);
    if (yv >= 0)
        set_out(im, op->out[0], yv, true);
    return yv;
}

static int import_fc(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int act = opt_u8(&r, 0, 0), fmt = opt_u8(&r, 1, 0);
    if (!r.ok)
        return -1;
    if (fmt != 0)
        return fail(im, MOTE_ERR_UNSUPPORTED, "weights format %d (only DEFAULT)", fmt);
    if (n_inputs(op) < 2)
        return fail(im, MOTE_ERR_FORMAT, "needs an input and weights");
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *w = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int bt = input(op, 2);
    if (w->ndim != 2 || !w->data)
        return fail(im, MOTE_ERR_UNSUPPORTED, "needs constant 2-D weights");
    int64_t N = w->dims[0], K = w->dims[1];
    int64_t numel = 1;
    for (int d = 0; d < x->ndim; d++)
        numel *= x->dims[d];
    if (K < 1 || numel % K)
        return fail(im, MOTE_ERR_SHAPE, "input of %lld elements is not rows of %lld",
                    (long long)numel, (long long)K);
    int xv = nhwc_val(im, op->in[0]), wv = in_val(im, op->in[1]);
    int bv = bt >= 0 ? in_val(im, bt) : -1;
    if (xv < 0 || wv < 0 || (bt >= 0 && bv < 0))
        return -1;
    int64_t od[2] = {numel / K, N};
    bool reshape_out = !(y->ndim == 2 && y->dims[0] == od[0] && y->dims[1] == N);
    int nid, yv;
    if (isq(x)) {
        if (!isq(w) || !isq(y) || x->type != y->type || x->nq != 1 || y->nq != 1 || w->nq != 1)
            return fail(im, MOTE_ERR_UNSUPPORTED, "quantized input needs per-tensor quantized "
                        "weights and an output of the input's type");
        if (bt >= 0 && im->m->tensors[bt].type != TFL_INT32)
            return fail(im, MOTE_ERR_UNSUPPORTED, "quantized fully connected needs an int32 bias");
        if (check_q(im, x) || check_q(im, w) || check_q(im, y))
            return -1;
        int32_t lo, hi;
        if (act_range(im, y, act, &lo, &hi))
            return -1;
        int32_t wz = (int32_t)w->zp[0];
        int in[5] = {xv, wv, bv, w_f32(im, "weights_scale", w->scale[0]),
                     weight(im, "weights_zero_point", MOTE_I32, 0, NULL, &wz)};
        yv = node(im, "QFullyConnected", 5, in, reshape_out ? NULL : y->name, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_float(im->g, nid, "x_scale", x->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "x_zp", x->zp[0]));
        ATTR(mote_graph_attr_float(im->g, nid, "y_scale", y->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "y_zp", y->zp[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "act_min", lo));
        ATTR(mote_graph_attr_int(im->g, nid, "act_max", hi));
        ATTR(mote_graph_attr_int(im->g, nid, "scale_product_f32", 1));
    } else {
        if (x->type != TFL_FLOAT32 || w->type != TFL_FLOAT32 || y->type != TFL_FLOAT32)
            return fail(im, MOTE_ERR_UNSUPPORTED, "float fully connected needs f32 input, weights "
                        "and output (hybrid quantization is not supported)");
        if (x->ndim != 2) {
            int64_t rows[2] = {od[0], K};
            int in[2] = {xv, w_i64s(im, "rows", 2, rows)};
            xv = node(im, "Reshape", 2, in, NULL, NULL);
        }
        int in[3] = {xv, wv, bv};
        yv = node(im, "Gemm", bt >= 0 ? 3 : 2, in, NULL, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_int(im->g, nid, "transB", 1));
        yv = act_f32(im, yv, act, reshape_out ? NULL : y->name);
    }
    if (yv >= 0 && reshape_out) {
        int in[2] = {yv, w_i64s(im, "shape", y->ndim, y->dims)};
        yv = node(im, "Reshape", 2, in, y->name, NULL);
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_pool(imp *im, const tfl_op *op, bool avg)
{
    opt_reader r = {im, op, true};
    int padding = opt_u8(&r, 0, 0);
    int64_t sw = opt_i32(&r, 1, 1), sh = opt_i32(&r, 2, 1);
    int64_t fw = opt_i32(&r, 3, 1), fh = opt_i32(&r, 4, 1);
    int act = opt_u8(&r, 5, 0);
    if (!r.ok)
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *y = &im->m->tensors[op->out[0]];
    if (x->ndim != 4 || sw < 1 || sh < 1 || fw < 1 || fh < 1 || padding > 1)
        return fail(im, MOTE_ERR_UNSUPPORTED, "needs a 4-D input and positive window sizes");
    int64_t pt, pb, pl, pr;
    pads_for(padding == 0, x->dims[1], fh, sh, 1, &pt, &pb);
    pads_for(padding == 0, x->dims[2], fw, sw, 1, &pl, &pr);
    int64_t ks[2] = {fh, fw}, strides[2] = {sh, sw}, pads[4] = {pt, pl, pb, pr};
    int xv = nchw_val(im, op->in[0]);
    if (xv < 0)
        return -1;
    int nid, yv;
    bool q = isq(x);
    if (q && (!isq(y) || !same_q(x, y)))
        return fail(im, MOTE_ERR_UNSUPPORTED, "quantized pooling needs the output quantized as "
                    "the input");
    if (!q && (x->type != TFL_FLOAT32 || y->type != TFL_FLOAT32))
        return fail(im, MOTE_ERR_UNSUPPORTED, "input must be f32 or 8-bit quantized");
    int32_t lo = 0, hi = 0;
    if (q && (check_q(im, x) || act_range(im, y, act, &lo, &hi)))
        return -1;
    bool clamp_after = q && !avg && act != ACT_NONE;
    const char *name = (q && !clamp_after) || act == ACT_NONE ? y->name : NULL;
    yv = node(im, q && avg ? "QAveragePool" : avg ? "AveragePool" : "MaxPool", 1, &xv, name, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "kernel_shape", 2, ks));
    ATTR(mote_graph_attr_ints(im->g, nid, "strides", 2, strides));
    ATTR(mote_graph_attr_ints(im->g, nid, "pads", 4, pads));
    if (q && avg) {
        ATTR(mote_graph_attr_int(im->g, nid, "act_min", lo));
        ATTR(mote_graph_attr_int(im->g, nid, "act_max", hi));
    } else if (clamp_after) {
        yv = lut_node(im, yv, y, y, LUT_COPY, lo, hi, y->name);
    } else if (!q) {
        yv = act_f32(im, yv, act, y->name);
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, true);
    return yv;
}

/* ADD, SUB, MUL */
static int import_arith(imp *im, const tfl_op *op, const char *fop, const char *qop)
{
    opt_reader r = {im, op, true};
    int act = opt_u8(&r, 0, 0);
    if (!r.ok)
        return -1;
    if (n_inputs(op) < 2)
        return fail(im, MOTE_ERR_FORMAT, "needs two inputs");
    const tfl_tensor *a = &im->m->tensors[op->in[0]], *b = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    bool four = a->ndim == 4 && b->ndim == 4;
    int av = four ? nchw_val(im, op->in[0]) : nhwc_val(im, op->in[0]);
    int bv = four ? nchw_val(im, op->in[1]) : nhwc_val(im, op->in[1]);
    if (av < 0 || bv < 0)
        return -1;
    bool same = a->ndim == b->ndim && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
    int yv, nid;
    if (isq(a) && isq(b) && isq(y) && same && a->type == b->type && a->type == y->type &&
        a->nq == 1 && b->nq == 1 && y->nq == 1) {
        int32_t lo, hi;
        if (check_q(im, a) || check_q(im, b) || check_q(im, y) || act_range(im, y, act, &lo, &hi))
            return -1;
        int in[2] = {av, bv};
        yv = node(im, qop, 2, in, y->name, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_float(im->g, nid, "a_scale", a->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "a_zp", a->zp[0]));
        ATTR(mote_graph_attr_float(im->g, nid, "b_scale", b->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "b_zp", b->zp[0]));
        ATTR(mote_graph_attr_float(im->g, nid, "y_scale", y->scale[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "y_zp", y->zp[0]));
        ATTR(mote_graph_attr_int(im->g, nid, "act_min", lo));
        ATTR(mote_graph_attr_int(im->g, nid, "act_max", hi));
        set_out(im, op->out[0], yv, four);
        return yv;
    }
    int in[2] = {deq(im, op->in[0], av), deq(im, op->in[1], bv)};
    yv = node(im, fop, 2, in, NULL, NULL);
    yv = act_f32(im, yv, act, NULL);
    return quant_out(im, op->out[0], yv, four);
}

/* RESHAPE, SQUEEZE: the output tensor's shape, in TFLite's order */
static int import_reshape(imp *im, const tfl_op *op)
{
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int xv = nhwc_val(im, op->in[0]);
    if (xv < 0)
        return -1;
    int in[2] = {xv, w_i64s(im, "shape", y->ndim, y->dims)};
    int yv = node(im, "Reshape", 2, in, y->name, NULL);
    if (yv >= 0)
        set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_softmax(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    float beta = opt_f32(&r, 0, 0.0f);
    if (!r.ok)
        return -1;
    int v = deq(im, op->in[0], nhwc_val(im, op->in[0]));
    if (beta != 1.0f) {
        int in[2] = {v, w_f32(im, "beta", beta)};
        v = node(im, "Mul", 2, in, NULL, NULL);
    }
    int nid;
    v = node(im, "Softmax", 1, &v, NULL, &nid);
    if (v < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "axis", -1));
    return quant_out(im, op->out[0], v, false);
}

/* LOGISTIC, TANH, HARD_SWISH, RELU, RELU6, RELU_N1_TO_1 */
static int import_unary(imp *im, const tfl_op *op, lut_fn f, const char *fop)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = in_val(im, t);
    if (xv < 0)
        return -1;
    bool nchw = im->nchw[t];
    int yv;
    if (isq(x) && isq(y)) {
        int32_t lo = y->type == TFL_INT8 ? -128 : 0, hi = y->type == TFL_INT8 ? 127 : 255;
        yv = lut_node(im, xv, x, y, f, lo, hi, y->name);
    } else if (isq(x) || isq(y)) {
        return fail(im, MOTE_ERR_UNSUPPORTED, "input and output must both be quantized or both f32");
    } else {
        int v = deq(im, t, xv);
        if (f == LUT_RELU6 || f == LUT_RELU_N1_TO_1) {
            int in[3] = {v, w_f32(im, "min", f == LUT_RELU6 ? 0.0f : -1.0f),
                         w_f32(im, "max", f == LUT_RELU6 ? 6.0f : 1.0f)};
            yv = node(im, "Clip", 3, in, y->name, NULL);
        } else {
            yv = node(im, fop, 1, &v, y->name, NULL);
        }
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, nchw);
    return yv;
}

static int import_concat(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int axis = opt_i32(&r, 0, 0), act = opt_u8(&r, 1, 0);
    if (!r.ok)
        return -1;
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    if (axis < 0)
        axis += y->ndim;
    if (axis < 0 || axis >= y->ndim || op->n_in < 1)
        return fail(im, MOTE_ERR_SHAPE, "axis out of range or no inputs");
    bool four = y->ndim == 4;
    int *in = calloc((size_t)op->n_in, sizeof(int));
    if (!in)
        return fail(im, MOTE_ERR_NOMEM, "out of memory");
    bool q = isq(y);
    int yv = -1;
    for (int i = 0; i < op->n_in; i++) {
        int t = op->in[i];
        const tfl_tensor *x = t >= 0 ? &im->m->tensors[t] : NULL;
        in[i] = t < 0 ? fail(im, MOTE_ERR_FORMAT, "input %d is absent", i)
                      : four ? nchw_val(im, t) : nhwc_val(im, t);
        if (in[i] < 0)
            goto out;
        if (q && !isq(x)) {
            fail(im, MOTE_ERR_UNSUPPORTED, "inputs and output must all be quantized or all f32");
            goto out;
        }
        if (q && !same_q(x, y))
            in[i] = lut_node(im, in[i], x, y, LUT_COPY, -128, 255, NULL);
        else if (!q)
            in[i] = deq(im, t, in[i]);
        if (in[i] < 0)
            goto out;
    }
    int nid;
    bool post = act != ACT_NONE;
    yv = node(im, "Concat", op->n_in, in, post ? NULL : y->name, &nid);
    if (yv < 0)
        goto out;
    if (mote_graph_attr_int(im->g, nid, "axis", four ? to_nchw_axis[axis] : axis)) {
        yv = fail(im, MOTE_ERR_NOMEM, "cannot set an attribute");
        goto out;
    }
    if (post) {
        int32_t lo, hi;
        if (q)
            yv = act_range(im, y, act, &lo, &hi) ? -1 : lut_node(im, yv, y, y, LUT_COPY, lo, hi, y->name);
        else
            yv = act_f32(im, yv, act, y->name);
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, four);
out:
    free(in);
    return yv;
}

static int import_mean(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int keep = opt_u8(&r, 0, 0);
    if (!r.ok)
        return -1;
    int64_t axes[MOTE_MAX_DIMS];
    int n;
    if (const_ints(im, op, 1, MOTE_MAX_DIMS, axes, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t];
    if (in_val(im, t) < 0)
        return -1;
    bool hw = n == 2 && x->ndim == 4;
    for (int i = 0; i < n; i++) {
        if (axes[i] < 0)
            axes[i] += x->ndim;
        if (axes[i] < 0 || axes[i] >= x->ndim)
            return fail(im, MOTE_ERR_SHAPE, "axis %lld out of range", (long long)axes[i]);
        hw = hw && (axes[i] == 1 || axes[i] == 2);
    }
    /* keep NCHW when the result means the same in both orders */
    bool nchw = im->nchw[t] && (keep || hw);
    int xv = nchw ? in_val(im, t) : nhwc_val(im, t);
    if (nchw)
        for (int i = 0; i < n; i++)
            axes[i] = to_nchw_axis[axes[i]];
    int in[2] = {deq(im, t, xv), w_i64s(im, "axes", n, axes)};
    int nid;
    int yv = node(im, "ReduceMean", 2, in, NULL, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "keepdims", keep));
    return quant_out(im, op->out[0], yv, nchw && keep);
}

static int import_pad(imp *im, const tfl_op *op)
{
    int64_t p[2 * MOTE_MAX_DIMS];
    int n;
    if (const_ints(im, op, 1, 2 * MOTE_MAX_DIMS, p, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = in_val(im, t);
    if (xv < 0)
        return -1;
    if (n != 2 * x->ndim)
        return fail(im, MOTE_ERR_SHAPE, "paddings has %d values for rank %d", n, x->ndim);
    bool nchw = im->nchw[t];
    int64_t pads[2 * MOTE_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) {
        int md = nchw ? to_nchw_axis[d] : d;
        pads[md] = p[2 * d];
        pads[x->ndim + md] = p[2 * d + 1];
    }
    int cv;
    if (isq(x)) {
        if (!isq(y) || !same_q(x, y) || check_q(im, x))
            return fail(im, MOTE_ERR_UNSUPPORTED, "output must be quantized as the input");
        uint8_t z = (uint8_t)(int8_t)x->zp[0];
        if (x->type == TFL_UINT8)
            z = (uint8_t)x->zp[0];
        cv = weight(im, "pad_value", mdtype(x->type), 0, NULL, &z);
    } else {
        cv = -1;
    }
    int in[3] = {xv, w_i64s(im, "pads", 2 * x->ndim, pads), cv};
    int yv = node(im, "Pad", cv >= 0 ? 3 : 2, in, y->name, NULL);
    if (yv >= 0)
        set_out(im, op->out[0], yv, nchw);
    return yv;
}

static int import_quantize(imp *im, const tfl_op *op)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = in_val(im, t);
    if (xv < 0)
        return -1;
    bool nchw = im->nchw[t];
    if (!isq(y))
        return fail(im, MOTE_ERR_UNSUPPORTED, "output must be 8-bit quantized");
    if (isq(x)) {
        int yv = lut_node(im, xv, x, y, LUT_COPY, -128, 255, y->name);
        if (yv >= 0)
            set_out(im, op->out[0], yv, nchw);
        return yv;
    }
    return quant_out(im, op->out[0], deq(im, t, xv), nchw);
}

static int import_dequantize(imp *im, const tfl_op *op)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = in_val(im, t);
    if (xv < 0)
        return -1;
    if (y->type != TFL_FLOAT32)
        return fail(im, MOTE_ERR_UNSUPPORTED, "output must be f32");
    int yv;
    if (x->type == TFL_FLOAT16) {
        int nid;
        yv = node(im, "Cast", 1, &xv, y->name, &nid);
        if (yv >= 0 && mote_graph_attr_int(im->g, nid, "to", 1))
            return fail(im, MOTE_ERR_NOMEM, "cannot set an attribute");
    } else {
        if (!isq(x))
            return fail(im, MOTE_ERR_UNSUPPORTED, "input must be 8-bit quantized or f16");
        int sv, zv;
        if (check_q(im, x) || qparams(im, x, &sv, &zv))
            return -1;
        int in[3] = {xv, sv, zv};
        yv = node(im, "DequantizeLinear", 3, in, y->name, NULL);
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, im->nchw[t]);
    return yv;
}

static int import_resize(imp *im, const tfl_op *op, bool bilinear)
{
    opt_reader r = {im, op, true};
    int align = opt_u8(&r, bilinear ? 2 : 0, 0), half = opt_u8(&r, bilinear ? 3 : 1, 0);
    if (!r.ok)
        return -1;
    int64_t size[2];
    int n;
    if (const_ints(im, op, 1, 2, size, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t];
    if (n != 2 || x->ndim != 4 || size[0] < 1 || size[1] < 1)
        return fail(im, MOTE_ERR_SHAPE, "needs a 4-D input and two positive sizes");
    int64_t sizes[4] = {x->dims[0], x->dims[3], size[0], size[1]};
    int in[4] = {deq(im, t, nchw_val(im, t)), -1, -1, w_i64s(im, "sizes", 4, sizes)};
    int nid;
    int yv = node(im, "Resize", 4, in, NULL, &nid);
    if (yv < 0)
        return -1;
    const char *coord = align ? "align_corners" : half ? (bilinear ? "half_pixel" : "tf_half_pixel_for_nn")
                                                       : "asymmetric";
    ATTR(mote_graph_attr_string(im->g, nid, "mode", bilinear ? "linear" : "nearest"));
    ATTR(mote_graph_attr_string(im->g, nid, "coordinate_transformation_mode", coord));
    ATTR(mote_graph_attr_string(im->g, nid, "nearest_mode", align ? "round_prefer_ceil" : "floor"));
    return quant_out(im, op->out[0], yv, true);
}

static int import_strided_slice(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int32_t bm = opt_i32(&r, 0, 0), em = opt_i32(&r, 1, 0), ellipsis = opt_i32(&r, 2, 0);
    int32_t newax = opt_i32(&r, 3, 0), shrink = opt_i32(&r, 4, 0);
    int offset = opt_u8(&r, 5, 0);
    if (!r.ok)
        return -1;
    if (ellipsis || newax || offset)
        return fail(im, MOTE_ERR_UNSUPPORTED, "ellipsis_mask, new_axis_mask and offset are not "
                    "supported");
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int64_t b[MOTE_MAX_DIMS], e[MOTE_MAX_DIMS], s[MOTE_MAX_DIMS], axes[MOTE_MAX_DIMS];
    int nb, ne, ns;
    if (const_ints(im, op, 1, MOTE_MAX_DIMS, b, &nb) || const_ints(im, op, 2, MOTE_MAX_DIMS, e, &ne) ||
        const_ints(im, op, 3, MOTE_MAX_DIMS, s, &ns))
        return -1;
    if (nb != x->ndim || ne != nb || ns != nb)
        return fail(im, MOTE_ERR_SHAPE, "begin, end and strides need %d values", x->ndim);
    for (int d = 0; d < nb; d++) {
        axes[d] = d;
        if (s[d] == 0)
            return fail(im, MOTE_ERR_SHAPE, "stride 0 on axis %d", d);
        if (bm >> d & 1)
            b[d] = s[d] > 0 ? 0 : INT64_MAX;
        if (em >> d & 1)
            e[d] = s[d] > 0 ? INT64_MAX : INT64_MIN;
        if (shrink >> d & 1) {
            if (b[d] < 0)
                b[d] += x->dims[d];
            e[d] = b[d] + 1;
            s[d] = 1;
        }
    }
    int in[5] = {nhwc_val(im, t), w_i64s(im, "begin", nb, b), w_i64s(im, "end", nb, e),
                 w_i64s(im, "axes", nb, axes), w_i64s(im, "strides", nb, s)};
    int yv = node(im, "Slice", 5, in, shrink ? NULL : y->name, NULL);
    if (yv >= 0 && shrink) {
        int in2[2] = {yv, w_i64s(im, "shape", y->ndim, y->dims)};
        yv = node(im, "Reshape", 2, in2, y->name, NULL);
    }
    if (yv >= 0)
        set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_transpose(imp *im, const tfl_op *op)
{
    int64_t perm[MOTE_MAX_DIMS];
    int n;
    if (const_ints(im, op, 1, MOTE_MAX_DIMS, perm, &n))
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *y = &im->m->tensors[op->out[0]];
    if (n != x->ndim)
        return fail(im, MOTE_ERR_SHAPE, "perm has %d values for rank %d", n, x->ndim);
    int xv = nhwc_val(im, op->in[0]), nid;
    int yv = node(im, "Transpose", 1, &xv, y->name, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "perm", n, perm));
    set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_argmax(imp *im, const tfl_op *op)
{
    int64_t axis[1];
    int n;
    if (const_ints(im, op, 1, 1, axis, &n))
        return -1;
    if (n != 1)
        return fail(im, MOTE_ERR_SHAPE, "axis must have one value");
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    if (y->type != TFL_INT32 && y->type != TFL_INT64)
        return fail(im, MOTE_ERR_UNSUPPORTED, "output type must be int32 or int64");
    int t = op->in[0], nid;
    /* the scale is positive: the largest dequantized value is the largest q */
    int xv = deq(im, t, nhwc_val(im, t));
    int yv = node(im, "ArgMax", 1, &xv, y->type == TFL_INT64 ? y->name : NULL, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "axis", axis[0]));
    ATTR(mote_graph_attr_int(im->g, nid, "keepdims", 0));
    if (y->type == TFL_INT32) {
        yv = node(im, "Cast", 1, &yv, y->name, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_int(im->g, nid, "to", 6));
    }
    set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_op(imp *im, const tfl_op *op)
{
    if (op->n_in < 1 || op->in[0] < 0)
        return fail(im, MOTE_ERR_FORMAT, "input 0 is absent");
    switch (op->code) {
    case OP_CONV_2D: return import_conv(im, op, false);
    case OP_DEPTHWISE_CONV_2D: return import_conv(im, op, true);
    case OP_FULLY_CONNECTED: return import_fc(im, op);
    case OP_AVERAGE_POOL_2D: return import_pool(im, op, true);
    case OP_MAX_POOL_2D: return import_pool(im, op, false);
    case OP_ADD: return import_arith(im, op, "Add", "QAdd");
    case OP_SUB: return import_arith(im, op, "Sub", "QSub");
    case OP_MUL: return import_arith(im, op, "Mul", "QMul");
    case OP_RESHAPE: case OP_SQUEEZE: return import_reshape(im, op);
    case OP_SOFTMAX: return import_softmax(im, op);
    case OP_LOGISTIC: return import_unary(im, op, LUT_LOGISTIC, "Sigmoid");
    case OP_TANH: return import_unary(im, op, LUT_TANH, "Tanh");
    case OP_HARD_SWISH: return import_unary(im, op, LUT_HARD_SWISH, "HardSwish");
    case OP_RELU: return import_unary(im, op, LUT_RELU, "Relu");
    case OP_RELU6: return import_unary(im, op, LUT_RELU6, "Clip");
    case OP_RELU_N1_TO_1: return import_unary(im, op, LUT_RELU_N1_TO_1, "Clip");
    case OP_CONCATENATION: return import_concat(im, op);
    case OP_MEAN: return import_mean(im, op);
    case OP_PAD: return import_pad(im, op);
    case OP_QUANTIZE: return import_quantize(im, op);
    case OP_DEQUANTIZE: return import_dequantize(im, op);
    case OP_RESIZE_BILINEAR: return import_resize(im, op, true);
    case OP_RESIZE_NEAREST_NEIGHBOR: return import_resize(im, op, false);
    case OP_STRIDED_SLICE: return import_strided_slice(im, op);
    case OP_TRANSPOSE: return import_transpose(im, op);
    case OP_ARG_MAX: return import_argmax(im, op);
    default: return fail(im, MOTE_ERR_UNSUPPORTED, "operator is not supported");
    }
}

static bool supported(int code)
{
    switch (code) {
    case OP_CONV_2D: case OP_DEPTHWISE_CONV_2D: case OP_FULLY_CONNECTED: case OP_AVERAGE_POOL_2D:
    case OP_MAX_POOL_2D: case OP_ADD: case OP_SUB: case OP_MUL: case OP_RESHAPE: case OP_SQUEEZE:
    case OP_SOFTMAX: case OP_LOGISTIC: case OP_TANH: case OP_HARD_SWISH: case OP_RELU:
    case OP_RELU6: case OP_RELU_N1_TO_1: case OP_CONCATENATION: case OP_MEAN: case OP_PAD:
    case OP_QUANTIZE: case OP_DEQUANTIZE: case OP_RESIZE_BILINEAR:
    case OP_RESIZE_NEAREST_NEIGHBOR: case OP_STRIDED_SLICE: case OP_TRANSPOSE: case OP_ARG_MAX:
        return true;
    default:
        return false;
    }
}

/* Fails naming every unsupported operator kind (with its count) at once. */
static int check_ops(imp *im)
{
    char list[700] = "";
    size_t len = 0;
    int kinds = 0;
    for (int i = 0; i < im->m->n_ops; i++) {
        const tfl_op *op = &im->m->ops[i];
        if (supported(op->code))
            continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = im->m->ops[j].code == op->code &&
                   (op->code != 32 || !strcmp(im->m->ops[j].custom ? im->m->ops[j].custom : "",
                                              op->custom ? op->custom : ""));
        if (seen)
            continue;
        int count = 0;
        for (int j = i; j < im->m->n_ops; j++)
            count += im->m->ops[j].code == op->code;
        char one[160];
        const char *name = tfl_op_name(op->code);
        if (op->code == 32)
            snprintf(one, sizeof one, "CUSTOM '%.100s'", op->custom ? op->custom : "");
        else if (name)
            snprintf(one, sizeof one, "%s x%d", name, count);
        else
            snprintf(one, sizeof one, "builtin %d x%d", op->code, count);
        if (len + strlen(one) + 3 < sizeof list) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", kinds ? ", " : "", one);
        }
        kinds++;
    }
    if (kinds)
        return fail(im, MOTE_ERR_UNSUPPORTED, "%d operator kind%s not supported by mote: %s",
                    kinds, kinds > 1 ? "s are" : " is", list);
    return 0;
}

static int import_graph(imp *im)
{
    const tfl_model *m = im->m;
    im->cur = -1;
    if (check_ops(im))
        return -1;
    for (int i = 0; i < m->n_in; i++) {
        int t = m->in[i];
        const tfl_tensor *tt = &m->tensors[t];
        mote_dtype d = mdtype(tt->type);
        if (!d)
            return fail(im, MOTE_ERR_UNSUPPORTED, "input '%s' has TFLite type %d", tt->name, tt->type);
        if (im->val[t] >= 0)
            return fail(im, MOTE_ERR_FORMAT, "tensor '%s' is listed twice as an input", tt->name);
        int v = mote_graph_input(im->g, tt->name, d, tt->ndim, tt->dims);
        if (v < 0)
            return fail(im, MOTE_ERR_NOMEM, "cannot add input %s", tt->name);
        set_out(im, t, v, false);
    }
    for (int i = 0; i < m->n_ops; i++) {
        im->cur = i;
        const tfl_op *op = &m->ops[i];
        for (int k = 0; k < op->n_out; k++)
            if (im->val[op->out[k]] >= 0 || m->tensors[op->out[k]].data)
                return fail(im, MOTE_ERR_FORMAT, "output '%s' is written twice or is a constant",
                            m->tensors[op->out[k]].name);
        if (op->n_out != 1)
            return fail(im, MOTE_ERR_UNSUPPORTED, "%d outputs (one supported)", op->n_out);
        if (import_op(im, op) < 0)
            return -1;
    }
    im->cur = -1;
    for (int i = 0; i < m->n_out; i++) {
        int t = m->out[i];
        int v = in_val(im, t);
        if (v >= 0 && im->nchw[t])
            v = nhwc_val(im, t);
        if (v < 0)
            return -1;
        if (mote_graph_output(im->g, v))
            return fail(im, MOTE_ERR_NOMEM, "cannot mark output %s", m->tensors[t].name);
    }
    return 0;
}

static void add_meta(imp *im)
{
    const tfl_model *m = im->m;
    mote_graph_meta_string(im->g, "producer", "tflite");
    if (m->description && *m->description)
        mote_graph_meta_string(im->g, "tflite.description", m->description);
    /* what a caller needs to feed quantized inputs: their scale and zero point */
    for (int i = 0; i < m->n_in && i < 1; i++) {
        const tfl_tensor *t = &m->tensors[m->in[i]];
        mote_graph_meta_string(im->g, "input.layout", t->ndim == 4 ? "NHWC" : "");
        if (isq(t) && t->nq == 1) {
            mote_graph_meta_float(im->g, "input.scale", t->scale[0]);
            mote_graph_meta_int(im->g, "input.zero_point", t->zp[0]);
        }
    }
    for (int i = 0; i < m->n_out && i < 1; i++) {
        /* a softmax (maybe reshaped after) gives probabilities: classify
         * takes them as they are */
        int t_id = m->out[i];
        for (int k = m->n_ops - 1; k >= 0; k--) {
            const tfl_op *op = &m->ops[k];
            if (op->out[0] != t_id)
                continue;
            if (op->code == OP_SOFTMAX)
                mote_graph_meta_string(im->g, "output.probabilities", "1");
            else if ((op->code == OP_RESHAPE || op->code == OP_SQUEEZE) && op->n_in > 0)
                t_id = op->in[0];
        }
        const tfl_tensor *t = &m->tensors[m->out[i]];
        if (isq(t) && t->nq == 1) {
            mote_graph_meta_float(im->g, "output.scale", t->scale[0]);
            mote_graph_meta_int(im->g, "output.zero_point", t->zp[0]);
        }
    }
}

mote_status mote_tflite_import_memory(const void *buf, size_t len, const char *what,
                                      mote_graph **out)
{
    if (!out)
        return mote_error(MOTE_ERR_ARG, "tflite import: out is NULL");
    *out = NULL;
    if (!buf && len)
        return mote_error(MOTE_ERR_ARG, "tflite import: NULL buffer");
    if (!what)
        what = "model.tflite";
    tfl_model m;
    mote_status st = tfl_read(buf, len, what, &m);
    if (st)
        return st;
    imp im = {0};
    im.m = &m;
    im.what = what;
    im.cur = -1;
    im.g = mote_graph_new();
    size_t n = m.n_tensors ? (size_t)m.n_tensors : 1;
    im.val = malloc(n * sizeof(int));
    im.nhwc = malloc(n * sizeof(int));
    im.nchw = calloc(n, sizeof(bool));
    if (!im.g || !im.val || !im.nhwc || !im.nchw) {
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    } else {
        for (size_t i = 0; i < n; i++)
            im.val[i] = im.nhwc[i] = -1;
        if (import_graph(&im) < 0)
            st = im.st ? im.st : MOTE_ERR_FORMAT;
        else
            add_meta(&im);
    }
    free(im.val);
    free(im.nhwc);
    free(im.nchw);
    tfl_free(&m);
    if (st) {
        mote_graph_free(im.g);
        return st;
    }
    *out = im.g;
    return MOTE_OK;
}

mote_status mote_tflite_import(const char *path, mote_graph **out)
{
    if (!out || !path)
        return mote_error(MOTE_ERR_ARG, "tflite import: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mote_error(MOTE_ERR_IO, "%s: cannot open", path);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: not a regular file", path);
    }
    size_t len = (size_t)sb.st_size;
    void *p = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (len && p == MAP_FAILED)
        return mote_error(MOTE_ERR_IO, "%s: cannot map", path);
    mote_status st = mote_tflite_import_memory(p, len, path, out);
    if (len)
        munmap(p, len);
    return st;
}

bool mote_tflite_probe(const char *path)
{
    unsigned char h[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    return n == sizeof h && !memcmp(h + 4, "TFL3", 4);
}
