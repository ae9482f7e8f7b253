/*
 * onnx.h — the ONNX importer: an .onnx file in, a mote_graph out.
 *
 * The importer reads the protobuf itself (pb.c, onnx_read.c: no protobuf
 * or onnx library), turns initializers and Constant nodes into weights,
 * graph inputs into model inputs (symbolic dims become -1) and every other
 * node into a graph node of the same ONNX op type, then (unless told not
 * to) runs the convert-time passes of src/passes/. An op mote lacks fails
 * here, naming the op, the node and the opset, not when a session starts.
 * Not the protobuf reader, not the passes, not the .mote writer.
 */
#ifndef MOTE_ONNX_H
#define MOTE_ONNX_H

#include <stddef.h>
#include "mote.h"

typedef struct mote_onnx_options {
    int optimize;    /* 1 (default): run the convert-time passes */
    /* Called with stage names ("read", "weights", "nodes", "optimize")
     * and progress counts; NULL for none. The library itself never prints. */
    void (*progress)(void *user, const char *stage, size_t done, size_t total);
    void *progress_user;
} mote_onnx_options;

void mote_onnx_options_init(mote_onnx_options *o);

/* Imports the model at path (external data files are looked up in its
 * directory). opt may be NULL for defaults. On failure *out is NULL. */
mote_status mote_onnx_import(const char *path, const mote_onnx_options *opt,
                             mote_graph **out);
/* The same from bytes in memory; model_dir (may be NULL) is where external
 * data would be found. */
mote_status mote_onnx_import_memory(const void *buf, size_t len, const char *model_dir,
                                    const mote_onnx_options *opt, mote_graph **out);

/* Reads a serialized TensorProto file (the test data format) into t, with
 * malloc'd data (free t->data), and its name (malloc'd, may be "") into
 * *name when name is not NULL. */
mote_status mote_onnx_read_tensor_file(const char *path, mote_tensor *t, char **name);

#endif
