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

/* xorshift64*: a small, fast PRNG; the high bits are the good ones. */
static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1DULL;
}

/* The number of rows a value indexes, if a node uses it as indices into a
 * table of known shape; 0 if no node does. */
static int64_t index_bound(const mote_session *s, int v)
{
    int64_t bound = 0;
    for (int i = 0; i < s->g->n_nodes; i++) {
        const mote_node *n = &s->g->nodes[i];
        int table = -1;
        int64_t axis = 0;
        if (!strcmp(n->op, "Gather") && n->n_in >= 2 && n->in[1] == v) {
            table = n->in[0];
            axis = mote_attr_get_int(n, "axis", 0);
        } else if (!strcmp(n->op, "LlmEmbedding") && n->n_in >= 2 && n->in[0] == v) {
            table = n->in[1];
        }
        if (table < 0)
            continue;
        const mote_tensor *t = &s->vals[table];
        if (axis < 0)
            axis += t->ndim;
        if (axis < 0 || axis >= t->ndim || t->dims[axis] <= 0)
            continue;
        if (bound == 0 || t->dims[axis] < bound)  /* valid for every table it indexes */
            bound = t->dims[axis];
    }
    return bound;
}

int instr_generate(instr_model *im, const char *cmd, const char *path, const cli_shapes *shapes,
                   uint64_t seed)
{
    (void)cmd;
    im->path = path;
    mote_status st = mote_model_open(path, &im->m);
    if (st)
        return cli_fail_status(path, st);
    im->n_in = mote_model_num_inputs(im->m);
    im->inputs = calloc((size_t)im->n_in + 1, sizeof *im->inputs);
    im->ranges = calloc((size_t)im->n_in + 1, sizeof *im->ranges);
    if (!im->inputs || !im->ranges)
        return cli_fail(NULL, "out of memory");
    mote_session *s;
    bool open_dims;
    st = cli_inspect_session(im->m, shapes, &s, &open_dims);
    if (st == MOTE_ERR_ARG)
        return CLI_USAGE;
    if (st)
        return cli_fail_status(path, st);
    uint64_t x = seed ? seed : 0x9E3779B97F4A7C15ULL;
    int rc = CLI_OK;
    for (int i = 0; i < im->n_in && !rc; i++) {
        int v = s->g->inputs[i];
        mote_tensor *t = &im->inputs[i];
        *t = s->vals[v];
        int64_t n = mote_tensor_numel(t);
        size_t bytes = mote_tensor_nbytes(t);
        if (n < 0 || (!(t->data = malloc(bytes ? bytes : 1)))) {
            rc = cli_fail(NULL, "out of memory");
            t->data = NULL;
            break;
        }
        int64_t bound = index_bound(s, v);
        for (int64_t k = 0; k < n; k++) {
            uint64_t r = next_rand(&x);
            float f = (float)((double)(r >> 11) * 0x1.0p-53 * 2.0 - 1.0);
            int64_t idx = bound > 0 ? (int64_t)((r >> 11) % (uint64_t)bound) : 0;
            switch (t->dtype) {
            case MOTE_F32: ((float *)t->data)[k] = f; break;
            case MOTE_F16: ((uint16_t *)t->data)[k] = mote_f32_to_f16(f); break;
            case MOTE_BF16: ((uint16_t *)t->data)[k] = mote_f32_to_bf16(f); break;
            case MOTE_BOOL: ((uint8_t *)t->data)[k] = (uint8_t)(r >> 63); break;
            case MOTE_I8: ((int8_t *)t->data)[k] = (int8_t)(bound > 0 && bound <= 128 ? idx : 0); break;
            case MOTE_U8: ((uint8_t *)t->data)[k] = (uint8_t)(bound > 0 && bound <= 256 ? idx : 0); break;
            case MOTE_I32: ((int32_t *)t->data)[k] = (int32_t)(bound <= INT32_MAX ? idx : 0); break;
            case MOTE_I64: ((int64_t *)t->data)[k] = idx; break;
            default: memset((char *)t->data + (size_t)k * mote_dtype_size(t->dtype), 0,
                            mote_dtype_size(t->dtype));
            }
        }
        bool fl = t->dtype == MOTE_F32 || t->dtype == MOTE_F16 || t->dtype == MOTE_BF16;
        if (fl)
            snprintf(im->ranges[i], sizeof im->ranges[i], "uniform [-1, 1)");
        else if (t->dtype == MOTE_BOOL)
            snprintf(im->ranges[i], sizeof im->ranges[i], "0 or 1");
        else if (bound > 0)
            snprintf(im->ranges[i], sizeof im->ranges[i], "indices in [0, %lld)", (long long)bound);
        else
            snprintf(im->ranges[i], sizeof im->ranges[i], "zeros");
    }
    mote_session_free(s);
    return rc;
}

void instr_free(instr_model *im)
{
    for (int i = 0; im->inputs && i < im->n_in; i++)
        free(im->inputs[i].data);
    free(im->inputs);
    free(im->ranges);
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
