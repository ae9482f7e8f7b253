/*
 * op_b_util.h — helpers shared by the group B op files (src/ops/op_b_*.c):
 * reading integer inputs (i32 or i64) that are constants or activations,
 * index normalization with the clamping policy, and the dtype mapping to
 * the kernels' mote_num. Private to src/ops/.
 *
 * Index policy: ONNX leaves an out-of-range index undefined. A constant
 * index (a weight) out of range is an error at session creation; an index
 * read at run time is clamped into range (negative ones first wrapped
 * once), so no kernel ever reads outside its input.
 */
#ifndef MOTE_OP_B_UTIL_H
#define MOTE_OP_B_UTIL_H

#include "b_ref.h"
#include "op_util.h"

/* Input i is present and of an integer index dtype (i32 or i64). */
mote_status mote_b_expect_index(const mote_op_ctx *c, int i, const char *what);
/* Element e of an i32 or i64 tensor's data. */
int64_t mote_b_int_at(const mote_tensor *t, int64_t e);
/* v in [-n, n) to [0, n); out of range: clamped to [0, n-1] (n > 0). */
static inline int64_t mote_b_clamp_index(int64_t v, int64_t n)
{
    if (v < 0)
        v += n;
    return v < 0 ? 0 : v >= n ? n - 1 : v;
}
/*
 * The values of constant integer input i (i32 or i64, rank 0 or 1) into
 * out[0..max); *n = the count. An error naming `what` when it is absent,
 * not constant, of another dtype or longer than max.
 */
mote_status mote_b_const_ints(const mote_op_ctx *c, int i, const char *what,
                              int64_t *out, int max, int *n);
/* Input i is present (index in range and not an absent optional). */
static inline int mote_b_has(const mote_op_ctx *c, int i)
{
    return i < c->n_in && c->in[i] != NULL;
}
/* f32 -> MOTE_NUM_F32 etc.; -1 for a dtype without a kernel number. */
int mote_b_num(mote_dtype t);
/* Short dtype name for messages ("?" if unknown). */
const char *mote_b_dtype(mote_dtype t);

#endif
