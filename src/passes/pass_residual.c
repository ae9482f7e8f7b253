/*
 * pass_residual.c — fuses a residual Add into the Conv before it:
 *     y = act(Add(Conv(x, W, b), r))       (act fused into the Add, or none)
 * becomes one Conv with the mote-private input 3 = r and attribute
 * "_residual" = 1, which computes y = act((conv_sum + b) + r) block by
 * block while each output block is still in cache (src/ops/conv.c): the
 * same operations in the same order as the two nodes, so the same bits,
 * without the Add's pass over memory. The Add's "_act" moves to the Conv
 * (a Conv with a residual applies its activation after the residual).
 *
 * Only when the Conv (1-D or 2-D, f32, no fused activation of its own)
 * feeds the Add alone, and r has the Conv output's shape exactly (no
 * broadcast; checked by shape inference with two fills of open dims).
 * The fused node takes the Add's place in the node list, so r, whenever
 * it is computed, comes before it.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

static bool same_shape(const mote_tensor *a, const mote_tensor *b)
{
    return a->ndim >= 3 && a->ndim <= 4 && a->ndim == b->ndim &&
           !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
}

/* Fuses Conv ci into Add ai, whose input k is the Conv's output. */
static mote_status fuse_one(mote_graph *g, int ci, int ai, int k, bool *dead)
{
    mote_node *add = &g->nodes[ai];
    int r = add->in[1 - k];
    const char *act = mote_attr_get_string(add, "_act", NULL);
    float alpha = mote_attr_get_float(add, "_act_alpha", 0), beta = mote_attr_get_float(add, "_act_beta", 0);
    char *act_copy = act ? mote_strdup(act) : NULL;
    int *nin = malloc(4 * sizeof *nin);
    if (!nin || (act && !act_copy)) {
        free(nin);
        free(act_copy);
        return mote_error(MOTE_ERR_NOMEM, "out of memory");
    }
    /* the Conv moves to the Add's place, the Add (to be dropped) to the Conv's */
    mote_node tmp = g->nodes[ci];
    g->nodes[ci] = g->nodes[ai];
    g->nodes[ai] = tmp;
    mote_graph_names_changed(g);
    mote_node *c = &g->nodes[ai], *a = &g->nodes[ci];
    for (int i = 0; i < 4; i++)
        nin[i] = i < c->n_in ? c->in[i] : -1;
    nin[3] = r;
    free(c->in);
    c->in = nin;
    c->n_in = 4;
    int old = c->out[0], y = a->out[0];
    c->out[0] = y;
    g->values[y].producer = ai;
    a->out[0] = old;
    g->values[old].producer = ci;
    for (int i = 0; i < a->n_in; i++)
        a->in[i] = -1;
    dead[ci] = true;
    mote_status st = mote_graph_attr_int(g, ai, "_residual", 1);
    if (!st && act_copy && !(st = mote_graph_attr_string(g, ai, "_act", act_copy)) &&
        !(st = mote_graph_attr_float(g, ai, "_act_alpha", alpha)))
        st = mote_graph_attr_float(g, ai, "_act_beta", beta);
    free(act_copy);
    return st;
}

/* every value's shape with the open dims at 2 and at 3, made when first needed */
typedef struct residual_shapes {
    mote_tensor *s2, *s3;
} residual_shapes;

/* an f32 Add (node ai) one of whose inputs only a Conv's output is */
static int residual_visit(mote_graph *g, int ai, bool *dead, void *ctx, mote_status *st)
{
    residual_shapes *sh = ctx;
    const mote_node *add = &g->nodes[ai];
    if (dead[ai] || strcmp(add->op, "Add") || add->n_in != 2 || add->n_out != 1 ||
        add->in[0] < 0 || add->in[1] < 0 || g->values[add->out[0]].dtype != MOTE_F32)
        return 0;
    for (int k = 0; k < 2; k++) {
        int ci = mote_pass_producer(g, add->in[k]);
        if (ci < 0 || dead[ci] || ci > ai)
            continue;
        const mote_node *c = &g->nodes[ci];
        if (strcmp(c->op, "Conv") || c->n_out != 1 || c->n_in < 2 || c->n_in > 3 ||
            mote_pass_has_act(c) || mote_pass_uses(g, c->out[0]) != 1 || add->in[1 - k] == c->out[0])
            continue;
        if ((!sh->s2 && !(sh->s2 = mote_pass_shapes(g, 2))) || (!sh->s3 && !(sh->s3 = mote_pass_shapes(g, 3)))) {
            *st = mote_error(MOTE_ERR_NOMEM, "out of memory");
            return 0;
        }
        const mote_tensor *s2 = sh->s2, *s3 = sh->s3;
        int o = c->out[0], r = add->in[1 - k];
        if (!same_shape(&s2[o], &s2[r]) || !same_shape(&s3[o], &s3[r]) ||
            s2[o].dtype != MOTE_F32 || s2[r].dtype != MOTE_F32)
            continue;
        *st = fuse_one(g, ci, ai, k, dead);
        return *st ? 0 : 1;
    }
    return 0;
}

mote_status mote_pass_residual(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { residual_visit };
    residual_shapes sh = { NULL, NULL };
    mote_status st = mote_pass_sweep(g, changed, visits, 1, &sh);
    free(sh.s2);
    free(sh.s3);
    return st;
}
