/*
 * pass_gemm.c — MatMul followed by a bias Add becomes one Gemm:
 *     y = Add(MatMul(A, W), b)  ->  y = Gemm(A, W, b)
 * when A is 2-D (shape inference with open input dims set to 320 says so),
 * W is a 2-D f32 weight (K, N), b an f32 weight of N elements ((N) or
 * (1, N)), and the MatMul's output feeds only the Add. Gemm then adds the
 * bias in its epilogue (and pass_fuse_act can fuse an activation after
 * it). A MatMul with batch dims is left as it is.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

static bool bias_for(const mote_graph *g, int v, int64_t n)
{
    const mote_value *b = &g->values[v];
    if (b->kind != MOTE_VAL_WEIGHT || b->dtype != MOTE_F32 || !b->data)
        return false;
    if (b->ndim == 1)
        return b->dims[0] == n;
    return b->ndim == 2 && b->dims[0] == 1 && b->dims[1] == n;
}

mote_status mote_pass_gemm(mote_graph *g, int *changed)
{
    *changed = 0;
    bool want = false;
    for (int i = 0; i < g->n_nodes && !want; i++)
        want = !strcmp(g->nodes[i].op, "MatMul");
    if (!want)
        return MOTE_OK;
    mote_tensor *sh = mote_pass_shapes(g, 320);   /* open dims: 320, see pass_layernorm.c */
    bool *dead = calloc((size_t)g->n_nodes + 1, sizeof *dead);
    mote_status st = MOTE_OK;
    if (!sh || !dead) {
        free(sh);
        free(dead);
        return MOTE_OK;   /* no shapes: nothing to decide on */
    }
    for (int i = 0; i < g->n_nodes && !st; i++) {
        mote_node *add = &g->nodes[i];
        if (strcmp(add->op, "Add") || add->n_in != 2 || add->n_out != 1 || mote_pass_has_act(add))
            continue;
        for (int side = 0; side < 2; side++) {
            int p = mote_pass_producer(g, add->in[side]);
            if (p < 0 || dead[p])
                continue;
            mote_node *mm = &g->nodes[p];
            if (strcmp(mm->op, "MatMul") || mm->n_in != 2 || mm->n_out != 1 || mm->n_attr ||
                mote_pass_uses(g, mm->out[0]) != 1)
                continue;
            int a = mm->in[0], w = mm->in[1], b = add->in[1 - side];
            const mote_value *wv = &g->values[w];
            if (a < 0 || sh[a].ndim != 2 || wv->kind != MOTE_VAL_WEIGHT || wv->dtype != MOTE_F32 ||
                wv->ndim != 2 || !bias_for(g, b, wv->dims[1]))
                continue;
            int in[3] = {a, w, b};
            if ((st = mote_pass_rewrite(g, p, "Gemm", 3, in)))
                break;
            /* the Gemm takes over the Add's output; the Add dies */
            add = &g->nodes[i];
            mm = &g->nodes[p];
            int old = mm->out[0], y = add->out[0];
            mm->out[0] = y;
            g->values[y].producer = p;
            add->out[0] = old;
            g->values[old].producer = i;
            add->in[0] = add->in[1] = -1;
            dead[i] = true;
            (*changed)++;
            break;
        }
    }
    if (!st && *changed)
        st = mote_graph_compact(g, dead);
    free(sh);
    free(dead);
    return st;
}
