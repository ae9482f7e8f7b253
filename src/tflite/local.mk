# src/tflite/local.mk — the TFLite importer: a bounds-checked flatbuffer
# reader, the TFLite schema's tables read into C structs, and their mapping
# onto mote's graph (NCHW inside, integer ops for quantized tensors).
libmote_core_la_SOURCES += \
	src/tflite/flatbuf.h src/tflite/flatbuf.c \
	src/tflite/tflite_model.h src/tflite/tflite_read.c \
	src/tflite/tflite.h src/tflite/tflite_import.c \
	src/tflite/tflite_build.h src/tflite/tflite_build.c src/tflite/tflite_ops.c
