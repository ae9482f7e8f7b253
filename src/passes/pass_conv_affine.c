/*
 * pass_conv_affine.c — folds a Mul or an Add by a constant into the Conv
 * that feeds it, when the constant is one value or one per output channel
 * (shape (OC, 1, ..., 1) or (1, OC, 1, ..., 1), broadcast over the spatial
 * axes). With s[oc] and t[oc] the constants:
 *     Mul:  W'[oc, ...] = W[oc, ...] * s[oc]     b'[oc] = b[oc] * s[oc]
 *     Add:  W' = W                               b'[oc] = b[oc] + t[oc]
 * (b = 0 if absent), so Conv(x, W', b') computes Mul(Conv(x, W, b), s) or
 * Add(Conv(x, W, b), t) up to rounding, as the BatchNormalization fold
 * does (pass_conv_bn.c). PP-LCNetV3 (the PP-OCRv4 recognizer's and
 * detector's backbone) follows every convolution with a learnable affine
 * block, a Mul and an Add by scalars: each is a pass over the layer's
 * output that the Conv's bias now does for free.
 *
 * Only when the Conv's output feeds the Mul or Add alone, the Conv carries
 * no fused activation or residual (its output is then not the plain
 * convolution), the Mul or Add carries none either, its weights and bias
 * are f32 constants, and every constant is finite (an infinite scale times
 * a zero weight is NaN, where Mul(Conv, inf) is not).
 *
 * The same block after the activation feeds the next Conv. When that Conv
 * pads nothing (every input value it reads is the Mul's or Add's output,
 * never a zero of its own) and has one group, the constant, one value or
 * one per input channel c, folds forward:
 *     Mul:  W'[oc, c, ...] = W[oc, c, ...] * s[c]   b' = b
 *     Add:  W' = W            b'[oc] = b[oc] + sum over c, taps of W[oc, c, ...] t[c]
 * (the Add first, then the Mul now before the Conv). PP-LCNetV3's blocks
 * after a depthwise convolution feed a 1x1 one: half of the rest go.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* The f32 constant v as one value per output channel of a Conv whose
 * output has rank R and OC channels: 1 (a scalar, *per = 0) or OC (*per =
 * 1) values, broadcast to the channel axis alone; NULL otherwise. */
static const float *channel_const(const mote_graph *g, int v, int R, int64_t OC, int *per)
{
    if (v < 0 || v >= g->n_values)
        return NULL;
    const mote_value *c = &g->values[v];
    if (c->kind != MOTE_VAL_WEIGHT || c->dtype != MOTE_F32 || !c->data || c->ndim > R)
        return NULL;
    size_t n = c->nbytes / sizeof(float);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(((const float *)c->data)[i]))
            return NULL;
    if (n == 1) {
        *per = 0;
        return c->data;
    }
    if ((int64_t)n != OC)
        return NULL;
    /* right-aligned against the output (N, OC, spatial...): the channel
     * axis is the constant's axis 1 - (R - ndim) */
    int j = 1 - (R - c->ndim);
    if (j < 0)
        return NULL;
    for (int d = 0; d < c->ndim; d++)
        if (c->dims[d] != (d == j ? OC : 1))
            return NULL;
    *per = 1;
    return c->data;
}

/* Conv node c's constant f32 weights W (OC, C/group, taps...) and bias B
 * (NULL if it has none): W, with *wv its value and *wn its floats; NULL
 * when either is not such a constant (or the weight input is absent) */
static const float *conv_weights(const mote_graph *g, const mote_node *c, const mote_value **wv, size_t *wn,
                                 const float **B)
{
    if (c->n_in < 2 || c->in[1] < 0 || c->in[1] >= g->n_values)
        return NULL;
    const mote_value *w = &g->values[c->in[1]];
    if (w->kind != MOTE_VAL_WEIGHT || w->dtype != MOTE_F32 || w->ndim < 3 || w->dims[0] <= 0 || w->dims[1] <= 0)
        return NULL;
    size_t n = w->nbytes / sizeof(float);
    if (n == 0 || n % (size_t)(w->dims[0] * w->dims[1]))
        return NULL;
    int has_b = c->n_in >= 3 && c->in[2] >= 0;
    *B = has_b ? mote_pass_f32_weight(g, c->in[2], w->dims[0]) : NULL;
    if (has_b && !*B)
        return NULL;
    *wv = w;
    *wn = n;
    return mote_pass_f32_weight(g, c->in[1], (int64_t)n);
}

/* The new weights (only for a Mul: an Add keeps them) and bias of a fold
 * of node a: 1, or 0 with *st set when out of memory */
static int fold_buffers(const mote_node *a, int mul, size_t wn, int64_t OC, float **nw, float **nb, mote_status *st)
{
    *nw = mul ? malloc(wn * sizeof **nw) : NULL;
    *nb = malloc((size_t)OC * sizeof **nb);
    if ((!mul || *nw) && *nb)
        return 1;
    free(*nw);
    free(*nb);
    *st = mote_error(MOTE_ERR_NOMEM, "out of memory folding %s into Conv", a->op);
    return 0;
}

/* Gives Conv node ci the weights nw (NULL: keep its own) and the bias nb
 * (OC floats), named after it and node ai (a Conv may take several
 * folds); frees both. 1 if done, 0 with *st set on an error. */
static int give_weights(mote_graph *g, int ci, int ai, float *nw, float *nb, int64_t OC, mote_status *st)
{
    const mote_node *c = &g->nodes[ci], *a = &g->nodes[ai];
    const mote_value *wv = &g->values[c->in[1]];
    char name[512];
    int64_t wd[MOTE_MAX_DIMS];
    int wndim = wv->ndim;
    memcpy(wd, wv->dims, sizeof wd);
    snprintf(name, sizeof name, "%s/W_%s", c->name, a->name);
    int wid = nw ? mote_graph_weight(g, name, MOTE_F32, wndim, wd, nw) : c->in[1];
    snprintf(name, sizeof name, "%s/B_%s", c->name, a->name);
    int bid = wid >= 0 ? mote_graph_weight(g, name, MOTE_F32, 1, &OC, nb) : -1;
    free(nw);
    free(nb);
    if (bid < 0) {
        *st = mote_error(MOTE_ERR_GRAPH, "folding %s into Conv: %s", g->nodes[ai].op, mote_last_error());
        return 0;
    }
    return mote_pass_conv_params(g, ci, wid, bid, st);
}

/* Folds node ai (Mul or Add) into Conv node ci; 1 if done, 0 if it does
 * not apply, 0 with *st set on an error. */
static int fold_one(mote_graph *g, int ci, int ai, mote_status *st)
{
    mote_node *c = &g->nodes[ci], *a = &g->nodes[ai];
    int mul = !strcmp(a->op, "Mul");
    if (a->n_in != 2 || a->n_out != 1 || mote_pass_has_act(a))
        return 0;
    int y = c->out[0];
    if ((a->in[0] == y) == (a->in[1] == y))   /* the Conv's output once, and a constant */
        return 0;
    int k = a->in[0] == y ? a->in[1] : a->in[0];
    const mote_value *wv;
    size_t wn;
    const float *B, *W = conv_weights(g, c, &wv, &wn, &B);
    if (!W)
        return 0;
    int64_t OC = wv->dims[0];
    size_t per_oc = wn / (size_t)OC;
    int per = 0;
    const float *kv = channel_const(g, k, wv->ndim, OC, &per);
    float *nw, *nb;
    if (!kv || !fold_buffers(a, mul, wn, OC, &nw, &nb, st))
        return 0;
    for (int64_t o = 0; o < OC; o++) {
        float v = kv[per ? o : 0], b = B ? B[o] : 0.0f;
        if (mul)
            for (size_t i = 0; i < per_oc; i++) nw[(size_t)o * per_oc + i] = W[(size_t)o * per_oc + i] * v;
        nb[o] = mul ? b * v : b + v;
    }
    if (!give_weights(g, ci, ai, nw, nb, OC, st))
        return 0;
    c = &g->nodes[ci];
    a = &g->nodes[ai];
    /* the Conv now produces the Mul's (Add's) output; that node keeps the
     * Conv's old one and is dropped */
    int z = a->out[0];
    c->out[0] = z;
    g->values[z].producer = ci;
    a->out[0] = y;
    g->values[y].producer = ai;
    a->in[0] = a->in[1] = -1;
    return 1;
}

/* Conv node ci pads nothing: pads absent or all 0, auto_pad NOTSET or VALID */
static bool pads_nothing(const mote_node *c)
{
    const char *ap = mote_attr_get_string(c, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))
        return false;
    const int64_t *p;
    int np = mote_attr_get_ints(c, "pads", &p);
    for (int i = 0; i < np; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* Folds node ai (Mul or Add, feeding Conv node ci alone) into that Conv's
 * input side; 1 if done, 0 if it does not apply, 0 with *st set on an error. */
static int fold_forward(mote_graph *g, int ai, int ci, mote_status *st)
{
    mote_node *c = &g->nodes[ci], *a = &g->nodes[ai];
    int mul = !strcmp(a->op, "Mul");
    if (a->n_in != 2 || a->n_out != 1 || mote_pass_has_act(a) || !pads_nothing(c) ||
        mote_attr_get_int(c, "group", 1) != 1)
        return 0;
    const mote_value *wv;
    size_t wn;
    const float *B, *W = conv_weights(g, c, &wv, &wn, &B);
    if (!W)
        return 0;
    int64_t OC = wv->dims[0], C = wv->dims[1];
    size_t taps = wn / (size_t)(OC * C);
    /* one operand the constant, the other what the Conv would read */
    int per = 0, h = -1;
    const float *kv = NULL;
    for (int j = 0; j < 2 && !kv; j++)
        if ((kv = channel_const(g, a->in[j], wv->ndim, C, &per)))
            h = a->in[1 - j];
    float *nw, *nb;
    if (!kv || h < 0 || g->values[h].kind == MOTE_VAL_WEIGHT || !fold_buffers(a, mul, wn, OC, &nw, &nb, st))
        return 0;
    for (int64_t o = 0; o < OC; o++) {
        float b = B ? B[o] : 0.0f;
        for (int64_t ch = 0; ch < C; ch++) {
            float v = kv[per ? ch : 0];
            const float *wr = W + ((size_t)o * (size_t)C + (size_t)ch) * taps;
            for (size_t i = 0; i < taps; i++) {
                if (mul) nw[((size_t)o * (size_t)C + (size_t)ch) * taps + i] = wr[i] * v;
                else b += wr[i] * v;
            }
        }
        nb[o] = b;
    }
    if (!give_weights(g, ci, ai, nw, nb, OC, st))
        return 0;
    c = &g->nodes[ci];
    c->in[0] = h;
    a = &g->nodes[ai];
    a->in[0] = a->in[1] = -1;   /* its output has no reader now */
    return 1;
}

/* backward: a Mul or Add (node i) one of whose inputs only a Conv's
 * output is; visited in node order, so a Mul then an Add after one Conv
 * both fold */
static int backward_visit(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    const mote_node *a = &g->nodes[i];
    if ((strcmp(a->op, "Mul") && strcmp(a->op, "Add")) || a->n_in != 2)
        return 0;
    int p = -1;
    for (int j = 0; j < 2 && p < 0; j++) {
        int q = mote_pass_producer(g, a->in[j]);
        if (q >= 0 && !strcmp(g->nodes[q].op, "Conv"))
            p = q;
    }
    if (p < 0 || dead[p] || g->nodes[p].n_out != 1 || mote_pass_uses(g, g->nodes[p].out[0]) != 1 ||
        mote_pass_has_act(&g->nodes[p]))
        return 0;
    if (!fold_one(g, p, i, st))
        return 0;
    dead[i] = true;
    return 1;
}

/* forward: a Conv (node i) whose input only a Mul's or Add's output is */
static int forward_visit(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    const mote_node *c = &g->nodes[i];
    if (strcmp(c->op, "Conv") || c->n_in < 2 || c->n_out != 1)
        return 0;
    int p = mote_pass_producer(g, c->in[0]);
    if (p < 0 || dead[p] || (strcmp(g->nodes[p].op, "Mul") && strcmp(g->nodes[p].op, "Add")) ||
        g->nodes[p].n_out != 1 || mote_pass_uses(g, c->in[0]) != 1)
        return 0;
    if (!fold_forward(g, p, i, st))
        return 0;
    dead[p] = true;
    return 1;
}

mote_status mote_pass_conv_affine(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { backward_visit, forward_visit };
    return mote_pass_sweep(g, changed, visits, 2, NULL);
}
