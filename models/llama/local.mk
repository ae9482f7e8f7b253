# models/llama/local.mk — the llama-family decoder: llama2.c import,
# tokenizer, sampling, LLM ops and kernels (q8_0/q4_0), the decoder graph
# builder and driver, their tests and benchmark (owner: llama).
libmote_core_la_SOURCES += \
	src/llama2c.c src/llama2c.h src/tokenizer.c src/tokenizer.h \
	src/sample.c src/sample.h src/quant.c src/quant.h src/session_state.c \
	kernels/llm.h kernels/llm.c kernels/quant.c \
	src/ops/op_llm.h src/ops/op_llm_util.c src/ops/op_llm_norm.c src/ops/op_llm_rope.c \
	src/ops/op_llm_attention.c src/ops/op_llm_linear.c src/ops/op_llm_misc.c \
	models/llama/llama.h models/llama/llama_graph.c models/llama/llama_run.c

# SIMD versions of the LLM kernels, each file with its own ISA flags.
if HAVE_X86
noinst_LTLIBRARIES += libmote_llm_avx2.la libmote_llm_avx512.la
libmote_llm_avx2_la_SOURCES = arch/x86/avx2/quant_avx2.c
libmote_llm_avx2_la_CFLAGS = $(AM_CFLAGS) -mavx2 -mfma -mf16c
libmote_llm_avx512_la_SOURCES = arch/x86/avx512/quant_avx512.c
libmote_llm_avx512_la_CFLAGS = $(AM_CFLAGS) -mavx512f -mavx512bw -mavx512dq -mavx512vl \
	-mavx512vnni -mavx2 -mfma -mf16c
libmote_core_la_LIBADD += libmote_llm_avx2.la libmote_llm_avx512.la
endif

check_PROGRAMS += tests/test_tokenizer tests/test_llama
tests_test_tokenizer_SOURCES = tests/test_tokenizer.c tests/testutil.c tests/testutil.h
tests_test_tokenizer_CFLAGS = $(TEST_CFLAGS)
tests_test_tokenizer_LDADD = $(TEST_LIBS)
tests_test_llama_SOURCES = tests/test_llama.c tests/testutil.c tests/testutil.h
tests_test_llama_CFLAGS = $(TEST_CFLAGS)
tests_test_llama_LDADD = $(TEST_LIBS)
TESTS += tests/test_tokenizer tests/test_llama

noinst_PROGRAMS += bench/llm
bench_llm_SOURCES = bench/llm.c
bench_llm_LDADD = libmote_core.la -lm

if HAVE_CLI
mote_SOURCES += src/cli/cmd_llama.c src/cli/cmd_quantize.c
endif
