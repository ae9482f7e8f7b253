/*
 * a_kernels.h — reference kernels added for the ONNX importer's first op
 * group (math, logic, reductions): the unary entries appended to
 * mote_unary_op (kernels/a_unary.c) and the reductions (kernels/a_reduce.c).
 *
 * Like every reference kernel these are plain loops with the math in a
 * comment, no threads and no SIMD; callers split work by output range.
 * Not the op layer (src/ops/op_a_*.c) and not a fast target's table.
 */
#ifndef MOTE_KERNELS_A_H
#define MOTE_KERNELS_A_H

#include "kernels.h"

/* a_unary.c: entries of mote_kernels_ref.unary_f32 */
void mote_floor_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_ceil_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_round_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sign_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_elu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_selu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_softplus_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_mish_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);

/* a_reduce.c ----------------------------------------------------------- */

/* What a reduction computes over its reduced elements x_1..x_n. */
typedef enum mote_reduce_kind {
    MOTE_RED_SUM = 0,      /* sum x                                  */
    MOTE_RED_MEAN,         /* sum x / n                              */
    MOTE_RED_MAX,          /* max x   (-inf for n = 0)               */
    MOTE_RED_MIN,          /* min x   (+inf for n = 0)               */
    MOTE_RED_PROD,         /* prod x  (1 for n = 0)                  */
    MOTE_RED_L1,           /* sum |x|                                */
    MOTE_RED_L2,           /* sqrt(sum x^2)                          */
    MOTE_RED_LOG_SUM,      /* ln(sum x)                              */
    MOTE_RED_LOG_SUM_EXP,  /* m + ln(sum e^(x - m)), m = max x       */
    MOTE_RED_SUM_SQUARE,   /* sum x^2                                */
    MOTE_RED_COUNT
} mote_reduce_kind;

/*
 * y[o] = reduce over r of x[koff(o) + roff(r)], for o in [o0, o1), where
 * koff decomposes o over the kept dims (row-major, kdims) with strides
 * kstr, and r runs over every index of the reduced dims (rdims, rstr).
 * Sums are accumulated in double, in index order.
 */
typedef struct mote_reduce_args {
    mote_reduce_kind kind;
    int nk;                    /* number of kept dims (0: one output)  */
    int64_t kdims[8], kstr[8]; /* kept dims and their strides in x     */
    int nr;                    /* number of reduced dims               */
    int64_t rdims[8], rstr[8]; /* reduced dims and their strides in x  */
    const float *x;            /* the input                            */
    float *y;                  /* (prod kdims)                         */
    int64_t o0, o1;            /* output range computed by this call   */
} mote_reduce_args;

void mote_reduce_f32_ref(const mote_reduce_args *a);

/*
 * Index of the max (is_min = 0) or min element along the middle axis of x
 * viewed as (outer, n, inner): y[o * inner + i] = argmax_k x[o, k, i], the
 * first such k, or the last when select_last. Rows [o0, o1) of outer.
 */
void mote_argreduce_f32_ref(int is_min, int select_last, int64_t n, int64_t inner,
                            const float *x, int64_t *y, int64_t o0, int64_t o1);

#endif
