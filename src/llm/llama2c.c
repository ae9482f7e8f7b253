/*
 * llama2c.c — reading llama2.c checkpoints v0/v1/v2 into graph weights
 * and metadata (layouts in llama2c.h). The file is mapped read-only; each
 * array is checked against the mapping's length before it is copied.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "llama2c.h"
#include "tokenizer.h"
#include "graph/internal.h"
#include "llm.h"

#define LLAMA2C_MAGIC 0x616b3432u

typedef struct reader {
    const char *path;
    const uint8_t *base;
    size_t len, off;
    int version, group;    /* v2: values per scale group */
    float *tmp;            /* dequantization buffer (v2) */
    size_t tmp_n;
    uint8_t *blocks;       /* (N, K/32 q8_0 blocks) v2 matrices kept as q8_0 */
    size_t blocks_n;
    int kept;              /* v2 matrices kept as q8_0 */
    const mote_llm_progress *progress;
    size_t added, total;   /* weights added; weights the layout holds */
} reader;

static bool expected_size(const mote_llama2c_info *h, int group, uint64_t *size);

static mote_status parse_header(reader *r, mote_llama2c_info *h)
{
    int32_t hd[7];
    uint32_t magic = 0;
    if (r->len < 28) return mote_error(MOTE_ERR_FORMAT, "%s: too short for a llama2.c header", r->path);
    memcpy(&magic, r->base, 4);
    memset(h, 0, sizeof *h);
    if (magic == LLAMA2C_MAGIC) {
        int32_t ver;
        if (r->len < 256) return mote_error(MOTE_ERR_FORMAT, "%s: truncated v1/v2 header", r->path);
        memcpy(&ver, r->base + 4, 4);
        if (ver != 1 && ver != 2)
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: llama2.c checkpoint version %d "
                              "(mote reads 0, 1 and 2)", r->path, (int)ver);
        memcpy(hd, r->base + 8, sizeof hd);
        h->version = ver;
        h->shared_classifier = r->base[36] != 0;
        if (ver == 2) {
            int32_t gs;
            memcpy(&gs, r->base + 37, 4);
            if (gs <= 0 || gs > (1 << 20))
                return mote_error(MOTE_ERR_FORMAT, "%s: bad group size %d", r->path, (int)gs);
            r->group = gs;
        }
        r->off = 256;
    } else {
        memcpy(hd, r->base, sizeof hd);
        h->version = 0;
        h->shared_classifier = hd[5] > 0;
        /* negative vocab: untied classifier; INT32_MIN has no negation (the
         * range check below rejects it as 0) */
        if (hd[5] < 0) hd[5] = hd[5] == INT32_MIN ? 0 : -hd[5];
        r->off = 28;
    }
    r->version = h->version;
    h->dim = hd[0]; h->hidden_dim = hd[1]; h->n_layers = hd[2]; h->n_heads = hd[3];
    h->n_kv_heads = hd[4]; h->vocab_size = hd[5]; h->max_seq = hd[6];
    h->rope_theta = 10000.0f;
    h->norm_eps = 1e-5f;
    for (int i = 0; i < 7; i++)
        if (hd[i] <= 0 || hd[i] > (1 << 24))
            return mote_error(MOTE_ERR_FORMAT, "%s: header field %d is %d (not a llama2.c "
                              "checkpoint?)", r->path, i, (int)hd[i]);
    if (h->dim % h->n_heads || h->n_heads % h->n_kv_heads || (h->dim / h->n_heads) % 2)
        return mote_error(MOTE_ERR_FORMAT, "%s: dim %d, %d heads, %d kv heads do not fit "
                          "together", r->path, h->dim, h->n_heads, h->n_kv_heads);
    /* The header must describe the file exactly: a wrong layer count or
     * trailing bytes would otherwise shift every array after the error
     * and convert into a model that generates garbage. */
    uint64_t want = 0;
    if (!expected_size(h, r->group, &want) || want != (uint64_t)r->len)
        return mote_error(MOTE_ERR_FORMAT, "%s: %s: the header (v%d: dim %d, hidden %d, %d layers, "
                          "%d heads, %d kv heads, vocabulary %d, sequence %d, %s classifier) "
                          "describes %llu bytes, the file has %zu", r->path,
                          want > (uint64_t)r->len ? "truncated" : "trailing bytes", h->version, h->dim,
                          h->hidden_dim, h->n_layers, h->n_heads, h->n_kv_heads, h->vocab_size,
                          h->max_seq, h->shared_classifier ? "shared" : "separate",
                          (unsigned long long)want, r->len);
    return MOTE_OK;
}

/* Bytes of n values as stored: f32, or (v2 quantized) int8 plus one f32
 * scale per group. False on overflow. */
static bool stored_bytes(const mote_llama2c_info *h, int group, uint64_t n, int quantized,
                         uint64_t *total)
{
    uint64_t b;
    if (quantized && h->version == 2) b = n + n / (uint64_t)group * 4;
    else if (__builtin_mul_overflow(n, (uint64_t)4, &b)) return false;
    return !__builtin_add_overflow(*total, b, total);
}

/* The exact size of a checkpoint with header h (the order of
 * read_weights); false if it overflows 64 bits. */
static bool expected_size(const mote_llama2c_info *h, int group, uint64_t *size)
{
    uint64_t D = (uint64_t)h->dim, H = (uint64_t)h->hidden_dim, V = (uint64_t)h->vocab_size;
    uint64_t L = (uint64_t)h->n_layers, KV = (uint64_t)h->n_kv_heads * (D / (uint64_t)h->n_heads);
    uint64_t t = h->version == 0 ? 28 : 256;
    int q = h->version == 2;
    bool ok = stored_bytes(h, group, L * D * 2 + D, 0, &t) &&       /* norms */
              stored_bytes(h, group, V * D, q, &t) &&                /* embeddings */
              stored_bytes(h, group, D * D, q, &t) && stored_bytes(h, group, KV * D, q, &t) &&
              stored_bytes(h, group, KV * D, q, &t) && stored_bytes(h, group, D * D, q, &t) &&
              stored_bytes(h, group, H * D, q, &t) && stored_bytes(h, group, D * H, q, &t) &&
              stored_bytes(h, group, H * D, q, &t);
    if (!ok) return false;
    /* the per-layer matrices above counted once: L times in all */
    uint64_t one = 0;
    if (!stored_bytes(h, group, D * D, q, &one) || !stored_bytes(h, group, KV * D, q, &one) ||
        !stored_bytes(h, group, KV * D, q, &one) || !stored_bytes(h, group, D * D, q, &one) ||
        !stored_bytes(h, group, H * D, q, &one) || !stored_bytes(h, group, D * H, q, &one) ||
        !stored_bytes(h, group, H * D, q, &one))
        return false;
    uint64_t layers;
    if (__builtin_mul_overflow(one, L - 1, &layers) || __builtin_add_overflow(t, layers, &t))
        return false;
    if (h->version == 0 &&   /* the legacy RoPE tables */
        !stored_bytes(h, group, (uint64_t)h->max_seq * (D / (uint64_t)h->n_heads / 2) * 2, 0, &t))
        return false;
    if (!h->shared_classifier && !stored_bytes(h, group, V * D, q, &t)) return false;
    *size = t;
    return true;
}

/* Reads n f32 values (v2 quantized matrices: n int8 then n/group scales). */
static mote_status take(reader *r, size_t n, int quantized, const float **out)
{
    if (quantized && r->version == 2) {
        if (n % (size_t)r->group)
            return mote_error(MOTE_ERR_FORMAT, "%s: %zu values are not whole groups of %d",
                              r->path, n, r->group);
        size_t ns = n / (size_t)r->group;
        if (r->off > r->len || r->len - r->off < n + ns * 4)
            return mote_error(MOTE_ERR_FORMAT, "%s: truncated at byte %zu", r->path, r->off);
        if (r->tmp_n < n) {
            float *t = realloc(r->tmp, n * sizeof *t);
            if (!t) return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", r->path);
            r->tmp = t;
            r->tmp_n = n;
        }
        const int8_t *q = (const int8_t *)(r->base + r->off);
        const uint8_t *sc = r->base + r->off + n;
        for (size_t i = 0; i < n; i++) {
            float s;
            memcpy(&s, sc + (i / (size_t)r->group) * 4, 4);
            r->tmp[i] = (float)q[i] * s;
        }
        r->off += n + ns * 4;
        *out = r->tmp;
        return MOTE_OK;
    }
    if (r->off > r->len || (r->len - r->off) / 4 < n)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated: %zu floats wanted at byte %zu of %zu",
                          r->path, n, r->off, r->len);
    *out = (const float *)(r->base + r->off);   /* the mapping is page-aligned, offsets x4 */
    r->off += n * 4;
    return MOTE_OK;
}

/*
 * A v2 int8 matrix (N, K) kept as q8_0 blocks instead of widened: each
 * 32-value block takes its int8 values as they are and the f32 scale of
 * the group it lies in, rounded to the block's half scale. Possible when
 * K and the group size are multiples of 32 (a block then never straddles
 * two groups). Returns 0 (and reads nothing) when it is not possible.
 */
static int can_keep_q8(const reader *r, int quantized, int64_t K)
{
    return quantized && r->version == 2 && K > 0 && K % MOTE_QK == 0 && r->group % MOTE_QK == 0;
}

static mote_status take_q8(reader *r, int64_t N, int64_t K, const uint8_t **out)
{
    size_t n = (size_t)N * (size_t)K, ns = n / (size_t)r->group;
    if (n % (size_t)r->group)
        return mote_error(MOTE_ERR_FORMAT, "%s: %zu values are not whole groups of %d",
                          r->path, n, r->group);
    if (r->off > r->len || r->len - r->off < n + ns * 4)
        return mote_error(MOTE_ERR_FORMAT, "%s: truncated at byte %zu", r->path, r->off);
    size_t nb = n / MOTE_QK, bytes = nb * MOTE_Q8_0_BYTES;
    if (r->blocks_n < bytes) {
        uint8_t *b = realloc(r->blocks, bytes);
        if (!b) return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", r->path);
        r->blocks = b;
        r->blocks_n = bytes;
    }
    const uint8_t *q = r->base + r->off, *sc = r->base + r->off + n;
    for (size_t b = 0; b < nb; b++) {
        float s;
        memcpy(&s, sc + (b * MOTE_QK / (size_t)r->group) * 4, 4);
        uint16_t d = mote_f32_to_f16(s);
        uint8_t *blk = r->blocks + b * MOTE_Q8_0_BYTES;
        memcpy(blk, &d, 2);
        memcpy(blk + 2, q + b * MOTE_QK, MOTE_QK);
    }
    r->off += n + ns * 4;
    r->kept++;
    *out = r->blocks;
    return MOTE_OK;
}

/* Adds weight `name` of shape (d0[, d1]): f32, or q8_0 rows (v2 matrices). */
static mote_status add_weight(reader *r, mote_graph *g, const char *name, int64_t d0,
                              int64_t d1, int quantized)
{
    mote_llm_report(r->progress, "weights", ++r->added, r->total);
    int64_t dims[2] = { d0, d1 };
    if (can_keep_q8(r, quantized, d1)) {
        const uint8_t *blocks = NULL;
        mote_status st = take_q8(r, d0, d1, &blocks);
        if (st) return st;
        int64_t qd[2] = { d0, d1 / MOTE_QK * MOTE_Q8_0_BYTES };
        if (mote_graph_weight(g, name, MOTE_U8, 2, qd, blocks) < 0)
            return mote_error(MOTE_ERR_NOMEM, "%s: cannot add weight %s", r->path, name);
        return MOTE_OK;
    }
    const float *p = NULL;
    mote_status st = take(r, (size_t)d0 * (size_t)(d1 > 0 ? d1 : 1), quantized, &p);
    if (st) return st;
    if (mote_graph_weight(g, name, MOTE_F32, d1 > 0 ? 2 : 1, dims, p) < 0)
        return mote_error(MOTE_ERR_NOMEM, "%s: cannot add weight %s", r->path, name);
    return MOTE_OK;
}

/* Adds n_layers weights "layers.L.<name>" of shape (d0[, d1]) from the file. */
static mote_status add_layers(reader *r, mote_graph *g, int L, const char *name,
                              int64_t d0, int64_t d1, int quantized)
{
    for (int l = 0; l < L; l++) {
        char nm[64];
        snprintf(nm, sizeof nm, "layers.%d.%s", l, name);
        mote_status st = add_weight(r, g, nm, d0, d1, quantized);
        if (st) return st;
    }
    return MOTE_OK;
}

static mote_status add_one(reader *r, mote_graph *g, const char *name, int64_t d0, int64_t d1,
                           int quantized)
{
    return add_weight(r, g, name, d0, d1, quantized);
}

static mote_status read_weights(reader *r, mote_graph *g, const mote_llama2c_info *h)
{
    int64_t D = h->dim, H = h->hidden_dim, V = h->vocab_size, L = h->n_layers;
    r->total = (size_t)(9 * L + 2 + !h->shared_classifier);
    int64_t KV = (int64_t)h->n_kv_heads * (h->dim / h->n_heads);
    mote_status st = MOTE_OK;
    if (h->version == 0) {
        if (!st) st = add_one(r, g, "tok_embeddings", V, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "attention_norm", D, 0, 0);
        if (!st) st = add_layers(r, g, (int)L, "wq", D, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "wk", KV, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "wv", KV, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "wo", D, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "ffn_norm", D, 0, 0);
        if (!st) st = add_layers(r, g, (int)L, "w1", H, D, 0);
        if (!st) st = add_layers(r, g, (int)L, "w2", D, H, 0);
        if (!st) st = add_layers(r, g, (int)L, "w3", H, D, 0);
        if (!st) st = add_one(r, g, "norm", D, 0, 0);
        const float *skip;   /* the legacy RoPE tables: recomputed from theta */
        if (!st) st = take(r, (size_t)h->max_seq * (size_t)(h->dim / h->n_heads / 2) * 2, 0, &skip);
        if (!st && !h->shared_classifier) st = add_one(r, g, "output", V, D, 0);
    } else {
        if (!st) st = add_layers(r, g, (int)L, "attention_norm", D, 0, 0);
        if (!st) st = add_layers(r, g, (int)L, "ffn_norm", D, 0, 0);
        if (!st) st = add_one(r, g, "norm", D, 0, 0);
        if (!st) st = add_one(r, g, "tok_embeddings", V, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "wq", D, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "wk", KV, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "wv", KV, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "wo", D, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "w1", H, D, 1);
        if (!st) st = add_layers(r, g, (int)L, "w2", D, H, 1);
        if (!st) st = add_layers(r, g, (int)L, "w3", H, D, 1);
        if (!st && !h->shared_classifier) st = add_one(r, g, "output", V, D, 1);
    }
    return st;
}

static mote_status add_meta(mote_graph *g, const mote_llama2c_info *h)
{
    mote_status st = mote_graph_meta_string(g, "architecture", "llama");
    if (!st) st = mote_graph_meta_string(g, "producer", "mote convert (llama2.c checkpoint)");
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
    if (!st) st = mote_graph_meta_int(g, "llama.source_version", h->version);
    return st;
}

int mote_llama2c_probe(const char *path)
{
    /* Format detection, not validation (mote_llama2c_import checks the
     * header against the file): a v1/v2 magic, or seven little-endian
     * int32 of at most 2^24 in magnitude. An ONNX
     * file starts with protobuf tags whose bytes make the first int32
     * larger; a .mote file starts with its magic. So a checkpoint with a
     * bad header is reported as one, not as broken protobuf. */
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    int32_t hd[7];
    int ok = fread(hd, 4, 7, f) == 7;
    struct stat sb;
    ok = ok && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    fclose(f);
    if (!ok) return 0;
    if ((uint32_t)hd[0] == LLAMA2C_MAGIC) return 1;
    for (int i = 0; i < 7; i++)
        if (hd[i] > (1 << 24) || hd[i] < -(1 << 24)) return 0;
    return 1;
}

mote_status mote_llama2c_import(const char *ckpt, const char *tok, mote_graph **out,
                                mote_llama2c_info *info)
{
    return mote_llama2c_import_progress(ckpt, tok, NULL, out, info);
}

mote_status mote_llama2c_import_progress(const char *ckpt, const char *tok,
                                         const mote_llm_progress *progress, mote_graph **out,
                                         mote_llama2c_info *info)
{
    *out = NULL;
    reader r = { .path = ckpt, .progress = progress };
    int fd = open(ckpt, O_RDONLY);
    if (fd < 0) return mote_error(MOTE_ERR_IO, "%s: cannot open", ckpt);
    struct stat sb;
    if (fstat(fd, &sb) || sb.st_size <= 0) {
        close(fd);
        return mote_error(MOTE_ERR_IO, "%s: cannot stat or empty", ckpt);
    }
    r.len = (size_t)sb.st_size;
    void *map = mmap(NULL, r.len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return mote_error(MOTE_ERR_IO, "%s: cannot map", ckpt);
    r.base = map;
    mote_llama2c_info h;
    mote_graph *g = NULL;
    mote_tokenizer *t = NULL;
    mote_status st = parse_header(&r, &h);
    if (!st && !(g = mote_graph_new())) st = mote_error(MOTE_ERR_NOMEM, "out of memory");
    if (!st) st = read_weights(&r, g, &h);
    if (!st) st = add_meta(g, &h);
    if (!st && tok) {
        st = mote_tokenizer_load_llama2c(tok, h.vocab_size, &t);
        if (!st) st = mote_tokenizer_store(t, g);
    }
    mote_tokenizer_free(t);
    free(r.tmp);
    free(r.blocks);
    munmap(map, r.len);
    snprintf(h.weight_type, sizeof h.weight_type, "%s", r.kept ? "q8_0" : "f32");
    if (st) {
        mote_graph_free(g);
        return st;
    }
    if (info) *info = h;
    *out = g;
    return MOTE_OK;
}
