# src/runtime/opencl/local.mk — the OpenCL backend's host side (built with
# --enable-opencl): devices, the program build and its on-disk cache, GEMM
# tile choice, one host function per kernel of arch/opencl, and placing a
# session's nodes on the device (which: opencl_place_ops.c; transfers,
# launches, running: opencl_place.c) with the weights a model's sessions
# share there (opencl_weights.c).
if HAVE_OPENCL
libmote_core_la_SOURCES += src/runtime/opencl/opencl.h src/runtime/opencl/opencl_internal.h \
	src/runtime/opencl/opencl_device.c src/runtime/opencl/opencl_program.c \
	src/runtime/opencl/opencl_kernels.c src/runtime/opencl/opencl_session.h \
	src/runtime/opencl/opencl_place.h src/runtime/opencl/opencl_place.c \
	src/runtime/opencl/opencl_place_ops.c src/runtime/opencl/opencl_weights.h \
	src/runtime/opencl/opencl_weights.c
endif
