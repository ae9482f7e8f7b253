/*
 * gguf_read.h — what gguf.c (header, tensors, weights) and
 * gguf_tokenizer.c (tokenizer metadata) share: the bounds-checked cursor,
 * the key/value and tensor records, the importer's state. Internal to the
 * GGUF reader; the interface is gguf.h.
 */
#ifndef MOTE_GGUF_READ_H
#define MOTE_GGUF_READ_H

#include <stdint.h>
#include "gguf.h"

#define GGUF_MAX_DIMS 4   /* ggml tensors have at most 4 dimensions */

/* value types of the key/value section */
enum {
    GT_U8 = 0, GT_I8 = 1, GT_U16 = 2, GT_I16 = 3, GT_U32 = 4, GT_I32 = 5, GT_F32 = 6,
    GT_BOOL = 7, GT_STRING = 8, GT_ARRAY = 9, GT_U64 = 10, GT_I64 = 11, GT_F64 = 12,
    GT_COUNT = 13
};
/* A bounds-checked reader over the file's bytes. */
typedef struct cursor {
    const uint8_t *base;
    size_t len, off;
    const char *name;    /* the file, for messages */
} cursor;

/* A key/value pair: where its value starts, and for arrays their items. */
typedef struct kv {
    const char *key;
    size_t key_len;
    uint32_t type;
    size_t off;            /* the value (arrays: the first item)    */
    uint32_t item_type;    /* arrays                                */
    uint64_t n_items;      /* arrays                                */
} kv;


/* A tensor info, and where its data lies once checked. */
typedef struct tinfo {
    const char *name;
    size_t name_len;
    int n_dims;
    uint64_t ne[GGUF_MAX_DIMS];   /* fastest-varying first */
    uint32_t type;
    uint64_t offset;              /* from the data section  */
    size_t bytes;
    const uint8_t *data;
} tinfo;

/* One import: the file, its pairs and tensors, what was found. */
typedef struct importer {
    cursor c;
    kv *kvs;
    size_t n_kv;
    tinfo *ts;
    size_t n_t;
    mote_gguf_info info;
    const mote_llm_progress *progress;
} importer;

/* A string at the cursor (uint64 length, bytes), checked against the file. */
mote_status mote_gguf_rd_str(cursor *c, const char **s, size_t *n, const char *what);
/* The pair whose key is `key`, or NULL. */
const kv *mote_gguf_find(const kv *kvs, size_t n, const char *key);
/* A value as an integer (any integer type or bool) / a string; 0 if not one. */
int mote_gguf_kv_int(const cursor *c, const kv *v, int64_t *out);
int mote_gguf_kv_str(const cursor *c, const kv *v, const char **s, size_t *n);
int mote_gguf_kv_str_is(const cursor *c, const kv *v, const char *want);
/* The tokenizer in tokenizer.ggml.*, into g (none: nothing, has_tokenizer 0). */
mote_status mote_gguf_read_tokenizer(importer *im, mote_graph *g);

#endif
