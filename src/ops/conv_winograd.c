/*
 * conv_winograd.c — the Winograd F(2x2,3x3) convolution engine (see
 * conv_winograd.h; the transforms' specification is kernels/winograd_ref.c).
 *
 * Why F(2x2,3x3): 16 products of (OC x C) by (C x T) do the work of
 * 9 * 4 = 36 per tile (2.25x fewer multiply-adds than im2col + GEMM), its
 * transforms only add (their rounding is that of a few additions: the
 * result stays within a few ulps of the sum's magnitude, tested against the
 * direct reference), and its 4x4 tiles waste little on ResNet's 56..7 maps.
 */
#include <string.h>
#include "conv_winograd.h"
#include "graph/internal.h"
#include "runtime/prepared.h"

/* tile columns per GEMM call, at most (a packed block of V_xi) */
#define WINO_MAX_COLS 384

mote_status mote_conv_wino_prepare(mote_op_ctx *c, mote_conv_wino *p, const mote_conv2d_args *g,
                                   const float *w, size_t *scratch)
{
    memset(p, 0, sizeof *p);
    p->C = g->C; p->H = g->H; p->W = g->W;
    p->OC = g->OC; p->OH = g->OH; p->OW = g->OW;
    p->ph = g->ph; p->pw = g->pw;
    p->act = g->act;
    p->TH = (g->OH + 1) / 2;
    p->TW = (g->OW + 1) / 2;
    p->T = p->TH * p->TW;
    p->k = c->k;
    size_t ubytes;
    if (!mote_mul_size((size_t)16 * sizeof(float), (size_t)(p->OC * p->C), &ubytes))
        return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd weights overflow");
    mote_prep_key key = { .tag = MOTE_PREP_WINOGRAD_F2, .src = w, .p = { p->OC, p->C, 0, 0 } };
    bool fill;
    float *U = mote_ctx_prepared(c, &key, ubytes, &fill);
    if (!U)
        return MOTE_ERR_NOMEM;   /* the session reads c->alloc_status */
    if (fill)
        mote_winograd_f2_weights(p->OC, p->C, w, U);
    p->U = U;

    const mote_general_kernels *k = &c->k->general;
    int64_t nr = k->gemm_nr ? k->gemm_nr() : 16;
    int packed = k->gemm_packed_a_f32 && k->gemm_pack_a && k->gemm_pack_a_bytes && k->gemm_mr &&
                 k->gemm_packed_a_scratch_bytes;
    int64_t blocks = (p->T + WINO_MAX_COLS - 1) / WINO_MAX_COLS;
    int64_t per = (p->T + blocks - 1) / blocks;
    p->nblk = (per + nr - 1) / nr * nr;
    int threads = c->threads > 0 ? c->threads : 1;
    if (packed) {
        for (int xi = 0; xi < 16; xi++) {
            const float *Ux = U + (size_t)xi * (size_t)(p->OC * p->C);
            mote_prep_key ka = { .tag = MOTE_PREP_GEMM_A, .src = Ux, .p = { p->OC, p->C, p->C, 0 } };
            void *ap = mote_ctx_prepared(c, &ka, k->gemm_pack_a_bytes(p->OC, p->C), &fill);
            if (!ap)
                return MOTE_ERR_NOMEM;
            if (fill)
                k->gemm_pack_a(p->OC, p->C, Ux, p->C, 0, ap);
            p->Up[xi] = ap;
        }
        p->gemm_scratch = mote_align_up(k->gemm_packed_a_scratch_bytes(p->T, p->C), 64);
    }
    p->v_bytes = mote_align_up((size_t)16 * (size_t)(p->C * p->T) * sizeof(float), 64);
    p->m_bytes = mote_align_up((size_t)16 * (size_t)(p->OC * p->T) * sizeof(float), 64);
    size_t gs, total;
    if (!mote_mul_size(p->gemm_scratch, (size_t)threads, &gs) ||
        !mote_add_size(p->v_bytes + p->m_bytes, gs, &total))
        return mote_op_error(c, MOTE_ERR_NOMEM, "Winograd scratch size overflows");
    *scratch = total;
    return MOTE_OK;
}

typedef struct wino_job {
    const mote_conv_wino *p;
    mote_winograd_args a;       /* in or out: the channel range set per chunk */
    const float *V;
    float *M;
    unsigned char *gemm_scratch;
    int out;                    /* transform_chunk: the output transform   */
} wino_job;

static void transform_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    (void)thread;
    const wino_job *j = ctx;
    mote_winograd_args a = j->a;
    a.c0 = b;
    a.c1 = e;
    if (j->out)
        j->p->k->general.winograd_out_f32(&a);
    else
        j->p->k->general.winograd_in_f32(&a);
}

/* [b, e) indexes (xi, block of tile columns) */
static void gemm_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const wino_job *j = ctx;
    const mote_conv_wino *p = j->p;
    int64_t nb = (p->T + p->nblk - 1) / p->nblk;
    for (int64_t i = b; i < e; i++) {
        int64_t xi = i / nb, n0 = (i % nb) * p->nblk, n1 = n0 + p->nblk < p->T ? n0 + p->nblk : p->T;
        const float *V = j->V + xi * p->C * p->T;
        float *M = j->M + xi * p->OC * p->T;
        if (p->Up[xi]) {
            mote_gemm_packed_a_args g = {
                .M = p->OC, .N = p->T, .K = p->C, .Ap = p->Up[xi], .B = V, .ldb = p->T,
                .C = M, .ldc = p->T, .bias = NULL, .bias_per_row = 0,
                .act = { MOTE_ACT_NONE, 0, 0 }, .m0 = 0, .m1 = p->OC, .n0 = n0, .n1 = n1,
                .scratch = j->gemm_scratch + (size_t)thread * p->gemm_scratch,
            };
            p->k->general.gemm_packed_a_f32(&g);
        } else {
            mote_gemm_args g = {
                .M = p->OC, .N = n1 - n0, .K = p->C, .A = p->U + xi * p->OC * p->C, .lda = p->C,
                .trans_a = 0, .B = V + n0, .ldb = p->T, .trans_b = 0, .C = M + n0, .ldc = p->T,
                .alpha = 1.0f, .beta = 0.0f, .bias = NULL, .bias_per_row = 0,
                .act = { MOTE_ACT_NONE, 0, 0 },
            };
            p->k->general.gemm_f32(&g);
        }
    }
}

void mote_conv_wino_run(const mote_conv_wino *p, mote_pool *pool, const float *x,
                        const float *bias, float *y, void *scratch)
{
    float *V = scratch;
    float *M = (float *)((char *)scratch + p->v_bytes);
    unsigned char *gs = (unsigned char *)scratch + p->v_bytes + p->m_bytes;
    wino_job j = { .p = p, .V = V, .M = M, .gemm_scratch = gs };
    j.a = (mote_winograd_args){ .C = p->C, .H = p->H, .W = p->W, .ph = p->ph, .pw = p->pw,
                                .TH = p->TH, .TW = p->TW, .src = x, .dst = V,
                                .act = { MOTE_ACT_NONE, 0, 0 } };
    mote_pool_for(pool, p->C, 1, transform_chunk, &j);
    int64_t nb = (p->T + p->nblk - 1) / p->nblk;
    mote_pool_for(pool, 16 * nb, 1, gemm_chunk, &j);
    j.a = (mote_winograd_args){ .C = p->OC, .H = p->OH, .W = p->OW, .TH = p->TH, .TW = p->TW,
                                .src = M, .dst = y, .bias = bias, .act = p->act };
    j.out = 1;
    mote_pool_for(pool, p->OC, 1, transform_chunk, &j);
}
