/*
 * neon.h — the NEON (AArch64 Advanced SIMD) kernels, one declaration per
 * entry they fill in mote_general_kernels_neon (arch/arm/neon/neon_table.c).
 *
 * Names carry the ISA, and the tile for GEMM microkernels
 * (mote_gemm_f32_8x12_neon: 8 rows x 12 columns of C per step). Each has
 * the signature, and is tested against, the reference kernel of the same
 * entry (kernels/ref.h). This header is not installed; entries the NEON
 * table leaves NULL (log, pow, the general convolution) use the reference.
 */
#ifndef MOTE_NEON_H
#define MOTE_NEON_H

#include "kernels.h"

/* elementwise_neon.c: unary, indexed by mote_unary_op */
void mote_relu_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_leaky_relu_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sigmoid_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_tanh_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_gelu_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_gelu_tanh_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_exp_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_sqrt_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_clip_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_hard_sigmoid_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_hard_swish_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_neg_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_abs_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_reciprocal_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_erf_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);
void mote_silu_f32_neon(int64_t n, const float *x, float *y, float alpha, float beta);

/* elementwise_neon.c: binary, indexed by mote_binary_op */
void mote_add_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_sub_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_mul_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_div_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_max_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);
void mote_min_f32_neon(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y);

/* elementwise_neon.c: fused activation in place */
void mote_act_f32_neon(int64_t n, float *x, mote_act act);

/* gemm_neon.c */
void mote_gemm_f32_8x12_neon(const mote_gemm_args *a);
int64_t mote_gemm_nr_8x12_neon(void);
size_t mote_gemm_pack_b_bytes_8x12_neon(int64_t K, int64_t N);
void mote_gemm_pack_b_8x12_neon(int64_t K, int64_t N, const float *B, int64_t ldb,
                                int trans_b, void *Bp);
size_t mote_gemm_scratch_bytes_8x12_neon(int64_t M, int64_t K);
void mote_gemm_packed_f32_8x12_neon(const mote_gemm_packed_args *a);

/* conv_neon.c */
void mote_conv2d_dw3x3_f32_neon(const mote_conv2d_args *a);
void mote_im2col_f32_neon(const mote_conv2d_args *a, int64_t g, float *col);

/* winograd_neon.c: Winograd F(2x2,3x3) input and output transforms */
void mote_winograd_in_f32_neon(const mote_winograd_args *a);
void mote_winograd_out_f32_neon(const mote_winograd_args *a);

/* pool_neon.c */
void mote_maxpool2d_f32_neon(const mote_pool2d_args *a);
void mote_avgpool2d_f32_neon(const mote_pool2d_args *a);
void mote_global_avgpool_f32_neon(int64_t C, int64_t HW, const float *x, float *y);
void mote_global_maxpool_f32_neon(int64_t C, int64_t HW, const float *x, float *y);

/* norm_neon.c */
void mote_softmax_f32_neon(int64_t rows, int64_t n, const float *x, float *y, int log);
void mote_layernorm_f32_neon(int64_t rows, int64_t n, const float *x,
                             const float *gamma, const float *beta, float eps, float *y);
void mote_rmsnorm_f32_neon(int64_t rows, int64_t n, const float *x,
                           const float *gamma, float eps, float *y);
void mote_channel_affine_f32_neon(int64_t C, int64_t HW, const float *x,
                                  const float *scale, const float *shift, float *y);

/* qint_neon.c: 8-bit quantized kernels (kernels/qint.h) */
void mote_qconv2d_neon(const mote_qconv2d_args *a);
void mote_qbinary_neon(const mote_qbinary_params *p, const void *a, const void *b, void *y,
                       int64_t e0, int64_t e1);
void mote_qlut_neon(const uint8_t *table, const uint8_t *x, uint8_t *y, int64_t e0, int64_t e1);
void mote_quantize_f32_neon(const float *x, void *y, int is_signed, const float *scale,
                            const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);
void mote_dequantize_8_neon(const void *x, int is_signed, float *y, const float *scale,
                            const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1);

/* move_neon.c */
void mote_transpose_32_neon(int64_t R, int64_t C, const uint32_t *x, int64_t ldx, uint32_t *y,
                            int64_t ldy);
void mote_resize_row_f32_neon(const mote_resize_row_args *a);

#endif
