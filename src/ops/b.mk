# src/ops/b.mk — the ONNX-issue group B ops (indexing, data movement,
# structured ops), their reference kernels and their unit tests.
libmote_core_la_SOURCES += src/ops/op_b_util.h src/ops/op_b_util.c \
	src/ops/op_b_gather.c src/ops/op_b_slice.c src/ops/op_b_pad.c \
	src/ops/op_b_topk.c src/ops/op_b_norm.c src/ops/op_b_quant.c \
	src/ops/op_b_convt.c src/ops/op_b_resize.c src/ops/op_b_einsum.c \
	src/ops/op_b_rnn.c \
	kernels/b_ref.h kernels/b_move.c kernels/b_math.c kernels/b_norm.c \
	kernels/b_quant.c kernels/b_convt.c kernels/b_resize.c kernels/b_rnn.c \
	kernels/b_einsum.c

check_PROGRAMS += tests/test_ops_b
tests_test_ops_b_SOURCES = tests/test_ops_b.c tests/testutil.c tests/testutil.h
tests_test_ops_b_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_b_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/test_ops_b
