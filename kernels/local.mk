# kernels/local.mk — the portable reference kernels (the specification every
# fast kernel is tested against) and the reference table.
libmote_core_la_SOURCES += kernels/kernels.h kernels/kernel_list.h kernels/llm.h kernels/ref.h \
	kernels/ref_table.c kernels/elementwise_ref.c kernels/gemm_ref.c \
	kernels/conv_ref.c kernels/conv_chan_ref.c kernels/winograd_ref.c kernels/conv_transpose_ref.c kernels/pool_ref.c \
	kernels/volume_ref.c \
	kernels/norm_ref.c kernels/reduce_ref.c kernels/move_ref.c kernels/topk_ref.c \
	kernels/resize_ref.c kernels/quantize_ref.c kernels/einsum_ref.c \
	kernels/rnn_ref.c kernels/llm_ref.c kernels/quant_blocks_ref.c \
	kernels/qint.h kernels/qint_ref.c
