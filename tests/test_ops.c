/*
 * test_ops.c — each op (except Conv and pooling: test_ops_conv.c) run end
 * to end as a one-node model on small inputs with hand-computed results,
 * its shape inference including the error cases, and the same bits for 1,
 * 2 and 3 threads on a small network.
 */
#include "test_ops_util.h"

#define TOL 1e-5f

/* A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]: AB = [[58,64],[139,154]] */
static const float GA[6] = {1, 2, 3, 4, 5, 6};
static const float GB[6] = {7, 8, 9, 10, 11, 12};

/* ------------------------------------------------------------------ MatMul */

START_TEST(test_matmul_2x3_times_3x2)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 2, D(2, 2));
    expect_f32(&y, F(58, 64, 139, 154), 4, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_matmul_promotes_1d_operands)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(3), F(1, 2, 3));
    op1_input(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 1, D(2));
    expect_f32(&y, F(58, 64), 2, TOL);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_weight(&t, MOTE_F32, 1, D(3), F(1, 0, -1));
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_shape(&y, 1, D(2));
    expect_f32(&y, F(-2, -2), 2, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_matmul_batches_and_broadcasts)
{
    /* B = [GB, E], E = [[1,0],[0,1],[0,0]] picks A's first two columns */
    static const float B2[12] = {7, 8, 9, 10, 11, 12, 1, 0, 0, 1, 0, 0};
    static const float A2[12] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
    const float want[8] = {58, 64, 139, 154, 1, 2, 4, 5};
    /* both batched */
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 2, 3), A2);
    op1_input(&t, MOTE_F32, 3, D(2, 3, 2), B2);
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 3, D(2, 2, 2));
    expect_f32(&y, want, 8, TOL);
    op1_free(&t);
    /* A's batch of 1 broadcasts over B's 2 */
    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(1, 2, 3), GA);
    op1_weight(&t, MOTE_F32, 3, D(2, 3, 2), B2);
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(2, 2, 2));
    expect_f32(&y, want, 8, TOL);
    op1_free(&t);
    /* a 2-D constant B folds A's batch into rows */
    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 2, 3), A2);
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(op1_run(&t, 3));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(2, 2, 2));
    expect_f32(&y, F(58, 64, 139, 154, 58, 64, 139, 154), 8, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_matmul_applies_fused_activation)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), F(1, 2, 3, -4, -5, -6));
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GB);
    int n = op1_node(&t, "MatMul", 1);
    ck_assert_mote_ok(mote_graph_attr_string(t.g, n, "_act", "Relu"));
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    expect_f32(&y, F(58, 64, 0, 0), 4, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_matmul_rejects_inner_dim_mismatch)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_weight(&t, MOTE_F32, 2, D(4, 2), F(1, 2, 3, 4, 5, 6, 7, 8));
    op1_node(&t, "MatMul", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input B has 4 rows, A has 3 columns");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 2, 3), GA);
    op1_input(&t, MOTE_F32, 3, D(3, 3, 2), GB);
    op1_node(&t, "MatMul", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "batch dims do not broadcast");

    op1_init(&t);
    op1_input(&t, MOTE_I64, 2, D(2, 3), GA);
    op1_input(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_node(&t, "MatMul", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "dtype");
}
END_TEST

/* -------------------------------------------------------------------- Gemm */

/* Runs Gemm(A (2x3 or its transpose), B (3x2 or transpose), C) and checks. */
static void gemm_case(int ta, int tb, float alpha, float beta, int c_kind,
                      int c_ndim, const int64_t *c_dims, const float *c, const char *act,
                      const float *want)
{
    static const float At[6] = {1, 4, 2, 5, 3, 6};
    static const float Bt[6] = {7, 9, 11, 8, 10, 12};
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, ta ? D(3, 2) : D(2, 3), ta ? At : GA);
    op1_weight(&t, MOTE_F32, 2, tb ? D(2, 3) : D(3, 2), tb ? Bt : GB);
    if (c_kind == 1) op1_weight(&t, MOTE_F32, c_ndim, c_dims, c);
    if (c_kind == 2) op1_input(&t, MOTE_F32, c_ndim, c_dims, c);
    int n = op1_node(&t, "Gemm", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "transA", ta));
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "transB", tb));
    ck_assert_mote_ok(mote_graph_attr_float(t.g, n, "alpha", alpha));
    ck_assert_mote_ok(mote_graph_attr_float(t.g, n, "beta", beta));
    if (act) ck_assert_mote_ok(mote_graph_attr_string(t.g, n, "_act", act));
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 2, D(2, 2));
    expect_f32(&y, want, 4, TOL);
    op1_free(&t);
}

START_TEST(test_gemm_transposes_and_bias_forms)
{
    const float ab[4] = {58, 64, 139, 154};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            gemm_case(ta, tb, 1, 1, 0, 0, NULL, NULL, NULL, ab);
    /* constant row vector C (N): bias per column */
    gemm_case(0, 0, 1, 1, 1, 1, D(2), F(1, 2), NULL, F(59, 66, 140, 156));
    /* constant column (M,1) with beta 2 */
    gemm_case(0, 1, 1, 2, 1, 2, D(2, 1), F(1, -1), NULL, F(60, 66, 137, 152));
    /* constant scalar, beta 0.5 */
    gemm_case(1, 0, 1, 0.5f, 1, 0, NULL, F(10), NULL, F(63, 69, 144, 159));
    /* full (M,N) C as a run-time input, alpha 0.5, beta 2: epilogue */
    gemm_case(0, 0, 0.5f, 2, 2, 2, D(2, 2), F(1, 2, 3, 4), NULL, F(31, 36, 75.5f, 85));
    /* run-time row vector (1,N) and column (M,1), beta 1: bias read per run */
    gemm_case(0, 0, 1, 1, 2, 2, D(1, 2), F(1, 2), NULL, F(59, 66, 140, 156));
    gemm_case(0, 0, 1, 1, 2, 2, D(2, 1), F(1, -1), NULL, F(59, 65, 138, 153));
    /* beta 0 ignores C, even a NaN one */
    gemm_case(0, 0, 1, 0, 2, 1, D(2), F(NAN, NAN), NULL, ab);
    /* fused Relu after the bias */
    gemm_case(0, 0, 1, 1, 1, 1, D(2), F(-100, 0), "Relu", F(0, 64, 39, 154));
    /* fused Relu with the epilogue (alpha != 1) */
    gemm_case(0, 0, -1, 1, 0, 0, NULL, NULL, "Relu", F(0, 0, 0, 0));
}
END_TEST

START_TEST(test_gemm_rejects_bad_shapes)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_weight(&t, MOTE_F32, 2, D(2, 3), GB);
    op1_node(&t, "Gemm", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input B has 2 rows, A has 3 columns");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(1, 2, 3), GA);
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_node(&t, "Gemm", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "must be 2-D");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GB);
    op1_weight(&t, MOTE_F32, 1, D(3), F(1, 2, 3));
    op1_node(&t, "Gemm", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "does not broadcast to (2, 2)");
}
END_TEST

/* ----------------------------------------------------------- elementwise */

static void binary_case(const char *op, mote_dtype dt, int na, const int64_t *da, const void *a,
                        int nb, const int64_t *db, const void *b, int ny, const int64_t *dy,
                        const void *want)
{
    op1 t; op1_init(&t);
    op1_input(&t, dt, na, da, a);
    op1_weight(&t, dt, nb, db, b);
    op1_node(&t, op, 1);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, ny, dy);
    ck_assert_int_eq(y.dtype, dt);
    int64_t n = mote_tensor_numel(&y);
    if (dt == MOTE_F32) {
        expect_f32(&y, want, n, TOL);
    } else {
        for (int64_t i = 0; i < n; i++) {
            int64_t got = dt == MOTE_I64 ? ((int64_t *)y.data)[i] : ((int32_t *)y.data)[i];
            int64_t exp = dt == MOTE_I64 ? ((const int64_t *)want)[i] : ((const int32_t *)want)[i];
            ck_assert_msg(got == exp, "%s y[%lld] = %lld, expected %lld", op, (long long)i,
                          (long long)got, (long long)exp);
        }
    }
    op1_free(&t);
}

START_TEST(test_binary_ops_broadcast_like_numpy)
{
    binary_case("Add", MOTE_F32, 2, D(2, 3), F(1, 2, 3, 4, 5, 6), 1, D(3), F(10, 20, 30),
                2, D(2, 3), F(11, 22, 33, 14, 25, 36));
    binary_case("Sub", MOTE_F32, 2, D(2, 1), F(1, 2), 2, D(1, 3), F(1, 2, 3),
                2, D(2, 3), F(0, -1, -2, 1, 0, -1));
    binary_case("Mul", MOTE_F32, 2, D(2, 2), F(1, 2, 3, 4), 0, NULL, F(2),
                2, D(2, 2), F(2, 4, 6, 8));
    binary_case("Div", MOTE_F32, 3, D(2, 2, 2), F(1, 2, 3, 4, 5, 6, 7, 8), 3, D(2, 1, 2),
                F(1, 2, 4, 8), 3, D(2, 2, 2), F(1, 1, 3, 2, 1.25f, 0.75f, 1.75f, 1));
    /* the smaller operand first */
    binary_case("Sub", MOTE_F32, 1, D(2), F(10, 20), 3, D(2, 1, 2), F(1, 2, 3, 4),
                3, D(2, 1, 2), F(9, 18, 7, 16));
}
END_TEST

START_TEST(test_binary_ops_integer_shape_arithmetic)
{
    binary_case("Add", MOTE_I64, 1, D(3), (const int64_t[]){1, 2, 3}, 1, D(1),
                (const int64_t[]){10}, 1, D(3), (const int64_t[]){11, 12, 13});
    binary_case("Mul", MOTE_I32, 2, D(2, 2), (const int32_t[]){1, 2, 3, 4}, 1, D(2),
                (const int32_t[]){-1, 3}, 2, D(2, 2), (const int32_t[]){-1, 6, -3, 12});
    /* truncating division; a zero divisor gives 0 */
    binary_case("Div", MOTE_I64, 1, D(3), (const int64_t[]){7, -7, 5}, 1, D(3),
                (const int64_t[]){2, 2, 0}, 1, D(3), (const int64_t[]){3, -3, 0});
    binary_case("Sub", MOTE_I64, 0, NULL, (const int64_t[]){5}, 1, D(2),
                (const int64_t[]){1, 7}, 1, D(2), (const int64_t[]){4, -2});
}
END_TEST

/* Random shapes against a naive broadcast loop (exercises dim merging). */
START_TEST(test_binary_add_matches_naive_broadcast)
{
    static const int64_t shapes[][2][4] = {
        {{2, 3, 4, 5}, {1, 3, 1, 5}}, {{2, 3, 4, 5}, {2, 1, 4, 1}}, {{1, 1, 4, 5}, {2, 3, 1, 1}},
        {{2, 3, 4, 5}, {1, 1, 1, 5}}, {{7, 1, 1, 9}, {1, 5, 3, 1}}, {{2, 3, 4, 5}, {2, 3, 4, 5}},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t *da = shapes[s][0], *db = shapes[s][1];
        float a[1024], b[1024], want[1024];
        mote_test_fill(a, 1024, (uint32_t)s + 1, -1, 1);
        mote_test_fill(b, 1024, (uint32_t)s + 50, -1, 1);
        int64_t dy[4], n = 1;
        for (int i = 0; i < 4; i++) { dy[i] = da[i] > db[i] ? da[i] : db[i]; n *= dy[i]; }
        for (int64_t i = 0; i < n; i++) {
            int64_t idx[4], r = i, oa = 0, ob = 0;
            for (int d = 3; d >= 0; d--) { idx[d] = r % dy[d]; r /= dy[d]; }
            for (int d = 0; d < 4; d++) {
                oa = oa * da[d] + (da[d] == 1 ? 0 : idx[d]);
                ob = ob * db[d] + (db[d] == 1 ? 0 : idx[d]);
            }
            want[i] = a[oa] + b[ob];
        }
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 4, da, a);
        op1_input(&t, MOTE_F32, 4, db, b);
        op1_node(&t, "Add", 1);
        ck_assert_mote_ok(op1_run(&t, 3));
        mote_tensor y = op1_out(&t, 0);
        expect_shape(&y, 4, dy);
        expect_f32(&y, want, n, 0);
        op1_free(&t);
    }
}
END_TEST

START_TEST(test_binary_rejects_incompatible_shapes_and_dtypes)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_input(&t, MOTE_F32, 1, D(4), GA);
    op1_node(&t, "Add", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "cannot broadcast A [2,3] with B [4]");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(2), GA);
    op1_input(&t, MOTE_I64, 1, D(2), GA);
    op1_node(&t, "Mul", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input A is f32 but input B is i64");
}
END_TEST

static void unary_case(const char *op, const char *attr, const char *sval, float fval,
                       const float *x, const float *want, int n)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(n), x);
    int node = op1_node(&t, op, 1);
    if (attr && sval) ck_assert_mote_ok(mote_graph_attr_string(t.g, node, attr, sval));
    if (attr && !sval) ck_assert_mote_ok(mote_graph_attr_float(t.g, node, attr, fval));
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 1, D(n));
    expect_f32(&y, want, n, TOL);
    op1_free(&t);
}

START_TEST(test_unary_ops_known_values)
{
    const float x[5] = {-2, -0.5f, 0, 1, 3};
    unary_case("Relu", NULL, NULL, 0, x, F(0, 0, 0, 1, 3), 5);
    unary_case("LeakyRelu", "alpha", NULL, 0.1f, x, F(-0.2f, -0.05f, 0, 1, 3), 5);
    unary_case("LeakyRelu", NULL, NULL, 0, x, F(-0.02f, -0.005f, 0, 1, 3), 5); /* alpha 0.01 */
    unary_case("Sigmoid", NULL, NULL, 0, F(0, logf(3), -logf(3)), F(0.5f, 0.75f, 0.25f), 3);
    unary_case("Tanh", NULL, NULL, 0, F(0, logf(2), -logf(2)), F(0, 0.6f, -0.6f), 3);
    unary_case("Gelu", NULL, NULL, 0, F(0, 1, -1), F(0, 0.8413447461f, -0.1586552539f), 3);
    unary_case("Gelu", "approximate", "tanh", 0, F(0, 1), F(0, 0.8411919906f), 2);
    unary_case("Exp", NULL, NULL, 0, F(0, 1, logf(5)), F(1, 2.7182818285f, 5), 3);
    unary_case("Sqrt", NULL, NULL, 0, F(0, 1, 4, 6.25f), F(0, 1, 2, 2.5f), 4);
}
END_TEST

START_TEST(test_unary_ops_reject_bad_input)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(2), GA);
    int n = op1_node(&t, "Gelu", 1);
    ck_assert_mote_ok(mote_graph_attr_string(t.g, n, "approximate", "fast"));
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "approximate='fast'");

    op1_init(&t);
    op1_input(&t, MOTE_I64, 1, D(2), GA);
    op1_node(&t, "Relu", 1);
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "dtype i64 is not supported (f32 only)");
}
END_TEST

START_TEST(test_sin_cos_prelu_known_values)
{
    unary_case("Sin", NULL, NULL, 0, F(0, 1.5707963268f, -0.5235987756f), F(0, 1, -0.5f), 3);
    unary_case("Cos", NULL, NULL, 0, F(0, 3.1415926536f, 1.0471975512f), F(1, -1, 0.5f), 3);
    /* PRelu: slope per channel of [1, 2, 2], broadcast from [2, 1] */
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(1, 2, 2), F(-2, 3, -4, 5));
    op1_weight(&t, MOTE_F32, 2, D(2, 1), F(0.5f, 0.25f));
    op1_node(&t, "PRelu", 1);
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 3, D(1, 2, 2));
    expect_f32(&y, F(-1, 3, -1, 5), 4, TOL);
    op1_free(&t);
}
END_TEST

START_TEST(test_prelu_rejects_slope_wider_than_x)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(2), GA);
    op1_weight(&t, MOTE_F32, 2, D(3, 2), GA);
    op1_node(&t, "PRelu", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "slope [3,2] does not broadcast to X [2]");

    op1_init(&t);
    op1_input(&t, MOTE_I64, 1, D(2), GA);
    op1_weight(&t, MOTE_F32, 1, D(1), GA);
    op1_node(&t, "PRelu", 1);
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "f32 only");
}
END_TEST

/* Trilu on two 2x3 matrices, k from a run-time input and from a weight. */
START_TEST(test_trilu_upper_lower_and_runtime_k)
{
    const float x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const int64_t k1 = 1, km1 = -1;
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 2, 3), x);
    op1_input(&t, MOTE_I64, 0, D(0), &k1);
    op1_node(&t, "Trilu", 1);   /* upper, k = 1: j - i >= 1 */
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_f32(&y, F(0, 2, 3, 0, 0, 6, 0, 8, 9, 0, 0, 12), 12, 0);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 2, 3), x);
    op1_weight(&t, MOTE_I64, 0, D(0), &km1);
    int n = op1_node(&t, "Trilu", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "upper", 0));   /* lower, k = -1 */
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_f32(&y, F(0, 0, 0, 4, 0, 0, 0, 0, 0, 10, 0, 0), 12, 0);
    op1_free(&t);
}
END_TEST

START_TEST(test_trilu_rejects_bad_rank_k_and_upper)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 1, D(3), GA);
    op1_node(&t, "Trilu", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "rank 1; Trilu needs at least 2");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 2), GA);
    op1_input(&t, MOTE_I32, 1, D(1), GA);
    op1_node(&t, "Trilu", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "k is i32; it must be int64");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 2), GA);
    int n = op1_node(&t, "Trilu", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "upper", 2));
    op1_expect_error(&t, MOTE_ERR_GRAPH, "upper=2");
}
END_TEST

/* ----------------------------------------------------------------- Softmax */

static void softmax_case(int64_t axis, int legacy, int nd, const int64_t *dims,
                         const float *x, const float *want)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, nd, dims, x);
    int n = op1_node(&t, "Softmax", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", axis));
    if (legacy) ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "_legacy_axis", 1));
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, nd, dims);
    int64_t cnt = 1;
    for (int i = 0; i < nd; i++) cnt *= dims[i];
    expect_f32(&y, want, cnt, TOL);
    op1_free(&t);
}

START_TEST(test_softmax_axes)
{
    float l3 = logf(3), l5 = logf(5);
    const float x[6] = {0, 0, l3, l3, 0, 0};
    /* last axis: rows [1,1,3]/5 and [3,1,1]/5 */
    softmax_case(-1, 0, 2, D(2, 3), x, F(0.2f, 0.2f, 0.6f, 0.6f, 0.2f, 0.2f));
    /* axis 0: columns [1,3]/4, [1,1]/2, [3,1]/4 */
    softmax_case(0, 0, 2, D(2, 3), x, F(0.25f, 0.5f, 0.75f, 0.75f, 0.5f, 0.25f));
    /* opset 13 axis 1 of (2,2,2): pairs along the middle axis */
    const float z[8] = {0, 0, 0, l5, 0, 0, 0, 0};
    softmax_case(1, 0, 3, D(2, 2, 2), z,
                 F(0.5f, 1.0f / 6, 0.5f, 5.0f / 6, 0.5f, 0.5f, 0.5f, 0.5f));
    /* opset < 13 axis 1 of (2,2,2): each image of 4 as one row */
    softmax_case(1, 1, 3, D(2, 2, 2), z,
                 F(0.125f, 0.125f, 0.125f, 0.625f, 0.25f, 0.25f, 0.25f, 0.25f));
}
END_TEST

START_TEST(test_softmax_rejects_bad_axis)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    int n = op1_node(&t, "Softmax", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 2));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "axis 2 is out of range for rank 2");
}
END_TEST

/* ------------------------------------------------------------------ norms */

START_TEST(test_layernorm_with_mean_and_invstddev)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 4), F(1, 2, 3, 4, 2, 2, 2, 2));
    op1_weight(&t, MOTE_F32, 1, D(4), F(1, 2, 1, 1));
    op1_weight(&t, MOTE_F32, 1, D(4), F(0, 0, 1, 0));
    op1_node(&t, "LayerNormalization", 3);
    ck_assert_mote_ok(op1_run(&t, 2));
    float i0 = 1.0f / sqrtf(1.25f + 1e-5f), i1 = 1.0f / sqrtf(1e-5f);
    mote_tensor y = op1_out(&t, 0), m = op1_out(&t, 1), v = op1_out(&t, 2);
    expect_shape(&y, 2, D(2, 4));
    expect_f32(&y, F(-1.5f * i0, -1.0f * i0, 0.5f * i0 + 1, 1.5f * i0, 0, 0, 1, 0), 8, 1e-4f);
    expect_shape(&m, 2, D(2, 1));
    expect_f32(&m, F(2.5f, 2), 2, TOL);
    expect_f32(&v, F(i0, i1), 2, 1e-4f);
    op1_free(&t);
}
END_TEST

START_TEST(test_layernorm_axis_zero_and_errors)
{
    /* axis 0 normalizes everything; a constant scalar Scale broadcasts */
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 2), F(1, 2, 3, 4));
    op1_weight(&t, MOTE_F32, 1, D(1), F(2));
    int n = op1_node(&t, "LayerNormalization", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 0));
    ck_assert_mote_ok(mote_graph_attr_float(t.g, n, "epsilon", 0));
    ck_assert_mote_ok(op1_run(&t, 1));
    mote_tensor y = op1_out(&t, 0);
    float i = 2 / sqrtf(1.25f);
    expect_f32(&y, F(-1.5f * i, -0.5f * i, 0.5f * i, 1.5f * i), 4, 1e-5f);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 4), GA);
    op1_weight(&t, MOTE_F32, 1, D(3), F(1, 1, 1));
    op1_node(&t, "LayerNormalization", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "Scale has 3 elements, the normalized shape has 4");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 4), GA);
    op1_weight(&t, MOTE_F32, 1, D(4), F(1, 1, 1, 1));
    n = op1_node(&t, "LayerNormalization", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", -3));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "axis -3 is out of range");
}
END_TEST

START_TEST(test_batchnorm_folds_statistics)
{
    /* s = scale/sqrt(var), t = B - mean*s: channel 0: s 1, t -1; channel 1: s 2, t -5 */
    static const float mean[2] = {1, 3}, var[2] = {4, 0.25f};
    for (int constant = 0; constant < 2; constant++) {
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 4, D(1, 2, 1, 2), F(1, 2, 3, 4));
        op1_weight(&t, MOTE_F32, 1, D(2), F(2, 1));
        op1_weight(&t, MOTE_F32, 1, D(2), F(0, 1));
        if (constant) {
            op1_weight(&t, MOTE_F32, 1, D(2), mean);
            op1_weight(&t, MOTE_F32, 1, D(2), var);
        } else {
            op1_input(&t, MOTE_F32, 1, D(2), mean);
            op1_input(&t, MOTE_F32, 1, D(2), var);
        }
        int n = op1_node(&t, "BatchNormalization", 1);
        ck_assert_mote_ok(mote_graph_attr_float(t.g, n, "epsilon", 0));
        ck_assert_mote_ok(op1_run(&t, 2));
        mote_tensor y = op1_out(&t, 0);
        expect_shape(&y, 4, D(1, 2, 1, 2));
        expect_f32(&y, F(0, 1, 1, 3), 4, TOL);
        op1_free(&t);
    }
}
END_TEST

START_TEST(test_batchnorm_rejects_training_and_bad_shapes)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(1, 2, 1, 2), GA);
    for (int i = 0; i < 4; i++) op1_weight(&t, MOTE_F32, 1, D(2), F(1, 1));
    int n = op1_node(&t, "BatchNormalization", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "training_mode", 1));
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "training_mode");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 4, D(1, 2, 1, 2), GA);
    for (int i = 0; i < 3; i++) op1_weight(&t, MOTE_F32, 1, D(2), F(1, 1));
    op1_weight(&t, MOTE_F32, 1, D(3), F(1, 1, 1));
    op1_node(&t, "BatchNormalization", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input_var must have shape (2)");
}
END_TEST

/* -------------------------------------------------------------- layout ops */

START_TEST(test_flatten_axes)
{
    static const struct { int64_t axis, d0, d1; } cases[] = {{0, 1, 24}, {2, 6, 4}, {-1, 6, 4}, {3, 24, 1}};
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    for (size_t c = 0; c < 4; c++) {
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 3, D(2, 3, 4), x);
        int n = op1_node(&t, "Flatten", 1);
        ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", cases[c].axis));
        ck_assert_mote_ok(op1_run(&t, 1));
        mote_tensor y = op1_out(&t, 0);
        expect_shape(&y, 2, D(cases[c].d0, cases[c].d1));
        expect_f32(&y, x, 24, 0);
        op1_free(&t);
    }
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), x);
    int n = op1_node(&t, "Flatten", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 3));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "axis 3 is out of range");
}
END_TEST

static mote_status reshape_run(op1 *t, const int64_t *shape, int n, int allowzero, const float *x)
{
    op1_init(t);
    op1_input(t, MOTE_F32, 3, D(2, 3, 4), x);
    op1_weight(t, MOTE_I64, 1, D(n), shape);
    int node = op1_node(t, "Reshape", 1);
    if (allowzero) ck_assert_mote_ok(mote_graph_attr_int(t->g, node, "allowzero", 1));
    return op1_run(t, 1);
}

START_TEST(test_reshape_zero_and_minus_one)
{
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    op1 t;
    ck_assert_mote_ok(reshape_run(&t, D(0, -1), 2, 0, x));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 2, D(2, 12));
    expect_f32(&y, x, 24, 0);
    op1_free(&t);
    ck_assert_mote_ok(reshape_run(&t, D(4, 0, -1), 3, 0, x));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(4, 3, 2));
    op1_free(&t);
    ck_assert_mote_ok(reshape_run(&t, D(-1), 1, 0, x));
    y = op1_out(&t, 0);
    expect_shape(&y, 1, D(24));
    op1_free(&t);
    ck_assert_mote_ok(reshape_run(&t, D(1, 2, 1, 12), 4, 1, x));
    y = op1_out(&t, 0);
    expect_shape(&y, 4, D(1, 2, 1, 12));
    op1_free(&t);
}
END_TEST

START_TEST(test_reshape_rejects_wrong_element_count)
{
    float x[24] = {0};
    op1 t;
    ck_assert_int_eq(reshape_run(&t, D(5, -1), 2, 0, x), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "cannot reshape [2,3,4] (24 elements) into [5,-1]"));
    op1_free(&t);
    ck_assert_int_eq(reshape_run(&t, D(5, 5), 2, 0, x), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "into [5,5] (25 elements)"));
    op1_free(&t);
    ck_assert_int_eq(reshape_run(&t, D(-1, -1), 2, 0, x), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "more than one -1"));
    op1_free(&t);
    ck_assert_int_eq(reshape_run(&t, D(0, -1), 2, 1, x), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "both -1 and 0"));
    op1_free(&t);
    /* a computed (non-constant) shape */
    op1_init(&t);
    op1_input(&t, MOTE_F32, 3, D(2, 3, 4), x);
    op1_input(&t, MOTE_I64, 1, D(2), D(6, 4));
    op1_node(&t, "Reshape", 1);
    op1_expect_error(&t, MOTE_ERR_UNSUPPORTED, "must be a constant");
}
END_TEST

START_TEST(test_transpose_default_and_perm_any_dtype)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    op1_node(&t, "Transpose", 1);
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 2, D(3, 2));
    expect_f32(&y, F(1, 4, 2, 5, 3, 6), 6, 0);
    op1_free(&t);

    /* i64 (2,2,3), perm (1,0,2): swaps the two outer axes */
    const int64_t xi[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    op1_init(&t);
    op1_input(&t, MOTE_I64, 3, D(2, 2, 3), xi);
    int n = op1_node(&t, "Transpose", 1);
    ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "perm", 3, D(1, 0, 2)));
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(2, 2, 3));
    const int64_t want[12] = {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11};
    ck_assert_int_eq(memcmp(y.data, want, sizeof want), 0);
    op1_free(&t);

    /* u8 (2,3,4), perm (2,0,1): y[k,i,j] = x[i,j,k] */
    uint8_t xu[24], wu[24];
    for (int i = 0; i < 24; i++) xu[i] = (uint8_t)i;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) wu[(k * 2 + i) * 3 + j] = xu[(i * 3 + j) * 4 + k];
    op1_init(&t);
    op1_input(&t, MOTE_U8, 3, D(2, 3, 4), xu);
    n = op1_node(&t, "Transpose", 1);
    ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "perm", 3, D(2, 0, 1)));
    ck_assert_mote_ok(op1_run(&t, 3));
    y = op1_out(&t, 0);
    expect_shape(&y, 3, D(4, 2, 3));
    ck_assert_int_eq(memcmp(y.data, wu, sizeof wu), 0);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 3), GA);
    n = op1_node(&t, "Transpose", 1);
    ck_assert_mote_ok(mote_graph_attr_ints(t.g, n, "perm", 2, D(0, 0)));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "not a permutation");
}
END_TEST

/* The 2-D transpose path (the input's last axis becomes the output's
 * second-to-last: NHWC <-> NCHW with few or many channels, batches, large
 * enough to be split: over 2^17 elements) moves every f32 bit as the
 * definition says, for 1, 2 and 3 threads. */
START_TEST(test_transpose_layout_changes_any_threads)
{
    static const int64_t shapes[][4] = {
        {1, 13, 37, 3}, {1, 64, 40, 4}, {2, 5, 7, 1}, {1, 9, 11, 17}, {3, 4, 6, 5},
        {1, 130, 257, 3}, {1, 96, 8, 8}, {1, 4, 160, 161}, {1, 200, 256, 3},
    };
    static const int perms[][4] = { {0, 3, 1, 2}, {0, 2, 3, 1}, {0, 1, 3, 2}, {3, 1, 2, 0} };
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (size_t pi = 0; pi < sizeof perms / sizeof perms[0]; pi++) {
            const int64_t *d = shapes[si];
            const int *pm = perms[pi];
            int64_t n = d[0] * d[1] * d[2] * d[3], od[4], xs[4] = {d[1] * d[2] * d[3], d[2] * d[3], d[3], 1};
            uint32_t *x = malloc(sizeof(uint32_t) * (size_t)n), *want = malloc(sizeof(uint32_t) * (size_t)n);
            for (int64_t i = 0; i < n; i++)
                x[i] = 0x3f800000u + (uint32_t)i * 7u;   /* distinct floats */
            x[n - 1] = 0x7fc00abcu;                        /* a NaN keeps its payload */
            for (int k = 0; k < 4; k++)
                od[k] = d[pm[k]];
            int64_t o = 0;
            for (int64_t a = 0; a < od[0]; a++)
                for (int64_t b = 0; b < od[1]; b++)
                    for (int64_t c = 0; c < od[2]; c++)
                        for (int64_t e = 0; e < od[3]; e++)
                            want[o++] = x[a * xs[pm[0]] + b * xs[pm[1]] + c * xs[pm[2]] + e * xs[pm[3]]];
            for (int threads = 1; threads <= 3; threads++) {
                op1 t; op1_init(&t);
                op1_input(&t, MOTE_F32, 4, d, x);
                int nd = op1_node(&t, "Transpose", 1);
                ck_assert_mote_ok(mote_graph_attr_ints(t.g, nd, "perm", 4,
                                                       D(pm[0], pm[1], pm[2], pm[3])));
                ck_assert_mote_ok(op1_run(&t, threads));
                mote_tensor y = op1_out(&t, 0);
                expect_shape(&y, 4, od);
                ck_assert_msg(memcmp(y.data, want, sizeof(uint32_t) * (size_t)n) == 0,
                              "shape %zu perm %zu, %d threads", si, pi, threads);
                op1_free(&t);
            }
            free(x); free(want);
        }
}
END_TEST

/* Cast's typed loops (bool, u8, i8, i32 -> f32; f32 -> bool) and the f32
 * comparisons' per-operator loops give the definition's values: NaN is
 * true as a bool and unequal to itself, -0 equals 0; a scalar operand
 * broadcasts. 70000 elements, so 2 threads split them. */
START_TEST(test_cast_and_compare_fast_paths)
{
    enum { N = 70000 };
    static uint8_t b8[N], y8[N];
    static int8_t i8[N];
    static int32_t i32[N];
    static float f[N], g[N];
    for (int i = 0; i < N; i++) {
        b8[i] = (uint8_t)(i * 37 % 251);
        i8[i] = (int8_t)(i * 13 % 256 - 128);
        i32[i] = (int32_t)((uint32_t)i * 2654435761u);   /* some past 2^24: rounded */
        f[i] = (float)(i % 7) - 3.0f;
        g[i] = (float)(i % 5) - 2.0f;
    }
    f[1] = NAN; f[2] = -0.0f; g[2] = 0.0f; f[3] = 1e-40f; g[4] = NAN;
    const struct { mote_dtype dt; const void *x; } src[] = {
        {MOTE_BOOL, y8}, {MOTE_U8, b8}, {MOTE_I8, i8}, {MOTE_I32, i32},
    };
    for (int i = 0; i < N; i++)
        y8[i] = b8[i] & 1;
    for (int threads = 1; threads <= 2; threads++) {
        for (size_t k = 0; k < sizeof src / sizeof src[0]; k++) {
            op1 t; op1_init(&t);
            op1_input(&t, src[k].dt, 1, D(N), src[k].x);
            int n = op1_node(&t, "Cast", 1);
            ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "to", 1));
            ck_assert_mote_ok(op1_run(&t, threads));
            mote_tensor y = op1_out(&t, 0);
            const float *yf = y.data;
            for (int i = 0; i < N; i++) {
                double want = src[k].dt == MOTE_I8 ? i8[i] : src[k].dt == MOTE_I32 ? i32[i]
                              : ((const uint8_t *)src[k].x)[i];
                ck_assert_msg(yf[i] == (float)want, "cast %zu [%d] = %g, want %g", k, i,
                              (double)yf[i], want);
            }
            op1_free(&t);
        }
        op1 t; op1_init(&t);
        op1_input(&t, MOTE_F32, 1, D(N), f);
        int n = op1_node(&t, "Cast", 1);
        ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "to", 9));
        ck_assert_mote_ok(op1_run(&t, threads));
        mote_tensor y = op1_out(&t, 0);
        for (int i = 0; i < N; i++)
            ck_assert_int_eq(((const uint8_t *)y.data)[i], f[i] != 0.0f);
        ck_assert_int_eq(((const uint8_t *)y.data)[1], 1);   /* NaN */
        ck_assert_int_eq(((const uint8_t *)y.data)[2], 0);   /* -0 */
        op1_free(&t);

        static const char *const ops[] = {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"};
        for (int o = 0; o < 5; o++)
            for (int scalar = 0; scalar < 2; scalar++) {
                op1_init(&t);
                op1_input(&t, MOTE_F32, 1, D(N), f);
                op1_input(&t, MOTE_F32, 1, D(scalar ? 1 : N), scalar ? g + 3 : g);
                op1_node(&t, ops[o], 1);
                ck_assert_mote_ok(op1_run(&t, threads));
                y = op1_out(&t, 0);
                for (int i = 0; i < N; i++) {
                    float a = f[i], b = scalar ? g[3] : g[i];
                    int want = o == 0 ? a == b : o == 1 ? a < b : o == 2 ? a <= b : o == 3 ? a > b : a >= b;
                    ck_assert_msg(((const uint8_t *)y.data)[i] == want, "%s [%d] (%g, %g)", ops[o], i,
                                  (double)a, (double)b);
                }
                op1_free(&t);
            }
    }
}
END_TEST

/* Resize's row kernel split over 1, 2 and 3 threads gives the same bits:
 * NCHW planes and NHWC blocks, up and down, every mode, widths past a
 * vector's. */
START_TEST(test_resize_rows_same_bits_any_threads)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const int64_t shapes[][8] = {   /* in, out */
        {1, 3, 37, 45, 1, 3, 74, 90}, {1, 2, 40, 40, 1, 2, 17, 23}, {1, 29, 31, 5, 1, 58, 62, 5},
    };
    for (int sh = 0; sh < 3; sh++)
        for (int m = 0; m < 3; m++) {
            const int64_t *d = shapes[sh], *o = shapes[sh] + 4;
            int64_t n = d[0] * d[1] * d[2] * d[3], no = o[0] * o[1] * o[2] * o[3];
            float *x = malloc(sizeof(float) * (size_t)n), *ref = malloc(sizeof(float) * (size_t)no);
            for (int64_t i = 0; i < n; i++)
                x[i] = (float)((i * 7919) % 1009) / 97.0f - 5.0f;
            for (int threads = 1; threads <= 3; threads++) {
                op1 t; op1_init(&t);
                op1_input(&t, MOTE_F32, 4, d, x);
                op1_absent(&t);
                op1_absent(&t);
                op1_weight(&t, MOTE_I64, 1, D(4), o);
                int nd = op1_node(&t, "Resize", 1);
                ck_assert_mote_ok(mote_graph_attr_string(t.g, nd, "mode", modes[m]));
                ck_assert_mote_ok(op1_run(&t, threads));
                mote_tensor y = op1_out(&t, 0);
                expect_shape(&y, 4, o);
                if (threads == 1)
                    memcpy(ref, y.data, sizeof(float) * (size_t)no);
                else
                    ck_assert_msg(!memcmp(ref, y.data, sizeof(float) * (size_t)no),
                                  "shape %d %s: %d threads differ from 1", sh, modes[m], threads);
                op1_free(&t);
            }
            free(x); free(ref);
        }
}
END_TEST

START_TEST(test_concat_axes_and_dtypes)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 1), F(1, 2));
    op1_weight(&t, MOTE_F32, 2, D(2, 2), F(3, 4, 5, 6));
    int n = op1_node(&t, "Concat", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", -1));
    ck_assert_mote_ok(op1_run(&t, 2));
    mote_tensor y = op1_out(&t, 0);
    expect_shape(&y, 2, D(2, 3));
    expect_f32(&y, F(1, 3, 4, 2, 5, 6), 6, 0);
    op1_free(&t);

    op1_init(&t);
    op1_input(&t, MOTE_I64, 1, D(2), D(7, 8));
    op1_weight(&t, MOTE_I64, 1, D(1), D(-1));
    op1_input(&t, MOTE_I64, 1, D(3), D(1, 2, 3));
    n = op1_node(&t, "Concat", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 0));
    ck_assert_mote_ok(op1_run(&t, 1));
    y = op1_out(&t, 0);
    expect_shape(&y, 1, D(6));
    ck_assert_int_eq(memcmp(y.data, D(7, 8, -1, 1, 2, 3), 6 * sizeof(int64_t)), 0);
    op1_free(&t);
}
END_TEST

START_TEST(test_concat_rejects_mismatched_inputs)
{
    op1 t; op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 1), GA);
    op1_input(&t, MOTE_F32, 2, D(3, 2), GA);
    int n = op1_node(&t, "Concat", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 1));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "input 1 has 3 at axis 0, input 0 has 2");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 1), GA);
    n = op1_node(&t, "Concat", 1);
    ck_assert_mote_ok(mote_graph_attr_int(t.g, n, "axis", 2));
    op1_expect_error(&t, MOTE_ERR_SHAPE, "axis 2 is out of range");

    op1_init(&t);
    op1_input(&t, MOTE_F32, 2, D(2, 1), GA);
    op1_node(&t, "Concat", 1);
    op1_expect_error(&t, MOTE_ERR_SHAPE, "axis is required");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ops");
    TCase *t = tcase_create("ops");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_matmul_2x3_times_3x2);
    tcase_add_test(t, test_matmul_promotes_1d_operands);
    tcase_add_test(t, test_matmul_batches_and_broadcasts);
    tcase_add_test(t, test_matmul_applies_fused_activation);
    tcase_add_test(t, test_matmul_rejects_inner_dim_mismatch);
    tcase_add_test(t, test_gemm_transposes_and_bias_forms);
    tcase_add_test(t, test_gemm_rejects_bad_shapes);
    tcase_add_test(t, test_binary_ops_broadcast_like_numpy);
    tcase_add_test(t, test_binary_ops_integer_shape_arithmetic);
    tcase_add_test(t, test_binary_add_matches_naive_broadcast);
    tcase_add_test(t, test_binary_rejects_incompatible_shapes_and_dtypes);
    tcase_add_test(t, test_unary_ops_known_values);
    tcase_add_test(t, test_unary_ops_reject_bad_input);
    tcase_add_test(t, test_sin_cos_prelu_known_values);
    tcase_add_test(t, test_prelu_rejects_slope_wider_than_x);
    tcase_add_test(t, test_trilu_upper_lower_and_runtime_k);
    tcase_add_test(t, test_trilu_rejects_bad_rank_k_and_upper);
    tcase_add_test(t, test_softmax_axes);
    tcase_add_test(t, test_softmax_rejects_bad_axis);
    tcase_add_test(t, test_layernorm_with_mean_and_invstddev);
    tcase_add_test(t, test_layernorm_axis_zero_and_errors);
    tcase_add_test(t, test_batchnorm_folds_statistics);
    tcase_add_test(t, test_batchnorm_rejects_training_and_bad_shapes);
    tcase_add_test(t, test_flatten_axes);
    tcase_add_test(t, test_reshape_zero_and_minus_one);
    tcase_add_test(t, test_reshape_rejects_wrong_element_count);
    tcase_add_test(t, test_transpose_default_and_perm_any_dtype);
    tcase_add_test(t, test_transpose_layout_changes_any_threads);
    tcase_add_test(t, test_cast_and_compare_fast_paths);
    tcase_add_test(t, test_resize_rows_same_bits_any_threads);
    tcase_add_test(t, test_concat_axes_and_dtypes);
    tcase_add_test(t, test_concat_rejects_mismatched_inputs);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return mote_test_run(suite()); }
