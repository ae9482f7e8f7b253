/*
 * llm_ref.c — reference kernels for language-model decoders (the llm
 * sub-table of mote_kernels_ref; contracts in kernel_list.h). Each loop is the formula in its comment, written for clarity;
 * summation orders follow llama2.c's run.c so that the reference reproduces
 * its greedy output.
 */
#include <math.h>
#include "llm.h"

/* pairs (2j, 2j+1) of each head rotated by pos * theta^(-2j/hs) */
void mote_rope_f32_ref(int64_t n_heads, int64_t hs, int64_t pos, float theta, float *x)
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
void mote_matvec_f32_ref(int64_t K, const float *W, int64_t n0, int64_t n1,
                         const float *x, float *y)
{
    for (int64_t n = n0; n < n1; n++) y[n - n0] = dot_ref(K, W + n * K, x);
}

/* y[n - n0] = sum_k half(W[n, k]) x[k] */
void mote_matvec_f16_ref(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
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
void mote_swiglu_f32_ref(int64_t n, const float *a, const float *b, float *y)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i] * (1.0f / (1.0f + expf(-a[i]))) * b[i];
}

/* the definition in llm.h, step by step: scores, stable softmax, mix */
void mote_attend_f32_ref(int64_t n, int64_t hs, const float *q, const float *k, const float *v,
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
