/*
 * pass_qdq.c — fuses the QDQ form of quantized models (what ONNX
 * Runtime's quantize_static writes by default) into integer operators:
 *
 *   DequantizeLinear(xq) -> Conv(., DequantizeLinear(wq), bias) -> QuantizeLinear
 *     ->  QLinearConv(xq, xs, xz, wq, ws, wz, ys, yz, round(bias / (xs ws)))
 *   DequantizeLinear(aq) -> MatMul(., DequantizeLinear(bq)) -> QuantizeLinear
 *     ->  QLinearMatMul(aq, as, az, bq, bs, bz, ys, yz)
 *
 * so the convolution runs on 8-bit data with i32 sums instead of in f32
 * between a dequantize and a quantize. Conditions: the weights, scales and
 * zero points are constants (scales f32, zero points given), the
 * activation's are scalars, the weight scale per tensor or per output
 * channel (axis 0 for Conv, axis 1 for MatMul's (K, N) b), the bias (if
 * any) an f32 constant or, as ONNX Runtime's tools write it, a
 * DequantizeLinear of an i32 constant (zero point 0), and the Conv/MatMul output read only by the
 * QuantizeLinear. The QuantizeLinear node is rewritten in place (it keeps
 * its output name); pass_dead removes what no longer feeds anything. Runs
 * before constant folding, which would otherwise fold the weights'
 * DequantizeLinear into f32 weights. The result may differ from the f32
 * path by one quantization step (the integer path rounds once, at the end).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

static bool is_const(const mote_graph *g, int v)
{
    return v >= 0 && g->values[v].kind == MOTE_VAL_WEIGHT && g->values[v].data;
}

static int64_t numel(const mote_value *v)
{
    int64_t n = 1;
    for (int d = 0; d < v->ndim; d++)
        n *= v->dims[d];
    return n;
}

/* Node producing v if it is a DequantizeLinear with constant f32 scale and
 * a constant 8-bit zero point of the input's dtype, else -1. */
static int dq_of(const mote_graph *g, int v)
{
    int p = mote_pass_producer(g, v);
    if (p < 0 || strcmp(g->nodes[p].op, "DequantizeLinear") || g->nodes[p].n_in != 3)
        return -1;
    const mote_node *n = &g->nodes[p];
    if (n->in[0] < 0 || !is_const(g, n->in[1]) || !is_const(g, n->in[2]) ||
        g->values[n->in[1]].dtype != MOTE_F32)
        return -1;
    /* (x has the zero point's dtype, as ONNX requires; an activation's
     * recorded dtype means nothing before shape inference) */
    mote_dtype zt = g->values[n->in[2]].dtype;
    if (zt != MOTE_U8 && zt != MOTE_I8)
        return -1;
    if (numel(&g->values[n->in[1]]) != numel(&g->values[n->in[2]]))
        return -1;
    return p;
}

static bool scalar_params(const mote_graph *g, const mote_node *n)
{
    return numel(&g->values[n->in[1]]) == 1;
}

/* Copies node `from`'s attributes onto node `to` (after a rewrite). */
static mote_status copy_attrs(mote_graph *g, int from, int to)
{
    for (int i = 0; i < g->nodes[from].n_attr; i++) {
        const mote_attr *a = &g->nodes[from].attrs[i];
        mote_status st = MOTE_OK;
        switch (a->type) {
        case MOTE_ATTR_INT: st = mote_graph_attr_int(g, to, a->name, a->i); break;
        case MOTE_ATTR_FLOAT: st = mote_graph_attr_float(g, to, a->name, a->f); break;
        case MOTE_ATTR_STRING: st = mote_graph_attr_string(g, to, a->name, a->s); break;
        case MOTE_ATTR_INTS: st = mote_graph_attr_ints(g, to, a->name, a->n, a->ints); break;
        case MOTE_ATTR_FLOATS: st = mote_graph_attr_floats(g, to, a->name, a->n, a->floats); break;
        default: return MOTE_ERR_UNSUPPORTED;
        }
        if (st)
            return st;
    }
    return MOTE_OK;
}

/* The i32 bias of a QLinearConv: round_half_even(b[oc] / (xs * ws[oc])). */
static int quantize_bias(mote_graph *g, int bv, float xs, int wsv, int64_t OC, const char *name)
{
    const mote_value *b = &g->values[bv];
    if (b->dtype != MOTE_F32 || numel(b) != OC)
        return -1;
    const float *bf = b->data, *ws = g->values[wsv].data;
    int64_t nws = numel(&g->values[wsv]);
    int32_t *q = malloc(sizeof(int32_t) * (size_t)OC);
    if (!q)
        return -1;
    for (int64_t o = 0; o < OC; o++) {
        double r = nearbyint((double)bf[o] / ((double)xs * (double)ws[nws == 1 ? 0 : o]));
        if (isnan(r)) {           /* a zero or NaN scale: not an integer bias */
            free(q);
            return -1;
        }
        q[o] = r > 2147483647.0 ? INT32_MAX : r < -2147483648.0 ? INT32_MIN : (int32_t)r;
    }
    char nm[300];
    snprintf(nm, sizeof nm, "%.250s:bias_i32", name);
    int v = mote_graph_weight(g, nm, MOTE_I32, 1, &OC, q);
    free(q);
    return v;
}

/* A bias given as DequantizeLinear(i32 constant, f32 scale, zero point 0)
 * (ONNX Runtime's QDQ form): its i32 values themselves when its scale is
 * xs * ws[oc] (as f32 products, what the QDQ tools write), else the real
 * bias requantized as quantize_bias does; -1 when the bias is not that. */
static int dq_bias(mote_graph *g, int bv, float xs, int wsv, int64_t OC, const char *name)
{
    int p = mote_pass_producer(g, bv);
    if (p < 0 || strcmp(g->nodes[p].op, "DequantizeLinear") || g->nodes[p].n_in < 2)
        return -1;
    const mote_node *n = &g->nodes[p];
    const mote_value *q = n->in[0] >= 0 ? &g->values[n->in[0]] : NULL;
    if (!q || !is_const(g, n->in[0]) || q->dtype != MOTE_I32 || numel(q) != OC ||
        !is_const(g, n->in[1]) || g->values[n->in[1]].dtype != MOTE_F32)
        return -1;
    int64_t nbs = numel(&g->values[n->in[1]]), nws = numel(&g->values[wsv]);
    if (nbs != 1 && nbs != OC)
        return -1;
    if (n->n_in > 2 && n->in[2] >= 0) {
        const mote_value *z = &g->values[n->in[2]];
        if (!is_const(g, n->in[2]) || z->dtype != MOTE_I32)
            return -1;
        for (int64_t i = 0; i < numel(z); i++)
            if (((const int32_t *)z->data)[i] != 0)
                return -1;
    }
    const int32_t *bq = q->data;
    const float *bs = g->values[n->in[1]].data, *ws = g->values[wsv].data;
    bool exact = true;
    for (int64_t o = 0; o < OC && exact; o++)
        exact = bs[nbs == 1 ? 0 : o] == xs * ws[nws == 1 ? 0 : o];
    char nm[300];
    snprintf(nm, sizeof nm, "%.250s:bias_i32", name);
    if (exact)
        return mote_graph_weight(g, nm, MOTE_I32, 1, &OC, bq);
    float *bf = malloc(sizeof(float) * (size_t)OC);
    if (!bf)
        return -1;
    for (int64_t o = 0; o < OC; o++)
        bf[o] = (float)bq[o] * bs[nbs == 1 ? 0 : o];
    snprintf(nm, sizeof nm, "%.250s:bias_f32", name);
    int fv = mote_graph_weight(g, nm, MOTE_F32, 1, &OC, bf);
    free(bf);
    return fv < 0 ? -1 : quantize_bias(g, fv, xs, wsv, OC, name);
}

mote_status mote_pass_qdq(mote_graph *g, int *changed)
{
    *changed = 0;
    mote_status st = MOTE_OK;
    for (int qi = 0; qi < g->n_nodes && !st; qi++) {
        const mote_node *q = &g->nodes[qi];
        if (strcmp(q->op, "QuantizeLinear") || q->n_in != 3 || q->in[0] < 0 ||
            !is_const(g, q->in[1]) || !is_const(g, q->in[2]) ||
            g->values[q->in[1]].dtype != MOTE_F32 || numel(&g->values[q->in[1]]) != 1 ||
            numel(&g->values[q->in[2]]) != 1 || mote_pass_uses(g, q->in[0]) != 1)
            continue;
        int ci = mote_pass_producer(g, q->in[0]);
        if (ci < 0)
            continue;
        const mote_node *c = &g->nodes[ci];
        bool conv = !strcmp(c->op, "Conv"), mm = !strcmp(c->op, "MatMul");
        if ((!conv && !mm) || c->n_in < 2 || c->n_out != 1 || (mm && c->n_in != 2) ||
            mote_node_attr(c, "_residual"))
            continue;
        int dx = dq_of(g, c->in[0]), dw = dq_of(g, c->in[1]);
            if (dx < 0 || dw < 0 || !scalar_params(g, &g->nodes[dx]) ||
            !is_const(g, g->nodes[dw].in[0]))
            continue;
        const mote_node *w = &g->nodes[dw];
        const mote_value *wv = &g->values[w->in[0]];
        int64_t per = numel(&g->values[w->in[1]]);
        int64_t axis = mote_attr_get_int(w, "axis", 1);
        if (conv && (wv->ndim != 4 || (per != 1 && (per != wv->dims[0] || axis != 0))))
            continue;
        if (mm && (wv->ndim != 2 || (per != 1 && (per != wv->dims[1] || (axis != 1 && axis != -1)))))
            continue;
        int bias = -1;
        if (conv && c->n_in > 2 && c->in[2] >= 0) {
            float xs;
            memcpy(&xs, g->values[g->nodes[dx].in[1]].data, sizeof xs);
            if (is_const(g, c->in[2]))
                bias = quantize_bias(g, c->in[2], xs, w->in[1], wv->dims[0],
                                     g->values[q->out[0]].name);
            else
                bias = dq_bias(g, c->in[2], xs, w->in[1], wv->dims[0], g->values[q->out[0]].name);
            if (bias < 0)
                continue;
        }
        /* (g->nodes may have moved: re-read by index) */
        const mote_node *nx = &g->nodes[dx], *nw = &g->nodes[dw], *nq = &g->nodes[qi];
        int in[9] = {nx->in[0], nx->in[1], nx->in[2], nw->in[0], nw->in[1], nw->in[2],
                     nq->in[1], nq->in[2], bias};
        if ((st = mote_pass_rewrite(g, qi, conv ? "QLinearConv" : "QLinearMatMul",
                                    conv ? (bias >= 0 ? 9 : 8) : 8, in)))
            break;
        if (conv && (st = copy_attrs(g, ci, qi)))
            break;
        (*changed)++;
    }
    if (!st && *changed) {
        int dead_changed;
        st = mote_pass_dead(g, &dead_changed);
    }
    return st;
}
