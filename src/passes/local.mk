# src/passes/local.mk — convert-time optimization passes over the graph IR.
libmote_core_la_SOURCES += \
	src/passes/passes.h src/passes/pass_util.c src/passes/optimize.c \
	src/passes/pass_identity.c src/passes/pass_dead.c src/passes/pass_fold.c \
	src/passes/pass_conv_bn.c src/passes/pass_conv_affine.c src/passes/pass_fuse_act.c \
	src/passes/pass_shape.c src/passes/pass_gemm.c src/passes/pass_layernorm.c \
	src/passes/pass_gelu.c src/passes/pass_hardswish.c src/passes/pass_pow.c \
	src/passes/pass_pad_conv.c src/passes/pass_residual.c \
	src/passes/pass_qdq.c src/passes/quantize_int8.c
