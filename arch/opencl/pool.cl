/*
 * pool.cl — pooling, NCHW, with the contracts of kernels/pool_ref.c:
 * max (pads never win, NaN never wins: -inf for a window without an
 * in-image tap), average (count_include_pad counts the taps inside the
 * padded extent [-ph, H + ph_end) x [-pw, W + pw_end)), and the global
 * average and max over each channel. One work-item per output, looping
 * over its window's in-image taps only.
 */
/* The taps k in [0, K) whose position b + k d lies in [lo, hi):
 * [*k0, *k1) (kernels.h's mote_window_taps), so a window far larger than
 * the image costs its in-image taps, not its size */
static void window_taps(long b, long d, long K, long lo, long hi, long *k0, long *k1)
{
    long first = 0, end = K;
    if (b < lo)
        first = (lo - b) / d + ((lo - b) % d != 0);
    if (b >= hi) {
        end = 0;
    } else {
        long t = (hi - b) / d + ((hi - b) % d != 0);
        if (t < end) end = t;
    }
    if (first > K) first = K;
    if (end < first) end = first;
    *k0 = first;
    *k1 = end;
}

__kernel void mote_pool2d_f32(int is_max, long C, long H, long W, long OH, long OW,
                              long KH, long KW, long sh, long sw, long ph, long pw,
                              long dh, long dw, long ph_end, long pw_end, int count_include_pad,
                              __global const float *x, long x_off,
                              __global float *y, long y_off)
{
    long n = get_global_id(0), c = get_global_id(1);
    if (n >= OH * OW || c >= C) return;
    x += x_off + c * H * W;
    long oy = n / OW, ox = n - oy * OW;
    long by = oy * sh - ph, bx = ox * sw - pw;
    long ky0, ky1, kx0, kx1;
    window_taps(by, dh, KH, 0, H, &ky0, &ky1);
    window_taps(bx, dw, KW, 0, W, &kx0, &kx1);
    float m = -INFINITY, sum = 0.0f;
    /* the in-image taps in (ky, kx) order, as the reference visits them */
    for (long ky = ky0; ky < ky1; ky++) {
        __global const float *row = x + (by + ky * dh) * W + bx;
        for (long kx = kx0; kx < kx1; kx++) {
            float v = row[kx * dw];
            if (v > m) m = v;
            sum += v;
        }
    }
    /* the divisor: in-image taps, or those inside the padded extent */
    long ny = ky1 - ky0, nx = kx1 - kx0;
    if (count_include_pad) {
        long p0, p1;
        window_taps(by, dh, KH, -ph, H + ph_end, &p0, &p1);
        ny = p1 - p0;
        window_taps(bx, dw, KW, -pw, W + pw_end, &p0, &p1);
        nx = p1 - p0;
    }
    /* their product, saturating as kernels.h's mote_taps_product */
    long count = nx != 0 && ny > LONG_MAX / nx ? LONG_MAX : ny * nx;
    y[y_off + c * OH * OW + n] = is_max ? m : (count ? sum / (float)count : 0.0f);
}

/* y[c] = mean (or max) of x[c, 0:HW]; in index order, as the reference */
__kernel void mote_global_pool_f32(int is_max, long C, long HW,
                                   __global const float *x, long x_off,
                                   __global float *y, long y_off)
{
    long c = get_global_id(0);
    if (c >= C) return;
    x += x_off + c * HW;
    float m = -INFINITY, sum = 0.0f;
    for (long i = 0; i < HW; i++) {
        float v = x[i];
        if (v > m) m = v;
        sum += v;
    }
    y[y_off + c] = is_max ? m : sum / (float)HW;
}
