# src/onnx/local.mk — the ONNX importer: a protobuf reader, the ONNX
# message structures, tensor data (external files too), and the mapping of
# ONNX graphs (and their legacy opset forms) onto mote's IR, with each
# node's attributes checked against its op's schema (onnx_attr_table.h,
# written by make_attr_table.py).
if HAVE_ONNX
libmote_core_la_SOURCES += \
	src/onnx/onnx.h src/onnx/pb.h src/onnx/pb.c \
	src/onnx/onnx_proto.h src/onnx/onnx_read.c src/onnx/onnx_tensor.c \
	src/onnx/onnx_import.h src/onnx/import.c src/onnx/import_ctx.c src/onnx/onnx_legacy.c \
	src/onnx/onnx_order.c src/onnx/onnx_support.c \
	src/onnx/onnx_f16.c src/onnx/onnx_control.c \
	src/onnx/onnx_attrs.c src/onnx/onnx_attr_table.h
endif
EXTRA_DIST += src/onnx/make_attr_table.py
