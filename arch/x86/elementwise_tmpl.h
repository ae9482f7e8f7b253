/*
 * elementwise_tmpl.h — unary, binary and activation kernels, softmax,
 * layer/RMS normalization, channel affine and global average pooling,
 * written once over the vector shim and instantiated per ISA
 * (avx512/elementwise_avx512.c, avx2/elementwise_avx2.c).
 *
 * The including file defines EW_NAME(x), the exported name of entry x.
 * Every loop runs full vectors then one masked vector for the tail, so no
 * element is read or written outside [0, n). Reductions (sums, max) use
 * vector partial sums: their rounding differs from the reference's
 * left-to-right sum by a few ulp (tolerances in tests/test_kernels.c).
 * Not here: log and pow (NULL entries, the reference runs).
 */
#include <math.h>
#include <stdint.h>
#include "kernels.h"
#include "vmath.h"

/* Applies vector expression F(x) (a macro of `x`) to y[0:n] = F(x[0:n]). */
#define EW_MAP(n, src, dst, F)                                            \
    do {                                                                  \
        int64_t i_ = 0;                                                   \
        for (; i_ + VLEN <= (n); i_ += VLEN) {                            \
            vf x = v_load((src) + i_);                                    \
            v_store((dst) + i_, F);                                       \
        }                                                                 \
        if (i_ < (n)) {                                                   \
            vf x = v_load_n((src) + i_, (n) - i_);                        \
            v_store_n((dst) + i_, F, (n) - i_);                           \
        }                                                                 \
    } while (0)

#define UNARY(name, F)                                                    \
    void EW_NAME(name)(int64_t n, const float *xs, float *ys, float alpha, float beta) \
    {                                                                     \
        (void)alpha; (void)beta;                                          \
        EW_MAP(n, xs, ys, F);                                             \
    }

UNARY(relu, v_max(x, v_zero()))
UNARY(leaky_relu, v_select_lt(x, v_zero(), v_mul(x, v_set1(alpha)), x))
UNARY(sigmoid, v_sigmoid(x))
UNARY(tanh, v_tanh(x))
UNARY(gelu, v_gelu(x))
UNARY(gelu_tanh, v_gelu_tanh(x))
UNARY(exp, v_exp(x))
UNARY(sqrt, v_sqrt(x))
UNARY(clip, v_min(v_max(x, v_set1(alpha)), v_set1(beta)))
UNARY(hard_sigmoid, v_hard_sigmoid(x, alpha, beta))
UNARY(hard_swish, v_mul(x, v_hard_sigmoid(x, 1.0f / 6.0f, 0.5f)))
UNARY(neg, v_neg(x))
UNARY(abs, v_abs(x))
UNARY(reciprocal, v_div(v_set1(1.0f), x))
UNARY(erf, v_erf(x))
UNARY(silu, v_mul(x, v_sigmoid(x)))

/* y[i] = a[i*sa] OP b[i*sb], sa and sb in {0, 1}. */
#define BINARY(name, OP)                                                  \
    void EW_NAME(name)(int64_t n, const float *a, int64_t sa, const float *b, int64_t sb, float *y) \
    {                                                                     \
        vf ca = sa ? v_zero() : v_set1(a[0]);                             \
        vf cb = sb ? v_zero() : v_set1(b[0]);                             \
        int64_t i = 0;                                                    \
        for (; i + VLEN <= n; i += VLEN) {                                \
            vf p = sa ? v_load(a + i) : ca, q = sb ? v_load(b + i) : cb;  \
            v_store(y + i, OP(p, q));                                     \
        }                                                                 \
        if (i < n) {                                                      \
            vf p = sa ? v_load_n(a + i, n - i) : ca;                      \
            vf q = sb ? v_load_n(b + i, n - i) : cb;                      \
            v_store_n(y + i, OP(p, q), n - i);                            \
        }                                                                 \
    }

BINARY(add, v_add)
BINARY(sub, v_sub)
BINARY(mul, v_mul)
BINARY(div, v_div)
BINARY(max, v_fmax)   /* a NaN operand loses, as in the reference */
BINARY(min, v_fmin)

/* x[i] = act(x[i]) in place */
void EW_NAME(act)(int64_t n, float *xs, mote_act act)
{
    if (act.kind == MOTE_ACT_NONE) return;
    EW_MAP(n, xs, xs, v_act(x, &act));
}

/* Row-wise softmax: y = e^(x - max) / sum e^(x - max); log form
 * y = x - max - log(sum e^(x - max)). */
void EW_NAME(softmax)(int64_t rows, int64_t n, const float *x, float *y, int log_form)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        vf m = v_set1(-INFINITY);
        int64_t i = 0;
        for (; i + VLEN <= n; i += VLEN) m = v_max(m, v_load(xr + i));
        float mx = v_hmax(m);
        for (; i < n; i++) mx = xr[i] > mx ? xr[i] : mx;
        vf vm = v_set1(mx), s = v_zero();
        for (i = 0; i + VLEN <= n; i += VLEN) {
            vf e = v_exp(v_sub(v_load(xr + i), vm));
            if (!log_form) v_store(yr + i, e);
            s = v_add(s, e);
        }
        if (i < n) {
            /* masked lanes: exp of (0 - max) must not count, so zero them */
            vf e = v_exp(v_sub(v_load_n(xr + i, n - i), vm));
            e = v_keep_n(e, n - i);
            if (!log_form) v_store_n(yr + i, e, n - i);
            s = v_add(s, e);
        }
        float sum = v_hsum(s);
        if (log_form) {
            vf off = v_set1(mx + logf(sum));
            EW_MAP(n, xr, yr, v_sub(x, off));
        } else {
            vf inv = v_set1(1.0f / sum);
            EW_MAP(n, yr, yr, v_mul(x, inv));
        }
    }
}

/* Sum of x[0:n] by vector partial sums. */
static inline float ew_sum(int64_t n, const float *x)
{
    vf s0 = v_zero(), s1 = v_zero();
    int64_t i = 0;
    for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
        s0 = v_add(s0, v_load(x + i));
        s1 = v_add(s1, v_load(x + i + VLEN));
    }
    for (; i < n; i += VLEN) s0 = v_add(s0, v_load_n(x + i, n - i));
    return v_hsum(v_add(s0, s1));
}

/* Sum of (x[i] - c)^2. */
static inline float ew_sumsq(int64_t n, const float *x, float c)
{
    vf s0 = v_zero(), s1 = v_zero(), vc = v_set1(c);
    int64_t i = 0;
    for (; i + 2 * VLEN <= n; i += 2 * VLEN) {
        vf d0 = v_sub(v_load(x + i), vc), d1 = v_sub(v_load(x + i + VLEN), vc);
        s0 = v_fma(d0, d0, s0);
        s1 = v_fma(d1, d1, s1);
    }
    for (; i < n; i += VLEN) {
        /* masked lanes load 0; subtracting c there must not count */
        vf d = v_sub(v_load_n(x + i, n - i), vc);
        d = v_keep_n(d, n - i);
        s0 = v_fma(d, d, s0);
    }
    return v_hsum(v_add(s0, s1));
}

/* y = (x - mean) / sqrt(var + eps) * gamma + beta per row; var by a second
 * pass over (x - mean)^2 (no cancellation). */
void EW_NAME(layernorm)(int64_t rows, int64_t n, const float *x, const float *gamma,
                        const float *beta, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float mean = ew_sum(n, xr) / (float)n;
        float var = ew_sumsq(n, xr, mean) / (float)n;
        vf vm = v_set1(mean), vs = v_set1(1.0f / sqrtf(var + eps));
        int64_t i = 0;
        for (; i < n; i += VLEN) {
            int64_t k = n - i;
            vf v = v_mul(v_sub(v_load_n(xr + i, k), vm), vs);
            if (gamma) v = v_mul(v, v_load_n(gamma + i, k));
            if (beta) v = v_add(v, v_load_n(beta + i, k));
            v_store_n(yr + i, v, k);
        }
    }
}

/* y = x / sqrt(mean(x^2) + eps) * gamma per row */
void EW_NAME(rmsnorm)(int64_t rows, int64_t n, const float *x, const float *gamma,
                      float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float ms = ew_sumsq(n, xr, 0.0f) / (float)n;
        vf vs = v_set1(1.0f / sqrtf(ms + eps));
        for (int64_t i = 0; i < n; i += VLEN) {
            int64_t k = n - i;
            vf v = v_mul(v_load_n(xr + i, k), vs);
            if (gamma) v = v_mul(v, v_load_n(gamma + i, k));
            v_store_n(yr + i, v, k);
        }
    }
}

/* y[c, :] = x[c, :] * scale[c] + shift[c] */
void EW_NAME(channel_affine)(int64_t C, int64_t HW, const float *xs, const float *scale,
                             const float *shift, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        vf s = v_set1(scale[c]), t = v_set1(shift[c]);
        EW_MAP(HW, xs + c * HW, y + c * HW, v_fma(x, s, t));
    }
}

/* y[c] = sum(x[c, :]) / HW */
void EW_NAME(global_avgpool)(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) y[c] = ew_sum(HW, x + c * HW) / (float)HW;
}

/* y[c] = max(x[c, :]), two vector maxima then the tail; v_max(x, m) keeps
 * m when x is NaN, and the tail tests x > m, as the reference does */
void EW_NAME(global_maxpool)(int64_t C, int64_t HW, const float *x, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        const float *xr = x + c * HW;
        vf m0 = v_set1(-INFINITY), m1 = m0;
        int64_t i = 0;
        for (; i + 2 * VLEN <= HW; i += 2 * VLEN) {
            m0 = v_max(v_load(xr + i), m0);
            m1 = v_max(v_load(xr + i + VLEN), m1);
        }
        if (i + VLEN <= HW) {
            m0 = v_max(v_load(xr + i), m0);
            i += VLEN;
        }
        float m = v_hmax(v_max(m1, m0));
        for (; i < HW; i++) m = xr[i] > m ? xr[i] : m;
        y[c] = m;
    }
}
