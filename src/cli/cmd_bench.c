/*
 * cmd_bench.c — `mote bench MODEL`: times repeated mote_session_run calls
 * on inputs it makes up (or reads from .npy files) and reports the
 * distribution: median, p10, p90, min, max, mean, throughput, peak RSS and
 * the arena — what onnxruntime_perf_test and TFLite's benchmark_model
 * report. Made-up inputs are uniform floats in [-1, 1) and, for integer
 * inputs that index a table (token ids), values below its row count
 * (instr_generate). It times whole runs only; `mote profile` splits them
 * by node. Figures for claims come from bench/ programs and a quiet
 * machine; this is the quick look.
 */
#include "instr.h"
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char usage[] =
    "Usage: mote bench [options] MODEL.mote [-i NAME=FILE.npy ...]\n"
    "\n"
    "Runs the model WARMUP times untimed, then RUNS times timed, and prints the\n"
    "median, p10, p90, min, max and mean time of a run, the throughput (runs/s\n"
    "at the median), the peak resident memory and the session's arena. Without\n"
    "input files the inputs are generated: floats uniform in [-1, 1), integer\n"
    "inputs that index a table (token ids) below its number of rows, other\n"
    "integers 0.\n"
    "\n"
    "Options:\n"
    "  -s, --shape NAME=D0xD1x...\n"
    "                          the shape of generated input NAME, for the\n"
    "                          dimensions the model leaves open (else 1)\n"
    "  -i, --input NAME=FILE   read input NAME from a .npy file instead\n"
    "  -n, --runs N            timed runs (default 50)\n"
    "      --warmup N          untimed runs first (default 5)\n"
    "  -j, --threads N         worker threads (default: MOTE_THREADS, else one\n"
    "                          per physical core)\n"
    "      --isa ISA           kernel table: ref, avx2, avx512, neon\n"
    "      --seed S            seed of the generated inputs (default 1)\n"
    "      --json              print the results as one JSON object\n"
    "  -h, --help              show this help\n";

enum { OPT_ISA = 256, OPT_JSON, OPT_WARMUP, OPT_SEED };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted v[0..n-1], linear between the nearest ranks. */
static double quantile(const double *v, int n, double q)
{
    double r = q * (n - 1);
    int lo = (int)floor(r), hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (r - lo) * (v[hi] - v[lo]);
}

int cli_cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "shape", required_argument, NULL, 's' },
        { "input", required_argument, NULL, 'i' },
        { "runs", required_argument, NULL, 'n' },
        { "warmup", required_argument, NULL, OPT_WARMUP },
        { "threads", required_argument, NULL, 'j' },
        { "isa", required_argument, NULL, OPT_ISA },
        { "seed", required_argument, NULL, OPT_SEED },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0], *isa = NULL;
    int c, rc = CLI_OK;
    long runs = 50, warmup = 5, threads = 0, seed = 1;
    bool json = false;
    cli_shapes shapes = { .n = 0 };
    instr_model im;
    mote_session *s = NULL;
    double *t = NULL;
    if (!instr_init(&im, argc)) {
        instr_free(&im);
        return cli_fail(NULL, "out of memory");
    }
    while ((c = cli_getopt(argc, argv, "s:i:n:j:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            goto out;
        if (c == 's' && (rc = cli_shapes_add(&shapes, optarg, cmd)) != CLI_OK)
            goto out;
        if (c == 'i' && (rc = instr_add_input(&im, cmd, optarg)))
            goto out;
        if (c == 'n' && !cli_parse_int(optarg, 1, 10000000, &runs)) {
            rc = cli_usage_error(cmd, "--runs wants a number from 1 to 10000000, not '%s'", optarg);
            goto out;
        }
        if (c == OPT_WARMUP && !cli_parse_int(optarg, 0, 1000000, &warmup)) {
            rc = cli_usage_error(cmd, "--warmup wants a number from 0 to 1000000, not '%s'", optarg);
            goto out;
        }
        if (c == 'j' && !cli_parse_int(optarg, 1, 4096, &threads)) {
            rc = cli_usage_error(cmd, "--threads wants a number from 1 to 4096, not '%s'", optarg);
            goto out;
        }
        if (c == OPT_SEED && !cli_parse_int(optarg, 0, 0x7fffffffL, &seed)) {
            rc = cli_usage_error(cmd, "--seed wants a number from 0 to 2147483647, not '%s'", optarg);
            goto out;
        }
        if (c == OPT_ISA)
            isa = optarg;
        if (c == OPT_JSON)
            json = true;
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "missing MODEL");
        goto out;
    }
    const char *path = argv[optind++];
    for (; optind < argc; optind++)
        instr_add_file(&im, argv[optind]);
    bool generated = im.n_given == 0;
    if (!generated && shapes.n > 0) {
        rc = cli_usage_error(cmd, "--shape is for generated inputs; files give their own shapes");
        goto out;
    }
    if (generated)
        rc = instr_generate(&im, cmd, path, &shapes, (uint64_t)seed);
    else
        rc = instr_load(&im, cmd, path);
    if (rc)
        goto out;
    /* a decoder's tokens past its context would be computed as nothing
     * (the attention refuses them): say so instead of timing that */
    const char *ms = mote_model_meta(im.m, "llama.max_seq");
    for (int i = 0; ms && i < im.n_in; i++) {
        const char *name = mote_model_input(im.m, i, &(mote_tensor){ 0 });
        if (!strcmp(name, "tokens") && mote_tensor_numel(&im.inputs[i]) > atol(ms)) {
            rc = cli_usage_error(cmd, "%lld tokens are more than the model's context of %s "
                                 "positions", (long long)mote_tensor_numel(&im.inputs[i]), ms);
            goto out;
        }
    }
    if ((rc = instr_session(&im, isa, (int)threads, &s)))
        goto out;
    if (!(t = malloc(sizeof *t * (size_t)runs))) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    mote_status st = MOTE_OK;
    for (long r = 0; r < warmup && !st; r++)
        st = mote_session_run(s, im.inputs, im.n_in);
    for (long r = 0; r < runs && !st; r++) {
        double t0 = instr_now();
        st = mote_session_run(s, im.inputs, im.n_in);
        t[r] = instr_now() - t0;
    }
    if (st) {
        rc = cli_fail_status(path, st);
        goto out;
    }
    double mean = 0;
    for (long r = 0; r < runs; r++)
        mean += t[r];
    mean /= (double)runs;
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    int n = (int)runs;
    double med = quantile(t, n, 0.5), p10 = quantile(t, n, 0.1), p90 = quantile(t, n, 0.9);
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss * 1024.0 : 0.0;
    size_t arena = mote_session_arena_bytes(s);
    if (json) {
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_object(&j, NULL);
        cli_json_str(&j, "model", path);
        cli_json_str(&j, "kernels", mote_session_isa(s));
        cli_json_int(&j, "threads", mote_session_threads(s));
        cli_json_int(&j, "runs", runs);
        cli_json_int(&j, "warmup", warmup);
        cli_json_array(&j, "inputs");
        for (int i = 0; i < im.n_in; i++) {
            cli_json_object(&j, NULL);
            cli_json_str(&j, "name", mote_model_input(im.m, i, &(mote_tensor){ 0 }));
            cli_json_str(&j, "dtype", mote_dtype_name(im.inputs[i].dtype));
            cli_json_array(&j, "shape");
            for (int d = 0; d < im.inputs[i].ndim; d++)
                cli_json_int(&j, NULL, im.inputs[i].dims[d]);
            cli_json_end(&j);
            cli_json_str(&j, "source", generated ? "generated" : "file");
            if (generated) {
                cli_json_str(&j, "values", im.ranges[i]);
                cli_json_int(&j, "seed", seed);
            }
            cli_json_end(&j);
        }
        cli_json_end(&j);
        cli_json_object(&j, "time_ms");
        cli_json_num(&j, "median", 1e3 * med);
        cli_json_num(&j, "p10", 1e3 * p10);
        cli_json_num(&j, "p90", 1e3 * p90);
        cli_json_num(&j, "min", 1e3 * t[0]);
        cli_json_num(&j, "max", 1e3 * t[n - 1]);
        cli_json_num(&j, "mean", 1e3 * mean);
        cli_json_end(&j);
        cli_json_num(&j, "runs_per_s", med > 0 ? 1.0 / med : 0.0);
        cli_json_num(&j, "peak_rss_bytes", peak);
        cli_json_uint(&j, "arena_bytes", arena);
        cli_json_end(&j);
    } else {
        char b1[32], b2[32];
        printf("bench %s: kernels %s, %d thread%s, %ld runs after %ld warm-up\n", path,
               mote_session_isa(s), mote_session_threads(s),
               mote_session_threads(s) == 1 ? "" : "s", runs, warmup);
        for (int i = 0; i < im.n_in; i++) {
            char d[160];
            printf("  input %-20s %s  %s\n", mote_model_input(im.m, i, &(mote_tensor){ 0 }),
                   mote_tensor_describe(&im.inputs[i], d, sizeof d),
                   generated ? im.ranges[i] : "from file");
        }
        /* microseconds below a millisecond, so small models keep their digits */
        double u = med < 1e-3 ? 1e6 : 1e3;
        const char *unit = med < 1e-3 ? "us" : "ms";
        printf("  time per run: median %.3f %s  p10 %.3f  p90 %.3f  min %.3f  max %.3f  "
               "mean %.3f %s\n", u * med, unit, u * p10, u * p90, u * t[0], u * t[n - 1],
               u * mean, unit);
        printf("  throughput:   %.1f runs/s (at the median)\n", med > 0 ? 1.0 / med : 0.0);
        printf("  memory:       peak RSS %s, arena %s (%zu bytes)\n", cli_bytes(peak, b1),
               cli_bytes((double)arena, b2), arena);
    }
out:
    free(t);
    if (s)
        mote_session_free(s);
    instr_free(&im);
    return rc;
}
