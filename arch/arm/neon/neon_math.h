/*
 * neon_math.h — 4-lane (float32x4_t) approximations of exp, expm1, tanh,
 * erf, sigmoid and GELU, and the fused activations, shared by the NEON
 * kernels of arch/arm/neon/.
 *
 * Each function states its method and its measured accuracy against libm
 * (tests/test_kernels.c measures and prints the maximum error; the
 * figures are in docs/arm.md). Every lane is computed the same way, so a
 * kernel that runs its tail through these functions too (zero-padded to
 * four lanes) gives each element the same value whatever range it is
 * called on. This is not a general vector libm: no errno, and the
 * argument ranges are the ones the kernels need.
 */
#ifndef MOTE_NEON_MATH_H
#define MOTE_NEON_MATH_H

#include <arm_neon.h>
#include "kernels.h"

/* 2^n for integer lanes n in [-126, 127], by building the exponent field. */
static inline float32x4_t mote_neon_pow2i(int32x4_t n)
{
    return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23));
}

/*
 * e^x. Write x = n ln2 + r with n = round(x / ln2), |r| <= ln2/2 (ln2 in
 * two parts so that r is exact to float precision); then e^x = 2^n e^r,
 * e^r by its Taylor polynomial to r^7 (truncation < 0.35^8/8! ~ 6e-9
 * relative). 2^n is applied as two halves so that results in the
 * subnormal range (x down to -104) and the overflow to +inf (x > 88.72)
 * come out as libm's; NaN stays NaN. Max relative error: about 2 ulp.
 */
static inline float32x4_t mote_neon_exp(float32x4_t x)
{
    const float32x4_t ln2_hi = vdupq_n_f32(0.693145751953125f);
    const float32x4_t ln2_lo = vdupq_n_f32(1.42860682030941723e-6f);
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-104.0f)), vdupq_n_f32(89.0f));
    float32x4_t nf = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
    float32x4_t r = vfmsq_f32(x, nf, ln2_hi);
    r = vfmsq_f32(r, nf, ln2_lo);
    float32x4_t p = vdupq_n_f32(1.0f / 5040.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 720.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    int32x4_t n = vcvtq_s32_f32(nf);
    int32x4_t n1 = vshrq_n_s32(n, 1);          /* floor(n / 2) */
    int32x4_t n2 = vsubq_s32(n, n1);
    return vmulq_f32(vmulq_f32(p, mote_neon_pow2i(n1)), mote_neon_pow2i(n2));
}

/*
 * e^y - 1 for y in [0, 18], without the cancellation of exp(y) - 1 near 0:
 * y = n ln2 + r, e^y - 1 = 2^n (e^r - 1) + (2^n - 1), with
 * e^r - 1 = r (1 + r/2 + ... + r^7/8!) (truncation < 3e-10 relative).
 */
static inline float32x4_t mote_neon_expm1_pos(float32x4_t y)
{
    const float32x4_t ln2_hi = vdupq_n_f32(0.693145751953125f);
    const float32x4_t ln2_lo = vdupq_n_f32(1.42860682030941723e-6f);
    float32x4_t nf = vrndnq_f32(vmulq_f32(y, vdupq_n_f32(1.44269504088896341f)));
    float32x4_t r = vfmsq_f32(y, nf, ln2_hi);
    r = vfmsq_f32(r, nf, ln2_lo);
    float32x4_t p = vdupq_n_f32(1.0f / 40320.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 5040.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 720.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    float32x4_t q = vmulq_f32(p, r);                       /* e^r - 1 */
    float32x4_t s = mote_neon_pow2i(vcvtq_s32_f32(nf));    /* 2^n, n in [0, 26] */
    return vfmaq_f32(vsubq_f32(s, vdupq_n_f32(1.0f)), s, q);
}

/* The sign bit of `sign` on the magnitude of `mag`. */
static inline float32x4_t mote_neon_copysign(float32x4_t mag, float32x4_t sign)
{
    return vbslq_f32(vdupq_n_u32(0x80000000u), sign, mag);
}

/*
 * tanh x = sign(x) * m / (m + 2), m = e^(2|x|) - 1, |x| clamped to 9
 * (tanh 9 rounds to 1 in float). Max relative error: about 3 ulp.
 */
static inline float32x4_t mote_neon_tanh(float32x4_t x)
{
    float32x4_t ax = vminq_f32(vabsq_f32(x), vdupq_n_f32(9.0f));
    float32x4_t m = mote_neon_expm1_pos(vaddq_f32(ax, ax));
    float32x4_t t = vdivq_f32(m, vaddq_f32(m, vdupq_n_f32(2.0f)));
    return mote_neon_copysign(t, x);
}

/* sigmoid x = 1 / (1 + e^-x) (the reference's formula, with the exp above). */
static inline float32x4_t mote_neon_sigmoid(float32x4_t x)
{
    float32x4_t e = mote_neon_exp(vnegq_f32(x));
    return vdivq_f32(vdupq_n_f32(1.0f), vaddq_f32(vdupq_n_f32(1.0f), e));
}

/*
 * erf x.
 *   |x| < 1: the Maclaurin series erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)),
 *            to n = 10 (the first omitted term is < 1.1e-9);
 *   |x| >= 1: Abramowitz & Stegun 7.1.26, erf x = 1 - t (a1 + t (a2 + ... + t a5)) e^(-x^2),
 *            t = 1 / (1 + p x), whose own absolute error is below 1.5e-7.
 * Odd in x. Measured max abs error: see docs/arm.md (about 1.2e-7).
 */
static inline float32x4_t mote_neon_erf(float32x4_t x)
{
    float32x4_t ax = vabsq_f32(x);
    float32x4_t z = vmulq_f32(x, x);
    /* series in z = x^2, coefficients (-1)^n / (n! (2n+1)) */
    float32x4_t s = vdupq_n_f32(1.0f / 76204800.0f);
    s = vfmaq_f32(vdupq_n_f32(-1.0f / 6894720.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(1.0f / 685440.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(-1.0f / 75600.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(1.0f / 9360.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(-1.0f / 1320.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(1.0f / 216.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(-1.0f / 42.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(1.0f / 10.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(-1.0f / 3.0f), s, z);
    s = vfmaq_f32(vdupq_n_f32(1.0f), s, z);
    float32x4_t small = vmulq_f32(vmulq_f32(s, x), vdupq_n_f32(1.12837916709551257f));
    /* A&S 7.1.26 */
    float32x4_t t = vdivq_f32(vdupq_n_f32(1.0f),
                              vfmaq_f32(vdupq_n_f32(1.0f), ax, vdupq_n_f32(0.3275911f)));
    float32x4_t p = vdupq_n_f32(1.061405429f);
    p = vfmaq_f32(vdupq_n_f32(-1.453152027f), p, t);
    p = vfmaq_f32(vdupq_n_f32(1.421413741f), p, t);
    p = vfmaq_f32(vdupq_n_f32(-0.284496736f), p, t);
    p = vfmaq_f32(vdupq_n_f32(0.254829592f), p, t);
    p = vmulq_f32(p, t);
    float32x4_t e = mote_neon_exp(vnegq_f32(z));
    float32x4_t large = mote_neon_copysign(vfmsq_f32(vdupq_n_f32(1.0f), p, e), x);
    return vbslq_f32(vcltq_f32(ax, vdupq_n_f32(1.0f)), small, large);
}

/* GELU, exact form: 0.5 x (1 + erf(x / sqrt 2)). */
static inline float32x4_t mote_neon_gelu(float32x4_t x)
{
    float32x4_t e = mote_neon_erf(vmulq_f32(x, vdupq_n_f32(0.70710678118654752f)));
    return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), x), vaddq_f32(vdupq_n_f32(1.0f), e));
}

/* GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
static inline float32x4_t mote_neon_gelu_tanh(float32x4_t x)
{
    float32x4_t x3 = vmulq_f32(vmulq_f32(x, x), x);
    float32x4_t u = vmulq_f32(vdupq_n_f32(0.79788456080286536f),
                              vaddq_f32(x, vmulq_f32(vdupq_n_f32(0.044715f), x3)));
    return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), x),
                     vaddq_f32(vdupq_n_f32(1.0f), mote_neon_tanh(u)));
}

/* max(0, min(1, alpha x + beta)), product and sum rounded separately as in
 * the reference (so the piecewise-linear functions match it exactly). */
static inline float32x4_t mote_neon_hard_sigmoid(float32x4_t x, float alpha, float beta)
{
    float32x4_t v = vaddq_f32(vmulq_f32(vdupq_n_f32(alpha), x), vdupq_n_f32(beta));
    return vmaxnmq_f32(vdupq_n_f32(0.0f), vminnmq_f32(vdupq_n_f32(1.0f), v));
}

/* x >= 0 ? x : alpha x  (and relu: x > 0 ? x : 0), as the reference selects */
static inline float32x4_t mote_neon_leaky(float32x4_t x, float alpha)
{
    return vbslq_f32(vcgeq_f32(x, vdupq_n_f32(0.0f)), x, vmulq_f32(vdupq_n_f32(alpha), x));
}
static inline float32x4_t mote_neon_relu(float32x4_t x)
{
    return vbslq_f32(vcgtq_f32(x, vdupq_n_f32(0.0f)), x, vdupq_n_f32(0.0f));
}

/* The fused activation `act` (see mote_act_kind) on four values. */
static inline float32x4_t mote_neon_act(float32x4_t x, mote_act act)
{
    switch (act.kind) {
    case MOTE_ACT_NONE: return x;
    case MOTE_ACT_RELU: return mote_neon_relu(x);
    case MOTE_ACT_LEAKY_RELU: return mote_neon_leaky(x, act.alpha);
    case MOTE_ACT_CLIP:
        return vminnmq_f32(vmaxnmq_f32(x, vdupq_n_f32(act.alpha)), vdupq_n_f32(act.beta));
    case MOTE_ACT_SIGMOID: return mote_neon_sigmoid(x);
    case MOTE_ACT_TANH: return mote_neon_tanh(x);
    case MOTE_ACT_HARD_SIGMOID: return mote_neon_hard_sigmoid(x, act.alpha, act.beta);
    case MOTE_ACT_HARD_SWISH:
        return vmulq_f32(x, mote_neon_hard_sigmoid(x, 1.0f / 6.0f, 0.5f));
    case MOTE_ACT_GELU: return mote_neon_gelu(x);
    default: return x;
    }
}

/* Loads n < 4 floats into the low lanes (the rest 0) / stores the low n lanes. */
static inline float32x4_t mote_neon_load_part(const float *p, int64_t n)
{
    float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int64_t i = 0; i < n; i++) t[i] = p[i];
    return vld1q_f32(t);
}
static inline void mote_neon_store_part(float *p, float32x4_t v, int64_t n)
{
    float t[4];
    vst1q_f32(t, v);
    for (int64_t i = 0; i < n; i++) p[i] = t[i];
}

#endif
