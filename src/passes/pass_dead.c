/*
 * pass_dead.c — removes nodes none of whose outputs reach a graph output.
 * Walks backwards from the outputs marking live producers.
 */
#include <stdlib.h>
#include "graph/internal.h"
#include "passes.h"

mote_status mote_pass_dead(mote_graph *g, int *changed)
{
    *changed = 0;
    if (!g->n_nodes)
        return MOTE_OK;
    bool *live = calloc((size_t)g->n_nodes, sizeof *live);
    int *stack = malloc(sizeof *stack * (size_t)g->n_nodes);
    if (!live || !stack) {
        free(live);
        free(stack);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    int sp = 0;
    for (int i = 0; i < g->n_outputs; i++) {
        int p = mote_pass_producer(g, g->outputs[i]);
        if (p >= 0 && !live[p]) {
            live[p] = true;
            stack[sp++] = p;
        }
    }
    while (sp) {
        const mote_node *n = &g->nodes[stack[--sp]];
        for (int j = 0; j < n->n_in; j++) {
            int p = mote_pass_producer(g, n->in[j]);
            if (p >= 0 && !live[p]) {
                live[p] = true;
                stack[sp++] = p;
            }
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        live[i] = !live[i];   /* now: dead */
        *changed += live[i];
    }
    mote_status st = *changed ? mote_graph_compact(g, live) : MOTE_OK;
    free(live);
    free(stack);
    return st;
}
