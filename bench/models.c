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
#ifdef MOTE_HAVE_X86
#include "../arch/x86/x86_kernels.h"
#endif

/* ------------------------------------------------------------- building */

typedef struct net {
    mote_graph *g;
    double flops;        /* per run: 2 * multiply-adds of Conv / MatMul */
    unsigned seed;
    int n;               /* node counter, for unique names */
} net;

static float frand(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static int weight(net *m, int ndim, const int64_t *dims, float scale)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= dims[i];
    float *d = malloc(sizeof(float) * (size_t)n);
    if (!d) return -1;
    for (int64_t i = 0; i < n; i++) d[i] = frand(&m->seed) * scale;
    char name[32];
    snprintf(name, sizeof name, "w%d", m->n++);
    int id = mote_graph_weight(m->g, name, MOTE_F32, ndim, dims, d);
    free(d);
    return id;
}

static int node(net *m, const char *op, int n_in, const int *in)
{
    char name[32];
    int out;
    snprintf(name, sizeof name, "%s%d", op, m->n++);
    int id = mote_graph_node(m->g, op, name, n_in, in, 1, NULL, &out);
    (void)id;
    return out;
}
static int node_id(net *m, const char *op, int n_in, const int *in, int *out)
{
    char name[32];
    snprintf(name, sizeof name, "%s%d", op, m->n++);
    return mote_graph_node(m->g, op, name, n_in, in, 1, NULL, out);
}

/* Conv (+ bias) on an input of C x H x W; *H, *W become the output size. */
static int conv(net *m, int x, int64_t C, int64_t OC, int64_t k, int64_t s, int64_t group,
                int64_t *H, int64_t *W)
{
    int64_t wd[4] = {OC, C / group, k, k}, bd[1] = {OC};
    int in[3] = {x, weight(m, 4, wd, 2.0f / sqrtf((float)(C / group * k * k))), weight(m, 1, bd, 0.1f)};
    int out;
    int id = node_id(m, "Conv", 3, in, &out);
    int64_t p = k / 2, pads[4] = {p, p, p, p}, st[2] = {s, s}, ks[2] = {k, k};
    mote_graph_attr_ints(m->g, id, "pads", 4, pads);
    mote_graph_attr_ints(m->g, id, "strides", 2, st);
    mote_graph_attr_ints(m->g, id, "kernel_shape", 2, ks);
    mote_graph_attr_int(m->g, id, "group", group);
    *H = (*H + 2 * p - k) / s + 1;
    *W = (*W + 2 * p - k) / s + 1;
    m->flops += 2.0 * (double)OC * (double)(*H * *W) * (double)(C / group * k * k);
    return out;
}
static int relu(net *m, int x) { return node(m, "Relu", 1, &x); }
static int add(net *m, int a, int b) { int in[2] = {a, b}; return node(m, "Add", 2, in); }

/* x (..., K) times a (K, N) weight, plus bias; rows = product of the leading dims */
static int linear(net *m, int x, int64_t rows, int64_t K, int64_t N)
{
    int64_t wd[2] = {K, N}, bd[1] = {N};
    int in[2] = {x, weight(m, 2, wd, 2.0f / sqrtf((float)K))};
    int y = node(m, "MatMul", 2, in);
    m->flops += 2.0 * (double)rows * (double)K * (double)N;
    return add(m, y, weight(m, 1, bd, 0.1f));
}

static int head(net *m, int x, int64_t C)
{
    x = node(m, "GlobalAveragePool", 1, &x);
    int out, id = node_id(m, "Flatten", 1, &x, &out);
    mote_graph_attr_int(m->g, id, "axis", 1);
    return linear(m, out, 1, C, 1000);
}

static int image_input(net *m, int64_t C, int64_t H, int64_t W)
{
    int64_t d[4] = {1, C, H, W};
    return mote_graph_input(m->g, "x", MOTE_F32, 4, d);
}

static void build_resnet18(net *m)
{
    int64_t H = 224, W = 224;
    int x = relu(m, conv(m, image_input(m, 3, H, W), 3, 64, 7, 2, 1, &H, &W));
    int out, id = node_id(m, "MaxPool", 1, &x, &out);
    int64_t ks[2] = {3, 3}, st[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
    mote_graph_attr_ints(m->g, id, "kernel_shape", 2, ks);
    mote_graph_attr_ints(m->g, id, "strides", 2, st);
    mote_graph_attr_ints(m->g, id, "pads", 4, pads);
    x = out;
    H = (H + 2 - 3) / 2 + 1; W = (W + 2 - 3) / 2 + 1;
    int64_t C = 64;
    const int64_t widths[4] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; stage++)
        for (int b = 0; b < 2; b++) {
            int64_t OC = widths[stage], s = (stage > 0 && b == 0) ? 2 : 1;
            int64_t h = H, w = W, h2 = H, w2 = W;
            int y = relu(m, conv(m, x, C, OC, 3, s, 1, &h, &w));
            y = conv(m, y, OC, OC, 3, 1, 1, &h, &w);
            int sc = s != 1 || C != OC ? conv(m, x, C, OC, 1, s, 1, &h2, &w2) : x;
            x = relu(m, add(m, y, sc));
            H = h; W = w; C = OC;
        }
    mote_graph_output(m->g, head(m, x, C));
}

/* MobileNetV2 (width 1.0); ReLU stands in for ReLU6 (same cost). */
static void build_mobilenetv2(net *m)
{
    int64_t H = 224, W = 224;
    int x = relu(m, conv(m, image_input(m, 3, H, W), 3, 32, 3, 2, 1, &H, &W));
    int64_t C = 32;
    const int64_t cfg[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                               {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    for (int i = 0; i < 7; i++)
        for (int r = 0; r < cfg[i][2]; r++) {
            int64_t t = cfg[i][0], OC = cfg[i][1], s = r == 0 ? cfg[i][3] : 1, hid = C * t;
            int y = x;
            if (t != 1) y = relu(m, conv(m, y, C, hid, 1, 1, 1, &H, &W));
            y = relu(m, conv(m, y, hid, hid, 3, s, hid, &H, &W));
            y = conv(m, y, hid, OC, 1, 1, 1, &H, &W);
            x = s == 1 && C == OC ? add(m, y, x) : y;
            C = OC;
        }
    x = relu(m, conv(m, x, C, 1280, 1, 1, 1, &H, &W));
    mote_graph_output(m->g, head(m, x, 1280));
}

static int shape_const(net *m, int n, const int64_t *v)
{
    char name[32];
    int64_t d[1] = {n};
    snprintf(name, sizeof name, "shape%d", m->n++);
    return mote_graph_weight(m->g, name, MOTE_I64, 1, d, v);
}
static int reshape(net *m, int x, int n, const int64_t *v)
{
    int in[2] = {x, shape_const(m, n, v)};
    return node(m, "Reshape", 2, in);
}
static int transpose(net *m, int x, const int64_t *perm)
{
    int out, id = node_id(m, "Transpose", 1, &x, &out);
    mote_graph_attr_ints(m->g, id, "perm", 4, perm);
    return out;
}
static int layernorm(net *m, int x, int64_t n)
{
    int64_t d[1] = {n};
    int in[3] = {x, weight(m, 1, d, 0.2f), weight(m, 1, d, 0.2f)};
    int out, id = node_id(m, "LayerNormalization", 3, in, &out);
    mote_graph_attr_int(m->g, id, "axis", -1);
    return out;
}

/* One BERT-base encoder layer: seq 128, hidden 768, 12 heads, FFN 3072. */
static void build_bert_layer(net *m)
{
    const int64_t S = 128, D = 768, Hh = 12, Dh = 64, F = 3072;
    int64_t xd[3] = {1, S, D};
    int x = mote_graph_input(m->g, "x", MOTE_F32, 3, xd);
    const int64_t split[4] = {1, S, Hh, Dh}, merged[3] = {1, S, D};
    const int64_t bhsd[4] = {0, 2, 1, 3}, bhds[4] = {0, 2, 3, 1};
    int q = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhsd);
    int k = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhds);
    int v = transpose(m, reshape(m, linear(m, x, S, D, D), 4, split), bhsd);
    int in[2] = {q, k};
    int sc = node(m, "MatMul", 2, in);           /* (1, H, S, S) */
    m->flops += 2.0 * Hh * S * S * Dh;
    int64_t one[1] = {1};
    float inv = 0.125f;
    char name[32];
    snprintf(name, sizeof name, "scale%d", m->n++);
    int scale = mote_graph_weight(m->g, name, MOTE_F32, 1, one, &inv);
    int in2[2] = {sc, scale};
    sc = node(m, "Mul", 2, in2);
    int out, id = node_id(m, "Softmax", 1, &sc, &out);
    mote_graph_attr_int(m->g, id, "axis", -1);
    int in3[2] = {out, v};
    int ctx = node(m, "MatMul", 2, in3);          /* (1, H, S, Dh) */
    m->flops += 2.0 * Hh * S * S * Dh;
    ctx = reshape(m, transpose(m, ctx, bhsd), 3, merged);
    int h = layernorm(m, add(m, linear(m, ctx, S, D, D), x), D);
    int f = node(m, "Gelu", 1, (int[]){linear(m, h, S, D, F)});
    int y = layernorm(m, add(m, linear(m, f, S, F, D), h), D);
    mote_graph_output(m->g, y);
}

/* One Conv layer alone (bias, ReLU). The RGB stems run both ways, named
 * so: one chain over all taps (_conv_algo "im2col_n") and by input channel
 * ("im2col_c", what src/ops/conv.c picks for them). */
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
    {"conv7x7/2 3->64 224x224 (ResNet stem, one chain)", 3, 64, 224, 7, 2},
    {"conv7x7/2 3->64 224x224 (ResNet stem, by channel)", 3, 64, 224, 7, 2},
};
#define N_CONV (int)(sizeof conv_shapes / sizeof conv_shapes[0])

static void build_conv(net *m, const conv_shape *c)
{
    int64_t H = c->HW, W = c->HW;
    int y = conv(m, image_input(m, c->C, H, W), c->C, c->OC, c->k, c->s, 1, &H, &W);
    const char *algo = strstr(c->name, "one chain") ? "im2col_n" : strstr(c->name, "by channel") ? "im2col_c" : NULL;
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
