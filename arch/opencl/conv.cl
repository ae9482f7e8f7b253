/*
 * conv.cl — 2-D convolution, NCHW, one image, with the contract of
 * mote_conv2d_f32_ref and mote_conv2d_dw_f32_ref (kernels/conv_ref.c):
 *   y[oc, oy, ox] = act(bias[oc] + sum_{ic, ky, kx} w[oc, ic, ky, kx] *
 *                       x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw])
 * (x outside the image is 0).
 *
 * mote_conv2d_igemm_f32: the implicit GEMM. Per group g (the third
 * dimension of the range), C_g = W_g (OCg x Kg) times the im2col matrix
 * (Kg x OH*OW), with Kg = Cg*KH*KW; the tile loop of gemm.cl reads the
 * im2col element straight from the image, so no column buffer exists.
 * A 1x1, stride-1, unpadded convolution is a plain GEMM: the host calls
 * mote_gemm_f32 for it.
 *
 * mote_conv2d_dw_f32: depthwise (groups == C == OC), one work-item per
 * output, the taps in (ky, kx) order as in the reference.
 */

#define CONV_A(m, k) (w[(g * OCg + (m)) * Kg + (k)])
#define CONV_B(k, n) conv_tap(x, H, W, KH, KW, OW, sh, sw, ph, pw, dh, dw, g * Cg, (k), (n))

float conv_tap(__global const float *x, long H, long W, long KH, long KW, long OW,
               long sh, long sw, long ph, long pw, long dh, long dw,
               long c_first, long k, long n)
{
    long khw = KH * KW;
    long ic = k / khw, r = k - ic * khw;
    long ky = r / KW, kx = r - ky * KW;
    long oy = n / OW, ox = n - oy * OW;
    long iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
    if (iy < 0 || iy >= H || ix < 0 || ix >= W) return 0.0f;
    return x[((c_first + ic) * H + iy) * W + ix];
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void mote_conv2d_igemm_f32(long C, long H, long W, long OC, long OH, long OW,
                           long KH, long KW, long sh, long sw, long ph, long pw,
                           long dh, long dw, long groups,
                           __global const float *x, long x_off,
                           __global const float *w, long w_off,
                           __global const float *bias, long bias_off, int has_bias,
                           __global float *y, long y_off,
                           int act, float act_alpha, float act_beta)
{
    x += x_off;
    w += w_off;
    bias += bias_off;
    y += y_off;
    const long g = get_global_id(2);
    const long Cg = C / groups, OCg = OC / groups, Kg = Cg * KH * KW, NP = OH * OW;
    GEMM_TILE_LOOP(OCg, NP, Kg, CONV_A, CONV_B)
    for (int wm = 0; wm < WPTM; wm++) {
        long m = m0 + ty + wm * RTSM;
        if (m >= OCg) continue;
        long oc = g * OCg + m;
        for (int wn = 0; wn < WPTN; wn++) {
            long n = n0 + tx + wn * RTSN;
            if (n >= NP) continue;
            float v = acc[wm][wn];
            if (has_bias) v += bias[oc];
            y[oc * NP + n] = mote_act(v, act, act_alpha, act_beta);
        }
    }
}

/* one work-item per output pixel (dimension 0) and channel (dimension 1) */
/* (the geometry arguments are the implicit GEMM's; OC == C, groups == C) */
__kernel void mote_conv2d_dw_f32(long C, long H, long W, long OC, long OH, long OW,
                                 long KH, long KW, long sh, long sw, long ph, long pw,
                                 long dh, long dw, long groups,
                                 __global const float *x, long x_off,
                                 __global const float *w, long w_off,
                                 __global const float *bias, long bias_off, int has_bias,
                                 __global float *y, long y_off,
                                 int act, float act_alpha, float act_beta)
{
    (void)OC;
    (void)groups;
    long n = get_global_id(0), c = get_global_id(1);
    if (n >= OH * OW || c >= C) return;
    x += x_off + c * H * W;
    w += w_off + c * KH * KW;
    long oy = n / OW, ox = n - oy * OW;
    float acc = 0.0f;
    for (long ky = 0; ky < KH; ky++) {
        long iy = oy * sh - ph + ky * dh;
        for (long kx = 0; kx < KW; kx++) {
            long ix = ox * sw - pw + kx * dw;
            float xv = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? x[iy * W + ix] : 0.0f;
            acc += w[ky * KW + kx] * xv;
        }
    }
    if (has_bias) acc += bias[bias_off + c];
    y[y_off + c * OH * OW + n] = mote_act(acc, act, act_alpha, act_beta);
}
