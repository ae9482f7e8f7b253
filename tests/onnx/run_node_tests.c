/*
 * run_node_tests.c — the ONNX backend node-test conformance runner.
 *
 * For every directory <data>/<test>/ holding model.onnx and
 * test_data_set_N/ with input_K.pb and output_K.pb (ONNX's own test layout, as shipped
 * by Debian's libonnx-testdata), it converts the model, runs it on each
 * data set and compares with ONNX's backend-runner tolerances
 * (|got - want| <= atol + rtol * |want|, rtol = 1e-3, atol = 1e-7; integer
 * and bool outputs exactly). Integer inputs (shapes, axes, indices) are
 * baked into the graph as weights before the passes run, as a converter
 * with known inputs would do. A test that passes is run once more with
 * allocations counted (glibc, not under a sanitizer, no MOTE_DEVICE but
 * "cpu"): a run that allocates fails it, whatever its output.
 *
 *   run_node_tests [--data DIR] [--extra DIR] [--docs FILE] [--known FILE] [--filter S] [-v]
 *
 * --extra (default $MOTE_SRCDIR/tests/onnx/data) holds more tests in the
 * same layout, written by tests/onnx/make_extra_tests*.py for cases the
 * shipped data lacks; they run after ONNX's own (names test_mote_*).
 *
 * Prints pass/fail/skip per test and per op, and totals. A test is
 * skipped when mote refuses the model as unsupported (op, dtype,
 * attribute). Exit status 1 if a test fails that is not listed under
 * "## Known failures" in the known file (docs/ops.md by default), 77
 * (skip) if the data directory is absent. --docs rewrites that file's
 * table of ops from the results. This is a test program, not library code.
 */
#include "config.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "graph/graph.h"
#include "graph/internal.h"
#include "onnx/onnx.h"
#include "onnx/onnx_proto.h"
#include "passes/passes.h"
#include "runtime/session.h"

#include "../alloc_count.h"

#define RTOL 1e-3
#define ATOL 1e-7
#define MAX_IO 32

enum { PASS, FAIL, SKIP, XFAIL };

typedef struct op_stat {
    char name[64];
    int n[4];
    int64_t min_opset, max_opset;
} op_stat;

static op_stat ops[512];
static int n_ops;
static char **known;  /* "test_name" entries of the known-failures list */
static int n_known;
static int verbose;

static op_stat *op_get(const char *name)
{
    for (int i = 0; i < n_ops; i++)
        if (!strcmp(ops[i].name, name))
            return &ops[i];
    if (n_ops == 512)
        return NULL;
    op_stat *o = &ops[n_ops++];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%.63s", name);
    o->min_opset = INT64_MAX;
    return o;
}

static bool is_known(const char *test)
{
    for (int i = 0; i < n_known; i++)
        if (!strcmp(known[i], test))
            return true;
    return false;
}

/* Reads "- `test_x`: reason" lines after "## Known failures". */
static void load_known(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    bool in = false;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3))
            in = !strncmp(line, "## Known failures", 17);
        char *a, *b;
        if (in && !strncmp(line, "- `", 3) && (a = line + 3) && (b = strchr(a, '`'))) {
            *b = 0;
            known = realloc(known, sizeof *known * (size_t)(n_known + 1));
            known[n_known++] = strdup(a);
        }
    }
    fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static double elem(const mote_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case MOTE_F32: return ((const float *)t->data)[i];
    case MOTE_F16: return mote_f16_to_f32(((const uint16_t *)t->data)[i]);
    case MOTE_BF16: return mote_bf16_to_f32(((const uint16_t *)t->data)[i]);
    case MOTE_I8: return ((const int8_t *)t->data)[i];
    case MOTE_U8: case MOTE_BOOL: return ((const uint8_t *)t->data)[i];
    case MOTE_I32: return ((const int32_t *)t->data)[i];
    case MOTE_I64: return (double)((const int64_t *)t->data)[i];
    }
    return NAN;
}

/* Compares got with want; writes why not into msg. */
static bool same(const mote_tensor *got, const mote_tensor *want, char *msg, size_t len)
{
    char a[128], b[128];
    if (got->dtype != want->dtype || got->ndim != want->ndim ||
        memcmp(got->dims, want->dims, sizeof(int64_t) * (size_t)want->ndim)) {
        snprintf(msg, len, "got %s, want %s", mote_tensor_describe(got, a, sizeof a),
                 mote_tensor_describe(want, b, sizeof b));
        return false;
    }
    bool fl = want->dtype == MOTE_F32 || want->dtype == MOTE_F16 || want->dtype == MOTE_BF16;
    int64_t n = mote_tensor_numel(want);
    for (int64_t i = 0; i < n; i++) {
        double g = elem(got, i), w = elem(want, i);
        bool ok = fl ? ((isnan(g) && isnan(w)) || (g == w) || fabs(g - w) <= ATOL + RTOL * fabs(w))
                     : g == w;
        if (!ok) {
            snprintf(msg, len, "element %lld: got %.9g, want %.9g", (long long)i, g, w);
            return false;
        }
    }
    return true;
}

/* Bakes integer inputs into weights with the data set's values. */
static mote_status bake_inputs(mote_graph *g, const mote_tensor *in, int n_in,
                               bool *baked)
{
    int keep = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        mote_value *v = &g->values[g->inputs[i]];
        /* Integer inputs (shapes, axes, indices) and the float inputs that
         * only parameterize an output shape (Resize/Upsample's scales, roi,
         * sizes) are constants in an exported model; bake them likewise. */
        bool shape_param = strcmp(v->name, "scales") == 0 || strcmp(v->name, "roi") == 0 ||
                           strcmp(v->name, "sizes") == 0;
        baked[i] = i < n_in && (in[i].dtype == MOTE_I64 || in[i].dtype == MOTE_I32 || shape_param);
        if (!baked[i]) {
            g->inputs[keep++] = g->inputs[i];
            continue;
        }
        size_t nb = mote_tensor_nbytes(&in[i]);
        void *d = malloc(nb ? nb : 1);
        if (!d)
            return MOTE_ERR_NOMEM;
        memcpy(d, in[i].data, nb);
        v->kind = MOTE_VAL_WEIGHT;
        v->dtype = in[i].dtype;
        v->ndim = in[i].ndim;
        memcpy(v->dims, in[i].dims, sizeof v->dims);
        v->data = d;
        v->nbytes = nb;
        v->owns_data = true;
    }
    g->n_inputs = keep;
    return MOTE_OK;
}

static int count_files(const char *dir, const char *prefix)
{
    int n = 0;
    char p[4096 + 64];   /* dir (< 4096) + "/output_N.pb" */
    struct stat sb;
    for (;; n++) {
        snprintf(p, sizeof p, "%s/%s_%d.pb", dir, prefix, n);
        if (stat(p, &sb) != 0)
            return n;
    }
}

/* Runs one data set; returns PASS, FAIL or SKIP with a message. */
static int run_set(const char *model, const char *set, char *msg, size_t len)
{
    mote_tensor in[MAX_IO], want[MAX_IO];
    int n_in = count_files(set, "input"), n_out = count_files(set, "output");
    int result = FAIL;
    char p[4096 + 64];
    mote_status st;
    memset(in, 0, sizeof in);
    memset(want, 0, sizeof want);
    if (n_in > MAX_IO || n_out > MAX_IO) {
        snprintf(msg, len, "too many inputs/outputs");
        return SKIP;
    }
    mote_onnx_options o;
    mote_onnx_options_init(&o);
    o.optimize = 0;
    mote_graph *g;
    st = mote_onnx_import(model, &o, &g);
    if (st) {
        snprintf(msg, len, "%s", mote_last_error());
        result = st == MOTE_ERR_UNSUPPORTED ? SKIP : FAIL;
        return result;
    }
    for (int i = 0; i < n_in; i++) {
        snprintf(p, sizeof p, "%s/input_%d.pb", set, i);
        st = mote_onnx_read_tensor_file(p, &in[i], NULL);
        if (st) {
            snprintf(msg, len, "input %d: %s", i, mote_last_error());
            result = st == MOTE_ERR_UNSUPPORTED ? SKIP : FAIL;
            mote_graph_free(g);
            goto out;
        }
    }
    for (int i = 0; i < n_out; i++) {
        snprintf(p, sizeof p, "%s/output_%d.pb", set, i);
        st = mote_onnx_read_tensor_file(p, &want[i], NULL);
        if (st) {
            snprintf(msg, len, "output %d: %s", i, mote_last_error());
            result = st == MOTE_ERR_UNSUPPORTED ? SKIP : FAIL;
            mote_graph_free(g);
            goto out;
        }
    }
    if (g->n_inputs != n_in) {
        snprintf(msg, len, "model has %d inputs, data set %d", g->n_inputs, n_in);
        mote_graph_free(g);
        goto out;
    }
    bool baked[MAX_IO];
    mote_tensor run_in[MAX_IO];
    int n_run = 0;
    if (bake_inputs(g, in, n_in, baked) || mote_optimize(g)) {
        snprintf(msg, len, "optimize: %s", mote_last_error());
        mote_graph_free(g);
        goto out;
    }
    for (int i = 0; i < n_in; i++)
        if (!baked[i])
            run_in[n_run++] = in[i];
    mote_model *m;
    if ((st = mote_model_from_graph(g, &m))) {
        snprintf(msg, len, "%s", mote_last_error());
        result = st == MOTE_ERR_UNSUPPORTED ? SKIP : FAIL;
        goto out;
    }
    mote_session_options so;
    mote_session_options_init(&so);
    so.threads = 1;
    so.pin = 0;
    so.input_shapes = run_in;
    so.n_input_shapes = n_run;
    mote_session *s;
    if ((st = mote_session_new(m, &so, &s))) {
        snprintf(msg, len, "session: %s", mote_last_error());
        result = st == MOTE_ERR_UNSUPPORTED ? SKIP : FAIL;
        mote_model_close(m);
        goto out;
    }
    if ((st = mote_session_run(s, run_in, n_run))) {
        snprintf(msg, len, "run: %s", mote_last_error());
    } else if (mote_model_num_outputs(m) != n_out) {
        snprintf(msg, len, "model has %d outputs, data set %d", mote_model_num_outputs(m), n_out);
    } else {
        result = PASS;
        for (int i = 0; i < n_out && result == PASS; i++) {
            mote_tensor got;
            char why[384];
            if (mote_session_output(s, i, &got) || !same(&got, &want[i], why, sizeof why)) {
                snprintf(msg, len, "output %d: %s", i, why);
                result = FAIL;
            }
        }
#ifdef HAVE_ALLOC_COUNT
        /* a device's runtime allocates for itself, in threads of its own
         * too (tests/test_session.c counts those apart): here only runs
         * with no device in use */
        const char *dev = getenv("MOTE_DEVICE");
        if (result == PASS && (!dev || !*dev || !strcmp(dev, "cpu")) &&
            mote_session_device_stats(s).n_device_steps == 0) {
            alloc_count_start();
            st = mote_session_run(s, run_in, n_run);
            long n = alloc_count_stop();
            if (st || n) {
                snprintf(msg, len, "a second run %s", st ? "failed" : "allocated");
                if (n) {
                    size_t at = strlen(msg);
                    snprintf(msg + at, len - at, " (%ld allocations)", n);
                }
                result = FAIL;
            }
        }
#endif
    }
    mote_session_free(s);
    mote_model_close(m);
out:
    for (int i = 0; i < MAX_IO; i++) {
        free(in[i].data);
        free(want[i].data);
    }
    return result;
}

/* The distinct op types of a model, and its opset. */
static int model_ops(const char *path, char names[][64], int max, int64_t *opset)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    mote_onnx_model m;
    int k = 0;
    if (got == (size_t)n && mote_onnx_parse_model(b, got, &m) == MOTE_OK) {
        *opset = mote_onnx_opset_version(&m, "");
        for (size_t i = 0; i < m.graph.n_nodes; i++) {
            bool seen = false;
            for (int j = 0; j < k; j++)
                seen |= !strcmp(names[j], m.graph.nodes[i].op_type);
            if (!seen && k < max)
                snprintf(names[k++], 64, "%s", m.graph.nodes[i].op_type);
        }
        mote_onnx_model_free(&m);
    }
    free(b);
    return k;
}

static int cmp_op(const void *a, const void *b)
{
    return strcmp(((const op_stat *)a)->name, ((const op_stat *)b)->name);
}

static void write_docs(const char *path, int totals[4])
{
    /* keep the known-failures section as it is */
    char *tail = NULL;
    FILE *f = fopen(path, "r");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        char *all = calloc((size_t)n + 1, 1);
        if (fread(all, 1, (size_t)n, f) == (size_t)n) {
            char *k = strstr(all, "## Known failures");
            if (k)
                tail = strdup(k);
        }
        free(all);
        fclose(f);
    }
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        free(tail);
        return;
    }
    qsort(ops, (size_t)n_ops, sizeof *ops, cmp_op);
    fprintf(f, "# ONNX operators in mote\n\n"
               "Generated by `tests/onnx/run_node_tests --docs docs/ops.md` from ONNX's\n"
               "backend node tests (Debian's libonnx-testdata), then tests/onnx/data/\n"
               "(cases that data lacks, from tests/onnx/make_extra_tests*.py). Tolerance: |got - want| <=\n"
               "1e-7 + 1e-3 |want| (ONNX's backend runner defaults); integers exactly.\n"
               "A test counts for every op its model uses; a skip is a model mote refuses\n"
               "at convert or session time (an op, dtype or attribute it lacks).\n\n"
               "Totals: %d tests passed, %d failed, %d known failures, %d skipped.\n\n"
               "| op | passed | failed | skipped | opsets passed |\n|---|---|---|---|---|\n",
            totals[PASS], totals[FAIL], totals[XFAIL], totals[SKIP]);
    for (int i = 0; i < n_ops; i++) {
        const op_stat *o = &ops[i];
        if (o->n[PASS] + o->n[FAIL] + o->n[XFAIL] == 0)
            continue;   /* unsupported: listed below */
        if (o->n[PASS])
            fprintf(f, "| %s | %d | %d | %d | %lld-%lld |\n", o->name, o->n[PASS],
                    o->n[FAIL] + o->n[XFAIL], o->n[SKIP], (long long)o->min_opset,
                    (long long)o->max_opset);
        else
            fprintf(f, "| %s | 0 | %d | %d | - |\n", o->name, o->n[FAIL] + o->n[XFAIL], o->n[SKIP]);
    }
    fprintf(f, "\nOps seen in the tests that no test passes with (all skipped):\n");
    for (int i = 0; i < n_ops; i++)
        if (ops[i].n[PASS] + ops[i].n[FAIL] + ops[i].n[XFAIL] == 0)
            fprintf(f, "%s%s", ops[i].name, i + 1 < n_ops ? ", " : "");
    fprintf(f, "\n\n%s", tail ? tail : "## Known failures\n\nTests of supported ops that fail, "
            "with the reason (the runner does not count them as failures):\n\n");
    free(tail);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *data = getenv("MOTE_ONNX_TESTDATA");
    const char *docs = NULL, *knownf = NULL, *filter = NULL, *extra = NULL;
    char knownbuf[4096], extrabuf[4096];
    if (!data)
        data = "/usr/share/libonnx-testdata/data/node";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--docs") && i + 1 < argc) docs = argv[++i];
        else if (!strcmp(argv[i], "--extra") && i + 1 < argc) extra = argv[++i];
        else if (!strcmp(argv[i], "--known") && i + 1 < argc) knownf = argv[++i];
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
        else if (!strcmp(argv[i], "-v")) verbose = 1;
        else {
            fprintf(stderr, "usage: %s [--data DIR] [--extra DIR] [--docs FILE] [--known FILE] "
                    "[--filter S] [-v]\n", argv[0]);
            return 2;
        }
    }
    if (!knownf) {
        const char *src = getenv("MOTE_SRCDIR");
        snprintf(knownbuf, sizeof knownbuf, "%s/docs/ops.md", src ? src : ".");
        knownf = docs ? docs : knownbuf;
    }
    if (!extra) {
        const char *src = getenv("MOTE_SRCDIR");
        snprintf(extrabuf, sizeof extrabuf, "%s/tests/onnx/data", src ? src : ".");
        extra = extrabuf;
    }
    load_known(knownf);
    DIR *d = opendir(data);
    if (!d) {
        printf("SKIP: ONNX node test data not found at %s (install libonnx-testdata or set "
               "MOTE_ONNX_TESTDATA)\n", data);
        return 77;
    }
    char **tests = NULL;   /* "<dir>/<test>", ONNX's sorted, then the extra ones */
    int n_tests = 0;
    const char *dirs[2] = {data, extra};
    for (int k = 0; k < 2; k++) {
        if (k && !(d = opendir(dirs[k])))
            break;
        int first = n_tests;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, "test_", 5) || (filter && !strstr(e->d_name, filter)))
                continue;
            tests = realloc(tests, sizeof *tests * (size_t)(n_tests + 1));
            tests[n_tests] = malloc(strlen(dirs[k]) + strlen(e->d_name) + 2);
            sprintf(tests[n_tests++], "%s/%s", dirs[k], e->d_name);
        }
        closedir(d);
        qsort(tests + first, (size_t)(n_tests - first), sizeof *tests, cmp_str);
    }
    int totals[4] = {0};
    for (int t = 0; t < n_tests; t++) {
        char model[4096], set[4096], msg[1024] = "";
        const char *tname = strrchr(tests[t], '/') + 1;
        snprintf(model, sizeof model, "%s/model.onnx", tests[t]);
        int result = PASS, sets = 0;
        for (int k = 0; result == PASS; k++, sets++) {
            struct stat sb;
            snprintf(set, sizeof set, "%s/test_data_set_%d", tests[t], k);
            if (stat(set, &sb) != 0)
                break;
            result = run_set(model, set, msg, sizeof msg);
        }
        if (sets == 0) {
            result = SKIP;
            snprintf(msg, sizeof msg, "no test data sets");
        }
        if (result == FAIL && is_known(tname))
            result = XFAIL;
        totals[result]++;
        char names[64][64];
        int64_t opset = 0;
        int k = model_ops(model, names, 64, &opset);
        for (int i = 0; i < k; i++) {
            op_stat *o = op_get(names[i]);
            if (!o)
                continue;
            o->n[result]++;
            if (result == PASS) {
                if (opset < o->min_opset) o->min_opset = opset;
                if (opset > o->max_opset) o->max_opset = opset;
            }
        }
        static const char *const label[] = {"PASS", "FAIL", "SKIP", "XFAIL"};
        if (result != SKIP || verbose)
            printf("%-5s %s%s%s\n", label[result], tname, *msg ? ": " : "", msg);
        fflush(stdout);
        free(tests[t]);
    }
    free(tests);
    printf("\nper op (pass/fail/skip):\n");
    qsort(ops, (size_t)n_ops, sizeof *ops, cmp_op);
    for (int i = 0; i < n_ops; i++)
        if (ops[i].n[PASS] + ops[i].n[FAIL] + ops[i].n[XFAIL])
            printf("  %-28s %3d %3d %3d\n", ops[i].name, ops[i].n[PASS],
                   ops[i].n[FAIL] + ops[i].n[XFAIL], ops[i].n[SKIP]);
    printf("\ntotal: %d passed, %d failed, %d known failures, %d skipped (of %d)\n",
           totals[PASS], totals[FAIL], totals[XFAIL], totals[SKIP],
           totals[0] + totals[1] + totals[2] + totals[3]);
    if (docs)
        write_docs(docs, totals);
    return totals[FAIL] ? 1 : 0;
}
