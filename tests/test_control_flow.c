/*
 * test_control_flow.c — Loop as a real loop: subgraphs in the graph and
 * the .mote format (round trip, the reader's refusals), and sessions that
 * run a body trip after trip (run-time trip counts, early exit, scans,
 * nested loops, captured values, no allocation while running).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include "mote.h"
#include "graph/graph.h"
#include "format/format.h"
#include "format/crc32.h"
#include "runtime/session.h"
#include "testutil.h"

/* ---------------------------------------------- counting allocations */

#include "alloc_count.h"

/* ------------------------------------------------------------ models */

static const float x0[4] = {1, 2, 3, 4};
static const float w0[4] = {0.5f, -1, 2, 0.25f};

enum {
    M_RUNTIME = -1,     /* M is a model input (i64 scalar)             */
    M_ABSENT = -2,      /* no M: the body's condition alone stops it  */
};

/*
 * A body (i, c, y[4], w[4], lim) -> (c', y + w, y): c' = i < lim when
 * early, else c passes through. y is loop-carried, y's value before the
 * trip is scanned when scan, w and lim are captured from outside.
 */
static mote_graph *body_graph(bool early, bool scan)
{
    mote_graph *b = mote_graph_new();
    int64_t d4[1] = {4};
    int i = mote_graph_input(b, "i", MOTE_I64, 0, NULL);
    int c = mote_graph_input(b, "c", MOTE_BOOL, 0, NULL);
    int y = mote_graph_input(b, "y", MOTE_F32, 1, d4);
    int w = mote_graph_input(b, "w", MOTE_F32, 1, d4);
    int lim = mote_graph_input(b, "lim", MOTE_I64, 0, NULL);
    int c2, y2, sc;
    const char *cn[1] = {"c_out"}, *yn[1] = {"y_out"}, *sn[1] = {"scan_out"};
    if (early) {
        int in[2] = {i, lim};
        mote_graph_node(b, "Less", "less", 2, in, 1, cn, &c2);
    } else {
        mote_graph_node(b, "Identity", "keep", 1, &c, 1, cn, &c2);
    }
    int in[2] = {y, w};
    mote_graph_node(b, "Add", "add", 2, in, 1, yn, &y2);
    mote_graph_output(b, c2);
    mote_graph_output(b, y2);
    if (scan) {
        mote_graph_node(b, "Identity", "scan", 1, &y, 1, sn, &sc);
        mote_graph_output(b, sc);
    }
    return b;
}

/* y_final (, scans) = Loop(M, -, x) over body_graph; m >= 0 a constant. */
static mote_graph *loop_graph(int64_t m, bool early, bool scan, int64_t limit)
{
    mote_graph *g = mote_graph_new();
    int64_t d4[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d4);
    int mv = -1;
    if (m == M_RUNTIME)
        mv = mote_graph_input(g, "M", MOTE_I64, 0, NULL);
    else if (m >= 0)
        mv = mote_graph_weight(g, "M", MOTE_I64, 0, NULL, &m);
    int w = mote_graph_weight(g, "w", MOTE_F32, 1, d4, w0);
    int lim = mote_graph_weight(g, "lim", MOTE_I64, 0, NULL, &limit);
    int in[5] = {mv, -1, x, w, lim}, out[2];
    const char *names[2] = {"y", "ys"};
    int node = mote_graph_node(g, "Loop", "loop", 5, in, scan ? 2 : 1, names, out);
    ck_assert_int_ge(node, 0);
    ck_assert_mote_ok(mote_graph_attr_int(g, node, "_captures", 2));
    ck_assert_mote_ok(mote_graph_attr_graph(g, node, "body", body_graph(early, scan)));
    mote_graph_output(g, out[0]);
    if (scan)
        mote_graph_output(g, out[1]);
    return g;
}

static mote_session *session_of(mote_graph *g, mote_model **m)
{
    ck_assert_mote_ok(mote_model_from_graph(g, m));
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s;
    ck_assert_mote_ok(mote_session_new(*m, &o, &s));
    return s;
}

static void run_loop(mote_session *s, bool runtime_m, int64_t m)
{
    mote_tensor in[2] = {
        {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0},
        {.dtype = MOTE_I64, .ndim = 0, .data = &m},
    };
    ck_assert_mote_ok(mote_session_run(s, in, runtime_m ? 2 : 1));
}

/* y = x + trips * w */
static void expect_trips(mote_session *s, int trips)
{
    mote_tensor y;
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    ck_assert_int_eq(y.ndim, 1);
    ck_assert_int_eq(y.dims[0], 4);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(((float *)y.data)[k] == x0[k] + (float)trips * w0[k],
                      "y[%d] = %g after %d trips, want %g", k, ((float *)y.data)[k], trips,
                      x0[k] + (float)trips * w0[k]);
}

/* ------------------------------------------------------------- tests */

START_TEST(test_loop_runs_a_trip_count_given_at_run_time)
{
    mote_model *m;
    mote_session *s = session_of(loop_graph(M_RUNTIME, false, false, 0), &m);
    int64_t counts[] = {3, 0, 7, 1, 20};
    for (int k = 0; k < 5; k++) {
        run_loop(s, true, counts[k]);
        expect_trips(s, (int)counts[k]);
    }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_loop_stops_when_its_body_says_so)
{
    mote_model *m;
    /* no M: trips 0, 1, 2 run (i < 2 holds after trips 0 and 1) */
    mote_session *s = session_of(loop_graph(M_ABSENT, true, false, 2), &m);
    run_loop(s, false, 0);
    expect_trips(s, 3);
    mote_session_free(s);
    mote_model_close(m);
    /* M = 1 stops it first */
    s = session_of(loop_graph(1, true, false, 5), &m);
    run_loop(s, false, 0);
    expect_trips(s, 1);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* MOTE_MAX_LOOP_TRIPS: more trips than that fail the run, naming it; a
 * malformed value is refused when the session is made */
START_TEST(test_loop_trip_limit_stops_a_runaway_loop)
{
    setenv("MOTE_MAX_LOOP_TRIPS", "5", 1);
    mote_model *m;
    mote_session *s = session_of(loop_graph(M_RUNTIME, false, false, 0), &m);
    run_loop(s, true, 5);
    expect_trips(s, 5);
    int64_t big = (int64_t)1 << 62;
    mote_tensor in[2] = {
        {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0},
        {.dtype = MOTE_I64, .ndim = 0, .data = &big},
    };
    ck_assert_int_eq(mote_session_run(s, in, 2), MOTE_ERR_SHAPE);
    ck_assert_msg(strstr(mote_last_error(), "MOTE_MAX_LOOP_TRIPS"), "%s", mote_last_error());
    run_loop(s, true, 2);   /* the session still runs */
    expect_trips(s, 2);
    mote_session_free(s);
    mote_model_close(m);
    setenv("MOTE_MAX_LOOP_TRIPS", "five", 1);
    ck_assert_mote_ok(mote_model_from_graph(loop_graph(M_RUNTIME, false, false, 0), &m));
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_msg(strstr(mote_last_error(), "MOTE_MAX_LOOP_TRIPS"), "%s", mote_last_error());
    mote_model_close(m);
    unsetenv("MOTE_MAX_LOOP_TRIPS");
}
END_TEST

START_TEST(test_loop_scan_outputs_stack_every_trip)
{
    mote_model *m;
    mote_session *s = session_of(loop_graph(3, false, true, 0), &m);
    for (int rep = 0; rep < 2; rep++) {   /* a second run starts afresh */
        run_loop(s, false, 0);
        expect_trips(s, 3);
        mote_tensor ys;
        ck_assert_mote_ok(mote_session_output(s, 1, &ys));
        ck_assert_int_eq(ys.ndim, 2);
        ck_assert_int_eq(ys.dims[0], 3);
        ck_assert_int_eq(ys.dims[1], 4);
        for (int t = 0; t < 3; t++)
            for (int k = 0; k < 4; k++)   /* the value a trip started from */
                ck_assert(((float *)ys.data)[t * 4 + k] == x0[k] + (float)t * w0[k]);
    }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_loop_scans_without_a_known_trip_count_are_refused)
{
    /* refused when the model is made (its input shapes are fixed) */
    mote_model *m = NULL;
    ck_assert_int_eq(mote_model_from_graph(loop_graph(M_RUNTIME, false, true, 0), &m),
                     MOTE_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(mote_last_error(), "loop/end") && strstr(mote_last_error(), "trip count M"),
                  "message: %s", mote_last_error());
}
END_TEST

START_TEST(test_loop_stopping_before_its_scan_rows_fails_the_run)
{
    mote_model *m;
    /* M = 4 rows planned, the body stops after trip 1 (i < 1 fails) */
    mote_session *s = session_of(loop_graph(4, true, true, 1), &m);
    mote_tensor x = {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0};
    ck_assert_int_eq(mote_session_run(s, &x, 1), MOTE_ERR_SHAPE);
    ck_assert_msg(strstr(mote_last_error(), "loop/end") && strstr(mote_last_error(), "scan"),
                  "message: %s", mote_last_error());
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_loop_carried_value_changing_shape_is_refused)
{
    /* the body turns y[4] into y[1] (ReduceSum, keepdims): one shape per value */
    mote_graph *g = loop_graph(2, false, false, 0);
    mote_graph *b = (mote_graph *)mote_node_subgraph(&g->nodes[0], "body");
    int add = mote_graph_find_node(b, "add");
    ck_assert_int_ge(add, 0);
    free(b->nodes[add].op);
    b->nodes[add].op = malloc(sizeof "ReduceSum");
    memcpy(b->nodes[add].op, "ReduceSum", sizeof "ReduceSum");
    b->nodes[add].n_in = 1;
    mote_model *m = NULL;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(mote_last_error(), "loop-carried value 0") &&
                  strstr(mote_last_error(), "f32[1]"), "message: %s", mote_last_error());
}
END_TEST

START_TEST(test_loop_whose_counts_do_not_add_up_is_refused)
{
    /* _captures says 4 captured values: no room for the loop-carried one */
    mote_graph *g = loop_graph(2, false, false, 0);
    ck_assert_mote_ok(mote_graph_attr_int(g, 0, "_captures", 4));
    mote_model *m = NULL;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_ERR_GRAPH);
    ck_assert_msg(strstr(mote_last_error(), "node 'loop' (Loop)") &&
                  strstr(mote_last_error(), "do not fit together"), "message: %s", mote_last_error());
    /* a body without its outputs */
    g = loop_graph(2, false, false, 0);
    ((mote_graph *)mote_node_subgraph(&g->nodes[0], "body"))->n_outputs = 1;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_ERR_GRAPH);
    ck_assert_msg(strstr(mote_last_error(), "do not fit together"), "message: %s", mote_last_error());
}
END_TEST

START_TEST(test_control_steps_in_a_file_are_refused)
{
    /* LoopBegin / IfJump are the session's own: a graph cannot hold them */
    mote_graph *g = mote_graph_new();
    int c = mote_graph_input(g, "c", MOTE_BOOL, 0, NULL);
    int y;
    int node = mote_graph_node_with_outputs(g, "IfJump", "jump", 1, &c, 0, NULL, NULL);
    ck_assert_int_ge(node, 0);
    ck_assert_mote_ok(mote_graph_attr_int(g, node, "when", 0));
    ck_assert_mote_ok(mote_graph_attr_string(g, node, "_target", "id"));
    mote_graph_node(g, "Identity", "id", 1, &c, 1, NULL, &y);
    mote_graph_output(g, y);
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_session *s = NULL;
    ck_assert_int_eq(mote_session_new(m, NULL, &s), MOTE_ERR_GRAPH);
    ck_assert_msg(strstr(mote_last_error(), "node 'jump' (IfJump)") &&
                  strstr(mote_last_error(), "never from a file"), "message: %s", mote_last_error());
    mote_model_close(m);
}
END_TEST

START_TEST(test_nested_loops_run)
{
    /* outer: 3 trips of (inner: 2 trips of y += w): y = x + 6 w */
    mote_graph *inner = loop_graph(2, false, false, 0);
    mote_graph *ob = mote_graph_new();
    int64_t d4[1] = {4}, two = 2;
    int i = mote_graph_input(ob, "i", MOTE_I64, 0, NULL);
    int c = mote_graph_input(ob, "c", MOTE_BOOL, 0, NULL);
    int y = mote_graph_input(ob, "y", MOTE_F32, 1, d4);
    int w = mote_graph_input(ob, "w", MOTE_F32, 1, d4);
    int m2 = mote_graph_input(ob, "m2", MOTE_I64, 0, NULL);
    (void)i;
    int c2, y2;
    const char *cn[1] = {"c_out"}, *yn[1] = {"y_out"};
    mote_graph_node(ob, "Identity", "keep", 1, &c, 1, cn, &c2);
    int lin[5] = {m2, -1, y, w, m2};
    int node = mote_graph_node(ob, "Loop", "inner", 5, lin, 1, yn, &y2);
    ck_assert_mote_ok(mote_graph_attr_int(ob, node, "_captures", 2));
    ck_assert_mote_ok(mote_graph_attr_graph(ob, node, "body", body_graph(false, false)));
    mote_graph_output(ob, c2);
    mote_graph_output(ob, y2);
    mote_graph_free(inner);

    mote_graph *g = mote_graph_new();
    int64_t three = 3;
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d4);
    int mv = mote_graph_weight(g, "M", MOTE_I64, 0, NULL, &three);
    int wv = mote_graph_weight(g, "w", MOTE_F32, 1, d4, w0);
    int m2v = mote_graph_weight(g, "m2", MOTE_I64, 0, NULL, &two);
    int in[5] = {mv, -1, x, wv, m2v}, out;
    const char *names[1] = {"y"};
    node = mote_graph_node(g, "Loop", "outer", 5, in, 1, names, &out);
    ck_assert_mote_ok(mote_graph_attr_int(g, node, "_captures", 2));
    ck_assert_mote_ok(mote_graph_attr_graph(g, node, "body", ob));
    mote_graph_output(g, out);
    mote_model *m;
    mote_session *s = session_of(g, &m);
    run_loop(s, false, 0);
    expect_trips(s, 6);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* rows of x[N,3]: M = N (Shape -> Gather), each trip adds row i to acc
 * and scans 2 * row i; N is open, fixed per session or reshape. */
static mote_graph *rows_graph(void)
{
    mote_graph *b = mote_graph_new();
    int64_t d3[1] = {3}, dn[2] = {-1, 3}, zero = 0;
    int i = mote_graph_input(b, "i", MOTE_I64, 0, NULL);
    int c = mote_graph_input(b, "c", MOTE_BOOL, 0, NULL);
    int acc = mote_graph_input(b, "acc", MOTE_F32, 1, d3);
    int x = mote_graph_input(b, "x", MOTE_F32, 2, dn);
    int row, acc2, twice;
    int gin[2] = {x, i};
    mote_graph_node(b, "Gather", "row", 2, gin, 1, NULL, &row);
    int ain[2] = {acc, row};
    mote_graph_node(b, "Add", "acc_add", 2, ain, 1, NULL, &acc2);
    int tin[2] = {row, row};
    mote_graph_node(b, "Add", "twice", 2, tin, 1, NULL, &twice);
    mote_graph_output(b, c);
    mote_graph_output(b, acc2);
    mote_graph_output(b, twice);

    mote_graph *g = mote_graph_new();
    static const float acc0[3] = {0, 0, 0};
    int xv = mote_graph_input(g, "x", MOTE_F32, 2, dn);
    int a0 = mote_graph_weight(g, "acc0", MOTE_F32, 1, d3, acc0);
    int z = mote_graph_weight(g, "zero", MOTE_I64, 0, NULL, &zero);
    int shape, m;
    mote_graph_node(g, "Shape", "shape", 1, &xv, 1, NULL, &shape);
    int gi[2] = {shape, z};
    mote_graph_node(g, "Gather", "n", 2, gi, 1, NULL, &m);
    int in[4] = {m, -1, a0, xv}, out[2];
    const char *names[2] = {"sum", "rows"};
    int node = mote_graph_node(g, "Loop", "loop", 4, in, 2, names, out);
    mote_graph_attr_int(g, node, "_captures", 1);
    mote_graph_attr_graph(g, node, "body", b);
    mote_graph_output(g, out[0]);
    mote_graph_output(g, out[1]);
    return g;
}

START_TEST(test_loop_trip_count_from_shapes_follows_a_reshape)
{
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(rows_graph(), &m));
    mote_tensor shape = {.dtype = MOTE_F32, .ndim = 2, .dims = {4, 3}};
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    o.input_shapes = &shape;
    o.n_input_shapes = 1;
    mote_session *s;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    float x[12];
    for (int k = 0; k < 12; k++)
        x[k] = (float)(k + 1);
    for (int n = 4; n >= 2; n -= 2) {
        if (n == 2) {
            shape.dims[0] = 2;
            ck_assert_mote_ok(mote_session_reshape(s, &shape, 1));
        }
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {n, 3}, .data = x};
        ck_assert_mote_ok(mote_session_run(s, &in, 1));
        mote_tensor sum, rows;
        ck_assert_mote_ok(mote_session_output(s, 0, &sum));
        ck_assert_mote_ok(mote_session_output(s, 1, &rows));
        ck_assert_int_eq(rows.ndim, 2);
        ck_assert_int_eq(rows.dims[0], n);
        for (int j = 0; j < 3; j++) {
            float want = 0;
            for (int r = 0; r < n; r++)
                want += x[r * 3 + j];
            ck_assert(((float *)sum.data)[j] == want);
            for (int r = 0; r < n; r++)
                ck_assert(((float *)rows.data)[r * 3 + j] == 2 * x[r * 3 + j]);
        }
    }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_loop_run_allocates_nothing)
{
#ifdef HAVE_ALLOC_COUNT
    mote_model *m;
    mote_session *s = session_of(loop_graph(M_RUNTIME, false, false, 0), &m);
    run_loop(s, true, 4);   /* warm up */
    alloc_count_start();
    int failed = 0;   /* no Check assertion in here: Check allocates */
    for (int64_t k = 0; k < 20; k++) {
        mote_tensor in[2] = {
            {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0},
            {.dtype = MOTE_I64, .ndim = 0, .data = &k},
        };
        failed += mote_session_run(s, in, 2) != MOTE_OK;
    }
    long n = alloc_count_stop();
    ck_assert_int_eq(failed, 0);
    ck_assert_msg(n == 0, "%ld allocations in 20 runs", n);
    expect_trips(s, 19);
    mote_session_free(s);
    mote_model_close(m);
#else
    fprintf(stderr, "SKIP: allocation counting needs glibc\n");
#endif
}
END_TEST

/* -------------------------------------------------------------- If */

/* An If as the importer writes it: then y = sigmoid(2 x), else
 * y = tanh(x + 1), and Where(c, then, else) marked _if_select. */
static mote_graph *if_graph(void)
{
    mote_graph *g = mote_graph_new();
    int64_t d4[1] = {4};
    float two = 2, one = 1;
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d4);
    int c = mote_graph_input(g, "c", MOTE_BOOL, 0, NULL);
    int w2 = mote_graph_weight(g, "two", MOTE_F32, 0, NULL, &two);
    int w1 = mote_graph_weight(g, "one", MOTE_F32, 0, NULL, &one);
    int t1, t2, e1, e2, y;
    int in[3] = {x, w2, 0};
    mote_graph_node(g, "Mul", "if/then/mul", 2, in, 1, NULL, &t1);
    mote_graph_node(g, "Sigmoid", "if/then/sigmoid", 1, &t1, 1, NULL, &t2);
    in[1] = w1;
    mote_graph_node(g, "Add", "if/else/add", 2, in, 1, NULL, &e1);
    mote_graph_node(g, "Tanh", "if/else/tanh", 1, &e1, 1, NULL, &e2);
    int sel[3] = {c, t2, e2};
    const char *yn[1] = {"y"};
    int node = mote_graph_node(g, "Where", "if/select_0", 3, sel, 1, yn, &y);
    mote_graph_attr_int(g, node, "_if_select", 1);
    mote_graph_output(g, y);
    return g;
}

static void count_step(void *ctx, const mote_session *s, int step)
{
    (void)s;
    (void)step;
    (*(int *)ctx)++;
}

START_TEST(test_data_dependent_if_runs_only_the_branch_taken)
{
    mote_model *m;
    mote_session *s = session_of(if_graph(), &m);
    ck_assert_int_eq(s->n_steps, 7);   /* IfJump, 2 then, Goto, 2 else, Where */
    for (int rep = 0; rep < 2; rep++)
        for (int cv = 0; cv <= 1; cv++) {
            uint8_t c = (uint8_t)cv;
            mote_tensor in[2] = {
                {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0},
                {.dtype = MOTE_BOOL, .ndim = 0, .data = &c},
            };
            int ran = 0;
            mote_step_hooks h = {.before = count_step, .ctx = &ran};
            ck_assert_mote_ok(mote_session_run_hooked(s, in, 2, &h));
            ck_assert_int_eq(ran, cv ? 5 : 4);   /* the other side's steps never ran */
            mote_tensor y;
            ck_assert_mote_ok(mote_session_output(s, 0, &y));
            for (int k = 0; k < 4; k++) {
                float want = cv ? 1.0f / (1.0f + expf(-2 * x0[k])) : tanhf(x0[k] + 1);
                ck_assert_msg(fabsf(((float *)y.data)[k] - want) < 1e-6f, "c=%d y[%d] = %g, want %g",
                              cv, k, ((float *)y.data)[k], want);
            }
            ck_assert_mote_ok(mote_session_run(s, in, 2));   /* the plain run agrees */
            for (int k = 0; k < 4; k++) {
                float want = cv ? 1.0f / (1.0f + expf(-2 * x0[k])) : tanhf(x0[k] + 1);
                ck_assert(fabsf(((float *)y.data)[k] - want) < 1e-6f);
            }
        }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_if_run_allocates_nothing)
{
#ifdef HAVE_ALLOC_COUNT
    mote_model *m;
    mote_session *s = session_of(if_graph(), &m);
    uint8_t c = 1;
    mote_tensor in[2] = {
        {.dtype = MOTE_F32, .ndim = 1, .dims = {4}, .data = (void *)x0},
        {.dtype = MOTE_BOOL, .ndim = 0, .data = &c},
    };
    ck_assert_mote_ok(mote_session_run(s, in, 2));
    alloc_count_start();
    int failed = 0;   /* no Check assertion in here: Check allocates */
    for (int k = 0; k < 20; k++) {
        c = (uint8_t)(k & 1);
        failed += mote_session_run(s, in, 2) != MOTE_OK;
    }
    long n = alloc_count_stop();
    ck_assert_int_eq(failed, 0);
    ck_assert_msg(n == 0, "%ld allocations in 20 runs", n);
    mote_session_free(s);
    mote_model_close(m);
#else
    fprintf(stderr, "SKIP: allocation counting needs glibc\n");
#endif
}
END_TEST

/* ------------------------------------------------------------ format */

START_TEST(test_subgraphs_round_trip_through_a_file)
{
    mote_graph *g = loop_graph(3, false, true, 0);
    void *buf;
    size_t len;
    ck_assert_mote_ok(mote_format_write_memory(g, &buf, &len));
    mote_graph *r;
    ck_assert_mote_ok(mote_format_read(buf, len, "loop.mote", &r));
    const mote_graph *b = mote_node_subgraph(&r->nodes[0], "body");
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->n_inputs, 5);
    ck_assert_int_eq(b->n_outputs, 3);
    ck_assert_int_eq(b->n_nodes, 3);
    ck_assert_int_eq(mote_attr_get_int(&r->nodes[0], "_captures", 0), 2);
    mote_graph_free(r);
    /* the file opens as a model and runs */
    mote_model *m;
    ck_assert_mote_ok(mote_model_open_memory(buf, len, &m));
    mote_session *s;
    ck_assert_mote_ok(mote_session_new(m, NULL, &s));
    run_loop(s, false, 0);
    expect_trips(s, 3);
    mote_session_free(s);
    mote_model_close(m);
    free(buf);
    mote_graph_free(g);
}
END_TEST

/* The offset in buf of the first occurrence of the name's record bytes
 * (u32 length, the bytes, a NUL). */
static size_t find_name(const uint8_t *buf, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 4; i + n <= len; i++)
        if (!memcmp(buf + i, name, n) && buf[i - 4] == n && !buf[i - 3] && !buf[i - 2] &&
            !buf[i - 1] && i + n < len && !buf[i + n])
            return i;
    ck_abort_msg("'%s' not found", name);
    return 0;
}

/* Recomputes the graph section's checksum and the header's. */
static void fix_graph_crc(uint8_t *p)
{
    uint8_t *e = p + MOTE_HDR_DIR + MOTE_SEC_GRAPH * MOTE_HDR_DIR_ENTRY;
    uint64_t off = mote_le64(e), size = mote_le64(e + 8);
    mote_put_le32(e + 16, mote_crc32(0, p + off, (size_t)size));
    mote_put_le32(p + MOTE_HDR_CRC, mote_crc32(0, p, MOTE_HDR_CRC));
}

START_TEST(test_reader_refuses_a_weight_inside_a_subgraph)
{
    mote_graph *g = loop_graph(3, false, false, 0);
    void *buf;
    size_t len;
    ck_assert_mote_ok(mote_format_write_memory(g, &buf, &len));
    uint8_t *p = buf;
    size_t at = find_name(p, len, "lim");   /* the outer weight's tensor record */
    at = find_name(p + at + 4, len - at - 4, "lim") + at + 4;   /* the outer value */
    at = find_name(p + at + 4, len - at - 4, "lim") + at + 4;   /* the body's input */
    mote_put_le32(p + at + 4, MOTE_VAL_WEIGHT);   /* kind, after the name and its NUL */
    fix_graph_crc(p);
    mote_graph *r = NULL;
    ck_assert_int_eq(mote_format_read(buf, len, "hostile.mote", &r), MOTE_ERR_FORMAT);
    ck_assert_msg(strstr(mote_last_error(), "weight inside a subgraph"), "message: %s",
                  mote_last_error());
    free(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_reader_refuses_subgraph_ids_out_of_range)
{
    mote_graph *g = loop_graph(3, false, false, 0);
    void *buf;
    size_t len;
    ck_assert_mote_ok(mote_format_write_memory(g, &buf, &len));
    uint8_t *p = buf;
    /* the body's node "add": op "Add", name "add", 2 inputs (y, w) */
    size_t at = find_name(p, len, "add");
    uint8_t *ins = p + at + 4;
    ck_assert_int_eq(mote_le32(ins), 2);
    mote_put_le32(ins + 4, 7);   /* the body has 7 values: 0..6 */
    fix_graph_crc(p);
    mote_graph *r = NULL;
    ck_assert_int_eq(mote_format_read(buf, len, "hostile.mote", &r), MOTE_ERR_FORMAT);
    ck_assert_msg(strstr(mote_last_error(), "not in [-1, 7)"), "message: %s", mote_last_error());
    free(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_reader_and_writer_refuse_a_cycle_in_a_subgraph)
{
    mote_graph *g = loop_graph(3, false, false, 0);
    mote_graph *b = (mote_graph *)mote_node_subgraph(&g->nodes[0], "body");
    int add = mote_graph_find_node(b, "add");
    b->nodes[add].in[0] = b->nodes[add].out[0];   /* y_out = Add(y_out, w) */
    void *buf = NULL;
    size_t len;
    ck_assert_int_eq(mote_format_write_memory(g, &buf, &len), MOTE_ERR_GRAPH);
    ck_assert_msg(strstr(mote_last_error(), "cycle"), "message: %s", mote_last_error());
    b->nodes[add].in[0] = mote_graph_find_value(b, "y");
    ck_assert_mote_ok(mote_format_write_memory(g, &buf, &len));
    /* the same cycle made in the file */
    uint8_t *p = buf;
    size_t at = find_name(p, len, "add");
    uint8_t *ins = p + at + 4;
    int y_out = mote_graph_find_value(b, "y_out");
    mote_put_le32(ins + 4, (uint32_t)y_out);
    fix_graph_crc(p);
    mote_graph *r = NULL;
    ck_assert_int_eq(mote_format_read(buf, len, "hostile.mote", &r), MOTE_ERR_FORMAT);
    ck_assert_msg(strstr(mote_last_error(), "cycle"), "message: %s", mote_last_error());
    free(buf);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_subgraphs_nested_too_deep_are_refused)
{
    /* nine levels of a trivial Loop around an Identity */
    mote_graph *inner = NULL;
    for (int level = 0; level < 10; level++) {
        mote_graph *b = mote_graph_new();
        int i = mote_graph_input(b, "i", MOTE_I64, 0, NULL);
        int c = mote_graph_input(b, "c", MOTE_BOOL, 0, NULL);
        (void)i;
        int c2;
        const char *cn[1] = {"c_out"};
        if (inner) {
            int in[2] = {-1, c};
            int node = mote_graph_node(b, "Loop", "l", 2, in, 1, cn, &c2);
            /* a Loop needs an output: the inner body gives c's trips back as none */
            mote_graph_attr_graph(b, node, "body", inner);
        } else {
            mote_graph_node(b, "Identity", "keep", 1, &c, 1, cn, &c2);
        }
        mote_graph_output(b, c2);
        inner = b;
    }
    void *buf = NULL;
    size_t len;
    ck_assert_int_eq(mote_format_write_memory(inner, &buf, &len), MOTE_ERR_GRAPH);
    ck_assert_msg(strstr(mote_last_error(), "nested") && strstr(mote_last_error(), "at most 8"),
                  "message: %s", mote_last_error());
    mote_graph_free(inner);
}
END_TEST

static Suite *control_flow_suite(void)
{
    Suite *s = suite_create("control_flow");
    TCase *t = tcase_create("loop");
    tcase_add_test(t, test_loop_runs_a_trip_count_given_at_run_time);
    tcase_add_test(t, test_loop_stops_when_its_body_says_so);
    tcase_add_test(t, test_loop_trip_limit_stops_a_runaway_loop);
    tcase_add_test(t, test_loop_scan_outputs_stack_every_trip);
    tcase_add_test(t, test_loop_scans_without_a_known_trip_count_are_refused);
    tcase_add_test(t, test_loop_stopping_before_its_scan_rows_fails_the_run);
    tcase_add_test(t, test_loop_carried_value_changing_shape_is_refused);
    tcase_add_test(t, test_loop_whose_counts_do_not_add_up_is_refused);
    tcase_add_test(t, test_control_steps_in_a_file_are_refused);
    tcase_add_test(t, test_nested_loops_run);
    tcase_add_test(t, test_loop_trip_count_from_shapes_follows_a_reshape);
    tcase_add_test(t, test_loop_run_allocates_nothing);
    suite_add_tcase(s, t);
    t = tcase_create("if");
    tcase_add_test(t, test_data_dependent_if_runs_only_the_branch_taken);
    tcase_add_test(t, test_if_run_allocates_nothing);
    suite_add_tcase(s, t);
    t = tcase_create("format");
    tcase_add_test(t, test_subgraphs_round_trip_through_a_file);
    tcase_add_test(t, test_reader_refuses_a_weight_inside_a_subgraph);
    tcase_add_test(t, test_reader_refuses_subgraph_ids_out_of_range);
    tcase_add_test(t, test_reader_and_writer_refuse_a_cycle_in_a_subgraph);
    tcase_add_test(t, test_subgraphs_nested_too_deep_are_refused);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return mote_test_run(control_flow_suite()); }
