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
 *
 * The second kind, byte-level BPE (GPT-2's scheme, used by llama 3 GGUF
 * files, tokenizer.ggml.model "gpt2"), is in tokenizer_bpe.c: the text is
 * split into chunks by llama 3's pre-tokenizer rules (contractions, letter
 * runs with one leading non-letter, digit groups of at most three,
 * punctuation runs, whitespace), each chunk's bytes are mapped to GPT-2's
 * printable code points, and adjacent symbols are merged by the rank of
 * their pair in the merge list (lowest first). Pieces are stored in the
 * mapped form with their token types ("tokenizer.types": 3 = control,
 * which decodes to nothing) and the merges ("tokenizer.merges").
 * Approximation: above ASCII the character classes come from a table of
 * Unicode block ranges, not the full Unicode tables.
 */
#ifndef MOTE_TOKENIZER_H
#define MOTE_TOKENIZER_H

#include <stdint.h>
#include "mote.h"

#define MOTE_TOKEN_BOS 1
#define MOTE_TOKEN_EOS 2

enum { MOTE_TOK_LLAMA2C = 0, MOTE_TOK_BYTE_BPE = 1 };

typedef struct mote_tokenizer {
    int kind;            /* MOTE_TOK_LLAMA2C or MOTE_TOK_BYTE_BPE          */
    int bos_id, eos_id;  /* 1 and 2 (llama2.c); byte BPE: from the model   */
    int n_vocab;
    char **vocab;        /* (n_vocab) NUL-terminated pieces, into `pool`    */
    char *pool;          /* all pieces back to back, each with its NUL      */
    size_t pool_bytes;
    float *scores;       /* (n_vocab) merge score of each piece            */
    int *sorted;         /* (n_vocab) ids ordered by piece (bsearch)        */
    int max_token_len;   /* longest piece in bytes                          */
    char byte_piece[256][2]; /* one-byte strings for decoded <0xXX> tokens  */
    /* byte-level BPE only (NULL otherwise): */
    uint8_t *types;      /* (n_vocab) GGUF token types, 3 = control        */
    char *merges;        /* n_merges "left right" strings, NUL-separated    */
    size_t merges_bytes;
    int n_merges;
    const char **merge_left, **merge_right;  /* (n_merges) into merges      */
    int32_t *merge_hash; /* (merge_cap) rank, -1 empty: open addressing     */
    size_t merge_cap;
    char *text;          /* every piece's bytes (the byte map undone)       */
    size_t *text_off;    /* (n_vocab + 1) piece i is text[off[i], off[i+1]) */
} mote_tokenizer;

/*
 * Builds a tokenizer from n pieces laid back to back in `pool`
 * (pool_bytes bytes, each piece NUL-terminated) and their scores.
 * Both are copied. MOTE_ERR_FORMAT if the pool does not hold n pieces.
 */
mote_status mote_tokenizer_new(int n, const char *pool, size_t pool_bytes,
                               const float *scores, mote_tokenizer **out);
/*
 * A byte-level BPE tokenizer (kind MOTE_TOK_BYTE_BPE) from n pieces in
 * their mapped form (back to back, NUL-terminated), their types (may be
 * NULL: all normal), n_merges "left right" strings (back to back,
 * NUL-terminated, in rank order) and the BOS/EOS ids (bos -1: none). All
 * is copied. MOTE_ERR_FORMAT if a merge is not two pieces' strings.
 */
mote_status mote_tokenizer_new_bpe(int n, const char *pool, size_t pool_bytes,
                                   const uint8_t *types, const char *merges,
                                   size_t merges_bytes, int n_merges, int bos, int eos,
                                   mote_tokenizer **out);
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
 * is always enough. bos/eos: add the BOS id first / the EOS id last.
 * MOTE_ERR_ARG if cap is too small, MOTE_ERR_FORMAT if the vocabulary lacks
 * what llama2.c assumes (a " " piece, byte-fallback pieces).
 */
mote_status mote_tokenizer_encode(const mote_tokenizer *t, const char *text,
                                  int bos, int eos, int *ids, int cap, int *n_ids);

/*
 * The bytes that token `id` stands for after token `prev`: the piece,
 * without its leading space right after BOS, and a <0xXX> piece as its
 * single byte (byte BPE: the piece's bytes; a control token: none). *len receives the length (a byte piece may be 0x00). NULL
 * for an id out of range.
 */
const char *mote_tokenizer_decode(const mote_tokenizer *t, int prev, int id, size_t *len);

#endif
