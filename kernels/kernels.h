/*
 * kernels.h — one signature per computation, and the kernel table.
 *
 * A kernel sees arrays and sizes, never a graph, a node or a thread pool.
 * The entries are listed once, in kernel_list.h; the reference table (the
 * files in kernels/) holds the simplest correct loop for each entry, with
 * the math in a comment: it is the specification. Each target in arch/
 * fills sub-tables with the same signatures; a NULL entry falls back to the
 * reference (see mote_cpu_kernels in src/runtime/cpu.c).
 *
 * Threading is the caller's business: kernels are called on sub-ranges
 * (rows, columns, channels) by the op layer, so every kernel must compute
 * an element of its output from the same operands in the same order
 * whatever range it is given. That is what makes results bit-identical for
 * any thread count.
 */
#ifndef MOTE_KERNELS_H
#define MOTE_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "qint.h"

/* ------------------------------------------------------------ activations */

/* A fused activation, applied elementwise after a GEMM/conv epilogue. */
typedef enum mote_act_kind {
    MOTE_ACT_NONE = 0,
    MOTE_ACT_RELU,          /* max(x, 0)                                  */
    MOTE_ACT_LEAKY_RELU,    /* x >= 0 ? x : alpha*x                       */
    MOTE_ACT_CLIP,          /* min(max(x, alpha), beta)                   */
    MOTE_ACT_SIGMOID,       /* 1 / (1 + exp(-x))                          */
    MOTE_ACT_TANH,          /* tanh(x)                                    */
    MOTE_ACT_HARD_SIGMOID,  /* max(0, min(1, alpha*x + beta))             */
    MOTE_ACT_HARD_SWISH,    /* x * max(0, min(1, x/6 + 1/2))              */
    MOTE_ACT_GELU,          /* 0.5 x (1 + erf(x / sqrt 2))                */
    MOTE_ACT_COUNT
} mote_act_kind;

typedef struct mote_act {
    mote_act_kind kind;
    float alpha, beta;
} mote_act;

/* ------------------------------------------------------------- elementwise */

/* y[i] = f(x[i]); alpha/beta parameterize some functions (noted). */
typedef enum mote_unary_op {
    MOTE_UN_RELU = 0,
    MOTE_UN_LEAKY_RELU,     /* alpha                                      */
    MOTE_UN_SIGMOID,
    MOTE_UN_TANH,
    MOTE_UN_GELU,           /* exact (erf) form                           */
    MOTE_UN_GELU_TANH,      /* 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))    */
    MOTE_UN_EXP,
    MOTE_UN_SQRT,
    MOTE_UN_CLIP,           /* alpha=min, beta=max                        */
    MOTE_UN_HARD_SIGMOID,   /* alpha, beta                                */
    MOTE_UN_HARD_SWISH,
    MOTE_UN_NEG,
    MOTE_UN_ABS,
    MOTE_UN_RECIPROCAL,
    MOTE_UN_LOG,
    MOTE_UN_ERF,
    MOTE_UN_SILU,           /* x * sigmoid(x)                             */
    /* rounding, sign and the exponential family (kernels/elementwise_ref.c) */
    MOTE_UN_FLOOR,          /* floor(x)                                   */
    MOTE_UN_CEIL,           /* ceil(x)                                    */
    MOTE_UN_ROUND,          /* nearest integer, halves to even            */
    MOTE_UN_SIGN,           /* -1, 0 or 1 (NaN stays NaN)                 */
    MOTE_UN_ELU,            /* x > 0 ? x : alpha (e^x - 1)                */
    MOTE_UN_SELU,           /* beta (x > 0 ? x : alpha (e^x - 1)); beta = gamma */
    MOTE_UN_SOFTPLUS,       /* ln(1 + e^x)                                */
    MOTE_UN_MISH,           /* x tanh(ln(1 + e^x))                        */
    MOTE_UN_SIN,            /* sin(x), x in radians                       */
    MOTE_UN_COS,            /* cos(x), x in radians                       */
    MOTE_UN_COUNT
} mote_unary_op;

typedef void (*mote_unary_f32_fn)(int64_t n, const float *x, float *y,
                                  float alpha, float beta);

/* y[i] = a[i*sa] OP b[i*sb]; sa, sb are 1 (vector) or 0 (broadcast scalar). */
typedef enum mote_binary_op {
    MOTE_BIN_ADD = 0,
    MOTE_BIN_SUB,
    MOTE_BIN_MUL,
    MOTE_BIN_DIV,
    MOTE_BIN_MAX,
    MOTE_BIN_MIN,
    MOTE_BIN_POW,
    MOTE_BIN_PRELU,         /* a < 0 ? b a : a (b: the slope)             */
    MOTE_BIN_COUNT
} mote_binary_op;

typedef void (*mote_binary_f32_fn)(int64_t n, const float *a, int64_t sa,
                                   const float *b, int64_t sb, float *y);

/* ------------------------------------------------------------------ GEMM */

/*
 * C[m,n] = act( alpha * sum_k A[m,k] B[k,n] + beta * C[m,n] + bias )
 *   A is M x K (row-major, lda), or K x M if trans_a;
 *   B is K x N (row-major, ldb), or N x K if trans_b;
 *   bias: NULL, or bias[n] (bias_per_row = 0), or bias[m] (bias_per_row = 1).
 */
typedef struct mote_gemm_args {
    int64_t M, N, K;
    const float *A; int64_t lda; int trans_a;
    const float *B; int64_t ldb; int trans_b;
    float *C; int64_t ldc;
    float alpha, beta;
    const float *bias; int bias_per_row;
    mote_act act;
} mote_gemm_args;

/*
 * Packed GEMM (fast targets): B is constant (a weight), packed once at
 * session creation into the target's layout, then C[m0:m1, n0:n1] is
 * computed from A and the packed B. alpha = 1, beta = 0 (bias and act
 * still apply). n0 must be a multiple of gemm_nr(). scratch holds
 * gemm_scratch_bytes(M, K) bytes (per call, e.g. a packed A panel; M is
 * the most rows one call gets, so a small-M path can ask for none).
 * trans_a: A is stored transposed, element (m, k) at A[k*lda + m] (a
 * convolution's im2col matrix read as pixels x taps); M must then be more
 * than 8 (callers pass such A only for larger M; targets may read it
 * through their tiled path only).
 */
typedef struct mote_gemm_packed_args {
    int64_t M, N, K;
    const float *A; int64_t lda; int trans_a;
    const void *Bp;                 /* packed B, from gemm_pack_b */
    float *C; int64_t ldc;
    const float *bias; int bias_per_row;
    mote_act act;
    int64_t m0, m1, n0, n1;
    void *scratch;
} mote_gemm_packed_args;

/*
 * Packed-A GEMM (fast targets): A is constant (e.g. convolution weights,
 * OC x K), packed once by gemm_pack_a; B (K x N, row-major, ldb) is given
 * per call. Computes C[m0:m1, n0:n1] = act(A B + bias); m0 must be a
 * multiple of gemm_mr(). scratch holds gemm_packed_a_scratch_bytes(N, K)
 * bytes (a packed block of B).
 */
typedef struct mote_gemm_packed_a_args {
    int64_t M, N, K;
    const void *Ap;                 /* packed A, from gemm_pack_a */
    const float *B; int64_t ldb;    /* (K, N) */
    float *C; int64_t ldc;          /* (M, N) */
    const float *bias; int bias_per_row;
    mote_act act;
    int64_t m0, m1, n0, n1;
    void *scratch;
} mote_gemm_packed_a_args;

/* ----------------------------------------------------------- convolution */

/*
 * 2-D convolution, NCHW, one image:
 *   y[oc, oy, ox] = act( bias[oc] + sum_{ic in group(oc), ky, kx}
 *       w[oc, ic - g0, ky, kx] * x[ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw] )
 * where out-of-image x is 0 and g0 is the first input channel of oc's group.
 * Only output channels [oc0, oc1) are computed (threading by channel);
 * the depthwise entries (conv2d_dw3x3_f32, conv2d_dw_f32) compute only
 * output rows [oy0, oy1) of those channels when oy1 > 0.
 */
/* the largest depthwise kernel side conv2d_dw_f32 takes */
#define MOTE_DW_MAXK 7

typedef struct mote_conv2d_args {
    int64_t C, H, W;              /* input channels, height, width       */
    int64_t OC, OH, OW;           /* output                              */
    int64_t KH, KW;
    int64_t sh, sw, ph, pw, dh, dw;  /* stride, pad (top/left), dilation */
    int64_t groups;
    const float *x;               /* (C, H, W)                           */
    const float *w;               /* (OC, C/groups, KH, KW)              */
    const float *bias;            /* (OC) or NULL                        */
    float *y;                     /* (OC, OH, OW)                        */
    mote_act act;
    int64_t oc0, oc1;
    int64_t oy0, oy1;             /* the depthwise entries: output rows
                                     [oy0, oy1) of each channel, 0 <= oy0
                                     < oy1 <= OH; oy1 = 0: all OH rows    */
} mote_conv2d_args;

/* The output rows a depthwise call computes (mote_conv2d_args.oy0, oy1):
 * a range splits a large map over threads by rows of every channel, so
 * each core reads the rows the op before it wrote; every output is the
 * same chain of operations whatever the range. */
static inline int64_t mote_dw_row0(const mote_conv2d_args *a) { return a->oy1 > 0 ? a->oy0 : 0; }
static inline int64_t mote_dw_row1(const mote_conv2d_args *a) { return a->oy1 > 0 ? a->oy1 : a->OH; }

/*
 * Winograd F(2x2, 3x3) for 3x3, stride-1, dilation-1 convolution
 * (Lavin & Gray 2015): each 2x2 block of outputs ("tile") comes from a
 * 4x4 patch of input; in the transformed domain a convolution is 16
 * independent matrix products U_xi (OC x C) V_xi (C x T), xi = 4i + j.
 * The kernels take the tile rows ty0 .. ty0 + TH - 1 of the image (a
 * block), T = TH * TW tiles, tile t = ty * TW + tx (ty counted from ty0);
 * tile (ty, tx) reads input rows 2(ty0 + ty) - ph .. 2(ty0 + ty) - ph + 3
 * and columns 2tx - pw .. 2tx - pw + 3 (0 outside the image) and writes
 * outputs (2(ty0 + ty) + a, 2tx + b), a, b < 2, those inside the output. The transforms only add and subtract, in the order the
 * reference kernels (kernels/winograd_ref.c) define; every table's
 * kernels give the reference's bits (the activation aside).
 *
 * winograd_in:  src = x (C, H, W) of one image, dst = V (16, C, T):
 *               V[(xi * C + c) * T + t] = (B^T d B)[i][j] for channels [c0, c1)
 * winograd_out: src = M (16, C, T) (the products; C = OC), dst = y (C, H, W)
 *               (H, W: the output's OH, OW): y = act(A^T m A + bias[c]),
 *               channels [c0, c1)
 */
typedef struct mote_winograd_args {
    int64_t C, H, W;              /* channels, the image's height and width */
    int64_t ph, pw;               /* winograd_in: top and left pad          */
    int64_t ty0;                  /* the block's first tile row             */
    int64_t TH, TW;               /* tile rows in the block, tiles across   */
    /* floats from one channel's tiles to the next in the transformed
     * domain (V, M): 0 means TH * TW; larger pads each channel's row of
     * tiles (to whole GEMM panels). winograd_in writes the padding
     * [TH * TW, ldt) of its channels as zeros; winograd_out skips it. */
    int64_t ldt;
    /* floats from one of the 16 matrices (xi) to the next: 0 means
     * C * ldt (a stride of a multiple of 4 KiB puts the 16 stores of a
     * tile in one L1 set: the caller may skew it) */
    int64_t ldx;
    const float *src;
    float *dst;
    const float *bias;            /* winograd_out: (C) or NULL              */
    mote_act act;                 /* winograd_out                           */
    int64_t c0, c1;
} mote_winograd_args;

/* U_xi[oc * C + c] = (G g G^T)[i][j] of g = w[oc, c] (OC, C, 3, 3), xi = 4i + j:
 * one of the 16 transformed weight matrices, OC x C row-major (prepare
 * time; plain C, every table shares it) */
void mote_winograd_f2_weights(int64_t OC, int64_t C, const float *w, int xi, float *U_xi);

/* --------------------------------------------------------------- pooling */

/*
 * Max / average pooling, NCHW, channels [c0, c1) of one image.
 *   max: y = max over the window of in-image x (pads never win)
 *   avg: y = sum / count, count = window size if count_include_pad
 *        (pads within the padded extent counted), else in-image elements
 */
typedef struct mote_pool2d_args {
    int64_t C, H, W, OH, OW;
    int64_t KH, KW, sh, sw, ph, pw, dh, dw;
    int count_include_pad;
    const float *x;   /* (C, H, W)   */
    float *y;         /* (C, OH, OW) */
    int64_t c0, c1;
    /* bottom / right pad: the padded extent is [-ph, H + ph_end) x
     * [-pw, W + pw_end); taps past it (ceil_mode) are never counted */
    int64_t ph_end, pw_end;
} mote_pool2d_args;

/* The taps k < K of a window whose positions b + k d (d >= 1) lie in
 * [lo, hi): k in [*k0, *k1), empty when *k1 == *k0. The pooling kernels
 * loop over these instead of testing every tap, so a window far larger
 * than the image (a hostile model's 2^27 x 2^27 over 5 x 5) costs what
 * its taps inside do. */
static inline void mote_window_taps(int64_t b, int64_t d, int64_t K, int64_t lo, int64_t hi,
                                    int64_t *k0, int64_t *k1)
{
    int64_t first = 0, end = K;
    /* ceil((lo - b) / d) and ceil((hi - b) / d), no division when d = 1
     * (the vector paths call this per block of outputs) */
    if (b < lo)
        first = d == 1 ? lo - b : (lo - b) / d + ((lo - b) % d != 0);
    if (b >= hi) {
        end = 0;
    } else {
        int64_t t = d == 1 ? hi - b : (hi - b) / d + ((hi - b) % d != 0);
        if (t < end) end = t;
    }
    if (first > K) first = K;
    if (end < first) end = first;
    *k0 = first;
    *k1 = end;
}

/* a x b for tap counts, saturating at INT64_MAX (windows past 2^63 taps:
 * an average's float divisor saturates anyway) */
static inline int64_t mote_taps_product(int64_t a, int64_t b)
{
    int64_t n;
    return __builtin_mul_overflow(a, b, &n) ? INT64_MAX : n;
}

/* -------------------------------------------------------------- resizing */

/*
 * One output row of a Resize whose changing axes are two consecutive ones
 * (h, w), with an unchanged block of C contiguous values after them (C = 1:
 * NCHW planes; C > 1: NHWC images). TH source rows, TW taps per output
 * position, the per-position tables planar (tap-major) and made once per
 * session by the op:
 *   y[ow*C + c] = extrap                                 if iw[ow] < 0, else
 *   0.0f + sum over th < TH, tw < TW of w * rows[th][iw[tw*W + ow]*C + c],
 *   w = wh[th] * ww[tw*W + ow], zero w skipped, summed in (th, tw) order,
 * for ow < W: the sums of mote_resize_f32_ref, bit for bit. span (made by
 * mote_resize_row_span) holds for each group of 8 positions [8g, 8g+8) the
 * lowest and highest iw of its taps: fast kernels read a short window of
 * the source row when the positions of a vector lie close together.
 */
typedef struct mote_resize_row_args {
    const float *const *rows;   /* TH source rows, IW * C values each */
    const float *wh;            /* TH row weights                     */
    int TH, TW;                 /* 1..4 each                          */
    const int32_t *iw;          /* TW * W source positions, -1 outside */
    const float *ww;            /* TW * W weights                     */
    const int32_t *span;        /* 2 * ceil(W / 8): lowest, highest   */
    int64_t W, IW, C;
    float extrap;
    float *y;                   /* W * C */
} mote_resize_row_args;

/* span[2g], span[2g+1] = the lowest and highest of iw[tw*W + ow] over
 * tw < TW and ow in [8g, min(8g+8, W)) (plain C; the op and the tests) */
void mote_resize_row_span(const int32_t *iw, int TW, int64_t W, int32_t *span);

/* ------------------------------------------------------------------ table */

#include "llm.h"            /* the LLM entries' block types */
#include "kernel_list.h"

#define MOTE_KERNEL_MEMBER(table, name, ret, params) ret (*name) params;
#define MOTE_KERNEL_MEMBER_ARRAY(table, name, count, ret, params) ret (*name[count]) params;

/* The sub-tables: one function pointer per entry of kernel_list.h. */
typedef struct mote_general_kernels {
    MOTE_KERNELS_GENERAL(MOTE_KERNEL_MEMBER, MOTE_KERNEL_MEMBER_ARRAY)
} mote_general_kernels;

typedef struct mote_llm_kernels {
    MOTE_KERNELS_LLM(MOTE_KERNEL_MEMBER, MOTE_KERNEL_MEMBER_ARRAY)
} mote_llm_kernels;

/*
 * The dispatch struct: everything an op may call, for one ISA. Resolved
 * once per process and ISA by mote_cpu_kernels (src/runtime/cpu.c): every
 * entry a target leaves NULL holds the reference's, so only the optional
 * entries (NULL in the reference too) can be NULL. Ops reach it as
 * c->k / s->k: c->k->general.softmax_f32, c->k->llm.matvec_f32.
 */
typedef struct mote_kernels {
    const char *name;                /* "ref", "avx2", "avx512", "neon" */
    mote_general_kernels general;
    mote_llm_kernels llm;
} mote_kernels;

/* The reference, complete (kernels/ref_table.c). */
extern const mote_kernels mote_kernels_ref;

/* The targets' own sub-tables, NULL where they have no kernel (defined
 * only in builds with that target; src/runtime/cpu.c checks config.h). */
extern const mote_general_kernels mote_general_kernels_avx2;
extern const mote_general_kernels mote_general_kernels_avx512;
extern const mote_general_kernels mote_general_kernels_neon;
extern const mote_llm_kernels mote_llm_kernels_avx2;
extern const mote_llm_kernels mote_llm_kernels_avx512;
extern const mote_llm_kernels mote_llm_kernels_neon;

/* Applies a fused activation to one value (the reference semantics). */
float mote_act_apply_ref(float x, mote_act act);

#endif
