/*
 * test_session_memory.c — what a session holds and for how long: every
 * byte counted against the memory budget before it is allocated (huge
 * models, KV caches and their sum refused with MOTE_ERR_LIMIT before any
 * large allocation, wrapping sizes included); inspection without an arena;
 * prepared weights made once per model and shared by its sessions, also
 * when they are made from several threads at once; reshape without
 * repacking and with the KV cache kept; op state behind hooks; a thread
 * pool shared by sessions.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/session.h"
#include "runtime/prepared.h"
#include "testutil.h"

/* ----------------------------------------------- watching allocations */

/* glibc lets a program define malloc & co. and still reach the real ones;
 * the wrappers record the largest single request and the bytes asked for.
 * Not under Address- or ThreadSanitizer, whose allocators they would
 * bypass. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MOTE_TEST_SANITIZED 1
#endif
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && \
    !defined(MOTE_TEST_SANITIZED)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static atomic_size_t largest, asked;
static void note(size_t n)
{
    size_t cur = atomic_load(&largest);
    while (n > cur && !atomic_compare_exchange_weak(&largest, &cur, n)) {}
    atomic_fetch_add(&asked, n);
}
void *malloc(size_t n) { note(n); return __libc_malloc(n); }
void *calloc(size_t a, size_t b)
{
    size_t n;
    note(__builtin_mul_overflow(a, b, &n) ? SIZE_MAX : n);
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) { note(n); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
int posix_memalign(void **p, size_t al, size_t n)
{
    note(n);
    *p = __libc_memalign(al, n);
    return *p ? 0 : 12;
}
void *aligned_alloc(size_t al, size_t n) { note(n); return __libc_memalign(al, n); }
#define HAVE_ALLOC_WATCH 1
static void watch_reset(void) { atomic_store(&largest, 0); atomic_store(&asked, 0); }
/* False where the wrappers are not reached (valgrind replaces malloc). */
static int watching(void)
{
    watch_reset();
    void *volatile p = malloc(4096);
    free(p);
    int seen = atomic_load(&asked) >= 4096;
    watch_reset();
    return seen;
}
#endif

#define GiB ((size_t)1 << 30)

static mote_session_options opts_1g(void)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    o.max_bytes = GiB;
    return o;
}

/* Expects MOTE_ERR_LIMIT naming msg_part, with no more than the budget
 * asked for on the way (one allocation or all together, temporaries
 * included). */
static void expect_limit_before_alloc(const mote_model *m, const mote_session_options *o,
                                      const char *msg_part)
{
    mote_session *s = NULL;
#ifdef HAVE_ALLOC_WATCH
    watch_reset();
#endif
    mote_status st = mote_session_new(m, o, &s);
    ck_assert_msg(st == MOTE_ERR_LIMIT, "got %s: %s", mote_status_name(st), mote_last_error());
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(mote_last_error(), msg_part), "message: %s", mote_last_error());
#ifdef HAVE_ALLOC_WATCH
    /* nothing over the budget was asked for, alone or in all */
    ck_assert_msg(atomic_load(&largest) <= o->max_bytes,
                  "an allocation of %zu bytes was attempted", atomic_load(&largest));
    ck_assert_msg(atomic_load(&asked) <= o->max_bytes + ((size_t)1 << 20),
                  "%zu bytes were asked for in all", atomic_load(&asked));
#endif
}

/* ------------------------------------------------------------- models */

/*
 * MatMul of x [batch, 1, 1, 1] by a constant [2, 1, 1]: 2 * batch
 * broadcast batches, with per-batch offset tables of 32 * batch bytes (the
 * output is 8 * batch bytes). batch 2^31: 64 GiB.
 */
static mote_model *huge_batch_model(int64_t batch)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = { batch, 1, 1, 1 }, wd[3] = { 2, 1, 1 };
    float w[2] = { 1, 2 };
    int a[2], y;
    a[0] = mote_graph_input(g, "x", MOTE_F32, 4, xd);
    a[1] = mote_graph_weight(g, "w", MOTE_F32, 3, wd, w);
    mote_graph_node(g, "MatMul", "mm", 2, a, 1, NULL, &y);
    mote_graph_output(g, y);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

/*
 * `layers` LlmAttention nodes of one head of 8 over T tokens (T -1: open),
 * each with a cache of max_seq positions; layer i attends with the output
 * of layer i-1 as its queries.
 */
static mote_graph *attention_graph(int layers, int64_t T, int64_t max_seq)
{
    mote_graph *g = mote_graph_new();
    int64_t qd[2] = { T, 8 }, pd[1] = { 1 };
    int q = mote_graph_input(g, "q", MOTE_F32, 2, qd);
    int k = mote_graph_input(g, "k", MOTE_F32, 2, qd);
    int v = mote_graph_input(g, "v", MOTE_F32, 2, qd);
    int pos = mote_graph_input(g, "pos", MOTE_I32, 1, pd);
    int x = q;
    for (int l = 0; l < layers; l++) {
        char name[16];
        snprintf(name, sizeof name, "attn%d", l);
        int in[4] = { x, k, v, pos }, y;
        int n = mote_graph_node(g, "LlmAttention", name, 4, in, 1, NULL, &y);
        mote_graph_attr_int(g, n, "num_heads", 1);
        mote_graph_attr_int(g, n, "num_kv_heads", 1);
        mote_graph_attr_int(g, n, "max_seq", max_seq);
        x = y;
    }
    mote_graph_output(g, x);
    return g;
}

static mote_model *attention_model(int layers, int64_t T, int64_t max_seq)
{
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(attention_graph(layers, T, max_seq), &m));
    return m;
}

/*
 * x [B, K] -> MatMul(W [K, K]) -> BatchNormalization (constant statistics,
 * folded once) -> Relu -> MatMul(W2 [K, 16]) -> y [B, 16]; B -1: open.
 */
static mote_model *mlp_model(int64_t B, int64_t K)
{
    mote_graph *g = mote_graph_new();
    int64_t xd[2] = { B, K }, wd[2] = { K, K }, cd[1] = { K }, w2d[2] = { K, 16 };
    float *w = malloc(sizeof(float) * (size_t)(K * K)), *w2 = malloc(sizeof(float) * (size_t)(K * 16));
    float *st[4];
    mote_test_fill(w, K * K, 1, -0.1f, 0.1f);
    mote_test_fill(w2, K * 16, 2, -0.1f, 0.1f);
    for (int i = 0; i < 4; i++) {
        st[i] = malloc(sizeof(float) * (size_t)K);
        mote_test_fill(st[i], K, 3 + (uint32_t)i, i == 3 ? 0.5f : -0.5f, 1.0f);
    }
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int a[5], h1, h2, h3, y;
    a[0] = x;
    a[1] = mote_graph_weight(g, "w", MOTE_F32, 2, wd, w);
    mote_graph_node(g, "MatMul", "mm1", 2, a, 1, NULL, &h1);
    a[0] = h1;
    a[1] = mote_graph_weight(g, "scale", MOTE_F32, 1, cd, st[0]);
    a[2] = mote_graph_weight(g, "bias", MOTE_F32, 1, cd, st[1]);
    a[3] = mote_graph_weight(g, "mean", MOTE_F32, 1, cd, st[2]);
    a[4] = mote_graph_weight(g, "var", MOTE_F32, 1, cd, st[3]);
    mote_graph_node(g, "BatchNormalization", "bn", 5, a, 1, NULL, &h2);
    mote_graph_node(g, "Relu", "relu", 1, &h2, 1, NULL, &h3);
    a[0] = h3;
    a[1] = mote_graph_weight(g, "w2", MOTE_F32, 2, w2d, w2);
    mote_graph_node(g, "MatMul", "mm2", 2, a, 1, NULL, &y);
    mote_graph_output(g, y);
    free(w);
    free(w2);
    for (int i = 0; i < 4; i++) free(st[i]);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    return m;
}

static mote_tensor shape2(mote_dtype t, int64_t d0, int64_t d1, void *data)
{
    mote_tensor s;
    memset(&s, 0, sizeof s);
    s.dtype = t;
    s.ndim = 2;
    s.dims[0] = d0;
    s.dims[1] = d1;
    s.data = data;
    return s;
}

/* ------------------------------------------------------------- budget */

START_TEST(test_budget_refuses_64gib_model_before_allocating)
{
    mote_model *m = huge_batch_model((int64_t)1 << 31);
    mote_session_options o = opts_1g();
    expect_limit_before_alloc(m, &o, "memory budget");
    /* the same through MOTE_MAX_BYTES */
    setenv("MOTE_MAX_BYTES", "1G", 1);
    o.max_bytes = 0;
    mote_session *s = NULL;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_LIMIT);
    unsetenv("MOTE_MAX_BYTES");
    mote_model_close(m);
    /* batch 2^25: every tensor fits (output 256 MiB), the op's own tables
     * (1 GiB) do not: counted while the node prepares */
    m = huge_batch_model((int64_t)1 << 25);
    o.max_bytes = GiB;
    expect_limit_before_alloc(m, &o, "its parameters");
    mote_model_close(m);
}
END_TEST

START_TEST(test_budget_refuses_oversized_kv_cache_before_allocating)
{
    /* 2 * 2^26 positions * 8 floats = 4 GiB of cache, scratch 256 MiB */
    mote_model *m = attention_model(1, 1, (int64_t)1 << 26);
    mote_session_options o = opts_1g();
    expect_limit_before_alloc(m, &o, "state");
    mote_model_close(m);
}
END_TEST

START_TEST(test_budget_refuses_kv_cache_size_that_wraps)
{
    /* max_seq * kv_heads * head_size * 4 wraps past 2^64: refused by the
     * op's shape inference (so already when the model is made), or by the
     * session's overflow check */
    mote_model *m = NULL;
    mote_status st = mote_model_from_graph(attention_graph(1, 1, (int64_t)1 << 62), &m);
    if (st == MOTE_OK) {
        mote_session_options o = opts_1g();
        o.max_bytes = SIZE_MAX;   /* only the overflow check can refuse it */
        mote_session *s = NULL;
        st = mote_session_new(m, &o, &s);
    }
    ck_assert_msg(st == MOTE_ERR_LIMIT, "got %s: %s", mote_status_name(st), mote_last_error());
    ck_assert_msg(strstr(mote_last_error(), "overflows"), "%s", mote_last_error());
    mote_model_close(m);
}
END_TEST

START_TEST(test_budget_counts_the_sum_of_all_state)
{
    /* five caches of 16 MiB: each fits 64 MiB, together they do not */
    mote_model *m = attention_model(5, 1, (int64_t)1 << 18);
    mote_session_options o = opts_1g();
    o.max_bytes = (size_t)64 << 20;
    expect_limit_before_alloc(m, &o, "state");
    /* with room for them the session holds exactly what it reports */
    o.max_bytes = (size_t)256 << 20;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    mote_memory mem;
    ck_assert_mote_ok(mote_session_memory(s, &mem));
    ck_assert_uint_ge(mem.state, 5 * ((size_t)16 << 20));
    /* the same figures without a session, as an embedder asks before
     * handing mote an arena; and the same refusal */
    mote_memory planned;
    ck_assert_mote_ok(mote_model_memory(m, &o, &planned));
    ck_assert_int_eq(memcmp(&planned, &mem, sizeof mem), 0);
    mote_session_options small = o;
    small.max_bytes = (size_t)64 << 20;
    ck_assert_int_eq(mote_model_memory(m, &small, &planned), MOTE_ERR_LIMIT);
    ck_assert_uint_eq(mem.total, mem.arena + mem.plan + mem.state + mem.prepared);
    ck_assert_uint_le(mem.total, mem.budget);
    ck_assert_uint_eq(mem.arena, mote_session_arena_bytes(s) ? mote_session_arena_bytes(s) : 64);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* The process's resident memory in KiB (Linux /proc), or -1. */
static long resident_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size, res;
    int ok = f && fscanf(f, "%ld %ld", &size, &res) == 2;
    if (f) fclose(f);
    return ok ? res * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

START_TEST(test_inspection_session_allocates_no_arena)
{
    /* a batch of 65535 images: an arena of about 1.8 GB, planned not made */
    mote_graph *g = mote_graph_new();
    int64_t xd[4] = { -1, 1, 28, 28 }, wd[4] = { 8, 1, 3, 3 };
    float w[72];
    mote_test_fill(w, 72, 5, -1, 1);
    int a[2], y, r;
    a[0] = mote_graph_input(g, "image", MOTE_F32, 4, xd);
    a[1] = mote_graph_weight(g, "w", MOTE_F32, 4, wd, w);
    mote_graph_node(g, "Conv", "conv", 2, a, 1, NULL, &y);
    mote_graph_node(g, "Relu", "relu", 1, &y, 1, NULL, &r);
    mote_graph_output(g, r);
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(g, &m));
    mote_session_options o = opts_1g();
    o.max_bytes = (size_t)64 << 30;
    mote_tensor shape;
    memset(&shape, 0, sizeof shape);
    shape.dtype = MOTE_F32;
    shape.ndim = 4;
    int64_t d[4] = { 65535, 1, 28, 28 };
    memcpy(shape.dims, d, sizeof d);
    o.input_shapes = &shape;
    o.n_input_shapes = 1;
    mote_session *s = NULL;
    long before = resident_kib();
    ck_assert_mote_ok(mote_session_new_plan_only(m, &o, &s));
    mote_memory mem;
    ck_assert_mote_ok(mote_session_memory(s, &mem));
    ck_assert_uint_gt(mem.arena, (size_t)1 << 30);
    long after = resident_kib();
    if (before >= 0 && after >= 0)
        ck_assert_msg(after - before < 100 * 1024, "resident memory grew by %ld KiB",
                      after - before);
    /* it cannot run */
    ck_assert_int_eq(mote_session_run(s, &shape, 1), MOTE_ERR_ARG);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* --------------------------------------------------- prepared weights */

START_TEST(test_two_sessions_share_one_copy_of_prepared_weights)
{
    mote_model *m = mlp_model(4, 256);
    mote_session_options o = opts_1g();
    ck_assert_uint_eq(mote_model_prepared_bytes(m), 0);
    mote_session *s1 = NULL, *s2 = NULL;
#ifdef HAVE_ALLOC_WATCH
    int watch = watching();
#endif
    ck_assert_mote_ok(mote_session_new(m, &o, &s1));
#ifdef HAVE_ALLOC_WATCH
    size_t asked1 = atomic_load(&asked);
#endif
    size_t prepared = mote_model_prepared_bytes(m);
    ck_assert_uint_ge(prepared, 2 * 256 * sizeof(float));   /* the folded BatchNorm at least */
    mote_memory m1, m2;
    ck_assert_mote_ok(mote_session_memory(s1, &m1));
    ck_assert_uint_eq(m1.prepared, prepared);
#ifdef HAVE_ALLOC_WATCH
    watch_reset();
#endif
    ck_assert_mote_ok(mote_session_new(m, &o, &s2));
    ck_assert_mote_ok(mote_session_memory(s2, &m2));
    /* the model still holds one copy; the second session counts it as used */
    ck_assert_uint_eq(mote_model_prepared_bytes(m), prepared);
    ck_assert_uint_eq(m2.prepared, prepared);
#ifdef HAVE_ALLOC_WATCH
    /* what the second session allocated is its own plan, arena and state
     * (and small temporaries), not another copy of the prepared weights */
    size_t own = m2.total - m2.prepared, asked2 = atomic_load(&asked);
    if (watch && asked1 > 0) {   /* valgrind's malloc bypasses the wrappers */
        ck_assert_msg(asked2 < own + 64 * 1024, "asked %zu bytes, holds %zu of its own",
                      asked2, own);
        ck_assert_msg(asked2 + prepared <= asked1 + 64 * 1024,
                      "first %zu, second %zu, prepared %zu", asked1, asked2, prepared);
    }
#endif
    /* both compute the same */
    float x[4 * 256];
    mote_test_fill(x, 4 * 256, 9, -1, 1);
    mote_tensor in = shape2(MOTE_F32, 4, 256, x), y1, y2;
    ck_assert_mote_ok(mote_session_run(s1, &in, 1));
    ck_assert_mote_ok(mote_session_run(s2, &in, 1));
    ck_assert_mote_ok(mote_session_output(s1, 0, &y1));
    ck_assert_mote_ok(mote_session_output(s2, 0, &y2));
    ck_assert_int_eq(memcmp(y1.data, y2.data, 4 * 16 * sizeof(float)), 0);
    /* the prepared weights outlive either session */
    mote_session_free(s1);
    ck_assert_mote_ok(mote_session_run(s2, &in, 1));
    mote_session_free(s2);
    ck_assert_uint_eq(mote_model_prepared_bytes(m), prepared);
    mote_model_close(m);
}
END_TEST

typedef struct maker {
    const mote_model *m;
    mote_session *s;
    mote_status st;
} maker;

static void *make_session(void *arg)
{
    maker *k = arg;
    mote_session_options o = opts_1g();
    k->st = mote_session_new(k->m, &o, &k->s);
    return NULL;
}

START_TEST(test_sessions_made_at_once_share_one_copy)
{
    mote_model *m = mlp_model(4, 128);
    enum { N = 6 };
    pthread_t th[N];
    maker k[N];
    for (int i = 0; i < N; i++) {
        k[i] = (maker){ m, NULL, MOTE_OK };
        ck_assert_int_eq(pthread_create(&th[i], NULL, make_session, &k[i]), 0);
    }
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    int entries = 0;
    size_t prepared = mote_prepared_bytes(m->prep, &entries);
    float x[4 * 128];
    mote_test_fill(x, 4 * 128, 4, -1, 1);
    mote_tensor in = shape2(MOTE_F32, 4, 128, x), y0, y;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(k[i].st, MOTE_OK);
        mote_memory mem;
        ck_assert_mote_ok(mote_session_memory(k[i].s, &mem));
        ck_assert_uint_eq(mem.prepared, prepared);
        ck_assert_mote_ok(mote_session_run(k[i].s, &in, 1));
        ck_assert_mote_ok(mote_session_output(k[i].s, 0, i ? &y : &y0));
        if (i) ck_assert_int_eq(memcmp(y.data, y0.data, 4 * 16 * sizeof(float)), 0);
    }
    /* one entry per packing: the folded BatchNorm and at most the two MatMuls */
    ck_assert_int_ge(entries, 1);
    ck_assert_int_le(entries, 3);
    for (int i = 0; i < N; i++) mote_session_free(k[i].s);
    mote_model_close(m);
}
END_TEST

/* ------------------------------------------------------------ reshape */

START_TEST(test_reshape_repacks_nothing_and_matches_a_fresh_session)
{
    mote_model *m = mlp_model(-1, 96);
    mote_session_options o = opts_1g();
    mote_tensor sh = shape2(MOTE_F32, 2, 96, NULL);
    o.input_shapes = &sh;
    o.n_input_shapes = 1;
    mote_session *s = NULL, *fresh = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    float x[7 * 96];
    mote_test_fill(x, 7 * 96, 11, -1, 1);
    mote_tensor in = shape2(MOTE_F32, 2, 96, x), y, yf;
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    int entries0;
    size_t prepared0 = mote_prepared_bytes(m->prep, &entries0);

    mote_tensor sh7 = shape2(MOTE_F32, 7, 96, NULL);
#ifdef HAVE_ALLOC_WATCH
    int watch = watching();
#endif
    ck_assert_mote_ok(mote_session_reshape(s, &sh7, 1));
    int entries1;
    ck_assert_uint_eq(mote_prepared_bytes(m->prep, &entries1), prepared0);
    ck_assert_int_eq(entries1, entries0);
    mote_memory mem;
    ck_assert_mote_ok(mote_session_memory(s, &mem));
#ifdef HAVE_ALLOC_WATCH
    if (watch && atomic_load(&asked) > 0)
        ck_assert_msg(atomic_load(&asked) < mem.total - mem.prepared + 64 * 1024,
                      "reshape asked for %zu bytes", atomic_load(&asked));
#endif
    /* a wrong input shape is refused; the session keeps its shapes */
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_ERR_SHAPE);
    in = shape2(MOTE_F32, 7, 96, x);
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    ck_assert_int_eq(y.dims[0], 7);

    o.input_shapes = &sh7;
    ck_assert_mote_ok(mote_session_new(m, &o, &fresh));
    ck_assert_mote_ok(mote_session_run(fresh, &in, 1));
    ck_assert_mote_ok(mote_session_output(fresh, 0, &yf));
    ck_assert_int_eq(memcmp(y.data, yf.data, 7 * 16 * sizeof(float)), 0);
    ck_assert_uint_eq(mote_prepared_bytes(m->prep, NULL), prepared0);

    /* a failed reshape leaves the session as it was */
    mote_tensor bad = shape2(MOTE_F32, 7, 95, NULL);
    ck_assert_int_eq(mote_session_reshape(s, &bad, 1), MOTE_ERR_SHAPE);
    ck_assert_int_eq(mote_session_reshape(s, &sh7, 2), MOTE_ERR_ARG);
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    ck_assert_int_eq(memcmp(y.data, yf.data, 7 * 16 * sizeof(float)), 0);
    /* and back to the first shape */
    ck_assert_mote_ok(mote_session_reshape(s, &sh, 1));
    in = shape2(MOTE_F32, 2, 96, x);
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    mote_session_free(s);
    mote_session_free(fresh);
    mote_model_close(m);
}
END_TEST

START_TEST(test_embedder_supplies_the_arena_mote_model_memory_gives)
{
    mote_model *m = mlp_model(-1, 64);
    mote_session_options o = opts_1g();
    mote_tensor sh = shape2(MOTE_F32, 3, 64, NULL);
    o.input_shapes = &sh;
    o.n_input_shapes = 1;
    mote_memory need;
    ck_assert_mote_ok(mote_model_memory(m, &o, &need));
    ck_assert_uint_gt(need.arena, 0);
    size_t bytes = (need.arena + 63) / 64 * 64;
    void *arena = aligned_alloc(64, bytes);
    ck_assert_ptr_nonnull(arena);
    mote_session *own = NULL, *emb = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &own));
    o.arena = arena;
    o.arena_bytes = need.arena;
    ck_assert_mote_ok(mote_session_new(m, &o, &emb));
    float x[9 * 64];
    mote_test_fill(x, 9 * 64, 31, -1, 1);
    mote_tensor in = shape2(MOTE_F32, 3, 64, x), y1, y2;
    ck_assert_mote_ok(mote_session_run(own, &in, 1));
    ck_assert_mote_ok(mote_session_run(emb, &in, 1));
    ck_assert_mote_ok(mote_session_output(own, 0, &y1));
    ck_assert_mote_ok(mote_session_output(emb, 0, &y2));
    ck_assert((char *)y2.data >= (char *)arena && (char *)y2.data < (char *)arena + bytes);
    ck_assert_int_eq(memcmp(y1.data, y2.data, 3 * 16 * sizeof(float)), 0);
    /* a larger shape does not fit the caller's arena: refused, nothing changes */
    mote_tensor big = shape2(MOTE_F32, 9, 64, NULL);
    ck_assert_int_eq(mote_session_reshape(emb, &big, 1), MOTE_ERR_ARG);
    ck_assert_mote_ok(mote_session_run(emb, &in, 1));
    ck_assert_mote_ok(mote_session_output(emb, 0, &y2));
    ck_assert_int_eq(memcmp(y1.data, y2.data, 3 * 16 * sizeof(float)), 0);
    /* a smaller one does */
    mote_tensor one = shape2(MOTE_F32, 1, 64, NULL);
    ck_assert_mote_ok(mote_session_reshape(emb, &one, 1));
    in = shape2(MOTE_F32, 1, 64, x);
    ck_assert_mote_ok(mote_session_run(emb, &in, 1));
    ck_assert_mote_ok(mote_session_output(emb, 0, &y2));
    ck_assert_float_lt(mote_test_maxdiff(y1.data, y2.data, 16), 1e-5f);   /* row 0 */
    mote_session_free(emb);
    mote_session_free(own);
    free(arena);
    mote_model_close(m);
}
END_TEST

/* Runs T tokens at position pos through an attention session. */
static void run_tokens(mote_session *s, const float *q, const float *k, const float *v,
                       int64_t T, int32_t pos)
{
    mote_tensor in[4] = { shape2(MOTE_F32, T, 8, (void *)q), shape2(MOTE_F32, T, 8, (void *)k),
                          shape2(MOTE_F32, T, 8, (void *)v) };
    memset(&in[3], 0, sizeof in[3]);
    in[3].dtype = MOTE_I32;
    in[3].ndim = 1;
    in[3].dims[0] = 1;
    in[3].data = &pos;
    ck_assert_mote_ok(mote_session_run(s, in, 4));
}

static void attention_shapes(mote_tensor sh[4], int64_t T)
{
    for (int i = 0; i < 3; i++) sh[i] = shape2(MOTE_F32, T, 8, NULL);
    memset(&sh[3], 0, sizeof sh[3]);
    sh[3].dtype = MOTE_I32;
    sh[3].ndim = 1;
    sh[3].dims[0] = 1;
}

START_TEST(test_reshape_keeps_the_kv_cache)
{
    mote_model *m = attention_model(2, -1, 16);
    mote_session_options o = opts_1g();
    mote_tensor sh[4];
    attention_shapes(sh, 3);
    o.input_shapes = sh;
    o.n_input_shapes = 4;
    mote_session *s = NULL, *whole = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    float q[5 * 8], k[5 * 8], v[5 * 8];
    mote_test_fill(q, 40, 1, -1, 1);
    mote_test_fill(k, 40, 2, -1, 1);
    mote_test_fill(v, 40, 3, -1, 1);
    /* three tokens in one pass, then two one at a time in the same session */
    run_tokens(s, q, k, v, 3, 0);
    attention_shapes(sh, 1);
    ck_assert_mote_ok(mote_session_reshape(s, sh, 4));
    run_tokens(s, q + 24, k + 24, v + 24, 1, 3);
    run_tokens(s, q + 32, k + 32, v + 32, 1, 4);
    mote_tensor y, yw;
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    /* the same five tokens in one pass */
    attention_shapes(sh, 5);
    ck_assert_mote_ok(mote_session_new(m, &o, &whole));
    run_tokens(whole, q, k, v, 5, 0);
    ck_assert_mote_ok(mote_session_output(whole, 0, &yw));
    float diff = mote_test_maxdiff(y.data, (const float *)yw.data + 32, 8);
    ck_assert_msg(diff < 1e-5f, "last token differs by %g", (double)diff);

    /* copy_state hands the cache to another session (hooks, no op names);
     * reset clears it */
    mote_session *other = NULL;
    attention_shapes(sh, 1);
    ck_assert_mote_ok(mote_session_new(m, &o, &other));
    ck_assert_mote_ok(mote_session_copy_state(other, whole));
    run_tokens(other, q + 32, k + 32, v + 32, 1, 4);   /* row 4 again: same */
    mote_tensor yo;
    ck_assert_mote_ok(mote_session_output(other, 0, &yo));
    ck_assert_float_lt(mote_test_maxdiff(yo.data, y.data, 8), 1e-5f);
    ck_assert_mote_ok(mote_session_reset(other));
    run_tokens(other, q + 32, k + 32, v + 32, 1, 0);
    float alone[8];
    ck_assert_mote_ok(mote_session_output(other, 0, &yo));
    memcpy(alone, yo.data, sizeof alone);
    /* a session of another model cannot take the state */
    mote_model *m2 = attention_model(2, -1, 32);
    mote_session *s2 = NULL;
    ck_assert_mote_ok(mote_session_new(m2, &o, &s2));
    ck_assert_int_eq(mote_session_copy_state(s2, other), MOTE_ERR_ARG);
    mote_session_free(s2);
    mote_model_close(m2);
    mote_session_free(other);
    mote_session_free(whole);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* ---------------------------------------------------------- resources */

typedef struct runner {
    mote_session *s;
    const float *x;
    float want[4 * 16];
    int bad;
} runner;

static void *run_many(void *arg)
{
    runner *r = arg;
    mote_tensor in = shape2(MOTE_F32, 4, 64, (void *)r->x), y;
    for (int i = 0; i < 50; i++) {
        if (mote_session_run(r->s, &in, 1) != MOTE_OK || mote_session_output(r->s, 0, &y) != MOTE_OK ||
            memcmp(y.data, r->want, sizeof r->want) != 0)
            r->bad++;
    }
    return NULL;
}

START_TEST(test_sessions_share_a_caller_thread_pool)
{
    mote_model *m = mlp_model(4, 64);
    mote_pool *pool = NULL;
    ck_assert_int_eq(mote_pool_create(2000, 0, &pool), MOTE_ERR_ARG);
    ck_assert_mote_ok(mote_pool_create(3, 0, &pool));
    mote_session_options o = opts_1g();
    o.pool = pool;
    o.threads = 1;   /* ignored: the pool's count rules */
    mote_session *s[2];
    ck_assert_mote_ok(mote_session_new(m, &o, &s[0]));
    ck_assert_mote_ok(mote_session_new(m, &o, &s[1]));
    ck_assert_int_eq(mote_session_threads(s[0]), 3);
    float x[2][4 * 64];
    runner r[2];
    for (int i = 0; i < 2; i++) {
        mote_test_fill(x[i], 4 * 64, 20 + (uint32_t)i, -1, 1);
        mote_tensor in = shape2(MOTE_F32, 4, 64, x[i]), y;
        ck_assert_mote_ok(mote_session_run(s[i], &in, 1));
        ck_assert_mote_ok(mote_session_output(s[i], 0, &y));
        r[i] = (runner){ .s = s[i], .x = x[i] };
        memcpy(r[i].want, y.data, sizeof r[i].want);
    }
    /* the two sessions run from two threads at once on the one pool */
    pthread_t th[2];
    for (int i = 0; i < 2; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, run_many, &r[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    ck_assert_int_eq(r[0].bad + r[1].bad, 0);
    mote_session_free(s[0]);
    mote_session_free(s[1]);
    mote_pool_destroy(pool);
    mote_model_close(m);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("session_memory");
    TCase *tc = tcase_create("budget");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_inspection_session_allocates_no_arena);
    tcase_add_test(tc, test_budget_refuses_64gib_model_before_allocating);
    tcase_add_test(tc, test_budget_refuses_oversized_kv_cache_before_allocating);
    tcase_add_test(tc, test_budget_refuses_kv_cache_size_that_wraps);
    tcase_add_test(tc, test_budget_counts_the_sum_of_all_state);
    suite_add_tcase(su, tc);
    tc = tcase_create("prepared");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_two_sessions_share_one_copy_of_prepared_weights);
    tcase_add_test(tc, test_sessions_made_at_once_share_one_copy);
    suite_add_tcase(su, tc);
    tc = tcase_create("reshape");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_reshape_repacks_nothing_and_matches_a_fresh_session);
    tcase_add_test(tc, test_reshape_keeps_the_kv_cache);
    tcase_add_test(tc, test_embedder_supplies_the_arena_mote_model_memory_gives);
    suite_add_tcase(su, tc);
    tc = tcase_create("resources");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sessions_share_a_caller_thread_pool);
    suite_add_tcase(su, tc);
    return mote_test_run(su);
}
