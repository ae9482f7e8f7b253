/*
 * test_core.c — unit tests of the runtime's core pieces that need no op:
 * dtypes and half-precision conversion, tensor views, the graph builder
 * and its validation, topological order, the memory planner, the pool.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "graph/graph.h"
#include "runtime/planner.h"
#include "runtime/threadpool.h"
#include "testutil.h"

/* ------------------------------------------------------------- dtypes */

START_TEST(test_dtype_sizes_and_names_round_trip)
{
    for (int t = MOTE_F32; t <= MOTE_BOOL; t++) {
        ck_assert_uint_gt(mote_dtype_size((mote_dtype)t), 0);
        ck_assert_int_eq(mote_dtype_from_name(mote_dtype_name((mote_dtype)t)), t);
    }
    ck_assert_uint_eq(mote_dtype_size(MOTE_I64), 8);
    ck_assert_uint_eq(mote_dtype_size((mote_dtype)0), 0);
    ck_assert_uint_eq(mote_dtype_size((mote_dtype)99), 0);
    ck_assert_ptr_null(mote_dtype_name((mote_dtype)99));
}
END_TEST

START_TEST(test_f16_conversion_of_known_values)
{
    ck_assert_uint_eq(mote_f32_to_f16(1.0f), 0x3c00);
    ck_assert_uint_eq(mote_f32_to_f16(-2.0f), 0xc000);
    ck_assert_uint_eq(mote_f32_to_f16(65504.0f), 0x7bff);      /* largest finite */
    ck_assert_uint_eq(mote_f32_to_f16(65520.0f), 0x7c00);      /* rounds to inf  */
    ck_assert_uint_eq(mote_f32_to_f16(5.9604645e-8f), 0x0001); /* smallest subnormal */
    ck_assert_uint_eq(mote_f32_to_f16(1e-9f), 0x0000);
    ck_assert_uint_eq(mote_f32_to_f16(INFINITY), 0x7c00);
    ck_assert((mote_f32_to_f16(NAN) & 0x7fff) > 0x7c00);
    /* ties to even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 */
    ck_assert_uint_eq(mote_f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);
    ck_assert_uint_eq(mote_f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);
    ck_assert(mote_f16_to_f32(0x3555) > 0.333f && mote_f16_to_f32(0x3555) < 0.334f);
    ck_assert(isinf(mote_f16_to_f32(0xfc00)) && mote_f16_to_f32(0xfc00) < 0);
    /* every finite half survives a round trip through f32 */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00) continue;
        ck_assert_uint_eq(mote_f32_to_f16(mote_f16_to_f32((uint16_t)h)), h);
    }
}
END_TEST

START_TEST(test_bf16_conversion_rounds_to_nearest_even)
{
    ck_assert_uint_eq(mote_f32_to_bf16(1.0f), 0x3f80);
    ck_assert(mote_bf16_to_f32(0x3f80) == 1.0f);
    /* 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1) */
    ck_assert_uint_eq(mote_f32_to_bf16(1.0f + 1.0f / 256), 0x3f80);
    ck_assert_uint_eq(mote_f32_to_bf16(1.0f + 3.0f / 256), 0x3f82);
    ck_assert(isnan(mote_bf16_to_f32(mote_f32_to_bf16(NAN))));
}
END_TEST

START_TEST(test_tensor_numel_detects_overflow_and_unknown)
{
    mote_tensor t = {.dtype = MOTE_F32, .ndim = 3, .dims = {2, 3, 4}};
    ck_assert_int_eq(mote_tensor_numel(&t), 24);
    ck_assert_uint_eq(mote_tensor_nbytes(&t), 96);
    t.ndim = 0;
    ck_assert_int_eq(mote_tensor_numel(&t), 1);
    mote_tensor big = {.dtype = MOTE_F32, .ndim = 3, .dims = {1LL << 40, 1LL << 40, 4}};
    ck_assert_int_eq(mote_tensor_numel(&big), -1);
    mote_tensor edge = {.dtype = MOTE_I64, .ndim = 1, .dims = {INT64_MAX / 4}};
    ck_assert_uint_eq(mote_tensor_nbytes(&edge), 0);
    mote_tensor unk = {.dtype = MOTE_F32, .ndim = 2, .dims = {-1, 3}};
    ck_assert_int_eq(mote_tensor_numel(&unk), -1);
    char buf[64];
    ck_assert_str_eq(mote_tensor_describe(&unk, buf, sizeof buf), "f32[?,3]");
}
END_TEST

START_TEST(test_status_names)
{
    ck_assert_str_eq(mote_status_name(MOTE_OK), "MOTE_OK");
    ck_assert_str_eq(mote_status_name(MOTE_ERR_FORMAT), "MOTE_ERR_FORMAT");
    ck_assert_str_eq(mote_status_name((mote_status)1234), "MOTE_ERR_UNKNOWN");
}
END_TEST

/* -------------------------------------------------------- graph builder */

START_TEST(test_builder_rejects_duplicate_names)
{
    mote_graph *g = mote_graph_new();
    int64_t d[2] = {2, 2};
    float w[4] = {1, 2, 3, 4};
    ck_assert_int_ge(mote_graph_input(g, "x", MOTE_F32, 2, d), 0);
    ck_assert_int_eq(mote_graph_weight(g, "x", MOTE_F32, 2, d, w), -1);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "already exists"));
    int out;
    int in = 0;
    ck_assert_int_ge(mote_graph_node(g, "Relu", "r", 1, &in, 1, NULL, &out), 0);
    ck_assert_int_eq(mote_graph_node(g, "Relu", "r", 1, &in, 1, NULL, &out), -1);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_builder_rejects_missing_input_values)
{
    mote_graph *g = mote_graph_new();
    int bad = 7, out;
    ck_assert_int_eq(mote_graph_node(g, "Relu", "r", 1, &bad, 1, NULL, &out), -1);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "does not exist"));
    ck_assert_int_ne(mote_graph_output(g, 3), MOTE_OK);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_builder_rejects_bad_shapes_and_dtypes)
{
    mote_graph *g = mote_graph_new();
    int64_t neg[1] = {-2}, d9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, one[1] = {1};
    float w = 1;
    ck_assert_int_eq(mote_graph_input(g, "a", MOTE_F32, 1, neg), -1);
    ck_assert_int_eq(mote_graph_input(g, "b", MOTE_F32, 9, d9), -1);
    ck_assert_int_eq(mote_graph_input(g, "c", (mote_dtype)42, 1, one), -1);
    int64_t unk[1] = {-1};
    ck_assert_int_eq(mote_graph_weight(g, "w", MOTE_F32, 1, unk, &w), -1);
    ck_assert_int_ge(mote_graph_input(g, "d", MOTE_F32, 1, unk), 0);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_builder_attributes_replace_and_read_back)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d), out;
    int n = mote_graph_node(g, "Conv", "c", 1, &x, 1, NULL, &out);
    int64_t pads[4] = {1, 1, 1, 1};
    float fl[2] = {0.5f, 2};
    const char *ss[2] = {"a", "bc"};
    ck_assert_mote_ok(mote_graph_attr_int(g, n, "group", 2));
    ck_assert_mote_ok(mote_graph_attr_int(g, n, "group", 3));
    ck_assert_mote_ok(mote_graph_attr_ints(g, n, "pads", 4, pads));
    ck_assert_mote_ok(mote_graph_attr_floats(g, n, "f", 2, fl));
    ck_assert_mote_ok(mote_graph_attr_strings(g, n, "s", 2, ss));
    ck_assert_mote_ok(mote_graph_attr_string(g, n, "auto_pad", "VALID"));
    const mote_node *node = &g->nodes[n];
    ck_assert_int_eq(node->n_attr, 5);
    ck_assert_int_eq(mote_attr_get_int(node, "group", 1), 3);
    ck_assert_int_eq(mote_attr_get_int(node, "missing", 9), 9);
    const int64_t *p;
    ck_assert_int_eq(mote_attr_get_ints(node, "pads", &p), 4);
    ck_assert_int_eq(p[3], 1);
    ck_assert_str_eq(mote_attr_get_string(node, "auto_pad", ""), "VALID");
    ck_assert_str_eq(mote_node_attr(node, "s")->strs[1], "bc");
    ck_assert_int_ne(mote_graph_attr_int(g, 99, "x", 1), MOTE_OK);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_topo_order_puts_producers_first_and_finds_cycles)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d), a, b;
    mote_graph_node(g, "Relu", "n0", 1, &x, 1, NULL, &a);
    mote_graph_node(g, "Relu", "n1", 1, &a, 1, NULL, &b);
    /* make n0 read n1's output: a cycle n0 -> n1 -> n0 */
    int order[2];
    ck_assert_mote_ok(mote_graph_topo_order(g, order));
    ck_assert_int_eq(order[0], 0);
    ck_assert_int_eq(order[1], 1);
    /* swap the nodes' positions: order must still put the producer first */
    mote_node tmp = g->nodes[0];
    g->nodes[0] = g->nodes[1];
    g->nodes[1] = tmp;
    g->values[a].producer = 1;
    g->values[b].producer = 0;
    ck_assert_mote_ok(mote_graph_topo_order(g, order));
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_eq(order[1], 0);
    g->nodes[1].in[0] = b;      /* n0 (now at index 1) reads n1's output */
    ck_assert_int_eq(mote_graph_topo_order(g, order), MOTE_ERR_GRAPH);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "cycle"));
    mote_graph_free(g);
}
END_TEST

START_TEST(test_graph_check_names_unknown_ops_and_missing_outputs)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d), y;
    mote_graph_node(g, "NoSuchOp", "weird", 1, &x, 1, NULL, &y);
    ck_assert_int_eq(mote_graph_check(g), MOTE_ERR_GRAPH);   /* no outputs yet */
    mote_graph_output(g, y);
    ck_assert_int_eq(mote_graph_check(g), MOTE_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "NoSuchOp"));
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "weird"));
    mote_model *m = (mote_model *)1;
    ck_assert_int_eq(mote_model_from_graph(g, &m), MOTE_ERR_UNSUPPORTED);   /* frees g */
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_graph_compact_drops_dead_nodes_and_values)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {4};
    float w[4] = {0};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d), a, b;
    int wv = mote_graph_weight(g, "unused_after", MOTE_F32, 1, d, w);
    int in2[2] = {x, wv};
    mote_graph_node(g, "Add", "dead", 2, in2, 1, NULL, &a);
    mote_graph_node(g, "Relu", "live", 1, &x, 1, NULL, &b);
    mote_graph_output(g, b);
    bool dead[2] = {true, false};
    ck_assert_mote_ok(mote_graph_compact(g, dead));
    ck_assert_int_eq(g->n_nodes, 1);
    ck_assert_str_eq(g->nodes[0].name, "live");
    ck_assert_int_eq(g->n_values, 2);          /* x and live's output */
    ck_assert_int_eq(mote_graph_find_value(g, "unused_after"), -1);
    ck_assert_int_eq(g->values[g->outputs[0]].producer, 0);
    ck_assert_int_eq(g->nodes[0].in[0], g->inputs[0]);
    mote_graph_free(g);
}
END_TEST

START_TEST(test_graph_clone_is_deep)
{
    mote_graph *g = mote_graph_new();
    int64_t d[1] = {2};
    float w[2] = {1, 2};
    int x = mote_graph_input(g, "x", MOTE_F32, 1, d);
    int wv = mote_graph_weight(g, "w", MOTE_F32, 1, d, w), y;
    int in2[2] = {x, wv};
    int n = mote_graph_node(g, "Add", "add", 2, in2, 1, NULL, &y);
    mote_graph_attr_int(g, n, "k", 5);
    mote_graph_output(g, y);
    mote_graph_meta_string(g, "name", "t");
    mote_graph *c = mote_graph_clone(g, false);
    ck_assert_ptr_nonnull(c);
    mote_graph_free(g);
    ck_assert_int_eq(c->n_nodes, 1);
    ck_assert_int_eq(mote_attr_get_int(&c->nodes[0], "k", 0), 5);
    ck_assert(((const float *)c->values[1].data)[1] == 2.0f);
    ck_assert_str_eq(c->meta[0].s, "t");
    mote_graph_free(c);
}
END_TEST

/* -------------------------------------------------------------- planner */

START_TEST(test_planner_reuses_dead_buffers)
{
    /* a chain: b0 (steps 0-1), b1 (1-2), b2 (2-3): b0 and b2 can share */
    mote_buf b[3] = {{.bytes = 1000, .first = 0, .last = 1},
                     {.bytes = 1000, .first = 1, .last = 2},
                     {.bytes = 1000, .first = 2, .last = 3}};
    size_t arena;
    ck_assert_mote_ok(mote_plan_place(b, 3, &arena));
    ck_assert(mote_plan_valid(b, 3));
    ck_assert_uint_eq(arena, 2 * 1024);      /* two 64-aligned 1000-byte slots */
    ck_assert_uint_eq(b[0].offset, b[2].offset);
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(b[i].offset % 64, 0);
}
END_TEST

START_TEST(test_planner_never_overlaps_live_buffers)
{
    enum { N = 300 };
    mote_buf b[N];
    uint32_t s = 7;
    size_t sum = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            s = s * 1664525u + 1013904223u;
            int first = (int)(s >> 24) % 100;
            s = s * 1664525u + 1013904223u;
            b[i].first = first;
            b[i].last = first + (int)((s >> 20) % 12);
            s = s * 1664525u + 1013904223u;
            b[i].bytes = (s >> 16) % 5000;      /* includes zero-size buffers */
            sum += b[i].bytes;
        }
        size_t arena;
        ck_assert_mote_ok(mote_plan_place(b, N, &arena));
        ck_assert_msg(mote_plan_valid(b, N), "round %d overlaps", round);
        for (int i = 0; i < N; i++)
            ck_assert_uint_le(b[i].offset + b[i].bytes, arena);
    }
    ck_assert_uint_gt(sum, 0);
}
END_TEST

START_TEST(test_planner_valid_detects_overlap)
{
    mote_buf b[2] = {{.bytes = 100, .first = 0, .last = 2, .offset = 0},
                     {.bytes = 100, .first = 1, .last = 3, .offset = 64}};
    ck_assert(!mote_plan_valid(b, 2));
    b[1].first = 3;
    ck_assert(mote_plan_valid(b, 2));
}
END_TEST

/* ----------------------------------------------------------------- pool */

typedef struct { atomic_llong sum; atomic_int calls; int64_t grain; atomic_int bad; } pool_ctx;

static void add_range(void *ctx, int64_t b, int64_t e, int thread)
{
    pool_ctx *c = ctx;
    long long s = 0;
    for (int64_t i = b; i < e; i++) s += i;
    atomic_fetch_add(&c->sum, s);
    atomic_fetch_add(&c->calls, 1);
    if (b % c->grain != 0) atomic_fetch_add(&c->bad, 1);
    (void)thread;
}

START_TEST(test_pool_covers_every_index_once_for_any_thread_count)
{
    for (int threads = 1; threads <= 4; threads++) {
        mote_pool *p;
        ck_assert_mote_ok(mote_pool_new(threads, 0, &p));
        ck_assert_int_eq(mote_pool_threads(p), threads);
        const int64_t sizes[] = {1, 2, 3, 7, 16, 17, 1000, 12345};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            for (int64_t grain = 1; grain <= 16; grain *= 4) {
                pool_ctx c = {.grain = grain};
                int64_t n = sizes[k];
                mote_pool_for(p, n, grain, add_range, &c);
                ck_assert_int_eq(atomic_load(&c.sum), n * (n - 1) / 2);
                ck_assert_int_eq(atomic_load(&c.bad), 0);
                ck_assert_int_le(atomic_load(&c.calls), threads);
            }
        mote_pool_free(p);
    }
}
END_TEST

START_TEST(test_pool_survives_many_back_to_back_jobs)
{
    mote_pool *p;
    ck_assert_mote_ok(mote_pool_new(3, 0, &p));
    pool_ctx c = {.grain = 1};
    for (int i = 0; i < 3000; i++) mote_pool_for(p, 9, 1, add_range, &c);
    ck_assert_int_eq(atomic_load(&c.sum), 3000LL * 36);
    mote_pool_free(p);
}
END_TEST

/* Records which range each thread argument got. */
typedef struct { int64_t b[8], e[8]; atomic_int seen[8]; atomic_int bad; } chunk_log;

static void log_chunk(void *ctx, int64_t b, int64_t e, int thread)
{
    chunk_log *c = ctx;
    if (thread < 0 || thread >= 8 || atomic_fetch_add(&c->seen[thread], 1) != 0) {
        atomic_fetch_add(&c->bad, 1);
        return;
    }
    c->b[thread] = b;
    c->e[thread] = e;
}

/* Chunks are claimed by whichever thread comes first, but chunk t is
 * always [units*t/k, units*(t+1)/k) grains, run once, as thread t: what
 * makes per-thread scratch private and results independent of timing.
 * Jobs of varying chunk counts back to back also exercise claims that
 * arrive after their job has ended. */
START_TEST(test_pool_chunk_t_is_fixed_and_run_as_thread_t)
{
    for (int threads = 2; threads <= 4; threads++) {
        mote_pool *p;
        ck_assert_mote_ok(mote_pool_new(threads, 0, &p));
        for (int rep = 0; rep < 2000; rep++) {
            int64_t n = 1 + rep % 7, grain = 1 + rep % 2;
            chunk_log c;
            memset(&c, 0, sizeof c);
            mote_pool_for(p, n, grain, log_chunk, &c);
            int64_t units = (n + grain - 1) / grain;
            int k = (int)(units < threads ? units : threads);
            ck_assert_int_eq(atomic_load(&c.bad), 0);
            for (int t = 0; t < k; t++) {
                int64_t b = units * t / k * grain, e = units * (t + 1) / k * grain;
                ck_assert_int_eq(atomic_load(&c.seen[t]), 1);
                ck_assert_int_eq(c.b[t], b);
                ck_assert_int_eq(c.e[t], e < n ? e : n);
            }
            for (int t = k; t < 8; t++) ck_assert_int_eq(atomic_load(&c.seen[t]), 0);
        }
        mote_pool_free(p);
    }
}
END_TEST

/* Workers sleep after a short spin; mote_pool_wake (called at the start
 * of every session run) wakes them without a job, and the pool still
 * runs jobs right after. No-op without a pool or with one thread. */
START_TEST(test_pool_wake_rouses_sleeping_workers)
{
    mote_pool_wake(NULL);
    ck_assert_int_eq(mote_pool_wakeups(NULL), 0);
    mote_pool *one;
    ck_assert_mote_ok(mote_pool_new(1, 0, &one));
    mote_pool_wake(one);
    ck_assert_int_eq(mote_pool_wakeups(one), 0);
    mote_pool_free(one);

    mote_pool *p;
    ck_assert_mote_ok(mote_pool_new(3, 0, &p));
    for (int round = 0; round < 3; round++) {
        pool_ctx c = {.grain = 1};
        mote_pool_for(p, 100, 1, add_range, &c);
        ck_assert_int_eq(atomic_load(&c.sum), 4950);
        /* long past the spin budget: both workers asleep, or about to be */
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        long before = mote_pool_wakeups(p);
        mote_pool_wake(p);
        /* each sleeping worker returns from sleep once (within 5 s) */
        long after = before;
        for (int i = 0; i < 5000 && after == before; i++) {
            struct timespec ms = {0, 1000 * 1000};
            nanosleep(&ms, NULL);
            after = mote_pool_wakeups(p);
        }
        ck_assert_msg(after > before, "round %d: no worker woke (wakeups stayed %ld)", round, before);
    }
    mote_pool_free(p);
}
END_TEST

START_TEST(test_pool_rejects_bad_thread_counts)
{
    mote_pool *p = (mote_pool *)1;
    ck_assert_int_eq(mote_pool_new(0, 0, &p), MOTE_ERR_ARG);
    ck_assert_ptr_null(p);
    ck_assert_int_ge(mote_physical_cores(), 1);
    pool_ctx c = {.grain = 1};
    mote_pool_for(NULL, 10, 1, add_range, &c);        /* inline */
    ck_assert_int_eq(atomic_load(&c.sum), 45);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *t = tcase_create("dtype");
    tcase_add_test(t, test_dtype_sizes_and_names_round_trip);
    tcase_add_test(t, test_f16_conversion_of_known_values);
    tcase_add_test(t, test_bf16_conversion_rounds_to_nearest_even);
    tcase_add_test(t, test_tensor_numel_detects_overflow_and_unknown);
    tcase_add_test(t, test_status_names);
    suite_add_tcase(s, t);
    t = tcase_create("graph");
    tcase_add_test(t, test_builder_rejects_duplicate_names);
    tcase_add_test(t, test_builder_rejects_missing_input_values);
    tcase_add_test(t, test_builder_rejects_bad_shapes_and_dtypes);
    tcase_add_test(t, test_builder_attributes_replace_and_read_back);
    tcase_add_test(t, test_topo_order_puts_producers_first_and_finds_cycles);
    tcase_add_test(t, test_graph_check_names_unknown_ops_and_missing_outputs);
    tcase_add_test(t, test_graph_compact_drops_dead_nodes_and_values);
    tcase_add_test(t, test_graph_clone_is_deep);
    suite_add_tcase(s, t);
    t = tcase_create("planner");
    tcase_add_test(t, test_planner_reuses_dead_buffers);
    tcase_add_test(t, test_planner_never_overlaps_live_buffers);
    tcase_add_test(t, test_planner_valid_detects_overlap);
    suite_add_tcase(s, t);
    t = tcase_create("pool");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_pool_covers_every_index_once_for_any_thread_count);
    tcase_add_test(t, test_pool_survives_many_back_to_back_jobs);
    tcase_add_test(t, test_pool_chunk_t_is_fixed_and_run_as_thread_t);
    tcase_add_test(t, test_pool_wake_rouses_sleeping_workers);
    tcase_add_test(t, test_pool_rejects_bad_thread_counts);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return mote_test_run(core_suite()); }
