/*
 * gguf_tokenizer.c — a GGUF file's tokenizer (tokenizer.ggml.*): the
 * SentencePiece form ("llama": tokens and scores, U+2581 for a space)
 * becomes mote's llama2.c-style tokenizer, byte-level BPE ("gpt2": tokens,
 * merges, token types, BOS/EOS) mote's byte-level BPE one. Every array is
 * read through the bounds-checked cursor (gguf_read.h).
 */
#include <stdlib.h>
#include <string.h>
#include "gguf_read.h"
#include "tokenizer.h"
#include "graph/internal.h"

/* n strings of an array value, back to back and NUL-terminated, into a
 * malloc'd pool (*bytes); U+2581 becomes a space when spm. NULL on error
 * (the message set). */
static char *string_pool(importer *im, const kv *arr, const char *what, int spm, size_t *bytes)
{
    cursor *c = &im->c, tc = *c;
    tc.off = arr->off;
    size_t cap = 0;
    for (uint64_t i = 0; i < arr->n_items; i++) {
        const char *s;
        size_t len;
        if (mote_gguf_rd_str(&tc, &s, &len, what)) return NULL;
        if (memchr(s, '\0', len)) {
            mote_error(MOTE_ERR_FORMAT, "%s: %s %llu holds a NUL byte", c->name, what,
                       (unsigned long long)i);
            return NULL;
        }
        cap += len + 1;
    }
    char *pool = malloc(cap ? cap : 1);
    if (!pool) {
        mote_error(MOTE_ERR_NOMEM, "%s: out of memory", c->name);
        return NULL;
    }
    size_t used = 0;
    tc.off = arr->off;
    for (uint64_t i = 0; i < arr->n_items; i++) {
        const char *s;
        size_t len;
        mote_gguf_rd_str(&tc, &s, &len, what);
        for (size_t k = 0; k < len; k++) {
            if (spm && k + 2 < len && (uint8_t)s[k] == 0xe2 && (uint8_t)s[k + 1] == 0x96 &&
                (uint8_t)s[k + 2] == 0x81) {
                pool[used++] = ' ';
                k += 2;
            } else {
                pool[used++] = s[k];
            }
        }
        pool[used++] = '\0';
    }
    *bytes = used;
    return pool;
}

/* A token id in metadata `key` (dflt if absent); -2 if it is out of range. */
static int64_t token_id(importer *im, const char *key, int64_t dflt)
{
    const kv *v = mote_gguf_find(im->kvs, im->n_kv, key);
    int64_t id = dflt;
    if (v && (!mote_gguf_kv_int(&im->c, v, &id) || id < 0 || id >= im->info.hp.vocab_size)) return -2;
    return id;
}

/* tokenizer.ggml.model "gpt2": byte-level BPE (tokens, merges, types). */
static mote_status read_bpe(importer *im, mote_graph *g, const kv *toks)
{
    cursor *c = &im->c;
    const kv *merges = mote_gguf_find(im->kvs, im->n_kv, "tokenizer.ggml.merges");
    const kv *types = mote_gguf_find(im->kvs, im->n_kv, "tokenizer.ggml.token_type");
    if (!merges || merges->type != GT_ARRAY || merges->item_type != GT_STRING ||
        merges->n_items > INT32_MAX)
        return mote_error(MOTE_ERR_FORMAT, "%s: tokenizer.ggml.merges is missing or not an array "
                          "of strings (byte-level BPE needs it)", c->name);
    if (types && (types->type != GT_ARRAY || types->n_items != toks->n_items ||
                  (types->item_type != GT_I32 && types->item_type != GT_U32)))
        return mote_error(MOTE_ERR_FORMAT, "%s: tokenizer.ggml.token_type is not one int32 per "
                          "token", c->name);
    int64_t bos = token_id(im, "tokenizer.ggml.bos_token_id", -1);
    int64_t eos = token_id(im, "tokenizer.ggml.eos_token_id", -1);
    if (bos == -2 || eos < 0)
        return mote_error(MOTE_ERR_FORMAT, "%s: tokenizer.ggml.bos_token_id / eos_token_id "
                          "missing or outside the vocabulary", c->name);
    size_t pb, mb;
    char *pool = string_pool(im, toks, "a token", 0, &pb);
    char *mpool = pool ? string_pool(im, merges, "a merge", 0, &mb) : NULL;
    uint8_t *ty = NULL;
    mote_status st = pool && mpool ? MOTE_OK : MOTE_ERR_FORMAT;
    if (!st && types && !(ty = malloc((size_t)toks->n_items)))
        st = mote_error(MOTE_ERR_NOMEM, "%s: out of memory", c->name);
    if (!st && ty)
        for (uint64_t i = 0; i < toks->n_items; i++) {
            int32_t x;
            memcpy(&x, c->base + types->off + 4 * i, 4);
            ty[i] = (uint8_t)(x >= 0 && x < 256 ? x : 0);
        }
    mote_tokenizer *t = NULL;
    if (!st) st = mote_tokenizer_new_bpe((int)toks->n_items, pool, pb, ty, mpool, mb,
                                         (int)merges->n_items, (int)bos, (int)eos, &t);
    if (st) mote_error_wrap(st, c->name);
    if (!st) st = mote_tokenizer_store(t, g);
    mote_tokenizer_free(t);
    free(pool);
    free(mpool);
    free(ty);
    return st;
}

/* The tokenizer in tokenizer.ggml.*, into g: SentencePiece ("llama") or
 * byte-level BPE ("gpt2"). */
mote_status mote_gguf_read_tokenizer(importer *im, mote_graph *g)
{
    cursor *c = &im->c;
    const kv *model = mote_gguf_find(im->kvs, im->n_kv, "tokenizer.ggml.model");
    if (!model) return MOTE_OK;   /* none: the caller warns */
    int spm = mote_gguf_kv_str_is(c, model, "llama"), bpe = mote_gguf_kv_str_is(c, model, "gpt2");
    if (!spm && !bpe) {
        const char *s = "";
        size_t n = 0;
        mote_gguf_kv_str(c, model, &s, &n);
        return mote_error(MOTE_ERR_UNSUPPORTED, "%s: tokenizer.ggml.model '%.*s': mote reads "
                          "the SentencePiece form ('llama') and byte-level BPE ('gpt2')",
                          c->name, (int)(n > 40 ? 40 : n), s);
    }
    const kv *toks = mote_gguf_find(im->kvs, im->n_kv, "tokenizer.ggml.tokens");
    if (!toks || toks->type != GT_ARRAY || toks->item_type != GT_STRING)
        return mote_error(MOTE_ERR_FORMAT, "%s: tokenizer.ggml.tokens is missing or not an "
                          "array of strings", c->name);
    uint64_t n = toks->n_items;
    if (n != (uint64_t)im->info.hp.vocab_size)
        return mote_error(MOTE_ERR_FORMAT, "%s: %llu tokens for a vocabulary of %d rows",
                          c->name, (unsigned long long)n, im->info.hp.vocab_size);
    if (bpe) {
        mote_status st = read_bpe(im, g, toks);
        if (!st) im->info.has_tokenizer = 1;
        return st;
    }
    const kv *scores = mote_gguf_find(im->kvs, im->n_kv, "tokenizer.ggml.scores");
    if (!scores || scores->type != GT_ARRAY || scores->item_type != GT_F32 ||
        scores->n_items != n)
        return mote_error(MOTE_ERR_FORMAT, "%s: tokenizer.ggml.scores is missing or not one f32 "
                          "per token (SentencePiece merges need them)", c->name);
    static const char *ids[2] = { "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id" };
    for (int k = 0; k < 2; k++) {
        const kv *v = mote_gguf_find(im->kvs, im->n_kv, ids[k]);
        int64_t id;
        if (v && (!mote_gguf_kv_int(c, v, &id) || id != k + 1))
            return mote_error(MOTE_ERR_UNSUPPORTED, "%s: %s is not %d (mote's tokenizer uses "
                              "BOS 1 and EOS 2)", c->name, ids[k], k + 1);
    }
    size_t used;
    char *pool = string_pool(im, toks, "a token", 1, &used);
    if (!pool) return MOTE_ERR_FORMAT;
    float *sc = malloc(sizeof *sc * (size_t)n);
    if (!sc) {
        free(pool);
        return mote_error(MOTE_ERR_NOMEM, "%s: out of memory", c->name);
    }
    memcpy(sc, c->base + scores->off, sizeof *sc * (size_t)n);
    mote_tokenizer *t;
    mote_status st = mote_tokenizer_new((int)n, pool, used, sc, &t);
    free(pool);
    free(sc);
    if (st) return mote_error_wrap(st, c->name);
    st = mote_tokenizer_store(t, g);
    mote_tokenizer_free(t);
    if (!st) im->info.has_tokenizer = 1;
    return st;
}
