/*
 * a_unary.c — reference kernels for the unary entries the ONNX importer's
 * first op group appended to mote_unary_op: rounding, sign and the
 * exponential-family activations. One loop each, libm for the math.
 * Not the op layer (src/ops/op_a_unary.c).
 */
#include <math.h>
#include "a_kernels.h"

/* y = floor(x) */
void mote_floor_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = floorf(x[i]);
}

/* y = ceil(x) */
void mote_ceil_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = ceilf(x[i]);
}

/* y = the integer nearest x; a tie (x - floor x = 1/2) goes to the even one
 * (ONNX Round, numpy.round). Written out rather than rintf so the result
 * does not depend on the floating-point rounding mode. */
static float round_even(float x)
{
    float f = floorf(x), d = x - f;
    if (d > 0.5f || (d == 0.5f && fmodf(f, 2.0f) != 0.0f))
        f += 1.0f;
    return isfinite(x) ? f : x;
}

void mote_round_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = round_even(x[i]);
}

/* y = 1 if x > 0, -1 if x < 0, else x (0, -0 and NaN pass through) */
void mote_sign_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? 1.0f : x[i] < 0.0f ? -1.0f : x[i];
}

/* y = x > 0 ? x : alpha (e^x - 1) */
void mote_elu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : alpha * expm1f(x[i]);
}

/* y = gamma (x > 0 ? x : alpha (e^x - 1)), gamma passed as beta */
void mote_selu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = beta * (x[i] > 0.0f ? x[i] : alpha * expm1f(x[i]));
}

/* softplus(x) = ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|) so that
 * large |x| neither overflows nor loses the small term. */
static float softplus1(float x)
{
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

void mote_softplus_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = softplus1(x[i]);
}

/* y = x tanh(softplus(x)) */
void mote_mish_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = x[i] * tanhf(softplus1(x[i]));
}
