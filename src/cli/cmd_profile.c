/*
 * cmd_profile.c — `mote profile MODEL -i ... [-n RUNS] [--json FILE]`: where
 * a run's time goes. Runs the model RUNS times with the session's step hooks
 * timing each step (CLOCK_MONOTONIC), then prints per node and per op type
 * the median time, share of the total, estimated FLOPs, GFLOP/s and bytes
 * moved; then the median whole hooked run and the median of as many plain
 * mote_session_run calls, so that the per-node figures can be checked
 * against an unobserved run. --json writes the median run as a Chrome
 * trace (one complete "X" event per node; opens in Perfetto).
 *
 * Figures are wall-clock and as noisy as the machine; it is not a
 * benchmark harness (see bench/).
 */
#include "instr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/instrument.h"

static const char usage[] =
    "Usage: mote profile [options] MODEL.mote [-i NAME=FILE.npy ...]\n"
    "\n"
    "Runs the model RUNS times, timing every node, and prints per node and per\n"
    "op type: median time, share of the sum, estimated FLOPs, GFLOP/s and bytes\n"
    "moved (inputs + outputs). Then the median whole run with timing on, the\n"
    "share of it the per-node medians add up to, the share of each run's time\n"
    "its nodes' times add up to (median over runs: the rest is the input copy\n"
    "and the timing itself), and the median of RUNS plain runs (no timing\n"
    "hooks) for comparison.\n"
    "\n"
    "Options:\n"
    "  -i, --input NAME=FILE   the .npy file for the input called NAME (or give\n"
    "                          the files by position after MODEL); without any,\n"
    "                          inputs are generated as `mote bench` makes them\n"
    "  -s, --shape NAME=D0xD1x...\n"
    "                          the shape of generated input NAME, for the\n"
    "                          dimensions the model leaves open (else 1)\n"
    "  -n, --runs N            timed runs (default 20), after 2 untimed ones\n"
    "      --json FILE         write the median run as Chrome trace JSON (one\n"
    "                          \"X\" event per node; load in Perfetto)\n"
    "      --isa ISA           kernel table: ref, avx2, avx512, neon\n"
    "  -j, --threads N         worker threads (default: MOTE_THREADS, else one\n"
    "                          per physical core)\n"
    "  -h, --help              show this help\n";

enum { OPT_ISA = 256, OPT_JSON };

typedef struct prof_ctx {
    int ns, run;        /* steps per run; the run being timed          */
    double run_t0;      /* when the run being timed began              */
    double step_t0;
    double *start;      /* (runs, ns) step start from run start, s     */
    double *dur;        /* (runs, ns) step duration, s: summed over a
                           loop's trips; 0 for a branch not taken       */
} prof_ctx;

static void before_step(void *ctx, const mote_session *s, int step)
{
    (void)s;
    prof_ctx *p = ctx;
    p->step_t0 = instr_now();
    size_t at = (size_t)p->run * (size_t)p->ns + (size_t)step;
    if (p->dur[at] == 0)   /* a step in a loop: its first trip's start */
        p->start[at] = p->step_t0 - p->run_t0;
}

static void after_step(void *ctx, const mote_session *s, int step)
{
    (void)s;
    prof_ctx *p = ctx;
    p->dur[(size_t)p->run * (size_t)p->ns + (size_t)step] += instr_now() - p->step_t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0], v[stride], ... (n values); tmp holds n doubles. */
static double median(const double *v, int n, size_t stride, double *tmp)
{
    for (int i = 0; i < n; i++)
        tmp[i] = v[(size_t)i * stride];
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* Chrome trace format: {"traceEvents": [ {"ph":"X", "ts", "dur" in µs} ]}. */
static int write_json(const char *path, const mote_session *s, const prof_ctx *p, int run)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cli_fail(path, "cannot write: %s", strerror(errno));
    fprintf(f, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n");
    for (int t = 0; t < s->n_steps; t++) {
        const mote_node *n = &s->g->nodes[s->step_node[t]];
        size_t i = (size_t)run * (size_t)p->ns + (size_t)t;
        char nb[64], d[160];
        fprintf(f, "  {\"name\": ");
        json_string(f, instr_node_name(n, t, nb, sizeof nb));
        fprintf(f, ", \"cat\": ");
        json_string(f, n->op);
        fprintf(f, ", \"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": %.3f, \"dur\": %.3f, "
                   "\"args\": {\"step\": %d, \"flops\": %.0f, \"bytes\": %.0f, \"output\": ",
                1e6 * p->start[i], 1e6 * p->dur[i], t, mote_node_flops(s, n),
                mote_node_bytes(s, n));
        json_string(f, n->n_out ? instr_shape(&s->vals[n->out[0]], d, sizeof d) : "");
        fprintf(f, "}}%s\n", t + 1 < s->n_steps ? "," : "");
    }
    fprintf(f, "]}\n");
    if (fclose(f) != 0)
        return cli_fail(path, "write failed: %s", strerror(errno));
    return CLI_OK;
}

/* Per op type: summed medians, FLOPs and bytes, in first-seen order. */
static void print_by_op(const mote_session *s, const double *med, double total)
{
    int ns = s->n_steps;
    bool *done = calloc((size_t)ns + 1, sizeof *done);
    if (!done)
        return;
    printf("\nper op type:\n  %-18s %5s %11s %7s %10s %9s %10s\n", "op", "nodes", "time us",
           "share", "FLOPs", "GFLOP/s", "bytes");
    for (int t = 0; t < ns; t++) {
        if (done[t])
            continue;
        const char *op = s->g->nodes[s->step_node[t]].op;
        double tm = 0, fl = 0, by = 0;
        int count = 0;
        for (int u = t; u < ns; u++) {
            const mote_node *n = &s->g->nodes[s->step_node[u]];
            if (done[u] || strcmp(n->op, op) != 0)
                continue;
            done[u] = true;
            count++;
            tm += med[u];
            fl += mote_node_flops(s, n);
            by += mote_node_bytes(s, n);
        }
        char c1[32], c2[32];
        printf("  %-18s %5d %11.1f %6.1f%% %10s %9.2f %10s\n", op, count, 1e6 * tm,
               total > 0 ? 100 * tm / total : 0, cli_count(fl, c1), tm > 0 ? fl / tm * 1e-9 : 0,
               cli_bytes(by, c2));
    }
    free(done);
}

int cli_cmd_profile(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "input", required_argument, NULL, 'i' },
        { "shape", required_argument, NULL, 's' },
        { "runs", required_argument, NULL, 'n' },
        { "json", required_argument, NULL, OPT_JSON },
        { "isa", required_argument, NULL, OPT_ISA },
        { "threads", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0], *isa = NULL, *json = NULL;
    int c, rc = CLI_OK;
    long threads = 0, runs = 20;
    cli_shapes shapes = { .n = 0 };
    instr_model im;
    mote_session *s = NULL;
    prof_ctx p = { 0 };
    double *hooked = NULL, *plain = NULL, *tmp = NULL, *med = NULL;
    if (!instr_init(&im, argc)) {
        instr_free(&im);
        return cli_fail(NULL, "out of memory");
    }
    while ((c = cli_getopt(argc, argv, "i:s:n:j:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            goto out;
        if (c == 'i' && (rc = instr_add_input(&im, cmd, optarg)))
            goto out;
        if (c == 's' && (rc = cli_shapes_add(&shapes, optarg, cmd)) != CLI_OK)
            goto out;
        if (c == OPT_JSON)
            json = optarg;
        if (c == OPT_ISA)
            isa = optarg;
        if (c == 'n' && !cli_parse_int(optarg, 1, 1000000, &runs)) {
            rc = cli_usage_error(cmd, "--runs wants a number from 1 to 1000000, not '%s'", optarg);
            goto out;
        }
        if (c == 'j' && !cli_parse_int(optarg, 1, 4096, &threads)) {
            rc = cli_usage_error(cmd, "--threads wants a number from 1 to 4096, not '%s'", optarg);
            goto out;
        }
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "missing MODEL");
        goto out;
    }
    const char *path = argv[optind++];
    for (; optind < argc; optind++)
        instr_add_file(&im, argv[optind]);
    if (im.n_given > 0 && shapes.n > 0) {
        rc = cli_usage_error(cmd, "--shape is for generated inputs; files give their own shapes");
        goto out;
    }
    if (im.n_given == 0)
        rc = instr_generate(&im, cmd, path, &shapes, 1);
    else
        rc = instr_load(&im, cmd, path);
    if (rc || (rc = instr_session(&im, isa, (int)threads, &s)))
        goto out;
    if (im.n_given == 0)
        for (int i = 0; i < im.n_in; i++)
            printf("input %s: generated, %s\n", mote_model_input(im.m, i, &(mote_tensor){ 0 }),
                   im.ranges[i]);
    int n = (int)runs, ns = s->n_steps;
    p.ns = ns;
    size_t cells = (size_t)n * (size_t)(ns > 0 ? ns : 1);
    p.start = calloc(cells, sizeof(double));
    p.dur = calloc(cells, sizeof(double));
    hooked = malloc(sizeof(double) * (size_t)n);
    plain = malloc(sizeof(double) * (size_t)n);
    tmp = malloc(sizeof(double) * (size_t)n);
    med = calloc((size_t)ns + 1, sizeof *med);
    if (!p.start || !p.dur || !hooked || !plain || !tmp || !med) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    mote_step_hooks h = { .before = before_step, .after = after_step, .ctx = &p };
    mote_status st = MOTE_OK;
    /* two untimed runs first: page faults, caches, thread start-up */
    for (int r = 0; r < 2 && !st; r++)
        st = mote_session_run(s, im.inputs, im.n_in);
    for (int r = 0; r < n && !st; r++) {
        p.run = r;
        p.run_t0 = instr_now();
        st = mote_session_run_hooked(s, im.inputs, im.n_in, &h);
        hooked[r] = instr_now() - p.run_t0;
    }
    for (int r = 0; r < n && !st; r++) {
        double t0 = instr_now();
        st = mote_session_run(s, im.inputs, im.n_in);
        plain[r] = instr_now() - t0;
    }
    if (st) {
        rc = cli_fail_status(path, st);
        goto out;
    }
    double total = 0, flops = 0;
    for (int t = 0; t < ns; t++) {
        med[t] = median(p.dur + t, n, (size_t)ns, tmp);
        total += med[t];
    }
    printf("profile of %s: %d runs, kernels %s, %d thread%s\n", path, n, mote_session_isa(s),
           mote_session_threads(s), mote_session_threads(s) == 1 ? "" : "s");
    mote_device_stats ds = mote_session_device_stats(s);
    if (ds.n_device_steps) {
        char u[32], d[32];
        printf("device: %s, %d of %d nodes on it; per run %s to it, %s back (a device node's time\n"
               "includes waiting for it and reading its outputs back for the timing hooks)\n",
               ds.device, ds.n_device_steps, ns, cli_bytes((double)ds.up_bytes, u),
               cli_bytes((double)ds.down_bytes, d));
    }
    bool placed = s->dev != NULL;
    printf("  %4s  %-18s %-16s %11s %7s %10s %9s %10s%s\n", "#", "op", "name", "median us",
           "share", "FLOPs", "GFLOP/s", "bytes", placed ? "  runs on" : "");
    for (int t = 0; t < ns; t++) {
        const mote_node *nd = &s->g->nodes[s->step_node[t]];
        double fl = mote_node_flops(s, nd);
        flops += fl;
        char nb[64], c1[32], c2[32];
        printf("  %4d  %-18s %-16s %11.1f %6.1f%% %10s %9.2f %10s%s%s\n", t, nd->op,
               instr_node_name(nd, t, nb, sizeof nb), 1e6 * med[t],
               total > 0 ? 100 * med[t] / total : 0, cli_count(fl, c1),
               med[t] > 0 ? fl / med[t] * 1e-9 : 0, cli_bytes(mote_node_bytes(s, nd), c2),
               placed ? "  " : "", placed ? mote_session_step_device(s, t) : "");
    }
    print_by_op(s, med, total);
    /* Within each hooked run, the steps' times against the run's own time:
     * what the hooks miss is the input copy and the hooks themselves. A
     * per-run ratio is immune to load (a preemption inside a step counts on
     * both sides), unlike sum-of-medians against median-of-sums. */
    double *cover = malloc(sizeof(double) * (size_t)n);
    if (!cover) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    for (int r = 0; r < n; r++) {
        double sum = 0;
        for (int t = 0; t < ns; t++)
            sum += p.dur[(size_t)r * (size_t)ns + (size_t)t];
        cover[r] = hooked[r] > 0 ? sum / hooked[r] : 0;
    }
    double mc = median(cover, n, 1, tmp);
    free(cover);
    double mh = median(hooked, n, 1, tmp), mp = median(plain, n, 1, tmp);
    char c1[32];
    printf("\nsum of per-node medians: %.1f us (%s FLOPs, %.2f GFLOP/s)\n", 1e6 * total,
           cli_count(flops, c1), total > 0 ? flops / total * 1e-9 : 0);
    printf("whole run with timing hooks, median: %.1f us\n", 1e6 * mh);
    printf("per-node medians sum to %.1f%% of the median hooked run\n",
           mh > 0 ? 100 * total / mh : 0);
    printf("per-node times add up to %.1f%% of their run's time (median over runs)\n",
           100 * mc);
    printf("plain mote_session_run, median of %d: %.1f us\n", n, 1e6 * mp);
    if (json) {
        /* the run whose total is the median one (the lower middle for even n) */
        int pick = 0;
        double want = median(hooked, n, 1, tmp), best = -1;
        for (int r = 0; r < n; r++) {
            double d = hooked[r] > want ? hooked[r] - want : want - hooked[r];
            if (best < 0 || d < best) {
                best = d;
                pick = r;
            }
        }
        if ((rc = write_json(json, s, &p, pick)))
            goto out;
        printf("wrote %s: run %d of %d as Chrome trace events\n", json, pick, n);
    }
out:
    free(p.start);
    free(p.dur);
    free(hooked);
    free(plain);
    free(tmp);
    free(med);
    if (s)
        mote_session_free(s);
    instr_free(&im);
    return rc;
}
