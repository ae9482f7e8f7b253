/*
 * pass_util.c — small graph queries shared by the optimization passes.
 * Linear scans: passes run once at convert time, graphs are modest.
 */
#include "passes.h"

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
