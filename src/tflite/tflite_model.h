/*
 * tflite_model.h — a TFLite model (schema v3) as read from its flatbuffer:
 * subgraph 0's tensors with their constant data and quantization, its
 * operators with their builtin codes and option tables, and its inputs and
 * outputs. Everything points into the file's bytes except the arrays made
 * here. Internal to src/tflite/: the reader (tflite_read.c) fills it, the
 * importer (tflite_import.c) maps it onto mote's graph.
 */
#ifndef MOTE_TFLITE_MODEL_H
#define MOTE_TFLITE_MODEL_H

#include "tflite/flatbuf.h"

/* TensorType codes of the schema */
enum {
    TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
    TFL_STRING = 5, TFL_BOOL = 6, TFL_INT16 = 7, TFL_COMPLEX64 = 8, TFL_INT8 = 9
};

typedef struct tfl_tensor {
    char name[128];            /* the file's name, or "tensor<i>"               */
    int type;                  /* TensorType                                    */
    int ndim;
    int64_t dims[MOTE_MAX_DIMS];
    const uint8_t *data;       /* constant data in the file, or NULL            */
    size_t nbytes;             /* of data                                       */
    int nq;                    /* quantization entries (0: not quantized)       */
    float *scale;              /* (nq)                                          */
    int64_t *zp;               /* (nq); zeros when the file gives none          */
    int qdim;                  /* quantized_dimension (per-axis when nq > 1)    */
} tfl_tensor;

typedef struct tfl_op {
    int code;                  /* BuiltinOperator                               */
    const char *custom;        /* custom_code of a CUSTOM op, else NULL         */
    int n_in, n_out;
    int *in, *out;             /* tensor indices; -1 for an absent optional     */
    int opt_type;              /* builtin_options_type (0: none)                */
    bool has_opt;
    fb_table opt;              /* the options table when has_opt                */
} tfl_op;

typedef struct tfl_model {
    fb_buf b;
    uint32_t version;
    const char *description;   /* may be NULL                                   */
    int n_tensors, n_ops, n_in, n_out;
    tfl_tensor *tensors;
    tfl_op *ops;
    int *in, *out;
    mote_status st;            /* status of the last failure while reading      */
} tfl_model;

/* Reads and checks the file's structure (not the ops' meaning). */
mote_status tfl_read(const void *buf, size_t len, const char *what, tfl_model *m);
void tfl_free(tfl_model *m);
/* The schema's name of a builtin code ("CONV_2D"), or NULL. */
const char *tfl_op_name(int code);

#endif
