/*
 * op_util.h — helpers shared by the op files in src/ops/: the fused
 * activation attributes, the sliding-window geometry of Conv and the
 * pooling ops, and element counts. Private to src/ops/; not part of the
 * registry interface (that is src/ops.h).
 */
#ifndef MOTE_OP_UTIL_H
#define MOTE_OP_UTIL_H

#include "ops.h"

/* Declarations of every registered op (each defined in one src/ops/ file). */
#define MOTE_OP(Name) extern const mote_op mote_op_##Name;
#include "ops_list.h"
#undef MOTE_OP

/*
 * The activation the optimizer fused into a Conv / Gemm / MatMul, from the
 * mote-private attributes (absent: no activation):
 *   "_act"       string: "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh",
 *                "HardSigmoid", "HardSwish", "Gelu" (ONNX names; Gelu is
 *                the exact erf form)
 *   "_act_alpha" float: LeakyRelu alpha (default 0.01), Clip min (default
 *                -inf), HardSigmoid alpha (default 0.2)
 *   "_act_beta"  float: Clip max (default +inf), HardSigmoid beta (default 0.5)
 * MOTE_ERR_UNSUPPORTED for an unknown name.
 */
mote_status mote_op_fused_act(const mote_op_ctx *c, mote_act *act);

/*
 * Geometry of a 1-D or 2-D sliding window (Conv, MaxPool, AveragePool),
 * always expressed in 2-D: a 1-D window has H = KH = 1 and no padding or
 * stride along H.
 */
typedef struct mote_window {
    int64_t KH, KW;            /* kernel                                  */
    int64_t sh, sw;            /* strides                                 */
    int64_t dh, dw;            /* dilations                               */
    int64_t pt, pl, pb, pr;    /* pads: top, left, bottom, right          */
    int64_t OH, OW;            /* output size                             */
} mote_window;

/*
 * Reads strides, dilations, pads and auto_pad (ONNX semantics) for a window
 * of kernel k[0..nsp) over an input of spatial size in[0..nsp) (nsp = 1 or
 * 2) and computes the output size:
 *   NOTSET: O = floor_or_ceil((I + pad_begin + pad_end - ((K-1)*d + 1)) / s) + 1,
 *           where with ceil_mode a last window starting past the input and the
 *           begin pad is dropped;
 *   VALID:  no pads, O = floor((I - ((K-1)*d + 1)) / s) + 1;
 *   SAME_UPPER / SAME_LOWER: O = ceil(I / s), total pad
 *           max(0, (O-1)*s + (K-1)*d + 1 - I), the odd one at the end (UPPER)
 *           or the beginning (LOWER).
 */
mote_status mote_op_window(const mote_op_ctx *c, int nsp, const int64_t *in,
                           const int64_t *k, int ceil_mode, mote_window *w);

/* Product of dims[0..n) (1 for n == 0). */
static inline int64_t mote_dims_prod(const int64_t *dims, int n)
{
    int64_t p = 1;
    for (int i = 0; i < n; i++)
        p *= dims[i];
    return p;
}

/* "[2,3,4]" into buf (NUL-terminated); returns buf. For messages. */
const char *mote_op_dims_str(int ndim, const int64_t *dims, char *buf, size_t len);

#endif
