/*
 * norm_ref.c — reference row-wise softmax, layer normalization, RMS
 * normalization, the per-channel affine map that BatchNormalization
 * becomes after folding, InstanceNormalization, LRN and LpNormalization.
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

/* ------------------------------ instance norm, LRN, Lp normalization */
/*
 * Plane r = n*C + c of HW elements:
 *   mean = sum x / HW,  var = sum (x - mean)^2 / HW
 *   y = scale[c] * (x - mean) / sqrt(var + eps) + bias[c]
 */
void mote_instancenorm_f32_ref(const float *x, float *y, int64_t C, int64_t HW,
                               const float *scale, const float *bias, float eps,
                               int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * HW;
        float *yr = y + r * HW;
        int64_t c = r % C;
        float sum = 0.0f;
        for (int64_t i = 0; i < HW; i++)
            sum += xr[i];
        float mean = HW ? sum / (float)HW : 0.0f;
        float sq = 0.0f;
        for (int64_t i = 0; i < HW; i++)
            sq += (xr[i] - mean) * (xr[i] - mean);
        float inv = 1.0f / sqrtf((HW ? sq / (float)HW : 0.0f) + eps);
        float a = scale[c] * inv, b = bias[c];
        for (int64_t i = 0; i < HW; i++)
            yr[i] = (xr[i] - mean) * a + b;
    }
}

/*
 * Row r = n*C + c:
 *   sq[p] = sum_{i = max(0, c - floor((size-1)/2))}^{min(C-1, c + ceil((size-1)/2))} x[n,i,p]^2
 *   y[n,c,p] = x[n,c,p] / (bias + alpha / size * sq[p])^beta
 */
void mote_lrn_f32_ref(const float *x, float *y, int64_t C, int64_t HW, int64_t size,
                      float alpha, float beta, float bias, int64_t r0, int64_t r1)
{
    int64_t lo = (size - 1) / 2, hi = size / 2;   /* floor and ceil of (size-1)/2 */
    for (int64_t r = r0; r < r1; r++) {
        int64_t n = r / C, c = r % C;
        int64_t a = c - lo < 0 ? 0 : c - lo, b = c + hi > C - 1 ? C - 1 : c + hi;
        const float *xn = x + n * C * HW;
        for (int64_t p = 0; p < HW; p++) {
            float sq = 0.0f;
            for (int64_t i = a; i <= b; i++)
                sq += xn[i * HW + p] * xn[i * HW + p];
            y[r * HW + p] = xn[c * HW + p] / powf(bias + alpha / (float)size * sq, beta);
        }
    }
}

/* y[o,j,i] = x[o,j,i] / (sum_k |x[o,k,i]|^p)^(1/p), p in {1, 2}; rows r = o*inner + i */
void mote_lpnorm_f32_ref(const float *x, float *y, int64_t n, int64_t inner, int p,
                         int64_t r0, int64_t r1)
{
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / inner, i = r % inner;
        const float *xr = x + o * n * inner + i;
        float *yr = y + o * n * inner + i;
        float s = 0.0f;
        for (int64_t j = 0; j < n; j++)
            s += p == 1 ? fabsf(xr[j * inner]) : xr[j * inner] * xr[j * inner];
        float norm = p == 1 ? s : sqrtf(s);
        for (int64_t j = 0; j < n; j++)
            yr[j * inner] = norm > 0.0f ? xr[j * inner] / norm : 0.0f;
    }
}
