/*
 * bench/opencl.c — SGEMM speed on an OpenCL device: mote's tiled kernel
 * (arch/opencl/gemm.cl) beside CLBlast (the tuned OpenCL BLAS, when the
 * build found it) on the same device, queue and buffers, in the same run,
 * and beside mote's CPU GEMM (a one-node MatMul session, the weight packed
 * once, as a model runs it) on this machine's cores.
 *
 * For each shape C (M x N) = A (M x K) B (K x N), row-major, every
 * contender is timed alternately (round-robin, so that machine noise hits
 * all of them alike) over n_rounds rounds; a round times enough calls to
 * last at least 50 ms, ending with clFinish. It reports the median GFLOP/s
 * and the spread (min..max over rounds), checks mote's device result
 * against CLBlast's (or the CPU's), and writes a markdown table.
 *
 * Then model latency (bench/model_graphs.c: ResNet-18, MobileNetV2, a
 * BERT layer; batch 1, random weights): one session placed on the device
 * and one on the CPU (mote's best table, all cores), run alternately
 * after a warm-up; the median and spread in ms, and how many steps the
 * device ran.
 *
 * Usage: bench/opencl [--quick] [--no-gemm] [--no-models] [--out DIR] [--shape MxNxK]
 *   --shape      only this shape (repeatable; the table's shapes otherwise)
 *   MOTE_DEVICE=opencl:P:D picks the device (default: first GPU, else first).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mote.h"
#include "model_graphs.h"
#include "runtime/device.h"
#include "runtime/session.h"
#include "runtime/opencl/opencl.h"
#ifdef MOTE_HAVE_CLBLAST
#include <clblast_c.h>
#endif

typedef struct shape {
    int64_t M, N, K;
    const char *what;
} shape;

static const shape shapes[] = {
    {256, 256, 256, "square"},
    {512, 512, 512, "square"},
    {1024, 1024, 1024, "square"},
    {512, 3072, 768, "BERT FFN up (512 tokens)"},
    {512, 768, 3072, "BERT FFN down (512 tokens)"},
    {128, 768, 768, "BERT projection (128 tokens)"},
    {196, 256, 2304, "ResNet 3x3 conv as GEMM (14x14)"},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { MOTE_CL, CLBLAST, MOTE_CPU, N_CONTENDERS };
static const char *const names[N_CONTENDERS] = {"mote OpenCL", "CLBlast", "mote CPU"};

typedef struct ctx {
    mote_cl *cl;
    const shape *s;
    mote_cl_mem A, B, C, C2;
    mote_session *cpu;
    mote_tensor cpu_in;
} ctx;

/* one call of contender c; false if it failed */
static bool run_once(ctx *x, int c)
{
    const shape *s = x->s;
    if (c == MOTE_CL) {
        mote_cl_gemm_args g = {s->M, s->N, s->K, x->A, s->K, 0, x->B, s->N, 0, x->C, s->N,
                               1.0f, 0.0f, {NULL, 0}, 0, {MOTE_ACT_NONE, 0, 0}};
        return mote_cl_gemm(x->cl, &g) == MOTE_OK;
    }
#ifdef MOTE_HAVE_CLBLAST
    if (c == CLBLAST) {
        cl_command_queue q = mote_cl_queue(x->cl);
        return CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                            (size_t)s->M, (size_t)s->N, (size_t)s->K, 1.0f, x->A.mem, 0, (size_t)s->K,
                            x->B.mem, 0, (size_t)s->N, 0.0f, x->C2.mem, 0, (size_t)s->N, &q,
                            NULL) == CLBlastSuccess;
    }
#endif
    if (c == MOTE_CPU) return mote_session_run(x->cpu, &x->cpu_in, 1) == MOTE_OK;
    return false;
}

/* seconds per call over a round of at least 50 ms */
static double round_time(ctx *x, int c)
{
    int reps = 0;
    double t0 = now_s(), t;
    do {
        if (!run_once(x, c)) return -1;
        reps++;
        if (c != MOTE_CPU) mote_cl_finish(x->cl);
        t = now_s() - t0;
    } while (t < 0.05);
    return t / reps;
}

static mote_session *cpu_matmul(const shape *s, const float *B)
{
    mote_graph *g = mote_graph_new();
    int64_t da[2] = {s->M, s->K}, db[2] = {s->K, s->N};
    int a = mote_graph_input(g, "a", MOTE_F32, 2, da);
    int b = mote_graph_weight(g, "b", MOTE_F32, 2, db, B);
    int in[2] = {a, b}, out;
    mote_graph_node(g, "MatMul", "mm", 2, in, 1, NULL, &out);
    mote_graph_output(g, out);
    mote_model *m;
    mote_session *sess = NULL;
    if (mote_model_from_graph(g, &m) != MOTE_OK) return NULL;
    if (mote_session_new(m, NULL, &sess) != MOTE_OK) return NULL;
    return sess;   /* the model lives as long as the program */
}

/* ------------------------------------------------------- model latency */

typedef struct bench_model {
    const char *name;
    void (*build)(net *);
    int ndim;
    int64_t dims[4];     /* the input */
} bench_model;
static const bench_model bench_models[] = {
    {"ResNet-18 224x224", build_resnet18, 4, {1, 3, 224, 224}},
    {"MobileNetV2 224x224", build_mobilenetv2, 4, {1, 3, 224, 224}},
    {"BERT layer s128 h768", build_bert_layer, 3, {1, 128, 768}},
};

static double session_time(mote_session *s, const mote_tensor *in)
{
    double t0 = now_s();
    if (mote_session_run(s, in, 1) != MOTE_OK) return -1;
    return now_s() - t0;
}

/* Each model on the device and on the CPU (mote's best table, all cores),
 * alternating runs after a warm-up; one line per model. */
static void model_latency(int n_rounds, FILE *md)
{
    printf("\n%-24s %10s %28s %28s %8s %10s\n", "model", "GFLOP", "OpenCL device ms", "CPU ms", "dev/CPU",
           "dev steps");
    if (md)
        fprintf(md, "\n## Model latency: the OpenCL device vs mote's CPU\n\n"
                    "Median ms over %d alternating runs (min..max); batch 1, random weights "
                    "(bench/model_graphs.c). Steps: how many ran on the device, of all.\n\n"
                    "| model | GFLOP | OpenCL device ms | CPU ms | device / CPU | device steps |\n"
                    "|---|---|---|---|---|---|\n", n_rounds);
    for (size_t i = 0; i < sizeof bench_models / sizeof *bench_models; i++) {
        net m = {mote_graph_new(), 0, 12345u, 0};
        bench_models[i].build(&m);
        mote_model *model;
        if (mote_model_from_graph(m.g, &model) != MOTE_OK) {
            fprintf(stderr, "bench/opencl: %s: %s\n", bench_models[i].name, mote_last_error());
            continue;
        }
        mote_session_options o;
        mote_session_options_init(&o);
        mote_session *s[2] = {NULL, NULL};
        o.device = "opencl";
        mote_status st = mote_session_new(model, &o, &s[0]);
        o.device = "cpu";
        if (st == MOTE_OK) st = mote_session_new(model, &o, &s[1]);
        if (st != MOTE_OK) {
            fprintf(stderr, "bench/opencl: %s: %s\n", bench_models[i].name, mote_last_error());
            mote_session_free(s[0]);
            mote_model_close(model);
            continue;
        }
        mote_tensor in = {.dtype = MOTE_F32, .ndim = bench_models[i].ndim};
        for (int d = 0; d < in.ndim; d++) in.dims[d] = bench_models[i].dims[d];
        size_t n = (size_t)mote_tensor_numel(&in);
        float *x = malloc(n * sizeof *x);
        unsigned seed = 7;
        for (size_t j = 0; j < n; j++) x[j] = frand(&seed);
        in.data = x;
        double t[2][16];
        bool ok = true;
        for (int c = 0; c < 2; c++) ok &= session_time(s[c], &in) >= 0;   /* warm-up */
        for (int r = 0; r < n_rounds && ok; r++)
            for (int c = 0; c < 2; c++) ok &= (t[c][r] = session_time(s[c], &in)) >= 0;
        mote_device_stats ds = mote_session_device_stats(s[0]);
        if (!ok) {
            fprintf(stderr, "bench/opencl: %s: %s\n", bench_models[i].name, mote_last_error());
        } else {
            char cell[2][64];
            double med[2];
            for (int c = 0; c < 2; c++) {
                qsort(t[c], (size_t)n_rounds, sizeof(double), cmp_double);
                med[c] = t[c][n_rounds / 2] * 1e3;
                snprintf(cell[c], sizeof cell[c], "%.1f [%.1f..%.1f]", med[c], t[c][0] * 1e3,
                         t[c][n_rounds - 1] * 1e3);
            }
            char steps[32];
            snprintf(steps, sizeof steps, "%d/%d", ds.n_device_steps, s[0]->n_steps);
            printf("%-24s %10.2f %28s %28s %7.2fx %10s\n", bench_models[i].name, m.flops * 1e-9, cell[0],
                   cell[1], med[0] / med[1], steps);
            fflush(stdout);
            if (md)
                fprintf(md, "| %s | %.2f | %s | %s | %.2fx | %s |\n", bench_models[i].name, m.flops * 1e-9,
                        cell[0], cell[1], med[0] / med[1], steps);
        }
        free(x);
        mote_session_free(s[0]);
        mote_session_free(s[1]);
        mote_model_close(model);
    }
}

int main(int argc, char **argv)
{
    int n_rounds = 7;
    const char *out_dir = "bench/results";
    shape own[8];
    int n_own = 0;
    bool with_models = true, with_gemm = true;
    for (int i = 1; i < argc; i++) {
        long long m, n, k;
        if (strcmp(argv[i], "--quick") == 0) n_rounds = 3;
        else if (strcmp(argv[i], "--no-models") == 0) with_models = false;
        else if (strcmp(argv[i], "--no-gemm") == 0) with_gemm = false;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out_dir = argv[++i];
        else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc && n_own < 8 &&
                 sscanf(argv[++i], "%lldx%lldx%lld", &m, &n, &k) == 3 && m > 0 && n > 0 && k > 0)
            own[n_own++] = (shape){m, n, k, "given"};
        else {
            fprintf(stderr, "usage: bench/opencl [--quick] [--no-gemm] [--no-models] [--out DIR] [--shape MxNxK]...\n");
            return 2;
        }
    }
    const shape *list = n_own ? own : shapes;
    size_t n_list = n_own ? (size_t)n_own : sizeof shapes / sizeof *shapes;
    mote_device_choice dc;
    mote_cl *cl;
    if (mote_device_parse(NULL, &dc) != MOTE_OK ||
        mote_cl_open(dc.kind == MOTE_DEVICE_OPENCL ? dc.platform : -1,
                     dc.kind == MOTE_DEVICE_OPENCL ? dc.device : -1, &cl) != MOTE_OK) {
        fprintf(stderr, "bench/opencl: %s\n", mote_last_error());
        return 1;
    }
    const mote_cl_desc *d = mote_cl_describe(cl);
    const char *tsrc;
    mote_cl_gemm_tile t = mote_cl_tile(cl, &tsrc);
    double peak = 0;
    mote_cl_probe_peak(cl, &peak);
    char tile[96];
    if (t.dm > 0)
        snprintf(tile, sizeof tile, "direct kernel, %dx8 outputs per work-item", t.dm);
    else
        snprintf(tile, sizeof tile, "tiled kernel, %dx%dx%d tiles, %dx%d per work-item", t.tsm, t.tsn,
                 t.tsk, t.wptm, t.wptn);
    char head[1024];
    snprintf(head, sizeof head,
             "device: %s (%s, driver %s), %u compute units; FMA-loop peak %.1f GFLOP/s\n"
             "mote GEMM: %s (%s); CPU: mote's best kernel table, "
             "all physical cores\n", d->name, d->platform_name, d->driver, d->compute_units, peak,
             tile, tsrc);
    printf("%s", head);
    char path[512];
    mkdir(out_dir, 0755);
    snprintf(path, sizeof path, "%s/opencl.md", out_dir);
    FILE *md = fopen(path, "w");
    if (md) {
        fprintf(md, "# SGEMM on an OpenCL device: mote vs CLBlast vs mote's CPU GEMM\n\n"
                "Written by `bench/opencl` (median GFLOP/s over %d alternating rounds, "
                "min..max in brackets).\n\n", n_rounds);
        for (char *p = head; *p; p++) fputc(*p, md);
        fprintf(md, "\n| M x N x K | shape | mote OpenCL | CLBlast | mote / CLBlast | mote CPU | max rel. diff |\n"
                    "|---|---|---|---|---|---|---|\n");
    }
    printf("%-16s %-32s %22s %22s %8s %22s\n", "MxNxK", "shape", names[0], names[1], "ratio", names[2]);
    for (size_t si = 0; with_gemm && si < n_list; si++) {
        const shape *s = &list[si];
        ctx x = {.cl = cl, .s = s};
        size_t na = (size_t)(s->M * s->K), nb = (size_t)(s->K * s->N), nc = (size_t)(s->M * s->N);
        float *A = malloc(na * 4), *B = malloc(nb * 4), *C = malloc(nc * 4), *C2 = malloc(nc * 4);
        unsigned seed = 1;
        for (size_t i = 0; i < na; i++) A[i] = (float)((seed = seed * 1103515245u + 12345u) >> 9) / 8388608.0f - 1.0f;
        for (size_t i = 0; i < nb; i++) B[i] = (float)((seed = seed * 1103515245u + 12345u) >> 9) / 8388608.0f - 1.0f;
        cl_mem ma, mb, mc, mc2;
        if (mote_cl_alloc(cl, na * 4, &ma) || mote_cl_alloc(cl, nb * 4, &mb) ||
            mote_cl_alloc(cl, nc * 4, &mc) || mote_cl_alloc(cl, nc * 4, &mc2)) {
            fprintf(stderr, "bench/opencl: %s\n", mote_last_error());
            return 1;
        }
        x.A = (mote_cl_mem){ma, 0};
        x.B = (mote_cl_mem){mb, 0};
        x.C = (mote_cl_mem){mc, 0};
        x.C2 = (mote_cl_mem){mc2, 0};
        mote_cl_write(cl, x.A, A, na * 4);
        mote_cl_write(cl, x.B, B, nb * 4);
        x.cpu = cpu_matmul(s, B);
        x.cpu_in = (mote_tensor){.dtype = MOTE_F32, .ndim = 2, .dims = {s->M, s->K}, .data = A};
        bool have[N_CONTENDERS];
        double times[N_CONTENDERS][16];
        for (int c = 0; c < N_CONTENDERS; c++) have[c] = run_once(&x, c);   /* warm-up, kernel builds */
        mote_cl_finish(cl);
        for (int r = 0; r < n_rounds; r++)
            for (int c = 0; c < N_CONTENDERS; c++)
                if (have[c]) times[c][r] = round_time(&x, c);
        double med[N_CONTENDERS] = {0}, lo[N_CONTENDERS] = {0}, hi[N_CONTENDERS] = {0};
        double flops = 2.0 * (double)s->M * (double)s->N * (double)s->K;
        for (int c = 0; c < N_CONTENDERS; c++) {
            if (!have[c]) continue;
            qsort(times[c], (size_t)n_rounds, sizeof(double), cmp_double);
            med[c] = flops / times[c][n_rounds / 2] * 1e-9;
            lo[c] = flops / times[c][n_rounds - 1] * 1e-9;
            hi[c] = flops / times[c][0] * 1e-9;
        }
        /* mote's device result against CLBlast's, else the CPU session's */
        mote_cl_read(cl, x.C, C, nc * 4);
        float *ref = NULL;
        if (have[CLBLAST]) {
            mote_cl_read(cl, x.C2, C2, nc * 4);
            ref = C2;
        } else if (have[MOTE_CPU]) {
            mote_tensor o;
            mote_session_output(x.cpu, 0, &o);
            ref = o.data;
        }
        double diff = 0;
        for (size_t i = 0; ref && i < nc; i++) {
            double e = fabs((double)C[i] - ref[i]) / (fabs((double)ref[i]) + 1.0);
            if (e > diff) diff = e;
        }
        char cell[N_CONTENDERS][64], dims[48], ratio[16];
        for (int c = 0; c < N_CONTENDERS; c++)
            if (have[c]) snprintf(cell[c], 64, "%.1f [%.1f..%.1f]", med[c], lo[c], hi[c]);
            else snprintf(cell[c], 64, "n/a");
        snprintf(dims, sizeof dims, "%lldx%lldx%lld", (long long)s->M, (long long)s->N, (long long)s->K);
        if (have[CLBLAST] && med[CLBLAST] > 0) snprintf(ratio, sizeof ratio, "%.2fx", med[MOTE_CL] / med[CLBLAST]);
        else snprintf(ratio, sizeof ratio, "n/a");
        printf("%-16s %-32s %22s %22s %8s %22s  diff %.1e\n", dims, s->what, cell[0], cell[1], ratio,
               cell[2], diff);
        fflush(stdout);
        if (md)
            fprintf(md, "| %s | %s | %s | %s | %s | %s | %.1e |\n", dims, s->what, cell[0], cell[1], ratio,
                    cell[2], diff);
        mote_session_free(x.cpu);
        mote_cl_release(ma); mote_cl_release(mb); mote_cl_release(mc); mote_cl_release(mc2);
        free(A); free(B); free(C); free(C2);
    }
    if (with_models) model_latency(n_rounds, md);
    if (md) fclose(md);
    mote_cl_close(cl);
    return 0;
}
