/*
 * bench/models.c — whole-model latency and peak memory: single conv layers
 * (ResNet 3x3 and MobileNetV2 pointwise shapes), ResNet-18-, MobileNetV2-
 * and BERT-layer-shaped models built with the C graph API (random weights,
 * batch 1), and the bundled Fashion-MNIST model when it is present; 1 and 2
 * threads; the ResNet-18 and MobileNetV2 shapes also quantized to int8
 * (`int8` rows: the graph optimized, then every Conv and Gemm rewritten by
 * src/passes/quantize_int8.c with ranges from one run on the benchmark's
 * own input, as `mote quantize --int8` does with real calibration data).
 * Not a test: it asserts nothing about speed.
 *
 * Each (model, threads) pair runs in a forked child, so the peak resident
 * set (ru_maxrss of that child) belongs to that model alone. Latency: wall
 * time of mote_session_run after 3 warm-up runs, median and spread (min,
 * p10, p90) of at least 30 runs. GFLOP/s counts 2 flops per multiply-add
 * of the Conv and MatMul/Gemm nodes only. The FMA peak is measured by the
 * same register-only loop as bench/gemm.
 *
 * Usage: bench/models [--runs N] [--quick] [--cpu-clock] [--threads T]
 *                     [--only NAME] [--torch SCRIPT] [--fashion FILE]
 *   --only NAME keeps the models whose name contains NAME ("int8": the
 *   quantized ones).
 *   --torch SCRIPT runs SCRIPT (bench/peer_torch.py) with /usr/bin/python3
 *   when both exist and prints its medians beside mote's.
 */
#include "config.h"
#include "bench_cpu.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mote.h"
#include "graph/graph.h"
#include "passes/passes.h"
#include "runtime/cpu.h"
#include "model_graphs.h"
#ifdef MOTE_HAVE_X86
#include "../arch/x86/x86_kernels.h"
#endif

/* ------------------------------------------------------------- building */

/* One Conv layer alone (bias, ReLU). The RGB stems run three ways, named
 * so: one chain over all taps (_conv_algo "im2col_n"), by input channel
 * as GEMMs ("im2col_c") and by input channel in one pass ("chan", what
 * src/ops/conv.c picks for them where the table has its kernel). */
typedef struct conv_shape { const char *name; int64_t C, OC, HW, k, s; } conv_shape;
static const conv_shape conv_shapes[] = {
    {"conv3x3 64->64 56x56", 64, 64, 56, 3, 1},
    {"conv1x1 32->192 56x56 (MBv2 expand)", 32, 192, 56, 1, 1},
    {"conv1x1 144->24 56x56 (MBv2 project)", 144, 24, 56, 1, 1},
    {"conv1x1 96->576 14x14 (MBv2 expand)", 96, 576, 14, 1, 1},
    {"conv1x1 960->160 7x7 (MBv2 project)", 960, 160, 7, 1, 1},
    {"conv1x1 320->1280 7x7 (MBv2 last)", 320, 1280, 7, 1, 1},
    {"conv3x3/2 3->32 224x224 (MBv2 stem, one chain)", 3, 32, 224, 3, 2},
    {"conv3x3/2 3->32 224x224 (MBv2 stem, by channel)", 3, 32, 224, 3, 2},
    {"conv3x3/2 3->32 224x224 (MBv2 stem, one pass)", 3, 32, 224, 3, 2},
    {"conv7x7/2 3->64 224x224 (ResNet stem, one chain)", 3, 64, 224, 7, 2},
    {"conv7x7/2 3->64 224x224 (ResNet stem, by channel)", 3, 64, 224, 7, 2},
    {"conv7x7/2 3->64 224x224 (ResNet stem, one pass)", 3, 64, 224, 7, 2},
};
#define N_CONV (int)(sizeof conv_shapes / sizeof conv_shapes[0])

static void build_conv(net *m, const conv_shape *c)
{
    int64_t H = c->HW, W = c->HW;
    int y = conv(m, image_input(m, c->C, H, W), c->C, c->OC, c->k, c->s, 1, &H, &W);
    const char *algo = strstr(c->name, "one chain")    ? "im2col_n"
                     : strstr(c->name, "by channel") ? "im2col_c"
                     : strstr(c->name, "one pass")   ? "chan"
                                                     : NULL;
    if (algo)
        mote_graph_attr_string(m->g, m->g->values[y].producer, "_conv_algo", algo);
    mote_graph_output(m->g, relu(m, y));
}

/* -------------------------------------------------------------- running */

typedef struct result {
    int ok;
    double med, min, p10, p90;   /* ms */
    double gflops;
    long rss_kb;
    char isa[16];
    char err[200];
} result;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* --cpu-clock: process CPU time instead of wall time (1-thread rows on a
 * shared, loaded machine: what the run costs, not how long it waited) */
static clockid_t clock_id = CLOCK_MONOTONIC;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(clock_id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Quantizes *g to int8 (Conv and Gemm -> QLinearConv), the ranges taken
 * from one run on the random input measure() feeds. */
static mote_status quantize_graph(mote_graph *g)
{
    mote_status st = mote_optimize(g);
    if (st) return st;
    mote_graph *gc = mote_graph_clone(g, true);
    bool *target = calloc((size_t)g->n_nodes, sizeof(bool));
    float *lo = malloc(sizeof(float) * (size_t)g->n_values), *hi = malloc(sizeof(float) * (size_t)g->n_values);
    if (!gc || !target || !lo || !hi) return MOTE_ERR_NOMEM;
    int n0 = gc->n_outputs;
    for (int ni = 0; ni < g->n_nodes; ni++)
        if ((target[ni] = mote_int8_target(g, ni))) {
            mote_graph_output(gc, g->nodes[ni].in[0]);
            mote_graph_output(gc, g->nodes[ni].out[0]);
        }
    mote_model *mc;
    mote_session *s;
    if ((st = mote_model_from_graph(gc, &mc))) return st;
    if ((st = mote_session_new(mc, NULL, &s))) return st;
    mote_tensor in;
    mote_model_input(mc, 0, &in);
    size_t nb = mote_tensor_nbytes(&in);
    in.data = malloc(nb);
    unsigned seed = 7;
    for (size_t j = 0; j < nb / 4; j++) ((float *)in.data)[j] = frand(&seed);
    if ((st = mote_session_run(s, &in, 1))) return st;
    for (int o = n0, ni = 0; ni < g->n_nodes; ni++) {
        if (!target[ni]) continue;
        for (int k = 0; k < 2; k++, o++) {
            int v = k ? g->nodes[ni].out[0] : g->nodes[ni].in[0];
            mote_tensor t;
            mote_session_output(s, o, &t);
            lo[v] = INFINITY;
            hi[v] = -INFINITY;
            for (int64_t e = 0; e < mote_tensor_numel(&t); e++) {
                lo[v] = fminf(lo[v], ((const float *)t.data)[e]);
                hi[v] = fmaxf(hi[v], ((const float *)t.data)[e]);
            }
        }
    }
    int done;
    st = mote_quantize_int8(g, target, lo, hi, &done);
    mote_session_free(s);
    mote_model_close(mc);
    free(in.data);
    free(target);
    free(lo);
    free(hi);
    return st;
}

/* In the child: build (or open) the model, run it, fill *r. */
static void measure(int which, const char *fashion, int threads, int runs, result *r)
{
    mote_model *model = NULL;
    double flops = 0;
    mote_status st;
    if (which < 0) {
        st = mote_model_open(fashion, &model);
    } else {
        net m = {mote_graph_new(), 0, 12345u, 0};
        if (which < N_CONV) build_conv(&m, &conv_shapes[which]);
        else if (which == N_CONV) build_resnet18(&m);
        else if (which == N_CONV + 1 || which == N_CONV + 4) build_mobilenetv2(&m);
        else if (which == N_CONV + 3) build_resnet18(&m);
        else build_bert_layer(&m);
        flops = m.flops;
        st = which >= N_CONV + 3 ? quantize_graph(m.g) : MOTE_OK;
        if (st) { snprintf(r->err, sizeof r->err, "int8: %.180s", mote_last_error()); return; }
        st = mote_model_from_graph(m.g, &model);
    }
    if (st) { snprintf(r->err, sizeof r->err, "model: %.180s", mote_last_error()); return; }
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    mote_session *s;
    if ((st = mote_session_new(model, &o, &s))) {
        snprintf(r->err, sizeof r->err, "session: %.180s", mote_last_error());
        return;
    }
    snprintf(r->isa, sizeof r->isa, "%s", mote_session_isa(s));
    int n_in = mote_model_num_inputs(model);
    mote_tensor in[8];
    for (int i = 0; i < n_in && i < 8; i++) {
        mote_model_input(model, i, &in[i]);
        for (int d = 0; d < in[i].ndim; d++) if (in[i].dims[d] < 0) in[i].dims[d] = 1;
        size_t nb = mote_tensor_nbytes(&in[i]);
        in[i].data = calloc(nb ? nb : 1, 1);
        unsigned seed = 7;
        if (in[i].dtype == MOTE_F32)
            for (size_t j = 0; j < nb / 4; j++) ((float *)in[i].data)[j] = frand(&seed);
    }
    double *t = malloc(sizeof(double) * (size_t)runs);
    for (int i = 0; i < runs + 3; i++) {
        double t0 = now_s();
        if ((st = mote_session_run(s, in, n_in))) {
            snprintf(r->err, sizeof r->err, "run: %.180s", mote_last_error());
            return;
        }
        if (i >= 3) t[i - 3] = (now_s() - t0) * 1e3;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    r->med = t[runs / 2];
    r->min = t[0];
    r->p10 = t[runs / 10];
    r->p90 = t[runs - 1 - runs / 10];
    r->gflops = flops > 0 ? flops / (r->med * 1e-3) * 1e-9 : 0;
    r->ok = 1;
}

static result run_child(int which, const char *fashion, int threads, int runs)
{
    result r;
    memset(&r, 0, sizeof r);
    int fd[2];
    if (pipe(fd)) { snprintf(r.err, sizeof r.err, "pipe failed"); return r; }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        measure(which, fashion, threads, runs, &r);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], &r, sizeof r);
    close(fd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (got != (ssize_t)sizeof r) { memset(&r, 0, sizeof r); snprintf(r.err, sizeof r.err, "child failed"); }
    r.rss_kb = ru.ru_maxrss;
    return r;
}

static double peak_gflops(void)
{
    float (*loop)(int64_t) = NULL;
    int lanes = 0;
#ifdef MOTE_HAVE_X86
    if (mote_cpu_isa_available("avx512")) loop = mote_fma_loop_avx512, lanes = 16;
    else if (mote_cpu_isa_available("avx2")) loop = mote_fma_loop_avx2, lanes = 8;
#endif
    if (!loop) return 0;
    double best = 1e30;
    volatile float sink = 0;
    for (int i = 0; i < 7; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        sink = loop(200000);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        double dt = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
        if (dt < best) best = dt;
    }
    (void)sink;
    return 200000.0 * 24 * lanes * 2 / best * 1e-9;
}

static const char *model_name(int which)
{
    if (which < 0) return "fashion (bundled)";
    if (which < N_CONV) return conv_shapes[which].name;
    if (which == N_CONV) return "ResNet-18 224x224";
    if (which == N_CONV + 1) return "MobileNetV2 224x224";
    if (which == N_CONV + 3) return "ResNet-18 224x224 int8";
    if (which == N_CONV + 4) return "MobileNetV2 224x224 int8";
    return "BERT layer s128 h768";
}

int main(int argc, char **argv)
{
    int runs = 30, quick = 0, only_threads = 0;
    const char *only = NULL;
    const char *torch = NULL, *fashion = "models/fashion/fashion.mote";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--cpu-clock")) clock_id = CLOCK_PROCESS_CPUTIME_ID;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) only_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--torch") && i + 1 < argc) torch = argv[++i];
        else if (!strcmp(argv[i], "--fashion") && i + 1 < argc) fashion = argv[++i];
        else { fprintf(stderr, "usage: %s [--runs N] [--quick] [--cpu-clock] [--threads T] [--only NAME] [--torch SCRIPT] [--fashion FILE]\n", argv[0]); return 2; }
    }
    if (runs < 30 && !quick) runs = 30;
    if (runs < 5) runs = 5;
    double peak = peak_gflops();
    printf("# bench/models on %s: %d runs after 3 warm-ups, %s; FMA peak (1 core, CPU time) %.1f GFLOP/s\n",
           cpu_model(),
           runs, clock_id == CLOCK_MONOTONIC ? "wall clock" : "process CPU time", peak);
    printf("| model | threads | isa | median ms | min | p10 | p90 | GFLOP/s | of peak | peak RSS MiB |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    int have_fashion = access(fashion, R_OK) == 0;
    if (!have_fashion) printf("<!-- %s not found: bundled model skipped -->\n", fashion);
    int last = N_CONV + 4;
    for (int which = have_fashion ? -1 : 0; which <= last; which++) {
        if (quick && which >= 0 && which < N_CONV && which != 0) continue;
        if (only && !strstr(model_name(which), only)) continue;
        for (int threads = 1; threads <= 2; threads++) {
            if (only_threads && threads != only_threads) continue;
            result r = run_child(which, fashion, threads, runs);
            if (!r.ok) { printf("| %s | %d | - | error: %s |\n", model_name(which), threads, r.err); continue; }
            printf("| %s | %d | %s | %.3f | %.3f | %.3f | %.3f | %.1f | %.0f%% | %.1f |\n", model_name(which),
                   threads, r.isa, r.med, r.min, r.p10, r.p90, r.gflops,
                   peak > 0 ? 100.0 * r.gflops / (peak * threads) : 0.0, (double)r.rss_kb / 1024.0);
            fflush(stdout);
        }
    }
    if (torch && access(torch, R_OK) == 0 && access("/usr/bin/python3", X_OK) == 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --runs %d 2>&1", torch, runs);
        FILE *f = popen(cmd, "r");
        if (f) {
            char line[512];
            printf("\n# peer: PyTorch (same shapes, same run)\n");
            while (fgets(line, sizeof line, f)) fputs(line, stdout);
            pclose(f);
        }
    }
    return 0;
}
