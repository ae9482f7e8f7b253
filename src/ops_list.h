/*
 * ops_list.h — every op the registry knows, one MOTE_OP(Name) line each,
 * defined in src/ops/ as `const mote_op mote_op_Name`. Keep sorted.
 */
/* LLM ops */
MOTE_OP(RMSNormalization)
MOTE_OP(LlmAttention)
MOTE_OP(LlmEmbedding)
MOTE_OP(LlmLinear)
MOTE_OP(LlmRope)
MOTE_OP(LlmSwiGLU)
