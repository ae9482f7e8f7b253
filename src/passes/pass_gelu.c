/*
 * pass_gelu.c — finds the two GELU forms exporters write out op by op and
 * replaces each by one Gelu node (opset 20 semantics):
 *   erf form:   y = x * 0.5 * (1 + erf(x / sqrt 2))          -> Gelu(x)
 *               (x / 1.41421 or x * 0.70711 inside the erf)
 *   tanh form:  y = x * 0.5 * (1 + tanh(0.79788 (x + 0.044715 x^3)))
 *                                           -> Gelu(x, approximate="tanh")
 *               (x^3 as Pow(x, 3) or x * x * x)
 * The final product may be grouped three ways: (x * c) * 0.5,
 * (x * 0.5) * c, or x * (c * 0.5), with c = 1 + erf(...) / 1 + tanh(...).
 * Every intermediate must feed only the pattern. The last node is rewritten
 * in place; the rest become unused and pass_dead removes them.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* The node producing v if it is `op` with two inputs and v has one use. */
static int single(const mote_graph *g, int v, const char *op)
{
    int p = mote_pass_producer(g, v);
    if (p < 0 || strcmp(g->nodes[p].op, op) || g->nodes[p].n_in != 2 || mote_pass_uses(g, v) != 1 ||
        mote_pass_has_act(&g->nodes[p]))
        return -1;
    return p;
}

/* Node n is binary with a scalar constant near `want` on one side; the
 * other input into *other. */
static bool with_const(const mote_graph *g, int n, double want, int *other)
{
    const mote_node *nd = &g->nodes[n];
    float c;
    for (int s = 0; s < 2; s++)
        if (mote_pass_scalar(g, nd->in[s], &c) && mote_pass_near(c, want)) {
            *other = nd->in[1 - s];
            return true;
        }
    return false;
}

/* The only node reading v (v not a graph output), or -1. */
static int consumer(const mote_graph *g, int v)
{
    if (mote_pass_uses(g, v) != 1)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] == v)
                return i;
    return -1;
}

/* x of x^3 written as Pow(x, 3) or (x * x) * x / x * (x * x). */
static int cube_base(const mote_graph *g, int v)
{
    int p = single(g, v, "Pow"), x;
    if (p >= 0) {
        float e;
        return g->nodes[p].in[0] >= 0 && mote_pass_scalar(g, g->nodes[p].in[1], &e) && e == 3.0f ?
               g->nodes[p].in[0] : -1;
    }
    if ((p = single(g, v, "Mul")) < 0)
        return -1;
    for (int s = 0; s < 2; s++) {
        x = g->nodes[p].in[s];
        int q = single(g, g->nodes[p].in[1 - s], "Mul");
        if (q >= 0 && g->nodes[q].in[0] == x && g->nodes[q].in[1] == x)
            return x;
    }
    return -1;
}

/* From the (1 + f(x)) value c to the node computing y; -1 if no tail fits. */
static int tail(const mote_graph *g, int c, int x)
{
    int m1 = consumer(g, c), o;
    if (m1 < 0 || strcmp(g->nodes[m1].op, "Mul") || g->nodes[m1].n_in != 2)
        return -1;
    o = g->nodes[m1].in[0] == c ? g->nodes[m1].in[1] : g->nodes[m1].in[0];
    if (o == x) {                                   /* (x * c) * 0.5 */
        int m2 = consumer(g, g->nodes[m1].out[0]), z;
        return m2 >= 0 && !strcmp(g->nodes[m2].op, "Mul") && with_const(g, m2, 0.5, &z) &&
               z == g->nodes[m1].out[0] ? m2 : -1;
    }
    int h = single(g, o, "Mul"), z;
    if (h >= 0 && with_const(g, h, 0.5, &z) && z == x)   /* (x * 0.5) * c */
        return m1;
    if (with_const(g, m1, 0.5, &z)) {               /* x * (c * 0.5) */
        int m2 = consumer(g, g->nodes[m1].out[0]);
        if (m2 >= 0 && !strcmp(g->nodes[m2].op, "Mul") && g->nodes[m2].n_in == 2 &&
            (g->nodes[m2].in[0] == x || g->nodes[m2].in[1] == x))
            return m2;
    }
    return -1;
}

/* Node e is Erf or Tanh: the x of the pattern around it, or -1. */
static int core_x(const mote_graph *g, int e, bool is_tanh)
{
    int a = g->nodes[e].in[0], x, n;
    if (a < 0 || g->nodes[e].n_in != 1 || mote_pass_uses(g, a) != 1)
        return -1;
    if (!is_tanh) {
        if ((n = single(g, a, "Div")) >= 0) {
            float c;
            return mote_pass_scalar(g, g->nodes[n].in[1], &c) && mote_pass_near(c, 1.41421356237) ?
                   g->nodes[n].in[0] : -1;
        }
        if ((n = single(g, a, "Mul")) >= 0 && with_const(g, n, 0.70710678118, &x))
            return x;
        return -1;
    }
    int r;   /* a = 0.79788 * r,  r = x + 0.044715 * x^3 */
    if ((n = single(g, a, "Mul")) < 0 || !with_const(g, n, 0.7978845608, &r) ||
        (n = single(g, r, "Add")) < 0)
        return -1;
    for (int s = 0; s < 2; s++) {
        int q = single(g, g->nodes[n].in[s], "Mul"), p;
        if (q >= 0 && with_const(g, q, 0.044715, &p) && cube_base(g, p) == g->nodes[n].in[1 - s])
            return g->nodes[n].in[1 - s];
    }
    return -1;
}

mote_status mote_pass_gelu(mote_graph *g, int *changed)
{
    *changed = 0;
    mote_status st = MOTE_OK;
    for (int e = 0; e < g->n_nodes && !st; e++) {
        bool is_tanh = !strcmp(g->nodes[e].op, "Tanh");
        if (!is_tanh && strcmp(g->nodes[e].op, "Erf"))
            continue;
        int x = core_x(g, e, is_tanh), add, c;
        if (x < 0 || g->nodes[e].n_out != 1 || (add = consumer(g, g->nodes[e].out[0])) < 0 ||
            strcmp(g->nodes[add].op, "Add") || g->nodes[add].n_in != 2 || mote_pass_has_act(&g->nodes[add]) ||
            !with_const(g, add, 1.0, &c) || c != g->nodes[e].out[0])
            continue;
        int y = tail(g, g->nodes[add].out[0], x);
        if (y < 0)
            continue;
        if ((st = mote_pass_rewrite(g, y, "Gelu", 1, &x)))
            break;
        if (is_tanh && (st = mote_graph_attr_string(g, y, "approximate", "tanh")))
            break;
        (*changed)++;
    }
    if (!st && *changed) {
        int dead_changed;   /* the old pattern's nodes now feed nothing */
        st = mote_pass_dead(g, &dead_changed);
    }
    return st;
}
