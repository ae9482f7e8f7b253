/*
 * onnx_proto.h — the ONNX messages mote reads, as plain C structs, and the
 * readers that fill them from protobuf bytes (onnx_read.c).
 *
 * Only what the importer needs is kept; unknown fields are skipped, as
 * protobuf requires. Field numbers follow onnx.proto (the ONNX spec).
 * Tensor payloads in raw_data are not copied: `raw` points into the bytes
 * that were parsed, which must outlive the struct. Everything else is
 * malloc'd and released by the matching _free function.
 *
 * This is not the importer (import.c maps these to a mote_graph).
 */
#ifndef MOTE_ONNX_PROTO_H
#define MOTE_ONNX_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mote.h"

/* TensorProto.DataType codes (onnx.proto). */
enum {
    MOTE_ONNX_UNDEFINED = 0, MOTE_ONNX_FLOAT = 1, MOTE_ONNX_UINT8 = 2, MOTE_ONNX_INT8 = 3,
    MOTE_ONNX_UINT16 = 4, MOTE_ONNX_INT16 = 5, MOTE_ONNX_INT32 = 6, MOTE_ONNX_INT64 = 7,
    MOTE_ONNX_STRING = 8, MOTE_ONNX_BOOL = 9, MOTE_ONNX_FLOAT16 = 10, MOTE_ONNX_DOUBLE = 11,
    MOTE_ONNX_UINT32 = 12, MOTE_ONNX_UINT64 = 13, MOTE_ONNX_COMPLEX64 = 14,
    MOTE_ONNX_COMPLEX128 = 15, MOTE_ONNX_BFLOAT16 = 16
};

/* AttributeProto.AttributeType codes. */
enum {
    MOTE_ONNX_ATTR_FLOAT = 1, MOTE_ONNX_ATTR_INT = 2, MOTE_ONNX_ATTR_STRING = 3,
    MOTE_ONNX_ATTR_TENSOR = 4, MOTE_ONNX_ATTR_GRAPH = 5, MOTE_ONNX_ATTR_FLOATS = 6,
    MOTE_ONNX_ATTR_INTS = 7, MOTE_ONNX_ATTR_STRINGS = 8, MOTE_ONNX_ATTR_TENSORS = 9,
    MOTE_ONNX_ATTR_GRAPHS = 10, MOTE_ONNX_ATTR_SPARSE_TENSOR = 11,
    MOTE_ONNX_ATTR_SPARSE_TENSORS = 12, MOTE_ONNX_ATTR_TYPE_PROTO = 13,
    MOTE_ONNX_ATTR_TYPE_PROTOS = 14
};

typedef struct mote_onnx_tensor {
    char *name;
    int32_t data_type;             /* MOTE_ONNX_FLOAT, ...                       */
    int ndim;
    int64_t dims[MOTE_MAX_DIMS];
    const uint8_t *raw;            /* raw_data (raw_len bytes, little-endian)    */
    size_t raw_len;
    bool has_raw;
    float *f32;   size_t n_f32, cap_f32;   /* float_data (and complex64)         */
    int64_t *i32; size_t n_i32, cap_i32;   /* int32_data: int32, int16/8, uint8/16,
                                              bool, and f16/bf16 bit patterns    */
    int64_t *i64; size_t n_i64, cap_i64;   /* int64_data                         */
    double *f64;  size_t n_f64, cap_f64;   /* double_data                        */
    int64_t *u64; size_t n_u64, cap_u64;   /* uint64_data (uint32, uint64)       */
    size_t n_strings;                      /* string_data count (not supported)  */
    bool external;                 /* data_location == EXTERNAL                  */
    char *ext_location;            /* external_data "location" (relative path)   */
    int64_t ext_offset, ext_length;/* "offset", "length"; length -1 if absent    */
    bool has_segment;              /* segmented tensors are refused              */
} mote_onnx_tensor;

typedef struct mote_onnx_attr {
    char *name;
    int type;                      /* MOTE_ONNX_ATTR_*; 0 if the file left it out */
    float f;
    int64_t i;
    char *s; size_t s_len;         /* bytes (NUL-terminated copy)                */
    mote_onnx_tensor *t;           /* TENSOR                                     */
    float *floats;  size_t n_floats, cap_floats;
    int64_t *ints;  size_t n_ints, cap_ints;
    char **strings; size_t n_strings, cap_strings;
    mote_onnx_tensor *tensors; size_t n_tensors, cap_tensors;
    int n_graphs;                  /* GRAPH / GRAPHS payloads (If/Loop bodies)   */
    struct mote_onnx_graph *graphs; size_t cap_graphs; /* the n_graphs parsed    */
    char *ref_attr_name;           /* function attribute references (refused)    */
} mote_onnx_attr;

typedef struct mote_onnx_node {
    char *name, *op_type, *domain;
    char **in;  size_t n_in, cap_in;    /* "" = absent optional input */
    char **out; size_t n_out, cap_out;
    mote_onnx_attr *attrs; size_t n_attrs, cap_attrs;
} mote_onnx_node;

typedef struct mote_onnx_value_info {
    char *name;
    bool is_tensor;                /* TypeProto.tensor_type (others refused)     */
    int32_t elem_type;
    bool has_shape;
    int ndim;
    int64_t dims[MOTE_MAX_DIMS];   /* -1 for a symbolic (dim_param) or unknown dim */
} mote_onnx_value_info;

typedef struct mote_onnx_graph {
    char *name;
    mote_onnx_node *nodes;         size_t n_nodes, cap_nodes;
    mote_onnx_tensor *inits;       size_t n_inits, cap_inits;
    mote_onnx_value_info *inputs;  size_t n_inputs, cap_inputs;
    mote_onnx_value_info *outputs; size_t n_outputs, cap_outputs;
    mote_onnx_value_info *infos;   size_t n_infos, cap_infos;
    size_t n_sparse_inits;         /* sparse initializers (refused)              */
} mote_onnx_graph;

typedef struct mote_onnx_opset {
    char *domain;                  /* "" or "ai.onnx" for the default domain     */
    int64_t version;
} mote_onnx_opset;

typedef struct mote_onnx_model {
    int64_t ir_version, model_version;
    char *producer_name, *producer_version, *domain, *doc;
    bool has_graph;
    mote_onnx_graph graph;
    mote_onnx_opset *opsets; size_t n_opsets, cap_opsets;
    struct { char *key, *value; } *meta; size_t n_meta, cap_meta; /* metadata_props */
    size_t n_functions;            /* model-local functions (refused if used)    */
} mote_onnx_model;

/* Parse a ModelProto / TensorProto from bytes (kept alive by the caller
 * while the result is used). On failure the struct is released and zeroed
 * and the error message names the message and field at fault. */
mote_status mote_onnx_parse_model(const void *buf, size_t len, mote_onnx_model *m);
mote_status mote_onnx_parse_tensor(const void *buf, size_t len, mote_onnx_tensor *t);
void mote_onnx_model_free(mote_onnx_model *m);
void mote_onnx_tensor_free(mote_onnx_tensor *t);

/* The opset version of `domain` ("" = the default) imported by m, or 0. */
int64_t mote_onnx_opset_version(const mote_onnx_model *m, const char *domain);

/* "FLOAT", "INT64", ... for messages. */
const char *mote_onnx_dtype_name(int32_t t);

/*
 * A tensor's data in mote's form: *dtype, and a malloc'd copy of the
 * elements (*data, *nbytes; at least 1 byte allocated even when empty).
 * Reads raw_data, the typed repeated fields or, for external data, the
 * named file under model_dir (which must stay inside it). NULL model_dir
 * refuses external data. MOTE_ERR_UNSUPPORTED for dtypes mote lacks
 * (double, strings, 16-bit and unsigned 32/64-bit integers, complex).
 */
mote_status mote_onnx_tensor_data(const mote_onnx_tensor *t, const char *model_dir,
                                  mote_dtype *dtype, void **data, size_t *nbytes);
/* The mote dtype of an ONNX code, or 0 if mote lacks it. */
mote_dtype mote_onnx_to_mote_dtype(int32_t t);

#endif
