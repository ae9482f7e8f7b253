# src/ops/local.mk — operator definitions (owner: ops).
libmote_core_la_SOURCES += src/ops/op_util.h src/ops/op_util.c \
	src/ops/op_unary.c src/ops/op_binary.c src/ops/op_matmul.c src/ops/op_gemm.c \
	src/ops/op_conv.c src/ops/op_pool.c src/ops/op_softmax.c src/ops/op_norm.c \
	src/ops/op_reshape.c src/ops/op_transpose.c src/ops/op_concat.c

# Reference kernels on hand-computed cases (no session needed).
check_PROGRAMS += tests/test_kernels_ref
tests_test_kernels_ref_SOURCES = tests/test_kernels_ref.c
tests_test_kernels_ref_CFLAGS = $(TEST_CFLAGS)
tests_test_kernels_ref_LDADD = $(TEST_LIBS)
TESTS += tests/test_kernels_ref

# Each op end to end through a session (one-node models), and thread-count invariance.
check_PROGRAMS += tests/test_ops tests/test_ops_conv
tests_test_ops_SOURCES = tests/test_ops.c tests/test_ops_util.h tests/testutil.c tests/testutil.h
tests_test_ops_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_LDADD = $(TEST_LIBS)
tests_test_ops_conv_SOURCES = tests/test_ops_conv.c tests/test_ops_util.h tests/testutil.c tests/testutil.h
tests_test_ops_conv_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_conv_LDADD = $(TEST_LIBS)
TESTS += tests/test_ops tests/test_ops_conv
