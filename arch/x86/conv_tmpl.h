/*
 * conv_tmpl.h — depthwise 3x3 convolution (stride 1 and 2 vectorized,
 * any other stride by the scalar edge path) and im2col, written once over
 * the vector shim, instantiated per ISA (conv_<isa>.c defines CONV_NAME).
 *
 * Depthwise: for each channel and output row, the three input rows are
 * located once; the interior columns, where all nine taps are inside the
 * image, run VLEN outputs at a time (stride 2 de-interleaves two loads);
 * the edge columns and a short tail run one output at a time with bounds
 * checks. Each output is the same sum of nine products in (ky, kx) order
 * (fused multiply-adds, so rounding differs from the reference's
 * multiply-then-add by an ulp or two), then bias, then the activation.
 * Not here: general grouped/dilated convolution (the reference or
 * im2col + GEMM).
 */
#include <stdint.h>
#include <string.h>
#include "kernels.h"
#include "vmath.h"

static inline float dw_scalar(const float *const rows[3], const float *w, int64_t W, int64_t ix0)
{
    float acc = 0.0f;
    for (int ky = 0; ky < 3; ky++) {
        if (!rows[ky]) continue;
        for (int kx = 0; kx < 3; kx++) {
            int64_t ix = ix0 + kx;
            if (ix >= 0 && ix < W) acc = __builtin_fmaf(w[ky * 3 + kx], rows[ky][ix], acc);
        }
    }
    return acc;
}

static inline float dw_act1(float x, const mote_act *act)
{
    return v_hsum(v_keep_n(v_act(v_set1(x), act), 1));
}

void CONV_NAME(conv2d_dw3x3)(const mote_conv2d_args *a)
{
    const int64_t H = a->H, W = a->W, OH = a->OH, OW = a->OW, sw = a->sw;
    const int vec = sw == 1 || sw == 2;
    /* first output column whose leftmost tap is inside the image */
    const int64_t lo = (a->pw + sw - 1) / sw;
    for (int64_t c = a->oc0; c < a->oc1; c++) {
        const float *w = a->w + c * 9;
        const float *xc = a->x + c * H * W;
        float *yc = a->y + c * OH * OW;
        const float b = a->bias ? a->bias[c] : 0.0f;
        vf wv[9];
        for (int t = 0; t < 9; t++) wv[t] = v_set1(w[t]);
        for (int64_t oy = 0; oy < OH; oy++) {
            const float *rows[3];
            for (int ky = 0; ky < 3; ky++) {
                int64_t iy = oy * a->sh - a->ph + ky;
                rows[ky] = (iy >= 0 && iy < H) ? xc + iy * W : NULL;
            }
            float *yr = yc + oy * OW;
            int64_t ox = 0;
            for (; ox < OW && (ox < lo || !vec); ox++)
                yr[ox] = dw_act1(dw_scalar(rows, w, W, ox * sw - a->pw) + b, &a->act);
            /* vector block: every lane of every tap lies inside the row
             * (stride 1 reads VLEN + 2 inputs, stride 2 reads 2 VLEN + 2) */
            for (; vec && ox + VLEN <= OW && ox * sw - a->pw + sw * VLEN + 2 <= W; ox += VLEN) {
                int64_t ix0 = ox * sw - a->pw;
                vf acc = v_zero();
                for (int ky = 0; ky < 3; ky++) {
                    if (!rows[ky]) continue;
                    const float *r = rows[ky] + ix0;
                    for (int kx = 0; kx < 3; kx++)
                        acc = v_fma(wv[ky * 3 + kx], sw == 1 ? v_load(r + kx) : v_load_s2(r + kx), acc);
                }
                v_store(yr + ox, v_act(v_add(acc, v_set1(b)), &a->act));
            }
            for (; ox < OW; ox++)
                yr[ox] = dw_act1(dw_scalar(rows, w, W, ox * sw - a->pw) + b, &a->act);
        }
    }
}

/*
 * col[(ic*KH + ky)*KW + kx, oy*OW + ox] = x[g*Cg + ic, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw],
 * 0 outside the image. Stride-1 rows are one copy between zeroed edges.
 */
void CONV_NAME(im2col)(const mote_conv2d_args *a, int64_t g, float *col)
{
    const int64_t Cg = a->C / a->groups, OH = a->OH, OW = a->OW, H = a->H, W = a->W;
    for (int64_t ic = 0; ic < Cg; ic++) {
        const float *xc = a->x + (g * Cg + ic) * H * W;
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t kx = 0; kx < a->KW; kx++) {
                float *dst = col + ((ic * a->KH + ky) * a->KW + kx) * OH * OW;
                const int64_t xoff = kx * a->dw - a->pw;
                /* ox range whose ix = ox*sw + xoff lies in [0, W) */
                int64_t ox_lo = xoff >= 0 ? 0 : (-xoff + a->sw - 1) / a->sw;
                int64_t ox_hi = W - xoff <= 0 ? 0 : (W - xoff + a->sw - 1) / a->sw;
                if (ox_hi > OW) ox_hi = OW;
                if (ox_lo > ox_hi) ox_lo = ox_hi;
                for (int64_t oy = 0; oy < OH; oy++) {
                    float *d = dst + oy * OW;
                    int64_t iy = oy * a->sh - a->ph + ky * a->dh;
                    if (iy < 0 || iy >= H) {
                        memset(d, 0, sizeof(float) * (size_t)OW);
                        continue;
                    }
                    const float *xr = xc + iy * W + xoff;
                    for (int64_t ox = 0; ox < ox_lo; ox++) d[ox] = 0.0f;
                    if (a->sw == 1) {
                        memcpy(d + ox_lo, xr + ox_lo, sizeof(float) * (size_t)(ox_hi - ox_lo));
                    } else {
                        for (int64_t ox = ox_lo; ox < ox_hi; ox++) d[ox] = xr[ox * a->sw];
                    }
                    for (int64_t ox = ox_hi; ox < OW; ox++) d[ox] = 0.0f;
                }
            }
    }
}
