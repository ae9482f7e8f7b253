/*
 * ops_list.h — every op the registry knows, one MOTE_OP(Name) line each,
 * defined in src/ops/ as `const mote_op mote_op_Name`. Keep sorted.
 */
MOTE_OP(Add)
MOTE_OP(AveragePool)
MOTE_OP(BatchNormalization)
MOTE_OP(Concat)
MOTE_OP(Conv)
MOTE_OP(Div)
MOTE_OP(Exp)
MOTE_OP(Flatten)
MOTE_OP(Gelu)
MOTE_OP(Gemm)
MOTE_OP(GlobalAveragePool)
MOTE_OP(LayerNormalization)
MOTE_OP(LeakyRelu)
MOTE_OP(MatMul)
MOTE_OP(MaxPool)
MOTE_OP(Mul)
MOTE_OP(Relu)
MOTE_OP(Reshape)
MOTE_OP(Sigmoid)
MOTE_OP(Softmax)
MOTE_OP(Sqrt)
MOTE_OP(Sub)
MOTE_OP(Tanh)
MOTE_OP(Transpose)
/* LLM ops */
MOTE_OP(RMSNormalization)
MOTE_OP(LlmAttention)
MOTE_OP(LlmEmbedding)
MOTE_OP(LlmLinear)
MOTE_OP(LlmRope)
MOTE_OP(LlmSwiGLU)
/* ONNX-issue ops, group A (math, logic, reductions, shape glue) */
/* end of group A */
/* ONNX-issue ops, group B (indexing, data movement, structured ops) */
/* end of group B */
