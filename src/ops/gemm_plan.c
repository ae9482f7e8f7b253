/*
 * gemm_plan.c — GEMM plans (see gemm.h): pack a constant B once, then split
 * each run over the thread pool.
 *
 * The split never cuts K, and a kernel computes each C element from the
 * same operands in the same order whatever range it is given, so the
 * result is identical for any thread count. Columns are split in
 * multiples of the kernel's NR when there are enough of them; otherwise
 * rows are split.
 */
#include <string.h>
#include "gemm_plan.h"
#include "graph/internal.h"
#include "runtime/prepared.h"

static void plan_split(mote_gemm_plan *p);

mote_status mote_gemm_plan_init(mote_op_ctx *c, mote_gemm_plan *p,
                                int64_t M, int64_t N, int64_t K,
                                int trans_a, int trans_b,
                                const float *B_const, int64_t ldb,
                                const float *bias, int bias_per_row,
                                mote_act act, size_t *scratch)
{
    memset(p, 0, sizeof *p);
    p->M = M; p->N = N; p->K = K;
    p->trans_a = trans_a; p->trans_b = trans_b;
    p->B = B_const; p->ldb = ldb;
    p->bias = bias; p->bias_per_row = bias_per_row;
    p->act = act;
    p->k = c->k;
    p->threads = c->threads > 0 ? c->threads : 1;
    *scratch = 0;
    const mote_general_kernels *k = &c->k->general;
    /* The packed path needs alpha = 1, beta = 0, and A not transposed
     * unless M > 8 (kernels.h: mote_gemm_packed_args). */
    if (B_const && (!trans_a || M > 8) && k->gemm_packed_f32 && k->gemm_pack_b && k->gemm_pack_b_bytes &&
        k->gemm_nr && k->gemm_scratch_bytes && M > 0 && N > 0 && K > 0) {
        size_t bytes = k->gemm_pack_b_bytes(K, N);
        mote_prep_key key = { .tag = MOTE_PREP_GEMM_B, .src = B_const, .p = { K, N, ldb, trans_b } };
        bool fill;
        void *bp = mote_ctx_prepared(c, &key, bytes, &fill);
        if (!bp) return MOTE_ERR_NOMEM;   /* the session reads c->alloc_status */
        if (fill) k->gemm_pack_b(K, N, B_const, ldb, trans_b, bp);
        p->Bp = bp;
        p->scratch_per_thread = mote_align_up(k->gemm_scratch_bytes(M, K), 64);
        size_t total;
        if (!mote_mul_size(p->scratch_per_thread, (size_t)p->threads, &total))
            return mote_op_error(c, MOTE_ERR_NOMEM, "GEMM scratch size overflows");
        *scratch = total;
    }
    plan_split(p);
    return MOTE_OK;
}

mote_status mote_gemm_plan_init_const_a(mote_op_ctx *c, mote_gemm_plan *p,
                                        int64_t M, int64_t N, int64_t K,
                                        const float *A_const, int64_t lda, int64_t ldb,
                                        const float *bias, int bias_per_row,
                                        mote_act act, size_t *scratch)
{
    mote_status st = mote_gemm_plan_init(c, p, M, N, K, 0, 0, NULL, ldb, bias, bias_per_row,
                                         act, scratch);
    if (st) return st;
    p->A = A_const; p->lda = lda;
    const mote_general_kernels *k = &c->k->general;
    if (A_const && k->gemm_packed_a_f32 && k->gemm_pack_a && k->gemm_pack_a_bytes &&
        k->gemm_mr && k->gemm_packed_a_scratch_bytes && M > 0 && N > 0 && K > 0) {
        mote_prep_key key = { .tag = MOTE_PREP_GEMM_A, .src = A_const, .p = { M, K, lda, 0 } };
        bool fill;
        void *ap = mote_ctx_prepared(c, &key, k->gemm_pack_a_bytes(M, K), &fill);
        if (!ap) return MOTE_ERR_NOMEM;   /* the session reads c->alloc_status */
        if (fill) k->gemm_pack_a(M, K, A_const, lda, 0, ap);
        p->Ap = ap;
        /* a thread gets at most all N columns */
        p->scratch_per_thread = mote_align_up(k->gemm_packed_a_scratch_bytes(N, K), 64);
        size_t total;
        if (!mote_mul_size(p->scratch_per_thread, (size_t)p->threads, &total))
            return mote_op_error(c, MOTE_ERR_NOMEM, "GEMM scratch size overflows");
        *scratch = total;
    }
    plan_split(p);
    return MOTE_OK;
}

typedef struct gemm_job {
    const mote_gemm_plan *p;
    const float *A; int64_t lda;
    const float *B;
    float *C; int64_t ldc;
    uint8_t *scratch;
    bool by_cols;
} gemm_job;

static void packed_chunk(void *ctx, int64_t b, int64_t e, int t)
{
    const gemm_job *j = ctx;
    const mote_gemm_plan *p = j->p;
    mote_gemm_packed_args a = {
        .M = p->M, .N = p->N, .K = p->K, .A = j->A, .lda = j->lda, .trans_a = p->trans_a, .Bp = p->Bp,
        .C = j->C, .ldc = j->ldc, .bias = p->bias, .bias_per_row = p->bias_per_row,
        .act = p->act, .m0 = 0, .m1 = p->M, .n0 = 0, .n1 = p->N,
        /* reliability: no offset on a NULL scratch (UB, found by fuzz_mote) */
        .scratch = j->scratch ? j->scratch + (size_t)t * p->scratch_per_thread : NULL,
    };
    if (j->by_cols) { a.n0 = b; a.n1 = e; }
    else { a.m0 = b; a.m1 = e; }
    p->k->general.gemm_packed_f32(&a);
}

static void packed_a_chunk(void *ctx, int64_t b, int64_t e, int t)
{
    const gemm_job *j = ctx;
    const mote_gemm_plan *p = j->p;
    mote_gemm_packed_a_args a = {
        .M = p->M, .N = p->N, .K = p->K, .Ap = p->Ap, .B = j->B, .ldb = p->ldb,
        .C = j->C, .ldc = j->ldc, .bias = p->bias, .bias_per_row = p->bias_per_row,
        .act = p->act, .m0 = 0, .m1 = p->M, .n0 = 0, .n1 = p->N,
        .scratch = j->scratch + (size_t)t * p->scratch_per_thread,
    };
    if (j->by_cols) { a.n0 = b; a.n1 = e; }
    else { a.m0 = b; a.m1 = e; }
    p->k->general.gemm_packed_a_f32(&a);
}

static void plain_chunk(void *ctx, int64_t b, int64_t e, int t)
{
    const gemm_job *j = ctx;
    const mote_gemm_plan *p = j->p;
    const float *B = p->B ? p->B : j->B;
    const float *A = p->A ? p->A : j->A;
    int64_t lda = p->A ? p->lda : j->lda;
    mote_gemm_args a = {
        .M = p->M, .N = p->N, .K = p->K,
        .A = A, .lda = lda, .trans_a = p->trans_a,
        .B = B, .ldb = p->ldb, .trans_b = p->trans_b,
        .C = j->C, .ldc = j->ldc, .alpha = 1.0f, .beta = 0.0f,
        .bias = p->bias, .bias_per_row = p->bias_per_row, .act = p->act,
    };
    if (j->by_cols) {
        a.N = e - b;
        a.B = p->trans_b ? B + b * p->ldb : B + b;
        a.C = j->C + b;
        if (a.bias && !a.bias_per_row) a.bias += b;
    } else {
        a.M = e - b;
        a.A = p->trans_a ? A + b : A + b * lda;
        a.C = j->C + b * j->ldc;
        if (a.bias && a.bias_per_row) a.bias += b;
    }
    p->k->general.gemm_f32(&a);
}

int64_t mote_gemm_rows_done(int64_t r, int64_t mr)
{
    int64_t full = r / mr * mr, rem = r - full;
    if (rem == 0) return full;
    int64_t q = (mr + 3) / 4, h = (mr + 1) / 2, t = (3 * mr + 3) / 4;
    return full + (rem <= q ? q : rem <= h ? h : rem <= t ? t : mr);
}

/* A packed element costs about as much as this many multiply-add lanes
 * of the micro-kernel (it is read, reordered and written once). */
#define PACK_COST 6

/*
 * The most work any one thread gets when n items are split in units of
 * grain as mote_pool_for splits them (chunk t: units*t/k to
 * units*(t+1)/k), in multiply-add lanes: its share of the product,
 * counted in whole micro-tiles (edge columns in full, edge rows as
 * rows_done), plus what it packs. by_cols: the split is over the N
 * columns, else over the M rows; pack_a: the run packs A (the packed-B
 * path: each thread packs the A rows it multiplies), else B (the
 * packed-A path: the B columns).
 */
static double split_cost(int64_t M, int64_t N, int64_t K, int64_t mr, int64_t nr, int threads, bool by_cols,
                         bool pack_a)
{
    int64_t n = by_cols ? N : M, grain = by_cols ? nr : mr;
    int64_t units = (n + grain - 1) / grain;
    int k = units < threads ? (int)units : threads;
    double most = 0;
    for (int t = 0; t < k; t++) {
        int64_t b = units * t / k * grain, e = units * (t + 1) / k * grain;
        if (e > n) e = n;
        int64_t rows = by_cols ? M : e - b, cols = by_cols ? e - b : N;
        double work = (double)mote_gemm_rows_done(rows, mr) * (double)((cols + nr - 1) / nr * nr) * (double)K;
        work += PACK_COST * (double)K * (double)(pack_a ? rows : cols);
        if (work > most) most = work;
    }
    return most;
}

/*
 * How the plan's product splits over `threads` threads: by columns or by
 * rows, in units of *grain. A function of the plan's shape, kernels and
 * rows_next alone, so a plan makes the choice once for its session's
 * thread count (mote_gemm_plan_init); a run on another count (a NULL
 * pool: one thread) makes it again.
 */
static void choose_split(const mote_gemm_plan *p, int threads, bool *by_cols, int64_t *grain)
{
    if (p->Ap) {
        /* columns (in multiples of NR) when each thread gets some, else rows
         * in multiples of MR (packed-A micro-panels) */
        int64_t nr = p->k->general.gemm_nr(), mr = p->k->general.gemm_mr();
        bool cols = (p->N / nr) >= threads || (p->M + mr - 1) / mr < threads;
        bool rows_ok = threads > 1 && cols && (p->M + mr - 1) / mr >= threads;
        double rows_cost = rows_ok ? split_cost(p->M, p->N, p->K, mr, nr, threads, false, false) : 0;
        double cols_cost = rows_ok ? split_cost(p->M, p->N, p->K, mr, nr, threads, true, false) : 0;
        /* but rows when that balances the threads' tiles better (14x14
         * pixels = 7 column panels: 4 + 3 on 2 threads), or within 5% of
         * columns when the next op reads C by rows (MobileNetV2's 32 -> 192
         * expansions at 28x28 before their depthwise convs, split by
         * channel: those ran 8-12 us faster of 24-44 at 2 threads, reading
         * their channels on their own core) */
        if (rows_ok && (rows_cost < 0.95 * cols_cost || (p->rows_next && rows_cost <= 1.05 * cols_cost)))
            cols = false;
        *by_cols = cols;
        *grain = cols ? nr : mr;
    } else if (p->Bp) {
        /* rows in multiples of MR when every thread gets at least one full
         * row block (12 micro-panels: the kernels' MC), so no two threads
         * pack the same A rows (splitting columns, each packs all of A:
         * measured 1.45-1.9x on 2 threads against 1.5-2.1x by rows);
         * otherwise columns in multiples of NR when each thread gets some */
        int64_t nr = p->k->general.gemm_nr();
        int64_t mr = p->k->general.gemm_mr ? p->k->general.gemm_mr() : 1;
        bool tall = threads > 1 && p->M >= (int64_t)threads * 12 * mr;
        /* few column panels for the threads (fewer than two each: a 3-panel
         * product on 2 threads is 2 + 1) and a few row panels each: rows */
        if (threads > 1 && p->N / nr < 2 * (int64_t)threads && p->M >= (int64_t)threads * 4 * mr)
            tall = true;
        bool cols = !tall && ((p->N / nr) >= threads || p->M < threads);
        /* the other way when that balances the threads' tiles and packing
         * clearly better (MobileNetV2's 7x7 layers, transposed: 49 rows
         * against 5 column panels, each thread packing all of A) */
        if (threads > 1 && (p->M + mr - 1) / mr >= threads && (p->N + nr - 1) / nr >= threads &&
            split_cost(p->M, p->N, p->K, mr, nr, threads, !cols, true) <
                0.95 * split_cost(p->M, p->N, p->K, mr, nr, threads, cols, true))
            cols = !cols;
        *by_cols = cols;
        *grain = cols ? nr : p->M >= (int64_t)threads * mr ? mr : 1;
    } else {
        *by_cols = p->M < threads && p->N >= 16 * threads;
        *grain = *by_cols ? 16 : 1;
    }
}

/* The split for the plan's own thread count, once its paths are known. */
static void plan_split(mote_gemm_plan *p)
{
    bool cols;
    choose_split(p, p->threads, &cols, &p->split_grain);
    p->split_cols = cols;
}

void mote_gemm_plan_rows_next(mote_gemm_plan *p)
{
    p->rows_next = 1;
    plan_split(p);
}

void mote_gemm_run(const mote_gemm_plan *p, mote_pool *pool, const float *A, int64_t lda,
                   const float *B, float *C, int64_t ldc, void *scratch)
{
    if (p->M <= 0 || p->N <= 0) return;
    gemm_job j = {.p = p, .A = A, .lda = lda, .B = B, .C = C, .ldc = ldc, .scratch = scratch};
    int threads = mote_pool_threads(pool);
    int64_t grain = p->split_grain;
    j.by_cols = p->split_cols;
    if (threads != p->threads) choose_split(p, threads, &j.by_cols, &grain);
    mote_pool_fn fn = p->Ap ? packed_a_chunk : p->Bp ? packed_chunk : plain_chunk;
    mote_pool_for(pool, j.by_cols ? p->N : p->M, grain, fn, &j);
}

void mote_gemm_run_cols(const mote_gemm_plan *p, const float *A, int64_t lda, const float *B, float *C,
                        int64_t ldc, int64_t n0, int64_t n1, void *scratch, int thread)
{
    if (p->M <= 0 || n1 <= n0) return;
    gemm_job j = { p, A, lda, B, C, ldc, scratch, true };
    if (p->Ap) packed_a_chunk(&j, n0, n1, thread);
    else if (p->Bp) packed_chunk(&j, n0, n1, thread);
    else plain_chunk(&j, n0, n1, thread);
}
