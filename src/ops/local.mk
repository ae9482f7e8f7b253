# src/ops/local.mk — the operators: the registry, the helpers the op files
# share, the GEMM plan, and one file per op family (ops_list.h maps each op
# to its file). The language-model ops are in src/ops/llm/.
libmote_core_la_SOURCES += src/ops/ops.h src/ops/ops_list.h src/ops/registry.c \
	src/ops/op_util.h src/ops/op_util.c src/ops/gemm_plan.h src/ops/gemm_plan.c \
	src/ops/unary.c src/ops/binary.c src/ops/elementwise.c src/ops/cast.c \
	src/ops/reduce.c src/ops/shape.c src/ops/reshape.c src/ops/transpose.c \
	src/ops/concat.c src/ops/slice.c src/ops/pad.c src/ops/gather.c src/ops/topk.c \
	src/ops/matmul.c src/ops/gemm.c src/ops/conv.c src/ops/conv_winograd.h \
	src/ops/conv_winograd.c src/ops/conv_im2col_tiled.h src/ops/conv_im2col_tiled.c \
	src/ops/conv_split.h src/ops/conv_split.c src/ops/conv_internal.h src/ops/conv_per_chan.c \
	src/ops/conv_transpose.c src/ops/volume.h src/ops/volume.c \
	src/ops/pool.c src/ops/resize.c src/ops/softmax.c src/ops/norm.c \
	src/ops/quantize.c src/ops/einsum.c src/ops/rnn.c src/ops/trilu.c \
	src/ops/if_guard.c src/ops/loop.c src/ops/branch.c \
	src/ops/qint.c src/ops/qlinear.c \
	src/ops/qconv_plan.h src/ops/qconv_plan.c
include src/ops/llm/local.mk
