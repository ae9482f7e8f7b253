/*
 * gguf.c — reading llama-architecture GGUF files into graph weights,
 * metadata and a tokenizer (the format and what is accepted: gguf.h).
 * A bounds-checked cursor reads the header, the key/value pairs and the
 * tensor infos; nothing is read before its length has been checked
 * against what is left of the file. The tokenizer metadata is read in
 * gguf_tokenizer.c.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gguf.h"
#include "gguf_read.h"
#include "tokenizer.h"
#include "llm.h"
#include "graph/internal.h"

#define GGUF_MAGIC "GGUF"
#define GGUF_DEFAULT_ALIGNMENT 32

/* ggml tensor types mote reads (the rest are refused by name) */
enum { GG_F32 = 0, GG_F16 = 1, GG_Q4_0 = 2, GG_Q8_0 = 8 };

static const char *ggml_type_name(uint32_t t)
{
    static const char *names[] = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS",
        "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64",
        "IQ1_M", "BF16",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : "an unknown type";
}

static mote_status need(cursor *c, size_t n, const char *what)
{
    if (c->off > c->len || c->len - c->off < n)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated: %s needs %zu bytes at offset %zu, "
                          "the file has %zu", c->name, what, n, c->off, c->len);
    return MOTE_OK;
}

static mote_status rd_u32(cursor *c, uint32_t *v, const char *what)
{
    mote_status st = need(c, 4, what);
    if (st) return st;
    memcpy(v, c->base + c->off, 4);
    c->off += 4;
    return MOTE_OK;
}

static mote_status rd_u64(cursor *c, uint64_t *v, const char *what)
{
    mote_status st = need(c, 8, what);
    if (st) return st;
    memcpy(v, c->base + c->off, 8);
    c->off += 8;
    return MOTE_OK;
}

/* A string: uint64 length, then the bytes (not NUL-terminated). */
mote_status mote_gguf_rd_str(cursor *c, const char **s, size_t *n, const char *what)
{
    uint64_t len;
    mote_status st = rd_u64(c, &len, what);
    if (st) return st;
    if (len > c->len - c->off)
        return mote_error(MOTE_ERR_FORMAT, "%s: %s of %llu bytes at offset %zu runs past the "
                          "end of the file", c->name, what, (unsigned long long)len, c->off);
    *s = (const char *)(c->base + c->off);
    *n = (size_t)len;
    c->off += (size_t)len;
    return MOTE_OK;
}

static size_t scalar_size(uint32_t t)
{
    switch (t) {
    case GT_U8: case GT_I8: case GT_BOOL: return 1;
    case GT_U16: case GT_I16: return 2;
    case GT_U32: case GT_I32: case GT_F32: return 4;
    case GT_U64: case GT_I64: case GT_F64: return 8;
    default: return 0;
    }
}

/* Steps over one value of type t (depth: arrays inside arrays). */
static mote_status skip_value(cursor *c, uint32_t t, int depth)
{
    size_t sz = scalar_size(t);
    if (sz) {
        mote_status st = need(c, sz, "a value");
        if (!st) c->off += sz;
        return st;
    }
    if (t == GT_STRING) {
        const char *s;
        size_t n;
        return mote_gguf_rd_str(c, &s, &n, "a string value");
    }
    if (t != GT_ARRAY)
        return mote_error(MOTE_ERR_FORMAT, "%s: unknown value type %u at offset %zu", c->name,
                          t, c->off);
    if (depth >= 4)
        return mote_error(MOTE_ERR_FORMAT, "%s: arrays nested more than 4 deep", c->name);
    uint32_t it;
    uint64_t n;
    mote_status st = rd_u32(c, &it, "an array's item type");
    if (!st) st = rd_u64(c, &n, "an array's length");
    if (st) return st;
    size_t isz = scalar_size(it);
    if (isz) {
        if (n > (c->len - c->off) / isz)
            return mote_error(MOTE_ERR_FORMAT, "%s: an array of %llu items runs past the end "
                              "of the file", c->name, (unsigned long long)n);
        c->off += (size_t)n * isz;
        return MOTE_OK;
    }
    /* strings and arrays take at least 8 bytes each: bound n before looping */
    if (n > (c->len - c->off) / 8)
        return mote_error(MOTE_ERR_FORMAT, "%s: an array of %llu items runs past the end "
                          "of the file", c->name, (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++)
        if ((st = skip_value(c, it, depth + 1))) return st;
    return MOTE_OK;
}

const kv *mote_gguf_find(const kv *kvs, size_t n, const char *key)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (kvs[i].key_len == len && !memcmp(kvs[i].key, key, len)) return &kvs[i];
    return NULL;
}

/* An integer value of any integer type (or bool); false if it is not one. */
int mote_gguf_kv_int(const cursor *c, const kv *v, int64_t *out)
{
    const uint8_t *p = c->base + v->off;
    switch (v->type) {
    case GT_U8: case GT_BOOL: *out = p[0]; return 1;
    case GT_I8: *out = (int8_t)p[0]; return 1;
    case GT_U16: { uint16_t x; memcpy(&x, p, 2); *out = x; return 1; }
    case GT_I16: { int16_t x; memcpy(&x, p, 2); *out = x; return 1; }
    case GT_U32: { uint32_t x; memcpy(&x, p, 4); *out = x; return 1; }
    case GT_I32: { int32_t x; memcpy(&x, p, 4); *out = x; return 1; }
    case GT_U64: { uint64_t x; memcpy(&x, p, 8); *out = x > INT64_MAX ? INT64_MAX : (int64_t)x; return 1; }
    case GT_I64: { int64_t x; memcpy(&x, p, 8); *out = x; return 1; }
    default: return 0;
    }
}

static int kv_float(const cursor *c, const kv *v, double *out)
{
    const uint8_t *p = c->base + v->off;
    int64_t i;
    if (v->type == GT_F32) { float x; memcpy(&x, p, 4); *out = x; return 1; }
    if (v->type == GT_F64) { memcpy(out, p, 8); return 1; }
    if (mote_gguf_kv_int(c, v, &i)) { *out = (double)i; return 1; }
    return 0;
}

/* A string value: pointer into the file and length. */
int mote_gguf_kv_str(const cursor *c, const kv *v, const char **s, size_t *n)
{
    if (v->type != GT_STRING) return 0;
    uint64_t len;
    memcpy(&len, c->base + v->off, 8);   /* checked when the pairs were read */
    *s = (const char *)(c->base + v->off + 8);
    *n = (size_t)len;
    return 1;
}

int mote_gguf_kv_str_is(const cursor *c, const kv *v, const char *want)
{
    const char *s;
    size_t n;
    return v && mote_gguf_kv_str(c, v, &s, &n) && n == strlen(want) && !memcmp(s, want, n);
}

/* Bytes of a tensor of type t and shape ne; 0 if mote cannot read it, or
 * its rows are not whole blocks, or it overflows. */
static size_t tensor_bytes(uint32_t t, const uint64_t *ne, int nd)
{
    size_t n = 1;
    for (int i = 0; i < nd; i++)
        if (!mote_mul_size(n, (size_t)ne[i], &n)) return 0;
    size_t r;
    switch (t) {
    case GG_F32: return mote_mul_size(n, 4, &r) ? r : 0;
    case GG_F16: return mote_mul_size(n, 2, &r) ? r : 0;
    case GG_Q8_0: return ne[0] % MOTE_QK ? 0 : mote_mul_size(n / MOTE_QK, MOTE_Q8_0_BYTES, &r) ? r : 0;
    case GG_Q4_0: return ne[0] % MOTE_QK ? 0 : mote_mul_size(n / MOTE_QK, MOTE_Q4_0_BYTES, &r) ? r : 0;
    default: return 0;
    }
}

/* GGUF tensor names and mote's (per layer: "blk.L." + suffix). */
static const struct { const char *gguf, *mote; } layer_names[] = {
    { "attn_norm.weight", "attention_norm" }, { "attn_q.weight", "wq" },
    { "attn_k.weight", "wk" }, { "attn_v.weight", "wv" }, { "attn_output.weight", "wo" },
    { "ffn_norm.weight", "ffn_norm" }, { "ffn_gate.weight", "w1" },
    { "ffn_down.weight", "w2" }, { "ffn_up.weight", "w3" },
};
enum { N_LAYER_NAMES = 9, SLOT_EMB = 0, SLOT_NORM = 1, SLOT_OUT = 2, SLOT_LAYERS = 3 };

/* The slot of a tensor (see the enum) and mote's name for it; -1 if the
 * name is not one a llama GGUF holds. */
static int slot_of(const tinfo *t, int n_layers, char *mote_name, size_t cap)
{
    char nm[96];
    if (t->name_len >= sizeof nm) return -1;
    memcpy(nm, t->name, t->name_len);
    nm[t->name_len] = '\0';
    if (strlen(nm) != t->name_len) return -1;   /* a NUL inside the name */
    if (!strcmp(nm, "token_embd.weight")) { snprintf(mote_name, cap, "tok_embeddings"); return SLOT_EMB; }
    if (!strcmp(nm, "output_norm.weight")) { snprintf(mote_name, cap, "norm"); return SLOT_NORM; }
    if (!strcmp(nm, "output.weight")) { snprintf(mote_name, cap, "output"); return SLOT_OUT; }
    if (strncmp(nm, "blk.", 4)) return -1;
    char *end;
    long l = strtol(nm + 4, &end, 10);
    if (nm[4] < '0' || nm[4] > '9' || *end != '.' || l < 0 || l >= n_layers)
        return -1;
    for (int k = 0; k < N_LAYER_NAMES; k++)
        if (!strcmp(end + 1, layer_names[k].gguf)) {
            snprintf(mote_name, cap, "layers.%ld.%s", l, layer_names[k].mote);
            return SLOT_LAYERS + (int)l * N_LAYER_NAMES + k;
        }
    return -1;
}

/* The shape mote expects for a slot: rows N and columns K (K 0: a vector of N). */
static void expected_shape(int slot, const mote_llama_hparams *hp, int64_t *N, int64_t *K)
{
    int64_t D = hp->dim, H = hp->hidden_dim, V = hp->vocab_size;
    int64_t KV = (int64_t)hp->n_kv_heads * (hp->dim / hp->n_heads);
    if (slot == SLOT_EMB || slot == SLOT_OUT) { *N = V; *K = D; return; }
    if (slot == SLOT_NORM) { *N = D; *K = 0; return; }
    switch ((slot - SLOT_LAYERS) % N_LAYER_NAMES) {
    case 0: case 5: *N = D; *K = 0; return;          /* norms        */
    case 1: case 4: *N = D; *K = D; return;          /* wq, wo       */
    case 2: case 3: *N = KV; *K = D; return;         /* wk, wv       */
    case 6: case 8: *N = H; *K = D; return;          /* w1, w3       */
    default: *N = D; *K = H; return;                 /* w2           */
    }
}

/* An integer hyperparameter "llama.<key>" in [1, 2^24]; dflt < 0: required. */
static mote_status hparam(importer *im, const char *key, int64_t dflt, int *out)
{
    char full[96];
    snprintf(full, sizeof full, "llama.%s", key);
    const kv *v = mote_gguf_find(im->kvs, im->n_kv, full);
    int64_t x = dflt;
    if (v && !mote_gguf_kv_int(&im->c, v, &x))
        return mote_error(MOTE_ERR_FORMAT, "%s: %s is not an integer", im->c.name, full);
    if (!v && dflt < 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: metadata %s is missing", im->c.name, full);
    if (x <= 0 || x > (1 << 24))
        return mote_error(MOTE_ERR_FORMAT, "%s: %s is %lld", im->c.name, full, (long long)x);
    *out = (int)x;
    return MOTE_OK;
}

static mote_status read_header(importer *im)
{
    cursor *c = &im->c;
    mote_status st = need(c, 4, "the magic");
    if (st) return st;
    if (memcmp(c->base, GGUF_MAGIC, 4))
        return mote_error(MOTE_ERR_FORMAT, "%s: not a GGUF file (no \"GGUF\" magic)", c->name);
    c->off = 4;
    uint32_t ver;
    uint64_t n_t, n_kv;
    if ((st = rd_u32(c, &ver, "the version"))) return st;
    if (ver == 1)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: GGUF version 1 (32-bit counts) is not "
                          "supported; mote reads versions 2 and 3", c->name);
    if (ver != 2 && ver != 3) {
        uint32_t swapped = __builtin_bswap32(ver);
        if (swapped == 2 || swapped == 3)
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: a big-endian GGUF file; mote reads "
                              "little-endian ones", c->name);
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: GGUF version %u; mote reads 2 and 3",
                          c->name, ver);
    }
    im->info.version = (int)ver;
    if ((st = rd_u64(c, &n_t, "the tensor count")) || (st = rd_u64(c, &n_kv, "the key count")))
        return st;
    /* each pair takes at least 8 + 4 + 1 bytes and each tensor info 8 + 4 + 8 + 4 + 8 */
    if (n_kv > (c->len - c->off) / 13 || n_t > (c->len - c->off) / 32)
        return mote_error(MOTE_ERR_FORMAT, "%s: %llu keys and %llu tensors cannot fit in a "
                          "file of %zu bytes", c->name, (unsigned long long)n_kv,
                          (unsigned long long)n_t, c->len);
    im->kvs = calloc((size_t)n_kv + 1, sizeof *im->kvs);
    im->ts = calloc((size_t)n_t + 1, sizeof *im->ts);
    if (!im->kvs || !im->ts) return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", c->name);
    for (uint64_t i = 0; i < n_kv; i++) {
        kv *v = &im->kvs[im->n_kv++];
        if ((st = mote_gguf_rd_str(c, &v->key, &v->key_len, "a key")) ||
            (st = rd_u32(c, &v->type, "a value type")))
            return st;
        v->off = c->off;
        if (v->type == GT_ARRAY) {
            cursor peek = *c;
            if ((st = rd_u32(&peek, &v->item_type, "an array's item type")) ||
                (st = rd_u64(&peek, &v->n_items, "an array's length")))
                return st;
            v->off = peek.off;
        }
        if ((st = skip_value(c, v->type, 0))) return st;
    }
    const kv *al = mote_gguf_find(im->kvs, im->n_kv, "general.alignment");
    int64_t align = GGUF_DEFAULT_ALIGNMENT;
    if (al && (!mote_gguf_kv_int(c, al, &align) || align <= 0 || align > 65536 || (align & (align - 1))))
        return mote_error(MOTE_ERR_FORMAT, "%s: general.alignment must be a power of two up "
                          "to 65536", c->name);
    for (uint64_t i = 0; i < n_t; i++) {
        tinfo *t = &im->ts[im->n_t++];
        uint32_t nd;
        if ((st = mote_gguf_rd_str(c, &t->name, &t->name_len, "a tensor name")) ||
            (st = rd_u32(c, &nd, "a tensor's rank")))
            return st;
        if (nd < 1 || nd > GGUF_MAX_DIMS)
            return mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s' has %u dimensions (1 to 4)",
                              c->name, (int)(t->name_len > 80 ? 80 : t->name_len), t->name, nd);
        t->n_dims = (int)nd;
        for (uint32_t d = 0; d < nd; d++) {
            if ((st = rd_u64(c, &t->ne[d], "a tensor dimension"))) return st;
            if (t->ne[d] == 0 || t->ne[d] > ((uint64_t)1 << 40))
                return mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s' has dimension %llu",
                                  c->name, (int)(t->name_len > 80 ? 80 : t->name_len), t->name,
                                  (unsigned long long)t->ne[d]);
        }
        if ((st = rd_u32(c, &t->type, "a tensor type")) ||
            (st = rd_u64(c, &t->offset, "a tensor offset")))
            return st;
    }
    size_t data = mote_align_up(c->off, (size_t)align);
    if (data < c->off || data > c->len)
        return mote_error(MOTE_ERR_FORMAT, "%s: the data section would start at %zu, past the "
                          "end of the file (%zu bytes)", c->name, data, c->len);
    for (size_t i = 0; i < im->n_t; i++) {
        tinfo *t = &im->ts[i];
        int nl = (int)(t->name_len > 80 ? 80 : t->name_len);
        if (t->type != GG_F32 && t->type != GG_F16 && t->type != GG_Q8_0 && t->type != GG_Q4_0)
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: tensor '%.*s' has type %s; mote reads "
                              "F32, F16, Q8_0 and Q4_0 (requantize the model to one of them)",
                              c->name, nl, t->name, ggml_type_name(t->type));
        t->bytes = tensor_bytes(t->type, t->ne, t->n_dims);
        if (!t->bytes)
            return mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s' (%s): its rows are not whole "
                              "32-value blocks, or its size overflows", c->name, nl, t->name,
                              ggml_type_name(t->type));
        if (t->offset % (uint64_t)align || t->offset > c->len - data ||
            t->bytes > c->len - data - t->offset)
            return mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s': %zu bytes at data offset "
                              "%llu are not inside the file (%zu bytes, data from %zu, "
                              "alignment %lld)", c->name, nl, t->name, t->bytes,
                              (unsigned long long)t->offset, c->len, data, (long long)align);
        t->data = c->base + data + t->offset;
    }
    return MOTE_OK;
}

static mote_status read_hparams(importer *im)
{
    cursor *c = &im->c;
    mote_llama_hparams *hp = &im->info.hp;
    const kv *arch = mote_gguf_find(im->kvs, im->n_kv, "general.architecture");
    if (!arch)
        return mote_error(MOTE_ERR_FORMAT, "%s: general.architecture is missing", c->name);
    if (!mote_gguf_kv_str_is(c, arch, "llama")) {
        const char *s = "";
        size_t n = 0;
        mote_gguf_kv_str(c, arch, &s, &n);
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: architecture '%.*s'; mote imports llama "
                          "GGUF files", c->name, (int)(n > 40 ? 40 : n), s);
    }
    mote_status st;
    if ((st = hparam(im, "embedding_length", -1, &hp->dim)) ||
        (st = hparam(im, "feed_forward_length", -1, &hp->hidden_dim)) ||
        (st = hparam(im, "block_count", -1, &hp->n_layers)) ||
        (st = hparam(im, "attention.head_count", -1, &hp->n_heads)) ||
        (st = hparam(im, "attention.head_count_kv", hp->n_heads, &hp->n_kv_heads)) ||
        (st = hparam(im, "context_length", -1, &hp->max_seq)))
        return st;
    if (hp->dim % hp->n_heads || hp->n_heads % hp->n_kv_heads || (hp->dim / hp->n_heads) % 2)
        return mote_error(MOTE_ERR_FORMAT, "%s: dim %d, %d heads, %d kv heads do not fit "
                          "together", c->name, hp->dim, hp->n_heads, hp->n_kv_heads);
    int rot = hp->dim / hp->n_heads;
    if ((st = hparam(im, "rope.dimension_count", rot, &rot))) return st;
    if (rot != hp->dim / hp->n_heads)
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: rotary embedding over %d of %d dimensions "
                          "per head (mote rotates all of them)", c->name, rot,
                          hp->dim / hp->n_heads);
    const kv *sc = mote_gguf_find(im->kvs, im->n_kv, "llama.rope.scaling.type");
    if (sc && !mote_gguf_kv_str_is(c, sc, "none"))
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: rope scaling (llama.rope.scaling.type) is "
                          "not supported", c->name);
    double theta = 10000.0, eps = 1e-5;
    const kv *v = mote_gguf_find(im->kvs, im->n_kv, "llama.rope.freq_base");
    if (v && (!kv_float(c, v, &theta) || !(theta > 0) || theta > 1e12))
        return mote_error(MOTE_ERR_FORMAT, "%s: bad llama.rope.freq_base", c->name);
    v = mote_gguf_find(im->kvs, im->n_kv, "llama.attention.layer_norm_rms_epsilon");
    if (v && (!kv_float(c, v, &eps) || !(eps > 0) || eps > 1))
        return mote_error(MOTE_ERR_FORMAT, "%s: bad llama.attention.layer_norm_rms_epsilon",
                          c->name);
    hp->rope_theta = (float)theta;
    hp->norm_eps = (float)eps;
    return MOTE_OK;
}

/* Adds tensor t as weight `name` (rows N, columns K; K 0: a vector). */
static mote_status add_tensor(importer *im, mote_graph *g, const tinfo *t, const char *name,
                              int64_t N, int64_t K, int wt)
{
    int64_t dims[2] = { N, K };
    int nd = K ? 2 : 1;
    int64_t cols = K ? K : N, rows = K ? N : 1;
    size_t count = (size_t)rows * (size_t)cols;
    int keep_block = K && ((t->type == GG_Q8_0 && wt == MOTE_W_Q8_0) ||
                           (t->type == GG_Q4_0 && wt == MOTE_W_Q4_0));
    int id;
    if (t->type == GG_F32) {
        id = mote_graph_weight(g, name, MOTE_F32, nd, dims, t->data);
    } else if (t->type == GG_F16 && K) {
        id = mote_graph_weight(g, name, MOTE_F16, nd, dims, t->data);
    } else if (keep_block) {
        int64_t qd[2] = { N, (int64_t)mote_wtype_row_bytes((mote_wtype)wt, K) };
        id = mote_graph_weight(g, name, MOTE_U8, 2, qd, t->data);
    } else {
        /* widened to f32: F16 vectors, and quantized tensors of the other type */
        float *f = malloc(sizeof *f * count);
        if (!f) return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", im->c.name);
        if (t->type == GG_F16) {
            for (size_t i = 0; i < count; i++) {
                uint16_t h;
                memcpy(&h, t->data + 2 * i, 2);
                f[i] = mote_f16_to_f32(h);
            }
        } else {
            int q8 = t->type == GG_Q8_0;
            size_t rb = (size_t)(cols / MOTE_QK) * (q8 ? MOTE_Q8_0_BYTES : MOTE_Q4_0_BYTES);
            for (int64_t r = 0; r < rows; r++) {
                if (q8) mote_dequantize_row_q8_0(cols, t->data + (size_t)r * rb, f + (size_t)r * (size_t)cols);
                else mote_dequantize_row_q4_0(cols, t->data + (size_t)r * rb, f + (size_t)r * (size_t)cols);
            }
            if (K) im->info.n_dequantized++;
        }
        id = mote_graph_weight(g, name, MOTE_F32, nd, dims, f);
        free(f);
    }
    if (id < 0) return mote_error(MOTE_ERR_NOMEM, "%s: cannot add weight %s", im->c.name, name);
    return MOTE_OK;
}

static mote_status read_tensors(importer *im, mote_graph *g)
{
    cursor *c = &im->c;
    mote_llama_hparams *hp = &im->info.hp;
    /* every layer has its 9 tensors: a block count the file cannot hold is
     * refused before anything is sized by it */
    if ((uint64_t)hp->n_layers * N_LAYER_NAMES + 2 > im->n_t)
        return mote_error(MOTE_ERR_FORMAT, "%s: %d layers need at least %d tensors, the file "
                          "has %zu", c->name, hp->n_layers, hp->n_layers * N_LAYER_NAMES + 2,
                          im->n_t);
    int n_slots = SLOT_LAYERS + hp->n_layers * N_LAYER_NAMES;
    int *where = malloc(sizeof *where * (size_t)n_slots);
    if (!where) return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", c->name);
    for (int s = 0; s < n_slots; s++) where[s] = -1;
    mote_status st = MOTE_OK;
    char nm[96];
    for (size_t i = 0; i < im->n_t && !st; i++) {
        const tinfo *t = &im->ts[i];
        int s = slot_of(t, hp->n_layers, nm, sizeof nm);
        int nl = (int)(t->name_len > 80 ? 80 : t->name_len);
        if (s < 0)
            st = mote_error(MOTE_ERR_UNSUPPORTED, "%s: tensor '%.*s' is not part of a llama "
                            "model as mote builds it", c->name, nl, t->name);
        else if (where[s] >= 0)
            st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s' appears twice", c->name, nl,
                            t->name);
        else
            where[s] = (int)i;
    }
    if (st) goto done;
    if (where[SLOT_EMB] < 0) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: token_embd.weight is missing", c->name);
        goto done;
    }
    const tinfo *emb = &im->ts[where[SLOT_EMB]];
    if (emb->n_dims != 2 || emb->ne[1] > (1 << 24)) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: token_embd.weight is not a (vocab, dim) matrix",
                        c->name);
        goto done;
    }
    hp->vocab_size = (int)emb->ne[1];
    const kv *vs = mote_gguf_find(im->kvs, im->n_kv, "llama.vocab_size");
    int64_t vsz;
    if (vs && (!mote_gguf_kv_int(c, vs, &vsz) || vsz != hp->vocab_size)) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: llama.vocab_size does not match the %d rows of "
                        "token_embd.weight", c->name, hp->vocab_size);
        goto done;
    }
    hp->shared_classifier = where[SLOT_OUT] < 0;
    /* the model's block type: that of most quantized matrices */
    int q8 = 0, q4 = 0;
    for (size_t i = 0; i < im->n_t; i++) {
        q8 += im->ts[i].n_dims == 2 && im->ts[i].type == GG_Q8_0;
        q4 += im->ts[i].n_dims == 2 && im->ts[i].type == GG_Q4_0;
    }
    int wt = q8 + q4 == 0 ? MOTE_W_F32 : q8 >= q4 ? MOTE_W_Q8_0 : MOTE_W_Q4_0;
    snprintf(hp->weight_type, sizeof hp->weight_type, "%s",
             wt == MOTE_W_Q8_0 ? "q8_0" : wt == MOTE_W_Q4_0 ? "q4_0" : "f32");
    for (int s = 0; s < n_slots && !st; s++) {
        mote_llm_report(im->progress, "tensors", (size_t)s + 1, (size_t)n_slots);
        if (s == SLOT_OUT && where[s] < 0) continue;
        if (where[s] < 0) {
            if (s == SLOT_NORM)
                st = mote_error(MOTE_ERR_FORMAT, "%s: tensor output_norm.weight is missing",
                                c->name);
            else
                st = mote_error(MOTE_ERR_FORMAT, "%s: tensor blk.%d.%s is missing", c->name,
                                (s - SLOT_LAYERS) / N_LAYER_NAMES,
                                layer_names[(s - SLOT_LAYERS) % N_LAYER_NAMES].gguf);
            break;
        }
        const tinfo *t = &im->ts[where[s]];
        int64_t N, K;
        expected_shape(s, hp, &N, &K);
        int ok = K ? t->n_dims == 2 && t->ne[0] == (uint64_t)K && t->ne[1] == (uint64_t)N
                   : t->n_dims == 1 && t->ne[0] == (uint64_t)N;
        slot_of(t, hp->n_layers, nm, sizeof nm);
        if (!ok) {
            st = mote_error(MOTE_ERR_FORMAT, "%s: tensor '%.*s' has the wrong shape for the "
                            "hyperparameters (want %lld x %lld)", c->name,
                            (int)(t->name_len > 80 ? 80 : t->name_len), t->name, (long long)N,
                            (long long)(K ? K : 1));
            break;
        }
        st = add_tensor(im, g, t, nm, N, K, wt);
    }
done:
    free(where);
    return st;
}

static mote_status add_meta(importer *im, mote_graph *g)
{
    const mote_llama_hparams *h = &im->info.hp;
    char prod[64];
    snprintf(prod, sizeof prod, "mote convert (GGUF v%d)", im->info.version);
    mote_status st = mote_graph_meta_string(g, "architecture", "llama");
    if (!st) st = mote_graph_meta_string(g, "producer", prod);
    const kv *name = mote_gguf_find(im->kvs, im->n_kv, "general.name");
    const char *s;
    size_t n;
    if (!st && name && mote_gguf_kv_str(&im->c, name, &s, &n) && n < 256 && !memchr(s, '\0', n)) {
        char buf[256];
        memcpy(buf, s, n);
        buf[n] = '\0';
        st = mote_graph_meta_string(g, "name", buf);
    }
    if (!st) st = mote_graph_meta_int(g, "llama.dim", h->dim);
    if (!st) st = mote_graph_meta_int(g, "llama.hidden_dim", h->hidden_dim);
    if (!st) st = mote_graph_meta_int(g, "llama.n_layers", h->n_layers);
    if (!st) st = mote_graph_meta_int(g, "llama.n_heads", h->n_heads);
    if (!st) st = mote_graph_meta_int(g, "llama.n_kv_heads", h->n_kv_heads);
    if (!st) st = mote_graph_meta_int(g, "llama.vocab_size", h->vocab_size);
    if (!st) st = mote_graph_meta_int(g, "llama.max_seq", h->max_seq);
    if (!st) st = mote_graph_meta_float(g, "llama.rope_theta", h->rope_theta);
    if (!st) st = mote_graph_meta_float(g, "llama.norm_eps", h->norm_eps);
    if (!st) st = mote_graph_meta_int(g, "llama.shared_classifier", h->shared_classifier);
    if (!st) st = mote_graph_meta_int(g, "gguf.version", im->info.version);
    return st;
}

int mote_gguf_probe(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char m[4];
    int ok = fread(m, 1, 4, f) == 4 && !memcmp(m, GGUF_MAGIC, 4);
    fclose(f);
    return ok;
}

static mote_status import_memory(const void *buf, size_t len, const char *name,
                                 const mote_llm_progress *progress, mote_graph **out,
                                 mote_gguf_info *info)
{
    *out = NULL;
    importer im = { .c = { .base = buf, .len = len, .name = name ? name : "GGUF" },
                    .progress = progress };
    mote_graph *g = NULL;
    mote_status st = read_header(&im);
    if (!st) st = read_hparams(&im);
    if (!st && !(g = mote_graph_new())) st = mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (!st) st = read_tensors(&im, g);
    if (!st) st = mote_gguf_read_tokenizer(&im, g);
    if (!st) st = add_meta(&im, g);
    im.info.n_tensors = (int)im.n_t;
    free(im.kvs);
    free(im.ts);
    if (st) {
        mote_graph_free(g);
        return st;
    }
    if (info) *info = im.info;
    *out = g;
    return MOTE_OK;
}

mote_status mote_gguf_import_memory(const void *buf, size_t len, const char *name,
                                    mote_graph **out, mote_gguf_info *info)
{
    return import_memory(buf, len, name, NULL, out, info);
}

mote_status mote_gguf_import(const char *path, const mote_llm_progress *progress,
                             mote_graph **out, mote_gguf_info *info)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return mote_error(MOTE_ERR_IO, "%s: cannot open", path);
    struct stat sb;
    if (fstat(fd, &sb) || sb.st_size <= 0) {
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: cannot stat or empty", path);
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return mote_error(MOTE_ERR_IO, "%s: cannot map", path);
    mote_status st = import_memory(map, len, path, progress, out, info);
    munmap(map, len);
    return st;
}
