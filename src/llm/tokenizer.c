/*
 * tokenizer.c — llama2.c's BPE tokenizer: loading, encode, decode.
 *
 * The merge loop is quadratic in the text length (as in llama2.c): each
 * round scans all adjacent pairs for the best-scoring merge. Prompts are
 * short, so clarity wins over a priority queue here. This file does not
 * know about models beyond reading/writing the two tokenizer weights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tokenizer.h"
#include "tokenizer_bpe.h"
#include "graph/graph.h"
#include "graph/internal.h"

typedef struct piece_ref { const char *s; int id; } piece_ref;

/* pieces by bytes, equal pieces by id */
static int cmp_pieces(const void *a, const void *b)
{
    const piece_ref *x = a, *y = b;
    int r = strcmp(x->s, y->s);
    return r ? r : (x->id > y->id) - (x->id < y->id);
}

void mote_tokenizer_free(mote_tokenizer *t)
{
    if (!t) return;
    free(t->vocab);
    free(t->pool);
    free(t->scores);
    free(t->sorted);
    free(t->types);
    free(t->merges);
    free(t->merge_left);
    free(t->merge_right);
    free(t->merge_hash);
    free(t->text);
    free(t->text_off);
    free(t);
}

mote_status mote_tokenizer_new(int n, const char *pool, size_t pool_bytes,
                               const float *scores, mote_tokenizer **out)
{
    *out = NULL;
    if (n <= 0 || !pool || !scores)
        return mote_error(MOTE_ERR_ARG, "tokenizer: empty vocabulary");
    mote_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    t->n_vocab = n;
    t->kind = MOTE_TOK_LLAMA2C;
    t->bos_id = MOTE_TOKEN_BOS;
    t->eos_id = MOTE_TOKEN_EOS;
    t->vocab = malloc((size_t)n * sizeof *t->vocab);
    t->pool = malloc(pool_bytes ? pool_bytes : 1);
    t->scores = malloc((size_t)n * sizeof *t->scores);
    t->sorted = malloc((size_t)n * sizeof *t->sorted);
    if (!t->vocab || !t->pool || !t->scores || !t->sorted) {
        mote_tokenizer_free(t);
        return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    }
    memcpy(t->pool, pool, pool_bytes);
    memcpy(t->scores, scores, (size_t)n * sizeof *t->scores);
    t->pool_bytes = pool_bytes;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        const char *end = off < pool_bytes ? memchr(t->pool + off, '\0', pool_bytes - off) : NULL;
        if (!end) {
            mote_tokenizer_free(t);
            return mote_error(MOTE_ERR_FORMAT, "tokenizer: piece %d of %d runs past the "
                              "end of the %zu-byte piece table", i, n, pool_bytes);
        }
        t->vocab[i] = t->pool + off;
        size_t len = (size_t)(end - (t->pool + off));
        if ((int)len > t->max_token_len) t->max_token_len = (int)len;
        off += len + 1;
        t->sorted[i] = i;
    }
    piece_ref *refs = malloc((size_t)n * sizeof *refs);
    if (!refs) {
        mote_tokenizer_free(t);
        return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    }
    for (int i = 0; i < n; i++) refs[i] = (piece_ref){ t->vocab[i], i };
    qsort(refs, (size_t)n, sizeof *refs, cmp_pieces);
    for (int i = 0; i < n; i++) t->sorted[i] = refs[i].id;
    free(refs);
    for (int b = 0; b < 256; b++) {
        t->byte_piece[b][0] = (char)b;
        t->byte_piece[b][1] = '\0';
    }
    *out = t;
    return MOTE_OK;
}

mote_status mote_tokenizer_new_bpe(int n, const char *pool, size_t pool_bytes,
                                   const uint8_t *types, const char *merges,
                                   size_t merges_bytes, int n_merges, int bos, int eos,
                                   mote_tokenizer **out)
{
    *out = NULL;
    if (n <= 0 || n_merges < 0 || (n_merges > 0 && !merges) || bos >= n || eos >= n || eos < 0)
        return mote_error(MOTE_ERR_ARG, "tokenizer: %d pieces, %d merges, BOS %d, EOS %d do not "
                          "fit together", n, n_merges, bos, eos);
    float *zero = calloc((size_t)n, sizeof *zero);   /* byte BPE ranks merges, not pieces */
    if (!zero) return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    mote_tokenizer *t;
    mote_status st = mote_tokenizer_new(n, pool, pool_bytes, zero, &t);
    free(zero);
    if (st) return st;
    t->kind = MOTE_TOK_BYTE_BPE;
    t->bos_id = bos < 0 ? -1 : bos;
    t->eos_id = eos;
    t->n_merges = n_merges;
    t->merges_bytes = merges_bytes;
    t->merges = malloc(merges_bytes ? merges_bytes : 1);
    if (types) t->types = malloc((size_t)n);
    if (!t->merges || (types && !t->types)) {
        mote_tokenizer_free(t);
        return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    }
    if (merges_bytes) memcpy(t->merges, merges, merges_bytes);
    if (types) memcpy(t->types, types, (size_t)n);
    if ((st = mote_bpe_prepare(t))) {
        mote_tokenizer_free(t);
        return st;
    }
    *out = t;
    return MOTE_OK;
}

mote_status mote_tokenizer_load_llama2c(const char *path, int n_vocab, mote_tokenizer **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return mote_error(MOTE_ERR_IO, "%s: cannot open tokenizer", path);
    mote_status st = MOTE_OK;
    char *pool = NULL;
    float *scores = malloc((size_t)(n_vocab > 0 ? n_vocab : 1) * sizeof *scores);
    size_t cap = 4096, used = 0;
    pool = malloc(cap);
    int32_t max_len;
    if (!scores || !pool) { st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", path); goto done; }
    if (fread(&max_len, 4, 1, f) != 1 || max_len <= 0 || max_len > (1 << 20)) {
        st = mote_error(MOTE_ERR_FORMAT, "%s: bad tokenizer header", path);
        goto done;
    }
    for (int i = 0; i < n_vocab; i++) {
        int32_t len;
        if (fread(&scores[i], 4, 1, f) != 1 || fread(&len, 4, 1, f) != 1) {
            st = mote_error(MOTE_ERR_FORMAT, "%s: truncated at token %d of %d "
                            "(does the tokenizer match the model's vocabulary?)", path, i, n_vocab);
            goto done;
        }
        if (len < 0 || len > max_len) {
            st = mote_error(MOTE_ERR_FORMAT, "%s: token %d has length %d (max %d)",
                            path, i, (int)len, (int)max_len);
            goto done;
        }
        while (used + (size_t)len + 1 > cap) {
            char *p = realloc(pool, cap * 2);
            if (!p) { st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", path); goto done; }
            pool = p;
            cap *= 2;
        }
        if (len && fread(pool + used, 1, (size_t)len, f) != (size_t)len) {
            st = mote_error(MOTE_ERR_FORMAT, "%s: truncated in token %d", path, i);
            goto done;
        }
        if (memchr(pool + used, '\0', (size_t)len)) {
            st = mote_error(MOTE_ERR_FORMAT, "%s: token %d contains a NUL byte", path, i);
            goto done;
        }
        used += (size_t)len;
        pool[used++] = '\0';
    }
    /* The file must end with the last entry: more entries than the
     * vocabulary means the tokenizer belongs to another model. */
    if (fgetc(f) != EOF) {
        long at = ftell(f) - 1;
        st = mote_error(MOTE_ERR_FORMAT, "%s: bytes after token %d, the last of the model's "
                        "vocabulary of %d (at byte %ld): the tokenizer has more entries than the "
                        "model", path, n_vocab - 1, n_vocab, at);
        goto done;
    }
    st = mote_tokenizer_new(n_vocab, pool, used, scores, out);
    if (st) mote_error_wrap(st, path);
done:
    free(pool);
    free(scores);
    fclose(f);
    return st;
}

/* Byte BPE: the pieces, their types and the merges (their spaces restored). */
static mote_status store_bpe(const mote_tokenizer *t, mote_graph *g)
{
    int64_t np = (int64_t)t->pool_bytes, nv = t->n_vocab, nm = (int64_t)t->merges_bytes;
    char *merges = malloc(t->merges_bytes ? t->merges_bytes : 1);
    uint8_t *types = calloc((size_t)t->n_vocab, 1);
    if (!merges || !types) {
        free(merges);
        free(types);
        return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    }
    memcpy(merges, t->merges, t->merges_bytes);
    for (int r = 0; r < t->n_merges; r++)
        merges[t->merge_right[r] - 1 - t->merges] = ' ';
    if (t->types) memcpy(types, t->types, (size_t)t->n_vocab);
    mote_status st = MOTE_OK;
    if (mote_graph_weight(g, "tokenizer.pieces", MOTE_U8, 1, &np, t->pool) < 0 ||
        mote_graph_weight(g, "tokenizer.types", MOTE_U8, 1, &nv, types) < 0 ||
        mote_graph_weight(g, "tokenizer.merges", MOTE_U8, 1, &nm, merges) < 0)
        st = mote_error_wrap(MOTE_ERR_NOMEM, "tokenizer: storing weights");
    free(merges);
    free(types);
    if (!st) st = mote_graph_meta_string(g, "tokenizer.model", "byte-bpe");
    if (!st) st = mote_graph_meta_int(g, "tokenizer.vocab_size", t->n_vocab);
    if (!st) st = mote_graph_meta_int(g, "tokenizer.n_merges", t->n_merges);
    if (!st) st = mote_graph_meta_int(g, "tokenizer.bos_id", t->bos_id);
    if (!st) st = mote_graph_meta_int(g, "tokenizer.eos_id", t->eos_id);
    return st;
}

mote_status mote_tokenizer_store(const mote_tokenizer *t, mote_graph *g)
{
    if (t->kind == MOTE_TOK_BYTE_BPE) return store_bpe(t, g);
    int64_t np = (int64_t)t->pool_bytes, nv = t->n_vocab;
    if (mote_graph_weight(g, "tokenizer.pieces", MOTE_U8, 1, &np, t->pool) < 0 ||
        mote_graph_weight(g, "tokenizer.scores", MOTE_F32, 1, &nv, t->scores) < 0)
        return mote_error_wrap(MOTE_ERR_NOMEM, "tokenizer: storing weights");
    mote_status st = mote_graph_meta_string(g, "tokenizer.model", "llama2c-bpe");
    if (!st) st = mote_graph_meta_int(g, "tokenizer.vocab_size", t->n_vocab);
    return st;
}

/* An integer metadata value, or dflt. */
static long long meta_int(const mote_model *m, const char *key, long long dflt)
{
    const char *v = mote_model_meta(m, key);
    char *end;
    long long x = v ? strtoll(v, &end, 10) : dflt;
    return v && (end == v || *end) ? dflt : x;
}

static mote_status bpe_from_model(const mote_model *m, mote_tokenizer **out)
{
    const mote_graph *g = mote_model_graph(m);
    int ip = mote_graph_find_value(g, "tokenizer.pieces");
    int it = mote_graph_find_value(g, "tokenizer.types");
    int im = mote_graph_find_value(g, "tokenizer.merges");
    long long nv = meta_int(m, "tokenizer.vocab_size", -1), nm = meta_int(m, "tokenizer.n_merges", -1);
    long long bos = meta_int(m, "tokenizer.bos_id", -1), eos = meta_int(m, "tokenizer.eos_id", -2);
    if (ip < 0 || it < 0 || im < 0 || nv <= 0 || nv > INT32_MAX || nm < 0 || nm > INT32_MAX ||
        eos < 0)
        return mote_error(MOTE_ERR_FORMAT, "model: incomplete byte-BPE tokenizer (pieces, types, "
                          "merges, vocab_size, n_merges, eos_id)");
    const mote_value *vp = &g->values[ip], *vt = &g->values[it], *vm = &g->values[im];
    if (vp->dtype != MOTE_U8 || vt->dtype != MOTE_U8 || vm->dtype != MOTE_U8 ||
        vt->nbytes != (size_t)nv || !vp->data || !vt->data || (!vm->data && vm->nbytes))
        return mote_error(MOTE_ERR_FORMAT, "model: malformed byte-BPE tokenizer weights");
    return mote_tokenizer_new_bpe((int)nv, vp->data, vp->nbytes, vt->data, vm->data, vm->nbytes,
                                  (int)nm, (int)bos, (int)eos, out);
}

mote_status mote_tokenizer_from_model(const mote_model *m, mote_tokenizer **out)
{
    *out = NULL;
    const char *kind = mote_model_meta(m, "tokenizer.model");
    if (kind && !strcmp(kind, "byte-bpe")) return bpe_from_model(m, out);
    const mote_graph *g = mote_model_graph(m);
    int ip = g ? mote_graph_find_value(g, "tokenizer.pieces") : -1;
    int is = g ? mote_graph_find_value(g, "tokenizer.scores") : -1;
    if (ip < 0 || is < 0)
        return mote_error(MOTE_ERR_FORMAT, "model has no tokenizer (weights tokenizer.pieces "
                          "and tokenizer.scores); convert it with --tokenizer");
    const mote_value *vp = &g->values[ip], *vs = &g->values[is];
    if (vp->kind != MOTE_VAL_WEIGHT || vs->kind != MOTE_VAL_WEIGHT || vp->dtype != MOTE_U8 ||
        vs->dtype != MOTE_F32 || vs->ndim != 1 || vs->dims[0] <= 0 || vs->dims[0] > INT32_MAX ||
        vs->nbytes != (size_t)vs->dims[0] * 4 || !vp->data || !vs->data)
        return mote_error(MOTE_ERR_FORMAT, "model: malformed tokenizer weights");
    return mote_tokenizer_new((int)vs->dims[0], vp->data, vp->nbytes, vs->data, out);
}

int mote_tokenizer_lookup(const mote_tokenizer *t, const char *piece)
{
    int lo = 0, hi = t->n_vocab - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int r = strcmp(piece, t->vocab[t->sorted[mid]]);
        if (r == 0) {
            /* the lowest id among equal pieces sorts first */
            while (mid > 0 && !strcmp(piece, t->vocab[t->sorted[mid - 1]])) mid--;
            return t->sorted[mid];
        }
        if (r < 0) hi = mid - 1; else lo = mid + 1;
    }
    return -1;
}

mote_status mote_tokenizer_encode(const mote_tokenizer *t, const char *text,
                                  int bos, int eos, int *ids, int cap, int *n_ids)
{
    *n_ids = 0;
    if (!text) return mote_error(MOTE_ERR_ARG, "tokenizer: NULL text");
    size_t tl = strlen(text);
    if ((size_t)cap < tl + 3)
        return mote_error(MOTE_ERR_ARG, "tokenizer: %d ids of room for %zu bytes of text "
                          "(needs %zu)", cap, tl, tl + 3);
    if (t->kind == MOTE_TOK_BYTE_BPE) return mote_bpe_encode(t, text, bos, eos, ids, cap, n_ids);
    /* a code point is at most 4 bytes; merges concatenate two pieces */
    size_t bufcap = (size_t)t->max_token_len * 2 + 8;
    char *buf = malloc(bufcap);
    if (!buf) return mote_error(MOTE_ERR_NOMEM, "tokenizer: out of memory");
    int n = 0;
    if (bos) ids[n++] = MOTE_TOKEN_BOS;
    if (text[0]) {
        int sp = mote_tokenizer_lookup(t, " ");
        if (sp < 0) { free(buf); return mote_error(MOTE_ERR_FORMAT, "tokenizer: no \" \" piece"); }
        ids[n++] = sp;   /* the dummy prefix: "Zoo" is encoded as " Zoo" */
    }
    /* one token per code point, or one byte-fallback token per byte */
    size_t len = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if ((*c & 0xC0) != 0x80) len = 0;    /* a lead byte starts a new code point */
        buf[len++] = (char)*c;
        buf[len] = '\0';
        if ((c[1] & 0xC0) == 0x80 && len < 4) continue;
        int id = mote_tokenizer_lookup(t, buf);
        if (id >= 0) {
            ids[n++] = id;
        } else {
            for (size_t i = 0; i < len; i++) {
                int bid = (unsigned char)buf[i] + 3;
                if (bid >= t->n_vocab) {
                    mote_error(MOTE_ERR_FORMAT, "tokenizer: no byte-fallback piece "
                               "for byte 0x%02X", (unsigned char)buf[i]);
                    free(buf);
                    return MOTE_ERR_FORMAT;
                }
                ids[n++] = bid;
            }
        }
        len = 0;
    }
    /* merge the best-scoring adjacent pair until none merges */
    for (;;) {
        float best = -1e10f;
        int best_id = -1, best_i = -1;
        for (int i = 0; i + 1 < n; i++) {
            size_t la = strlen(t->vocab[ids[i]]), lb = strlen(t->vocab[ids[i + 1]]);
            memcpy(buf, t->vocab[ids[i]], la);
            memcpy(buf + la, t->vocab[ids[i + 1]], lb + 1);
            int id = mote_tokenizer_lookup(t, buf);
            if (id >= 0 && t->scores[id] > best) {
                best = t->scores[id];
                best_id = id;
                best_i = i;
            }
        }
        if (best_i < 0) break;
        ids[best_i] = best_id;
        memmove(&ids[best_i + 1], &ids[best_i + 2], (size_t)(n - best_i - 2) * sizeof *ids);
        n--;
    }
    if (eos) ids[n++] = MOTE_TOKEN_EOS;
    free(buf);
    *n_ids = n;
    return MOTE_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

const char *mote_tokenizer_decode(const mote_tokenizer *t, int prev, int id, size_t *len)
{
    if (id < 0 || id >= t->n_vocab) return NULL;
    if (t->kind == MOTE_TOK_BYTE_BPE) return mote_bpe_decode(t, id, len);
    const char *p = t->vocab[id];
    /* after BOS, the dummy-prefix space is not part of the text */
    if (prev == MOTE_TOKEN_BOS && p[0] == ' ') p++;
    size_t l = strlen(p);
    if (l == 6 && p[0] == '<' && p[1] == '0' && p[2] == 'x' && p[5] == '>') {
        int hi = hexval(p[3]), lo = hexval(p[4]);
        if (hi >= 0 && lo >= 0) {
            *len = 1;
            return t->byte_piece[hi * 16 + lo];
        }
    }
    *len = l;
    return p;
}
