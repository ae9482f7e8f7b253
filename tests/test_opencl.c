/*
 * test_opencl.c — every OpenCL kernel of arch/opencl against its CPU
 * reference (kernels/) on awkward sizes, through the host functions of
 * src/runtime/opencl; the device choice; the program cache; bad input.
 *
 * The tests run without Check's fork (see main). The device is MOTE_DEVICE (opencl or opencl:P:D), else the first GPU,
 * else the first device. Without any OpenCL platform the program exits 77
 * (skipped): the OpenCL CI stage installs PoCL so that it always runs there.
 *
 * Tolerances: the device sums in a different order (tiles, tree
 * reductions) and may fuse multiply-adds, so results agree with the
 * reference to rounding: |d - r| <= 1e-5 * (sum of |terms|) + 1e-6 for
 * sums, a few ulps relative for transcendental functions.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ref.h"
#include "llm.h"
#include "runtime/device.h"
#include "runtime/opencl/opencl.h"
#include "runtime/session.h"
#include "testutil.h"
#include "opencl_calls.h"
#include "llm/llama.h"
#include "llm/llama2c.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"
#include "runtime/opencl/opencl_internal.h"

static mote_cl *dev(void)
{
    static mote_cl *cl;
    if (!cl) {
        mote_device_choice c;
        ck_assert_mote_ok(mote_device_parse(NULL, &c));
        ck_assert_mote_ok(mote_cl_open(c.kind == MOTE_DEVICE_OPENCL ? c.platform : -1,
                                       c.kind == MOTE_DEVICE_OPENCL ? c.device : -1, &cl));
    }
    return cl;
}

/* A device copy of host data, placed at a nonzero offset so that every
 * kernel's offset argument is exercised. */
#define PAD 5
static mote_cl_mem up(const float *x, int64_t n)
{
    cl_mem m;
    ck_assert_mote_ok(mote_cl_alloc(dev(), (size_t)(n + PAD) * sizeof(float), &m));
    mote_cl_mem r = {m, PAD};
    if (x) ck_assert_mote_ok(mote_cl_write(dev(), r, x, (size_t)n * sizeof(float)));
    return r;
}

static void down(mote_cl_mem m, float *y, int64_t n)
{
    ck_assert_mote_ok(mote_cl_read(dev(), m, y, (size_t)n * sizeof(float)));
}

static float *rnd(int64_t n, uint32_t seed, float lo, float hi)
{
    float *x = malloc((size_t)(n ? n : 1) * sizeof(float));
    mote_test_fill(x, n, seed, lo, hi);
    return x;
}

/* d close to r: within tol relative to scale (both NaN, or equal infinities, match) */
static void check_close(const float *d, const float *r, int64_t n, const float *scale, float tol,
                        const char *what)
{
    for (int64_t i = 0; i < n; i++) {
        if (isnan(r[i]) && isnan(d[i])) continue;
        if (isinf(r[i]) && d[i] == r[i]) continue;
        float s = scale ? scale[i] : fabsf(r[i]);
        ck_assert_msg(fabsf(d[i] - r[i]) <= tol * s + 1e-6f, "%s: element %lld is %.9g, reference %.9g",
                      what, (long long)i, (double)d[i], (double)r[i]);
    }
}

/* ------------------------------------------------------------- GEMM */

static void gemm_case(int64_t M, int64_t N, int64_t K, int ta, int tb, float alpha, float beta,
                      int bias_mode, mote_act_kind act, uint32_t seed)
{
    int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 1;
    int64_t na = (ta ? K : M) * lda, nb = (tb ? N : K) * ldb, nc = M * ldc;
    float *A = rnd(na, seed, -1, 1), *B = rnd(nb, seed + 1, -1, 1), *C = rnd(nc, seed + 2, -1, 1);
    float *bias = rnd(M > N ? M : N, seed + 3, -1, 1);
    float *Cr = malloc((size_t)nc * sizeof(float)), *Cd = malloc((size_t)nc * sizeof(float));
    float *scale = calloc((size_t)nc, sizeof(float));
    if (beta == 0.0f)
        for (int64_t i = 0; i < nc; i++) C[i] = NAN;   /* must not be read */
    memcpy(Cr, C, (size_t)nc * sizeof(float));
    mote_act a = {act, 0.1f, 0.5f};
    if (act == MOTE_ACT_CLIP) a = (mote_act){act, -0.5f, 0.5f};
    mote_gemm_args r = {M, N, K, A, lda, ta, B, ldb, tb, Cr, ldc, alpha, beta,
                        bias_mode ? bias : NULL, bias_mode == 2, a};
    mote_gemm_f32_ref(&r);
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = 0; n < N; n++) {
            float s = 1.0f;
            for (int64_t k = 0; k < K; k++)
                s += fabsf((ta ? A[k * lda + m] : A[m * lda + k]) * (tb ? B[n * ldb + k] : B[k * ldb + n]));
            scale[m * ldc + n] = s * (fabsf(alpha) + 1.0f) + fabsf(beta) * 2.0f;
        }
    mote_cl_mem dA = up(A, na), dB = up(B, nb), dC = up(C, nc), dbias = up(bias, M > N ? M : N);
    mote_cl_gemm_args g = {M, N, K, dA, lda, ta, dB, ldb, tb, dC, ldc, alpha, beta,
                           bias_mode ? dbias : (mote_cl_mem){NULL, 0}, bias_mode == 2, a};
    ck_assert_mote_ok(mote_cl_gemm(dev(), &g));
    down(dC, Cd, nc);
    /* the padding columns of C (n >= N) must be untouched */
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = N; n < ldc; n++) {
            int64_t i = m * ldc + n;
            ck_assert_msg((isnan(C[i]) && isnan(Cd[i])) || Cd[i] == C[i], "gemm wrote outside C");
            Cd[i] = Cr[i];
        }
    char what[128];
    snprintf(what, sizeof what, "gemm %lldx%lldx%lld ta=%d tb=%d act=%d", (long long)M, (long long)N,
             (long long)K, ta, tb, (int)act);
    check_close(Cd, Cr, nc, scale, 2e-6f, what);
    mote_cl_release(dA.mem);
    mote_cl_release(dB.mem);
    mote_cl_release(dC.mem);
    mote_cl_release(dbias.mem);
    free(A); free(B); free(C); free(bias); free(Cr); free(Cd); free(scale);
}

START_TEST(test_opencl_gemm_matches_reference_on_awkward_sizes)
{
    static const int64_t sizes[][3] = {
        {1, 1, 1}, {3, 7, 5}, {17, 33, 15}, {64, 64, 64}, {65, 31, 129}, {1, 255, 17},
        {255, 1, 33}, {31, 65, 1}, {128, 96, 200}, {7, 300, 70},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int t = 0; t < 4; t++)
            gemm_case(sizes[i][0], sizes[i][1], sizes[i][2], t & 1, t >> 1, 1.0f, 0.0f, 0,
                      MOTE_ACT_NONE, (uint32_t)(i * 4 + t));
}
END_TEST

START_TEST(test_opencl_gemm_alpha_beta_bias_and_every_activation)
{
    for (int act = 0; act < MOTE_ACT_COUNT; act++)
        gemm_case(19, 37, 23, act & 1, 0, act % 3 == 0 ? 1.0f : 0.75f, act % 2 ? 0.5f : 0.0f,
                  act % 3, (mote_act_kind)act, 100u + (uint32_t)act);
}
END_TEST

/* ------------------------------------------------------ convolution */

static void conv_case(int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t s,
                      int64_t p, int64_t d, int64_t groups, bool bias, mote_act_kind act, uint32_t seed)
{
    mote_conv2d_args a = {.C = C, .H = H, .W = W, .OC = OC, .KH = KH, .KW = KW, .sh = s, .sw = s,
                          .ph = p, .pw = p, .dh = d, .dw = d, .groups = groups};
    a.OH = (H + 2 * p - d * (KH - 1) - 1) / s + 1;
    a.OW = (W + 2 * p - d * (KW - 1) - 1) / s + 1;
    a.act = (mote_act){act, 0.1f, 0};
    int64_t nx = C * H * W, nw = OC * (C / groups) * KH * KW, ny = OC * a.OH * a.OW;
    float *x = rnd(nx, seed, -1, 1), *w = rnd(nw, seed + 1, -1, 1), *b = rnd(OC, seed + 2, -1, 1);
    float *yr = malloc((size_t)ny * sizeof(float)), *yd = malloc((size_t)ny * sizeof(float));
    float *scale = malloc((size_t)ny * sizeof(float));
    a.x = x; a.w = w; a.bias = bias ? b : NULL; a.y = yr; a.oc0 = 0; a.oc1 = OC;
    mote_conv2d_f32_ref(&a);
    for (int64_t i = 0; i < ny; i++) scale[i] = (float)((C / groups) * KH * KW) + 1.0f;
    mote_cl_mem dx = up(x, nx), dw = up(w, nw), db = up(b, OC), dy = up(NULL, ny);
    ck_assert_mote_ok(mote_cl_conv2d(dev(), &a, dx, dw, bias ? db : (mote_cl_mem){NULL, 0}, dy));
    down(dy, yd, ny);
    char what[160];
    snprintf(what, sizeof what, "conv C%lld %lldx%lld OC%lld k%lldx%lld s%lld p%lld d%lld g%lld",
             (long long)C, (long long)H, (long long)W, (long long)OC, (long long)KH, (long long)KW,
             (long long)s, (long long)p, (long long)d, (long long)groups);
    check_close(yd, yr, ny, scale, 1e-6f, what);
    mote_cl_release(dx.mem); mote_cl_release(dw.mem); mote_cl_release(db.mem); mote_cl_release(dy.mem);
    free(x); free(w); free(b); free(yr); free(yd); free(scale);
}

START_TEST(test_opencl_conv_implicit_gemm_depthwise_and_pointwise)
{
    conv_case(3, 17, 15, 8, 3, 3, 1, 1, 1, 1, true, MOTE_ACT_RELU, 1);      /* implicit GEMM    */
    conv_case(5, 9, 11, 7, 3, 3, 2, 1, 1, 1, false, MOTE_ACT_NONE, 2);     /* stride 2         */
    conv_case(4, 13, 13, 6, 3, 3, 1, 2, 2, 2, true, MOTE_ACT_NONE, 3);     /* dilated, grouped */
    conv_case(3, 31, 33, 65, 7, 7, 2, 3, 1, 1, true, MOTE_ACT_CLIP, 4);    /* a 7x7 stem       */
    conv_case(33, 7, 9, 17, 1, 1, 1, 0, 1, 1, true, MOTE_ACT_NONE, 5);     /* 1x1 as GEMM      */
    conv_case(16, 5, 5, 40, 1, 1, 2, 0, 1, 1, true, MOTE_ACT_NONE, 6);     /* 1x1, stride 2    */
    conv_case(8, 14, 15, 8, 3, 3, 1, 1, 1, 8, true, MOTE_ACT_RELU, 7);     /* depthwise 3x3    */
    conv_case(7, 15, 14, 7, 5, 5, 2, 2, 1, 7, false, MOTE_ACT_NONE, 8);    /* depthwise 5x5 s2 */
    conv_case(1, 1, 1, 1, 1, 1, 1, 0, 1, 1, true, MOTE_ACT_NONE, 9);       /* one value        */
}
END_TEST

/* ----------------------------------------------------------- pooling */

static void pool_case(bool is_max, int64_t C, int64_t H, int64_t W, int64_t K, int64_t s, int64_t p,
                      int64_t p_end, int include_pad, uint32_t seed)
{
    mote_pool2d_args a = {.C = C, .H = H, .W = W, .KH = K, .KW = K, .sh = s, .sw = s, .ph = p, .pw = p,
                          .dh = 1, .dw = 1, .count_include_pad = include_pad, .ph_end = p_end,
                          .pw_end = p_end};
    a.OH = (H + p + p_end - K) / s + 1;
    a.OW = (W + p + p_end - K) / s + 1;
    int64_t nx = C * H * W, ny = C * a.OH * a.OW;
    float *x = rnd(nx, seed, -3, 3), *yr = malloc((size_t)ny * 4), *yd = malloc((size_t)ny * 4);
    if (nx > 4) x[3] = NAN;   /* NaN never wins a max */
    a.x = x; a.y = yr; a.c0 = 0; a.c1 = C;
    (is_max ? mote_maxpool2d_f32_ref : mote_avgpool2d_f32_ref)(&a);
    mote_cl_mem dx = up(x, nx), dy = up(NULL, ny);
    ck_assert_mote_ok(mote_cl_pool2d(dev(), is_max, &a, dx, dy));
    down(dy, yd, ny);
    check_close(yd, yr, ny, NULL, 1e-6f, is_max ? "maxpool" : "avgpool");
    mote_cl_release(dx.mem); mote_cl_release(dy.mem);
    free(x); free(yr); free(yd);
}

START_TEST(test_opencl_pooling_matches_reference)
{
    pool_case(true, 3, 7, 9, 3, 2, 1, 1, 0, 1);
    pool_case(true, 5, 4, 4, 2, 2, 0, 0, 0, 2);
    pool_case(false, 3, 7, 9, 3, 2, 1, 1, 0, 3);
    pool_case(false, 3, 7, 9, 3, 2, 1, 1, 1, 4);
    pool_case(false, 2, 6, 6, 3, 2, 0, 1, 1, 5);   /* ceil mode: a window past the pads */
    /* windows far larger than the image: each work-item visits only the
     * taps inside it (a 2^20 x 2^20 window would otherwise loop 2^40 times) */
    pool_case(true, 2, 5, 5, 1 << 20, 1, (1 << 20) - 3, 0, 0, 6);
    pool_case(false, 2, 5, 5, 1 << 20, 1, (1 << 20) - 3, 0, 1, 7);
    pool_case(false, 2, 5, 5, 1 << 20, 1, (1 << 20) - 3, 0, 0, 8);
    static const int64_t shapes[][2] = {{1, 1}, {3, 49}, {17, 1}, {64, 300}};
    for (int i = 0; i < 4; i++)
        for (int mx = 0; mx < 2; mx++) {
            int64_t C = shapes[i][0], HW = shapes[i][1];
            float *x = rnd(C * HW, 10u + (uint32_t)i, -2, 2), yr[64], yd[64];
            (mx ? mote_global_maxpool_f32_ref : mote_global_avgpool_f32_ref)(C, HW, x, yr);
            mote_cl_mem dx = up(x, C * HW), dy = up(NULL, C);
            ck_assert_mote_ok(mote_cl_global_pool(dev(), mx, C, HW, dx, dy));
            down(dy, yd, C);
            check_close(yd, yr, C, NULL, 1e-6f, mx ? "global max pool" : "global average pool");
            mote_cl_release(dx.mem); mote_cl_release(dy.mem);
            free(x);
        }
}
END_TEST

/* ------------------------------------------------------- elementwise */

START_TEST(test_opencl_every_unary_op_matches_reference)
{
    int64_t n = 1001;
    float *x = rnd(n, 7, -6, 6), *yr = malloc((size_t)n * 4), *yd = malloc((size_t)n * 4);
    x[0] = 0.0f; x[1] = -0.0f; x[2] = 2.5f; x[3] = -1.5f; x[4] = INFINITY; x[5] = NAN; x[6] = 0.5f;
    mote_cl_mem dx = up(x, n), dy = up(NULL, n);
    for (int op = 0; op < MOTE_UN_COUNT; op++) {
        float alpha = op == MOTE_UN_CLIP ? -1.0f : op == MOTE_UN_SELU ? 1.6732632f : 0.2f;
        float beta = op == MOTE_UN_CLIP ? 2.0f : op == MOTE_UN_SELU ? 1.0507010f : 0.5f;
        mote_kernels_ref.general.unary_f32[op](n, x, yr, alpha, beta);
        ck_assert_mote_ok(mote_cl_unary(dev(), (mote_unary_op)op, n, dx, dy, alpha, beta));
        down(dy, yd, n);
        char what[32];
        snprintf(what, sizeof what, "unary op %d", op);
        check_close(yd, yr, n, NULL, 4e-6f, what);
    }
    mote_cl_release(dx.mem); mote_cl_release(dy.mem);
    free(x); free(yr); free(yd);
}
END_TEST

/* numpy strides of shape `s` broadcast to `out` (ndim each, right-aligned) */
static void bcast_strides(int ndim, const int64_t *out, const int64_t *s, int64_t *str)
{
    int64_t st = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        str[d] = s[d] == 1 && out[d] != 1 ? 0 : st;
        st *= s[d];
    }
}

START_TEST(test_opencl_binary_ops_broadcast_like_numpy)
{
    static const int64_t shapes[][3][4] = {
        {{2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 4, 5}},
        {{2, 3, 4, 5}, {1, 3, 1, 1}, {2, 3, 4, 5}},
        {{1, 1, 1, 1}, {2, 3, 4, 5}, {2, 3, 4, 5}},
        {{2, 1, 4, 1}, {1, 3, 1, 5}, {2, 3, 4, 5}},
        {{1, 1, 7, 1}, {1, 1, 1, 33}, {1, 1, 7, 33}},
    };
    for (size_t c = 0; c < sizeof shapes / sizeof *shapes; c++) {
        const int64_t *sa = shapes[c][0], *sb = shapes[c][1], *so = shapes[c][2];
        int64_t na = sa[0] * sa[1] * sa[2] * sa[3], nb = sb[0] * sb[1] * sb[2] * sb[3];
        int64_t ny = so[0] * so[1] * so[2] * so[3];
        int64_t stra[4], strb[4];
        bcast_strides(4, so, sa, stra);
        bcast_strides(4, so, sb, strb);
        float *a = rnd(na, 20u + (uint32_t)c, 0.1f, 3), *b = rnd(nb, 40u + (uint32_t)c, -2, 2);
        float *yr = malloc((size_t)ny * 4), *yd = malloc((size_t)ny * 4);
        mote_cl_mem da = up(a, na), db = up(b, nb), dy = up(NULL, ny);
        for (int op = 0; op < MOTE_BIN_COUNT; op++) {
            for (int64_t i = 0; i < ny; i++) {   /* the reference element by element */
                int64_t rest = i, ia = 0, ib = 0;
                for (int d = 3; d >= 0; d--) {
                    int64_t co = rest % so[d];
                    rest /= so[d];
                    ia += co * stra[d];
                    ib += co * strb[d];
                }
                mote_kernels_ref.general.binary_f32[op](1, a + ia, 0, b + ib, 0, yr + i);
            }
            ck_assert_mote_ok(mote_cl_binary(dev(), (mote_binary_op)op, 4, so, da, stra, db, strb, dy));
            down(dy, yd, ny);
            char what[48];
            snprintf(what, sizeof what, "binary op %d, case %zu", op, c);
            check_close(yd, yr, ny, NULL, 2e-6f, what);
        }
        mote_cl_release(da.mem); mote_cl_release(db.mem); mote_cl_release(dy.mem);
        free(a); free(b); free(yr); free(yd);
    }
}
END_TEST

START_TEST(test_opencl_channel_affine_matches_reference)
{
    int64_t C = 13, HW = 37;
    float *x = rnd(C * HW, 1, -2, 2), *sc = rnd(C, 2, -1, 1), *sh = rnd(C, 3, -1, 1);
    float *yr = malloc((size_t)(C * HW) * 4), *yd = malloc((size_t)(C * HW) * 4);
    mote_kernels_ref.general.channel_affine_f32(C, HW, x, sc, sh, yr);
    mote_cl_mem dx = up(x, C * HW), dsc = up(sc, C), dsh = up(sh, C), dy = up(NULL, C * HW);
    ck_assert_mote_ok(mote_cl_channel_affine(dev(), C, HW, dx, dsc, dsh, dy, (mote_act){MOTE_ACT_NONE, 0, 0}));
    down(dy, yd, C * HW);
    check_close(yd, yr, C * HW, NULL, 1e-6f, "channel affine");
    mote_cl_release(dx.mem); mote_cl_release(dsc.mem); mote_cl_release(dsh.mem); mote_cl_release(dy.mem);
    free(x); free(sc); free(sh); free(yr); free(yd);
}
END_TEST

/* -------------------------------------------------------------- rows */

START_TEST(test_opencl_softmax_layernorm_rmsnorm_match_reference)
{
    static const int64_t shapes[][2] = {{1, 1}, {3, 7}, {5, 33}, {2, 1000}, {17, 64}, {1, 4099}};
    for (int c = 0; c < 6; c++) {
        int64_t rows = shapes[c][0], n = shapes[c][1], t = rows * n;
        float *x = rnd(t, 60u + (uint32_t)c, -8, 8), *g = rnd(n, 70u + (uint32_t)c, -1, 1);
        float *b = rnd(n, 80u + (uint32_t)c, -1, 1);
        float *yr = malloc((size_t)t * 4), *yd = malloc((size_t)t * 4);
        mote_cl_mem dx = up(x, t), dg = up(g, n), db = up(b, n), dy = up(NULL, t);
        mote_cl_mem none = {NULL, 0};
        for (int lg = 0; lg < 2; lg++) {
            mote_softmax_f32_ref(rows, n, x, yr, lg);
            ck_assert_mote_ok(mote_cl_softmax(dev(), rows, n, dx, dy, lg));
            down(dy, yd, t);
            check_close(yd, yr, t, NULL, 1e-5f, lg ? "log_softmax" : "softmax");
        }
        for (int with = 0; with < 2; with++) {
            mote_layernorm_f32_ref(rows, n, x, with ? g : NULL, with ? b : NULL, 1e-5f, yr);
            ck_assert_mote_ok(mote_cl_layernorm(dev(), rows, n, dx, with ? dg : none, with ? db : none,
                                                1e-5f, dy));
            down(dy, yd, t);
            check_close(yd, yr, t, NULL, 2e-5f, "layernorm");
            mote_rmsnorm_f32_ref(rows, n, x, with ? g : NULL, 1e-6f, yr);
            ck_assert_mote_ok(mote_cl_rmsnorm(dev(), rows, n, dx, with ? dg : none, 1e-6f, dy));
            down(dy, yd, t);
            check_close(yd, yr, t, NULL, 2e-5f, "rmsnorm");
        }
        mote_cl_release(dx.mem); mote_cl_release(dg.mem); mote_cl_release(db.mem); mote_cl_release(dy.mem);
        free(x); free(g); free(b); free(yr); free(yd);
    }
}
END_TEST

/* --------------------------------------------------------------- LLM */

START_TEST(test_opencl_rope_and_attention_match_llm_reference)
{
    int64_t n_heads = 6, hs = 16, kv_heads = 2, kv_mul = n_heads / kv_heads, dim = n_heads * hs;
    for (int64_t pos = 0; pos < 300; pos += 37) {
        float *x = rnd(dim, 90u + (uint32_t)pos, -1, 1), *xr = malloc((size_t)dim * 4);
        memcpy(xr, x, (size_t)dim * 4);
        mote_kernels_ref.llm.rope_f32(n_heads, hs, pos, 10000.0f, xr);
        mote_cl_mem dx = up(x, dim);
        ck_assert_mote_ok(mote_cl_rope(dev(), n_heads, hs, pos, 10000.0f, dx));
        down(dx, x, dim);
        check_close(x, xr, dim, NULL, 2e-5f, "rope");
        mote_cl_release(dx.mem);
        free(x); free(xr);
    }
    static const int64_t lens[] = {1, 2, 17, 100, 257};
    for (int c = 0; c < 5; c++) {
        int64_t n = lens[c], ld = kv_heads * hs + 3;   /* rows of the cache, padded */
        float *q = rnd(dim, 1u + (uint32_t)c, -1, 1), *k = rnd(n * ld, 2u + (uint32_t)c, -1, 1);
        float *v = rnd(n * ld, 3u + (uint32_t)c, -1, 1);
        float *yr = malloc((size_t)dim * 4), *yd = malloc((size_t)dim * 4), *s = malloc((size_t)n * 4);
        float scale = 1.0f / sqrtf((float)hs);
        for (int64_t h = 0; h < n_heads; h++)
            mote_kernels_ref.llm.attend_f32(n, hs, q + h * hs, k + (h / kv_mul) * hs, v + (h / kv_mul) * hs,
                                            ld, scale, s, yr + h * hs);
        mote_cl_mem dq = up(q, dim), dk = up(k, n * ld), dv = up(v, n * ld), dy = up(NULL, dim);
        mote_cl_mem ds = up(NULL, n_heads * n);
        ck_assert_mote_ok(mote_cl_attend(dev(), n_heads, kv_mul, n, hs, scale, dq, dk, dv, ld, ds, n, dy));
        down(dy, yd, dim);
        check_close(yd, yr, dim, NULL, 1e-5f, "attention");
        mote_cl_release(dq.mem); mote_cl_release(dk.mem); mote_cl_release(dv.mem);
        mote_cl_release(dy.mem); mote_cl_release(ds.mem);
        free(q); free(k); free(v); free(yr); free(yd); free(s);
    }
}
END_TEST

/* ------------------------------------------------ devices and caching */

/* A position buffer: p as int32 (kind 1) or int64 (kind 2), 8 bytes in. */
static mote_cl_pos pos_buf(int kind, int64_t p)
{
    cl_mem m;
    ck_assert_mote_ok(mote_cl_alloc(dev(), 16, &m));
    mote_cl_pos r = {{m, 2}, kind};
    int32_t p32 = (int32_t)p;
    ck_assert_mote_ok(mote_cl_write(dev(), r.at, kind == 1 ? (const void *)&p32 : (const void *)&p,
                                    kind == 1 ? 4 : 8));
    return r;
}

/* LlmRope over rows, LlmAttention's cache store and attention, with the
 * position read on the device (int32 and int64), and SwiGLU, against the
 * llm references on awkward sizes: a prompt, then single tokens, then a
 * position past the cache (zeros). */
START_TEST(test_opencl_llm_rows_with_device_position_match_reference)
{
    /* rope: 3 rows of 5 heads of 6, at 41 + t, out of place */
    int64_t T = 3, nh = 5, hs = 6, w = nh * hs;
    for (int kind = 1; kind <= 2; kind++) {
        float *x = rnd(T * w, 7u + (uint32_t)kind, -1, 1), *yr = malloc((size_t)(T * w) * 4);
        float *yd = malloc((size_t)(T * w) * 4);
        memcpy(yr, x, (size_t)(T * w) * 4);
        for (int64_t t = 0; t < T; t++) mote_kernels_ref.llm.rope_f32(nh, hs, 41 + t, 500.0f, yr + t * w);
        mote_cl_pos p = pos_buf(kind, 40);
        mote_cl_mem dx = up(x, T * w), dy = up(NULL, T * w);
        ck_assert_mote_ok(mote_cl_rope_rows(dev(), T, nh, hs, &p, 1, 500.0f, dx, dy));
        down(dy, yd, T * w);
        check_close(yd, yr, T * w, NULL, 2e-5f, "rope rows");
        mote_cl_release(dx.mem); mote_cl_release(dy.mem); mote_cl_release(p.at.mem);
        free(x); free(yr); free(yd);
    }
    /* attention: 6 heads of 10 over 2 kv heads, a cache of 9 rows */
    int64_t H = 6, kvh = 2, d = 10, kvd = kvh * d, ms = 9, kv_mul = H / kvh;
    float scale = 1.0f / sqrtf((float)d);
    float *kc = calloc((size_t)(ms * kvd), 4), *vc = calloc((size_t)(ms * kvd), 4), *sc = malloc((size_t)ms * 4);
    mote_cl_mem dkc = up(NULL, ms * kvd), dvc = up(NULL, ms * kvd), ds = up(NULL, 4 * H * ms);
    static const int64_t steps[][2] = {{0, 4}, {4, 1}, {5, 3}, {8, 1}, {8, 2}};   /* (pos, T) */
    for (int c = 0; c < 5; c++) {
        int64_t p0 = steps[c][0], n = steps[c][1];
        float *q = rnd(n * H * d, 20u + (uint32_t)c, -1, 1), *k = rnd(n * kvd, 30u + (uint32_t)c, -1, 1);
        float *v = rnd(n * kvd, 40u + (uint32_t)c, -1, 1);
        float *yr = calloc((size_t)(n * H * d), 4), *yd = malloc((size_t)(n * H * d) * 4);
        bool fits = p0 + n <= ms;
        if (fits) {
            memcpy(kc + p0 * kvd, k, (size_t)(n * kvd) * 4);
            memcpy(vc + p0 * kvd, v, (size_t)(n * kvd) * 4);
            for (int64_t t = 0; t < n; t++)
                for (int64_t h = 0; h < H; h++)
                    mote_kernels_ref.llm.attend_f32(p0 + t + 1, d, q + (t * H + h) * d, kc + (h / kv_mul) * d,
                                                    vc + (h / kv_mul) * d, kvd, scale, sc, yr + (t * H + h) * d);
        }
        mote_cl_pos p = pos_buf(c % 2 ? 1 : 2, p0);
        mote_cl_mem dq = up(q, n * H * d), dk = up(k, n * kvd), dv = up(v, n * kvd), dy = up(NULL, n * H * d);
        ck_assert_mote_ok(mote_cl_kv_store(dev(), n, kvd, ms, &p, dk, dv, dkc, dvc));
        ck_assert_mote_ok(mote_cl_attention(dev(), n, H, kv_mul, d, ms, scale, &p, dq, dkc, dvc, ds, dy));
        down(dy, yd, n * H * d);
        check_close(yd, yr, n * H * d, NULL, 1e-5f, fits ? "attention rows" : "attention past the cache");
        mote_cl_release(dq.mem); mote_cl_release(dk.mem); mote_cl_release(dv.mem); mote_cl_release(dy.mem);
        mote_cl_release(p.at.mem);
        free(q); free(k); free(v); free(yr); free(yd);
    }
    mote_cl_release(dkc.mem); mote_cl_release(dvc.mem); mote_cl_release(ds.mem);
    free(kc); free(vc); free(sc);
    /* heads that do not share kv heads evenly are refused */
    mote_cl_pos p = pos_buf(2, 0);
    ck_assert_int_eq(mote_cl_attention(dev(), 1, 5, 2, d, ms, scale, &p, p.at, p.at, p.at, p.at, p.at), MOTE_ERR_ARG);
    mote_cl_release(p.at.mem);
    /* SwiGLU */
    int64_t n = 1001;
    float *a = rnd(n, 50, -6, 6), *b = rnd(n, 51, -2, 2), *yr = malloc((size_t)n * 4), *yd = malloc((size_t)n * 4);
    mote_kernels_ref.llm.swiglu_f32(n, a, b, yr);
    mote_cl_mem da = up(a, n), db = up(b, n), dy = up(NULL, n);
    ck_assert_mote_ok(mote_cl_swiglu(dev(), n, da, db, dy));
    down(dy, yd, n);
    check_close(yd, yr, n, NULL, 1e-5f, "swiglu");
    mote_cl_release(da.mem); mote_cl_release(db.mem); mote_cl_release(dy.mem);
    free(a); free(b); free(yr); free(yd);
}
END_TEST

START_TEST(test_device_choice_parses_and_rejects_clearly)
{
    mote_device_choice c;
    ck_assert_mote_ok(mote_device_parse("cpu", &c));
    ck_assert_int_eq(c.kind, MOTE_DEVICE_CPU);
    ck_assert_mote_ok(mote_device_parse("opencl", &c));
    ck_assert_int_eq(c.kind, MOTE_DEVICE_OPENCL);
    ck_assert_int_eq(c.platform, -1);
    ck_assert_mote_ok(mote_device_parse("opencl:1:2", &c));
    ck_assert_int_eq(c.platform, 1);
    ck_assert_int_eq(c.device, 2);
    const char *bad[] = {"gpu", "opencl:", "opencl:1", "opencl:1:", "opencl:a:b", "opencl:1:2:3", "openclx"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(mote_device_parse(bad[i], &c), MOTE_ERR_ARG);
        ck_assert_msg(strstr(mote_last_error(), bad[i]) != NULL, "message names '%s': %s", bad[i],
                      mote_last_error());
    }
    mote_cl *cl;
    ck_assert_int_eq(mote_cl_open(99, 0, &cl), MOTE_ERR_ARG);
    ck_assert_ptr_null(cl);
    ck_assert_msg(strstr(mote_last_error(), "platform 99") != NULL, "%s", mote_last_error());
}
END_TEST

START_TEST(test_program_cache_is_written_reused_and_survives_damage)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/clcache", mote_test_tmpdir());
    setenv("MOTE_CL_CACHE", dir, 1);
    mote_cl *a, *b, *c;
    const char *file, *note;
    ck_assert_mote_ok(mote_cl_open(-1, -1, &a));
    ck_assert_str_eq(mote_cl_program_origin(a, &file, &note), "built");
    ck_assert_msg(file[0] && access(file, R_OK) == 0, "no cache file: %s", note);
    char path[600];
    snprintf(path, sizeof path, "%s", file);
    ck_assert_mote_ok(mote_cl_open(-1, -1, &b));
    ck_assert_str_eq(mote_cl_program_origin(b, NULL, NULL), "cache");
    /* a damaged file is rebuilt from source, and the result still works */
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("not a program binary", f);
    fclose(f);
    ck_assert_mote_ok(mote_cl_open(-1, -1, &c));
    ck_assert_str_eq(mote_cl_program_origin(c, NULL, NULL), "built");
    float x[3] = {-1, 2, -3}, y[3];
    cl_mem m;
    ck_assert_mote_ok(mote_cl_alloc(c, sizeof x, &m));
    ck_assert_mote_ok(mote_cl_write(c, (mote_cl_mem){m, 0}, x, sizeof x));
    ck_assert_mote_ok(mote_cl_unary(c, MOTE_UN_RELU, 3, (mote_cl_mem){m, 0}, (mote_cl_mem){m, 0}, 0, 0));
    ck_assert_mote_ok(mote_cl_read(c, (mote_cl_mem){m, 0}, y, sizeof y));
    ck_assert(y[0] == 0 && y[1] == 2 && y[2] == 0);
    mote_cl_release(m);
    mote_cl_close(a);
    mote_cl_close(b);
    mote_cl_close(c);
    /* an unwritable cache directory is not an error */
    setenv("MOTE_CL_CACHE", "/proc/mote-no-such-dir", 1);
    ck_assert_mote_ok(mote_cl_open(-1, -1, &a));
    mote_cl_program_origin(a, &file, &note);
    ck_assert_str_eq(file, "");
    ck_assert_msg(strstr(note, "cannot write") != NULL, "note: %s", note);
    mote_cl_close(a);
    setenv("MOTE_CL_CACHE", "off", 1);
    ck_assert_mote_ok(mote_cl_open(-1, -1, &a));
    mote_cl_program_origin(a, &file, &note);
    ck_assert_str_eq(file, "");
    mote_cl_close(a);
}
END_TEST

START_TEST(test_bad_gemm_tile_setting_is_refused_with_a_message)
{
    const char *bad[] = {"64,64", "64,64,16,3,4", "99999,64,16,1,1", "a,b,c,d,e"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("MOTE_CL_GEMM", bad[i], 1);
        mote_cl *cl;
        ck_assert_int_eq(mote_cl_open(-1, -1, &cl), MOTE_ERR_ARG);
        ck_assert_msg(strstr(mote_last_error(), "MOTE_CL_GEMM") != NULL, "%s", mote_last_error());
    }
    /* a valid setting is used, and the GEMM is still right with it */
    setenv("MOTE_CL_GEMM", "16,32,8,2,4", 1);
    mote_cl *cl;
    ck_assert_mote_ok(mote_cl_open(-1, -1, &cl));
    const char *src;
    mote_cl_gemm_tile t = mote_cl_tile(cl, &src);
    ck_assert_str_eq(src, "env");
    ck_assert_int_eq(t.tsn, 32);
    int64_t M = 37, N = 45, K = 29;
    float *A = rnd(M * K, 1, -1, 1), *B = rnd(K * N, 2, -1, 1), *Cr = malloc((size_t)(M * N) * 4);
    float *Cd = malloc((size_t)(M * N) * 4);
    mote_gemm_args r = {M, N, K, A, K, 0, B, N, 0, Cr, N, 1.0f, 0.0f, NULL, 0, {MOTE_ACT_NONE, 0, 0}};
    mote_gemm_f32_ref(&r);
    cl_mem ma, mb, mc;
    ck_assert_mote_ok(mote_cl_alloc(cl, (size_t)(M * K) * 4, &ma));
    ck_assert_mote_ok(mote_cl_alloc(cl, (size_t)(K * N) * 4, &mb));
    ck_assert_mote_ok(mote_cl_alloc(cl, (size_t)(M * N) * 4, &mc));
    ck_assert_mote_ok(mote_cl_write(cl, (mote_cl_mem){ma, 0}, A, (size_t)(M * K) * 4));
    ck_assert_mote_ok(mote_cl_write(cl, (mote_cl_mem){mb, 0}, B, (size_t)(K * N) * 4));
    mote_cl_gemm_args g = {M, N, K, {ma, 0}, K, 0, {mb, 0}, N, 0, {mc, 0}, N, 1.0f, 0.0f,
                           {NULL, 0}, 0, {MOTE_ACT_NONE, 0, 0}};
    ck_assert_mote_ok(mote_cl_gemm(cl, &g));
    ck_assert_mote_ok(mote_cl_read(cl, (mote_cl_mem){mc, 0}, Cd, (size_t)(M * N) * 4));
    check_close(Cd, Cr, M * N, NULL, 1e-4f, "gemm with the MOTE_CL_GEMM tile");
    mote_cl_release(ma); mote_cl_release(mb); mote_cl_release(mc);
    mote_cl_close(cl);
    free(A); free(B); free(Cr); free(Cd);
    unsetenv("MOTE_CL_GEMM");
}
END_TEST

/* ---------------------------------------------------------- sessions */

static int argmax(const float *x, int n)
{
    int b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

static mote_session *session_on(const mote_model *m, const char *device)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.device = device;
    o.threads = 1;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    return s;
}

START_TEST(test_bundled_model_on_device_gives_same_predictions_and_logits)
{
    mote_model *m;
    ck_assert_mote_ok(mote_model_open(mote_test_src_path("models/fashion/fashion.mote"), &m));
    mote_session *cpu = session_on(m, "cpu"), *dev = session_on(m, "opencl");
    /* the convolutions, pools, Relus, Gemms and the unfolded
     * BatchNormalization (constant statistics) on the device */
    int on_dev = 0;
    for (int t = 0; t < dev->n_steps; t++) {
        const char *where = mote_session_step_device(dev, t);
        const char *op = dev->steps[t].node->op;
        if (strcmp(op, "Conv") == 0 || strcmp(op, "Gemm") == 0 || strcmp(op, "MaxPool") == 0)
            ck_assert_msg(strcmp(where, "opencl") == 0, "%s ran on %s", op, where);
        if (strcmp(op, "BatchNormalization") == 0) ck_assert_str_eq(where, "opencl");
        on_dev += strcmp(where, "opencl") == 0;
    }
    ck_assert_int_ge(on_dev, 8);
    mote_device_stats ds = mote_session_device_stats(dev);
    ck_assert_uint_gt(ds.up_bytes, 0);
    ck_assert_uint_gt(ds.down_bytes, 0);
    ck_assert_uint_gt(ds.weight_bytes, 0);
    ck_assert_int_eq(mote_session_device_stats(cpu).n_device_steps, 0);
    float img[28 * 28];
    for (int r = 0; r < 8; r++) {
        mote_test_fill(img, 28 * 28, 500u + (uint32_t)r, 0, 1);
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 1, 28, 28}, .data = img};
        ck_assert_mote_ok(mote_session_run(cpu, &in, 1));
        ck_assert_mote_ok(mote_session_run(dev, &in, 1));
        mote_tensor a, b;
        ck_assert_mote_ok(mote_session_output(cpu, 0, &a));
        ck_assert_mote_ok(mote_session_output(dev, 0, &b));
        ck_assert_int_eq(argmax(a.data, 10), argmax(b.data, 10));
        float d = mote_test_maxdiff(a.data, b.data, 10);
        ck_assert_msg(d <= 1e-4f, "logits differ by %g", (double)d);
    }
    mote_session_free(cpu);
    mote_session_free(dev);
    mote_model_close(m);
}
END_TEST

/* MatMul -> Transpose (no OpenCL kernel: the CPU) -> Add -> Softmax */
START_TEST(test_cpu_fallback_in_the_middle_inserts_transfers)
{
    mote_graph *g = mote_graph_new();
    int64_t dx[2] = {5, 7}, dw[2] = {7, 5}, db[1] = {5};
    float w[35], bias[5];
    mote_test_fill(w, 35, 1, -1, 1);
    mote_test_fill(bias, 5, 2, -1, 1);
    int x = mote_graph_input(g, "x", MOTE_F32, 2, dx);
    int wi = mote_graph_weight(g, "w", MOTE_F32, 2, dw, w);
    int bi = mote_graph_weight(g, "b", MOTE_F32, 1, db, bias);
    int mm, tr, add, sm;
    mote_graph_node(g, "MatMul", "mm", 2, (int[]){x, wi}, 1, NULL, &mm);
    mote_graph_node(g, "Transpose", "tr", 1, (int[]){mm}, 1, NULL, &tr);
    mote_graph_node(g, "Add", "add", 2, (int[]){tr, bi}, 1, NULL, &add);
    int n = mote_graph_node(g, "Softmax", "sm", 1, (int[]){add}, 1, NULL, &sm);
    ck_assert_mote_ok(mote_graph_attr_int(g, n, "axis", -1));
    ck_assert_mote_ok(mote_graph_output(g, sm));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_session *cpu = session_on(m, "cpu"), *dev = session_on(m, NULL);
    setenv("MOTE_DEVICE", "opencl", 1);
    mote_session_free(dev);
    dev = session_on(m, NULL);   /* MOTE_DEVICE chooses when the option is NULL */
    const char *want[] = {"opencl", "cpu", "opencl", "opencl"};
    for (int t = 0; t < 4; t++) ck_assert_str_eq(mote_session_step_device(dev, t), want[t]);
    mote_device_stats ds = mote_session_device_stats(dev);
    /* x up; mm down for the Transpose; tr up for the Add; the output down */
    ck_assert_uint_eq(ds.up_bytes, 2 * 35 * sizeof(float) - 10 * sizeof(float));
    ck_assert_uint_eq(ds.down_bytes, 2 * 25 * sizeof(float));
    float xv[35];
    for (int r = 0; r < 3; r++) {
        mote_test_fill(xv, 35, 10u + (uint32_t)r, -2, 2);
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {5, 7}, .data = xv};
        ck_assert_mote_ok(mote_session_run(cpu, &in, 1));
        ck_assert_mote_ok(mote_session_run(dev, &in, 1));
        mote_tensor a, b;
        ck_assert_mote_ok(mote_session_output(cpu, 0, &a));
        ck_assert_mote_ok(mote_session_output(dev, 0, &b));
        ck_assert_msg(mote_test_maxdiff(a.data, b.data, 25) <= 1e-5f, "outputs differ");
    }
    mote_session_free(cpu);
    mote_session_free(dev);
    mote_model_close(m);
}
END_TEST

/* Runs a model on the CPU and the device for one input and compares. */
static void same_on_both(const mote_model *m, const mote_tensor *in, int64_t n_out, float tol, const char *what)
{
    mote_session *cpu = session_on(m, "cpu"), *dev = session_on(m, "opencl");
    for (int t = 0; t < dev->n_steps; t++)
        ck_assert_msg(strcmp(mote_session_step_device(dev, t), "opencl") == 0, "%s: step %d (%s) ran on %s",
                      what, t, dev->steps[t].node->op, mote_session_step_device(dev, t));
    ck_assert_mote_ok(mote_session_run(cpu, in, 1));
    ck_assert_mote_ok(mote_session_run(dev, in, 1));
    mote_tensor a, b;
    ck_assert_mote_ok(mote_session_output(cpu, 0, &a));
    ck_assert_mote_ok(mote_session_output(dev, 0, &b));
    float d = mote_test_maxdiff(a.data, b.data, n_out);
    ck_assert_msg(d <= tol, "%s: device and CPU differ by %g", what, (double)d);
    mote_session_free(cpu);
    mote_session_free(dev);
}

/* LayerNormalization, BatchNormalization, Clip (bounds as inputs and as
 * attributes), Max, Min, a 1-D convolution, PRelu and the unary ops with
 * parameters run on the device, with the CPU's results. */
START_TEST(test_norms_clip_max_min_and_conv1d_are_placed_on_the_device)
{
    /* x [2,3,5,7] -> BatchNormalization -> Clip(-0.5, 0.8) -> Max(x) -> Min(c)
     *   -> LayerNormalization over the last axis */
    mote_graph *g = mote_graph_new();
    int64_t dx[4] = {2, 3, 5, 7}, dc[1] = {3}, d1[1] = {1}, dl[1] = {7}, dm[4] = {1, 3, 1, 7};
    float sc[3], bi[3], mu[3], var[3] = {0.5f, 1.5f, 2.0f}, lo = -0.5f, hi = 0.8f, lg[7], lb[7], mc[21];
    mote_test_fill(sc, 3, 1, 0.5f, 1.5f);
    mote_test_fill(bi, 3, 2, -0.5f, 0.5f);
    mote_test_fill(mu, 3, 3, -0.3f, 0.3f);
    mote_test_fill(lg, 7, 4, 0.5f, 1.5f);
    mote_test_fill(lb, 7, 5, -0.2f, 0.2f);
    mote_test_fill(mc, 21, 6, -0.6f, 0.6f);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, dx);
    int vs = mote_graph_weight(g, "sc", MOTE_F32, 1, dc, sc), vb = mote_graph_weight(g, "bi", MOTE_F32, 1, dc, bi);
    int vm = mote_graph_weight(g, "mu", MOTE_F32, 1, dc, mu), vv = mote_graph_weight(g, "var", MOTE_F32, 1, dc, var);
    int vlo = mote_graph_weight(g, "lo", MOTE_F32, 0, d1, &lo), vhi = mote_graph_weight(g, "hi", MOTE_F32, 0, d1, &hi);
    int vg = mote_graph_weight(g, "lg", MOTE_F32, 1, dl, lg), vlb = mote_graph_weight(g, "lb", MOTE_F32, 1, dl, lb);
    int vmc = mote_graph_weight(g, "mc", MOTE_F32, 4, dm, mc);
    int bn, cl1, mx, mn, ln;
    mote_graph_node(g, "BatchNormalization", "bn", 5, (int[]){x, vs, vb, vm, vv}, 1, NULL, &bn);
    mote_graph_node(g, "Clip", "clip", 3, (int[]){bn, vlo, vhi}, 1, NULL, &cl1);
    mote_graph_node(g, "Max", "max", 2, (int[]){cl1, x}, 1, NULL, &mx);
    mote_graph_node(g, "Min", "min", 2, (int[]){mx, vmc}, 1, NULL, &mn);
    int n = mote_graph_node(g, "LayerNormalization", "ln", 3, (int[]){mn, vg, vlb}, 1, NULL, &ln);
    ck_assert_mote_ok(mote_graph_attr_int(g, n, "axis", -1));
    ck_assert_mote_ok(mote_graph_output(g, ln));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    float xv[2 * 3 * 5 * 7];
    mote_test_fill(xv, 210, 7, -2, 2);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {2, 3, 5, 7}, .data = xv};
    same_on_both(m, &in, 210, 1e-5f, "norms, clip, max, min");
    mote_model_close(m);

    /* Clip with attribute bounds (before opset 11), then a 1-D convolution
     * (padding, stride 2, dilation 2, bias) */
    g = mote_graph_new();
    int64_t dx1[3] = {2, 4, 19}, dw1[3] = {5, 4, 3}, db1[1] = {5};
    float w1[60], b1[5];
    mote_test_fill(w1, 60, 8, -0.5f, 0.5f);
    mote_test_fill(b1, 5, 9, -0.5f, 0.5f);
    x = mote_graph_input(g, "x", MOTE_F32, 3, dx1);
    int vw = mote_graph_weight(g, "w", MOTE_F32, 3, dw1, w1), vbb = mote_graph_weight(g, "b", MOTE_F32, 1, db1, b1);
    int c0, cv;
    n = mote_graph_node(g, "Clip", "clip", 1, &x, 1, NULL, &c0);
    ck_assert_mote_ok(mote_graph_attr_float(g, n, "min", -1.0f));
    ck_assert_mote_ok(mote_graph_attr_float(g, n, "max", 1.5f));
    n = mote_graph_node(g, "Conv", "conv", 3, (int[]){c0, vw, vbb}, 1, NULL, &cv);
    ck_assert_mote_ok(mote_graph_attr_ints(g, n, "pads", 2, (int64_t[]){2, 1}));
    ck_assert_mote_ok(mote_graph_attr_ints(g, n, "strides", 1, (int64_t[]){2}));
    ck_assert_mote_ok(mote_graph_attr_ints(g, n, "dilations", 1, (int64_t[]){2}));
    ck_assert_mote_ok(mote_graph_output(g, cv));
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    float x1[2 * 4 * 19];
    mote_test_fill(x1, 152, 10, -2, 2);
    mote_tensor in1 = {.dtype = MOTE_F32, .ndim = 3, .dims = {2, 4, 19}, .data = x1};
    /* output length: (19 + 3 - 5) / 2 + 1 = 9 */
    same_on_both(m, &in1, 2 * 5 * 9, 1e-5f, "clip, conv1d");
    mote_model_close(m);

    /* the unary ops with parameters, both Gelus, PRelu with a slope per
     * channel broadcast the numpy way: x [2,3,4,5] */
    g = mote_graph_new();
    int64_t dxu[4] = {2, 3, 4, 5}, dsl[3] = {3, 1, 1};
    float slope[3] = {0.1f, -0.3f, 0.7f};
    x = mote_graph_input(g, "x", MOTE_F32, 4, dxu);
    int vsl = mote_graph_weight(g, "slope", MOTE_F32, 3, dsl, slope);
    int u1, u2, u3, u4, u5, u6;
    mote_graph_node(g, "PRelu", "prelu", 2, (int[]){x, vsl}, 1, NULL, &u1);
    n = mote_graph_node(g, "Elu", "elu", 1, &u1, 1, NULL, &u2);
    ck_assert_mote_ok(mote_graph_attr_float(g, n, "alpha", 0.7f));
    n = mote_graph_node(g, "Gelu", "gelu", 1, &u2, 1, NULL, &u3);
    ck_assert_mote_ok(mote_graph_attr_string(g, n, "approximate", "tanh"));
    mote_graph_node(g, "Gelu", "gelu2", 1, &u3, 1, NULL, &u4);
    n = mote_graph_node(g, "HardSigmoid", "hs", 1, &u4, 1, NULL, &u5);
    ck_assert_mote_ok(mote_graph_attr_float(g, n, "alpha", 0.3f));
    n = mote_graph_node(g, "Selu", "selu", 1, &u5, 1, NULL, &u6);
    ck_assert_mote_ok(mote_graph_attr_float(g, n, "gamma", 1.2f));
    ck_assert_mote_ok(mote_graph_output(g, u6));
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    float xu[120];
    mote_test_fill(xu, 120, 11, -3, 3);
    mote_tensor inu = {.dtype = MOTE_F32, .ndim = 4, .dims = {2, 3, 4, 5}, .data = xu};
    same_on_both(m, &inu, 120, 1e-5f, "prelu, elu, gelus, hardsigmoid, selu");
    mote_model_close(m);
}
END_TEST

/* The model's weights go to the device once: a second session and a
 * reshape upload none and build no program; each placement makes only its
 * arena's mirror. */
START_TEST(test_weights_are_uploaded_once_per_model_and_device)
{
    /* x [batch, 16] -> MatMul(W [16, 8]) -> Add(b) -> Relu -> Gemm(W2, c) */
    mote_graph *g = mote_graph_new();
    int64_t dx[2] = {-1, 16}, dw[2] = {16, 8}, db[1] = {8}, dw2[2] = {8, 4}, dc[1] = {4};
    float w[128], bias[8], w2[32], c2[4];
    mote_test_fill(w, 128, 1, -0.5f, 0.5f);
    mote_test_fill(bias, 8, 2, -0.5f, 0.5f);
    mote_test_fill(w2, 32, 3, -0.5f, 0.5f);
    mote_test_fill(c2, 4, 4, -0.5f, 0.5f);
    int x = mote_graph_input(g, "x", MOTE_F32, 2, dx);
    int vw = mote_graph_weight(g, "w", MOTE_F32, 2, dw, w), vb = mote_graph_weight(g, "b", MOTE_F32, 1, db, bias);
    int vw2 = mote_graph_weight(g, "w2", MOTE_F32, 2, dw2, w2), vc = mote_graph_weight(g, "c", MOTE_F32, 1, dc, c2);
    int mm, add, relu, y;
    mote_graph_node(g, "MatMul", "mm", 2, (int[]){x, vw}, 1, NULL, &mm);
    mote_graph_node(g, "Add", "add", 2, (int[]){mm, vb}, 1, NULL, &add);
    mote_graph_node(g, "Relu", "relu", 1, &add, 1, NULL, &relu);
    mote_graph_node(g, "Gemm", "gemm", 3, (int[]){relu, vw2, vc}, 1, NULL, &y);
    ck_assert_mote_ok(mote_graph_output(g, y));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_tensor s3 = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 16}}, s5 = {.dtype = MOTE_F32, .ndim = 2, .dims = {5, 16}};
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.input_shapes = &s3;
    o.n_input_shapes = 1;
    o.device = "opencl";
    mote_session *a = NULL, *b = NULL, *cpu = NULL;
    mote_test_cl_reset();
    ck_assert_mote_ok(mote_session_new(m, &o, &a));
    ck_assert_int_eq(mote_session_device_stats(a).n_device_steps, 4);
    /* the weights, each once (the device's program too: built or loaded) */
    ck_assert_int_eq(atomic_load(&mote_test_cl.writes), 4);
    ck_assert_int_eq(atomic_load(&mote_test_cl.buffers), 2);   /* the weights' and the arena's */
    ck_assert_int_ge(atomic_load(&mote_test_cl.programs), 1);
    ck_assert_int_eq(atomic_load(&mote_test_cl.kernels), MOTE_CL_K_COUNT + 4);
    mote_test_cl_reset();
    ck_assert_mote_ok(mote_session_new(m, &o, &b));
    ck_assert_int_eq(atomic_load(&mote_test_cl.writes), 0);
    ck_assert_int_eq(atomic_load(&mote_test_cl.buffers), 1);   /* its arena's */
    ck_assert_int_eq(atomic_load(&mote_test_cl.programs), 0);
    ck_assert_int_eq(atomic_load(&mote_test_cl.kernels), 4);   /* its launches */
    ck_assert_uint_eq(mote_session_device_stats(a).weight_bytes, mote_session_device_stats(b).weight_bytes);
    /* a reshape places again on the new plan, with the same weights */
    mote_test_cl_reset();
    ck_assert_mote_ok(mote_session_reshape(b, &s5, 1));
    ck_assert_int_eq(atomic_load(&mote_test_cl.writes), 0);
    ck_assert_int_eq(atomic_load(&mote_test_cl.buffers), 1);
    ck_assert_int_eq(atomic_load(&mote_test_cl.programs), 0);
    /* and all compute the CPU's numbers */
    o.device = "cpu";
    o.input_shapes = &s5;
    ck_assert_mote_ok(mote_session_new(m, &o, &cpu));
    float xv[5 * 16];
    mote_test_fill(xv, 80, 77, -1, 1);
    mote_tensor in5 = {.dtype = MOTE_F32, .ndim = 2, .dims = {5, 16}, .data = xv};
    mote_tensor in3 = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 16}, .data = xv};
    ck_assert_mote_ok(mote_session_run(cpu, &in5, 1));
    ck_assert_mote_ok(mote_session_run(b, &in5, 1));
    ck_assert_mote_ok(mote_session_run(a, &in3, 1));
    mote_tensor oc, ob, oa;
    ck_assert_mote_ok(mote_session_output(cpu, 0, &oc));
    ck_assert_mote_ok(mote_session_output(b, 0, &ob));
    ck_assert_mote_ok(mote_session_output(a, 0, &oa));
    ck_assert_float_le(mote_test_maxdiff(oc.data, ob.data, 20), 1e-5f);
    ck_assert_float_le(mote_test_maxdiff(oc.data, oa.data, 12), 1e-5f);
    mote_session_free(a);
    /* the model's copy outlives a session: b still runs */
    ck_assert_mote_ok(mote_session_run(b, &in5, 1));
    ck_assert_mote_ok(mote_session_output(b, 0, &ob));
    ck_assert_float_le(mote_test_maxdiff(oc.data, ob.data, 20), 1e-5f);
    mote_session_free(b);
    mote_session_free(cpu);
    mote_model_close(m);
}
END_TEST

/* stories260K's greedy text from "Zoo", 60 positions as llama2.c counts
 * them (tests/test_llama.c checks it on every CPU table) */
static const char *STORIES_ZOO =
    "Zoo was a little girl named Lily. She loved to play outside in the park. One day, "
    "she saw a big, red ball. She wanted to play with it, but she didn't want to play with";

/* stories260K (f32) on the device: every step but the embedding lookup
 * there (RMS norms, linear layers with their residuals, RoPE, attention
 * with its key/value cache, SwiGLU, the classifier's last row), and the
 * exact greedy text; a prompt, then one token at a time (a reshape keeps
 * the cache), then a reset and the same text again. */
START_TEST(test_stories260k_decoder_runs_on_the_device_with_exact_text)
{
    const char *dir = mote_test_dir("MOTE_SHARED_MODELS");
    if (!dir) {
        fprintf(stderr, "skipped: MOTE_SHARED_MODELS is unset or absent (needs stories260K.bin)\n");
        return;
    }
    char ck[1024], tk[1024];
    snprintf(ck, sizeof ck, "%s/stories260K.bin", dir);
    snprintf(tk, sizeof tk, "%s/tok512.bin", dir);
    mote_graph *g;
    mote_llama2c_info info;
    ck_assert_mote_ok(mote_llama2c_import(ck, tk, &g, &info));
    mote_llama_hparams hp = {info.dim, info.hidden_dim, info.n_layers, info.n_heads, info.n_kv_heads,
                             info.vocab_size, info.max_seq, info.shared_classifier, info.rope_theta,
                             info.norm_eps, "f32"};
    ck_assert_mote_ok(mote_llama_build_graph(g, &hp));
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_tokenizer *tok;
    ck_assert_mote_ok(mote_tokenizer_from_model(m, &tok));
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.device = "opencl";
    mote_llama *L;
    ck_assert_mote_ok(mote_llama_new(m, &o, &L));
    for (int round = 0; round < 2; round++) {
        int ids[16], n;
        ck_assert_mote_ok(mote_tokenizer_encode(tok, "Zoo", 1, 0, ids, 16, &n));
        const float *logits;
        ck_assert_mote_ok(mote_llama_forward(L, ids, n, &logits));
        char text[4096] = "Zoo";
        size_t len_all = 3;
        int prev = ids[n - 1], V = tok->n_vocab;
        for (int pos = n - 1; pos < 60; pos++) {
            int next = mote_argmax(V, logits);
            size_t len;
            const char *piece = mote_tokenizer_decode(tok, prev, next, &len);
            ck_assert_uint_lt(len_all + len, sizeof text);
            memcpy(text + len_all, piece, len);
            len_all += len;
            ck_assert_mote_ok(mote_llama_forward(L, &next, 1, &logits));
            prev = next;
        }
        text[len_all] = 0;
        ck_assert_msg(strcmp(text, STORIES_ZOO) == 0, "round %d: got \"%s\"", round, text);
        const mote_session *s = mote_llama_session(L);
        int n_attn = 0;
        for (int t = 0; t < s->n_steps; t++) {
            const char *op = s->steps[t].node->op, *where = mote_session_step_device(s, t);
            if (strcmp(op, "LlmEmbedding") == 0) continue;
            ck_assert_msg(strcmp(where, "cpu") != 0, "step %d (%s) ran on the CPU", t, op);
            n_attn += strcmp(op, "LlmAttention") == 0;
        }
        ck_assert_int_eq(n_attn, info.n_layers);
        ck_assert_mote_ok(mote_llama_reset(L));
    }
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    mote_model_close(m);
}
END_TEST

START_TEST(test_session_device_choice_errors_are_clear)
{
    mote_model *m;
    ck_assert_mote_ok(mote_model_open(mote_test_src_path("models/fashion/fashion.mote"), &m));
    mote_session_options o;
    mote_session_options_init(&o);
    mote_session *s = NULL;
    o.device = "gpu";
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(mote_last_error(), "'gpu'") != NULL, "%s", mote_last_error());
    o.device = "opencl:7:0";
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(mote_last_error(), "platform 7") != NULL, "%s", mote_last_error());
    mote_model_close(m);
}
END_TEST

int main(void)
{
    /* OpenCL runtimes keep threads that a fork() does not carry over, so the
     * tests run in this process (the device is opened once, by the first). */
    setenv("CK_FORK", "no", 1);
    mote_cl_desc d[4];
    int n = 0;
    if (mote_cl_list(d, 4, &n) != MOTE_OK || n == 0) {
        printf("no OpenCL device (%s): skipped\n", n == 0 ? "no platform" : mote_last_error());
        return 77;
    }
    /* one program cache for the whole run (each test is a forked process),
     * in the build tree, not the user's */
    char cache[512];
    const char *bd = getenv("MOTE_BUILDDIR");
    snprintf(cache, sizeof cache, "%s/tests/opencl-cache", bd && *bd ? bd : ".");
    setenv("MOTE_CL_CACHE", cache, 0);
    Suite *s = suite_create("opencl");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_opencl_gemm_matches_reference_on_awkward_sizes);
    tcase_add_test(tc, test_opencl_gemm_alpha_beta_bias_and_every_activation);
    tcase_add_test(tc, test_opencl_conv_implicit_gemm_depthwise_and_pointwise);
    tcase_add_test(tc, test_opencl_pooling_matches_reference);
    tcase_add_test(tc, test_opencl_every_unary_op_matches_reference);
    tcase_add_test(tc, test_opencl_binary_ops_broadcast_like_numpy);
    tcase_add_test(tc, test_opencl_channel_affine_matches_reference);
    tcase_add_test(tc, test_opencl_softmax_layernorm_rmsnorm_match_reference);
    tcase_add_test(tc, test_opencl_rope_and_attention_match_llm_reference);
    tcase_add_test(tc, test_opencl_llm_rows_with_device_position_match_reference);
    tcase_add_test(tc, test_device_choice_parses_and_rejects_clearly);
    tcase_add_test(tc, test_program_cache_is_written_reused_and_survives_damage);
    tcase_add_test(tc, test_bad_gemm_tile_setting_is_refused_with_a_message);
    tcase_add_test(tc, test_bundled_model_on_device_gives_same_predictions_and_logits);
    tcase_add_test(tc, test_cpu_fallback_in_the_middle_inserts_transfers);
    tcase_add_test(tc, test_session_device_choice_errors_are_clear);
    tcase_add_test(tc, test_norms_clip_max_min_and_conv1d_are_placed_on_the_device);
    tcase_add_test(tc, test_weights_are_uploaded_once_per_model_and_device);
    tcase_add_test(tc, test_stories260k_decoder_runs_on_the_device_with_exact_text);
    suite_add_tcase(s, tc);
    return mote_test_run(s);
}
