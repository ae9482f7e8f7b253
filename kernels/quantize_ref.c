/*
 * quantize_ref.c — reference QuantizeLinear, DequantizeLinear and the integer
 * matrix product of MatMulInteger. Not the broadcasting of batches or of
 * per-axis parameters (the ops pass the channel geometry).
 */
#include <math.h>
#include "ref.h"

/*
 * ch = (e / inner) % C
 * q = clamp(round_half_even(x[e] / scale[ch]) + zp[ch], lo, hi)
 * with [lo, hi] = [0, 255] (u8) or [-128, 127] (i8); a NaN quotient (x NaN,
 * or 0/0 with a zero scale) gives clamp(zp[ch]): converting NaN to an
 * integer type is undefined in C.
 */
void mote_quantize_f32_ref(const float *x, void *y, int is_signed, const float *scale,
                           const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    float lo = is_signed ? -128.0f : 0.0f, hi = is_signed ? 127.0f : 255.0f;
    if (C == 1) {   /* per tensor: the same loop without the channel arithmetic */
        float z = (float)(zp ? zp[0] : 0);
        for (int64_t e = e0; e < e1; e++) {
            float q = nearbyintf(x[e] / scale[0]) + z;
            if (isnan(q)) q = z;   /* NaN and 0/0 give the zero point */
            q = q < lo ? lo : q > hi ? hi : q;
            if (is_signed)
                ((int8_t *)y)[e] = (int8_t)q;
            else
                ((uint8_t *)y)[e] = (uint8_t)q;
        }
        return;
    }
    for (int64_t e = e0; e < e1; e++) {
        int64_t ch = (e / inner) % C;
        /* nearbyintf rounds half to even in the default rounding mode */
        float z = (float)(zp ? zp[ch] : 0);
        float q = nearbyintf(x[e] / scale[ch]) + z;
        if (isnan(q)) q = z;
        q = q < lo ? lo : q > hi ? hi : q;
        if (is_signed)
            ((int8_t *)y)[e] = (int8_t)q;
        else
            ((uint8_t *)y)[e] = (uint8_t)q;
    }
}

/* y[e] = (x[e] - zp[ch]) * scale[ch], ch = (e / inner) % C */
void mote_dequantize_ref(const void *x, mote_num t, float *y, const float *scale,
                         const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    if (C == 1 && t == MOTE_NUM_U8) {   /* per tensor, u8: no channel arithmetic */
        int32_t z = zp ? zp[0] : 0;
        for (int64_t e = e0; e < e1; e++)
            y[e] = (float)(((const uint8_t *)x)[e] - z) * scale[0];
        return;
    }
    for (int64_t e = e0; e < e1; e++) {
        int64_t ch = (e / inner) % C;
        int64_t v = t == MOTE_NUM_U8 ? ((const uint8_t *)x)[e] :
                    t == MOTE_NUM_I8 ? ((const int8_t *)x)[e] : ((const int32_t *)x)[e];
        y[e] = (float)(v - (zp ? zp[ch] : 0)) * scale[ch];
    }
}

void mote_dequantize8_ref(const void *x, int is_signed, float *y, const float *scale,
                          const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    mote_dequantize_ref(x, is_signed ? MOTE_NUM_I8 : MOTE_NUM_U8, y, scale, zp, C, inner, e0, e1);
}

static int32_t elem8(const void *p, int is_signed, int64_t i)
{
    return is_signed ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

/* y[m,n] = sum_k (a[m,k] - za[m]) (b[k,n] - zb[n]) */
void mote_matmul_integer_ref(const void *a, int a_signed, const void *b, int b_signed,
                             const int32_t *za, const int32_t *zb, int32_t *y,
                             int64_t N, int64_t K, int64_t m0, int64_t m1)
{
    for (int64_t m = m0; m < m1; m++)
        for (int64_t n = 0; n < N; n++) {
            int32_t acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (elem8(a, a_signed, m * K + k) - za[m]) *
                       (elem8(b, b_signed, k * N + n) - zb[n]);
            y[m * N + n] = acc;
        }
}
