/*
 * test_instrument.c — the instruments' numbers (src/runtime/instrument.c): FNV-1a
 * against its published test vectors, tensor statistics with NaN and Inf
 * left out, and per-node FLOP and byte estimates on a small graph whose
 * counts are worked out by hand below. The commands themselves are tested
 * in tests/test_instruments.sh.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "runtime/instrument.h"

START_TEST(test_fnv1a64_matches_published_vectors)
{
    ck_assert_uint_eq(mote_fnv1a64("", 0), 0xcbf29ce484222325ull);
    ck_assert_uint_eq(mote_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
    ck_assert_uint_eq(mote_fnv1a64("foobar", 6), 0x85944171f73967e8ull);
}
END_TEST

START_TEST(test_stats_leave_out_nan_and_inf)
{
    float v[6] = { 1, 2, NAN, 3, INFINITY, -INFINITY };
    mote_tensor t = { .dtype = MOTE_F32, .ndim = 1, .dims = { 6 }, .data = v };
    mote_tstats s;
    mote_tensor_stats(&t, &s);
    ck_assert_int_eq(s.n, 6);
    ck_assert_int_eq(s.nan, 1);
    ck_assert_int_eq(s.inf, 2);
    ck_assert_double_eq(s.min, 1);
    ck_assert_double_eq(s.max, 3);
    ck_assert_double_eq_tol(s.mean, 2, 1e-12);
    ck_assert_double_eq_tol(s.std, sqrt(2.0 / 3.0), 1e-12);  /* population std of 1,2,3 */
    ck_assert_int_eq(s.argmax, 3);   /* the 3, not the +inf at 4 */
}
END_TEST

START_TEST(test_stats_of_integers_and_of_no_finite_element)
{
    int32_t iv[4] = { -5, 0, 5, 10 };
    mote_tensor t = { .dtype = MOTE_I32, .ndim = 2, .dims = { 2, 2 }, .data = iv };
    mote_tstats s;
    mote_tensor_stats(&t, &s);
    ck_assert_double_eq(s.min, -5);
    ck_assert_double_eq(s.max, 10);
    ck_assert_double_eq_tol(s.mean, 2.5, 1e-12);
    float nan2[2] = { NAN, NAN };
    mote_tensor u = { .dtype = MOTE_F32, .ndim = 1, .dims = { 2 }, .data = nan2 };
    mote_tensor_stats(&u, &s);
    ck_assert_int_eq(s.nan, 2);
    ck_assert_int_eq(s.argmax, -1);
    ck_assert_double_eq(s.min, 0);
    ck_assert_double_eq(s.max, 0);
    ck_assert_double_eq(s.mean, 0);
}
END_TEST

/* A model of g (taking it) and a 1-thread session of it; asserts both. */
static mote_session *one_thread_session(mote_graph *g, mote_model **m)
{
    ck_assert_int_eq(mote_model_from_graph(g, m), MOTE_OK);
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    mote_session *s;
    ck_assert_int_eq(mote_session_new(*m, &o, &s), MOTE_OK);
    return s;
}

/*
 * x f32[1,2,5,5] -> Conv 4x2x3x3 (pads 1, bias) -> MaxPool 2x2/2 -> Flatten
 * -> Gemm with W (3,16), transB, bias. By hand:
 *   conv   y (1,4,5,5) = 100 elements, 2*100*(2*3*3) + 100 = 3700 FLOPs;
 *          bytes 200 + 288 + 16 (in) + 400 (out) = 904 (f32)
 *   pool   y (1,4,2,2) = 16 elements * 4 = 64
 *   flat   0
 *   gemm   2*3*16 + 3 = 99
 */
START_TEST(test_node_flops_and_bytes_by_hand)
{
    static float w[4 * 2 * 3 * 3], b[4], fw[3 * 16], fb[3];
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    const int64_t xd[4] = { 1, 2, 5, 5 }, wd[4] = { 4, 2, 3, 3 }, bd[1] = { 4 };
    const int64_t fwd[2] = { 3, 16 }, fbd[1] = { 3 }, pads[4] = { 1, 1, 1, 1 }, k2[2] = { 2, 2 };
    int in[3], c, p, f, y;
    in[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    in[1] = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
    in[2] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    int n = mote_graph_node(g, "Conv", "conv", 3, in, 1, NULL, &c);
    mote_graph_attr_ints(g, n, "pads", 4, pads);
    n = mote_graph_node(g, "MaxPool", "pool", 1, &c, 1, NULL, &p);
    mote_graph_attr_ints(g, n, "kernel_shape", 2, k2);
    mote_graph_attr_ints(g, n, "strides", 2, k2);
    n = mote_graph_node(g, "Flatten", "flat", 1, &p, 1, NULL, &f);
    mote_graph_attr_int(g, n, "axis", 1);
    in[0] = f;
    in[1] = mote_graph_weight(g, "fw", MOTE_F32, 2, fwd, fw);
    in[2] = mote_graph_weight(g, "fb", MOTE_F32, 1, fbd, fb);
    n = mote_graph_node(g, "Gemm", "fc", 3, in, 1, (const char *[]){ "y" }, &y);
    mote_graph_attr_int(g, n, "transB", 1);
    mote_graph_output(g, y);
    mote_model *m;
    mote_session *s = one_thread_session(g, &m);
    ck_assert_int_eq(s->n_steps, 4);
    const double want[4] = { 3700, 64, 0, 99 };
    const char *ops[4] = { "Conv", "MaxPool", "Flatten", "Gemm" };
    for (int t = 0; t < 4; t++) {
        const mote_node *nd = &s->g->nodes[s->step_node[t]];
        ck_assert_str_eq(nd->op, ops[t]);
        ck_assert_double_eq(mote_node_flops(s, nd), want[t]);
    }
    ck_assert_double_eq(mote_node_bytes(s, &s->g->nodes[s->step_node[0]]), 904);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/*
 * x f32[1,2,3,3] -> ConvTranspose W (2,4,2,2), strides 2, bias (4)
 *   -> y (1,4,6,6): 2 * 18 * (4*2*2) + 144 = 720
 * -> Resize linear to (1,4,12,12): two axes change, 2 * 2^2 per output
 *   element = 8 * 576 = 4608; nearest: 0 (a copy)
 */
/* A Conv with a fused residual Add (pass_residual: input 3, "_residual"):
 * x f32[1,2,5,5] -> Conv 2x2x3x3 (pads 1, bias) + x: y has 50 elements,
 * 2*50*(2*3*3) + 50 (bias) + 50 (the Add) = 1900 FLOPs. */
START_TEST(test_node_flops_of_conv_with_residual)
{
    static float w[2 * 2 * 3 * 3], b[2];
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    const int64_t xd[4] = { 1, 2, 5, 5 }, wd[4] = { 2, 2, 3, 3 }, bd[1] = { 2 }, pads[4] = { 1, 1, 1, 1 };
    int in[4], y;
    in[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    in[1] = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
    in[2] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    in[3] = in[0];
    int n = mote_graph_node(g, "Conv", "conv", 4, in, 1, (const char *[]){ "y" }, &y);
    mote_graph_attr_ints(g, n, "pads", 4, pads);
    mote_graph_attr_int(g, n, "_residual", 1);
    mote_graph_output(g, y);
    mote_model *m;
    mote_session *s = one_thread_session(g, &m);
    ck_assert_double_eq(mote_node_flops(s, &s->g->nodes[s->step_node[0]]), 1900);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_node_flops_of_transposed_conv_and_resize)
{
    static float w[2 * 4 * 2 * 2], b[4];
    static const float sc[4] = { 1, 1, 2, 2 };
    for (int mode = 0; mode < 2; mode++) {
        mote_graph *g = mote_graph_new();
        const int64_t xd[4] = { 1, 2, 3, 3 }, wd[4] = { 2, 4, 2, 2 }, bd[1] = { 4 }, sd[1] = { 4 };
        const int64_t s2[2] = { 2, 2 };
        int in[3], c, y;
        in[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
        in[1] = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
        in[2] = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
        int n = mote_graph_node(g, "ConvTranspose", "ct", 3, in, 1, NULL, &c);
        mote_graph_attr_ints(g, n, "strides", 2, s2);
        int rin[3] = { c, -1, mote_graph_weight(g, "s", MOTE_F32, 1, sd, sc) };
        n = mote_graph_node(g, "Resize", "rs", 3, rin, 1, (const char *[]){ "y" }, &y);
        mote_graph_attr_string(g, n, "mode", mode ? "linear" : "nearest");
        mote_graph_output(g, y);
        mote_model *m;
        ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_OK);
        mote_session_options o;
        mote_session_options_init(&o);
        o.threads = 1;
        mote_session *s;
        ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_OK);
        ck_assert_int_eq(s->n_steps, 2);
        ck_assert_double_eq(mote_node_flops(s, &s->g->nodes[s->step_node[0]]), 720);
        ck_assert_double_eq(mote_node_flops(s, &s->g->nodes[s->step_node[1]]), mode ? 4608 : 0);
        mote_session_free(s);
        mote_model_close(m);
    }
}
END_TEST

/*
 * The products and reductions that are not one step per output element,
 * each on its own input, by hand:
 *   ConvInteger u8 x (1,2,5,5), w (4,2,3,3) -> y (1,4,3,3): 2*36*18 = 1296
 *   MatMulInteger u8 (3,8) x (8,5): 2*15*8 = 240
 *   ReduceSum of (4,6) to one value: 24 (one add per input element)
 *   ArgMax of (4,6) over axis 1: 24
 *   LSTM X (T 3, B 2, I 4), W (1, 4H = 8, 4), R (1, 8, 2): 2*3*2*1*8*(4+2) = 576
 *   Einsum bij,bjk->bik on (2,3,4), (2,4,5): 2 operands * 2*3*4*5 = 240;
 *   the same with "..." for b: 240
 *   LRN size 3 on (1,4,3,3): 36*3 = 108
 *   QLinearConv as ConvInteger, with a bias: 1296 + 36; QLinearMatMul as
 *   MatMulInteger: 240; GRU with W (1, 3H = 6, 4): 2*3*2*1*6*(4+2) = 432
 */
START_TEST(test_node_flops_of_integer_products_reductions_and_cells)
{
    static uint8_t xq[50], wq[72], aq[24], bq[40];
    static float lw[32], lr[16];
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    int in[3], y, n;
    in[0] = mote_graph_input(g, "xq", MOTE_U8, 4, (const int64_t[]){ 1, 2, 5, 5 });
    in[1] = mote_graph_weight(g, "wq", MOTE_U8, 4, (const int64_t[]){ 4, 2, 3, 3 }, wq);
    (void)xq;
    mote_graph_node(g, "ConvInteger", "convint", 2, in, 1, (const char *[]){ "y0" }, &y);
    mote_graph_output(g, y);
    in[0] = mote_graph_input(g, "aq", MOTE_U8, 2, (const int64_t[]){ 3, 8 });
    in[1] = mote_graph_weight(g, "bq", MOTE_U8, 2, (const int64_t[]){ 8, 5 }, bq);
    (void)aq;
    mote_graph_node(g, "MatMulInteger", "mmint", 2, in, 1, (const char *[]){ "y1" }, &y);
    mote_graph_output(g, y);
    int r = mote_graph_input(g, "r", MOTE_F32, 2, (const int64_t[]){ 4, 6 });
    mote_graph_node(g, "ReduceSum", "rsum", 1, &r, 1, (const char *[]){ "y2" }, &y);
    mote_graph_output(g, y);
    n = mote_graph_node(g, "ArgMax", "amax", 1, &r, 1, (const char *[]){ "y3" }, &y);
    mote_graph_attr_int(g, n, "axis", 1);
    mote_graph_output(g, y);
    in[0] = mote_graph_input(g, "seq", MOTE_F32, 3, (const int64_t[]){ 3, 2, 4 });
    in[1] = mote_graph_weight(g, "lw", MOTE_F32, 3, (const int64_t[]){ 1, 8, 4 }, lw);
    in[2] = mote_graph_weight(g, "lr", MOTE_F32, 3, (const int64_t[]){ 1, 8, 2 }, lr);
    n = mote_graph_node(g, "LSTM", "lstm", 3, in, 1, (const char *[]){ "y4" }, &y);
    mote_graph_attr_int(g, n, "hidden_size", 2);
    mote_graph_output(g, y);
    in[0] = mote_graph_input(g, "ea", MOTE_F32, 3, (const int64_t[]){ 2, 3, 4 });
    in[1] = mote_graph_input(g, "eb", MOTE_F32, 3, (const int64_t[]){ 2, 4, 5 });
    n = mote_graph_node(g, "Einsum", "ein", 2, in, 1, (const char *[]){ "y5" }, &y);
    mote_graph_attr_string(g, n, "equation", "bij,bjk->bik");
    mote_graph_output(g, y);
    n = mote_graph_node(g, "Einsum", "ein_dots", 2, in, 1, (const char *[]){ "y6" }, &y);
    mote_graph_attr_string(g, n, "equation", "...ij,...jk->...ik");
    mote_graph_output(g, y);
    /* QLinearConv (weights are input 3, the bias input 8): 1296 + 36 */
    static const float one = 1.0f;
    static const uint8_t zq = 0;
    static const int32_t qb[4] = { 0 };
    int sc = mote_graph_weight(g, "one", MOTE_F32, 0, NULL, &one);
    int zp = mote_graph_weight(g, "zq", MOTE_U8, 0, NULL, &zq);
    int qin[9] = { mote_graph_input(g, "xq2", MOTE_U8, 4, (const int64_t[]){ 1, 2, 5, 5 }), sc, zp,
                   mote_graph_weight(g, "wq2", MOTE_U8, 4, (const int64_t[]){ 4, 2, 3, 3 }, wq), sc, zp, sc, zp,
                   mote_graph_weight(g, "qb", MOTE_I32, 1, (const int64_t[]){ 4 }, qb) };
    mote_graph_node(g, "QLinearConv", "qlconv", 9, qin, 1, (const char *[]){ "y8" }, &y);
    mote_graph_output(g, y);
    /* QLinearMatMul (3,8) x (8,5): 240 */
    int qmm[8] = { mote_graph_input(g, "aq2", MOTE_U8, 2, (const int64_t[]){ 3, 8 }), sc, zp,
                   mote_graph_weight(g, "bq2", MOTE_U8, 2, (const int64_t[]){ 8, 5 }, bq), sc, zp, sc, zp };
    mote_graph_node(g, "QLinearMatMul", "qlmm", 8, qmm, 1, (const char *[]){ "y9" }, &y);
    mote_graph_output(g, y);
    /* GRU X (3,2,4), W (1, 3H = 6, 4), R (1, 6, 2): 2*3*2*1*6*(4+2) = 432 */
    in[0] = mote_graph_input(g, "seq2", MOTE_F32, 3, (const int64_t[]){ 3, 2, 4 });
    in[1] = mote_graph_weight(g, "gw", MOTE_F32, 3, (const int64_t[]){ 1, 6, 4 }, lw);
    in[2] = mote_graph_weight(g, "gr", MOTE_F32, 3, (const int64_t[]){ 1, 6, 2 }, lr);
    n = mote_graph_node(g, "GRU", "gru", 3, in, 1, (const char *[]){ "y10" }, &y);
    mote_graph_attr_int(g, n, "hidden_size", 2);
    mote_graph_output(g, y);
    int l = mote_graph_input(g, "l", MOTE_F32, 4, (const int64_t[]){ 1, 4, 3, 3 });
    n = mote_graph_node(g, "LRN", "lrn", 1, &l, 1, (const char *[]){ "y7" }, &y);
    mote_graph_attr_int(g, n, "size", 3);
    mote_graph_output(g, y);
    mote_model *m;
    mote_session *s = one_thread_session(g, &m);
    static const struct { const char *name; double flops; } want[] = {
        { "convint", 1296 }, { "mmint", 240 }, { "rsum", 24 }, { "amax", 24 },
        { "lstm", 576 }, { "ein", 240 }, { "ein_dots", 240 }, { "lrn", 108 },
        { "qlconv", 1332 }, { "qlmm", 240 }, { "gru", 432 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const mote_node *nd = NULL;
        for (int t = 0; t < s->n_steps; t++)
            if (!strcmp(s->g->nodes[s->step_node[t]].name, want[i].name)) nd = &s->g->nodes[s->step_node[t]];
        ck_assert_msg(nd != NULL, "no step for node %s", want[i].name);
        ck_assert_msg(mote_node_flops(s, nd) == want[i].flops, "%s: %g FLOPs, expected %g", want[i].name,
                      mote_node_flops(s, nd), want[i].flops);
    }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("instrument");
    TCase *tc = tcase_create("numbers");
    tcase_add_test(tc, test_fnv1a64_matches_published_vectors);
    tcase_add_test(tc, test_stats_leave_out_nan_and_inf);
    tcase_add_test(tc, test_stats_of_integers_and_of_no_finite_element);
    tcase_add_test(tc, test_node_flops_and_bytes_by_hand);
    tcase_add_test(tc, test_node_flops_of_transposed_conv_and_resize);
    tcase_add_test(tc, test_node_flops_of_conv_with_residual);
    tcase_add_test(tc, test_node_flops_of_integer_products_reductions_and_cells);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
