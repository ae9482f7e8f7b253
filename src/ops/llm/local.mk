# src/ops/llm/local.mk — the language-model decoder ops: LlmAttention (with
# its KV cache), LlmLinear (f32, f16, q8_0, q4_0 weights), LlmEmbedding,
# LlmSwiGLU and LlmRope.
libmote_core_la_SOURCES += src/ops/llm/attention.c src/ops/llm/linear.c \
	src/ops/llm/embedding.c src/ops/llm/rope.c
