/*
 * qint_neon.c — the 8-bit quantized kernels (kernels/qint.h) for NEON:
 * convolution / fully connected / depthwise (qconv2d), add / sub / mul with
 * requantization (qbinary) and the byte lookup table (qlut).
 *
 * Integer sums do not depend on their order (all i32 arithmetic here wraps,
 * as the reference's does), so these kernels give the reference's bits
 * exactly. Convolution paths:
 *   group 1 (convolutions, fully connected): for each output pixel the
 *     input patch is gathered once, then each output channel's weights are
 *     dotted with it. With the dot-product extension (__ARM_FEATURE_DOTPROD,
 *     e.g. -march=armv8.2-a+dotprod) that is `sdot` on bytes: unsigned data
 *     is moved to signed by x - 128 (zero point too), padded taps hold the
 *     input zero point, and
 *       sum (x - xz)(w - wz) = sum x*w - wz sum x - xz sum w + K xz wz
 *     (mod 2^32, the sums of x and of w by `sdot` with ones). Without it,
 *     or when a zero point does not fit a byte, the patch minus its zero
 *     point is kept in i16 and multiplied with `smlal` (vmlal_s16);
 *   depthwise (one input channel per group): 8 output pixels of a row at a
 *     time, each tap a broadcast weight times 8 inputs widened to i32.
 * Other grouped convolutions, and patches over QN_MAXK values, run the
 * reference.
 *
 * Requantization, 8 accumulators at a time: TFLite's
 * MultiplyByQuantizedMultiplier is a 32-bit left shift, `sqrdmulh`
 * (vqrdmulhq_s32 computes floor((2ab + 2^31) / 2^32), which is
 * mote_q_rdhm's round-to-nearest for every a, b: a tie rounds up in both,
 * up being toward zero for a negative product, and both saturate only
 * INT32_MIN * INT32_MIN), then mote_q_rshift's rounding right shift
 * written out as the reference writes it (truncating shift, remainder,
 * threshold). ONNX's float form uses the same IEEE operations as
 * mote_qconv2d_store. Bytes are stored by truncating narrows, as the
 * reference's casts do. Unusual parameters (shifts outside [-31, 31],
 * act_min > act_max, float bounds beyond 2^24) go through the reference's
 * scalar store.
 */
#include <arm_neon.h>
#include <stdint.h>
#include "neon.h"
#include "qint.h"
#include "ref.h"

#define QN_MAXK 8192

static inline int32_t qn_ld(const void *p, int is_signed, int64_t i)
{
    return is_signed ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

/* mote_q_mul(x, m, shift) on 4 lanes, for -31 <= shift <= 31 */
static inline int32x4_t qn_mul(int32x4_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    x = vshlq_s32(x, vdupq_n_s32(left));
    x = vqrdmulhq_s32(x, vdupq_n_s32(m));
    int32x4_t mask = vdupq_n_s32((int32_t)(((int64_t)1 << right) - 1));
    int32x4_t rem = vandq_s32(x, mask);
    /* (mask >> 1) + (x < 0) */
    int32x4_t thr = vsubq_s32(vshrq_n_s32(mask, 1), vshrq_n_s32(x, 31));
    int32x4_t q = vshlq_s32(x, vdupq_n_s32(-right));
    return vsubq_s32(q, vreinterpretq_s32_u32(vcgtq_s32(rem, thr)));
}

static inline int qn_shift_ok(int s)
{
    return s >= -31 && s <= 31;
}

/* Stores 8 accumulators (lo: lanes 0-3, hi: 4-7) as output elements
 * i..i+n-1 of channel oc, n <= 8. */
static inline void qn_store8(const mote_qconv2d_args *a, int64_t oc, int64_t i, int64_t n,
                             int32x4_t lo, int32x4_t hi)
{
    if (n == 8) {
        if (a->y_i32) {
            vst1q_s32((int32_t *)a->y + i, lo);
            vst1q_s32((int32_t *)a->y + i + 4, hi);
            return;
        }
        int32x4_t v0, v1;
        int ok = 0;
        if (a->act_min <= a->act_max && a->fscale) {
            if (a->act_min >= -(1 << 24) && a->act_max <= (1 << 24)) {
                float32x4_t s = vdupq_n_f32(a->fscale[oc]), z = vdupq_n_f32((float)a->y_zp);
                float32x4_t fl = vdupq_n_f32((float)a->act_min), fh = vdupq_n_f32((float)a->act_max);
                float32x4_t f0 = vaddq_f32(vrndnq_f32(vmulq_f32(vcvtq_f32_s32(lo), s)), z);
                float32x4_t f1 = vaddq_f32(vrndnq_f32(vmulq_f32(vcvtq_f32_s32(hi), s)), z);
                /* maxnm: a NaN becomes act_min, as in the reference */
                v0 = vcvtq_s32_f32(vminnmq_f32(vmaxnmq_f32(f0, fl), fh));
                v1 = vcvtq_s32_f32(vminnmq_f32(vmaxnmq_f32(f1, fl), fh));
                ok = 1;
            }
        } else if (a->act_min <= a->act_max && qn_shift_ok(a->shift[oc])) {
            int32x4_t z = vdupq_n_s32(a->y_zp);
            int32x4_t l = vdupq_n_s32(a->act_min), h = vdupq_n_s32(a->act_max);
            v0 = vaddq_s32(qn_mul(lo, a->mult[oc], a->shift[oc]), z);
            v1 = vaddq_s32(qn_mul(hi, a->mult[oc], a->shift[oc]), z);
            v0 = vminq_s32(vmaxq_s32(v0, l), h);
            v1 = vminq_s32(vmaxq_s32(v1, l), h);
            ok = 1;
        }
        if (ok) {
            int8x8_t b = vmovn_s16(vcombine_s16(vmovn_s32(v0), vmovn_s32(v1)));
            vst1_s8((int8_t *)a->y + i, b);
            return;
        }
    }
    int32_t s[8];
    vst1q_s32(s, lo);
    vst1q_s32(s + 4, hi);
    for (int64_t l = 0; l < n; l++)
        mote_qconv2d_store(a, oc, i + l, s[l]);
}

static inline uint32_t qn_bias(const mote_qconv2d_args *a, int64_t oc)
{
    return (uint32_t)(a->bias ? a->bias[oc] : 0);
}

/* x - zp fits i16 for every byte x */
static inline int qn_i16_zp(int32_t zp)
{
    return zp >= -32512 && zp <= 32639;
}

/* group 1 with i16 products (smull / smlal) */
static void qn_conv_g1_i16(const mote_qconv2d_args *a, int64_t K)
{
    int16_t patch[QN_MAXK + 8] __attribute__((aligned(16)));
    const int64_t K8 = K / 8 * 8;
    for (int64_t oy = 0; oy < a->OH; oy++)
        for (int64_t ox = 0; ox < a->OW; ox++) {
            int64_t k = 0;
            for (int64_t c = 0; c < a->C; c++)
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    for (int64_t kx = 0; kx < a->KW; kx++, k++) {
                        int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                        patch[k] = (iy < 0 || iy >= a->H || ix < 0 || ix >= a->W) ? 0 :
                            (int16_t)(qn_ld(a->x, a->x_signed, (c * a->H + iy) * a->W + ix) - a->x_zp);
                    }
                }
            for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
                const uint8_t *w = (const uint8_t *)a->w + oc * K;
                const int16x8_t zp = vdupq_n_s16((int16_t)a->w_zp[oc]);
                int32x4_t acc0 = vdupq_n_s32(0), acc1 = acc0;
                int64_t i = 0;
                for (; i < K8; i += 8) {
                    int16x8_t wv = a->w_signed ? vmovl_s8(vld1_s8((const int8_t *)w + i)) :
                                                 vreinterpretq_s16_u16(vmovl_u8(vld1_u8(w + i)));
                    wv = vsubq_s16(wv, zp);
                    int16x8_t pv = vld1q_s16(patch + i);
                    acc0 = vmlal_s16(acc0, vget_low_s16(wv), vget_low_s16(pv));
                    acc1 = vmlal_high_s16(acc1, wv, pv);
                }
                uint32_t s = (uint32_t)vaddvq_s32(vaddq_s32(acc0, acc1)) + qn_bias(a, oc);
                for (; i < K; i++)
                    s += (uint32_t)((qn_ld(w, a->w_signed, i) - a->w_zp[oc]) * patch[i]);
                mote_qconv2d_store(a, oc, (oc * a->OH + oy) * a->OW + ox, (int32_t)s);
            }
        }
}

#ifdef __ARM_FEATURE_DOTPROD
/* group 1 with the dot-product extension (sdot); the zero points moved
 * to signed (xz, wz below) must fit a byte */
static void qn_conv_g1_dot(const mote_qconv2d_args *a, int64_t K)
{
    int8_t patch[QN_MAXK + 16] __attribute__((aligned(16)));
    const int64_t K16 = K / 16 * 16;
    const int32_t xz = a->x_zp - (a->x_signed ? 0 : 128);
    const uint8x16_t wflip = vdupq_n_u8(a->w_signed ? 0 : 0x80);
    const int8x16_t ones = vdupq_n_s8(1);
    for (int64_t oy = 0; oy < a->OH; oy++)
        for (int64_t ox = 0; ox < a->OW; ox++) {
            int64_t k = 0;
            for (int64_t c = 0; c < a->C; c++)
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    for (int64_t kx = 0; kx < a->KW; kx++, k++) {
                        int64_t ix = ox * a->sw - a->pw + kx * a->dw;
                        patch[k] = (iy < 0 || iy >= a->H || ix < 0 || ix >= a->W) ? (int8_t)xz :
                            (int8_t)(((const uint8_t *)a->x)[(c * a->H + iy) * a->W + ix] ^
                                     (a->x_signed ? 0 : 0x80));
                    }
                }
            int32x4_t sxv = vdupq_n_s32(0);
            for (int64_t i = 0; i < K16; i += 16)
                sxv = vdotq_s32(sxv, vld1q_s8(patch + i), ones);
            const uint32_t sx = (uint32_t)vaddvq_s32(sxv);
            for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
                const uint8_t *w = (const uint8_t *)a->w + oc * K;
                const int32_t wz = a->w_zp[oc] - (a->w_signed ? 0 : 128);
                int32x4_t acc0 = vdupq_n_s32(0), acc1 = acc0, sw = acc0;
                int64_t i = 0;
                for (; i + 32 <= K16; i += 32) {
                    int8x16_t w0 = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(w + i), wflip));
                    int8x16_t w1 = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(w + i + 16), wflip));
                    acc0 = vdotq_s32(acc0, w0, vld1q_s8(patch + i));
                    acc1 = vdotq_s32(acc1, w1, vld1q_s8(patch + i + 16));
                    sw = vdotq_s32(vdotq_s32(sw, w0, ones), w1, ones);
                }
                for (; i < K16; i += 16) {
                    int8x16_t w0 = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(w + i), wflip));
                    acc0 = vdotq_s32(acc0, w0, vld1q_s8(patch + i));
                    sw = vdotq_s32(sw, w0, ones);
                }
                uint32_t s = (uint32_t)vaddvq_s32(vaddq_s32(acc0, acc1));
                s -= (uint32_t)wz * sx + (uint32_t)xz * (uint32_t)vaddvq_s32(sw);
                s += (uint32_t)K16 * (uint32_t)xz * (uint32_t)wz;
                s += qn_bias(a, oc);
                for (; i < K; i++)
                    s += (uint32_t)((qn_ld(w, a->w_signed, i) - a->w_zp[oc]) * ((int32_t)patch[i] - xz));
                mote_qconv2d_store(a, oc, (oc * a->OH + oy) * a->OW + ox, (int32_t)s);
            }
        }
}
#endif

static void qn_conv_dw(const mote_qconv2d_args *a)
{
    const int64_t ocg = a->OC / a->groups;
    const int32x4_t xzv = vdupq_n_s32(a->x_zp);
    for (int64_t oc = a->oc0; oc < a->oc1; oc++) {
        const int64_t ic = oc / ocg;
        const int32_t wz = a->w_zp[oc];
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox0 = 0; ox0 < a->OW; ox0 += 8) {
                int32x4_t acc0 = vdupq_n_s32((int32_t)qn_bias(a, oc)), acc1 = acc0;
                const int64_t n = a->OW - ox0 < 8 ? a->OW - ox0 : 8;
                for (int64_t ky = 0; ky < a->KH; ky++) {
                    const int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    if (iy < 0 || iy >= a->H)
                        continue;
                    const int64_t base = (ic * a->H + iy) * a->W;
                    for (int64_t kx = 0; kx < a->KW; kx++) {
                        const int32_t wv = qn_ld(a->w, a->w_signed, (oc * a->KH + ky) * a->KW + kx) - wz;
                        const int64_t ix0 = ox0 * a->sw - a->pw + kx * a->dw;
                        const int64_t ixl = ix0 + (n - 1) * a->sw;
                        int32x4_t x0, x1;
                        if (a->sw == 1 && n == 8 && ix0 >= 0 && ixl < a->W) {
                            const uint8_t *p = (const uint8_t *)a->x + base + ix0;
                            int16x8_t h = a->x_signed ? vmovl_s8(vld1_s8((const int8_t *)p)) :
                                                        vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p)));
                            x0 = vsubq_s32(vmovl_s16(vget_low_s16(h)), xzv);
                            x1 = vsubq_s32(vmovl_high_s16(h), xzv);
                        } else {
                            int32_t t[8] = {0};
                            for (int64_t l = 0; l < n; l++) {
                                const int64_t ix = ix0 + l * a->sw;
                                if (ix >= 0 && ix < a->W)
                                    t[l] = (int32_t)((uint32_t)qn_ld(a->x, a->x_signed, base + ix) -
                                                     (uint32_t)a->x_zp);
                            }
                            x0 = vld1q_s32(t);
                            x1 = vld1q_s32(t + 4);
                        }
                        acc0 = vmlaq_n_s32(acc0, x0, wv);
                        acc1 = vmlaq_n_s32(acc1, x1, wv);
                    }
                }
                qn_store8(a, oc, (oc * a->OH + oy) * a->OW + ox0, n, acc0, acc1);
            }
    }
}

void mote_qconv2d_neon(const mote_qconv2d_args *a)
{
    const int64_t cg = a->C / a->groups, K = cg * a->KH * a->KW;
    if (a->groups == 1 && K <= QN_MAXK) {
#ifdef __ARM_FEATURE_DOTPROD
        const int32_t xz = a->x_zp - (a->x_signed ? 0 : 128);
        int dot = xz >= -128 && xz <= 127;
        for (int64_t oc = a->oc0; dot && oc < a->oc1; oc++) {
            const int32_t wz = a->w_zp[oc] - (a->w_signed ? 0 : 128);
            dot = wz >= -128 && wz <= 127;
        }
        if (dot) {
            qn_conv_g1_dot(a, K);
            return;
        }
#endif
        int ok = qn_i16_zp(a->x_zp);
        for (int64_t oc = a->oc0; ok && oc < a->oc1; oc++)
            ok = qn_i16_zp(a->w_zp[oc]);
        if (ok)
            qn_conv_g1_i16(a, K);
        else
            mote_qconv2d_ref(a);
    } else if (cg == 1) {
        qn_conv_dw(a);
    } else {
        mote_qconv2d_ref(a);
    }
}

/* 8 bytes from p + i widened to i32 (lanes 0-3, 4-7) */
static inline void qn_ld8x2(const void *p, int is_signed, int64_t i, int32x4_t *lo, int32x4_t *hi)
{
    const uint8_t *b = (const uint8_t *)p + i;
    int16x8_t h = is_signed ? vmovl_s8(vld1_s8((const int8_t *)b)) :
                              vreinterpretq_s16_u16(vmovl_u8(vld1_u8(b)));
    *lo = vmovl_s16(vget_low_s16(h));
    *hi = vmovl_high_s16(h);
}

static inline int32x4_t qn_bin4(const mote_qbinary_params *p, int32x4_t av, int32x4_t bv)
{
    av = vsubq_s32(av, vdupq_n_s32(p->a_zp));
    bv = vsubq_s32(bv, vdupq_n_s32(p->b_zp));
    int32x4_t s;
    if (p->kind == MOTE_QBIN_MUL) {
        s = vmulq_s32(av, bv);
    } else {
        av = qn_mul(vshlq_s32(av, vdupq_n_s32(p->left_shift)), p->a_mult, p->a_shift);
        bv = qn_mul(vshlq_s32(bv, vdupq_n_s32(p->left_shift)), p->b_mult, p->b_shift);
        s = p->kind == MOTE_QBIN_SUB ? vsubq_s32(av, bv) : vaddq_s32(av, bv);
    }
    s = vaddq_s32(qn_mul(s, p->y_mult, p->y_shift), vdupq_n_s32(p->y_zp));
    return vminq_s32(vmaxq_s32(s, vdupq_n_s32(p->act_min)), vdupq_n_s32(p->act_max));
}

void mote_qbinary_neon(const mote_qbinary_params *p, const void *a, const void *b, void *y,
                       int64_t e0, int64_t e1)
{
    int64_t e = e0;
    if (p->act_min <= p->act_max && qn_shift_ok(p->y_shift) &&
        (p->kind == MOTE_QBIN_MUL ||
         (qn_shift_ok(p->a_shift) && qn_shift_ok(p->b_shift) && p->left_shift >= 0 && p->left_shift <= 31)))
        for (; e + 8 <= e1; e += 8) {
            int32x4_t a0, a1, b0, b1;
            qn_ld8x2(a, p->is_signed, e, &a0, &a1);
            qn_ld8x2(b, p->is_signed, e, &b0, &b1);
            int32x4_t v0 = qn_bin4(p, a0, b0), v1 = qn_bin4(p, a1, b1);
            vst1_s8((int8_t *)y + e, vmovn_s16(vcombine_s16(vmovn_s32(v0), vmovn_s32(v1))));
        }
    if (e < e1)
        mote_qbinary_ref(p, a, b, y, e, e1);
}

void mote_qlut_neon(const uint8_t *table, const uint8_t *x, uint8_t *y, int64_t e0, int64_t e1)
{
    const uint8x16x4_t t0 = vld1q_u8_x4(table), t1 = vld1q_u8_x4(table + 64);
    const uint8x16x4_t t2 = vld1q_u8_x4(table + 128), t3 = vld1q_u8_x4(table + 192);
    const uint8x16_t k64 = vdupq_n_u8(64);
    int64_t e = e0;
    for (; e + 16 <= e1; e += 16) {
        /* tbl gives 0 and tbx keeps the lane for an index past 63 */
        uint8x16_t i = vld1q_u8(x + e);
        uint8x16_t r = vqtbl4q_u8(t0, i);
        i = vsubq_u8(i, k64);
        r = vqtbx4q_u8(r, t1, i);
        i = vsubq_u8(i, k64);
        r = vqtbx4q_u8(r, t2, i);
        i = vsubq_u8(i, k64);
        r = vqtbx4q_u8(r, t3, i);
        vst1q_u8(y + e, r);
    }
    for (; e < e1; e++)
        y[e] = table[x[e]];
}

/* QuantizeLinear, elements [e0, e1) of one channel's run (scale s, zero
 * point z): the reference's IEEE operations (a true division, round half
 * to even, + z), a NaN made z, the clamp, then a truncating narrow of the
 * exact integer */
static void qn_quantize_run(const float *x, void *y, int is_signed, const float *scale,
                            const int32_t *zp, int64_t C, int64_t inner, int64_t ch,
                            int64_t e0, int64_t e1)
{
    const float s = scale[ch], z = (float)(zp ? zp[ch] : 0);
    const float32x4_t sv = vdupq_n_f32(s), zv = vdupq_n_f32(z);
    const float32x4_t lo = vdupq_n_f32(is_signed ? -128.0f : 0.0f), hi = vdupq_n_f32(is_signed ? 127.0f : 255.0f);
    int64_t e = e0;
    for (; e + 8 <= e1; e += 8) {
        int32x4_t v[2];
        for (int h = 0; h < 2; h++) {
            float32x4_t q = vaddq_f32(vrndnq_f32(vdivq_f32(vld1q_f32(x + e + 4 * h), sv)), zv);
            q = vbslq_f32(vceqq_f32(q, q), q, zv);
            v[h] = vcvtq_s32_f32(vminq_f32(vmaxq_f32(q, lo), hi));
        }
        vst1_s8((int8_t *)y + e, vmovn_s16(vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]))));
    }
    if (e < e1)
        mote_quantize_f32_ref(x, y, is_signed, scale, zp, C, inner, e, e1);
}

void mote_quantize_f32_neon(const float *x, void *y, int is_signed, const float *scale,
                            const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    for (int64_t e = e0; e < e1;) {
        int64_t ch = C == 1 ? 0 : (e / inner) % C;
        int64_t end = C == 1 ? e1 : (e / inner + 1) * inner;
        end = end < e1 ? end : e1;
        qn_quantize_run(x, y, is_signed, scale, zp, C, inner, ch, e, end);
        e = end;
    }
}

/* DequantizeLinear of 8-bit data: (float)(q - zp) * scale, the
 * difference exact in i32 (zero points within 2^24 of a byte; others go
 * to the reference, whose difference is i64) */
void mote_dequantize_8_neon(const void *x, int is_signed, float *y, const float *scale,
                            const int32_t *zp, int64_t C, int64_t inner, int64_t e0, int64_t e1)
{
    for (int64_t e = e0; e < e1;) {
        int64_t ch = C == 1 ? 0 : (e / inner) % C;
        int64_t end = C == 1 ? e1 : (e / inner + 1) * inner;
        end = end < e1 ? end : e1;
        const int32_t z = zp ? zp[ch] : 0;
        int64_t i = e;
        if (z >= -(1 << 24) && z <= (1 << 24)) {
            const int32x4_t zv = vdupq_n_s32(z);
            const float32x4_t sv = vdupq_n_f32(scale[ch]);
            for (; i + 8 <= end; i += 8) {
                int32x4_t a0, a1;
                qn_ld8x2(x, is_signed, i, &a0, &a1);
                vst1q_f32(y + i, vmulq_f32(vcvtq_f32_s32(vsubq_s32(a0, zv)), sv));
                vst1q_f32(y + i + 4, vmulq_f32(vcvtq_f32_s32(vsubq_s32(a1, zv)), sv));
            }
        }
        if (i < end)
            mote_dequantize8_ref(x, is_signed, y, scale, zp, C, inner, i, end);
        e = end;
    }
}
