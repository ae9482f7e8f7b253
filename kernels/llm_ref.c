/*
 * llm_ref.c — reference kernels for language-model decoders (the table in
 * llm.h). Each loop is the formula in its comment, written for clarity;
 * summation orders follow llama2.c's run.c so that the reference reproduces
 * its greedy output.
 */
#include <math.h>
#include "llm.h"

/* y = g * x / sqrt(sum(x^2)/n + eps) */
static void rmsnorm_ref(int64_t n, const float *x, const float *g, float eps, float *y)
{
    float ss = 0;
    for (int64_t i = 0; i < n; i++) ss += x[i] * x[i];
    float r = 1.0f / sqrtf(ss / (float)n + eps);
    for (int64_t i = 0; i < n; i++) y[i] = g[i] * (r * x[i]);
}

/* pairs (2j, 2j+1) of each head rotated by pos * theta^(-2j/hs) */
static void rope_ref(int64_t n_heads, int64_t hs, int64_t pos, float theta, float *x)
{
    for (int64_t j = 0; j < hs / 2; j++) {
        float freq = 1.0f / powf(theta, (float)(2 * j) / (float)hs);
        float a = (float)pos * freq, c = cosf(a), s = sinf(a);
        for (int64_t h = 0; h < n_heads; h++) {
            float *p = x + h * hs + 2 * j;
            float x0 = p[0], x1 = p[1];
            p[0] = x0 * c - x1 * s;
            p[1] = x0 * s + x1 * c;
        }
    }
}

static float dot_ref(int64_t n, const float *a, const float *b)
{
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* y[n - n0] = W[n, :] . x */
static void matvec_ref(int64_t K, const float *W, int64_t n0, int64_t n1,
                       const float *x, float *y)
{
    for (int64_t n = n0; n < n1; n++) y[n - n0] = dot_ref(K, W + n * K, x);
}

/* y[n - n0] = sum_k half(W[n, k]) x[k] */
static void matvec_f16_ref(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
                           const float *x, float *y)
{
    for (int64_t n = n0; n < n1; n++) {
        float s = 0;
        for (int64_t k = 0; k < K; k++) s += mote_half_to_float(W[n * K + k]) * x[k];
        y[n - n0] = s;
    }
}

static void axpy_ref(int64_t n, float a, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

/* silu(a) * b, silu(a) = a / (1 + exp(-a)) */
static void swiglu_ref(int64_t n, const float *a, const float *b, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i] * (1.0f / (1.0f + expf(-a[i]))) * b[i];
}

/* the definition in llm.h, step by step: scores, stable softmax, mix */
static void attend_ref(int64_t n, int64_t hs, const float *q, const float *k, const float *v,
                       int64_t ld, float scale, float *s, float *y)
{
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n; j++) {
        s[j] = dot_ref(hs, q, k + j * ld) * scale;
        if (s[j] > mx) mx = s[j];
    }
    for (int64_t j = 0; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    for (int64_t i = 0; i < hs; i++) y[i] = 0;
    for (int64_t j = 0; j < n; j++) axpy_ref(hs, s[j] / sum, v + j * ld, y);
}

const mote_llm_kernels mote_llm_kernels_ref = {
    .name = "ref",
    .rmsnorm_f32 = rmsnorm_ref,
    .rope_f32 = rope_ref,
    .matvec_f32 = matvec_ref,
    .matvec_f16 = matvec_f16_ref,
    .dot_f32 = dot_ref,
    .axpy_f32 = axpy_ref,
    .swiglu_f32 = swiglu_ref,
    .attend_f32 = attend_ref,
    .quantize_q8a = mote_quantize_q8a_ref,
    .quantize_q16a = mote_quantize_q16a_ref,
    .matmul_q8_0 = mote_matmul_q8_0_ref,
    .matmul_q4_0 = mote_matmul_q4_0_ref,
};
