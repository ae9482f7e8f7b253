/*
 * test_ops_conv.c — Conv, MaxPool, AveragePool and GlobalAveragePool run
 * end to end on hand-computed cases; each Conv algorithm against the
 * direct one; shape inference errors; and a small CNN that must give the
 * same bits with 1, 2 and 3 threads.
 */
#include "test_ops_util.h"
#include "runtime/shape_fold.h"
#include "runtime/cpu.h"
#include "graph/internal.h"
#include "ops/conv_split.h"
#include "ref.h"

#define TOL 1e-5f

static const float X9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

/* ------------------------------------------------------------------- Conv */

/* Conv of x (dims xd) by w (dims wd), optional bias; attributes set by the caller via setup. */
typedef void (*attr_fn)(mote_graph *g, int node);

static mote_tensor conv_run(op1 *t, int nx, const int64_t *xd, const float *x,
                            const int64_t *wd, const float *w, const float *bias,
                            attr_fn setup, int threads)
{
    op1_init(t);
    op1_input(t, MOTE_F32, nx, xd, x);
    op1_weight(t, MOTE_F32, nx, wd, w);
    if (bias) op1_weight(t, MOTE_F32, 1, D(wd[0]), bias);
    int n = op1_node(t, "Conv", 1);
    if (setup) setup(t->g, n);
    ck_assert_mote_ok(op1_run(t, threads));
    return op1_out(t, 0);
}

static void pads1(mote_graph *g, int n) { mote_graph_attr_ints(g, n, "pads", 4, D(1, 1, 1, 1)); }
static void pads1_s2(mote_graph *g, int n)
{
    pads1(g, n);
    mote_graph_attr_ints(g, n, "strides", 2, D(2, 2));
}
static void dil2(mote_graph *g, int n) { mote_graph_attr_ints(g, n, "dilations", 2, D(2, 2)); }
static void group2_relu(mote_graph *g, int n)
{
    mote_graph_attr_int(g, n, "group", 2);
    mote_graph_attr_string(g, n, "_act", "Relu");
}
static void same_upper(mote_graph *g, int n) { mote_graph_attr_string(g, n, "auto_pad", "SAME_UPPER"); }
static void same_lower(mote_graph *g, int n) { mote_graph_attr_string(g, n, "auto_pad", "SAME_LOWER"); }
static void valid(mote_graph *g, int n) { mote_graph_attr_string(g, n, "auto_pad", "VALID"); }
static void same_upper_s2(mote_graph *g, int n)
{
    same_upper(g, n);
    mote_graph_attr_ints(g, n, "strides", 2, D(2, 2));
}
static void pads1_1d(mote_graph *g, int n) { mote_graph_attr_ints(g, n, "pads", 2, D(1, 1)); }

START_TEST(test_conv_hand_cases)
{
    static const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    op1 t;
    mote_tensor y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 2, 2), ones, NULL, NULL, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(12, 16, 24, 28), 4, TOL);
    op1_free(&t);
    /* 3x3 ones, pad 1, stride 2, bias 0.5 */
    y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 3, 3), ones, F(0.5f), pads1_s2, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(12.5f, 16.5f, 24.5f, 28.5f), 4, TOL);
    op1_free(&t);
    /* dilation 2 reaches the corners */
    y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 2, 2), F(1, 10, 100, 1000), NULL, dil2, 1);
    expect_shape(&y, 4, D(1, 1, 1, 1));
    expect_f32(&y, F(1 + 30 + 700 + 9000), 1, TOL);
    op1_free(&t);
    /* two groups of two channels, bias, fused Relu */
    y = conv_run(&t, 4, D(1, 4, 1, 1), F(1, 2, 3, 4), D(2, 2, 1, 1), F(1, 10, 100, 1000),
                 F(-1000, 0.5f), group2_relu, 1);
    expect_shape(&y, 4, D(1, 2, 1, 1));
    expect_f32(&y, F(0, 4300.5f), 2, TOL);
    op1_free(&t);
    /* batch of two */
    float x2[18];
    for (int i = 0; i < 9; i++) { x2[i] = X9[i]; x2[9 + i] = -X9[i]; }
    y = conv_run(&t, 4, D(2, 1, 3, 3), x2, D(1, 1, 2, 2), ones, NULL, NULL, 2);
    expect_shape(&y, 4, D(2, 1, 2, 2));
    expect_f32(&y, F(12, 16, 24, 28, -12, -16, -24, -28), 8, TOL);
    op1_free(&t);
    /* 1-D: y[i] = x[i-1] - x[i+1] */
    y = conv_run(&t, 3, D(1, 1, 5), F(1, 2, 3, 4, 5), D(1, 1, 3), F(1, 0, -1), NULL, pads1_1d, 1);
    expect_shape(&y, 3, D(1, 1, 5));
    expect_f32(&y, F(-2, -2, -2, -2, 4), 5, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_conv_auto_pad)
{
    static const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    op1 t;
    /* SAME_UPPER, 2x2: the one pad row/col goes at the end */
    mote_tensor y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 2, 2), ones, NULL, same_upper, 1);
    expect_shape(&y, 4, D(1, 1, 3, 3));
    expect_f32(&y, F(12, 16, 9, 24, 28, 15, 15, 17, 9), 9, TOL);
    op1_free(&t);
    /* SAME_LOWER: at the beginning */
    y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 2, 2), ones, NULL, same_lower, 1);
    expect_shape(&y, 4, D(1, 1, 3, 3));
    expect_f32(&y, F(1, 3, 5, 5, 12, 16, 11, 24, 28), 9, TOL);
    op1_free(&t);
    y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 2, 2), ones, NULL, valid, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(12, 16, 24, 28), 4, TOL);
    op1_free(&t);
    /* SAME_UPPER stride 2, 3x3: out ceil(3/2) = 2, pads 1 and 1 */
    y = conv_run(&t, 4, D(1, 1, 3, 3), X9, D(1, 1, 3, 3), ones, NULL, same_upper_s2, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(12, 16, 24, 28), 4, TOL);
    op1_free(&t);
}
END_TEST

/* Runs the same conv with _conv_algo = algo and = ref (NULL: "direct") on
 * 2 threads; compares to within tol (0: the same bits). */
static void compare_algos_d(const char *algo, const char *ref, float tol, const int64_t *xd,
                            const int64_t *wd, int64_t group, int64_t stride, int64_t pad,
                            int64_t dil);

static void compare_algos(const char *algo, const char *ref, float tol, const int64_t *xd,
                          const int64_t *wd, int64_t group, int64_t stride, int64_t pad)
{
    compare_algos_d(algo, ref, tol, xd, wd, group, stride, pad, 1);
}

/* compare_algos with dilation dil on both axes */
static void compare_algos_d(const char *algo, const char *ref, float tol, const int64_t *xd,
                            const int64_t *wd, int64_t group, int64_t stride, int64_t pad,
                            int64_t dil)
{
    int64_t nx = xd[0] * xd[1] * xd[2] * xd[3], nw = wd[0] * wd[1] * wd[2] * wd[3];
    float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
    float bias[512];
    ck_assert_int_le(wd[0], 512);
    mote_test_fill(x, nx, 11, -1, 1);
    mote_test_fill(w, nw, 12, -1, 1);
    mote_test_fill(bias, 512, 13, -1, 1);
    float *res[2] = {NULL, NULL};
    int64_t ny = 0;
    for (int r = 0; r < 2; r++) {
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 4, xd, x);
        op1_weight(&t, MOTE_F32, 4, wd, w);
        op1_weight(&t, MOTE_F32, 1, D(wd[0]), bias);
        int n = op1_node(&t, "Conv", 1);
        mote_graph_attr_int(t.g, n, "group", group);
        mote_graph_attr_ints(t.g, n, "strides", 2, D(stride, stride));
        mote_graph_attr_ints(t.g, n, "pads", 4, D(pad, pad, pad, pad));
        if (dil != 1) mote_graph_attr_ints(t.g, n, "dilations", 2, D(dil, dil));
        mote_graph_attr_string(t.g, n, "_act", "LeakyRelu");
        if (r == 0 && algo) mote_graph_attr_string(t.g, n, "_conv_algo", algo);
        if (r == 1) mote_graph_attr_string(t.g, n, "_conv_algo", ref ? ref : "direct");
        ck_assert_mote_ok(op1_run(&t, 2));
        mote_tensor y = op1_out(&t, 0);
        ny = mote_tensor_numel(&y);
        res[r] = malloc(sizeof(float) * (size_t)ny);
        memcpy(res[r], y.data, sizeof(float) * (size_t)ny);
        op1_free(&t);
    }
    if (tol > 0) {
        float d = mote_test_maxdiff(res[0], res[1], ny);
        ck_assert_msg(d < tol, "%s differs from %s by %g", algo ? algo : "auto", ref ? ref : "direct",
                      (double)d);
    } else {
        ck_assert_msg(memcmp(res[0], res[1], sizeof(float) * (size_t)ny) == 0, "%s and %s differ",
                      algo ? algo : "auto", ref ? ref : "direct");
    }
    free(res[0]); free(res[1]); free(x); free(w);
}

static void compare_algo(const char *algo, const int64_t *xd, const int64_t *wd, int64_t group,
                         int64_t stride, int64_t pad)
{
    compare_algos(algo, NULL, 1e-4f, xd, wd, group, stride, pad);
}

START_TEST(test_conv_algorithms_match_direct)
{
    compare_algo("im2col", D(2, 8, 9, 7), D(16, 8, 3, 3), 1, 1, 1);
    compare_algo("im2col", D(2, 8, 9, 7), D(16, 8, 3, 3), 1, 2, 1);
    compare_algo("im2col", D(1, 8, 9, 7), D(16, 4, 3, 3), 2, 1, 0);
    compare_algo("gemm1x1", D(2, 8, 9, 7), D(16, 8, 1, 1), 1, 1, 0);
    compare_algo("dw3x3", D(2, 8, 9, 7), D(8, 1, 3, 3), 8, 1, 1);
    compare_algo("dw3x3", D(2, 8, 9, 7), D(8, 1, 3, 3), 8, 2, 1);
    compare_algo("dw", D(2, 8, 9, 7), D(8, 1, 5, 5), 8, 1, 2);
    compare_algo("dw", D(2, 8, 19, 23), D(8, 1, 5, 5), 8, 2, 2);
    compare_algo("dw", D(1, 4, 9, 9), D(4, 1, 7, 7), 4, 1, 3);
    compare_algo(NULL, D(1, 8, 9, 7), D(16, 8, 3, 3), 1, 1, 1);   /* automatic choice */
    /* by input channel: an RGB and an RGBA first layer, and any one group */
    compare_algo("im2col_c", D(2, 3, 9, 7), D(16, 3, 3, 3), 1, 1, 1);
    compare_algo("im2col_c", D(1, 4, 19, 23), D(32, 4, 3, 3), 1, 2, 1);
    compare_algo("im2col_c", D(1, 8, 9, 7), D(16, 8, 3, 3), 1, 1, 1);
    /* the automatic choice for 2 to 4 channels: the same bits */
    compare_algos(NULL, "im2col_c", 0, D(1, 4, 19, 23), D(32, 4, 3, 3), 1, 2, 1);
    compare_algos(NULL, "im2col_c", 0, D(2, 3, 9, 7), D(16, 3, 5, 5), 1, 1, 2);
    /* by input channel in one pass ("chan"): against the direct
     * convolution, the same bits as the GEMMs per channel, and (where the
     * table has its own kernel) the automatic choice for first layers */
    compare_algo("chan", D(2, 3, 9, 7), D(16, 3, 3, 3), 1, 1, 1);
    compare_algo("chan", D(1, 8, 9, 7), D(5, 8, 3, 3), 1, 2, 0);   /* any one group */
    const mote_kernels *k = NULL;
    ck_assert_mote_ok(mote_cpu_kernels(NULL, &k));
    /* the bits match where both run fused multiply-adds in tap order: a
     * table's own chan kernel and its GEMM (the reference GEMM rounds
     * each product) */
    float ctol = k->general.conv2d_chan_f32 != mote_conv2d_chan_f32_ref ? 0 : 1e-5f;
    compare_algos("chan", "im2col_c", ctol, D(1, 4, 19, 23), D(32, 4, 3, 3), 1, 2, 1);
    compare_algos("chan", "im2col_c", ctol, D(1, 3, 37, 45), D(20, 3, 7, 7), 1, 2, 3);
    compare_algos("chan", "im2col_c", ctol, D(2, 3, 9, 7), D(16, 3, 5, 5), 1, 1, 2);
    compare_algos(NULL, "chan", ctol, D(1, 3, 37, 45), D(20, 3, 7, 7), 1, 2, 3);
}
END_TEST

/* Dilated 3x3 as Winograd over the d x d sub-lattices (conv_winograd.h):
 * against direct, batches of 2, dilations 2, 3 and 5 (M-LSD's), pads a
 * multiple of d; the automatic choice takes it (the same bits as forced);
 * a shape the lattice does not tile is refused when forced. */
START_TEST(test_conv_dilated_winograd)
{
    compare_algos_d("winograd", NULL, 1e-3f, D(2, 16, 12, 10), D(20, 16, 3, 3), 1, 1, 2, 2);
    compare_algos_d("winograd", NULL, 1e-3f, D(1, 17, 9, 15), D(16, 17, 3, 3), 1, 1, 3, 3);
    compare_algos_d("winograd", NULL, 1e-3f, D(1, 16, 20, 20), D(16, 16, 3, 3), 1, 1, 0, 5);
    compare_algos_d(NULL, NULL, 1e-3f, D(1, 16, 20, 20), D(16, 16, 3, 3), 1, 1, 5, 5);
    compare_algos_d(NULL, "winograd", 0, D(1, 16, 80, 80), D(24, 16, 3, 3), 1, 1, 5, 5);
    compare_algos_d("im2col", NULL, 1e-4f, D(1, 16, 20, 20), D(16, 16, 3, 3), 1, 1, 5, 5);
    /* 13 rows are not a multiple of 2: no lattice */
    op1 t; op1_init(&t);
    static float x[16 * 13 * 12], w[16 * 16 * 9];
    op1_input(&t, MOTE_F32, 4, D(1, 16, 13, 12), x);
    op1_weight(&t, MOTE_F32, 4, D(16, 16, 3, 3), w);
    int n = op1_node(&t, "Conv", 1);
    mote_graph_attr_ints(t.g, n, "pads", 4, D(2, 2, 2, 2));
    mote_graph_attr_ints(t.g, n, "dilations", 2, D(2, 2));
    mote_graph_attr_string(t.g, n, "_conv_algo", "winograd");
    ck_assert_int_eq(op1_run(&t, 1), MOTE_ERR_UNSUPPORTED);
    op1_free(&t);
}
END_TEST

/* The transposed GEMM (pixels as rows): against direct, and the same bits
 * as the untransposed GEMM (the same sums in the same order). */
START_TEST(test_conv_transposed_gemm)
{
    /* 63 and 20 pixels: full and partial 14-row micro-panels; 16 and 40
     * output channels: full and partial 32-wide panels; K past one block */
    compare_algo("im2col_t", D(2, 8, 9, 7), D(16, 8, 3, 3), 1, 1, 1);
    compare_algo("im2col_t", D(2, 8, 9, 7), D(40, 8, 3, 3), 1, 2, 1);
    compare_algo("im2col_t", D(1, 130, 6, 5), D(33, 130, 3, 3), 1, 1, 1);
    compare_algo("gemm1x1_t", D(2, 8, 9, 7), D(16, 8, 1, 1), 1, 1, 0);
    compare_algo("gemm1x1_t", D(1, 24, 4, 4), D(64, 24, 1, 1), 1, 1, 0);
    compare_algos("im2col_t", "im2col_n", 0, D(2, 8, 9, 7), D(40, 8, 3, 3), 1, 1, 1);
    compare_algos("im2col_t", "im2col_n", 0, D(1, 130, 6, 5), D(33, 130, 3, 3), 1, 1, 1);
    compare_algos("gemm1x1_t", "gemm1x1_n", 0, D(1, 24, 4, 4), D(64, 24, 1, 1), 1, 1, 0);
    /* the automatic choice takes it for these few pixels: same bits */
    compare_algos(NULL, "im2col_n", 0, D(1, 130, 12, 10), D(33, 130, 3, 3), 1, 2, 1);
    /* and for 1 to 3 pixels of a deep window (Silero VAD's 1-D layers),
     * which the direct kernel took before: against direct, and the same
     * bits as the forced transposed GEMM */
    compare_algo(NULL, D(1, 64, 3, 3), D(32, 64, 3, 3), 1, 1, 0);
    compare_algo(NULL, D(1, 40, 3, 4), D(24, 40, 3, 3), 1, 1, 0);
    compare_algo(NULL, D(2, 1, 5, 40), D(30, 1, 5, 16), 1, 16, 0);
    compare_algo(NULL, D(1, 33, 5, 4), D(20, 33, 3, 3), 1, 2, 0);
    compare_algos(NULL, "im2col_t", 0, D(1, 64, 3, 3), D(32, 64, 3, 3), 1, 1, 0);
    compare_algos(NULL, "im2col_t", 0, D(2, 1, 5, 40), D(30, 1, 5, 16), 1, 16, 0);
    compare_algos(NULL, "im2col_t", 0, D(1, 33, 5, 4), D(20, 33, 3, 3), 1, 2, 0);
    /* 1 to 8 pixels transposed: the pixels laid out as rows first, for
     * the packed GEMM's few-row path (read transposed, the plan packed W
     * again on every run); the automatic choice takes them, with the same
     * bits as the untransposed GEMM and as forcing it */
    compare_algos(NULL, "im2col_n", 0, D(1, 64, 2, 3), D(128, 64, 3, 3), 1, 1, 1);
    compare_algos(NULL, "im2col_t", 0, D(1, 64, 2, 3), D(128, 64, 3, 3), 1, 1, 1);
    compare_algos(NULL, "im2col_n", 0, D(1, 48, 2, 2), D(40, 48, 3, 3), 1, 1, 1);
    compare_algos(NULL, "gemm1x1_n", 0, D(1, 96, 2, 4), D(50, 96, 1, 1), 1, 1, 0);
    compare_algos("gemm1x1_t", "gemm1x1_n", 0, D(1, 2, 2, 2), D(4, 2, 1, 1), 1, 1, 0);
    compare_algos("im2col_t", "im2col_n", 0, D(2, 8, 1, 7), D(33, 8, 1, 3), 1, 1, 0);
    compare_algo(NULL, D(1, 64, 2, 3), D(128, 64, 3, 3), 1, 1, 1);
}
END_TEST

/* One 3x3 stride-1 conv with bias, pad, _conv_algo = algo, on `threads`
 * threads; the output in a new buffer. */
static float *conv3x3_run(const char *algo, const float *x, const int64_t *xd, const float *w,
                          const int64_t *wd, const float *bias, int64_t pad, int threads, int64_t *ny)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 4, xd, (void *)x);
    op1_weight(&t, MOTE_F32, 4, wd, (void *)w);
    op1_weight(&t, MOTE_F32, 1, D(wd[0]), (void *)bias);
    int n = op1_node(&t, "Conv", 1);
    mote_graph_attr_ints(t.g, n, "pads", 4, D(pad, pad, pad, pad));
    mote_graph_attr_string(t.g, n, "_conv_algo", algo);
    ck_assert_mote_ok(op1_run(&t, threads));
    mote_tensor y = op1_out(&t, 0);
    *ny = mote_tensor_numel(&y);
    float *r = malloc(sizeof(float) * (size_t)*ny);
    memcpy(r, y.data, sizeof(float) * (size_t)*ny);
    op1_free(&t);
    return r;
}

/* The transposed 1x1 conv whose GEMM reads the input in place (few output
 * channels, many pixels: MobileNetV2's projections): the same bits as the
 * untransposed GEMM, on 1, 2 and 3 threads; pixels a multiple of the
 * AVX-512 tile's 14 rows and not, a K past one K block, one image and two */
START_TEST(test_conv_1x1_transposed_in_place_same_bits)
{
    const int64_t shapes[][5] = {
        /* N, C, H, W, OC */
        { 1, 384, 14, 14, 64 }, { 1, 96, 13, 15, 24 }, { 2, 200, 14, 14, 33 },
        { 1, 1100, 10, 10, 17 }, { 1, 576, 14, 14, 96 }, { 1, 64, 9, 11, 160 },
    };
    for (int s = 0; s < 6; s++) {
        const int64_t *h = shapes[s];
        int64_t xd[4] = { h[0], h[1], h[2], h[3] }, wd[4] = { h[4], h[1], 1, 1 };
        int64_t nx = xd[0] * xd[1] * xd[2] * xd[3], nw = wd[0] * wd[1];
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float bias[160];
        mote_test_fill(x, nx, 21, -1, 1);
        mote_test_fill(w, nw, 22, -1, 1);
        mote_test_fill(bias, 160, 23, -1, 1);
        int64_t ny0, ny;
        float *y0 = conv3x3_run("gemm1x1_n", x, xd, w, wd, bias, 0, 1, &ny0);
        for (int threads = 1; threads <= 3; threads++) {
            float *y = conv3x3_run("gemm1x1_t", x, xd, w, wd, bias, 0, threads, &ny);
            ck_assert_int_eq(ny, ny0);
            ck_assert_msg(!memcmp(y, y0, sizeof(float) * (size_t)ny), "%lldx%lld -> %lld at %lldx%lld, "
                          "%d threads: transposed and not differ", (long long)h[0], (long long)h[1],
                          (long long)h[4], (long long)h[2], (long long)h[3], threads);
            free(y);
        }
        free(y0); free(x); free(w);
    }
}
END_TEST

/* 1x1 convs whose GEMM splits over the threads by rows where columns
 * would leave one thread more tiles (gemm_plan.c's split_cost: 14x14 =
 * 7 column panels; a 7x7 image transposed, 49 rows against 5 panels):
 * the same bits on 1, 2 and 3 threads, transposed or not */
START_TEST(test_conv_1x1_split_same_bits_any_threads)
{
    const int64_t shapes[][5] = {
        /* N, C, H, W, OC */
        { 1, 96, 14, 14, 576 }, { 1, 960, 7, 7, 160 }, { 1, 160, 7, 7, 960 },
        { 1, 40, 5, 9, 70 }, { 2, 24, 7, 7, 100 },
    };
    const char *algos[] = { "gemm1x1_n", "gemm1x1_t" };
    for (int s = 0; s < 5; s++) {
        const int64_t *h = shapes[s];
        int64_t xd[4] = { h[0], h[1], h[2], h[3] }, wd[4] = { h[4], h[1], 1, 1 };
        int64_t nx = xd[0] * xd[1] * xd[2] * xd[3], nw = wd[0] * wd[1];
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float *bias = malloc(sizeof(float) * (size_t)h[4]);
        mote_test_fill(x, nx, 31, -1, 1);
        mote_test_fill(w, nw, 32, -1, 1);
        mote_test_fill(bias, h[4], 33, -1, 1);
        int64_t ny0, ny;
        float *y0 = conv3x3_run("gemm1x1_n", x, xd, w, wd, bias, 0, 1, &ny0);
        for (int a = 0; a < 2; a++)
            for (int threads = 1; threads <= 3; threads++) {
                float *y = conv3x3_run(algos[a], x, xd, w, wd, bias, 0, threads, &ny);
                ck_assert_int_eq(ny, ny0);
                ck_assert_msg(!memcmp(y, y0, sizeof(float) * (size_t)ny), "%lld -> %lld at %lldx%lld, %s, "
                              "%d threads: not the bits of one thread", (long long)h[1], (long long)h[4],
                              (long long)h[2], (long long)h[3], algos[a], threads);
                free(y);
            }
        free(y0); free(x); free(w); free(bias);
    }
}
END_TEST

/* The first call keeps a copy of y's data (*y0, *n0 elements); every
 * later one checks y against it, bit for bit. */
static void same_bits_as_first(float **y0, int64_t *n0, const mote_tensor *y, const char *what, int threads)
{
    int64_t ny = mote_tensor_numel(y);
    if (!*y0) {
        *n0 = ny;
        *y0 = malloc(sizeof(float) * (size_t)ny);
        ck_assert_ptr_nonnull(*y0);
        memcpy(*y0, y->data, sizeof(float) * (size_t)ny);
        return;
    }
    ck_assert_int_eq(ny, *n0);
    ck_assert_msg(!memcmp(y->data, *y0, sizeof(float) * (size_t)ny), "%s, %d threads: not the bits of one thread",
                  what, threads);
}

/* A 1x1 conv (C -> OC on H x W, ReLU6) feeding a depthwise 3x3 conv
 * (stride s, pad 1), whose output is the model's; with a second reader
 * of the 1x1's output when `fork`, and the depthwise conv's algorithm
 * forced when algo is not NULL. The graph, and the nodes' ids. */
static mote_graph *expand_dw_graph(int64_t C, int64_t OC, int64_t H, int64_t W, int64_t s, int64_t dil,
                                   int64_t group, int fork, const char *algo, int *n1, int *n2)
{
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    int64_t n1w = OC * C, n2w = OC * (OC / group) * 9;
    float *w1 = malloc(sizeof(float) * (size_t)n1w), *w2 = malloc(sizeof(float) * (size_t)n2w);
    mote_test_fill(w1, n1w, 51, -0.5f, 0.5f);
    mote_test_fill(w2, n2w, 52, -0.5f, 0.5f);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, D(1, C, H, W));
    int wa = mote_graph_weight(g, "w1", MOTE_F32, 4, D(OC, C, 1, 1), w1);
    int wb = mote_graph_weight(g, "w2", MOTE_F32, 4, D(OC, OC / group, 3, 3), w2);
    free(w1); free(w2);
    int y1, y2, y3;
    *n1 = mote_graph_node(g, "Conv", "expand", 2, (int[]){ x, wa }, 1, NULL, &y1);
    ck_assert_int_ge(*n1, 0);
    ck_assert_mote_ok(mote_graph_attr_string(g, *n1, "_act", "Clip"));
    ck_assert_mote_ok(mote_graph_attr_float(g, *n1, "_act_alpha", 0));
    ck_assert_mote_ok(mote_graph_attr_float(g, *n1, "_act_beta", 6));
    *n2 = mote_graph_node(g, "Conv", "dw", 2, (int[]){ y1, wb }, 1, NULL, &y2);
    ck_assert_int_ge(*n2, 0);
    ck_assert_mote_ok(mote_graph_attr_int(g, *n2, "group", group));
    ck_assert_mote_ok(mote_graph_attr_ints(g, *n2, "strides", 2, D(s, s)));
    ck_assert_mote_ok(mote_graph_attr_ints(g, *n2, "dilations", 2, D(dil, dil)));
    ck_assert_mote_ok(mote_graph_attr_ints(g, *n2, "pads", 4, D(dil, dil, dil, dil)));
    if (algo) ck_assert_mote_ok(mote_graph_attr_string(g, *n2, "_conv_algo", algo));
    ck_assert_mote_ok(mote_graph_output(g, y2));
    if (fork) {
        ck_assert_int_ge(mote_graph_node(g, "Relu", "other", 1, &y1, 1, NULL, &y3), 0);
        ck_assert_mote_ok(mote_graph_output(g, y3));
    }
    return g;
}

/* conv.c's test of the op after a 1x1 conv: a depthwise conv that splits
 * its channels over the threads (then the 1x1's GEMM splits by channels
 * too), and not one that splits by rows (a map of at least 1024 pixels
 * per thread), one thread, a second reader, a dilated or forced or
 * grouped (not depthwise) conv */
START_TEST(test_conv_next_dw_by_channel)
{
    const mote_kernels *k;
    ck_assert_mote_ok(mote_cpu_kernels(NULL, &k));
    struct { int64_t H, s, dil, group; int fork; const char *algo; int threads, want; } cases[] = {
        { 28, 1, 1, 192, 0, NULL, 2, 1 },  /* MobileNetV2's 28x28 blocks */
        { 28, 1, 1, 192, 0, NULL, 1, 0 },  /* one thread: nothing to share */
        { 56, 1, 1, 192, 0, NULL, 2, 0 },  /* 3136 pixels: split by rows  */
        { 56, 2, 1, 192, 0, NULL, 2, 1 },  /* stride 2: 28x28 out, by channel */
        { 56, 2, 1, 192, 0, NULL, 4, 1 },
        { 90, 2, 1, 192, 0, NULL, 2, 1 },  /* 45x45 = 2025 < 2048 */
        { 92, 2, 1, 192, 0, NULL, 2, 0 },  /* 46x46 = 2116 */
        { 28, 1, 1, 192, 1, NULL, 2, 0 },  /* a second reader */
        { 28, 1, 2, 192, 0, NULL, 2, 0 },  /* dilated: not the depthwise paths */
        { 28, 1, 1, 192, 0, "im2col", 2, 0 },
        { 28, 1, 1, 64, 0, NULL, 2, 0 },   /* 3 channels per group */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n1, n2;
        mote_graph *g = expand_dw_graph(32, 192, cases[i].H, cases[i].H, cases[i].s, cases[i].dil,
                                        cases[i].group, cases[i].fork, cases[i].algo, &n1, &n2);
        mote_op_ctx c;
        memset(&c, 0, sizeof c);
        c.g = g;
        c.node = &g->nodes[n1];
        c.k = k;
        c.threads = cases[i].threads;
        ck_assert_msg(mote_conv_next_dw_by_channel(&c, 192, cases[i].H, cases[i].H) == cases[i].want,
                      "case %zu: expected %d", i, cases[i].want);
        /* the depthwise conv itself is not followed by one */
        c.node = &g->nodes[n2];
        ck_assert_int_eq(mote_conv_next_dw_by_channel(&c, 192, cases[i].H, cases[i].H), 0);
        mote_graph_free(g);
    }
}
END_TEST

/* The 1x1 conv before a depthwise conv split by channel splits its GEMM
 * by channels where that balances (gemm_plan.c's rows_next), else by
 * pixels: the same bits on 1, 2 and 3 threads either way, and as the
 * two convs run one by one */
START_TEST(test_conv_expand_dw_same_bits_any_threads)
{
    const int64_t cases[][3] = { { 192, 28, 1 }, { 144, 56, 2 }, { 96, 14, 1 }, { 200, 20, 1 } };
    for (int ci = 0; ci < 4; ci++) {
        int64_t OC = cases[ci][0], H = cases[ci][1], st = cases[ci][2], nx = 32 * H * H;
        float *x = malloc(sizeof(float) * (size_t)nx);
        mote_test_fill(x, nx, 53, -1, 1);
        float *y0 = NULL;
        int64_t n0 = 0;
        for (int threads = 1; threads <= 3; threads++) {
            int n1, n2;
            mote_graph *g = expand_dw_graph(32, OC, H, H, st, 1, OC, 0, NULL, &n1, &n2);
            mote_model *m;
            mote_session *s;
            ck_assert_mote_ok(mote_model_from_graph(g, &m));
            mote_session_options o;
            mote_session_options_init(&o);
            o.threads = threads;
            o.pin = 0;
            ck_assert_mote_ok(mote_session_new(m, &o, &s));
            mote_tensor in = { .dtype = MOTE_F32, .ndim = 4, .dims = { 1, 32, H, H }, .data = x };
            ck_assert_mote_ok(mote_session_run(s, &in, 1));
            mote_tensor y;
            ck_assert_mote_ok(mote_session_output(s, 0, &y));
            char what[96];
            snprintf(what, sizeof what, "32 -> %lld at %lldx%lld, dw stride %lld", (long long)OC,
                     (long long)H, (long long)H, (long long)st);
            same_bits_as_first(&y0, &n0, &y, what, threads);
            mote_session_free(s);
            mote_model_close(m);
        }
        free(y0); free(x);
    }
}
END_TEST

/* im2col by blocks of output rows picks its rows per block for the thread
 * count (conv_im2col_tiled.c: the busiest thread's GEMM columns), so 1, 2
 * and 3 threads cut the output into different blocks: the same bits. */
START_TEST(test_conv_tiled_blocks_same_bits_any_threads)
{
    const int64_t cases[][6] = {
        /* C, H (= W), OC, K, stride, pad */
        { 64, 56, 128, 1, 2, 0 }, { 64, 56, 128, 3, 2, 1 }, { 32, 30, 48, 3, 1, 1 }, { 16, 29, 20, 5, 2, 2 },
    };
    for (int ci = 0; ci < 4; ci++) {
        const int64_t *h = cases[ci];
        int64_t xd[4] = { 1, h[0], h[1], h[1] }, wd[4] = { h[2], h[0], h[3], h[3] };
        int64_t nx = h[0] * h[1] * h[1], nw = h[2] * h[0] * h[3] * h[3];
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float *bias = malloc(sizeof(float) * (size_t)h[2]);
        mote_test_fill(x, nx, 41, -1, 1);
        mote_test_fill(w, nw, 42, -1, 1);
        mote_test_fill(bias, h[2], 43, -1, 1);
        float *y0 = NULL;
        int64_t n0 = 0;
        for (int threads = 1; threads <= 3; threads++) {
            op1 t; op1_init(&t);
            op1_input(&t, MOTE_F32, 4, xd, x);
            op1_weight(&t, MOTE_F32, 4, wd, w);
            op1_weight(&t, MOTE_F32, 1, D(h[2]), bias);
            int n = op1_node(&t, "Conv", 1);
            mote_graph_attr_ints(t.g, n, "strides", 2, D(h[4], h[4]));
            mote_graph_attr_ints(t.g, n, "pads", 4, D(h[5], h[5], h[5], h[5]));
            mote_graph_attr_string(t.g, n, "_conv_algo", "im2col_n");
            ck_assert_mote_ok(op1_run(&t, threads));
            mote_tensor y = op1_out(&t, 0);
            char what[32];
            snprintf(what, sizeof what, "case %d", ci);
            same_bits_as_first(&y0, &n0, &y, what, threads);
            op1_free(&t);
        }
        free(y0); free(x); free(w); free(bias);
    }
}
END_TEST

/* By input channel in one pass: split over (image, output row), the same
 * bits on 1, 2 and 3 threads (chunks that start and end inside an image),
 * RGB and RGBA, a row wider than the kernel's column segments. */
START_TEST(test_conv_chan_same_bits_any_threads)
{
    const int64_t cases[][5] = {   /* N, C, H, W, OC */
        { 3, 3, 13, 11, 10 }, { 1, 4, 29, 300, 9 }, { 2, 2, 5, 40, 17 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const int64_t N = cases[k][0], C = cases[k][1], H = cases[k][2], W = cases[k][3], OC = cases[k][4];
        int64_t xd[4] = { N, C, H, W }, wd[4] = { OC, C, 3, 3 }, nx = N * C * H * W, nw = OC * C * 9;
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float *bias = malloc(sizeof(float) * (size_t)OC);
        mote_test_fill(x, nx, 51 + (uint32_t)k, -1, 1);
        mote_test_fill(w, nw, 61 + (uint32_t)k, -1, 1);
        mote_test_fill(bias, OC, 71 + (uint32_t)k, -1, 1);
        int64_t ny1, ny;
        float *y1 = conv3x3_run("chan", x, xd, w, wd, bias, 1, 1, &ny1);
        for (int threads = 2; threads <= 3; threads++) {
            float *y = conv3x3_run("chan", x, xd, w, wd, bias, 1, threads, &ny);
            ck_assert_int_eq(ny, ny1);
            ck_assert_msg(memcmp(y, y1, sizeof(float) * (size_t)ny) == 0,
                          "chan differs on 1 and %d threads (case %zu)", threads, k);
            free(y);
        }
        free(y1); free(x); free(w); free(bias);
    }
}
END_TEST

/* Winograd F(2x2,3x3) against the direct reference, within the error
 * bound of its sums: each output is a sum of K = 9C products computed by
 * different additions, both within K eps S of the exact sum (S = sum of
 * |w||x| over the output's taps, plus |bias|), the transforms scaling
 * the winograd side's terms by at most 4: |y_w - y_d| <= 5 K eps S. The
 * same bits on 1 and 2 threads. Odd outputs (partial tiles), pads 0..2,
 * several images, more channels than one GEMM block, blocks of tile rows
 * and the phased run (conv_winograd.h). */
START_TEST(test_conv_winograd_error_bound)
{
    const int64_t cases[][6] = {   /* N, C, H, W, OC, pad */
        { 2, 16, 9, 7, 16, 1 }, { 1, 20, 8, 8, 24, 0 }, { 1, 17, 5, 6, 33, 2 },
        { 1, 128, 14, 14, 64, 1 }, { 1, 32, 40, 37, 16, 1 },
        { 2, 70, 5, 7, 70, 1 },   /* U past a core's cache: the phased run */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const int64_t N = cases[k][0], C = cases[k][1], H = cases[k][2], W = cases[k][3];
        const int64_t OC = cases[k][4], pad = cases[k][5];
        int64_t xd[4] = { N, C, H, W }, wd[4] = { OC, C, 3, 3 };
        int64_t nx = N * C * H * W, nw = OC * C * 9;
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float *bias = malloc(sizeof(float) * (size_t)OC);
        mote_test_fill(x, nx, 21 + (uint32_t)k, -1, 1);
        mote_test_fill(w, nw, 31 + (uint32_t)k, -1, 1);
        mote_test_fill(bias, OC, 41 + (uint32_t)k, -1, 1);
        int64_t ny, ny2, ny3;
        float *yw = conv3x3_run("winograd", x, xd, w, wd, bias, pad, 1, &ny);
        float *yw2 = conv3x3_run("winograd", x, xd, w, wd, bias, pad, 2, &ny2);
        float *yd = conv3x3_run("direct", x, xd, w, wd, bias, pad, 1, &ny3);
        ck_assert_int_eq(ny, ny2);
        ck_assert_int_eq(ny, ny3);
        ck_assert_msg(memcmp(yw, yw2, sizeof(float) * (size_t)ny) == 0,
                      "winograd differs on 1 and 2 threads (case %zu)", k);
        const int64_t OH = H + 2 * pad - 2, OW = W + 2 * pad - 2, K = 9 * C;
        double worst = 0;
        for (int64_t n = 0; n < N; n++)
            for (int64_t oc = 0; oc < OC; oc++)
                for (int64_t oy = 0; oy < OH; oy++)
                    for (int64_t ox = 0; ox < OW; ox++) {
                        double S = fabs(bias[oc]);
                        for (int64_t c = 0; c < C; c++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++) {
                                    int64_t iy = oy - pad + ky, ix = ox - pad + kx;
                                    if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                    S += fabs(w[((oc * C + c) * 3 + ky) * 3 + kx]) *
                                         fabs(x[((n * C + c) * H + iy) * W + ix]);
                                }
                        int64_t i = ((n * OC + oc) * OH + oy) * OW + ox;
                        double d = fabs((double)yw[i] - (double)yd[i]), bound = 5.0 * K * FLT_EPSILON * S;
                        ck_assert_msg(d <= bound, "case %zu [%lld]: winograd %.9g, direct %.9g, bound %g",
                                      k, (long long)i, (double)yw[i], (double)yd[i], bound);
                        if (d / S > worst) worst = d / S;
                    }
        /* typical errors are far inside the worst case */
        ck_assert_msg(worst < 0.05 * 5.0 * K * FLT_EPSILON, "case %zu: error %g of S", k, worst);
        free(x); free(w); free(bias); free(yw); free(yw2); free(yd);
    }
    compare_algo("winograd", D(2, 16, 9, 7), D(16, 16, 3, 3), 1, 1, 1);   /* + LeakyRelu */
}
END_TEST

static void force_wino_s2(mote_graph *g, int n)
{
    mote_graph_attr_ints(g, n, "strides", 2, D(2, 2));
    mote_graph_attr_string(g, n, "_conv_algo", "winograd");
}

static void force_t_grouped(mote_graph *g, int n)
{
    mote_graph_attr_int(g, n, "group", 2);
    mote_graph_attr_string(g, n, "_conv_algo", "im2col_t");
}
static void force_chan_grouped(mote_graph *g, int n)
{
    mote_graph_attr_int(g, n, "group", 2);
    mote_graph_attr_string(g, n, "_conv_algo", "chan");
}
static void force_c_grouped(mote_graph *g, int n)
{
    mote_graph_attr_int(g, n, "group", 2);
    mote_graph_attr_string(g, n, "_conv_algo", "im2col_c");
}
static void force_t1x1_grouped(mote_graph *g, int n)
{
    mote_graph_attr_int(g, n, "group", 2);
    mote_graph_attr_string(g, n, "_conv_algo", "gemm1x1_t");
}

static mote_status conv_error_run(op1 *t, const int64_t *xd, const int64_t *wd, attr_fn setup, int nd)
{
    static float buf[4096];
    op1_init(t);
    op1_input(t, MOTE_F32, nd, xd, buf);
    op1_weight(t, MOTE_F32, nd, wd, buf);
    int n = op1_node(t, "Conv", 1);
    if (setup) setup(t->g, n);
    return op1_run(t, 1);
}

static void group2(mote_graph *g, int n) { mote_graph_attr_int(g, n, "group", 2); }
static void kshape_bad(mote_graph *g, int n) { mote_graph_attr_ints(g, n, "kernel_shape", 2, D(3, 2)); }
static void bad_autopad(mote_graph *g, int n) { mote_graph_attr_string(g, n, "auto_pad", "SAME"); }
static void force_dw(mote_graph *g, int n) { mote_graph_attr_string(g, n, "_conv_algo", "dw3x3"); }
static void bad_act(mote_graph *g, int n) { mote_graph_attr_string(g, n, "_act", "Swish"); }
/* SAME padding of a kernel dilated to near INT64_MAX (found by fuzz_mote:
 * the pads' sum overflowed) */
static void same_huge_dilation(mote_graph *g, int n)
{
    mote_graph_attr_string(g, n, "auto_pad", "SAME_UPPER");
    mote_graph_attr_ints(g, n, "dilations", 2, D(INT64_MAX / 2, 1));
}

#define EXPECT_CONV_ERROR(xd, wd, setup, nd, st, needle) do {                        \
        op1 t_;                                                                     \
        ck_assert_int_eq(conv_error_run(&t_, xd, wd, setup, nd), st);               \
        ck_assert_msg(strstr(mote_last_error(), needle), "message '%s' lacks '%s'", \
                      mote_last_error(), needle);                                   \
        op1_free(&t_);                                                              \
    } while (0)

START_TEST(test_conv_rejects_channel_group_and_kernel_mismatch)
{
    EXPECT_CONV_ERROR(D(1, 3, 4, 4), D(2, 2, 3, 3), NULL, 4, MOTE_ERR_SHAPE,
                      "input X has 3 channels but W expects 2 per group x group 1");
    EXPECT_CONV_ERROR(D(1, 4, 4, 4), D(3, 2, 3, 3), group2, 4, MOTE_ERR_SHAPE,
                      "W has 3 output channels, not a multiple of group 2");
    EXPECT_CONV_ERROR(D(1, 1, 4, 4), D(1, 1, 3, 3), kshape_bad, 4, MOTE_ERR_SHAPE,
                      "kernel_shape[1] = 2 but W has 3");
    EXPECT_CONV_ERROR(D(1, 1, 2, 2), D(1, 1, 3, 3), NULL, 4, MOTE_ERR_SHAPE,
                      "kernel extent 3 exceeds padded input 2");
    EXPECT_CONV_ERROR(D(1, 1, 4, 4), D(1, 1, 3, 3), bad_autopad, 4, MOTE_ERR_UNSUPPORTED,
                      "unknown auto_pad 'SAME'");
    EXPECT_CONV_ERROR(D(1, 1, 4, 4), D(1, 1, 3, 3), same_huge_dilation, 4, MOTE_ERR_SHAPE,
                      "with auto_pad SAME_UPPER along spatial axis 0 needs a padded input over");
    EXPECT_CONV_ERROR(D(1, 1, 2, 2, 2, 2), D(1, 1, 1, 1, 1, 1), NULL, 6, MOTE_ERR_UNSUPPORTED,
                      "input X has rank 6; only 1-D (N,C,L), 2-D (N,C,H,W) and 3-D (N,C,D,H,W) Conv");
    EXPECT_CONV_ERROR(D(1, 2, 2, 2, 2), D(2, 2, 3, 1, 1), NULL, 5, MOTE_ERR_SHAPE,
                      "kernel extent 3 exceeds padded input 2 along spatial axis 0");
    EXPECT_CONV_ERROR(D(1, 2, 4, 4, 4), D(4, 2, 3, 3, 3), force_dw, 5, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='dw3x3' does not apply to 3-D Conv");
    EXPECT_CONV_ERROR(D(1, 2, 4, 4), D(4, 2, 3, 3), force_dw, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='dw3x3'");
    EXPECT_CONV_ERROR(D(1, 4, 4, 4), D(4, 2, 3, 3), force_t_grouped, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='im2col_t'");
    EXPECT_CONV_ERROR(D(1, 4, 4, 4), D(4, 2, 3, 3), force_c_grouped, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='im2col_c'");
    EXPECT_CONV_ERROR(D(1, 4, 4, 4), D(4, 2, 3, 3), force_chan_grouped, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='chan'");
    EXPECT_CONV_ERROR(D(1, 4, 2, 2), D(4, 2, 1, 1), force_t1x1_grouped, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='gemm1x1_t'");
    EXPECT_CONV_ERROR(D(1, 2, 6, 6), D(4, 2, 3, 3), force_wino_s2, 4, MOTE_ERR_UNSUPPORTED,
                      "_conv_algo='winograd'");
    EXPECT_CONV_ERROR(D(1, 1, 4, 4), D(1, 1, 3, 3), bad_act, 4, MOTE_ERR_UNSUPPORTED,
                      "unknown fused activation _act='Swish'");
}
END_TEST

/* ---------------------------------------------------------------- pooling */

static mote_tensor pool_run(op1 *t, const char *op, int nd, const int64_t *xd, const float *x,
                            const int64_t *k, const int64_t *s, const int64_t *pads,
                            int ceil_mode, int include_pad)
{
    int nsp = nd - 2;
    op1_init(t);
    op1_input(t, MOTE_F32, nd, xd, x);
    int n = op1_node(t, op, 1);
    ck_assert_mote_ok(mote_graph_attr_ints(t->g, n, "kernel_shape", nsp, k));
    if (s) ck_assert_mote_ok(mote_graph_attr_ints(t->g, n, "strides", nsp, s));
    if (pads) ck_assert_mote_ok(mote_graph_attr_ints(t->g, n, "pads", 2 * nsp, pads));
    if (ceil_mode) ck_assert_mote_ok(mote_graph_attr_int(t->g, n, "ceil_mode", 1));
    if (include_pad) ck_assert_mote_ok(mote_graph_attr_int(t->g, n, "count_include_pad", 1));
    ck_assert_mote_ok(op1_run(t, 2));
    return op1_out(t, 0);
}

START_TEST(test_maxpool_strides_pads_and_ceil_mode)
{
    float x16[16];
    for (int i = 0; i < 16; i++) x16[i] = (float)(i + 1);
    op1 t;
    mote_tensor y = pool_run(&t, "MaxPool", 4, D(1, 1, 4, 4), x16, D(2, 2), D(2, 2), NULL, 0, 0);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(6, 8, 14, 16), 4, 0);
    op1_free(&t);
    /* 3x3 window, stride 2 on 4x4: floor gives 1x1, ceil 2x2 */
    y = pool_run(&t, "MaxPool", 4, D(1, 1, 4, 4), x16, D(3, 3), D(2, 2), NULL, 0, 0);
    expect_shape(&y, 4, D(1, 1, 1, 1));
    expect_f32(&y, F(11), 1, 0);
    op1_free(&t);
    y = pool_run(&t, "MaxPool", 4, D(1, 1, 4, 4), x16, D(3, 3), D(2, 2), NULL, 1, 0);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(11, 12, 15, 16), 4, 0);
    op1_free(&t);
    /* ceil_mode never starts a window in the end pad: 3x3, k2 s2, pads 1 -> 2x2, not 3x3 */
    y = pool_run(&t, "MaxPool", 4, D(1, 1, 3, 3), X9, D(2, 2), D(2, 2), D(1, 1, 1, 1), 1, 0);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(1, 3, 7, 9), 4, 0);
    op1_free(&t);
    /* 1-D */
    y = pool_run(&t, "MaxPool", 3, D(1, 1, 5), F(1, 3, 2, 5, 4), D(2), NULL, NULL, 0, 0);
    expect_shape(&y, 3, D(1, 1, 4));
    expect_f32(&y, F(3, 3, 5, 5), 4, 0);
    op1_free(&t);
    /* two images x two channels pooled independently */
    float x4[16];
    for (int i = 0; i < 16; i++) x4[i] = (float)((i * 7) % 16);
    y = pool_run(&t, "MaxPool", 4, D(2, 2, 2, 2), x4, D(2, 2), NULL, NULL, 0, 0);
    expect_shape(&y, 4, D(2, 2, 1, 1));
    expect_f32(&y, F(14, 12, 15, 11), 4, 0);
    op1_free(&t);
}
END_TEST

/* A window far larger than the image (kernel 2^20 x 2^20, padded to fit,
 * over 5 x 5: 2^40 taps an output) costs what its 25 taps inside do: the
 * pooling kernels visit only those (mote_window_taps). Max, the average of
 * the taps inside, and the average counting the padding; 3-D max too. */
START_TEST(test_pool_window_far_larger_than_image)
{
    float x[25];
    double sum = 0;
    for (int i = 0; i < 25; i++) {
        x[i] = (float)((i * 7) % 25) - 3.0f;
        sum += x[i];
    }
    const int64_t K = (int64_t)1 << 20, P = (K - 5) / 2, P2 = K - 5 - P;
    for (int threads = 1; threads <= 2; threads++) {
        static const char *const ops[3] = { "MaxPool", "AveragePool", "AveragePool" };
        for (int o = 0; o < 3; o++) {
            op1 t;
            op1_init(&t);
            op1_input(&t, MOTE_F32, 4, D(1, 1, 5, 5), x);
            int n = op1_node(&t, ops[o], 1);
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "kernel_shape", 2, D(K, K)));
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "pads", 4, D(P, P, P2, P2)));
            if (o == 2) ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "count_include_pad", 1));
            ck_assert_mote_ok(op1_run(&t, threads));
            mote_tensor y = op1_out(&t, 0);
            expect_shape(&y, 4, D(1, 1, 1, 1));
            float got = ((const float *)y.data)[0];
            float want = o == 0 ? 21.0f : (float)(o == 1 ? sum / 25.0 : sum / ((double)K * (double)K));
            ck_assert_msg(fabsf(got - want) <= 1e-6f * (1.0f + fabsf(want)), "%s %d: %g, expected %g",
                          ops[o], o, (double)got, (double)want);
            op1_free(&t);
        }
        op1 t;
        op1_init(&t);
        op1_input(&t, MOTE_F32, 5, D(1, 1, 1, 5, 5), x);
        int n = op1_node(&t, "MaxPool", 1);
        ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "kernel_shape", 3, D(1, K, K)));
        ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "pads", 6, D(0, P, P, 0, P2, P2)));
        ck_assert_mote_ok(op1_run(&t, threads));
        mote_tensor y = op1_out(&t, 0);
        expect_shape(&y, 5, D(1, 1, 1, 1, 1));
        ck_assert_float_eq(((const float *)y.data)[0], 21.0f);
        op1_free(&t);
    }
}
END_TEST

/* f32 MaxPool on 2 and 3 threads splits each channel by rows (each
 * thread a view of every channel from the first row its windows touch):
 * the same bits as 1 thread and as the definition, for pads above and
 * below (rows wholly in the bottom pad too), strides 1 to 3, dilation,
 * ceil_mode, and NaN and -0 inputs. */
START_TEST(test_maxpool_rows_split_any_threads)
{
    static const struct { int64_t H, W, k, s, pt, pb, d; int ceil; } cs[] = {
        {112, 112, 3, 2, 1, 1, 1, 0}, {17, 23, 3, 1, 1, 1, 1, 0}, {19, 9, 2, 2, 0, 0, 1, 1},
        {25, 30, 3, 3, 2, 1, 1, 1}, {21, 21, 3, 1, 2, 2, 2, 0}, {9, 40, 5, 2, 2, 0, 1, 0},
        {6, 6, 1, 1, 0, 3, 1, 0},   /* the last 3 rows wholly in the bottom pad: -inf */
    };
    for (size_t ci = 0; ci < sizeof cs / sizeof cs[0]; ci++) {
        const int64_t C = 5, H = cs[ci].H, W = cs[ci].W, k = cs[ci].k, s = cs[ci].s, d = cs[ci].d;
        const int64_t pt = cs[ci].pt, pb = cs[ci].pb, ext = d * (k - 1) + 1;
        int64_t span = H + pt + pb - ext, OH = (cs[ci].ceil ? (span + s - 1) / s : span / s) + 1;
        int64_t wspan = W + pt + pb - ext, OW = (cs[ci].ceil ? (wspan + s - 1) / s : wspan / s) + 1;
        /* ceil_mode: a last window starting in the bottom pad is dropped */
        if (cs[ci].ceil && (OH - 1) * s >= H + pt) OH--;
        if (cs[ci].ceil && (OW - 1) * s >= W + pt) OW--;
        float *x = malloc(sizeof(float) * (size_t)(C * H * W));
        float *want = malloc(sizeof(float) * (size_t)(C * OH * OW));
        for (int64_t i = 0; i < C * H * W; i++)
            x[i] = (float)((i * 7919) % 1000) - 500.0f;
        x[3] = NAN;
        x[C * H * W / 2] = -0.0f;
        for (int64_t c = 0; c < C; c++)
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    float m = -INFINITY;
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < k; kx++) {
                            int64_t iy = oy * s - pt + ky * d, ix = ox * s - pt + kx * d;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            float v = x[(c * H + iy) * W + ix];
                            if (v > m) m = v;
                        }
                    want[(c * OH + oy) * OW + ox] = m;
                }
        for (int threads = 1; threads <= 3; threads++) {
            op1 t;
            op1_init(&t);
            op1_input(&t, MOTE_F32, 4, D(1, C, H, W), x);
            int n = op1_node(&t, "MaxPool", 1);
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "kernel_shape", 2, D(k, k)));
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "strides", 2, D(s, s)));
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "pads", 4, D(pt, pt, pb, pb)));
            ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "dilations", 2, D(d, d)));
            if (cs[ci].ceil) ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "ceil_mode", 1));
            ck_assert_mote_ok(op1_run(&t, threads));
            mote_tensor y = op1_out(&t, 0);
            expect_shape(&y, 4, D(1, C, OH, OW));
            ck_assert_msg(memcmp(y.data, want, sizeof(float) * (size_t)(C * OH * OW)) == 0,
                          "case %zu, %d threads: not the definition's bits", ci, threads);
            op1_free(&t);
        }
        free(x);
        free(want);
    }
}
END_TEST

START_TEST(test_averagepool_count_include_pad_and_ceil_mode)
{
    op1 t;
    mote_tensor y = pool_run(&t, "AveragePool", 4, D(1, 1, 3, 3), X9, D(2, 2), D(2, 2),
                             D(1, 1, 1, 1), 0, 0);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(1, 2.5f, 5.5f, 7), 4, TOL);
    op1_free(&t);
    y = pool_run(&t, "AveragePool", 4, D(1, 1, 3, 3), X9, D(2, 2), D(2, 2), D(1, 1, 1, 1), 0, 1);
    expect_f32(&y, F(0.25f, 1.25f, 2.75f, 7), 4, TOL);
    op1_free(&t);
    /* ceil_mode: the last window hangs past the input, nothing there counts */
    y = pool_run(&t, "AveragePool", 4, D(1, 1, 3, 3), X9, D(2, 2), D(2, 2), NULL, 1, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(3, 4.5f, 7.5f, 9), 4, TOL);
    op1_free(&t);
    /* explicit end pads do count with count_include_pad */
    y = pool_run(&t, "AveragePool", 4, D(1, 1, 3, 3), X9, D(2, 2), D(2, 2), D(0, 0, 1, 1), 0, 1);
    expect_shape(&y, 4, D(1, 1, 2, 2));
    expect_f32(&y, F(3, 9.0f / 4, 15.0f / 4, 9.0f / 4), 4, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_global_averagepool)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(2, 2, 1, 2), F(1, 3, 2, 4, 10, 20, 0, 0));
    op1_node(&t, "GlobalAveragePool", 1);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 4, D(2, 2, 1, 1));
    expect_f32(&y, F(2, 3, 15, 0), 4, TOL);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 2), X9);
    op1_node(&t, "GlobalAveragePool", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "rank 2");
}
END_TEST

START_TEST(test_global_maxpool)
{
    /* (N, C, D1, D2) = (2, 2, 1, 2) and a 3-D (1, 3, 3); NaN never wins
     * (as in MaxPool), so a channel of only NaN gives -inf */
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(2, 2, 1, 2), F(1, 3, -2, -4, NAN, 20, -INFINITY, 0));
    op1_node(&t, "GlobalMaxPool", 1);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 4, D(2, 2, 1, 1));
    expect_f32(&y, F(3, -2, 20, 0), 4, TOL);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(1, 3, 3), F(5, 7, 6, NAN, NAN, NAN, -1, -3, -2));
    op1_node(&t, "GlobalMaxPool", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(1, 3, 1));
    const float *v = y.data;
    ck_assert_float_eq(v[0], 7);
    ck_assert(isinf(v[1]) && v[1] < 0);
    ck_assert_float_eq(v[2], -1);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 2), X9);
    op1_node(&t, "GlobalMaxPool", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "rank 2");

    static const int64_t ints[2] = {1, 2};
    op1_init(&t);
    op1_input(&t, MOTE_I64, 3, D(1, 1, 2), ints);
    op1_node(&t, "GlobalMaxPool", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input 0 has dtype i64, expected f32");
}
END_TEST

START_TEST(test_pool_rejects_bad_attributes)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(1, 1, 3, 3), X9);
    op1_node(&t, "MaxPool", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "kernel_shape is required");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(1, 1, 3, 3), X9);
    int n = op1_node(&t, "AveragePool", 1);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 1, D(2));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "kernel_shape has 1 values, input has 2 spatial dims");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(1, 1, 3, 3), X9);
    n = op1_node(&t, "MaxPool", 1);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 2, D(2, 2));
    mote_graph_attr_ints(t.g, n, "strides", 2, D(0, 1));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "strides[0] = 0, must be >= 1");
}
END_TEST

/* -------------------------------------------------------------------- 3-D */

/* Conv (constant W, bias, LeakyRelu) of x (xd) by w (wd): the result
 * with _conv_algo = algo, 2 threads, into *y (malloc'd); returns numel. */
static int64_t conv3d_once(const char *algo, const int64_t *xd, const int64_t *wd, int64_t group,
                           const int64_t *st, const int64_t *pads, const int64_t *dil, float **y)
{
    int64_t nx = xd[0] * xd[1] * xd[2] * xd[3] * xd[4], nw = wd[0] * wd[1] * wd[2] * wd[3] * wd[4];
    float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
    float bias[64];
    ck_assert_int_le(wd[0], 64);
    mote_test_fill(x, nx, 21, -1, 1);
    mote_test_fill(w, nw, 22, -1, 1);
    mote_test_fill(bias, 64, 23, -1, 1);
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 5, xd, x);
    op1_weight(&t, MOTE_F32, 5, wd, w);
    op1_weight(&t, MOTE_F32, 1, D(wd[0]), bias);
    int n = op1_node(&t, "Conv", 1);
    mote_graph_attr_int(t.g, n, "group", group);
    mote_graph_attr_ints(t.g, n, "strides", 3, st);
    mote_graph_attr_ints(t.g, n, "pads", 6, pads);
    mote_graph_attr_ints(t.g, n, "dilations", 3, dil);
    mote_graph_attr_string(t.g, n, "_act", "LeakyRelu");
    mote_graph_attr_string(t.g, n, "_conv_algo", algo);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor out = op1_out(&t, 0);
    int64_t ny = mote_tensor_numel(&out);
    *y = malloc(sizeof(float) * (size_t)ny);
    memcpy(*y, out.data, sizeof(float) * (size_t)ny);
    op1_free(&t);
    free(x); free(w);
    return ny;
}

static void conv3d_compare(const int64_t *xd, const int64_t *wd, int64_t group, const int64_t *st,
                           const int64_t *pads, const int64_t *dil)
{
    float *a, *b;
    int64_t n = conv3d_once("im2col", xd, wd, group, st, pads, dil, &a);
    ck_assert_int_eq(conv3d_once("direct", xd, wd, group, st, pads, dil, &b), n);
    float d = mote_test_maxdiff(a, b, n);
    ck_assert_msg(d < 1e-4f, "3-D im2col differs from direct by %g", (double)d);
    free(a); free(b);
}

START_TEST(test_conv3d)
{
    /* hand case: a 2x2x2 box of ones over 1..27 (3x3x3), no pad */
    static const float ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    float x27[27];
    for (int i = 0; i < 27; i++) x27[i] = (float)(i + 1);
    op1 t;
    mote_tensor y = conv_run(&t, 5, D(1, 1, 3, 3, 3), x27, D(1, 1, 2, 2, 2), ones, NULL, NULL, 1);
    expect_shape(&y, 5, D(1, 1, 2, 2, 2));
    /* window at (z,y,x): sum of 8 values around, base 1 + 9z + 3y + x */
    expect_f32(&y, F(60, 68, 84, 92, 132, 140, 156, 164), 8, TOL);
    op1_free(&t);
    /* the vol2col + GEMM path against the reference loop */
    conv3d_compare(D(2, 3, 5, 6, 7), D(8, 3, 3, 3, 3), 1, D(1, 1, 1), D(1, 1, 1, 1, 1, 1), D(1, 1, 1));
    conv3d_compare(D(1, 4, 6, 7, 5), D(8, 2, 2, 3, 3), 2, D(2, 1, 2), D(0, 1, 1, 1, 2, 0), D(1, 2, 1));
    conv3d_compare(D(1, 5, 4, 4, 4), D(6, 5, 1, 1, 1), 1, D(1, 1, 1), D(0, 0, 0, 0, 0, 0), D(1, 1, 1));
}
END_TEST

/* ConvTranspose 3-D: constant W (GEMM + col2vol) against W as an input
 * (the reference gather) on the same data. */
START_TEST(test_conv_transpose3d_paths_agree)
{
    const int64_t xd[5] = {2, 4, 3, 2, 3}, wd[5] = {4, 3, 3, 2, 3};
    float x[144], w[216], b[6], *res[2];
    mote_test_fill(x, 144, 31, -1, 1);
    mote_test_fill(w, 216, 32, -1, 1);
    mote_test_fill(b, 6, 33, -1, 1);
    int64_t ny = 0;
    for (int r = 0; r < 2; r++) {
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 5, xd, x);
        if (r == 0) op1_weight(&t, MOTE_F32, 5, wd, w);
        else op1_input(&t, MOTE_F32, 5, wd, w);
        op1_weight(&t, MOTE_F32, 1, D(6), b);
        int n = op1_node(&t, "ConvTranspose", 1);
        mote_graph_attr_int(t.g, n, "group", 2);
        mote_graph_attr_ints(t.g, n, "strides", 3, D(2, 1, 2));
        mote_graph_attr_ints(t.g, n, "pads", 6, D(1, 0, 1, 0, 1, 1));
        mote_graph_attr_ints(t.g, n, "output_padding", 3, D(1, 0, 1));
        mote_graph_attr_ints(t.g, n, "dilations", 3, D(1, 2, 1));
        ck_assert_mote_ok(op1_run(&t, 2));
        mote_tensor y = op1_out(&t, 0);
        /* s (in - 1) + output_padding + (k - 1) d + 1 - pads: D 4 + 1 + 3 - 1 = 7,
         * H 1 + 0 + 3 - 1 = 3, W 4 + 1 + 3 - 2 = 6 */
        expect_shape(&y, 5, D(2, 6, 7, 3, 6));
        ny = mote_tensor_numel(&y);
        res[r] = malloc(sizeof(float) * (size_t)ny);
        memcpy(res[r], y.data, sizeof(float) * (size_t)ny);
        op1_free(&t);
    }
    float d = mote_test_maxdiff(res[0], res[1], ny);
    ck_assert_msg(d < 1e-5f, "3-D ConvTranspose paths differ by %g", (double)d);
    free(res[0]); free(res[1]);
}
END_TEST

START_TEST(test_pool3d)
{
    float x27[27];
    for (int i = 0; i < 27; i++) x27[i] = (float)(i + 1);
    op1 t;
    /* 2x2x2 windows, stride 1: max is the far corner, mean the centre */
    mote_tensor y = pool_run(&t, "MaxPool", 5, D(1, 1, 3, 3, 3), x27, D(2, 2, 2), NULL, NULL, 0, 0);
    expect_shape(&y, 5, D(1, 1, 2, 2, 2));
    expect_f32(&y, F(14, 15, 17, 18, 23, 24, 26, 27), 8, 0);
    op1_free(&t);
    y = pool_run(&t, "AveragePool", 5, D(1, 1, 3, 3, 3), x27, D(2, 2, 2), NULL, NULL, 0, 0);
    expect_f32(&y, F(7.5f, 8.5f, 10.5f, 11.5f, 16.5f, 17.5f, 19.5f, 20.5f), 8, TOL);
    op1_free(&t);
    /* 3x3x3 window, pad 1 everywhere, stride 2: the corner (0,0,0)
     * window holds 8 in-volume values, mean 1+..: (1+2+4+5+10+11+13+14)/8 = 7.5;
     * with count_include_pad the 27 taps count: 60/27 */
    y = pool_run(&t, "AveragePool", 5, D(1, 1, 3, 3, 3), x27, D(3, 3, 3), D(2, 2, 2),
                 D(1, 1, 1, 1, 1, 1), 0, 0);
    expect_shape(&y, 5, D(1, 1, 2, 2, 2));
    ck_assert_float_eq_tol(((const float *)y.data)[0], 7.5f, TOL);
    op1_free(&t);
    y = pool_run(&t, "AveragePool", 5, D(1, 1, 3, 3, 3), x27, D(3, 3, 3), D(2, 2, 2),
                 D(1, 1, 1, 1, 1, 1), 0, 1);
    ck_assert_float_eq_tol(((const float *)y.data)[0], 60.0f / 27.0f, TOL);
    op1_free(&t);
    /* ceil_mode: 3 -> windows at 0 and 2 (the second holds one plane) */
    y = pool_run(&t, "MaxPool", 5, D(1, 1, 3, 3, 3), x27, D(2, 2, 2), D(2, 2, 2), NULL, 1, 0);
    expect_shape(&y, 5, D(1, 1, 2, 2, 2));
    expect_f32(&y, F(14, 15, 17, 18, 23, 24, 26, 27), 8, 0);
    op1_free(&t);

    /* Indices: the flat position of each maximum, image 2 counting on */
    float x16[16];
    for (int i = 0; i < 16; i++) x16[i] = (float)((i * 7) % 16);
    op1_init(&t);
    op1_input(&t, MOTE_F32, 5, D(2, 1, 2, 2, 2), x16);
    int n = op1_node(&t, "MaxPool", 2);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 3, D(2, 2, 2));
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor v = op1_out(&t, 0), ix = op1_out(&t, 1);
    expect_shape(&ix, 5, D(2, 1, 1, 1, 1));
    /* (i*7) % 16 over 0..7 peaks at i = 2 (14), over 8..15 at i = 9 (15) */
    expect_f32(&v, F(14, 15), 2, 0);
    ck_assert_int_eq(((const int64_t *)ix.data)[0], 2);
    ck_assert_int_eq(((const int64_t *)ix.data)[1], 9);
    op1_free(&t);

    /* what 3-D pooling refuses, precisely */
    static const uint8_t u8[8];
    op1_init(&t);
    op1_input(&t, MOTE_U8, 5, D(1, 1, 2, 2, 2), u8);
    n = op1_node(&t, "MaxPool", 1);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 3, D(2, 2, 2));
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "3-D MaxPool takes f32 only, not u8");
    op1_init(&t);
    op1_input(&t, MOTE_F32, 5, D(1, 1, 2, 2, 2), x16);
    n = op1_node(&t, "MaxPool", 2);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 3, D(2, 2, 2));
    mote_graph_attr_int(t.g, n, "storage_order", 1);
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "storage_order = 1 (column-major) are not supported");
    op1_init(&t);
    op1_input(&t, MOTE_F32, 6, D(1, 1, 1, 2, 2, 2), x16);
    n = op1_node(&t, "AveragePool", 1);
    mote_graph_attr_ints(t.g, n, "kernel_shape", 4, D(1, 2, 2, 2));
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "input X has rank 6");
}
END_TEST

/* ---------------------------------------- every failure at session time */

/* mote convert's list (mote_graph_list_failures): a Conv that infers but
 * refuses to prepare, a Sin on i32 (dtype) and a Reshape to a shape given
 * at run time, all three named, each once. */
START_TEST(test_list_failures_names_infer_and_prepare_errors)
{
    static float w[72];
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    int x = mote_graph_input(g, "X", MOTE_F32, 4, D(1, 2, 5, 5));
    int i = mote_graph_input(g, "I", MOTE_I32, 1, D(4));
    int sh = mote_graph_input(g, "S", MOTE_I64, 1, D(2));
    int wv = mote_graph_weight(g, "W", MOTE_F32, 4, D(4, 2, 3, 3), w);
    int out[3];
    int conv = mote_graph_node(g, "Conv", "conv0", 2, (int[]){x, wv}, 1, NULL, &out[0]);
    ck_assert_mote_ok(mote_graph_attr_string(g, conv, "_conv_algo", "bogus"));
    ck_assert_int_ge(mote_graph_node(g, "Sin", "sin0", 1, (int[]){i}, 1, NULL, &out[1]), 0);
    ck_assert_int_ge(mote_graph_node(g, "Reshape", "reshape0", 2, (int[]){x, sh}, 1, NULL, &out[2]), 0);
    for (int k = 0; k < 3; k++)
        ck_assert_mote_ok(mote_graph_output(g, out[k]));
    mote_tensor shapes[3] = {{.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}},
                             {.dtype = MOTE_I32, .ndim = 1, .dims = {4}},
                             {.dtype = MOTE_I64, .ndim = 1, .dims = {2}}};
    char buf[2048];
    ck_assert_int_eq(mote_graph_list_failures(g, shapes, buf, sizeof buf), 3);
    const char *want[3] = {"node 'conv0' (Conv): _conv_algo='bogus'", "node 'sin0' (Sin): dtype i32",
                           "node 'reshape0' (Reshape)"};
    for (int k = 0; k < 3; k++)
        ck_assert_msg(strstr(buf, want[k]), "'%s' lacks '%s'", buf, want[k]);
    mote_graph_free(g);
}
END_TEST

/* ------------------------------------------------- thread-count invariance */

/*
 * x (2,3,12,10) -> Conv 3x3 pad 1 +Relu (im2col) -> MaxPool 2x2 -> depthwise 3x3
 * -> BatchNormalization -> Conv 1x1 -> GlobalAveragePool -> Flatten -> Gemm
 * -> Softmax (output 0); LayerNormalization of the flattened features
 * (output 1); Transpose of the first conv's output to NHWC (output 2).
 */
static mote_model *small_cnn(void)
{
    static float w1[8 * 3 * 9], w2[8 * 9], w3[16 * 8], w4[16 * 5], b1[8], b4[5];
    static float sc[8], sh[8], mu[8], var[8], g16[16];
    mote_test_fill(w1, 8 * 27, 21, -0.5f, 0.5f);
    mote_test_fill(w2, 8 * 9, 22, -0.5f, 0.5f);
    mote_test_fill(w3, 16 * 8, 23, -0.5f, 0.5f);
    mote_test_fill(w4, 16 * 5, 24, -1, 1);
    mote_test_fill(b1, 8, 25, -0.1f, 0.1f);
    mote_test_fill(b4, 5, 26, -0.1f, 0.1f);
    mote_test_fill(sc, 8, 27, 0.5f, 1.5f);
    mote_test_fill(sh, 8, 28, -0.5f, 0.5f);
    mote_test_fill(mu, 8, 29, -0.5f, 0.5f);
    mote_test_fill(var, 8, 30, 0.5f, 2);
    mote_test_fill(g16, 16, 31, 0.5f, 1.5f);
    mote_graph *g = mote_graph_new();
    int x = mote_graph_input(g, "x", MOTE_F32, 4, D(2, 3, 12, 10));
    int vw1 = mote_graph_weight(g, "w1", MOTE_F32, 4, D(8, 3, 3, 3), w1);
    int vb1 = mote_graph_weight(g, "b1", MOTE_F32, 1, D(8), b1);
    int vw2 = mote_graph_weight(g, "w2", MOTE_F32, 4, D(8, 1, 3, 3), w2);
    int vw3 = mote_graph_weight(g, "w3", MOTE_F32, 4, D(16, 8, 1, 1), w3);
    int vw4 = mote_graph_weight(g, "w4", MOTE_F32, 2, D(16, 5), w4);
    int vb4 = mote_graph_weight(g, "b4", MOTE_F32, 1, D(5), b4);
    int vsc = mote_graph_weight(g, "sc", MOTE_F32, 1, D(8), sc);
    int vsh = mote_graph_weight(g, "sh", MOTE_F32, 1, D(8), sh);
    int vmu = mote_graph_weight(g, "mu", MOTE_F32, 1, D(8), mu);
    int vvar = mote_graph_weight(g, "var", MOTE_F32, 1, D(8), var);
    int vg16 = mote_graph_weight(g, "g16", MOTE_F32, 1, D(16), g16);
    int c1, p1, c2, bn, c3, gap, fl, fc, sm, ln, tr;
    int n = mote_graph_node(g, "Conv", "conv1", 3, (int[]){x, vw1, vb1}, 1, NULL, &c1);
    mote_graph_attr_ints(g, n, "pads", 4, D(1, 1, 1, 1));
    mote_graph_attr_string(g, n, "_act", "Relu");
    n = mote_graph_node(g, "MaxPool", "pool", 1, &c1, 1, NULL, &p1);
    mote_graph_attr_ints(g, n, "kernel_shape", 2, D(2, 2));
    mote_graph_attr_ints(g, n, "strides", 2, D(2, 2));
    n = mote_graph_node(g, "Conv", "dw", 2, (int[]){p1, vw2}, 1, NULL, &c2);
    mote_graph_attr_int(g, n, "group", 8);
    mote_graph_attr_ints(g, n, "pads", 4, D(1, 1, 1, 1));
    mote_graph_node(g, "BatchNormalization", "bn", 5, (int[]){c2, vsc, vsh, vmu, vvar}, 1, NULL, &bn);
    mote_graph_node(g, "Conv", "pw", 2, (int[]){bn, vw3}, 1, NULL, &c3);
    mote_graph_node(g, "GlobalAveragePool", "gap", 1, &c3, 1, NULL, &gap);
    mote_graph_node(g, "Flatten", "flat", 1, &gap, 1, NULL, &fl);
    mote_graph_node(g, "Gemm", "fc", 3, (int[]){fl, vw4, vb4}, 1, NULL, &fc);
    mote_graph_node(g, "Softmax", "sm", 1, &fc, 1, NULL, &sm);
    mote_graph_node(g, "LayerNormalization", "ln", 2, (int[]){fl, vg16}, 1, NULL, &ln);
    n = mote_graph_node(g, "Transpose", "nhwc", 1, &c1, 1, NULL, &tr);
    mote_graph_attr_ints(g, n, "perm", 4, D(0, 2, 3, 1));
    mote_graph_output(g, sm);
    mote_graph_output(g, ln);
    mote_graph_output(g, tr);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

START_TEST(test_ops_give_identical_bits_for_1_2_3_threads)
{
    mote_model *m = small_cnn();
    static float x[2 * 3 * 12 * 10];
    mote_test_fill(x, 720, 99, -1, 1);
    mote_tensor in = {MOTE_F32, 4, {2, 3, 12, 10}, x};
    void *first[3] = {NULL, NULL, NULL};
    size_t bytes[3] = {0, 0, 0};
    for (int threads = 1; threads <= 3; threads++) {
        mote_session_options o;
        mote_session_options_init(&o);
        o.threads = threads;
        o.pin = 0;
        mote_session *s = NULL;
        ck_assert_mote_ok(mote_session_new(m, &o, &s));
        ck_assert_int_eq(mote_session_threads(s), threads);
        ck_assert_mote_ok(mote_session_run(s, &in, 1));
        for (int i = 0; i < 3; i++) {
            mote_tensor y;
            ck_assert_mote_ok(mote_session_output(s, i, &y));
            size_t nb = mote_tensor_nbytes(&y);
            if (threads == 1) {
                first[i] = malloc(nb);
                memcpy(first[i], y.data, nb);
                bytes[i] = nb;
            } else {
                ck_assert_uint_eq(nb, bytes[i]);
                ck_assert_msg(memcmp(first[i], y.data, nb) == 0,
                              "output %d differs with %d threads", i, threads);
            }
        }
        mote_session_free(s);
    }
    /* the softmax rows are distributions */
    const float *p = first[0];
    for (int r = 0; r < 2; r++) {
        float sum = 0;
        for (int k = 0; k < 5; k++) sum += p[r * 5 + k];
        ck_assert_float_eq_tol(sum, 1.0f, 1e-5f);
    }
    for (int i = 0; i < 3; i++) free(first[i]);
    mote_model_close(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ops_conv");
    TCase *t = tcase_create("conv");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_conv_hand_cases);
    tcase_add_test(t, test_conv_auto_pad);
    tcase_add_test(t, test_conv_algorithms_match_direct);
    tcase_add_test(t, test_conv_transposed_gemm);
    tcase_add_test(t, test_conv_dilated_winograd);
    tcase_add_test(t, test_conv_winograd_error_bound);
    tcase_add_test(t, test_conv_chan_same_bits_any_threads);
    tcase_add_test(t, test_conv_1x1_split_same_bits_any_threads);
    tcase_add_test(t, test_conv_next_dw_by_channel);
    tcase_add_test(t, test_conv_expand_dw_same_bits_any_threads);
    tcase_add_test(t, test_conv_tiled_blocks_same_bits_any_threads);
    tcase_add_test(t, test_conv_1x1_transposed_in_place_same_bits);
    tcase_add_test(t, test_conv_rejects_channel_group_and_kernel_mismatch);
    tcase_add_test(t, test_maxpool_strides_pads_and_ceil_mode);
    tcase_add_test(t, test_maxpool_rows_split_any_threads);
    tcase_add_test(t, test_pool_window_far_larger_than_image);
    tcase_add_test(t, test_averagepool_count_include_pad_and_ceil_mode);
    tcase_add_test(t, test_global_averagepool);
    tcase_add_test(t, test_global_maxpool);
    tcase_add_test(t, test_pool_rejects_bad_attributes);
    tcase_add_test(t, test_conv3d);
    tcase_add_test(t, test_conv_transpose3d_paths_agree);
    tcase_add_test(t, test_pool3d);
    tcase_add_test(t, test_list_failures_names_infer_and_prepare_errors);
    tcase_add_test(t, test_ops_give_identical_bits_for_1_2_3_threads);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return mote_test_run(suite()); }
