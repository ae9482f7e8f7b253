# tests/local.mk — the test suite (`make check`): Check unit tests, the
# kernel-vs-reference tests for every ISA table, end-to-end model and CLI
# tests. The ONNX conformance runner is in tests/onnx/, the fuzz targets'
# replays in tests/fuzz/.
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = libmote_core.la $(CHECK_LIBS) -lm
# Cross builds run the test programs through configure's MOTE_TEST_RUNNER
# (e.g. qemu-aarch64); empty on a native build.
LOG_COMPILER = $(MOTE_TEST_RUNNER)

if !HAVE_CHECK
check-local:
	@echo "make check needs the Check library: apt-get install check, then re-run ./configure" >&2; exit 1
endif

# Tensors, dtypes, the graph builder, errors, the planner.
check_PROGRAMS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c tests/testutil.c tests/testutil.h
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LIBS)
TESTS += tests/test_core

# Sessions: options, runs, reset, arenas, threads, allocation counting.
check_PROGRAMS += tests/test_session
tests_test_session_SOURCES = tests/test_session.c tests/testutil.c tests/testutil.h tests/alloc_count.h
tests_test_session_CFLAGS = $(TEST_CFLAGS)
tests_test_session_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_session

# What a session holds: the budget, inspection, prepared weights shared by
# sessions, reshape, op state, a shared thread pool.
check_PROGRAMS += tests/test_session_memory
tests_test_session_memory_SOURCES = tests/test_session_memory.c tests/testutil.c tests/testutil.h
tests_test_session_memory_CFLAGS = $(TEST_CFLAGS)
tests_test_session_memory_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_session_memory

# Loop: subgraphs in the graph and the file, sessions that loop.
check_PROGRAMS += tests/test_control_flow
tests_test_control_flow_SOURCES = tests/test_control_flow.c tests/testutil.c tests/testutil.h tests/alloc_count.h
tests_test_control_flow_CFLAGS = $(TEST_CFLAGS)
tests_test_control_flow_LDADD = $(TEST_LIBS)
TESTS += tests/test_control_flow

# The .mote reader and writer, and hostile files.
check_PROGRAMS += tests/test_format
tests_test_format_SOURCES = tests/test_format.c
tests_test_format_CFLAGS = $(TEST_CFLAGS)
tests_test_format_LDADD = $(TEST_LIBS)
TESTS += tests/test_format

# numpy .npy reading and writing.
check_PROGRAMS += tests/test_npy
tests_test_npy_SOURCES = tests/test_npy.c
tests_test_npy_CFLAGS = $(TEST_CFLAGS)
tests_test_npy_LDADD = $(TEST_LIBS)
TESTS += tests/test_npy

# The numbers behind the instruments: hashes, statistics, FLOP estimates.
check_PROGRAMS += tests/test_instrument
tests_test_instrument_SOURCES = tests/test_instrument.c
tests_test_instrument_CFLAGS = $(TEST_CFLAGS)
tests_test_instrument_LDADD = $(TEST_LIBS)
TESTS += tests/test_instrument

# The TFLite importer and the 8-bit integer kernels (tests/tflite/ models,
# made by tests/tflite/make_tflite.py), and `mote classify` on the shared
# MobileNets and photographs.
check_PROGRAMS += tests/test_tflite
tests_test_tflite_SOURCES = tests/test_tflite.c tests/testutil.c tests/testutil.h
tests_test_tflite_CFLAGS = $(TEST_CFLAGS)
tests_test_tflite_LDADD = $(TEST_LIBS)
TESTS += tests/test_tflite
if HAVE_CLI
TESTS += tests/test_classify.sh tests/test_quantize_int8.sh
endif
EXTRA_DIST += tests/test_classify.sh tests/test_quantize_int8.sh tests/tflite tests/images

# Reference kernels on hand-computed cases (no session needed).
check_PROGRAMS += tests/test_kernels_ref
tests_test_kernels_ref_SOURCES = tests/test_kernels_ref.c
tests_test_kernels_ref_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_ref_LDADD = $(TEST_LIBS)
TESTS += tests/test_kernels_ref

# Each op end to end through a session (one-node models), and thread-count invariance.
check_PROGRAMS += tests/test_ops
tests_test_ops_SOURCES = tests/test_ops.c tests/test_ops_util.h tests/testutil.c tests/testutil.h
tests_test_ops_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_LDADD = $(TEST_LIBS)
TESTS += tests/test_ops

# Conv (each algorithm against the direct one) and pooling through sessions.
check_PROGRAMS += tests/test_ops_conv
tests_test_ops_conv_SOURCES = tests/test_ops_conv.c tests/test_ops_util.h tests/testutil.c tests/testutil.h
tests_test_ops_conv_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_conv_LDADD = $(TEST_LIBS)
TESTS += tests/test_ops_conv

# Indexing, data movement and structured ops through sessions.
check_PROGRAMS += tests/test_ops_structured
tests_test_ops_structured_SOURCES = tests/test_ops_structured.c tests/testutil.c tests/testutil.h
tests_test_ops_structured_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_structured_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_ops_structured

# The llama2.c BPE tokenizer.
check_PROGRAMS += tests/test_tokenizer
tests_test_tokenizer_SOURCES = tests/test_tokenizer.c tests/testutil.c tests/testutil.h
tests_test_tokenizer_CFLAGS = $(TEST_CFLAGS)
tests_test_tokenizer_LDADD = $(TEST_LIBS)
TESTS += tests/test_tokenizer

# The llama decoder: llama2.c import, LLM ops and kernels, generation.
check_PROGRAMS += tests/test_llama
tests_test_llama_SOURCES = tests/test_llama.c tests/testutil.c tests/testutil.h
tests_test_llama_CFLAGS = $(TEST_CFLAGS)
tests_test_llama_LDADD = $(TEST_LIBS)
TESTS += tests/test_llama

# GGUF import on files the test writes from stories260K (tests/gguf_writer.h).
check_PROGRAMS += tests/test_gguf
tests_test_gguf_SOURCES = tests/test_gguf.c tests/gguf_writer.h tests/testutil.c tests/testutil.h
tests_test_gguf_CFLAGS = $(TEST_CFLAGS)
tests_test_gguf_LDADD = $(TEST_LIBS)
TESTS += tests/test_gguf

# End to end: the bundled model against the committed PyTorch logits and accuracy.
check_PROGRAMS += tests/test_fashion
tests_test_fashion_SOURCES = tests/test_fashion.c
tests_test_fashion_CFLAGS = $(TEST_CFLAGS)
tests_test_fashion_LDADD = $(TEST_LIBS)
TESTS += tests/test_fashion

# The ONNX importer on models built in the test.
if HAVE_ONNX
check_PROGRAMS += tests/test_onnx
tests_test_onnx_SOURCES = tests/test_onnx.c
tests_test_onnx_CFLAGS = $(TEST_CFLAGS)
tests_test_onnx_LDADD = $(TEST_LIBS)
TESTS += tests/test_onnx
endif

# Every entry of every kernel table the machine runs against the reference,
# from the entry list (kernels/kernel_list.h), and the dispatch itself.
check_PROGRAMS += tests/test_kernels
tests_test_kernels_SOURCES = tests/test_kernels.c tests/testutil.c tests/testutil.h
tests_test_kernels_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_kernels
# ... and again under a small forced GEMM blocking (MOTE_GEMM_BLOCKING).
TESTS += tests/test_gemm_blocking.sh
EXTRA_DIST += tests/test_gemm_blocking.sh

# The command-line tool: tests/test_cli.sh runs it on models that
# tests/cli_fixture makes; tests/test_instruments.sh runs trace, profile,
# check-kernels and dot on the bundled model and on a copy of it with one
# weight changed, which tests/instr_fixture writes.
EXTRA_DIST += tests/test_cli.sh tests/test_instruments.sh
if HAVE_CLI
check_PROGRAMS += tests/cli_fixture tests/instr_fixture
tests_cli_fixture_SOURCES = tests/cli_fixture.c
tests_cli_fixture_LDADD = libmote_core.la -lm
tests_instr_fixture_SOURCES = tests/instr_fixture.c src/cli/pgm.c src/cli/pgm.h
tests_instr_fixture_LDADD = libmote_core.la -lm
TESTS += tests/test_cli.sh tests/test_instruments.sh
endif

# The Python module (python/) through pytest: tests/python/test_mote.py.
EXTRA_DIST += tests/test_python.sh tests/python/test_mote.py
TESTS += tests/test_python.sh

# mote generate's options (scripted stdin for -i) and the conversions and
# help texts in front of it, on the shared stories260K checkpoint.
EXTRA_DIST += tests/test_generate.sh
if HAVE_CLI
TESTS += tests/test_generate.sh
endif

# Every --json output of the tool is valid JSON (tests/json_check, a strict
# validator), and `mote bench` / `mote profile` on generated inputs.
EXTRA_DIST += tests/test_json.sh
if HAVE_CLI
check_PROGRAMS += tests/json_check
tests_json_check_SOURCES = tests/json_check.c
TESTS += tests/test_json.sh
endif

# The version and the growable session options (struct_size).
check_PROGRAMS += tests/test_abi
tests_test_abi_SOURCES = tests/test_abi.c tests/testutil.c tests/testutil.h
tests_test_abi_CFLAGS = $(TEST_CFLAGS)
tests_test_abi_LDADD = $(TEST_LIBS)
TESTS += tests/test_abi

# The shared library exports exactly the functions mote.h declares.
EXTRA_DIST += tests/test_exports.sh
TESTS += tests/test_exports.sh
AM_TESTS_ENVIRONMENT += MOTE_CC='$(CC)'; MOTE_NM='$(NM)'; export MOTE_CC MOTE_NM;

# `make installcheck` (and so `make distcheck`): the installed library, used
# through pkg-config by a program that includes <mote.h> only, linked
# dynamically and, where configure found it possible, fully statically.
EXTRA_DIST += tests/test_install.sh tests/install_app.c
installcheck-local:
	MOTE_CC='$(CC)' PKG_CONFIG='$(PKG_CONFIG)' MOTE_SRCDIR='$(abs_top_srcdir)' \
	  MOTE_DESTDIR='$(DESTDIR)' \
	  $(SHELL) $(srcdir)/tests/test_install.sh '$(DESTDIR)$(libdir)' '$(MOTE_STATIC_LINK)'

# docs/format.md lists every op and every attribute the ops read.
EXTRA_DIST += tests/test_docs.sh
TESTS += tests/test_docs.sh

# Misuse, limits, concurrency, endurance and atomic-write tests.
check_PROGRAMS += tests/test_reliability
tests_test_reliability_SOURCES = tests/test_reliability.c tests/testutil.c tests/testutil.h
tests_test_reliability_CFLAGS = $(TEST_CFLAGS)
tests_test_reliability_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_reliability

# Sessions of different models made and run from several threads at once
# (also run under ThreadSanitizer by .ci/tsan.sh).
check_PROGRAMS += tests/test_concurrency
tests_test_concurrency_SOURCES = tests/test_concurrency.c tests/testutil.c tests/testutil.h
tests_test_concurrency_CFLAGS = $(TEST_CFLAGS)
tests_test_concurrency_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_concurrency

# `make check-valgrind`: the end-to-end tests under valgrind memcheck
# (--error-exitcode=1: any invalid access or definite leak fails). Check runs
# each test in-process (CK_FORK=no) so that valgrind sees it; the endurance
# loop is shortened; test_cli.sh runs `mote` through a wrapper that starts
# it under valgrind.
VALGRIND = valgrind
VALGRIND_FLAGS = --tool=memcheck --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite --quiet
VALGRIND_TESTS = tests/test_session tests/test_session_memory tests/test_reliability tests/test_fashion tests/test_llama
.PHONY: check-valgrind
check-valgrind: $(check_PROGRAMS) $(bin_PROGRAMS)
	@set -e; vg='$(VALGRIND) $(VALGRIND_FLAGS)'; \
	$(AM_TESTS_ENVIRONMENT) \
	export CK_FORK=no CK_DEFAULT_TIMEOUT=1200 MOTE_ENDURANCE_RUNS=2000 MOTE_THREADS=2; \
	for t in $(VALGRIND_TESTS); do \
	  [ -x "$$t" ] || continue; \
	  echo "valgrind: $$t"; \
	  $$vg ./$$t > $$t.valgrind.log 2>&1 || { tail -n 60 $$t.valgrind.log; exit 1; }; \
	done; \
	if [ -x ./mote ] && [ -x tests/cli_fixture ]; then \
	  w=$(abs_top_builddir)/valgrind-wrap; rm -rf $$w; mkdir -p $$w; \
	  ln -s $(abs_top_builddir)/tests $$w/tests; \
	  printf '#!/bin/sh\nexec %s --log-file=%s/mote.%%p.log "%s" "$$@"\n' \
	    "$$vg" "$$w" "$(abs_top_builddir)/mote" > $$w/mote; chmod +x $$w/mote; \
	  echo "valgrind: tests/test_cli.sh"; \
	  MOTE_BUILDDIR=$$w $(SHELL) $(srcdir)/tests/test_cli.sh > tests/test_cli.valgrind.log 2>&1 || \
	    { tail -n 60 tests/test_cli.valgrind.log; exit 1; }; \
	  if cat $$w/mote.*.log 2>/dev/null | grep -q .; then \
	    echo "valgrind reported errors in mote:"; cat $$w/mote.*.log | head -n 80; exit 1; fi; \
	fi; \
	echo "check-valgrind: no memcheck errors"

include tests/onnx/local.mk
include tests/fuzz/local.mk

# The OpenCL kernels against the reference, the device choice, the program
# cache (built with --enable-opencl; skipped when no OpenCL device exists).
if HAVE_OPENCL
check_PROGRAMS += tests/test_opencl
tests_test_opencl_SOURCES = tests/test_opencl.c tests/testutil.c tests/testutil.h \
	tests/opencl_calls.c tests/opencl_calls.h
tests_test_opencl_CFLAGS = $(TEST_CFLAGS)
tests_test_opencl_LDADD = $(TEST_LIBS) $(OPENCL_LIBS)
TESTS += tests/test_opencl
# test_session counts mote's OpenCL calls when MOTE_DEVICE=opencl, and the
# OpenCL runtime's allocations apart from mote's (its malloc exported, so
# that the runtime's library reaches it too)
tests_test_session_SOURCES += tests/opencl_calls.c tests/opencl_calls.h
tests_test_session_LDADD += $(OPENCL_LIBS)
tests_test_session_LDFLAGS = -Wl,--export-dynamic
endif
# test_opencl's program cache
clean-local:
	rm -rf tests/opencl-cache

# Hostile inputs: nested errors, nameless and mistyped ONNX
# attributes, sizes near INT64_MAX, verify agreeing with load, big graphs.
check_PROGRAMS += tests/test_hostile
tests_test_hostile_SOURCES = tests/test_hostile.c tests/chain_fixture.c tests/chain_fixture.h \
	tests/testutil.c tests/testutil.h
tests_test_hostile_CFLAGS = $(TEST_CFLAGS)
tests_test_hostile_LDADD = $(TEST_LIBS)
TESTS += tests/test_hostile
