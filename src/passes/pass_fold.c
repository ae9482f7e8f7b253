/*
 * pass_fold.c — constant folding at convert time.
 *
 * 1. When every graph input has a fully known shape, a throwaway session
 *    over a copy of the graph infers every value's shape; each Shape node
 *    (and Size) whose input shape is then known becomes an int64 weight.
 *    This removes the Shape -> Gather -> Unsqueeze -> Concat -> Reshape glue
 *    that exporters emit around static shapes (step 2 folds the rest).
 * 2. Every node whose inputs are all weights is run once, on a one-node
 *    graph, and its outputs become weights (outputs over 16 MiB are left
 *    alone, so folding never bloats a file by much).
 * Not an evaluator of its own: it runs the same ops as a session does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"
#include "runtime/session.h"

#define FOLD_MAX_BYTES (16u << 20)

/* Runs node ni (all inputs weights) alone; adds its outputs as weights
 * named like them, which replace the old values. Returns 1 if folded. */
static int fold_node(mote_graph *g, int ni, mote_status *st)
{
    const mote_node *n = &g->nodes[ni];
    if (!mote_op_find(n->op))
        return 0;
    mote_graph *sg = mote_graph_new();
    if (!sg) {
        *st = mote_error(MOTE_ERR_NOMEM, "out of memory");
        return 0;
    }
    int in[16], out[16];
    const char *names[16];
    int ok = n->n_in <= 16 && n->n_out <= 16;
    for (int i = 0; ok && i < n->n_in; i++) {
        if (n->in[i] < 0) {
            in[i] = -1;
            continue;
        }
        const mote_value *v = &g->values[n->in[i]];
        in[i] = mote_graph_weight(sg, v->name, v->dtype, v->ndim, v->dims, v->data);
        ok = in[i] >= 0;
    }
    for (int i = 0; ok && i < n->n_out; i++)
        names[i] = g->values[n->out[i]].name;
    int sn = ok ? mote_graph_node(sg, n->op, n->name, n->n_in, in, n->n_out, names, out) : -1;
    ok = sn >= 0;
    /* copy attributes */
    for (int a = 0; ok && a < n->n_attr; a++) {
        const mote_attr *at = &n->attrs[a];
        mote_status s2 = MOTE_OK;
        switch (at->type) {
        case MOTE_ATTR_INT: s2 = mote_graph_attr_int(sg, sn, at->name, at->i); break;
        case MOTE_ATTR_FLOAT: s2 = mote_graph_attr_float(sg, sn, at->name, at->f); break;
        case MOTE_ATTR_STRING: s2 = mote_graph_attr_string(sg, sn, at->name, at->s); break;
        case MOTE_ATTR_INTS: s2 = mote_graph_attr_ints(sg, sn, at->name, at->n, at->ints); break;
        case MOTE_ATTR_FLOATS: s2 = mote_graph_attr_floats(sg, sn, at->name, at->n, at->floats); break;
        case MOTE_ATTR_STRINGS:
            s2 = mote_graph_attr_strings(sg, sn, at->name, at->n, (const char *const *)at->strs);
            break;
        case MOTE_ATTR_GRAPH:   /* control flow runs in a session's plan, never folded */
            s2 = MOTE_ERR_UNSUPPORTED;
            break;
        }
        ok = s2 == MOTE_OK;
    }
    for (int i = 0; ok && i < n->n_out; i++)
        ok = mote_graph_output(sg, out[i]) == MOTE_OK;
    if (!ok) {
        mote_graph_free(sg);
        mote_error_clear();
        return 0;
    }
    mote_model *m;
    mote_session *s;
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = 1;
    so.pin = 0;
    so.isa = "ref";
    if (mote_model_from_graph(sg, &m) != MOTE_OK) {
        mote_error_clear();
        return 0;   /* the op refuses these inputs: leave it to the session */
    }
    int done = 0;
    if (mote_session_new(m, &so, &s) == MOTE_OK) {
        if (mote_session_run(s, NULL, 0) == MOTE_OK) {
            mote_tensor t[16];
            int nout = n->n_out;
            size_t total = 0;
            bool good = true;
            for (int i = 0; i < nout && good; i++) {
                good = mote_session_output(s, i, &t[i]) == MOTE_OK;
                total += good ? mote_tensor_nbytes(&t[i]) : 0;
            }
            if (good && total <= FOLD_MAX_BYTES) {
                for (int i = 0; i < nout; i++) {
                    int old = g->nodes[ni].out[i];
                    char *nm = mote_strdup(g->values[old].name);
                    char tmp[64];
                    snprintf(tmp, sizeof tmp, "_folded_%d", old);
                    /* free the name for the weight, then take its place */
                    mote_graph_rename_value(g, old, tmp);
                    int w = nm ? mote_graph_weight(g, nm, t[i].dtype, t[i].ndim, t[i].dims, t[i].data) : -1;
                    free(nm);
                    if (w < 0) {
                        *st = mote_error(MOTE_ERR_GRAPH, "folding %s: %s", g->nodes[ni].name, mote_last_error());
                        break;
                    }
                    mote_pass_replace_uses(g, old, w);
                }
                done = !*st;
            }
        }
        mote_session_free(s);
    }
    mote_model_close(m);
    if (!done)
        mote_error_clear();
    return done;
}

static bool all_weights(const mote_graph *g, const mote_node *n)
{
    /* no inputs: a generator (random ops included), left to run time;
     * a graph output must keep being produced by a node */
    if (n->n_in == 0)
        return false;
    for (int i = 0; i < n->n_out; i++)
        for (int k = 0; k < g->n_outputs; k++)
            if (n->out[i] == g->outputs[k])
                return false;
    for (int i = 0; i < n->n_in; i++)
        if (n->in[i] >= 0 && g->values[n->in[i]].kind != MOTE_VAL_WEIGHT)
            return false;
    return true;
}

/* Step 1: Shape/Size of values whose shapes a session can infer. */
static int fold_shapes(mote_graph *g, bool *dead, mote_status *st)
{
    for (int i = 0; i < g->n_inputs; i++) {
        const mote_value *v = &g->values[g->inputs[i]];
        for (int d = 0; d < v->ndim; d++)
            if (v->dims[d] < 0)
                return 0;
    }
    int want = 0;
    for (int i = 0; i < g->n_nodes; i++)
        want += !strcmp(g->nodes[i].op, "Shape") || !strcmp(g->nodes[i].op, "Size");
    if (!want)
        return 0;
    mote_graph *cg = mote_graph_clone(g, true);
    mote_model *m;
    mote_session *s;
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = 1;
    so.pin = 0;
    so.isa = "ref";
    if (!cg || mote_model_from_graph(cg, &m) != MOTE_OK) {
        mote_error_clear();
        return 0;
    }
    int folded = 0;
    if (mote_session_new(m, &so, &s) == MOTE_OK) {
        for (int i = 0; i < g->n_nodes && !*st; i++) {
            mote_node *n = &g->nodes[i];
            bool is_shape = !strcmp(n->op, "Shape");
            if ((!is_shape && strcmp(n->op, "Size")) || n->n_in != 1 || n->in[0] < 0 || n->n_out != 1)
                continue;
            /* an input replaced by a weight folded above is past the
             * session's values (step 2 folds its Shape or Size) */
            if (n->in[0] >= s->g->n_values)
                continue;
            const mote_tensor *x = &s->vals[n->in[0]];
            int r = x->ndim;
            int64_t start = is_shape ? mote_attr_get_int(n, "start", 0) : 0;
            int64_t end = is_shape ? mote_attr_get_int(n, "end", r) : r;
            if (start < 0) start += r;
            if (end < 0) end += r;
            if (start < 0) start = 0;
            if (end > r) end = r;
            if (end < start) end = start;
            int64_t vals[MOTE_MAX_DIMS], numel = 1;
            for (int d = 0; d < r; d++)
                numel *= x->dims[d];
            for (int64_t d = start; d < end; d++)
                vals[d - start] = x->dims[d];
            int old = n->out[0];
            char *nm = mote_strdup(g->values[old].name);
            char tmp[64];
            snprintf(tmp, sizeof tmp, "_folded_%d", old);
            mote_graph_rename_value(g, old, tmp);
            int64_t len = end - start;
            int w = is_shape ? mote_graph_weight(g, nm, MOTE_I64, 1, &len, vals)
                             : mote_graph_weight(g, nm, MOTE_I64, 0, NULL, &numel);
            free(nm);
            if (w < 0) {
                *st = mote_error(MOTE_ERR_GRAPH, "folding %s: %s", g->nodes[i].name, mote_last_error());
                break;
            }
            mote_pass_replace_uses(g, old, w);
            dead[i] = true;
            folded++;
        }
        mote_session_free(s);
    } else {
        mote_error_clear();
    }
    mote_model_close(m);
    return folded;
}

mote_status mote_pass_fold(mote_graph *g, int *changed)
{
    *changed = 0;
    if (!g->n_nodes)
        return MOTE_OK;
    bool *dead = calloc((size_t)g->n_nodes, sizeof *dead);
    if (!dead)
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    mote_status st = MOTE_OK;
    *changed += fold_shapes(g, dead, &st);
    /* Nodes are visited in topological order so chains fold in one sweep. */
    int *order = malloc(sizeof *order * (size_t)g->n_nodes);
    if (!st && (!order || mote_graph_topo_order(g, order) != MOTE_OK)) {
        st = order ? MOTE_OK : mote_error(MOTE_ERR_NOMEM, "out of memory");
        mote_error_clear();
        free(order);
        order = NULL;
    }
    for (int k = 0; order && !st && k < g->n_nodes; k++) {
        int i = order[k];
        if (dead[i] || !all_weights(g, &g->nodes[i]))
            continue;
        if (fold_node(g, i, &st)) {
            dead[i] = true;
            (*changed)++;
        }
    }
    free(order);
    if (!st && *changed)
        st = mote_graph_compact(g, dead);
    free(dead);
    return st;
}
