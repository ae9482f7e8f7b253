/*
 * gemm_plan.h — matrix multiplication as the ops use it: a plan made in
 * mote_session_new, run many times.
 *
 * C (M x N) = act(A (M x K) * B (K x N) + bias). When B is a constant (a
 * weight) and the kernel table has a packed path, B is packed once into the
 * plan; when A is the constant (convolution: W (OC x K) times the image's
 * columns), A is packed once instead (mote_gemm_plan_init_const_a).
 * Otherwise the unpacked table entry is used. The plan splits work
 * over the pool by columns (multiples of the kernel's NR) or rows, never
 * over K, so results do not depend on the thread count.
 */
#ifndef MOTE_GEMM_H
#define MOTE_GEMM_H

#include "ops.h"

typedef struct mote_gemm_plan {
    int64_t M, N, K;
    int trans_a, trans_b;
    const float *B;            /* constant B, or NULL (given per run)   */
    int64_t ldb;
    const void *Bp;            /* packed B (from mote_ctx_alloc), or NULL */
    const float *A; int64_t lda; /* constant A (M x K), or NULL            */
    const void *Ap;            /* packed A (from mote_ctx_alloc), or NULL */
    const float *bias; int bias_per_row;
    mote_act act;
    const mote_kernels *k;
    size_t scratch_per_thread; /* bytes, for the packed path            */
    int threads;
    /* split over rows (A's M) whenever that balances the threads about as
     * well as columns (within 5%): the op that reads C next splits it by
     * rows too, and then finds its rows in its own core's cache (set by
     * mote_gemm_plan_rows_next) */
    int rows_next;
    /* the split over `threads` threads, chosen when the plan is made: by
     * columns or rows, in units of split_grain */
    int split_cols;
    int64_t split_grain;
} mote_gemm_plan;

/*
 * Fills a plan. B_const: constant B data or NULL. Returns the scratch bytes
 * needed per run in *scratch (to add to the op's scratch_bytes).
 */
mote_status mote_gemm_plan_init(mote_op_ctx *c, mote_gemm_plan *p,
                                int64_t M, int64_t N, int64_t K,
                                int trans_a, int trans_b,
                                const float *B_const, int64_t ldb,
                                const float *bias, int bias_per_row,
                                mote_act act, size_t *scratch);
/*
 * Fills a plan whose A (M x K, row-major, lda; not transposed) is a
 * constant, packed once when the table has a packed-A path. B is K x N
 * row-major with leading dimension ldb, given per run.
 */
mote_status mote_gemm_plan_init_const_a(mote_op_ctx *c, mote_gemm_plan *p,
                                        int64_t M, int64_t N, int64_t K,
                                        const float *A_const, int64_t lda, int64_t ldb,
                                        const float *bias, int bias_per_row,
                                        mote_act act, size_t *scratch);
/* Marks a plan's C as read by rows by the op after it (rows_next) and
 * chooses its split again. */
void mote_gemm_plan_rows_next(mote_gemm_plan *p);

/* Rows the kernels compute for r rows: whole MR-row tiles, and an edge
 * of fewer as a quarter, half, three quarters or all of a tile
 * (arch/x86/gemm_tmpl.h's edge tiles). */
int64_t mote_gemm_rows_done(int64_t r, int64_t mr);

/* C = act(A B + bias) with ld's of the plain row-major layouts; B ignored
 * when the plan holds a constant B, A when it holds a constant A. */
void mote_gemm_run(const mote_gemm_plan *p, mote_pool *pool, const float *A, int64_t lda,
                   const float *B, float *C, int64_t ldc, void *scratch);

/* Columns [n0, n1) of C = act(A B + bias) on the calling thread, which
 * is thread `thread` of the pool the plan was made for (its scratch
 * slice): the same bits as those columns of mote_gemm_run, when n0 is a
 * multiple of the kernel's NR (gemm_nr). */
void mote_gemm_run_cols(const mote_gemm_plan *p, const float *A, int64_t lda, const float *B, float *C,
                        int64_t ldc, int64_t n0, int64_t n1, void *scratch, int thread);

#endif
