/*
 * tokenizer.h — llama2.c's byte-pair-encoding tokenizer: a vocabulary of
 * byte strings with merge scores, encode (text -> ids) and decode
 * (id -> bytes).
 *
 * Encode follows llama2.c's rules exactly: optional BOS (id 1), a dummy
 * leading space token when the text is not empty, one token per UTF-8
 * code point (or one <0xXX> byte-fallback token per byte, id = byte + 3,
 * when the code point is not in the vocabulary), then repeatedly merge the
 * adjacent pair whose concatenation is a vocabulary token with the highest
 * score (the leftmost such pair on ties), until no pair merges. Optional EOS
 * (id 2).
 *
 * This is not SentencePiece: there is no normalization, no unigram model.
 * The tokenizer is loaded from a llama2.c tokenizer.bin or from a .mote
 * file that stores it (weights "tokenizer.pieces" and "tokenizer.scores").
 */
#ifndef MOTE_TOKENIZER_H
#define MOTE_TOKENIZER_H

#include <stdint.h>
#include "mote.h"

#define MOTE_TOKEN_BOS 1
#define MOTE_TOKEN_EOS 2

typedef struct mote_tokenizer {
    int n_vocab;
    char **vocab;        /* (n_vocab) NUL-terminated pieces, into `pool`    */
    char *pool;          /* all pieces back to back, each with its NUL      */
    size_t pool_bytes;
    float *scores;       /* (n_vocab) merge score of each piece            */
    int *sorted;         /* (n_vocab) ids ordered by piece (bsearch)        */
    int max_token_len;   /* longest piece in bytes                          */
    char byte_piece[256][2]; /* one-byte strings for decoded <0xXX> tokens  */
} mote_tokenizer;

/*
 * Builds a tokenizer from n pieces laid back to back in `pool`
 * (pool_bytes bytes, each piece NUL-terminated) and their scores.
 * Both are copied. MOTE_ERR_FORMAT if the pool does not hold n pieces.
 */
mote_status mote_tokenizer_new(int n, const char *pool, size_t pool_bytes,
                               const float *scores, mote_tokenizer **out);
/* Reads a llama2.c tokenizer.bin holding n_vocab pieces. */
mote_status mote_tokenizer_load_llama2c(const char *path, int n_vocab,
                                        mote_tokenizer **out);
/* The tokenizer stored in a model (see mote_tokenizer_store). */
mote_status mote_tokenizer_from_model(const mote_model *m, mote_tokenizer **out);
/* Adds the tokenizer to a graph as weights "tokenizer.pieces" (u8) and
 * "tokenizer.scores" (f32[n_vocab]) and metadata. */
mote_status mote_tokenizer_store(const mote_tokenizer *t, mote_graph *g);
void mote_tokenizer_free(mote_tokenizer *t);

/* The id of a piece, or -1. */
int mote_tokenizer_lookup(const mote_tokenizer *t, const char *piece);

/*
 * Encodes text into ids[0..*n_ids). cap is the room in ids; strlen(text)+3
 * is always enough. bos/eos: add id 1 first / id 2 last.
 * MOTE_ERR_ARG if cap is too small, MOTE_ERR_FORMAT if the vocabulary lacks
 * what llama2.c assumes (a " " piece, byte-fallback pieces).
 */
mote_status mote_tokenizer_encode(const mote_tokenizer *t, const char *text,
                                  int bos, int eos, int *ids, int cap, int *n_ids);

/*
 * The bytes that token `id` stands for after token `prev`: the piece,
 * without its leading space right after BOS, and a <0xXX> piece as its
 * single byte. *len receives the length (a byte piece may be 0x00). NULL
 * for an id out of range.
 */
const char *mote_tokenizer_decode(const mote_tokenizer *t, int prev, int id, size_t *len);

#endif
