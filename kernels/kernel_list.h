/*
 * kernel_list.h — every entry of the kernel dispatch struct, declared once.
 *
 * Each sub-table is a list of entries, one line each:
 *   X(table, name, return type, (parameters))          one function
 *   A(table, name, count, return type, (parameters))   an array of them,
 *                                                       indexed by an enum
 * From these lists come the structs (kernels.h), the resolution that
 * fills an entry a target leaves NULL with the reference's
 * (src/runtime/cpu.c), and the kernel test that runs every entry of every
 * table against the reference (tests/test_kernels.c, which must define a
 * check_<table>_<name> for each line: a new entry without a test does not
 * compile). The comment above an entry is its contract; the reference
 * kernel in kernels/ is its specification.
 *
 * Entries that are NULL in the reference too are optional fast paths
 * (the packed GEMMs, the packed quantized matmul): callers test them.
 */
#ifndef MOTE_KERNEL_LIST_H
#define MOTE_KERNEL_LIST_H

/* ------------------------------------------------------------ general */
#define MOTE_KERNELS_GENERAL(X, A)                                                     \
    /* y[i] = f(x[i]) for f = mote_unary_op (alpha, beta: see the enum) */             \
    A(general, unary_f32, MOTE_UN_COUNT, void,                                         \
      (int64_t n, const float *x, float *y, float alpha, float beta))                  \
    /* y[i] = a[i*sa] OP b[i*sb], OP = mote_binary_op; sa, sb are 0 or 1 */            \
    A(general, binary_f32, MOTE_BIN_COUNT, void,                                       \
      (int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y))   \
    /* x[i] = act(x[i]) in place */                                                    \
    X(general, act_f32, void, (int64_t n, float *x, mote_act act))                     \
    /* GEMM, unpacked (mote_gemm_args) */                                              \
    X(general, gemm_f32, void, (const mote_gemm_args *a))                              \
    /* Packed-B GEMM (mote_gemm_packed_args): all five or none */                      \
    X(general, gemm_nr, int64_t, (void))                                               \
    X(general, gemm_pack_b_bytes, size_t, (int64_t K, int64_t N))                      \
    X(general, gemm_pack_b, void,                                                      \
      (int64_t K, int64_t N, const float *B, int64_t ldb, int trans_b, void *Bp))      \
    X(general, gemm_scratch_bytes, size_t, (int64_t M, int64_t K))                     \
    X(general, gemm_packed_f32, void, (const mote_gemm_packed_args *a))                \
    /* Packed-A GEMM (mote_gemm_packed_a_args): all five or none */                    \
    X(general, gemm_mr, int64_t, (void))                                               \
    X(general, gemm_pack_a_bytes, size_t, (int64_t M, int64_t K))                      \
    X(general, gemm_pack_a, void,                                                      \
      (int64_t M, int64_t K, const float *A, int64_t lda, int trans_a, void *Ap))      \
    X(general, gemm_packed_a_scratch_bytes, size_t, (int64_t N, int64_t K))            \
    X(general, gemm_packed_a_f32, void, (const mote_gemm_packed_a_args *a))            \
    /* direct convolution, any shape (mote_conv2d_args) */                             \
    X(general, conv2d_f32, void, (const mote_conv2d_args *a))                          \
    /* depthwise 3x3 (groups == C == OC, KH = KW = 3, dilation 1) */                   \
    X(general, conv2d_dw3x3_f32, void, (const mote_conv2d_args *a))                    \
    /* depthwise up to MOTE_DW_MAXK square (groups == C == OC, dilation 1) */          \
    X(general, conv2d_dw_f32, void, (const mote_conv2d_args *a))                       \
    /* one group by input channel, y = act(((s_0 + s_1) + ...) + bias), each s_c     \
     * one fma chain over channel c's taps: output rows [oy0, oy1) of channels      \
     * [oc0, oc1) (kernels/conv_chan_ref.c) */                                       \
    X(general, conv2d_chan_f32, void, (const mote_conv2d_args *a, int64_t oy0, int64_t oy1)) \
    /* im2col of group g: col[(ic*KH+ky)*KW+kx][oy*OW+ox] */                           \
    X(general, im2col_f32, void, (const mote_conv2d_args *a, int64_t g, float *col))   \
    /* Winograd F(2x2,3x3) input and output transforms (mote_winograd_args) */       \
    X(general, winograd_in_f32, void, (const mote_winograd_args *a))                   \
    X(general, winograd_out_f32, void, (const mote_winograd_args *a))                  \
    /* 8-bit convolution / fully connected (mote_qconv2d_args, qint.h) */              \
    X(general, qconv2d, void, (const mote_qconv2d_args *a))                            \
    /* the scratch a call of qconv2d needs in a.scratch (0: none); it depends  \
     * on the geometry only, not on a's data or channel range */                 \
    X(general, qconv2d_scratch_bytes, size_t, (const mote_qconv2d_args *a))        \
    /* QuantizeLinear f32 -> u8/i8 and DequantizeLinear u8/i8 -> f32 (ref.h's   \
     * mote_quantize_f32_ref / mote_dequantize_ref), elements [e0, e1) */            \
    X(general, quantize_f32, void, (const float *x, void *y, int is_signed,          \
                                    const float *scale, const int32_t *zp, int64_t C, \
                                    int64_t inner, int64_t e0, int64_t e1))          \
    X(general, dequantize_8, void, (const void *x, int is_signed, float *y,          \
                                    const float *scale, const int32_t *zp, int64_t C, \
                                    int64_t inner, int64_t e0, int64_t e1))          \
    /* packed-weight 8-bit convolution, group 1 (qint.h): all four or none */     \
    X(general, qconv2d_pack_bytes, size_t, (const mote_qconv2d_args *a))             \
    X(general, qconv2d_pack, void, (const mote_qconv2d_args *a, void *wp))             \
    X(general, qconv2d_packed_scratch_bytes, size_t, (const mote_qconv2d_args *a))     \
    X(general, qconv2d_packed, void, (const mote_qconv2d_packed_args *pa))             \
    /* 8-bit add / sub / mul with requantization, elements [e0, e1) */                 \
    X(general, qbinary, void, (const mote_qbinary_params *p, const void *a,            \
                               const void *b, void *y, int64_t e0, int64_t e1))        \
    /* 8-bit average pooling (mote_qpool2d_args) */                                    \
    X(general, qavgpool2d, void, (const mote_qpool2d_args *a))                         \
    /* y[e] = table[x[e]] for e in [e0, e1): logistic, tanh, hard-swish in 8 bits */   \
    X(general, qlut, void, (const uint8_t *table, const uint8_t *x, uint8_t *y,        \
                            int64_t e0, int64_t e1))                                   \
    /* 2-D max / average pooling windows (mote_pool2d_args) */                         \
    X(general, maxpool2d_f32, void, (const mote_pool2d_args *a))                       \
    X(general, avgpool2d_f32, void, (const mote_pool2d_args *a))                       \
    /* y[c] = mean over hw of x[c, :] for c in [0, C) */                               \
    X(general, global_avgpool_f32, void, (int64_t C, int64_t HW, const float *x, float *y)) \
    /* y[c] = max over hw of x[c, :]; NaN never wins, a row of only NaN gives -inf */  \
    X(general, global_maxpool_f32, void, (int64_t C, int64_t HW, const float *x, float *y)) \
    /* rows of length n: softmax (log_softmax if log != 0) */                          \
    X(general, softmax_f32, void,                                                      \
      (int64_t rows, int64_t n, const float *x, float *y, int log))                    \
    /* y = (x - mean) / sqrt(var + eps) * gamma + beta per row; gamma, beta may be NULL */ \
    X(general, layernorm_f32, void, (int64_t rows, int64_t n, const float *x,          \
                                     const float *gamma, const float *beta, float eps, float *y)) \
    /* y = x / sqrt(mean(x^2) + eps) * gamma per row of n; gamma may be NULL (1) */    \
    X(general, rmsnorm_f32, void, (int64_t rows, int64_t n, const float *x,            \
                                   const float *gamma, float eps, float *y))           \
    /* y[c, i] = x[c, i] * scale[c] + shift[c], C channels of HW */                    \
    X(general, channel_affine_f32, void, (int64_t C, int64_t HW, const float *x,       \
                                          const float *scale, const float *shift, float *y)) \
    /* one output row of a two-axis Resize (mote_resize_row_args) */                   \
    X(general, resize_row_f32, void, (const mote_resize_row_args *a))                  \
    /* y[r*ldy + c] = x[c*ldx + r] for r < R, c < C: a 2-D transpose of     \
     * 4-byte elements (any dtype of that size; bits are moved, not read) */           \
    X(general, transpose_32, void, (int64_t R, int64_t C, const uint32_t *x,          \
                                    int64_t ldx, uint32_t *y, int64_t ldy))

/* ---------------------------------------------------------------- LLM */
/* Block formats and the packed layout: kernels/llm.h. */
#define MOTE_KERNELS_LLM(X, A)                                                         \
    /* Rotary embedding of one row in place: for head h, pair j < hs/2,             \
     * angle = pos * theta^(-2j/hs), (x0, x1) = (x[h*hs+2j], x[h*hs+2j+1])            \
     * -> (x0 cos - x1 sin, x0 sin + x1 cos) */                                        \
    X(llm, rope_f32, void, (int64_t n_heads, int64_t hs, int64_t pos, float theta, float *x)) \
    /* y[n - n0] = sum_k W[n, k] x[k] for n in [n0, n1); W is (N, K) */                \
    X(llm, matvec_f32, void, (int64_t K, const float *W, int64_t n0, int64_t n1,       \
                              const float *x, float *y))                               \
    /* as matvec_f32 with W in IEEE half */                                            \
    X(llm, matvec_f16, void, (int64_t K, const uint16_t *W, int64_t n0, int64_t n1,    \
                              const float *x, float *y))                               \
    /* y[i] = a[i] * sigmoid(a[i]) * b[i] */                                           \
    X(llm, swiglu_f32, void, (int64_t n, const float *a, const float *b, float *y))    \
    /* One head over n cached rows j of k and v (row stride ld):                       \
     * s[j] = scale (q . k_j), p = softmax(s), y[0:hs] = sum_j p_j v_j;                \
     * s: scratch of n floats */                                                       \
    X(llm, attend_f32, void, (int64_t n, int64_t hs, const float *q, const float *k,   \
                              const float *v, int64_t ld, float scale, float *s, float *y)) \
    /* K values -> K/32 activation blocks of 8 / 16 bits */                            \
    X(llm, quantize_q8a, void, (int64_t K, const float *x, mote_q8a_block *out))       \
    X(llm, quantize_q16a, void, (int64_t K, const float *x, mote_q16a_block *out))     \
    /* y[m*ldy + n] = sum_k W[n, k] x[m, k], m < M, n in [n0, n1); W: q8_0 rows,       \
     * x: q16 blocks (resp. q4_0 rows and q8 blocks) */                                \
    X(llm, matmul_q8_0, void, (int64_t M, int64_t K, const mote_q16a_block *x,         \
                               const uint8_t *W, int64_t n0, int64_t n1, float *y, int64_t ldy)) \
    X(llm, matmul_q4_0, void, (int64_t M, int64_t K, const mote_q8a_block *x,          \
                               const uint8_t *W, int64_t n0, int64_t n1, float *y, int64_t ldy)) \
    /* Optional (NULL in the reference): the same as matmul_q8_0 / q4_0 from           \
     * weights packed by mote_qpack16 */                                               \
    X(llm, matmul_qpacked, void, (mote_wtype t, int64_t M, int64_t K, const void *x,   \
                                  const void *Wp, int64_t n0, int64_t n1, float *y, int64_t ldy))

/* Every entry of every sub-table. */
#define MOTE_KERNEL_LIST(X, A) MOTE_KERNELS_GENERAL(X, A) MOTE_KERNELS_LLM(X, A)

#endif
