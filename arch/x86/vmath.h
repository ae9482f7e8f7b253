/*
 * vmath.h — vectorized exp, sigmoid, tanh, erf, gelu and the fused
 * activations, written once over the vector shim (simd_avx2.h or
 * simd_avx512.h must be included first).
 *
 * These are polynomial approximations, not correctly rounded functions.
 * Their maximum errors against double-precision libm, measured over a
 * dense sweep (2^18 points) by tests/test_kernels.c
 * (test_approximations_within_their_documented_bounds, which asserts the
 * bound) and listed in docs/kernels.md; measured value, then the bound:
 *   exp      x in [-87, 88]    relative  7.6e-8  (bound 3e-7)
 *   sigmoid  x in [-30, 30]    absolute  8.9e-8  (bound 2e-7)
 *   tanh     x in [-10, 10]    absolute  8.9e-8  (bound 3e-7)
 *   erf      x in [-6, 6]      absolute  3.1e-7  (bound 4e-7; the A&S formula)
 *   gelu     x in [-10, 10]    absolute / max(1,|x|)  1.8e-7  (bound 3e-7)
 * Not here: log, pow (the reference's scalar libm calls are used).
 */
#ifndef MOTE_X86_VMATH_H
#define MOTE_X86_VMATH_H

#include "kernels.h"

/*
 * exp(x) = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2, |r| <= ln2/2.
 * ln 2 is split into a high part with few significant bits (n * hi is exact)
 * and a low part (Cody and Waite), so r keeps full precision. e^r is its
 * Taylor polynomial to degree 7: truncation error r^8/8! < 5e-9 on the
 * interval, far below float rounding. x is clamped to [-104, 89] so that n
 * stays in the range v_ldexp handles; outside, exp under/overflows anyway.
 */
static inline vf v_exp(vf x)
{
    /* constants first: max_ps/min_ps return their second operand when one
     * is NaN, so a NaN x stays NaN (and so do sigmoid, tanh, erf of it) */
    x = v_min(v_set1(89.0f), v_max(v_set1(-104.0f), x));
    vf n = v_round(v_mul(x, v_set1(1.44269504088896341f)));
    vf r = v_fnma(n, v_set1(0.693145751953125f), x);
    r = v_fnma(n, v_set1(1.42860682030941723212e-6f), r);
    vf p = v_set1(1.0f / 5040.0f);
    p = v_fma(p, r, v_set1(1.0f / 720.0f));
    p = v_fma(p, r, v_set1(1.0f / 120.0f));
    p = v_fma(p, r, v_set1(1.0f / 24.0f));
    p = v_fma(p, r, v_set1(1.0f / 6.0f));
    p = v_fma(p, r, v_set1(0.5f));
    p = v_fma(p, r, v_set1(1.0f));
    p = v_fma(p, r, v_set1(1.0f));
    return v_ldexp(p, n);
}

/* sigmoid(x) = 1 / (1 + e^-x); e^-x overflows to inf for x < -89, giving 0. */
static inline vf v_sigmoid(vf x)
{
    return v_div(v_set1(1.0f), v_add(v_set1(1.0f), v_exp(v_neg(x))));
}

/*
 * tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)). For |x| < 0.25 the subtraction
 * cancels, so there the odd Taylor series x - x^3/3 + 2x^5/15 - 17x^7/315
 * + 62x^9/2835 is used (next term 1382x^11/155925 < 1e-8 relative).
 */
static inline vf v_tanh(vf x)
{
    vf ax = v_abs(x);
    vf e = v_exp(v_add(ax, ax));
    vf big = v_sub(v_set1(1.0f), v_div(v_set1(2.0f), v_add(e, v_set1(1.0f))));
    vf x2 = v_mul(x, x);
    vf p = v_set1(62.0f / 2835.0f);
    p = v_fma(p, x2, v_set1(-17.0f / 315.0f));
    p = v_fma(p, x2, v_set1(2.0f / 15.0f));
    p = v_fma(p, x2, v_set1(-1.0f / 3.0f));
    vf small = v_fma(v_mul(p, x2), x, x);
    return v_select_lt(ax, v_set1(0.25f), small, v_copysign(big, x));
}

/*
 * erf(x). |x| < 0.5: the Maclaurin series
 *   2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320 + x^13/9360),
 * truncation < 1e-9. |x| >= 0.5: Abramowitz and Stegun 7.1.26,
 *   erf x = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) e^{-x^2},
 *   t = 1 / (1 + p x), p = 0.3275911, |error| <= 1.5e-7.
 */
static inline vf v_erf(vf x)
{
    vf ax = v_abs(x);
    vf x2 = v_mul(x, x);
    vf s = v_set1(1.0f / 9360.0f);
    s = v_fma(s, x2, v_set1(-1.0f / 1320.0f));
    s = v_fma(s, x2, v_set1(1.0f / 216.0f));
    s = v_fma(s, x2, v_set1(-1.0f / 42.0f));
    s = v_fma(s, x2, v_set1(1.0f / 10.0f));
    s = v_fma(s, x2, v_set1(-1.0f / 3.0f));
    s = v_fma(s, x2, v_set1(1.0f));
    vf small = v_mul(v_mul(s, x), v_set1(1.12837916709551257f));
    vf t = v_div(v_set1(1.0f), v_fma(v_set1(0.3275911f), ax, v_set1(1.0f)));
    vf q = v_set1(1.061405429f);
    q = v_fma(q, t, v_set1(-1.453152027f));
    q = v_fma(q, t, v_set1(1.421413741f));
    q = v_fma(q, t, v_set1(-0.284496736f));
    q = v_fma(q, t, v_set1(0.254829592f));
    q = v_mul(q, t);
    vf big = v_fnma(q, v_exp(v_neg(x2)), v_set1(1.0f));
    return v_select_lt(ax, v_set1(0.5f), small, v_copysign(big, x));
}

/* gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) */
static inline vf v_gelu(vf x)
{
    vf e = v_erf(v_mul(x, v_set1(0.70710678118654752f)));
    return v_mul(v_mul(v_set1(0.5f), x), v_add(v_set1(1.0f), e));
}

/* gelu, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
static inline vf v_gelu_tanh(vf x)
{
    vf u = v_mul(v_set1(0.79788456080286536f), v_fma(v_mul(v_set1(0.044715f), x), v_mul(x, x), x));
    return v_mul(v_mul(v_set1(0.5f), x), v_add(v_set1(1.0f), v_tanh(u)));
}

/* hard_sigmoid(x) = max(0, min(1, alpha x + beta)), a NaN losing to the
 * bounds as with the reference's fminf / fmaxf */
static inline vf v_hard_sigmoid(vf x, float alpha, float beta)
{
    return v_max(v_min(v_fma(v_set1(alpha), x, v_set1(beta)), v_set1(1.0f)), v_zero());
}

/* The fused activation of a GEMM/conv epilogue (mote_act semantics). */
static inline vf v_act(vf x, const mote_act *a)
{
    switch (a->kind) {
    case MOTE_ACT_NONE: return x;
    case MOTE_ACT_RELU: return v_max(x, v_zero());
    case MOTE_ACT_LEAKY_RELU:
        return v_select_lt(x, v_zero(), v_mul(x, v_set1(a->alpha)), x);
    case MOTE_ACT_CLIP: return v_min(v_max(x, v_set1(a->alpha)), v_set1(a->beta));
    case MOTE_ACT_SIGMOID: return v_sigmoid(x);
    case MOTE_ACT_TANH: return v_tanh(x);
    case MOTE_ACT_HARD_SIGMOID: return v_hard_sigmoid(x, a->alpha, a->beta);
    case MOTE_ACT_HARD_SWISH: return v_mul(x, v_hard_sigmoid(x, 1.0f / 6.0f, 0.5f));
    case MOTE_ACT_GELU: return v_gelu(x);
    default: return x;
    }
}

#endif
