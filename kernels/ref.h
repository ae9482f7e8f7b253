/*
 * ref.h — the portable reference kernels: one declaration per entry of
 * mote_kernels_ref's general sub-table (kernels/ref_table.c; the LLM ones
 * are in llm.h), and the reference loops the ops
 * call directly (reductions, data movement, structured ops). Plain C, the
 * formula at each definition; the specification fast kernels are tested
 * against.
 */
#ifndef MOTE_REF_H
#define MOTE_REF_H

#include <stddef.h>
#include <stdint.h>
#include "kernels.h"


/* elementwise_ref.c: unary, indexed by mote_unary_op */
void mote_relu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_leaky_relu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sigmoid_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_tanh_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_gelu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_gelu_tanh_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_exp_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sqrt_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_clip_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_hard_sigmoid_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_hard_swish_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_neg_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_abs_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_reciprocal_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_log_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_erf_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_silu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);

/* elementwise_ref.c: binary, indexed by mote_binary_op */
void mote_add_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_sub_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_mul_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_div_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_max_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_min_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_pow_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_prelu_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);

/* elementwise_ref.c: fused activation in place (mote_act_apply_ref is in kernels.h) */
void mote_act_f32_ref(int64_t n, float *x, mote_act act);

/* gemm_ref.c */
void mote_gemm_f32_ref(const mote_gemm_args *a);

/* conv_ref.c */
void mote_conv2d_f32_ref(const mote_conv2d_args *a);
void mote_conv2d_dw3x3_f32_ref(const mote_conv2d_args *a);
void mote_conv2d_dw_f32_ref(const mote_conv2d_args *a);
void mote_im2col_f32_ref(const mote_conv2d_args *a, int64_t g, float *col);
void mote_winograd_in_f32_ref(const mote_winograd_args *a);
void mote_winograd_out_f32_ref(const mote_winograd_args *a);
/* conv_chan_ref.c */
void mote_conv2d_chan_f32_ref(const mote_conv2d_args *a, int64_t oy0, int64_t oy1);

/* pool_ref.c */
void mote_maxpool2d_f32_ref(const mote_pool2d_args *a);
void mote_avgpool2d_f32_ref(const mote_pool2d_args *a);
/* MaxPool with its argmax (idx may be NULL) and on 8-bit integers; no
 * table entry: the op calls them directly (no SIMD version) */
void mote_maxpool2d_idx_f32_ref(const mote_pool2d_args *a, int64_t *idx);
void mote_maxpool2d_u8_ref(const mote_pool2d_args *a, const uint8_t *x, uint8_t *y, int64_t *idx);
void mote_maxpool2d_i8_ref(const mote_pool2d_args *a, const int8_t *x, int8_t *y, int64_t *idx);
void mote_global_avgpool_f32_ref(int64_t C, int64_t HW, const float *x, float *y);
void mote_global_maxpool_f32_ref(int64_t C, int64_t HW, const float *x, float *y);

/* norm_ref.c */
void mote_softmax_f32_ref(int64_t rows, int64_t n, const float *x, float *y, int log);
void mote_layernorm_f32_ref(int64_t rows, int64_t n, const float *x,
                            const float *gamma, const float *beta, float eps, float *y);
void mote_rmsnorm_f32_ref(int64_t rows, int64_t n, const float *x,
                          const float *gamma, float eps, float *y);
void mote_channel_affine_f32_ref(int64_t C, int64_t HW, const float *x,
                                 const float *scale, const float *shift, float *y);

/* ------------------------------------------- rounding, reductions */
/* elementwise_ref.c: more entries of mote_kernels_ref.unary_f32 */
void mote_floor_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_ceil_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_round_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sign_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_elu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_selu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_softplus_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_mish_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sin_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_cos_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta);

/* reduce_ref.c ----------------------------------------------------------- */

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

/* ------------------------- indexing, data movement, structured ops */
/* Numeric element types of the kernels that do arithmetic (kernels/ does
 * not see mote.h's mote_dtype; the ops map one to the other). */
typedef enum mote_num { MOTE_NUM_F32, MOTE_NUM_I32, MOTE_NUM_I64, MOTE_NUM_U8, MOTE_NUM_I8 } mote_num;

/* ------------------------------------------------------------ move_ref.c */

/* y[r*n .. r*n+n) = x[off[r] .. off[r]+n) for r in [r0, r1) (elements of es bytes) */
void mote_copy_rows_ref(const void *x, void *y, size_t es, int64_t n,
                        const int64_t *off, int64_t r0, int64_t r1);

/* y[r*ldy + c] = x[c*ldx + r], r < R, c < C (4-byte elements) */
void mote_transpose_32_ref(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                           int64_t ldy);
/* The same in b x b tiles (the table kernels' fallback). */
void mote_transpose_32_tiles_ref(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                                 int64_t ldy, int64_t b);

/*
 * Strided gather into a dense output of shape dims[0..nd):
 *   y[i_0, .., i_{nd-1}] = x[base + sum_d i_d * xs[d]]
 * (xs may be negative). Rows are the prod(dims[:nd-1]) runs of the last dim.
 */
void mote_strided_copy_ref(const void *x, void *y, size_t es, int nd, const int64_t *dims,
                           const int64_t *xs, int64_t base, int64_t r0, int64_t r1);

/* Tile: y[i] = x[i_d mod in[d] for each d], out dims od, rows over the last dim. */
void mote_tile_ref(const void *x, void *y, size_t es, int nd, const int64_t *in,
                   const int64_t *od, int64_t r0, int64_t r1);
/* Trilu: keep j - i >= k (upper) or j - i <= k (lower) in each (n, m)
 * matrix r0..r1 of a stack, zero the rest; elements of es bytes. */
void mote_trilu_ref(const void *x, void *y, size_t es, int64_t n, int64_t m, int64_t k,
                    int upper, int64_t r0, int64_t r1);

typedef enum mote_pad_mode { MOTE_PAD_CONSTANT, MOTE_PAD_REFLECT, MOTE_PAD_EDGE } mote_pad_mode;

/*
 * Pad: y[o] for out index o (dims od) reads x at i_d = o_d - begin[d]:
 *   constant: value (es bytes) if some i_d is outside [0, in[d]);
 *   reflect:  i -> -i below 0, 2(in-1) - i above in-1 (repeated until inside);
 *   edge:     i clamped to [0, in-1].
 * Rows over the last dim.
 */
void mote_pad_ref(const void *x, void *y, size_t es, int nd, const int64_t *in,
                  const int64_t *od, const int64_t *begin, mote_pad_mode mode,
                  const void *value, int64_t r0, int64_t r1);

/* ScatterND update of row r (n elements): y[off[r]+i] = u[r*n+i] (red 0),
 * += (red 1) or *= (red 2), for every r in [0, rows) in order. f32, i32,
 * i64 for add/mul; any dtype for plain assignment. */
typedef enum mote_scatter_red { MOTE_SCATTER_NONE, MOTE_SCATTER_ADD, MOTE_SCATTER_MUL } mote_scatter_red;
void mote_scatter_rows_ref(void *y, const void *u, mote_num t, size_t es, int64_t n,
                           const int64_t *off, int64_t rows, mote_scatter_red red);

/* ------------------------------------------------------------ topk_ref.c */

/*
 * CumSum along the middle axis of (outer, n, inner), rows r = o*inner + i:
 *   y[o,j,i] = sum_{k <= j} x[o,k,i]        (exclusive: k < j)
 *   reverse:  sum over k >= j                (exclusive: k > j)
 * in index order, in the dtype (f32, i32 or i64).
 */
void mote_cumsum_ref(const void *x, void *y, mote_num t, int64_t n, int64_t inner,
                     int exclusive, int reverse, int64_t r0, int64_t r1);

/*
 * TopK over rows of (outer, n, inner) along n, r = o*inner + i: the k
 * largest (or smallest) x[o,:,i], ordered by value with ties to the lower
 * index (sorted = 0 gives the same order). vals/idx are (outer, k, inner).
 * tmp holds k int64.
 */
void mote_topk_f32_ref(const float *x, int64_t n, int64_t inner, int64_t k, int largest,
                       float *vals, int64_t *idx, int64_t *tmp, int64_t r0, int64_t r1);

/* ------------------------------------------------------------ norm_ref.c */

/* Instance norm, rows = (n, c) planes of HW, r0..r1 over N*C:
 *   y = scale[c] * (x - mean) / sqrt(var + eps) + bias[c]  (biased var) */
void mote_instancenorm_f32_ref(const float *x, float *y, int64_t C, int64_t HW,
                               const float *scale, const float *bias, float eps,
                               int64_t r0, int64_t r1);

/* LRN over channels of (N, C, HW), rows = n*C + c:
 *   sq = sum_{i = max(0, c - floor((size-1)/2))}^{min(C-1, c + ceil((size-1)/2))} x[n,i,p]^2
 *   y[n,c,p] = x[n,c,p] / (bias + alpha / size * sq)^beta */
void mote_lrn_f32_ref(const float *x, float *y, int64_t C, int64_t HW, int64_t size,
                      float alpha, float beta, float bias, int64_t r0, int64_t r1);

/* Lp normalization along the middle axis of (outer, n, inner), p = 1 or 2:
 *   y[o,j,i] = x[o,j,i] / (sum_k |x[o,k,i]|^p)^(1/p)   (0 where the norm is 0) */
void mote_lpnorm_f32_ref(const float *x, float *y, int64_t n, int64_t inner, int p,
                         int64_t r0, int64_t r1);

/* -------------------------------------------------------- quantize_ref.c */

/*
 * Quantize, element e with channel ch = (e / inner) % C (C = 1: per tensor):
 *   q = saturate(round_half_even(x / scale[ch]) + zp[ch])  to u8 [0,255] or i8 [-128,127]
 * zp may be NULL (0). y is uint8_t or int8_t per is_signed.
 */
void mote_quantize_f32_ref(const float *x, void *y, int is_signed, const float *scale,
                           const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);
/* Dequantize: y = (x - zp[ch]) * scale[ch]; x is u8, i8 or i32 (t). */
void mote_dequantize_ref(const void *x, mote_num t, float *y, const float *scale,
                         const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);
/* mote_dequantize_ref of u8 (is_signed 0) or i8 data: the kernel table's
 * dequantize_8 */
void mote_dequantize8_ref(const void *x, int is_signed, float *y, const float *scale,
                          const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);

/*
 * Integer matrix product, rows m in [m0, m1):
 *   y[m,n] = sum_k (a[m,k] - za[m]) * (b[k,n] - zb[n])   in int32
 * a, b are u8 or i8 (a_signed, b_signed); za (M) and zb (N) per row / column.
 */
void mote_matmul_integer_ref(const void *a, int a_signed, const void *b, int b_signed,
                             const int32_t *za, const int32_t *zb, int32_t *y,
                             int64_t N, int64_t K, int64_t m0, int64_t m1);

/* -------------------------------------------------- conv_transpose_ref.c */

/* 2-D transposed convolution, NCHW, one image (1-D: H = KH = 1). */
typedef struct mote_convt2d_args {
    const float *x;       /* (C, H, W)                 */
    const float *w;       /* (C, OC/groups, KH, KW)    */
    const float *bias;    /* (OC) or NULL              */
    float *y;             /* (OC, OH, OW)              */
    int64_t C, H, W, OC, OH, OW, KH, KW;
    int64_t sh, sw, dh, dw;
    int64_t ph, pw;       /* begin pads                */
    int64_t groups;
} mote_convt2d_args;
/*
 * For output channels oc in [oc0, oc1), with g = oc / (OC/groups):
 *   y[oc, oy, ox] = bias[oc] + sum_{ic in group g, ky, kx}
 *       x[ic, iy, ix] * w[ic, oc - g*OC/groups, ky, kx]
 *   where oy = iy*sh - ph + ky*dh and ox = ix*sw - pw + kx*dw.
 * Computed as a gather over (ky, kx) for each output: iy = (oy + ph - ky*dh) / sh
 * when that divides exactly and lands inside the input.
 */
void mote_convt2d_f32_ref(const mote_convt2d_args *a, int64_t oc0, int64_t oc1);
/*
 * The same output as a sum of two steps: col (OCg*KH*KW rows, H*W columns)
 * = W_g^T x_g for one group g (a GEMM), then col2im adds each column entry
 * at its output position:
 *   y[oc, iy*sh - ph + ky*dh, ix*sw - pw + kx*dw] += col[(oc*KH + ky)*KW + kx, iy*W + ix]
 * for oc in [oc0, oc1) of the group (y, col: the group's first channel),
 * positions outside the output dropped; in (ky, kx, iy, ix) order. y must
 * hold the bias (or zeros) on entry. a->x, a->w, a->y are not read.
 */
void mote_col2im_f32_ref(const mote_convt2d_args *a, const float *col, float *y,
                         int64_t oc0, int64_t oc1);

/* ---------------------------------------------------------- volume_ref.c */

/*
 * 3-D (NCDHW) convolution, transposed convolution and pooling of one image
 * (pooling: C counts images times channels). Spatial arrays are indexed
 * D, H, W. The formulas are at each function in volume_ref.c.
 */
typedef struct mote_vol_args {
    int64_t C, OC, groups;
    int64_t in[3], out[3];          /* input / output D, H, W              */
    int64_t k[3], s[3], d[3];       /* kernel, stride, dilation            */
    int64_t pb[3], pe[3];           /* begin / end pads                    */
    int count_include_pad;          /* AveragePool                         */
    mote_act act;                   /* conv: fused activation              */
    const float *x, *w, *bias;      /* x (C, D, H, W); w, bias: conv       */
    float *y;                       /* (OC or C, OD, OH, OW)               */
} mote_vol_args;

void mote_conv3d_f32_ref(const mote_vol_args *a, int64_t oc0, int64_t oc1);
void mote_vol2col_f32_ref(const mote_vol_args *a, int64_t g, int64_t ic0, int64_t ic1, float *col);
void mote_convt3d_f32_ref(const mote_vol_args *a, int64_t oc0, int64_t oc1);
void mote_col2vol_f32_ref(const mote_vol_args *a, const float *col, float *y,
                          int64_t oc0, int64_t oc1);
void mote_maxpool3d_f32_ref(const mote_vol_args *a, int64_t c0, int64_t c1, int64_t *idx);
void mote_avgpool3d_f32_ref(const mote_vol_args *a, int64_t c0, int64_t c1);

/* ---------------------------------------------------------- resize_ref.c */

/*
 * Separable resampling of a dense f32 tensor of rank nd: per axis d and
 * output position o, taps[d] source indices idx[d][o*taps + t] with weights
 * wt[d][o*taps + t] (idx -1: the position lies outside the source, the
 * output is `extrap`):
 *   y[o_0..o_{nd-1}] = sum over tap tuples (t_0..) of prod_d wt[d][o_d,t_d] *
 *                      x[idx[0][o_0,t_0], .., idx[nd-1][o_{nd-1},t_{nd-1}]]
 * Nearest is one tap of weight 1, linear two, cubic four. Rows are over
 * the last output dim.
 */
void mote_resize_f32_ref(const float *x, float *y, int nd, const int64_t *in,
                         const int64_t *out, const int *taps, const int64_t *const *idx,
                         const float *const *wt, float extrap, int64_t r0, int64_t r1);
/* One output row of the two-axis case: see mote_resize_row_args (kernels.h). */
void mote_resize_row_f32_ref(const mote_resize_row_args *a);
/* Its positions [o0, o1) only (what the table kernels leave to it). */
void mote_resize_row_range_f32_ref(const mote_resize_row_args *a, int64_t o0, int64_t o1);

/* ------------------------------------------------------------- rnn_ref.c */

/* One direction of an LSTM or GRU over a whole sequence (see rnn_ref.c). */
typedef struct mote_rnn_args {
    int64_t T, H, I;          /* steps, hidden size, input size               */
    const float *x;           /* x[t, b, :] at x + t*xs_t + b*xs_b            */
    int64_t xs_t, xs_b;
    const float *w;           /* (G*H, I)  input weights, G = 4 (iofc) or 3 (zrh) */
    const float *r;           /* (G*H, H)  recurrent weights                  */
    const float *wb, *rb;     /* (G*H) each, or NULL                          */
    const float *p;           /* (3H) peepholes i, o, f (LSTM), or NULL       */
    const float *h0, *c0;     /* initial state at h0 + b*ysh_b, or NULL (zeros) */
    const int64_t *lens;      /* (batch) valid steps, or NULL (all T)         */
    float *y;                 /* y[t, b, :] at y + t*ys_t + b*ys_b            */
    int64_t ys_t, ys_b;
    float *yh, *yc;           /* last state: yh + b*ysh_b, yc + b*ysh_b; yc LSTM only */
    int64_t ysh_b;
    int reverse;              /* run t = len-1 .. 0                           */
    float clip;               /* > 0: clip gate pre-activations to [-clip, clip] */
    int linear_before_reset;  /* GRU                                          */
    /* Optional: a table's matvec_f32 (kernel_list.h). When set, the sums
     * W x and R h of the sigmoid gates (LSTM: all four) are two matvec calls
     * (into the gates and into rh, G*H floats of scratch), then the biases
     * are added: the same values up to rounding (the order differs). NULL:
     * the sums below, term by term. */
    void (*matvec)(int64_t K, const float *W, int64_t n0, int64_t n1, const float *x, float *y);
    float *rh;
} mote_rnn_args;

/*
 * LSTM (default activations f = sigmoid, g = h = tanh), batch rows b in [b0, b1):
 *   i = f(W_i x + R_i h + P_i . c + Wb_i + Rb_i)
 *   f = f(W_f x + R_f h + P_f . c + Wb_f + Rb_f)
 *   u = g(W_c x + R_c h + Wb_c + Rb_c)
 *   c' = f . c + i . u
 *   o = f(W_o x + R_o h + P_o . c' + Wb_o + Rb_o)
 *   h' = o . h(c')
 * Steps t >= lens[b] write zeros to y and keep the state. tmp holds 5H floats.
 */
void mote_lstm_f32_ref(const mote_rnn_args *a, float *tmp, int64_t b0, int64_t b1);
/*
 * GRU (f = sigmoid, g = tanh):
 *   z = f(W_z x + R_z h + Wb_z + Rb_z),  r = f(W_r x + R_r h + Wb_r + Rb_r)
 *   n = g(W_h x + R_h (r . h) + Rb_h + Wb_h)          linear_before_reset = 0
 *   n = g(W_h x + r . (R_h h + Rb_h) + Wb_h)          linear_before_reset = 1
 *   h' = (1 - z) . n + z . h
 * tmp holds 4H floats.
 */
void mote_gru_f32_ref(const mote_rnn_args *a, float *tmp, int64_t b0, int64_t b1);

/* ---------------------------------------------------------- einsum_ref.c */

/*
 * Einsum over up to two operands, after the op has given every letter an
 * index l < nl with size sz[l]: operand k's element at letter indices v is
 * at sum_l v[l] * st[k][l] (a repeated letter has the sum of its strides,
 * which takes the diagonal). The output has letters 0..no-1 (dense, in
 * that order); letters no..nl-1 are summed:
 *   y[v_0..v_{no-1}] = sum_{v_no..v_{nl-1}} prod_k x_k[v . st[k]]
 * Output elements e in [e0, e1).
 */
void mote_einsum_f32_ref(int nops, const float *const *x, const int64_t *const *st,
                         int nl, int no, const int64_t *sz, float *y, int64_t e0, int64_t e1);

#endif
