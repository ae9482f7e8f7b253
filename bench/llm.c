/*
 * llm.c — language-model benchmark: prompt (64 tokens, one batched pass)
 * and generation (64 tokens, one at a time) tokens/s of the llama decoder
 * (models/llama/) with f32, q8_0 and q4_0 weights, on 1 and 2 threads,
 * median of --reps repetitions with min and max; the bytes of weights read
 * per generated token and the machine's read bandwidth at that footprint,
 * measured here in the same run (streaming reads of those very weight
 * matrices, right before each generation measurement: one pass each of a
 * plain loop and, where the CPU has AVX-512, vector reads of 1 to 8
 * side-by-side streams with software prefetch, since one plain stream
 * leaves DRAM bandwidth unused), so the fraction of it that generation
 * reaches is comparable under the same machine load. Both sides are medians
 * over the repetitions (the probe's best pattern by its median): a best
 * single pass of many, against a median, would measure the host's noise.
 *
 *   bench/llm [--models DIR] [--rand768 DIR] [--reps N] [--weights LIST]
 *             [--out FILE] [--check]
 *
 * --weights: a comma-separated subset of f32,q8_0,q4_0 (default all).
 *
 * DIR for --models holds stories260K.bin and tok512.bin (default
 * $MOTE_SHARED_MODELS); DIR for --rand768 holds rand768.bin and
 * tok32000.bin, written by make_rand_llama2c.py (see the README beside the
 * shared models). --check also verifies that rand768 with f32 weights
 * reproduces the known greedy token ids for "Zoo" (exit 1 if not).
 * Tokens/s are wall-clock; "cpu" columns divide by the process CPU time
 * instead, which is what one thread gets done when the machine is shared.
 * Not a test: it asserts nothing about speed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mote.h"
#include "graph/graph.h"
#include "llm/llama2c.h"
#include "llm/quantize.h"
#include "llm/sample.h"
#include "llm/tokenizer.h"
#include "runtime/cpu.h"
#include "llm/llama.h"
#include "config.h"
#include "bench_cpu.h"
#ifdef MOTE_HAVE_X86
#include "../arch/x86/x86_kernels.h"
#endif

#define NTOK 64

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stat3 { double med, lo, hi; } stat3;

static stat3 stats(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    stat3 s = { n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v[0], v[n - 1] };
    return s;
}

/* A list of memory regions read in turn: the 512 MiB buffer, or the
 * weight matrices one generated token reads (the same pages). */
typedef struct regions {
    int n;
    const void *p[512];
    size_t bytes[512];
} regions;

/* The read patterns the probe tries: a plain streaming sum (eight
 * independent 64-bit accumulators) and, with AVX-512, vector reads of
 * 1 to 8 side-by-side streams with software prefetch
 * (arch/x86/avx512/peak_avx512.c); one plain stream leaves DRAM bandwidth
 * unused on some cores. */
static const struct { int streams; size_t pf; } pat[] = {
    { 0, 0 },   /* the plain loop */
    { 1, 0 },    { 1, 4096 }, { 2, 1024 }, { 2, 4096 }, { 3, 1024 },
    { 4, 512 },  { 4, 1024 }, { 4, 2048 }, { 6, 1024 }, { 8, 1024 },
};
#define N_PAT ((int)(sizeof pat / sizeof pat[0]))

static int pattern_available(int i)
{
#ifdef MOTE_HAVE_X86
    return i == 0 || mote_cpu_isa_available("avx512");
#else
    return i == 0;
#endif
}

static const char *pattern_name(int i, char *buf, size_t n)
{
    if (!pat[i].streams) snprintf(buf, n, "plain");
    else snprintf(buf, n, "%dx%zu", pat[i].streams, pat[i].pf);
    return buf;
}

/* One pass of each read pattern over the regions: bw[i] (bytes/s) for
 * pattern i, 0 where the CPU lacks it. */
static volatile uint64_t sink;
static volatile float fsink;
static void read_bandwidth(const regions *rg, double bw[N_PAT])
{
    double total = 0;
    for (int r = 0; r < rg->n; r++) total += (double)(rg->bytes[r] / 512 * 512);
    for (int i = 0; i < N_PAT; i++) {
        bw[i] = 0;
        if (!pattern_available(i)) continue;
        double t0 = now_s();
        if (!pat[i].streams) {
            uint64_t a[8] = { 0 };
            for (int r = 0; r < rg->n; r++) {
                const uint64_t *buf = rg->p[r];
                size_t n = rg->bytes[r] / 512 * 64;
                for (size_t k = 0; k < n; k += 8)
                    for (int j = 0; j < 8; j++) a[j] += buf[k + j];
            }
            sink = a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
        }
#ifdef MOTE_HAVE_X86
        else {
            float acc = 0;
            for (int r = 0; r < rg->n; r++)   /* whole cache lines per stream */
                acc += mote_read_loop_avx512(rg->p[r], rg->bytes[r] / 512 * 512, pat[i].streams, pat[i].pf);
            fsink = acc;
        }
#endif
        double t = now_s() - t0;
        bw[i] = t > 0 ? total / t : 0;
    }
}

/* The read bandwidth from passes[rep * N_PAT + i] (reps passes of each
 * pattern): the best pattern by its median over the passes, the same
 * statistic as the tokens/s it is compared with (a median over
 * repetitions). The best pattern goes to *which, the fastest single pass
 * of any pattern to *best_pass. */
static double probe_median(double *passes, int reps, int *which, double *best_pass)
{
    double best = 0, *v = malloc((size_t)reps * sizeof *v);
    *which = 0;
    *best_pass = 0;
    for (int i = 0; v && i < N_PAT; i++) {
        for (int r = 0; r < reps; r++) {
            v[r] = passes[r * N_PAT + i];
            if (v[r] > *best_pass) *best_pass = v[r];
        }
        double m = stats(v, reps).med;
        if (m > best) {
            best = m;
            *which = i;
        }
    }
    free(v);
    return best;
}

/* weight bytes one generated token reads: every LlmLinear matrix once;
 * the matrices themselves go to *rg (NULL: not wanted) */
static double weight_bytes_per_token(const mote_graph *g, regions *rg)
{
    double sum = 0;
    if (rg) rg->n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const mote_node *nd = &g->nodes[i];
        if (strcmp(nd->op, "LlmLinear") || nd->n_in < 2) continue;
        const mote_value *v = &g->values[nd->in[1]];
        sum += (double)v->nbytes;
        if (rg && rg->n < (int)(sizeof rg->p / sizeof rg->p[0]) && v->data) {
            rg->p[rg->n] = v->data;
            rg->bytes[rg->n++] = v->nbytes;
        }
    }
    return sum;
}

typedef struct model_src { const char *name, *ckpt, *tok; } model_src;

static mote_model *load(const model_src *src, const char *wt, double *wbytes, regions *rg)
{
    mote_graph *g;
    mote_llama2c_info h;
    if (mote_llama2c_import(src->ckpt, src->tok, &g, &h)) return NULL;
    mote_llama_hparams hp = { h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads,
                              h.vocab_size, h.max_seq, h.shared_classifier, h.rope_theta,
                              h.norm_eps, "f32" };
    if (strcmp(wt, "f32")) {
        mote_graph *q;
        if (mote_quantize_weights(g, mote_wtype_from_name(wt), NULL, &q)) { mote_graph_free(g); return NULL; }
        mote_graph_free(g);
        g = q;
        snprintf(hp.weight_type, sizeof hp.weight_type, "%s", wt);
    }
    mote_model *m = NULL;
    if (mote_llama_build_graph(g, &hp) || mote_model_from_graph(g, &m)) return NULL;
    *wbytes = weight_bytes_per_token(mote_model_graph(m), rg);
    return m;
}

/* rand768, f32, greedy "Zoo", 60 positions: the README's known ids */
static int check_rand768(const mote_model *m)
{
    static const int known_head[5] = { 1, 259, 317, 338, 338 };
    static const int runs[4][2] = { { 24083, 12 }, { 28033, 8 }, { 23299, 19 }, { 4810, 17 } };
    int want[61], n_want = 0;
    for (int i = 0; i < 5; i++) want[n_want++] = known_head[i];
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < runs[r][1]; i++) want[n_want++] = runs[r][0];
    mote_tokenizer *tok;
    mote_llama *L;
    if (mote_tokenizer_from_model(m, &tok)) return 0;
    if (mote_llama_new(m, NULL, &L)) { mote_tokenizer_free(tok); return 0; }
    int ids[64], n, got[64], n_got = 0, ok = 1;
    const float *lg;
    mote_tokenizer_encode(tok, "Zoo", 1, 0, ids, 16, &n);
    for (int i = 0; i < n; i++) got[n_got++] = ids[i];
    ok = !mote_llama_forward(L, ids, n, &lg);
    for (int pos = n - 1; ok && pos < 60; pos++) {
        int next = mote_argmax(mote_llama_hparams_of(L)->vocab_size, lg);
        got[n_got++] = next;
        if (pos + 1 < 60) ok = !mote_llama_forward(L, &next, 1, &lg);
    }
    ok = ok && n_got == n_want && !memcmp(got, want, sizeof(int) * (size_t)n_want);
    printf("rand768 f32 greedy \"Zoo\" 60 steps: %s (%d ids)\n", ok ? "matches the known ids" : "MISMATCH", n_got);
    mote_llama_free(L);
    mote_tokenizer_free(tok);
    return ok;
}

typedef struct row {
    char model[16], wt[8];
    int threads;
    stat3 prompt, gen;
    double prompt_cpu, gen_cpu; /* tokens per CPU-second, medians          */
    double wbytes, bw;         /* weight bytes per token, read bandwidth    */
    double bw_pass;            /* the fastest single probe pass              */
    int bw_pat;                /* the pattern bw comes from                 */
} row;

static int bench_one(const mote_model *m, int threads, int reps, const regions *rg,
                     double wbytes, row *r)
{
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    mote_llama *L;
    if (mote_llama_new(m, &o, &L)) return 0;
    int V = mote_llama_hparams_of(L)->vocab_size, ids[NTOK];
    for (int i = 0; i < NTOK; i++) ids[i] = i ? 3 + (i * 7919) % (V - 3) : 1;
    double *tp = calloc((size_t)reps, sizeof(double)), *tg = calloc((size_t)reps, sizeof(double));
    double *cg = calloc((size_t)reps, sizeof(double)), *bw = calloc((size_t)reps * N_PAT, sizeof(double));
    double *cp = calloc((size_t)reps, sizeof(double));
    const float *lg;
    int ok = !mote_llama_forward(L, ids, NTOK, &lg);   /* warm-up: builds the prompt session */
    for (int rep = 0; ok && rep < reps; rep++) {
        mote_llama_reset(L);
        double t0 = now_s(), c0 = cpu_s();
        ok = !mote_llama_forward(L, ids, NTOK, &lg);
        tp[rep] = NTOK / (now_s() - t0);
        cp[rep] = NTOK / (cpu_s() - c0);
        read_bandwidth(rg, bw + rep * N_PAT);
        mote_llama_reset(L);
        int next = 1;
        ok = ok && !mote_llama_forward(L, &next, 1, &lg);
        t0 = now_s();
        c0 = cpu_s();
        for (int i = 0; ok && i < NTOK; i++) {
            next = mote_argmax(V, lg);
            ok = !mote_llama_forward(L, &next, 1, &lg);
        }
        tg[rep] = NTOK / (now_s() - t0);
        cg[rep] = NTOK / (cpu_s() - c0);
    }
    if (ok) {
        r->threads = threads;
        r->prompt = stats(tp, reps);
        r->gen = stats(tg, reps);
        r->gen_cpu = stats(cg, reps).med;
        r->prompt_cpu = stats(cp, reps).med;
        r->bw = probe_median(bw, reps, &r->bw_pat, &r->bw_pass);
        printf("  read patterns, median GB/s:");   /* what the probe's choice was among */
        for (int i = 0; i < N_PAT; i++) {
            char pn[32];
            double *v = malloc((size_t)reps * sizeof *v);
            if (!v || !pattern_available(i)) {
                free(v);
                continue;
            }
            for (int k = 0; k < reps; k++) v[k] = bw[k * N_PAT + i];
            printf(" %s %.1f", pattern_name(i, pn, sizeof pn), stats(v, reps).med / 1e9);
            free(v);
        }
        printf("\n");
        r->wbytes = wbytes;
    }
    free(tp); free(tg); free(cg); free(bw); free(cp);
    mote_llama_free(L);
    return ok;
}

static void print_row(FILE *f, const row *r)
{
    double need = r->gen.med * r->wbytes;   /* bytes/s generation streams */
    char pn[32];
    fprintf(f, "| %s | %s | %d | %.0f (%.0f–%.0f) | %.0f | %.1f (%.1f–%.1f) | %.1f | %.1f | %.1f (%s) | %.1f | %.0f%% |\n",
            r->model, r->wt, r->threads, r->prompt.med, r->prompt.lo, r->prompt.hi, r->prompt_cpu,
            r->gen.med, r->gen.lo, r->gen.hi, r->gen_cpu, r->wbytes / 1e6, r->bw / 1e9,
            pattern_name(r->bw_pat, pn, sizeof pn), r->bw_pass / 1e9, 100.0 * need / r->bw);
}

int main(int argc, char **argv)
{
    const char *models = getenv("MOTE_SHARED_MODELS"), *rand_dir = NULL;
    const char *out = "bench/results/llm.md";
    int reps = 10, check = 0, want_wt[3] = { 1, 1, 1 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc) models = argv[++i];
        else if (!strcmp(argv[i], "--rand768") && i + 1 < argc) rand_dir = argv[++i];
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--check")) check = 1;
        else if (!strcmp(argv[i], "--weights") && i + 1 < argc) {
            const char *names[3] = { "f32", "q8_0", "q4_0" };
            char list[64];
            snprintf(list, sizeof list, "%s", argv[++i]);
            memset(want_wt, 0, sizeof want_wt);
            for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
                int w = 0;
                while (w < 3 && strcmp(t, names[w])) w++;
                if (w == 3) {
                    fprintf(stderr, "--weights: unknown type \"%s\" (f32, q8_0, q4_0)\n", t);
                    return 2;
                }
                want_wt[w] = 1;
            }
        } else {
            fprintf(stderr, "usage: %s [--models DIR] [--rand768 DIR] [--reps N] [--weights f32,q8_0,q4_0] "
                            "[--out FILE] [--check]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    char p[4][1024];
    model_src srcs[2];
    int n_src = 0;
    if (models) {
        snprintf(p[0], sizeof p[0], "%s/stories260K.bin", models);
        snprintf(p[1], sizeof p[1], "%s/tok512.bin", models);
        srcs[n_src++] = (model_src){ "stories260K", p[0], p[1] };
    }
    if (rand_dir) {
        snprintf(p[2], sizeof p[2], "%s/rand768.bin", rand_dir);
        snprintf(p[3], sizeof p[3], "%s/tok32000.bin", rand_dir);
        srcs[n_src++] = (model_src){ "rand768", p[2], p[3] };
    }
    if (!n_src) {
        fprintf(stderr, "nothing to run: give --models DIR (or set MOTE_SHARED_MODELS) and/or --rand768 DIR\n");
        return 2;
    }
    /* the largest footprint: rand768 in f32 (438 MB) */
    size_t buf_bytes = (size_t)512 << 20;
    uint64_t *buf = malloc(buf_bytes);
    if (!buf) return 1;
    for (size_t i = 0; i < buf_bytes / 8; i++) buf[i] = i;
    row rows[2 * 3 * 2];
    int n_rows = 0, failed = 0;
    const char *wts[3] = { "f32", "q8_0", "q4_0" };
    static regions whole, wrg;   /* ~8 KiB each: not on the stack */
    whole.n = 1;
    whole.p[0] = buf;
    whole.bytes[0] = buf_bytes;
    double dram_passes[3 * N_PAT], dram_pass;
    int dram_pat;
    for (int i = 0; i < 3; i++) read_bandwidth(&whole, dram_passes + i * N_PAT);
    double dram = probe_median(dram_passes, 3, &dram_pat, &dram_pass);
    for (int s = 0; s < n_src; s++) {
        for (int w = 0; w < 3; w++) {
            if (!want_wt[w] && !(check && w == 0 && !strcmp(srcs[s].name, "rand768"))) continue;
            double wbytes = 0;
            mote_model *m = load(&srcs[s], wts[w], &wbytes, &wrg);
            if (!m) {
                fprintf(stderr, "%s (%s): %s\n", srcs[s].ckpt, wts[w], mote_last_error());
                return 1;
            }
            if (check && w == 0 && !strcmp(srcs[s].name, "rand768") && !check_rand768(m)) failed = 1;
            if (!want_wt[w]) {
                mote_model_close(m);
                continue;
            }
            for (int th = 1; th <= 2; th++) {
                row *r = &rows[n_rows];
                snprintf(r->model, sizeof r->model, "%s", srcs[s].name);
                snprintf(r->wt, sizeof r->wt, "%s", wts[w]);
                if (!bench_one(m, th, reps, &wrg, wbytes, r)) {
                    fprintf(stderr, "%s %s: %s\n", r->model, r->wt, mote_last_error());
                    return 1;
                }
                print_row(stdout, r);
                fflush(stdout);
                n_rows++;
            }
            mote_model_close(m);
        }
    }
    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f, "# bench/llm: llama decoder, tokens/s\n\nCPU: %s. "
            "Kernel table: %s. Prompt: %d tokens in one batched pass; generation: %d tokens "
            "one at a time; median (min–max) of %d repetitions. \"cpu\" columns: tokens per "
            "second of process CPU time (all threads; spinning workers included). \"weights/token\": bytes of weight matrices one generated "
            "token reads. \"read BW\": read bandwidth over those weight matrices themselves, measured "
            "on one core in every repetition, between its prompt and its generation pass: one pass of each read "
            "pattern (plain loop; AVX-512 streams x prefetch distance), and the best pattern by its median over "
            "the repetitions (named in brackets), the same statistic as the tokens/s; \"best pass\": the fastest "
            "single pass of any pattern, for scale. \"of BW\": generation's weight bytes per second as a fraction "
            "of read BW (2-thread rows can pass 100%%: two cores read faster than one). DRAM read bandwidth (512 MiB buffer, "
            "same statistic over 3 passes) at start: %.1f GB/s.\n\n"
            "| model | weights | threads | prompt tok/s | prompt cpu | generation tok/s | gen cpu | "
            "weights/token MB | read BW GB/s | best pass GB/s | of BW |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
            cpu_model(), mote_cpu_best_isa(), NTOK, NTOK, reps, dram / 1e9);
    for (int i = 0; i < n_rows; i++) print_row(f, &rows[i]);
    fclose(f);
    printf("DRAM read bandwidth %.1f GB/s; wrote %s\n", dram / 1e9, out);
    free(buf);
    return failed;
}
