/*
 * conv_neon.c — NEON depthwise 3x3 convolution and im2col (NCHW, one image).
 *
 * Depthwise 3x3: four output columns per step where all their taps are
 * inside the image columns (stride 1 with plain loads, stride 2 with
 * de-interleaving vld2q loads), one at a time near the left and right
 * edges. Taps from rows outside the image are skipped (the reference adds
 * w * 0 for them). Each output is a chain of fused multiply-adds in the
 * reference's (ky, kx) order, then bias, then the activation of
 * neon_math.h; the fused products are the only difference from the
 * reference. im2col is pure data movement and gives the reference's bits.
 * Not here: the general convolution (the table leaves it to the reference;
 * the op layer runs im2col + GEMM for the big ones).
 */
#include <math.h>
#include <string.h>
#include "neon.h"
#include "neon_math.h"

/* Applies bias and act to one output value (through lane 0, so the value
 * is the same as the vector path's). */
static inline float finish1(float acc, const float *bias, int64_t c, mote_act act)
{
    float32x4_t v = vdupq_n_f32(acc);
    if (bias)
        v = vaddq_f32(v, vdupq_n_f32(bias[c]));
    return vgetq_lane_f32(mote_neon_act(v, act), 0);
}

/* One output row oy of channel c; w is the channel's 3x3 filter. */
static void dw_row(const mote_conv2d_args *a, int64_t c, int64_t oy, const float *w)
{
    const float *x = a->x + c * a->H * a->W;
    float *y = a->y + (c * a->OH + oy) * a->OW;
    const int64_t W = a->W, sw = a->sw, pw = a->pw;
    int64_t iy0 = oy * a->sh - a->ph;
    int kyv[3]; int nky = 0;            /* the ky whose row is in the image */
    for (int ky = 0; ky < 3; ky++)
        if (iy0 + ky >= 0 && iy0 + ky < a->H) kyv[nky++] = ky;

    /* Output columns whose taps ox*sw - pw + kx, kx < 3, are all in [0, W):
     * ox >= lo and ox <= hi. */
    int64_t lo = (pw + sw - 1) / sw;
    int64_t hi = (W - 3 + pw) >= 0 ? (W - 3 + pw) / sw : -1;
    if (sw == 2)     /* vld2q reads one float past the last tap: keep it in the row */
        hi = (W - 4 + pw) >= 0 ? (W - 4 + pw) / 2 : -1;
    if (hi > a->OW - 1) hi = a->OW - 1;
    int vec = sw == 1 || sw == 2;

    for (int64_t ox = 0; ox < a->OW;) {
        if (vec && ox >= lo && ox + 3 <= hi) {
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int i = 0; i < nky; i++) {
                int ky = kyv[i];
                const float *row = x + (iy0 + ky) * W + ox * sw - pw;
                for (int kx = 0; kx < 3; kx++) {
                    float32x4_t xv = sw == 1 ? vld1q_f32(row + kx) : vld2q_f32(row + kx).val[0];
                    acc = vfmaq_n_f32(acc, xv, w[ky * 3 + kx]);
                }
            }
            if (a->bias)
                acc = vaddq_f32(acc, vdupq_n_f32(a->bias[c]));
            vst1q_f32(y + ox, mote_neon_act(acc, a->act));
            ox += 4;
        } else {
            float acc = 0.0f;
            for (int i = 0; i < nky; i++) {
                int ky = kyv[i];
                for (int kx = 0; kx < 3; kx++) {
                    int64_t ix = ox * sw - pw + kx;
                    if (ix >= 0 && ix < W)
                        acc = fmaf(w[ky * 3 + kx], x[(iy0 + ky) * W + ix], acc);
                }
            }
            y[ox] = finish1(acc, a->bias, c, a->act);
            ox++;
        }
    }
}

/*
 * Depthwise 3x3 (groups == C == OC, KH = KW = 3, dh = dw = 1), channels [oc0, oc1),
 * rows [mote_dw_row0, mote_dw_row1):
 *   y[c, oy, ox] = act( sum_{ky<3, kx<3} w[c, 0, ky, kx] * x[c, oy*sh - ph + ky, ox*sw - pw + kx]
 *                       + bias[c] )
 */
void mote_conv2d_dw3x3_f32_neon(const mote_conv2d_args *a)
{
    for (int64_t c = a->oc0; c < a->oc1; c++)
        for (int64_t oy = mote_dw_row0(a); oy < mote_dw_row1(a); oy++)
            dw_row(a, c, oy, a->w + c * 9);
}

/*
 * For group g, Cg = C/groups:
 *   col[(ic*KH + ky)*KW + kx, oy*OW + ox] = x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw]
 * (0 outside the image). With stride 1 the in-image part of each output row
 * is one contiguous copy between two zero fills.
 */
void mote_im2col_f32_neon(const mote_conv2d_args *a, int64_t g, float *col)
{
    const int64_t Cg = a->C / a->groups, OW = a->OW, OHW = a->OH * a->OW;
    for (int64_t ic = 0; ic < Cg; ic++) {
        const float *x = a->x + (g * Cg + ic) * a->H * a->W;
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t kx = 0; kx < a->KW; kx++) {
                float *out = col + ((ic * a->KH + ky) * a->KW + kx) * OHW;
                int64_t off = kx * a->dw - a->pw;      /* ix = ox*sw + off */
                /* in-image columns: ox in [ox_lo, ox_hi) */
                int64_t ox_lo = 0, ox_hi = OW;
                if (a->sw == 1) {
                    ox_lo = off < 0 ? -off : 0;
                    ox_hi = a->W - off;
                    if (ox_lo > OW) ox_lo = OW;
                    if (ox_hi > OW) ox_hi = OW;
                    if (ox_hi < ox_lo) ox_hi = ox_lo;
                }
                for (int64_t oy = 0; oy < a->OH; oy++, out += OW) {
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    if (iy < 0 || iy >= a->H) {
                        memset(out, 0, (size_t)OW * sizeof(float));
                        continue;
                    }
                    const float *row = x + iy * a->W;
                    if (a->sw == 1) {
                        memset(out, 0, (size_t)ox_lo * sizeof(float));
                        memcpy(out + ox_lo, row + ox_lo + off, (size_t)(ox_hi - ox_lo) * sizeof(float));
                        memset(out + ox_hi, 0, (size_t)(OW - ox_hi) * sizeof(float));
                    } else {
                        for (int64_t ox = 0; ox < OW; ox++) {
                            int64_t ix = ox * a->sw + off;
                            out[ox] = ix >= 0 && ix < a->W ? row[ix] : 0.0f;
                        }
                    }
                }
            }
    }
}
