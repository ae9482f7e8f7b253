# kernels/local.mk — portable reference kernels (owner: ops).
libmote_core_la_SOURCES += kernels/kernels.h kernels/ref.h \
	kernels/elementwise_ref.c kernels/gemm_ref.c kernels/conv_ref.c \
	kernels/pool_ref.c kernels/norm_ref.c kernels/ref_table.c
