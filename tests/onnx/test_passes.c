/*
 * test_passes.c — the convert-time passes, on graphs built
 * with the graph builder: each pattern is fused into the node it should
 * become, and the optimized graph computes what the original did (both
 * run by sessions); near misses are left alone. Also shape inference
 * errors of the math, logic and shape ops, and a few reference kernels on hand-computed
 * values. The node-level conformance runner is run_node_tests.c.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"
#include "graph/graph.h"
#include "graph/internal.h"
#include "passes/passes.h"

/* Runs g (consumed) on one f32 input; copies output 0 into y (n floats). */
static mote_status run_graph(mote_graph *g, const mote_tensor *in, float *y, int64_t n, mote_tensor *shape)
{
    mote_model *m;
    mote_status st = mote_model_from_graph(g, &m);
    if (st)
        return st;
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = 1;
    so.pin = 0;
    so.input_shapes = in;
    so.n_input_shapes = in ? 1 : 0;
    mote_session *s;
    if (!(st = mote_session_new(m, &so, &s))) {
        mote_tensor out;
        if (!(st = mote_session_run(s, in, in ? 1 : 0)) && !(st = mote_session_output(s, 0, &out))) {
            ck_assert_int_eq(mote_tensor_numel(&out), n);
            memcpy(y, out.data, sizeof(float) * (size_t)n);
            if (shape)
                *shape = out;
        }
        mote_session_free(s);
    }
    mote_model_close(m);
    return st;
}

static int count_op(const mote_graph *g, const char *op)
{
    int k = 0;
    for (int i = 0; i < g->n_nodes; i++)
        k += !strcmp(g->nodes[i].op, op);
    return k;
}

/* Optimizes a copy of g and checks both compute the same y on x. */
static mote_graph *optimize_and_compare(mote_graph *g, const mote_tensor *x, int64_t n, float tol)
{
    mote_graph *o = mote_graph_clone(g, false);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(mote_optimize(o), MOTE_OK);
    mote_graph *keep = mote_graph_clone(o, false);
    float *a = malloc(sizeof(float) * (size_t)n), *b = malloc(sizeof(float) * (size_t)n);
    ck_assert_int_eq(run_graph(g, x, a, n, NULL), MOTE_OK);
    ck_assert_int_eq(run_graph(o, x, b, n, NULL), MOTE_OK);
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(fabsf(a[i] - b[i]) <= tol * (1 + fabsf(a[i])), "element %lld: %g vs %g",
                      (long long)i, (double)a[i], (double)b[i]);
    free(a);
    free(b);
    return keep;
}

static float *ramp(int64_t n, float lo, float hi)
{
    float *v = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)   /* irregular, deterministic values in [lo, hi] */
        v[i] = lo + (hi - lo) * (float)((i * 37 + 11) % 101) / 100.0f;
    return v;
}

/* Adds node op(ins) -> one output named out; returns the output's id. */
static int node(mote_graph *g, const char *op, const char *out, int n_in, const int *in)
{
    int id;
    ck_assert_int_ge(mote_graph_node(g, op, out, n_in, in, 1, &out, &id), 0);
    return id;
}

static int scalar(mote_graph *g, const char *name, float v)
{
    return mote_graph_weight(g, name, MOTE_F32, 0, NULL, &v);
}

/* ------------------------------------------------------- Pad into Conv */

/* x (1, 4, 9, 8) -> Pad(pads, mode, value) -> consumer op (a depthwise
 * 3x3 stride-2 Conv with pads 1,0,0,1, or a pool); opset 11 inputs.
 * algo: the Conv's _conv_algo, or NULL. Returns the graph and in *y the
 * consumer's output id. */
static mote_graph *pad_graph(const int64_t *pads, const char *mode, float value, const char *op,
                             const char *algo, int64_t group, int64_t stride, int64_t k,
                             bool share, int64_t oc)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 4, 9, 8}, pd[1] = {8}, wd[4] = {oc, 4 / group, k, k};
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int pin = mote_graph_weight(g, "pads", MOTE_I64, 1, pd, pads);
    int p = node(g, "Pad", "p", 3, (int[]){x, pin, scalar(g, "v", value)});
    if (mode)
        mote_graph_attr_string(g, g->n_nodes - 1, "mode", mode);
    int y;
    if (!strcmp(op, "Conv")) {
        float *w = ramp(wd[0] * wd[1] * k * k, -1, 1), *b = ramp(oc, -0.5f, 0.5f);
        int wi = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
        int bi = mote_graph_weight(g, "b", MOTE_F32, 1, (int64_t[]){oc}, b);
        y = node(g, "Conv", "y", 3, (int[]){p, wi, bi});
        int n = g->n_nodes - 1;
        mote_graph_attr_int(g, n, "group", group);
        mote_graph_attr_ints(g, n, "strides", 2, (int64_t[]){stride, stride});
        mote_graph_attr_ints(g, n, "pads", 4, (int64_t[]){1, 0, 0, 1});
        if (algo)
            mote_graph_attr_string(g, n, "_conv_algo", algo);
        free(w);
        free(b);
    } else {
        y = node(g, op, "y", 1, &p);
        int n = g->n_nodes - 1;
        mote_graph_attr_ints(g, n, "kernel_shape", 2, (int64_t[]){3, 3});
        mote_graph_attr_ints(g, n, "strides", 2, (int64_t[]){2, 2});
        if (!strcmp(op, "AveragePool"))
            mote_graph_attr_int(g, n, "count_include_pad", 1);
    }
    ck_assert_int_eq(mote_graph_output(g, y), MOTE_OK);
    if (share)   /* the padded tensor is also a graph output */
        ck_assert_int_eq(mote_graph_output(g, p), MOTE_OK);
    return g;
}

static int64_t out_numel(mote_graph *g, const mote_tensor *in)
{
    mote_tensor *sh = mote_pass_shapes(g, 1);
    ck_assert_ptr_nonnull(sh);
    int64_t n = mote_tensor_numel(&sh[g->outputs[0]]);
    free(sh);
    (void)in;
    return n;
}

START_TEST(test_zero_pad_folds_into_conv_for_every_algorithm)
{
    /* spatial pads only, asymmetric: H 2 before, 1 after; W 0 before, 3 after */
    static const int64_t pads[8] = {0, 0, 2, 0, 0, 0, 1, 3};
    static const struct { const char *algo; int64_t group, stride, k, oc; } cases[] = {
        {"dw3x3", 4, 2, 3, 4}, {"dw3x3", 4, 1, 3, 4}, {"dw", 4, 2, 5, 4}, {"direct", 2, 2, 3, 6},
        {"im2col", 1, 1, 3, 8}, {"im2col", 2, 2, 3, 8}, {"im2col_t", 1, 2, 3, 16},
        {"im2col_c", 1, 1, 3, 8}, {"chan", 1, 2, 3, 8}, {"winograd", 1, 1, 3, 16}, {NULL, 4, 2, 3, 4},
    };
    float *xv = ramp(288, -2, 2);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 4, 9, 8}, .data = xv};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mote_graph *g = pad_graph(pads, NULL, 0, "Conv", cases[i].algo, cases[i].group, cases[i].stride,
                                  cases[i].k, false, cases[i].oc);
        int64_t n = out_numel(g, &in);
        mote_graph *o = optimize_and_compare(g, &in, n, 1e-6f);
        ck_assert_msg(count_op(o, "Pad") == 0, "case %zu: the Pad is still there", i);
        const int64_t *cp;
        ck_assert_int_eq(mote_attr_get_ints(&o->nodes[0], "pads", &cp), 4);
        ck_assert_int_eq(cp[0], 3);   /* 1 + 2 */
        ck_assert_int_eq(cp[1], 0);
        ck_assert_int_eq(cp[2], 1);   /* 0 + 1 */
        ck_assert_int_eq(cp[3], 4);   /* 1 + 3 */
        mote_graph_free(o);
    }
    free(xv);
}
END_TEST

START_TEST(test_zero_pad_folds_into_averagepool_counting_pads_only)
{
    static const int64_t pads[8] = {0, 0, 1, 0, 0, 0, 0, 1};
    float *xv = ramp(288, -2, 2);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 4, 9, 8}, .data = xv};
    const char *ops[2] = {"AveragePool", "MaxPool"};
    for (int i = 0; i < 2; i++) {
        mote_graph *g = pad_graph(pads, NULL, 0, ops[i], NULL, 1, 1, 3, false, 4);
        int64_t n = out_numel(g, &in);
        mote_graph *o = optimize_and_compare(g, &in, n, 1e-6f);
        /* MaxPool pads with -inf, not 0: never folded */
        ck_assert_int_eq(count_op(o, "Pad"), i);
        mote_graph_free(o);
    }
    free(xv);
}
END_TEST

START_TEST(test_pad_near_misses_are_not_folded)
{
    static const int64_t spatial[8] = {0, 0, 1, 1, 0, 0, 1, 1};
    static const int64_t negative[8] = {0, 0, 1, -1, 0, 0, 1, 1};
    static const int64_t batch[8] = {1, 0, 1, 1, 0, 0, 1, 1};
    static const int64_t chan[8] = {0, 0, 1, 1, 0, 1, 1, 1};
    static const struct { const int64_t *pads; const char *mode; float value; bool share; } cases[] = {
        {spatial, NULL, 0, true},          /* the padded tensor is used elsewhere */
        {negative, NULL, 0, false},        /* a crop */
        {spatial, "reflect", 0, false},
        {spatial, "edge", 0, false},
        {spatial, NULL, 0.5f, false},      /* not a zero value */
        {batch, NULL, 0, false},           /* pads N */
        {chan, NULL, 0, false},            /* pads C */
    };
    float *xv = ramp(288, -2, 2);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 4, 9, 8}, .data = xv};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* a full conv (group 1) takes any channel count the Pad leaves */
        int64_t cin = 4 + (cases[i].pads == chan ? 1 : 0);
        mote_graph *g = mote_graph_new();
        int64_t xd[4] = {1, 4, 9, 8}, pd[1] = {8}, wd[4] = {3, cin, 3, 3};
        float *w = ramp(3 * cin * 9, -1, 1);
        int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
        int p = node(g, "Pad", "p", 3, (int[]){x, mote_graph_weight(g, "pads", MOTE_I64, 1, pd, cases[i].pads),
                                             scalar(g, "v", cases[i].value)});
        if (cases[i].mode)
            mote_graph_attr_string(g, 0, "mode", cases[i].mode);
        int y = node(g, "Conv", "y", 2, (int[]){p, mote_graph_weight(g, "w", MOTE_F32, 4, wd, w)});
        mote_graph_output(g, y);
        if (cases[i].share)
            mote_graph_output(g, p);
        free(w);
        mote_graph *o = mote_graph_clone(g, false);
        ck_assert_int_eq(mote_optimize(o), MOTE_OK);
        ck_assert_msg(count_op(o, "Pad") == 1, "case %zu was folded", i);
        const int64_t *cp;
        ck_assert_msg(mote_attr_get_ints(&o->nodes[1], "pads", &cp) < 0, "case %zu: Conv pads set", i);
        mote_graph_free(o);
        if (cases[i].pads != batch) {   /* the near misses still run as before */
            mote_graph *o2 = optimize_and_compare(g, &in, out_numel(g, &in), 0);
            mote_graph_free(o2);
        } else {
            mote_graph_free(g);
        }
    }
    free(xv);
}
END_TEST

/* --------------------------------------------- residual Add into Conv */

/* Runs g (not consumed) on `threads` threads; output 0 into y (n floats). */
static void run_threads(const mote_graph *g, const mote_tensor *in, float *y, int64_t n, int threads)
{
    mote_model *m;
    ck_assert_int_eq(mote_model_from_graph(mote_graph_clone(g, false), &m), MOTE_OK);
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = threads;
    so.pin = 0;
    so.input_shapes = in;
    so.n_input_shapes = 1;
    mote_session *s;
    ck_assert_int_eq(mote_session_new(m, &so, &s), MOTE_OK);
    mote_tensor out;
    ck_assert_int_eq(mote_session_run(s, in, 1), MOTE_OK);
    ck_assert_int_eq(mote_session_output(s, 0, &out), MOTE_OK);
    ck_assert_int_eq(mote_tensor_numel(&out), n);
    memcpy(y, out.data, sizeof(float) * (size_t)n);
    mote_session_free(s);
    mote_model_close(m);
}

/* x (N, C, H, W) -> Conv(x)[algo] -> Add(conv, r) -> act, where r =
 * LeakyRelu(Conv(x)) (a direct conv, before or after the first): the
 * graph with only the activation fused (the Add keeps it) against the
 * whole optimizer (the Add fused into the Conv), the same bits for 1, 2
 * and 3 threads. */
/* the dilation residual_case gives the main conv (and its pads scale) */
static int64_t res_dilation = 1;

static void residual_case(const char *algo, const int64_t *xd, int64_t oc, int64_t k, int64_t group,
                          int64_t stride, const char *act, bool r_first)
{
    mote_graph *g = mote_graph_new();
    int64_t C = xd[1], wd[4] = {oc, C / group, k, k}, pad = k / 2;
    int64_t nw = oc * (C / group) * k * k, nx = xd[0] * C * xd[2] * xd[3];
    float *w = ramp(nw, -1, 1), *w2 = ramp(nw, -0.7f, 0.9f), *b = ramp(oc, -0.5f, 0.5f);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int wi = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
    int w2i = mote_graph_weight(g, "w2", MOTE_F32, 4, wd, w2);
    int bi = mote_graph_weight(g, "b", MOTE_F32, 1, (int64_t[]){oc}, b);
    free(w); free(w2); free(b);
    int c = -1, r = -1;
    for (int i = 0; i < 2; i++) {
        bool main_conv = (i == 0) != r_first;
        int v = node(g, "Conv", main_conv ? "c" : "r", main_conv ? 3 : 2,
                     (int[]){x, main_conv ? wi : w2i, bi});
        int n = g->n_nodes - 1;
        mote_graph_attr_int(g, n, "group", group);
        mote_graph_attr_ints(g, n, "strides", 2, (int64_t[]){stride, stride});
        int64_t d = main_conv ? res_dilation : 1, dp = d * pad;
        mote_graph_attr_ints(g, n, "pads", 4, (int64_t[]){dp, dp, dp, dp});
        mote_graph_attr_ints(g, n, "dilations", 2, (int64_t[]){d, d});
        mote_graph_attr_string(g, n, "_conv_algo", main_conv && algo ? algo : "direct");
        if (main_conv)
            c = v;
        else   /* r's conv gets an activation: the Add can only fuse into c's */
            r = node(g, "LeakyRelu", "rl", 1, &v);
    }
    int z = node(g, "Add", "z", 2, r_first ? (int[]){r, c} : (int[]){c, r});
    int y = act ? node(g, act, "y", 1, &z) : z;
    mote_graph_output(g, y);

    mote_graph *base = mote_graph_clone(g, false), *fused = mote_graph_clone(g, false);
    int changed;
    ck_assert_int_eq(mote_pass_fuse_act(base, &changed), MOTE_OK);
    ck_assert_int_eq(mote_optimize(fused), MOTE_OK);
    ck_assert_msg(count_op(fused, "Add") == 0, "%s: the Add is still there", algo ? algo : "auto");
    int fc = -1;
    for (int i = 0; i < fused->n_nodes; i++)
        if (mote_node_attr(&fused->nodes[i], "_residual"))
            fc = i;
    ck_assert_int_ge(fc, 0);
    ck_assert_int_eq(fused->nodes[fc].n_in, 4);
    if (act)
        ck_assert_str_eq(mote_attr_get_string(&fused->nodes[fc], "_act", ""), act);
    float *xv = ramp(nx, -2, 2);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .data = xv};
    memcpy(in.dims, xd, 4 * sizeof *xd);
    int64_t n = out_numel(g, &in);
    float *want = malloc(sizeof(float) * (size_t)n), *got = malloc(sizeof(float) * (size_t)n);
    run_threads(base, &in, want, n, 1);
    for (int t = 1; t <= 3; t++) {
        run_threads(fused, &in, got, n, t);
        ck_assert_msg(!memcmp(want, got, sizeof(float) * (size_t)n), "%s %s, %d threads: not the same bits",
                      algo ? algo : "auto", act ? act : "no act", t);
    }
    free(want); free(got); free(xv);
    mote_graph_free(base);
    mote_graph_free(fused);
    mote_graph_free(g);
}

START_TEST(test_residual_add_fuses_into_conv_with_the_same_bits)
{
    const int64_t *x1 = (int64_t[]){2, 8, 9, 7}, *xdw = (int64_t[]){2, 8, 19, 23},
                  *xw = (int64_t[]){1, 16, 12, 10}, *xc = (int64_t[]){2, 3, 19, 23};
    residual_case("direct", x1, 8, 3, 1, 1, "Relu", false);
    residual_case("direct", x1, 8, 3, 2, 1, "Sigmoid", true);
    residual_case("dw3x3", xdw, 8, 3, 8, 1, "Relu", false);
    residual_case("dw3x3", xdw, 8, 3, 8, 1, "HardSwish", true);
    residual_case("dw", xdw, 8, 5, 8, 1, NULL, false);
    /* maps large enough to split by output rows on 2 and 3 threads */
    residual_case("dw3x3", (int64_t[]){2, 8, 70, 66}, 8, 3, 8, 1, "Relu", false);
    residual_case("dw3x3", (int64_t[]){1, 8, 130, 98}, 8, 3, 8, 2, "HardSwish", true);
    residual_case("dw", (int64_t[]){2, 8, 70, 66}, 8, 5, 8, 1, NULL, true);
    residual_case("gemm1x1", x1, 16, 1, 1, 1, "Relu", false);
    /* by blocks of columns: several, the last one partial */
    residual_case("gemm1x1", (int64_t[]){2, 24, 64, 50}, 24, 1, 1, 1, "Relu", true);
    residual_case("gemm1x1", (int64_t[]){1, 8, 30, 30}, 200, 1, 1, 1, "Sigmoid", false);
    /* blocks of columns a multiple of the threads: 4 on 1 and 2, 6 on 3 */
    residual_case("gemm1x1", (int64_t[]){1, 16, 70, 60}, 24, 1, 1, 1, "Relu", true);
    residual_case("gemm1x1_t", x1, 16, 1, 1, 1, "Sigmoid", true);
    residual_case("im2col", x1, 16, 3, 1, 1, "Relu", false);        /* tiled by output rows */
    residual_case("im2col", x1, 16, 3, 2, 1, "Relu", true);         /* per group */
    residual_case("im2col_t", xw, 40, 3, 1, 1, "Tanh", false);
    residual_case("im2col_n", xw, 40, 3, 1, 1, NULL, false);
    residual_case("im2col_c", xc, 16, 3, 1, 1, "Relu", true);       /* by input channel */
    residual_case("chan", xc, 16, 3, 1, 1, "Relu", false);          /* in one pass, by rows */
    residual_case("chan", (int64_t[]){2, 4, 21, 17}, 8, 5, 1, 2, "Sigmoid", true);
    residual_case("winograd", xw, 16, 3, 1, 1, "Relu", false);          /* by blocks of tile rows */
    residual_case("winograd", (int64_t[]){2, 16, 30, 26}, 16, 3, 1, 1, "Sigmoid", true);
    residual_case("winograd", (int64_t[]){2, 16, 2, 9}, 16, 3, 1, 1, "Relu", true);   /* phased */
    res_dilation = 2;   /* dilated: over its sub-lattices, the step per channel laid out */
    residual_case("winograd", (int64_t[]){2, 16, 20, 16}, 16, 3, 1, 1, "Relu", false);
    residual_case("im2col", (int64_t[]){1, 16, 20, 16}, 16, 3, 1, 1, "Sigmoid", true);
    res_dilation = 1;
    residual_case("im2col", (int64_t[]){2, 16, 40, 40}, 32, 3, 1, 1, "Relu", false);  /* row blocks */
    residual_case(NULL, xw, 16, 3, 1, 1, "Relu", false);             /* the automatic choice */
}
END_TEST

/* 1-D (N, C, L): the residual fuses the same way, the same bits */
START_TEST(test_residual_add_fuses_into_1d_conv)
{
    static const char *const algos[3] = {"direct", "im2col", "gemm1x1"};
    for (int k = 0; k < 3; k++) {
        mote_graph *g = mote_graph_new();
        int64_t ks = k == 2 ? 1 : 3, xd[3] = {2, 4, 20}, wd[3] = {6, 4, ks};
        float *w = ramp(24 * ks, -1, 1), *w2 = ramp(24 * ks, -0.5f, 0.8f);
        int x = mote_graph_input(g, "x", MOTE_F32, 3, xd);
        int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 3, wd, w)});
        mote_graph_attr_ints(g, 0, "pads", 2, (int64_t[]){ks / 2, ks / 2});
        mote_graph_attr_string(g, 0, "_conv_algo", algos[k]);
        int r0 = node(g, "Conv", "r0", 2, (int[]){x, mote_graph_weight(g, "w2", MOTE_F32, 3, wd, w2)});
        mote_graph_attr_ints(g, 1, "pads", 2, (int64_t[]){ks / 2, ks / 2});
        int r = node(g, "Tanh", "r", 1, &r0);
        int z = node(g, "Add", "z", 2, (int[]){c, r});
        int y = node(g, "Relu", "y", 1, &z);
        mote_graph_output(g, y);
        free(w); free(w2);
        mote_graph *base = mote_graph_clone(g, false);
        int changed;
        ck_assert_int_eq(mote_pass_fuse_act(base, &changed), MOTE_OK);
        ck_assert_int_eq(mote_optimize(g), MOTE_OK);
        ck_assert_int_eq(count_op(g, "Add"), 0);
        float *xv = ramp(160, -2, 2), want[240], got[240];
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 3, .dims = {2, 4, 20}, .data = xv};
        run_threads(base, &in, want, 240, 1);
        for (int t = 1; t <= 2; t++) {
            run_threads(g, &in, got, 240, t);
            ck_assert_msg(!memcmp(want, got, sizeof want), "1-D %s, %d threads: not the same bits", algos[k], t);
        }
        free(xv);
        mote_graph_free(base);
        mote_graph_free(g);
    }
}
END_TEST

START_TEST(test_residual_add_near_misses_are_not_fused)
{
    /* the residual broadcasts (1, OC, 1, 1), computed (a constant one is
     * a bias: pass_conv_affine.c folds it); the conv output has a second
     * reader; the conv already has an activation before the Add */
    for (int k = 0; k < 3; k++) {
        mote_graph *g = mote_graph_new();
        int64_t xd[4] = {1, 4, 6, 6}, wd[4] = {4, 4, 3, 3};
        float *w = ramp(144, -1, 1);
        int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
        int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 4, wd, w)});
        mote_graph_attr_ints(g, 0, "pads", 4, (int64_t[]){1, 1, 1, 1});
        int a = k == 2 ? node(g, "Relu", "a", 1, &c) : c;
        int r = k == 0 ? node(g, "GlobalAveragePool", "r", 1, &x) : x;
        int y = node(g, "Add", "y", 2, (int[]){a, r});
        mote_graph_output(g, y);
        if (k == 1)
            mote_graph_output(g, c);
        free(w);
        float *xv = ramp(144, -2, 2);
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 4, 6, 6}, .data = xv};
        mote_graph *o = optimize_and_compare(g, &in, 144, 0);
        ck_assert_msg(count_op(o, "Add") == 1, "case %d was fused", k);
        mote_graph_free(o);
        free(xv);
    }
}
END_TEST

START_TEST(test_conv_residual_input_is_checked)
{
    /* a 4th input without _residual; _residual with a wrong shape; _residual without input */
    for (int k = 0; k < 3; k++) {
        mote_graph *g = mote_graph_new();
        int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, rd[4] = {1, 3, 5, k == 1 ? 4 : 5};
        float *w = ramp(54, -1, 1), *rv = ramp(75, -1, 1);
        int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
        int wi = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
        int r = mote_graph_weight(g, "r", MOTE_F32, 4, rd, rv);
        int y = node(g, "Conv", "y", k == 2 ? 2 : 4, (int[]){x, wi, -1, r});
        mote_graph_attr_ints(g, 0, "pads", 4, (int64_t[]){1, 1, 1, 1});
        if (k)
            mote_graph_attr_int(g, 0, "_residual", 1);
        mote_graph_output(g, y);
        free(w); free(rv);
        float *xv = ramp(50, -2, 2), out[75];
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
        mote_status st = run_graph(g, &in, out, 75, NULL);
        ck_assert_int_ne(st, MOTE_OK);
        const char *want[3] = {"needs the attribute _residual = 1", "must be f32 of the output's shape",
                               "input 3 (the residual) is missing"};
        ck_assert_msg(strstr(mote_last_error(), want[k]), "case %d: %s", k, mote_last_error());
        free(xv);
    }
}
END_TEST

/* ------------------------------------------------------------ LayerNorm */

START_TEST(test_layernorm_pattern_becomes_one_layernormalization)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[3] = {2, 3, 8}, cd[1] = {8};
    float *gm = ramp(8, 0.5f, 1.5f), *bt = ramp(8, -1, 1), two = 2;
    int x = mote_graph_input(g, "x", MOTE_F32, 3, xd);
    int gamma = mote_graph_weight(g, "gamma", MOTE_F32, 1, cd, gm);
    int beta = mote_graph_weight(g, "beta", MOTE_F32, 1, cd, bt);
    int64_t axes[1] = {-1};
    int m = node(g, "ReduceMean", "m", 1, &x);
    ck_assert_int_eq(mote_graph_attr_ints(g, 0, "axes", 1, axes), MOTE_OK);
    int d = node(g, "Sub", "d", 2, (int[]){x, m});
    int p = node(g, "Pow", "p", 2, (int[]){d, mote_graph_weight(g, "two", MOTE_F32, 0, NULL, &two)});
    int v = node(g, "ReduceMean", "v", 1, &p);
    ck_assert_int_eq(mote_graph_attr_ints(g, 3, "axes", 1, axes), MOTE_OK);
    int e = node(g, "Add", "e", 2, (int[]){v, scalar(g, "eps", 1e-5f)});
    int s = node(g, "Sqrt", "s", 1, &e);
    int n = node(g, "Div", "n", 2, (int[]){d, s});
    int y1 = node(g, "Mul", "y1", 2, (int[]){n, gamma});
    int y = node(g, "Add", "y", 2, (int[]){y1, beta});
    ck_assert_int_eq(mote_graph_output(g, y), MOTE_OK);
    float *xv = ramp(48, -3, 5);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 3, .dims = {2, 3, 8}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 48, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "LayerNormalization");
    ck_assert_float_eq_tol(mote_attr_get_float(&o->nodes[0], "epsilon", 0), 1e-5f, 1e-12);
    mote_graph_free(o);
    free(gm); free(bt); free(xv);
}
END_TEST

START_TEST(test_layernorm_pattern_over_another_axis_is_left_alone)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {4, 8}, cd[1] = {8}, axes[1] = {0};
    float *gm = ramp(8, 0.5f, 1.5f), two = 2;
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int gamma = mote_graph_weight(g, "gamma", MOTE_F32, 1, cd, gm);
    int m = node(g, "ReduceMean", "m", 1, &x);
    mote_graph_attr_ints(g, 0, "axes", 1, axes);
    int d = node(g, "Sub", "d", 2, (int[]){x, m});
    int p = node(g, "Pow", "p", 2, (int[]){d, mote_graph_weight(g, "two", MOTE_F32, 0, NULL, &two)});
    int v = node(g, "ReduceMean", "v", 1, &p);
    mote_graph_attr_ints(g, 3, "axes", 1, axes);
    int e = node(g, "Add", "e", 2, (int[]){v, scalar(g, "eps", 1e-5f)});
    int s = node(g, "Sqrt", "s", 1, &e);
    int n = node(g, "Div", "n", 2, (int[]){d, s});
    int y = node(g, "Mul", "y", 2, (int[]){n, gamma});
    mote_graph_output(g, y);
    float *xv = ramp(32, -3, 5);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {4, 8}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 32, 1e-5f);
    ck_assert_int_eq(count_op(o, "LayerNormalization"), 0);
    mote_graph_free(o);
    free(gm); free(xv);
}
END_TEST

/* ----------------------------------------------------------------- GELU */

START_TEST(test_gelu_erf_pattern_becomes_gelu)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {3, 7};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int a = node(g, "Div", "a", 2, (int[]){x, scalar(g, "sqrt2", 1.4142135f)});
    int b = node(g, "Erf", "b", 1, &a);
    int c = node(g, "Add", "c", 2, (int[]){b, scalar(g, "one", 1.0f)});
    int d = node(g, "Mul", "d", 2, (int[]){x, c});
    int y = node(g, "Mul", "y", 2, (int[]){d, scalar(g, "half", 0.5f)});
    mote_graph_output(g, y);
    float *xv = ramp(21, -4, 4);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 7}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 21, 1e-6f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Gelu");
    ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "approximate", "none"), "none");
    mote_graph_free(o);
    free(xv);
}
END_TEST

START_TEST(test_gelu_tanh_pattern_becomes_gelu_tanh)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[1] = {19};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, xd);
    int p = node(g, "Pow", "p", 2, (int[]){x, scalar(g, "three", 3.0f)});
    int q = node(g, "Mul", "q", 2, (int[]){scalar(g, "k1", 0.044715f), p});
    int r = node(g, "Add", "r", 2, (int[]){x, q});
    int s = node(g, "Mul", "s", 2, (int[]){r, scalar(g, "k2", 0.7978845608f)});
    int t = node(g, "Tanh", "t", 1, &s);
    int u = node(g, "Add", "u", 2, (int[]){scalar(g, "one", 1.0f), t});
    int h = node(g, "Mul", "h", 2, (int[]){x, scalar(g, "half", 0.5f)});
    int y = node(g, "Mul", "y", 2, (int[]){h, u});
    mote_graph_output(g, y);
    float *xv = ramp(19, -5, 5);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 1, .dims = {19}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 19, 1e-6f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Gelu");
    ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "approximate", "none"), "tanh");
    mote_graph_free(o);
    free(xv);
}
END_TEST

START_TEST(test_gelu_like_pattern_with_wrong_constant_is_left_alone)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[1] = {9};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, xd);
    int a = node(g, "Div", "a", 2, (int[]){x, scalar(g, "k", 1.5f)});
    int b = node(g, "Erf", "b", 1, &a);
    int c = node(g, "Add", "c", 2, (int[]){b, scalar(g, "one", 1.0f)});
    int d = node(g, "Mul", "d", 2, (int[]){x, c});
    int y = node(g, "Mul", "y", 2, (int[]){d, scalar(g, "half", 0.5f)});
    mote_graph_output(g, y);
    float *xv = ramp(9, -4, 4);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 1, .dims = {9}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 9, 1e-6f);
    ck_assert_int_eq(count_op(o, "Gelu"), 0);
    ck_assert_int_eq(o->n_nodes, 5);
    mote_graph_free(o);
    free(xv);
}
END_TEST

/* ------------------------------------------------- MatMul + bias, Clip */

static mote_graph *matmul_bias(int rank)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[3] = {2, 4, 6}, wd[2] = {6, 5}, bd[1] = {5};
    float *w = ramp(30, -1, 1), *b = ramp(5, -2, 2);
    int x = mote_graph_input(g, "x", MOTE_F32, rank, rank == 2 ? xd + 1 : xd);
    int mm = node(g, "MatMul", "mm", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 2, wd, w)});
    int z = node(g, "Add", "z", 2, (int[]){mote_graph_weight(g, "b", MOTE_F32, 1, bd, b), mm});
    int y = node(g, "Relu", "y", 1, &z);
    mote_graph_output(g, y);
    free(w);
    free(b);
    return g;
}

START_TEST(test_matmul_bias_add_becomes_gemm_with_fused_relu)
{
    mote_graph *g = matmul_bias(2);
    float *xv = ramp(24, -3, 3);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {4, 6}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 20, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Gemm");
    ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "_act", ""), "Relu");
    mote_graph_free(o);
    free(xv);
}
END_TEST

START_TEST(test_matmul_with_batch_dims_keeps_its_add)
{
    mote_graph *g = matmul_bias(3);
    float *xv = ramp(48, -3, 3);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 3, .dims = {2, 4, 6}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 40, 1e-5f);
    ck_assert_int_eq(count_op(o, "Gemm"), 0);
    ck_assert_int_eq(count_op(o, "Add"), 1);
    mote_graph_free(o);
    free(xv);
}
END_TEST

/* A residual-style Add then Relu: one Add node carrying the Relu, the same
 * output. A per-channel operand broadcast over the image (short rows), and
 * a scalar one over 10000 elements (one run cut into several blocks, the
 * last one partial). */
START_TEST(test_add_then_relu_fuses_into_the_add)
{
    static const int64_t shapes[2][4] = {{1, 3, 5, 7}, {1, 2, 100, 50}};
    for (int k = 0; k < 2; k++) {
        mote_graph *g = mote_graph_new();
        int64_t bd[3] = {k ? 1 : 3, 1, 1}, n = shapes[k][1] * shapes[k][2] * shapes[k][3];
        float *b = ramp(bd[0], -1, 1);
        int x = mote_graph_input(g, "x", MOTE_F32, 4, shapes[k]);
        int z = node(g, "Add", "z", 2, (int[]){x, mote_graph_weight(g, "b", MOTE_F32, 3, bd, b)});
        int y = node(g, "Relu", "y", 1, &z);
        mote_graph_output(g, y);
        free(b);
        float *xv = ramp(n, -2, 2);
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .data = xv};
        memcpy(in.dims, shapes[k], sizeof shapes[k]);
        mote_graph *o = optimize_and_compare(g, &in, n, 0);
        ck_assert_int_eq(o->n_nodes, 1);
        ck_assert_str_eq(o->nodes[0].op, "Add");
        ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "_act", ""), "Relu");
        mote_graph_free(o);
        free(xv);
    }
}
END_TEST

START_TEST(test_conv_then_clip_0_6_fuses_into_conv)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3};
    float *w = ramp(54, -1, 1);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 4, wd, w)});
    int y = node(g, "Clip", "y", 3, (int[]){c, scalar(g, "lo", 0), scalar(g, "hi", 6)});
    mote_graph_output(g, y);
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 27, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Conv");
    ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "_act", ""), "Clip");
    ck_assert_float_eq(mote_attr_get_float(&o->nodes[0], "_act_beta", 0), 6.0f);
    mote_graph_free(o);
    free(w);
    free(xv);
}
END_TEST

START_TEST(test_hardswish_pattern_after_conv_becomes_conv_with_hardswish)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3};
    float *w = ramp(54, -1, 1);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 4, wd, w)});
    int a = node(g, "Add", "a", 2, (int[]){c, scalar(g, "three", 3)});
    int k = node(g, "Clip", "k", 1, &a);   /* opset < 11: bounds as attributes */
    mote_graph_attr_float(g, 2, "min", 0);
    mote_graph_attr_float(g, 2, "max", 6);
    int m = node(g, "Mul", "m", 2, (int[]){c, k});
    int y = node(g, "Div", "y", 2, (int[]){m, scalar(g, "six", 6)});
    mote_graph_output(g, y);
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 27, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Conv");
    ck_assert_str_eq(mote_attr_get_string(&o->nodes[0], "_act", ""), "HardSwish");
    mote_graph_free(o);
    free(w);
    free(xv);
}
END_TEST

/* ------------------------------------------- Mul / Add by a constant into Conv */

/* x (1, 2, 5, 5) -> Conv (3 output channels, 3x3, bias) -> returns the
 * Conv's output id; *w and *b the weights to free */
static int affine_conv(mote_graph *g, float **w, float **b)
{
    int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, bd[1] = {3};
    *w = ramp(54, -1, 1);
    *b = ramp(3, -0.5f, 0.5f);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    return node(g, "Conv", "c", 3, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 4, wd, *w),
                                           mote_graph_weight(g, "b", MOTE_F32, 1, bd, *b)});
}

START_TEST(test_conv_scale_and_shift_fold_into_the_conv)
{
    /* PP-LCNetV3's learnable affine block: Mul and Add by scalars */
    mote_graph *g = mote_graph_new();
    float *w, *b;
    int c = affine_conv(g, &w, &b);
    int m = node(g, "Mul", "m", 2, (int[]){c, scalar(g, "s", 0.75f)});
    int y = node(g, "Add", "y", 2, (int[]){scalar(g, "t", -0.3f), m});   /* constant first */
    mote_graph_output(g, y);
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 27, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Conv");
    mote_graph_free(o);
    free(w); free(b); free(xv);
}
END_TEST

START_TEST(test_conv_per_channel_scale_and_shift_fold_into_the_conv)
{
    /* one value per output channel, as (1, OC, 1, 1) and (OC, 1, 1); a
     * Conv without a bias gets one */
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, sd[4] = {1, 3, 1, 1}, td[3] = {3, 1, 1};
    float *w = ramp(54, -1, 1), sv[3] = {0.5f, -2.0f, 1.25f}, tv[3] = {1.0f, 0.0f, -3.0f};
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 4, wd, w)});
    int m = node(g, "Mul", "m", 2, (int[]){mote_graph_weight(g, "s", MOTE_F32, 4, sd, sv), c});
    int y = node(g, "Add", "y", 2, (int[]){m, mote_graph_weight(g, "t", MOTE_F32, 3, td, tv)});
    mote_graph_output(g, y);
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 27, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    ck_assert_str_eq(o->nodes[0].op, "Conv");
    ck_assert_int_eq(o->nodes[0].n_in, 3);
    mote_graph_free(o);
    free(w); free(xv);
}
END_TEST

START_TEST(test_conv_1d_per_channel_scale_folds)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[3] = {1, 2, 7}, wd[3] = {3, 2, 3}, sd[2] = {3, 1};
    float *w = ramp(18, -1, 1), sv[3] = {0.5f, -2.0f, 1.25f};
    int x = mote_graph_input(g, "x", MOTE_F32, 3, xd);
    int c = node(g, "Conv", "c", 2, (int[]){x, mote_graph_weight(g, "w", MOTE_F32, 3, wd, w)});
    int y = node(g, "Mul", "y", 2, (int[]){c, mote_graph_weight(g, "s", MOTE_F32, 2, sd, sv)});
    mote_graph_output(g, y);
    float *xv = ramp(14, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 3, .dims = {1, 2, 7}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 15, 1e-5f);
    ck_assert_int_eq(o->n_nodes, 1);
    mote_graph_free(o);
    free(w); free(xv);
}
END_TEST

START_TEST(test_conv_affine_near_misses_are_left_alone)
{
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    for (int v = 0; v < 5; v++) {
        mote_graph *g = mote_graph_new();
        float *w, *b;
        int c = affine_conv(g, &w, &b), y;
        int64_t pd[4] = {1, 1, 3, 3}, cd[4] = {1, 3, 1, 1};
        float *pv = ramp(9, -1, 1), cv[3] = {1.0f, 2.0f, 3.0f};
        if (v == 0) {          /* the Conv's output is also a graph output */
            y = node(g, "Mul", "y", 2, (int[]){c, scalar(g, "s", 2.0f)});
            mote_graph_output(g, c);
        } else if (v == 1) {   /* one value per pixel, not per channel */
            y = node(g, "Add", "y", 2, (int[]){c, mote_graph_weight(g, "p", MOTE_F32, 4, pd, pv)});
        } else if (v == 2) {   /* an infinite scale: inf * 0 weights would be NaN */
            y = node(g, "Mul", "y", 2, (int[]){c, scalar(g, "s", INFINITY)});
        } else if (v == 3) {   /* not a constant */
            y = node(g, "Mul", "y", 2, (int[]){c, c});
        } else {               /* an activation between them */
            int r = node(g, "Relu", "r", 1, &c);
            y = node(g, "Mul", "y", 2, (int[]){r, mote_graph_weight(g, "k", MOTE_F32, 4, cd, cv)});
        }
        mote_graph_output(g, y);
        mote_graph *o = mote_graph_clone(g, false);
        ck_assert_int_eq(mote_optimize(o), MOTE_OK);
        ck_assert_msg(count_op(o, "Mul") + count_op(o, "Add") == 1, "case %d: the Mul or Add was folded", v);
        mote_graph_free(o);
        if (v != 2) {
            o = optimize_and_compare(g, &in, 27, 1e-6f);
            mote_graph_free(o);
        } else {
            mote_graph_free(g);
        }
        free(w); free(b); free(pv);
    }
    free(xv);
}
END_TEST

START_TEST(test_conv_folds_leave_a_conv_without_weights_to_the_session)
{
    /* an absent weight input (a malformed model): the pass looks past it,
     * and building a session says what is wrong */
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 2, 5, 5};
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int c = node(g, "Conv", "c", 2, (int[]){x, -1});
    int m = node(g, "Mul", "m", 2, (int[]){c, scalar(g, "s", 2.0f)});
    int y = node(g, "Conv", "y", 2, (int[]){m, -1});
    /* and BatchNormalization's fold, likewise */
    int one = scalar(g, "one", 1.0f), zero = scalar(g, "zero", 0.0f);
    y = node(g, "BatchNormalization", "bn", 5, (int[]){y, one, zero, zero, one});
    mote_graph_output(g, y);
    ck_assert_int_eq(mote_optimize(g), MOTE_OK);
    ck_assert_int_eq(count_op(g, "Mul"), 1);
    ck_assert_int_eq(count_op(g, "BatchNormalization"), 1);
    float out[1];
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = ramp(50, -1, 1)};
    ck_assert_int_ne(run_graph(g, &in, out, 1, NULL), MOTE_OK);
    free(in.data);
}
END_TEST

/* x (1, 2, 5, 5) -> Mul by s (one per channel) -> Add t (a scalar) -> Conv
 * of 3 channels, kernel k, pads p, group grp, bias; *o_n its outputs */
static mote_graph *affine_then_conv(int64_t k, int64_t p, int64_t grp, int also_out, float **w, int64_t *o_n)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = {1, 2, 5, 5}, sd[4] = {1, 2, 1, 1}, wd[4] = {4, 2 / grp, k, k}, bd[1] = {4};
    float sv[2] = {0.5f, -1.5f}, bv[4] = {0.25f, -1.0f, 0.0f, 2.0f};
    *w = ramp(4 * (2 / grp) * k * k, -1, 1);
    int x = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    int m = node(g, "Mul", "m", 2, (int[]){x, mote_graph_weight(g, "s", MOTE_F32, 4, sd, sv)});
    int a = node(g, "Add", "a", 2, (int[]){m, scalar(g, "t", 0.75f)});
    int y = node(g, "Conv", "y", 3, (int[]){a, mote_graph_weight(g, "w", MOTE_F32, 4, wd, *w),
                                            mote_graph_weight(g, "b", MOTE_F32, 1, bd, bv)});
    mote_graph_attr_ints(g, 2, "pads", 4, (int64_t[]){p, p, p, p});
    mote_graph_attr_int(g, 2, "group", grp);
    mote_graph_output(g, y);
    if (also_out)
        mote_graph_output(g, a);
    int64_t o = 5 + 2 * p - k + 1;
    *o_n = 4 * o * o;
    return g;
}

START_TEST(test_scale_and_shift_before_an_unpadded_conv_fold_into_it)
{
    /* PP-LCNetV3's affine block after a depthwise conv, into the 1x1 after */
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    for (int64_t k = 1; k <= 3; k += 2) {
        float *w;
        int64_t n;
        mote_graph *g = affine_then_conv(k, 0, 1, 0, &w, &n);
        mote_graph *o = optimize_and_compare(g, &in, n, 1e-5f);
        ck_assert_msg(o->n_nodes == 1 && !strcmp(o->nodes[0].op, "Conv"), "kernel %lld: %d nodes",
                      (long long)k, o->n_nodes);
        mote_graph_free(o);
        free(w);
    }
    free(xv);
}
END_TEST

START_TEST(test_scale_and_shift_before_a_padded_or_grouped_conv_stay)
{
    /* a padded Conv reads zeros that are not t; a grouped one is left
     * alone; an Add whose output is also a graph output stays */
    float *xv = ramp(50, -4, 6);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 4, .dims = {1, 2, 5, 5}, .data = xv};
    for (int v = 0; v < 3; v++) {
        float *w;
        int64_t n;
        mote_graph *g = affine_then_conv(v == 0 ? 3 : 1, v == 0, v == 1 ? 2 : 1, v == 2, &w, &n);
        mote_graph *o = optimize_and_compare(g, &in, n, 1e-6f);
        ck_assert_msg(count_op(o, "Mul") == 1 && count_op(o, "Add") == 1, "case %d was folded", v);
        mote_graph_free(o);
        free(w);
    }
    free(xv);
}
END_TEST

START_TEST(test_pow_by_constant_two_becomes_mul_and_others_stay)
{
    /* f32 base, exponent 2: Mul(x, x), same values within an ulp */
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {3, 7};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int r = node(g, "Relu", "r", 1, &x);
    int y = node(g, "Pow", "y", 2, (int[]){r, scalar(g, "two", 2)});
    mote_graph_output(g, y);
    float *xv = ramp(21, -3, 5);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 7}, .data = xv};
    mote_graph *o = optimize_and_compare(g, &in, 21, 1e-6f);
    ck_assert_int_eq(count_op(o, "Pow"), 0);
    ck_assert_int_eq(count_op(o, "Mul"), 1);
    mote_graph_free(o);

    /* exponent 3, and 2 on an integer base: left alone */
    g = mote_graph_new();
    x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    y = node(g, "Pow", "y", 2, (int[]){x, scalar(g, "three", 3)});
    mote_graph_output(g, y);
    ck_assert_int_eq(mote_optimize(g), MOTE_OK);
    ck_assert_int_eq(count_op(g, "Pow"), 1);
    mote_graph_free(g);
    g = mote_graph_new();
    x = mote_graph_input(g, "x", MOTE_I32, 2, xd);
    y = node(g, "Pow", "y", 2, (int[]){x, scalar(g, "two", 2)});
    mote_graph_output(g, y);
    ck_assert_int_eq(mote_optimize(g), MOTE_OK);
    ck_assert_int_eq(count_op(g, "Pow"), 1);
    mote_graph_free(g);
    free(xv);
}
END_TEST

/* ----------------------------------------------------------- shape glue */

START_TEST(test_reshape_of_computed_shape_with_open_batch_becomes_constant)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[3] = {-1, 4, 2}, one = 1, eight = 8;
    int x = mote_graph_input(g, "x", MOTE_F32, 3, xd);
    int sh = node(g, "Shape", "sh", 1, &x);
    mote_graph_attr_int(g, 0, "end", 1);
    int k = mote_graph_weight(g, "eight", MOTE_I64, 1, &one, &eight);
    int t = node(g, "Concat", "t", 2, (int[]){sh, k});
    mote_graph_attr_int(g, 1, "axis", 0);
    int y = node(g, "Reshape", "y", 2, (int[]){x, t});
    mote_graph_output(g, y);
    ck_assert_int_eq(mote_optimize(g), MOTE_OK);
    ck_assert_int_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0].op, "Reshape");
    const mote_value *w = &g->values[g->nodes[0].in[1]];
    ck_assert_int_eq(w->kind, MOTE_VAL_WEIGHT);
    ck_assert_int_eq(((const int64_t *)w->data)[0], 0);   /* "copy the batch" */
    ck_assert_int_eq(((const int64_t *)w->data)[1], 8);
    float *xv = ramp(24, -1, 1), got[24];
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 3, .dims = {3, 4, 2}, .data = xv}, shape;
    ck_assert_int_eq(run_graph(g, &in, got, 24, &shape), MOTE_OK);
    ck_assert_int_eq(shape.ndim, 2);
    ck_assert_int_eq(shape.dims[0], 3);
    ck_assert_int_eq(shape.dims[1], 8);
    for (int i = 0; i < 24; i++)
        ck_assert_float_eq(got[i], xv[i]);
    free(xv);
}
END_TEST

/* ------------------------------------------------- op shape inference */

/* One node op over inputs; session creation must fail with st and msg. */
static void expect_error(mote_graph *g, mote_status want, const char *msg)
{
    mote_model *m;
    mote_status st = mote_model_from_graph(g, &m);
    if (!st) {
        mote_session *s = NULL;
        mote_session_options so;
        mote_session_options_init(&so);
        so.threads = 1;
        so.pin = 0;
        st = mote_session_new(m, &so, &s);
        if (!st)
            mote_session_free(s);
        mote_model_close(m);
    }
    ck_assert_int_eq(st, want);
    ck_assert_msg(strstr(mote_last_error(), msg), "error '%s' lacks '%s'", mote_last_error(), msg);
}

START_TEST(test_squeeze_rejects_axis_that_is_not_one)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {1, 3}, axes[1] = {1};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    mote_graph_output(g, node(g, "Squeeze", "y", 1, &x));
    mote_graph_attr_ints(g, 0, "axes", 1, axes);
    expect_error(g, MOTE_ERR_SHAPE, "cannot squeeze axis 1 of size 3");
}
END_TEST

START_TEST(test_where_rejects_float_condition)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    int c = mote_graph_input(g, "c", MOTE_F32, 1, d);
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d);
    mote_graph_output(g, node(g, "Where", "y", 3, (int[]){c, x, x}));
    expect_error(g, MOTE_ERR_SHAPE, "condition must be bool");
}
END_TEST

START_TEST(test_cast_to_double_is_refused_by_name)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d);
    mote_graph_output(g, node(g, "Cast", "y", 1, &x));
    mote_graph_attr_int(g, 0, "to", 11);
    expect_error(g, MOTE_ERR_UNSUPPORTED, "DOUBLE");
}
END_TEST

START_TEST(test_range_needs_constant_inputs)
{
    mote_graph *g = mote_graph_new();
    int s = mote_graph_input(g, "s", MOTE_F32, 0, NULL);
    mote_graph_output(g, node(g, "Range", "y", 3, (int[]){s, scalar(g, "l", 5), scalar(g, "d", 1)}));
    expect_error(g, MOTE_ERR_UNSUPPORTED, "must be a constant");
}
END_TEST

START_TEST(test_max_rejects_incompatible_shapes)
{
    mote_graph *g = mote_graph_new();
    int64_t a[2] = {2, 3}, b[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, a);
    int z = mote_graph_input(g, "z", MOTE_F32, 1, b);
    mote_graph_output(g, node(g, "Max", "y", 2, (int[]){x, z}));
    expect_error(g, MOTE_ERR_SHAPE, "cannot broadcast");
}
END_TEST

START_TEST(test_unsqueeze_rejects_repeated_axis)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {3}, axes[2] = {0, 0};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d);
    mote_graph_output(g, node(g, "Unsqueeze", "y", 1, &x));
    mote_graph_attr_ints(g, 0, "axes", 2, axes);
    expect_error(g, MOTE_ERR_SHAPE, "repeated");
}
END_TEST

/* --------------------------------------------------------------- kernels */

START_TEST(test_round_sends_halves_to_even)
{
    const float x[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f, 7.0f};
    const float want[8] = {0, 2, 2, -0.0f, -2, 2, -3, 7};
    float y[8];
    mote_round_f32_ref(8, x, y, 0, 0);
    for (int i = 0; i < 8; i++)
        ck_assert_float_eq(y[i], want[i]);
}
END_TEST

START_TEST(test_reduce_kernel_over_first_and_last_axis)
{
    /* x (2, 2, 3), reduce axes 0 and 2: y[j] over x[i, j, k] */
    const float x[12] = {1, -2, 3, 4, 5, -6, 0.5f, 2, -1, 3, -3, 1};
    mote_reduce_args a = {.nk = 1, .kdims = {2}, .kstr = {3}, .nr = 2, .rdims = {2, 3}, .rstr = {6, 1},
                          .x = x, .o0 = 0, .o1 = 2};
    float y[2];
    for (int kind = 0; kind < MOTE_RED_COUNT; kind++) {
        a.kind = (mote_reduce_kind)kind;
        a.y = y;
        mote_reduce_f32_ref(&a);
        for (int j = 0; j < 2; j++) {
            double v[6], s = 0, s1 = 0, s2 = 0, p = 1, mx = -INFINITY, mn = INFINITY, want;
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < 3; k++)
                    v[i * 3 + k] = x[i * 6 + j * 3 + k];
            for (int t = 0; t < 6; t++) {
                s += v[t]; s1 += fabs(v[t]); s2 += v[t] * v[t]; p *= v[t];
                mx = fmax(mx, v[t]); mn = fmin(mn, v[t]);
            }
            double lse = 0;
            for (int t = 0; t < 6; t++)
                lse += exp(v[t]);
            switch (kind) {
            case MOTE_RED_SUM: want = s; break;
            case MOTE_RED_MEAN: want = s / 6; break;
            case MOTE_RED_MAX: want = mx; break;
            case MOTE_RED_MIN: want = mn; break;
            case MOTE_RED_PROD: want = p; break;
            case MOTE_RED_L1: want = s1; break;
            case MOTE_RED_L2: want = sqrt(s2); break;
            case MOTE_RED_LOG_SUM: want = log(s); break;
            case MOTE_RED_LOG_SUM_EXP: want = log(lse); break;
            default: want = s2; break;
            }
            ck_assert_msg(fabs(y[j] - want) <= 1e-5 * (1 + fabs(want)), "kind %d row %d: %g vs %g",
                          kind, j, (double)y[j], want);
        }
    }
}
END_TEST

static Suite *passes_suite(void)
{
    Suite *s = suite_create("onnx passes and op errors");
    TCase *tp = tcase_create("passes");
    tcase_set_timeout(tp, 60);
    tcase_add_test(tp, test_layernorm_pattern_becomes_one_layernormalization);
    tcase_add_test(tp, test_layernorm_pattern_over_another_axis_is_left_alone);
    tcase_add_test(tp, test_gelu_erf_pattern_becomes_gelu);
    tcase_add_test(tp, test_gelu_tanh_pattern_becomes_gelu_tanh);
    tcase_add_test(tp, test_gelu_like_pattern_with_wrong_constant_is_left_alone);
    tcase_add_test(tp, test_matmul_bias_add_becomes_gemm_with_fused_relu);
    tcase_add_test(tp, test_matmul_with_batch_dims_keeps_its_add);
    tcase_add_test(tp, test_add_then_relu_fuses_into_the_add);
    tcase_add_test(tp, test_conv_then_clip_0_6_fuses_into_conv);
    tcase_add_test(tp, test_hardswish_pattern_after_conv_becomes_conv_with_hardswish);
    tcase_add_test(tp, test_conv_scale_and_shift_fold_into_the_conv);
    tcase_add_test(tp, test_conv_per_channel_scale_and_shift_fold_into_the_conv);
    tcase_add_test(tp, test_conv_1d_per_channel_scale_folds);
    tcase_add_test(tp, test_conv_affine_near_misses_are_left_alone);
    tcase_add_test(tp, test_scale_and_shift_before_an_unpadded_conv_fold_into_it);
    tcase_add_test(tp, test_scale_and_shift_before_a_padded_or_grouped_conv_stay);
    tcase_add_test(tp, test_conv_folds_leave_a_conv_without_weights_to_the_session);
    tcase_add_test(tp, test_pow_by_constant_two_becomes_mul_and_others_stay);
    tcase_add_test(tp, test_reshape_of_computed_shape_with_open_batch_becomes_constant);
    tcase_add_test(tp, test_zero_pad_folds_into_conv_for_every_algorithm);
    tcase_add_test(tp, test_zero_pad_folds_into_averagepool_counting_pads_only);
    tcase_add_test(tp, test_pad_near_misses_are_not_folded);
    tcase_add_test(tp, test_residual_add_fuses_into_conv_with_the_same_bits);
    tcase_add_test(tp, test_residual_add_fuses_into_1d_conv);
    tcase_add_test(tp, test_residual_add_near_misses_are_not_fused);
    tcase_add_test(tp, test_conv_residual_input_is_checked);
    suite_add_tcase(s, tp);
    TCase *to = tcase_create("ops");
    tcase_add_test(to, test_squeeze_rejects_axis_that_is_not_one);
    tcase_add_test(to, test_where_rejects_float_condition);
    tcase_add_test(to, test_cast_to_double_is_refused_by_name);
    tcase_add_test(to, test_range_needs_constant_inputs);
    tcase_add_test(to, test_max_rejects_incompatible_shapes);
    tcase_add_test(to, test_unsqueeze_rejects_repeated_axis);
    tcase_add_test(to, test_round_sends_halves_to_even);
    tcase_add_test(to, test_reduce_kernel_over_first_and_last_axis);
    suite_add_tcase(s, to);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(passes_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
