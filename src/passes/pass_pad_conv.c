/*
 * pass_pad_conv.c — folds a zero constant Pad into the Conv (or the
 * AveragePool with count_include_pad = 1) it feeds: the window op reads
 * zeros beyond the input edge itself, so
 *     Conv(Pad(x, pads), pads = q) = Conv(x, pads = q + pads)
 * and the padded copy of x (a whole pass over memory) is never made. TF
 * exports write "SAME" padding of stride-2 convolutions this way (M-LSD:
 * Pad 0,0,1,1 before each stride-2 depthwise Conv).
 *
 * Only when every condition holds:
 *   - Pad mode "constant", value a constant zero (or absent), pads (and
 *     axes) constant, every pad >= 0, the pads of the first two axes (N,
 *     C) zero;
 *   - the Pad's output feeds that one node alone, as its input 0, and is
 *     not a graph output;
 *   - the consumer's auto_pad is NOTSET; an AveragePool also needs
 *     count_include_pad = 1 (the padding zeros are counted either way) and
 *     ceil_mode = 0. MaxPool is never folded: its padding is -inf, not 0.
 * The consumer's pads (begin..., end...) become its own plus the Pad's.
 */
#include <stdlib.h>
#include <string.h>
#include "graph/internal.h"
#include "passes.h"

/* The int64 weight v as n values in out (at most max); false if it is not one. */
static bool const_i64(const mote_graph *g, int v, int max, int64_t *out, int *n)
{
    if (v < 0 || v >= g->n_values)
        return false;
    const mote_value *w = &g->values[v];
    if (w->kind != MOTE_VAL_WEIGHT || w->dtype != MOTE_I64 || !w->data || w->ndim > 1 ||
        w->nbytes % sizeof(int64_t) || w->nbytes / sizeof(int64_t) > (size_t)max)
        return false;
    *n = (int)(w->nbytes / sizeof(int64_t));
    memcpy(out, w->data, w->nbytes);
    return true;
}

/* The Pad's value is a constant zero (absent: zero). */
static bool zero_value(const mote_graph *g, const mote_node *pad)
{
    if (pad->n_in == 1)
        return mote_attr_get_float(pad, "value", 0.0f) == 0.0f;
    if (pad->n_in < 3 || pad->in[2] < 0)
        return true;
    float v;
    return mote_pass_scalar(g, pad->in[2], &v) && v == 0.0f;
}

/* The Pad's pads per axis of a rank-r input: begin[0..r), end[r..2r).
 * False when they are not constants or name an axis out of range. */
static bool pad_amounts(const mote_graph *g, const mote_node *pad, int r, int64_t *full)
{
    int64_t pads[2 * MOTE_MAX_DIMS], axes[MOTE_MAX_DIMS];
    int np, na = r;
    if (pad->n_in == 1) {
        const int64_t *a;
        np = mote_attr_get_ints(pad, "pads", &a);
        if (np != 2 * r)
            return false;
        memcpy(full, a, sizeof(int64_t) * (size_t)np);
        return true;
    }
    if (pad->in[1] < 0 || !const_i64(g, pad->in[1], 2 * MOTE_MAX_DIMS, pads, &np))
        return false;
    if (pad->n_in > 3 && pad->in[3] >= 0) {
        if (!const_i64(g, pad->in[3], MOTE_MAX_DIMS, axes, &na))
            return false;
    } else {
        for (int d = 0; d < r; d++)
            axes[d] = d;
    }
    if (np != 2 * na)
        return false;
    memset(full, 0, sizeof(int64_t) * 2 * (size_t)r);
    for (int i = 0; i < na; i++) {
        int64_t d = axes[i] < 0 ? axes[i] + r : axes[i];
        if (d < 0 || d >= r)
            return false;
        full[d] = pads[i];
        full[r + d] = pads[na + i];
    }
    return true;
}

/* Folds Pad node pi into its consumer ci; returns 1 if done. */
static int fold_one(mote_graph *g, int pi, int ci, mote_status *st)
{
    const mote_node *pad = &g->nodes[pi], *c = &g->nodes[ci];
    int x = pad->in[0];
    if (x < 0 || pad->n_out != 1 || c->n_in < 1 || c->in[0] != pad->out[0])
        return 0;
    bool avg = !strcmp(c->op, "AveragePool");
    if (strcmp(c->op, "Conv") && !avg)
        return 0;
    if (avg && (mote_attr_get_int(c, "count_include_pad", 0) != 1 || mote_attr_get_int(c, "ceil_mode", 0)))
        return 0;
    if (strcmp(mote_attr_get_string(c, "auto_pad", "NOTSET"), "NOTSET") ||
        strcmp(mote_attr_get_string(pad, "mode", "constant"), "constant") || !zero_value(g, pad))
        return 0;
    /* the rank, from the consumer (activations need not have a shape yet):
     * W's, or the pool's kernel_shape + 2 */
    const int64_t *ks;
    int r = avg ? mote_attr_get_ints(c, "kernel_shape", &ks) + 2
                : c->n_in > 1 && c->in[1] >= 0 ? g->values[c->in[1]].ndim : 0;
    if (r < 3 || r > MOTE_MAX_DIMS)
        return 0;
    int nsp = r - 2;
    int64_t full[2 * MOTE_MAX_DIMS], cp[2 * MOTE_MAX_DIMS] = {0};
    if (!pad_amounts(g, pad, r, full))
        return 0;
    if (full[0] || full[1] || full[r] || full[r + 1])
        return 0;
    for (int d = 0; d < 2 * r; d++)
        if (full[d] < 0)
            return 0;
    const int64_t *old;
    int no = mote_attr_get_ints(c, "pads", &old);
    if (no >= 0) {
        if (no != 2 * nsp)
            return 0;
        memcpy(cp, old, sizeof(int64_t) * (size_t)no);
    }
    for (int i = 0; i < nsp; i++) {
        if (cp[i] < 0 || cp[nsp + i] < 0 || full[2 + i] > INT32_MAX || full[r + 2 + i] > INT32_MAX ||
            cp[i] > INT32_MAX || cp[nsp + i] > INT32_MAX)
            return 0;   /* sizes the consumer would refuse anyway: leave its error to it */
        cp[i] += full[2 + i];
        cp[nsp + i] += full[r + 2 + i];
    }
    if ((*st = mote_graph_attr_ints(g, ci, "pads", 2 * nsp, cp)))
        return 0;
    g->nodes[ci].in[0] = x;
    return 1;
}

/* a Conv or AveragePool (node ci) whose input only a Pad's output is */
static int pad_conv_visit(mote_graph *g, int ci, bool *dead, void *ctx, mote_status *st)
{
    (void)ctx;
    const mote_node *c = &g->nodes[ci];
    if (c->n_in < 1 || (strcmp(c->op, "Conv") && strcmp(c->op, "AveragePool")))
        return 0;
    int pi = mote_pass_producer(g, c->in[0]);
    if (pi < 0 || dead[pi] || strcmp(g->nodes[pi].op, "Pad") ||
        g->nodes[pi].n_out != 1 || mote_pass_uses(g, g->nodes[pi].out[0]) != 1)
        return 0;
    if (!fold_one(g, pi, ci, st))
        return 0;
    dead[pi] = true;
    return 1;
}

mote_status mote_pass_pad_conv(mote_graph *g, int *changed)
{
    static const mote_pass_visit visits[] = { pad_conv_visit };
    return mote_pass_sweep(g, changed, visits, 1, NULL);
}
