/*
 * optimize.c — runs the convert-time passes in order until nothing
 * changes and records in the graph's metadata what each pass did:
 *   "pass.<name>" = "<k> rewrites, nodes <before> -> <after>"
 *   "optimize.nodes" = "<before> -> <after>"
 * Not a pass itself.
 */
#include <stdio.h>
#include "graph/internal.h"
#include "passes.h"

typedef struct pass_def {
    const char *name;
    mote_status (*run)(mote_graph *g, int *changed);
} pass_def;

static const pass_def passes[] = {
    {"identity", mote_pass_identity},
    {"qdq", mote_pass_qdq},          /* before fold turns weight DQs into f32 */
    {"fold", mote_pass_fold},
    {"dead", mote_pass_dead},
    {"shape_glue", mote_pass_shape_glue},
    {"pad_conv", mote_pass_pad_conv},    /* after fold makes the pads constant */
    {"conv_bn", mote_pass_conv_bn},
    {"conv_affine", mote_pass_conv_affine},   /* before hardswish reads an Add(c, 3) */
    {"layernorm", mote_pass_layernorm},
    {"gelu", mote_pass_gelu},
    {"hardswish", mote_pass_hardswish},
    {"pow", mote_pass_pow},
    {"gemm", mote_pass_gemm},
    {"fuse_act", mote_pass_fuse_act},
    {"residual", mote_pass_residual},    /* takes the Add's fused act along */
};
#define N_PASSES (int)(sizeof passes / sizeof *passes)

mote_status mote_optimize(mote_graph *g)
{
    int before[N_PASSES], after[N_PASSES], total[N_PASSES] = {0};
    bool ran[N_PASSES] = {false};
    int start = g->n_nodes;
    for (int round = 0; round < 8; round++) {
        int any = 0;
        for (int p = 0; p < N_PASSES; p++) {
            int changed = 0, n0 = g->n_nodes;
            mote_status st = passes[p].run(g, &changed);
            if (st)
                return mote_error_wrap(st, passes[p].name);
            if (!ran[p])
                before[p] = n0;
            ran[p] = true;
            after[p] = g->n_nodes;
            total[p] += changed;
            any += changed;
        }
        if (!any)
            break;
    }
    for (int p = 0; p < N_PASSES; p++) {
        char key[64], val[128];
        if (!total[p])
            continue;
        snprintf(key, sizeof key, "pass.%s", passes[p].name);
        snprintf(val, sizeof val, "%d rewrites, nodes %d -> %d", total[p], before[p], after[p]);
        mote_status st = mote_graph_meta_string(g, key, val);
        if (st)
            return st;
    }
    char val[64];
    snprintf(val, sizeof val, "%d -> %d", start, g->n_nodes);
    return mote_graph_meta_string(g, "optimize.nodes", val);
}
