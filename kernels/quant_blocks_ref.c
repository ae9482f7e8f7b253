/*
 * quant_blocks_ref.c — reference block quantization (q8_0, q4_0 weights; q8
 * activations) and the reference quantized matrix products. The block
 * layouts are specified in llm.h. These loops are the specification the
 * SIMD versions in arch/ are tested against; they are not fast.
 */
#include <math.h>
#include <string.h>
#include "llm.h"

float mote_half_to_float(uint16_t h)
{
    /* sign(1) exponent(5, bias 15) mantissa(10) */
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023, bits;
    if (e == 0) {
        if (m == 0) {
            bits = sign;
        } else {               /* subnormal: m * 2^-24 */
            float f = (float)m * 5.9604644775390625e-8f;
            return sign ? -f : f;
        }
    } else if (e == 31) {
        bits = sign | 0x7F800000u | (m << 13);
    } else {
        bits = sign | ((e + 112) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t mote_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7FFFFFFFu;
    if (ax >= 0x7F800000u) return (uint16_t)(sign | 0x7C00u | (ax > 0x7F800000u ? 0x200u : 0));
    if (ax >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);   /* rounds to inf */
    if (ax < 0x38800000u) {    /* subnormal half: round(|f| * 2^24) */
        float a;
        memcpy(&a, &ax, 4);
        return (uint16_t)(sign | (uint32_t)nearbyintf(a * 16777216.0f));
    }
    /* normal: rebias, round mantissa to 10 bits, nearest even */
    uint32_t r = ax - 0x38000000u;
    uint32_t lsb = (r >> 13) & 1u;
    r += 0xFFFu + lsb;
    return (uint16_t)(sign | (r >> 13));
}

size_t mote_wtype_row_bytes(mote_wtype t, int64_t K)
{
    if (K <= 0) return 0;
    if (t == MOTE_W_F32) return (size_t)K * 4;
    if (t == MOTE_W_F16) return (size_t)K * 2;
    if (K % MOTE_QK) return 0;
    return (size_t)(K / MOTE_QK) * (t == MOTE_W_Q8_0 ? MOTE_Q8_0_BYTES : MOTE_Q4_0_BYTES);
}

void mote_quantize_row_q8_0(int64_t K, const float *x, uint8_t *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out += MOTE_Q8_0_BYTES) {
        float amax = 0;
        for (int i = 0; i < MOTE_QK; i++) amax = fmaxf(amax, fabsf(x[i]));
        uint16_t dh = mote_float_to_half(amax / 127.0f);
        float d = mote_half_to_float(dh);
        float id = d != 0 ? 1.0f / d : 0.0f;
        memcpy(out, &dh, 2);
        for (int i = 0; i < MOTE_QK; i++) {
            float q = roundf(x[i] * id);
            out[2 + i] = (uint8_t)(int8_t)fmaxf(-127.0f, fminf(127.0f, q));
        }
    }
}

void mote_quantize_row_q4_0(int64_t K, const float *x, uint8_t *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out += MOTE_Q4_0_BYTES) {
        float mx = 0;   /* the value of largest magnitude, with its sign */
        for (int i = 0; i < MOTE_QK; i++)
            if (fabsf(x[i]) > fabsf(mx)) mx = x[i];
        uint16_t dh = mote_float_to_half(mx / -8.0f);
        float d = mote_half_to_float(dh);
        float id = d != 0 ? 1.0f / d : 0.0f;
        memcpy(out, &dh, 2);
        for (int i = 0; i < MOTE_QK / 2; i++) {
            int lo = (int)floorf(x[i] * id + 8.5f), hi = (int)floorf(x[i + 16] * id + 8.5f);
            lo = lo < 0 ? 0 : lo > 15 ? 15 : lo;
            hi = hi < 0 ? 0 : hi > 15 ? 15 : hi;
            out[2 + i] = (uint8_t)(lo | (hi << 4));
        }
    }
}

void mote_dequantize_row_q8_0(int64_t K, const uint8_t *in, float *y)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, in += MOTE_Q8_0_BYTES, y += MOTE_QK) {
        uint16_t dh;
        memcpy(&dh, in, 2);
        float d = mote_half_to_float(dh);
        for (int i = 0; i < MOTE_QK; i++) y[i] = d * (float)(int8_t)in[2 + i];
    }
}

void mote_dequantize_row_q4_0(int64_t K, const uint8_t *in, float *y)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, in += MOTE_Q4_0_BYTES, y += MOTE_QK) {
        uint16_t dh;
        memcpy(&dh, in, 2);
        float d = mote_half_to_float(dh);
        for (int i = 0; i < MOTE_QK / 2; i++) {
            y[i] = d * (float)((in[2 + i] & 15) - 8);
            y[i + 16] = d * (float)((in[2 + i] >> 4) - 8);
        }
    }
}

void mote_quantize_q8a_ref(int64_t K, const float *x, mote_q8a_block *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        float amax = 0;
        for (int i = 0; i < MOTE_QK; i++) amax = fmaxf(amax, fabsf(x[i]));
        float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int i = 0; i < MOTE_QK; i++) {
            int q = (int)nearbyintf(x[i] * id);
            out->q[i] = (int8_t)q;
            sum += q;
        }
        out->d = d;
        out->sum = sum;
    }
}

/* d = max|x| / 32767, q = nearbyint(x / d): 16-bit activations */
void mote_quantize_q16a_ref(int64_t K, const float *x, mote_q16a_block *out)
{
    for (int64_t b = 0; b < K / MOTE_QK; b++, x += MOTE_QK, out++) {
        float amax = 0;
        for (int i = 0; i < MOTE_QK; i++) amax = fmaxf(amax, fabsf(x[i]));
        float d = amax / 32767.0f, id = d != 0 ? 1.0f / d : 0.0f;
        for (int i = 0; i < MOTE_QK; i++) out->q[i] = (int16_t)nearbyintf(x[i] * id);
        out->d = d;
    }
}

/* y[m, n] = sum_b (dw_b * dx_b) * sum_i qw_i qx_i  (exact integer dot per
 * block: 32 products of 8 and 16 bits fit in 32 bits) */
void mote_matmul_q8_0_ref(int64_t M, int64_t K, const mote_q16a_block *x, const uint8_t *W,
                          int64_t n0, int64_t n1, float *y, int64_t ldy)
{
    int64_t nb = K / MOTE_QK;
    for (int64_t n = n0; n < n1; n++) {
        const uint8_t *w = W + (size_t)n * (size_t)nb * MOTE_Q8_0_BYTES;
        for (int64_t m = 0; m < M; m++) {
            const mote_q16a_block *xb = x + m * nb;
            float acc = 0;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = w + b * MOTE_Q8_0_BYTES;
                uint16_t dh;
                memcpy(&dh, blk, 2);
                int32_t s = 0;
                for (int i = 0; i < MOTE_QK; i++) s += (int8_t)blk[2 + i] * xb[b].q[i];
                acc += (mote_half_to_float(dh) * xb[b].d) * (float)s;
            }
            y[m * ldy + n] = acc;
        }
    }
}

/* y[m, n] = sum_b dw_b * dx_b * (sum_i u_i qx_i - 8 sum_i qx_i), u_i the
 * 4-bit codes in [0, 16): the -8 offset is applied through the block sum. */
void mote_matmul_q4_0_ref(int64_t M, int64_t K, const mote_q8a_block *x, const uint8_t *W,
                          int64_t n0, int64_t n1, float *y, int64_t ldy)
{
    int64_t nb = K / MOTE_QK;
    for (int64_t n = n0; n < n1; n++) {
        const uint8_t *w = W + (size_t)n * (size_t)nb * MOTE_Q4_0_BYTES;
        for (int64_t m = 0; m < M; m++) {
            const mote_q8a_block *xb = x + m * nb;
            float acc = 0;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = w + b * MOTE_Q4_0_BYTES;
                uint16_t dh;
                memcpy(&dh, blk, 2);
                int32_t s = 0;
                for (int i = 0; i < MOTE_QK / 2; i++)
                    s += (blk[2 + i] & 15) * xb[b].q[i] + (blk[2 + i] >> 4) * xb[b].q[i + 16];
                acc += (mote_half_to_float(dh) * xb[b].d) * (float)(s - 8 * xb[b].sum);
            }
            y[m * ldy + n] = acc;
        }
    }
}

/* ------------------------------------------------ packed layout (llm.h) */

size_t mote_qpack16_scale_bytes(int64_t K)
{
    size_t b = (size_t)(K / MOTE_QK) * 16 * 2;
    return (b + 63) & ~(size_t)63;
}

size_t mote_qpack16_group_bytes(mote_wtype t, int64_t K)
{
    size_t per_block = t == MOTE_W_Q8_0 ? 16 * 32 : 16 * 16;
    return mote_qpack16_scale_bytes(K) + (size_t)(K / MOTE_QK) * per_block;
}

size_t mote_qpack16_bytes(mote_wtype t, int64_t N, int64_t K)
{
    if (t == MOTE_W_F32 || K <= 0 || K % MOTE_QK || N <= 0) return 0;
    return (size_t)((N + 15) / 16) * mote_qpack16_group_bytes(t, K);
}

void mote_qpack16(mote_wtype t, int64_t N, int64_t K, const uint8_t *W, void *Wp)
{
    int64_t nb = K / MOTE_QK, groups = (N + 15) / 16;
    size_t rb = mote_wtype_row_bytes(t, K), gb = mote_qpack16_group_bytes(t, K);
    size_t sb = mote_qpack16_scale_bytes(K), bb = mote_wtype_row_bytes(t, MOTE_QK);
    memset(Wp, 0, mote_qpack16_bytes(t, N, K));
    for (int64_t g = 0; g < groups; g++) {
        uint8_t *G = (uint8_t *)Wp + (size_t)g * gb, *q = G + sb;
        for (int r = 0; r < 16; r++) {
            int64_t n = 16 * g + r;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = n < N ? W + (size_t)n * rb + (size_t)b * bb : NULL;
                uint16_t dh = 0;   /* padding rows: scale 0, values 0 */
                if (blk) memcpy(&dh, blk, 2);
                memcpy(G + ((size_t)b * 16 + (size_t)r) * 2, &dh, 2);
                if (t == MOTE_W_Q8_0) {      /* pairs: q[b][p][r][i] */
                    for (int p = 0; p < 16; p++)
                        for (int i = 0; i < 2; i++)
                            q[(size_t)b * 512 + (size_t)p * 32 + r * 2 + i] =
                                blk ? blk[2 + 2 * p + i] : 0;
                } else {                        /* quads of bytes: q[b][j][r][i] */
                    for (int j = 0; j < 4; j++)
                        for (int i = 0; i < 4; i++)
                            q[(size_t)b * 256 + (size_t)j * 64 + r * 4 + i] =
                                blk ? blk[2 + 4 * j + i] : 0x88;
                }
            }
        }
    }
}
