/*
 * test_kernels.c — every entry of every kernel table this machine runs
 * (avx2, avx512, neon) against the reference, entry by entry, from the one
 * entry list (kernels/kernel_list.h); and the dispatch that resolves them.
 *
 * Each line of the list has a check_<table>_<name> here: its case
 * generator (random operands over awkward sizes 1, 3, 7, 15, 16, 17, 31,
 * 33, 255, 257, strides, sub-ranges, special values) and its tolerance. A
 * new entry without a checker does not compile. A table's entry is checked
 * when it is the table's own kernel (not the reference it falls back to).
 *
 * Tolerances (r: the reference value):
 *   exact (same bits; NaN equals NaN): relu, leaky_relu, neg, abs, clip,
 *       sqrt, reciprocal, floor/ceil/round/sign, the binary ops but pow,
 *       im2col, max/avg pooling, global max pooling, the quantizers
 *   1e-6 (1 + |x|): the other unary functions, the fused activations
 *   exp, log, pow: 4e-7 relative (+ the smallest normal, for underflow)
 *   GEMM, matrix-vector: 2 K eps sum_k |a_k b_k| + 4e-6 (1 + |r|) (the
 *       bound for two orders of summation) + the activation's
 *   softmax 1e-6 + 2e-6 |r|, log_softmax 1e-5 + 4e-6 |r|,
 *   layernorm and rmsnorm 2e-5 (1 + |r|), channel affine 1e-6 (1 + |r|),
 *   global avgpool 1e-6 + 1e-5 |r|, depthwise 1e-5 (1 + |r|) + the sum bound,
 *   SwiGLU 2e-6 (1 + |r|), attention 2e-5 (values in [-1, 1]),
 *   block-quantized products 1e-4 sqrt(K) (packed) / 1e-3 sqrt(K).
 * Splitting a call's range never changes a bit (the thread-count
 * contract): checked for the elementwise, GEMM and depthwise entries.
 */
#include "config.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/cpu.h"
#ifdef MOTE_HAVE_X86
#include "../arch/x86/cpuid_x86.h"
#include "../arch/x86/x86_kernels.h"
#endif
#include "ref.h"
#include "testutil.h"

static const char *const isas[] = { "avx512", "avx2", "neon" };
#define N_ISAS ((int)(sizeof isas / sizeof isas[0]))
static const int64_t sizes[] = { 1, 3, 7, 15, 16, 17, 31, 33, 255, 257 };
#define N_SIZES ((int)(sizeof sizes / sizeof sizes[0]))

static const mote_kernels *const REF = &mote_kernels_ref;
static const mote_kernels *T;    /* the table under test (resolved) */
static const char *ENTRY = "";   /* the entry under test, for messages */

/* a failed check names the table and the entry */
#define CK(cond, ...)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            char msg_[512];                                                             \
            snprintf(msg_, sizeof msg_, __VA_ARGS__);                                   \
            ck_abort_msg("%s %s: %s", T ? T->name : "?", ENTRY, msg_);                  \
        }                                                                               \
    } while (0)

/* ------------------------------------------------------------ operands */
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
static float *fill(int64_t n, float v)
{
    float *p = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(p);
    for (int64_t i = 0; i < n; i++) p[i] = v;
    return p;
}
static int same_float(float a, float b)
{
    return isnan(a) ? isnan(b) != 0 : memcmp(&a, &b, sizeof a) == 0;
}
static void ck_same(const float *y, const float *r, int64_t n, const char *what)
{
    for (int64_t i = 0; i < n; i++)
        CK(same_float(y[i], r[i]), "%s: [%lld] = %.9g, reference %.9g", what, (long long)i,
           (double)y[i], (double)r[i]);
}
static void ck_near(const float *y, const float *r, int64_t n, float atol, float rtol,
                    const char *what)
{
    for (int64_t i = 0; i < n; i++)
        CK(fabsf(y[i] - r[i]) <= atol + rtol * fabsf(r[i]) || (isnan(y[i]) && isnan(r[i])),
           "%s: [%lld] = %.9g, reference %.9g", what, (long long)i, (double)y[i], (double)r[i]);
}

static const mote_act acts[] = {
    { MOTE_ACT_NONE, 0, 0 },          { MOTE_ACT_RELU, 0, 0 },
    { MOTE_ACT_LEAKY_RELU, 0.1f, 0 }, { MOTE_ACT_CLIP, -0.5f, 0.75f },
    { MOTE_ACT_SIGMOID, 0, 0 },       { MOTE_ACT_TANH, 0, 0 },
    { MOTE_ACT_HARD_SIGMOID, 0.2f, 0.5f }, { MOTE_ACT_HARD_SWISH, 0, 0 },
    { MOTE_ACT_GELU, 0, 0 },
};
#define N_ACTS ((int)(sizeof acts / sizeof acts[0]))

/* what an activation's approximation may add at value x */
static float act_tol(mote_act a, float x)
{
    switch (a.kind) {
    case MOTE_ACT_SIGMOID: case MOTE_ACT_TANH: return 1e-6f;
    case MOTE_ACT_GELU: case MOTE_ACT_HARD_SWISH: case MOTE_ACT_HARD_SIGMOID:
        return 1e-6f * (1.0f + fabsf(x));
    default: return 0.0f;
    }
}

/* ---------------------------------------------------------- elementwise */

/* per unary op: input range, parameters, tolerance (0 exact, 1 1e-6 (1 + |x|),
 * 2 4e-7 relative); a case for every op, so a new op needs one here */
typedef struct un_case { float lo, hi, alpha, beta; int tol; } un_case;
static const un_case un_cases[MOTE_UN_COUNT] = {
    [MOTE_UN_RELU] = { -4, 4, 0, 0, 0 },          [MOTE_UN_LEAKY_RELU] = { -4, 4, 0.01f, 0, 0 },
    [MOTE_UN_SIGMOID] = { -30, 30, 0, 0, 1 },     [MOTE_UN_TANH] = { -10, 10, 0, 0, 1 },
    [MOTE_UN_GELU] = { -8, 8, 0, 0, 1 },          [MOTE_UN_GELU_TANH] = { -8, 8, 0, 0, 1 },
    [MOTE_UN_EXP] = { -88, 88, 0, 0, 2 },         [MOTE_UN_SQRT] = { 0, 100, 0, 0, 0 },
    [MOTE_UN_CLIP] = { -4, 4, -1, 2, 0 },         [MOTE_UN_HARD_SIGMOID] = { -6, 6, 0.2f, 0.5f, 1 },
    [MOTE_UN_HARD_SWISH] = { -6, 6, 0, 0, 1 },    [MOTE_UN_NEG] = { -4, 4, 0, 0, 0 },
    [MOTE_UN_ABS] = { -4, 4, 0, 0, 0 },           [MOTE_UN_RECIPROCAL] = { 0.01f, 100, 0, 0, 0 },
    [MOTE_UN_LOG] = { 0.001f, 1000, 0, 0, 2 },    [MOTE_UN_ERF] = { -5, 5, 0, 0, 1 },
    [MOTE_UN_SILU] = { -30, 30, 0, 0, 1 },        [MOTE_UN_FLOOR] = { -9, 9, 0, 0, 0 },
    [MOTE_UN_CEIL] = { -9, 9, 0, 0, 0 },          [MOTE_UN_ROUND] = { -9, 9, 0, 0, 0 },
    [MOTE_UN_SIGN] = { -2, 2, 0, 0, 0 },          [MOTE_UN_ELU] = { -8, 8, 0.7f, 0, 1 },
    [MOTE_UN_SELU] = { -8, 8, 1.67f, 1.05f, 1 },  [MOTE_UN_SOFTPLUS] = { -20, 20, 0, 0, 1 },
    [MOTE_UN_MISH] = { -20, 20, 0, 0, 1 },        [MOTE_UN_SIN] = { -20, 20, 0, 0, 1 },
    [MOTE_UN_COS] = { -20, 20, 0, 0, 1 },
};

static int close_tol(float y, float r, float x, int tol)
{
    if (isnan(r) || isinf(r)) return same_float(y, r);
    switch (tol) {
    case 0: return same_float(y, r) || (y == 0 && r == 0);
    case 2: return fabsf(y - r) <= 4e-7f * fabsf(r) + FLT_MIN;
    default: return fabsf(y - r) <= 1e-6f * (1.0f + (isfinite(x) ? fabsf(x) : 0.0f));
    }
}

static void check_general_unary_f32(void)
{
    for (int op = 0; op < MOTE_UN_COUNT; op++) {
        const un_case *u = &un_cases[op];
        CK(u->lo < u->hi, "unary op %d has no test case", op);
        mote_unary_f32_fn f = T->general.unary_f32[op], g = REF->general.unary_f32[op];
        if (f == g) continue;
        for (int s = 0; s < N_SIZES; s++) {
            int64_t n = sizes[s];
            float *x = buf(n + 1, u->lo, u->hi), *y = fill(n + 1, 1234.5f), *r = fill(n + 1, 1234.5f);
            f(n, x, y, u->alpha, u->beta);
            g(n, x, r, u->alpha, u->beta);
            for (int64_t i = 0; i < n; i++)
                CK(close_tol(y[i], r[i], x[i], u->tol), "op %d n=%lld: f(%.9g) = %.9g, reference %.9g",
                   op, (long long)n, (double)x[i], (double)y[i], (double)r[i]);
            CK(y[n] == 1234.5f, "op %d n=%lld wrote past n", op, (long long)n);
            free(x); free(y); free(r);
        }
        /* the value of an element does not depend on the range it is in */
        int64_t n = 37;
        float *x = buf(n, u->lo, u->hi), *y = fill(n, 0), *z = fill(n, 0);
        f(n, x, y, u->alpha, u->beta);
        for (int64_t j = 1; j < 9; j++) {
            f(j, x, z, u->alpha, u->beta);
            f(n - j, x + j, z + j, u->alpha, u->beta);
            ck_same(z, y, n, "a split range");
        }
        /* special values: NaN stays NaN, infinities as the reference */
        const float sp[] = { NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, -1e-30f, 1e-8f };
        float ys[8], rs[8];
        f(8, sp, ys, u->alpha, u->beta);
        g(8, sp, rs, u->alpha, u->beta);
        for (int i = 0; i < 8; i++)
            CK(close_tol(ys[i], rs[i], sp[i], u->tol), "op %d: f(%g) = %.9g, reference %.9g", op,
               (double)sp[i], (double)ys[i], (double)rs[i]);
        free(x); free(y); free(z);
    }
}

static void check_general_binary_f32(void)
{
    for (int op = 0; op < MOTE_BIN_COUNT; op++) {
        mote_binary_f32_fn f = T->general.binary_f32[op], g = REF->general.binary_f32[op];
        if (f == g) continue;
        for (int s = 0; s < N_SIZES; s++)
            for (int mode = 0; mode < 4; mode++) {
                int64_t n = sizes[s], sa = mode & 1, sb = (mode >> 1) & 1;
                float *a = buf(n, -4, 4), *b = buf(n, 0.5f, 4), *y = fill(n + 1, 77), *r = fill(n + 1, 77);
                /* NaN loses in max/min as in fmaxf, and propagates elsewhere */
                if (n > 2) a[n / 2] = NAN, b[n / 3] = NAN;
                f(n, a, sa, b, sb, y);
                g(n, a, sa, b, sb, r);
                for (int64_t i = 0; i <= n; i++)
                    CK(op == MOTE_BIN_POW ? close_tol(y[i], r[i], 0, 2) : same_float(y[i], r[i]),
                       "op %d n=%lld sa=%lld sb=%lld: y[%lld] = %.9g, reference %.9g", op, (long long)n,
                       (long long)sa, (long long)sb, (long long)i, (double)y[i], (double)r[i]);
                free(a); free(b); free(y); free(r);
            }
    }
}

static void check_general_act_f32(void)
{
    for (int a = 0; a < N_ACTS; a++)
        for (int s = 0; s < N_SIZES; s++) {
            int64_t n = sizes[s];
            float *x = buf(n + 1, -8, 8), *r = malloc(sizeof(float) * (size_t)(n + 1));
            memcpy(r, x, sizeof(float) * (size_t)(n + 1));
            T->general.act_f32(n, x, acts[a]);
            REF->general.act_f32(n, r, acts[a]);
            for (int64_t i = 0; i < n; i++)
                CK(fabsf(x[i] - r[i]) <= act_tol(acts[a], r[i]) + 1e-7f, "act %d n=%lld: %.9g, reference %.9g",
                   (int)acts[a].kind, (long long)n, (double)x[i], (double)r[i]);
            CK(x[n] == r[n], "act %d wrote past n", (int)acts[a].kind);
            free(x); free(r);
        }
}

/* ----------------------------------------------------------------- GEMM */

/* S[m,n] = sum_k |A[m,k] B[k,n]|, for the error bound */
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

static double gemm_tol(int64_t K, double S, float alpha, float r, mote_act act)
{
    return 2.0 * (double)K * FLT_EPSILON * fabs(alpha) * S + 4e-6 * (1 + fabs(r)) + act_tol(act, r);
}

static void check_general_gemm_f32(void)
{
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
        T->general.gemm_f32(&a);
        a.C = R;
        REF->general.gemm_f32(&a);
        abs_products(M, N, K, A, lda, ta, B, ldb, tb, S);
        for (int64_t i = 0; i < M; i++) {
            for (int64_t j = 0; j < N; j++) {
                float c = C[i * ldc + j], r = R[i * ldc + j];
                CK(fabs((double)c - r) <= gemm_tol(K, S[i * N + j], alpha, r, act),
                   "M=%lld N=%lld K=%lld ta=%d tb=%d act=%d: C[%lld,%lld] = %.8g, reference %.8g",
                   (long long)M, (long long)N, (long long)K, ta, tb, (int)act.kind, (long long)i,
                   (long long)j, (double)c, (double)r);
            }
            for (int64_t j = N; j < ldc; j++)
                CK(C[i * ldc + j] == R[i * ldc + j], "the padding of C was written");
        }
        free(A); free(B); free(C); free(R); free(bias); free(S);
    }
}

/* The packed-B group: all five entries or none (after resolution). */
static void ck_packed_b_group(void)
{
    const mote_general_kernels *k = &T->general;
    CK(k->gemm_nr && k->gemm_pack_b_bytes && k->gemm_pack_b && k->gemm_scratch_bytes &&
       k->gemm_packed_f32, "the packed-B group is incomplete");
    CK(k->gemm_nr() > 0, "gemm_nr() = %lld", (long long)k->gemm_nr());
}

/* runs the packed entry over [m0,m1) x [n0,n1) with exactly the scratch it
 * asked for, and checks the bytes past it are untouched */
static void packed_run(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, int ta,
                       const void *Bp, float *C, int64_t ldc, const float *bias, int per_row,
                       mote_act act, int64_t m0, int64_t m1, int64_t n0, int64_t n1)
{
    size_t sb = T->general.gemm_scratch_bytes(M, K);
    unsigned char *scratch = aligned_alloc(64, (sb + 64 + 63) / 64 * 64);
    ck_assert_ptr_nonnull(scratch);
    memset(scratch + sb, 0xa5, 64);
    mote_gemm_packed_args a = { M, N, K, A, lda, ta, Bp, C, ldc, bias, per_row, act,
                                m0, m1, n0, n1, sb ? scratch : NULL };
    T->general.gemm_packed_f32(&a);
    for (int i = 0; i < 64; i++)
        CK(scratch[sb + i] == 0xa5, "M=%lld K=%lld wrote past its %zu scratch bytes", (long long)M,
           (long long)K, sb);
    free(scratch);
}

/* packs B into exactly gemm_pack_b_bytes (and checks the bytes past it) */
static void *pack_b(int64_t K, int64_t N, const float *B, int64_t ldb, int tb)
{
    size_t bytes = T->general.gemm_pack_b_bytes(K, N);
    CK(bytes >= (size_t)(K * N) * sizeof(float), "pack_b_bytes(%lld, %lld) = %zu", (long long)K,
       (long long)N, bytes);
    unsigned char *Bp = aligned_alloc(64, (bytes + 64 + 63) / 64 * 64);
    ck_assert_ptr_nonnull(Bp);
    memset(Bp + bytes, 0x5a, 64);
    T->general.gemm_pack_b(K, N, B, ldb, tb, Bp);
    for (int i = 0; i < 64; i++)
        CK(Bp[bytes + i] == 0x5a, "pack_b K=%lld N=%lld wrote past its %zu bytes", (long long)K,
           (long long)N, bytes);
    return Bp;
}

static void packed_b_case(int64_t M, int64_t N, int64_t K, int ta, int tb, int bias_kind,
                          mote_act act, int whole)
{
    int64_t nr = T->general.gemm_nr();
    int64_t lda = (ta ? M : K) + rnd(3), ldb = (tb ? K : N) + rnd(3), ldc = N + rnd(3);
    float *A = buf((ta ? K : M) * lda, -1, 1), *B = buf((tb ? N : K) * ldb, -1, 1);
    float *bias = buf(M > N ? M : N, -1, 1);
    float *C = fill(M * ldc, 1e30f), *R = fill(M * ldc, 1e30f);
    double *S = malloc(sizeof(double) * (size_t)(M * N));
    void *Bp = pack_b(K, N, B, ldb, tb);
    /* a random range: n0 a multiple of NR, as the plan gives */
    int64_t m0 = rnd(M), m1 = m0 + 1 + rnd(M - m0);
    int64_t n0 = rnd((N + nr - 1) / nr) * nr, n1 = n0 + 1 + rnd(N - n0);
    if (whole) m0 = 0, m1 = M, n0 = 0, n1 = N;
    packed_run(M, N, K, A, lda, ta, Bp, C, ldc, bias_kind ? bias : NULL, bias_kind == 2, act,
               m0, m1, n0, n1);
    mote_gemm_args a = { m1 - m0, n1 - n0, K, ta ? A + m0 : A + m0 * lda, lda, ta,
                         tb ? B + n0 * ldb : B + n0, ldb, tb, R + m0 * ldc + n0, ldc, 1.0f, 0.0f,
                         bias_kind ? bias + (bias_kind == 2 ? m0 : n0) : NULL, bias_kind == 2, act };
    mote_gemm_f32_ref(&a);
    abs_products(M, N, K, A, lda, ta, B, ldb, tb, S);
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < ldc; j++) {
            float c = C[i * ldc + j], r = R[i * ldc + j];
            if (i < m0 || i >= m1 || j < n0 || j >= n1) {
                CK(c == 1e30f, "C[%lld,%lld] outside the range was written", (long long)i, (long long)j);
                continue;
            }
            CK(fabs((double)c - r) <= gemm_tol(K, S[i * N + j], 1, r, act),
               "M=%lld N=%lld K=%lld ta=%d tb=%d act=%d: C[%lld,%lld] = %.8g, reference %.8g",
               (long long)M, (long long)N, (long long)K, ta, tb, (int)act.kind, (long long)i,
               (long long)j, (double)c, (double)r);
        }
    free(A); free(B); free(bias); free(C); free(R); free(S); free(Bp);
}

static void check_general_gemm_nr(void) { ck_packed_b_group(); }

static void check_general_gemm_pack_b_bytes(void)
{
    ck_packed_b_group();
    for (int s = 0; s < N_SIZES; s++) {   /* pack_b checks the size against K N floats */
        void *Bp;
        float *B = buf(sizes[s] * 7, -1, 1);
        Bp = pack_b(sizes[s], 7, B, 7, 0);
        free(Bp);
        Bp = pack_b(7, sizes[s], B, sizes[s], 0);
        free(Bp); free(B);
    }
}

/* packing is data movement: the same bits, whatever the pad bytes held */
static void check_general_gemm_pack_b(void)
{
    ck_packed_b_group();
    for (int s = 0; s < N_SIZES; s++)
        for (int tb = 0; tb < 2; tb++) {
            int64_t K = sizes[s], N = sizes[(s + 3) % N_SIZES];
            size_t bytes = T->general.gemm_pack_b_bytes(K, N);
            float *B = buf(K * N, -1, 1);
            unsigned char *p1 = malloc(bytes), *p2 = malloc(bytes);
            memset(p1, 0x11, bytes);
            memset(p2, 0xee, bytes);
            T->general.gemm_pack_b(K, N, B, tb ? K : N, tb, p1);
            T->general.gemm_pack_b(K, N, B, tb ? K : N, tb, p2);
            CK(!memcmp(p1, p2, bytes), "K=%lld N=%lld tb=%d: bytes left unwritten", (long long)K,
               (long long)N, tb);
            free(B); free(p1); free(p2);
        }
}

static void check_general_gemm_scratch_bytes(void)
{
    ck_packed_b_group();
    /* packed_run checks every call stays within its scratch */
    for (int64_t M = 1; M <= 17; M += 4)
        packed_b_case(M, 33, 300, 0, 0, 1, acts[0], 1);
}

static void check_general_gemm_packed_f32(void)
{
    ck_packed_b_group();
    for (int it = 0; it < 80; it++) {
        /* M from 1 to 8 takes the small-M path; larger M the tiled one */
        int64_t M = it % 2 ? 1 + rnd(8) : sizes[rnd(N_SIZES)];
        int64_t N = sizes[rnd(N_SIZES)], K = sizes[rnd(N_SIZES)];
        /* now and then a K past the largest K block (1024) */
        if (it % 8 == 3) K = 1025 + rnd(1200);
        /* a transposed A (K x M in memory) only when M > 8, as kernels.h allows */
        int ta = M > 8 && rnd(2);
        packed_b_case(M, N, K, ta, (int)rnd(2), (int)rnd(3), acts[it % N_ACTS], it % 4 == 0);
    }
    /* the bits do not depend on the split: rows in pieces of 1, 4 (small-M
     * path) and the rest, columns at an NR boundary; A plain or transposed */
    int64_t nr = T->general.gemm_nr();
    const int64_t shapes[][3] = { { 20, 257, 300 }, { 9, 100, 33 }, { 45, 40, 2100 } };
    for (int s = 0; s < 3; s++) {
        int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = buf(M * K, -1, 1), *AT = malloc(sizeof(float) * (size_t)(M * K));
        float *B = buf(K * N, -1, 1), *bias = buf(N, -1, 1);
        float *C1 = fill(M * N, 0), *C2 = fill(M * N, 0);
        for (int64_t i = 0; i < M; i++)
            for (int64_t k = 0; k < K; k++) AT[k * M + i] = A[i * K + k];
        void *Bp = pack_b(K, N, B, N, 0);
        mote_act act = { MOTE_ACT_GELU, 0, 0 };
        packed_run(M, N, K, A, K, 0, Bp, C1, N, bias, 0, act, 0, M, 0, N);
        int64_t nsplit = (N / nr / 2) * nr, cuts[] = { 0, 1, 5, M };
        for (int ta = 0; ta < 2; ta++) {
            memset(C2, 0, sizeof(float) * (size_t)(M * N));
            for (int r = 0; r < 3; r++) {
                packed_run(M, N, K, ta ? AT : A, ta ? M : K, ta, Bp, C2, N, bias, 0, act, cuts[r],
                           cuts[r + 1], 0, nsplit);
                packed_run(M, N, K, ta ? AT : A, ta ? M : K, ta, Bp, C2, N, bias, 0, act, cuts[r],
                           cuts[r + 1], nsplit, N);
            }
            ck_same(C2, C1, M * N, ta ? "A transposed, split calls" : "split calls");
        }
        free(A); free(AT); free(B); free(bias); free(C1); free(C2); free(Bp);
    }
    /* the same bits whether A's block has many micro-panels (B in NC
     * blocks) or few (B panel by panel, the next one prefetched), and
     * whether an edge tile computes all MR rows or only half or a quarter
     * or three quarters of them: rows in calls of 49 (3.5 AVX-512 tiles),
     * 4, 3, 10 and the rest,
     * A transposed (no small-M path) and not; K past one K block */
    for (int ta = 0; ta < 2; ta++) {
        int64_t M = 100, N = 5 * nr + 3, K = 1100;
        float *A = buf(M * K, -1, 1), *AT = malloc(sizeof(float) * (size_t)(M * K));
        float *B = buf(K * N, -1, 1), *bias = buf(M, -1, 1);
        float *C1 = fill(M * N, 0), *C2 = fill(M * N, 0);
        for (int64_t i = 0; i < M; i++)
            for (int64_t k = 0; k < K; k++) AT[k * M + i] = A[i * K + k];
        void *Bp = pack_b(K, N, B, N, 0);
        /* Clip where the small-M path (v_act) meets the tiles (inline) */
        mote_act act = ta ? (mote_act){ MOTE_ACT_RELU, 0, 0 } : (mote_act){ MOTE_ACT_CLIP, -0.5f, 0.75f };
        packed_run(M, N, K, ta ? AT : A, ta ? M : K, ta, Bp, C1, N, bias, 1, act, 0, M, 0, N);
        const int64_t cuts[] = { 0, 49, 53, 56, 66, M };
        for (int r = 0; r < 5; r++)
            packed_run(M, N, K, ta ? AT : A, ta ? M : K, ta, Bp, C2, N, bias, 1, act, cuts[r], cuts[r + 1],
                       0, N);
        ck_same(C2, C1, M * N, ta ? "few micro-panels, A transposed" : "few micro-panels");
        free(A); free(AT); free(B); free(bias); free(C1); free(C2); free(Bp);
    }
    /* the same bits whether A is packed (a call over many panels of B) or
     * read in place (calls of one or two panels); rows 4 KiB apart (K =
     * 1024) always take the packed path; K past one K block */
    const int64_t ks[] = { 1100, 1024, 300 };
    for (int s = 0; s < 3; s++) {
        int64_t M = 45, N = 20 * nr + 7, K = ks[s];
        float *A = buf(M * K, -1, 1), *B = buf(K * N, -1, 1), *bias = buf(N, -1, 1);
        float *C1 = fill(M * N, 0), *C2 = fill(M * N, 0);
        void *Bp = pack_b(K, N, B, N, 0);
        mote_act act = { MOTE_ACT_RELU, 0, 0 };
        packed_run(M, N, K, A, K, 0, Bp, C1, N, bias, 0, act, 0, M, 0, N);
        for (int64_t j = 0; j < N; j += (j / nr) % 2 ? nr : 2 * nr)
            packed_run(M, N, K, A, K, 0, Bp, C2, N, bias, 0, act, 0, M, j, N < j + 2 * nr ? N : j + 2 * nr);
        ck_same(C2, C1, M * N, "A in place and A packed");
        free(A); free(B); free(bias); free(C1); free(C2); free(Bp);
    }
    /* an edge panel of at most one vector of columns: the same bits as
     * in a whole panel (packed A: more than INPLACE_PANELS panels) */
    for (int ta = 0; ta < 2; ta++) {
        int64_t M = 45, N = 9 * nr + 4, K = 300, Nb = 10 * nr;
        float *A = buf(M * K, -1, 1), *B = buf(K * Nb, -1, 1), *bias = buf(Nb, -1, 1);
        float *C1 = fill(M * Nb, 0), *C2 = fill(M * Nb, 0);
        void *Bp = pack_b(K, Nb, B, Nb, 0);
        mote_act act = { MOTE_ACT_RELU, 0, 0 };
        packed_run(M, Nb, K, A, ta ? M : K, ta, Bp, C1, Nb, bias, 0, act, 0, M, 0, Nb);
        packed_run(M, Nb, K, A, ta ? M : K, ta, Bp, C2, Nb, bias, 0, act, 0, M, 0, N);
        for (int64_t i = 0; i < M; i++)
            CK(!memcmp(C1 + i * Nb, C2 + i * Nb, sizeof(float) * (size_t)N),
               "ta=%d: row %lld of a narrow edge panel differs from a whole panel's", ta, (long long)i);
        free(A); free(B); free(bias); free(C1); free(C2); free(Bp);
    }
    /* a transposed A read in place (a call over few panels of B, many
     * rows) against the same A packed (a call over many panels): the same
     * bits in the columns both compute; awkward sizes, K past one K block,
     * rows 1 KiB apart (K x 256: always packed) */
    const int64_t ms[] = { 13, 14, 15, 17, 31, 33, 49, 85, 196, 256 };
    const int64_t ns[] = { 1, 3, 7, 13, 14, 15, 17, 31, 33, 49, 96, 160 };
    const int64_t kk[] = { 1, 3, 7, 13, 14, 17, 31, 33, 49, 196, 1100 };
    for (int it = 0; it < 40; it++) {
        int64_t M = ms[it % 10], N = ns[rnd(12)], K = kk[rnd(11)];
        int64_t Nb = N + 8 * nr, lda = M + (it % 3 ? rnd(3) : 0);
        float *AT = buf(K * lda, -1, 1), *B = buf(K * Nb, -1, 1), *bias = buf(Nb, -1, 1);
        float *C1 = fill(M * Nb, 0), *C2 = fill(M * Nb, 0);
        void *Bp = pack_b(K, Nb, B, Nb, 0);
        mote_act act = acts[it % N_ACTS];
        packed_run(M, Nb, K, AT, lda, 1, Bp, C1, Nb, it % 2 ? bias : NULL, 0, act, 0, M, 0, Nb);
        packed_run(M, Nb, K, AT, lda, 1, Bp, C2, Nb, it % 2 ? bias : NULL, 0, act, 0, M, 0, N);
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++)
                CK(!memcmp(&C1[i * Nb + j], &C2[i * Nb + j], sizeof(float)),
                   "M=%lld N=%lld K=%lld: A transposed in place and packed differ at [%lld,%lld]",
                   (long long)M, (long long)N, (long long)K, (long long)i, (long long)j);
        /* and the in-place call against the reference */
        packed_b_case(M, N, K, 1, 0, (int)rnd(3), act, 1);
        free(AT); free(B); free(bias); free(C1); free(C2); free(Bp);
    }
}

/* The packed-A group: all five or none. */
static void ck_packed_a_group(void)
{
    const mote_general_kernels *k = &T->general;
    CK(k->gemm_mr && k->gemm_pack_a_bytes && k->gemm_pack_a && k->gemm_packed_a_scratch_bytes &&
       k->gemm_packed_a_f32, "the packed-A group is incomplete");
    CK(k->gemm_mr() > 0, "gemm_mr() = %lld", (long long)k->gemm_mr());
}

static void *pack_a(int64_t M, int64_t K, const float *A, int64_t lda, int ta)
{
    size_t bytes = T->general.gemm_pack_a_bytes(M, K);
    CK(bytes >= (size_t)(M * K) * sizeof(float), "pack_a_bytes(%lld, %lld) = %zu", (long long)M,
       (long long)K, bytes);
    unsigned char *Ap = aligned_alloc(64, (bytes + 64 + 63) / 64 * 64);
    ck_assert_ptr_nonnull(Ap);
    memset(Ap + bytes, 0x5a, 64);
    T->general.gemm_pack_a(M, K, A, lda, ta, Ap);
    for (int i = 0; i < 64; i++)
        CK(Ap[bytes + i] == 0x5a, "pack_a M=%lld K=%lld wrote past its %zu bytes", (long long)M,
           (long long)K, bytes);
    return Ap;
}

static void packed_a_run(int64_t M, int64_t N, int64_t K, const void *Ap, const float *B,
                         int64_t ldb, float *C, int64_t ldc, const float *bias, int per_row,
                         mote_act act, int64_t m0, int64_t m1, int64_t n0, int64_t n1)
{
    size_t sb = T->general.gemm_packed_a_scratch_bytes(N, K);
    unsigned char *scratch = aligned_alloc(64, (sb + 64 + 63) / 64 * 64);
    ck_assert_ptr_nonnull(scratch);
    memset(scratch + sb, 0xa5, 64);
    mote_gemm_packed_a_args a = { M, N, K, Ap, B, ldb, C, ldc, bias, per_row, act,
                                  m0, m1, n0, n1, sb ? scratch : NULL };
    T->general.gemm_packed_a_f32(&a);
    for (int i = 0; i < 64; i++)
        CK(scratch[sb + i] == 0xa5, "N=%lld K=%lld wrote past its %zu scratch bytes", (long long)N,
           (long long)K, sb);
    free(scratch);
}

static void packed_a_case(int64_t M, int64_t N, int64_t K, int ta, int bias_kind, mote_act act,
                          int whole)
{
    int64_t mr = T->general.gemm_mr();
    int64_t lda = (ta ? M : K) + rnd(3), ldb = N + rnd(3), ldc = N + rnd(3);
    float *A = buf((ta ? K : M) * lda, -1, 1), *B = buf(K * ldb, -1, 1);
    float *bias = buf(M > N ? M : N, -1, 1);
    float *C = fill(M * ldc, 1e30f), *R = fill(M * ldc, 1e30f);
    double *S = malloc(sizeof(double) * (size_t)(M * N));
    void *Ap = pack_a(M, K, A, lda, ta);
    /* a random range: m0 a multiple of MR, as the plan gives */
    int64_t m0 = rnd((M + mr - 1) / mr) * mr, m1 = m0 + 1 + rnd(M - m0);
    int64_t n0 = rnd(N), n1 = n0 + 1 + rnd(N - n0);
    if (whole) m0 = 0, m1 = M, n0 = 0, n1 = N;
    packed_a_run(M, N, K, Ap, B, ldb, C, ldc, bias_kind ? bias : NULL, bias_kind == 2, act,
                 m0, m1, n0, n1);
    mote_gemm_args a = { m1 - m0, n1 - n0, K, ta ? A + m0 : A + m0 * lda, lda, ta, B + n0, ldb, 0,
                         R + m0 * ldc + n0, ldc, 1.0f, 0.0f,
                         bias_kind ? bias + (bias_kind == 2 ? m0 : n0) : NULL, bias_kind == 2, act };
    mote_gemm_f32_ref(&a);
    abs_products(M, N, K, A, lda, ta, B, ldb, 0, S);
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < ldc; j++) {
            float c = C[i * ldc + j], r = R[i * ldc + j];
            if (i < m0 || i >= m1 || j < n0 || j >= n1) {
                CK(c == 1e30f, "C[%lld,%lld] outside the range was written", (long long)i, (long long)j);
                continue;
            }
            CK(fabs((double)c - r) <= gemm_tol(K, S[i * N + j], 1, r, act),
               "M=%lld N=%lld K=%lld ta=%d act=%d: C[%lld,%lld] = %.8g, reference %.8g", (long long)M,
               (long long)N, (long long)K, ta, (int)act.kind, (long long)i, (long long)j, (double)c,
               (double)r);
        }
    free(A); free(B); free(bias); free(C); free(R); free(S); free(Ap);
}

static void check_general_gemm_mr(void) { ck_packed_a_group(); }

static void check_general_gemm_pack_a_bytes(void)
{
    ck_packed_a_group();
    for (int s = 0; s < N_SIZES; s++) {
        float *A = buf(sizes[s] * 7, -1, 1);
        void *Ap = pack_a(sizes[s], 7, A, 7, 0);
        free(Ap);
        Ap = pack_a(7, sizes[s], A, sizes[s], 0);
        free(Ap); free(A);
    }
}

static void check_general_gemm_pack_a(void)
{
    ck_packed_a_group();
    for (int s = 0; s < N_SIZES; s++)
        for (int ta = 0; ta < 2; ta++) {
            int64_t M = sizes[s], K = sizes[(s + 5) % N_SIZES];
            size_t bytes = T->general.gemm_pack_a_bytes(M, K);
            float *A = buf(M * K, -1, 1);
            unsigned char *p1 = malloc(bytes), *p2 = malloc(bytes);
            memset(p1, 0x11, bytes);
            memset(p2, 0xee, bytes);
            T->general.gemm_pack_a(M, K, A, ta ? M : K, ta, p1);
            T->general.gemm_pack_a(M, K, A, ta ? M : K, ta, p2);
            CK(!memcmp(p1, p2, bytes), "M=%lld K=%lld ta=%d: bytes left unwritten", (long long)M,
               (long long)K, ta);
            free(A); free(p1); free(p2);
        }
}

static void check_general_gemm_packed_a_scratch_bytes(void)
{
    ck_packed_a_group();
    for (int s = 0; s < N_SIZES; s += 2)   /* packed_a_run checks the scratch bound */
        packed_a_case(17, sizes[s], 300, 0, 1, acts[0], 1);
}

static void check_general_gemm_packed_a_f32(void)
{
    ck_packed_a_group();
    for (int it = 0; it < 80; it++) {
        int64_t M = sizes[rnd(N_SIZES)], N = sizes[rnd(N_SIZES)], K = sizes[rnd(N_SIZES)];
        if (it == 1) M = 64, N = 3136, K = 576;   /* a 3x3 64->64 conv at 56x56 */
        packed_a_case(M, N, K, (int)rnd(2), (int)rnd(3), acts[it % N_ACTS], it % 4 == 0);
    }
    /* B read in place (K <= 192, A of a few micro-panels) with every
     * height of the last micro-panel: Winograd's 64 -> 64 products among
     * them (64 = 4 x 14 + 8), whole and partial column panels */
    for (int64_t m = 1; m <= 70; m += (m < 16 ? 1 : 6))
        packed_a_case(m, m % 3 ? 128 : 100, 64, 0, (int)(m % 3), acts[m % N_ACTS], 1);
    packed_a_case(64, 128, 64, 0, 0, acts[0], 1);
    /* the bits do not depend on the split (rows at MR, columns anywhere) */
    int64_t mr = T->general.gemm_mr();
    const int64_t shapes[][3] = { { 64, 3136, 576 }, { 9, 100, 33 }, { 257, 65, 600 } };
    for (int s = 0; s < 3; s++) {
        int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = buf(M * K, -1, 1), *B = buf(K * N, -1, 1), *bias = buf(M, -1, 1);
        float *C1 = fill(M * N, 0), *C2 = fill(M * N, 0);
        void *Ap = pack_a(M, K, A, K, 0);
        mote_act act = { MOTE_ACT_RELU, 0, 0 };
        packed_a_run(M, N, K, Ap, B, N, C1, N, bias, 1, act, 0, M, 0, N);
        int64_t msplit = (M / mr / 2) * mr, nsplit = N / 3, cuts[] = { 0, msplit, M };
        for (int r = 0; r < 2; r++) {
            packed_a_run(M, N, K, Ap, B, N, C2, N, bias, 1, act, cuts[r], cuts[r + 1], 0, nsplit);
            packed_a_run(M, N, K, Ap, B, N, C2, N, bias, 1, act, cuts[r], cuts[r + 1], nsplit, N);
        }
        ck_same(C2, C1, M * N, "split calls");
        free(A); free(B); free(bias); free(C1); free(C2); free(Ap);
    }
    /* an edge panel of at most one vector of columns (a 14x14 image: 196
     * = 6 x 32 + 4) computes only that vector: the same bits as those
     * columns in a whole panel (B wider, the same values); K within the
     * B-in-place bound and past it, rows past it */
    int64_t nr = T->general.gemm_nr();
    const int64_t nshapes[][3] = { { 384, 6 * nr + 4, 64 }, { 100, 2 * nr + 1, 300 }, { 61, nr - 3, 7 } };
    for (int s = 0; s < 3; s++) {
        int64_t M = nshapes[s][0], N = nshapes[s][1], K = nshapes[s][2], Nb = (N + nr - 1) / nr * nr;
        float *A = buf(M * K, -1, 1), *B = buf(K * Nb, -1, 1), *bias = buf(M, -1, 1);
        float *C1 = fill(M * Nb, 0), *C2 = fill(M * Nb, 0);
        void *Ap = pack_a(M, K, A, K, 0);
        mote_act act = acts[s % N_ACTS];
        packed_a_run(M, Nb, K, Ap, B, Nb, C1, Nb, bias, 1, act, 0, M, 0, Nb);
        packed_a_run(M, N, K, Ap, B, Nb, C2, Nb, bias, 1, act, 0, M, 0, N);
        for (int64_t i = 0; i < M; i++)
            CK(!memcmp(C1 + i * Nb, C2 + i * Nb, sizeof(float) * (size_t)N),
               "M=%lld N=%lld K=%lld: row %lld differs from a whole panel's", (long long)M, (long long)N,
               (long long)K, (long long)i);
        free(A); free(B); free(bias); free(C1); free(C2); free(Ap);
    }
}

/* ---------------------------------------------------------- convolution */

/* a convolution against the direct reference, channels [oc0, OC) only;
 * entry is the function under test */
static void conv_case(void (*fn)(const mote_conv2d_args *), int64_t C, int64_t OC,
                      int64_t groups, int64_t H, int64_t W, int64_t KH, int64_t KW, int64_t sh,
                      int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int with_bias,
                      mote_act act, int64_t oc0)
{
    int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
    int64_t cg = C / groups;
    float *x = buf(C * H * W, -1, 1), *w = buf(OC * cg * KH * KW, -1, 1), *bias = buf(OC, -1, 1);
    float *y = fill(OC * OH * OW, -7777.0f), *r = fill(OC * OH * OW, -7777.0f);
    mote_conv2d_args a = { C, H, W, OC, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, groups, x, w,
                           with_bias ? bias : NULL, y, act, oc0, OC };
    fn(&a);
    a.y = r;
    mote_conv2d_f32_ref(&a);
    double taps = (double)(cg * KH * KW);
    for (int64_t i = 0; i < OC * OH * OW; i++)
        CK(fabsf(y[i] - r[i]) <= 2.0 * taps * FLT_EPSILON * taps + 1e-5 * (1 + fabsf(r[i])) +
                                 act_tol(act, r[i]) || same_float(y[i], r[i]),
           "C=%lld OC=%lld g=%lld H=%lld W=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld d=%lldx%lld "
           "act=%d: [%lld] = %.8g, reference %.8g", (long long)C, (long long)OC, (long long)groups,
           (long long)H, (long long)W, (long long)KH, (long long)KW, (long long)sh, (long long)sw,
           (long long)ph, (long long)pw, (long long)dh, (long long)dw, (int)act.kind, (long long)i,
           (double)y[i], (double)r[i]);
    free(x); free(w); free(bias); free(y); free(r);
}

static void check_general_conv2d_f32(void)
{
    for (int it = 0; it < 60; it++) {
        int64_t groups = 1 + rnd(2), C = groups * (1 + rnd(3)), OC = groups * (1 + rnd(3));
        int64_t H = sizes[rnd(7)], W = sizes[rnd(8)], KH = 1 + rnd(3), KW = 1 + rnd(3);
        int64_t dh = 1 + rnd(2), dw = 1 + rnd(2), ph = rnd(KH), pw = rnd(KW);
        if (H + 2 * ph < dh * (KH - 1) + 1 || W + 2 * pw < dw * (KW - 1) + 1) continue;
        conv_case(T->general.conv2d_f32, C, OC, groups, H, W, KH, KW, 1 + rnd(2), 1 + rnd(2), ph, pw,
                  dh, dw, it % 3 != 0, acts[it % N_ACTS], rnd(OC));
    }
}

/* Depthwise KH x KW at stride s both ways with pads top, left, bottom,
 * right (maybe unequal) against the direct reference; then the same
 * call as two, channels [0, k) and [k, C), and as up to three ranges of
 * output rows: the same bits (how channels or rows are split over threads
 * never changes an output). */
static void dw_case(void (*fn)(const mote_conv2d_args *), int64_t C, int64_t H, int64_t W, int64_t KH,
                    int64_t KW, int64_t s, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int with_bias,
                    mote_act act)
{
    int64_t OH = (H + pt + pb - KH) / s + 1, OW = (W + pl + pr - KW) / s + 1, n = C * OH * OW;
    float *x = buf(C * H * W, -1, 1), *w = buf(C * KH * KW, -1, 1), *bias = buf(C, -1, 1);
    float *y = fill(n, -7777.0f), *r = fill(n, -7777.0f), *z = fill(n, -7777.0f);
    mote_conv2d_args a = { C, H, W, C, OH, OW, KH, KW, s, s, pt, pl, 1, 1, C, x, w,
                           with_bias ? bias : NULL, y, act, 0, C };
    fn(&a);
    a.y = r;
    mote_conv2d_f32_ref(&a);
    double taps = (double)(KH * KW);
    for (int64_t i = 0; i < n; i++)
        CK(fabsf(y[i] - r[i]) <= 2.0 * taps * FLT_EPSILON * taps + 1e-5 * (1 + fabsf(r[i])) +
                                 act_tol(act, r[i]) || same_float(y[i], r[i]),
           "C=%lld H=%lld W=%lld k=%lldx%lld s=%lld pads=%lld,%lld,%lld,%lld act=%d: [%lld] = %.8g, "
           "reference %.8g", (long long)C, (long long)H, (long long)W, (long long)KH, (long long)KW,
           (long long)s, (long long)pt, (long long)pl, (long long)pb, (long long)pr, (int)act.kind,
           (long long)i, (double)y[i], (double)r[i]);
    int64_t k = rnd(C + 1);
    a.y = z;
    a.oc1 = k;
    fn(&a);
    a.oc0 = k;
    a.oc1 = C;
    fn(&a);
    ck_same(z, y, n, "channels split over two calls");
    /* and output rows [0, k1), [k1, k2), [k2, OH) of every channel as
     * three calls (the row split of large maps): the same bits */
    int64_t k1 = rnd(OH + 1), k2 = k1 + rnd(OH - k1 + 1);
    float *u = fill(n, -7777.0f);
    a.y = u;
    a.oc0 = 0;
    a.oc1 = C;
    const int64_t cuts[4] = { 0, k1, k2, OH };
    for (int i = 0; i < 3; i++) {
        if (cuts[i + 1] <= cuts[i]) continue;
        a.oy0 = cuts[i];
        a.oy1 = cuts[i + 1];
        fn(&a);
    }
    ck_same(u, y, n, "rows split over three calls");
    free(x); free(w); free(bias); free(y); free(r); free(z); free(u);
}

/* Output columns j <= (37 + pl) / 2 of a stride-2 3x3 depthwise with left
 * pad pl read input columns up to 39 only, so a 40-column image (20 outputs a row: the band path on
 * AVX-512) and a 48-column one with the same first 40 columns (24 or 25
 * outputs: the register path) must give them the same bits: each path's output is
 * the same chain of operations. Rows likewise, with and without the
 * activation and the bias. */
static void dw_s2_paths_agree(void)
{
    for (int it = 0; it < 6; it++) {
        const int64_t C = 3 + it, H = 9 + it, Wn = 40, Ww = 48, pt = it % 2, pl = it % 3;
        const int64_t OH = (H + pt + 1 - 3) / 2 + 1, OWn = (Wn + pl + 1 - 3) / 2 + 1, OWw = (Ww + pl + 1 - 3) / 2 + 1;
        float *xw = buf(C * H * Ww, -1, 1), *xn = fill(C * H * Wn, 0), *w = buf(C * 9, -1, 1), *b = buf(C, -1, 1);
        float *yn = fill(C * OH * OWn, -7777.0f), *yw = fill(C * OH * OWw, -7777.0f);
        for (int64_t r = 0; r < C * H; r++) memcpy(xn + r * Wn, xw + r * Ww, sizeof(float) * (size_t)Wn);
        mote_conv2d_args a = { C, H, Wn, C, OH, OWn, 3, 3, 2, 2, pt, pl, 1, 1, C, xn, w,
                               it % 2 ? b : NULL, yn, acts[it % N_ACTS], 0, C };
        T->general.conv2d_dw3x3_f32(&a);
        a.W = Ww;
        a.OW = OWw;
        a.x = xw;
        a.y = yw;
        T->general.conv2d_dw3x3_f32(&a);
        for (int64_t r = 0; r < C * OH; r++)
            for (int64_t j = 0; j <= (37 + pl) / 2; j++)
                CK(same_float(yn[r * OWn + j], yw[r * OWw + j]),
                   "stride 2, pads %lld,%lld: row %lld column %lld: %.9g with %lld columns, %.9g with %lld",
                   (long long)pt, (long long)pl, (long long)r, (long long)j, (double)yn[r * OWn + j],
                   (long long)Wn, (double)yw[r * OWw + j], (long long)Ww);
        free(xw); free(xn); free(w); free(b); free(yn); free(yw);
    }
}

static void check_general_conv2d_dw3x3_f32(void)
{
    for (int it = 0; it < 60; it++) {
        int64_t C = 1 + rnd(3), H = sizes[rnd(7)], W = sizes[rnd(9)], s = 1 + (it & 1), p = rnd(2);
        /* rows too wide for the padded fast path take the edge path */
        if (it % 10 >= 8) H = 3 + rnd(3), W = 1100 + rnd(900);
        if (H + 2 * p < 3 || W + 2 * p < 3) continue;
        conv_case(T->general.conv2d_dw3x3_f32, C, C, C, H, W, 3, 3, s, s, p, p, 1, 1, it % 3 != 0,
                  acts[it % N_ACTS], it % 4 == 1 ? rnd(C) : 0);
    }
    /* tall maps either side of the small-map path's buffer */
    for (int64_t H = 60; H <= 100; H += 5)
        conv_case(T->general.conv2d_dw3x3_f32, 3, 3, 3, H, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1,
                  acts[H % N_ACTS], 0);
    /* unequal pads (a Pad folded in: 0 before, 1 after), awkward widths,
     * channel counts not a multiple of 16, both strides, every activation */
    for (int it = 0; it < 120; it++) {
        int64_t H = sizes[rnd(8)], W = sizes[rnd(8)], C = 1 + rnd(40), s = 1 + (it & 1);
        int64_t pt = rnd(3), pl = rnd(3), pb = rnd(3), pr = rnd(3);
        if (it % 4 == 3) H = 2 + rnd(9), W = 2 + rnd(9), pt = pl = pb = pr = 1;   /* small maps */
        if (H + pt + pb < 3 || W + pl + pr < 3) continue;
        dw_case(T->general.conv2d_dw3x3_f32, C, H, W, 3, 3, s, pt, pl, pb, pr, it % 3 != 0,
                acts[it % N_ACTS]);
    }
    /* MobileNetV2's and M-LSD's maps: several bands a channel, a last band
     * shorter than the rest, the widest rows the band path takes */
    static const int64_t maps[][7] = {
        { 17, 112, 112, 1, 1, 1, 1 }, { 19, 112, 112, 2, 1, 1, 1 }, { 18, 56, 56, 2, 0, 0, 1 },
        { 33, 28, 28, 1, 1, 1, 1 }, { 21, 14, 14, 2, 1, 1, 1 }, { 35, 7, 7, 1, 1, 1, 1 },
        { 5, 80, 80, 2, 0, 0, 1 }, { 3, 9, 1020, 1, 1, 1, 1 }, { 3, 9, 1000, 2, 0, 1, 1 },
        { 4, 45, 7, 2, 1, 0, 1 }, { 6, 8, 8, 1, 2, 2, 0 }, { 6, 8, 8, 1, 0, 0, 2 },
    };
    for (int i = 0; i < (int)(sizeof maps / sizeof maps[0]); i++) {
        const int64_t *m = maps[i];
        dw_case(T->general.conv2d_dw3x3_f32, m[0], m[1], m[2], 3, 3, m[3], m[4], m[5], m[6], m[6], 1,
                acts[(i * 4) % N_ACTS]);
    }
    /* stride 2 on rows of 24 outputs and more (the AVX-512 register
     * path): rows ending anywhere in a block of 32 outputs, left pads 0..2,
     * odd heights (a last single row), inputs whose last column is or is
     * not read */
    for (int64_t OW = 24; OW <= 66; OW += 3)
        for (int64_t pl = 0; pl <= 2; pl++) {
            int64_t pr = (OW + pl) % 2, W = 2 * OW + 1 - pl - pr, H = 5 + OW % 6;
            dw_case(T->general.conv2d_dw3x3_f32, 1 + OW % 3, H, W, 3, 3, 2, OW % 2, pl, 1, pr, (int)(OW & 1),
                    acts[(OW + pl) % N_ACTS]);
        }
    dw_s2_paths_agree();
}

static void check_general_conv2d_dw_f32(void)
{
    for (int it = 0; it < 120; it++) {
        int64_t KH = 1 + rnd(MOTE_DW_MAXK), KW = 1 + rnd(MOTE_DW_MAXK);
        int64_t C = 1 + rnd(4), H = sizes[rnd(7)], W = sizes[rnd(9)];
        int64_t sh = 1 + rnd(3), sw = it % 4 == 3 ? 3 : 1 + rnd(2), ph = rnd(KH), pw = rnd(KW);
        if (it % 10 == 9) H = KH + rnd(3), W = 1100 + rnd(900);
        if (H + 2 * ph < KH || W + 2 * pw < KW) continue;
        conv_case(T->general.conv2d_dw_f32, C, C, C, H, W, KH, KW, sh, sw, ph, pw, 1, 1, it % 3 != 0,
                  acts[it % N_ACTS], C > 1 ? rnd(C - 1) : 0);
    }
    /* unequal pads, both strides, every kernel size, every activation */
    for (int it = 0; it < 120; it++) {
        int64_t KH = 1 + rnd(MOTE_DW_MAXK), KW = it % 3 ? KH : 1 + rnd(MOTE_DW_MAXK);
        int64_t H = sizes[rnd(8)], W = sizes[rnd(8)], C = 1 + rnd(20), s = 1 + (it & 1);
        int64_t pt = rnd(KH), pl = rnd(KW), pb = rnd(KH), pr = rnd(KW);
        if (H + pt + pb < KH || W + pl + pr < KW) continue;
        dw_case(T->general.conv2d_dw_f32, C, H, W, KH, KW, s, pt, pl, pb, pr, it % 3 != 0,
                acts[it % N_ACTS]);
    }
    /* channels in lanes (the AVX-512 small-map path): 16 channels and
     * more, tails of 1..15, 5x5 on maps to 16x16 and other kernels to 8x8,
     * both strides, unequal pads, every activation */
    static const int64_t lanes[][9] = {
        { 20, 16, 16, 5, 5, 1, 2, 2, 2 }, { 33, 14, 14, 3, 3, 2, 1, 1, 1 }, { 17, 5, 5, 7, 7, 1, 3, 3, 3 },
        { 48, 7, 7, 3, 3, 1, 1, 1, 1 },   { 31, 9, 6, 5, 3, 2, 0, 2, 1 },   { 16, 4, 4, 3, 3, 1, 1, 1, 1 },
        { 47, 12, 10, 5, 5, 2, 2, 1, 2 }, { 18, 3, 11, 4, 2, 1, 0, 1, 1 },
    };
    for (int i = 0; i < (int)(sizeof lanes / sizeof lanes[0]); i++) {
        const int64_t *m = lanes[i];
        dw_case(T->general.conv2d_dw_f32, m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[6] ^ 1,
                i % 2, acts[i % N_ACTS]);
        if (m[3] == 3 && m[4] == 3)
            dw_case(T->general.conv2d_dw3x3_f32, m[0], m[1], m[2], 3, 3, m[5], m[6], m[7], m[8], m[6],
                    1 - i % 2, acts[(i + 3) % N_ACTS]);
    }
    for (int64_t k = 3; k <= 7; k += 2)
        for (int64_t s = 1; s <= 2; s++)
            dw_case(T->general.conv2d_dw_f32, 19, 40, 37, k, k, s, k / 2, k / 2, k / 2, k / 2, 1,
                    acts[(k + s) % N_ACTS]);
}

/* by input channel: the table's kernel against the reference (the same
 * bits but for the activation's approximation), the reference against the
 * direct convolution (within the sum bound: the spec is a convolution),
 * and a sub-range of rows and channels writing exactly its own outputs
 * with the whole call's bits. Pads may differ on each side (the bottom
 * and right ones only shape OH, OW). */
static void chan_case(int64_t C, int64_t OC, int64_t H, int64_t W, int64_t KH, int64_t KW, int64_t sh,
                      int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int with_bias, mote_act act)
{
    int64_t OH = (H + pt + pb - KH) / sh + 1, OW = (W + pl + pr - KW) / sw + 1, n = OC * OH * OW;
    float *x = buf(C * H * W, -1, 1), *w = buf(OC * C * KH * KW, -1, 1), *bias = buf(OC, -1, 1);
    float *y = fill(n, -7777.0f), *r = fill(n, -7777.0f), *d = fill(n, -7777.0f), *s = fill(n, -7777.0f);
    mote_conv2d_args a = { C, H, W, OC, OH, OW, KH, KW, sh, sw, pt, pl, 1, 1, 1, x, w,
                           with_bias ? bias : NULL, y, act, 0, OC };
    T->general.conv2d_chan_f32(&a, 0, OH);
    a.y = r;
    mote_conv2d_chan_f32_ref(&a, 0, OH);
    a.y = d;
    mote_conv2d_f32_ref(&a);
    double taps = (double)(C * KH * KW);
    char what[160];
    snprintf(what, sizeof what, "C=%lld OC=%lld H=%lld W=%lld k=%lldx%lld s=%lldx%lld pads=%lld,%lld,%lld,%lld act=%d",
             (long long)C, (long long)OC, (long long)H, (long long)W, (long long)KH, (long long)KW,
             (long long)sh, (long long)sw, (long long)pt, (long long)pl, (long long)pb, (long long)pr,
             (int)act.kind);
    for (int64_t i = 0; i < n; i++) {
        CK(same_float(y[i], r[i]) || fabsf(y[i] - r[i]) <= act_tol(act, r[i]),
           "%s: [%lld] = %.9g, reference %.9g", what, (long long)i, (double)y[i], (double)r[i]);
        CK(fabsf(r[i] - d[i]) <= 2.0 * taps * FLT_EPSILON * taps + 1e-5 * (1 + fabsf(d[i])) +
                                     2 * act_tol(act, d[i]) || same_float(r[i], d[i]),
           "%s: reference [%lld] = %.9g, direct %.9g", what, (long long)i, (double)r[i], (double)d[i]);
    }
    /* rows [r0, r1) of channels [o0, o1) */
    int64_t r0 = rnd(OH), r1 = r0 + 1 + rnd(OH - r0), o0 = rnd(OC), o1 = o0 + 1 + rnd(OC - o0);
    a.y = s;
    a.oc0 = o0;
    a.oc1 = o1;
    T->general.conv2d_chan_f32(&a, r0, r1);
    for (int64_t o = 0; o < OC; o++)
        for (int64_t i = 0; i < OH * OW; i++) {
            int in = o >= o0 && o < o1 && i / OW >= r0 && i / OW < r1;
            int64_t e = o * OH * OW + i;
            CK(in ? same_float(s[e], y[e]) : s[e] == -7777.0f,
               "%s: rows [%lld, %lld) channels [%lld, %lld): [%lld] = %.9g, whole call %.9g", what,
               (long long)r0, (long long)r1, (long long)o0, (long long)o1, (long long)e, (double)s[e],
               (double)y[e]);
        }
    free(x); free(w); free(bias); free(y); free(r); free(d); free(s);
}

static void check_general_conv2d_chan_f32(void)
{
    for (int it = 0; it < 160; it++) {
        int64_t C = 1 + rnd(4), OC = 1 + rnd(9), KH = 1 + rnd(7), KW = 1 + rnd(7);
        int64_t H = sizes[rnd(6)], W = sizes[rnd(10)], sh = 1 + rnd(2), sw = 1 + rnd(2);
        int64_t pt = rnd(KH), pb = rnd(KH), pl = rnd(KW), pr = rnd(KW);
        if (H + pt + pb < KH || W + pl + pr < KW) continue;
        chan_case(C, OC, H, W, KH, KW, sh, sw, pt, pl, pb, pr, it % 3 != 0, acts[it % N_ACTS]);
    }
    /* the first layers this is for: ResNet's 7x7/2 pad 3, MobileNet's 3x3/2
     * pad 1, M-LSD's RGBA 3x3/2 pads (0, 0, 1, 1), BlazeFace's 5x5/2 */
    chan_case(3, 8, 40, 40, 7, 7, 2, 2, 3, 3, 3, 3, 1, acts[1]);
    chan_case(3, 5, 24, 36, 3, 3, 2, 2, 1, 1, 1, 1, 1, acts[3]);
    chan_case(4, 6, 20, 44, 3, 3, 2, 2, 0, 0, 1, 1, 1, acts[0]);
    chan_case(3, 7, 32, 32, 5, 5, 2, 2, 1, 1, 2, 2, 0, acts[1]);
    /* shapes the vector path leaves to the reference: 5 channels, an 8-wide
     * kernel, stride 3 (the contract is the same) */
    chan_case(5, 3, 9, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, acts[0]);
    chan_case(2, 3, 9, 17, 3, 8, 1, 1, 1, 1, 1, 1, 1, acts[0]);
    chan_case(2, 3, 9, 17, 3, 3, 3, 3, 1, 1, 1, 1, 1, acts[0]);
}

static void check_general_im2col_f32(void)
{
    for (int it = 0; it < 60; it++) {
        int64_t groups = 1 + rnd(2), C = groups * (1 + rnd(3)), H = sizes[rnd(7)], W = sizes[rnd(7)];
        int64_t KH = 1 + rnd(3), KW = 1 + rnd(3), sh = 1 + rnd(2), sw = 1 + rnd(2);
        int64_t ph = rnd(2), pw = rnd(2), dh = 1 + rnd(2), dw = 1 + rnd(2);
        /* rows wide enough for the stride-2 vector path, a 7x7 stem's pads */
        if (it % 5 == 4) W = 60 + rnd(90), KW = 7, pw = rnd(4), sw = 2;
        if (H + 2 * ph < dh * (KH - 1) + 1 || W + 2 * pw < dw * (KW - 1) + 1) continue;
        int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
        float *x = buf(C * H * W, -1, 1);
        int64_t n = C / groups * KH * KW * OH * OW;
        float *col = fill(n + 1, 3.5f), *ref = fill(n + 1, 3.5f);
        mote_conv2d_args a = { C, H, W, groups, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, groups,
                               x, NULL, NULL, NULL, { MOTE_ACT_NONE, 0, 0 }, 0, groups };
        int64_t g = rnd(groups);
        T->general.im2col_f32(&a, g, col);
        mote_im2col_f32_ref(&a, g, ref);
        ck_same(col, ref, n + 1, "im2col");
        free(x); free(col); free(ref);
    }
}

/* Winograd F(2x2,3x3) transforms: the reference's bits (the input
 * transform exactly; the output transform's activation to act_tol), on
 * tile rows narrower and wider than a vector, odd outputs (a partial last
 * tile), pads 0..2, a channel range, rows too wide for the fast path, and
 * a channel's tiles padded (ldt, the input transform writing zeros there)
 * with the 16 matrices apart by more than C * ldt (ldx). */
static void wino_geometry(int it, mote_winograd_args *a)
{
    a->C = 1 + rnd(4);
    a->H = sizes[rnd(7)];
    a->W = sizes[rnd(9)];
    if (it % 10 == 9) a->W = 4300 + rnd(300);   /* the reference's path */
    a->ph = rnd(3);
    a->pw = rnd(3);
    int64_t OH = a->H + 2 * a->ph - 2, OW = a->W + 2 * a->pw - 2;
    if (OH < 1) OH = 1;
    if (OW < 1) OW = 1;
    a->TH = (OH + 1) / 2;
    a->TW = (OW + 1) / 2;
    if (it % 4 == 3 && a->TH > 1) {   /* a block of tile rows */
        a->ty0 = 1 + rnd(a->TH - 1);
        a->TH = 1 + rnd(a->TH - a->ty0);
    }
    a->c0 = rnd(a->C);
    a->c1 = a->C;
    if (it % 3 == 1) a->ldt = a->TH * a->TW + rnd(40);
    if (it % 6 == 1) a->ldx = a->C * a->ldt + 1 + rnd(20);
}

/* floats of the transformed domain (V or M) for a */
static int64_t wino_floats(const mote_winograd_args *a)
{
    int64_t ldt = a->ldt > 0 ? a->ldt : a->TH * a->TW;
    return 16 * (a->ldx > 0 ? a->ldx : a->C * ldt);
}

static void check_general_winograd_in_f32(void)
{
    for (int it = 0; it < 60; it++) {
        mote_winograd_args a;
        memset(&a, 0, sizeof a);
        wino_geometry(it, &a);
        int64_t n = wino_floats(&a);
        float *x = buf(a.C * a.H * a.W, -1, 1), *v = fill(n + 1, 3.5f), *r = fill(n + 1, 3.5f);
        a.src = x;
        a.dst = v;
        T->general.winograd_in_f32(&a);
        a.dst = r;
        mote_winograd_in_f32_ref(&a);
        ck_same(v, r, n + 1, "winograd_in");
        /* the padding of the channels transformed is zeros */
        int64_t nt = a.TH * a.TW, ldt = a.ldt > 0 ? a.ldt : nt, xs = a.ldx > 0 ? a.ldx : a.C * ldt;
        for (int xi = 0; xi < 16; xi++)
            for (int64_t c = a.c0; c < a.c1; c++)
                for (int64_t t = nt; t < ldt; t++)
                    CK(v[xi * xs + c * ldt + t] == 0.0f, "winograd_in: padding [%d][%lld][%lld] = %g", xi,
                       (long long)c, (long long)t, (double)v[xi * xs + c * ldt + t]);
        free(x); free(v); free(r);
    }
}

static void check_general_winograd_out_f32(void)
{
    for (int it = 0; it < 60; it++) {
        mote_winograd_args a;
        memset(&a, 0, sizeof a);
        wino_geometry(it, &a);
        /* the output is (C, OH, OW): H, W now name it; a block may end
         * at the image's last row or before */
        a.H = 2 * (a.ty0 + a.TH) - (int64_t)rnd(2) + (it % 8 == 3 ? 2 * (int64_t)rnd(3) : 0);
        a.W = 2 * a.TW - (int64_t)rnd(2);
        a.act = acts[it % N_ACTS];
        int64_t n = a.C * a.H * a.W;
        float *m = buf(wino_floats(&a), -4, 4), *bias = buf(a.C, -1, 1);
        float *y = fill(n + 1, -7777.0f), *r = fill(n + 1, -7777.0f);
        a.src = m;
        a.bias = it % 3 ? bias : NULL;
        a.dst = y;
        T->general.winograd_out_f32(&a);
        a.dst = r;
        mote_winograd_out_f32_ref(&a);
        for (int64_t i = 0; i <= n; i++)
            CK(same_float(y[i], r[i]) || fabsf(y[i] - r[i]) <= act_tol(a.act, r[i]),
               "winograd_out C=%lld %lldx%lld act=%d: [%lld] = %.8g, reference %.8g", (long long)a.C,
               (long long)a.H, (long long)a.W, (int)a.act.kind, (long long)i, (double)y[i], (double)r[i]);
        free(m); free(bias); free(y); free(r);
    }
}

/* -------------------------------------------------------------- pooling */

static void pool_cases(int avg)
{
    const float sentinel = -7777.0f;
    int ran = 0;
    for (int it = 0; it < 300; it++) {
        int64_t C = 1 + rnd(4), H = sizes[rnd(9)], W = sizes[rnd(N_SIZES)];
        int64_t KH = 1 + rnd(5), KW = 1 + rnd(5), sh = 1 + rnd(3), sw = 1 + rnd(3);
        int64_t dh = 1 + rnd(2), dw = 1 + rnd(2);
        /* pads below the kernel size, begin and end drawn separately */
        int64_t ph = rnd(KH < 3 ? KH : 3), pw = rnd(KW < 3 ? KW : 3);
        int64_t ph_end = rnd(KH < 3 ? KH : 3), pw_end = rnd(KW < 3 ? KW : 3);
        if (it % 3 == 0) {   /* the common windows: 2x2 and 3x3, stride 1 or 2 */
            KH = KW = 2 + rnd(2);
            sh = sw = 1 + rnd(2);
            dh = dw = 1;
            ph = pw = ph_end = pw_end = KH == 3;
        }
        int ceil_mode = (int)rnd(2);
        /* output extent as the op layer computes it */
        int64_t span_h = H + ph + ph_end - ((KH - 1) * dh + 1), span_w = W + pw + pw_end - ((KW - 1) * dw + 1);
        if (span_h < 0 || span_w < 0) continue;
        int64_t OH = (ceil_mode ? (span_h + sh - 1) / sh : span_h / sh) + 1;
        int64_t OW = (ceil_mode ? (span_w + sw - 1) / sw : span_w / sw) + 1;
        if (ceil_mode && (OH - 1) * sh >= H + ph) OH--;
        if (ceil_mode && (OW - 1) * sw >= W + pw) OW--;
        int64_t c0 = rnd(C), c1 = c0 + 1 + rnd(C - c0);
        float *x = buf(C * H * W, -1, 1);
        if (it % 5 == 1)   /* ties of signed zeros, infinities and NaNs */
            for (int64_t i = 0; i < C * H * W; i++) {
                static const float special[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1.0f };
                if (rnd(3) == 0) x[i] = special[rnd(6)];
            }
        int64_t n = C * OH * OW;
        float *y = malloc(sizeof(float) * (size_t)n), *r = malloc(sizeof(float) * (size_t)n);
        for (int incl = 0; incl < 1 + avg; incl++) {
            for (int64_t i = 0; i < n; i++) y[i] = r[i] = sentinel;
            mote_pool2d_args a = { C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, incl,
                                   x, y, c0, c1, ph_end, pw_end };
            (avg ? T->general.avgpool2d_f32 : T->general.maxpool2d_f32)(&a);
            a.y = r;
            (avg ? REF->general.avgpool2d_f32 : REF->general.maxpool2d_f32)(&a);
            for (int64_t i = 0; i < n; i++) {
                int64_t c = i / (OH * OW);
                CK(same_float(y[i], r[i]) && (c >= c0 && c < c1 ? 1 : y[i] == sentinel),
                   "incl %d C=%lld [%lld,%lld) H=%lld W=%lld K=%lldx%lld s=%lld,%lld p=%lld,%lld "
                   "end %lld,%lld d=%lld,%lld ceil %d: [%lld] = %.9g, reference %.9g", incl,
                   (long long)C, (long long)c0, (long long)c1, (long long)H, (long long)W,
                   (long long)KH, (long long)KW, (long long)sh, (long long)sw, (long long)ph,
                   (long long)pw, (long long)ph_end, (long long)pw_end, (long long)dh,
                   (long long)dw, ceil_mode, (long long)i, (double)y[i], (double)r[i]);
            }
        }
        ran++;
        free(x); free(y); free(r);
    }
    CK(ran > 150, "only %d pooling cases ran", ran);
}

/* 3x3 stride 2 max pooling (the x86 tables' row-reuse path) on every
 * width 1..70 and a wide one, heights 1..8, pads 0 or 1 at each end,
 * ceil_mode both ways, some signed zeros, infinities and NaNs: the
 * reference's bits, and nothing written outside the channels asked for. */
static void pool_rows_sweep(void)
{
    const float sentinel = -7777.0f;
    for (int64_t W = 1; W <= 71; W++)
        for (int v = 0; v < 4; v++) {
            int64_t H = 1 + (W * 3 + v) % 8, C = 3, Wx = W == 71 ? 2100 : W;
            int64_t ph = v & 1, pw = (v >> 1) & 1, ph_end = (W + v) % 2, pw_end = (W / 2 + v) % 2;
            int ceil_mode = (int)(W % 3 == 0);
            int64_t span_h = H + ph + ph_end - 3, span_w = Wx + pw + pw_end - 3;
            if (span_h < 0 || span_w < 0) continue;
            int64_t OH = (ceil_mode ? (span_h + 1) / 2 : span_h / 2) + 1;
            int64_t OW = (ceil_mode ? (span_w + 1) / 2 : span_w / 2) + 1;
            if (ceil_mode && (OH - 1) * 2 >= H + ph) OH--;
            if (ceil_mode && (OW - 1) * 2 >= Wx + pw) OW--;
            float *x = buf(C * H * Wx, -1, 1);
            if (v == 3)
                for (int64_t i = 0; i < C * H * Wx; i++) {
                    static const float special[] = { 0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1.0f };
                    if (rnd(3) == 0) x[i] = special[rnd(6)];
                }
            int64_t n = C * OH * OW;
            float *y = malloc(sizeof(float) * (size_t)n), *r = malloc(sizeof(float) * (size_t)n);
            for (int64_t i = 0; i < n; i++) y[i] = r[i] = sentinel;
            mote_pool2d_args a = { C, H, Wx, OH, OW, 3, 3, 2, 2, ph, pw, 1, 1, 0, x, y, 1, 3, ph_end, pw_end };
            T->general.maxpool2d_f32(&a);
            a.y = r;
            REF->general.maxpool2d_f32(&a);
            for (int64_t i = 0; i < n; i++)
                CK(same_float(y[i], r[i]) && (i >= OH * OW ? 1 : y[i] == sentinel),
                   "3x3 s2 H=%lld W=%lld p=%lld,%lld end %lld,%lld ceil %d: [%lld] = %.9g, reference %.9g",
                   (long long)H, (long long)Wx, (long long)ph, (long long)pw, (long long)ph_end,
                   (long long)pw_end, ceil_mode, (long long)i, (double)y[i], (double)r[i]);
            free(x); free(y); free(r);
        }
}

/* Stride-2 pooling whose windows end on the input's last float, placed
 * just before an unreadable page: the vector paths' last block must load
 * only its taps (a whole de-interleaving load reads one float more and
 * faults here). Widths around the vector length, 1 to 3 taps wide, no
 * pads; PP-OCRv4's 3x2 stride-3x2 average of 80 columns among them; the
 * reference's bits. */
static void pool_tail_guard(int avg)
{
    const long page = sysconf(_SC_PAGESIZE);
    for (int64_t KW = 1; KW <= 3; KW++)
        for (int64_t OW = 1; OW <= 41; OW += (OW < 18 ? 1 : 11)) {
            int64_t W = 2 * (OW - 1) + KW, KH = avg ? 3 : KW, sh = avg ? 3 : 2, H = KH + sh, C = 2;
            int64_t OH = (H - KH) / sh + 1, n = C * H * W;
            size_t bytes = (size_t)n * sizeof(float), span = (bytes + (size_t)page - 1) / (size_t)page * (size_t)page;
            unsigned char *m = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            ck_assert_ptr_ne(m, MAP_FAILED);
            ck_assert_int_eq(mprotect(m + span, (size_t)page, PROT_NONE), 0);
            float *x = (float *)(m + span - bytes), *src = buf(n, -1, 1);
            memcpy(x, src, bytes);
            float *y = fill(C * OH * OW, -7777.0f), *r = fill(C * OH * OW, -7777.0f);
            mote_pool2d_args a = { C, H, W, OH, OW, KH, KW, sh, 2, 0, 0, 1, 1, 0, x, y, 0, C, 0, 0 };
            (avg ? T->general.avgpool2d_f32 : T->general.maxpool2d_f32)(&a);
            a.y = r;
            (avg ? REF->general.avgpool2d_f32 : REF->general.maxpool2d_f32)(&a);
            for (int64_t i = 0; i < C * OH * OW; i++)
                CK(same_float(y[i], r[i]), "%s %lldx%lld stride %lldx2 W=%lld: [%lld] = %.9g, reference %.9g",
                   avg ? "avg" : "max", (long long)KH, (long long)KW, (long long)sh, (long long)W,
                   (long long)i, (double)y[i], (double)r[i]);
            munmap(m, span + (size_t)page);
            free(src); free(y); free(r);
        }
}

static void check_general_maxpool2d_f32(void) { pool_cases(0); pool_rows_sweep(); pool_tail_guard(0); }
static void check_general_avgpool2d_f32(void) { pool_cases(1); pool_tail_guard(1); }

static void check_general_global_avgpool_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t C = 1 + rnd(4), HW = sizes[s];
        float *x = buf(C * HW, -1, 1), *y = fill(C + 1, 9), *r = fill(C + 1, 9);
        T->general.global_avgpool_f32(C, HW, x, y);
        REF->general.global_avgpool_f32(C, HW, x, r);
        ck_near(y, r, C + 1, 1e-6f, 1e-5f, "global avgpool");
        free(x); free(y); free(r);
    }
}

static void check_general_global_maxpool_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t C = 3, HW = sizes[s];
        float *x = buf(C * HW, -1, 1), y[4] = { 9, 9, 9, 9 }, r[4] = { 9, 9, 9, 9 };
        x[(HW * 5) / 7] = NAN;                               /* never wins */
        for (int64_t i = 0; i < HW; i++) x[2 * HW + i] = NAN;  /* -inf */
        T->general.global_maxpool_f32(C, HW, x, y);
        REF->general.global_maxpool_f32(C, HW, x, r);
        ck_same(y, r, 4, "global maxpool");
        CK(isinf(y[2]) && y[2] < 0, "an all-NaN row gives %g, not -inf", (double)y[2]);
        free(x);
    }
}

/* ---------------------------------------------------------------- norms */

static void check_general_softmax_f32(void)
{
    for (int s = 0; s < N_SIZES; s++)
        for (int lg = 0; lg < 2; lg++) {
            int64_t rows = 1 + rnd(3), n = sizes[s];
            float *x = buf(rows * n, -20, 20), *y = fill(rows * n, 0), *r = fill(rows * n, 0);
            T->general.softmax_f32(rows, n, x, y, lg);
            REF->general.softmax_f32(rows, n, x, r, lg);
            if (lg) ck_near(y, r, rows * n, 1e-5f, 4e-6f, "log_softmax");
            else ck_near(y, r, rows * n, 1e-6f, 2e-6f, "softmax");
            free(x); free(y); free(r);
        }
}

static void check_general_layernorm_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t rows = 1 + rnd(3), n = sizes[s];
        float *x = buf(rows * n, -10, 10), *g = buf(n, 0.5f, 2), *b = buf(n, -1, 1);
        float *y = fill(rows * n, 0), *r = fill(rows * n, 0);
        for (int gb = 0; gb < 4; gb++) {
            const float *gg = gb & 1 ? g : NULL, *bb = gb & 2 ? b : NULL;
            T->general.layernorm_f32(rows, n, x, gg, bb, 1e-5f, y);
            REF->general.layernorm_f32(rows, n, x, gg, bb, 1e-5f, r);
            ck_near(y, r, rows * n, 2e-5f, 2e-5f, "layernorm");
        }
        free(x); free(g); free(b); free(y); free(r);
    }
}

static void check_general_rmsnorm_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t rows = 1 + rnd(3), n = sizes[s] + (s == N_SIZES - 1 ? 2048 : 0);
        float *x = buf(rows * n, -10, 10), *g = buf(n, -2, 2);
        float *y = fill(rows * n + 1, 5), *r = fill(rows * n + 1, 5);
        for (int wg = 0; wg < 2; wg++) {
            T->general.rmsnorm_f32(rows, n, x, wg ? g : NULL, 1e-5f, y);
            REF->general.rmsnorm_f32(rows, n, x, wg ? g : NULL, 1e-5f, r);
            ck_near(y, r, rows * n + 1, 2e-5f, 2e-5f, "rmsnorm");
        }
        free(x); free(g); free(y); free(r);
    }
}

static void check_general_channel_affine_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t C = 1 + rnd(4), HW = sizes[s];
        float *x = buf(C * HW, -10, 10), *sc = buf(C, -2, 2), *sh = buf(C, -1, 1);
        float *y = fill(C * HW + 1, 5), *r = fill(C * HW + 1, 5);
        T->general.channel_affine_f32(C, HW, x, sc, sh, y);
        REF->general.channel_affine_f32(C, HW, x, sc, sh, r);
        ck_near(y, r, C * HW + 1, 1e-6f, 1e-6f, "channel affine");
        free(x); free(sc); free(sh); free(y); free(r);
    }
}

/* One output row of a two-axis Resize, bit for bit against the
 * reference: tap counts 1..4, planes (C = 1) and channel blocks, awkward
 * widths; positions close together (upsampling: the window path, source
 * rows ending right after the window) and far apart (the gather path),
 * zero weights over infinite source values, positions outside (-1). */
static void check_general_resize_row_f32(void)
{
    static const int64_t Cs[] = { 1, 1, 3, 16, 17 };
    for (int s = 0; s < N_SIZES; s++)
        for (int k = 0; k < 20; k++) {
            int TH = 1 + k % 4, TW = 1 + (k / 4) % 4, pattern = k % 3;
            int64_t W = sizes[s], C = Cs[k % 5];
            int64_t IW = pattern == 0 ? W / 2 + 1 : pattern == 1 ? 2 * W + 3 : 1 + rnd(40);
            int32_t *iw = malloc(sizeof(int32_t) * (size_t)(TW * W));
            int32_t *span = malloc(sizeof(int32_t) * (size_t)(2 * ((W + 7) / 8)));
            float *ww = buf(TW * W, -1, 1), *wh = buf(TH, -1, 1);
            const float *rows[4];
            float *src[4];
            for (int th = 0; th < TH; th++) {
                src[th] = buf(IW * C, -5, 5);
                src[th][rnd(IW * C)] = INFINITY;   /* hit by zero weights only below */
                rows[th] = src[th];
            }
            for (int64_t ow = 0; ow < W; ow++)
                for (int tw = 0; tw < TW; tw++) {
                    int64_t i;
                    if (pattern == 2)
                        i = rnd(IW);                        /* anywhere */
                    else                                    /* ~ ow * IW / W + tw */
                        i = ow * IW / W + tw;
                    iw[tw * W + ow] = (int32_t)(i < IW ? i : IW - 1);
                    if (rnd(5) == 0)
                        ww[tw * W + ow] = 0.0f;
                }
            if (k % 7 == 6) {                               /* one position outside */
                int64_t out = rnd(W);   /* all its taps: the row reads tap 0's */
                for (int tw = 0; tw < TW; tw++)
                    iw[tw * W + out] = -1;
            }
            /* an infinite value read with a non-zero weight makes the row
             * inf or NaN in both: keep those, the rest checks the skip */
            mote_resize_row_span(iw, TW, W, span);
            float *y = fill(W * C + 1, 7), *r = fill(W * C + 1, 7);
            mote_resize_row_args a = { rows, wh, TH, TW, iw, ww, span, W, IW, C, 0.25f, y };
            T->general.resize_row_f32(&a);
            a.y = r;
            REF->general.resize_row_f32(&a);
            ck_same(y, r, W * C + 1, "resize row");
            if (T != REF && k == 5) {
                /* a zero weight contributes nothing, even over inf */
                for (int64_t ow = 0; ow < W; ow++)
                    for (int tw = 0; tw < TW; tw++)
                        ww[tw * W + ow] = tw == 0 ? 1.0f : 0.0f;
                for (int th = 0; th < TH; th++)
                    wh[th] = th == 0 ? 1.0f : 0.0f;
                for (int th = 0; th < TH; th++)
                    for (int64_t i = 0; i < IW * C; i++)
                        src[th][i] = th == 0 ? (isinf(src[0][i]) ? 1.0f : src[0][i]) : INFINITY;
                a.y = y;
                T->general.resize_row_f32(&a);
                for (int64_t i = 0; i < W * C; i++)
                    CK(isfinite(y[i]), "resize row: [%lld] = %g from zero weights over inf",
                       (long long)i, (double)y[i]);
            }
            for (int th = 0; th < TH; th++)
                free(src[th]);
            free(iw); free(span); free(ww); free(wh); free(y); free(r);
        }
}

/* A 2-D transpose of 4-byte elements moves bits: the short sides of image
 * layout changes (1..9 channels, dense on that side or not) and tiles of
 * awkward sizes, NaN payloads included, against the reference. */
static void check_general_transpose_32(void)
{
    static const int64_t shorts[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17 };
    uint32_t saved = rng;   /* the later entries keep their operands */
    for (int s = 0; s < N_SIZES; s++)
        for (int k = 0; k < 10; k++)
            for (int orient = 0; orient < 2; orient++)
                for (int pad = 0; pad < 2; pad++) {
                    int64_t R = orient ? shorts[k] : sizes[s], C = orient ? sizes[s] : shorts[k];
                    int64_t ldx = R + pad * 3, ldy = C + pad * 5;
                    uint32_t *x = malloc(sizeof(uint32_t) * (size_t)(C * ldx));
                    uint32_t *y = malloc(sizeof(uint32_t) * (size_t)(R * ldy + 1));
                    uint32_t *r = malloc(sizeof(uint32_t) * (size_t)(R * ldy + 1));
                    for (int64_t i = 0; i < C * ldx; i++)
                        x[i] = (uint32_t)rnd(1 << 30) * 4u + (uint32_t)(i & 3);
                    x[0] = 0x7fc01234u;   /* a NaN with a payload */
                    for (int64_t i = 0; i <= R * ldy; i++)
                        y[i] = r[i] = 0xdeadbeefu;
                    T->general.transpose_32(R, C, x, ldx, y, ldy);
                    REF->general.transpose_32(R, C, x, ldx, r, ldy);
                    for (int64_t i = 0; i <= R * ldy; i++)
                        CK(y[i] == r[i], "transpose %lldx%lld (ldx %lld, ldy %lld): [%lld] = %#x, "
                           "reference %#x", (long long)R, (long long)C, (long long)ldx,
                           (long long)ldy, (long long)i, y[i], r[i]);
                    free(x); free(y); free(r);
                }
    /* both sides past 8: tiles of 16 x 16 and their edges (a 1x1 conv's
     * 16 channels of a pixels x channels product, 14x14 and 7x7 pixels) */
    static const int64_t big[][4] = { { 16, 196, 64, 196 }, { 16, 49, 960, 49 }, { 13, 33, 17, 40 },
                                      { 33, 17, 35, 17 }, { 9, 100, 9, 103 }, { 31, 31, 31, 31 } };
    for (int s = 0; s < 6; s++) {
        int64_t R = big[s][0], C = big[s][1], ldx = big[s][2], ldy = big[s][3];
        uint32_t *x = malloc(sizeof(uint32_t) * (size_t)(C * ldx));
        uint32_t *y = malloc(sizeof(uint32_t) * (size_t)(R * ldy + 1));
        uint32_t *r = malloc(sizeof(uint32_t) * (size_t)(R * ldy + 1));
        for (int64_t i = 0; i < C * ldx; i++) x[i] = (uint32_t)rnd(1 << 30) * 4u + (uint32_t)(i & 3);
        x[1] = 0xffc0beefu;   /* a NaN with a payload */
        for (int64_t i = 0; i <= R * ldy; i++) y[i] = r[i] = 0xdeadbeefu;
        T->general.transpose_32(R, C, x, ldx, y, ldy);
        REF->general.transpose_32(R, C, x, ldx, r, ldy);
        for (int64_t i = 0; i <= R * ldy; i++)
            CK(y[i] == r[i], "transpose %lldx%lld (ldx %lld, ldy %lld): [%lld] = %#x, reference %#x",
               (long long)R, (long long)C, (long long)ldx, (long long)ldy, (long long)i, y[i], r[i]);
        free(x); free(y); free(r);
    }
    rng = saved;
}

/* ------------------------------------------------------------------ LLM */

static void check_llm_rope_f32(void)
{
    const int64_t hss[] = { 2, 4, 6, 16, 64, 128 };
    for (int a = 0; a < 6; a++)
        for (int64_t pos = 0; pos < 300; pos += 97) {
            int64_t heads = 1 + rnd(4), hs = hss[a];
            float *y = buf(heads * hs, -2, 2), *r = malloc(sizeof(float) * (size_t)(heads * hs));
            memcpy(r, y, sizeof(float) * (size_t)(heads * hs));
            T->llm.rope_f32(heads, hs, pos, 10000.0f, y);
            REF->llm.rope_f32(heads, hs, pos, 10000.0f, r);
            ck_near(y, r, heads * hs, 1e-5f, 1e-5f, "rope");
            free(y); free(r);
        }
}

/* K values: the model sizes (multiples of 32) and awkward ones */
static const int64_t llm_K[] = { 1, 7, 17, 32, 33, 64, 96, 255, 2048 + 32 };
#define N_LLM_K ((int)(sizeof llm_K / sizeof llm_K[0]))

static void matvec_case(int half)
{
    for (int a = 0; a < N_LLM_K; a++)
        for (int b = 0; b < N_SIZES; b += 2) {
            int64_t K = llm_K[a], N = sizes[b], n0 = N > 2 ? 1 + rnd(N - 1) : 0;
            float *W = buf(N * K, -1, 1), *x = buf(K, -1, 1);
            uint16_t *Wh = malloc(sizeof *Wh * (size_t)(N * K));
            for (int64_t e = 0; e < N * K; e++) {
                Wh[e] = mote_float_to_half(W[e]);
                W[e] = mote_half_to_float(Wh[e]);
            }
            float *y = fill(N + 1, 3), *r = fill(N + 1, 3);
            /* rows [n0, N): a range not starting at 0 */
            if (half) {
                T->llm.matvec_f16(K, Wh, n0, N, x, y);
                REF->llm.matvec_f16(K, Wh, n0, N, x, r);
            } else {
                T->llm.matvec_f32(K, W, n0, N, x, y);
                REF->llm.matvec_f32(K, W, n0, N, x, r);
            }
            for (int64_t i = 0; i <= N - n0; i++) {
                double S = 0;
                for (int64_t k = 0; i < N - n0 && k < K; k++) S += fabs((double)W[(n0 + i) * K + k] * x[k]);
                CK(i == N - n0 ? y[i] == 3 : fabs((double)y[i] - r[i]) <= 2.0 * K * FLT_EPSILON * S + 4e-6 * (1 + fabsf(r[i])),
                   "K=%lld rows [%lld, %lld): y[%lld] = %.8g, reference %.8g", (long long)K,
                   (long long)n0, (long long)N, (long long)i, (double)y[i], (double)r[i]);
            }
            free(W); free(Wh); free(x); free(y); free(r);
        }
}

/* The recurrences (kernels/rnn_ref.c) with the gate sums done by this
 * table's matvec_f32, as the LSTM and GRU ops run them, against the
 * reference's term-by-term sums: bidirectional-style reverse runs,
 * peepholes, clipping, initial states, sizes around the vector width. */
static void rnn_matvec_case(int gru)
{
    static const int64_t HI[][3] = {{1, 1, 1}, {7, 5, 3}, {16, 17, 2}, {33, 128, 1}};
    for (int c = 0; c < (int)(sizeof HI / sizeof HI[0]); c++) {
        int64_t H = HI[c][0], I = HI[c][1], Tn = HI[c][2], G = gru ? 3 : 4, B = 2;
        float *x = buf(Tn * B * I, -1, 1), *w = buf(G * H * I, -0.5f, 0.5f);
        float *r = buf(G * H * H, -0.5f, 0.5f), *bias = buf(2 * G * H, -0.5f, 0.5f);
        float *peep = buf(3 * H, -0.5f, 0.5f), *h0 = buf(B * H, -1, 1), *c0 = buf(B * H, -1, 1);
        float *y[2], *yh[2], *yc[2], *tmp = fill((5 + G) * H, 0);
        for (int v = 0; v < 2; v++) {
            y[v] = fill(Tn * B * H, 7);
            yh[v] = fill(B * H, 7);
            yc[v] = fill(B * H, 7);
            mote_rnn_args a;
            memset(&a, 0, sizeof a);
            a.T = Tn; a.H = H; a.I = I;
            a.x = x; a.xs_t = B * I; a.xs_b = I;
            a.w = w; a.r = r; a.wb = bias; a.rb = bias + G * H;
            a.p = gru ? NULL : peep;
            a.h0 = h0; a.c0 = c0;
            a.y = y[v]; a.ys_t = B * H; a.ys_b = H;
            a.yh = yh[v]; a.yc = yc[v]; a.ysh_b = H;
            a.reverse = c & 1;
            a.clip = c == 2 ? 0.75f : 0.0f;
            a.linear_before_reset = c & 1;
            a.matvec = v ? T->llm.matvec_f32 : NULL;
            a.rh = tmp + 5 * H;
            if (gru)
                mote_gru_f32_ref(&a, tmp, 0, B);
            else
                mote_lstm_f32_ref(&a, tmp, 0, B);
        }
        char what[64];
        snprintf(what, sizeof what, "%s H=%lld I=%lld T=%lld", gru ? "GRU" : "LSTM", (long long)H,
                 (long long)I, (long long)Tn);
        ck_near(y[1], y[0], Tn * B * H, 2e-5f, 1e-5f, what);
        ck_near(yh[1], yh[0], B * H, 2e-5f, 1e-5f, what);
        if (!gru)
            ck_near(yc[1], yc[0], B * H, 2e-5f, 1e-5f, what);
        free(x); free(w); free(r); free(bias); free(peep); free(h0); free(c0); free(tmp);
        for (int v = 0; v < 2; v++) { free(y[v]); free(yh[v]); free(yc[v]); }
    }
}

static void check_llm_matvec_f32(void)
{
    matvec_case(0);
    rnn_matvec_case(0);
    rnn_matvec_case(1);
}
static void check_llm_matvec_f16(void) { matvec_case(1); }

static void check_llm_swiglu_f32(void)
{
    for (int s = 0; s < N_SIZES; s++) {
        int64_t n = sizes[s];
        float *a = buf(n, -80, 80), *b = buf(n, -2, 2), *y = fill(n + 1, 4), *r = fill(n + 1, 4);
        T->llm.swiglu_f32(n, a, b, y);
        REF->llm.swiglu_f32(n, a, b, r);
        for (int64_t i = 0; i <= n; i++)
            CK(fabsf(y[i] - r[i]) <= 2e-6f * (1 + fabsf(r[i])), "n=%lld: [%lld] = %.9g, reference %.9g",
               (long long)n, (long long)i, (double)y[i], (double)r[i]);
        free(a); free(b); free(y); free(r);
    }
}

/* head sizes with register paths (8 ... 128) and others, cache rows wider
 * than a head (several heads side by side), scores over exp's range */
static void check_llm_attend_f32(void)
{
    const int64_t hss[] = { 8, 16, 24, 32, 40, 64, 128, 256 };
    const int64_t ns[] = { 1, 2, 7, 16, 17, 130 };
    for (size_t a = 0; a < sizeof hss / sizeof hss[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
            int64_t hs = hss[a], n = ns[b], ld = 3 * hs + 5;
            float *q = buf(hs, -3, 3), *k = buf(n * ld, -3, 3), *v = buf(n * ld, -1, 1);
            float *s = fill(n, 0), *y = fill(hs, 0), *r = fill(hs, 0);
            REF->llm.attend_f32(n, hs, q, k + hs, v + hs, ld, 0.5f, s, r);
            T->llm.attend_f32(n, hs, q, k + hs, v + hs, ld, 0.5f, s, y);
            /* y is a convex mix of values in [-1, 1] */
            char what[64];
            snprintf(what, sizeof what, "hs=%lld n=%lld", (long long)hs, (long long)n);
            ck_near(y, r, hs, 2e-5f, 0, what);
            free(q); free(k); free(v); free(s); free(y); free(r);
        }
}

static void check_llm_quantize_q8a(void)
{
    for (int a = 3; a < N_LLM_K; a++) {
        int64_t K = llm_K[a] / 32 * 32 * 3;
        float *x = buf(K, -1, 1);
        if (a == 4) for (int64_t i = 0; i < 32; i++) x[i] = 0;   /* an all-zero block */
        mote_q8a_block *y = calloc((size_t)K / 32, sizeof *y), *r = calloc((size_t)K / 32, sizeof *r);
        T->llm.quantize_q8a(K, x, y);
        REF->llm.quantize_q8a(K, x, r);
        for (int64_t b = 0; b < K / 32; b++)   /* the reference's rounding: the same blocks */
            CK(same_float(y[b].d, r[b].d) && y[b].sum == r[b].sum && !memcmp(y[b].q, r[b].q, 32),
               "K=%lld block %lld differs", (long long)K, (long long)b);
        free(x); free(y); free(r);
    }
}

static void check_llm_quantize_q16a(void)
{
    for (int a = 3; a < N_LLM_K; a++) {
        int64_t K = llm_K[a] / 32 * 32 * 3;
        float *x = buf(K, -1, 1);
        if (a == 4) for (int64_t i = 0; i < 32; i++) x[i] = 0;
        mote_q16a_block *y = calloc((size_t)K / 32, sizeof *y), *r = calloc((size_t)K / 32, sizeof *r);
        T->llm.quantize_q16a(K, x, y);
        REF->llm.quantize_q16a(K, x, r);
        for (int64_t b = 0; b < K / 32; b++)
            CK(same_float(y[b].d, r[b].d) && !memcmp(y[b].q, r[b].q, sizeof y[b].q),
               "K=%lld block %lld differs", (long long)K, (long long)b);
        free(x); free(y); free(r);
    }
}

/* q8_0 (q = 0) or q4_0 (q = 1) weights (N, K) and M rows of activation
 * blocks, as the reference quantizers make them */
typedef struct qcase {
    int64_t M, N, K;
    uint8_t *W;
    mote_q8a_block *x8;
    mote_q16a_block *x16;
} qcase;

static qcase qcase_new(int q, int64_t M, int64_t N, int64_t K)
{
    qcase c = { M, N, K, NULL, NULL, NULL };
    mote_wtype wt = q ? MOTE_W_Q4_0 : MOTE_W_Q8_0;
    size_t rb = mote_wtype_row_bytes(wt, K);
    float *W = buf(N * K, -1, 1), *x = buf(M * K, -1, 1);
    c.W = malloc(rb * (size_t)N);
    for (int64_t n = 0; n < N; n++) {
        if (q) mote_quantize_row_q4_0(K, W + n * K, c.W + n * rb);
        else mote_quantize_row_q8_0(K, W + n * K, c.W + n * rb);
    }
    c.x8 = malloc(sizeof *c.x8 * (size_t)(M * K / 32));
    c.x16 = malloc(sizeof *c.x16 * (size_t)(M * K / 32));
    mote_quantize_q8a_ref(M * K, x, c.x8);
    mote_quantize_q16a_ref(M * K, x, c.x16);
    free(W); free(x);
    return c;
}
static void qcase_free(qcase *c) { free(c->W); free(c->x8); free(c->x16); }

static const int64_t q_K[] = { 32, 64, 96, 2048 + 32 };

static void matmul_q_case(int q)
{
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < N_SIZES; b++) {
            int64_t K = q_K[a], N = sizes[b], M = 3, n0 = rnd(N);
            qcase c = qcase_new(q, M, N, K);
            float *y = fill(M * N, -7), *r = fill(M * N, -7);
            if (q) {
                T->llm.matmul_q4_0(M, K, c.x8, c.W, n0, N, y, N);
                REF->llm.matmul_q4_0(M, K, c.x8, c.W, n0, N, r, N);
            } else {
                T->llm.matmul_q8_0(M, K, c.x16, c.W, n0, N, y, N);
                REF->llm.matmul_q8_0(M, K, c.x16, c.W, n0, N, r, N);
            }
            ck_near(y, r, M * N, 1e-3f * sqrtf((float)K), 0, q ? "q4_0" : "q8_0");
            qcase_free(&c);
            free(y); free(r);
        }
}

static void check_llm_matmul_q8_0(void) { matmul_q_case(0); }
static void check_llm_matmul_q4_0(void) { matmul_q_case(1); }

/* the packed path, on row ranges that cut a group of 16 (257: ranges of 8
 * and 9 groups, so the four-quarter paths run) */
static void check_llm_matmul_qpacked(void)
{
    for (int q = 0; q < 2; q++)
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < N_SIZES; b++) {
                int64_t K = q_K[a], N = sizes[b], M = 5;
                mote_wtype wt = q ? MOTE_W_Q4_0 : MOTE_W_Q8_0;
                qcase c = qcase_new(q, M, N, K);
                void *Wp = aligned_alloc(64, (mote_qpack16_bytes(wt, N, K) + 63) / 64 * 64);
                mote_qpack16(wt, N, K, c.W, Wp);
                const void *xa = q ? (const void *)c.x8 : (const void *)c.x16;
                float *y = fill(M * N, -7), *r = fill(M * N, -7);
                for (int64_t m = 1; m <= M; m += 2) {
                    if (q) mote_matmul_q4_0_ref(m, K, c.x8, c.W, 0, N, r, N);
                    else mote_matmul_q8_0_ref(m, K, c.x16, c.W, 0, N, r, N);
                    int64_t cut = N / 2;
                    T->llm.matmul_qpacked(wt, m, K, xa, Wp, 0, cut, y, N);
                    T->llm.matmul_qpacked(wt, m, K, xa, Wp, cut, N, y, N);
                    char what[64];
                    snprintf(what, sizeof what, "%s K=%lld N=%lld M=%lld", q ? "q4_0" : "q8_0",
                             (long long)K, (long long)N, (long long)m);
                    ck_near(y, r, m * N, 1e-4f * sqrtf((float)K), 0, what);
                }
                free(Wp); free(y); free(r);
                qcase_free(&c);
            }
}


/* ------------------------------------------------------------ 8-bit */

/* Each 8-bit entry is bit-exact with the reference (integer arithmetic and
 * TFLite's fixed-point rounding): every output byte is compared. */
static uint8_t *qbytes(int64_t n)
{
    uint8_t *p = malloc((size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(p);
    for (int64_t i = 0; i < n; i++) p[i] = (uint8_t)rnd(256);
    return p;
}

typedef struct qconv_case {
    int64_t C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, groups;
} qconv_case;

/* The table's qconv2d as an op calls it: in scratch of the size the table
 * asks for, filled with garbage first (a kernel may not count on zeros) */
static void t_qconv2d(const mote_qconv2d_args *a0)
{
    mote_qconv2d_args a = *a0;
    size_t sb = T->general.qconv2d_scratch_bytes(&a), guard = 256;
    unsigned char *scr = aligned_alloc(64, (sb + guard + 63) / 64 * 64);
    memset(scr, 0x5A, sb + guard);
    a.scratch = sb ? scr : NULL;
    T->general.qconv2d(&a);
    for (size_t i = sb; i < sb + guard; i++)
        CK(scr[i] == 0x5A, "C %lld HxW %lldx%lld k %lldx%lld s %lld,%lld: byte %zu written past "
           "the %zu bytes of scratch asked for", (long long)a.C, (long long)a.H, (long long)a.W,
           (long long)a.KH, (long long)a.KW, (long long)a.sh, (long long)a.sw, i, sb);
    free(scr);
}

/* One convolution (xs, ws: signed input / weights) in one of the three
 * output forms (TFLite's fixed point, ONNX's float scale, raw i32), on a
 * sub-range of output channels as a thread would get. */
static void qconv_one(const qconv_case *cc, int xs, int ws, int packed)
{
    mote_qconv2d_args a = {0};
    a.C = cc->C; a.H = cc->H; a.W = cc->W; a.OC = cc->OC; a.KH = cc->KH; a.KW = cc->KW;
    a.sh = cc->sh; a.sw = cc->sw; a.ph = cc->ph; a.pw = cc->pw; a.dh = cc->dh; a.dw = cc->dw;
    a.groups = cc->groups;
    a.OH = (a.H + 2 * a.ph - (a.KH - 1) * a.dh - 1) / a.sh + 1;
    a.OW = (a.W + 2 * a.pw - (a.KW - 1) * a.dw - 1) / a.sw + 1;
    ck_assert(a.OH > 0 && a.OW > 0);
    int64_t cg = a.C / a.groups, nx = a.C * a.H * a.W, nw = a.OC * cg * a.KH * a.KW;
    int64_t ny = a.OC * a.OH * a.OW;
    uint8_t *x = qbytes(nx), *w = qbytes(nw);
    int32_t *bias = malloc(sizeof(int32_t) * (size_t)a.OC), *wz = malloc(sizeof(int32_t) * (size_t)a.OC);
    int32_t *mult = malloc(sizeof(int32_t) * (size_t)a.OC), *shift = malloc(sizeof(int32_t) * (size_t)a.OC);
    float *fs = malloc(sizeof(float) * (size_t)a.OC);
    for (int64_t o = 0; o < a.OC; o++) {
        bias[o] = (int32_t)rnd(20001) - 10000;
        wz[o] = ws ? (rnd(4) ? 0 : (int32_t)rnd(21) - 10) : (int32_t)rnd(256);
        int sh;
        double real = (double)(1 + rnd(1000)) / (double)(200 + 50 * cg * a.KH * a.KW);
        mote_q_multiplier(real, &mult[o], &sh);
        shift[o] = sh;
        fs[o] = (float)real;
    }
    a.x = x; a.w = w; a.bias = rnd(5) ? bias : NULL; a.w_zp = wz; a.mult = mult; a.shift = shift;
    int form = (int)rnd(3);
    a.fscale = form == 1 ? fs : NULL;
    a.y_i32 = form == 2;
    size_t yb = (size_t)ny * (a.y_i32 ? 4 : 1);
    a.x_signed = xs; a.w_signed = ws; a.y_signed = xs;
    a.x_zp = xs ? (int32_t)rnd(41) - 20 : (int32_t)rnd(256);
    a.y_zp = xs ? (int32_t)rnd(41) - 20 : (int32_t)rnd(256);
    a.act_min = xs ? -128 : 0;
    a.act_max = xs ? 127 : 255;
    if (rnd(3) == 0) {
        a.act_min += 10;
        a.act_max -= 30;
    }
    a.oc0 = a.OC > 2 ? rnd(a.OC / 2) : 0;
    a.oc1 = a.OC - (a.OC > 3 ? rnd(2) : 0);
    uint8_t *want = malloc(yb), *got = malloc(yb);
    memset(want, 0xA5, yb);
    memset(got, 0xA5, yb);
    a.y = want;
    REF->general.qconv2d(&a);
    a.y = got;
    if (packed) {
        /* the packed path: packed once (twice, to see every byte of the
         * packing written), then run as threads would, on pieces of the
         * output channels and pixels */
        int64_t K = a.C * a.KH * a.KW, P = a.OH * a.OW;
        size_t pb = T->general.qconv2d_pack_bytes(&a);
        unsigned char *wp = aligned_alloc(64, (pb + 63) / 64 * 64);
        unsigned char *wp2 = aligned_alloc(64, (pb + 63) / 64 * 64);
        memset(wp, 0x11, pb);
        memset(wp2, 0xee, pb);
        T->general.qconv2d_pack(&a, wp);
        T->general.qconv2d_pack(&a, wp2);
        CK(!memcmp(wp, wp2, pb), "OC %lld K %lld: packing leaves bytes unwritten",
           (long long)a.OC, (long long)K);
        size_t sb = T->general.qconv2d_packed_scratch_bytes(&a);
        void *scr = aligned_alloc(64, (sb + 63) / 64 * 64 + 64);
        mote_qconv2d_packed_args pa = { a, wp, 0, 0, scr };
        pa.a.w = NULL;
        int64_t split = rnd(3);
        for (int64_t p0 = 0; p0 < P;) {
            int64_t p1 = split == 0 ? P : p0 + 1 + rnd(split == 1 ? 70 : 140);
            pa.p0 = p0;
            pa.p1 = p1 < P ? p1 : P;
            for (int64_t o0 = a.oc0; o0 < a.oc1;) {
                int64_t o1 = o0 + 1 + rnd(a.OC);
                pa.a.oc0 = o0;
                pa.a.oc1 = o1 < a.oc1 ? o1 : a.oc1;
                T->general.qconv2d_packed(&pa);
                o0 = pa.a.oc1;
            }
            p0 = pa.p1;
        }
        free(wp); free(wp2); free(scr);
    } else {
        t_qconv2d(&a);
    }
    for (int64_t i = 0; i < (int64_t)yb; i++)
        CK(got[i] == want[i], "%s form %d C %lld HxW %lldx%lld OC %lld k %lldx%lld s %lld,%lld p %lld,%lld "
           "d %lld,%lld g %lld x%s w%s: byte %lld is %d, reference %d", packed ? "packed" : "",
           form, (long long)a.C,
           (long long)a.H, (long long)a.W, (long long)a.OC, (long long)a.KH, (long long)a.KW,
           (long long)a.sh, (long long)a.sw, (long long)a.ph, (long long)a.pw, (long long)a.dh,
           (long long)a.dw, (long long)a.groups, xs ? "i8" : "u8", ws ? "i8" : "u8", (long long)i,
           got[i], want[i]);
    free(x); free(w); free(bias); free(wz); free(mult); free(shift); free(fs); free(want); free(got);
}

/* Parameters the random cases never make: multipliers of one half with
 * small shifts (rounding ties at every step) and zero points beyond a byte
 * (vector paths that move data into 8 or 16 bits must see them); a 3x3
 * convolution and a depthwise one, both requantization forms. */
static void qconv_edges(int xs, int ws)
{
    for (int v = 0; v < 4; v++) {
        int dw = v & 1, odd = v >> 1;
        mote_qconv2d_args a = {0};
        a.C = 8; a.H = 6; a.W = 11; a.OC = dw ? 8 : 5; a.OH = 6; a.OW = 11;
        a.KH = 3; a.KW = 3; a.sh = a.sw = a.ph = a.pw = a.dh = a.dw = 1;
        a.groups = dw ? 8 : 1;
        int64_t nx = a.C * a.H * a.W, nw = a.OC * (a.C / a.groups) * 9, ny = a.OC * a.OH * a.OW;
        uint8_t *x = qbytes(nx), *w = qbytes(nw), want[8 * 66], got[8 * 66];
        int32_t bias[8], wz[8], mult[8], shift[8];
        float fs[8];
        for (int o = 0; o < 8; o++) {
            bias[o] = (int32_t)rnd(2001) - 1000;
            wz[o] = odd == 1 ? (o & 1 ? 200 + o : -200 - o) : ws ? (int32_t)rnd(21) - 10 : (int32_t)rnd(256);
            mult[o] = o == 7 ? INT32_MAX : 1 << 30;
            shift[o] = -(o % 4) - (odd == 1 ? 8 : 0);
            fs[o] = 0.5f / (float)(1 << (o % 4));
        }
        a.x = x; a.w = w; a.bias = bias; a.w_zp = wz; a.mult = mult; a.shift = shift;
        a.x_signed = xs; a.w_signed = ws; a.y_signed = xs;
        a.x_zp = odd == 1 ? (xs ? -300 : 400) : xs ? 3 : 130;
        a.y_zp = xs ? -5 : 120;
        a.act_min = xs ? -128 : 0;
        a.act_max = xs ? 127 : 255;
        a.oc0 = 0; a.oc1 = a.OC;
        /* float scales that overflow, or are not numbers: the vector
         * kernels clamp as the reference does (a NaN gives act_min) */
        float fx[8];
        for (int o = 0; o < 8; o++) {
            static const float sp[] = { INFINITY, -INFINITY, NAN, 3e38f };
            fx[o] = sp[o % 4];
        }
        for (int form = 0; form < 3; form++) {
            a.fscale = form == 0 ? NULL : form == 1 ? fs : fx;
            memset(want, 0xA5, sizeof want);
            memset(got, 0xA5, sizeof got);
            a.y = want;
            REF->general.qconv2d(&a);
            a.y = got;
            t_qconv2d(&a);
            for (int64_t i = 0; i < ny; i++)
                CK(got[i] == want[i], "edge case %d form %d x%s w%s: byte %lld is %d, reference %d", v,
                   form, xs ? "i8" : "u8", ws ? "i8" : "u8", (long long)i, got[i], want[i]);
        }
        free(x); free(w);
    }
}

static void check_general_qconv2d(void)
{
    if (T->general.qconv2d == REF->general.qconv2d) return;
    static const int64_t ks[] = { 1, 15, 16, 17, 31, 33, 255, 257 };
    for (int s = 0; s < 4; s++) {
        int xs = s & 1, ws = s >> 1;
        /* group 1: 3x3 stride 1 and 2 with pads, 1x1 pointwise (the
         * 16-pixel path, odd C), 5x5 dilated */
        static const qconv_case g1[] = {
            {17, 5, 7, 9, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {32, 4, 4, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1},
            {3, 9, 11, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {3, 11, 13, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {17, 7, 9, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {4, 12, 10, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1},
            {16, 6, 6, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        };
        for (size_t i = 0; i < sizeof g1 / sizeof g1[0]; i++) qconv_one(&g1[i], xs, ws, 0);
        /* fully connected: K inputs, N outputs, one pixel */
        for (int i = 0; i < 8; i++) {
            qconv_case fc = {ks[i], 1, 1, 1 + rnd(20), 1, 1, 1, 1, 0, 0, 1, 1, 1};
            qconv_one(&fc, xs, ws, 0);
        }
        /* depthwise, channel multiplier 1 and 2, strides 1 and 2, widths
         * around the vector paths; 5x5; dilated; two channels per group */
        static const int64_t widths[] = { 1, 7, 8, 9, 17, 33 };
        for (int mult = 1; mult <= 2; mult++)
            for (int stride = 1; stride <= 2; stride++)
                for (int wi = 0; wi < 6; wi++) {
                    qconv_case c = {5, 6, widths[wi] + 2, 5 * mult, 3, 3, stride, stride,
                                    rnd(2), rnd(2), 1, 1, 5};
                    qconv_one(&c, xs, ws, 0);
                }
        static const qconv_case dw[] = {
            {6, 9, 20, 6, 5, 5, 1, 1, 2, 2, 1, 1, 6}, {4, 9, 20, 4, 3, 3, 1, 1, 2, 2, 2, 2, 4},
            {8, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4},
            /* MobileNet's planes: 7x7 (several output rows per vector), 56 wide */
            {19, 7, 7, 19, 3, 3, 1, 1, 1, 1, 1, 1, 19}, {3, 9, 56, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3},
            /* stride 2 on 7 and 14 outputs, dilated rows; strides that differ */
            {7, 14, 14, 7, 3, 3, 2, 2, 1, 1, 1, 1, 7}, {6, 28, 28, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6},
            {4, 13, 20, 4, 5, 5, 2, 2, 2, 2, 2, 1, 4}, {5, 9, 9, 5, 3, 3, 2, 1, 1, 1, 1, 1, 5},
            {5, 9, 9, 5, 3, 3, 1, 2, 1, 1, 1, 1, 5},
        };
        for (size_t i = 0; i < sizeof dw / sizeof dw[0]; i++) qconv_one(&dw[i], xs, ws, 0);
        qconv_edges(xs, ws);

    }
}

/* The packed-weight entries go together (all four or none) and are
 * checked together, each through a whole packed convolution. */
static void qconv_packed_cases(void)
{
    if (!T->general.qconv2d_packed) {
        ck_assert(!T->general.qconv2d_pack && !T->general.qconv2d_pack_bytes &&
                  !T->general.qconv2d_packed_scratch_bytes);
        return;
    }
    ck_assert(T->general.qconv2d_pack && T->general.qconv2d_pack_bytes &&
              T->general.qconv2d_packed_scratch_bytes);
    for (int s = 0; s < 4; s++) {
        int xs = s & 1, ws = s >> 1;
        /* 3x3 with pads, strides 1 and 2; 1x1 (the direct im2col, and
         * past 64 pixels); 7x7 stride 2; 5x5 dilated; K not a multiple
         * of 4; channels around the block of 6 */
        static const qconv_case g1[] = {
            {17, 5, 7, 9, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {32, 12, 12, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1},
            {3, 9, 11, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {3, 11, 13, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {17, 7, 9, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {4, 12, 10, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1},
            {16, 6, 6, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {3, 23, 21, 7, 7, 7, 2, 2, 3, 3, 1, 1, 1},
            {8, 17, 19, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1}, {24, 9, 9, 12, 1, 1, 2, 2, 0, 0, 1, 1, 1},
            {5, 4, 30, 6, 3, 1, 1, 1, 1, 0, 1, 1, 1}, {2, 5, 80, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {3, 9, 70, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1}, {3, 4, 37, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {6, 3, 50, 7, 3, 3, 1, 1, 1, 1, 2, 2, 1}, {5, 3, 70, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {2, 3, 150, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1}, {4, 10, 20, 5, 3, 3, 3, 3, 1, 1, 1, 1, 1},
            {3, 9, 40, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1}, {3, 12, 30, 5, 3, 3, 2, 2, 2, 2, 2, 2, 1},
            {5, 8, 9, 7, 2, 4, 1, 2, 0, 1, 1, 1, 1}, {64, 6, 7, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {128, 5, 5, 33, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {64, 9, 11, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {64, 4, 40, 40, 3, 3, 1, 1, 1, 1, 2, 2, 1}, {192, 3, 5, 7, 1, 1, 2, 2, 0, 0, 1, 1, 1},
            {16, 7, 9, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {48, 6, 6, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1},
            {80, 5, 5, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1}, {96, 3, 4, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        };
        for (size_t i = 0; i < sizeof g1 / sizeof g1[0]; i++) qconv_one(&g1[i], xs, ws, 1);
        static const int64_t ks[] = { 1, 15, 16, 17, 31, 33, 255, 257 };
        for (int i = 0; i < 8; i++) {
            qconv_case fc = {ks[i], 1, 1, 1 + rnd(20), 1, 1, 1, 1, 0, 0, 1, 1, 1};
            qconv_one(&fc, xs, ws, 1);
        }
    }
}

/* The scratch a qconv2d call asks for: the same for any channel range and
 * data (ops size it once, at prepare time); every call above runs in
 * exactly that much with guard bytes after it (t_qconv2d). The AVX-512
 * depthwise kernel needs some: without it the general kernel would run,
 * and the depthwise cases above would not reach it. */
static void check_general_qconv2d_scratch_bytes(void)
{
    static const qconv_case dw[] = {
        {8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8}, {6, 28, 28, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6},
        {5, 9, 9, 5, 3, 3, 2, 1, 1, 1, 1, 1, 5}, {17, 5, 7, 9, 1, 1, 1, 1, 0, 0, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof dw / sizeof dw[0]; i++) {
        const qconv_case *c = &dw[i];
        mote_qconv2d_args a = {.C = c->C, .H = c->H, .W = c->W, .OC = c->OC, .KH = c->KH,
                               .KW = c->KW, .sh = c->sh, .sw = c->sw, .ph = c->ph, .pw = c->pw,
                               .dh = c->dh, .dw = c->dw, .groups = c->groups};
        a.OH = (a.H + 2 * a.ph - a.dh * (a.KH - 1) - 1) / a.sh + 1;
        a.OW = (a.W + 2 * a.pw - a.dw * (a.KW - 1) - 1) / a.sw + 1;
        a.oc0 = 0; a.oc1 = a.OC;
        size_t sb = T->general.qconv2d_scratch_bytes(&a);
        static const uint8_t byte = 1;
        a.x = a.w = &byte;
        a.oc0 = 1;
        a.oc1 = 2;
        CK(T->general.qconv2d_scratch_bytes(&a) == sb, "case %zu: the scratch changes with the "
           "channel range or the data", i);
        if (!strcmp(T->name, "avx512") && a.groups > 1)
            CK(sb > 0, "case %zu: the avx512 depthwise kernel asks for no scratch", i);
        qconv_one(c, 1, 1, 0);
    }
}

static void check_general_qconv2d_pack_bytes(void) { qconv_packed_cases(); }
static void check_general_qconv2d_pack(void) { qconv_packed_cases(); }
static void check_general_qconv2d_packed_scratch_bytes(void) { qconv_packed_cases(); }
static void check_general_qconv2d_packed(void) { qconv_packed_cases(); }

/* QuantizeLinear / DequantizeLinear: per tensor and per channel (inner
 * runs around the vector width), sub-ranges as threads get them; NaN,
 * infinities, ties and values far out of range included */
static void check_general_quantize_f32(void)
{
    static const int64_t inners[] = { 1, 7, 16, 33, 200 };
    for (int it = 0; it < 40; it++) {
        int64_t C = it % 3 ? 1 + rnd(5) : 1, inner = inners[rnd(5)], n = C * inner * (1 + rnd(2));
        int is_signed = (int)rnd(2);
        float *x = buf(n, -300, 300), sc[5];
        int32_t zp[5];
        for (int64_t i = 0; i < n; i++) {
            if (rnd(11) == 0) x[i] = (float)(int64_t)x[i] + 0.5f;   /* ties */
            if (rnd(97) == 0) x[i] = rnd(2) ? NAN : (rnd(2) ? INFINITY : -INFINITY);
        }
        for (int c = 0; c < 5; c++) {
            sc[c] = 0.25f + (float)rnd(300) / 100.0f;
            zp[c] = is_signed ? (int32_t)rnd(41) - 20 : (int32_t)rnd(256);
        }
        uint8_t *want = malloc((size_t)n), *got = malloc((size_t)n);
        int64_t e0 = rnd(n / 2 + 1), e1 = e0 + rnd(n - e0 + 1);
        memset(want, 0xA5, (size_t)n);
        memset(got, 0xA5, (size_t)n);
        const int32_t *z = rnd(4) ? zp : NULL;
        REF->general.quantize_f32(x, want, is_signed, sc, z, C, inner, e0, e1);
        T->general.quantize_f32(x, got, is_signed, sc, z, C, inner, e0, e1);
        for (int64_t i = 0; i < n; i++)
            CK(got[i] == want[i], "C %lld inner %lld [%lld, %lld) %s: byte %lld (x %.9g) is %d, reference %d",
               (long long)C, (long long)inner, (long long)e0, (long long)e1, is_signed ? "i8" : "u8",
               (long long)i, (double)x[i], got[i], want[i]);
        free(x); free(want); free(got);
    }
}

static void check_general_dequantize_8(void)
{
    static const int64_t inners[] = { 1, 7, 16, 33, 200 };
    for (int it = 0; it < 40; it++) {
        int64_t C = it % 3 ? 1 + rnd(5) : 1, inner = inners[rnd(5)], n = C * inner * (1 + rnd(2));
        int is_signed = (int)rnd(2);
        uint8_t *x = qbytes(n);
        float sc[5], *want = buf(n, 0, 0), *got = buf(n, 0, 0);
        int32_t zp[5];
        for (int c = 0; c < 5; c++) {
            sc[c] = 0.01f + (float)rnd(300) / 77.0f;
            zp[c] = is_signed ? (int32_t)rnd(41) - 20 : (int32_t)rnd(256);
        }
        int64_t e0 = rnd(n / 2 + 1), e1 = e0 + rnd(n - e0 + 1);
        const int32_t *z = rnd(4) ? zp : NULL;
        REF->general.dequantize_8(x, is_signed, want, sc, z, C, inner, e0, e1);
        T->general.dequantize_8(x, is_signed, got, sc, z, C, inner, e0, e1);
        for (int64_t i = 0; i < n; i++)
            CK(same_float(got[i], want[i]), "C %lld inner %lld [%lld, %lld): [%lld] = %.9g, reference %.9g",
               (long long)C, (long long)inner, (long long)e0, (long long)e1, (long long)i,
               (double)got[i], (double)want[i]);
        free(x); free(want); free(got);
    }
}

static void check_general_qbinary(void)
{
    if (T->general.qbinary == REF->general.qbinary) return;
    enum { N = 1000 };
    uint8_t *a = qbytes(N), *b = qbytes(N), want[N + 1], got[N + 1];
    /* scales: TFLite-like ones, one with a left shift (y scale > 1), one
     * rounding away nearly everything, and a narrowed clamp (ReLU6-like) */
    static const struct { double as, bs, ys_add, ys_mul; int amin, amax; } ps[] = {
        { 0.4, 0.5, 1.3e-6, 0.013, -999, 999 }, { 1.7, 0.02, 2.5e-5, 3.0, -999, 999 },
        { 0.9, 0.9, 3e-9, 1e-5, -999, 999 },   { 0.25, 0.75, 9.5e-7, 0.04, 10, 100 },
    };
    for (int kind = MOTE_QBIN_ADD; kind <= MOTE_QBIN_MUL; kind++)
    for (size_t pi = 0; pi < sizeof ps / sizeof ps[0]; pi++)
    for (int sg = 0; sg < 2; sg++) {
        mote_qbinary_params p = {0};
        p.kind = kind;
        p.is_signed = sg;
        p.a_zp = sg ? -5 : 3; p.b_zp = sg ? 9 : 250; p.y_zp = sg ? -20 : 11;
        p.act_min = ps[pi].amin == -999 ? (p.is_signed ? -128 : 0) : ps[pi].amin;
        p.act_max = ps[pi].amax == 999 ? (p.is_signed ? 127 : 255) : ps[pi].amax;
        p.left_shift = 20;
        mote_q_multiplier(ps[pi].as, &p.a_mult, &p.a_shift);
        mote_q_multiplier(ps[pi].bs, &p.b_mult, &p.b_shift);
        mote_q_multiplier(kind == MOTE_QBIN_MUL ? ps[pi].ys_mul : ps[pi].ys_add, &p.y_mult, &p.y_shift);
        for (int s = 0; s < N_SIZES; s++) {
            int64_t n = sizes[s] < N ? sizes[s] : N, e0 = n > 3 ? 2 : 0;
            memset(want, 0x5A, sizeof want);
            memset(got, 0x5A, sizeof got);
            REF->general.qbinary(&p, a, b, want, e0, n);
            T->general.qbinary(&p, a, b, got, e0, n);
            CK(memcmp(got, want, sizeof want) == 0, "kind %d params %zu %s elements [%lld, %lld) differ",
               kind, pi, sg ? "i8" : "u8", (long long)e0, (long long)n);
        }
    }
    free(a);
    free(b);
}

static void check_general_qlut(void)
{
    if (T->general.qlut == REF->general.qlut) return;
    enum { N = 1000 };
    uint8_t *x = qbytes(N), *tab = qbytes(256), got[N + 1];
    for (int s = 0; s < N_SIZES; s++) {
        int64_t n = sizes[s] < N ? sizes[s] : N;
        memset(got, 0x5A, sizeof got);
        T->general.qlut(tab, x, got, 0, n);
        for (int64_t i = 0; i < n; i++)
            CK(got[i] == tab[x[i]], "n=%lld: [%lld] = %d, table %d", (long long)n, (long long)i,
               got[i], tab[x[i]]);
        CK(got[n] == 0x5A, "n=%lld wrote past n", (long long)n);
    }
    free(x);
    free(tab);
}

static void check_general_qavgpool2d(void)
{
    if (T->general.qavgpool2d == REF->general.qavgpool2d) return;
    uint8_t *x = qbytes(3 * 7 * 9), want[3 * 20], got[3 * 20];
    mote_qpool2d_args pa = {0};
    pa.H = 7; pa.W = 9; pa.KH = 3; pa.KW = 3; pa.sh = 2; pa.sw = 2; pa.ph = 1; pa.pw = 1;
    pa.OH = 4; pa.OW = 5; pa.x = x; pa.act_min = 0; pa.act_max = 255;
    pa.c0 = 0; pa.c1 = 3;
    pa.y = want;
    REF->general.qavgpool2d(&pa);
    pa.y = got;
    T->general.qavgpool2d(&pa);
    CK(memcmp(got, want, sizeof want) == 0, "3x3 stride 2 pooling differs");
    free(x);
}

/* ------------------------------------------------------ the entry table */

typedef struct entry_test {
    const char *name;          /* "table.entry" */
    int (*own)(void);          /* T has its own kernel for (some of) it */
    void (*check)(void);       /* T's kernel against the reference */
} entry_test;

#define OWN(table, name, ret, params) \
    static int own_##table##_##name(void) { return T->table.name != REF->table.name; }
#define OWN_ARRAY(table, name, count, ret, params)                    \
    static int own_##table##_##name(void)                             \
    {                                                                 \
        for (int i = 0; i < (count); i++)                             \
            if (T->table.name[i] != REF->table.name[i]) return 1;     \
        return 0;                                                     \
    }
MOTE_KERNEL_LIST(OWN, OWN_ARRAY)
#undef OWN
#undef OWN_ARRAY

#define ROW(table, name, ret, params) { #table "." #name, own_##table##_##name, check_##table##_##name },
#define ROW_ARRAY(table, name, count, ret, params) ROW(table, name, ret, params)
static const entry_test entries[] = { MOTE_KERNEL_LIST(ROW, ROW_ARRAY) };
#undef ROW
#undef ROW_ARRAY
#define N_ENTRIES ((int)(sizeof entries / sizeof entries[0]))

/* The resolved table for isa, or NULL if this machine cannot run it. */
static const mote_kernels *table(const char *isa)
{
    const mote_kernels *k = NULL;
    if (!mote_cpu_isa_available(isa)) return NULL;
    ck_assert_mote_ok(mote_cpu_kernels(isa, &k));
    return k;
}

/* Entry _i of every table this machine runs (but the reference). */
START_TEST(test_entry_matches_reference_on_every_table)
{
    const entry_test *e = &entries[_i];
    for (int t = 0; t < N_ISAS; t++) {
        if (!(T = table(isas[t]))) continue;
        if (!e->own()) continue;
        ENTRY = e->name;
        /* reproducible per entry, from its name: a new entry leaves the
         * others' operands as they were */
        uint32_t h = 12345u;
        for (const char *c = e->name; *c; c++)
            h = h * 977u + (uint8_t)*c;
        rng = h + 31u * (uint32_t)t;
        e->check();
        printf("test_kernels: %s %s matches the reference\n", T->name, e->name);
    }
}
END_TEST

/* Which entries each table has of its own (the rest are the reference's). */
START_TEST(test_tables_report_their_own_entries)
{
    for (int t = 0; t < N_ISAS; t++) {
        if (!(T = table(isas[t]))) {
            printf("test_kernels: %s: not available here, skipped\n", isas[t]);
            continue;
        }
        int own = 0;
        char from_ref[2048] = "";
        for (int i = 0; i < N_ENTRIES; i++) {
            if (entries[i].own()) own++;
            else if (strlen(from_ref) + strlen(entries[i].name) + 2 < sizeof from_ref) {
                strcat(from_ref, " ");
                strcat(from_ref, entries[i].name);
            }
        }
        printf("test_kernels: %s: %d of %d entries its own; the reference's:%s\n", T->name, own,
               N_ENTRIES, from_ref);
        ck_assert_int_gt(own, 0);
    }
}
END_TEST

/* --------------------------------------------------------- math bounds */

/* Max error of unary op over a dense sweep of [lo, hi] against double libm:
 * relative for exp, else |error| / max(1, |x|). */
static double sweep_error(mote_unary_op op, double (*f)(double), double lo, double hi)
{
    enum { N = 1 << 18 };
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) x[i] = (float)(lo + (hi - lo) * i / (N - 1));
    T->general.unary_f32[op](N, x, y, 0, 0);
    double m = 0;
    for (int i = 0; i < N; i++) {
        double r = f(x[i]), e = fabs(y[i] - r);
        e /= op == MOTE_UN_EXP ? fabs(r) : fmax(1.0, fabs((double)x[i]));
        m = e > m ? e : m;
    }
    free(x);
    free(y);
    return m;
}
static double sigmoid_d(double x) { return 1 / (1 + exp(-x)); }
static double silu_d(double x) { return x / (1 + exp(-x)); }
static double gelu_d(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }
static double gelu_tanh_d(double x)
{
    return 0.5 * x * (1 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
}

START_TEST(test_approximations_within_their_documented_bounds)
{
    /* the bounds documented in docs/kernels.md and docs/arm.md */
    const struct {
        mote_unary_op op; const char *name; double (*f)(double); double lo, hi, bound;
    } fs[] = {
        { MOTE_UN_EXP, "exp", exp, -87, 88, 3e-7 },
        { MOTE_UN_SIGMOID, "sigmoid", sigmoid_d, -30, 30, 2e-7 },
        { MOTE_UN_TANH, "tanh", tanh, -10, 10, 3e-7 },
        { MOTE_UN_ERF, "erf", erf, -6, 6, 4e-7 },
        { MOTE_UN_GELU, "gelu", gelu_d, -10, 10, 3e-7 },
        { MOTE_UN_GELU_TANH, "gelu_tanh", gelu_tanh_d, -10, 10, 3e-7 },
        { MOTE_UN_SILU, "silu", silu_d, -20, 20, 3e-7 },
    };
    for (int t = 0; t < N_ISAS; t++) {
        if (!(T = table(isas[t]))) continue;
        ENTRY = "general.unary_f32";
        for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
            if (T->general.unary_f32[fs[i].op] == REF->general.unary_f32[fs[i].op]) continue;
            double e = sweep_error(fs[i].op, fs[i].f, fs[i].lo, fs[i].hi);
            printf("test_kernels: %s %-9s on [%g, %g]: max error %.2e (%s), bound %.0e\n", T->name,
                   fs[i].name, fs[i].lo, fs[i].hi, e,
                   fs[i].op == MOTE_UN_EXP ? "relative" : "x max(1, |x|)", fs[i].bound);
            CK(e <= fs[i].bound, "%s error %.3g over its bound %.0e", fs[i].name, e, fs[i].bound);
        }
    }
}
END_TEST

/* ------------------------------------------------------------- dispatch */

START_TEST(test_resolved_tables_hold_the_reference_where_the_target_has_nothing)
{
    const char *all[] = { "ref", "avx2", "avx512", "neon" };
    for (int t = 0; t < 4; t++) {
        const mote_kernels *k = NULL;
        if (!mote_cpu_isa_available(all[t])) {
            ck_assert_int_eq(mote_cpu_kernels(all[t], &k), MOTE_ERR_UNSUPPORTED);
            continue;
        }
        ck_assert_mote_ok(mote_cpu_kernels(all[t], &k));
        ck_assert_str_eq(k->name, all[t]);
        /* NULL only where the reference is NULL too (the optional entries) */
#define NONNULL(table, name, ret, params) \
        ck_assert_msg(k->table.name || !REF->table.name, "%s %s.%s is NULL", all[t], #table, #name);
#define NONNULL_ARRAY(table, name, count, ret, params)                                  \
        for (int i = 0; i < (count); i++)                                               \
            ck_assert_msg(k->table.name[i], "%s %s.%s[%d] is NULL", all[t], #table, #name, i);
        MOTE_KERNEL_LIST(NONNULL, NONNULL_ARRAY)
#undef NONNULL
#undef NONNULL_ARRAY
        /* the packed groups: all or none */
        const mote_general_kernels *g = &k->general;
        int b = !!g->gemm_nr + !!g->gemm_pack_b_bytes + !!g->gemm_pack_b + !!g->gemm_scratch_bytes +
                !!g->gemm_packed_f32;
        int a = !!g->gemm_mr + !!g->gemm_pack_a_bytes + !!g->gemm_pack_a +
                !!g->gemm_packed_a_scratch_bytes + !!g->gemm_packed_a_f32;
        ck_assert_msg(b == 0 || b == 5, "%s: %d of the 5 packed-B entries", all[t], b);
        ck_assert_msg(a == 0 || a == 5, "%s: %d of the 5 packed-A entries", all[t], a);
        /* resolved once: the same struct every time */
        const mote_kernels *again = NULL;
        ck_assert_mote_ok(mote_cpu_kernels(all[t], &again));
        ck_assert_ptr_eq(again, k);
    }
    ck_assert(mote_cpu_isa_available(mote_cpu_best_isa()));
}
END_TEST

START_TEST(test_cpu_kernels_rejects_unknown_isa)
{
    const mote_kernels *k = NULL;
    ck_assert_int_eq(mote_cpu_kernels("sse9000", &k), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "sse9000"));
    ck_assert_ptr_null(k);
}
END_TEST

START_TEST(test_mote_isa_environment_forces_a_table)
{
    const mote_kernels *k = NULL;
    setenv("MOTE_ISA", "ref", 1);
    ck_assert_mote_ok(mote_cpu_kernels(NULL, &k));
    ck_assert_str_eq(k->name, "ref");
    ck_assert_ptr_eq(k->general.gemm_f32, REF->general.gemm_f32);
    for (int t = 0; t < N_ISAS; t++)
        if (mote_cpu_isa_available(isas[t])) {
            setenv("MOTE_ISA", isas[t], 1);
            ck_assert_mote_ok(mote_cpu_kernels("", &k));
            ck_assert_str_eq(k->name, isas[t]);
            /* an explicit ISA wins over the environment */
            ck_assert_mote_ok(mote_cpu_kernels("ref", &k));
            ck_assert_str_eq(k->name, "ref");
        }
    setenv("MOTE_ISA", "not-an-isa", 1);
    ck_assert_int_eq(mote_cpu_kernels(NULL, &k), MOTE_ERR_UNSUPPORTED);
    unsetenv("MOTE_ISA");
    ck_assert_mote_ok(mote_cpu_kernels(NULL, &k));
    ck_assert_str_eq(k->name, mote_cpu_best_isa());
}
END_TEST

/* Fresh process (Check forks per test): several threads resolve at once. */
static void *resolve_thread(void *arg)
{
    const mote_kernels *k = NULL;
    if (mote_cpu_kernels(mote_cpu_best_isa(), &k) != MOTE_OK) k = NULL;
    *(const mote_kernels **)arg = k;
    return NULL;
}

START_TEST(test_concurrent_first_use_gives_one_resolved_table)
{
    enum { NT = 8 };
    pthread_t th[NT];
    const mote_kernels *got[NT];
    for (int i = 0; i < NT; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, resolve_thread, &got[i]), 0);
    for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < NT; i++) {
        ck_assert_ptr_nonnull(got[i]);
        ck_assert_ptr_eq(got[i], got[0]);
    }
    ck_assert_str_eq(got[0]->name, mote_cpu_best_isa());
}
END_TEST

START_TEST(test_cpu_features_are_consistent)
{
    const mote_cpu_features *f = mote_cpu_detect();
    if (f->avx512bw || f->avx512dq || f->avx512vl || f->avx512vnni || f->avx512bf16) ck_assert(f->avx512f);
    if (f->amx_int8 || f->amx_bf16) ck_assert(f->amx_tile);
    if (mote_cpu_isa_available("avx512")) ck_assert(mote_cpu_isa_available("avx2"));
    if (mote_cpu_isa_available("avx2")) ck_assert(f->avx2 && f->fma);
    ck_assert_ptr_eq(mote_cpu_detect(), f);
#ifdef __aarch64__
    /* ASIMD is part of AArch64: the NEON table is the best */
    ck_assert(f->neon);
    ck_assert_str_eq(mote_cpu_best_isa(), "neon");
#endif
    printf("test_kernels: best table on this CPU: %s\n", mote_cpu_best_isa());
}
END_TEST

#ifdef MOTE_HAVE_X86
/* The GEMM blocking comes from the caches cpuid reports (or from
 * MOTE_GEMM_BLOCKING), in whole tiles; a malformed override is named as
 * ignored rather than half-applied. */
START_TEST(test_gemm_blocking_follows_the_caches)
{
    mote_x86_caches c;
    mote_x86_cache_detect(&c);
    if (c.l1d)
        ck_assert(c.l1d >= 4096 && c.l1d <= (1 << 24) && c.l2 >= c.l1d);
    mote_x86_gemm_blocking b, e;
    unsetenv("MOTE_GEMM_BLOCKING");
    mote_x86_gemm_blocking_for(14, 32, &b);
    ck_assert_int_eq(b.mc % 14, 0);
    ck_assert_int_eq(b.nc % 32, 0);
    ck_assert(b.kc >= 256 && b.kc <= 1024);
    ck_assert(b.mc > 0 && b.nc > 0 && b.pf >= 0);
    /* small-M streams: none on AMD, twice the tiles' distance elsewhere */
    ck_assert_int_eq(b.pf_stream, c.amd ? 0 : 2 * b.pf);
    ck_assert_int_eq(b.l2, c.l2);
    ck_assert_str_eq(b.source, c.leaf);
    if (c.l2) {
        /* the packed A block fits in half of L2 */
        ck_assert(b.mc * b.kc * 4 <= c.l2 / 2 || b.mc == 4 * 14);
    }
    setenv("MOTE_GEMM_BLOCKING", "30,100,70,5,1", 1);
    mote_x86_gemm_blocking_for(14, 32, &e);
    ck_assert_int_eq(e.mc, 28);
    ck_assert_int_eq(e.kc, 100);
    ck_assert_int_eq(e.nc, 64);
    ck_assert_int_eq(e.pf, 5);
    ck_assert_int_eq(e.pf_c, 1);
    /* not given: this machine's rule on the distance given */
    ck_assert_int_eq(e.pf_stream, c.amd ? 0 : 10);
    ck_assert_str_eq(e.source, "MOTE_GEMM_BLOCKING");
    setenv("MOTE_GEMM_BLOCKING", "30,100,70,5,1,7", 1);
    mote_x86_gemm_blocking_for(14, 32, &e);
    ck_assert_int_eq(e.pf_stream, 7);
    /* only the blocks: every prefetch as the machine chooses it */
    setenv("MOTE_GEMM_BLOCKING", "30,100,70", 1);
    mote_x86_gemm_blocking_for(14, 32, &e);
    ck_assert_int_eq(e.mc, 28);
    ck_assert_int_eq(e.pf, b.pf);
    ck_assert_int_eq(e.pf_c, b.pf_c);
    ck_assert_int_eq(e.pf_stream, b.pf_stream);
    /* a distance of 0 turns the prefetches off, the small-M ones with it */
    setenv("MOTE_GEMM_BLOCKING", "30,100,70,0", 1);
    mote_x86_gemm_blocking_for(14, 32, &e);
    ck_assert_int_eq(e.pf, 0);
    ck_assert_int_eq(e.pf_stream, 0);
    const char *bad[] = { "1,2", "a,b,c", "0,64,64", "14,64,64,", "14,64,64,1,1,1,1", "-14,64,64" };
    for (int i = 0; i < 6; i++) {
        setenv("MOTE_GEMM_BLOCKING", bad[i], 1);
        mote_x86_gemm_blocking_for(14, 32, &e);
        ck_assert_msg(strstr(e.source, "malformed") != NULL, "'%s' taken", bad[i]);
        ck_assert_int_eq(e.mc, b.mc);
        ck_assert_int_eq(e.kc, b.kc);
        ck_assert_int_eq(e.nc, b.nc);
    }
    unsetenv("MOTE_GEMM_BLOCKING");
}
END_TEST
#endif

static Suite *suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *d = tcase_create("dispatch");
    tcase_add_test(d, test_resolved_tables_hold_the_reference_where_the_target_has_nothing);
    tcase_add_test(d, test_cpu_kernels_rejects_unknown_isa);
    tcase_add_test(d, test_mote_isa_environment_forces_a_table);
    tcase_add_test(d, test_concurrent_first_use_gives_one_resolved_table);
    tcase_add_test(d, test_cpu_features_are_consistent);
    tcase_add_test(d, test_tables_report_their_own_entries);
#ifdef MOTE_HAVE_X86
    tcase_add_test(d, test_gemm_blocking_follows_the_caches);
#endif
    suite_add_tcase(s, d);
    TCase *e = tcase_create("entries");
    tcase_set_timeout(e, 600);
    tcase_add_loop_test(e, test_entry_matches_reference_on_every_table, 0, N_ENTRIES);
    tcase_add_test(e, test_approximations_within_their_documented_bounds);
    suite_add_tcase(s, e);
    return s;
}

int main(void) { return mote_test_run(suite()); }
