/*
 * op_llm.h — what the language-model ops (op_llm_*.c) share: the choice of
 * the LLM kernel table for the session's ISA, and reading the weight type
 * attribute. Not a public header.
 */
#ifndef MOTE_OP_LLM_H
#define MOTE_OP_LLM_H

#include "ops.h"
#include "llm.h"

/* The LLM kernel table matching the session's main table (c->k->name),
 * every NULL entry replaced by the reference; session-lifetime memory. */
const mote_llm_kernels *mote_llm_kernels_for(mote_op_ctx *c);
/* The "weight_type" attribute: "f32" (default), "q8_0", "q4_0"; -1 if unknown. */
int mote_llm_weight_type(const mote_node *n);
/* The value of a position input (i32 or i64, one element). */
int64_t mote_llm_read_pos(const mote_tensor *t);
/* Checks that input i is an i32/i64 tensor of one element. */
mote_status mote_llm_expect_pos(const mote_op_ctx *c, int i);

/* Copies an LlmAttention step's KV cache (params of two sessions of the
 * same model); used by mote_session_copy_state. */
void mote_llm_attention_copy_state(void *dst_params, const void *src_params);
extern const mote_op mote_op_LlmAttention;

#endif
