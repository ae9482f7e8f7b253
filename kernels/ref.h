/*
 * ref.h — the portable reference kernels, one declaration per entry of
 * mote_kernels_ref (kernels/ref_table.c).
 *
 * These are the specification: plain C loops, the formula in a comment at
 * each definition, no threads, no SIMD, only libc and libm. Tests of the
 * fast tables (arch/) compare against these functions. This header is not
 * installed and declares nothing but kernels.
 */
#ifndef MOTE_KERNELS_REF_H
#define MOTE_KERNELS_REF_H

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

/* elementwise_ref.c: fused activation in place (mote_act_apply_ref is in kernels.h) */
void mote_act_f32_ref(int64_t n, float *x, mote_act act);

/* gemm_ref.c */
void mote_gemm_f32_ref(const mote_gemm_args *a);
float mote_dot_f32_ref(int64_t n, const float *a, const float *b);

/* conv_ref.c */
void mote_conv2d_f32_ref(const mote_conv2d_args *a);
void mote_conv2d_dw3x3_f32_ref(const mote_conv2d_args *a);
void mote_conv2d_dw_f32_ref(const mote_conv2d_args *a);
void mote_im2col_f32_ref(const mote_conv2d_args *a, int64_t g, float *col);

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

#endif
