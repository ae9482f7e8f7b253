/*
 * tflite.h — the TFLite importer: a .tflite file (schema v3, subgraph 0)
 * in, a mote_graph out.
 *
 * Layout: TFLite keeps activations NHWC, mote's convolution and pooling
 * ops are NCHW. The importer converts once, at convert time: convolution
 * weights are transposed (OHWI -> OIHW, depthwise 1HWC -> C1HW), every
 * rank-4 activation is kept NCHW inside the graph, and Transpose nodes sit
 * only at the model's rank-4 inputs and outputs (so the model's interface
 * is TFLite's, NHWC) and before the few ops whose meaning depends on the
 * memory order (RESHAPE, SQUEEZE, FULLY_CONNECTED, STRIDED_SLICE,
 * TRANSPOSE, ...). Axis arguments of the others (CONCATENATION, MEAN,
 * PAD, SOFTMAX) are mapped onto NCHW.
 *
 * Quantized tensors (u8, i8 with scale and zero point) stay quantized:
 * CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL (same
 * shapes), AVERAGE_POOL_2D become mote's integer ops (src/ops/qint.c,
 * TFLite's fixed-point arithmetic), elementwise activations and
 * requantizations become 256-entry lookup tables made here, and the ops
 * that only move bytes run on the 8-bit data. The rest (SOFTMAX, MEAN,
 * RESIZE_*, broadcasting arithmetic) run in f32 between
 * DequantizeLinear and QuantizeLinear nodes. An op outside the supported
 * list fails the import with every missing op named.
 */
#ifndef MOTE_TFLITE_H
#define MOTE_TFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include "mote.h"

/* Imports the model at path. On failure *out is NULL. */
mote_status mote_tflite_import(const char *path, mote_graph **out);
/* The same from bytes in memory (what names the model in messages). */
mote_status mote_tflite_import_memory(const void *buf, size_t len, const char *what,
                                      mote_graph **out);
/* True when the file at path starts like a TFLite flatbuffer ("TFL3"). */
bool mote_tflite_probe(const char *path);

#endif
