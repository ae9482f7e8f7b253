/*
 * test_reliability.c — misuse, limits, concurrency, endurance and
 * atomic-write tests (issue 7): the API answers misuse with a clear status,
 * absurd sizes are refused with MOTE_ERR_LIMIT before allocation, one model
 * serves 8 threads x 1,000 runs with identical outputs, 100,000 runs keep
 * RSS flat, and a failed write leaves the destination untouched.
 * Not the fuzzers (tests/fuzz/) and not timing (bench/).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mote.h"
#include "format/npy.h"
#include "testutil.h"

/* x f32[1,16] -> MatMul(W[16,8]) -> Add(b[8]) -> Relu -> y f32[1,8]; the
 * batch dimension is open (-1) when open_batch. */
static mote_graph *tiny_graph(int open_batch)
{
    mote_graph *g = mote_graph_new();
    ck_assert_ptr_nonnull(g);
    static float w[16 * 8], b[8];
    mote_test_fill(w, 16 * 8, 1, -0.5f, 0.5f);
    mote_test_fill(b, 8, 2, -0.1f, 0.1f);
    int64_t xd[2] = {open_batch ? -1 : 1, 16}, wd[2] = {16, 8}, bd[1] = {8};
    int x = mote_graph_input(g, "x", MOTE_F32, 2, xd);
    int vw = mote_graph_weight(g, "w", MOTE_F32, 2, wd, w);
    int vb = mote_graph_weight(g, "b", MOTE_F32, 1, bd, b);
    int a[2] = {x, vw}, h1, h2, y;
    ck_assert_int_ge(mote_graph_node(g, "MatMul", "mm", 2, a, 1, NULL, &h1), 0);
    a[0] = h1; a[1] = vb;
    ck_assert_int_ge(mote_graph_node(g, "Add", "add", 2, a, 1, NULL, &h2), 0);
    const char *yn = "y";
    ck_assert_int_ge(mote_graph_node(g, "Relu", "relu", 1, &h2, 1, &yn, &y), 0);
    ck_assert_mote_ok(mote_graph_output(g, y));
    return g;
}

static mote_model *tiny_model(void)
{
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(tiny_graph(0), &m));
    return m;
}

static mote_session *session1(const mote_model *m)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    return s;
}

static float xin[16];
static mote_tensor x_tensor(float *x)
{
    mote_test_fill(x, 16, 9, -1, 1);
    mote_tensor t = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 16}, .data = x};
    return t;
}

/* ------------------------------------------------------------------ misuse */

START_TEST(test_null_handles_give_arg_errors)
{
    mote_model *m = (mote_model *)1;
    ck_assert_int_eq(mote_model_open(NULL, &m), MOTE_ERR_ARG);
    m = (mote_model *)1;
    ck_assert_int_ne(mote_model_open_memory(NULL, 10, &m), MOTE_OK);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(mote_session_new(NULL, NULL, NULL), MOTE_ERR_ARG);
    mote_session *s = NULL;
    ck_assert_int_eq(mote_session_new(NULL, NULL, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(mote_session_run(NULL, NULL, 0), MOTE_ERR_ARG);
    mote_tensor t;
    ck_assert_int_eq(mote_session_output(NULL, 0, &t), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_model_from_graph(NULL, &m), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_graph_save(NULL, "x.mote"), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_npy_write(NULL, NULL), MOTE_ERR_ARG);
    /* Freeing NULL is a no-op. */
    mote_session_free(NULL);
    mote_model_close(NULL);
    mote_graph_free(NULL);
    ck_assert_ptr_null(mote_model_input(NULL, 0, &t));
    ck_assert_ptr_null(mote_model_meta(NULL, "producer"));
}
END_TEST

START_TEST(test_wrong_inputs_and_indices_give_clear_errors)
{
    mote_model *m = tiny_model();
    mote_session *s = session1(m);
    float x[16];
    mote_tensor in = x_tensor(x), out;
    ck_assert_int_eq(mote_session_run(s, &in, 0), MOTE_ERR_ARG);        /* count */
    ck_assert_int_eq(mote_session_run(s, &in, 2), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_run(s, &in, -1), MOTE_ERR_ARG);
    in.dims[1] = 15;
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_ERR_SHAPE);      /* shape */
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "'x'"));
    in.dims[1] = 16;
    in.ndim = 3;
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_ERR_SHAPE);      /* rank */
    in.ndim = 2;
    in.dtype = MOTE_F16;
    ck_assert_int_eq(mote_session_run(s, &in, 1), MOTE_ERR_SHAPE);      /* dtype */
    in.dtype = MOTE_F32;
    ck_assert_int_eq(mote_session_output(s, 1, &out), MOTE_ERR_ARG);    /* index */
    ck_assert_int_eq(mote_session_output(s, -1, &out), MOTE_ERR_ARG);
    ck_assert_int_eq(mote_session_output(s, 0, NULL), MOTE_ERR_ARG);
    ck_assert_ptr_null(mote_model_input(m, 5, &out));
    ck_assert_ptr_null(mote_model_output(m, -1, &out));
    /* After the errors the session still runs correctly. */
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &out));
    ck_assert_int_eq(out.dims[1], 8);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_bad_options_are_refused)
{
    mote_model *m = tiny_model();
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 100000;
    mote_session *s = NULL;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    mote_session_options_init(&o);
    mote_tensor shapes[2] = {{.dtype = MOTE_F32, .ndim = 2, .dims = {1, 16}},
                             {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 16}}};
    o.input_shapes = shapes;
    o.n_input_shapes = 2;      /* the model has one input */
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_ARG);
    ck_assert_ptr_null(s);
    mote_session_options_init(&o);
    o.isa = "no-such-isa";
    ck_assert_int_ne(mote_session_new(m, &o, &s), MOTE_OK);
    ck_assert_ptr_null(s);
    mote_model_close(m);
}
END_TEST

/* MOTE_PIN, when the pin option is left at -1: the documented words
 * (cores, none) and the option's numbers (1, 0) work; anything else is a
 * clear error naming the variable. */
START_TEST(test_env_pin_takes_words_and_numbers)
{
    mote_model *m = tiny_model();
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 2;
    const char *good[] = {"cores", "none", "1", "0", ""};
    float x[16];
    mote_tensor in = x_tensor(x);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        setenv("MOTE_PIN", good[i], 1);
        mote_session *s = NULL;
        mote_status st = mote_session_new(m, &o, &s);
        ck_assert_msg(st == MOTE_OK, "MOTE_PIN='%s': %s", good[i], mote_last_error());
        ck_assert_mote_ok(mote_session_run(s, &in, 1));
        mote_session_free(s);
    }
    const char *bad[] = {"2", "yes", "-1", "core", "0x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("MOTE_PIN", bad[i], 1);
        mote_session *s = (mote_session *)1;
        mote_status st = mote_session_new(m, &o, &s);
        ck_assert_msg(st == MOTE_ERR_ARG, "MOTE_PIN='%s' was accepted", bad[i]);
        ck_assert_ptr_null(s);
        ck_assert_ptr_nonnull(strstr(mote_last_error(), "MOTE_PIN"));
    }
    /* The option wins over the variable. */
    o.pin = 0;
    mote_session *s = NULL;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    mote_session_free(s);
    unsetenv("MOTE_PIN");
    mote_model_close(m);
}
END_TEST

/* ------------------------------------------------------------------ limits */

START_TEST(test_session_over_the_option_budget_is_refused)
{
    mote_model *m = tiny_model();
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.max_bytes = 16;     /* less than the 32-byte output */
    mote_session *s = NULL;
    ck_assert_int_eq(mote_session_new(m, &o, &s), MOTE_ERR_LIMIT);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "memory budget"));
    o.max_bytes = 1 << 20;
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

START_TEST(test_env_budget_applies_when_no_option)
{
    mote_model *m = tiny_model();
    setenv("MOTE_MAX_BYTES", "8", 1);
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    mote_session *s = NULL;
    mote_status st = mote_session_new(m, &o, &s);
    setenv("MOTE_MAX_BYTES", "1M", 1);
    ck_assert_int_eq(st, MOTE_ERR_LIMIT);
    ck_assert_mote_ok(mote_session_new(m, &o, &s));
    unsetenv("MOTE_MAX_BYTES");
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* An open batch dimension set to absurd sizes: the session is refused
 * with MOTE_ERR_LIMIT (over the budget, or an overflowing size), never
 * allocated. */
START_TEST(test_absurd_dimensions_are_refused_at_session_creation)
{
    mote_model *m = NULL;
    ck_assert_mote_ok(mote_model_from_graph(tiny_graph(1), &m));
    const int64_t batches[] = {(int64_t)1 << 40, (int64_t)1 << 58, INT64_MAX / 2};
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++) {
        mote_tensor shape = {.dtype = MOTE_F32, .ndim = 2, .dims = {batches[i], 16}};
        mote_session_options o;
        mote_session_options_init(&o);
        o.threads = 1;
        o.input_shapes = &shape;
        o.n_input_shapes = 1;
        mote_session *s = NULL;
        mote_status st = mote_session_new(m, &o, &s);
        ck_assert_msg(st == MOTE_ERR_LIMIT || st == MOTE_ERR_SHAPE,
                      "batch %lld: %s: %s", (long long)batches[i], mote_status_name(st),
                      mote_last_error());
        ck_assert_ptr_null(s);
    }
    mote_model_close(m);
}
END_TEST

START_TEST(test_truncated_and_garbage_models_are_refused)
{
    mote_graph *g = tiny_graph(0);
    char path[512];
    snprintf(path, sizeof path, "%s/tiny.mote", mote_test_tmpdir());
    ck_assert_mote_ok(mote_graph_save(g, path));
    mote_graph_free(g);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_uint_gt(len, 64);
    for (size_t cut = 0; cut < len; cut += 7) {
        mote_model *m = NULL;
        ck_assert_int_ne(mote_model_open_memory(buf, cut, &m), MOTE_OK);
        ck_assert_ptr_null(m);
    }
    /* Every single-byte flip either opens (a weight byte) or is refused. */
    for (size_t i = 0; i < len; i += 3) {
        buf[i] ^= 0x5a;
        mote_model *m = NULL;
        if (mote_model_open_memory(buf, len, &m) == MOTE_OK) mote_model_close(m);
        buf[i] ^= 0x5a;
    }
}
END_TEST

/* ------------------------------------------------------------- concurrency */

typedef struct {
    const mote_model *m;
    const float *ref;
    int runs;
    atomic_int failures;
} conc_ctx;

static void *conc_worker(void *arg)
{
    conc_ctx *c = arg;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    mote_session *s = NULL;
    if (mote_session_new(c->m, &o, &s) != MOTE_OK) {
        atomic_fetch_add(&c->failures, 1);
        return NULL;
    }
    float x[16];
    mote_tensor in = x_tensor(x), y;
    for (int i = 0; i < c->runs; i++) {
        if (mote_session_run(s, &in, 1) != MOTE_OK || mote_session_output(s, 0, &y) != MOTE_OK ||
            memcmp(y.data, c->ref, 8 * sizeof(float)) != 0) {
            atomic_fetch_add(&c->failures, 1);
            break;
        }
    }
    mote_session_free(s);
    return NULL;
}

/* The documented rule: a model may be shared by any number of threads,
 * each with its own session; outputs equal a single-threaded run. */
START_TEST(test_eight_threads_thousand_runs_each_match_single_thread)
{
    mote_model *m = tiny_model();
    mote_session *s = session1(m);
    mote_tensor in = x_tensor(xin), y;
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    float ref[8];
    memcpy(ref, y.data, sizeof ref);
    mote_session_free(s);
    conc_ctx c = {.m = m, .ref = ref, .runs = 1000};
    pthread_t th[8];
    for (int i = 0; i < 8; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, conc_worker, &c), 0);
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    ck_assert_int_eq(atomic_load(&c.failures), 0);
    mote_model_close(m);
}
END_TEST

/* Sessions are made and freed concurrently too (creation touches the
 * shared model read-only). */
static void *create_worker(void *arg)
{
    conc_ctx *c = arg;
    for (int i = 0; i < 50; i++) {
        conc_ctx one = {.m = c->m, .ref = c->ref, .runs = 2};
        conc_worker(&one);
        if (atomic_load(&one.failures)) atomic_fetch_add(&c->failures, 1);
    }
    return NULL;
}

START_TEST(test_sessions_created_concurrently_agree)
{
    mote_model *m = tiny_model();
    mote_session *s = session1(m);
    mote_tensor in = x_tensor(xin), y;
    ck_assert_mote_ok(mote_session_run(s, &in, 1));
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    float ref[8];
    memcpy(ref, y.data, sizeof ref);
    mote_session_free(s);
    conc_ctx c = {.m = m, .ref = ref};
    pthread_t th[8];
    for (int i = 0; i < 8; i++) ck_assert_int_eq(pthread_create(&th[i], NULL, create_worker, &c), 0);
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    ck_assert_int_eq(atomic_load(&c.failures), 0);
    mote_model_close(m);
}
END_TEST

/* --------------------------------------------------------------- endurance */

static long rss_pages(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long size = 0, rss = -1;
    if (fscanf(f, "%ld %ld", &size, &rss) != 2) rss = -1;
    fclose(f);
    return rss;
}

/* 100,000 runs in one process: RSS after the warm-up must not grow by a
 * megabyte (the runs allocate nothing; a leak of even 16 bytes a run would
 * show as 1.6 MB), and the second half of the runs must not grow it by half
 * a megabyte (a leak grows it steadily; a one-time step does not). Under a
 * memory checker (MOTE_ENDURANCE_RUNS set lower) the loop is shorter.
 * Under an emulator (MOTE_EMULATED set, e.g. qemu-user in CI) the RSS is
 * the emulator's as well, whose code cache steps up by a 2 MiB region when
 * it fills: there only the second half counts. */
START_TEST(test_hundred_thousand_runs_keep_rss_flat)
{
    long runs = 100000;
    const char *env = getenv("MOTE_ENDURANCE_RUNS");
    if (env && atol(env) > 0) runs = atol(env);
    mote_model *m = tiny_model();
    mote_session *s = session1(m);
    mote_tensor in = x_tensor(xin), y;
    for (int i = 0; i < 1000; i++) ck_assert_mote_ok(mote_session_run(s, &in, 1));
    long before = rss_pages();
    if (before < 0) {
        mote_session_free(s);
        mote_model_close(m);
        printf("endurance: /proc/self/statm unavailable, RSS not measured\n");
        return;
    }
    long mid = before;
    for (long i = 0; i < runs; i++) {
        if (mote_session_run(s, &in, 1) != MOTE_OK) ck_abort_msg("run %ld: %s", i, mote_last_error());
        if (i == runs / 2)
            mid = rss_pages();
    }
    ck_assert_mote_ok(mote_session_output(s, 0, &y));
    long after = rss_pages();
    long page = sysconf(_SC_PAGESIZE);
    long growth = (after - before) * page, late = (after - mid) * page;
    printf("endurance: %ld runs, RSS %ld -> %ld -> %ld KiB, growth %ld bytes (%ld in the second half)\n",
           runs, before * page / 1024, mid * page / 1024, after * page / 1024, growth, late);
    ck_assert_msg(late < (1 << 19), "RSS grew by %ld bytes over the last %ld runs", late, runs - runs / 2);
    if (!getenv("MOTE_EMULATED"))
        ck_assert_msg(growth < (1 << 20), "RSS grew by %ld bytes over %ld runs", growth, runs);
    mote_session_free(s);
    mote_model_close(m);
}
END_TEST

/* ------------------------------------------------------------ atomic writes */

static size_t read_all(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) return (size_t)-1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* No "*.tmp.*" left beside a failed write. */
static int temp_files_in(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp\\.' > /dev/null", dir);
    return WEXITSTATUS(system(cmd)) == 0;
}

static char *fresh_dir(const char *name)
{
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", mote_test_tmpdir(), name);
    mkdir(dir, 0700);
    return dir;
}

START_TEST(test_save_into_a_path_under_a_file_fails_cleanly)
{
    char *dir = fresh_dir("under_file");
    char file[600], dest[700];
    snprintf(file, sizeof file, "%s/plain", dir);
    write_text(file, "not a directory");
    snprintf(dest, sizeof dest, "%s/model.mote", file);
    mote_graph *g = tiny_graph(0);
    ck_assert_int_eq(mote_graph_save(g, dest), MOTE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(mote_last_error(), "model.mote"));
    mote_graph_free(g);
    float v[2] = {1, 2};
    mote_tensor t = {.dtype = MOTE_F32, .ndim = 1, .dims = {2}, .data = v};
    snprintf(dest, sizeof dest, "%s/y.npy", file);
    ck_assert_int_eq(mote_npy_write(dest, &t), MOTE_ERR_IO);
    uint8_t buf[64];
    ck_assert_uint_eq(read_all(file, buf, sizeof buf), strlen("not a directory"));
    ck_assert_int_eq(memcmp(buf, "not a directory", 15), 0);
}
END_TEST

/* Writes that fail midway (the file-size limit, RLIMIT_FSIZE, makes
 * write() fail with EFBIG even for root) over existing files: the old bytes
 * stay, no temporary file is left. */
START_TEST(test_failed_writes_leave_the_destination_byte_identical)
{
    char *dir = fresh_dir("keep");
    char dest[700], npy[700];
    snprintf(dest, sizeof dest, "%s/old.mote", dir);
    snprintf(npy, sizeof npy, "%s/old.npy", dir);
    write_text(dest, "previous contents of the model file");
    write_text(npy, "previous contents of the npy file");
    mote_graph *g = tiny_graph(0);
    static float big[1000];
    mote_tensor t = {.dtype = MOTE_F32, .ndim = 1, .dims = {1000}, .data = big};
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 100;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    mote_status st_save = mote_graph_save(g, dest);
    mote_status st_npy = mote_npy_write(npy, &t);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    mote_graph_free(g);
    ck_assert_int_eq(st_save, MOTE_ERR_IO);
    ck_assert_int_eq(st_npy, MOTE_ERR_IO);
    /* bf16 has no .npy type: refused before any file exists. */
    uint16_t h[2] = {0, 0};
    mote_tensor tb = {.dtype = MOTE_BF16, .ndim = 1, .dims = {2}, .data = h};
    ck_assert_int_ne(mote_npy_write(npy, &tb), MOTE_OK);
    uint8_t buf[128];
    size_t n = read_all(dest, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen("previous contents of the model file"));
    ck_assert_int_eq(memcmp(buf, "previous contents of the model file", n), 0);
    n = read_all(npy, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen("previous contents of the npy file"));
    ck_assert_int_eq(memcmp(buf, "previous contents of the npy file", n), 0);
    ck_assert_msg(!temp_files_in(dir), "a temporary file was left in %s", dir);
}
END_TEST

/* A read-only directory (only meaningful when not root: root writes
 * anyway). */
START_TEST(test_write_into_read_only_directory_keeps_old_file)
{
    if (geteuid() == 0) {
        printf("skipped: running as root, a read-only directory is writable\n");
        return;
    }
    char *dir = fresh_dir("ro");
    char dest[700];
    snprintf(dest, sizeof dest, "%s/old.mote", dir);
    write_text(dest, "old");
    chmod(dir, 0500);
    mote_graph *g = tiny_graph(0);
    mote_status st = mote_graph_save(g, dest);
    mote_graph_free(g);
    chmod(dir, 0700);
    ck_assert_int_eq(st, MOTE_ERR_IO);
    uint8_t buf[16];
    ck_assert_uint_eq(read_all(dest, buf, sizeof buf), 3);
    ck_assert_int_eq(memcmp(buf, "old", 3), 0);
}
END_TEST

/* A destination directory that disappears before the write. */
START_TEST(test_write_into_a_removed_directory_fails_cleanly)
{
    char *dir = fresh_dir("gone");
    char dest[700];
    snprintf(dest, sizeof dest, "%s/new.mote", dir);
    ck_assert_int_eq(rmdir(dir), 0);
    mote_graph *g = tiny_graph(0);
    ck_assert_int_eq(mote_graph_save(g, dest), MOTE_ERR_IO);
    mote_graph_free(g);
    ck_assert_int_ne(access(dest, F_OK), 0);
}
END_TEST

/* The CLI writers: a failing `mote convert` / `mote quantize` keeps the
 * old destination; `mote run -o` into a path that is a file fails. */
START_TEST(test_cli_writers_keep_the_destination_on_failure)
{
    const char *bld = getenv("MOTE_BUILDDIR");
    char mote[600];
    snprintf(mote, sizeof mote, "%s/mote", bld ? bld : ".");
    if (access(mote, X_OK) != 0) {
        printf("skipped: no mote tool at %s (built with --disable-cli?)\n", mote);
        return;
    }
    char *dir = fresh_dir("cli");
    char dest[700], bad[700], model[700], cmd[3000];
    snprintf(dest, sizeof dest, "%s/old.mote", dir);
    snprintf(bad, sizeof bad, "%s/bad.onnx", dir);
    snprintf(model, sizeof model, "%s/tiny.mote", dir);
    write_text(dest, "old model bytes");
    write_text(bad, "this is not protobuf \xff\xff\xff\xff");
    mote_graph *g = tiny_graph(0);
    ck_assert_mote_ok(mote_graph_save(g, model));
    mote_graph_free(g);
    /* convert: a bad ONNX file, and a good one whose output write fails
     * (ulimit -f 1: 512 bytes, SIGXFSZ ignored); quantize: not a llama
     * model. */
    char good[700];
    const char *src = getenv("MOTE_SRCDIR");
    snprintf(good, sizeof good, "%s/tests/fuzz/corpus/onnx/conv_pool.onnx", src ? src : ".");
    char cmds[3][3000];
    snprintf(cmds[0], sizeof cmds[0], "'%s' convert '%s' '%s' >/dev/null 2>&1", mote, bad, dest);
    snprintf(cmds[1], sizeof cmds[1],
             "trap '' XFSZ; ulimit -f 1; exec '%s' convert '%s' '%s' >/dev/null 2>&1", mote, good, dest);
    snprintf(cmds[2], sizeof cmds[2], "'%s' quantize '%s' '%s' >/dev/null 2>&1", mote, model, dest);
    for (int i = 0; i < 3; i++) {
        if (i == 1 && access(good, R_OK) != 0) continue;
        int rc = system(cmds[i]);
        ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) != 0, "'%s' should fail", cmds[i]);
        uint8_t buf[64];
        ck_assert_uint_eq(read_all(dest, buf, sizeof buf), strlen("old model bytes"));
        ck_assert_int_eq(memcmp(buf, "old model bytes", 15), 0);
    }
    /* run -o DIR where DIR is a regular file. */
    char npy[700];
    snprintf(npy, sizeof npy, "%s/x.npy", dir);
    float x[16];
    mote_tensor t = x_tensor(x);
    ck_assert_mote_ok(mote_npy_write(npy, &t));
    snprintf(cmd, sizeof cmd, "'%s' run -o '%s' '%s' '%s' >/dev/null 2>&1", mote, dest, model, npy);
    int rc = system(cmd);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) != 0, "'%s' should fail", cmd);
    uint8_t buf[64];
    ck_assert_uint_eq(read_all(dest, buf, sizeof buf), strlen("old model bytes"));
    ck_assert_msg(!temp_files_in(dir), "a temporary file was left in %s", dir);
}
END_TEST

static Suite *reliability_suite(void)
{
    Suite *s = suite_create("reliability");
    TCase *misuse = tcase_create("misuse");
    tcase_add_test(misuse, test_null_handles_give_arg_errors);
    tcase_add_test(misuse, test_wrong_inputs_and_indices_give_clear_errors);
    tcase_add_test(misuse, test_bad_options_are_refused);
    tcase_add_test(misuse, test_env_pin_takes_words_and_numbers);
    suite_add_tcase(s, misuse);
    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_session_over_the_option_budget_is_refused);
    tcase_add_test(limits, test_env_budget_applies_when_no_option);
    tcase_add_test(limits, test_absurd_dimensions_are_refused_at_session_creation);
    tcase_add_test(limits, test_truncated_and_garbage_models_are_refused);
    suite_add_tcase(s, limits);
    TCase *conc = tcase_create("concurrency");
    tcase_set_timeout(conc, 600);
    tcase_add_test(conc, test_eight_threads_thousand_runs_each_match_single_thread);
    tcase_add_test(conc, test_sessions_created_concurrently_agree);
    suite_add_tcase(s, conc);
    TCase *endure = tcase_create("endurance");
    tcase_set_timeout(endure, 900);
    tcase_add_test(endure, test_hundred_thousand_runs_keep_rss_flat);
    suite_add_tcase(s, endure);
    TCase *atomic = tcase_create("atomic_writes");
    tcase_add_test(atomic, test_save_into_a_path_under_a_file_fails_cleanly);
    tcase_add_test(atomic, test_failed_writes_leave_the_destination_byte_identical);
    tcase_add_test(atomic, test_write_into_read_only_directory_keeps_old_file);
    tcase_add_test(atomic, test_write_into_a_removed_directory_fails_cleanly);
    tcase_add_test(atomic, test_cli_writers_keep_the_destination_on_failure);
    suite_add_tcase(s, atomic);
    return s;
}

int main(void)
{
    return mote_test_run(reliability_suite());
}
