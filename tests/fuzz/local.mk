# tests/fuzz/local.mk — fuzz targets and their replay in `make check`.
#
# `make check` builds tests/fuzz/replay_TARGET with the normal compiler: it
# feeds the seed corpus and every saved crashing input
# (tests/fuzz/regressions/TARGET/) to the target's entry function.
# `make fuzz FUZZ_SECONDS=N` builds the libFuzzer binaries with clang
# (-fsanitize=fuzzer,address,undefined; a separate build of the library
# sources in fuzz-build/, see tests/fuzz/build.sh) and runs each for N s.
FUZZ_TARGETS = mote npy llama2c gguf tokenizer tflite
if HAVE_ONNX
FUZZ_TARGETS += onnx
endif
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_COMMON = tests/fuzz/replay.c tests/fuzz/fuzz_common.h

check_PROGRAMS += tests/fuzz/replay_mote tests/fuzz/replay_npy \
	tests/fuzz/replay_llama2c tests/fuzz/replay_gguf tests/fuzz/replay_tokenizer tests/fuzz/replay_tflite
TESTS += tests/fuzz/replay_mote tests/fuzz/replay_npy \
	tests/fuzz/replay_llama2c tests/fuzz/replay_gguf tests/fuzz/replay_tokenizer tests/fuzz/replay_tflite
tests_fuzz_replay_mote_SOURCES = tests/fuzz/fuzz_mote.c $(FUZZ_COMMON)
tests_fuzz_replay_mote_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"mote"'
tests_fuzz_replay_mote_LDADD = libmote_core.la -lm
tests_fuzz_replay_npy_SOURCES = tests/fuzz/fuzz_npy.c $(FUZZ_COMMON)
tests_fuzz_replay_npy_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"npy"'
tests_fuzz_replay_npy_LDADD = libmote_core.la -lm
tests_fuzz_replay_llama2c_SOURCES = tests/fuzz/fuzz_llama2c.c $(FUZZ_COMMON)
tests_fuzz_replay_llama2c_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"llama2c"'
tests_fuzz_replay_llama2c_LDADD = libmote_core.la -lm
tests_fuzz_replay_gguf_SOURCES = tests/fuzz/fuzz_gguf.c $(FUZZ_COMMON)
tests_fuzz_replay_gguf_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"gguf"'
tests_fuzz_replay_gguf_LDADD = libmote_core.la -lm
tests_fuzz_replay_tokenizer_SOURCES = tests/fuzz/fuzz_tokenizer.c $(FUZZ_COMMON)
tests_fuzz_replay_tokenizer_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"tokenizer"'
tests_fuzz_replay_tokenizer_LDADD = libmote_core.la -lm
tests_fuzz_replay_tflite_SOURCES = tests/fuzz/fuzz_tflite.c $(FUZZ_COMMON)
tests_fuzz_replay_tflite_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"tflite"'
tests_fuzz_replay_tflite_LDADD = libmote_core.la -lm
if HAVE_ONNX
check_PROGRAMS += tests/fuzz/replay_onnx
TESTS += tests/fuzz/replay_onnx
tests_fuzz_replay_onnx_SOURCES = tests/fuzz/fuzz_onnx.c $(FUZZ_COMMON)
tests_fuzz_replay_onnx_CFLAGS = $(AM_CFLAGS) -DFUZZ_TARGET='"onnx"'
tests_fuzz_replay_onnx_LDADD = libmote_core.la -lm
endif

EXTRA_DIST += tests/fuzz/build.sh tests/fuzz/fuzz_onnx.c tests/fuzz/corpus tests/fuzz/regressions \
	tests/fuzz/mutate_common.h tests/fuzz/mutate_mote.c tests/fuzz/mutate_onnx.c tests/fuzz/mutate_llama2c.c

# The library sources the fuzz build compiles (build.sh keeps the .c files):
# the core's, and the x86 tables with their own ISA flags.
FUZZ_CORE_SRCS = $(libmote_core_la_SOURCES)
if HAVE_X86
FUZZ_AVX2_SRCS = $(libmote_avx2_la_SOURCES)
FUZZ_AVX512_SRCS = $(libmote_avx512_la_SOURCES)
endif

.PHONY: fuzz fuzz-build
fuzz-build: config.h
	@CC='$(FUZZ_CC)' SRCDIR='$(abs_top_srcdir)' BUILDDIR='$(abs_top_builddir)' \
	  CORE_SRCS='$(FUZZ_CORE_SRCS)' AVX2_SRCS='$(FUZZ_AVX2_SRCS)' AVX512_SRCS='$(FUZZ_AVX512_SRCS)' \
	  TARGETS='$(FUZZ_TARGETS)' LIBS='$(HWLOC_LIBS) -lm -lpthread' HWLOC_CFLAGS='$(HWLOC_CFLAGS)' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/build.sh build
fuzz: fuzz-build
	@SRCDIR='$(abs_top_srcdir)' BUILDDIR='$(abs_top_builddir)' TARGETS='$(FUZZ_TARGETS)' \
	  FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(top_srcdir)/tests/fuzz/build.sh run

