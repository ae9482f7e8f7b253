/*
 * llama.h — the llama-family decoder: building its graph from the
 * hyperparameters in a model's metadata, and running it token by token.
 *
 * The graph (built with the public graph API) takes two inputs, "tokens"
 * (i32 [T], T chosen per session) and "pos" (i32 [1], the position of the
 * first token), and gives "logits" (f32 [1, vocab]) for the last token.
 * Per layer: RMSNormalization, q/k/v LlmLinear, LlmRope on q and k,
 * LlmAttention (KV cache in the session), LlmLinear wo + residual,
 * RMSNormalization, LlmLinear w1 and w3, LlmSwiGLU, LlmLinear w2 + residual.
 * Then RMSNormalization and the classifier (tied to the embedding or not).
 *
 * mote_llama runs a prompt in one batched pass and generates one token at
 * a time in one session (reshaped between the two: one KV cache, one copy
 * of the packed weights, one thread pool).
 * This is not a chat template or a server: text in, logits out.
 */
#ifndef MOTE_LLAMA_H
#define MOTE_LLAMA_H

#include "mote.h"

typedef struct mote_llama_hparams {
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq;
    int shared_classifier;   /* classifier = tok_embeddings              */
    float rope_theta, norm_eps;
    char weight_type[8];     /* "f32", "q8_0", "q4_0": the matrices' type */
} mote_llama_hparams;

/* Reads the llama.* metadata of a model (MOTE_ERR_FORMAT if absent). */
mote_status mote_llama_hparams_from_model(const mote_model *m, mote_llama_hparams *hp);

/*
 * Adds the decoder's inputs, nodes and output to g, which must already hold
 * the weights named as in src/llm/llama2c.h (quantized ones as u8 rows), and
 * records "llama.weight_type" metadata.
 */
mote_status mote_llama_build_graph(mote_graph *g, const mote_llama_hparams *hp);

typedef struct mote_llama mote_llama;

/* A decoder over model m (which must outlive it); opts may be NULL. */
mote_status mote_llama_new(const mote_model *m, const mote_session_options *opts,
                           mote_llama **out);
void mote_llama_free(mote_llama *L);
/* Starts over at position 0 (clears the KV cache). */
mote_status mote_llama_reset(mote_llama *L);
/*
 * Runs n tokens at the current position in one batched pass (n == 1: the
 * generation session) and points *logits (vocab floats, valid until the
 * next call) at the prediction after the last one. MOTE_ERR_LIMIT when the
 * tokens would pass max_seq.
 */
mote_status mote_llama_forward(mote_llama *L, const int *ids, int n, const float **logits);
/*
 * Shapes the session for n-token passes now (forward would on its first
 * n-token call): its memory plan, and the packed weights a batched pass
 * uses if no pass made them yet. Lets a caller time a prompt without the
 * one-time setup. n <= 1: nothing.
 */
mote_status mote_llama_prepare(mote_llama *L, int n);
/* Tokens processed so far; the hyperparameters. */
int mote_llama_pos(const mote_llama *L);
const mote_llama_hparams *mote_llama_hparams_of(const mote_llama *L);
/* Bytes held: the session's (arena, plan, KV cache) and every packed copy
 * the model keeps for it (mote_model_prepared_bytes, which includes the
 * batched passes' packings when the current shape does not use them); the
 * file's weights are mapped, not counted. */
size_t mote_llama_memory_bytes(const mote_llama *L);
/* The one session that runs every pass (for its memory figures). */
const mote_session *mote_llama_session(const mote_llama *L);

#endif
