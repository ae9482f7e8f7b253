/*
 * norm_ref.c — reference row-wise softmax, layer normalization, RMS
 * normalization, and the per-channel affine map that BatchNormalization
 * becomes after folding.
 *
 * Rows are contiguous; the op layer handles axes and strides. Sums are in
 * index order, in single precision.
 */
#include <math.h>
#include "ref.h"

/*
 * Per row r of length n, with m = max_j x[r,j] and s = sum_j exp(x[r,j] - m):
 *   softmax:     y[r,i] = exp(x[r,i] - m) / s
 *   log_softmax: y[r,i] = x[r,i] - m - ln s
 * (subtracting m changes nothing mathematically and keeps exp from overflowing)
 */
void mote_softmax_f32_ref(int64_t rows, int64_t n, const float *x, float *y, int log)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float m = -INFINITY;
        for (int64_t i = 0; i < n; i++)
            if (xr[i] > m) m = xr[i];
        float s = 0.0f;
        for (int64_t i = 0; i < n; i++)
            s += expf(xr[i] - m);
        if (log) {
            float ls = logf(s);
            for (int64_t i = 0; i < n; i++)
                yr[i] = xr[i] - m - ls;
        } else {
            for (int64_t i = 0; i < n; i++)
                yr[i] = expf(xr[i] - m) / s;
        }
    }
}

/*
 * Per row of length n:
 *   mean = sum_i x[i] / n,  var = sum_i (x[i] - mean)^2 / n
 *   y[i] = (x[i] - mean) * (1 / sqrt(var + eps)) * gamma[i] + beta[i]
 * (gamma NULL means 1, beta NULL means 0)
 */
void mote_layernorm_f32_ref(int64_t rows, int64_t n, const float *x,
                            const float *gamma, const float *beta, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float sum = 0.0f;
        for (int64_t i = 0; i < n; i++)
            sum += xr[i];
        float mean = sum / (float)n;
        float sq = 0.0f;
        for (int64_t i = 0; i < n; i++)
            sq += (xr[i] - mean) * (xr[i] - mean);
        float inv = 1.0f / sqrtf(sq / (float)n + eps);
        for (int64_t i = 0; i < n; i++) {
            float v = (xr[i] - mean) * inv;
            if (gamma) v *= gamma[i];
            if (beta) v += beta[i];
            yr[i] = v;
        }
    }
}

/*
 * Per row of length n:
 *   y[i] = x[i] * (1 / sqrt(sum_j x[j]^2 / n + eps)) * gamma[i]   (gamma NULL means 1)
 */
void mote_rmsnorm_f32_ref(int64_t rows, int64_t n, const float *x,
                          const float *gamma, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        float sq = 0.0f;
        for (int64_t i = 0; i < n; i++)
            sq += xr[i] * xr[i];
        float inv = 1.0f / sqrtf(sq / (float)n + eps);
        for (int64_t i = 0; i < n; i++)
            yr[i] = gamma ? xr[i] * inv * gamma[i] : xr[i] * inv;
    }
}

/* y[c, i] = x[c, i] * scale[c] + shift[c]  for c < C, i < HW */
void mote_channel_affine_f32_ref(int64_t C, int64_t HW, const float *x,
                                 const float *scale, const float *shift, float *y)
{
    for (int64_t c = 0; c < C; c++)
        for (int64_t i = 0; i < HW; i++)
            y[c * HW + i] = x[c * HW + i] * scale[c] + shift[c];
}
