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
