/*
 * conv_im2col_tiled.c — im2col + GEMM by blocks of output rows (see
 * conv_im2col_tiled.h).
 *
 * A block of output rows [oy0, oy1) is the im2col of a view of the same
 * convolution with OH = oy1 - oy0 and the top pad ph - oy0 * sh (negative
 * inside the image): the table's im2col computes exactly those rows.
 */
#include <stdint.h>
#include <string.h>
#include "conv_im2col_tiled.h"
#include "graph/internal.h"
#include "runtime/prepared.h"

/* floats of im2col columns per block, at most (512 KiB: within a 2 MiB
 * L2 with the weights and the GEMM's packed panels beside it; 256 KiB
 * left ResNet-18's 3x3 stride-2 64->128 layer blocks of 4 rows of 28,
 * 3.5 panels: 1.07-1.19 -> 0.96-1.01 ms at 8 rows, AVX-512, 1 thread) */
#define TILED_BLOCK_FLOATS 131072
/* the weights (OC x Kc floats) at most this (512 KiB) */
#define TILED_W_FLOATS 131072

bool mote_conv_tiled_fits(int64_t OC, int64_t Kc)
{
    return OC * Kc <= TILED_W_FLOATS;
}

mote_status mote_conv_tiled_prepare(mote_op_ctx *c, mote_conv_tiled *p, const mote_conv2d_args *g,
                                    int64_t N, const float *w, size_t *scratch)
{
    memset(p, 0, sizeof *p);
    p->g = *g;
    p->N = N;
    p->Kc = g->C * g->KH * g->KW;
    p->OHW = g->OH * g->OW;
    p->W = w;
    p->k = c->k;
    /* at most the cache's limit, and at least two blocks (two threads) */
    int64_t rmax = TILED_BLOCK_FLOATS / (p->Kc * g->OW), half = (g->OH + 1) / 2;
    if (rmax > half) rmax = half;
    if (rmax < 1) rmax = 1;
    /* of the rows per block from rmax / 2 to rmax (big blocks: A, the
     * weights, is read again for each), the one whose busiest thread
     * computes the fewest columns of the GEMM's NR-wide panels, the
     * (image, block) pairs split over the threads as mote_pool_for
     * splits them: on one thread the blocks that waste the fewest
     * columns (7 rows of a 28-wide output are 6.1 panels, 8 rows 7);
     * on two, ResNet-18's 1x1 stride-2 64 -> 128 layer (28 rows of 28)
     * takes 2 blocks of 14 rows (13 panels each) over 8 + 8 + 8 + 4
     * (14 + 11). Ties to more rows; from the shape and thread count only */
    int64_t nr = c->k->general.gemm_nr ? c->k->general.gemm_nr() : 16, rows = rmax;
    int threads_ = c->threads > 0 ? c->threads : 1;
    int64_t best = INT64_MAX;
    for (int64_t r = (rmax + 1) / 2; r <= rmax; r++) {
        int64_t nb = (g->OH + r - 1) / r, last = g->OH - (nb - 1) * r;
        int64_t full = (r * g->OW + nr - 1) / nr * nr, tail = (last * g->OW + nr - 1) / nr * nr;
        int64_t units = N * nb, k = units < threads_ ? units : threads_, most = 0;
        for (int64_t t = 0; t < k; t++) {
            int64_t cols = 0;
            for (int64_t u = units * t / k; u < units * (t + 1) / k; u++)
                cols += u % nb == nb - 1 ? tail : full;
            if (cols > most)
                most = cols;
        }
        if (most <= best) {
            best = most;
            rows = r;
        }
    }
    p->rows = rows;
    p->nblocks = (g->OH + rows - 1) / rows;
    int64_t cols = rows * g->OW;
    const mote_general_kernels *k = &c->k->general;
    if (k->gemm_packed_a_f32 && k->gemm_pack_a && k->gemm_pack_a_bytes && k->gemm_mr &&
        k->gemm_packed_a_scratch_bytes) {
        mote_prep_key key = { .tag = MOTE_PREP_GEMM_A, .src = w, .p = { g->OC, p->Kc, p->Kc, 0 } };
        bool fill;
        void *ap = mote_ctx_prepared(c, &key, k->gemm_pack_a_bytes(g->OC, p->Kc), &fill);
        if (!ap)
            return MOTE_ERR_NOMEM;   /* the session reads c->alloc_status */
        if (fill)
            k->gemm_pack_a(g->OC, p->Kc, w, p->Kc, 0, ap);
        p->Ap = ap;
        p->gemm_scratch = mote_align_up(k->gemm_packed_a_scratch_bytes(cols, p->Kc), 64);
    }
    p->col_bytes = mote_align_up((size_t)p->Kc * (size_t)cols * sizeof(float), 64);
    int threads = c->threads > 0 ? c->threads : 1;
    if (!mote_mul_size(p->col_bytes + p->gemm_scratch, (size_t)threads, scratch))
        return mote_op_error(c, MOTE_ERR_NOMEM, "im2col scratch size overflows");
    return MOTE_OK;
}

typedef struct tiled_job {
    const mote_conv_tiled *p;
    const float *x, *bias;
    float *y;
    unsigned char *scratch;
    const mote_conv_res *res;
} tiled_job;

/* [b, e) indexes (image, block) pairs */
static void tiled_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    const tiled_job *j = ctx;
    const mote_conv_tiled *p = j->p;
    const mote_conv2d_args *g = &p->g;
    unsigned char *mine = j->scratch + (size_t)thread * (p->col_bytes + p->gemm_scratch);
    float *col = (float *)mine;
    for (int64_t i = b; i < e; i++) {
        int64_t n = i / p->nblocks, oy0 = (i % p->nblocks) * p->rows;
        int64_t oy1 = oy0 + p->rows < g->OH ? oy0 + p->rows : g->OH;
        mote_conv2d_args a = *g;
        a.x = j->x + n * g->C * g->H * g->W;
        a.OH = oy1 - oy0;
        a.ph = g->ph - oy0 * g->sh;
        p->k->general.im2col_f32(&a, 0, col);
        int64_t cols = a.OH * g->OW;
        float *y = j->y + n * g->OC * p->OHW + oy0 * g->OW;
        if (p->Ap) {
            mote_gemm_packed_a_args ga = {
                .M = g->OC, .N = cols, .K = p->Kc, .Ap = p->Ap, .B = col, .ldb = cols,
                .C = y, .ldc = p->OHW, .bias = j->bias, .bias_per_row = 1, .act = g->act,
                .m0 = 0, .m1 = g->OC, .n0 = 0, .n1 = cols, .scratch = mine + p->col_bytes,
            };
            p->k->general.gemm_packed_a_f32(&ga);
        } else {
            mote_gemm_args ga = {
                .M = g->OC, .N = cols, .K = p->Kc, .A = p->W, .lda = p->Kc, .trans_a = 0,
                .B = col, .ldb = cols, .trans_b = 0, .C = y, .ldc = p->OHW, .alpha = 1.0f,
                .beta = 0.0f, .bias = j->bias, .bias_per_row = 1, .act = g->act,
            };
            p->k->general.gemm_f32(&ga);
        }
        /* the block's rows of each output channel, while in cache */
        for (int64_t oc = 0; j->res && oc < g->OC; oc++) {
            size_t off = (size_t)(y - j->y) + (size_t)(oc * p->OHW);
            j->res->fn(j->res->ctx, j->y + off, j->res->r + off, cols);
        }
    }
}

void mote_conv_tiled_run(const mote_conv_tiled *p, mote_pool *pool, const float *x,
                         const float *bias, float *y, void *scratch, const mote_conv_res *res)
{
    tiled_job j = { p, x, bias, y, scratch, res && res->r ? res : NULL };
    mote_pool_for(pool, p->N * p->nblocks, 1, tiled_chunk, &j);
}
