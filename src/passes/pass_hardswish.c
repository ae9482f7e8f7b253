/*
 * pass_hardswish.c — finds hard-swish written out op by op (what
 * PaddlePaddle and older PyTorch exports emit) and replaces it by one
 * HardSwish node:
 *     y = x * Clip(x + 3, 0, 6) / 6      (or  * (1/6) at the end)
 *   ->  y = HardSwish(x) = x * max(0, min(1, x/6 + 1/2))
 * Clip's bounds may be attributes (opset < 11) or constant inputs. Every
 * intermediate must feed only the pattern. The last node is rewritten in
 * place; pass_dead removes the rest. A HardSwish right after a Conv is
 * then fused into it by pass_fuse_act.
 */
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* The only node reading v, or -1. */
static int sole_reader(const mote_graph *g, int v)
{
    if (mote_pass_uses(g, v) != 1)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] == v)
                return i;
    return -1;
}

/* Clip node c bounds are exactly 0 and 6. */
static bool clip_0_6(const mote_graph *g, const mote_node *c)
{
    float lo, hi;
    if (c->n_in == 1)
        return mote_attr_get_float(c, "min", -1) == 0.0f && mote_attr_get_float(c, "max", -1) == 6.0f;
    return c->n_in == 3 && mote_pass_scalar(g, c->in[1], &lo) && lo == 0.0f &&
           mote_pass_scalar(g, c->in[2], &hi) && hi == 6.0f;
}

mote_status mote_pass_hardswish(mote_graph *g, int *changed)
{
    *changed = 0;
    mote_status st = MOTE_OK;
    for (int ci = 0; ci < g->n_nodes && !st; ci++) {
        const mote_node *c = &g->nodes[ci];
        if (strcmp(c->op, "Clip") || c->n_out != 1 || c->in[0] < 0 || !clip_0_6(g, c))
            continue;
        /* c's input: x + 3 */
        int a = mote_pass_producer(g, c->in[0]), x = -1;
        float k;
        if (a < 0 || strcmp(g->nodes[a].op, "Add") || g->nodes[a].n_in != 2 || mote_pass_has_act(&g->nodes[a]) ||
            mote_pass_uses(g, c->in[0]) != 1)
            continue;
        for (int s = 0; s < 2; s++)
            if (mote_pass_scalar(g, g->nodes[a].in[s], &k) && k == 3.0f)
                x = g->nodes[a].in[1 - s];
        /* x * clip */
        int m = sole_reader(g, c->out[0]);
        if (x < 0 || m < 0 || strcmp(g->nodes[m].op, "Mul") || g->nodes[m].n_in != 2 ||
            (g->nodes[m].in[0] != x && g->nodes[m].in[1] != x))
            continue;
        /* / 6, or * (1/6) */
        int d = sole_reader(g, g->nodes[m].out[0]);
        if (d < 0 || g->nodes[d].n_in != 2 || g->nodes[d].in[0] != g->nodes[m].out[0] ||
            !mote_pass_scalar(g, g->nodes[d].in[1], &k))
            continue;
        if (!((!strcmp(g->nodes[d].op, "Div") && k == 6.0f) ||
              (!strcmp(g->nodes[d].op, "Mul") && mote_pass_near(k, 1.0 / 6.0))))
            continue;
        if ((st = mote_pass_rewrite(g, d, "HardSwish", 1, &x)))
            break;
        (*changed)++;
    }
    if (!st && *changed) {
        int dead_changed;   /* the old pattern's nodes now feed nothing */
        st = mote_pass_dead(g, &dead_changed);
    }
    return st;
}
