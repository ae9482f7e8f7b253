/*
 * tflite_read.c — reads a TFLite flatbuffer (schema v3) into a tfl_model:
 * Model{version 0, operator_codes 1, subgraphs 2, description 3,
 * buffers 4}, SubGraph{tensors 0, inputs 1, outputs 2, operators 3},
 * Tensor{shape 0, type 1, buffer 2, name 3, quantization 4},
 * QuantizationParameters{min 0, max 1, scale 2, zero_point 3,
 * details_type 4, details 5, quantized_dimension 6}, Buffer{data 0,
 * offset 1, size 2}, Operator{opcode_index 0, inputs 1, outputs 2,
 * builtin_options_type 3, builtin_options 4}, OperatorCode{
 * deprecated_builtin_code 0 (i8), custom_code 1, version 2,
 * builtin_code 3 (i32)}. Every index is checked against its table and
 * every constant's size against its shape and type. Not the meaning of the
 * ops (tflite_import.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tflite/tflite_model.h"
#include "graph/internal.h"

static const char *const op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",
    "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION",
    "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1",
    "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF",
    "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE",
    "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP",
    "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST",
    "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER",
    "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT",
    "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK",
    "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
    "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
    "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE",
    "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG",
    "ROUND", "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4",
    "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM",
    "BATCH_MATMUL",
};

const char *tfl_op_name(int code)
{
    if (code >= 0 && code < (int)(sizeof op_names / sizeof op_names[0]))
        return op_names[code];
    return NULL;
}

static size_t type_size(int t)
{
    switch (t) {
    case TFL_FLOAT32: case TFL_INT32: return 4;
    case TFL_FLOAT16: case TFL_INT16: return 2;
    case TFL_UINT8: case TFL_INT8: case TFL_BOOL: return 1;
    case TFL_INT64: case TFL_COMPLEX64: return 8;
    default: return 0;
    }
}

/* Reads a vector of i32 tensor indices (each -1 or < n_tensors). */
static bool read_indices(const fb_buf *b, const fb_table *t, unsigned id, const char *what,
                         int n_tensors, int *n, int **out)
{
    fb_vec v;
    if (!fb_vector(b, t, id, 4, what, &v))
        return false;
    *n = (int)v.n;
    *out = NULL;
    if (v.n > (uint32_t)1 << 20) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: %s: %u entries", b->what, what, v.n);
        return false;
    }
    *out = calloc(v.n ? v.n : 1, sizeof(int));
    if (!*out) {
        *b->st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", b->what);
        return false;
    }
    for (uint32_t i = 0; i < v.n; i++) {
        int32_t x = fb_vec_i32(b, &v, i);
        if (x < -1 || x >= n_tensors) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: %s: tensor index %d out of range (%d tensors)",
                       b->what, what, x, n_tensors);
            return false;
        }
        (*out)[i] = x;
    }
    return true;
}

static bool read_quant(const fb_buf *b, const fb_table *tt, tfl_tensor *t)
{
    fb_table q;
    bool present;
    if (!fb_sub(b, tt, 4, "quantization", &q, &present))
        return false;
    if (!present)
        return true;
    fb_vec sc, zp;
    int32_t qdim;
    if (!fb_vector(b, &q, 2, 4, "quantization scale", &sc) ||
        !fb_vector(b, &q, 3, 8, "quantization zero_point", &zp) ||
        !fb_i32(b, &q, 6, 0, &qdim))
        return false;
    if (sc.n == 0)
        return true;    /* only min/max: not quantized for running */
    if (zp.n != 0 && zp.n != sc.n) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s': %u scales but %u zero points",
                   b->what, t->name, sc.n, zp.n);
        return false;
    }
    if (qdim < 0 || qdim >= (t->ndim ? t->ndim : 1) ||
        (sc.n > 1 && (t->ndim == 0 || t->dims[qdim] != (int64_t)sc.n))) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s': %u scales do not fit quantized "
                   "dimension %d", b->what, t->name, sc.n, qdim);
        return false;
    }
    t->scale = malloc(sizeof(float) * sc.n);
    t->zp = calloc(sc.n, sizeof(int64_t));
    if (!t->scale || !t->zp) {
        *b->st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", b->what);
        return false;
    }
    for (uint32_t i = 0; i < sc.n; i++) {
        t->scale[i] = fb_vec_f32(b, &sc, i);
        if (!(t->scale[i] > 0.0f) || t->scale[i] > 1e30f) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s': scale %g is not a positive number",
                       b->what, t->name, (double)t->scale[i]);
            return false;
        }
        if (zp.n)
            t->zp[i] = fb_vec_i64(b, &zp, i);
    }
    t->nq = (int)sc.n;
    t->qdim = qdim;
    return true;
}

static bool read_tensor(const fb_buf *b, const fb_vec *bufs, const fb_vec *tv, uint32_t i,
                        tfl_tensor *t)
{
    fb_table tt;
    if (!fb_vec_table(b, tv, i, "tensor", &tt))
        return false;
    const char *name;
    uint8_t type;
    uint32_t buffer;
    fb_vec shape;
    if (!fb_string(b, &tt, 3, "tensor name", &name) || !fb_u8(b, &tt, 1, 0, &type) ||
        !fb_u32(b, &tt, 2, 0, &buffer) || !fb_vector(b, &tt, 0, 4, "tensor shape", &shape))
        return false;
    if (name && *name)
        snprintf(t->name, sizeof t->name, "%s", name);
    else
        snprintf(t->name, sizeof t->name, "tensor%u", i);
    t->type = type;
    if (shape.n > MOTE_MAX_DIMS) {
        *b->st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: tensor '%s' has rank %u (at most %d)",
                   b->what, t->name, shape.n, MOTE_MAX_DIMS);
        return false;
    }
    t->ndim = (int)shape.n;
    for (uint32_t d = 0; d < shape.n; d++) {
        int32_t v = fb_vec_i32(b, &shape, d);
        if (v < 0) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s' has dimension %d = %d",
                       b->what, t->name, (int)d, v);
            return false;
        }
        t->dims[d] = v;
    }
    /* every tensor's element count fits comfortably in 64 bits (the
     * importer multiplies dims freely) */
    uint64_t numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        numel *= (uint64_t)t->dims[d];
        if (numel > ((uint64_t)1 << 40)) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s' has over 2^40 elements",
                                b->what, t->name);
            return false;
        }
    }
    if (buffer >= bufs->n && !(buffer == 0 && bufs->n == 0)) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s' names buffer %u of %u",
                   b->what, t->name, buffer, bufs->n);
        return false;
    }
    if (buffer > 0) {
        fb_table bt;
        fb_vec data;
        uint32_t off_lo;
        if (!fb_vec_table(b, bufs, buffer, "buffer", &bt) ||
            !fb_vector(b, &bt, 0, 1, "buffer data", &data) || !fb_u32(b, &bt, 1, 0, &off_lo))
            return false;
        if (off_lo > 1) {
            *b->st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: tensor '%s': data stored outside the "
                       "flatbuffer (offset buffers) is not supported", b->what, t->name);
            return false;
        }
        if (data.n) {
            size_t es = type_size(type), want = es;
            for (int d = 0; d < t->ndim; d++)
                if (!mote_mul_size(want, (size_t)t->dims[d], &want))
                    want = SIZE_MAX;
            if (!es || want != data.n) {
                *b->st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%s': buffer holds %u bytes, its "
                           "shape and type need %zu", b->what, t->name, data.n, es ? want : 0);
                return false;
            }
            t->data = b->p + data.pos;
            t->nbytes = data.n;
        }
    }
    return read_quant(b, &tt, t);
}

static bool read_op(const fb_buf *b, const fb_vec *codes, const fb_vec *ov, uint32_t i,
                    int n_tensors, tfl_op *op)
{
    fb_table ot, ct;
    uint32_t idx;
    uint8_t otype;
    if (!fb_vec_table(b, ov, i, "operator", &ot) || !fb_u32(b, &ot, 0, 0, &idx) ||
        !fb_u8(b, &ot, 3, 0, &otype))
        return false;
    if (idx >= codes->n) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: operator %u uses opcode %u of %u",
                   b->what, i, idx, codes->n);
        return false;
    }
    uint8_t dep;
    int32_t code;
    if (!fb_vec_table(b, codes, idx, "operator code", &ct) || !fb_u8(b, &ct, 0, 0, &dep) ||
        !fb_i32(b, &ct, 3, 0, &code) || !fb_string(b, &ct, 1, "custom code", &op->custom))
        return false;
    /* files before builtin_code existed hold the code in the i8 field only;
     * newer files write both, the larger being the real one */
    op->code = (int8_t)dep > code ? (int8_t)dep : code;
    op->opt_type = otype;
    if (!read_indices(b, &ot, 1, "operator inputs", n_tensors, &op->n_in, &op->in) ||
        !read_indices(b, &ot, 2, "operator outputs", n_tensors, &op->n_out, &op->out))
        return false;
    for (int k = 0; k < op->n_out; k++)
        if (op->out[k] < 0) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: operator %u: output %d is absent", b->what, i, k);
            return false;
        }
    return fb_sub(b, &ot, 4, "builtin options", &op->opt, &op->has_opt);
}

void tfl_free(tfl_model *m)
{
    for (int i = 0; m->tensors && i < m->n_tensors; i++) {
        free(m->tensors[i].scale);
        free(m->tensors[i].zp);
    }
    for (int i = 0; m->ops && i < m->n_ops; i++) {
        free(m->ops[i].in);
        free(m->ops[i].out);
    }
    free(m->tensors);
    free(m->ops);
    free(m->in);
    free(m->out);
    m->tensors = NULL;
    m->ops = NULL;
    m->in = m->out = NULL;
    m->n_tensors = m->n_ops = m->n_in = m->n_out = 0;
}

mote_status tfl_read(const void *buf, size_t len, const char *what, tfl_model *m)
{
    memset(m, 0, sizeof *m);
    m->b.p = buf;
    m->b.n = len;
    m->b.what = what;
    m->st = MOTE_ERR_FORMAT;
    m->b.st = &m->st;
    const fb_buf *b = &m->b;
    if (len >= 8 && memcmp(b->p + 4, "TFL3", 4) != 0)
        return *b->st = mote_error(MOTE_ERR_FORMAT, "%s: not a TFLite file (no TFL3 identifier)", what);
    fb_table root, sg;
    fb_vec codes, subgraphs, bufs, tensors, ops;
    if (!fb_root(b, &root) || !fb_u32(b, &root, 0, 0, &m->version) ||
        !fb_vector(b, &root, 1, 4, "operator codes", &codes) ||
        !fb_vector(b, &root, 2, 4, "subgraphs", &subgraphs) ||
        !fb_string(b, &root, 3, "description", &m->description) ||
        !fb_vector(b, &root, 4, 4, "buffers", &bufs))
        goto fail;
    if (m->version != 3) {
        *b->st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: TFLite schema version %u (3 supported)",
                   what, m->version);
        goto fail;
    }
    if (subgraphs.n == 0) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: the model has no subgraph", what);
        goto fail;
    }
    if (!fb_vec_table(b, &subgraphs, 0, "subgraph", &sg) ||
        !fb_vector(b, &sg, 0, 4, "tensors", &tensors) ||
        !fb_vector(b, &sg, 3, 4, "operators", &ops))
        goto fail;
    if (tensors.n > (uint32_t)1 << 20 || ops.n > (uint32_t)1 << 20) {
        *b->st = mote_error(MOTE_ERR_FORMAT, "%s: %u tensors and %u operators is too many",
                   what, tensors.n, ops.n);
        goto fail;
    }
    m->n_tensors = (int)tensors.n;
    m->n_ops = (int)ops.n;
    m->tensors = calloc(tensors.n ? tensors.n : 1, sizeof *m->tensors);
    m->ops = calloc(ops.n ? ops.n : 1, sizeof *m->ops);
    if (!m->tensors || !m->ops) {
        *b->st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", what);
        goto fail;
    }
    for (uint32_t i = 0; i < tensors.n; i++)
        if (!read_tensor(b, &bufs, &tensors, i, &m->tensors[i]))
            goto fail;
    for (uint32_t i = 0; i < ops.n; i++)
        if (!read_op(b, &codes, &ops, i, m->n_tensors, &m->ops[i]))
            goto fail;
    if (!read_indices(b, &sg, 1, "subgraph inputs", m->n_tensors, &m->n_in, &m->in) ||
        !read_indices(b, &sg, 2, "subgraph outputs", m->n_tensors, &m->n_out, &m->out))
        goto fail;
    for (int i = 0; i < m->n_in; i++)
        if (m->in[i] < 0) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: subgraph input %d is absent", what, i);
            goto fail;
        }
    for (int i = 0; i < m->n_out; i++)
        if (m->out[i] < 0) {
            *b->st = mote_error(MOTE_ERR_FORMAT, "%s: subgraph output %d is absent", what, i);
            goto fail;
        }
    return MOTE_OK;
fail:
    tfl_free(m);
    return m->st;
}
