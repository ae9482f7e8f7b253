/*
 * cmd_trace.c — `mote trace MODEL -i NAME=FILE.npy ...`: runs a model once
 * and reports every node's output in execution order (op, input and output
 * shapes, min/max/mean/std, NaN and Inf counts, an FNV-1a 64 content hash);
 * --dump DIR writes each intermediate as DIR/<node>.npy, and --compare DIR
 * checks each against such a dump and names the first node that leaves the
 * tolerance.
 *
 * It reads the outputs in the session's after-step hook, before any later
 * step can reuse their bytes (the memory plan shares buffers). It is not a
 * profiler (see cmd_profile.c).
 */
#include "instr.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/instrument.h"
#include "format/npy.h"
#include "json.h"

static const char usage[] =
    "Usage: mote trace [options] MODEL.mote -i NAME=FILE.npy [-i ...]\n"
    "\n"
    "Runs the model once and prints, for every node in execution order, its op,\n"
    "input and output shapes, and for each output: min, max, mean, std (over\n"
    "finite elements), NaN and Inf counts and an FNV-1a 64-bit hash of its bytes.\n"
    "\n"
    "Options:\n"
    "  -i, --input NAME=FILE   the .npy file for the input called NAME (or give\n"
    "                          the files by position after MODEL)\n"
    "  -d, --dump DIR          write every node's output as DIR/<node>.npy\n"
    "                          (DIR/<node>.outK.npy for output K > 0; names made\n"
    "                          file-safe: other characters than letters, digits,\n"
    "                          '.', '-', '_' become '_'; f16/bf16 written as f32)\n"
    "  -c, --compare DIR       compare every output with DIR's file of the same\n"
    "                          name (a --dump of a reference run) and report the\n"
    "                          first node that leaves the tolerance\n"
    "      --rtol R            relative tolerance (default 1e-4)\n"
    "      --atol A            absolute tolerance (default 1e-5): an element is\n"
    "                          within tolerance if |got - ref| <= A + R * |ref|\n"
    "      --isa ISA           kernel table: ref, avx2, avx512, neon\n"
    "  -j, --threads N         worker threads (default 1)\n"
    "  -q, --quiet             print only the comparison's verdict\n"
    "      --json              print everything as one JSON object on stdout\n"
    "                          ({\"steps\": [...], \"compare\": {...}})\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 on success (and, with --compare, every output within\n"
    "tolerance), 1 if a file or the run fails or an output diverges, 2 on a\n"
    "usage error.\n";

enum { OPT_ISA = 256, OPT_RTOL, OPT_ATOL, OPT_JSON };

typedef struct trace_ctx {
    const char *dump, *compare;
    double rtol, atol;
    bool quiet;
    int rc;                  /* first failure (files); CLI_OK otherwise    */
    int compared, missing;   /* outputs compared; references not found     */
    bool diverged;           /* a first divergence was reported            */
    char *first;             /* the report of the first divergence         */
    cli_json *j;             /* --json: the writer, inside "steps"         */
} trace_ctx;

/* DIR/<safe node name>[.outK].npy; free() it. */
static char *npy_path(const char *dir, const mote_node *n, int step, int k)
{
    char nb[64], *path = NULL;
    char *base = instr_safe_name(instr_node_name(n, step, nb, sizeof nb));
    if (!base)
        return NULL;
    char *file = malloc(strlen(base) + 24);
    if (file) {
        if (k == 0)
            sprintf(file, "%s.npy", base);
        else
            sprintf(file, "%s.out%d.npy", base, k);
        path = cli_join(dir, file);
    }
    free(file);
    free(base);
    return path;
}

/* Writes t as .npy; f16 and bf16 widened to f32. */
static int dump_tensor(const char *path, const mote_tensor *t)
{
    mote_tensor w = *t;
    float *wide = NULL;
    if (t->dtype == MOTE_F16 || t->dtype == MOTE_BF16) {
        int64_t n = mote_tensor_numel(t);
        if (!(wide = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1))))
            return cli_fail(NULL, "out of memory");
        for (int64_t i = 0; i < n; i++)
            wide[i] = (float)mote_tensor_elem(t, i);
        w.dtype = MOTE_F32;
        w.data = wide;
    }
    mote_status st = mote_npy_write(path, &w);
    free(wide);
    return st ? cli_fail_status(path, st) : CLI_OK;
}

/* "[0,3,1,2]": flat index i of t unravelled (row-major). */
static void unravel(const mote_tensor *t, int64_t i, char *buf, size_t len)
{
    int64_t idx[MOTE_MAX_DIMS];
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t dim = t->dims[d] > 0 ? t->dims[d] : 1;
        idx[d] = i % dim;
        i /= dim;
    }
    size_t o = (size_t)snprintf(buf, len, "[");
    for (int d = 0; d < t->ndim && o < len; d++)
        o += (size_t)snprintf(buf + o, len - o, "%s%" PRId64, d ? "," : "", idx[d]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

/*
 * Compares got with ref element by element: within tolerance when
 * |got - ref| <= atol + rtol * |ref| (NaN only matches NaN, an infinity
 * only the same infinity). The worst element is the one furthest past its
 * allowance. Returns true if all are within; *report says what is not.
 */
static bool within(const trace_ctx *c, const mote_tensor *got, const mote_tensor *ref,
                   char *report, size_t len)
{
    char g[160], r[160];
    bool same_shape = got->ndim == ref->ndim;
    for (int d = 0; same_shape && d < got->ndim; d++)
        same_shape = got->dims[d] == ref->dims[d];
    if (!same_shape) {
        snprintf(report, len, "shape %s, reference %s", instr_shape(got, g, sizeof g),
                 instr_shape(ref, r, sizeof r));
        return false;
    }
    int64_t n = mote_tensor_numel(got), worst = -1, bad = 0;
    double worst_excess = -1;
    for (int64_t i = 0; i < n; i++) {
        double a = mote_tensor_elem(got, i), b = mote_tensor_elem(ref, i);
        double excess;
        if (isnan(a) || isnan(b) || isinf(a) || isinf(b))
            excess = (isnan(a) && isnan(b)) || a == b ? -1 : INFINITY;
        else
            excess = fabs(a - b) - (c->atol + c->rtol * fabs(b));
        if (excess > 0)
            bad++;
        if (excess > 0 && excess > worst_excess) {
            worst_excess = excess;
            worst = i;
        }
    }
    if (worst < 0)
        return true;
    double a = mote_tensor_elem(got, worst), b = mote_tensor_elem(ref, worst);
    char ix[160];
    unravel(got, worst, ix, sizeof ix);
    snprintf(report, len,
             "%" PRId64 " of %" PRId64 " elements out of tolerance; worst at %s: "
             "got %.9g, reference %.9g (|diff| %.3g, allowed %.3g)",
             bad, n, ix, a, b, fabs(a - b), c->atol + c->rtol * fabs(b));
    return false;
}

static void compare_output(trace_ctx *c, const mote_session *s, int step, int k,
                           const mote_tensor *t)
{
    const mote_node *n = &s->g->nodes[s->step_node[step]];
    char *path = npy_path(c->compare, n, step, k);
    if (!path) {
        c->rc = cli_fail(NULL, "out of memory");
        return;
    }
    mote_tensor ref;
    if (!cli_is_file(path)) {
        c->missing++;
        if (c->j)
            cli_json_str(c->j, "compare", "no reference");
        else if (!c->quiet)
            printf("       no reference %s\n", path);
        free(path);
        return;
    }
    mote_status st = mote_npy_read(path, &ref);
    if (st) {
        c->rc = cli_fail_status(path, st);
        free(path);
        return;
    }
    c->compared++;
    char report[512];
    bool ok = within(c, t, &ref, report, sizeof report);
    if (c->j) {
        cli_json_str(c->j, "compare", ok ? "within" : "diverges");
        cli_json_str(c->j, "reference", path);
        if (!ok)
            cli_json_str(c->j, "report", report);
    }
    if (!ok) {
        if (!c->quiet && !c->j)
            printf("       DIVERGES from %s: %s\n", path, report);
        if (!c->diverged) {
            char nb[64];
            size_t len = strlen(report) + 256 + strlen(path);
            c->first = malloc(len);
            if (c->first)
                snprintf(c->first, len, "step %d, node '%s' (%s), output %d: %s", step,
                         instr_node_name(n, step, nb, sizeof nb), n->op, k, report);
            c->diverged = true;
        }
    }
    free(ref.data);
    free(path);
}

static void after_step(void *ctx, const mote_session *s, int step)
{
    trace_ctx *c = ctx;
    if (c->rc)
        return;
    const mote_node *n = &s->g->nodes[s->step_node[step]];
    char nb[64], d[160];
    if (c->j) {
        const char *act = mote_attr_get_string(n, "_act", NULL);
        cli_json_object(c->j, NULL);
        cli_json_int(c->j, "step", step);
        cli_json_str(c->j, "op", n->op);
        cli_json_str(c->j, "name", instr_node_name(n, step, nb, sizeof nb));
        cli_json_str(c->j, "fused_activation", act);
        cli_json_array(c->j, "inputs");
        for (int k = 0; k < n->n_in; k++) {
            if (n->in[k] >= 0)
                cli_json_tensor_type(c->j, NULL, &s->vals[n->in[k]]);
            else
                cli_json_null(c->j, NULL);
        }
        cli_json_end(c->j);
        cli_json_array(c->j, "outputs");
    } else if (!c->quiet) {
        const char *act = mote_attr_get_string(n, "_act", NULL);
        printf("%4d  %-14s %s%s%s\n", step, n->op, instr_node_name(n, step, nb, sizeof nb),
               act ? "  +" : "", act ? act : "");
        printf("      in ");
        for (int k = 0; k < n->n_in; k++)
            printf("%s%s", k ? ", " : "",
                   n->in[k] >= 0 ? instr_shape(&s->vals[n->in[k]], d, sizeof d) : "(none)");
        printf("\n");
    }
    for (int k = 0; k < n->n_out && !c->rc; k++) {
        const mote_tensor *t = &s->vals[n->out[k]];
        if (c->j) {
            mote_tstats ts;
            mote_tensor_stats(t, &ts);
            uint64_t h = t->data ? mote_fnv1a64(t->data, mote_tensor_nbytes(t)) : 0;
            char hex[24];
            snprintf(hex, sizeof hex, "%016" PRIx64, h);
            cli_json_object(c->j, NULL);
            cli_json_str(c->j, "dtype", mote_dtype_name(t->dtype));
            cli_json_array(c->j, "shape");
            for (int dd = 0; dd < t->ndim; dd++)
                cli_json_int(c->j, NULL, t->dims[dd]);
            cli_json_end(c->j);
            cli_json_num(c->j, "min", ts.min);
            cli_json_num(c->j, "max", ts.max);
            cli_json_num(c->j, "mean", ts.mean);
            cli_json_num(c->j, "std", ts.std);
            cli_json_int(c->j, "nan", ts.nan);
            cli_json_int(c->j, "inf", ts.inf);
            cli_json_str(c->j, "fnv1a64", hex);
        } else if (!c->quiet) {
            mote_tstats ts;
            mote_tensor_stats(t, &ts);
            uint64_t h = t->data ? mote_fnv1a64(t->data, mote_tensor_nbytes(t)) : 0;
            printf("      out %s  min %.6g  max %.6g  mean %.6g  std %.6g  nan %" PRId64
                   "  inf %" PRId64 "  fnv %016" PRIx64 "\n",
                   instr_shape(t, d, sizeof d), ts.min, ts.max, ts.mean, ts.std, ts.nan, ts.inf,
                   h);
        }
        if (c->dump) {
            char *path = npy_path(c->dump, n, step, k);
            c->rc = path ? dump_tensor(path, t) : cli_fail(NULL, "out of memory");
            free(path);
        }
        if (c->compare && !c->rc)
            compare_output(c, s, step, k, t);
        if (c->j)
            cli_json_end(c->j);
    }
    if (c->j) {
        cli_json_end(c->j);   /* outputs */
        cli_json_end(c->j);   /* the step */
    }
}

static bool parse_tol(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || isinf(v))
        return false;
    *out = v;
    return true;
}

int cli_cmd_trace(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "input", required_argument, NULL, 'i' },
        { "dump", required_argument, NULL, 'd' },
        { "compare", required_argument, NULL, 'c' },
        { "rtol", required_argument, NULL, OPT_RTOL },
        { "atol", required_argument, NULL, OPT_ATOL },
        { "isa", required_argument, NULL, OPT_ISA },
        { "threads", required_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0], *isa = NULL;
    int c, rc = CLI_OK;
    long threads = 1;
    trace_ctx tc = { .rtol = 1e-4, .atol = 1e-5 };
    cli_json jw;
    bool json = false;
    instr_model im;
    mote_session *s = NULL;
    if (!instr_init(&im, argc)) {
        instr_free(&im);
        return cli_fail(NULL, "out of memory");
    }
    while ((c = cli_getopt(argc, argv, "i:d:c:j:qh", longopts, usage, &rc)) != -1) {
        if (c == '?')
            goto out;
        if (c == 'i' && (rc = instr_add_input(&im, cmd, optarg)))
            goto out;
        if (c == 'd')
            tc.dump = optarg;
        if (c == 'c')
            tc.compare = optarg;
        if (c == 'q')
            tc.quiet = true;
        if (c == OPT_ISA)
            isa = optarg;
        if (c == OPT_JSON)
            json = true;
        if ((c == OPT_RTOL || c == OPT_ATOL) &&
            !parse_tol(optarg, c == OPT_RTOL ? &tc.rtol : &tc.atol)) {
            rc = cli_usage_error(cmd, "--%s wants a number >= 0, not '%s'",
                                 c == OPT_RTOL ? "rtol" : "atol", optarg);
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
    if (tc.compare && !cli_is_dir(tc.compare)) {
        rc = cli_fail(tc.compare, "not a directory (--compare wants a --dump directory)");
        goto out;
    }
    if (tc.dump && mkdir(tc.dump, 0777) != 0 && !(errno == EEXIST && cli_is_dir(tc.dump))) {
        rc = cli_fail(tc.dump, "cannot use as the dump directory: %s",
                      errno == EEXIST ? "not a directory" : strerror(errno));
        goto out;
    }
    if ((rc = instr_load(&im, cmd, path)) || (rc = instr_session(&im, isa, (int)threads, &s)))
        goto out;
    if (json) {
        tc.j = &jw;
        cli_json_init(&jw, stdout);
        cli_json_object(&jw, NULL);
        cli_json_str(&jw, "model", path);
        cli_json_str(&jw, "kernels", mote_session_isa(s));
        cli_json_array(&jw, "steps");
    } else if (!tc.quiet) {
        printf("model %s, kernels %s, %d steps\n", path, mote_session_isa(s), s->n_steps);
    }
    mote_step_hooks h = { .after = after_step, .ctx = &tc };
    mote_status st = mote_session_run_hooked(s, im.inputs, im.n_in, &h);
    if (json) {
        /* stdout stays one JSON value whatever happened; a step cut short
         * by a failure is closed here */
        while (jw.depth > 2)
            cli_json_end(&jw);
        cli_json_end(&jw);    /* steps */
        cli_json_bool(&jw, "ok", !st && !tc.rc);
        if (tc.dump)
            cli_json_str(&jw, "dumped_to", tc.dump);
        if (tc.compare && !st && !tc.rc) {
            cli_json_object(&jw, "compare");
            cli_json_str(&jw, "directory", tc.compare);
            cli_json_num(&jw, "rtol", tc.rtol);
            cli_json_num(&jw, "atol", tc.atol);
            cli_json_int(&jw, "compared", tc.compared);
            cli_json_int(&jw, "missing", tc.missing);
            cli_json_bool(&jw, "within_tolerance", !tc.diverged && tc.compared > 0);
            cli_json_str(&jw, "first_divergence", tc.diverged ? tc.first : NULL);
            cli_json_end(&jw);
        }
        cli_json_end(&jw);
        if (st)
            rc = cli_fail_status(path, st);
        else if (tc.rc)
            rc = tc.rc;
        else if (tc.compare && tc.diverged)
            rc = CLI_FAIL;
        else if (tc.compare && tc.compared == 0)
            rc = cli_fail(tc.compare, "no reference file matches a node of %s", path);
        goto out;
    }
    if (st) {
        rc = cli_fail_status(path, st);
        goto out;
    }
    if ((rc = tc.rc))
        goto out;
    if (tc.dump)
        printf("dumped %d steps' outputs to %s\n", s->n_steps, tc.dump);
    if (tc.compare) {
        if (tc.diverged) {
            printf("first divergence: %s\n", tc.first ? tc.first : "(out of memory)");
            rc = CLI_FAIL;
        } else if (tc.compared == 0) {
            rc = cli_fail(tc.compare, "no reference file matches a node of %s", path);
        } else {
            printf("all %d compared outputs within tolerance (rtol %g, atol %g)%s\n",
                   tc.compared, tc.rtol, tc.atol,
                   tc.missing ? "; some had no reference file" : "");
        }
    }
out:
    free(tc.first);
    if (s)
        mote_session_free(s);
    instr_free(&im);
    return rc;
}
