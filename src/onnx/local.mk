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
	src/passes/pass_conv_bn.c src/passes/pass_fuse_act.c

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
