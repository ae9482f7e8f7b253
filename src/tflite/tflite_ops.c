/*
 * tflite_ops.c — each supported TFLite operator mapped onto mote nodes
 * (tflite.h says which stay integer and why NCHW): convolutions and fully
 * connected layers (filters transposed once), pooling, arithmetic, shape
 * ops, activations, softmax, mean, pad, (de)quantize, resize, strided
 * slice, transpose, arg max. Uses the helpers of tflite_build.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflite/tflite_build.h"
#include "graph/internal.h"

/* ------------------------------------------------------------- operators */

static int input(const tfl_op *op, int k) { return k < op->n_in ? op->in[k] : -1; }
/* 0 when inputs 0..n-1 are all present, else fails naming the first one
 * absent: TFLite marks an absent optional input -1, which a file may put
 * anywhere (fuzz_tflite: a CONV_2D whose filter was -1 read before the
 * tensor table) */
static int need_inputs(imp *im, const tfl_op *op, int n, const char *what)
{
    for (int k = 0; k < n; k++)
        if (k >= op->n_in || op->in[k] < 0)
            return tfl_fail(im, MOTE_ERR_FORMAT, "%s: input %d is absent", what, k);
    return 0;
}

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
    int padding = tfl_opt_u8(&r, 0, 0);
    int64_t sw = tfl_opt_i32(&r, 1, 1), sh = tfl_opt_i32(&r, 2, 1);
    int mult = dw ? tfl_opt_i32(&r, 3, 1) : 1;
    int act = tfl_opt_u8(&r, dw ? 4 : 3, 0);
    int64_t dwl = tfl_opt_i32(&r, dw ? 5 : 4, 1), dhl = tfl_opt_i32(&r, dw ? 6 : 5, 1);
    if (!r.ok)
        return -1;
    if (need_inputs(im, op, 2, "needs an input and a filter"))
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *w = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int bt = input(op, 2);
    if (x->ndim != 4 || w->ndim != 4 || !w->data)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "needs a 4-D input and a constant 4-D filter");
    if (sw < 1 || sh < 1 || dwl < 1 || dhl < 1 || padding > 1)
        return tfl_fail(im, MOTE_ERR_FORMAT, "bad stride, dilation or padding");
    int64_t C = x->dims[3], KH = w->dims[1], KW = w->dims[2], O = dw ? w->dims[3] : w->dims[0];
    int64_t I = dw ? 1 : w->dims[3];
    if (dw ? (w->dims[0] != 1 || mult < 1 || O != C * mult) : I != C)
        return tfl_fail(im, MOTE_ERR_SHAPE, "filter does not fit an input of %lld channels", (long long)C);
    /* OHWI (1HWO for depthwise) -> OIHW */
    size_t es = mote_dtype_size(tfl_mdtype(w->type));
    if (!es)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "filter type %d", w->type);
    uint8_t *buf = malloc(w->nbytes ? w->nbytes : 1);
    if (!buf)
        return tfl_fail(im, MOTE_ERR_NOMEM, "out of memory");
    for (int64_t o = 0; o < O; o++)
        for (int64_t i = 0; i < I; i++)
            for (int64_t ky = 0; ky < KH; ky++)
                for (int64_t kx = 0; kx < KW; kx++) {
                    size_t src = dw ? (size_t)((ky * KW + kx) * O + o) : (size_t)(((o * KH + ky) * KW + kx) * I + i);
                    size_t dst = (size_t)(((o * I + i) * KH + ky) * KW + kx);
                    memcpy(buf + dst * es, w->data + src * es, es);
                }
    int64_t wd[4] = {O, I, KH, KW};
    int wv = tfl_weight(im, "filter", tfl_mdtype(w->type), 4, wd, buf);
    free(buf);
    int64_t pt, pb, pl, pr;
    pads_for(padding == 0, x->dims[1], KH, sh, dhl, &pt, &pb);
    pads_for(padding == 0, x->dims[2], KW, sw, dwl, &pl, &pr);
    int64_t strides[2] = {sh, sw}, dil[2] = {dhl, dwl}, pads[4] = {pt, pl, pb, pr};
    int xv = tfl_nchw_val(im, op->in[0]);
    int bv = bt >= 0 ? tfl_in_val(im, bt) : -1;
    if (xv < 0 || wv < 0 || (bt >= 0 && bv < 0))
        return -1;
    int nid, yv;
    if (tfl_isq(x)) {
        if (!tfl_isq(w) || !tfl_isq(y) || x->type != y->type || x->nq != 1 || y->nq != 1)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "quantized input needs a quantized filter and "
                        "output of the input's type");
        if (bt >= 0 && im->m->tensors[bt].type != TFL_INT32)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "quantized convolution needs an int32 bias");
        if (tfl_check_q(im, x) || tfl_check_q(im, w) || tfl_check_q(im, y))
            return -1;
        if (w->nq != 1 && (w->nq != O || w->qdim != (dw ? 3 : 0)))
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "filter quantized along dimension %d",
                        w->qdim);
        float *ws = malloc(sizeof(float) * (size_t)w->nq);
        int32_t *wz = malloc(sizeof(int32_t) * (size_t)w->nq);
        if (!ws || !wz) {
            free(ws);
            free(wz);
            return tfl_fail(im, MOTE_ERR_NOMEM, "out of memory");
        }
        bool anyz = false;
        for (int i = 0; i < w->nq; i++) {
            ws[i] = w->scale[i];
            wz[i] = (int32_t)w->zp[i];
            anyz |= wz[i] != 0;
        }
        int64_t nq = w->nq;
        int sv = tfl_weight(im, "filter_scale", MOTE_F32, 1, &nq, ws);
        int zv = anyz ? tfl_weight(im, "filter_zero_point", MOTE_I32, 1, &nq, wz) : -1;
        free(ws);
        free(wz);
        int32_t lo, hi;
        if (sv < 0 || (anyz && zv < 0) || tfl_act_range(im, y, act, &lo, &hi))
            return -1;
        int in[5] = {xv, wv, bv, sv, zv};
        yv = tfl_node(im, "QConv", anyz ? 5 : 4, in, y->name, &nid);
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
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "float convolution needs f32 input, filter, "
                        "bias and output (hybrid quantization is not supported)");
        int in[3] = {xv, wv, bv};
        yv = tfl_node(im, "Conv", bt >= 0 ? 3 : 2, in, act == ACT_NONE ? y->name : NULL, &nid);
        if (yv < 0)
            return -1;
    }
    ATTR(mote_graph_attr_ints(im->g, nid, "strides", 2, strides));
    ATTR(mote_graph_attr_ints(im->g, nid, "dilations", 2, dil));
    ATTR(mote_graph_attr_ints(im->g, nid, "pads", 4, pads));
    ATTR(mote_graph_attr_int(im->g, nid, "group", dw ? C : 1));
    if (!tfl_isq(x))
        yv = tfl_act_f32(im, yv, act, y->name);
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, true);
    return yv;
}

static int import_fc(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int act = tfl_opt_u8(&r, 0, 0), fmt = tfl_opt_u8(&r, 1, 0);
    if (!r.ok)
        return -1;
    if (fmt != 0)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "weights format %d (only DEFAULT)", fmt);
    if (need_inputs(im, op, 2, "needs an input and weights"))
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *w = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int bt = input(op, 2);
    if (w->ndim != 2 || !w->data)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "needs constant 2-D weights");
    int64_t N = w->dims[0], K = w->dims[1];
    int64_t numel = 1;
    for (int d = 0; d < x->ndim; d++)
        numel *= x->dims[d];
    if (K < 1 || numel % K)
        return tfl_fail(im, MOTE_ERR_SHAPE, "input of %lld elements is not rows of %lld",
                    (long long)numel, (long long)K);
    int xv = tfl_nhwc_val(im, op->in[0]), wv = tfl_in_val(im, op->in[1]);
    int bv = bt >= 0 ? tfl_in_val(im, bt) : -1;
    if (xv < 0 || wv < 0 || (bt >= 0 && bv < 0))
        return -1;
    int64_t od[2] = {numel / K, N};
    bool reshape_out = !(y->ndim == 2 && y->dims[0] == od[0] && y->dims[1] == N);
    int nid, yv;
    if (tfl_isq(x)) {
        if (!tfl_isq(w) || !tfl_isq(y) || x->type != y->type || x->nq != 1 || y->nq != 1 || w->nq != 1)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "quantized input needs per-tensor quantized "
                        "weights and an output of the input's type");
        if (bt >= 0 && im->m->tensors[bt].type != TFL_INT32)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "quantized fully connected needs an int32 bias");
        if (tfl_check_q(im, x) || tfl_check_q(im, w) || tfl_check_q(im, y))
            return -1;
        int32_t lo, hi;
        if (tfl_act_range(im, y, act, &lo, &hi))
            return -1;
        int32_t wz = (int32_t)w->zp[0];
        int in[5] = {xv, wv, bv, tfl_w_f32(im, "weights_scale", w->scale[0]),
                     tfl_weight(im, "weights_zero_point", MOTE_I32, 0, NULL, &wz)};
        yv = tfl_node(im, "QFullyConnected", 5, in, reshape_out ? NULL : y->name, &nid);
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
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "float fully connected needs f32 input, weights "
                        "and output (hybrid quantization is not supported)");
        if (x->ndim != 2) {
            int64_t rows[2] = {od[0], K};
            int in[2] = {xv, tfl_w_i64s(im, "rows", 2, rows)};
            xv = tfl_node(im, "Reshape", 2, in, NULL, NULL);
        }
        int in[3] = {xv, wv, bv};
        yv = tfl_node(im, "Gemm", bt >= 0 ? 3 : 2, in, NULL, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_int(im->g, nid, "transB", 1));
        yv = tfl_act_f32(im, yv, act, reshape_out ? NULL : y->name);
    }
    if (yv >= 0 && reshape_out) {
        int in[2] = {yv, tfl_w_i64s(im, "shape", y->ndim, y->dims)};
        yv = tfl_node(im, "Reshape", 2, in, y->name, NULL);
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_pool(imp *im, const tfl_op *op, bool avg)
{
    opt_reader r = {im, op, true};
    int padding = tfl_opt_u8(&r, 0, 0);
    int64_t sw = tfl_opt_i32(&r, 1, 1), sh = tfl_opt_i32(&r, 2, 1);
    int64_t fw = tfl_opt_i32(&r, 3, 1), fh = tfl_opt_i32(&r, 4, 1);
    int act = tfl_opt_u8(&r, 5, 0);
    if (!r.ok)
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *y = &im->m->tensors[op->out[0]];
    if (x->ndim != 4 || sw < 1 || sh < 1 || fw < 1 || fh < 1 || padding > 1)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "needs a 4-D input and positive window sizes");
    int64_t pt, pb, pl, pr;
    pads_for(padding == 0, x->dims[1], fh, sh, 1, &pt, &pb);
    pads_for(padding == 0, x->dims[2], fw, sw, 1, &pl, &pr);
    int64_t ks[2] = {fh, fw}, strides[2] = {sh, sw}, pads[4] = {pt, pl, pb, pr};
    int xv = tfl_nchw_val(im, op->in[0]);
    if (xv < 0)
        return -1;
    int nid, yv;
    bool q = tfl_isq(x);
    if (q && (!tfl_isq(y) || !tfl_same_q(x, y)))
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "quantized pooling needs the output quantized as "
                    "the input");
    if (!q && (x->type != TFL_FLOAT32 || y->type != TFL_FLOAT32))
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "input must be f32 or 8-bit quantized");
    int32_t lo = 0, hi = 0;
    if (q && (tfl_check_q(im, x) || tfl_act_range(im, y, act, &lo, &hi)))
        return -1;
    bool clamp_after = q && !avg && act != ACT_NONE;
    const char *name = (q && !clamp_after) || act == ACT_NONE ? y->name : NULL;
    yv = tfl_node(im, q && avg ? "QAveragePool" : avg ? "AveragePool" : "MaxPool", 1, &xv, name, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "kernel_shape", 2, ks));
    ATTR(mote_graph_attr_ints(im->g, nid, "strides", 2, strides));
    ATTR(mote_graph_attr_ints(im->g, nid, "pads", 4, pads));
    if (q && avg) {
        ATTR(mote_graph_attr_int(im->g, nid, "act_min", lo));
        ATTR(mote_graph_attr_int(im->g, nid, "act_max", hi));
    } else if (clamp_after) {
        yv = tfl_lut_node(im, yv, y, y, LUT_COPY, lo, hi, y->name);
    } else if (!q) {
        yv = tfl_act_f32(im, yv, act, y->name);
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, true);
    return yv;
}

/* ADD, SUB, MUL */
static int import_arith(imp *im, const tfl_op *op, const char *fop, const char *qop)
{
    opt_reader r = {im, op, true};
    int act = tfl_opt_u8(&r, 0, 0);
    if (!r.ok)
        return -1;
    if (need_inputs(im, op, 2, "needs two inputs"))
        return -1;
    const tfl_tensor *a = &im->m->tensors[op->in[0]], *b = &im->m->tensors[op->in[1]];
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    bool four = a->ndim == 4 && b->ndim == 4;
    int av = four ? tfl_nchw_val(im, op->in[0]) : tfl_nhwc_val(im, op->in[0]);
    int bv = four ? tfl_nchw_val(im, op->in[1]) : tfl_nhwc_val(im, op->in[1]);
    if (av < 0 || bv < 0)
        return -1;
    bool same = a->ndim == b->ndim && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
    int yv, nid;
    if (tfl_isq(a) && tfl_isq(b) && tfl_isq(y) && same && a->type == b->type && a->type == y->type &&
        a->nq == 1 && b->nq == 1 && y->nq == 1) {
        int32_t lo, hi;
        if (tfl_check_q(im, a) || tfl_check_q(im, b) || tfl_check_q(im, y) || tfl_act_range(im, y, act, &lo, &hi))
            return -1;
        int in[2] = {av, bv};
        yv = tfl_node(im, qop, 2, in, y->name, &nid);
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
        tfl_set_out(im, op->out[0], yv, four);
        return yv;
    }
    int in[2] = {tfl_deq(im, op->in[0], av), tfl_deq(im, op->in[1], bv)};
    yv = tfl_node(im, fop, 2, in, NULL, NULL);
    yv = tfl_act_f32(im, yv, act, NULL);
    return tfl_quant_out(im, op->out[0], yv, four);
}

/* RESHAPE, SQUEEZE: the output tensor's shape, in TFLite's order */
static int import_reshape(imp *im, const tfl_op *op)
{
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    int xv = tfl_nhwc_val(im, op->in[0]);
    if (xv < 0)
        return -1;
    int in[2] = {xv, tfl_w_i64s(im, "shape", y->ndim, y->dims)};
    int yv = tfl_node(im, "Reshape", 2, in, y->name, NULL);
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_softmax(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    float beta = tfl_opt_f32(&r, 0, 0.0f);
    if (!r.ok)
        return -1;
    int v = tfl_deq(im, op->in[0], tfl_nhwc_val(im, op->in[0]));
    if (beta != 1.0f) {
        int in[2] = {v, tfl_w_f32(im, "beta", beta)};
        v = tfl_node(im, "Mul", 2, in, NULL, NULL);
    }
    int nid;
    v = tfl_node(im, "Softmax", 1, &v, NULL, &nid);
    if (v < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "axis", -1));
    return tfl_quant_out(im, op->out[0], v, false);
}

/* LOGISTIC, TANH, HARD_SWISH, RELU, RELU6, RELU_N1_TO_1 */
static int import_unary(imp *im, const tfl_op *op, lut_fn f, const char *fop)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = tfl_in_val(im, t);
    if (xv < 0)
        return -1;
    bool nchw = im->nchw[t];
    int yv;
    if (tfl_isq(x) && tfl_isq(y)) {
        int32_t lo = y->type == TFL_INT8 ? -128 : 0, hi = y->type == TFL_INT8 ? 127 : 255;
        yv = tfl_lut_node(im, xv, x, y, f, lo, hi, y->name);
    } else if (tfl_isq(x) || tfl_isq(y)) {
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "input and output must both be quantized or both f32");
    } else {
        int v = tfl_deq(im, t, xv);
        if (f == LUT_RELU6 || f == LUT_RELU_N1_TO_1) {
            int in[3] = {v, tfl_w_f32(im, "min", f == LUT_RELU6 ? 0.0f : -1.0f),
                         tfl_w_f32(im, "max", f == LUT_RELU6 ? 6.0f : 1.0f)};
            yv = tfl_node(im, "Clip", 3, in, y->name, NULL);
        } else {
            yv = tfl_node(im, fop, 1, &v, y->name, NULL);
        }
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, nchw);
    return yv;
}

static int import_concat(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int axis = tfl_opt_i32(&r, 0, 0), act = tfl_opt_u8(&r, 1, 0);
    if (!r.ok)
        return -1;
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    if (axis < 0)
        axis += y->ndim;
    if (axis < 0 || axis >= y->ndim || op->n_in < 1)
        return tfl_fail(im, MOTE_ERR_SHAPE, "axis out of range or no inputs");
    bool four = y->ndim == 4;
    int *in = calloc((size_t)op->n_in, sizeof(int));
    if (!in)
        return tfl_fail(im, MOTE_ERR_NOMEM, "out of memory");
    bool q = tfl_isq(y);
    int yv = -1;
    for (int i = 0; i < op->n_in; i++) {
        int t = op->in[i];
        const tfl_tensor *x = t >= 0 ? &im->m->tensors[t] : NULL;
        in[i] = t < 0 ? tfl_fail(im, MOTE_ERR_FORMAT, "input %d is absent", i)
                      : four ? tfl_nchw_val(im, t) : tfl_nhwc_val(im, t);
        if (in[i] < 0)
            goto out;
        if (q && !tfl_isq(x)) {
            tfl_fail(im, MOTE_ERR_UNSUPPORTED, "inputs and output must all be quantized or all f32");
            goto out;
        }
        if (q && !tfl_same_q(x, y))
            in[i] = tfl_lut_node(im, in[i], x, y, LUT_COPY, -128, 255, NULL);
        else if (!q)
            in[i] = tfl_deq(im, t, in[i]);
        if (in[i] < 0)
            goto out;
    }
    int nid;
    bool post = act != ACT_NONE;
    yv = tfl_node(im, "Concat", op->n_in, in, post ? NULL : y->name, &nid);
    if (yv < 0)
        goto out;
    if (mote_graph_attr_int(im->g, nid, "axis", four ? to_nchw_axis[axis] : axis)) {
        yv = tfl_fail(im, MOTE_ERR_NOMEM, "cannot set an attribute");
        goto out;
    }
    if (post) {
        int32_t lo, hi;
        if (q)
            yv = tfl_act_range(im, y, act, &lo, &hi) ? -1 : tfl_lut_node(im, yv, y, y, LUT_COPY, lo, hi, y->name);
        else
            yv = tfl_act_f32(im, yv, act, y->name);
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, four);
out:
    free(in);
    return yv;
}

static int import_mean(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int keep = tfl_opt_u8(&r, 0, 0);
    if (!r.ok)
        return -1;
    int64_t axes[MOTE_MAX_DIMS];
    int n;
    if (tfl_const_ints(im, op, 1, MOTE_MAX_DIMS, axes, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t];
    if (tfl_in_val(im, t) < 0)
        return -1;
    bool hw = n == 2 && x->ndim == 4;
    for (int i = 0; i < n; i++) {
        if (axes[i] < 0)
            axes[i] += x->ndim;
        if (axes[i] < 0 || axes[i] >= x->ndim)
            return tfl_fail(im, MOTE_ERR_SHAPE, "axis %lld out of range", (long long)axes[i]);
        hw = hw && (axes[i] == 1 || axes[i] == 2);
    }
    /* keep NCHW when the result means the same in both orders */
    bool nchw = im->nchw[t] && (keep || hw);
    int xv = nchw ? tfl_in_val(im, t) : tfl_nhwc_val(im, t);
    if (nchw)
        for (int i = 0; i < n; i++)
            axes[i] = to_nchw_axis[axes[i]];
    int in[2] = {tfl_deq(im, t, xv), tfl_w_i64s(im, "axes", n, axes)};
    int nid;
    int yv = tfl_node(im, "ReduceMean", 2, in, NULL, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "keepdims", keep));
    return tfl_quant_out(im, op->out[0], yv, nchw && keep);
}

static int import_pad(imp *im, const tfl_op *op)
{
    int64_t p[2 * MOTE_MAX_DIMS];
    int n;
    if (tfl_const_ints(im, op, 1, 2 * MOTE_MAX_DIMS, p, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = tfl_in_val(im, t);
    if (xv < 0)
        return -1;
    if (n != 2 * x->ndim)
        return tfl_fail(im, MOTE_ERR_SHAPE, "paddings has %d values for rank %d", n, x->ndim);
    bool nchw = im->nchw[t];
    int64_t pads[2 * MOTE_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) {
        int md = nchw ? to_nchw_axis[d] : d;
        pads[md] = p[2 * d];
        pads[x->ndim + md] = p[2 * d + 1];
    }
    int cv;
    if (tfl_isq(x)) {
        if (!tfl_isq(y) || !tfl_same_q(x, y) || tfl_check_q(im, x))
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "output must be quantized as the input");
        uint8_t z = (uint8_t)(int8_t)x->zp[0];
        if (x->type == TFL_UINT8)
            z = (uint8_t)x->zp[0];
        cv = tfl_weight(im, "pad_value", tfl_mdtype(x->type), 0, NULL, &z);
    } else {
        cv = -1;
    }
    int in[3] = {xv, tfl_w_i64s(im, "pads", 2 * x->ndim, pads), cv};
    int yv = tfl_node(im, "Pad", cv >= 0 ? 3 : 2, in, y->name, NULL);
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, nchw);
    return yv;
}

static int import_quantize(imp *im, const tfl_op *op)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = tfl_in_val(im, t);
    if (xv < 0)
        return -1;
    bool nchw = im->nchw[t];
    if (!tfl_isq(y))
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "output must be 8-bit quantized");
    if (tfl_isq(x)) {
        int yv = tfl_lut_node(im, xv, x, y, LUT_COPY, -128, 255, y->name);
        if (yv >= 0)
            tfl_set_out(im, op->out[0], yv, nchw);
        return yv;
    }
    return tfl_quant_out(im, op->out[0], tfl_deq(im, t, xv), nchw);
}

static int import_dequantize(imp *im, const tfl_op *op)
{
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int xv = tfl_in_val(im, t);
    if (xv < 0)
        return -1;
    if (y->type != TFL_FLOAT32)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "output must be f32");
    int yv;
    if (x->type == TFL_FLOAT16) {
        int nid;
        yv = tfl_node(im, "Cast", 1, &xv, y->name, &nid);
        if (yv >= 0 && mote_graph_attr_int(im->g, nid, "to", 1))
            return tfl_fail(im, MOTE_ERR_NOMEM, "cannot set an attribute");
    } else {
        if (!tfl_isq(x))
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "input must be 8-bit quantized or f16");
        int sv, zv;
        if (tfl_check_q(im, x) || tfl_qparams(im, x, &sv, &zv))
            return -1;
        int in[3] = {xv, sv, zv};
        yv = tfl_node(im, "DequantizeLinear", 3, in, y->name, NULL);
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, im->nchw[t]);
    return yv;
}

static int import_resize(imp *im, const tfl_op *op, bool bilinear)
{
    opt_reader r = {im, op, true};
    int align = tfl_opt_u8(&r, bilinear ? 2 : 0, 0), half = tfl_opt_u8(&r, bilinear ? 3 : 1, 0);
    if (!r.ok)
        return -1;
    int64_t size[2];
    int n;
    if (tfl_const_ints(im, op, 1, 2, size, &n))
        return -1;
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t];
    if (n != 2 || x->ndim != 4 || size[0] < 1 || size[1] < 1)
        return tfl_fail(im, MOTE_ERR_SHAPE, "needs a 4-D input and two positive sizes");
    int64_t sizes[4] = {x->dims[0], x->dims[3], size[0], size[1]};
    int in[4] = {tfl_deq(im, t, tfl_nchw_val(im, t)), -1, -1, tfl_w_i64s(im, "sizes", 4, sizes)};
    int nid;
    int yv = tfl_node(im, "Resize", 4, in, NULL, &nid);
    if (yv < 0)
        return -1;
    const char *coord = align ? "align_corners" : half ? (bilinear ? "half_pixel" : "tf_half_pixel_for_nn")
                                                       : "asymmetric";
    ATTR(mote_graph_attr_string(im->g, nid, "mode", bilinear ? "linear" : "nearest"));
    ATTR(mote_graph_attr_string(im->g, nid, "coordinate_transformation_mode", coord));
    ATTR(mote_graph_attr_string(im->g, nid, "nearest_mode", align ? "round_prefer_ceil" : "floor"));
    return tfl_quant_out(im, op->out[0], yv, true);
}

static int import_strided_slice(imp *im, const tfl_op *op)
{
    opt_reader r = {im, op, true};
    int32_t bm = tfl_opt_i32(&r, 0, 0), em = tfl_opt_i32(&r, 1, 0), ellipsis = tfl_opt_i32(&r, 2, 0);
    int32_t newax = tfl_opt_i32(&r, 3, 0), shrink = tfl_opt_i32(&r, 4, 0);
    int offset = tfl_opt_u8(&r, 5, 0);
    if (!r.ok)
        return -1;
    if (ellipsis || newax || offset)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "ellipsis_mask, new_axis_mask and offset are not "
                    "supported");
    int t = op->in[0];
    const tfl_tensor *x = &im->m->tensors[t], *y = &im->m->tensors[op->out[0]];
    int64_t b[MOTE_MAX_DIMS], e[MOTE_MAX_DIMS], s[MOTE_MAX_DIMS], axes[MOTE_MAX_DIMS];
    int nb, ne, ns;
    if (tfl_const_ints(im, op, 1, MOTE_MAX_DIMS, b, &nb) || tfl_const_ints(im, op, 2, MOTE_MAX_DIMS, e, &ne) ||
        tfl_const_ints(im, op, 3, MOTE_MAX_DIMS, s, &ns))
        return -1;
    if (nb != x->ndim || ne != nb || ns != nb)
        return tfl_fail(im, MOTE_ERR_SHAPE, "begin, end and strides need %d values", x->ndim);
    for (int d = 0; d < nb; d++) {
        axes[d] = d;
        if (s[d] == 0)
            return tfl_fail(im, MOTE_ERR_SHAPE, "stride 0 on axis %d", d);
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
    int in[5] = {tfl_nhwc_val(im, t), tfl_w_i64s(im, "begin", nb, b), tfl_w_i64s(im, "end", nb, e),
                 tfl_w_i64s(im, "axes", nb, axes), tfl_w_i64s(im, "strides", nb, s)};
    int yv = tfl_node(im, "Slice", 5, in, shrink ? NULL : y->name, NULL);
    if (yv >= 0 && shrink) {
        int in2[2] = {yv, tfl_w_i64s(im, "shape", y->ndim, y->dims)};
        yv = tfl_node(im, "Reshape", 2, in2, y->name, NULL);
    }
    if (yv >= 0)
        tfl_set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_transpose(imp *im, const tfl_op *op)
{
    int64_t perm[MOTE_MAX_DIMS];
    int n;
    if (tfl_const_ints(im, op, 1, MOTE_MAX_DIMS, perm, &n))
        return -1;
    const tfl_tensor *x = &im->m->tensors[op->in[0]], *y = &im->m->tensors[op->out[0]];
    if (n != x->ndim)
        return tfl_fail(im, MOTE_ERR_SHAPE, "perm has %d values for rank %d", n, x->ndim);
    int xv = tfl_nhwc_val(im, op->in[0]), nid;
    int yv = tfl_node(im, "Transpose", 1, &xv, y->name, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_ints(im->g, nid, "perm", n, perm));
    tfl_set_out(im, op->out[0], yv, false);
    return yv;
}

static int import_argmax(imp *im, const tfl_op *op)
{
    int64_t axis[1];
    int n;
    if (tfl_const_ints(im, op, 1, 1, axis, &n))
        return -1;
    if (n != 1)
        return tfl_fail(im, MOTE_ERR_SHAPE, "axis must have one value");
    const tfl_tensor *y = &im->m->tensors[op->out[0]];
    if (y->type != TFL_INT32 && y->type != TFL_INT64)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "output type must be int32 or int64");
    int t = op->in[0], nid;
    /* the scale is positive: the largest dequantized value is the largest q */
    int xv = tfl_deq(im, t, tfl_nhwc_val(im, t));
    int yv = tfl_node(im, "ArgMax", 1, &xv, y->type == TFL_INT64 ? y->name : NULL, &nid);
    if (yv < 0)
        return -1;
    ATTR(mote_graph_attr_int(im->g, nid, "axis", axis[0]));
    ATTR(mote_graph_attr_int(im->g, nid, "keepdims", 0));
    if (y->type == TFL_INT32) {
        yv = tfl_node(im, "Cast", 1, &yv, y->name, &nid);
        if (yv < 0)
            return -1;
        ATTR(mote_graph_attr_int(im->g, nid, "to", 6));
    }
    tfl_set_out(im, op->out[0], yv, false);
    return yv;
}

int tfl_import_op(imp *im, const tfl_op *op)
{
    if (op->n_in < 1 || op->in[0] < 0)
        return tfl_fail(im, MOTE_ERR_FORMAT, "input 0 is absent");
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
    default: return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "operator is not supported");
    }
}
