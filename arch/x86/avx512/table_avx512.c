/*
 * table_avx512.c — the AVX512 kernel table (mote_general_kernels_avx512). Entries left
 * NULL (log, pow, general conv2d) fall back to the reference when src/runtime/cpu.c
 * resolves the table.
 */
#include "x86_kernels.h"

#define E(x) MOTE_X86_EW512(x)
#define G(x) MOTE_X86_GEMM512(x)

const mote_general_kernels mote_general_kernels_avx512 = {
    .unary_f32 = {
        [MOTE_UN_RELU] = E(relu),
        [MOTE_UN_LEAKY_RELU] = E(leaky_relu),
        [MOTE_UN_SIGMOID] = E(sigmoid),
        [MOTE_UN_TANH] = E(tanh),
        [MOTE_UN_GELU] = E(gelu),
        [MOTE_UN_GELU_TANH] = E(gelu_tanh),
        [MOTE_UN_EXP] = E(exp),
        [MOTE_UN_SQRT] = E(sqrt),
        [MOTE_UN_CLIP] = E(clip),
        [MOTE_UN_HARD_SIGMOID] = E(hard_sigmoid),
        [MOTE_UN_HARD_SWISH] = E(hard_swish),
        [MOTE_UN_NEG] = E(neg),
        [MOTE_UN_ABS] = E(abs),
        [MOTE_UN_RECIPROCAL] = E(reciprocal),
        [MOTE_UN_ERF] = E(erf),
        [MOTE_UN_SILU] = E(silu),
    },
    .binary_f32 = {
        [MOTE_BIN_ADD] = E(add),
        [MOTE_BIN_SUB] = E(sub),
        [MOTE_BIN_MUL] = E(mul),
        [MOTE_BIN_DIV] = E(div),
        [MOTE_BIN_MAX] = E(max),
        [MOTE_BIN_MIN] = E(min),
    },
    .act_f32 = E(act),
    .gemm_f32 = G(unpacked),
    .gemm_nr = G(nr),
    .gemm_pack_b_bytes = G(pack_b_bytes),
    .gemm_pack_b = G(pack_b),
    .gemm_scratch_bytes = G(scratch_bytes),
    .gemm_packed_f32 = G(packed),
    .conv2d_dw3x3_f32 = mote_conv2d_dw3x3_f32_avx512,
    .conv2d_dw_f32 = mote_conv2d_dw_f32_avx512,
    .conv2d_chan_f32 = mote_conv2d_chan_f32_avx512,
    .qconv2d = mote_qconv2d_avx512,
    .qbinary = mote_qbinary_avx512,
    .qconv2d_pack_bytes = mote_qconv2d_pack_bytes_avx512,
    .qconv2d_pack = mote_qconv2d_pack_avx512,
    .qconv2d_packed_scratch_bytes = mote_qconv2d_packed_scratch_bytes_avx512,
    .qconv2d_packed = mote_qconv2d_packed_avx512,
    .quantize_f32 = mote_quantize_f32_avx512,
    .dequantize_8 = mote_dequantize_8_avx512,
    .im2col_f32 = mote_im2col_f32_avx512,
    .winograd_in_f32 = mote_winograd_in_f32_avx512,
    .winograd_out_f32 = mote_winograd_out_f32_avx512,
    .maxpool2d_f32 = mote_maxpool2d_f32_avx512,
    .avgpool2d_f32 = mote_avgpool2d_f32_avx512,
    .global_avgpool_f32 = E(global_avgpool),
    .global_maxpool_f32 = E(global_maxpool),
    .softmax_f32 = E(softmax),
    .layernorm_f32 = E(layernorm),
    .rmsnorm_f32 = E(rmsnorm),
    .channel_affine_f32 = E(channel_affine),
    .resize_row_f32 = mote_resize_row_f32_avx512,
    .transpose_32 = mote_transpose_32_avx512,
    .gemm_mr = G(mr),
    .gemm_pack_a_bytes = G(pack_a_bytes),
    .gemm_pack_a = G(pack_a),
    .gemm_packed_a_scratch_bytes = G(packed_a_scratch_bytes),
    .gemm_packed_a_f32 = G(packed_a),
};
