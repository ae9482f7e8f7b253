/*
 * tokenizer_bpe.h — the byte-level BPE kind's internals, for tokenizer.c
 * (the public side is tokenizer.h): preparing the merge table and the
 * decoded pieces, encode, decode.
 */
#ifndef MOTE_TOKENIZER_BPE_H
#define MOTE_TOKENIZER_BPE_H

#include "tokenizer.h"

/* Builds merge_left/right, merge_hash and text/text_off from the copied
 * pieces, types and merges (the merges' spaces become NULs). */
mote_status mote_bpe_prepare(mote_tokenizer *t);
mote_status mote_bpe_encode(const mote_tokenizer *t, const char *text, int bos, int eos,
                            int *ids, int cap, int *n_ids);
const char *mote_bpe_decode(const mote_tokenizer *t, int id, size_t *len);
/* The pre-tokenizer: the end of the chunk of s[0..n) that starts at byte i
 * (i < n); BPE merges never cross a chunk's end. */
size_t mote_bpe_chunk_end(const unsigned char *s, size_t n, size_t i);

#endif
