/*
 * conv_per_chan.c — Conv by input channel (conv.c's "im2col_c"): one GEMM
 * per input channel over its KH*KW taps, from zero, the channels' products
 * added in channel order, then bias and activation (and the residual).
 * The order ONNX Runtime sums a first layer of 2 to 4 channels in; see
 * conv.c's header comment for when it is chosen.
 */
#include "graph/internal.h"
#include "op_util.h"
#include "conv_internal.h"

/* By input channel, the output is done in blocks of PC_BLOCK pixel
 * columns, one block per task: the channels' products of a block and their
 * sum stay in cache. */
#define PC_BLOCK 256

typedef struct chan_job {
    const conv_params *p;
    const float *col, *w, *bias;
    float *y;                  /* (OC, OHW) of one image                        */
    char *scratch;             /* per thread: part_bytes                        */
    const float *r;            /* (OC, OHW): the residual, or NULL              */
} chan_job;

/* blocks [b, e) of PC_BLOCK columns: y = act(((s_0 + s_1) + ...) + bias) */
static void chan_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const chan_job *j = ctx;
    const conv_params *p = j->p;
    const mote_conv2d_args *g = &p->a;
    int64_t KK = g->KH * g->KW, OHW = g->OH * g->OW;
    float *part = (float *)(j->scratch + (size_t)thread * p->part_bytes);
    void *gemm_scratch = (char *)part + mote_align_up((size_t)g->OC * PC_BLOCK * sizeof(float), 64);
    for (int64_t blk = b; blk < e; blk++) {
        int64_t n0 = blk * PC_BLOCK, nw = OHW - n0 < PC_BLOCK ? OHW - n0 : PC_BLOCK;
        const mote_gemm_plan *plans = p->cplans + (nw == PC_BLOCK || OHW <= PC_BLOCK ? 0 : g->C);
        float *yb = j->y + n0;
        for (int64_t ic = 0; ic < g->C; ic++) {
            mote_gemm_run(&plans[ic], NULL, j->w + ic * KK, p->Kc, j->col + ic * KK * OHW + n0,
                          ic ? part : yb, ic ? nw : OHW, gemm_scratch);
            if (!ic)
                continue;
            int last = ic == g->C - 1;
            for (int64_t oc = 0; oc < g->OC; oc++) {
                float *restrict y = yb + oc * OHW;
                const float *restrict q = part + oc * nw;
                if (!last) {
                    for (int64_t i = 0; i < nw; i++)
                        y[i] += q[i];
                    continue;
                }
                float bv = j->bias ? j->bias[oc] : 0.0f;
                for (int64_t i = 0; i < nw; i++)
                    y[i] = (y[i] + q[i]) + bv;
                p->act_fn(nw, y, g->act);
            }
        }
        for (int64_t oc = 0; j->r && oc < g->OC; oc++)
            mote_conv_apply_residual(p, yb + oc * OHW, j->r + n0 + oc * OHW, nw);
    }
}

void mote_conv_per_chan_run(const mote_step *s, const conv_params *p, const float *col, const float *w,
                            const float *bias, float *y, const float *r)
{
    const mote_conv2d_args *g = &p->a;
    int64_t OHW = g->OH * g->OW;
    chan_job cj = {p, col, w, bias, y, (char *)s->scratch + p->col_bytes, r};
    mote_pool_for(s->pool, (OHW + PC_BLOCK - 1) / PC_BLOCK, 1, chan_chunk, &cj);
}

mote_status mote_conv_per_chan_prepare(mote_op_ctx *c, conv_params *p, const float *w)
{
    const mote_conv2d_args *a = &p->a;
    const int64_t KK = a->KH * a->KW, OHW = a->OH * a->OW;
    if (!(p->cplans = mote_ctx_alloc(c, 2 * (size_t)a->C * sizeof *p->cplans)))
        return MOTE_ERR_NOMEM;
    /* plans for a block of PC_BLOCK columns and for the last, narrower
     * one; per thread a block's product and the GEMM's scratch (the GEMM
     * runs on that thread alone) */
    size_t most = 0;
    for (int64_t i = 0; i < 2 * a->C; i++) {
        int64_t ic = i % a->C, nw = OHW <= PC_BLOCK ? OHW : i < a->C ? PC_BLOCK : OHW % PC_BLOCK;
        size_t sg = 0;
        mote_act none = {MOTE_ACT_NONE, 0, 0};
        const float *w_const = w ? w + ic * KK : NULL;
        mote_status st = mote_gemm_plan_init_const_a(c, &p->cplans[i], a->OC, nw ? nw : PC_BLOCK, KK,
                                                     w_const, p->Kc, OHW, NULL, 0, none, &sg);
        if (st)
            return st;
        if (sg > most)
            most = sg;
    }
    p->part_bytes = mote_align_up((size_t)a->OC * PC_BLOCK * sizeof(float), 64) + mote_align_up(most, 64);
    return MOTE_OK;
}
