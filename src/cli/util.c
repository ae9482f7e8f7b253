/*
 * util.c — helpers shared by the `mote` commands: error and usage
 * reporting, option parsing, number formatting and tensor summaries.
 * No command logic lives here.
 */
#include "cli.h"
#include "graph/graph.h"
#include "runtime/instrument.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/session.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mote %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mote %s --help'.\n", cmd);
    return CLI_USAGE;
}

int cli_fail(const char *ctx, const char *fmt, ...)
{
    va_list ap;
    fputs("mote: ", stderr);
    if (ctx)
        fprintf(stderr, "%s: ", ctx);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAIL;
}

int cli_fail_status(const char *ctx, mote_status st)
{
    const char *msg = mote_last_error();
    if (!msg || !*msg)
        msg = mote_status_name(st);
    if (ctx && strstr(msg, ctx))
        ctx = NULL;  /* the message names the file already */
    return cli_fail(ctx, "%s", msg);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage, int *exit_code)
{
    /* A leading ':' makes getopt report a missing argument as ':'. */
    char opts[64];
    snprintf(opts, sizeof opts, ":%s", shortopts[0] == ':' ? shortopts + 1 : shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, opts, longopts, NULL);
    switch (c) {
    case 'h':
        fputs(usage, stdout);
        *exit_code = CLI_OK;
        return '?';
    case ':':
        *exit_code = cli_usage_error(argv[0], "option '%s' needs an argument", argv[optind - 1]);
        return '?';
    case '?':
        if (optopt)
            *exit_code = cli_usage_error(argv[0], "unknown option '-%c'", optopt);
        else
            *exit_code = cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
        return '?';
    default:
        return c;
    }
}

bool cli_parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool is_float(mote_dtype d)
{
    return d == MOTE_F32 || d == MOTE_F16 || d == MOTE_BF16;
}

static void print_value(FILE *f, mote_dtype d, double v)
{
    if (is_float(d))
        fprintf(f, "%.6g", v);
    else
        fprintf(f, "%.0f", v);
}

void cli_print_summary(FILE *f, const char *name, const mote_tensor *t)
{
    char desc[160];
    mote_tensor_describe(t, desc, sizeof desc);
    fprintf(f, "%s: %s\n", name, desc);
    int64_t n = mote_tensor_numel(t);
    if (n <= 0 || !t->data)
        return;
    /* min, max and mean over the finite values; NaN/inf are counted apart */
    mote_tstats s;
    mote_tensor_stats(t, &s);
    int64_t nonfinite = s.nan + s.inf, imax = s.argmax;
    if (n > nonfinite) {
        fputs("  min ", f);
        print_value(f, t->dtype, s.min);
        fputs("  max ", f);
        print_value(f, t->dtype, s.max);
        fprintf(f, "  mean %.6g", s.mean);
    }
    if (nonfinite)
        fprintf(f, "  non-finite %lld", (long long)nonfinite);
    fputc('\n', f);
    fputs("  values:", f);
    int64_t shown = n < 8 ? n : 8;
    for (int64_t i = 0; i < shown; i++) {
        fputc(' ', f);
        print_value(f, t->dtype, mote_tensor_elem(t, i));
    }
    fputs(n > shown ? " ...\n" : "\n", f);
    /* a vector: every dimension but the last is 1 ([10], [1,10], [1,1,10]) */
    bool vector = t->ndim >= 1 && n > 1 && t->dims[t->ndim - 1] == n;
    if (vector && imax >= 0) {
        fprintf(f, "  argmax: %lld (", (long long)imax);
        print_value(f, t->dtype, s.max);
        fputs(")\n", f);
    }
}

const char *cli_bytes(double b, char *buf)
{
    static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%.0f B", b);
    else
        snprintf(buf, 32, "%.1f %s", b, unit[u]);
    return buf;
}

const char *cli_count(double n, char *buf)
{
    static const char *unit[] = { "", " k", " M", " G", " T" };
    int u = 0;
    while (n >= 1000 && u < 4) {
        n /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%.0f", n);
    else
        snprintf(buf, 32, "%.3g%s", n, unit[u]);
    return buf;
}

char *cli_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    size_t k = la;
    if (la && a[la - 1] != '/')
        s[k++] = '/';
    memcpy(s + k, b, lb + 1);
    return s;
}

bool cli_is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool cli_is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* "NAME=D0xD1x..." -> the input's index in m and its dims; a message and
 * -1 on a malformed spec, an unknown input or a wrong rank. */
static int parse_shape(const mote_model *m, const char *spec, int64_t dims[MOTE_MAX_DIMS])
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        cli_fail(NULL, "--shape %s: expected NAME=D0xD1x... (e.g. image=4x1x28x28)", spec);
        return -1;
    }
    int in = -1, n_in = mote_model_num_inputs(m);
    mote_tensor t;
    const char *name = NULL;
    for (int i = 0; i < n_in && in < 0; i++) {
        name = mote_model_input(m, i, &t);
        if (name && strlen(name) == (size_t)(eq - spec) && !strncmp(name, spec, (size_t)(eq - spec)))
            in = i;
    }
    if (in < 0) {
        cli_fail(NULL, "--shape %s: the model has no input called '%.*s'", spec, (int)(eq - spec), spec);
        return -1;
    }
    int nd = 0;
    const char *p = eq + 1;
    for (;;) {
        char *end;
        long long d = strtoll(p, &end, 10);
        if (end == p || d < 1 || d > ((long long)1 << 40) || nd == MOTE_MAX_DIMS) {
            cli_fail(NULL, "--shape %s: dimensions must be positive integers separated by 'x'", spec);
            return -1;
        }
        dims[nd++] = d;
        if (!*end) break;
        if (*end != 'x') {
            cli_fail(NULL, "--shape %s: dimensions must be positive integers separated by 'x'", spec);
            return -1;
        }
        p = end + 1;
    }
    if (nd != t.ndim) {
        cli_fail(NULL, "--shape %s: input '%s' has %d dimensions, not %d", spec, name, t.ndim, nd);
        return -1;
    }
    for (int d = 0; d < nd; d++)
        if (t.dims[d] >= 0 && t.dims[d] != dims[d]) {
            cli_fail(NULL, "--shape %s: dimension %d of '%s' is fixed at %lld", spec, d, name,
                     (long long)t.dims[d]);
            return -1;
        }
    return in;
}

int cli_shapes_add(cli_shapes *sh, char *arg, const char *prog)
{
    if (sh->n == MOTE_MAX_INPUT_SPECS)
        return cli_usage_error(prog, "too many --shape options");
    sh->spec[sh->n++] = arg;
    return CLI_OK;
}

mote_status cli_input_shapes(const mote_model *m, const cli_shapes *shapes_given,
                             mote_tensor **out, bool *open_dims)
{
    *out = NULL;
    *open_dims = false;
    int n_in = mote_model_num_inputs(m);
    mote_tensor *shapes = calloc((size_t)n_in + 1, sizeof *shapes);
    if (!shapes)
        return MOTE_ERR_NOMEM;
    for (int i = 0; i < n_in; i++)
        mote_model_input(m, i, &shapes[i]);
    for (int k = 0; shapes_given && k < shapes_given->n; k++) {
        int64_t dims[MOTE_MAX_DIMS];
        int in = parse_shape(m, shapes_given->spec[k], dims);
        if (in < 0) {
            free(shapes);
            return MOTE_ERR_ARG;
        }
        memcpy(shapes[in].dims, dims, sizeof(int64_t) * (size_t)shapes[in].ndim);
    }
    for (int i = 0; i < n_in; i++)
        for (int d = 0; d < shapes[i].ndim; d++)
            if (shapes[i].dims[d] < 0) {
                shapes[i].dims[d] = 1;
                *open_dims = true;
            }
    *out = shapes;
    return MOTE_OK;
}

mote_status cli_inspect_session(const mote_model *m, const cli_shapes *shapes_given,
                                mote_session **out, bool *open_dims)
{
    *out = NULL;
    mote_tensor *shapes;
    mote_status st = cli_input_shapes(m, shapes_given, &shapes, open_dims);
    if (st)
        return st;
    int n_in = mote_model_num_inputs(m);
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = 1;
    o.pin = 0;
    o.input_shapes = shapes;
    o.n_input_shapes = n_in;
    /* inspection needs the plan's sizes, not its memory */
    st = mote_session_new_plan_only(m, &o, out);
    free(shapes);
    return st;
}
