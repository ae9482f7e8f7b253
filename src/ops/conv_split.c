/*
 * conv_split.c — the depthwise paths' choice and thread split
 * (conv_split.h), and the test of a convolution's reader that lets a 1x1
 * convolution split its GEMM the way the depthwise convolution after it
 * splits.
 */
#include <string.h>
#include "conv_split.h"
#include "graph/internal.h"
#include "op_util.h"

/* Depthwise maps of at least this many outputs per thread are split over
 * (image, output row) instead of (image, channel): each thread then reads
 * the rows of every channel that the 1x1 convolution before it wrote on
 * the same core (GEMM columns are pixels) and writes the rows the one
 * after it reads. Smaller maps stay split by channel: there a thread's
 * rows of a channel are a few cache lines, and lines shared at the
 * chunks' edges cost more than the locality saves (14x14: 18 -> 34 us;
 * 28x28: 33 -> 65 us). Measured, AVX-512, 2 threads, MobileNetV2: the
 * 112x112 layers and the 1x1 after them 10-16 us faster each. */
#define DW_ROWS_MIN 1024

unsigned mote_conv_dw_paths(const mote_kernels *k, int64_t C, int64_t groups, int64_t OC, int64_t KH,
                            int64_t KW, int64_t dh, int64_t dw)
{
    if (groups != C || OC != C || dh != 1 || dw != 1)
        return 0;
    unsigned paths = KH == 3 && KW == 3 ? MOTE_DW_3X3 : 0;
    if (k->general.conv2d_dw_f32 && KH <= MOTE_DW_MAXK && KW <= MOTE_DW_MAXK)
        paths |= MOTE_DW_ANY;
    return paths;
}

int mote_conv_dw_by_rows(int threads, int64_t OH, int64_t OW)
{
    return threads > 1 && OH * OW >= (int64_t)threads * DW_ROWS_MIN && OH >= threads;
}

/*
 * The reader must be the only one (and the output not a model output), a
 * 2-D Conv with no forced algorithm whose input 0 is this output and whose
 * depthwise paths take it (conv.c's prepare then picks one of them), with
 * an output map too small for mote_conv_dw_by_rows.
 */
int mote_conv_next_dw_by_channel(const mote_op_ctx *c, int64_t OC, int64_t OH, int64_t OW)
{
    const mote_graph *g = c->g;
    if (!g || c->threads < 2 || c->node->n_out != 1)
        return 0;
    int v = c->node->out[0], user = -1;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v)
            return 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == v) {
                if (user >= 0 && user != i)
                    return 0;
                user = i;
            }
    if (user < 0)
        return 0;
    const mote_node *u = &g->nodes[user];
    if (strcmp(u->op, "Conv") || u->n_in < 2 || u->in[0] != v || u->in[1] < 0 ||
        mote_attr_get_string(u, "_conv_algo", NULL))
        return 0;
    const mote_value *w = &g->values[u->in[1]];
    if (w->ndim != 4 || w->dims[1] != 1 || w->dims[2] < 1 || w->dims[3] < 1)
        return 0;
    mote_op_ctx uc = *c;
    uc.node = u;
    mote_window win;
    const int64_t in[2] = {OH, OW};
    if (mote_op_window(&uc, 2, in, w->dims + 2, 0, &win) != MOTE_OK)
        return 0;
    return mote_conv_dw_paths(c->k, OC, mote_attr_get_int(u, "group", 1), w->dims[0], win.KH, win.KW, win.dh,
                              win.dw) &&
           !mote_conv_dw_by_rows(c->threads, win.OH, win.OW);
}
