/*
 * test_kernels_neon.c — every entry of the NEON kernel table against the
 * reference kernel, on random inputs and awkward sizes (built only for
 * aarch64 hosts; a cross build runs it under qemu-aarch64).
 *
 * Entries that are pure data movement, comparisons or single IEEE
 * operations must give the reference's bits; GEMM, convolution and the
 * reductions must agree within a bound scaled by the sizes; the
 * approximated functions (exp, tanh, sigmoid, erf, GELU, SiLU) have their
 * maximum error measured over a sweep, printed in the test log, and held
 * to the bounds documented in docs/arm.md. Also checked: an element's
 * value does not depend on the range a kernel is called on (the contract
 * that makes results independent of the thread count), and dispatch
 * picks the NEON table on this CPU. Not here: the ops and the graph.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/cpu.h"
#include "ref.h"
#include "testutil.h"

static mote_kernels K;               /* the resolved NEON table */
static const int64_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 33, 255};
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))

static void setup(void)
{
    ck_assert_mote_ok(mote_cpu_kernels("neon", &K));
    ck_assert_str_eq(K.name, "neon");
}

static float *fvec(int64_t n, uint32_t seed, float lo, float hi)
{
    float *x = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    ck_assert_ptr_nonnull(x);
    mote_test_fill(x, n, seed, lo, hi);
    return x;
}

/* Bit-for-bit equality, NaN equal to NaN. */
static void ck_same(const float *got, const float *want, int64_t n, const char *what)
{
    for (int64_t i = 0; i < n; i++) {
        int same = memcmp(&got[i], &want[i], sizeof(float)) == 0 ||
                   (isnan(got[i]) && isnan(want[i])) || (got[i] == 0.0f && want[i] == 0.0f);
        ck_assert_msg(same, "%s: [%lld] = %.9g, reference %.9g", what, (long long)i,
                      (double)got[i], (double)want[i]);
    }
}

/* |got - want| <= atol + rtol |want| elementwise. */
static void ck_near(const float *got, const float *want, int64_t n, float atol, float rtol,
                    const char *what)
{
    for (int64_t i = 0; i < n; i++) {
        float d = fabsf(got[i] - want[i]);
        ck_assert_msg(d <= atol + rtol * fabsf(want[i]) || (isnan(got[i]) && isnan(want[i])),
                      "%s: [%lld] = %.9g, reference %.9g", what, (long long)i,
                      (double)got[i], (double)want[i]);
    }
}

/* ---------------------------------------------------------------- table */

START_TEST(test_dispatch_chooses_neon_on_aarch64)
{
    ck_assert(mote_cpu_detect()->neon);
    ck_assert(mote_cpu_isa_available("neon"));
    ck_assert_str_eq(mote_cpu_best_isa(), "neon");
    const char *forced = getenv("MOTE_ISA");
    mote_kernels k;
    ck_assert_mote_ok(mote_cpu_kernels(NULL, &k));
    ck_assert_str_eq(k.name, forced && *forced ? forced : "neon");
    printf("dispatch: best table on this CPU is '%s' (asimddp %d, fp16 %d); "
           "MOTE_ISA=%s gives '%s'\n", mote_cpu_best_isa(), mote_cpu_detect()->asimddp,
           mote_cpu_detect()->fp16, forced ? forced : "(unset)", k.name);
}
END_TEST

START_TEST(test_neon_table_fills_its_entries)
{
    const mote_kernels *t = &mote_kernels_neon;
    for (int i = 0; i < MOTE_UN_COUNT; i++)
        ck_assert_msg(t->unary_f32[i] != NULL || i == MOTE_UN_LOG || i >= MOTE_UN_FLOOR,
                      "unary %d missing", i);
    for (int i = 0; i < MOTE_BIN_COUNT; i++)
        ck_assert_msg(t->binary_f32[i] != NULL || i >= MOTE_BIN_POW, "binary %d missing", i);
    ck_assert_ptr_nonnull(t->act_f32);
    ck_assert_ptr_nonnull(t->gemm_f32);
    ck_assert_ptr_nonnull(t->gemm_nr);
    ck_assert_ptr_nonnull(t->gemm_pack_b_bytes);
    ck_assert_ptr_nonnull(t->gemm_pack_b);
    ck_assert_ptr_nonnull(t->gemm_scratch_bytes);
    ck_assert_ptr_nonnull(t->gemm_packed_f32);
    ck_assert_ptr_nonnull(t->conv2d_dw3x3_f32);
    ck_assert_ptr_nonnull(t->im2col_f32);
    ck_assert_ptr_nonnull(t->maxpool2d_f32);
    ck_assert_ptr_nonnull(t->avgpool2d_f32);
    ck_assert_ptr_nonnull(t->global_avgpool_f32);
    ck_assert_ptr_nonnull(t->global_maxpool_f32);
    ck_assert_ptr_nonnull(t->softmax_f32);
    ck_assert_ptr_nonnull(t->layernorm_f32);
    ck_assert_ptr_nonnull(t->rmsnorm_f32);
    ck_assert_ptr_nonnull(t->channel_affine_f32);
    ck_assert_ptr_nonnull(t->dot_f32);
    /* resolution fills the rest from the reference */
    ck_assert(K.unary_f32[MOTE_UN_LOG] == mote_kernels_ref.unary_f32[MOTE_UN_LOG]);
    ck_assert(K.conv2d_f32 == mote_kernels_ref.conv2d_f32);
}
END_TEST

/* ---------------------------------------------------------- elementwise */

typedef struct unary_case {
    mote_unary_op op;
    const char *name;
    float lo, hi;          /* input range */
    float alpha, beta;
    int exact;             /* must match the reference bit for bit */
    float atol, rtol;      /* otherwise */
} unary_case;

static const unary_case unary_cases[] = {
    {MOTE_UN_RELU, "relu", -4, 4, 0, 0, 1, 0, 0},
    {MOTE_UN_LEAKY_RELU, "leaky_relu", -4, 4, 0.1f, 0, 1, 0, 0},
    {MOTE_UN_SIGMOID, "sigmoid", -30, 30, 0, 0, 0, 1e-7f, 4e-7f},
    {MOTE_UN_TANH, "tanh", -10, 10, 0, 0, 0, 1e-7f, 4e-7f},
    {MOTE_UN_GELU, "gelu", -8, 8, 0, 0, 0, 3e-7f, 4e-7f},
    {MOTE_UN_GELU_TANH, "gelu_tanh", -8, 8, 0, 0, 0, 3e-7f, 4e-7f},
    {MOTE_UN_EXP, "exp", -90, 88, 0, 0, 0, 0, 4e-7f},
    {MOTE_UN_SQRT, "sqrt", 0, 100, 0, 0, 1, 0, 0},
    {MOTE_UN_CLIP, "clip", -4, 4, -1, 2, 1, 0, 0},
    {MOTE_UN_HARD_SIGMOID, "hard_sigmoid", -8, 8, 0.2f, 0.5f, 1, 0, 0},
    {MOTE_UN_HARD_SWISH, "hard_swish", -8, 8, 0, 0, 1, 0, 0},
    {MOTE_UN_NEG, "neg", -4, 4, 0, 0, 1, 0, 0},
    {MOTE_UN_ABS, "abs", -4, 4, 0, 0, 1, 0, 0},
    {MOTE_UN_RECIPROCAL, "reciprocal", 0.01f, 10, 0, 0, 1, 0, 0},
    {MOTE_UN_ERF, "erf", -5, 5, 0, 0, 0, 2e-7f, 4e-7f},
    {MOTE_UN_SILU, "silu", -30, 30, 0, 0, 0, 1e-7f, 4e-7f},
};
#define NUNARY ((int)(sizeof unary_cases / sizeof unary_cases[0]))

START_TEST(test_unary_matches_reference_on_awkward_sizes)
{
    const unary_case *uc = &unary_cases[_i];
    for (int s = 0; s < NSIZES; s++) {
        int64_t n = sizes[s];
        float *x = fvec(n, 100 + (uint32_t)s, uc->lo, uc->hi);
        float *y = fvec(n, 1, 0, 0), *r = fvec(n, 2, 0, 0);
        K.unary_f32[uc->op](n, x, y, uc->alpha, uc->beta);
        mote_kernels_ref.unary_f32[uc->op](n, x, r, uc->alpha, uc->beta);
        if (uc->exact) ck_same(y, r, n, uc->name);
        else ck_near(y, r, n, uc->atol, uc->rtol, uc->name);
        free(x); free(y); free(r);
    }
}
END_TEST

/* Computing [0, n) at once or as [0, j) and [j, n) gives the same bits:
 * the tail goes through the same code as the body. */
START_TEST(test_unary_value_does_not_depend_on_range)
{
    const unary_case *uc = &unary_cases[_i];
    int64_t n = 37;
    float *x = fvec(n, 7, uc->lo, uc->hi), *y = fvec(n, 1, 0, 0), *z = fvec(n, 1, 0, 0);
    K.unary_f32[uc->op](n, x, y, uc->alpha, uc->beta);
    for (int64_t j = 1; j < 8; j++) {
        K.unary_f32[uc->op](j, x, z, uc->alpha, uc->beta);
        K.unary_f32[uc->op](n - j, x + j, z + j, uc->alpha, uc->beta);
        ck_same(z, y, n, uc->name);
    }
    free(x); free(y); free(z);
}
END_TEST

/* Special values: NaN stays NaN, infinities and huge arguments saturate
 * as libm's do, -0 keeps its sign where the reference keeps it. */
START_TEST(test_approximations_handle_special_values)
{
    const float in[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, -1e-30f, 100.0f,
                        -100.0f, 1e-8f};
    const int n = (int)(sizeof in / sizeof in[0]);
    const mote_unary_op ops[] = {MOTE_UN_SIGMOID, MOTE_UN_TANH, MOTE_UN_EXP, MOTE_UN_ERF,
                                 MOTE_UN_GELU, MOTE_UN_GELU_TANH};
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        float y[10], r[10];
        K.unary_f32[ops[o]](n, in, y, 0, 0);
        mote_kernels_ref.unary_f32[ops[o]](n, in, r, 0, 0);
        for (int i = 0; i < n; i++) {
            if (isnan(r[i])) {
                ck_assert_msg(isnan(y[i]), "op %d (%g): %g, want NaN", (int)ops[o],
                              (double)in[i], (double)y[i]);
                continue;
            }
            if (isinf(r[i])) {
                ck_assert_msg(y[i] == r[i], "op %d (%g): %g, want %g", (int)ops[o],
                              (double)in[i], (double)y[i], (double)r[i]);
                continue;
            }
            ck_assert_msg(fabsf(y[i] - r[i]) <= 4e-7f * fabsf(r[i]) + 1e-37f,
                          "op %d (%g): %.9g, reference %.9g", (int)ops[o], (double)in[i],
                          (double)y[i], (double)r[i]);
        }
    }
}
END_TEST

/*
 * The approximations' maximum error over a dense sweep, against libm in
 * double precision: relative error in units of float epsilon (2^-23), and
 * absolute error scaled by max(1, |f|) (the meaningful one for erf and the
 * GELUs, whose left tail 1 + erf cancels in float for any implementation,
 * the reference's included). Printed for docs/arm.md.
 */
START_TEST(test_approximation_error_measured_over_sweep)
{
    struct { mote_unary_op op; const char *name; float lo, hi; double max_ulp, max_abs; } sw[] = {
        {MOTE_UN_EXP, "exp", -87, 88, 4, 0},
        {MOTE_UN_TANH, "tanh", -10, 10, 4, 0},
        {MOTE_UN_SIGMOID, "sigmoid", -20, 20, 4, 0},
        {MOTE_UN_SILU, "silu", -20, 20, 6, 0},
        {MOTE_UN_ERF, "erf", -6, 6, 0, 2.5e-7},
        {MOTE_UN_GELU, "gelu", -10, 10, 0, 3e-7},
        {MOTE_UN_GELU_TANH, "gelu_tanh", -10, 10, 0, 3e-7},
    };
    const int64_t n = 20001;
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
    ck_assert(x && y);
    for (size_t c = 0; c < sizeof sw / sizeof sw[0]; c++) {
        for (int64_t i = 0; i < n; i++)
            x[i] = sw[c].lo + (sw[c].hi - sw[c].lo) * (float)i / (float)(n - 1);
        K.unary_f32[sw[c].op](n, x, y, 0, 0);
        double worst_ulp = 0, worst_abs = 0, at_ulp = 0, at_abs = 0;
        for (int64_t i = 0; i < n; i++) {
            double v = x[i], t;
            switch (sw[c].op) {
            case MOTE_UN_EXP: t = exp(v); break;
            case MOTE_UN_TANH: t = tanh(v); break;
            case MOTE_UN_SIGMOID: t = 1.0 / (1.0 + exp(-v)); break;
            case MOTE_UN_SILU: t = v / (1.0 + exp(-v)); break;
            case MOTE_UN_ERF: t = erf(v); break;
            case MOTE_UN_GELU: t = 0.5 * v * (1.0 + erf(v / sqrt(2.0))); break;
            default: {
                double u = sqrt(2.0 / 3.14159265358979323846) * (v + 0.044715 * v * v * v);
                t = 0.5 * v * (1.0 + tanh(u));
            }
            }
            double e = fabs((double)y[i] - t);
            double ea = e / (fabs(t) > 1.0 ? fabs(t) : 1.0);
            if (ea > worst_abs) { worst_abs = ea; at_abs = v; }
            if (fabs(t) > 1e-30) {
                double u = e / (fabs(t) * 1.1920928955078125e-7);
                if (u > worst_ulp) { worst_ulp = u; at_ulp = v; }
            }
        }
        printf("neon %-9s on [%g, %g]: max rel error %.2f eps (at x = %.6g), "
               "max abs error / max(1, |f|) %.3g (at x = %.6g)\n", sw[c].name, (double)sw[c].lo,
               (double)sw[c].hi, worst_ulp, at_ulp, worst_abs, at_abs);
        if (sw[c].max_ulp > 0)
            ck_assert_msg(worst_ulp <= sw[c].max_ulp, "%s: %.2f eps > %.2f", sw[c].name,
                          worst_ulp, sw[c].max_ulp);
        else
            ck_assert_msg(worst_abs <= sw[c].max_abs, "%s: abs %.3g > %.3g", sw[c].name,
                          worst_abs, sw[c].max_abs);
    }
    free(x); free(y);
}
END_TEST

START_TEST(test_binary_matches_reference_for_every_stride_pair)
{
    const char *names[] = {"add", "sub", "mul", "div", "max", "min", "pow"};
    for (int op = 0; op < MOTE_BIN_COUNT; op++) {
        if (op >= MOTE_BIN_POW) continue;     /* reference entries */
        for (int s = 0; s < NSIZES; s++) {
            int64_t n = sizes[s];
            float *a = fvec(n, 11 + (uint32_t)s, -3, 3), *b = fvec(n, 12 + (uint32_t)s, 0.5f, 4);
            float *y = fvec(n, 1, 0, 0), *r = fvec(n, 1, 0, 0);
            for (int sa = 0; sa < 2; sa++)
                for (int sb = 0; sb < 2; sb++) {
                    K.binary_f32[op](n, a, sa, b, sb, y);
                    mote_kernels_ref.binary_f32[op](n, a, sa, b, sb, r);
                    ck_same(y, r, n, names[op]);
                }
            free(a); free(b); free(y); free(r);
        }
    }
}
END_TEST

START_TEST(test_max_min_let_nan_lose_like_fmaxf)
{
    float a[5] = {NAN, 1, NAN, -2, 3}, b[5] = {2, NAN, NAN, -3, 3}, y[5], r[5];
    for (int op = MOTE_BIN_MAX; op <= MOTE_BIN_MIN; op++) {
        K.binary_f32[op](5, a, 1, b, 1, y);
        mote_kernels_ref.binary_f32[op](5, a, 1, b, 1, r);
        ck_same(y, r, 5, op == MOTE_BIN_MAX ? "max" : "min");
    }
}
END_TEST

START_TEST(test_fused_activation_matches_reference)
{
    const mote_act acts[] = {
        {MOTE_ACT_NONE, 0, 0}, {MOTE_ACT_RELU, 0, 0}, {MOTE_ACT_LEAKY_RELU, 0.2f, 0},
        {MOTE_ACT_CLIP, -1, 6}, {MOTE_ACT_SIGMOID, 0, 0}, {MOTE_ACT_TANH, 0, 0},
        {MOTE_ACT_HARD_SIGMOID, 0.2f, 0.5f}, {MOTE_ACT_HARD_SWISH, 0, 0}, {MOTE_ACT_GELU, 0, 0},
    };
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        int64_t n = 35;
        float *x = fvec(n, 5 + (uint32_t)i, -8, 8), *y = fvec(n, 1, 0, 0);
        memcpy(y, x, (size_t)n * sizeof(float));
        K.act_f32(n, y, acts[i]);
        mote_act_f32_ref(n, x, acts[i]);
        ck_near(y, x, n, 3e-7f, 4e-7f, "act");
        free(x); free(y);
    }
}
END_TEST

/* ------------------------------------------------------------------ GEMM */

/* Reference-vs-fast bound for a dot product of length k with operands in
 * [-1, 1): the products' rounding differs (fused), plus the epilogue. */
static float gemm_tol(int64_t k) { return 2e-6f * (float)(k + 4); }

static void check_gemm_unpacked(int64_t M, int64_t N, int64_t Kd, int ta, int tb,
                                float alpha, float beta, int bias_mode, mote_act act,
                                uint32_t seed)
{
    int64_t lda = (ta ? M : Kd) + 3, ldb = (tb ? Kd : N) + 2, ldc = N + 1;
    float *A = fvec((ta ? Kd : M) * lda, seed, -1, 1);
    float *B = fvec((tb ? N : Kd) * ldb, seed + 1, -1, 1);
    float *C0 = fvec(M * ldc, seed + 2, -1, 1);
    float *C1 = malloc((size_t)(M * ldc) * sizeof(float));
    float *bias = fvec(M > N ? M : N, seed + 3, -1, 1);
    memcpy(C1, C0, (size_t)(M * ldc) * sizeof(float));
    mote_gemm_args g = {.M = M, .N = N, .K = Kd, .A = A, .lda = lda, .trans_a = ta,
                        .B = B, .ldb = ldb, .trans_b = tb, .C = C0, .ldc = ldc,
                        .alpha = alpha, .beta = beta,
                        .bias = bias_mode ? bias : NULL, .bias_per_row = bias_mode == 2,
                        .act = act};
    mote_gemm_f32_ref(&g);
    g.C = C1;
    K.gemm_f32(&g);
    char what[96];
    snprintf(what, sizeof what, "gemm %lldx%lldx%lld ta%d tb%d", (long long)M, (long long)N,
             (long long)Kd, ta, tb);
    for (int64_t m = 0; m < M; m++)
        ck_near(C1 + m * ldc, C0 + m * ldc, N, gemm_tol(Kd), 1e-5f, what);
    /* the padding column of C is untouched */
    for (int64_t m = 0; m < M; m++)
        ck_assert(C1[m * ldc + N] == C0[m * ldc + N]);
    free(A); free(B); free(C0); free(C1); free(bias);
}

START_TEST(test_gemm_unpacked_matches_reference)
{
    const mote_act relu = {MOTE_ACT_RELU, 0, 0}, none = {MOTE_ACT_NONE, 0, 0};
    const int64_t ms[] = {1, 3, 7, 8, 9, 17}, ns[] = {1, 11, 12, 13, 25}, ks[] = {1, 7, 33, 300};
    uint32_t seed = 1;
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 5; j++)
            for (size_t l = 0; l < 4; l++, seed += 7)
                check_gemm_unpacked(ms[i], ns[j], ks[l], (int)(seed % 2), (int)(seed / 2 % 2),
                                    seed % 3 ? 1.0f : 0.5f, seed % 5 ? 0.0f : 0.75f,
                                    (int)(seed % 3), seed % 2 ? relu : none, seed);
}
END_TEST

/* Packs B, runs the packed kernel over the whole C and over split ranges
 * (rows cut anywhere, columns at multiples of NR); the splits must give
 * the same bits, and the whole must match the reference. */
static void check_gemm_packed(int64_t M, int64_t N, int64_t Kd, int tb, int bias_mode,
                              mote_act act, uint32_t seed)
{
    int64_t lda = Kd + 1, ldb = (tb ? Kd : N) + 3, ldc = N + 2;
    float *A = fvec(M * lda, seed, -1, 1);
    float *B = fvec((tb ? N : Kd) * ldb, seed + 1, -1, 1);
    float *bias = fvec(M > N ? M : N, seed + 2, -1, 1);
    float *R = fvec(M * ldc, 9, 0, 0), *C = fvec(M * ldc, 9, 0, 0), *S = fvec(M * ldc, 9, 0, 0);
    void *Bp = malloc(K.gemm_pack_b_bytes(Kd, N));
    size_t sb = K.gemm_scratch_bytes(M, Kd);
    void *scratch = malloc(sb ? sb : 1);
    ck_assert(Bp && scratch);
    K.gemm_pack_b(Kd, N, B, ldb, tb, Bp);
    const float *bptr = bias_mode ? bias : NULL;
    mote_gemm_args g = {.M = M, .N = N, .K = Kd, .A = A, .lda = lda, .B = B, .ldb = ldb,
                        .trans_b = tb, .C = R, .ldc = ldc, .alpha = 1, .beta = 0,
                        .bias = bptr, .bias_per_row = bias_mode == 2, .act = act};
    mote_gemm_f32_ref(&g);
    mote_gemm_packed_args p = {.M = M, .N = N, .K = Kd, .A = A, .lda = lda, .Bp = Bp,
                               .C = C, .ldc = ldc, .bias = bptr,
                               .bias_per_row = bias_mode == 2, .act = act,
                               .m0 = 0, .m1 = M, .n0 = 0, .n1 = N, .scratch = scratch};
    K.gemm_packed_f32(&p);
    char what[96];
    snprintf(what, sizeof what, "packed gemm %lldx%lldx%lld tb%d", (long long)M,
             (long long)N, (long long)Kd, tb);
    for (int64_t m = 0; m < M; m++)
        ck_near(C + m * ldc, R + m * ldc, N, gemm_tol(Kd), 1e-5f, what);
    /* rows split at every cut point, in two calls */
    int64_t nr = K.gemm_nr();
    for (int64_t cut = 1; cut < M; cut++) {
        p.C = S;
        p.n0 = 0; p.n1 = N;
        p.m0 = 0; p.m1 = cut; K.gemm_packed_f32(&p);
        p.m0 = cut; p.m1 = M; K.gemm_packed_f32(&p);
        for (int64_t m = 0; m < M; m++)
            ck_same(S + m * ldc, C + m * ldc, N, "packed gemm, rows split");
    }
    /* columns split at multiples of NR */
    for (int64_t cut = nr; cut < N; cut += nr) {
        memset(S, 0, (size_t)(M * ldc) * sizeof(float));
        p.C = S;
        p.m0 = 0; p.m1 = M;
        p.n0 = 0; p.n1 = cut; K.gemm_packed_f32(&p);
        p.n0 = cut; p.n1 = N; K.gemm_packed_f32(&p);
        for (int64_t m = 0; m < M; m++)
            ck_same(S + m * ldc, C + m * ldc, N, "packed gemm, columns split");
    }
    free(A); free(B); free(bias); free(R); free(C); free(S); free(Bp); free(scratch);
}

START_TEST(test_gemm_packed_m1_to_8_matches_reference_and_splits)
{
    const mote_act gelu = {MOTE_ACT_GELU, 0, 0}, none = {MOTE_ACT_NONE, 0, 0};
    for (int64_t M = 1; M <= 8; M++)
        check_gemm_packed(M, 37, 65, (int)(M % 2), (int)(M % 3), M % 2 ? gelu : none,
                          (uint32_t)M);
}
END_TEST

START_TEST(test_gemm_packed_awkward_shapes_match_reference_and_splits)
{
    const mote_act relu = {MOTE_ACT_RELU, 0, 0}, none = {MOTE_ACT_NONE, 0, 0};
    const int64_t ms[] = {9, 15, 17}, ns[] = {1, 12, 13, 31}, ks[] = {1, 16, 300};
    uint32_t seed = 50;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t l = 0; l < 3; l++, seed += 3)
                check_gemm_packed(ms[i], ns[j], ks[l], (int)(seed % 2), (int)(seed % 3),
                                  seed % 2 ? relu : none, seed);
}
END_TEST

START_TEST(test_dot_matches_reference)
{
    for (int s = 0; s < NSIZES; s++) {
        int64_t n = sizes[s] * 3;
        float *a = fvec(n, 21 + (uint32_t)s, -1, 1), *b = fvec(n, 22 + (uint32_t)s, -1, 1);
        float got = K.dot_f32(n, a, b), want = mote_dot_f32_ref(n, a, b);
        ck_assert_msg(fabsf(got - want) <= gemm_tol(n), "dot n=%lld: %g vs %g",
                      (long long)n, (double)got, (double)want);
        free(a); free(b);
    }
}
END_TEST

/* ----------------------------------------------------------- convolution */

static mote_conv2d_args conv_shape(int64_t C, int64_t H, int64_t W, int64_t k, int64_t s,
                                   int64_t p, int64_t d, int64_t groups, int64_t OC)
{
    mote_conv2d_args a;
    memset(&a, 0, sizeof a);
    a.C = C; a.H = H; a.W = W; a.OC = OC; a.KH = k; a.KW = k;
    a.sh = s; a.sw = s; a.ph = p; a.pw = p; a.dh = d; a.dw = d; a.groups = groups;
    a.OH = (H + 2 * p - d * (k - 1) - 1) / s + 1;
    a.OW = (W + 2 * p - d * (k - 1) - 1) / s + 1;
    a.oc0 = 0; a.oc1 = OC;
    return a;
}

START_TEST(test_depthwise3x3_matches_reference_and_channel_splits)
{
    const int64_t hw[][2] = {{1, 1}, {3, 3}, {7, 5}, {8, 17}, {16, 16}, {13, 33}};
    const mote_act acts[] = {{MOTE_ACT_NONE, 0, 0}, {MOTE_ACT_CLIP, 0, 6}, {MOTE_ACT_SIGMOID, 0, 0}};
    uint32_t seed = 70;
    for (size_t i = 0; i < 6; i++)
        for (int64_t s = 1; s <= 3; s++)
            for (int64_t p = 0; p <= 2; p++, seed++) {
                int64_t C = 5, H = hw[i][0], W = hw[i][1];
                if (H + 2 * p < 3 || W + 2 * p < 3) continue;
                mote_conv2d_args a = conv_shape(C, H, W, 3, s, p, 1, C, C);
                float *x = fvec(C * H * W, seed, -1, 1), *w = fvec(C * 9, seed + 1, -1, 1);
                float *b = fvec(C, seed + 2, -1, 1);
                int64_t ny = C * a.OH * a.OW;
                float *r = fvec(ny, 1, 0, 0), *y = fvec(ny, 1, 0, 0), *z = fvec(ny, 1, 0, 0);
                a.x = x; a.w = w; a.bias = seed % 2 ? b : NULL; a.act = acts[seed % 3];
                a.y = r; mote_conv2d_dw3x3_f32_ref(&a);
                a.y = y; K.conv2d_dw3x3_f32(&a);
                ck_near(y, r, ny, 2e-6f, 1e-5f, "depthwise 3x3");
                a.y = z;
                a.oc0 = 0; a.oc1 = 2; K.conv2d_dw3x3_f32(&a);
                a.oc0 = 2; a.oc1 = C; K.conv2d_dw3x3_f32(&a);
                ck_same(z, y, ny, "depthwise 3x3, channels split");
                free(x); free(w); free(b); free(r); free(y); free(z);
            }
}
END_TEST

START_TEST(test_im2col_matches_reference_exactly)
{
    const int64_t ks[] = {1, 3, 5}, hw[][2] = {{1, 1}, {5, 7}, {9, 16}, {17, 3}};
    uint32_t seed = 90;
    for (size_t ki = 0; ki < 3; ki++)
        for (size_t i = 0; i < 4; i++)
            for (int64_t s = 1; s <= 2; s++)
                for (int64_t d = 1; d <= 2; d++, seed++) {
                    int64_t k = ks[ki], p = (int64_t)(seed % 3), groups = 1 + (int64_t)(seed % 2);
                    int64_t C = 2 * groups, H = hw[i][0], W = hw[i][1];
                    if (H + 2 * p < d * (k - 1) + 1 || W + 2 * p < d * (k - 1) + 1) continue;
                    mote_conv2d_args a = conv_shape(C, H, W, k, s, p, d, groups, groups);
                    float *x = fvec(C * H * W, seed, -1, 1);
                    a.x = x;
                    int64_t n = (C / groups) * k * k * a.OH * a.OW;
                    float *r = fvec(n, 1, 0, 0), *y = fvec(n, 2, 0, 0);
                    for (int64_t g = 0; g < groups; g++) {
                        mote_im2col_f32_ref(&a, g, r);
                        K.im2col_f32(&a, g, y);
                        ck_same(y, r, n, "im2col");
                    }
                    free(x); free(r); free(y);
                }
}
END_TEST

/* --------------------------------------------------------------- pooling */

START_TEST(test_pooling_matches_reference_exactly)
{
    const int64_t hw[][2] = {{1, 1}, {4, 4}, {7, 9}, {16, 33}};
    uint32_t seed = 110;
    for (size_t i = 0; i < 4; i++)
        for (int64_t k = 1; k <= 3; k++)
            for (int64_t s = 1; s <= 3; s++)
                for (int64_t p = 0; p < k && p <= 1; p++, seed++) {
                    mote_pool2d_args a;
                    memset(&a, 0, sizeof a);
                    a.C = 3; a.H = hw[i][0]; a.W = hw[i][1]; a.KH = k; a.KW = k;
                    a.sh = s; a.sw = s; a.ph = p; a.pw = p; a.dh = 1; a.dw = 1;
                    a.ph_end = p; a.pw_end = p + (int64_t)(seed % 2);
                    if (a.H + 2 * p < k || a.W + 2 * p < k) continue;
                    a.OH = (a.H + 2 * p - k) / s + 1;
                    a.OW = (a.W + p + a.pw_end - k) / s + 1;
                    a.c0 = 0; a.c1 = a.C;
                    float *x = fvec(a.C * a.H * a.W, seed, -2, 2);
                    int64_t n = a.C * a.OH * a.OW;
                    float *r = fvec(n, 1, 0, 0), *y = fvec(n, 2, 0, 0);
                    a.x = x;
                    a.y = r; mote_maxpool2d_f32_ref(&a);
                    a.y = y; K.maxpool2d_f32(&a);
                    ck_same(y, r, n, "maxpool");
                    for (int cip = 0; cip < 2; cip++) {
                        a.count_include_pad = cip;
                        a.y = r; mote_avgpool2d_f32_ref(&a);
                        a.y = y; K.avgpool2d_f32(&a);
                        ck_same(y, r, n, "avgpool");
                    }
                    free(x); free(r); free(y);
                }
}
END_TEST

START_TEST(test_global_avgpool_matches_reference)
{
    for (int s = 0; s < NSIZES; s++) {
        int64_t C = 3, HW = sizes[s];
        float *x = fvec(C * HW, 130 + (uint32_t)s, -1, 1), r[3], y[3];
        mote_global_avgpool_f32_ref(C, HW, x, r);
        K.global_avgpool_f32(C, HW, x, y);
        ck_near(y, r, C, 1e-6f, 1e-5f, "global avgpool");
        free(x);
    }
}
END_TEST

START_TEST(test_global_maxpool_matches_reference)
{
    for (int s = 0; s < NSIZES; s++) {
        int64_t C = 3, HW = sizes[s];
        float *x = fvec(C * HW, 140 + (uint32_t)s, -1, 1), r[3], y[3];
        if (HW > 0) x[(HW * 5) / 7] = NAN;           /* never wins */
        for (int64_t i = 0; i < HW; i++) x[2 * HW + i] = NAN;  /* -inf */
        mote_global_maxpool_f32_ref(C, HW, x, r);
        K.global_maxpool_f32(C, HW, x, y);
        for (int c = 0; c < 3; c++)
            ck_assert_msg(y[c] == r[c], "global maxpool HW=%lld c=%d: %g vs %g", (long long)HW, c,
                          (double)y[c], (double)r[c]);
        ck_assert(isinf(y[2]) && y[2] < 0);
        free(x);
    }
}
END_TEST

/* ----------------------------------------------------------------- norms */

START_TEST(test_softmax_and_log_softmax_match_reference)
{
    for (int s = 0; s < NSIZES; s++)
        for (int lg = 0; lg < 2; lg++) {
            int64_t rows = 3, n = sizes[s];
            float *x = fvec(rows * n, 140 + (uint32_t)s, -20, 20);
            float *r = fvec(rows * n, 1, 0, 0), *y = fvec(rows * n, 1, 0, 0);
            mote_softmax_f32_ref(rows, n, x, r, lg);
            K.softmax_f32(rows, n, x, y, lg);
            ck_near(y, r, rows * n, lg ? 1e-5f : 1e-7f, 2e-6f, lg ? "log_softmax" : "softmax");
            free(x); free(r); free(y);
        }
}
END_TEST

START_TEST(test_layernorm_rmsnorm_affine_match_reference)
{
    for (int s = 0; s < NSIZES; s++) {
        int64_t rows = 2, n = sizes[s];
        float *x = fvec(rows * n, 150 + (uint32_t)s, -3, 5);
        float *g = fvec(n, 151, 0.5f, 1.5f), *b = fvec(n, 152, -1, 1);
        float *r = fvec(rows * n, 1, 0, 0), *y = fvec(rows * n, 1, 0, 0);
        for (int v = 0; v < 2; v++) {
            mote_layernorm_f32_ref(rows, n, x, v ? g : NULL, v ? b : NULL, 1e-5f, r);
            K.layernorm_f32(rows, n, x, v ? g : NULL, v ? b : NULL, 1e-5f, y);
            ck_near(y, r, rows * n, 2e-5f, 2e-5f, "layernorm");
            mote_rmsnorm_f32_ref(rows, n, x, v ? g : NULL, 1e-5f, r);
            K.rmsnorm_f32(rows, n, x, v ? g : NULL, 1e-5f, y);
            ck_near(y, r, rows * n, 1e-6f, 1e-5f, "rmsnorm");
        }
        /* channel affine: rows as channels, g and b as scale and shift */
        float sc[2] = {g[0], -0.5f}, sh[2] = {b[0], 2.0f};
        mote_channel_affine_f32_ref(rows, n, x, sc, sh, r);
        K.channel_affine_f32(rows, n, x, sc, sh, y);
        ck_same(y, r, rows * n, "channel affine");
        free(x); free(g); free(b); free(r); free(y);
    }
}
END_TEST

static Suite *neon_suite(void)
{
    Suite *s = suite_create("kernels_neon");
    TCase *t = tcase_create("neon_vs_ref");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_dispatch_chooses_neon_on_aarch64);
    tcase_add_test(t, test_neon_table_fills_its_entries);
    tcase_add_loop_test(t, test_unary_matches_reference_on_awkward_sizes, 0, NUNARY);
    tcase_add_loop_test(t, test_unary_value_does_not_depend_on_range, 0, NUNARY);
    tcase_add_test(t, test_approximations_handle_special_values);
    tcase_add_test(t, test_approximation_error_measured_over_sweep);
    tcase_add_test(t, test_binary_matches_reference_for_every_stride_pair);
    tcase_add_test(t, test_max_min_let_nan_lose_like_fmaxf);
    tcase_add_test(t, test_fused_activation_matches_reference);
    tcase_add_test(t, test_gemm_unpacked_matches_reference);
    tcase_add_test(t, test_gemm_packed_m1_to_8_matches_reference_and_splits);
    tcase_add_test(t, test_gemm_packed_awkward_shapes_match_reference_and_splits);
    tcase_add_test(t, test_dot_matches_reference);
    tcase_add_test(t, test_depthwise3x3_matches_reference_and_channel_splits);
    tcase_add_test(t, test_im2col_matches_reference_exactly);
    tcase_add_test(t, test_pooling_matches_reference_exactly);
    tcase_add_test(t, test_global_avgpool_matches_reference);
    tcase_add_test(t, test_global_maxpool_matches_reference);
    tcase_add_test(t, test_softmax_and_log_softmax_match_reference);
    tcase_add_test(t, test_layernorm_rmsnorm_affine_match_reference);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    printf("test_kernels_neon: table under test 'neon' against 'ref'\n");
    fflush(stdout);
    return mote_test_run(neon_suite());
}
