/*
 * conv_transpose_ref.c — the reference 2-D transposed convolution (ConvTranspose),
 * one image, NCHW. Not the output-size arithmetic (the op does that).
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
