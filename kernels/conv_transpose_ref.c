/*
 * conv_transpose_ref.c — the reference 2-D transposed convolution (ConvTranspose),
 * one image, NCHW, and col2im, the scatter-add that turns the product of the
 * weights and an image's pixels into the transposed convolution's output.
 * Not the output-size arithmetic (the op does that).
 */
#include "ref.h"

/*
 * y[oc, oy, ox] = bias[oc] + sum_{ic in group g, ky, kx} x[ic, iy, ix] w[ic, oc - g OCg, ky, kx]
 * over the (iy, ix) with iy*sh - ph + ky*dh = oy and ix*sw - pw + kx*dw = ox,
 * summed in (ic, ky, kx) order.
 */
void mote_convt2d_f32_ref(const mote_convt2d_args *a, int64_t oc0, int64_t oc1)
{
    int64_t OCg = a->OC / a->groups, Cg = a->C / a->groups;
    for (int64_t oc = oc0; oc < oc1; oc++) {
        int64_t g = oc / OCg, ocg = oc - g * OCg;
        for (int64_t oy = 0; oy < a->OH; oy++)
            for (int64_t ox = 0; ox < a->OW; ox++) {
                float acc = a->bias ? a->bias[oc] : 0.0f;
                for (int64_t icg = 0; icg < Cg; icg++) {
                    int64_t ic = g * Cg + icg;
                    const float *xc = a->x + ic * a->H * a->W;
                    const float *wc = a->w + (ic * OCg + ocg) * a->KH * a->KW;
                    for (int64_t ky = 0; ky < a->KH; ky++) {
                        int64_t ty = oy + a->ph - ky * a->dh;
                        if (ty < 0 || ty % a->sh)
                            continue;
                        int64_t iy = ty / a->sh;
                        if (iy >= a->H)
                            continue;
                        for (int64_t kx = 0; kx < a->KW; kx++) {
                            int64_t tx = ox + a->pw - kx * a->dw;
                            if (tx < 0 || tx % a->sw)
                                continue;
                            int64_t ix = tx / a->sw;
                            if (ix >= a->W)
                                continue;
                            acc += xc[iy * a->W + ix] * wc[ky * a->KW + kx];
                        }
                    }
                }
                a->y[(oc * a->OH + oy) * a->OW + ox] = acc;
            }
    }
}

/*
 * y[oc, oy, ox] += col[(oc*KH + ky)*KW + kx, iy*W + ix]
 * for every (ky, kx, iy, ix) with oy = iy*sh - ph + ky*dh in [0, OH) and
 * ox = ix*sw - pw + kx*dw in [0, OW), in (ky, kx, iy, ix) order, for output
 * channels oc in [oc0, oc1) of one group (y and col start at that group).
 */
void mote_col2im_f32_ref(const mote_convt2d_args *a, const float *col, float *y,
                         int64_t oc0, int64_t oc1)
{
    int64_t HW = a->H * a->W, OHW = a->OH * a->OW;
    for (int64_t oc = oc0; oc < oc1; oc++) {
        float *yc = y + oc * OHW;
        for (int64_t ky = 0; ky < a->KH; ky++)
            for (int64_t kx = 0; kx < a->KW; kx++) {
                const float *row = col + ((oc * a->KH + ky) * a->KW + kx) * HW;
                int64_t offx = kx * a->dw - a->pw;
                /* ix range with 0 <= ix*sw + offx < OW */
                int64_t ix0 = offx >= 0 ? 0 : (-offx + a->sw - 1) / a->sw;
                int64_t ix1 = a->OW - offx <= 0 ? 0 : (a->OW - offx + a->sw - 1) / a->sw;
                if (ix1 > a->W)
                    ix1 = a->W;
                for (int64_t iy = 0; iy < a->H; iy++) {
                    int64_t oy = iy * a->sh - a->ph + ky * a->dh;
                    if (oy < 0 || oy >= a->OH)
                        continue;
                    float *yr = yc + oy * a->OW + offx;
                    const float *r = row + iy * a->W;
                    for (int64_t ix = ix0; ix < ix1; ix++)
                        yr[ix * a->sw] += r[ix];
                }
            }
    }
}
