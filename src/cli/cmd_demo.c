/*
 * cmd_demo.c — `mote demo`: classifies the bundled Fashion-MNIST sample
 * images with the bundled model and prints, per image, the predicted
 * class, its probability and whether it matches the label in the file
 * name (NN_<label>.pgm, where <label> is a class index, a class name, or
 * the beginning of one: "tshirt" for "T-shirt/top").
 *
 * Where it looks, first match wins: --model / --samples; the directory of
 * --model; $MOTE_DATA (holding fashion.mote and samples/); models/fashion
 * under the current directory (a source tree); the installed
 * $(pkgdatadir)/fashion. It is a demonstration, not an evaluation: the
 * accuracy test lives in tests/.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pgm.h"
#include "graph/graph.h"

/* The build passes the install location: -DMOTE_PKGDATADIR="$(pkgdatadir)" */
#ifdef MOTE_PKGDATADIR
#define INSTALLED_DIR MOTE_PKGDATADIR "/fashion"
#else
#define INSTALLED_DIR "(not installed)"
#endif

static const char usage[] =
    "Usage: mote demo [options]\n"
    "\n"
    "Runs the bundled Fashion-MNIST classifier on the bundled sample images\n"
    "(28x28 binary PGM files named NN_<label>.pgm) and prints each prediction\n"
    "with its probability and whether it matches the label.\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE     the model (default: fashion.mote, searched for)\n"
    "  -s, --samples DIR    the directory of .pgm images (default: samples/,\n"
    "                       searched for)\n"
    "  -j, --threads N      worker threads (default: 1)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Search order: the directory of --model, $MOTE_DATA, ./models/fashion,\n"
    INSTALLED_DIR ".\n";

/* Directories that may hold fashion.mote and samples/, in order. */
static int candidate_dirs(const char *model, char **dirs, int cap)
{
    int n = 0;
    if (model) {
        const char *slash = strrchr(model, '/');
        char *d = slash ? strndup(model, (size_t)(slash - model + (slash == model))) :
                          strdup(".");
        if (d)
            dirs[n++] = d;
    }
    const char *env = getenv("MOTE_DATA");
    if (env && *env && n < cap)
        dirs[n++] = strdup(env);
    if (n < cap)
        dirs[n++] = strdup("models/fashion");
#ifdef MOTE_PKGDATADIR
    if (n < cap)
        dirs[n++] = strdup(INSTALLED_DIR);
#endif
    return n;
}

/* The first dir/leaf that exists (as a file or a directory), or NULL. */
static char *search(char **dirs, int n, const char *leaf, bool want_dir)
{
    for (int i = 0; i < n; i++) {
        if (!dirs[i])
            continue;
        char *p = cli_join(dirs[i], leaf);
        if (p && (want_dir ? cli_is_dir(p) : cli_is_file(p)))
            return p;
        free(p);
    }
    return NULL;
}

/* Lower-case letters and digits only, so "T-shirt/top" == "t_shirt_top". */
static void normalize(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && s[i] && k + 1 < cap; i++)
        if (isalnum((unsigned char)s[i]))
            out[k++] = (char)tolower((unsigned char)s[i]);
    out[k] = '\0';
}

/* Class names from the comma-separated "labels" metadata. */
typedef struct labels {
    char *buf;          /* a copy of the metadata, split in place */
    const char **name;  /* (count)                                */
    int count;
} labels;

static void labels_parse(const char *meta, labels *l)
{
    memset(l, 0, sizeof *l);
    if (!meta || !(l->buf = strdup(meta)))
        return;
    int cap = 1;
    for (const char *p = meta; *p; p++)
        cap += *p == ',';
    if (!(l->name = calloc((size_t)cap, sizeof *l->name)))
        return;
    for (char *tok = l->buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        l->name[l->count++] = tok;
    }
}

/* The class a file name NN_<label>.pgm stands for, or -1 if unknown. */
static int label_of(const char *file, const labels *l)
{
    const char *u = strchr(file, '_'), *dot = strrchr(file, '.');
    if (!u || !dot || dot <= u + 1)
        return -1;
    size_t n = (size_t)(dot - u - 1);
    bool digits = true;
    for (size_t i = 0; i < n; i++)
        digits = digits && isdigit((unsigned char)u[1 + i]);
    if (digits)
        return n < 6 ? atoi(u + 1) : -1;
    /* the name itself, else the one class whose name it begins
     * ("tshirt" for "T-shirt/top") */
    char want[64], have[64];
    normalize(u + 1, n, want, sizeof want);
    int prefix = -1, n_prefix = 0;
    for (int i = 0; i < l->count; i++) {
        normalize(l->name[i], strlen(l->name[i]), have, sizeof have);
        if (strcmp(want, have) == 0)
            return i;
        if (*want && strncmp(want, have, strlen(want)) == 0) {
            prefix = i;
            n_prefix++;
        }
    }
    return n_prefix == 1 ? prefix : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .pgm files of dir, sorted; *n set. NULL with *n = 0 if none. */
static char **list_samples(const char *dir, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **v = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".pgm") != 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, sizeof *v * (size_t)cap);
            if (!nv)
                break;
            v = nv;
        }
        if ((v[*n] = strdup(e->d_name)))
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(v, (size_t)*n, sizeof *v, cmp_str);
    return v;
}

/* Softmax of x (n values) into p, with the max subtracted for stability. */
static void softmax(const double *x, double *p, int n)
{
    double mx = x[0], sum = 0;
    for (int i = 1; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    for (int i = 0; i < n; i++)
        sum += p[i] = exp(x[i] - mx);
    for (int i = 0; i < n; i++)
        p[i] /= sum;
}

typedef struct demo {
    const char *model_path, *samples_dir;
    mote_model *m;
    mote_session *s;
    mote_tensor in;     /* f32, the model's input shape with open dims = 1 */
    float *pixels;      /* (numel of in) */
    labels lab;
} demo;

/* Sets up the session for one image per run; the input must hold H*W values. */
static int demo_prepare(demo *d, int threads)
{
    mote_status st = mote_model_open(d->model_path, &d->m);
    if (st)
        return cli_fail_status(d->model_path, st);
    if (mote_model_num_inputs(d->m) != 1 || mote_model_num_outputs(d->m) < 1)
        return cli_fail(d->model_path, "the demo wants a model with one input and an output");
    mote_model_input(d->m, 0, &d->in);
    if (d->in.dtype != MOTE_F32)
        return cli_fail(d->model_path, "the demo wants an f32 image input");
    for (int i = 0; i < d->in.ndim; i++)
        if (d->in.dims[i] < 0)
            d->in.dims[i] = 1;  /* a batch of one */
    int64_t n = mote_tensor_numel(&d->in);
    if (n <= 0 || !(d->pixels = calloc((size_t)n, sizeof(float))))
        return cli_fail(d->model_path, "cannot allocate its input");
    d->in.data = d->pixels;
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.input_shapes = &d->in;
    o.n_input_shapes = 1;
    if ((st = mote_session_new(d->m, &o, &d->s)))
        return cli_fail_status(d->model_path, st);
    labels_parse(mote_model_meta(d->m, "labels"), &d->lab);
    return CLI_OK;
}

/* Classifies one image; *correct is 1, 0, or -1 when the label is unknown. */
static int demo_one(demo *d, const char *file, int *correct)
{
    char *path = cli_join(d->samples_dir, file);
    if (!path)
        return cli_fail(file, "out of memory");
    cli_image img;
    mote_status st = cli_pgm_read(path, &img);
    if (st) {
        int rc = cli_fail_status(path, st);
        free(path);
        return rc;
    }
    int rc = CLI_OK;
    int64_t n = mote_tensor_numel(&d->in);
    if ((int64_t)img.width * img.height != n) {
        char desc[160];
        rc = cli_fail(path, "a %dx%d image does not fit the model input %s", img.width,
                      img.height, mote_tensor_describe(&d->in, desc, sizeof desc));
        goto done;
    }
    for (int64_t i = 0; i < n; i++)  /* pixels scaled to [0, 1], as in training */
        d->pixels[i] = (float)img.pixels[i] / (float)img.maxval;
    mote_tensor out;
    if ((st = mote_session_run(d->s, &d->in, 1)) || (st = mote_session_output(d->s, 0, &out))) {
        rc = cli_fail_status(d->model_path, st);
        goto done;
    }
    int k = (int)mote_tensor_numel(&out);
    double *logit = malloc(sizeof(double) * 2 * (size_t)(k > 0 ? k : 1));
    if (k <= 0 || !logit) {
        free(logit);
        rc = cli_fail(d->model_path, "empty output");
        goto done;
    }
    double *prob = logit + k;
    for (int i = 0; i < k; i++)
        logit[i] = mote_tensor_elem(&out, i);
    softmax(logit, prob, k);
    int best = 0;
    for (int i = 1; i < k; i++)
        if (prob[i] > prob[best])
            best = i;
    int truth = label_of(file, &d->lab);
    *correct = truth < 0 ? -1 : truth == best;
    char num[32];
    snprintf(num, sizeof num, "class %d", best);
    const char *name = best < d->lab.count ? d->lab.name[best] : num;
    printf("%-24s %-14s %6.2f%%  %s", file, name, 100.0 * prob[best],
           *correct < 0 ? "(no label)" : *correct ? "ok" : "WRONG");
    if (*correct == 0)
        printf(" (label: %s)", truth < d->lab.count ? d->lab.name[truth] : "?");
    putchar('\n');
    free(logit);
done:
    free(img.pixels);
    free(path);
    return rc;
}

int cli_cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "model", required_argument, NULL, 'm' },
        { "samples", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = CLI_OK;
    const char *model = NULL, *samples = NULL;
    long threads = 1;
    while ((c = cli_getopt(argc, argv, "m:s:j:h", longopts, usage, &rc)) != -1) {
        if (c == '?')
            return rc;
        if (c == 'm')
            model = optarg;
        else if (c == 's')
            samples = optarg;
        else if (c == 'j' && !cli_parse_int(optarg, 1, 4096, &threads))
            return cli_usage_error(argv[0], "--threads wants a number from 1 to 4096, not '%s'",
                                   optarg);
    }
    if (optind < argc)
        return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);

    char *dirs[4] = { 0 };
    int nd = candidate_dirs(model, dirs, 4);
    char *found_model = model ? NULL : search(dirs, nd, "fashion.mote", false);
    char *found_samples = samples ? NULL : search(dirs, nd, "samples", true);
    demo d = { .model_path = model ? model : found_model,
               .samples_dir = samples ? samples : found_samples };
    char **files = NULL;
    int n_files = 0;
    if (!d.model_path || !d.samples_dir) {
        fprintf(stderr, "mote demo: cannot find %s; looked in:",
                !d.model_path ? "the model fashion.mote" : "the samples/ directory");
        for (int i = 0; i < nd; i++)
            if (dirs[i])
                fprintf(stderr, " %s", dirs[i]);
        fprintf(stderr, "\nGive --model and --samples, or set MOTE_DATA.\n");
        rc = CLI_FAIL;
        goto out;
    }
    if ((rc = demo_prepare(&d, (int)threads)))
        goto out;
    files = list_samples(d.samples_dir, &n_files);
    if (n_files == 0) {
        rc = cli_fail(d.samples_dir, "no .pgm images here");
        goto out;
    }
    printf("model %s, %d samples from %s\n", d.model_path, n_files, d.samples_dir);
    int right = 0, labelled = 0;
    for (int i = 0; i < n_files && rc == CLI_OK; i++) {
        int ok = -1;
        rc = demo_one(&d, files[i], &ok);
        if (rc == CLI_OK && ok >= 0) {
            labelled++;
            right += ok;
        }
    }
    if (rc == CLI_OK && labelled)
        printf("%d of %d correct\n", right, labelled);
out:
    for (int i = 0; i < n_files; i++)
        free(files[i]);
    free(files);
    if (d.s)
        mote_session_free(d.s);
    if (d.m)
        mote_model_close(d.m);
    free(d.pixels);
    free(d.lab.buf);
    free(d.lab.name);
    free(found_model);
    free(found_samples);
    for (int i = 0; i < nd; i++)
        free(dirs[i]);
    return rc;
}
