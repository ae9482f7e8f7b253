/*
 * pass_conv_bn.c — folds an inference BatchNormalization into the Conv
 * that feeds it. With s = gamma / sqrt(var + eps) per output channel oc:
 *     W'[oc, ...] = W[oc, ...] * s[oc]
 *     b'[oc]      = (b[oc] - mean[oc]) * s[oc] + beta[oc]      (b = 0 if absent)
 * so Conv(x, W', b') = BN(Conv(x, W, b)). Only when the Conv output feeds
 * nothing else, every parameter is a constant f32 weight of the right size
 * and the BN has one output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* Folds BN node b into Conv node c; returns 1 if done, 0 if not applicable. */
static int fold_one(mote_graph *g, int ci, int bi, mote_status *st)
{
    mote_node *c = &g->nodes[ci], *b = &g->nodes[bi];
    if (c->n_in < 2 || c->in[1] < 0 || c->in[1] >= g->n_values || b->n_in != 5 || b->n_out < 1)
        return 0;
    for (int k = 1; k < b->n_out; k++)
        if (b->out[k] >= 0 && mote_pass_uses(g, b->out[k]) > 0)
            return 0;
    if (mote_attr_get_int(b, "training_mode", 0) != 0)
        return 0;
    const mote_value *wv = &g->values[c->in[1]];
    if (wv->kind != MOTE_VAL_WEIGHT || wv->dtype != MOTE_F32 || wv->ndim < 1 || wv->dims[0] <= 0)
        return 0;
    int64_t oc = wv->dims[0];
    size_t wn = wv->nbytes / sizeof(float);
    if (wn == 0 || wn % (size_t)oc)
        return 0;
    size_t per = wn / (size_t)oc;
    const float *W = mote_pass_f32_weight(g, c->in[1], (int64_t)wn);
    const float *B = c->n_in >= 3 && c->in[2] >= 0 ? mote_pass_f32_weight(g, c->in[2], oc) : NULL;
    if (c->n_in >= 3 && c->in[2] >= 0 && !B)
        return 0;
    const float *gam = mote_pass_f32_weight(g, b->in[1], oc), *bet = mote_pass_f32_weight(g, b->in[2], oc);
    const float *mu = mote_pass_f32_weight(g, b->in[3], oc), *var = mote_pass_f32_weight(g, b->in[4], oc);
    if (!W || !gam || !bet || !mu || !var)
        return 0;
    float eps = mote_attr_get_float(b, "epsilon", 1e-5f);
    float *nw = malloc(wn * sizeof *nw), *nb = malloc((size_t)oc * sizeof *nb);
    if (!nw || !nb) {
        free(nw);
        free(nb);
        *st = mote_error(MOTE_ERR_NOMEM, "out of memory folding BatchNormalization");
        return 0;
    }
    for (int64_t o = 0; o < oc; o++) {
        float s = gam[o] / sqrtf(var[o] + eps);
        for (size_t k = 0; k < per; k++)
            nw[(size_t)o * per + k] = W[(size_t)o * per + k] * s;
        nb[o] = ((B ? B[o] : 0.0f) - mu[o]) * s + bet[o];
    }
    char name[512];
    int64_t wd[MOTE_MAX_DIMS];
    int wndim = wv->ndim;
    memcpy(wd, wv->dims, sizeof wd);
    snprintf(name, sizeof name, "%s/W_bn", c->name);
    int wid = mote_graph_weight(g, name, MOTE_F32, wndim, wd, nw);
    snprintf(name, sizeof name, "%s/B_bn", c->name);
    int bid = wid >= 0 ? mote_graph_weight(g, name, MOTE_F32, 1, &oc, nb) : -1;
    free(nw);
    free(nb);
    if (bid < 0) {
        *st = mote_error(MOTE_ERR_GRAPH, "folding BatchNormalization: %s", mote_last_error());
        return 0;
    }
    if (!mote_pass_conv_params(g, ci, wid, bid, st))
        return 0;
    c = &g->nodes[ci];   /* the node array is stable; values may have moved */
    b = &g->nodes[bi];
    /* The Conv now produces the BN's output; the BN keeps the old one. */
    int old = c->out[0], y = b->out[0];
    c->out[0] = y;
    g->values[y].producer = ci;
    b->out[0] = old;
    g->values[old].producer = bi;
    b->in[0] = -1;
    return 1;
}

/* a BatchNormalization (node i) whose input only a Conv's output is */
static int conv_bn_visit(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    if (strcmp(g->nodes[i].op, "BatchNormalization") || g->nodes[i].n_in < 1)
        return 0;
    int p = mote_pass_producer(g, g->nodes[i].in[0]);
    if (p < 0 || dead[p] || strcmp(g->nodes[p].op, "Conv") || g->nodes[p].n_out != 1 ||
        mote_pass_uses(g, g->nodes[p].out[0]) != 1)
        return 0;
    if (mote_pass_has_act(&g->nodes[p]))
        return 0;   /* an activation or residual already fused sits between them */
    if (!fold_one(g, p, i, st))
        return 0;
    dead[i] = true;
    return 1;
}

mote_status mote_pass_conv_bn(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { conv_bn_visit };
    return mote_pass_sweep(g, changed, visits, 1, NULL);
}
