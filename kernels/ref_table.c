/*
 * ref_table.c — the reference dispatch struct, mote_kernels_ref: both
 * sub-tables, complete.
 *
 * Every entry is filled except the optional fast paths (kernel_list.h):
 * the packed GEMMs, which the GEMM plan in src/ops/gemm_plan.c replaces
 * with gemm_f32 when they are NULL, and the packed quantized matmul. This
 * file holds no code, only the table.
 */
#include "ref.h"

const mote_kernels mote_kernels_ref = {
    .name = "ref",
    .general = {
        .unary_f32 = {
            [MOTE_UN_RELU] = mote_relu_f32_ref,
            [MOTE_UN_LEAKY_RELU] = mote_leaky_relu_f32_ref,
            [MOTE_UN_SIGMOID] = mote_sigmoid_f32_ref,
            [MOTE_UN_TANH] = mote_tanh_f32_ref,
            [MOTE_UN_GELU] = mote_gelu_f32_ref,
            [MOTE_UN_GELU_TANH] = mote_gelu_tanh_f32_ref,
            [MOTE_UN_EXP] = mote_exp_f32_ref,
            [MOTE_UN_SQRT] = mote_sqrt_f32_ref,
            [MOTE_UN_CLIP] = mote_clip_f32_ref,
            [MOTE_UN_HARD_SIGMOID] = mote_hard_sigmoid_f32_ref,
            [MOTE_UN_HARD_SWISH] = mote_hard_swish_f32_ref,
            [MOTE_UN_NEG] = mote_neg_f32_ref,
            [MOTE_UN_ABS] = mote_abs_f32_ref,
            [MOTE_UN_RECIPROCAL] = mote_reciprocal_f32_ref,
            [MOTE_UN_LOG] = mote_log_f32_ref,
            [MOTE_UN_ERF] = mote_erf_f32_ref,
            [MOTE_UN_SILU] = mote_silu_f32_ref,
            /* rounding, sign, exponential family */
            [MOTE_UN_FLOOR] = mote_floor_f32_ref,
            [MOTE_UN_CEIL] = mote_ceil_f32_ref,
            [MOTE_UN_ROUND] = mote_round_f32_ref,
            [MOTE_UN_SIGN] = mote_sign_f32_ref,
            [MOTE_UN_ELU] = mote_elu_f32_ref,
            [MOTE_UN_SELU] = mote_selu_f32_ref,
            [MOTE_UN_SOFTPLUS] = mote_softplus_f32_ref,
            [MOTE_UN_MISH] = mote_mish_f32_ref,
            [MOTE_UN_SIN] = mote_sin_f32_ref,
            [MOTE_UN_COS] = mote_cos_f32_ref,
        },
        .binary_f32 = {
            [MOTE_BIN_ADD] = mote_add_f32_ref,
            [MOTE_BIN_SUB] = mote_sub_f32_ref,
            [MOTE_BIN_MUL] = mote_mul_f32_ref,
            [MOTE_BIN_DIV] = mote_div_f32_ref,
            [MOTE_BIN_MAX] = mote_max_f32_ref,
            [MOTE_BIN_MIN] = mote_min_f32_ref,
            [MOTE_BIN_POW] = mote_pow_f32_ref,
            [MOTE_BIN_PRELU] = mote_prelu_f32_ref,
        },
        .act_f32 = mote_act_f32_ref,

        .gemm_f32 = mote_gemm_f32_ref,
        .gemm_nr = NULL,
        .gemm_pack_b_bytes = NULL,
        .gemm_pack_b = NULL,
        .gemm_scratch_bytes = NULL,
        .gemm_packed_f32 = NULL,

        .conv2d_f32 = mote_conv2d_f32_ref,
        .conv2d_dw3x3_f32 = mote_conv2d_dw3x3_f32_ref,
        .conv2d_dw_f32 = mote_conv2d_dw_f32_ref,
        .conv2d_chan_f32 = mote_conv2d_chan_f32_ref,
        .im2col_f32 = mote_im2col_f32_ref,
        .winograd_in_f32 = mote_winograd_in_f32_ref,
        .winograd_out_f32 = mote_winograd_out_f32_ref,
        .qconv2d = mote_qconv2d_ref,
        .qconv2d_scratch_bytes = mote_qconv2d_scratch_bytes_ref,
        .quantize_f32 = mote_quantize_f32_ref,
        .dequantize_8 = mote_dequantize8_ref,
        .qbinary = mote_qbinary_ref,
        .qavgpool2d = mote_qavgpool2d_ref,
        .qlut = mote_qlut_ref,

        .maxpool2d_f32 = mote_maxpool2d_f32_ref,
        .avgpool2d_f32 = mote_avgpool2d_f32_ref,
        .global_avgpool_f32 = mote_global_avgpool_f32_ref,
        .global_maxpool_f32 = mote_global_maxpool_f32_ref,

        .softmax_f32 = mote_softmax_f32_ref,
        .layernorm_f32 = mote_layernorm_f32_ref,
        .rmsnorm_f32 = mote_rmsnorm_f32_ref,
        .channel_affine_f32 = mote_channel_affine_f32_ref,
        .resize_row_f32 = mote_resize_row_f32_ref,
        .transpose_32 = mote_transpose_32_ref,
    },

    .llm = {
        .rope_f32 = mote_rope_f32_ref,
        .matvec_f32 = mote_matvec_f32_ref,
        .matvec_f16 = mote_matvec_f16_ref,
        .swiglu_f32 = mote_swiglu_f32_ref,
        .attend_f32 = mote_attend_f32_ref,
        .quantize_q8a = mote_quantize_q8a_ref,
        .quantize_q16a = mote_quantize_q16a_ref,
        .matmul_q8_0 = mote_matmul_q8_0_ref,
        .matmul_q4_0 = mote_matmul_q4_0_ref,
        .matmul_qpacked = NULL,
    },
};
