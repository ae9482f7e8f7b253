/*
 * cmd_run.c — `mote run MODEL -i NAME=FILE.npy ... [-o DIR]`: runs a model
 * once on inputs read from .npy files, then writes each output as
 * DIR/<output name>.npy or prints a summary of it.
 *
 * Inputs must match the model's dtypes and fixed dimensions exactly (an
 * f32 file is accepted for a bf16 or f16 input and rounded); dimensions
 * the model leaves open are taken from the files. It is not a benchmark
 * (see bench/) and does not batch.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/npy.h"
#include "json.h"

static const char usage[] =
    "Usage: mote run [options] MODEL.mote -i NAME=FILE.npy [-i NAME=FILE.npy ...]\n"
    "       mote run [options] MODEL.mote FILE.npy...\n"
    "\n"
    "Runs the model once. Each input comes from a numpy .npy file, given by\n"
    "input name with -i, or by position (in the model's input order). Without\n"
    "-o, prints each output's shape, min/max/mean, first values and (for a\n"
    "vector) argmax; with -o, writes each output to DIR/<name>.npy.\n"
    "\n"
    "Options:\n"
    "  -i, --input NAME=FILE   the .npy file for the input called NAME\n"
    "  -o, --output DIR        write outputs as DIR/<output name>.npy (created if\n"
    "                          missing; characters other than letters, digits,\n"
    "                          '.', '-' and '_' in a name become '_')\n"
    "  -j, --threads N         worker threads (default: MOTE_THREADS, else one per\n"
    "                          physical core)\n"
    "      --isa ISA           kernel table: ref, avx2, avx512, neon (default:\n"
    "                          MOTE_ISA, else the best the CPU supports)\n"
    "      --json              print the output summaries (and files written) as\n"
    "                          one JSON object on stdout\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 on success, 1 if a file or the run fails, 2 on a usage error.\n";

enum { OPT_ISA = 256, OPT_JSON };

typedef struct run_input {
    const char *name;     /* NULL for a positional file */
    const char *file;
    mote_tensor t;        /* data malloc'd by mote_npy_read */
} run_input;

typedef struct run_ctx {
    const char *model_path;
    mote_model *m;
    int n_in;             /* model inputs                           */
    run_input *given;     /* the files named on the command line    */
    int n_given;
    int *which;           /* model input i is given[which[i]]       */
} run_ctx;

/* Output names may hold '/', ':' and the like: keep a safe file name. */
static char *safe_name(const char *name)
{
    size_t n = strlen(name);
    char *s = malloc(n + 2);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
        s[i] = ok ? ch : '_';
    }
    s[n] = '\0';
    if (n == 0 || s[0] == '.')  /* no "", ".", ".." or hidden files */
        s[0] = '_';
    if (n == 0)
        s[1] = '\0';
    return s;
}

/* Matches the files to model inputs; a usage error names what is wrong. */
static int match_inputs(run_ctx *r, const char *cmd)
{
    bool named = r->n_given > 0 && r->given[0].name;
    for (int j = 0; j < r->n_given; j++)
        if ((r->given[j].name != NULL) != named)
            return cli_usage_error(cmd, "give inputs either all with -i NAME=FILE or all by "
                                   "position, not both");
    if (!named && r->n_given > r->n_in)
        return cli_usage_error(cmd, "%d input files for a model with %d input%s", r->n_given,
                               r->n_in, r->n_in == 1 ? "" : "s");
    for (int i = 0; i < r->n_in; i++)
        r->which[i] = -1;
    if (!named) {
        for (int j = 0; j < r->n_given; j++)
            r->which[j] = j;
    } else {
        for (int j = 0; j < r->n_given; j++) {
            int found = -1;
            for (int i = 0; i < r->n_in; i++)
                if (strcmp(mote_model_input(r->m, i, &(mote_tensor){ 0 }), r->given[j].name) == 0)
                    found = i;
            if (found < 0) {
                fprintf(stderr, "mote run: %s has no input named '%s'; its inputs are:",
                        r->model_path, r->given[j].name);
                for (int i = 0; i < r->n_in; i++)
                    fprintf(stderr, " %s", mote_model_input(r->m, i, &(mote_tensor){ 0 }));
                fputc('\n', stderr);
                return CLI_USAGE;
            }
            if (r->which[found] >= 0)
                return cli_usage_error(cmd, "input '%s' given twice", r->given[j].name);
            r->which[found] = j;
        }
    }
    for (int i = 0; i < r->n_in; i++) {
        if (r->which[i] < 0) {
            mote_tensor t;
            const char *name = mote_model_input(r->m, i, &t);
            char d[160];
            return cli_usage_error(cmd, "no file for input '%s' (%s): give -i %s=FILE.npy",
                                   name, mote_tensor_describe(&t, d, sizeof d), name);
        }
    }
    return CLI_OK;
}

/* f32 data for a 16-bit float input: rounded in place (same element count). */
static void narrow_f32(mote_tensor *t, mote_dtype to)
{
    int64_t n = mote_tensor_numel(t);
    const float *src = t->data;
    uint16_t *dst = t->data;  /* writing 2 bytes behind reading 4: safe in place */
    for (int64_t i = 0; i < n; i++)
        dst[i] = to == MOTE_BF16 ? mote_f32_to_bf16(src[i]) : mote_f32_to_f16(src[i]);
    t->dtype = to;
}

/* Checks a file's dtype and shape against model input i. */
static int check_input(run_ctx *r, int i, mote_tensor *shape_out)
{
    mote_tensor want;
    const char *name = mote_model_input(r->m, i, &want);
    run_input *in = &r->given[r->which[i]];
    mote_tensor *t = &in->t;
    if (t->dtype == MOTE_F32 && (want.dtype == MOTE_BF16 || want.dtype == MOTE_F16))
        narrow_f32(t, want.dtype);
    bool ok = t->dtype == want.dtype && t->ndim == want.ndim;
    for (int d = 0; ok && d < want.ndim; d++)
        ok = want.dims[d] < 0 || want.dims[d] == t->dims[d];
    if (!ok) {
        char w[160], g[160];
        bool open_dims = false;
        for (int d = 0; d < want.ndim; d++)
            open_dims = open_dims || want.dims[d] < 0;
        return cli_fail(in->file, "input '%s' of %s needs %s%s, the file holds %s", name,
                        r->model_path, mote_tensor_describe(&want, w, sizeof w),
                        open_dims ? " (-1: any size)" : "", mote_tensor_describe(t, g, sizeof g));
    }
    *shape_out = *t;
    shape_out->data = NULL;
    return CLI_OK;
}

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || (errno == EEXIST && cli_is_dir(dir)))
        return CLI_OK;
    return cli_fail(dir, "cannot use as the output directory: %s",
                    errno == EEXIST ? "not a directory" : strerror(errno));
}

/* One output being written: its final path and the temporary file that
 * holds it until every output is written. */
typedef struct out_file {
    char *path;
    mote_npy_temp tf;
    char desc[160];
    bool widened;        /* bf16 written as f32 */
} out_file;

/* Writes output t as a temporary file for DIR/<name>.npy; bf16 (no numpy
 * type) as f32. The caller commits or discards o->tf. */
static int write_output(const char *dir, const char *name, const mote_tensor *t, out_file *o)
{
    char *base = safe_name(name), *file = NULL;
    int rc = CLI_FAIL;
    mote_tensor w = *t;
    float *wide = NULL;
    if (!base || !(file = malloc(strlen(base) + 5)))
        goto done;
    strcpy(file, base);
    strcat(file, ".npy");
    if (!(o->path = cli_join(dir, file)))
        goto done;
    if (t->dtype == MOTE_BF16) {
        int64_t n = mote_tensor_numel(t);
        if (!(wide = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1))))
            goto done;
        for (int64_t i = 0; i < n; i++)
            wide[i] = mote_bf16_to_f32(((const uint16_t *)t->data)[i]);
        w.dtype = MOTE_F32;
        w.data = wide;
        o->widened = true;
    }
    mote_status st = mote_npy_write_temp(o->path, &w, &o->tf);
    if (st) {
        rc = cli_fail_status(o->path, st);
        goto done;
    }
    mote_tensor_describe(&w, o->desc, sizeof o->desc);
    rc = CLI_OK;
done:
    if (rc && !o->path)
        cli_fail(name, "out of memory");
    free(wide);
    free(file);
    free(base);
    return rc;
}

/* All outputs or none: each is written completely under a temporary name
 * first; only when every one succeeded are they renamed into place, so a
 * failure (a full disk) leaves the directory's old files as they were.
 * Then each is named on stdout, or as an object (its summary and "file")
 * in j's open array. */
static int write_outputs(run_ctx *r, mote_session *s, const char *outdir, cli_json *j)
{
    int n = mote_model_num_outputs(r->m), rc = CLI_OK;
    out_file *o = calloc((size_t)n + 1, sizeof *o);
    if (!o)
        return cli_fail(NULL, "out of memory");
    int written = 0;
    for (; written < n && rc == CLI_OK; written++) {
        mote_tensor t;
        const char *name = mote_model_output(r->m, written, &(mote_tensor){ 0 });
        o[written].tf.slot = -1;
        mote_status st = mote_session_output(s, written, &t);
        rc = st ? cli_fail_status(r->model_path, st) : write_output(outdir, name, &t, &o[written]);
    }
    for (int i = 0; i < written; i++) {
        if (rc == CLI_OK) {
            mote_status st = mote_npy_commit(&o[i].tf, o[i].path);
            if (st)
                rc = cli_fail_status(o[i].path, st);
        } else {
            mote_npy_discard(&o[i].tf);
        }
    }
    for (int i = 0; rc == CLI_OK && i < n; i++) {
        mote_tensor t;
        const char *name = mote_model_output(r->m, i, &(mote_tensor){ 0 });
        if (j && mote_session_output(s, i, &t) == MOTE_OK) {
            cli_json_object(j, NULL);
            cli_json_tensor_fields(j, name, &t);
            cli_json_str(j, "file", o[i].path);
            cli_json_end(j);
        } else if (!j) {
            printf("%s: %s -> %s%s\n", name, o[i].desc, o[i].path,
                   o[i].widened ? " (bf16 written as f32)" : "");
        }
    }
    for (int i = 0; i < written; i++) free(o[i].path);
    free(o);
    return rc;
}

static int run_model(run_ctx *r, const char *outdir, int threads, const char *isa, bool json)
{
    cli_json jw, *j = json ? &jw : NULL;
    int rc;
    mote_tensor *shapes = calloc((size_t)r->n_in + 1, sizeof *shapes);
    mote_tensor *inputs = calloc((size_t)r->n_in + 1, sizeof *inputs);
    mote_session *s = NULL;
    if (!shapes || !inputs) {
        rc = cli_fail(NULL, "out of memory");
        goto done;
    }
    for (int i = 0; i < r->n_in; i++) {
        if ((rc = check_input(r, i, &shapes[i])))
            goto done;
        inputs[i] = r->given[r->which[i]].t;
    }
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.isa = isa;
    o.input_shapes = shapes;
    o.n_input_shapes = r->n_in;
    mote_status st = mote_session_new(r->m, &o, &s);
    if (st) {
        rc = cli_fail_status(r->model_path, st);
        goto done;
    }
    if ((st = mote_session_run(s, inputs, r->n_in))) {
        rc = cli_fail_status(r->model_path, st);
        goto done;
    }
    if (outdir && (rc = make_dir(outdir)))
        goto done;
    rc = CLI_OK;
    if (j) {
        cli_json_init(j, stdout);
        cli_json_object(j, NULL);
        cli_json_str(j, "model", r->model_path);
        cli_json_str(j, "kernels", mote_session_isa(s));
        cli_json_int(j, "threads", mote_session_threads(s));
        cli_json_array(j, "outputs");
    }
    if (outdir)
        rc = write_outputs(r, s, outdir, j);
    for (int i = 0; !outdir && i < mote_model_num_outputs(r->m); i++) {
        mote_tensor t;
        const char *name = mote_model_output(r->m, i, &(mote_tensor){ 0 });
        if ((st = mote_session_output(s, i, &t))) {
            rc = cli_fail_status(r->model_path, st);
            break;
        }
        if (j) {
            cli_json_object(j, NULL);
            cli_json_tensor_fields(j, name, &t);
            cli_json_end(j);
        } else {
            cli_print_summary(stdout, name, &t);
        }
    }
    if (j) {
        /* closed even after a failed write, so stdout stays one JSON value */
        cli_json_end(j);
        cli_json_end(j);
    }
done:
    if (s)
        mote_session_free(s);
    free(inputs);
    free(shapes);
    return rc;
}

int cli_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "input", required_argument, NULL, 'i' },
        { "output", required_argument, NULL, 'o' },
        { "threads", required_argument, NULL, 'j' },
        { "isa", required_argument, NULL, OPT_ISA },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = argv[0];
    int c, rc = CLI_OK;
    const char *outdir = NULL, *isa = NULL;
    long threads = 0;
    bool json = false;
    run_ctx r = { 0 };
    /* at most one file per argument */
    r.given = calloc((size_t)argc + 1, sizeof *r.given);
    if (!r.given)
        return cli_fail(NULL, "out of memory");
    while ((c = cli_getopt(argc, argv, "i:o:j:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            goto out;
        if (c == 'i') {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) {
                rc = cli_usage_error(cmd, "-i wants NAME=FILE.npy, not '%s'", optarg);
                goto out;
            }
            *eq = '\0';
            r.given[r.n_given].name = optarg;
            r.given[r.n_given++].file = eq + 1;
        } else if (c == 'o') {
            outdir = optarg;
        } else if (c == 'j') {
            if (!cli_parse_int(optarg, 1, 4096, &threads)) {
                rc = cli_usage_error(cmd, "--threads wants a number from 1 to 4096, not '%s'",
                                     optarg);
                goto out;
            }
        } else if (c == OPT_ISA) {
            isa = optarg;
        } else if (c == OPT_JSON) {
            json = true;
        }
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "missing MODEL");
        goto out;
    }
    r.model_path = argv[optind++];
    for (; optind < argc; optind++) {
        r.given[r.n_given].name = NULL;
        r.given[r.n_given++].file = argv[optind];
    }
    mote_status st = mote_model_open(r.model_path, &r.m);
    if (st) {
        rc = cli_fail_status(r.model_path, st);
        goto out;
    }
    r.n_in = mote_model_num_inputs(r.m);
    if (!(r.which = calloc((size_t)r.n_in + 1, sizeof *r.which))) {
        rc = cli_fail(NULL, "out of memory");
        goto out;
    }
    if ((rc = match_inputs(&r, cmd)))
        goto out;
    for (int j = 0; j < r.n_given; j++) {
        if ((st = mote_npy_read(r.given[j].file, &r.given[j].t))) {
            rc = cli_fail_status(r.given[j].file, st);
            goto out;
        }
    }
    rc = run_model(&r, outdir, (int)threads, isa, json);
out:
    for (int j = 0; j < r.n_given; j++)
        free(r.given[j].t.data);
    free(r.given);
    free(r.which);
    if (r.m)
        mote_model_close(r.m);
    return rc;
}
