/*
 * graph_scale.c — how load, convert and session creation grow with the
 * number of nodes: a chain of N elementwise nodes (tests/chain_fixture.c)
 * built, imported from ONNX, saved, opened, given a session and run, at
 * N = 50,000 and 200,000 (or the sizes given). Prints each stage's time
 * (median of 3) and the growth factor from the first size to the last;
 * a near-linear stage grows about 4x for 4x the nodes, a quadratic one 16x.
 *   bench/graph_scale [N...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../tests/chain_fixture.h"
#include "onnx/onnx.h"

enum { BUILD, CONVERT, SAVE, OPEN, SESSION, RUN, NSTAGES };
static const char *stage_names[NSTAGES] = {"build", "onnx import", "save", "open", "session", "run"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int measure(int n, double *t)
{
    char path[256];
    snprintf(path, sizeof path, "%s/mote-graph-scale-%d.mote", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    double s = now();
    mote_graph *g = mote_chain_graph(n);
    t[BUILD] = now() - s;
    if (!g) return fprintf(stderr, "build: %s\n", mote_last_error()), -1;
    size_t len;
    uint8_t *onnx = mote_chain_onnx(n, &len);
    mote_graph *og = NULL;
    s = now();
    mote_status st = mote_onnx_import_memory(onnx, len, NULL, NULL, &og);
    t[CONVERT] = now() - s;
    free(onnx);
    mote_graph_free(og);
    if (st) return fprintf(stderr, "onnx import: %s\n", mote_last_error()), -1;
    s = now();
    st = mote_graph_save(g, path);
    t[SAVE] = now() - s;
    mote_graph_free(g);
    if (st) return fprintf(stderr, "save: %s\n", mote_last_error()), -1;
    mote_model *m = NULL;
    s = now();
    st = mote_model_open(path, &m);
    t[OPEN] = now() - s;
    unlink(path);
    if (st) return fprintf(stderr, "open: %s\n", mote_last_error()), -1;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    mote_session *ss = NULL;
    s = now();
    st = mote_session_new(m, &o, &ss);
    t[SESSION] = now() - s;
    if (st) return fprintf(stderr, "session: %s\n", mote_last_error()), -1;
    float x[4] = {1, -2, 3, -4};
    mote_tensor xt = {.dtype = MOTE_F32, .ndim = 2, .dims = {1, 4}, .data = x};
    s = now();
    st = mote_session_run(ss, &xt, 1);
    t[RUN] = now() - s;
    mote_session_free(ss);
    mote_model_close(m);
    if (st) return fprintf(stderr, "run: %s\n", mote_last_error()), -1;
    return 0;
}

int main(int argc, char **argv)
{
    int sizes[8] = {50000, 200000}, ns = 2;
    if (argc > 1) {
        ns = 0;
        for (int i = 1; i < argc && ns < 8; i++) sizes[ns++] = atoi(argv[i]);
    }
    double med[8][NSTAGES];
    printf("%-12s", "nodes");
    for (int k = 0; k < NSTAGES; k++) printf(" %12s", stage_names[k]);
    printf("   (seconds, median of 3)\n");
    for (int i = 0; i < ns; i++) {
        double t[3][NSTAGES];
        for (int r = 0; r < 3; r++)
            if (measure(sizes[i], t[r])) return 1;
        printf("%-12d", sizes[i]);
        for (int k = 0; k < NSTAGES; k++) {
            double v[3] = {t[0][k], t[1][k], t[2][k]};
            qsort(v, 3, sizeof v[0], cmp_double);
            med[i][k] = v[1];
            printf(" %12.4f", v[1]);
        }
        printf("\n");
    }
    if (ns >= 2) {
        printf("growth %d -> %d nodes (x%.1f):", sizes[0], sizes[ns - 1], (double)sizes[ns - 1] / sizes[0]);
        for (int k = 0; k < NSTAGES; k++)
            printf(" %s x%.1f%s", stage_names[k], med[ns - 1][k] / med[0][k], k + 1 < NSTAGES ? "," : "\n");
    }
    return 0;
}
