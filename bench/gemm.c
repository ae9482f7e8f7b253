/*
 * bench/gemm.c — SGEMM speed of mote's packed GEMM against OpenBLAS and the
 * machine's own FMA peak.
 *
 * For each shape C (M x N) = A (M x K) B (K x N), B a constant packed once
 * (as a session does for weights), it reports GFLOP/s medians of repeated
 * timed runs for mote and OpenBLAS, 1 and 2 threads, each as a fraction of
 * the measured peak and as a ratio to OpenBLAS in the same run (the machine
 * is shared and noisy: only same-run comparisons mean anything).
 * Two threads split rows (tall shapes) or columns as the GEMM plan
 * (src/ops/gemm_plan.c) does; the results do not depend on the split.
 *
 * Writes a markdown table (bench/results/gemm.md) and, when gnuplot is
 * installed, a plot (bench/results/gemm.png). Not a test: it asserts
 * nothing about speed, but it checks mote's result against OpenBLAS.
 *
 * Rounds: each shape runs R rounds (--rounds, default 3), and each round
 * times mote 1T, OpenBLAS 1T, mote 2T, OpenBLAS 2T one after the other, so
 * a burst of load from elsewhere hits both sides of a ratio. The table
 * gives the median over rounds of each GFLOP/s figure and of each
 * per-round ratio, and the spread of the 1T ratio (min-max over rounds).
 *
 * Usage: bench/gemm [--quick] [--cpu-clock] [--rounds R] [--only TEXT]
 *                   [--isa ref|avx2|avx512] [--out DIR]
 *        bench/gemm --peak
 *   --quick      fewer, shorter samples
 *   --peak       only measure and print the FMA peak (one line: the CPU,
 *                the loop, GFLOP/s of one core); the benchmarks against
 *                ONNX Runtime (bench/ort_common.sh) print it beside theirs
 *   --cpu-clock  1-thread rows timed by thread CPU time (a loaded machine)
 *   --only TEXT  only the shapes whose group or MxNxK contains TEXT
 */
#include "config.h"
#include "bench_cpu.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "runtime/cpu.h"
#include "kernels.h"
#ifdef MOTE_HAVE_X86
#include "../arch/x86/x86_kernels.h"
#endif
#ifdef MOTE_HAVE_OPENBLAS
#include <cblas.h>
void openblas_set_num_threads(int);
#endif

/*
 * The peer must run its proper kernels. OpenBLAS picks them from cpuid
 * when it loads; a release that does not know the CPU falls back to old
 * generic ones (Debian's 0.3.21 runs "Prescott", SSE3, on some AVX-512
 * Xeons), which would flatter mote. The core name must be one of the
 * CPU's vector width; if not, the bench re-runs itself with
 * OPENBLAS_CORETYPE naming the right family, and if that does not help
 * either, it prints no ratio. Returns 1 when the ratio is honest.
 */
static int peer_is_honest(char **argv, const char **core)
{
#if defined(MOTE_HAVE_OPENBLAS) && (defined(__x86_64__) || defined(__i386__))
    static const char *const avx512_cores[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};
    static const char *const avx2_cores[] = {"Haswell", "Zen", "SkylakeX", "Cooperlake",
                                             "SapphireRapids", NULL};
    *core = openblas_get_corename();
    __builtin_cpu_init();
    int w512 = __builtin_cpu_supports("avx512f"), w256 = __builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("fma");
    const char *const *ok = w512 ? avx512_cores : w256 ? avx2_cores : NULL;
    if (!ok)
        return 1;
    for (int i = 0; ok[i]; i++)
        if (!strcmp(*core, ok[i]))
            return 1;
    if (!getenv("OPENBLAS_CORETYPE")) {
        fprintf(stderr, "gemm: OpenBLAS chose its '%s' kernels on a CPU with %s; re-running with "
                "OPENBLAS_CORETYPE=%s\n", *core, w512 ? "AVX-512" : "AVX2", w512 ? "SkylakeX" : "Haswell");
        setenv("OPENBLAS_CORETYPE", w512 ? "SkylakeX" : "Haswell", 1);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "gemm: cannot re-run itself: %s\n", strerror(errno));
    }
    return 0;
#else
    (void)argv;
    *core = "none";
    return 1;
#endif
}

typedef struct shape {
    const char *group;
    int64_t M, N, K;
} shape;

static const shape shapes[] = {
    { "square", 64, 64, 64 },       { "square", 128, 128, 128 },
    { "square", 256, 256, 256 },    { "square", 512, 512, 512 },
    { "square", 1024, 1024, 1024 }, { "square", 2048, 2048, 2048 },
    /* transformer layers, batch 1 / 8 / 64 / 128 tokens: B is K x N */
    { "bert", 1, 768, 768 },    { "bert", 1, 3072, 768 },    { "bert", 1, 768, 3072 },
    { "bert", 8, 768, 768 },    { "bert", 8, 3072, 768 },    { "bert", 8, 768, 3072 },
    { "bert", 64, 768, 768 },   { "bert", 64, 3072, 768 },   { "bert", 64, 768, 3072 },
    { "bert", 128, 768, 768 },  { "bert", 128, 3072, 768 },  { "bert", 128, 768, 3072 },
    /* ResNet-18 3x3 convolutions by im2col: M = OH*OW, N = OC, K = C*9 */
    { "resnet18", 3136, 64, 576 }, { "resnet18", 784, 128, 1152 },
    { "resnet18", 196, 256, 2304 }, { "resnet18", 49, 512, 4608 },
    /* MobileNetV2 pointwise (1x1) convolutions: M = H*W, N = OC, K = IC */
    { "mobilenetv2", 3136, 144, 24 }, { "mobilenetv2", 784, 192, 32 },
    { "mobilenetv2", 196, 384, 64 },  { "mobilenetv2", 49, 1280, 320 },
};
#define N_SHAPES ((int)(sizeof shapes / sizeof shapes[0]))

/* Which clock time_samples reads: wall time for GEMM runs (what a user
 * waits), this thread's CPU time for the peak loop (what the core can do,
 * undisturbed by the other processes of a shared machine). */
static clockid_t clock_id = CLOCK_MONOTONIC;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(clock_id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Options, set once in main. cpu_clock: time single-thread runs by this
 * thread's CPU time (robust on a machine shared with other jobs; 2-thread
 * runs stay on wall time). */
static int cpu_clock = 0;
static int n_samples = 7;
static double min_sample_s = 0.02;

/* Median (best: minimum) seconds of one call of fn(ctx), over n_samples
 * samples, each sample repeating the call until it lasts min_sample_s. */
static double time_samples(void (*fn)(void *), void *ctx, int best)
{
    fn(ctx); /* warm caches and pages */
    int reps = 1;
    for (;;) {
        double t0 = now_s();
        for (int r = 0; r < reps; r++) fn(ctx);
        double t = now_s() - t0;
        if (t >= min_sample_s || reps >= (1 << 20)) break;
        reps = t <= 0 ? reps * 16 : (int)(reps * (min_sample_s / t) * 1.2) + 1;
    }
    double s[32];
    for (int i = 0; i < n_samples; i++) {
        double t0 = now_s();
        for (int r = 0; r < reps; r++) fn(ctx);
        s[i] = (now_s() - t0) / reps;
    }
    qsort(s, (size_t)n_samples, sizeof s[0], cmp_double);
    return best ? s[0] : s[n_samples / 2];
}
static double time_median(void (*fn)(void *), void *ctx) { return time_samples(fn, ctx, 0); }

/* ---------------------------------------------------------------- peak */

typedef struct peak_ctx {
    float (*loop)(int64_t);
    int64_t iters;
    volatile float sink;
} peak_ctx;

static void peak_run(void *p)
{
    peak_ctx *c = p;
    c->sink = c->loop(c->iters);
}

/* GFLOP/s of the widest FMA loop this CPU runs, or 0 if none. */
static double measure_peak(const char **what)
{
    peak_ctx c = { NULL, 200000, 0 };
    int lanes = 0;
#ifdef MOTE_HAVE_X86
    if (mote_cpu_isa_available("avx512")) {
        c.loop = mote_fma_loop_avx512;
        lanes = 16;
        *what = "AVX-512 FMA";
    } else if (mote_cpu_isa_available("avx2")) {
        c.loop = mote_fma_loop_avx2;
        lanes = 8;
        *what = "AVX2 FMA";
    }
#endif
    if (!c.loop) {
        *what = "none";
        return 0;
    }
    /* the peak is what the core can do: the best sample of CPU time */
    clock_id = CLOCK_THREAD_CPUTIME_ID;
    double t = time_samples(peak_run, &c, 1);
    clock_id = CLOCK_MONOTONIC;
    return (double)c.iters * 24 * lanes * 2 / t * 1e-9;
}

/* ---------------------------------------------------------------- mote */

typedef struct mote_job {
    const mote_general_kernels *k;
    mote_gemm_packed_args args[2]; /* one per thread */
    int threads;
} mote_job;

/* A helper thread for the 2-thread runs. It spins between calls so that
 * the fork/join costs little, yielding the core after a short spin so an
 * oversubscribed machine still makes progress (a benchmark may burn a
 * core; the library's pool does not). */
typedef struct helper {
    pthread_t th;
    mote_job *job;
    atomic_int go, done, quit;
} helper;
static helper H;

static void *helper_main(void *p)
{
    (void)p;
    int seen = 0;
    for (;;) {
        int g;
        for (int spin = 0; (g = atomic_load_explicit(&H.go, memory_order_acquire)) == seen; spin++) {
            if (atomic_load_explicit(&H.quit, memory_order_relaxed)) return NULL;
            if (spin > 4000) sched_yield();
        }
        seen = g;
        H.job->k->gemm_packed_f32(&H.job->args[1]);
        atomic_fetch_add_explicit(&H.done, 1, memory_order_release);
    }
}

static void mote_run(void *p)
{
    mote_job *j = p;
    if (j->threads == 1) {
        j->k->gemm_packed_f32(&j->args[0]);
        return;
    }
    int d = atomic_load(&H.done);
    H.job = j;
    atomic_fetch_add_explicit(&H.go, 1, memory_order_release);
    j->k->gemm_packed_f32(&j->args[0]);
    for (int spin = 0; atomic_load_explicit(&H.done, memory_order_acquire) == d; spin++)
        if (spin > 4000) sched_yield();
}

#ifdef MOTE_HAVE_OPENBLAS
typedef struct blas_job {
    const shape *s;
    const float *A, *B;
    float *C;
} blas_job;

static void blas_run(void *p)
{
    blas_job *j = p;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)j->s->M, (int)j->s->N,
                (int)j->s->K, 1.0f, j->A, (int)j->s->K, j->B, (int)j->s->N, 0.0f, j->C,
                (int)j->s->N);
}
#endif

#define MAX_ROUNDS 15
static int n_rounds = 3;

typedef struct row {
    double mote1, mote2, blas1, blas2; /* GFLOP/s, medians over rounds; blas 0 if absent */
    double r1, r2;                     /* medians of the per-round ratios mote/OpenBLAS */
    double r1_lo, r1_hi;               /* the 1T ratio's range over rounds */
    double maxdiff;
} row;

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* 64-byte aligned, as a session's arena places every tensor (and the same
 * buffers go to OpenBLAS) */
static float *zero_matrix(int64_t n)
{
    size_t bytes = (sizeof(float) * (size_t)(n ? n : 1) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

static float *rand_matrix(int64_t n, unsigned *seed)
{
    float *p = zero_matrix(n);
    if (!p) return NULL;
    for (int64_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        p[i] = (float)((*seed >> 8) & 0xFFFF) / 65536.0f - 0.5f;
    }
    return p;
}

static int bench_shape(const mote_general_kernels *k, const shape *s, row *out)
{
    unsigned seed = 42;
    float *A = rand_matrix(s->M * s->K, &seed), *B = rand_matrix(s->K * s->N, &seed);
    float *C = zero_matrix(s->M * s->N), *C2 = zero_matrix(s->M * s->N);
    size_t pb = k->gemm_pack_b_bytes(s->K, s->N), sc = k->gemm_scratch_bytes(s->M, s->K);
    void *Bp = aligned_alloc(64, (pb + 63) / 64 * 64);
    void *scr[2] = { aligned_alloc(64, (sc + 63) / 64 * 64), aligned_alloc(64, (sc + 63) / 64 * 64) };
    if (!A || !B || !C || !C2 || !Bp || !scr[0] || !scr[1]) {
        fprintf(stderr, "gemm: out of memory\n");
        return -1;
    }
    k->gemm_pack_b(s->K, s->N, B, s->N, 0, Bp);
    const double flops = 2.0 * (double)s->M * (double)s->N * (double)s->K;

    mote_job j = { .k = k, .threads = 1 };
    mote_gemm_packed_args a = { .M = s->M, .N = s->N, .K = s->K, .A = A, .lda = s->K, .Bp = Bp,
                                .C = C, .ldc = s->N, .act = { MOTE_ACT_NONE, 0, 0 },
                                .m0 = 0, .m1 = s->M, .n0 = 0, .n1 = s->N, .scratch = scr[0] };
    j.args[0] = a;
    mote_job j1 = j;

    /* two threads, split as the GEMM plan (src/ops/gemm_plan.c) does: rows at a
     * multiple of MR when each thread gets a full row block (12 MR), else
     * columns at a multiple of NR (rows if N is one panel) */
    int64_t nr = k->gemm_nr(), mr = k->gemm_mr ? k->gemm_mr() : 1;
    j.threads = 2;
    j.args[1] = a;
    j.args[1].scratch = scr[1];
    if (s->M >= 2 * 12 * mr) {
        int64_t half = (s->M / mr + 1) / 2 * mr;
        j.args[0].m1 = half;
        j.args[1].m0 = half;
    } else if (s->N > nr) {
        int64_t half = (s->N / nr + 1) / 2 * nr;
        j.args[0].n1 = half;
        j.args[1].n0 = half;
    } else {
        j.args[0].m1 = s->M / 2;
        j.args[1].m0 = s->M / 2;
    }
    atomic_store(&H.quit, 0);
    pthread_create(&H.th, NULL, helper_main, NULL);
#ifdef MOTE_HAVE_OPENBLAS
    blas_job bj = { s, A, B, C2 };
#endif
    double m1[MAX_ROUNDS], m2[MAX_ROUNDS], b1[MAX_ROUNDS], b2[MAX_ROUNDS], q1[MAX_ROUNDS], q2[MAX_ROUNDS];
    for (int r = 0; r < n_rounds; r++) {
        if (cpu_clock) clock_id = CLOCK_THREAD_CPUTIME_ID;
        m1[r] = flops / time_median(mote_run, &j1) * 1e-9;
        b1[r] = 0;
#ifdef MOTE_HAVE_OPENBLAS
        openblas_set_num_threads(1);
        b1[r] = flops / time_median(blas_run, &bj) * 1e-9;
#endif
        clock_id = CLOCK_MONOTONIC;
        m2[r] = flops / time_median(mote_run, &j) * 1e-9;
        b2[r] = 0;
#ifdef MOTE_HAVE_OPENBLAS
        openblas_set_num_threads(2);
        b2[r] = flops / time_median(blas_run, &bj) * 1e-9;
#endif
        q1[r] = b1[r] > 0 ? m1[r] / b1[r] : 0;
        q2[r] = b2[r] > 0 ? m2[r] / b2[r] : 0;
    }
    atomic_store(&H.quit, 1);
    pthread_join(H.th, NULL);
    out->r1_lo = out->r1_hi = q1[0];
    for (int r = 1; r < n_rounds; r++) {
        out->r1_lo = q1[r] < out->r1_lo ? q1[r] : out->r1_lo;
        out->r1_hi = q1[r] > out->r1_hi ? q1[r] : out->r1_hi;
    }
    out->mote1 = median_of(m1, n_rounds);
    out->mote2 = median_of(m2, n_rounds);
    out->blas1 = median_of(b1, n_rounds);
    out->blas2 = median_of(b2, n_rounds);
    out->r1 = median_of(q1, n_rounds);
    out->r2 = median_of(q2, n_rounds);
    out->maxdiff = -1;
#ifdef MOTE_HAVE_OPENBLAS
    double md = 0;
    for (int64_t i = 0; i < s->M * s->N; i++) {
        double d = fabs((double)C[i] - (double)C2[i]);
        md = d > md ? d : md;
    }
    out->maxdiff = md;
#endif
    free(A);
    free(B);
    free(C);
    free(C2);
    free(Bp);
    free(scr[0]);
    free(scr[1]);
    return 0;
}

static void write_plot(const char *dir, const row *rows, double peak)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/gemm.dat", dir);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "# size mote1 blas1 mote2 blas2 peak\n");
    for (int i = 0; i < N_SHAPES; i++)
        if (!strcmp(shapes[i].group, "square"))
            fprintf(f, "%lld %.1f %.1f %.1f %.1f %.1f\n", (long long)shapes[i].M, rows[i].mote1,
                    rows[i].blas1, rows[i].mote2, rows[i].blas2, peak);
    fclose(f);
    if (system("command -v gnuplot > /dev/null 2>&1") != 0) return;
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "gnuplot -e \"set terminal png size 800,500; set output '%s/gemm.png'; "
             "set logscale x 2; set xlabel 'M = N = K'; set ylabel 'GFLOP/s'; set key left top; "
             "set title 'SGEMM, square sizes'; "
             "plot '%s/gemm.dat' u 1:2 w lp t 'mote 1T', '' u 1:3 w lp t 'OpenBLAS 1T', "
             "'' u 1:4 w lp t 'mote 2T', '' u 1:5 w lp t 'OpenBLAS 2T', '' u 1:6 w l t 'FMA peak 1 core'\"",
             dir, dir);
    if (system(cmd) != 0) fprintf(stderr, "gemm: gnuplot failed\n");
}

int main(int argc, char **argv)
{
    const char *isa = NULL, *dir = "bench/results", *only = NULL;
    if (argc == 2 && !strcmp(argv[1], "--peak")) {
        const char *what = "none";
        double peak = measure_peak(&what);
        printf("FMA peak on %s: %.1f GFLOP/s (%s, 1 core, best of %d samples of CPU time)\n", cpu_model(), peak,
               what, n_samples);
        return peak > 0 ? 0 : 1;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            n_samples = 3;
            min_sample_s = 0.005;
        } else if (!strcmp(argv[i], "--cpu-clock")) {
            cpu_clock = 1;
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            n_rounds = atoi(argv[++i]);
            if (n_rounds < 1 || n_rounds > MAX_ROUNDS) {
                fprintf(stderr, "gemm: --rounds takes 1 to %d\n", MAX_ROUNDS);
                return 2;
            }
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            isa = argv[++i];
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--quick] [--cpu-clock] [--rounds R] [--only TEXT] "
                    "[--isa ref|avx2|avx512] [--out DIR]\n       %s --peak\n", argv[0], argv[0]);
            return 2;
        }
    }
    const mote_kernels *d;
    if (mote_cpu_kernels(isa, &d) != MOTE_OK || !d->general.gemm_packed_f32) {
        fprintf(stderr, "gemm: no packed GEMM for ISA '%s'\n", isa ? isa : "(best)");
        return 1;
    }
    const char *core = "none";
    int honest = peer_is_honest(argv, &core);
    const char *peak_what = "none";
    double peak = measure_peak(&peak_what);
    printf("mote SGEMM benchmark on %s: table %s, NR %lld; peak (%s, 1 core) %.1f GFLOP/s; "
           "medians of %d samples\n", cpu_model(), d->name, (long long)d->general.gemm_nr(), peak_what, peak,
           n_samples);
    char blk_text[256] = "the reference's";
#ifdef MOTE_HAVE_X86
    const mote_x86_gemm_blocking *blk = NULL;
    if (!strcmp(d->name, "avx512")) blk = MOTE_X86_GEMM512(blocking)();
    else if (!strcmp(d->name, "avx2")) blk = MOTE_X86_GEMM2(blocking)();
    if (blk)
        snprintf(blk_text, sizeof blk_text, "MC %lld, KC %lld, NC %lld, prefetch %lld k steps%s "
                 "(small-M streams %lld); from %s (L1d %ld KiB, L2 %ld KiB, L3 %ld KiB)",
                 (long long)blk->mc, (long long)blk->kc, (long long)blk->nc, (long long)blk->pf,
                 blk->pf_c ? " and C" : "", (long long)blk->pf_stream, blk->source,
                 blk->l1d / 1024, blk->l2 / 1024, blk->l3 / 1024);
#endif
    double load[3] = { 0, 0, 0 };
    if (getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = -1;
    printf("blocking: %s\nload average at start: %.2f %.2f %.2f\n", blk_text, load[0], load[1], load[2]);
    const char *forced = getenv("OPENBLAS_CORETYPE");
    printf("peer: OpenBLAS, core '%s'%s%s%s\n", core, forced ? " (OPENBLAS_CORETYPE=" : "",
           forced ? forced : "", forced ? ")" : "");
    if (!honest)
        printf("peer: OpenBLAS runs kernels narrower than this CPU's: no ratio is printed\n");
    row rows[N_SHAPES];
    mkdir(dir, 0777);
    char path[1024];
    snprintf(path, sizeof path, "%s/gemm.md", dir);
    /* a partial run (--only) does not overwrite the full table */
    FILE *md = only ? NULL : fopen(path, "w");
    FILE *outs[2] = { stdout, md };
    for (int o = 0; o < 2; o++) {
        if (!outs[o]) continue;
        fprintf(outs[o], "\nSGEMM GFLOP/s on %s, table `%s`, FMA peak %.1f GFLOP/s per core (%s).\n"
                         "Blocking: %s.\n"
                         "Load average at start: %.2f %.2f %.2f. %d interleaved rounds per shape, each figure a median of %d samples;\n"
                         "the table gives medians over rounds. %%pk: fraction of peak (2T: of 2 x peak); /OB: median of the\n"
                         "per-round ratios to OpenBLAS (core `%s`), 1T with its min-max range over rounds.\n"
                         "1T rows timed by %s; 2T rows by wall clock.\n\n",
                cpu_model(), d->name, peak, peak_what, blk_text, load[0], load[1], load[2], n_rounds,
                n_samples, core, cpu_clock ? "thread CPU time" : "wall clock");
        fprintf(outs[o], "| shape | M | N | K | mote 1T | %%pk | OpenBLAS 1T | /OB | range | mote 2T | %%pk | OpenBLAS 2T | /OB | 2T/1T |\n"
                         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        fflush(outs[o]);
    }
    for (int i = 0; i < N_SHAPES; i++) {
        const shape *s = &shapes[i];
        memset(&rows[i], 0, sizeof rows[i]);
        if (only) {
            char dims[96];
            snprintf(dims, sizeof dims, "%lldx%lldx%lld", (long long)s->M, (long long)s->N, (long long)s->K);
            if (!strstr(s->group, only) && !strstr(dims, only)) continue;
        }
        if (bench_shape(&d->general, s, &rows[i]) != 0) return 1;
        row *r = &rows[i];
        if (!honest)
            r->blas1 = r->blas2 = r->r1 = r->r2 = r->r1_lo = r->r1_hi = 0;   /* printed as 0: no ratio */
        for (int o = 0; o < 2; o++) {
            if (!outs[o]) continue;
            fprintf(outs[o], "| %s | %lld | %lld | %lld | %.1f | %.0f%% | %.1f | %.2f | %.2f-%.2f | %.1f | %.0f%% | %.1f | %.2f | %.2f |\n",
                    s->group, (long long)s->M, (long long)s->N, (long long)s->K,
                    r->mote1, peak > 0 ? 100 * r->mote1 / peak : 0, r->blas1, r->r1, r->r1_lo, r->r1_hi,
                    r->mote2, peak > 0 ? 100 * r->mote2 / (2 * peak) : 0, r->blas2, r->r2,
                    r->mote2 / r->mote1);
            fflush(outs[o]);
        }
        if (r->maxdiff > 1e-3 * (double)s->K)
            fprintf(stderr, "gemm: %lldx%lldx%lld differs from OpenBLAS by %g\n", (long long)s->M,
                    (long long)s->N, (long long)s->K, r->maxdiff);
    }
    if (getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = -1;
    for (int o = 0; o < 2; o++)
        if (outs[o]) fprintf(outs[o], "\nLoad average at the end: %.2f %.2f %.2f.\n", load[0], load[1], load[2]);
    if (md) {
        fclose(md);
        write_plot(dir, rows, peak);
    }
    return 0;
}
