/*
 * gguf_writer.h — a small GGUF (version 3, little-endian) writer for the
 * tests, written from the published format description: "GGUF", uint32
 * version, uint64 tensor count, uint64 key count, the key/value pairs
 * (string key, uint32 type, value), the tensor infos (string name, uint32
 * n_dims, uint64 dims fastest-varying first, uint32 ggml type, uint64
 * offset), padding to the alignment (32), the tensor data (each tensor at
 * a multiple of 32 from the data section's start).
 *
 * It can also write a llama2.c checkpoint's weights (from the graph
 * mote_llama2c_import makes) as a llama GGUF: gguf_from_llama2c. Header
 * only (static functions): used by tests/test_gguf.c and
 * tests/fuzz/fuzz_gguf.c's corpus maker.
 */
#ifndef MOTE_TEST_GGUF_WRITER_H
#define MOTE_TEST_GGUF_WRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "graph/graph.h"
#include "llm.h"

enum { GW_U32 = 4, GW_I32 = 5, GW_F32 = 6, GW_STRING = 8, GW_ARRAY = 9 };
enum { GW_T_F32 = 0, GW_T_F16 = 1, GW_T_Q4_0 = 2, GW_T_Q8_0 = 8, GW_T_Q4_K = 12 };

typedef struct gw_buf {
    uint8_t *p;
    size_t len, cap;
} gw_buf;

static void gw_put(gw_buf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 64;
        uint8_t *p = realloc(b->p, cap);
        if (!p) abort();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void gw_u32(gw_buf *b, uint32_t v) { gw_put(b, &v, 4); }
static void gw_u64(gw_buf *b, uint64_t v) { gw_put(b, &v, 8); }
static void gw_str(gw_buf *b, const char *s) { gw_u64(b, strlen(s)); gw_put(b, s, strlen(s)); }
static void gw_kv_str(gw_buf *b, const char *k, const char *v) { gw_str(b, k); gw_u32(b, GW_STRING); gw_str(b, v); }
static void gw_kv_u32(gw_buf *b, const char *k, uint32_t v) { gw_str(b, k); gw_u32(b, GW_U32); gw_u32(b, v); }
static void gw_kv_f32(gw_buf *b, const char *k, float v) { gw_str(b, k); gw_u32(b, GW_F32); gw_put(b, &v, 4); }

/* One tensor to write: name, GGUF dims (fastest first), type, data. */
typedef struct gw_tensor {
    char name[64];
    int n_dims;
    uint64_t ne[2];
    uint32_t type;
    uint8_t *data;         /* malloc'd */
    size_t bytes;
} gw_tensor;

/* Options for gguf_from_llama2c. */
typedef struct gw_options {
    int quant;                 /* 0: all F32; GW_T_Q8_0 / GW_T_Q4_0: matrices with whole blocks */
    int f16_embedding;         /* token_embd as F16                                  */
    int tokenizer;             /* write tokenizer.ggml.* ("llama")                    */
    const char *tokenizer_model;   /* default "llama"                                */
    uint32_t bos;              /* default 1                                          */
    const char *arch;          /* default "llama"                                    */
    int mixed;                 /* blk.0.attn_q as Q4_0 although quant is Q8_0        */
    int q4k_tensor;            /* one tensor written with type Q4_K (must be refused)*/
    int bpe;                   /* a byte-level BPE tokenizer ("gpt2") instead        */
    int bpe_no_merges;         /* ... without tokenizer.ggml.merges                  */
} gw_options;

/* GPT-2's byte -> code point map (printable bytes stay, the rest 256+). */
static int gw_byte_cp(int b)
{
    int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    if (keep) return b;
    int n = 0;
    for (int i = 0; i < b; i++)
        n += !((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || i >= 0xAE);
    return 256 + n;
}

static size_t gw_utf8(int cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

/* A byte-level BPE vocabulary of exactly V tokens: the 256 bytes, then the
 * pieces that merging each word's bytes left to right makes, then unused
 * fillers, then <|begin|> and <|end|> (control). */
typedef struct gw_bpe {
    char tok[1024][64];
    int type[1024];
    int n;
    char merge[1024][130];
    int n_merges;
} gw_bpe;

static int gw_find(const gw_bpe *b, const char *s)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->tok[i], s)) return i;
    return -1;
}

static void gw_make_bpe(gw_bpe *b, int V)
{
    static const char *words[] = {
        " the", " a", " was", " little", " girl", " named", " Lily", "Once", " upon", " time",
        " she", " loved", " to", " play", " outside", " in", " park", "ing", " dog", "'s",
        "123", "34", " ran", "!?", " big", " red", " ball", " wanted", " with", " it",
    };
    memset(b, 0, sizeof *b);
    for (int c = 0; c < 256; c++) {
        b->tok[b->n][gw_utf8(gw_byte_cp(c), b->tok[b->n])] = '\0';
        b->type[b->n++] = 6;   /* byte */
    }
    for (size_t w = 0; w < sizeof words / sizeof words[0] && b->n < V - 2; w++) {
        char cur[64] = "";
        size_t cl = 0;
        for (const unsigned char *p = (const unsigned char *)words[w]; *p && b->n < V - 2; p++) {
            char sym[4];
            size_t sl = gw_utf8(gw_byte_cp(*p), sym);
            sym[sl] = '\0';
            if (cl == 0) {
                memcpy(cur, sym, sl + 1);
                cl = sl;
                continue;
            }
            char merged[64];
            snprintf(merged, sizeof merged, "%s%s", cur, sym);
            if (gw_find(b, merged) < 0) {
                snprintf(b->merge[b->n_merges++], 130, "%s %s", cur, sym);
                snprintf(b->tok[b->n], 64, "%s", merged);
                b->type[b->n++] = 1;
            }
            memcpy(cur, merged, strlen(merged) + 1);
            cl = strlen(cur);
        }
    }
    while (b->n < V - 2) {
        snprintf(b->tok[b->n], 64, "<unused%d>", b->n);
        b->type[b->n++] = 5;
    }
    snprintf(b->tok[b->n], 64, "<|begin|>");
    b->type[b->n++] = 3;
    snprintf(b->tok[b->n], 64, "<|end|>");
    b->type[b->n++] = 3;
}

static const mote_value *gw_weight(const mote_graph *g, const char *name)
{
    int v = mote_graph_find_value(g, name);
    return v < 0 ? NULL : &g->values[v];
}

/* Adds weight `mote` of g as GGUF tensor `gguf`. */
static void gw_add(gw_tensor *ts, int *n, const mote_graph *g, const char *mote,
                   const char *gguf, uint32_t type)
{
    const mote_value *v = gw_weight(g, mote);
    if (!v) abort();
    gw_tensor *t = &ts[(*n)++];
    snprintf(t->name, sizeof t->name, "%s", gguf);
    int64_t N = v->dims[0], K = v->ndim == 2 ? v->dims[1] : 0;
    t->n_dims = K ? 2 : 1;
    t->ne[0] = (uint64_t)(K ? K : N);
    t->ne[1] = (uint64_t)N;
    if ((type == GW_T_Q8_0 || type == GW_T_Q4_0) && (!K || K % MOTE_QK)) type = GW_T_F32;
    t->type = type;
    const float *w = v->data;
    size_t count = (size_t)N * (size_t)(K ? K : 1);
    if (type == GW_T_F32 || type == GW_T_Q4_K) {   /* Q4_K: a wrong type, F32 bytes */
        t->bytes = count * 4;
        t->data = malloc(t->bytes);
        memcpy(t->data, w, t->bytes);
    } else if (type == GW_T_F16) {
        t->bytes = count * 2;
        t->data = malloc(t->bytes);
        for (size_t i = 0; i < count; i++) {
            uint16_t h = mote_f32_to_f16(w[i]);
            memcpy(t->data + 2 * i, &h, 2);
        }
    } else {
        size_t rb = mote_wtype_row_bytes(type == GW_T_Q8_0 ? MOTE_W_Q8_0 : MOTE_W_Q4_0, K);
        t->bytes = rb * (size_t)N;
        t->data = malloc(t->bytes);
        for (int64_t r = 0; r < N; r++) {
            if (type == GW_T_Q8_0) mote_quantize_row_q8_0(K, w + r * K, t->data + (size_t)r * rb);
            else mote_quantize_row_q4_0(K, w + r * K, t->data + (size_t)r * rb);
        }
    }
}

/* A llama GGUF (v3) holding the weights and (optionally) the tokenizer of
 * the graph that mote_llama2c_import made; *len receives its size. */
static uint8_t *gguf_from_llama2c(const mote_graph *g, const gw_options *o, size_t *len)
{
    int64_t dim = 0, hidden = 0, layers = 0, heads = 0, kv = 0, seq = 0;
    for (int i = 0; i < g->n_meta; i++) {
        const mote_meta *m = &g->meta[i];
        if (!strcmp(m->key, "llama.dim")) dim = m->i;
        if (!strcmp(m->key, "llama.hidden_dim")) hidden = m->i;
        if (!strcmp(m->key, "llama.n_layers")) layers = m->i;
        if (!strcmp(m->key, "llama.n_heads")) heads = m->i;
        if (!strcmp(m->key, "llama.n_kv_heads")) kv = m->i;
        if (!strcmp(m->key, "llama.max_seq")) seq = m->i;
    }
    gw_tensor *ts = calloc((size_t)(layers * 9 + 4), sizeof *ts);
    int n = 0;
    uint32_t q = o->quant ? (uint32_t)o->quant : GW_T_F32;
    gw_add(ts, &n, g, "tok_embeddings", "token_embd.weight", o->f16_embedding ? GW_T_F16 : GW_T_F32);
    static const char *pairs[9][2] = {
        { "attention_norm", "attn_norm.weight" }, { "wq", "attn_q.weight" },
        { "wk", "attn_k.weight" }, { "wv", "attn_v.weight" }, { "wo", "attn_output.weight" },
        { "ffn_norm", "ffn_norm.weight" }, { "w1", "ffn_gate.weight" },
        { "w2", "ffn_down.weight" }, { "w3", "ffn_up.weight" },
    };
    for (int l = 0; l < layers; l++)
        for (int k = 0; k < 9; k++) {
            char mn[64], gn[64];
            snprintf(mn, sizeof mn, "layers.%d.%s", l, pairs[k][0]);
            snprintf(gn, sizeof gn, "blk.%d.%s", l, pairs[k][1]);
            uint32_t t = q;
            if (o->mixed && l == 0 && k == 1) t = GW_T_Q4_0;
            if (o->q4k_tensor && l == 0 && k == 2) t = GW_T_Q4_K;
            gw_add(ts, &n, g, mn, gn, t);
        }
    gw_add(ts, &n, g, "norm", "output_norm.weight", GW_T_F32);
    if (gw_weight(g, "output")) gw_add(ts, &n, g, "output", "output.weight", q);

    const mote_value *pieces = gw_weight(g, "tokenizer.pieces");
    const mote_value *scores = gw_weight(g, "tokenizer.scores");
    int tok = o->tokenizer && pieces && scores;
    gw_buf b = { 0 };
    gw_put(&b, "GGUF", 4);
    gw_u32(&b, 3);
    gw_u64(&b, (uint64_t)n);
    gw_u64(&b, o->bpe ? (o->bpe_no_merges ? 15 : 16) : tok ? 15 : 10);
    gw_kv_str(&b, "general.architecture", o->arch ? o->arch : "llama");
    gw_kv_str(&b, "general.name", "stories260K");
    gw_kv_u32(&b, "llama.context_length", (uint32_t)seq);
    gw_kv_u32(&b, "llama.embedding_length", (uint32_t)dim);
    gw_kv_u32(&b, "llama.block_count", (uint32_t)layers);
    gw_kv_u32(&b, "llama.feed_forward_length", (uint32_t)hidden);
    gw_kv_u32(&b, "llama.attention.head_count", (uint32_t)heads);
    gw_kv_u32(&b, "llama.attention.head_count_kv", (uint32_t)kv);
    gw_kv_f32(&b, "llama.rope.freq_base", 10000.0f);
    gw_kv_f32(&b, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    if (o->bpe) {
        static gw_bpe v;
        int64_t nv = gw_weight(g, "tok_embeddings")->dims[0];
        gw_make_bpe(&v, (int)nv);
        gw_kv_str(&b, "tokenizer.ggml.model", "gpt2");
        gw_str(&b, "tokenizer.ggml.tokens");
        gw_u32(&b, GW_ARRAY);
        gw_u32(&b, GW_STRING);
        gw_u64(&b, (uint64_t)v.n);
        for (int i = 0; i < v.n; i++) gw_str(&b, v.tok[i]);
        gw_str(&b, "tokenizer.ggml.token_type");
        gw_u32(&b, GW_ARRAY);
        gw_u32(&b, GW_I32);
        gw_u64(&b, (uint64_t)v.n);
        for (int i = 0; i < v.n; i++) gw_u32(&b, (uint32_t)v.type[i]);
        if (!o->bpe_no_merges) {
            gw_str(&b, "tokenizer.ggml.merges");
            gw_u32(&b, GW_ARRAY);
            gw_u32(&b, GW_STRING);
            gw_u64(&b, (uint64_t)v.n_merges);
            for (int i = 0; i < v.n_merges; i++) gw_str(&b, v.merge[i]);
        }
        gw_kv_u32(&b, "tokenizer.ggml.bos_token_id", (uint32_t)v.n - 2);
        gw_kv_u32(&b, "tokenizer.ggml.eos_token_id", (uint32_t)v.n - 1);
    } else if (tok) {
        int64_t nv = scores->dims[0];
        gw_kv_str(&b, "tokenizer.ggml.model", o->tokenizer_model ? o->tokenizer_model : "llama");
        gw_str(&b, "tokenizer.ggml.tokens");
        gw_u32(&b, GW_ARRAY);
        gw_u32(&b, GW_STRING);
        gw_u64(&b, (uint64_t)nv);
        const char *p = pieces->data;
        for (int64_t i = 0; i < nv; i++) {
            /* SentencePiece writes a space as U+2581 */
            size_t l = strlen(p);
            char tmp[256 * 3];
            size_t o2 = 0;
            for (size_t k = 0; k < l && o2 + 3 < sizeof tmp; k++) {
                if (p[k] == ' ') { memcpy(tmp + o2, "\xe2\x96\x81", 3); o2 += 3; }
                else tmp[o2++] = p[k];
            }
            gw_u64(&b, o2);
            gw_put(&b, tmp, o2);
            p += l + 1;
        }
        gw_str(&b, "tokenizer.ggml.scores");
        gw_u32(&b, GW_ARRAY);
        gw_u32(&b, GW_F32);
        gw_u64(&b, (uint64_t)nv);
        gw_put(&b, scores->data, (size_t)nv * 4);
        gw_kv_u32(&b, "tokenizer.ggml.bos_token_id", o->bos ? o->bos : 1);
        gw_kv_u32(&b, "tokenizer.ggml.eos_token_id", 2);
    }
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        gw_str(&b, ts[i].name);
        gw_u32(&b, (uint32_t)ts[i].n_dims);
        for (int d = 0; d < ts[i].n_dims; d++) gw_u64(&b, ts[i].ne[d]);
        gw_u32(&b, ts[i].type);
        gw_u64(&b, off);
        off += (ts[i].bytes + 31) / 32 * 32;
    }
    static const uint8_t zeros[32];
    gw_put(&b, zeros, (32 - b.len % 32) % 32);
    for (int i = 0; i < n; i++) {
        gw_put(&b, ts[i].data, ts[i].bytes);
        gw_put(&b, zeros, (32 - ts[i].bytes % 32) % 32);
        free(ts[i].data);
    }
    free(ts);
    *len = b.len;
    return b.p;
}

#endif
