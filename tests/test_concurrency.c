/*
 * test_concurrency.c — the thread-safety promise of mote.h, with models of
 * different shapes in flight at once: several threads make, run and free
 * sessions of DIFFERENT models at the same time (a model opened once and
 * shared, and models each thread builds and opens itself), and every
 * output equals the single-threaded reference bit for bit.
 *
 * Models differ in their number of nodes and buffers on purpose: state
 * shared by accident between two session creations (the memory planner
 * once sorted through a global pointer) then indexes one model's arrays
 * with another's counts, which AddressSanitizer reports as an overflow and
 * ThreadSanitizer as a race. CI runs this program under both (.ci/tsan.sh,
 * .ci/reliability.sh); MOTE_CONCURRENCY_ROUNDS scales the work.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mote.h"
#include "testutil.h"

#define N_THREADS 6
#define MAX_OUT 64

/* ------------------------------------------------------------------ models */

/* An MLP of `layers` MatMul+Add+Relu blocks of width `width`, closed by a
 * Softmax: x f32[batch,width] -> y f32[batch,width]. Weights depend on the
 * seed. Each layer adds three nodes and three intermediate buffers. */
static mote_graph *mlp_graph(int layers, int width, int batch, uint32_t seed)
{
    mote_graph *g = mote_graph_new();
    if (!g) return NULL;
    int64_t xd[2] = {batch, width}, wd[2] = {width, width}, bd[1] = {width};
    int h = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    float *w = malloc(sizeof(float) * (size_t)(width * width)), *b = malloc(sizeof(float) * (size_t)width);
    bool ok = h >= 0 && w && b;
    for (int l = 0; ok && l < layers; l++) {
        char name[32];
        mote_test_fill(w, (int64_t)width * width, seed + 2 * (uint32_t)l, -0.4f, 0.4f);
        mote_test_fill(b, width, seed + 2 * (uint32_t)l + 1, -0.1f, 0.1f);
        snprintf(name, sizeof name, "w%d", l);
        int vw = mote_graph_weight(g, name, MOTE_F32, 2, wd, w);
        snprintf(name, sizeof name, "b%d", l);
        int vb = mote_graph_weight(g, name, MOTE_F32, 1, bd, b);
        int a[2] = {h, vw}, mm, add;
        snprintf(name, sizeof name, "mm%d", l);
        ok = vw >= 0 && vb >= 0 && mote_graph_node(g, "MatMul", name, 2, a, 1, NULL, &mm) >= 0;
        a[0] = mm;
        a[1] = vb;
        snprintf(name, sizeof name, "add%d", l);
        ok = ok && mote_graph_node(g, "Add", name, 2, a, 1, NULL, &add) >= 0;
        snprintf(name, sizeof name, "relu%d", l);
        ok = ok && mote_graph_node(g, "Relu", name, 1, &add, 1, NULL, &h) >= 0;
    }
    free(w);
    free(b);
    const char *yn = "y";
    int y;
    int sm = ok ? mote_graph_node(g, "Softmax", "softmax", 1, &h, 1, &yn, &y) : -1;
    if (sm < 0 || mote_graph_attr_int(g, sm, "axis", -1) != MOTE_OK || mote_graph_output(g, y) != MOTE_OK) {
        mote_graph_free(g);
        return NULL;
    }
    return g;
}

/* What a thread runs: a model, its input and the reference output. */
typedef struct {
    const char *what;
    mote_model *m;
    mote_tensor in;
    float ref[MAX_OUT];
    int64_t n_out;
} model_case;

typedef struct { int layers, width, batch; uint32_t seed; } mlp_spec;
static const mlp_spec specs[] = {
    {1, 8, 1, 11}, {3, 16, 2, 23}, {7, 12, 1, 37}, {16, 8, 3, 41}, {2, 32, 1, 53},
    {64, 4, 1, 61}, {150, 4, 2, 67},
};
#define N_MLP ((int)(sizeof specs / sizeof specs[0]))

static mote_status run_once(const mote_model *m, const mote_tensor *in, int threads,
                            float *out, int64_t *n_out)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.pin = 0;
    mote_session *s = NULL;
    mote_status st = mote_session_new(m, &o, &s);
    mote_tensor y;
    if (st == MOTE_OK) st = mote_session_run(s, in, 1);
    if (st == MOTE_OK) st = mote_session_output(s, 0, &y);
    if (st == MOTE_OK) {
        int64_t n = mote_tensor_numel(&y);
        if (y.dtype != MOTE_F32 || n < 1 || n > MAX_OUT) st = MOTE_ERR_SHAPE;
        else {
            memcpy(out, y.data, sizeof(float) * (size_t)n);
            *n_out = n;
        }
    }
    mote_session_free(s);
    return st;
}

static float inputs[N_MLP + 1][28 * 28];

static void mlp_case(model_case *c, int i)
{
    const mlp_spec *p = &specs[i];
    c->what = "mlp";
    ck_assert_mote_ok(mote_model_from_graph(mlp_graph(p->layers, p->width, p->batch, p->seed), &c->m));
    mote_test_fill(inputs[i], (int64_t)p->batch * p->width, 100 + (uint32_t)i, -1, 1);
    c->in = (mote_tensor){.dtype = MOTE_F32, .ndim = 2, .dims = {p->batch, p->width}, .data = inputs[i]};
    ck_assert_mote_ok(run_once(c->m, &c->in, 1, c->ref, &c->n_out));
}

/* The bundled Fashion-MNIST model: convolutions, pooling, a reshape and a
 * dense head, many more buffers than the MLPs. */
static void fashion_case(model_case *c)
{
    c->what = "fashion";
    ck_assert_mote_ok(mote_model_open(mote_test_src_path("models/fashion/fashion.mote"), &c->m));
    mote_test_fill(inputs[N_MLP], 28 * 28, 7, 0, 1);
    c->in = (mote_tensor){.dtype = MOTE_F32, .ndim = 4, .dims = {1, 1, 28, 28}, .data = inputs[N_MLP]};
    ck_assert_mote_ok(run_once(c->m, &c->in, 1, c->ref, &c->n_out));
}

static int rounds(int dflt)
{
    const char *e = getenv("MOTE_CONCURRENCY_ROUNDS");
    int r = e && *e ? atoi(e) : dflt;
    return r > 0 ? r : dflt;
}

/* ---------------------------------------------- shared models, many threads */

typedef struct {
    model_case *cases;
    int n_cases;
    int rounds;
    pthread_barrier_t *start;
    atomic_int failures;
    char why[256];
    pthread_mutex_t mu;
} shared_ctx;

typedef struct { shared_ctx *c; int id; } worker_arg;

static void note_failure(shared_ctx *c, const char *what, int id, mote_status st)
{
    if (atomic_fetch_add(&c->failures, 1) == 0) {
        pthread_mutex_lock(&c->mu);
        snprintf(c->why, sizeof c->why, "thread %d, %s: %s (%s)", id, what, mote_status_name(st),
                 st == MOTE_OK ? "output differs from the single-threaded reference" : mote_last_error());
        pthread_mutex_unlock(&c->mu);
    }
}

static void *shared_worker(void *arg)
{
    worker_arg *a = arg;
    shared_ctx *c = a->c;
    pthread_barrier_wait(c->start);
    for (int r = 0; r < c->rounds; r++) {
        /* Each thread walks the models in its own order, so different
         * models are being prepared at the same moment. */
        const model_case *mc = &c->cases[(a->id * 3 + r) % c->n_cases];
        float out[MAX_OUT];
        int64_t n = 0;
        /* Even threads run one-thread sessions, odd ones two-thread
         * sessions: their worker pools run at the same time too. */
        mote_status st = run_once(mc->m, &mc->in, 1 + (a->id & 1), out, &n);
        if (st != MOTE_OK || n != mc->n_out || memcmp(out, mc->ref, sizeof(float) * (size_t)n) != 0) {
            note_failure(c, mc->what, a->id, st);
            break;
        }
    }
    return NULL;
}

START_TEST(test_sessions_of_different_models_made_and_run_at_once)
{
    model_case cases[N_MLP + 1];
    memset(cases, 0, sizeof cases);
    for (int i = 0; i < N_MLP; i++) mlp_case(&cases[i], i);
    fashion_case(&cases[N_MLP]);
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    shared_ctx c = {.cases = cases, .n_cases = N_MLP + 1, .rounds = rounds(150), .start = &start};
    pthread_mutex_init(&c.mu, NULL);
    pthread_t th[N_THREADS];
    worker_arg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (worker_arg){&c, i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, shared_worker, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_mutex_destroy(&c.mu);
    ck_assert_msg(atomic_load(&c.failures) == 0, "%d failures; first: %s", atomic_load(&c.failures), c.why);
    for (int i = 0; i <= N_MLP; i++) mote_model_close(cases[i].m);
}
END_TEST

/* ------------------------------------- each thread builds and opens its own */

/* A thread builds an MLP, saves it, opens the file and runs it, while the
 * others do the same with other sizes: the builder, the writer, the reader
 * and session creation all run concurrently on unrelated objects. The
 * reference comes from the in-memory model the thread built. */
static void *own_model_worker(void *arg)
{
    worker_arg *a = arg;
    shared_ctx *c = a->c;
    pthread_barrier_wait(c->start);
    for (int r = 0; r < c->rounds; r++) {
        const mlp_spec *p = &specs[(a->id + r) % N_MLP];
        float x[64], ref[MAX_OUT], out[MAX_OUT];
        int64_t n_ref = 0, n = 0;
        mote_test_fill(x, (int64_t)p->batch * p->width, (uint32_t)(a->id * 1000 + r), -1, 1);
        mote_tensor in = {.dtype = MOTE_F32, .ndim = 2, .dims = {p->batch, p->width}, .data = x};
        char path[512];
        snprintf(path, sizeof path, "%s/t%d.mote", mote_test_tmpdir(), a->id);
        mote_model *built = NULL, *opened = NULL;
        mote_graph *g = mlp_graph(p->layers, p->width, p->batch, p->seed + (uint32_t)r);
        mote_status st = g ? mote_graph_save(g, path) : MOTE_ERR_NOMEM;
        if (st == MOTE_OK) st = mote_model_from_graph(g, &built);
        else mote_graph_free(g);
        if (st == MOTE_OK) st = mote_model_open(path, &opened);
        if (st == MOTE_OK) st = run_once(built, &in, 1, ref, &n_ref);
        if (st == MOTE_OK) st = run_once(opened, &in, 1 + (a->id & 1), out, &n);
        mote_model_close(built);
        mote_model_close(opened);
        if (st != MOTE_OK || n != n_ref || memcmp(out, ref, sizeof(float) * (size_t)n) != 0) {
            note_failure(c, "own model", a->id, st);
            break;
        }
    }
    return NULL;
}

START_TEST(test_threads_build_save_open_and_run_their_own_models)
{
    mote_test_tmpdir();        /* made once, before the threads */
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    shared_ctx c = {.rounds = rounds(150) / 2 + 1, .start = &start};
    pthread_mutex_init(&c.mu, NULL);
    pthread_t th[N_THREADS];
    worker_arg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (worker_arg){&c, i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, own_model_worker, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_mutex_destroy(&c.mu);
    ck_assert_msg(atomic_load(&c.failures) == 0, "%d failures; first: %s", atomic_load(&c.failures), c.why);
}
END_TEST

/* Error messages are per thread: a failure on one thread never shows up in
 * mote_last_error() of another, even while both fail at once. */
static void *error_worker(void *arg)
{
    worker_arg *a = arg;
    shared_ctx *c = a->c;
    pthread_barrier_wait(c->start);
    char bad[64];
    snprintf(bad, sizeof bad, "no-such-dir-%d/model.mote", a->id);
    for (int r = 0; r < c->rounds * 10; r++) {
        mote_model *m = NULL;
        mote_status st = mote_model_open(bad, &m);
        if (st != MOTE_ERR_IO || !strstr(mote_last_error(), bad)) {
            note_failure(c, "error message", a->id, st);
            break;
        }
    }
    return NULL;
}

START_TEST(test_error_messages_stay_on_their_thread)
{
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    shared_ctx c = {.rounds = rounds(150), .start = &start};
    pthread_mutex_init(&c.mu, NULL);
    pthread_t th[N_THREADS];
    worker_arg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (worker_arg){&c, i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, error_worker, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_mutex_destroy(&c.mu);
    ck_assert_msg(atomic_load(&c.failures) == 0, "%d failures; first: %s", atomic_load(&c.failures), c.why);
}
END_TEST

static Suite *concurrency_suite(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 600);
    /* First: in a process where nothing has used mote yet (CK_FORK=no
     * runs the tests in order in one process), so that one-time set-up
     * (CPU detection, tables, topology) happens on several threads at once. */
    tcase_add_test(tc, test_threads_build_save_open_and_run_their_own_models);
    tcase_add_test(tc, test_sessions_of_different_models_made_and_run_at_once);
    tcase_add_test(tc, test_error_messages_stay_on_their_thread);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return mote_test_run(concurrency_suite());
}
