/*
 * opencl_place.h — what the two halves of placement share (private to
 * src/runtime/opencl): a step's device form (dev_step), the session's
 * device side (struct mote_cl_session), and the step choice of
 * opencl_place_ops.c that opencl_place.c calls.
 */
#ifndef MOTE_OPENCL_PLACE_H
#define MOTE_OPENCL_PLACE_H

#include "opencl_internal.h"
#include "opencl_session.h"
#include "opencl_weights.h"
#include "ops/op_util.h"

typedef enum dev_kind {
    DK_CPU = 0, DK_ALIAS, DK_GEMM, DK_CONV, DK_POOL, DK_GPOOL, DK_UNARY, DK_BINARY, DK_SOFTMAX, DK_RMSNORM,
    DK_LAYERNORM, DK_BATCHNORM, DK_ROPE, DK_ATTN, DK_SWIGLU
} dev_kind;

typedef struct dev_step {
    dev_kind kind;
    int up0, n_up;                /* xfer[up0 ..] uploads before the step      */
    int down0, n_down;            /* xfer[down0 ..] downloads before the step  */
    int64_t batch;                /* images (conv), 1 otherwise               */
    int64_t x_stride, y_stride;   /* floats between images                     */
    mote_cl_gemm_args gemm;
    mote_conv2d_args conv;        /* shape only                                */
    mote_pool2d_args pool;        /* shape only                                */
    bool is_max;
    int64_t rows, n;              /* softmax rows, row length; unary/gpool n   */
    int log;
    int op;                       /* mote_unary_op / mote_binary_op            */
    float alpha, beta;            /* unary parameters; RMS norm: alpha = eps   */
    int ndim;
    int64_t dims[8], astr[8], bstr[8];
    mote_cl_mem x, w, b, y;       /* operands (x, w: binary a and b)           */
    mote_cl_launch *launch;       /* made at placement; n_launch of them       */
    int n_launch;
    /* LLM ops */
    bool has_res;                 /* LlmLinear: add the residual (b) after     */
    int64_t a_row;                /* LlmLinear last_row: X's first row used    */
    mote_cl_pos pos;              /* LlmRope, LlmAttention: the position       */
    int64_t T, nh, nkv, hs, max_seq;
    float theta;
    int64_t llm_off;              /* LlmAttention: caches and scratch in llm   */
    int64_t dev_rows;             /* cache rows the device copy may hold       */
} dev_step;

struct mote_cl_session {
    mote_cl_weights *store;       /* the model's weights on the device (shared) */
    mote_cl *cl;                  /* the store's device                        */
    cl_mem arena;                 /* mirrors the host arena, same offsets      */
    cl_mem own;                   /* constants of this session's own, or NULL  */
    cl_mem llm;                   /* LlmAttention caches and scratch, or NULL  */
    dev_step *steps;              /* one per session step                      */
    int n_steps;
    int *xfer;                    /* value ids of the transfers                */
    int n_xfer, final0, n_final;  /* downloads after the last step             */
    int n_device;                 /* steps that run on the device              */
    size_t up_bytes, down_bytes;  /* transferred per run                       */
    size_t weight_bytes;          /* the weights this session's steps read     */
    mote_cl_mem *w_mem;           /* per value: its constant copy (mem NULL: in the arena) */
    float *bn;                    /* folded BatchNormalization, while placing  */
};

/* True when p lies in the session's host arena. */
bool mote_cl_in_arena(const mote_session *s, const void *p);
/* The device copy of value v: its constant buffer, or its arena offset. */
mote_cl_mem mote_cl_dev_mem(const mote_session *s, int v);
/* Whether the device has a kernel for step st (op, dtypes, shapes and
 * attributes it understands); if so, fills d's kind and shape. */
bool mote_cl_place_step(const mote_session *s, const mote_step *st, const mote_op *op, dev_step *d);

#endif
