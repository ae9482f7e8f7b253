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
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
