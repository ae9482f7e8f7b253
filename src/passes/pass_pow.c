/*
 * pass_pow.c — Pow with a constant exponent of 2 becomes Mul(x, x).
 *
 * Pow(x, 2) is how exporters write a square (torch's x ** 2, the mel
 * spectrogram's power, variance terms): with a run-time exponent the op
 * calls powf per element, several times the cost of a multiply. x * x is
 * the correctly rounded square; powf(x, 2) is within an ulp of it. Only an
 * f32 base with an f32 scalar weight of exactly 2 is rewritten (an integer
 * base keeps Pow's truncation and wrap-around rules).
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

mote_status mote_pass_pow(mote_graph *g, int *changed)
{
    *changed = 0;
    mote_tensor *sh = NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        mote_node *n = &g->nodes[i];
        float e;
        if (strcmp(n->op, "Pow") != 0 || n->n_in != 2 || n->in[0] < 0 ||
            !mote_pass_scalar(g, n->in[1], &e) || e != 2.0f)
            continue;
        int x = n->in[0];
        mote_dtype t = g->values[x].dtype;
        if (g->values[x].kind == MOTE_VAL_ACT) {
            if (!sh && !(sh = mote_pass_shapes(g, 1)))
                continue;   /* dtypes unknown: leave the graph as it is */
            if (sh[x].ndim < 0)
                continue;
            t = sh[x].dtype;
        }
        if (t != MOTE_F32)
            continue;
        int in[2] = {x, x};
        mote_status st = mote_pass_rewrite(g, i, "Mul", 2, in);
        if (st) {
            free(sh);
            return st;
        }
        (*changed)++;
    }
    free(sh);
    return MOTE_OK;
}
