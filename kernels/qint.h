/*
 * qint.h — integer (8-bit quantized) kernels with TFLite's fixed-point
 * requantization: the argument structs, the fixed-point helpers and the
 * reference kernels (qint_ref.c, the specification). A real value r is
 * stored as q with r = scale * (q - zero_point); u8 (asymmetric) and i8
 * (symmetric or asymmetric) data, weights per tensor or per output channel.
 * Accumulators are i32; an accumulator is brought to the output's scale by
 * a multiplier M = m * 2^shift with m a Q0.31 integer in [2^30, 2^31)
 * (mote_q_multiplier), applied as TFLite's MultiplyByQuantizedMultiplier:
 * a saturating rounding doubling high multiply, then a rounding right
 * shift (ties away from zero). Not the graph-level ops (src/ops/qint.c).
 */
#ifndef MOTE_KERNELS_QINT_H
#define MOTE_KERNELS_QINT_H

#include <math.h>
#include <stdint.h>

/* a * b / 2^31 rounded to nearest (gemmlowp's
 * SaturatingRoundingDoublingHighMul: a tie rounds up when the product is
 * positive and toward zero when it is negative); the single overflow case
 * a = b = INT32_MIN saturates to INT32_MAX */
int32_t mote_q_rdhm(int32_t a, int32_t b);
/* x / 2^e rounded to nearest, ties away from zero (0 <= e <= 31) */
int32_t mote_q_rshift(int32_t x, int e);
/* x * m * 2^shift (m a Q0.31 multiplier): TFLite's
 * MultiplyByQuantizedMultiplier; shift may be positive (left) or negative */
int32_t mote_q_mul(int32_t x, int32_t m, int shift);
/* real = m * 2^(shift - 31) with m in [2^30, 2^31), as TFLite's
 * QuantizeMultiplier (frexp, then round half away from zero); real 0 gives
 * m = shift = 0, and a shift below -31 gives 0 */
void mote_q_multiplier(double real, int32_t *m, int *shift);

/*
 * Quantized 2-D convolution, NCHW, one image, output channels [oc0, oc1):
 *   acc = bias[oc] + sum_{ic in group(oc), ky, kx}
 *         (x[ic, iy, ix] - x_zp) * (w[oc, ic - g0, ky, kx] - w_zp[oc])
 *   y[oc, oy, ox] = clamp(mote_q_mul(acc, mult[oc], shift[oc]) + y_zp,
 *                         act_min, act_max)
 * with iy = oy*sh - ph + ky*dh, ix = ox*sw - pw + kx*dw; taps outside the
 * image add nothing (as if x there were x_zp). A fully connected layer is
 * the case H = W = KH = KW = 1.
 */
typedef struct mote_qconv2d_args {
    int64_t C, H, W;              /* input channels, height, width          */
    int64_t OC, OH, OW;           /* output                                 */
    int64_t KH, KW;
    int64_t sh, sw, ph, pw, dh, dw;
    int64_t groups;
    const void *x;                /* (C, H, W) u8 or i8 (x_signed)          */
    const void *w;                /* (OC, C/groups, KH, KW) u8 or i8        */
    const int32_t *bias;          /* (OC) or NULL                           */
    const int32_t *w_zp;          /* (OC)                                   */
    const int32_t *mult;          /* (OC) Q0.31 multipliers                 */
    const int32_t *shift;         /* (OC)                                   */
    const float *fscale;          /* (OC) or NULL: ONNX's float requantization
                                     (below) instead of mult / shift        */
    int y_i32;                    /* 1: y is i32 and gets acc itself (ConvInteger) */
    void *y;                      /* (OC, OH, OW) u8 or i8 (y_signed)       */
    int32_t x_zp, y_zp, act_min, act_max;
    int x_signed, w_signed, y_signed;
    int64_t oc0, oc1;
    void *scratch;                /* qconv2d_scratch_bytes(a) bytes, 64-byte
                                     aligned, the table's kernel's own (its
                                     padded planes); NULL where that is 0.
                                     Not read by the reference.            */
} mote_qconv2d_args;

void mote_qconv2d_ref(const mote_qconv2d_args *a);
/* 0: the reference lays nothing out */
size_t mote_qconv2d_scratch_bytes_ref(const mote_qconv2d_args *a);

/* Stores one accumulator as output element i of channel oc: acc itself
 * (y_i32), or TFLite's clamp(mote_q_mul(acc, mult, shift) + y_zp), or
 * with fscale ONNX's clamp(round_half_even((f32)acc * fscale) + y_zp) (the
 * f32 product QLinearConv's reference computes). Shared by every table's
 * kernel so that they requantize alike. */
static inline void mote_qconv2d_store(const mote_qconv2d_args *a, int64_t oc, int64_t i, int32_t acc)
{
    if (a->y_i32) {
        ((int32_t *)a->y)[i] = acc;
        return;
    }
    int32_t v;
    if (a->fscale) {
        float f = nearbyintf((float)acc * a->fscale[oc]) + (float)a->y_zp;
        /* NaN (a NaN or infinite scale) gives act_min, as the vector
         * kernels' max / min give */
        v = f >= (float)a->act_max ? a->act_max : f >= (float)a->act_min ? (int32_t)f : a->act_min;
    } else {
        v = mote_q_mul(acc, a->mult[oc], a->shift[oc]) + a->y_zp;
        v = v < a->act_min ? a->act_min : v > a->act_max ? a->act_max : v;
    }
    if (a->y_signed)
        ((int8_t *)a->y)[i] = (int8_t)v;
    else
        ((uint8_t *)a->y)[i] = (uint8_t)v;
}

/*
 * Packed-weight 8-bit convolution, group 1 (an optional fast path: NULL
 * in the reference; a table sets all four entries or none). The weights
 * are packed once, at prepare time, by qconv2d_pack (from a->w, w_signed,
 * and the shape) into qconv2d_pack_bytes(a) bytes laid out as the
 * table likes; qconv2d_packed then stores exactly what mote_qconv2d_ref
 * stores for output channels [a.oc0, a.oc1) and output pixels [p0, p1)
 * (p = oy*OW + ox) of one image, using scratch of
 * qconv2d_packed_scratch_bytes(&a) bytes (64-byte aligned). a.w is not
 * read; every other field of a means what it means for qconv2d.
 */
typedef struct mote_qconv2d_packed_args {
    mote_qconv2d_args a;
    const void *wp;               /* from qconv2d_pack                      */
    int64_t p0, p1;               /* output pixels                          */
    void *scratch;
} mote_qconv2d_packed_args;

/*
 * ONNX DynamicQuantizeLinear over n floats:
 *   lo = min(0, min x), hi = max(0, max x), scale = (hi - lo) / 255
 *   zp = saturate(round_half_even(0 - lo / scale)), u8
 *   y  = saturate(round_half_even(x / scale) + zp)
 * (scale 0, an all-zero x, gives y = 0 and zp = 0; a NaN becomes 0 and
 * infinities saturate).
 */
void mote_dynamic_quantize_ref(const float *x, int64_t n, uint8_t *y, float *scale, uint8_t *zp);

/*
 * Quantized elementwise ADD / SUB / MUL (TFLite's 8-bit kernels), elements
 * [e0, e1) of same-shaped a, b, y (all u8 or all i8). ADD and SUB bring
 * both inputs to a common scale with left_shift (20) bits of headroom:
 *   a' = mote_q_mul((a - a_zp) << left_shift, a_mult, a_shift)
 *   b' = mote_q_mul((b - b_zp) << left_shift, b_mult, b_shift)
 *   y  = clamp(mote_q_mul(a' +- b', y_mult, y_shift) + y_zp, act_min, act_max)
 * MUL multiplies the offset values:
 *   y  = clamp(mote_q_mul((a - a_zp) * (b - b_zp), y_mult, y_shift) + y_zp, ...)
 */
enum { MOTE_QBIN_ADD, MOTE_QBIN_SUB, MOTE_QBIN_MUL };

typedef struct mote_qbinary_params {
    int kind;                     /* MOTE_QBIN_*                            */
    int32_t a_zp, b_zp, y_zp, act_min, act_max;
    int32_t a_mult, b_mult, y_mult;
    int a_shift, b_shift, y_shift, left_shift;
    int is_signed;
} mote_qbinary_params;

void mote_qbinary_ref(const mote_qbinary_params *p, const void *a, const void *b, void *y,
                      int64_t e0, int64_t e1);

/*
 * Quantized average pooling (input and output share scale and zero
 * point), planes [c0, c1) of (H, W) into (OH, OW):
 *   s = sum of the taps inside the image, n = their count
 *   y = clamp(s >= 0 ? (s + n/2) / n : (s - n/2) / n, act_min, act_max)
 */
typedef struct mote_qpool2d_args {
    int64_t H, W, OH, OW, KH, KW, sh, sw, ph, pw;
    const void *x;                /* (planes, H, W)                         */
    void *y;                      /* (planes, OH, OW)                       */
    int32_t act_min, act_max;
    int is_signed;
    int64_t c0, c1;
} mote_qpool2d_args;

void mote_qavgpool2d_ref(const mote_qpool2d_args *a);

/* y[e] = table[byte of x[e]] for e in [e0, e1): any 8-bit function of
 * an 8-bit input (activations, requantization), the table made at
 * convert time */
void mote_qlut_ref(const uint8_t *table, const uint8_t *x, uint8_t *y, int64_t e0, int64_t e1);

#endif
