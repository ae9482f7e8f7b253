/*
 * pass_identity.c — removes nodes that compute y = x at inference:
 * Identity, and Dropout (inference mode: output = input; its optional mask
 * output must be unused). A node whose output is a graph output is kept
 * when its input is a graph input or weight, so output names survive.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

static bool is_graph_output(const mote_graph *g, int v)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v)
            return true;
    return false;
}

static int identity_visit(mote_graph *g, int i, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    (void)st;
    mote_node *n = &g->nodes[i];
    bool ident = !strcmp(n->op, "Identity");
    bool drop = !strcmp(n->op, "Dropout");
    if (!(ident || drop) || n->n_in < 1 || n->in[0] < 0 || n->n_out < 1)
        return 0;
    if (drop) {
        /* training_mode (opset 12+, input 2) must be absent or a false constant */
        if (n->n_in >= 3 && n->in[2] >= 0) {
            const mote_value *t = &g->values[n->in[2]];
            if (t->kind != MOTE_VAL_WEIGHT || !t->data || t->nbytes < 1 ||
                ((const uint8_t *)t->data)[0] != 0)
                return 0;
        }
        if (n->n_out >= 2 && n->out[1] >= 0 && mote_pass_uses(g, n->out[1]) > 0)
            return 0;
    }
    int x = n->in[0], y = n->out[0];
    if (is_graph_output(g, y)) {
        /* Keep the output's name: move it onto x only if x is an
         * activation that nothing else (and no output) uses. */
        if (g->values[x].kind != MOTE_VAL_ACT || mote_pass_uses(g, x) != 1)
            return 0;
        int p = g->values[x].producer;
        for (int k = 0; k < g->nodes[p].n_out; k++)
            if (g->nodes[p].out[k] == x)
                g->nodes[p].out[k] = y;
        g->values[y].producer = p;
        n->in[0] = -1;
        n->out[0] = x;   /* the dead node now "produces" x, unused */
        g->values[x].producer = i;
    } else {
        mote_pass_replace_uses(g, y, x);
    }
    dead[i] = true;
    return 1;
}

mote_status mote_pass_identity(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { identity_visit };
    return mote_pass_sweep(g, changed, visits, 1, NULL);
}
