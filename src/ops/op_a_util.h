/*
 * op_a_util.h — helpers shared by the ONNX group-A op files
 * (src/ops/op_a_*.c): an n-way broadcast plan, typed element access for
 * the integer and bool paths, and reading small constant inputs (axes,
 * shapes) that ONNX moved from attributes to inputs. Private to those
 * files; not the registry interface (src/ops.h).
 */
#ifndef MOTE_OP_A_UTIL_H
#define MOTE_OP_A_UTIL_H

#include "op_util.h"

#define A_BCAST_MAX 3   /* operands of one plan (Where has three) */

/*
 * The walk of an elementwise op over an output of known shape, with each
 * operand broadcast to it (numpy rules). Output dims of size 1 are
 * dropped and neighbouring dims merged where every operand continues
 * them, so the innermost dim has stride 1 or 0 in each operand.
 */
typedef struct a_bcast {
    int n;                                   /* operands                         */
    int nd;                                  /* coalesced rank, >= 1             */
    int64_t dims[MOTE_MAX_DIMS];             /* coalesced output dims (nd)       */
    int64_t st[A_BCAST_MAX][MOTE_MAX_DIMS];  /* element stride per operand, dim  */
    int64_t rows, inner;                     /* numel = rows * inner             */
} a_bcast;

/* Broadcast shape of n tensors into (ndim, dims); records an error naming
 * the shapes when they do not fit. */
mote_status a_bcast_shape(const mote_op_ctx *c, int n, const mote_tensor *const *t,
                          int *ndim, int64_t *dims);
/* Plan for n operands (shapes that broadcast to out). */
void a_bcast_plan(a_bcast *p, int n, const mote_tensor *const *t, const mote_tensor *out);

/* One inner run: n elements; operand k starts at element off[k] and steps
 * st[k] (0 or 1); the output starts at element yoff, stride 1. */
typedef void (*a_seg_fn)(void *ctx, int64_t n, const int64_t *off, const int64_t *st,
                         int64_t yoff);
/* Calls seg over the whole output, split across the pool by rows. */
void a_bcast_for(mote_pool *pool, const a_bcast *p, a_seg_fn seg, void *ctx);

/* Element i of t as int64 / double (any mote dtype). */
int64_t a_get_i64(const void *data, mote_dtype t, int64_t i);
double a_get_f64(const void *data, mote_dtype t, int64_t i);
/* Stores v into element i: integers wrap to the width, bool is v != 0. */
void a_put_i64(void *data, mote_dtype t, int64_t i, int64_t v);
/* Stores v into element i: to integers by truncation toward zero, clamped
 * to the type's range (NaN gives 0); bool is v != 0. */
void a_put_f64(void *data, mote_dtype t, int64_t i, double v);
static inline int a_is_int(mote_dtype t)
{
    return t == MOTE_I8 || t == MOTE_U8 || t == MOTE_I32 || t == MOTE_I64 || t == MOTE_BOOL;
}

/*
 * The integer list in constant input i (i32 or i64, 0-D or 1-D) into
 * v[0..max) and its count into *n; what names the input in messages.
 * MOTE_ERR_UNSUPPORTED when the input is computed at run time.
 */
mote_status a_const_ints(const mote_op_ctx *c, int i, const char *what, int max,
                         int64_t *v, int *n);

/* "axes" of Squeeze/Unsqueeze/Reduce*: the attribute (older opsets) or
 * input i (newer ones). *n = -1 when neither is given. */
mote_status a_axes(const mote_op_ctx *c, int i, int64_t *axes, int *n);

/* dtype name for messages ("?" when invalid). */
static inline const char *a_dt(mote_dtype t)
{
    const char *s = mote_dtype_name(t);
    return s ? s : "?";
}

#endif
