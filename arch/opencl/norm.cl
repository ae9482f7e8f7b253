/*
 * norm.cl — row-wise softmax / log-softmax, layer normalization and RMS
 * normalization with the contracts of kernels/norm_ref.c. One work-group
 * of NORM_WG work-items per row: each work-item sums a strided slice of
 * the row, then a tree in local memory combines the partial sums. The sum
 * order therefore differs from the reference's index order (results agree
 * to rounding, about 1e-6 relative for rows of thousands).
 */
#ifndef NORM_WG
#define NORM_WG 64
#endif

/* the sum (or max, with is_max) of v over the work-group; every item gets it */
float group_reduce(__local float *tmp, float v, int is_max)
{
    int l = get_local_id(0);
    tmp[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = NORM_WG / 2; s > 0; s >>= 1) {
        if (l < s) tmp[l] = is_max ? fmax(tmp[l], tmp[l + s]) : tmp[l] + tmp[l + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = tmp[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_softmax_f32(long n, __global const float *x, long x_off,
                      __global float *y, long y_off, int log_softmax)
{
    __local float tmp[NORM_WG];
    long r = get_group_id(0);
    int l = get_local_id(0);
    x += x_off + r * n;
    y += y_off + r * n;
    float m = -INFINITY;
    for (long i = l; i < n; i += NORM_WG) m = fmax(m, x[i]);
    m = group_reduce(tmp, m, 1);
    float s = 0.0f;
    for (long i = l; i < n; i += NORM_WG) s += exp(x[i] - m);
    s = group_reduce(tmp, s, 0);
    if (log_softmax) {
        float ls = log(s);
        for (long i = l; i < n; i += NORM_WG) y[i] = x[i] - m - ls;
    } else {
        for (long i = l; i < n; i += NORM_WG) y[i] = exp(x[i] - m) / s;
    }
}

__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_layernorm_f32(long n, __global const float *x, long x_off,
                        __global const float *gamma, long gamma_off, int has_gamma,
                        __global const float *beta, long beta_off, int has_beta,
                        float eps, __global float *y, long y_off)
{
    __local float tmp[NORM_WG];
    long r = get_group_id(0);
    int l = get_local_id(0);
    x += x_off + r * n;
    y += y_off + r * n;
    float s = 0.0f;
    for (long i = l; i < n; i += NORM_WG) s += x[i];
    float mean = group_reduce(tmp, s, 0) / (float)n;
    float q = 0.0f;
    for (long i = l; i < n; i += NORM_WG) q += (x[i] - mean) * (x[i] - mean);
    float inv = 1.0f / sqrt(group_reduce(tmp, q, 0) / (float)n + eps);
    for (long i = l; i < n; i += NORM_WG) {
        float v = (x[i] - mean) * inv;
        if (has_gamma) v *= gamma[gamma_off + i];
        if (has_beta) v += beta[beta_off + i];
        y[i] = v;
    }
}

/* y[i] = x[i] * (1 / sqrt(mean(x^2) + eps)) * gamma[i] (gamma absent: 1) */
__kernel __attribute__((reqd_work_group_size(NORM_WG, 1, 1)))
void mote_rmsnorm_f32(long n, __global const float *x, long x_off,
                      __global const float *gamma, long gamma_off, int has_gamma,
                      float eps, __global float *y, long y_off)
{
    __local float tmp[NORM_WG];
    long r = get_group_id(0);
    int l = get_local_id(0);
    x += x_off + r * n;
    y += y_off + r * n;
    float q = 0.0f;
    for (long i = l; i < n; i += NORM_WG) q += x[i] * x[i];
    float inv = 1.0f / sqrt(group_reduce(tmp, q, 0) / (float)n + eps);
    for (long i = l; i < n; i += NORM_WG)
        y[i] = has_gamma ? x[i] * inv * gamma[gamma_off + i] : x[i] * inv;
}
