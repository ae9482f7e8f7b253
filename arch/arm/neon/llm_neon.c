/*
 * llm_neon.c — NEON versions of the LLM decoder's kernels (the llm
 * sub-table, kernels/kernel_list.h), mote_llm_kernels_neon: the f32 and
 * f16 matrix-vector products, SwiGLU and one head of attention. The
 * others (rotary embedding, the block-quantized products) use the
 * reference; RMSNorm is the general table's (norm_neon.c).
 *
 * Every output element is computed by the same instruction sequence
 * whatever row range it falls in, so results do not depend on the thread
 * count.
 */
#include <arm_neon.h>
#include <math.h>
#include "neon.h"
#include "neon_math.h"

/* sum_i a[i] b[i]: 16 partial sums (4 vectors), added pairwise at the end,
 * then the tail in index order. */
static float dot_f32(int64_t n, const float *a, const float *b)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* y[n - n0] = W[n, :] . x */
static void matvec_f32_neon(int64_t K, const float *W, int64_t n0, int64_t n1,
                            const float *x, float *y)
{
    for (int64_t n = n0; n < n1; n++)
        y[n - n0] = dot_f32(K, W + n * K, x);
}

/* y[n - n0] = sum_k half(W[n, k]) x[k]: FCVTL widens four halves at a
 * time (base AArch64, no FP16 arithmetic needed) */
static void matvec_f16_neon(int64_t K, const uint16_t *W, int64_t n0, int64_t n1,
                            const float *x, float *y)
{
    for (int64_t n = n0; n < n1; n++) {
        const uint16_t *w = W + n * K;
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
        int64_t k = 0;
        for (; k + 8 <= K; k += 8) {
            float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(w + k));
            s0 = vfmaq_f32(s0, vcvt_f32_f16(vget_low_f16(h)), vld1q_f32(x + k));
            s1 = vfmaq_f32(s1, vcvt_high_f32_f16(h), vld1q_f32(x + k + 4));
        }
        float s = vaddvq_f32(vaddq_f32(s0, s1));
        for (; k < K; k++)
            s += mote_half_to_float(w[k]) * x[k];
        y[n - n0] = s;
    }
}

/* y = a sigmoid(a) b; the tail through the same vector code */
static void swiglu_f32_neon(int64_t n, const float *a, const float *b, float *y)
{
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t va = vld1q_f32(a + i);
        vst1q_f32(y + i, vmulq_f32(vmulq_f32(va, mote_neon_sigmoid(va)), vld1q_f32(b + i)));
    }
    if (i < n) {
        float32x4_t va = mote_neon_load_part(a + i, n - i);
        float32x4_t v = vmulq_f32(vmulq_f32(va, mote_neon_sigmoid(va)),
                                  mote_neon_load_part(b + i, n - i));
        mote_neon_store_part(y + i, v, n - i);
    }
}

/* y[i] += a x[i] */
static void axpy_f32(int64_t n, float a, const float *x, float *y)
{
    float32x4_t va = vdupq_n_f32(a);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), va, vld1q_f32(x + i)));
    for (; i < n; i++)
        y[i] += a * x[i];
}

/* scores, a stable softmax (libm's expf: n of them per head is little
 * next to the n * hs multiply-adds), the weighted sum of the values */
static void attend_f32_neon(int64_t n, int64_t hs, const float *q, const float *k,
                            const float *v, int64_t ld, float scale, float *s, float *y)
{
    float mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < n; j++) {
        s[j] = dot_f32(hs, q, k + j * ld) * scale;
        if (s[j] > mx) mx = s[j];
    }
    for (int64_t j = 0; j < n; j++) {
        s[j] = expf(s[j] - mx);
        sum += s[j];
    }
    for (int64_t i = 0; i < hs; i++) y[i] = 0;
    for (int64_t j = 0; j < n; j++) axpy_f32(hs, s[j] / sum, v + j * ld, y);
}

const mote_llm_kernels mote_llm_kernels_neon = {
    .matvec_f32 = matvec_f32_neon,
    .matvec_f16 = matvec_f16_neon,
    .swiglu_f32 = swiglu_f32_neon,
    .attend_f32 = attend_f32_neon,
};
