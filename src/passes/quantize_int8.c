/*
 * quantize_int8.c — post-training static quantization of a float graph's
 * convolutions and fully connected layers, given each one's calibrated
 * input and output ranges (the calibration itself, running the model, is
 * the caller's: `mote quantize --int8`).
 *
 * Each target (a Conv with constant f32 weights, or a Gemm x W^T + b with
 * constant W, after the optimizer fused BatchNormalization and a Relu into
 * it) becomes
 *     QuantizeLinear(x) -> QLinearConv -> DequantizeLinear -> y
 * (a Gemm as a 1x1 QLinearConv between two Reshapes), with
 *   activations u8, asymmetric: scale = (hi - lo) / 255 over [min(lo, 0),
 *     max(hi, 0)], zero point round(-lo / scale); a fused Relu makes the
 *     output range start at 0, so the u8 saturation is the Relu;
 *   weights i8, symmetric, per output channel: scale = max |w| / 127;
 *   bias i32 = round(b / (x_scale * w_scale)).
 * The target's own node becomes the DequantizeLinear (its output keeps its
 * name and readers). A target reading another target's output directly
 * takes that one's u8 output (same value, same range: same parameters),
 * so chains of convolutions stay 8-bit. Other ops stay f32.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

static bool const_f32(const mote_graph *g, int v)
{
    return v >= 0 && g->values[v].kind == MOTE_VAL_WEIGHT && g->values[v].data &&
           g->values[v].dtype == MOTE_F32;
}

bool mote_int8_target(const mote_graph *g, int ni)
{
    const mote_node *n = &g->nodes[ni];
    const char *act = mote_attr_get_string(n, "_act", NULL);
    if ((act && strcmp(act, "Relu")) || mote_node_attr(n, "_residual") || n->n_out != 1 || n->n_in < 2 || n->in[0] < 0 ||
        !const_f32(g, n->in[1]) || (n->n_in > 2 && n->in[2] >= 0 && !const_f32(g, n->in[2])))
        return false;
    const mote_value *w = &g->values[n->in[1]];
    if (!strcmp(n->op, "Conv"))
        return w->ndim == 4 && !mote_node_attr(n, "auto_pad");
    if (!strcmp(n->op, "Gemm"))
        return w->ndim == 2 && mote_attr_get_int(n, "transA", 0) == 0 &&
               mote_attr_get_int(n, "transB", 0) == 1 && mote_attr_get_float(n, "alpha", 1) == 1.0f &&
               mote_attr_get_float(n, "beta", 1) == 1.0f;
    return false;
}

/* u8 scale and zero point covering [lo, hi] and 0 */
static void act_params(float lo, float hi, float *s, uint8_t *z)
{
    lo = lo < 0 ? lo : 0;
    hi = hi > 0 ? hi : 0;
    *s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    float zf = nearbyintf(-lo / *s);
    *z = (uint8_t)(zf < 0 ? 0 : zf > 255 ? 255 : zf);
}

static int add_weight(mote_graph *g, const char *base, const char *what, mote_dtype t, int nd,
                      const int64_t *dims, const void *data)
{
    char name[320];
    snprintf(name, sizeof name, "%.250s:%s", base, what);
    return mote_graph_weight(g, name, t, nd, dims, data);
}

static int add_node(mote_graph *g, const char *op, const char *base, const char *what, int n_in,
                    const int *in, int *nid)
{
    char name[320];
    snprintf(name, sizeof name, "%.250s:%s", base, what);
    const char *names[1] = {name};
    int out;
    *nid = mote_graph_node(g, op, name, n_in, in, 1, names, &out);
    return *nid < 0 ? -1 : out;
}

/* qv[v]: the u8 value holding value v quantized (the output of an
 * already quantized target), or -1 */
static mote_status quantize_node(mote_graph *g, int ni, float xlo, float xhi, float ylo, float yhi,
                                 int *qv, int nv)
{
    char base[260];
    snprintf(base, sizeof base, "%.250s", g->nodes[ni].name);
    bool gemm = !strcmp(g->nodes[ni].op, "Gemm");
    int x = g->nodes[ni].in[0], wv = g->nodes[ni].in[1];
    int bv = g->nodes[ni].n_in > 2 ? g->nodes[ni].in[2] : -1;
    const mote_value *w = &g->values[wv];
    int64_t OC = w->dims[0], per = 1;
    for (int d = 1; d < w->ndim; d++)
        per *= w->dims[d];
    float xs, ys;
    uint8_t xz, yz;
    act_params(xlo, xhi, &xs, &xz);
    if (mote_node_attr(&g->nodes[ni], "_act"))
        ylo = 0;
    act_params(ylo, yhi, &ys, &yz);
    int8_t *wq = malloc((size_t)(OC * per));
    float *ws = malloc(sizeof(float) * (size_t)OC);
    int32_t *bq = calloc((size_t)OC, sizeof(int32_t));
    int8_t *wz = calloc((size_t)OC, 1);
    if (!wq || !ws || !bq || !wz) {
        free(wq); free(ws); free(bq); free(wz);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    const float *wf = w->data, *bf = bv >= 0 ? g->values[bv].data : NULL;
    for (int64_t o = 0; o < OC; o++) {
        float m = 0;
        for (int64_t k = 0; k < per; k++)
            m = fmaxf(m, fabsf(wf[o * per + k]));
        ws[o] = m > 0 ? m / 127.0f : 1.0f;
        for (int64_t k = 0; k < per; k++)
            wq[o * per + k] = (int8_t)nearbyintf(wf[o * per + k] / ws[o]);
        if (bf) {
            double r = nearbyint((double)bf[o] / ((double)xs * (double)ws[o]));
            bq[o] = r > 2e9 ? 2000000000 : r < -2e9 ? -2000000000 : (int32_t)r;
        }
    }
    int64_t wd[4] = {OC, gemm ? per : w->dims[1], gemm ? 1 : w->dims[2], gemm ? 1 : w->dims[3]};
    int v_wq = add_weight(g, base, "w_i8", MOTE_I8, 4, wd, wq);
    int v_ws = add_weight(g, base, "w_scale", MOTE_F32, 1, &OC, ws);
    int v_wz = add_weight(g, base, "w_zero_point", MOTE_I8, 1, &OC, wz);
    int v_bq = bf ? add_weight(g, base, "bias_i32", MOTE_I32, 1, &OC, bq) : -1;
    free(wq); free(ws); free(bq); free(wz);
    int v_xs = add_weight(g, base, "x_scale", MOTE_F32, 0, NULL, &xs);
    int v_xz = add_weight(g, base, "x_zero_point", MOTE_U8, 0, NULL, &xz);
    int v_ys = add_weight(g, base, "y_scale", MOTE_F32, 0, NULL, &ys);
    int v_yz = add_weight(g, base, "y_zero_point", MOTE_U8, 0, NULL, &yz);
    if (v_wq < 0 || v_ws < 0 || v_wz < 0 || (bf && v_bq < 0) || v_xs < 0 || v_xz < 0 ||
        v_ys < 0 || v_yz < 0)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    int nid, in3[3] = {x, v_xs, v_xz};
    /* an input that another target produced is already u8 with these very
     * parameters (the same value, so the same calibrated range): use it
     * and skip the DequantizeLinear -> QuantizeLinear round trip */
    int xq = x < nv && qv[x] >= 0 ? qv[x] : add_node(g, "QuantizeLinear", base, "x_u8", 3, in3, &nid);
    if (xq >= 0 && gemm) {
        int64_t shp[4] = {-1, per, 1, 1};
        int in2[2] = {xq, add_weight(g, base, "as_image", MOTE_I64, 1, (int64_t[]){4}, shp)};
        xq = in2[1] < 0 ? -1 : add_node(g, "Reshape", base, "x_u8_image", 2, in2, &nid);
    }
    if (xq < 0)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    int in9[9] = {xq, v_xs, v_xz, v_wq, v_ws, v_wz, v_ys, v_yz, v_bq};
    int yq = add_node(g, "QLinearConv", base, "y_u8", bf ? 9 : 8, in9, &nid);
    if (yq < 0)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    mote_status st;
    if (!gemm) {
        static const char *const keep[] = {"strides", "pads", "dilations"};
        for (int k = 0; k < 3; k++) {
            const int64_t *v;
            int n = mote_attr_get_ints(&g->nodes[ni], keep[k], &v);
            if (n > 0 && (st = mote_graph_attr_ints(g, nid, keep[k], n, v)))
                return st;
        }
        if ((st = mote_graph_attr_int(g, nid, "group", mote_attr_get_int(&g->nodes[ni], "group", 1))))
            return st;
    } else {
        int64_t shp[2] = {-1, OC};
        int in2[2] = {yq, add_weight(g, base, "as_rows", MOTE_I64, 1, (int64_t[]){2}, shp)};
        yq = in2[1] < 0 ? -1 : add_node(g, "Reshape", base, "y_u8_rows", 2, in2, &nid);
        if (yq < 0)
            return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    int dq[3] = {yq, v_ys, v_yz};
    if (g->nodes[ni].out[0] < nv)
        qv[g->nodes[ni].out[0]] = yq;
    return mote_pass_rewrite(g, ni, "DequantizeLinear", 3, dq);
}

mote_status mote_quantize_int8(mote_graph *g, const bool *target, const float *lo, const float *hi,
                               int *count)
{
    *count = 0;
    int n = g->n_nodes, nv = g->n_values;
    int *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
    int *qv = malloc(sizeof(int) * (size_t)(nv ? nv : 1));   /* indexed by the original values */
    if (!order || !qv) {
        free(order);
        free(qv);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    for (int v = 0; v < nv; v++)
        qv[v] = -1;
    mote_status st = mote_graph_topo_order(g, order);
    /* producers first, so that a target's u8 output is known to its readers */
    for (int k = 0; k < n && !st; k++) {
        int ni = order[k];
        if (!target[ni])
            continue;
        int x = g->nodes[ni].in[0], y = g->nodes[ni].out[0];
        if (!(st = quantize_node(g, ni, lo[x], hi[x], lo[y], hi[y], qv, nv)))
            (*count)++;
    }
    free(order);
    free(qv);
    if (!st) {
        int changed;   /* the round trips' DequantizeLinear nodes that fed only targets */
        st = mote_pass_dead(g, &changed);
    }
    return st;
}
