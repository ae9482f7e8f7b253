/*
 * b_norm.c — reference InstanceNormalization, LRN and LpNormalization.
 * Sums in index order, single precision. Not the axis handling (the ops
 * pass contiguous views).
 */
#include <math.h>
#include "b_ref.h"

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
