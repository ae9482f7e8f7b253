/*
 * pass_util.c — small graph queries and edits shared by the optimization
 * passes, and a shape inference for graphs whose inputs have open dims.
 * Linear scans: passes run once at convert time, graphs are modest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"
#include "runtime/session.h"

mote_status mote_pass_sweep(mote_graph *g, int *changed, const mote_pass_visit *visits, int n_visits,
                            void *ctx)
{
    *changed = 0;
    if (!g->n_nodes)
        return MOTE_OK;
    bool *dead = calloc((size_t)g->n_nodes, sizeof *dead);
    if (!dead)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    mote_status st = MOTE_OK;
    for (int v = 0; v < n_visits && !st; v++)
        for (int i = 0; i < g->n_nodes && !st; i++)
            *changed += visits[v](g, i, dead, ctx, &st);
    if (!st && *changed)
        st = mote_graph_compact(g, dead);
    free(dead);
    return st;
}

int mote_pass_uses(const mote_graph *g, int v)
{
    int uses = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            uses += g->nodes[i].in[j] == v;
    for (int i = 0; i < g->n_outputs; i++)
        uses += g->outputs[i] == v;
    return uses;
}

int mote_pass_producer(const mote_graph *g, int v)
{
    if (v < 0 || v >= g->n_values || g->values[v].kind != MOTE_VAL_ACT)
        return -1;
    return g->values[v].producer;
}

bool mote_pass_has_act(const mote_node *n)
{
    return mote_attr_get_string(n, "_act", NULL) != NULL || mote_node_attr(n, "_residual") != NULL;
}

void mote_pass_replace_uses(mote_graph *g, int from, int to)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] == from)
                g->nodes[i].in[j] = to;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == from)
            g->outputs[i] = to;
}

mote_tensor *mote_pass_shapes(const mote_graph *g, int64_t fill)
{
    mote_tensor *vals = calloc((size_t)g->n_values + 1, sizeof *vals);
    int *order = malloc(sizeof *order * ((size_t)g->n_nodes + 1));
    if (!vals || !order || mote_graph_topo_order(g, order) != MOTE_OK) {
        free(vals);
        free(order);
        mote_error_clear();
        return NULL;
    }
    for (int v = 0; v < g->n_values; v++) {
        const mote_value *val = &g->values[v];
        if (val->kind == MOTE_VAL_ACT) {
            vals[v].ndim = -1;
            continue;
        }
        vals[v] = mote_value_tensor(val);
        for (int d = 0; val->kind == MOTE_VAL_INPUT && d < val->ndim; d++)
            if (vals[v].dims[d] < 0)
                vals[v].dims[d] = fill;
    }
    /* stops at the first node it cannot infer; what came before is kept */
    if (mote_graph_infer(g, &mote_kernels_ref, 1, order, vals) != MOTE_OK)
        mote_error_clear();
    free(order);
    return vals;
}

mote_status mote_pass_rewrite(mote_graph *g, int ni, const char *op, int n_in, const int *in)
{
    mote_node *n = &g->nodes[ni];
    char *nop = mote_strdup(op);
    int *nin = malloc(sizeof *nin * (size_t)(n_in ? n_in : 1));
    if (!nop || !nin) {
        free(nop);
        free(nin);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    memcpy(nin, in, sizeof *nin * (size_t)n_in);
    free(n->op);
    n->op = nop;
    free(n->in);
    n->in = nin;
    n->n_in = n_in;
    for (int i = 0; i < n->n_attr; i++) {
        mote_attr *a = &n->attrs[i];
        free(a->name);
        free(a->s);
        free(a->ints);
        free(a->floats);
        for (int k = 0; a->strs && k < a->n; k++)
            free(a->strs[k]);
        free(a->strs);
    }
    n->n_attr = 0;
    return MOTE_OK;
}

bool mote_pass_scalar(const mote_graph *g, int v, float *out)
{
    if (v < 0 || v >= g->n_values)
        return false;
    const mote_value *w = &g->values[v];
    if (w->kind != MOTE_VAL_WEIGHT || !w->data || w->dtype != MOTE_F32 || w->nbytes != sizeof(float))
        return false;
    memcpy(out, w->data, sizeof *out);
    return true;
}

bool mote_pass_near(float v, double want)
{
    return fabs(v - want) <= 1e-4 * fabs(want) + 1e-7;
}

int mote_pass_conv_params(mote_graph *g, int ci, int w, int b, mote_status *st)
{
    mote_node *c = &g->nodes[ci];
    if (c->n_in < 3) {
        int *in = realloc(c->in, 3 * sizeof *in);
        if (!in) {
            *st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            return 0;
        }
        c->in = in;
        c->n_in = 3;
    }
    c->in[1] = w;
    c->in[2] = b;
    return 1;
}

const float *mote_pass_f32_weight(const mote_graph *g, int v, int64_t n)
{
    if (v < 0 || v >= g->n_values || n < 0)
        return NULL;
    const mote_value *w = &g->values[v];
    if (w->kind != MOTE_VAL_WEIGHT || w->dtype != MOTE_F32 || !w->data ||
        w->nbytes != (size_t)n * sizeof(float))
        return NULL;
    return w->data;
}
