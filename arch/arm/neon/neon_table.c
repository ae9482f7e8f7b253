/*
 * neon_table.c — the NEON general kernel table, mote_general_kernels_neon (AArch64 only;
 * ASIMD is part of the base architecture there, so no per-file flags).
 *
 * NULL entries fall back to the reference when src/runtime/cpu.c resolves the
 * table: log and pow (libm's own), and the general direct convolution
 * (the op layer sends large convolutions through im2col + GEMM), the packed-weight
 * 8-bit convolution (optional; the 8-bit convolution itself is NEON's,
 * qint_neon.c) and 8-bit average pooling. This
 * file holds no code, only the table.
 */
#include "neon.h"

const mote_general_kernels mote_general_kernels_neon = {
    .unary_f32 = {
        [MOTE_UN_RELU] = mote_relu_f32_neon,
        [MOTE_UN_LEAKY_RELU] = mote_leaky_relu_f32_neon,
        [MOTE_UN_SIGMOID] = mote_sigmoid_f32_neon,
        [MOTE_UN_TANH] = mote_tanh_f32_neon,
        [MOTE_UN_GELU] = mote_gelu_f32_neon,
        [MOTE_UN_GELU_TANH] = mote_gelu_tanh_f32_neon,
        [MOTE_UN_EXP] = mote_exp_f32_neon,
        [MOTE_UN_SQRT] = mote_sqrt_f32_neon,
        [MOTE_UN_CLIP] = mote_clip_f32_neon,
        [MOTE_UN_HARD_SIGMOID] = mote_hard_sigmoid_f32_neon,
        [MOTE_UN_HARD_SWISH] = mote_hard_swish_f32_neon,
        [MOTE_UN_NEG] = mote_neg_f32_neon,
        [MOTE_UN_ABS] = mote_abs_f32_neon,
        [MOTE_UN_RECIPROCAL] = mote_reciprocal_f32_neon,
        [MOTE_UN_LOG] = NULL,
        [MOTE_UN_ERF] = mote_erf_f32_neon,
        [MOTE_UN_SILU] = mote_silu_f32_neon,
    },
    .binary_f32 = {
        [MOTE_BIN_ADD] = mote_add_f32_neon,
        [MOTE_BIN_SUB] = mote_sub_f32_neon,
        [MOTE_BIN_MUL] = mote_mul_f32_neon,
        [MOTE_BIN_DIV] = mote_div_f32_neon,
        [MOTE_BIN_MAX] = mote_max_f32_neon,
        [MOTE_BIN_MIN] = mote_min_f32_neon,
        [MOTE_BIN_POW] = NULL,
    },
    .act_f32 = mote_act_f32_neon,

    .gemm_f32 = mote_gemm_f32_8x12_neon,
    .gemm_nr = mote_gemm_nr_8x12_neon,
    .gemm_pack_b_bytes = mote_gemm_pack_b_bytes_8x12_neon,
    .gemm_pack_b = mote_gemm_pack_b_8x12_neon,
    .gemm_scratch_bytes = mote_gemm_scratch_bytes_8x12_neon,
    .gemm_packed_f32 = mote_gemm_packed_f32_8x12_neon,

    .conv2d_f32 = NULL,
    .conv2d_dw3x3_f32 = mote_conv2d_dw3x3_f32_neon,
    .im2col_f32 = mote_im2col_f32_neon,
    .winograd_in_f32 = mote_winograd_in_f32_neon,
    .winograd_out_f32 = mote_winograd_out_f32_neon,

    .maxpool2d_f32 = mote_maxpool2d_f32_neon,
    .avgpool2d_f32 = mote_avgpool2d_f32_neon,
    .global_avgpool_f32 = mote_global_avgpool_f32_neon,
    .global_maxpool_f32 = mote_global_maxpool_f32_neon,

    .softmax_f32 = mote_softmax_f32_neon,
    .layernorm_f32 = mote_layernorm_f32_neon,
    .rmsnorm_f32 = mote_rmsnorm_f32_neon,
    .channel_affine_f32 = mote_channel_affine_f32_neon,
    .resize_row_f32 = mote_resize_row_f32_neon,
    .transpose_32 = mote_transpose_32_neon,

    .qconv2d = mote_qconv2d_neon,
    .quantize_f32 = mote_quantize_f32_neon,
    .dequantize_8 = mote_dequantize_8_neon,
    .qbinary = mote_qbinary_neon,
    .qlut = mote_qlut_neon,
};
