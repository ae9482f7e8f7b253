/*
 * llama2c.h — importing llama2.c checkpoints (and their tokenizer) into a
 * mote graph: the weights, one per layer and matrix, and the metadata a
 * decoder builder needs. The decoder's nodes are not made here (see
 * models/llama/); this file only reads the three checkpoint layouts:
 *   v0 (legacy, headerless): 7 int32 (dim, hidden_dim, n_layers, n_heads,
 *      n_kv_heads, vocab_size, seq_len), vocab_size < 0 meaning an
 *      untied classifier; f32 arrays embedding, rms_att, wq, wk, wv, wo,
 *      rms_ffn, w1, w2, w3, rms_final, two RoPE tables, [wcls].
 *   v1: magic "ak42" (uint32 0x616b3432), int32 version 1, the 7 int32,
 *      uint8 shared_classifier, zero padding to 256 bytes; f32 arrays norms
 *      (attention, ffn, final), embedding, wq, wk, wv, wo, w1, w2, w3, [wcls].
 *   v2: as v1 with int32 group_size after the flag; the norms in f32, then
 *      each matrix as int8 values followed by f32 scales per group (Q8_0).
 *      A matrix whose rows and groups are whole 32-value blocks is kept as
 *      mote's q8_0 (u8 rows of blocks: the int8 values as they are, the
 *      group's scale rounded to the block's half); others become f32
 *      (value = q * scale). weight_type then says "q8_0".
 *
 * Weight names: tok_embeddings (V, D); layers.L.attention_norm (D);
 * layers.L.wq (D, D), wk (KV, D), wv (KV, D), wo (D, D); layers.L.ffn_norm
 * (D); layers.L.w1 (H, D), w2 (D, H), w3 (H, D); norm (D); output (V, D)
 * when the classifier is not tied to the embedding.
 * Metadata: architecture = "llama", llama.dim, llama.hidden_dim,
 * llama.n_layers, llama.n_heads, llama.n_kv_heads, llama.vocab_size,
 * llama.max_seq, llama.rope_theta, llama.norm_eps, llama.shared_classifier,
 * llama.source_version.
 */
#ifndef MOTE_LLAMA2C_H
#define MOTE_LLAMA2C_H

#include "mote.h"
#include "progress.h"

typedef struct mote_llama2c_info {
    int version;              /* 0, 1 or 2 */
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq;
    int shared_classifier;    /* 1: the classifier is tok_embeddings */
    float rope_theta, norm_eps;
    char weight_type[8];      /* "q8_0" if v2 matrices were kept, else "f32" */
} mote_llama2c_info;

/* True if the first bytes of a file look like a llama2.c checkpoint (v1/v2
 * magic, or seven int32 of magnitude <= 2^24, which no ONNX or .mote file
 * starts with): format detection, so a checkpoint with a bad header is
 * reported by mote_llama2c_import, which checks it against the file. */
int mote_llama2c_probe(const char *path);

/*
 * Reads checkpoint `ckpt` (and, if tok is not NULL, llama2.c tokenizer
 * `tok`) into a new graph holding weights and metadata only; *info (may be
 * NULL) receives the hyperparameters. Every size is checked against the
 * file's length: a truncated or inconsistent file gives MOTE_ERR_FORMAT.
 */
mote_status mote_llama2c_import(const char *ckpt, const char *tok, mote_graph **out,
                                mote_llama2c_info *info);
/* The same, telling progress (may be NULL) "weights", done of total. */
mote_status mote_llama2c_import_progress(const char *ckpt, const char *tok,
                                         const mote_llm_progress *progress, mote_graph **out,
                                         mote_llama2c_info *info);

#endif
