/*
 * pass_fuse_act.c — fuses an elementwise activation into the Conv, Gemm,
 * MatMul or f32 Add before it (a residual Add + Relu is one pass over the
 * data instead of two): y = act(op(x)) becomes one node carrying the
 * mote-private attributes "_act" (Relu, Clip, Sigmoid, HardSigmoid,
 * HardSwish, LeakyRelu), "_act_alpha" and "_act_beta", which those ops
 * apply in their epilogue (see mote_act in kernels.h: Clip uses
 * alpha = min, beta = max; HardSigmoid alpha, beta; LeakyRelu alpha).
 * Only when the producer's output feeds the activation alone and Clip's
 * bounds are constants.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* A scalar f32 constant input i of n, or dflt when absent; false if not constant. */
static bool const_scalar(const mote_graph *g, const mote_node *n, int i, float dflt, float *v)
{
    if (i >= n->n_in || n->in[i] < 0) {
        *v = dflt;
        return true;
    }
    const mote_value *w = &g->values[n->in[i]];
    if (w->kind != MOTE_VAL_WEIGHT || w->dtype != MOTE_F32 || w->nbytes != sizeof(float) || !w->data)
        return false;
    memcpy(v, w->data, sizeof *v);
    return true;
}

/* The act name and parameters of node a, or NULL if it is not fusable. */
static const char *act_of(const mote_graph *g, const mote_node *a, float *alpha, float *beta)
{
    *alpha = 0;
    *beta = 0;
    if (!strcmp(a->op, "Relu") || !strcmp(a->op, "Sigmoid") || !strcmp(a->op, "HardSwish") ||
        !strcmp(a->op, "Tanh"))
        return a->n_in == 1 ? a->op : NULL;
    if (!strcmp(a->op, "LeakyRelu")) {
        *alpha = mote_attr_get_float(a, "alpha", 0.01f);
        return "LeakyRelu";
    }
    if (!strcmp(a->op, "HardSigmoid")) {
        *alpha = mote_attr_get_float(a, "alpha", 0.2f);
        *beta = mote_attr_get_float(a, "beta", 0.5f);
        return "HardSigmoid";
    }
    if (!strcmp(a->op, "Clip")) {
        if (a->n_in == 1) {   /* opset < 11: bounds are attributes */
            *alpha = mote_attr_get_float(a, "min", -FLT_MAX);
            *beta = mote_attr_get_float(a, "max", FLT_MAX);
            return "Clip";
        }
        if (const_scalar(g, a, 1, -FLT_MAX, alpha) && const_scalar(g, a, 2, FLT_MAX, beta))
            return "Clip";
    }
    return NULL;
}

/* an activation (node i) whose input only a Conv, Gemm, MatMul or f32
 * Add's output is */
static int fuse_act_visit(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    mote_node *a = &g->nodes[i];
    float alpha, beta;
    const char *act;
    if (a->n_in < 1 || a->n_out != 1 || !(act = act_of(g, a, &alpha, &beta)))
        return 0;
    int p = mote_pass_producer(g, a->in[0]);
    if (p < 0 || dead[p])
        return 0;
    mote_node *c = &g->nodes[p];
    bool add = !strcmp(c->op, "Add") && c->n_out == 1 && g->values[c->out[0]].dtype == MOTE_F32;
    if ((strcmp(c->op, "Conv") && strcmp(c->op, "Gemm") && strcmp(c->op, "MatMul") && !add) ||
        c->n_out != 1 || mote_pass_uses(g, c->out[0]) != 1 ||
        mote_attr_get_string(c, "_act", NULL))
        return 0;
    if ((*st = mote_graph_attr_string(g, p, "_act", act)) ||
        (*st = mote_graph_attr_float(g, p, "_act_alpha", alpha)) ||
        (*st = mote_graph_attr_float(g, p, "_act_beta", beta)))
        return 0;
    c = &g->nodes[p];
    a = &g->nodes[i];
    int old = c->out[0], y = a->out[0];
    c->out[0] = y;
    g->values[y].producer = p;
    a->out[0] = old;
    g->values[old].producer = i;
    a->in[0] = -1;
    dead[i] = true;
    return 1;
}

mote_status mote_pass_fuse_act(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { fuse_act_visit };
    return mote_pass_sweep(g, changed, visits, 1, NULL);
}
