/*
 * test_kernels_isa.c — every non-NULL entry of every x86 kernel table this
 * machine can run (avx2, avx512) against the reference kernel, on random
 * shapes that include awkward sizes (1, 3, 7, 15, 16, 17, 31, 33, 255, 257),
 * strided and transposed operands, and every activation; plus the measured
 * error bounds of the vectorized math functions and CPU dispatch checks.
 *
 * Tolerances, per kernel (r: the reference value):
 *   GEMM, dot          |d| <= 2 K eps S + 4e-6 (1 + |r|), S = sum_k |a_k b_k|
 *                      (the standard bound for two orders of summation),
 *                      + the activation's own bound below
 *   relu, neg, abs, clip, leaky_relu, binary add/sub/mul/div/max/min,
 *   im2col             exact (the same IEEE operations)
 *   hard_sigmoid/swish 1e-6 (1 + |r|)   (fused multiply-add vs two roundings)
 *   exp                4e-7 relative (+ the smallest normal float, for underflow)
 *   sqrt, reciprocal   exact (IEEE correctly rounded)
 *   sigmoid, tanh, erf 1e-6 absolute
 *   gelu, silu         1e-6 (1 + |x|)
 *   softmax            1e-6 absolute; log_softmax 4e-6 (1 + |r|)
 *   layernorm, rmsnorm 2e-5 (1 + |r|)   (vector partial sums)
 *   channel affine     1e-6 (1 + |r|); global avgpool 1e-5 (1 + |r|)
 *   depthwise 3x3      1e-5 (1 + |r|)
 *   max/avg pooling    exact (same taps, same order, same IEEE operations;
 *                      NaN results need only both be NaN); channels outside
 *                      [c0, c1) stay unwritten
 * A table is skipped (with a message) only when this CPU cannot run it.
 */
#include "config.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu.h"
#include "kernels.h"
#include "ref.h"
#include "testutil.h"

static const char *const isas[] = { "avx2", "avx512" };
#define N_ISAS 2
static const int64_t sizes[] = { 1, 3, 7, 15, 16, 17, 31, 33, 255, 257 };
#define N_SIZES 10

/* The table for isa, or NULL (and a note) if this machine cannot run it. */
static const mote_kernels *table(const char *isa, mote_kernels *k)
{
    if (!mote_cpu_isa_available(isa)) {
        static int noted[N_ISAS];
        int i = strcmp(isa, "avx2") == 0 ? 0 : 1;
        if (!noted[i]) fprintf(stderr, "test_kernels_isa: %s not available here, skipped\n", isa);
        noted[i] = 1;
        return NULL;
    }
    ck_assert_int_eq(mote_cpu_kernels(isa, k), MOTE_OK);
    return k;
}

static uint32_t rng = 12345;
static int64_t rnd(int64_t n)
{
    rng = rng * 1664525u + 1013904223u;
    return (int64_t)((rng >> 8) % (uint32_t)n);
}
static float *buf(int64_t n, float lo, float hi)
{
    float *p = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(p);
    mote_test_fill(p, n, (uint32_t)rnd(1 << 30), lo, hi);
    return p;
}

static const mote_act acts[] = {
    { MOTE_ACT_NONE, 0, 0 },        { MOTE_ACT_RELU, 0, 0 },
    { MOTE_ACT_LEAKY_RELU, 0.1f, 0 }, { MOTE_ACT_CLIP, -0.5f, 0.75f },
    { MOTE_ACT_SIGMOID, 0, 0 },     { MOTE_ACT_TANH, 0, 0 },
    { MOTE_ACT_HARD_SIGMOID, 0.2f, 0.5f }, { MOTE_ACT_HARD_SWISH, 0, 0 },
    { MOTE_ACT_GELU, 0, 0 },
};
#define N_ACTS ((int)(sizeof acts / sizeof acts[0]))

/* Extra tolerance an activation's approximation adds at value x. */
static float act_tol(mote_act a, float x)
{
    switch (a.kind) {
    case MOTE_ACT_SIGMOID: case MOTE_ACT_TANH: return 1e-6f;
    case MOTE_ACT_GELU: case MOTE_ACT_HARD_SWISH: case MOTE_ACT_HARD_SIGMOID:
        return 1e-6f * (1.0f + fabsf(x));
    default: return 0.0f;
    }
}

/* ------------------------------------------------------------------ GEMM */

/* S[m,n] = sum_k |A[m,k] B[k,n]| for the error bound; A, B row-major plain. */
static void abs_products(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, int ta,
                         const float *B, int64_t ldb, int tb, double *S)
{
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = 0;
            for (int64_t k = 0; k < K; k++)
                s += fabs((double)(ta ? A[k * lda + i] : A[i * lda + k]) *
                          (double)(tb ? B[j * ldb + k] : B[k * ldb + j]));
            S[i * N + j] = s;
        }
}

static void check_gemm_close(const char *what, int64_t M, int64_t N, int64_t K, const float *C,
                             const float *R, int64_t ldc, const double *S, float alpha, mote_act act)
{
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            float c = C[i * ldc + j], r = R[i * ldc + j];
            double tol = 2.0 * (double)K * FLT_EPSILON * fabs(alpha) * S[i * N + j] +
                         4e-6 * (1 + fabs(r)) + act_tol(act, r);
            ck_assert_msg(fabs((double)c - (double)r) <= tol,
                          "%s M=%lld N=%lld K=%lld act=%d: C[%lld,%lld] = %.8g, reference %.8g",
                          what, (long long)M, (long long)N, (long long)K, (int)act.kind,
                          (long long)i, (long long)j, (double)c, (double)r);
        }
}

START_TEST(test_gemm_unpacked_matches_reference_on_awkward_shapes)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int it = 0; it < 60; it++) {
            int64_t M = sizes[rnd(8)], N = sizes[rnd(N_SIZES)], K = sizes[rnd(N_SIZES)];
            if (it == 0) M = 1, N = 1, K = 1;
            int ta = (int)rnd(2), tb = (int)rnd(2);
            int64_t lda = (ta ? M : K) + rnd(3), ldb = (tb ? K : N) + rnd(3), ldc = N + rnd(3);
            float alpha = it % 3 == 0 ? 1.0f : 0.75f, beta = it % 4 == 0 ? 0.0f : it % 4 == 1 ? 1.0f : -0.5f;
            mote_act act = acts[it % N_ACTS];
            int bias_kind = (int)rnd(3); /* none, per column, per row */
            float *A = buf((ta ? K : M) * lda, -1, 1), *B = buf((tb ? N : K) * ldb, -1, 1);
            float *C = buf(M * ldc, -1, 1), *R = malloc(sizeof(float) * (size_t)(M * ldc));
            float *bias = buf(M > N ? M : N, -1, 1);
            double *S = malloc(sizeof(double) * (size_t)(M * N));
            memcpy(R, C, sizeof(float) * (size_t)(M * ldc));
            mote_gemm_args a = { M, N, K, A, lda, ta, B, ldb, tb, C, ldc, alpha, beta,
                                 bias_kind ? bias : NULL, bias_kind == 2, act };
            k.gemm_f32(&a);
            a.C = R;
            mote_gemm_f32_ref(&a);
            abs_products(M, N, K, A, lda, ta, B, ldb, tb, S);
            check_gemm_close(isas[t], M, N, K, C, R, ldc, S, alpha, act);
            /* the padding columns of C (ldc > N) are not touched */
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = N; j < ldc; j++) ck_assert(C[i * ldc + j] == R[i * ldc + j]);
            free(A); free(B); free(C); free(R); free(bias); free(S);
        }
    }
}
END_TEST

/* Packs B, runs the packed entry over [m0,m1) x [n0,n1). */
static void packed_run(const mote_kernels *k, int64_t M, int64_t N, int64_t K, const float *A,
                       int64_t lda, int ta, const void *Bp, float *C, int64_t ldc, const float *bias,
                       int per_row, mote_act act, int64_t m0, int64_t m1, int64_t n0, int64_t n1)
{
    void *scratch = malloc(k->gemm_scratch_bytes(M, K) + 64);
    ck_assert_ptr_nonnull(scratch);
    mote_gemm_packed_args a = { M, N, K, A, lda, ta, Bp, C, ldc, bias, per_row, act,
                                m0, m1, n0, n1, scratch };
    k->gemm_packed_f32(&a);
    free(scratch);
}

START_TEST(test_gemm_packed_matches_reference_on_ranges)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        ck_assert_ptr_nonnull(k.gemm_packed_f32);
        int64_t nr = k.gemm_nr();
        for (int it = 0; it < 80; it++) {
            /* M from 1 to 8 takes the small-M path; larger M the tiled one */
            int64_t M = it % 2 ? 1 + rnd(8) : sizes[rnd(N_SIZES)];
            int64_t N = sizes[rnd(N_SIZES)], K = sizes[rnd(N_SIZES)];
            /* now and then a K past the largest K block (1024), so the
             * store-and-reload of partial sums between K blocks runs */
            if (it % 8 == 3) K = 1025 + rnd(1200);
            int tb = (int)rnd(2);
            /* a transposed A (K x M in memory) when M > 8, as kernels.h allows */
            int ta = M > 8 && rnd(2);
            int64_t lda = (ta ? M : K) + rnd(3), ldb = (tb ? K : N) + rnd(3), ldc = N + rnd(3);
            mote_act act = acts[it % N_ACTS];
            int bias_kind = (int)rnd(3);
            float *A = buf((ta ? K : M) * lda, -1, 1), *B = buf((tb ? N : K) * ldb, -1, 1);
            float *bias = buf(M > N ? M : N, -1, 1);
            float *C = malloc(sizeof(float) * (size_t)(M * ldc)), *R = malloc(sizeof(float) * (size_t)(M * ldc));
            double *S = malloc(sizeof(double) * (size_t)(M * N));
            void *Bp = malloc(k.gemm_pack_b_bytes(K, N));
            ck_assert_ptr_nonnull(Bp);
            k.gemm_pack_b(K, N, B, ldb, tb, Bp);
            for (int64_t i = 0; i < M * ldc; i++) C[i] = R[i] = 1e30f; /* sentinel */
            /* a random range: n0 a multiple of NR, as the plan gives */
            int64_t m0 = rnd(M), m1 = m0 + 1 + rnd(M - m0);
            int64_t n0 = rnd((N + nr - 1) / nr) * nr, n1 = n0 + 1 + rnd(N - n0);
            if (it % 4 == 0) m0 = 0, m1 = M, n0 = 0, n1 = N;
            packed_run(&k, M, N, K, A, lda, ta, Bp, C, ldc, bias_kind ? bias : NULL, bias_kind == 2,
                       act, m0, m1, n0, n1);
            mote_gemm_args a = { m1 - m0, n1 - n0, K, ta ? A + m0 : A + m0 * lda, lda, ta, tb ? B + n0 * ldb : B + n0,
                                 ldb, tb, R + m0 * ldc + n0, ldc, 1.0f, 0.0f,
                                 bias_kind ? bias + (bias_kind == 2 ? m0 : n0) : NULL, bias_kind == 2, act };
            mote_gemm_f32_ref(&a);
            abs_products(M, N, K, A, lda, ta, B, ldb, tb, S);
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < ldc; j++) {
                    float c = C[i * ldc + j], r = R[i * ldc + j];
                    if (i < m0 || i >= m1 || j < n0 || j >= n1) {
                        ck_assert_msg(c == 1e30f, "%s: C[%lld,%lld] outside the range was written",
                                      isas[t], (long long)i, (long long)j);
                        continue;
                    }
                    double tol = 2.0 * (double)K * FLT_EPSILON * S[i * N + j] + 4e-6 * (1 + fabs(r)) +
                                 act_tol(act, r);
                    ck_assert_msg(fabs((double)c - (double)r) <= tol,
                                  "%s packed M=%lld N=%lld K=%lld ta=%d tb=%d act=%d: C[%lld,%lld] = %.8g, reference %.8g",
                                  isas[t], (long long)M, (long long)N, (long long)K, ta, tb, (int)act.kind,
                                  (long long)i, (long long)j, (double)c, (double)r);
                }
            free(A); free(B); free(bias); free(C); free(R); free(S); free(Bp);
        }
    }
}
END_TEST

START_TEST(test_gemm_packed_bits_do_not_depend_on_the_split)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        int64_t nr = k.gemm_nr();
        /* K = 1025 and 2100: several K blocks on every table */
        const int64_t shapes[][3] = { { 20, 257, 300 }, { 9, 100, 33 },   { 257, 65, 600 },
                                      { 13, 64, 1000 }, { 31, 70, 1025 }, { 45, 40, 2100 } };
        for (int s = 0; s < 6; s++) {
            int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            float *A = buf(M * K, -1, 1), *B = buf(K * N, -1, 1), *bias = buf(N, -1, 1);
            float *C1 = calloc((size_t)(M * N), sizeof(float)), *C2 = calloc((size_t)(M * N), sizeof(float));
            void *Bp = malloc(k.gemm_pack_b_bytes(K, N));
            k.gemm_pack_b(K, N, B, N, 0, Bp);
            mote_act act = { MOTE_ACT_GELU, 0, 0 };
            packed_run(&k, M, N, K, A, K, 0, Bp, C1, N, bias, 0, act, 0, M, 0, N);
            /* rows in pieces of 1, 4 (small-M path) and the rest (tiled), and
             * columns split at an NR boundary */
            int64_t nsplit = (N / nr / 2) * nr;
            int64_t cuts[] = { 0, 1, 5, M };
            for (int r = 0; r < 3; r++) {
                packed_run(&k, M, N, K, A, K, 0, Bp, C2, N, bias, 0, act, cuts[r], cuts[r + 1], 0, nsplit);
                packed_run(&k, M, N, K, A, K, 0, Bp, C2, N, bias, 0, act, cuts[r], cuts[r + 1], nsplit, N);
            }
            ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0,
                          "%s: %lldx%lldx%lld differs between one call and split calls", isas[t],
                          (long long)M, (long long)N, (long long)K);
            if (M > 8) {
                /* the same A stored transposed (K x M): the same bits, in
                 * one call and in the split calls (pieces of 1 and 4 rows
                 * take the tiled path then) */
                float *AT = malloc(sizeof(float) * (size_t)(M * K));
                for (int64_t i = 0; i < M; i++)
                    for (int64_t kk = 0; kk < K; kk++) AT[kk * M + i] = A[i * K + kk];
                memset(C2, 0, sizeof(float) * (size_t)(M * N));
                packed_run(&k, M, N, K, AT, M, 1, Bp, C2, N, bias, 0, act, 0, M, 0, N);
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0,
                              "%s: %lldx%lldx%lld differs with A transposed", isas[t],
                              (long long)M, (long long)N, (long long)K);
                memset(C2, 0, sizeof(float) * (size_t)(M * N));
                for (int r = 0; r < 3; r++) {
                    packed_run(&k, M, N, K, AT, M, 1, Bp, C2, N, bias, 0, act, cuts[r], cuts[r + 1], 0, nsplit);
                    packed_run(&k, M, N, K, AT, M, 1, Bp, C2, N, bias, 0, act, cuts[r], cuts[r + 1], nsplit, N);
                }
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0,
                              "%s: %lldx%lldx%lld with A transposed differs in split calls", isas[t],
                              (long long)M, (long long)N, (long long)K);
                free(AT);
            }
            free(A); free(B); free(bias); free(C1); free(C2); free(Bp);
        }
    }
}
END_TEST

/* Packs A, runs the packed-A entry over [m0,m1) x [n0,n1). */
static void packed_a_run(const mote_kernels *k, int64_t M, int64_t N, int64_t K, const void *Ap,
                         const float *B, int64_t ldb, float *C, int64_t ldc, const float *bias,
                         int per_row, mote_act act, int64_t m0, int64_t m1, int64_t n0, int64_t n1)
{
    void *scratch = malloc(k->gemm_packed_a_scratch_bytes(N, K) + 64);
    ck_assert_ptr_nonnull(scratch);
    mote_gemm_packed_a_args a = { M, N, K, Ap, B, ldb, C, ldc, bias, per_row, act,
                                  m0, m1, n0, n1, scratch };
    k->gemm_packed_a_f32(&a);
    free(scratch);
}

START_TEST(test_gemm_packed_a_matches_reference_on_ranges)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        ck_assert_ptr_nonnull(k.gemm_packed_a_f32);
        int64_t mr = k.gemm_mr();
        for (int it = 0; it < 80; it++) {
            int64_t M = sizes[rnd(N_SIZES)], N = sizes[rnd(N_SIZES)], K = sizes[rnd(N_SIZES)];
            if (it == 1) M = 64, N = 3136, K = 576;   /* a 3x3 64->64 conv at 56x56 */
            int ta = (int)rnd(2);
            int64_t lda = (ta ? M : K) + rnd(3), ldb = N + rnd(3), ldc = N + rnd(3);
            mote_act act = acts[it % N_ACTS];
            int bias_kind = (int)rnd(3);
            float *A = buf((ta ? K : M) * lda, -1, 1), *B = buf(K * ldb, -1, 1);
            float *bias = buf(M > N ? M : N, -1, 1);
            float *C = malloc(sizeof(float) * (size_t)(M * ldc)), *R = malloc(sizeof(float) * (size_t)(M * ldc));
            double *S = malloc(sizeof(double) * (size_t)(M * N));
            void *Ap = malloc(k.gemm_pack_a_bytes(M, K));
            ck_assert_ptr_nonnull(Ap);
            k.gemm_pack_a(M, K, A, lda, ta, Ap);
            for (int64_t i = 0; i < M * ldc; i++) C[i] = R[i] = 1e30f; /* sentinel */
            /* a random range: m0 a multiple of MR, as the plan gives */
            int64_t m0 = rnd((M + mr - 1) / mr) * mr, m1 = m0 + 1 + rnd(M - m0);
            int64_t n0 = rnd(N), n1 = n0 + 1 + rnd(N - n0);
            if (it % 4 == 0) m0 = 0, m1 = M, n0 = 0, n1 = N;
            packed_a_run(&k, M, N, K, Ap, B, ldb, C, ldc, bias_kind ? bias : NULL, bias_kind == 2,
                         act, m0, m1, n0, n1);
            mote_gemm_args a = { m1 - m0, n1 - n0, K, ta ? A + m0 : A + m0 * lda, lda, ta, B + n0,
                                 ldb, 0, R + m0 * ldc + n0, ldc, 1.0f, 0.0f,
                                 bias_kind ? bias + (bias_kind == 2 ? m0 : n0) : NULL, bias_kind == 2, act };
            mote_gemm_f32_ref(&a);
            abs_products(M, N, K, A, lda, ta, B, ldb, 0, S);
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < ldc; j++) {
                    float c = C[i * ldc + j], r = R[i * ldc + j];
                    if (i < m0 || i >= m1 || j < n0 || j >= n1) {
                        ck_assert_msg(c == 1e30f, "%s: C[%lld,%lld] outside the range was written",
                                      isas[t], (long long)i, (long long)j);
                        continue;
                    }
                    double tol = 2.0 * (double)K * FLT_EPSILON * S[i * N + j] + 4e-6 * (1 + fabs(r)) +
                                 act_tol(act, r);
                    ck_assert_msg(fabs((double)c - (double)r) <= tol,
                                  "%s packed-A M=%lld N=%lld K=%lld ta=%d act=%d: C[%lld,%lld] = %.8g, reference %.8g",
                                  isas[t], (long long)M, (long long)N, (long long)K, ta, (int)act.kind,
                                  (long long)i, (long long)j, (double)c, (double)r);
                }
            free(A); free(B); free(bias); free(C); free(R); free(S); free(Ap);
        }
    }
}
END_TEST

START_TEST(test_gemm_packed_a_bits_do_not_depend_on_the_split)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        int64_t mr = k.gemm_mr();
        const int64_t shapes[][3] = { { 64, 3136, 576 }, { 9, 100, 33 }, { 257, 65, 600 }, { 30, 49, 1000 } };
        for (int s = 0; s < 4; s++) {
            int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            float *A = buf(M * K, -1, 1), *B = buf(K * N, -1, 1), *bias = buf(M, -1, 1);
            float *C1 = calloc((size_t)(M * N), sizeof(float)), *C2 = calloc((size_t)(M * N), sizeof(float));
            void *Ap = malloc(k.gemm_pack_a_bytes(M, K));
            k.gemm_pack_a(M, K, A, K, 0, Ap);
            mote_act act = { MOTE_ACT_RELU, 0, 0 };
            packed_a_run(&k, M, N, K, Ap, B, N, C1, N, bias, 1, act, 0, M, 0, N);
            /* rows split at an MR boundary, columns at an arbitrary point */
            int64_t msplit = (M / mr / 2) * mr, nsplit = N / 3;
            int64_t cuts[] = { 0, msplit, M };
            for (int r = 0; r < 2; r++) {
                packed_a_run(&k, M, N, K, Ap, B, N, C2, N, bias, 1, act, cuts[r], cuts[r + 1], 0, nsplit);
                packed_a_run(&k, M, N, K, Ap, B, N, C2, N, bias, 1, act, cuts[r], cuts[r + 1], nsplit, N);
            }
            ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0,
                          "%s: packed-A %lldx%lldx%lld differs between one call and split calls", isas[t],
                          (long long)M, (long long)N, (long long)K);
            free(A); free(B); free(bias); free(C1); free(C2); free(Ap);
        }
    }
}
END_TEST

/* ------------------------------------------------------------ elementwise */

typedef struct un_case {
    mote_unary_op op;
    float lo, hi, alpha, beta;
    int kind; /* 0 exact, 1 abs 1e-6, 2 rel 4e-7, 3 1e-6 (1 + |x|) */
} un_case;

static const un_case un_cases[] = {
    { MOTE_UN_RELU, -4, 4, 0, 0, 0 },        { MOTE_UN_LEAKY_RELU, -4, 4, 0.01f, 0, 0 },
    { MOTE_UN_SIGMOID, -20, 20, 0, 0, 1 },   { MOTE_UN_TANH, -9, 9, 0, 0, 1 },
    { MOTE_UN_GELU, -8, 8, 0, 0, 3 },        { MOTE_UN_GELU_TANH, -8, 8, 0, 0, 3 },
    { MOTE_UN_EXP, -80, 80, 0, 0, 2 },       { MOTE_UN_SQRT, 0, 100, 0, 0, 0 },
    { MOTE_UN_CLIP, -4, 4, -1, 2, 0 },       { MOTE_UN_HARD_SIGMOID, -6, 6, 0.2f, 0.5f, 3 },
    { MOTE_UN_HARD_SWISH, -6, 6, 0, 0, 3 },  { MOTE_UN_NEG, -4, 4, 0, 0, 0 },
    { MOTE_UN_ABS, -4, 4, 0, 0, 0 },         { MOTE_UN_RECIPROCAL, 0.01f, 100, 0, 0, 0 },
    { MOTE_UN_LOG, 0.001f, 1000, 0, 0, 2 },  { MOTE_UN_ERF, -5, 5, 0, 0, 1 },
    { MOTE_UN_SILU, -20, 20, 0, 0, 3 },
};

static int close_kind(float y, float r, float x, int kind)
{
    switch (kind) {
    case 0: return y == r || (isnan(y) && isnan(r));
    case 1: return fabsf(y - r) <= 1e-6f;
    case 2: return fabsf(y - r) <= 4e-7f * fabsf(r) + FLT_MIN;
    default: return fabsf(y - r) <= 1e-6f * (1.0f + fabsf(x));
    }
}

START_TEST(test_unary_entries_match_reference)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (size_t c = 0; c < sizeof un_cases / sizeof un_cases[0]; c++) {
            const un_case *u = &un_cases[c];
            for (int s = 0; s < N_SIZES; s++) {
                int64_t n = sizes[s];
                float *x = buf(n + 1, u->lo, u->hi), *y = buf(n + 1, 0, 1), *r = malloc(sizeof(float) * (size_t)(n + 1));
                memcpy(r, y, sizeof(float) * (size_t)(n + 1));
                k.unary_f32[u->op](n, x, y, u->alpha, u->beta);
                mote_kernels_ref.unary_f32[u->op](n, x, r, u->alpha, u->beta);
                for (int64_t i = 0; i < n; i++)
                    ck_assert_msg(close_kind(y[i], r[i], x[i], u->kind), "%s unary %d n=%lld: f(%.8g) = %.8g, reference %.8g",
                                  isas[t], (int)u->op, (long long)n, (double)x[i], (double)y[i], (double)r[i]);
                ck_assert_msg(y[n] == r[n], "%s unary %d wrote past n", isas[t], (int)u->op);
                free(x); free(y); free(r);
            }
        }
    }
}
END_TEST

START_TEST(test_binary_entries_match_reference_with_broadcast)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int op = 0; op < MOTE_BIN_COUNT; op++) {
            if (!k.binary_f32[op]) continue;
            for (int s = 0; s < N_SIZES; s++)
                for (int mode = 0; mode < 3; mode++) {
                    int64_t n = sizes[s], sa = mode != 1, sb = mode != 2;
                    float *a = buf(n, -4, 4), *b = buf(n, 0.5f, 4), *y = buf(n + 1, 0, 1);
                    float *r = malloc(sizeof(float) * (size_t)(n + 1));
                    memcpy(r, y, sizeof(float) * (size_t)(n + 1));
                    k.binary_f32[op](n, a, sa, b, sb, y);
                    mote_kernels_ref.binary_f32[op](n, a, sa, b, sb, r);
                    for (int64_t i = 0; i <= n; i++)
                        ck_assert_msg(y[i] == r[i] || (isnan(y[i]) && isnan(r[i])) || (op == MOTE_BIN_POW && close_kind(y[i], r[i], 0, 2)),
                                      "%s binary %d n=%lld sa=%lld sb=%lld: y[%lld] = %.8g, reference %.8g",
                                      isas[t], op, (long long)n, (long long)sa, (long long)sb,
                                      (long long)i, (double)y[i], (double)r[i]);
                    free(a); free(b); free(y); free(r);
                }
        }
    }
}
END_TEST

START_TEST(test_act_entry_matches_reference_for_every_activation)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int a = 0; a < N_ACTS; a++)
            for (int s = 0; s < N_SIZES; s++) {
                int64_t n = sizes[s];
                float *x = buf(n, -8, 8), *r = malloc(sizeof(float) * (size_t)n);
                memcpy(r, x, sizeof(float) * (size_t)n);
                k.act_f32(n, x, acts[a]);
                mote_act_f32_ref(n, r, acts[a]);
                for (int64_t i = 0; i < n; i++)
                    ck_assert_msg(fabsf(x[i] - r[i]) <= act_tol(acts[a], r[i]) + 1e-7f,
                                  "%s act %d: %.8g vs reference %.8g", isas[t], (int)acts[a].kind,
                                  (double)x[i], (double)r[i]);
                free(x); free(r);
            }
    }
}
END_TEST

static void ck_rows_close(const char *isa, const char *what, int64_t n, const float *y, const float *r,
                          float tol_abs, float tol_rel)
{
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(fabsf(y[i] - r[i]) <= tol_abs + tol_rel * fabsf(r[i]),
                      "%s %s: [%lld] = %.8g, reference %.8g", isa, what, (long long)i, (double)y[i],
                      (double)r[i]);
}

START_TEST(test_softmax_and_norms_match_reference)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int s = 0; s < N_SIZES; s++) {
            int64_t n = sizes[s], rows = 1 + rnd(3);
            /* reliability: g and b also serve as per-channel (rows) scale/shift
             * below, so they need max(n, rows) entries (ASan found n < rows). */
            int64_t gn = n > rows ? n : rows;
            float *x = buf(rows * n, -10, 10), *g = buf(gn, 0.5f, 2), *b = buf(gn, -1, 1);
            float *y = malloc(sizeof(float) * (size_t)(rows * n)), *r = malloc(sizeof(float) * (size_t)(rows * n));
            for (int lg = 0; lg < 2; lg++) {
                k.softmax_f32(rows, n, x, y, lg);
                mote_kernels_ref.softmax_f32(rows, n, x, r, lg);
                ck_rows_close(isas[t], lg ? "log_softmax" : "softmax", rows * n, y, r, lg ? 4e-6f : 1e-6f, lg ? 4e-6f : 0);
            }
            for (int gb = 0; gb < 4; gb++) {
                const float *gg = gb & 1 ? g : NULL, *bb = gb & 2 ? b : NULL;
                k.layernorm_f32(rows, n, x, gg, bb, 1e-5f, y);
                mote_kernels_ref.layernorm_f32(rows, n, x, gg, bb, 1e-5f, r);
                ck_rows_close(isas[t], "layernorm", rows * n, y, r, 2e-5f, 2e-5f);
                k.rmsnorm_f32(rows, n, x, gg, 1e-6f, y);
                mote_kernels_ref.rmsnorm_f32(rows, n, x, gg, 1e-6f, r);
                ck_rows_close(isas[t], "rmsnorm", rows * n, y, r, 2e-5f, 2e-5f);
            }
            /* channels: dot, affine, global average and max pool */
            float d = k.dot_f32(n, x, g), dr = mote_kernels_ref.dot_f32(n, x, g);
            double S = 0;
            for (int64_t i = 0; i < n; i++) S += fabs((double)x[i] * g[i]);
            ck_assert_msg(fabs((double)d - dr) <= 2.0 * n * FLT_EPSILON * S + 4e-6 * (1 + fabs(dr)),
                          "%s dot n=%lld: %.8g vs %.8g", isas[t], (long long)n, (double)d, (double)dr);
            k.channel_affine_f32(rows, n, x, g, b, y);
            mote_kernels_ref.channel_affine_f32(rows, n, x, g, b, r);
            ck_rows_close(isas[t], "channel_affine", rows * n, y, r, 1e-6f, 1e-6f);
            k.global_avgpool_f32(rows, n, x, y);
            mote_kernels_ref.global_avgpool_f32(rows, n, x, r);
            ck_rows_close(isas[t], "global_avgpool", rows, y, r, 1e-5f, 1e-5f);
            /* global max pool: exact, NaN never wins (a NaN in every other
             * row, at a moving place; one row of only NaN gives -inf) */
            for (int64_t c = 0; c < rows; c += 2) x[c * n + (c * 7) % n] = NAN;
            if (rows > 1)
                for (int64_t i = 0; i < n; i++) x[n + i] = NAN;
            k.global_maxpool_f32(rows, n, x, y);
            mote_kernels_ref.global_maxpool_f32(rows, n, x, r);
            for (int64_t c = 0; c < rows; c++)
                ck_assert_msg(y[c] == r[c], "%s global_maxpool n=%lld row %lld: %.9g vs %.9g", isas[t],
                              (long long)n, (long long)c, (double)y[c], (double)r[c]);
            if (rows > 1) ck_assert_msg(isinf(r[1]) && r[1] < 0, "an all-NaN row gives -inf");
            free(x); free(g); free(b); free(y); free(r);
        }
    }
}
END_TEST

/* ------------------------------------------------------------ convolution */

/* depthwise of any kernel up to MOTE_DW_MAXK: kernels 1..7 each way,
 * strides 1..3 each way (3 across takes the scalar path), pads below the
 * kernel, rows too wide for the padded path, a channel sub-range */
START_TEST(test_depthwise_any_kernel_matches_reference)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k) || !k.conv2d_dw_f32) continue;
        for (int it = 0; it < 120; it++) {
            int64_t KH = 1 + rnd(MOTE_DW_MAXK), KW = 1 + rnd(MOTE_DW_MAXK);
            int64_t C = 1 + rnd(4), H = sizes[rnd(7)], W = sizes[rnd(9)];
            int64_t sh = 1 + rnd(3), sw = it % 4 == 3 ? 3 : 1 + rnd(2);
            int64_t ph = rnd(KH), pw = rnd(KW);
            if (it % 10 == 9) H = KH + rnd(3), W = 1100 + rnd(900);
            if (H + 2 * ph < KH || W + 2 * pw < KW) continue;
            int64_t OH = (H + 2 * ph - KH) / sh + 1, OW = (W + 2 * pw - KW) / sw + 1;
            float *x = buf(C * H * W, -1, 1), *w = buf(C * KH * KW, -1, 1), *bias = buf(C, -1, 1);
            float *y = malloc(sizeof(float) * (size_t)(C * OH * OW)), *r = malloc(sizeof(float) * (size_t)(C * OH * OW));
            for (int64_t i = 0; i < C * OH * OW; i++) y[i] = r[i] = -7777.0f;   /* sentinel */
            int64_t c0 = C > 1 ? rnd(C - 1) : 0;
            mote_conv2d_args a = { C, H, W, C, OH, OW, KH, KW, sh, sw, ph, pw, 1, 1, C, x, w,
                                   it % 3 ? bias : NULL, y, acts[it % N_ACTS], c0, C };
            k.conv2d_dw_f32(&a);
            a.y = r;
            mote_conv2d_f32_ref(&a);
            for (int64_t i = 0; i < C * OH * OW; i++) {
                double tol = 2.0 * (double)(KH * KW) * 1.2e-7 * (double)(KH * KW) + 1e-5 * (1 + fabsf(r[i]));
                ck_assert_msg(fabsf(y[i] - r[i]) <= tol + act_tol(a.act, r[i]),
                              "%s dw %lldx%lld C=%lld H=%lld W=%lld s=%lldx%lld p=%lldx%lld act=%d: [%lld] = %.8g vs %.8g",
                              isas[t], (long long)KH, (long long)KW, (long long)C, (long long)H, (long long)W,
                              (long long)sh, (long long)sw, (long long)ph, (long long)pw, (int)a.act.kind,
                              (long long)i, (double)y[i], (double)r[i]);
            }
            free(x); free(w); free(bias); free(y); free(r);
        }
    }
}
END_TEST

/* one depthwise 3x3 against the reference (act: index into acts) */
static void dw3x3_check(const char *isa, const mote_kernels *k, int64_t C, int64_t H, int64_t W,
                        int64_t s, int64_t p, int with_bias, int act)
{
    int64_t OH = (H + 2 * p - 3) / s + 1, OW = (W + 2 * p - 3) / s + 1;
    float *x = buf(C * H * W, -1, 1), *w = buf(C * 9, -1, 1), *bias = buf(C, -1, 1);
    float *y = malloc(sizeof(float) * (size_t)(C * OH * OW)), *r = malloc(sizeof(float) * (size_t)(C * OH * OW));
    mote_conv2d_args a = { C, H, W, C, OH, OW, 3, 3, s, s, p, p, 1, 1, C, x, w,
                           with_bias ? bias : NULL, y, acts[act % N_ACTS], 0, C };
    k->conv2d_dw3x3_f32(&a);
    a.y = r;
    mote_conv2d_dw3x3_f32_ref(&a);
    for (int64_t i = 0; i < C * OH * OW; i++)
        ck_assert_msg(fabsf(y[i] - r[i]) <= 1e-5f * (1 + fabsf(r[i])) + act_tol(a.act, r[i]),
                      "%s dw3x3 C=%lld H=%lld W=%lld s=%lld p=%lld act=%d: [%lld] = %.8g vs %.8g",
                      isa, (long long)C, (long long)H, (long long)W, (long long)s, (long long)p,
                      (int)a.act.kind, (long long)i, (double)y[i], (double)r[i]);
    free(x); free(w); free(bias); free(y); free(r);
}

START_TEST(test_depthwise3x3_matches_reference_stride_1_and_2)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int it = 0; it < 60; it++) {
            int64_t C = 1 + rnd(3), H = sizes[rnd(7)], W = sizes[rnd(9)];
            int64_t s = 1 + (it & 1), p = rnd(2);
            /* rows too wide for the padded fast path take the edge path */
            if (it % 10 >= 8) H = 3 + rnd(3), W = 1100 + rnd(900);
            if (H + 2 * p < 3 || W + 2 * p < 3) continue;
            dw3x3_check(isas[t], &k, C, H, W, s, p, it % 3 != 0, it);
        }
        /* tall maps whose padded plane just fits the small-map path's
         * buffer, or just does not (either side of the limit, any VLEN) */
        for (int64_t H = 60; H <= 100; H += 3)
            dw3x3_check(isas[t], &k, 3, H, 28, 1, 1, 1, (int)H);
    }
}
END_TEST

START_TEST(test_im2col_matches_reference_with_stride_pad_dilation_groups)
{
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        for (int it = 0; it < 60; it++) {
            int64_t groups = 1 + rnd(2), C = groups * (1 + rnd(3)), H = sizes[rnd(7)], W = sizes[rnd(7)];
            int64_t KH = 1 + rnd(3), KW = 1 + rnd(3), sh = 1 + rnd(2), sw = 1 + rnd(2);
            int64_t ph = rnd(2), pw = rnd(2), dh = 1 + rnd(2), dw = 1 + rnd(2);
            int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
            if (OH < 1 || OW < 1 || H + 2 * ph < dh * (KH - 1) + 1 || W + 2 * pw < dw * (KW - 1) + 1) continue;
            float *x = buf(C * H * W, -1, 1);
            int64_t n = C / groups * KH * KW * OH * OW;
            float *col = buf(n, 0, 1), *ref = malloc(sizeof(float) * (size_t)n);
            mote_conv2d_args a = { C, H, W, groups, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, groups,
                                   x, NULL, NULL, NULL, { MOTE_ACT_NONE, 0, 0 }, 0, groups };
            int64_t g = rnd(groups);
            k.im2col_f32(&a, g, col);
            mote_im2col_f32_ref(&a, g, ref);
            ck_assert_msg(memcmp(col, ref, sizeof(float) * (size_t)n) == 0, "%s im2col differs", isas[t]);
            free(x); free(col); free(ref);
        }
    }
}
END_TEST

/* ---------------------------------------------------------------- pooling */

/* Same bits, or both NaN (an average over a NaN tap: the payload may differ). */
static int same_float(float a, float b)
{
    return isnan(a) ? isnan(b) != 0 : memcmp(&a, &b, sizeof a) == 0;
}

START_TEST(test_pooling_matches_reference_on_awkward_shapes)
{
    const float sentinel = -7777.0f;
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        int ran = 0;
        for (int it = 0; it < 400; it++) {
            int64_t C = 1 + rnd(4), H = sizes[rnd(9)], W = sizes[rnd(N_SIZES)];
            int64_t KH = 1 + rnd(5), KW = 1 + rnd(5), sh = 1 + rnd(3), sw = 1 + rnd(3);
            int64_t dh = 1 + rnd(2), dw = 1 + rnd(2);
            /* pads below the kernel size, begin and end drawn separately */
            int64_t ph = rnd(KH < 3 ? KH : 3), pw = rnd(KW < 3 ? KW : 3);
            int64_t ph_end = rnd(KH < 3 ? KH : 3), pw_end = rnd(KW < 3 ? KW : 3);
            if (it % 3 == 0) {
                /* the common windows: 2x2 and 3x3, stride 1 or 2, pad 3x3 by 1 */
                KH = KW = 2 + rnd(2);
                sh = sw = 1 + rnd(2);
                dh = dw = 1;
                ph = pw = ph_end = pw_end = KH == 3;
            }
            int ceil_mode = (int)rnd(2);
            /* output extent as the op layer computes it (src/ops/op_util.c) */
            int64_t eh = (KH - 1) * dh + 1, ew = (KW - 1) * dw + 1;
            int64_t span_h = H + ph + ph_end - eh, span_w = W + pw + pw_end - ew;
            if (span_h < 0 || span_w < 0) continue;
            int64_t OH = (ceil_mode ? (span_h + sh - 1) / sh : span_h / sh) + 1;
            int64_t OW = (ceil_mode ? (span_w + sw - 1) / sw : span_w / sw) + 1;
            if (ceil_mode && (OH - 1) * sh >= H + ph) OH--;
            if (ceil_mode && (OW - 1) * sw >= W + pw) OW--;
            int64_t c0 = rnd(C), c1 = c0 + 1 + rnd(C - c0);
            float *x = buf(C * H * W, -1, 1);
            /* some inputs full of ties of signed zeros, infinities and NaNs */
            if (it % 5 == 1)
                for (int64_t i = 0; i < C * H * W; i++) {
                    static const float special[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1.0f };
                    if (rnd(3) == 0) x[i] = special[rnd(6)];
                }
            int64_t n = C * OH * OW;
            float *y = malloc(sizeof(float) * (size_t)n), *r = malloc(sizeof(float) * (size_t)n);
            ck_assert(y && r);
            for (int avg = 0; avg < 2; avg++)
                for (int incl = 0; incl < 1 + avg; incl++) {
                    for (int64_t i = 0; i < n; i++) y[i] = r[i] = sentinel;
                    mote_pool2d_args a = { C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, incl,
                                           x, y, c0, c1, ph_end, pw_end };
                    (avg ? k.avgpool2d_f32 : k.maxpool2d_f32)(&a);
                    a.y = r;
                    (avg ? mote_avgpool2d_f32_ref : mote_maxpool2d_f32_ref)(&a);
                    for (int64_t i = 0; i < n; i++) {
                        int64_t c = i / (OH * OW);
                        ck_assert_msg(same_float(y[i], r[i]) && (c >= c0 && c < c1 ? 1 : y[i] == sentinel),
                                      "%s %s (incl %d) C=%lld [%lld,%lld) H=%lld W=%lld K=%lldx%lld "
                                      "s=%lld,%lld p=%lld,%lld end %lld,%lld d=%lld,%lld ceil %d: "
                                      "[c %lld, %lld, %lld] = %.9g, reference %.9g",
                                      isas[t], avg ? "avgpool" : "maxpool", incl, (long long)C,
                                      (long long)c0, (long long)c1, (long long)H, (long long)W,
                                      (long long)KH, (long long)KW, (long long)sh, (long long)sw,
                                      (long long)ph, (long long)pw, (long long)ph_end,
                                      (long long)pw_end, (long long)dh, (long long)dw, ceil_mode,
                                      (long long)c, (long long)(i / OW % OH), (long long)(i % OW),
                                      (double)y[i], (double)r[i]);
                    }
                }
            ran++;
            free(x); free(y); free(r);
        }
        ck_assert_int_gt(ran, 200);
    }
}
END_TEST

/* ------------------------------------------------------------ math bounds */

/* Max error of unary op over a dense sweep of [lo, hi] against double libm. */
static double sweep_error(const mote_kernels *k, mote_unary_op op, double (*f)(double), double lo,
                          double hi, int relative)
{
    enum { N = 1 << 20 };
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) x[i] = (float)(lo + (hi - lo) * i / (N - 1));
    k->unary_f32[op](N, x, y, 0, 0);
    double m = 0;
    for (int i = 0; i < N; i++) {
        double r = f(x[i]), e = fabs(y[i] - r);
        if (relative) e /= fabs(r);
        if (!relative && op == MOTE_UN_GELU) e /= fmax(1.0, fabs(x[i]));
        m = e > m ? e : m;
    }
    free(x);
    free(y);
    return m;
}
static double sigmoid_d(double x) { return 1 / (1 + exp(-x)); }
static double gelu_d(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }

START_TEST(test_vmath_error_bounds)
{
    /* The bounds documented in arch/x86/vmath.h and docs/kernels.md. */
    for (int t = 0; t < N_ISAS; t++) {
        mote_kernels k;
        if (!table(isas[t], &k)) continue;
        double e_exp = sweep_error(&k, MOTE_UN_EXP, exp, -87, 88, 1);
        double e_sig = sweep_error(&k, MOTE_UN_SIGMOID, sigmoid_d, -30, 30, 0);
        double e_tanh = sweep_error(&k, MOTE_UN_TANH, tanh, -10, 10, 0);
        double e_erf = sweep_error(&k, MOTE_UN_ERF, erf, -6, 6, 0);
        double e_gelu = sweep_error(&k, MOTE_UN_GELU, gelu_d, -10, 10, 0);
        fprintf(stderr, "test_kernels_isa: %s max error: exp %.2e rel, sigmoid %.2e, tanh %.2e, "
                        "erf %.2e, gelu %.2e (x max(1,|x|))\n", isas[t], e_exp, e_sig, e_tanh, e_erf, e_gelu);
        ck_assert_msg(e_exp <= 3e-7, "%s exp relative error %g", isas[t], e_exp);
        ck_assert_msg(e_sig <= 2e-7, "%s sigmoid error %g", isas[t], e_sig);
        ck_assert_msg(e_tanh <= 3e-7, "%s tanh error %g", isas[t], e_tanh);
        ck_assert_msg(e_erf <= 4e-7, "%s erf error %g", isas[t], e_erf);
        ck_assert_msg(e_gelu <= 3e-7, "%s gelu error %g", isas[t], e_gelu);
    }
}
END_TEST

/* ------------------------------------------------------------- dispatch */

START_TEST(test_cpu_kernels_rejects_unknown_isa)
{
    mote_kernels k;
    ck_assert_int_eq(mote_cpu_kernels("sse9000", &k), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "sse9000"));
}
END_TEST

START_TEST(test_cpu_resolved_tables_have_no_null_entry)
{
    const char *all[] = { "ref", "avx2", "avx512" };
    for (int t = 0; t < 3; t++) {
        mote_kernels k;
        if (!mote_cpu_isa_available(all[t])) {
            ck_assert_int_eq(mote_cpu_kernels(all[t], &k), MOTE_ERR_UNSUPPORTED);
            continue;
        }
        ck_assert_int_eq(mote_cpu_kernels(all[t], &k), MOTE_OK);
        ck_assert_str_eq(k.name, all[t]);
        for (int i = 0; i < MOTE_UN_COUNT; i++) ck_assert_ptr_nonnull(k.unary_f32[i]);
        for (int i = 0; i < MOTE_BIN_COUNT; i++) ck_assert_ptr_nonnull(k.binary_f32[i]);
        ck_assert_ptr_nonnull(k.gemm_f32);
        ck_assert_ptr_nonnull(k.softmax_f32);
        ck_assert_ptr_nonnull(k.conv2d_f32);
        /* x86 tables have the packed GEMM group complete */
        if (t > 0) {
            ck_assert_ptr_nonnull(k.gemm_packed_f32);
            ck_assert_int_eq(k.gemm_nr() % 8, 0);
            ck_assert_ptr_nonnull(k.gemm_packed_a_f32);
            ck_assert_ptr_nonnull(k.gemm_pack_a);
            ck_assert_int_gt(k.gemm_mr(), 0);
        }
    }
    /* the best ISA is one the CPU runs */
    ck_assert(mote_cpu_isa_available(mote_cpu_best_isa()));
}
END_TEST

START_TEST(test_cpu_mote_isa_environment_forces_a_table)
{
    mote_kernels k;
    setenv("MOTE_ISA", "ref", 1);
    ck_assert_int_eq(mote_cpu_kernels(NULL, &k), MOTE_OK);
    ck_assert_str_eq(k.name, "ref");
    if (mote_cpu_isa_available("avx2")) {
        setenv("MOTE_ISA", "avx2", 1);
        ck_assert_int_eq(mote_cpu_kernels(NULL, &k), MOTE_OK);
        ck_assert_str_eq(k.name, "avx2");
    }
    setenv("MOTE_ISA", "not-an-isa", 1);
    ck_assert_int_eq(mote_cpu_kernels(NULL, &k), MOTE_ERR_UNSUPPORTED);
    unsetenv("MOTE_ISA");
    ck_assert_int_eq(mote_cpu_kernels(NULL, &k), MOTE_OK);
    ck_assert_str_eq(k.name, mote_cpu_best_isa());
}
END_TEST

START_TEST(test_cpu_features_are_consistent)
{
    const mote_cpu_features *f = mote_cpu_detect();
    /* every AVX-512 subset needs the foundation; the AVX-512 table needs AVX2 too */
    if (f->avx512bw || f->avx512dq || f->avx512vl || f->avx512vnni || f->avx512bf16) ck_assert(f->avx512f);
    if (f->amx_int8 || f->amx_bf16) ck_assert(f->amx_tile);
    if (mote_cpu_isa_available("avx512")) ck_assert(mote_cpu_isa_available("avx2"));
    if (mote_cpu_isa_available("avx2")) ck_assert(f->avx2 && f->fma);
    /* detection is stable */
    ck_assert_ptr_eq(mote_cpu_detect(), f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kernels_isa");
    TCase *tc = tcase_create("isa");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_gemm_unpacked_matches_reference_on_awkward_shapes);
    tcase_add_test(tc, test_gemm_packed_matches_reference_on_ranges);
    tcase_add_test(tc, test_gemm_packed_bits_do_not_depend_on_the_split);
    tcase_add_test(tc, test_gemm_packed_a_matches_reference_on_ranges);
    tcase_add_test(tc, test_gemm_packed_a_bits_do_not_depend_on_the_split);
    tcase_add_test(tc, test_unary_entries_match_reference);
    tcase_add_test(tc, test_binary_entries_match_reference_with_broadcast);
    tcase_add_test(tc, test_act_entry_matches_reference_for_every_activation);
    tcase_add_test(tc, test_softmax_and_norms_match_reference);
    tcase_add_test(tc, test_depthwise3x3_matches_reference_stride_1_and_2);
    tcase_add_test(tc, test_depthwise_any_kernel_matches_reference);
    tcase_add_test(tc, test_im2col_matches_reference_with_stride_pad_dilation_groups);
    tcase_add_test(tc, test_pooling_matches_reference_on_awkward_shapes);
    tcase_add_test(tc, test_vmath_error_bounds);
    tcase_add_test(tc, test_cpu_kernels_rejects_unknown_isa);
    tcase_add_test(tc, test_cpu_resolved_tables_have_no_null_entry);
    tcase_add_test(tc, test_cpu_mote_isa_environment_forces_a_table);
    tcase_add_test(tc, test_cpu_features_are_consistent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return mote_test_run(suite()); }
