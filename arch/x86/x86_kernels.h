/*
 * x86_kernels.h — the x86 kernels each ISA file exports, for the ISA's
 * table (table_<isa>.c) and for tests and benchmarks that call a specific
 * microkernel. Names carry the tile and the ISA. Declarations only: no
 * intrinsics here, so any file may include it.
 */
#ifndef MOTE_X86_KERNELS_H
#define MOTE_X86_KERNELS_H

#include "kernels.h"

/* The packed SGEMM's cache blocking (gemm_blocking_x86.c): rows of the
 * packed A block (a multiple of MR), the K block, columns of the packed B
 * block of the packed-A path (a multiple of NR); and the data cache sizes
 * in bytes they came from (0: not reported). */
typedef struct mote_x86_gemm_blocking {
    int64_t mc, kc, nc;
    int64_t pf;        /* micro-kernel prefetch distance in k steps (0: none) */
    int pf_c;          /* prefetch the next tile's rows of C */
    int64_t pf_stream; /* the small-M path's prefetch distance in k steps
                          for the B panels it streams (0: none)     */
    long l1d, l2, l3;
    char source[64];   /* "cpuid 4", ..., or "MOTE_GEMM_BLOCKING" */
} mote_x86_gemm_blocking;
void mote_x86_gemm_blocking_for(int64_t mr, int64_t nr, mote_x86_gemm_blocking *b);

#define MOTE_X86_DECLARE_GEMM(G)                                                    \
    const mote_x86_gemm_blocking *G(blocking)(void);                                \
    int64_t G(nr)(void);                                                            \
    size_t G(pack_b_bytes)(int64_t K, int64_t N);                                   \
    void G(pack_b)(int64_t K, int64_t N, const float *B, int64_t ldb, int trans_b, void *Bp); \
    size_t G(scratch_bytes)(int64_t M, int64_t K);                                             \
    void G(packed)(const mote_gemm_packed_args *a);                                 \
    void G(unpacked)(const mote_gemm_args *a);                                      \
    int64_t G(mr)(void);                                                            \
    size_t G(pack_a_bytes)(int64_t M, int64_t K);                                   \
    void G(pack_a)(int64_t M, int64_t K, const float *A, int64_t lda, int trans_a, void *Ap); \
    size_t G(packed_a_scratch_bytes)(int64_t N, int64_t K);                         \
    void G(packed_a)(const mote_gemm_packed_a_args *a);

#define MOTE_X86_DECLARE_EW(E)                                                      \
    void E(relu)(int64_t, const float *, float *, float, float);                    \
    void E(leaky_relu)(int64_t, const float *, float *, float, float);              \
    void E(sigmoid)(int64_t, const float *, float *, float, float);                 \
    void E(tanh)(int64_t, const float *, float *, float, float);                    \
    void E(gelu)(int64_t, const float *, float *, float, float);                    \
    void E(gelu_tanh)(int64_t, const float *, float *, float, float);               \
    void E(exp)(int64_t, const float *, float *, float, float);                     \
    void E(sqrt)(int64_t, const float *, float *, float, float);                    \
    void E(clip)(int64_t, const float *, float *, float, float);                    \
    void E(hard_sigmoid)(int64_t, const float *, float *, float, float);            \
    void E(hard_swish)(int64_t, const float *, float *, float, float);              \
    void E(neg)(int64_t, const float *, float *, float, float);                     \
    void E(abs)(int64_t, const float *, float *, float, float);                     \
    void E(reciprocal)(int64_t, const float *, float *, float, float);              \
    void E(erf)(int64_t, const float *, float *, float, float);                     \
    void E(silu)(int64_t, const float *, float *, float, float);                    \
    void E(add)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(sub)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(mul)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(div)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(max)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(min)(int64_t, const float *, int64_t, const float *, int64_t, float *);  \
    void E(act)(int64_t n, float *x, mote_act act);                                 \
    void E(softmax)(int64_t rows, int64_t n, const float *x, float *y, int log_form); \
    void E(layernorm)(int64_t rows, int64_t n, const float *x, const float *gamma,  \
                      const float *beta, float eps, float *y);                      \
    void E(rmsnorm)(int64_t rows, int64_t n, const float *x, const float *gamma,    \
                    float eps, float *y);                                           \
    void E(channel_affine)(int64_t C, int64_t HW, const float *x, const float *scale, \
                           const float *shift, float *y);                           \
    void E(global_avgpool)(int64_t C, int64_t HW, const float *x, float *y);        \
    void E(global_maxpool)(int64_t C, int64_t HW, const float *x, float *y);

#define MOTE_X86_GEMM512(x) mote_gemm_f32_14x32_##x##_avx512
#define MOTE_X86_GEMM2(x) mote_gemm_f32_6x16_##x##_avx2
#define MOTE_X86_EW512(x) mote_##x##_f32_avx512
#define MOTE_X86_EW2(x) mote_##x##_f32_avx2

MOTE_X86_DECLARE_GEMM(MOTE_X86_GEMM512)
MOTE_X86_DECLARE_GEMM(MOTE_X86_GEMM2)
MOTE_X86_DECLARE_EW(MOTE_X86_EW512)
MOTE_X86_DECLARE_EW(MOTE_X86_EW2)

/* Depthwise convolution and im2col (conv_<isa>.c; AVX-512's depthwise
 * entries in conv_dw_band_avx512.c, over the row path of conv_avx512.c). */
void mote_conv2d_dw3x3_f32_avx512(const mote_conv2d_args *a);
void mote_conv2d_dw3x3_f32_avx2(const mote_conv2d_args *a);
void mote_conv2d_dw_f32_avx512(const mote_conv2d_args *a);
void mote_conv2d_dw_f32_avx2(const mote_conv2d_args *a);
void mote_conv2d_dw3x3_rows_f32_avx512(const mote_conv2d_args *a);
void mote_conv2d_dw_rows_f32_avx512(const mote_conv2d_args *a);
/* convolution by input channel (conv_chan_tmpl.h) */
void mote_conv2d_chan_f32_avx512(const mote_conv2d_args *a, int64_t oy0, int64_t oy1);
void mote_conv2d_chan_f32_avx2(const mote_conv2d_args *a, int64_t oy0, int64_t oy1);
/* 8-bit quantized convolution (qint_tmpl.h) */
void mote_qconv2d_avx512(const mote_qconv2d_args *a);
void mote_qconv2d_avx2(const mote_qconv2d_args *a);
/* quantized Add / Sub / Mul (qint_tmpl.h) */
void mote_qbinary_avx512(const mote_qbinary_params *p, const void *a, const void *b, void *y, int64_t e0,
                         int64_t e1);
void mote_qbinary_avx2(const mote_qbinary_params *p, const void *a, const void *b, void *y, int64_t e0,
                       int64_t e1);
size_t mote_qconv2d_pack_bytes_avx512(const mote_qconv2d_args *a);
void mote_qconv2d_pack_avx512(const mote_qconv2d_args *a, void *wp);
size_t mote_qconv2d_packed_scratch_bytes_avx512(const mote_qconv2d_args *a);
void mote_qconv2d_packed_avx512(const mote_qconv2d_packed_args *pa);
/* the depthwise case (one input channel per group) of mote_qconv2d_avx512,
 * in a.scratch of mote_qconv2d_dw_scratch_bytes_avx512(a) bytes; 0: a shape
 * it leaves to the general kernel (or no scratch) */
int mote_qconv2d_dw_avx512(const mote_qconv2d_args *a);
size_t mote_qconv2d_dw_scratch_bytes_avx512(const mote_qconv2d_args *a);
size_t mote_qconv2d_scratch_bytes_avx512(const mote_qconv2d_args *a);
void mote_quantize_f32_avx512(const float *x, void *y, int is_signed, const float *scale,
                              const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);
void mote_dequantize_8_avx512(const void *x, int is_signed, float *y, const float *scale,
                              const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);
void mote_im2col_f32_avx512(const mote_conv2d_args *a, int64_t g, float *col);
void mote_im2col_f32_avx2(const mote_conv2d_args *a, int64_t g, float *col);
/* Winograd F(2x2,3x3) transforms (winograd_<isa>.c). */
void mote_winograd_in_f32_avx512(const mote_winograd_args *a);
void mote_winograd_out_f32_avx512(const mote_winograd_args *a);
void mote_winograd_in_f32_avx2(const mote_winograd_args *a);
void mote_winograd_out_f32_avx2(const mote_winograd_args *a);

/* 2-D max and average pooling windows (pool_<isa>.c). */
void mote_maxpool2d_f32_avx512(const mote_pool2d_args *a);
void mote_maxpool2d_f32_avx2(const mote_pool2d_args *a);
void mote_avgpool2d_f32_avx512(const mote_pool2d_args *a);
void mote_avgpool2d_f32_avx2(const mote_pool2d_args *a);

/* One output row of a two-axis Resize (resize_<isa>.c). */
void mote_resize_row_f32_avx512(const mote_resize_row_args *a);
void mote_resize_row_f32_avx2(const mote_resize_row_args *a);
/* 2-D transpose of 4-byte elements (transpose_<isa>.c). */
void mote_transpose_32_avx512(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                              int64_t ldy);
void mote_transpose_32_avx2(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                            int64_t ldy);

/* Register-only FMA loops for measuring peak (peak_<isa>.c): iters * 24
 * 24 chains * VLEN lanes * 2 flops; the result only defeats dead-code removal. */
float mote_fma_loop_avx512(int64_t iters);
float mote_fma_loop_avx2(int64_t iters);
/* streaming read probe (peak_avx512.c): see there */
float mote_read_loop_avx512(const void *buf, size_t bytes, int streams, size_t pf);

#endif
