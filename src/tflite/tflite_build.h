/*
 * tflite_build.h — what the TFLite importer's files share (internal to
 * src/tflite/): the import state, the builtin operator codes it knows, and
 * the helpers that add values and nodes to the graph (tflite_build.c):
 * tensors in NHWC or NCHW order, quantization parameters, dequantize /
 * quantize around f32 ops, fused activations, lookup tables, option
 * reads. The operators' mappings are in tflite_ops.c, the driver in
 * tflite_import.c.
 */
#ifndef MOTE_TFLITE_BUILD_H
#define MOTE_TFLITE_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include "tflite/tflite_model.h"
#include "graph/graph.h"

/* BuiltinOperator codes used here */
enum {
    OP_ADD = 0, OP_AVERAGE_POOL_2D = 1, OP_CONCATENATION = 2, OP_CONV_2D = 3,
    OP_DEPTHWISE_CONV_2D = 4, OP_DEQUANTIZE = 6, OP_FULLY_CONNECTED = 9, OP_LOGISTIC = 14,
    OP_MAX_POOL_2D = 17, OP_MUL = 18, OP_RELU = 19, OP_RELU_N1_TO_1 = 20, OP_RELU6 = 21,
    OP_RESHAPE = 22, OP_RESIZE_BILINEAR = 23, OP_SOFTMAX = 25, OP_TANH = 28, OP_PAD = 34,
    OP_TRANSPOSE = 39, OP_MEAN = 40, OP_SUB = 41, OP_SQUEEZE = 43, OP_STRIDED_SLICE = 45,
    OP_ARG_MAX = 56, OP_RESIZE_NEAREST_NEIGHBOR = 97, OP_QUANTIZE = 114, OP_HARD_SWISH = 117
};

/* ActivationFunctionType */
enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3 };

/* NHWC axis -> NCHW axis, and the two transposes */
static const int to_nchw_axis[4] = {0, 2, 3, 1};
static const int64_t perm_to_nchw[4] = {0, 3, 1, 2};
static const int64_t perm_to_nhwc[4] = {0, 2, 3, 1};

typedef struct imp {
    const tfl_model *m;
    mote_graph *g;
    const char *what;
    int *val;                  /* (n_tensors) the tensor's value, -1 before it exists */
    int *nhwc;                 /* (n_tensors) an NHWC copy of an NCHW value, or -1    */
    bool *nchw;                /* (n_tensors) val holds the rank-4 tensor as NCHW     */
    int cur;                   /* the operator being imported, -1 outside            */
    int uniq;                  /* counter that keeps made-up names unique            */
    mote_status st;
} imp;

typedef enum lut_fn { LUT_COPY, LUT_LOGISTIC, LUT_TANH, LUT_HARD_SWISH, LUT_RELU, LUT_RELU6,
                      LUT_RELU_N1_TO_1 } lut_fn;

typedef struct opt_reader {
    imp *im;
    const tfl_op *op;
    bool ok;
} opt_reader;

#define ATTR(call) do { if ((call) != MOTE_OK) return tfl_fail(im, MOTE_ERR_NOMEM, "cannot set an attribute"); } while (0)

int tfl_fail(imp *im, mote_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool tfl_isq(const tfl_tensor *t);
mote_dtype tfl_mdtype(int t);
int tfl_weight(imp *im, const char *what, mote_dtype t, int ndim, const int64_t *dims,
                  const void *data);
int tfl_w_f32(imp *im, const char *what, float x);
int tfl_w_i64s(imp *im, const char *what, int n, const int64_t *v);
int tfl_node(imp *im, const char *op, int n_in, const int *in, const char *out_name, int *nid);
int tfl_transpose(imp *im, int v, const int64_t *perm, const char *out_name);
int tfl_in_val(imp *im, int t);
int tfl_nhwc_val(imp *im, int t);
int tfl_nchw_val(imp *im, int t);
void tfl_set_out(imp *im, int t, int v, bool nchw);
int tfl_qparams(imp *im, const tfl_tensor *t, int *sv, int *zv);
int tfl_check_q(imp *im, const tfl_tensor *t);
int tfl_deq(imp *im, int t, int v);
int tfl_quant_out(imp *im, int t, int v, bool nchw);
int tfl_act_range(imp *im, const tfl_tensor *out, int act, int32_t *lo, int32_t *hi);
int tfl_act_f32(imp *im, int v, int act, const char *out_name);
int tfl_lut_node(imp *im, int v, const tfl_tensor *in, const tfl_tensor *out, lut_fn f,
                    int32_t lo, int32_t hi, const char *out_name);
bool tfl_same_q(const tfl_tensor *a, const tfl_tensor *b);
int32_t tfl_opt_i32(opt_reader *r, unsigned id, int32_t dflt);
int tfl_opt_u8(opt_reader *r, unsigned id, uint8_t dflt);
float tfl_opt_f32(opt_reader *r, unsigned id, float dflt);
int tfl_const_ints(imp *im, const tfl_op *op, int k, int max, int64_t *v, int *n);
/* One operator (tflite_ops.c): its nodes added, its outputs set; -1 and
 * the error recorded on failure. */
int tfl_import_op(imp *im, const tfl_op *op);

#endif
