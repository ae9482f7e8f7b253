/*
 * instr.c — the instrument commands' shared command-line plumbing (see
 * instr.h): inputs from .npy files, sessions on a chosen kernel table.
 */
#include "instr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/npy.h"

bool instr_init(instr_model *im, int argc)
{
    memset(im, 0, sizeof *im);
    im->names = calloc((size_t)argc + 1, sizeof *im->names);
    im->files = calloc((size_t)argc + 1, sizeof *im->files);
    return im->names && im->files;
}

int instr_add_input(instr_model *im, const char *cmd, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage_error(cmd, "-i wants NAME=FILE.npy, not '%s'", arg);
    *eq = '\0';
    im->names[im->n_given] = arg;
    im->files[im->n_given++] = eq + 1;
    return CLI_OK;
}

void instr_add_file(instr_model *im, const char *file)
{
    im->names[im->n_given] = NULL;
    im->files[im->n_given++] = file;
}

/* Index of the model input called name, or -1. */
static int input_index(const mote_model *m, const char *name)
{
    for (int i = 0; i < mote_model_num_inputs(m); i++)
        if (strcmp(mote_model_input(m, i, &(mote_tensor){ 0 }), name) == 0)
            return i;
    return -1;
}

int instr_load(instr_model *im, const char *cmd, const char *path)
{
    im->path = path;
    mote_status st = mote_model_open(path, &im->m);
    if (st)
        return cli_fail_status(path, st);
    im->n_in = mote_model_num_inputs(im->m);
    im->inputs = calloc((size_t)im->n_in + 1, sizeof *im->inputs);
    if (!im->inputs)
        return cli_fail(NULL, "out of memory");
    int *src = calloc((size_t)im->n_in + 1, sizeof *src);
    if (!src)
        return cli_fail(NULL, "out of memory");
    int rc = CLI_OK;
    for (int i = 0; i < im->n_in; i++)
        src[i] = -1;
    for (int j = 0; j < im->n_given && !rc; j++) {
        int i = im->names[j] ? input_index(im->m, im->names[j]) : j;
        if (im->names[j] && i < 0)
            rc = cli_usage_error(cmd, "%s has no input named '%s' (its first input is '%s')",
                                 path, im->names[j],
                                 im->n_in ? mote_model_input(im->m, 0, &(mote_tensor){ 0 }) : "");
        else if (i >= im->n_in)
            rc = cli_usage_error(cmd, "%d input files for a model with %d inputs", im->n_given,
                                 im->n_in);
        else if (src[i] >= 0)
            rc = cli_usage_error(cmd, "input '%s' given twice",
                                 mote_model_input(im->m, i, &(mote_tensor){ 0 }));
        else
            src[i] = j;
    }
    for (int i = 0; i < im->n_in && !rc; i++) {
        const char *name = mote_model_input(im->m, i, &(mote_tensor){ 0 });
        if (src[i] < 0) {
            rc = cli_usage_error(cmd, "no file for input '%s': give -i %s=FILE.npy", name, name);
            break;
        }
        if ((st = mote_npy_read(im->files[src[i]], &im->inputs[i])))
            rc = cli_fail_status(im->files[src[i]], st);
    }
    free(src);
    return rc;
}

int instr_session(const instr_model *im, const char *isa, int threads, mote_session **out)
{
    mote_tensor *shapes = calloc((size_t)im->n_in + 1, sizeof *shapes);
    if (!shapes)
        return cli_fail(NULL, "out of memory");
    for (int i = 0; i < im->n_in; i++) {
        shapes[i] = im->inputs[i];
        shapes[i].data = NULL;
    }
    mote_session_options o;
    mote_session_options_init(&o);
    o.threads = threads;
    o.isa = isa;
    o.input_shapes = shapes;
    o.n_input_shapes = im->n_in;
    mote_status st = mote_session_new(im->m, &o, out);
    free(shapes);
    return st ? cli_fail_status(im->path, st) : CLI_OK;
}

void instr_free(instr_model *im)
{
    for (int i = 0; im->inputs && i < im->n_in; i++)
        free(im->inputs[i].data);
    free(im->inputs);
    free(im->names);
    free(im->files);
    if (im->m)
        mote_model_close(im->m);
    memset(im, 0, sizeof *im);
}

const char *instr_node_name(const mote_node *n, int index, char *buf, size_t len)
{
    if (n->name && n->name[0])
        return n->name;
    snprintf(buf, len, "%s_%d", n->op, index);
    return buf;
}

char *instr_safe_name(const char *name)
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

const char *instr_shape(const mote_tensor *t, char *buf, size_t len)
{
    return mote_tensor_describe(t, buf, len);
}

double instr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
