/*
 * norm_neon.c — NEON row-wise softmax / log-softmax, layer normalization,
 * RMS normalization, and the per-channel affine map (folded BatchNorm).
 *
 * Reductions (max, sums) run in four lanes and are combined at the end,
 * so sums are in a different order from the reference's index order; exp
 * is the approximation of neon_math.h. The channel affine map rounds the
 * product and the sum separately, as the reference, and gives its bits.
 * A row's result depends only on that row. Not here: axes and strides
 * (rows are contiguous; the op layer arranges that).
 */
#include <math.h>
#include "neon.h"
#include "neon_math.h"

/* sum_i x[i] over n floats: four lanes, then across lanes, then the tail */
static float sum_row(int64_t n, const float *x)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 = vaddq_f32(s0, vld1q_f32(x + i));
        s1 = vaddq_f32(s1, vld1q_f32(x + i + 4));
    }
    float s = vaddvq_f32(vaddq_f32(s0, s1));
    for (; i < n; i++)
        s += x[i];
    return s;
}

/*
 * Per row, m = max_j x[j], s = sum_j exp(x[j] - m):
 *   softmax y[i] = exp(x[i] - m) / s;  log_softmax y[i] = x[i] - m - ln s.
 * The exponentials are stored in y on the way and divided in place.
 */
void mote_softmax_f32_neon(int64_t rows, int64_t n, const float *x, float *y, int log)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float32x4_t mv = vdupq_n_f32(-INFINITY);
        int64_t i = 0;
        for (; i + 4 <= n; i += 4)
            mv = vmaxq_f32(mv, vld1q_f32(xr + i));
        float m = vmaxvq_f32(mv);
        for (; i < n; i++)
            if (xr[i] > m) m = xr[i];
        float32x4_t mb = vdupq_n_f32(m), sv = vdupq_n_f32(0.0f);
        for (i = 0; i + 4 <= n; i += 4) {
            float32x4_t e = mote_neon_exp(vsubq_f32(vld1q_f32(xr + i), mb));
            sv = vaddq_f32(sv, e);
            if (!log) vst1q_f32(yr + i, e);
        }
        float s = vaddvq_f32(sv);
        if (i < n) {
            /* the tail through the same vector exp; padding lanes dropped */
            int64_t t = n - i;
            float32x4_t e = mote_neon_exp(vsubq_f32(mote_neon_load_part(xr + i, t), mb));
            float ev[4];
            vst1q_f32(ev, e);
            for (int64_t j = 0; j < t; j++) {
                s += ev[j];
                if (!log) yr[i + j] = ev[j];
            }
        }
        if (log) {
            /* x - m - ln s, as (x - m) - ln s like the reference */
            float32x4_t ls = vdupq_n_f32(logf(s));
            for (i = 0; i + 4 <= n; i += 4)
                vst1q_f32(yr + i, vsubq_f32(vsubq_f32(vld1q_f32(xr + i), mb), ls));
            for (; i < n; i++)
                yr[i] = xr[i] - m - vgetq_lane_f32(ls, 0);
        } else {
            float32x4_t sb = vdupq_n_f32(s);
            for (i = 0; i + 4 <= n; i += 4)
                vst1q_f32(yr + i, vdivq_f32(vld1q_f32(yr + i), sb));
            for (; i < n; i++)
                yr[i] = yr[i] / s;
        }
    }
}

/*
 * Per row: mean = sum x / n, var = sum (x - mean)^2 / n,
 *   y[i] = (x[i] - mean) * (1 / sqrt(var + eps)) * gamma[i] + beta[i]
 * (gamma NULL means 1, beta NULL means 0).
 */
void mote_layernorm_f32_neon(int64_t rows, int64_t n, const float *x,
                             const float *gamma, const float *beta, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float mean = sum_row(n, xr) / (float)n;
        float32x4_t mb = vdupq_n_f32(mean), qv = vdupq_n_f32(0.0f);
        int64_t i = 0;
        for (; i + 4 <= n; i += 4) {
            float32x4_t d = vsubq_f32(vld1q_f32(xr + i), mb);
            qv = vfmaq_f32(qv, d, d);
        }
        float sq = vaddvq_f32(qv);
        for (; i < n; i++)
            sq += (xr[i] - mean) * (xr[i] - mean);
        float inv = 1.0f / sqrtf(sq / (float)n + eps);
        float32x4_t ib = vdupq_n_f32(inv);
        for (i = 0; i + 4 <= n; i += 4) {
            float32x4_t v = vmulq_f32(vsubq_f32(vld1q_f32(xr + i), mb), ib);
            if (gamma) v = vmulq_f32(v, vld1q_f32(gamma + i));
            if (beta) v = vaddq_f32(v, vld1q_f32(beta + i));
            vst1q_f32(yr + i, v);
        }
        for (; i < n; i++) {
            float v = (xr[i] - mean) * inv;
            if (gamma) v *= gamma[i];
            if (beta) v += beta[i];
            yr[i] = v;
        }
    }
}

/* Per row: y[i] = x[i] * (1 / sqrt(sum_j x[j]^2 / n + eps)) * gamma[i] (gamma NULL: 1) */
void mote_rmsnorm_f32_neon(int64_t rows, int64_t n, const float *x,
                           const float *gamma, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float32x4_t q0 = vdupq_n_f32(0.0f), q1 = q0;
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) {
            float32x4_t a = vld1q_f32(xr + i), b = vld1q_f32(xr + i + 4);
            q0 = vfmaq_f32(q0, a, a);
            q1 = vfmaq_f32(q1, b, b);
        }
        float sq = vaddvq_f32(vaddq_f32(q0, q1));
        for (; i < n; i++)
            sq += xr[i] * xr[i];
        float inv = 1.0f / sqrtf(sq / (float)n + eps);
        float32x4_t ib = vdupq_n_f32(inv);
        for (i = 0; i + 4 <= n; i += 4) {
            float32x4_t v = vmulq_f32(vld1q_f32(xr + i), ib);
            if (gamma) v = vmulq_f32(v, vld1q_f32(gamma + i));
            vst1q_f32(yr + i, v);
        }
        for (; i < n; i++)
            yr[i] = gamma ? xr[i] * inv * gamma[i] : xr[i] * inv;
    }
}

/* y[c, i] = x[c, i] * scale[c] + shift[c] (product and sum rounded separately) */
void mote_channel_affine_f32_neon(int64_t C, int64_t HW, const float *x,
                                  const float *scale, const float *shift, float *y)
{
    for (int64_t c = 0; c < C; c++) {
        const float *xc = x + c * HW;
        float *yc = y + c * HW;
        float32x4_t sc = vdupq_n_f32(scale[c]), sh = vdupq_n_f32(shift[c]);
        int64_t i = 0;
        for (; i + 4 <= HW; i += 4)
            vst1q_f32(yc + i, vaddq_f32(vmulq_f32(vld1q_f32(xc + i), sc), sh));
        for (; i < HW; i++)
            yc[i] = xc[i] * scale[c] + shift[c];
    }
}
