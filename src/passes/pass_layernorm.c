/*
 * pass_layernorm.c — finds layer normalization written out op by op (what
 * PyTorch exports before opset 17) and replaces it by LayerNormalization:
 *
 *   m = ReduceMean(x, axes=[-1])      d = Sub(x, m)
 *   v = ReduceMean(Pow(d, 2), [-1])   (or Mul(d, d))
 *   n = Div(d, Sqrt(Add(v, eps)))
 *   y = Add(Mul(n, gamma), beta)      (the Add optional)
 *   ->  y = LayerNormalization(x, gamma, beta, axis=-1, epsilon=eps)
 *
 * The reduced axis must be the last one (-1, or rank-1 by shape
 * inference), keepdims 1, eps and the exponent scalar constants, gamma and
 * beta f32 weights, and every intermediate must feed only the pattern
 * (d feeds the square and the Div). The last node is rewritten in place;
 * pass_dead removes the rest.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* The node producing v if it is op, or -1. */
static int prod(const mote_graph *g, int v, const char *op)
{
    int p = mote_pass_producer(g, v);
    return p >= 0 && !strcmp(g->nodes[p].op, op) && !mote_pass_has_act(&g->nodes[p]) ? p : -1;
}

static int only_consumer(const mote_graph *g, int v)
{
    if (mote_pass_uses(g, v) != 1)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] == v)
                return i;
    return -1;
}

/* ReduceMean node r over the last axis only, keepdims 1 (sh: shapes or NULL). */
static bool mean_last(const mote_graph *g, int r, const mote_tensor *sh)
{
    const mote_node *n = &g->nodes[r];
    if (mote_attr_get_int(n, "keepdims", 1) != 1 || n->in[0] < 0)
        return false;
    const int64_t *ax;
    int64_t axv;
    int cnt = mote_attr_get_ints(n, "axes", &ax);
    if (n->n_in > 1 && n->in[1] >= 0) {   /* opset 18: axes input */
        const mote_value *a = &g->values[n->in[1]];
        if (a->kind != MOTE_VAL_WEIGHT || a->dtype != MOTE_I64 || a->nbytes != sizeof(int64_t))
            return false;
        memcpy(&axv, a->data, sizeof axv);
        ax = &axv;
        cnt = 1;
    }
    if (cnt != 1)
        return false;
    if (ax[0] == -1)
        return true;
    int rank = sh ? sh[n->in[0]].ndim : -1;
    return rank > 0 && ax[0] == rank - 1;
}

static bool f32_weight(const mote_graph *g, int v)
{
    return v >= 0 && g->values[v].kind == MOTE_VAL_WEIGHT && g->values[v].dtype == MOTE_F32;
}

/* Matches the pattern whose Div is node dv; fills the LN inputs, eps and
 * the node to rewrite. */
static bool match(const mote_graph *g, int dv, const mote_tensor *sh, int *x, int *gamma,
                  int *beta, float *eps, int *last)
{
    const mote_node *div = &g->nodes[dv];
    if (div->n_in != 2 || div->n_out != 1)
        return false;
    int d = div->in[0], sq = prod(g, div->in[1], "Sqrt"), sub = prod(g, d, "Sub");
    if (sq < 0 || sub < 0 || mote_pass_uses(g, div->in[1]) != 1)
        return false;
    int m = g->nodes[sub].in[1], rm1 = prod(g, m, "ReduceMean");
    *x = g->nodes[sub].in[0];
    if (rm1 < 0 || g->nodes[rm1].in[0] != *x || mote_pass_uses(g, m) != 1 || !mean_last(g, rm1, sh))
        return false;
    int e = g->nodes[sq].in[0], add = prod(g, e, "Add");
    if (add < 0 || mote_pass_uses(g, e) != 1)
        return false;
    int v = -1;
    for (int s = 0; s < 2; s++)
        if (mote_pass_scalar(g, g->nodes[add].in[s], eps))
            v = g->nodes[add].in[1 - s];
    int rm2 = v >= 0 ? prod(g, v, "ReduceMean") : -1;
    if (rm2 < 0 || mote_pass_uses(g, v) != 1 || !mean_last(g, rm2, sh))
        return false;
    int p = g->nodes[rm2].in[0], pw = prod(g, p, "Pow"), mu = prod(g, p, "Mul");
    float two;
    if (mote_pass_uses(g, p) != 1)
        return false;
    if (pw >= 0) {
        if (g->nodes[pw].in[0] != d || !mote_pass_scalar(g, g->nodes[pw].in[1], &two) || two != 2.0f ||
            mote_pass_uses(g, d) != 2)
            return false;
    } else if (mu < 0 || g->nodes[mu].in[0] != d || g->nodes[mu].in[1] != d || mote_pass_uses(g, d) != 3) {
        return false;
    }
    /* y = n * gamma (+ beta) */
    int mg = only_consumer(g, div->out[0]);
    if (mg < 0 || strcmp(g->nodes[mg].op, "Mul") || g->nodes[mg].n_in != 2)
        return false;
    *gamma = g->nodes[mg].in[0] == div->out[0] ? g->nodes[mg].in[1] : g->nodes[mg].in[0];
    if (!f32_weight(g, *gamma) || g->values[*gamma].ndim != 1)
        return false;
    *beta = -1;
    *last = mg;
    int ab = only_consumer(g, g->nodes[mg].out[0]);
    if (ab >= 0 && !strcmp(g->nodes[ab].op, "Add") && g->nodes[ab].n_in == 2 &&
        !mote_pass_has_act(&g->nodes[ab])) {
        int b = g->nodes[ab].in[0] == g->nodes[mg].out[0] ? g->nodes[ab].in[1] : g->nodes[ab].in[0];
        if (f32_weight(g, b) && g->values[b].ndim == 1 &&
            g->values[b].dims[0] == g->values[*gamma].dims[0]) {
            *beta = b;
            *last = ab;
        }
    }
    return true;
}

mote_status mote_pass_layernorm(mote_graph *g, int *changed)
{
    *changed = 0;
    bool want = false;
    for (int i = 0; i < g->n_nodes && !want; i++)
        want = !strcmp(g->nodes[i].op, "ReduceMean");
    if (!want)
        return MOTE_OK;
    /* open dims at 320: large enough for the convolutions of image models */
    mote_tensor *sh = mote_pass_shapes(g, 320);   /* may be NULL: axis -1 still matches */
    mote_status st = MOTE_OK;
    for (int i = 0; i < g->n_nodes && !st; i++) {
        int x, gamma, beta, last;
        float eps;
        if (strcmp(g->nodes[i].op, "Div") || !match(g, i, sh, &x, &gamma, &beta, &eps, &last))
            continue;
        int in[3] = {x, gamma, beta};
        if ((st = mote_pass_rewrite(g, last, "LayerNormalization", beta >= 0 ? 3 : 2, in)) ||
            (st = mote_graph_attr_int(g, last, "axis", -1)) ||
            (st = mote_graph_attr_float(g, last, "epsilon", eps)))
            break;
        (*changed)++;
    }
    free(sh);
    if (!st && *changed) {
        int dead_changed;   /* the old pattern's nodes now feed nothing */
        st = mote_pass_dead(g, &dead_changed);
    }
    return st;
}
