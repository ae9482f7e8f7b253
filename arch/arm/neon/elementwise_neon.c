/*
 * elementwise_neon.c — NEON unary and binary elementwise kernels and the
 * fused activation, four floats per step.
 *
 * The tail (n not a multiple of 4) is zero-padded into one more vector and
 * goes through the same vector code, so an element's value never depends
 * on where the op layer cut the range. The piecewise-linear functions,
 * sqrt, reciprocal and the binary arithmetic give the reference's bits;
 * exp, tanh, sigmoid, erf and the GELUs are the approximations of
 * neon_math.h. Not here: log and pow (the table leaves them to the
 * reference), broadcasting beyond a scalar operand (the op layer's job).
 */
#include "neon.h"
#include "neon_math.h"

/* y[i] = F(x[i]) for i < n, F a (float32x4_t, alpha, beta) -> float32x4_t
 * inline function. */
#define MOTE_NEON_UNARY(name, F)                                                   \
    void name(int64_t n, const float *x, float *y, float alpha, float beta)         \
    {                                                                               \
        int64_t i = 0;                                                              \
        for (; i + 4 <= n; i += 4)                                                  \
            vst1q_f32(y + i, F(vld1q_f32(x + i), alpha, beta));                     \
        if (i < n)                                                                  \
            mote_neon_store_part(y + i, F(mote_neon_load_part(x + i, n - i), alpha, beta), \
                                 n - i);                                            \
    }

static inline float32x4_t relu_v(float32x4_t x, float a, float b) { return mote_neon_relu(x); }
static inline float32x4_t leaky_v(float32x4_t x, float a, float b) { return mote_neon_leaky(x, a); }
static inline float32x4_t sigmoid_v(float32x4_t x, float a, float b) { return mote_neon_sigmoid(x); }
static inline float32x4_t tanh_v(float32x4_t x, float a, float b) { return mote_neon_tanh(x); }
static inline float32x4_t gelu_v(float32x4_t x, float a, float b) { return mote_neon_gelu(x); }
static inline float32x4_t gelu_tanh_v(float32x4_t x, float a, float b)
{
    return mote_neon_gelu_tanh(x);
}
static inline float32x4_t exp_v(float32x4_t x, float a, float b) { return mote_neon_exp(x); }
static inline float32x4_t sqrt_v(float32x4_t x, float a, float b) { return vsqrtq_f32(x); }
/* min(max(x, alpha), beta) with fmaxf/fminf semantics (a NaN operand loses) */
static inline float32x4_t clip_v(float32x4_t x, float a, float b)
{
    return vminnmq_f32(vmaxnmq_f32(x, vdupq_n_f32(a)), vdupq_n_f32(b));
}
static inline float32x4_t hard_sigmoid_v(float32x4_t x, float a, float b)
{
    return mote_neon_hard_sigmoid(x, a, b);
}
static inline float32x4_t hard_swish_v(float32x4_t x, float a, float b)
{
    return vmulq_f32(x, mote_neon_hard_sigmoid(x, 1.0f / 6.0f, 0.5f));
}
static inline float32x4_t neg_v(float32x4_t x, float a, float b) { return vnegq_f32(x); }
static inline float32x4_t abs_v(float32x4_t x, float a, float b) { return vabsq_f32(x); }
static inline float32x4_t reciprocal_v(float32x4_t x, float a, float b)
{
    return vdivq_f32(vdupq_n_f32(1.0f), x);
}
static inline float32x4_t erf_v(float32x4_t x, float a, float b) { return mote_neon_erf(x); }
static inline float32x4_t silu_v(float32x4_t x, float a, float b)
{
    return vmulq_f32(x, mote_neon_sigmoid(x));
}

MOTE_NEON_UNARY(mote_relu_f32_neon, relu_v)
MOTE_NEON_UNARY(mote_leaky_relu_f32_neon, leaky_v)
MOTE_NEON_UNARY(mote_sigmoid_f32_neon, sigmoid_v)
MOTE_NEON_UNARY(mote_tanh_f32_neon, tanh_v)
MOTE_NEON_UNARY(mote_gelu_f32_neon, gelu_v)
MOTE_NEON_UNARY(mote_gelu_tanh_f32_neon, gelu_tanh_v)
MOTE_NEON_UNARY(mote_exp_f32_neon, exp_v)
MOTE_NEON_UNARY(mote_sqrt_f32_neon, sqrt_v)
MOTE_NEON_UNARY(mote_clip_f32_neon, clip_v)
MOTE_NEON_UNARY(mote_hard_sigmoid_f32_neon, hard_sigmoid_v)
MOTE_NEON_UNARY(mote_hard_swish_f32_neon, hard_swish_v)
MOTE_NEON_UNARY(mote_neg_f32_neon, neg_v)
MOTE_NEON_UNARY(mote_abs_f32_neon, abs_v)
MOTE_NEON_UNARY(mote_reciprocal_f32_neon, reciprocal_v)
MOTE_NEON_UNARY(mote_erf_f32_neon, erf_v)
MOTE_NEON_UNARY(mote_silu_f32_neon, silu_v)

/* x[i] = act(x[i]) in place */
void mote_act_f32_neon(int64_t n, float *x, mote_act act)
{
    if (act.kind == MOTE_ACT_NONE)
        return;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(x + i, mote_neon_act(vld1q_f32(x + i), act));
    if (i < n)
        mote_neon_store_part(x + i, mote_neon_act(mote_neon_load_part(x + i, n - i), act), n - i);
}

/*
 * y[i] = a[i*sa] OP b[i*sb], sa and sb each 0 (scalar) or 1 (vector). The
 * scalar operand is broadcast once; the other is loaded four at a time.
 */
#define MOTE_NEON_BINARY(name, OPV, OPS)                                            \
    void name(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb,     \
              float *y)                                                             \
    {                                                                               \
        int64_t i = 0;                                                              \
        if (sa && sb) {                                                             \
            for (; i + 4 <= n; i += 4)                                              \
                vst1q_f32(y + i, OPV(vld1q_f32(a + i), vld1q_f32(b + i)));          \
        } else if (sb) {                                                            \
            float32x4_t av = vdupq_n_f32(a[0]);                                     \
            for (; i + 4 <= n; i += 4)                                              \
                vst1q_f32(y + i, OPV(av, vld1q_f32(b + i)));                        \
        } else if (sa) {                                                            \
            float32x4_t bv = vdupq_n_f32(b[0]);                                     \
            for (; i + 4 <= n; i += 4)                                              \
                vst1q_f32(y + i, OPV(vld1q_f32(a + i), bv));                        \
        }                                                                           \
        for (; i < n; i++)                                                          \
            y[i] = OPS(a[i * sa], b[i * sb]);                                       \
    }

/* The scalar forms give the same bits as the vector forms (IEEE add, sub,
 * mul, div; maxNum/minNum, where a NaN operand loses, like fmaxf/fminf). */
static inline float add_s(float a, float b) { return a + b; }
static inline float sub_s(float a, float b) { return a - b; }
static inline float mul_s(float a, float b) { return a * b; }
static inline float div_s(float a, float b) { return a / b; }
static inline float max_s(float a, float b) { return vgetq_lane_f32(vmaxnmq_f32(vdupq_n_f32(a), vdupq_n_f32(b)), 0); }
static inline float min_s(float a, float b) { return vgetq_lane_f32(vminnmq_f32(vdupq_n_f32(a), vdupq_n_f32(b)), 0); }

MOTE_NEON_BINARY(mote_add_f32_neon, vaddq_f32, add_s)
MOTE_NEON_BINARY(mote_sub_f32_neon, vsubq_f32, sub_s)
MOTE_NEON_BINARY(mote_mul_f32_neon, vmulq_f32, mul_s)
MOTE_NEON_BINARY(mote_div_f32_neon, vdivq_f32, div_s)
MOTE_NEON_BINARY(mote_max_f32_neon, vmaxnmq_f32, max_s)
MOTE_NEON_BINARY(mote_min_f32_neon, vminnmq_f32, min_s)
