/*
 * test_session.c — the executor's promises: mote_session_run allocates
 * nothing; the arena is smaller than the sum of intermediates and no two
 * live buffers share bytes; in-place and alias reuse; the same bits for
 * any thread count; concurrent sessions on one model; clear errors for
 * misuse (wrong inputs, bad options, caller arenas that do not fit).
 */
#include "config.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph.h"
#include "runtime/session.h"
#include "testutil.h"
#ifdef MOTE_HAVE_OPENCL
#include "opencl_calls.h"
#endif

/* ---------------------------------------------- counting allocations */

#include "alloc_count.h"

/* ------------------------------------------------------------ models */

/*
 * x[1,64] -> MatMul(W1[64,64]) -> Relu -> Add(b) -> MatMul(W2[64,16]) ->
 * Reshape([4,4]) -> Sigmoid -> y[4,4].   Six intermediates, a chain.
 */
static mote_model *mlp_model(void)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {1, 64}, w1d[2] = {64, 64}, bd[1] = {64}, w2d[2] = {64, 16}, sd[1] = {2};
    static float w1[64 * 64], b[64], w2[64 * 16];
    mote_test_fill(w1, 64 * 64, 1, -0.2f, 0.2f);
    mote_test_fill(b, 64, 2, -0.1f, 0.1f);
    mote_test_fill(w2, 64 * 16, 3, -0.2f, 0.2f);
    int64_t shape[2] = {4, 4};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int vw1 = mote_graph_weight(g, "w1", MOTE_F32, 2, w1d, w1);
    int vb = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    int vw2 = mote_graph_weight(g, "w2", MOTE_F32, 2, w2d, w2);
    int vs = mote_graph_weight(g, "shape", MOTE_I64, 1, sd, shape);
    int h1, h2, h3, h4, h5, y;
    int a[2];
    a[0] = x; a[1] = vw1;
    mote_graph_node(g, "MatMul", "mm1", 2, a, 1, NULL, &h1);
    mote_graph_node(g, "Relu", "relu", 1, &h1, 1, NULL, &h2);
    a[0] = h2; a[1] = vb;
    mote_graph_node(g, "Add", "add", 2, a, 1, NULL, &h3);
    a[0] = h3; a[1] = vw2;
    mote_graph_node(g, "MatMul", "mm2", 2, a, 1, NULL, &h4);
    a[0] = h4; a[1] = vs;
    mote_graph_node(g, "Reshape", "reshape", 2, a, 1, NULL, &h5);
    const char *yn = "y";
    mote_graph_node(g, "Sigmoid", "sig", 1, &h5, 1, &yn, &y);
    mote_graph_output(g, y);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

static mote_session *new_session(const mote_model *m, int threads)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.pin = 0;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    return s;
}

static float input64[64];
static mote_tensor x_input(void)
{
    mote_test_fill(input64, 64, 9, -1, 1);
    mote_tensor t = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 64}, .data = input64};
    return t;
}

/* ------------------------------------------------------------- tests */

#ifdef HAVE_ALLOC_COUNT
/* Allocations in `runs` runs of s on in; *failed: whether a run failed
 * (no Check assertion while counting: Check allocates) */
static long allocations_in_runs(mote_session *s, const mote_tensor *in, int n_in, int runs, int *failed)
{
    *failed = 0;
    alloc_count_start();
    for (int i = 0; i < runs; i++) *failed |= mote_session_run(s, in, n_in) != MOTE_OK;
    return alloc_count_stop();
}
#endif

START_TEST(test_session_run_allocates_nothing)
{
#ifdef HAVE_ALLOC_COUNT
    mote_model *m = mlp_model();
    for (int threads = 1; threads <= 2; threads++) {
        mote_session *s = new_session(m, threads);
        mote_tensor x = x_input();
        ck_assert_mote_ok(mote_session_run(s, &x, 1));   /* warm up */
#ifdef MOTE_HAVE_OPENCL
        /* with MOTE_DEVICE=opencl: no buffer, kernel or program made and no
         * argument set either */
        int dev_steps = mote_session_device_stats(s).n_device_steps;
        alloc_count_device(dev_steps > 0);
        mote_test_cl_reset();
#endif
        int failed;
        long n = allocations_in_runs(s, &x, 1, 50, &failed);
        ck_assert(!failed);
        ck_assert_msg(n == 0, "%ld allocations in 50 runs with %d threads", n, threads);
#ifdef MOTE_HAVE_OPENCL
        if (dev_steps > 0) {
            ck_assert_int_eq(atomic_load(&mote_test_cl.buffers), 0);
            ck_assert_int_eq(atomic_load(&mote_test_cl.kernels), 0);
            ck_assert_int_eq(atomic_load(&mote_test_cl.programs), 0);
            ck_assert_int_eq(atomic_load(&mote_test_cl.set_args), 0);
            long enq = atomic_load(&mote_test_cl.enqueues), wr = atomic_load(&mote_test_cl.writes);
            ck_assert_int_eq(enq, 50L * dev_steps);
            long rd = atomic_load(&mote_test_cl.reads), fin = atomic_load(&mote_test_cl.finishes);
            fprintf(stderr, "OpenCL: %d steps on the device; per run %ld kernels, %ld uploads, %ld downloads "
                    "and %ld clFinish enqueued, %ld allocations by the OpenCL runtime\n", dev_steps, enq / 50,
                    wr / 50, rd / 50, fin / 50, alloc_count_runtime() / 50);
        }
        alloc_count_device(false);
#endif
        mote_session_free(s);
    }
    mote_model_close(m);
#else
    fprintf(stderr, "SKIP: allocation counting needs glibc\n");
#endif
}
END_TEST

/*
 * 8-bit depthwise 3x3 convolutions, 16 channels of 20x20, the way both
 * importers make them: ONNX's QLinearConv (stride 1, pad 1) and TFLite's
 * QConv (stride 2, and stride 2 by 1). Their vector kernels lay each
 * channel out in planes, in the step's scratch.
 */
static mote_model *int8_depthwise_model(void)
{
    static uint8_t w[16 * 9];
    static int32_t bias[16];
    static const float sc = 0.02f, one = 1.0f;
    static const uint8_t zp = 128;
    for (int i = 0; i < 16 * 9; i++) w[i] = (uint8_t)(100 + (i * 37) % 56);
    for (int i = 0; i < 16; i++) bias[i] = 50 * i - 400;
    mote_graph *g = mote_graph_new();
    int x = mote_graph_input(g, "x", MOTE_U8, 4, (const int64_t[]){1, 16, 20, 20});
    int vw = mote_graph_weight(g, "w", MOTE_U8, 4, (const int64_t[]){16, 1, 3, 3}, w);
    int vb = mote_graph_weight(g, "b", MOTE_I32, 1, (const int64_t[]){16}, bias);
    int vs = mote_graph_weight(g, "s", MOTE_F32, 0, NULL, &sc);
    int vone = mote_graph_weight(g, "one", MOTE_F32, 0, NULL, &one);
    int vz = mote_graph_weight(g, "zp", MOTE_U8, 0, NULL, &zp);
    int ql[9] = {x, vs, vz, vw, vone, vz, vs, vz, vb}, h;
    int n = mote_graph_node(g, "QLinearConv", "ql_dw", 9, ql, 1, NULL, &h);
    mote_graph_attr_int(g, n, "group", 16);
    mote_graph_attr_ints(g, n, "pads", 4, (const int64_t[]){1, 1, 1, 1});
    static const float wscale = 1.0f;
    int vws = mote_graph_weight(g, "ws", MOTE_F32, 0, NULL, &wscale);
    const char *names[2] = {"y1", "y2"};
    int outs[2];
    for (int k = 0; k < 2; k++) {
        int q[4] = {h, vw, vb, vws};
        n = mote_graph_node(g, "QConv", k ? "q_dw_s21" : "q_dw_s2", 4, q, 1, &names[k], &outs[k]);
        mote_graph_attr_int(g, n, "group", 16);
        mote_graph_attr_ints(g, n, "pads", 4, (const int64_t[]){1, 1, 1, 1});
        mote_graph_attr_ints(g, n, "strides", 2, k ? (const int64_t[]){2, 1} : (const int64_t[]){2, 2});
        mote_graph_attr_float(g, n, "x_scale", 0.02f);
        mote_graph_attr_float(g, n, "y_scale", 0.05f);
        mote_graph_attr_int(g, n, "x_zp", 128);
        mote_graph_attr_int(g, n, "y_zp", 128);
    }
    for (int k = 0; k < 2; k++) mote_graph_output(g, outs[k]);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

START_TEST(test_int8_depthwise_run_allocates_nothing)
{
#ifdef HAVE_ALLOC_COUNT
    mote_model *m = int8_depthwise_model();
    static uint8_t xb[16 * 20 * 20];
    for (int i = 0; i < 16 * 20 * 20; i++) xb[i] = (uint8_t)((i * 131) % 251);
    mote_tensor x = {.dtype = MOTE_U8, .ndim = 4, .dims = {1, 16, 20, 20}, .data = xb};
    uint8_t first[2][16 * 10 * 20];
    for (int threads = 1; threads <= 2; threads++) {
        mote_session *s = new_session(m, threads);
        ck_assert_mote_ok(mote_session_run(s, &x, 1));   /* warm up */
        int failed;
        long n = allocations_in_runs(s, &x, 1, 20, &failed);
        ck_assert(!failed);
        ck_assert_msg(n == 0, "%ld allocations in 20 runs with %d threads", n, threads);
        /* and the same bytes for either thread count */
        for (int o = 0; o < 2; o++) {
            mote_tensor y;
            ck_assert_mote_ok(mote_session_output(s, o, &y));
            ck_assert_int_eq(y.dims[2], 10);
            ck_assert_int_eq(y.dims[3], o ? 20 : 10);
            size_t nb = mote_tensor_nbytes(&y);
            if (threads == 1) memcpy(first[o], y.data, nb);
            else ck_assert_msg(!memcmp(first[o], y.data, nb), "output %d differs with 2 threads", o);
        }
        mote_session_free(s);
    }
    mote_model_close(m);
#else
    fprintf(stderr, "SKIP: allocation counting needs glibc\n");
#endif
}
END_TEST

START_TEST(test_model_reports_inferred_output_shapes)
{
    mote_model *m = mlp_model();
    mote_tensor info;
    ck_assert_str_eq(mote_model_output(m, 0, &info), "y");
    ck_assert_int_eq(info.dtype, MOTE_F32);
    ck_assert_int_eq(info.ndim, 2);
    ck_assert_int_eq(info.dims[0], 4);
    ck_assert_int_eq(info.dims[1], 4);
    ck_assert_ptr_null(mote_model_output(m, 1, &info));
    mote_model_close(m);
}
END_TEST

START_TEST(test_arena_is_smaller_than_the_sum_of_intermediates)
{
    mote_model *m = mlp_model();
    mote_session *s = new_session(m, 1);
    size_t arena = mote_session_arena_bytes(s), naive = mote_session_naive_bytes(s);
    ck_assert_uint_gt(naive, 0);
    ck_assert_msg(arena < naive, "arena %zu >= naive %zu", arena, naive);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_bundled_model_arena_is_smaller_than_its_intermediates)
{
    mote_model *m;
    ck_assert_mote_ok(mote_model_open(mote_test_src_path("models/fashion/fashion.mote"), &m));
    for (int threads = 1; threads <= 2; threads++) {
        mote_session *s = new_session(m, threads);
        size_t arena = mote_session_arena_bytes(s), naive = mote_session_naive_bytes(s);
        ck_assert_msg(arena < naive, "bundled model: arena %zu >= sum of intermediates %zu", arena, naive);
        ck_assert(mote_plan_valid(s->plan.bufs, s->plan.n_bufs));
        mote_session_free(s);
    }
    mote_model_close(m);
}
END_TEST

/* Every pair of values live at the same step must not share bytes unless
 * one is an alias/in-place successor of the other (same storage). */
START_TEST(test_no_two_live_buffers_overlap_at_any_step)
{
    mote_model *m = mlp_model();
    mote_session *s = new_session(m, 1);
    ck_assert(mote_plan_valid(s->plan.bufs, s->plan.n_bufs));
    const mote_graph *g = s->g;
    int ns = s->n_steps;
    /* lifetime of each activation in steps */
    for (int t = 0; t < ns; t++) {
        const mote_node *n = s->steps[t].node;
        /* the outputs of a step must not overlap the inputs it still reads,
         * except in the first input of an in-place/alias op */
        for (int o = 0; o < n->n_out; o++) {
            const mote_tensor *ov = &s->vals[n->out[o]];
            const uint8_t *ob = ov->data;
            size_t on = mote_tensor_nbytes(ov);
            for (int i = 0; i < n->n_in; i++) {
                if (n->in[i] < 0 || g->values[n->in[i]].kind == MOTE_VAL_WEIGHT) continue;
                if (i == 0 && (s->step_op[t]->flags & (MOTE_OP_INPLACE | MOTE_OP_ALIAS))) continue;
                const mote_tensor *iv = &s->vals[n->in[i]];
                const uint8_t *ib = iv->data;
                size_t inb = mote_tensor_nbytes(iv);
                ck_assert_msg(ob + on <= ib || ib + inb <= ob, "step %d (%s): output %d overlaps input %d",
                              t, n->name, o, i);
            }
        }
    }
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_inplace_chain_uses_one_buffer)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {1000};
    int v = mote_graph_input(g, "x", MOTE_F32, 1, d);
    for (int i = 0; i < 6; i++) {
        int o;
        mote_graph_node(g, (i % 2) ? "Relu" : "Sigmoid", NULL, 1, &v, 1, NULL, &o);
        v = o;
    }
    mote_graph_output(g, v);
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_session *s = new_session(m, 1);
    ck_assert_uint_eq(mote_session_arena_bytes(s), 4032);   /* 4000 rounded to 64 */
    float x[1000], want;
    mote_test_fill(x, 1000, 5, -3, 3);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 1, .dims = {1000}, .data = x};
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    mote_tensor out;
    ck_assert_mote_ok(mote_session_output(s, 0, &out));
    /* sigmoid > 0, so relu is the identity after the first sigmoid */
    want = x[17];
    for (int i = 0; i < 3; i++) want = 1.0f / (1.0f + expf(-want));
    ck_assert_float_eq_tol(((float *)out.data)[17], want, 1e-6);
    ck_assert(x[17] != ((float *)out.data)[17]);   /* the caller's input is untouched */
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

static void run_once(mote_session *s, float *out16)
{
    mote_tensor x = x_input(), y;
    ck_assert_mote_ok(mote_session_run(s, &x, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    ck_assert_int_eq(y.ndim, 2);
    ck_assert_int_eq(y.dims[0], 4);
    memcpy(out16, y.data, 16 * sizeof(float));
}

START_TEST(test_same_bits_for_one_two_and_three_threads)
{
    mote_model *m = mlp_model();
    float ref[16], got[16];
    mote_session *s = new_session(m, 1);
    run_once(s, ref);
    mote_session_free(s);
    for (int threads = 2; threads <= 3; threads++) {
        s = new_session(m, threads);
        ck_assert_int_eq(mote_session_threads(s), threads);
        run_once(s, got);
        ck_assert_mem_eq(ref, got, sizeof ref);
        mote_session_free(s);
    }
    mote_model_close(m);
}
END_TEST

typedef struct { const mote_model *m; const float *ref; atomic_int failures; } conc_ctx;

static void *conc_worker(void *arg)
{
    conc_ctx *c = arg;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s;
    if (mote_session_new(c->m, &o, &s) != MOTE_OK) {
        atomic_fetch_add(&c->failures, 1);
        return NULL;
    }
    float x[64];
    mote_test_fill(x, 64, 9, -1, 1);
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 64}, .data = x}, y;
    for (int i = 0; i < 300; i++) {
        if (mote_session_run(s, &in, 1) != MOTE_OK || mote_session_output(s, 0, &y) != MOTE_OK ||
            memcmp(y.data, c->ref, 16 * sizeof(float)) != 0) {
            atomic_fetch_add(&c->failures, 1);
            break;
        }
    }
    mote_session_free(s);
    return NULL;
}

START_TEST(test_concurrent_sessions_on_one_model_agree)
{
    mote_model *m = mlp_model();
    float ref[16];
    mote_session *s = new_session(m, 1);
    run_once(s, ref);
    mote_session_free(s);
    conc_ctx c = {.m = m, .ref = ref};
    pthread_t th[8];
    for (int i = 0; i < 8; i++) pthread_create(&th[i], NULL, conc_worker, &c);
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    ck_assert_int_eq(atomic_load(&c.failures), 0);
    mote_model_close(m);
}
END_TEST

START_TEST(test_run_rejects_wrong_inputs_clearly)
{
    mote_model *m = mlp_model();
    mote_session *s = new_session(m, 1);
    float x[64] = {0};
    mote_tensor bad = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 63}, .data = x};
    ck_assert_int_eq(mote_session_run(s, &bad, 1), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "'x'"));
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "f32[1,63]"));
    bad.dims[1] = 64;
    bad.dtype = MOTE_I32;
    ck_assert_int_eq(mote_session_run(s, &bad, 1), MOTE_ERR_SHAPE);
    bad.dtype = MOTE_F32;
    ck_assert_int_eq(mote_session_run(s, &bad, 2), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_run(s, NULL, 1), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_run(NULL, &bad, 1), MOTE_ERR_ARG);
    bad.data = NULL;
    ck_assert_int_eq(mote_session_run(s, &bad, 1), MOTE_ERR_ARG);
    mote_tensor out;
    ck_assert_int_eq(mote_session_output(s, 1, &out), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_output(s, -1, &out), MOTE_ERR_ARG);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_session_new_rejects_bad_options)
{
    mote_model *m = mlp_model();
    mote_session_options o;
    mote_session *s = (mote_session *)1;
    mote_session_options_init(&o);
    o.isa = "sparc";
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "sparc"));
    mote_session_options_init(&o);
    o.threads = 5000;
    ck_assert_int_ne(mote_session_new(m, &o, &s), MOTE_OK);
    ck_assert_int_eq(mote_session_new(NULL, NULL, &s), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_new(m, NULL, NULL), MOTE_ERR_ARG);
    mote_model_close(m);
}
END_TEST

START_TEST(test_caller_arena_is_used_and_checked)
{
    mote_model *m = mlp_model();
    mote_session *s = new_session(m, 1);
    size_t need = mote_session_arena_bytes(s);
    float ref[16], got[16];
    run_once(s, ref);
    mote_session_free(s);
    void *mem = NULL;
    ck_assert_int_eq(posix_memalign(&mem, 64, need + 64), 0);
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.arena = mem;
    o.arena_bytes = need - 1;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "arena"));
    o.arena = (char *)mem + 8;
    o.arena_bytes = need;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    o.arena = mem;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    run_once(s, got);
    ck_assert_mem_eq(ref, got, sizeof ref);
    mote_tensor y;
    mote_session_output(s, 0, &y);
    ck_assert((char *)y.data >= (char *)mem && (char *)y.data < (char *)mem + need);
    mote_session_free(s);
    free(mem);
    mote_model_close(m);
}
END_TEST

START_TEST(test_open_input_dims_need_a_shape_per_session)
{
    mote_graph *g = mote_graph_new();
    int64_t d[2] = {-1, 8};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, d), y;
    mote_graph_node(g, "Relu", "r", 1, &x, 1, NULL, &y);
    mote_graph_output(g, y);
    mote_model *m;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_tensor info;
    ck_assert_str_eq(mote_model_input(m, 0, &info), "x");
    ck_assert_int_eq(info.dims[0], -1);
    mote_session *s;
    ck_assert_int_eq(mote_session_new(m, NULL, &s), MOTE_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "'x'"));
    mote_session_options o;
    mote_session_options_init(&o);
    mote_tensor shape = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 8}};
    o.input_shapes = &shape;
    o.n_input_shapes = 1;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    mote_tensor out;
    mote_session_output(s, 0, &out);
    ck_assert_int_eq(out.dims[0], 3);
    mote_session_free(s);
    shape.dims[1] = 9;     /* contradicts the model's fixed 8 */
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_SHAPE);
    mote_model_close(m);
}
END_TEST

/* The device option: a bad name is refused, and "opencl" in a build
 * without the backend says how to get it (tests/test_opencl covers it
 * in builds that have it). */
START_TEST(test_session_device_option_is_checked)
{
    mote_model *m = mlp_model();
    mote_session_options o;
    mote_session_options_init(&o);
    mote_session *s = NULL;
    o.device = "tpu";
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(mote_last_error(), "'tpu'") != NULL, "%s", mote_last_error());
    o.device = "cpu";
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    ck_assert_str_eq(mote_session_step_device(s, 0), "cpu");
    mote_session_free(s);
#ifndef MOTE_HAVE_OPENCL
    o.device = "opencl";
    s = NULL;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(mote_last_error(), "--enable-opencl") != NULL, "%s", mote_last_error());
#endif
    mote_model_close(m);
}
END_TEST

/* y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [2, 2])) with x
 * [N, 4]: the shape is computed in the graph. Each session evaluates it once
 * for its N, so the Reshape sees a constant and only the Reshape is a step;
 * the model's graph itself is left as it was. */
static mote_model *computed_reshape_model(void)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = {-1, 4}, one = 1, two = 2;
    int64_t zero = 0, tail[2] = {2, 2};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int idx = mote_graph_weight(g, "idx", MOTE_I64, 0, NULL, &zero);
    int axes = mote_graph_weight(g, "axes", MOTE_I64, 1, &one, &zero);
    int rest = mote_graph_weight(g, "rest", MOTE_I64, 1, &two, tail);
    int sh, n, n1, cat, y;
    ck_assert_int_ge(mote_graph_node(g, "Shape", "shape", 1, &x, 1, NULL, &sh), 0);
    ck_assert_int_ge(mote_graph_node(g, "Gather", "gather", 2, (int[]){sh, idx}, 1, NULL, &n), 0);
    ck_assert_int_ge(mote_graph_node(g, "Unsqueeze", "unsq", 2, (int[]){n, axes}, 1, NULL, &n1), 0);
    int c = mote_graph_node(g, "Concat", "concat", 2, (int[]){n1, rest}, 1, NULL, &cat);
    ck_assert_int_ge(c, 0);
    ck_assert_int_eq(mote_graph_attr_int(g, c, "axis", 0), MOTE_OK);
    ck_assert_int_ge(mote_graph_node(g, "Reshape", "reshape", 2, (int[]){x, cat}, 1, NULL, &y), 0);
    ck_assert_int_eq(mote_graph_output(g, y), MOTE_OK);
    mote_model *m;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_OK);
    return m;
}

START_TEST(test_shape_derived_values_are_constants_per_session)
{
    mote_model *m = computed_reshape_model();
    for (int64_t rows = 1; rows <= 5; rows += 2) {
        float x[20];
        for (int i = 0; i < 20; i++) x[i] = (float)i;
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {rows, 4}, .data = x};
        mote_session_options o;
        mote_session_options_init(&o);
        o.threads = 1;
        o.input_shapes = &in;
        o.n_input_shapes = 1;
        mote_session *s;
        ck_assert_msg(mote_session_new(m, &o, &s) == MOTE_OK, "%s", mote_last_error());
        ck_assert_int_eq(s->n_steps, 1);
        ck_assert_str_eq(s->g->nodes[s->step_node[0]].op, "Reshape");
        ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_OK);
        mote_tensor out;
        ck_assert_int_eq(mote_session_output(s, 0, &out), MOTE_OK);
        ck_assert_int_eq(out.ndim, 3);
        ck_assert_int_eq(out.dims[0], rows);
        ck_assert_int_eq(out.dims[1], 2);
        ck_assert_int_eq(out.dims[2], 2);
        for (int i = 0; i < rows * 4; i++)
            ck_assert_float_eq(((float *)out.data)[i], x[i]);
        mote_session_free(s);
    }
    ck_assert_int_eq(m->g->n_nodes, 5);   /* the model is not changed */
    /* two sessions run specialized copies, still of one model */
    mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {2, 4}};
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.input_shapes = &in;
    o.n_input_shapes = 1;
    mote_session *a, *b;
    ck_assert_int_eq(mote_session_new(m, &o, &a), MOTE_OK);
    ck_assert_int_eq(mote_session_new(m, &o, &b), MOTE_OK);
    ck_assert_ptr_ne(a->g, b->g);
    ck_assert_msg(mote_session_copy_state(a, b) == MOTE_OK, "%s", mote_last_error());
    /* a reshape folds again for its own shapes */
    float x3[12];
    for (int i = 0; i < 12; i++) x3[i] = (float)(i * 2);
    mote_tensor in3 = {.dtype = MOTE_F32, .ndim = 2, .dims = {3, 4}, .data = x3};
    ck_assert_msg(mote_session_reshape(a, &in3, 1) == MOTE_OK, "%s", mote_last_error());
    ck_assert_int_eq(a->n_steps, 1);
    ck_assert_int_eq(mote_session_run(a, &in3, 1), MOTE_OK);
    mote_tensor out3;
    ck_assert_int_eq(mote_session_output(a, 0, &out3), MOTE_OK);
    ck_assert_int_eq(out3.dims[0], 3);
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(((float *)out3.data)[i], x3[i]);
    mote_session_free(a);
    mote_session_free(b);
    mote_model_close(m);
}
END_TEST


static Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *t = tcase_create("session");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_session_run_allocates_nothing);
    tcase_add_test(t, test_int8_depthwise_run_allocates_nothing);
    tcase_add_test(t, test_session_device_option_is_checked);
    tcase_add_test(t, test_model_reports_inferred_output_shapes);
    tcase_add_test(t, test_arena_is_smaller_than_the_sum_of_intermediates);
    tcase_add_test(t, test_bundled_model_arena_is_smaller_than_its_intermediates);
    tcase_add_test(t, test_no_two_live_buffers_overlap_at_any_step);
    tcase_add_test(t, test_inplace_chain_uses_one_buffer);
    tcase_add_test(t, test_same_bits_for_one_two_and_three_threads);
    tcase_add_test(t, test_concurrent_sessions_on_one_model_agree);
    tcase_add_test(t, test_run_rejects_wrong_inputs_clearly);
    tcase_add_test(t, test_session_new_rejects_bad_options);
    tcase_add_test(t, test_caller_arena_is_used_and_checked);
    tcase_add_test(t, test_open_input_dims_need_a_shape_per_session);
    tcase_add_test(t, test_shape_derived_values_are_constants_per_session);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return mote_test_run(session_suite()); }
