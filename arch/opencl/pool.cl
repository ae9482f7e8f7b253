/*
 * pool.cl — pooling, NCHW, with the contracts of kernels/pool_ref.c:
 * max (pads never win, NaN never wins: -inf for a window without an
 * in-image tap), average (count_include_pad counts the taps inside the
 * padded extent [-ph, H + ph_end) x [-pw, W + pw_end)), and the global
 * average and max over each channel. One work-item per output.
 */
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
    float m = -INFINITY, sum = 0.0f;
    long count = 0;
    for (long ky = 0; ky < KH; ky++) {
        long iy = oy * sh - ph + ky * dh;
        int row_in = iy >= 0 && iy < H;
        int row_padded = iy >= -ph && iy < H + ph_end;
        for (long kx = 0; kx < KW; kx++) {
            long ix = ox * sw - pw + kx * dw;
            int in = row_in && ix >= 0 && ix < W;
            if (in) {
                float v = x[iy * W + ix];
                if (v > m) m = v;
                sum += v;
            }
            if (count_include_pad ? (row_padded && ix >= -pw && ix < W + pw_end) : in)
                count++;
        }
    }
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
