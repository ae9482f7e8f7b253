/*
 * llama_graph.c — the decoder graph of a llama-family model, built with
 * the public graph API from the hyperparameters (see llama.h). It only
 * wires nodes; the math lives in the ops (src/ops/op_llm_*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"
#include "graph/graph.h"   /* a weight's dtype: quantized (u8) or f32 */

static int meta_int(const mote_model *m, const char *key, int *v)
{
    const char *s = mote_model_meta(m, key);
    if (!s) return 0;
    *v = atoi(s);
    return 1;
}

mote_status mote_llama_hparams_from_model(const mote_model *m, mote_llama_hparams *hp)
{
    memset(hp, 0, sizeof *hp);
    const char *arch = mote_model_meta(m, "architecture");
    if (!arch || strcmp(arch, "llama") != 0)
        return MOTE_ERR_FORMAT;
    int ok = meta_int(m, "llama.dim", &hp->dim) && meta_int(m, "llama.hidden_dim", &hp->hidden_dim) &&
             meta_int(m, "llama.n_layers", &hp->n_layers) && meta_int(m, "llama.n_heads", &hp->n_heads) &&
             meta_int(m, "llama.n_kv_heads", &hp->n_kv_heads) &&
             meta_int(m, "llama.vocab_size", &hp->vocab_size) && meta_int(m, "llama.max_seq", &hp->max_seq) &&
             meta_int(m, "llama.shared_classifier", &hp->shared_classifier);
    if (!ok) return MOTE_ERR_FORMAT;
    const char *s = mote_model_meta(m, "llama.rope_theta");
    hp->rope_theta = s ? strtof(s, NULL) : 10000.0f;
    s = mote_model_meta(m, "llama.norm_eps");
    hp->norm_eps = s ? strtof(s, NULL) : 1e-5f;
    s = mote_model_meta(m, "llama.weight_type");
    snprintf(hp->weight_type, sizeof hp->weight_type, "%s", s ? s : "f32");
    return MOTE_OK;
}

typedef struct builder {
    mote_graph *g;
    const mote_llama_hparams *hp;
    int pos;               /* the "pos" input                       */
    int count;             /* nodes made, for unique names          */
    int err;
} builder;

static int weight(builder *b, const char *fmt, int l)
{
    char nm[64];
    snprintf(nm, sizeof nm, fmt, l);
    int v = mote_graph_find_value(b->g, nm);
    if (v < 0) b->err = 1;
    return v;
}

static int node(builder *b, const char *op, const char *name, int n_in, const int *in, int *node_id)
{
    int out = -1;
    char nm[80];   /* values are named after their node, apart from the weights */
    snprintf(nm, sizeof nm, "%s:out", name);
    const char *names[1] = { nm };
    int id = mote_graph_node(b->g, op, name, n_in, in, 1, names, &out);
    if (id < 0) b->err = 1;
    if (node_id) *node_id = id;
    b->count++;
    return out;
}

static int rmsnorm(builder *b, int x, int gain, const char *name)
{
    int in[2] = { x, gain }, id;
    int y = node(b, "RMSNormalization", name, 2, in, &id);
    if (id >= 0) {
        mote_graph_attr_int(b->g, id, "axis", -1);
        mote_graph_attr_float(b->g, id, "epsilon", b->hp->norm_eps);
    }
    return y;
}

/* the weight type of a matrix: the model's, unless it was left in f32 or
 * stored in f16 (q8_0's embedding and classifier) */
static const char *wtype_of(builder *b, int w)
{
    if (w >= 0 && b->g->values[w].dtype == MOTE_F32) return "f32";
    if (w >= 0 && b->g->values[w].dtype == MOTE_F16) return "f16";
    return b->hp->weight_type;
}

static int linear(builder *b, int x, int w, int residual, int K, const char *name, int last_row)
{
    int in[3] = { x, w, residual }, id;
    int y = node(b, "LlmLinear", name, residual >= 0 ? 3 : 2, in, &id);
    if (id >= 0) {
        mote_graph_attr_string(b->g, id, "weight_type", wtype_of(b, w));
        mote_graph_attr_int(b->g, id, "in_features", K);
        if (last_row) mote_graph_attr_int(b->g, id, "last_row", 1);
    }
    return y;
}

static int rope(builder *b, int x, const char *name)
{
    int in[2] = { x, b->pos }, id;
    int y = node(b, "LlmRope", name, 2, in, &id);
    if (id >= 0) {
        mote_graph_attr_int(b->g, id, "head_size", b->hp->dim / b->hp->n_heads);
        mote_graph_attr_float(b->g, id, "theta", b->hp->rope_theta);
    }
    return y;
}

mote_status mote_llama_build_graph(mote_graph *g, const mote_llama_hparams *hp)
{
    builder b = { .g = g, .hp = hp };
    int64_t tdims[1] = { -1 }, pdims[1] = { 1 };
    int tokens = mote_graph_input(g, "tokens", MOTE_I32, 1, tdims);
    b.pos = mote_graph_input(g, "pos", MOTE_I32, 1, pdims);
    if (tokens < 0 || b.pos < 0) return MOTE_ERR_GRAPH;
    int D = hp->dim, H = hp->hidden_dim;
    int emb = weight(&b, "tok_embeddings", 0);
    int in_e[2] = { tokens, emb }, id;
    int x = node(&b, "LlmEmbedding", "embedding", 2, in_e, &id);
    if (id >= 0) {
        mote_graph_attr_string(g, id, "weight_type", wtype_of(&b, emb));
        mote_graph_attr_int(g, id, "dim", D);
    }
    for (int l = 0; l < hp->n_layers && !b.err; l++) {
        char nm[64];
#define NM(s) (snprintf(nm, sizeof nm, "layers.%d." s, l), nm)
        int h = rmsnorm(&b, x, weight(&b, "layers.%d.attention_norm", l), NM("attention_norm"));
        int q = linear(&b, h, weight(&b, "layers.%d.wq", l), -1, D, NM("q"), 0);
        int k = linear(&b, h, weight(&b, "layers.%d.wk", l), -1, D, NM("k"), 0);
        int v = linear(&b, h, weight(&b, "layers.%d.wv", l), -1, D, NM("v"), 0);
        q = rope(&b, q, NM("q_rope"));
        k = rope(&b, k, NM("k_rope"));
        int in_a[4] = { q, k, v, b.pos };
        int a = node(&b, "LlmAttention", NM("attention"), 4, in_a, &id);
        if (id >= 0) {
            mote_graph_attr_int(g, id, "num_heads", hp->n_heads);
            mote_graph_attr_int(g, id, "num_kv_heads", hp->n_kv_heads);
            mote_graph_attr_int(g, id, "max_seq", hp->max_seq);
        }
        x = linear(&b, a, weight(&b, "layers.%d.wo", l), x, D, NM("attention_out"), 0);
        h = rmsnorm(&b, x, weight(&b, "layers.%d.ffn_norm", l), NM("ffn_norm"));
        int g1 = linear(&b, h, weight(&b, "layers.%d.w1", l), -1, D, NM("w1"), 0);
        int g3 = linear(&b, h, weight(&b, "layers.%d.w3", l), -1, D, NM("w3"), 0);
        int in_s[2] = { g1, g3 };
        int s = node(&b, "LlmSwiGLU", NM("swiglu"), 2, in_s, NULL);
        x = linear(&b, s, weight(&b, "layers.%d.w2", l), x, H, NM("ffn_out"), 0);
#undef NM
    }
    int xn = rmsnorm(&b, x, weight(&b, "norm", 0), "norm");
    int cls = hp->shared_classifier ? emb : weight(&b, "output", 0);
    int in_c[2] = { xn, cls };
    int logits = -1;
    const char *lname[1] = { "logits" };
    id = mote_graph_node(g, "LlmLinear", "classifier", 2, in_c, 1, lname, &logits);
    if (id < 0) return MOTE_ERR_GRAPH;
    mote_graph_attr_string(g, id, "weight_type", wtype_of(&b, cls));
    mote_graph_attr_int(g, id, "in_features", D);
    mote_graph_attr_int(g, id, "last_row", 1);
    if (b.err) return MOTE_ERR_GRAPH;
    mote_status st = mote_graph_output(g, logits);
    if (!st) st = mote_graph_meta_string(g, "llama.weight_type", hp->weight_type);
    return st;
}
