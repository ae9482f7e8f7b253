/*
 * llm.h — the types and reference kernels of the language-model decoder's
 * entries (the "llm" sub-table of the dispatch struct; the entries and
 * their contracts are in kernel_list.h): rotary embedding, matrix-vector
 * products on f32, f16 and q8_0/q4_0 block-quantized weights, attention,
 * SwiGLU. The references are kernels/llm_ref.c and
 * kernels/quant_blocks_ref.c. (RMSNorm is the general table's.)
 *
 * Block formats (32 values per block, row-major, a row of K values is K/32
 * consecutive blocks; K must be a multiple of 32):
 *   q8_0 weight block, 34 bytes:  uint16 d (IEEE half); int8 q[32];
 *                                 value_i = d * q[i]
 *   q4_0 weight block, 18 bytes:  uint16 d (IEEE half); uint8 q[16];
 *                                 value_i     = d * ((q[i] & 15) - 8)
 *                                 value_{i+16} = d * ((q[i] >> 4) - 8)
 *   q8 activation block, 40 bytes: float d; int32 sum; int8 q[32];
 *                                 value_i = d * q[i], sum = sum_i q[i]
 * Scales are chosen as d = max|x| / 127 (q8) or d = max / -8 where max is
 * the value of largest magnitude (q4_0), with round-to-nearest.
 *
 *   q16 activation block, 68 bytes: float d; int16 q[32]; value_i = d * q[i]
 *                                 (d = max|x| / 32767)
 * q8_0 weights are multiplied with q16 activations and q4_0 weights with q8
 * activations: the integer dot of a block is exact either way; 16-bit
 * activations keep q8_0 within rounding noise of f32 activations (its
 * purpose is fidelity), 8-bit ones keep q4_0 fast (its purpose is speed).
 *
 * Packed weights (mote_qpack16, made once when a session is created, for
 * the SIMD targets): rows in groups of 16 (the last group padded with zero
 * rows); group g holds rows 16g..16g+15 as
 *   uint16 d[nb][16]             the rows' half scales per block, padded
 *                                to a multiple of 64 bytes
 *   q8_0: int8 q[nb][16][16][2]  q[b][p][r][i] = w[r][32b + 2p + i]
 *   q4_0: uint8 q[nb][4][16][4]  q[b][j][r][i] = the file byte 2 + 4j + i
 *                                of block b of row r (low nibble: value
 *                                4j + i, high nibble: value 16 + 4j + i)
 * so that 32-bit lane r of a vector holds consecutive values of row r: a
 * 2-way (vpdpwssd, q8_0 sign-extended to 16 bits) or 4-way (vpdpbusd,
 * q4_0) integer dot instruction computes 16 rows at once against one
 * broadcast pair or quad of activations.
 */
#ifndef MOTE_LLM_KERNELS_H
#define MOTE_LLM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#define MOTE_QK 32                 /* values per block                */
#define MOTE_Q8_0_BYTES 34         /* bytes per q8_0 weight block     */
#define MOTE_Q4_0_BYTES 18         /* bytes per q4_0 weight block     */

typedef struct mote_q8a_block {
    float d;                       /* scale                           */
    int32_t sum;                   /* sum(q), for the q4_0 offset     */
    int8_t q[MOTE_QK];             /* quantized values                */
} mote_q8a_block;

typedef struct mote_q16a_block {
    float d;                       /* scale                           */
    int16_t q[MOTE_QK];            /* quantized values                */
} mote_q16a_block;

typedef enum mote_wtype {
    MOTE_W_F32 = 0,
    MOTE_W_Q8_0 = 1,
    MOTE_W_Q4_0 = 2,
    MOTE_W_F16 = 3                 /* IEEE half, for q8_0's classifier */
} mote_wtype;

/* Reference quantizers for weights (kernels/quant_blocks_ref.c): one row of K values. */
void mote_quantize_row_q8_0(int64_t K, const float *x, uint8_t *out);
void mote_quantize_row_q4_0(int64_t K, const float *x, uint8_t *out);
void mote_dequantize_row_q8_0(int64_t K, const uint8_t *in, float *y);
void mote_dequantize_row_q4_0(int64_t K, const uint8_t *in, float *y);
/* Bytes of one row of K values in the format (0 if K is not a multiple of 32). */
size_t mote_wtype_row_bytes(mote_wtype t, int64_t K);
/* IEEE half <-> float (round to nearest even), for the block scales. */
float mote_half_to_float(uint16_t h);
uint16_t mote_float_to_half(float f);

/* The packed layout above: its size, and packing an (N, K) matrix of type
 * t (q8_0 or q4_0) given as rows of file blocks. */
size_t mote_qpack16_bytes(mote_wtype t, int64_t N, int64_t K);
/* Bytes of one group of 16 rows, and where its quantized values start. */
size_t mote_qpack16_group_bytes(mote_wtype t, int64_t K);
size_t mote_qpack16_scale_bytes(int64_t K);
void mote_qpack16(mote_wtype t, int64_t N, int64_t K, const uint8_t *W, void *Wp);

/* Reference kernels (the llm sub-table of mote_kernels_ref). */
void mote_rope_f32_ref(int64_t n_heads, int64_t hs, int64_t pos, float theta, float *x);
void mote_matvec_f32_ref(int64_t K, const float *W, int64_t n0, int64_t n1,
                         const float *x, float *y);
void mote_matvec_f16_ref(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
                         const float *x, float *y);
void mote_swiglu_f32_ref(int64_t n, const float *a, const float *b, float *y);
void mote_attend_f32_ref(int64_t n, int64_t hs, const float *q, const float *k,
                         const float *v, int64_t ld, float scale, float *s, float *y);
void mote_matmul_q8_0_ref(int64_t M, int64_t K, const mote_q16a_block *x, const uint8_t *W,
                          int64_t n0, int64_t n1, float *y, int64_t ldy);
void mote_matmul_q4_0_ref(int64_t M, int64_t K, const mote_q8a_block *x, const uint8_t *W,
                          int64_t n0, int64_t n1, float *y, int64_t ldy);
void mote_quantize_q8a_ref(int64_t K, const float *x, mote_q8a_block *out);
void mote_quantize_q16a_ref(int64_t K, const float *x, mote_q16a_block *out);

#endif
