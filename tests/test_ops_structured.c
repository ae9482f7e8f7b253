/*
 * test_ops_structured.c — indexing, data movement and structured ops (Gather,
 * Slice, Pad, TopK, Resize, ConvTranspose, Einsum, LSTM, ...) on small
 * hand-computed cases, one node per model run through a real session (two
 * threads, so the pool splits run too), and the clear errors of their
 * shape inference.
 * The ONNX conformance tests (tests/onnx/) cover the ops more widely.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "ref.h"

/* ------------------------------------------------------- one-node models */

static mote_graph *G;
static mote_tensor RT[8];    /* runtime inputs, in graph input order */
static int NRT;
static void *OUT[4];         /* copies of the outputs of the last run */
static mote_tensor OUTT[4];
static int NODE_OUT[4];

static void begin(void)
{
    if (G)
        mote_graph_free(G);
    G = mote_graph_new();
    NRT = 0;
    for (int i = 0; i < 4; i++) {
        free(OUT[i]);
        OUT[i] = NULL;
    }
}

static int weight(mote_dtype t, int nd, const int64_t *dims, const void *data)
{
    static int count;
    char name[32];
    snprintf(name, sizeof name, "w%d", count++);
    return mote_graph_weight(G, name, t, nd, dims, data);
}

static int input(mote_dtype t, int nd, const int64_t *dims, const void *data)
{
    char name[32];
    snprintf(name, sizeof name, "x%d", NRT);
    mote_tensor *r = &RT[NRT++];
    memset(r, 0, sizeof *r);
    r->dtype = t;
    r->ndim = nd;
    memcpy(r->dims, dims, sizeof(int64_t) * (size_t)nd);
    r->data = (void *)data;
    return mote_graph_input(G, name, t, nd, dims);
}

static int node(const char *op, int n_in, const int *in, int n_out)
{
    int n = mote_graph_node(G, op, "n", n_in, in, n_out, NULL, NODE_OUT);
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n_out; i++)
        mote_graph_output(G, NODE_OUT[i]);
    return n;
}

/* Runs the graph; outputs land in OUTT[i] (data copied). */
static mote_status run(void)
{
    mote_model *m;
    mote_graph *g = G;
    G = NULL;
    mote_status st = mote_model_from_graph(g, &m);
    if (st)
        return st;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 2;
    o.pin = 0;
    mote_session *s;
    if ((st = mote_session_new(m, &o, &s))) {
        mote_model_close(m);
        return st;
    }
    st = mote_session_run(s, RT, NRT);
    for (int i = 0; !st && i < mote_model_num_outputs(m); i++) {
        mote_tensor t;
        st = mote_session_output(s, i, &t);
        size_t nb = mote_tensor_nbytes(&t);
        OUTT[i] = t;
        OUT[i] = malloc(nb ? nb : 1);
        memcpy(OUT[i], t.data, nb);
        OUTT[i].data = OUT[i];
    }
    mote_session_free(s);
    mote_model_close(m);
    return st;
}

static void expect_f32(int i, int n, const float *want, float tol)
{
    ck_assert_int_eq(OUTT[i].dtype, MOTE_F32);
    ck_assert_int_eq(mote_tensor_numel(&OUTT[i]), n);
    const float *got = OUT[i];
    for (int k = 0; k < n; k++)
        ck_assert_msg(fabsf(got[k] - want[k]) <= tol, "output %d element %d: got %g, want %g",
                      i, k, got[k], want[k]);
}

static void expect_dims(int i, int nd, const int64_t *dims)
{
    ck_assert_int_eq(OUTT[i].ndim, nd);
    for (int d = 0; d < nd; d++)
        ck_assert_int_eq(OUTT[i].dims[d], dims[d]);
}

static void expect_error(mote_status want, const char *text)
{
    mote_status st = run();
    ck_assert_msg(st == want, "got %s (%s), want %s", mote_status_name(st), mote_last_error(),
                  mote_status_name(want));
    ck_assert_msg(strstr(mote_last_error(), text), "message '%s' lacks '%s'", mote_last_error(), text);
}

static const float X6[6] = {1, 2, 3, 4, 5, 6};

/* ------------------------------------------------------------------ tests */

START_TEST(test_gather_picks_rows_along_axis)
{
    begin();
    int64_t d[2] = {3, 2}, di[1] = {2}, idx[2] = {2, -3};
    int in[2] = {input(MOTE_F32, 2, d, X6), weight(MOTE_I64, 1, di, idx)};
    int n = node("Gather", 2, in, 1);
    mote_graph_attr_int(G, n, "axis", 0);
    ck_assert_mote_ok(run());
    float want[4] = {5, 6, 1, 2};
    expect_f32(0, 4, want, 0);
}
END_TEST

START_TEST(test_gather_clamps_runtime_indices)
{
    begin();
    int64_t d[1] = {3}, di[2] = {2}, idx[2] = {7, -9};
    float x[3] = {10, 20, 30};
    int in[2] = {input(MOTE_F32, 1, d, x), input(MOTE_I64, 1, di, idx)};
    node("Gather", 2, in, 1);
    ck_assert_mote_ok(run());
    float want[2] = {30, 10};
    expect_f32(0, 2, want, 0);
}
END_TEST

START_TEST(test_gather_rejects_constant_index_out_of_range)
{
    begin();
    int64_t d[1] = {3}, di[1] = {1}, idx[1] = {3};
    float x[3] = {0};
    int in[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, di, idx)};
    node("Gather", 2, in, 1);
    expect_error(MOTE_ERR_SHAPE, "out of range");
}
END_TEST

START_TEST(test_gather_elements_and_nd)
{
    begin();
    int64_t d[2] = {2, 2};
    float x[4] = {1, 2, 3, 4};
    int64_t idx[4] = {0, 0, 1, 0};
    int in[2] = {input(MOTE_F32, 2, d, x), weight(MOTE_I64, 2, d, idx)};
    int n = node("GatherElements", 2, in, 1);
    mote_graph_attr_int(G, n, "axis", 1);
    ck_assert_mote_ok(run());
    float want[4] = {1, 1, 4, 3};
    expect_f32(0, 4, want, 0);

    begin();
    int64_t nd_idx[4] = {0, 0, 1, 1};
    int in2[2] = {input(MOTE_F32, 2, d, x), weight(MOTE_I64, 2, d, nd_idx)};
    node("GatherND", 2, in2, 1);
    ck_assert_mote_ok(run());
    float want2[2] = {1, 4};
    expect_f32(0, 2, want2, 0);
}
END_TEST

START_TEST(test_scatter_nd_assigns_and_adds)
{
    begin();
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, u[4] = {9, 10, 11, 12};
    int64_t d[1] = {8}, di[2] = {4, 1}, du[1] = {4}, idx[4] = {4, 3, 1, 7};
    int in[3] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 2, di, idx), input(MOTE_F32, 1, du, u)};
    node("ScatterND", 3, in, 1);
    ck_assert_mote_ok(run());
    float want[8] = {1, 11, 3, 10, 9, 6, 7, 12};
    expect_f32(0, 8, want, 0);

    begin();
    int64_t di2[2] = {2, 1}, du2[1] = {2}, idx2[2] = {0, 0};
    float u2[2] = {1, 2};
    int in2[3] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 2, di2, idx2), input(MOTE_F32, 1, du2, u2)};
    int n = node("ScatterND", 3, in2, 1);
    mote_graph_attr_string(G, n, "reduction", "add");
    ck_assert_mote_ok(run());
    ck_assert_float_eq(((float *)OUT[0])[0], 4.0f);
}
END_TEST

START_TEST(test_scatter_nd_rejects_wrong_updates_shape)
{
    begin();
    float x[8] = {0}, u[3] = {0};
    int64_t d[1] = {8}, di[2] = {4, 1}, du[1] = {3}, idx[4] = {0, 1, 2, 3};
    int in[3] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 2, di, idx), input(MOTE_F32, 1, du, u)};
    node("ScatterND", 3, in, 1);
    expect_error(MOTE_ERR_SHAPE, "updates have shape");
}
END_TEST

START_TEST(test_slice_negative_step_and_clamping)
{
    begin();
    float x[10];
    for (int i = 0; i < 10; i++) x[i] = (float)i;
    int64_t d[1] = {10}, one[1] = {1}, s[1] = {100}, e[1] = {1}, st[1] = {-3};
    int in[5] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, one, s), weight(MOTE_I64, 1, one, e),
                 -1, weight(MOTE_I64, 1, one, st)};
    node("Slice", 5, in, 1);
    ck_assert_mote_ok(run());
    float want[3] = {9, 6, 3};   /* start 100 clamps to 9 */
    expect_f32(0, 3, want, 0);
}
END_TEST

START_TEST(test_slice_rejects_zero_step)
{
    begin();
    float x[4] = {0};
    int64_t d[1] = {4}, one[1] = {1}, s[1] = {0}, e[1] = {4}, st[1] = {0};
    int in[5] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, one, s), weight(MOTE_I64, 1, one, e),
                 -1, weight(MOTE_I64, 1, one, st)};
    node("Slice", 5, in, 1);
    expect_error(MOTE_ERR_SHAPE, "step for axis 0 is 0");
}
END_TEST

START_TEST(test_split_by_sizes_and_errors)
{
    begin();
    int64_t d[1] = {6}, ds[1] = {2}, sp[2] = {2, 4};
    int in[2] = {input(MOTE_F32, 1, d, X6), weight(MOTE_I64, 1, ds, sp)};
    node("Split", 2, in, 2);
    ck_assert_mote_ok(run());
    float a[2] = {1, 2}, b[4] = {3, 4, 5, 6};
    expect_f32(0, 2, a, 0);
    expect_f32(1, 4, b, 0);

    begin();
    int64_t bad[2] = {2, 3};
    int in2[2] = {input(MOTE_F32, 1, d, X6), weight(MOTE_I64, 1, ds, bad)};
    node("Split", 2, in2, 2);
    expect_error(MOTE_ERR_SHAPE, "split sizes sum to 5");
}
END_TEST

START_TEST(test_tile_repeats_each_axis)
{
    begin();
    int64_t d[2] = {1, 2}, dr[1] = {2}, rep[2] = {2, 2};
    int32_t x[2] = {1, 2};
    int in[2] = {input(MOTE_I32, 2, d, x), weight(MOTE_I64, 1, dr, rep)};
    node("Tile", 2, in, 1);
    ck_assert_mote_ok(run());
    int64_t od[2] = {2, 4};
    expect_dims(0, 2, od);
    const int32_t want[8] = {1, 2, 1, 2, 1, 2, 1, 2};
    ck_assert_int_eq(memcmp(OUT[0], want, sizeof want), 0);
}
END_TEST

static void pad_case(const char *mode, const float *want)
{
    begin();
    float x[3] = {1, 2, 3}, v = 9;
    int64_t d[1] = {3}, dp[1] = {2}, pads[2] = {2, 2};
    int in[3] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, dp, pads), input(MOTE_F32, 0, d, &v)};
    int n = node("Pad", 3, in, 1);
    mote_graph_attr_string(G, n, "mode", mode);
    ck_assert_mote_ok(run());
    expect_f32(0, 7, want, 0);
}

START_TEST(test_pad_constant_reflect_edge)
{
    float c[7] = {9, 9, 1, 2, 3, 9, 9}, r[7] = {3, 2, 1, 2, 3, 2, 1}, e[7] = {1, 1, 1, 2, 3, 3, 3};
    pad_case("constant", c);
    pad_case("reflect", r);
    pad_case("edge", e);
}
END_TEST

/* index of axis length n read by output position i - b in mode m (-1: the value) */
static int64_t pad_index(int64_t i, int64_t n, char m)
{
    if (i >= 0 && i < n)
        return i;
    if (m == 'c')
        return -1;
    if (m == 'e')
        return i < 0 ? 0 : n - 1;
    int64_t p = 2 * (n - 1);
    i %= p;
    if (i < 0)
        i += p;
    return i < n ? i : p - i;
}

/* A 2-D pad with a crop (negative pad) on one side, margins wider than the
 * row for reflect, and every mode: element by element against pad_index
 * (the row copy of the interior and the margins must meet exactly). */
START_TEST(test_pad_2d_margins_and_crop)
{
    static const char *const modes[3] = {"constant", "reflect", "edge"};
    for (int pc = 0; pc < 2; pc++) {
        for (int m = 0; m < 3; m++) {
            begin();
            float x[3 * 5], v = -7;
            for (int i = 0; i < 15; i++)
                x[i] = (float)(i + 1);
            int64_t d[2] = {3, 5}, dp[1] = {4};
            /* begin rows, begin cols, end rows, end cols */
            int64_t pads[2][4] = {{1, -1, 2, 7}, {0, 6, -1, -2}};
            int in[3] = {input(MOTE_F32, 2, d, x), weight(MOTE_I64, 1, dp, pads[pc]),
                         input(MOTE_F32, 0, d, &v)};
            int n = node("Pad", 3, in, 1);
            mote_graph_attr_string(G, n, "mode", modes[m]);
            ck_assert_mote_ok(run());
            int64_t oh = 3 + pads[pc][0] + pads[pc][2], ow = 5 + pads[pc][1] + pads[pc][3];
            int64_t od[2] = {oh, ow};
            expect_dims(0, 2, od);
            float want[6 * 11];
            for (int64_t r = 0; r < oh; r++)
                for (int64_t c = 0; c < ow; c++) {
                    int64_t sr = pad_index(r - pads[pc][0], 3, modes[m][0]);
                    int64_t sc = pad_index(c - pads[pc][1], 5, modes[m][0]);
                    want[r * ow + c] = sr < 0 || sc < 0 ? v : x[sr * 5 + sc];
                }
            expect_f32(0, oh * ow, want, 0);
        }
    }
}
END_TEST

START_TEST(test_pad_rejects_wrong_pads_count)
{
    begin();
    float x[3] = {0};
    int64_t d[1] = {3}, dp[1] = {3}, pads[3] = {1, 1, 1};
    int in[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, dp, pads)};
    node("Pad", 2, in, 1);
    expect_error(MOTE_ERR_SHAPE, "pads has 3 values");
}
END_TEST

START_TEST(test_topk_ties_go_to_lower_index)
{
    begin();
    float x[4] = {1, 3, 3, 2};
    int64_t d[1] = {4}, one[1] = {1}, k[1] = {2};
    int in[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, one, k)};
    node("TopK", 2, in, 2);
    ck_assert_mote_ok(run());
    float v[2] = {3, 3};
    expect_f32(0, 2, v, 0);
    ck_assert_int_eq(((int64_t *)OUT[1])[0], 1);
    ck_assert_int_eq(((int64_t *)OUT[1])[1], 2);

    begin();
    int in2[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, one, k)};
    int n = node("TopK", 2, in2, 2);
    mote_graph_attr_int(G, n, "largest", 0);
    ck_assert_mote_ok(run());
    float s[2] = {1, 2};
    expect_f32(0, 2, s, 0);
    ck_assert_int_eq(((int64_t *)OUT[1])[1], 3);
}
END_TEST

START_TEST(test_topk_rejects_k_beyond_axis)
{
    begin();
    float x[4] = {0};
    int64_t d[1] = {4}, one[1] = {1}, k[1] = {5};
    int in[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 1, one, k)};
    node("TopK", 2, in, 2);
    expect_error(MOTE_ERR_SHAPE, "K = 5");
}
END_TEST

START_TEST(test_cumsum_exclusive_reverse)
{
    begin();
    float x[3] = {1, 2, 3};
    int64_t d[1] = {3}, ax = 0;
    int in[2] = {input(MOTE_F32, 1, d, x), weight(MOTE_I64, 0, d, &ax)};
    int n = node("CumSum", 2, in, 1);
    mote_graph_attr_int(G, n, "exclusive", 1);
    mote_graph_attr_int(G, n, "reverse", 1);
    ck_assert_mote_ok(run());
    float want[3] = {5, 3, 0};
    expect_f32(0, 3, want, 0);
}
END_TEST

START_TEST(test_convtranspose_scatters_kernel)
{
    begin();
    float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 1, 1};
    int64_t d[4] = {1, 1, 2, 2};
    int in[2] = {input(MOTE_F32, 4, d, x), weight(MOTE_F32, 4, d, w)};
    node("ConvTranspose", 2, in, 1);
    ck_assert_mote_ok(run());
    float want[9] = {1, 3, 2, 4, 10, 6, 3, 7, 4};
    expect_f32(0, 9, want, 0);

    begin();
    int in2[2] = {input(MOTE_F32, 4, d, x), weight(MOTE_F32, 4, d, w)};
    int n = node("ConvTranspose", 2, in2, 1);
    int64_t s[2] = {2, 2};
    mote_graph_attr_ints(G, n, "strides", 2, s);
    ck_assert_mote_ok(run());
    float want2[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    expect_f32(0, 16, want2, 0);
}
END_TEST

/* One ConvTranspose geometry: the GEMM + col2im path (constant W) against
 * the reference kernel called directly, at 1 and 2 threads (same bits). */
typedef struct convt_case {
    int64_t N, C, OC, G, H, W, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, oph, opw;
} convt_case;

static float *convt_run(const convt_case *k, const float *x, const float *w, const float *b,
                        int threads, int64_t *OH, int64_t *OW)
{
    begin();
    int one_d = k->H == 0;
    int64_t xd[4] = {k->N, k->C, one_d ? k->W : k->H, k->W};
    int64_t wd[4] = {k->C, k->OC / k->G, one_d ? k->KW : k->KH, k->KW};
    int64_t bd[1] = {k->OC};
    int rank = one_d ? 3 : 4;
    int in[3] = {input(MOTE_F32, rank, xd, x), weight(MOTE_F32, rank, wd, w),
                 weight(MOTE_F32, 1, bd, b)};
    int n = node("ConvTranspose", 3, in, 1);
    int64_t s2[2] = {k->sh, k->sw}, d2[2] = {k->dh, k->dw}, p4[4] = {k->pt, k->pl, k->pb, k->pr};
    int64_t o2[2] = {k->oph, k->opw};
    int64_t s1[1] = {k->sw}, d1[1] = {k->dw}, p2[2] = {k->pl, k->pr}, o1[1] = {k->opw};
    mote_graph_attr_ints(G, n, "strides", one_d ? 1 : 2, one_d ? s1 : s2);
    mote_graph_attr_ints(G, n, "dilations", one_d ? 1 : 2, one_d ? d1 : d2);
    mote_graph_attr_ints(G, n, "pads", one_d ? 2 : 4, one_d ? p2 : p4);
    mote_graph_attr_ints(G, n, "output_padding", one_d ? 1 : 2, one_d ? o1 : o2);
    mote_graph_attr_int(G, n, "group", k->G);
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(G, &m));
    G = NULL;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.pin = 0;
    mote_session *s;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    ck_assert_mote_ok(mote_session_run(s, RT, NRT));
    mote_tensor t;
    ck_assert_mote_ok(mote_session_output(s, 0, &t));
    *OH = one_d ? 1 : t.dims[2];
    *OW = t.dims[t.ndim - 1];
    size_t nb = mote_tensor_nbytes(&t);
    float *y = malloc(nb);
    memcpy(y, t.data, nb);
    mote_session_free(s);
    mote_model_close(m);
    return y;
}

START_TEST(test_convtranspose_gemm_path_matches_reference)
{
    static const convt_case cases[] = {
        /* N  C  OC G  H   W  KH KW sh sw dh dw pt pl pb pr oph opw */
        {1, 24, 24, 1, 40, 40, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0},   /* PP-OCR's upsampling */
        {2, 3, 5, 1, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
        {1, 4, 6, 2, 5, 6, 3, 2, 2, 3, 1, 1, 0, 1, 1, 0, 1, 2},
        {1, 6, 6, 3, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 0, 3, 1, 1},       /* dilated, grouped */
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0},
        {1, 5, 3, 1, 0, 17, 0, 4, 1, 3, 1, 2, 0, 2, 0, 1, 0, 2},      /* 1-D (H = 0) */
        {1, 17, 33, 1, 3, 31, 5, 5, 1, 2, 1, 1, 2, 4, 2, 4, 0, 1},    /* wide pads */
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        const convt_case *k = &cases[ci];
        int64_t H = k->H ? k->H : 1, KH = k->KH ? k->KH : 1;
        int64_t nx = k->N * k->C * H * k->W, nw = k->C * (k->OC / k->G) * KH * k->KW;
        float *x = malloc(sizeof(float) * (size_t)nx), *w = malloc(sizeof(float) * (size_t)nw);
        float *b = malloc(sizeof(float) * (size_t)k->OC);
        mote_test_fill(x, nx, 11 + (uint32_t)ci, -1, 1);
        mote_test_fill(w, nw, 23 + (uint32_t)ci, -1, 1);
        mote_test_fill(b, k->OC, 31 + (uint32_t)ci, -1, 1);
        int64_t OH, OW, OH2, OW2;
        float *y1 = convt_run(k, x, w, b, 1, &OH, &OW);
        float *y2 = convt_run(k, x, w, b, 2, &OH2, &OW2);
        int64_t per = k->OC * OH * OW;
        ck_assert_int_eq(OH, OH2);
        ck_assert_int_eq(OW, OW2);
        ck_assert_msg(memcmp(y1, y2, sizeof(float) * (size_t)(k->N * per)) == 0,
                      "case %zu: 1 and 2 threads differ", ci);
        float *want = malloc(sizeof(float) * (size_t)(k->N * per));
        for (int64_t n = 0; n < k->N; n++) {
            mote_convt2d_args a = {x + n * k->C * H * k->W, w, b, want + n * per,
                                   k->C, H, k->W, k->OC, OH, OW, KH, k->KW,
                                   k->H ? k->sh : 1, k->sw, k->H ? k->dh : 1, k->dw,
                                   k->H ? k->pt : 0, k->pl, k->G};
            mote_convt2d_f32_ref(&a, 0, k->OC);
        }
        for (int64_t i = 0; i < k->N * per; i++)
            ck_assert_msg(fabsf(y1[i] - want[i]) <= 1e-5f * (1 + fabsf(want[i])) * (float)k->C,
                          "case %zu element %lld: got %g, want %g", ci, (long long)i, y1[i], want[i]);
        free(x); free(w); free(b); free(y1); free(y2); free(want);
    }
}
END_TEST

START_TEST(test_convtranspose_rejects_channel_mismatch)
{
    begin();
    float x[8] = {0}, w[4] = {0};
    int64_t dx[4] = {1, 2, 2, 2}, dw[4] = {1, 1, 2, 2};
    int in[2] = {input(MOTE_F32, 4, dx, x), weight(MOTE_F32, 4, dw, w)};
    node("ConvTranspose", 2, in, 1);
    expect_error(MOTE_ERR_SHAPE, "W has 1 input channels, X has 2");
}
END_TEST

START_TEST(test_resize_nearest_and_linear)
{
    begin();
    float x[2] = {1, 2};
    int64_t d[4] = {1, 1, 1, 2}, ds[1] = {4}, sz[4] = {1, 1, 1, 4};
    int in[4] = {input(MOTE_F32, 4, d, x), -1, -1, weight(MOTE_I64, 1, ds, sz)};
    int n = node("Resize", 4, in, 1);
    mote_graph_attr_string(G, n, "coordinate_transformation_mode", "asymmetric");
    ck_assert_mote_ok(run());
    float want[4] = {1, 1, 2, 2};
    expect_f32(0, 4, want, 0);

    begin();
    float x2[2] = {0, 3};
    int in2[4] = {input(MOTE_F32, 4, d, x2), -1, -1, weight(MOTE_I64, 1, ds, sz)};
    n = node("Resize", 4, in2, 1);
    mote_graph_attr_string(G, n, "mode", "linear");
    mote_graph_attr_string(G, n, "coordinate_transformation_mode", "align_corners");
    ck_assert_mote_ok(run());
    float want2[4] = {0, 1, 2, 3};
    expect_f32(0, 4, want2, 1e-6f);

    begin();   /* Upsample (opset 9), constant scales */
    float sc[4] = {1, 1, 1, 2};
    int in3[2] = {input(MOTE_F32, 4, d, x), weight(MOTE_F32, 1, ds, sc)};
    node("Upsample", 2, in3, 1);
    ck_assert_mote_ok(run());
    expect_f32(0, 4, want, 0);
}
END_TEST

/* Resize of one tensor on its axes 1, 2 as [2, H, W, C] (the fast path
 * for two consecutive changing axes) and transposed to [H, 2, W, C] (axes
 * 0 and 2 change: the general reference kernel): the same taps and sums,
 * so the outputs must agree bit for bit, for every mode, nearest mode and
 * coordinate transformation, up- and downsampling, C = 1 (the row kernel)
 * and wider channel blocks, some crop positions outside the input. */
START_TEST(test_resize_pair_fast_path_equals_general)
{
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    static const char *const nmodes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    static const int64_t shapes[][5] = {   /* H, W, C, OH, OW */
        {5, 7, 3, 11, 4}, {4, 4, 16, 8, 8}, {9, 6, 1, 4, 13}, {3, 5, 13, 7, 10}, {6, 3, 8, 1, 6},
    };
    float *x = malloc(sizeof(float) * 2 * 9 * 7 * 16), *xt = malloc(sizeof(float) * 2 * 9 * 7 * 16);
    for (int i = 0; i < 2 * 9 * 7 * 16; i++)
        x[i] = (float)((i * 37) % 101) / 7.0f - 6.0f;
    x[0] = -0.0f;
    for (int sh = 0; sh < 5; sh++)
        for (int mode = 0; mode < 8; mode++)   /* nearest x4, linear, cubic, cubic excl. */
            for (int cm = 0; cm < 6; cm++) {
                /* tf_half_pixel_for_nn puts an unresized axis's linear or
                 * cubic taps at o + 0.5: it changes, no path skips it */
                if (cm == 4 && mode >= 4)
                    continue;
                const int64_t *z = shapes[sh];
                int64_t blk = z[1] * z[2], oblk = z[4] * z[2];
                for (int64_t n = 0; n < 2; n++)   /* [2, H, W*C] -> [H, 2, W*C] */
                    for (int64_t h = 0; h < z[0]; h++)
                        memcpy(xt + (h * 2 + n) * blk, x + (n * z[0] + h) * blk, sizeof(float) * (size_t)blk);
                float *got[2];
                for (int lay = 0; lay < 2; lay++) {
                    int64_t d[4] = {2, z[0], z[1], z[2]}, sz[4] = {2, z[3], z[4], z[2]};
                    if (lay) {
                        d[0] = z[0]; d[1] = 2;
                        sz[0] = z[3]; sz[1] = 2;
                    }
                    float roi[8] = {0, 0, 0, 0, 1, 1, 1, 1};
                    int h = lay ? 0 : 1;
                    roi[h] = -0.2f; roi[4 + h] = 1.1f;
                    roi[2] = 0.15f; roi[6] = 0.9f;
                    int64_t d4[1] = {4}, d8[1] = {8};
                    begin();
                    int in[4] = {input(MOTE_F32, 4, d, lay ? xt : x), weight(MOTE_F32, 1, d8, roi), -1,
                                 weight(MOTE_I64, 1, d4, sz)};
                    int n = node("Resize", 4, in, 1);
                    mote_graph_attr_string(G, n, "coordinate_transformation_mode", coords[cm]);
                    mote_graph_attr_string(G, n, "mode", mode < 4 ? "nearest" : mode == 4 ?
                                           "linear" : "cubic");
                    if (mode < 4)
                        mote_graph_attr_string(G, n, "nearest_mode", nmodes[mode]);
                    mote_graph_attr_int(G, n, "exclude_outside", mode == 7);
                    mote_graph_attr_float(G, n, "extrapolation_value", 0.5f);
                    ck_assert_mote_ok(run());
                    size_t nb = mote_tensor_nbytes(&OUTT[0]);
                    ck_assert_int_eq((int64_t)nb, (int64_t)sizeof(float) * 2 * z[3] * oblk);
                    got[lay] = malloc(nb);
                    memcpy(got[lay], OUT[0], nb);
                }
                for (int64_t n = 0; n < 2; n++)
                    for (int64_t h = 0; h < z[3]; h++)
                        ck_assert_msg(!memcmp(got[0] + (n * z[3] + h) * oblk, got[1] + (h * 2 + n) * oblk,
                                              sizeof(float) * (size_t)oblk),
                                      "shape %d mode %d %s, image %d row %d: the fast path differs "
                                      "from the general kernel", sh, mode, coords[cm], (int)n, (int)h);
                free(got[0]);
                free(got[1]);
            }
    free(x);
    free(xt);
}
END_TEST

START_TEST(test_resize_rejects_runtime_scales)
{
    begin();
    float x[2] = {1, 2}, sc[4] = {1, 1, 1, 2};
    int64_t d[4] = {1, 1, 1, 2}, ds[1] = {4};
    int in[3] = {input(MOTE_F32, 4, d, x), -1, input(MOTE_F32, 1, ds, sc)};
    node("Resize", 3, in, 1);
    expect_error(MOTE_ERR_UNSUPPORTED, "must be a constant");
}
END_TEST

START_TEST(test_depth_to_space_modes_and_back)
{
    float x[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    int64_t d[4] = {1, 8, 1, 1}, od[4] = {1, 2, 2, 2};
    float dcr[8] = {0, 2, 4, 6, 1, 3, 5, 7}, crd[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    for (int m = 0; m < 2; m++) {
        begin();
        int in = input(MOTE_F32, 4, d, x);
        int n = node("DepthToSpace", 1, &in, 1);
        mote_graph_attr_int(G, n, "blocksize", 2);
        mote_graph_attr_string(G, n, "mode", m ? "CRD" : "DCR");
        ck_assert_mote_ok(run());
        expect_dims(0, 4, od);
        expect_f32(0, 8, m ? crd : dcr, 0);
    }
    begin();   /* SpaceToDepth undoes DCR */
    int in = input(MOTE_F32, 4, od, dcr);
    int n = node("SpaceToDepth", 1, &in, 1);
    mote_graph_attr_int(G, n, "blocksize", 2);
    ck_assert_mote_ok(run());
    expect_dims(0, 4, d);
    expect_f32(0, 8, x, 0);
}
END_TEST

START_TEST(test_depth_to_space_rejects_indivisible_channels)
{
    begin();
    float x[6] = {0};
    int64_t d[4] = {1, 6, 1, 1};
    int in = input(MOTE_F32, 4, d, x);
    int n = node("DepthToSpace", 1, &in, 1);
    mote_graph_attr_int(G, n, "blocksize", 2);
    expect_error(MOTE_ERR_SHAPE, "not a multiple of blocksize^2");
}
END_TEST

START_TEST(test_instance_lrn_lp_norms)
{
    begin();
    float x[2] = {0, 2}, one = 1, zero = 0;
    int64_t d[4] = {1, 1, 1, 2}, dc[1] = {1};
    int in[3] = {input(MOTE_F32, 4, d, x), weight(MOTE_F32, 1, dc, &one), weight(MOTE_F32, 1, dc, &zero)};
    int n = node("InstanceNormalization", 3, in, 1);
    mote_graph_attr_float(G, n, "epsilon", 0.0f);
    ck_assert_mote_ok(run());
    float w1[2] = {-1, 1};
    expect_f32(0, 2, w1, 1e-6f);

    begin();   /* size 1, alpha 1, beta 1, bias 1: y = x / (1 + x^2) */
    float xl[2] = {1, 2};
    int64_t dl[4] = {1, 2, 1, 1};
    int il = input(MOTE_F32, 4, dl, xl);
    n = node("LRN", 1, &il, 1);
    mote_graph_attr_int(G, n, "size", 1);
    mote_graph_attr_float(G, n, "alpha", 1.0f);
    mote_graph_attr_float(G, n, "beta", 1.0f);
    mote_graph_attr_float(G, n, "bias", 1.0f);
    ck_assert_mote_ok(run());
    float w2[2] = {0.5f, 0.4f};
    expect_f32(0, 2, w2, 1e-6f);

    for (int p = 1; p <= 2; p++) {
        begin();
        float xp[2] = {3, 4};
        int64_t dp[1] = {2};
        int ip = input(MOTE_F32, 1, dp, xp);
        n = node("LpNormalization", 1, &ip, 1);
        mote_graph_attr_int(G, n, "p", p);
        ck_assert_mote_ok(run());
        float w3[2] = {p == 1 ? 3.0f / 7 : 0.6f, p == 1 ? 4.0f / 7 : 0.8f};
        expect_f32(0, 2, w3, 1e-6f);
    }
}
END_TEST

START_TEST(test_instance_norm_rejects_wrong_scale_shape)
{
    begin();
    float x[4] = {0}, s[2] = {1, 1};
    int64_t d[4] = {1, 1, 2, 2}, dc[1] = {2};
    int in[3] = {input(MOTE_F32, 4, d, x), weight(MOTE_F32, 1, dc, s), weight(MOTE_F32, 1, dc, s)};
    node("InstanceNormalization", 3, in, 1);
    expect_error(MOTE_ERR_SHAPE, "scale) must have shape (1)");
}
END_TEST

START_TEST(test_quantize_dequantize_matmul_integer)
{
    begin();
    float x[5] = {0, 1.5f, 2.5f, -1, 300}, sc = 1;
    uint8_t zp = 0;
    int64_t d[1] = {5};
    int in[3] = {input(MOTE_F32, 1, d, x), input(MOTE_F32, 0, d, &sc), input(MOTE_U8, 0, d, &zp)};
    node("QuantizeLinear", 3, in, 1);
    ck_assert_mote_ok(run());
    const uint8_t wq[5] = {0, 2, 2, 0, 255};   /* half to even, saturated */
    ck_assert_int_eq(OUTT[0].dtype, MOTE_U8);
    ck_assert_int_eq(memcmp(OUT[0], wq, 5), 0);

    begin();   /* per axis: channel c has scale sc[c], zero point zq[c] */
    uint8_t q[4] = {0, 10, 4, 8}, zq[2] = {10, 4};
    float sa[2] = {0.5f, 2.0f};
    int64_t dq[2] = {2, 2}, dz[1] = {2};
    int in2[3] = {input(MOTE_U8, 2, dq, q), weight(MOTE_F32, 1, dz, sa), weight(MOTE_U8, 1, dz, zq)};
    int n = node("DequantizeLinear", 3, in2, 1);
    mote_graph_attr_int(G, n, "axis", 0);
    ck_assert_mote_ok(run());
    float wd[4] = {-5, 0, 0, 8};
    expect_f32(0, 4, wd, 0);

    begin();
    uint8_t a[4] = {1, 2, 3, 4}, b[2] = {1, 1}, za = 1, zb = 0;
    int64_t da[2] = {2, 2}, db[2] = {2, 1}, d1[1] = {1};
    int in3[4] = {input(MOTE_U8, 2, da, a), input(MOTE_U8, 2, db, b), weight(MOTE_U8, 1, d1, &za),
                  weight(MOTE_U8, 1, d1, &zb)};
    node("MatMulInteger", 4, in3, 1);
    ck_assert_mote_ok(run());
    ck_assert_int_eq(OUTT[0].dtype, MOTE_I32);
    ck_assert_int_eq(((int32_t *)OUT[0])[0], 1);   /* (1-1) + (2-1) */
    ck_assert_int_eq(((int32_t *)OUT[0])[1], 5);   /* (3-1) + (4-1) */
}
END_TEST

START_TEST(test_matmul_integer_rejects_inner_mismatch)
{
    begin();
    uint8_t a[6] = {0}, b[4] = {0};
    int64_t da[2] = {2, 3}, db[2] = {2, 2};
    int in[2] = {input(MOTE_U8, 2, da, a), input(MOTE_U8, 2, db, b)};
    node("MatMulInteger", 2, in, 1);
    expect_error(MOTE_ERR_SHAPE, "A has K = 3 columns, B has 2 rows");
}
END_TEST

static void einsum(const char *eq, int n_in, const int *in)
{
    int n = node("Einsum", n_in, in, 1);
    mote_graph_attr_string(G, n, "equation", eq);
}

START_TEST(test_einsum_common_forms)
{
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    int64_t d[2] = {2, 2}, d1[1] = {4};
    begin();
    int in[2] = {input(MOTE_F32, 2, d, a), input(MOTE_F32, 2, d, b)};
    einsum("ij,jk->ik", 2, in);
    ck_assert_mote_ok(run());
    float mm[4] = {19, 22, 43, 50};
    expect_f32(0, 4, mm, 0);

    begin();
    int t = input(MOTE_F32, 2, d, a);
    einsum("ij->ji", 1, &t);
    ck_assert_mote_ok(run());
    float tr[4] = {1, 3, 2, 4};
    expect_f32(0, 4, tr, 0);

    begin();
    int in2[2] = {input(MOTE_F32, 1, d1, a), input(MOTE_F32, 1, d1, b)};
    einsum("i,i", 2, in2);
    ck_assert_mote_ok(run());
    float dot = 70;
    expect_f32(0, 1, &dot, 0);

    begin();
    int dg = input(MOTE_F32, 2, d, a);
    einsum("...ii->...i", 1, &dg);
    ck_assert_mote_ok(run());
    float diag[2] = {1, 4};
    expect_f32(0, 2, diag, 0);

    begin();
    int s = input(MOTE_F32, 2, d, a);
    einsum("ij->i", 1, &s);
    ck_assert_mote_ok(run());
    float rows[2] = {3, 7};
    expect_f32(0, 2, rows, 0);
}
END_TEST

START_TEST(test_einsum_rejects_inconsistent_sizes_naming_equation)
{
    begin();
    float a[6] = {0};
    int64_t d23[2] = {2, 3}, d22[2] = {2, 2};
    int in[2] = {input(MOTE_F32, 2, d23, a), input(MOTE_F32, 2, d22, a)};
    einsum("ij,jk->ik", 2, in);
    expect_error(MOTE_ERR_SHAPE, "equation 'ij,jk->ik': index 'j' has sizes 3 and 2");

    begin();
    int x = input(MOTE_F32, 2, d22, a);
    einsum("i1->i", 1, &x);
    expect_error(MOTE_ERR_SHAPE, "equation 'i1->i'");
}
END_TEST

static float sigm(float v) { return 1.0f / (1.0f + expf(-v)); }

START_TEST(test_lstm_bias_only_cell)
{
    /* W = R = 0: the gates are the biases (order i, o, f, c) */
    begin();
    float x[2] = {5, -5}, w[4] = {0}, bias[8] = {0, 0, 0, 1, 0, 0, 0, 0};
    int64_t dx[3] = {2, 1, 1}, dw[3] = {1, 4, 1}, db[2] = {1, 8};
    int in[4] = {input(MOTE_F32, 3, dx, x), weight(MOTE_F32, 3, dw, w), weight(MOTE_F32, 3, dw, w),
                 weight(MOTE_F32, 2, db, bias)};
    int n = node("LSTM", 4, in, 3);
    mote_graph_attr_int(G, n, "hidden_size", 1);
    ck_assert_mote_ok(run());
    float c1 = 0.5f * tanhf(1.0f), h1 = 0.5f * tanhf(c1);
    float c2 = 0.5f * c1 + 0.5f * tanhf(1.0f), h2 = 0.5f * tanhf(c2);
    float y[2] = {h1, h2};
    expect_f32(0, 2, y, 1e-6f);
    expect_f32(1, 1, &h2, 1e-6f);
    expect_f32(2, 1, &c2, 1e-6f);
}
END_TEST

START_TEST(test_gru_bidirectional_with_sequence_lens)
{
    /* W = R = 0, Wb_z = 0, Wb_h = 1: h' = 0.5 tanh(1) + 0.5 h */
    begin();
    float x[2] = {1, 1}, bias[6] = {0, 0, 1, 0, 0, 0};
    float wb[2 * 3], bb[2 * 6];
    for (int i = 0; i < 6; i++) wb[i] = 0;
    for (int i = 0; i < 12; i++) bb[i] = bias[i % 6];
    int32_t lens[1] = {1};
    int64_t dx[3] = {2, 1, 1}, dw[3] = {2, 3, 1}, db[2] = {2, 6}, dl[1] = {1};
    int in[5] = {input(MOTE_F32, 3, dx, x), weight(MOTE_F32, 3, dw, wb), weight(MOTE_F32, 3, dw, wb),
                 weight(MOTE_F32, 2, db, bb), input(MOTE_I32, 1, dl, lens)};
    int n = node("GRU", 5, in, 2);
    mote_graph_attr_int(G, n, "hidden_size", 1);
    mote_graph_attr_string(G, n, "direction", "bidirectional");
    ck_assert_mote_ok(run());
    int64_t yd[4] = {2, 2, 1, 1};
    expect_dims(0, 4, yd);
    float h = (1.0f - sigm(0)) * tanhf(1.0f);
    float y[4] = {h, h, 0, 0};   /* step 1 is past the length: zeros */
    expect_f32(0, 4, y, 1e-6f);
    float yh[2] = {h, h};
    expect_f32(1, 2, yh, 1e-6f);
}
END_TEST

START_TEST(test_lstm_rejects_custom_activations)
{
    begin();
    float x[1] = {0}, w[4] = {0};
    int64_t dx[3] = {1, 1, 1}, dw[3] = {1, 4, 1};
    int in[3] = {input(MOTE_F32, 3, dx, x), weight(MOTE_F32, 3, dw, w), weight(MOTE_F32, 3, dw, w)};
    int n = node("LSTM", 3, in, 1);
    mote_graph_attr_int(G, n, "hidden_size", 1);
    const char *acts[3] = {"Relu", "Tanh", "Tanh"};
    mote_graph_attr_strings(G, n, "activations", 3, acts);
    expect_error(MOTE_ERR_UNSUPPORTED, "activation 'Relu'");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ops_structured");
    TCase *t = tcase_create("ops_structured");
    tcase_add_test(t, test_gather_picks_rows_along_axis);
    tcase_add_test(t, test_gather_clamps_runtime_indices);
    tcase_add_test(t, test_gather_rejects_constant_index_out_of_range);
    tcase_add_test(t, test_gather_elements_and_nd);
    tcase_add_test(t, test_scatter_nd_assigns_and_adds);
    tcase_add_test(t, test_scatter_nd_rejects_wrong_updates_shape);
    tcase_add_test(t, test_slice_negative_step_and_clamping);
    tcase_add_test(t, test_slice_rejects_zero_step);
    tcase_add_test(t, test_split_by_sizes_and_errors);
    tcase_add_test(t, test_tile_repeats_each_axis);
    tcase_add_test(t, test_pad_constant_reflect_edge);
    tcase_add_test(t, test_pad_2d_margins_and_crop);
    tcase_add_test(t, test_pad_rejects_wrong_pads_count);
    tcase_add_test(t, test_topk_ties_go_to_lower_index);
    tcase_add_test(t, test_topk_rejects_k_beyond_axis);
    tcase_add_test(t, test_cumsum_exclusive_reverse);
    tcase_add_test(t, test_convtranspose_scatters_kernel);
    tcase_add_test(t, test_convtranspose_gemm_path_matches_reference);
    tcase_add_test(t, test_convtranspose_rejects_channel_mismatch);
    tcase_add_test(t, test_resize_nearest_and_linear);
    tcase_add_test(t, test_resize_rejects_runtime_scales);
    tcase_add_test(t, test_resize_pair_fast_path_equals_general);
    tcase_add_test(t, test_depth_to_space_modes_and_back);
    tcase_add_test(t, test_depth_to_space_rejects_indivisible_channels);
    tcase_add_test(t, test_instance_lrn_lp_norms);
    tcase_add_test(t, test_instance_norm_rejects_wrong_scale_shape);
    tcase_add_test(t, test_quantize_dequantize_matmul_integer);
    tcase_add_test(t, test_matmul_integer_rejects_inner_mismatch);
    tcase_add_test(t, test_einsum_common_forms);
    tcase_add_test(t, test_einsum_rejects_inconsistent_sizes_naming_equation);
    tcase_add_test(t, test_lstm_bias_only_cell);
    tcase_add_test(t, test_gru_bidirectional_with_sequence_lens);
    tcase_add_test(t, test_lstm_rejects_custom_activations);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    int rc = mote_test_run(suite());
    if (G)
        mote_graph_free(G);
    for (int i = 0; i < 4; i++)
        free(OUT[i]);
    return rc;
}
