# src/llm/local.mk — language models: llama2.c checkpoints and tokenizer,
# sampling, weight quantization (q8_0 / q4_0), and the llama decoder's
# graph builder and generation driver.
libmote_core_la_SOURCES += \
	src/llm/llama2c.h src/llm/llama2c.c src/llm/tokenizer.h src/llm/tokenizer.c src/llm/tokenizer_bpe.h src/llm/tokenizer_bpe.c \
	src/llm/sample.h src/llm/sample.c src/llm/quantize.h src/llm/quantize.c \
	src/llm/llama.h src/llm/llama_graph.c src/llm/llama_run.c src/llm/gguf.h src/llm/gguf.c src/llm/gguf_read.h src/llm/gguf_tokenizer.c src/llm/progress.h
