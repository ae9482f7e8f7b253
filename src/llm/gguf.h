/*
 * gguf.h — importing llama-architecture GGUF files (the llama.cpp format,
 * versions 2 and 3, little-endian) into a mote graph: the weights under
 * the names llama2c.h lists, the hyperparameters as llama.* metadata, and
 * the tokenizer from the tokenizer.ggml.* metadata. The decoder's nodes
 * are added by the caller (mote_llama_build_graph), as for llama2.c.
 *
 * File layout (all little-endian):
 *   "GGUF", uint32 version, uint64 tensor count, uint64 key/value count;
 *   key/value pairs: string key, uint32 type, value (strings are uint64
 *   length + bytes; arrays are uint32 element type, uint64 count, items);
 *   tensor infos: string name, uint32 n_dims, uint64 dims[n_dims] (the
 *   fastest-varying first), uint32 ggml type, uint64 offset from the data
 *   section; the data section starts at the next multiple of
 *   general.alignment (default 32), each tensor at a multiple of it.
 *
 * Tensor types: F32 and F16 are kept (a 1-D F16 tensor is widened to f32);
 * Q8_0 and Q4_0 blocks are byte-for-byte mote's q8_0 / q4_0 (kernels/llm.h).
 * The model's quantized type is that of most quantized matrices; a matrix
 * of the other one is dequantized to f32 (exact). Any other type, tensor
 * name, architecture, tokenizer model, rope scaling or partial rotary
 * embedding is refused by name with MOTE_ERR_UNSUPPORTED.
 *
 * Tokenizer: tokenizer.ggml.model "llama" (SentencePiece BPE: tokens,
 * scores; U+2581 stands for a space) becomes mote's llama2.c-style
 * tokenizer, which needs BOS 1 and EOS 2; "gpt2" (byte-level BPE as llama 3
 * uses it: tokens, merges, token types, BOS/EOS ids) becomes mote's
 * byte-level BPE tokenizer (tokenizer_bpe.c). Others are refused by name.
 *
 * Every count, length, offset and size is checked against the file before
 * it is used; a hostile file gives MOTE_ERR_FORMAT, never a read outside it.
 */
#ifndef MOTE_GGUF_H
#define MOTE_GGUF_H

#include <stddef.h>
#include "mote.h"
#include "llama.h"
#include "progress.h"

typedef struct mote_gguf_info {
    int version;               /* 2 or 3                                   */
    int has_tokenizer;         /* tokenizer.ggml.* metadata was imported   */
    int n_tensors;
    int n_dequantized;         /* matrices widened to f32 (mixed types)    */
    mote_llama_hparams hp;     /* weight_type: "f32", "q8_0" or "q4_0"     */
} mote_gguf_info;

/* True if the file starts with the GGUF magic. */
int mote_gguf_probe(const char *path);

/* The same checks and import on a buffer (fuzzing, tests); name is used
 * in messages. */
mote_status mote_gguf_import_memory(const void *buf, size_t len, const char *name,
                                    mote_graph **out, mote_gguf_info *info);
/* Maps `path` read-only and imports it into a new graph (weights and
 * metadata, no nodes); *info (may be NULL) receives what was found.
 * progress (may be NULL) hears "tensors", done of total. */
mote_status mote_gguf_import(const char *path, const mote_llm_progress *progress,
                             mote_graph **out, mote_gguf_info *info);

#endif
