/*
 * quantize.c — quantizing a graph's weight matrices (see quant.h); the row
 * quantizers themselves are the reference ones in kernels/quant_blocks_ref.c.
 */
#include <stdlib.h>
#include <string.h>
#include "quantize.h"
#include "graph/graph.h"
#include "graph/internal.h"

int mote_wtype_from_name(const char *name)
{
    if (!name) return -1;
    if (!strcmp(name, "f32")) return MOTE_W_F32;
    if (!strcmp(name, "q8_0")) return MOTE_W_Q8_0;
    if (!strcmp(name, "q4_0")) return MOTE_W_Q4_0;
    return -1;
}

const char *mote_wtype_name(mote_wtype t)
{
    return t == MOTE_W_Q8_0 ? "q8_0" : t == MOTE_W_Q4_0 ? "q4_0" : "f32";
}

static mote_status copy_meta(const mote_graph *src, mote_graph *g)
{
    mote_status st = MOTE_OK;
    for (int i = 0; i < src->n_meta && !st; i++) {
        const mote_meta *m = &src->meta[i];
        if (!strcmp(m->key, "llama.weight_type")) continue;
        if (m->type == MOTE_META_INT) st = mote_graph_meta_int(g, m->key, m->i);
        else if (m->type == MOTE_META_FLOAT) st = mote_graph_meta_float(g, m->key, m->f);
        else st = mote_graph_meta_string(g, m->key, m->s);
    }
    return st;
}

/* The default choice: every matrix but the tokenizer's; for q8_0 (the
 * fidelity format) the token embedding and the classifier go to f16
 * instead, as llama.cpp keeps its output layer at a higher precision: the
 * classifier's rounding moves logits directly (q8_0 there flips a near
 * tie of stories260K; f16 does not, see docs/llm.md). Returns the type. */
static mote_wtype default_type(mote_wtype t, const char *name)
{
    if (!strncmp(name, "tokenizer.", 10)) return MOTE_W_F32;
    if (t == MOTE_W_Q8_0 && (!strcmp(name, "tok_embeddings") || !strcmp(name, "output")))
        return MOTE_W_F16;
    return t;
}

mote_status mote_quantize_weights(const mote_graph *src, mote_wtype t,
                                  int (*select)(const char *name), mote_graph **out)
{
    return mote_quantize_weights_progress(src, t, select, NULL, out);
}

mote_status mote_quantize_weights_progress(const mote_graph *src, mote_wtype t,
                                           int (*select)(const char *name),
                                           const mote_llm_progress *progress, mote_graph **out)
{
    *out = NULL;
    mote_graph *g = mote_graph_new();
    if (!g) return mote_error(MOTE_ERR_NOMEM, "quantize: out of memory");
    mote_status st = copy_meta(src, g);
    for (int v = 0; v < src->n_values && !st; v++) {
        const mote_value *val = &src->values[v];
        if (val->kind != MOTE_VAL_WEIGHT) continue;
        mote_llm_report(progress, "weights", (size_t)v + 1, (size_t)src->n_values);
        mote_wtype vt = select ? (select(val->name) ? t : MOTE_W_F32) : default_type(t, val->name);
        int q = vt != MOTE_W_F32 && val->dtype == MOTE_F32 && val->ndim == 2;
        if (q && vt == MOTE_W_F16) {
            size_t n = (size_t)(val->dims[0] * val->dims[1]);
            uint16_t *h = malloc(n * sizeof *h);
            if (!h) { st = mote_error(MOTE_ERR_NOMEM, "quantize: out of memory"); break; }
            for (size_t i = 0; i < n; i++) h[i] = mote_float_to_half(((const float *)val->data)[i]);
            if (mote_graph_weight(g, val->name, MOTE_F16, 2, val->dims, h) < 0)
                st = mote_error_wrap(MOTE_ERR_NOMEM, "quantize: adding a weight");
            free(h);
            continue;
        }
        if (!q) {
            if (mote_graph_weight(g, val->name, val->dtype, val->ndim, val->dims, val->data) < 0)
                st = mote_error_wrap(MOTE_ERR_NOMEM, "quantize: copying a weight");
            continue;
        }
        int64_t N = val->dims[0], K = val->dims[1];
        size_t rb = mote_wtype_row_bytes(t, K);
        if (!rb) {   /* rows that are not whole blocks stay f32 */
            if (mote_graph_weight(g, val->name, val->dtype, val->ndim, val->dims, val->data) < 0)
                st = mote_error_wrap(MOTE_ERR_NOMEM, "quantize: copying a weight");
            continue;
        }
        uint8_t *buf = malloc((size_t)N * rb);
        if (!buf) { st = mote_error(MOTE_ERR_NOMEM, "quantize: out of memory"); break; }
        const float *w = val->data;
        for (int64_t n = 0; n < N; n++) {
            if (t == MOTE_W_Q8_0) mote_quantize_row_q8_0(K, w + n * K, buf + (size_t)n * rb);
            else mote_quantize_row_q4_0(K, w + n * K, buf + (size_t)n * rb);
        }
        int64_t dims[2] = { N, (int64_t)rb };
        if (mote_graph_weight(g, val->name, MOTE_U8, 2, dims, buf) < 0)
            st = mote_error_wrap(MOTE_ERR_NOMEM, "quantize: adding a weight");
        free(buf);
    }
    if (st) {
        mote_graph_free(g);
        return st;
    }
    *out = g;
    return MOTE_OK;
}
