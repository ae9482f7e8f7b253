/*
 * ref_table.c — the reference kernel table, mote_kernels_ref.
 *
 * Every entry is filled except the packed-GEMM group, which only fast
 * targets provide (the GEMM plan in src/ops/gemm_plan.c uses gemm_f32 when those
 * are NULL). This file holds no code, only the table.
 */
#include "ref.h"

const mote_kernels mote_kernels_ref = {
    .name = "ref",
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
    },
    .binary_f32 = {
        [MOTE_BIN_ADD] = mote_add_f32_ref,
        [MOTE_BIN_SUB] = mote_sub_f32_ref,
        [MOTE_BIN_MUL] = mote_mul_f32_ref,
        [MOTE_BIN_DIV] = mote_div_f32_ref,
        [MOTE_BIN_MAX] = mote_max_f32_ref,
        [MOTE_BIN_MIN] = mote_min_f32_ref,
        [MOTE_BIN_POW] = mote_pow_f32_ref,
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
    .im2col_f32 = mote_im2col_f32_ref,

    .maxpool2d_f32 = mote_maxpool2d_f32_ref,
    .avgpool2d_f32 = mote_avgpool2d_f32_ref,
    .global_avgpool_f32 = mote_global_avgpool_f32_ref,
    .global_maxpool_f32 = mote_global_maxpool_f32_ref,

    .softmax_f32 = mote_softmax_f32_ref,
    .layernorm_f32 = mote_layernorm_f32_ref,
    .rmsnorm_f32 = mote_rmsnorm_f32_ref,
    .channel_affine_f32 = mote_channel_affine_f32_ref,

    .dot_f32 = mote_dot_f32_ref,

    .qconv2d = mote_qconv2d_ref,
    .qbinary = mote_qbinary_ref,
    .qavgpool2d = mote_qavgpool2d_ref,
    .qlut = mote_qlut_ref,
};
