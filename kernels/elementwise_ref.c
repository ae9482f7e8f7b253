/*
 * elementwise_ref.c — reference unary and binary elementwise kernels and the
 * fused activations: every entry of mote_unary_op and mote_binary_op.
 *
 * Each function is the definition of its math: one loop, libm for the
 * transcendental functions (expf, tanhf, erff). Fast kernels approximate
 * these and are tested against them. No broadcasting beyond a scalar
 * operand (stride 0): the op layer walks shapes.
 */
#include <math.h>
#include "ref.h"


#define MOTE_SQRT1_2 0.70710678118654752440f   /* 1 / sqrt(2)   */
#define MOTE_SQRT2_PI 0.79788456080286535588f  /* sqrt(2 / pi)  */

/* ------------------------------------------------------------ one value */

static float relu1(float x) { return x > 0.0f ? x : 0.0f; }
static float sigmoid1(float x) { return 1.0f / (1.0f + expf(-x)); }
static float gelu1(float x) { return 0.5f * x * (1.0f + erff(x * MOTE_SQRT1_2)); }
static float clip1(float x, float lo, float hi) { return fminf(fmaxf(x, lo), hi); }
static float hard_sigmoid1(float x, float alpha, float beta)
{
    return fmaxf(0.0f, fminf(1.0f, alpha * x + beta));
}
static float hard_swish1(float x) { return x * hard_sigmoid1(x, 1.0f / 6.0f, 0.5f); }

/* y = act(x), see mote_act_kind for each formula. */
float mote_act_apply_ref(float x, mote_act act)
{
    switch (act.kind) {
    case MOTE_ACT_NONE: return x;
    case MOTE_ACT_RELU: return relu1(x);
    case MOTE_ACT_LEAKY_RELU: return x >= 0.0f ? x : act.alpha * x;
    case MOTE_ACT_CLIP: return clip1(x, act.alpha, act.beta);
    case MOTE_ACT_SIGMOID: return sigmoid1(x);
    case MOTE_ACT_TANH: return tanhf(x);
    case MOTE_ACT_HARD_SIGMOID: return hard_sigmoid1(x, act.alpha, act.beta);
    case MOTE_ACT_HARD_SWISH: return hard_swish1(x);
    case MOTE_ACT_GELU: return gelu1(x);
    default: return x;
    }
}

/* x[i] = act(x[i]) for i in [0, n) */
void mote_act_f32_ref(int64_t n, float *x, mote_act act)
{
    if (act.kind == MOTE_ACT_NONE)
        return;
    for (int64_t i = 0; i < n; i++)
        x[i] = mote_act_apply_ref(x[i], act);
}

/* ---------------------------------------------------------------- unary */

/* y = max(x, 0) */
void mote_relu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = relu1(x[i]);
}

/* y = x >= 0 ? x : alpha * x */
void mote_leaky_relu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = x[i] >= 0.0f ? x[i] : alpha * x[i];
}

/* y = 1 / (1 + exp(-x)) */
void mote_sigmoid_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

/* y = tanh(x) */
void mote_tanh_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

/* y = 0.5 x (1 + erf(x / sqrt 2)) */
void mote_gelu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = gelu1(x[i]);
}

/* y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
void mote_gelu_tanh_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = 0.5f * v * (1.0f + tanhf(MOTE_SQRT2_PI * (v + 0.044715f * v * v * v)));
    }
}

/* y = e^x */
void mote_exp_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

/* y = sqrt(x) (NaN for x < 0) */
void mote_sqrt_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = sqrtf(x[i]);
}

/* y = min(max(x, alpha), beta) */
void mote_clip_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = clip1(x[i], alpha, beta);
}

/* y = max(0, min(1, alpha x + beta)) */
void mote_hard_sigmoid_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = hard_sigmoid1(x[i], alpha, beta);
}

/* y = x max(0, min(1, x/6 + 1/2)) */
void mote_hard_swish_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = hard_swish1(x[i]);
}

/* y = -x */
void mote_neg_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = -x[i];
}

/* y = |x| */
void mote_abs_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = fabsf(x[i]);
}

/* y = 1 / x */
void mote_reciprocal_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = 1.0f / x[i];
}

/* y = ln x */
void mote_log_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = logf(x[i]);
}

/* y = erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt */
void mote_erf_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = erff(x[i]);
}

/* y = x * sigmoid(x) = x / (1 + exp(-x)) */
void mote_silu_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = x[i] * sigmoid1(x[i]);
}

/* --------------------------------------------------------------- binary */

/* y[i] = a[i*sa] + b[i*sb] */
void mote_add_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i * sa] + b[i * sb];
}

/* y[i] = a[i*sa] - b[i*sb] */
void mote_sub_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i * sa] - b[i * sb];
}

/* y[i] = a[i*sa] * b[i*sb] */
void mote_mul_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i * sa] * b[i * sb];
}

/* y[i] = a[i*sa] / b[i*sb] (IEEE: x/0 is +-inf or NaN) */
void mote_div_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i * sa] / b[i * sb];
}

/* y[i] = max(a[i*sa], b[i*sb]) (fmaxf: a NaN operand loses) */
void mote_max_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = fmaxf(a[i * sa], b[i * sb]);
}

/* y[i] = min(a[i*sa], b[i*sb]) (fminf: a NaN operand loses) */
void mote_min_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = fminf(a[i * sa], b[i * sb]);
}

/* y[i] = a[i*sa] ^ b[i*sb] */
void mote_pow_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = powf(a[i * sa], b[i * sb]);
}

/* y[i] = a < 0 ? b a : a, a = a[i*sa], b = b[i*sb] (PRelu: b is the slope) */
void mote_prelu_f32_ref(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y)
{
    for (int64_t i = 0; i < n; i++) {
        float x = a[i * sa];
        y[i] = x < 0.0f ? b[i * sb] * x : x;
    }
}

/* ------------------------------- rounding, sign, exponential family */
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

/* y = sin(x) */
void mote_sin_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = sinf(x[i]);
}

/* y = cos(x) */
void mote_cos_f32_ref(int64_t n, const float *x, float *y, float alpha, float beta)
{
    for (int64_t i = 0; i < n; i++) y[i] = cosf(x[i]);
}
