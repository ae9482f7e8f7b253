/*
 * op_util.h — helpers shared by the op files in src/ops/ (not part of the
 * registry interface, which is ops.h): the declarations of every op, fused
 * activation attributes, sliding-window geometry, n-way broadcasting, typed
 * element access, constant integer inputs and index policy, and the LLM
 * ops' attributes. Private to src/ops/.
 */
#ifndef MOTE_OP_UTIL_H
#define MOTE_OP_UTIL_H

#include "ops.h"
#include "ref.h"
#include "llm.h"

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

/* The same for nsp = 1..3 spatial axes (3-D: D, H, W), per axis. */
#define MOTE_WINDOW_MAXSP 3
typedef struct mote_window_nd {
    int nsp;
    int64_t k[MOTE_WINDOW_MAXSP], s[MOTE_WINDOW_MAXSP], d[MOTE_WINDOW_MAXSP];
    int64_t pb[MOTE_WINDOW_MAXSP], pe[MOTE_WINDOW_MAXSP];   /* begin / end pads */
    int64_t o[MOTE_WINDOW_MAXSP];                           /* output size      */
} mote_window_nd;
mote_status mote_op_window_nd(const mote_op_ctx *c, int nsp, const int64_t *in,
                              const int64_t *k, int ceil_mode, mote_window_nd *w);

/* Product of dims[0..n) (1 for n == 0). The session refuses tensors whose
 * non-zero dims multiply past INT64_MAX, so for their dims this is exact;
 * for other products it saturates at INT64_MAX rather than wrap. */
static inline int64_t mote_dims_prod(const int64_t *dims, int n)
{
    int64_t p = 1;
    bool over = false;
    for (int i = 0; i < n; i++) {
        if (dims[i] == 0) return 0;
        over = over || __builtin_mul_overflow(p, dims[i], &p);
    }
    return over ? INT64_MAX : p;
}

/* "[2,3,4]" into buf (NUL-terminated); returns buf. For messages. */
const char *mote_op_dims_str(int ndim, const int64_t *dims, char *buf, size_t len);

/* ------------------------------------------------ n-way broadcasting */
#define MOTE_BCAST_MAX 3   /* operands of one plan (Where has three) */

/*
 * The walk of an elementwise op over an output of known shape, with each
 * operand broadcast to it (numpy rules). Output dims of size 1 are
 * dropped and neighbouring dims merged where every operand continues
 * them, so the innermost dim has stride 1 or 0 in each operand.
 */
typedef struct mote_bcast {
    int n;                                   /* operands                         */
    int nd;                                  /* coalesced rank, >= 1             */
    int64_t dims[MOTE_MAX_DIMS];             /* coalesced output dims (nd)       */
    int64_t st[MOTE_BCAST_MAX][MOTE_MAX_DIMS];  /* element stride per operand, dim  */
    int64_t rows, inner;                     /* numel = rows * inner             */
} mote_bcast;

/* Element strides of t aligned to the right of an output of rank nd; 0
 * where t is broadcast (absent or size-1 dims). */
void mote_bcast_strides(const mote_tensor *t, int nd, int64_t *st);

/* Broadcast shape of n tensors into (ndim, dims); records an error naming
 * the shapes when they do not fit. */
mote_status mote_bcast_shape_n(const mote_op_ctx *c, int n, const mote_tensor *const *t,
                          int *ndim, int64_t *dims);
/* Plan for n operands (shapes that broadcast to out). */
void mote_bcast_plan(mote_bcast *p, int n, const mote_tensor *const *t, const mote_tensor *out);

/* One inner run: n elements; operand k starts at element off[k] and steps
 * st[k] (0 or 1); the output starts at element yoff, stride 1. */
typedef void (*mote_bcast_seg_fn)(void *ctx, int64_t n, const int64_t *off, const int64_t *st,
                         int64_t yoff);
/* Calls seg over the whole output, split across the pool by rows. */
void mote_bcast_for(mote_pool *pool, const mote_bcast *p, mote_bcast_seg_fn seg, void *ctx);

/* Element i as int64 (any mote dtype; floats truncate, clamped; as double:
 * mote_elem_f64 in graph.h). */
int64_t mote_elem_get_i64(const void *data, mote_dtype t, int64_t i);
/* Stores v into element i: integers wrap to the width, bool is v != 0. */
void mote_elem_put_i64(void *data, mote_dtype t, int64_t i, int64_t v);
/* Stores v into element i: to integers by truncation toward zero, clamped
 * to the type's range (NaN gives 0); bool is v != 0. */
void mote_elem_put_f64(void *data, mote_dtype t, int64_t i, double v);
static inline int mote_dtype_is_int(mote_dtype t)
{
    return t == MOTE_I8 || t == MOTE_U8 || t == MOTE_I32 || t == MOTE_I64 || t == MOTE_BOOL;
}

/* "axes" of Squeeze/Unsqueeze/Reduce*: the attribute (older opsets) or
 * input i (newer ones). *n = -1 when neither is given. */
mote_status mote_op_axes(const mote_op_ctx *c, int i, int64_t *axes, int *n);

/* dtype name for messages ("?" when invalid). */
static inline const char *mote_op_dtype_name(mote_dtype t)
{
    const char *s = mote_dtype_name(t);
    return s ? s : "?";
}

/* ----------------------------- integer inputs, indices and dtypes */
/* Input i is present and of an integer index dtype (i32 or i64). */
mote_status mote_op_expect_index(const mote_op_ctx *c, int i, const char *what);
/* Element e of an i32 or i64 tensor's data. */
int64_t mote_index_at(const mote_tensor *t, int64_t e);
/* v in [-n, n) to [0, n); out of range: clamped to [0, n-1] (n > 0). */
static inline int64_t mote_clamp_index(int64_t v, int64_t n)
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
mote_status mote_op_const_ints(const mote_op_ctx *c, int i, const char *what, int max,
                              int64_t *out, int *n);
/* Input i is present (index in range and not an absent optional). */
static inline int mote_op_has_input(const mote_op_ctx *c, int i)
{
    return i < c->n_in && c->in[i] != NULL;
}
/* f32 -> MOTE_NUM_F32 etc.; -1 for a dtype without a kernel number. */
int mote_num_kind(mote_dtype t);

/* -------------------------------------------------- language-model ops */
/* The "weight_type" attribute: "f32" (default), "f16", "q8_0", "q4_0"; -1 if unknown. */
int mote_llm_weight_type(const mote_node *n);
/* The value of a position input (i32 or i64, one element). */
int64_t mote_llm_read_pos(const mote_tensor *t);
/* Checks that input i is an i32/i64 tensor of one element. */
mote_status mote_llm_expect_pos(const mote_op_ctx *c, int i);
/* An LlmAttention step's key/value cache in its state (for a device that
 * keeps a copy, src/runtime/opencl/): the two caches (max_seq rows of
 * kv_heads * head_size floats) and the count of rows written since the
 * last reset. */
void mote_llm_attention_cache(const mote_step *s, float **k, float **v, int64_t **filled);

/* Conv's residual step ("_residual", conv.c): fn(ctx, y, r, n) on n
 * outputs an algorithm has just written, r at the same offset in the
 * residual; the Conv helpers (Winograd, tiled im2col) call it per block. */
typedef struct mote_conv_res {
    void (*fn)(const void *ctx, float *y, const float *r, int64_t n);
    const void *ctx;
    const float *r;            /* laid out as y; NULL: no residual */
} mote_conv_res;

#endif
