/*
 * tflite_import.c — the TFLite importer's driver (tflite.h): reads the
 * model (tflite_read.c), refuses it naming every unsupported operator
 * kind, adds the inputs, maps the operators in the file's order (TFLite
 * stores them topologically sorted; each one's mapping is in tflite_ops.c)
 * and marks the outputs (back in NHWC), then stores the metadata that
 * `mote classify` uses. Not the flatbuffer reading, not the math (the ops
 * and kernels).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include "tflite/tflite.h"
#include "tflite/tflite_model.h"
#include "tflite/tflite_build.h"
#include "graph/graph.h"
#include "graph/internal.h"

static bool supported(int code)
{
    switch (code) {
    case OP_CONV_2D: case OP_DEPTHWISE_CONV_2D: case OP_FULLY_CONNECTED: case OP_AVERAGE_POOL_2D:
    case OP_MAX_POOL_2D: case OP_ADD: case OP_SUB: case OP_MUL: case OP_RESHAPE: case OP_SQUEEZE:
    case OP_SOFTMAX: case OP_LOGISTIC: case OP_TANH: case OP_HARD_SWISH: case OP_RELU:
    case OP_RELU6: case OP_RELU_N1_TO_1: case OP_CONCATENATION: case OP_MEAN: case OP_PAD:
    case OP_QUANTIZE: case OP_DEQUANTIZE: case OP_RESIZE_BILINEAR:
    case OP_RESIZE_NEAREST_NEIGHBOR: case OP_STRIDED_SLICE: case OP_TRANSPOSE: case OP_ARG_MAX:
        return true;
    default:
        return false;
    }
}

/* Fails naming every unsupported operator kind (with its count) at once. */
static int check_ops(imp *im)
{
    char list[700] = "";
    size_t len = 0;
    int kinds = 0;
    for (int i = 0; i < im->m->n_ops; i++) {
        const tfl_op *op = &im->m->ops[i];
        if (supported(op->code))
            continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = im->m->ops[j].code == op->code &&
                   (op->code != 32 || !strcmp(im->m->ops[j].custom ? im->m->ops[j].custom : "",
                                              op->custom ? op->custom : ""));
        if (seen)
            continue;
        int count = 0;
        for (int j = i; j < im->m->n_ops; j++)
            count += im->m->ops[j].code == op->code;
        char one[160];
        const char *name = tfl_op_name(op->code);
        if (op->code == 32)
            snprintf(one, sizeof one, "CUSTOM '%.100s'", op->custom ? op->custom : "");
        else if (name)
            snprintf(one, sizeof one, "%s x%d", name, count);
        else
            snprintf(one, sizeof one, "builtin %d x%d", op->code, count);
        if (len + strlen(one) + 3 < sizeof list) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", kinds ? ", " : "", one);
        }
        kinds++;
    }
    if (kinds)
        return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "%d operator kind%s not supported by mote: %s",
                    kinds, kinds > 1 ? "s are" : " is", list);
    return 0;
}

static int import_graph(imp *im)
{
    const tfl_model *m = im->m;
    im->cur = -1;
    if (check_ops(im))
        return -1;
    for (int i = 0; i < m->n_in; i++) {
        int t = m->in[i];
        const tfl_tensor *tt = &m->tensors[t];
        mote_dtype d = tfl_mdtype(tt->type);
        if (!d)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "input '%s' has TFLite type %d", tt->name, tt->type);
        if (im->val[t] >= 0)
            return tfl_fail(im, MOTE_ERR_FORMAT, "tensor '%s' is listed twice as an input", tt->name);
        int v = mote_graph_input(im->g, tt->name, d, tt->ndim, tt->dims);
        if (v < 0)
            return tfl_fail(im, MOTE_ERR_NOMEM, "cannot add input %s", tt->name);
        tfl_set_out(im, t, v, false);
    }
    for (int i = 0; i < m->n_ops; i++) {
        im->cur = i;
        const tfl_op *op = &m->ops[i];
        for (int k = 0; k < op->n_out; k++)
            if (im->val[op->out[k]] >= 0 || m->tensors[op->out[k]].data)
                return tfl_fail(im, MOTE_ERR_FORMAT, "output '%s' is written twice or is a constant",
                            m->tensors[op->out[k]].name);
        if (op->n_out != 1)
            return tfl_fail(im, MOTE_ERR_UNSUPPORTED, "%d outputs (one supported)", op->n_out);
        if (tfl_import_op(im, op) < 0)
            return -1;
    }
    im->cur = -1;
    for (int i = 0; i < m->n_out; i++) {
        int t = m->out[i];
        int v = tfl_in_val(im, t);
        if (v >= 0 && im->nchw[t])
            v = tfl_nhwc_val(im, t);
        if (v < 0)
            return -1;
        if (mote_graph_output(im->g, v))
            return tfl_fail(im, MOTE_ERR_NOMEM, "cannot mark output %s", m->tensors[t].name);
    }
    return 0;
}

static void add_meta(imp *im)
{
    const tfl_model *m = im->m;
    mote_graph_meta_string(im->g, "producer", "tflite");
    if (m->description && *m->description)
        mote_graph_meta_string(im->g, "tflite.description", m->description);
    /* what a caller needs to feed quantized inputs: their scale and zero point */
    for (int i = 0; i < m->n_in && i < 1; i++) {
        const tfl_tensor *t = &m->tensors[m->in[i]];
        mote_graph_meta_string(im->g, "input.layout", t->ndim == 4 ? "NHWC" : "");
        if (tfl_isq(t) && t->nq == 1) {
            mote_graph_meta_float(im->g, "input.scale", t->scale[0]);
            mote_graph_meta_int(im->g, "input.zero_point", t->zp[0]);
        }
    }
    for (int i = 0; i < m->n_out && i < 1; i++) {
        /* a softmax (maybe reshaped after) gives probabilities: classify
         * takes them as they are */
        int t_id = m->out[i];
        for (int k = m->n_ops - 1; k >= 0; k--) {
            const tfl_op *op = &m->ops[k];
            if (op->out[0] != t_id)
                continue;
            if (op->code == OP_SOFTMAX)
                mote_graph_meta_string(im->g, "output.probabilities", "1");
            else if ((op->code == OP_RESHAPE || op->code == OP_SQUEEZE) && op->n_in > 0)
                t_id = op->in[0];
        }
        const tfl_tensor *t = &m->tensors[m->out[i]];
        if (tfl_isq(t) && t->nq == 1) {
            mote_graph_meta_float(im->g, "output.scale", t->scale[0]);
            mote_graph_meta_int(im->g, "output.zero_point", t->zp[0]);
        }
    }
}

mote_status mote_tflite_import_memory(const void *buf, size_t len, const char *what,
                                      mote_graph **out)
{
    if (!out)
        return mote_error(MOTE_ERR_ARG, "tflite import: out is NULL");
    *out = NULL;
    if (!buf && len)
        return mote_error(MOTE_ERR_ARG, "tflite import: NULL buffer");
    if (!what)
        what = "model.tflite";
    tfl_model m;
    mote_status st = tfl_read(buf, len, what, &m);
    if (st)
        return st;
    imp im = {0};
    im.m = &m;
    im.what = what;
    im.cur = -1;
    im.g = mote_graph_new();
    size_t n = m.n_tensors ? (size_t)m.n_tensors : 1;
    im.val = malloc(n * sizeof(int));
    im.nhwc = malloc(n * sizeof(int));
    im.nchw = calloc(n, sizeof(bool));
    if (!im.g || !im.val || !im.nhwc || !im.nchw) {
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
    } else {
        for (size_t i = 0; i < n; i++)
            im.val[i] = im.nhwc[i] = -1;
        if (import_graph(&im) < 0)
            st = im.st ? im.st : MOTE_ERR_FORMAT;
        else
            add_meta(&im);
    }
    free(im.val);
    free(im.nhwc);
    free(im.nchw);
    tfl_free(&m);
    if (st) {
        mote_graph_free(im.g);
        return st;
    }
    *out = im.g;
    return MOTE_OK;
}

mote_status mote_tflite_import(const char *path, mote_graph **out)
{
    if (!out || !path)
        return mote_error(MOTE_ERR_ARG, "tflite import: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mote_error(MOTE_ERR_IO, "%s: cannot open", path);
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: not a regular file", path);
    }
    size_t len = (size_t)sb.st_size;
    void *p = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (len && p == MAP_FAILED)
        return mote_error(MOTE_ERR_IO, "%s: cannot map", path);
    mote_status st = mote_tflite_import_memory(p, len, path, out);
    if (len)
        munmap(p, len);
    return st;
}

bool mote_tflite_probe(const char *path)
{
    unsigned char h[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    return n == sizeof h && !memcmp(h + 4, "TFL3", 4);
}
